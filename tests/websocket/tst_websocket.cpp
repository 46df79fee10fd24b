// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/websocket_p.h"

#include "scriptedserver.h"

#include <QtWs/conn.h>
#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <functional>
#include <memory>
#include <optional>

using namespace qtws;
using qtws::test::Peer;
using qtws::test::ScriptedServer;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 10'000; // every wait is bounded; generous for sanitizer builds

// The server echoes text as text and binary as binary.
void echo(WebSocket *ws)
{
    QObject::connect(ws, &WebSocket::textMessageReceived, ws,
        [ws](const QString &message) { ws->sendTextMessage(message); });
    QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
        [ws](const QByteArray &message) { ws->sendBinaryMessage(message); });
}

WebSocketError errorAt(const QSignalSpy &spy, int index = 0)
{
    return spy.at(index).at(0).value<WebSocketError>();
}

// Opens client to server.url() and waits for connected(); the server script adopts.
bool openAndWait(WebSocket &client, const QUrl &url, const ClientOptions &options = {})
{
    QSignalSpy connected(&client, &WebSocket::connected);
    client.open(url, options);
    return connected.wait(waitMs) || connected.size() == 1;
}

// The bytes a client Conn would send for one text frame (masked), for raw-socket tests.
QByteArray clientTextFrame(const QByteArray &utf8)
{
    Conn codec(Role::Client);
    codec.sendText(utf8);
    return codec.takeOutgoing();
}

} // namespace

class tst_WebSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void echo_data();
    void echo();
    void multiByteUtf8();
    void fragmentsBothWays();
    void aMessageInManySmallFragmentsPassesBothWays();
    void pingPong();
    void unsolicitedPong();
    void clientClosesWithCodeAndReason();
    void serverClosesWithCodeAndReason();
    void messagesBeforeCloseAreDelivered();
    void closeTimeoutWhenPeerNeverAnswers();
    void handshakeRefused();
    void handshakeRefusedBodyIsCapped();
    void handshakeInvalidAccept();
    void unofferedSubprotocol();
    void negotiatedSubprotocolAndHandshakeDetails();
    void hostAndAuthorizationHeaders();
    void hostFieldForIpv6();
    void forbiddenExtraHeader();
    void httpSchemes_data();
    void httpSchemes();
    void badScheme_data();
    void badScheme();
    void connectionRefused();
    void requestTimeoutAgainstSilentServer();
    void responseHeaderTimeoutAgainstTrickle();
    void wss();
    void readIdleAfterUpgrade();
    void framesRightBehindThe101();
    void serverSideLeftoverBytesComeFirst();
    void oversizedFrameFromPeerGets1009();
    void maskedFrameFromServerGets1002();
    void peerEofWithoutClose();
    void sendWhenNotOpen();
    void deleteInsideSlot();
    void errorToString();
};

void tst_WebSocket::echo_data()
{
    QTest::addColumn<bool>("text");
    QTest::addColumn<int>("size");
    for (const int size : {0, 125, 126, 65535, 65536, 1 << 20}) {
        QTest::addRow("text %d bytes", size) << true << size;
        QTest::addRow("binary %d bytes", size) << false << size;
    }
}

