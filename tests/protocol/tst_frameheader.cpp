// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/frameheader_p.h"

#include <QtTest/QTest>

using qtws::FrameHeader;
using qtws::FrameHeaderParser;
using Status = FrameHeaderParser::Status;

namespace {

// Parses bytes in pieces of `chunk`; returns the status, the header and the bytes consumed.
Status parseInPieces(
    const QByteArray &bytes, qsizetype chunk, FrameHeader *header, qsizetype *consumed)
{
    FrameHeaderParser parser;
    qsizetype total = 0;
    Status status = Status::NeedMore;
    while (total < bytes.size()) {
        const qsizetype n = std::min(chunk, bytes.size() - total);
        qsizetype used = 0;
        status = parser.feed(bytes.constData() + total, n, &used);
        total += used;
        if (status != Status::NeedMore)
            break;
        if (used != n)
            return Status::Invalid; // NeedMore must consume everything it was given
    }
    *header = parser.header();
    *consumed = total;
    return status;
}

} // namespace

class tst_FrameHeader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<qsizetype>("headerSize");
        QTest::addColumn<quint64>("length");
        QTest::addColumn<quint32>("key");
        auto row = [](const char *name, const char *hex, Status s, qsizetype size, quint64 length,
                       quint32 key) {
            QTest::newRow(name) << QByteArray::fromHex(hex) << int(s) << size << length << key;
        };
        row("7-bit length 0", "8100", Status::Complete, 2, 0, 0);
        row("7-bit length 125", "827d", Status::Complete, 2, 125, 0);
        row("16-bit length 126", "827e007e", Status::Complete, 4, 126, 0);
        row("16-bit length 65535", "827effff", Status::Complete, 4, 65535, 0);
        row("64-bit length 65536", "827f0000000000010000", Status::Complete, 10, 65536, 0);
        row("masked 7-bit length carries its key", "81850a0b0c0d", Status::Complete, 6, 5,
            0x0a0b0c0d);
        row("masked 64-bit length is 14 bytes", "82ff000000000001000001020304", Status::Complete,
            14, 65536, 0x01020304);
        row("non-minimal 16-bit length 5 is accepted (RFC 6455 §5.2 binds the sender)", "827e0005",
            Status::Complete, 4, 5, 0);
        row("non-minimal 64-bit length 126 is accepted", "827f000000000000007e", Status::Complete,
            10, 126, 0);
        row("64-bit length 2^63-1 parses (the limits reject it, not the parser)",
            "827f7fffffffffffffff", Status::Complete, 10, quint64(0x7fffffffffffffff), 0);
        row("64-bit length with the most significant bit set is invalid (RFC 6455 §5.2)",
            "827f8000000000000000", Status::Invalid, 3, 0, 0);
        row("a header cut short needs more", "827e00", Status::NeedMore, 3, 0, 0);
    }

    // Whole, one byte at a time and in every chunk size, with trailing payload left unconsumed.
    void parse()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(qsizetype, headerSize);
        QFETCH(quint64, length);
        QFETCH(quint32, key);
        const QByteArray withPayload = bytes + QByteArray("payload");
        const QByteArray &input = Status(status) == Status::NeedMore ? bytes : withPayload;
        for (qsizetype chunk = 1; chunk <= input.size(); ++chunk) {
            FrameHeader h;
            qsizetype consumed = 0;
            const Status s = parseInPieces(input, chunk, &h, &consumed);
            QCOMPARE(int(s), status);
            QCOMPARE(consumed, headerSize);
            if (s == Status::Complete) {
                QCOMPARE(h.payloadLength, length);
                QCOMPARE(h.maskKey, key);
                QCOMPARE(h.masked, key != 0);
            }
        }
    }

    // The first two bytes are decoded as soon as they are in, so the caller can reject a frame
    // before the rest of its header arrives.
    void prefixIsAvailableAfterTwoBytes()
    {
        const QByteArray bytes = QByteArray::fromHex("3aff");
        FrameHeaderParser parser;
        qsizetype used = 0;
        QCOMPARE(parser.feed(bytes.constData(), 1, &used), Status::NeedMore);
        QVERIFY(!parser.hasPrefix());
        QCOMPARE(parser.feed(bytes.constData() + 1, 1, &used), Status::NeedMore);
        QVERIFY(parser.hasPrefix());
        QCOMPARE(parser.header().fin, false);
        QCOMPARE(parser.header().rsv, quint8(FrameHeader::Rsv2 | FrameHeader::Rsv3));
        QCOMPARE(parser.header().opcode, quint8(0xA));
        QCOMPARE(parser.header().masked, true);
        parser.reset();
        QVERIFY(!parser.hasPrefix());
    }

    void flagsAndOpcode()
    {
        for (int fin = 0; fin < 2; ++fin) {
            for (int rsv = 0; rsv < 8; ++rsv) {
                for (int opcode = 0; opcode < 16; ++opcode) {
                    const char bytes[2] = {char((fin << 7) | (rsv << 4) | opcode), 0};
                    FrameHeaderParser parser;
                    qsizetype used = 0;
                    QCOMPARE(parser.feed(bytes, 2, &used), Status::Complete);
                    QCOMPARE(parser.header().fin, bool(fin));
                    QCOMPARE(parser.header().rsv, quint8(rsv << 4));
                    QCOMPARE(parser.header().opcode, quint8(opcode));
                    QCOMPARE(parser.header().masked, false);
                }
            }
        }
    }

    // RFC 6455 §5.2: senders use the minimal length encoding; what is encoded parses back.
    void encodeIsMinimalAndRoundTrips_data()
    {
        QTest::addColumn<quint64>("length");
        QTest::addColumn<int>("unmaskedSize");
        for (quint64 length : {0ull, 1ull, 125ull})
            QTest::addRow("length %llu uses the 7-bit form", length) << length << 2;
        for (quint64 length : {126ull, 127ull, 65535ull})
            QTest::addRow("length %llu uses the 16-bit form", length) << length << 4;
        for (quint64 length : {65536ull, 1ull << 32, (1ull << 63) - 1})
            QTest::addRow("length %llu uses the 64-bit form", length) << length << 10;
    }

    void encodeIsMinimalAndRoundTrips()
    {
        QFETCH(quint64, length);
        QFETCH(int, unmaskedSize);
        for (bool masked : {false, true}) {
            FrameHeader h;
            h.fin = !masked;
            h.rsv = FrameHeader::Rsv1;
            h.opcode = 0x2;
            h.masked = masked;
            h.maskKey = masked ? 0xCAFEBABEu : 0;
            h.payloadLength = length;
            uchar out[qtws::MaxFrameHeaderSize + 1];
            std::fill(std::begin(out), std::end(out), uchar(0xEE));
            const int size = qtws::encodeFrameHeader(out, h);
            QCOMPARE(size, unmaskedSize + (masked ? 4 : 0));
            QCOMPARE(qtws::frameHeaderSize(length, masked), size);
            QCOMPARE(out[size], uchar(0xEE)); // nothing written past the header
            FrameHeaderParser parser;
            qsizetype used = 0;
            QCOMPARE(
                parser.feed(reinterpret_cast<const char *>(out), size, &used), Status::Complete);
            QCOMPARE(used, qsizetype(size));
            QCOMPARE(parser.header().fin, h.fin);
            QCOMPARE(parser.header().rsv, h.rsv);
            QCOMPARE(parser.header().opcode, h.opcode);
            QCOMPARE(parser.header().masked, masked);
            QCOMPARE(parser.header().maskKey, h.maskKey);
            QCOMPARE(parser.header().payloadLength, length);
        }
    }
};

QTEST_APPLESS_MAIN(tst_FrameHeader)
#include "tst_frameheader.moc"
