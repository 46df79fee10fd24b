// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// The chat example's server: one http::Server whose Router serves the page (Qt resources under
// :/chat) and upgrades GET /ws to a WebSocket. Every text message a client sends is relayed to
// every connected client, the sender included, as JSON:
//   {"type":"welcome","name":"alice"}             to a client that just joined: its name
//   {"type":"users","count":2}                    to everyone, whenever someone joins or leaves
//   {"type":"message","from":"alice","text":"hi"} to everyone, for each message
// A client names itself with the query of its WebSocket URL (/ws?name=alice); without one it is
// "guest-N". Clients send plain text, one message per chat line.

#include <QtWs/http/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QHostAddress>

#include <memory>

namespace chat {

class ChatServer : public QObject
{
    Q_OBJECT

public:
    // A message longer than this (in UTF-8 bytes) closes its sender's connection with 1009:
    // a chat line, not a file transfer. The page's input stops well before it.
    static constexpr qint64 maxMessageBytes = 16 * 1024;
    // A client that has this much of the room's traffic still unsent is not reading: it is
    // dropped rather than buffered for without bound.
    static constexpr qint64 maxBufferedBytes = 1024 * 1024;

    explicit ChatServer(const QHostAddress &host, quint16 port, QObject *parent = nullptr);
    ~ChatServer() override;

    // Starts listening; false with errorString() when the address cannot be bound.
    bool listen();
    QString errorString() const;
    quint16 serverPort() const;
    // The page's URL, http://HOST:PORT/ (the loopback address for a wildcard host).
    QUrl pageUrl() const;
    int userCount() const { return int(m_clients.size()); }

    // Stops accepting and closes every client with 1001 (Going Away); finished() follows once
    // all of them are gone (each close is bounded by the WebSocket's close timeout).
    void shutdown();

Q_SIGNALS:
    void finished();

private:
    void join(qtws::WebSocket *ws, const QString &name);
    void leave(qtws::WebSocket *ws);
    void relay(const QString &from, const QString &text);
    void sendTo(qtws::WebSocket *ws, const QJsonObject &message);
    void broadcast(const QJsonObject &message);
    void broadcastUserCount();
    QString nameFor(const QString &requested);

    std::unique_ptr<qtws::http::Server> m_http;
    QList<QPointer<qtws::WebSocket>> m_clients;
    int m_guests = 0;
    bool m_shuttingDown = false;
};

} // namespace chat
