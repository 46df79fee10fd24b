// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate (RFC 7692) against real third-party peers on 127.0.0.1: python3-websockets
// and npm ws, extension on, both roles (our client ↔ their echo server; their client ↔ our echo
// server), with and without context takeover. Each case asserts that the peer reports the
// extension negotiated (its open event), what this side negotiated, that the messages came back
// intact (sizes and sha256) and that they really went compressed both ways.

#include "peerprocess.h"
#include "peerscript.h"

#include <QtWs/permessagedeflate.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace qtws;
using namespace qtws::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(qtws::test::PeerKind)

namespace {

constexpr std::chrono::milliseconds waitTimeout = 30s; // generous for sanitizer builds
constexpr int waitMs = int(waitTimeout.count());

void requireAvailable(PeerKind kind)
{
    if (const QString why = PeerProcess::unavailableReason(kind); !why.isEmpty())
        QFAIL(qPrintable(why)); // label interop: a missing peer is a failure
}

// Deterministic chat-like JSON of about size bytes.
QByteArray jsonOf(qsizetype size)
{
    QByteArray out = "[";
    for (int i = 0; out.size() < size - 2; ++i) {
        if (i > 0)
            out += ',';
        out += "{\"id\":" + QByteArray::number(i) + ",\"user\":\"user-" + QByteArray::number(i % 17)
            + "\",\"room\":\"general\",\"text\":\"message number " + QByteArray::number(i * 7919)
            + " says hello\",\"ts\":" + QByteArray::number(1700000000 + i * 13) + "}";
    }
    return out + ']';
}

QString compact(const QJsonObject &event)
{
    return QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
}

QStringList deflateArguments(bool contextTakeover)
{
    QStringList arguments{QStringLiteral("--compression"), QStringLiteral("on")};
    if (!contextTakeover)
        arguments << QStringLiteral("--deflate-no-context-takeover");
    return arguments;
}

void addRows()
{
    QTest::addColumn<PeerKind>("kind");
    QTest::addColumn<bool>("contextTakeover");
    for (PeerKind kind : {PeerKind::Python, PeerKind::Node}) {
        for (bool takeover : {true, false}) {
            const QByteArray tag = (PeerProcess::name(kind)
                + (takeover ? QStringLiteral(": context takeover")
                            : QStringLiteral(": no context takeover")))
                                       .toUtf8();
            QTest::newRow(tag.constData()) << kind << takeover;
        }
    }
}

} // namespace

class tst_DeflateInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ourClientTheirServer_data() { addRows(); }
    void ourClientTheirServer();
    void theirClientOurServer_data() { addRows(); }
    void theirClientOurServer();
};

