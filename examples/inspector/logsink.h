// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>

namespace inspector {

class LogModel;
class Statistics;

// Where one connection's events are written: the QML side (Exchange.qml, around a `WebSocket`
// of `import QtWs`) calls these for every message, ping, pong and close both ways, and for
// what it notices (connected, an error); the sink turns them into log entries and counters.
// The client view and every client of the server view have one.
//
// A flood cannot starve the window: the WebSocket delivers every message it decoded from one
// socket read in one go (tens of thousands for a fast peer), so after messagesPerTurn messages
// in one event-loop turn the sink sets the socket's `readPaused` until the next turn, when
// timers, input and painting have had their go. TCP flow control slows the peer meanwhile;
// nothing is dropped.
class LogSink : public QObject
{
    Q_OBJECT
    // The QML WebSocket whose readPaused the sink sets (any object with that property).
    Q_PROPERTY(QObject *socket READ socket WRITE setSocket NOTIFY socketChanged)

public:
    static constexpr int messagesPerTurn = 500;

    // log and stats outlive the sink; extraStats (a server's totals) may be null.
    LogSink(LogModel *log, Statistics *stats, Statistics *extraStats = nullptr,
        QObject *parent = nullptr);

    QObject *socket() const { return m_socket; }
    void setSocket(QObject *socket);

    // ---- what arrived ----
    Q_INVOKABLE void textReceived(const QString &message);
    Q_INVOKABLE void binaryReceived(const QByteArray &message);
    // The WebSocket answers every ping itself (RFC 6455 §5.5.2): logs the answer it sent too.
    Q_INVOKABLE void pingReceived(const QByteArray &payload);
    // roundTripMs: -1 for a pong nobody asked for.
    Q_INVOKABLE void pongReceived(qint64 roundTripMs, const QByteArray &payload);
    // The connection ended with the peer's close frame (code, reason), or without one.
    Q_INVOKABLE void closed(int code, const QString &reason);

    // ---- what was sent, exactly as handed to the WebSocket ----
    Q_INVOKABLE void textSent(const QString &message, int fragments = 1);
    Q_INVOKABLE void binarySent(const QByteArray &message, int fragments = 1);
    Q_INVOKABLE void pingSent(const QString &payload);
    Q_INVOKABLE void closeSent(int code, const QString &reason);
    // The connection failed (a refused handshake, a TLS error, a protocol error…): error as
    // the WebSocket tells it, code the one it ended with.
    Q_INVOKABLE void failed(int code, const QString &error);

    // A line of this side's own (connected, an error), logged as a local event.
    Q_INVOKABLE void note(const QString &text);

Q_SIGNALS:
    void socketChanged();
    // After every message in or out (for counters that are not Statistics).
    void trafficChanged();
    // closed() was called: the connection is over.
    void ended(int code);

private:
    void logIncoming(LogEntry entry);
    void logOutgoing(LogEntry entry);
    void throttle();
    void setReadPaused(bool paused);

    QPointer<QObject> m_socket;
    LogModel *m_log;
    Statistics *m_stats;
    Statistics *m_extraStats;
    int m_messagesThisTurn = 0;
    bool m_pausedByUs = false;
};

} // namespace inspector
