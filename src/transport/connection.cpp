// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/connection_p.h"

#include "transport/logging_p.h"

#include <QtCore/QMetaObject>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

namespace qtws::transport {

Connection::Connection(QObject *parent) : QObject(parent)
{
    connect(&m_deadlines, &Deadlines::expired, this, &Connection::onConnectDeadline);
}

Connection::~Connection()
{
    releaseSocket();
}

void Connection::releaseSocket()
{
    if (!m_socket)
        return;
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    if (m_writeQueue)
        m_writeQueue->discard();
    socket->abort();
    socket->setParent(nullptr);
    // A socket deleted inside one of its own signals would return into freed memory.
    if (m_inCallback > 0)
        socket->deleteLater();
    else
        delete socket;
}

void Connection::setUpSocket(QTcpSocket *socket)
{
    m_socket = socket;
    socket->setParent(this);
    m_writeQueue = new WriteQueue(socket, this);
    connect(m_writeQueue, &WriteQueue::bytesWritten, this, [this](qint64 bytes) {
        m_deadlines.touch(Deadlines::Kind::WriteIdle);
        Q_EMIT bytesWritten(bytes);
    });
    connect(m_writeQueue, &WriteQueue::drained, this, &Connection::drained);
    connect(socket, &QIODevice::readyRead, this, &Connection::onReadyRead);
    connect(socket, &QAbstractSocket::errorOccurred, this, &Connection::onSocketError);
    connect(socket, &QAbstractSocket::disconnected, this, &Connection::onSocketDisconnected);
}

void Connection::connectToHost(const ConnectSpec &spec)
{
    Q_ASSERT(m_state == State::Idle);
    m_state = State::Connecting;
    m_deadlines.start(Deadlines::Kind::Connect, spec.connectTimeout);
    if (!spec.tls) {
        auto *socket = new QTcpSocket;
        setUpSocket(socket);
        connect(socket, &QAbstractSocket::connected, this, &Connection::onConnected);
        socket->connectToHost(spec.host, spec.port);
        return;
    }
    auto *socket = new QSslSocket;
    setUpSocket(socket);
    socket->setSslConfiguration(spec.sslConfiguration);
    if (spec.insecureSkipTlsVerification) {
        qCWarning(lcTransport).nospace()
            << "TLS certificate verification is OFF for " << spec.host << ":" << spec.port
            << " (insecureSkipTlsVerification): the peer is not authenticated";
        socket->setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    connect(socket, &QSslSocket::encrypted, this, &Connection::onConnected);
    connect(socket, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
        for (const QSslError &error : errors) {
            if (!m_sslErrors.isEmpty())
                m_sslErrors += QStringLiteral("; ");
            m_sslErrors += error.errorString();
        }
    });
    // The host name given here is the one SNI sends and the certificate is checked against.
    socket->connectToHostEncrypted(spec.host, spec.port);
}

void Connection::adopt(QTcpSocket *socket, QByteArray leftover)
{
    Q_ASSERT(m_state == State::Idle);
    Q_ASSERT(socket);
    disconnect(socket, nullptr, nullptr, nullptr);
    setUpSocket(socket);
    m_leftover = std::move(leftover);
    m_pendingDelivery = true;
    m_state = State::Connected;
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
}

void Connection::deliverPending()
{
    if (!m_pendingDelivery)
        return;
    m_pendingDelivery = false;
    if (!m_leftover.isEmpty()) {
        const QByteArray leftover = std::exchange(m_leftover, {});
        QPointer<Connection> self(this);
        m_deadlines.touch(Deadlines::Kind::ReadIdle);
        Q_EMIT received(leftover);
        if (!self || m_state == State::Closed)
            return;
    }
    QPointer<Connection> self(this);
    readAvailable();
    if (!self)
        return;
    if (m_disconnectPending || !m_socket || m_socket->state() == QAbstractSocket::UnconnectedState)
        finish(m_lastError);
}

void Connection::onConnected()
{
    if (m_state != State::Connecting)
        return;
    m_deadlines.stop(Deadlines::Kind::Connect);
    // Latency over batching: the write queue already coalesces a turn's frames into one write,
    // so Nagle would only delay small messages. Keepalive lets the OS notice dead peers.
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    m_socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    m_state = State::Connected;
    ++m_inCallback;
    QPointer<Connection> self(this);
    Q_EMIT connected();
    if (!self)
        return;
    --m_inCallback;
    // Bytes that arrived with the end of the TLS handshake were announced while Connecting.
    if (m_state == State::Connected)
        readAvailable();
}

void Connection::onReadyRead()
{
    if (m_pendingDelivery || m_state == State::Connecting || m_state == State::Closed)
        return;
    readAvailable();
}

void Connection::readAvailable()
{
    QPointer<Connection> self(this);
    while (m_socket && m_state != State::Closed) {
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return;
        // resize() within the capacity reuses the allocation.
        m_readBuffer.resize(available);
        const qint64 got = m_socket->read(m_readBuffer.data(), available);
        if (got <= 0)
            return;
        m_deadlines.touch(Deadlines::Kind::ReadIdle);
        ++m_inCallback;
        Q_EMIT received(QByteArrayView(m_readBuffer.constData(), got));
        if (!self)
            return;
        --m_inCallback;
    }
}

void Connection::onSocketError()
{
    if (!m_socket)
        return;
    const QAbstractSocket::SocketError error = m_socket->error();
    if (m_state == State::Connecting) {
        const bool tls = error == QAbstractSocket::SslHandshakeFailedError || !m_sslErrors.isEmpty()
            || (qobject_cast<QSslSocket *>(m_socket)
                && m_socket->state() == QAbstractSocket::ConnectedState);
        QString message = m_socket->errorString();
        if (!m_sslErrors.isEmpty())
            message += QStringLiteral(" (") + m_sslErrors + QLatin1Char(')');
        m_state = State::Closed;
        m_deadlines.stopAll();
        m_socket->abort();
        const Failure failure = tls ? Failure::TlsFailed : Failure::ConnectFailed;
        QMetaObject::invokeMethod(
            this, [this, failure, message] { Q_EMIT connectFailed(failure, message); },
            Qt::QueuedConnection);
        return;
    }
    if (error != QAbstractSocket::RemoteHostClosedError && m_lastError.isEmpty())
        m_lastError = m_socket->errorString();
    if (m_socket->state() == QAbstractSocket::UnconnectedState)
        onSocketDisconnected();
    else if (error == QAbstractSocket::RemoteHostClosedError
        && qobject_cast<QSslSocket *>(m_socket))
        m_socket->disconnectFromHost(); // a TLS close_notify: QSslSocket stays connected
}

void Connection::onSocketDisconnected()
{
    if (m_state == State::Closed)
        return;
    if (m_state == State::Connecting) {
        m_state = State::Closed;
        m_deadlines.stopAll();
        const QString message = m_sslErrors.isEmpty()
            ? QStringLiteral("connection closed while connecting")
            : m_sslErrors;
        const Failure failure = m_sslErrors.isEmpty() ? Failure::ConnectFailed : Failure::TlsFailed;
        QMetaObject::invokeMethod(
            this, [this, failure, message] { Q_EMIT connectFailed(failure, message); },
            Qt::QueuedConnection);
        return;
    }
    if (m_pendingDelivery) {
        m_disconnectPending = true;
        return;
    }
    // Bytes that arrived with the FIN are still buffered: they come before the end.
    QPointer<Connection> self(this);
    readAvailable();
    if (!self)
        return;
    finish(m_lastError);
}

void Connection::finish(const QString &errorString)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_deadlines.stop(Deadlines::Kind::Connect);
    // Queued, so that the owner never learns of the end inside its own call (closeAfterWrites,
    // a write) and never while a socket callback is on the stack.
    QMetaObject::invokeMethod(
        this, [this, errorString] { Q_EMIT disconnected(errorString); }, Qt::QueuedConnection);
}

