// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate (RFC 7692) wired into qtws::WebSocket (client) and qtws::Server /
// qtws::upgrade() (server): negotiation as each side sees it, round trips (fragmented too, and
// the per-message opt-out), bytes on the wire, a server answer the client must refuse, and a
// decompression bomb from a raw socket.
#include <QtWs/conn.h>
#include <QtWs/extension.h>
#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/permessagedeflate.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>

using namespace std::chrono_literals;
using namespace qtws;

Q_DECLARE_METATYPE(qtws::PerMessageDeflateOptions)
Q_DECLARE_METATYPE(qtws::PerMessageDeflateParams)

namespace {

constexpr int waitMs = 10'000;

// Deterministic chat-like JSON of about size bytes (compresses ~7x, as the benchmark's corpus).
QByteArray jsonOf(qsizetype size)
{
    QByteArray out = "[";
    for (int i = 0; out.size() < size - 2; ++i) {
        if (i > 0)
            out += ',';
        out += "{\"id\":" + QByteArray::number(i) + ",\"user\":\"user-" + QByteArray::number(i % 17)
            + "\",\"room\":\"general\",\"text\":\"message number " + QByteArray::number(i * 7919)
            + " says hello\",\"ts\":" + QByteArray::number(1700000000 + i * 13) + "}";
    }
    return out + ']';
}

// An echo server; remembers the last WebSocket it accepted and counts the bytes it wrote.
struct EchoServer
{
    explicit EchoServer(PerMessageDeflateOptions deflate, Limits limits = {})
        : server(
            [this](WebSocket *ws) {
                last = ws;
                bytesWritten = 0;
                QObject::connect(ws, &WebSocket::bytesWritten, ws,
                    [this](qint64 bytes) { bytesWritten += bytes; });
                QObject::connect(ws, &WebSocket::textMessageReceived, ws,
                    [ws](const QString &text) { ws->sendTextMessage(text); });
                QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
                    [ws](const QByteArray &bytes) { ws->sendBinaryMessage(bytes); });
                // Stats survive the WebSocket (deleted after closed()).
                QObject::connect(ws, &WebSocket::closed, ws, [this, ws](int code) {
                    closeCode = code;
                    if (const PerMessageDeflate *ext = ws->perMessageDeflate())
                        finalStats = ext->stats();
                });
            },
            ServerOptions{.websocket = {.limits = limits, .deflate = deflate}})
    {
        listening = server.listen();
    }

    Server server;
    bool listening = false;
    QPointer<WebSocket> last;
    qint64 bytesWritten = 0;
    int closeCode = -1;
    std::optional<PerMessageDeflate::Stats> finalStats;
};

struct Client
{
    Client(const QUrl &url, const ClientOptions &options) { ws.open(url, options); }
    bool waitConnected() { return !connected.isEmpty() || connected.wait(waitMs); }

    WebSocket ws;
    QSignalSpy connected{&ws, &WebSocket::connected};
    QSignalSpy texts{&ws, &WebSocket::textMessageReceived};
    QSignalSpy binaries{&ws, &WebSocket::binaryMessageReceived};
    QSignalSpy errors{&ws, &WebSocket::errorOccurred};
    QSignalSpy closed{&ws, &WebSocket::closed};
};

// A server that answers every handshake with a 101 carrying the given extensions value, to
// feed the client answers a real server would not give.
class ScriptedServer : public QObject
{
public:
    explicit ScriptedServer(QByteArray extensions) : m_extensions(std::move(extensions))
    {
        listening = m_server.listen(QHostAddress::LocalHost);
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                auto parser = std::make_shared<http::Parser>(http::Parser::Mode::Request);
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket, parser] {
                    parser->feed(socket->readAll());
                    if (parser->state() != http::Parser::State::MessageComplete)
                        return;
                    const auto checked = handshake::checkClientRequest(parser->request());
                    const auto built = handshake::buildAcceptResponse(
                        {.key = checked.key, .extensions = m_extensions});
                    socket->write(built.response.serialize());
                });
            }
        });
    }
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()));
    }

    bool listening = false;

private:
    QTcpServer m_server;
    QByteArray m_extensions;
};

