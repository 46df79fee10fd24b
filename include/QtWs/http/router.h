// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/request.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <deque>
#include <utility>

namespace qtws::http {

// The outcome of looking a request up in a RouteTable.
struct QTWS_EXPORT RouteMatch
{
    // 200 when a route matched; otherwise the status to answer with: 404 (no route matches the
    // path), 405 (routes match the path, none for this method; see allow) or 400 (the target
    // is not origin- or absolute-form, has malformed percent-encoding or is not UTF-8).
    int status = 404;
    // Index of the matched route in registration order, or -1.
    qsizetype route = -1;
    // True when a HEAD request matched a GET route because the path has no HEAD route: run the
    // GET handler and send its headers without the body (RFC 9110 §9.3.2).
    bool isHeadForGet = false;
    // The percent-decoded path parameters in pattern order: {name} segments, and the wildcard
    // {name*}, whose value is its segments joined with '/'.
    QList<std::pair<QString, QString>> params{};
    // The decoded segments the wildcard captured, kept apart so that an encoded "%2F" inside a
    // segment stays distinguishable from a real '/' (a static-file handler needs that).
    QStringList rest{};
    // For 405: the Allow field value, the methods some route for this path accepts, sorted,
    // with HEAD added when GET is there (RFC 9110 §15.5.6 requires Allow on 405).
    QByteArray allow{};

    // The value of parameter name, or a null QString.
    QString param(QStringView name) const;
    bool isMatch() const { return status == 200; }
};

// The non-template core of Router: parsed patterns and the matching, compiled once in the
// library. Router<Handler> adds only the handler storage.
//
// Pattern syntax (the pattern is already-decoded text; '%' in it is a literal '%'):
//   /rooms/lobby        literal segments, compared case-sensitively (RFC 3986 §6.2.2.1)
//   /rooms/{room}       a parameter: one non-empty segment
//   /files/{path*}      a wildcard, last only: the remaining segments, zero or more
//                       ("/files", "/files/" and "/files/a/b" all match)
// A name is [A-Za-z0-9_]+ and unique in its pattern. A bare '*' segment and braces anywhere
// else are refused, so that "/static/*" is not silently a literal star. Paths are not
// normalised: "/a/" differs from "/a", "//" is an empty segment, and "." or ".." are matched
// like any other segment (a parameter can hold ".."; StaticFiles refuses those itself).
//
// Which route wins, independent of registration order: among routes whose method accepts the
// request, the most specific pattern, compared segment by segment from the left: literal beats
// parameter beats wildcard, and a pattern that ends exactly beats a wildcard. At equal
// patterns, the exact method beats "*", which beats GET answering a HEAD.
class QTWS_EXPORT RouteTable
{
public:
    // Adds a route. method is a case-sensitive token (RFC 9110 §9.1) or "*" for any. Returns
    // false with a qCWarning for an invalid method or pattern, or when the same method already
    // has a route with the same pattern (parameter names aside: "/a/{x}" and "/a/{y}" clash).
    bool add(QByteArrayView method, QStringView pattern);

    // Looks up a request-target ("/rooms/a%20b?x=1", or absolute-form "http://h/rooms") for
    // method. The query and fragment are ignored; each segment is percent-decoded after
    // splitting on '/', so an encoded "%2F" stays inside its segment.
    RouteMatch match(QByteArrayView method, QByteArrayView target) const;

    qsizetype size() const { return m_routes.size(); }

private:
    enum class Kind : quint8 { Literal, Parameter, Wildcard };
    struct Segment
    {
        Kind kind{};
        QString text{}; // the literal, or the parameter name
    };
    struct Route
    {
        QByteArray method{};
        QList<Segment> segments{};
    };
    static bool sameShape(const Route &a, const Route &b);
    static int compareSpecificity(const Route &a, const Route &b);
    static bool matches(const Route &route, const QStringList &segments, RouteMatch *out);

    QList<Route> m_routes{};
};

// A router for any handler type: a function returning a Response, or the server's streaming
// handler. Handlers are kept in a std::deque, so a pointer from match() stays valid while
// routes are added later, until the router is destroyed.
//
//   Router<std::function<Response(const Request &, const RouteMatch &)>> router;
//   router.route("GET", u"/rooms/{room}", showRoom);
//   auto m = router.match(request);
//   if (!m) { /* answer m.status, with Allow: m.allow on 405 */ }
//   Response r = (*m.handler)(request, m);   // drop r.body when m.isHeadForGet
template<typename Handler>
class Router
{
public:
    struct Match : RouteMatch
    {
        const Handler *handler = nullptr;
        explicit operator bool() const { return handler != nullptr; }
    };

    // See RouteTable::add. Returns false (and drops handler) when the route is refused.
    bool route(QByteArrayView method, QStringView pattern, Handler handler)
    {
        if (!m_table.add(method, pattern))
            return false;
        m_handlers.push_back(std::move(handler));
        return true;
    }

    Match match(QByteArrayView method, QByteArrayView target) const
    {
        Match result{};
        static_cast<RouteMatch &>(result) = m_table.match(method, target);
        if (result.route >= 0)
            result.handler = &m_handlers[std::size_t(result.route)];
        return result;
    }
    Match match(const Request &request) const { return match(request.method, request.target); }

    qsizetype size() const { return m_table.size(); }

private:
    RouteTable m_table{};
    std::deque<Handler> m_handlers{};
};

} // namespace qtws::http
