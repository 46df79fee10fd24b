// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>
#include <QtWs/limits.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QStringList>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>

#include <chrono>
#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkCookieJar;
QT_END_NAMESPACE

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
    http::Headers headers{};
    // Subprotocols to offer, in preference order (Sec-WebSocket-Protocol). The server must pick
    // one of these or none; anything else fails the handshake.
    QStringList subprotocols{};
    // Inbound limits for the codec.
    Limits limits{};
    ClientTimeouts timeouts{};
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

    // ---- connection: redirects, cookies, proxy, TLS conveniences, keepalive ----------------

    // Redirects (301, 302, 303, 307, 308) followed during the handshake, each hop a new
    // connection with a new Sec-WebSocket-Key; Location may be relative and may use http(s) or
    // ws(s) (mapped to ws/wss). More hops than this fail with HandshakeRefused; 0 reports the
    // first redirect itself as HandshakeRefused with its status. A hop that repeats an earlier
    // request exactly (same URL and cookies) is a loop and fails at once, naming the URLs.
    // url() reports the final URL (urlChanged on every hop). Default 10, as HTTP.jl.
    int maxRedirects = 10;
    // Follow a redirect from wss/https to ws/http. Default false: such a downgrade fails
    // with HandshakeRefused (the reference follows it).
    bool allowInsecureRedirects = false;
    // Send `headers` on redirect hops too. Default true. Either way, once a hop leaves the
    // original origin (scheme, host or port), Authorization (also the one made from the URL's
    // userinfo), Cookie and Proxy-Authorization are no longer sent.
    bool forwardHeadersOnRedirect = true;
    // Cookies for the handshake: the jar's cookies for each hop's URL (ws as http, wss as
    // https) are sent with it, and Set-Cookie of every response (redirects and the 101) is
    // stored in it. Not owned; may be shared with a QNetworkAccessManager (in this thread).
    // Default nullptr: no cookies are read or stored (a Cookie in `headers` is sent as is).
    QNetworkCookieJar *cookieJar = nullptr;
    // The proxy. DefaultProxy (the default) reads the environment: http_proxy / https_proxy /
    // all_proxy (the upper-case names too; lower case wins; http:// and socks5(h):// URLs with
    // optional user:password) and no_proxy (host suffixes, IPs, CIDR, "*", optional :port), as
    // HTTP.jl does; Qt's application proxy and system settings are not consulted. NoProxy
    // connects directly. HttpProxy tunnels with CONNECT (ws too, not forward mode: the proxy
    // never sees the handshake), Socks5Proxy with SOCKS5; both resolve the target's name at the
    // proxy and use the proxy's user/password. wss TLS runs end to end through the tunnel. A
    // proxy's refusal, including 407 (credentials missing or wrong), is Kind::ProxyFailed.
    QNetworkProxy proxy = QNetworkProxy(QNetworkProxy::DefaultProxy);
    // TLS conveniences on top of sslConfiguration. caCertificates are trusted in addition to
    // sslConfiguration's CAs (the system's by default).
    QList<QSslCertificate> caCertificates = {};
    // Presented when the server asks for a client certificate; both or neither.
    QSslCertificate clientCertificate = QSslCertificate();
    QSslKey clientKey = {};
    // The name sent in SNI and checked against the server's certificate, when it is not the
    // URL's host (e.g. connecting to an IP address). Default empty: the URL's host.
    QString peerVerifyName = {};
    // QSsl::TlsV1_2OrLater or QSsl::TlsV1_3OrLater. Default: sslConfiguration's protocol
    // (Qt 6: TLS 1.2 or later).
    std::optional<QSsl::SslProtocol> minimumTlsVersion = std::nullopt;
    // Keepalive: after the upgrade, a ping every keepaliveInterval; no pong within
    // keepaliveTimeout drops the connection with Kind::KeepaliveTimeout (1006). Each matched
    // pong updates WebSocket::roundTripTime. Default 0: off (HTTP.jl sends none).
    std::chrono::milliseconds keepaliveInterval{0};
    // The pong deadline of a keepalive ping. Default 20 s; 0 means keepaliveInterval.
    std::chrono::milliseconds keepaliveTimeout{20'000};
};

} // namespace qtws
