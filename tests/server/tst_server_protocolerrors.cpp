// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::Server facing a client that breaks the protocol (RFC 6455 §5, §7.4, §8.1): every
// message completed before the offending frame reaches the handler and is answered, in order,
// then the connection fails with the right close code; the close ends with a half-close that
// waits for the client's FIN (§7.1.1), so no reset can destroy what the client has not read.
#include "badframes.h"
#include "posixsocket.h"
#include "recordingecho.h"
#include "serverfixtures.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws;
using qtws::test::BadFrameCase;
using qtws::test::PosixSocket;
using qtws::test::RawClient;
using qtws::test::RawFrame;
using qtws::test::RecordingEcho;

namespace {

QByteArray validMessagesToServer()
{
    QByteArray bytes;
    for (const RawFrame &frame : qtws::test::validMessagesBeforeTheBadFrame())
        bytes += qtws::test::rawFrame(frame, true);
    return bytes;
}

} // namespace

class tst_ServerProtocolErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The valid text, binary and U+FEFF-led text, then a bad frame, written whole, byte by byte
    // and in random pieces: the handler gets the three messages (the U+FEFF kept), the client
    // gets their echoes and then a close with the case's code (the FIN is checked by
    // failingServerHalfClosesAndWaitsForTheClientsFin, as Qt reports a reset like a FIN).
    void messagesBeforeABadFrameAreAnswered_data() { qtws::test::addBadFrameRows(true); }

    void messagesBeforeABadFrameAreAnswered()
    {
        QFETCH(QByteArray, bad);
        QFETCH(int, closeCode);
        QFETCH(qtws::test::Split, split);

        RecordingEcho recorder;
        Server server([&recorder](WebSocket *ws) { recorder.attach(ws); });
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        RawClient raw;
        QVERIFY(raw.connectAndUpgrade(server.serverPort()));
        raw.socket.setSocketOption(QAbstractSocket::LowDelayOption, 1);

        qtws::test::writeInPieces(&raw.socket, validMessagesToServer() + bad, split,
            quint32(qHash(QByteArray(QTest::currentDataTag()))));
        QVERIFY2(raw.waitForClosed(10000), "the server kept the connection open");

        const QString withBom = QChar(0xFEFF) + QStringLiteral("BOM first");
        QCOMPARE(recorder.messages, qtws::test::validMessageRecords());
        QString error;
        const QList<std::pair<int, QByteArray>> frames
            = qtws::test::smallServerFrames(raw.buffer, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(frames.size(), 4);
        QCOMPARE(frames.at(0), std::make_pair(0x1, QByteArray("first")));
        QCOMPARE(frames.at(1), std::make_pair(0x2, QByteArray::fromHex("0102")));
        QCOMPARE(frames.at(2), std::make_pair(0x1, withBom.toUtf8()));
        QCOMPARE(frames.at(3).first, 0x8);
        const QByteArray body = frames.at(3).second;
        QVERIFY(body.size() >= 2);
        QCOMPARE((uchar(body.at(0)) << 8) | uchar(body.at(1)), closeCode);

        QTRY_COMPARE(recorder.closeCode, closeCode);
        QCOMPARE(recorder.errors.size(), 1);
        QCOMPARE(recorder.errors.at(0).kind(), WebSocketError::Kind::ProtocolError);
        QCOMPARE(int(recorder.errors.at(0).closeCode()), closeCode);
        QVERIFY(!recorder.errors.at(0).reason().isEmpty());
    }

    // RFC 6455 §7.1.1: after its close frame the server shuts down its sending side and reads
    // until the client's FIN; it closes only then. A client that goes on writing after the
    // server's FIN meets an open socket that drops its bytes, not a reset, and the server's
    // WebSocket ends once the client closed (or after the close timeout).
    void failingServerHalfClosesAndWaitsForTheClientsFin()
    {
        RecordingEcho recorder;
        Server server([&recorder](WebSocket *ws) { recorder.attach(ws); });
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        PosixSocket client;
        QVERIFY(client.connectTo(server.serverPort()));
        QVERIFY(client.send(qtws::test::handshakeRequest("/")));
        QVERIFY(
            client.readUntil([](const QByteArray &in) { return in.contains("\r\n\r\n"); }, 10000));
        QVERIFY2(client.received.startsWith("HTTP/1.1 101"), client.received.constData());
        client.received.clear();

        QVERIFY(client.send(
            qtws::test::maskedTextFrame("first") + qtws::test::rawFrame({0x83, {}}, true)));
        QVERIFY(client.readToEnd(10000));
        QVERIFY2(client.endOfStream, "no FIN from the server");
        QCOMPARE(client.lastError, 0);
        QString error;
        const QList<std::pair<int, QByteArray>> frames
            = qtws::test::smallServerFrames(client.received, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QCOMPARE(frames.size(), 2);
        QCOMPARE(frames.at(0), std::make_pair(0x1, QByteArray("first"))); // the echo
        QCOMPARE(frames.at(1).first, 0x8);
        QCOMPARE(frames.at(1).second.left(2), QByteArray::fromHex("03ea")); // 1002
        // The server still holds the connection: it waits for the client's FIN.
        QCOMPARE(recorder.closeCode, -1);

        // Bytes after the server's FIN are read and dropped, not answered with a reset.
        QVERIFY(client.send(QByteArray(64 * 1024, 'j')));
        client.shutdownSending();
        QTRY_COMPARE_WITH_TIMEOUT(recorder.closeCode, 1002, 10000);
        QCOMPARE(client.pendingSocketError(), 0);
        QCOMPARE(client.receiveOneByte(), 0L);
    }
};

QTEST_GUILESS_MAIN(tst_ServerProtocolErrors)
#include "tst_server_protocolerrors.moc"