void tst_WebSocket::echo()
{
    QFETCH(bool, text);
    QFETCH(int, size);
    ScriptedServer server;
    server.script = [&](Peer &peer) { ::echo(server.accept(peer)); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    QCOMPARE(client.state(), WebSocket::State::Open);

    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    QSignalSpy binaries(&client, &WebSocket::binaryMessageReceived);
    QByteArray payload(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        payload[i] = char('a' + i % 26);
    if (text) {
        QCOMPARE(client.sendTextMessage(QString::fromLatin1(payload)), qint64(size));
        QVERIFY(texts.wait(waitMs));
        QCOMPARE(texts.at(0).at(0).toString(), QString::fromLatin1(payload));
        QCOMPARE(binaries.size(), 0);
    } else {
        for (int i = 0; i < size; i += 7)
            payload[i] = char(i % 256); // not text
        QCOMPARE(client.sendBinaryMessage(payload), qint64(size));
        QVERIFY(binaries.wait(waitMs));
        QCOMPARE(binaries.at(0).at(0).toByteArray(), payload);
        QCOMPARE(texts.size(), 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(client.bufferedAmount(), qint64(0), waitMs);
}

void tst_WebSocket::multiByteUtf8()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { ::echo(server.accept(peer)); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    const QString message
        = QStringLiteral("h\u00e9llo w\u00f6rld \u2014 \u65e5\u672c\u8a9e \U0001F389");
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    QCOMPARE(client.sendTextMessage(message), qint64(message.toUtf8().size()));
    QVERIFY(texts.wait(waitMs));
    QCOMPARE(texts.at(0).at(0).toString(), message);
}

// A 4 MiB text in 1 KiB fragments (4,096 frames) is within the default limits in both roles:
// maxFragments bounds per-frame overhead, not ordinary fragmenting peers (issue 11).
void tst_WebSocket::aMessageInManySmallFragmentsPassesBothWays()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    server.script = [&](Peer &peer) { serverSide = server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    QVERIFY(server.waitForAdopted());
    QList<QByteArray> chunks;
    QByteArray whole;
    for (int i = 0; i < 4096; ++i) {
        chunks.append(QByteArray(1024, char('a' + i % 26)));
        whole += chunks.last();
    }
    QSignalSpy serverTexts(serverSide.data(), &WebSocket::textMessageReceived);
    QSignalSpy clientTexts(&client, &WebSocket::textMessageReceived);
    QSignalSpy clientErrors(&client, &WebSocket::errorOccurred);
    QSignalSpy serverErrors(serverSide.data(), &WebSocket::errorOccurred);
    QCOMPARE(client.sendFragments(MessageType::Text, chunks), qint64(whole.size()));
    QVERIFY(serverTexts.wait(waitMs) || serverTexts.size() == 1);
    QCOMPARE(serverTexts.at(0).at(0).toString().toLatin1(), whole);
    QCOMPARE(serverSide->sendFragments(MessageType::Text, chunks), qint64(whole.size()));
    QVERIFY(clientTexts.wait(waitMs) || clientTexts.size() == 1);
    QCOMPARE(clientTexts.at(0).at(0).toString().toLatin1(), whole);
    QCOMPARE(clientErrors.size(), 0);
    QCOMPARE(serverErrors.size(), 0);
}

void tst_WebSocket::fragmentsBothWays()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    server.script = [&](Peer &peer) { serverSide = server.accept(peer); };
    WebSocket client;
    ClientOptions options;
    options.deliverFrames = true;
    QVERIFY(openAndWait(client, server.url(), options));
    QVERIFY(server.waitForAdopted());

    // Client → server: a split inside a multi-byte character is still one valid message.
    const QByteArray utf8 = QStringLiteral("h\u00e9llo").toUtf8();
    QSignalSpy serverTexts(serverSide.data(), &WebSocket::textMessageReceived);
    QCOMPARE(client.sendFragments(MessageType::Text, {utf8.left(2), utf8.mid(2, 1), utf8.mid(3)}),
        qint64(utf8.size()));
    QVERIFY(serverTexts.wait(waitMs));
    QCOMPARE(serverTexts.at(0).at(0).toString(), QStringLiteral("h\u00e9llo"));

    // Server → client, with frame-level delivery on the client.
    QSignalSpy frames(&client, &WebSocket::binaryFrameReceived);
    QSignalSpy binaries(&client, &WebSocket::binaryMessageReceived);
    QCOMPARE(serverSide->sendFragments(MessageType::Binary, {"ab", "", "cde"}), qint64(5));
    QVERIFY(binaries.wait(waitMs));
    QCOMPARE(binaries.at(0).at(0).toByteArray(), QByteArray("abcde"));
    QCOMPARE(frames.size(), 3);
    QCOMPARE(frames.at(0).at(0).toByteArray(), QByteArray("ab"));
    QCOMPARE(frames.at(0).at(1).toBool(), false);
    QCOMPARE(frames.at(2).at(0).toByteArray(), QByteArray("cde"));
    QCOMPARE(frames.at(2).at(1).toBool(), true);
}

void tst_WebSocket::pingPong()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);

    QSignalSpy serverPings(serverSide, &WebSocket::pingReceived);
    QSignalSpy pongs(&client, &WebSocket::pongReceived);
    QCOMPARE(client.ping("are you there"), qint64(13));
    QVERIFY(pongs.wait(waitMs));
    QCOMPARE(pongs.at(0).at(0).toByteArray(), QByteArray("are you there"));
    QVERIFY(pongs.at(0).at(1).toLongLong() >= 0);
    QCOMPARE(serverPings.size(), 1);
    QCOMPARE(serverPings.at(0).at(0).toByteArray(), QByteArray("are you there"));

    // And the other way round.
    QSignalSpy clientPings(&client, &WebSocket::pingReceived);
    QSignalSpy serverPongs(serverSide, &WebSocket::pongReceived);
    QCOMPARE(serverSide->ping("x"), qint64(1));
    QVERIFY(serverPongs.wait(waitMs));
    QCOMPARE(serverPongs.at(0).at(0).toByteArray(), QByteArray("x"));
    QVERIFY(serverPongs.at(0).at(1).toLongLong() >= 0);
    QCOMPARE(clientPings.size(), 1);
}

void tst_WebSocket::unsolicitedPong()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);
    QSignalSpy pongs(&client, &WebSocket::pongReceived);
    QCOMPARE(serverSide->pong("heartbeat"), qint64(9));
    QVERIFY(pongs.wait(waitMs));
    QCOMPARE(pongs.at(0).at(0).toByteArray(), QByteArray("heartbeat"));
    QCOMPARE(pongs.at(0).at(1).toLongLong(), qint64(-1));
}

