// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/response.h>
#include <QtWs/http/router.h>

#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

#include <algorithm>
#include <functional>

using namespace qtws::http;
using namespace Qt::StringLiterals;

using Params = QList<std::pair<QString, QString>>;

class tst_Router : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void match_data();
    void match();
    void invalidPattern_data();
    void invalidPattern();
    void duplicateRoute();
    void refusedRouteKeepsHandlersInStep();
    void functionHandlers();
    void handlerPointerSurvivesLaterRoutes();
};

// Every route is labelled "METHOD pattern"; the handler is that label, so a match says which
// route won.
static const QList<std::pair<QByteArray, QString>> routes = {
    {"GET", u"/"_s},
    {"GET", u"/rooms"_s},
    {"GET", u"/rooms/lobby"_s},
    {"GET", u"/rooms/{room}"_s},
    {"POST", u"/rooms/{room}"_s},
    {"GET", u"/rooms/{room}/members/{member}"_s},
    {"GET", u"/a/{x}/c"_s},
    {"GET", u"/a/b/{y}"_s},
    {"GET", u"/static/{path*}"_s},
    {"GET", u"/files/{p*}"_s},
    {"GET", u"/files/readme"_s},
    {"GET", u"/files/{name}/raw"_s},
    {"PUT", u"/files/upload"_s},
    {"*", u"/echo"_s},
    {"GET", u"/echo"_s},
    {"GET", u"/both"_s},
    {"HEAD", u"/both"_s},
    {"POST", u"/submit"_s},
    {"GET", u"/caf\u00e9"_s},
};

