// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "logfiltermodel.h"

#include "logmodel.h"
#include "messageformat.h"

#include <QtCore/QDateTime>
#include <QtCore/QLatin1StringView>

namespace inspector {

LogFilterModel::LogFilterModel(QObject *parent) : QSortFilterProxyModel(parent)
{
    // Rows arriving in batches are filtered as they come; no sorting (the log's order is time).
    setDynamicSortFilter(true);
    connect(this, &QAbstractItemModel::rowsInserted, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::rowsRemoved, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::modelReset, this, &LogFilterModel::countChanged);
    connect(this, &QAbstractItemModel::layoutChanged, this, &LogFilterModel::countChanged);
}

void LogFilterModel::setLog(LogModel *log)
{
    if (log == m_log)
        return;
    m_log = log;
    setSourceModel(log);
    Q_EMIT logChanged();
    Q_EMIT countChanged();
}

void LogFilterModel::setKindMask(int mask)
{
    if (mask == m_kindMask)
        return;
    m_kindMask = mask;
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

bool LogFilterModel::isKindShown(const QString &kind) const
{
    const std::optional<LogEntry::Kind> k = kindFromName(kind);
    return k && (m_kindMask & (1 << int(*k)));
}

void LogFilterModel::setKindShown(const QString &kind, bool shown)
{
    if (const std::optional<LogEntry::Kind> k = kindFromName(kind))
        setKindMask(shown ? (m_kindMask | (1 << int(*k))) : (m_kindMask & ~(1 << int(*k))));
}

void LogFilterModel::setDirection(const QString &direction)
{
    if (direction == m_direction)
        return;
    m_direction = direction;
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

void LogFilterModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    m_needle = text.toUtf8();
    std::optional<QByteArray> bytes = parseHex(text);
    m_hexNeedle = bytes && !bytes->isEmpty() ? bytes->toHex() : QByteArray();
    invalidateRowsFilter();
    Q_EMIT filterChanged();
}

bool LogFilterModel::matchesSearch(const LogEntry &entry) const
{
    if (m_needle.isEmpty())
        return true;
    // Latin-1 case folding over UTF-8 bytes: exact for ASCII, which is what people type into a
    // log search; no per-row allocation.
    const QLatin1StringView haystack(entry.payload.constData(), entry.payload.size());
    const QLatin1StringView needle(m_needle.constData(), m_needle.size());
    if (haystack.contains(needle, Qt::CaseInsensitive))
        return true;
    if (entry.kind == LogEntry::Kind::Close
        && QString::number(entry.closeCode).contains(m_searchText))
        return true;
    if (entry.kind == LogEntry::Kind::Binary && !m_hexNeedle.isEmpty())
        return entry.payload.toHex().contains(m_hexNeedle);
    return false;
}

bool LogFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_log || sourceParent.isValid())
        return false;
    const LogEntry &entry = m_log->entryAt(sourceRow);
    if (!(m_kindMask & (1 << int(entry.kind))))
        return false;
    if (m_direction != u"all" && entry.direction != LogEntry::Direction::Local
        && directionName(entry.direction) != m_direction)
        return false;
    return matchesSearch(entry);
}

QVariantMap LogFilterModel::get(int row) const
{
    const QModelIndex proxyIndex = index(row, 0);
    if (!m_log || !proxyIndex.isValid())
        return {};
    const QModelIndex source = mapToSource(proxyIndex);
    QVariantMap map;
    const QHash<int, QByteArray> roles = m_log->roleNames();
    for (auto it = roles.begin(); it != roles.end(); ++it)
        map.insert(QString::fromLatin1(it.value()), source.data(it.key()));
    const LogEntry &entry = m_log->entryAt(source.row());
    map.insert(QStringLiteral("full"), LogModel::fullText(entry));
    map.insert(QStringLiteral("date"),
        QDateTime::fromMSecsSinceEpoch(entry.timeMs).toString(Qt::ISODateWithMs));
    return map;
}

QString LogFilterModel::copyText(int row) const
{
    const QVariantMap entry = get(row);
    if (entry.isEmpty())
        return {};
    const QString arrow = entry.value(QStringLiteral("direction")).toString() == u"in"
        ? QStringLiteral("←")
        : (entry.value(QStringLiteral("direction")).toString() == u"out" ? QStringLiteral("→")
                                                                         : QStringLiteral("·"));
    return QStringLiteral("#%1 %2 %3 %4 %5\n%6")
        .arg(entry.value(QStringLiteral("seq")).toString(),
            entry.value(QStringLiteral("date")).toString(), arrow,
            entry.value(QStringLiteral("kind")).toString(),
            entry.value(QStringLiteral("sizeText")).toString(),
            entry.value(QStringLiteral("full")).toString());
}

} // namespace inspector
