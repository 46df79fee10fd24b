// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// qtws::Topics on qtws::Server: subscription bookkeeping, one encoding per publish for every
// subscriber it fits, and the backpressure policies against clients that stop reading
// (WebSocket::setReadPaused: the client reads at most 64 KiB, then TCP flow control holds the
// server's writes in its own buffers, where the policies see them).
#include <QtWs/server.h>
#include <QtWs/topics.h>
#include <QtWs/websocket.h>

#include "serverfixtures.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws;
using namespace qtws::test;

Q_DECLARE_METATYPE(qtws::Backpressure::Policy)

namespace {

constexpr int waitMs = 10000;
const ClientOptions noDeflate{.deflate = {.enabled = false}};

// A server that keeps its server-side WebSockets, in connection order.
struct TopicServer
{
    explicit TopicServer(ServerOptions options = {})
        : server([this](WebSocket *ws) { sockets.append(ws); }, std::move(options))
    {
        listening = server.listen();
    }
    // n clients connected, each one's server side known.
    bool connect(
        std::vector<std::unique_ptr<Client>> &clients, int n, const ClientOptions &options = {})
    {
        for (int i = 0; i < n; ++i)
            clients.push_back(std::make_unique<Client>(server.serverUrl(), options));
        for (auto &client : clients)
            if (!client->waitConnected())
                return false;
        return QTest::qWaitFor([&] { return sockets.size() == qsizetype(clients.size()); }, waitMs);
    }
    Server server;
    QList<QPointer<WebSocket>> sockets;
    bool listening = false;
};

} // namespace

class tst_Topics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bookkeeping();
    void leavingDropsSubscriptions();
    void refusesWhatCannotSubscribe();
    void publishIsFramedOnce_data();
    void publishIsFramedOnce();
    void textMustBeUtf8();
    void standaloneHub();
    void backpressureAgainstAPausedClient_data();
    void backpressureAgainstAPausedClient();
    void conflationKeepsNewestPerKey();
    void statsSignalIsThrottled();
};

void tst_Topics::bookkeeping()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 3));
    Topics *topics = s.server.topics();
    QSignalSpy activated(topics, &Topics::topicActivated);
    QSignalSpy deactivated(topics, &Topics::topicDeactivated);

    QVERIFY(s.server.subscribe(s.sockets[0], u"a"_qs));
    QVERIFY(s.server.subscribe(s.sockets[1], u"a"_qs));
    QVERIFY(s.server.subscribe(s.sockets[1], u"b"_qs));
    QVERIFY(s.server.subscribe(s.sockets[1], u"b"_qs)); // again: still one subscription
    QCOMPARE(activated.count(), 2);
    QCOMPARE(s.server.subscribers(u"a"_qs), (QList<WebSocket *>{s.sockets[0], s.sockets[1]}));
    QCOMPARE(s.server.subscribers(u"b"_qs), QList<WebSocket *>{s.sockets[1]});
    QCOMPARE(s.server.topics(s.sockets[1]), (QStringList{u"a"_qs, u"b"_qs}));
    QCOMPARE(s.server.topics(s.sockets[2]), QStringList());
    QCOMPARE(topics->subscriberCount(u"b"_qs), 1);

    QCOMPARE(s.server.publish(u"a"_qs, u"to a"_qs), 2);
    QCOMPARE(s.server.publish(u"b"_qs, QByteArray("to b"), MessageType::Binary), 1);
    QCOMPARE(s.server.publish(u"nobody"_qs, u"lost"_qs), 0);
    QTRY_COMPARE_WITH_TIMEOUT(clients[0]->texts.count(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients[1]->texts.count(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(clients[1]->binaries.count(), 1, waitMs);
    QCOMPARE(clients[0]->texts.at(0).at(0).toString(), u"to a"_qs);
    QCOMPARE(clients[1]->binaries.at(0).at(0).toByteArray(), QByteArray("to b"));
    QCOMPARE(clients[2]->texts.count() + clients[2]->binaries.count(), 0);

    QVERIFY(s.server.unsubscribe(s.sockets[1], u"b"_qs));
    QVERIFY(!s.server.unsubscribe(s.sockets[1], u"b"_qs));
    QCOMPARE(deactivated.count(), 1);
    QCOMPARE(deactivated.at(0).at(0).toString(), u"b"_qs);
    QCOMPARE(s.server.topics(s.sockets[1]), QStringList{u"a"_qs});
    QCOMPARE(topics->topics(), QStringList{u"a"_qs});
    QCOMPARE(topics->subscriberStats(s.sockets[1]).queued, 2);
}

void tst_Topics::leavingDropsSubscriptions()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 2));
    QVERIFY(s.server.subscribe(s.sockets[0], u"t"_qs));
    QVERIFY(s.server.subscribe(s.sockets[1], u"t"_qs));
    QSignalSpy deactivated(s.server.topics(), &Topics::topicDeactivated);

    // A client that closes leaves its topics as its server side closes.
    clients[0]->ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(s.server.subscribers(u"t"_qs).size(), 1, waitMs);
    // A server side deleted while open (no closed()) leaves them too.
    delete s.sockets[1].data();
    QCOMPARE(s.server.subscribers(u"t"_qs).size(), 0);
    QCOMPARE(deactivated.count(), 1);
    QCOMPARE(s.server.publish(u"t"_qs, u"x"_qs), 0);
}

