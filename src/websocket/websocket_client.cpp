// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The client connect flow: open() and its option checks, one hop of the opening handshake
// (request, cookies, proxy, TLS), redirects, the response head, the 101 check and the upgrade.
#include "websocket/websocket_p.h"

#include "transport/proxyselection_p.h"
#include "websocket/logging_p.h"

#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QMetaObject>
#include <QtCore/QSet>
#include <QtNetwork/QNetworkCookie>
#include <QtNetwork/QNetworkCookieJar>

#include <algorithm>
#include <array>
#include <tuple>

namespace qtws {

using transport::Connection;
using transport::Deadlines;
using namespace std::chrono_literals;

namespace {

// The start of a refused handshake's body kept for the error report, and how long to wait for
// it once the head is in: enough for a server's one-line explanation, never a download.
constexpr qsizetype refusalBodyExcerpt = 1024;
constexpr std::chrono::milliseconds refusalBodyWait = 2'000ms;

// The Host field: the URL's authority as written, without userinfo (RFC 9112 §3.2).
QByteArray hostField(const QUrl &url)
{
    QByteArray host = url.host(QUrl::FullyEncoded).toUtf8();
    if (host.contains(':'))
        host = '[' + host + ']';
    if (url.port() != -1)
        host += ':' + QByteArray::number(url.port());
    return host;
}

QByteArray requestTarget(const QUrl &url)
{
    QByteArray target = url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (url.hasQuery())
        target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    return target;
}

// The http(s) form of a ws(s) URL: what a cookie jar shared with QNetworkAccessManager knows.
QUrl httpUrl(QUrl url)
{
    const QString scheme = url.scheme().toLower();
    url.setScheme(
        scheme == u"wss" || scheme == u"https" ? QStringLiteral("https") : QStringLiteral("http"));
    return url;
}

// RFC 6454 origin: scheme (ws and http alike), host, port with the default filled in.
std::tuple<QString, QString, int> originOf(const QUrl &url)
{
    const QUrl http = httpUrl(url);
    const bool tls = http.scheme() == u"https";
    return {http.scheme(), http.host().toLower(), http.port(tls ? 443 : 80)};
}

bool isRedirectStatus(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Credentials that must not follow a redirect to another origin.
constexpr std::array<QByteArrayView, 4> credentialHeaders
    = {"Authorization", "Cookie", "Cookie2", "Proxy-Authorization"};

} // namespace

void WebSocketPrivate::open(const QUrl &rawUrl, const ClientOptions &opts)
{
    if (state != WebSocket::State::Closed) {
        qCWarning(lcClient) << "WebSocket::open: already" << state << "; call abort() first";
        return;
    }
    // A fresh attempt: forget the previous connection (it may still be on the stack, e.g.
    // open() called from a closed() slot, so it is deleted later).
    if (connection) {
        Connection *old = connection.release();
        QObject::disconnect(old, nullptr, nullptr, nullptr);
        QObject::disconnect(old->deadlines(), nullptr, nullptr, nullptr);
        old->abort();
        old->deleteLater();
    }
    role = Role::Client;
    conn.reset();
    parser = http::Parser(http::Parser::Mode::Response);
    request = {};
    response = {};
    subprotocol.clear();
    error = {};
    closeCode = 0;
    closeReason.clear();
    closedEmitted = false;
    waitingForPeerTcpClose = false;
    readingSocket = false;
    deferredEnd = {};
    pings.clear();
    peerAddress.clear();
    peerPort = 0;
    options = opts;
    closeTimeout = opts.timeouts.close;
    readIdle = opts.timeouts.readIdle;
    ++attempt;

    QPointer<WebSocket> guard(q);
    const QUrl cleanUrl = rawUrl.adjusted(QUrl::RemoveUserInfo);
    if (url != cleanUrl) {
        url = cleanUrl;
        Q_EMIT q->urlChanged(url);
        if (!guard)
            return;
    }
    phase = Phase::Connecting;
    setState(WebSocket::State::Connecting);
    if (!guard)
        return;

    originalUrl = cleanUrl;
    requestClock.start();
    redirects = 0;
    leftOrigin = false;
    hops.clear();
    keepalivePayload.clear();
    roundTripMs = -1;

    // Options that cannot work are refused before any connection is made.
    QString invalid;
    if (opts.maxRedirects < 0)
        invalid = QStringLiteral("maxRedirects must not be negative");
    else if (opts.clientCertificate.isNull() != opts.clientKey.isNull())
        invalid = QStringLiteral("clientCertificate and clientKey go together");
    else if (opts.minimumTlsVersion && *opts.minimumTlsVersion != QSsl::TlsV1_2OrLater
        && *opts.minimumTlsVersion != QSsl::TlsV1_3OrLater)
        invalid = QStringLiteral("minimumTlsVersion must be TlsV1_2OrLater or TlsV1_3OrLater");
    else if (opts.keepaliveInterval.count() < 0 || opts.keepaliveTimeout.count() < 0)
        invalid = QStringLiteral("keepalive durations must not be negative");
    else if (const QNetworkProxy::ProxyType type = opts.proxy.type();
             type != QNetworkProxy::DefaultProxy && type != QNetworkProxy::NoProxy
             && type != QNetworkProxy::HttpProxy && type != QNetworkProxy::Socks5Proxy)
        invalid = QStringLiteral("proxy must be DefaultProxy, NoProxy, HttpProxy or Socks5Proxy");
    if (!invalid.isEmpty()) {
        failLater(WebSocketError::Kind::InvalidOptions, invalid);
        return;
    }
    startHop(rawUrl);
}

void WebSocketPrivate::failLater(WebSocketError::Kind kind, const QString &reason)
{
    // Errors found while starting are reported from the event loop, like every other outcome of
    // open(), so a caller never receives closed() before open() returns.
    const quint64 thisAttempt = attempt;
    QMetaObject::invokeMethod(
        q,
        [this, thisAttempt, kind, reason] {
            if (attempt == thisAttempt && state == WebSocket::State::Connecting)
                fail(kind, quint16(CloseCode::AbnormalClosure), reason);
        },
        Qt::QueuedConnection);
}

http::Headers WebSocketPrivate::hopHeaders(const QUrl &hopUrl) const
{
    http::Headers headers;
    if (redirects == 0 || options.forwardHeadersOnRedirect) {
        headers = options.headers;
        // URL userinfo becomes Basic credentials, unless the caller set Authorization.
        const QUrl &credentialsUrl = hopUrl.userInfo().isEmpty() ? originalUrl : hopUrl;
        if (!credentialsUrl.userInfo().isEmpty() && !headers.contains("Authorization")) {
            const QByteArray credentials = credentialsUrl.userName(QUrl::FullyDecoded).toUtf8()
                + ':' + credentialsUrl.password(QUrl::FullyDecoded).toUtf8();
            headers.append("Authorization", QByteArray("Basic " + credentials.toBase64()));
        }
    }
    if (leftOrigin) {
        for (QByteArrayView name : credentialHeaders)
            headers.remove(name);
    }
    if (!options.cookieJar)
        return headers;
    const QList<QNetworkCookie> cookies = options.cookieJar->cookiesForUrl(httpUrl(hopUrl));
    if (cookies.isEmpty())
        return headers;
    // One Cookie field: the caller's pairs, then the jar's; the jar wins a name both have.
    QSet<QByteArray> jarNames;
    QList<QByteArray> pairs;
    for (const QNetworkCookie &cookie : cookies)
        jarNames.insert(cookie.name());
    for (const QByteArray &value : headers.values("Cookie")) {
        for (const QByteArray &pair : value.split(';')) {
            const QByteArray trimmed = pair.trimmed();
            if (!trimmed.isEmpty() && !jarNames.contains(trimmed.left(trimmed.indexOf('='))))
                pairs.append(trimmed);
        }
    }
    for (const QNetworkCookie &cookie : cookies)
        pairs.append(cookie.toRawForm(QNetworkCookie::NameAndValueOnly));
    headers.remove("Cookie");
    headers.append("Cookie", pairs.join("; "));
    return headers;
}

QString WebSocketPrivate::hopChain() const
{
    QStringList urls;
    for (const auto &hop : hops)
        urls.append(hop.first.toDisplayString());
    return urls.join(QStringLiteral(" → "));
}

void WebSocketPrivate::storeCookies(const http::Response &answer)
{
    cookiesStored = true;
    if (!options.cookieJar)
        return;
    QList<QNetworkCookie> cookies;
    for (const QByteArray &value : answer.headers.values("Set-Cookie"))
        cookies.append(QNetworkCookie::parseCookies(value));
    if (!cookies.isEmpty())
        options.cookieJar->setCookiesFromUrl(cookies, httpUrl(url));
}

bool WebSocketPrivate::followRedirect()
{
    const http::Response &answer = parser.response();
    const int status = answer.status;
    const QUrl from = url;
    const QByteArray location = answer.headers.value("Location").trimmed();
    auto refuse = [&](const QString &why) {
        response = answer;
        fail(WebSocketError::Kind::HandshakeRefused, quint16(CloseCode::AbnormalClosure), why,
            status);
        return false;
    };
    if (redirects >= options.maxRedirects)
        return refuse(QStringLiteral("more than %1 redirects: %2 → %3")
                          .arg(options.maxRedirects)
                          .arg(hopChain(), QString::fromUtf8(location)));
    QUrl target = from.resolved(QUrl::fromEncoded(location));
    const QString scheme = target.scheme().toLower();
    if (scheme == u"http" || scheme == u"ws")
        target.setScheme(QStringLiteral("ws"));
    else if (scheme == u"https" || scheme == u"wss")
        target.setScheme(QStringLiteral("wss"));
    else
        target = QUrl();
    if (!target.isValid() || target.host().isEmpty())
        return refuse(QStringLiteral("redirect %1 to an unusable Location \"%2\"")
                          .arg(status)
                          .arg(QString::fromUtf8(location.left(200))));
    const bool fromTls = from.scheme().compare(u"wss", Qt::CaseInsensitive) == 0
        || from.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
    if (fromTls && target.scheme() == u"ws" && !options.allowInsecureRedirects)
        return refuse(QStringLiteral("refused insecure redirect from %1 to %2 "
                                     "(allowInsecureRedirects)")
                          .arg(from.toDisplayString(), target.toDisplayString()));
    if (originOf(target) != originOf(originalUrl))
        leftOrigin = true; // stays set: a third party's redirect back is not trusted more
    ++redirects;
    qCDebug(lcClient) << "redirect" << status << from << "→" << target;

    // A new connection for the next hop; this one may still be on the stack.
    Connection *old = connection.release();
    QObject::disconnect(old, nullptr, nullptr, nullptr);
    QObject::disconnect(old->deadlines(), nullptr, nullptr, nullptr);
    old->abort();
    old->deleteLater();
    phase = Phase::Connecting;
    QPointer<WebSocket> guard(q);
    url = target.adjusted(QUrl::RemoveUserInfo);
    Q_EMIT q->urlChanged(url);
    if (!guard || phase != Phase::Connecting || state != WebSocket::State::Connecting)
        return true;
    startHop(target);
    return true;
}

void WebSocketPrivate::startHop(const QUrl &rawUrl)
{
    const ClientOptions &opts = options;
    const QString scheme = rawUrl.scheme().toLower();
    const bool tls = scheme == u"wss" || scheme == u"https";
    if (!rawUrl.isValid() || !(tls || scheme == u"ws" || scheme == u"http")) {
        failLater(WebSocketError::Kind::InvalidUrl,
            QStringLiteral("unsupported URL scheme \"%1\" (use ws, wss, http or https)")
                .arg(scheme));
        return;
    }
    if (rawUrl.host().isEmpty()) {
        failLater(WebSocketError::Kind::InvalidUrl, QStringLiteral("URL has no host"));
        return;
    }

    handshake::ClientRequestSpec spec;
    spec.target = requestTarget(rawUrl);
    spec.host = hostField(rawUrl);
    for (const QString &protocol : opts.subprotocols)
        spec.subprotocols.append(protocol.toUtf8());
    spec.extraHeaders = hopHeaders(rawUrl);
    // RFC 7692: the permessage-deflate offer (nothing when options.deflate.enabled is false).
    if (QByteArray offer = PerMessageDeflate::makeOffer(opts.deflate); !offer.isEmpty())
        spec.extensions.append(std::move(offer));

    // The same request again (same URL, same cookies) would get the same answer: a loop.
    const std::pair<QUrl, QByteArray> hop{
        rawUrl.adjusted(QUrl::RemoveUserInfo), spec.extraHeaders.value("Cookie")};
    const bool loop = hops.contains(hop);
    hops.append(hop);
    if (loop) {
        failLater(
            WebSocketError::Kind::HandshakeRefused, QStringLiteral("redirect loop: ") + hopChain());
        return;
    }

    handshake::ClientRequestBuildResult built = handshake::buildClientRequest(spec);
    if (!built.ok()) {
        failLater(WebSocketError::Kind::InvalidOptions, QString::fromUtf8(built.error));
        return;
    }
    request = std::move(built.request);
    parser = http::Parser(http::Parser::Mode::Response);
    cookiesStored = false;

    const quint16 port = quint16(rawUrl.port(tls ? 443 : 80));
    QNetworkProxy proxy = opts.proxy;
    if (proxy.type() == QNetworkProxy::DefaultProxy) {
        const transport::ProxySelection chosen
            = transport::proxyFromEnvironment(rawUrl.host(), port, tls);
        if (!chosen.ok()) {
            failLater(WebSocketError::Kind::ProxyFailed, chosen.error);
            return;
        }
        proxy = chosen.proxy;
        if (proxy.type() != QNetworkProxy::NoProxy)
            qCDebug(lcClient).nospace()
                << "proxy for " << rawUrl.host() << ":" << port << " from " << chosen.source << ": "
                << proxy.hostName() << ":" << proxy.port();
    } else if (proxy.type() != QNetworkProxy::NoProxy) {
        // The target's name is resolved by the proxy (SOCKS5 "socks5h", CONNECT host:port).
        proxy.setCapabilities(proxy.capabilities() | QNetworkProxy::HostNameLookupCapability
            | QNetworkProxy::TunnelingCapability);
    }

    QSslConfiguration ssl = opts.sslConfiguration;
    if (!opts.caCertificates.isEmpty())
        ssl.addCaCertificates(opts.caCertificates);
    if (!opts.clientCertificate.isNull()) {
        ssl.setLocalCertificate(opts.clientCertificate);
        ssl.setPrivateKey(opts.clientKey);
    }
    if (opts.minimumTlsVersion)
        ssl.setProtocol(*opts.minimumTlsVersion);

    startConnection();
    if (opts.timeouts.request.count() > 0) {
        // One budget for every hop: what the earlier hops left of it.
        const std::chrono::milliseconds left
            = opts.timeouts.request - std::chrono::milliseconds(requestClock.elapsed());
        deadlines()->start(Deadlines::Kind::Request, std::max(left, 1ms));
    }
    Connection::ConnectSpec connectSpec;
    connectSpec.host = rawUrl.host();
    connectSpec.port = port;
    connectSpec.tls = tls;
    connectSpec.sslConfiguration = ssl;
    connectSpec.insecureSkipTlsVerification = opts.insecureSkipTlsVerification;
    connectSpec.peerVerifyName = opts.peerVerifyName;
    connectSpec.proxy = proxy;
    connectSpec.connectTimeout = opts.timeouts.connect;
    connection->connectToHost(connectSpec);
}

void WebSocketPrivate::onTransportConnected()
{
    peerAddress = connection->peerAddress();
    peerPort = connection->peerPort();
    phase = Phase::AwaitingResponse;
    Deadlines *t = deadlines();
    t->start(Deadlines::Kind::ResponseHeader, options.timeouts.responseHeader);
    t->start(Deadlines::Kind::WriteIdle, options.timeouts.writeIdle);
    t->start(Deadlines::Kind::ReadIdle, readIdle);
    connection->write(request.serialize());
}

void WebSocketPrivate::onConnectFailed(Connection::Failure failure, const QString &message)
{
    switch (failure) {
    case Connection::Failure::ConnectFailed:
        fail(WebSocketError::Kind::ConnectionFailed, quint16(CloseCode::AbnormalClosure),
            QStringLiteral("connection to %1 failed: %2").arg(url.authority(), message));
        return;
    case Connection::Failure::TlsFailed:
        // RFC 6455 §7.4.1: 1015 reports a TLS handshake failure locally.
        fail(WebSocketError::Kind::TlsFailed, quint16(CloseCode::TlsHandshake),
            QStringLiteral("TLS handshake with %1 failed: %2").arg(url.authority(), message));
        return;
    case Connection::Failure::ProxyFailed:
        fail(WebSocketError::Kind::ProxyFailed, quint16(CloseCode::AbnormalClosure),
            QStringLiteral("connection to %1 through the proxy failed: %2")
                .arg(url.authority(), message));
        return;
    case Connection::Failure::Timeout:
        fail(WebSocketError::Kind::Timeout, quint16(CloseCode::AbnormalClosure), message);
        return;
    }
}

void WebSocketPrivate::handshakeBytes(QByteArrayView data)
{
    Deadlines *t = deadlines();
    for (;;) {
        const qsizetype used = parser.feed(data);
        if (parser.isHeadComplete() && !cookiesStored) {
            // Set-Cookie of every answer (redirects, the 101, refusals) goes into the jar.
            storeCookies(parser.response());
            const http::Response &head = parser.response();
            if (isRedirectStatus(head.status) && options.maxRedirects > 0
                && !head.headers.value("Location").trimmed().isEmpty()) {
                followRedirect();
                return;
            }
        }
        switch (parser.state()) {
        case http::Parser::State::NeedMore:
            if (phase == Phase::ReadingRefusal
                && parser.response().body.size() >= refusalBodyExcerpt)
                refused();
            return;
        case http::Parser::State::HeadComplete:
            // Only a non-101 answer has a body: read its start for the error report.
            data = data.sliced(used);
            if (phase != Phase::ReadingRefusal) {
                phase = Phase::ReadingRefusal;
                t->stop(Deadlines::Kind::ResponseHeader);
                t->start(Deadlines::Kind::ResponseBody, refusalBodyWait);
            }
            if (data.isEmpty())
                return;
            continue;
        case http::Parser::State::MessageComplete: responseComplete(data.sliced(used)); return;
        case http::Parser::State::Error:
            if (parser.isHeadComplete() && parser.response().status != 101) {
                refused();
                return;
            }
            fail(WebSocketError::Kind::HandshakeInvalid, quint16(CloseCode::AbnormalClosure),
                QStringLiteral("invalid handshake response: ")
                    + QString::fromUtf8(parser.errorReason()));
            return;
        }
    }
}

void WebSocketPrivate::refused()
{
    const http::Response &answer = parser.response();
    const handshake::ServerResponseCheckResult check
        = handshake::checkServerResponse(answer, request);
    response = answer;
    response.body.truncate(refusalBodyExcerpt);
    fail(WebSocketError::Kind::HandshakeRefused, quint16(CloseCode::AbnormalClosure),
        QString::fromUtf8(check.error), answer.status, response.body);
}

void WebSocketPrivate::responseComplete(QByteArrayView rest)
{
    if (parser.response().status != 101) {
        refused();
        return;
    }
    response = parser.takeResponse();
    const handshake::ServerResponseCheckResult check
        = handshake::checkServerResponse(response, request);
    if (!check.ok()) {
        fail(WebSocketError::Kind::HandshakeInvalid, quint16(CloseCode::AbnormalClosure),
            QString::fromUtf8(check.error));
        return;
    }
    subprotocol = QString::fromUtf8(check.subprotocol);
    // RFC 7692 §5: an invalid answer to the offer fails the connection. (An answer when nothing
    // was offered was refused by checkServerResponse.)
    PerMessageDeflate::ClientResult deflate
        = PerMessageDeflate::acceptAsClient(check.extensions, options.deflate);
    if (!deflate.ok()) {
        fail(WebSocketError::Kind::HandshakeInvalid, quint16(CloseCode::AbnormalClosure),
            QString::fromUtf8(deflate.error));
        return;
    }
    Conn::Options codecOptions;
    codecOptions.limits = options.limits;
    codecOptions.deliverFrames = options.deliverFrames;
    upgrade(std::move(codecOptions), rest, std::move(deflate.extension));
}

void WebSocketPrivate::upgrade(
    Conn::Options codecOptions, QByteArrayView firstBytes, std::unique_ptr<Extension> extension)
{
    Deadlines *t = deadlines();
    for (Deadlines::Kind kind :
        {Deadlines::Kind::Connect, Deadlines::Kind::Request, Deadlines::Kind::ResponseHeader,
            Deadlines::Kind::WriteIdle, Deadlines::Kind::ResponseBody})
        t->stop(kind);
    // ReadIdle stays armed: it bounds inbound inactivity on the upgraded connection too.
    conn.emplace(role, std::move(codecOptions));
    resetChunking(); // a MessageReceiver attached before open()
    if (extension) // before the first frame, the ones right behind the 101 included
        conn->setExtension(std::move(extension));
    phase = Phase::Upgraded;
    startKeepalive();
    if (readPaused)
        holdSocket();
    // Frames the server sent right behind its 101 come before anything read later.
    if (!firstBytes.isEmpty())
        conn->receive(firstBytes);
    writeOutgoing();

    QPointer<WebSocket> guard(q);
    setState(WebSocket::State::Open);
    if (!guard || phase != Phase::Upgraded)
        return;
    Q_EMIT q->connected();
    if (!guard || phase != Phase::Upgraded)
        return;
    feed({});
}

} // namespace qtws
