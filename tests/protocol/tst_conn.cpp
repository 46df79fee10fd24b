// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::Conn against RFC 6455 §5 and §7. Every row of the rule table is fed whole, one byte at a
// time and in random splits (seeded; set QTWS_TEST_SEED to replay a failure) and must give the
// same events, the same output and the same final state each time.

#include "badframes.h"

#include <QtWs/conn.h>
#include <QtWs/extension.h>

#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QStringList>
#include <QtTest/QTest>

#include <random>
#include <vector>

using namespace qtws;

namespace {

// --- a reference encoder for the frames a peer sends (independent of the codec's own) ---------

enum class Length { Minimal, Force16, Force64 };

constexpr quint8 FrameKey[4] = {0x37, 0xFA, 0x21, 0x3D};
constexpr quint8 Rsv1 = 0x40, Rsv2 = 0x20, Rsv3 = 0x10;

QByteArray header(quint8 opcode, quint64 length, bool masked, bool fin = true, quint8 rsv = 0,
    Length form = Length::Minimal)
{
    QByteArray out;
    out.append(char((fin ? 0x80 : 0) | rsv | opcode));
    const int maskBit = masked ? 0x80 : 0;
    if (form == Length::Minimal && length < 126) {
        out.append(char(maskBit | int(length)));
    } else if (form != Length::Force64 && length <= 0xFFFF) {
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
    return out;
}

QByteArray frame(quint8 opcode, const QByteArray &payload, bool masked, bool fin = true,
    quint8 rsv = 0, Length form = Length::Minimal)
{
    QByteArray out = header(opcode, quint64(payload.size()), masked, fin, rsv, form);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(masked ? char(payload[i] ^ FrameKey[i % 4]) : payload[i]);
    return out;
}

// What a client sends (masked) to the server under test, and what a server sends to a client.
QByteArray toServer(quint8 opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0,
    Length form = Length::Minimal)
{
    return frame(opcode, payload, true, fin, rsv, form);
}
QByteArray toClient(quint8 opcode, const QByteArray &payload, bool fin = true, quint8 rsv = 0,
    Length form = Length::Minimal)
{
    return frame(opcode, payload, false, fin, rsv, form);
}

QByteArray closeBody(quint16 code, const QByteArray &reason = {})
{
    QByteArray body;
    body.append(char(code >> 8));
    body.append(char(code & 0xFF));
    return body + reason;
}

QByteArray bytes(const char *hex)
{
    return QByteArray::fromHex(hex);
}

// --- transcripts
// ----------------------------------------------------------------------------------

QString showPayload(const QByteArray &payload)
{
    if (payload.size() > 40)
        return QString();
    for (char c : payload) {
        if (c < 0x20 || c > 0x7E)
            return QStringLiteral(":0x") + QString::fromLatin1(payload.toHex());
    }
    return QStringLiteral(":") + QString::fromLatin1(payload);
}

QString describe(const Event &e)
{
    const QString size = QStringLiteral("[%1]").arg(e.payload.size());
    switch (e.type) {
    case Event::Type::TextMessage: return QStringLiteral("Text") + size + showPayload(e.payload);
    case Event::Type::BinaryMessage:
        return QStringLiteral("Binary") + size + showPayload(e.payload);
    case Event::Type::Frame:
        return QStringLiteral("Frame(%1,%2,%3)")
                   .arg(int(e.opcode))
                   .arg(e.messageType == MessageType::Text ? QStringLiteral("text")
                                                           : QStringLiteral("binary"))
                   .arg(e.fin ? QStringLiteral("fin") : QStringLiteral("more"))
            + size + showPayload(e.payload);
    case Event::Type::MessageChunk:
        return QStringLiteral("Chunk(%1,%2)")
                   .arg(e.messageType == MessageType::Text ? QStringLiteral("text")
                                                           : QStringLiteral("binary"))
                   .arg(e.fin ? QStringLiteral("fin") : QStringLiteral("more"))
            + size + showPayload(e.payload);
    case Event::Type::Ping: return QStringLiteral("Ping") + size + showPayload(e.payload);
    case Event::Type::Pong: return QStringLiteral("Pong") + size + showPayload(e.payload);
    case Event::Type::Close: return QStringLiteral("Close:%1:%2").arg(e.closeCode).arg(e.reason);
    case Event::Type::Failure: return QStringLiteral("Failure:%1").arg(e.closeCode);
    }
    return QStringLiteral("?");
}

struct OutFrame
{
    quint8 opcode = 0;
    bool fin = true;
    quint8 rsv = 0;
    bool masked = false;
    QByteArray payload;
};

// Parses what a Conn wrote, checking what RFC 6455 asks of every sender: minimal lengths
// (§5.2) and masking by clients only (§5.1). Returns false on a malformed or truncated stream.
bool parseOutput(const QByteArray &out, Role writer, std::vector<OutFrame> *frames, QString *error)
{
    qsizetype at = 0;
    auto byte = [&](qsizetype i) { return quint8(out.at(i)); };
    while (at < out.size()) {
        if (out.size() - at < 2) {
            *error = QStringLiteral("truncated header");
            return false;
        }
        OutFrame f;
        f.fin = byte(at) & 0x80;
        f.rsv = byte(at) & 0x70;
        f.opcode = byte(at) & 0x0F;
        f.masked = byte(at + 1) & 0x80;
        quint64 length = byte(at + 1) & 0x7F;
        at += 2;
        if (length == 126) {
            length = (quint64(byte(at)) << 8) | byte(at + 1);
            if (length < 126) {
                *error = QStringLiteral("non-minimal 16-bit length");
                return false;
            }
            at += 2;
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | byte(at + i);
            if (length <= 0xFFFF) {
                *error = QStringLiteral("non-minimal 64-bit length");
                return false;
            }
            at += 8;
        }
        if (f.masked != (writer == Role::Client)) {
            *error = QStringLiteral("wrong masking for the writer's role");
            return false;
        }
        quint8 key[4] = {0, 0, 0, 0};
        if (f.masked) {
            for (int i = 0; i < 4; ++i)
                key[i] = byte(at + i);
            at += 4;
        }
        if (quint64(out.size() - at) < length) {
            *error = QStringLiteral("truncated payload");
            return false;
        }
        f.payload = out.mid(at, qsizetype(length));
        for (qsizetype i = 0; i < f.payload.size(); ++i)
            f.payload[i] = char(f.payload[i] ^ key[i % 4]);
        at += qsizetype(length);
        frames->push_back(f);
    }
    return true;
}

QString describeOutput(const QByteArray &out, Role writer)
{
    std::vector<OutFrame> frames;
    QString error;
    if (!parseOutput(out, writer, &frames, &error))
        return QStringLiteral("BAD OUTPUT: ") + error;
    QStringList parts;
    for (const OutFrame &f : frames) {
        const QString size = QStringLiteral("[%1]").arg(f.payload.size());
        switch (f.opcode) {
        case 0x8:
            parts << (f.payload.isEmpty()
                    ? QStringLiteral("Close")
                    : QStringLiteral("Close:%1")
                          .arg((quint8(f.payload[0]) << 8)
                              | quint8(f.payload.size() > 1 ? f.payload[1] : 0)));
            break;
        case 0x9: parts << QStringLiteral("Ping") + size + showPayload(f.payload); break;
        case 0xA: parts << QStringLiteral("Pong") + size + showPayload(f.payload); break;
        default:
            parts << QStringLiteral("Data(%1,%2)").arg(f.opcode).arg(f.fin) + size
                    + showPayload(f.payload);
        }
    }
    return parts.join(QStringLiteral(" | "));
}

QString describeState(const Conn &conn)
{
    static const char *const states[] = {"Open", "Closing", "Closed"};
    static const char *const actions[] = {"Keep", "CloseAfterWrite", "WaitForPeerClose"};
    return QString::fromLatin1(states[int(conn.state())]) + QLatin1Char('/')
        + QString::fromLatin1(actions[int(conn.transportAction())]);
}

struct Transcript
{
    QString events;
    QString output;
    QString final;
    QString problem; // a contract violation seen while feeding

    friend bool operator==(const Transcript &, const Transcript &) = default;
    QString toString() const
    {
        return QStringLiteral("events {%1} output {%2} final {%3} %4")
            .arg(events, output, final, problem);
    }
};

Conn::Options optionsWith(const Limits &limits)
{
    Conn::Options options;
    options.limits = limits;
    options.maskKeySource = [] { return 0x11223344u; };
    return options;
}

// What the application does with each message it pulls: nothing, or send it back (an echo
// server, as RFC 6455 conformance suites drive one).
enum class Reply : quint8 { None, Echo };

// Feeds input in the given chunks, draining events after each, and records what came out.
Transcript feed(Role role, const Conn::Options &options, const QByteArray &input,
    const std::vector<qsizetype> &chunks, Reply reply = Reply::None)
{
    Conn conn(role, options);
    QStringList events;
    QByteArray out;
    Transcript t;
    int failures = 0;
    qsizetype at = 0;
    for (qsizetype n : chunks) {
        conn.receive(QByteArrayView(input).sliced(at, n));
        at += n;
        while (std::optional<Event> e = conn.nextEvent()) {
            if (failures)
                t.problem += QStringLiteral(" event after a failure;");
            if (e->type == Event::Type::Failure) {
                ++failures;
                const qsizetype reasonSize = e->reason.toUtf8().size();
                if (reasonSize == 0 || reasonSize > 123)
                    t.problem += QStringLiteral(" failure reason of %1 bytes;").arg(reasonSize);
                if (!conn.failed() || conn.closeCode() != e->closeCode)
                    t.problem += QStringLiteral(" failed()/closeCode() disagree;");
            }
            events << describe(*e);
            if (reply == Reply::Echo && e->type == Event::Type::TextMessage
                && conn.sendText(e->payload) < 0)
                t.problem += QStringLiteral(" the echo of a message was refused;");
            if (reply == Reply::Echo && e->type == Event::Type::BinaryMessage
                && conn.sendBinary(e->payload) < 0)
                t.problem += QStringLiteral(" the echo of a message was refused;");
        }
        if (conn.hasEvents())
            t.problem += QStringLiteral(" hasEvents() after draining;");
        out += conn.takeOutgoing();
    }
    t.events = events.join(QStringLiteral(" | "));
    t.output = describeOutput(out, role);
    t.final = describeState(conn);
    return t;
}

quint32 testSeed()
{
    static const quint32 seed = [] {
        bool ok = false;
        const quint32 fromEnv = qEnvironmentVariable("QTWS_TEST_SEED").toUInt(&ok);
        return ok ? fromEnv : QRandomGenerator::global()->generate();
    }();
    return seed;
}

std::vector<qsizetype> randomSplit(qsizetype size, std::mt19937 &rng)
{
    std::vector<qsizetype> chunks;
    qsizetype left = size;
    while (left > 0) {
        // Mostly small pieces, so headers and sequences are cut in every place, some big ones.
        const qsizetype most = (rng() % 4 == 0) ? left : std::min<qsizetype>(left, 9);
        const qsizetype n = 1 + qsizetype(rng() % quint32(most));
        chunks.push_back(n);
        left -= n;
    }
    if (chunks.empty())
        chunks.push_back(0);
    return chunks;
}

// Whole, byte by byte and in five random splits: all must match expected.
void checkAllSplits(Role role, const Conn::Options &options, const QByteArray &input,
    const Transcript &expected, Reply reply = Reply::None)
{
    const Transcript whole = feed(role, options, input, {input.size()}, reply);
    QVERIFY2(whole == expected,
        qPrintable(QStringLiteral("whole input\n   got: %1\nwanted: %2")
                       .arg(whole.toString(), expected.toString())));
    std::vector<qsizetype> ones(size_t(input.size()), 1);
    const Transcript byByte = feed(role, options, input, ones, reply);
    QVERIFY2(byByte == expected,
        qPrintable(QStringLiteral("one byte at a time\n   got: %1\nwanted: %2")
                       .arg(byByte.toString(), expected.toString())));
    std::mt19937 rng(testSeed() ^ quint32(qHash(input)));
    for (int i = 0; i < 5; ++i) {
        const std::vector<qsizetype> chunks = randomSplit(input.size(), rng);
        const Transcript split = feed(role, options, input, chunks, reply);
        QVERIFY2(split == expected,
            qPrintable(QStringLiteral("random split %1 (QTWS_TEST_SEED=%2)\n   got: %3\nwanted: %4")
                           .arg(i)
                           .arg(testSeed())
                           .arg(split.toString(), expected.toString())));
    }
}

const QString ClosedAfterWrite = QStringLiteral("Closed/CloseAfterWrite");
const QString OpenKeep = QStringLiteral("Open/Keep");

// A test extension: "compresses" a message by reversing its bytes, marked with RSV1.
class ReverseExtension : public Extension
{
public:
    QByteArray name() const override { return "x-reverse"; }
    ReservedBits reservedBits() const override { return ReservedBit::Rsv1; }
    DecodeResult decodeMessage(ReservedBits rsv, QByteArray &payload, qint64 maxSize) override
    {
        ++decoded;
        if (rsv != ReservedBits(ReservedBit::Rsv1))
            return DecodeResult::failure(1002, QStringLiteral("unexpected bits"));
        if (inflate) {
            // Grows the message as a decompressor would, and stops at the limit.
            if (payload.size() * 2 > maxSize)
                return DecodeResult::failure(
                    1009, QStringLiteral("decoded message exceeds %1 bytes").arg(maxSize));
            payload += payload;
        }
        std::reverse(payload.begin(), payload.end());
        return DecodeResult::ok();
    }
    ReservedBits encodeMessage(QByteArray &payload) override
    {
        std::reverse(payload.begin(), payload.end());
        return ReservedBit::Rsv1;
    }

    bool inflate = false;
    int decoded = 0;
};

QByteArray reversed(QByteArray b)
{
    std::reverse(b.begin(), b.end());
    return b;
}

} // namespace

class tst_Conn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qInfo("QTWS_TEST_SEED=%u", testSeed()); }

    void rules_data();
    void rules();

    void messagesBeforeAFailureAreAnswered_data();
    void messagesBeforeAFailureAreAnswered();
    void defaultLimitsLetOrdinaryFragmentingPeersThrough();
    void utf8FailureIsRaisedMidFrame();
    void oversizedFrameFailsFromItsHeaderAlone();
    void forgedLengthDoesNotAllocate();
    void failureCloseFrameCarriesTheReason();
    void closeHandshake_data();
    void closeHandshake();
    void failureWhileClosingSendsNoSecondClose();
    void dataStillArrivesWhileClosing();
    void onlyControlFramesAfterSendingClose();
    void sendMisuseReturnsMinusOne();
    void messagesBeforeAPeerCloseCanBeAnswered();
    void aPendingPeerCloseCanBeAnsweredWithOwnCode();
    void closeWith1005SendsAnEmptyBody();
    void outgoingFramesAreMaskedWithAFreshKeyPerFrame();
    void outgoingLengthsAreMinimal();
    void deliverFramesAndMessages();
    void messageChunks_data();
    void messageChunks();
    void messageChunkSizeChangesAtTheNextMessage();
    void transformedMessageComesAsOneDecodedChunk();
    void streamingStillValidatesAndLimits();
    void extensionSeam();
    void roundTrip_data();
    void roundTrip();
    void movedConnKeepsWorking();
};

