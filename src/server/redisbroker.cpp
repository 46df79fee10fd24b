// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// RedisBroker: hiredis's non-blocking client driven by this thread's event loop. hiredis ships
// a Qt adapter (hiredis/adapters/qt.h), but it does not fit Qt 6 as Debian 12 packs it (0.14):
// it connects the string signal activated(int), which Qt 6's QSocketNotifier no longer has
// (activated(QSocketDescriptor, Type)), and it declares `slots`, which QT_NO_KEYWORDS forbids.
// The same five hooks are written here with QSocketNotifier; hiredis still does RESP and I/O.
#include <QtWs/redisbroker.h>
#include <QtWs/topics.h>
#include <QtWs/utf8text.h>

#include "protocol/utf8validator_p.h"
#include "server/logging_p.h"

#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>
#include <QtCore/QUuid>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QHostInfo>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <deque>
#include <vector>

namespace qtws {

namespace {

constexpr char textTag = 'T';
constexpr char binaryTag = 'B';
constexpr qsizetype originSize = 16; // a QUuid in RFC 4122 bytes

} // namespace

class RedisBrokerPrivate
{
public:
    // One hiredis connection: publishing, or subscribed (a subscribed connection may only
    // (un)subscribe, RESP2).
    struct Link
    {
        RedisBrokerPrivate *owner = nullptr;
        redisAsyncContext *ac = nullptr; // null once hiredis freed it
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        bool connected = false;
    };
    enum class State { Off, Resolving, Connecting, Up, Waiting };
    struct Buffered
    {
        QByteArray channel;
        QByteArray body;
    };

    RedisBrokerPrivate(RedisBroker *q, Topics *topics, RedisBroker::Options options)
        : q(q), topics(topics), options(std::move(options)), origin(QUuid::createUuid().toRfc4122())
    {
        retryTimer.setSingleShot(true);
        connectTimer.setSingleShot(true);
        QObject::connect(&retryTimer, &QTimer::timeout, q, [this] { connectNow(); });
        QObject::connect(&connectTimer, &QTimer::timeout, q, [this] {
            qCWarning(lcServer) << "RedisBroker: no connection to" << this->options.url << "within"
                                << this->options.connectTimeout.count() << "ms";
            lost();
        });
        backoff = this->options.reconnectMin;
    }

    // ---- event-loop hooks for hiredis (the adapter) ----
    static void addRead(void *data)
    {
        auto *link = static_cast<Link *>(data);
        if (link->read) {
            link->read->setEnabled(true);
            return;
        }
        link->read = new QSocketNotifier(link->ac->c.fd, QSocketNotifier::Read);
        QObject::connect(link->read, &QSocketNotifier::activated, link->owner->q, [link] {
            if (link->ac)
                redisAsyncHandleRead(link->ac);
        });
    }
    static void delRead(void *data)
    {
        auto *link = static_cast<Link *>(data);
        if (link->read)
            link->read->setEnabled(false);
    }
    static void addWrite(void *data)
    {
        auto *link = static_cast<Link *>(data);
        if (link->write) {
            link->write->setEnabled(true);
            return;
        }
        link->write = new QSocketNotifier(link->ac->c.fd, QSocketNotifier::Write);
        QObject::connect(link->write, &QSocketNotifier::activated, link->owner->q, [link] {
            if (link->ac)
                redisAsyncHandleWrite(link->ac);
        });
    }
    static void delWrite(void *data)
    {
        auto *link = static_cast<Link *>(data);
        if (link->write)
            link->write->setEnabled(false);
    }
    static void cleanup(void *data)
    {
        // hiredis is freeing the context (maybe from inside a notifier's signal): the
        // notifiers go from the event loop, and nothing reaches the context any more.
        auto *link = static_cast<Link *>(data);
        for (QSocketNotifier *notifier : {link->read, link->write}) {
            if (!notifier)
                continue;
            notifier->setEnabled(false);
            if (link->owner->destroying)
                delete notifier; // from ~RedisBroker, not from a signal of its own
            else
                notifier->deleteLater();
        }
        link->read = link->write = nullptr;
        link->ac = nullptr;
    }

