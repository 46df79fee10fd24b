// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/websocket_p.h"

#include "badframes.h"

#include <QtWs/blocking.h>
#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace qtws;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 10'000; // every wait is bounded; generous for sanitizer builds
constexpr std::chrono::milliseconds wait{waitMs};

// What a server-side WebSocket saw, recorded in the server thread, read in the test thread.
struct Recorder
{
    std::mutex mutex;
    std::condition_variable changed;
    QList<Message> messages;
    int pongs = 0;
    bool closed = false;
    int closeCode = 0;
    QString closeReason;

    void attach(WebSocket *ws)
    {
        QObject::connect(ws, &WebSocket::textMessageReceived, ws,
            [this](const QString &text) { record([&] { messages.append(Message(text)); }); });
        QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
            [this](const QByteArray &data) { record([&] { messages.append(Message(data)); }); });
        QObject::connect(ws, &WebSocket::pongReceived, ws, [this] { record([&] { ++pongs; }); });
        QObject::connect(ws, &WebSocket::closed, ws, [this](int code, const QString &reason) {
            record([&] {
                closed = true;
                closeCode = code;
                closeReason = reason;
            });
        });
    }
    void record(const std::function<void()> &change)
    {
        {
            std::lock_guard lock(mutex);
            change();
        }
        changed.notify_all();
    }
    // Waits (bounded) until done() holds, evaluated under the lock.
    bool waitUntil(const std::function<bool()> &done)
    {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, wait, done);
    }
    template<typename T>
    T read(const std::function<T()> &get)
    {
        std::lock_guard lock(mutex);
        return get();
    }
};

// A connection whose request head has arrived (server thread).
struct Peer
{
    QTcpSocket *socket = nullptr;
    http::Request request;
    QByteArray leftover;
};

// An in-test server living in its own thread, so that the test thread can block in the API
// under test: reads each request head with the project's HTTP parser, then runs the script,
// which answers (a 101 and a server-side WebSocket, a refusal...) in the server thread.
class ScriptedServer : public QObject
{
public:
    std::function<void(ScriptedServer &, Peer &)> script;
    QList<QPointer<WebSocket>> adopted;

    void listen()
    {
        m_server = new QTcpServer(this);
        const bool listening = m_server->listen(QHostAddress::LocalHost);
        Q_ASSERT(listening);
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server->nextPendingConnection())
                startReading(socket);
        });
    }
    quint16 port() const { return m_server->serverPort(); }

    // Answers with a 101 and hands the socket to a server-side WebSocket.
    WebSocket *accept(Peer &peer)
    {
        const handshake::ClientRequestCheckResult check
            = handshake::checkClientRequest(peer.request);
        Q_ASSERT(check.ok());
        handshake::AcceptResponseSpec accept;
        accept.key = check.key;
        const handshake::AcceptResponseBuildResult built = handshake::buildAcceptResponse(accept);
        peer.socket->write(built.response.serialize());
        ServerSideSpec spec;
        spec.socket = peer.socket;
        spec.leftover = peer.leftover;
        spec.request = peer.request;
        spec.response = built.response;
        WebSocket *ws = WebSocketPrivate::createServerSide(std::move(spec), this);
        adopted.append(ws);
        return ws;
    }

private:
    void startReading(QTcpSocket *socket)
    {
        socket->setParent(this);
        auto parser = std::make_shared<http::Parser>(http::Parser::Mode::Request);
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(socket, &QTcpSocket::readyRead, this, [=, this] {
            const QByteArray data = socket->readAll();
            const qsizetype used = parser->feed(data);
            if (parser->state() != http::Parser::State::MessageComplete)
                return;
            disconnect(*connection);
            Peer peer{socket, parser->takeRequest(), data.mid(used)};
            if (script)
                script(*this, peer);
        });
    }

    QTcpServer *m_server = nullptr;
};

