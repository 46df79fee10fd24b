// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "inspectorapp.h"

#include "clientcontroller.h"
#include "composer.h"
#include "logfiltermodel.h"
#include "logmodel.h"
#include "servercontroller.h"
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
    : QObject(parent), m_client(new ClientController(this)), m_server(new ServerController(this))
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
        qmlRegisterUncreatableType<ClientController>(uri, 1, 0, "ClientController", reason);
        qmlRegisterUncreatableType<ServerController>(uri, 1, 0, "ServerController", reason);
        qmlRegisterUncreatableType<ClientListModel>(uri, 1, 0, "ClientListModel", reason);
        qmlRegisterUncreatableType<InspectorApp>(uri, 1, 0, "InspectorApp", reason);
        return true;
    }();
    Q_UNUSED(registered);
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

bool InspectorApp::open(const QString &urlOrFile, bool connect)
{
    const QUrl url(urlOrFile);
    if (QStringList{u"ws"_qs, u"wss"_qs, u"http"_qs, u"https"_qs}.contains(url.scheme())) {
        m_client->setUrl(urlOrFile);
        setView(QStringLiteral("client"));
        return !connect || m_client->connectToServer();
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
