// Smoke test of the browser peer: headless Chromium, driven by playwright-core, opens a page whose
// script talks to the python echo server on 127.0.0.1 and reports what came back.

#include "peerprocess.h"

#include <QTest>

using namespace qtws::test;

namespace {
QString s(const char *text)
{
    return QString::fromUtf8(text);
}
} // namespace

class tst_BrowserPeer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chromiumTalksToPythonEchoServer();
};

void tst_BrowserPeer::chromiumTalksToPythonEchoServer()
{
    for (PeerKind kind : {PeerKind::Python, PeerKind::Browser})
        if (const QString why = PeerProcess::unavailableReason(kind); !why.isEmpty())
            QFAIL(qPrintable(why));

    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer(), qPrintable(server.diagnostics()));

    const QString snippet = s(R"(
        const ws = new WebSocket('%1');
        return await new Promise((resolve, reject) => {
            ws.onopen = () => ws.send('hello from chromium');
            ws.onmessage = (event) => {
                ws.onclose = (close) => resolve({ echoed: event.data, code: close.code, reason: close.reason });
                ws.close(4001, 'browser done');
            };
            ws.onerror = () => reject(new Error('WebSocket error'));
        });)")
                                .arg(server.url(s("/browser")).toString());
    PeerProcess browser(PeerKind::Browser);
    QVERIFY(browser.start({s("--url"), s("data:text/html,<title>qtws</title>"), s("--eval"),
        snippet, s("--timeout"), s("40")}));
    QVERIFY2(browser.waitForFinished(std::chrono::seconds(60)), qPrintable(browser.diagnostics()));
    QVERIFY2(browser.exitCode() == 0, qPrintable(browser.diagnostics()));
    const QList<QJsonObject> results = browser.events(s("result"));
    QCOMPARE(results.size(), 1);
    const QJsonObject value = results.first().value(u"value").toObject();
    QCOMPARE(value.value(u"echoed").toString(), s("hello from chromium"));
    QCOMPARE(value.value(u"code").toInt(), 4001);
    QCOMPARE(value.value(u"reason").toString(), s("browser done"));

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("open")).first().value(u"path").toString(), s("/browser"));
    QCOMPARE(
        server.events(s("text")).first().value(u"content").toString(), s("hello from chromium"));
    QCOMPARE(server.events(s("close")).first().value(u"code").toInt(), 4001);
}

QTEST_GUILESS_MAIN(tst_BrowserPeer)
#include "tst_browserpeer.moc"
