// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/closecode.h>
#include <QtWs/conn.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

namespace qtws {

class WebSocket;
class TopicsPrivate;

// What a subscriber that does not keep up gets (docs/pubsub.md). "Buffered" is the subscriber's
// WebSocket::bufferedAmount(): bytes accepted for it and not yet taken by the network.
struct Backpressure
{
    enum class Policy : quint8 {
        // Every message is queued; a subscriber whose buffered bytes would pass maxQueuedBytes
        // is closed with closeCode. The default: nothing is lost silently, memory stays bounded.
        Queue,
        // Messages that arrive while the subscriber has more than highWaterBytes buffered are
        // dropped and counted (SubscriberStats::dropped); the subscriber stays open.
        Drop,
        // While over highWaterBytes, only the newest message per conflation key is kept (older
        // ones are counted as conflated); they are sent once the subscriber's buffer fell below
        // half of highWaterBytes. A slow client sees the latest state, never a stale backlog.
        ConflateLatest,
        // A subscriber over highWaterBytes is closed with closeCode at once.
        Close,
    };

    Policy policy = Policy::Queue;
    // Where Drop, ConflateLatest and Close act. Default 256 KiB.
    qint64 highWaterBytes = 256 * 1024;
    // Queue: the most bytes buffered for one subscriber before it is closed. Default 16 MiB.
    qint64 maxQueuedBytes = 16 * 1024 * 1024;
    // The code a subscriber closed by Queue or Close gets: 1013 Try Again Later (default) or
    // 1008 Policy Violation. The reason names the numbers ("subscriber too slow: ...").
    CloseCode closeCode = CloseCode::TryAgainLater;
    // ConflateLatest: the key messages are conflated by. Default (empty function): the topic.
    std::function<QByteArray(const QString &topic, const QByteArray &message)> conflationKey{};
};

// Per-subscriber counters (over all its topics).
struct SubscriberStats
{
    qint64 queued = 0; // messages handed to the subscriber's WebSocket
    qint64 dropped = 0; // Drop: messages not sent
    qint64 conflated = 0; // ConflateLatest: messages replaced by a newer one with the same key
    qint64 pending = 0; // ConflateLatest: messages held now, waiting for the buffer to drain
    qint64 bufferedBytes = 0; // WebSocket::bufferedAmount() when the counters were taken
    bool closedForBackpressure = false;

    friend bool operator==(const SubscriberStats &, const SubscriberStats &) = default;
};

// Counters of one Topics hub, for tests and monitoring.
struct TopicsStats
{
    qint64 published = 0; // publish() and deliverLocally() calls
    qint64 framesEncoded = 0; // frames built: one per publish for every shared encoding
    qint64 perSubscriberEncodes = 0; // messages compressed per subscriber (context takeover)
};

// Topics: named fan-out groups of WebSockets. A published message is framed once (a server
// frame is unmasked, so the same bytes serve every subscriber) and the same implicitly shared
// QByteArray is queued to each subscriber; with permessage-deflate negotiated without server
// context takeover, it is also compressed once per window size. Subscribers that negotiated
// context takeover get the message compressed in their own context, one encode each.
//
// Works for any server-side WebSocket (from qtws::Server, whose server.topics() is one, or
// from qtws::upgrade()). A WebSocket that closes or is deleted leaves all its topics.
//
// Threads: a Topics and its subscribers live on one thread. Across threads, publish through
// QMetaObject::invokeMethod on each thread's Topics (a QByteArray is implicitly shared and
// safe to hand over); docs/pubsub.md describes how this spans worker threads and processes.
class QTWS_EXPORT Topics : public QObject
{
    Q_OBJECT

public:
    explicit Topics(QObject *parent = nullptr);
    ~Topics() override;

    // The policy for topics and subscriptions that set none. Default: Backpressure{}.
    void setDefaultBackpressure(const Backpressure &backpressure);
    Backpressure defaultBackpressure() const;
    // A topic's policy, for its subscriptions that set none (kept while the topic is empty).
    void setBackpressure(const QString &topic, const Backpressure &backpressure);

    // Adds ws (a server-side WebSocket in state Open) to topic; a subscription's own policy
    // wins over the topic's. False, with a warning, for a null, client-side or closed
    // WebSocket. Subscribing again replaces the subscription's policy.
    bool subscribe(WebSocket *ws, const QString &topic,
        std::optional<Backpressure> backpressure = std::nullopt);
    // False when ws was not subscribed to topic.
    bool unsubscribe(WebSocket *ws, const QString &topic);
    void unsubscribeAll(WebSocket *ws);

    // Sends message to every subscriber of topic (and, with a broker, to the other processes).
    // Text must be valid UTF-8 (refused with a warning otherwise). Returns the subscribers here
    // that got it queued or held (not dropped, not closed).
    int publish(
        const QString &topic, const QByteArray &message, MessageType type = MessageType::Binary);
    int publish(const QString &topic, const QString &text);

    QList<WebSocket *> subscribers(const QString &topic) const;
    int subscriberCount(const QString &topic) const;
    QStringList topics(WebSocket *ws) const;
    // Every topic with at least one subscriber here.
    QStringList topics() const;

    SubscriberStats subscriberStats(WebSocket *ws) const;
    TopicsStats stats() const;
    // The least time between two subscriberStatsChanged signals of one subscriber. Default 1 s;
    // 0 emits from the next event-loop turn after each change.
    void setStatsInterval(std::chrono::milliseconds interval);

    // For a broker (RedisBroker): called with every local publish, and the way it delivers a
    // message from elsewhere to the local subscribers only.
    using PublishHook
        = std::function<void(const QString &topic, const QByteArray &message, MessageType type)>;
    void setPublishHook(PublishHook hook);
    int deliverLocally(const QString &topic, const QByteArray &message, MessageType type);

Q_SIGNALS:
    // A topic got its first subscriber here, or lost its last one (a broker follows these).
    void topicActivated(const QString &topic);
    void topicDeactivated(const QString &topic);
    // A subscriber's counters changed (throttled: see setStatsInterval).
    void subscriberStatsChanged(qtws::WebSocket *ws, const qtws::SubscriberStats &stats);
    // A subscriber was closed by its Backpressure policy (Queue over its limit, or Close).
    void subscriberClosedForBackpressure(qtws::WebSocket *ws, int closeCode, const QString &reason);

private:
    friend class TopicsPrivate;
    std::unique_ptr<TopicsPrivate> d;
};

} // namespace qtws

Q_DECLARE_METATYPE(qtws::SubscriberStats)
