// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The qtws client through real proxies on 127.0.0.1: HTTP CONNECT through Debian's tinyproxy
// (with and without Basic auth, 407 as ProxyFailed) and SOCKS5 through Debian's microsocks (with
// and without user/password), each for ws and wss against the python3-websockets echo peer; and
// the proxy chosen from http_proxy / https_proxy / all_proxy / no_proxy.
#include "peerprocess.h"
#include "testcertificates.h"

#include <QtWs/websocket.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QScopeGuard>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace qtws;
using namespace std::chrono_literals;
using qtws::test::PeerKind;
using qtws::test::PeerProcess;
using qtws::test::TestCertificates;

namespace {

constexpr int waitMs = 15'000;

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost))
        return 0;
    return probe.serverPort();
}

QString findProgram(const QString &name)
{
    return QStandardPaths::findExecutable(
        name, {s("/usr/bin"), s("/usr/sbin"), s("/usr/local/bin"), s("/usr/local/sbin")});
}

// A proxy process on 127.0.0.1:port, ready once it accepts TCP connections.
class ProxyProcess
{
public:
    ~ProxyProcess() { stop(); }

    bool start(const QString &program, const QStringList &arguments, quint16 listenPort)
    {
        port = listenPort;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        if (!process.waitForStarted(waitMs))
            return false;
        // Ready when it accepts: a bounded poll of TCP connects, no sleeping.
        return QTest::qWaitFor(
                   [&] {
                       if (process.state() != QProcess::Running)
                           return true;
                       QTcpSocket probe;
                       probe.connectToHost(QHostAddress::LocalHost, port);
                       return probe.waitForConnected(200);
                   },
                   waitMs)
            && process.state() == QProcess::Running;
    }

    void stop()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate();
        if (!process.waitForFinished(5'000)) {
            process.kill();
            process.waitForFinished(5'000);
        }
    }

    QString output()
    {
        m_output += QString::fromUtf8(process.readAll());
        return m_output;
    }

    QProcess process;
    quint16 port = 0;

private:
    QString m_output;
};

struct Outcome
{
    bool connected = false;
    bool echoed = false;
    WebSocketError error;
};

// Opens url with options, sends one text message, expects it back, closes.
Outcome echoThrough(const QUrl &url, const ClientOptions &options)
{
    Outcome outcome;
    WebSocket client;
    QSignalSpy connected(&client, &WebSocket::connected);
    QSignalSpy closed(&client, &WebSocket::closed);
    QSignalSpy errors(&client, &WebSocket::errorOccurred);
    QSignalSpy texts(&client, &WebSocket::textMessageReceived);
    client.open(url, options);
    (void)QTest::qWaitFor([&] { return !connected.isEmpty() || !closed.isEmpty(); }, waitMs);
    outcome.connected = !connected.isEmpty();
    if (outcome.connected) {
        client.sendTextMessage(s("through the proxy"));
        if (texts.wait(waitMs) || !texts.isEmpty())
            outcome.echoed = texts.at(0).at(0).toString() == s("through the proxy");
        client.close();
        if (closed.isEmpty())
            closed.wait(waitMs);
    }
    if (!errors.isEmpty())
        outcome.error = errors.at(0).at(0).value<WebSocketError>();
    return outcome;
}

} // namespace

class tst_ProxyInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void httpConnect_data();
    void httpConnect();
    void httpConnectAuthRequired();
    void socks5_data();
    void socks5();
    void socks5WrongPassword();
    void environmentSelection();

private:
    bool startTinyproxy(ProxyProcess &proxy, bool auth);
    bool startMicrosocks(ProxyProcess &proxy, bool auth);
    QUrl target(bool secure) const { return secure ? m_wss->url(s("/"), true) : m_ws->url(); }
    ClientOptions tlsOptions() const
    {
        ClientOptions options;
        options.caCertificates = {m_certs->ca().certificate};
        options.timeouts.connect = 10'000ms;
        return options;
    }

    std::unique_ptr<TestCertificates> m_certs;
    std::unique_ptr<PeerProcess> m_ws;
    std::unique_ptr<PeerProcess> m_wss;
    QString m_tinyproxy;
    QString m_microsocks;
    QTemporaryDir m_dir;
};