void tst_DeflateInterop::ourClientTheirServer()
{
    QFETCH(PeerKind, kind);
    QFETCH(bool, contextTakeover);
    requireAvailable(kind);

    PeerProcess peer(kind);
    QVERIFY2(peer.startServer(QStringList{QStringLiteral("--mode"), QStringLiteral("echo")}
                 + deflateArguments(contextTakeover)),
        qPrintable(peer.diagnostics()));

    WebSocket client;
    QSignalSpy connected(&client, &WebSocket::connected);
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    QSignalSpy binaries(&client, &WebSocket::binaryMessageReceived);
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy closed(&client, &WebSocket::closed);
    client.open(peer.url(QStringLiteral("/deflate")));
    QVERIFY2(connected.wait(waitMs) || !connected.isEmpty(), qPrintable(peer.diagnostics()));

    QVERIFY2(peer.waitForEvent(QStringLiteral("open")), qPrintable(peer.diagnostics()));
    const QJsonObject open = peer.events(QStringLiteral("open")).value(0);
    QVERIFY2(open.value(u"compression").toBool(), qPrintable(compact(open)));
    QVERIFY2(
        client.extensions().startsWith(u"permessage-deflate"), qPrintable(client.extensions()));
    const PerMessageDeflate *ext = client.perMessageDeflate();
    QVERIFY(ext);
    QCOMPARE(ext->params().serverNoContextTakeover, !contextTakeover);
    QCOMPARE(ext->params().clientNoContextTakeover, !contextTakeover);

    // Several similar messages (context takeover matters), large and binary ones, a small one.
    const QByteArray json = jsonOf(16 * 1024);
    QList<QByteArray> sentTexts;
    for (int i = 0; i < 4; ++i)
        sentTexts.append(json + QByteArray::number(i));
    sentTexts.append("small");
    sentTexts.append(jsonOf(300 * 1024));
    for (const QByteArray &text : sentTexts)
        QVERIFY(client.sendTextMessage(QString::fromUtf8(text)) == text.size());
    QByteArray binary;
    for (int i = 0; binary.size() < 100'000; ++i)
        binary += QByteArray::number(i * 31) + char(i % 7);
    QVERIFY(client.sendBinaryMessage(binary) == binary.size());

    QTRY_COMPARE_WITH_TIMEOUT(texts.size(), sentTexts.size(), waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(binaries.size(), 1, waitMs);
    for (qsizetype i = 0; i < sentTexts.size(); ++i)
        QCOMPARE(texts.at(i).at(0).toString(), QString::fromUtf8(sentTexts.at(i)));
    QCOMPARE(binaries.at(0).at(0).toByteArray(), binary);

    // The peer received them intact, and they went compressed both ways.
    const QList<QJsonObject> received = peer.events(QStringLiteral("text"));
    QCOMPARE(received.size(), sentTexts.size());
    for (qsizetype i = 0; i < sentTexts.size(); ++i) {
        QCOMPARE(received.at(i).value(u"size").toInteger(), sentTexts.at(i).size());
        QCOMPARE(received.at(i).value(u"sha256").toString(), PeerScript::sha256(sentTexts.at(i)));
    }
    QCOMPARE(peer.events(QStringLiteral("binary")).value(0).value(u"sha256").toString(),
        PeerScript::sha256(binary));
    const PerMessageDeflate::Stats stats = ext->stats();
    QCOMPARE(stats.messagesCompressed, 6); // all but "small" (under the 64-byte threshold)
    QVERIFY2(stats.bytesAfterCompression * 4 < stats.bytesBeforeCompression,
        qPrintable(QStringLiteral("%1 → %2 bytes")
                       .arg(stats.bytesBeforeCompression)
                       .arg(stats.bytesAfterCompression)));
    // The peer compressed its echoes of the large ones (ws leaves messages under 1 KiB plain).
    QVERIFY2(stats.messagesInflated >= 6, qPrintable(QString::number(stats.messagesInflated)));

    client.close();
    QTRY_COMPARE_WITH_TIMEOUT(closed.size(), 1, waitMs);
    QCOMPARE(closed.at(0).at(0).toInt(), 1000);
    QVERIFY(errors.isEmpty());
    QVERIFY2(peer.events(QStringLiteral("error")).isEmpty(), qPrintable(peer.diagnostics()));
}

void tst_DeflateInterop::theirClientOurServer()
{
    QFETCH(PeerKind, kind);
    QFETCH(bool, contextTakeover);
    requireAvailable(kind);

    struct Seen
    {
        QPointer<WebSocket> ws;
        QString extensions;
        std::optional<PerMessageDeflateParams> params;
        std::optional<PerMessageDeflate::Stats> stats;
        QList<QByteArray> messages;
        int closeCode = -1;
    } seen;
    Server server(
        [&seen](WebSocket *ws) {
            seen.ws = ws;
            seen.extensions = ws->extensions();
            if (const PerMessageDeflate *ext = ws->perMessageDeflate())
                seen.params = ext->params();
            QObject::connect(
                ws, &WebSocket::textMessageReceived, ws, [ws, &seen](const QString &t) {
                    seen.messages.append(t.toUtf8());
                    ws->sendTextMessage(t);
                });
            QObject::connect(
                ws, &WebSocket::binaryMessageReceived, ws, [ws, &seen](const QByteArray &b) {
                    seen.messages.append(b);
                    ws->sendBinaryMessage(b);
                });
            QObject::connect(ws, &WebSocket::closed, ws, [ws, &seen](int code) {
                seen.closeCode = code;
                if (const PerMessageDeflate *ext = ws->perMessageDeflate())
                    seen.stats = ext->stats();
            });
        },
        ServerOptions{});
    QVERIFY2(server.listen(), qPrintable(server.errorString()));

    const QByteArray json = jsonOf(16 * 1024);
    PeerScript script;
    for (int i = 0; i < 3; ++i) {
        const QByteArray text = json + QByteArray::number(i);
        script.sendText(QString::fromUtf8(text));
        script.step({{QStringLiteral("expect"), QStringLiteral("text")},
            {QStringLiteral("size"), text.size()},
            {QStringLiteral("sha256"), PeerScript::sha256(text)}});
    }
    script.sendText(200'000).expectText(200'000);
    script.sendBinary(70'000).expectBinary(70'000);
    script.sendText(QStringLiteral("small")).expectText(QStringLiteral("small"));
    script.close(1000, QStringLiteral("done"));

    PeerProcess peer(kind);
    QUrl url = server.serverUrl();
    url.setPath(QStringLiteral("/deflate"));
    QVERIFY(peer.startClient(url,
        QStringList{QStringLiteral("--script"), script.toJson()}
            + deflateArguments(contextTakeover)));
    QVERIFY2(peer.waitForFinished(waitTimeout), qPrintable(peer.diagnostics()));
    QVERIFY2(peer.exitCode() == 0, qPrintable(peer.diagnostics()));
    const QJsonObject open = peer.events(QStringLiteral("open")).value(0);
    QVERIFY2(open.value(u"compression").toBool(), qPrintable(compact(open)));

    QVERIFY2(seen.extensions.startsWith(u"permessage-deflate"), qPrintable(seen.extensions));
    QVERIFY(seen.params);
    QCOMPARE(seen.params->serverNoContextTakeover, !contextTakeover);
    QCOMPARE(seen.params->clientNoContextTakeover, !contextTakeover);
    // Our server's memory-bounding default applies where the client let it choose.
    QCOMPARE(seen.params->serverMaxWindowBits, 12);
    QCOMPARE(seen.messages.size(), 6);
    QCOMPARE(seen.messages.at(3), PeerScript::pattern(true, 200'000));
    QCOMPARE(seen.messages.at(4), PeerScript::pattern(false, 70'000));

    QTRY_VERIFY_WITH_TIMEOUT(seen.stats.has_value(), waitMs);
    QCOMPARE(seen.closeCode, 1000);
    // The peer compressed what it sent (ws leaves messages under 1 KiB plain), and so did we.
    QVERIFY2(seen.stats->messagesInflated >= 5,
        qPrintable(QString::number(seen.stats->messagesInflated)));
    QCOMPARE(seen.stats->messagesCompressed, 5); // all but "small"
    QVERIFY(seen.stats->bytesAfterCompression * 4 < seen.stats->bytesBeforeCompression);
}

QTEST_GUILESS_MAIN(tst_DeflateInterop)
#include "tst_deflate_interop.moc"