void tst_Conn::rules_data()
{
    QTest::addColumn<int>("role");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("output");
    QTest::addColumn<QString>("final");
    QTest::addColumn<qint64>("maxFrameSize");
    QTest::addColumn<qint64>("maxMessageSize");
    QTest::addColumn<int>("maxFragments");

    const Role S = Role::Server;
    const Role C = Role::Client;
    const Limits defaults;
    auto row = [&](const char *name, Role role, const QByteArray &input, const char *events,
                   const char *output, const QString &final, const Limits &limits) {
        QTest::newRow(name) << int(role) << input << QString::fromUtf8(events)
                            << QString::fromUtf8(output) << final << limits.maxFrameSize
                            << limits.maxMessageSize << limits.maxFragments;
    };
    auto ok = [&](const char *name, Role role, const QByteArray &input, const char *events,
                  const char *output = "") {
        row(name, role, input, events, output, OpenKeep, defaults);
    };
    auto fails = [&](const char *name, Role role, const QByteArray &input, int code,
                     const Limits &limits = Limits()) {
        const QByteArray failure = "Failure:" + QByteArray::number(code);
        const QByteArray close = "Close:" + QByteArray::number(code);
        row(name, role, input, failure.constData(), close.constData(), ClosedAfterWrite, limits);
    };

    // RFC 6455 §5.1: masking by role.
    ok("server receives a masked text frame → text message", S, toServer(0x1, "hello"),
        "Text[5]:hello");
    ok("client receives an unmasked binary frame → binary message", C, toClient(0x2, bytes("00ff")),
        "Binary[2]:0x00ff");
    fails("server receives unmasked frame → 1002", S, toClient(0x1, "hi"), 1002);
    fails("client receives masked frame → 1002", C, toServer(0x1, "hi"), 1002);
    fails("server receives an unmasked ping → 1002", S, toClient(0x9, "p"), 1002);

    // RFC 6455 §5.2: reserved bits and opcodes.
    fails("RSV1 without an extension → 1002", S, toServer(0x1, "a", true, Rsv1), 1002);
    fails("RSV2 without an extension → 1002", S, toServer(0x1, "a", true, Rsv2), 1002);
    fails("RSV3 without an extension → 1002", S, toServer(0x2, "a", true, Rsv3), 1002);
    fails("RSV1 on a client's received frame → 1002", C, toClient(0x2, "a", true, Rsv1), 1002);
    fails("reserved opcode 3 → 1002", S, toServer(0x3, "x"), 1002);
    fails("reserved opcode 7 → 1002", S, toServer(0x7, ""), 1002);
    fails("reserved opcode 11 → 1002", S, toServer(0xB, "x"), 1002);
    fails("reserved opcode 15 → 1002", C, toClient(0xF, ""), 1002);
    fails("64-bit length with the most significant bit set → 1002", S,
        bytes("82ff8000000000000005") + QByteArray(reinterpret_cast<const char *>(FrameKey), 4)
            + "abcde",
        1002);
    ok("non-minimal 16-bit length is accepted", S, toServer(0x2, "abc", true, 0, Length::Force16),
        "Binary[3]:abc");
    ok("non-minimal 64-bit length is accepted", S, toServer(0x1, "abc", true, 0, Length::Force64),
        "Text[3]:abc");
    ok("non-minimal length on a 2-byte ping is accepted", C,
        toClient(0x9, "ab", true, 0, Length::Force16), "Ping[2]:ab", "Pong[2]:ab");
    ok("125-byte text uses the 7-bit length", S, toServer(0x1, QByteArray(125, 'a')), "Text[125]");
    ok("126-byte binary uses the 16-bit length", S, toServer(0x2, QByteArray(126, 'b')),
        "Binary[126]");
    ok("65535-byte binary uses the 16-bit length", C, toClient(0x2, QByteArray(65535, 'c')),
        "Binary[65535]");
    ok("65536-byte binary uses the 64-bit length", S, toServer(0x2, QByteArray(65536, 'd')),
        "Binary[65536]");
    ok("an empty text message is a message", S, toServer(0x1, ""), "Text[0]:");
    ok("two messages in one read come out in order", S, toServer(0x1, "one") + toServer(0x2, "two"),
        "Text[3]:one | Binary[3]:two");

    // RFC 6455 §5.5: control frames.
    ok("ping is answered with a pong carrying the same payload", S, toServer(0x9, "abc"),
        "Ping[3]:abc", "Pong[3]:abc");
    ok("a client answers a ping with a masked pong", C, toClient(0x9, "xyz"), "Ping[3]:xyz",
        "Pong[3]:xyz");
    ok("empty ping is answered with an empty pong", S, toServer(0x9, ""), "Ping[0]:", "Pong[0]:");
    ok("ping with a 125-byte payload is answered", S, toServer(0x9, QByteArray(125, 'p')),
        "Ping[125]", "Pong[125]");
    fails("ping with a 126-byte payload → 1002", S, toServer(0x9, QByteArray(126, 'p')), 1002);
    fails("pong with a 126-byte payload → 1002", C, toClient(0xA, QByteArray(126, 'p')), 1002);
    fails("close with a 126-byte payload → 1002", S,
        toServer(0x8, closeBody(1000, QByteArray(124, 'r'))), 1002);
    fails("ping without FIN → 1002", S, toServer(0x9, "p", false), 1002);
    fails("close without FIN → 1002", S, toServer(0x8, closeBody(1000), false), 1002);
    ok("pong is reported and not answered", S, toServer(0xA, "p"), "Pong[1]:p");

    // RFC 6455 §5.4: fragmentation.
    ok("fragmented text message is assembled", S,
        toServer(0x1, "Hel", false) + toServer(0x0, "lo, ", false) + toServer(0x0, "world"),
        "Text[12]:Hello, world");
    ok("ping inside a fragmented message is answered with a pong", S,
        toServer(0x1, "ab", false) + toServer(0x9, "p") + toServer(0x0, "cd"),
        "Ping[1]:p | Text[4]:abcd", "Pong[1]:p");
    ok("pong and ping inside a fragmented binary message", C,
        toClient(0x2, "ab", false) + toClient(0xA, "q") + toClient(0x0, "c", false)
            + toClient(0x9, "p") + toClient(0x0, "d"),
        "Pong[1]:q | Ping[1]:p | Binary[4]:abcd", "Pong[1]:p");
    ok("empty fragments are fragments", S,
        toServer(0x2, "", false) + toServer(0x0, "", false) + toServer(0x0, "x"), "Binary[1]:x");
    fails("continuation without a started message → 1002", S, toServer(0x0, "x"), 1002);
    row("continuation after a finished message → 1002", S,
        toServer(0x1, "done") + toServer(0x0, "x"), "Text[4]:done | Failure:1002", "Close:1002",
        ClosedAfterWrite, defaults);
    {
        // The Failure comes after the first message's event.
        row("text start inside an unfinished message → 1002", S,
            toServer(0x1, "a", false) + toServer(0x1, "b"), "Failure:1002", "Close:1002",
            ClosedAfterWrite, defaults);
        row("binary start inside an unfinished text message → 1002", S,
            toServer(0x1, "a", false) + toServer(0x2, "b"), "Failure:1002", "Close:1002",
            ClosedAfterWrite, defaults);
    }

    // Limits: just under and just over each.
    Limits small;
    small.maxFrameSize = 100;
    row("frame of exactly maxFrameSize is accepted", S, toServer(0x2, QByteArray(100, 'x')),
        "Binary[100]", "", OpenKeep, small);
    fails("frame of maxFrameSize + 1 → 1009 from its header alone", S, header(0x2, 101, true), 1009,
        small);
    fails("ping is not subject to maxFrameSize but control frames stay ≤ 125", S,
        toServer(0x9, QByteArray(126, 'x')), 1002, small);
    Limits message;
    message.maxMessageSize = 100;
    row("fragments totalling exactly maxMessageSize are accepted", S,
        toServer(0x2, QByteArray(50, 'x'), false) + toServer(0x0, QByteArray(50, 'y')),
        "Binary[100]", "", OpenKeep, message);
    fails("fragments totalling maxMessageSize + 1 → 1009", S,
        toServer(0x2, QByteArray(50, 'x'), false) + header(0x0, 51, true), 1009, message);
    fails("one frame of maxMessageSize + 1 → 1009", S, header(0x1, 101, true), 1009, message);
    Limits fragments;
    fragments.maxFragments = 3;
    row("a message of exactly maxFragments frames is accepted", S,
        toServer(0x1, "a", false) + toServer(0x0, "b", false) + toServer(0x0, "c"), "Text[3]:abc",
        "", OpenKeep, fragments);
    fails("a message of maxFragments + 1 frames → 1009", S,
        toServer(0x1, "a", false) + toServer(0x0, "b", false) + toServer(0x0, "c", false)
            + toServer(0x0, "d"),
        1009, fragments);

    // RFC 6455 §8.1: text is UTF-8, checked fail-fast.
    fails("text with overlong C0 80 → 1007", S, toServer(0x1, "a" + bytes("c080")), 1007);
    fails("text with overlong E0 80 80 → 1007", S, toServer(0x1, bytes("e08080")), 1007);
    fails("text with overlong F0 80 80 80 → 1007", S, toServer(0x1, bytes("f0808080")), 1007);
    fails("text with surrogate ED A0 80 → 1007", S, toServer(0x1, bytes("eda080")), 1007);
    fails("text with F4 90 80 80 above U+10FFFF → 1007", S, toServer(0x1, bytes("f4908080")), 1007);
    fails("text with F5 → 1007", C, toClient(0x1, bytes("f5")), 1007);
    fails("text message ending mid-sequence → 1007", S, toServer(0x1, "a" + bytes("e282")), 1007);
    fails("text fragments ending mid-sequence → 1007", S,
        toServer(0x1, bytes("e2"), false) + toServer(0x0, bytes("82")), 1007);
    fails("invalid UTF-8 in a first fragment fails before the message ends", S,
        toServer(0x1, "ab" + bytes("ff"), false), 1007);
    ok("a character split across fragments is valid", S,
        toServer(0x1, bytes("e2"), false) + toServer(0x0, bytes("82ac")), "Text[3]:0xe282ac");
    ok("a 4-byte character split across three fragments with a ping between", S,
        toServer(0x1, bytes("f09f"), false) + toServer(0x9, "") + toServer(0x0, bytes("98"), false)
            + toServer(0x0, bytes("80")),
        "Ping[0]: | Text[4]:0xf09f9880", "Pong[0]:");
    ok("binary messages are not UTF-8-checked", S, toServer(0x2, bytes("c080ff")),
        "Binary[3]:0xc080ff");

    // RFC 6455 §5.5.1, §7.4: close frames.
    for (int code : {1000, 1003, 1007, 1014, 3000, 4999}) {
        const QByteArray name = "close code " + QByteArray::number(code) + " is valid and echoed";
        const QByteArray events = "Close:" + QByteArray::number(code) + ":bye";
        const QByteArray output = "Close:" + QByteArray::number(code);
        row(name.constData(), S, toServer(0x8, closeBody(quint16(code), "bye")), events.constData(),
            output.constData(), ClosedAfterWrite, defaults);
    }
    for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
        const QByteArray name = "close code " + QByteArray::number(code) + " → 1002";
        fails(name.constData(), S, toServer(0x8, closeBody(quint16(code))), 1002);
    }
    row("empty close is reported as 1005 and answered with an empty close", S, toServer(0x8, ""),
        "Close:1005:", "Close", ClosedAfterWrite, defaults);
    row("a client echoes a close and waits for the server's TCP close", C,
        toClient(0x8, closeBody(1001, "going")), "Close:1001:going", "Close:1001",
        QStringLiteral("Closed/WaitForPeerClose"), defaults);
    fails("close with a 1-byte body → 1002", S, toServer(0x8, "x"), 1002);
    fails("close reason that is not UTF-8 → 1007", S, toServer(0x8, closeBody(1000, bytes("ff"))),
        1007);
    fails("close reason ending mid-sequence → 1007", S,
        toServer(0x8, closeBody(1000, bytes("e282"))), 1007);
    row("close with a 123-byte reason is accepted", S,
        toServer(0x8, closeBody(1000, QByteArray(123, 'r'))),
        qPrintable(QStringLiteral("Close:1000:") + QString(123, QLatin1Char('r'))), "Close:1000",
        ClosedAfterWrite, defaults);
    row("frames after a close are ignored", S,
        toServer(0x8, closeBody(1000)) + toServer(0x1, "late") + toServer(0x9, "p"),
        "Close:1000:", "Close:1000", ClosedAfterWrite, defaults);
    row("a close inside a fragmented message ends the connection", S,
        toServer(0x1, "ab", false) + toServer(0x8, closeBody(1000)), "Close:1000:", "Close:1000",
        ClosedAfterWrite, defaults);
    fails("garbage after a failure is ignored", S,
        toServer(0x3, "") + toServer(0x1, "x") + bytes("ffffffff"), 1002);
    row("events before a failure are kept", S,
        toServer(0x1, "fine") + toServer(0x9, "p") + toServer(0x0, "x"),
        "Text[4]:fine | Ping[1]:p | Failure:1002", "Pong[1]:p | Close:1002", ClosedAfterWrite,
        defaults);
}