    static void onConnect(const redisAsyncContext *ac, int status)
    {
        auto *link = static_cast<Link *>(ac->data);
        if (!link)
            return;
        if (status != REDIS_OK) {
            link->ac = nullptr; // hiredis frees a context that failed to connect
            link->owner->lost();
            return;
        }
        link->connected = true;
        link->owner->linkConnected();
    }
    static void onDisconnect(const redisAsyncContext *ac, int)
    {
        auto *link = static_cast<Link *>(ac->data);
        if (!link)
            return;
        link->ac = nullptr;
        link->connected = false;
        link->owner->lost();
    }
    static void onSubscriberReply(redisAsyncContext *ac, void *r, void *)
    {
        auto *link = static_cast<Link *>(ac->data);
        auto *reply = static_cast<redisReply *>(r);
        if (!link || !reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
            return;
        const QByteArrayView kind(reply->element[0]->str, reply->element[0]->len);
        if (kind == "subscribe") {
            link->owner->subscribeConfirmed();
        } else if (kind == "message" && reply->element[1]->type == REDIS_REPLY_STRING
            && reply->element[2]->type == REDIS_REPLY_STRING) {
            link->owner->received(QByteArrayView(reply->element[1]->str, reply->element[1]->len),
                QByteArrayView(reply->element[2]->str, reply->element[2]->len));
        }
    }

    // ---- the connection cycle ----
    void resolveAndConnect()
    {
        const QString host
            = options.url.host().isEmpty() ? QStringLiteral("127.0.0.1") : options.url.host();
        if (!QHostAddress(host).isNull()) {
            address = host.toLatin1();
            connectNow();
            return;
        }
        // redisAsyncConnect resolves names with a blocking getaddrinfo: resolve here instead.
        state = State::Resolving;
        QPointer<RedisBroker> guard(q);
        QHostInfo::lookupHost(host, q, [this, guard](const QHostInfo &info) {
            if (!guard || state != State::Resolving)
                return;
            if (info.addresses().isEmpty()) {
                qCWarning(lcServer) << "RedisBroker: cannot resolve" << info.hostName() << ":"
                                    << info.errorString();
                state = State::Connecting;
                lost();
                return;
            }
            address = info.addresses().constFirst().toString().toLatin1();
            connectNow();
        });
    }

    Link *openLink()
    {
        auto link = std::make_unique<Link>();
        link->owner = this;
        redisAsyncContext *ac = redisAsyncConnect(address.constData(), options.url.port(6379));
        if (!ac)
            return nullptr;
        if (ac->err) {
            qCWarning(lcServer) << "RedisBroker:" << ac->errstr;
            redisAsyncFree(ac);
            return nullptr;
        }
        link->ac = ac;
        ac->data = link.get();
        ac->ev.data = link.get();
        ac->ev.addRead = addRead;
        ac->ev.delRead = delRead;
        ac->ev.addWrite = addWrite;
        ac->ev.delWrite = delWrite;
        ac->ev.cleanup = cleanup;
        redisAsyncSetConnectCallback(ac, onConnect);
        redisAsyncSetDisconnectCallback(ac, onDisconnect);
        links.push_back(std::move(link));
        return links.back().get();
    }

    void connectNow()
    {
        // Links of earlier attempts are all freed by now (lost() disconnected them).
        std::erase_if(links, [](const std::unique_ptr<Link> &l) { return l->ac == nullptr; });
        state = State::Connecting;
        pendingAcks = 0;
        publisher = openLink();
        subscriber = openLink();
        if (!publisher || !subscriber) {
            lost();
            return;
        }
        connectTimer.start(options.connectTimeout);
    }

    void linkConnected()
    {
        if (state != State::Connecting || !publisher || !subscriber || !publisher->connected
            || !subscriber->connected)
            return;
        connectTimer.stop();
        state = State::Up;
        backoff = options.reconnectMin;
        ++stats.connects;
        qCInfo(lcServer) << "RedisBroker: connected to" << options.url;
        const QStringList active = topics->topics();
        for (const QString &topic : active)
            subscribe(topic);
        // What was published while down goes now, oldest first.
        while (!buffered.empty()) {
            const Buffered message = std::move(buffered.front());
            buffered.pop_front();
            sendPublish(message.channel, message.body);
        }
        QPointer<RedisBroker> guard(q);
        Q_EMIT q->connectedChanged(true);
        if (guard && pendingAcks == 0)
            Q_EMIT q->ready();
    }

    void lost()
    {
        if (state != State::Connecting && state != State::Up && state != State::Resolving)
            return;
        const bool wasUp = state == State::Up;
        state = State::Waiting;
        connectTimer.stop();
        for (Link *link : {publisher, subscriber}) {
            if (link && link->ac) {
                redisAsyncContext *ac = link->ac;
                // Its callbacks must not reach this cycle any more; hiredis frees it.
                ac->data = nullptr;
                link->connected = false;
                redisAsyncDisconnect(ac);
            }
        }
        publisher = subscriber = nullptr;
        if (wasUp) {
            ++stats.disconnects;
            qCWarning(lcServer) << "RedisBroker: lost the connection to" << options.url
                                << "; reconnecting in" << backoff.count() << "ms";
            Q_EMIT q->connectedChanged(false);
        }
        retryTimer.start(backoff);
        backoff = std::min(backoff * 2, options.reconnectMax);
    }

    // ---- pub/sub ----
    QByteArray channel(const QString &topic) const
    {
        return options.channelPrefix + topic.toUtf8();
    }

    void subscribe(const QString &topic)
    {
        const QByteArray name = channel(topic);
        ++pendingAcks;
        redisAsyncCommand(subscriber->ac, onSubscriberReply, nullptr, "SUBSCRIBE %b",
            name.constData(), size_t(name.size()));
    }

    void subscribeConfirmed()
    {
        if (pendingAcks > 0 && --pendingAcks == 0 && state == State::Up)
            Q_EMIT q->ready();
    }

    void sendPublish(const QByteArray &name, const QByteArray &body)
    {
        redisAsyncCommand(publisher->ac, nullptr, nullptr, "PUBLISH %b %b", name.constData(),
            size_t(name.size()), body.constData(), size_t(body.size()));
        ++stats.published;
    }

    void localPublish(const QString &topic, const QByteArray &message, MessageType type)
    {
        QByteArray body;
        body.reserve(1 + originSize + message.size());
        body.append(type == MessageType::Text ? textTag : binaryTag).append(origin).append(message);
        if (state == State::Up) {
            sendPublish(channel(topic), body);
            return;
        }
        if (qsizetype(buffered.size()) >= options.maxBufferedWhileDown) {
            ++stats.droppedWhileDown;
            return;
        }
        ++stats.bufferedWhileDown;
        buffered.push_back({channel(topic), std::move(body)});
    }

    void received(QByteArrayView name, QByteArrayView body)
    {
        if (!name.startsWith(options.channelPrefix) || body.size() < 1 + originSize)
            return;
        if (body.sliced(1, originSize) == origin) {
            ++stats.ownEchoesSkipped; // delivered locally when it was published
            return;
        }
        const char tag = body.at(0);
        const QByteArray payload = body.sliced(1 + originSize).toByteArray();
        if (tag != textTag && tag != binaryTag)
            return;
        // Another process's bytes: text is checked before it becomes a text frame (RFC 6455
        // §5.6; a browser would fail the connection with 1007).
        if (tag == textTag && !Utf8Validator::isValidUtf8(payload)) {
            qCWarning(lcServer) << "RedisBroker: dropped a text message that is not UTF-8";
            return;
        }
        ++stats.received;
        topics->deliverLocally(textFromUtf8(name.sliced(options.channelPrefix.size())), payload,
            tag == textTag ? MessageType::Text : MessageType::Binary);
    }

    RedisBroker *q;
    QPointer<Topics> topics;
    RedisBroker::Options options;
    const QByteArray origin;
    QByteArray address;
    State state = State::Off;
    bool destroying = false;
    std::vector<std::unique_ptr<Link>> links;
    Link *publisher = nullptr;
    Link *subscriber = nullptr;
    int pendingAcks = 0;
    std::deque<Buffered> buffered;
    std::chrono::milliseconds backoff;
    QTimer retryTimer;
    QTimer connectTimer;
    RedisBroker::Stats stats;
};

RedisBroker::RedisBroker(Topics *topics, Options options, QObject *parent)
    : QObject(parent), d(std::make_unique<RedisBrokerPrivate>(this, topics, std::move(options)))
{
    Q_ASSERT(topics);
}

RedisBroker::~RedisBroker()
{
    if (d->topics)
        d->topics->setPublishHook({});
    d->state = RedisBrokerPrivate::State::Off;
    d->destroying = true;
    for (auto &link : d->links) {
        if (link->ac) {
            redisAsyncContext *ac = link->ac;
            ac->data = nullptr;
            redisAsyncFree(ac); // calls cleanup, which deletes the notifiers
        }
    }
}

bool RedisBroker::start()
{
    if (d->options.url.scheme() != u"redis" || d->options.url.host().isEmpty()) {
        qCWarning(lcServer) << "RedisBroker::start: needs a redis://host:port URL, not"
                            << d->options.url;
        return false;
    }
    if (d->state != RedisBrokerPrivate::State::Off)
        return true;
    d->state = RedisBrokerPrivate::State::Waiting;
    RedisBrokerPrivate *dp = d.get();
    d->topics->setPublishHook([dp](const QString &topic, const QByteArray &message,
                                  MessageType type) { dp->localPublish(topic, message, type); });
    connect(d->topics, &Topics::topicActivated, this, [dp](const QString &topic) {
        if (dp->state == RedisBrokerPrivate::State::Up)
            dp->subscribe(topic);
    });
    connect(d->topics, &Topics::topicDeactivated, this, [dp](const QString &topic) {
        if (dp->state != RedisBrokerPrivate::State::Up)
            return;
        const QByteArray name = dp->channel(topic);
        redisAsyncCommand(dp->subscriber->ac, RedisBrokerPrivate::onSubscriberReply, nullptr,
            "UNSUBSCRIBE %b", name.constData(), size_t(name.size()));
    });
    QMetaObject::invokeMethod(
        this, [dp] { dp->resolveAndConnect(); }, Qt::QueuedConnection);
    return true;
}

bool RedisBroker::isConnected() const
{
    return d->state == RedisBrokerPrivate::State::Up;
}

bool RedisBroker::isReady() const
{
    return isConnected() && d->pendingAcks == 0;
}

RedisBroker::Stats RedisBroker::stats() const
{
    return d->stats;
}

QByteArray RedisBroker::originId() const
{
    return d->origin;
}

} // namespace qtws
