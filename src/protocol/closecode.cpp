// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/closecode.h>

namespace qtws {

bool isSendableCloseCode(quint16 code) noexcept
{
    // RFC 6455 §7.4.1/§7.4.2: 0–999 are not used; 1004 is reserved; 1005, 1006 and 1015 are
    // for reporting only and MUST NOT be sent; 1016–2999 are reserved for future RFCs (the
    // IANA registry assigns only up to 1014); 3000–4999 belong to libraries and applications.
    if (code >= 1000 && code <= 1003)
        return true;
    if (code >= 1007 && code <= 1014)
        return true;
    return code >= 3000 && code <= 4999;
}

QByteArray closeCodeName(quint16 code)
{
    switch (code) {
    case 1000: return QByteArrayLiteral("Normal Closure");
    case 1001: return QByteArrayLiteral("Going Away");
    case 1002: return QByteArrayLiteral("Protocol error");
    case 1003: return QByteArrayLiteral("Unsupported Data");
    case 1005: return QByteArrayLiteral("No Status Rcvd");
    case 1006: return QByteArrayLiteral("Abnormal Closure");
    case 1007: return QByteArrayLiteral("Invalid frame payload data");
    case 1008: return QByteArrayLiteral("Policy Violation");
    case 1009: return QByteArrayLiteral("Message Too Big");
    case 1010: return QByteArrayLiteral("Mandatory Ext.");
    case 1011: return QByteArrayLiteral("Internal Error");
    case 1012: return QByteArrayLiteral("Service Restart");
    case 1013: return QByteArrayLiteral("Try Again Later");
    case 1014: return QByteArrayLiteral("Bad Gateway");
    case 1015: return QByteArrayLiteral("TLS handshake");
    default: return {};
    }
}

} // namespace qtws
