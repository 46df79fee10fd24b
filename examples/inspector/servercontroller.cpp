// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "servercontroller.h"

#include "composer.h"
#include "logmodel.h"
#include "messageformat.h"
#include "settingsutil.h"
#include "statistics.h"
#include "websockettap.h"

#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtNetwork/QSslKey>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

using namespace std::chrono_literals;

namespace inspector {

// ---- ClientListModel ------------------------------------------------------------------------

ClientListModel::~ClientListModel() = default;

int ClientListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_clients.size());
}

int ClientListModel::openCount() const
{
    return int(std::count_if(
        m_clients.begin(), m_clients.end(), [](const auto &client) { return client->open; }));
}

QVariant ClientListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Client &client = *m_clients[size_t(index.row())];
    switch (role) {
    case IdRole: return client.id;
    case Qt::DisplayRole:
    case AddressRole: return client.address;
    case PathRole: return client.path;
    case SubprotocolRole: return client.subprotocol;
    case OpenRole: return client.open;
    case StateTextRole:
        return client.open ? QStringLiteral("open")
                           : QStringLiteral("closed %1").arg(client.closeCode);
    case MessagesInRole: return client.stats->messagesIn();
    case MessagesOutRole: return client.stats->messagesOut();
    case BytesInRole: return client.stats->bytesIn();
    case BytesOutRole: return client.stats->bytesOut();
    case CountersRole:
        return QStringLiteral("↓ %1 msg · %2   ↑ %3 msg · %4")
            .arg(client.stats->messagesIn())
            .arg(formatSize(client.stats->bytesIn()))
            .arg(client.stats->messagesOut())
            .arg(formatSize(client.stats->bytesOut()));
    default: return {};
    }
}

QHash<int, QByteArray> ClientListModel::roleNames() const
{
    return {{IdRole, "clientId"}, {AddressRole, "address"}, {PathRole, "path"},
        {SubprotocolRole, "subprotocol"}, {OpenRole, "open"}, {StateTextRole, "stateText"},
        {MessagesInRole, "messagesIn"}, {MessagesOutRole, "messagesOut"}, {BytesInRole, "bytesIn"},
        {BytesOutRole, "bytesOut"}, {CountersRole, "counters"}};
}

ClientListModel::Client *ClientListModel::clientAt(int row) const
{
    return row >= 0 && row < count() ? m_clients[size_t(row)].get() : nullptr;
}

int ClientListModel::rowOf(int id) const
{
    for (size_t row = 0; row < m_clients.size(); ++row)
        if (m_clients[row]->id == id)
            return int(row);
    return -1;
}

void ClientListModel::add(std::unique_ptr<Client> client)
{
    // Ended clients are kept for their logs, within a bound: the oldest ended one goes first.
    if (count() - openCount() >= maxClosedClients) {
        for (size_t row = 0; row < m_clients.size(); ++row) {
            if (!m_clients[row]->open) {
                beginRemoveRows({}, int(row), int(row));
                m_clients.erase(m_clients.begin() + qsizetype(row));
                endRemoveRows();
                break;
            }
        }
    }
    beginInsertRows({}, count(), count());
    m_clients.push_back(std::move(client));
    endInsertRows();
    Q_EMIT countChanged();
}

void ClientListModel::markClosed(int id, int code)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_clients[size_t(row)]->open = false;
    m_clients[size_t(row)]->closeCode = code;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed);
    Q_EMIT countChanged();
}

void ClientListModel::removeClosed()
{
    for (int row = count() - 1; row >= 0; --row) {
        if (m_clients[size_t(row)]->open)
            continue;
        beginRemoveRows({}, row, row);
        m_clients.erase(m_clients.begin() + row);
        endRemoveRows();
    }
    Q_EMIT countChanged();
}

void ClientListModel::refreshCounters()
{
    if (!m_clients.empty())
        Q_EMIT dataChanged(index(0), index(count() - 1),
            {MessagesInRole, MessagesOutRole, BytesInRole, BytesOutRole, CountersRole});
}

// ---- ServerController -----------------------------------------------------------------------

ServerController::ServerController(QObject *parent)
    : QObject(parent)
    , m_stats(new Statistics(this))
    , m_composer(new Composer(this))
    , m_emptyLog(new LogModel(this))
    , m_emptyStats(new Statistics(this))
{
    m_refresh.setInterval(500ms);
    connect(&m_refresh, &QTimer::timeout, &m_clients, &ClientListModel::refreshCounters);
    m_refresh.start();
}

ServerController::~ServerController()
{
    // The servers' WebSockets (and their taps) go before the logs they write into, also those
    // of a server still closing after stop().
    m_server.reset();
    qDeleteAll(findChildren<qtws::Server *>(Qt::FindDirectChildrenOnly));
}

void ServerController::setHost(const QString &host)
{
    if (assign(m_host, host))
        Q_EMIT settingsChanged();
}

void ServerController::setPort(int port)
{
    if (assign(m_port, qBound(0, port, 65535)))
        Q_EMIT settingsChanged();
}