// Owns the server thread; run() executes a functor there and waits for it.
class ServerThread
{
public:
    explicit ServerThread(std::function<void(ScriptedServer &, Peer &)> script)
    {
        m_thread.setObjectName(QStringLiteral("test server"));
        m_thread.start();
        m_server = new ScriptedServer;
        m_server->script = std::move(script);
        m_server->moveToThread(&m_thread);
        run([this] { m_server->listen(); });
    }
    ~ServerThread()
    {
        run([this] { delete m_server; });
        m_thread.quit();
        m_thread.wait();
    }
    void run(const std::function<void()> &f)
    {
        QMetaObject::invokeMethod(
            m_server, [&f] { f(); }, Qt::BlockingQueuedConnection);
    }
    QUrl url()
    {
        quint16 port = 0;
        run([&] { port = m_server->port(); });
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port));
    }
    // The adopted WebSocket's bufferedAmount (server thread).
    qint64 bufferedAmount(int index = 0)
    {
        qint64 amount = -1;
        run([&] {
            if (m_server->adopted.size() > index && m_server->adopted.at(index))
                amount = m_server->adopted.at(index)->bufferedAmount();
        });
        return amount;
    }

private:
    QThread m_thread;
    ScriptedServer *m_server = nullptr;
};

// Server scripts.
std::function<void(ScriptedServer &, Peer &)> echoing(std::shared_ptr<Recorder> recorder)
{
    return [recorder](ScriptedServer &server, Peer &peer) {
        WebSocket *ws = server.accept(peer);
        recorder->attach(ws);
        QObject::connect(ws, &WebSocket::textMessageReceived, ws,
            [ws](const QString &text) { ws->sendTextMessage(text); });
        QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
            [ws](const QByteArray &data) { ws->sendBinaryMessage(data); });
    };
}

// Accepts, records, then runs then(ws, socket) at once (server thread).
std::function<void(ScriptedServer &, Peer &)> accepting(
    std::shared_ptr<Recorder> recorder, std::function<void(WebSocket *, QTcpSocket *)> then = {})
{
    return [recorder, then](ScriptedServer &server, Peer &peer) {
        QTcpSocket *socket = peer.socket;
        WebSocket *ws = server.accept(peer);
        recorder->attach(ws);
        if (then)
            then(ws, socket);
    };
}

QByteArray indexedPayload(int index, int size)
{
    QByteArray payload(size, char('a' + index % 26));
    payload[0] = char(index >> 8);
    payload[1] = char(index & 0xff);
    return payload;
}

int payloadIndex(const QByteArray &payload)
{
    return (quint8(payload.at(0)) << 8) | quint8(payload.at(1));
}

} // namespace

class tst_Blocking : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void pingAndPong();
    void receiveAfterPeerClosedReturnsBufferedMessagesFirst();
    void receiveTimeout();
    void openWithFunctionClosesWith1000WhenFReturns();
    void openWithFunctionClosesWith1000WhenFThrows();
    void openWithFunctionEndsNormallyOnPeersNormalClose();
    void openWithFunctionKeepsTheProtocolErrorCode();
    void messagesBeforeABadFrameAreReceivedFirst_data();
    void messagesBeforeABadFrameAreReceivedFirst();
    void rangeForEndsOnNormalClose();
    void rangeForThrowsOnAbnormalClose_data();
    void rangeForThrowsOnAbnormalClose();
    void refusedHandshakeThrowsWithStatusAndBody();
    void connectionRefusedThrows();
    void invalidArgumentsThrow();
    void concurrentSendersDoNotInterleave();
    void backpressureBoundsTheQueue_data();
    void backpressureBoundsTheQueue();
    void peerClosesWhileReadingIsPaused();
    void fromThreadWithoutEventLoop();
    void fromInsideARunningEventLoop();
    void asyncReadPausedHoldsMessagesAndEnd();
};

