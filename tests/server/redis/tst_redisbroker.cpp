// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// qtws::RedisBroker with a real redis-server started here (a free 127.0.0.1 port, no
// persistence, stopped by its PID): two qtws::Servers in this process, a broker each, share
// topics; each client gets every message exactly once, in order per publisher; redis-server
// killed and restarted: the brokers count the loss, reconnect and carry on.
#include <QtWs/redisbroker.h>
#include <QtWs/server.h>
#include <QtWs/topics.h>
#include <QtWs/websocket.h>

#include "serverfixtures.h"

#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws;
using namespace qtws::test;

namespace {

constexpr int waitMs = 15000;

// redis-server on 127.0.0.1:port, no RDB, no AOF.
struct Redis
{
    bool start(quint16 onPort = 0)
    {
        if (onPort == 0) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0))
                return false;
            port = probe.serverPort();
        } else {
            port = onPort;
        }
        process.start(QStringLiteral(QTWS_REDIS_SERVER),
            {u"--save"_qs, u""_qs, u"--appendonly"_qs, u"no"_qs, u"--port"_qs,
                QString::number(port), u"--bind"_qs, u"127.0.0.1"_qs});
        if (!process.waitForStarted(waitMs)) {
            qWarning() << "cannot start" << QTWS_REDIS_SERVER << process.errorString();
            return false;
        }
        // Ready once it accepts connections; each try is bounded, as is the whole wait.
        return QTest::qWaitFor(
            [this] {
                QTcpSocket probe;
                probe.connectToHost(QHostAddress::LocalHost, port);
                return probe.waitForConnected(200);
            },
            waitMs);
    }
    void stop()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.kill(); // SIGKILL to its PID: a crash, not a shutdown
        process.waitForFinished(waitMs);
    }
    ~Redis() { stop(); }
    QUrl url() const { return QUrl(u"redis://127.0.0.1:%1"_qs.arg(port)); }

    QProcess process;
    quint16 port = 0;
};

// A server with a broker and one subscribed client.
struct Node
{
    explicit Node(const QUrl &redis)
        : server([this](WebSocket *ws) { serverSide = ws; })
        , broker(server.topics(),
              RedisBroker::Options{.url = redis, .reconnectMax = std::chrono::milliseconds(500)})
    { }
    bool start()
    {
        if (!server.listen() || !broker.start())
            return false;
        client = std::make_unique<Client>(server.serverUrl());
        return client->waitConnected()
            && QTest::qWaitFor([this] { return !serverSide.isNull(); }, waitMs)
            && server.subscribe(serverSide, u"shared"_qs);
    }
    QStringList texts() const
    {
        QStringList result;
        for (const QList<QVariant> &args : std::as_const(client->texts))
            result.append(args.at(0).toString());
        return result;
    }
    Server server;
    RedisBroker broker;
    QPointer<WebSocket> serverSide;
    std::unique_ptr<Client> client;
};

} // namespace

class tst_RedisBroker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void offWithoutRedisUrl();
    void twoServersShareTopicsExactlyOnce();
    void reconnectsAfterRedisRestarts();
};

void tst_RedisBroker::offWithoutRedisUrl()
{
    Server server;
    RedisBroker broker(server.topics(), {});
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"needs a redis://host:port URL"_qs));
    QVERIFY(!broker.start());
    QVERIFY(!broker.isConnected());
}

void tst_RedisBroker::twoServersShareTopicsExactlyOnce()
{
    Redis redis;
    QVERIFY(redis.start());
    Node a(redis.url());
    Node b(redis.url());
    QVERIFY(a.start());
    QVERIFY(b.start());
    QTRY_VERIFY_WITH_TIMEOUT(a.broker.isReady() && b.broker.isReady(), waitMs);

    constexpr int n = 50;
    for (int i = 0; i < n; ++i) {
        QCOMPARE(a.server.publish(u"shared"_qs, u"a%1"_qs.arg(i)), 1);
        QCOMPARE(b.server.publish(u"shared"_qs, u"b%1"_qs.arg(i)), 1);
    }
    a.server.publish(u"shared"_qs, u"a-end"_qs);
    b.server.publish(u"shared"_qs, u"b-end"_qs);
    // Every message of the other server arrived, and every echo of one's own came back from
    // Redis (and was not delivered again).
    for (Node *node : {&a, &b}) {
        QTRY_COMPARE_WITH_TIMEOUT(node->client->texts.count(), 2 * n + 2, waitMs);
        QTRY_COMPARE_WITH_TIMEOUT(node->broker.stats().ownEchoesSkipped, n + 1, waitMs);
        QCOMPARE(node->broker.stats().received, n + 1);
        QCOMPARE(node->broker.stats().published, n + 1);
    }
    QTest::qWait(100); // a late duplicate would have had the time to come; none may
    for (Node *node : {&a, &b}) {
        const QStringList texts = node->texts();
        QCOMPARE(texts.size(), 2 * n + 2);
        for (const QChar origin : {u'a', u'b'}) {
            QStringList fromOrigin;
            for (const QString &text : texts)
                if (text.startsWith(origin))
                    fromOrigin.append(text);
            QStringList expected;
            for (int i = 0; i < n; ++i)
                expected.append(QString(origin) + QString::number(i));
            expected.append(QString(origin) + u"-end"_qs);
            QCOMPARE(fromOrigin, expected); // exactly once, in order per publisher
        }
    }
}

void tst_RedisBroker::reconnectsAfterRedisRestarts()
{
    Redis redis;
    QVERIFY(redis.start());
    Node a(redis.url());
    Node b(redis.url());
    QVERIFY(a.start());
    QVERIFY(b.start());
    QTRY_VERIFY_WITH_TIMEOUT(a.broker.isReady() && b.broker.isReady(), waitMs);
    a.server.publish(u"shared"_qs, u"before"_qs);
    QTRY_COMPARE_WITH_TIMEOUT(b.client->texts.count(), 1, waitMs);

    redis.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!a.broker.isConnected() && !b.broker.isConnected(), waitMs);
    // While down: local subscribers still get it at once; the relay keeps it for later.
    for (int i = 0; i < 5; ++i)
        QCOMPARE(a.server.publish(u"shared"_qs, u"down%1"_qs.arg(i)), 1);
    QTRY_COMPARE_WITH_TIMEOUT(a.client->texts.count(), 1 + 5, waitMs);
    QCOMPARE(a.broker.stats().bufferedWhileDown, 5);
    QCOMPARE(a.broker.stats().disconnects, 1);

    QVERIFY(redis.start(redis.port));
    QTRY_VERIFY_WITH_TIMEOUT(a.broker.isReady() && b.broker.isReady(), waitMs);
    QCOMPARE(a.broker.stats().connects, 2);
    QCOMPARE(b.broker.stats().connects, 2);
    b.server.publish(u"shared"_qs, u"after"_qs);
    QTRY_VERIFY_WITH_TIMEOUT(a.texts().contains(u"after"_qs), waitMs);
    QCOMPARE(a.texts().count(u"after"_qs), 1);
    QVERIFY(a.client->ws.state() == WebSocket::State::Open);
}

QTEST_GUILESS_MAIN(tst_RedisBroker)
#include "tst_redisbroker.moc"