void tst_Router::match_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("route"); // label of the winning route, or empty
    QTest::addColumn<Params>("params");
    QTest::addColumn<QStringList>("rest");
    QTest::addColumn<bool>("headForGet");
    QTest::addColumn<QByteArray>("allow");

    const auto ok = [](const char *name, QByteArray method, QByteArray target, QString route,
                        Params params = {}, QStringList rest = {}, bool headForGet = false) {
        QTest::newRow(name) << method << target << 200 << route << params << rest << headForGet
                            << QByteArray();
    };
    const auto fail = [](const char *name, QByteArray method, QByteArray target, int status,
                          QByteArray allow = {}) {
        QTest::newRow(name) << method << target << status << QString() << Params() << QStringList()
                            << false << allow;
    };

    ok("literal route matches", "GET", "/rooms", u"GET /rooms"_s);
    ok("root path matches the / route", "GET", "/", u"GET /"_s);
    ok("literal segment beats parameter", "GET", "/rooms/lobby", u"GET /rooms/lobby"_s);
    ok("parameter captures one segment", "GET", "/rooms/kitchen", u"GET /rooms/{room}"_s,
        {{u"room"_s, u"kitchen"_s}});
    ok("parameter is percent-decoded", "GET", "/rooms/a%20b", u"GET /rooms/{room}"_s,
        {{u"room"_s, u"a b"_s}});
    ok("encoded %2F stays inside its segment", "GET", "/rooms/a%2Fb", u"GET /rooms/{room}"_s,
        {{u"room"_s, u"a/b"_s}});
    ok("'+' is not a space in a path", "GET", "/rooms/a+b", u"GET /rooms/{room}"_s,
        {{u"room"_s, u"a+b"_s}});
    ok("two parameters, UTF-8 decoded", "GET", "/rooms/r1/members/m%C3%A9",
        u"GET /rooms/{room}/members/{member}"_s,
        {{u"room"_s, u"r1"_s}, {u"member"_s, u"m\u00e9"_s}});
    ok("literal segments match decoded text", "GET", "/caf%C3%A9", u"GET /caf\u00e9"_s);
    ok("dot segments are not normalised: a parameter can hold ..", "GET", "/rooms/..",
        u"GET /rooms/{room}"_s, {{u"room"_s, u".."_s}});
    ok("POST matches only the POST route", "POST", "/rooms/x", u"POST /rooms/{room}"_s,
        {{u"room"_s, u"x"_s}});
    ok("literal beats parameter at the first differing segment", "GET", "/a/b/c", u"GET /a/b/{y}"_s,
        {{u"y"_s, u"c"_s}});
    ok("a less specific route still matches where the literal does not", "GET", "/a/z/c",
        u"GET /a/{x}/c"_s, {{u"x"_s, u"z"_s}});
    ok("wildcard captures the rest", "GET", "/static/css/site%20x.css", u"GET /static/{path*}"_s,
        {{u"path"_s, u"css/site x.css"_s}}, {u"css"_s, u"site x.css"_s});
    ok("wildcard keeps an encoded slash apart in rest", "GET", "/static/a%2Fb/c",
        u"GET /static/{path*}"_s, {{u"path"_s, u"a/b/c"_s}}, {u"a/b"_s, u"c"_s});
    ok("wildcard captures nothing", "GET", "/static", u"GET /static/{path*}"_s,
        {{u"path"_s, QString()}}, {});
    ok("wildcard after a trailing slash captures one empty segment", "GET", "/static/",
        u"GET /static/{path*}"_s, {{u"path"_s, QString()}}, {QString()});
    ok("exact pattern beats wildcard", "GET", "/files/readme", u"GET /files/readme"_s);
    ok("parameter beats wildcard", "GET", "/files/x/raw", u"GET /files/{name}/raw"_s,
        {{u"name"_s, u"x"_s}});
    ok("wildcard takes what nothing more specific matches", "GET", "/files/x/y/z",
        u"GET /files/{p*}"_s, {{u"p"_s, u"x/y/z"_s}}, {u"x"_s, u"y"_s, u"z"_s});
    ok("HEAD falls back to the GET route (RFC 9110 §9.3.2)", "HEAD", "/rooms", u"GET /rooms"_s, {},
        {}, true);
    ok("HEAD fallback keeps parameters", "HEAD", "/rooms/k", u"GET /rooms/{room}"_s,
        {{u"room"_s, u"k"_s}}, {}, true);
    ok("an explicit HEAD route beats the GET fallback", "HEAD", "/both", u"HEAD /both"_s);
    ok("a * route accepts any method", "PATCH", "/echo", u"* /echo"_s);
    ok("the exact method beats * at the same pattern", "GET", "/echo", u"GET /echo"_s);
    ok("* beats the GET fallback for HEAD", "HEAD", "/echo", u"* /echo"_s);
    ok("the query is ignored", "GET", "/rooms?x=1&y=/a", u"GET /rooms"_s);
    ok("an absolute-form target is routed by its path (RFC 9112 §3.2.2)", "GET",
        "http://example.com:8080/rooms/lobby?x", u"GET /rooms/lobby"_s);
    ok("an absolute-form target without a path is /", "GET", "http://example.com?x=1", u"GET /"_s);

    fail("unknown path → 404", "GET", "/nowhere", 404);
    fail("a trailing slash is a distinct path → 404", "GET", "/rooms/", 404);
    fail("a parameter matches exactly one segment → 404", "GET", "/rooms/a/b", 404);
    fail("a parameter needs a non-empty segment → 404", "GET", "/rooms//members/x", 404);
    fail("literals are case-sensitive → 404", "GET", "/ROOMS", 404);
    fail("the method is case-sensitive (RFC 9110 §9.1) → 405", "get", "/rooms", 405, "GET, HEAD");
    fail("405 lists every method of the matching routes, sorted, with HEAD for GET", "DELETE",
        "/rooms/lobby", 405, "GET, HEAD, POST");
    fail("405 includes a less specific wildcard's GET", "DELETE", "/files/upload", 405,
        "GET, HEAD, PUT");
    fail("HEAD with only a POST route → 405 without GET or HEAD", "HEAD", "/submit", 405, "POST");
    fail("malformed percent-encoding → 400", "GET", "/rooms/%zz", 400);
    fail("truncated percent-encoding → 400", "GET", "/rooms/%4", 400);
    fail("a lone % → 400", "GET", "/rooms/%", 400);
    fail("a segment that is not UTF-8 → 400", "GET", "/rooms/%FF", 400);
    fail("a UTF-8 sequence cut at the segment's end → 400", "GET", "/rooms/%C3/x", 400);
    fail("a target in no known form → 400", "GET", "rooms", 400);
    fail("asterisk-form names no route → 404", "OPTIONS", "*", 404);
}

void tst_Router::match()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QString, route);
    QFETCH(Params, params);
    QFETCH(QStringList, rest);
    QFETCH(bool, headForGet);
    QFETCH(QByteArray, allow);

    // The winner must not depend on registration order: try both orders.
    for (bool reversed : {false, true}) {
        auto order = routes;
        if (reversed)
            std::reverse(order.begin(), order.end());
        Router<QString> router;
        for (const auto &[m, pattern] : order)
            QVERIFY(router.route(m, pattern, QString::fromLatin1(m) + u' ' + pattern));

        const auto result = router.match(method, target);
        const QByteArray order_ = reversed ? "reversed order" : "registration order";
        const QByteArray what = order_ + ": status " + QByteArray::number(result.status);
        QVERIFY2(result.status == status, what.constData());
        QCOMPARE(bool(result), status == 200);
        QCOMPARE(result.isMatch(), status == 200);
        QCOMPARE(result.handler ? *result.handler : QString(), route);
        QCOMPARE(result.params, params);
        QCOMPARE(result.rest, rest);
        QCOMPARE(result.isHeadForGet, headForGet);
        QCOMPARE(result.allow, allow);
        for (const auto &[name, value] : params)
            QCOMPARE(result.param(name), value);
        QVERIFY(result.param(u"nonexistent").isNull());
    }
}