void tst_Blocking::roundTrip()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    BlockingWebSocket ws = qtws::open(server.url());
    QVERIFY(ws.isOpen());
    QCOMPARE(ws.handshakeResponse().status, 101);
    QCOMPARE(ws.url(), server.url());

    QCOMPARE(ws.send(QStringLiteral("h\u00e9llo")), qint64(6));
    const Message text = ws.receive();
    QVERIFY(text.isText());
    QCOMPARE(text.text(), QStringLiteral("h\u00e9llo"));
    QCOMPARE(text.data(), QStringLiteral("h\u00e9llo").toUtf8());

    QCOMPARE(ws.send(QByteArray("\x00\x01\xff", 3)), qint64(3));
    const Message binary = ws.receive();
    QVERIFY(binary.isBinary());
    QCOMPARE(binary.data(), QByteArray("\x00\x01\xff", 3));

    // Fragmented sends arrive as one message each.
    QCOMPARE(ws.send(QStringList{QStringLiteral("ab"), QString(), QStringLiteral("c")}), qint64(3));
    QCOMPARE(ws.send(QList<QByteArray>{"de", "f"}), qint64(3));
    QCOMPARE(ws.receive().text(), QStringLiteral("abc"));
    const Message fragmented = ws.receive();
    QVERIFY(fragmented.isBinary());
    QCOMPARE(fragmented.data(), QByteArray("def"));
    QVERIFY(recorder->waitUntil([&] { return recorder->messages.size() == 4; }));
    QCOMPARE(recorder->read<Message>([&] { return recorder->messages.at(2); }),
        Message(QStringLiteral("abc")));

    QVERIFY(!ws.isReady());
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::NoError);
    ws.close(CloseCode::Normal, QStringLiteral("done"));
    QVERIFY(!ws.isOpen());
    QCOMPARE(ws.closeCode(), 1000);
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::Closed);
    QVERIFY(ws.error().isNormal());
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1000);
    QCOMPARE(
        recorder->read<QString>([&] { return recorder->closeReason; }), QStringLiteral("done"));

    // Closed: receive and send throw how it ended; close again does nothing.
    try {
        ws.receive();
        QFAIL("receive after close did not throw");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::Closed);
        QCOMPARE(error.closeCode(), 1000);
    }
    QVERIFY_THROWS_EXCEPTION(WebSocketError, ws.send(QStringLiteral("late")));
    ws.close();
}

void tst_Blocking::pingAndPong()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    BlockingWebSocket ws = qtws::open(server.url());
    const std::optional<std::chrono::milliseconds> roundTrip = ws.ping("rtt?", wait);
    QVERIFY(roundTrip);
    QVERIFY(roundTrip->count() >= 0);
    QVERIFY(roundTrip->count() < waitMs);
    ws.ping();
    ws.pong("heartbeat");
    QVERIFY(recorder->waitUntil([&] { return recorder->pongs == 1; }));
    QVERIFY_THROWS_EXCEPTION(WebSocketError, ws.ping(QByteArray(126, 'x')));
}

void tst_Blocking::receiveAfterPeerClosedReturnsBufferedMessagesFirst()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *ws, QTcpSocket *) {
        ws->sendTextMessage(QStringLiteral("one"));
        ws->sendTextMessage(QStringLiteral("two"));
        ws->sendBinaryMessage("three");
        ws->close(CloseCode(4000), QStringLiteral("bye"));
    }));
    BlockingWebSocket ws = qtws::open(server.url());
    // The whole exchange, close handshake included, is over before the first receive().
    QVERIFY(QTest::qWaitFor(
        [&] { return ws.error().kind() != WebSocketError::Kind::NoError; }, waitMs));
    QVERIFY(!ws.isOpen());
    QVERIFY(ws.isReady());
    QCOMPARE(ws.bufferedMessages(), 3);
    QCOMPARE(ws.receive().text(), QStringLiteral("one"));
    QCOMPARE(ws.receive().text(), QStringLiteral("two"));
    const Message third = ws.receive();
    QVERIFY(third.isBinary());
    QCOMPARE(third.data(), QByteArray("three"));
    for (int attempt = 0; attempt < 2; ++attempt) {
        try {
            ws.receive(wait);
            QFAIL("receive after the buffered messages did not throw");
        } catch (const WebSocketError &error) {
            QCOMPARE(error.kind(), WebSocketError::Kind::ClosedByPeer);
            QCOMPARE(error.closeCode(), 4000);
            QCOMPARE(error.reason(), QStringLiteral("bye"));
            QVERIFY(!error.isNormal());
        }
    }
    QCOMPARE(ws.closeCode(), 4000);
}

void tst_Blocking::receiveTimeout()
{
    auto recorder = std::make_shared<Recorder>();
    QPointer<WebSocket> serverSide;
    ServerThread server(accepting(recorder, [&](WebSocket *ws, QTcpSocket *) { serverSide = ws; }));
    BlockingWebSocket ws = qtws::open(server.url());

    QVERIFY(!ws.receive(0ms));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(!ws.receive(100ms));
    QVERIFY2(timer.elapsed() >= 100, QByteArray::number(timer.elapsed()).constData());
    QVERIFY(ws.isOpen()); // a timeout does not affect the connection

    server.run([&] { serverSide->sendTextMessage(QStringLiteral("late")); });
    const std::optional<Message> late = ws.receive(wait);
    QVERIFY(late);
    QCOMPARE(late->text(), QStringLiteral("late"));
}

