// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// ClientOptions against real peers on 127.0.0.1: every timeout against a peer that stalls at
// exactly that stage (with a healthy connection using the same options alive meanwhile),
// keepalive, redirects, cookies, TLS options, and the environment's proxy selection rules.
#include "transport/proxyselection_p.h"
#include "websocket/websocket_p.h"

#include "peerprocess.h"
#include "scriptedserver.h"
#include "testcertificates.h"

#include <QtWs/blocking.h>
#include <QtWs/conn.h>
#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QRegularExpression>
#include <QtCore/QScopeGuard>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkCookie>
#include <QtNetwork/QNetworkCookieJar>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <functional>
#include <memory>
#include <optional>

using namespace qtws;
using namespace std::chrono_literals;
using qtws::test::Peer;
using qtws::test::PeerKind;
using qtws::test::PeerProcess;
using qtws::test::ScriptedServer;
using qtws::test::TestCertificates;

namespace {

constexpr int waitMs = 10'000; // every wait is bounded; generous for sanitizer builds

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

WebSocketError errorAt(const QSignalSpy &spy, int index = 0)
{
    return spy.at(index).at(0).value<WebSocketError>();
}

QString describe(const QSignalSpy &errors)
{
    return errors.isEmpty() ? QString() : errorAt(errors).toString();
}

// A healthy connection with the options under test, alive while a stalled one fails: the
// server answers at once and sends a message every 50 ms, so no deadline may fire on it.
class HealthyConnection
{
public:
    explicit HealthyConnection(const ClientOptions &options)
    {
        server.script = [this](Peer &peer) {
            WebSocket *ws = server.accept(peer);
            auto *timer = new QTimer(ws);
            QObject::connect(
                timer, &QTimer::timeout, ws, [ws] { ws->sendTextMessage(QStringLiteral("tick")); });
            timer->start(50);
        };
        errors = std::make_unique<QSignalSpy>(&client, &WebSocket::errorOccurred);
        connected = std::make_unique<QSignalSpy>(&client, &WebSocket::connected);
        client.open(server.url(), options);
    }

    // Open, no error so far, and still receiving; then a clean close.
    void verifyHealthyAndClose()
    {
        QVERIFY(connected->size() == 1 || connected->wait(waitMs));
        QVERIFY2(errors->isEmpty(), qPrintable(describe(*errors)));
        QCOMPARE(client.state(), WebSocket::State::Open);
        QSignalSpy texts(&client, &WebSocket::textMessageReceived);
        QVERIFY(texts.wait(waitMs));
        QSignalSpy closed(&client, &WebSocket::closed);
        client.close();
        QVERIFY(closed.wait(waitMs));
        QCOMPARE(closed.at(0).at(0).toInt(), 1000);
        QVERIFY2(errors->isEmpty(), qPrintable(describe(*errors)));
    }

    ScriptedServer server;
    WebSocket client;
    std::unique_ptr<QSignalSpy> errors;
    std::unique_ptr<QSignalSpy> connected;
};

// Every deadline short, so that a stall anywhere would show within the test.
ClientOptions shortTimeouts()
{
    ClientOptions options;
    options.proxy = QNetworkProxy(QNetworkProxy::NoProxy);
    options.timeouts.connect = 2'000ms;
    options.timeouts.request = 4'000ms;
    options.timeouts.responseHeader = 2'000ms;
    options.timeouts.writeIdle = 2'000ms;
    options.timeouts.readIdle = 2'000ms;
    options.timeouts.close = 2'000ms;
    return options;
}

// Opens client to url and waits for the single error; returns it.
WebSocketError openAndWaitForError(
    WebSocket &client, const QUrl &url, const ClientOptions &options, qint64 *elapsedMs = nullptr)
{
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QElapsedTimer timer;
    timer.start();
    client.open(url, options);
    if (!closed.wait(waitMs) && closed.isEmpty())
        return {};
    if (elapsedMs)
        *elapsedMs = timer.elapsed();
    return errors.isEmpty() ? WebSocketError() : errorAt(errors);
}

bool openAndWait(WebSocket &client, const QUrl &url, const ClientOptions &options)
{
    QSignalSpy connected(&client, &WebSocket::connected);
    client.open(url, options);
    return connected.wait(waitMs) || connected.size() == 1;
}

} // namespace

