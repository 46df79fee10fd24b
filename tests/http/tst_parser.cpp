// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/parser.h>

#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

#include <algorithm>

using namespace qtws::http;

Q_DECLARE_METATYPE(qtws::http::Request)
Q_DECLARE_METATYPE(qtws::http::Response)

namespace qtws::http {
// Readable QCOMPARE failures.
char *toString(const Request &r)
{
    QByteArray s = r.serialize();
    if (!r.trailers.isEmpty())
        s += "[trailers: " + r.trailers.serialize() + "]";
    return QTest::toString(s);
}
char *toString(const Response &r)
{
    QByteArray s = r.serialize();
    if (!r.trailers.isEmpty())
        s += "[trailers: " + r.trailers.serialize() + "]";
    return QTest::toString(s);
}
} // namespace qtws::http

namespace {

Request req(const QByteArray &method, const QByteArray &target, const Headers &headers,
    const QByteArray &body = {}, const Headers &trailers = {}, int minor = 1)
{
    Request r;
    r.method = method;
    r.target = target;
    r.versionMinor = minor;
    r.headers = headers;
    r.body = body;
    r.trailers = trailers;
    return r;
}

Response resp(int status, const QByteArray &reason, const Headers &headers,
    const QByteArray &body = {}, const Headers &trailers = {}, int minor = 1)
{
    Response r;
    r.status = status;
    r.reason = reason;
    r.versionMinor = minor;
    r.headers = headers;
    r.body = body;
    r.trailers = trailers;
    return r;
}

// What feeding one input produced.
struct Outcome
{
    Parser::State state = Parser::State::NeedMore;
    int status = 0;
    QByteArray reason;
    qsizetype consumed = 0;
    bool sawHeadComplete = false;
    QByteArray broken; // a violated feed() contract, if any
    Request request;
    Response response;
};

// Cut points for one way of splitting size bytes: plan 0 feeds it whole, plan 1 byte by byte,
// the others at 1 to 8 random places from a fixed seed (so a failure can be replayed).
QList<qsizetype> cutsFor(int plan, qsizetype size)
{
    QList<qsizetype> cuts;
    if (plan == 1) {
        for (qsizetype i = 1; i < size; ++i)
            cuts.append(i);
    } else if (plan > 1 && size > 1) {
        QRandomGenerator gen(quint32(plan) * 7919u + quint32(size));
        const int n = 1 + int(gen.bounded(8));
        for (int i = 0; i < n; ++i)
            cuts.append(1 + qsizetype(gen.bounded(quint32(size - 1))));
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    }
    cuts.append(size);
    return cuts;
}
constexpr int planCount = 8;

Outcome run(Parser::Mode mode, const QByteArray &input, int plan, bool eof = false,
    const QByteArray &method = "GET", const ParserLimits &limits = {})
{
    Parser parser(mode, limits);
    parser.setRequestMethod(method);
    Outcome out;
    qsizetype start = 0;
    bool stopped = false;
    for (qsizetype cut : cutsFor(plan, input.size())) {
        QByteArrayView piece = QByteArrayView(input).sliced(start, cut - start);
        start = cut;
        while (!piece.isEmpty() && !stopped) {
            const qsizetype n = parser.feed(piece);
            if (n < 0 || n > piece.size())
                out.broken = "feed() returned " + QByteArray::number(n);
            out.consumed += n;
            piece = piece.sliced(std::clamp<qsizetype>(n, 0, piece.size()));
            switch (parser.state()) {
            case Parser::State::HeadComplete:
                out.sawHeadComplete = true;
                if (!parser.isHeadComplete())
                    out.broken = "HeadComplete without isHeadComplete()";
                break;
            case Parser::State::NeedMore:
                if (!piece.isEmpty())
                    out.broken = "NeedMore with bytes left unconsumed";
                break;
            case Parser::State::MessageComplete:
            case Parser::State::Error: stopped = true; break;
            }
        }
        if (stopped)
            break;
    }
    if (eof && !stopped)
        parser.finish();
    out.state = parser.state();
    out.status = parser.errorStatus();
    out.reason = parser.errorReason();
    if (out.state == Parser::State::MessageComplete) {
        if (!parser.isHeadComplete())
            out.broken = "MessageComplete without isHeadComplete()";
        if (parser.feed("GET / HTTP/1.1\r\n") != 0)
            out.broken = "feed() after MessageComplete consumed bytes";
    }
    out.request = parser.takeRequest();
    out.response = parser.takeResponse();
    return out;
}

const Headers host{{"Host", "example.com"}};

} // namespace

