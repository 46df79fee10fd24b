// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <memory>
#include <vector>

#include "composer.h"
#include "logmodel.h"
#include "logsink.h"
#include "statistics.h"

#include <QtCore/QUrl>
#include <QtCore/QVariantMap>

namespace inspector {

// The server view's clients: one row per accepted connection, open or ended (kept so its log
// can still be read; at most maxClosedClients ended rows are kept, oldest removed first).
class ClientListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int openCount READ openCount NOTIFY countChanged)
public:
    struct Client
    {
        int id = 0;
        // Exchange.qml around the client's QML WebSocket; null once the connection ended.
        QPointer<QObject> exchange;
        QString address; // "127.0.0.1:54321"
        QString path;
        QString subprotocol;
        QString extensions;
        QString handshakeRequest;
        QString handshakeResponse;
        qint64 connectedAtMs = 0;
        bool open = true;
        int closeCode = 0;
        std::unique_ptr<LogModel> log;
        std::unique_ptr<Statistics> stats;
        std::unique_ptr<LogSink> sink; // into log and stats
    };
    enum Role {
        IdRole = Qt::UserRole + 1,
        AddressRole,
        PathRole,
        SubprotocolRole,
        OpenRole,
        StateTextRole,
        MessagesInRole,
        MessagesOutRole,
        BytesInRole,
        BytesOutRole,
        CountersRole,
    };
    static constexpr int maxClosedClients = 200;

    using QAbstractListModel::QAbstractListModel;
    ~ClientListModel() override;
    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_clients.size()); }
    int openCount() const;
    Client *clientAt(int row) const;
    int rowOf(int id) const;
    void add(std::unique_ptr<Client> client);
    void markClosed(int id, int code);
    void removeClosed();
    // Counters changed: one dataChanged for every row (the view refreshes twice a second).
    void refreshCounters();

Q_SIGNALS:
    void countChanged();

private:
    std::vector<std::unique_ptr<Client>> m_clients;
};

// What the server view keeps: the listen settings (saved in sessions), the clients with their
// logs and counters (ClientListModel), the server's totals, the composer and the selection. The
// server itself is a `WebSocketServer` of the QML module (import QtWs) in ServerView.qml; each
// client it hands out gets an Exchange.qml, registered here with addClient().
class ServerState : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY settingsChanged)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY settingsChanged)
    Q_PROPERTY(QString subprotocols READ subprotocols WRITE setSubprotocols NOTIFY settingsChanged)
    Q_PROPERTY(bool tls READ tls WRITE setTls NOTIFY settingsChanged)
    Q_PROPERTY(QString certificateFile READ certificateFile WRITE setCertificateFile NOTIFY
            settingsChanged)
    Q_PROPERTY(QString keyFile READ keyFile WRITE setKeyFile NOTIFY settingsChanged)
    Q_PROPERTY(bool compression READ compression WRITE setCompression NOTIFY settingsChanged)
    // Browser pages of any origin may connect (default true: this is a debugging server; the
    // library's default refuses cross-origin pages, RFC 6455 §10.2).
    Q_PROPERTY(bool anyOrigin READ anyOrigin WRITE setAnyOrigin NOTIFY settingsChanged)
    // Echo every message back to its sender.
    Q_PROPERTY(bool echo READ echo WRITE setEcho NOTIFY settingsChanged)
    // ---- the settings as the QML WebSocketServer's properties take them ----
    Q_PROPERTY(QStringList subprotocolList READ subprotocolList NOTIFY settingsChanged)
    Q_PROPERTY(QUrl certificateUrl READ certificateUrl NOTIFY settingsChanged)
    Q_PROPERTY(QUrl keyUrl READ keyUrl NOTIFY settingsChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)
    Q_PROPERTY(inspector::ClientListModel *clients READ clients CONSTANT)
    Q_PROPERTY(
        int selectedClient READ selectedClient WRITE setSelectedClient NOTIFY selectionChanged)
    Q_PROPERTY(inspector::LogModel *selectedLog READ selectedLog NOTIFY selectionChanged)
    Q_PROPERTY(inspector::Statistics *selectedStats READ selectedStats NOTIFY selectionChanged)
    Q_PROPERTY(
        QString selectedHandshakeRequest READ selectedHandshakeRequest NOTIFY selectionChanged)
    Q_PROPERTY(
        QString selectedHandshakeResponse READ selectedHandshakeResponse NOTIFY selectionChanged)
    Q_PROPERTY(inspector::Statistics *stats READ stats CONSTANT)
    Q_PROPERTY(inspector::Composer *composer READ composer CONSTANT)

