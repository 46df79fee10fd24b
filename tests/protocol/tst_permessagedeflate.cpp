// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate (RFC 7692): §7.2.3's examples byte for byte, every negotiation rule in
// both roles, round trips through real Conn pairs across every window size and both takeover
// modes (whole, one byte at a time, fragmented), the RSV1 rules with the extension present,
// and a decompression bomb against maxMessageSize with the allocations counted.
// Random splits are seeded; set QTWS_TEST_SEED to replay a failure.

#include <QtWs/conn.h>
#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

using namespace qtws;
using handshake::ExtensionItem;

Q_DECLARE_METATYPE(qtws::PerMessageDeflateOptions)
Q_DECLARE_METATYPE(qtws::PerMessageDeflateParams)

namespace {

quint32 testSeed()
{
    static const quint32 seed = [] {
        bool ok = false;
        const quint32 fromEnv = qEnvironmentVariable("QTWS_TEST_SEED").toUInt(&ok);
        return ok ? fromEnv : QRandomGenerator::global()->generate();
    }();
    return seed;
}

constexpr quint8 Rsv1 = 0x40, Rsv2 = 0x20, Rsv3 = 0x10;
constexpr quint8 FrameKey[4] = {0x37, 0xFA, 0x21, 0x3D};

// A reference frame encoder for what a peer sends (independent of the codec's own).
QByteArray frame(
    quint8 opcode, const QByteArray &payload, bool masked, bool fin = true, quint8 rsv = 0)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | rsv | opcode));
    const int maskBit = masked ? 0x80 : 0;
    const quint64 length = quint64(payload.size());
    if (length < 126) {
        out.append(char(maskBit | int(length)));
    } else if (length <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(length >> 8));
        out.append(char(length & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            out.append(char((length >> shift) & 0xFF));
    }
    if (masked)
        out.append(reinterpret_cast<const char *>(FrameKey), 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(masked ? char(payload[i] ^ FrameKey[i % 4]) : payload[i]);
    return out;
}

QByteArray toServer(quint8 opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0)
{
    return frame(opcode, payload, true, fin, rsv);
}

struct WireFrame
{
    quint8 opcode = 0;
    quint8 rsv = 0;
    bool fin = true;
    QByteArray payload;
};

// Splits what a Conn wrote into frames (unmasking a client's).
std::vector<WireFrame> parseFrames(const QByteArray &out)
{
    std::vector<WireFrame> frames;
    qsizetype at = 0;
    auto byte = [&](qsizetype i) { return quint8(out.at(i)); };
    while (at + 2 <= out.size()) {
        WireFrame f;
        f.fin = byte(at) & 0x80;
        f.rsv = byte(at) & 0x70;
        f.opcode = byte(at) & 0x0F;
        const bool masked = byte(at + 1) & 0x80;
        quint64 length = byte(at + 1) & 0x7F;
        at += 2;
        if (length == 126) {
            length = (quint64(byte(at)) << 8) | byte(at + 1);
            at += 2;
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | byte(at + i);
            at += 8;
        }
        quint8 key[4] = {0, 0, 0, 0};
        if (masked) {
            for (int i = 0; i < 4; ++i)
                key[i] = byte(at + i);
            at += 4;
        }
        f.payload = out.mid(at, qsizetype(length));
        for (qsizetype i = 0; i < f.payload.size(); ++i)
            f.payload[i] = char(f.payload[i] ^ key[i % 4]);
        at += qsizetype(length);
        frames.push_back(f);
    }
    return frames;
}

enum class Feed { Whole, ByteByByte, RandomSplits };

void feed(Conn &conn, const QByteArray &bytes, Feed mode)
{
    if (mode == Feed::Whole) {
        conn.receive(bytes);
        return;
    }
    std::mt19937 rng(testSeed());
    for (qsizetype at = 0; at < bytes.size();) {
        const qsizetype chunk = mode == Feed::ByteByByte
            ? 1
            : std::min<qsizetype>(bytes.size() - at, 1 + qsizetype(rng() % 97));
        conn.receive(QByteArrayView(bytes).sliced(at, chunk));
        at += chunk;
    }
}

std::vector<Event> drain(Conn &conn)
{
    std::vector<Event> events;
    while (std::optional<Event> event = conn.nextEvent())
        events.push_back(std::move(*event));
    return events;
}

QString failureOf(const std::vector<Event> &events)
{
    for (const Event &e : events) {
        if (e.type == Event::Type::Failure)
            return QStringLiteral("%1 %2").arg(e.closeCode).arg(e.reason);
    }
    return {};
}

Conn::Options fixedKey()
{
    Conn::Options options;
    options.maskKeySource = [] { return 0x37FA213Du; };
    return options;
}

Conn withDeflate(Role role, const PerMessageDeflateParams &params,
    const PerMessageDeflateOptions &options = {.compressionThreshold = 0},
    Conn::Options connOptions = fixedKey())
{
    Conn conn(role, std::move(connOptions));
    conn.setExtension(std::make_unique<PerMessageDeflate>(role, params, options));
    return conn;
}

PerMessageDeflate *deflateOf(Conn &conn)
{
    return static_cast<PerMessageDeflate *>(conn.extension());
}

QList<ExtensionItem> items(const QByteArray &header)
{
    if (header.isEmpty())
        return {};
    const handshake::ExtensionsParseResult parsed = handshake::parseExtensions({header});
    if (!parsed.ok())
        qFatal("test header does not parse: %s", parsed.error.constData());
    return parsed.extensions;
}

ExtensionItem item(const QByteArray &header)
{
    const QList<ExtensionItem> list = items(header);
    return list.isEmpty() ? ExtensionItem{} : list.first();
}

// Raw DEFLATE with Z_SYNC_FLUSH and the tail stripped, for inputs the codec under test did not
// make. strategy Z_RLE only emits distance-1 matches: valid for every window size, 8 included.
QByteArray rawDeflate(
    const QByteArray &data, int level = 9, int windowBits = 15, int strategy = Z_DEFAULT_STRATEGY)
{
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, -windowBits, 8, strategy) != Z_OK)
        qFatal("deflateInit2 failed");
    QByteArray out(qsizetype(deflateBound(&z, uLong(data.size()))) + 64, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const int result = deflate(&z, Z_SYNC_FLUSH);
    Q_ASSERT(result == Z_OK && z.avail_in == 0 && z.avail_out > 0);
    out.resize(out.size() - qsizetype(z.avail_out) - 4);
    deflateEnd(&z);
    return out;
}

