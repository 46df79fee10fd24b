// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtNetwork/QAbstractSocket>

namespace qtws::transport {

// A plain TCP socket opened in Qt's unbuffered mode (QIODevice::Unbuffered): read() goes
// straight to the kernel into the caller's buffer and write() straight to the kernel, so
// QAbstractSocket keeps no read or write ring buffer of its own. That is what makes an idle
// connection cheap (a buffered QTcpSocket keeps a 16 KiB read and a 32 KiB write chunk for
// the connection's life once it has read or written, bench/compare `idle`) and saves one copy of
// every byte each way (bench/compare `large`, `pipe64k`). Bytes the kernel did not take are
// still buffered by Qt and written on the next write notification.
//
// Qt's unbuffered TCP mode reports the end of the connection only to the read() or write() that
// met it (the socket silently becomes Unconnected; no errorOccurred(), no disconnected()). This
// class restores the buffered mode's signals: errorOccurred() then disconnected(), from the
// event loop, once, so that its users need not know which mode they got.
//
// It derives from QAbstractSocket, not QTcpSocket: QTcpSocket's constructor makes the socket
// buffered, and setSocketDescriptor() (how an accepted socket is adopted) ignores Unbuffered;
// a QAbstractSocket of type TcpSocket is unbuffered from the start. Hence the layers hold
// sockets as QAbstractSocket. TLS and proxied sockets stay buffered (QSslSocket and the proxy
// engines need Qt's buffers).
class TcpSocket : public QAbstractSocket
{
    Q_OBJECT

public:
    explicit TcpSocket(QObject *parent = nullptr);
    // The mode to open a TcpSocket in (connectToHost, setSocketDescriptor).
    static constexpr OpenMode openMode = ReadWrite | Unbuffered;

    // True for a socket whose reads go straight to the kernel (then read() into a caller's
    // buffer is the cheap way; bytesAvailable() costs a system call).
    static bool isUnbuffered(const QAbstractSocket *socket)
    {
        return socket && socket->openMode().testFlag(Unbuffered);
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    void reportEnd();
    bool m_endReported = false;
};

} // namespace qtws::transport
