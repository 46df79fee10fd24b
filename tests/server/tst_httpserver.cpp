// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/stream_p.h"
#include "testcertificates.h"

#include <QtWs/http/parser.h>
#include <QtWs/http/server.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>

using namespace std::chrono_literals;
using namespace qtws::http;

namespace {

// A raw HTTP/1.1 client on a QTcpSocket: writes bytes exactly as given and reads responses
// with the project's parser (in response mode), so the tests see the wire, not a library's
// interpretation of it. Every wait runs the event loop (the server lives on the same thread)
// and is bounded.
class RawClient
{
public:
    bool connectTo(quint16 port)
    {
        socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
        QElapsedTimer clock;
        clock.start();
        while (socket.state() != QAbstractSocket::ConnectedState && clock.elapsed() < 5000) {
            if (socket.state() == QAbstractSocket::UnconnectedState)
                return false;
            waitForActivity(50);
        }
        return socket.state() == QAbstractSocket::ConnectedState;
    }

    // TLS to 127.0.0.1, verifying the server's certificate for "localhost" against ca.
    bool connectEncrypted(quint16 port, const QSslCertificate &ca)
    {
        QSslConfiguration configuration = socket.sslConfiguration();
        configuration.setCaCertificates({ca});
        socket.setSslConfiguration(configuration);
        QSignalSpy encrypted(&socket, &QSslSocket::encrypted);
        socket.connectToHostEncrypted(
            QStringLiteral("127.0.0.1"), port, QStringLiteral("localhost"));
        return encrypted.wait(10000) && socket.isEncrypted();
    }

    void send(const QByteArray &bytes) { socket.write(bytes); }

    // Runs the event loop until the socket reports data or a disconnect, or ms passed.
    void waitForActivity(int ms)
    {
        QEventLoop loop;
        QObject::connect(&socket, &QIODevice::readyRead, &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QAbstractSocket::disconnected, &loop, &QEventLoop::quit);
        QObject::connect(&socket, &QAbstractSocket::connected, &loop, &QEventLoop::quit);
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        loop.exec();
    }

    // The next complete response, or nullopt (with the reason in error) on a parse error, a
    // close before the response was complete, or after timeoutMs.
    std::optional<Response> readResponse(QByteArrayView method = "GET", int timeoutMs = 5000)
    {
        Parser parser(Parser::Mode::Response);
        parser.setRequestMethod(method);
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            buffer += socket.readAll();
            do {
                buffer.remove(0, parser.feed(buffer));
            } while (parser.state() == Parser::State::HeadComplete);
            if (parser.state() == Parser::State::NeedMore
                && socket.state() == QAbstractSocket::UnconnectedState) {
                buffer += socket.readAll();
                buffer.remove(0, parser.feed(buffer));
                if (parser.state() == Parser::State::NeedMore)
                    parser.finish();
            }
            if (parser.state() == Parser::State::MessageComplete)
                return parser.takeResponse();
            if (parser.state() == Parser::State::Error) {
                error = parser.errorReason();
                return std::nullopt;
            }
            if (socket.state() == QAbstractSocket::UnconnectedState) {
                error = "closed before a complete response";
                return std::nullopt;
            }
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0) {
                error = "no complete response in time";
                return std::nullopt;
            }
            waitForActivity(int(left));
        }
    }

    // True once the server closed the connection (and the client saw it), within timeoutMs.
    bool waitForClosed(int timeoutMs = 5000)
    {
        QElapsedTimer clock;
        clock.start();
        while (socket.state() != QAbstractSocket::UnconnectedState) {
            buffer += socket.readAll();
            const qint64 left = timeoutMs - clock.elapsed();
            if (left <= 0)
                return false;
            waitForActivity(int(left));
        }
        return true;
    }

    QSslSocket socket; // plain TCP unless connectEncrypted()
    QByteArray buffer; // received, not parsed yet
    QByteArray error;
};

QByteArray get(QByteArrayView path, QByteArrayView extra = {})
{
    return "GET " + path.toByteArray() + " HTTP/1.1\r\nHost: t\r\n" + extra.toByteArray() + "\r\n";
}

