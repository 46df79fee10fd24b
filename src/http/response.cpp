// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/response.h>

namespace qtws::http {

// The reason phrases of RFC 9110 §15, plus those of RFC 6585 (428, 429, 431) that a server is
// likely to send. A client ignores the phrase (RFC 9112 §4), so this
// only needs to be conventional, not complete.
QByteArray Response::reasonPhrase(int status)
{
    const char *phrase = "";
    switch (status) {
    case 100: phrase = "Continue"; break;
    case 101: phrase = "Switching Protocols"; break;
    case 200: phrase = "OK"; break;
    case 201: phrase = "Created"; break;
    case 202: phrase = "Accepted"; break;
    case 203: phrase = "Non-Authoritative Information"; break;
    case 204: phrase = "No Content"; break;
    case 205: phrase = "Reset Content"; break;
    case 206: phrase = "Partial Content"; break;
    case 300: phrase = "Multiple Choices"; break;
    case 301: phrase = "Moved Permanently"; break;
    case 302: phrase = "Found"; break;
    case 303: phrase = "See Other"; break;
    case 304: phrase = "Not Modified"; break;
    case 305: phrase = "Use Proxy"; break;
    case 307: phrase = "Temporary Redirect"; break;
    case 308: phrase = "Permanent Redirect"; break;
    case 400: phrase = "Bad Request"; break;
    case 401: phrase = "Unauthorized"; break;
    case 402: phrase = "Payment Required"; break;
    case 403: phrase = "Forbidden"; break;
    case 404: phrase = "Not Found"; break;
    case 405: phrase = "Method Not Allowed"; break;
    case 406: phrase = "Not Acceptable"; break;
    case 407: phrase = "Proxy Authentication Required"; break;
    case 408: phrase = "Request Timeout"; break;
    case 409: phrase = "Conflict"; break;
    case 410: phrase = "Gone"; break;
    case 411: phrase = "Length Required"; break;
    case 412: phrase = "Precondition Failed"; break;
    case 413: phrase = "Content Too Large"; break;
    case 414: phrase = "URI Too Long"; break;
    case 415: phrase = "Unsupported Media Type"; break;
    case 416: phrase = "Range Not Satisfiable"; break;
    case 417: phrase = "Expectation Failed"; break;
    case 421: phrase = "Misdirected Request"; break;
    case 422: phrase = "Unprocessable Content"; break;
    case 426: phrase = "Upgrade Required"; break;
    case 428: phrase = "Precondition Required"; break;
    case 429: phrase = "Too Many Requests"; break;
    case 431: phrase = "Request Header Fields Too Large"; break;
    case 500: phrase = "Internal Server Error"; break;
    case 501: phrase = "Not Implemented"; break;
    case 502: phrase = "Bad Gateway"; break;
    case 503: phrase = "Service Unavailable"; break;
    case 504: phrase = "Gateway Timeout"; break;
    case 505: phrase = "HTTP Version Not Supported"; break;
    default: break;
    }
    return QByteArray(phrase);
}

QByteArray Response::serialize() const
{
    // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ] CRLF.
    // The status code is always three digits; the second SP is sent even with an empty phrase.
    const QByteArray phrase = reason.isEmpty() ? reasonPhrase(status) : reason;
    const QByteArray head = headers.serialize();
    QByteArray out;
    out.reserve(9 + 5 + phrase.size() + 2 + head.size() + 2 + body.size());
    out += "HTTP/";
    out += QByteArray::number(versionMajor);
    out += '.';
    out += QByteArray::number(versionMinor);
    out += ' ';
    out += QByteArray::number(status).rightJustified(3, '0');
    out += ' ';
    out += phrase;
    out += "\r\n";
    out += head;
    out += "\r\n";
    out += body;
    return out;
}

} // namespace qtws::http
