// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/upgrade.h>

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>

#include <chrono>
#include <optional>

namespace qtws {

// How a qtws::Server listens and what it accepts. An aggregate: set fields with designated
// initialisers, e.g.
//   qtws::ServerOptions{.port = 8080, .websocket = {.subprotocols = {u"chat"_s}}}
struct ServerOptions
{
    // Address to listen on. Default 127.0.0.1: serving every interface (QHostAddress::Any)
    // should be a decision, not an accident.
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    // TCP port; 0 (the default) picks any free port, which Server::serverPort() then reports.
    quint16 port = 0;
    // When set, the server speaks wss://: every connection is TLS with this configuration, which
    // must hold a local certificate and private key. Default: plain ws://.
    std::optional<QSslConfiguration> tls = std::nullopt;
    // Handshake rules and what every accepted WebSocket gets: subprotocols (server preference
    // order), the Origin check (default: same origin or no Origin, see UpgradeOptions), Limits
    // and the close timeout, which also bounds Server::close().
    UpgradeOptions websocket = {};
    // The TLS handshake and the whole HTTP upgrade request must arrive within this time of the
    // connect, or the connection is closed (408 when part of the request arrived): a client
    // trickling its handshake a byte at a time cannot hold a connection. Default 10 s; 0
    // disables it.
    std::chrono::milliseconds handshakeTimeout{10'000};
    // Most simultaneous connections, handshakes in progress and open WebSockets together.
    // Further ones are answered 503 and closed, so an overload is reported to the client rather
    // than failing at accept(). Default 10,000: an idle WebSocket costs about 15 KiB of server
    // memory (docs/benchmarks.md); each needs a file descriptor, so `ulimit -n` must allow it
    // too (examples/echo-server raises its soft limit to the hard one). With worker threads
    // the bound holds over all workers together (WebSockets counted exactly, handshakes in
    // progress per worker).
    int maxConnections = 10'000;
    // Threads that serve connections (see Server's thread rules). 1, the default: everything
    // runs on the Server's thread. N > 1: the Server accepts on its thread and hands each
    // connection to one of N worker threads (round robin), each with its own event loop; the
    // connection's WebSocket lives there, the handler is called there, and its slots run
    // there. 0: one worker per core (QThread::idealThreadCount()).
    int workerThreads = 1;
};

} // namespace qtws
