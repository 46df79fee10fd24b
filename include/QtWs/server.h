// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>
#include <QtWs/serveroptions.h>
#include <QtWs/topics.h>

#include <QtCore/QDeadlineTimer>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include <functional>
#include <memory>

namespace qtws {

class WebSocket;
class WebSocketServerPrivate;

// A WebSocket server: every connection is an HTTP upgrade request, accepted by qtws::upgrade()
// on an http::Server (so there is one handshake implementation; to serve HTTP routes on the same
// port, use http::Server with a Router and call upgrade() from a route instead).
//
// Background form (returns at once; the server runs on this thread's event loop):
//   qtws::Server server([](qtws::WebSocket *ws) {
//       QObject::connect(ws, &qtws::WebSocket::textMessageReceived, ws,
//                        [ws](const QString &text) { ws->sendTextMessage(text); });
//   });
//   if (!server.listen())
//       qFatal("%s", qPrintable(server.errorString()));
//   qInfo() << "serving" << server.serverUrl();
//
// Blocking form: server.run() listens and processes this thread's events until the server
// is closed (by a slot, a timer or a signal handler that calls close()).
//
// Requests that are not WebSocket handshakes get 426 Upgrade Required with Upgrade: websocket
// and Sec-WebSocket-Version: 13 (RFC 9110 §15.5.22, RFC 6455 §4.4); malformed handshakes get
// 400 (RFC 6455 §4.2.1), a wrong version 426, a refused Origin 403, connections beyond
// maxConnections 503. Each is followed by closing the connection.
//
// Ownership: every WebSocket is a child of the Server (destroying the Server drops them all,
// without close frames) and is deleted with deleteLater() after it emitted closed(). Hold a
// QPointer to keep one beyond the handler.
//
// Threads: with ServerOptions::workerThreads 1 (the default), the Server, its WebSockets and
// the handler live on the thread the Server lives in; call every function from there (QObject
// rules). With N > 1 worker threads, the Server still lives on its own thread and every
// function is still called from there, but it only accepts: each connection is served by one
// worker thread (round robin), with its own event loop, in which
//   - the connection's WebSocket lives (its parent is that worker's private Server, not this
//     one): call its functions and connect to it from that thread, i.e. from the handler or the
//     WebSocket's own slots; from elsewhere, QMetaObject::invokeMethod(ws, ...);
//   - the handler is called, once per connection, so it must be safe to run on several threads
//     at once (each worker has its own copy of it);
//   - newConnection(ws) is emitted (connect to it with Qt::DirectConnection to use ws there);
// while connectionCount() and connectionCountChanged() (on this Server's thread, coalesced),
// broadcastTextMessage()/broadcastBinaryMessage(), close(), forceClose() and closed() cover
// every worker. Destroying the Server drops every connection and joins the threads.
class QTWS_EXPORT Server : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int connectionCount READ connectionCount NOTIFY connectionCountChanged)
    Q_PROPERTY(QUrl serverUrl READ serverUrl NOTIFY listeningChanged)

public:
    // Called once per accepted connection with the WebSocket, already Open, before any message
    // is delivered: connect its signals here. An exception it throws closes that WebSocket with
    // 1011 (see upgrade()).
    using Handler = std::function<void(WebSocket *)>;

    // A server whose connections are taken through newConnection() only.
    explicit Server(ServerOptions options = {}, QObject *parent = nullptr);
    Server(Handler handler, ServerOptions options = {}, QObject *parent = nullptr);
    // Drops every connection at once (no close frames; forceClose() without closed()).
    ~Server() override;

    const ServerOptions &options() const;

    // Starts listening on options().host and options().port and returns at once. False, with
    // errorString() saying why (e.g. the port is in use, no permission), when the address cannot
    // be bound, or when the server already listens or was closed: a failure is never silent.
    bool listen();
    bool isListening() const;
    QString errorString() const;

    // The blocking form: listen() (unless already listening), then process this thread's events
    // until closed() was emitted. Returns false at once if listen() failed. Needs a
    // QCoreApplication; the thread must be the Server's.
    bool run();

    // The address actually bound (0.0.0.0 or :: for a wildcard host), and the port actually
    // bound (the chosen one for port 0). Null address and 0 when not listening.
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    // ws://ADDRESS:PORT/ or wss://…, IPv6 addresses in brackets. For a wildcard host the URL
    // names the loopback address of the same family, which is reachable from this machine
    // however the server listens. Empty when not listening.
    QUrl serverUrl() const;

    // Open WebSockets (Open or Closing); handshakes still in progress are not counted.
    int connectionCount() const;
    // The worker threads serving connections (options().workerThreads resolved; 1 when the
    // Server's own thread serves them).
    int workerCount() const;

    // Sends message to every open WebSocket. With worker threads the sends are queued into
    // each worker and happen there, soon after this returns.
    void broadcastTextMessage(const QString &message);
    void broadcastBinaryMessage(const QByteArray &message);

    // Graceful stop: stop accepting; handshakes in progress get 503; every WebSocket gets
    // close(1001 Going Away, "server shutting down"), all at once, so the total wait is one
    // close timeout (options().websocket.closeTimeout), not one per client. Whatever is still
    // open after that timeout is dropped. closed() follows once every connection ended.
    // Cannot be undone; a second call does nothing.
    void close();
    // Stops listening and drops every connection now, without close frames (clients see 1006).
    // closed() follows from the event loop.
    void forceClose();
    // True once closed() was emitted.
    bool isClosed() const;

    // Processes this thread's events (a local event loop) until closed() was emitted or the
    // deadline passed; returns isClosed(). It does not close the server itself: call close()
    // or forceClose() first, or let a slot do it. Returns true at once if already closed.
    bool waitForClosed(QDeadlineTimer deadline = QDeadlineTimer(QDeadlineTimer::Forever));

    // Pub/sub (docs/pubsub.md): the server's Topics hub, a child created on first use, and its
    // most used calls. A WebSocket leaves its topics when it closes.
    Topics *topics();
    bool subscribe(WebSocket *ws, const QString &topic);
    bool unsubscribe(WebSocket *ws, const QString &topic);
    int publish(
        const QString &topic, const QByteArray &message, MessageType type = MessageType::Binary);
    int publish(const QString &topic, const QString &text);
    QList<WebSocket *> subscribers(const QString &topic) const;
    QStringList topics(WebSocket *ws) const;

Q_SIGNALS:
    // A WebSocket was accepted: after the handler (if any) ran, still before any message is
    // delivered. The Server owns ws (see the class comment).
    void newConnection(qtws::WebSocket *ws);
    void connectionCountChanged(int count);
    // listen() succeeded.
    void listeningChanged();
    // After close() or forceClose(): the listener is closed and every connection ended.
    // Emitted once, from the event loop (never from inside close()).
    void closed();

private:
    friend class WebSocketServerPrivate;
    std::unique_ptr<WebSocketServerPrivate> d{};
};

} // namespace qtws
