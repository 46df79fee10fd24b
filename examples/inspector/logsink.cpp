// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "logsink.h"

#include "logmodel.h"
#include "statistics.h"

#include <QtCore/QTimer>

namespace inspector {

using Kind = LogEntry::Kind;

LogSink::LogSink(LogModel *log, Statistics *stats, Statistics *extraStats, QObject *parent)
    : QObject(parent), m_log(log), m_stats(stats), m_extraStats(extraStats)
{ }

void LogSink::setSocket(QObject *socket)
{
    if (socket == m_socket)
        return;
    m_socket = socket;
    m_pausedByUs = false;
    Q_EMIT socketChanged();
}

void LogSink::setReadPaused(bool paused)
{
    if (m_socket)
        m_socket->setProperty("readPaused", paused);
    m_pausedByUs = paused;
}

void LogSink::throttle()
{
    if (m_messagesThisTurn++ == 0) {
        // Runs on the next turn: a new budget, and reading again if the sink paused it.
        QTimer::singleShot(0, this, [this] {
            m_messagesThisTurn = 0;
            if (m_pausedByUs)
                setReadPaused(false);
        });
    }
    if (m_messagesThisTurn == messagesPerTurn)
        setReadPaused(true);
}

void LogSink::textReceived(const QString &message)
{
    QByteArray utf8 = message.toUtf8();
    const qint64 size = utf8.size();
    logIncoming({.kind = Kind::Text, .size = size, .payload = std::move(utf8)});
}

void LogSink::binaryReceived(const QByteArray &message)
{
    logIncoming({.kind = Kind::Binary, .size = message.size(), .payload = message});
}

void LogSink::pingReceived(const QByteArray &payload)
{
    logIncoming({.kind = Kind::Ping, .size = payload.size(), .payload = payload});
    logOutgoing({.kind = Kind::Pong, .size = payload.size(), .payload = payload});
}

void LogSink::pongReceived(qint64 roundTripMs, const QByteArray &payload)
{
    logIncoming({.kind = Kind::Pong,
        .size = payload.size(),
        .payload = payload,
        .roundTripMs = roundTripMs});
    if (roundTripMs < 0)
        return;
    m_stats->recordRoundTrip(roundTripMs);
    if (m_extraStats)
        m_extraStats->recordRoundTrip(roundTripMs);
}

void LogSink::closed(int code, const QString &reason)
{
    // 1005/1006/1015 are never on the wire (RFC 6455 §7.4.1): 1006 and 1015 mean no close
    // frame came; 1005 is a close frame without a code.
    if (code == 1006 || code == 1015) {
        note(QStringLiteral("connection dropped without a close frame (%1%2)")
                 .arg(code)
                 .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
    } else {
        QByteArray utf8 = reason.toUtf8();
        const qint64 size = utf8.size() + (code == 1005 ? 0 : 2);
        m_log->append({.direction = LogEntry::Direction::Incoming,
            .kind = Kind::Close,
            .size = size,
            .payload = std::move(utf8),
            .closeCode = code == 1005 ? 0 : code});
        Q_EMIT trafficChanged();
    }
    Q_EMIT ended(code);
}

void LogSink::textSent(const QString &message, int fragments)
{
    QByteArray utf8 = message.toUtf8();
    const qint64 size = utf8.size();
    logOutgoing({.kind = Kind::Text,
        .size = size,
        .payload = std::move(utf8),
        .fragments = qMax(fragments, 1)});
}

void LogSink::binarySent(const QByteArray &message, int fragments)
{
    logOutgoing({.kind = Kind::Binary,
        .size = message.size(),
        .payload = message,
        .fragments = qMax(fragments, 1)});
}

void LogSink::pingSent(const QString &payload)
{
    QByteArray utf8 = payload.toUtf8();
    const qint64 size = utf8.size();
    logOutgoing({.kind = Kind::Ping, .size = size, .payload = std::move(utf8)});
}

void LogSink::closeSent(int code, const QString &reason)
{
    QByteArray utf8 = reason.toUtf8();
    const qint64 size = utf8.size() + 2;
    logOutgoing({.kind = Kind::Close, .size = size, .payload = std::move(utf8), .closeCode = code});
}

void LogSink::failed(int code, const QString &error)
{
    note(QStringLiteral("%1 (closed with %2)").arg(error).arg(code));
    Q_EMIT ended(code);
}

void LogSink::logIncoming(LogEntry entry)
{
    throttle();
    entry.direction = LogEntry::Direction::Incoming;
    if (entry.kind == Kind::Text || entry.kind == Kind::Binary) {
        m_stats->recordIncoming(entry.size);
        if (m_extraStats)
            m_extraStats->recordIncoming(entry.size);
    }
    m_log->append(std::move(entry));
    Q_EMIT trafficChanged();
}

void LogSink::logOutgoing(LogEntry entry)
{
    entry.direction = LogEntry::Direction::Outgoing;
    if (entry.kind == Kind::Text || entry.kind == Kind::Binary) {
        m_stats->recordOutgoing(entry.size);
        if (m_extraStats)
            m_extraStats->recordOutgoing(entry.size);
    }
    m_log->append(std::move(entry));
    Q_EMIT trafficChanged();
}

void LogSink::note(const QString &text)
{
    m_log->append(
        {.direction = LogEntry::Direction::Local, .kind = Kind::Event, .payload = text.toUtf8()});
}

} // namespace inspector
