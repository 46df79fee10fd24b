// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "composer.h"

#include <QtWs/closecode.h>

#include "messageformat.h"
#include "settingsutil.h"

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>
#include <QtCore/QMetaEnum>
#include <QtCore/QUrl>

#include <algorithm>

namespace inspector {

namespace {

QString modeName(int mode)
{
    return QString::fromLatin1(QMetaEnum::fromType<Composer::Mode>().valueToKey(mode)).toLower();
}

} // namespace

// ---- HistoryModel ---------------------------------------------------------------------------

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Item &item = m_items[index.row()];
    switch (role) {
    case ModeRole: return item.mode;
    case ModeNameRole: return modeName(item.mode);
    case TextRole: return item.text;
    case FragmentsRole: return item.fragments;
    case SizeRole: return item.size;
    case Qt::DisplayRole:
    case SummaryRole: {
        QString line = item.text.left(200);
        line.replace(u'\n', u' ');
        return line;
    }
    default: return {};
    }
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    return {{ModeRole, "mode"}, {ModeNameRole, "modeName"}, {TextRole, "text"},
        {FragmentsRole, "fragments"}, {SizeRole, "size"}, {SummaryRole, "summary"}};
}

void HistoryModel::add(Item item)
{
    if (!m_items.isEmpty() && m_items.first().mode == item.mode && m_items.first().text == item.text
        && m_items.first().fragments == item.fragments) {
        m_items.first().timeMs = item.timeMs;
        return;
    }
    if (m_items.size() >= maxEntries) {
        beginRemoveRows({}, int(m_items.size()) - 1, int(m_items.size()) - 1);
        m_items.removeLast();
        endRemoveRows();
    }
    beginInsertRows({}, 0, 0);
    m_items.prepend(std::move(item));
    endInsertRows();
    Q_EMIT countChanged();
}

void HistoryModel::clear()
{
    beginResetModel();
    m_items.clear();
    endResetModel();
    Q_EMIT countChanged();
}

QJsonArray HistoryModel::toJson() const
{
    QJsonArray array;
    for (const Item &item : m_items)
        array.append(QJsonObject{{QStringLiteral("mode"), modeName(item.mode)},
            {QStringLiteral("text"), item.text}, {QStringLiteral("fragments"), item.fragments},
            {QStringLiteral("size"), item.size}, {QStringLiteral("time"), item.timeMs}});
    return array;
}

void HistoryModel::fromJson(const QJsonArray &array)
{
    beginResetModel();
    m_items.clear();
    const QMetaEnum modes = QMetaEnum::fromType<Composer::Mode>();
    for (const QJsonValue &value : array) {
        if (m_items.size() >= maxEntries)
            break;
        const QJsonObject object = value.toObject();
        QString name = object.value(QStringLiteral("mode")).toString();
        if (!name.isEmpty())
            name[0] = name[0].toUpper();
        bool known = false;
        const int mode = modes.keyToValue(name.toLatin1().constData(), &known);
        if (!known)
            continue;
        m_items.append(Item{mode, object.value(QStringLiteral("text")).toString(),
            qBound(1, object.value(QStringLiteral("fragments")).toInt(1), Composer::maxFragments),
            object.value(QStringLiteral("size")).toInteger(),
            object.value(QStringLiteral("time")).toInteger()});
    }
    endResetModel();
    Q_EMIT countChanged();
}

// ---- Composer -------------------------------------------------------------------------------

Composer::Composer(QObject *parent) : QObject(parent)
{
    revalidate();
}

void Composer::setMode(Mode mode)
{
    if (mode == m_mode)
        return;
    m_mode = mode;
    revalidate();
}

void Composer::setText(const QString &text)
{
    if (text == m_text)
        return;
    m_text = text;
    revalidate();
}

void Composer::setFilePath(const QString &path)
{
    if (assign(m_filePath, localPath(path)))
        revalidate();
}

void Composer::setFragments(int fragments)
{
    fragments = qBound(1, fragments, maxFragments);
    if (fragments == m_fragments)
        return;
    m_fragments = fragments;
    revalidate();
}

QString Composer::validate(QByteArray *payload, bool readFile) const
{
    switch (m_mode) {
    case Mode::Text: *payload = m_text.toUtf8(); return {};
    case Mode::Json: {
        *payload = m_text.toUtf8();
        QJsonParseError parseError;
        QJsonDocument::fromJson(*payload, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            // The offset is in bytes; people think in lines and columns.
            const QByteArray before = payload->left(parseError.offset);
            const qsizetype line = before.count('\n') + 1;
            const qsizetype column = parseError.offset - (before.lastIndexOf('\n') + 1) + 1;
            return QStringLiteral("invalid JSON at line %1, column %2: %3")
                .arg(line)
                .arg(column)
                .arg(parseError.errorString());
        }
        return {};
    }
    case Mode::Hex: {
        QString error;
        std::optional<QByteArray> bytes = parseHex(m_text, &error);
        if (!bytes)
            return QStringLiteral("invalid hex: ") + error;
        *payload = std::move(*bytes);
        return {};
    }
    case Mode::File: {
        if (m_filePath.isEmpty())
            return QStringLiteral("choose a file to send");
        const QFileInfo info(m_filePath);
        if (!info.isFile())
            return QStringLiteral("%1: no such file").arg(m_filePath);
        if (info.size() > maxFileSize)
            return QStringLiteral("%1 is %2; the composer sends files up to %3")
                .arg(info.fileName(), formatSize(info.size()), formatSize(maxFileSize));
        if (!readFile) {
            payload->clear();
            return {};
        }
        QFile file(m_filePath);
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("%1: %2").arg(m_filePath, file.errorString());
        *payload = file.readAll();
        return {};
    }
    }
    return {};
}

