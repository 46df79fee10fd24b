// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/staticfiles.h>

#include "http/logging_p.h"

#include "router_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMimeDatabase>
#include <QtCore/QRegularExpression>

#include <limits>
#include <optional>

namespace qtws::http {

namespace {

constexpr const char *dayNames[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char *monthNames[]
    = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

QByteArray statusText(int status)
{
    // Kept here rather than taken from Response::reasonPhrase so the error bodies do not
    // depend on the serialiser; they are for people reading a browser tab.
    switch (status) {
    case 400: return "Bad Request\n";
    case 404: return "Not Found\n";
    case 405: return "Method Not Allowed\n";
    case 416: return "Range Not Satisfiable\n";
    default: return "Internal Server Error\n";
    }
}

Response errorResponse(int status, bool isHead)
{
    Response response;
    response.status = status;
    const QByteArray body = statusText(status);
    response.headers.append("Content-Type", "text/plain; charset=utf-8");
    response.headers.append("Content-Length", QByteArray::number(body.size()));
    if (!isHead)
        response.body = body;
    return response;
}

// A segment that could leave the directory it is resolved in, or name something other than a
// plain child entry, on any platform Qt runs on.
bool isUnsafeSegment(const QString &segment)
{
    if (segment == u"." || segment == u"..")
        return true;
    // '/' and '\\' can only be here percent-encoded (%2F, %5C): inside one segment they would
    // re-split into a path. ':' is a Windows drive ("C:") or stream ("a::$DATA"), and a leading
    // ':' would select Qt's resource system. NUL truncates the name in the C API underneath.
    return segment.contains(u'/') || segment.contains(u'\\') || segment.contains(u':')
        || segment.contains(QChar(0));
}

bool isInside(const QString &canonical, const QString &root)
{
    if (canonical == root)
        return true;
    // The separator matters: "/srv/www-evil/x" starts with "/srv/www" but is not below it.
    const QString prefix = root.endsWith(u'/') ? root : root + u'/';
    return canonical.startsWith(prefix);
}

QByteArray contentType(const QString &fileName)
{
    const QMimeDatabase db;
    const QMimeType type = db.mimeTypeForFile(fileName, QMimeDatabase::MatchExtension);
    if (!type.isValid() || type.isDefault())
        return "application/octet-stream";
    QByteArray name = type.name().toLatin1();
    // Text without a charset is read as windows-1252 or sniffed by browsers; the files a qtws
    // application ships are assumed UTF-8 (RFC 9110 §8.3.2 charset parameter).
    if (name.startsWith("text/") || type.inherits(QStringLiteral("text/plain")))
        name += "; charset=utf-8";
    return name;
}

// entity-tag = [ weak ] opaque-tag; weak = %s"W/"; opaque-tag = DQUOTE *etagc DQUOTE
// (RFC 9110 §8.8.3). Parses a comma-separated list of them; nullopt when malformed.
std::optional<QList<QByteArray>> parseEntityTags(QByteArrayView list, bool keepWeakPrefix)
{
    QList<QByteArray> tags;
    qsizetype i = 0;
    const auto skipSeparators = [&] {
        while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == ','))
            ++i;
    };
    skipSeparators();
    while (i < list.size()) {
        const qsizetype start = i;
        if (list.sliced(i).startsWith("W/"))
            i += 2;
        if (i >= list.size() || list[i] != '"')
            return std::nullopt;
        const qsizetype close = list.indexOf('"', i + 1);
        if (close < 0)
            return std::nullopt;
        tags.append(
            list.sliced(keepWeakPrefix ? start : i, close + 1 - (keepWeakPrefix ? start : i))
                .toByteArray());
        i = close + 1;
        if (i < list.size() && list[i] != ' ' && list[i] != '\t' && list[i] != ',')
            return std::nullopt;
        skipSeparators();
    }
    return tags;
}

// RFC 9110 §13.1.2: If-None-Match uses the weak comparison (§8.8.3.2): the opaque-tags must be
// equal, whether or not either is marked weak; "*" matches any current representation.
bool ifNoneMatchMatches(const Headers &headers, const QByteArray &etag)
{
    const QByteArray value = headers.values("If-None-Match").join(", ").trimmed();
    if (value == "*")
        return true;
    const auto tags = parseEntityTags(value, false);
    return tags && tags->contains(etag);
}

// saturating 1*DIGIT; nullopt when empty or not all digits.
std::optional<qint64> parseDigits(QByteArrayView s)
{
    if (s.isEmpty())
        return std::nullopt;
    qint64 n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (n > (std::numeric_limits<qint64>::max() - 9) / 10)
            n = std::numeric_limits<qint64>::max(); // beyond any file: stays "too large"
        else
            n = n * 10 + (c - '0');
    }
    return n;
}

