// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// A client qtws::WebSocket facing a server that breaks the protocol (RFC 6455 §5, §7.4, §8.1):
// every message completed before the offending frame is delivered and can be answered, in
// order, then the connection fails with the right close code and ends with a half-close.
#include "badframes.h"
#include "posixsocket.h"
#include "recordingecho.h"
#include "scriptedserver.h"

#include <QtWs/conn.h>
#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>
#include <QtWs/websocket.h>

#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws;
using qtws::test::BadFrameCase;
using qtws::test::Peer;
using qtws::test::RawFrame;
using qtws::test::RecordingEcho;
using qtws::test::ScriptedServer;

namespace {

constexpr int waitMs = 10'000;

} // namespace

class tst_WebSocketProtocolErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messagesBeforeABadFrameAreAnswered_data();
    void messagesBeforeABadFrameAreAnswered();
    void failingClientHalfClosesAndWaitsForTheServersFin();
};

void tst_WebSocketProtocolErrors::messagesBeforeABadFrameAreAnswered_data()
{
    qtws::test::addBadFrameRows(false);
}

// The server writes a text, a binary and a U+FEFF-led text, then the bad frame: the client
// application gets the three (the U+FEFF kept) and echoes them, the server reads the echoes and
// then the close with the case's code, and the client's FIN.
void tst_WebSocketProtocolErrors::messagesBeforeABadFrameAreAnswered()
{
    QFETCH(QByteArray, bad);
    QFETCH(int, closeCode);
    QFETCH(qtws::test::Split, split);

    QByteArray valid;
    for (const RawFrame &frame : qtws::test::validMessagesBeforeTheBadFrame())
        valid += qtws::test::rawFrame(frame, false);
    QByteArray fromClient;
    bool clientFin = false;
    ScriptedServer server;
    server.script = [&](Peer &peer) {
        QTcpSocket *socket = peer.socket;
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(
            socket, &QTcpSocket::readyRead, this, [&, socket] { fromClient += socket->readAll(); });
        // Bytes that came while the script ran (no nested readyRead) are read here at the latest.
        connect(socket, &QTcpSocket::disconnected, this, [&, socket] {
            fromClient += socket->readAll();
            clientFin = true;
        });
        ScriptedServer::write101(socket, peer.request);
        writeInPieces(
            socket, valid + bad, split, quint32(qHash(QByteArray(QTest::currentDataTag()))));
    };

    WebSocket client;
    RecordingEcho recorder;
    recorder.attach(&client);
    client.open(server.url());
    QTRY_VERIFY_WITH_TIMEOUT(recorder.closeCode != -1, waitMs);

    QCOMPARE(recorder.messages, qtws::test::validMessageRecords());
    QCOMPARE(recorder.errors.size(), 1);
    QCOMPARE(recorder.errors.at(0).kind(), WebSocketError::Kind::ProtocolError);
    QCOMPARE(int(recorder.errors.at(0).closeCode()), closeCode);
    QCOMPARE(recorder.closeCode, closeCode);

    // What the server read: the three echoes, then the close frame, then the client's FIN.
    QTRY_VERIFY_WITH_TIMEOUT(clientFin, waitMs);
    Conn decoder(Role::Server);
    decoder.receive(fromClient);
    QStringList events;
    while (std::optional<Event> event = decoder.nextEvent()) {
        if (event->type == Event::Type::Close)
            events.append(QStringLiteral("close %1").arg(event->closeCode));
        else
            events.append(
                RecordingEcho::record(event->type == Event::Type::TextMessage, event->payload));
    }
    QCOMPARE(
        events, qtws::test::validMessageRecords() << QStringLiteral("close %1").arg(closeCode));
}

// RFC 6455 §7.1.1 on the client: after its close frame the failing client shuts down its
// sending side, reads and drops until the server's FIN, and only then closes and reports
// closed(). A server that goes on writing after the client's FIN meets no reset.
void tst_WebSocketProtocolErrors::failingClientHalfClosesAndWaitsForTheServersFin()
{
    qtws::test::PosixListener listener;
    QVERIFY(listener.port() != 0);
    WebSocket client;
    RecordingEcho recorder;
    recorder.attach(&client);
    QSignalSpy closed(&client, &WebSocket::closed);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(listener.port())));
    qtws::test::PosixSocket server(listener.accept(waitMs));
    QVERIFY(server.readUntil([](const QByteArray &in) { return in.contains("\r\n\r\n"); }, waitMs));
    http::Parser parser(http::Parser::Mode::Request);
    parser.feed(server.received);
    QCOMPARE(parser.state(), http::Parser::State::MessageComplete);
    const handshake::ClientRequestCheckResult check
        = handshake::checkClientRequest(parser.request());
    QVERIFY(check.ok());
    handshake::AcceptResponseSpec accept;
    accept.key = check.key;
    server.received.clear();
    QVERIFY(server.send(handshake::buildAcceptResponse(accept).response.serialize()
        + qtws::test::rawFrame({0x81, QByteArray("first")}, false)
        + qtws::test::rawFrame({0x83, {}}, false)));

    QVERIFY(server.readToEnd(waitMs));
    QVERIFY2(server.endOfStream, "no FIN from the client");
    QCOMPARE(server.lastError, 0);
    Conn decoder(Role::Server);
    decoder.receive(server.received);
    const std::optional<Event> echo = decoder.nextEvent();
    QVERIFY(echo && echo->type == Event::Type::TextMessage);
    QCOMPARE(echo->payload, QByteArray("first"));
    const std::optional<Event> close = decoder.nextEvent();
    QVERIFY(close && close->type == Event::Type::Close);
    QCOMPARE(close->closeCode, quint16(1002));
    // The client still holds the connection: it waits for the server's FIN.
    QCOMPARE(closed.size(), 0);

    QVERIFY(server.send(QByteArray(64 * 1024, 's'))); // read and dropped, not reset
    server.shutdownSending();
    QVERIFY(closed.wait(waitMs) || closed.size() == 1);
    QCOMPARE(closed.at(0).at(0).toInt(), 1002);
    QCOMPARE(server.pendingSocketError(), 0);
    QCOMPARE(server.receiveOneByte(), 0L);
}

QTEST_GUILESS_MAIN(tst_WebSocketProtocolErrors)
#include "tst_websocket_protocolerrors.moc"
