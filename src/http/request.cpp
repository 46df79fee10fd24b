// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/request.h>

#include "http/tokens_p.h"

namespace qtws::http {

namespace {

using tokens::hexValue;

// Percent-decodes bytes (RFC 3986 §2.1) and reads the result as UTF-8 (RFC 3986 §2.5: new URI
// schemes encode text as UTF-8; invalid sequences become U+FFFD). A '%' not followed by two hex
// digits is kept literally rather than refused: path() and queryItems() are conveniences for
// routing, and the parser has already refused targets that are unsafe on the wire.
// plusIsSpace applies the application/x-www-form-urlencoded rule (WHATWG URL §5.1) to queries.
QString percentDecode(QByteArrayView in, bool plusIsSpace)
{
    if (!in.contains('%') && !(plusIsSpace && in.contains('+')))
        return QString::fromUtf8(in);
    QByteArray out;
    out.reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%' && i + 2 < in.size() && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
            out += char(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2]));
            i += 2;
        } else if (c == '+' && plusIsSpace) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return QString::fromUtf8(out);
}

// Splits a request-target (RFC 9112 §3.2) into its path and query, whatever its form:
// origin-form "/p?q", absolute-form "http://host/p?q" (sent to proxies, and which servers MUST
// accept, RFC 9112 §3.2.2), authority-form "host:port" (CONNECT: no path) and asterisk-form "*".
// A fragment is not part of a request-target, but is cut off defensively.
struct TargetParts
{
    QByteArrayView path;
    QByteArrayView query;
    bool hasQuery = false;
};

TargetParts splitTarget(QByteArrayView target)
{
    if (const qsizetype hash = target.indexOf('#'); hash >= 0)
        target = target.first(hash);
    TargetParts parts;
    QByteArrayView rest = target;
    if (!rest.startsWith('/') && rest != "*") {
        // absolute-form: scheme "://" authority path-abempty [ "?" query ]
        const qsizetype scheme = rest.indexOf("://");
        if (scheme > 0) {
            rest = rest.sliced(scheme + 3);
            const qsizetype pathStart = rest.indexOf('/');
            const qsizetype queryStart = rest.indexOf('?');
            if (pathStart < 0 || (queryStart >= 0 && queryStart < pathStart))
                rest = queryStart >= 0 ? rest.sliced(queryStart) : QByteArrayView();
            else
                rest = rest.sliced(pathStart);
        } else {
            rest = {}; // authority-form
        }
    }
    if (const qsizetype q = rest.indexOf('?'); q >= 0) {
        parts.path = rest.first(q);
        parts.query = rest.sliced(q + 1);
        parts.hasQuery = true;
    } else {
        parts.path = rest;
    }
    return parts;
}

} // namespace

// Note: "%2F" decodes to '/', and dot segments are not removed; a router or file server that maps
// paths to files must normalise the decoded path itself (RFC 3986 §5.2.4).
QString Request::path() const
{
    const TargetParts parts = splitTarget(target);
    // RFC 9110 §4.2.3: an empty path in an http(s) URI is equivalent to "/".
    if (parts.path.isEmpty() && target != "*")
        return QStringLiteral("/");
    return percentDecode(parts.path, /*plusIsSpace=*/false);
}

// '+' means space in a query: browsers encode HTML form fields that way
// (application/x-www-form-urlencoded), and a literal '+' arrives as "%2B" from them.
// Empty pairs ("a=1&&b=2") are skipped; a name without '=' has an empty, non-null value.
QList<std::pair<QString, QString>> Request::queryItems() const
{
    QList<std::pair<QString, QString>> items;
    const TargetParts parts = splitTarget(target);
    if (!parts.hasQuery)
        return items;
    QByteArrayView query = parts.query;
    while (!query.isEmpty()) {
        const qsizetype amp = query.indexOf('&');
        const QByteArrayView pair = amp >= 0 ? query.first(amp) : query;
        query = amp >= 0 ? query.sliced(amp + 1) : QByteArrayView();
        if (pair.isEmpty())
            continue;
        const qsizetype eq = pair.indexOf('=');
        QString name = percentDecode(eq >= 0 ? pair.first(eq) : pair, true);
        QString value = eq >= 0 ? percentDecode(pair.sliced(eq + 1), true) : QString();
        if (value.isNull())
            value = QStringLiteral(""); // present but empty, unlike queryValue()'s "absent"

        items.emplace_back(std::move(name), std::move(value));
    }
    return items;
}

QString Request::queryValue(const QString &name) const
{
    const auto items = queryItems();
    for (const auto &[key, value] : items) {
        if (key == name)
            return value;
    }
    return {};
}

QByteArray Request::serialize() const
{
    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF
    const QByteArray head = headers.serialize();
    QByteArray out;
    out.reserve(method.size() + target.size() + 14 + head.size() + 2 + body.size());
    out += method;
    out += ' ';
    out += target;
    out += " HTTP/";
    out += QByteArray::number(versionMajor);
    out += '.';
    out += QByteArray::number(versionMinor);
    out += "\r\n";
    out += head;
    out += "\r\n";
    out += body;
    return out;
}

} // namespace qtws::http
