// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// One http::Server on one port, with a Router: static files (http::StaticFiles over a
// QTemporaryDir) on GET /…, a JSON answer on GET /api, the sha256 of the body on POST /upload,
// and WebSocket echo on /ws (qtws::upgrade). Real clients on 127.0.0.1: curl (keep-alive, HEAD,
// a chunked upload, ETag and 304, a Range), a raw socket pipelining, python3-websockets and
// npm ws upgrading on /ws while curl requests run; then the same through Debian's nginx as a
// reverse proxy in front of both.

#include "../../examples/echo-server/echo.h"
#include "peerprocess.h"
#include "peerscript.h"

#include <QtWs/http/server.h>
#include <QtWs/http/staticfiles.h>
#include <QtWs/upgrade.h>
#include <QtWs/websocket.h>

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

#include <unistd.h>

#ifndef QTWS_TEST_CURL
#define QTWS_TEST_CURL "curl"
#endif
#ifndef QTWS_TEST_NGINX
#define QTWS_TEST_NGINX "/usr/sbin/nginx"
#endif

using namespace qtws;
using namespace qtws::test;
using namespace std::chrono_literals;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QByteArray sha256Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex();
}

void sendResponse(http::Stream &stream, const http::Response &response)
{
    stream.setStatus(response.status, response.reason);
    for (const auto &[name, value] : response.headers)
        stream.addHeader(name, value);
    stream.end(response.body);
}

// The server under test, its files and what it saw.
class SamePortServer
{
public:
    SamePortServer()
    {
        QVERIFY(dir.isValid());
        index = "<!doctype html><title>qtws</title><p>same port</p>\n";
        for (int i = 0; big.size() < 200 * 1024; ++i)
            big += QByteArray::number(i) + ' ';
        writeFile(s("index.html"), index);
        writeFile(s("big.txt"), big);

        auto files = std::make_shared<const http::StaticFiles>(dir.path());
        http::StreamRouter router;
        router.route("GET", u"/api", [this](http::Stream &stream, const http::RouteMatch &) {
            note(stream);
            stream.setHeader("Content-Type", "application/json");
            stream.end(QByteArrayView(R"({"service":"qtws","answer":42})"));
        });
        router.route("POST", u"/upload", [this](http::Stream &stream, const http::RouteMatch &) {
            note(stream);
            uploadTransferEncoding = stream.request().headers.value("Transfer-Encoding");
            const QByteArray &body = stream.request().body;
            stream.setHeader("Content-Type", "text/plain");
            stream.end(QByteArray(QByteArray::number(body.size()) + ' ' + sha256Hex(body)));
        });
        router.route("GET", u"/ws", [this](http::Stream &stream, const http::RouteMatch &) {
            note(stream);
            const bool upgraded = upgrade(
                stream,
                [this](WebSocket *ws) {
                    sockets.append(ws);
                    echo::handleConnection(ws);
                },
                upgradeOptions);
            (upgraded ? upgrades : refusedUpgrades) += 1;
        });
        router.route(
            "GET", u"/{path*}", [this, files](http::Stream &stream, const http::RouteMatch &match) {
                note(stream);
                sendResponse(stream, files->serve(stream.request(), match.rest));
            });
        server = std::make_unique<http::Server>(http::routerHandler(std::move(router)));
        QVERIFY2(server->listen(), qPrintable(server->errorString()));
    }

    ~SamePortServer()
    {
        // Server-side WebSockets free themselves after closed(), from the event loop; a test may
        // end before that.
        for (const QPointer<WebSocket> &ws : std::as_const(sockets))
            delete ws.data();
    }

    QString url(const QString &path) const { return server->serverUrl().toString() + path; }
    quint16 port() const { return server->serverPort(); }

