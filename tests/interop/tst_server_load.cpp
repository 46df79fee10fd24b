// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// Load: a qtws::Server running echo-server's handler holds 1,000 concurrent WebSocket
// connections on 127.0.0.1, each exchanging several messages (five texts of varied sizes and a
// binary one), and loses none: every echo is counted and checksummed, on the client and on the
// server, and every connection closes cleanly with 1000. The clients are qtws::WebSockets on the
// same thread and event loop as the server, so the process holds 2,000 sockets.

#include "../../examples/echo-server/echo.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QTest>

#include <memory>
#include <vector>

#include <sys/resource.h>

using namespace qtws;
using namespace std::chrono_literals;

namespace {

constexpr int connectionCount = 1000;
constexpr int textsEach = 5;
constexpr int messagesEach = textsEach + 1; // and one binary
constexpr rlim_t fdsNeeded = 2200; // 2,000 sockets, the listener, Qt's and the sanitizers' own
constexpr int totalBudgetMs = 120'000;

// The messages client i sends: texts of 1, 125, 126, 1000 and 4000 bytes (the payload length
// boundaries of RFC 6455 §5.2 and some), multi-byte UTF-8 among them, then a binary message,
// all distinct per client, so a message delivered to the wrong connection would be noticed.
QString text(int client, int index)
{
    static constexpr qsizetype sizes[textsEach] = {1, 125, 126, 1000, 4000};
    if (sizes[index] == 1)
        return QString(QChar(u'a' + client % 26));
    // "client:index é" (a 2-byte sequence early on), then ASCII up to the size.
    QByteArray bytes = QByteArray::number(client) + ':' + QByteArray::number(index) + " \xc3\xa9";
    while (bytes.size() < sizes[index])
        bytes += char('a' + (client + bytes.size()) % 26);
    return QString::fromUtf8(bytes);
}

QByteArray binary(int client)
{
    QByteArray bytes(2048, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = char((i * 31 + client) & 0xff);
    return bytes;
}

// One client: what it sent and what came back, hashed in order.
struct Client
{
    WebSocket ws;
    int index = 0;
    int connected = 0;
    int received = 0;
    int closedCode = -1;
    QCryptographicHash sent{QCryptographicHash::Sha256};
    QCryptographicHash echoed{QCryptographicHash::Sha256};
    QList<WebSocketError> errors;
};

} // namespace

class tst_ServerLoad : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void thousandConnectionsLoseNoMessage();
};

