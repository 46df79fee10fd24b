// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/blockingwebsocket_p.h"

#include "websocket/logging_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QMetaObject>

#include <algorithm>

namespace qtws {

namespace {

// Pongs remembered for ping(payload, timeout): a waiter looks for its pong among these.
constexpr std::size_t rememberedPongs = 16;
constexpr qsizetype maxControlPayload = 125; // RFC 6455 §5.5

void checkControlPayload(const char *what, const QByteArray &payload)
{
    if (payload.size() > maxControlPayload)
        throw WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("%1 payload of %2 bytes: control frames carry at most 125")
                .arg(QString::fromLatin1(what))
                .arg(payload.size()));
}

} // namespace

// ---- BlockingWebSocketPrivate: caller side ------------------------------------------------

BlockingWebSocketPrivate::BlockingWebSocketPrivate(
    const ClientOptions &clientOptions, const BlockingOptions &blockingOptions)
    : options(clientOptions), blocking(blockingOptions)
{ }

BlockingWebSocketPrivate::~BlockingWebSocketPrivate()
{
    if (!thread)
        return;
    // The WebSocket and its sockets belong to the I/O thread: they are deleted there (deleting
    // an open WebSocket drops the connection).
    runInIo([this] {
        delete ws;
        ws = nullptr;
    });
    thread->quit();
    thread->wait();
    delete context; // its thread is gone: nothing can be queued to it any more
}

BlockingWebSocket BlockingWebSocketPrivate::open(
    const QUrl &url, const ClientOptions &options, const BlockingOptions &blocking)
{
    // QtNetwork (socket engines, host lookups, TLS) relies on the application object; without
    // one the I/O thread's event loop would not even run.
    if (!QCoreApplication::instance())
        throw WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("qtws::open needs a QCoreApplication object (create one in main(); it "
                           "need not run exec())"));
    if (blocking.maxBufferedMessages < 1 || blocking.maxBufferedBytes < 1)
        throw WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("BlockingOptions: maxBufferedMessages (%1) and maxBufferedBytes (%2) "
                           "must be at least 1")
                .arg(blocking.maxBufferedMessages)
                .arg(blocking.maxBufferedBytes));
    auto d = std::make_unique<BlockingWebSocketPrivate>(options, blocking);
    d->start(url);
    d->waitForOpen(); // on a throw, d's destructor stops the I/O thread
    return BlockingWebSocket(std::move(d));
}

void BlockingWebSocketPrivate::start(const QUrl &target)
{
    thread = std::make_unique<QThread>();
    thread->setObjectName(QStringLiteral("qtws blocking I/O"));
    context = new QObject;
    context->moveToThread(thread.get());
    thread->start();
    QMetaObject::invokeMethod(
        context, [this, target] { setUp(target); }, Qt::QueuedConnection);
}

void BlockingWebSocketPrivate::waitForOpen()
{
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return connected || ended; });
    if (connected)
        return; // even if it has ended since: receive() reports that after the messages
    const WebSocketError error = endError;
    lock.unlock();
    throw error;
}

void BlockingWebSocketPrivate::runInIo(const std::function<void()> &f)
{
    // A blocking call from the I/O thread itself would wait for itself. User code never runs
    // there (the WebSocket is not exposed), so this is a broken invariant.
    Q_ASSERT(QThread::currentThread() != thread.get());
    QMetaObject::invokeMethod(
        context, [&f] { f(); }, Qt::BlockingQueuedConnection);
}

qint64 BlockingWebSocketPrivate::sendOrThrow(const std::function<qint64()> &send)
{
    qint64 accepted = -1;
    runInIo([&] {
        // Checked here, in the thread that owns the state, so a closing connection throws
        // instead of logging WebSocket's "not open" warning.
        if (ws && ws->state() == WebSocket::State::Open)
            accepted = send();
    });
    if (accepted >= 0)
        return accepted;
    std::unique_lock lock(mutex);
    throwNotOpen(lock);
}

