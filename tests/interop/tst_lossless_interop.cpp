// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// Nothing lost on the wire, with real peers (python3-websockets and npm ws) in both roles:
// a text that starts with U+FEFF arrives and echoes byte for byte, and the valid messages a
// peer writes right before a protocol violation (in the same write) are delivered and answered
// before qtws fails the connection with the violation's close code (RFC 6455 §7.4.1). The
// violations are written past the peer library's framing (the peers' "raw" step) from the
// shared cases of tests/support/badframes.h.

#include "badframes.h"
#include "interopchecks.h"
#include "peerprocess.h"
#include "peerscript.h"
#include "recordingecho.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

using namespace qtws;
using namespace qtws::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(qtws::test::PeerKind)

namespace {

constexpr int waitMs = 20'000; // generous for sanitizer builds
const QByteArray bomText = QByteArray::fromHex("efbbbf424f4d206669727374"); // U+FEFF "BOM first"

QStringList expectedMessages(bool withBadFrame)
{
    return withBadFrame ? validMessageRecords() : QStringList{RecordingEcho::record(true, bomText)};
}

// The peer's script: the valid messages and the bad frame in one raw write, the echoes of the
// valid ones, then qtws's close with the case's code. Without a bad frame: a U+FEFF-led text
// through the library's own send, its echo, and a normal close.
PeerScript peerScript(const BadFrameCase *badCase, bool peerIsClient)
{
    PeerScript script;
    if (!badCase) {
        script.step({{s("send"), s("text")}, {s("hex"), QString::fromLatin1(bomText.toHex())}});
        script.expectTextBytes(bomText);
        return script;
    }
    QByteArray raw;
    for (const RawFrame &frame : validMessagesBeforeTheBadFrame())
        raw += rawFrame(frame, peerIsClient);
    script.sendRaw(raw + badFrameBytes(*badCase, peerIsClient));
    for (const RawFrame &frame : validMessagesBeforeTheBadFrame()) {
        if ((frame.firstByte & 0x0f) == 1)
            script.expectTextBytes(frame.payload);
        else
            script.expectBinary(frame.payload);
    }
    script.expectClose(badCase->closeCode);
    return script;
}

// The rows: each peer × (the U+FEFF text alone, and a sample of the shared bad-frame cases that
// covers each rule: opcode, RSV, fragmentation, control frame, UTF-8, masking).
void addRows()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<int>("caseIndex"); // -1: the U+FEFF text alone
    const QList<BadFrameCase> cases = badFrameCases();
    const QStringList sample{s("reserved data opcode 0x3"), s("RSV1 with no extension"),
        s("continuation with no message begun"), s("fragmented ping"), s("close with code 999"),
        s("text that is not UTF-8"), s("wrong mask bit")};
    for (PeerKind kind : {PeerKind::Python, PeerKind::Node}) {
        QTest::newRow(row(kind, s("a text that starts with U+FEFF"))) << kind << -1;
        for (qsizetype i = 0; i < cases.size(); ++i) {
            if (sample.contains(QString::fromUtf8(cases.at(i).name)))
                QTest::newRow(row(kind, s("valid, then ") + QString::fromUtf8(cases.at(i).name)))
                    << kind << int(i);
        }
    }
}

} // namespace

class tst_LosslessInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { qRegisterMetaType<WebSocketError>(); }
    void qtwsServer_data() { addRows(); }
    void qtwsServer();
    void qtwsClient_data() { addRows(); }
    void qtwsClient();
};

// qtws::Server echoes; the peer is the client.
void tst_LosslessInterop::qtwsServer()
{
    QFETCH(PeerKind, kind);
    QFETCH(int, caseIndex);
    requireAvailable(kind);
    const QList<BadFrameCase> cases = badFrameCases();
    const BadFrameCase *badCase = caseIndex < 0 ? nullptr : &cases.at(caseIndex);

    RecordingEcho seen;
    Server server([&seen](WebSocket *ws) { seen.attach(ws); });
    QVERIFY2(server.listen(), qPrintable(server.errorString()));
    PeerProcess client(kind);
    QVERIFY(client.startClient(
        server.serverUrl(), {s("--script"), peerScript(badCase, true).toJson()}));
    QVERIFY2(client.waitForFinished(std::chrono::milliseconds(waitMs)),
        qPrintable(client.diagnostics()));
    const QString both = seen.diagnostics() + QStringLiteral("\npeer: ") + client.diagnostics();
    QVERIFY2(client.exitCode() == 0, qPrintable(both)); // every expectation of the peer held
    QTRY_VERIFY2_WITH_TIMEOUT(seen.closeCode != -1, qPrintable(both), waitMs);
    QCOMPARE(seen.messages, expectedMessages(badCase));
    QCOMPARE(seen.closeCode, badCase ? int(badCase->closeCode) : 1000);
    QCOMPARE(seen.errors.size(), badCase ? 1 : 0);
}

// A qtws::WebSocket client echoes; the peer is the server.
void tst_LosslessInterop::qtwsClient()
{
    QFETCH(PeerKind, kind);
    QFETCH(int, caseIndex);
    requireAvailable(kind);
    const QList<BadFrameCase> cases = badFrameCases();
    const BadFrameCase *badCase = caseIndex < 0 ? nullptr : &cases.at(caseIndex);

    PeerProcess server(kind);
    QVERIFY2(server.startServer(
                 {s("--mode"), s("script"), s("--script"), peerScript(badCase, false).toJson()}),
        qPrintable(server.diagnostics()));
    RecordingEcho seen;
    WebSocket client;
    seen.attach(&client);
    client.open(server.url());
    // Without a bad frame the peer's script ends after its echo check and it closes with 1000.
    QTRY_VERIFY2_WITH_TIMEOUT(seen.closeCode != -1, qPrintable(seen.diagnostics()), waitMs);
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    const QString both = seen.diagnostics() + QStringLiteral("\npeer: ") + server.diagnostics();
    const QList<QJsonObject> done = server.events(s("done"));
    QVERIFY2(done.size() == 1 && done.at(0).value(s("ok")).toBool(), qPrintable(both));
    QCOMPARE(seen.messages, expectedMessages(badCase));
    QCOMPARE(seen.closeCode, badCase ? int(badCase->closeCode) : 1000);
    QCOMPARE(seen.errors.size(), badCase ? 1 : 0);
}

QTEST_GUILESS_MAIN(tst_LosslessInterop)
#include "tst_lossless_interop.moc"
