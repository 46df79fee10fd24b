// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "qmlwebsocketerror.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QVariantMap>
#include <QtQml/QJSValue>
#include <QtQml/QQmlParserStatus>
#include <QtQml/qqmlregistration.h>

QT_BEGIN_NAMESPACE
class QQmlEngine;
QT_END_NAMESPACE

namespace qtws {
class WebSocket;
struct ClientOptions;
enum class MessageType : quint8;
} // namespace qtws

namespace qtws::qml {

// `WebSocket` in QML: a qtws::WebSocket with the names of Qt's QML WebSocket (QtWebSockets) and
// the rest of qtws's client options as bindable properties (docs/qml.md has every member).
//
// Client role (created in QML): `active: true` opens `url` with the settings the properties hold
// at that moment; `active: false` closes with 1000; a new `url` while active closes the current
// connection with 1000 and opens the new one; active with an empty url waits for one. Once the
// connection ended (status Closed or Error) `active` is false again, so setting it to true
// reconnects.
//
// Server role (handed to WebSocketServer.clientConnected): already Open; url and requestHeaders
// are those of the client's handshake request; the client settings do nothing; owned by the
// WebSocketServer (see QmlWebSocketServer for its lifetime).
class QmlWebSocket : public QObject, public QQmlParserStatus
{
    Q_OBJECT
    Q_INTERFACES(QQmlParserStatus)
    QML_NAMED_ELEMENT(WebSocket)

    // ---- the names of Qt's QML WebSocket -----------------------------------------------------
    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(bool active READ isActive WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)
    Q_PROPERTY(QStringList requestedSubprotocols READ requestedSubprotocols WRITE
            setRequestedSubprotocols NOTIFY requestedSubprotocolsChanged)
    Q_PROPERTY(QString negotiatedSubprotocol READ negotiatedSubprotocol NOTIFY
            negotiatedSubprotocolChanged)

    // ---- the connection, as it goes -------------------------------------------------------
    Q_PROPERTY(qtws::qml::QmlWebSocketError error READ error NOTIFY errorChanged)
    Q_PROPERTY(int closeCode READ closeCode NOTIFY closeCodeChanged)
    Q_PROPERTY(QString closeReason READ closeReason NOTIFY closeReasonChanged)
    Q_PROPERTY(qint64 bufferedAmount READ bufferedAmount NOTIFY bufferedAmountChanged)
    Q_PROPERTY(qint64 roundTripTime READ roundTripTime NOTIFY roundTripTimeChanged)
    Q_PROPERTY(QString extensions READ extensions NOTIFY extensionsChanged)
    Q_PROPERTY(bool serverSide READ isServerSide CONSTANT)
    // The other side of the handshake as a JS object (lower-case names): for a client the
    // server's 101 response, for a server-side WebSocket the 101 this server sent.
    Q_PROPERTY(QVariantMap responseHeaders READ responseHeaders NOTIFY responseHeadersChanged)
    // The opening handshake as it went over the wire, for tools that show it whole (the
    // Inspector): the request head and the response head, each with its request or status line
    // and every header field in order, as text (Latin-1: header bytes need not be UTF-8, RFC
    // 9110 §5.5). Empty until there is one; kept after the close, cleared by the next open.
    Q_PROPERTY(QString handshakeRequest READ handshakeRequest NOTIFY handshakeChanged)
    Q_PROPERTY(QString handshakeResponse READ handshakeResponse NOTIFY handshakeChanged)
    Q_PROPERTY(QString peerAddress READ peerAddress NOTIFY peerAddressChanged)
    Q_PROPERTY(int peerPort READ peerPort NOTIFY peerPortChanged)
    // Backpressure: while true no message is read or delivered (TCP slows the peer down);
    // false delivers the held messages. close() clears it (the peer's close must be read).
    Q_PROPERTY(bool readPaused READ isReadPaused WRITE setReadPaused NOTIFY readPausedChanged)

