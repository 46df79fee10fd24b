// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/headers.h>

#include <QtCore/QByteArray>

namespace qtws::http {

// An HTTP/1.1 response (RFC 9112 §4): status line, header fields and body.
struct QTWS_EXPORT Response
{
    int status = 200;
    QByteArray reason{}; // empty means the standard phrase for status when serialised
    int versionMajor = 1;
    int versionMinor = 1;
    Headers headers{};
    QByteArray body{};
    Headers trailers{};

    // The standard reason phrase for a status code ("Switching Protocols" for 101), or "".
    static QByteArray reasonPhrase(int status);

    // The response as bytes: status line, headers, blank line, body. Adds nothing: the caller
    // sets Content-Length or Transfer-Encoding as it wants them on the wire.
    QByteArray serialize() const;

    friend bool operator==(const Response &, const Response &) = default;
};

} // namespace qtws::http
