// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/upgrade.h>

#include "server/logging_p.h"
#include "server/stream_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/closecode.h>
#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>
#include <QtWs/websocket.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>

#include <exception>

namespace qtws {

namespace {

// Writes a refusal on a socket that no longer belongs to the http::Server and closes it once
// the bytes are out. What the client still sends is read and dropped meanwhile, so that unread
// bytes do not turn the close into a reset that could destroy the response; a client that
// never lets the close finish is aborted after timeout. The socket deletes itself.
void answerAndClose(std::unique_ptr<QAbstractSocket> owned, const QByteArray &bytes,
    std::chrono::milliseconds timeout)
{
    QAbstractSocket *socket = owned.release();
    QObject::connect(socket, &QIODevice::readyRead, socket, [socket] { socket->readAll(); });
    QObject::connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(
        timeout.count() > 0 ? timeout : std::chrono::milliseconds(5'000), socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
    socket->write(bytes);
    // Closes after the pending bytes are written (for TLS, with a close_notify).
    socket->disconnectFromHost();
    if (socket->state() == QAbstractSocket::UnconnectedState)
        socket->deleteLater();
}

QList<QByteArray> toBytes(const QStringList &list)
{
    QList<QByteArray> out;
    out.reserve(list.size());
    for (const QString &s : list)
        out.append(s.toUtf8());
    return out;
}

// Runs the application's handler; an escaping exception must not unwind through the
// http::Server (and Qt's event dispatch), and the client deserves a close frame saying the
// server failed rather than a connection left open with nobody listening.
void runHandler(const std::function<void(WebSocket *)> &f, WebSocket *ws)
{
    const QPointer<WebSocket> guard(ws);
    quint16 code = quint16(CloseCode::InternalError);
    QString reason = QStringLiteral("unexpected server error");
    try {
        if (f)
            f(ws);
        return;
    } catch (const WebSocketError &e) {
        qCWarning(lcServer) << "the WebSocket handler threw:" << e.toString();
        // The handler asked for a specific close, as HTTP.jl lets a handler throw one.
        if (isSendableCloseCode(quint16(e.closeCode())) && e.reason().toUtf8().size() <= 123) {
            code = quint16(e.closeCode());
            reason = e.reason();
        }
    } catch (const std::exception &e) {
        qCWarning(lcServer) << "the WebSocket handler threw:" << e.what();
    } catch (...) {
        qCWarning(lcServer) << "the WebSocket handler threw an unknown exception";
    }
    if (guard)
        guard->close(CloseCode(code), reason);
}

} // namespace

bool upgrade(
    http::Stream &stream, std::function<void(WebSocket *)> f, const UpgradeOptions &options)
{
    http::StreamPrivate *streamPrivate = http::StreamPrivate::get(&stream);
    if (streamPrivate->disconnected) {
        qCDebug(lcServer) << "upgrade(): the client left before the upgrade";
        return false;
    }
    http::DetachedSocket detached = http::detachSocket(stream);
    if (!detached.isValid()) {
        // After startWrite()/end() or a second upgrade(): the application's mistake. The
        // stream is untouched, so whatever response it started goes on.
        qCWarning(lcServer) << "upgrade():" << detached.errorString;
        return false;
    }

    const http::Request &request = stream.request();
    std::optional<handshake::Rejection> rejection;
    handshake::ClientRequestCheckResult checked;
    if (!request.headers.contains("Upgrade")) {
        // A plain HTTP request to a WebSocket endpoint (a browser tab, curl): RFC 9110 §15.5.22
        // 426 tells it the resource needs an upgrade, and to which protocol and version (RFC
        // 6455 §4.4); checkClientRequest()'s 400 is kept for handshakes that went wrong.
        rejection = handshake::Rejection{426, "this is a WebSocket endpoint; upgrade required",
            {{"Upgrade", "websocket"},
                {"Sec-WebSocket-Version", handshake::protocolVersion.toByteArray()}}};
    } else {
        checked = handshake::checkClientRequest(request);
        if (!checked.ok()) {
            rejection = checked.rejection;
        } else {
            // RFC 6455 §10.2: the Origin check, after the request is known to be a well-formed
            // handshake so that malformed requests get their 400 first.
            const bool allowed = options.checkOrigin
                ? options.checkOrigin(request)
                : handshake::isOriginAllowedByDefault(request,
                    detached.encrypted ? handshake::Transport::Tls : handshake::Transport::Plain);
            if (!allowed)
                rejection = handshake::Rejection{403,
                    "origin " + checked.origin.value_or(QByteArrayLiteral("(none)")).left(100)
                        + " is not allowed",
                    {}};
        }
    }

    handshake::AcceptResponseBuildResult accept;
    std::unique_ptr<PerMessageDeflate> deflate;
    if (!rejection) {
        // RFC 6455 §4.2.2 item 5.4: the server's choice among the offered subprotocols, in the
        // server's order of preference.
        const QByteArray subprotocol
            = handshake::selectSubprotocol(checked.subprotocols, toBytes(options.subprotocols));
        // RFC 7692 §5: the first acceptable permessage-deflate offer, answered in the 101;
        // invalid offers are declined (no 400), the connection then goes on uncompressed.
        PerMessageDeflate::ServerResult negotiated
            = PerMessageDeflate::negotiateAsServer(checked.extensions, options.deflate);
        for (const QByteArray &why : std::as_const(negotiated.declined))
            qCDebug(lcServer) << "permessage-deflate declined:" << why;
        QByteArray extensions;
        if (negotiated.extension && negotiated.response) {
            extensions = handshake::serializeExtensions({*negotiated.response});
            deflate = std::move(negotiated.extension);
        }
        accept = handshake::buildAcceptResponse({.key = checked.key,
            .subprotocol = subprotocol,
            .extensions = extensions,
            .extraHeaders = options.responseHeaders});
        if (!accept.ok()) {
            qCWarning(lcServer) << "upgrade(): cannot accept the handshake, check the options:"
                                << accept.error;
            rejection = handshake::Rejection{500, "internal server error", {}};
        }
    }

    if (rejection) {
        qCDebug(lcServer) << "refused a WebSocket handshake from" << stream.peerAddress() << "with"
                          << rejection->status << rejection->reason;
        answerAndClose(std::move(detached.socket),
            handshake::buildRejectionResponse(*rejection).serialize(), options.closeTimeout);
        return false;
    }

    // The 101 goes out before the WebSocket exists, so it precedes every frame (the contract of
    // createServerSide()).
    detached.socket->write(accept.response.serialize());

    ServerSideSpec spec;
    spec.socket = detached.socket.release();
    spec.leftover = std::move(detached.leftover);
    spec.request = request;
    spec.response = std::move(accept.response);
    spec.subprotocol = QString::fromUtf8(spec.response.headers.value("Sec-WebSocket-Protocol"));
    spec.codecOptions.limits = options.limits;
    spec.extension = std::move(deflate);
    spec.closeTimeout = options.closeTimeout;
    WebSocket *ws = WebSocketPrivate::createServerSide(std::move(spec));
    // Connected before f runs, so that a WebSocket f closes or aborts at once is freed too.
    QObject::connect(ws, &WebSocket::closed, ws, &QObject::deleteLater);
    runHandler(f, ws);
    return true;
}

} // namespace qtws
