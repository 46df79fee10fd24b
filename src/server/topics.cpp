// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// qtws::Topics: subscriptions, policies, counters. The fan-out itself (framing once, the
// backpressure policies) is in topics_delivery.cpp.
#include "server/topics_p.h"

#include "protocol/utf8validator_p.h"
#include "server/logging_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/websocket.h>

namespace qtws {

TopicsPrivate::TopicsPrivate(Topics *owner) : q(owner)
{
    statsTimer.setSingleShot(true);
    statsTimer.setInterval(1000);
    QObject::connect(&statsTimer, &QTimer::timeout, q, [this] { emitStats(); });
}

const Backpressure &TopicsPrivate::policyFor(
    const QString &topic, const Subscription &subscription) const
{
    if (subscription.backpressure)
        return *subscription.backpressure;
    const auto it = topicPolicies.constFind(topic);
    return it != topicPolicies.constEnd() ? *it : defaults;
}

void TopicsPrivate::removeSubscriber(WebSocket *ws, bool destroyed)
{
    auto it = subscribers.find(ws);
    if (it == subscribers.end())
        return;
    for (const QMetaObject::Connection &connection : std::as_const(it->connections))
        QObject::disconnect(connection);
    const QStringList left = it->topics;
    subscribers.erase(it);
    for (const QString &name : left) {
        auto topic = topics.find(name);
        if (topic == topics.end())
            continue;
        topic->subscriptions.removeIf([ws](const Subscription &s) { return s.ws == ws; });
        if (topic->subscriptions.isEmpty()) {
            topics.erase(topic);
            Q_EMIT q->topicDeactivated(name);
        }
    }
    Q_UNUSED(destroyed);
}

void TopicsPrivate::markDirty(Subscriber &subscriber)
{
    subscriber.dirty = true;
    if (!statsTimer.isActive())
        statsTimer.start();
}

void TopicsPrivate::emitStats()
{
    QList<QPointer<WebSocket>> changed;
    for (Subscriber &subscriber : subscribers) {
        if (subscriber.dirty && subscriber.ws)
            changed.append(subscriber.ws);
        subscriber.dirty = false;
    }
    QPointer<Topics> guard(q);
    for (const QPointer<WebSocket> &ws : std::as_const(changed)) {
        if (!guard)
            return;
        if (ws && subscribers.contains(ws.data()))
            Q_EMIT q->subscriberStatsChanged(ws.data(), q->subscriberStats(ws.data()));
    }
}

// ---- Topics -------------------------------------------------------------------------------

Topics::Topics(QObject *parent) : QObject(parent), d(std::make_unique<TopicsPrivate>(this))
{
    qRegisterMetaType<qtws::SubscriberStats>();
}

Topics::~Topics()
{
    for (auto &subscriber : d->subscribers)
        for (const QMetaObject::Connection &connection : std::as_const(subscriber.connections))
            QObject::disconnect(connection);
}

void Topics::setDefaultBackpressure(const Backpressure &backpressure)
{
    d->defaults = backpressure;
}

Backpressure Topics::defaultBackpressure() const
{
    return d->defaults;
}

void Topics::setBackpressure(const QString &topic, const Backpressure &backpressure)
{
    d->topicPolicies.insert(topic, backpressure);
}

bool Topics::subscribe(
    WebSocket *ws, const QString &topic, std::optional<Backpressure> backpressure)
{
    if (!ws) {
        qCWarning(lcServer, "Topics::subscribe: null WebSocket");
        return false;
    }
    if (ws->role() != Role::Server || !WebSocketPrivate::get(ws)->canSendPreframed()) {
        qCWarning(lcServer) << "Topics::subscribe: only an open server-side WebSocket can "
                               "subscribe (role"
                            << int(ws->role()) << "state" << ws->state() << ")";
        return false;
    }
    if (ws->thread() != thread()) {
        qCWarning(lcServer, "Topics::subscribe: the WebSocket lives in another thread");
        return false;
    }
    auto sub = d->subscribers.find(ws);
    if (sub == d->subscribers.end()) {
        sub = d->subscribers.insert(ws, {});
        sub->ws = ws;
        TopicsPrivate *dp = d.get();
        // Leaving: a closed WebSocket has nothing more to receive; a deleted one must not be
        // touched again (destroyed() passes only the QObject being destroyed).
        sub->connections.append(
            connect(ws, &WebSocket::closed, this, [dp, ws] { dp->removeSubscriber(ws, false); }));
        sub->connections.append(
            connect(ws, &QObject::destroyed, this, [dp, ws] { dp->removeSubscriber(ws, true); }));
        // ConflateLatest sends what it held once the subscriber drains.
        sub->connections.append(connect(ws, &WebSocket::bytesWritten, this, [dp, ws] {
            auto it = dp->subscribers.find(ws);
            if (it != dp->subscribers.end() && !it->held.isEmpty())
                dp->releaseHeld(*it);
        }));
    }
    auto topicIt = d->topics.find(topic);
    const bool activated = topicIt == d->topics.end();
    if (activated)
        topicIt = d->topics.insert(topic, {});
    for (TopicsPrivate::Subscription &existing : topicIt->subscriptions) {
        if (existing.ws == ws) {
            existing.backpressure = std::move(backpressure);
            return true;
        }
    }
    topicIt->subscriptions.append({ws, std::move(backpressure)});
    sub->topics.append(topic);
    if (activated)
        Q_EMIT topicActivated(topic);
    return true;
}

bool Topics::unsubscribe(WebSocket *ws, const QString &topic)
{
    auto sub = d->subscribers.find(ws);
    if (sub == d->subscribers.end() || !sub->topics.contains(topic))
        return false;
    sub->topics.removeOne(topic);
    sub->held.removeIf([&topic](const TopicsPrivate::Held &h) { return h.topic == topic; });
    sub->stats.pending = sub->held.size();
    auto topicIt = d->topics.find(topic);
    if (topicIt != d->topics.end()) {
        topicIt->subscriptions.removeIf(
            [ws](const TopicsPrivate::Subscription &s) { return s.ws == ws; });
        if (topicIt->subscriptions.isEmpty()) {
            d->topics.erase(topicIt);
            Q_EMIT topicDeactivated(topic);
        }
    }
    if (sub->topics.isEmpty())
        d->removeSubscriber(ws, false);
    return true;
}

void Topics::unsubscribeAll(WebSocket *ws)
{
    d->removeSubscriber(ws, false);
}

int Topics::publish(const QString &topic, const QByteArray &message, MessageType type)
{
    // RFC 6455 §5.6: a text message is UTF-8; checked once here, not once per subscriber.
    if (type == MessageType::Text && !Utf8Validator::isValidUtf8(message)) {
        qCWarning(lcServer) << "Topics::publish: text for" << topic << "is not valid UTF-8";
        return -1;
    }
    if (d->publishHook)
        d->publishHook(topic, message, type);
    return deliverLocally(topic, message, type);
}

int Topics::publish(const QString &topic, const QString &text)
{
    // A QString is valid UTF-8 once encoded (lone surrogates become U+FFFD).
    const QByteArray utf8 = text.toUtf8();
    if (d->publishHook)
        d->publishHook(topic, utf8, MessageType::Text);
    return deliverLocally(topic, utf8, MessageType::Text);
}

QList<WebSocket *> Topics::subscribers(const QString &topic) const
{
    QList<WebSocket *> result;
    const auto it = d->topics.constFind(topic);
    if (it == d->topics.constEnd())
        return result;
    result.reserve(it->subscriptions.size());
    for (const TopicsPrivate::Subscription &s : it->subscriptions)
        result.append(s.ws);
    return result;
}

int Topics::subscriberCount(const QString &topic) const
{
    const auto it = d->topics.constFind(topic);
    return it == d->topics.constEnd() ? 0 : int(it->subscriptions.size());
}

QStringList Topics::topics(WebSocket *ws) const
{
    const auto it = d->subscribers.constFind(ws);
    return it == d->subscribers.constEnd() ? QStringList() : it->topics;
}

QStringList Topics::topics() const
{
    return d->topics.keys();
}

SubscriberStats Topics::subscriberStats(WebSocket *ws) const
{
    const auto it = d->subscribers.constFind(ws);
    if (it == d->subscribers.constEnd())
        return {};
    SubscriberStats result = it->stats;
    result.pending = it->held.size();
    result.bufferedBytes = it->ws ? it->ws->bufferedAmount() : 0;
    return result;
}

TopicsStats Topics::stats() const
{
    return d->stats;
}

void Topics::setStatsInterval(std::chrono::milliseconds interval)
{
    d->statsTimer.setInterval(int(std::max<qint64>(0, interval.count())));
}

void Topics::setPublishHook(PublishHook hook)
{
    d->publishHook = std::move(hook);
}

} // namespace qtws