void tst_Conn::rules()
{
    QFETCH(int, role);
    QFETCH(QByteArray, input);
    QFETCH(QString, events);
    QFETCH(QString, output);
    QFETCH(QString, final);
    QFETCH(qint64, maxFrameSize);
    QFETCH(qint64, maxMessageSize);
    QFETCH(int, maxFragments);
    Limits limits;
    limits.maxFrameSize = maxFrameSize;
    limits.maxMessageSize = maxMessageSize;
    limits.maxFragments = maxFragments;
    checkAllSplits(Role(role), optionsWith(limits), input, Transcript{events, output, final, {}});
}

// RFC 6455 §7.1.7 lets an endpoint fail the connection without losing what came before: every
// message completed before the offending frame is delivered in order, an echo of it goes out,
// and only then the failure's close frame. Each row is a valid text message (then a binary one,
// then a ping, whose pong is automatic) followed in the same input by a frame that fails.
void tst_Conn::messagesBeforeAFailureAreAnswered_data()
{
    QTest::addColumn<int>("role");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("events");
    QTest::addColumn<QString>("output");

    // The ping comes first, so its automatic pong is queued before the echoes however the input
    // is split.
    const auto valid = [](Role to) -> QByteArray {
        const auto f = to == Role::Server ? toServer : toClient;
        return f(0x9, "p", true, 0, Length::Minimal) + f(0x1, "first", true, 0, Length::Minimal)
            + f(0x2, "\x01\x02", true, 0, Length::Minimal);
    };
    const auto row = [&](const char *name, Role role, const QByteArray &bad, int code) {
        QTest::newRow(name)
            << int(role) << QByteArray(valid(role) + bad)
            << QStringLiteral("Ping[1]:p | Text[5]:first | Binary[2]:0x0102 | Failure:%1").arg(code)
            << QStringLiteral("Pong[1]:p | Data(1,1)[5]:first | Data(2,1)[2]:0x0102 | Close:%1")
                   .arg(code);
    };
    const Role S = Role::Server;
    const Role C = Role::Client;
    row("server: then a reserved data opcode 3 → 1002", S, toServer(0x3, "x"), 1002);
    row("server: then a reserved control opcode 11 → 1002", S, toServer(0xB, "x"), 1002);
    row("server: then RSV1 without an extension → 1002", S, toServer(0x1, "x", true, Rsv1), 1002);
    row("server: then RSV2 → 1002", S, toServer(0x1, "x", true, Rsv2), 1002);
    row("server: then RSV3 on a ping → 1002", S, toServer(0x9, "x", true, Rsv3), 1002);
    row("server: then a stray continuation → 1002", S, toServer(0x0, "x"), 1002);
    row("server: then an unmasked frame → 1002", S, toClient(0x1, "x"), 1002);
    row("server: then a fragmented ping → 1002", S, toServer(0x9, "x", false), 1002);
    row("server: then a text frame inside a fragmented one → 1002", S,
        toServer(0x1, "a", false) + toServer(0x1, "b"), 1002);
    row("server: then invalid UTF-8 → 1007", S, toServer(0x1, "\xc0\xaf"), 1007);
    row("server: then a close with code 999 → 1002", S, toServer(0x8, "\x03\xe7"), 1002);
    row("client: then a reserved opcode 4 → 1002", C, toClient(0x4, "x"), 1002);
    row("client: then RSV1 without an extension → 1002", C, toClient(0x2, "x", true, Rsv1), 1002);
    row("client: then a stray continuation → 1002", C, toClient(0x0, "x"), 1002);
    row("client: then a masked frame → 1002", C, toServer(0x1, "x"), 1002);
    // The cases the QObject and interop tests share (tests/support/badframes.h), both roles.
    for (const qtws::test::BadFrameCase &badCase : qtws::test::badFrameCases()) {
        for (const Role role : {S, C}) {
            const QByteArray name
                = QByteArray(role == S ? "server" : "client") + ", shared case: " + badCase.name;
            row(name.constData(), role, qtws::test::badFrameBytes(badCase, role == S),
                badCase.closeCode);
        }
    }
}