void tst_WebSocket::clientClosesWithCodeAndReason()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);
    QSignalSpy serverClosed(serverSide, &WebSocket::closed);
    QSignalSpy clientClosed(&client, &WebSocket::closed);
    QSignalSpy clientErrors(&client, &WebSocket::errorOccurred);
    QSignalSpy states(&client, &WebSocket::stateChanged);

    client.close(CloseCode(4001), QStringLiteral("bye from the client \u2713"));
    QCOMPARE(client.state(), WebSocket::State::Closing);
    QVERIFY(clientClosed.wait(waitMs));
    QTRY_COMPARE_WITH_TIMEOUT(serverClosed.size(), 1, waitMs);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 4001);
    QCOMPARE(serverClosed.at(0).at(1).toString(), QStringLiteral("bye from the client \u2713"));
    QCOMPARE(clientClosed.size(), 1);
    QCOMPARE(clientClosed.at(0).at(0).toInt(), 4001);
    QCOMPARE(clientErrors.size(), 0);
    QCOMPARE(client.state(), WebSocket::State::Closed);
    QCOMPARE(states.size(), 2);
    QCOMPARE(states.at(0).at(0).value<WebSocket::State>(), WebSocket::State::Closing);
    QCOMPARE(states.at(1).at(0).value<WebSocket::State>(), WebSocket::State::Closed);
    QCOMPARE(client.closeCode(), 4001);
    QCOMPARE(serverSide->error().kind(), WebSocketError::Kind::ClosedByPeer);
    QCOMPARE(client.error().kind(), WebSocketError::Kind::Closed);
    // closed() is emitted exactly once.
    QTest::qWait(50);
    QCOMPARE(clientClosed.size(), 1);
    QCOMPARE(serverClosed.size(), 1);
}

void tst_WebSocket::serverClosesWithCodeAndReason()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);
    QSignalSpy serverClosed(serverSide, &WebSocket::closed);
    QSignalSpy clientClosed(&client, &WebSocket::closed);
    QSignalSpy clientErrors(&client, &WebSocket::errorOccurred);
    serverSide->close(CloseCode::GoingAway, QStringLiteral("server shutting down"));
    QVERIFY(clientClosed.wait(waitMs));
    QCOMPARE(clientClosed.at(0).at(0).toInt(), 1001);
    QCOMPARE(clientClosed.at(0).at(1).toString(), QStringLiteral("server shutting down"));
    QCOMPARE(clientErrors.size(), 0);
    QCOMPARE(client.error().kind(), WebSocketError::Kind::ClosedByPeer);
    QVERIFY(client.error().isNormal());
    QTRY_COMPARE_WITH_TIMEOUT(serverClosed.size(), 1, waitMs);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 1001);
}

