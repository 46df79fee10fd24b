#include "peerprocess.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTest>
#include <QTimer>

// Paths come from tests/support/CMakeLists.txt (and tests/interop/CMakeLists.txt for qt_peer).
#ifndef QTWS_PYTHON3
#define QTWS_PYTHON3 ""
#endif
#ifndef QTWS_NODE
#define QTWS_NODE ""
#endif
#ifndef QTWS_CHROMIUM
#define QTWS_CHROMIUM ""
#endif
#ifndef QTWS_QT_PEER
#define QTWS_QT_PEER ""
#endif
#ifndef QTWS_PEERS_DIR
#define QTWS_PEERS_DIR ""
#endif
#ifndef QTWS_NODE_MODULES
#define QTWS_NODE_MODULES ""
#endif

namespace qtws::test {

namespace {

QString path(const char *value)
{
    return QString::fromUtf8(value);
}

QString peerScript(const char *file)
{
    return path(QTWS_PEERS_DIR) + u'/' + QString::fromLatin1(file);
}

bool isExecutable(const QString &file)
{
    const QFileInfo info(file);
    return !file.isEmpty() && info.isFile() && info.isExecutable();
}

QString tail(const QByteArray &bytes, qsizetype max = 4000)
{
    const QString text = QString::fromUtf8(bytes.size() > max ? bytes.right(max) : bytes);
    return bytes.size() > max ? QStringLiteral("…") + text : text;
}

} // namespace

PeerProcess::PeerProcess(PeerKind kind, QObject *parent) : QObject(parent), m_kind(kind)
{
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("PYTHONDONTWRITEBYTECODE"), QStringLiteral("1"));
    environment.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    m_process.setProcessEnvironment(environment);
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &PeerProcess::readOutput);
    connect(&m_process, &QProcess::readyReadStandardError, this,
        [this] { m_stderr += m_process.readAllStandardError(); });
    connect(&m_process, &QProcess::finished, this, [this] {
        m_stderr += m_process.readAllStandardError();
        readOutput();
    });
}

PeerProcess::~PeerProcess()
{
    stop();
    if (QTest::currentTestFailed() && !m_program.isEmpty())
        qWarning("%s", qPrintable(diagnostics()));
}

QString PeerProcess::name(PeerKind kind)
{
    switch (kind) {
    case PeerKind::Python: return QStringLiteral("python");
    case PeerKind::Node: return QStringLiteral("node");
    case PeerKind::Qt: return QStringLiteral("qt");
    case PeerKind::Browser: return QStringLiteral("browser");
    }
    return {};
}

QString PeerProcess::unavailableReason(PeerKind kind)
{
    switch (kind) {
    case PeerKind::Python:
        if (!isExecutable(path(QTWS_PYTHON3)))
            return QStringLiteral("no python3 with the websockets module was found at configure "
                                  "time (scripts/install-deps.sh installs python3-websockets)");
        return {};
    case PeerKind::Qt:
        if (!isExecutable(path(QTWS_QT_PEER)))
            return QStringLiteral("qt_peer was not built (needs qt6-websockets-dev: "
                                  "scripts/install-deps.sh)");
        return {};
    case PeerKind::Browser:
        if (!isExecutable(path(QTWS_CHROMIUM)))
            return QStringLiteral("no /usr/bin/chromium (scripts/install-deps.sh installs it)");
        if (!QFileInfo::exists(path(QTWS_NODE_MODULES) + QStringLiteral("/playwright-core")))
            return QStringLiteral("no playwright-core in %1: run scripts/install-npm-deps.sh")
                .arg(path(QTWS_NODE_MODULES));
        [[fallthrough]];
    case PeerKind::Node:
        if (!isExecutable(path(QTWS_NODE)))
            return QStringLiteral("no node was found at configure time");
        if (!QFileInfo::exists(path(QTWS_NODE_MODULES) + QStringLiteral("/ws")))
            return QStringLiteral("no ws in %1: run scripts/install-npm-deps.sh")
                .arg(path(QTWS_NODE_MODULES));
        return {};
    }
    return QStringLiteral("unknown peer kind");
}

bool PeerProcess::launch(const QStringList &arguments)
{
    if (m_process.state() != QProcess::NotRunning) {
        m_error = QStringLiteral("already started");
        return false;
    }
    if (const QString why = unavailableReason(m_kind); !why.isEmpty()) {
        m_error = why;
        return false;
    }
    switch (m_kind) {
    case PeerKind::Python:
        m_program = path(QTWS_PYTHON3);
        m_arguments = QStringList{peerScript("python_peer.py")};
        break;
    case PeerKind::Node:
        m_program = path(QTWS_NODE);
        m_arguments = QStringList{peerScript("node_peer.mjs")};
        break;
    case PeerKind::Qt:
        m_program = path(QTWS_QT_PEER);
        m_arguments.clear();
        break;
    case PeerKind::Browser:
        m_program = path(QTWS_NODE);
        m_arguments = QStringList{
            peerScript("browser_peer.mjs"), QStringLiteral("--chromium"), path(QTWS_CHROMIUM)};
        break;
    }
    m_arguments += arguments;
    m_events.clear();
    m_pending.clear();
    m_stdoutOther.clear();
    m_stderr.clear();
    m_port = 0;
    m_error.clear();
    m_process.start(m_program, m_arguments);
    if (!m_process.waitForStarted(int(defaultTimeout.count()))) {
        m_error = QStringLiteral("could not start: %1").arg(m_process.errorString());
        return false;
    }
    return true;
}

