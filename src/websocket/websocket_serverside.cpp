// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The server-side seam: qtws::upgrade and qtws::Server hand an upgraded socket over.
#include "websocket/websocket_p.h"

#include <QtCore/QMetaObject>
#include <QtNetwork/QSslSocket>

namespace qtws {

using transport::Connection;
using transport::Deadlines;

WebSocket *WebSocketPrivate::createServerSide(ServerSideSpec spec, QObject *parent)
{
    Q_ASSERT(spec.socket);
    auto *ws = new WebSocket(parent);
    WebSocketPrivate *d = ws->d.get();
    d->role = Role::Server;
    d->request = std::move(spec.request);
    d->response = std::move(spec.response);
    d->subprotocol = std::move(spec.subprotocol);
    d->closeTimeout = spec.closeTimeout;
    d->readIdle = spec.readIdle;
    d->peerAddress = spec.socket->peerAddress();
    d->peerPort = spec.socket->peerPort();
    const auto *ssl = qobject_cast<const QSslSocket *>(spec.socket);
    const QString scheme = ssl && ssl->isEncrypted() ? QStringLiteral("wss") : QStringLiteral("ws");
    d->url = QUrl(scheme + QStringLiteral("://")
        + QString::fromUtf8(d->request.headers.value("Host") + d->request.target));

    d->startConnection();
    d->connection->adopt(spec.socket, std::move(spec.leftover));
    d->deadlines()->start(Deadlines::Kind::ReadIdle, d->readIdle);
    d->conn.emplace(Role::Server, std::move(spec.codecOptions));
    if (spec.extension)
        d->conn->setExtension(std::move(spec.extension));
    d->phase = Phase::Upgraded;
    d->state = WebSocket::State::Open;
    // From the next turn on, so that the caller connects its slots first.
    QMetaObject::invokeMethod(
        d->connection.get(), &Connection::deliverPending, Qt::QueuedConnection);
    return ws;
}

bool WebSocketPrivate::canSendPreframed() const
{
    return role == Role::Server && phase == Phase::Upgraded && state == WebSocket::State::Open
        && conn && conn->state() == Conn::State::Open && !conn->closeSent();
}

void WebSocketPrivate::sendPreframed(const QByteArray &frame)
{
    Q_ASSERT(canSendPreframed());
    // What the codec queued (pongs, earlier sends) goes first, then the shared frame, adopted by
    // the write queue without a copy (the array is only read from here on).
    writeOutgoing();
    connection->write(frame);
}

} // namespace qtws
