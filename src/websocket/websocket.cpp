// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The WebSocket QObject: the private I/O loop (bytes into the codec, its output to the wire, its
// events to signals), close and deadline handling, and the public methods. The client connect
// flow is in websocket_client.cpp, keepalive in websocket_keepalive.cpp, read pausing in
// websocket_readpause.cpp, the server-side seam in websocket_serverside.cpp.
#include "websocket/websocket_p.h"

#include "websocket/logging_p.h"

#include <QtWs/permessagedeflate.h>
#include <QtWs/utf8text.h>

#include <QtCore/QMetaObject>

namespace qtws {

using transport::Connection;
using transport::Deadlines;

namespace {

QString msText(const char *name, std::chrono::milliseconds duration)
{
    return QStringLiteral("%1 timeout after %2 ms")
        .arg(QString::fromLatin1(name))
        .arg(duration.count());
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
    if (!conn || conn->outgoingSize() == 0)
        return;
    // Blocks, not one joined array: a large payload stays shared with the sender's QByteArray
    // (bench/compare `large`).
    for (QByteArray &block : conn->takeOutgoingBlocks())
        connection->write(std::move(block));
}

bool WebSocketPrivate::dispatch(Event &event)
{
    QPointer<WebSocket> guard(q);
    switch (event.type) {
    case Event::Type::TextMessage:
        // The codec validated the UTF-8 (RFC 6455 §8.1) before reporting the message.
        Q_EMIT q->textMessageReceived(textFromUtf8(event.payload));
        break;
    case Event::Type::BinaryMessage: Q_EMIT q->binaryMessageReceived(event.payload); break;
    case Event::Type::Frame:
        if (event.messageType == MessageType::Text)
            Q_EMIT q->textFrameReceived(event.payload, event.fin);
        else
            Q_EMIT q->binaryFrameReceived(event.payload, event.fin);
        break;
    case Event::Type::MessageChunk: return dispatchChunk(event);
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
    return d->transportBufferedAmount() + d->heldBytes;
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
    if (d->isStreaming())
        return d->holdSend(
            {WebSocketPrivate::HeldSend::Kind::Text, message, {}, {}, MessageType::Text, flags});
    const qint64 accepted = d->conn->sendEncodedText(message.toUtf8(), flags);
    d->writeOutgoing();
    return accepted;
}

qint64 WebSocket::sendBinaryMessage(const QByteArray &data, SendFlags flags)
{
    if (!d->checkOpen("sendBinaryMessage"))
        return -1;
    if (d->isStreaming())
        return d->holdSend(
            {WebSocketPrivate::HeldSend::Kind::Binary, {}, data, {}, MessageType::Binary, flags});
    const qint64 accepted = d->conn->sendSharedBinary(data, flags);
    d->writeOutgoing();
    return accepted;
}

qint64 WebSocket::sendFragments(MessageType type, const QList<QByteArray> &chunks)
{
    if (!d->checkOpen("sendFragments"))
        return -1;
    if (d->isStreaming())
        return d->holdSend({WebSocketPrivate::HeldSend::Kind::Fragments, {}, {}, chunks, type, {}});
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
        if (d->pings.size() >= WebSocketPrivate::maxPendingPings)
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
    if (d->isStreaming()) { // everything accepted goes first: the stream, then what it held
        d->holdClose(code, reason);
        return;
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
