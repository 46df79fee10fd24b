// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "session.h"

#include "clientstate.h"
#include "composer.h"
#include "logmodel.h"
#include "serverstate.h"

#include <QtWs/utf8text.h>

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSaveFile>

namespace inspector::session {

namespace {

const QString keyFormat = QStringLiteral("format");
const QString keyVersion = QStringLiteral("version");
const QString keyText = QStringLiteral("text");
const QString keyBase64 = QStringLiteral("base64");

bool storesAsText(LogEntry::Kind kind)
{
    return kind == LogEntry::Kind::Text || kind == LogEntry::Kind::Close
        || kind == LogEntry::Kind::Event;
}

} // namespace

QJsonArray logToJson(const LogModel &log)
{
    QJsonArray array;
    for (int row = 0; row < log.count(); ++row) {
        const LogEntry &entry = log.entryAt(row);
        QJsonObject object{
            {QStringLiteral("time"), entry.timeMs},
            {QStringLiteral("direction"), directionName(entry.direction)},
            {QStringLiteral("kind"), kindName(entry.kind)},
            {QStringLiteral("size"), entry.size},
        };
        if (storesAsText(entry.kind))
            object.insert(keyText, qtws::textFromUtf8(entry.payload));
        else
            object.insert(keyBase64, QString::fromLatin1(entry.payload.toBase64()));
        if (entry.closeCode != 0)
            object.insert(QStringLiteral("closeCode"), entry.closeCode);
        if (entry.roundTripMs >= 0)
            object.insert(QStringLiteral("roundTrip"), entry.roundTripMs);
        if (entry.fragments > 1)
            object.insert(QStringLiteral("fragments"), entry.fragments);
        array.append(object);
    }
    return array;
}

void logFromJson(const QJsonArray &array, LogModel &log)
{
    log.clear();
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        const std::optional<LogEntry::Direction> direction
            = directionFromName(object.value(QStringLiteral("direction")).toString());
        const std::optional<LogEntry::Kind> kind
            = kindFromName(object.value(QStringLiteral("kind")).toString());
        if (!direction || !kind)
            continue; // a later version's kinds: skip rather than misreport
        LogEntry entry{.direction = *direction, .kind = *kind};
        entry.timeMs = object.value(QStringLiteral("time")).toInteger();
        entry.payload = storesAsText(*kind)
            ? object.value(keyText).toString().toUtf8()
            : QByteArray::fromBase64(object.value(keyBase64).toString().toLatin1());
        entry.size
            = qMax<qint64>(object.value(QStringLiteral("size")).toInteger(), entry.payload.size());
        entry.closeCode = object.value(QStringLiteral("closeCode")).toInt();
        entry.roundTripMs = object.value(QStringLiteral("roundTrip")).toInteger(-1);
        entry.fragments = qMax(1, object.value(QStringLiteral("fragments")).toInt(1));
        log.append(std::move(entry));
    }
    log.flush();
}

QJsonObject toJson(const ClientState &client, const ServerState &server)
{
    return {
        {keyFormat, format.toString()},
        {keyVersion, version},
        {QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
        {QStringLiteral("client"), client.settingsToJson()},
        {QStringLiteral("server"), server.settingsToJson()},
        {QStringLiteral("history"), client.composer()->history()->toJson()},
        {QStringLiteral("log"), logToJson(*client.log())},
    };
}

bool fromJson(const QJsonObject &json, ClientState &client, ServerState &server, QString *error)
{
    if (json.value(keyFormat).toString() != format) {
        *error = QStringLiteral("not a qtws Inspector session (no \"format\": \"%1\")").arg(format);
        return false;
    }
    const int fileVersion = json.value(keyVersion).toInt();
    if (fileVersion < 1 || fileVersion > version) {
        *error = QStringLiteral("session version %1; this Inspector reads version %2")
                     .arg(fileVersion)
                     .arg(version);
        return false;
    }
    client.settingsFromJson(json.value(QStringLiteral("client")).toObject());
    server.settingsFromJson(json.value(QStringLiteral("server")).toObject());
    client.composer()->history()->fromJson(json.value(QStringLiteral("history")).toArray());
    logFromJson(json.value(QStringLiteral("log")).toArray(), *client.log());
    return true;
}

bool save(const QString &path, const ClientState &client, const ServerState &server, QString *error)
{
    // QSaveFile: an interrupted save leaves the previous session intact.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(QJsonDocument(toJson(client, server)).toJson(QJsonDocument::Indented));
    if (!file.commit()) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool load(const QString &path, ClientState &client, ServerState &server, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(path, file.errorString());
        return false;
    }
    if (file.size() > maxFileSize) {
        *error = QStringLiteral("%1: larger than %2 MiB").arg(path).arg(maxFileSize >> 20);
        return false;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        *error = QStringLiteral("%1: not JSON (%2 at byte %3)")
                     .arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    return fromJson(document.object(), client, server, error);
}

} // namespace inspector::session