void tst_ServerLoad::thousandConnectionsLoseNoMessage()
{
    // 2,000 sockets in this process: raise the soft descriptor limit to the hard one.
    rlimit limit{};
    QCOMPARE(::getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < fdsNeeded)
        QSKIP(qPrintable(QStringLiteral("the hard limit on open files is %1; this test needs %2 "
                                        "(2,000 sockets in one process): raise it (ulimit -Hn)")
                             .arg(limit.rlim_max)
                             .arg(fdsNeeded)));
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < fdsNeeded) {
        limit.rlim_cur = limit.rlim_max;
        QCOMPARE(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    }

    QElapsedTimer clock;
    clock.start();
    ServerOptions options = echo::options(QHostAddress(QHostAddress::LocalHost), 0);
    options.maxConnections = connectionCount + 100;
    Server server(echo::handleConnection, options);
    // The server's side: every message it received, hashed per connection in arrival order.
    int serverMessages = 0;
    int serverCloses1000 = 0;
    QObject::connect(&server, &Server::newConnection, &server, [&](WebSocket *ws) {
        QObject::connect(ws, &WebSocket::textMessageReceived, &server, [&] { ++serverMessages; });
        QObject::connect(ws, &WebSocket::binaryMessageReceived, &server, [&] { ++serverMessages; });
        QObject::connect(ws, &WebSocket::closed, &server, [&](int code) {
            if (code == 1000)
                ++serverCloses1000;
        });
    });
    QVERIFY2(server.listen(), qPrintable(server.errorString()));

    std::vector<std::unique_ptr<Client>> clients;
    clients.reserve(connectionCount);
    int connectedCount = 0;
    int completeCount = 0; // clients that got every echo back
    int closedCount = 0;
    for (int i = 0; i < connectionCount; ++i) {
        auto *client = clients.emplace_back(std::make_unique<Client>()).get();
        client->index = i;
        QObject::connect(
            &client->ws, &WebSocket::connected, &client->ws, [client, &connectedCount] {
                ++client->connected;
                ++connectedCount;
            });
        const auto received = [client, &completeCount](QByteArrayView bytes) {
            client->echoed.addData(bytes);
            if (++client->received == messagesEach)
                ++completeCount;
        };
        QObject::connect(&client->ws, &WebSocket::textMessageReceived, &client->ws,
            [received](const QString &message) { received(message.toUtf8()); });
        QObject::connect(&client->ws, &WebSocket::binaryMessageReceived, &client->ws,
            [received](const QByteArray &message) { received(message); });
        QObject::connect(&client->ws, &WebSocket::errorOccurred, &client->ws,
            [client](const WebSocketError &error) { client->errors.append(error); });
        QObject::connect(
            &client->ws, &WebSocket::closed, &client->ws, [client, &closedCount](int code) {
                client->closedCode = code;
                ++closedCount;
            });
    }
    const auto remainingMs
        = [&clock] { return int(std::max<qint64>(1, totalBudgetMs - clock.elapsed())); };
    const auto firstProblem = [&clients]() -> QString {
        for (const auto &client : clients) {
            if (!client->errors.isEmpty())
                return QStringLiteral("client %1: %2")
                    .arg(client->index)
                    .arg(client->errors.first().toString());
        }
        return {};
    };

    // Opening: all 1,000 at once (the server's listen backlog must hold such a burst: a SYN
    // dropped by a full accept queue is only retried a second later). Every connection stays
    // open throughout.
    const QUrl url = server.serverUrl();
    for (const auto &client : clients)
        client->ws.open(url);
    QVERIFY2(QTest::qWaitFor(
                 [&] { return connectedCount + closedCount >= connectionCount; }, remainingMs()),
        qPrintable(QStringLiteral("%1 of %2 connected; %3")
                       .arg(connectedCount)
                       .arg(connectionCount)
                       .arg(firstProblem())));
    QVERIFY2(closedCount == 0, qPrintable(firstProblem()));
    QCOMPARE(connectedCount, connectionCount);
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), connectionCount, remainingMs());
    const qint64 openedMs = clock.elapsed();

    // Every client sends all its messages at once; the echoes must come back complete and in
    // order on every connection.
    for (const auto &client : clients) {
        for (int j = 0; j < textsEach; ++j) {
            const QString message = text(client->index, j);
            client->sent.addData(message.toUtf8());
            QCOMPARE(client->ws.sendTextMessage(message), message.toUtf8().size());
        }
        const QByteArray bytes = binary(client->index);
        client->sent.addData(bytes);
        QCOMPARE(client->ws.sendBinaryMessage(bytes), bytes.size());
    }
    QVERIFY2(QTest::qWaitFor([&] { return completeCount == connectionCount || closedCount > 0; },
                 remainingMs()),
        qPrintable(QStringLiteral("%1 of %2 clients got every echo; server received %3 of %4 "
                                  "messages; %5 closed; %6")
                       .arg(completeCount)
                       .arg(connectionCount)
                       .arg(serverMessages)
                       .arg(connectionCount * messagesEach)
                       .arg(closedCount)
                       .arg(firstProblem())));
    const qint64 exchangedMs = clock.elapsed();
    QCOMPARE(serverMessages, connectionCount * messagesEach);
    for (const auto &client : clients) {
        QCOMPARE(client->received, messagesEach);
        QVERIFY2(client->echoed.result() == client->sent.result(),
            qPrintable(QStringLiteral("client %1: the echoes differ from what it sent")
                           .arg(client->index)));
    }

    // Closing: every client closes with 1000; the server echoes it on every connection.
    for (const auto &client : clients)
        client->ws.close(CloseCode::Normal, QStringLiteral("load done"));
    QVERIFY2(QTest::qWaitFor([&] { return closedCount == connectionCount; }, remainingMs()),
        qPrintable(QStringLiteral("%1 of %2 closed").arg(closedCount).arg(connectionCount)));
    for (const auto &client : clients) {
        QCOMPARE(client->closedCode, 1000);
        QVERIFY2(client->errors.isEmpty(), qPrintable(firstProblem()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, remainingMs());
    QCOMPARE(serverCloses1000, connectionCount);
    qInfo("%d connections: opened in %lld ms, %d messages echoed in %lld ms, all closed after "
          "%lld ms in total",
        connectionCount, openedMs, connectionCount * messagesEach, exchangedMs - openedMs,
        clock.elapsed());
    QVERIFY2(clock.elapsed() < totalBudgetMs, qPrintable(QString::number(clock.elapsed())));
}

QTEST_GUILESS_MAIN(tst_ServerLoad)
#include "tst_server_load.moc"