void tst_WebSocket::messagesBeforeCloseAreDelivered()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url()));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);
    QSignalSpy texts(serverSide, &WebSocket::textMessageReceived);
    QSignalSpy binaries(serverSide, &WebSocket::binaryMessageReceived);
    QSignalSpy serverClosed(serverSide, &WebSocket::closed);
    for (int i = 0; i < 100; ++i)
        client.sendTextMessage(QString::number(i));
    client.sendBinaryMessage(QByteArray(200'000, 'z'));
    QVERIFY(client.bufferedAmount() > 200'000);
    client.close();
    QVERIFY(serverClosed.wait(waitMs));
    QCOMPARE(texts.size(), 100);
    for (int i = 0; i < 100; ++i)
        QCOMPARE(texts.at(i).at(0).toString(), QString::number(i));
    QCOMPARE(binaries.size(), 1);
    QCOMPARE(binaries.at(0).at(0).toByteArray().size(), 200'000);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 1000);
}

void tst_WebSocket::closeTimeoutWhenPeerNeverAnswers()
{
    ScriptedServer server;
    QPointer<QTcpSocket> raw;
    server.script = [&](Peer &peer) {
        ScriptedServer::write101(peer.socket, peer.request);
        raw = peer.socket; // never answers anything
    };
    WebSocket client;
    ClientOptions options;
    options.timeouts.close = 400ms;
    QVERIFY(openAndWait(client, server.url(), options));
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QElapsedTimer timer;
    timer.start();
    client.close();
    QVERIFY(closed.wait(waitMs));
    QVERIFY2(timer.elapsed() >= 390, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(errorAt(errors).reason().contains(QStringLiteral("close timeout after 400 ms")),
        qPrintable(errorAt(errors).reason()));
    // The peer saw the TCP connection end.
    QVERIFY(raw);
    QTRY_COMPARE_WITH_TIMEOUT(raw->state(), QAbstractSocket::UnconnectedState, waitMs);
}

void tst_WebSocket::handshakeRefused()
{
    ScriptedServer server;
    QByteArray seenAfterRefusal;
    server.script = [&](Peer &peer) {
        peer.socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 23\r\n\r\norigin not allowed here");
        QObject::connect(peer.socket, &QTcpSocket::readyRead, peer.socket,
            [&, s = peer.socket] { seenAfterRefusal += s->readAll(); });
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy states(&client, &WebSocket::stateChanged);
    QSignalSpy connected(&client, &WebSocket::connected);
    client.open(server.url());
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    const WebSocketError error = errorAt(errors);
    QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
    QCOMPARE(error.httpStatus(), 403);
    QCOMPARE(error.httpBody(), QByteArray("origin not allowed here"));
    QVERIFY2(error.toString().contains(QStringLiteral("403")), qPrintable(error.toString()));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(connected.size(), 0);
    QCOMPARE(client.state(), WebSocket::State::Closed);
    QCOMPARE(states.last().at(0).value<WebSocket::State>(), WebSocket::State::Closed);
    QCOMPARE(client.handshakeResponse().status, 403);
    // No frame went out after the refusal.
    QTest::qWait(50);
    QCOMPARE(seenAfterRefusal, QByteArray());
}

void tst_WebSocket::handshakeRefusedBodyIsCapped()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        // A long body, never finished: the client keeps the first KiB and does not wait for it.
        peer.socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 100000\r\n\r\n"
            + QByteArray(5000, 'b'));
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    client.open(server.url());
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::HandshakeRefused);
    QCOMPARE(errorAt(errors).httpStatus(), 503);
    QCOMPARE(errorAt(errors).httpBody(), QByteArray(1024, 'b'));
}

void tst_WebSocket::handshakeInvalidAccept()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        peer.socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\n"
                           "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    client.open(server.url());
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::HandshakeInvalid);
    QVERIFY2(errorAt(errors).reason().contains(QStringLiteral("ccept")),
        qPrintable(errorAt(errors).reason()));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(client.state(), WebSocket::State::Closed);
}

void tst_WebSocket::unofferedSubprotocol()
{
    ScriptedServer server;
    server.script
        = [&](Peer &peer) { ScriptedServer::write101(peer.socket, peer.request, "other"); };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    ClientOptions options;
    options.subprotocols = {QStringLiteral("chat")};
    client.open(server.url(), options);
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::HandshakeInvalid);
    QVERIFY2(errorAt(errors).reason().contains(QStringLiteral("other"))
            || errorAt(errors).reason().contains(QStringLiteral("protocol")),
        qPrintable(errorAt(errors).reason()));
}

