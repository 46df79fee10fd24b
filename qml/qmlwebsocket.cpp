// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "qmlwebsocket.h"

#include "binarypayload_p.h"
#include "headerobject_p.h"
#include "logging_p.h"
#include "tlsfiles_p.h"

#include <QtWs/closecode.h>
#include <QtWs/websocket.h>

#include <QtCore/QCoreApplication>
#include <QtQml/QQmlEngine>

#include <chrono>

namespace qtws::qml {

namespace {

// RFC 6455 §5.5: control frame payloads are at most 125 bytes; §5.5.1: a close reason then at
// most 123 (2 bytes go to the code).
constexpr qsizetype maxControlPayload = 125;
constexpr qsizetype maxCloseReason = 123;

// Empty when url can be opened by a WebSocket, else why not.
QString whyNotWebSocketUrl(const QUrl &url)
{
    if (!url.isValid())
        return QStringLiteral("it is not a valid URL (%1)").arg(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss")
        && scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QStringLiteral("its scheme is not ws, wss, http or https");
    if (url.host().isEmpty())
        return QStringLiteral("it has no host");
    return {};
}

QString urlForLog(const QUrl &url)
{
    return url.toDisplayString(QUrl::RemoveUserInfo);
}

// An element of a list of files: a url value, or a string holding a URL or a path. A JS url
// value in a var list arrives as a QUrl or as a QJSValue whose string is the URL.
QUrl fileUrl(const QVariant &file)
{
    if (file.metaType() == QMetaType::fromType<QUrl>())
        return file.toUrl();
    if (file.metaType() == QMetaType::fromType<QJSValue>())
        return QUrl(file.value<QJSValue>().toString());
    return QUrl(file.toString());
}

std::chrono::milliseconds ms(int value)
{
    return std::chrono::milliseconds(qMax(0, value));
}

// The proxy property: empty → the environment (ClientOptions' default); http://, socks5:// or
// socks5h:// with optional user:password; direct: (any form with that scheme) → none.
bool proxyFromUrl(const QUrl &url, QNetworkProxy *proxy, QString *problem)
{
    if (url.isEmpty())
        return true;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("direct")) {
        *proxy = QNetworkProxy(QNetworkProxy::NoProxy);
        return true;
    }
    QNetworkProxy::ProxyType type = QNetworkProxy::HttpProxy;
    quint16 defaultPort = 8080;
    if (scheme == QLatin1String("socks5") || scheme == QLatin1String("socks5h")) {
        type = QNetworkProxy::Socks5Proxy;
        defaultPort = 1080;
    } else if (scheme != QLatin1String("http")) {
        *problem = QStringLiteral("proxy %1: the scheme is not http, socks5, socks5h or direct")
                       .arg(urlForLog(url));
        return false;
    }
    if (url.host().isEmpty()) {
        *problem = QStringLiteral("proxy %1 has no host").arg(urlForLog(url));
        return false;
    }
    *proxy = QNetworkProxy(
        type, url.host(), quint16(url.port(defaultPort)), url.userName(), url.password());
    return true;
}

} // namespace

QmlWebSocket::QmlWebSocket(QObject *parent) : QObject(parent)
{
    initDefaults();
}

QmlWebSocket::QmlWebSocket(qtws::WebSocket *ws, QObject *parent)
    : QObject(parent), m_serverSide(true), m_complete(true)
{
    initDefaults();
    m_url = ws->url();
    m_requestHeaders = headerObject(ws->handshakeRequest().headers);
    m_active = true;
    attach(ws);
    setNegotiated(ws->subprotocol(), ws->extensions());
    setHandshakeInfo();
    m_status = Open;
}

void QmlWebSocket::initDefaults()
{
    const ClientOptions defaults;
    m_compression = defaults.deflate.enabled;
    m_ignoreSslErrors = defaults.insecureSkipTlsVerification;
    m_keepaliveInterval = int(defaults.keepaliveInterval.count());
    m_keepaliveTimeout = int(defaults.keepaliveTimeout.count());
    m_connectTimeout = int(defaults.timeouts.connect.count());
    m_handshakeTimeout = int(defaults.timeouts.request.count());
    m_readIdleTimeout = int(defaults.timeouts.readIdle.count());
    m_closeTimeout = int(defaults.timeouts.close.count());
    m_maxMessageSize = defaults.limits.maxMessageSize;
    m_maxFrameSize = defaults.limits.maxFrameSize;
    m_maxFragments = defaults.limits.maxFragments;
    m_maxRedirects = defaults.maxRedirects;
}

QmlWebSocket::~QmlWebSocket()
{
    if (m_ws && !m_serverSide)
        detachAndClose(quint16(CloseCode::GoingAway));
}

void QmlWebSocket::componentComplete()
{
    m_complete = true;
    m_engine = qmlEngine(this);
    if (m_active)
        open();
}

void QmlWebSocket::setUrl(const QUrl &url)
{
    if (url == m_url)
        return;
    if (m_serverSide) {
        qCWarning(lcQml, "WebSocket: url cannot be set on a server-side WebSocket");
        return;
    }
    if (!url.isEmpty()) {
        if (const QString why = whyNotWebSocketUrl(url); !why.isEmpty()) {
            qCWarning(lcQml, "WebSocket: url %s refused: %s; the url stays %s",
                qPrintable(urlForLog(url)), qPrintable(why), qPrintable(urlForLog(m_url)));
            return;
        }
    }
    m_url = url;
    Q_EMIT urlChanged();
    // Qt's QML WebSocket reopens on a new url while active; so does this one.
    if (m_active && m_complete)
        open();
}

void QmlWebSocket::setActive(bool active)
{
    if (active == m_active)
        return;
    if (active && m_serverSide) {
        qCWarning(lcQml, "WebSocket: a server-side WebSocket cannot be reopened");
        return;
    }
    m_active = active;
    Q_EMIT activeChanged(m_active);
    if (!m_complete)
        return;
    if (m_active)
        open();
    else if (m_ws && (m_status == Connecting || m_status == Open)) {
        m_ws->close(CloseCode::Normal);
        syncReadPaused();
    }
}

void QmlWebSocket::setReadPaused(bool paused)
{
    if (paused == m_readPaused)
        return;
    m_readPaused = paused;
    if (m_ws)
        m_ws->setReadPaused(paused);
    Q_EMIT readPausedChanged();
}

// qtws::WebSocket::close() unpauses reading (the peer's close frame has to be read).
void QmlWebSocket::syncReadPaused()
{
    if (m_ws && m_ws->isReadPaused() != m_readPaused) {
        m_readPaused = m_ws->isReadPaused();
        Q_EMIT readPausedChanged();
    }
}

void QmlWebSocket::setRequestedSubprotocols(const QStringList &subprotocols)
{
    if (subprotocols == m_requestedSubprotocols)
        return;
    m_requestedSubprotocols = subprotocols;
    Q_EMIT requestedSubprotocolsChanged();
}

void QmlWebSocket::setRequestHeaders(const QVariantMap &headers)
{
    if (headers == m_requestHeaders)
        return;
    if (m_serverSide) {
        qCWarning(lcQml, "WebSocket: requestHeaders of a server-side WebSocket are read-only");
        return;
    }
    m_requestHeaders = headers;
    Q_EMIT requestHeadersChanged();
}

bool QmlWebSocket::makeOptions(ClientOptions &options, QString *problem) const
{
    for (auto it = m_requestHeaders.cbegin(); it != m_requestHeaders.cend(); ++it) {
        // A list value sends the field once per element.
        const QVariantList values = it.value().metaType() == QMetaType::fromType<QVariantList>()
            ? it.value().toList()
            : QVariantList{it.value()};
        for (const QVariant &value : values)
            options.headers.append(it.key().toLatin1(), value.toString().toUtf8());
    }
    options.subprotocols = m_requestedSubprotocols;
    options.deflate.enabled = m_compression;
    options.insecureSkipTlsVerification = m_ignoreSslErrors;
    for (const QVariant &file : m_caCertificateFiles) {
        const QList<QSslCertificate> certificates = readCertificates(fileUrl(file), problem);
        if (certificates.isEmpty())
            return false;
        options.caCertificates += certificates;
    }
    options.peerVerifyName = m_peerVerifyName;
    if (!proxyFromUrl(m_proxy, &options.proxy, problem))
        return false;
    options.keepaliveInterval = ms(m_keepaliveInterval);
    options.keepaliveTimeout = ms(m_keepaliveTimeout);
    options.timeouts.connect = ms(m_connectTimeout);
    options.timeouts.request = ms(m_handshakeTimeout);
    options.timeouts.readIdle = ms(m_readIdleTimeout);
    options.timeouts.close = ms(m_closeTimeout);
    options.limits.maxMessageSize = m_maxMessageSize;
    options.limits.maxFrameSize = m_maxFrameSize;
    options.limits.maxFragments = m_maxFragments;
    options.maxRedirects = m_maxRedirects;
    return true;
}

void QmlWebSocket::open()
{
    if (m_ws)
        detachAndClose(quint16(CloseCode::Normal));
    // active with no url yet (e.g. `url: server.url` before the server listens): wait for one.
    if (m_url.isEmpty()) {
        setStatus(Closed);
        return;
    }
    m_failed = false;
    setErrorString({});
    setError({});
    setCloseInfo(0, {});
    setNegotiated({}, {});
    setHandshakeInfo();
    if (m_roundTripTime != -1) {
        m_roundTripTime = -1;
        Q_EMIT roundTripTimeChanged();
    }
    ClientOptions options;
    QString problem;
    if (!makeOptions(options, &problem)) {
        failBeforeOpen(WebSocketError::Kind::InvalidOptions, problem);
        return;
    }
    auto *ws = new qtws::WebSocket(this);
    ws->setReadPaused(m_readPaused);
    attach(ws);
    setStatus(Connecting);
    ws->open(m_url, options);
}

void QmlWebSocket::attach(qtws::WebSocket *ws)
{
    m_ws = ws;
    connect(ws, &qtws::WebSocket::stateChanged, this, &QmlWebSocket::onStateChanged);
    connect(ws, &qtws::WebSocket::errorOccurred, this, &QmlWebSocket::onErrorOccurred);
    connect(ws, &qtws::WebSocket::closed, this, &QmlWebSocket::onClosed);
    connect(ws, &qtws::WebSocket::textMessageReceived, this, &QmlWebSocket::textMessageReceived);
    connect(ws, &qtws::WebSocket::binaryMessageReceived, this, [this](const QByteArray &message) {
        Q_EMIT binaryMessageReceived(forArrayBuffer(message));
    });
    connect(ws, &qtws::WebSocket::pingReceived, this,
        [this](const QByteArray &payload) { Q_EMIT pingReceived(forArrayBuffer(payload)); });
    connect(
        ws, &qtws::WebSocket::pongReceived, this, [this](const QByteArray &payload, qint64 rtt) {
            Q_EMIT pong(rtt, forArrayBuffer(payload));
        });
    connect(ws, &qtws::WebSocket::roundTripTimeChanged, this, [this](qint64 rtt) {
        if (rtt == m_roundTripTime)
            return;
        m_roundTripTime = rtt;
        Q_EMIT roundTripTimeChanged();
    });
    connect(ws, &qtws::WebSocket::bytesWritten, this, &QmlWebSocket::updateBufferedAmount);
}

// Lets the current connection finish on its own: it is closed with code (when still open) and
// deleted once closed, and nothing it emits reaches this object any more.
void QmlWebSocket::detachAndClose(quint16 code)
{
    qtws::WebSocket *ws = m_ws;
    m_ws = nullptr;
    disconnect(ws, nullptr, this, nullptr);
    if (ws->state() == qtws::WebSocket::State::Closed || QCoreApplication::closingDown()) {
        delete ws;
        return;
    }
    // Its QML engine (else the application) outlives this object, so a connection whose close
    // is still in flight at exit is deleted with it rather than leaked; the engine rather than
    // the application because TLS sockets must go while Qt Network is still whole.
    ws->setParent(
        m_engine ? static_cast<QObject *>(m_engine.data()) : QCoreApplication::instance());
    connect(ws, &qtws::WebSocket::closed, ws, &QObject::deleteLater);
    ws->close(CloseCode(code));
}

void QmlWebSocket::onStateChanged()
{
    switch (m_ws->state()) {
    case qtws::WebSocket::State::Connecting: setStatus(Connecting); break;
    case qtws::WebSocket::State::Open:
        // Before statusChanged(Open), so that a handler there reads what was negotiated.
        setNegotiated(m_ws->subprotocol(), m_ws->extensions());
        setHandshakeInfo();
        setStatus(Open);
        break;
    case qtws::WebSocket::State::Closing: setStatus(Closing); break;
    case qtws::WebSocket::State::Closed: break; // onClosed(), with the close code
    }
}

void QmlWebSocket::onErrorOccurred(const WebSocketError &error)
{
    m_failed = true;
    setErrorString(error.toString());
    setError(error);
}

void QmlWebSocket::onClosed(int code, const QString &reason)
{
    // A completed close handshake is not an error, but error() still tells who closed.
    if (!m_failed && m_ws)
        setError(m_ws->error());
    setCloseInfo(code, reason);
    // A refused handshake leaves its response (status, headers) for responseHeaders to show.
    if (m_ws && m_status == Connecting)
        setHandshakeInfo();
    updateBufferedAmount();
    setStatus(m_failed ? Error : Closed);
    if (m_active && !m_serverSide) {
        m_active = false;
        Q_EMIT activeChanged(false);
    }
}

void QmlWebSocket::failBeforeOpen(WebSocketError::Kind kind, const QString &reason)
{
    qCWarning(
        lcQml, "WebSocket: cannot open %s: %s", qPrintable(urlForLog(m_url)), qPrintable(reason));
    const WebSocketError error(kind, quint16(CloseCode::AbnormalClosure), reason);
    onErrorOccurred(error);
    onClosed(error.closeCode(), reason);
}

void QmlWebSocket::setStatus(Status status)
{
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged(m_status);
}

void QmlWebSocket::setErrorString(const QString &errorString)
{
    if (errorString == m_errorString)
        return;
    m_errorString = errorString;
    Q_EMIT errorStringChanged(m_errorString);
}

void QmlWebSocket::setError(const WebSocketError &error)
{
    const QmlWebSocketError value(error);
    if (value == m_error)
        return;
    m_error = value;
    Q_EMIT errorChanged();
}

void QmlWebSocket::setCloseInfo(int code, const QString &reason)
{
    if (code != m_closeCode) {
        m_closeCode = code;
        Q_EMIT closeCodeChanged();
    }
    if (reason != m_closeReason) {
        m_closeReason = reason;
        Q_EMIT closeReasonChanged();
    }
}

void QmlWebSocket::setNegotiated(const QString &subprotocol, const QString &extensions)
{
    if (subprotocol != m_negotiatedSubprotocol) {
        m_negotiatedSubprotocol = subprotocol;
        Q_EMIT negotiatedSubprotocolChanged();
    }
    if (extensions != m_extensions) {
        m_extensions = extensions;
        Q_EMIT extensionsChanged();
    }
}

void QmlWebSocket::setHandshakeInfo()
{
    // A client's request exists once it was sent; a 200 with no headers is no response yet.
    const http::Request request = m_ws ? m_ws->handshakeRequest() : http::Request();
    const http::Response response = m_ws ? m_ws->handshakeResponse() : http::Response();
    const QString requestHead
        = request.headers.isEmpty() ? QString() : QString::fromLatin1(request.serialize());
    const QString responseHead = response.headers.isEmpty() && response.status == 200
        ? QString()
        : QString::fromLatin1(response.serialize());
    if (requestHead != m_handshakeRequest || responseHead != m_handshakeResponse) {
        m_handshakeRequest = requestHead;
        m_handshakeResponse = responseHead;
        Q_EMIT handshakeChanged();
    }
    const QVariantMap headers
        = m_ws ? headerObject(m_ws->handshakeResponse().headers) : QVariantMap();
    if (headers != m_responseHeaders) {
        m_responseHeaders = headers;
        Q_EMIT responseHeadersChanged();
    }
    const QHostAddress address = m_ws ? m_ws->peerAddress() : QHostAddress();
    const QString text = address.isNull() ? QString() : address.toString();
    if (text != m_peerAddress) {
        m_peerAddress = text;
        Q_EMIT peerAddressChanged();
    }
    const int port = m_ws ? m_ws->peerPort() : 0;
    if (port != m_peerPort) {
        m_peerPort = port;
        Q_EMIT peerPortChanged();
    }
}

void QmlWebSocket::updateBufferedAmount()
{
    const qint64 amount = m_ws ? m_ws->bufferedAmount() : 0;
    if (amount == m_bufferedAmount)
        return;
    m_bufferedAmount = amount;
    Q_EMIT bufferedAmountChanged();
}

bool QmlWebSocket::isOpen() const
{
    return m_ws && m_status == Open;
}

bool QmlWebSocket::canSend(const char *method) const
{
    if (isOpen())
        return true;
    qCWarning(lcQml, "WebSocket: %s() while not open (status %d): not sent", method, int(m_status));
    return false;
}

qint64 QmlWebSocket::sendTextMessage(const QString &message)
{
    if (!canSend("sendTextMessage"))
        return -1;
    const qint64 sent = m_ws->sendTextMessage(message);
    updateBufferedAmount();
    return sent;
}

qint64 QmlWebSocket::sendBinaryMessage(const QJSValue &message)
{
    const std::optional<QByteArray> bytes = bytesOfBinary(qjsEngine(this), message);
    if (!bytes) {
        qCWarning(lcQml,
            "WebSocket: sendBinaryMessage() takes an ArrayBuffer, a typed array or a DataView, "
            "not %s: not sent",
            qPrintable(describe(message)));
        return -1;
    }
    return sendBytes(*bytes);
}

qint64 QmlWebSocket::sendBytes(const QByteArray &bytes)
{
    if (!canSend("sendBinaryMessage"))
        return -1;
    const qint64 sent = m_ws->sendBinaryMessage(bytes);
    updateBufferedAmount();
    return sent;
}

qint64 QmlWebSocket::sendTextFragments(const QJSValue &fragments)
{
    return sendFragments("sendTextFragments", MessageType::Text, fragments);
}

qint64 QmlWebSocket::sendBinaryFragments(const QJSValue &fragments)
{
    return sendFragments("sendBinaryFragments", MessageType::Binary, fragments);
}

qint64 QmlWebSocket::sendFragments(const char *method, MessageType type, const QJSValue &fragments)
{
    QList<QByteArray> chunks;
    const bool isList = fragments.isArray();
    const int length = isList ? fragments.property(QStringLiteral("length")).toInt() : 0;
    for (int i = 0; i < length; ++i) {
        const QJSValue fragment = fragments.property(quint32(i));
        if (fragment.isString()) {
            chunks.append(fragment.toString().toUtf8());
            continue;
        }
        std::optional<QByteArray> bytes = bytesOfBinary(qjsEngine(this), fragment);
        if (!bytes) {
            qCWarning(lcQml, "WebSocket: %s(): fragment %d is %s, not a string or binary: not sent",
                method, i, qPrintable(describe(fragment)));
            return -1;
        }
        chunks.append(std::move(*bytes));
    }
    if (!isList) {
        qCWarning(lcQml, "WebSocket: %s() takes a list of fragments, not %s: not sent", method,
            qPrintable(describe(fragments)));
        return -1;
    }
    if (!canSend(method))
        return -1;
    const qint64 sent = m_ws->sendFragments(type, chunks);
    updateBufferedAmount();
    return sent;
}

qint64 QmlWebSocket::ping(const QJSValue &payload)
{
    QByteArray bytes;
    if (payload.isString()) {
        bytes = payload.toString().toUtf8();
    } else if (!payload.isUndefined()) {
        const std::optional<QByteArray> binary = bytesOfBinary(qjsEngine(this), payload);
        if (!binary) {
            qCWarning(lcQml,
                "WebSocket: ping() takes nothing, a string or binary data, not %s: not sent",
                qPrintable(describe(payload)));
            return -1;
        }
        bytes = *binary;
    }
    if (bytes.size() > maxControlPayload) {
        qCWarning(lcQml, "WebSocket: ping() payload of %lld bytes is over 125 (RFC 6455 §5.5)",
            qint64(bytes.size()));
        return -1;
    }
    if (!canSend("ping"))
        return -1;
    const qint64 sent = m_ws->ping(bytes);
    updateBufferedAmount();
    return sent;
}

void QmlWebSocket::close(int code, const QString &reason)
{
    if (code < 1000 || code > 4999) {
        qCWarning(lcQml, "WebSocket: close(%d) refused: close codes are 1000-4999", code);
        return;
    }
    if (!isSendableCloseCode(quint16(code))) {
        qCWarning(lcQml,
            "WebSocket: close(%d) refused: %d may not be sent in a close frame (RFC 6455 §7.4)",
            code, code);
        return;
    }
    if (reason.toUtf8().size() > maxCloseReason) {
        qCWarning(lcQml, "WebSocket: close() reason of %lld UTF-8 bytes refused: at most 123",
            qint64(reason.toUtf8().size()));
        return;
    }
    if (!m_ws || (m_status != Open && m_status != Connecting))
        return;
    m_ws->close(CloseCode(code), reason);
    syncReadPaused();
}

void QmlWebSocket::abort()
{
    if (m_ws)
        m_ws->abort();
}

} // namespace qtws::qml