// Deterministic chat/telemetry-like JSON, the kind of traffic the extension is for.
QByteArray jsonMessage(int index, int approxSize)
{
    QByteArray out
        = "{\"type\":\"telemetry\",\"seq\":" + QByteArray::number(index) + ",\"points\":[";
    int i = 0;
    while (out.size() < approxSize) {
        out += (i ? "," : "") + QByteArray("{\"sensor\":\"temp-")
            + QByteArray::number((index * 7 + i) % 13) + "\",\"value\":"
            + QByteArray::number(20 + ((index * 31 + i * 17) % 150) / 10.0) + ",\"ok\":true}";
        ++i;
    }
    return out + "]}";
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    std::mt19937 rng(seed);
    QByteArray out(size, Qt::Uninitialized);
    for (char &c : out)
        c = char(rng());
    return out;
}

struct Message
{
    MessageType type;
    QByteArray payload;
};

std::vector<Message> conversation()
{
    return {
        {MessageType::Text, "Hello"},
        {MessageType::Text, jsonMessage(1, 1024)},
        {MessageType::Text, jsonMessage(2, 1024)}, // shares most bytes with the previous one
        {MessageType::Binary, QByteArray()},
        {MessageType::Binary, randomBytes(3000, 7)}, // incompressible
        {MessageType::Text, jsonMessage(3, 20000)},
        {MessageType::Binary, QByteArray(5000, 'z')},
        {MessageType::Text, jsonMessage(1, 1024)},
    };
}

PerMessageDeflateParams paramsFor(int bits, bool noContextTakeover)
{
    return {.serverNoContextTakeover = noContextTakeover,
        .clientNoContextTakeover = noContextTakeover,
        .serverMaxWindowBits = bits,
        .clientMaxWindowBits = bits};
}

} // namespace

class tst_PerMessageDeflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qInfo("QTWS_TEST_SEED=%u", testSeed()); }

    void rfcExamplesDecode_data();
    void rfcExamplesDecode();
    void rfcExamplesEncode();

    void makeOffer_data();
    void makeOffer();
    void serverNegotiation_data();
    void serverNegotiation();
    void clientNegotiation_data();
    void clientNegotiation();

    void roundTrip_data();
    void roundTrip();
    void eightBitWindowFromThePeer();

    void rsv1Rules_data();
    void rsv1Rules();

    void sendPolicy();
    void decompressionBomb();
    void limitIsExact();
    void memoryPerConnection();
};

// --- RFC 7692 §7.2.3 ----------------------------------------------------------------------------

void tst_PerMessageDeflate::rfcExamplesDecode_data()
{
    QTest::addColumn<QByteArray>("wire"); // frames from a server, unmasked, as in the RFC
    QTest::addColumn<QList<QByteArray>>("messages");
    const QByteArray hello = "Hello";

    QTest::newRow("§7.2.3.1: \"Hello\" compressed in one frame")
        << QByteArray::fromHex("c107f248cdc9c90700") << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.1: \"Hello\" compressed and fragmented in two frames")
        << QByteArray::fromHex("4103f248cd"
                               "8004c9c90700")
        << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.2: the second \"Hello\" is a back-reference into the shared window")
        << QByteArray::fromHex("c107f248cdc9c90700"
                               "c105f200110000")
        << QList<QByteArray>{hello, hello};
    QTest::newRow("§7.2.3.3: a DEFLATE block with no compression")
        << QByteArray::fromHex("c10b0005 00faff48656c6c6f00") << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.4: a DEFLATE block with BFINAL set")
        << QByteArray::fromHex("c108f348cdc9c9070000") << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.4: after a BFINAL block the window still carries over")
        << QByteArray::fromHex("c108f348cdc9c9070000"
                               "c105f200110000")
        << QList<QByteArray>{hello, hello};
    QTest::newRow("§7.2.3.5: two DEFLATE blocks in one message")
        << QByteArray::fromHex("c10df248050000 00ffffcac9c90700") << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.6: an unstripped first fragment and a final fragment of 0x00")
        << QByteArray::fromHex("410bf248cdc9c907000000ffff"
                               "800100")
        << QList<QByteArray>{hello};
    QTest::newRow("§7.2.3.6: an empty message compressed is the single byte 0x00")
        << QByteArray::fromHex("c10100") << QList<QByteArray>{QByteArray()};
    QTest::newRow("two complete DEFLATE streams (BFINAL twice) in one message")
        << QByteArray::fromHex("c10ef348cdc9c90700f348cdc9c90700")
        << QList<QByteArray>{hello + hello};
}

void tst_PerMessageDeflate::rfcExamplesDecode()
{
    QFETCH(QByteArray, wire);
    QFETCH(QList<QByteArray>, messages);
    for (Feed mode : {Feed::Whole, Feed::ByteByByte, Feed::RandomSplits}) {
        Conn client = withDeflate(Role::Client, {});
        feed(client, wire, mode);
        QList<QByteArray> got;
        for (const Event &e : drain(client)) {
            QVERIFY2(e.type == Event::Type::TextMessage, qPrintable(e.reason));
            got.append(e.payload);
        }
        QCOMPARE(got, messages);
    }
}