void tst_WebSocket::negotiatedSubprotocolAndHandshakeDetails()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer, "v2.chat"); };
    WebSocket client;
    ClientOptions options;
    options.subprotocols = {QStringLiteral("v1.chat"), QStringLiteral("v2.chat")};
    QVERIFY(openAndWait(client, server.url(QStringLiteral("/room?id=7")), options));
    QCOMPARE(client.subprotocol(), QStringLiteral("v2.chat"));
    QCOMPARE(client.role(), Role::Client);
    QCOMPARE(client.handshakeResponse().status, 101);
    QCOMPARE(client.handshakeRequest().target, QByteArray("/room?id=7"));
    QCOMPARE(client.handshakeRequest().headers.value("Sec-WebSocket-Protocol"),
        QByteArray("v1.chat, v2.chat"));
    QCOMPARE(client.peerAddress(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(client.peerPort(), server.port());
    QCOMPARE(client.url(), server.url(QStringLiteral("/room?id=7")));
    WebSocket *serverSide = server.waitForAdopted();
    QVERIFY(serverSide);
    QCOMPARE(serverSide->role(), Role::Server);
    QCOMPARE(serverSide->state(), WebSocket::State::Open);
    QCOMPARE(serverSide->subprotocol(), QStringLiteral("v2.chat"));
    QCOMPARE(serverSide->peerAddress(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(serverSide->url().path(), QStringLiteral("/room"));
}

void tst_WebSocket::hostAndAuthorizationHeaders()
{
    ScriptedServer server;
    http::Request seen;
    server.script = [&](Peer &peer) {
        seen = peer.request;
        server.accept(peer);
    };
    {
        WebSocket client;
        QUrl url = server.url();
        url.setUserName(QStringLiteral("alice"));
        url.setPassword(QStringLiteral("s3cret:x"));
        QVERIFY(openAndWait(client, url));
        QCOMPARE(seen.headers.value("Host"),
            QByteArray("127.0.0.1:") + QByteArray::number(server.port()));
        QCOMPARE(seen.headers.value("Authorization"),
            QByteArray("Basic ") + QByteArray("alice:s3cret:x").toBase64());
        QVERIFY(client.url().userInfo().isEmpty()); // credentials are not kept in url()
    }
    {
        // The caller's own Authorization wins over the URL's userinfo.
        WebSocket client;
        QUrl url = server.url();
        url.setUserInfo(QStringLiteral("bob:pw"));
        ClientOptions options;
        options.headers.append("Authorization", "Bearer token123");
        options.headers.append("X-Custom", "yes");
        QVERIFY(openAndWait(client, url, options));
        QCOMPARE(seen.headers.values("Authorization"), QList<QByteArray>{"Bearer token123"});
        QCOMPARE(seen.headers.value("X-Custom"), QByteArray("yes"));
    }
}

void tst_WebSocket::hostFieldForIpv6()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHostIPv6))
        QSKIP("no IPv6 loopback here");
    QByteArray host;
    connect(&server, &QTcpServer::pendingConnectionAvailable, this, [&] {
        QTcpSocket *socket = server.nextPendingConnection();
        auto parser = std::make_shared<http::Parser>(http::Parser::Mode::Request);
        connect(socket, &QTcpSocket::readyRead, socket, [=, &host] {
            parser->feed(socket->readAll());
            if (parser->state() == http::Parser::State::MessageComplete && host.isEmpty()) {
                host = parser->request().headers.value("Host");
                ScriptedServer::write101(socket, parser->request());
            }
        });
    });
    WebSocket client;
    QVERIFY(openAndWait(client, QUrl(QStringLiteral("ws://[::1]:%1/").arg(server.serverPort()))));
    QCOMPARE(host, QByteArray("[::1]:") + QByteArray::number(server.serverPort()));
    QCOMPARE(client.peerAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
}

void tst_WebSocket::forbiddenExtraHeader()
{
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    ClientOptions options;
    options.headers.append("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:9/")), options);
    QCOMPARE(closed.size(), 0); // never synchronously
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::InvalidOptions);
    QVERIFY2(
        errorAt(errors).reason().contains(QStringLiteral("Sec-WebSocket-Key"), Qt::CaseInsensitive),
        qPrintable(errorAt(errors).reason()));
}

void tst_WebSocket::httpSchemes_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::newRow("http") << QStringLiteral("http");
    QTest::newRow("HTTP, any case") << QStringLiteral("HTTP");
    QTest::newRow("Ws, any case") << QStringLiteral("Ws");
}

void tst_WebSocket::httpSchemes()
{
    QFETCH(QString, scheme);
    ScriptedServer server;
    server.script = [&](Peer &peer) { ::echo(server.accept(peer)); };
    WebSocket client;
    QVERIFY(openAndWait(
        client, QUrl(QStringLiteral("%1://127.0.0.1:%2/").arg(scheme).arg(server.port()))));
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    client.sendTextMessage(QStringLiteral("hi"));
    QVERIFY(texts.wait(waitMs));
}

void tst_WebSocket::badScheme_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("ftp scheme") << QStringLiteral("ftp://127.0.0.1/");
    QTest::newRow("no scheme") << QStringLiteral("127.0.0.1:80");
    QTest::newRow("no host") << QStringLiteral("ws:///path");
}

void tst_WebSocket::badScheme()
{
    QFETCH(QString, url);
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    client.open(QUrl(url));
    QCOMPARE(errors.size(), 0); // never synchronously inside open()
    QCOMPARE(closed.size(), 0);
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::InvalidUrl);
    QCOMPARE(client.state(), WebSocket::State::Closed);
}

void tst_WebSocket::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    // Upper-case scheme: schemes are case-insensitive.
    client.open(QUrl(QStringLiteral("WS://127.0.0.1:%1/").arg(port)));
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::ConnectionFailed);
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
}

void tst_WebSocket::requestTimeoutAgainstSilentServer()
{
    ScriptedServer server;
    server.script = [](Peer &) {}; // reads the request, never answers
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    ClientOptions options;
    options.timeouts.request = 300ms;
    QElapsedTimer timer;
    timer.start();
    client.open(server.url(), options);
    QVERIFY(closed.wait(waitMs));
    QVERIFY(timer.elapsed() >= 290);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(errorAt(errors).reason().contains(QStringLiteral("request timeout after 300 ms")),
        qPrintable(errorAt(errors).reason()));
}