void tst_Router::invalidPattern_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("pattern");

    QTest::newRow("a parameter name used twice is refused") << QByteArray("GET") << u"/a/{x}/{x}"_s;
    QTest::newRow("a parameter and wildcard with one name are refused")
        << QByteArray("GET") << u"/a/{x}/{x*}"_s;
    QTest::newRow("a wildcard that is not last is refused") << QByteArray("GET") << u"/a/{p*}/b"_s;
    QTest::newRow("a bare * segment is refused") << QByteArray("GET") << u"/static/*"_s;
    QTest::newRow("braces inside a segment are refused") << QByteArray("GET") << u"/a/b{x}"_s;
    QTest::newRow("an unclosed brace is refused") << QByteArray("GET") << u"/a/{x"_s;
    QTest::newRow("an empty parameter name is refused") << QByteArray("GET") << u"/a/{}"_s;
    QTest::newRow("an empty wildcard name is refused") << QByteArray("GET") << u"/a/{*}"_s;
    QTest::newRow("a parameter name with a '-' is refused") << QByteArray("GET") << u"/{a-b}"_s;
    QTest::newRow("a pattern without a leading / is refused") << QByteArray("GET") << u"a/b"_s;
    QTest::newRow("an empty pattern is refused") << QByteArray("GET") << QString();
    QTest::newRow("a method that is not a token (RFC 9110 §9.1) is refused")
        << QByteArray("GE T") << u"/a"_s;
    QTest::newRow("an empty method is refused") << QByteArray() << u"/a"_s;
}

void tst_Router::invalidPattern()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, pattern);
    Router<int> router;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^Router: refusing "_s));
    QVERIFY(!router.route(method, pattern, 1));
    QCOMPARE(router.size(), 0);
}

void tst_Router::duplicateRoute()
{
    Router<int> router;
    QVERIFY(router.route("GET", u"/a/{x}", 1));
    // The same shape with another parameter name would make the winner depend on order.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"same method already has a route"_s));
    QVERIFY(!router.route("GET", u"/a/{y}", 2));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"same method already has a route"_s));
    QVERIFY(!router.route("GET", u"/a/{x}", 3));
    QVERIFY(router.route("POST", u"/a/{y}", 4));
    QVERIFY(router.route("*", u"/a/{z}", 5));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"same method already has a route"_s));
    QVERIFY(!router.route("*", u"/a/{x}", 6));
    // Different shapes are fine.
    QVERIFY(router.route("GET", u"/a/b", 7));
    QVERIFY(router.route("GET", u"/a/{x*}", 8));
    QCOMPARE(router.size(), 5);
}

void tst_Router::refusedRouteKeepsHandlersInStep()
{
    Router<int> router;
    QVERIFY(router.route("GET", u"/one", 1));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"^Router: refusing "_s));
    QVERIFY(!router.route("GET", u"/bad/{x}/{x}", 2));
    QVERIFY(router.route("GET", u"/three", 3));
    const auto m = router.match("GET", "/three");
    QVERIFY(m);
    QCOMPARE(*m.handler, 3);
    QCOMPARE(m.route, 1);
}

void tst_Router::functionHandlers()
{
    using Handler = std::function<Response(const Request &, const RouteMatch &)>;
    Router<Handler> router;
    QVERIFY(router.route("GET", u"/hello/{name}", [](const Request &, const RouteMatch &m) {
        Response r;
        r.body = "hello " + m.param(u"name").toUtf8();
        return r;
    }));
    Request request;
    request.method = "GET";
    request.target = "/hello/w%C3%B6rld?x=1";
    const auto m = router.match(request);
    QVERIFY(m);
    QCOMPARE((*m.handler)(request, m).body, QByteArray("hello w\xc3\xb6rld"));

    request.method = "DELETE";
    const auto refused = router.match(request);
    QVERIFY(!refused);
    QCOMPARE(refused.status, 405);
    QCOMPARE(refused.allow, QByteArray("GET, HEAD"));
}

void tst_Router::handlerPointerSurvivesLaterRoutes()
{
    Router<QString> router;
    QVERIFY(router.route("GET", u"/first", u"first"_s));
    const auto m = router.match("GET", "/first");
    QVERIFY(m);
    for (int i = 0; i < 1000; ++i)
        QVERIFY(router.route("GET", QString(u"/r" + QString::number(i)), QString::number(i)));
    QCOMPARE(*m.handler, u"first"_s); // ASan would catch a dangling pointer here
}

QTEST_APPLESS_MAIN(tst_Router)
#include "tst_router.moc"
