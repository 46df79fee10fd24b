// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Client keepalive (ClientOptions::keepaliveInterval/keepaliveTimeout) and the round-trip time.
#include "websocket/websocket_p.h"

namespace qtws {

using transport::Deadlines;

void WebSocketPrivate::startKeepalive()
{
    if (role == Role::Client && options.keepaliveInterval.count() > 0)
        deadlines()->start(Deadlines::Kind::KeepaliveInterval, options.keepaliveInterval);
}

void WebSocketPrivate::sendKeepalivePing()
{
    Deadlines *t = deadlines();
    t->start(Deadlines::Kind::KeepaliveInterval, options.keepaliveInterval);
    // Silence while paused is this side's doing: no ping that could not be answered in time.
    if (readPaused || state != WebSocket::State::Open)
        return;
    const QByteArray payload = "qtws-keepalive-" + QByteArray::number(++keepaliveSerial);
    if (conn->ping(payload) < 0)
        return;
    if (pings.size() >= maxPendingPings)
        pings.removeFirst();
    pings.append({payload, clock.elapsed()});
    keepalivePayload = payload;
    // The deadline runs from the oldest unanswered keepalive ping.
    if (!t->isActive(Deadlines::Kind::KeepalivePong))
        t->start(Deadlines::Kind::KeepalivePong,
            options.keepaliveTimeout.count() > 0 ? options.keepaliveTimeout
                                                 : options.keepaliveInterval);
    writeOutgoing();
}

void WebSocketPrivate::setRoundTripTime(qint64 ms)
{
    roundTripMs = ms;
    Q_EMIT q->roundTripTimeChanged(ms);
}

} // namespace qtws
