// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtWs/clientoptions.h>

#include <optional>

#include "composer.h"
#include "logmodel.h"
#include "statistics.h"

#include <QtWs/websocket.h>

namespace inspector {

class WebSocketTap;

// The client view's state: the connection settings as the connect panel edits them, one
// qtws::WebSocket opened with them, its handshake, its log, statistics and composer.
//
// This wraps qtws::WebSocket in C++ rather than using the QML module's WebSocket type because
// the Inspector needs what a QML type does not expose (see docs/inspector.md): the handshake
// request and response, the library's automatic pongs, fragmented sends and every ClientOptions
// field.
class ClientController : public QObject
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
    // ---- the connection ----
    // "closed", "connecting", "open", "closing"
    Q_PROPERTY(QString state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString status READ status NOTIFY stateChanged)
    Q_PROPERTY(QString negotiatedSubprotocol READ negotiatedSubprotocol NOTIFY stateChanged)
    Q_PROPERTY(QString extensions READ extensions NOTIFY stateChanged)
    Q_PROPERTY(QString peer READ peer NOTIFY stateChanged)
    Q_PROPERTY(QString handshakeRequest READ handshakeRequest NOTIFY handshakeChanged)
    Q_PROPERTY(QString handshakeResponse READ handshakeResponse NOTIFY handshakeChanged)
    // The last refusal of a user action (bad close code, invalid JSON, not connected…).
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    Q_PROPERTY(inspector::LogModel *log READ log CONSTANT)
    Q_PROPERTY(inspector::Statistics *stats READ stats CONSTANT)
    Q_PROPERTY(inspector::Composer *composer READ composer CONSTANT)

public:
    explicit ClientController(QObject *parent = nullptr);
    ~ClientController() override;

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

    QString state() const;
    QString status() const;
    QString negotiatedSubprotocol() const;
    QString extensions() const;
    QString peer() const;
    QString handshakeRequest() const { return m_handshakeRequest; }
    QString handshakeResponse() const { return m_handshakeResponse; }
    QString lastError() const { return m_lastError; }
    LogModel *log() const { return m_log; }
    Statistics *stats() const { return m_stats; }
    Composer *composer() const { return m_composer; }
    qtws::WebSocket *webSocket() const { return m_ws; }

    // The options the settings make, or std::nullopt with *error saying which setting is wrong.
    std::optional<qtws::ClientOptions> clientOptions(QString *error) const;

    // The settings as a JSON object, and back (unknown keys ignored).
    QJsonObject settingsToJson() const;
    void settingsFromJson(const QJsonObject &object);

public Q_SLOTS:
    // Each returns false, with lastError set, when refused.
    bool connectToServer();
    // Close with 1000 (or abandon a connection attempt).
    void disconnectFromServer();
    bool send();
    bool ping(const QString &payload);
    bool close(int code, const QString &reason);
    void abort();
    // Sends history entry row again (it becomes the composer's input).
    bool resend(int row);

Q_SIGNALS:
    void settingsChanged();
    void stateChanged();
    void handshakeChanged();
    void lastErrorChanged();
    void connected();
    void closed();

private:
    bool refuse(const QString &error);
    bool succeed();
    void updateHandshake();

    QString m_url = QStringLiteral("ws://127.0.0.1:9001/");
    QString m_subprotocols;
    QString m_headers;
    bool m_compression = true;
    bool m_ignoreTlsErrors = false;
    QString m_caFile;
    QString m_proxy;
    QString m_handshakeRequest;
    QString m_handshakeResponse;
    QString m_lastError;
    LogModel *m_log;
    Statistics *m_stats;
    Composer *m_composer;
    QPointer<qtws::WebSocket> m_ws;
    WebSocketTap *m_tap = nullptr;
};

} // namespace inspector
