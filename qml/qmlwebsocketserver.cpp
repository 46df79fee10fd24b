// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "qmlwebsocketserver.h"

#include "binarypayload_p.h"
#include "headerobject_p.h"
#include "logging_p.h"
#include "tlsfiles_p.h"

#include <QtWs/handshake.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtQml/QQmlEngine>

namespace qtws::qml {

namespace {

std::optional<QHostAddress> parseHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return QHostAddress(QHostAddress::LocalHost);
    const QHostAddress address(host);
    if (address.isNull())
        return std::nullopt;
    return address;
}

// What acceptConnection(request) gets: the handshake request as a plain JS object.
QVariantMap requestObject(const http::Request &request, bool tls)
{
    QStringList subprotocols;
    for (const QByteArray &item : request.headers.listValues("Sec-WebSocket-Protocol"))
        subprotocols.append(QString::fromLatin1(item));
    const qsizetype question = request.target.indexOf('?');
    return {
        {QStringLiteral("path"), request.path()},
        {QStringLiteral("query"),
            question < 0 ? QString() : QString::fromLatin1(request.target.mid(question + 1))},
        {QStringLiteral("origin"), QString::fromLatin1(request.headers.value("Origin"))},
        {QStringLiteral("headers"), headerObject(request.headers)},
        {QStringLiteral("subprotocols"), subprotocols},
        {QStringLiteral("secure"), tls},
    };
}

} // namespace

QmlWebSocketServer::QmlWebSocketServer(QObject *parent) : QObject(parent)
{
    // The defaults are ServerOptions' and Limits', taken from them so that they cannot drift.
    const ServerOptions defaults;
    m_host = defaults.host.toString();
    m_compression = defaults.websocket.deflate.enabled;
    m_maxMessageSize = defaults.websocket.limits.maxMessageSize;
    m_maxConnections = defaults.maxConnections;
    m_closeTimeout = int(defaults.websocket.closeTimeout.count());
}

QmlWebSocketServer::~QmlWebSocketServer()
{
    // The clients' connections die with the servers (children of this); nothing they emit on
    // the way out may reach this half-destroyed object.
    for (QmlWebSocket *client : std::as_const(m_clients))
        disconnect(client, nullptr, this, nullptr);
    m_clients.clear();
    const QList<Server *> servers = findChildren<Server *>(Qt::FindDirectChildrenOnly);
    for (Server *server : servers) {
        disconnect(server, nullptr, this, nullptr);
        delete server;
    }
}

QUrl QmlWebSocketServer::url() const
{
    return m_url;
}

void QmlWebSocketServer::componentComplete()
{
    m_complete = true;
    if (m_listen)
        start();
}

void QmlWebSocketServer::setHost(const QString &host)
{
    if (host == m_host)
        return;
    m_host = host;
    Q_EMIT hostChanged(m_host);
    if (m_server) // Qt's QML WebSocketServer listens again at the new address; so does this one
        start();
}

void QmlWebSocketServer::setPort(int port)
{
    if (port == m_port)
        return;
    if (port < 0 || port > 65535) {
        qCWarning(lcQml, "WebSocketServer: port %d refused: ports are 0-65535", port);
        return;
    }
    m_port = port;
    Q_EMIT portChanged(m_port);
    if (m_server)
        start();
}

void QmlWebSocketServer::setName(const QString &name)
{
    if (name == m_name)
        return;
    m_name = name;
    Q_EMIT nameChanged(m_name);
}

void QmlWebSocketServer::setListen(bool listen)
{
    if (listen == m_listen)
        return;
    setListenState(listen);
    if (!m_complete)
        return;
    if (listen)
        start();
    else
        stopCurrent(true);
}

void QmlWebSocketServer::setAccept(bool accept)
{
    if (accept == m_accept)
        return;
    m_accept = accept;
    Q_EMIT acceptChanged(m_accept);
}

void QmlWebSocketServer::setAcceptConnection(const QJSValue &hook)
{
    if (!hook.isUndefined() && !hook.isNull() && !hook.isCallable()) {
        qCWarning(lcQml, "WebSocketServer: acceptConnection must be a function, not %s",
            qPrintable(describe(hook)));
        return;
    }
    m_acceptConnection = hook;
    Q_EMIT acceptConnectionChanged();
}

QQmlListProperty<QmlWebSocket> QmlWebSocketServer::clients()
{
    // Read-only from QML (count and at only): the server alone adds and removes clients.
    return QQmlListProperty<QmlWebSocket>(
        this, &m_clients,
        [](QQmlListProperty<QmlWebSocket> *list) {
            return static_cast<QList<QmlWebSocket *> *>(list->data)->size();
        },
        [](QQmlListProperty<QmlWebSocket> *list, qsizetype index) {
            return static_cast<QList<QmlWebSocket *> *>(list->data)->at(index);
        });
}

void QmlWebSocketServer::setErrorString(const QString &errorString)
{
    if (errorString == m_errorString)
        return;
    m_errorString = errorString;
    Q_EMIT errorStringChanged(m_errorString);
}

void QmlWebSocketServer::setListenState(bool listen)
{
    if (listen == m_listen)
        return;
    m_listen = listen;
    Q_EMIT listenChanged(m_listen);
}

