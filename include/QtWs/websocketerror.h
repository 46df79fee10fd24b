// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/closecode.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QMetaType>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <exception>

namespace qtws {

// Why a WebSocket failed or ended, for the application. The async API emits it with
// WebSocket::errorOccurred; the blocking API throws it. It carries the close code the connection
// ended with (RFC 6455 §7.4: what was sent for a local failure, what the peer sent for its
// close, 1006 when the transport dropped), a short English reason, and for a refused handshake
// the HTTP status and the start of the response body.
class QTWS_EXPORT WebSocketError : public std::exception
{
    Q_GADGET
    Q_PROPERTY(Kind kind READ kind CONSTANT)
    Q_PROPERTY(int closeCode READ closeCode CONSTANT)
    Q_PROPERTY(QString reason READ reason CONSTANT)
    Q_PROPERTY(int httpStatus READ httpStatus CONSTANT)
    Q_PROPERTY(bool normal READ isNormal CONSTANT)

public:
    enum class Kind {
        NoError,
        InvalidUrl, // not ws://, wss://, http:// or https://, or no host
        InvalidOptions, // an option that cannot work (a forbidden header, a bad limit)
        ConnectionFailed, // DNS, TCP connect refused or reset
        TlsFailed, // the TLS handshake failed (certificate verification, protocol);
                   // closeCode 1015, the reason lists the TLS errors
        ProxyFailed, // the proxy refused or failed (407, SOCKS error)
        HandshakeRefused, // the server answered with a status other than 101 (httpStatus)
        HandshakeInvalid, // a 101 that breaks RFC 6455 §4.1 (accept value, unoffered protocol)
        Timeout, // a deadline fired; reason names which and after how long
        KeepaliveTimeout, // no pong to a keepalive ping in time: the peer is presumed dead
        ProtocolError, // the peer broke RFC 6455 (1002, 1007, 1009 ... in closeCode)
        ClosedByPeer, // the peer closed (closeCode and reason are the peer's)
        ConnectionLost, // the transport ended without a close handshake (1006)
        Closed, // the blocking API: receive() after the connection closed
    };
    Q_ENUM(Kind)

    WebSocketError() = default;
    WebSocketError(
        Kind kind, quint16 closeCode, QString reason, int httpStatus = 0, QByteArray httpBody = {});

    Kind kind() const { return m_kind; }
    int closeCode() const { return m_closeCode; }
    QString reason() const { return m_reason; }
    // A refused handshake's HTTP status, else 0.
    int httpStatus() const { return m_httpStatus; }
    // The first bytes (at most 1 KiB) of a refused handshake's response body.
    QByteArray httpBody() const { return m_httpBody; }
    // True for the ends that are not errors: a close with 1000 (Normal), 1001 (Going Away)
    // or 1005 (no status) from either side.
    bool isNormal() const;
    // "websocket closed with 1009 (Message Too Big): message of 17000000 bytes over the limit"
    QString toString() const;
    const char *what() const noexcept override;

private:
    Kind m_kind = Kind::NoError;
    quint16 m_closeCode = 0;
    QString m_reason{};
    int m_httpStatus = 0;
    QByteArray m_httpBody{};
    QByteArray m_what{};
};

} // namespace qtws

Q_DECLARE_METATYPE(qtws::WebSocketError)
