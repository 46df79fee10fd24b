// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/handshake.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QRandomGenerator>

#include <algorithm>
#include <array>
#include <cctype>

namespace qtws {

namespace handshake {

namespace {

using http::equalsIgnoreCase;

// Reasons are for logs and close reasons: at most 123 bytes (RFC 6455 §5.5.1 leaves 123 bytes
// for a close frame's reason), so anything quoted from the peer is clipped and made printable.
constexpr qsizetype maxReasonSize = 123;

QByteArray quoted(QByteArrayView text, qsizetype max = 32)
{
    QByteArray out;
    const qsizetype n = std::min(text.size(), max);
    out.reserve(n + 3);
    for (qsizetype i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out.append(c >= 0x20 && c < 0x7f ? text[i] : '?');
    }
    if (text.size() > max)
        out.append("...");
    return out;
}

QByteArray reason(QByteArray text)
{
    Q_ASSERT(text.size() <= maxReasonSize);
    text.truncate(maxReasonSize);
    return text;
}

QByteArray number(qsizetype n)
{
    return QByteArray::number(n);
}

bool isTchar(char c)
{
    // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    // "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~': return true;
    default: return false;
    }
}

// RFC 9110 §5.5: a field value is field-vchar, SP, HTAB and obs-text; CR, LF, NUL and the other
// controls would let a value end the field (header injection) or are rejected by peers.
bool isFieldValue(QByteArrayView value)
{
    for (const char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

// Visible ASCII only: request-target (RFC 9112 §3.2) and Host (RFC 3986 authority) contain
// neither whitespace nor obs-text.
bool isVisibleAscii(QByteArrayView text)
{
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f)
            return false;
    }
    return true;
}

// The fields the handshake writes itself. An application copy would duplicate or contradict
// them: a second Sec-WebSocket-Key makes servers answer 400 (RFC 6455 §11.3.1), a foreign
// Connection or Content-Length changes how the peer frames the bytes after the head.
constexpr std::array<QByteArrayView, 10> handshakeOwnedFields = {
    "Upgrade",
    "Connection",
    "Host",
    "Content-Length",
    "Transfer-Encoding",
    "Sec-WebSocket-Key",
    "Sec-WebSocket-Version",
    "Sec-WebSocket-Accept",
    "Sec-WebSocket-Protocol",
    "Sec-WebSocket-Extensions",
};

QByteArray checkExtraHeaders(const http::Headers &headers)
{
    qsizetype index = 0;
    for (const auto &[name, value] : headers) {
        ++index;
        if (!isToken(name))
            return reason("extra header " + number(index) + " has an invalid name");
        for (QByteArrayView owned : handshakeOwnedFields) {
            if (equalsIgnoreCase(name, owned)) {
                if (equalsIgnoreCase(owned, "Sec-WebSocket-Protocol")
                    || equalsIgnoreCase(owned, "Sec-WebSocket-Extensions")) {
                    return reason("extra header " + owned.toByteArray()
                        + " is refused: it has its own option");
                }
                return reason(
                    "extra header " + owned.toByteArray() + " is refused: the handshake sets it");
            }
        }
        if (!isFieldValue(value)) {
            return reason("extra header " + quoted(name)
                + " has CR, LF, NUL or another control character in its value");
        }
    }
    return {};
}

// A cursor over one Sec-WebSocket-Extensions field value (RFC 6455 §9.1).
class ExtensionParser
{
public:
    explicit ExtensionParser(QByteArrayView text) : m_text(text) { }

    // Appends the extensions of the value to out; returns an error or an empty QByteArray.
    QByteArray parse(QList<ExtensionItem> &out)
    {
        for (;;) {
            skipOws();
            if (atEnd())
                return {};
            // RFC 9110 §5.6.1: recipients accept and ignore empty list elements.
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            ExtensionItem extension;
            extension.name = token().toByteArray();
            if (extension.name.isEmpty())
                return error("expected an extension name");
            skipOws();
            while (!atEnd() && peek() == ';') {
                ++m_pos;
                skipOws();
                ExtensionParam param;
                param.name = token().toByteArray();
                if (param.name.isEmpty())
                    return error("expected a parameter name");
                skipOws();
                if (!atEnd() && peek() == '=') {
                    ++m_pos;
                    skipOws();
                    if (!atEnd() && peek() == '"') {
                        QByteArray value;
                        if (QByteArray failure = quotedString(value); !failure.isEmpty())
                            return failure;
                        // RFC 6455 §9.1: after unescaping, a quoted value MUST be a token.
                        if (!isToken(value))
                            return error("quoted parameter value is not a token");
                        param.value = std::move(value);
                    } else {
                        const QByteArrayView value = token();
                        if (value.isEmpty())
                            return error("expected a parameter value");
                        param.value = value.toByteArray();
                    }
                    skipOws();
                }
                extension.params.append(std::move(param));
            }
            out.append(std::move(extension));
            if (atEnd())
                return {};
            if (peek() != ',')
                return error("expected ',' or ';'");
            ++m_pos;
        }
    }

private:
    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }

    void skipOws()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
    }

    QByteArrayView token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isTchar(peek()))
            ++m_pos;
        return m_text.sliced(start, m_pos - start);
    }

    // RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
    QByteArray quotedString(QByteArray &value)
    {
        ++m_pos; // the opening DQUOTE
        while (!atEnd()) {
            const auto c = static_cast<unsigned char>(peek());
            if (c == '"') {
                ++m_pos;
                return {};
            }
            if (c == '\\') {
                ++m_pos;
                if (atEnd())
                    break;
                const auto escaped = static_cast<unsigned char>(peek());
                // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                if ((escaped < 0x20 && escaped != '\t') || escaped == 0x7f)
                    return error("control character in quoted-string");
                value.append(peek());
                ++m_pos;
                continue;
            }
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
            if ((c < 0x20 && c != '\t') || c == 0x7f)
                return error("control character in quoted-string");
            value.append(peek());
            ++m_pos;
        }
        return error("unterminated quoted-string");
    }

    QByteArray error(const char *what) const
    {
        return reason("malformed Sec-WebSocket-Extensions at byte " + number(m_pos) + ": " + what);
    }

    QByteArrayView m_text;
    qsizetype m_pos = 0;
};

// RFC 3986 §3.2.2 reg-name and IPv4address characters (userinfo's "@" is not among them).
bool isRegNameChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("-._~%!$&'()*+,;=").contains(c);
}

struct Authority
{
    QByteArray host; // lower case; IPv6 literals keep their brackets
    int port = -1; // -1 when absent
};

// host [":" port] as in Host (RFC 9110 §7.2) and in a serialised origin (RFC 6454 §6.2).
std::optional<Authority> parseAuthority(QByteArrayView text)
{
    Authority authority;
    qsizetype hostEnd = 0;
    if (text.startsWith('[')) {
        hostEnd = text.indexOf(']');
        if (hostEnd < 2)
            return std::nullopt;
        for (const char c : text.sliced(1, hostEnd - 1)) {
            if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'))
                return std::nullopt;
        }
        ++hostEnd;
    } else {
        while (hostEnd < text.size() && isRegNameChar(text[hostEnd]))
            ++hostEnd;
        if (hostEnd == 0)
            return std::nullopt;
    }
    authority.host = text.first(hostEnd).toByteArray().toLower();
    QByteArrayView rest = text.sliced(hostEnd);
    if (rest.isEmpty())
        return authority;
    if (rest.front() != ':')
        return std::nullopt;
    rest = rest.sliced(1);
    // RFC 3986 §3.2.3: an empty port means the scheme's default.
    if (rest.isEmpty())
        return authority;
    if (rest.size() > 5)
        return std::nullopt;
    int port = 0;
    for (const char c : rest) {
        if (c < '0' || c > '9')
            return std::nullopt;
        port = port * 10 + (c - '0');
    }
    if (port > 65535)
        return std::nullopt;
    authority.port = port;
    return authority;
}

} // namespace

QByteArray generateKey()
{
    std::array<quint32, 4> words{};
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QByteArray(reinterpret_cast<const char *>(words.data()), sizeof(words)).toBase64();
}

QByteArray acceptValue(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(acceptGuid);
    return sha1.result().toBase64();
}

bool isValidKey(QByteArrayView key)
{
    // 16 bytes are always 24 base64 characters ending in "==".
    if (key.size() != 24)
        return false;
    const QByteArray text = key.toByteArray();
    const auto decoded = QByteArray::fromBase64Encoding(
        text, QByteArray::Base64Encoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() != 16)
        return false;
    // Qt's decoder accepts non-zero padding bits and the like; only the canonical encoding of
    // the decoded bytes is the key a conforming client produced.
    return decoded.decoded.toBase64() == text;
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (!isTchar(c))
            return false;
    }
    return true;
}