void tst_Conn::messagesBeforeAFailureAreAnswered()
{
    QFETCH(int, role);
    QFETCH(QByteArray, input);
    QFETCH(QString, events);
    QFETCH(QString, output);
    checkAllSplits(Role(role), optionsWith(Limits()), input,
        Transcript{events, output, ClosedAfterWrite, {}}, Reply::Echo);
}

// Browsers and proxies fragment at 4–16 KiB; a message of maxMessageSize in 1 KiB fragments
// must pass with the default Limits (16 MiB = 16,384 frames), both roles.
void tst_Conn::defaultLimitsLetOrdinaryFragmentingPeersThrough()
{
    const QByteArray chunk(1024, 'a');
    for (const Role role : {Role::Server, Role::Client}) {
        Conn conn(role);
        const auto f = role == Role::Server ? toServer : toClient;
        const int frames = int(Limits().maxMessageSize / chunk.size());
        QCOMPARE(frames, 16384);
        QByteArray wire;
        for (int i = 0; i < frames; ++i)
            wire += f(i == 0 ? 0x1 : 0x0, chunk, i == frames - 1, 0, Length::Minimal);
        conn.receive(wire);
        const std::optional<Event> e = conn.nextEvent();
        QVERIFY(e);
        QCOMPARE(e->type, Event::Type::TextMessage);
        QCOMPARE(e->payload.size(), Limits().maxMessageSize);
        QVERIFY(!conn.nextEvent());
        QCOMPARE(conn.state(), Conn::State::Open);
    }
    // Empty fragments stay bounded: one more frame than maxFragments fails with 1009.
    Conn conn(Role::Server);
    const int most = Limits().maxFragments;
    QByteArray wire = toServer(0x2, "", false);
    for (int i = 1; i < most; ++i)
        wire += toServer(0x0, "", false);
    conn.receive(wire);
    QVERIFY(!conn.nextEvent());
    conn.receive(toServer(0x0, "", false));
    const std::optional<Event> e = conn.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Failure);
    QCOMPARE(e->closeCode, quint16(1009));
}