class tst_ClientOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // Timeouts, each against its own stalled peer.
    void connectTimeoutCoversTls();
    void responseHeaderTimeoutSilentServer();
    void readIdleTimeoutHalfHead();
    void writeIdleTimeoutPeerNeverReads();
    void requestTimeoutAcrossSlowRedirects();
    void readIdleTimeoutAfterUpgrade();
    void closeTimeoutNoCloseFrame();
    // Keepalive.
    void keepaliveDeadPeer();
    void keepaliveRoundTripTime();

    // Redirects.
    void redirectStatuses_data();
    void redirectStatuses();
    void redirectCrossOriginStripsCredentials();
    void redirectSameOriginKeepsHeaders();
    void redirectWithoutForwardingHeaders();
    void redirectLimit();
    void redirectsDisabled();
    void redirectLoop();
    void redirectDowngradeRefused();
    void redirectBlockingApi();
    // Cookies.
    void cookiesAcrossRedirectAnd101();
    void noCookieJar();

    // TLS.
    void tlsCustomCaAndPeerVerifyName();
    void tlsMinimumVersion();
    void tlsClientCertificate();
    void tlsOptOutWarns();
    void invalidOptions();

    // Proxy selection from the environment (the rules; the proxies themselves: interop).
    void noProxyMatching_data();
    void noProxyMatching();
    void proxyFromEnvironment();

private:
    std::unique_ptr<TestCertificates> m_certs;
};

void tst_ClientOptions::initTestCase()
{
    m_certs = std::make_unique<TestCertificates>();
}

// ---- timeouts ------------------------------------------------------------------------------

