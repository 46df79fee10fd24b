#include "serverfixtures.h"

#include <QtWs/handshake.h>
#include <QtWs/http/parser.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QTimer>

namespace qtws::test {

bool RawClient::connectTo(quint16 port)
{
    socket.connectToHost(QHostAddress(QHostAddress::LocalHost), port);
    return socket.waitForConnected(5000);
}

void RawClient::waitForActivity(int ms)
{
    QEventLoop loop;
    QObject::connect(&socket, &QIODevice::readyRead, &loop, &QEventLoop::quit);
    QObject::connect(&socket, &QAbstractSocket::disconnected, &loop, &QEventLoop::quit);
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

std::optional<http::Response> RawClient::readResponse(int timeoutMs)
{
    http::Parser parser(http::Parser::Mode::Response);
    parser.setRequestMethod("GET");
    QElapsedTimer clock;
    clock.start();
    for (;;) {
        buffer += socket.readAll();
        buffer.remove(0, parser.feed(buffer));
        if (parser.state() == http::Parser::State::HeadComplete)
            buffer.remove(0, parser.feed(buffer));
        if (parser.state() == http::Parser::State::MessageComplete)
            return parser.takeResponse();
        if (parser.state() == http::Parser::State::Error
            || socket.state() == QAbstractSocket::UnconnectedState || clock.elapsed() >= timeoutMs)
            return std::nullopt;
        waitForActivity(int(timeoutMs - clock.elapsed()));
    }
}

bool RawClient::waitForBytes(qsizetype n, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while ((buffer += socket.readAll()).size() < n) {
        if (socket.state() == QAbstractSocket::UnconnectedState || clock.elapsed() >= timeoutMs)
            return false;
        waitForActivity(int(timeoutMs - clock.elapsed()));
    }
    return true;
}

bool RawClient::connectAndUpgrade(quint16 port)
{
    if (!connectTo(port)) {
        qWarning("cannot connect to 127.0.0.1:%u", unsigned(port));
        return false;
    }
    handshake::ClientRequestSpec spec;
    spec.host = "127.0.0.1:" + QByteArray::number(port);
    const handshake::ClientRequestBuildResult request = handshake::buildClientRequest(spec);
    if (!request.ok()) {
        qWarning("cannot build the request: %s", request.error.constData());
        return false;
    }
    send(request.request.serialize());
    const std::optional<http::Response> response = readResponse();
    if (!response) {
        qWarning("no handshake response");
        return false;
    }
    const handshake::ServerResponseCheckResult accepted
        = handshake::checkServerResponse(*response, request.request);
    if (!accepted.ok()) {
        qWarning("handshake refused: %s", accepted.error.constData());
        return false;
    }
    return buffer.isEmpty();
}

QList<std::pair<int, QByteArray>> smallServerFrames(const QByteArray &bytes, QString *error)
{
    QList<std::pair<int, QByteArray>> frames;
    for (qsizetype at = 0; at < bytes.size();) {
        const QString where = QStringLiteral(" at byte %1 of %2")
                                  .arg(at)
                                  .arg(QString::fromLatin1(bytes.toHex(' ')));
        if (at + 2 > bytes.size()) {
            *error = QStringLiteral("a cut frame header") + where;
            return frames;
        }
        const uchar first = uchar(bytes.at(at));
        const uchar second = uchar(bytes.at(at + 1));
        if ((first & 0xf0) != 0x80 || second >= 126 || at + 2 + second > bytes.size()) {
            *error = QStringLiteral("not a final, unmasked, small, whole frame") + where;
            return frames;
        }
        frames.append({first & 0x0f, bytes.mid(at + 2, second)});
        at += 2 + second;
    }
    return frames;
}

bool RawClient::waitForClosed(int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (socket.state() != QAbstractSocket::UnconnectedState) {
        buffer += socket.readAll();
        if (clock.elapsed() >= timeoutMs)
            return false;
        waitForActivity(int(timeoutMs - clock.elapsed()));
    }
    buffer += socket.readAll();
    return true;
}

QByteArray handshakeRequest(QByteArrayView target, QByteArrayView extra)
{
    return "GET " + target.toByteArray()
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + extra.toByteArray() + "\r\n";
}

QByteArray maskedFrame(quint8 opcode, const QByteArray &payload)
{
    Q_ASSERT(payload.size() < 126);
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    QByteArray frame;
    frame.append(char(0x80 | opcode)).append(char(0x80 | payload.size())).append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload.at(i) ^ mask[i % 4]));
    return frame;
}

QByteArray maskedTextFrame(const QByteArray &payload)
{
    return maskedFrame(0x1, payload);
}

QByteArray maskedCloseFrame(quint16 code, const QByteArray &reason)
{
    return maskedFrame(0x8, QByteArray(1, char(code >> 8)) + char(code & 0xff) + reason);
}

void echo(WebSocket *ws)
{
    QObject::connect(ws, &WebSocket::textMessageReceived, ws,
        [ws](const QString &text) { ws->sendTextMessage(text); });
    QObject::connect(ws, &WebSocket::binaryMessageReceived, ws,
        [ws](const QByteArray &bytes) { ws->sendBinaryMessage(bytes); });
}

} // namespace qtws::test
