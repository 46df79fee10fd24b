// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "fixture.h"

#include "interopchecks.h"
#include "peerprocess.h"
#include "testcertificates.h"

#include <QtWs/handshake.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QJsonObject>
#include <QtQml/QJSEngine>

namespace qtws::test {

namespace {

Fixture *theInstance = nullptr;

// The echo every qtws server of the fixture runs (see Fixture::qtwsUrl).
void handle(WebSocket *ws)
{
    QObject::connect(ws, &WebSocket::textMessageReceived, ws, [ws](const QString &text) {
        if (text.startsWith(QLatin1String("close "))) {
            const QString rest = text.mid(6);
            const qsizetype space = rest.indexOf(QLatin1Char(' '));
            const int code = rest.left(space).toInt();
            ws->close(CloseCode(code), space < 0 ? QString() : rest.mid(space + 1));
            return;
        }
        ws->sendTextMessage(text);
    });
    QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
        [ws](const QByteArray &bytes) { ws->sendBinaryMessage(bytes); });
}

QVariantMap headersOf(const http::Request &request)
{
    QVariantMap headers;
    // Repeated fields joined with ", " (RFC 9110 §5.3), so a test sees each one arrived.
    for (const auto &[name, value] : request.headers) {
        const QString key = QString::fromLatin1(name).toLower();
        const QString previous = headers.value(key).toString();
        const QString text = QString::fromLatin1(value);
        headers.insert(key, previous.isEmpty() ? text : QString(previous + u", " + text));
    }
    return headers;
}

} // namespace

Fixture *Fixture::instance()
{
    if (!theInstance) {
        theInstance = new Fixture;
        theInstance->start();
    }
    return theInstance;
}

void Fixture::destroyInstance()
{
    delete theInstance;
    theInstance = nullptr;
}

Fixture *Fixture::create(QQmlEngine *, QJSEngine *engine)
{
    Fixture *fixture = instance();
    // Each test file has its own engine; none of them may delete the shared fixture.
    engine->setObjectOwnership(fixture, QJSEngine::CppOwnership);
    return fixture;
}

Fixture::Fixture() = default;
Fixture::~Fixture() = default;

void Fixture::openFrameCounter(const QUrl &url)
{
    m_frameCounter = std::make_unique<WebSocket>();
    m_framesSoFar = 0;
    m_frameCounts.clear();
    const auto count = [this](const QByteArray &, bool isLastFrame) {
        ++m_framesSoFar;
        if (isLastFrame) {
            m_frameCounts.append(m_framesSoFar);
            m_framesSoFar = 0;
        }
    };
    connect(m_frameCounter.get(), &WebSocket::textFrameReceived, this, count);
    connect(m_frameCounter.get(), &WebSocket::binaryFrameReceived, this, count);
    ClientOptions options;
    options.deliverFrames = true;
    m_frameCounter->open(url, options);
}

bool Fixture::frameCounterOpen() const
{
    return m_frameCounter && m_frameCounter->state() == WebSocket::State::Open;
}

void Fixture::closeFrameCounter()
{
    m_frameCounter.reset();
}

bool Fixture::startServer(std::unique_ptr<Server> &server, bool tls)
{
    ServerOptions options;
    options.websocket.subprotocols = {QStringLiteral("chat")};
    options.websocket.checkOrigin = [tls](const http::Request &request) {
        return request.path() != QLatin1String("/forbidden")
            && handshake::isOriginAllowedByDefault(
                request, tls ? handshake::Transport::Tls : handshake::Transport::Plain);
    };
    if (tls) {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setLocalCertificate(m_certificates->server().certificate);
        configuration.setPrivateKey(m_certificates->server().key);
        options.tls = configuration;
    }
    server = std::make_unique<Server>(
        [this](WebSocket *ws) {
            m_lastRequestHeaders = headersOf(ws->handshakeRequest());
            handle(ws);
            const QString path = ws->handshakeRequest().path();
            connect(ws, &WebSocket::closed, this, [this, path](int code, const QString &reason) {
                m_serverCloses.append(QVariantMap{{QStringLiteral("code"), code},
                    {QStringLiteral("reason"), reason}, {QStringLiteral("path"), path}});
            });
        },
        std::move(options));
    if (!server->listen()) {
        m_setupError += QStringLiteral("qtws server: %1\n").arg(server->errorString());
        return false;
    }
    return true;
}

