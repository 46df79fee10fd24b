// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/websocket_p.h"

#include "websocket/logging_p.h"

#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QMetaObject>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

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
    const quint64 thisAttempt = ++attempt;

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

    // Errors found here are reported from the event loop, like every other outcome of open(),
    // so a caller never receives closed() before open() returns.
    auto failLater = [this, thisAttempt](WebSocketError::Kind kind, const QString &reason) {
        QMetaObject::invokeMethod(
            q,
            [this, thisAttempt, kind, reason] {
                if (attempt == thisAttempt && state == WebSocket::State::Connecting)
                    fail(kind, quint16(CloseCode::AbnormalClosure), reason);
            },
            Qt::QueuedConnection);
    };

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
    spec.extraHeaders = opts.headers;
    // RFC 7692: the permessage-deflate offer (nothing when options.deflate.enabled is false).
    if (QByteArray offer = PerMessageDeflate::makeOffer(opts.deflate); !offer.isEmpty())
        spec.extensions.append(std::move(offer));
    if (!rawUrl.userInfo().isEmpty() && !opts.headers.contains("Authorization")) {
        const QByteArray credentials = rawUrl.userName(QUrl::FullyDecoded).toUtf8() + ':'
            + rawUrl.password(QUrl::FullyDecoded).toUtf8();
        spec.extraHeaders.append("Authorization", QByteArray("Basic " + credentials.toBase64()));
    }
    handshake::ClientRequestBuildResult built = handshake::buildClientRequest(spec);
    if (!built.ok()) {
        failLater(WebSocketError::Kind::InvalidOptions, QString::fromUtf8(built.error));
        return;
    }
    request = std::move(built.request);

    startConnection();
    deadlines()->start(Deadlines::Kind::Request, opts.timeouts.request);
    Connection::ConnectSpec connectSpec;
    connectSpec.host = rawUrl.host();
    connectSpec.port = quint16(rawUrl.port(tls ? 443 : 80));
    connectSpec.tls = tls;
    connectSpec.sslConfiguration = opts.sslConfiguration;
    connectSpec.insecureSkipTlsVerification = opts.insecureSkipTlsVerification;
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
    case Deadlines::Kind::Handshake:
    case Deadlines::Kind::KeepalivePong: return;
    case Deadlines::Kind::Request:
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
}

void WebSocketPrivate::releaseSocket()
{
    QTcpSocket *socket = connection ? connection->socket() : nullptr;
    if (!socket)
        return;
    socket->setReadBufferSize(0); // re-enables Qt's reading from the kernel
    deadlines()->start(Deadlines::Kind::ReadIdle, readIdle);
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
