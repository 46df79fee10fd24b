// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/deadlines_p.h"

#include <QtCore/QTimerEvent>

namespace qtws::transport {

Deadlines::Deadlines(QObject *parent) : QObject(parent)
{
    m_clock.start();
}

void Deadlines::start(Kind kind, std::chrono::milliseconds duration)
{
    Deadline &d = m_deadlines[size_t(kind)];
    if (duration <= std::chrono::milliseconds::zero()) {
        d.timer.stop();
        return;
    }
    d.duration = duration;
    d.lastTouchedMs = m_clock.elapsed();
    // Precise timers: a deadline reported early or late by 5% would be a wrong error message.
    d.timer.start(int(duration.count()), Qt::PreciseTimer, this);
}

void Deadlines::touch(Kind kind)
{
    Deadline &d = m_deadlines[size_t(kind)];
    if (d.timer.isActive())
        d.lastTouchedMs = m_clock.elapsed();
}

void Deadlines::stop(Kind kind)
{
    m_deadlines[size_t(kind)].timer.stop();
}

void Deadlines::stopAll()
{
    for (Deadline &d : m_deadlines)
        d.timer.stop();
}

bool Deadlines::isActive(Kind kind) const
{
    return m_deadlines[size_t(kind)].timer.isActive();
}

std::chrono::milliseconds Deadlines::duration(Kind kind) const
{
    return m_deadlines[size_t(kind)].duration;
}

const char *Deadlines::name(Kind kind)
{
    switch (kind) {
    case Kind::Connect: return "connect";
    case Kind::Request: return "request";
    case Kind::ResponseHeader: return "response header";
    case Kind::WriteIdle: return "write idle";
    case Kind::ReadIdle: return "read idle";
    case Kind::Handshake: return "handshake";
    case Kind::Close: return "close";
    case Kind::KeepalivePong: return "keepalive pong";
    case Kind::ResponseBody: return "response body";
    case Kind::KeepaliveInterval: return "keepalive interval";
    }
    return "unknown";
}

void Deadlines::timerEvent(QTimerEvent *event)
{
    for (size_t i = 0; i < m_deadlines.size(); ++i) {
        Deadline &d = m_deadlines[i];
        if (event->timerId() != d.timer.timerId())
            continue;
        const qint64 idleMs = m_clock.elapsed() - d.lastTouchedMs;
        const qint64 leftMs = d.duration.count() - idleMs;
        if (leftMs > 0) {
            // Touched since it was armed: sleep for what is left of the new interval.
            d.timer.start(int(leftMs), Qt::PreciseTimer, this);
            return;
        }
        d.timer.stop();
        Q_EMIT expired(Kind(i), d.duration);
        return;
    }
    QObject::timerEvent(event);
}

} // namespace qtws::transport