void ServerController::setSubprotocols(const QString &subprotocols)
{
    if (assign(m_subprotocols, subprotocols))
        Q_EMIT settingsChanged();
}

void ServerController::setTls(bool tls)
{
    if (assign(m_tls, tls))
        Q_EMIT settingsChanged();
}

void ServerController::setCertificateFile(const QString &path)
{
    if (assign(m_certificateFile, localPath(path)))
        Q_EMIT settingsChanged();
}

void ServerController::setKeyFile(const QString &path)
{
    if (assign(m_keyFile, localPath(path)))
        Q_EMIT settingsChanged();
}

void ServerController::setCompression(bool on)
{
    if (assign(m_compression, on))
        Q_EMIT settingsChanged();
}

void ServerController::setAnyOrigin(bool on)
{
    if (assign(m_anyOrigin, on))
        Q_EMIT settingsChanged();
}

void ServerController::setEcho(bool on)
{
    if (assign(m_echo, on))
        Q_EMIT settingsChanged();
}

bool ServerController::isListening() const
{
    return m_server && m_server->isListening();
}

QString ServerController::serverUrl() const
{
    return isListening() ? m_server->serverUrl().toString() : QString();
}

int ServerController::boundPort() const
{
    return isListening() ? m_server->serverPort() : 0;
}

bool ServerController::refuse(const QString &error)
{
    m_lastError = error;
    Q_EMIT lastErrorChanged();
    return false;
}

bool ServerController::listen()
{
    if (isListening())
        return refuse(QStringLiteral("already listening on %1").arg(serverUrl()));
    qtws::ServerOptions options;
    options.host = QHostAddress(m_host.trimmed());
    if (options.host.isNull())
        return refuse(QStringLiteral("host: \"%1\" is not an IP address").arg(m_host));
    options.port = quint16(m_port);
    options.websocket.subprotocols = splitList(m_subprotocols);
    options.websocket.deflate.enabled = m_compression;
    if (m_anyOrigin)
        options.websocket.checkOrigin = [](const qtws::http::Request &) { return true; };
    if (m_tls) {
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_certificateFile);
        if (chain.isEmpty())
            return refuse(
                QStringLiteral("TLS: no PEM certificate in \"%1\"").arg(m_certificateFile));
        QFile keyFile(m_keyFile);
        if (!keyFile.open(QIODevice::ReadOnly))
            return refuse(
                QStringLiteral("TLS key \"%1\": %2").arg(m_keyFile, keyFile.errorString()));
        const QByteArray pem = keyFile.readAll();
        QSslKey key(pem, QSsl::Ec);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Rsa);
        if (key.isNull())
            return refuse(
                QStringLiteral("TLS: no unencrypted EC or RSA PEM key in \"%1\"").arg(m_keyFile));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificateChain(chain);
        tls.setPrivateKey(key);
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        options.tls = tls;
    }
    m_server = std::make_unique<qtws::Server>(options);
    connect(m_server.get(), &qtws::Server::newConnection, this, &ServerController::accept);
    if (!m_server->listen()) {
        const QString error = m_server->errorString();
        m_server.reset();
        return refuse(
            QStringLiteral("cannot listen on %1:%2: %3").arg(m_host).arg(m_port).arg(error));
    }
    if (!m_lastError.isEmpty())
        refuse(QString());
    Q_EMIT listeningChanged();
    return true;
}

void ServerController::stop()
{
    if (!m_server)
        return;
    // The server (and with it every WebSocket) is deleted once its graceful close completed.
    qtws::Server *server = m_server.release();
    server->setParent(this);
    connect(server, &qtws::Server::closed, server, &QObject::deleteLater);
    server->close();
    Q_EMIT listeningChanged();
}

void ServerController::accept(qtws::WebSocket *ws)
{
    auto client = std::make_unique<ClientListModel::Client>();
    client->id = m_nextId++;
    client->ws = ws;
    const QHostAddress address = ws->peerAddress();
    client->address
        = (address.protocol() == QAbstractSocket::IPv6Protocol ? u'[' + address.toString() + u']'
                                                               : address.toString())
        + u':' + QString::number(ws->peerPort());
    const qtws::http::Request request = ws->handshakeRequest();
    client->path = QString::fromLatin1(request.target);
    client->subprotocol = ws->subprotocol();
    client->extensions = ws->extensions();
    client->handshakeRequest = QString::fromLatin1(request.serialize());
    client->handshakeResponse = QString::fromLatin1(ws->handshakeResponse().serialize());
    client->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    client->log = std::make_unique<LogModel>();
    client->stats = std::make_unique<Statistics>();
    client->tap = new WebSocketTap(ws, client->log.get(), client->stats.get(), m_stats, ws);
    client->tap->note(QStringLiteral("%1 connected to %2%3")
                          .arg(client->address, client->path,
                              client->subprotocol.isEmpty()
                                  ? QString()
                                  : QStringLiteral(", subprotocol ") + client->subprotocol));
    const int id = client->id;
    WebSocketTap *tap = client->tap;
    connect(ws, &qtws::WebSocket::closed, this,
        [this, id](int code) { m_clients.markClosed(id, code); });
    connect(ws, &qtws::WebSocket::textMessageReceived, tap, [this, tap](const QString &text) {
        if (m_echo) {
            QString ignored;
            tap->send({.type = qtws::MessageType::Text, .payload = text.toUtf8()}, text, &ignored);
        }
    });
    connect(ws, &qtws::WebSocket::binaryMessageReceived, tap, [this, tap](const QByteArray &data) {
        if (m_echo) {
            QString ignored;
            tap->send({.type = qtws::MessageType::Binary, .payload = data}, {}, &ignored);
        }
    });
    m_clients.add(std::move(client));
    const int row = m_clients.rowOf(id);
    if (m_selected < 0)
        setSelectedClient(row);
    else // rows may have moved (an ended client was removed to make room)
        Q_EMIT selectionChanged();
    Q_EMIT clientConnected(row);
}