void tst_PerMessageDeflate::rfcExamplesEncode()
{
    // RFC 7692 §7.2.3.1 and §7.2.3.2: a server sending "Hello" twice with context takeover.
    Conn server = withDeflate(Role::Server, {});
    QCOMPARE(server.sendText("Hello"), 5);
    QCOMPARE(server.takeOutgoing().toHex(), QByteArray("c107f248cdc9c90700"));
    QCOMPARE(server.sendText("Hello"), 5);
    QCOMPARE(server.takeOutgoing().toHex(), QByteArray("c105f200110000"));

    // Without context takeover each message is compressed alone: the same bytes each time.
    // ("Hello" itself would not shrink, so that server sends it plain.)
    Conn reset = withDeflate(Role::Server, {.serverNoContextTakeover = true});
    reset.sendText("Hello");
    QCOMPARE(reset.takeOutgoing().toHex(), QByteArray("810548656c6c6f"));
    const QByteArray json = jsonMessage(1, 300);
    reset.sendText(json);
    const QByteArray first = reset.takeOutgoing();
    reset.sendText(json);
    QCOMPARE(reset.takeOutgoing(), first);
    QCOMPARE(quint8(first.at(0)), quint8(0xc1));

    // §7.2.3.6: an empty message compresses to the single byte 0x00 (threshold 0).
    Conn empty = withDeflate(Role::Server, {});
    empty.sendBinary({});
    QCOMPARE(empty.takeOutgoing().toHex(), QByteArray("c20100"));
    // ... also after other messages, with context takeover.
    empty.sendText("Hello");
    empty.takeOutgoing();
    empty.sendBinary({});
    QCOMPARE(empty.takeOutgoing().toHex(), QByteArray("c20100"));

    // A client masks the same compressed bytes (key 37 fa 21 3d).
    Conn client = withDeflate(Role::Client, {});
    client.sendText("Hello");
    const std::vector<WireFrame> frames = parseFrames(client.takeOutgoing());
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].rsv, Rsv1);
    QCOMPARE(frames[0].payload.toHex(), QByteArray("f248cdc9c90700"));
}

// --- negotiation --------------------------------------------------------------------------------

void tst_PerMessageDeflate::makeOffer_data()
{
    QTest::addColumn<PerMessageDeflateOptions>("options");
    QTest::addColumn<QByteArray>("offer");

    QTest::newRow("the default offer lets the server choose the client's window")
        << PerMessageDeflateOptions{} << QByteArray("permessage-deflate; client_max_window_bits");
    QTest::newRow("a disabled extension offers nothing")
        << PerMessageDeflateOptions{.enabled = false} << QByteArray();
    QTest::newRow("a smaller server window is requested, a smaller client window promised")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 10, .clientMaxWindowBits = 11}
        << QByteArray("permessage-deflate; server_max_window_bits=10; client_max_window_bits=11");
    QTest::newRow("both no-context-takeover parameters are offered")
        << PerMessageDeflateOptions{.serverNoContextTakeover = true,
               .clientNoContextTakeover = true}
        << QByteArray("permessage-deflate; server_no_context_takeover; "
                      "client_no_context_takeover; client_max_window_bits");
    QTest::newRow("a client window of 8 is offered as 9, the smallest zlib compresses with")
        << PerMessageDeflateOptions{.clientMaxWindowBits = 8}
        << QByteArray("permessage-deflate; client_max_window_bits=9");
    QTest::newRow("a server window of 8 may be requested: inflating needs no zlib compressor")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 8}
        << QByteArray("permessage-deflate; server_max_window_bits=8; client_max_window_bits");
    QTest::newRow("out-of-range window bits are clamped into 8..15")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 99, .clientMaxWindowBits = 3}
        << QByteArray("permessage-deflate; client_max_window_bits=9");
}

void tst_PerMessageDeflate::makeOffer()
{
    QFETCH(PerMessageDeflateOptions, options);
    QFETCH(QByteArray, offer);
    if (options.serverMaxWindowBits.value_or(15) > 15)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("clamped")));
    if (options.clientMaxWindowBits.value_or(15) < 8)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("clamped")));
    QCOMPARE(PerMessageDeflate::makeOffer(options), offer);
}

