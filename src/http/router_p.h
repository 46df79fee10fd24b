// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// Private helpers shared by the router and the static-file helper (not installed).

#include <QtCore/QByteArrayView>
#include <QtCore/QStringList>

namespace qtws::http::detail {

struct DecodedPath
{
    // 200; 400 for a target that is not origin- or absolute-form or whose path has malformed
    // percent-encoding or is not UTF-8 once decoded; 404 for the asterisk-form "*", which
    // names no resource a route or a file could match (RFC 9112 §3.2.4).
    int status = 200;
    // The path split on '/' (the leading '/' dropped), each segment then percent-decoded:
    // "/" → {""}, "/a/b%2Fc/" → {"a", "b/c", ""}.
    QStringList segments;
};

// The path of a request-target (RFC 9112 §3.2), without query or fragment, as decoded segments.
DecodedPath decodePathSegments(QByteArrayView target);

} // namespace qtws::http::detail
