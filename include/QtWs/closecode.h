// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>

namespace qtws {

// WebSocket close status codes, named after the IANA "WebSocket Close Code Number Registry"
// (RFC 6455 §7.4.1 and §11.7). The type is open: any quint16 may be stored in it.
enum class CloseCode : quint16 {
    Normal = 1000, // Normal Closure
    GoingAway = 1001, // Going Away (server shutting down, page navigated away)
    ProtocolError = 1002, // Protocol error
    UnsupportedData = 1003, // Unsupported Data (e.g. binary to a text-only endpoint)
    NoStatusReceived = 1005, // No Status Rcvd: reported locally, never sent
    AbnormalClosure = 1006, // Abnormal Closure: reported locally, never sent
    InvalidPayloadData = 1007, // Invalid frame payload data (e.g. bad UTF-8)
    PolicyViolation = 1008, // Policy Violation
    MessageTooBig = 1009, // Message Too Big
    MandatoryExtension = 1010, // Mandatory Ext. (client only)
    InternalError = 1011, // Internal Error
    ServiceRestart = 1012, // Service Restart
    TryAgainLater = 1013, // Try Again Later
    BadGateway = 1014, // Bad Gateway
    TlsHandshake = 1015, // TLS handshake: reported locally, never sent
};

// True when code may appear in a close frame on the wire (RFC 6455 §7.4.1, §7.4.2 and the
// IANA registry): 1000–1003, 1007–1014 and the application/private range 3000–4999.
// 1004–1006 and 1015 are reserved or local-only, 0–999 unused, the rest unassigned.
QTWS_EXPORT bool isSendableCloseCode(quint16 code) noexcept;

// The IANA registry's name for code ("Normal Closure"), or "" for codes without one.
QTWS_EXPORT QByteArray closeCodeName(quint16 code);

} // namespace qtws