void tst_WebSocket::responseHeaderTimeoutAgainstTrickle()
{
    // One byte of a valid 101 every 20 ms: read idle never fires, the response-header bound does.
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        const handshake::ClientRequestCheckResult check
            = handshake::checkClientRequest(peer.request);
        handshake::AcceptResponseSpec spec;
        spec.key = check.key;
        const QByteArray bytes = handshake::buildAcceptResponse(spec).response.serialize();
        auto *timer = new QTimer(peer.socket);
        auto sent = std::make_shared<qsizetype>(0);
        connect(timer, &QTimer::timeout, peer.socket, [=, s = peer.socket] {
            if (*sent < bytes.size())
                s->write(bytes.mid((*sent)++, 1));
        });
        timer->start(20);
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    ClientOptions options;
    options.timeouts.responseHeader = 400ms;
    options.timeouts.readIdle = 300ms;
    client.open(server.url(), options);
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(
        errorAt(errors).reason().contains(QStringLiteral("response header timeout after 400 ms")),
        qPrintable(errorAt(errors).reason()));
}

void tst_WebSocket::wss()
{
    // A throw-away self-signed certificate for "localhost" only.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString keyPath = dir.filePath(QStringLiteral("key.pem"));
    const QString certPath = dir.filePath(QStringLiteral("cert.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
        {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
            QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certPath,
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
            QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
            QStringLiteral("subjectAltName=DNS:localhost")});
    if (!openssl.waitForStarted(waitMs))
        QSKIP("the openssl command-line tool is not available");
    QVERIFY(openssl.waitForFinished(waitMs));
    QCOMPARE(openssl.exitCode(), 0);
    const QList<QSslCertificate> certs = QSslCertificate::fromPath(certPath);
    QCOMPARE(certs.size(), 1);
    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslKey key(&keyFile, QSsl::Ec);
    QVERIFY(!key.isNull());

    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(certs.first());
    serverTls.setPrivateKey(key);
    serverTls.setPeerVerifyMode(QSslSocket::VerifyNone);
    ScriptedServer server(serverTls);
    server.script = [&](Peer &peer) { ::echo(server.accept(peer)); };

    // Trusted CA and matching host name: connects, echoes, the server side says wss.
    {
        WebSocket client;
        ClientOptions options;
        options.sslConfiguration.setCaCertificates(certs);
        QVERIFY(openAndWait(
            client, server.url(QStringLiteral("/"), QStringLiteral("localhost")), options));
        QSignalSpy texts(&client, &WebSocket::textMessageReceived);
        client.sendTextMessage(QStringLiteral("over tls"));
        QVERIFY(texts.wait(waitMs));
        QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("over tls"));
        QVERIFY(server.waitForAdopted());
        QCOMPARE(server.adopted.first()->url().scheme(), QStringLiteral("wss"));
        QSignalSpy closed(&client, &WebSocket::closed);
        client.close();
        QVERIFY(closed.wait(waitMs));
        QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    }
    // Default configuration (system CAs): verification fails, the errors are in the reason.
    {
        WebSocket client;
        QSignalSpy errors(&client, &WebSocket::errorOccurred);
        QSignalSpy closed(&client, &WebSocket::closed);
        client.open(server.url(QStringLiteral("/"), QStringLiteral("localhost")));
        QVERIFY(closed.wait(waitMs));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::TlsFailed);
        QVERIFY2(
            errorAt(errors).reason().contains(QStringLiteral("self signed"), Qt::CaseInsensitive)
                || errorAt(errors).reason().contains(
                    QStringLiteral("self-signed"), Qt::CaseInsensitive),
            qPrintable(errorAt(errors).reason()));
        QCOMPARE(closed.at(0).at(0).toInt(), 1015);
    }
    // Trusted CA but the wrong host name (127.0.0.1 is not in the certificate).
    {
        WebSocket client;
        QSignalSpy errors(&client, &WebSocket::errorOccurred);
        QSignalSpy closed(&client, &WebSocket::closed);
        ClientOptions options;
        options.sslConfiguration.setCaCertificates(certs);
        client.open(server.url(), options);
        QVERIFY(closed.wait(waitMs));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::TlsFailed);
        QVERIFY2(
            errorAt(errors).reason().contains(QStringLiteral("host name"), Qt::CaseInsensitive),
            qPrintable(errorAt(errors).reason()));
    }
    // Explicit opt-out: connects, with a warning on qtws.transport.
    {
        WebSocket client;
        ClientOptions options;
        options.insecureSkipTlsVerification = true;
        QTest::ignoreMessage(
            QtWarningMsg, QRegularExpression(QStringLiteral("verification is OFF")));
        QVERIFY(openAndWait(client, server.url(), options));
        QCOMPARE(client.state(), WebSocket::State::Open);
    }
}

