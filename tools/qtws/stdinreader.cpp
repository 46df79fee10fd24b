// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "stdinreader.h"

#include "common.h"

#include <QtCore/QPointer>

#include <cerrno>
#include <cstring>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cli {

StdinReader::StdinReader(QObject *parent)
    : QObject(parent), m_notifier(STDIN_FILENO, QSocketNotifier::Read)
{
    m_notifier.setEnabled(false);
    connect(&m_notifier, &QSocketNotifier::activated, this, &StdinReader::readAvailable);
}

void StdinReader::start()
{
    m_started = true;
    m_notifier.setEnabled(!m_paused && !m_finished);
}

void StdinReader::setPaused(bool paused)
{
    m_paused = paused;
    m_notifier.setEnabled(m_started && !m_paused && !m_finished);
}

void StdinReader::readAvailable()
{
    // One read per wake-up: the notifier fires again while more is there, so a long input
    // cannot starve the connection's own events.
    char chunk[64 * 1024];
    const ssize_t got = ::read(STDIN_FILENO, chunk, sizeof chunk);
    if (got < 0) {
        if (errno == EINTR || errno == EAGAIN)
            return;
        printError(u"reading standard input: "_s + QString::fromLocal8Bit(std::strerror(errno)));
        finish();
        return;
    }
    if (got == 0) {
        finish();
        return;
    }
    m_buffer.append(chunk, got);

    QPointer<StdinReader> guard(this);
    qsizetype start = 0;
    while (guard) {
        const qsizetype end = m_buffer.indexOf('\n', start);
        if (end < 0)
            break;
        qsizetype length = end - start;
        if (length > 0 && m_buffer.at(end - 1) == '\r')
            --length;
        const QByteArray line = m_buffer.mid(start, length);
        start = end + 1;
        Q_EMIT lineRead(line);
    }
    if (!guard)
        return;
    m_buffer.remove(0, start);
    while (m_buffer.size() >= maxLineBytes && guard) {
        const QByteArray piece = m_buffer.left(maxLineBytes);
        m_buffer.remove(0, maxLineBytes);
        Q_EMIT lineRead(piece);
    }
}

void StdinReader::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_notifier.setEnabled(false);
    QPointer<StdinReader> guard(this);
    if (!m_buffer.isEmpty()) {
        const QByteArray last = std::exchange(m_buffer, {});
        Q_EMIT lineRead(last);
    }
    if (guard)
        Q_EMIT finished();
}

} // namespace cli