void tst_PerMessageDeflate::serverNegotiation_data()
{
    QTest::addColumn<QByteArray>("offers");
    QTest::addColumn<PerMessageDeflateOptions>("options");
    QTest::addColumn<QByteArray>("response"); // empty: every offer declined
    QTest::addColumn<PerMessageDeflateParams>("params");
    QTest::addColumn<int>("declined");

    const PerMessageDeflateOptions defaults;
    // A server with zlib's defaults, to show the RFC's rules without this library's limits.
    const PerMessageDeflateOptions wide{.serverMaxWindowBits = 15, .clientMaxWindowBits = 15};
    using P = PerMessageDeflateParams;
    const QByteArray none;

    QTest::newRow("a bare offer to a wide server is accepted bare")
        << QByteArray("permessage-deflate") << wide << QByteArray("permessage-deflate") << P{} << 0;
    QTest::newRow(
        "default server: declares its 12-bit window; a bare offer keeps 15 for the client")
        << QByteArray("permessage-deflate") << defaults
        << QByteArray("permessage-deflate; server_max_window_bits=12")
        << P{.serverMaxWindowBits = 12} << 0;
    QTest::newRow("default server: client_max_window_bits offered → both windows 12")
        << QByteArray("permessage-deflate; client_max_window_bits") << defaults
        << QByteArray("permessage-deflate; server_max_window_bits=12; client_max_window_bits=12")
        << P{.serverMaxWindowBits = 12, .clientMaxWindowBits = 12} << 0;
    QTest::newRow("client_max_window_bits=10, below the server's cap, is kept")
        << QByteArray("permessage-deflate; client_max_window_bits=10") << defaults
        << QByteArray("permessage-deflate; server_max_window_bits=12; client_max_window_bits=10")
        << P{.serverMaxWindowBits = 12, .clientMaxWindowBits = 10} << 0;
    QTest::newRow("client_max_window_bits=15 on a wide server needs no answer")
        << QByteArray("permessage-deflate; client_max_window_bits=15") << wide
        << QByteArray("permessage-deflate") << P{} << 0;
    QTest::newRow("server_max_window_bits=10 requested → answered 10 (§7.1.2.1)")
        << QByteArray("permessage-deflate; server_max_window_bits=10") << wide
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << P{.serverMaxWindowBits = 10} << 0;
    QTest::newRow("server_max_window_bits=15 requested → answered 15")
        << QByteArray("permessage-deflate; server_max_window_bits=15") << wide
        << QByteArray("permessage-deflate; server_max_window_bits=15") << P{} << 0;
    QTest::newRow("server_max_window_bits=14 above the server's 12 → answered 12")
        << QByteArray("permessage-deflate; server_max_window_bits=14") << defaults
        << QByteArray("permessage-deflate; server_max_window_bits=12")
        << P{.serverMaxWindowBits = 12} << 0;
    QTest::newRow("server_max_window_bits=8 is accepted; this server then sends plain")
        << QByteArray("permessage-deflate; server_max_window_bits=8") << wide
        << QByteArray("permessage-deflate; server_max_window_bits=8") << P{.serverMaxWindowBits = 8}
        << 0;
    QTest::newRow("a configured server window of 8 is declared as 9")
        << QByteArray("permessage-deflate")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 8, .clientMaxWindowBits = 15}
        << QByteArray("permessage-deflate; server_max_window_bits=9") << P{.serverMaxWindowBits = 9}
        << 0;
    QTest::newRow("a client cap of 8 is allowed (the server only inflates with it)")
        << QByteArray("permessage-deflate; client_max_window_bits")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 15, .clientMaxWindowBits = 8}
        << QByteArray("permessage-deflate; client_max_window_bits=8") << P{.clientMaxWindowBits = 8}
        << 0;
    QTest::newRow("server_no_context_takeover requested → echoed (§7.1.1.1)")
        << QByteArray("permessage-deflate; server_no_context_takeover") << wide
        << QByteArray("permessage-deflate; server_no_context_takeover")
        << P{.serverNoContextTakeover = true} << 0;
    QTest::newRow("client_no_context_takeover offered → echoed, so it binds (§7.1.1.2)")
        << QByteArray("permessage-deflate; client_no_context_takeover") << wide
        << QByteArray("permessage-deflate; client_no_context_takeover")
        << P{.clientNoContextTakeover = true} << 0;
    QTest::newRow("a server configured without context takeover declares both unasked")
        << QByteArray("permessage-deflate")
        << PerMessageDeflateOptions{.serverMaxWindowBits = 15,
               .clientMaxWindowBits = 15,
               .serverNoContextTakeover = true,
               .clientNoContextTakeover = true}
        << QByteArray("permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        << P{.serverNoContextTakeover = true, .clientNoContextTakeover = true} << 0;
    QTest::newRow("all four parameters at once")
        << QByteArray("permessage-deflate; client_no_context_takeover; server_max_window_bits=9; "
                      "server_no_context_takeover; client_max_window_bits=11")
        << defaults
        << QByteArray("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
                      "server_max_window_bits=9; client_max_window_bits=11")
        << P{true, true, 9, 11} << 0;
    QTest::newRow("a quoted value is the token it unescapes to (RFC 6455 §9.1)")
        << QByteArray("permessage-deflate; server_max_window_bits=\"10\"") << wide
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << P{.serverMaxWindowBits = 10} << 0;

    QTest::newRow("an unknown parameter → declined (§5)")
        << QByteArray("permessage-deflate; x_window=10") << wide << none << P{} << 1;
    QTest::newRow("a duplicated server_no_context_takeover → declined")
        << QByteArray("permessage-deflate; server_no_context_takeover; server_no_context_takeover")
        << wide << none << P{} << 1;
    QTest::newRow("a duplicated client_max_window_bits → declined")
        << QByteArray("permessage-deflate; client_max_window_bits; client_max_window_bits=10")
        << wide << none << P{} << 1;
    QTest::newRow("server_max_window_bits without a value → declined")
        << QByteArray("permessage-deflate; server_max_window_bits") << wide << none << P{} << 1;
    QTest::newRow("server_max_window_bits=16 → declined")
        << QByteArray("permessage-deflate; server_max_window_bits=16") << wide << none << P{} << 1;
    QTest::newRow("server_max_window_bits=7 → declined")
        << QByteArray("permessage-deflate; server_max_window_bits=7") << wide << none << P{} << 1;
    QTest::newRow("server_max_window_bits=010 (a leading zero) → declined")
        << QByteArray("permessage-deflate; server_max_window_bits=010") << wide << none << P{} << 1;
    QTest::newRow("client_max_window_bits=abc → declined")
        << QByteArray("permessage-deflate; client_max_window_bits=abc") << wide << none << P{} << 1;
    QTest::newRow("client_max_window_bits=16 → declined")
        << QByteArray("permessage-deflate; client_max_window_bits=16") << wide << none << P{} << 1;
    QTest::newRow("server_no_context_takeover with a value → declined")
        << QByteArray("permessage-deflate; server_no_context_takeover=1") << wide << none << P{}
        << 1;
    QTest::newRow("an invalid first offer is declined and the second accepted")
        << QByteArray("permessage-deflate; server_max_window_bits=99, permessage-deflate; "
                      "client_max_window_bits")
        << defaults
        << QByteArray("permessage-deflate; server_max_window_bits=12; client_max_window_bits=12")
        << P{.serverMaxWindowBits = 12, .clientMaxWindowBits = 12} << 1;
    QTest::newRow("the first acceptable offer wins (the client's preference order)")
        << QByteArray("permessage-deflate; server_max_window_bits=10, permessage-deflate") << wide
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << P{.serverMaxWindowBits = 10} << 0;
    QTest::newRow("other extensions' elements are skipped")
        << QByteArray("x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=9")
        << wide << QByteArray("permessage-deflate; client_max_window_bits=9")
        << P{.clientMaxWindowBits = 9} << 0;
    QTest::newRow("every offer invalid → no response, the connection goes on uncompressed")
        << QByteArray("permessage-deflate; a, permessage-deflate; b=1") << wide << none << P{} << 2;
    QTest::newRow("a disabled server accepts nothing")
        << QByteArray("permessage-deflate") << PerMessageDeflateOptions{.enabled = false} << none
        << P{} << 0;
    QTest::newRow("no offer → nothing") << QByteArray() << defaults << none << P{} << 0;
}

void tst_PerMessageDeflate::serverNegotiation()
{
    QFETCH(QByteArray, offers);
    QFETCH(PerMessageDeflateOptions, options);
    QFETCH(QByteArray, response);
    QFETCH(PerMessageDeflateParams, params);
    QFETCH(int, declined);

    const QList<ExtensionItem> offered = items(offers);
    const PerMessageDeflate::ServerResult result
        = PerMessageDeflate::negotiateAsServer(offered, options);
    QCOMPARE(result.declined.size(), declined);
    for (const QByteArray &why : result.declined)
        QVERIFY2(why.size() <= 123, why.constData());
    if (response.isEmpty()) {
        QVERIFY(!result.response);
        QVERIFY(!result.extension);
        return;
    }
    QVERIFY(result.response && result.extension);
    QCOMPARE(handshake::serializeExtensions({*result.response}), response);
    QCOMPARE(result.params, params);
    QCOMPARE(result.extension->params(), params);
    QCOMPARE(result.extension->role(), Role::Server);
    // zlib cannot compress for an 8-bit window: that server sends plain.
    QCOMPARE(result.extension->canCompress(), params.serverMaxWindowBits > 8);

    // The contract: the client that made the accepted offer agrees on the same parameters.
    int index = 0;
    for (const ExtensionItem &offer : offered) {
        if (offer.name != "permessage-deflate")
            continue;
        if (index++ < declined)
            continue;
        const PerMessageDeflate::ClientResult client
            = PerMessageDeflate::acceptAsClient(items(response), offer);
        QVERIFY2(client.ok(), client.error.constData());
        QVERIFY(client.extension);
        QCOMPARE(client.params, params);
        break;
    }
}

