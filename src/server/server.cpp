// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/server_p.h"

#include "server/listener_p.h"
#include "server/logging_p.h"
#include "server/serverconnection_p.h"

#include <QtCore/QMetaObject>
#include <QtNetwork/QTcpSocket>

#include <algorithm>
#include <exception>

namespace qtws::http {

ServerPrivate::ServerPrivate(Server *qq, Server::Handler h, ServerOptions o)
    : q(qq), handler(std::move(h)), options(std::move(o))
{ }

void ServerPrivate::adoptDescriptor(qintptr descriptor, bool reject)
{
    if (QAbstractSocket *socket = Listener::adoptDescriptor(descriptor, options.tls))
        onSocketAccepted(socket, reject);
}

void ServerPrivate::onSocketAccepted(QAbstractSocket *socket, bool reject)
{
    auto *connection = new ServerConnection(socket, options.tls.has_value(), this);
    if (reject || connectionCount() >= options.maxConnections) {
        // Answered rather than refused at accept(): the client learns it is an overload
        // (RFC 9110 §15.6.4) instead of seeing a reset.
        rejected.insert(connection);
        connection->reject();
        return;
    }
    connections.insert(connection);
    emitCountChanged();
    connection->start();
}

void ServerPrivate::connectionFinished(ServerConnection *connection)
{
    connection->deleteLater();
    if (rejected.remove(connection) || destroying)
        return;
    if (connections.remove(connection)) {
        emitCountChanged();
        scheduleClosedCheck();
    }
}

void ServerPrivate::socketHandedOver(ServerConnection *connection, QAbstractSocket *socket)
{
    connections.remove(connection);
    connection->deleteLater();
    if (socket->state() == QAbstractSocket::ConnectedState) {
        handedOver.insert(socket);
        // Either signal ends the count; the socket is only a key here, never dereferenced.
        const auto forget = [this, socket] {
            if (handedOver.remove(socket))
                emitCountChanged();
        };
        QObject::connect(socket, &QAbstractSocket::disconnected, q, forget);
        // The new owner may drop every connection of the socket, destroyed() included
        // (transport::Connection::adopt() does); a child's destruction still reports the end.
        QObject::connect(new QObject(socket), &QObject::destroyed, q, forget);
    } else {
        emitCountChanged();
    }
    scheduleClosedCheck();
}

void ServerPrivate::runHandler(Stream &stream)
{
    const QPointer<Stream> guard(&stream);
    // An exception must not unwind through Qt's event dispatch; the request it escaped from
    // gets a 500, or is cut off when the response had already started.
    try {
        handler(stream);
        return;
    } catch (const std::exception &e) {
        qCWarning(lcServer) << "the request handler threw:" << e.what();
    } catch (...) {
        qCWarning(lcServer) << "the request handler threw an unknown exception";
    }
    if (!guard || !stream.isConnected() || stream.isEnded())
        return;
    if (!stream.isWriteStarted()) {
        stream.setStatus(500);
        stream.setHeader("Content-Type", "text/plain; charset=utf-8");
        stream.setHeader("Connection", "close");
        stream.end(QByteArrayView("internal server error\n"));
    } else if (auto *connection = qobject_cast<ServerConnection *>(stream.parent())) {
        connection->abortNow();
    }
}

void ServerPrivate::emitCountChanged()
{
    if (!destroying)
        Q_EMIT q->connectionCountChanged(connectionCount());
}

void ServerPrivate::scheduleClosedCheck()
{
    if (!closing || closedEmitted || destroying)
        return;
    // Queued so that closed() never arrives from inside close() or a connection's teardown.
    QMetaObject::invokeMethod(
        q,
        [this] {
            if (closing && !closedEmitted && connections.isEmpty()) {
                closedEmitted = true;
                Q_EMIT q->closed();
            }
        },
        Qt::QueuedConnection);
}

Server::Server(Handler handler, ServerOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<ServerPrivate>(this, std::move(handler), std::move(options)))
{ }

Server::~Server()
{
    d->destroying = true;
    if (d->listener)
        d->listener->close();
    const QSet<ServerConnection *> all = d->connections + d->rejected;
    for (ServerConnection *connection : all)
        connection->abortNow();
    for (ServerConnection *connection : all)
        delete connection;
}

const ServerOptions &Server::options() const
{
    return d->options;
}

bool Server::listen()
{
    if (d->closing) {
        d->errorString = QStringLiteral("the server was closed");
        return false;
    }
    if (isListening()) {
        d->errorString = QStringLiteral("the server is already listening");
        return false;
    }
    if (!d->listener) {
        d->listener = new Listener(d->options.tls, this);
        connect(d->listener, &Listener::socketAccepted, this,
            [this](QAbstractSocket *socket) { d->onSocketAccepted(socket); });
    }
    // Qt's default listen backlog is 50: a burst of more simultaneous connects than that
    // overflows the kernel's accept queue, and each dropped SYN is only retried after 1 s (then
    // 3 s, 7 s…). Let the queue hold as many as the server serves (the kernel caps it at
    // net.core.somaxconn).
    d->listener->setListenBacklogSize(std::max(d->options.maxConnections, 50));
    if (!d->listener->listen(d->options.host, d->options.port)) {
        d->errorString = QStringLiteral("cannot listen on %1 port %2: %3")
                             .arg(d->options.host.toString())
                             .arg(d->options.port)
                             .arg(d->listener->errorString());
        return false;
    }
    d->errorString.clear();
    return true;
}

bool Server::isListening() const
{
    return d->listener && d->listener->isListening();
}

QString Server::errorString() const
{
    return d->errorString;
}

QHostAddress Server::serverAddress() const
{
    return d->listener ? d->listener->serverAddress() : QHostAddress();
}

quint16 Server::serverPort() const
{
    return d->listener ? d->listener->serverPort() : 0;
}

QUrl Server::serverUrl() const
{
    QHostAddress address = serverAddress();
    if (address == QHostAddress::Any || address == QHostAddress::AnyIPv4)
        address = QHostAddress(QHostAddress::LocalHost);
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress(QHostAddress::LocalHostIPv6);
    QUrl url;
    url.setScheme(d->options.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(serverPort());
    return url;
}

int Server::connectionCount() const
{
    return d->connectionCount();
}

void Server::close()
{
    if (d->listener)
        d->listener->close();
    d->closing = true;
    const QSet<ServerConnection *> all = d->connections;
    for (ServerConnection *connection : all)
        connection->closeWhenIdle();
    d->scheduleClosedCheck();
}

void Server::forceClose()
{
    if (d->listener)
        d->listener->close();
    d->closing = true;
    const QSet<ServerConnection *> all = d->connections + d->rejected;
    for (ServerConnection *connection : all)
        connection->abortNow();
    d->scheduleClosedCheck();
}

} // namespace qtws::http
