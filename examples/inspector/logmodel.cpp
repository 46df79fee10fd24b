// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "logmodel.h"

#include "messageformat.h"

#include <QtCore/QDateTime>
#include <QtWs/closecode.h>

using namespace std::chrono_literals;

namespace inspector {

namespace {

// Rows show at most this much of a message: enough to recognise it, cheap enough to format
// for every row the view creates while scrolling.
constexpr int previewLines = 3;
constexpr qsizetype previewTextBytes = 64 * 1024;
constexpr qsizetype previewBinaryBytes = 24; // three narrow hex-dump lines
constexpr int previewBytesPerLine = 8; // fits a log row beside its other columns
constexpr qsizetype detailBinaryBytes = 64 * 1024;

// Control payloads are at most 125 bytes (RFC 6455 §5.5): text when they look like text.
QString controlPayloadText(const QByteArray &payload)
{
    if (payload.isEmpty())
        return QStringLiteral("(no payload)");
    const bool printable = std::all_of(payload.begin(), payload.end(),
        [](char c) { return uchar(c) >= 0x20 && uchar(c) != 0x7f; });
    if (printable)
        return QString::fromUtf8(payload);
    return QString::fromLatin1(payload.toHex(' '));
}

} // namespace

LogModel::LogModel(QObject *parent) : QAbstractListModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(50ms);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogModel::flush);
}

int LogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QString LogModel::closeSummary(const LogEntry &entry)
{
    if (entry.closeCode == 0)
        return QStringLiteral("no status code");
    QString summary = QString::number(entry.closeCode);
    const QByteArray name = qtws::closeCodeName(quint16(entry.closeCode));
    if (!name.isEmpty())
        summary += u' ' + QString::fromLatin1(name);
    if (!entry.payload.isEmpty())
        summary += QStringLiteral(" — ") + QString::fromUtf8(entry.payload);
    return summary;
}

QString LogModel::preview(const LogEntry &entry)
{
    switch (entry.kind) {
    case LogEntry::Kind::Text:
        return firstLines(formatText(entry.payload, previewTextBytes), previewLines);
    case LogEntry::Kind::Binary:
        return firstLines(
            hexDump(entry.payload, previewBinaryBytes, previewBytesPerLine), previewLines);
    case LogEntry::Kind::Ping:
    case LogEntry::Kind::Pong: return controlPayloadText(entry.payload);
    case LogEntry::Kind::Close: return closeSummary(entry);
    case LogEntry::Kind::Event: return firstLines(QString::fromUtf8(entry.payload), previewLines);
    }
    return {};
}

QString LogModel::fullText(const LogEntry &entry)
{
    QString text;
    switch (entry.kind) {
    case LogEntry::Kind::Text: text = formatText(entry.payload); break;
    case LogEntry::Kind::Binary: text = hexDump(entry.payload, detailBinaryBytes); break;
    case LogEntry::Kind::Ping:
    case LogEntry::Kind::Pong:
        text = controlPayloadText(entry.payload);
        if (!entry.payload.isEmpty())
            text += u'\n' + hexDump(entry.payload);
        break;
    case LogEntry::Kind::Close: text = closeSummary(entry); break;
    case LogEntry::Kind::Event: text = QString::fromUtf8(entry.payload); break;
    }
    if (entry.isTruncated())
        text += QStringLiteral("\n\n(only the first %1 of %2 were kept: the log's per-entry limit)")
                    .arg(formatSize(entry.payload.size()), formatSize(entry.size));
    return text;
}

QVariant LogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LogEntry &entry = m_entries[size_t(index.row())];
    switch (role) {
    case SeqRole: return entry.seq;
    case DirectionRole: return directionName(entry.direction);
    case KindRole: return kindName(entry.kind);
    case TimeRole: return QDateTime::fromMSecsSinceEpoch(entry.timeMs).toString(u"HH:mm:ss.zzz");
    case TimeMsRole: return entry.timeMs;
    case SizeRole: return entry.size;
    case SizeTextRole:
        return entry.kind == LogEntry::Kind::Event ? QString() : formatSize(entry.size);
    case Qt::DisplayRole:
    case PreviewRole: return preview(entry);
    case CloseCodeRole: return entry.closeCode;
    case RoundTripRole: return entry.roundTripMs;
    case FragmentsRole: return entry.fragments;
    case TruncatedRole: return entry.isTruncated();
    default: return {};
    }
}

QHash<int, QByteArray> LogModel::roleNames() const
{
    return {
        {SeqRole, "seq"},
        {DirectionRole, "direction"},
        {KindRole, "kind"},
        {TimeRole, "time"},
        {TimeMsRole, "timeMs"},
        {SizeRole, "size"},
        {SizeTextRole, "sizeText"},
        {PreviewRole, "preview"},
        {CloseCodeRole, "closeCode"},
        {RoundTripRole, "roundTrip"},
        {FragmentsRole, "fragments"},
        {TruncatedRole, "truncated"},
    };
}

