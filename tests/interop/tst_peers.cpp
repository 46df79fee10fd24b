// Smoke tests of the interop infrastructure itself, without qtws: the real peers talk to each
// other on 127.0.0.1 through PeerProcess, over ws:// and wss:// with TestCertificates. When these
// pass, a failing qtws interop test is about qtws, not about the harness.

#include "interopchecks.h"
#include "peerprocess.h"
#include "peerscript.h"
#include "testcertificates.h"

#include <QTest>

using namespace qtws::test;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(qtws::test::PeerKind)

namespace {

// Around the 7-bit and 16-bit payload length boundaries of RFC 6455 §5.2.
constexpr qsizetype sizes[] = {0, 125, 126, 65535, 65536};
const QString closeReason = QStringLiteral("smoke test: done");

// For every size, a text and a binary message of pattern(size), in order.
bool hasEchoedEverySize(const QList<QJsonObject> &events, QString *why)
{
    qsizetype index = 0;
    if (events.size() != 2 * qsizetype(std::size(sizes))) {
        *why = QStringLiteral("%1 message events instead of %2")
                   .arg(events.size())
                   .arg(2 * std::size(sizes));
        return false;
    }
    for (qsizetype size : sizes) {
        for (bool text : {true, false}) {
            const QJsonObject &event = events.at(index++);
            const QString wantedType = text ? s("text") : s("binary");
            const QString hash = PeerScript::sha256(PeerScript::pattern(text, size));
            if (type(event) != wantedType || event.value(u"size").toInteger() != size
                || event.value(u"sha256").toString() != hash) {
                *why = QStringLiteral("event %1 is %2, wanted %3 of %4 bytes")
                           .arg(index)
                           .arg(compact(event), wantedType)
                           .arg(size);
                return false;
            }
        }
    }
    return true;
}

PeerScript echoScript()
{
    PeerScript script;
    for (qsizetype size : sizes)
        script.sendText(size).expectText(size).sendBinary(size).expectBinary(size);
    script.ping(s("are you there")).close(4001, closeReason);
    return script;
}

} // namespace

class tst_Peers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void echo_data();
    void echo();
    void serverClosesFirst_data();
    void serverClosesFirst();
    void subprotocolIsNegotiated();
    void tls_data();
    void tls();
    void tlsRejectsCertificateForAnotherHost_data();
    void tlsRejectsCertificateForAnotherHost();
    void mutualTls_data();
    void mutualTls();
    void failedExpectationFailsThePeer_data();
    void failedExpectationFailsThePeer();
    void startServerReportsAPeerThatDoesNotListen();

private:
    std::unique_ptr<TestCertificates> certificates;
};

void tst_Peers::initTestCase()
{
    certificates = std::make_unique<TestCertificates>();
    QVERIFY2(certificates->isValid(), qPrintable(certificates->errorString()));
    QVERIFY(!certificates->server().certificate.isNull());
    QCOMPARE(certificates->server().certificate.issuerDisplayName(), s("qtws test CA"));
    QVERIFY(certificates->server()
                .certificate.subjectAlternativeNames()
                .values(QSsl::IpAddressEntry)
                .contains(s("127.0.0.1")));
}

void tst_Peers::echo_data()
{
    QTest::addColumn<PeerKind>("serverKind");
    QTest::addColumn<PeerKind>("clientKind");
    QTest::newRow("python server ↔ node client") << PeerKind::Python << PeerKind::Node;
    QTest::newRow("node server ↔ python client") << PeerKind::Node << PeerKind::Python;
    QTest::newRow("qt server ↔ python client") << PeerKind::Qt << PeerKind::Python;
    QTest::newRow("python server ↔ qt client") << PeerKind::Python << PeerKind::Qt;
    QTest::newRow("node server ↔ qt client") << PeerKind::Node << PeerKind::Qt;
}

// Every size crosses the length boundaries both ways as text and binary, a ping is answered, and
// the client's close code and reason reach the server and come back in its close reply.
void tst_Peers::echo()
{
    QFETCH(PeerKind, serverKind);
    QFETCH(PeerKind, clientKind);
    requireAvailable(serverKind);
    requireAvailable(clientKind);

    PeerProcess server(serverKind);
    QVERIFY2(server.startServer({s("--mode"), s("echo")}), qPrintable(server.diagnostics()));
    QVERIFY(server.port() != 0);
    PeerProcess client(clientKind);
    QVERIFY2(client.startClient(server.url(s("/echo")), {s("--script"), echoScript().toJson()}),
        qPrintable(client.diagnostics()));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));

    QString why;
    QVERIFY2(hasEchoedEverySize(messageEvents(client), &why), qPrintable(why));
    QCOMPARE(client.events(s("pong")).size(), 1);
    QCOMPARE(client.events(s("pong")).first().value(u"content").toString(), s("are you there"));
    const QList<QJsonObject> clientClose = client.events(s("close"));
    QCOMPARE(clientClose.size(), 1);
    QCOMPARE(clientClose.first().value(u"code").toInt(), 4001);
    QCOMPARE(clientClose.first().value(u"reason").toString(), closeReason);
    QVERIFY(client.events(s("error")).isEmpty());

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("open")).size(), 1);
    QCOMPARE(server.events(s("open")).first().value(u"path").toString(), s("/echo"));
    QVERIFY2(hasEchoedEverySize(messageEvents(server), &why), qPrintable(why));
    const QList<QJsonObject> serverClose = server.events(s("close"));
    QCOMPARE(serverClose.size(), 1);
    QCOMPARE(serverClose.first().value(u"code").toInt(), 4001);
    QCOMPARE(serverClose.first().value(u"reason").toString(), closeReason);
    QVERIFY(server.events(s("done")).first().value(u"ok").toBool());
}

