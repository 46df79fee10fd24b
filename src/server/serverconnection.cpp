// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/serverconnection_p.h"

#include "server/logging_p.h"
#include "server/server_p.h"
#include "transport/halfclose_p.h"
#include "transport/tcpsocket_p.h"
#include "transport/writequeue_p.h"

#include <QtWs/http/response.h>
#include <QtWs/http/staticfiles.h>

#include <QtCore/QDateTime>
#include <QtNetwork/QTcpSocket>

#include <algorithm>

namespace qtws::http {

using transport::Deadlines;

ServerConnection::ServerConnection(QAbstractSocket *socket, bool encrypted, ServerPrivate *server)
    : QObject(server->q)
    , m_server(server)
    , m_socket(socket)
    , m_encrypted(encrypted)
    , m_writeQueue(new transport::WriteQueue(socket, this))
    , m_deadlines(new Deadlines(this))
    , m_parser(Parser::Mode::Request, server->options.limits)
{
    socket->setParent(this);
    connect(m_socket, &QIODevice::readyRead, this, &ServerConnection::onReadyRead);
    connect(m_socket, &QAbstractSocket::disconnected, this, &ServerConnection::onDisconnected);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &ServerConnection::onSocketError);
    connect(m_writeQueue, &transport::WriteQueue::drained, this, &ServerConnection::onDrained);
    connect(m_deadlines, &Deadlines::expired, this, &ServerConnection::onDeadlineExpired);
}

ServerConnection::~ServerConnection() = default;

void ServerConnection::start()
{
    // Bounds what a pipelining client can make us hold while a response is in flight: Qt stops
    // reading from the kernel when the socket's buffer is full (see ServerOptions).
    m_socket->setReadBufferSize(m_server->options.readAheadBytes);
    // The first head (and a TLS handshake) must arrive within headerTimeout of the connect.
    m_deadlines->start(Deadlines::Kind::Handshake, m_server->options.headerTimeout);
    m_headTimerArmed = true;
    processInput();
}

void ServerConnection::reject()
{
    qCDebug(lcServer) << "rejecting a connection from" << m_socket->peerAddress()
                      << ": maxConnections reached";
    answerAndClose(503,
        QByteArrayLiteral("too many connections (")
            + QByteArray::number(m_server->options.maxConnections) + ")");
}

void ServerConnection::closeWhenIdle()
{
    // Between requests (nothing of the next one received) the connection can go at once
    // (RFC 9112 §9.5); otherwise streamEnded() closes it after the response.
    if (m_phase == Phase::Reading && !m_receivedSinceReset)
        closeGracefully();
}

void ServerConnection::abortNow()
{
    if (m_phase == Phase::Closed || m_phase == Phase::HandedOver)
        return;
    if (m_stream && !StreamPrivate::get(m_stream)->ended)
        StreamPrivate::get(m_stream)->markDisconnected();
    m_writeQueue->discard();
    m_socket->abort();
    finish();
}

void ServerConnection::send(QByteArray bytes)
{
    if (m_writeQueue)
        m_writeQueue->enqueue(std::move(bytes));
}

bool ServerConnection::isServerClosing() const
{
    return m_server->closing;
}

qint64 ServerConnection::bufferedAmount() const
{
    return m_writeQueue ? m_writeQueue->bufferedAmount() : 0;
}

void ServerConnection::streamEnded(bool closeAfter)
{
    Q_ASSERT(m_phase == Phase::Busy);
    if (m_stream)
        m_stream->deleteLater();
    m_stream = nullptr;
    if (closeAfter || m_server->closing) {
        closeGracefully();
        return;
    }
    m_phase = Phase::Reading;
    // A synchronous handler ended inside processInput(), whose loop goes on with the next
    // request; a deferred one ended from elsewhere, so look at the waiting bytes on the next
    // turn rather than re-entering a handler from inside the caller's end().
    if (!m_processing)
        scheduleProcessInput();
}

void ServerConnection::scheduleProcessInput()
{
    QMetaObject::invokeMethod(this, &ServerConnection::processInput, Qt::QueuedConnection);
}