void tst_PerMessageDeflate::clientNegotiation_data()
{
    QTest::addColumn<QByteArray>("offer");
    QTest::addColumn<QByteArray>("response"); // the server's Sec-WebSocket-Extensions
    QTest::addColumn<QByteArray>("error"); // a fragment of the reason; empty: accepted
    QTest::addColumn<bool>("negotiated");
    QTest::addColumn<PerMessageDeflateParams>("params");

    using P = PerMessageDeflateParams;
    const QByteArray standard = "permessage-deflate; client_max_window_bits";
    const QByteArray ok;

    QTest::newRow("the server declined: no element, no extension, no error")
        << standard << QByteArray() << ok << false << P{};
    QTest::newRow("other extensions in the response are not ours to judge")
        << standard << QByteArray("x-other; a=1") << ok << false << P{};
    QTest::newRow("a bare acceptance: 15-bit windows and context takeover both ways")
        << standard << QByteArray("permessage-deflate") << ok << true << P{};
    QTest::newRow("server_max_window_bits unrequested limits only the server (§7.1.2.1)")
        << standard << QByteArray("permessage-deflate; server_max_window_bits=10") << ok << true
        << P{.serverMaxWindowBits = 10};
    QTest::newRow("client_max_window_bits=9 limits this client's compressor (§7.1.2.2)")
        << standard << QByteArray("permessage-deflate; client_max_window_bits=9") << ok << true
        << P{.clientMaxWindowBits = 9};
    QTest::newRow("client_max_window_bits=8: accepted, and this client then sends plain")
        << standard << QByteArray("permessage-deflate; client_max_window_bits=8") << ok << true
        << P{.clientMaxWindowBits = 8};
    QTest::newRow("an answer above the offered client window changes nothing")
        << QByteArray("permessage-deflate; client_max_window_bits=10")
        << QByteArray("permessage-deflate; client_max_window_bits=12") << ok << true
        << P{.clientMaxWindowBits = 10};
    QTest::newRow("an offered client window binds even when the server is silent")
        << QByteArray("permessage-deflate; client_max_window_bits=10")
        << QByteArray("permessage-deflate") << ok << true << P{.clientMaxWindowBits = 10};
    QTest::newRow("server_no_context_takeover unrequested is allowed (§7.1.1.1)")
        << standard << QByteArray("permessage-deflate; server_no_context_takeover") << ok << true
        << P{.serverNoContextTakeover = true};
    QTest::newRow("client_no_context_takeover from the server binds this client (§7.1.1.2)")
        << standard << QByteArray("permessage-deflate; client_no_context_takeover") << ok << true
        << P{.clientNoContextTakeover = true};
    QTest::newRow("client_no_context_takeover offered binds this client whatever the answer")
        << QByteArray("permessage-deflate; client_no_context_takeover")
        << QByteArray("permessage-deflate") << ok << true << P{.clientNoContextTakeover = true};
    QTest::newRow("server_max_window_bits=10 requested and answered 9")
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << QByteArray("permessage-deflate; server_max_window_bits=9") << ok << true
        << P{.serverMaxWindowBits = 9};

    QTest::newRow("two permessage-deflate elements → fail")
        << standard << QByteArray("permessage-deflate, permessage-deflate")
        << QByteArray("more than one element") << false << P{};
    QTest::newRow("accepted but never offered → fail")
        << QByteArray() << QByteArray("permessage-deflate") << QByteArray("not offered") << false
        << P{};
    QTest::newRow("an unknown parameter → fail (§5)")
        << standard << QByteArray("permessage-deflate; foo") << QByteArray("unknown parameter")
        << false << P{};
    QTest::newRow("a duplicated parameter → fail")
        << standard
        << QByteArray("permessage-deflate; server_max_window_bits=10; server_max_window_bits=10")
        << QByteArray("duplicate server_max_window_bits") << false << P{};
    QTest::newRow("server_max_window_bits=16 → fail")
        << standard << QByteArray("permessage-deflate; server_max_window_bits=16")
        << QByteArray("is not 8..15") << false << P{};
    QTest::newRow("server_max_window_bits=7 → fail")
        << standard << QByteArray("permessage-deflate; server_max_window_bits=7")
        << QByteArray("is not 8..15") << false << P{};
    QTest::newRow("server_max_window_bits without a value → fail")
        << standard << QByteArray("permessage-deflate; server_max_window_bits")
        << QByteArray("without a value") << false << P{};
    QTest::newRow("client_max_window_bits without a value in a response → fail (§7.1.2.2)")
        << standard << QByteArray("permessage-deflate; client_max_window_bits")
        << QByteArray("without a value") << false << P{};
    QTest::newRow("client_max_window_bits=16 → fail")
        << standard << QByteArray("permessage-deflate; client_max_window_bits=16")
        << QByteArray("is not 8..15") << false << P{};
    QTest::newRow("client_max_window_bits answered though not offered → fail (§7.1.2.2)")
        << QByteArray("permessage-deflate")
        << QByteArray("permessage-deflate; client_max_window_bits=10")
        << QByteArray("was not offered") << false << P{};
    QTest::newRow("server_no_context_takeover requested but not echoed → fail (§7.1.1.1)")
        << QByteArray("permessage-deflate; server_no_context_takeover")
        << QByteArray("permessage-deflate") << QByteArray("requested but not accepted") << false
        << P{};
    QTest::newRow("server_max_window_bits requested but absent → fail (§7.1.2.1)")
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << QByteArray("permessage-deflate") << QByteArray("requested but not accepted") << false
        << P{};
    QTest::newRow("server_max_window_bits answered above the request → fail (§7.1.2.1)")
        << QByteArray("permessage-deflate; server_max_window_bits=10")
        << QByteArray("permessage-deflate; server_max_window_bits=11")
        << QByteArray("exceeds the 10 offered") << false << P{};
    QTest::newRow("client_no_context_takeover with a value → fail")
        << standard << QByteArray("permessage-deflate; client_no_context_takeover=yes")
        << QByteArray("has a value") << false << P{};
}