    void writeFile(const QString &name, const QByteArray &bytes)
    {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes), bytes.size());
    }

    void note(const http::Stream &stream)
    {
        requests.append(stream.request().method + ' ' + stream.request().target);
        clientPorts.insert(stream.peerPort());
    }

    QTemporaryDir dir;
    QByteArray index, big;
    std::unique_ptr<http::Server> server;
    QList<QByteArray> requests; // "METHOD target", in arrival order
    QSet<quint16> clientPorts;
    QByteArray uploadTransferEncoding;
    UpgradeOptions upgradeOptions; // read at each upgrade
    int upgrades = 0;
    int refusedUpgrades = 0;
    QList<QPointer<WebSocket>> sockets;
};

// curl as a child process: started at once, waited for with the event loop running (the
// server is on this thread).
class Curl
{
public:
    explicit Curl(const QStringList &arguments)
    {
        // -sS: no progress meter but errors; --max-time bounds curl itself; --noproxy: never an
        // environment proxy for 127.0.0.1.
        process.start(s(QTWS_TEST_CURL),
            QStringList{s("-sS"), s("--max-time"), s("20"), s("--noproxy"), s("*")} + arguments);
    }
    ~Curl()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    // True when curl exited 0 within the timeout; out and err are then complete.
    bool finish(std::chrono::milliseconds timeout = 30s)
    {
        if (process.state() != QProcess::NotRunning)
            std::ignore = QTest::qWaitFor(
                [this] { return process.state() == QProcess::NotRunning; }, int(timeout.count()));
        out += process.readAllStandardOutput();
        err += process.readAllStandardError();
        return process.state() == QProcess::NotRunning
            && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    }

    QString diagnostics() const
    {
        return QStringLiteral("curl %1: exit %2 (%3)\nstdout: %4\nstderr: %5")
            .arg(process.arguments().join(u' '))
            .arg(process.exitCode())
            .arg(process.errorString(), QString::fromUtf8(out.left(2000)),
                QString::fromUtf8(err.left(4000)));
    }

    QProcess process;
    QByteArray out;
    QByteArray err;
};

// A response head as curl prints it with -D/-I: the status and the fields (names lowercase).
struct Head
{
    int status = 0;
    QHash<QByteArray, QByteArray> fields;
};

// The last response head in text (curl -D - prints every head: 100 Continue, redirects).
Head lastHead(const QByteArray &text)
{
    Head head;
    for (const QByteArray &line : text.split('\n')) {
        const QByteArray trimmed = line.trimmed();
        if (trimmed.startsWith("HTTP/")) {
            head = {};
            head.status = trimmed.split(' ').value(1).toInt();
        } else if (const qsizetype colon = trimmed.indexOf(':'); colon > 0) {
            head.fields.insert(trimmed.left(colon).toLower(), trimmed.mid(colon + 1).trimmed());
        }
    }
    return head;
}

// What the HTTP tests run against: the server directly, or nginx in front of it.
struct Target
{
    QString base; // http://127.0.0.1:PORT
    QString url(const QString &path) const { return base + path; }
    QUrl wsUrl(const QString &path) const
    {
        QUrl result(base + path);
        result.setScheme(s("ws"));
        return result;
    }
};

// Debian's nginx as a foreground reverse proxy in a temporary prefix: `location /` proxies HTTP
// (with upstream keep-alive), `location /ws` the WebSocket upgrade.
class Nginx
{
public:
    static QString unavailableReason()
    {
        if (!QFileInfo(s(QTWS_TEST_NGINX)).isExecutable())
            return QStringLiteral("no nginx at %1 (scripts/install-deps.sh installs nginx-light)")
                .arg(s(QTWS_TEST_NGINX));
        return {};
    }

    ~Nginx() { stop(); }

