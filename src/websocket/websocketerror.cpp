// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/websocketerror.h>

namespace qtws {

namespace {

QString kindText(WebSocketError::Kind kind)
{
    switch (kind) {
    case WebSocketError::Kind::NoError: return QStringLiteral("no error");
    case WebSocketError::Kind::InvalidUrl: return QStringLiteral("invalid websocket URL");
    case WebSocketError::Kind::InvalidOptions: return QStringLiteral("invalid websocket options");
    case WebSocketError::Kind::ConnectionFailed:
        return QStringLiteral("websocket connection failed");
    case WebSocketError::Kind::TlsFailed: return QStringLiteral("websocket TLS handshake failed");
    case WebSocketError::Kind::ProxyFailed: return QStringLiteral("websocket proxy failed");
    case WebSocketError::Kind::HandshakeRefused:
        return QStringLiteral("websocket handshake refused");
    case WebSocketError::Kind::HandshakeInvalid:
        return QStringLiteral("websocket handshake invalid");
    case WebSocketError::Kind::Timeout: return QStringLiteral("websocket timeout");
    case WebSocketError::Kind::KeepaliveTimeout:
        return QStringLiteral("websocket keepalive timeout");
    case WebSocketError::Kind::ProtocolError: return QStringLiteral("websocket protocol error");
    case WebSocketError::Kind::ClosedByPeer: return QStringLiteral("websocket closed by the peer");
    case WebSocketError::Kind::ConnectionLost: return QStringLiteral("websocket connection lost");
    case WebSocketError::Kind::Closed: return QStringLiteral("websocket closed");
    }
    return QStringLiteral("websocket error");
}

} // namespace

WebSocketError::WebSocketError(
    Kind kind, quint16 closeCode, QString reason, int httpStatus, QByteArray httpBody)
    : m_kind(kind)
    , m_closeCode(closeCode)
    , m_reason(std::move(reason))
    , m_httpStatus(httpStatus)
    , m_httpBody(std::move(httpBody))
{
    m_what = toString().toUtf8();
}

bool WebSocketError::isNormal() const
{
    if (m_kind != Kind::ClosedByPeer && m_kind != Kind::Closed)
        return false;
    return m_closeCode == quint16(CloseCode::Normal) || m_closeCode == quint16(CloseCode::GoingAway)
        || m_closeCode == quint16(CloseCode::NoStatusReceived);
}

QString WebSocketError::toString() const
{
    if (m_kind == Kind::NoError)
        return kindText(m_kind);
    // "websocket closed with 1009 (Message Too Big): message of 17000000 bytes over the limit"
    QString text = kindText(m_kind);
    if (m_kind == Kind::HandshakeRefused && m_httpStatus != 0)
        text += QStringLiteral(" with HTTP %1").arg(m_httpStatus);
    else if (m_closeCode != 0) {
        text += QStringLiteral(" with %1").arg(m_closeCode);
        const QByteArray name = closeCodeName(m_closeCode);
        if (!name.isEmpty())
            text += QStringLiteral(" (%1)").arg(QString::fromLatin1(name));
    }
    if (!m_reason.isEmpty())
        text += QStringLiteral(": ") + m_reason;
    if (!m_httpBody.isEmpty()) {
        const QString body = QString::fromUtf8(m_httpBody).simplified();
        if (!body.isEmpty())
            text += QStringLiteral(" — body: ") + body.left(200);
    }
    return text;
}

const char *WebSocketError::what() const noexcept
{
    return m_what.isEmpty() ? "websocket error" : m_what.constData();
}

} // namespace qtws