struct ByteRange
{
    enum Kind { Ignore, Unsatisfiable, Satisfiable } kind = Ignore;
    qint64 first = 0;
    qint64 last = 0;
};

// RFC 9110 §14.1.2: ranges-specifier = range-unit "=" range-set. Only one range is honoured:
// for several, answering 200 with the whole file is allowed (§14.2: a server MAY ignore Range)
// and spares a multipart/byteranges body. Syntax errors also mean "ignore" (§14.2).
ByteRange parseRange(const Headers &headers, qint64 size)
{
    ByteRange range;
    if (headers.count("Range") != 1)
        return range; // absent, or several fields, i.e. several ranges
    const QByteArray value = headers.value("Range");
    const qsizetype eq = value.indexOf('=');
    if (eq < 0 || !equalsIgnoreCase(value.left(eq).trimmed(), "bytes")) // §14.1: unit is caseless
        return range;
    QList<QByteArray> specs;
    for (const QByteArray &element : value.mid(eq + 1).split(',')) {
        if (QByteArray spec = element.trimmed(); !spec.isEmpty()) // §5.6.1: empty elements
            specs.append(spec);
    }
    if (specs.size() != 1)
        return range;
    const QByteArray &spec = specs.first();
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0)
        return range;
    const QByteArrayView firstText = QByteArrayView(spec).first(dash);
    const QByteArrayView lastText = QByteArrayView(spec).sliced(dash + 1);
    if (firstText.isEmpty()) {
        // suffix-range "-n": the last n bytes (§14.1.3); "-0" or an empty file is unsatisfiable.
        const auto n = parseDigits(lastText);
        if (!n)
            return range;
        if (*n == 0 || size == 0) {
            range.kind = ByteRange::Unsatisfiable;
            return range;
        }
        range.kind = ByteRange::Satisfiable;
        range.first = size - std::min(*n, size);
        range.last = size - 1;
        return range;
    }
    const auto first = parseDigits(firstText);
    if (!first)
        return range;
    std::optional<qint64> last;
    if (!lastText.isEmpty()) {
        last = parseDigits(lastText);
        if (!last || *last < *first) // §14.1.1: last-pos < first-pos is invalid
            return range;
    }
    // §14.1.1: an int-range is satisfiable when first-pos is below the length.
    if (*first >= size) {
        range.kind = ByteRange::Unsatisfiable;
        return range;
    }
    range.kind = ByteRange::Satisfiable;
    range.first = *first;
    range.last = last ? std::min(*last, size - 1) : size - 1;
    return range;
}

// RFC 9110 §13.1.5: If-Range makes Range conditional; with an entity-tag it uses the strong
// comparison (a weak tag never matches), with a date it must equal Last-Modified exactly.
bool ifRangeAllows(const Headers &headers, const QByteArray &etag, const QDateTime &modified)
{
    if (!headers.contains("If-Range"))
        return true;
    const QByteArray value = headers.value("If-Range").trimmed();
    if (value.startsWith('"'))
        return value == etag;
    if (value.startsWith("W/"))
        return false;
    const QDateTime date = fromHttpDate(value);
    return date.isValid() && modified.isValid() && date == modified;
}

