// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// The WebSocket opening handshake (RFC 6455 §4) as pure functions: key and accept values, the
// client's request, the server's checks and answers, the client's checks of the answer,
// subprotocol selection, Sec-WebSocket-Extensions parsing and the default Origin policy.
// No sockets, no QObject: the client and server front-ends call these with the http layer's
// messages. Advanced users may call them directly, e.g. to answer upgrades in their own server.
//
// Failures are values, never exceptions: a result aggregate with ok(), and a short English
// reason (≤ 123 bytes, with the numbers in it) for logs and error reports.

#include <QtWs/http/request.h>
#include <QtWs/http/response.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>

#include <optional>

namespace qtws {

namespace handshake {

// RFC 6455 §1.3: the GUID appended to the client's key before hashing.
inline constexpr QByteArrayView acceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// RFC 6455 §4.1 item 9: the only protocol version this library speaks.
inline constexpr QByteArrayView protocolVersion = "13";

// A fresh Sec-WebSocket-Key: 16 bytes from the system CSPRNG, base64 (24 characters).
// RFC 6455 §4.1 item 7 asks for a randomly selected nonce per connection; the system generator
// keeps it unpredictable, so a cached or replayed 101 cannot carry the right accept value.
QTWS_EXPORT QByteArray generateKey();

// The Sec-WebSocket-Accept value for key: base64(SHA-1(key + acceptGuid)), RFC 6455 §4.2.2
// item 5.4. key is used as given (the caller trims it), since the client hashes what it sent.
QTWS_EXPORT QByteArray acceptValue(QByteArrayView key);

// True when key is canonical base64 (standard alphabet, "==" padding) of exactly 16 bytes,
// as RFC 6455 §4.1 item 7 requires. Anything Qt's lenient decoder would repair is refused.
QTWS_EXPORT bool isValidKey(QByteArrayView key);

// True when text is a non-empty RFC 9110 §5.6.2 token (the tchar set).
QTWS_EXPORT bool isToken(QByteArrayView text);

// One parameter of an extension offer or response: "client_max_window_bits" or
// "server_max_window_bits=10". A quoted-string value is stored unescaped.
struct QTWS_EXPORT ExtensionParam
{
    QByteArray name{};
    std::optional<QByteArray> value{}; // std::nullopt when the parameter has no "=value"

    friend bool operator==(const ExtensionParam &, const ExtensionParam &) = default;
};

// One element of a Sec-WebSocket-Extensions list (RFC 6455 §9.1): a name and its parameters
// in the order they were written.
struct QTWS_EXPORT ExtensionItem
{
    QByteArray name{};
    QList<ExtensionParam> params{};

    friend bool operator==(const ExtensionItem &, const ExtensionItem &) = default;
};

struct QTWS_EXPORT ExtensionsParseResult
{
    QList<ExtensionItem> extensions{}; // in header order, across repeated header lines
    QByteArray error{}; // empty when the syntax was valid

    bool ok() const { return error.isEmpty(); }
};

// Parses Sec-WebSocket-Extensions values (one per header line, in order) with the RFC 6455
// §9.1 grammar: comma-separated `name *(";" param)`, param `token ["=" (token |
// quoted-string)]`, optional whitespace around the separators. Empty list elements are skipped
// (RFC 9110 §5.6.1). A quoted value must unescape to a token (RFC 6455 §9.1).
QTWS_EXPORT ExtensionsParseResult parseExtensions(const QList<QByteArray> &headerValues);
// The same, over every Sec-WebSocket-Extensions field of headers.
QTWS_EXPORT ExtensionsParseResult parseExtensions(const http::Headers &headers);
// The list as one header value, "a; p=1, b". Values that are not tokens are quoted.
QTWS_EXPORT QByteArray serializeExtensions(const QList<ExtensionItem> &extensions);

// The server's choice (RFC 6455 §4.2.2 item 5.4 /subprotocol/): the first entry of
// supported (the server's list, most preferred first) that the client offered, compared
// exactly; an empty QByteArray when there is none. Preferring the server's order lets the
// server upgrade clients to its newest protocol version whatever order they list them in.
QTWS_EXPORT QByteArray selectSubprotocol(
    const QList<QByteArray> &offered, const QList<QByteArray> &supported);

// ---- client side ---------------------------------------------------------------------------

// What the client asks for. Every field but host has a usable default.
struct QTWS_EXPORT ClientRequestSpec
{
    QByteArray target = "/"; // request-target: origin-form, or absolute-form via proxies
    QByteArray host{}; // Host value: the URL's authority as written
    QByteArray key = generateKey(); // Sec-WebSocket-Key; keep it to check the answer
    QList<QByteArray> subprotocols{}; // Sec-WebSocket-Protocol, preferred first, unique tokens
    QList<QByteArray> extensions{}; // Sec-WebSocket-Extensions values (e.g. deflate offers)
    std::optional<QByteArray> origin{}; // Origin; non-browser clients usually send none
    http::Headers extraHeaders{}; // Authorization, Cookie, User-Agent, …
};

struct QTWS_EXPORT ClientRequestBuildResult
{
    http::Request request{};
    QByteArray error{}; // empty on success; says which input was refused

