// PeerProcess: one real third-party WebSocket peer (tests/interop/peers) run as a child process
// for a Qt Test: python3-websockets, npm ws, Qt's QtWebSockets, or headless Chromium.
//
//   PeerProcess server(PeerKind::Python);
//   QVERIFY2(server.startServer({u"--mode"_s, u"echo"_s}), qPrintable(server.diagnostics()));
//   PeerProcess client(PeerKind::Node);
//   QVERIFY(client.startClient(server.url(u"/chat"_s), {u"--script"_s, script.toJson()}));
//   QVERIFY2(client.waitForFinished(), qPrintable(client.diagnostics()));
//   QCOMPARE(client.exitCode(), 0);
//   QCOMPARE(client.events(u"close"_s).value(0).value(u"code").toInt(), 4001);
//
// Every wait is bounded and event-driven (it runs a local event loop that wakes on the child's
// output or exit). The peer prints `listening on PORT` once bound, and one JSON object a line for
// each event; both are parsed here. The destructor stops the peer (SIGTERM, then SIGKILL), and
// prints diagnostics() if the current test function has failed.
#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QUrl>

#include <chrono>
#include <functional>

namespace qtws::test {

enum class PeerKind {
    Python, // tests/interop/peers/python_peer.py on Debian's python3-websockets
    Node, // tests/interop/peers/node_peer.mjs on npm ws
    Qt, // the qt_peer target, on Qt's QtWebSockets
    Browser, // tests/interop/peers/browser_peer.mjs: headless Chromium via playwright-core
};

class PeerProcess : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds defaultTimeout{20000};

    explicit PeerProcess(PeerKind kind, QObject *parent = nullptr);
    ~PeerProcess() override;

    // Empty when this kind of peer can run here, else why not (for QSKIP or QFAIL).
    static QString unavailableReason(PeerKind kind);
    static QString name(PeerKind kind); // "python", "node", "qt", "browser"

    // `peer server ARGS…`, then waits for "listening on PORT". False (see errorString() and
    // diagnostics()) if it did not start, exited, or did not listen within the timeout.
    bool startServer(
        const QStringList &arguments = {}, std::chrono::milliseconds timeout = defaultTimeout);
    // `peer client URL ARGS…`; does not wait. For PeerKind::Browser use start().
    bool startClient(const QUrl &url, const QStringList &arguments = {});
    // The peer with exactly these arguments (after its script path); does not wait.
    bool start(const QStringList &arguments);

    // The port a server peer listens on (0 before startServer() succeeded).
    quint16 port() const { return m_port; }
    // ws://127.0.0.1:PORT/path, or wss:// when secure.
    QUrl url(const QString &path = QStringLiteral("/"), bool secure = false) const;

    // Waits for the peer to exit; true if it did within the timeout.
    bool waitForFinished(std::chrono::milliseconds timeout = defaultTimeout);
    // Waits until an event of this type has been printed (counting all so far); false on
    // timeout or if the peer exited without printing one.
    bool waitForEvent(const QString &type, std::chrono::milliseconds timeout = defaultTimeout);
    // Waits until predicate(events()) holds; same rules.
    bool waitForEvents(const std::function<bool(const QList<QJsonObject> &)> &predicate,
        std::chrono::milliseconds timeout = defaultTimeout);

    QList<QJsonObject> events() const { return m_events; }
    QList<QJsonObject> events(const QString &type) const; // only those of this "type"
    // The exit code once exited normally; -1 while running, if never started, or if killed.
    int exitCode() const;
    bool isRunning() const;
    QString standardError() const { return QString::fromUtf8(m_stderr); }
    QString errorString() const { return m_error; }
    // Everything useful when a test fails: command, state, exit code, stderr, non-event stdout.
    QString diagnostics() const;

    // SIGTERM, a bounded wait, then SIGKILL. Idempotent.
    void stop();

Q_SIGNALS:
    void eventReceived(const QJsonObject &event);

private:
    bool launch(const QStringList &arguments);
    void readOutput();
    bool waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout);

    PeerKind m_kind;
    QProcess m_process;
    QString m_program;
    QStringList m_arguments;
    QByteArray m_pending; // a partial stdout line
    QByteArray m_stdoutOther; // stdout lines that are neither JSON events nor "listening on"
    QByteArray m_stderr;
    QList<QJsonObject> m_events;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace qtws::test
