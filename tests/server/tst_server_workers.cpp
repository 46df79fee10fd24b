// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::Server with worker threads (ServerOptions::workerThreads): connections spread over the
// workers, WebSockets and handler calls in the worker threads, every client echoed, the count,
// broadcast, graceful and forced close over all workers, wss in workers. Clients are
// qtws::WebSockets on the test's thread. Built also with TSan (docs/benchmarks.md).
#include "serverfixtures.h"
#include "testcertificates.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

using namespace std::chrono_literals;
using namespace qtws;
using qtws::test::Client;

namespace {

// Where the handler ran, and on which thread each WebSocket lives: written by the workers.
struct ThreadLog
{
    QMutex mutex;
    QSet<QThread *> handlerThreads;
    bool wrongAffinity = false;
    std::atomic<int> calls{0};
};

Server::Handler loggingEcho(std::shared_ptr<ThreadLog> log)
{
    return [log](WebSocket *ws) {
        {
            const QMutexLocker lock(&log->mutex);
            log->handlerThreads.insert(QThread::currentThread());
            if (ws->thread() != QThread::currentThread())
                log->wrongAffinity = true;
        }
        ++log->calls;
        test::echo(ws);
    };
}

std::vector<std::unique_ptr<Client>> connectClients(
    const QUrl &url, int count, const ClientOptions &options = {})
{
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < count; ++i)
        clients.push_back(std::make_unique<Client>(url, options));
    return clients;
}

// Waits (bounded per client) until every client's handshake completed.
bool allConnected(const std::vector<std::unique_ptr<Client>> &clients)
{
    return std::all_of(clients.begin(), clients.end(),
        [](const std::unique_ptr<Client> &client) { return client->waitConnected(); });
}

} // namespace

