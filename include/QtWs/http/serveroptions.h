// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/parser.h>

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>

#include <chrono>
#include <optional>

namespace qtws::http {

// How an http::Server listens and what it tolerates from clients. An aggregate: set fields with
// designated initialisers, e.g. http::ServerOptions{.port = 8080, .maxConnections = 64}.
struct ServerOptions
{
    // Address to listen on. Default 127.0.0.1: exposing a server on every interface
    // (QHostAddress::Any) should be a decision, not an accident.
    QHostAddress host = QHostAddress(QHostAddress::LocalHost);
    // TCP port; 0 (the default) picks any free port, which serverPort() then reports.
    quint16 port = 0;
    // When set, every connection is TLS with this configuration (it must hold a local
    // certificate and private key). The TLS handshake counts against headerTimeout. Default:
    // plain TCP.
    std::optional<QSslConfiguration> tls = std::nullopt;
    // Bounds on each request head and body, with the status a client gets beyond them
    // (parser.h). Bodies are buffered whole before the handler runs, so maxBodyBytes is also
    // the memory one request may take.
    ParserLimits limits = {};
    // The whole request head (and, for the first request, the TLS handshake) must arrive within
    // this time from the connection's start or from the first byte of a later request, or the
    // connection is closed (408 when part of a head arrived). A slowloris client trickling one
    // byte at a time cannot hold a connection longer. Default 10 s; 0 disables it.
    std::chrono::milliseconds headerTimeout{10'000};
    // How long a keep-alive connection may sit between requests, and how long a request body
    // may stall between two reads, before it is closed (RFC 9112 §9.5 lets a server close idle
    // connections at any time). Default 60 s, as browsers keep idle connections for about that
    // long; 0 disables it.
    std::chrono::milliseconds idleTimeout{60'000};
    // After the last response of a connection the server stops sending, keeps reading (and
    // discarding) so that a client's unread pipelined bytes do not turn the close into a reset
    // that destroys the response (RFC 9112 §9.6 "lingering close"), and aborts after this time.
    // Default 5 s.
    std::chrono::milliseconds closeTimeout{5'000};
    // Most simultaneous connections, sockets handed over by an upgrade included until they
    // close. Further ones get 503 with Connection: close, so that an overload is answered
    // rather than failing at accept(). Default 10,000: an idle connection costs about 15 KiB
    // (docs/benchmarks.md); each needs a file descriptor, so the process's `ulimit -n` must
    // allow it too (1024 is a common soft default; examples/echo-server raises it to the hard
    // limit). With worker threads the bound holds over all workers together.
    int maxConnections = 10'000;
    // Threads that serve connections. 1 (the default): everything runs on the thread the server
    // lives in. N > 1: the server accepts on its own thread and hands each connection to one of
    // N worker threads (round robin), each with its own event loop, where the connection, its
    // Stream and the handler's calls live; the handler must then be safe to call from several
    // threads at once. 0: one worker per core (QThread::idealThreadCount()).
    int workerThreads = 1;
    // Bytes of later (pipelined) requests held while a response is in flight. Requests are
    // parsed one at a time, after the previous response ended, so this bounds the read-ahead
    // in bytes rather than in requests: beyond it the server stops reading from the socket
    // and TCP flow control holds the client back. Default 64 KiB.
    qint64 readAheadBytes = 64 * 1024;
};

} // namespace qtws::http
