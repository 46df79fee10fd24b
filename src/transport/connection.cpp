// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/connection_p.h"

#include "transport/halfclose_p.h"
#include "transport/logging_p.h"
#include "transport/tcpsocket_p.h"

#include <QtCore/QMetaObject>
#include <QtCore/QScopeGuard>
#include <QtNetwork/QAuthenticator>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

namespace qtws::transport {

namespace {

bool isProxyError(QAbstractSocket::SocketError error)
{
    switch (error) {
    case QAbstractSocket::ProxyAuthenticationRequiredError:
    case QAbstractSocket::ProxyConnectionRefusedError:
    case QAbstractSocket::ProxyConnectionClosedError:
    case QAbstractSocket::ProxyConnectionTimeoutError:
    case QAbstractSocket::ProxyNotFoundError:
    case QAbstractSocket::ProxyProtocolError: return true;
    default: return false;
    }
}

} // namespace

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
    QAbstractSocket *socket = m_socket;
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

void Connection::setUpSocket(QAbstractSocket *socket)
{
    m_socket = socket;
    // Qt asks for proxy credentials on a 407 when it has none or the ones it sent were refused;
    // leaving the authenticator empty makes it fail, and the message says why.
    connect(socket, &QAbstractSocket::proxyAuthenticationRequired, this,
        [this](const QNetworkProxy &, QAuthenticator *) { m_proxyAuthRequested = true; });
    socket->setParent(this);
    m_writeQueue = new WriteQueue(socket, this);
    connect(m_writeQueue, &WriteQueue::bytesWritten, this, [this](qint64 bytes) {
        m_deadlines.touch(Deadlines::Kind::WriteIdle);
        Q_EMIT bytesWritten(bytes);
    });
    connect(m_writeQueue, &WriteQueue::drained, this, [this] {
        if (m_state == State::Closing && m_halfCloseWhenDrained)
            halfClose();
        Q_EMIT drained();
    });
    connect(socket, &QIODevice::readyRead, this, &Connection::onReadyRead);
    connect(socket, &QAbstractSocket::errorOccurred, this, &Connection::onSocketError);
    connect(socket, &QAbstractSocket::disconnected, this, &Connection::onSocketDisconnected);
}

void Connection::connectToHost(const ConnectSpec &spec)
{
    Q_ASSERT(m_state == State::Idle);
    m_state = State::Connecting;
    m_deadlines.start(Deadlines::Kind::Connect, spec.connectTimeout);
    m_proxyHost = spec.proxy.type() == QNetworkProxy::NoProxy
        ? QString()
        : QStringLiteral("%1:%2").arg(spec.proxy.hostName()).arg(spec.proxy.port());
    m_proxyHasCredentials = !spec.proxy.user().isEmpty();
    // HTTP CONNECT is done here rather than by Qt's HttpProxy engine, which reports a 407 from
    // common proxies (tinyproxy: HTTP/1.0, Connection: close) as a bare protocol error.
    const bool tunnel = spec.proxy.type() == QNetworkProxy::HttpProxy;
    const QNetworkProxy socketProxy = tunnel ? QNetworkProxy(QNetworkProxy::NoProxy) : spec.proxy;
    if (tunnel)
        m_tunnelRequest = connectRequest(spec);

    QAbstractSocket *socket = nullptr;
    // A direct plain TCP connection is unbuffered (tcpsocket_p.h); through a proxy engine Qt's
    // buffers stay.
    const bool unbuffered = !spec.tls && socketProxy.type() == QNetworkProxy::NoProxy;
    if (!spec.tls) {
        socket = unbuffered ? static_cast<QAbstractSocket *>(new TcpSocket) : new QTcpSocket;
        setUpSocket(socket);
        socket->setProxy(socketProxy);
        if (!tunnel)
            connect(socket, &QAbstractSocket::connected, this, &Connection::onConnected);
    } else {
        auto *ssl = new QSslSocket;
        socket = ssl;
        setUpSocket(ssl);
        ssl->setProxy(socketProxy);
        ssl->setSslConfiguration(spec.sslConfiguration);
        // Through a tunnel the socket's peer is the proxy: SNI and verification need the
        // target's name.
        if (!spec.peerVerifyName.isEmpty())
            ssl->setPeerVerifyName(spec.peerVerifyName);
        else if (tunnel)
            ssl->setPeerVerifyName(spec.host);
        if (spec.insecureSkipTlsVerification) {
            qCWarning(lcTransport).nospace()
                << "TLS certificate verification is OFF for " << spec.host << ":" << spec.port
                << " (insecureSkipTlsVerification): the peer is not authenticated";
            ssl->setPeerVerifyMode(QSslSocket::VerifyNone);
        }
        connect(ssl, &QSslSocket::encrypted, this, &Connection::onConnected);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            for (const QSslError &error : errors) {
                if (!m_sslErrors.isEmpty())
                    m_sslErrors += QStringLiteral("; ");
                m_sslErrors += error.errorString();
            }
        });
    }
    if (tunnel) {
        connect(socket, &QAbstractSocket::connected, this, [this] {
            if (m_socket && m_state == State::Connecting)
                m_socket->write(m_tunnelRequest);
        });
        socket->connectToHost(spec.proxy.hostName(), spec.proxy.port());
        return;
    }
    if (spec.tls)
        // The host name given here is the one SNI sends and the certificate is checked against.
        static_cast<QSslSocket *>(socket)->connectToHostEncrypted(spec.host, spec.port);
    else
        socket->connectToHost(spec.host, spec.port,
            unbuffered ? TcpSocket::openMode : QIODevice::OpenMode(QIODevice::ReadWrite));
}