void tst_Blocking::openWithFunctionClosesWith1000WhenFReturns()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    const int result = qtws::open(server.url(), [](BlockingWebSocket &ws) {
        ws.send(QStringLiteral("hi"));
        return ws.receive().text() == QStringLiteral("hi") ? 42 : -1;
    });
    QCOMPARE(result, 42);
    // open(f) waited for the close handshake; the server's WebSocket ends once the client's FIN
    // answered its own (half-close, RFC 6455 §7.1.1), which can be just after open(f) returned.
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1000);
    QCOMPARE(recorder->read<qsizetype>([&] { return recorder->messages.size(); }), 1);
}

void tst_Blocking::openWithFunctionClosesWith1000WhenFThrows()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    bool called = false;
    try {
        qtws::open(server.url(), [&](BlockingWebSocket &ws) {
            called = true;
            ws.send(QStringLiteral("before the throw"));
            throw std::runtime_error("boom");
        });
        QFAIL("open(f) swallowed f's exception");
    } catch (const std::runtime_error &error) {
        QCOMPARE(QByteArray(error.what()), QByteArray("boom"));
    }
    QVERIFY(called);
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; })); // as in ...WhenFReturns
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1000);
    QCOMPARE(recorder->read<qsizetype>([&] { return recorder->messages.size(); }), 1);
}

void tst_Blocking::openWithFunctionEndsNormallyOnPeersNormalClose()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *ws, QTcpSocket *) {
        ws->sendTextMessage(QStringLiteral("only"));
        ws->close(CloseCode::GoingAway);
    }));
    QStringList seen;
    // f lets the peer's normal close escape from receive(): open(f) returns normally.
    qtws::open(server.url(), [&](BlockingWebSocket &ws) {
        for (;;)
            seen.append(ws.receive().text());
    });
    QCOMPARE(seen, QStringList{QStringLiteral("only")});
}

void tst_Blocking::openWithFunctionKeepsTheProtocolErrorCode()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *, QTcpSocket *socket) {
        // RFC 6455 §5.2: opcode 0x3 is reserved; the client must fail with 1002.
        socket->write(QByteArray("\x83\x00", 2));
    }));
    try {
        qtws::open(server.url(), [](BlockingWebSocket &ws) { ws.receive(); });
        QFAIL("a protocol error did not propagate");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::ProtocolError);
        QCOMPARE(error.closeCode(), 1002);
    }
    // The 1002 the I/O thread sent stands: open(f) did not replace it with 1000.
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1002);
}

void tst_Blocking::messagesBeforeABadFrameAreReceivedFirst_data()
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<int>("closeCode");
    for (const qtws::test::BadFrameCase &badCase : qtws::test::badFrameCases())
        QTest::newRow(badCase.name)
            << qtws::test::badFrameBytes(badCase, false) << int(badCase.closeCode);
}

// The messages that came before a protocol error are returned by receive(), in order and the
// U+FEFF of a text kept; only then does receive() throw the error with its close code.
void tst_Blocking::messagesBeforeABadFrameAreReceivedFirst()
{
    QFETCH(QByteArray, bad);
    QFETCH(int, closeCode);
    QByteArray bytes;
    for (const qtws::test::RawFrame &frame : qtws::test::validMessagesBeforeTheBadFrame())
        bytes += qtws::test::rawFrame(frame, false);
    bytes += bad;
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(
        accepting(recorder, [bytes](WebSocket *, QTcpSocket *socket) { socket->write(bytes); }));
    BlockingWebSocket ws = qtws::open(server.url());
    QCOMPARE(ws.receive(wait).value().text(), QStringLiteral("first"));
    QCOMPARE(ws.receive(wait).value().data(), QByteArray::fromHex("0102"));
    QCOMPARE(ws.receive(wait).value().text(), QChar(0xFEFF) + QStringLiteral("BOM first"));
    try {
        ws.receive(wait);
        QFAIL("receive after the valid messages did not throw");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::ProtocolError);
        QCOMPARE(int(error.closeCode()), closeCode);
    }
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), closeCode);
}

