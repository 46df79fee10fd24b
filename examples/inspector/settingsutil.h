// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// Small helpers the client and server settings share.

#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <utility>

namespace inspector {

// member = value; true when that changed it (the caller then emits its NOTIFY signal).
template<typename T, typename U>
bool assign(T &member, U &&value)
{
    if (member == value)
        return false;
    member = std::forward<U>(value);
    return true;
}

// "a, b,,c " → {"a", "b", "c"}: how subprotocol lists are typed.
inline QStringList splitList(const QString &text)
{
    QStringList items;
    for (const QString &item : text.split(u',', Qt::SkipEmptyParts))
        if (const QString trimmed = item.trimmed(); !trimmed.isEmpty())
            items.append(trimmed);
    return items;
}

// File dialogs hand over file:// URLs; settings keep local paths.
inline QString localPath(const QString &pathOrUrl)
{
    return pathOrUrl.startsWith(u"file:") ? QUrl(pathOrUrl).toLocalFile() : pathOrUrl;
}

} // namespace inspector