    bool ok() const { return error.isEmpty(); }
};

// The client's opening handshake (RFC 6455 §4.1): GET target HTTP/1.1 with Host, Upgrade,
// Connection, Sec-WebSocket-Key, Sec-WebSocket-Version, then Origin, Sec-WebSocket-Protocol,
// Sec-WebSocket-Extensions when given, then extraHeaders. No body and no Content-Length.
// Refuses (error, nothing dropped) an invalid key, target, host or origin, subprotocols that
// are not unique tokens, malformed extension offers, extra headers with invalid names or
// values (CR, LF, NUL, other controls) and extra headers the handshake owns: Upgrade,
// Connection, Host, Content-Length, Transfer-Encoding and the five Sec-WebSocket-* fields of
// RFC 6455 §11.3 (Key, Version, Accept, Protocol, Extensions; the last two have their own
// fields in spec).
QTWS_EXPORT ClientRequestBuildResult buildClientRequest(const ClientRequestSpec &spec);

struct QTWS_EXPORT ServerResponseCheckResult
{
    QByteArray subprotocol{}; // the server's choice; empty when none
    QList<ExtensionItem> extensions{}; // the extensions the server accepted, with their parameters
    int refusedStatus = 0; // the status when it was not 101 (e.g. 403), else 0
    QByteArray error{}; // empty on success: "handshake refused with 403", …

    bool ok() const { return error.isEmpty(); }
};

// The client's checks of the server's answer (RFC 6455 §4.1, the numbered list after "the
// client MUST validate the server's response"), against the request that was sent (whose
// key, subprotocols and extension offers are read back from its headers): status 101, an
// Upgrade websocket token, a Connection upgrade token, exactly one Sec-WebSocket-Accept equal to
// acceptValue(key), at most one subprotocol and only one that was offered, and only extensions
// that were offered. Extension parameters are left to the extension's own negotiation.
QTWS_EXPORT ServerResponseCheckResult checkServerResponse(
    const http::Response &response, const http::Request &sentRequest);

// ---- server side ---------------------------------------------------------------------------

// A refused handshake: the status to answer, why (also the text/plain body) and extra response
// fields (426 carries Upgrade and Sec-WebSocket-Version).
struct QTWS_EXPORT Rejection
{
    int status = 400;
    QByteArray reason{};
    http::Headers headers{};

    friend bool operator==(const Rejection &, const Rejection &) = default;
};

struct QTWS_EXPORT ClientRequestCheckResult
{
    QByteArray key{}; // Sec-WebSocket-Key, trimmed
    QList<QByteArray> subprotocols{}; // offered, in the client's order, duplicates removed
    QList<ExtensionItem> extensions{}; // parsed extension offers, in the client's order
    std::optional<QByteArray> origin{}; // the Origin value, std::nullopt when absent
    std::optional<Rejection> rejection{};

