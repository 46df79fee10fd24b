// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <chrono>
#include <memory>

namespace qtws {

class Topics;
class RedisBrokerPrivate;

// Relays a Topics hub's publishes between server processes through Redis pub/sub (hiredis,
// non-blocking on this thread's event loop; docs/pubsub.md). Every local publish goes to Redis
// channel prefix+topic, tagged with this broker's origin id; what arrives from Redis with
// another origin is delivered to the local subscribers only, so a local subscriber never gets
// a message twice. The broker subscribes to the topics that have local subscribers.
//
// While Redis is unreachable it reconnects with exponential backoff, and local publishes still
// reach local subscribers at once; up to maxBufferedWhileDown of them are kept and sent to Redis
// on reconnect (older ones first), further ones are dropped and counted. Messages other
// processes published while this broker's subscription was down are not replayed: Redis pub/sub
// is at most once (Stats::disconnects and the downtime tell the loss window).
class QTWS_EXPORT RedisBroker : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)

public:
    struct Options
    {
        // redis://host:port (default port 6379). Empty: the broker stays off.
        QUrl url;
        // Prepended to every topic to form the Redis channel. Default "qtws:".
        QByteArray channelPrefix = "qtws:";
        // Reconnect backoff: first wait, doubling up to the most. Defaults 100 ms and 5 s.
        std::chrono::milliseconds reconnectMin{100};
        std::chrono::milliseconds reconnectMax{5'000};
        // A connect that takes longer is abandoned and retried. Default 2 s.
        std::chrono::milliseconds connectTimeout{2'000};
        // Publishes kept while Redis is down. Default 1,000; 0 drops them all (counted).
        int maxBufferedWhileDown = 1000;
    };
    struct Stats
    {
        qint64 published = 0; // local publishes sent to Redis
        qint64 received = 0; // messages from other processes delivered locally
        qint64 ownEchoesSkipped = 0; // our own publishes coming back from Redis, not redelivered
        qint64 bufferedWhileDown = 0; // publishes kept while down (sent on reconnect)
        qint64 droppedWhileDown = 0; // publishes lost while down (over maxBufferedWhileDown)
        qint64 connects = 0; // successful connections (the first and every reconnect)
        qint64 disconnects = 0; // connections lost
    };

    RedisBroker(Topics *topics, Options options, QObject *parent = nullptr);
    ~RedisBroker() override;

    // Connects (from the event loop) and keeps reconnecting. False, with a warning, when the URL
    // is empty or not redis://.
    bool start();
    // Both connections (publish and subscribe) are up.
    bool isConnected() const;
    // Connected and every SUBSCRIBE sent has been confirmed by Redis.
    bool isReady() const;
    Stats stats() const;
    QByteArray originId() const;

Q_SIGNALS:
    void connectedChanged(bool connected);
    // Every subscription is confirmed (after a connect or a new topic).
    void ready();

private:
    friend class RedisBrokerPrivate;
    std::unique_ptr<RedisBrokerPrivate> d;
};

} // namespace qtws