QByteArray post(QByteArrayView path, QByteArrayView body)
{
    return "POST " + path.toByteArray() + " HTTP/1.1\r\nHost: t\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body.toByteArray();
}

// Answers "<METHOD> <target> <body>" so that each response shows which request it answers.
void echoHandler(Stream &stream)
{
    stream.setHeader("Content-Type", "text/plain");
    const Request &r = stream.request();
    stream.end(QByteArray(r.method + ' ' + r.target + ' ' + r.body));
}

} // namespace

class tst_HttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listensOnLoopbackAndAnyFreePort()
    {
        Server server(echoHandler);
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QVERIFY(server.serverPort() != 0);
        QCOMPARE(server.serverAddress(), QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(server.serverUrl(),
            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())));
        QVERIFY(!server.listen()); // already listening: an error, not a second socket
        QVERIFY(!server.errorString().isEmpty());

        Server clash(echoHandler, {.port = server.serverPort()});
        QVERIFY(!clash.listen());
        QVERIFY(clash.errorString().contains(QString::number(server.serverPort())));
    }

    void simpleGet()
    {
        Server server(echoHandler);
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/hello?x=1"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("GET /hello?x=1 "));
        QCOMPARE(response->headers.value("Content-Length"), QByteArray("15"));
        QCOMPARE(response->headers.value("Content-Type"), QByteArray("text/plain"));
        QVERIFY(response->headers.value("Date").endsWith(" GMT")); // RFC 9110 §6.6.1
        QVERIFY(!response->headers.contains("Transfer-Encoding"));
        QVERIFY(!response->headers.contains("Connection"));
    }

    void keepAliveAnswersTwoRequestsOnOneConnection()
    {
        Server server(echoHandler);
        QVERIFY(server.listen());
        QSignalSpy counts(&server, &Server::connectionCountChanged);
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/one"));
        auto first = client.readResponse();
        QVERIFY2(first, client.error.constData());
        QCOMPARE(first->body, QByteArray("GET /one "));
        client.send(get("/two"));
        auto second = client.readResponse();
        QVERIFY2(second, client.error.constData());
        QCOMPARE(second->body, QByteArray("GET /two "));
        QCOMPARE(client.socket.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(server.connectionCount(), 1);
        QCOMPARE(counts.count(), 1); // one connection opened, none closed
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        // The first response is deferred, the others are immediate: their answers still wait.
        Server server([](Stream &stream) {
            if (stream.request().target == "/slow") {
                QPointer<Stream> later = stream.defer();
                QTimer::singleShot(100, [later] {
                    if (later)
                        echoHandler(*later);
                });
                return;
            }
            echoHandler(stream);
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(post("/slow", "a") + post("/b", "bb") + get("/c") + post("/d", ""));
        const QList<QByteArray> expected = {"POST /slow a", "POST /b bb", "GET /c ", "POST /d "};
        for (const QByteArray &body : expected) {
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->body, body);
        }
        QCOMPARE(client.buffer, QByteArray()); // nothing beyond the four responses
    }

    void largePipelineBeyondTheReadAheadBound()
    {
        // More pipelined bytes than readAheadBytes: the server stops reading while busy and
        // must pick the rest up after each response.
        Server server(echoHandler, {.readAheadBytes = 256});
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        QByteArray all;
        const QByteArray body(100, 'x');
        for (int i = 0; i < 50; ++i)
            all += post(QByteArray("/" + QByteArray::number(i)), body);
        client.send(all);
        for (int i = 0; i < 50; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->body, "POST /" + QByteArray::number(i) + ' ' + body);
        }
    }

    void headSendsHeadersWithoutBody()
    {
        Server server(echoHandler);
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
        const auto head = client.readResponse("HEAD");
        QVERIFY2(head, client.error.constData());
        QCOMPARE(head->status, 200);
        // RFC 9110 §9.3.2: the Content-Length GET would have, and no body.
        QCOMPARE(head->headers.value("Content-Length"), QByteArray("8"));
        QCOMPARE(head->body, QByteArray());
        // Had a body leaked, it would be read as the start of the next response.
        client.send(get("/g"));
        const auto next = client.readResponse();
        QVERIFY2(next, client.error.constData());
        QCOMPARE(next->body, QByteArray("GET /g "));
    }

    void headToAStreamingHandlerSendsNoChunks()
    {
        Server server([](Stream &stream) {
            stream.startWrite();
            QCOMPARE(stream.write("dropped"), qint64(7));
            stream.end();
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\n" + get("/"));
        const auto head = client.readResponse("HEAD");
        QVERIFY2(head, client.error.constData());
        QVERIFY(!head->headers.contains("Transfer-Encoding"));
        const auto next = client.readResponse();
        QVERIFY2(next, client.error.constData());
        QCOMPARE(next->headers.value("Transfer-Encoding"), QByteArray("chunked"));
        QCOMPARE(next->body, QByteArray("dropped"));
    }

    void connectionCloseFromClient()
    {
        Server server(echoHandler);
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        // The request after the one with "close" must not be answered (RFC 9112 §9.6).
        client.send(get("/last", "Connection: close\r\n") + get("/ignored"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->body, QByteArray("GET /last "));
        QCOMPARE(response->headers.value("Connection"), QByteArray("close"));
        QVERIFY(client.waitForClosed());
        QCOMPARE(client.buffer, QByteArray());
        QTRY_COMPARE(server.connectionCount(), 0);
    }

    void connectionCloseFromHandler()
    {
        Server server([](Stream &stream) {
            stream.setHeader("Connection", "close");
            stream.end("bye");
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->body, QByteArray("bye"));
        QVERIFY(client.waitForClosed());
    }

    void http10ClosesUnlessKeepAlive()
    {
        Server server([](Stream &stream) {
            if (stream.request().target == "/stream") {
                stream.startWrite(); // no length, no chunks in 1.0: the close ends the body
                stream.write("part1,");
                stream.write("part2");
            }
            stream.end();
        });
        QVERIFY(server.listen());
        {
            RawClient client;
            QVERIFY(client.connectTo(server.serverPort()));
            client.send("GET / HTTP/1.0\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->versionMinor, 1); // RFC 9110 §6.2: the server's own version
            QCOMPARE(response->headers.value("Connection"), QByteArray("close"));
            QVERIFY(client.waitForClosed());
        }
        {
            RawClient client;
            QVERIFY(client.connectTo(server.serverPort()));
            client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->headers.value("Connection"), QByteArray("keep-alive"));
            QCOMPARE(response->headers.value("Content-Length"), QByteArray("0"));
            client.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            const auto streamed = client.readResponse();
            QVERIFY2(streamed, client.error.constData());
            QVERIFY(!streamed->headers.contains("Transfer-Encoding"));
            QCOMPARE(streamed->headers.value("Connection"), QByteArray("close"));
            QCOMPARE(streamed->body, QByteArray("part1,part2"));
        }
    }

    void chunkedUploadIsReassembled()
    {
        Server server([](Stream &stream) {
            stream.end(QByteArray(QByteArray::number(stream.request().body.size()) + ':'
                + stream.request().body + ':' + stream.request().trailers.value("X-Sum")));
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send("POST /up HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
        client.waitForActivity(20); // the rest arrives in later segments
        client.send("lo\r\n1;ext=1\r\n,\r\n");
        client.waitForActivity(20);
        client.send("6\r\nworld!\r\n0\r\nX-Sum: 12\r\n\r\n");
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->body, QByteArray("12:hello,world!:12"));
    }

    void expectContinueIsAnswered()
    {
        Server server(echoHandler);
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(
            "POST /e HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
        const auto interim = client.readResponse();
        QVERIFY2(interim, client.error.constData());
        QCOMPARE(interim->status, 100); // RFC 9110 §10.1.1, before any body byte was sent
        client.send("body");
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, 200);
        QCOMPARE(response->body, QByteArray("POST /e body"));
    }

    void streamingHandlerUsesChunks()
    {
        Server server([](Stream &stream) {
            stream.setHeader("Content-Type", "text/plain");
            QVERIFY(stream.startWrite());
            QTest::ignoreMessage(
                QtWarningMsg, "Stream::startWrite: the response head was already sent");
            QVERIFY(!stream.startWrite()); // once only
            stream.write("first,");
            QPointer<Stream> later = stream.defer();
            auto *timer = new QTimer(later);
            auto parts = std::make_shared<int>(0);
            connect(timer, &QTimer::timeout, [later, parts] {
                if (!later)
                    return;
                if (++*parts < 4) {
                    later->write(QByteArray("part" + QByteArray::number(*parts) + ','));
                } else {
                    later->write(""); // not a last-chunk: ignored
                    later->end();
                }
            });
            timer->start(10);
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/s") + get("/s"));
        for (int i = 0; i < 2; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->headers.value("Transfer-Encoding"), QByteArray("chunked"));
            QVERIFY(!response->headers.contains("Content-Length"));
            QCOMPARE(response->body, QByteArray("first,part1,part2,part3,"));
        }
    }

    void declaredLengthIsEnforced()
    {
        Server server([](Stream &stream) {
            stream.setHeader("Content-Length", "4");
            QTest::ignoreMessage(QtWarningMsg,
                "Stream::write: dropping 3 bytes beyond the declared Content-Length 4");
            QTest::ignoreMessage(QtWarningMsg, "Stream::write: the stream already ended");
            QCOMPARE(stream.write("abc"), qint64(3));
            QCOMPARE(stream.write("defg"), qint64(1)); // beyond the length: dropped
            stream.end();
            QCOMPARE(stream.write("x"), qint64(-1)); // after end
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/") + get("/"));
        for (int i = 0; i < 2; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->body, QByteArray("abcd"));
        }
    }

    void shortBodyClosesTheConnection()
    {
        Server server([](Stream &stream) {
            stream.setHeader("Content-Length", "10");
            QTest::ignoreMessage(QtWarningMsg,
                "Stream::end: only 3 of 10 declared body bytes were written; closing the "
                "connection");
            stream.write("abc");
            stream.end(); // 7 bytes short: the framing is broken, only a close can end it
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        QVERIFY(!client.readResponse()); // a truncated message, as a client must see it
        QVERIFY(client.socket.state() == QAbstractSocket::UnconnectedState);
    }

    void deferredHandlerEndsLater()
    {
        QPointer<Stream> kept;
        Server server([&kept](Stream &stream) {
            kept = stream.defer();
            QVERIFY(stream.isDeferred());
            QTimer::singleShot(50, [&kept] {
                if (kept)
                    kept->end("late");
            });
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->body, QByteArray("late"));
        QTRY_VERIFY(kept.isNull()); // deleted after it ended
    }

    void deferredStreamLearnsOfADisconnect()
    {
        QPointer<Stream> kept;
        bool disconnected = false;
        Server server([&](Stream &stream) {
            kept = stream.defer();
            connect(&stream, &Stream::disconnected, [&] { disconnected = true; });
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        QTRY_VERIFY(kept);
        QVERIFY(kept->isConnected());
        client.socket.abort();
        QTRY_VERIFY(disconnected);
        QTRY_VERIFY(kept.isNull());
        QTRY_COMPARE(server.connectionCount(), 0);
    }

    void handlerWithoutEndGetsAnEmptyResponse()
    {
        Server server([](Stream &stream) { stream.setStatus(204); });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/") + get("/"));
        for (int i = 0; i < 2; ++i) {
            const auto response = client.readResponse();
            QVERIFY2(response, client.error.constData());
            QCOMPARE(response->status, 204);
            QVERIFY(!response->headers.contains("Content-Length")); // RFC 9110 §8.6
        }
    }

    void handlerExceptionBecomes500()
    {
        Server server([](Stream &) { throw std::runtime_error("boom"); });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        QTest::ignoreMessage(QtWarningMsg, "the request handler threw: boom");
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, 500);
        QVERIFY(client.waitForClosed());
    }

    void parserErrorsGetTheirStatusThenClose_data()
    {
        QTest::addColumn<QByteArray>("request");
        QTest::addColumn<int>("status");
        QTest::addRow("both Content-Length and Transfer-Encoding → 400 (RFC 9112 §6.1)")
            << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
            << 400;
        QTest::addRow("a header section over maxHeaderBytes → 431") << QByteArray(
            "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + QByteArray(4000, 'a') + "\r\n\r\n")
                                                                    << 431;
        QTest::addRow("a body over maxBodyBytes → 413 before the body")
            << QByteArray("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n") << 413;
        QTest::addRow("HTTP/2.0 on an HTTP/1.1 connection → 505")
            << QByteArray("GET / HTTP/2.0\r\nHost: t\r\n\r\n") << 505;
    }

    void parserErrorsGetTheirStatusThenClose()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        bool handled = false;
        Server server(
            [&](Stream &stream) {
                handled = true;
                stream.end();
            },
            {.limits = {.maxHeaderBytes = 2048, .maxBodyBytes = 1024}});
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(request + get("/after"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, status);
        QCOMPARE(response->headers.value("Connection"), QByteArray("close"));
        QVERIFY(!response->body.isEmpty());
        QVERIFY(client.waitForClosed());
        QCOMPARE(client.buffer, QByteArray()); // "/after" was not answered
        QVERIFY(!handled);
    }

    void headerTimeoutCutsOffATricklingClient()
    {
        Server server(echoHandler, {.headerTimeout = 300ms});
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        QElapsedTimer clock;
        clock.start();
        client.send("GET / HTTP/1.1\r\n");
        // One header line every 50 ms: always active, never done (slowloris).
        QTimer trickle;
        int sent = 0;
        connect(&trickle, &QTimer::timeout,
            [&] { client.send(QByteArray("X-" + QByteArray::number(++sent) + ": 1\r\n")); });
        trickle.start(50);
        const auto response = client.readResponse("GET", 10000);
        trickle.stop();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, 408);
        QVERIFY(client.waitForClosed());
        QVERIFY2(clock.elapsed() >= 300, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(sent >= 3); // it was trickling, not idle
    }

    void headerTimeoutClosesASilentConnection()
    {
        Server server(echoHandler, {.headerTimeout = 200ms});
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(client.waitForClosed(10000));
        QVERIFY(clock.elapsed() >= 200);
        QCOMPARE(client.buffer, QByteArray()); // nothing was started: no 408 either
    }

    void idleTimeoutClosesAKeepAliveConnection()
    {
        Server server(echoHandler, {.idleTimeout = 300ms});
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        QVERIFY(client.readResponse());
        QElapsedTimer clock;
        clock.start();
        QVERIFY(client.waitForClosed(10000));
        QVERIFY2(clock.elapsed() >= 250, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(client.buffer, QByteArray());
        QTRY_COMPARE(server.connectionCount(), 0);
    }

    void maxConnectionsAnswers503()
    {
        Server server(echoHandler, {.maxConnections = 1});
        QVERIFY(server.listen());
        RawClient first;
        QVERIFY(first.connectTo(server.serverPort()));
        QTRY_COMPARE(server.connectionCount(), 1);
        RawClient second;
        QVERIFY(second.connectTo(server.serverPort()));
        const auto refused = second.readResponse();
        QVERIFY2(refused, second.error.constData());
        QCOMPARE(refused->status, 503);
        QCOMPARE(refused->headers.value("Connection"), QByteArray("close"));
        QVERIFY(second.waitForClosed());
        QCOMPARE(server.connectionCount(), 1);
        // The first one is served as usual, and its slot is free once it closed.
        first.send(get("/1", "Connection: close\r\n"));
        const auto served = first.readResponse();
        QVERIFY2(served, first.error.constData());
        QCOMPARE(served->status, 200);
        QVERIFY(first.waitForClosed());
        QTRY_COMPARE(server.connectionCount(), 0);
        RawClient third;
        QVERIFY(third.connectTo(server.serverPort()));
        third.send(get("/3"));
        const auto again = third.readResponse();
        QVERIFY2(again, third.error.constData());
        QCOMPARE(again->status, 200);
    }

    void routerAnswers404And405AndHeadForGet()
    {
        StreamRouter router;
        router.route("GET", u"/items/{id}", [](Stream &stream, const RouteMatch &match) {
            stream.end(QByteArray("item " + match.param(u"id").toUtf8()));
        });
        router.route("POST", u"/items", [](Stream &stream, const RouteMatch &) {
            stream.setStatus(201);
            stream.end(stream.request().body);
        });
        Server server(routerHandler(std::move(router)));
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));

        client.send(get("/items/42"));
        auto found = client.readResponse();
        QVERIFY2(found, client.error.constData());
        QCOMPARE(found->status, 200);
        QCOMPARE(found->body, QByteArray("item 42"));

        client.send(get("/nothing/here"));
        auto missing = client.readResponse();
        QVERIFY2(missing, client.error.constData());
        QCOMPARE(missing->status, 404);

        client.send("DELETE /items/42 HTTP/1.1\r\nHost: t\r\n\r\n");
        auto wrongMethod = client.readResponse();
        QVERIFY2(wrongMethod, client.error.constData());
        QCOMPARE(wrongMethod->status, 405);
        QCOMPARE(wrongMethod->headers.value("Allow"), QByteArray("GET, HEAD"));

        client.send(post("/items", "new"));
        auto created = client.readResponse();
        QVERIFY2(created, client.error.constData());
        QCOMPARE(created->status, 201);
        QCOMPARE(created->body, QByteArray("new"));

        client.send("HEAD /items/7 HTTP/1.1\r\nHost: t\r\n\r\n");
        auto head = client.readResponse("HEAD");
        QVERIFY2(head, client.error.constData());
        QCOMPARE(head->status, 200);
        QCOMPARE(head->headers.value("Content-Length"), QByteArray("6"));
        QCOMPARE(head->body, QByteArray());

        client.send(get("/items/8")); // the connection is still in sync after the HEAD
        auto after = client.readResponse();
        QVERIFY2(after, client.error.constData());
        QCOMPARE(after->body, QByteArray("item 8"));
    }

    void detachHandsOverTheSocketAndEarlyBytes()
    {
        std::unique_ptr<QAbstractSocket> taken;
        QByteArray leftover;
        Server server([&](Stream &stream) {
            if (stream.request().target != "/upgrade")
                return echoHandler(stream);
            DetachedSocket detached = detachSocket(stream);
            QVERIFY2(detached.isValid(), qPrintable(detached.errorString));
            QVERIFY(!detached.encrypted);
            QVERIFY(!stream.isConnected());
            leftover = detached.leftover;
            taken = std::move(detached.socket);
            // A second attempt, and writing the response, are refused.
            QVERIFY(!detachSocket(stream).isValid());
            QTest::ignoreMessage(
                QtWarningMsg, "Stream::write: the connection was handed over by an upgrade");
            QCOMPARE(stream.write("x"), qint64(-1));
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        // An earlier request on the connection, then the upgrade and early "frames".
        client.send(get("/before")
            + get("/upgrade", "Upgrade: websocket\r\nConnection: Upgrade\r\n") + "EARLY-BYTES");
        const auto before = client.readResponse();
        QVERIFY2(before, client.error.constData());
        QCOMPARE(before->body, QByteArray("GET /before "));
        QTRY_VERIFY(taken);
        QCOMPARE(leftover, QByteArray("EARLY-BYTES"));
        QVERIFY(taken->parent() == nullptr);
        QCOMPARE(server.connectionCount(), 1); // still counted

        // The new owner speaks on the socket; the server no longer interferes.
        taken->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nhello");
        const auto switched = client.readResponse();
        QVERIFY2(switched, client.error.constData());
        QCOMPARE(switched->status, 101);
        QTRY_COMPARE(client.buffer, QByteArray("hello"));
        client.send("more");
        QTRY_COMPARE(taken->bytesAvailable(), qint64(4));
        QCOMPARE(taken->readAll(), QByteArray("more"));

        QSignalSpy counts(&server, &Server::connectionCountChanged);
        taken.reset(); // closes it
        QCOMPARE(server.connectionCount(), 0);
        QCOMPARE(counts.count(), 1);
    }

    void detachIsRefusedAfterTheResponseStarted()
    {
        QString error;
        Server server([&](Stream &stream) {
            stream.startWrite();
            DetachedSocket detached = detachSocket(stream);
            QVERIFY(!detached.isValid());
            error = detached.errorString;
            stream.end();
        });
        QVERIFY(server.listen());
        RawClient client;
        QVERIFY(client.connectTo(server.serverPort()));
        client.send(get("/"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->status, 200);
        QCOMPARE(error, QStringLiteral("stream cannot be upgraded: response already started"));
    }

    void tlsConnectionsAreServedAndHandedOverEncrypted()
    {
        const qtws::test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);

        bool sawEncrypted = false;
        DetachedSocket detached;
        Server server(
            [&](Stream &stream) {
                sawEncrypted = stream.isEncrypted();
                if (stream.request().target == "/upgrade")
                    detached = detachSocket(stream);
                else
                    stream.end("secret");
            },
            {.tls = tls});
        QVERIFY(server.listen());
        QCOMPARE(server.serverUrl().scheme(), QStringLiteral("https"));

        RawClient client;
        QVERIFY2(client.connectEncrypted(server.serverPort(), certificates.ca().certificate),
            qPrintable(client.socket.errorString()));
        client.send(get("/"));
        const auto response = client.readResponse();
        QVERIFY2(response, client.error.constData());
        QCOMPARE(response->body, QByteArray("secret"));
        QVERIFY(sawEncrypted);

        sawEncrypted = false;
        client.send(get("/upgrade") + "early");
        QTRY_VERIFY(detached.isValid());
        QVERIFY(sawEncrypted);
        QVERIFY(detached.encrypted);
        QVERIFY(qobject_cast<QSslSocket *>(detached.socket.get()));
        QCOMPARE(detached.leftover, QByteArray("early")); // decrypted
        detached.socket->write("through the new owner");
        QTRY_COMPARE(client.buffer += client.socket.readAll(), QByteArray("through the new owner"));
    }

    void tlsHandshakeCountsAgainstTheHeaderTimeout()
    {
        const qtws::test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);
        Server server(echoHandler, {.tls = tls, .headerTimeout = 200ms});
        QVERIFY(server.listen());
        RawClient client; // plain TCP: never starts the TLS handshake
        QVERIFY(client.connectTo(server.serverPort()));
        QElapsedTimer clock;
        clock.start();
        QVERIFY(client.waitForClosed(10000));
        QVERIFY(clock.elapsed() >= 200);
        QTRY_COMPARE(server.connectionCount(), 0);
    }

    void closeLetsInFlightResponsesFinish()
    {
        QPointer<Stream> kept;
        Server server([&](Stream &stream) { kept = stream.defer(); });
        QVERIFY(server.listen());
        RawClient busy, idle;
        QVERIFY(busy.connectTo(server.serverPort()));
        QVERIFY(idle.connectTo(server.serverPort()));
        busy.send(get("/"));
        QTRY_VERIFY(kept);
        QTRY_COMPARE(server.connectionCount(), 2);
        QSignalSpy closed(&server, &Server::closed);
        server.close();
        QVERIFY(!server.isListening());
        QVERIFY(idle.waitForClosed()); // idle between requests: closed now
        QVERIFY(busy.socket.state() == QAbstractSocket::ConnectedState);
        kept->end("done");
        const auto response = busy.readResponse();
        QVERIFY2(response, busy.error.constData());
        QCOMPARE(response->body, QByteArray("done"));
        QCOMPARE(response->headers.value("Connection"), QByteArray("close"));
        QVERIFY(busy.waitForClosed());
        QVERIFY(closed.wait(5000) || closed.count() == 1);
        QCOMPARE(closed.count(), 1);
        QVERIFY(!server.listen()); // closed for good
    }
};

QTEST_GUILESS_MAIN(tst_HttpServer)
#include "tst_httpserver.moc"