// Marks a message RSV1 and leaves it alone: for sending bytes that are already compressed.
class PassThroughRsv1 final : public Extension
{
public:
    QByteArray name() const override { return "permessage-deflate"; }
    ReservedBits reservedBits() const override { return ReservedBit::Rsv1; }
    DecodeResult decodeMessage(ReservedBits, QByteArray &, qint64) override
    {
        return DecodeResult::ok();
    }
    ReservedBits encodeMessage(QByteArray &) override { return ReservedBit::Rsv1; }
};

} // namespace

class tst_DeflateServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void negotiatedAndRoundTrips_data();
    void negotiatedAndRoundTrips();
    void perMessageOptOut();
    void invalidServerAnswerFailsHandshake_data();
    void invalidServerAnswerFailsHandshake();
    void decompressionBombGets1009();
};

void tst_DeflateServer::negotiatedAndRoundTrips_data()
{
    QTest::addColumn<PerMessageDeflateOptions>("clientOptions");
    QTest::addColumn<PerMessageDeflateOptions>("serverOptions");
    QTest::addColumn<bool>("negotiated");
    QTest::addColumn<PerMessageDeflateParams>("params");
    QTest::addColumn<bool>("serverCompresses");

    QTest::newRow("defaults") << PerMessageDeflateOptions{} << PerMessageDeflateOptions{} << true
                              << PerMessageDeflateParams{.serverMaxWindowBits = 12,
                                     .clientMaxWindowBits = 12}
                              << true;
    QTest::newRow("server: no context takeover")
        << PerMessageDeflateOptions{}
        << PerMessageDeflateOptions{.serverNoContextTakeover = true,
               .clientNoContextTakeover = true}
        << true
        << PerMessageDeflateParams{.serverNoContextTakeover = true,
               .clientNoContextTakeover = true,
               .serverMaxWindowBits = 12,
               .clientMaxWindowBits = 12}
        << true;
    QTest::newRow("client: no context takeover")
        << PerMessageDeflateOptions{.serverNoContextTakeover = true,
               .clientNoContextTakeover = true}
        << PerMessageDeflateOptions{} << true
        << PerMessageDeflateParams{.serverNoContextTakeover = true,
               .clientNoContextTakeover = true,
               .serverMaxWindowBits = 12,
               .clientMaxWindowBits = 12}
        << true;
    QTest::newRow("client asks for small windows")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 10, .clientMaxWindowBits = 9}
        << PerMessageDeflateOptions{} << true
        << PerMessageDeflateParams{.serverMaxWindowBits = 10, .clientMaxWindowBits = 9} << true;
    QTest::newRow("server with zlib's 15-bit windows")
        << PerMessageDeflateOptions{}
        << PerMessageDeflateOptions{.serverMaxWindowBits = 15,
               .clientMaxWindowBits = 15,
               .memLevel = 8}
        << true << PerMessageDeflateParams{} << true;
    // zlib cannot compress with 8 bits: the server sends plain, the client still compresses.
    QTest::newRow("server window held to 8 bits")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 8} << PerMessageDeflateOptions{} << true
        << PerMessageDeflateParams{.serverMaxWindowBits = 8, .clientMaxWindowBits = 12} << false;
    QTest::newRow("client disabled")
        << PerMessageDeflateOptions{.enabled = false} << PerMessageDeflateOptions{} << false
        << PerMessageDeflateParams{} << false;
    QTest::newRow("server disabled")
        << PerMessageDeflateOptions{} << PerMessageDeflateOptions{.enabled = false} << false
        << PerMessageDeflateParams{} << false;
}

