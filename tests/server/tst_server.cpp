// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::Server: listening and addresses, the handler and newConnection(), graceful and forced
// close, the blocking forms, wss, and many clients at once. qtws::WebSocket clients, and raw
// sockets for clients that misbehave (never answer a close, trickle, send plain HTTP).
#include "serverfixtures.h"
#include "testcertificates.h"

#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>
#include <vector>

using namespace std::chrono_literals;
using namespace qtws;
using qtws::test::Client;
using qtws::test::echo;
using qtws::test::handshakeRequest;
using qtws::test::maskedCloseFrame;
using qtws::test::maskedTextFrame;
using qtws::test::RawClient;

namespace {

// The close frame a server sends on close(): unmasked, 1001 and the reason (RFC 6455 §5.5.1).
QByteArray goingAwayFrame()
{
    const QByteArray reason = "server shutting down";
    return QByteArray("\x88", 1) + char(2 + reason.size()) + QByteArray("\x03\xe9", 2) + reason;
}

} // namespace

class tst_Server : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listensOnLoopbackAndAnyFreePort()
    {
        Server server(echo);
        QVERIFY(server.serverUrl().isEmpty());
        QSignalSpy listening(&server, &Server::listeningChanged);
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QCOMPARE(listening.count(), 1);
        QVERIFY(server.isListening());
        QVERIFY(server.serverPort() != 0);
        QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(server.serverUrl().toString(),
            QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort()));
        // A second listen() is refused, and says so.
        QVERIFY(!server.listen());
        QVERIFY(!server.errorString().isEmpty());
    }

    void ipv6AddressIsBracketed()
    {
        Server server(echo, {.host = QHostAddress(QHostAddress::LocalHostIPv6)});
        if (!server.listen())
            QSKIP("no IPv6 loopback here");
        QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
        QCOMPARE(server.serverUrl().toString(),
            QStringLiteral("ws://[::1]:%1/").arg(server.serverPort()));
        Client client(server.serverUrl());
        QVERIFY(client.waitConnected());
    }

    void wildcardReportsTheRealAddress()
    {
        Server server(echo, {.host = QHostAddress(QHostAddress::AnyIPv4)});
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        // HTTP.jl reports loopback whatever it bound; the address here is the real one, and
        // the URL the one a local client can use.
        QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(server.serverUrl().host(), QStringLiteral("127.0.0.1"));
    }

    void listenFailureIsReported()
    {
        Server first(echo);
        QVERIFY2(first.listen(), qPrintable(first.errorString()));
        Server second(echo, {.port = first.serverPort()});
        QVERIFY(!second.listen());
        QVERIFY(!second.isListening());
        QVERIFY2(second.errorString().contains(QString::number(first.serverPort())),
            qPrintable(second.errorString()));
        // The blocking form reports it too, and returns at once.
        QVERIFY(!second.run());
    }

    void handlerAndNewConnection()
    {
        QList<QPointer<WebSocket>> handled;
        Server server([&handled](WebSocket *ws) {
            handled.append(ws);
            echo(ws);
        });
        QSignalSpy newConnection(&server, &Server::newConnection);
        QSignalSpy countChanged(&server, &Server::connectionCountChanged);
        QVERIFY(server.listen());

        Client client(server.serverUrl().resolved(QUrl(QStringLiteral("/any/path?x=1"))));
        QVERIFY(client.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(newConnection.count(), 1, 5000);
        QCOMPARE(handled.size(), 1);
        auto *ws = newConnection.at(0).at(0).value<WebSocket *>();
        QCOMPARE(ws, handled.at(0).data());
        QCOMPARE(ws->parent(), &server);
        QCOMPARE(ws->handshakeRequest().target, QByteArray("/any/path?x=1"));
        QCOMPARE(server.connectionCount(), 1);
        QCOMPARE(countChanged.count(), 1);

        client.ws.sendTextMessage(QStringLiteral("ping?"));
        QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), 1, 5000);
        QCOMPARE(client.texts.at(0).at(0).toString(), QStringLiteral("ping?"));

        client.ws.close();
        QVERIFY(client.waitClosed());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(handled.at(0).isNull(), 5000); // deleted after closed()
    }

    void newConnectionSignalWithoutHandler()
    {
        Server server;
        QObject::connect(&server, &Server::newConnection, &server, echo);
        QVERIFY(server.listen());
        Client client(server.serverUrl());
        QVERIFY(client.waitConnected());
        client.ws.sendTextMessage(QStringLiteral("x"));
        QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), 1, 5000);
    }

    void plainHttpGets426()
    {
        Server server(echo);
        QVERIFY(server.listen());
        RawClient raw;
        QVERIFY(raw.connectTo(server.serverPort()));
        raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 426);
        QCOMPARE(response->headers.value("Sec-WebSocket-Version"), QByteArray("13"));
        QVERIFY(response->headers.containsToken("Upgrade", "websocket"));
        QVERIFY(raw.waitForClosed());
    }

    void originPolicyAndSubprotocols()
    {
        ServerOptions options;
        options.websocket.subprotocols = {QStringLiteral("v2"), QStringLiteral("v1")};
        Server server(echo, options);
        QVERIFY(server.listen());
        ClientOptions crossSite;
        crossSite.headers.append("Origin", "http://evil.example");
        Client refused(server.serverUrl(), crossSite);
        QVERIFY(refused.waitClosed());
        QCOMPARE(refused.ws.error().httpStatus(), 403);

        ClientOptions offers;
        offers.subprotocols = {QStringLiteral("v1"), QStringLiteral("v2")};
        Client client(server.serverUrl(), offers);
        QVERIFY(client.waitConnected());
        QCOMPARE(client.ws.subprotocol(), QStringLiteral("v2"));
    }

    void beyondMaxConnectionsGets503()
    {
        Server server(echo, {.maxConnections = 1});
        QVERIFY(server.listen());
        Client first(server.serverUrl());
        QVERIFY(first.waitConnected());
        RawClient raw;
        QVERIFY(raw.connectTo(server.serverPort()));
        raw.send(handshakeRequest("/"));
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 503);
        QVERIFY(raw.waitForClosed());

        // Once the first one is gone, its slot is free again.
        first.ws.close();
        QVERIFY(first.waitClosed());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 5000);
        bool connected = false;
        for (int attempt = 0; attempt < 50 && !connected; ++attempt) {
            // The server frees the slot when the socket is deleted, a turn after closed().
            Client again(server.serverUrl());
            QVERIFY(again.waitConnected() || again.waitClosed());
            connected = again.connected.count() == 1;
        }
        QVERIFY(connected);
    }

    void tricklingHandshakeIsCutOff()
    {
        Server server(echo, {.handshakeTimeout = 300ms});
        QVERIFY(server.listen());
        RawClient raw;
        QVERIFY(raw.connectTo(server.serverPort()));
        QElapsedTimer clock;
        clock.start();
        const QByteArray request = handshakeRequest("/");
        qsizetype sent = 0;
        QTimer trickle;
        QObject::connect(&trickle, &QTimer::timeout, [&] {
            if (sent < request.size())
                raw.send(request.mid(sent++, 1));
        });
        trickle.start(20);
        QVERIFY(raw.waitForClosed(10000));
        QVERIFY2(clock.elapsed() >= 290, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(sent < request.size());
        QCOMPARE(server.connectionCount(), 0);
    }

    void closeSendsGoingAwayToEveryClient()
    {
        Server server(echo);
        QVERIFY(server.listen());
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < 3; ++i) {
            clients.push_back(std::make_unique<Client>(server.serverUrl()));
            QVERIFY(clients.back()->waitConnected());
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 3, 5000);
        QSignalSpy closed(&server, &Server::closed);
        server.close();
        QCOMPARE(closed.count(), 0); // never from inside close()
        QVERIFY(!server.isListening());
        for (const auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1001);
            QCOMPARE(client->closeReason(), QStringLiteral("server shutting down"));
        }
        QVERIFY(closed.count() == 1 || closed.wait(10000));
        QCOMPARE(server.connectionCount(), 0);
        QVERIFY(server.isClosed());
        // A closed server does not come back.
        QVERIFY(!server.listen());
        Client late(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())));
        QVERIFY(late.waitClosed());
        QCOMPARE(late.connected.count(), 0);
    }

    void closeWaitsForAllClientsConcurrently()
    {
        // Clients that never answer the close: each is dropped after the close timeout, all
        // at the same time (HTTP.jl waits for them one after another).
        constexpr int count = 8;
        ServerOptions options;
        options.websocket.closeTimeout = 400ms;
        Server server(echo, options);
        QVERIFY(server.listen());
        std::vector<std::unique_ptr<RawClient>> clients;
        for (int i = 0; i < count; ++i) {
            clients.push_back(std::make_unique<RawClient>());
            QVERIFY(clients.back()->connectTo(server.serverPort()));
            clients.back()->send(handshakeRequest("/"));
            const auto response = clients.back()->readResponse();
            QVERIFY(response);
            QCOMPARE(response->status, 101);
        }
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), count, 5000);
        QSignalSpy closed(&server, &Server::closed);
        QElapsedTimer clock;
        clock.start();
        server.close();
        QVERIFY(closed.wait(20000));
        const qint64 elapsed = clock.elapsed();
        // Qt's coarse timers may fire up to 5 % early.
        QVERIFY2(elapsed >= 370, qPrintable(QString::number(elapsed)));
        // Sequential closes would take count × 400 ms.
        QVERIFY2(elapsed < (count - 2) * 400, qPrintable(QString::number(elapsed)));
        for (const auto &client : clients) {
            QVERIFY(client->waitForClosed());
            QVERIFY2(
                client->buffer.startsWith(goingAwayFrame()), client->buffer.toHex().constData());
        }
    }

    void handshakeInProgressDuringCloseGets503()
    {
        Server server(echo);
        QVERIFY(server.listen());
        RawClient raw;
        QVERIFY(raw.connectTo(server.serverPort()));
        const QByteArray request = handshakeRequest("/");
        raw.send(request.left(20));
        QTRY_COMPARE_WITH_TIMEOUT(raw.socket.bytesToWrite(), 0, 5000);
        // A full exchange on a second connection that starts after those bytes were sent: once
        // it is answered, the server has also read the first connection's bytes, which were
        // waiting in the kernel before (an event, not a sleep).
        RawClient probe;
        QVERIFY(probe.connectTo(server.serverPort()));
        probe.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QVERIFY(probe.readResponse());
        QSignalSpy closed(&server, &Server::closed);
        server.close();
        raw.send(request.mid(20));
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 503);
        QVERIFY(raw.waitForClosed());
        QVERIFY(closed.count() == 1 || closed.wait(10000));
        QCOMPARE(server.connectionCount(), 0);
    }

    void forceCloseDropsEverything()
    {
        Server server(echo);
        QVERIFY(server.listen());
        Client a(server.serverUrl());
        Client b(server.serverUrl());
        QVERIFY(a.waitConnected());
        QVERIFY(b.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, 5000);
        QSignalSpy closed(&server, &Server::closed);
        server.forceClose();
        QCOMPARE(server.connectionCount(), 0);
        QVERIFY(!server.isListening());
        QVERIFY(a.waitClosed());
        QVERIFY(b.waitClosed());
        QCOMPARE(a.closeCode(), 1006); // no close frame
        QCOMPARE(b.closeCode(), 1006);
        QVERIFY(closed.count() == 1 || closed.wait(5000));
    }

    // Three text messages and the close (1000) in one write: the messages reach the
    // application first, their echoes go out, then the echo of the close, then the TCP close
    // (RFC 6455 §5.5.1); nothing is lost to the close that arrived with them.
    void messagesArrivingWithTheCloseAreAnswered()
    {
        QStringList received;
        Server server([&received](WebSocket *ws) {
            QObject::connect(ws, &WebSocket::textMessageReceived, ws,
                [&received](const QString &text) { received.append(text); });
            echo(ws);
        });
        QVERIFY2(server.listen(), qPrintable(server.errorString()));

        RawClient raw;
        QVERIFY(raw.connectAndUpgrade(server.serverPort()));

        raw.send(maskedTextFrame("one") + maskedTextFrame("two") + maskedTextFrame("three")
            + maskedCloseFrame(1000));
        QVERIFY2(raw.waitForClosed(10000), "the server kept the connection open");

        // The server's frames: final, unmasked, payloads under 126 bytes (RFC 6455 §5.2).
        QString error;
        const QList<std::pair<int, QByteArray>> frames
            = qtws::test::smallServerFrames(raw.buffer, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QList<std::pair<int, QByteArray>> expected{
            {0x1, "one"}, {0x1, "two"}, {0x1, "three"}};
        QCOMPARE(frames.size(), 4);
        QCOMPARE(frames.first(3), expected);
        QCOMPARE(frames.at(3).first, 0x8);
        QCOMPARE(frames.at(3).second.left(2), QByteArray("\x03\xe8", 2)); // 1000
        QCOMPARE(received,
            QStringList({QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")}));
    }

    void waitForClosed()
    {
        Server server(echo);
        QVERIFY(server.listen());
        // Nobody closes it: the wait ends at the deadline.
        QVERIFY(!server.waitForClosed(QDeadlineTimer(50ms)));
        QVERIFY(!server.isClosed());
        Client client(server.serverUrl());
        QVERIFY(client.waitConnected());
        QTimer::singleShot(0, &server, &Server::close);
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
        QVERIFY(server.isClosed());
        // The server's end does not wait for the client to notice the TCP close.
        QTRY_COMPARE(client.closeCode(), 1001);
        QVERIFY(server.waitForClosed(QDeadlineTimer(0ms))); // already closed: at once
    }

    void runBlocksUntilClosed()
    {
        Server server(echo);
        int received = -1;
        std::unique_ptr<Client> client;
        QObject::connect(&server, &Server::listeningChanged, &server, [&] {
            client = std::make_unique<Client>(server.serverUrl());
            QObject::connect(&client->ws, &WebSocket::connected, &client->ws,
                [&] { client->ws.sendTextMessage(QStringLiteral("bye")); });
            QObject::connect(
                &client->ws, &WebSocket::textMessageReceived, &server, [&](const QString &text) {
                    received = int(text.size());
                    server.close();
                });
        });
        QVERIFY(server.run());
        QVERIFY(server.isClosed());
        QCOMPARE(received, 3);
    }

    void secureServer()
    {
        test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);
        Server server(echo, {.tls = tls});
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QCOMPARE(server.serverUrl().scheme(), QStringLiteral("wss"));

        ClientOptions options;
        options.sslConfiguration.setCaCertificates({certificates.ca().certificate});
        Client client(server.serverUrl(), options);
        QVERIFY(client.waitConnected());
        client.ws.sendTextMessage(QStringLiteral("secret"));
        QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), 1, 5000);
        QCOMPARE(client.texts.at(0).at(0).toString(), QStringLiteral("secret"));
        server.close();
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1001);
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
    }

    void hundredConcurrentClientsLoseNoMessage()
    {
        constexpr int clientCount = 100;
        constexpr int messagesEach = 10;
        Server server(echo);
        QVERIFY(server.listen());
        std::vector<std::unique_ptr<Client>> clients;
        for (int i = 0; i < clientCount; ++i)
            clients.push_back(std::make_unique<Client>(server.serverUrl()));
        for (const auto &client : clients)
            QVERIFY(client->waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), clientCount, 10000);
        for (int i = 0; i < clientCount; ++i) {
            for (int j = 0; j < messagesEach; ++j)
                clients[i]->ws.sendTextMessage(QStringLiteral("%1:%2").arg(i).arg(j));
        }
        for (int i = 0; i < clientCount; ++i) {
            Client &client = *clients[i];
            QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), messagesEach, 30000);
            for (int j = 0; j < messagesEach; ++j)
                QCOMPARE(
                    client.texts.at(j).at(0).toString(), QStringLiteral("%1:%2").arg(i).arg(j));
        }
        server.close();
        QVERIFY(server.waitForClosed(QDeadlineTimer(20s)));
        for (const auto &client : clients) {
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 1001);
        }
    }

    void destroyingTheServerDropsItsWebSockets()
    {
        auto server = std::make_unique<Server>(echo);
        QVERIFY(server->listen());
        Client client(server->serverUrl());
        QVERIFY(client.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 1, 5000);
        server.reset();
        QVERIFY(client.waitClosed());
        QCOMPARE(client.closeCode(), 1006);
    }
};

QTEST_GUILESS_MAIN(tst_Server)
#include "tst_server.moc"