    // Starts nginx on a free port in front of 127.0.0.1:upstream and waits until it accepts
    // connections. nginx cannot bind port 0: a port is taken from a QTcpServer bound to port 0,
    // released, and handed over; if something else took it meanwhile, another one is tried.
    bool start(quint16 upstream)
    {
        if (!dir.isValid()) {
            error = s("no temporary directory");
            return false;
        }
        for (int attempt = 0; attempt < 5; ++attempt) {
            QTcpServer probe;
            if (!probe.listen(QHostAddress::LocalHost, 0)) {
                error = probe.errorString();
                return false;
            }
            port = probe.serverPort();
            probe.close();
            if (!writeConfig(upstream))
                return false;
            process.setProcessChannelMode(QProcess::MergedChannels);
            process.start(s(QTWS_TEST_NGINX),
                {s("-p"), dir.path() + u'/', s("-c"), dir.filePath(s("nginx.conf")), s("-e"),
                    s("stderr"), s("-g"), s("daemon off;")});
            if (!process.waitForStarted(10000)) {
                error = process.errorString();
                return false;
            }
            // Ready when it accepts a connection; or it exited (e.g. the port was taken).
            const bool ready = QTest::qWaitFor(
                [this] {
                    if (process.state() == QProcess::NotRunning)
                        return true;
                    QTcpSocket socket;
                    socket.connectToHost(QHostAddress::LocalHost, port);
                    return socket.waitForConnected(200);
                },
                10000);
            output += process.readAll();
            if (ready && process.state() == QProcess::Running)
                return true;
            if (process.state() == QProcess::Running) {
                error = s("nginx did not accept connections within 10 s");
                return false;
            }
            process.waitForFinished(1000);
            output += process.readAll();
            if (!output.contains("Address already in use")) {
                error = QStringLiteral("nginx exited with %1").arg(process.exitCode());
                return false;
            }
        }
        error = s("no free port for nginx after 5 attempts");
        return false;
    }

    void stop()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate(); // SIGTERM: nginx's fast shutdown
        if (!process.waitForFinished(5000)) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    QString diagnostics()
    {
        output += process.readAll();
        return QStringLiteral("nginx on port %1: %2\n%3")
            .arg(port)
            .arg(error, QString::fromUtf8(output.right(4000)));
    }

    quint16 port = 0;

private:
    bool writeConfig(quint16 upstream)
    {
        const QString prefix = dir.path();
        // As root, nginx would run its workers as nobody, who cannot enter the temporary
        // directory (0700); run them as the current user instead.
        const QString user = ::geteuid() == 0 ? s("user root;\n") : QString();
        const QString config = user
            + QStringLiteral(R"(worker_processes 1;
pid %1/nginx.pid;
error_log stderr warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path %1/client_body;
    proxy_temp_path %1/proxy;
    fastcgi_temp_path %1/fastcgi;
    uwsgi_temp_path %1/uwsgi;
    scgi_temp_path %1/scgi;
    upstream qtws {
        server 127.0.0.1:%2;
        keepalive 8;
    }
    server {
        listen 127.0.0.1:%3;
        client_max_body_size 16m;
        location / {
            proxy_pass http://qtws;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
        }
        location /ws {
            proxy_pass http://qtws;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 60s;
        }
    }
}
)")
                  .arg(prefix)
                  .arg(upstream)
                  .arg(port);
        QFile file(dir.filePath(s("nginx.conf")));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            error = file.errorString();
            return false;
        }
        file.write(config.toUtf8());
        return true;
    }

    QTemporaryDir dir;
    QProcess process;
    QByteArray output;
    QString error;
};

// A python or node peer client with an echo script of varied messages.
PeerScript echoScript(const QString &tag)
{
    PeerScript script;
    script.sendText(s("hello from ") + tag).expectText(s("hello from ") + tag);
    script.sendText(s("h\u00e9llo w\u00f6rld \u2713 \U0001F30D"))
        .expectText(s("h\u00e9llo w\u00f6rld \u2713 \U0001F30D"));
    script.sendBinary(70000).expectBinary(70000);
    script.sendText(126).expectText(126);
    script.close(4001, tag + s(" done"));
    return script;
}

} // namespace

class tst_SamePort : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepAlive();
    void head();
    void chunkedUpload();
    void staticFileEtagAnd304();
    void rangeGets206();
    void pipelining();
    void handshakeRefusals();
    void webSocketsAndCurlOnOnePort();
    void nginxInFront();
};