QByteArray Connection::connectRequest(const ConnectSpec &spec)
{
    QByteArray authority = spec.host.toUtf8();
    if (authority.contains(':'))
        authority = '[' + authority + ']';
    authority += ':' + QByteArray::number(spec.port);
    QByteArray request = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!spec.proxy.user().isEmpty()) {
        const QByteArray credentials
            = spec.proxy.user().toUtf8() + ':' + spec.proxy.password().toUtf8();
        request += "Proxy-Authorization: Basic " + credentials.toBase64() + "\r\n";
    }
    return request + "\r\n";
}

void Connection::readTunnelResponse()
{
    // The proxy's answer head: status line and fields up to the blank line, nothing after it
    // (the proxy sends nothing more until the client speaks through the tunnel).
    constexpr qsizetype maxHead = 16 * 1024;
    m_tunnelResponse += m_socket->read(maxHead + 1 - m_tunnelResponse.size());
    const qsizetype end = m_tunnelResponse.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_tunnelResponse.size() > maxHead)
            failConnect(Failure::ProxyFailed,
                QStringLiteral("proxy %1 sent an answer head over %2 bytes")
                    .arg(m_proxyHost)
                    .arg(maxHead));
        return;
    }
    const QByteArray statusLine = m_tunnelResponse.left(m_tunnelResponse.indexOf("\r\n"));
    const QList<QByteArray> parts = statusLine.split(' ');
    bool ok = false;
    const int status
        = parts.size() >= 2 && parts.at(0).startsWith("HTTP/") ? parts.at(1).toInt(&ok) : 0;
    const QString line = QString::fromLatin1(statusLine.left(200));
    if (!ok) {
        failConnect(Failure::ProxyFailed,
            QStringLiteral("proxy %1 answered CONNECT with \"%2\"").arg(m_proxyHost, line));
        return;
    }
    // 407 is the standard answer; tinyproxy answers refused credentials with 401.
    if (status == 407 || status == 401) {
        failConnect(Failure::ProxyFailed,
            QStringLiteral("proxy %1 requires authentication (%2): %3")
                .arg(m_proxyHost, line,
                    m_proxyHasCredentials ? QStringLiteral("the credentials were refused")
                                          : QStringLiteral("no credentials were given")));
        return;
    }
    if (status < 200 || status > 299) {
        failConnect(Failure::ProxyFailed,
            QStringLiteral("proxy %1 refused the tunnel: %2").arg(m_proxyHost, line));
        return;
    }
    if (end + 4 != m_tunnelResponse.size() || m_socket->bytesAvailable() > 0) {
        failConnect(Failure::ProxyFailed,
            QStringLiteral("proxy %1 sent data before the tunnel was used").arg(m_proxyHost));
        return;
    }
    m_tunnelRequest.clear();
    m_tunnelResponse.clear();
    if (auto *ssl = qobject_cast<QSslSocket *>(m_socket.data()))
        ssl->startClientEncryption(); // encrypted() → onConnected()
    else
        onConnected();
}

void Connection::failConnect(Failure failure, const QString &message)
{
    m_state = State::Closed;
    m_deadlines.stopAll();
    if (m_socket)
        m_socket->abort();
    QMetaObject::invokeMethod(
        this, [this, failure, message] { Q_EMIT connectFailed(failure, message); },
        Qt::QueuedConnection);
}

void Connection::adopt(QAbstractSocket *socket, QByteArray leftover)
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
    if (m_leftover.isEmpty()) {
        // An empty buffer may still hold the capacity the handshake was read into (16 KiB and
        // more): an idle connection must not keep it (bench/compare `idle`).
        m_leftover = QByteArray();
    } else {
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
    if (m_state == State::Connecting && !m_tunnelRequest.isEmpty() && m_socket) {
        readTunnelResponse();
        return;
    }
    if (m_pendingDelivery || m_state == State::Connecting || m_state == State::Closed)
        return;
    readAvailable();
}

namespace {

// Unbuffered sockets are read straight into this buffer, one per thread, and handed up as a
// view: the codec copies (unmasks) what it keeps, so the connection itself holds no read buffer
// (bench/compare `idle`). 256 KiB per read keeps a 1 MiB message to a few system calls
// (bench/compare `large`).
constexpr qsizetype sharedReadSize = 256 * 1024;
constexpr int maxReadsPerNotification = 4;
struct SharedReadBuffer
{
    QByteArray bytes{sharedReadSize, Qt::Uninitialized};
    bool inUse = false; // a nested event loop inside received() reads another connection
};
thread_local SharedReadBuffer sharedRead;

} // namespace