    // ---- client settings, read when a connection opens ----------------------------------------
    Q_PROPERTY(QVariantMap requestHeaders READ requestHeaders WRITE setRequestHeaders NOTIFY
            requestHeadersChanged)
    Q_PROPERTY(bool compression MEMBER m_compression NOTIFY compressionChanged)
    Q_PROPERTY(bool ignoreSslErrors MEMBER m_ignoreSslErrors NOTIFY ignoreSslErrorsChanged)
    // A list of file URLs or paths (url values and strings both work).
    Q_PROPERTY(QVariantList caCertificateFiles MEMBER m_caCertificateFiles NOTIFY
            caCertificateFilesChanged)
    Q_PROPERTY(QString peerVerifyName MEMBER m_peerVerifyName NOTIFY peerVerifyNameChanged)
    Q_PROPERTY(QUrl proxy MEMBER m_proxy NOTIFY proxyChanged)
    Q_PROPERTY(int keepaliveInterval MEMBER m_keepaliveInterval NOTIFY keepaliveIntervalChanged)
    Q_PROPERTY(int keepaliveTimeout MEMBER m_keepaliveTimeout NOTIFY keepaliveTimeoutChanged)
    Q_PROPERTY(int connectTimeout MEMBER m_connectTimeout NOTIFY connectTimeoutChanged)
    Q_PROPERTY(int handshakeTimeout MEMBER m_handshakeTimeout NOTIFY handshakeTimeoutChanged)
    Q_PROPERTY(int readIdleTimeout MEMBER m_readIdleTimeout NOTIFY readIdleTimeoutChanged)
    Q_PROPERTY(int closeTimeout MEMBER m_closeTimeout NOTIFY closeTimeoutChanged)
    Q_PROPERTY(qint64 maxMessageSize MEMBER m_maxMessageSize NOTIFY maxMessageSizeChanged)
    Q_PROPERTY(qint64 maxFrameSize MEMBER m_maxFrameSize NOTIFY maxFrameSizeChanged)
    Q_PROPERTY(int maxFragments MEMBER m_maxFragments NOTIFY maxFragmentsChanged)
    Q_PROPERTY(int maxRedirects MEMBER m_maxRedirects NOTIFY maxRedirectsChanged)

public:
    // Qt's QML WebSocket.Status, same names and values.
    enum Status { Connecting = 0, Open = 1, Closing = 2, Closed = 3, Error = 4 };
    Q_ENUM(Status)

    explicit QmlWebSocket(QObject *parent = nullptr);
    // The server role: wraps ws (owned by its qtws::Server), which is Open.
    QmlWebSocket(qtws::WebSocket *ws, QObject *parent);
    // An open client connection is closed with 1001 (Going Away, as a browser page that goes
    // away) in the background; at application exit it is dropped.
    ~QmlWebSocket() override;

    QUrl url() const { return m_url; }
    void setUrl(const QUrl &url);
    bool isActive() const { return m_active; }
    void setActive(bool active);
    Status status() const { return m_status; }
    QString errorString() const { return m_errorString; }
    QStringList requestedSubprotocols() const { return m_requestedSubprotocols; }
    void setRequestedSubprotocols(const QStringList &subprotocols);
    QString negotiatedSubprotocol() const { return m_negotiatedSubprotocol; }

    QmlWebSocketError error() const { return m_error; }
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    qint64 bufferedAmount() const { return m_bufferedAmount; }
    qint64 roundTripTime() const { return m_roundTripTime; }
    QString extensions() const { return m_extensions; }
    bool isServerSide() const { return m_serverSide; }
    QVariantMap responseHeaders() const { return m_responseHeaders; }
    QString handshakeRequest() const { return m_handshakeRequest; }
    QString handshakeResponse() const { return m_handshakeResponse; }
    QString peerAddress() const { return m_peerAddress; }
    int peerPort() const { return m_peerPort; }
    bool isReadPaused() const { return m_readPaused; }
    void setReadPaused(bool paused);

    QVariantMap requestHeaders() const { return m_requestHeaders; }
    void setRequestHeaders(const QVariantMap &headers);

    // Return the payload bytes accepted (UTF-8 bytes for text), -1 when not Open or when the
    // argument is refused (with a warning on qtws.qml).
    Q_INVOKABLE qint64 sendTextMessage(const QString &message);
    // message: an ArrayBuffer, a typed array or a DataView.
    Q_INVOKABLE qint64 sendBinaryMessage(const QJSValue &message);
    // payload: nothing, a string (sent as UTF-8) or binary as above, at most 125 bytes
    // (RFC 6455 §5.5). The answer is pong(elapsedTime, payload).
    Q_INVOKABLE qint64 ping(const QJSValue &payload = QJSValue());
    // One message sent as fragments, one frame per element (RFC 6455 §5.4), for testing how a
    // peer reassembles. Each element is a string (its UTF-8 bytes) or binary as above; for text
    // only the whole message must be valid UTF-8, so a character may straddle two fragments.
    // An empty list sends one empty frame. Returns the payload bytes, -1 when not Open or an
    // element is neither (with a warning). Fragmented messages are never compressed.
    Q_INVOKABLE qint64 sendTextFragments(const QJSValue &fragments);
    Q_INVOKABLE qint64 sendBinaryFragments(const QJSValue &fragments);
    // Starts the close handshake. code 1000-4999 and sendable on the wire (not 1004-1006,
    // 1015), reason at most 123 UTF-8 bytes; anything else is refused with a warning.
    Q_INVOKABLE void close(int code = 1000, const QString &reason = QString());
    // Drops the connection without a close handshake (status Closed, closeCode 1006).
    Q_INVOKABLE void abort();