// RFC 6455 §8.1 fail-fast: the 1007 comes with the bad byte, before the frame is complete.
void tst_Conn::utf8FailureIsRaisedMidFrame()
{
    QByteArray payload(100, 'a');
    payload[10] = char(0xC0);
    const QByteArray wire = toServer(0x1, payload);
    Conn server(Role::Server);
    server.receive(QByteArrayView(wire).first(6 + 11)); // header + bytes 0..10
    std::optional<Event> e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Failure);
    QCOMPARE(e->closeCode, quint16(1007));
    QVERIFY2(e->reason.contains(QLatin1String("10")), qPrintable(e->reason));
    QVERIFY(server.failed());
    QCOMPARE(server.transportAction(), Conn::TransportAction::CloseAfterWrite);

    // Also in the middle of a later fragment of a long message, and in streaming mode.
    for (bool messages : {true, false}) {
        Conn::Options options;
        options.deliverMessages = messages;
        Conn conn(Role::Client, options);
        QByteArray second(5000, 'b');
        second[3000] = char(0xED);
        second[3001] = char(0xA0); // a surrogate
        const QByteArray input
            = toClient(0x1, QByteArray(4000, 'a'), false) + toClient(0x0, second, false);
        conn.receive(QByteArrayView(input).first(input.size() - 1900));
        e = conn.nextEvent();
        QVERIFY(e);
        QCOMPARE(e->type, Event::Type::Failure);
        QCOMPARE(e->closeCode, quint16(1007));
        QVERIFY2(e->reason.contains(QLatin1String("7001")), qPrintable(e->reason));
    }
}

void tst_Conn::oversizedFrameFailsFromItsHeaderAlone()
{
    Conn server(Role::Server);
    server.receive(header(0x2, quint64(1) << 40, true));
    std::optional<Event> e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Failure);
    QCOMPARE(e->closeCode, quint16(1009));
    QVERIFY2(e->reason.contains(QLatin1String("1099511627776")), qPrintable(e->reason));
}

// A header may announce up to 2^63-1 bytes; with limits that large the codec must still only
// hold what arrived (ASan aborts on an allocation this size, so reserving it fails the test).
void tst_Conn::forgedLengthDoesNotAllocate()
{
    Conn::Options options;
    options.limits.maxFrameSize = std::numeric_limits<qint64>::max();
    options.limits.maxMessageSize = std::numeric_limits<qint64>::max();
    for (bool messages : {true, false}) {
        options.deliverMessages = messages;
        options.deliverFrames = !messages;
        for (quint8 opcode : {quint8(0x1), quint8(0x2)}) {
            Conn server(Role::Server, options);
            // 1000 bytes of payload (masked 'a's) behind a header announcing 2^62 + 5.
            const QByteArray payload = toServer(opcode, QByteArray(1000, 'a')).sliced(8);
            server.receive(QByteArray(header(opcode, (quint64(1) << 62) + 5, true) + payload));
            QVERIFY(!server.hasEvents());
            QVERIFY(server.receivingMessage());
            QCOMPARE(server.state(), Conn::State::Open);
        }
    }
}

void tst_Conn::failureCloseFrameCarriesTheReason()
{
    Conn client(Role::Client, optionsWith({}));
    client.receive(toClient(0x1, bytes("c0")));
    const std::optional<Event> e = client.nextEvent();
    QVERIFY(e && e->type == Event::Type::Failure);
    std::vector<OutFrame> frames;
    QString error;
    QVERIFY2(parseOutput(client.takeOutgoing(), Role::Client, &frames, &error), qPrintable(error));
    QCOMPARE(frames.size(), size_t(1));
    QCOMPARE(frames[0].opcode, quint8(0x8));
    QCOMPARE(frames[0].payload, closeBody(1007, e->reason.toUtf8()));
    QCOMPARE(client.closeCode(), quint16(1007));
    QCOMPARE(client.closeReason(), e->reason);
    QCOMPARE(client.closeInitiator(), Conn::CloseInitiator::Local);
}

void tst_Conn::closeHandshake_data()
{
    QTest::addColumn<int>("initiator");
    QTest::newRow("client initiates: the server closes TCP, the client waits for it")
        << int(Role::Client);
    QTest::newRow("server initiates: the server closes TCP, the client waits for it")
        << int(Role::Server);
}

// RFC 6455 §7.1.1–§7.1.3: Open → Closing → Closed on both ends, and who closes the TCP
// connection.
void tst_Conn::closeHandshake()
{
    QFETCH(int, initiator);
    Conn client(Role::Client);
    Conn server(Role::Server);
    Conn &first = initiator == int(Role::Client) ? client : server;
    Conn &second = initiator == int(Role::Client) ? server : client;

    QCOMPARE(first.state(), Conn::State::Open);
    QCOMPARE(first.closeCode(), quint16(1006));
    QCOMPARE(first.close(CloseCode::GoingAway, "later"), qint64(7));
    QCOMPARE(first.state(), Conn::State::Closing);
    QVERIFY(first.closeSent());
    QVERIFY(!first.closeReceived());
    QCOMPARE(first.closeInitiator(), Conn::CloseInitiator::Local);
    QCOMPARE(first.transportAction(), Conn::TransportAction::Keep);
    QCOMPARE(first.closeCode(), quint16(1006)); // not closed yet

    second.receive(first.takeOutgoing());
    std::optional<Event> e = second.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Close);
    QCOMPARE(e->closeCode, quint16(1001));
    QCOMPARE(e->reason, QStringLiteral("later"));
    QCOMPARE(second.state(), Conn::State::Closed);
    QVERIFY(second.closeSent());
    QVERIFY(second.closeReceived());
    QCOMPARE(second.closeInitiator(), Conn::CloseInitiator::Remote);
    QCOMPARE(second.closeCode(), quint16(1001));
    QCOMPARE(second.closeReason(), QStringLiteral("later"));
    QVERIFY(!second.failed());

    first.receive(second.takeOutgoing());
    e = first.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Close);
    QCOMPARE(e->closeCode, quint16(1001)); // the echo carries the code
    QCOMPARE(first.state(), Conn::State::Closed);
    QVERIFY(first.closeReceived());
    QCOMPARE(first.closeInitiator(), Conn::CloseInitiator::Local);
    QCOMPARE(first.closeCode(), quint16(1001));
    QVERIFY(!first.failed());
    QVERIFY(first.takeOutgoing().isEmpty());

    // RFC 6455 §7.1.1: the server closes the TCP connection first.
    QCOMPARE(server.transportAction(), Conn::TransportAction::CloseAfterWrite);
    QCOMPARE(client.transportAction(), Conn::TransportAction::WaitForPeerClose);
}

// A peer's mistake while our close is on its way: one Failure, no second close frame.
void tst_Conn::failureWhileClosingSendsNoSecondClose()
{
    Conn server(Role::Server);
    QVERIFY(server.close(CloseCode::GoingAway) > 0);
    QCOMPARE(describeOutput(server.takeOutgoing(), Role::Server), QStringLiteral("Close:1001"));
    server.receive(toServer(0x1, bytes("ff")));
    const std::optional<Event> e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Failure);
    QCOMPARE(e->closeCode, quint16(1007));
    QVERIFY(!server.hasEvents());
    QVERIFY(server.takeOutgoing().isEmpty());
    QCOMPARE(server.state(), Conn::State::Closed);
    QCOMPARE(server.closeCode(), quint16(1007));
    QCOMPARE(server.closeInitiator(), Conn::CloseInitiator::Local);
    QCOMPARE(server.transportAction(), Conn::TransportAction::CloseAfterWrite);
}

// The peer may keep sending until it sees our close (RFC 6455 §7.1.2).
void tst_Conn::dataStillArrivesWhileClosing()
{
    Conn client(Role::Client);
    Conn server(Role::Server);
    QVERIFY(server.close() >= 0);
    QVERIFY(client.sendText("in flight") > 0);
    server.receive(client.takeOutgoing());
    std::optional<Event> e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::TextMessage);
    QCOMPARE(e->payload, QByteArray("in flight"));
    QCOMPARE(server.state(), Conn::State::Closing);
    // A ping is still answered while our close is on its way (RFC 6455 §5.5.2).
    server.takeOutgoing();
    server.receive(toServer(0x9, "p"));
    QCOMPARE(describeOutput(server.takeOutgoing(), Role::Server), QStringLiteral("Pong[1]:p"));
}