void tst_ClientOptions::connectTimeoutCoversTls()
{
    // A TCP server that accepts and never answers the TLS ClientHello.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    QList<QTcpSocket *> held;
    connect(&silent, &QTcpServer::pendingConnectionAvailable, this, [&] {
        while (QTcpSocket *socket = silent.nextPendingConnection())
            held.append(socket);
    });
    ClientOptions options = shortTimeouts();
    options.timeouts.connect = 400ms;
    HealthyConnection healthy(options);
    WebSocket client;
    qint64 elapsed = 0;
    const WebSocketError error = openAndWaitForError(
        client, QUrl(s("wss://127.0.0.1:%1/").arg(silent.serverPort())), options, &elapsed);
    QCOMPARE(error.kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(
        error.reason().contains(s("connect timeout after 400 ms")), qPrintable(error.reason()));
    QVERIFY(elapsed >= 390);
    QCOMPARE(held.size(), 1); // TCP was up: the TLS handshake is what stalled
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::responseHeaderTimeoutSilentServer()
{
    ScriptedServer server;
    server.script = [](Peer &) {}; // reads the request, never answers
    ClientOptions options = shortTimeouts();
    options.timeouts.responseHeader = 400ms;
    options.timeouts.readIdle = 0ms;
    HealthyConnection healthy(options);
    WebSocket client;
    qint64 elapsed = 0;
    const WebSocketError error = openAndWaitForError(client, server.url(), options, &elapsed);
    QCOMPARE(error.kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(error.reason().contains(s("response header timeout after 400 ms")),
        qPrintable(error.reason()));
    QVERIFY(elapsed >= 390);
    QCOMPARE(server.requests.size(), 1);
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::readIdleTimeoutHalfHead()
{
    // Half a head, then silence: the read-idle bound fires before the (longer) header bound.
    ScriptedServer server;
    server.script = [](Peer &peer) {
        peer.socket->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n");
    };
    ClientOptions options = shortTimeouts();
    options.timeouts.readIdle = 400ms;
    options.timeouts.responseHeader = 3'000ms;
    HealthyConnection healthy(options);
    WebSocket client;
    const WebSocketError error = openAndWaitForError(client, server.url(), options);
    QCOMPARE(error.kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(
        error.reason().contains(s("read idle timeout after 400 ms")), qPrintable(error.reason()));
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::writeIdleTimeoutPeerNeverReads()
{
    // The server reads (almost) nothing, so a 48 MiB handshake fills the socket buffers and the
    // write makes no progress.
    ScriptedServer server;
    server.onAccept = [](QTcpSocket *socket) {
        socket->setReadBufferSize(1);
        return false; // never parse: never read
    };
    ClientOptions options = shortTimeouts();
    options.timeouts.writeIdle = 400ms;
    options.timeouts.responseHeader = 0ms;
    options.timeouts.readIdle = 0ms;
    options.timeouts.request = 30'000ms;
    HealthyConnection healthy(options);
    options.headers.append("X-Big", QByteArray(48 * 1024 * 1024, 'a'));
    WebSocket client;
    QSignalSpy written(&client, &WebSocket::bytesWritten);
    const WebSocketError error = openAndWaitForError(client, server.url(), options);
    QCOMPARE(error.kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(
        error.reason().contains(s("write idle timeout after 400 ms")), qPrintable(error.reason()));
    QVERIFY(!written.isEmpty()); // it did write for a while
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::requestTimeoutAcrossSlowRedirects()
{
    // Each hop answers after 250 ms (under the response-header bound) with a redirect to the
    // next: the whole-request bound of 600 ms fires during the third hop.
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        const int n = peer.request.target.mid(1).toInt();
        QTimer::singleShot(250, peer.socket, [socket = peer.socket, n] {
            ScriptedServer::redirect(socket, 302, "/" + QByteArray::number(n + 1));
        });
    };
    ClientOptions options = shortTimeouts();
    options.timeouts.request = 600ms;
    options.timeouts.responseHeader = 400ms;
    HealthyConnection healthy(options);
    WebSocket client;
    qint64 elapsed = 0;
    const WebSocketError error
        = openAndWaitForError(client, server.url(s("/0")), options, &elapsed);
    QCOMPARE(error.kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(
        error.reason().contains(s("request timeout after 600 ms")), qPrintable(error.reason()));
    QVERIFY(elapsed >= 590);
    QVERIFY2(elapsed < 2'000, QByteArray::number(elapsed).constData());
    QCOMPARE(server.requests.size(), 3);
    QCOMPARE(client.url().path(), s("/2"));
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::readIdleTimeoutAfterUpgrade()
{
    ScriptedServer server;
    server.script = [](Peer &peer) { ScriptedServer::write101(peer.socket, peer.request); };
    ClientOptions options = shortTimeouts();
    options.timeouts.readIdle = 400ms;
    HealthyConnection healthy(options);
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(), options));
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(errorAt(errors).reason().contains(s("read idle timeout after 400 ms")),
        qPrintable(errorAt(errors).reason()));
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::closeTimeoutNoCloseFrame()
{
    // The server upgrades, then ignores everything, the client's close frame included.
    ScriptedServer server;
    server.script = [](Peer &peer) { ScriptedServer::write101(peer.socket, peer.request); };
    ClientOptions options = shortTimeouts();
    options.timeouts.readIdle = 0ms;
    options.timeouts.close = 400ms;
    HealthyConnection healthy(options);
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(), options));
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QElapsedTimer timer;
    timer.start();
    client.close();
    QVERIFY(closed.wait(waitMs));
    QVERIFY(timer.elapsed() >= 390);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::Timeout);
    QVERIFY2(errorAt(errors).reason().contains(s("close timeout after 400 ms")),
        qPrintable(errorAt(errors).reason()));
    healthy.verifyHealthyAndClose();
}

// ---- keepalive -----------------------------------------------------------------------------

void tst_ClientOptions::keepaliveDeadPeer()
{
    // Upgrades, then never reads again: pings go unanswered.
    ScriptedServer server;
    server.script = [](Peer &peer) {
        ScriptedServer::write101(peer.socket, peer.request);
        QObject::disconnect(peer.socket, &QTcpSocket::readyRead, nullptr, nullptr);
    };
    ClientOptions options = shortTimeouts();
    options.keepaliveInterval = 100ms;
    options.keepaliveTimeout = 300ms;
    HealthyConnection healthy(options);
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(), options));
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errorAt(errors).kind(), WebSocketError::Kind::KeepaliveTimeout);
    QVERIFY2(errorAt(errors).reason().contains(s("no pong within 300 ms")),
        qPrintable(errorAt(errors).reason()));
    QVERIFY(timer.elapsed() >= 390); // first ping after 100 ms, then 300 ms without a pong
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
    QCOMPARE(client.roundTripTime(), -1);
    // The healthy peer answered every ping meanwhile.
    QVERIFY(healthy.client.roundTripTime() >= 0);
    healthy.verifyHealthyAndClose();
}

void tst_ClientOptions::keepaliveRoundTripTime()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) { server.accept(peer); };
    ClientOptions options = shortTimeouts();
    options.keepaliveInterval = 100ms;
    options.keepaliveTimeout = 1'000ms;
    WebSocket client;
    QCOMPARE(client.roundTripTime(), -1);
    QSignalSpy rtt(&client, &WebSocket::roundTripTimeChanged);
    QSignalSpy pongs(&client, &WebSocket::pongReceived);
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QVERIFY(openAndWait(client, server.url(), options));
    QTRY_VERIFY_WITH_TIMEOUT(rtt.size() >= 3, waitMs);
    QVERIFY(client.roundTripTime() >= 0);
    QCOMPARE(rtt.last().at(0).toLongLong(), client.roundTripTime());
    QVERIFY(pongs.size() >= 3);
    QVERIFY(pongs.at(0).at(0).toByteArray().startsWith("qtws-keepalive-"));
    QCOMPARE(errors.size(), 0);
    // The property is readable through the meta-object too (QML).
    QCOMPARE(client.property("roundTripTime").toLongLong(), client.roundTripTime());
}

// ---- redirects -----------------------------------------------------------------------------

void tst_ClientOptions::redirectStatuses_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("absolute");
    for (int status : {301, 302, 303, 307, 308}) {
        QTest::addRow("%d relative Location is followed", status) << status << false;
        QTest::addRow("%d absolute http:// Location is followed as ws://", status)
            << status << true;
    }
}

