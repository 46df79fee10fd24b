// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/topics.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

namespace qtws {

class WebSocketPrivate;

// qtws::Topics' state (topics.cpp: bookkeeping; topics_delivery.cpp: framing and backpressure).
class TopicsPrivate
{
public:
    struct Subscription
    {
        WebSocket *ws = nullptr;
        std::optional<Backpressure> backpressure;
    };
    struct Topic
    {
        QList<Subscription> subscriptions; // in subscription order: delivery order
    };
    // A message ConflateLatest holds for a subscriber until its buffer drains.
    struct Held
    {
        QByteArray key;
        QString topic;
        QByteArray payload;
        MessageType type = MessageType::Binary;
        QByteArray frame; // the shared frame when it fits this subscriber, else empty
    };
    struct Subscriber
    {
        QPointer<WebSocket> ws;
        QStringList topics;
        SubscriberStats stats;
        QList<Held> held; // ConflateLatest, one per key, in the order the keys first came
        qint64 drainBelow = 0; // held messages go once bufferedAmount() is under this
        bool dirty = false; // counters changed since the last subscriberStatsChanged
        QList<QMetaObject::Connection> connections;
    };

    // The frames one publish needs, built on first use and shared by every subscriber they fit.
    struct Encodings
    {
        QString topic;
        QByteArray payload;
        MessageType type = MessageType::Binary;
        QByteArray plain;
        QHash<int, QByteArray> deflated; // by server_max_window_bits, no context takeover
    };

    explicit TopicsPrivate(Topics *q);

    const Backpressure &policyFor(const QString &topic, const Subscription &subscription) const;
    void removeSubscriber(WebSocket *ws, bool destroyed);
    void markDirty(Subscriber &subscriber);
    void emitStats();

    // topics_delivery.cpp
    bool deliver(Subscriber &subscriber, const Backpressure &policy, Encodings &encodings);
    // The shared frame that fits wsd, or an empty array when wsd needs its own encoding.
    QByteArray sharedFrame(WebSocketPrivate *wsd, Encodings &encodings);
    void send(Subscriber &subscriber, WebSocketPrivate *wsd, const QByteArray &frame,
        const QByteArray &payload, MessageType type);
    void hold(Subscriber &subscriber, const Backpressure &policy, Encodings &encodings,
        const QByteArray &frame);
    void releaseHeld(Subscriber &subscriber);
    void closeForBackpressure(
        Subscriber &subscriber, const Backpressure &policy, qint64 buffered, qint64 limit);

    Topics *q;
    Backpressure defaults;
    QHash<QString, Backpressure> topicPolicies;
    QHash<QString, Topic> topics;
    QHash<WebSocket *, Subscriber> subscribers;
    TopicsStats stats;
    Topics::PublishHook publishHook;
    QTimer statsTimer;
};

} // namespace qtws
