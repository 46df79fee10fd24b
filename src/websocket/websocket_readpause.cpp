// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Backpressure: WebSocket::setReadPaused() stops reading the socket and holds the codec's events.
#include "websocket/websocket_p.h"

#include "transport/tcpsocket_p.h"

#include <QtNetwork/QTcpSocket>

#include <functional>
#include <utility>

namespace qtws {

using transport::Connection;
using transport::Deadlines;

void WebSocketPrivate::holdSocket()
{
    QAbstractSocket *socket = connection ? connection->socket() : nullptr;
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
    QAbstractSocket *socket = connection ? connection->socket() : nullptr;
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
        QAbstractSocket *socket = connection->socket();
        // An unbuffered socket (transport/tcpsocket_p.h) announces more bytes only after a
        // read() following its last readyRead(), even one that finds nothing: always read.
        const bool unbuffered = transport::TcpSocket::isUnbuffered(socket);
        const qint64 available = unbuffered ? qint64(64 * 1024) : socket->bytesAvailable();
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

} // namespace qtws
