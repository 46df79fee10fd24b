// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QVariantList>
#include <QtCore/QVariantMap>

#include "composer.h"
#include "logmodel.h"
#include "logsink.h"
#include "statistics.h"

namespace inspector {

// What the client view keeps across connections: the connection settings as the connect panel
// edits them (saved in sessions), the log, statistics, composer and the last refusal. The
// connection itself is a `WebSocket` of the QML module (import QtWs) in ClientView.qml, whose
// properties bind to the values below and whose events go into sink.
class ClientState : public QObject
{
    Q_OBJECT
    // ---- settings (saved in sessions) ----
    Q_PROPERTY(QString url READ url WRITE setUrl NOTIFY settingsChanged)
    // Comma-separated, in preference order.
    Q_PROPERTY(QString subprotocols READ subprotocols WRITE setSubprotocols NOTIFY settingsChanged)
    // One "Name: value" a line.
    Q_PROPERTY(QString headers READ headers WRITE setHeaders NOTIFY settingsChanged)
    Q_PROPERTY(bool compression READ compression WRITE setCompression NOTIFY settingsChanged)
    Q_PROPERTY(
        bool ignoreTlsErrors READ ignoreTlsErrors WRITE setIgnoreTlsErrors NOTIFY settingsChanged)
    Q_PROPERTY(QString caFile READ caFile WRITE setCaFile NOTIFY settingsChanged)
    // Empty: the environment's (http_proxy…); "none": direct; else http:// or socks5:// URL.
    Q_PROPERTY(QString proxy READ proxy WRITE setProxy NOTIFY settingsChanged)
    // ---- the settings as the QML WebSocket's properties take them ----
    Q_PROPERTY(QUrl socketUrl READ socketUrl NOTIFY settingsChanged)
    Q_PROPERTY(QStringList subprotocolList READ subprotocolList NOTIFY settingsChanged)
    Q_PROPERTY(QVariantMap requestHeaders READ requestHeaders NOTIFY settingsChanged)
    Q_PROPERTY(QVariantList caFiles READ caFiles NOTIFY settingsChanged)
    Q_PROPERTY(QUrl proxyUrl READ proxyUrl NOTIFY settingsChanged)
    // The last refusal of a user action (bad close code, invalid JSON, not connected…).
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    Q_PROPERTY(inspector::LogModel *log READ log CONSTANT)
    Q_PROPERTY(inspector::Statistics *stats READ stats CONSTANT)
    Q_PROPERTY(inspector::Composer *composer READ composer CONSTANT)
    Q_PROPERTY(inspector::LogSink *sink READ sink CONSTANT)

public:
    explicit ClientState(QObject *parent = nullptr);
    ~ClientState() override;

    QString url() const { return m_url; }
    void setUrl(const QString &url);
    QString subprotocols() const { return m_subprotocols; }
    void setSubprotocols(const QString &subprotocols);
    QString headers() const { return m_headers; }
    void setHeaders(const QString &headers);
    bool compression() const { return m_compression; }
    void setCompression(bool on);
    bool ignoreTlsErrors() const { return m_ignoreTlsErrors; }
    void setIgnoreTlsErrors(bool on);
    QString caFile() const { return m_caFile; }
    void setCaFile(const QString &path);
    QString proxy() const { return m_proxy; }
    void setProxy(const QString &proxy);

    QUrl socketUrl() const;
    QStringList subprotocolList() const;
    QVariantMap requestHeaders() const;
    QVariantList caFiles() const;
    QUrl proxyUrl() const;

    QString lastError() const { return m_lastError; }
    LogModel *log() const { return m_log; }
    Statistics *stats() const { return m_stats; }
    Composer *composer() const { return m_composer; }
    LogSink *sink() const { return m_sink; }

    // Why the settings cannot make a connection (a URL that is not ws/wss, a header line
    // without a colon, a proxy of another kind, a CA file without a certificate), or "".
    Q_INVOKABLE QString settingsError() const;

    // Sets lastError (refuse: to error, returns false; succeed: clears it, returns true).
    Q_INVOKABLE bool refuse(const QString &error);
    Q_INVOKABLE bool succeed();

    // The settings as a JSON object, and back (unknown keys ignored).
    QJsonObject settingsToJson() const;
    void settingsFromJson(const QJsonObject &object);

Q_SIGNALS:
    void settingsChanged();
    void lastErrorChanged();

private:
    QString m_url = QStringLiteral("ws://127.0.0.1:9001/");
    QString m_subprotocols;
    QString m_headers;
    bool m_compression = true;
    bool m_ignoreTlsErrors = false;
    QString m_caFile;
    QString m_proxy;
    QString m_lastError;
    LogModel *m_log;
    Statistics *m_stats;
    Composer *m_composer;
    LogSink *m_sink;
};

} // namespace inspector
