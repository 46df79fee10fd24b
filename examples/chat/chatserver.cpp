// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "chatserver.h"

#include <QtWs/http/staticfiles.h>
#include <QtWs/upgrade.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>

using namespace Qt::StringLiterals;

namespace chat {

namespace {

constexpr qsizetype maxNameLength = 24;

// Sends a StaticFiles response on a stream: its status, its fields and its body (empty for
// HEAD; the stream drops body bytes of a HEAD response itself anyway).
void sendResponse(qtws::http::Stream &stream, const qtws::http::Response &response)
{
    stream.setStatus(response.status, response.reason);
    for (const auto &[name, value] : response.headers)
        stream.addHeader(name, value);
    stream.end(response.body);
}

qtws::http::ServerOptions httpOptions(const QHostAddress &host, quint16 port)
{
    qtws::http::ServerOptions options;
    options.host = host;
    options.port = port;
    // The page is a few KiB and nothing is uploaded: small request bodies are plenty.
    options.limits.maxBodyBytes = 64 * 1024;
    return options;
}

} // namespace

ChatServer::ChatServer(const QHostAddress &host, quint16 port, QObject *parent) : QObject(parent)
{
    // What every chat connection accepts. The Origin check keeps its default: the page comes
    // from this very server, so a browser's Origin matches (and non-browser clients send none),
    // while a page from any other site is refused with 403.
    qtws::UpgradeOptions upgradeOptions;
    upgradeOptions.limits.maxMessageSize = maxMessageBytes;
    upgradeOptions.limits.maxFrameSize = maxMessageBytes;
    upgradeOptions.limits.maxFragments = 64;

    auto files = std::make_shared<const qtws::http::StaticFiles>(u":/chat"_s);
    qtws::http::StreamRouter router;
    router.route("GET", u"/ws",
        [this, upgradeOptions](qtws::http::Stream &stream, const qtws::http::RouteMatch &) {
            const QString name = nameFor(stream.request().queryValue(u"name"_s));
            qtws::upgrade(
                stream, [this, name](qtws::WebSocket *ws) { join(ws, name); }, upgradeOptions);
        });
    // Everything else is the page and its files (GET and HEAD; other methods get 405).
    router.route(
        "GET", u"/{path*}", [files](qtws::http::Stream &stream, const qtws::http::RouteMatch &) {
            qtws::http::Response response = files->serve(stream.request());
            // The page loads nothing but its own files and talks only to its own /ws.
            response.headers.append("Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
            response.headers.append("Cache-Control", "no-cache");
            sendResponse(stream, response);
        });

    m_http = std::make_unique<qtws::http::Server>(
        qtws::http::routerHandler(std::move(router)), httpOptions(host, port));
}

ChatServer::~ChatServer() = default;

bool ChatServer::listen()
{
    return m_http->listen();
}

QString ChatServer::errorString() const
{
    return m_http->errorString();
}

quint16 ChatServer::serverPort() const
{
    return m_http->serverPort();
}

QUrl ChatServer::pageUrl() const
{
    QUrl url = m_http->serverUrl();
    url.setPath(u"/"_s);
    return url;
}

QString ChatServer::nameFor(const QString &requested)
{
    // Names are shown with textContent in the page, so markup in them is harmless; control
    // characters and very long names are dropped anyway, as they are never meant.
    QString name;
    for (const QChar c : requested) {
        if (name.size() >= maxNameLength)
            break;
        if (c.isPrint())
            name.append(c);
    }
    name = name.simplified();
    if (name.isEmpty())
        name = u"guest-"_s + QString::number(++m_guests);
    return name;
}

void ChatServer::join(qtws::WebSocket *ws, const QString &name)
{
    if (m_shuttingDown) {
        ws->close(qtws::CloseCode::GoingAway, u"server shutting down"_s);
        return;
    }
    ws->setParent(this);
    m_clients.append(ws);

    connect(ws, &qtws::WebSocket::textMessageReceived, this,
        [this, name](const QString &text) { relay(name, text); });
    connect(ws, &qtws::WebSocket::binaryMessageReceived, ws, [ws] {
        ws->close(qtws::CloseCode::UnsupportedData, u"the chat takes text messages only"_s);
    });
    connect(ws, &qtws::WebSocket::closed, this, [this, ws] { leave(ws); });

    sendTo(ws, QJsonObject{{u"type"_s, u"welcome"_s}, {u"name"_s, name}});
    broadcastUserCount();
}

void ChatServer::leave(qtws::WebSocket *ws)
{
    // The WebSocket deletes itself (deleteLater) after closed(); only the bookkeeping is ours.
    m_clients.removeAll(ws);
    m_clients.removeAll(nullptr);
    if (m_shuttingDown) {
        if (m_clients.isEmpty())
            Q_EMIT finished();
        return;
    }
    broadcastUserCount();
}

void ChatServer::relay(const QString &from, const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return;
    broadcast(QJsonObject{{u"type"_s, u"message"_s}, {u"from"_s, from}, {u"text"_s, trimmed}});
}

void ChatServer::sendTo(qtws::WebSocket *ws, const QJsonObject &message)
{
    if (ws->state() != qtws::WebSocket::State::Open)
        return;
    if (ws->bufferedAmount() > maxBufferedBytes) {
        // abort() emits closed() at once, which runs leave(): callers iterate over copies.
        ws->abort();
        return;
    }
    ws->sendTextMessage(QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void ChatServer::broadcast(const QJsonObject &message)
{
    const QList<QPointer<qtws::WebSocket>> clients = m_clients;
    for (const QPointer<qtws::WebSocket> &ws : clients) {
        if (ws)
            sendTo(ws, message);
    }
}

void ChatServer::broadcastUserCount()
{
    broadcast(QJsonObject{{u"type"_s, u"users"_s}, {u"count"_s, userCount()}});
}

void ChatServer::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    m_http->close();
    m_clients.removeAll(nullptr);
    if (m_clients.isEmpty()) {
        QTimer::singleShot(0, this, &ChatServer::finished);
        return;
    }
    const QList<QPointer<qtws::WebSocket>> clients = m_clients;
    for (const QPointer<qtws::WebSocket> &ws : clients) {
        if (ws)
            ws->close(qtws::CloseCode::GoingAway, u"server shutting down"_s);
    }
}

} // namespace chat