void tst_DeflateServer::negotiatedAndRoundTrips()
{
    QFETCH(PerMessageDeflateOptions, clientOptions);
    QFETCH(PerMessageDeflateOptions, serverOptions);
    QFETCH(bool, negotiated);
    QFETCH(PerMessageDeflateParams, params);
    QFETCH(bool, serverCompresses);

    EchoServer echo(serverOptions);
    QVERIFY(echo.listening);
    Client client(echo.server.serverUrl(), ClientOptions{.deflate = clientOptions});
    QVERIFY(client.waitConnected());
    QTRY_VERIFY_WITH_TIMEOUT(echo.last, waitMs);
    WebSocket *serverSide = echo.last;

    // The offer went out unless disabled; both sides see the same outcome.
    QCOMPARE(client.ws.handshakeRequest().headers.contains("Sec-WebSocket-Extensions"),
        clientOptions.enabled);
    QCOMPARE(client.ws.extensions().contains(u"permessage-deflate"), negotiated);
    QCOMPARE(serverSide->extensions(), client.ws.extensions());
    QCOMPARE(client.ws.perMessageDeflate() != nullptr, negotiated);
    QCOMPARE(serverSide->perMessageDeflate() != nullptr, negotiated);
    if (negotiated) {
        QCOMPARE(client.ws.perMessageDeflate()->params(), params);
        QCOMPARE(serverSide->perMessageDeflate()->params(), params);
        QCOMPARE(client.ws.perMessageDeflate()->role(), Role::Client);
        QCOMPARE(serverSide->perMessageDeflate()->role(), Role::Server);
        QCOMPARE(serverSide->perMessageDeflate()->canCompress(), serverCompresses);
    }

    // Several messages, so that context takeover (or its absence) is exercised.
    const QByteArray json = jsonOf(16 * 1024);
    for (int round = 0; round < 3; ++round) {
        const qint64 before = echo.bytesWritten;
        const QString text = QString::fromUtf8(json) + QString::number(round);
        QVERIFY(client.ws.sendTextMessage(text) > 0);
        QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), round + 1, waitMs);
        QCOMPARE(client.texts.last().at(0).toString(), text);
        QTRY_VERIFY_WITH_TIMEOUT(serverSide->bufferedAmount() == 0, waitMs);
        QTRY_VERIFY_WITH_TIMEOUT(echo.bytesWritten > before, waitMs);
        const qint64 wire = echo.bytesWritten - before;
        if (serverCompresses)
            QVERIFY2(wire < json.size() / 4,
                qPrintable(
                    QStringLiteral("%1 bytes on the wire for %2").arg(wire).arg(json.size())));
        else
            QVERIFY(wire > json.size());
    }

    // Binary, a message under the threshold, an empty one and fragmented ones both ways.
    const QByteArray binary = json + QByteArray(3000, '\x07');
    client.ws.sendBinaryMessage(binary);
    QTRY_COMPARE_WITH_TIMEOUT(client.binaries.size(), 1, waitMs);
    QCOMPARE(client.binaries.last().at(0).toByteArray(), binary);
    client.ws.sendTextMessage(QStringLiteral("tiny"));
    QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), 4, waitMs);
    QCOMPARE(client.texts.last().at(0).toString(), QStringLiteral("tiny"));
    client.ws.sendBinaryMessage({});
    QTRY_COMPARE_WITH_TIMEOUT(client.binaries.size(), 2, waitMs);
    QCOMPARE(client.binaries.last().at(0).toByteArray(), QByteArray());
    const QList<QByteArray> chunks = {json.left(5000), json.mid(5000, 7), json.mid(5007)};
    QVERIFY(client.ws.sendFragments(MessageType::Text, chunks) == json.size());
    QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), 5, waitMs);
    QCOMPARE(client.texts.last().at(0).toString(), QString::fromUtf8(json));
    QSignalSpy serverTexts(serverSide, &WebSocket::textMessageReceived);
    QVERIFY(serverSide->sendFragments(MessageType::Binary, {binary.left(100), binary.mid(100)})
        == binary.size());
    QTRY_COMPARE_WITH_TIMEOUT(client.binaries.size(), 3, waitMs);
    QCOMPARE(client.binaries.last().at(0).toByteArray(), binary);
    // A message right after the fragmented ones still decodes (the contexts stayed in step).
    client.ws.sendTextMessage(QString::fromUtf8(json));
    QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), 6, waitMs);
    QCOMPARE(client.texts.last().at(0).toString(), QString::fromUtf8(json));

    if (negotiated) {
        const PerMessageDeflate::Stats server = serverSide->perMessageDeflate()->stats();
        const PerMessageDeflate::Stats clientStats = client.ws.perMessageDeflate()->stats();
        // 3 JSON, the binary and the last JSON; "tiny" and the empty one are under the
        // threshold, fragmented messages go plain.
        QCOMPARE(server.messagesInflated, 5);
        QCOMPARE(clientStats.messagesCompressed, 5);
        // The server echoes the fragmented text as one compressed message; its own
        // sendFragments() went plain.
        QCOMPARE(clientStats.messagesInflated, serverCompresses ? 6 : 0);
        QVERIFY(clientStats.bytesAfterCompression * 4 < clientStats.bytesBeforeCompression);
    } else {
        QVERIFY(client.ws.extensions().isEmpty());
    }
    client.ws.close();
    QTRY_COMPARE_WITH_TIMEOUT(client.closed.size(), 1, waitMs);
    QCOMPARE(client.closed.at(0).at(0).toInt(), 1000);
    QVERIFY(client.errors.isEmpty());
}