void Connection::onConnectDeadline(Deadlines::Kind kind, std::chrono::milliseconds duration)
{
    if (kind != Deadlines::Kind::Connect || m_state != State::Connecting)
        return;
    m_state = State::Closed;
    if (m_socket)
        m_socket->abort();
    Q_EMIT connectFailed(
        Failure::Timeout, QStringLiteral("connect timeout after %1 ms").arg(duration.count()));
}

void Connection::write(QByteArray bytes)
{
    if (m_state != State::Connected || !m_writeQueue)
        return; // closing or gone: nothing more can reach the peer
    m_writeQueue->enqueue(std::move(bytes));
}

void Connection::flush()
{
    if (m_writeQueue && m_state == State::Connected)
        m_writeQueue->flush();
}

void Connection::closeAfterWrites()
{
    if (m_state != State::Connected || !m_socket)
        return;
    m_writeQueue->flush();
    m_state = State::Closing;
    if (m_pendingDelivery)
        m_pendingDelivery = false; // nothing more will be read
    // Waits for the socket's buffer to empty, then closes; disconnected() follows.
    m_socket->disconnectFromHost();
    if (m_socket && m_socket->state() == QAbstractSocket::UnconnectedState)
        finish(m_lastError);
}

void Connection::abort()
{
    m_state = State::Closed;
    m_deadlines.stopAll();
    if (m_writeQueue)
        m_writeQueue->discard();
    if (m_socket)
        m_socket->abort();
}

bool Connection::isEncrypted() const
{
    const auto *ssl = qobject_cast<const QSslSocket *>(m_socket.data());
    return ssl && ssl->isEncrypted();
}

qint64 Connection::bufferedAmount() const
{
    return m_writeQueue ? m_writeQueue->bufferedAmount() : 0;
}

QHostAddress Connection::peerAddress() const
{
    return m_socket ? m_socket->peerAddress() : QHostAddress();
}

quint16 Connection::peerPort() const
{
    return m_socket ? m_socket->peerPort() : 0;
}

} // namespace qtws::transport