void tst_Topics::refusesWhatCannotSubscribe()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 1));
    Topics topics;
    QTest::ignoreMessage(QtWarningMsg, "Topics::subscribe: null WebSocket");
    QVERIFY(!topics.subscribe(nullptr, u"t"_qs));
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(u"only an open server-side WebSocket"_qs));
    QVERIFY(!topics.subscribe(&clients[0]->ws, u"t"_qs));
    s.sockets[0]->close();
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(u"only an open server-side WebSocket"_qs));
    QVERIFY(!topics.subscribe(s.sockets[0], u"t"_qs));
    QCOMPARE(topics.topics(), QStringList());
}

void tst_Topics::publishIsFramedOnce_data()
{
    QTest::addColumn<PerMessageDeflateOptions>("serverDeflate");
    QTest::addColumn<bool>("compressed");
    QTest::addColumn<int>("sharedEncodes"); // per publish
    QTest::addColumn<int>("ownEncodes"); // per publish, one per subscriber

    QTest::newRow("no extension: one frame for all")
        << PerMessageDeflateOptions{.enabled = false} << false << 1 << 0;
    QTest::newRow("deflate without server context takeover: compressed once")
        << PerMessageDeflateOptions{.serverNoContextTakeover = true} << true << 1 << 0;
    QTest::newRow("deflate with context takeover: compressed per subscriber")
        << PerMessageDeflateOptions{} << true << 0 << 8;
}

void tst_Topics::publishIsFramedOnce()
{
    QFETCH(PerMessageDeflateOptions, serverDeflate);
    QFETCH(bool, compressed);
    QFETCH(int, sharedEncodes);
    QFETCH(int, ownEncodes);

    TopicServer s(ServerOptions{.websocket = {.deflate = serverDeflate}});
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 8));
    for (WebSocket *ws : std::as_const(s.sockets))
        QVERIFY(s.server.subscribe(ws, u"news"_qs));

    const QString text = QString(u"qtws publishes once to many; "_qs).repeated(40);
    const QByteArray binary = QByteArray("\x01\x02\x03\x04 binary payload ").repeated(40);
    const TopicsStats before = s.server.topics()->stats();
    QCOMPARE(s.server.publish(u"news"_qs, text), 8);
    QCOMPARE(s.server.publish(u"news"_qs, binary, MessageType::Binary), 8);
    const TopicsStats after = s.server.topics()->stats();
    QCOMPARE(after.published - before.published, 2);
    QCOMPARE(after.framesEncoded - before.framesEncoded, 2 * sharedEncodes);
    QCOMPARE(after.perSubscriberEncodes - before.perSubscriberEncodes, 2 * ownEncodes);

    for (auto &client : clients) {
        QTRY_COMPARE_WITH_TIMEOUT(client->texts.count(), 1, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(client->binaries.count(), 1, waitMs);
        QCOMPARE(client->texts.at(0).at(0).toString(), text);
        QCOMPARE(client->binaries.at(0).at(0).toByteArray(), binary);
        const PerMessageDeflate *deflate = client->ws.perMessageDeflate();
        QCOMPARE(deflate && deflate->stats().messagesInflated == 2, compressed);
    }
    // Further publishes stay one encoding each.
    for (int i = 0; i < 10; ++i)
        s.server.publish(u"news"_qs, text);
    QCOMPARE(s.server.topics()->stats().framesEncoded - after.framesEncoded, 10 * sharedEncodes);
}

void tst_Topics::textMustBeUtf8()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 1));
    QVERIFY(s.server.subscribe(s.sockets[0], u"t"_qs));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"not valid UTF-8"_qs));
    QCOMPARE(s.server.publish(u"t"_qs, QByteArray("\xff\xfe"), MessageType::Text), -1);
    // A leading U+FEFF is content (RFC 3629 §6 leaves it to the protocol): delivered as sent.
    const QString bom = QString(QChar(0xFEFF)) + u"text"_qs;
    QCOMPARE(s.server.publish(u"t"_qs, bom), 1);
    QTRY_COMPARE_WITH_TIMEOUT(clients[0]->texts.count(), 1, waitMs);
    QCOMPARE(clients[0]->texts.at(0).at(0).toString(), bom);
}

