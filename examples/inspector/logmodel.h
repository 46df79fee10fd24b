// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <QtCore/QAbstractListModel>
#include <QtCore/QTimer>

#include <deque>

namespace inspector {

// The message log of one connection: a list model that a flood cannot drown.
//
// - append() only queues: rows are inserted in one batch per flush interval (default 50 ms),
//   so 100,000 messages a second cost the view ~20 insertions a second, not 100,000
//   (bench/bench_inspector_logmodel.cpp measures it).
// - Memory is bounded twice: at most maxEntries rows and maxStoredBytes payload bytes, oldest
//   dropped first, and one entry keeps at most maxEntryPayload bytes (its size stays the wire
//   size, isTruncated() says so). droppedCount counts what the caps threw away, for the view's
//   "N older entries dropped" line.
// - While paused, entries are held (under the same caps) and inserted on resume: the view stops
//   scrolling, nothing that arrives is lost unless the caps say so.
class LogModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int maxEntries READ maxEntries WRITE setMaxEntries NOTIFY maxEntriesChanged)
    Q_PROPERTY(qint64 droppedCount READ droppedCount NOTIFY droppedCountChanged)
    Q_PROPERTY(bool paused READ isPaused WRITE setPaused NOTIFY pausedChanged)
    Q_PROPERTY(int heldCount READ heldCount NOTIFY heldCountChanged)

public:
    enum Role {
        SeqRole = Qt::UserRole + 1,
        DirectionRole,
        KindRole,
        TimeRole,
        TimeMsRole,
        SizeRole,
        SizeTextRole,
        PreviewRole,
        CloseCodeRole,
        RoundTripRole,
        FragmentsRole,
        TruncatedRole,
    };
    Q_ENUM(Role)

    // Defaults: 10,000 rows, 256 MiB of payloads, 4 MiB kept of one payload.
    static constexpr int defaultMaxEntries = 10'000;
    static constexpr qint64 defaultMaxStoredBytes = qint64(256) << 20;
    static constexpr qint64 defaultMaxEntryPayload = qint64(4) << 20;

    explicit LogModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Queues an entry; its payload is cut to maxEntryPayload. The row appears at the next
    // flush (or at once with flush()).
    void append(LogEntry entry);
    // Inserts what is queued now (unless paused). The timer calls it; tests and the benchmark
    // call it to be deterministic.
    Q_INVOKABLE void flush();
    Q_INVOKABLE void clear();

    int count() const { return int(m_entries.size()); }
    const LogEntry &entryAt(int row) const { return m_entries[size_t(row)]; }

    int maxEntries() const { return m_maxEntries; }
    void setMaxEntries(int maxEntries);
    qint64 maxStoredBytes() const { return m_maxStoredBytes; }
    void setMaxStoredBytes(qint64 bytes);
    qint64 maxEntryPayload() const { return m_maxEntryPayload; }
    void setMaxEntryPayload(qint64 bytes) { m_maxEntryPayload = qMax<qint64>(bytes, 0); }
    std::chrono::milliseconds flushInterval() const;
    void setFlushInterval(std::chrono::milliseconds interval);

    qint64 droppedCount() const { return m_dropped; }
    qint64 storedBytes() const { return m_storedBytes; }
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);
    int heldCount() const { return int(m_pending.size()); }

    // The entry, formatted whole for the detail pane: pretty JSON, the text, a hex dump
    // (up to 64 KiB), a close code with its name and the reason.
    static QString fullText(const LogEntry &entry);
    static QString preview(const LogEntry &entry);
    static QString closeSummary(const LogEntry &entry);

Q_SIGNALS:
    void countChanged();
    void maxEntriesChanged();
    void droppedCountChanged();
    void pausedChanged();
    void heldCountChanged();
    // After each flush that inserted rows: how many.
    void rowsAppended(int count);

private:
    void scheduleFlush();
    void trimPending();
    void removeOldest(qsizetype rows);

    std::deque<LogEntry> m_entries;
    std::deque<LogEntry> m_pending;
    quint64 m_nextSeq = 1;
    qint64 m_storedBytes = 0; // payload bytes in m_entries
    qint64 m_pendingBytes = 0;
    qint64 m_dropped = 0;
    int m_maxEntries = defaultMaxEntries;
    qint64 m_maxStoredBytes = defaultMaxStoredBytes;
    qint64 m_maxEntryPayload = defaultMaxEntryPayload;
    bool m_paused = false;
    QTimer m_flushTimer;
};

} // namespace inspector
