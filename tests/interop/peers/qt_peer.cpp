// A real WebSocket peer for qtws's interop tests, built on Qt's own QtWebSockets
// (QWebSocketServer/QWebSocket). The command line, the script steps and the JSON event lines are
// the ones every peer shares: see tests/interop/README.md.
//
//   qt_peer server [--mode echo|script|close] [--script JSON|FILE] [options]
//   qt_peer client URL [--script JSON|FILE] [options]
//
// QtWebSockets has no permessage-deflate: `--compression on` is refused (exit 2).

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QWebSocketServer>

#include <cstdio>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

namespace {

void emitEvent(const QJsonObject &event)
{
    const QByteArray line = QJsonDocument(event).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fflush(stdout);
}

[[noreturn]] void usage(const QString &message)
{
    std::fprintf(stderr, "qt_peer: %s\n", qPrintable(message));
    std::exit(2);
}

// The deterministic payload of a sized send: a..z repeated, or bytes 0..255 repeated.
QByteArray pattern(bool text, qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = text ? char('a' + i % 26) : char(static_cast<unsigned char>(i % 256));
    return bytes;
}

struct Message
{
    bool text = false;
    QByteArray data; // UTF-8 for text
};

QJsonObject messageEvent(const Message &message)
{
    QJsonObject event{
        {QStringLiteral("type"), message.text ? QStringLiteral("text") : QStringLiteral("binary")},
        {QStringLiteral("size"), message.data.size()},
        {QStringLiteral("sha256"),
            QString::fromLatin1(
                QCryptographicHash::hash(message.data, QCryptographicHash::Sha256).toHex())},
    };
    if (message.text && message.data.size() <= 125)
        event.insert(QStringLiteral("content"), QString::fromUtf8(message.data));
    return event;
}

QJsonArray loadScript(const QString &value)
{
    if (value.isEmpty())
        return {};
    QByteArray text = value.toUtf8();
    if (!value.trimmed().startsWith(u'[')) {
        QFile file(value);
        if (!file.open(QIODevice::ReadOnly))
            usage(QStringLiteral("cannot read script %1").arg(value));
        text = file.readAll();
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (!document.isArray())
        usage(QStringLiteral("a script is a JSON list of steps: %1").arg(error.errorString()));
    return document.array();
}

struct Options
{
    QString mode = QStringLiteral("echo");
    QJsonArray steps;
    QStringList subprotocols;
    quint64 maxSize = 64 * 1024 * 1024;
    int timeoutMs = 10000;
    QString cert, key, ca;
};

// One connection running a script (or echoing). Every event is printed as it arrives and queued;
// advance() runs steps until one has to wait, and runs again whenever something arrives. Each
// waiting step has a deadline. `finished(ok)` is called once, after the connection has closed.
class Session : public QObject
{
public:
    Session(QWebSocket *webSocket, const Options &sessionOptions, QObject *parent = nullptr)
        : QObject(parent), socket(webSocket), options(sessionOptions)
    {
        socket->setParent(this);
        socket->setMaxAllowedIncomingMessageSize(options.maxSize);
        deadline.setSingleShot(true);
        connect(&deadline, &QTimer::timeout, this,
            [this] { fail(QStringLiteral("timed out after %1 ms").arg(this->options.timeoutMs)); });
        const bool echo = options.mode == QStringLiteral("echo");
        connect(socket, &QWebSocket::textMessageReceived, this, [this, echo](const QString &m) {
            received(Message{true, m.toUtf8()}, echo);
        });
        connect(
            socket, &QWebSocket::binaryMessageReceived, this, [this, echo](const QByteArray &m) {
                received(Message{false, m}, echo);
            });
        connect(socket, &QWebSocket::pong, this, [this](quint64, const QByteArray &payload) {
            emitEvent({{QStringLiteral("type"), QStringLiteral("pong")},
                {QStringLiteral("content"), QString::fromUtf8(payload)}});
            pongs.push_back(payload);
            advance();
        });
        connect(socket, &QWebSocket::disconnected, this, [this] {
            closeCode = static_cast<int>(this->socket->closeCode());
            closeReason = this->socket->closeReason();
            emitEvent({{QStringLiteral("type"), QStringLiteral("close")},
                {QStringLiteral("code"), *closeCode}, {QStringLiteral("reason"), closeReason}});
            advance();
        });
    }

    std::function<void(bool)> finished; // called once, after the connection has closed

    void start()
    {
        emitEvent({{QStringLiteral("type"), QStringLiteral("open")},
            {QStringLiteral("path"), socket->requestUrl().path()},
            {QStringLiteral("subprotocol"),
                socket->subprotocol().isEmpty() ? QJsonValue(QJsonValue::Null)
                                                : QJsonValue(socket->subprotocol())},
            {QStringLiteral("compression"), false}});
        if (options.mode == QStringLiteral("echo"))
            index = options.steps.size() + 1; // nothing to run: wait for the peer's close
        advance();
    }

private:
    void received(Message message, bool echo)
    {
        emitEvent(messageEvent(message));
        if (echo) {
            if (message.text)
                socket->sendTextMessage(QString::fromUtf8(message.data));
            else
                socket->sendBinaryMessage(message.data);
            return;
        }
        messages.push_back(std::move(message));
        advance();
    }

    void fail(const QString &why)
    {
        if (done)
            return;
        emitEvent({{QStringLiteral("type"), QStringLiteral("error")},
            {QStringLiteral("message"), QStringLiteral("step %1: %2").arg(index + 1).arg(why)}});
        ok = false;
        index = options.steps.size() + 1; // skip the rest: close, then finish
        deadline.stop();
        if (!closeCode)
            socket->close();
        advance();
    }

    // Runs steps until one must wait for the peer.
    void advance()
    {
        if (done)
            return;
        while (index < options.steps.size()) {
            if (!runStep(options.steps.at(index).toObject()))
                return; // waiting; called again on the next event
            deadline.stop();
            ++index;
            waiting = false;
        }
        if (index == options.steps.size()) { // the script is over: close normally if still open
            ++index;
            if (!closeCode)
                socket->close(QWebSocketProtocol::CloseCodeNormal);
        }
        if (!closeCode) {
            if (!deadline.isActive() && options.mode != QStringLiteral("echo"))
                deadline.start(options.timeoutMs);
            return;
        }
        deadline.stop();
        done = true;
        finished(ok);
    }

    // Returns true when the step is complete, false when it waits (its deadline then runs).
    bool runStep(const QJsonObject &step)
    {
        const auto wait = [this] {
            if (!waiting) {
                waiting = true;
                deadline.start(options.timeoutMs);
            }
            return false;
        };
        const QString expect = step.value(QStringLiteral("expect")).toString();
        if (step.contains(QStringLiteral("send"))) {
            const bool text
                = step.value(QStringLiteral("send")).toString() == QStringLiteral("text");
            if (closeCode) {
                fail(QStringLiteral("cannot send: the connection is closed"));
                return false;
            }
            const QByteArray data = payload(step, text);
            if (text)
                socket->sendTextMessage(QString::fromUtf8(data));
            else
                socket->sendBinaryMessage(data);
            return true;
        }
        if (step.contains(QStringLiteral("ping"))) {
            const QByteArray ping = step.value(QStringLiteral("ping")).toString().toUtf8();
            if (!waiting)
                socket->ping(ping);
            const auto found = std::find(pongs.begin(), pongs.end(), ping);
            if (found == pongs.end())
                return closeCode ? (fail(QStringLiteral("closed before the pong")), false) : wait();
            pongs.erase(found);
            return true;
        }
        if (step.contains(QStringLiteral("close"))) {
            if (!waiting) {
                const int code = step.value(QStringLiteral("close")).toInt();
                socket->close(static_cast<QWebSocketProtocol::CloseCode>(code),
                    step.value(QStringLiteral("reason")).toString());
            }
            return closeCode ? true : wait();
        }
        if (expect == QStringLiteral("close")) {
            if (!closeCode)
                return wait();
            if (step.contains(QStringLiteral("code"))
                && step.value(QStringLiteral("code")).toInt() != *closeCode) {
                fail(QStringLiteral("close code %1 instead of %2")
                         .arg(*closeCode)
                         .arg(step.value(QStringLiteral("code")).toInt()));
                return false;
            }
            if (step.contains(QStringLiteral("reason"))
                && step.value(QStringLiteral("reason")).toString() != closeReason) {
                fail(QStringLiteral("close reason \"%1\" instead of \"%2\"")
                         .arg(closeReason, step.value(QStringLiteral("reason")).toString()));
                return false;
            }
            return true;
        }
        if (expect == QStringLiteral("text") || expect == QStringLiteral("binary")) {
            if (messages.empty()) {
                if (closeCode) {
                    fail(QStringLiteral("connection closed while expecting %1").arg(expect));
                    return false;
                }
                return wait();
            }
            const Message message = std::move(messages.front());
            messages.pop_front();
            const QString problems = check(step, message, expect == QStringLiteral("text"));
            if (!problems.isEmpty()) {
                fail(QStringLiteral("expected %1: %2").arg(expect, problems));
                return false;
            }
            return true;
        }
        fail(QStringLiteral("unknown step %1")
                 .arg(QString::fromUtf8(QJsonDocument(step).toJson(QJsonDocument::Compact))));
        return false;
    }

    static QByteArray payload(const QJsonObject &step, bool text)
    {
        if (step.contains(QStringLiteral("content")))
            return step.value(QStringLiteral("content")).toString().toUtf8();
        if (step.contains(QStringLiteral("hex")))
            return QByteArray::fromHex(step.value(QStringLiteral("hex")).toString().toLatin1());
        return pattern(text, step.value(QStringLiteral("size")).toInteger());
    }

    static QString check(const QJsonObject &step, const Message &message, bool text)
    {
        QStringList problems;
        if (message.text != text)
            problems << QStringLiteral("type differs");
        if (step.contains(QStringLiteral("size"))
            && step.value(QStringLiteral("size")).toInteger() != message.data.size())
            problems << QStringLiteral("size %1 instead of %2")
                            .arg(message.data.size())
                            .arg(step.value(QStringLiteral("size")).toInteger());
        const QJsonObject got = messageEvent(message);
        if (step.contains(QStringLiteral("sha256"))
            && step.value(QStringLiteral("sha256")).toString().toLower()
                != got.value(QStringLiteral("sha256")).toString())
            problems << QStringLiteral("sha256 differs");
        if (step.contains(QStringLiteral("content"))
            && step.value(QStringLiteral("content")).toString().toUtf8() != message.data)
            problems << QStringLiteral("content differs");
        if (step.contains(QStringLiteral("hex"))
            && QByteArray::fromHex(step.value(QStringLiteral("hex")).toString().toLatin1())
                != message.data)
            problems << QStringLiteral("bytes differ");
        if (step.value(QStringLiteral("pattern")).toBool()
            && pattern(text, step.value(QStringLiteral("size")).toInteger(message.data.size()))
                != message.data)
            problems << QStringLiteral("not the size pattern");
        return problems.join(QStringLiteral(", "));
    }

    QWebSocket *socket;
    const Options &options;
    QTimer deadline;
    qsizetype index = 0;
    bool waiting = false;
    bool ok = true;
    bool done = false;
    std::deque<Message> messages;
    std::deque<QByteArray> pongs;
    std::optional<int> closeCode;
    QString closeReason;
};

QSslConfiguration tlsConfiguration(const Options &options, bool server)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    if (!options.cert.isEmpty()) {
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(options.cert);
        QFile keyFile(options.key);
        if (chain.isEmpty() || !keyFile.open(QIODevice::ReadOnly))
            usage(
                QStringLiteral("cannot read --cert %1 or --key %2").arg(options.cert, options.key));
        QSslKey key(&keyFile, QSsl::Ec);
        if (key.isNull()) {
            keyFile.seek(0);
            key = QSslKey(&keyFile, QSsl::Rsa);
        }
        configuration.setLocalCertificateChain(chain);
        configuration.setPrivateKey(key);
    }
    if (!options.ca.isEmpty()) {
        const QList<QSslCertificate> ca = QSslCertificate::fromPath(options.ca);
        if (ca.isEmpty())
            usage(QStringLiteral("cannot read --ca %1").arg(options.ca));
        configuration.setCaCertificates(ca); // trust only it
        if (server)
            configuration.setPeerVerifyMode(QSslSocket::VerifyPeer); // mutual TLS
    } else if (server) {
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    return configuration;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("QtWebSockets peer for qtws interop tests"));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("role"), QStringLiteral("server or client"));
    parser.addPositionalArgument(
        QStringLiteral("url"), QStringLiteral("client: ws:// or wss:// URL"));
    const auto option = [&parser](const char *name, const char *help, const char *fallback = "") {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help),
            QStringLiteral("value"), QString::fromLatin1(fallback));
        parser.addOption(o);
        return o;
    };
    const auto mode = option("mode", "echo, script or close", "echo");
    const auto script = option("script", "JSON list of steps, or a file holding one");
    const auto closeCode = option("close-code", "close mode: the code", "1000");
    const auto closeReason = option("close-reason", "close mode: the reason");
    const auto host = option("host", "address to bind", "127.0.0.1");
    const auto port = option("port", "port to bind (0: ephemeral)", "0");
    const auto subprotocol = option("subprotocol", "comma-separated subprotocols");
    const auto compression = option("compression", "on or off (Qt: off only)", "off");
    const auto maxSize = option("max-size", "largest message accepted, bytes", "67108864");
    const auto timeout = option("timeout", "seconds per step", "10");
    const auto cert = option("cert", "PEM certificate (server: serve wss; client: present it)");
    const auto key = option("key", "PEM private key of --cert");
    const auto ca = option("ca", "PEM CA (client: trust only it; server: require client certs)");
    parser.process(app);

    Options options;
    options.mode = parser.value(mode);
    options.steps = loadScript(parser.value(script));
    if (!parser.value(subprotocol).isEmpty())
        options.subprotocols = parser.value(subprotocol).split(u',');
    options.maxSize = parser.value(maxSize).toULongLong();
    options.timeoutMs = int(parser.value(timeout).toDouble() * 1000);
    options.cert = parser.value(cert);
    options.key = parser.value(key);
    options.ca = parser.value(ca);
    if (parser.value(compression) != QStringLiteral("off"))
        usage(QStringLiteral("QtWebSockets has no permessage-deflate: --compression off only"));
    if (options.cert.isEmpty() != options.key.isEmpty())
        usage(QStringLiteral("--cert and --key go together"));
    if (options.mode == QStringLiteral("close"))
        options.steps
            = QJsonArray{QJsonObject{{QStringLiteral("close"), parser.value(closeCode).toInt()},
                {QStringLiteral("reason"), parser.value(closeReason)}}};
    else if (options.mode != QStringLiteral("echo") && options.mode != QStringLiteral("script"))
        usage(QStringLiteral("unknown --mode %1").arg(options.mode));

    const QStringList positional = parser.positionalArguments();
    const QString role = positional.value(0);
    if (role == QStringLiteral("server")) {
        const bool secure = !options.cert.isEmpty();
        auto *server = new QWebSocketServer(QStringLiteral("qt_peer"),
            secure ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, &app);
        if (secure)
            server->setSslConfiguration(tlsConfiguration(options, true));
        server->setSupportedSubprotocols(options.subprotocols);
        QObject::connect(
            server, &QWebSocketServer::sslErrors, server, [](const QList<QSslError> &errors) {
                for (const QSslError &error : errors)
                    emitEvent({{QStringLiteral("type"), QStringLiteral("error")},
                        {QStringLiteral("message"), error.errorString()}});
            });
        QObject::connect(server, &QWebSocketServer::newConnection, server, [server, &options] {
            while (QWebSocket *socket = server->nextPendingConnection()) {
                auto *session = new Session(socket, options, server);
                session->finished = [session](bool ok) {
                    emitEvent({{QStringLiteral("type"), QStringLiteral("done")},
                        {QStringLiteral("ok"), ok}});
                    session->deleteLater();
                };
                session->start();
            }
        });
        if (!server->listen(QHostAddress(parser.value(host)), quint16(parser.value(port).toUInt())))
            usage(QStringLiteral("cannot listen: %1").arg(server->errorString()));
        std::printf("listening on %u\n", unsigned(server->serverPort()));
        std::fflush(stdout);
        return app.exec(); // until SIGTERM, whose default action ends the process
    }
    if (role != QStringLiteral("client") || positional.size() < 2)
        usage(QStringLiteral("usage: qt_peer server [options] | client URL [options]"));

    options.mode = QStringLiteral("script"); // a client always runs its script (maybe empty)
    const QUrl url(positional.at(1));
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest);
    if (url.scheme() == QStringLiteral("wss"))
        socket->setSslConfiguration(tlsConfiguration(options, false));
    bool opened = false;
    std::unique_ptr<Session> session;
    const auto connectFailed = [&](const QString &why) {
        if (opened)
            return;
        emitEvent({{QStringLiteral("type"), QStringLiteral("error")},
            {QStringLiteral("message"), QStringLiteral("connect failed: %1").arg(why)}});
        opened = true; // report once
        QCoreApplication::exit(1);
    };
    QObject::connect(socket, &QWebSocket::sslErrors, &app, [&](const QList<QSslError> &errors) {
        QStringList texts;
        for (const QSslError &error : errors)
            texts << error.errorString();
        connectFailed(texts.join(QStringLiteral("; ")));
    });
    QObject::connect(socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), &app,
        [&](QAbstractSocket::SocketError) { connectFailed(socket->errorString()); });
    QTimer connectDeadline;
    QObject::connect(socket, &QWebSocket::connected, &app, [&] {
        opened = true;
        connectDeadline.stop();
        session = std::make_unique<Session>(socket, options);
        session->finished = [](bool ok) { QCoreApplication::exit(ok ? 0 : 1); };
        session->start();
    });
    connectDeadline.setSingleShot(true);
    QObject::connect(&connectDeadline, &QTimer::timeout, &app,
        [&] { connectFailed(QStringLiteral("timed out")); });
    connectDeadline.start(options.timeoutMs);

    QWebSocketHandshakeOptions handshake;
    handshake.setSubprotocols(options.subprotocols);
    socket->open(url, handshake);
    const int result = app.exec();
    connectDeadline.stop();
    if (!session)
        delete socket; // otherwise the session owns it
    return result;
}
