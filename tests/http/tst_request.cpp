// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/parser.h>
#include <QtWs/http/request.h>

#include <QtTest/QTest>

using namespace qtws::http;

using QueryItems = QList<std::pair<QString, QString>>;

class tst_Request : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void path_data();
    void path();
    void queryItems_data();
    void queryItems();
    void queryValue();
    void serialize();
    void serializeRoundTripsThroughTheParser();
};

void tst_Request::path_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QString>("path");

    QTest::newRow("the root") << QByteArray("/") << QStringLiteral("/");
    QTest::newRow("percent-encoded space is decoded and the query dropped")
        << QByteArray("/rooms/a%20b?x=1") << QStringLiteral("/rooms/a b");
    QTest::newRow("%2F decodes to a slash (routers must not split on it before decoding)")
        << QByteArray("/a%2Fb") << QStringLiteral("/a/b");
    QTest::newRow("percent-encoded UTF-8 decodes to text (RFC 3986 §2.5)")
        << QByteArray("/caf%C3%A9") << QStringLiteral("/café");
    QTest::newRow("lowercase hex digits") << QByteArray("/caf%c3%a9") << QStringLiteral("/café");
    QTest::newRow("invalid UTF-8 becomes U+FFFD")
        << QByteArray("/%FF") << QStringLiteral("/\uFFFD");
    QTest::newRow("a malformed escape is kept literally")
        << QByteArray("/bad%zz%4") << QStringLiteral("/bad%zz%4");
    QTest::newRow("'+' in a path is a plus, not a space")
        << QByteArray("/a+b") << QStringLiteral("/a+b");
    QTest::newRow("dot segments are not removed")
        << QByteArray("/a/../b") << QStringLiteral("/a/../b");
    QTest::newRow("an empty query") << QByteArray("/p?") << QStringLiteral("/p");
    QTest::newRow("a fragment is cut off") << QByteArray("/p#top") << QStringLiteral("/p");
    QTest::newRow("absolute-form: the path after the authority (RFC 9112 §3.2.2)")
        << QByteArray("http://example.com:8080/x%20y?q") << QStringLiteral("/x y");
    QTest::newRow("absolute-form without a path is / (RFC 9110 §4.2.3)")
        << QByteArray("http://example.com") << QStringLiteral("/");
    QTest::newRow("absolute-form with a query but no path")
        << QByteArray("http://example.com?q=1") << QStringLiteral("/");
    QTest::newRow("asterisk-form") << QByteArray("*") << QStringLiteral("*");
    QTest::newRow("authority-form (CONNECT) has no path, so /")
        << QByteArray("example.com:443") << QStringLiteral("/");
}

void tst_Request::path()
{
    QFETCH(QByteArray, target);
    QFETCH(QString, path);
    Request request;
    request.target = target;
    QCOMPARE(request.path(), path);
}

void tst_Request::queryItems_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<QueryItems>("items");

    QTest::newRow("no query") << QByteArray("/p") << QueryItems{};
    QTest::newRow("an empty query") << QByteArray("/p?") << QueryItems{};
    QTest::newRow("two pairs in order") << QByteArray("/p?b=2&a=1")
                                        << QueryItems{{QStringLiteral("b"), QStringLiteral("2")},
                                               {QStringLiteral("a"), QStringLiteral("1")}};
    QTest::newRow("'+' is a space in a query (HTML forms), %2B a plus")
        << QByteArray("/p?q=a+b%2Bc") << QueryItems{{QStringLiteral("q"), QStringLiteral("a b+c")}};
    QTest::newRow("a name without '=' and a name with '=' have empty values")
        << QByteArray("/p?x&y=")
        << QueryItems{{QStringLiteral("x"), QStringLiteral("")},
               {QStringLiteral("y"), QStringLiteral("")}};
    QTest::newRow("repeated names are kept; empty pairs skipped")
        << QByteArray("/p?a=1&&a=2&")
        << QueryItems{{QStringLiteral("a"), QStringLiteral("1")},
               {QStringLiteral("a"), QStringLiteral("2")}};
    QTest::newRow("only the first '=' separates")
        << QByteArray("/p?k=v=w") << QueryItems{{QStringLiteral("k"), QStringLiteral("v=w")}};
    QTest::newRow("an empty name")
        << QByteArray("/p?=v") << QueryItems{{QStringLiteral(""), QStringLiteral("v")}};
    QTest::newRow("encoded '&' and '=' do not split") << QByteArray(
        "/p?a%26b=c%3Dd") << QueryItems{{QStringLiteral("a&b"), QStringLiteral("c=d")}};
    QTest::newRow("UTF-8 names and values") << QByteArray(
        "/p?caf%C3%A9=%E2%82%AC") << QueryItems{{QStringLiteral("café"), QStringLiteral("€")}};
    QTest::newRow("absolute-form target")
        << QByteArray("http://h/p?a=1") << QueryItems{{QStringLiteral("a"), QStringLiteral("1")}};
    QTest::newRow("a fragment is not part of the query")
        << QByteArray("/p?a=1#b=2") << QueryItems{{QStringLiteral("a"), QStringLiteral("1")}};
}

void tst_Request::queryItems()
{
    QFETCH(QByteArray, target);
    QFETCH(QueryItems, items);
    Request request;
    request.target = target;
    QCOMPARE(request.queryItems(), items);
}

void tst_Request::queryValue()
{
    Request request;
    request.target = "/chat?room=lobby&empty=&flag&room=other";
    QCOMPARE(request.queryValue(QStringLiteral("room")), QStringLiteral("lobby")); // the first
    QVERIFY(request.queryValue(QStringLiteral("missing")).isNull());
    QVERIFY(request.queryValue(QStringLiteral("empty")).isEmpty());
    QVERIFY(!request.queryValue(QStringLiteral("empty")).isNull());
    QVERIFY(!request.queryValue(QStringLiteral("flag")).isNull());
}

void tst_Request::serialize()
{
    Request request;
    request.method = "POST";
    request.target = "/upload?x=1";
    request.headers = {{"Host", "example.com"}, {"Content-Length", "5"}};
    request.body = "hello";
    QCOMPARE(request.serialize(),
        QByteArray("POST /upload?x=1 HTTP/1.1\r\n"
                   "Host: example.com\r\n"
                   "Content-Length: 5\r\n"
                   "\r\n"
                   "hello"));

    Request old;
    old.versionMinor = 0;
    QCOMPARE(old.serialize(), QByteArray("GET / HTTP/1.0\r\n\r\n")); // adds nothing
}

void tst_Request::serializeRoundTripsThroughTheParser()
{
    Request request;
    request.method = "PUT";
    request.target = "/rooms/a%20b?q=1";
    request.headers = {{"Host", "example.com:8080"}, {"X-Empty", ""}, {"Set-Cookie", "a=1"},
        {"Set-Cookie", "b=2"}, {"Content-Length", "3"}};
    request.body = "abc";

    Parser parser(Parser::Mode::Request);
    const QByteArray wire = request.serialize();
    qsizetype consumed = parser.feed(wire);
    QCOMPARE(parser.state(), Parser::State::HeadComplete);
    consumed += parser.feed(QByteArrayView(wire).sliced(consumed));
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    QCOMPARE(consumed, wire.size());
    QVERIFY(parser.request() == request);
    QCOMPARE(parser.request().path(), QStringLiteral("/rooms/a b"));
}

QTEST_APPLESS_MAIN(tst_Request)
#include "tst_request.moc"
