// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::upgrade() inside an http::Server whose Router serves ordinary HTTP routes and a
// WebSocket route on one port; qtws::WebSocket clients, and raw sockets for what a well-behaved
// client cannot send.
#include "serverfixtures.h"
#include "testcertificates.h"

#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/http/server.h>
#include <QtWs/upgrade.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>
#include <stdexcept>

using namespace std::chrono_literals;
using namespace qtws;
using qtws::test::Client;
using qtws::test::echo;
using qtws::test::handshakeRequest;
using qtws::test::maskedTextFrame;
using qtws::test::RawClient;

class tst_Upgrade : public QObject
{
    Q_OBJECT

    // The server under test: "/hello" is plain HTTP, "/ws" upgrades with `options` and
    // `handler`, "/late" upgrades after the response started (misuse).
    std::unique_ptr<http::Server> server;
    UpgradeOptions options;
    std::function<void(WebSocket *)> handler = echo;
    QList<bool> upgradeResults;
    QList<QPointer<WebSocket>> accepted;

    void startServer(http::ServerOptions httpOptions = {})
    {
        http::StreamRouter router;
        router.route("GET", u"/hello", [](http::Stream &stream, const http::RouteMatch &) {
            stream.setHeader("Content-Type", "text/plain");
            stream.end(QByteArrayView("hello"));
        });
        router.route("GET", u"/ws", [this](http::Stream &stream, const http::RouteMatch &) {
            upgradeResults.append(upgrade(
                stream,
                [this](WebSocket *ws) {
                    accepted.append(ws);
                    handler(ws);
                },
                options));
        });
        router.route("GET", u"/late", [this](http::Stream &stream, const http::RouteMatch &) {
            stream.startWrite();
            upgradeResults.append(upgrade(stream, echo, options));
            stream.end(QByteArrayView("not upgraded"));
        });
        server = std::make_unique<http::Server>(
            http::routerHandler(std::move(router)), std::move(httpOptions));
        QVERIFY2(server->listen(), qPrintable(server->errorString()));
    }

    QUrl wsUrl(const QString &path = QStringLiteral("/ws")) const
    {
        QUrl url = server->serverUrl();
        url.setScheme(QStringLiteral("ws"));
        url.setPath(path);
        return url;
    }

private Q_SLOTS:
    void init()
    {
        options = {};
        handler = echo;
        upgradeResults.clear();
        accepted.clear();
    }
    void cleanup()
    {
        // A server-side WebSocket frees itself after closed(), which needs the event loop to
        // run again; a test ends before that.
        for (const QPointer<WebSocket> &ws : std::as_const(accepted))
            delete ws.data();
        server.reset();
    }

