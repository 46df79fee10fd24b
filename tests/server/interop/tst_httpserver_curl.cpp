// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// http::Server against curl (Debian's curl, from scripts/install-deps.sh). curl runs as a child
// process while the server answers on this thread's event loop, so every wait is a
// QSignalSpy::wait, never a blocking waitForFinished.
#include "testcertificates.h"

#include <QtWs/http/server.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QProcess>
#include <QtCore/QSet>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws::http;

namespace {

struct CurlResult
{
    bool finished = false;
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

CurlResult runCurl(const QStringList &arguments, int timeoutMs = 30000)
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    // -sS: no progress meter, but errors; --max-time bounds curl itself too.
    process.start(QStringLiteral(QTWS_CURL),
        QStringList{QStringLiteral("-sS"), QStringLiteral("--max-time"), QStringLiteral("20")}
            + arguments);
    CurlResult result;
    if (!process.waitForStarted(10000)) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    result.finished = finished.wait(timeoutMs);
    if (!result.finished) {
        process.kill();
        process.waitForFinished(5000);
    }
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err += process.readAllStandardError();
    return result;
}

QString url(const Server &server, const QString &path)
{
    return server.serverUrl().toString() + path;
}

} // namespace

class tst_HttpServerCurl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keepAliveServesTwoUrlsOnOneConnection()
    {
        QSet<quint16> clientPorts;
        int requests = 0;
        Server server([&](Stream &stream) {
            ++requests;
            clientPorts.insert(stream.peerPort());
            stream.end(QByteArray(stream.request().target + ';'));
        });
        QVERIFY(server.listen());
        const CurlResult curl = runCurl({url(server, u"/first"_qs), url(server, u"/second"_qs)});
        QVERIFY2(curl.finished && curl.exitCode == 0, curl.err.constData());
        QCOMPARE(curl.out, QByteArray("/first;/second;"));
        QCOMPARE(requests, 2);
        QCOMPARE(clientPorts.size(), 1); // the second request reused the first connection
    }

    void headShowsHeadersWithoutBody()
    {
        Server server([](Stream &stream) {
            stream.setHeader("Content-Type", "text/plain");
            stream.end("hello");
        });
        QVERIFY(server.listen());
        const CurlResult curl = runCurl({QStringLiteral("-I"), url(server, u"/h"_qs)});
        QVERIFY2(curl.finished && curl.exitCode == 0, curl.err.constData());
        QVERIFY2(curl.out.startsWith("HTTP/1.1 200 OK\r\n"), curl.out.constData());
        QVERIFY2(curl.out.contains("\r\nContent-Length: 5\r\n"), curl.out.constData());
        QVERIFY2(curl.out.endsWith("\r\n\r\n"), curl.out.constData()); // nothing after the head
        QVERIFY(!curl.out.contains("hello"));
    }

    void chunkedUploadArrivesWhole()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QByteArray payload;
        for (int i = 0; payload.size() < 300 * 1024; ++i)
            payload += QByteArray::number(i) + ',';
        QFile file(dir.filePath(u"upload.bin"_qs));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(payload);
        file.close();

        QByteArray transferEncoding, expect;
        Server server([&](Stream &stream) {
            transferEncoding = stream.request().headers.value("Transfer-Encoding");
            expect = stream.request().headers.value("Expect");
            const QByteArray &body = stream.request().body;
            stream.end(QByteArray(QByteArray::number(body.size()) + ' '
                + QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex()));
        });
        QVERIFY(server.listen());
        // -v shows the interim response; the Expect is explicit because curl sends it by itself
        // only for large bodies.
        const CurlResult curl = runCurl({QStringLiteral("-v"), QStringLiteral("-H"),
            QStringLiteral("Expect: 100-continue"), QStringLiteral("-H"),
            QStringLiteral("Transfer-Encoding: chunked"), QStringLiteral("--data-binary"),
            u"@"_qs + file.fileName(), url(server, u"/upload"_qs)});
        QVERIFY2(curl.finished && curl.exitCode == 0, curl.err.constData());
        QCOMPARE(transferEncoding, QByteArray("chunked"));
        QCOMPARE(expect, QByteArray("100-continue"));
        QVERIFY2(curl.err.contains("< HTTP/1.1 100 Continue"), curl.err.constData());
        QCOMPARE(curl.out,
            QByteArray(QByteArray::number(payload.size()) + ' '
                + QCryptographicHash::hash(payload, QCryptographicHash::Sha256).toHex()));
    }

    void streamedChunkedResponseIsReassembled()
    {
        Server server([](Stream &stream) {
            stream.startWrite();
            QPointer<Stream> later = stream.defer();
            auto *timer = new QTimer(later);
            auto count = std::make_shared<int>(0);
            connect(timer, &QTimer::timeout, [later, count] {
                if (!later)
                    return;
                if (++*count <= 5)
                    later->write(QByteArray("chunk" + QByteArray::number(*count) + '\n'));
                else
                    later->end();
            });
            timer->start(10);
        });
        QVERIFY(server.listen());
        const CurlResult curl = runCurl({url(server, u"/s"_qs)});
        QVERIFY2(curl.finished && curl.exitCode == 0, curl.err.constData());
        QCOMPARE(curl.out, QByteArray("chunk1\nchunk2\nchunk3\nchunk4\nchunk5\n"));
    }

    void httpsWithTheTestCa()
    {
        const qtws::test::TestCertificates certificates;
        QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(certificates.server().certificate);
        tls.setPrivateKey(certificates.server().key);
        Server server([](Stream &stream) { stream.end(stream.isEncrypted() ? "tls" : "plain"); },
            {.tls = tls});
        QVERIFY(server.listen());
        const QString port = QString::number(server.serverPort());
        const CurlResult curl = runCurl({QStringLiteral("--cacert"),
            certificates.ca().certificatePath, QStringLiteral("--resolve"),
            u"localhost:"_qs + port + u":127.0.0.1"_qs, u"https://localhost:"_qs + port + u"/"_qs});
        QVERIFY2(curl.finished && curl.exitCode == 0, curl.err.constData());
        QCOMPARE(curl.out, QByteArray("tls"));
    }
};

QTEST_GUILESS_MAIN(tst_HttpServerCurl)
#include "tst_httpserver_curl.moc"
