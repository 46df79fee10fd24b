// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws::Server with echo-server's handler and options (examples/echo-server/echo.h) against a
// real third-party client: python3-websockets (Debian), run by PeerProcess.

#include "../../examples/echo-server/echo.h"
#include "peerprocess.h"
#include "peerscript.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace qtws::test;
using namespace std::chrono_literals;

class tst_ServerInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void pythonClientAgainstEchoServer()
    {
        const QString unavailable = PeerProcess::unavailableReason(PeerKind::Python);
        if (!unavailable.isEmpty())
            QFAIL(qPrintable(unavailable)); // label interop: a missing peer is a failure

        qtws::Server server(
            echo::handleConnection, echo::options(QHostAddress(QHostAddress::LocalHost), 0));
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        // What the server saw of each connection's end: the close code and reason.
        QList<std::pair<int, QString>> serverSideCloses;
        QObject::connect(&server, &qtws::Server::newConnection, &server, [&](qtws::WebSocket *ws) {
            QObject::connect(
                ws, &qtws::WebSocket::closed, &server, [&](int code, const QString &reason) {
                    serverSideCloses.append({code, reason});
                });
        });

        // Around the 7-bit and 16-bit payload length boundaries of RFC 6455 §5.2.
        PeerScript script;
        for (const qsizetype size : {0, 125, 126, 65535, 65536}) {
            script.sendText(size).expectText(size);
            script.sendBinary(size).expectBinary(size);
        }
        script.sendText(QStringLiteral("héllo wörld ✓"))
            .expectText(QStringLiteral("héllo wörld ✓"));
        script.close(4001, QStringLiteral("done"));

        PeerProcess client(PeerKind::Python);
        QUrl url = server.serverUrl();
        url.setPath(QStringLiteral("/any/path"));
        QVERIFY2(client.startClient(url, {QStringLiteral("--script"), script.toJson()}),
            qPrintable(client.diagnostics()));
        // The server lives on this thread: wait by running the event loop.
        QVERIFY2(client.waitForFinished(60s), qPrintable(client.diagnostics()));
        QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
        QVERIFY2(
            client.events(QStringLiteral("error")).isEmpty(), qPrintable(client.diagnostics()));

        // The server echoed the client's close code and reason (RFC 6455 §5.5.1).
        const QList<QJsonObject> closes = client.events(QStringLiteral("close"));
        QCOMPARE(closes.size(), 1);
        QCOMPARE(closes.at(0).value(u"code").toInt(), 4001);
        QTRY_COMPARE_WITH_TIMEOUT(serverSideCloses.size(), 1, 10000);
        QCOMPARE(serverSideCloses.at(0).first, 4001);
        QCOMPARE(serverSideCloses.at(0).second, QStringLiteral("done"));
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 0, 10000);
    }

    void serverCloseReachesPythonClientAs1001()
    {
        const QString unavailable = PeerProcess::unavailableReason(PeerKind::Python);
        if (!unavailable.isEmpty())
            QFAIL(qPrintable(unavailable));
        qtws::Server server(
            echo::handleConnection, echo::options(QHostAddress(QHostAddress::LocalHost), 0));
        QVERIFY2(server.listen(), qPrintable(server.errorString()));
        QObject::connect(&server, &qtws::Server::newConnection, &server, [&server] {
            // Close once the client is in: the script below waits for the server's close.
            QMetaObject::invokeMethod(&server, &qtws::Server::close, Qt::QueuedConnection);
        });
        PeerScript script;
        script.expectClose(1001, QStringLiteral("server shutting down"));
        PeerProcess client(PeerKind::Python);
        QVERIFY2(
            client.startClient(server.serverUrl(), {QStringLiteral("--script"), script.toJson()}),
            qPrintable(client.diagnostics()));
        QVERIFY2(client.waitForFinished(60s), qPrintable(client.diagnostics()));
        QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
        QVERIFY(server.waitForClosed(QDeadlineTimer(10s)));
    }
};

QTEST_GUILESS_MAIN(tst_ServerInterop)
#include "tst_server_interop.moc"
