#include "scriptedserver.h"

#include "websocket/websocket_p.h"

#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>

#include <QtNetwork/QSslServer>
#include <QtTest/QTest>

#include <memory>

namespace qtws::test {

namespace {
constexpr int waitMs = 10'000; // every wait is bounded; generous for sanitizer builds
}

ScriptedServer::ScriptedServer(const std::optional<QSslConfiguration> &tls)
{
    if (tls) {
        auto *sslServer = new QSslServer(this);
        sslServer->setSslConfiguration(*tls);
        m_server = sslServer;
    } else {
        m_server = new QTcpServer(this);
    }
    QVERIFY(m_server->listen(QHostAddress::LocalHost));
    connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = m_server->nextPendingConnection()) {
            socket->setParent(this);
            if (onAccept && !onAccept(socket))
                continue;
            startReading(socket);
        }
    });
}

QString ScriptedServer::scheme() const
{
    return qobject_cast<QSslServer *>(m_server) ? QStringLiteral("wss") : QStringLiteral("ws");
}

QUrl ScriptedServer::url(const QString &path, const QString &authority) const
{
    return QUrl(QStringLiteral("%1://%2:%3%4").arg(scheme(), authority).arg(port()).arg(path));
}

http::Response ScriptedServer::write101(QTcpSocket *socket, const http::Request &request,
    const QByteArray &subprotocol, const QByteArray &trailing, const http::Headers &extra)
{
    const handshake::ClientRequestCheckResult check = handshake::checkClientRequest(request);
    Q_ASSERT(check.ok());
    handshake::AcceptResponseSpec spec;
    spec.key = check.key;
    spec.subprotocol = subprotocol;
    spec.extraHeaders = extra;
    const handshake::AcceptResponseBuildResult built = handshake::buildAcceptResponse(spec);
    Q_ASSERT(built.ok());
    socket->write(built.response.serialize() + trailing);
    return built.response;
}

void ScriptedServer::redirect(
    QTcpSocket *socket, int status, const QByteArray &location, const QByteArray &extraHeaderLines)
{
    socket->write("HTTP/1.1 " + QByteArray::number(status) + " Redirect\r\nLocation: " + location
        + "\r\n" + extraHeaderLines + "Content-Length: 0\r\n\r\n");
    socket->disconnectFromHost();
}

WebSocket *ScriptedServer::accept(Peer &peer, const QByteArray &subprotocol,
    Conn::Options codecOptions, std::chrono::milliseconds closeTimeout)
{
    const http::Response response = write101(peer.socket, peer.request, subprotocol);
    return adopt(peer, response, subprotocol, std::move(codecOptions), closeTimeout);
}

WebSocket *ScriptedServer::acceptWithHeaders(Peer &peer, const http::Headers &extra)
{
    const http::Response response = write101(peer.socket, peer.request, {}, {}, extra);
    return adopt(peer, response, {}, {}, std::chrono::milliseconds(5'000));
}

WebSocket *ScriptedServer::waitForAdopted(int index)
{
    if (!QTest::qWaitFor([&] { return adopted.size() > index; }, waitMs))
        return nullptr;
    return adopted.at(index);
}

WebSocket *ScriptedServer::adopt(Peer &peer, const http::Response &response,
    const QByteArray &subprotocol, Conn::Options codecOptions,
    std::chrono::milliseconds closeTimeout)
{
    ServerSideSpec spec;
    spec.socket = peer.socket;
    spec.leftover = peer.leftover;
    spec.request = peer.request;
    spec.response = response;
    spec.subprotocol = QString::fromUtf8(subprotocol);
    spec.codecOptions = std::move(codecOptions);
    spec.closeTimeout = closeTimeout;
    WebSocket *ws = WebSocketPrivate::createServerSide(std::move(spec), this);
    adopted.append(ws);
    return ws;
}

void ScriptedServer::startReading(QTcpSocket *socket)
{
    auto parser = std::make_shared<http::Parser>(http::Parser::Mode::Request);
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(socket, &QTcpSocket::readyRead, this, [=, this] {
        const QByteArray data = socket->readAll();
        const qsizetype used = parser->feed(data);
        if (parser->state() != http::Parser::State::MessageComplete)
            return;
        disconnect(*connection);
        Peer peer{socket, parser->takeRequest(), data.mid(used)};
        requests.append(peer.request);
        if (script)
            script(peer);
    });
}

} // namespace qtws::test
