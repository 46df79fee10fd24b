// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// The blocking WebSocket API, HTTP.jl's shape (open, open(f), send, receive, iteration, ping,
// pong, close) for worker threads and command-line programs. The threading rules are in
// <QtWs/blockingwebsocket.h>; in short: one I/O thread per connection, callable from any thread
// with or without an event loop, a QCoreApplication must exist.

#include <QtWs/blockingmessage.h>
#include <QtWs/blockingoptions.h>
#include <QtWs/blockingwebsocket.h>
#include <QtWs/clientoptions.h>
#include <QtWs/qtwsglobal.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QUrl>

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

namespace qtws {

// Connects to url (ws, wss, http or https) and performs the opening handshake, blocking until it
// is done: an open BlockingWebSocket, or a thrown WebSocketError (InvalidUrl, ConnectionFailed,
// TlsFailed, Timeout, HandshakeInvalid, HandshakeRefused with httpStatus() and the start of the
// response body in httpBody()). The wait is bounded by options.timeouts (connect, request).
// Throws Kind::InvalidOptions without a QCoreApplication or with a limit in blocking below 1.
QTWS_EXPORT BlockingWebSocket open(
    const QUrl &url, const ClientOptions &options = {}, const BlockingOptions &blocking = {});

// Opens, calls f(ws), then closes with 1000 (waiting for the close handshake) whether f returned
// or threw, and returns what f returned or rethrows what f threw (after the close). Unlike
// HTTP.jl, a close code this side already sent stands: if the connection had failed (the peer
// broke the protocol and the I/O thread closed with 1002, 1007, 1009...) or was closing, the
// 1000 is not sent and the close only waits for the end; error() and what receive() throws keep
// that code. As in HTTP.jl, when f returns void, a normal close it let escape (a
// WebSocketError with isNormal(): the peer closed with 1000/1001/1005) ends the call normally;
// a non-void f has no value to return then, so that error is rethrown.
template<typename F>
requires std::invocable<F &, BlockingWebSocket &> std::invoke_result_t<F &, BlockingWebSocket &>
open(
    const QUrl &url, F &&f, const ClientOptions &options = {}, const BlockingOptions &blocking = {})
{
    BlockingWebSocket ws = qtws::open(url, options, blocking);
    if constexpr (std::is_void_v<std::invoke_result_t<F &, BlockingWebSocket &>>) {
        try {
            std::invoke(f, ws);
        } catch (const WebSocketError &error) {
            ws.close();
            if (error.isNormal())
                return;
            throw;
        } catch (...) {
            ws.close();
            throw;
        }
        ws.close();
    } else {
        try {
            auto &&result = std::invoke(f, ws);
            ws.close();
            return std::forward<decltype(result)>(result);
        } catch (...) {
            ws.close(); // does nothing if the close above already ran
            throw;
        }
    }
}

} // namespace qtws
