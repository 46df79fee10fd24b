// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>

#include <utility>

namespace qtws::http {

// An HTTP/1.1 request (RFC 9112 §3): request line, header fields and body.
struct QTWS_EXPORT Request
{
    QByteArray method = "GET"; // case-sensitive token (RFC 9110 §9.1)
    QByteArray target = "/"; // request-target exactly as on the wire (origin-form usually)
    int versionMajor = 1;
    int versionMinor = 1;
    Headers headers{};
    QByteArray body{};
    // Trailer fields of a chunked body (RFC 9112 §7.1.2), kept apart from headers.
    Headers trailers{};

    // The percent-decoded path of target, without the query ("/rooms/a b" for "/rooms/a%20b?x").
    QString path() const;
    // The decoded query parameters of target, in order, repeated names kept.
    QList<std::pair<QString, QString>> queryItems() const;
    // The first decoded value of query parameter name, or a null QString.
    QString queryValue(const QString &name) const;

    // The request as bytes: request line, headers, blank line, body. Adds nothing: the caller
    // sets Host, Content-Length or Transfer-Encoding as it wants them on the wire.
    QByteArray serialize() const;

    friend bool operator==(const Request &, const Request &) = default;
};

} // namespace qtws::http