void BlockingWebSocketPrivate::throwNotOpen(std::unique_lock<std::mutex> &lock)
{
    WebSocketError error;
    if (ended)
        error = endError;
    else if (!stateOpen)
        error = WebSocketError(WebSocketError::Kind::Closed, 0,
            QStringLiteral("the connection is closing; nothing more can be sent"));
    else // the codec refused it while open; it has logged why (category qtws.protocol)
        error = WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("the message was refused (see the qtws.protocol warning)"));
    lock.unlock();
    throw error;
}

std::optional<Message> BlockingWebSocketPrivate::take(
    std::optional<std::chrono::milliseconds> timeout)
{
    std::unique_lock lock(mutex);
    const auto ready = [this] { return !messages.empty() || ended; };
    if (timeout) {
        if (!changed.wait_for(lock, *timeout, ready))
            return std::nullopt;
    } else {
        changed.wait(lock, ready);
    }
    if (messages.empty()) {
        const WebSocketError error = endError;
        lock.unlock();
        throw error;
    }
    Message message = std::move(messages.front());
    messages.pop_front();
    bytes -= message.memorySize();
    const bool resume = paused && !resumeQueued && drained();
    if (resume)
        resumeQueued = true;
    lock.unlock();
    if (resume)
        QMetaObject::invokeMethod(
            context, [this] { resumeIfDrained(); }, Qt::QueuedConnection);
    return message;
}

void BlockingWebSocketPrivate::closeAndWait(quint16 code, const QString &reason)
{
    runInIo([&] {
        {
            std::lock_guard lock(mutex);
            closing = true;
            paused = false;
        }
        if (!ws)
            return;
        // The peer's close frame may wait behind unread messages, also when the peer started
        // the handshake (then ws->close() below does nothing, but the end waits for them).
        ws->setReadPaused(false);
        ws->close(CloseCode(code), reason); // does nothing when already closing or closed
    });
    // Bounded by the WebSocket's close deadlines (ClientTimeouts::close), which end it.
    std::unique_lock lock(mutex);
    changed.wait(lock, [this] { return ended; });
}

bool BlockingWebSocketPrivate::full() const
{
    return qsizetype(messages.size()) >= blocking.maxBufferedMessages
        || bytes >= blocking.maxBufferedBytes;
}

bool BlockingWebSocketPrivate::drained() const
{
    // Half of both limits: reading resumes in bursts rather than one message at a time, so a
    // consumer that keeps up does not pay a thread hop per message.
    return qsizetype(messages.size()) <= blocking.maxBufferedMessages / 2
        && bytes <= blocking.maxBufferedBytes / 2;
}

// ---- BlockingWebSocketPrivate: I/O thread side --------------------------------------------

void BlockingWebSocketPrivate::setUp(const QUrl &target)
{
    ws = new WebSocket;
    WebSocket *socket = ws;
    QObject::connect(ws, &WebSocket::stateChanged, ws, [this](WebSocket::State state) {
        std::lock_guard lock(mutex);
        stateOpen = state == WebSocket::State::Open;
    });
    QObject::connect(ws, &WebSocket::connected, ws, [this, socket] {
        {
            std::lock_guard lock(mutex);
            connected = true;
            url = socket->url();
            subprotocol = socket->subprotocol();
            handshakeRequest = socket->handshakeRequest();
            handshakeResponse = socket->handshakeResponse();
        }
        changed.notify_all();
    });
    QObject::connect(ws, &WebSocket::textMessageReceived, ws,
        [this](const QString &text) { onMessage(Message(text)); });
    QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
        [this](const QByteArray &data) { onMessage(Message(data)); });
    QObject::connect(
        ws, &WebSocket::pongReceived, ws, [this](const QByteArray &payload, qint64 roundTripMs) {
            {
                std::lock_guard lock(mutex);
                pongs.push_back({++pongSerial, payload, roundTripMs});
                if (pongs.size() > rememberedPongs)
                    pongs.pop_front();
            }
            changed.notify_all();
        });
    QObject::connect(ws, &WebSocket::closed, ws, [this, socket](int code, const QString &reason) {
        {
            std::lock_guard lock(mutex);
            ended = true;
            stateOpen = false;
            paused = false;
            closeCode = code;
            closeReason = reason;
            endError = socket->error();
            if (endError.kind() == WebSocketError::Kind::NoError) // not expected; be safe
                endError
                    = WebSocketError(WebSocketError::Kind::ConnectionLost, quint16(code), reason);
        }
        changed.notify_all();
    });
    ws->open(target, options);
}

