// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// Character classes of HTTP's ABNF (RFC 9110 §5.6, RFC 9112), as 256-entry tables so the parser
// classifies a byte with one load. Private to src/http.

#include <QtCore/QByteArrayView>

#include <array>

namespace qtws::http::tokens {

enum CharClass : unsigned char {
    Tchar = 1 << 0, // RFC 9110 §5.6.2: token characters
    FieldValue = 1 << 1, // RFC 9110 §5.5: field-vchar (VCHAR / obs-text), SP, HTAB
    TargetChar = 1 << 2, // RFC 9112 §3.2: what a request-target may contain (visible ASCII)
    HostChar
    = 1 << 3, // RFC 3986 §3.2.2 uri-host and §3.2.3 port: unreserved, pct, sub-delims, ":[]"
    HexDigit = 1 << 4,
};

constexpr bool oneOf(int c, const char *set)
{
    for (; *set; ++set) {
        if (static_cast<unsigned char>(*set) == c)
            return true;
    }
    return false;
}

constexpr std::array<unsigned char, 256> makeTable()
{
    std::array<unsigned char, 256> t{};
    for (int c = 0; c < 256; ++c) {
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        const bool digit = c >= '0' && c <= '9';
        unsigned char k = 0;
        if (alpha || digit || oneOf(c, "!#$%&'*+-.^_`|~"))
            k |= Tchar;
        if (c == '\t' || (c >= 0x20 && c != 0x7f))
            k |= FieldValue;
        if (c > 0x20 && c < 0x7f)
            k |= TargetChar;
        if (alpha || digit || oneOf(c, "-._~%!$&'()*+,;=:[]"))
            k |= HostChar;
        if (digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            k |= HexDigit;
        t[std::size_t(c)] = k;
    }
    return t;
}

inline constexpr std::array<unsigned char, 256> table = makeTable();

constexpr bool is(char c, CharClass k)
{
    return table[static_cast<unsigned char>(c)] & k;
}
constexpr bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}
constexpr bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// True when every byte of v is of class k (and v is not empty, for tokens: 1*tchar).
inline bool all(QByteArrayView v, CharClass k)
{
    for (char c : v) {
        if (!is(c, k))
            return false;
    }
    return true;
}
inline bool isToken(QByteArrayView v)
{
    return !v.isEmpty() && all(v, Tchar);
}

// v without leading and trailing OWS (SP / HTAB, RFC 9110 §5.6.3).
inline QByteArrayView trimmedOws(QByteArrayView v)
{
    while (!v.isEmpty() && isOws(v.front()))
        v = v.sliced(1);
    while (!v.isEmpty() && isOws(v.back()))
        v.chop(1);
    return v;
}

// The value of a hexadecimal digit (RFC 5234 HEXDIG, either case), or -1.
inline int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace qtws::http::tokens