void ServerController::setSelectedClient(int row)
{
    if (!m_clients.clientAt(row))
        row = -1;
    if (assign(m_selected, row))
        Q_EMIT selectionChanged();
}

LogModel *ServerController::selectedLog() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->log.get() : m_emptyLog;
}

Statistics *ServerController::selectedStats() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->stats.get() : m_emptyStats;
}

QString ServerController::selectedHandshakeRequest() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->handshakeRequest : QString();
}

QString ServerController::selectedHandshakeResponse() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->handshakeResponse : QString();
}

int ServerController::broadcast()
{
    const ComposedMessage message = m_composer->build();
    if (!message.ok())
        return refuse(message.error), -1;
    int sent = 0;
    QString error;
    for (int row = 0; row < m_clients.count(); ++row) {
        ClientListModel::Client *client = m_clients.clientAt(row);
        if (client->open && client->tap && client->tap->send(message, m_composer->text(), &error))
            ++sent;
    }
    if (sent == 0)
        return refuse(QStringLiteral("no client is connected")), 0;
    m_composer->recordSent(message.payload.size());
    return sent;
}

bool ServerController::sendToSelected()
{
    ClientListModel::Client *client = m_clients.clientAt(m_selected);
    if (!client || !client->tap)
        return refuse(QStringLiteral("select a client first"));
    const ComposedMessage message = m_composer->build();
    QString error;
    if (!client->tap->send(message, m_composer->text(), &error))
        return refuse(error);
    m_composer->recordSent(message.payload.size());
    return true;
}

bool ServerController::pingSelected(const QString &payload)
{
    ClientListModel::Client *client = m_clients.clientAt(m_selected);
    QString error;
    if (!client || !client->tap)
        return refuse(QStringLiteral("select a client first"));
    return client->tap->ping(payload.toUtf8(), &error) || refuse(error);
}

bool ServerController::disconnectClient(int row, int code, const QString &reason)
{
    ClientListModel::Client *client = m_clients.clientAt(row);
    QString error;
    if (!client || !client->tap)
        return refuse(QStringLiteral("no such client"));
    return client->tap->close(code, reason, &error) || refuse(error);
}

void ServerController::removeClosedClients()
{
    m_clients.removeClosed();
    setSelectedClient(qMin(m_selected, m_clients.count() - 1));
    Q_EMIT selectionChanged();
}

QJsonObject ServerController::settingsToJson() const
{
    return {
        {QStringLiteral("host"), m_host},
        {QStringLiteral("port"), m_port},
        {QStringLiteral("subprotocols"), QJsonArray::fromStringList(splitList(m_subprotocols))},
        {QStringLiteral("tls"), m_tls},
        {QStringLiteral("certificateFile"), m_certificateFile},
        {QStringLiteral("keyFile"), m_keyFile},
        {QStringLiteral("compression"), m_compression},
        {QStringLiteral("anyOrigin"), m_anyOrigin},
        {QStringLiteral("echo"), m_echo},
    };
}

void ServerController::settingsFromJson(const QJsonObject &object)
{
    setHost(object.value(QStringLiteral("host")).toString(m_host));
    setPort(object.value(QStringLiteral("port")).toInt(m_port));
    QStringList subprotocols;
    for (const QJsonValue &value : object.value(QStringLiteral("subprotocols")).toArray())
        subprotocols.append(value.toString());
    setSubprotocols(subprotocols.join(QStringLiteral(", ")));
    setTls(object.value(QStringLiteral("tls")).toBool(false));
    setCertificateFile(object.value(QStringLiteral("certificateFile")).toString());
    setKeyFile(object.value(QStringLiteral("keyFile")).toString());
    setCompression(object.value(QStringLiteral("compression")).toBool(true));
    setAnyOrigin(object.value(QStringLiteral("anyOrigin")).toBool(true));
    setEcho(object.value(QStringLiteral("echo")).toBool(false));
}

} // namespace inspector
