// Interop of the qtws client (qtws::WebSocket) with real third-party servers on 127.0.0.1:
// python3-websockets, npm ws and Qt's QtWebSockets, run by PeerProcess (tests/interop/README.md).
// Every case asserts on both ends: what the qtws client received and what the peer reports in its
// JSON events (sizes and sha256 of the messages it received, the close code and reason).

#include "interopchecks.h"
#include "peerprocess.h"
#include "peerscript.h"
#include "testcertificates.h"

#include <QtWs/websocket.h>

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <tuple>

using namespace qtws;
using namespace qtws::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(qtws::test::PeerKind)
Q_DECLARE_METATYPE(qtws::MessageType)

namespace {

// What the client is given against a wss:// peer.
enum class TlsCase {
    TrustedCa, // the peer's certificate, and the generated CA trusted: connects
    NoCa, // the system CAs only: verification fails
    WrongHost, // the CA trusted, but a certificate for wrong.host.invalid: verification fails
    Insecure, // no CA, insecureSkipTlsVerification: connects, with a warning
};

constexpr PeerKind peerKinds[] = {PeerKind::Python, PeerKind::Node, PeerKind::Qt};
constexpr std::chrono::milliseconds waitTimeout = 10s; // generous for sanitizer builds
constexpr std::chrono::milliseconds largeWaitTimeout = 60s; // a 16 MiB echo under ASan
constexpr qint64 bigLimit = 64 * 1024 * 1024; // what the peers accept by default

// A qtws client with a recorder for everything it emits.
struct Client
{
    struct Message
    {
        bool text = false;
        QByteArray data; // UTF-8 for text
    };

    WebSocket ws;
    QList<Message> messages;
    QSignalSpy connected{&ws, &WebSocket::connected};
    QSignalSpy closed{&ws, &WebSocket::closed};
    QSignalSpy errors{&ws, &WebSocket::errorOccurred};
    QSignalSpy pings{&ws, &WebSocket::pingReceived};
    QSignalSpy pongs{&ws, &WebSocket::pongReceived};

    Client()
    {
        QObject::connect(&ws, &WebSocket::textMessageReceived, &ws, [this](const QString &message) {
            messages.append({true, message.toUtf8()});
        });
        QObject::connect(
            &ws, &WebSocket::binaryMessageReceived, &ws, [this](const QByteArray &message) {
                messages.append({false, message});
            });
    }

    // Opens and waits for connected() or closed(); true once connected.
    bool open(const QUrl &url, const ClientOptions &options = {})
    {
        ws.open(url, options);
        std::ignore = QTest::qWaitFor(
            [this] { return !connected.isEmpty() || !closed.isEmpty(); }, int(waitTimeout.count()));
        return connected.size() == 1; // the peer may already be closing it
    }

    bool waitForMessages(qsizetype count, std::chrono::milliseconds timeout = waitTimeout)
    {
        std::ignore = QTest::qWaitFor(
            [&] { return messages.size() >= count || !closed.isEmpty(); }, int(timeout.count()));
        return messages.size() == count;
    }

    bool waitForClosed(std::chrono::milliseconds timeout = waitTimeout)
    {
        std::ignore = QTest::qWaitFor([this] { return !closed.isEmpty(); }, int(timeout.count()));
        return closed.size() == 1;
    }

    WebSocketError errorAt(qsizetype index) const
    {
        return errors.at(index).at(0).value<WebSocketError>();
    }

    int closedCode() const { return closed.isEmpty() ? -1 : closed.at(0).at(0).toInt(); }
    QString closedReason() const
    {
        return closed.isEmpty() ? QString() : closed.at(0).at(1).toString();
    }