// Validation runs once per edit, not once per property read (QML reads error, valid and
// summary for every keystroke).
void Composer::revalidate()
{
    QByteArray payload;
    m_error = validate(&payload, false);
    m_summary = m_error.isEmpty() ? describe(payload) : QString();
    Q_EMIT inputChanged();
}

QString Composer::describe(const QByteArray &payload) const
{
    const qint64 size = m_mode == Mode::File ? QFileInfo(m_filePath).size() : payload.size();
    QString text = QStringLiteral("%1, %2").arg(m_mode == Mode::Hex || m_mode == Mode::File
            ? QStringLiteral("binary")
            : QStringLiteral("text"),
        formatSize(size));
    if (m_fragments > 1)
        text += QStringLiteral(" in %1 fragments")
                    .arg(qMin<qint64>(m_fragments, qMax<qint64>(size, 1)));
    return text;
}

ComposedMessage Composer::build() const
{
    ComposedMessage message;
    message.error = validate(&message.payload, true);
    message.type = m_mode == Mode::Hex || m_mode == Mode::File ? qtws::MessageType::Binary
                                                               : qtws::MessageType::Text;
    if (message.ok() && m_fragments > 1)
        message.chunks = split(message.payload, m_fragments);
    return message;
}

QVariantMap Composer::message() const
{
    const ComposedMessage built = build();
    QVariantList fragments;
    for (const QByteArray &chunk : built.chunks)
        fragments.append(chunk);
    const bool binary = built.type == qtws::MessageType::Binary;
    return {
        {QStringLiteral("error"), built.error},
        {QStringLiteral("binary"), binary},
        // The editor's string as is: no UTF-8 round trip for what sendTextMessage takes.
        {QStringLiteral("text"), binary ? QString() : m_text},
        {QStringLiteral("payload"), built.payload},
        {QStringLiteral("fragments"), fragments},
    };
}

QString Composer::pingError(const QString &payload)
{
    const qsizetype size = payload.toUtf8().size();
    if (size > 125)
        return QStringLiteral("a ping payload is at most 125 bytes (RFC 6455 §5.5); this one is %1")
            .arg(size);
    return {};
}

QString Composer::closeError(int code, const QString &reason)
{
    if (code < 0 || code > 65535 || !qtws::isSendableCloseCode(quint16(code)))
        return QStringLiteral("%1 may not be sent in a close frame (RFC 6455 §7.4: 1000-1003, "
                              "1007-1014, 3000-4999)")
            .arg(code);
    const qsizetype size = reason.toUtf8().size();
    if (size > 123)
        return QStringLiteral("a close reason is at most 123 UTF-8 bytes; this one is %1")
            .arg(size);
    return {};
}

QList<QByteArray> Composer::split(const QByteArray &payload, int n)
{
    const qsizetype count = std::clamp<qsizetype>(n, 1, qMax<qsizetype>(payload.size(), 1));
    QList<QByteArray> chunks;
    chunks.reserve(count);
    const qsizetype base = payload.size() / count;
    const qsizetype extra = payload.size() % count;
    qsizetype offset = 0;
    for (qsizetype i = 0; i < count; ++i) {
        const qsizetype length = base + (i < extra ? 1 : 0);
        chunks.append(payload.mid(offset, length));
        offset += length;
    }
    return chunks;
}

void Composer::recordSent(qint64 size)
{
    m_history.add(HistoryModel::Item{int(m_mode), m_mode == Mode::File ? m_filePath : m_text,
        m_fragments, size, QDateTime::currentMSecsSinceEpoch()});
}

void Composer::restore(int historyRow)
{
    if (historyRow < 0 || historyRow >= m_history.count())
        return;
    const HistoryModel::Item &item = m_history.itemAt(historyRow);
    m_mode = Mode(item.mode);
    if (m_mode == Mode::File)
        m_filePath = item.text;
    else
        m_text = item.text;
    m_fragments = item.fragments;
    revalidate();
}

void Composer::formatJson()
{
    if (std::optional<QString> pretty = prettyJson(m_text.toUtf8()))
        setText(*pretty);
}

} // namespace inspector
