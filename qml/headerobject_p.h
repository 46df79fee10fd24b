// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QVariantMap>

namespace qtws::http {
class Headers;
}

namespace qtws::qml {

// HTTP header fields as QML reads them (requestHeaders, responseHeaders, acceptConnection's
// request.headers): a JS object keyed by lower-case field name (names are case-insensitive,
// RFC 9110 §5.1), values as Latin-1 text (field values are octets, RFC 9110 §5.5). A repeated
// field is joined with ", " as RFC 9110 §5.3 allows; only Set-Cookie may not be, so its values
// become a list.
QVariantMap headerObject(const http::Headers &headers);

} // namespace qtws::qml