QDateTime truncatedToSeconds(const QDateTime &time)
{
    if (!time.isValid())
        return {};
    return QDateTime::fromSecsSinceEpoch(time.toSecsSinceEpoch(), Qt::UTC);
}

} // namespace

QByteArray toHttpDate(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    const QDate d = utc.date();
    const QTime t = utc.time();
    return QByteArray(dayNames[d.dayOfWeek() - 1]) + ", "
        + QByteArray::number(d.day()).rightJustified(2, '0') + ' ' + monthNames[d.month() - 1] + ' '
        + QByteArray::number(d.year()).rightJustified(4, '0') + ' '
        + QByteArray::number(t.hour()).rightJustified(2, '0') + ':'
        + QByteArray::number(t.minute()).rightJustified(2, '0') + ':'
        + QByteArray::number(t.second()).rightJustified(2, '0') + " GMT";
}

QDateTime fromHttpDate(QByteArrayView text)
{
    // HTTP-date is case-sensitive (RFC 9110 §5.6.7), so the patterns are too.
    static const QRegularExpression imfFixdate(
        QStringLiteral("^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d\\d) ([A-Z][a-z][a-z]) (\\d{4}) "
                       "(\\d\\d):(\\d\\d):(\\d\\d) GMT$"));
    static const QRegularExpression rfc850(
        QStringLiteral("^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), "
                       "(\\d\\d)-([A-Z][a-z][a-z])-(\\d\\d) (\\d\\d):(\\d\\d):(\\d\\d) GMT$"));
    static const QRegularExpression asctime(
        QStringLiteral("^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z][a-z]) ([ \\d]\\d) "
                       "(\\d\\d):(\\d\\d):(\\d\\d) (\\d{4})$"));

    const QString s = QString::fromLatin1(text);
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    QString month;
    if (const auto m = imfFixdate.match(s); m.hasMatch()) {
        day = m.captured(1).toInt();
        month = m.captured(2);
        year = m.captured(3).toInt();
        hour = m.captured(4).toInt();
        minute = m.captured(5).toInt();
        second = m.captured(6).toInt();
    } else if (const auto m2 = rfc850.match(s); m2.hasMatch()) {
        day = m2.captured(1).toInt();
        month = m2.captured(2);
        // §5.6.7 wants a two-digit year read as the most recent matching year not more than 50
        // years ahead; this pure layer reads no clock, so it pivots at 70 instead (1970–2069).
        year = m2.captured(3).toInt();
        year += year < 70 ? 2000 : 1900;
        hour = m2.captured(4).toInt();
        minute = m2.captured(5).toInt();
        second = m2.captured(6).toInt();
    } else if (const auto m3 = asctime.match(s); m3.hasMatch()) {
        month = m3.captured(1);
        day = m3.captured(2).trimmed().toInt();
        hour = m3.captured(3).toInt();
        minute = m3.captured(4).toInt();
        second = m3.captured(5).toInt();
        year = m3.captured(6).toInt();
    } else {
        return {};
    }
    int monthNumber = 0;
    for (int i = 0; i < 12; ++i) {
        if (month == QLatin1StringView(monthNames[i]))
            monthNumber = i + 1;
    }
    const QDate date(year, monthNumber, day);
    const QTime time(hour, minute, second);
    if (monthNumber == 0 || !date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, Qt::UTC);
}

StaticFiles::StaticFiles(const QString &root, StaticFilesOptions options)
    : m_options(std::move(options))
{
    m_isResource = root.startsWith(u':');
    const QFileInfo info(root);
    if (!info.isDir()) {
        qCWarning(lcHttp, "StaticFiles: root %s is not a directory; every path is 404",
            qUtf8Printable(root));
        return;
    }
    // Resources have no symbolic links, so cleaning their path is their canonical form.
    m_root = m_isResource ? QDir::cleanPath(root) : info.canonicalFilePath();
}

