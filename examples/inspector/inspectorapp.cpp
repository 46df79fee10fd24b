// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "inspectorapp.h"

#include "clientstate.h"
#include "composer.h"
#include "logfiltermodel.h"
#include "logmodel.h"
#include "logsink.h"
#include "serverstate.h"
#include "session.h"
#include "settingsutil.h"
#include "statistics.h"

#include <QtCore/QFileInfo>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlContext>
#include <QtQml/QQmlEngine>

namespace inspector {

InspectorApp::InspectorApp(QObject *parent)
    : QObject(parent), m_client(new ClientState(this)), m_server(new ServerState(this))
{ }

InspectorApp::~InspectorApp() = default;

void InspectorApp::install(QQmlEngine *engine)
{
    static const bool registered = [] {
        const char *uri = "Inspector";
        qmlRegisterType<LogFilterModel>(uri, 1, 0, "LogFilterModel");
        const QString reason = QStringLiteral("created by the Inspector");
        qmlRegisterUncreatableType<LogModel>(uri, 1, 0, "LogModel", reason);
        qmlRegisterUncreatableType<Statistics>(uri, 1, 0, "Statistics", reason);
        qmlRegisterUncreatableType<Composer>(uri, 1, 0, "Composer", reason);
        qmlRegisterUncreatableType<HistoryModel>(uri, 1, 0, "HistoryModel", reason);
        qmlRegisterUncreatableType<ClientState>(uri, 1, 0, "ClientState", reason);
        qmlRegisterUncreatableType<ServerState>(uri, 1, 0, "ServerState", reason);
        qmlRegisterUncreatableType<LogSink>(uri, 1, 0, "LogSink", reason);
        qmlRegisterUncreatableType<ClientListModel>(uri, 1, 0, "ClientListModel", reason);
        qmlRegisterUncreatableType<InspectorApp>(uri, 1, 0, "InspectorApp", reason);
        return true;
    }();
    Q_UNUSED(registered);
    // The views use the QML module of this build (import QtWs), not an installed one.
    engine->addImportPath(QStringLiteral(QTWS_QML_IMPORT_DIR));
    engine->rootContext()->setContextProperty(QStringLiteral("inspector"), this);
}

void InspectorApp::setView(const QString &view)
{
    if (assign(m_view, view))
        Q_EMIT viewChanged();
}

void InspectorApp::showMessage(const QString &text)
{
    m_message = text;
    Q_EMIT messageChanged();
}

void InspectorApp::setConnectRequested(bool requested)
{
    if (assign(m_connectRequested, requested))
        Q_EMIT requestsChanged();
}

void InspectorApp::setListenRequested(bool requested)
{
    if (assign(m_listenRequested, requested))
        Q_EMIT requestsChanged();
}

bool InspectorApp::open(const QString &urlOrFile, bool connect)
{
    const QUrl url(urlOrFile);
    if (QStringList{u"ws"_qs, u"wss"_qs, u"http"_qs, u"https"_qs}.contains(url.scheme())) {
        m_client->setUrl(urlOrFile);
        setView(QStringLiteral("client"));
        if (const QString error = m_client->settingsError(); !error.isEmpty()) {
            showMessage(error);
            return false;
        }
        setConnectRequested(connect);
        return true;
    }
    if (QFileInfo(localPath(urlOrFile)).isFile())
        return loadSession(urlOrFile);
    showMessage(
        QStringLiteral("%1 is neither a ws:// or wss:// URL nor a session file").arg(urlOrFile));
    return false;
}

bool InspectorApp::saveSession(const QString &path)
{
    QString error;
    const QString local = localPath(path);
    if (!session::save(local, *m_client, *m_server, &error)) {
        showMessage(QStringLiteral("Could not save the session: ") + error);
        return false;
    }
    m_sessionPath = local;
    Q_EMIT sessionChanged();
    showMessage(QStringLiteral("Session saved to %1").arg(local));
    return true;
}

bool InspectorApp::loadSession(const QString &path)
{
    QString error;
    const QString local = localPath(path);
    if (!session::load(local, *m_client, *m_server, &error)) {
        showMessage(QStringLiteral("Could not load the session: ") + error);
        return false;
    }
    m_sessionPath = local;
    Q_EMIT sessionChanged();
    showMessage(QStringLiteral("Session loaded from %1").arg(local));
    return true;
}

void InspectorApp::copyToClipboard(const QString &text)
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

} // namespace inspector
