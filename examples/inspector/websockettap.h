// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "composer.h"
#include "logentry.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <QtWs/websocket.h>

namespace inspector {

class LogModel;
class Statistics;

// Everything one WebSocket does, written into a log and counted in statistics: the messages,
// pings and pongs both ways (the library's automatic pongs included), the close frames, the
// errors. Sending goes through here too, so that what the Inspector sends is logged exactly as
// it was handed to the WebSocket. The client view and every client of the server view use one.
//
// A flood cannot starve the window: the WebSocket delivers every message it decoded from one
// socket read in one go (tens of thousands for a fast peer), so after messagesPerTurn messages
// in one event-loop turn the tap pauses its reading (WebSocket::setReadPaused) until the next
// turn, when timers, input and painting have had their go. TCP flow control slows the peer
// meanwhile; nothing is dropped.
class WebSocketTap : public QObject
{
    Q_OBJECT
public:
    static constexpr int messagesPerTurn = 500;

    // log and stats outlive the tap; extraStats (a server's totals) may be null.
    WebSocketTap(qtws::WebSocket *ws, LogModel *log, Statistics *stats,
        Statistics *extraStats = nullptr, QObject *parent = nullptr);

    qtws::WebSocket *webSocket() const { return m_ws; }

    // Each returns false with *error set when the input or the connection state refuses it.
    bool send(const ComposedMessage &message, const QString &text, QString *error);
    // payload: at most 125 bytes (RFC 6455 §5.5).
    bool ping(const QByteArray &payload, QString *error);
    // A code that may be sent (RFC 6455 §7.4) and a reason of at most 123 UTF-8 bytes.
    bool close(int code, const QString &reason, QString *error);

    // A line of this side's own (connected, an error), logged as a local event.
    void note(const QString &text);

Q_SIGNALS:
    // After every message in or out (for counters that are not Statistics).
    void trafficChanged();

private:
    void logIncoming(LogEntry entry);
    void logOutgoing(LogEntry entry);
    void throttle();

    QPointer<qtws::WebSocket> m_ws;
    LogModel *m_log;
    Statistics *m_stats;
    Statistics *m_extraStats;
    int m_messagesThisTurn = 0;
};

} // namespace inspector