void tst_PerMessageDeflate::clientNegotiation()
{
    QFETCH(QByteArray, offer);
    QFETCH(QByteArray, response);
    QFETCH(QByteArray, error);
    QFETCH(bool, negotiated);
    QFETCH(PerMessageDeflateParams, params);

    const PerMessageDeflate::ClientResult result
        = PerMessageDeflate::acceptAsClient(items(response), item(offer));
    QVERIFY(result.error.size() <= 123);
    if (!error.isEmpty()) {
        QVERIFY2(result.error.contains(error), result.error.constData());
        QVERIFY(!result.ok());
        return;
    }
    QVERIFY2(result.ok(), result.error.constData());
    QCOMPARE(bool(result.extension), negotiated);
    if (!negotiated)
        return;
    QCOMPARE(result.params, params);
    QCOMPARE(result.extension->role(), Role::Client);
    QCOMPARE(result.extension->canCompress(), params.clientMaxWindowBits > 8);
}

// --- round trips through Conn pairs -------------------------------------------------------------

void tst_PerMessageDeflate::roundTrip_data()
{
    QTest::addColumn<PerMessageDeflateParams>("params");
    QTest::addColumn<bool>("fragmented");
    for (int bits = 8; bits <= 15; ++bits) {
        for (bool reset : {false, true}) {
            for (bool fragmented : {false, true}) {
                QTest::addRow("%d-bit windows, %s, %s: every message arrives intact", bits,
                    reset ? "no context takeover" : "context takeover",
                    fragmented ? "fragmented" : "one frame each")
                    << paramsFor(bits, reset) << fragmented;
            }
        }
    }
    QTest::newRow("asymmetric: server 9 bits with takeover, client 14 bits without")
        << PerMessageDeflateParams{false, true, 9, 14} << false;
    QTest::newRow("asymmetric: server 15 bits without takeover, client 10 bits with")
        << PerMessageDeflateParams{true, false, 15, 10} << true;
}

void tst_PerMessageDeflate::roundTrip()
{
    QFETCH(PerMessageDeflateParams, params);
    QFETCH(bool, fragmented);

    for (Feed mode : {Feed::Whole, Feed::ByteByByte, Feed::RandomSplits}) {
        Conn client = withDeflate(Role::Client, params);
        Conn server = withDeflate(Role::Server, params);
        // For fragments, a standalone sender of each role compresses and the test frames.
        PerMessageDeflate clientSender(Role::Client, params, {.compressionThreshold = 0});
        PerMessageDeflate serverSender(Role::Server, params, {.compressionThreshold = 0});

        for (Role from : {Role::Client, Role::Server}) {
            Conn &sender = from == Role::Client ? client : server;
            Conn &receiver = from == Role::Client ? server : client;
            PerMessageDeflate &standalone = from == Role::Client ? clientSender : serverSender;
            int compressed = 0;
            for (const Message &m : conversation()) {
                QByteArray wire;
                if (!fragmented) {
                    if (m.type == MessageType::Text)
                        QCOMPARE(sender.sendText(m.payload), m.payload.size());
                    else
                        QCOMPARE(sender.sendBinary(m.payload), m.payload.size());
                    wire = sender.takeOutgoing();
                    for (const WireFrame &f : parseFrames(wire))
                        compressed += f.rsv == Rsv1 ? 1 : 0;
                } else {
                    QByteArray body = m.payload;
                    const quint8 rsv = quint8(standalone.encodeMessage(body).toInt());
                    compressed += rsv ? 1 : 0;
                    // Three fragments (some empty); RSV1 on the first only (RFC 7692 §6).
                    const qsizetype third = body.size() / 3;
                    const quint8 opcode = m.type == MessageType::Text ? 0x1 : 0x2;
                    const bool masked = from == Role::Client;
                    wire = frame(opcode, body.first(third), masked, false, rsv)
                        + frame(0x0, body.sliced(third, third), masked, false)
                        + frame(0x9, "between", masked) // a ping between fragments
                        + frame(0x0, body.sliced(2 * third), masked, true);
                }
                feed(receiver, wire, mode);
                std::vector<Event> events = drain(receiver);
                QVERIFY2(failureOf(events).isEmpty(), qPrintable(failureOf(events)));
                const auto message = std::find_if(events.begin(), events.end(), [](const Event &e) {
                    return e.type == Event::Type::TextMessage
                        || e.type == Event::Type::BinaryMessage;
                });
                QVERIFY(message != events.end());
                QCOMPARE(message->messageType, m.type);
                QCOMPARE(message->payload.size(), m.payload.size());
                QCOMPARE(message->payload, m.payload);
                receiver.takeOutgoing(); // pongs
            }
            // Everything compressible went out with RSV1, unless this side is held to 8 bits.
            const int ownBits
                = from == Role::Client ? params.clientMaxWindowBits : params.serverMaxWindowBits;
            if (ownBits == 8)
                QCOMPARE(compressed, 0);
            else
                QVERIFY2(compressed >= 5, qPrintable(QString::number(compressed)));
        }
    }
}

void tst_PerMessageDeflate::eightBitWindowFromThePeer()
{
    // A peer held to an 8-bit window (one that can make such streams: here Z_RLE, whose only
    // distance is 1) is inflated correctly, with and without context takeover.
    for (bool reset : {false, true}) {
        Conn server = withDeflate(Role::Server, paramsFor(8, reset));
        for (const Message &m : conversation()) {
            const QByteArray body = rawDeflate(m.payload, 9, 9, Z_RLE);
            feed(server, toServer(m.type == MessageType::Text ? 0x1 : 0x2, body, true, Rsv1),
                Feed::RandomSplits);
            const std::vector<Event> events = drain(server);
            QCOMPARE(events.size(), size_t(1));
            QVERIFY2(failureOf(events).isEmpty(), qPrintable(failureOf(events)));
            QCOMPARE(events[0].payload, m.payload);
        }
        // The server itself, held to 8 bits, sends plain.
        QVERIFY(!deflateOf(server)->canCompress());
        server.sendText(jsonMessage(1, 1000));
        QCOMPARE(parseFrames(server.takeOutgoing()).at(0).rsv, quint8(0));
    }
}