void tst_Conn::onlyControlFramesAfterSendingClose()
{
    Conn conn(Role::Client);
    QCOMPARE(conn.close(), qint64(2));
    const QRegularExpression afterClose(QStringLiteral("close frame was sent"));
    QTest::ignoreMessage(QtWarningMsg, afterClose);
    QCOMPARE(conn.sendText("x"), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, afterClose);
    QCOMPARE(conn.sendBinary("x"), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, afterClose);
    QCOMPARE(conn.sendFragment(MessageType::Binary, "x", Fin::More), qint64(-1));
    QCOMPARE(conn.ping("still"), qint64(5));
    QCOMPARE(conn.pong("here"), qint64(4));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("already sent")));
    QCOMPARE(conn.close(), qint64(-1));
    QCOMPARE(describeOutput(conn.takeOutgoing(), Role::Client),
        QStringLiteral("Close:1000 | Ping[5]:still | Pong[4]:here"));

    // Once closed, nothing at all.
    conn.receive(toClient(0x8, closeBody(1000)));
    QCOMPARE(conn.state(), Conn::State::Closed);
    const QRegularExpression closed(QStringLiteral("connection is closed"));
    QTest::ignoreMessage(QtWarningMsg, closed);
    QCOMPARE(conn.ping(), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, closed);
    QCOMPARE(conn.pong(), qint64(-1));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("already closed")));
    QCOMPARE(conn.close(), qint64(-1));
    QVERIFY(conn.takeOutgoing().isEmpty());

    // After a failure too, once its event was pulled (before that, replies to the messages
    // that preceded the offending frame may still go out).
    Conn failed(Role::Server);
    failed.receive(toClient(0x1, "unmasked"));
    QVERIFY(failed.failed());
    QVERIFY(failed.nextEvent());
    QTest::ignoreMessage(QtWarningMsg, closed);
    QCOMPARE(failed.sendText("x"), qint64(-1));
    // Once the peer's close was pulled the echo went; close() is refused.
    Conn echoed(Role::Server);
    echoed.receive(toServer(0x8, ""));
    QVERIFY(echoed.nextEvent());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("already closed")));
    QCOMPARE(echoed.close(), qint64(-1));
}

// RFC 6455 §5.5.1: the echo of the peer's close waits until the application pulled the Close
// event, so replies to the messages that arrived with it (one read) still go out, before it.
void tst_Conn::messagesBeforeAPeerCloseCanBeAnswered()
{
    Conn server(Role::Server);
    server.receive(QByteArray(toServer(0x1, "question") + toServer(0x8, closeBody(1000, "bye"))));
    std::optional<Event> e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::TextMessage);
    QVERIFY(server.closeReceived());
    QCOMPARE(server.state(), Conn::State::Open);
    QVERIFY(server.outgoingSize() == 0); // no echo yet
    QCOMPARE(server.sendText("answer"), qint64(6));
    e = server.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Close);
    QCOMPARE(server.state(), Conn::State::Closed);
    QCOMPARE(server.closeInitiator(), Conn::CloseInitiator::Remote);
    QCOMPARE(server.transportAction(), Conn::TransportAction::CloseAfterWrite);
    QCOMPARE(describeOutput(server.takeOutgoing(), Role::Server),
        QStringLiteral("Data(1,1)[6]:answer | Close:1000"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("closed")));
    QCOMPARE(server.sendText("late"), qint64(-1));
}

void tst_Conn::aPendingPeerCloseCanBeAnsweredWithOwnCode()
{
    Conn client(Role::Client);
    client.receive(toClient(0x8, closeBody(1001, "going")));
    QCOMPARE(client.close(quint16(4000), "mine"), qint64(6));
    QCOMPARE(client.state(), Conn::State::Closed);
    QCOMPARE(client.closeInitiator(), Conn::CloseInitiator::Remote);
    std::optional<Event> e = client.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->type, Event::Type::Close);
    QCOMPARE(e->closeCode, quint16(1001));
    // One close frame only: the application's, not an echo as well.
    QCOMPARE(describeOutput(client.takeOutgoing(), Role::Client), QStringLiteral("Close:4000"));
    QCOMPARE(client.transportAction(), Conn::TransportAction::WaitForPeerClose);
}

void tst_Conn::sendMisuseReturnsMinusOne()
{
    auto warns = [](const char *pattern) {
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QString::fromUtf8(pattern)));
    };
    Conn conn(Role::Server);
    warns("at most 125");
    QCOMPARE(conn.ping(QByteArray(126, 'p')), qint64(-1));
    warns("at most 125");
    QCOMPARE(conn.pong(QByteArray(126, 'p')), qint64(-1));
    QCOMPARE(conn.ping(QByteArray(125, 'p')), qint64(125));
    warns("limit is 123");
    QCOMPARE(conn.close(CloseCode::Normal, QByteArray(124, 'r')), qint64(-1));
    warns("not valid UTF-8");
    QCOMPARE(conn.close(CloseCode::Normal, bytes("c0af")), qint64(-1));
    warns("no reason|has no reason");
    QCOMPARE(conn.close(CloseCode::NoStatusReceived, "x"), qint64(-1));
    for (quint16 code : {0, 999, 1004, 1006, 1015, 1016, 2999, 5000}) {
        warns("not a close code that may be sent");
        QCOMPARE(conn.close(code), qint64(-1));
    }
    warns("not valid UTF-8");
    QCOMPARE(conn.sendText(bytes("eda080")), qint64(-1));

    QCOMPARE(conn.sendFragment(MessageType::Text, "ab", Fin::More), qint64(2));
    warns("fragmented message is unfinished");
    QCOMPARE(conn.sendText("x"), qint64(-1));
    warns("fragmented message is unfinished");
    QCOMPARE(conn.sendBinary("x"), qint64(-1));
    warns("a text message is in progress");
    QCOMPARE(conn.sendFragment(MessageType::Binary, "x", Fin::Last), qint64(-1));
    QCOMPARE(conn.sendFragment(MessageType::Text, bytes("e2"), Fin::More), qint64(1));
    warns("not valid UTF-8");
    QCOMPARE(conn.sendFragment(MessageType::Text, "x", Fin::Last), qint64(-1));
    warns("not valid UTF-8"); // the message would end inside a character
    QCOMPARE(conn.sendFragment(MessageType::Text, bytes("82"), Fin::Last), qint64(-1));
    QCOMPARE(conn.sendFragment(MessageType::Text, bytes("82ac"), Fin::Last), qint64(2));
    QCOMPARE(conn.close(CloseCode::Normal, QByteArray(123, 'r')), qint64(125));

    // Only the accepted frames went out, and they are what the peer accepts.
    Conn client(Role::Client);
    client.receive(conn.takeOutgoing());
    QStringList events;
    while (std::optional<Event> e = client.nextEvent())
        events << describe(*e);
    QCOMPARE(events.join(QStringLiteral(" | ")),
        QStringLiteral("Ping[125] | Text[5]:0x6162e282ac | Close:1000:")
            + QString(123, QLatin1Char('r')));
}

void tst_Conn::closeWith1005SendsAnEmptyBody()
{
    Conn conn(Role::Server);
    QCOMPARE(conn.close(CloseCode::NoStatusReceived), qint64(0));
    QCOMPARE(conn.takeOutgoing(), bytes("8800"));
}

void tst_Conn::outgoingFramesAreMaskedWithAFreshKeyPerFrame()
{
    Conn server(Role::Server);
    server.sendText("hi");
    QCOMPARE(server.takeOutgoing(), bytes("81026869"));

    Conn::Options options;
    quint32 next = 0x01020304u;
    options.maskKeySource = [&next] { return next++; };
    Conn client(Role::Client, options);
    client.sendBinary("ab");
    client.sendBinary("ab");
    QCOMPARE(client.takeOutgoing(),
        bytes("828201020304"
              "6060")
            + bytes("828201020305"
                    "6060"));

    // The default source: a CSPRNG, a different key per frame.
    Conn real(Role::Client);
    QSet<QByteArray> keys;
    for (int i = 0; i < 300; ++i) { // crosses a block of 256 keys
        real.sendBinary("");
        keys.insert(real.takeOutgoing().mid(2, 4));
    }
    QVERIFY2(keys.size() >= 299, "mask keys repeat");
}

void tst_Conn::outgoingLengthsAreMinimal()
{
    for (Role role : {Role::Server, Role::Client}) {
        for (qsizetype size : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
            Conn conn(role);
            QCOMPARE(conn.sendBinary(QByteArray(size, 'z')), qint64(size));
            const QByteArray out = conn.takeOutgoing();
            const qsizetype headerSize = (size < 126             ? 2
                                                 : size <= 65535 ? 4
                                                                 : 10)
                + (role == Role::Client ? 4 : 0);
            QCOMPARE(out.size(), headerSize + size);
            std::vector<OutFrame> frames;
            QString error;
            QVERIFY2(parseOutput(out, role, &frames, &error), qPrintable(error));
            QCOMPARE(frames.at(0).payload, QByteArray(size, 'z'));
        }
    }
}