ExtensionsParseResult parseExtensions(const QList<QByteArray> &headerValues)
{
    ExtensionsParseResult result;
    for (const QByteArray &value : headerValues) {
        result.error = ExtensionParser(value).parse(result.extensions);
        if (!result.ok()) {
            result.extensions.clear();
            break;
        }
    }
    return result;
}

ExtensionsParseResult parseExtensions(const http::Headers &headers)
{
    // Not Headers::listValues(): a comma inside a quoted-string does not split the list.
    return parseExtensions(headers.values("Sec-WebSocket-Extensions"));
}

QByteArray serializeExtensions(const QList<ExtensionItem> &extensions)
{
    QByteArray out;
    for (const ExtensionItem &extension : extensions) {
        if (!out.isEmpty())
            out += ", ";
        out += extension.name;
        for (const ExtensionParam &param : extension.params) {
            out += "; ";
            out += param.name;
            if (!param.value)
                continue;
            out += '=';
            if (isToken(*param.value)) {
                out += *param.value;
                continue;
            }
            out += '"';
            for (const char c : *param.value) {
                if (c == '"' || c == '\\')
                    out += '\\';
                out += c;
            }
            out += '"';
        }
    }
    return out;
}

QByteArray selectSubprotocol(const QList<QByteArray> &offered, const QList<QByteArray> &supported)
{
    for (const QByteArray &candidate : supported) {
        if (offered.contains(candidate))
            return candidate;
    }
    return {};
}

ClientRequestBuildResult buildClientRequest(const ClientRequestSpec &spec)
{
    ClientRequestBuildResult result;
    auto fail = [&result](QByteArray why) {
        result.error = reason(std::move(why));
        result.request = {};
        return result;
    };

    if (!isValidKey(spec.key))
        return fail("Sec-WebSocket-Key is not base64 of 16 bytes (RFC 6455 4.1)");
    if (spec.target.isEmpty() || !isVisibleAscii(spec.target))
        return fail("request target is empty or has spaces or control characters");
    if (spec.host.isEmpty() || !isVisibleAscii(spec.host))
        return fail("Host is empty or has spaces or control characters");
    if (spec.origin && (spec.origin->isEmpty() || !isFieldValue(*spec.origin)))
        return fail("Origin is empty or has CR, LF, NUL or another control character");

    // RFC 6455 §4.1 item 10: subprotocols are tokens and MUST all be unique.
    for (qsizetype i = 0; i < spec.subprotocols.size(); ++i) {
        if (!isToken(spec.subprotocols[i]))
            return fail("subprotocol " + number(i + 1) + " is not a token");
        if (spec.subprotocols.first(i).contains(spec.subprotocols[i]))
            return fail("subprotocol " + number(i + 1) + " repeats an earlier one");
    }

    QList<QByteArray> extensionValues;
    for (qsizetype i = 0; i < spec.extensions.size(); ++i) {
        const ExtensionsParseResult parsed = parseExtensions(QList<QByteArray>{spec.extensions[i]});
        if (!parsed.ok())
            return fail("extension offer " + number(i + 1) + ": " + parsed.error);
        if (!parsed.extensions.isEmpty())
            extensionValues.append(spec.extensions[i].trimmed());
    }

    if (QByteArray why = checkExtraHeaders(spec.extraHeaders); !why.isEmpty())
        return fail(std::move(why));

    http::Request &request = result.request;
    request.method = "GET";
    request.target = spec.target;
    request.versionMajor = 1;
    request.versionMinor = 1;
    request.headers.append("Host", spec.host);
    request.headers.append("Upgrade", "websocket");
    request.headers.append("Connection", "Upgrade");
    request.headers.append("Sec-WebSocket-Key", spec.key);
    request.headers.append("Sec-WebSocket-Version", protocolVersion);
    if (spec.origin)
        request.headers.append("Origin", *spec.origin);
    if (!spec.subprotocols.isEmpty())
        request.headers.append("Sec-WebSocket-Protocol", spec.subprotocols.join(", "));
    if (!extensionValues.isEmpty())
        request.headers.append("Sec-WebSocket-Extensions", extensionValues.join(", "));
    for (const auto &[name, value] : spec.extraHeaders)
        request.headers.append(name, value);
    return result;
}