// --- RSV1 rules with the extension present (RFC 7692 §6) ----------------------------------------

void tst_PerMessageDeflate::rsv1Rules_data()
{
    QTest::addColumn<QByteArray>("wire"); // to a server
    QTest::addColumn<int>("closeCode"); // 0: no failure
    QTest::addColumn<QList<QByteArray>>("messages");

    const QByteArray hello = QByteArray::fromHex("f248cdc9c90700");
    const QList<QByteArray> none;

    QTest::newRow("RSV1 on a continuation frame → 1002")
        << toServer(0x1, hello.first(3), false, Rsv1) + toServer(0x0, hello.sliced(3), true, Rsv1)
        << 1002 << none;
    QTest::newRow("RSV1 on a continuation of an uncompressed message → 1002")
        << toServer(0x2, "ab", false) + toServer(0x0, "cd", true, Rsv1) << 1002 << none;
    QTest::newRow("RSV1 on a ping → 1002") << toServer(0x9, "p", true, Rsv1) << 1002 << none;
    QTest::newRow("RSV1 on a pong → 1002") << toServer(0xA, "p", true, Rsv1) << 1002 << none;
    QTest::newRow("RSV1 on a close → 1002")
        << toServer(0x8, QByteArray::fromHex("03e8"), true, Rsv1) << 1002 << none;
    QTest::newRow("RSV2 with only permessage-deflate negotiated → 1002")
        << toServer(0x1, "a", true, Rsv2) << 1002 << none;
    QTest::newRow("RSV3 with only permessage-deflate negotiated → 1002")
        << toServer(0x2, "a", true, Rsv3) << 1002 << none;
    QTest::newRow("RSV1 and RSV2 together → 1002")
        << toServer(0x1, hello, true, Rsv1 | Rsv2) << 1002 << none;
    QTest::newRow("RSV1 on the first frame of a fragmented message inflates the whole")
        << toServer(0x1, hello.first(3), false, Rsv1) + toServer(0x9, "ping")
            + toServer(0x0, hello.sliced(3), true)
        << 0 << QList<QByteArray>{"Hello"};
    QTest::newRow("a message without RSV1 is passed on untouched")
        << toServer(0x1, "plain") << 0 << QList<QByteArray>{"plain"};
    QTest::newRow("garbage behind RSV1 → 1007")
        << toServer(0x2, QByteArray::fromHex("ffffffff"), true, Rsv1) << 1007 << none;
    QTest::newRow("a compressed message that ends inside a DEFLATE block → 1007") << toServer(0x2,
        rawDeflate(QByteArray(300, 'x') + "tail").chopped(2), true, Rsv1) << 1007 << none;
    QTest::newRow("a message that kept its 00 00 ff ff tail ends inside a block → 1007 (§7.2.1)")
        << toServer(0x1, QByteArray::fromHex("f248cdc9c907000000ffff"), true, Rsv1) << 1007 << none;
    QTest::newRow("RSV1 with an empty payload is an empty message (0x00 is the valid form)")
        << toServer(0x2, QByteArray(), true, Rsv1) + toServer(0x1, hello, true, Rsv1) << 0
        << QList<QByteArray>{QByteArray(), "Hello"};
    QTest::newRow("a compressed text message that inflates to invalid UTF-8 → 1007")
        << toServer(0x1, rawDeflate(QByteArray::fromHex("48c328")), true, Rsv1) << 1007 << none;
    QTest::newRow("a compressed binary message may hold any bytes")
        << toServer(0x2, rawDeflate(QByteArray::fromHex("48c328")), true, Rsv1) << 0
        << QList<QByteArray>{QByteArray::fromHex("48c328")};
}

void tst_PerMessageDeflate::rsv1Rules()
{
    QFETCH(QByteArray, wire);
    QFETCH(int, closeCode);
    QFETCH(QList<QByteArray>, messages);
    for (Feed mode : {Feed::Whole, Feed::ByteByByte, Feed::RandomSplits}) {
        Conn server = withDeflate(Role::Server, {});
        feed(server, wire, mode);
        QList<QByteArray> got;
        int failure = 0;
        for (const Event &e : drain(server)) {
            if (e.type == Event::Type::Failure) {
                failure = e.closeCode;
                QVERIFY(e.reason.toUtf8().size() <= 123);
            } else if (e.type == Event::Type::TextMessage || e.type == Event::Type::BinaryMessage) {
                got.append(e.payload);
            }
        }
        QCOMPARE(failure, closeCode);
        QCOMPARE(got, messages);
    }
}

// --- send policy --------------------------------------------------------------------------------

void tst_PerMessageDeflate::sendPolicy()
{
    auto rsvOf = [](Conn &conn) { return parseFrames(conn.takeOutgoing()).at(0).rsv; };
    const QByteArray json = jsonMessage(5, 500);

    // Below the threshold (64 by default) messages go out plain.
    Conn server = withDeflate(Role::Server, {}, PerMessageDeflateOptions{});
    server.sendText(QByteArray(63, 'a'));
    QCOMPARE(rsvOf(server), quint8(0));
    server.sendText(QByteArray(64, 'a'));
    QCOMPARE(rsvOf(server), Rsv1);

    // The per-message opt-out applies to the next message only.
    deflateOf(server)->skipCompressionForNextMessage();
    server.sendText(json);
    QCOMPARE(rsvOf(server), quint8(0));
    server.sendText(json);
    QCOMPARE(rsvOf(server), Rsv1);
    // Fragments never pass through the extension (Conn::sendFragment sends them as given).
    server.sendFragment(MessageType::Text, json, Fin::Last);
    QCOMPARE(rsvOf(server), quint8(0));

    // Without context takeover, a message that does not shrink goes out as it was.
    Conn reset = withDeflate(Role::Server, paramsFor(15, true));
    reset.sendBinary(randomBytes(2000, 3));
    QCOMPARE(rsvOf(reset), quint8(0));
    reset.sendText(json);
    QCOMPARE(rsvOf(reset), Rsv1);
    const PerMessageDeflate::Stats stats = deflateOf(reset)->stats();
    QCOMPARE(stats.messagesCompressed, 1);
    QCOMPARE(stats.messagesSentUncompressed, 1);
    QCOMPARE(stats.bytesBeforeCompression, json.size());
    QVERIFY(stats.bytesAfterCompression < json.size() / 3);
    // ... and holds no zlib memory between messages.
    QCOMPARE(stats.zlibBytes, 0);
}

