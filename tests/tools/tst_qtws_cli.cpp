// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// The qtws command-line tool as a user runs it: a child process with arguments, standard input
// and output, and an exit code. Its server against its client, and its client against
// python3-websockets (PeerProcess). Every wait is bounded and wakes on the child's output.

#include "peerprocess.h"

#include <QProcess>
#include <QTcpServer>
#include <QTest>

#include <chrono>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using qtws::test::PeerKind;
using qtws::test::PeerProcess;

namespace {

constexpr std::chrono::milliseconds waitTimeout = 20s;

// One run of the qtws binary.
class Cli
{
public:
    Cli() { m_process.setProgram(QStringLiteral(QTWS_CLI)); }
    ~Cli()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(5000)) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    // Starts qtws with arguments; input is written to its stdin, which is then closed unless
    // keepInputOpen.
    bool start(
        const QStringList &arguments, const QByteArray &input = {}, bool keepInputOpen = false)
    {
        m_process.setArguments(arguments);
        m_process.start();
        if (!m_process.waitForStarted(int(waitTimeout.count())))
            return false;
        if (!input.isEmpty())
            m_process.write(input);
        if (!keepInputOpen)
            m_process.closeWriteChannel();
        return true;
    }
    void write(const QByteArray &input) { m_process.write(input); }
    void closeInput() { m_process.closeWriteChannel(); }
    void terminate() { m_process.terminate(); }

    bool waitForOutput(const QString &text)
    {
        return waitFor([&] { return output().contains(text); });
    }
    bool waitForErrorOutput(const QString &text, qsizetype times = 1)
    {
        return waitFor([&] { return errorOutput().count(text) >= times; });
    }
    bool waitForFinished()
    {
        return waitFor([&] { return m_process.state() == QProcess::NotRunning; });
    }
    // "listening on PORT" → PORT, 0 if it did not come.
    quint16 waitForListening()
    {
        if (!waitForOutput(u"listening on "_s))
            return 0;
        if (!waitForOutput(u"\n"_s))
            return 0;
        const QString line = output().section(u'\n', 0, 0);
        return quint16(line.mid(line.lastIndexOf(u' ') + 1).toUInt());
    }

    QString output() const
    {
        m_stdout += m_process.readAllStandardOutput();
        return QString::fromUtf8(m_stdout);
    }
    QByteArray rawOutput() const
    {
        output();
        return m_stdout;
    }
    QString errorOutput() const
    {
        m_stderr += m_process.readAllStandardError();
        return QString::fromUtf8(m_stderr);
    }
    // -1 while running or after a crash.
    int exitCode() const
    {
        if (m_process.state() != QProcess::NotRunning
            || m_process.exitStatus() != QProcess::NormalExit)
            return -1;
        return m_process.exitCode();
    }
    QString diagnostics() const
    {
        return u"qtws %1\nexit code %2\nstdout:\n%3\nstderr:\n%4"_s
            .arg(m_process.arguments().join(u' '))
            .arg(exitCode())
            .arg(output(), errorOutput());
    }

private:
    template<typename Predicate>
    bool waitFor(Predicate done)
    {
        return QTest::qWaitFor(done, int(waitTimeout.count()));
    }

    mutable QProcess m_process;
    mutable QByteArray m_stdout;
    mutable QByteArray m_stderr;
};

QString wsUrl(quint16 port, const QString &path = u"/"_s)
{
    return u"ws://127.0.0.1:%1%2"_s.arg(port).arg(path);
}

} // namespace

class tst_QtwsCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpNamesEveryCommandAndOption();
    void usageErrorsExitWith2_data();
    void usageErrorsExitWith2();
    void connectToServeEcho_data();
    void connectToServeEcho();
    void exitAfterPrintsExactlyN();
    void binaryMessagesAsHexOrRaw_data();
    void binaryMessagesAsHexOrRaw();
    void broadcastReachesTheOtherClients();
    void pingReportsRoundTrips();
    void badUrlExitsWith1_data();
    void badUrlExitsWith1();
    void refusedHeaderExitsWith1();
    void serveStopsOnSigterm();
    void sigtermClosesWith1001();
    void sigtermWhileConnectingExitsWith1();
    void connectToPythonEcho();
    void closeCodeAndReasonReachThePeer();
    void subprotocolIsNegotiated();
    void peerCloseWithAnErrorCodeExitsWith1();
};