// Two URLs in one curl invocation: the second one reuses the first connection
// (num_connects 1, then 0), and the server saw both requests from one client port.
void tst_SamePort::keepAlive()
{
    SamePortServer server;
    QTemporaryDir out;
    QVERIFY(out.isValid());
    Curl curl({s("-w"), s("%{http_code}:%{num_connects} "), s("-o"), out.filePath(s("a")),
        server.url(s("/api")), s("-o"), out.filePath(s("b")), server.url(s("/"))});
    QVERIFY2(curl.finish(), qPrintable(curl.diagnostics()));
    QCOMPARE(curl.out, QByteArray("200:1 200:0 "));
    QFile a(out.filePath(s("a"))), b(out.filePath(s("b")));
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(a.readAll()).object().value(u"answer").toInt(), 42);
    QCOMPARE(b.readAll(), server.index);
    QCOMPARE(server.requests, (QList<QByteArray>{"GET /api", "GET /"}));
    QCOMPARE(server.clientPorts.size(), 1);
}

// HEAD on a static file and on a handler's route: the head GET would get, no body.
void tst_SamePort::head()
{
    SamePortServer server;
    Curl curl({s("-I"), server.url(s("/big.txt")), server.url(s("/api"))});
    QVERIFY2(curl.finish(), qPrintable(curl.diagnostics()));
    // Two heads, nothing else: curl would print a body after the blank line.
    const QList<QByteArray> heads = curl.out.split('\n');
    const qsizetype statusLines = std::count_if(heads.begin(), heads.end(),
        [](const QByteArray &l) { return l.startsWith("HTTP/1.1 200"); });
    QCOMPARE(statusLines, 2);
    QVERIFY2(curl.out.endsWith("\r\n\r\n"), curl.out.constData());
    const qsizetype second = curl.out.indexOf("HTTP/1.1", 1);
    const Head file = lastHead(curl.out.left(second));
    QCOMPARE(file.status, 200);
    QCOMPARE(file.fields.value("content-length"), QByteArray::number(server.big.size()));
    QVERIFY(!file.fields.value("etag").isEmpty());
    QCOMPARE(file.fields.value("accept-ranges"), QByteArray("bytes"));
    const Head api = lastHead(curl.out.mid(second));
    QCOMPARE(api.fields.value("content-type"), QByteArray("application/json"));
    QCOMPARE(api.fields.value("content-length"), QByteArray("30"));
    QVERIFY2(!curl.out.contains("answer"), curl.out.constData());
    QCOMPARE(server.requests, (QList<QByteArray>{"HEAD /big.txt", "HEAD /api"}));
    QCOMPARE(server.clientPorts.size(), 1); // a HEAD with Content-Length keeps the connection
}

// A chunked upload of 300 KiB (curl sends it in chunks when told Transfer-Encoding: chunked)
// reaches the route whole: it answers the size and sha256 of the body it got.
void tst_SamePort::chunkedUpload()
{
    SamePortServer server;
    QByteArray payload;
    for (int i = 0; payload.size() < 300 * 1024; ++i)
        payload += QByteArray::number(i * 7919) + ',';
    server.writeFile(s("upload.bin"), payload);
    Curl curl({s("-H"), s("Transfer-Encoding: chunked"), s("--data-binary"),
        u'@' + server.dir.filePath(s("upload.bin")), server.url(s("/upload"))});
    QVERIFY2(curl.finish(), qPrintable(curl.diagnostics()));
    QCOMPARE(server.uploadTransferEncoding, QByteArray("chunked"));
    QCOMPARE(curl.out, QByteArray::number(payload.size()) + ' ' + sha256Hex(payload));
}