    // For WebSocketServer.broadcast(): bytes already taken from a JS value.
    qint64 sendBytes(const QByteArray &bytes);

    void classBegin() override { }
    void componentComplete() override;

Q_SIGNALS:
    void urlChanged();
    void activeChanged(bool isActive);
    void statusChanged(qtws::qml::QmlWebSocket::Status status);
    void errorStringChanged(const QString &errorString);
    void requestedSubprotocolsChanged();
    void negotiatedSubprotocolChanged();
    void textMessageReceived(const QString &message);
    // message is an ArrayBuffer in QML.
    void binaryMessageReceived(const QByteArray &message);
    // The answer to ping(); elapsedTime in milliseconds since that ping (-1 for a pong nobody
    // asked for); payload an ArrayBuffer. Qt 6.10's names.
    void pong(qint64 elapsedTime, const QByteArray &payload);
    // The peer pinged (the pong is sent automatically); payload an ArrayBuffer.
    void pingReceived(const QByteArray &payload);

    void errorChanged();
    void closeCodeChanged();
    void closeReasonChanged();
    void bufferedAmountChanged();
    void roundTripTimeChanged();
    void extensionsChanged();
    void responseHeadersChanged();
    void handshakeChanged();
    void peerAddressChanged();
    void peerPortChanged();
    void readPausedChanged();
    void requestHeadersChanged();
    void compressionChanged();
    void ignoreSslErrorsChanged();
    void caCertificateFilesChanged();
    void peerVerifyNameChanged();
    void proxyChanged();
    void keepaliveIntervalChanged();
    void keepaliveTimeoutChanged();
    void connectTimeoutChanged();
    void handshakeTimeoutChanged();
    void readIdleTimeoutChanged();
    void closeTimeoutChanged();
    void maxMessageSizeChanged();
    void maxFrameSizeChanged();
    void maxFragmentsChanged();
    void maxRedirectsChanged();

private:
    void open();
    void attach(qtws::WebSocket *ws);
    void detachAndClose(quint16 code);
    bool makeOptions(ClientOptions &options, QString *problem) const;
    void onStateChanged();
    void onErrorOccurred(const WebSocketError &error);
    void onClosed(int code, const QString &reason);
    void failBeforeOpen(WebSocketError::Kind kind, const QString &reason);
    void setStatus(Status status);
    void setErrorString(const QString &errorString);
    void setError(const WebSocketError &error);
    void setCloseInfo(int code, const QString &reason);
    void setNegotiated(const QString &subprotocol, const QString &extensions);
    // From m_ws's handshake (or cleared without one): response headers, peer address and port.
    void setHandshakeInfo();
    void syncReadPaused();
    void initDefaults();
    void updateBufferedAmount();
    bool isOpen() const;
    // isOpen(), else a warning that method() was not sent.
    bool canSend(const char *method) const;
    qint64 sendFragments(const char *method, MessageType type, const QJSValue &fragments);

    QPointer<qtws::WebSocket> m_ws;
    QPointer<QQmlEngine> m_engine; // the engine that created this object, if any
    bool m_serverSide = false;
    bool m_complete = false;
    bool m_failed = false; // errorOccurred() was seen for the current connection

    QUrl m_url;
    bool m_active = false;
    Status m_status = Closed;
    QString m_errorString;
    QStringList m_requestedSubprotocols;
    QString m_negotiatedSubprotocol;
    QmlWebSocketError m_error;
    int m_closeCode = 0;
    QString m_closeReason;
    qint64 m_bufferedAmount = 0;
    qint64 m_roundTripTime = -1;
    QString m_extensions;
    QVariantMap m_responseHeaders;
    QString m_handshakeRequest;
    QString m_handshakeResponse;
    QString m_peerAddress;
    int m_peerPort = 0;
    bool m_readPaused = false;

    QVariantMap m_requestHeaders;
    bool m_compression = true;
    bool m_ignoreSslErrors = false;
    QVariantList m_caCertificateFiles;
    QString m_peerVerifyName;
    QUrl m_proxy;
    // Milliseconds; the defaults are ClientOptions' (include/QtWs/clientoptions.h), taken from
    // it by initDefaults() so that they cannot drift apart.
    int m_keepaliveInterval = 0;
    int m_keepaliveTimeout = 0;
    int m_connectTimeout = 0;
    int m_handshakeTimeout = 0;
    int m_readIdleTimeout = 0;
    int m_closeTimeout = 0;
    qint64 m_maxMessageSize = 0;
    qint64 m_maxFrameSize = 0;
    int m_maxFragments = 0;
    int m_maxRedirects = 0;
};

} // namespace qtws::qml
