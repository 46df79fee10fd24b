// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/server.h>
#include <QtWs/server.h>

#include <QtCore/QPointer>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace qtws {

namespace http {
class Listener;
}
class WorkerPool;

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

    // --- worker threads (options.workerThreads != 1) ---
    // A server with workers listens with `front` here and serves nothing itself: each worker
    // thread runs a single-threaded Server (an engine of `pool`) that adopts the descriptors
    // front accepts. Counts come back through atomics, the end through workerClosed().
    bool threaded() const { return pool != nullptr; }
    void startWorkers(int count);
    void dispatch(qintptr descriptor);
    void workerClosed();
    void postCountChanged();
    Server *worker(int index) const;
    // In a worker's Server: serve an accepted descriptor (reject: answer 503).
    void adoptDescriptor(qintptr descriptor, bool reject);
    static WebSocketServerPrivate *get(Server *server) { return server->d.get(); }

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

    std::unique_ptr<WorkerPool> pool;
    http::Listener *front = nullptr; // child of q
    std::unique_ptr<std::atomic<int>[]> workerCounts; // open WebSockets per worker
    int workersClosed = 0;
    std::atomic<bool> countChangePosted{false};
};

} // namespace qtws
