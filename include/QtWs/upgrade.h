// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>
#include <QtWs/http/request.h>
#include <QtWs/limits.h>
#include <QtWs/permessagedeflate.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QStringList>

#include <chrono>
#include <functional>

namespace qtws {

class WebSocket;

namespace http {
class Stream;
}

// How a server accepts WebSocket handshakes and what every accepted WebSocket gets: what
// qtws::upgrade() takes, and ServerOptions::websocket for qtws::Server. An aggregate, e.g.
//   UpgradeOptions{.subprotocols = {u"v2.chat"_s, u"chat"_s}, .limits = {.maxMessageSize = 1 <<
//   20}}
struct UpgradeOptions
{
    // Every field has an explicit initialiser, so that designated initialisers may omit any
    // (GCC's -Wmissing-field-initializers).
    // The subprotocols this server speaks, most preferred first. The first one of these that
    // the client offered is chosen (server preference, so a server can move clients to its
    // newest protocol whatever order they list them in); none in common, or an empty list, means
    // no Sec-WebSocket-Protocol in the 101 and the handshake still succeeds (RFC 6455 §4.2.2
    // item 5.4: the server MAY select one). Each must be an RFC 9110 token. Default: none.
    QStringList subprotocols = {};
    // Decides whether a request's Origin may connect (RFC 6455 §10.2: the defence against a
    // hostile web page driving a browser to a WebSocket server it can reach). Return false to
    // answer 403. It is called for every handshake, with or without an Origin field. Default
    // (empty): handshake::isOriginAllowedByDefault() with the connection's TLS flag, i.e. no
    // Origin (non-browser clients) or the server's own origin (same scheme, host and port as
    // the request's Host). A page served from another port or host needs a custom check.
    std::function<bool(const http::Request &)> checkOrigin = {};
    // Inbound limits of each accepted WebSocket (1009 beyond them). Default: Limits' defaults
    // (16 MiB frames and messages, 1024 fragments).
    Limits limits = {};
    // After close() (also the server's graceful close): how long a WebSocket waits for the
    // client's close frame before it drops the connection; also how long a refused handshake's
    // connection may linger. Default 5 s, as the client's. 0 disables the wait's bound: close()
    // then waits for the client as long as it takes (a refusal still lingers at most 5 s).
    std::chrono::milliseconds closeTimeout{5'000};
    // Extra fields of the 101 response (Set-Cookie, Server, …). Fields the handshake owns
    // (Upgrade, Connection, Sec-WebSocket-*) or invalid ones make the upgrade fail with 500
    // and a warning: a server misconfiguration, not the client's fault. Default: none.
    http::Headers responseHeaders = {};
    // permessage-deflate (RFC 7692): accepts the client's first valid offer (browsers, python
    // websockets and npm ws offer it on every connection) and answers in the 101. Default
    // (PerMessageDeflateOptions' server defaults): accepted, with memory-bounding settings:
    // 12-bit windows both ways (when the client lets the server choose), memLevel 5, zlib level
    // 6, context takeover, messages under 64 bytes sent plain. Cost, measured
    // (docs/permessage-deflate.md): ~50 KB of zlib state per connection once both directions
    // were used (versus ~308 KB with zlib's defaults), ~6 us of CPU per 1 KiB JSON message per
    // direction; for 5.7x fewer bytes on the wire (1 KiB JSON; 7.2x at 16 KiB). With
    // {.serverNoContextTakeover = true, .clientNoContextTakeover = true} nothing is held between
    // messages (~39 KB during one), at some ratio on small messages (3.3x at 1 KiB).
    // {.enabled = false} declines every offer. WebSocket::extensions() reports the outcome.
    PerMessageDeflateOptions deflate = {};
};

// Completes the WebSocket opening handshake (RFC 6455 §4.2) on an in-flight request of an
// http::Server, so one port can serve HTTP routes and WebSocket routes:
//
//   router.get("/ws", [](http::Stream &stream, const http::RouteMatch &) {
//       qtws::upgrade(stream, [](qtws::WebSocket *ws) {
//           QObject::connect(ws, &qtws::WebSocket::textMessageReceived, ws,
//                            [ws](const QString &text) { ws->sendTextMessage(text); });
//       });
//   });
//
// It takes the connection away from the http::Server (the socket keeps counting against its
// maxConnections until it closes) and, on that socket:
//   - answers a request without any Upgrade field (a plain HTTP request to a WebSocket
//     endpoint) with 426 Upgrade Required, Upgrade: websocket and Sec-WebSocket-Version: 13
//     (RFC 9110 §15.5.22: the server requires the client to switch protocols);
//   - answers a malformed handshake with handshake::checkClientRequest()'s status: 400, or 426
//     with Sec-WebSocket-Version: 13 for a version other than 13 (RFC 6455 §4.2.1, §4.4);
//   - answers a refused Origin (options.checkOrigin) with 403;
//   - otherwise writes the 101 with the chosen subprotocol, creates the server-side WebSocket
//     (already Open) with every byte the client sent after the request head (its first frames)
//     and calls f(ws) synchronously, before any message is delivered: connect the signals in f.
// A refused handshake's response ends with Connection: close and the socket is closed after it.
//
// Returns true when f was called. False when the handshake was refused (the client got its
// 4xx, which is not an error of the application: qCDebug only) or when upgrade() cannot be
// used on this stream: it was called after the response started (startWrite(), write(),
// end()), a second time, or after the client left. That misuse is a qCWarning (category
// qtws.server) and the stream is left untouched, so the response the handler started goes on.
//
// Ownership: the WebSocket has no parent (qtws::Server re-parents it to itself). It is deleted
// with deleteLater() once it emitted closed(), so keep a QPointer if you hold it beyond f.
// Reparenting it is fine; deleting it earlier drops the connection (WebSocket::~WebSocket).
//
// f returning does not close the connection (the reference's blocking handler does): in Qt the
// handler connects slots and the conversation goes on in them. If f throws, the WebSocket is
// closed with 1011 (Internal Error) and a qCWarning names the exception; a thrown
// WebSocketError with a sendable close code closes with that code and reason instead.
//
// Must be called from the http::Server's thread, inside the handler or, for a deferred stream,
// later. The TLS flag for the default Origin policy is the stream's isEncrypted().
QTWS_EXPORT bool upgrade(
    http::Stream &stream, std::function<void(WebSocket *)> f, const UpgradeOptions &options = {});

} // namespace qtws
