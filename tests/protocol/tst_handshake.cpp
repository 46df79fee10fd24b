// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/handshake.h>

#include <QtCore/QSet>
#include <QtTest/QTest>

#include <functional>

using namespace qtws;
using namespace qtws::handshake;
using http::Headers;
using http::Request;
using http::Response;

Q_DECLARE_METATYPE(qtws::http::Request)
Q_DECLARE_METATYPE(qtws::http::Response)
Q_DECLARE_METATYPE(qtws::handshake::ClientRequestSpec)
Q_DECLARE_METATYPE(qtws::handshake::AcceptResponseSpec)
Q_DECLARE_METATYPE(qtws::handshake::ExtensionItem)
Q_DECLARE_METATYPE(qtws::handshake::Transport)

namespace {

// RFC 6455 §1.3: the worked example of the accept computation (28 characters: base64 of a
// 20-byte SHA-1 digest).
constexpr QByteArrayView rfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr QByteArrayView rfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// The client handshake of RFC 6455 §1.2.
Request rfcRequest()
{
    Request r;
    r.method = "GET";
    r.target = "/chat";
    r.headers = Headers{{"Host", "server.example.com"}, {"Upgrade", "websocket"},
        {"Connection", "Upgrade"}, {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
        {"Origin", "http://example.com"}, {"Sec-WebSocket-Protocol", "chat, superchat"},
        {"Sec-WebSocket-Version", "13"}};
    return r;
}

Request modifiedRequest(const std::function<void(Request &)> &change)
{
    Request r = rfcRequest();
    change(r);
    return r;
}

// The server handshake of RFC 6455 §1.2 (answering rfcRequest()).
Response rfcResponse()
{
    Response r;
    r.status = 101;
    r.headers = Headers{{"Upgrade", "websocket"}, {"Connection", "Upgrade"},
        {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
        {"Sec-WebSocket-Protocol", "chat"}};
    return r;
}

Response modifiedResponse(const std::function<void(Response &)> &change)
{
    Response r = rfcResponse();
    change(r);
    return r;
}

ClientRequestSpec validSpec()
{
    ClientRequestSpec spec;
    spec.target = "/chat";
    spec.host = "server.example.com";
    spec.key = rfcKey.toByteArray();
    return spec;
}

ClientRequestSpec modifiedSpec(const std::function<void(ClientRequestSpec &)> &change)
{
    ClientRequestSpec spec = validSpec();
    change(spec);
    return spec;
}

ExtensionItem ext(QByteArray name, QList<ExtensionParam> params = {})
{
    return ExtensionItem{std::move(name), std::move(params)};
}

ExtensionParam bare(QByteArray name)
{
    return ExtensionParam{std::move(name), std::nullopt};
}

ExtensionParam valued(QByteArray name, QByteArray value)
{
    return ExtensionParam{std::move(name), std::move(value)};
}

} // namespace

class tst_Handshake : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- key and accept ----------------------------------------------------------------

    void acceptValue_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("accept");
        QTest::newRow("RFC 6455 §1.3 example key → s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
            << rfcKey.toByteArray() << rfcAccept.toByteArray();
        QTest::newRow("a second well-known key → its accept value")
            << QByteArray("x3JJHMbDL1EzLkh9GBhXDw==") << QByteArray("HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    }

    void acceptValue()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, accept);
        QCOMPARE(handshake::acceptValue(key), accept);
        QCOMPARE(handshake::acceptValue(key).size(), 28);
    }

    void generatedKeysAre16RandomBytesInBase64()
    {
        QSet<QByteArray> seen;
        for (int i = 0; i < 64; ++i) {
            const QByteArray key = generateKey();
            QCOMPARE(key.size(), 24);
            const auto decoded
                = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
            QVERIFY(decoded);
            QCOMPARE(decoded.decoded.size(), 16);
            QVERIFY(handshake::isValidKey(key));
            seen.insert(key);
        }
        // RFC 6455 §4.1 item 7: a new random nonce per connection.
        QCOMPARE(seen.size(), 64);
    }

    void isValidKey_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<bool>("valid");
        QTest::newRow("RFC 6455 §1.3 key decodes to 16 bytes → valid")
            << rfcKey.toByteArray() << true;
        QTest::newRow("\"x\" → invalid") << QByteArray("x") << false;
        QTest::newRow("\"%%%\" → invalid") << QByteArray("%%%") << false;
        QTest::newRow("base64 of 4 bytes → invalid") << QByteArray("AQIDBA==") << false;
        QTest::newRow("base64 of 17 bytes → invalid")
            << QByteArray("AAECAwQFBgcICQoLDA0ODxA=") << false;
        QTest::newRow("missing '==' padding → invalid")
            << QByteArray("dGhlIHNhbXBsZSBub25jZQ") << false;
        QTest::newRow("URL-safe alphabet → invalid")
            << QByteArray("-_hlIHNhbXBsZSBub25jZQ==") << false;
        QTest::newRow("non-zero padding bits → invalid")
            << QByteArray("dGhlIHNhbXBsZSBub25jZR==") << false;
        QTest::newRow("character outside the alphabet → invalid")
            << QByteArray("dGhlIHNhbXBsZSBub25j*Q==") << false;
        QTest::newRow("empty → invalid") << QByteArray() << false;
    }

    void isValidKey()
    {
        QFETCH(QByteArray, key);
        QFETCH(bool, valid);
        QCOMPARE(handshake::isValidKey(key), valid);
    }

    // ---- client request: building ------------------------------------------------------