    // The client's side of a failure, for QVERIFY2 messages.
    QString diagnostics() const
    {
        QString result = QStringLiteral("client state %1, %2 messages, error: %3")
                             .arg(int(ws.state()))
                             .arg(messages.size())
                             .arg(ws.error().toString());
        for (qsizetype i = 0; i < errors.size(); ++i)
            result += QStringLiteral("\n  errorOccurred: ") + errorAt(i).toString();
        if (!closed.isEmpty())
            result
                += QStringLiteral("\n  closed(%1, \"%2\")").arg(closedCode()).arg(closedReason());
        return result;
    }
};

QString both(const Client &client, const PeerProcess &peer)
{
    return client.diagnostics() + QStringLiteral("\npeer: ") + peer.diagnostics();
}

// Closes the client with code and reason and waits for the close handshake to finish.
bool closeAndWait(Client &client, CloseCode code = CloseCode::Normal, const QString &reason = {})
{
    client.ws.close(code, reason);
    return client.waitForClosed();
}

// True when some chunk ends inside a UTF-8 sequence.
bool splitsCodePoint(const QList<QByteArray> &chunks)
{
    for (const QByteArray &chunk : chunks) {
        // Walk back over continuation bytes to the last lead byte and check its length.
        qsizetype continuation = 0;
        qsizetype i = chunk.size() - 1;
        while (i >= 0 && (uchar(chunk.at(i)) & 0xc0) == 0x80) {
            ++continuation;
            --i;
        }
        if (i < 0) { // empty, or only continuation bytes (the middle of a sequence)
            if (continuation > 0)
                return true;
            continue;
        }
        const uchar lead = uchar(chunk.at(i));
        const qsizetype length = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        if (continuation + 1 < length)
            return true;
    }
    return false;
}

} // namespace

Q_DECLARE_METATYPE(TlsCase)

class tst_ClientInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void echo_data();
    void echo();
    void utf8_data();
    void utf8();
    void fragmentedSend_data();
    void fragmentedSend();
    void clientPings_data();
    void clientPings();
    void peerPings_data();
    void peerPings();
    void clientCloses_data();
    void clientCloses();
    void peerCloses_data();
    void peerCloses();
    void subprotocol_data();
    void subprotocol();
    void tls_data();
    void tls();

private:
    std::unique_ptr<TestCertificates> certificates;
};

void tst_ClientInterop::initTestCase()
{
    qRegisterMetaType<WebSocketError>();
    certificates = std::make_unique<TestCertificates>();
    QVERIFY2(certificates->isValid(), qPrintable(certificates->errorString()));
}

// -- messages --------------------------------------------------------------------------------

void tst_ClientInterop::echo_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<qsizetype>("size");
    // Around the 7-bit and 16-bit payload length boundaries of RFC 6455 §5.2, then large.
    constexpr qsizetype sizes[] = {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};
    for (PeerKind kind : peerKinds)
        for (qsizetype size : sizes)
            QTest::newRow(row(kind, QStringLiteral("%1 bytes").arg(size))) << kind << size;
}

// A text and a binary message of the size pattern go out; the peer reports both with the right
// size and hash, echoes them, and the client receives them back, in order, intact.
void tst_ClientInterop::echo()
{
    QFETCH(PeerKind, kind);
    QFETCH(qsizetype, size);
    requireAvailable(kind);

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    Client client;
    ClientOptions options;
    const bool large = size > options.limits.maxMessageSize / 2;
    if (large)
        options.limits = {.maxFrameSize = bigLimit, .maxMessageSize = bigLimit};
    QVERIFY2(client.open(server.url(s("/echo")), options), qPrintable(both(client, server)));

    const QByteArray text = PeerScript::pattern(true, size);
    const QByteArray binary = PeerScript::pattern(false, size);
    QCOMPARE(client.ws.sendTextMessage(QString::fromLatin1(text)), size);
    QCOMPARE(client.ws.sendBinaryMessage(binary), size);
    QVERIFY2(client.waitForMessages(2, large ? largeWaitTimeout : waitTimeout),
        qPrintable(both(client, server)));
    QVERIFY(client.messages.at(0).text);
    QCOMPARE(client.messages.at(0).data.size(), size);
    QCOMPARE(PeerScript::sha256(client.messages.at(0).data), PeerScript::sha256(text));
    QVERIFY(!client.messages.at(1).text);
    QCOMPARE(client.messages.at(1).data.size(), size);
    QCOMPARE(PeerScript::sha256(client.messages.at(1).data), PeerScript::sha256(binary));

    QVERIFY2(
        closeAndWait(client, CloseCode::Normal, s("echo done")), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), 1000);
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    const QList<QJsonObject> received = messageEvents(server);
    QCOMPARE(received.size(), 2);
    QString why = checkMessageEvent(received.at(0), true, text);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    why = checkMessageEvent(received.at(1), false, binary);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QCOMPARE(server.events(s("close")).value(0).value(u"code").toInt(), 1000);
    QCOMPARE(server.events(s("close")).value(0).value(u"reason").toString(), s("echo done"));
    QCOMPARE(server.events(s("open")).value(0).value(u"path").toString(), s("/echo"));
}