// A static file, then the same with If-None-Match and the ETag of the first response: 304
// without a body; a stale ETag gets the file again.
void tst_SamePort::staticFileEtagAnd304()
{
    SamePortServer server;
    Curl first({s("-D"), s("-"), server.url(s("/big.txt"))});
    QVERIFY2(first.finish(), qPrintable(first.diagnostics()));
    const qsizetype bodyStart = first.out.indexOf("\r\n\r\n") + 4;
    QVERIFY(bodyStart > 4);
    const Head head = lastHead(first.out.left(bodyStart));
    QCOMPARE(head.status, 200);
    QCOMPARE(first.out.mid(bodyStart), server.big);
    const QByteArray etag = head.fields.value("etag");
    QVERIFY2(etag.startsWith('"') && etag.endsWith('"'), etag.constData());
    QVERIFY(!head.fields.value("last-modified").isEmpty());

    Curl again({s("-D"), s("-"), s("-H"), s("If-None-Match: ") + QString::fromLatin1(etag),
        server.url(s("/big.txt"))});
    QVERIFY2(again.finish(), qPrintable(again.diagnostics()));
    QVERIFY2(again.out.startsWith("HTTP/1.1 304 Not Modified\r\n"), again.out.constData());
    QVERIFY2(again.out.endsWith("\r\n\r\n"), again.out.constData()); // no body
    QCOMPARE(lastHead(again.out).fields.value("etag"), etag);

    Curl ifModified({s("-w"), s("%{http_code}"), s("-o"), s("/dev/null"), s("-H"),
        s("If-Modified-Since: ") + QString::fromLatin1(head.fields.value("last-modified")),
        server.url(s("/big.txt"))});
    QVERIFY2(ifModified.finish(), qPrintable(ifModified.diagnostics()));
    QCOMPARE(ifModified.out, QByteArray("304"));

    Curl stale({s("-w"), s("%{http_code} %{size_download}"), s("-o"), s("/dev/null"), s("-H"),
        s("If-None-Match: \"stale\""), server.url(s("/big.txt"))});
    QVERIFY2(stale.finish(), qPrintable(stale.diagnostics()));
    QCOMPARE(stale.out, "200 " + QByteArray::number(server.big.size()));
}

// A byte range: 206 with Content-Range and exactly those bytes; one beyond the end: 416.
void tst_SamePort::rangeGets206()
{
    SamePortServer server;
    Curl curl({s("-D"), s("-"), s("-r"), s("1000-1999"), server.url(s("/big.txt"))});
    QVERIFY2(curl.finish(), qPrintable(curl.diagnostics()));
    const qsizetype bodyStart = curl.out.indexOf("\r\n\r\n") + 4;
    const Head head = lastHead(curl.out.left(bodyStart));
    QCOMPARE(head.status, 206);
    QCOMPARE(head.fields.value("content-range"),
        "bytes 1000-1999/" + QByteArray::number(server.big.size()));
    QCOMPARE(curl.out.mid(bodyStart), server.big.mid(1000, 1000));

    Curl beyond({s("-w"), s("%{http_code}"), s("-o"), s("/dev/null"), s("-r"),
        QStringLiteral("%1-").arg(server.big.size() + 10), server.url(s("/big.txt"))});
    QVERIFY2(beyond.finish(), qPrintable(beyond.diagnostics()));
    QCOMPARE(beyond.out, QByteArray("416"));
}