// --- bomb safety (RFC 7692 §8.1 "a small compressed message can expand to a huge size") ---------

void tst_PerMessageDeflate::decompressionBomb()
{
    const qint64 limit = 1024 * 1024;
    const QByteArray zeros(10 * 1000 * 1000, '\0');
    const QByteArray bomb = rawDeflate(zeros);
    QVERIFY2(bomb.size() < 12 * 1024, qPrintable(QString::number(bomb.size())));

    for (bool fragmented : {false, true}) {
        Conn::Options options;
        options.limits.maxMessageSize = limit;
        Conn server = withDeflate(Role::Server, {}, {}, options);
        if (fragmented) {
            const qsizetype half = bomb.size() / 2;
            feed(server,
                toServer(0x2, bomb.first(half), false, Rsv1)
                    + toServer(0x0, bomb.sliced(half), true),
                Feed::RandomSplits);
        } else {
            feed(server, toServer(0x2, bomb, true, Rsv1), Feed::Whole);
        }
        const std::vector<Event> events = drain(server);
        QCOMPARE(events.size(), size_t(1));
        QCOMPARE(events[0].type, Event::Type::Failure);
        QCOMPARE(events[0].closeCode, quint16(1009));
        QVERIFY2(
            events[0].reason.contains(QStringLiteral("1048576")), qPrintable(events[0].reason));

        // Never more than maxMessageSize + 1 bytes of output, and zlib's own state is its
        // fixed size (state + 32 KiB window), whatever the message would inflate to.
        const PerMessageDeflate::Stats stats = deflateOf(server)->stats();
        QVERIFY2(stats.largestInflateBuffer <= limit + 1,
            qPrintable(QString::number(stats.largestInflateBuffer)));
        QVERIFY2(
            stats.peakZlibBytes <= 48 * 1024, qPrintable(QString::number(stats.peakZlibBytes)));
        QCOMPARE(stats.zlibBytes, 0); // the failed inflater was released
    }
}

void tst_PerMessageDeflate::limitIsExact()
{
    // A message of exactly maxMessageSize bytes inflates; one byte more is 1009.
    const qint64 limit = 100000;
    for (qint64 size : {limit, limit + 1}) {
        Conn::Options options;
        options.limits.maxMessageSize = limit;
        Conn server = withDeflate(Role::Server, {}, {}, options);
        feed(server, toServer(0x2, rawDeflate(QByteArray(size, 'q')), true, Rsv1), Feed::Whole);
        const std::vector<Event> events = drain(server);
        QCOMPARE(events.size(), size_t(1));
        if (size == limit) {
            QCOMPARE(events[0].type, Event::Type::BinaryMessage);
            QCOMPARE(events[0].payload.size(), limit);
        } else {
            QCOMPARE(events[0].closeCode, quint16(1009));
        }
        QVERIFY(deflateOf(server)->stats().largestInflateBuffer <= limit + 1);
    }
}

// Measures what zlib holds per connection for the documented configurations: both sides
// negotiate, exchange 50 JSON messages of ~1 KiB each way, and report peak and idle bytes.
// docs/permessage-deflate.md has the table this prints (run with -v1 or look at QINFO lines).
void tst_PerMessageDeflate::memoryPerConnection()
{
    struct Row
    {
        const char *name;
        PerMessageDeflateOptions client;
        PerMessageDeflateOptions server;
        qint64 serverPeakBound; // what the test holds the server to
    };
    const std::vector<Row> rows = {
        {"defaults (client offer, server 12-bit windows, memLevel 5)", {}, {}, 64 * 1024},
        {"zlib defaults on both sides (15-bit windows, memLevel 8)", {},
            {.serverMaxWindowBits = 15, .clientMaxWindowBits = 15, .memLevel = 8}, 400 * 1024},
        {"server: no context takeover both ways, 12-bit windows", {},
            {.serverNoContextTakeover = true, .clientNoContextTakeover = true}, 64 * 1024},
        {"server: no context takeover, 9-bit windows, memLevel 1", {},
            {.serverMaxWindowBits = 9,
                .clientMaxWindowBits = 9,
                .serverNoContextTakeover = true,
                .clientNoContextTakeover = true,
                .memLevel = 1},
            24 * 1024},
    };
    qInfo("| configuration | side | peak zlib bytes | held between messages | largest block |");
    for (const Row &row : rows) {
        const PerMessageDeflate::ServerResult server = PerMessageDeflate::negotiateAsServer(
            items(PerMessageDeflate::makeOffer(row.client)), row.server);
        QVERIFY(server.response);
        PerMessageDeflate::ClientResult client
            = PerMessageDeflate::acceptAsClient({*server.response}, row.client);
        QVERIFY2(client.ok(), client.error.constData());

        Conn serverConn(Role::Server);
        serverConn.setExtension(
            std::make_unique<PerMessageDeflate>(Role::Server, server.params, row.server));
        Conn clientConn(Role::Client);
        clientConn.setExtension(std::move(client.extension));
        for (int i = 0; i < 50; ++i) {
            clientConn.sendText(jsonMessage(i, 1024));
            serverConn.receive(clientConn.takeOutgoing());
            serverConn.sendText(jsonMessage(i + 1000, 1024));
            clientConn.receive(serverConn.takeOutgoing());
            QVERIFY(failureOf(drain(serverConn)).isEmpty());
            QVERIFY(failureOf(drain(clientConn)).isEmpty());
        }
        for (Conn *conn : {&clientConn, &serverConn}) {
            const PerMessageDeflate::Stats stats = deflateOf(*conn)->stats();
            qInfo("| %s | %s | %lld | %lld | %lld |", row.name,
                conn == &clientConn ? "client" : "server", stats.peakZlibBytes, stats.zlibBytes,
                stats.largestZlibAllocation);
            if (conn == &serverConn)
                QVERIFY2(stats.peakZlibBytes <= row.serverPeakBound,
                    qPrintable(QString::number(stats.peakZlibBytes)));
        }
    }
}

QTEST_APPLESS_MAIN(tst_PerMessageDeflate)
#include "tst_permessagedeflate.moc"