void tst_Peers::serverClosesFirst_data()
{
    QTest::addColumn<PeerKind>("serverKind");
    QTest::addColumn<PeerKind>("clientKind");
    QTest::newRow("node server closes, python client") << PeerKind::Node << PeerKind::Python;
    QTest::newRow("python server closes, node client") << PeerKind::Python << PeerKind::Node;
    QTest::newRow("qt server closes, node client") << PeerKind::Qt << PeerKind::Node;
}

// The server's script speaks first and closes: the client's expectations see both.
void tst_Peers::serverClosesFirst()
{
    QFETCH(PeerKind, serverKind);
    QFETCH(PeerKind, clientKind);
    requireAvailable(serverKind);
    requireAvailable(clientKind);

    PeerScript serverScript;
    serverScript.sendText(s("héllo, wörld")).expectBinary(QByteArrayLiteral("\x00\xff\x80"));
    serverScript.close(4002, s("server is done"));
    PeerProcess server(serverKind);
    QVERIFY2(server.startServer({s("--mode"), s("script"), s("--script"), serverScript.toJson()}),
        qPrintable(server.diagnostics()));

    PeerScript clientScript;
    clientScript.expectText(s("héllo, wörld")).sendBinary(QByteArrayLiteral("\x00\xff\x80"));
    clientScript.expectClose(4002, s("server is done"));
    PeerProcess client(clientKind);
    QVERIFY(client.startClient(server.url(), {s("--script"), clientScript.toJson()}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.events(s("text")).first().value(u"content").toString(), s("héllo, wörld"));

    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QVERIFY2(
        server.events(s("done")).first().value(u"ok").toBool(), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("binary")).first().value(u"sha256").toString(),
        PeerScript::sha256(QByteArrayLiteral("\x00\xff\x80")));
}

// The one subprotocol both sides have is chosen (each library has its own tie-break policy).
void tst_Peers::subprotocolIsNegotiated()
{
    requireAvailable(PeerKind::Python);
    requireAvailable(PeerKind::Node);
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({s("--subprotocol"), s("chat.v2,superchat")}),
        qPrintable(server.diagnostics()));
    PeerProcess client(PeerKind::Node);
    QVERIFY(client.startClient(server.url(), {s("--subprotocol"), s("chat.v1,chat.v2")}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QCOMPARE(client.exitCode(), 0);
    QCOMPARE(client.events(s("open")).first().value(u"subprotocol").toString(), s("chat.v2"));
    QVERIFY2(server.waitForEvent(s("open")), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("open")).first().value(u"subprotocol").toString(), s("chat.v2"));
}

void tst_Peers::tls_data()
{
    echo_data();
}