void tst_DeflateServer::perMessageOptOut()
{
    EchoServer echo({});
    QVERIFY(echo.listening);
    Client client(echo.server.serverUrl(), {});
    QVERIFY(client.waitConnected());
    QTRY_VERIFY_WITH_TIMEOUT(echo.last, waitMs);
    const PerMessageDeflate *ext = client.ws.perMessageDeflate();
    QVERIFY(ext);
    const QString json = QString::fromUtf8(jsonOf(8 * 1024));

    QVERIFY(client.ws.sendTextMessage(json, SendFlag::Uncompressed) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), 1, waitMs);
    QCOMPARE(client.texts.last().at(0).toString(), json);
    QCOMPARE(ext->stats().messagesCompressed, 0);
    QCOMPARE(echo.last->perMessageDeflate()->stats().messagesInflated, 0);
    QCOMPARE(ext->stats().messagesInflated, 1); // the server's echo is compressed

    // The next one is compressed again, and the server's opt-out works as well.
    QVERIFY(client.ws.sendTextMessage(json) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.texts.size(), 2, waitMs);
    QCOMPARE(ext->stats().messagesCompressed, 1);
    QVERIFY(echo.last->sendBinaryMessage(json.toUtf8(), SendFlag::Uncompressed) > 0);
    QTRY_COMPARE_WITH_TIMEOUT(client.binaries.size(), 1, waitMs);
    QCOMPARE(client.binaries.last().at(0).toByteArray(), json.toUtf8());
    QCOMPARE(ext->stats().messagesInflated, 2); // the opted-out binary was not
}

void tst_DeflateServer::invalidServerAnswerFailsHandshake_data()
{
    QTest::addColumn<QByteArray>("answer");
    QTest::addColumn<bool>("offer");
    QTest::addColumn<QString>("reasonPart");

    QTest::newRow("window bits out of range")
        << QByteArray("permessage-deflate; server_max_window_bits=7") << true
        << QStringLiteral("server_max_window_bits");
    QTest::newRow("unknown parameter")
        << QByteArray("permessage-deflate; x=1") << true << QStringLiteral("unknown parameter");
    QTest::newRow("client_max_window_bits without a value")
        << QByteArray("permessage-deflate; client_max_window_bits") << true
        << QStringLiteral("client_max_window_bits");
    QTest::newRow("two elements") << QByteArray("permessage-deflate, permessage-deflate") << true
                                  << QStringLiteral("more than one");
    QTest::newRow("not offered") << QByteArray("permessage-deflate") << false
                                 << QStringLiteral("permessage-deflate");
}

void tst_DeflateServer::invalidServerAnswerFailsHandshake()
{
    QFETCH(QByteArray, answer);
    QFETCH(bool, offer);
    QFETCH(QString, reasonPart);

    ScriptedServer server(answer);
    QVERIFY(server.listening);
    Client client(server.url(), ClientOptions{.deflate = {.enabled = offer}});
    QTRY_COMPARE_WITH_TIMEOUT(client.closed.size(), 1, waitMs);
    QCOMPARE(client.connected.size(), 0);
    QCOMPARE(client.errors.size(), 1);
    const WebSocketError error = client.errors.at(0).at(0).value<WebSocketError>();
    QCOMPARE(error.kind(), WebSocketError::Kind::HandshakeInvalid);
    QVERIFY2(error.reason().contains(reasonPart), qPrintable(error.reason()));
    QCOMPARE(client.closed.at(0).at(0).toInt(), 1006);
}