ServerResponseCheckResult checkServerResponse(
    const http::Response &response, const http::Request &sentRequest)
{
    ServerResponseCheckResult result;
    auto fail = [&result](QByteArray why) {
        result.error = reason(std::move(why));
        result.subprotocol.clear();
        result.extensions.clear();
        return result;
    };
    const http::Headers &headers = response.headers;

    // RFC 6455 §4.1: any status other than 101 means the handshake did not complete; the
    // client reports it (redirects and authentication are the caller's business).
    if (response.status != 101) {
        result.refusedStatus = response.status;
        return fail("handshake refused with " + number(response.status));
    }
    // RFC 9110 §15.2: 1xx does not exist in HTTP/1.0.
    if (response.versionMajor < 1 || (response.versionMajor == 1 && response.versionMinor < 1))
        return fail("101 response in HTTP/" + number(response.versionMajor) + "."
            + number(response.versionMinor) + "; 1.1 required");
    // RFC 6455 §4.1 items 2 and 3 of the response checks.
    if (!headers.containsToken("Upgrade", "websocket"))
        return fail("101 response without Upgrade: websocket");
    if (!headers.containsToken("Connection", "upgrade"))
        return fail("101 response without Connection: upgrade");

    // RFC 6455 §4.1 item 4: the accept value proves the server read this handshake's key.
    const qsizetype acceptCount = headers.count("Sec-WebSocket-Accept");
    if (acceptCount == 0)
        return fail("101 response without Sec-WebSocket-Accept");
    if (acceptCount > 1)
        return fail(number(acceptCount) + " Sec-WebSocket-Accept headers; expected 1");
    const QByteArray key = sentRequest.headers.value("Sec-WebSocket-Key").trimmed();
    if (headers.value("Sec-WebSocket-Accept").trimmed() != acceptValue(key))
        return fail("Sec-WebSocket-Accept does not match the key sent");

    // RFC 6455 §4.1 item 6: a subprotocol the client did not offer fails the connection. An
    // empty field is the same as none: it names no subprotocol.
    const QList<QByteArray> chosen = headers.listValues("Sec-WebSocket-Protocol");
    if (chosen.size() > 1)
        return fail("server chose " + number(chosen.size()) + " subprotocols; expected at most 1");
    if (chosen.size() == 1) {
        const QList<QByteArray> offered = sentRequest.headers.listValues("Sec-WebSocket-Protocol");
        if (offered.isEmpty())
            return fail(
                "server chose subprotocol " + quoted(chosen.front()) + " but none was offered");
        if (!offered.contains(chosen.front()))
            return fail(
                "server chose subprotocol " + quoted(chosen.front()) + " that was not offered");
        result.subprotocol = chosen.front();
    }

    // RFC 6455 §4.1 item 5: an extension the client did not offer fails the connection.
    ExtensionsParseResult accepted = parseExtensions(headers);
    if (!accepted.ok())
        return fail(std::move(accepted.error));
    const ExtensionsParseResult offered = parseExtensions(sentRequest.headers);
    for (const ExtensionItem &extension : accepted.extensions) {
        const bool wasOffered = std::any_of(offered.extensions.begin(), offered.extensions.end(),
            [&extension](const ExtensionItem &offer) { return offer.name == extension.name; });
        if (!wasOffered)
            return fail(
                "server accepted extension " + quoted(extension.name) + " that was not offered");
    }
    result.extensions = std::move(accepted.extensions);
    return result;
}

