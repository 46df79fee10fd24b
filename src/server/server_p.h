// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/server.h>

#include <QtCore/QSet>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws::http {

class Listener;
class ServerConnection;

// http::Server's state: the listener, the live connections and the bookkeeping of sockets
// handed over by an upgrade (counted against maxConnections until they close).
class ServerPrivate
{
public:
    ServerPrivate(Server *q, Server::Handler handler, ServerOptions options);

    // reject: answer 503 whatever the count (a multi-threaded front counted over all workers).
    void onSocketAccepted(QAbstractSocket *socket, bool reject = false);
    // A descriptor accepted by another thread's listener, adopted in this thread.
    void adoptDescriptor(qintptr descriptor, bool reject);
    static ServerPrivate *get(Server *server) { return server->d.get(); }
    // A connection's socket closed (or was handed over): forget it and delete it later.
    void connectionFinished(ServerConnection *connection);
    // An upgrade took connection's socket: count it until it disconnects or is destroyed.
    void socketHandedOver(ServerConnection *connection, QAbstractSocket *socket);
    // Calls the handler, turning an escaping exception into a 500 or a closed connection.
    void runHandler(Stream &stream);

    int connectionCount() const { return int(connections.size() + handedOver.size()); }
    void emitCountChanged();
    void scheduleClosedCheck();

    Server *q;
    Server::Handler handler;
    ServerOptions options;
    Listener *listener = nullptr;
    QSet<ServerConnection *> connections; // counted
    QSet<ServerConnection *> rejected; // answered 503, closing, not counted
    QSet<QObject *> handedOver; // sockets now owned by an upgrade
    QString errorString;
    bool closing = false; // close() or forceClose() was called
    bool closedEmitted = false;
    bool destroying = false;
};

} // namespace qtws::http
