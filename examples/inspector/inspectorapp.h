// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "clientcontroller.h"
#include "servercontroller.h"

#include <QtCore/QObject>

QT_BEGIN_NAMESPACE
class QQmlEngine;
QT_END_NAMESPACE

namespace inspector {

// The Inspector's root object, `inspector` in QML: the client and server views' controllers,
// sessions, the clipboard, and what the command line asked to open.
class InspectorApp : public QObject
{
    Q_OBJECT
    Q_PROPERTY(inspector::ClientController *client READ client CONSTANT)
    Q_PROPERTY(inspector::ServerController *server READ server CONSTANT)
    // "client" or "server": the view shown.
    Q_PROPERTY(QString view READ view WRITE setView NOTIFY viewChanged)
    Q_PROPERTY(QString sessionPath READ sessionPath NOTIFY sessionChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)

public:
    explicit InspectorApp(QObject *parent = nullptr);
    ~InspectorApp() override;

    // Registers the C++ types the QML uses (once per process) and sets `inspector` on engine.
    void install(QQmlEngine *engine);

    ClientController *client() const { return m_client; }
    ServerController *server() const { return m_server; }
    QString view() const { return m_view; }
    void setView(const QString &view);
    QString sessionPath() const { return m_sessionPath; }
    QString message() const { return m_message; }

    // A command-line argument: a ws(s):// URL (set as the client URL and connected) or a
    // session file (loaded). False with message set when it is neither.
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

private:
    ClientController *m_client;
    ServerController *m_server;
    QString m_view = QStringLiteral("client");
    QString m_sessionPath;
    QString m_message;
};

} // namespace inspector