StaticFiles::Resolved StaticFiles::resolve(QByteArrayView target) const
{
    const detail::DecodedPath path = detail::decodePathSegments(target);
    if (path.status != 200)
        return {path.status, {}};
    return resolve(path.segments);
}

StaticFiles::Resolved StaticFiles::resolve(const QStringList &segments) const
{
    const Resolved notFound;
    if (m_root.isEmpty())
        return notFound;
    QStringList parts;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &segment = segments[i];
        if (segment.isEmpty()) {
            // Only "dir/" (a last empty segment) is meaningful; "//etc" is refused rather than
            // collapsed, so no path reaches the file system looking absolute.
            if (i == segments.size() - 1)
                continue;
            return notFound;
        }
        if (isUnsafeSegment(segment))
            return notFound;
        parts.append(segment);
    }

    // Canonicalise (resolving symbolic links) and check the prefix:
    // the segment checks above keep the lexical path inside, this keeps the real one inside.
    const auto canonical = [this](const QString &path) {
        if (m_isResource)
            return QFileInfo::exists(path) ? QDir::cleanPath(path) : QString();
        return QFileInfo(path).canonicalFilePath(); // empty when missing or a dangling link
    };
    QString path = canonical(parts.isEmpty() ? m_root : m_root + u'/' + parts.join(u'/'));
    if (path.isEmpty() || !isInside(path, m_root))
        return notFound;
    const bool isDir = QFileInfo(path).isDir();
    // "file.txt/" names a directory that is not there (POSIX open() would refuse it too).
    if (!isDir && !segments.isEmpty() && segments.last().isEmpty())
        return notFound;
    if (isDir) {
        if (m_options.indexFile.isEmpty() || isUnsafeSegment(m_options.indexFile))
            return notFound;
        // The index may itself be a link out of the root: canonicalise and check it again.
        path = canonical(path + u'/' + m_options.indexFile);
        if (path.isEmpty() || !isInside(path, m_root))
            return notFound;
    }
    const QFileInfo info(path);
    // Regular files only: not directories, FIFOs (a read would block), devices or sockets.
    if (!info.isFile() || !info.isReadable())
        return notFound;
    return {200, path};
}

Response StaticFiles::serve(const Request &request) const
{
    if (request.method != "GET" && request.method != "HEAD") {
        // RFC 9110 §15.5.6: 405 MUST list the supported methods in Allow.
        Response response = errorResponse(405, false);
        response.headers.append("Allow", "GET, HEAD");
        return response;
    }
    return serveResolved(request, resolve(request.target));
}

Response StaticFiles::serve(const Request &request, const QStringList &segments) const
{
    if (request.method != "GET" && request.method != "HEAD") {
        Response response = errorResponse(405, false);
        response.headers.append("Allow", "GET, HEAD");
        return response;
    }
    return serveResolved(request, resolve(segments));
}