void tst_Blocking::rangeForEndsOnNormalClose()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *ws, QTcpSocket *) {
        for (int i = 0; i < 3; ++i)
            ws->sendTextMessage(QString::number(i));
        ws->close(CloseCode::Normal);
    }));
    BlockingWebSocket ws = qtws::open(server.url());
    QStringList seen;
    for (const Message &message : ws)
        seen.append(message.text());
    QCOMPARE(seen, (QStringList{QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")}));
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::ClosedByPeer);
    QCOMPARE(ws.closeCode(), 1000);
}

void tst_Blocking::rangeForThrowsOnAbnormalClose_data()
{
    QTest::addColumn<QByteArray>("rawFrame");
    QTest::addColumn<int>("expectedCode");
    QTest::addRow("reserved opcode from the server → 1002") << QByteArray("\x83\x00", 2) << 1002;
    // The client's limit is 16 bytes (below): a 20-byte text message is too big.
    QTest::addRow("message over maxMessageSize → 1009")
        << (QByteArray("\x81\x14", 2) + QByteArray(20, 'x')) << 1009;
}

void tst_Blocking::rangeForThrowsOnAbnormalClose()
{
    QFETCH(QByteArray, rawFrame);
    QFETCH(int, expectedCode);
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [rawFrame](WebSocket *ws, QTcpSocket *socket) {
        ws->sendTextMessage(QStringLiteral("fine"));
        // After the queued frame: the write queue flushes on the next turn, so go through it.
        QMetaObject::invokeMethod(
            socket, [socket, rawFrame] { socket->write(rawFrame); }, Qt::QueuedConnection);
    }));
    ClientOptions options;
    options.limits.maxMessageSize = 16;
    BlockingWebSocket ws = qtws::open(server.url(), options);
    QStringList seen;
    try {
        for (const Message &message : ws)
            seen.append(message.text());
        QFAIL("the loop ended normally");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::ProtocolError);
        QCOMPARE(error.closeCode(), expectedCode);
    }
    QCOMPARE(seen, QStringList{QStringLiteral("fine")});
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), expectedCode);
}

void tst_Blocking::refusedHandshakeThrowsWithStatusAndBody()
{
    ServerThread server([](ScriptedServer &, Peer &peer) {
        peer.socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 13\r\n\r\norigin denied");
    });
    try {
        qtws::open(server.url());
        QFAIL("open did not throw");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeRefused);
        QCOMPARE(error.httpStatus(), 403);
        QCOMPARE(error.httpBody(), QByteArray("origin denied"));
    }
}

void tst_Blocking::connectionRefusedThrows()
{
    // A port nobody listens on: bind one, remember it, close it.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    try {
        qtws::open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
        QFAIL("open did not throw");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::ConnectionFailed);
    }
    try {
        qtws::open(QUrl(QStringLiteral("ftp://127.0.0.1/")));
        QFAIL("open did not throw");
    } catch (const WebSocketError &error) {
        QCOMPARE(error.kind(), WebSocketError::Kind::InvalidUrl);
    }
}

void tst_Blocking::invalidArgumentsThrow()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    QVERIFY_THROWS_EXCEPTION(
        WebSocketError, qtws::open(server.url(), {}, BlockingOptions{.maxBufferedMessages = 0}));
    BlockingWebSocket ws = qtws::open(server.url());
    // Refused before anything is sent; the connection stays open.
    QVERIFY_THROWS_EXCEPTION(WebSocketError, ws.close(CloseCode::AbnormalClosure));
    QVERIFY_THROWS_EXCEPTION(WebSocketError, ws.close(CloseCode::Normal, QString(124, u'x')));
    QVERIFY(ws.isOpen());
    QCOMPARE(ws.send(QStringLiteral("still open")), qint64(10));
    QCOMPARE(ws.receive(wait)->text(), QStringLiteral("still open"));
}