void tst_QtwsCli::helpNamesEveryCommandAndOption()
{
    Cli overview;
    QVERIFY(overview.start({u"--help"_s}));
    QVERIFY2(overview.waitForFinished(), qPrintable(overview.diagnostics()));
    QCOMPARE(overview.exitCode(), 0);
    for (const QString &word : {u"connect URL"_s, u"serve PORT"_s, u"Exit codes"_s})
        QVERIFY2(
            overview.output().contains(word), qPrintable(word + u" in\n"_s + overview.output()));

    const QList<std::pair<QString, QStringList>> commands = {
        {u"connect"_s,
            {u"--header"_s, u"--subprotocol"_s, u"--insecure"_s, u"--binary"_s, u"--raw"_s,
                u"--ping"_s, u"--close-code"_s, u"--close-reason"_s, u"--exit-after"_s,
                u"--linger"_s, u"Exit codes"_s}},
        {u"serve"_s, {u"--echo"_s, u"--broadcast"_s, u"--host"_s, u"listening on PORT"_s}},
    };
    for (const auto &[command, words] : commands) {
        Cli help;
        QVERIFY(help.start({command, u"--help"_s}));
        QVERIFY2(help.waitForFinished(), qPrintable(help.diagnostics()));
        QCOMPARE(help.exitCode(), 0);
        for (const QString &word : words)
            QVERIFY2(help.output().contains(word),
                qPrintable(command + u": "_s + word + u" in\n"_s + help.output()));
    }
}

void tst_QtwsCli::usageErrorsExitWith2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("no command") << QStringList{} << u"Usage: qtws"_s;
    QTest::newRow("unknown command") << QStringList{u"listen"_s} << u"unknown command 'listen'"_s;
    QTest::newRow("connect without URL") << QStringList{u"connect"_s} << u"expected one URL"_s;
    QTest::newRow("unknown option")
        << QStringList{u"connect"_s, u"ws://127.0.0.1:1/"_s, u"--frobnicate"_s} << u"frobnicate"_s;
    QTest::newRow("header without a colon") << QStringList{u"connect"_s, u"ws://127.0.0.1:1/"_s,
        u"-H"_s, u"X-Token"_s} << u"'Name: value'"_s;
    QTest::newRow("close code 1006 may not be sent")
        << QStringList{u"connect"_s, u"ws://127.0.0.1:1/"_s, u"--close-code"_s, u"1006"_s}
        << u"--close-code"_s;
    QTest::newRow("serve without a mode")
        << QStringList{u"serve"_s, u"0"_s} << u"--echo and --broadcast"_s;
    QTest::newRow("serve with both modes") << QStringList{u"serve"_s, u"0"_s, u"--echo"_s,
        u"--broadcast"_s} << u"--echo and --broadcast"_s;
    QTest::newRow("serve on port 70000")
        << QStringList{u"serve"_s, u"70000"_s, u"--echo"_s} << u"invalid port"_s;
}

void tst_QtwsCli::usageErrorsExitWith2()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    Cli cli;
    QVERIFY(cli.start(arguments));
    QVERIFY2(cli.waitForFinished(), qPrintable(cli.diagnostics()));
    QCOMPARE(cli.exitCode(), 2);
    QVERIFY2(cli.errorOutput().contains(message), qPrintable(cli.diagnostics()));
    QVERIFY2(cli.output().isEmpty(), qPrintable(cli.diagnostics()));
}

void tst_QtwsCli::connectToServeEcho_data()
{
    QTest::addColumn<QStringList>("options");
    // Closing right at the end of input would race the echoes (the server answers the close
    // before echoing what came with it): the client waits for N messages, or for a quiet spell.
    QTest::newRow("--exit-after 2") << QStringList{u"--exit-after"_s, u"2"_s};
    QTest::newRow("--linger: close after a quiet spell") << QStringList{u"--linger"_s, u"2"_s};
}

void tst_QtwsCli::connectToServeEcho()
{
    QFETCH(QStringList, options);
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--echo"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(client.start(QStringList{u"connect"_s, wsUrl(port, u"/echo"_s)} + options,
        u"hello\nsecond line — ünïcode ✓\n"_s.toUtf8()));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.output(), u"hello\nsecond line — ünïcode ✓\n"_s);
    QVERIFY2(server.exitCode() == -1, qPrintable(server.diagnostics())); // still serving
}

void tst_QtwsCli::exitAfterPrintsExactlyN()
{
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--echo"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    // Three lines go out at once; their echoes come back close together, the later ones while
    // the close handshake runs: they are not printed.
    Cli client;
    QVERIFY(
        client.start({u"connect"_s, wsUrl(port), u"--exit-after"_s, u"1"_s}, "one\ntwo\nthree\n"));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.output(), u"one\n"_s);
}

void tst_QtwsCli::binaryMessagesAsHexOrRaw_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("hex by default") << QStringList{} << QByteArray("686900ff0d01\n");
    QTest::newRow("--raw") << QStringList{u"--raw"_s} << QByteArray("hi\0\xff\r\x01", 6);
}

