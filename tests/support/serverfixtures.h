// Fixtures for tests of qtws's server side (tests/server): a raw TCP client that speaks bytes
// exactly as given, the handshake request and client frames it sends, a qtws::WebSocket client
// with spies, and an echo handler. Every wait runs the event loop (the server lives on the test's
// thread) and is bounded. Uses qtws's public headers; the tests link the qtws layers themselves.
#pragma once

#include <QtWs/http/response.h>
#include <QtWs/websocket.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>
#include <QtCore/QUrl>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>

#include <optional>

namespace qtws::test {

// A raw client: writes bytes exactly as given, reads the response head with the project's
// parser and keeps whatever follows it (WebSocket frames) in buffer.
class RawClient
{
public:
    bool connectTo(quint16 port);
    // connectTo() and a correct opening handshake, its 101 checked (RFC 6455 §4.1); the
    // buffer is empty after it. False (and a warning saying why) otherwise.
    bool connectAndUpgrade(quint16 port);
    void send(const QByteArray &bytes) { socket.write(bytes); }
    // Runs the event loop until the socket reports data or a disconnect, or ms passed.
    void waitForActivity(int ms);
    std::optional<http::Response> readResponse(int timeoutMs = 5000);
    // At least n bytes after the response head, within timeoutMs.
    bool waitForBytes(qsizetype n, int timeoutMs = 5000);
    // True once the server closed the connection, within timeoutMs; what came before the close
    // is in buffer.
    bool waitForClosed(int timeoutMs = 5000);

    QTcpSocket socket;
    QByteArray buffer;
};

// A client's opening handshake for target, with extra header lines ("Name: value\r\n").
QByteArray handshakeRequest(QByteArrayView target, QByteArrayView extra = {});

// A final client frame of this opcode (RFC 6455 §5.2, §5.3: masked), payload under 126 bytes.
QByteArray maskedFrame(quint8 opcode, const QByteArray &payload);
// A client text frame, payload under 126 bytes.
QByteArray maskedTextFrame(const QByteArray &payload);
// A client close frame with this status code and reason (RFC 6455 §5.5.1).
QByteArray maskedCloseFrame(quint16 code, const QByteArray &reason = {});

// The frames a server sent, in order (opcode, payload): each must be final, unmasked and under
// 126 bytes (RFC 6455 §5.2), or *error says which is not and the list stops there.
QList<std::pair<int, QByteArray>> smallServerFrames(const QByteArray &bytes, QString *error);

// A client WebSocket with spies on what a test looks at.
struct Client
{
    explicit Client(const QUrl &url, const ClientOptions &options = {}) { ws.open(url, options); }
    bool waitConnected() { return connected.count() > 0 || connected.wait(10000); }
    bool waitClosed() { return closed.count() > 0 || closed.wait(10000); }
    int closeCode() const { return closed.isEmpty() ? -1 : closed.at(0).at(0).toInt(); }
    QString closeReason() const
    {
        return closed.isEmpty() ? QString() : closed.at(0).at(1).toString();
    }

    WebSocket ws;
    QSignalSpy connected{&ws, &WebSocket::connected};
    QSignalSpy texts{&ws, &WebSocket::textMessageReceived};
    QSignalSpy binaries{&ws, &WebSocket::binaryMessageReceived};
    QSignalSpy closed{&ws, &WebSocket::closed};
};

// A handler that echoes text as text and binary as binary.
void echo(WebSocket *ws);

} // namespace qtws::test