void tst_ClientInterop::utf8_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<QString>("message");
    const QString mixed = s("h\u00e9llo \u20ac \u65e5\u672c\u8a9e \U0001F30D | ");
    QString long70k;
    while (long70k.toUtf8().size() < 70000)
        long70k += mixed;
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("2-byte sequences")))
            << kind
            << s("\u00fcn\u00efc\u00f6d\u00e9 \u00df \u00e6\u00f8\u00e5 "
                 "\u0411\u0443\u043a\u0432\u044b");
        QTest::newRow(row(kind, s("3-byte sequences")))
            << kind << s("\u20ac \u65e5\u672c\u8a9e \u2713 \uffef");
        QTest::newRow(row(kind, s("4-byte sequences")))
            << kind << s("\U0001F30D\U0001F389 \U0001D11E \U00010348");
        QTest::newRow(row(kind, s("mixed, 70000 bytes"))) << kind << long70k;
    }
}

// Multi-byte UTF-8 text goes out and comes back unchanged; the peer saw exactly its UTF-8 bytes.
void tst_ClientInterop::utf8()
{
    QFETCH(PeerKind, kind);
    QFETCH(QString, message);
    requireAvailable(kind);

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    const QByteArray utf8 = message.toUtf8();
    QCOMPARE(client.ws.sendTextMessage(message), utf8.size());
    QVERIFY2(client.waitForMessages(1), qPrintable(both(client, server)));
    QVERIFY(client.messages.at(0).text);
    QCOMPARE(QString::fromUtf8(client.messages.at(0).data), message);

    QVERIFY2(closeAndWait(client), qPrintable(both(client, server)));
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    const QList<QJsonObject> received = messageEvents(server);
    QCOMPARE(received.size(), 1);
    const QString why = checkMessageEvent(received.at(0), true, utf8);
    QVERIFY2(why.isEmpty(), qPrintable(why));
}

void tst_ClientInterop::fragmentedSend_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<MessageType>("messageType");
    QTest::addColumn<QList<QByteArray>>("chunks");
    QList<QByteArray> bytePerFrame;
    for (int i = 0; i < 200; ++i)
        bytePerFrame.append(QByteArray(1, char(255 - i)));
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("binary in 3 fragments")))
            << kind << MessageType::Binary
            << QList<QByteArray>{QByteArrayLiteral("\x00\x01\xff"), PeerScript::pattern(false, 300),
                   PeerScript::pattern(false, 70000)};
        QTest::newRow(row(kind, s("binary, one byte a fragment")))
            << kind << MessageType::Binary << bytePerFrame;
        QTest::newRow(row(kind, s("text in 4 fragments, empty ones included")))
            << kind << MessageType::Text << QList<QByteArray>{"", "first part, ", "", "last part"};
        // Fragments that split a code point: each alone is invalid UTF-8, the message is valid.
        QTest::newRow(row(kind, s("text splitting a 2-byte code point")))
            << kind << MessageType::Text << QList<QByteArray>{"caf\xc3", "\xa9 au lait"};
        QTest::newRow(row(kind, s("text splitting a 3-byte code point in 3")))
            << kind << MessageType::Text << QList<QByteArray>{"12 \xe2", "\x82", "\xac!"};
        QTest::newRow(row(kind, s("text splitting a 4-byte code point")))
            << kind << MessageType::Text
            << QList<QByteArray>{"hi \xf0\x9f", "\x8c\x8d", " and \xf0", "\x9f\x8e\x89"};
    }
}