void tst_ClientOptions::redirectStatuses()
{
    QFETCH(int, status);
    QFETCH(bool, absolute);
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        if (peer.request.target == "/start?x=1")
            ScriptedServer::redirect(peer.socket, status,
                absolute ? "http://127.0.0.1:" + QByteArray::number(server.port()) + "/final"
                         : QByteArray("final"));
        else
            server.accept(peer);
    };
    WebSocket client;
    QSignalSpy urls(&client, &WebSocket::urlChanged);
    ClientOptions options = shortTimeouts();
    QVERIFY(openAndWait(client, server.url(s("/start?x=1")), options));
    QCOMPARE(client.url(), server.url(s("/final")));
    QCOMPARE(urls.size(), 2);
    QCOMPARE(urls.last().at(0).toUrl(), server.url(s("/final")));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests.at(1).target, QByteArray("/final"));
    // A new key on every hop.
    QVERIFY(server.requests.at(0).headers.value("Sec-WebSocket-Key")
        != server.requests.at(1).headers.value("Sec-WebSocket-Key"));
    QCOMPARE(client.handshakeRequest().headers.value("Sec-WebSocket-Key"),
        server.requests.at(1).headers.value("Sec-WebSocket-Key"));
}

void tst_ClientOptions::redirectCrossOriginStripsCredentials()
{
    // Origin A (this port) redirects to origin B (another port): B must not see credentials.
    ScriptedServer final;
    final.script = [&](Peer &peer) { final.accept(peer); };
    ScriptedServer first;
    first.script = [&](Peer &peer) {
        ScriptedServer::redirect(peer.socket, 307, final.url(s("/b")).toEncoded());
    };
    ClientOptions options = shortTimeouts();
    options.headers = {{"Authorization", "Bearer secret"}, {"Cookie", "session=1"},
        {"Proxy-Authorization", "Basic eDp5"}, {"X-Custom", "kept"}};
    WebSocket client;
    QVERIFY(openAndWait(client, first.url(s("/a")), options));
    QCOMPARE(first.requests.size(), 1);
    QCOMPARE(first.requests.at(0).headers.value("Authorization"), QByteArray("Bearer secret"));
    QCOMPARE(first.requests.at(0).headers.value("Cookie"), QByteArray("session=1"));
    QCOMPARE(final.requests.size(), 1);
    const http::Headers &seen = final.requests.at(0).headers;
    QVERIFY(!seen.contains("Authorization"));
    QVERIFY(!seen.contains("Cookie"));
    QVERIFY(!seen.contains("Proxy-Authorization"));
    QCOMPARE(seen.value("X-Custom"), QByteArray("kept"));
    QCOMPARE(client.url(), final.url(s("/b")));

    // URL userinfo becomes Authorization on the first hop only.
    WebSocket second;
    QUrl withUser = first.url(s("/a"));
    withUser.setUserInfo(s("user:pw"));
    options.headers = {};
    QVERIFY(openAndWait(second, withUser, options));
    QCOMPARE(first.requests.size(), 2);
    QVERIFY(first.requests.at(1).headers.value("Authorization").startsWith("Basic "));
    QCOMPARE(final.requests.size(), 2);
    QVERIFY(!final.requests.at(1).headers.contains("Authorization"));
}

void tst_ClientOptions::redirectSameOriginKeepsHeaders()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        if (peer.request.target == "/a")
            ScriptedServer::redirect(peer.socket, 301, "/b");
        else
            server.accept(peer);
    };
    ClientOptions options = shortTimeouts();
    options.headers = {{"Authorization", "Bearer secret"}, {"X-Custom", "kept"}};
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(s("/a")), options));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests.at(1).headers.value("Authorization"), QByteArray("Bearer secret"));
    QCOMPARE(server.requests.at(1).headers.value("X-Custom"), QByteArray("kept"));
}

void tst_ClientOptions::redirectWithoutForwardingHeaders()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        if (peer.request.target == "/a")
            ScriptedServer::redirect(peer.socket, 302, "/b");
        else
            server.accept(peer);
    };
    ClientOptions options = shortTimeouts();
    options.headers = {{"X-Custom", "first hop only"}};
    options.forwardHeadersOnRedirect = false;
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(s("/a")), options));
    QCOMPARE(server.requests.size(), 2);
    QCOMPARE(server.requests.at(0).headers.value("X-Custom"), QByteArray("first hop only"));
    QVERIFY(!server.requests.at(1).headers.contains("X-Custom"));
    // The WebSocket fields are there on every hop.
    QVERIFY(isUpgrade(server.requests.at(1)));
}