    bool ok() const { return !rejection.has_value(); }
};

// The server's checks of a client's opening handshake (RFC 6455 §4.2.1), in this order; the
// first failure is the answer:
//   - method GET, else 400. RFC 6455 §4.2.1 names 400 as the appropriate error; 405 would
//     oblige an Allow field (RFC 9110 §15.5.6) describing the whole resource, which a router
//     serving HTTP and WebSocket on one path knows and this function does not.
//   - HTTP/1.1 or later, else 400 (RFC 6455 §4.2.1 item 1).
//   - exactly one non-empty Host, else 400 (RFC 9112 §3.2).
//   - Upgrade lists the token "websocket", Connection lists "upgrade" (case-insensitive,
//     comma lists across repeated fields), else 400 (RFC 6455 §4.2.1 items 3 and 4).
//   - exactly one Sec-WebSocket-Version, equal to 13, else 426 with Upgrade: websocket and
//     Sec-WebSocket-Version: 13 (RFC 6455 §4.4, RFC 9110 §15.5.22).
//   - exactly one Sec-WebSocket-Key that isValidKey(), else 400 (RFC 6455 §4.2.1 item 5,
//     §11.3.1: the key MUST NOT appear more than once).
//   - at most one Origin (RFC 6454 §7.3), subprotocols that are tokens (RFC 6455 §4.1 item 10)
//     and a well-formed Sec-WebSocket-Extensions, else 400.
// The Origin policy is not applied here: see isOriginAllowedByDefault().
QTWS_EXPORT ClientRequestCheckResult checkClientRequest(const http::Request &request);

// What the server answers when it accepts.
struct QTWS_EXPORT AcceptResponseSpec
{
    QByteArray key{}; // the client's Sec-WebSocket-Key
    QByteArray subprotocol{}; // selectSubprotocol()'s choice; empty for none
    QByteArray extensions{}; // the accepted Sec-WebSocket-Extensions value; empty for none
    http::Headers extraHeaders{}; // Set-Cookie, Server, …
};

struct QTWS_EXPORT AcceptResponseBuildResult
{
    http::Response response{};
    QByteArray error{}; // empty on success

    bool ok() const { return error.isEmpty(); }
};

// The server's 101 (RFC 6455 §4.2.2 item 5): Upgrade: websocket, Connection: Upgrade,
// Sec-WebSocket-Accept, then Sec-WebSocket-Protocol and Sec-WebSocket-Extensions when set, then
// extraHeaders. No Content-Length: RFC 9110 §8.6 forbids it on 1xx. Refuses an invalid key, a
// subprotocol that is not a token, malformed extensions, and extra headers that are invalid or
// owned by the handshake (as buildClientRequest()).
QTWS_EXPORT AcceptResponseBuildResult buildAcceptResponse(const AcceptResponseSpec &spec);

// The answer to a refused handshake: rejection.status with its standard reason phrase,
// rejection.headers, Content-Type: text/plain; charset=utf-8, Content-Length and
// Connection: close (RFC 9112 §9.6), or "Upgrade, close" when the headers carry Upgrade, as
// RFC 9110 §7.8 requires of a sender of Upgrade. Framing fields in rejection.headers are
// replaced by the builder's. Body: reason and "\n".
QTWS_EXPORT http::Response buildRejectionResponse(const Rejection &rejection);

// Whether the server's listening socket is TLS: decides the Host's default port (80 or 443)
// and which Origin scheme counts as the same origin.
enum class Transport { Plain, Tls };

// The default Origin policy of qtws servers (the browser cross-site defence of RFC 6455
// §10.2). Allows:
//   - requests without an Origin field: non-browser clients send none, and a browser always
//     sends one, so its absence is not a cross-site page;
//   - requests whose Origin (RFC 6454 §7: scheme "://" host [":" port]) is the server's own
//     origin: scheme http on Transport::Plain or https on Transport::Tls, the host equal to the
//     Host field's host (case-insensitive, IPv6 in brackets), and the ports equal once missing
//     ports are filled in (Origin by its scheme, Host by transport).
// Refuses everything else: "null", ws:// and other schemes, paths, garbage, a repeated Origin,
// an Origin without a Host. The server answers those with 403. A page on
// http://localhost:3000 therefore cannot reach a server on :8080 unless the application
// installs its own policy.
QTWS_EXPORT bool isOriginAllowedByDefault(const http::Request &request, Transport transport);

} // namespace handshake

// True for a request that asks for a WebSocket upgrade: method GET, Upgrade with the
// "websocket" token, Connection with the "upgrade" token, one Sec-WebSocket-Key of 16 bytes and
// Sec-WebSocket-Version 13. A router's question ("hand this to upgrade()?"); it does not check
// Host or the HTTP version: handshake::checkClientRequest() gives the full answer with reasons.
QTWS_EXPORT bool isUpgrade(const http::Request &request);

// True for a response that accepts an upgrade to WebSocket: status 101 with the Upgrade
// "websocket" and Connection "upgrade" tokens. It does not check Sec-WebSocket-Accept:
// handshake::checkServerResponse() does.
QTWS_EXPORT bool isUpgrade(const http::Response &response);

} // namespace qtws
