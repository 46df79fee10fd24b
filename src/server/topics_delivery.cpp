// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The fan-out of qtws::Topics: a publish is framed once (and compressed once per window size
// when subscribers negotiated permessage-deflate without server context takeover) and the same
// implicitly shared array is queued to every subscriber; each subscriber's Backpressure policy
// decides before anything is queued for it.
#include "server/topics_p.h"

#include "protocol/messageframe_p.h"
#include "server/logging_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/permessagedeflate.h>
#include <QtWs/websocket.h>

namespace qtws {

namespace {

// The largest frame header (RFC 6455 §5.2: 2 + 8 bytes, unmasked): what a payload adds on the
// wire, for the policy checks made before a per-subscriber encoding exists.
constexpr qint64 maxServerHeader = 10;

} // namespace

QByteArray TopicsPrivate::sharedFrame(WebSocketPrivate *wsd, Encodings &encodings)
{
    Extension *extension = wsd->extension();
    auto *deflate = dynamic_cast<PerMessageDeflate *>(extension);
    if (!extension || (deflate && !deflate->canCompress())) {
        if (encodings.plain.isNull()) {
            encodings.plain = encodeServerMessageFrame(encodings.type, encodings.payload);
            ++stats.framesEncoded;
        }
        return encodings.plain;
    }
    if (!deflate || !deflate->params().serverNoContextTakeover)
        return {}; // another extension, or a compression context per subscriber
    // RFC 7692 §7.1.1.1: without server context takeover every message is compressed alone, so
    // the result depends only on the window size (and the local tuning, which one server's
    // connections share): compressed once, with the first such subscriber's compressor.
    const int bits = deflate->params().serverMaxWindowBits;
    auto it = encodings.deflated.find(bits);
    if (it == encodings.deflated.end()) {
        QByteArray compressed = encodings.payload;
        const ReservedBits rsv = deflate->encodeMessage(compressed);
        it = encodings.deflated.insert(
            bits, encodeServerMessageFrame(encodings.type, compressed, quint8(rsv.toInt())));
        ++stats.framesEncoded;
    }
    return *it;
}

void TopicsPrivate::send(Subscriber &subscriber, WebSocketPrivate *wsd, const QByteArray &frame,
    const QByteArray &payload, MessageType type)
{
    if (!frame.isEmpty()) {
        wsd->sendPreframed(frame);
    } else {
        // Context takeover: this subscriber's compressor carries state between messages, so it
        // encodes its own copy (docs/pubsub.md).
        if (type == MessageType::Text)
            wsd->conn->sendText(payload);
        else
            wsd->conn->sendBinary(payload);
        wsd->writeOutgoing();
        ++stats.perSubscriberEncodes;
    }
    ++subscriber.stats.queued;
    markDirty(subscriber);
}

bool TopicsPrivate::deliver(
    Subscriber &subscriber, const Backpressure &policy, Encodings &encodings)
{
    WebSocket *ws = subscriber.ws;
    if (!ws)
        return false;
    WebSocketPrivate *wsd = WebSocketPrivate::get(ws);
    if (!wsd->canSendPreframed())
        return false; // closing: it leaves once closed()
    const QByteArray frame = sharedFrame(wsd, encodings);
    const qint64 size = frame.isEmpty() ? encodings.payload.size() + maxServerHeader : frame.size();
    const qint64 buffered = ws->bufferedAmount();
    switch (policy.policy) {
    case Backpressure::Policy::Queue:
        if (buffered + size > policy.maxQueuedBytes) {
            closeForBackpressure(subscriber, policy, buffered + size, policy.maxQueuedBytes);
            return false;
        }
        break;
    case Backpressure::Policy::Close:
        if (buffered + size > policy.highWaterBytes) {
            closeForBackpressure(subscriber, policy, buffered + size, policy.highWaterBytes);
            return false;
        }
        break;
    case Backpressure::Policy::Drop:
        if (buffered + size > policy.highWaterBytes) {
            ++subscriber.stats.dropped;
            markDirty(subscriber);
            return false;
        }
        break;
    case Backpressure::Policy::ConflateLatest:
        // Once something is held, later messages wait behind it too, so order per key is kept.
        if (!subscriber.held.isEmpty() || buffered + size > policy.highWaterBytes) {
            hold(subscriber, policy, encodings, frame);
            return true;
        }
        break;
    }
    send(subscriber, wsd, frame, encodings.payload, encodings.type);
    return true;
}

void TopicsPrivate::hold(Subscriber &subscriber, const Backpressure &policy, Encodings &encodings,
    const QByteArray &frame)
{
    QByteArray key = policy.conflationKey ? policy.conflationKey(encodings.topic, encodings.payload)
                                          : QByteArray();
    // Keys are per topic: two topics never replace each other's messages.
    key.prepend('\0').prepend(encodings.topic.toUtf8());
    subscriber.drainBelow = std::max<qint64>(1, policy.highWaterBytes / 2);
    for (Held &held : subscriber.held) {
        if (held.key == key) {
            held.payload = encodings.payload;
            held.type = encodings.type;
            held.frame = frame;
            ++subscriber.stats.conflated;
            markDirty(subscriber);
            return;
        }
    }
    subscriber.held.append(
        {std::move(key), encodings.topic, encodings.payload, encodings.type, frame});
    markDirty(subscriber);
}

void TopicsPrivate::releaseHeld(Subscriber &subscriber)
{
    WebSocket *ws = subscriber.ws;
    if (!ws)
        return;
    WebSocketPrivate *wsd = WebSocketPrivate::get(ws);
    if (!wsd->canSendPreframed()) {
        subscriber.held.clear();
        return;
    }
    if (ws->bufferedAmount() >= subscriber.drainBelow)
        return;
    const QList<Held> held = std::exchange(subscriber.held, {});
    for (const Held &message : held)
        send(subscriber, wsd, message.frame, message.payload, message.type);
}

void TopicsPrivate::closeForBackpressure(
    Subscriber &subscriber, const Backpressure &policy, qint64 buffered, qint64 limit)
{
    WebSocket *ws = subscriber.ws;
    const QString reason = QStringLiteral("subscriber too slow: %1 bytes buffered, limit %2")
                               .arg(buffered)
                               .arg(limit);
    qCInfo(lcServer).noquote() << "Topics: closing" << ws->peerAddress().toString()
                               << ws->peerPort() << "with" << int(policy.closeCode) << reason;
    subscriber.stats.closedForBackpressure = true;
    subscriber.held.clear();
    markDirty(subscriber);
    // The close frame goes behind what is buffered; the close timeout bounds the wait for a
    // client that reads nothing, and nothing more is queued for it meanwhile.
    QPointer<Topics> guard(q);
    ws->close(policy.closeCode, reason);
    if (guard)
        Q_EMIT q->subscriberClosedForBackpressure(ws, int(policy.closeCode), reason);
}

int Topics::deliverLocally(const QString &topic, const QByteArray &message, MessageType type)
{
    const auto it = d->topics.constFind(topic);
    ++d->stats.published;
    if (it == d->topics.constEnd())
        return 0;
    TopicsPrivate::Encodings encodings{topic, message, type, {}, {}};
    // A copy: closing a subscriber (a policy, or a slot) may change the topic's list.
    const QList<TopicsPrivate::Subscription> subscriptions = it->subscriptions;
    QPointer<Topics> guard(this);
    int reached = 0;
    for (const TopicsPrivate::Subscription &subscription : subscriptions) {
        auto sub = d->subscribers.find(subscription.ws);
        if (sub == d->subscribers.end())
            continue;
        if (d->deliver(*sub, d->policyFor(topic, subscription), encodings))
            ++reached;
        if (!guard)
            return reached;
    }
    return reached;
}

} // namespace qtws