void Connection::readAvailable()
{
    if (TcpSocket::isUnbuffered(m_socket))
        readUnbuffered();
    else
        readBuffered();
}

void Connection::readUnbuffered()
{
    QPointer<Connection> self(this);
    const bool shared = !sharedRead.inUse;
    QByteArray &buffer = shared ? sharedRead.bytes : m_readBuffer;
    if (!shared && buffer.size() < sharedReadSize)
        buffer.resize(sharedReadSize);
    if (shared)
        sharedRead.inUse = true;
    const auto release = qScopeGuard([shared] {
        if (shared)
            sharedRead.inUse = false;
    });
    // A few reads per notification, then back to the event loop: the replies of what was read
    // are written (WriteQueue flush) and other connections get their turn; the read notifier
    // fires again while bytes remain. Reading on while a client kept sending held the echo of
    // a 1 MiB message back behind the next ones (bench/compare `large`).
    for (int reads = 0; reads < maxReadsPerNotification && m_socket && m_state != State::Closed;
         ++reads) {
        // -1 (EOF, reset) is reported by the TcpSocket as errorOccurred and disconnected.
        const qint64 got = m_socket->read(buffer.data(), sharedReadSize);
        if (got <= 0)
            return;
        if (m_state == State::Closing)
            continue; // our side is done (closeAfterWrites): read so that the close does not
                      // reset the connection, and drop
        m_deadlines.touch(Deadlines::Kind::ReadIdle);
        ++m_inCallback;
        Q_EMIT received(QByteArrayView(buffer.constData(), got));
        if (!self)
            return;
        --m_inCallback;
        if (got < sharedReadSize)
            return; // the kernel had no more; the read notifier announces the next bytes
    }
}

void Connection::readBuffered()
{
    QPointer<Connection> self(this);
    while (m_socket && m_state != State::Closed) {
        const qint64 available = m_socket->bytesAvailable();
        if (available <= 0)
            return;
        if (m_state == State::Closing) {
            // Our side is done: what the peer still sends is read (so that closing the socket
            // does not reset the connection) and dropped.
            m_socket->skip(available);
            continue;
        }
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
        const bool proxy = isProxyError(error) || !m_tunnelRequest.isEmpty();
        QString message = m_socket->errorString();
        if (!m_sslErrors.isEmpty())
            message += QStringLiteral(" (") + m_sslErrors + QLatin1Char(')');
        if (proxy && m_proxyAuthRequested)
            message = QStringLiteral("proxy %1 requires authentication (407): %2 (%3)")
                          .arg(m_proxyHost,
                              m_proxyHasCredentials ? QStringLiteral("the credentials were refused")
                                                    : QStringLiteral("no credentials were given"),
                              message);
        else if (proxy)
            message = QStringLiteral("proxy %1: %2").arg(m_proxyHost, message);
        m_state = State::Closed;
        m_deadlines.stopAll();
        m_socket->abort();
        const Failure failure
            = proxy ? Failure::ProxyFailed : (tls ? Failure::TlsFailed : Failure::ConnectFailed);
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
        QString message = m_sslErrors.isEmpty()
            ? QStringLiteral("connection closed while connecting")
            : m_sslErrors;
        Failure failure = m_sslErrors.isEmpty() ? Failure::ConnectFailed : Failure::TlsFailed;
        if (!m_tunnelRequest.isEmpty()) {
            failure = Failure::ProxyFailed;
            message = QStringLiteral("proxy %1 closed the connection before answering CONNECT")
                          .arg(m_proxyHost);
        }
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
        m_pendingDelivery = false; // nothing more will be delivered
    if (qobject_cast<QSslSocket *>(m_socket)) {
        // TLS ends with its close_notify, which QSslSocket sends after the pending data before
        // closing; it has no half-close of its own.
        closeWhenWritten();
        return;
    }
    // Plain TCP (RFC 6455 §7.1.1): once everything queued is on the wire, send a FIN, read and
    // drop until the peer's FIN, and only then close: disconnected() follows the peer's close.
    // The owner bounds the wait (WebSocket's close timeout) and aborts past it.
    if (m_writeQueue->bufferedAmount() == 0)
        halfClose();
    else
        m_halfCloseWhenDrained = true; // the drained() handler half-closes
}

void Connection::halfClose()
{
    m_halfCloseWhenDrained = false;
    if (!m_socket)
        return;
    if (m_socket->state() != QAbstractSocket::ConnectedState || !shutdownSending(m_socket)) {
        // Nothing to half-close (the peer is gone, or no descriptor, as behind Qt's own
        // proxy engines): close the ordinary way.
        closeWhenWritten();
        return;
    }
    readAvailable(); // what arrived already is dropped; later reads are dropped as they come
}

// Closes once the socket's buffer is written; disconnected() follows.
void Connection::closeWhenWritten()
{
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
