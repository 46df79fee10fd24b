// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/router.h>
#include <QtWs/http/serveroptions.h>
#include <QtWs/http/stream.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QUrl>

#include <functional>
#include <memory>

namespace qtws::http {

class ServerPrivate;

// An HTTP/1.1 server (RFC 9112) over TCP or TLS that hands each request to a handler as a
// Stream. Requests on a connection are answered strictly in order (keep-alive and pipelining);
// the next request is parsed only after the previous response ended.
//
//   http::Server server([](http::Stream &stream) {
//       stream.setHeader("Content-Type", "text/plain");
//       stream.end("hello\n");
//   });
//   if (!server.listen())
//       qFatal("%s", qPrintable(server.errorString()));
//   qInfo() << "serving" << server.serverUrl();
//
// What the server does on its own: 100 Continue for "Expect: 100-continue"; the parser's
// status (400, 413, 414, 431, 501, 505) with Connection: close for a malformed request;
// 408 and close when a request head or body is too slow (ServerOptions::headerTimeout,
// idleTimeout); closing idle keep-alive connections; 503 beyond maxConnections.
//
// Runs on the event loop of the thread it lives in; every call must come from that thread.
class QTWS_EXPORT Server : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int connectionCount READ connectionCount NOTIFY connectionCountChanged)

public:
    using Handler = std::function<void(Stream &)>;

    explicit Server(Handler handler, ServerOptions options = {}, QObject *parent = nullptr);
    // Aborts every connection still open (deferred streams get disconnected()). Sockets handed
    // over by an upgrade are not affected.
    ~Server() override;

    const ServerOptions &options() const;

    // Starts listening on options().host and options().port. Returns false, with
    // errorString() saying why, when the address cannot be bound or the server already
    // listens or was closed.
    bool listen();
    bool isListening() const;
    QString errorString() const;

    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    // "http://127.0.0.1:PORT" or "https://…". For a wildcard host (Any, AnyIPv4, AnyIPv6) the
    // URL names the loopback address, which is reachable however the server listens.
    QUrl serverUrl() const;

    // Open connections, including sockets handed over by an upgrade until they close.
    int connectionCount() const;

    // Graceful stop: no new connections; connections idle between requests are closed now;
    // requests in progress are answered (with Connection: close) and their connections closed
    // after. closed() is emitted once none is left. Cannot be undone.
    void close();
    // Stops listening and aborts every connection at once (in-flight responses are cut).
    void forceClose();

Q_SIGNALS:
    void connectionCountChanged(int count);
    // After close() or forceClose(): the last HTTP connection ended (sockets handed over by an
    // upgrade belong to their new owner and are not waited for).
    void closed();

private:
    friend class ServerPrivate;
    std::unique_ptr<ServerPrivate> d{};
};

// Route handlers for routerHandler(): the stream and the match (path parameters, isHeadForGet).
using RouteHandler = std::function<void(Stream &, const RouteMatch &)>;
using StreamRouter = Router<RouteHandler>;

// Answers a request that matched no route: the match's status (404, 405 with Allow, or 400)
// with a short text body, or 500 for a match without a handler.
QTWS_EXPORT void answerUnmatched(Stream &stream, const RouteMatch &match);

// A Server::Handler that dispatches through router: a matched route's handler gets the stream
// and the match; anything else is answered by answerUnmatched(). The router is shared, so
// routes added to it later are seen. H is callable as void(Stream &, const RouteMatch &).
template<typename H>
Server::Handler routerHandler(std::shared_ptr<const Router<H>> router)
{
    return [router = std::move(router)](Stream &stream) {
        const auto match = router->match(stream.request());
        if (match)
            (*match.handler)(stream, match);
        else
            answerUnmatched(stream, match);
    };
}

// The same, for a router that is complete: it is moved into the handler.
template<typename H>
Server::Handler routerHandler(Router<H> router)
{
    return routerHandler(std::make_shared<const Router<H>>(std::move(router)));
}

} // namespace qtws::http