void tst_Blocking::concurrentSendersDoNotInterleave()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder));
    BlockingWebSocket ws = qtws::open(server.url());

    constexpr int threads = 4;
    constexpr int perThread = 200;
    // Big enough that a message takes several socket writes: interleaved frames would show.
    const auto expected = [](int thread, int index) -> QByteArray {
        return QByteArray::number(thread) + ':' + QByteArray::number(index) + ':'
            + QByteArray(3000 + index, char('a' + thread));
    };
    std::vector<std::thread> senders;
    std::atomic<int> failures = 0;
    for (int t = 0; t < threads; ++t) {
        senders.emplace_back([&, t] {
            try {
                for (int i = 0; i < perThread; ++i) {
                    // Even threads send text, odd ones binary.
                    if (t % 2 == 0)
                        ws.send(QString::fromLatin1(expected(t, i)));
                    else
                        ws.send(expected(t, i));
                }
            } catch (const WebSocketError &) {
                ++failures;
            }
        });
    }
    for (std::thread &sender : senders)
        sender.join();
    QCOMPARE(failures.load(), 0);
    QVERIFY(recorder->waitUntil([&] { return recorder->messages.size() == threads * perThread; }));

    const QList<Message> received
        = recorder->read<QList<Message>>([&] { return recorder->messages; });
    std::array<int, threads> next{};
    for (const Message &message : received) {
        const QByteArray data = message.data();
        const int thread = data.left(data.indexOf(':')).toInt();
        QVERIFY(thread >= 0 && thread < threads);
        QCOMPARE(message.isText(), thread % 2 == 0);
        // Intact, and in each sender's order.
        QCOMPARE(data, expected(thread, next[thread]));
        ++next[thread];
    }
    for (int t = 0; t < threads; ++t)
        QCOMPARE(next[t], perThread);
}

void tst_Blocking::backpressureBoundsTheQueue_data()
{
    QTest::addColumn<qsizetype>("maxMessages");
    QTest::addColumn<qint64>("maxBytes");
    QTest::addColumn<qsizetype>("expectedPeak");
    constexpr qint64 size = 256 * 1024;
    QTest::addRow("message limit 4")
        << qsizetype(4) << qint64(1) * 1024 * 1024 * 1024 << qsizetype(4);
    QTest::addRow("byte limit of 3 messages") << qsizetype(1000) << 3 * size << qsizetype(3);
}

void tst_Blocking::backpressureBoundsTheQueue()
{
    QFETCH(qsizetype, maxMessages);
    QFETCH(qint64, maxBytes);
    QFETCH(qsizetype, expectedPeak);
    // 128 × 256 KiB = 32 MiB: far more than the loopback socket buffers of both ends hold.
    constexpr int count = 128;
    constexpr int size = 256 * 1024;
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *ws, QTcpSocket *) {
        for (int i = 0; i < count; ++i)
            ws->sendBinaryMessage(indexedPayload(i, size));
    }));
    BlockingWebSocket ws = qtws::open(server.url(), {},
        BlockingOptions{.maxBufferedMessages = maxMessages, .maxBufferedBytes = maxBytes});

    // The consumer takes nothing: the queue fills up to the limit and reading stops.
    QVERIFY(QTest::qWaitFor([&] { return ws.bufferedMessages() == expectedPeak; }, waitMs));
    // The peer is held back by TCP flow control: most of its 32 MiB stay in its write buffer.
    // (Without backpressure the client reads them all within milliseconds.)
    QVERIFY(!QTest::qWaitFor([&] { return server.bufferedAmount() == 0; }, 1'000));
    QVERIFY(server.bufferedAmount() > 8 * size);
    QCOMPARE(ws.bufferedMessages(), expectedPeak);

    // A slow consumer gets every message, intact and in order, and the queue never grows
    // beyond its limit.
    for (int i = 0; i < count; ++i) {
        const std::optional<Message> message = ws.receive(wait);
        QVERIFY2(message, qPrintable(QStringLiteral("message %1 missing").arg(i)));
        QCOMPARE(message->data().size(), size);
        QCOMPARE(payloadIndex(message->data()), i);
        QVERIFY(ws.bufferedMessages() <= expectedPeak);
    }
    QCOMPARE(ws.peakBufferedMessages(), expectedPeak);
    QVERIFY(server.bufferedAmount() == 0 || server.bufferedAmount() == -1);
    ws.close();
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::Closed);
}

