// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/stream_p.h"

#include "server/logging_p.h"
#include "server/serverconnection_p.h"

#include <QtWs/http/response.h>
#include <QtWs/http/staticfiles.h>

#include <QtCore/QDateTime>
#include <QtNetwork/QTcpSocket>

#include <algorithm>

namespace qtws::http {

namespace {

// RFC 9110 §8.6: Content-Length = 1*DIGIT. Anything else from a handler is its mistake.
qint64 parseLength(const QByteArray &value)
{
    if (value.isEmpty() || value.size() > 18)
        return -1;
    qint64 n = 0;
    for (char c : value) {
        if (c < '0' || c > '9')
            return -1;
        n = n * 10 + (c - '0');
    }
    return n;
}

// Statuses whose responses never have a body (RFC 9110 §6.4.1, §15.3.5, §15.4.5).
bool statusHasNoBody(int status)
{
    return (status >= 100 && status < 200) || status == 204 || status == 304;
}

} // namespace

Stream *StreamPrivate::create(
    ServerConnection *connection, Request request, const QAbstractSocket *socket, bool encrypted)
{
    auto d = std::make_unique<StreamPrivate>();
    StreamPrivate *raw = d.get();
    raw->connection = connection;
    raw->request = std::move(request);
    // Copied now, so that they stay readable after the socket closed or was handed over.
    raw->peerAddress = socket->peerAddress();
    raw->peerPort = socket->peerPort();
    raw->encrypted = encrypted;
    // The connection owns the Stream: it goes with the connection at the latest.
    auto *stream = new Stream(std::move(d), connection);
    raw->q = stream;
    return stream;
}

void StreamPrivate::markDisconnected()
{
    if (disconnected)
        return;
    disconnected = true;
    connection = nullptr;
    Q_EMIT q->disconnected();
    q->deleteLater();
}

void StreamPrivate::markHandedOver()
{
    handedOver = true;
    connection = nullptr;
}

bool StreamPrivate::requestWantsClose() const
{
    // RFC 9112 §9.6: "close" in Connection means this is the last request.
    if (request.headers.containsToken("Connection", "close"))
        return true;
    // RFC 9112 §9.3: HTTP/1.1 persists by default; HTTP/1.0 only with "keep-alive"
    // (RFC 9112 Appendix C.2.2).
    const bool http11
        = request.versionMajor > 1 || (request.versionMajor == 1 && request.versionMinor >= 1);
    return !http11 && !request.headers.containsToken("Connection", "keep-alive");
}

bool StreamPrivate::isHeadRequest() const
{
    return request.method == "HEAD";
}

bool StreamPrivate::checkWritable(const char *what) const
{
    if (disconnected)
        return false; // a race with the client, not a mistake of the application
    if (handedOver) {
        qCWarning(lcServer, "Stream::%s: the connection was handed over by an upgrade", what);
        return false;
    }
    if (ended) {
        qCWarning(lcServer, "Stream::%s: the stream already ended", what);
        return false;
    }
    return connection != nullptr;
}

void StreamPrivate::send(QByteArray bytes)
{
    if (connection)
        connection->send(std::move(bytes));
}

DetachedSocket detachSocket(Stream &stream)
{
    StreamPrivate *d = StreamPrivate::get(&stream);
    if (!d->connection) {
        DetachedSocket refused;
        refused.errorString = d->handedOver
            ? QStringLiteral("stream cannot be upgraded: already upgraded")
            : QStringLiteral("stream cannot be upgraded: client disconnected");
        return refused;
    }
    return d->connection->detach(d);
}

Stream::Stream(std::unique_ptr<StreamPrivate> dd, QObject *parent)
    : QObject(parent), d(std::move(dd))
{ }

Stream::~Stream() = default;

const Request &Stream::request() const
{
    return d->request;
}

QHostAddress Stream::peerAddress() const
{
    return d->peerAddress;
}

quint16 Stream::peerPort() const
{
    return d->peerPort;
}

bool Stream::isEncrypted() const
{
    return d->encrypted;
}

void Stream::setStatus(int status, const QByteArray &reason)
{
    if (d->headSent) {
        qCWarning(lcServer, "Stream::setStatus(%d): the response head was already sent", status);
        return;
    }
    if (status < 100 || status > 999) {
        qCWarning(lcServer, "Stream::setStatus(%d): not a three-digit status code", status);
        return;
    }
    d->status = status;
    d->reason = reason;
}

int Stream::status() const
{
    return d->status;
}

void Stream::setHeader(QByteArrayView name, QByteArrayView value)
{
    if (d->headSent) {
        qCWarning(lcServer) << "Stream::setHeader" << name
                            << ": the response head was already sent";
        return;
    }
    if (equalsIgnoreCase(name, "Transfer-Encoding")) {
        qCWarning(lcServer, "Stream::setHeader: Transfer-Encoding is chosen by the server");
        return;
    }
    d->headers.set(name, value);
}

void Stream::addHeader(QByteArrayView name, QByteArrayView value)
{
    if (d->headSent) {
        qCWarning(lcServer) << "Stream::addHeader" << name
                            << ": the response head was already sent";
        return;
    }
    if (equalsIgnoreCase(name, "Transfer-Encoding")) {
        qCWarning(lcServer, "Stream::addHeader: Transfer-Encoding is chosen by the server");
        return;
    }
    d->headers.append(name, value);
}

const Headers &Stream::responseHeaders() const
{
    return d->headers;
}

bool Stream::startWrite()
{
    if (!d->checkWritable("startWrite"))
        return false;
    if (d->headSent) {
        qCWarning(lcServer, "Stream::startWrite: the response head was already sent");
        return false;
    }
    Response head;
    head.status = d->status;
    head.reason = d->reason;
    head.headers = d->headers;

    d->closeAfter = d->requestWantsClose() || d->connection->isServerClosing()
        || head.headers.containsToken("Connection", "close");

    if (head.headers.contains("Content-Length")) {
        d->declaredLength = parseLength(head.headers.value("Content-Length"));
        if (d->declaredLength < 0 || head.headers.count("Content-Length") > 1) {
            qCWarning(lcServer) << "Stream: ignoring an invalid Content-Length"
                                << head.headers.values("Content-Length");
            head.headers.remove("Content-Length");
            d->declaredLength = -1;
        }
    }
    const bool http11 = d->request.versionMajor > 1
        || (d->request.versionMajor == 1 && d->request.versionMinor >= 1);
    if (statusHasNoBody(d->status)) {
        // RFC 9110 §8.6: no Content-Length in 1xx and 204 responses (304 may repeat GET's).
        if (d->status < 200 || d->status == 204)
            head.headers.remove("Content-Length");
        d->framing = StreamPrivate::Framing::None;
    } else if (d->isHeadRequest()) {
        // RFC 9110 §9.3.2: HEAD gets GET's header fields, never a body; a declared
        // Content-Length is kept, as it tells the length GET would send.
        d->framing = StreamPrivate::Framing::None;
    } else if (d->declaredLength >= 0) {
        d->framing = StreamPrivate::Framing::Length;
    } else if (http11) {
        // RFC 9112 §7.1: the length is not known in advance; chunks carry it.
        head.headers.append("Transfer-Encoding", "chunked");
        d->framing = StreamPrivate::Framing::Chunked;
    } else {
        // RFC 9112 §6.3 (8): an HTTP/1.0 client understands no chunks; the close ends the body.
        d->framing = StreamPrivate::Framing::UntilClose;
        d->closeAfter = true;
    }

    if (d->closeAfter) {
        // RFC 9112 §9.6: a server that will close says so in the response.
        if (!head.headers.containsToken("Connection", "close"))
            head.headers.append("Connection", "close");
    } else if (!http11 && !head.headers.containsToken("Connection", "keep-alive")) {
        // RFC 9112 Appendix C.2.2: an HTTP/1.0 client keeps the connection only if told so.
        head.headers.append("Connection", "keep-alive");
    }
    // RFC 9110 §6.6.1: an origin server with a clock sends Date.
    if (!head.headers.contains("Date"))
        head.headers.append("Date", toHttpDate(QDateTime::currentDateTimeUtc()));

    d->headSent = true;
    d->send(head.serialize());
    return true;
}

qint64 Stream::write(QByteArrayView bytes)
{
    if (!d->checkWritable("write"))
        return -1;
    if (!d->headSent && !startWrite())
        return -1;
    switch (d->framing) {
    case StreamPrivate::Framing::None: return bytes.size(); // HEAD, 204, 304: dropped
    case StreamPrivate::Framing::Length: {
        const qint64 room = d->declaredLength - d->bodyWritten;
        const qint64 n = std::min<qint64>(room, bytes.size());
        if (n < bytes.size())
            qCWarning(lcServer) << "Stream::write: dropping" << bytes.size() - n
                                << "bytes beyond the declared Content-Length" << d->declaredLength;
        if (n > 0)
            d->send(bytes.first(n).toByteArray());
        d->bodyWritten += n;
        return n;
    }
    case StreamPrivate::Framing::Chunked: {
        if (bytes.isEmpty())
            return 0; // an empty chunk would end the body (RFC 9112 §7.1)
        // chunk = chunk-size CRLF chunk-data CRLF, the size in hex.
        QByteArray chunk = QByteArray::number(bytes.size(), 16);
        chunk.reserve(chunk.size() + bytes.size() + 4);
        chunk += "\r\n";
        chunk += bytes;
        chunk += "\r\n";
        d->send(std::move(chunk));
        d->bodyWritten += bytes.size();
        return bytes.size();
    }
    case StreamPrivate::Framing::UntilClose:
        d->send(bytes.toByteArray());
        d->bodyWritten += bytes.size();
        return bytes.size();
    }
    return -1;
}

void Stream::end()
{
    if (!d->checkWritable("end"))
        return;
    if (!d->headSent) {
        // Nothing was written: the body is empty, and saying so keeps the connection reusable.
        if (!d->headers.contains("Content-Length") && !statusHasNoBody(d->status))
            d->headers.set("Content-Length", "0");
        if (!startWrite())
            return;
    }
    switch (d->framing) {
    case StreamPrivate::Framing::None: break;
    case StreamPrivate::Framing::Length:
        if (d->bodyWritten < d->declaredLength) {
            qCWarning(lcServer) << "Stream::end: only" << d->bodyWritten << "of"
                                << d->declaredLength << "declared body bytes were written;"
                                << "closing the connection";
            d->closeAfter = true;
        }
        break;
    case StreamPrivate::Framing::Chunked:
        // RFC 9112 §7.1: last-chunk ("0" CRLF), no trailers, the final CRLF.
        d->send(QByteArrayLiteral("0\r\n\r\n"));
        break;
    case StreamPrivate::Framing::UntilClose: d->closeAfter = true; break;
    }
    d->ended = true;
    d->connection->streamEnded(d->closeAfter);
}

void Stream::end(QByteArrayView body)
{
    if (!d->checkWritable("end"))
        return;
    if (!d->headSent && !d->headers.contains("Content-Length") && !statusHasNoBody(d->status))
        d->headers.set("Content-Length", QByteArray::number(body.size()));
    if (write(body) < 0)
        return;
    end();
}

QPointer<Stream> Stream::defer()
{
    d->deferred = true;
    return QPointer<Stream>(this);
}

bool Stream::isDeferred() const
{
    return d->deferred;
}

bool Stream::isWriteStarted() const
{
    return d->headSent;
}

bool Stream::isEnded() const
{
    return d->ended;
}

bool Stream::isConnected() const
{
    return !d->disconnected && !d->handedOver;
}

qint64 Stream::bufferedAmount() const
{
    return d->connection ? d->connection->bufferedAmount() : 0;
}

} // namespace qtws::http