void tst_ClientOptions::redirectLimit()
{
    // /0 → /1 → /2 → /3 ...; with maxRedirects 2 the third redirect is refused.
    ScriptedServer server;
    server.script = [](Peer &peer) {
        const int n = peer.request.target.mid(1).toInt();
        ScriptedServer::redirect(peer.socket, 302, "/" + QByteArray::number(n + 1));
    };
    ClientOptions options = shortTimeouts();
    options.maxRedirects = 2;
    WebSocket client;
    const WebSocketError error = openAndWaitForError(client, server.url(s("/0")), options);
    QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
    QCOMPARE(error.httpStatus(), 302);
    QVERIFY2(error.reason().contains(s("more than 2 redirects")), qPrintable(error.reason()));
    QVERIFY2(error.reason().contains(s("/2")), qPrintable(error.reason()));
    QCOMPARE(server.requests.size(), 3);
}

void tst_ClientOptions::redirectsDisabled()
{
    ScriptedServer server;
    server.script = [](Peer &peer) { ScriptedServer::redirect(peer.socket, 301, "/elsewhere"); };
    ClientOptions options = shortTimeouts();
    options.maxRedirects = 0;
    WebSocket client;
    const WebSocketError error = openAndWaitForError(client, server.url(s("/")), options);
    QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
    QCOMPARE(error.httpStatus(), 301);
    QCOMPARE(server.requests.size(), 1);
}

void tst_ClientOptions::redirectLoop()
{
    ScriptedServer server;
    server.script = [](Peer &peer) {
        ScriptedServer::redirect(peer.socket, 302, peer.request.target == "/a" ? "/b" : "/a");
    };
    WebSocket client;
    const WebSocketError error = openAndWaitForError(client, server.url(s("/a")), shortTimeouts());
    QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
    QVERIFY2(error.reason().contains(s("redirect loop")), qPrintable(error.reason()));
    const QString a = server.url(s("/a")).toDisplayString();
    const QString b = server.url(s("/b")).toDisplayString();
    QVERIFY2(error.reason().contains(a + s(" → ") + b + s(" → ") + a), qPrintable(error.reason()));
    QCOMPARE(server.requests.size(), 2);
}

void tst_ClientOptions::redirectDowngradeRefused()
{
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    ScriptedServer plain;
    plain.script = [&](Peer &peer) { plain.accept(peer); };
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(m_certs->server().certificate);
    serverTls.setPrivateKey(m_certs->server().key);
    ScriptedServer secure(serverTls);
    secure.script = [&](Peer &peer) {
        ScriptedServer::redirect(peer.socket, 302, plain.url(s("/plain")).toEncoded());
    };
    ClientOptions options = shortTimeouts();
    options.caCertificates = {m_certs->ca().certificate};
    {
        WebSocket client;
        const WebSocketError error = openAndWaitForError(client, secure.url(), options);
        QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
        QVERIFY2(error.reason().contains(s("insecure redirect")), qPrintable(error.reason()));
        QCOMPARE(plain.requests.size(), 0);
    }
    {
        options.allowInsecureRedirects = true;
        WebSocket client;
        QVERIFY(openAndWait(client, secure.url(), options));
        QCOMPARE(client.url(), plain.url(s("/plain")));
        QCOMPARE(plain.requests.size(), 1);
    }
}

void tst_ClientOptions::redirectBlockingApi()
{
    // The blocking API forwards the same options. qtws::open blocks this thread, so the server
    // runs on its own.
    QThread thread;
    auto *server = new ScriptedServer;
    server->script = [server](Peer &peer) {
        if (peer.request.target == "/a")
            ScriptedServer::redirect(peer.socket, 308, "/b");
        else
            server->accept(peer);
    };
    server->moveToThread(&thread);
    thread.start();
    const auto stopServer = qScopeGuard([&] {
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
        thread.quit();
        thread.wait();
    });
    ClientOptions options = shortTimeouts();
    {
        BlockingWebSocket ws = qtws::open(server->url(s("/a")), options);
        ws.close();
    }
    options.maxRedirects = 0;
    bool threw = false;
    try {
        (void)qtws::open(server->url(s("/a")), options);
    } catch (const WebSocketError &error) {
        threw = true;
        QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
        QCOMPARE(error.httpStatus(), 308);
    }
    QVERIFY(threw);
    int requests = 0;
    QMetaObject::invokeMethod(
        server, [&] { requests = int(server->requests.size()); }, Qt::BlockingQueuedConnection);
    QCOMPARE(requests, 3); // /a and /b, then /a refused
}