void Fixture::start()
{
    m_certificates = std::make_unique<TestCertificates>();
    if (!m_certificates->isValid()) {
        m_setupError += QStringLiteral("certificates: %1\n").arg(m_certificates->errorString());
        return;
    }
    startServer(m_qtws, false);
    startServer(m_qtwsTls, true);

    const auto python = [this](std::unique_ptr<PeerProcess> &peer, const QStringList &arguments) {
        peer = std::make_unique<PeerProcess>(PeerKind::Python);
        if (!peer->startServer(arguments))
            m_setupError += QStringLiteral("python server %1: %2\n")
                                .arg(arguments.join(QLatin1Char(' ')), peer->diagnostics());
    };
    python(m_python,
        {QStringLiteral("--mode"), QStringLiteral("echo"), QStringLiteral("--subprotocol"),
            QStringLiteral("chat"), QStringLiteral("--compression"), QStringLiteral("on")});
    python(m_pythonClose,
        {QStringLiteral("--mode"), QStringLiteral("close"), QStringLiteral("--close-code"),
            QStringLiteral("4002"), QStringLiteral("--close-reason"),
            QStringLiteral("python bye")});
    python(m_pythonRefuse, {QStringLiteral("--refuse"), QStringLiteral("403")});
    python(m_pythonTls,
        QStringList{QStringLiteral("--mode"), QStringLiteral("echo")}
            + tlsServerArguments(m_certificates->server()));
}

QUrl Fixture::qtwsUrl() const
{
    return m_qtws ? m_qtws->serverUrl() : QUrl();
}

QUrl Fixture::qtwsTlsUrl() const
{
    return m_qtwsTls ? m_qtwsTls->serverUrl() : QUrl();
}

QUrl Fixture::pythonUrl() const
{
    return m_python ? m_python->url() : QUrl();
}

QUrl Fixture::pythonCloseUrl() const
{
    return m_pythonClose ? m_pythonClose->url() : QUrl();
}

QUrl Fixture::pythonRefuseUrl() const
{
    return m_pythonRefuse ? m_pythonRefuse->url() : QUrl();
}

QUrl Fixture::pythonTlsUrl() const
{
    return m_pythonTls ? m_pythonTls->url(QStringLiteral("/"), true) : QUrl();
}

QUrl Fixture::caFile() const
{
    return QUrl::fromLocalFile(m_certificates->ca().certificatePath);
}

QString Fixture::caPath() const
{
    return m_certificates->ca().certificatePath;
}

QUrl Fixture::certificateFile() const
{
    return QUrl::fromLocalFile(m_certificates->server().certificatePath);
}

QUrl Fixture::privateKeyFile() const
{
    return QUrl::fromLocalFile(m_certificates->server().keyPath);
}

QUrl Fixture::qtWebSocketsApp() const
{
    return QUrl::fromLocalFile(QStringLiteral(QTWS_QT_WEBSOCKETS_APP));
}

QUrl Fixture::qtwsApp() const
{
    return QUrl::fromLocalFile(QStringLiteral(QTWS_QTWS_APP));
}

QVariantList Fixture::pythonEvents() const
{
    QVariantList list;
    if (m_python)
        for (const QJsonObject &event : m_python->events())
            list.append(event.toVariantMap());
    return list;
}

PeerClient *Fixture::startPythonClient(
    const QUrl &url, const QString &script, const QStringList &arguments)
{
    auto process = std::make_unique<PeerProcess>(PeerKind::Python);
    if (!process->startClient(url, QStringList{QStringLiteral("--script"), script} + arguments))
        qWarning("python client did not start: %s", qPrintable(process->diagnostics()));
    // Returned to QML without a parent: the JS engine owns it (a test keeps it in a variable).
    return new PeerClient(std::move(process));
}

} // namespace qtws::test