void tst_QtwsCli::binaryMessagesAsHexOrRaw()
{
    QFETCH(QStringList, options);
    QFETCH(QByteArray, expected);
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--echo"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    // The input line (up to '\n') is the message; bytes that are not text pass unchanged.
    Cli client;
    QVERIFY(client.start(
        QStringList{u"connect"_s, wsUrl(port), u"--binary"_s, u"--exit-after"_s, u"1"_s} + options,
        QByteArray("hi\0\xff\r\x01\n", 7)));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.rawOutput(), expected);
}

void tst_QtwsCli::broadcastReachesTheOtherClients()
{
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--broadcast"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    Cli listener;
    QVERIFY(listener.start(
        {u"connect"_s, wsUrl(port), u"--no-input"_s, u"--exit-after"_s, u"1"_s, u"-v"_s}));
    QVERIFY2(listener.waitForErrorOutput(u"connected to"_s), qPrintable(listener.diagnostics()));

    Cli sender;
    QVERIFY(sender.start({u"connect"_s, wsUrl(port), u"--linger"_s, u"0"_s}, "to everyone\n"));
    QVERIFY2(sender.waitForFinished(), qPrintable(sender.diagnostics()));
    QVERIFY2(sender.exitCode() == 0, qPrintable(sender.diagnostics()));
    QCOMPARE(sender.output(), QString()); // not sent back to its sender

    QVERIFY2(listener.waitForFinished(), qPrintable(listener.diagnostics()));
    QVERIFY2(listener.exitCode() == 0, qPrintable(listener.diagnostics()));
    QCOMPARE(listener.output(), u"to everyone\n"_s);
}

void tst_QtwsCli::pingReportsRoundTrips()
{
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--echo"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(
        client.start({u"connect"_s, wsUrl(port), u"--ping"_s, u"0.05"_s, u"--linger"_s, u"0"_s}, {},
            /*keepInputOpen=*/true));
    // The first ping goes out on connect, the next ones every 50 ms.
    QVERIFY2(client.waitForErrorOutput(u"pong after"_s, 3), qPrintable(client.diagnostics()));
    client.closeInput();
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
}

void tst_QtwsCli::badUrlExitsWith1_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::newRow("scheme") << u"ftp://127.0.0.1/"_s << u"unsupported URL scheme \"ftp\""_s;
    QTest::newRow("no host") << u"ws:///path"_s << u"no host"_s;
    QTest::newRow("unparseable") << u"ws://127.0.0.1:99999999/"_s << u"invalid URL"_s;
    // A port nothing listens on (bound, then released).
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 closedPort = probe.serverPort();
    probe.close();
    QTest::newRow("refused") << wsUrl(closedPort) << u"Connection refused"_s;
}

void tst_QtwsCli::badUrlExitsWith1()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    Cli client;
    QVERIFY(client.start({u"connect"_s, url}, "never sent\n"));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().startsWith(u"qtws: "_s), qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().contains(message), qPrintable(client.diagnostics()));
    QCOMPARE(client.output(), QString());
}

void tst_QtwsCli::refusedHeaderExitsWith1()
{
    // The library refuses headers the handshake owns; the tool reports its error as is.
    Cli client;
    QVERIFY(client.start(
        {u"connect"_s, u"ws://127.0.0.1:9/"_s, u"--header"_s, u"Sec-WebSocket-Key: x"_s}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    QVERIFY2(
        client.errorOutput().contains(u"Sec-WebSocket-Key"_s), qPrintable(client.diagnostics()));
}

void tst_QtwsCli::serveStopsOnSigterm()
{
    Cli server;
    QVERIFY(server.start({u"serve"_s, u"0"_s, u"--echo"_s}));
    const quint16 port = server.waitForListening();
    QVERIFY2(port != 0, qPrintable(server.diagnostics()));

    // A connected client is closed with 1001 (Going Away), a normal end for it.
    Cli client;
    QVERIFY(client.start({u"connect"_s, wsUrl(port), u"--no-input"_s, u"-v"_s}));
    QVERIFY2(client.waitForErrorOutput(u"connected to"_s), qPrintable(client.diagnostics()));
    server.terminate();
    QVERIFY2(server.waitForFinished(), qPrintable(server.diagnostics()));
    QCOMPARE(server.exitCode(), 0);
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QVERIFY2(
        client.errorOutput().contains(u"closed with 1001"_s), qPrintable(client.diagnostics()));
}

void tst_QtwsCli::sigtermClosesWith1001()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Python); !why.isEmpty())
        QFAIL(qPrintable(why));
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({u"--mode"_s, u"echo"_s}), qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(
        client.start({u"connect"_s, server.url().toString(), u"-v"_s}, {}, /*keepInputOpen=*/true));
    QVERIFY2(client.waitForErrorOutput(u"connected to"_s), qPrintable(client.diagnostics()));
    client.terminate();
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QVERIFY2(server.waitForEvent(u"close"_s), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(u"close"_s).value(0).value(u"code").toInt(), 1001);
}