void tst_ProxyInterop::initTestCase()
{
    const QString unavailable = PeerProcess::unavailableReason(PeerKind::Python);
    if (!unavailable.isEmpty())
        QSKIP(qPrintable(unavailable));
    m_tinyproxy = findProgram(s("tinyproxy"));
    m_microsocks = findProgram(s("microsocks"));
    QVERIFY(m_dir.isValid());
    m_certs = std::make_unique<TestCertificates>();
    QVERIFY2(m_certs->isValid(), qPrintable(m_certs->errorString()));
    m_ws = std::make_unique<PeerProcess>(PeerKind::Python);
    QVERIFY2(m_ws->startServer({s("--mode"), s("echo")}), qPrintable(m_ws->diagnostics()));
    m_wss = std::make_unique<PeerProcess>(PeerKind::Python);
    QVERIFY2(m_wss->startServer({s("--mode"), s("echo"), s("--cert"),
                 m_certs->server().certificatePath, s("--key"), m_certs->server().keyPath}),
        qPrintable(m_wss->diagnostics()));
}

bool tst_ProxyInterop::startTinyproxy(ProxyProcess &proxy, bool auth)
{
    const quint16 port = freePort();
    QString conf = s("Port %1\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 60\nMaxClients 20\n"
                     "LogLevel Connect\nConnectPort %2\nConnectPort %3\n")
                       .arg(port)
                       .arg(m_ws->port())
                       .arg(m_wss->port());
    if (auth)
        conf += s("BasicAuth user pass\n");
    const QString path = m_dir.filePath(s("tinyproxy-%1.conf").arg(port));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(conf.toUtf8()) != conf.toUtf8().size())
        return false;
    file.close();
    return proxy.start(m_tinyproxy, {s("-d"), s("-c"), path}, port);
}

bool tst_ProxyInterop::startMicrosocks(ProxyProcess &proxy, bool auth)
{
    const quint16 port = freePort();
    QStringList arguments{s("-i"), s("127.0.0.1"), s("-p"), QString::number(port)};
    if (auth)
        arguments << s("-u") << s("user") << s("-P") << s("pass");
    return proxy.start(m_microsocks, arguments, port);
}

void tst_ProxyInterop::httpConnect_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("auth");
    QTest::newRow("ws through CONNECT") << false << false;
    QTest::newRow("wss through CONNECT, TLS end to end") << true << false;
    QTest::newRow("ws through CONNECT with Basic auth") << false << true;
    QTest::newRow("wss through CONNECT with Basic auth") << true << true;
}

void tst_ProxyInterop::httpConnect()
{
    QFETCH(bool, secure);
    QFETCH(bool, auth);
    if (m_tinyproxy.isEmpty())
        QSKIP("tinyproxy is not installed (Debian package tinyproxy)");
    ProxyProcess proxy;
    QVERIFY2(startTinyproxy(proxy, auth), qPrintable(proxy.output()));
    ClientOptions options = tlsOptions();
    options.proxy = QNetworkProxy(QNetworkProxy::HttpProxy, s("127.0.0.1"), proxy.port,
        auth ? s("user") : QString(), auth ? s("pass") : QString());
    const QUrl url = target(secure);
    const Outcome outcome = echoThrough(url, options);
    QVERIFY2(outcome.connected, qPrintable(outcome.error.toString() + s("\n") + proxy.output()));
    QVERIFY(outcome.echoed);
    // The tunnel went through the proxy: it logged the CONNECT to the target.
    QTRY_VERIFY2_WITH_TIMEOUT(proxy.output().contains(s("CONNECT 127.0.0.1:%1").arg(url.port())),
        qPrintable(proxy.output()), waitMs);
}