    void httpRoutesAndWebSocketRouteShareOnePort()
    {
        startServer();
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        raw.send("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        const auto hello = raw.readResponse();
        QVERIFY(hello);
        QCOMPARE(hello->status, 200);
        QCOMPARE(hello->body, QByteArray("hello"));

        Client client(wsUrl());
        QVERIFY(client.waitConnected());
        QCOMPARE(client.ws.subprotocol(), QString());
        client.ws.sendTextMessage(QStringLiteral("héllo"));
        client.ws.sendBinaryMessage(QByteArray("\x00\x01\x02", 3));
        QTRY_COMPARE_WITH_TIMEOUT(client.binaries.count(), 1, 5000);
        QCOMPARE(client.texts.count(), 1);
        QCOMPARE(client.texts.at(0).at(0).toString(), QStringLiteral("héllo"));
        QCOMPARE(client.binaries.at(0).at(0).toByteArray(), QByteArray("\x00\x01\x02", 3));
        QCOMPARE(upgradeResults, QList<bool>{true});
        QCOMPARE(accepted.size(), 1);
        QVERIFY(accepted.at(0));
        QCOMPARE(accepted.at(0)->role(), Role::Server);
        QCOMPARE(accepted.at(0)->handshakeRequest().target, QByteArray("/ws"));
    }

    void framesSentRightBehindTheRequestAreDelivered()
    {
        startServer();
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        // One write: the request head and two frames, as a client that does not wait for the
        // 101 sends them. The server must not lose them in the HTTP layer's buffer.
        raw.send(handshakeRequest("/ws") + maskedTextFrame("early") + maskedTextFrame("bird"));
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 101);
        QCOMPARE(response->headers.value("Sec-WebSocket-Accept"),
            QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")); // RFC 6455 §1.3's example
        // The echoes: unmasked server frames, in order.
        const QByteArray expected
            = QByteArray("\x81\x05", 2) + "early" + QByteArray("\x81\x04", 2) + "bird";
        QVERIFY(raw.waitForBytes(expected.size()));
        QCOMPARE(raw.buffer.left(expected.size()), expected);
    }

    void upgradeAfterTheResponseStartedIsRefused()
    {
        startServer();
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(QStringLiteral("upgrade\\(\\):.*response already started")));
        raw.send(handshakeRequest("/late"));
        const auto response = raw.readResponse();
        QVERIFY(response);
        // The stream was left to the handler: its own response, not a 101.
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("not upgraded"));
        QCOMPARE(upgradeResults, QList<bool>{false});
    }

    void badHandshakes_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        const QByteArray head = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        QTest::newRow("plain GET without Upgrade → 426 (RFC 9110 §15.5.22)")
            << QByteArray(head + "\r\n") << 426;
        QTest::newRow("Sec-WebSocket-Version 8 → 426 with version 13 (RFC 6455 §4.4)")
            << QByteArray(head + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key
                   + "Sec-WebSocket-Version: 8\r\n\r\n")
            << 426;
        QTest::newRow("no Sec-WebSocket-Version → 426 (RFC 6455 §4.4)")
            << QByteArray(head + "Upgrade: websocket\r\nConnection: Upgrade\r\n" + key + "\r\n")
            << 426;
        QTest::newRow("no Sec-WebSocket-Key → 400 (RFC 6455 §4.2.1 item 5)") << QByteArray(head
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: "
              "13\r\n\r\n") << 400;
        QTest::newRow("key of 4 bytes → 400 (RFC 6455 §4.1 item 7)") << QByteArray(head
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
              "AQIDBA==\r\nSec-WebSocket-Version: 13\r\n\r\n") << 400;
        QTest::newRow("Connection without upgrade → 400 (RFC 6455 §4.2.1 item 4)") << QByteArray(
            head + "Upgrade: websocket\r\nConnection: keep-alive\r\n" + key
            + "Sec-WebSocket-Version: 13\r\n\r\n") << 400;
        QTest::newRow("HTTP/1.0 → 400 (RFC 6455 §4.2.1 item 1)") << QByteArray(
            "GET /ws HTTP/1.0\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            + key + "Sec-WebSocket-Version: 13\r\n\r\n") << 400;
        QTest::newRow("cross-site Origin, default policy → 403 (RFC 6455 §10.2)")
            << handshakeRequest("/ws", "Origin: http://evil.example\r\n") << 403;
        QTest::newRow("Origin null, default policy → 403")
            << handshakeRequest("/ws", "Origin: null\r\n") << 403;
        QTest::newRow("Origin of another port, default policy → 403")
            << handshakeRequest("/ws", "Origin: http://127.0.0.1:1\r\n") << 403;
    }

    void badHandshakes()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        startServer();
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        raw.send(request);
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, status);
        QVERIFY(response->headers.containsToken("Connection", "close"));
        if (status == 426) {
            QCOMPARE(response->headers.value("Sec-WebSocket-Version"), QByteArray("13"));
            QVERIFY(response->headers.containsToken("Upgrade", "websocket"));
        }
        QVERIFY(!response->headers.contains("Sec-WebSocket-Accept"));
        QVERIFY2(raw.waitForClosed(), "the server kept the refused connection open");
        QCOMPARE(upgradeResults, QList<bool>{false});
        QVERIFY(accepted.isEmpty());
    }

    void sameOriginIsAllowedByDefault()
    {
        startServer();
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        raw.send("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(server->serverPort())
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              "Origin: http://127.0.0.1:"
            + QByteArray::number(server->serverPort()) + "\r\n\r\n");
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 101);
    }

    void customOriginCheck()
    {
        QList<QByteArray> seen;
        options.checkOrigin = [&seen](const http::Request &request) {
            seen.append(request.headers.value("Origin"));
            return request.headers.value("Origin") == "https://app.example";
        };
        startServer();

        ClientOptions allowed;
        allowed.headers.append("Origin", "https://app.example");
        Client good(wsUrl(), allowed);
        QVERIFY(good.waitConnected());

        ClientOptions refused;
        refused.headers.append("Origin", "https://127.0.0.1"); // what the default would allow
        Client bad(wsUrl(), refused);
        QVERIFY(bad.closed.wait(10000));
        QCOMPARE(bad.connected.count(), 0);
        QCOMPARE(bad.ws.error().httpStatus(), 403);

        // Called for requests without an Origin too (a policy may refuse those).
        Client none(wsUrl());
        QVERIFY(none.closed.wait(10000));
        QCOMPARE(none.ws.error().httpStatus(), 403);
        QCOMPARE(
            seen, (QList<QByteArray>{"https://app.example", "https://127.0.0.1", QByteArray()}));
    }

    void subprotocolInServerPreferenceOrder()
    {
        options.subprotocols = {QStringLiteral("superchat"), QStringLiteral("chat")};
        startServer();
        ClientOptions offers;
        offers.subprotocols = {QStringLiteral("chat"), QStringLiteral("superchat")};
        Client client(wsUrl(), offers);
        QVERIFY(client.waitConnected());
        QCOMPARE(client.ws.subprotocol(), QStringLiteral("superchat"));
        QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, 5000);
        QCOMPARE(accepted.at(0)->subprotocol(), QStringLiteral("superchat"));

        // No common subprotocol: the handshake still succeeds, without one (RFC 6455 §4.2.2).
        ClientOptions other;
        other.subprotocols = {QStringLiteral("other")};
        Client plain(wsUrl(), other);
        QVERIFY(plain.waitConnected());
        QCOMPARE(plain.ws.subprotocol(), QString());
    }

    void limitsFromTheOptions()
    {
        options.limits.maxMessageSize = 1000;
        startServer();
        Client client(wsUrl());
        QVERIFY(client.waitConnected());
        client.ws.sendBinaryMessage(QByteArray(1001, 'x'));
        QVERIFY(client.closed.wait(10000));
        QCOMPARE(client.closed.at(0).at(0).toInt(), 1009);
    }

    void handlerExceptionClosesWith1011()
    {
        handler = [](WebSocket *) { throw std::runtime_error("boom"); };
        startServer();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("threw.*boom")));
        Client client(wsUrl());
        QVERIFY(client.waitConnected());
        QVERIFY(client.closed.wait(10000));
        QCOMPARE(client.closed.at(0).at(0).toInt(), 1011);
        QCOMPARE(upgradeResults, QList<bool>{true});
    }

    void webSocketIsDeletedAfterClosed()
    {
        startServer();
        Client client(wsUrl());
        QVERIFY(client.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(accepted.size(), 1, 5000);
        QVERIFY(accepted.at(0));
        QCOMPARE(accepted.at(0)->parent(), nullptr);
        QCOMPARE(server->connectionCount(), 1); // the upgraded socket still counts
        client.ws.close(CloseCode::Normal, QStringLiteral("bye"));
        QVERIFY(client.closed.wait(10000));
        QCOMPARE(client.closed.at(0).at(0).toInt(), 1000);
        QTRY_VERIFY_WITH_TIMEOUT(accepted.at(0).isNull(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(server->connectionCount(), 0, 5000);
    }

    void tricklingHandshakeIsCutOffByTheHeaderTimeout()
    {
        http::ServerOptions httpOptions;
        httpOptions.headerTimeout = 300ms;
        startServer(httpOptions);
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        QElapsedTimer clock;
        clock.start();
        // One byte every 20 ms: the head would take far longer than the timeout.
        const QByteArray request = handshakeRequest("/ws");
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
        QVERIFY(accepted.isEmpty());
    }

    void beyondMaxConnectionsGets503()
    {
        http::ServerOptions httpOptions;
        httpOptions.maxConnections = 2;
        startServer(httpOptions);
        Client first(wsUrl());
        Client second(wsUrl());
        QVERIFY(first.waitConnected());
        QVERIFY(second.waitConnected());
        // Upgraded sockets keep counting against maxConnections.
        RawClient raw;
        QVERIFY(raw.connectTo(server->serverPort()));
        raw.send(handshakeRequest("/ws"));
        const auto response = raw.readResponse();
        QVERIFY(response);
        QCOMPARE(response->status, 503);
        QVERIFY(raw.waitForClosed());
    }

    void secureWebSocket()
    {
        test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);
        http::ServerOptions httpOptions;
        httpOptions.tls = tls;
        startServer(httpOptions);

        ClientOptions clientOptions;
        clientOptions.sslConfiguration.setCaCertificates({certificates.ca().certificate});
        QUrl url = wsUrl();
        url.setScheme(QStringLiteral("wss"));
        Client client(url, clientOptions);
        QVERIFY(client.waitConnected());
        client.ws.sendTextMessage(QStringLiteral("over tls"));
        QTRY_COMPARE_WITH_TIMEOUT(client.texts.count(), 1, 5000);
        QCOMPARE(client.texts.at(0).at(0).toString(), QStringLiteral("over tls"));
        QCOMPARE(accepted.at(0)->url().scheme(), QStringLiteral("wss"));

        // The default Origin policy follows the transport: https is the same origin here.
        ClientOptions sameOrigin = clientOptions;
        sameOrigin.headers.append(
            "Origin", QByteArray("https://127.0.0.1:" + QByteArray::number(server->serverPort())));
        Client same(url, sameOrigin);
        QVERIFY(same.waitConnected());
        ClientOptions plainOrigin = clientOptions;
        plainOrigin.headers.append(
            "Origin", QByteArray("http://127.0.0.1:" + QByteArray::number(server->serverPort())));
        Client plain(url, plainOrigin);
        QVERIFY(plain.closed.wait(10000));
        QCOMPARE(plain.ws.error().httpStatus(), 403);
    }
};

QTEST_GUILESS_MAIN(tst_Upgrade)
#include "tst_upgrade.moc"