// sendFragments() goes out as one fragmented message; the peer reassembles it into one message
// with the bytes of all the chunks, and echoes that.
void tst_ClientInterop::fragmentedSend()
{
    QFETCH(PeerKind, kind);
    QFETCH(MessageType, messageType);
    QFETCH(QList<QByteArray>, chunks);
    requireAvailable(kind);
    const bool text = messageType == MessageType::Text;
    const QByteArray whole = chunks.join();

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    QCOMPARE(client.ws.sendFragments(messageType, chunks), whole.size());
    QVERIFY2(
        client.waitForMessages(1) || !client.closed.isEmpty(), qPrintable(both(client, server)));
    if (kind == PeerKind::Qt && text && client.closedCode() == 1007 && splitsCodePoint(chunks)) {
        // Not qtws: python3-websockets and npm ws (both validating UTF-8) accept the same frames.
        // QtWebSockets 6.4.2 (Debian 12) fails the connection with 1007 "Invalid UTF-8 code
        // encountered" when a code point is split across frames.
        QVERIFY2(server.waitForEvent(s("close")), qPrintable(server.diagnostics()));
        QVERIFY(messageEvents(server).isEmpty());
        QSKIP(
            "QtWebSockets 6.4.2 rejects a text message whose fragments split a code point (1007)");
    }
    QVERIFY2(client.messages.size() == 1, qPrintable(both(client, server)));
    QCOMPARE(client.messages.at(0).text, text);
    QCOMPARE(client.messages.at(0).data, whole);

    QVERIFY2(closeAndWait(client), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), 1000);
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    const QList<QJsonObject> received = messageEvents(server);
    QCOMPARE(received.size(), 1);
    const QString why = checkMessageEvent(received.at(0), text, whole);
    QVERIFY2(why.isEmpty(), qPrintable(why));
}

// -- control frames --------------------------------------------------------------------------

void tst_ClientInterop::clientPings_data()
{
    QTest::addColumn<PeerKind>("kind");
    for (PeerKind kind : peerKinds)
        QTest::newRow(row(kind, s("pings"))) << kind;
}

// Pings with payloads of 0, 1 and 125 bytes (the maximum), binary and UTF-8: each pong carries
// the ping's payload and a round-trip time ≥ 0; messages in between are unaffected.
void tst_ClientInterop::clientPings()
{
    QFETCH(PeerKind, kind);
    requireAvailable(kind);
    const QList<QByteArray> payloads{QByteArray(), QByteArrayLiteral("x"), QByteArray(125, 'p'),
        QByteArrayLiteral("\x00\xff\x80\x7f"), s("p\u00efng \U0001F30D").toUtf8()};

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    for (qsizetype i = 0; i < payloads.size(); ++i) {
        const QByteArray &payload = payloads.at(i);
        QCOMPARE(client.ws.ping(payload), payload.size());
        QVERIFY2(
            QTest::qWaitFor([&] { return client.pongs.size() > i || !client.closed.isEmpty(); },
                int(waitTimeout.count())),
            qPrintable(both(client, server)));
        QCOMPARE(client.pongs.size(), i + 1);
        QCOMPARE(client.pongs.at(i).at(0).toByteArray(), payload);
        QVERIFY2(client.pongs.at(i).at(1).toLongLong() >= 0,
            qPrintable(QString::number(client.pongs.at(i).at(1).toLongLong())));
    }
    QCOMPARE(client.ws.sendTextMessage(s("after the pings")), 15);
    QVERIFY2(client.waitForMessages(1), qPrintable(both(client, server)));
    QCOMPARE(client.messages.at(0).data, QByteArrayLiteral("after the pings"));
    QVERIFY2(closeAndWait(client), qPrintable(both(client, server)));
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(messageEvents(server).size(), 1);
    QCOMPARE(server.events(s("close")).value(0).value(u"code").toInt(), 1000);
}

void tst_ClientInterop::peerPings_data()
{
    clientPings_data();
}

// The server pings us (script steps that each wait for the matching pong): qtws answers every
// ping automatically with its payload and reports it with pingReceived.
void tst_ClientInterop::peerPings()
{
    QFETCH(PeerKind, kind);
    requireAvailable(kind);
    const QStringList payloads{s("peer ping"), QString(), s("p\u00efng \U0001F30D")};
    PeerScript script;
    for (const QString &payload : payloads)
        script.ping(payload);
    script.close(1000, s("pings done"));

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("script"), s("--script"), script.toJson()}),
        qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    QVERIFY2(client.waitForClosed(), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), 1000);
    QCOMPARE(client.closedReason(), s("pings done"));
    QCOMPARE(client.pings.size(), payloads.size());
    for (qsizetype i = 0; i < payloads.size(); ++i)
        QCOMPARE(client.pings.at(i).at(0).toByteArray(), payloads.at(i).toUtf8());
    QVERIFY(client.errors.isEmpty());

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QVERIFY2(
        server.events(s("done")).first().value(u"ok").toBool(), qPrintable(server.diagnostics()));
    const QList<QJsonObject> pongs = server.events(s("pong"));
    QCOMPARE(pongs.size(), payloads.size());
    for (qsizetype i = 0; i < payloads.size(); ++i)
        QCOMPARE(pongs.at(i).value(u"content").toString(), payloads.at(i));
}