// curl cannot pipeline: a raw socket writes three requests at once, the last one a WebSocket
// upgrade. The two HTTP responses come back in order, then the 101, and the socket speaks
// WebSocket after it (tst_httpserver pipelines plain requests to one handler).
void tst_SamePort::pipelining()
{
    SamePortServer server;
    server.upgradeOptions.closeTimeout = 300ms;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "HEAD /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    QByteArray received;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     received += socket.readAll();
                     return received.count("\r\n\r\n") >= 3
                         || socket.state() != QAbstractSocket::ConnectedState;
                 },
                 10000),
        received.constData());
    // The status lines, in order (a body is not followed by a line break).
    QList<QByteArray> statusLines;
    const QRegularExpression statusLine(s("HTTP/1\\.1 \\d{3} [^\\r]*"));
    for (auto it = statusLine.globalMatch(QString::fromLatin1(received)); it.hasNext();)
        statusLines.append(it.next().captured().toLatin1());
    QCOMPARE(statusLines,
        (QList<QByteArray>{
            "HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 101 Switching Protocols"}));
    QVERIFY2(received.contains(R"({"service":"qtws","answer":42})"), received.constData());
    QVERIFY2(received.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), received.constData()); // RFC 6455
    QCOMPARE(server.requests, (QList<QByteArray>{"GET /api", "HEAD /index.html", "GET /ws"}));
    QCOMPARE(server.upgrades, 1);

    // A masked text frame "hi" (mask 0x01020304) is echoed unmasked.
    const QByteArray afterHeads = received.mid(received.lastIndexOf("\r\n\r\n") + 4);
    received = afterHeads;
    socket.write(QByteArray::fromHex("818201020304") + QByteArray("\x69\x6b", 2));
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     received += socket.readAll();
                     return received.size() >= 4;
                 },
                 10000),
        received.toHex().constData());
    QCOMPARE(received, QByteArray::fromHex("81026869"));

    // The server closes; this peer never answers the close: the server drops it after its close
    // timeout, and reports 1006 (no close frame received).
    QCOMPARE(server.sockets.size(), 1);
    QPointer<WebSocket> ws = server.sockets.first();
    QVERIFY(ws);
    QSignalSpy closed(ws.data(), &WebSocket::closed);
    QElapsedTimer clock;
    clock.start();
    ws->close(CloseCode(4002), s("bye"));
    received.clear();
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     received += socket.readAll();
                     return socket.state() == QAbstractSocket::UnconnectedState;
                 },
                 10000),
        received.toHex().constData());
    const qint64 elapsed = clock.elapsed();
    // The close frame: FIN + close, 5 bytes (4002 and "bye"), unmasked.
    QCOMPARE(received, QByteArray::fromHex("8805") + QByteArray::fromHex("0fa2") + "bye");
    QVERIFY2(elapsed >= 250 && elapsed < 5000, qPrintable(QString::number(elapsed)));
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, 5000);
    QCOMPARE(closed.at(0).at(0).toInt(), 1006);
}

// Handshakes on /ws that the server refuses, as curl sends them: a plain GET gets 426 with
// Upgrade: websocket; a WebSocket handshake from a foreign Origin gets 403 (RFC 6455 §10.2).
// (The same handshake without an Origin or from the server's own origin is accepted:
// tst_upgrade, and the python and node clients below.)
void tst_SamePort::handshakeRefusals()
{
    SamePortServer server;
    Curl plain({s("-i"), server.url(s("/ws"))});
    QVERIFY2(plain.finish(), qPrintable(plain.diagnostics()));
    QVERIFY2(plain.out.startsWith("HTTP/1.1 426 "), plain.out.constData());
    QCOMPARE(lastHead(plain.out.left(plain.out.indexOf("\r\n\r\n"))).fields.value("upgrade"),
        QByteArray("websocket"));

    const QStringList handshake{s("-H"), s("Connection: Upgrade"), s("-H"), s("Upgrade: websocket"),
        s("-H"), s("Sec-WebSocket-Version: 13"), s("-H"),
        s("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")};
    Curl foreign(QStringList{s("-i"), s("-H"), s("Origin: http://evil.example")} + handshake
        + QStringList{server.url(s("/ws"))});
    QVERIFY2(foreign.finish(), qPrintable(foreign.diagnostics()));
    QVERIFY2(foreign.out.startsWith("HTTP/1.1 403 "), foreign.out.constData());

    QCOMPARE(server.upgrades, 0);
    QCOMPARE(server.refusedUpgrades, 2);
}

