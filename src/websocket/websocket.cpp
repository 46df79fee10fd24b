// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/websocket_p.h"

#include "transport/proxyselection_p.h"
#include "websocket/logging_p.h"

#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QMetaObject>
#include <QtCore/QSet>
#include <QtNetwork/QNetworkCookie>
#include <QtNetwork/QNetworkCookieJar>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

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
// Pings remembered for round-trip times; older ones are forgotten (their pongs report -1).
constexpr qsizetype maxPendingPings = 64;

QString msText(const char *name, std::chrono::milliseconds duration)
{
    return QStringLiteral("%1 timeout after %2 ms")
        .arg(QString::fromLatin1(name))
        .arg(duration.count());
}

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
    url.setScheme(scheme == u"wss" || scheme == u"https" ? QStringLiteral("https")
                                                          : QStringLiteral("http"));
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

// ---- WebSocketPrivate ---------------------------------------------------------------------

WebSocketPrivate::WebSocketPrivate(WebSocket *owner) : q(owner)
{
    clock.start();
}

WebSocketPrivate::~WebSocketPrivate() = default;

transport::Deadlines *WebSocketPrivate::deadlines() const
{
    return connection ? connection->deadlines() : nullptr;
}

void WebSocketPrivate::setState(WebSocket::State newState)
{
    if (state == newState)
        return;
    state = newState;
    Q_EMIT q->stateChanged(newState);
}

bool WebSocketPrivate::checkOpen(const char *what) const
{
    if (state == WebSocket::State::Open)
        return true;
    qCWarning(lcClient).nospace() << "WebSocket::" << what << ": not open (state " << state
                                  << "); nothing sent";
    return false;
}

void WebSocketPrivate::startConnection()
{
    connection = std::make_unique<Connection>();
    Connection *c = connection.get();
    QObject::connect(c, &Connection::connected, c, [this] { onTransportConnected(); });
    QObject::connect(c, &Connection::connectFailed, c,
        [this](Connection::Failure failure, const QString &message) {
            onConnectFailed(failure, message);
        });
    QObject::connect(
        c, &Connection::received, c, [this](QByteArrayView bytes) { onReceived(bytes); });
    QObject::connect(c, &Connection::disconnected, c,
        [this](const QString &errorString) { onDisconnected(errorString); });
    QObject::connect(
        c, &Connection::bytesWritten, c, [this](qint64 bytes) { Q_EMIT q->bytesWritten(bytes); });
    QObject::connect(c, &Connection::drained, c, [this] {
        // The handshake request is out: the write-idle bound has nothing left to watch.
        deadlines()->stop(Deadlines::Kind::WriteIdle);
    });
    QObject::connect(c->deadlines(), &Deadlines::expired, c,
        [this](Deadlines::Kind kind, std::chrono::milliseconds duration) {
            onDeadline(kind, duration);
        });
}

void WebSocketPrivate::dropConnection()
{
    if (!connection)
        return;
    connection->deadlines()->stopAll();
    connection->abort();
}

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

void WebSocketPrivate::startKeepalive()
{
    if (role == Role::Client && options.keepaliveInterval.count() > 0)
        deadlines()->start(Deadlines::Kind::KeepaliveInterval, options.keepaliveInterval);
}

void WebSocketPrivate::sendKeepalivePing()
{
    Deadlines *t = deadlines();
    t->start(Deadlines::Kind::KeepaliveInterval, options.keepaliveInterval);
    // Silence while paused is this side's doing: no ping that could not be answered in time.
    if (readPaused || state != WebSocket::State::Open)
        return;
    const QByteArray payload = "qtws-keepalive-" + QByteArray::number(++keepaliveSerial);
    if (conn->ping(payload) < 0)
        return;
    if (pings.size() >= maxPendingPings)
        pings.removeFirst();
    pings.append({payload, clock.elapsed()});
    keepalivePayload = payload;
    // The deadline runs from the oldest unanswered keepalive ping.
    if (!t->isActive(Deadlines::Kind::KeepalivePong))
        t->start(Deadlines::Kind::KeepalivePong,
            options.keepaliveTimeout.count() > 0 ? options.keepaliveTimeout
                                                 : options.keepaliveInterval);
    writeOutgoing();
}