class tst_Parser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requests_data();
    void requests();
    void responses_data();
    void responses();
    void headCompleteBeforeBody();
    void forgedContentLengthAllocatesNothing();
    void defaultLimitsBoundaries();
    void customLimits();
    void pipelinedRequestsWithReset();
    void finishBetweenMessages();
    void errorStopsFeeding();
};

void tst_Parser::requests_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("rest"); // bytes after the message that must stay unconsumed
    QTest::addColumn<int>("status"); // 0: parses; else the error status
    QTest::addColumn<Request>("expected"); // when status is 0

    const QByteArray frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11);
    const QByteArray upgrade = "GET /chat?room=a HTTP/1.1\r\n"
                               "Host: example.com\r\n"
                               "Upgrade: websocket\r\n"
                               "Connection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n\r\n";
    QTest::newRow("WebSocket upgrade request; the frame bytes after it are left unconsumed")
        << upgrade << frame << 0
        << req("GET", "/chat?room=a",
               {{"Host", "example.com"}, {"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                   {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                   {"Sec-WebSocket-Version", "13"}});
    QTest::newRow("pipelined requests: the second is left unconsumed")
        << QByteArray("GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n")
        << QByteArray("GET /b HTTP/1.1\r\nHost: example.com\r\n\r\n") << 0
        << req("GET", "/a", host);
    QTest::newRow("Content-Length body; the next request is left unconsumed")
        << QByteArray("POST /f HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello")
        << QByteArray("GET / HTTP/1.1\r\n") << 0
        << req("POST", "/f", {{"Host", "example.com"}, {"Content-Length", "5"}}, "hello");
    QTest::newRow("Content-Length 0 means no body")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n")
        << QByteArray("xyz") << 0 << req("POST", "/", {{"Host", "a"}, {"Content-Length", "0"}});
    QTest::newRow(
        "a request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3)")
        << QByteArray("DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("body?") << 0
        << req("DELETE", "/x", {{"Host", "a"}});
    QTest::newRow("chunked body with extensions and trailers (RFC 9112 §7.1)")
        << QByteArray("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "5;name=value;flag\r\nhello\r\n"
                      "7 ; q=\"quoted \\\" ;\"\r\n, world\r\n"
                      "0\r\nChecksum: abc\r\nExpires: never\r\n\r\n")
        << frame << 0
        << req("POST", "/up", {{"Host", "a"}, {"Transfer-Encoding", "chunked"}}, "hello, world",
               {{"Checksum", "abc"}, {"Expires", "never"}});
    QTest::newRow("chunked body without trailers, uppercase hex and leading zeros")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "0A\r\n0123456789\r\n00\r\n\r\n")
        << QByteArray("GET") << 0
        << req("POST", "/", {{"Host", "a"}, {"Transfer-Encoding", "chunked"}}, "0123456789");
    QTest::newRow("transfer coding names are case-insensitive: Chunked")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      "1\r\nx\r\n0\r\n\r\n")
        << QByteArray() << 0
        << req("POST", "/", {{"Host", "a"}, {"Transfer-Encoding", "Chunked"}}, "x");
    QTest::newRow("HTTP/1.0 request without Host is accepted") << QByteArray(
        "GET / HTTP/1.0\r\n\r\n") << QByteArray() << 0 << req("GET", "/", {}, {}, {}, 0);
    QTest::newRow("empty lines before the request-line are ignored (RFC 9112 §2.2)")
        << QByteArray("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray() << 0
        << req("GET", "/", {{"Host", "a"}});
    QTest::newRow("identical repeated Content-Length fields are one value (RFC 9110 §8.6)")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                      "Content-Length: 3\r\n\r\nabc")
        << QByteArray() << 0
        << req("POST", "/", {{"Host", "a"}, {"Content-Length", "3"}, {"Content-Length", "3"}},
               "abc");
    QTest::newRow("Content-Length list of identical values \"3, 3\" is one value (RFC 9110 §8.6)")
        << QByteArray("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\nabc")
        << QByteArray("def") << 0
        << req("POST", "/", {{"Host", "a"}, {"Content-Length", "3, 3"}}, "abc");
    QTest::newRow("field values lose surrounding OWS and keep inner spaces and obs-text")
        << QByteArray("GET / HTTP/1.1\r\nHost:a\r\nX-A: \t one  two \t\r\nX-B:\r\n"
                      "X-C: caf\xc3\xa9\r\n\r\n")
        << QByteArray() << 0
        << req("GET", "/",
               {{"Host", "a"}, {"X-A", "one  two"}, {"X-B", ""}, {"X-C", "caf\xc3\xa9"}});
    QTest::newRow("absolute-form request-target (RFC 9112 §3.2.2)")
        << QByteArray("GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n")
        << QByteArray() << 0 << req("GET", "http://example.com/x?y", host);
    QTest::newRow("asterisk-form for OPTIONS (RFC 9112 §3.2.4)")
        << QByteArray("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray() << 0
        << req("OPTIONS", "*", {{"Host", "a"}});
    QTest::newRow("authority-form for CONNECT (RFC 9112 §3.2.3)")
        << QByteArray("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        << QByteArray() << 0 << req("CONNECT", "example.com:443", {{"Host", "example.com:443"}});
    QTest::newRow("methods are case-sensitive tokens: \"get\" is parsed as is")
        << QByteArray("get / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n") << QByteArray() << 0
        << req("get", "/", {{"Host", "[::1]:80"}});
    QTest::newRow("empty Host is allowed (RFC 9112 §3.2)")
        << QByteArray("GET / HTTP/1.1\r\nHost:\r\n\r\n") << QByteArray() << 0
        << req("GET", "/", {{"Host", ""}});

    const auto bad = [](const char *name, const QByteArray &message, int status) {
        QTest::newRow(name) << message << QByteArray() << status << Request();
    };
    // Request smuggling and framing confusion.
    bad("both Content-Length and Transfer-Encoding → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        "0\r\n\r\n",
        400);
    bad("both Transfer-Encoding and Content-Length, in that order → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n",
        400);
    bad("differing repeated Content-Length fields → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400);
    bad("Content-Length list \"5, 6\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", 400);
    bad("Content-Length with a trailing empty element \"5,\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\nhello", 400);
    bad("Content-Length with a sign \"+5\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400);
    bad("Content-Length negative \"-1\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400);
    bad("Content-Length in hex \"0x5\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", 400);
    bad("Content-Length with inner space \"1 0\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n", 400);
    bad("empty Content-Length → 400", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 400);
    bad("Content-Length that overflows 64 bits → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 400);
    bad("Content-Length above the body limit → 413 before the body arrives",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000000000\r\n\r\n", 413);
    bad("obsolete line folding → 400 (RFC 9112 §5.2)",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n", 400);
    bad("obsolete line folding with a tab → 400",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n\ttwo\r\n\r\n", 400);
    bad("whitespace between the request-line and the first field → 400 (RFC 9112 §2.2)",
        "GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
    bad("bare CR inside a field value → 400", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n",
        400);
    bad("bare CR at the end of the request-line → 400", "GET / HTTP/1.1\r\r\nHost: a\r\n\r\n", 400);
    bad("bare CR instead of CRLF between fields → 400", "GET / HTTP/1.1\r\nHost: a\rX-A: b\r\n\r\n",
        400);
    bad("bare LF ending the request-line → 400", "GET / HTTP/1.1\nHost: a\r\n\r\n", 400);
    bad("bare LF ending a field line → 400", "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400);
    bad("bare LF ending the head → 400", "GET / HTTP/1.1\r\nHost: a\r\n\n", 400);
    bad("LF LF as the whole head → 400", "GET / HTTP/1.1\n\n", 400);
    bad("whitespace between field name and colon → 400 (RFC 9112 §5.1)",
        "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400);
    bad("tab between field name and colon → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\nhello", 400);
    bad("invalid token character in the method → 400", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("invalid token character in a field name → 400",
        "GET / HTTP/1.1\r\nHost: a\r\nX@Y: b\r\n\r\n", 400);
    bad("empty field name → 400", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400);
    bad("field line without a colon → 400", "GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n", 400);
    bad("NUL in a field value → 400",
        QByteArrayLiteral("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n"), 400);
    bad("escape control character in a field value → 400",
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: \x1b[31m\r\n\r\n", 400);
    bad("DEL in a field value → 400", "GET / HTTP/1.1\r\nHost: a\r\nX-A: \x7f\r\n\r\n", 400);
    bad("unknown transfer coding before chunked → 501 (RFC 9112 §6.1)",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n", 501);
    bad("gzip before chunked (not implemented) → 501",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: "
        "chunked\r\n\r\n",
        501);
    bad("chunked not the final transfer coding → 400 (RFC 9112 §6.3)",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    bad("a request whose only transfer coding is not chunked → 400 (RFC 9112 §6.3)",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
    bad("chunked applied twice in one field → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400);
    bad("chunked applied twice in two fields → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: "
        "chunked\r\n\r\n",
        400);
    bad("empty Transfer-Encoding → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", 400);
    bad("quoted transfer coding \"\\\"chunked\\\"\" → 400",
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", 400);
    bad("Transfer-Encoding in an HTTP/1.0 request → 400 (RFC 9112 §6.1)",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    bad("HTTP/1.1 request without Host → 400 (RFC 9112 §3.2)", "GET / HTTP/1.1\r\n\r\n", 400);
    bad("two Host fields → 400", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
    bad("two identical Host fields → 400", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400);
    bad("two Host fields in HTTP/1.0 → 400", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400);
    bad("Host with a slash or space → 400", "GET / HTTP/1.1\r\nHost: a/b c\r\n\r\n", 400);
    bad("HTTP/2.0 → 505", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
    bad("HTTP/1.2 → 505", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505);
    bad("HTTP/0.9 → 505", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505);
    bad("lowercase http/1.1 → 400 (the name is case-sensitive)",
        "GET / http/1.1\r\nHost: a\r\n\r\n", 400);
    bad("two-digit minor version HTTP/1.10 → 400", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400);
    bad("request-line without a version → 400", "GET /\r\nHost: a\r\n\r\n", 400);
    bad("request-line of one word → 400", "GET\r\nHost: a\r\n\r\n", 400);
    bad("request-target with a space → 400", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("request-target with a tab → 400", "GET /a\tb HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("request-target with a control character → 400", "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n",
        400);
    bad("request-target with raw non-ASCII → 400", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        400);
    bad("two spaces after the method → 400", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("leading space before the method → 400", " GET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("request-target that is neither a path nor an absolute URI → 400",
        "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("asterisk-form with GET → 400", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    bad("CONNECT with a path → 400", "CONNECT / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
    // Chunked bodies.
    const QByteArray chunkedHead
        = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    bad("chunk size that is not hex → 400", chunkedHead + "g\r\nx\r\n0\r\n\r\n", 400);
    bad("empty chunk size → 400", chunkedHead + "\r\nx\r\n0\r\n\r\n", 400);
    bad("negative chunk size → 400", chunkedHead + "-1\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk size with a 0x prefix → 400", chunkedHead + "0x1\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk size with leading whitespace → 400", chunkedHead + " 1\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk size with trailing whitespace → 400", chunkedHead + "1 \r\nx\r\n0\r\n\r\n", 400);
    bad("chunk size that overflows 64 bits → 413",
        chunkedHead + "fffffffffffffffffffff\r\nx\r\n0\r\n\r\n", 413);
    bad("chunk extension without a name → 400", chunkedHead + "1;\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk extension with an unterminated quoted value → 400",
        chunkedHead + "1;a=\"b\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk data longer than its size → 400", chunkedHead + "1\r\nxy\r\n0\r\n\r\n", 400);
    bad("bare LF after a chunk size → 400", chunkedHead + "1\nx\r\n0\r\n\r\n", 400);
    bad("bare LF after chunk data → 400", chunkedHead + "1\r\nx\n0\r\n\r\n", 400);
    bad("bare CR in a chunk extension → 400", chunkedHead + "1;a\rb\r\nx\r\n0\r\n\r\n", 400);
    bad("chunk-size line longer than 1024 bytes → 400",
        chunkedHead + "1;a=" + QByteArray(1100, 'b') + "\r\nx\r\n0\r\n\r\n", 400);
    bad("obsolete line folding in a trailer → 400", chunkedHead + "0\r\nX-A: b\r\n c\r\n\r\n", 400);
    bad("bare LF ending the trailer section → 400", chunkedHead + "0\r\nX-A: b\r\n\n", 400);
    bad("control character in a trailer value → 400", chunkedHead + "0\r\nX-A: \x01\r\n\r\n", 400);
}

void tst_Parser::requests()
{
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, rest);
    QFETCH(int, status);
    QFETCH(Request, expected);

    for (int plan = 0; plan < planCount; ++plan) {
        const Outcome out = run(Parser::Mode::Request, message + rest, plan);
        const QByteArray where = "split plan " + QByteArray::number(plan);
        QVERIFY2(out.broken.isEmpty(), QByteArray(where + ": " + out.broken).constData());
        if (status != 0) {
            QVERIFY2(out.state == Parser::State::Error, where.constData());
            QCOMPARE(out.status, status);
            QVERIFY(!out.reason.isEmpty());
            if (plan == 0 && qEnvironmentVariableIsSet("QTWS_SHOW_REASONS"))
                qInfo("%s", out.reason.constData());
            QVERIFY(out.reason.size() <= 123);
            continue;
        }
        QVERIFY2(out.state == Parser::State::MessageComplete,
            QByteArray(where + ": " + out.reason).constData());
        QCOMPARE(out.request, expected);
        QCOMPARE(out.consumed, message.size());
    }
}

void tst_Parser::responses_data()
{
    QTest::addColumn<QByteArray>("method"); // of the request answered
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("rest");
    QTest::addColumn<bool>("eof"); // finish() after the input
    QTest::addColumn<int>("status");
    QTest::addColumn<Response>("expected");

    const QByteArray frame("\x81\x05hello", 7);
    QTest::newRow("101 Switching Protocols has no body; the frames after it are left unconsumed")
        << QByteArray("GET")
        << QByteArray(
               "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
        << frame << false << 0
        << resp(101, "Switching Protocols",
               {{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
                   {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}});
    QTest::newRow("200 with Content-Length; the next response is left unconsumed")
        << QByteArray("GET") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << 0
        << resp(200, "OK", {{"Content-Length", "2"}}, "hi");
    QTest::newRow("200 chunked with trailers")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "3\r\nabc\r\n3;x=y\r\ndef\r\n0\r\nX-Sum: 6\r\n\r\n")
        << QByteArray() << false << 0
        << resp(200, "OK", {{"Transfer-Encoding", "chunked"}}, "abcdef", {{"X-Sum", "6"}});
    QTest::newRow("200 without length is read until close (RFC 9112 §6.3)")
        << QByteArray("GET") << QByteArray("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of it\r\n")
        << QByteArray() << true << 0 << resp(200, "OK", {{"Server", "x"}}, "all of it\r\n");
    QTest::newRow("HTTP/1.0 200 without length is read until close")
        << QByteArray("GET") << QByteArray("HTTP/1.0 200 OK\r\n\r\nold") << QByteArray() << true
        << 0 << resp(200, "OK", {}, "old", {}, 0);
    QTest::newRow("204 has no body even with a Content-Length")
        << QByteArray("GET") << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n")
        << QByteArray("hello") << false << 0 << resp(204, "No Content", {{"Content-Length", "5"}});
    QTest::newRow("304 has no body")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")
        << QByteArray("HTTP/1.1 200 OK\r\n") << false << 0
        << resp(304, "Not Modified", {{"Content-Length", "10"}});
    QTest::newRow("100 Continue is a message of its own; the final response is left unconsumed")
        << QByteArray("POST") << QByteArray("HTTP/1.1 100 Continue\r\n\r\n")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") << false << 0
        << resp(100, "Continue", {});
    QTest::newRow("a response to HEAD has no body despite its Content-Length")
        << QByteArray("HEAD") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n")
        << QByteArray("HTTP/1.1 200 OK\r\n") << false << 0
        << resp(200, "OK", {{"Content-Length", "1234"}});
    QTest::newRow("a 2xx response to CONNECT has no body: the tunnel starts")
        << QByteArray("CONNECT") << QByteArray("HTTP/1.1 200 Connection established\r\n\r\n")
        << QByteArray("\x16\x03\x01") << false << 0 << resp(200, "Connection established", {});
    QTest::newRow("status line with an empty reason phrase")
        << QByteArray("GET") << QByteArray("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n")
        << QByteArray() << false << 0 << resp(404, "", {{"Content-Length", "0"}});
    QTest::newRow("status line without the SP before an empty reason is accepted")
        << QByteArray("GET") << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n")
        << QByteArray() << false << 0 << resp(200, "", {{"Content-Length", "0"}});
    QTest::newRow("reason phrase kept verbatim, with spaces and obs-text")
        << QByteArray("GET")
        << QByteArray("HTTP/1.1 599 Tr\xe8s  bien \r\nContent-Length: 0\r\n\r\n") << QByteArray()
        << false << 0 << resp(599, "Tr\xe8s  bien ", {{"Content-Length", "0"}});

    const auto bad = [](const char *name, const QByteArray &message, int status, bool eof = false) {
        QTest::newRow(name) << QByteArray("GET") << message << QByteArray() << eof << status
                            << Response();
    };
    bad("a response with both Content-Length and Transfer-Encoding → 400 (refused, not TE-wins)",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
    bad("a response with differing Content-Lengths → 400",
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400);
    bad("a response with gzip as the only transfer coding → 501",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nxyz", 501, true);
    bad("a response with chunked not last → 400",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400);
    bad("HTTP/2.0 status line → 505", "HTTP/2.0 200 OK\r\n\r\n", 505);
    bad("status code 099 → 400", "HTTP/1.1 099 Low\r\n\r\n", 400);
    bad("status code 600 → 400", "HTTP/1.1 600 High\r\n\r\n", 400);
    bad("four-digit status code → 400", "HTTP/1.1 2000 OK\r\n\r\n", 400);
    bad("two-digit status code → 400", "HTTP/1.1 20 OK\r\n\r\n", 400);
    bad("status line without a status code → 400", "HTTP/1.1\r\n\r\n", 400);
    bad("control character in the reason phrase → 400", "HTTP/1.1 200 O\x01K\r\n\r\n", 400);
    bad("empty line instead of a status line → 400", "\r\nHTTP/1.1 200 OK\r\n\r\n", 400);
    bad("obsolete line folding in a response → 400",
        "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n", 400);
    bad("bare LF in a response head → 400", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", 400);
    bad("connection closed before the Content-Length body is complete → 400",
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 400, true);
    bad("connection closed inside a chunked body → 400",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", 400, true);
    bad("connection closed inside the head → 400", "HTTP/1.1 200 OK\r\nX-A: b", 400, true);
}

void tst_Parser::responses()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, rest);
    QFETCH(bool, eof);
    QFETCH(int, status);
    QFETCH(Response, expected);

    for (int plan = 0; plan < planCount; ++plan) {
        const Outcome out = run(Parser::Mode::Response, message + rest, plan, eof, method);
        const QByteArray where = "split plan " + QByteArray::number(plan);
        QVERIFY2(out.broken.isEmpty(), QByteArray(where + ": " + out.broken).constData());
        if (status != 0) {
            QVERIFY2(out.state == Parser::State::Error, where.constData());
            QCOMPARE(out.status, status);
            QVERIFY(!out.reason.isEmpty());
            if (plan == 0 && qEnvironmentVariableIsSet("QTWS_SHOW_REASONS"))
                qInfo("%s", out.reason.constData());
            continue;
        }
        QVERIFY2(out.state == Parser::State::MessageComplete,
            QByteArray(where + ": " + out.reason).constData());
        QCOMPARE(out.response, expected);
        QCOMPARE(out.consumed, message.size());
    }
}

void tst_Parser::headCompleteBeforeBody()
{
    // A server sees the head (and can send 100 Continue) before any of the body arrives.
    Parser parser(Parser::Mode::Request);
    const QByteArray head = "PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                            "Content-Length: 4\r\n\r\n";
    QCOMPARE(parser.feed(QByteArray(head + "ab")), head.size());
    QCOMPARE(parser.state(), Parser::State::HeadComplete);
    QVERIFY(parser.isHeadComplete());
    QCOMPARE(parser.bodyFraming(), Parser::BodyFraming::ContentLength);
    QCOMPARE(parser.contentLength(), 4);
    QCOMPARE(parser.request().headers.value("Expect"), QByteArray("100-continue"));
    QVERIFY(parser.request().body.isEmpty());
    QCOMPARE(parser.feed("ab"), 2);
    QCOMPARE(parser.state(), Parser::State::NeedMore);
    QCOMPARE(parser.feed("cdGET"), 2);
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    QCOMPARE(parser.request().body, QByteArray("abcd"));

    // Chunked: HeadComplete, then the body; a body-less message goes straight to complete.
    parser.reset();
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 27);
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    QCOMPARE(parser.bodyFraming(), Parser::BodyFraming::None);
}

void tst_Parser::forgedContentLengthAllocatesNothing()
{
    // The largest allowed Content-Length: the parser must not reserve it up front.
    Parser parser(Parser::Mode::Request);
    const QByteArray head = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 16777216\r\n\r\n";
    QCOMPARE(parser.feed(head), head.size());
    QCOMPARE(parser.state(), Parser::State::HeadComplete);
    QVERIFY(parser.request().body.capacity() <= 64 * 1024);

    // A chunk announcing more than the limit fails before any of it arrives.
    Parser chunked(Parser::Mode::Request, {.maxBodyBytes = 1000});
    chunked.feed("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
    chunked.feed("3e9\r\n");
    QCOMPARE(chunked.state(), Parser::State::Error);
    QCOMPARE(chunked.errorStatus(), 413);
    QVERIFY2(chunked.errorReason().contains("1000"), chunked.errorReason().constData());
}

void tst_Parser::defaultLimitsBoundaries()
{
    const ParserLimits defaults;
    QCOMPARE(defaults.maxStartLineBytes, 8192);
    QCOMPARE(defaults.maxHeaderBytes, 65536);
    QCOMPARE(defaults.maxHeaderCount, 100);
    QCOMPARE(defaults.maxBodyBytes, 16 * 1024 * 1024);
    QCOMPARE(defaults.maxChunkLineBytes, 1024);

    // A request-line of exactly 8192 bytes passes; one more byte → 414, whatever the split.
    const auto line = [](qsizetype length) -> QByteArray {
        const QByteArray prefix = "GET /", suffix = " HTTP/1.1";
        return prefix + QByteArray(length - prefix.size() - suffix.size(), 'a') + suffix;
    };
    for (int plan = 0; plan < 3; ++plan) {
        const QByteArray ok = line(8192) + "\r\nHost: a\r\n\r\n";
        QCOMPARE(run(Parser::Mode::Request, ok, plan).state, Parser::State::MessageComplete);
        const Outcome tooLong
            = run(Parser::Mode::Request, line(8193) + "\r\nHost: a\r\n\r\n", plan);
        QCOMPARE(tooLong.status, 414);
        QVERIFY2(tooLong.reason.contains("8192"), tooLong.reason.constData());
        // Never a line end: noticed once the limit is passed, not at the end of input.
        const Outcome endless = run(Parser::Mode::Request, QByteArray(100000, 'a'), plan);
        QCOMPARE(endless.status, 414);
    }

    // 100 header fields pass, 101 → 431.
    QByteArray fields = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 1; i < 100; ++i)
        fields += "X-" + QByteArray::number(i) + ": v\r\n";
    QCOMPARE(run(Parser::Mode::Request, fields + "\r\n", 0).state, Parser::State::MessageComplete);
    const Outcome tooMany = run(Parser::Mode::Request, fields + "X-100: v\r\n\r\n", 0);
    QCOMPARE(tooMany.status, 431);
    QVERIFY2(tooMany.reason.contains("100"), tooMany.reason.constData());

    // A head over 64 KiB → 431, whatever the split; a large but allowed one passes.
    const QByteArray big
        = "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + QByteArray(65000, 'c') + "\r\n";
    for (int plan = 0; plan < 4; ++plan) {
        QCOMPARE(
            run(Parser::Mode::Request, big + "\r\n", plan).state, Parser::State::MessageComplete);
        const Outcome huge
            = run(Parser::Mode::Request, big + "X: " + QByteArray(600, 'd') + "\r\n\r\n", plan);
        QCOMPARE(huge.status, 431);
        QVERIFY2(huge.reason.contains("65536"), huge.reason.constData());
    }
}

void tst_Parser::customLimits()
{
    const ParserLimits small{.maxStartLineBytes = 20,
        .maxHeaderBytes = 60,
        .maxHeaderCount = 2,
        .maxBodyBytes = 10,
        .maxChunkLineBytes = 8};
    QByteArray splitsDiffer;
    const auto outcome = [&](Parser::Mode mode, const QByteArray &input, bool eof = false) {
        const Outcome first = run(mode, input, 0, eof, "GET", small);
        for (int plan = 1; plan < planCount; ++plan) {
            const Outcome other = run(mode, input, plan, eof, "GET", small);
            if (other.state != first.state || other.status != first.status)
                splitsDiffer += input + " (plan " + QByteArray::number(plan) + ")\n";
        }
        return first;
    };
    QCOMPARE(outcome(Parser::Mode::Request, "GET /012345 HTTP/1.1\r\nHost: a\r\n\r\n").state,
        Parser::State::MessageComplete); // 20 bytes
    QCOMPARE(
        outcome(Parser::Mode::Request, "GET /0123456 HTTP/1.1\r\nHost: a\r\n\r\n").status, 414);
    QCOMPARE(outcome(Parser::Mode::Response, "HTTP/1.1 200 Long reason\r\n\r\n").status, 400);
    QCOMPARE(
        outcome(Parser::Mode::Request, "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n").status,
        431);
    QCOMPARE(outcome(Parser::Mode::Request,
                 "GET / HTTP/1.1\r\nHost: a\r\nA: 0123456789012345678901234567890\r\n\r\n")
                 .status,
        431);
    const QByteArray chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    QCOMPARE(
        outcome(Parser::Mode::Request, chunked + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n").state,
        Parser::State::MessageComplete);
    QCOMPARE(
        outcome(Parser::Mode::Request, chunked + "5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n").status,
        413);
    QCOMPARE(outcome(Parser::Mode::Request, chunked + "1;a=bcde\r\nx\r\n0\r\n\r\n").state,
        Parser::State::MessageComplete); // 8 bytes
    QCOMPARE(outcome(Parser::Mode::Request, chunked + "1;a=bcdef\r\nx\r\n0\r\n\r\n").status, 400);
    QCOMPARE(outcome(Parser::Mode::Request, chunked + "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n").status,
        431); // trailers are bounded like headers
    QCOMPARE(outcome(Parser::Mode::Response, "HTTP/1.1 200 OK\r\n\r\n0123456789", true).state,
        Parser::State::MessageComplete);
    QCOMPARE(
        outcome(Parser::Mode::Response, "HTTP/1.1 200 OK\r\n\r\n0123456789a", true).status, 413);
    QVERIFY2(splitsDiffer.isEmpty(), splitsDiffer.constData());
}

void tst_Parser::pipelinedRequestsWithReset()
{
    const QByteArray input = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                             "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                             "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "2\r\nde\r\n0\r\n\r\n"
                             "\r\nGET /4 HTTP/1.1\r\nHost: a\r\n\r\n";
    for (int plan = 0; plan < planCount; ++plan) {
        Parser parser(Parser::Mode::Request);
        QList<Request> seen;
        qsizetype start = 0;
        for (qsizetype cut : cutsFor(plan, input.size())) {
            QByteArrayView piece = QByteArrayView(input).sliced(start, cut - start);
            start = cut;
            while (!piece.isEmpty()) {
                piece = piece.sliced(parser.feed(piece));
                QVERIFY(parser.state() != Parser::State::Error);
                if (parser.state() == Parser::State::MessageComplete) {
                    seen.append(parser.takeRequest());
                    parser.reset();
                }
            }
        }
        QCOMPARE(seen.size(), 4);
        QCOMPARE(seen[0].target, QByteArray("/1"));
        QCOMPARE(seen[1].body, QByteArray("abc"));
        QCOMPARE(seen[2].body, QByteArray("de"));
        QCOMPARE(seen[3].target, QByteArray("/4"));
    }
}

void tst_Parser::finishBetweenMessages()
{
    Parser parser(Parser::Mode::Request);
    parser.finish();
    QCOMPARE(parser.state(), Parser::State::NeedMore); // nothing sent: a clean close
    parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
    parser.reset();
    parser.finish();
    QCOMPARE(parser.state(), Parser::State::NeedMore);
    parser.feed("GE");
    parser.finish();
    QCOMPARE(parser.state(), Parser::State::Error);
    QCOMPARE(parser.errorStatus(), 400);
}

void tst_Parser::errorStopsFeeding()
{
    Parser parser(Parser::Mode::Request);
    parser.feed("GET / HTTP/1.1\nHost: a\r\n\r\n");
    QCOMPARE(parser.state(), Parser::State::Error);
    const QByteArray reason = parser.errorReason();
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
    QCOMPARE(parser.errorReason(), reason); // the first error wins
    parser.finish();
    QCOMPARE(parser.errorReason(), reason);
    parser.reset();
    QCOMPARE(parser.state(), Parser::State::NeedMore);
    QCOMPARE(parser.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 27);
    QCOMPARE(parser.state(), Parser::State::MessageComplete);
}

QTEST_APPLESS_MAIN(tst_Parser)
#include "tst_parser.moc"