void BlockingWebSocketPrivate::onMessage(Message message)
{
    bool pauseNow = false;
    {
        std::lock_guard lock(mutex);
        if (full()) {
            // Only reachable while closing: otherwise reading paused when the queue filled, and a
            // paused WebSocket delivers nothing.
            Q_ASSERT(closing);
            qCDebug(lcClient) << "blocking WebSocket: receive queue full while closing;"
                              << "dropping a message of" << message.memorySize() << "bytes";
            return;
        }
        bytes += message.memorySize();
        messages.push_back(std::move(message));
        peakMessages = std::max(peakMessages, qsizetype(messages.size()));
        if (full() && !closing && !paused) {
            paused = true;
            pauseNow = true;
        }
    }
    changed.notify_all();
    // Synchronously: the WebSocket checks it before delivering its next event.
    if (pauseNow)
        ws->setReadPaused(true);
}

void BlockingWebSocketPrivate::resumeIfDrained()
{
    {
        std::lock_guard lock(mutex);
        resumeQueued = false;
        if (!paused || !drained())
            return;
        paused = false;
    }
    if (ws)
        ws->setReadPaused(false);
}

// ---- BlockingWebSocket --------------------------------------------------------------------

BlockingWebSocket::BlockingWebSocket(std::unique_ptr<BlockingWebSocketPrivate> dd)
    : d(std::move(dd))
{ }

BlockingWebSocket::BlockingWebSocket(BlockingWebSocket &&other) noexcept = default;

BlockingWebSocket &BlockingWebSocket::operator=(BlockingWebSocket &&other) noexcept
{
    if (this != &other) {
        BlockingWebSocket old(std::move(*this)); // closed and torn down at the end of scope
        d = std::move(other.d);
    }
    return *this;
}

BlockingWebSocket::~BlockingWebSocket()
{
    if (!d)
        return; // moved from
    bool needsClose = false;
    {
        std::lock_guard lock(d->mutex);
        needsClose = !d->ended;
    }
    if (needsClose)
        d->closeAndWait(quint16(CloseCode::Normal), {});
}

qint64 BlockingWebSocket::send(const QString &text)
{
    Q_ASSERT(d);
    return d->sendOrThrow([&] { return d->ws->sendTextMessage(text); });
}

qint64 BlockingWebSocket::send(const QByteArray &data)
{
    Q_ASSERT(d);
    return d->sendOrThrow([&] { return d->ws->sendBinaryMessage(data); });
}

qint64 BlockingWebSocket::send(const QStringList &textChunks)
{
    Q_ASSERT(d);
    QList<QByteArray> chunks;
    chunks.reserve(textChunks.size());
    for (const QString &chunk : textChunks)
        chunks.append(chunk.toUtf8());
    return d->sendOrThrow([&] { return d->ws->sendFragments(MessageType::Text, chunks); });
}

qint64 BlockingWebSocket::send(const QList<QByteArray> &binaryChunks)
{
    Q_ASSERT(d);
    return d->sendOrThrow([&] { return d->ws->sendFragments(MessageType::Binary, binaryChunks); });
}

Message BlockingWebSocket::receive()
{
    Q_ASSERT(d);
    return *d->take(std::nullopt);
}

std::optional<Message> BlockingWebSocket::receive(std::chrono::milliseconds timeout)
{
    Q_ASSERT(d);
    return d->take(std::max(timeout, std::chrono::milliseconds(0)));
}

