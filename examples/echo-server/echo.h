// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// The echo server's code path, shared by main.cpp and the interop test that runs it against
// real clients (tests/interop/tst_server_interop.cpp).

#include <QtWs/server.h>
#include <QtWs/websocket.h>

namespace echo {

// Text back as text, binary back as binary, on any path. The received QString/QByteArray is
// sent on as is: no copy of its own, and no per-message logging (this is what performance and
// conformance are measured on).
inline void handleConnection(qtws::WebSocket *ws)
{
    QObject::connect(ws, &qtws::WebSocket::textMessageReceived, ws,
        [ws](const QString &message) { ws->sendTextMessage(message); });
    QObject::connect(ws, &qtws::WebSocket::binaryMessageReceived, ws,
        [ws](const QByteArray &message) { ws->sendBinaryMessage(message); });
}

// Default 64 MiB: the servers echo-server is compared with accept messages that large.
inline constexpr qint64 defaultMaxMessage = 64 * 1024 * 1024;

inline qtws::ServerOptions options(
    const QHostAddress &host, quint16 port, qint64 maxMessage = defaultMaxMessage)
{
    qtws::ServerOptions options;
    options.host = host;
    options.port = port;
    // One frame may carry a whole message, so both limits move together.
    options.websocket.limits.maxMessageSize = maxMessage;
    options.websocket.limits.maxFrameSize = maxMessage;
    return options;
}

} // namespace echo