void tst_QtwsCli::sigtermWhileConnectingExitsWith1()
{
    // A server that accepts the TCP connection and never answers the handshake.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    Cli client;
    QVERIFY(client.start({u"connect"_s, wsUrl(silent.serverPort())}, {}, /*keepInputOpen=*/true));
    QVERIFY(QTest::qWaitFor([&] { return silent.hasPendingConnections(); }, 20000));
    client.terminate();
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().contains(u"interrupted"_s), qPrintable(client.diagnostics()));
}

void tst_QtwsCli::connectToPythonEcho()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Python); !why.isEmpty())
        QFAIL(qPrintable(why));
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({u"--mode"_s, u"echo"_s}), qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(
        client.start({u"connect"_s, server.url(u"/cli"_s).toString(), u"--exit-after"_s, u"2"_s},
            u"one\nzwei — ✓\n"_s.toUtf8()));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QCOMPARE(client.output(), u"one\nzwei — ✓\n"_s);

    QVERIFY2(server.waitForEvent(u"close"_s), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(u"open"_s).value(0).value(u"path").toString(), u"/cli"_s);
    const QList<QJsonObject> texts = server.events(u"text"_s);
    QCOMPARE(texts.size(), 2);
    QCOMPARE(texts.at(0).value(u"content").toString(), u"one"_s);
    QCOMPARE(texts.at(1).value(u"content").toString(), u"zwei — ✓"_s);
    QCOMPARE(server.events(u"close"_s).value(0).value(u"code").toInt(), 1000);
}

void tst_QtwsCli::closeCodeAndReasonReachThePeer()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Python); !why.isEmpty())
        QFAIL(qPrintable(why));
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({u"--mode"_s, u"echo"_s}), qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(client.start({u"connect"_s, server.url().toString(), u"--exit-after"_s, u"1"_s,
                             u"--close-code"_s, u"4001"_s, u"--close-reason"_s, u"bye now"_s},
        "x\n"));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    // This side chose the code: a normal end whatever the code.
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QVERIFY2(server.waitForEvent(u"close"_s), qPrintable(server.diagnostics()));
    const QJsonObject close = server.events(u"close"_s).value(0);
    QCOMPARE(close.value(u"code").toInt(), 4001);
    QCOMPARE(close.value(u"reason").toString(), u"bye now"_s);
}

void tst_QtwsCli::subprotocolIsNegotiated()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Python); !why.isEmpty())
        QFAIL(qPrintable(why));
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({u"--mode"_s, u"echo"_s, u"--subprotocol"_s, u"v2.chat"_s}),
        qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(client.start({u"connect"_s, server.url().toString(), u"--subprotocol"_s, u"v1.chat"_s,
                             u"--subprotocol"_s, u"v2.chat"_s, u"-H"_s, u"X-Trace: 42"_s, u"-v"_s,
                             u"--exit-after"_s, u"1"_s},
        "ping\n"));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 0, qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().contains(u"(subprotocol v2.chat)"_s),
        qPrintable(client.diagnostics()));
    QVERIFY2(server.waitForEvent(u"open"_s), qPrintable(server.diagnostics()));
    QCOMPARE(server.events(u"open"_s).value(0).value(u"subprotocol").toString(), u"v2.chat"_s);
}

void tst_QtwsCli::peerCloseWithAnErrorCodeExitsWith1()
{
    if (const QString why = PeerProcess::unavailableReason(PeerKind::Python); !why.isEmpty())
        QFAIL(qPrintable(why));
    PeerProcess server(PeerKind::Python);
    QVERIFY2(server.startServer({u"--mode"_s, u"close"_s, u"--close-code"_s, u"4000"_s,
                 u"--close-reason"_s, u"go away"_s}),
        qPrintable(server.diagnostics()));

    Cli client;
    QVERIFY(client.start({u"connect"_s, server.url().toString(), u"--no-input"_s}));
    QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
    QVERIFY2(client.exitCode() == 1, qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().contains(u"4000"_s), qPrintable(client.diagnostics()));
    QVERIFY2(client.errorOutput().contains(u"go away"_s), qPrintable(client.diagnostics()));
}

QTEST_GUILESS_MAIN(tst_QtwsCli)
#include "tst_qtws_cli.moc"
