// A minimal in-test WebSocket server for the client's tests (tests/websocket): reads each
// client's request head with the project's HTTP parser, then runs the test's script, which
// answers as the test needs (a correct 101, a refusal, a redirect, a wrong accept value,
// silence...) and then adopts the socket into a server-side WebSocket or speaks raw bytes.
// Uses qtws's private websocket header; the tests that use it link the qtws layers themselves.
#pragma once

#include <QtWs/conn.h>
#include <QtWs/http/headers.h>
#include <QtWs/http/request.h>
#include <QtWs/http/response.h>
#include <QtWs/websocket.h>

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QUrl>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <chrono>
#include <functional>
#include <optional>

namespace qtws::test {

// A connection accepted by the ScriptedServer once the client's request head has arrived.
struct Peer
{
    QTcpSocket *socket = nullptr;
    http::Request request;
    QByteArray leftover; // bytes after the request head
};

class ScriptedServer : public QObject
{
public:
    std::function<void(Peer &)> script;
    // Called on accept, before anything is read (false: stop there, e.g. never read).
    std::function<bool(QTcpSocket *)> onAccept;
    QList<QPointer<WebSocket>> adopted;
    QList<http::Request> requests; // every request head, in order

    // With a TLS configuration it is a wss:// server (QSslServer hands over sockets once their
    // TLS handshake is done). Fails the running test when it cannot listen.
    explicit ScriptedServer(const std::optional<QSslConfiguration> &tls = std::nullopt);

    quint16 port() const { return m_server->serverPort(); }
    QString scheme() const;
    QUrl url(const QString &path = QStringLiteral("/"),
        const QString &authority = QStringLiteral("127.0.0.1")) const;

    // The correct 101 for request (optionally with a subprotocol and extra headers), written
    // to socket, followed by trailing bytes.
    static http::Response write101(QTcpSocket *socket, const http::Request &request,
        const QByteArray &subprotocol = {}, const QByteArray &trailing = {},
        const http::Headers &extra = {});

    // A redirect to location, with extra header lines ("Name: value\r\n"); then disconnects.
    static void redirect(QTcpSocket *socket, int status, const QByteArray &location,
        const QByteArray &extraHeaderLines = {});

    // Answers with a 101 and hands the socket to a server-side WebSocket.
    WebSocket *accept(Peer &peer, const QByteArray &subprotocol = {},
        Conn::Options codecOptions = {},
        std::chrono::milliseconds closeTimeout = std::chrono::milliseconds(5'000));
    // The same, with extra headers in the 101.
    WebSocket *acceptWithHeaders(Peer &peer, const http::Headers &extra);

    // The index-th adopted WebSocket, waiting (bounded) for it; nullptr on timeout.
    WebSocket *waitForAdopted(int index = 0);

private:
    WebSocket *adopt(Peer &peer, const http::Response &response, const QByteArray &subprotocol,
        Conn::Options codecOptions, std::chrono::milliseconds closeTimeout);
    void startReading(QTcpSocket *socket);

    QTcpServer *m_server = nullptr;
};

} // namespace qtws::test
