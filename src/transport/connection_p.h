// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "transport/deadlines_p.h"
#include "transport/writequeue_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QSslConfiguration>

#include <chrono>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws::transport {

// One socket-owning byte stream, client or server side: connect (TCP or TLS) or adopt an
// accepted socket, hand every received byte to the owner, write through a per-turn WriteQueue,
// close gracefully after pending writes or abort. Owns the connection's Deadlines. Knows
// nothing of HTTP or WebSocket: the owner decides what the bytes mean and when to close.
//
// Signals are emitted from socket callbacks; the owner may delete the Connection from a slot
// (the socket is then released with deleteLater, never under its own feet).
class Connection : public QObject
{
    Q_OBJECT

public:
    enum class State {
        Idle, // nothing started
        Connecting, // DNS, TCP connect, TLS handshake
        Connected, // bytes flow
        Closing, // closeAfterWrites(): writing what is pending, then the FIN; reads are dropped
        Closed, // the socket is gone (peer EOF, reset, our close or abort)
    };
    Q_ENUM(State)

    enum class Failure {
        ConnectFailed, // DNS, TCP refused, reset while connecting
        TlsFailed, // the TLS handshake failed (certificate verification, protocol)
        ProxyFailed, // the proxy refused, failed or asked for credentials (407)
        Timeout, // the Connect deadline fired
    };
    Q_ENUM(Failure)

    struct ConnectSpec
    {
        QString host;
        quint16 port = 0;
        bool tls = false;
        QSslConfiguration sslConfiguration;
        // Turns peer verification off (VerifyNone); logged as a warning on every connection.
        bool insecureSkipTlsVerification = false;
        // The name SNI sends and the certificate is verified against; empty: host.
        QString peerVerifyName;
        // NoProxy connects directly. HttpProxy tunnels with CONNECT and Socks5Proxy through
        // SOCKS5, both resolving host at the proxy; TLS runs end to end inside the tunnel.
        QNetworkProxy proxy{QNetworkProxy::NoProxy};
        // TCP connect and TLS handshake together; zero disables.
        std::chrono::milliseconds connectTimeout{0};
    };

    explicit Connection(QObject *parent = nullptr);
    ~Connection() override;

    // Client: starts connecting. Ends in connected() or connectFailed().
    void connectToHost(const ConnectSpec &spec);
    // Server: takes ownership of an already connected (for TLS: already encrypted) socket.
    // leftover is what was read from it before and not consumed; it is delivered by
    // deliverPending() ahead of anything the socket still holds.
    void adopt(QAbstractSocket *socket, QByteArray leftover = {});
    // Delivers the leftover bytes and whatever the socket already buffered through received(),
    // then keeps reading as bytes arrive. Call once the owner's signal connections are made.
    void deliverPending();

    // Queues bytes; everything queued in one event-loop turn goes out in one socket write.
    void write(QByteArray bytes);
    void flush();
    // Writes everything pending, then closes the TCP connection (disconnected() follows).
    void closeAfterWrites();
    // Drops the connection at once; pending data is discarded. Emits nothing.
    void abort();

    State state() const { return m_state; }
    bool isEncrypted() const;
    qint64 bufferedAmount() const;
    QHostAddress peerAddress() const;
    quint16 peerPort() const;
    QAbstractSocket *socket() const { return m_socket; }
    Deadlines *deadlines() { return &m_deadlines; }

Q_SIGNALS:
    // TCP (and TLS) established; bytes may be written.
    void connected();
    void connectFailed(qtws::transport::Connection::Failure failure, const QString &message);
    // Bytes from the peer; the view is valid only during the call.
    void received(QByteArrayView bytes);
    // The connection ended after connected(): peer EOF, a reset, or closeAfterWrites() done.
    // errorString is empty for an orderly end.
    void disconnected(const QString &errorString);
    void bytesWritten(qint64 bytes);
    // bufferedAmount() went back to 0.
    void drained();

private:
    void setUpSocket(QAbstractSocket *socket);
    void onConnected();
    void onReadyRead();
    void onSocketError();
    void onSocketDisconnected();
    void onConnectDeadline(Deadlines::Kind kind, std::chrono::milliseconds duration);
    void readAvailable();
    void readUnbuffered();
    void readBuffered();
    static QByteArray connectRequest(const ConnectSpec &spec);
    void readTunnelResponse();
    void failConnect(Failure failure, const QString &message);
    void finish(const QString &errorString);
    void releaseSocket();
    void halfClose();
    void closeWhenWritten();

    QPointer<QAbstractSocket> m_socket;
    WriteQueue *m_writeQueue = nullptr;
    Deadlines m_deadlines;
    State m_state = State::Idle;
    QByteArray m_leftover;
    // Reused for every read, so reading allocates only when a burst exceeds its capacity.
    QByteArray m_readBuffer;
    QString m_sslErrors;
    QString m_lastError;
    QString m_proxyHost; // "host:port" of the proxy in use, empty for none
    bool m_proxyHasCredentials = false;
    bool m_proxyAuthRequested = false; // the proxy answered 407
    // HTTP CONNECT: the request, kept until the proxy's 2xx; the answer head read so far.
    QByteArray m_tunnelRequest;
    QByteArray m_tunnelResponse;
    // adopt(): received() waits for deliverPending(), so the leftover bytes come first.
    bool m_pendingDelivery = false;
    bool m_disconnectPending = false;
    // closeAfterWrites() on plain TCP: send the FIN once the write queue has drained.
    bool m_halfCloseWhenDrained = false;
    // Depth of socket callbacks on the stack: the socket must outlive them.
    int m_inCallback = 0;
};

} // namespace qtws::transport