// ---- cookies -------------------------------------------------------------------------------

void tst_ClientOptions::cookiesAcrossRedirectAnd101()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        if (peer.request.target == "/login")
            ScriptedServer::redirect(
                peer.socket, 302, "/ws", "Set-Cookie: session=abc; Path=/\r\n");
        else
            server.acceptWithHeaders(peer, {{"Set-Cookie", "seen=yes; Path=/"}});
    };
    QNetworkCookieJar jar;
    ClientOptions options = shortTimeouts();
    options.cookieJar = &jar;
    options.headers = {{"Cookie", "mine=1"}};
    {
        WebSocket client;
        QVERIFY(openAndWait(client, server.url(s("/login")), options));
        QCOMPARE(server.requests.size(), 2);
        QCOMPARE(server.requests.at(0).headers.value("Cookie"), QByteArray("mine=1"));
        // The redirect hop's cookie went to the next hop, beside the caller's.
        QCOMPARE(server.requests.at(1).headers.value("Cookie"), QByteArray("mine=1; session=abc"));
    }
    // The 101's cookie was stored too (under http://, shared with QNetworkAccessManager).
    const QList<QNetworkCookie> stored
        = jar.cookiesForUrl(QUrl(s("http://127.0.0.1:%1/").arg(server.port())));
    QCOMPARE(stored.size(), 2);
    {
        WebSocket client;
        options.headers = {};
        QVERIFY(openAndWait(client, server.url(s("/ws")), options));
        QCOMPARE(server.requests.size(), 3);
        const QByteArray cookie = server.requests.at(2).headers.value("Cookie");
        QVERIFY2(cookie.contains("session=abc") && cookie.contains("seen=yes"), cookie.constData());
    }
}

void tst_ClientOptions::noCookieJar()
{
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        if (peer.request.target == "/login")
            ScriptedServer::redirect(peer.socket, 302, "/ws", "Set-Cookie: session=abc\r\n");
        else
            server.accept(peer);
    };
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(s("/login")), shortTimeouts()));
    QCOMPARE(server.requests.size(), 2);
    QVERIFY(!server.requests.at(1).headers.contains("Cookie"));
}

// ---- TLS -----------------------------------------------------------------------------------

void tst_ClientOptions::tlsCustomCaAndPeerVerifyName()
{
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(m_certs->wrongHost().certificate);
    serverTls.setPrivateKey(m_certs->wrongHost().key);
    ScriptedServer server(serverTls);
    server.script = [&](Peer &peer) { server.accept(peer); };
    ClientOptions options = shortTimeouts();
    // Without the CA: verification fails, and the TLS errors are in the error.
    {
        WebSocket client;
        const WebSocketError error = openAndWaitForError(client, server.url(), options);
        QCOMPARE(error.kind(), WebSocketError::Kind::TlsFailed);
        QCOMPARE(error.closeCode(), 1015);
        QVERIFY2(error.reason().contains(s("issuer"), Qt::CaseInsensitive)
                || error.reason().contains(s("self"), Qt::CaseInsensitive),
            qPrintable(error.reason()));
    }
    options.caCertificates = {m_certs->ca().certificate};
    // With the CA, but 127.0.0.1 is not the certificate's name.
    {
        WebSocket client;
        const WebSocketError error = openAndWaitForError(client, server.url(), options);
        QCOMPARE(error.kind(), WebSocketError::Kind::TlsFailed);
        QVERIFY2(error.reason().contains(s("host name"), Qt::CaseInsensitive),
            qPrintable(error.reason()));
    }
    // peerVerifyName: the name the certificate is for.
    {
        options.peerVerifyName = s("wrong.host.invalid");
        WebSocket client;
        QVERIFY(openAndWait(client, server.url(), options));
        QCOMPARE(client.state(), WebSocket::State::Open);
    }
}

void tst_ClientOptions::tlsMinimumVersion()
{
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(m_certs->server().certificate);
    serverTls.setPrivateKey(m_certs->server().key);
    serverTls.setProtocol(QSsl::TlsV1_2); // this server speaks TLS 1.2 only
    ScriptedServer server(serverTls);
    server.script = [&](Peer &peer) { server.accept(peer); };
    ClientOptions options = shortTimeouts();
    options.caCertificates = {m_certs->ca().certificate};
    {
        options.minimumTlsVersion = QSsl::TlsV1_2OrLater;
        WebSocket client;
        QVERIFY(openAndWait(client, server.url(), options));
    }
    {
        options.minimumTlsVersion = QSsl::TlsV1_3OrLater;
        WebSocket client;
        const WebSocketError error = openAndWaitForError(client, server.url(), options);
        QCOMPARE(error.kind(), WebSocketError::Kind::TlsFailed);
    }
}