// -- closing ---------------------------------------------------------------------------------

void tst_ClientInterop::clientCloses_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    // 123 bytes, the most a close reason may have (RFC 6455 §5.5), in 2-byte characters.
    const QString longest = QString(61, QChar(0xe9)) + u'!';
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("1000 without reason"))) << kind << 1000 << QString();
        QTest::newRow(row(kind, s("1000 with reason"))) << kind << 1000 << s("normal bye");
        QTest::newRow(row(kind, s("1001"))) << kind << 1001 << s("going away");
        QTest::newRow(row(kind, s("4001 UTF-8 reason")))
            << kind << 4001 << s("custom: \u00fcn\u00efc\u00f6d\u00e9 \U0001F44B");
        QTest::newRow(row(kind, s("4001 123-byte reason"))) << kind << 4001 << longest;
    }
}

// The client starts the close handshake: the peer reports the code and reason it received, and
// echoes the code back, which the client reports in closed().
void tst_ClientInterop::clientCloses()
{
    QFETCH(PeerKind, kind);
    QFETCH(int, code);
    QFETCH(QString, reason);
    requireAvailable(kind);

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    client.ws.close(CloseCode(code), reason);
    QCOMPARE(client.ws.state(), WebSocket::State::Closing);
    QVERIFY2(client.waitForClosed(), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), code); // every peer echoes the code
    QVERIFY2(client.errors.isEmpty(), qPrintable(client.diagnostics()));
    QCOMPARE(client.ws.error().kind(), WebSocketError::Kind::Closed);
    QCOMPARE(client.ws.state(), WebSocket::State::Closed);

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    const QList<QJsonObject> closes = server.events(s("close"));
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closes.first().value(u"code").toInt(), code);
    QCOMPARE(closes.first().value(u"reason").toString(), reason);
    QVERIFY(server.events(s("error")).isEmpty());
}

void tst_ClientInterop::peerCloses_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<bool>("scripted");
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("--mode close"))) << kind << false;
        QTest::newRow(row(kind, s("script: a message, then close"))) << kind << true;
    }
}

// The server closes with 4002 and a reason: the client's closed() reports them, error() says
// ClosedByPeer, and the peer reports the close code qtws echoed back.
void tst_ClientInterop::peerCloses()
{
    QFETCH(PeerKind, kind);
    QFETCH(bool, scripted);
    requireAvailable(kind);
    const QString reason
        = scripted ? s("server: \u00fcn\u00efc\u00f6d\u00e9 bye \U0001F44B") : s("server says bye");
    const QString greeting = s("h\u00e9llo from the server");

    QStringList arguments;
    if (scripted) {
        PeerScript script;
        script.sendText(greeting).sendBinary(70000).close(4002, reason);
        arguments = {s("--mode"), s("script"), s("--script"), script.toJson()};
    } else {
        arguments
            = {s("--mode"), s("close"), s("--close-code"), s("4002"), s("--close-reason"), reason};
    }
    PeerProcess server(kind);
    QVERIFY2(server.startServer(arguments), qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url()), qPrintable(both(client, server)));
    QVERIFY2(client.waitForClosed(), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), 4002);
    QCOMPARE(client.closedReason(), reason);
    QVERIFY2(client.errors.isEmpty(), qPrintable(client.diagnostics()));
    QCOMPARE(client.ws.error().kind(), WebSocketError::Kind::ClosedByPeer);
    QCOMPARE(client.ws.error().closeCode(), 4002);
    QCOMPARE(client.ws.closeReason(), reason);
    if (scripted) {
        QCOMPARE(client.messages.size(), 2);
        QVERIFY(client.messages.at(0).text);
        QCOMPARE(QString::fromUtf8(client.messages.at(0).data), greeting);
        QVERIFY(!client.messages.at(1).text);
        QCOMPARE(client.messages.at(1).data, PeerScript::pattern(false, 70000));
    } else {
        QVERIFY(client.messages.isEmpty());
    }

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QVERIFY2(
        server.events(s("done")).first().value(u"ok").toBool(), qPrintable(server.diagnostics()));
    const QList<QJsonObject> closes = server.events(s("close"));
    QCOMPARE(closes.size(), 1);
    QCOMPARE(closes.first().value(u"code").toInt(), 4002); // qtws echoes the code
}

