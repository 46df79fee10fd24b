// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>
#include <QtWs/limits.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QStringList>
#include <QtNetwork/QSslConfiguration>

#include <chrono>

namespace qtws {

// Client deadlines. Zero disables one. Each is reported, when it fires, as a
// WebSocketError::Kind::Timeout whose reason names it and its duration.
struct ClientTimeouts
{
    // DNS, TCP connect and TLS handshake (and proxy negotiation). Default 30 s, as browsers and
    // HTTP.jl use: long enough for a slow network, short enough that a black-holed host fails.
    std::chrono::milliseconds connect{30'000};
    // The whole opening handshake, from open() to the 101, redirects included. Default 60 s.
    std::chrono::milliseconds request{60'000};
    // Reading the server's response head after the request was written. Default 0 (covered by
    // request).
    std::chrono::milliseconds responseHeader{0};
    // No write progress while writing the handshake request. Default 0 (covered by request).
    std::chrono::milliseconds writeIdle{0};
    // No byte received: bounds the handshake response read and, after the upgrade, inbound
    // inactivity, re-armed on every byte. Default 0 (off: an idle WebSocket is normal).
    std::chrono::milliseconds readIdle{0};
    // After close(): how long to wait for the peer's close frame (and, for a client, for the
    // server to close TCP) before dropping the connection. Default 5 s, as HTTP.jl.
    std::chrono::milliseconds close{5'000};
};

// Everything WebSocket::open and qtws::open accept. An aggregate: use designated initialisers,
// e.g. `{.subprotocols = {"chat"}, .limits = {.maxMessageSize = 1 << 20}}`.
struct ClientOptions
{
    // Extra request headers (e.g. Origin, Authorization, Cookie). Headers that would break the
    // handshake (Upgrade, Connection, Host, Sec-WebSocket-*) are refused with InvalidOptions.
    http::Headers headers;
    // Subprotocols to offer, in preference order (Sec-WebSocket-Protocol). The server must pick
    // one of these or none; anything else fails the handshake.
    QStringList subprotocols;
    // Inbound limits for the codec.
    Limits limits;
    ClientTimeouts timeouts;
    // TLS for wss:// and https://. The default verifies the peer against the system CAs.
    QSslConfiguration sslConfiguration = QSslConfiguration::defaultConfiguration();
    // Explicit opt-out of certificate verification (self-signed test servers). Logged as a
    // warning on every connection that uses it. Default false.
    bool insecureSkipTlsVerification = false;
    // Deliver textFrameReceived/binaryFrameReceived signals as frames arrive. Default false.
    bool deliverFrames = false;
    // permessage-deflate (RFC 7692). Default: offered as "permessage-deflate;
    // client_max_window_bits" (15-bit windows, zlib level 6, memLevel 8, messages under 64 bytes
    // sent plain); WebSocket::extensions() tells whether the server accepted. Cost, measured
    // (docs/permessage-deflate.md): ~165 KB of zlib state per connection once both directions
    // were used (~140-155 KB with no context takeover, held only during a message), ~6 us of
    // CPU per 1 KiB JSON message per direction, for 5.7x fewer bytes on the wire (1 KiB JSON;
    // 7-8x at 16 KiB). {.deflate = {.enabled = false}} turns it off.
    PerMessageDeflateOptions deflate = {};
};

} // namespace qtws
