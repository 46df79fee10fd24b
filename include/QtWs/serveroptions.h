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
    // than failing at accept(). Default 1024, the usual `ulimit -n`: raise both together.
    int maxConnections = 1024;
};

} // namespace qtws