void tst_WebSocket::readIdleAfterUpgrade()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    server.script = [&](Peer &peer) { serverSide = server.accept(peer); };
    WebSocket client;
    ClientOptions options;
    options.timeouts.readIdle = 400ms;
    QVERIFY(openAndWait(client, server.url(), options));
    QVERIFY(server.waitForAdopted());
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    // Traffic keeps it alive: a message every 100 ms for 600 ms.
    QElapsedTimer timer;
    timer.start();
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    for (int i = 0; i < 6; ++i) {
        serverSide->sendTextMessage(QStringLiteral("tick"));
        QVERIFY(texts.wait(waitMs));
        QTest::qWait(100);
    }
    QCOMPARE(closed.size(), 0);
    // Then silence.
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(errorAt(errors).reason().contains(QStringLiteral("read idle timeout after 400 ms")),
        qPrintable(errorAt(errors).reason()));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
}

void tst_WebSocket::framesRightBehindThe101()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        Conn codec(Role::Server);
        codec.sendText("first");
        codec.sendBinary("second");
        // One write: the frames share the TCP segment with the 101 head.
        ScriptedServer::write101(peer.socket, peer.request, {}, codec.takeOutgoing());
    };
    WebSocket client;
    QSignalSpy connected(&client, &WebSocket::connected);
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    QSignalSpy binaries(&client, &WebSocket::binaryMessageReceived);
    bool textBeforeConnected = false;
    connect(&client, &WebSocket::connected, this, [&] { textBeforeConnected = texts.size() > 0; });
    client.open(server.url());
    QTRY_COMPARE_WITH_TIMEOUT(binaries.size(), 1, waitMs);
    QCOMPARE(connected.size(), 1);
    QVERIFY(!textBeforeConnected);
    QCOMPARE(texts.size(), 1);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("first"));
    QCOMPARE(binaries.at(0).at(0).toByteArray(), QByteArray("second"));
}

void tst_WebSocket::serverSideLeftoverBytesComeFirst()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    QList<QString> received;
    server.script = [&](Peer &peer) {
        serverSide = server.accept(peer);
        connect(serverSide, &WebSocket::textMessageReceived, this,
            [&](const QString &m) { received.append(m); });
    };
    // A raw client that sends its first frame in the same write as its request head.
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(raw.waitForConnected(waitMs));
    handshake::ClientRequestSpec spec;
    spec.host = "127.0.0.1";
    const handshake::ClientRequestBuildResult built = handshake::buildClientRequest(spec);
    QVERIFY(built.ok());
    raw.write(built.request.serialize() + clientTextFrame("early"));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, waitMs);
    raw.write(clientTextFrame("later"));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, waitMs);
    QCOMPARE(received, (QList<QString>{QStringLiteral("early"), QStringLiteral("later")}));
}

void tst_WebSocket::oversizedFrameFromPeerGets1009()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    server.script = [&](Peer &peer) { serverSide = server.accept(peer); };
    WebSocket client;
    ClientOptions options;
    options.limits.maxFrameSize = 1000;
    QVERIFY(openAndWait(client, server.url(), options));
    QVERIFY(server.waitForAdopted());
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy serverClosed(serverSide.data(), &WebSocket::closed);
    QSignalSpy binaries(&client, &WebSocket::binaryMessageReceived);
    serverSide->sendBinaryMessage(QByteArray(2000, 'x'));
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(binaries.size(), 0);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::ProtocolError);
    QCOMPARE(errorAt(errors).closeCode(), 1009);
    QCOMPARE(closed.at(0).at(0).toInt(), 1009);
    // The 1009 went on the wire: the server reads it as the client's close.
    QTRY_COMPARE_WITH_TIMEOUT(serverClosed.size(), 1, waitMs);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 1009);
}

void tst_WebSocket::maskedFrameFromServerGets1002()
{
    ScriptedServer server;
    QByteArray fromClient;
    server.script = [&](Peer &peer) {
        // A server frame that is masked, as only clients may send (a client codec makes one).
        ScriptedServer::write101(peer.socket, peer.request, {}, clientTextFrame("masked"));
        connect(peer.socket, &QTcpSocket::readyRead, this,
            [&, s = peer.socket] { fromClient += s->readAll(); });
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    client.open(server.url());
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(texts.size(), 0);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::ProtocolError);
    QCOMPARE(errorAt(errors).closeCode(), 1002);
    QCOMPARE(closed.at(0).at(0).toInt(), 1002);
    // What the client wrote is a close frame with 1002.
    Conn decoder(Role::Server);
    QTRY_VERIFY_WITH_TIMEOUT(!fromClient.isEmpty(), waitMs);
    decoder.receive(fromClient);
    const std::optional<Event> event = decoder.nextEvent();
    QVERIFY(event);
    QCOMPARE(event->type, Event::Type::Close);
    QCOMPARE(event->closeCode, quint16(1002));
}

void tst_WebSocket::peerEofWithoutClose()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        ScriptedServer::write101(peer.socket, peer.request);
        peer.socket->disconnectFromHost();
    };
    WebSocket client;
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy connected(&client, &WebSocket::connected);
    client.open(server.url());
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(connected.size(), 1);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::ConnectionLost);
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(client.closeCode(), 1006);
}

