// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/writequeue_p.h"

#include <QtCore/QIODevice>
#include <QtCore/QMetaObject>

#include <algorithm>
#include <utility>

namespace qtws::transport {

namespace {

// Blocks at least this large are queued as they are (shared, never copied); smaller ones are
// appended to the last small block, so that a turn's frames still go out in one write
// (bench/compare `pipe16`). Appending a 1 MiB message to the turn's buffer instead copied it
// into an ever-reallocated buffer: half of the server's time in the 1 MiB echo
// (bench/compare `large`, perf).
constexpr qsizetype largeBlock = 64 * 1024;
// Most bytes handed to an unbuffered socket in one write(): what the kernel does not take, Qt
// copies into its own buffer, so this bounds that copy; the rest waits here until Qt's buffer
// is empty again.
// 64 KiB also keeps that copy below glibc's mmap threshold, so it reuses heap memory instead of
// faulting fresh pages in.
constexpr qsizetype writeSlice = 64 * 1024;

bool isUnbuffered(const QIODevice *device)
{
    return device->openMode().testFlag(QIODevice::Unbuffered);
}

} // namespace

WriteQueue::WriteQueue(QIODevice *device, QObject *parent) : QObject(parent), m_device(device)
{
    Q_ASSERT(device);
    connect(device, &QIODevice::bytesWritten, this, &WriteQueue::onDeviceBytesWritten);
}

void WriteQueue::enqueue(QByteArray bytes)
{
    if (bytes.isEmpty())
        return;
    m_pendingBytes += bytes.size();
    if (!m_blocks.isEmpty() && bytes.size() < largeBlock && m_blocks.last().size() < largeBlock)
        m_blocks.last().append(bytes);
    else
        m_blocks.append(std::move(bytes)); // adopted, not copied
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &WriteQueue::scheduledFlush, Qt::QueuedConnection);
    }
}

void WriteQueue::scheduledFlush()
{
    const QPointer<WriteQueue> self(this);
    m_inScheduledFlush = true;
    flush(); // a slot of bytesWritten() or drained() may delete this queue's owner
    if (self)
        m_inScheduledFlush = false;
}

void WriteQueue::flush()
{
    m_flushScheduled = false;
    if (!m_device || !m_device->isOpen()) {
        // Closed under us (abort, peer reset): nothing queued can be delivered any more.
        discard();
        return;
    }
    const bool unbuffered = isUnbuffered(m_device);
    qint64 direct = 0;
    while (!m_blocks.isEmpty()) {
        // An unbuffered socket gets more only once Qt's own buffer is empty: the kernel is
        // then taking bytes again, and no block is copied into Qt's buffer behind another.
        if (unbuffered && m_device->bytesToWrite() > 0)
            break;
        QByteArray &block = m_blocks.first();
        qint64 written = 0;
        qsizetype size = block.size() - m_head;
        if (unbuffered) {
            size = std::min(size, writeSlice);
            written = m_device->write(block.constData() + m_head, size);
            if (written > 0)
                direct += written - m_device->bytesToWrite();
        } else if (m_head == 0) {
            // A buffered device (TLS) keeps a large block by reference, not by copy.
            written = m_device->write(block);
        } else {
            written = m_device->write(block.constData() + m_head, size);
        }
        if (written < 0) {
            // The device refused the data (closed or failed): it cannot be delivered. The
            // owner learns why from the device's own error signal.
            discard();
            return;
        }
        m_pendingBytes -= written;
        m_head += written;
        if (m_head < block.size())
            break; // a device that took less reports progress (onDeviceBytesWritten)
        m_blocks.removeFirst();
        m_head = 0;
    }
    // An unbuffered socket wrote what the kernel took at once without a bytesWritten() signal
    // (Qt emits it only for what it had to buffer): report it here.
    if (direct > 0)
        reportDirectWrite(direct);
}

void WriteQueue::reportDirectWrite(qint64 bytes)
{
    // From the event loop, as buffered Qt does: never from inside a caller's flush().
    if (m_inScheduledFlush) {
        onDeviceBytesWritten(bytes);
        return;
    }
    m_unreported += bytes;
    if (m_unreported == bytes)
        QMetaObject::invokeMethod(
            this, [this] { onDeviceBytesWritten(std::exchange(m_unreported, 0)); },
            Qt::QueuedConnection);
}

void WriteQueue::discard()
{
    m_blocks.clear();
    m_head = 0;
    m_pendingBytes = 0;
    m_unreported = 0;
}

qint64 WriteQueue::bufferedAmount() const
{
    return m_pendingBytes + (m_device ? m_device->bytesToWrite() : 0);
}

void WriteQueue::onDeviceBytesWritten(qint64 bytes)
{
    if (bytes <= 0)
        return;
    const QPointer<WriteQueue> self(this);
    Q_EMIT bytesWritten(bytes);
    if (!self)
        return;
    if (!m_blocks.isEmpty() && !m_flushScheduled)
        flush();
    if (self && bufferedAmount() == 0)
        Q_EMIT drained();
}

} // namespace qtws::transport