void tst_ClientOptions::tlsClientCertificate()
{
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    const QString unavailable = PeerProcess::unavailableReason(PeerKind::Python);
    if (!unavailable.isEmpty())
        QSKIP(qPrintable(unavailable));
    // The python peer with --ca requires a client certificate signed by that CA.
    PeerProcess server(PeerKind::Python);
    QVERIFY2(
        server.startServer({s("--mode"), s("echo"), s("--cert"), m_certs->server().certificatePath,
            s("--key"), m_certs->server().keyPath, s("--ca"), m_certs->ca().certificatePath}),
        qPrintable(server.diagnostics()));
    const QUrl url = server.url(s("/"), true);
    ClientOptions options = shortTimeouts();
    options.caCertificates = {m_certs->ca().certificate};
    {
        options.clientCertificate = m_certs->client().certificate;
        options.clientKey = m_certs->client().key;
        WebSocket client;
        QVERIFY(openAndWait(client, url, options));
        QSignalSpy texts(&client, &WebSocket::textMessageReceived);
        client.sendTextMessage(s("with a client certificate"));
        QVERIFY(texts.wait(waitMs));
        QCOMPARE(texts.at(0).at(0).toString(), s("with a client certificate"));
    }
    {
        options.clientCertificate = QSslCertificate();
        options.clientKey = QSslKey();
        WebSocket client;
        QSignalSpy connected(&client, &WebSocket::connected);
        const WebSocketError error = openAndWaitForError(client, url, options);
        QCOMPARE(connected.size(), 0);
        // With TLS 1.3 the server refuses after the client's side of the handshake finished:
        // the client sees the connection end before any response (python closes without an
        // alert Qt reports), so the kind may be ConnectionFailed rather than TlsFailed.
        QVERIFY2(error.kind() == WebSocketError::Kind::TlsFailed
                || error.kind() == WebSocketError::Kind::ConnectionFailed,
            qPrintable(error.toString()));
        QCOMPARE(error.closeCode() == 1015 || error.closeCode() == 1006, true);
    }
}

void tst_ClientOptions::tlsOptOutWarns()
{
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(m_certs->wrongHost().certificate);
    serverTls.setPrivateKey(m_certs->wrongHost().key);
    ScriptedServer server(serverTls);
    server.script = [&](Peer &peer) { server.accept(peer); };
    ClientOptions options = shortTimeouts();
    options.insecureSkipTlsVerification = true;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("verification is OFF")));
    WebSocket client;
    QVERIFY(openAndWait(client, server.url(), options));
    QCOMPARE(client.state(), WebSocket::State::Open);
}

void tst_ClientOptions::invalidOptions()
{
    const auto check = [](const ClientOptions &options, const QString &expected) {
        WebSocket client;
        const WebSocketError error
            = openAndWaitForError(client, QUrl(s("ws://127.0.0.1:9/")), options);
        QCOMPARE(error.kind(), WebSocketError::Kind::InvalidOptions);
        QVERIFY2(error.reason().contains(expected), qPrintable(error.reason()));
    };
    ClientOptions options;
    options.maxRedirects = -1;
    check(options, s("maxRedirects"));
    options = {};
    options.clientCertificate = m_certs->client().certificate;
    check(options, s("clientKey"));
    options = {};
    options.minimumTlsVersion = QSsl::AnyProtocol;
    check(options, s("minimumTlsVersion"));
    options = {};
    options.proxy = QNetworkProxy(QNetworkProxy::HttpCachingProxy, s("127.0.0.1"), 1);
    check(options, s("proxy"));
}

// ---- proxy selection -----------------------------------------------------------------------