void tst_Conn::deliverFramesAndMessages()
{
    const QByteArray input = toServer(0x1, "ab", false) + toServer(0x9, "p")
        + toServer(0x0, bytes("e2"), false) + toServer(0x0, bytes("82ac"));
    Conn::Options both;
    both.deliverFrames = true;
    checkAllSplits(Role::Server, both, input,
        {QStringLiteral("Frame(1,text,more)[2]:ab | Ping[1]:p | Frame(0,text,more)[1]:0xe2"
                        " | Frame(0,text,fin)[2]:0x82ac | Text[5]:0x6162e282ac"),
            QStringLiteral("Pong[1]:p"), OpenKeep, {}});
    Conn::Options framesOnly;
    framesOnly.deliverFrames = true;
    framesOnly.deliverMessages = false;
    checkAllSplits(Role::Server, framesOnly, input,
        {QStringLiteral("Frame(1,text,more)[2]:ab | Ping[1]:p | Frame(0,text,more)[1]:0xe2"
                        " | Frame(0,text,fin)[2]:0x82ac"),
            QStringLiteral("Pong[1]:p"), OpenKeep, {}});
    Conn::Options neither;
    neither.deliverMessages = false;
    checkAllSplits(Role::Server, neither, input + toServer(0x2, "b"),
        {QStringLiteral("Ping[1]:p"), QStringLiteral("Pong[1]:p"), OpenKeep, {}});
}

// Options::messageChunkSize: a message's bytes in order, in chunks of at most the size, as
// they arrive; the split of the input never changes where chunks end (checkAllSplits).
void tst_Conn::messageChunks_data()
{
    QTest::addColumn<qint64>("chunkSize");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("events");
    const QString failed = QStringLiteral(" | Failure:%1");
    QTest::newRow("one frame, 10 bytes in 4s")
        << qint64(4) << toServer(0x2, "abcdefghij")
        << QStringLiteral("Chunk(binary,more)[4]:abcd | Chunk(binary,more)[4]:efgh"
                          " | Chunk(binary,fin)[2]:ij");
    QTest::newRow("exact multiple: the last full chunk is fin")
        << qint64(4) << toServer(0x2, "abcdefgh")
        << QStringLiteral("Chunk(binary,more)[4]:abcd | Chunk(binary,fin)[4]:efgh");
    QTest::newRow("a final empty fragment: an empty fin chunk")
        << qint64(4) << toServer(0x2, "abcd", false) + toServer(0x0, "")
        << QStringLiteral("Chunk(binary,more)[4]:abcd | Chunk(binary,fin)[0]:");
    QTest::newRow("empty message")
        << qint64(4) << toServer(0x1, "") << QStringLiteral("Chunk(text,fin)[0]:");
    QTest::newRow("chunks span fragments, a ping between")
        << qint64(4)
        << toServer(0x1, "ab", false) + toServer(0x9, "p") + toServer(0x0, "cde", false)
            + toServer(0x0, "f")
        << QStringLiteral("Ping[1]:p | Chunk(text,more)[4]:abcd | Chunk(text,fin)[2]:ef");
    QTest::newRow("a chunk may end inside a UTF-8 sequence")
        << qint64(2) << toServer(0x1, "a" + bytes("e282ac"))
        << QStringLiteral("Chunk(text,more)[2]:0x61e2 | Chunk(text,fin)[2]:0x82ac");
    QTest::newRow("two messages") << qint64(3) << toServer(0x2, "abcd") + toServer(0x1, "xy")
                                  << QStringLiteral("Chunk(binary,more)[3]:abc"
                                                    " | Chunk(binary,fin)[1]:d"
                                                    " | Chunk(text,fin)[2]:xy");
    QTest::newRow("invalid UTF-8 after a chunk: 1007")
        << qint64(2) << toServer(0x1, "abc" + bytes("ff"))
        << QStringLiteral("Chunk(text,more)[2]:ab") + failed.arg(1007);
    QTest::newRow("over maxMessageSize (10): 1009")
        << qint64(4) << toServer(0x2, "abcdef", false) + toServer(0x0, "ghijk")
        << QStringLiteral("Chunk(binary,more)[4]:abcd") + failed.arg(1009);
}

void tst_Conn::messageChunks()
{
    QFETCH(qint64, chunkSize);
    QFETCH(QByteArray, input);
    QFETCH(QString, events);
    Conn::Options options;
    options.messageChunkSize = chunkSize;
    options.limits.maxMessageSize = 10;
    const bool fails = events.contains(QStringLiteral("Failure"));
    const QString code = events.right(4);
    checkAllSplits(Role::Server, options, input,
        {events,
            fails ? QStringLiteral("Close:%1").arg(code)
                  : (events.contains(QStringLiteral("Ping")) ? QStringLiteral("Pong[1]:p")
                                                             : QString()),
            fails ? ClosedAfterWrite : OpenKeep, {}});
}

void tst_Conn::messageChunkSizeChangesAtTheNextMessage()
{
    Conn conn(Role::Server);
    auto eventsOf = [&conn](const QByteArray &input) {
        conn.receive(input);
        QStringList events;
        while (std::optional<Event> e = conn.nextEvent())
            events << describe(*e);
        return events.join(QStringLiteral(" | "));
    };
    // Begun assembled: stays assembled although chunking starts halfway.
    QCOMPARE(eventsOf(toServer(0x2, "abc", false)), QString());
    conn.setMessageChunkSize(2);
    QCOMPARE(eventsOf(toServer(0x0, "def") + toServer(0x2, "ghi")),
        QStringLiteral("Binary[6]:abcdef | Chunk(binary,more)[2]:gh"
                       " | Chunk(binary,fin)[1]:i"));
    // Begun chunked: stays chunked.
    QCOMPARE(eventsOf(toServer(0x2, "jk", false)), QStringLiteral("Chunk(binary,more)[2]:jk"));
    conn.setMessageChunkSize(0);
    QCOMPARE(eventsOf(toServer(0x0, "l") + toServer(0x1, "mn")),
        QStringLiteral("Chunk(binary,fin)[1]:l | Text[2]:mn"));
}

void tst_Conn::transformedMessageComesAsOneDecodedChunk()
{
    Conn::Options options;
    options.messageChunkSize = 2;
    Conn conn(Role::Server, options);
    conn.setExtension(std::make_unique<ReverseExtension>());
    conn.receive(QByteArray(toServer(0x2, "dl", false, Rsv1) + toServer(0x0, "row")));
    QStringList events;
    while (std::optional<Event> e = conn.nextEvent())
        events << describe(*e);
    QCOMPARE(events.join(QStringLiteral(" | ")), QStringLiteral("Chunk(binary,fin)[5]:world"));
}

// Without message assembly, UTF-8 and maxMessageSize still apply (conn.h, deliverMessages).
void tst_Conn::streamingStillValidatesAndLimits()
{
    for (bool frames : {true, false}) {
        Conn::Options options;
        options.deliverMessages = false;
        options.deliverFrames = frames;
        options.limits.maxMessageSize = 10;
        const QString failed = QStringLiteral("Failure:%1");
        const QString framePrefix
            = frames ? QStringLiteral("Frame(1,text,more)[6]:aaaaaa | ") : QString();
        checkAllSplits(Role::Server, options,
            toServer(0x1, "aaaaaa", false) + toServer(0x0, "a" + bytes("ff") + "aa"),
            {framePrefix + failed.arg(1007), QStringLiteral("Close:1007"), ClosedAfterWrite, {}});
        checkAllSplits(Role::Server, options,
            toServer(0x1, "aaaaaa", false) + toServer(0x0, "aaaaa"),
            {framePrefix + failed.arg(1009), QStringLiteral("Close:1009"), ClosedAfterWrite, {}});
        checkAllSplits(Role::Server, options, toServer(0x1, "a" + bytes("e2")),
            {failed.arg(1007), QStringLiteral("Close:1007"), ClosedAfterWrite, {}});
    }
}