// -- handshake -------------------------------------------------------------------------------

void tst_ClientInterop::subprotocol_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<QString>("serverSupports");
    QTest::addColumn<QStringList>("clientOffers");
    QTest::addColumn<QStringList>("acceptable"); // what the server may pick; "" for none
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("one in common")))
            << kind << s("chat.v2,superchat") << QStringList{s("chat.v1"), s("chat.v2")}
            << QStringList{s("chat.v2")};
        QTest::newRow(row(kind, s("two in common")))
            << kind << s("chat.v1,chat.v2") << QStringList{s("chat.v2"), s("chat.v1")}
            << QStringList{s("chat.v1"), s("chat.v2")};
        QTest::newRow(row(kind, s("none in common")))
            << kind << s("chat.v2") << QStringList{s("other")} << QStringList{QString()};
        QTest::newRow(row(kind, s("none offered")))
            << kind << s("chat.v2") << QStringList() << QStringList{QString()};
    }
}

// The client offers a list; the server picks one that was offered (or none), and both ends agree.
void tst_ClientInterop::subprotocol()
{
    QFETCH(PeerKind, kind);
    QFETCH(QString, serverSupports);
    QFETCH(QStringList, clientOffers);
    QFETCH(QStringList, acceptable);
    requireAvailable(kind);

    PeerProcess server(kind);
    QVERIFY2(server.startServer({s("--mode"), s("echo"), s("--subprotocol"), serverSupports}),
        qPrintable(server.diagnostics()));
    Client client;
    QVERIFY2(client.open(server.url(), {.subprotocols = clientOffers}),
        qPrintable(both(client, server)));
    const QString chosen = client.ws.subprotocol();
    QVERIFY2(acceptable.contains(chosen), qPrintable(chosen));
    QCOMPARE(
        QString::fromUtf8(client.ws.handshakeRequest().headers.value("Sec-WebSocket-Protocol")),
        clientOffers.join(s(", ")));
    QVERIFY2(server.waitForEvent(s("open")), qPrintable(server.diagnostics()));
    const QJsonValue peerChosen = server.events(s("open")).first().value(u"subprotocol");
    if (chosen.isEmpty())
        QVERIFY2(peerChosen.isNull(), qPrintable(compact(server.events(s("open")).first())));
    else
        QCOMPARE(peerChosen.toString(), chosen);
    QCOMPARE(client.ws.sendTextMessage(s("with ") + chosen), 5 + chosen.toUtf8().size());
    QVERIFY2(client.waitForMessages(1), qPrintable(both(client, server)));
    QVERIFY2(closeAndWait(client), qPrintable(both(client, server)));
}

// -- TLS -------------------------------------------------------------------------------------

void tst_ClientInterop::tls_data()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<TlsCase>("tlsCase");
    for (PeerKind kind : peerKinds) {
        QTest::newRow(row(kind, s("trusted CA"))) << kind << TlsCase::TrustedCa;
        QTest::newRow(row(kind, s("no CA"))) << kind << TlsCase::NoCa;
        QTest::newRow(row(kind, s("hostname mismatch"))) << kind << TlsCase::WrongHost;
        QTest::newRow(row(kind, s("insecure opt-out"))) << kind << TlsCase::Insecure;
    }
}

