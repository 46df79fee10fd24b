// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "clientstate.h"
#include "serverstate.h"

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QQmlEngine;
QT_END_NAMESPACE

namespace inspector {

// The Inspector's root object, `inspector` in QML: the client and server views' state (the
// connections themselves are the QML module's WebSocket and WebSocketServer in the views),
// sessions, the clipboard, and what the command line asked to open.
class InspectorApp : public QObject
{
    Q_OBJECT
    Q_PROPERTY(inspector::ClientState *client READ client CONSTANT)
    Q_PROPERTY(inspector::ServerState *server READ server CONSTANT)
    // The command line asked the client view to connect, or the server view to listen: the
    // view does it (now, or once loaded) and sets the flag back to false.
    Q_PROPERTY(bool connectRequested READ connectRequested WRITE setConnectRequested NOTIFY
            requestsChanged)
    Q_PROPERTY(
        bool listenRequested READ listenRequested WRITE setListenRequested NOTIFY requestsChanged)
    // "client" or "server": the view shown.
    Q_PROPERTY(QString view READ view WRITE setView NOTIFY viewChanged)
    Q_PROPERTY(QString sessionPath READ sessionPath NOTIFY sessionChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)

public:
    explicit InspectorApp(QObject *parent = nullptr);
    ~InspectorApp() override;

    // Registers the C++ types the QML uses (once per process) and sets `inspector` on engine.
    void install(QQmlEngine *engine);

    ClientState *client() const { return m_client; }
    ServerState *server() const { return m_server; }
    QString view() const { return m_view; }
    void setView(const QString &view);
    QString sessionPath() const { return m_sessionPath; }
    QString message() const { return m_message; }
    bool connectRequested() const { return m_connectRequested; }
    void setConnectRequested(bool requested);
    bool listenRequested() const { return m_listenRequested; }
    void setListenRequested(bool requested);

    // A command-line argument: a ws(s):// URL (set as the client URL, and connectRequested
    // when connect) or a session file (loaded). False with message set when it is neither.
    bool open(const QString &urlOrFile, bool connect = true);

public Q_SLOTS:
    // Paths or file:// URLs (from file dialogs).
    bool saveSession(const QString &path);
    bool loadSession(const QString &path);
    void copyToClipboard(const QString &text);
    void showMessage(const QString &text);

Q_SIGNALS:
    void viewChanged();
    void sessionChanged();
    void messageChanged();
    void requestsChanged();

private:
    ClientState *m_client;
    ServerState *m_server;
    QString m_view = QStringLiteral("client");
    QString m_sessionPath;
    QString m_message;
    bool m_connectRequested = false;
    bool m_listenRequested = false;
};

} // namespace inspector
