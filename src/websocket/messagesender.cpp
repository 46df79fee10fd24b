// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/logging_p.h"
#include "websocket/messagestream_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/websocket.h>

#include <QtCore/QTimer>

namespace qtws {

MessageSender::MessageSender(
    WebSocket *socket, QIODevice *source, MessageType type, QObject *parent)
    : QObject(parent ? parent : socket), d(new MessageSenderPrivate(this, socket, source, type))
{
    if (source && !source->isSequential())
        d->total = source->size() - source->pos();
}

MessageSender::~MessageSender()
{
    if (d->begun && !d->finished && d->socket)
        d->abandon();
}

void MessageSender::setFragmentSize(qint64 bytes)
{
    d->fragmentSize = std::max<qint64>(bytes, 1);
}

qint64 MessageSender::fragmentSize() const
{
    return d->fragmentSize;
}

void MessageSender::setMaxBufferedAmount(qint64 bytes)
{
    d->maxBuffered = std::max<qint64>(bytes, 0);
}

qint64 MessageSender::maxBufferedAmount() const
{
    return d->maxBuffered;
}

bool MessageSender::start()
{
    auto refuse = [this](const QString &why) {
        d->errorString = why;
        qCWarning(lcClient).noquote() << "MessageSender::start:" << why;
        return false;
    };
    if (d->started)
        return refuse(QStringLiteral("already started"));
    if (!d->socket || d->socket->state() != WebSocket::State::Open)
        return refuse(QStringLiteral("the WebSocket is not open"));
    if (!d->source || !d->source->isReadable())
        return refuse(QStringLiteral("the source device is not open for reading"));
    d->started = true;
    connect(d->socket, &WebSocket::bytesWritten, this, [this] { d->pump(); });
    connect(d->socket, &WebSocket::closed, this, [this](int code, const QString &reason) {
        if (!d->finished)
            d->fail(QStringLiteral("the connection ended (%1 %2) after %3 bytes of the message")
                        .arg(code)
                        .arg(reason)
                        .arg(d->sent));
    });
    if (d->source->isSequential()) {
        connect(d->source, &QIODevice::readyRead, this, [this] { d->pump(); });
        connect(d->source, &QIODevice::readChannelFinished, this, [this] {
            d->sourceEnded = true;
            d->pump();
        });
    }
    connect(d->source, &QObject::destroyed, this, [this] {
        if (!d->finished)
            d->fail(QStringLiteral("the source device was destroyed"));
    });
    QTimer::singleShot(0, this, [this] { d->pump(); });
    return true;
}

bool MessageSender::isFinished() const
{
    return d->finished;
}

qint64 MessageSender::bytesSent() const
{
    return d->sent;
}

qint64 MessageSender::totalBytes() const
{
    return d->total;
}

QString MessageSender::errorString() const
{
    return d->errorString;
}

void MessageSenderPrivate::pump()
{
    if (finished || pumping || !socket || !source)
        return;
    pumping = true;
    const auto done = qScopeGuard([this] { pumping = false; });
    QPointer<MessageSender> guard(q);
    WebSocketPrivate *ws = WebSocketPrivate::get(socket);
    // Another sender's message holds the channel: this one waits (bytesWritten retries).
    if (ws->streamingSender && ws->streamingSender != this)
        return;
    while (!finished && socket && source && socket->state() == WebSocket::State::Open
        && ws->transportBufferedAmount() < maxBuffered) {
        const qint64 want = total >= 0 ? std::min(fragmentSize, total - sent) : fragmentSize;
        QByteArray chunk = want > 0 ? source->read(want) : QByteArray();
        if (want > 0 && chunk.isEmpty()) {
            if (!source->isSequential()) { // shorter than its size said: an error or truncated
                fail(QStringLiteral("reading the source failed after %1 bytes: %2")
                         .arg(sent)
                         .arg(source->errorString()));
                return;
            }
            if (!sourceEnded && source->isOpen())
                return; // readyRead or readChannelFinished brings the rest
        }
        // A random-access source ends with the fragment that reaches its size; a sequential
        // one with an empty final fragment once it says it is done.
        const bool last = total >= 0 ? sent + chunk.size() >= total : chunk.isEmpty();
        sendFragment(chunk, last);
        if (!guard)
            return;
    }
}

void MessageSenderPrivate::sendFragment(const QByteArray &chunk, bool last)
{
    WebSocketPrivate *ws = WebSocketPrivate::get(socket);
    const qint64 accepted = ws->conn->sendFragment(type, chunk, last ? Fin::Last : Fin::More);
    if (accepted < 0) {
        fail(type == MessageType::Text
                ? QStringLiteral("the source is not valid UTF-8 text (after %1 bytes)").arg(sent)
                : QStringLiteral("the WebSocket refused a fragment after %1 bytes").arg(sent));
        return;
    }
    if (!begun)
        ws->beginStream(this);
    begun = true;
    sent += chunk.size();
    finished = last;
    QPointer<MessageSender> guard(q);
    ws->writeOutgoing();
    if (last)
        ws->endStream(this); // what was sent meanwhile follows, then a close that waited
    if (!guard)
        return;
    Q_EMIT q->progress(sent, total);
    if (guard && last)
        Q_EMIT q->finished();
}

void MessageSenderPrivate::fail(const QString &reason)
{
    if (finished)
        return;
    finished = true;
    errorString = reason;
    qCWarning(lcClient).noquote() << "MessageSender:" << reason;
    QPointer<MessageSender> guard(q);
    if (begun && socket)
        abandon();
    if (guard)
        Q_EMIT q->failed(reason);
}

void MessageSenderPrivate::abandon()
{
    // A fragmented message cannot be cut short on the wire (RFC 6455 §5.4 has no "abort"), and
    // a final fragment would pass what was sent for the whole: end the connection instead.
    // What was held behind the stream cannot go out either.
    WebSocketPrivate *ws = WebSocketPrivate::get(socket);
    if (ws->streamingSender != this)
        return;
    ws->streamingSender = nullptr;
    ws->heldSends.clear();
    ws->heldBytes = 0;
    ws->closeAfterStream.reset();
    if (socket->state() == WebSocket::State::Open)
        socket->close(CloseCode::InternalError, QStringLiteral("message stream abandoned"));
}

} // namespace qtws
