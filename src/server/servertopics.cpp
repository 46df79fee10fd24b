// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// qtws::Server's pub/sub calls: a Topics hub owned by the server (see topics.cpp).
#include "server/websocketserver_p.h"

namespace qtws {

Topics *Server::topics()
{
    if (!d->topics)
        d->topics = new Topics(this);
    return d->topics;
}

bool Server::subscribe(WebSocket *ws, const QString &topic)
{
    return topics()->subscribe(ws, topic);
}

bool Server::unsubscribe(WebSocket *ws, const QString &topic)
{
    return d->topics && d->topics->unsubscribe(ws, topic);
}

int Server::publish(const QString &topic, const QByteArray &message, MessageType type)
{
    return topics()->publish(topic, message, type);
}

int Server::publish(const QString &topic, const QString &text)
{
    return topics()->publish(topic, text);
}

QList<WebSocket *> Server::subscribers(const QString &topic) const
{
    return d->topics ? d->topics->subscribers(topic) : QList<WebSocket *>();
}

QStringList Server::topics(WebSocket *ws) const
{
    return d->topics ? d->topics->topics(ws) : QStringList();
}

} // namespace qtws
