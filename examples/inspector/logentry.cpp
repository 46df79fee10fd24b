// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "logentry.h"

#include <array>
#include <optional>

namespace inspector {

namespace {

// Indexed by the enum values; the session file and the QML use these names.
constexpr std::array<QStringView, 3> directionNames = {u"in", u"out", u"local"};
constexpr std::array<QStringView, 6> kindNames
    = {u"text", u"binary", u"ping", u"pong", u"close", u"event"};

} // namespace

QString directionName(LogEntry::Direction direction)
{
    return directionNames[size_t(direction)].toString();
}

QString kindName(LogEntry::Kind kind)
{
    return kindNames[size_t(kind)].toString();
}

std::optional<LogEntry::Direction> directionFromName(QStringView name)
{
    for (size_t i = 0; i < directionNames.size(); ++i)
        if (directionNames[i] == name)
            return LogEntry::Direction(i);
    return std::nullopt;
}

std::optional<LogEntry::Kind> kindFromName(QStringView name)
{
    for (size_t i = 0; i < kindNames.size(); ++i)
        if (kindNames[i] == name)
            return LogEntry::Kind(i);
    return std::nullopt;
}

} // namespace inspector