void ServerConnection::processInput()
{
    if (m_processing || m_phase != Phase::Reading)
        return;
    m_processing = true;
    const QPointer<ServerConnection> self(this);
    while (m_phase == Phase::Reading) {
        if (m_input.isEmpty()) {
            // At most the read-ahead bound at a time (an unbuffered socket would otherwise
            // hand over all the kernel holds).
            m_input = m_socket->read(std::max<qint64>(m_server->options.readAheadBytes, 16 * 1024));
            if (m_input.isEmpty())
                break;
            m_deadlines->touch(Deadlines::Kind::ReadIdle); // a body that is still moving
        }
        if (!m_headTimerArmed && !m_parser.isHeadComplete()) {
            // The first byte of a new request: from now on its head must arrive within
            // headerTimeout, whatever the idle timeout would allow.
            m_deadlines->stop(Deadlines::Kind::ReadIdle);
            m_deadlines->start(Deadlines::Kind::Handshake, m_server->options.headerTimeout);
            m_headTimerArmed = true;
        }
        m_receivedSinceReset = true;
        const qsizetype used = m_parser.feed(m_input);
        if (used == m_input.size())
            m_input = QByteArray(); // readAll() allocates 16 KiB and more: an idle connection
                                    // must not keep it (bench/compare `idle`)
        else
            m_input.remove(0, used);
        switch (m_parser.state()) {
        case Parser::State::NeedMore: break;
        case Parser::State::HeadComplete: onHeadComplete(); break;
        case Parser::State::MessageComplete:
            dispatch();
            if (!self)
                return; // the handler destroyed the server
            break;
        case Parser::State::Error:
            qCDebug(lcServer) << "bad request from" << m_socket->peerAddress() << ":"
                              << m_parser.errorStatus() << m_parser.errorReason();
            answerAndClose(m_parser.errorStatus(), m_parser.errorReason());
            break;
        }
    }
    m_processing = false;
    if (m_phase != Phase::Reading)
        return;
    if (m_server->closing && !m_receivedSinceReset) {
        closeGracefully();
        return;
    }
    // Waiting between requests: RFC 9112 §9.5 lets us close an idle connection at any time.
    if (!m_headTimerArmed && !m_parser.isHeadComplete()
        && !m_deadlines->isActive(Deadlines::Kind::ReadIdle))
        m_deadlines->start(Deadlines::Kind::ReadIdle, m_server->options.idleTimeout);
}

void ServerConnection::onHeadComplete()
{
    m_deadlines->stop(Deadlines::Kind::Handshake);
    m_headTimerArmed = false;
    // The body may stall for at most idleTimeout between two reads.
    m_deadlines->start(Deadlines::Kind::ReadIdle, m_server->options.idleTimeout);
    const Request &request = m_parser.request();
    // RFC 9110 §10.1.1: a client that sent "Expect: 100-continue" waits (a while) for an
    // interim response before the body. A body over the limits was already refused with 413
    // by the parser, so here the answer is always to go on. HTTP/1.0 clients do not know 100.
    if (request.versionMinor >= 1 && request.headers.containsToken("Expect", "100-continue"))
        send(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
}

void ServerConnection::dispatch()
{
    m_deadlines->stop(Deadlines::Kind::Handshake);
    m_deadlines->stop(Deadlines::Kind::ReadIdle);
    m_headTimerArmed = false;
    Request request = m_parser.takeRequest();
    m_parser.reset();
    m_receivedSinceReset = false;

    m_phase = Phase::Busy;
    m_stream = StreamPrivate::create(this, std::move(request), m_socket, m_encrypted);
    const QPointer<Stream> stream = m_stream;
    m_server->runHandler(*stream);
    if (!stream)
        return; // the connection (and the stream with it) went away inside the handler
    StreamPrivate *d = StreamPrivate::get(stream);
    if (!d->ended && !d->deferred && !d->handedOver && !d->disconnected)
        stream->end(); // the handler returned without ending: it has said all it will say
}

void ServerConnection::answerAndClose(int status, const QByteArray &text)
{
    Response response;
    response.status = status;
    response.body = text + '\n';
    response.headers.append("Content-Type", "text/plain; charset=utf-8");
    response.headers.append("Content-Length", QByteArray::number(response.body.size()));
    // RFC 9112 §9.6: the server announces that it closes after this response.
    response.headers.append("Connection", "close");
    response.headers.append("Date", toHttpDate(QDateTime::currentDateTimeUtc()));
    send(response.serialize());
    closeGracefully();
}

void ServerConnection::closeGracefully()
{
    if (m_phase == Phase::Closing || m_phase == Phase::Closed || m_phase == Phase::HandedOver)
        return;
    m_phase = Phase::Closing;
    m_input.clear();
    m_deadlines->stopAll();
    m_deadlines->start(Deadlines::Kind::Close, m_server->options.closeTimeout);
    m_writeQueue->flush();
    if (m_encrypted || m_socket->bytesToWrite() == 0)
        halfClose();
    else
        m_waitingForDrain = true; // onDrained() half-closes
}

void ServerConnection::halfClose()
{
    m_waitingForDrain = false;
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        return;
    }
    if (m_encrypted) {
        // TLS needs its close_notify, which QSslSocket sends after the pending data.
        m_socket->disconnectFromHost();
        return;
    }
    // RFC 9112 §9.6: close the sending side only and keep reading until the client closes, so
    // that bytes it still sends (pipelined requests we will not answer) do not make the kernel
    // reset the connection, which could destroy the response before the client read it.
    transport::shutdownSending(m_socket);
    m_socket->readAll(); // discarded; onReadyRead() discards the rest
}