bool BlockingWebSocket::isReady() const
{
    std::lock_guard lock(d->mutex);
    return !d->messages.empty();
}

bool BlockingWebSocket::isOpen() const
{
    std::lock_guard lock(d->mutex);
    return d->stateOpen;
}

void BlockingWebSocket::ping(const QByteArray &payload)
{
    Q_ASSERT(d);
    checkControlPayload("ping", payload);
    d->sendOrThrow([&] { return d->ws->ping(payload); });
}

std::optional<std::chrono::milliseconds> BlockingWebSocket::ping(
    const QByteArray &payload, std::chrono::milliseconds timeout)
{
    Q_ASSERT(d);
    checkControlPayload("ping", payload);
    quint64 before = 0;
    {
        std::lock_guard lock(d->mutex);
        before = d->pongSerial;
    }
    d->sendOrThrow([&] { return d->ws->ping(payload); });

    std::unique_lock lock(d->mutex);
    std::optional<qint64> roundTripMs;
    const auto answered = [&] {
        for (const BlockingWebSocketPrivate::Pong &pong : d->pongs) {
            if (pong.serial > before && pong.payload == payload) {
                roundTripMs = std::max<qint64>(pong.roundTripMs, 0);
                return true;
            }
        }
        return d->ended;
    };
    if (!d->changed.wait_for(lock, std::max(timeout, std::chrono::milliseconds(0)), answered))
        return std::nullopt;
    if (roundTripMs)
        return std::chrono::milliseconds(*roundTripMs);
    const WebSocketError error = d->endError;
    lock.unlock();
    throw error;
}

void BlockingWebSocket::pong(const QByteArray &payload)
{
    Q_ASSERT(d);
    checkControlPayload("pong", payload);
    d->sendOrThrow([&] { return d->ws->pong(payload); });
}

void BlockingWebSocket::close(CloseCode code, const QString &reason)
{
    Q_ASSERT(d);
    // Checked here so that a bad argument throws instead of WebSocket's warning-and-stay-open.
    if (!isSendableCloseCode(quint16(code)))
        throw WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("close code %1 may not be sent").arg(quint16(code)));
    const qsizetype reasonBytes = reason.toUtf8().size();
    if (reasonBytes > 123) // RFC 6455 §5.5: 125 bytes of payload, 2 of them the code
        throw WebSocketError(WebSocketError::Kind::InvalidOptions, 0,
            QStringLiteral("close reason of %1 UTF-8 bytes: at most 123").arg(reasonBytes));
    d->closeAndWait(quint16(code), reason);
}

WebSocketError BlockingWebSocket::error() const
{
    std::lock_guard lock(d->mutex);
    return d->ended ? d->endError : WebSocketError();
}

int BlockingWebSocket::closeCode() const
{
    std::lock_guard lock(d->mutex);
    return d->closeCode;
}

QString BlockingWebSocket::closeReason() const
{
    std::lock_guard lock(d->mutex);
    return d->closeReason;
}

QUrl BlockingWebSocket::url() const
{
    std::lock_guard lock(d->mutex);
    return d->url;
}

QString BlockingWebSocket::subprotocol() const
{
    std::lock_guard lock(d->mutex);
    return d->subprotocol;
}

http::Request BlockingWebSocket::handshakeRequest() const
{
    std::lock_guard lock(d->mutex);
    return d->handshakeRequest;
}

http::Response BlockingWebSocket::handshakeResponse() const
{
    std::lock_guard lock(d->mutex);
    return d->handshakeResponse;
}

qsizetype BlockingWebSocket::bufferedMessages() const
{
    std::lock_guard lock(d->mutex);
    return qsizetype(d->messages.size());
}

qint64 BlockingWebSocket::bufferedBytes() const
{
    std::lock_guard lock(d->mutex);
    return d->bytes;
}

qsizetype BlockingWebSocket::peakBufferedMessages() const
{
    std::lock_guard lock(d->mutex);
    return d->peakMessages;
}

} // namespace qtws