// python3-websockets and npm ws clients upgrade on /ws of the port that serves HTTP, while curl
// fetches the page, the API and a chunked upload at the same time.
void tst_SamePort::webSocketsAndCurlOnOnePort()
{
    for (PeerKind kind : {PeerKind::Python, PeerKind::Node})
        if (const QString why = PeerProcess::unavailableReason(kind); !why.isEmpty())
            QFAIL(qPrintable(why));
    SamePortServer server;
    const Target target{server.server->serverUrl().toString(QUrl::StripTrailingSlash)};

    PeerProcess python(PeerKind::Python), node(PeerKind::Node);
    QVERIFY2(python.startClient(
                 target.wsUrl(s("/ws")), {s("--script"), echoScript(s("python")).toJson()}),
        qPrintable(python.diagnostics()));
    QVERIFY2(
        node.startClient(target.wsUrl(s("/ws")), {s("--script"), echoScript(s("node")).toJson()}),
        qPrintable(node.diagnostics()));
    QByteArray payload(100 * 1024, 'u');
    server.writeFile(s("upload.bin"), payload);
    Curl pages({s("-w"), s(" %{http_code}"), target.url(s("/")), target.url(s("/api"))});
    Curl upload({s("-H"), s("Transfer-Encoding: chunked"), s("--data-binary"),
        u'@' + server.dir.filePath(s("upload.bin")), target.url(s("/upload"))});
    Curl big({s("-o"), s("/dev/null"), s("-w"), s("%{http_code} %{size_download}"),
        target.url(s("/big.txt"))});

    QVERIFY2(pages.finish(), qPrintable(pages.diagnostics()));
    QVERIFY2(upload.finish(), qPrintable(upload.diagnostics()));
    QVERIFY2(big.finish(), qPrintable(big.diagnostics()));
    QVERIFY2(python.waitForFinished(), qPrintable(python.diagnostics()));
    QVERIFY2(node.waitForFinished(), qPrintable(node.diagnostics()));

    QCOMPARE(pages.out, server.index + " 200" + R"({"service":"qtws","answer":42})" + " 200");
    QCOMPARE(upload.out, QByteArray::number(payload.size()) + ' ' + sha256Hex(payload));
    QCOMPARE(big.out, "200 " + QByteArray::number(server.big.size()));
    for (PeerProcess *peer : {&python, &node}) {
        QVERIFY2(peer->exitCode() == 0, qPrintable(peer->diagnostics()));
        QCOMPARE(peer->events(s("open")).value(0).value(u"path").toString(), s("/ws"));
        QCOMPARE(peer->events(s("text")).size(), 3);
        QCOMPARE(peer->events(s("binary")).size(), 1);
        QCOMPARE(peer->events(s("close")).value(0).value(u"code").toInt(), 4001);
    }
    QCOMPARE(server.upgrades, 2);
    QCOMPARE(server.refusedUpgrades, 0);
}