void tst_ClientOptions::noProxyMatching_data()
{
    QTest::addColumn<QString>("noProxy");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("bypass");
    QTest::newRow("* bypasses everything") << s("*") << s("example.com") << 80 << true;
    QTest::newRow("exact host") << s("example.com") << s("example.com") << 80 << true;
    QTest::newRow("host is case-insensitive") << s("Example.COM") << s("example.com") << 80 << true;
    QTest::newRow("subdomain of a listed host")
        << s("example.com") << s("a.b.example.com") << 443 << true;
    QTest::newRow("leading dot matches subdomains")
        << s(".example.com") << s("ws.example.com") << 80 << true;
    QTest::newRow("leading dot matches the domain itself")
        << s(".example.com") << s("example.com") << 80 << true;
    QTest::newRow("*.domain form") << s("*.example.com") << s("x.example.com") << 80 << true;
    QTest::newRow("suffix without a dot boundary is no match")
        << s("example.com") << s("badexample.com") << 80 << false;
    QTest::newRow("other host") << s("example.com") << s("example.org") << 80 << false;
    QTest::newRow("list with spaces and commas")
        << s("foo.org, bar.net  example.com") << s("example.com") << 80 << true;
    QTest::newRow("port given and equal")
        << s("example.com:8080") << s("example.com") << 8080 << true;
    QTest::newRow("port given and different")
        << s("example.com:8080") << s("example.com") << 80 << false;
    QTest::newRow("IPv4 address") << s("127.0.0.1") << s("127.0.0.1") << 80 << true;
    QTest::newRow("IPv4 CIDR") << s("10.0.0.0/8") << s("10.1.2.3") << 80 << true;
    QTest::newRow("IPv4 CIDR, outside") << s("10.0.0.0/8") << s("11.1.2.3") << 80 << false;
    QTest::newRow("bracketed IPv6 with port") << s("[::1]:9000") << s("::1") << 9000 << true;
    QTest::newRow("bare IPv6") << s("::1") << s("[::1]") << 80 << true;
    QTest::newRow("empty list") << s("") << s("example.com") << 80 << false;
}

void tst_ClientOptions::noProxyMatching()
{
    QFETCH(QString, noProxy);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(bool, bypass);
    QCOMPARE(transport::noProxyMatches(noProxy, host, quint16(port)), bypass);
}

void tst_ClientOptions::proxyFromEnvironment()
{
    QHash<QByteArray, QByteArray> env;
    const auto lookup = [&env](const char *name) { return env.value(QByteArray(name)); };
    const auto pick = [&](const char *host, bool secure) {
        return transport::proxyFromEnvironment(s(host), secure ? 443 : 80, secure, lookup);
    };

    QCOMPARE(pick("example.com", false).proxy.type(), QNetworkProxy::NoProxy);

    env["HTTP_PROXY"] = "http://upper:3128";
    env["http_proxy"] = "http://user:p%40ss@lower:3129";
    transport::ProxySelection chosen = pick("example.com", false);
    QVERIFY(chosen.ok());
    QCOMPARE(chosen.source, s("http_proxy")); // lower case wins
    QCOMPARE(chosen.proxy.type(), QNetworkProxy::HttpProxy);
    QCOMPARE(chosen.proxy.hostName(), s("lower"));
    QCOMPARE(chosen.proxy.port(), 3129);
    QCOMPARE(chosen.proxy.user(), s("user"));
    QCOMPARE(chosen.proxy.password(), s("p@ss"));
    QVERIFY(chosen.proxy.capabilities() & QNetworkProxy::HostNameLookupCapability);
    env.remove("http_proxy");
    QCOMPARE(pick("example.com", false).proxy.hostName(), s("upper"));

    // wss uses https_proxy; without it, all_proxy.
    QCOMPARE(pick("example.com", true).proxy.type(), QNetworkProxy::NoProxy);
    env["ALL_PROXY"] = "socks5h://socks:1081";
    chosen = pick("example.com", true);
    QCOMPARE(chosen.source, s("ALL_PROXY"));
    QCOMPARE(chosen.proxy.type(), QNetworkProxy::Socks5Proxy);
    QCOMPARE(chosen.proxy.port(), 1081);
    env["https_proxy"] = "proxy.example:8443"; // no scheme: http
    chosen = pick("example.com", true);
    QCOMPARE(chosen.proxy.type(), QNetworkProxy::HttpProxy);
    QCOMPARE(chosen.proxy.hostName(), s("proxy.example"));
    QCOMPARE(chosen.proxy.port(), 8443);
    env["https_proxy"] = "socks5://s";
    QCOMPARE(pick("example.com", true).proxy.port(), 1080); // the SOCKS default port

    // no_proxy, either case.
    env["NO_PROXY"] = "example.com";
    QCOMPARE(pick("ws.example.com", true).proxy.type(), QNetworkProxy::NoProxy);
    QCOMPARE(pick("example.org", true).proxy.type(), QNetworkProxy::Socks5Proxy);
    env["no_proxy"] = "example.org"; // lower case wins here too
    QCOMPARE(pick("example.org", true).proxy.type(), QNetworkProxy::NoProxy);
    QCOMPARE(pick("example.com", true).proxy.type(), QNetworkProxy::Socks5Proxy);

    // An unusable proxy URL is an error naming the variable.
    env["https_proxy"] = "https://secure-proxy:443";
    chosen = pick("example.net", true);
    QVERIFY(!chosen.ok());
    QVERIFY2(chosen.error.contains(s("https_proxy")), qPrintable(chosen.error));
}

QTEST_MAIN(tst_ClientOptions)
#include "tst_client_options.moc"
