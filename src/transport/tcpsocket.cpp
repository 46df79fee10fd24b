// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/tcpsocket_p.h"

#include <QtCore/QMetaObject>
#include <QtCore/QPointer>

namespace qtws::transport {

TcpSocket::TcpSocket(QObject *parent) : QAbstractSocket(QAbstractSocket::TcpSocket, parent) { }

qint64 TcpSocket::readData(char *data, qint64 maxSize)
{
    const qint64 got = QAbstractSocket::readData(data, maxSize);
    // -1 from an unbuffered socket that was connected: EOF or an error; Qt has closed the socket
    // without a signal.
    if (got < 0 && isUnbuffered(this) && state() == UnconnectedState)
        reportEnd();
    return got;
}

qint64 TcpSocket::writeData(const char *data, qint64 size)
{
    const qint64 written = QAbstractSocket::writeData(data, size);
    if (written < 0 && isUnbuffered(this))
        reportEnd();
    return written;
}

void TcpSocket::reportEnd()
{
    if (m_endReported)
        return;
    m_endReported = true;
    // Queued: the reader is still inside read(); buffered Qt reports the end from its own
    // notifier, never from inside the caller's read() either.
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (state() != UnconnectedState) {
                // A write error on a socket Qt still holds open: close it as buffered Qt does.
                Q_EMIT errorOccurred(error());
                abort();
                return;
            }
            const QPointer<TcpSocket> self(this);
            Q_EMIT errorOccurred(error());
            if (!self)
                return;
            Q_EMIT stateChanged(UnconnectedState);
            if (!self)
                return;
            Q_EMIT readChannelFinished();
            if (!self)
                return;
            Q_EMIT disconnected();
        },
        Qt::QueuedConnection);
}

} // namespace qtws::transport
