#include "badframes.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QRandomGenerator>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

namespace qtws::test {

QList<BadFrameCase> badFrameCases()
{
    const QByteArray x("x");
    return {
        {"reserved data opcode 0x3", {{0x83, {}}}, 1002},
        {"reserved data opcode 0x7", {{0x87, x}}, 1002},
        {"reserved control opcode 0xB", {{0x8B, {}}}, 1002},
        {"reserved control opcode 0xF", {{0x8F, x}}, 1002},
        {"RSV1 with no extension", {{0xC1, x}}, 1002},
        {"RSV2", {{0xA1, x}}, 1002},
        {"RSV3", {{0x91, x}}, 1002},
        {"RSV1 on a ping", {{0xC9, {}}}, 1002},
        {"continuation with no message begun", {{0x80, x}}, 1002},
        {"a new text frame inside a fragmented message", {{0x01, x}, {0x81, x}}, 1002},
        {"a new binary frame inside a fragmented message", {{0x02, x}, {0x82, x}}, 1002},
        {"fragmented ping", {{0x09, {}}}, 1002},
        {"fragmented close", {{0x08, {}}}, 1002},
        {"close with a one-byte body", {{0x88, QByteArray(1, '\x03')}}, 1002},
        {"close with code 999", {{0x88, QByteArray::fromHex("03e7")}}, 1002},
        {"close with reserved code 1004", {{0x88, QByteArray::fromHex("03ec")}}, 1002},
        {"text that is not UTF-8", {{0x81, QByteArray::fromHex("c328")}}, 1007},
        {"text with a UTF-16 surrogate", {{0x81, QByteArray::fromHex("eda080")}}, 1007},
        {"text fragments ending mid-character", {{0x01, QByteArray::fromHex("e2")}, {0x80, {}}},
            1007},
        {"wrong mask bit", {{0x81, x}}, 1002, true},
    };
}

QByteArray rawFrame(const RawFrame &frame, bool toServer, bool wrongMask)
{
    Q_ASSERT(frame.payload.size() < 126);
    const bool masked = toServer != wrongMask;
    const char mask[4] = {0x37, char(0xfa), 0x21, 0x3d};
    QByteArray bytes;
    bytes.append(char(frame.firstByte));
    bytes.append(char((masked ? 0x80 : 0) | frame.payload.size()));
    if (masked)
        bytes.append(mask, 4);
    for (qsizetype i = 0; i < frame.payload.size(); ++i)
        bytes.append(char(frame.payload.at(i) ^ (masked ? mask[i % 4] : 0)));
    return bytes;
}

QByteArray badFrameBytes(const BadFrameCase &badCase, bool toServer)
{
    QByteArray bytes;
    for (const RawFrame &frame : badCase.frames)
        bytes += rawFrame(frame, toServer, badCase.wrongMask);
    return bytes;
}

QList<RawFrame> validMessagesBeforeTheBadFrame()
{
    return {
        {0x81, QByteArray("first")}, {0x82, QByteArray::fromHex("0102")},
        {0x81, QByteArray::fromHex("efbbbf424f4d206669727374")}, // U+FEFF "BOM first"
    };
}

void writeInPieces(QTcpSocket *socket, const QByteArray &bytes, Split split, quint32 seed)
{
    QRandomGenerator random(seed);
    // Stops once the peer closed: the rest of a bad frame cannot matter any more.
    for (qsizetype at = 0;
         at < bytes.size() && socket->state() == QAbstractSocket::ConnectedState;) {
        qsizetype size = bytes.size() - at;
        if (split == Split::ByteByByte)
            size = 1;
        else if (split == Split::Random)
            size = std::min<qsizetype>(size, 1 + random.bounded(7));
        socket->write(bytes.mid(at, size));
        socket->flush();
        QCoreApplication::processEvents();
        at += size;
    }
}

void addBadFrameRows(bool toServer)
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<Split>("split");
    const QList<std::pair<const char *, Split>> splits{{"whole", Split::Whole},
        {"byte by byte", Split::ByteByByte}, {"random pieces", Split::Random}};
    for (const BadFrameCase &badCase : badFrameCases()) {
        for (const auto &[splitName, split] : splits)
            QTest::addRow("%s, %s", badCase.name, splitName)
                << badFrameBytes(badCase, toServer) << int(badCase.closeCode) << split;
    }
}

} // namespace qtws::test
