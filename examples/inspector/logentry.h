// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace inspector {

// One line of the Inspector's log: a message, a control frame or a connection event.
struct LogEntry
{
    // Incoming and Outgoing are the two ends of the wire; Local is what this side noticed
    // without a frame (connected, an error, the log cap dropping entries).
    enum class Direction : quint8 { Incoming, Outgoing, Local };
    enum class Kind : quint8 { Text, Binary, Ping, Pong, Close, Event };

    Direction direction = Direction::Incoming;
    Kind kind = Kind::Text;
    qint64 timeMs = 0; // milliseconds since the epoch, when it arrived or was sent
    qint64 size = 0; // payload bytes on the wire (before truncation below)
    // The payload as far as it is kept (LogModel::maxStoredPayload), or the event's text.
    QByteArray payload{};
    int closeCode = 0; // Close: the code (0 when none)
    qint64 roundTripMs = -1; // Pong: the time since the matching ping, -1 if unsolicited
    int fragments = 1; // an outgoing message sent as N fragments
    quint64 seq = 0; // its number in the log, from 1; set by LogModel::append (survives drops)

    bool isTruncated() const { return payload.size() < size && kind != Kind::Event; }
};

QString directionName(LogEntry::Direction direction); // "in", "out", "local"
QString kindName(LogEntry::Kind kind); // "text", "binary", "ping", "pong", "close", "event"
std::optional<LogEntry::Direction> directionFromName(QStringView name);
std::optional<LogEntry::Kind> kindFromName(QStringView name);

} // namespace inspector