void tst_Topics::standaloneHub()
{
    // A Topics of the application's own (as with upgrade() on an http::Server), not the
    // server's: the same calls, the same leaving on close.
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 2));
    Topics hub;
    QVERIFY(hub.subscribe(s.sockets[0], u"x"_qs));
    QVERIFY(hub.subscribe(s.sockets[1], u"x"_qs));
    QCOMPARE(hub.publish(u"x"_qs, u"hello"_qs), 2);
    QCOMPARE(s.server.subscribers(u"x"_qs).size(), 0);
    for (auto &client : clients)
        QTRY_COMPARE_WITH_TIMEOUT(client->texts.count(), 1, waitMs);
    clients[1]->ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(hub.subscribers(u"x"_qs).size(), 1, waitMs);
}

void tst_Topics::backpressureAgainstAPausedClient_data()
{
    QTest::addColumn<Backpressure::Policy>("policy");
    QTest::addColumn<int>("closeCode"); // 0: stays open
    QTest::newRow("Queue: closed with 1013 once over maxQueuedBytes")
        << Backpressure::Policy::Queue << 1013;
    QTest::newRow("Close: closed with 1008 once over highWaterBytes")
        << Backpressure::Policy::Close << 1008;
    QTest::newRow("Drop: dropped and counted over highWaterBytes, stays open")
        << Backpressure::Policy::Drop << 0;
    QTest::newRow("ConflateLatest: one held per key, stays open")
        << Backpressure::Policy::ConflateLatest << 0;
}

void tst_Topics::backpressureAgainstAPausedClient()
{
    QFETCH(Backpressure::Policy, policy);
    QFETCH(int, closeCode);

    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    // Uncompressed, so the bytes buffered are the bytes published.
    QVERIFY(s.connect(clients, 2, noDeflate));
    Client &slow = *clients[0];
    Client &fast = *clients[1];
    slow.ws.setReadPaused(true);

    const Backpressure backpressure{.policy = policy,
        .highWaterBytes = 256 * 1024,
        .maxQueuedBytes = 1024 * 1024,
        .closeCode = closeCode == 1008 ? CloseCode::PolicyViolation : CloseCode::TryAgainLater};
    Topics *topics = s.server.topics();
    topics->setBackpressure(u"feed"_qs, backpressure);
    QPointer<WebSocket> slowSide = s.sockets[0];
    QVERIFY(topics->subscribe(slowSide, u"feed"_qs));
    QVERIFY(topics->subscribe(s.sockets[1], u"feed"_qs));
    QSignalSpy closedForBackpressure(topics, &Topics::subscriberClosedForBackpressure);

    // 64 KiB messages until the policy acted: loopback's kernel buffers take a few MiB first.
    const QByteArray message(64 * 1024, 'p');
    const qint64 limit = policy == Backpressure::Policy::Queue ? backpressure.maxQueuedBytes
                                                               : backpressure.highWaterBytes;
    qint64 mostBuffered = 0;
    int published = 0;
    auto acted = [&] {
        if (!closedForBackpressure.isEmpty())
            return true;
        const SubscriberStats stats = topics->subscriberStats(slowSide);
        return stats.dropped >= 20 || stats.conflated >= 20;
    };
    for (; published < 3000 && !acted(); ++published) {
        topics->publish(u"feed"_qs, message);
        if (slowSide)
            mostBuffered = std::max(mostBuffered, slowSide->bufferedAmount());
        QCoreApplication::processEvents();
        // The fast subscriber keeps up (it reads); let it, so its buffer stays small.
        QTRY_VERIFY_WITH_TIMEOUT(s.sockets[1]->bufferedAmount() < 1024 * 1024, waitMs);
    }
    QVERIFY2(acted(), qPrintable(u"the policy never acted after %1 publishes"_qs.arg(published)));
    // Bounded: the server never buffered past the limit (plus the message that crossed it).
    QVERIFY2(mostBuffered <= limit + message.size() + 16,
        qPrintable(u"buffered %1 bytes, limit %2"_qs.arg(mostBuffered).arg(limit)));

    if (closeCode != 0) {
        QCOMPARE(closedForBackpressure.count(), 1);
        QCOMPARE(closedForBackpressure.at(0).at(1).toInt(), closeCode);
        QVERIFY(closedForBackpressure.at(0).at(2).toString().startsWith(u"subscriber too slow"_qs));
        // The client reads again and finds the close frame behind what was queued.
        slow.ws.setReadPaused(false);
        QVERIFY(slow.waitClosed());
        QCOMPARE(slow.closeCode(), closeCode);
        QVERIFY(slow.closeReason().startsWith(u"subscriber too slow"_qs));
        QTRY_COMPARE_WITH_TIMEOUT(topics->subscriberCount(u"feed"_qs), 1, waitMs);
    } else {
        QVERIFY(closedForBackpressure.isEmpty());
        QCOMPARE(slowSide->state(), WebSocket::State::Open);
        const SubscriberStats stats = topics->subscriberStats(slowSide);
        QCOMPARE(stats.queued + stats.dropped + stats.conflated + stats.pending, qint64(published));
        if (policy == Backpressure::Policy::ConflateLatest)
            QCOMPARE(stats.pending, 1); // one topic, the default key: only the newest is held
        // Once the client reads again, everything not dropped or conflated arrives.
        slow.ws.setReadPaused(false);
        QTRY_COMPARE_WITH_TIMEOUT(slow.binaries.count(), int(stats.queued + stats.pending), waitMs);
        QCOMPARE(topics->subscriberStats(slowSide).pending, 0);
    }
    // The fast subscriber got every message.
    QTRY_COMPARE_WITH_TIMEOUT(fast.binaries.count(), published, waitMs);
}