    void buildClientRequestWritesTheRfcHandshake()
    {
        ClientRequestSpec spec = validSpec();
        spec.origin = "http://example.com";
        spec.subprotocols = {"chat", "superchat"};
        spec.extensions = {"permessage-deflate; client_max_window_bits"};
        spec.extraHeaders = Headers{{"Authorization", "Bearer t"}, {"Cookie", "a=1"}};
        const ClientRequestBuildResult built = buildClientRequest(spec);
        QVERIFY2(built.ok(), built.error.constData());
        QCOMPARE(built.request.method, QByteArray("GET"));
        QCOMPARE(built.request.target, QByteArray("/chat"));
        QCOMPARE(built.request.versionMajor, 1);
        QCOMPARE(built.request.versionMinor, 1);
        QVERIFY(built.request.body.isEmpty());
        const Headers expected{
            {"Host", "server.example.com"},
            {"Upgrade", "websocket"},
            {"Connection", "Upgrade"},
            {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
            {"Sec-WebSocket-Version", "13"},
            {"Origin", "http://example.com"},
            {"Sec-WebSocket-Protocol", "chat, superchat"},
            {"Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"},
            {"Authorization", "Bearer t"},
            {"Cookie", "a=1"},
        };
        QCOMPARE(built.request.headers, expected);
        QVERIFY(isUpgrade(built.request));
        QVERIFY(handshake::checkClientRequest(built.request).ok());
    }

    void buildClientRequestOmitsOptionalFields()
    {
        const ClientRequestBuildResult built = buildClientRequest(validSpec());
        QVERIFY2(built.ok(), built.error.constData());
        QCOMPARE(built.request.headers.size(), 5);
        QVERIFY(!built.request.headers.contains("Origin"));
        QVERIFY(!built.request.headers.contains("Sec-WebSocket-Protocol"));
        QVERIFY(!built.request.headers.contains("Sec-WebSocket-Extensions"));
        QVERIFY(!built.request.headers.contains("Content-Length"));
    }

    void buildClientRequestDefaultKeyIsFresh()
    {
        ClientRequestSpec a;
        a.host = "h";
        ClientRequestSpec b;
        b.host = "h";
        QVERIFY(handshake::isValidKey(a.key));
        QVERIFY(a.key != b.key);
        QVERIFY(buildClientRequest(a).ok());
    }

    void buildClientRequestRefuses_data()
    {
        QTest::addColumn<ClientRequestSpec>("spec");
        auto extra = [](QByteArray name, QByteArray value) {
            return modifiedSpec([=](ClientRequestSpec &s) { s.extraHeaders.append(name, value); });
        };
        for (const char *name : {"Upgrade", "Connection", "Sec-WebSocket-Key",
                 "Sec-WebSocket-Version", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions",
                 "Sec-WebSocket-Protocol", "Host", "Content-Length", "Transfer-Encoding"}) {
            QTest::addRow("extra %s header → refused, the handshake owns it", name)
                << extra(name, "x");
        }
        QTest::newRow("extra header names compare without case → refused")
            << extra("sec-websocket-key", "x");
        QTest::newRow("extra header value with CR LF (header injection) → refused")
            << extra("X-A", "1\r\nUpgrade: h2c");
        QTest::newRow("extra header value with bare LF → refused") << extra("X-A", "1\n2");
        QTest::newRow("extra header value with NUL → refused")
            << extra("X-A", QByteArray("1\0002", 3));
        QTest::newRow("extra header name with a space → refused") << extra("X A", "1");
        QTest::newRow("extra header name with a colon → refused") << extra("X:A", "1");
        QTest::newRow("extra header with empty name → refused") << extra("", "1");
        QTest::newRow("key that is not base64 of 16 bytes → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.key = "AQIDBA=="; });
        QTest::newRow("empty Host → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.host.clear(); });
        QTest::newRow("Host with CR LF → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.host = "a\r\nX: y"; });
        QTest::newRow("target with a space → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.target = "/a b"; });
        QTest::newRow("empty target → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.target.clear(); });
        QTest::newRow("Origin with CR → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.origin = "http://a\r"; });
        QTest::newRow("empty Origin → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.origin = QByteArray(""); });
        QTest::newRow("subprotocol with '/' is not a token (RFC 6455 §4.1 item 10) → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.subprotocols = {"chat/1"}; });
        QTest::newRow("empty subprotocol → refused") << modifiedSpec([](ClientRequestSpec &s) {
            s.subprotocols = {"chat", ""};
        });
        QTest::newRow("repeated subprotocol (MUST be unique) → refused")
            << modifiedSpec([](ClientRequestSpec &s) {
                   s.subprotocols = {"a", "b", "a"};
               });
        QTest::newRow("malformed extension offer → refused")
            << modifiedSpec([](ClientRequestSpec &s) { s.extensions = {"permessage-deflate;"}; });
    }

    void buildClientRequestRefuses()
    {
        QFETCH(ClientRequestSpec, spec);
        const ClientRequestBuildResult built = buildClientRequest(spec);
        QVERIFY(!built.ok());
        QVERIFY(built.error.size() <= 123);
        QVERIFY(built.request.headers.isEmpty());
    }

    // ---- client request: server-side checks ---------------------------------------------

    void checkClientRequest_data()
    {
        QTest::addColumn<Request>("request");
        QTest::addColumn<int>("status"); // 0: accepted

        QTest::newRow("RFC 6455 §1.2 request → accepted") << rfcRequest() << 0;
        QTest::newRow("POST request → 400")
            << modifiedRequest([](Request &r) { r.method = "POST"; }) << 400;
        QTest::newRow("lower-case get (methods are case-sensitive) → 400")
            << modifiedRequest([](Request &r) { r.method = "get"; }) << 400;
        QTest::newRow("HTTP/1.0 request → 400")
            << modifiedRequest([](Request &r) { r.versionMinor = 0; }) << 400;
        QTest::newRow("HTTP/2.0 request line → accepted (1.1 or later)") << modifiedRequest(
            [](Request &r) {
                r.versionMajor = 2;
                r.versionMinor = 0;
            }) << 0;
        QTest::newRow("request without Host → 400")
            << modifiedRequest([](Request &r) { r.headers.remove("Host"); }) << 400;
        QTest::newRow("request with two Host headers → 400")
            << modifiedRequest([](Request &r) { r.headers.append("Host", "other.example"); })
            << 400;
        QTest::newRow("request with empty Host → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Host", ""); }) << 400;
        QTest::newRow("request without Upgrade header → 400")
            << modifiedRequest([](Request &r) { r.headers.remove("Upgrade"); }) << 400;
        QTest::newRow("Upgrade: h2c only → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Upgrade", "h2c"); }) << 400;
        QTest::newRow("Upgrade: websockets is not the websocket token → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Upgrade", "websockets"); }) << 400;
        QTest::newRow("Upgrade: h2c, WebSocket (list, any case) → accepted")
            << modifiedRequest([](Request &r) { r.headers.set("Upgrade", "h2c, WebSocket"); }) << 0;
        QTest::newRow("request without Connection header → 400")
            << modifiedRequest([](Request &r) { r.headers.remove("Connection"); }) << 400;
        QTest::newRow("Connection: keep-alive only → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Connection", "keep-alive"); })
            << 400;
        QTest::newRow("Connection: upgrades is not the upgrade token → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Connection", "upgrades"); }) << 400;
        QTest::newRow("Connection: keep-alive, upgrade (Firefox) → accepted") << modifiedRequest(
            [](Request &r) { r.headers.set("Connection", "keep-alive, upgrade"); })
                                                                              << 0;
        QTest::newRow("upgrade token in a repeated Connection header → accepted")
            << modifiedRequest([](Request &r) {
                   r.headers.set("Connection", "keep-alive");
                   r.headers.append("Connection", "Upgrade");
               })
            << 0;
        QTest::newRow("version 8 → 426 with Sec-WebSocket-Version: 13")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Version", "8"); })
            << 426;
        QTest::newRow("no Sec-WebSocket-Version → 426 with Sec-WebSocket-Version: 13")
            << modifiedRequest([](Request &r) { r.headers.remove("Sec-WebSocket-Version"); })
            << 426;
        QTest::newRow("two Sec-WebSocket-Version headers → 426")
            << modifiedRequest([](Request &r) { r.headers.append("Sec-WebSocket-Version", "13"); })
            << 426;
        QTest::newRow("version list \"13, 8\" is not 13 → 426")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Version", "13, 8"); })
            << 426;
        QTest::newRow("request without Sec-WebSocket-Key → 400")
            << modifiedRequest([](Request &r) { r.headers.remove("Sec-WebSocket-Key"); }) << 400;
        QTest::newRow("key decoding to 4 bytes → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Key", "AQIDBA=="); })
            << 400;
        QTest::newRow("key that is not base64 → 400")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Key", "%%%"); })
            << 400;
        QTest::newRow("key without padding (lenient base64) → 400") << modifiedRequest(
            [](Request &r) { r.headers.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ"); })
                                                                    << 400;
        QTest::newRow("repeated Sec-WebSocket-Key (RFC 6455 §11.3.1) → 400") << modifiedRequest(
            [](Request &r) { r.headers.append("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="); })
                                                                             << 400;
        QTest::newRow("two Origin headers → 400")
            << modifiedRequest([](Request &r) { r.headers.append("Origin", "http://evil"); })
            << 400;
        QTest::newRow("subprotocol offer that is not a token → 400") << modifiedRequest(
            [](Request &r) { r.headers.set("Sec-WebSocket-Protocol", "chat, a/b"); })
                                                                     << 400;
        QTest::newRow("duplicated subprotocol offers → accepted") << modifiedRequest(
            [](Request &r) { r.headers.set("Sec-WebSocket-Protocol", "chat, chat"); })
                                                                  << 0;
        QTest::newRow("malformed Sec-WebSocket-Extensions → 400") << modifiedRequest(
            [](Request &r) {
                r.headers.append("Sec-WebSocket-Extensions", "permessage-deflate; =1");
            }) << 400;
        QTest::newRow("a 200-byte method keeps the reason within 123 bytes → 400")
            << modifiedRequest([](Request &r) { r.method = QByteArray(200, 'X'); }) << 400;
    }

    void checkClientRequest()
    {
        QFETCH(Request, request);
        QFETCH(int, status);
        const ClientRequestCheckResult checked = handshake::checkClientRequest(request);
        if (status == 0) {
            QVERIFY2(checked.ok(), checked.rejection ? checked.rejection->reason.constData() : "");
            return;
        }
        QVERIFY(!checked.ok());
        QCOMPARE(checked.rejection->status, status);
        QVERIFY(!checked.rejection->reason.isEmpty());
        QVERIFY(checked.rejection->reason.size() <= 123);
        QVERIFY(checked.key.isEmpty());
        if (status == 426) {
            // RFC 6455 §4.4 and RFC 9110 §15.5.22.
            QCOMPARE(checked.rejection->headers.value("Sec-WebSocket-Version"), QByteArray("13"));
            QCOMPARE(checked.rejection->headers.value("Upgrade"), QByteArray("websocket"));
        } else {
            QVERIFY(!checked.rejection->headers.contains("Sec-WebSocket-Version"));
        }
    }

    void checkClientRequestReturnsTheOffers()
    {
        Request request = rfcRequest();
        request.headers.append("Sec-WebSocket-Protocol", "chat, v2");
        request.headers.append(
            "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        request.headers.append("Sec-WebSocket-Extensions", "x-foo; a=\"1\", permessage-deflate");
        const ClientRequestCheckResult checked = handshake::checkClientRequest(request);
        QVERIFY(checked.ok());
        QCOMPARE(checked.key, rfcKey.toByteArray());
        // Client order, across repeated fields, the duplicate "chat" dropped.
        QCOMPARE(checked.subprotocols, (QList<QByteArray>{"chat", "superchat", "v2"}));
        const QList<ExtensionItem> extensions{
            ext("permessage-deflate", {bare("client_max_window_bits")}),
            ext("x-foo", {valued("a", "1")}),
            ext("permessage-deflate"),
        };
        QCOMPARE(checked.extensions, extensions);
        QCOMPARE(checked.origin, std::optional<QByteArray>("http://example.com"));

        request.headers.remove("Origin");
        QCOMPARE(handshake::checkClientRequest(request).origin, std::nullopt);
    }

    // ---- isUpgrade -----------------------------------------------------------------------

    void isUpgradeRequest_data()
    {
        QTest::addColumn<Request>("request");
        QTest::addColumn<bool>("upgrade");
        QTest::newRow("RFC 6455 §1.2 request → true") << rfcRequest() << true;
        QTest::newRow("Connection: keep-alive, Upgrade → true") << modifiedRequest([](Request &r) {
            r.headers.set("Connection", "keep-alive, Upgrade");
        }) << true;
        QTest::newRow("POST → false")
            << modifiedRequest([](Request &r) { r.method = "POST"; }) << false;
        QTest::newRow("no Upgrade → false")
            << modifiedRequest([](Request &r) { r.headers.remove("Upgrade"); }) << false;
        QTest::newRow("no Connection upgrade token → false")
            << modifiedRequest([](Request &r) { r.headers.set("Connection", "close"); }) << false;
        QTest::newRow("key of 4 bytes → false")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Key", "AQIDBA=="); })
            << false;
        QTest::newRow("no key → false")
            << modifiedRequest([](Request &r) { r.headers.remove("Sec-WebSocket-Key"); }) << false;
        QTest::newRow("version 8 → false")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Version", "8"); })
            << false;
        QTest::newRow("version \" 13 \" with whitespace → true")
            << modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Version", " 13 "); })
            << true;
        QTest::newRow("no version → false")
            << modifiedRequest([](Request &r) { r.headers.remove("Sec-WebSocket-Version"); })
            << false;
    }

    void isUpgradeRequest()
    {
        QFETCH(Request, request);
        QFETCH(bool, upgrade);
        QCOMPARE(isUpgrade(request), upgrade);
    }

    void isUpgradeResponse_data()
    {
        QTest::addColumn<Response>("response");
        QTest::addColumn<bool>("upgrade");
        QTest::newRow("RFC 6455 §1.2 101 response → true") << rfcResponse() << true;
        QTest::newRow("Upgrade: WebSocket and Connection: keep-alive, upgrade → true")
            << modifiedResponse([](Response &r) {
                   r.headers.set("Upgrade", "WebSocket");
                   r.headers.set("Connection", "keep-alive, upgrade");
               })
            << true;
        QTest::newRow("200 with the upgrade fields → false")
            << modifiedResponse([](Response &r) { r.status = 200; }) << false;
        QTest::newRow("101 without Upgrade → false")
            << modifiedResponse([](Response &r) { r.headers.remove("Upgrade"); }) << false;
        QTest::newRow("101 with Upgrade: h2c → false")
            << modifiedResponse([](Response &r) { r.headers.set("Upgrade", "h2c"); }) << false;
        QTest::newRow("101 without Connection → false")
            << modifiedResponse([](Response &r) { r.headers.remove("Connection"); }) << false;
    }

    void isUpgradeResponse()
    {
        QFETCH(Response, response);
        QFETCH(bool, upgrade);
        QCOMPARE(isUpgrade(response), upgrade);
    }

    // ---- subprotocols --------------------------------------------------------------------

    void selectSubprotocol_data()
    {
        QTest::addColumn<QList<QByteArray>>("offered");
        QTest::addColumn<QList<QByteArray>>("supported");
        QTest::addColumn<QByteArray>("selected");
        QTest::newRow("server preference wins over the client's order") << QList<QByteArray>{"chat",
            "superchat"} << QList<QByteArray>{"superchat", "chat"} << QByteArray("superchat");
        QTest::newRow("the one common protocol is chosen")
            << QList<QByteArray>{"a", "b"} << QList<QByteArray>{"c", "b"} << QByteArray("b");
        QTest::newRow("no common protocol → none")
            << QList<QByteArray>{"a"} << QList<QByteArray>{"b"} << QByteArray();
        QTest::newRow("server supports none → none")
            << QList<QByteArray>{"a"} << QList<QByteArray>{} << QByteArray();
        QTest::newRow("client offers none → none")
            << QList<QByteArray>{} << QList<QByteArray>{"a"} << QByteArray();
        QTest::newRow("names compare exactly: Chat is not chat → none")
            << QList<QByteArray>{"Chat"} << QList<QByteArray>{"chat"} << QByteArray();
        QTest::newRow("duplicated offers are tolerated")
            << QList<QByteArray>{"chat", "chat"} << QList<QByteArray>{"chat"} << QByteArray("chat");
    }

    void selectSubprotocol()
    {
        QFETCH(QList<QByteArray>, offered);
        QFETCH(QList<QByteArray>, supported);
        QFETCH(QByteArray, selected);
        QCOMPARE(handshake::selectSubprotocol(offered, supported), selected);
    }

    // ---- Sec-WebSocket-Extensions ---------------------------------------------------------

    void parseExtensions_data()
    {
        QTest::addColumn<QList<QByteArray>>("values");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QList<ExtensionItem>>("expected");
        using L = QList<QByteArray>;
        using E = QList<ExtensionItem>;

        QTest::newRow("one extension without parameters")
            << L{"permessage-deflate"} << true << E{ext("permessage-deflate")};
        QTest::newRow("bare and valued parameters keep their order")
            << L{"permessage-deflate; client_max_window_bits; server_max_window_bits=10"} << true
            << E{ext("permessage-deflate",
                   {bare("client_max_window_bits"), valued("server_max_window_bits", "10")})};
        QTest::newRow("quoted-string value is unquoted")
            << L{"permessage-deflate; client_max_window_bits=\"10\""} << true
            << E{ext("permessage-deflate", {valued("client_max_window_bits", "10")})};
        QTest::newRow("quoted-pair inside a quoted-string is unescaped")
            << L{"x; p=\"1\\0\""} << true << E{ext("x", {valued("p", "10")})};
        QTest::newRow("two extensions in one line, in order")
            << L{"a; x=1, b"} << true << E{ext("a", {valued("x", "1")}), ext("b")};
        QTest::newRow("repeated header lines are one list, in order")
            << L{"a", "b; y", "c"} << true << E{ext("a"), ext("b", {bare("y")}), ext("c")};
        QTest::newRow("whitespace around ';', ',' and '=' is allowed") << L{
            " a ;\tx = 1 ; y ,b "} << true << E{ext("a", {valued("x", "1"), bare("y")}), ext("b")};
        QTest::newRow("empty list elements are ignored (RFC 9110 §5.6.1)")
            << L{", a ,, b,"} << true << E{ext("a"), ext("b")};
        QTest::newRow("an empty header value is no extensions") << L{""} << true << E{};
        QTest::newRow("no header values is no extensions") << L{} << true << E{};

        QTest::newRow("parameter without extension name → malformed") << L{"; x"} << false << E{};
        QTest::newRow("trailing ';' → malformed") << L{"a;"} << false << E{};
        QTest::newRow("'=' without a value → malformed") << L{"a; x="} << false << E{};
        QTest::newRow("'=' without a parameter name → malformed") << L{"a; =1"} << false << E{};
        QTest::newRow("unterminated quoted-string → malformed") << L{"a; x=\"10"} << false << E{};
        QTest::newRow("quoted value with a space is not a token (RFC 6455 §9.1) → malformed")
            << L{"a; x=\"1 0\""} << false << E{};
        QTest::newRow("quoted comma does not split the list but is no token → malformed")
            << L{"a; x=\"1,b\""} << false << E{};
        QTest::newRow("empty quoted-string is no token → malformed")
            << L{"a; x=\"\""} << false << E{};
        QTest::newRow("control character in quoted-string → malformed")
            << L{"a; x=\"1\x01\""} << false << E{};
        QTest::newRow("space inside an extension name → malformed")
            << L{"permessage deflate"} << false << E{};
        QTest::newRow("'/' in an extension name → malformed") << L{"a/b"} << false << E{};
        QTest::newRow("'@' in a token value → malformed") << L{"a; x=1@2"} << false << E{};
        QTest::newRow("malformed second line fails the whole header")
            << L{"a", "b;;"} << false << E{};
    }

    void parseExtensions()
    {
        QFETCH(QList<QByteArray>, values);
        QFETCH(bool, valid);
        QFETCH(QList<ExtensionItem>, expected);
        const ExtensionsParseResult parsed = handshake::parseExtensions(values);
        QCOMPARE(parsed.ok(), valid);
        QCOMPARE(parsed.extensions, expected);
        if (!valid)
            QVERIFY(parsed.error.size() <= 123);
    }

    void serializeExtensionsRoundTrips()
    {
        const QList<ExtensionItem> extensions{
            ext("permessage-deflate",
                {bare("client_max_window_bits"), valued("server_max_window_bits", "10")}),
            ext("x-foo"),
        };
        const QByteArray text = serializeExtensions(extensions);
        QCOMPARE(text,
            QByteArray("permessage-deflate; client_max_window_bits; "
                       "server_max_window_bits=10, x-foo"));
        QCOMPARE(handshake::parseExtensions(QList<QByteArray>{text}).extensions, extensions);
        QCOMPARE(serializeExtensions({ext("a", {valued("p", "a b\"")})}),
            QByteArray("a; p=\"a b\\\"\""));
    }

    // ---- server answers ------------------------------------------------------------------

    void buildAcceptResponseWritesThe101()
    {
        AcceptResponseSpec spec;
        spec.key = rfcKey.toByteArray();
        spec.subprotocol = "chat";
        spec.extensions = "permessage-deflate; server_no_context_takeover";
        spec.extraHeaders = Headers{{"Set-Cookie", "s=1"}};
        const AcceptResponseBuildResult built = buildAcceptResponse(spec);
        QVERIFY2(built.ok(), built.error.constData());
        QCOMPARE(built.response.status, 101);
        QCOMPARE(built.response.reason, QByteArray("Switching Protocols"));
        const Headers expected{
            {"Upgrade", "websocket"},
            {"Connection", "Upgrade"},
            {"Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="},
            {"Sec-WebSocket-Protocol", "chat"},
            {"Sec-WebSocket-Extensions", "permessage-deflate; server_no_context_takeover"},
            {"Set-Cookie", "s=1"},
        };
        QCOMPARE(built.response.headers, expected);
        QVERIFY(built.response.body.isEmpty());
        QVERIFY(isUpgrade(built.response));

        spec.subprotocol.clear();
        spec.extensions.clear();
        spec.extraHeaders.clear();
        const Response bare = buildAcceptResponse(spec).response;
        QCOMPARE(bare.headers.size(), 3);
        QVERIFY(!bare.headers.contains("Sec-WebSocket-Protocol"));
        QVERIFY(!bare.headers.contains("Sec-WebSocket-Extensions"));
        QVERIFY(!bare.headers.contains("Content-Length")); // RFC 9110 §8.6: none on 1xx
    }

    void buildAcceptResponseRefuses_data()
    {
        QTest::addColumn<AcceptResponseSpec>("spec");
        auto spec = [](const std::function<void(AcceptResponseSpec &)> &change) {
            AcceptResponseSpec s;
            s.key = rfcKey.toByteArray();
            change(s);
            return s;
        };
        QTest::newRow("invalid key → refused") << spec([](AcceptResponseSpec &s) { s.key = "x"; });
        QTest::newRow("subprotocol that is not a token → refused")
            << spec([](AcceptResponseSpec &s) { s.subprotocol = "a b"; });
        QTest::newRow("malformed extensions → refused")
            << spec([](AcceptResponseSpec &s) { s.extensions = "a;"; });
        QTest::newRow("extra Connection header → refused")
            << spec([](AcceptResponseSpec &s) { s.extraHeaders.append("Connection", "close"); });
        QTest::newRow("extra Content-Length on a 101 → refused")
            << spec([](AcceptResponseSpec &s) { s.extraHeaders.append("Content-Length", "0"); });
        QTest::newRow("extra header value with CR LF → refused")
            << spec([](AcceptResponseSpec &s) { s.extraHeaders.append("X", "a\r\nb: c"); });
    }

    void buildAcceptResponseRefuses()
    {
        QFETCH(AcceptResponseSpec, spec);
        const AcceptResponseBuildResult built = buildAcceptResponse(spec);
        QVERIFY(!built.ok());
        QVERIFY(built.error.size() <= 123);
    }

    void buildRejectionResponseFor400()
    {
        const Response r = buildRejectionResponse(Rejection{400, "missing Upgrade: websocket", {}});
        QCOMPARE(r.status, 400);
        QCOMPARE(r.reason, QByteArray("Bad Request"));
        QCOMPARE(r.body, QByteArray("missing Upgrade: websocket\n"));
        const Headers expected{{"Connection", "close"},
            {"Content-Type", "text/plain; charset=utf-8"}, {"Content-Length", "27"}};
        QCOMPARE(r.headers, expected);
    }

    void buildRejectionResponseFor426CarriesTheVersion()
    {
        const ClientRequestCheckResult checked = handshake::checkClientRequest(
            modifiedRequest([](Request &r) { r.headers.set("Sec-WebSocket-Version", "8"); }));
        QVERIFY(checked.rejection);
        const Response r = buildRejectionResponse(*checked.rejection);
        QCOMPARE(r.status, 426);
        QCOMPARE(r.reason, QByteArray("Upgrade Required"));
        QCOMPARE(r.headers.value("Sec-WebSocket-Version"), QByteArray("13"));
        QCOMPARE(r.headers.value("Upgrade"), QByteArray("websocket"));
        // RFC 9110 §7.8: Upgrade comes with the upgrade connection option.
        QCOMPARE(r.headers.values("Connection"), QList<QByteArray>{"Upgrade, close"});
        QCOMPARE(r.headers.value("Content-Length"), QByteArray::number(r.body.size()));
        QVERIFY(r.body.endsWith('\n'));
    }

    void buildRejectionResponseOwnsTheFraming()
    {
        const Rejection rejection{403, "origin refused",
            Headers{{"Connection", "keep-alive"}, {"Content-Length", "9"}, {"X-Why", "policy"}}};
        const Response r = buildRejectionResponse(rejection);
        QCOMPARE(r.headers.values("Connection"), QList<QByteArray>{"close"});
        QCOMPARE(r.headers.values("Content-Length"), QList<QByteArray>{"15"});
        QCOMPARE(r.headers.value("X-Why"), QByteArray("policy"));
    }

    // ---- server response: client-side checks -----------------------------------------------

    void checkServerResponse_data()
    {
        QTest::addColumn<Response>("response");
        QTest::addColumn<Request>("sent");
        QTest::addColumn<bool>("accepted");
        QTest::addColumn<int>("refusedStatus");
        QTest::addColumn<QByteArray>("subprotocol");
        QTest::addColumn<QList<ExtensionItem>>("extensions");
        using E = QList<ExtensionItem>;

        const Request sent = modifiedRequest([](Request &r) {
            r.headers.append(
                "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits");
        });
        const Request sentPlain
            = modifiedRequest([](Request &r) { r.headers.remove("Sec-WebSocket-Protocol"); });

        QTest::newRow("RFC 6455 §1.2 response → accepted with chat")
            << rfcResponse() << sent << true << 0 << QByteArray("chat") << E{};
        QTest::newRow("403 → handshake refused with 403")
            << modifiedResponse([](Response &r) { r.status = 403; }) << sent << false << 403
            << QByteArray() << E{};
        QTest::newRow("200 → handshake refused with 200")
            << modifiedResponse([](Response &r) { r.status = 200; }) << sent << false << 200
            << QByteArray() << E{};
        QTest::newRow("HTTP/1.0 101 → error")
            << modifiedResponse([](Response &r) { r.versionMinor = 0; }) << sent << false << 0
            << QByteArray() << E{};
        QTest::newRow("101 without Upgrade → error")
            << modifiedResponse([](Response &r) { r.headers.remove("Upgrade"); }) << sent << false
            << 0 << QByteArray() << E{};
        QTest::newRow("101 with Upgrade: h2c → error")
            << modifiedResponse([](Response &r) { r.headers.set("Upgrade", "h2c"); }) << sent
            << false << 0 << QByteArray() << E{};
        QTest::newRow("101 without Connection upgrade → error")
            << modifiedResponse([](Response &r) { r.headers.set("Connection", "keep-alive"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("101 without Sec-WebSocket-Accept → error")
            << modifiedResponse([](Response &r) { r.headers.remove("Sec-WebSocket-Accept"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("two correct Sec-WebSocket-Accept headers → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.append("Sec-WebSocket-Accept", rfcAccept); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("accept value of another key → error") << modifiedResponse([](Response &r) {
            r.headers.set("Sec-WebSocket-Accept", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
        }) << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("accept value in another case → error") << modifiedResponse([](Response &r) {
            r.headers.set("Sec-WebSocket-Accept", "S3PPLMBITXAQ9KYGZZHZRBK+XOO=");
        }) << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("no subprotocol although some were offered → accepted without one")
            << modifiedResponse([](Response &r) { r.headers.remove("Sec-WebSocket-Protocol"); })
            << sent << true << 0 << QByteArray() << E{};
        QTest::newRow("empty Sec-WebSocket-Protocol means none → accepted")
            << modifiedResponse([](Response &r) { r.headers.set("Sec-WebSocket-Protocol", ""); })
            << sent << true << 0 << QByteArray() << E{};
        QTest::newRow("the second offered subprotocol → accepted with superchat")
            << modifiedResponse(
                   [](Response &r) { r.headers.set("Sec-WebSocket-Protocol", "superchat"); })
            << sent << true << 0 << QByteArray("superchat") << E{};
        QTest::newRow("subprotocol that was not offered → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.set("Sec-WebSocket-Protocol", "mqtt"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("subprotocol in another case than offered → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.set("Sec-WebSocket-Protocol", "Chat"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("subprotocol when none was offered → error")
            << rfcResponse() << sentPlain << false << 0 << QByteArray() << E{};
        QTest::newRow("no subprotocol when none was offered → accepted")
            << modifiedResponse([](Response &r) { r.headers.remove("Sec-WebSocket-Protocol"); })
            << sentPlain << true << 0 << QByteArray() << E{};
        QTest::newRow("two subprotocols in one header → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.set("Sec-WebSocket-Protocol", "chat, superchat"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("two Sec-WebSocket-Protocol headers → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.append("Sec-WebSocket-Protocol", "chat"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("offered permessage-deflate accepted with parameters → accepted")
            << modifiedResponse([](Response &r) {
                   r.headers.append(
                       "Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=10");
               })
            << sent << true << 0 << QByteArray("chat")
            << E{ext("permessage-deflate", {valued("client_max_window_bits", "10")})};
        QTest::newRow("extension that was not offered → error")
            << modifiedResponse(
                   [](Response &r) { r.headers.append("Sec-WebSocket-Extensions", "x-webkit"); })
            << sent << false << 0 << QByteArray() << E{};
        QTest::newRow("any extension when none was offered → error") << modifiedResponse(
            [](Response &r) { r.headers.append("Sec-WebSocket-Extensions", "permessage-deflate"); })
                                                                     << rfcRequest() << false << 0
                                                                     << QByteArray() << E{};
        QTest::newRow("malformed Sec-WebSocket-Extensions → error") << modifiedResponse(
            [](Response &r) {
                r.headers.append("Sec-WebSocket-Extensions", "permessage-deflate;");
            }) << sent << false << 0 << QByteArray() << E{};
    }

    void checkServerResponse()
    {
        QFETCH(Response, response);
        QFETCH(Request, sent);
        QFETCH(bool, accepted);
        QFETCH(int, refusedStatus);
        QFETCH(QByteArray, subprotocol);
        QFETCH(QList<ExtensionItem>, extensions);
        const ServerResponseCheckResult checked = handshake::checkServerResponse(response, sent);
        QVERIFY2(checked.ok() == accepted, checked.error.constData());
        QCOMPARE(checked.refusedStatus, refusedStatus);
        QCOMPARE(checked.subprotocol, subprotocol);
        QCOMPARE(checked.extensions, extensions);
        QVERIFY(checked.error.size() <= 123);
        if (refusedStatus != 0) {
            QCOMPARE(checked.error, "handshake refused with " + QByteArray::number(refusedStatus));
        }
    }

    // ---- the whole exchange --------------------------------------------------------------

    void clientAndServerAgree()
    {
        ClientRequestSpec spec;
        spec.host = "localhost:8080";
        spec.subprotocols = {"v1.chat", "v2.chat"};
        spec.extensions = {"permessage-deflate; client_max_window_bits"};
        const ClientRequestBuildResult request = buildClientRequest(spec);
        QVERIFY(request.ok());

        const ClientRequestCheckResult offer = handshake::checkClientRequest(request.request);
        QVERIFY(offer.ok());
        QVERIFY(isOriginAllowedByDefault(request.request, Transport::Plain));
        AcceptResponseSpec answer;
        answer.key = offer.key;
        answer.subprotocol
            = handshake::selectSubprotocol(offer.subprotocols, {"v2.chat", "v1.chat"});
        answer.extensions = serializeExtensions(offer.extensions);
        const AcceptResponseBuildResult response = buildAcceptResponse(answer);
        QVERIFY(response.ok());

        const ServerResponseCheckResult checked
            = handshake::checkServerResponse(response.response, request.request);
        QVERIFY2(checked.ok(), checked.error.constData());
        QCOMPARE(checked.subprotocol, QByteArray("v2.chat"));
        QCOMPARE(checked.extensions, offer.extensions);
    }

    // ---- Origin ----------------------------------------------------------------------------

    void defaultOriginPolicy_data()
    {
        QTest::addColumn<QList<QByteArray>>("origins"); // Origin fields; empty: none
        QTest::addColumn<QList<QByteArray>>("hosts"); // Host fields; empty: none
        QTest::addColumn<Transport>("transport");
        QTest::addColumn<bool>("allowed");
        using L = QList<QByteArray>;
        const auto plain = Transport::Plain;
        const auto tls = Transport::Tls;

        QTest::newRow("no Origin (non-browser client) → allowed")
            << L{} << L{"example.com"} << plain << true;
        QTest::newRow("same origin http://example.com, Host example.com → allowed")
            << L{"http://example.com"} << L{"example.com"} << plain << true;
        QTest::newRow("Origin with explicit :80 → allowed")
            << L{"http://example.com:80"} << L{"example.com"} << plain << true;
        QTest::newRow("Host with explicit :80 → allowed")
            << L{"http://example.com"} << L{"example.com:80"} << plain << true;
        QTest::newRow("hosts compare without case → allowed")
            << L{"http://Example.COM"} << L{"example.com"} << plain << true;
        QTest::newRow("same non-default port → allowed")
            << L{"http://localhost:8080"} << L{"localhost:8080"} << plain << true;
        QTest::newRow("https page on a TLS server → allowed")
            << L{"https://example.com"} << L{"example.com"} << tls << true;
        QTest::newRow("https page, TLS server Host with :443 → allowed")
            << L{"https://example.com"} << L{"example.com:443"} << tls << true;
        QTest::newRow("IPv6 literal, same port → allowed")
            << L{"http://[::1]:8080"} << L{"[::1]:8080"} << plain << true;

        QTest::newRow("page on :3000, server on :8080 → refused")
            << L{"http://localhost:3000"} << L{"localhost:8080"} << plain << false;
        QTest::newRow("Origin with a port, Host with the default → refused")
            << L{"http://example.com:8080"} << L{"example.com"} << plain << false;
        QTest::newRow("another host → refused")
            << L{"http://evil.example"} << L{"example.com"} << plain << false;
        QTest::newRow("Host as a suffix of the Origin's host → refused")
            << L{"http://example.com.evil.test"} << L{"example.com"} << plain << false;
        QTest::newRow("userinfo trick http://example.com@evil.test → refused")
            << L{"http://example.com@evil.test"} << L{"example.com"} << plain << false;
        QTest::newRow("https page on a plain server → refused")
            << L{"https://example.com"} << L{"example.com"} << plain << false;
        QTest::newRow("http page on a TLS server → refused")
            << L{"http://example.com"} << L{"example.com"} << tls << false;
        QTest::newRow("http page with :443 on a TLS server → refused")
            << L{"http://example.com:443"} << L{"example.com"} << tls << false;
        QTest::newRow("Origin: null → refused") << L{"null"} << L{"example.com"} << plain << false;
        QTest::newRow("ws:// Origin → refused")
            << L{"ws://example.com"} << L{"example.com"} << plain << false;
        QTest::newRow("Origin with a path → refused")
            << L{"http://example.com/"} << L{"example.com"} << plain << false;
        QTest::newRow("garbage Origin → refused")
            << L{"not an origin"} << L{"example.com"} << plain << false;
        QTest::newRow("Origin with port 99999 → refused")
            << L{"http://example.com:99999"} << L{"example.com:99999"} << plain << false;
        QTest::newRow("IPv6 literal, other port → refused")
            << L{"http://[::1]:3000"} << L{"[::1]:8080"} << plain << false;
        QTest::newRow("Origin without a Host → refused")
            << L{"http://example.com"} << L{} << plain << false;
        QTest::newRow("two Host headers, the first one matching → refused")
            << L{"http://example.com"} << L{"example.com", "example.com"} << plain << false;
        QTest::newRow("two Origin headers → refused")
            << L{"http://example.com", "http://example.com"} << L{"example.com"} << plain << false;
    }

    void defaultOriginPolicy()
    {
        QFETCH(QList<QByteArray>, origins);
        QFETCH(QList<QByteArray>, hosts);
        QFETCH(Transport, transport);
        QFETCH(bool, allowed);
        Request request = rfcRequest();
        request.headers.remove("Origin");
        request.headers.remove("Host");
        for (const QByteArray &host : hosts)
            request.headers.append("Host", host);
        for (const QByteArray &origin : origins)
            request.headers.append("Origin", origin);
        QCOMPARE(isOriginAllowedByDefault(request, transport), allowed);
    }
};

QTEST_APPLESS_MAIN(tst_Handshake)
#include "tst_handshake.moc"