// nginx (Debian) as a reverse proxy in front of the same server: curl through it for the HTTP
// routes (GET, HEAD, 304, Range, a chunked upload), python3-websockets and npm ws through it on
// /ws (the Upgrade and Connection fields set by the proxy_set_header lines).
void tst_SamePort::nginxInFront()
{
    if (const QString why = Nginx::unavailableReason(); !why.isEmpty())
        QFAIL(qPrintable(why)); // label interop: scripts/install-deps.sh installs it
    for (PeerKind kind : {PeerKind::Python, PeerKind::Node})
        if (const QString why = PeerProcess::unavailableReason(kind); !why.isEmpty())
            QFAIL(qPrintable(why));
    SamePortServer server;
    Nginx nginx;
    QVERIFY2(nginx.start(server.port()), qPrintable(nginx.diagnostics()));
    const Target target{QStringLiteral("http://127.0.0.1:%1").arg(nginx.port)};

    PeerProcess python(PeerKind::Python), node(PeerKind::Node);
    QVERIFY2(python.startClient(
                 target.wsUrl(s("/ws")), {s("--script"), echoScript(s("python")).toJson()}),
        qPrintable(python.diagnostics()));
    QVERIFY2(
        node.startClient(target.wsUrl(s("/ws")), {s("--script"), echoScript(s("node")).toJson()}),
        qPrintable(node.diagnostics()));

    Curl pages(
        {s("-D"), s("-"), s("-w"), s(" %{http_code}"), target.url(s("/")), target.url(s("/api"))});
    QByteArray payload;
    for (int i = 0; payload.size() < 200 * 1024; ++i)
        payload += QByteArray::number(i) + ';';
    server.writeFile(s("upload.bin"), payload);
    Curl upload({s("-H"), s("Transfer-Encoding: chunked"), s("--data-binary"),
        u'@' + server.dir.filePath(s("upload.bin")), target.url(s("/upload"))});
    Curl head({s("-I"), target.url(s("/big.txt"))});
    Curl range({s("-w"), s(" %{http_code}"), s("-r"), s("10-19"), target.url(s("/big.txt"))});

    QVERIFY2(pages.finish(), qPrintable(pages.diagnostics() + nginx.diagnostics()));
    QVERIFY2(upload.finish(), qPrintable(upload.diagnostics() + nginx.diagnostics()));
    QVERIFY2(head.finish(), qPrintable(head.diagnostics() + nginx.diagnostics()));
    QVERIFY2(range.finish(), qPrintable(range.diagnostics() + nginx.diagnostics()));

    QVERIFY2(pages.out.contains(QByteArray(server.index + " 200")), pages.out.constData());
    QVERIFY2(pages.out.endsWith(R"({"service":"qtws","answer":42} 200)"), pages.out.constData());
    QVERIFY2(pages.out.contains("Server: nginx"), pages.out.constData()); // it went through nginx
    // nginx forwards a chunked request body to the upstream as it arrives, or buffered with a
    // Content-Length: either way the route gets it whole.
    QCOMPARE(upload.out, QByteArray::number(payload.size()) + ' ' + sha256Hex(payload));
    const Head headResult = lastHead(head.out);
    QCOMPARE(headResult.status, 200);
    QCOMPARE(headResult.fields.value("content-length"), QByteArray::number(server.big.size()));
    const QByteArray etag = headResult.fields.value("etag");
    QVERIFY2(!etag.isEmpty(), head.out.constData());
    QCOMPARE(range.out, server.big.mid(10, 10) + " 206");

    Curl notModified({s("-w"), s("%{http_code}"), s("-o"), s("/dev/null"), s("-H"),
        s("If-None-Match: ") + QString::fromLatin1(etag), target.url(s("/big.txt"))});
    QVERIFY2(notModified.finish(), qPrintable(notModified.diagnostics()));
    QCOMPARE(notModified.out, QByteArray("304"));

    QVERIFY2(python.waitForFinished(), qPrintable(python.diagnostics() + nginx.diagnostics()));
    QVERIFY2(node.waitForFinished(), qPrintable(node.diagnostics() + nginx.diagnostics()));
    for (PeerProcess *peer : {&python, &node}) {
        QVERIFY2(peer->exitCode() == 0, qPrintable(peer->diagnostics() + nginx.diagnostics()));
        QCOMPARE(peer->events(s("text")).size(), 3);
        QCOMPARE(peer->events(s("binary")).size(), 1);
        QCOMPARE(peer->events(s("close")).value(0).value(u"code").toInt(), 4001);
    }
    QCOMPARE(server.upgrades, 2);
    // Every request reached the server through nginx: its keep-alive upstream connections.
    QVERIFY(server.requests.contains(QByteArray("GET /ws")));
    QVERIFY(server.requests.contains(QByteArray("POST /upload")));
    QVERIFY(server.requests.contains(QByteArray("HEAD /big.txt"))
        || server.requests.contains(QByteArray("GET /big.txt")));
    nginx.stop();
}

QTEST_GUILESS_MAIN(tst_SamePort)
#include "tst_same_port.moc"