Response StaticFiles::serveResolved(const Request &request, const Resolved &resolved) const
{
    const bool isHead = request.method == "HEAD";
    if (!resolved.isFound())
        return errorResponse(resolved.status, isHead);

    QFile file(resolved.filePath);
    if (!file.open(QIODevice::ReadOnly)) {
        // It was readable a moment ago: removed or changed meanwhile.
        return errorResponse(404, isHead);
    }
    const qint64 size = file.size();
    const QDateTime modified = truncatedToSeconds(QFileInfo(file).lastModified());

    // RFC 9110 §8.8.3: a strong ETag must change whenever the content does. For files, size and
    // modification time in milliseconds (a change within the same millisecond keeping the size
    // would be missed; accepted, as most servers do). For resources, whose time is the build's
    // or absent, a hash of the content, which is in memory anyway.
    QByteArray etag;
    QByteArray content; // resources only: read once, for the hash and the body
    if (m_isResource) {
        content = file.readAll();
        etag = '"' + QCryptographicHash::hash(content, QCryptographicHash::Sha256).left(16).toHex()
            + '"';
    } else {
        const qint64 msecs = QFileInfo(file).lastModified().toMSecsSinceEpoch();
        etag = '"' + QByteArray::number(size, 16) + '-' + QByteArray::number(msecs, 16) + '"';
    }

    Response response;
    const auto addValidators = [&] {
        if (modified.isValid())
            response.headers.append("Last-Modified", toHttpDate(modified));
        response.headers.append("ETag", etag);
    };

    // RFC 9110 §13.2.2: the conditional fields are evaluated before Range. If-Modified-Since is
    // ignored when If-None-Match is present (§13.1.3) or when it is not one valid date.
    bool notModified = false;
    if (request.headers.contains("If-None-Match")) {
        notModified = ifNoneMatchMatches(request.headers, etag);
    } else if (request.headers.count("If-Modified-Since") == 1 && modified.isValid()) {
        const QDateTime since = fromHttpDate(request.headers.value("If-Modified-Since").trimmed());
        notModified = since.isValid() && modified <= since;
    }
    if (notModified) {
        // §15.4.5: a 304 carries the validators a 200 would, and no content or its metadata.
        response.status = 304;
        addValidators();
        return response;
    }

    // §14.2: Range is defined for GET only; HEAD and other methods ignore it.
    ByteRange range;
    if (request.method == "GET" && ifRangeAllows(request.headers, etag, modified))
        range = parseRange(request.headers, size);
    if (range.kind == ByteRange::Unsatisfiable) {
        // §15.5.17: 416 SHOULD say the current length as "bytes */length".
        response = errorResponse(416, isHead);
        response.headers.append("Content-Range", QByteArray("bytes */" + QByteArray::number(size)));
        return response;
    }

    const qint64 first = range.kind == ByteRange::Satisfiable ? range.first : 0;
    const qint64 length
        = range.kind == ByteRange::Satisfiable ? range.last - range.first + 1 : size;
    if (length > m_options.maxBodySize) {
        qCWarning(lcHttp, "StaticFiles: %s is %lld bytes, over maxBodySize %lld; answering 500",
            qUtf8Printable(resolved.filePath), static_cast<long long>(length),
            static_cast<long long>(m_options.maxBodySize));
        return errorResponse(500, isHead);
    }

    response.status = range.kind == ByteRange::Satisfiable ? 206 : 200;
    response.headers.append("Content-Type", contentType(resolved.filePath));
    response.headers.append("Content-Length", QByteArray::number(length));
    if (response.status == 206) {
        // §14.4: Content-Range: bytes first-last/complete-length.
        const QByteArray contentRange = "bytes " + QByteArray::number(range.first) + '-'
            + QByteArray::number(range.last) + '/' + QByteArray::number(size);
        response.headers.append("Content-Range", contentRange);
    }
    addValidators();
    // §14.3: tells clients they may resume or fetch parts.
    response.headers.append("Accept-Ranges", "bytes");
    // The type comes from the extension: stop browsers from second-guessing it (an uploaded
    // .txt sniffed as HTML would run script).
    response.headers.append("X-Content-Type-Options", "nosniff");
    if (isHead)
        return response;

    if (m_isResource) {
        response.body = content.mid(first, length);
    } else {
        if (!file.seek(first))
            return errorResponse(500, false);
        response.body = file.read(length);
    }
    if (response.body.size() != length) {
        // Truncated while we read it: do not send a body that contradicts Content-Length.
        qCWarning(lcHttp, "StaticFiles: short read of %s", qUtf8Printable(resolved.filePath));
        return errorResponse(500, false);
    }
    return response;
}

} // namespace qtws::http
