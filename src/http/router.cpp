// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/router.h>

#include "http/logging_p.h"
#include "http/tokens_p.h"

#include "router_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QStringDecoder>

#include <algorithm>
#include <cctype>

namespace qtws::http {

namespace {

using tokens::hexValue;

// RFC 3986 §2.1: '%' HEXDIG HEXDIG. A lone '%' or a non-hex digit is malformed, not literal.
bool percentDecode(QByteArrayView in, QByteArray *out)
{
    out->clear();
    out->reserve(in.size());
    for (qsizetype i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c != '%') {
            out->append(c);
            continue;
        }
        if (i + 2 >= in.size())
            return false;
        const int hi = hexValue(in[i + 1]);
        const int lo = hexValue(in[i + 2]);
        if (hi < 0 || lo < 0)
            return false;
        out->append(char(hi * 16 + lo));
        i += 2;
    }
    return true;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), followed here by "://".
qsizetype schemeEnd(QByteArrayView target)
{
    if (target.isEmpty() || !std::isalpha(static_cast<unsigned char>(target[0])))
        return -1;
    for (qsizetype i = 1; i < target.size(); ++i) {
        const char c = target[i];
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')
            continue;
        return target.sliced(i).startsWith("://") ? i : -1;
    }
    return -1;
}

// RFC 9110 §5.6.2: token = 1*tchar.
bool isToken(QByteArrayView s)
{
    static constexpr QByteArrayView extra = "!#$%&'*+-.^_`|~";
    if (s.isEmpty())
        return false;
    return std::all_of(s.begin(), s.end(),
        [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || extra.contains(c); });
}

bool isName(QStringView s)
{
    if (s.isEmpty())
        return false;
    return std::all_of(s.begin(), s.end(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
            || c == u'_';
    });
}

} // namespace

namespace detail {

DecodedPath decodePathSegments(QByteArrayView target)
{
    DecodedPath result;
    QByteArrayView path;
    if (target.startsWith('/')) {
        path = target; // origin-form, RFC 9112 §3.2.1
    } else if (const qsizetype end = schemeEnd(target); end > 0) {
        // absolute-form, RFC 9112 §3.2.2: a server MUST accept it; the path follows the
        // authority, and an empty path means "/".
        const QByteArrayView afterScheme = target.sliced(end + 3);
        qsizetype start = 0;
        while (start < afterScheme.size() && afterScheme[start] != '/' && afterScheme[start] != '?'
            && afterScheme[start] != '#')
            ++start;
        path = start < afterScheme.size() && afterScheme[start] == '/' ? afterScheme.sliced(start)
                                                                       : QByteArrayView("/");
    } else {
        result.status = target == "*" ? 404 : 400;
        return result;
    }
    for (qsizetype i = 0; i < path.size(); ++i) {
        if (path[i] == '?' || path[i] == '#') {
            path.truncate(i);
            break;
        }
    }

    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QByteArray decoded;
    path = path.sliced(1);
    qsizetype start = 0;
    while (true) {
        qsizetype slash = path.indexOf('/', start);
        const QByteArrayView raw = path.sliced(start, (slash < 0 ? path.size() : slash) - start);
        if (!percentDecode(raw, &decoded)) {
            result.status = 400;
            return result;
        }
        // Segments become QString: bytes that are not UTF-8 are refused rather than replaced
        // by U+FFFD, which would make distinct paths match the same route.
        QString segment = utf8.decode(decoded);
        if (utf8.hasError()) {
            result.status = 400;
            return result;
        }
        result.segments.append(std::move(segment));
        if (slash < 0)
            break;
        start = slash + 1;
    }
    return result;
}

} // namespace detail

QString RouteMatch::param(QStringView name) const
{
    for (const auto &[key, value] : params) {
        if (key == name)
            return value;
    }
    return {};
}

