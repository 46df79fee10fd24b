// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/writequeue_p.h"

#include <QtCore/QIODevice>
#include <QtCore/QMetaObject>

namespace qtws::transport {

WriteQueue::WriteQueue(QIODevice *device, QObject *parent) : QObject(parent), m_device(device)
{
    Q_ASSERT(device);
    connect(device, &QIODevice::bytesWritten, this, &WriteQueue::onDeviceBytesWritten);
}

void WriteQueue::enqueue(QByteArray bytes)
{
    if (bytes.isEmpty())
        return;
    // The first block of a turn is adopted, not copied; later ones are appended to it.
    if (m_pending.isEmpty())
        m_pending = std::move(bytes);
    else
        m_pending.append(bytes);
    if (!m_flushScheduled) {
        m_flushScheduled = true;
        QMetaObject::invokeMethod(this, &WriteQueue::flush, Qt::QueuedConnection);
    }
}

void WriteQueue::flush()
{
    m_flushScheduled = false;
    if (!m_device || !m_device->isOpen()) {
        // Closed under us (abort, peer reset): nothing queued can be delivered any more.
        m_pending.clear();
        return;
    }
    if (m_pending.isEmpty())
        return;
    const qint64 written = m_device->write(m_pending);
    if (written < 0) {
        // The device refused the data (closed or failed): it cannot be delivered. The owner
        // learns why from the device's own error signal.
        m_pending.clear();
        return;
    }
    // QAbstractSocket buffers everything it is given; a device that takes less gets the rest
    // when it reports progress (onDeviceBytesWritten).
    m_pending.remove(0, written);
}

void WriteQueue::discard()
{
    m_pending.clear();
}

qint64 WriteQueue::bufferedAmount() const
{
    return m_pending.size() + (m_device ? m_device->bytesToWrite() : 0);
}

void WriteQueue::onDeviceBytesWritten(qint64 bytes)
{
    Q_EMIT bytesWritten(bytes);
    if (!m_pending.isEmpty() && !m_flushScheduled)
        flush();
    if (bufferedAmount() == 0)
        Q_EMIT drained();
}

} // namespace qtws::transport