void QmlWebSocketServer::start()
{
    if (m_server)
        stopCurrent(true);
    ServerOptions options;
    const std::optional<QHostAddress> host = parseHost(m_host);
    QString problem;
    if (!host)
        problem = QStringLiteral("host %1 is not an IP address or localhost").arg(m_host);
    options.host = host.value_or(QHostAddress());
    options.port = quint16(m_port);
    if (problem.isEmpty() && (!m_certificateFile.isEmpty() || !m_privateKeyFile.isEmpty())) {
        if (m_certificateFile.isEmpty() || m_privateKeyFile.isEmpty()) {
            problem = QStringLiteral("TLS needs both certificateFile and privateKeyFile");
        } else {
            const QList<QSslCertificate> chain = readCertificates(m_certificateFile, &problem);
            const std::optional<QSslKey> key
                = chain.isEmpty() ? std::nullopt : readPrivateKey(m_privateKeyFile, &problem);
            if (key) {
                QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
                tls.setLocalCertificateChain(chain);
                tls.setPrivateKey(*key);
                options.tls = tls;
            }
        }
    }
    if (!problem.isEmpty()) {
        qCWarning(lcQml, "WebSocketServer: cannot listen: %s", qPrintable(problem));
        setErrorString(problem);
        setListenState(false);
        return;
    }
    const bool tls = options.tls.has_value();
    options.websocket.subprotocols = m_subprotocols;
    options.websocket.checkOrigin
        = [this, tls](const http::Request &request) { return allows(request, tls); };
    options.websocket.limits.maxMessageSize = m_maxMessageSize;
    options.websocket.limits.maxFrameSize = m_maxMessageSize;
    options.websocket.closeTimeout = std::chrono::milliseconds(qMax(0, m_closeTimeout));
    options.websocket.deflate.enabled = m_compression;
    if (!m_name.isEmpty()) // Qt's serverName goes out in the handshake, as here
        options.websocket.responseHeaders.append("Server", m_name.toUtf8());
    options.maxConnections = m_maxConnections;

    auto *server = new Server(std::move(options), this);
    connect(server, &Server::newConnection, this, &QmlWebSocketServer::onNewConnection);
    connect(server, &Server::closed, this, [this, server] {
        server->deleteLater();
        if (server != m_server)
            return;
        m_server = nullptr;
        if (!m_url.isEmpty()) {
            m_url = QUrl();
            Q_EMIT urlChanged(m_url);
        }
        setListenState(false);
        Q_EMIT closed();
    });
    if (!server->listen()) {
        setErrorString(server->errorString());
        delete server;
        setListenState(false);
        return;
    }
    m_server = server;
    setErrorString({});
    setListenState(true);
    if (m_port == 0) {
        m_port = server->serverPort();
        Q_EMIT portChanged(m_port);
    }
    if (server->serverUrl() != m_url) {
        m_url = server->serverUrl();
        Q_EMIT urlChanged(m_url);
    }
}

// The current server, if any, stops: gracefully (1001 to every client) or at once. It is
// deleted once it reported closed().
void QmlWebSocketServer::stopCurrent(bool graceful)
{
    Server *server = m_server;
    if (!server)
        return;
    m_server = nullptr;
    if (!m_url.isEmpty()) {
        m_url = QUrl();
        Q_EMIT urlChanged(m_url);
    }
    // Its clients go on until they close; only the listener stops.
    disconnect(server, &Server::newConnection, this, nullptr);
    if (graceful)
        server->close();
    else
        server->forceClose();
}

void QmlWebSocketServer::close()
{
    if (!m_server)
        return;
    // Server::closed() (handled in start()) clears listen and emits closed() once every client
    // is gone; until then the server refuses new handshakes with 503.
    m_server->close();
}

bool QmlWebSocketServer::allows(const http::Request &request, bool tls)
{
    if (!m_accept)
        return false;
    if (!m_acceptConnection.isCallable())
        return handshake::isOriginAllowedByDefault(
            request, tls ? handshake::Transport::Tls : handshake::Transport::Plain);
    QJSEngine *engine = qjsEngine(this);
    if (!engine)
        return false;
    const QJSValue result
        = m_acceptConnection.call({engine->toScriptValue(requestObject(request, tls))});
    if (result.isError()) {
        qCWarning(lcQml, "WebSocketServer: acceptConnection threw %s: connection refused",
            qPrintable(result.toString()));
        return false;
    }
    return result.toBool();
}

void QmlWebSocketServer::onNewConnection(qtws::WebSocket *ws)
{
    auto *client = new QmlWebSocket(ws, this);
    QQmlEngine::setObjectOwnership(client, QQmlEngine::CppOwnership);
    connect(client, &QmlWebSocket::statusChanged, this,
        [this, client] { onClientStatusChanged(client); });
    m_clients.append(client);
    Q_EMIT clientCountChanged();
    Q_EMIT clientConnected(client);
}

void QmlWebSocketServer::onClientStatusChanged(QmlWebSocket *client)
{
    if (client->status() != QmlWebSocket::Closed && client->status() != QmlWebSocket::Error)
        return;
    if (!m_clients.removeOne(client))
        return;
    Q_EMIT clientCountChanged();
    Q_EMIT clientDisconnected(client);
    client->deleteLater();
}

int QmlWebSocketServer::broadcast(const QJSValue &message)
{
    std::optional<QByteArray> binary;
    if (!message.isString()) {
        binary = bytesOfBinary(qjsEngine(this), message);
        if (!binary) {
            qCWarning(lcQml,
                "WebSocketServer: broadcast() takes a string or binary data, not %s: not sent",
                qPrintable(describe(message)));
            return -1;
        }
    }
    const QString text = binary ? QString() : message.toString();
    int count = 0;
    for (QmlWebSocket *client : std::as_const(m_clients)) {
        if (client->status() != QmlWebSocket::Open)
            continue;
        const qint64 sent = binary ? client->sendBytes(*binary) : client->sendTextMessage(text);
        if (sent >= 0)
            ++count;
    }
    return count;
}

} // namespace qtws::qml
