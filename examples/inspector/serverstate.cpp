// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "serverstate.h"

#include "composer.h"
#include "logmodel.h"
#include "messageformat.h"
#include "settingsutil.h"
#include "statistics.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtNetwork/QHostAddress>
#include <QtQml/QQmlEngine>

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

// ---- ServerState ----------------------------------------------------------------------------

ServerState::ServerState(QObject *parent)
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

// The QML engine (and with it every WebSocket and Exchange) goes first: main.cpp and the test
// create the engine after this object.
ServerState::~ServerState() = default;

void ServerState::setHost(const QString &host)
{
    if (assign(m_host, host))
        Q_EMIT settingsChanged();
}

void ServerState::setPort(int port)
{
    if (assign(m_port, qBound(0, port, 65535)))
        Q_EMIT settingsChanged();
}

void ServerState::setSubprotocols(const QString &subprotocols)
{
    if (assign(m_subprotocols, subprotocols))
        Q_EMIT settingsChanged();
}

void ServerState::setTls(bool tls)
{
    if (assign(m_tls, tls))
        Q_EMIT settingsChanged();
}

void ServerState::setCertificateFile(const QString &path)
{
    if (assign(m_certificateFile, localPath(path)))
        Q_EMIT settingsChanged();
}

void ServerState::setKeyFile(const QString &path)
{
    if (assign(m_keyFile, localPath(path)))
        Q_EMIT settingsChanged();
}

void ServerState::setCompression(bool on)
{
    if (assign(m_compression, on))
        Q_EMIT settingsChanged();
}

void ServerState::setAnyOrigin(bool on)
{
    if (assign(m_anyOrigin, on))
        Q_EMIT settingsChanged();
}

void ServerState::setEcho(bool on)
{
    if (assign(m_echo, on))
        Q_EMIT settingsChanged();
}

QStringList ServerState::subprotocolList() const
{
    return splitList(m_subprotocols);
}

// The WebSocketServer listens with TLS when it has both files.
QUrl ServerState::certificateUrl() const
{
    return m_tls && !m_certificateFile.isEmpty() ? QUrl::fromLocalFile(m_certificateFile) : QUrl();
}

QUrl ServerState::keyUrl() const
{
    return m_tls && !m_keyFile.isEmpty() ? QUrl::fromLocalFile(m_keyFile) : QUrl();
}

QString ServerState::settingsError() const
{
    if (QHostAddress(m_host.trimmed()).isNull())
        return QStringLiteral("host: \"%1\" is not an IP address").arg(m_host);
    if (m_tls && (m_certificateFile.isEmpty() || m_keyFile.isEmpty()))
        return QStringLiteral("TLS: choose a certificate file and a key file (PEM)");
    return {};
}

bool ServerState::refuse(const QString &error)
{
    if (assign(m_lastError, error))
        Q_EMIT lastErrorChanged();
    return false;
}

bool ServerState::succeed()
{
    refuse(QString());
    return true;
}

LogSink *ServerState::addClient(QObject *exchange, const QVariantMap &info)
{
    auto client = std::make_unique<ClientListModel::Client>();
    client->id = m_nextId++;
    client->exchange = exchange;
    const auto text
        = [&info](const char *key) { return info.value(QString::fromLatin1(key)).toString(); };
    const QString host = text("address");
    client->address = (host.contains(u':') ? u'[' + host + u']' : host) + u':' + text("port");
    // The request line's target: "GET /room/7?x=1 HTTP/1.1".
    client->path = text("handshakeRequest").section(u'\n', 0, 0).section(u' ', 1, 1);
    client->subprotocol = text("subprotocol");
    client->extensions = text("extensions");
    client->handshakeRequest = text("handshakeRequest");
    client->handshakeResponse = text("handshakeResponse");
    client->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    client->log = std::make_unique<LogModel>();
    client->stats = std::make_unique<Statistics>();
    client->sink = std::make_unique<LogSink>(client->log.get(), client->stats.get(), m_stats);
    LogSink *sink = client->sink.get();
    // Handed to QML without a parent: without this the QML engine would own (and collect) it.
    QQmlEngine::setObjectOwnership(sink, QQmlEngine::CppOwnership);
    sink->note(QStringLiteral("%1 connected to %2%3")
                   .arg(client->address, client->path,
                       client->subprotocol.isEmpty()
                           ? QString()
                           : QStringLiteral(", subprotocol ") + client->subprotocol));
    const int id = client->id;
    connect(sink, &LogSink::ended, this, [this, id](int code) { m_clients.markClosed(id, code); });
    m_clients.add(std::move(client));
    const int row = m_clients.rowOf(id);
    if (m_selected < 0)
        setSelectedClient(row);
    else // rows may have moved (an ended client was removed to make room)
        Q_EMIT selectionChanged();
    Q_EMIT clientConnected(row);
    return sink;
}

QObject *ServerState::exchangeAt(int row) const
{
    const ClientListModel::Client *client = m_clients.clientAt(row);
    return client && client->open ? client->exchange.data() : nullptr;
}

QList<QObject *> ServerState::openExchanges() const
{
    QList<QObject *> exchanges;
    for (int row = 0; row < m_clients.count(); ++row)
        if (QObject *exchange = exchangeAt(row))
            exchanges.append(exchange);
    return exchanges;
}

void ServerState::setSelectedClient(int row)
{
    if (!m_clients.clientAt(row))
        row = -1;
    if (assign(m_selected, row))
        Q_EMIT selectionChanged();
}

LogModel *ServerState::selectedLog() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->log.get() : m_emptyLog;
}

Statistics *ServerState::selectedStats() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->stats.get() : m_emptyStats;
}

QString ServerState::selectedHandshakeRequest() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->handshakeRequest : QString();
}

QString ServerState::selectedHandshakeResponse() const
{
    const ClientListModel::Client *client = m_clients.clientAt(m_selected);
    return client ? client->handshakeResponse : QString();
}

void ServerState::removeClosedClients()
{
    m_clients.removeClosed();
    setSelectedClient(qMin(m_selected, m_clients.count() - 1));
    Q_EMIT selectionChanged();
}

QJsonObject ServerState::settingsToJson() const
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

void ServerState::settingsFromJson(const QJsonObject &object)
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