class tst_ServerWorkers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void workerCountResolves_data()
    {
        QTest::addColumn<int>("option");
        QTest::addColumn<int>("expected");
        QTest::addRow("1 (the default): the Server's own thread") << 1 << 1;
        QTest::addRow("3: three workers") << 3 << 3;
        QTest::addRow("0: one per core") << 0 << std::max(1, QThread::idealThreadCount());
    }
    void workerCountResolves()
    {
        QFETCH(int, option);
        QFETCH(int, expected);
        Server server(test::echo, {.workerThreads = option});
        QCOMPARE(server.workerCount(), expected);
    }

    void clientsSpreadOverWorkersAreEachEchoed()
    {
        constexpr int workers = 3;
        constexpr int clientCount = 30;
        constexpr int messagesEach = 5;
        auto log = std::make_shared<ThreadLog>();
        Server server(loggingEcho(log), {.workerThreads = workers});
        QSignalSpy newConnections(&server, &Server::newConnection);
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        auto clients = connectClients(server.serverUrl(), clientCount);
        QVERIFY(allConnected(clients));
        QTRY_COMPARE(server.connectionCount(), clientCount);
        QTRY_COMPARE(newConnections.count(), clientCount);
        QCOMPARE(log->calls.load(), clientCount);
        {
            const QMutexLocker lock(&log->mutex);
            // Round robin: every worker served some, none of it on the test's thread.
            QCOMPARE(log->handlerThreads.size(), workers);
            QVERIFY(!log->handlerThreads.contains(QThread::currentThread()));
            QVERIFY(!log->wrongAffinity);
        }
        for (int i = 0; i < clientCount; ++i)
            for (int m = 0; m < messagesEach; ++m)
                clients[size_t(i)]->ws.sendTextMessage(QStringLiteral("c%1 m%2").arg(i).arg(m));
        for (int i = 0; i < clientCount; ++i) {
            Client &client = *clients[size_t(i)];
            QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), messagesEach, 10000);
            for (int m = 0; m < messagesEach; ++m)
                QCOMPARE(
                    client.texts.at(m).at(0).toString(), QStringLiteral("c%1 m%2").arg(i).arg(m));
        }
    }

    void gracefulCloseReachesEveryWorker()
    {
        constexpr int clientCount = 12;
        Server server(test::echo, {.workerThreads = 3});
        QVERIFY(server.listen());
        auto clients = connectClients(server.serverUrl(), clientCount);
        QVERIFY(allConnected(clients));
        QTRY_COMPARE(server.connectionCount(), clientCount);
        QSignalSpy closed(&server, &Server::closed);
        const QUrl url = server.serverUrl();
        server.close();
        QVERIFY(!server.isListening());
        for (auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1001);
            QCOMPARE(client->closeReason(), QStringLiteral("server shutting down"));
        }
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
        QCOMPARE(closed.count(), 1);
        QCOMPARE(server.connectionCount(), 0);
        // The listener is closed: a new client is refused.
        Client late(url);
        QVERIFY(late.waitClosed());
        QVERIFY(late.connected.isEmpty());
    }

    void forceCloseDropsEveryWorkersClients()
    {
        Server server(test::echo, {.workerThreads = 2});
        QVERIFY(server.listen());
        auto clients = connectClients(server.serverUrl(), 6);
        QVERIFY(allConnected(clients));
        server.forceClose();
        for (auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1006);
        }
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
    }

    void broadcastReachesClientsOfEveryWorker()
    {
        constexpr int clientCount = 9;
        Server server(test::echo, {.workerThreads = 3});
        QVERIFY(server.listen());
        auto clients = connectClients(server.serverUrl(), clientCount);
        QVERIFY(allConnected(clients));
        QTRY_COMPARE(server.connectionCount(), clientCount);
        server.broadcastTextMessage(QStringLiteral("to all"));
        server.broadcastBinaryMessage(QByteArray(100 * 1024, 'b')); // shared, not copied
        for (auto &client : clients) {
            QTRY_COMPARE_WITH_TIMEOUT(client->texts.count(), 1, 10000);
            QCOMPARE(client->texts.at(0).at(0).toString(), QStringLiteral("to all"));
            QTRY_COMPARE_WITH_TIMEOUT(client->binaries.count(), 1, 10000);
            QCOMPARE(client->binaries.at(0).at(0).toByteArray(), QByteArray(100 * 1024, 'b'));
        }
    }

    void connectionCountFollowsClientsLeaving()
    {
        Server server(test::echo, {.workerThreads = 2});
        QSignalSpy counts(&server, &Server::connectionCountChanged);
        QVERIFY(server.listen());
        auto clients = connectClients(server.serverUrl(), 4);
        QVERIFY(allConnected(clients));
        QTRY_COMPARE(server.connectionCount(), 4);
        QVERIFY(counts.count() > 0);
        for (auto &client : clients)
            client->ws.close();
        for (auto &client : clients)
            QVERIFY(client->waitClosed());
        QTRY_COMPARE(server.connectionCount(), 0);
        QTRY_COMPARE(counts.last().at(0).toInt(), 0);
    }

    void maxConnectionsHoldsOverAllWorkers()
    {
        Server server(test::echo, {.maxConnections = 4, .workerThreads = 2});
        QVERIFY(server.listen());
        auto clients = connectClients(server.serverUrl(), 4);
        QVERIFY(allConnected(clients));
        QTRY_COMPARE(server.connectionCount(), 4);
        Client extra(server.serverUrl());
        QVERIFY(extra.waitClosed());
        QVERIFY(extra.connected.isEmpty()); // refused (503), whichever worker it reached
    }

    void secureServerInWorkers()
    {
        test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);
        Server server(test::echo, {.tls = tls, .workerThreads = 2});
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QCOMPARE(server.serverUrl().scheme(), QStringLiteral("wss"));
        ClientOptions options;
        options.sslConfiguration.setCaCertificates({certificates.ca().certificate});
        auto clients = connectClients(server.serverUrl(), 4, options);
        for (auto &client : clients) {
            QVERIFY(client->waitConnected());
            client->ws.sendTextMessage(QStringLiteral("secret"));
        }
        for (auto &client : clients) {
            QTRY_COMPARE_WITH_TIMEOUT(client->texts.count(), 1, 10000);
            QCOMPARE(client->texts.at(0).at(0).toString(), QStringLiteral("secret"));
        }
        server.close();
        for (auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1001);
        }
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
    }

    void destroyingTheServerJoinsTheWorkers()
    {
        auto clients = std::vector<std::unique_ptr<Client>>();
        {
            Server server(test::echo, {.workerThreads = 2});
            QVERIFY(server.listen());
            clients = connectClients(server.serverUrl(), 4);
            for (auto &client : clients)
                QVERIFY(client->waitConnected());
        } // the workers' WebSockets are dropped in their threads, the threads joined
        for (auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1006);
        }
    }
};

QTEST_MAIN(tst_ServerWorkers)
#include "tst_server_workers.moc"