void tst_ProxyInterop::httpConnectAuthRequired()
{
    if (m_tinyproxy.isEmpty())
        QSKIP("tinyproxy is not installed (Debian package tinyproxy)");
    ProxyProcess proxy;
    QVERIFY2(startTinyproxy(proxy, true), qPrintable(proxy.output()));
    for (const QString &password : {QString(), s("wrong")}) {
        ClientOptions options = tlsOptions();
        options.proxy = QNetworkProxy(QNetworkProxy::HttpProxy, s("127.0.0.1"), proxy.port,
            password.isEmpty() ? QString() : s("user"), password);
        const Outcome outcome = echoThrough(target(false), options);
        QVERIFY(!outcome.connected);
        QCOMPARE(outcome.error.kind(), WebSocketError::Kind::ProxyFailed);
        QVERIFY2(outcome.error.reason().contains(s("authentication"), Qt::CaseInsensitive),
            qPrintable(outcome.error.toString()));
        QVERIFY2(outcome.error.reason().contains(s("127.0.0.1:%1").arg(proxy.port)),
            qPrintable(outcome.error.toString()));
    }
}

void tst_ProxyInterop::socks5_data()
{
    QTest::addColumn<bool>("secure");
    QTest::addColumn<bool>("auth");
    QTest::newRow("ws through SOCKS5") << false << false;
    QTest::newRow("wss through SOCKS5, TLS end to end") << true << false;
    QTest::newRow("ws through SOCKS5 with user/password") << false << true;
    QTest::newRow("wss through SOCKS5 with user/password") << true << true;
}

void tst_ProxyInterop::socks5()
{
    QFETCH(bool, secure);
    QFETCH(bool, auth);
    if (m_microsocks.isEmpty())
        QSKIP("microsocks is not installed (Debian package microsocks)");
    ProxyProcess proxy;
    QVERIFY2(startMicrosocks(proxy, auth), qPrintable(proxy.output()));
    ClientOptions options = tlsOptions();
    options.proxy = QNetworkProxy(QNetworkProxy::Socks5Proxy, s("127.0.0.1"), proxy.port,
        auth ? s("user") : QString(), auth ? s("pass") : QString());
    // "localhost" is resolved by the proxy (remote DNS); the certificate is valid for it.
    QUrl url = target(secure);
    url.setHost(s("localhost"));
    const Outcome outcome = echoThrough(url, options);
    QVERIFY2(outcome.connected, qPrintable(outcome.error.toString()));
    QVERIFY(outcome.echoed);
    // It really went through the proxy: without it, the same options cannot connect.
    proxy.stop();
    const Outcome without = echoThrough(url, options);
    QVERIFY(!without.connected);
    QVERIFY2(without.error.kind() == WebSocketError::Kind::ProxyFailed
            || without.error.kind() == WebSocketError::Kind::ConnectionFailed,
        qPrintable(without.error.toString()));
}

void tst_ProxyInterop::socks5WrongPassword()
{
    if (m_microsocks.isEmpty())
        QSKIP("microsocks is not installed (Debian package microsocks)");
    ProxyProcess proxy;
    QVERIFY2(startMicrosocks(proxy, true), qPrintable(proxy.output()));
    ClientOptions options = tlsOptions();
    options.proxy
        = QNetworkProxy(QNetworkProxy::Socks5Proxy, s("127.0.0.1"), proxy.port, s("user"), s("no"));
    const Outcome outcome = echoThrough(target(false), options);
    QVERIFY(!outcome.connected);
    QCOMPARE(outcome.error.kind(), WebSocketError::Kind::ProxyFailed);
}

