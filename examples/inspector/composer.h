// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QObject>
#include <QtCore/QVariantMap>
#include <QtWs/conn.h>

namespace inspector {

// What the Inspector sends: a message built from the composer's input and checked before it
// goes out, so a typo in JSON or hex is an error under the editor, not a message on the wire.
struct ComposedMessage
{
    qtws::MessageType type = qtws::MessageType::Text;
    QByteArray payload{};
    QList<QByteArray> chunks{}; // fragments > 1: the frames of one fragmented message
    QString error{}; // empty when the message may be sent

    bool ok() const { return error.isEmpty(); }
};

class Composer;

// The messages sent, newest first, to resend one (bounded: maxEntries, oldest dropped;
// sending the same input twice in a row keeps one entry).
class HistoryModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
public:
    struct Item
    {
        int mode = 0;
        QString text{}; // the editor text, or the file path for File
        int fragments = 1;
        qint64 size = 0;
        qint64 timeMs = 0;
    };
    enum Role {
        ModeRole = Qt::UserRole + 1,
        ModeNameRole,
        TextRole,
        FragmentsRole,
        SizeRole,
        SummaryRole
    };
    static constexpr int maxEntries = 200;

    using QAbstractListModel::QAbstractListModel;
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void add(Item item);
    Q_INVOKABLE void clear();
    int count() const { return int(m_items.size()); }
    const Item &itemAt(int row) const { return m_items[row]; }

    QJsonArray toJson() const;
    void fromJson(const QJsonArray &array);

Q_SIGNALS:
    void countChanged();

private:
    QList<Item> m_items; // newest first
};

class Composer : public QObject
{
    Q_OBJECT
    Q_PROPERTY(Mode mode READ mode WRITE setMode NOTIFY inputChanged)
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY inputChanged)
    Q_PROPERTY(QString filePath READ filePath WRITE setFilePath NOTIFY inputChanged)
    // 1: one message in one frame; N > 1: one message in N frames (continuations).
    Q_PROPERTY(int fragments READ fragments WRITE setFragments NOTIFY inputChanged)
    // Why the input cannot be sent now, or empty ("" also for an empty text: that is a message).
    Q_PROPERTY(QString error READ error NOTIFY inputChanged)
    Q_PROPERTY(bool valid READ isValid NOTIFY inputChanged)
    // What would go out: "text, 12 B" / "binary, 1.2 KiB in 4 fragments".
    Q_PROPERTY(QString summary READ summary NOTIFY inputChanged)
    Q_PROPERTY(inspector::HistoryModel *history READ history CONSTANT)

public:
    enum class Mode { Text, Json, Hex, File };
    Q_ENUM(Mode)
    static constexpr int maxFragments = 10'000;
    // A file bigger than this is refused: the composer holds the message in memory.
    static constexpr qint64 maxFileSize = qint64(256) << 20;

    explicit Composer(QObject *parent = nullptr);

    Mode mode() const { return m_mode; }
    void setMode(Mode mode);
    QString text() const { return m_text; }
    void setText(const QString &text);
    QString filePath() const { return m_filePath; }
    void setFilePath(const QString &path);
    int fragments() const { return m_fragments; }
    void setFragments(int fragments);
    QString error() const { return m_error; }
    bool isValid() const { return m_error.isEmpty(); }
    QString summary() const { return m_summary; }
    HistoryModel *history() { return &m_history; }

    // The message the current input makes (reads the file for File mode).
    ComposedMessage build() const;
    // The same for QML, to hand to a WebSocket: {error, binary, text (the editor's text for a
    // text message), payload (ArrayBuffer), fragments (ArrayBuffers; empty: one frame)}.
    Q_INVOKABLE QVariantMap message() const;
    // Remembers the current input in the history (once it was sent).
    Q_INVOKABLE void recordSent(qint64 size);
    // Why a ping with this payload (UTF-8) or a close with this code and reason may not be
    // sent, or "": the WebSocket would refuse them too, with a warning rather than a sentence.
    Q_INVOKABLE static QString pingError(const QString &payload);
    Q_INVOKABLE static QString closeError(int code, const QString &reason);
    // Puts a history entry back into the editor.
    Q_INVOKABLE void restore(int historyRow);
    // Pretty-prints the JSON in the editor (no change when it does not parse).
    Q_INVOKABLE void formatJson();

    // Splits payload into n chunks of nearly equal size (the last ones one byte shorter);
    // never more chunks than bytes, and at least one (possibly empty) chunk.
    static QList<QByteArray> split(const QByteArray &payload, int n);

Q_SIGNALS:
    void inputChanged();

private:
    QString validate(QByteArray *payload, bool readFile) const;
    QString describe(const QByteArray &payload) const;
    void revalidate();

    Mode m_mode = Mode::Text;
    QString m_text;
    QString m_filePath;
    int m_fragments = 1;
    QString m_error;
    QString m_summary;
    HistoryModel m_history;
};

} // namespace inspector
