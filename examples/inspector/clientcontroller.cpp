// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "clientcontroller.h"

#include "composer.h"
#include "logmodel.h"
#include "settingsutil.h"
#include "statistics.h"
#include "websockettap.h"

#include <QtCore/QJsonArray>
#include <QtNetwork/QSslCertificate>
#include <QtWs/websocket.h>

namespace inspector {

namespace {

// "", "none" or a proxy URL (http://user:pass@host:port, socks5://host:port).
std::optional<QNetworkProxy> parseProxy(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QNetworkProxy(QNetworkProxy::DefaultProxy);
    if (trimmed.compare(u"none", Qt::CaseInsensitive) == 0
        || trimmed.compare(u"direct", Qt::CaseInsensitive) == 0)
        return QNetworkProxy(QNetworkProxy::NoProxy);
    const QUrl url(trimmed, QUrl::StrictMode);
    QNetworkProxy::ProxyType type = QNetworkProxy::DefaultProxy;
    if (url.scheme() == u"http")
        type = QNetworkProxy::HttpProxy;
    else if (url.scheme() == u"socks5" || url.scheme() == u"socks5h")
        type = QNetworkProxy::Socks5Proxy;
    if (!url.isValid() || type == QNetworkProxy::DefaultProxy || url.host().isEmpty()
        || url.port() <= 0) {
        *error = QStringLiteral("proxy: expected none, http://host:port or socks5://host:port, "
                                "got \"%1\"")
                     .arg(trimmed);
        return std::nullopt;
    }
    return QNetworkProxy(type, url.host(), quint16(url.port()), url.userName(), url.password());
}

} // namespace

ClientController::ClientController(QObject *parent)
    : QObject(parent)
    , m_log(new LogModel(this))
    , m_stats(new Statistics(this))
    , m_composer(new Composer(this))
{ }

ClientController::~ClientController() = default;

void ClientController::setUrl(const QString &value)
{
    if (assign(m_url, value))
        Q_EMIT settingsChanged();
}

void ClientController::setSubprotocols(const QString &value)
{
    if (assign(m_subprotocols, value))
        Q_EMIT settingsChanged();
}

void ClientController::setHeaders(const QString &value)
{
    if (assign(m_headers, value))
        Q_EMIT settingsChanged();
}

void ClientController::setCompression(bool value)
{
    if (assign(m_compression, value))
        Q_EMIT settingsChanged();
}

void ClientController::setIgnoreTlsErrors(bool value)
{
    if (assign(m_ignoreTlsErrors, value))
        Q_EMIT settingsChanged();
}

void ClientController::setProxy(const QString &value)
{
    if (assign(m_proxy, value))
        Q_EMIT settingsChanged();
}

void ClientController::setCaFile(const QString &path)
{
    if (assign(m_caFile, localPath(path)))
        Q_EMIT settingsChanged();
}

QString ClientController::state() const
{
    if (!m_ws)
        return QStringLiteral("closed");
    switch (m_ws->state()) {
    case qtws::WebSocket::State::Connecting: return QStringLiteral("connecting");
    case qtws::WebSocket::State::Open: return QStringLiteral("open");
    case qtws::WebSocket::State::Closing: return QStringLiteral("closing");
    case qtws::WebSocket::State::Closed: break;
    }
    return QStringLiteral("closed");
}

QString ClientController::status() const
{
    if (!m_ws)
        return QStringLiteral("Not connected");
    switch (m_ws->state()) {
    case qtws::WebSocket::State::Connecting:
        return QStringLiteral("Connecting to %1…").arg(m_ws->url().toString());
    case qtws::WebSocket::State::Open:
        return QStringLiteral("Connected to %1").arg(m_ws->url().toString());
    case qtws::WebSocket::State::Closing: return QStringLiteral("Closing…");
    case qtws::WebSocket::State::Closed: break;
    }
    const qtws::WebSocketError error = m_ws->error();
    return QStringLiteral("Closed: %1 %2")
        .arg(m_ws->closeCode())
        .arg(m_ws->closeReason().isEmpty() ? error.toString() : m_ws->closeReason());
}

QString ClientController::negotiatedSubprotocol() const
{
    return m_ws ? m_ws->subprotocol() : QString();
}

QString ClientController::extensions() const
{
    return m_ws ? m_ws->extensions() : QString();
}

QString ClientController::peer() const
{
    if (!m_ws || m_ws->peerAddress().isNull())
        return {};
    const QHostAddress address = m_ws->peerAddress();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? u'[' + address.toString() + u']'
        : address.toString();
    return host + u':' + QString::number(m_ws->peerPort());
}

std::optional<qtws::ClientOptions> ClientController::clientOptions(QString *error) const
{
    qtws::ClientOptions options;
    options.subprotocols = splitList(m_subprotocols);
    int lineNumber = 0;
    for (const QString &line : m_headers.split(u'\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype colon = line.indexOf(u':');
        if (colon <= 0) {
            *error = QStringLiteral("headers, line %1: expected \"Name: value\"").arg(lineNumber);
            return std::nullopt;
        }
        options.headers.append(
            line.left(colon).trimmed().toLatin1(), line.mid(colon + 1).trimmed().toUtf8());
    }
    options.deflate.enabled = m_compression;
    options.insecureSkipTlsVerification = m_ignoreTlsErrors;
    if (!m_caFile.isEmpty()) {
        options.caCertificates = QSslCertificate::fromPath(m_caFile, QSsl::Pem);
        if (options.caCertificates.isEmpty()) {
            *error = QStringLiteral("CA file %1: no PEM certificate in it").arg(m_caFile);
            return std::nullopt;
        }
    }
    std::optional<QNetworkProxy> proxy = parseProxy(m_proxy, error);
    if (!proxy)
        return std::nullopt;
    options.proxy = *proxy;
    return options;
}

bool ClientController::refuse(const QString &error)
{
    if (assign(m_lastError, error))
        Q_EMIT lastErrorChanged();
    return false;
}

// An action went through: the last refusal is no longer news.
bool ClientController::succeed()
{
    refuse(QString());
    return true;
}

bool ClientController::connectToServer()
{
    if (m_ws && m_ws->state() != qtws::WebSocket::State::Closed)
        return refuse(QStringLiteral("already connected: disconnect first"));
    const QUrl url = QUrl::fromUserInput(m_url.trimmed());
    if (!url.isValid()
        || !QStringList{u"ws"_qs, u"wss"_qs, u"http"_qs, u"https"_qs}.contains(url.scheme()))
        return refuse(QStringLiteral("URL: expected ws://host[:port]/path or wss://…"));
    QString error;
    std::optional<qtws::ClientOptions> options = clientOptions(&error);
    if (!options)
        return refuse(error);

    if (m_ws)
        m_ws->deleteLater();
    m_ws = new qtws::WebSocket(this);
    m_tap = new WebSocketTap(m_ws, m_log, m_stats, nullptr, m_ws);
    connect(m_ws, &qtws::WebSocket::stateChanged, this, &ClientController::stateChanged);
    connect(m_ws, &qtws::WebSocket::connected, this, [this] {
        updateHandshake();
        QString line = QStringLiteral("connected to %1 (%2)").arg(m_ws->url().toString(), peer());
        if (!m_ws->subprotocol().isEmpty())
            line += QStringLiteral(", subprotocol ") + m_ws->subprotocol();
        if (!m_ws->extensions().isEmpty())
            line += QStringLiteral(", ") + m_ws->extensions();
        m_tap->note(line);
        Q_EMIT stateChanged();
        Q_EMIT connected();
    });
    connect(m_ws, &qtws::WebSocket::closed, this, [this] {
        updateHandshake(); // a refused handshake's response is worth reading too
        Q_EMIT stateChanged();
        Q_EMIT closed();
    });
    m_handshakeRequest.clear();
    m_handshakeResponse.clear();
    Q_EMIT handshakeChanged();
    m_tap->note(QStringLiteral("connecting to %1").arg(url.toString()));
    m_ws->open(url, *options);
    Q_EMIT stateChanged();
    return succeed();
}

void ClientController::updateHandshake()
{
    const qtws::http::Request request = m_ws->handshakeRequest();
    const qtws::http::Response response = m_ws->handshakeResponse();
    // Header bytes are not necessarily UTF-8 (RFC 9110 §5.5); Latin-1 shows every byte.
    m_handshakeRequest
        = request.headers.isEmpty() ? QString() : QString::fromLatin1(request.serialize());
    m_handshakeResponse = response.headers.isEmpty() && response.status == 200
        ? QString()
        : QString::fromLatin1(response.serialize());
    Q_EMIT handshakeChanged();
}

void ClientController::disconnectFromServer()
{
    if (!m_ws)
        return;
    if (m_ws->state() == qtws::WebSocket::State::Open)
        close(1000, QString());
    else
        m_ws->close();
}

bool ClientController::send()
{
    QString error;
    const ComposedMessage message = m_composer->build();
    if (!m_tap || !m_tap->send(message, m_composer->text(), &error))
        return refuse(error.isEmpty() ? QStringLiteral("not connected") : error);
    m_composer->recordSent(message.payload.size());
    return succeed();
}

bool ClientController::ping(const QString &payload)
{
    QString error;
    if (!m_tap || !m_tap->ping(payload.toUtf8(), &error))
        return refuse(error.isEmpty() ? QStringLiteral("not connected") : error);
    return succeed();
}

bool ClientController::close(int code, const QString &reason)
{
    QString error;
    if (!m_tap || !m_tap->close(code, reason, &error))
        return refuse(error.isEmpty() ? QStringLiteral("not connected") : error);
    return succeed();
}

void ClientController::abort()
{
    if (m_ws)
        m_ws->abort();
}

bool ClientController::resend(int row)
{
    m_composer->restore(row);
    return send();
}

QJsonObject ClientController::settingsToJson() const
{
    return {
        {QStringLiteral("url"), m_url},
        {QStringLiteral("subprotocols"), QJsonArray::fromStringList(splitList(m_subprotocols))},
        {QStringLiteral("headers"), m_headers},
        {QStringLiteral("compression"), m_compression},
        {QStringLiteral("ignoreTlsErrors"), m_ignoreTlsErrors},
        {QStringLiteral("caFile"), m_caFile},
        {QStringLiteral("proxy"), m_proxy},
    };
}

void ClientController::settingsFromJson(const QJsonObject &object)
{
    setUrl(object.value(QStringLiteral("url")).toString(m_url));
    QStringList subprotocols;
    for (const QJsonValue &value : object.value(QStringLiteral("subprotocols")).toArray())
        subprotocols.append(value.toString());
    setSubprotocols(subprotocols.join(QStringLiteral(", ")));
    setHeaders(object.value(QStringLiteral("headers")).toString());
    setCompression(object.value(QStringLiteral("compression")).toBool(true));
    setIgnoreTlsErrors(object.value(QStringLiteral("ignoreTlsErrors")).toBool(false));
    setCaFile(object.value(QStringLiteral("caFile")).toString());
    setProxy(object.value(QStringLiteral("proxy")).toString());
}

} // namespace inspector
