// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/parser.h>
#include <QtWs/http/response.h>

#include <QtTest/QTest>

using namespace qtws::http;

class tst_Response : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void reasonPhrase_data();
    void reasonPhrase();
    void serialize();
    void serializeRoundTripsThroughTheParser();
};

void tst_Response::reasonPhrase_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("phrase");
    QTest::newRow("101 (the WebSocket handshake)") << 101 << QByteArray("Switching Protocols");
    QTest::newRow("200") << 200 << QByteArray("OK");
    QTest::newRow("204") << 204 << QByteArray("No Content");
    QTest::newRow("400") << 400 << QByteArray("Bad Request");
    QTest::newRow("413 (RFC 9110 name)") << 413 << QByteArray("Content Too Large");
    QTest::newRow("414") << 414 << QByteArray("URI Too Long");
    QTest::newRow("426 (a WebSocket server's answer to a plain GET)")
        << 426 << QByteArray("Upgrade Required");
    QTest::newRow("431 (RFC 6585)") << 431 << QByteArray("Request Header Fields Too Large");
    QTest::newRow("501") << 501 << QByteArray("Not Implemented");
    QTest::newRow("505") << 505 << QByteArray("HTTP Version Not Supported");
    QTest::newRow("an unregistered code has no phrase") << 299 << QByteArray("");
    QTest::newRow("an invalid code has no phrase") << 42 << QByteArray("");
}

void tst_Response::reasonPhrase()
{
    QFETCH(int, status);
    QFETCH(QByteArray, phrase);
    QCOMPARE(Response::reasonPhrase(status), phrase);
}

void tst_Response::serialize()
{
    Response upgrade;
    upgrade.status = 101;
    upgrade.headers = {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}};
    QCOMPARE(upgrade.serialize(),
        QByteArray("HTTP/1.1 101 Switching Protocols\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "\r\n"));

    Response custom;
    custom.status = 404;
    custom.reason = "Nothing Here";
    custom.versionMinor = 0;
    custom.body = "gone";
    QCOMPARE(
        custom.serialize(), QByteArray("HTTP/1.0 404 Nothing Here\r\n\r\ngone")); // adds nothing

    Response unknown;
    unknown.status = 299;
    // RFC 9112 §4: the SP before an empty reason-phrase is still sent.
    QCOMPARE(unknown.serialize(), QByteArray("HTTP/1.1 299 \r\n\r\n"));
}

void tst_Response::serializeRoundTripsThroughTheParser()
{
    Response response;
    response.status = 200;
    response.reason = "OK";
    response.headers = {{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Length", "6"}};
    response.body = "hello\n";

    Parser parser(Parser::Mode::Response);
    const QByteArray wire = response.serialize() + "HTTP/1.1 204 No Content\r\n\r\n";
    qsizetype consumed = parser.feed(wire);
    QCOMPARE(parser.state(), Parser::State::HeadComplete);
    consumed += parser.feed(QByteArrayView(wire).sliced(consumed));
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    QCOMPARE(consumed, response.serialize().size());
    QVERIFY(parser.response() == response);

    parser.reset();
    QCOMPARE(parser.feed(QByteArrayView(wire).sliced(consumed)), wire.size() - consumed);
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    QCOMPARE(parser.response().status, 204);
    QCOMPARE(parser.response().reason, QByteArray("No Content"));
}

QTEST_APPLESS_MAIN(tst_Response)
#include "tst_response.moc"
