// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The QML tests' fixture, the singleton `Fixture` of the test-only module QtWsTest: real servers
// started once for the whole run (a qtws::Server echo, plain and TLS; python3-websockets echo,
// close, refuse and TLS servers), their URLs, the test certificates, and python3-websockets
// clients the QML tests start (PeerClient).
#pragma once

#include "peerclient.h"

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QUrl>
#include <QtCore/QVariantList>
#include <QtQml/qqmlregistration.h>

#include <memory>

QT_BEGIN_NAMESPACE
class QQmlEngine;
class QJSEngine;
QT_END_NAMESPACE

namespace qtws {
class Server;
class WebSocket;
} // namespace qtws

namespace qtws::test {

class PeerProcess;
class TestCertificates;

class Fixture : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    // A qtws::Server on 127.0.0.1: echoes text and binary; the text "close CODE REASON" makes it
    // close with that code and reason; subprotocols "chat"; refuses the path /forbidden (403).
    Q_PROPERTY(QUrl qtwsUrl READ qtwsUrl CONSTANT)
    Q_PROPERTY(QUrl qtwsTlsUrl READ qtwsTlsUrl CONSTANT) // the same over wss
    // python3-websockets servers: echo (subprotocol "chat", permessage-deflate), close at once
    // with 4002 "python bye", refuse every handshake with 403, echo over wss.
    Q_PROPERTY(QUrl pythonUrl READ pythonUrl CONSTANT)
    Q_PROPERTY(QUrl pythonCloseUrl READ pythonCloseUrl CONSTANT)
    Q_PROPERTY(QUrl pythonRefuseUrl READ pythonRefuseUrl CONSTANT)
    Q_PROPERTY(QUrl pythonTlsUrl READ pythonTlsUrl CONSTANT)
    // TestCertificates' CA, and the server certificate and key (CN localhost, IP 127.0.0.1).
    Q_PROPERTY(QUrl caFile READ caFile CONSTANT)
    Q_PROPERTY(QString caPath READ caPath CONSTANT) // the same as a plain path
    Q_PROPERTY(QUrl certificateFile READ certificateFile CONSTANT)
    Q_PROPERTY(QUrl privateKeyFile READ privateKeyFile CONSTANT)
    // The migration app written for `import QtWebSockets`, and the same text with `import QtWs`.
    Q_PROPERTY(QUrl qtWebSocketsApp READ qtWebSocketsApp CONSTANT)
    Q_PROPERTY(QUrl qtwsApp READ qtwsApp CONSTANT)
    // Empty when every server started, else what failed (the tests check it first).
    Q_PROPERTY(QString setupError READ setupError CONSTANT)

public:
    // Starts everything; called once from the Quick Test setup, before any engine exists.
    static Fixture *instance();
    static void destroyInstance();
    // QML_SINGLETON: every test file's engine gets the one instance (owned by C++).
    static Fixture *create(QQmlEngine *, QJSEngine *engine);

    ~Fixture() override;

    QUrl qtwsUrl() const;
    QUrl qtwsTlsUrl() const;
    QUrl pythonUrl() const;
    QUrl pythonCloseUrl() const;
    QUrl pythonRefuseUrl() const;
    QUrl pythonTlsUrl() const;
    QUrl caFile() const;
    QString caPath() const;
    QUrl certificateFile() const;
    QUrl privateKeyFile() const;
    QUrl qtWebSocketsApp() const;
    QUrl qtwsApp() const;
    QString setupError() const { return m_setupError; }

    // The close frames the qtws servers received, oldest first: {code, reason, path}.
    Q_INVOKABLE QVariantList serverCloses() const { return m_serverCloses; }
    // The request headers of the latest handshake the qtws servers accepted (lower-case names).
    // (A QVariant: qmllint reads a QVariantMap as a type with no "x-token" member.)
    Q_INVOKABLE QVariant lastRequestHeaders() const { return m_lastRequestHeaders; }
    // A qtws client that also receives frame by frame (ClientOptions::deliverFrames), opened to
    // url (a QML WebSocketServer), so that a test sees how a server-side WebSocket framed what
    // it sent. frameCounts(): per message received, oldest first, how many frames it came in.
    Q_INVOKABLE void openFrameCounter(const QUrl &url);
    Q_INVOKABLE bool frameCounterOpen() const;
    Q_INVOKABLE QVariantList frameCounts() const { return m_frameCounts; }
    Q_INVOKABLE void closeFrameCounter();
    // The JSON events the python echo server printed so far.
    Q_INVOKABLE QVariantList pythonEvents() const;
    // A python3-websockets client running script (a JSON list of steps, tests/interop/README.md)
    // against url, with extra command-line arguments (e.g. ["--ca", path]).
    Q_INVOKABLE qtws::test::PeerClient *startPythonClient(
        const QUrl &url, const QString &script, const QStringList &arguments = {});

private:
    Fixture();
    void start();
    bool startServer(std::unique_ptr<Server> &server, bool tls);

    std::unique_ptr<TestCertificates> m_certificates;
    std::unique_ptr<Server> m_qtws;
    std::unique_ptr<Server> m_qtwsTls;
    std::unique_ptr<PeerProcess> m_python;
    std::unique_ptr<PeerProcess> m_pythonClose;
    std::unique_ptr<PeerProcess> m_pythonRefuse;
    std::unique_ptr<PeerProcess> m_pythonTls;
    QVariantList m_serverCloses;
    QVariantMap m_lastRequestHeaders;
    std::unique_ptr<WebSocket> m_frameCounter;
    int m_framesSoFar = 0;
    QVariantList m_frameCounts;
    QString m_setupError;
};

} // namespace qtws::test
