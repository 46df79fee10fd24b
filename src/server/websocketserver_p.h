// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/server.h>
#include <QtWs/server.h>

#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

namespace qtws {

// qtws::Server's state: the http::Server that accepts and times the handshakes, the open
// WebSockets (children of the Server), and the shutdown bookkeeping.
class WebSocketServerPrivate
{
public:
    WebSocketServerPrivate(Server *q, Server::Handler handler, ServerOptions options);

    // The http::Server's handler: every request goes to upgrade().
    void onRequest(http::Stream &stream);
    // upgrade()'s f: adopt ws, then the application's handler and newConnection().
    void onAccepted(WebSocket *ws);
    void onWebSocketClosed(WebSocket *ws);
    // Drops every open WebSocket now (each emits closed(1006)).
    void abortAll();
    // Emits closed() from the event loop once the HTTP side and every WebSocket are done.
    void scheduleClosedCheck();

    Server *q;
    Server::Handler handler;
    ServerOptions options;
    http::Server *http = nullptr; // child of q
    QSet<WebSocket *> sockets; // open (Open or Closing), children of q
    QTimer closeTimer; // close(): the bound on the graceful shutdown
    QString errorString;
    bool closing = false;
    bool httpClosed = false; // the http::Server emitted closed()
    bool closedEmitted = false;
    bool closedCheckQueued = false;
    bool destroying = false;
    Topics *topics = nullptr; // child of q, on first use (servertopics.cpp)
};

} // namespace qtws