ClientRequestCheckResult checkClientRequest(const http::Request &request)
{
    ClientRequestCheckResult result;
    auto reject = [&result](int status, QByteArray why, http::Headers headers = {}) {
        result = {};
        result.rejection = Rejection{status, reason(std::move(why)), std::move(headers)};
        return result;
    };
    const http::Headers &headers = request.headers;

    // RFC 6455 §4.2.1 item 1: an HTTP/1.1 or higher GET request. 400 rather than 405: see
    // the header for why.
    if (request.method != "GET")
        return reject(400, "handshake method is " + quoted(request.method) + ", not GET");
    if (request.versionMajor < 1 || (request.versionMajor == 1 && request.versionMinor < 1))
        return reject(400,
            "handshake in HTTP/" + number(request.versionMajor) + "." + number(request.versionMinor)
                + "; 1.1 or later required");

    // RFC 9112 §3.2: a server MUST answer 400 to a request without Host or with more than one.
    const qsizetype hostCount = headers.count("Host");
    if (hostCount != 1)
        return reject(400, number(hostCount) + " Host headers; expected 1");
    // RFC 6455 §4.2.1 item 2: the Host names the server's authority, never empty for ws URIs.
    if (headers.value("Host").trimmed().isEmpty())
        return reject(400, "empty Host header");

    // RFC 6455 §4.2.1 items 3 and 4.
    if (!headers.containsToken("Upgrade", "websocket"))
        return reject(400, "missing Upgrade: websocket");
    if (!headers.containsToken("Connection", "upgrade"))
        return reject(400, "missing Connection: upgrade");

    // RFC 6455 §4.4: an unsupported (or missing) version is answered with the versions this
    // server speaks; RFC 9110 §15.5.22: a 426 MUST carry Upgrade.
    const http::Headers versionHeaders{
        {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", protocolVersion.toByteArray()}};
    const QList<QByteArray> versions = headers.values("Sec-WebSocket-Version");
    if (versions.isEmpty())
        return reject(426, "missing Sec-WebSocket-Version; this server speaks 13", versionHeaders);
    if (versions.size() > 1)
        return reject(426, number(versions.size()) + " Sec-WebSocket-Version headers; expected 1",
            versionHeaders);
    if (versions.front().trimmed() != protocolVersion)
        return reject(426,
            "Sec-WebSocket-Version " + quoted(versions.front().trimmed())
                + " is not supported; this server speaks 13",
            versionHeaders);

    // RFC 6455 §4.2.1 item 5 and §11.3.1 (at most once in a request).
    const QList<QByteArray> keys = headers.values("Sec-WebSocket-Key");
    if (keys.isEmpty())
        return reject(400, "missing Sec-WebSocket-Key");
    if (keys.size() > 1)
        return reject(400, number(keys.size()) + " Sec-WebSocket-Key headers; expected 1");
    const QByteArray key = keys.front().trimmed();
    if (!isValidKey(key))
        return reject(400, "Sec-WebSocket-Key is not base64 of 16 bytes");

    // RFC 6454 §7.3: a user agent sends at most one Origin; two would let the policy and the
    // application disagree about which one counts.
    const QList<QByteArray> origins = headers.values("Origin");
    if (origins.size() > 1)
        return reject(400, number(origins.size()) + " Origin headers; expected at most 1");

    // RFC 6455 §4.1 item 10 and §11.3.4: the offered subprotocols are tokens. Duplicates are
    // a client's mistake that changes no choice, so they are tolerated and dropped.
    QList<QByteArray> subprotocols;
    const QList<QByteArray> offered = headers.listValues("Sec-WebSocket-Protocol");
    for (qsizetype i = 0; i < offered.size(); ++i) {
        if (!isToken(offered[i]))
            return reject(
                400, "Sec-WebSocket-Protocol element " + number(i + 1) + " is not a token");
        if (!subprotocols.contains(offered[i]))
            subprotocols.append(offered[i]);
    }

    // RFC 6455 §9.1 grammar.
    ExtensionsParseResult extensions = parseExtensions(headers);
    if (!extensions.ok())
        return reject(400, std::move(extensions.error));

    result.key = key;
    result.subprotocols = std::move(subprotocols);
    result.extensions = std::move(extensions.extensions);
    if (!origins.isEmpty())
        result.origin = origins.front().trimmed();
    return result;
}

AcceptResponseBuildResult buildAcceptResponse(const AcceptResponseSpec &spec)
{
    AcceptResponseBuildResult result;
    auto fail = [&result](QByteArray why) {
        result.error = reason(std::move(why));
        result.response = {};
        return result;
    };

    if (!isValidKey(spec.key))
        return fail("Sec-WebSocket-Key is not base64 of 16 bytes (RFC 6455 4.1)");
    if (!spec.subprotocol.isEmpty() && !isToken(spec.subprotocol))
        return fail("subprotocol is not a token");
    const ExtensionsParseResult extensions = parseExtensions(QList<QByteArray>{spec.extensions});
    if (!extensions.ok())
        return fail("accepted extensions: " + extensions.error);
    if (QByteArray why = checkExtraHeaders(spec.extraHeaders); !why.isEmpty())
        return fail(std::move(why));

    // RFC 6455 §4.2.2 item 5.
    http::Response &response = result.response;
    response.status = 101;
    response.reason = http::Response::reasonPhrase(101);
    response.versionMajor = 1;
    response.versionMinor = 1;
    response.headers.append("Upgrade", "websocket");
    response.headers.append("Connection", "Upgrade");
    response.headers.append("Sec-WebSocket-Accept", acceptValue(spec.key));
    if (!spec.subprotocol.isEmpty())
        response.headers.append("Sec-WebSocket-Protocol", spec.subprotocol);
    if (!extensions.extensions.isEmpty())
        response.headers.append("Sec-WebSocket-Extensions", spec.extensions.trimmed());
    for (const auto &[name, value] : spec.extraHeaders)
        response.headers.append(name, value);
    return result;
}

http::Response buildRejectionResponse(const Rejection &rejection)
{
    http::Response response;
    response.status = rejection.status;
    response.reason = http::Response::reasonPhrase(rejection.status);
    response.body = rejection.reason + '\n';
    for (const auto &[name, value] : rejection.headers) {
        // The framing fields below are the builder's: a copy would contradict them.
        if (equalsIgnoreCase(name, "Connection") || equalsIgnoreCase(name, "Content-Length")
            || equalsIgnoreCase(name, "Content-Type")
            || equalsIgnoreCase(name, "Transfer-Encoding")) {
            continue;
        }
        response.headers.append(name, value);
    }
    // RFC 9110 §7.8: a sender of Upgrade also sends the "upgrade" connection option. The
    // connection closes after a refusal either way: the client may have sent frames already.
    response.headers.append("Connection",
        rejection.headers.contains("Upgrade") ? QByteArrayView("Upgrade, close")
                                              : QByteArrayView("close"));
    response.headers.append("Content-Type", "text/plain; charset=utf-8");
    response.headers.append("Content-Length", QByteArray::number(response.body.size()));
    return response;
}

bool isOriginAllowedByDefault(const http::Request &request, Transport transport)
{
    const QList<QByteArray> origins = request.headers.values("Origin");
    if (origins.isEmpty())
        return true;
    if (origins.size() > 1)
        return false;
    const QByteArrayView origin = QByteArrayView(origins.front()).trimmed();

    // RFC 6454 §6.2: scheme "://" host [":" port], nothing after. "null" (opaque origins,
    // sandboxed frames, file: pages) has no "://" and is refused here.
    const qsizetype schemeEnd = origin.indexOf("://");
    if (schemeEnd <= 0)
        return false;
    const QByteArrayView scheme = origin.first(schemeEnd);
    int defaultPort = 0;
    if (equalsIgnoreCase(scheme, "http") && transport == Transport::Plain)
        defaultPort = 80;
    else if (equalsIgnoreCase(scheme, "https") && transport == Transport::Tls)
        defaultPort = 443;
    else
        return false;
    const std::optional<Authority> originAuthority = parseAuthority(origin.sliced(schemeEnd + 3));
    if (!originAuthority)
        return false;

    if (request.headers.count("Host") != 1)
        return false;
    const std::optional<Authority> hostAuthority
        = parseAuthority(QByteArrayView(request.headers.value("Host")).trimmed());
    if (!hostAuthority)
        return false;

    const int serverDefaultPort = transport == Transport::Tls ? 443 : 80;
    const int originPort = originAuthority->port < 0 ? defaultPort : originAuthority->port;
    const int hostPort = hostAuthority->port < 0 ? serverDefaultPort : hostAuthority->port;
    return originAuthority->host == hostAuthority->host && originPort == hostPort;
}

} // namespace handshake

bool isUpgrade(const http::Request &request)
{
    const http::Headers &headers = request.headers;
    if (request.method != "GET" || !headers.containsToken("Upgrade", "websocket")
        || !headers.containsToken("Connection", "upgrade")) {
        return false;
    }
    const QList<QByteArray> keys = headers.values("Sec-WebSocket-Key");
    const QList<QByteArray> versions = headers.values("Sec-WebSocket-Version");
    return keys.size() == 1 && handshake::isValidKey(keys.front().trimmed()) && versions.size() == 1
        && versions.front().trimmed() == handshake::protocolVersion;
}

bool isUpgrade(const http::Response &response)
{
    return response.status == 101 && response.headers.containsToken("Upgrade", "websocket")
        && response.headers.containsToken("Connection", "upgrade");
}

} // namespace qtws
