// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate with headless Chromium, which offers it on every connection: one
// http::Server port serves a tiny page at / and upgrades /ws (so the page's Origin is the
// server's own), the page echoes a JSON message and a small one through it and reports
// ws.extensions; the server side must have negotiated permessage-deflate and compressed.

#include "peerprocess.h"

#include <QtWs/http/server.h>
#include <QtWs/http/stream.h>
#include <QtWs/permessagedeflate.h>
#include <QtWs/upgrade.h>
#include <QtWs/websocket.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTest>

#include <optional>

using namespace qtws;
using namespace qtws::test;
using namespace std::chrono_literals;

class tst_DeflateBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chromiumNegotiatesDeflateWithOurServer();
};

void tst_DeflateBrowser::chromiumNegotiatesDeflateWithOurServer()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Browser); !why.isEmpty())
        QFAIL(qPrintable(why)); // label browser: a missing browser is a failure

    struct Seen
    {
        QString offered; // the browser's Sec-WebSocket-Extensions
        QString extensions; // our answer
        std::optional<PerMessageDeflateParams> params;
        std::optional<PerMessageDeflate::Stats> stats;
        int closeCode = -1;
    } seen;

    http::StreamRouter router;
    router.route("GET", u"/ws", [&seen](http::Stream &stream, const http::RouteMatch &) {
        upgrade(stream, [&seen](WebSocket *ws) {
            seen.offered = QString::fromUtf8(
                ws->handshakeRequest().headers.values("Sec-WebSocket-Extensions").join(", "));
            seen.extensions = ws->extensions();
            if (const PerMessageDeflate *ext = ws->perMessageDeflate())
                seen.params = ext->params();
            QObject::connect(ws, &WebSocket::textMessageReceived, ws,
                [ws](const QString &text) { ws->sendTextMessage(text); });
            QObject::connect(ws, &WebSocket::closed, ws, [ws, &seen](int code) {
                seen.closeCode = code;
                if (const PerMessageDeflate *ext = ws->perMessageDeflate())
                    seen.stats = ext->stats();
            });
        });
    });
    router.route("GET", u"/", [](http::Stream &stream, const http::RouteMatch &) {
        stream.setStatus(200);
        stream.addHeader("Content-Type", "text/html; charset=utf-8");
        stream.end("<!doctype html><title>qtws deflate</title><p>deflate test</p>");
    });
    http::ServerOptions options;
    options.host = QHostAddress(QHostAddress::LocalHost);
    http::Server server(http::routerHandler(std::move(router)), options);
    QVERIFY(server.listen());
    const QString origin = QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort());

    const QString snippet = QStringLiteral(R"(
        const rows = [];
        for (let i = 0; i < 400; ++i)
            rows.push({ id: i, user: 'user-' + (i % 17), room: 'general',
                        text: 'message number ' + i * 7919 + ' says hello', ts: 1700000000 + i * 13 });
        const big = JSON.stringify(rows);
        const ws = new WebSocket(location.origin.replace(/^http/, 'ws') + '/ws');
        return await new Promise((resolve, reject) => {
            const echoes = [];
            ws.onopen = () => { ws.send(big); ws.send('small'); };
            ws.onmessage = (event) => {
                echoes.push(event.data);
                if (echoes.length < 2)
                    return;
                ws.onclose = (close) => resolve({ extensions: ws.extensions, size: big.length,
                    bigIntact: echoes[0] === big, small: echoes[1], code: close.code });
                ws.close(1000, 'done');
            };
            ws.onerror = () => reject(new Error('WebSocket error'));
        });)");
    PeerProcess browser(PeerKind::Browser);
    QVERIFY(browser.start({QStringLiteral("--url"), origin + QStringLiteral("/"),
        QStringLiteral("--eval"), snippet, QStringLiteral("--timeout"), QStringLiteral("40")}));
    QVERIFY2(browser.waitForFinished(60s), qPrintable(browser.diagnostics()));
    QVERIFY2(browser.exitCode() == 0, qPrintable(browser.diagnostics()));
    const QJsonObject value
        = browser.events(QStringLiteral("result")).value(0).value(u"value").toObject();
    const QString shown = QString::fromUtf8(QJsonDocument(value).toJson(QJsonDocument::Compact));

    // The browser: the echo came back intact and it sees permessage-deflate in use.
    QVERIFY2(value.value(u"bigIntact").toBool(), qPrintable(shown));
    QVERIFY2(value.value(u"size").toInt() > 16'000, qPrintable(shown));
    QCOMPARE(value.value(u"small").toString(), QStringLiteral("small"));
    QCOMPARE(value.value(u"code").toInt(), 1000);
    QVERIFY2(
        value.value(u"extensions").toString().contains(u"permessage-deflate"), qPrintable(shown));

    // Our server: it accepted the browser's offer and compressed in both directions.
    QVERIFY2(seen.offered.contains(u"permessage-deflate"), qPrintable(seen.offered));
    QVERIFY2(seen.extensions.startsWith(u"permessage-deflate"), qPrintable(seen.extensions));
    QCOMPARE(value.value(u"extensions").toString(), seen.extensions);
    QVERIFY(seen.params);
    QTRY_VERIFY_WITH_TIMEOUT(seen.stats.has_value(), 10'000);
    QCOMPARE(seen.closeCode, 1000);
    QVERIFY2(seen.stats->messagesInflated >= 1, // Chromium compressed the JSON
        qPrintable(QString::number(seen.stats->messagesInflated)));
    QCOMPARE(seen.stats->messagesCompressed, 1); // the JSON echo; "small" is under the threshold
    QVERIFY(seen.stats->bytesAfterCompression * 4 < seen.stats->bytesBeforeCompression);
}

QTEST_GUILESS_MAIN(tst_DeflateBrowser)
#include "tst_deflate_browser.moc"
