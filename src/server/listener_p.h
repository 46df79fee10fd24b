// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws::http {

// The listening socket. It hands over every accepted connection at once, as a QAbstractSocket or,
// with a TLS configuration, as a QSslSocket whose server handshake has started. Unlike
// QSslServer, which queues a connection only after its handshake, this lets the connection's
// header timeout cover the TLS handshake too: a client that connects and then stalls the
// handshake is cut off like one that stalls its request head.
class Listener : public QTcpServer
{
    Q_OBJECT

public:
    explicit Listener(std::optional<QSslConfiguration> tls, QObject *parent = nullptr);

    // With a dispatcher, accepted descriptors go to it instead of becoming sockets here (the
    // multi-threaded server makes the socket in a worker thread, so that it lives there).
    void setDispatcher(std::function<void(qintptr)> dispatch) { m_dispatch = std::move(dispatch); }
    // The socket for an accepted descriptor, in the calling thread: unbuffered plain TCP
    // (transport::TcpSocket) or a QSslSocket whose server handshake has started. nullptr (the
    // descriptor closed) when it cannot be adopted.
    static QAbstractSocket *adoptDescriptor(
        qintptr descriptor, const std::optional<QSslConfiguration> &tls);

Q_SIGNALS:
    // A new connection; the receiver takes ownership of socket (which has no parent).
    void socketAccepted(QAbstractSocket *socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
    std::function<void(qintptr)> m_dispatch;
};

} // namespace qtws::http