void tst_Topics::conflationKeepsNewestPerKey()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 1, noDeflate));
    Client &slow = *clients[0];
    slow.ws.setReadPaused(true);
    Topics *topics = s.server.topics();
    // One topic, the key in the message ("SYMBOL seq padding"), as a ticker with one feed.
    const Backpressure conflate{.policy = Backpressure::Policy::ConflateLatest,
        .highWaterBytes = 128 * 1024,
        .conflationKey = [](const QString &, const QByteArray &m) { return m.left(4); }};
    QVERIFY(topics->subscribe(s.sockets[0], u"prices"_qs, conflate));

    const QList<QByteArray> symbols{"AAAA", "BBBB", "CCCC"};
    const QByteArray padding(16 * 1024, '.');
    QHash<QByteArray, int> lastSent;
    int seq = 0;
    for (; seq < 6000 && topics->subscriberStats(s.sockets[0]).conflated < 30; ++seq) {
        const QByteArray &symbol = symbols.at(seq % symbols.size());
        topics->publish(u"prices"_qs, symbol + ' ' + QByteArray::number(seq) + ' ' + padding,
            MessageType::Text);
        lastSent[symbol] = seq;
        QCoreApplication::processEvents();
    }
    QVERIFY(topics->subscriberStats(s.sockets[0]).conflated >= 30);
    QCOMPARE(topics->subscriberStats(s.sockets[0]).pending, symbols.size());

    slow.ws.setReadPaused(false);
    const SubscriberStats stats = topics->subscriberStats(s.sockets[0]);
    QTRY_COMPARE_WITH_TIMEOUT(slow.texts.count(), int(stats.queued + stats.pending), waitMs);
    QHash<QByteArray, int> lastSeen;
    for (const QList<QVariant> &args : std::as_const(slow.texts)) {
        const QList<QByteArray> fields = args.at(0).toString().toUtf8().split(' ');
        const int n = fields.at(1).toInt();
        // In order per key, never an older state after a newer one.
        QVERIFY(n > lastSeen.value(fields.at(0), -1));
        lastSeen[fields.at(0)] = n;
    }
    // The slow client ends on the newest state of every key.
    QCOMPARE(lastSeen, lastSent);
}

void tst_Topics::statsSignalIsThrottled()
{
    TopicServer s;
    QVERIFY(s.listening);
    std::vector<std::unique_ptr<Client>> clients;
    QVERIFY(s.connect(clients, 1));
    Topics *topics = s.server.topics();
    topics->setStatsInterval(std::chrono::milliseconds(200));
    QVERIFY(topics->subscribe(s.sockets[0], u"t"_qs));
    QSignalSpy changed(topics, &Topics::subscriberStatsChanged);
    for (int i = 0; i < 100; ++i)
        topics->publish(u"t"_qs, u"tick"_qs);
    QVERIFY(changed.wait(waitMs));
    QCOMPARE(changed.count(), 1); // 100 changes, one signal
    QCOMPARE(changed.at(0).at(1).value<SubscriberStats>().queued, 100);
    QTRY_COMPARE_WITH_TIMEOUT(clients[0]->texts.count(), 100, waitMs);
}

QTEST_GUILESS_MAIN(tst_Topics)
#include "tst_topics.moc"
