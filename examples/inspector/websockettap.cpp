// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websockettap.h"

#include "logmodel.h"
#include "statistics.h"

#include <QtCore/QTimer>
#include <QtWs/closecode.h>
#include <QtWs/websocket.h>

namespace inspector {

WebSocketTap::WebSocketTap(
    qtws::WebSocket *ws, LogModel *log, Statistics *stats, Statistics *extraStats, QObject *parent)
    : QObject(parent), m_ws(ws), m_log(log), m_stats(stats), m_extraStats(extraStats)
{
    using Kind = LogEntry::Kind;
    connect(ws, &qtws::WebSocket::textMessageReceived, this, [this](const QString &text) {
        QByteArray utf8 = text.toUtf8();
        const qint64 size = utf8.size();
        logIncoming({.kind = Kind::Text, .size = size, .payload = std::move(utf8)});
    });
    connect(ws, &qtws::WebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        logIncoming({.kind = Kind::Binary, .size = data.size(), .payload = data});
    });
    connect(ws, &qtws::WebSocket::pingReceived, this, [this](const QByteArray &payload) {
        logIncoming({.kind = Kind::Ping, .size = payload.size(), .payload = payload});
        // The WebSocket answers every ping itself (RFC 6455 §5.5.2); log the answer it sends.
        logOutgoing({.kind = Kind::Pong, .size = payload.size(), .payload = payload});
    });
    connect(ws, &qtws::WebSocket::pongReceived, this,
        [this](const QByteArray &payload, qint64 roundTripMs) {
            logIncoming({.kind = Kind::Pong,
                .size = payload.size(),
                .payload = payload,
                .roundTripMs = roundTripMs});
            m_stats->recordRoundTrip(roundTripMs);
            if (m_extraStats)
                m_extraStats->recordRoundTrip(roundTripMs);
        });
    connect(ws, &qtws::WebSocket::errorOccurred, this,
        [this](const qtws::WebSocketError &error) { note(error.toString()); });
    connect(ws, &qtws::WebSocket::closed, this, [this](int code, const QString &reason) {
        // 1005/1006/1015 are never on the wire (RFC 6455 §7.4.1): no close frame came.
        if (code == 1006 || code == 1015) {
            note(QStringLiteral("connection dropped without a close frame (%1%2)")
                     .arg(code)
                     .arg(reason.isEmpty() ? QString() : QStringLiteral(": ") + reason));
            return;
        }
        QByteArray utf8 = reason.toUtf8();
        const qint64 size = utf8.size() + (code == 1005 ? 0 : 2);
        m_log->append({.direction = LogEntry::Direction::Incoming,
            .kind = Kind::Close,
            .size = size,
            .payload = std::move(utf8),
            .closeCode = code == 1005 ? 0 : code});
        Q_EMIT trafficChanged();
    });
}

void WebSocketTap::throttle()
{
    if (m_messagesThisTurn++ == 0) {
        // Runs on the next turn: a new budget, and reading again if it was paused.
        QTimer::singleShot(0, this, [this] {
            m_messagesThisTurn = 0;
            if (m_ws && m_ws->isReadPaused())
                m_ws->setReadPaused(false);
        });
    }
    if (m_messagesThisTurn == messagesPerTurn && m_ws)
        m_ws->setReadPaused(true);
}

void WebSocketTap::logIncoming(LogEntry entry)
{
    throttle();
    entry.direction = LogEntry::Direction::Incoming;
    if (entry.kind == LogEntry::Kind::Text || entry.kind == LogEntry::Kind::Binary) {
        m_stats->recordIncoming(entry.size);
        if (m_extraStats)
            m_extraStats->recordIncoming(entry.size);
    }
    m_log->append(std::move(entry));
    Q_EMIT trafficChanged();
}

void WebSocketTap::logOutgoing(LogEntry entry)
{
    entry.direction = LogEntry::Direction::Outgoing;
    if (entry.kind == LogEntry::Kind::Text || entry.kind == LogEntry::Kind::Binary) {
        m_stats->recordOutgoing(entry.size);
        if (m_extraStats)
            m_extraStats->recordOutgoing(entry.size);
    }
    m_log->append(std::move(entry));
    Q_EMIT trafficChanged();
}

void WebSocketTap::note(const QString &text)
{
    m_log->append({.direction = LogEntry::Direction::Local,
        .kind = LogEntry::Kind::Event,
        .payload = text.toUtf8()});
}

bool WebSocketTap::send(const ComposedMessage &message, const QString &text, QString *error)
{
    if (!message.ok()) {
        *error = message.error;
        return false;
    }
    if (!m_ws || m_ws->state() != qtws::WebSocket::State::Open) {
        *error = QStringLiteral("not connected");
        return false;
    }
    const bool isText = message.type == qtws::MessageType::Text;
    qint64 sent = -1;
    if (!message.chunks.isEmpty())
        sent = m_ws->sendFragments(message.type, message.chunks);
    else if (isText)
        sent = m_ws->sendTextMessage(text); // the editor's QString: no UTF-8 round trip
    else
        sent = m_ws->sendBinaryMessage(message.payload);
    if (sent < 0) {
        *error = QStringLiteral("the WebSocket refused the message (see the log)");
        return false;
    }
    logOutgoing({.kind = isText ? LogEntry::Kind::Text : LogEntry::Kind::Binary,
        .size = message.payload.size(),
        .payload = message.payload,
        .fragments = int(qMax<qsizetype>(message.chunks.size(), 1))});
    return true;
}

bool WebSocketTap::ping(const QByteArray &payload, QString *error)
{
    if (payload.size() > 125) {
        *error
            = QStringLiteral("a ping payload is at most 125 bytes (RFC 6455 §5.5); this one is %1")
                  .arg(payload.size());
        return false;
    }
    if (!m_ws || m_ws->state() != qtws::WebSocket::State::Open) {
        *error = QStringLiteral("not connected");
        return false;
    }
    if (m_ws->ping(payload) < 0) {
        *error = QStringLiteral("the WebSocket refused the ping");
        return false;
    }
    logOutgoing({.kind = LogEntry::Kind::Ping, .size = payload.size(), .payload = payload});
    return true;
}

bool WebSocketTap::close(int code, const QString &reason, QString *error)
{
    if (code < 0 || code > 65535 || !qtws::isSendableCloseCode(quint16(code))) {
        *error = QStringLiteral("%1 may not be sent in a close frame (RFC 6455 §7.4: 1000-1003, "
                                "1007-1014, 3000-4999)")
                     .arg(code);
        return false;
    }
    QByteArray utf8 = reason.toUtf8();
    if (utf8.size() > 123) {
        *error = QStringLiteral("a close reason is at most 123 UTF-8 bytes; this one is %1")
                     .arg(utf8.size());
        return false;
    }
    if (!m_ws || m_ws->state() != qtws::WebSocket::State::Open) {
        *error = QStringLiteral("not connected");
        return false;
    }
    m_ws->close(qtws::CloseCode(code), reason);
    logOutgoing({.kind = LogEntry::Kind::Close,
        .size = utf8.size() + 2,
        .payload = std::move(utf8),
        .closeCode = code});
    return true;
}

} // namespace inspector
