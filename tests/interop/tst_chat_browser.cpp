// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// The chat example (examples/chat) in a real browser: the built `chat` binary serves its page
// and /ws on one port; headless Chromium (browser_peer.mjs, playwright-core) opens it in two
// pages, alice's and bob's. Alice sends a line with markup in it; bob's page shows it, as text,
// with the user count at 2; a screenshot of bob's page is saved under the build tree.

#include "peerprocess.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTest>

#include <chrono>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using qtws::test::PeerKind;
using qtws::test::PeerProcess;

namespace {

// Resolves once predicate() holds, re-checked on every DOM change (no polling, no sleeps);
// bounded by browser_peer's --timeout.
const QString waitForDom = uR"(
    const until = (predicate) => new Promise((resolve) => {
        const observer = new MutationObserver(() => { if (predicate()) { observer.disconnect(); resolve(); } });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        if (predicate()) { observer.disconnect(); resolve(); }
    });
)"_s;

// The chat binary as a child process: started with --port 0, it prints "listening on PORT".
class ChatProcess
{
public:
    ~ChatProcess()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool start()
    {
        m_process.start(QStringLiteral(QTWS_CHAT_BINARY), {u"--port"_s, u"0"_s});
        if (!m_process.waitForStarted(10000))
            return false;
        // Both lines: "listening on PORT" and the page's URL.
        return QTest::qWaitFor([this] { return output().count(u'\n') >= 2; }, 20000);
    }
    quint16 port() const
    {
        const QString first = output().section(u'\n', 0, 0);
        return first.startsWith(u"listening on "_s) ? quint16(first.mid(13).toUInt()) : 0;
    }
    QString output() const
    {
        m_output += m_process.readAllStandardOutput();
        return QString::fromUtf8(m_output);
    }
    QString diagnostics() const
    {
        return u"chat: state %1, stdout:\n%2\nstderr:\n%3"_s.arg(int(m_process.state()))
            .arg(output(), QString::fromUtf8(m_process.readAllStandardError()));
    }

private:
    mutable QProcess m_process;
    mutable QByteArray m_output;
};

} // namespace

class tst_ChatBrowser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void messageFromOnePageShowsInTheOther();
};

