// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace qtws::transport {

// Coalesces the small writes of one event-loop turn into one QIODevice::write; large blocks
// (a big message) are queued without a copy and written as they are.
//
// Why: a WebSocket sends many small frames (a message, a pong, a close echo) in one turn, and
// each QAbstractSocket::write costs several µs of bookkeeping here; appending to one buffer and
// handing it over once per turn is what makes small-message echo fast (see DESIGN.md, "Hot
// paths"). The flush is a queued call, so it runs after the code that enqueued returns to the
// event loop.
class WriteQueue : public QObject
{
    Q_OBJECT

public:
    explicit WriteQueue(QIODevice *device, QObject *parent = nullptr);

    // Queues bytes for the device; they are written, with everything else queued in this turn,
    // when control returns to the event loop.
    void enqueue(QByteArray bytes);
    // Hands everything queued to the device now (before a close, or from a blocking caller).
    void flush();
    // Drops what has not been handed to the device yet (abort).
    void discard();

    // Bytes queued here and not yet handed to the device.
    qint64 pendingBytes() const { return m_pendingBytes; }
    // Bytes accepted but not yet on the wire: pending here plus the device's own buffer.
    qint64 bufferedAmount() const;

Q_SIGNALS:
    // bufferedAmount() went back to 0 after bytes were written.
    void drained();
    // The device wrote bytes (plaintext for TLS sockets).
    void bytesWritten(qint64 bytes);

private:
    void onDeviceBytesWritten(qint64 bytes);
    void scheduledFlush();
    void reportDirectWrite(qint64 bytes);

    QPointer<QIODevice> m_device;
    // What is queued, in order: small writes of a turn merged into one block, large ones as
    // they came (see writequeue.cpp); m_head bytes of the first block are written.
    QList<QByteArray> m_blocks; // not std::deque: that allocates ~600 bytes when constructed
    qsizetype m_head = 0;
    qint64 m_pendingBytes = 0;
    bool m_flushScheduled = false;
    bool m_inScheduledFlush = false;
    qint64 m_unreported = 0; // written straight to the kernel outside a scheduled flush
};

} // namespace qtws::transport