void WebSocketPrivate::setRoundTripTime(qint64 ms)
{
    roundTripMs = ms;
    Q_EMIT q->roundTripTimeChanged(ms);
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
        failLater(WebSocketError::Kind::HandshakeRefused,
            QStringLiteral("redirect loop: ") + hopChain());
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
            qCDebug(lcClient).nospace() << "proxy for " << rawUrl.host() << ":" << port
                                        << " from " << chosen.source << ": "
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

void WebSocketPrivate::onReceived(QByteArrayView bytes)
{
    switch (phase) {
    case Phase::AwaitingResponse:
    case Phase::ReadingRefusal: handshakeBytes(bytes); return;
    case Phase::Upgraded: feed(bytes); return;
    case Phase::Idle:
    case Phase::Connecting: return;
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

void WebSocketPrivate::feed(QByteArrayView bytes)
{
    if (!bytes.isEmpty())
        conn->receive(bytes);
    writeOutgoing();
    // While paused (possibly by a slot of the previous event) the rest stays in the codec.
    while (!readPaused) {
        std::optional<Event> event = conn->nextEvent();
        if (!event)
            break;
        if (!dispatch(*event))
            return; // the WebSocket was deleted by a slot
        if (phase != Phase::Upgraded)
            return; // aborted by a slot
    }
    // Pulling the peer's Close event queued its echo (after any replies the slots sent).
    writeOutgoing();
    followCodec();
}

void WebSocketPrivate::writeOutgoing()
{
    if (conn && conn->outgoingSize() > 0)
        connection->write(conn->takeOutgoing());
}

bool WebSocketPrivate::dispatch(Event &event)
{
    QPointer<WebSocket> guard(q);
    switch (event.type) {
    case Event::Type::TextMessage:
        // The codec validated the UTF-8 (RFC 6455 §8.1) before reporting the message.
        Q_EMIT q->textMessageReceived(QString::fromUtf8(event.payload));
        break;
    case Event::Type::BinaryMessage: Q_EMIT q->binaryMessageReceived(event.payload); break;
    case Event::Type::Frame:
        if (event.messageType == MessageType::Text)
            Q_EMIT q->textFrameReceived(event.payload, event.fin);
        else
            Q_EMIT q->binaryFrameReceived(event.payload, event.fin);
        break;
    case Event::Type::Ping: Q_EMIT q->pingReceived(event.payload); break;
    case Event::Type::Pong: {
        qint64 roundTrip = -1;
        for (qsizetype i = 0; i < pings.size(); ++i) {
            if (pings.at(i).payload == event.payload) {
                roundTrip = clock.elapsed() - pings.at(i).sentMs;
                // A pong answers its ping and, implicitly, the earlier ones (RFC 6455 §5.5.3
                // lets a peer answer only the most recent ping).
                pings.remove(0, i + 1);
                break;
            }
        }
        // Any pong shows the peer is alive (it may answer only the latest ping, RFC 6455
        // §5.5.3).
        if (!keepalivePayload.isEmpty()) {
            keepalivePayload.clear();
            deadlines()->stop(Deadlines::Kind::KeepalivePong);
        }
        if (roundTrip >= 0) {
            setRoundTripTime(roundTrip);
            if (!guard)
                return false;
        }
        Q_EMIT q->pongReceived(event.payload, roundTrip);
        break;
    }
    case Event::Type::Close: break; // closed() reports it once the connection is over
    case Event::Type::Failure:
        error = WebSocketError(WebSocketError::Kind::ProtocolError, event.closeCode, event.reason);
        Q_EMIT q->errorOccurred(error);
        break;
    }
    return !guard.isNull();
}

void WebSocketPrivate::followCodec()
{
    if (!conn || phase != Phase::Upgraded)
        return;
    const Conn::State codecState = conn->state();
    if (codecState == Conn::State::Open)
        return;
    QPointer<WebSocket> guard(q);
    setState(WebSocket::State::Closing);
    if (!guard || phase != Phase::Upgraded)
        return;
    Deadlines *t = deadlines();
    switch (conn->transportAction()) {
    case Conn::TransportAction::Keep:
        // Our close frame is out; the peer's is awaited for the close timeout.
        if (!t->isActive(Deadlines::Kind::Close))
            t->start(Deadlines::Kind::Close, closeTimeout);
        return;
    case Conn::TransportAction::CloseAfterWrite:
        if (connection->state() == Connection::State::Connected)
            connection->closeAfterWrites();
        // Bounds the wait for the socket to drain and close.
        if (!t->isActive(Deadlines::Kind::Close))
            t->start(Deadlines::Kind::Close, closeTimeout);
        return;
    case Conn::TransportAction::WaitForPeerClose:
        if (!waitingForPeerTcpClose) {
            waitingForPeerTcpClose = true;
            t->start(Deadlines::Kind::Close, closeTimeout);
        }
        return;
    }
}

void WebSocketPrivate::onDisconnected(const QString &errorString)
{
    switch (phase) {
    case Phase::Idle: return;
    case Phase::Connecting:
    case Phase::AwaitingResponse:
        parser.finish();
        if (parser.state() == http::Parser::State::MessageComplete) {
            responseComplete({});
            if (phase == Phase::Upgraded) // a 101 at EOF: the connection is already over
                fail(WebSocketError::Kind::ConnectionLost, quint16(CloseCode::AbnormalClosure),
                    QStringLiteral("connection closed right after the handshake"));
            return;
        }
        fail(WebSocketError::Kind::ConnectionFailed, quint16(CloseCode::AbnormalClosure),
            errorString.isEmpty()
                ? QStringLiteral("connection closed before the handshake response was complete")
                : errorString);
        return;
    case Phase::ReadingRefusal:
        parser.finish();
        refused();
        return;
    case Phase::Upgraded: break;
    }
    if (deferEnd([this, errorString] { onDisconnected(errorString); }))
        return;
    if (conn->state() == Conn::State::Closed) {
        if (!conn->failed())
            error = WebSocketError(conn->closeInitiator() == Conn::CloseInitiator::Remote
                    ? WebSocketError::Kind::ClosedByPeer
                    : WebSocketError::Kind::Closed,
                conn->closeCode(), conn->closeReason());
        finish(conn->closeCode(), conn->closeReason());
        return;
    }
    fail(WebSocketError::Kind::ConnectionLost, quint16(CloseCode::AbnormalClosure),
        errorString.isEmpty() ? QStringLiteral("connection closed without a close frame")
                              : QStringLiteral("connection lost: ") + errorString);
}

void WebSocketPrivate::onDeadline(Deadlines::Kind kind, std::chrono::milliseconds duration)
{
    const quint16 abnormal = quint16(CloseCode::AbnormalClosure);
    switch (kind) {
    case Deadlines::Kind::Connect: // the Connection reports it as a failed connect
    case Deadlines::Kind::Handshake: return;
    case Deadlines::Kind::KeepaliveInterval:
        if (phase == Phase::Upgraded)
            sendKeepalivePing();
        return;
    case Deadlines::Kind::KeepalivePong:
        if (phase == Phase::Upgraded && state == WebSocket::State::Open)
            fail(WebSocketError::Kind::KeepaliveTimeout, abnormal,
                QStringLiteral("no pong within %1 ms of a keepalive ping; the peer is presumed "
                               "dead")
                    .arg(duration.count()));
        return;
    case Deadlines::Kind::Request:
        // Each hop armed what was left; the message names the whole budget.
        if (phase != Phase::Upgraded && phase != Phase::Idle)
            fail(WebSocketError::Kind::Timeout, abnormal,
                msText(Deadlines::name(kind), options.timeouts.request));
        return;
    case Deadlines::Kind::ResponseHeader:
    case Deadlines::Kind::WriteIdle:
        if (phase != Phase::Upgraded && phase != Phase::Idle)
            fail(WebSocketError::Kind::Timeout, abnormal, msText(Deadlines::name(kind), duration));
        return;
    case Deadlines::Kind::ReadIdle:
        if (phase != Phase::Idle)
            fail(WebSocketError::Kind::Timeout, abnormal, msText(Deadlines::name(kind), duration));
        return;
    case Deadlines::Kind::ResponseBody:
        if (phase == Phase::ReadingRefusal)
            refused(); // report what arrived
        return;
    case Deadlines::Kind::Close:
        if (phase != Phase::Upgraded)
            return;
        if (deferEnd([this, kind, duration] { onDeadline(kind, duration); })) {
            dropConnection(); // the wait is over; only the held events are still to come
            return;
        }
        if (conn->state() == Conn::State::Closed) {
            // Both close frames went; only the TCP close is late. Not an error.
            qCDebug(lcClient) << "peer did not close TCP within" << duration.count()
                              << "ms after the close handshake; dropping";
            if (!conn->failed())
                error = WebSocketError(conn->closeInitiator() == Conn::CloseInitiator::Remote
                        ? WebSocketError::Kind::ClosedByPeer
                        : WebSocketError::Kind::Closed,
                    conn->closeCode(), conn->closeReason());
            finish(conn->closeCode(), conn->closeReason());
            return;
        }
        fail(WebSocketError::Kind::Timeout, abnormal,
            msText(Deadlines::name(kind), duration)
                + QStringLiteral(": no close frame from the peer"));
        return;
    }
}

bool WebSocketPrivate::fail(WebSocketError::Kind kind, quint16 code, const QString &reason,
    int httpStatus, const QByteArray &body)
{
    if (closedEmitted)
        return true;
    // Stop the transport first: nothing more is read or written once a failure is reported.
    dropConnection();
    error = WebSocketError(kind, code, reason, httpStatus, body);
    QPointer<WebSocket> guard(q);
    Q_EMIT q->errorOccurred(error);
    if (!guard)
        return false;
    finish(code, reason);
    return !guard.isNull();
}

void WebSocketPrivate::finish(quint16 code, const QString &reason)
{
    if (closedEmitted)
        return;
    closedEmitted = true;
    phase = Phase::Idle;
    deferredEnd = {};
    closeCode = code;
    closeReason = reason;
    dropConnection();
    QPointer<WebSocket> guard(q);
    setState(WebSocket::State::Closed);
    if (!guard)
        return;
    Q_EMIT q->closed(code, reason);
}

void WebSocketPrivate::holdSocket()
{
    QTcpSocket *socket = connection ? connection->socket() : nullptr;
    if (!socket)
        return;
    // Qt stops reading from the kernel once this much is buffered; the peer is then slowed down
    // by TCP flow control (its writes pile up in its own buffers).
    constexpr qint64 pausedReadBuffer = 64 * 1024;
    socket->setReadBufferSize(pausedReadBuffer);
    if (!readingSocket) {
        // The Connection drains the socket on every readyRead; from now on this class reads it,
        // queued, so a slot deleting the WebSocket never runs inside the socket's own signal.
        readingSocket = true;
        QObject::disconnect(socket, &QIODevice::readyRead, connection.get(), nullptr);
        QObject::connect(
            socket, &QIODevice::readyRead, connection.get(), [this] { readSocket(); },
            Qt::QueuedConnection);
    }
    // Silence while paused is this side's doing, not the peer's.
    deadlines()->stop(Deadlines::Kind::ReadIdle);
    deadlines()->stop(Deadlines::Kind::KeepalivePong);
}

void WebSocketPrivate::releaseSocket()
{
    QTcpSocket *socket = connection ? connection->socket() : nullptr;
    if (!socket)
        return;
    socket->setReadBufferSize(0); // re-enables Qt's reading from the kernel
    deadlines()->start(Deadlines::Kind::ReadIdle, readIdle);
    if (!keepalivePayload.isEmpty()) // the pong, if it came, is about to be read
        deadlines()->start(Deadlines::Kind::KeepalivePong,
            options.keepaliveTimeout.count() > 0 ? options.keepaliveTimeout
                                                 : options.keepaliveInterval);
}

void WebSocketPrivate::readSocket()
{
    QPointer<WebSocket> guard(q);
    while (!readPaused && phase == Phase::Upgraded && connection
        && connection->state() != Connection::State::Closed && connection->socket()) {
        QTcpSocket *socket = connection->socket();
        const qint64 available = socket->bytesAvailable();
        if (available <= 0)
            return;
        const QByteArray bytes = socket->read(available);
        if (bytes.isEmpty())
            return;
        deadlines()->touch(Deadlines::Kind::ReadIdle);
        feed(bytes);
        if (!guard)
            return;
    }
}

void WebSocketPrivate::resumeReading()
{
    if (readPaused || phase != Phase::Upgraded)
        return;
    QPointer<WebSocket> guard(q);
    feed({}); // the held events first
    if (!guard || readPaused || phase != Phase::Upgraded)
        return;
    if (deferredEnd) {
        const std::function<void()> end = std::exchange(deferredEnd, {});
        end();
        return;
    }
    if (readingSocket)
        readSocket(); // what the socket buffered while paused announces itself no more
}

bool WebSocketPrivate::deferEnd(std::function<void()> end)
{
    if (!readPaused || !conn || !conn->hasEvents())
        return false;
    deferredEnd = std::move(end);
    return true;
}

WebSocket *WebSocketPrivate::createServerSide(ServerSideSpec spec, QObject *parent)
{
    Q_ASSERT(spec.socket);
    auto *ws = new WebSocket(parent);
    WebSocketPrivate *d = ws->d.get();
    d->role = Role::Server;
    d->request = std::move(spec.request);
    d->response = std::move(spec.response);
    d->subprotocol = std::move(spec.subprotocol);
    d->closeTimeout = spec.closeTimeout;
    d->readIdle = spec.readIdle;
    d->peerAddress = spec.socket->peerAddress();
    d->peerPort = spec.socket->peerPort();
    const auto *ssl = qobject_cast<const QSslSocket *>(spec.socket);
    const QString scheme = ssl && ssl->isEncrypted() ? QStringLiteral("wss") : QStringLiteral("ws");
    d->url = QUrl(scheme + QStringLiteral("://")
        + QString::fromUtf8(d->request.headers.value("Host") + d->request.target));

    d->startConnection();
    d->connection->adopt(spec.socket, std::move(spec.leftover));
    d->deadlines()->start(Deadlines::Kind::ReadIdle, d->readIdle);
    d->conn.emplace(Role::Server, std::move(spec.codecOptions));
    if (spec.extension)
        d->conn->setExtension(std::move(spec.extension));
    d->phase = Phase::Upgraded;
    d->state = WebSocket::State::Open;
    // From the next turn on, so that the caller connects its slots first.
    QMetaObject::invokeMethod(
        d->connection.get(), &Connection::deliverPending, Qt::QueuedConnection);
    return ws;
}

// ---- WebSocket ----------------------------------------------------------------------------

WebSocket::WebSocket(QObject *parent) : QObject(parent), d(std::make_unique<WebSocketPrivate>(this))
{
    qRegisterMetaType<qtws::WebSocketError>();
}

WebSocket::~WebSocket()
{
    // Drop at once and emit nothing: the object is half destroyed.
    if (d->connection)
        d->connection->abort();
    d->connection.reset();
}

void WebSocket::open(const QUrl &url, const ClientOptions &options)
{
    d->open(url, options);
}

WebSocket::State WebSocket::state() const
{
    return d->state;
}

Role WebSocket::role() const
{
    return d->role;
}

QUrl WebSocket::url() const
{
    return d->url;
}

QString WebSocket::subprotocol() const
{
    return d->subprotocol;
}

http::Request WebSocket::handshakeRequest() const
{
    return d->request;
}

http::Response WebSocket::handshakeResponse() const
{
    return d->response;
}

QString WebSocket::extensions() const
{
    if (!d->conn || !d->conn->extension())
        return {};
    return QString::fromUtf8(d->response.headers.values("Sec-WebSocket-Extensions").join(", "));
}

const PerMessageDeflate *WebSocket::perMessageDeflate() const
{
    return d->conn ? dynamic_cast<const PerMessageDeflate *>(d->conn->extension()) : nullptr;
}

QHostAddress WebSocket::peerAddress() const
{
    return d->peerAddress;
}

quint16 WebSocket::peerPort() const
{
    return d->peerPort;
}

qint64 WebSocket::bufferedAmount() const
{
    return (d->connection ? d->connection->bufferedAmount() : 0)
        + (d->conn ? d->conn->outgoingSize() : 0);
}

qint64 WebSocket::roundTripTime() const
{
    return d->roundTripMs;
}

int WebSocket::closeCode() const
{
    return d->closeCode;
}

QString WebSocket::closeReason() const
{
    return d->closeReason;
}

WebSocketError WebSocket::error() const
{
    return d->error;
}

qint64 WebSocket::sendTextMessage(const QString &message, SendFlags flags)
{
    if (!d->checkOpen("sendTextMessage"))
        return -1;
    const qint64 accepted = d->conn->sendText(message.toUtf8(), flags);
    d->writeOutgoing();
    return accepted;
}

qint64 WebSocket::sendBinaryMessage(const QByteArray &data, SendFlags flags)
{
    if (!d->checkOpen("sendBinaryMessage"))
        return -1;
    const qint64 accepted = d->conn->sendBinary(data, flags);
    d->writeOutgoing();
    return accepted;
}

qint64 WebSocket::sendFragments(MessageType type, const QList<QByteArray> &chunks)
{
    if (!d->checkOpen("sendFragments"))
        return -1;
    qint64 total = 0;
    if (chunks.isEmpty()) {
        total = d->conn->sendFragment(type, {}, Fin::Last);
    } else {
        for (qsizetype i = 0; i < chunks.size() && total >= 0; ++i) {
            const qint64 accepted = d->conn->sendFragment(
                type, chunks.at(i), i + 1 == chunks.size() ? Fin::Last : Fin::More);
            total = accepted < 0 ? -1 : total + accepted;
        }
    }
    d->writeOutgoing();
    return total;
}

qint64 WebSocket::ping(const QByteArray &payload)
{
    if (!d->checkOpen("ping"))
        return -1;
    const qint64 accepted = d->conn->ping(payload);
    if (accepted >= 0) {
        if (d->pings.size() >= maxPendingPings)
            d->pings.removeFirst();
        d->pings.append({payload, d->clock.elapsed()});
    }
    d->writeOutgoing();
    return accepted;
}

qint64 WebSocket::pong(const QByteArray &payload)
{
    if (!d->checkOpen("pong"))
        return -1;
    const qint64 accepted = d->conn->pong(payload);
    d->writeOutgoing();
    return accepted;
}

void WebSocket::close(CloseCode code, const QString &reason)
{
    // The handshake needs the peer's close frame, which may wait behind unread messages.
    setReadPaused(false);
    switch (d->state) {
    case State::Connecting:
        // No handshake to perform yet: give up the attempt.
        d->finish(quint16(CloseCode::AbnormalClosure),
            QStringLiteral("closed before the opening handshake completed"));
        return;
    case State::Closing:
    case State::Closed: qCDebug(lcClient) << "WebSocket::close: already" << d->state; return;
    case State::Open: break;
    }
    if (d->conn->close(code, reason.toUtf8()) < 0) {
        qCWarning(lcClient) << "WebSocket::close: refused by the codec; the connection stays open";
        return;
    }
    d->writeOutgoing();
    d->followCodec();
}

void WebSocket::setReadPaused(bool paused)
{
    if (d->readPaused == paused)
        return;
    d->readPaused = paused;
    if (d->phase != WebSocketPrivate::Phase::Upgraded)
        return; // applied by upgrade()
    if (paused) {
        d->holdSocket();
        return;
    }
    d->releaseSocket();
    // Held events are delivered from the event loop, never from inside this call.
    QMetaObject::invokeMethod(
        this, [this] { d->resumeReading(); }, Qt::QueuedConnection);
}

bool WebSocket::isReadPaused() const
{
    return d->readPaused;
}

void WebSocket::abort()
{
    if (d->state == State::Closed)
        return;
    d->finish(quint16(CloseCode::AbnormalClosure), QStringLiteral("aborted"));
}

} // namespace qtws
