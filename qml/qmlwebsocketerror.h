// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/websocketerror.h>

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtQml/qqmlregistration.h>

namespace qtws::qml {

// WebSocket.error in QML: how a connection went wrong or ended, as a value (a copy; compare
// fields, not objects). kind is the name of qtws::WebSocketError::Kind ("NoError",
// "ConnectionFailed", "TlsFailed", "HandshakeRefused", "ProtocolError", "ClosedByPeer", ...:
// docs/qml.md lists them), so that QML reads `error.kind === "TlsFailed"` without an import
// of the enum.
class QmlWebSocketError
{
    Q_GADGET
    QML_VALUE_TYPE(webSocketError)
    QML_UNCREATABLE("webSocketError values come from WebSocket.error")
    Q_PROPERTY(QString kind READ kind CONSTANT)
    Q_PROPERTY(int closeCode READ closeCode CONSTANT)
    Q_PROPERTY(QString reason READ reason CONSTANT)
    Q_PROPERTY(QString message READ message CONSTANT)
    Q_PROPERTY(int httpStatus READ httpStatus CONSTANT)
    // The first bytes (at most 1 KiB) of a refused handshake's response body, as text (UTF-8,
    // bad sequences as U+FFFD): it is shown to people. (A QByteArray property of a value type
    // does not reach Qt 6.4's QML as an ArrayBuffer.)
    Q_PROPERTY(QString httpBody READ httpBody CONSTANT)
    Q_PROPERTY(bool normal READ isNormal CONSTANT)

public:
    QmlWebSocketError() = default;
    explicit QmlWebSocketError(const WebSocketError &error) : m_error(error) { }

    QString kind() const;
    // The close code the connection ended with (0 before it ended).
    int closeCode() const { return m_error.closeCode(); }
    // The short reason alone ("certificate verify failed ...").
    QString reason() const { return m_error.reason(); }
    // The whole sentence, as errorString shows it; empty for NoError.
    QString message() const;
    int httpStatus() const { return m_error.httpStatus(); }
    QString httpBody() const;
    bool isNormal() const { return m_error.isNormal(); }

    Q_INVOKABLE QString toString() const { return message(); }

    friend bool operator==(const QmlWebSocketError &a, const QmlWebSocketError &b)
    {
        return a.m_error.kind() == b.m_error.kind() && a.closeCode() == b.closeCode()
            && a.reason() == b.reason() && a.httpStatus() == b.httpStatus();
    }

private:
    WebSocketError m_error{};
};

} // namespace qtws::qml