// wss:// against the peer serving a certificate made by openssl at test time.
void tst_ClientInterop::tls()
{
    QFETCH(PeerKind, kind);
    QFETCH(TlsCase, tlsCase);
    requireAvailable(kind);

    PeerProcess server(kind);
    const CertificateFiles &served
        = tlsCase == TlsCase::WrongHost ? certificates->wrongHost() : certificates->server();
    QVERIFY2(server.startServer(QStringList{s("--mode"), s("echo")} + tlsServerArguments(served)),
        qPrintable(server.diagnostics()));
    const QUrl url = server.url(s("/secure"), true);
    QCOMPARE(url.scheme(), s("wss"));
    QCOMPARE(url.host(), s("127.0.0.1"));

    ClientOptions options;
    // Longer than every bounded wait here: a close that only ends by this timeout fails the test.
    options.timeouts.close = 2 * waitTimeout;
    if (tlsCase == TlsCase::TrustedCa || tlsCase == TlsCase::WrongHost)
        options.sslConfiguration.setCaCertificates({certificates->ca().certificate});
    if (tlsCase == TlsCase::Insecure) {
        options.insecureSkipTlsVerification = true;
        QTest::ignoreMessage(QtWarningMsg,
            QRegularExpression(
                QStringLiteral("TLS certificate verification is OFF for "
                               "\"?127\\.0\\.0\\.1\"?:%1 .*insecureSkipTlsVerification")
                    .arg(server.port())));
    }
    Client client;
    const bool opened = client.open(url, options);

    if (tlsCase == TlsCase::NoCa || tlsCase == TlsCase::WrongHost) {
        QVERIFY2(!opened, qPrintable(both(client, server)));
        QVERIFY2(client.waitForClosed(), qPrintable(both(client, server)));
        QCOMPARE(client.errors.size(), 1);
        const WebSocketError error = client.errorAt(0);
        QCOMPARE(error.kind(), WebSocketError::Kind::TlsFailed);
        QCOMPARE(error.closeCode(), 1015);
        QCOMPARE(client.closedCode(), 1015);
        QVERIFY(client.connected.isEmpty());
        QCOMPARE(client.ws.state(), WebSocket::State::Closed);
        // The reason carries Qt's TLS error text.
        const QString wanted = tlsCase == TlsCase::WrongHost
            ? QSslError(QSslError::HostNameMismatch).errorString()
            : QSslError(QSslError::UnableToGetLocalIssuerCertificate).errorString();
        QVERIFY2(error.reason().contains(wanted), qPrintable(error.reason()));
        if (tlsCase == TlsCase::NoCa)
            QVERIFY2(!error.reason().contains(QSslError(QSslError::HostNameMismatch).errorString()),
                qPrintable(error.reason()));
        // The peer never saw a WebSocket open.
        QVERIFY(server.isRunning());
        QVERIFY2(server.events(s("open")).isEmpty(), qPrintable(server.diagnostics()));
        return;
    }

    QVERIFY2(opened, qPrintable(both(client, server)));
    QCOMPARE(client.ws.url().scheme(), s("wss"));
    const QByteArray binary = PeerScript::pattern(false, 70000);
    QCOMPARE(client.ws.sendTextMessage(s("over tls \u00e9")), 11);
    QCOMPARE(client.ws.sendBinaryMessage(binary), binary.size());
    QVERIFY2(client.waitForMessages(2), qPrintable(both(client, server)));
    QCOMPARE(QString::fromUtf8(client.messages.at(0).data), s("over tls \u00e9"));
    QCOMPARE(client.messages.at(1).data, binary);
    // The close handshake, then the server's end of TCP (or of TLS: a close_notify) ends it; the
    // close timeout (longer than this wait) must not be what ends it.
    QVERIFY2(
        closeAndWait(client, CloseCode(4001), s("tls done")), qPrintable(both(client, server)));
    QCOMPARE(client.closedCode(), 4001);
    QCOMPARE(client.ws.error().kind(), WebSocketError::Kind::Closed);

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("open")).value(0).value(u"path").toString(), s("/secure"));
    const QList<QJsonObject> received = messageEvents(server);
    QCOMPARE(received.size(), 2);
    QString why = checkMessageEvent(received.at(0), true, s("over tls \u00e9").toUtf8());
    QVERIFY2(why.isEmpty(), qPrintable(why));
    why = checkMessageEvent(received.at(1), false, binary);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    QCOMPARE(server.events(s("close")).value(0).value(u"code").toInt(), 4001);
    QCOMPARE(server.events(s("close")).value(0).value(u"reason").toString(), s("tls done"));
}

QTEST_GUILESS_MAIN(tst_ClientInterop)
#include "tst_client_interop.moc"