void tst_ChatBrowser::messageFromOnePageShowsInTheOther()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Browser); !why.isEmpty())
        QFAIL(qPrintable(why));

    ChatProcess chat;
    QVERIFY2(chat.start(), qPrintable(chat.diagnostics()));
    const quint16 port = chat.port();
    QVERIFY2(port != 0, qPrintable(chat.diagnostics()));
    const QString pageUrl = u"http://127.0.0.1:%1/"_s.arg(port);
    QVERIFY2(chat.output().contains(pageUrl), qPrintable(chat.diagnostics()));

    const QString screenshot = QStringLiteral(QTWS_CHAT_SCREENSHOT);
    QFile::remove(screenshot);
    QVERIFY(!QFile::exists(screenshot));

    const QString sent = u"hello bob <b>not bold</b> & <script>alert(1)</script> ✓"_s;
    // Step 0, bob: both joined. Step 1, alice: send the line through the page's own form.
    // Step 2, bob: the line arrived. Step 3, alice leaves (her page closes its WebSocket).
    // Step 4, bob: the count went down.
    const QString bobJoined = waitForDom + uR"(
        await until(() => document.getElementById('users').dataset.count === '2'
            && document.getElementById('status').dataset.state === 'open');
        return { me: document.getElementById('me').textContent,
                 users: document.getElementById('users').textContent };)"_s;
    const QString aliceSends = waitForDom
        + uR"(
        await until(() => document.getElementById('users').dataset.count === '2');
        const input = document.getElementById('text');
        input.value = %1;
        document.getElementById('send').click();
        // Her own line comes back from the server too (it is broadcast to everyone).
        await until(() => document.querySelector('#messages li'));
        return document.querySelector('#messages li').className;)"_s.arg(
            QString::fromUtf8(QJsonDocument(QJsonArray{sent}).toJson(QJsonDocument::Compact))
            + u"[0]"_s);
    const QString bobReads = waitForDom + uR"(
        await until(() => document.querySelector('#messages li'));
        const items = [...document.querySelectorAll('#messages li')];
        return { count: items.length,
                 from: items[0].querySelector('.from').textContent,
                 text: items[0].querySelector('.text').textContent,
                 className: items[0].className,
                 markup: document.querySelectorAll('#messages b, #messages script').length,
                 users: document.getElementById('users').textContent };)"_s;

    const QString aliceLeaves = waitForDom + uR"(
        socket.close(1000);
        await until(() => document.getElementById('status').dataset.state === 'closed');
        return document.getElementById('status').textContent;)"_s;
    const QString bobSeesOneUser = waitForDom + uR"(
        await until(() => document.getElementById('users').dataset.count === '1');
        return document.getElementById('users').textContent;)"_s;

    PeerProcess browser(PeerKind::Browser);
    QVERIFY(browser.start(
        {u"--url"_s, pageUrl + u"?name=alice"_s, u"--open"_s, pageUrl + u"?name=bob"_s, u"--step"_s,
            u"1:"_s + bobJoined, u"--step"_s, u"0:"_s + aliceSends, u"--step"_s, u"1:"_s + bobReads,
            u"--step"_s, u"0:"_s + aliceLeaves, u"--step"_s, u"1:"_s + bobSeesOneUser,
            u"--screenshot"_s, u"1:"_s + screenshot, u"--timeout"_s, u"60"_s}));
    QVERIFY2(browser.waitForFinished(90s), qPrintable(browser.diagnostics()));
    QVERIFY2(browser.exitCode() == 0, qPrintable(browser.diagnostics() + chat.diagnostics()));

    const QList<QJsonObject> results = browser.events(u"result"_s);
    QCOMPARE(results.size(), 1);
    const QJsonArray steps = results.first().value(u"value").toArray();
    QCOMPARE(steps.size(), 5);

    const QJsonObject joined = steps.at(0).toObject();
    QCOMPARE(joined.value(u"me").toString(), u"bob"_s);
    QCOMPARE(joined.value(u"users").toString(), u"2 users online"_s);

    QCOMPARE(steps.at(1).toString(), u"mine"_s); // alice sees her line marked as hers

    const QJsonObject read = steps.at(2).toObject();
    QCOMPARE(read.value(u"count").toInt(), 1);
    QCOMPARE(read.value(u"from").toString(), u"alice"_s);
    QCOMPARE(read.value(u"text").toString(), sent);
    QCOMPARE(read.value(u"className").toString(), QString()); // not bob's own
    QCOMPARE(read.value(u"markup").toInt(), 0); // shown as text, never parsed as HTML
    QCOMPARE(read.value(u"users").toString(), u"2 users online"_s);

    QVERIFY2(
        steps.at(3).toString().startsWith(u"disconnected"_s), qPrintable(steps.at(3).toString()));
    QCOMPARE(steps.at(4).toString(), u"1 user online"_s);

    // No page error or failed resource load in either page.
    for (const QJsonObject &console : browser.events(u"console"_s)) {
        const QString level = console.value(u"level").toString();
        QVERIFY2(level != u"error"_s && level != u"pageerror"_s,
            qPrintable(QString::fromUtf8(QJsonDocument(console).toJson(QJsonDocument::Compact))));
    }

    QFile png(screenshot);
    QVERIFY2(png.open(QIODevice::ReadOnly), qPrintable(screenshot));
    const QByteArray bytes = png.readAll();
    QVERIFY2(bytes.size() > 1000, qPrintable(u"%1 bytes"_s.arg(bytes.size())));
    QVERIFY(bytes.startsWith("\x89PNG\r\n\x1a\n"));
    qInfo("screenshot of bob's page: %s", qPrintable(screenshot));
}

QTEST_GUILESS_MAIN(tst_ChatBrowser)
#include "tst_chat_browser.moc"