void tst_DeflateServer::decompressionBombGets1009()
{
    constexpr qint64 limit = 4 * 1024 * 1024;
    EchoServer echo({}, Limits{.maxMessageSize = limit});
    QVERIFY(echo.listening);

    // The server runs in this thread: every wait below spins the event loop (no waitFor*).
    QTcpSocket socket;
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), echo.server.serverPort());
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, waitMs);
    handshake::ClientRequestSpec spec;
    spec.host = "127.0.0.1:" + QByteArray::number(echo.server.serverPort());
    spec.extensions = {"permessage-deflate"};
    const auto built = handshake::buildClientRequest(spec);
    QVERIFY(built.ok());
    socket.write(built.request.serialize());

    http::Parser parser(http::Parser::Mode::Response);
    parser.setRequestMethod("GET");
    QByteArray rest;
    QElapsedTimer clock;
    clock.start();
    while (parser.state() != http::Parser::State::MessageComplete && clock.elapsed() < waitMs) {
        if (!socket.bytesAvailable())
            QTest::qWait(5);
        rest += socket.readAll();
        rest.remove(0, parser.feed(rest));
    }
    QCOMPARE(parser.state(), http::Parser::State::MessageComplete);
    const http::Response response = parser.takeResponse();
    QCOMPARE(response.status, 101);
    QVERIFY(response.headers.value("Sec-WebSocket-Extensions").startsWith("permessage-deflate"));

    // 1 GiB of zeros: 1 MiB compressed alone (a full sync-flushed block that needs no history
    // but its own), repeated 1024 times; about 1 MB on the wire, under the 4 MiB frame limit.
    PerMessageDeflate encoder(Role::Client,
        PerMessageDeflateParams{.clientNoContextTakeover = true},
        PerMessageDeflateOptions{.compressionThreshold = 0});
    QByteArray block(1024 * 1024, '\0');
    QVERIFY(encoder.encodeMessage(block) == ReservedBits(ReservedBit::Rsv1));
    block += QByteArray("\x00\x00\xff\xff", 4);
    QByteArray bomb = block.repeated(1024);
    bomb.chop(4); // RFC 7692 §7.2.1: the last tail is not sent
    QVERIFY2(bomb.size() < limit, qPrintable(QString::number(bomb.size())));

    Conn codec(Role::Client);
    codec.setExtension(std::make_unique<PassThroughRsv1>());
    QVERIFY(codec.sendBinary(bomb) == bomb.size());
    socket.write(codec.takeOutgoing());

    // The server fails the connection with 1009 and closes.
    Conn reader(Role::Client);
    reader.receive(rest);
    std::optional<Event> close;
    clock.restart();
    while (!close && clock.elapsed() < 30'000) {
        if (!socket.bytesAvailable()) {
            if (socket.state() == QAbstractSocket::UnconnectedState)
                break;
            QTest::qWait(5);
        }
        reader.receive(socket.readAll());
        while (std::optional<Event> event = reader.nextEvent()) {
            if (event->type == Event::Type::Close)
                close = std::move(event);
        }
    }
    QVERIFY(close);
    QCOMPARE(close->closeCode, quint16(1009));
    QVERIFY2(close->reason.contains(u"inflates to more than"), qPrintable(close->reason));

    QTRY_VERIFY_WITH_TIMEOUT(echo.finalStats.has_value(), waitMs);
    QCOMPARE(echo.closeCode, 1009);
    // Memory stayed bounded: one buffer of at most the limit plus the byte that proves excess.
    QVERIFY2(echo.finalStats->largestInflateBuffer <= limit + 1,
        qPrintable(QString::number(echo.finalStats->largestInflateBuffer)));
    QVERIFY(echo.finalStats->largestInflateBuffer > 0);
    QVERIFY(echo.finalStats->peakZlibBytes < 64 * 1024);
}

QTEST_GUILESS_MAIN(tst_DeflateServer)
#include "tst_deflate_server.moc"
