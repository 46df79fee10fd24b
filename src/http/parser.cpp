// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/parser.h>

#include "tokens_p.h"

#include <algorithm>
#include <cstring>

namespace qtws::http {

using namespace tokens;

namespace {

QByteArray num(qint64 n)
{
    return QByteArray::number(n);
}

// The index of the first '\n' in v at or after from, or -1. memchr is the fastest scan the C
// library offers (vectorised in glibc); a head is scanned once, however it is split.
qsizetype findLf(QByteArrayView v, qsizetype from)
{
    if (from >= v.size())
        return -1;
    const void *p = std::memchr(v.data() + from, '\n', size_t(v.size() - from));
    return p ? static_cast<const char *>(p) - v.data() : -1;
}

// Cuts the first element of a comma-separated list off list (RFC 9110 §5.6.1) and returns it,
// trimmed; more says whether a comma followed (so "5," has a second, empty element).
QByteArrayView nextElement(QByteArrayView &list, bool &more)
{
    const qsizetype comma = list.indexOf(',');
    more = comma >= 0;
    const QByteArrayView element = more ? list.first(comma) : list;
    list = more ? list.sliced(comma + 1) : QByteArrayView();
    return trimmedOws(element);
}

// Parses 1*DIGIT into a non-negative value; -1 when not all digits or empty, -2 on overflow.
qint64 parseDecimal(QByteArrayView v)
{
    if (v.isEmpty())
        return -1;
    qint64 n = 0;
    for (char c : v) {
        if (!isDigit(c))
            return -1;
        const int d = c - '0';
        if (n > (std::numeric_limits<qint64>::max() - d) / 10)
            return -2;
        n = n * 10 + d;
    }
    return n;
}

// The length of a quoted-string (RFC 9110 §5.6.4) at the start of v, or -1 if there is none.
qsizetype quotedStringLength(QByteArrayView v)
{
    if (v.isEmpty() || v.front() != '"')
        return -1;
    for (qsizetype i = 1; i < v.size(); ++i) {
        const char c = v[i];
        if (c == '"')
            return i + 1;
        if (c == '\\') {
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (++i >= v.size() || !is(v[i], FieldValue))
                return -1;
        } else if (!is(c, FieldValue)) {
            return -1;
        }
    }
    return -1;
}

// 'Printable' for reasons: the bytes of a peer's input, shortened, non-printables as '?'.
QByteArray excerpt(QByteArrayView v)
{
    QByteArray out = v.first(std::min<qsizetype>(v.size(), 24)).toByteArray();
    for (char &c : out) {
        if (c < 0x20 || c >= 0x7f)
            c = '?';
    }
    if (v.size() > 24)
        out += "...";
    return out;
}

} // namespace

Parser::Parser(Mode mode, const ParserLimits &limits) : m_mode(mode), m_limits(limits) { }

void Parser::setRequestMethod(QByteArrayView method)
{
    m_requestMethod = method.toByteArray();
}

void Parser::reset()
{
    m_state = State::NeedMore;
    m_phase = Phase::Head;
    m_framing = BodyFraming::None;
    m_headDone = false;
    m_contentLength = -1;
    m_remaining = 0;
    m_errorStatus = 0;
    m_errorReason.clear();
    m_buffer.truncate(0); // keeps the capacity for the next message
    m_lineStart = 0;
    m_lineCount = 0;
    m_skipped = 0;
    m_request = Request();
    m_response = Response();
}

void Parser::fail(int status, const QByteArray &reason)
{
    // The first error wins (DESIGN.md): later checks never overwrite it.
    if (m_state == State::Error)
        return;
    m_state = State::Error;
    m_errorStatus = status;
    m_errorReason = reason;
}

qsizetype Parser::feed(QByteArrayView data)
{
    if (m_state == State::HeadComplete)
        m_state = State::NeedMore; // the event was seen: go on with the body
    if (m_state != State::NeedMore)
        return 0;

    qsizetype consumed = 0;
    while (consumed < data.size() && m_state == State::NeedMore) {
        const QByteArrayView rest = data.sliced(consumed);
        switch (m_phase) {
        case Phase::Head:
        case Phase::Trailers: consumed += feedSection(rest); break;
        case Phase::BodyLength:
        case Phase::ChunkData: {
            const qsizetype n = qsizetype(std::min<qint64>(m_remaining, rest.size()));
            // The limit was checked against the announced length; no need to check again.
            body().append(rest.first(n));
            m_remaining -= n;
            consumed += n;
            if (m_remaining == 0) {
                if (m_phase == Phase::ChunkData) {
                    m_phase = Phase::ChunkDataCr;
                } else {
                    m_phase = Phase::Done;
                    m_state = State::MessageComplete;
                }
            }
            break;
        }
        case Phase::ChunkLine: consumed += feedChunkLine(rest); break;
        case Phase::ChunkDataCr:
        case Phase::ChunkDataLf: {
            // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
            const bool cr = m_phase == Phase::ChunkDataCr;
            if (rest.front() != (cr ? '\r' : '\n')) {
                fail(400, QByteArrayLiteral("chunk data not followed by CRLF"));
                break;
            }
            ++consumed;
            m_phase = cr ? Phase::ChunkDataLf : Phase::ChunkLine;
            break;
        }
        case Phase::UntilClose:
            if (!appendBody(rest))
                break;
            consumed += rest.size();
            break;
        case Phase::Done:
            Q_ASSERT(false); // Done implies MessageComplete, which ends the loop
            return consumed;
        }
    }
    return consumed;
}

void Parser::finish()
{
    if (m_state == State::MessageComplete || m_state == State::Error)
        return;
    if (m_phase == Phase::UntilClose) {
        // RFC 9112 §6.3 (8): the body of such a response ends when the connection closes.
        m_phase = Phase::Done;
        m_state = State::MessageComplete;
        return;
    }
    if (m_phase == Phase::Head && m_lineCount == 0 && m_buffer.size() == m_skipped)
        return; // closed between messages: not an error
    switch (m_phase) {
    case Phase::BodyLength:
        fail(400,
            QByteArrayLiteral("connection closed after ") + num(body().size()) + " of "
                + num(m_contentLength) + " body bytes");
        break;
    case Phase::Head:
        fail(400, QByteArrayLiteral("connection closed in the middle of the head"));
        break;
    default:
        fail(400, QByteArrayLiteral("connection closed in the middle of a chunked body"));
        break;
    }
}

bool Parser::appendBody(QByteArrayView bytes)
{
    if (bytes.size() > m_limits.maxBodyBytes - body().size()) {
        fail(413,
            QByteArrayLiteral("body longer than the limit of ") + num(m_limits.maxBodyBytes)
                + " bytes");
        return false;
    }
    body().append(bytes);
    return true;
}

// ---- head and trailer sections ----------------------------------------------------------------

// Feeds bytes of a head or trailer section, which ends with an empty line. The section is
// scanned for line ends once, as it arrives; it is parsed once, when complete.
qsizetype Parser::feedSection(QByteArrayView data)
{
    if (m_buffer.isEmpty()) {
        // Fast path: the whole section is in data, parse it in place. Like the slow path, look
        // no further than one byte past the limit, so that the split never changes the result.
        const QByteArrayView window
            = data.first(std::min(data.size(), m_limits.maxHeaderBytes + 1));
        const qsizetype end = scanSection(window, 0);
        if (end >= 0) {
            completeSection(data.first(end));
            return end;
        }
        if (m_state == State::NeedMore)
            m_buffer.append(window); // within the limits, or scanSection would have failed
        return window.size();
    }
    // Copy no more than could still be part of the section: one byte past the limit is enough
    // for scanSection to notice it is exceeded.
    const qsizetype old = m_buffer.size();
    const qsizetype room = std::max<qsizetype>(0, m_limits.maxHeaderBytes + 1 - old);
    const QByteArrayView taken = data.first(std::min(room, data.size()));
    m_buffer.append(taken);
    const qsizetype end = scanSection(m_buffer, old);
    if (end >= 0) {
        completeSection(QByteArrayView(m_buffer).first(end));
        m_buffer.truncate(0);
        m_lineStart = 0;
        return end - old;
    }
    return taken.size();
}

// Looks for the line ends of section from index from on, checks the limits and the CRLFs, and
// returns the section's length once its empty line is found, or -1 (need more or error).
qsizetype Parser::scanSection(QByteArrayView section, qsizetype from)
{
    const bool head = m_phase == Phase::Head;
    for (qsizetype lf = findLf(section, from); lf >= 0; lf = findLf(section, lf + 1)) {
        // RFC 9112 §2.2: a recipient MAY accept a bare LF as a line terminator. We do not: an
        // intermediary that does not would see a different message (request smuggling).
        // Checked before the CRLF, and the exact length after it, so that a peer gets the same
        // answer however its bytes were split (feedSection's slow path sees no further).
        if (head && m_lineCount == 0 && lf - m_lineStart > m_limits.maxStartLineBytes + 1) {
            fail(m_mode == Mode::Request ? 414 : 400,
                QByteArray(m_mode == Mode::Request ? "request" : "status") + " line longer than "
                    + num(m_limits.maxStartLineBytes) + " bytes");
            return -1;
        }
        if (lf == 0 || section[lf - 1] != '\r') {
            fail(400,
                QByteArrayLiteral("bare LF in the ") + (head ? "header" : "trailer")
                    + " section after " + num(lf) + " bytes");
            return -1;
        }
        const qsizetype length = lf - 1 - m_lineStart;
        if (head && m_lineCount == 0 && length > m_limits.maxStartLineBytes) {
            fail(m_mode == Mode::Request ? 414 : 400,
                QByteArray(m_mode == Mode::Request ? "request" : "status") + " line longer than "
                    + num(m_limits.maxStartLineBytes) + " bytes");
            return -1;
        }
        if (lf + 1 > m_limits.maxHeaderBytes) {
            fail(431,
                QByteArray(head ? "header" : "trailer") + " section longer than "
                    + num(m_limits.maxHeaderBytes) + " bytes");
            return -1;
        }
        m_lineStart = lf + 1;
        if (length == 0) {
            if (!head || m_lineCount > 0)
                return lf + 1;
            if (m_mode == Mode::Response) {
                fail(400, QByteArrayLiteral("empty line instead of a status line"));
                return -1;
            }
            // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the
            // request-line (clients used to send CRLF after a POST body). They count towards
            // maxHeaderBytes, which bounds how many.
            m_skipped = lf + 1;
            continue;
        }
        ++m_lineCount;
        if (m_lineCount - (head ? 1 : 0) > m_limits.maxHeaderCount) {
            fail(431,
                QByteArrayLiteral("more than ") + num(m_limits.maxHeaderCount) + " "
                    + (head ? "header" : "trailer") + " fields");
            return -1;
        }
    }
    // No empty line yet: bound the partial line and the section, so a peer that never sends
    // CRLF cannot make us buffer without end. (+1: the CR of the line may already be here.)
    const qsizetype partial = section.size() - m_lineStart;
    if (head && m_lineCount == 0 && partial > m_limits.maxStartLineBytes + 1) {
        fail(m_mode == Mode::Request ? 414 : 400,
            QByteArray(m_mode == Mode::Request ? "request" : "status") + " line longer than "
                + num(m_limits.maxStartLineBytes) + " bytes");
    } else if (section.size() > m_limits.maxHeaderBytes) {
        fail(431,
            QByteArray(head ? "header" : "trailer") + " section longer than "
                + num(m_limits.maxHeaderBytes) + " bytes");
    }
    return -1;
}

void Parser::completeSection(QByteArrayView section)
{
    if (m_phase == Phase::Trailers) {
        // RFC 9112 §7.1.2: trailer-section = *( field-line CRLF ), then the final CRLF.
        Headers &trailers = m_mode == Mode::Request ? m_request.trailers : m_response.trailers;
        trailers.reserve(m_lineCount);
        qsizetype pos = 0;
        for (qsizetype lf = findLf(section, 0); lf > pos + 1; lf = findLf(section, pos)) {
            if (!parseFieldLine(section.sliced(pos, lf - 1 - pos), trailers, false))
                return;
            pos = lf + 1;
        }
        m_phase = Phase::Done;
        m_state = State::MessageComplete;
        return;
    }
    if (!parseHead(section.sliced(m_skipped)) || !determineFraming())
        return;
    m_headDone = true;
    switch (m_framing) {
    case BodyFraming::None:
        m_phase = Phase::Done;
        m_state = State::MessageComplete;
        break;
    case BodyFraming::ContentLength:
        // Never trust the announced length with an allocation: grow with what arrives.
        body().reserve(qsizetype(std::min<qint64>(m_contentLength, 64 * 1024)));
        m_remaining = m_contentLength;
        m_phase = Phase::BodyLength;
        m_state = State::HeadComplete;
        break;
    case BodyFraming::Chunked:
        m_phase = Phase::ChunkLine;
        m_state = State::HeadComplete;
        break;
    case BodyFraming::UntilClose:
        m_phase = Phase::UntilClose;
        m_state = State::HeadComplete;
        break;
    }
}

// head: start line, field lines, empty line; every LF is known to follow a CR.
bool Parser::parseHead(QByteArrayView head)
{
    qsizetype lf = findLf(head, 0);
    const QByteArrayView startLine = head.first(lf - 1);
    // RFC 9112 §2.2: a bare CR (not followed by LF) in any protocol element MUST be rejected
    // or replaced by SP; replacing would let two readers disagree, so: reject.
    if (startLine.contains('\r')) {
        fail(400,
            QByteArrayLiteral("bare CR in the ") + (m_mode == Mode::Request ? "request" : "status")
                + " line");
        return false;
    }
    if (m_mode == Mode::Request ? !parseRequestLine(startLine) : !parseStatusLine(startLine))
        return false;
    Headers &fields = headers();
    fields.reserve(m_lineCount - 1);
    bool first = true;
    for (qsizetype pos = lf + 1; (lf = findLf(head, pos)) > pos + 1; pos = lf + 1) {
        if (!parseFieldLine(head.sliced(pos, lf - 1 - pos), fields, first))
            return false;
        first = false;
    }
    return true;
}

// RFC 9112 §2.3: HTTP-version = HTTP-name "/" DIGIT "." DIGIT, case-sensitive. Returns false
// after failing with 400 (malformed) or 505 (not 1.0 or 1.1).
static bool parseVersion(QByteArrayView v, int &major, int &minor, int &status, QByteArray &reason)
{
    if (v.size() != 8 || !v.startsWith("HTTP/") || !isDigit(v[5]) || v[6] != '.'
        || !isDigit(v[7])) {
        status = 400;
        reason = QByteArrayLiteral("malformed HTTP version \"") + excerpt(v) + "\"";
        return false;
    }
    major = v[5] - '0';
    minor = v[7] - '0';
    if (major != 1 || minor > 1) {
        status = 505;
        reason = QByteArrayLiteral("HTTP version ") + num(major) + "." + num(minor)
            + " is not supported (only 1.0 and 1.1)";
        return false;
    }
    return true;
}

bool Parser::parseRequestLine(QByteArrayView line)
{
    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single SPs.
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = line.lastIndexOf(' ');
    if (sp1 <= 0 || sp2 == sp1) {
        fail(400, QByteArrayLiteral("malformed request line \"") + excerpt(line) + "\"");
        return false;
    }
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    // RFC 9110 §9.1: method = token.
    if (!isToken(method)) {
        fail(400, QByteArrayLiteral("invalid character in the method \"") + excerpt(method) + "\"");
        return false;
    }
    int status = 0;
    QByteArray reason;
    if (!parseVersion(version, m_request.versionMajor, m_request.versionMinor, status, reason)) {
        fail(status, reason);
        return false;
    }
    // RFC 9112 §3.2: no whitespace in a request-target (a second SP would make it ambiguous:
    // "GET /a HTTP/1.1 HTTP/1.1"), no control characters; non-ASCII must be percent-encoded
    // (RFC 3986 §2).
    if (target.isEmpty()) {
        fail(400, QByteArrayLiteral("empty request-target (two spaces after the method?)"));
        return false;
    }
    for (qsizetype i = 0; i < target.size(); ++i) {
        if (!is(target[i], TargetChar)) {
            fail(400,
                QByteArrayLiteral("request-target byte ") + num(i) + " is 0x"
                    + QByteArray::number(uchar(target[i]), 16) + " (space, control or non-ASCII)");
            return false;
        }
    }
    // RFC 9112 §3.2: the four forms of request-target, each only where it belongs.
    const bool connect = method == "CONNECT";
    if (connect) {
        // §3.2.3 authority-form = uri-host ":" port, and only for CONNECT.
        if (target.startsWith('/') || !target.contains(':') || !all(target, HostChar)) {
            fail(
                400, QByteArrayLiteral("CONNECT needs host:port, not \"") + excerpt(target) + "\"");
            return false;
        }
    } else if (target == "*") {
        // §3.2.4 asterisk-form is only for a server-wide OPTIONS.
        if (method != "OPTIONS") {
            fail(400, QByteArrayLiteral("request-target * with a method other than OPTIONS"));
            return false;
        }
    } else if (!target.startsWith('/')) {
        // §3.2.2 absolute-form: scheme ":" ... with scheme = ALPHA *( ALPHA / DIGIT / "+-." )
        const qsizetype colon = target.indexOf(':');
        bool scheme = colon > 0 && ((target[0] | 0x20) >= 'a' && (target[0] | 0x20) <= 'z');
        for (qsizetype i = 0; scheme && i < colon; ++i) {
            const char c = target[i];
            scheme = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '+'
                || c == '-' || c == '.';
        }
        if (!scheme) {
            fail(400,
                QByteArrayLiteral("request-target \"") + excerpt(target)
                    + "\" is neither a path nor an absolute URI");
            return false;
        }
    }
    m_request.method = method.toByteArray();
    m_request.target = target.toByteArray();
    return true;
}

bool Parser::parseStatusLine(QByteArrayView line)
{
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
    int status = 0;
    QByteArray reason;
    if (!parseVersion(line.first(std::min<qsizetype>(8, line.size())), m_response.versionMajor,
            m_response.versionMinor, status, reason)) {
        fail(status, reason);
        return false;
    }
    if (line.size() < 12 || line[8] != ' ' || !isDigit(line[9]) || !isDigit(line[10])
        || !isDigit(line[11]) || (line.size() > 12 && line[12] != ' ')) {
        fail(400, QByteArrayLiteral("malformed status line \"") + excerpt(line) + "\"");
        return false;
    }
    // Lenient on one point: "HTTP/1.1 200" without the SP before an empty reason-phrase is
    // accepted, as some servers send it and it cannot be read two ways.
    const int code = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    // RFC 9110 §15: status codes are 100 to 599.
    if (code < 100 || code > 599) {
        fail(400, QByteArrayLiteral("status code ") + num(code) + " outside 100 to 599");
        return false;
    }
    // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ); kept verbatim, a client ignores it.
    const QByteArrayView phrase = line.size() > 12 ? line.sliced(13) : QByteArrayView();
    if (!all(phrase, FieldValue)) {
        fail(400, QByteArrayLiteral("control character in the reason phrase"));
        return false;
    }
    m_response.status = code;
    m_response.reason = phrase.toByteArray();
    return true;
}

bool Parser::parseFieldLine(QByteArrayView line, Headers &into, bool first)
{
    // RFC 9112 §5: field-line = field-name ":" OWS field-value OWS
    if (line.contains('\r')) {
        fail(400, QByteArrayLiteral("bare CR in a field line"));
        return false;
    }
    if (isOws(line.front())) {
        // RFC 9112 §2.2: whitespace between the start line and the first field MUST be rejected
        // or the line ignored; §5.2: obs-fold MUST be rejected (400) or replaced. Both are
        // classic smuggling vectors, so both are rejected.
        fail(400,
            first ? QByteArrayLiteral("whitespace before the first header field")
                  : QByteArrayLiteral("obsolete line folding (field line starts with "
                                      "whitespace)"));
        return false;
    }
    const qsizetype colon = line.indexOf(':');
    if (colon < 0) {
        fail(400, QByteArrayLiteral("field line without a colon: \"") + excerpt(line) + "\"");
        return false;
    }
    const QByteArrayView name = line.first(colon);
    // RFC 9112 §5.1: no whitespace is allowed between the field name and colon; a server MUST
    // reject such a request with 400 (and a proxy MUST strip it from a response: we reject).
    if (!name.isEmpty() && isOws(name.back())) {
        fail(400,
            QByteArrayLiteral("whitespace between field name \"") + excerpt(trimmedOws(name))
                + "\" and colon");
        return false;
    }
    // RFC 9110 §5.1: field-name = token.
    if (!isToken(name)) {
        fail(400, QByteArrayLiteral("invalid field name \"") + excerpt(name) + "\"");
        return false;
    }
    // RFC 9110 §5.5: CR, LF and NUL in a value MUST be rejected or replaced; other control
    // characters are invalid too. obs-text (0x80-0xFF) is allowed as opaque bytes.
    const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
    if (!all(value, FieldValue)) {
        fail(400, QByteArrayLiteral("control character in the value of ") + excerpt(name));
        return false;
    }
    into.append(name, value);
    return true;
}

// ---- framing (RFC 9112 §6) --------------------------------------------------------------------

bool Parser::determineFraming()
{
    const Headers &fields = headers();
    m_framing = BodyFraming::None;
    if (m_mode == Mode::Request) {
        // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host, and to
        // any request with more than one Host field line or an invalid Host value.
        const qsizetype hosts = fields.count("Host");
        if (hosts > 1) {
            fail(400, num(hosts) + " Host header fields (one allowed)");
            return false;
        }
        if (hosts == 0 && m_request.versionMinor == 1) {
            fail(400, QByteArrayLiteral("HTTP/1.1 request without a Host header field"));
            return false;
        }
        if (hosts == 1 && !all(fields.value("Host"), HostChar)) {
            fail(400, QByteArrayLiteral("invalid Host \"") + excerpt(fields.value("Host")) + "\"");
            return false;
        }
    } else {
        // RFC 9112 §6.3 (1), (2): no body, whatever the header fields say, in responses to HEAD,
        // 1xx, 204 and 304 responses, and 2xx responses to CONNECT (the tunnel starts).
        const int status = m_response.status;
        if (m_requestMethod == "HEAD" || status < 200 || status == 204 || status == 304
            || (m_requestMethod == "CONNECT" && status < 300))
            return true;
    }

    const bool hasTe = fields.contains("Transfer-Encoding");
    const bool hasCl = fields.contains("Content-Length");
    const int minor = m_mode == Mode::Request ? m_request.versionMinor : m_response.versionMinor;
    if (hasTe) {
        // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means the framing is faulty
        // (an HTTP/1.0 intermediary would have ignored it).
        if (minor == 0) {
            fail(400, QByteArrayLiteral("Transfer-Encoding in an HTTP/1.0 message"));
            return false;
        }
        // RFC 9112 §6.1: a server MAY reject a request with both (and §6.3 (3) calls it a
        // smuggling attempt). We reject responses with both too, instead of letting
        // Transfer-Encoding win: nothing legitimate sends both.
        if (hasCl) {
            fail(400, QByteArrayLiteral("both Content-Length and Transfer-Encoding"));
            return false;
        }
        return parseTransferEncoding(fields);
    }
    if (hasCl)
        return parseContentLength(fields);
    // RFC 9112 §6.3 (6): a request with neither has no body; (8): a response with neither runs
    // until the connection closes.
    if (m_mode == Mode::Response)
        m_framing = BodyFraming::UntilClose;
    return true;
}

bool Parser::parseTransferEncoding(const Headers &fields)
{
    // RFC 9112 §6.1: Transfer-Encoding = #transfer-coding; the codings in the order applied.
    qsizetype count = 0;
    qsizetype chunked = 0;
    bool lastIsChunked = false;
    QByteArray unsupported;
    for (const Headers::Field &field : fields) {
        if (!equalsIgnoreCase(field.first, "Transfer-Encoding"))
            continue;
        QByteArrayView list = field.second;
        for (bool more = true; more;) {
            const QByteArrayView element = nextElement(list, more);
            if (element.isEmpty())
                continue; // RFC 9110 §5.6.1.2: empty list elements are ignored
            // transfer-coding = token *( OWS ";" OWS transfer-parameter ); we only need names.
            const qsizetype semicolon = element.indexOf(';');
            const QByteArrayView name
                = trimmedOws(semicolon >= 0 ? element.first(semicolon) : element);
            if (!isToken(name)) {
                fail(400,
                    QByteArrayLiteral("malformed Transfer-Encoding \"") + excerpt(field.second)
                        + "\"");
                return false;
            }
            ++count;
            lastIsChunked = equalsIgnoreCase(name, "chunked");
            if (lastIsChunked) {
                ++chunked;
                if (semicolon >= 0) {
                    fail(400, QByteArrayLiteral("parameters on the chunked transfer coding"));
                    return false;
                }
            } else if (unsupported.isEmpty()) {
                unsupported = name.toByteArray();
            }
        }
    }
    if (count == 0) {
        fail(400, QByteArrayLiteral("empty Transfer-Encoding"));
        return false;
    }
    // RFC 9112 §6.1: chunked MUST NOT be applied more than once.
    if (chunked > 1) {
        fail(400, QByteArrayLiteral("chunked transfer coding applied ") + num(chunked) + " times");
        return false;
    }
    // RFC 9112 §6.3 (4): in a request whose final coding is not chunked the body length cannot
    // be determined: the server MUST respond 400. (In a response it would run until close, but
    // we cannot decode the other codings anyway: see below.)
    if (!lastIsChunked && (chunked > 0 || m_mode == Mode::Request)) {
        fail(400, QByteArrayLiteral("chunked is not the final transfer coding"));
        return false;
    }
    // RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD
    // respond 501. We understand only chunked (gzip and the rest belong in Content-Encoding).
    if (!unsupported.isEmpty()) {
        fail(501,
            QByteArrayLiteral("transfer coding \"") + excerpt(unsupported)
                + "\" is not implemented");
        return false;
    }
    m_framing = BodyFraming::Chunked;
    return true;
}

bool Parser::parseContentLength(const Headers &fields)
{
    // RFC 9110 §8.6: Content-Length = 1*DIGIT. A recipient MAY accept a list of identical values
    // ("42, 42", or the field repeated) as that one value: we do, since some proxies join
    // repeated fields; any difference, empty or non-digit value, or overflow is refused
    // (RFC 9112 §6.3 (5): MUST treat as an unrecoverable error).
    qint64 length = -1;
    for (const Headers::Field &field : fields) {
        if (!equalsIgnoreCase(field.first, "Content-Length"))
            continue;
        QByteArrayView list = field.second;
        for (bool more = true; more;) {
            const QByteArrayView element = nextElement(list, more);
            const qint64 n = parseDecimal(element);
            if (n == -2) {
                fail(400,
                    QByteArrayLiteral("Content-Length ") + excerpt(element) + " overflows 64 bits");
                return false;
            }
            if (n < 0) {
                fail(400,
                    QByteArrayLiteral("invalid Content-Length \"") + excerpt(field.second) + "\"");
                return false;
            }
            if (length >= 0 && n != length) {
                fail(400,
                    QByteArrayLiteral("conflicting Content-Length values ") + num(length) + " and "
                        + num(n));
                return false;
            }
            length = n;
        }
    }
    if (length < 0) { // only empty values, e.g. "Content-Length: ," or ""
        fail(400, QByteArrayLiteral("empty Content-Length"));
        return false;
    }
    if (length > m_limits.maxBodyBytes) {
        fail(413,
            QByteArrayLiteral("Content-Length ") + num(length) + " exceeds the limit of "
                + num(m_limits.maxBodyBytes) + " bytes");
        return false;
    }
    m_contentLength = length;
    m_framing = length > 0 ? BodyFraming::ContentLength : BodyFraming::None;
    return true;
}

// ---- chunked bodies (RFC 9112 §7.1) -----------------------------------------------------------

qsizetype Parser::feedChunkLine(QByteArrayView data)
{
    const qsizetype lf = findLf(data, 0);
    const qsizetype available = lf >= 0 ? lf : data.size();
    // +1: the line's CR may be in; the line itself must fit in maxChunkLineBytes.
    if (m_buffer.size() + available > m_limits.maxChunkLineBytes + 1) {
        fail(400,
            QByteArrayLiteral("chunk-size line longer than ") + num(m_limits.maxChunkLineBytes)
                + " bytes");
        return available;
    }
    if (lf < 0) {
        m_buffer.append(data);
        return data.size();
    }
    QByteArrayView line = data.first(lf);
    if (!m_buffer.isEmpty()) {
        m_buffer.append(line);
        line = m_buffer;
    }
    // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF; a bare LF is refused as everywhere else.
    if (line.isEmpty() || line.back() != '\r') {
        fail(400, QByteArrayLiteral("bare LF after a chunk size"));
        return lf + 1;
    }
    line.chop(1);
    const bool ok = parseChunkLine(line);
    m_buffer.truncate(0);
    Q_UNUSED(ok);
    return lf + 1;
}

bool Parser::parseChunkLine(QByteArrayView line)
{
    // chunk-size = 1*HEXDIG
    qsizetype i = 0;
    qint64 size = 0;
    const qint64 room = m_limits.maxBodyBytes - body().size();
    for (; i < line.size() && is(line[i], HexDigit); ++i) {
        const char c = line[i];
        const int d = isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
        size = size * 16 + d;
        // Checked per digit, so size never exceeds maxBodyBytes * 16 + 15: no overflow, and an
        // announced size never causes an allocation.
        if (size > room) {
            fail(413,
                QByteArrayLiteral("chunk larger than the ") + num(room)
                    + " bytes left under the body limit of " + num(m_limits.maxBodyBytes));
            return false;
        }
    }
    if (i == 0) {
        fail(400, QByteArrayLiteral("invalid chunk size \"") + excerpt(line) + "\"");
        return false;
    }
    // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), with
    // chunk-ext-val = token / quoted-string. Extensions are checked (a CR, LF or garbage here
    // is a smuggling vector) and ignored (RFC 9112 §7.1.1: ignore those not understood).
    auto skipBws = [&] {
        while (i < line.size() && isOws(line[i]))
            ++i;
    };
    auto token = [&] {
        const qsizetype start = i;
        while (i < line.size() && is(line[i], Tchar))
            ++i;
        return i > start;
    };
    while (i < line.size()) {
        skipBws();
        bool ok = i < line.size() && line[i] == ';';
        if (ok) {
            ++i;
            skipBws();
            ok = token();
        }
        if (ok) {
            const qsizetype save = i;
            skipBws();
            if (i < line.size() && line[i] == '=') {
                ++i;
                skipBws();
                const qsizetype quoted = quotedStringLength(line.sliced(i));
                if (quoted > 0)
                    i += quoted;
                else
                    ok = token();
            } else {
                i = save;
            }
        }
        if (!ok) {
            fail(400, QByteArrayLiteral("invalid chunk extension \"") + excerpt(line) + "\"");
            return false;
        }
    }
    if (size == 0) {
        // last-chunk: the trailer section follows (RFC 9112 §7.1.2).
        m_phase = Phase::Trailers;
        m_lineStart = 0;
        m_lineCount = 0;
        m_skipped = 0;
    } else {
        m_remaining = size;
        m_phase = Phase::ChunkData;
    }
    return true;
}

} // namespace qtws::http