void tst_WebSocket::sendWhenNotOpen()
{
    WebSocket client;
    const QRegularExpression notOpen(QStringLiteral("not open"));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.sendTextMessage(QStringLiteral("x")), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.sendBinaryMessage("x"), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.sendFragments(MessageType::Binary, {"a"}), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.ping(), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.pong(), qint64(-1));

    // Also after a close.
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    QVERIFY(openAndWait(client, server.url()));
    QSignalSpy closed(&client, &WebSocket::closed);
    client.close();
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.sendTextMessage(QStringLiteral("late")), qint64(-1));
    QVERIFY(closed.wait(waitMs));
    QTest::ignoreMessage(QtWarningMsg, notOpen);
    QCOMPARE(client.sendTextMessage(QStringLiteral("later")), qint64(-1));
}

void tst_WebSocket::deleteInsideSlot()
{
    ScriptedServer server;
    QPointer<WebSocket> serverSide;
    server.script = [&](Peer &peer) { serverSide = server.accept(peer); };
    // Deleted from a message slot, with more frames behind it in the same read.
    QPointer<WebSocket> client = new WebSocket;
    QVERIFY(openAndWait(*client, server.url()));
    QVERIFY(server.waitForAdopted());
    connect(client, &WebSocket::textMessageReceived, this, [&] { delete client.data(); });
    QSignalSpy serverClosed(serverSide.data(), &WebSocket::closed);
    serverSide->sendTextMessage(QStringLiteral("one"));
    serverSide->sendTextMessage(QStringLiteral("two"));
    QTRY_VERIFY_WITH_TIMEOUT(client.isNull(), waitMs);
    // The server sees the connection drop.
    QTRY_COMPARE_WITH_TIMEOUT(serverClosed.size(), 1, waitMs);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 1006);

    // Deleted from closed().
    QPointer<WebSocket> second = new WebSocket;
    connect(second, &WebSocket::closed, this, [&] { delete second.data(); });
    second->open(QUrl(QStringLiteral("gopher://127.0.0.1/")));
    QTRY_VERIFY_WITH_TIMEOUT(second.isNull(), waitMs);

    // Deleted from closed() after a deadline fired (inside the deadline's timer event).
    QPointer<WebSocket> fourth = new WebSocket;
    ClientOptions idle;
    idle.timeouts.readIdle = 100ms;
    QVERIFY(openAndWait(*fourth, server.url(), idle));
    connect(fourth, &WebSocket::closed, this, [&] { delete fourth.data(); });
    QTRY_VERIFY_WITH_TIMEOUT(fourth.isNull(), waitMs);

    // Deleted while open: nothing is emitted into the half-destroyed object.
    auto *third = new WebSocket;
    QVERIFY(openAndWait(*third, server.url()));
    bool emitted = false;
    connect(third, &WebSocket::stateChanged, this, [&] { emitted = true; });
    connect(third, &WebSocket::closed, this, [&] { emitted = true; });
    delete third;
    QVERIFY(!emitted);
}

void tst_WebSocket::errorToString()
{
    const WebSocketError tooBig(WebSocketError::Kind::ProtocolError, 1009,
        QStringLiteral("message of 17000000 bytes over the limit"));
    QVERIFY2(tooBig.toString().contains(QStringLiteral("1009")), qPrintable(tooBig.toString()));
    QVERIFY(tooBig.toString().contains(QStringLiteral("Message Too Big")));
    QCOMPARE(QByteArray(tooBig.what()), tooBig.toString().toUtf8());
    QVERIFY(!tooBig.isNormal());
    QVERIFY(WebSocketError(WebSocketError::Kind::ClosedByPeer, 1000, {}).isNormal());
    QVERIFY(WebSocketError(WebSocketError::Kind::Closed, 1001, {}).isNormal());
    QVERIFY(WebSocketError(WebSocketError::Kind::ClosedByPeer, 1005, {}).isNormal());
    QVERIFY(!WebSocketError(WebSocketError::Kind::ClosedByPeer, 1011, {}).isNormal());
    QVERIFY(!WebSocketError(WebSocketError::Kind::ConnectionLost, 1000, {}).isNormal());
    const WebSocketError copy = tooBig; // what() survives a copy
    QCOMPARE(QByteArray(copy.what()), tooBig.toString().toUtf8());
    // It travels through queued connections.
    QVariant variant = QVariant::fromValue(tooBig);
    QCOMPARE(variant.value<WebSocketError>().closeCode(), 1009);
    QVERIFY(QMetaType::fromType<WebSocketError>().isValid());
}

QTEST_GUILESS_MAIN(tst_WebSocket)
#include "tst_websocket.moc"