bool PeerProcess::startServer(const QStringList &arguments, std::chrono::milliseconds timeout)
{
    if (!launch(QStringList{QStringLiteral("server")} + arguments))
        return false;
    if (waitUntil([this] { return m_port != 0; }, timeout))
        return true;
    m_error = isRunning()
        ? QStringLiteral("no \"listening on PORT\" within %1 ms").arg(timeout.count())
        : QStringLiteral("exited before listening");
    return false;
}

bool PeerProcess::startClient(const QUrl &url, const QStringList &arguments)
{
    return launch(QStringList{QStringLiteral("client"), url.toString()} + arguments);
}

bool PeerProcess::start(const QStringList &arguments)
{
    return launch(arguments);
}

QUrl PeerProcess::url(const QString &path, bool secure) const
{
    QUrl url;
    url.setScheme(secure ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_port);
    url.setPath(path);
    return url;
}

void PeerProcess::readOutput()
{
    m_pending += m_process.readAllStandardOutput();
    qsizetype start = 0;
    for (qsizetype end; (end = m_pending.indexOf('\n', start)) >= 0; start = end + 1) {
        const QByteArray line = m_pending.mid(start, end - start).trimmed();
        static const QByteArray listening = QByteArrayLiteral("listening on ");
        if (line.startsWith(listening) && m_port == 0) {
            bool ok = false;
            const uint port = line.mid(listening.size()).toUInt(&ok);
            if (ok && port > 0 && port <= 65535) {
                m_port = quint16(port);
                continue;
            }
        }
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (document.isObject()) {
            m_events.append(document.object());
            Q_EMIT eventReceived(m_events.constLast());
        } else {
            m_stdoutOther += line + '\n';
        }
    }
    m_pending.remove(0, start);
}

bool PeerProcess::waitUntil(const std::function<bool()> &done, std::chrono::milliseconds timeout)
{
    // Wake on every change of the child's output or state, never on a polling interval.
    const auto finishedOrDone = [&] { return done() || m_process.state() == QProcess::NotRunning; };
    if (!finishedOrDone()) {
        QEventLoop loop;
        QTimer timer;
        timer.setSingleShot(true);
        connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
        const auto check = [&] {
            if (finishedOrDone())
                loop.quit();
        };
        connect(&m_process, &QProcess::readyReadStandardOutput, &loop, check);
        connect(&m_process, &QProcess::stateChanged, &loop, check);
        connect(&m_process, &QProcess::finished, &loop, check);
        timer.start(timeout);
        loop.exec();
    }
    readOutput();
    return done();
}

bool PeerProcess::waitForFinished(std::chrono::milliseconds timeout)
{
    if (m_program.isEmpty())
        return false;
    return waitUntil([this] { return m_process.state() == QProcess::NotRunning; }, timeout);
}

bool PeerProcess::waitForEvent(const QString &type, std::chrono::milliseconds timeout)
{
    return waitForEvents(
        [&type](const QList<QJsonObject> &events) {
            return std::any_of(events.begin(), events.end(), [&type](const QJsonObject &event) {
                return event.value(QStringLiteral("type")).toString() == type;
            });
        },
        timeout);
}

bool PeerProcess::waitForEvents(const std::function<bool(const QList<QJsonObject> &)> &predicate,
    std::chrono::milliseconds timeout)
{
    return waitUntil([&] { return predicate(m_events); }, timeout);
}

QList<QJsonObject> PeerProcess::events(const QString &type) const
{
    QList<QJsonObject> matching;
    for (const QJsonObject &event : m_events)
        if (event.value(QStringLiteral("type")).toString() == type)
            matching.append(event);
    return matching;
}

int PeerProcess::exitCode() const
{
    if (m_program.isEmpty() || m_process.state() != QProcess::NotRunning
        || m_process.exitStatus() != QProcess::NormalExit)
        return -1;
    return m_process.exitCode();
}

bool PeerProcess::isRunning() const
{
    return m_process.state() != QProcess::NotRunning;
}

QString PeerProcess::diagnostics() const
{
    QString state;
    if (isRunning())
        state = QStringLiteral("running");
    else if (m_process.exitStatus() == QProcess::CrashExit)
        state = QStringLiteral("killed or crashed");
    else
        state = QStringLiteral("exited with %1").arg(m_process.exitCode());
    QString text = QStringLiteral("%1 peer `%2 %3`: %4")
                       .arg(name(m_kind), m_program, m_arguments.join(u' '), state);
    if (!m_error.isEmpty())
        text += QStringLiteral("\n  error: ") + m_error;
    if (!m_stderr.isEmpty())
        text += QStringLiteral("\n  stderr:\n") + tail(m_stderr);
    if (!m_stdoutOther.isEmpty())
        text += QStringLiteral("\n  other stdout:\n") + tail(m_stdoutOther);
    QStringList lines;
    for (const QJsonObject &event : m_events)
        lines << QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
    if (!lines.isEmpty())
        text += QStringLiteral("\n  events:\n") + tail(lines.join(u'\n').toUtf8());
    return text;
}

void PeerProcess::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate(); // SIGTERM: every peer exits on it
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    m_stderr += m_process.readAllStandardError();
    readOutput();
}

} // namespace qtws::test
