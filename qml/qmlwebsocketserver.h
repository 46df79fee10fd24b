// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "qmlwebsocket.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtQml/QJSValue>
#include <QtQml/QQmlListProperty>
#include <QtQml/QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

namespace qtws {
class Server;
class WebSocket;
namespace http {
struct Request;
}
} // namespace qtws

namespace qtws::qml {

// `WebSocketServer` in QML: a qtws::Server with the names of Qt's QML WebSocketServer, plus
// subprotocols, TLS, an acceptConnection hook, the client list, broadcast() and a graceful
// close(). The settings are read when it starts listening; a new host or port while listening
// restarts it there (as Qt's does).
//
// Each accepted client is handed to clientConnected(webSocket) as a server-side WebSocket
// (QmlWebSocket), already Open. Lifetime: it is a child of this server; once its connection
// ended (status Closed or Error, after statusChanged and clientDisconnected were emitted) it is
// removed from `clients` and deleted from the event loop, and every QML reference to it reads
// null from then on. Destroying the server drops the connections still open.
class QmlWebSocketServer : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_NAMED_ELEMENT(WebSocketServer)

    // ---- the names of Qt's QML WebSocketServer ----------------------------------------------
    Q_PROPERTY(QUrl url READ url NOTIFY urlChanged)
    Q_PROPERTY(QString host READ host WRITE setHost NOTIFY hostChanged)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY portChanged)
    Q_PROPERTY(QString name READ name WRITE setName NOTIFY nameChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(bool listen READ isListening WRITE setListen NOTIFY listenChanged)
    Q_PROPERTY(bool accept READ accept WRITE setAccept NOTIFY acceptChanged)

    // ---- beyond them -------------------------------------------------------------------------
    Q_PROPERTY(QStringList subprotocols MEMBER m_subprotocols NOTIFY subprotocolsChanged)
    Q_PROPERTY(QUrl certificateFile MEMBER m_certificateFile NOTIFY certificateFileChanged)
    Q_PROPERTY(QUrl privateKeyFile MEMBER m_privateKeyFile NOTIFY privateKeyFileChanged)
    Q_PROPERTY(QJSValue acceptConnection READ acceptConnection WRITE setAcceptConnection NOTIFY
            acceptConnectionChanged)
    Q_PROPERTY(bool compression MEMBER m_compression NOTIFY compressionChanged)
    Q_PROPERTY(qint64 maxMessageSize MEMBER m_maxMessageSize NOTIFY maxMessageSizeChanged)
    Q_PROPERTY(int maxConnections MEMBER m_maxConnections NOTIFY maxConnectionsChanged)
    Q_PROPERTY(int closeTimeout MEMBER m_closeTimeout NOTIFY closeTimeoutChanged)
    Q_PROPERTY(int clientCount READ clientCount NOTIFY clientCountChanged)
    Q_PROPERTY(
        QQmlListProperty<qtws::qml::QmlWebSocket> clients READ clients NOTIFY clientCountChanged)

public:
    explicit QmlWebSocketServer(QObject *parent = nullptr);
    ~QmlWebSocketServer() override;

    QUrl url() const;
    QString host() const { return m_host; }
    void setHost(const QString &host);
    int port() const { return m_port; }
    void setPort(int port);
    QString name() const { return m_name; }
    void setName(const QString &name);
    QString errorString() const { return m_errorString; }
    bool isListening() const { return m_listen; }
    void setListen(bool listen);
    bool accept() const { return m_accept; }
    void setAccept(bool accept);
    QJSValue acceptConnection() const { return m_acceptConnection; }
    void setAcceptConnection(const QJSValue &hook);
    int clientCount() const { return int(m_clients.size()); }
    QQmlListProperty<QmlWebSocket> clients();

    // Sends message to every open client: a string as text, an ArrayBuffer or a view on one as
    // binary. Returns how many clients it went to (-1 for a value of another type, with a
    // warning).
    Q_INVOKABLE int broadcast(const QJSValue &message);
    // Graceful stop: no new connections, every client gets close(1001 Going Away), all at once;
    // what is still open after closeTimeout is dropped. Then listen is false and closed() is
    // emitted.
    Q_INVOKABLE void close();

    void classBegin() override { }
    void componentComplete() override;

Q_SIGNALS:
    void clientConnected(qtws::qml::QmlWebSocket *webSocket);
    // The client's connection ended; webSocket is deleted after this, from the event loop.
    void clientDisconnected(qtws::qml::QmlWebSocket *webSocket);
    void closed();
    void urlChanged(const QUrl &url);
    void hostChanged(const QString &host);
    void portChanged(int port);
    void nameChanged(const QString &name);
    void errorStringChanged(const QString &errorString);
    void listenChanged(bool listen);
    void acceptChanged(bool accept);
    void subprotocolsChanged();
    void certificateFileChanged();
    void privateKeyFileChanged();
    void acceptConnectionChanged();
    void compressionChanged();
    void maxMessageSizeChanged();
    void maxConnectionsChanged();
    void closeTimeoutChanged();
    void clientCountChanged();

private:
    void start();
    void stopCurrent(bool graceful);
    bool allows(const http::Request &request, bool tls);
    void onNewConnection(qtws::WebSocket *ws);
    void onClientStatusChanged(QmlWebSocket *client);
    void setErrorString(const QString &errorString);
    void setListenState(bool listen);

    QPointer<Server> m_server;
    QList<QmlWebSocket *> m_clients;
    bool m_complete = false;
    QUrl m_url;

    QString m_host; // the defaults are set by the constructor, from ServerOptions
    int m_port = 0;
    QString m_name;
    QString m_errorString;
    bool m_listen = false;
    bool m_accept = true;
    QStringList m_subprotocols;
    QUrl m_certificateFile;
    QUrl m_privateKeyFile;
    QJSValue m_acceptConnection;
    bool m_compression = true;
    qint64 m_maxMessageSize = 0;
    int m_maxConnections = 0;
    int m_closeTimeout = 0; // milliseconds
};

} // namespace qtws::qml
