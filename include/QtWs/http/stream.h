// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>
#include <QtWs/http/request.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QHostAddress>

#include <memory>

namespace qtws::http {

class StreamPrivate;

// One request/response exchange on a server connection: what an http::Server handler gets.
//
// The request is complete (head and body) when the handler runs. The handler sets the status
// and header fields, then writes the body, in any of three ways:
//
//   stream.end("hello");                      // whole body: sent with Content-Length
//
//   stream.setHeader("Content-Length", "5");  // known length, streamed
//   stream.write("hel"); stream.write("lo"); stream.end();
//
//   stream.startWrite();                      // unknown length: chunked for HTTP/1.1,
//   stream.write(part); ...; stream.end();    // close-delimited for HTTP/1.0
//
// The server owns the framing and connection management fields (RFC 9112 §6, §9): it adds
// Transfer-Encoding or Connection and Date as needed. To a HEAD request the head is sent as for
// GET and every body write is dropped (RFC 9110 §9.3.2), so a handler need not care (this also
// covers a Router's isHeadForGet match). Responses are sent in request order on a connection.
//
// A handler that returns without calling end() gets its stream ended for it (an empty 200 if it
// wrote nothing), unless it called defer(): then the stream stays open until end() is called
// from later code, e.g. when a reply from elsewhere arrives. If the client disconnects first,
// disconnected() is emitted, further writes return -1, and the Stream is deleted when control
// returns to the event loop, so the QPointer from defer() becomes null:
//
//   server handler:
//     QPointer<Stream> s = stream.defer();
//     QTimer::singleShot(100, [s] { if (s) s->end("later"); });
//
// A Stream is deleted soon after it ended; do not keep references to it beyond the handler
// except through defer()'s QPointer. Every function must be called from the server's thread.
class QTWS_EXPORT Stream : public QObject
{
    Q_OBJECT

public:
    ~Stream() override;

    // The request, with its body (decoded from any chunked transfer coding) and trailers.
    const Request &request() const;
    QHostAddress peerAddress() const;
    quint16 peerPort() const;
    // True when the connection is TLS (https, wss).
    bool isEncrypted() const;

    // The response status (default 200) and optional reason phrase (default: the standard one).
    // Only before startWrite(); afterwards a qCWarning and no effect.
    void setStatus(int status, const QByteArray &reason = {});
    int status() const;
    // Response header fields, also only before startWrite(). Setting Content-Length declares
    // the body's exact length; Transfer-Encoding is the server's and is ignored with a warning.
    void setHeader(QByteArrayView name, QByteArrayView value);
    void addHeader(QByteArrayView name, QByteArrayView value);
    const Headers &responseHeaders() const;

    // Sends the response head. Framing: the handler's Content-Length if set; otherwise chunked
    // for an HTTP/1.1 request, or the body ends when the connection closes (HTTP/1.0).
    // Returns false with a warning if the head was already sent or the stream ended or was
    // handed over. write() and end() call it when needed.
    bool startWrite();
    // Sends body bytes (starting the response first if needed). Returns how many were accepted:
    // bytes.size(), fewer when they go beyond a declared Content-Length (the rest is dropped
    // with a warning), or -1 after end(), after the client disconnected, or after an upgrade.
    // For HEAD requests the bytes are accepted and dropped.
    qint64 write(QByteArrayView bytes);
    // Finishes the response. If nothing was sent yet, the body is empty and sent with
    // Content-Length: 0. A body shorter than a declared Content-Length closes the connection
    // (the client would otherwise wait for the rest) with a warning.
    void end();
    // Sends body as the whole body and finishes: with Content-Length when the head was not sent
    // yet (unless the handler declared a different one), else like write(body) then end().
    void end(QByteArrayView body);

    // Keeps the stream open after the handler returns; see the class comment. Returns a guard
    // that becomes null when the stream is deleted (after end() or a client disconnect).
    QPointer<Stream> defer();
    bool isDeferred() const;
    bool isWriteStarted() const;
    bool isEnded() const;
    // False once the client disconnected or the connection was handed over (upgrade).
    bool isConnected() const;

    // Response bytes accepted but not yet on the wire; with drained(), lets a streaming handler
    // wait for a slow client instead of buffering a whole large body.
    qint64 bufferedAmount() const;

Q_SIGNALS:
    // The client disconnected (or the server was aborted) before end().
    void disconnected();
    // bufferedAmount() went back to 0.
    void drained();

private:
    friend class StreamPrivate;
    explicit Stream(std::unique_ptr<StreamPrivate> d, QObject *parent);
    std::unique_ptr<StreamPrivate> d{};
};

} // namespace qtws::http
