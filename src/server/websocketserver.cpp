// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/websocketserver_p.h"

#include "server/listener_p.h"
#include "server/logging_p.h"
#include "server/server_p.h"
#include "server/workerpool_p.h"

#include <QtWs/closecode.h>
#include <QtWs/http/stream.h>
#include <QtWs/upgrade.h>
#include <QtWs/websocket.h>

#include <QtCore/QEventLoop>
#include <QtCore/QMetaObject>

#include <algorithm>
#include <limits>

namespace qtws {

namespace {

http::ServerOptions httpOptions(const ServerOptions &options)
{
    http::ServerOptions out;
    out.host = options.host;
    out.port = options.port;
    out.tls = options.tls;
    out.headerTimeout = options.handshakeTimeout;
    // Every answer of this server ends its HTTP connection (an upgrade takes the socket, a
    // refusal closes it), so the idle time between keep-alive requests never arises; what is
    // left is a request body trickling in, which a handshake does not have: the same bound.
    if (options.handshakeTimeout.count() > 0)
        out.idleTimeout = options.handshakeTimeout;
    // A handshake has no body (RFC 6455 §4.1); a request that brings one is refused anyway, so
    // it need not be held in memory beyond a token amount (413 beyond).
    out.limits.maxBodyBytes = 64 * 1024;
    out.closeTimeout = options.websocket.closeTimeout.count() > 0 ? options.websocket.closeTimeout
                                                                  : out.closeTimeout;
    out.maxConnections = options.maxConnections;
    return out;
}

QUrl wsUrl(QHostAddress address, quint16 port, bool tls)
{
    // A wildcard address is reachable as the loopback address of its family; RFC 6455 §3: ws
    // and wss, with "/" as the resource name of an empty path.
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(address.toString());
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url;
}

} // namespace

WebSocketServerPrivate::WebSocketServerPrivate(Server *qq, Server::Handler h, ServerOptions o)
    : q(qq), handler(std::move(h)), options(std::move(o))
{
    http = new http::Server(
        [this](http::Stream &stream) { onRequest(stream); }, httpOptions(options), q);
    QObject::connect(http, &http::Server::closed, q, [this] {
        httpClosed = true;
        scheduleClosedCheck();
    });
    closeTimer.setSingleShot(true);
    QObject::connect(&closeTimer, &QTimer::timeout, q, [this] {
        qCDebug(lcServer) << "graceful close took longer than"
                          << options.websocket.closeTimeout.count() << "ms; dropping"
                          << sockets.size() << "connections";
        http->forceClose();
        abortAll();
        scheduleClosedCheck();
    });
    const int workers = WorkerPool::resolve(options.workerThreads);
    if (workers > 1)
        startWorkers(workers);
}

void WebSocketServerPrivate::startWorkers(int count)
{
    pool = std::make_unique<WorkerPool>();
    workerCounts = std::make_unique<std::atomic<int>[]>(size_t(count));
    ServerOptions inner = options;
    inner.workerThreads = 1;
    // Runs in each worker's thread (this thread waits meanwhile). The worker's Server reports
    // through direct connections, in its thread; what concerns q is posted to q's thread.
    pool->start(count, [this, inner](int index) -> QObject * {
        auto *server = new Server(handler, inner);
        QObject::connect(
            server, &Server::connectionCountChanged, server,
            [this, index](int open) {
                workerCounts[size_t(index)].store(open, std::memory_order_relaxed);
                postCountChanged();
            },
            Qt::DirectConnection);
        QObject::connect(
            server, &Server::newConnection, server,
            [this](WebSocket *ws) { Q_EMIT q->newConnection(ws); }, Qt::DirectConnection);
        QObject::connect(
            server, &Server::closed, server,
            [this] {
                QMetaObject::invokeMethod(
                    q, [this] { workerClosed(); }, Qt::QueuedConnection);
            },
            Qt::DirectConnection);
        return server;
    });
}

Server *WebSocketServerPrivate::worker(int index) const
{
    return static_cast<Server *>(pool->engine(index));
}

void WebSocketServerPrivate::dispatch(qintptr descriptor)
{
    // maxConnections over all workers: the open WebSockets are counted exactly here, the
    // handshakes in progress by each worker's own bound.
    const bool reject = closing || q->connectionCount() >= options.maxConnections;
    Server *target = worker(pool->next());
    QMetaObject::invokeMethod(
        target, [target, descriptor, reject] { get(target)->adoptDescriptor(descriptor, reject); },
        Qt::QueuedConnection);
}

void WebSocketServerPrivate::adoptDescriptor(qintptr descriptor, bool reject)
{
    http::ServerPrivate::get(http)->adoptDescriptor(descriptor, reject || closing);
}

void WebSocketServerPrivate::postCountChanged()
{
    // Coalesced: a burst of handshakes in the workers is one signal on q's thread.
    if (countChangePosted.exchange(true))
        return;
    QMetaObject::invokeMethod(
        q,
        [this] {
            countChangePosted.store(false);
            if (!destroying)
                Q_EMIT q->connectionCountChanged(q->connectionCount());
        },
        Qt::QueuedConnection);
}

void WebSocketServerPrivate::workerClosed()
{
    if (++workersClosed < pool->size() || closedEmitted || destroying)
        return;
    closedEmitted = true;
    Q_EMIT q->closed();
}

void WebSocketServerPrivate::onRequest(http::Stream &stream)
{
    if (closing) {
        // A handshake that was in flight when close() was called: RFC 9110 §15.6.4, the
        // server is going away; the http::Server closes the connection after it.
        stream.setStatus(503);
        stream.setHeader("Content-Type", "text/plain; charset=utf-8");
        stream.end(QByteArrayView("server shutting down\n"));
        return;
    }
    upgrade(
        stream, [this](WebSocket *ws) { onAccepted(ws); }, options.websocket);
}

void WebSocketServerPrivate::onAccepted(WebSocket *ws)
{
    ws->setParent(q);
    sockets.insert(ws);
    // closed() is the end of a connection; destroyed() covers an application that deletes a
    // WebSocket without closing it (which emits nothing). ws is only a key once destroyed.
    QObject::connect(ws, &WebSocket::closed, q, [this, ws] { onWebSocketClosed(ws); });
    QObject::connect(ws, &QObject::destroyed, q, [this, ws] { onWebSocketClosed(ws); });
    Q_EMIT q->connectionCountChanged(int(sockets.size()));

    const QPointer<WebSocket> guard(ws);
    if (handler)
        handler(ws); // an exception goes on to upgrade(), which closes ws with 1011
    if (guard)
        Q_EMIT q->newConnection(ws);
}

void WebSocketServerPrivate::onWebSocketClosed(WebSocket *ws)
{
    if (!sockets.remove(ws))
        return;
    if (destroying)
        return;
    Q_EMIT q->connectionCountChanged(int(sockets.size()));
    scheduleClosedCheck();
}

void WebSocketServerPrivate::abortAll()
{
    const QSet<WebSocket *> all = sockets;
    for (WebSocket *ws : all) {
        // An earlier abort()'s closed() slot may have deleted another one.
        if (sockets.contains(ws))
            ws->abort();
    }
}

void WebSocketServerPrivate::scheduleClosedCheck()
{
    if (!closing || closedEmitted || destroying)
        return;
    QMetaObject::invokeMethod(
        q,
        [this] {
            if (closedEmitted || !httpClosed || !sockets.isEmpty())
                return;
            closedEmitted = true;
            closeTimer.stop();
            Q_EMIT q->closed();
        },
        Qt::QueuedConnection);
}

Server::Server(ServerOptions options, QObject *parent)
    : Server(Handler(), std::move(options), parent)
{ }

Server::Server(Handler handler, ServerOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<WebSocketServerPrivate>(this, std::move(handler), std::move(options)))
{
    // For queued connections to newConnection() and QSignalSpy.
    qRegisterMetaType<qtws::WebSocket *>();
}

Server::~Server()
{
    d->destroying = true;
    d->closeTimer.stop();
    if (d->pool)
        d->pool->stop(); // each worker's Server is deleted in its thread, dropping its clients
    // The WebSockets go first, while the http::Server that counts their sockets still exists.
    const QSet<WebSocket *> all = d->sockets;
    d->sockets.clear();
    for (WebSocket *ws : all)
        delete ws;
    delete d->http;
    d->http = nullptr;
}

const ServerOptions &Server::options() const
{
    return d->options;
}

bool Server::listen()
{
    if (d->threaded()) {
        if (d->closing || isListening()) {
            d->errorString = d->closing ? QStringLiteral("the server was closed")
                                        : QStringLiteral("the server is already listening");
            return false;
        }
        if (!d->front) {
            d->front = new http::Listener(d->options.tls, this);
            d->front->setDispatcher([this](qintptr descriptor) { d->dispatch(descriptor); });
        }
        d->front->setListenBacklogSize(std::max(d->options.maxConnections, 50));
        if (!d->front->listen(d->options.host, d->options.port)) {
            d->errorString = QStringLiteral("cannot listen on %1 port %2: %3")
                                 .arg(d->options.host.toString())
                                 .arg(d->options.port)
                                 .arg(d->front->errorString());
            return false;
        }
        d->errorString.clear();
        Q_EMIT listeningChanged();
        return true;
    }
    if (!d->http->listen()) {
        d->errorString = d->http->errorString();
        return false;
    }
    d->errorString.clear();
    Q_EMIT listeningChanged();
    return true;
}

bool Server::isListening() const
{
    if (d->threaded())
        return d->front && d->front->isListening();
    return d->http->isListening();
}

QString Server::errorString() const
{
    return d->errorString;
}

bool Server::run()
{
    if (!isListening() && !listen())
        return false;
    waitForClosed();
    return true;
}

QHostAddress Server::serverAddress() const
{
    if (d->threaded())
        return d->front ? d->front->serverAddress() : QHostAddress();
    return d->http->serverAddress();
}

quint16 Server::serverPort() const
{
    if (d->threaded())
        return d->front ? d->front->serverPort() : 0;
    return d->http->serverPort();
}

QUrl Server::serverUrl() const
{
    if (!isListening())
        return {};
    return wsUrl(serverAddress(), serverPort(), d->options.tls.has_value());
}

int Server::connectionCount() const
{
    if (d->threaded()) {
        int total = 0;
        for (int i = 0; i < d->pool->size(); ++i)
            total += d->workerCounts[size_t(i)].load(std::memory_order_relaxed);
        return total;
    }
    return int(d->sockets.size());
}

int Server::workerCount() const
{
    return d->threaded() ? d->pool->size() : 1;
}

void Server::broadcastTextMessage(const QString &message)
{
    if (d->threaded()) {
        for (int i = 0; i < d->pool->size(); ++i) {
            Server *worker = d->worker(i);
            QMetaObject::invokeMethod(
                worker, [worker, message] { worker->broadcastTextMessage(message); },
                Qt::QueuedConnection);
        }
        return;
    }
    for (WebSocket *ws : std::as_const(d->sockets)) {
        if (ws->state() == WebSocket::State::Open)
            ws->sendTextMessage(message);
    }
}

void Server::broadcastBinaryMessage(const QByteArray &message)
{
    if (d->threaded()) {
        for (int i = 0; i < d->pool->size(); ++i) {
            Server *worker = d->worker(i);
            QMetaObject::invokeMethod(
                worker, [worker, message] { worker->broadcastBinaryMessage(message); },
                Qt::QueuedConnection);
        }
        return;
    }
    for (WebSocket *ws : std::as_const(d->sockets)) {
        if (ws->state() == WebSocket::State::Open)
            ws->sendBinaryMessage(message);
    }
}

void Server::close()
{
    if (d->closing)
        return;
    d->closing = true;
    if (d->threaded()) {
        if (d->front)
            d->front->close();
        for (int i = 0; i < d->pool->size(); ++i)
            QMetaObject::invokeMethod(d->worker(i), &Server::close, Qt::QueuedConnection);
        return;
    }
    d->http->close();
    // Every close frame is queued now, so the clients answer concurrently and the whole
    // shutdown takes at most one close timeout (HTTP.jl closes them one after another).
    const QSet<WebSocket *> all = d->sockets;
    for (WebSocket *ws : all) {
        if (d->sockets.contains(ws) && ws->state() == WebSocket::State::Open)
            ws->close(CloseCode::GoingAway, QStringLiteral("server shutting down"));
    }
    if (d->options.websocket.closeTimeout.count() > 0)
        d->closeTimer.start(d->options.websocket.closeTimeout);
    d->scheduleClosedCheck();
}

void Server::forceClose()
{
    if (d->threaded()) {
        d->closing = true;
        if (d->front)
            d->front->close();
        for (int i = 0; i < d->pool->size(); ++i)
            QMetaObject::invokeMethod(d->worker(i), &Server::forceClose, Qt::QueuedConnection);
        return;
    }
    d->closing = true;
    d->closeTimer.stop();
    d->http->forceClose();
    d->abortAll();
    d->scheduleClosedCheck();
}

bool Server::isClosed() const
{
    return d->closedEmitted;
}

bool Server::waitForClosed(QDeadlineTimer deadline)
{
    if (d->closedEmitted)
        return true;
    if (deadline.hasExpired())
        return false;
    QEventLoop loop;
    connect(this, &Server::closed, &loop, &QEventLoop::quit);
    // A slot may destroy the server while the loop runs: that ends it too.
    connect(this, &QObject::destroyed, &loop, &QEventLoop::quit);
    QTimer timer;
    timer.setSingleShot(true);
    if (!deadline.isForever()) {
        connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        timer.start(int(qMin<qint64>(deadline.remainingTime(), std::numeric_limits<int>::max())));
    }
    const QPointer<Server> self(this);
    loop.exec();
    return !self || d->closedEmitted;
}

} // namespace qtws