void LogModel::append(LogEntry entry)
{
    if (entry.kind != LogEntry::Kind::Event && entry.payload.size() > m_maxEntryPayload)
        entry.payload.truncate(m_maxEntryPayload);
    if (entry.timeMs == 0)
        entry.timeMs = QDateTime::currentMSecsSinceEpoch();
    entry.seq = m_nextSeq++;
    m_pendingBytes += entry.payload.size();
    m_pending.push_back(std::move(entry));
    trimPending();
    scheduleFlush();
}

// The queue obeys the caps on its own too, so a paused log (or a flood between two flushes)
// stays bounded.
void LogModel::trimPending()
{
    qint64 dropped = 0;
    while (!m_pending.empty()
        && (qsizetype(m_pending.size()) > m_maxEntries
            || (m_pendingBytes > m_maxStoredBytes && m_pending.size() > 1))) {
        m_pendingBytes -= m_pending.front().payload.size();
        m_pending.pop_front();
        ++dropped;
    }
    if (dropped > 0) {
        m_dropped += dropped;
        Q_EMIT droppedCountChanged();
    }
    if (m_paused)
        Q_EMIT heldCountChanged();
}

void LogModel::scheduleFlush()
{
    if (!m_paused && !m_flushTimer.isActive())
        m_flushTimer.start();
}

void LogModel::removeOldest(qsizetype rows)
{
    if (rows <= 0)
        return;
    beginRemoveRows({}, 0, int(rows - 1));
    for (qsizetype i = 0; i < rows; ++i) {
        m_storedBytes -= m_entries.front().payload.size();
        m_entries.pop_front();
    }
    endRemoveRows();
    m_dropped += rows;
    Q_EMIT droppedCountChanged();
}

void LogModel::flush()
{
    m_flushTimer.stop();
    if (m_paused || m_pending.empty())
        return;
    const qsizetype incoming = qsizetype(m_pending.size());
    // Make room: by count, then by bytes (keeping at least the new entries).
    qsizetype excess = qsizetype(m_entries.size()) + incoming - m_maxEntries;
    qint64 bytesAfter = m_storedBytes + m_pendingBytes;
    qsizetype byBytes = 0;
    for (auto it = m_entries.begin(); it != m_entries.end() && bytesAfter > m_maxStoredBytes;
         ++it) {
        bytesAfter -= it->payload.size();
        ++byBytes;
    }
    removeOldest(qMin(qMax(excess, byBytes), qsizetype(m_entries.size())));

    const int first = int(m_entries.size());
    beginInsertRows({}, first, first + int(incoming) - 1);
    for (LogEntry &entry : m_pending)
        m_entries.push_back(std::move(entry));
    m_pending.clear();
    m_storedBytes += m_pendingBytes;
    m_pendingBytes = 0;
    endInsertRows();
    Q_EMIT countChanged();
    Q_EMIT rowsAppended(int(incoming));
}

void LogModel::clear()
{
    beginResetModel();
    m_entries.clear();
    m_pending.clear();
    m_storedBytes = 0;
    m_pendingBytes = 0;
    endResetModel();
    m_flushTimer.stop();
    const bool hadDrops = m_dropped != 0;
    m_dropped = 0;
    Q_EMIT countChanged();
    Q_EMIT heldCountChanged();
    if (hadDrops)
        Q_EMIT droppedCountChanged();
}

void LogModel::setMaxEntries(int maxEntries)
{
    maxEntries = qMax(maxEntries, 1);
    if (maxEntries == m_maxEntries)
        return;
    m_maxEntries = maxEntries;
    trimPending();
    removeOldest(qsizetype(m_entries.size()) - m_maxEntries);
    Q_EMIT countChanged();
    Q_EMIT maxEntriesChanged();
}

void LogModel::setMaxStoredBytes(qint64 bytes)
{
    m_maxStoredBytes = qMax<qint64>(bytes, 1);
    trimPending();
    qsizetype rows = 0;
    qint64 stored = m_storedBytes;
    for (auto it = m_entries.begin(); it != m_entries.end() && stored > m_maxStoredBytes; ++it) {
        stored -= it->payload.size();
        ++rows;
    }
    removeOldest(rows);
    Q_EMIT countChanged();
}

std::chrono::milliseconds LogModel::flushInterval() const
{
    return m_flushTimer.intervalAsDuration();
}

void LogModel::setFlushInterval(std::chrono::milliseconds interval)
{
    m_flushTimer.setInterval(interval);
}

void LogModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    Q_EMIT pausedChanged();
    if (!m_paused)
        flush();
    Q_EMIT heldCountChanged();
}

} // namespace inspector