void ServerConnection::finish()
{
    if (m_phase == Phase::Closed || m_phase == Phase::HandedOver)
        return;
    m_phase = Phase::Closed;
    m_deadlines->stopAll();
    m_server->connectionFinished(this);
}

void ServerConnection::onReadyRead()
{
    switch (m_phase) {
    case Phase::Reading: processInput(); break;
    case Phase::Busy: readAhead(); break;
    case Phase::Closing: m_socket->readAll(); break; // lingering close: discarded
    case Phase::Closed:
    case Phase::HandedOver: break;
    }
}

void ServerConnection::readAhead()
{
    // A buffered socket holds up to readAheadBytes itself (start()) and notices the client's
    // close meanwhile. An unbuffered one reads only when asked and announces nothing more
    // until then: read ahead here, up to the same bound, which also sees the close (a
    // deferred handler's Stream learns of a disconnect).
    if (!transport::TcpSocket::isUnbuffered(m_socket))
        return;
    const qint64 room = m_server->options.readAheadBytes - m_input.size();
    if (room > 0)
        m_input += m_socket->read(room);
}

void ServerConnection::onDisconnected()
{
    if (m_phase == Phase::Closed || m_phase == Phase::HandedOver)
        return;
    if (m_stream && !StreamPrivate::get(m_stream)->ended) {
        qCDebug(lcServer) << "client" << m_socket->peerAddress()
                          << "left before the response ended";
        StreamPrivate::get(m_stream)->markDisconnected();
    }
    finish();
}

void ServerConnection::onSocketError()
{
    if (m_phase == Phase::Closed || m_phase == Phase::HandedOver)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    // A remote close is followed by disconnected(), handled there.
    if (error == QAbstractSocket::RemoteHostClosedError)
        return;
    qCDebug(lcServer) << "connection from" << m_socket->peerAddress()
                      << "failed:" << m_socket->errorString();
    abortNow();
}

void ServerConnection::onDrained()
{
    if (m_phase == Phase::Closing && m_waitingForDrain)
        halfClose();
    else if (m_stream)
        Q_EMIT m_stream->drained();
}

void ServerConnection::onDeadlineExpired(Deadlines::Kind kind)
{
    switch (kind) {
    case Deadlines::Kind::Handshake:
        qCDebug(lcServer) << "request head from" << m_socket->peerAddress() << "took longer than"
                          << m_server->options.headerTimeout.count() << "ms";
        // RFC 9110 §15.5.9: 408 tells a client that started a request why it is cut off. A
        // connection that sent nothing (or never finished its TLS handshake) is just closed.
        if (m_receivedSinceReset)
            answerAndClose(408,
                QByteArrayLiteral("request head not received within ")
                    + QByteArray::number(m_server->options.headerTimeout.count()) + " ms");
        else if (m_encrypted)
            abortNow();
        else
            closeGracefully();
        break;
    case Deadlines::Kind::ReadIdle:
        if (m_parser.isHeadComplete()) {
            answerAndClose(408,
                QByteArrayLiteral("request body stalled for ")
                    + QByteArray::number(m_server->options.idleTimeout.count()) + " ms");
        } else {
            qCDebug(lcServer) << "closing a keep-alive connection idle for"
                              << m_server->options.idleTimeout.count() << "ms";
            closeGracefully();
        }
        break;
    case Deadlines::Kind::Close:
        // The client neither read the last response nor closed: stop waiting for it.
        abortNow();
        break;
    default: break;
    }
}

DetachedSocket ServerConnection::detach(StreamPrivate *stream)
{
    DetachedSocket out;
    if (stream->handedOver)
        out.errorString = QStringLiteral("stream cannot be upgraded: already upgraded");
    else if (stream->headSent)
        out.errorString = QStringLiteral("stream cannot be upgraded: response already started");
    else if (stream->ended)
        out.errorString = QStringLiteral("stream cannot be upgraded: stream ended");
    else if (stream->disconnected || m_phase != Phase::Busy)
        out.errorString = QStringLiteral("stream cannot be upgraded: client disconnected");
    if (!out.errorString.isEmpty())
        return out;

    // A "100 Continue" may still be queued: it belongs before anything the new owner writes.
    m_writeQueue->flush();
    m_deadlines->stopAll();
    disconnect(m_socket, nullptr, this, nullptr);
    delete m_writeQueue; // also drops its connection to the socket
    m_writeQueue = nullptr;

    out.leftover = std::move(m_input);
    out.leftover += m_socket->readAll();
    m_input.clear();
    m_socket->setReadBufferSize(0); // the new owner decides its own bounds
    m_socket->setParent(nullptr);
    out.socket.reset(m_socket);
    out.encrypted = m_encrypted;
    m_socket = nullptr;
    m_phase = Phase::HandedOver;
    stream->markHandedOver();
    m_server->socketHandedOver(this, out.socket.get());
    return out;
}

} // namespace qtws::http