void tst_Conn::extensionSeam()
{
    auto withExtension = [](Role role, bool inflate = false) {
        Conn conn(role, optionsWith({}));
        auto ext = std::make_unique<ReverseExtension>();
        ext->inflate = inflate;
        conn.setExtension(std::move(ext));
        return conn;
    };
    auto eventsOf = [](Conn &conn, const QByteArray &input) {
        conn.receive(input);
        QStringList events;
        while (std::optional<Event> e = conn.nextEvent())
            events << describe(*e);
        return events.join(QStringLiteral(" | "));
    };

    // RSV1, claimed by the extension, on a first frame: the message is decoded.
    Conn server = withExtension(Role::Server);
    QCOMPARE(server.extension()->name(), QByteArray("x-reverse"));
    QCOMPARE(eventsOf(server, toServer(0x1, "olleh", true, Rsv1)), QStringLiteral("Text[5]:hello"));
    // A fragmented message is decoded whole, with a ping in between.
    QCOMPARE(eventsOf(server,
                 toServer(0x2, "dl", false, Rsv1) + toServer(0x9, "") + toServer(0x0, "row")),
        QStringLiteral("Ping[0]: | Binary[5]:world"));
    // No reserved bit: the message is not the extension's.
    QCOMPARE(eventsOf(server, toServer(0x1, "plain")), QStringLiteral("Text[5]:plain"));
    QCOMPARE(static_cast<ReverseExtension *>(server.extension())->decoded, 2);
    // Text is validated after decoding: a reversed multi-byte character is invalid on the wire
    // but valid once decoded.
    QCOMPARE(eventsOf(server, toServer(0x1, reversed(bytes("e282ac")), true, Rsv1)),
        QStringLiteral("Text[3]:0xe282ac"));
    QCOMPARE(eventsOf(server, toServer(0x1, bytes("e282ac"), true, Rsv1)),
        QStringLiteral("Failure:1007"));

    struct Case
    {
        const char *name;
        QByteArray input;
        int code;
    };
    const Case failures[] = {
        {"RSV1 on a continuation frame → 1002",
            toServer(0x1, "a", false, Rsv1) + toServer(0x0, "b", true, Rsv1), 1002},
        {"RSV1 on a ping → 1002", toServer(0x9, "p", true, Rsv1), 1002},
        {"RSV1 on a close → 1002", toServer(0x8, closeBody(1000), true, Rsv1), 1002},
        {"RSV2, not claimed by the extension → 1002", toServer(0x1, "a", true, Rsv2), 1002},
        {"RSV1|RSV3, RSV3 not claimed → 1002", toServer(0x1, "a", true, Rsv1 | Rsv3), 1002},
    };
    for (const Case &c : failures) {
        Conn conn = withExtension(Role::Server);
        QVERIFY2(eventsOf(conn, c.input) == QStringLiteral("Failure:%1").arg(c.code), c.name);
    }

    // The extension enforces maxMessageSize while decoding (1009 from the extension).
    Conn inflating = withExtension(Role::Server, true);
    QCOMPARE(
        eventsOf(inflating, toServer(0x2, "ab", true, Rsv1)), QStringLiteral("Binary[4]:baba"));
    Conn::Options tight = optionsWith({});
    tight.limits.maxMessageSize = 10;
    Conn limited(Role::Server, tight);
    auto ext = std::make_unique<ReverseExtension>();
    ext->inflate = true;
    limited.setExtension(std::move(ext));
    QCOMPARE(
        eventsOf(limited, toServer(0x2, "abcdef", true, Rsv1)), QStringLiteral("Failure:1009"));

    // Sending: the extension transforms whole messages and marks them; fragments pass as given.
    Conn client = withExtension(Role::Client);
    QCOMPARE(client.sendText("abc"), qint64(3));
    client.sendFragment(MessageType::Binary, "xy", Fin::Last);
    const QByteArray wire = client.takeOutgoing();
    std::vector<OutFrame> frames;
    QString error;
    QVERIFY2(parseOutput(wire, Role::Client, &frames, &error), qPrintable(error));
    QCOMPARE(frames.size(), size_t(2));
    QCOMPARE(frames[0].rsv, Rsv1);
    QCOMPARE(frames[0].payload, QByteArray("cba"));
    QCOMPARE(frames[1].rsv, quint8(0));
    Conn peer = withExtension(Role::Server);
    QCOMPARE(eventsOf(peer, wire), QStringLiteral("Text[3]:abc | Binary[2]:xy"));
}

void tst_Conn::roundTrip_data()
{
    QTest::addColumn<int>("sender");
    QTest::newRow("client → server") << int(Role::Client);
    QTest::newRow("server → client") << int(Role::Server);
}

// Random messages of random sizes (hitting the 125/126/65535/65536 length boundaries) in random
// fragments, with pings between fragments, come back identical through the other role.
void tst_Conn::roundTrip()
{
    QFETCH(int, sender);
    const Role from = Role(sender);
    const Role to = from == Role::Client ? Role::Server : Role::Client;
    std::mt19937 rng(testSeed() + quint32(sender));
    auto pick = [&rng](qsizetype n) { return qsizetype(rng() % quint32(n)); };
    const qsizetype boundaries[] = {0, 1, 125, 126, 127, 65535, 65536, 65537, 70000};

    Conn writer(from);
    Conn reader(to);
    struct Sent
    {
        MessageType type;
        QByteArray payload;
    };
    std::vector<Sent> sent;
    std::vector<QByteArray> pings;
    QByteArray wire;
    for (int m = 0; m < 60; ++m) {
        const qsizetype size = pick(3) == 0 ? pick(70001) : boundaries[pick(std::size(boundaries))];
        const MessageType type = pick(2) ? MessageType::Text : MessageType::Binary;
        QByteArray payload;
        payload.reserve(size + 4);
        if (type == MessageType::Text) {
            // Random characters of 1 to 4 bytes; the size is approximate for non-ASCII runs.
            const char *const chars[] = {"a", "Z", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", " "};
            const bool ascii = pick(2);
            while (payload.size() < size)
                payload += ascii ? chars[pick(2)] : chars[pick(std::size(chars))];
        } else {
            for (qsizetype i = 0; i < size; ++i)
                payload.append(char(rng()));
        }
        const int pieces = pick(3) ? 1 : 1 + int(pick(5));
        if (pieces == 1) {
            QCOMPARE(
                type == MessageType::Text ? writer.sendText(payload) : writer.sendBinary(payload),
                qint64(payload.size()));
        } else {
            // Cut points anywhere, even inside a UTF-8 character (valid: RFC 6455 §5.6 applies
            // to the whole message).
            std::vector<qsizetype> cuts{0, payload.size()};
            for (int i = 1; i < pieces; ++i)
                cuts.push_back(payload.isEmpty() ? 0 : pick(payload.size() + 1));
            std::sort(cuts.begin(), cuts.end());
            for (size_t i = 0; i + 1 < cuts.size(); ++i) {
                const bool last = i + 2 == cuts.size();
                const QByteArrayView chunk
                    = QByteArrayView(payload).sliced(cuts[i], cuts[i + 1] - cuts[i]);
                QCOMPARE(writer.sendFragment(type, chunk, last ? Fin::Last : Fin::More),
                    qint64(chunk.size()));
                if (!last && pick(4) == 0) {
                    const QByteArray ping = QByteArray::number(m) + '.' + QByteArray::number(i);
                    QCOMPARE(writer.ping(ping), qint64(ping.size()));
                    pings.push_back(ping);
                }
            }
        }
        sent.push_back({type, payload});
        wire += writer.takeOutgoing();
    }

    std::vector<Sent> received;
    std::vector<QByteArray> pinged;
    qsizetype at = 0;
    while (at < wire.size()) {
        const qsizetype n = std::min(wire.size() - at, 1 + pick(pick(4) == 0 ? 200000 : 300));
        reader.receive(QByteArrayView(wire).sliced(at, n));
        at += n;
        while (std::optional<Event> e = reader.nextEvent()) {
            switch (e->type) {
            case Event::Type::TextMessage:
                received.push_back({MessageType::Text, e->payload});
                break;
            case Event::Type::BinaryMessage:
                received.push_back({MessageType::Binary, e->payload});
                break;
            case Event::Type::Ping: pinged.push_back(e->payload); break;
            default:
                QFAIL(qPrintable(QStringLiteral("unexpected event %1 (QTWS_TEST_SEED=%2)")
                                     .arg(describe(*e))
                                     .arg(testSeed())));
            }
        }
    }
    QCOMPARE(received.size(), sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        QVERIFY2(received[i].type == sent[i].type && received[i].payload == sent[i].payload,
            qPrintable(QStringLiteral("message %1 of %2 bytes differs (QTWS_TEST_SEED=%3)")
                           .arg(i)
                           .arg(sent[i].payload.size())
                           .arg(testSeed())));
    }
    QCOMPARE(pinged, pings);
    // The reader answered every ping, in order.
    std::vector<OutFrame> pongs;
    QString error;
    QVERIFY2(parseOutput(reader.takeOutgoing(), to, &pongs, &error), qPrintable(error));
    QCOMPARE(pongs.size(), pings.size());
    for (size_t i = 0; i < pongs.size(); ++i)
        QCOMPARE(pongs[i].payload, pings[i]);
    QCOMPARE(reader.state(), Conn::State::Open);
    QVERIFY(!reader.receivingMessage());
}

void tst_Conn::movedConnKeepsWorking()
{
    Conn a(Role::Server);
    a.receive(toServer(0x1, "par", false));
    QVERIFY(a.receivingMessage());
    Conn b = std::move(a);
    b.receive(toServer(0x0, "tial"));
    const std::optional<Event> e = b.nextEvent();
    QVERIFY(e);
    QCOMPARE(e->payload, QByteArray("partial"));
    QCOMPARE(b.role(), Role::Server);
}

QTEST_APPLESS_MAIN(tst_Conn)
#include "tst_conn.moc"
