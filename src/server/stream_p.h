// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/stream.h>

#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtNetwork/QTcpSocket>

#include <memory>

namespace qtws::http {

class ServerConnection;

// A Stream's state: the request, the response being built and how its body is framed.
class StreamPrivate
{
public:
    enum class Framing {
        None, // no body on the wire: HEAD, 1xx, 204, 304
        Length, // Content-Length
        Chunked, // Transfer-Encoding: chunked (RFC 9112 §7.1)
        UntilClose, // HTTP/1.0 without a length: the close ends the body (RFC 9112 §6.3)
    };

    static Stream *create(ServerConnection *connection, Request request,
        const QAbstractSocket *socket, bool encrypted);
    static StreamPrivate *get(Stream *stream) { return stream->d.get(); }

    // The client went away (or the server was aborted) before end().
    void markDisconnected();
    // The socket was taken by detachSocket(): every further call is misuse.
    void markHandedOver();

    // RFC 9112 §9.3 and §9.6: does the request ask for the connection to close after it?
    bool requestWantsClose() const;
    bool isHeadRequest() const;
    // Warns and returns false when the stream can no longer be written to (what names the
    // caller). After a client disconnect it returns false quietly: that is no misuse.
    bool checkWritable(const char *what) const;
    void send(QByteArray bytes);

    Stream *q = nullptr;
    QPointer<ServerConnection> connection;
    Request request;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool encrypted = false;

    int status = 200;
    QByteArray reason;
    Headers headers;

    Framing framing = Framing::None;
    qint64 declaredLength = -1; // Content-Length sent, or -1
    qint64 bodyWritten = 0;
    bool headSent = false;
    bool ended = false;
    bool deferred = false;
    bool disconnected = false;
    bool handedOver = false;
    bool closeAfter = false; // the connection closes once this response ended
};

// The upgrade seam: what detachSocket() hands to qtws::upgrade().
struct DetachedSocket
{
    // The connection's socket, a QSslSocket when encrypted is true; no parent, no signal
    // connections to the http::Server, no read-buffer limit, every server timer stopped.
    // Null when detaching was refused (see errorString).
    std::unique_ptr<QAbstractSocket> socket;
    // Bytes the client sent after the request (the first WebSocket frames, if it did not wait
    // for the 101): the new owner must process them before anything it reads from socket.
    QByteArray leftover;
    bool encrypted = false;
    QString errorString;

    bool isValid() const { return socket != nullptr; }
};

// Takes the socket of stream's connection away from the http::Server, for a protocol switch
// (RFC 9110 §7.8). Allowed while the stream's response has not started: it fails with
// "stream cannot be upgraded: response already started" after startWrite()/write()/end(), and
// also when the stream ended, the client disconnected or the socket was already taken.
// The server keeps counting the socket against maxConnections until it disconnects or is
// destroyed. The Stream stays readable (request(), peerAddress(), isEncrypted()) until the
// handler returns; its response functions warn and do nothing from now on.
DetachedSocket detachSocket(Stream &stream);

} // namespace qtws::http