public:
    explicit ServerState(QObject *parent = nullptr);
    ~ServerState() override;

    QString host() const { return m_host; }
    void setHost(const QString &host);
    int port() const { return m_port; }
    void setPort(int port);
    QString subprotocols() const { return m_subprotocols; }
    void setSubprotocols(const QString &subprotocols);
    bool tls() const { return m_tls; }
    void setTls(bool tls);
    QString certificateFile() const { return m_certificateFile; }
    void setCertificateFile(const QString &path);
    QString keyFile() const { return m_keyFile; }
    void setKeyFile(const QString &path);
    bool compression() const { return m_compression; }
    void setCompression(bool on);
    bool anyOrigin() const { return m_anyOrigin; }
    void setAnyOrigin(bool on);
    bool echo() const { return m_echo; }
    void setEcho(bool on);

    QStringList subprotocolList() const;
    QUrl certificateUrl() const;
    QUrl keyUrl() const;
    QString lastError() const { return m_lastError; }
    ClientListModel *clients() { return &m_clients; }
    int selectedClient() const { return m_selected; }
    void setSelectedClient(int row);
    LogModel *selectedLog() const;
    Statistics *selectedStats() const;
    QString selectedHandshakeRequest() const;
    QString selectedHandshakeResponse() const;
    Statistics *stats() const { return m_stats; }
    Composer *composer() const { return m_composer; }

    QJsonObject settingsToJson() const;
    void settingsFromJson(const QJsonObject &object);

    // Why the settings cannot listen (a host that is not an IP address, TLS without both
    // files), or "".
    Q_INVOKABLE QString settingsError() const;
    Q_INVOKABLE bool refuse(const QString &error);
    Q_INVOKABLE bool succeed();

    // A client the WebSocketServer accepted: exchange is its Exchange.qml; info holds address,
    // port, subprotocol, extensions, handshakeRequest and handshakeResponse (the QML
    // WebSocket's properties of those names). Returns the sink its events go into (owned by
    // its row).
    Q_INVOKABLE inspector::LogSink *addClient(QObject *exchange, const QVariantMap &info);
    // The Exchange of row's client while its connection is open, else null.
    Q_INVOKABLE QObject *exchangeAt(int row) const;
    // Every open client's Exchange (for broadcast).
    Q_INVOKABLE QList<QObject *> openExchanges() const;
    Q_INVOKABLE void removeClosedClients();

Q_SIGNALS:
    void settingsChanged();
    void lastErrorChanged();
    void selectionChanged();
    void clientConnected(int row);

private:
    QString m_host = QStringLiteral("127.0.0.1");
    int m_port = 9001;
    QString m_subprotocols;
    bool m_tls = false;
    QString m_certificateFile;
    QString m_keyFile;
    bool m_compression = true;
    bool m_anyOrigin = true;
    bool m_echo = false;
    QString m_lastError;
    int m_nextId = 1;
    int m_selected = -1;
    ClientListModel m_clients;
    Statistics *m_stats;
    Composer *m_composer;
    LogModel *m_emptyLog; // shown while no client is selected
    Statistics *m_emptyStats;
    QTimer m_refresh;
};

} // namespace inspector