void tst_Blocking::peerClosesWhileReadingIsPaused()
{
    // The peer's close arrives behind messages the full queue cannot take yet: the end waits
    // for them, and nothing is lost.
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(accepting(recorder, [](WebSocket *ws, QTcpSocket *) {
        for (int i = 0; i < 10; ++i)
            ws->sendTextMessage(QString::number(i));
        ws->close(CloseCode::Normal, QStringLiteral("done"));
    }));
    BlockingWebSocket ws = qtws::open(server.url(), {}, BlockingOptions{.maxBufferedMessages = 2});
    QVERIFY(QTest::qWaitFor([&] { return ws.bufferedMessages() == 2; }, waitMs));
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::NoError);
    QStringList seen;
    for (const Message &message : ws) {
        seen.append(message.text());
        QVERIFY(ws.bufferedMessages() <= 2);
    }
    QCOMPARE(seen.size(), 10);
    QCOMPARE(seen.first(), QStringLiteral("0"));
    QCOMPARE(seen.last(), QStringLiteral("9"));
    QCOMPARE(ws.error().kind(), WebSocketError::Kind::ClosedByPeer);
    QCOMPARE(ws.closeReason(), QStringLiteral("done"));
    QCOMPARE(ws.peakBufferedMessages(), 2);
}

void tst_Blocking::fromThreadWithoutEventLoop()
{
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    const QUrl url = server.url();
    QString echoed;
    QString failure;
    bool normal = false;
    std::thread worker([&] {
        try {
            BlockingWebSocket ws = qtws::open(url);
            ws.send(QStringLiteral("from a std::thread"));
            echoed = ws.receive(wait).value_or(Message()).text();
            ws.close();
            normal = ws.error().isNormal();
        } catch (const WebSocketError &error) {
            failure = error.toString();
        }
    });
    worker.join();
    QCOMPARE(failure, QString());
    QCOMPARE(echoed, QStringLiteral("from a std::thread"));
    QVERIFY(normal);
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1000);
}

void tst_Blocking::fromInsideARunningEventLoop()
{
    // As from a GUI thread's slot: the caller's own event loop is blocked meanwhile, and
    // nothing depends on it.
    auto recorder = std::make_shared<Recorder>();
    ServerThread server(echoing(recorder));
    const QUrl url = server.url();
    QEventLoop loop;
    QString echoed;
    QTimer::singleShot(0, &loop, [&] {
        try {
            BlockingWebSocket ws = qtws::open(url);
            ws.send(QStringLiteral("from a slot"));
            echoed = ws.receive(wait).value_or(Message()).text();
        } catch (const WebSocketError &) { }
        loop.quit();
    });
    QTimer::singleShot(waitMs * 2, &loop, &QEventLoop::quit);
    loop.exec();
    QCOMPARE(echoed, QStringLiteral("from a slot"));
    // The BlockingWebSocket's destructor closed with 1000.
    QVERIFY(recorder->waitUntil([&] { return recorder->closed; }));
    QCOMPARE(recorder->read<int>([&] { return recorder->closeCode; }), 1000);
}

void tst_Blocking::asyncReadPausedHoldsMessagesAndEnd()
{
    // WebSocket::setReadPaused, which the blocking API is built on, on its own.
    auto recorder = std::make_shared<Recorder>();
    QPointer<WebSocket> serverSide;
    ServerThread server(accepting(recorder, [&](WebSocket *ws, QTcpSocket *) { serverSide = ws; }));
    WebSocket client;
    QSignalSpy connected(&client, &WebSocket::connected);
    client.open(server.url());
    QVERIFY(connected.wait(waitMs));
    client.setReadPaused(true);
    QVERIFY(client.isReadPaused());

    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    QSignalSpy closed(&client, &WebSocket::closed);
    server.run([&] {
        serverSide->sendTextMessage(QStringLiteral("a"));
        serverSide->sendTextMessage(QStringLiteral("b"));
        serverSide->close(CloseCode::Normal, QStringLiteral("end"));
    });
    // Nothing is delivered while paused (a bounded look: the frames arrive within it).
    QVERIFY(!QTest::qWaitFor([&] { return !texts.isEmpty() || !closed.isEmpty(); }, 300));
    QCOMPARE(client.state(), WebSocket::State::Open);

    client.setReadPaused(false);
    QCOMPARE(texts.size(), 0); // from the next event-loop turn on, not inside the call
    QVERIFY(closed.wait(waitMs));
    QCOMPARE(texts.size(), 2);
    QCOMPARE(texts.at(0).at(0).toString(), QStringLiteral("a"));
    QCOMPARE(texts.at(1).at(0).toString(), QStringLiteral("b"));
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QCOMPARE(closed.at(0).at(1).toString(), QStringLiteral("end"));
}

QTEST_GUILESS_MAIN(tst_Blocking)
#include "tst_blocking.moc"