bool RouteTable::add(QByteArrayView method, QStringView pattern)
{
    const auto refuse = [&](const char *why) {
        qCWarning(lcHttp, "Router: refusing %s %s: %s", method.toByteArray().constData(),
            qUtf8Printable(pattern.toString()), why);
        return false;
    };
    if (method != "*" && !isToken(method))
        return refuse("the method is not a token (RFC 9110 §9.1)");
    if (!pattern.startsWith(u'/'))
        return refuse("the pattern does not start with '/'");

    Route route;
    route.method = method.toByteArray();
    const QList<QStringView> parts = pattern.sliced(1).split(u'/');
    QStringList names;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QStringView part = parts[i];
        if (part.startsWith(u'{') && part.endsWith(u'}') && part.size() >= 2) {
            QStringView name = part.sliced(1, part.size() - 2);
            Kind kind = Kind::Parameter;
            if (name.endsWith(u'*')) {
                name.chop(1);
                kind = Kind::Wildcard;
                if (i != parts.size() - 1)
                    return refuse("a wildcard {name*} must be the last segment");
            }
            if (!isName(name))
                return refuse("a parameter name must be [A-Za-z0-9_]+");
            if (names.contains(name))
                return refuse("a parameter name is used twice");
            names.append(name.toString());
            route.segments.append({kind, name.toString()});
            continue;
        }
        if (part.contains(u'{') || part.contains(u'}'))
            return refuse("braces are allowed only around a whole segment");
        if (part == u"*")
            return refuse("a bare '*' segment is ambiguous; write a wildcard as {name*}");
        route.segments.append({Kind::Literal, part.toString()});
    }

    for (const Route &existing : std::as_const(m_routes)) {
        if (existing.method == route.method && sameShape(existing, route))
            return refuse("the same method already has a route with this pattern");
    }
    m_routes.append(std::move(route));
    return true;
}

bool RouteTable::sameShape(const Route &a, const Route &b)
{
    if (a.segments.size() != b.segments.size())
        return false;
    for (qsizetype i = 0; i < a.segments.size(); ++i) {
        const Segment &x = a.segments[i];
        const Segment &y = b.segments[i];
        if (x.kind != y.kind || (x.kind == Kind::Literal && x.text != y.text))
            return false;
    }
    return true;
}

// < 0 when a is more specific than b. Only meaningful for two routes that match the same path:
// then they can differ in kind at some segment, or one ends where the other has a wildcard.
int RouteTable::compareSpecificity(const Route &a, const Route &b)
{
    const auto rank = [](const Route &r, qsizetype i) {
        return i < r.segments.size() ? int(r.segments[i].kind) : -1; // an end beats a wildcard
    };
    const qsizetype n = std::max(a.segments.size(), b.segments.size());
    for (qsizetype i = 0; i < n; ++i) {
        if (const int d = rank(a, i) - rank(b, i); d != 0)
            return d;
    }
    return 0;
}

bool RouteTable::matches(const Route &route, const QStringList &segments, RouteMatch *out)
{
    out->params.clear();
    out->rest.clear();
    qsizetype i = 0;
    for (const Segment &s : route.segments) {
        if (s.kind == Kind::Wildcard) {
            out->rest = segments.mid(i);
            out->params.emplace_back(s.text, out->rest.join(u'/'));
            return true;
        }
        if (i >= segments.size())
            return false;
        if (s.kind == Kind::Literal) {
            if (segments[i] != s.text)
                return false;
        } else {
            if (segments[i].isEmpty())
                return false;
            out->params.emplace_back(s.text, segments[i]);
        }
        ++i;
    }
    return i == segments.size();
}

RouteMatch RouteTable::match(QByteArrayView method, QByteArrayView target) const
{
    RouteMatch result;
    const detail::DecodedPath path = detail::decodePathSegments(target);
    if (path.status != 200) {
        result.status = path.status;
        return result;
    }

    // How well a route's method fits: exact, "*", or GET standing in for HEAD (RFC 9110 §9.3.2:
    // HEAD is GET without content, so a GET route can answer it). -1 = does not accept.
    const auto methodRank = [&](const QByteArray &routeMethod) {
        if (routeMethod == method)
            return 0;
        if (routeMethod == "*")
            return 1;
        if (method == "HEAD" && routeMethod == "GET")
            return 2;
        return -1;
    };

    QList<QByteArray> allowed;
    qsizetype best = -1;
    int bestRank = -1;
    RouteMatch scratch;
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        const Route &route = m_routes[i];
        if (!matches(route, path.segments, &scratch))
            continue;
        if (!allowed.contains(route.method))
            allowed.append(route.method);
        const int rank = methodRank(route.method);
        if (rank < 0)
            continue;
        if (best >= 0) {
            const int c = compareSpecificity(route, m_routes[best]);
            if (c > 0 || (c == 0 && rank >= bestRank))
                continue;
        }
        best = i;
        bestRank = rank;
        result.params = scratch.params;
        result.rest = scratch.rest;
    }

    if (best >= 0) {
        result.status = 200;
        result.route = best;
        result.isHeadForGet = bestRank == 2;
        return result;
    }
    result.params.clear();
    result.rest.clear();
    if (allowed.isEmpty())
        return result; // 404
    // RFC 9110 §15.5.6: a 405 MUST carry Allow with the methods the resource supports. HEAD is
    // supported wherever GET is, since GET routes answer it.
    if (allowed.contains("GET") && !allowed.contains("HEAD"))
        allowed.append("HEAD");
    std::sort(allowed.begin(), allowed.end());
    result.status = 405;
    result.allow = allowed.join(", ");
    return result;
}

} // namespace qtws::http