// wss://: the server presents the generated localhost/127.0.0.1 certificate and the client
// trusts only the generated CA.
void tst_Peers::tls()
{
    QFETCH(PeerKind, serverKind);
    QFETCH(PeerKind, clientKind);
    requireAvailable(serverKind);
    requireAvailable(clientKind);

    PeerProcess server(serverKind);
    QVERIFY2(server.startServer(tlsServerArguments(certificates->server())),
        qPrintable(server.diagnostics()));
    PeerScript script;
    script.sendText(s("over tls")).expectText(s("over tls")).sendBinary(70000).expectBinary(70000);
    script.close(1000, s("bye"));
    PeerProcess client(clientKind);
    QVERIFY(client.startClient(server.url(s("/"), true),
        {s("--ca"), certificates->ca().certificatePath, s("--script"), script.toJson()}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.events(s("close")).first().value(u"code").toInt(), 1000);
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(messageEvents(server).size(), 2);
}

void tst_Peers::tlsRejectsCertificateForAnotherHost_data()
{
    QTest::addColumn<PeerKind>("serverKind");
    QTest::addColumn<PeerKind>("clientKind");
    QTest::newRow("node server, python client") << PeerKind::Node << PeerKind::Python;
    QTest::newRow("python server, node client") << PeerKind::Python << PeerKind::Node;
    QTest::newRow("python server, qt client") << PeerKind::Python << PeerKind::Qt;
}

// A certificate signed by the trusted CA but for wrong.host.invalid fails verification against
// 127.0.0.1: the client reports a connect failure, and the server never sees a WebSocket open.
void tst_Peers::tlsRejectsCertificateForAnotherHost()
{
    QFETCH(PeerKind, serverKind);
    QFETCH(PeerKind, clientKind);
    requireAvailable(serverKind);
    requireAvailable(clientKind);

    PeerProcess server(serverKind);
    QVERIFY2(server.startServer(tlsServerArguments(certificates->wrongHost())),
        qPrintable(server.diagnostics()));
    PeerProcess client(clientKind);
    QVERIFY(client.startClient(
        server.url(s("/"), true), {s("--ca"), certificates->ca().certificatePath}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    QVERIFY(client.events(s("open")).isEmpty());
    const QList<QJsonObject> errors = client.events(s("error"));
    QVERIFY2(!errors.isEmpty()
            && errors.first().value(u"message").toString().startsWith(s("connect failed")),
        qPrintable(client.diagnostics()));
    QVERIFY(server.isRunning());
    QVERIFY(server.events(s("open")).isEmpty());
}

void tst_Peers::mutualTls_data()
{
    QTest::addColumn<PeerKind>("serverKind");
    QTest::addColumn<PeerKind>("clientKind");
    QTest::addColumn<bool>("presentCertificate");
    QTest::newRow("python server, node client with certificate")
        << PeerKind::Python << PeerKind::Node << true;
    QTest::newRow("python server, node client without certificate")
        << PeerKind::Python << PeerKind::Node << false;
    QTest::newRow("node server, python client with certificate")
        << PeerKind::Node << PeerKind::Python << true;
    QTest::newRow("node server, python client without certificate")
        << PeerKind::Node << PeerKind::Python << false;
}

// A server given --ca requires a client certificate signed by it.
void tst_Peers::mutualTls()
{
    QFETCH(PeerKind, serverKind);
    QFETCH(PeerKind, clientKind);
    QFETCH(bool, presentCertificate);
    requireAvailable(serverKind);
    requireAvailable(clientKind);

    PeerProcess server(serverKind);
    QVERIFY2(server.startServer(tlsServerArguments(certificates->server())
                 + QStringList{s("--ca"), certificates->ca().certificatePath}),
        qPrintable(server.diagnostics()));
    QStringList arguments{s("--ca"), certificates->ca().certificatePath};
    if (presentCertificate)
        arguments += tlsServerArguments(certificates->client());
    PeerProcess client(clientKind);
    QVERIFY(client.startClient(server.url(s("/"), true), arguments));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == (presentCertificate ? 0 : 1), qPrintable(client.diagnostics()));
    QCOMPARE(client.events(s("open")).size(), presentCertificate ? 1 : 0);
}

void tst_Peers::failedExpectationFailsThePeer_data()
{
    QTest::addColumn<PeerKind>("clientKind");
    QTest::newRow("python client") << PeerKind::Python;
    QTest::newRow("node client") << PeerKind::Node;
    QTest::newRow("qt client") << PeerKind::Qt;
}

// The peers' own checks can fail: an echo of "ping" does not match an expected "pong", so the
// client reports the step, closes, and exits 1; and the server's script reports ok:false.
void tst_Peers::failedExpectationFailsThePeer()
{
    QFETCH(PeerKind, clientKind);
    requireAvailable(PeerKind::Python);
    requireAvailable(clientKind);

    PeerScript serverScript;
    serverScript.expectBinary(3);
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({s("--mode"), s("script"), s("--script"), serverScript.toJson()}),
        qPrintable(server.diagnostics()));
    PeerScript clientScript;
    clientScript.sendText(3).expectText(s("never sent"));
    PeerProcess client(clientKind);
    QVERIFY(client.startClient(
        server.url(), {s("--script"), clientScript.toJson(), s("--timeout"), s("3")}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    const QList<QJsonObject> errors = client.events(s("error"));
    QVERIFY2(
        !errors.isEmpty() && errors.first().value(u"message").toString().startsWith(s("step 2")),
        qPrintable(client.diagnostics()));
    QVERIFY2(server.waitForEvent(s("done")), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(s("done")).first().value(u"ok").toBool(), false);
    QVERIFY(server.events(s("error")).first().value(u"message").toString().startsWith(s("step 1")));
}

// The harness's own failure path: a peer that exits instead of listening is reported at once,
// with its stderr, not after the timeout.
void tst_Peers::startServerReportsAPeerThatDoesNotListen()
{
    requireAvailable(PeerKind::Python);
    PeerProcess server(PeerKind::Python);
    QVERIFY(!server.startServer({s("--mode"), s("no-such-mode")}, 20s));
    QCOMPARE(server.errorString(), s("exited before listening"));
    QCOMPARE(server.port(), quint16(0));
    QVERIFY2(server.standardError().contains(s("no-such-mode")), qPrintable(server.diagnostics()));
    QCOMPARE(server.exitCode(), 2);
}

QTEST_GUILESS_MAIN(tst_Peers)
#include "tst_peers.moc"
