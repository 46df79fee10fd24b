// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// Session files: the connection settings, the composer's history and the log, as JSON.
//
//   {"format": "qtws-inspector-session", "version": 1, "savedAt": "2026-…",
//    "client": {"url": …, "subprotocols": […], "headers": "…", "compression": true, …},
//    "server": {"host": …, "port": 9001, …},
//    "history": [{"mode": "json", "text": "…", "fragments": 1}, …],
//    "log": [{"time": 1767…, "direction": "out", "kind": "text", "size": 5,
//             "text": "hello"} | {… "base64": "…"} | {… "closeCode": 1000, "text": "bye"}, …]}
//
// Text payloads are stored as JSON strings (readable, diffable), everything else as base64.

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace inspector {

class ClientState;
class LogModel;
class ServerState;

namespace session {

inline constexpr QStringView format = u"qtws-inspector-session";
inline constexpr int version = 1;
// Loading refuses bigger files: the whole file is parsed in memory.
inline constexpr qint64 maxFileSize = qint64(512) << 20;

QJsonObject toJson(const ClientState &client, const ServerState &server);
// Applies a session: settings, history, and the log (replacing the client's). False with
// *error when it is not a session file of a version this build reads.
bool fromJson(const QJsonObject &json, ClientState &client, ServerState &server, QString *error);

bool save(
    const QString &path, const ClientState &client, const ServerState &server, QString *error);
bool load(const QString &path, ClientState &client, ServerState &server, QString *error);

QJsonArray logToJson(const LogModel &log);
void logFromJson(const QJsonArray &array, LogModel &log);

} // namespace session

} // namespace inspector
