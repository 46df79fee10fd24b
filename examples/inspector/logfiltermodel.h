// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "logentry.h"

#include <QtCore/QSortFilterProxyModel>
#include <QtCore/QVariantMap>

namespace inspector {

class LogModel;

// What the log view shows of a LogModel: the kinds ticked, one direction or both, and the
// entries whose payload contains the search text (ASCII case-insensitive; for binary payloads
// the hex spelling "de ad" matches too).
class LogFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_PROPERTY(inspector::LogModel *log READ log WRITE setLog NOTIFY logChanged)
    // Bit i set = Kind(i) shown. Default: every kind.
    Q_PROPERTY(int kindMask READ kindMask WRITE setKindMask NOTIFY filterChanged)
    // "all" (default), "in" or "out"; "local" events show with either.
    Q_PROPERTY(QString direction READ direction WRITE setDirection NOTIFY filterChanged)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

public:
    explicit LogFilterModel(QObject *parent = nullptr);

    LogModel *log() const { return m_log; }
    void setLog(LogModel *log);
    int kindMask() const { return m_kindMask; }
    void setKindMask(int mask);
    Q_INVOKABLE bool isKindShown(const QString &kind) const;
    Q_INVOKABLE void setKindShown(const QString &kind, bool shown);
    QString direction() const { return m_direction; }
    void setDirection(const QString &direction);
    QString searchText() const { return m_searchText; }
    void setSearchText(const QString &text);
    int count() const { return rowCount(); }

    // Everything about the entry at this (filtered) row, for the detail pane: the roles by
    // name, plus "full" (LogModel::fullText) and "payloadText". Empty for an invalid row.
    Q_INVOKABLE QVariantMap get(int row) const;
    // The text "Copy" puts on the clipboard: a header line and the full text.
    Q_INVOKABLE QString copyText(int row) const;

Q_SIGNALS:
    void logChanged();
    void filterChanged();
    void countChanged();

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool matchesSearch(const LogEntry &entry) const;

    LogModel *m_log = nullptr;
    int m_kindMask = 0x3f;
    QString m_direction = QStringLiteral("all");
    QString m_searchText;
    QByteArray m_needle; // searchText in UTF-8
    QByteArray m_hexNeedle; // searchText as hex digits only, lower case ("dead"), when it is hex
};

} // namespace inspector
