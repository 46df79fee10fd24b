// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/listener_p.h"

#include "server/logging_p.h"
#include "transport/tcpsocket_p.h"

#include <QtNetwork/QSslSocket>

#if defined(Q_OS_WIN)
#include <winsock2.h>
#else
#include <unistd.h>
#endif

namespace qtws::http {

Listener::Listener(std::optional<QSslConfiguration> tls, QObject *parent)
    : QTcpServer(parent), m_tls(std::move(tls))
{ }

void Listener::incomingConnection(qintptr descriptor)
{
    if (m_dispatch) {
        m_dispatch(descriptor);
        return;
    }
    if (QAbstractSocket *socket = adoptDescriptor(descriptor, m_tls))
        Q_EMIT socketAccepted(socket);
}

QAbstractSocket *Listener::adoptDescriptor(
    qintptr descriptor, const std::optional<QSslConfiguration> &tls)
{
    QAbstractSocket *socket = nullptr;
    QSslSocket *ssl = nullptr;
    if (tls) {
        ssl = new QSslSocket;
        ssl->setSslConfiguration(*tls);
        socket = ssl;
    } else {
        // Plain TCP is unbuffered: no Qt read or write buffer per connection (tcpsocket_p.h).
        socket = new transport::TcpSocket;
    }
    const QIODevice::OpenMode mode = ssl ? QIODevice::ReadWrite : transport::TcpSocket::openMode;
    if (!socket->setSocketDescriptor(descriptor, QAbstractSocket::ConnectedState, mode)) {
        qCWarning(lcServer) << "cannot adopt an accepted connection:" << socket->errorString();
        delete socket;
        // The descriptor is still ours: QTcpServer only closes those it never hands out.
#if defined(Q_OS_WIN)
        ::closesocket(SOCKET(descriptor));
#else
        ::close(int(descriptor));
#endif
        return nullptr;
    }
    if (ssl)
        ssl->startServerEncryption();
    return socket;
}

} // namespace qtws::http
