// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/request.h>
#include <QtWs/http/response.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArrayView>
#include <QtCore/QDateTime>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace qtws::http {

struct StaticFilesOptions
{
    // The file served for a directory, when present in it. Default "index.html". A directory
    // without it is 404 (there are no listings). A directory requested without a trailing '/'
    // is served too, without a redirect: relative links in its index resolve against the parent.
    QString indexFile = QStringLiteral("index.html");
    // Largest whole body served, in bytes. The Response holds the body in memory, so a bigger
    // file gets 500 (with a qCWarning) unless a Range asks for a part of at most this size.
    // Default 64 MiB. Streaming large files is the server's job once http::Stream exists.
    qint64 maxBodySize = 64 * 1024 * 1024;
};

// Serves the files below one root directory, or below a Qt resource prefix (":/www"), as GET
// and HEAD responses with validators, conditional requests and single byte ranges.
//
// A URL path can never name a file outside the root. After splitting on '/' and decoding each
// segment, a segment that is "." or "..", is empty (except a last one: "dir/"), or contains
// '/', '\\', ':' or NUL after decoding (encoded slashes, Windows drive letters and streams) is
// 404, and so is a file whose canonical path (symbolic links resolved) is not the canonical
// root or below it. Malformed percent-encoding or non-UTF-8 paths are 400. The two are not
// told apart further, so that probing learns nothing about what exists outside the root.
//
// What is not done: directory listings, If-Match/If-Unmodified-Since (this helper never
// modifies files), multipart byte ranges (a Range with several ranges is ignored → 200, which
// RFC 9110 §14.2 allows), compression, Cache-Control (the application adds its policy).
// Dotfiles below the root are served like any other file: keep secrets out of the root.
class QTWS_EXPORT StaticFiles
{
public:
    // The outcome of resolve(): a file to serve (status 200) or the error status.
    struct Resolved
    {
        int status = 404; // 200, 400 or 404
        QString filePath{}; // the canonical path of the file when status is 200
        bool isFound() const { return status == 200; }
    };

    // root is a directory (made canonical now: symbolic links in the root itself are fine) or a
    // resource prefix starting with ':'. A root that does not exist makes everything 404.
    explicit StaticFiles(const QString &root, StaticFilesOptions options = {});

    QString root() const { return m_root; }
    const StaticFilesOptions &options() const { return m_options; }

    // Maps a request-target (its path; the query is ignored) to a file below the root.
    Resolved resolve(QByteArrayView target) const;
    // The same for already-decoded segments, e.g. RouteMatch::rest of a "/static/{path*}" route.
    Resolved resolve(const QStringList &segments) const;

    // The response for request: 200, 206, 304, 400, 404, 405, 416 or 500. HEAD gets the headers
    // GET would get, without the body.
    Response serve(const Request &request) const;
    // The same, for a file named by decoded segments (a router's wildcard) instead of the target.
    Response serve(const Request &request, const QStringList &segments) const;

private:
    Response serveResolved(const Request &request, const Resolved &resolved) const;

    QString m_root{}; // canonical directory path or cleaned resource path; empty when missing
    bool m_isResource = false;
    StaticFilesOptions m_options{};
};

// An HTTP-date in the preferred IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37 GMT"
// (RFC 9110 §5.6.7). The time is converted to UTC; milliseconds are dropped.
QTWS_EXPORT QByteArray toHttpDate(const QDateTime &time);
// Parses any of the three HTTP-date forms a recipient MUST accept (RFC 9110 §5.6.7):
// IMF-fixdate, the obsolete RFC 850 form and asctime. Returns an invalid QDateTime otherwise.
QTWS_EXPORT QDateTime fromHttpDate(QByteArrayView text);

} // namespace qtws::http