void tst_ProxyInterop::environmentSelection()
{
    if (m_tinyproxy.isEmpty() || m_microsocks.isEmpty())
        QSKIP("tinyproxy and microsocks are both needed");
    static const char *const names[] = {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
        "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"};
    QHash<QByteArray, std::optional<QByteArray>> saved;
    for (const char *name : names) {
        saved.insert(
            name, qEnvironmentVariableIsSet(name) ? std::optional(qgetenv(name)) : std::nullopt);
        qunsetenv(name);
    }
    const auto restore = qScopeGuard([&] {
        for (auto it = saved.cbegin(); it != saved.cend(); ++it) {
            if (it.value())
                qputenv(it.key().constData(), *it.value());
            else
                qunsetenv(it.key().constData());
        }
    });
    ProxyProcess http;
    QVERIFY2(startTinyproxy(http, true), qPrintable(http.output()));
    ProxyProcess socks;
    QVERIFY2(startMicrosocks(socks, true), qPrintable(socks.output()));
    const QString connectWs = s("CONNECT 127.0.0.1:%1").arg(m_ws->port());

    // ws: HTTP_PROXY (upper case) with credentials in the URL.
    qputenv("HTTP_PROXY", s("http://user:pass@127.0.0.1:%1").arg(http.port).toUtf8());
    Outcome outcome = echoThrough(target(false), tlsOptions());
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));
    QTRY_VERIFY_WITH_TIMEOUT(http.output().count(connectWs) >= 1, waitMs);

    // Lower case wins: a wrong http_proxy password is now used, and refused (407).
    qputenv("http_proxy", s("http://user:bad@127.0.0.1:%1").arg(http.port).toUtf8());
    outcome = echoThrough(target(false), tlsOptions());
    QCOMPARE(outcome.error.kind(), WebSocketError::Kind::ProxyFailed);
    qunsetenv("http_proxy");

    // no_proxy exempts the target host (with its port): direct, the proxy sees nothing new.
    qputenv("no_proxy", s("localhost, 127.0.0.1:%1").arg(m_ws->port()).toUtf8());
    const int connectsBefore = int(http.output().count(s("CONNECT 127.0.0.1")));
    outcome = echoThrough(target(false), tlsOptions());
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));
    QCOMPARE(int(http.output().count(s("CONNECT 127.0.0.1"))), connectsBefore);
    qunsetenv("no_proxy");

    // wss: https_proxy is a SOCKS5 proxy; ws keeps using HTTP_PROXY.
    qputenv("https_proxy", s("socks5h://user:pass@127.0.0.1:%1").arg(socks.port).toUtf8());
    outcome = echoThrough(target(true), tlsOptions());
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));
    QCOMPARE(int(http.output().count(s("CONNECT 127.0.0.1"))), connectsBefore);
    // ...and it went through SOCKS: with the proxy gone it fails.
    socks.stop();
    outcome = echoThrough(target(true), tlsOptions());
    QVERIFY(!outcome.connected);
    qunsetenv("https_proxy");

    // all_proxy covers wss when https_proxy is unset; "*" in NO_PROXY turns every proxy off.
    qputenv("all_proxy", s("http://user:pass@127.0.0.1:%1").arg(http.port).toUtf8());
    outcome = echoThrough(target(true), tlsOptions());
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        http.output().contains(s("CONNECT 127.0.0.1:%1").arg(m_wss->port())), waitMs);
    qputenv("NO_PROXY", "*");
    http.stop();
    outcome = echoThrough(target(true), tlsOptions());
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));

    // An explicit NoProxy ignores the environment.
    qunsetenv("NO_PROXY");
    ClientOptions direct = tlsOptions();
    direct.proxy = QNetworkProxy(QNetworkProxy::NoProxy);
    outcome = echoThrough(target(true), direct);
    QVERIFY2(outcome.echoed, qPrintable(outcome.error.toString()));
}

QTEST_MAIN(tst_ProxyInterop)
#include "tst_proxy_interop.moc"
