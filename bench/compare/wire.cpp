// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "wire.h"

#include <cstring>

namespace wire {

namespace {

uint32_t rotl(uint32_t value, int bits)
{
    return (value << bits) | (value >> (32 - bits));
}

void sha1Block(uint32_t h[5], const unsigned char *block)
{
    uint32_t w[80];
    for (int i = 0; i < 16; ++i)
        w[i] = uint32_t(block[4 * i]) << 24 | uint32_t(block[4 * i + 1]) << 16
            | uint32_t(block[4 * i + 2]) << 8 | uint32_t(block[4 * i + 3]);
    for (int i = 16; i < 80; ++i)
        w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; ++i) {
        uint32_t f = 0;
        uint32_t k = 0;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        const uint32_t t = rotl(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

} // namespace

void sha1(std::string_view data, unsigned char out[20])
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    size_t i = 0;
    for (; i + 64 <= data.size(); i += 64)
        sha1Block(h, reinterpret_cast<const unsigned char *>(data.data()) + i);
    unsigned char tail[128] = {};
    const size_t rest = data.size() - i;
    std::memcpy(tail, data.data() + i, rest);
    tail[rest] = 0x80;
    const size_t tailSize = rest + 9 <= 64 ? 64 : 128;
    const uint64_t bits = uint64_t(data.size()) * 8;
    for (int b = 0; b < 8; ++b)
        tail[tailSize - 1 - b] = static_cast<unsigned char>(bits >> (8 * b));
    for (size_t at = 0; at < tailSize; at += 64)
        sha1Block(h, tail + at);
    for (int k = 0; k < 5; ++k)
        for (int b = 0; b < 4; ++b)
            out[4 * k + b] = static_cast<unsigned char>(h[k] >> (24 - 8 * b));
}

std::string base64(const unsigned char *data, size_t size)
{
    static const char alphabet[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < size; i += 3) {
        const uint32_t n = uint32_t(data[i]) << 16 | (i + 1 < size ? uint32_t(data[i + 1]) << 8 : 0)
            | (i + 2 < size ? data[i + 2] : 0);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < size ? alphabet[(n >> 6) & 63] : '=';
        out += i + 2 < size ? alphabet[n & 63] : '=';
    }
    return out;
}

std::string acceptFor(std::string_view key)
{
    std::string input(key);
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[20];
    sha1(input, digest);
    return base64(digest, sizeof digest);
}

size_t writeHeader(
    unsigned char *out, unsigned opcode, bool fin, uint64_t size, bool mask, uint32_t maskKey)
{
    size_t n = 0;
    out[n++] = static_cast<unsigned char>((fin ? 0x80 : 0) | opcode);
    const unsigned char maskBit = mask ? 0x80 : 0;
    if (size < 126) {
        out[n++] = static_cast<unsigned char>(maskBit | size);
    } else if (size <= 0xffff) {
        out[n++] = maskBit | 126;
        out[n++] = static_cast<unsigned char>(size >> 8);
        out[n++] = static_cast<unsigned char>(size);
    } else {
        out[n++] = maskBit | 127;
        for (int b = 7; b >= 0; --b)
            out[n++] = static_cast<unsigned char>(size >> (8 * b));
    }
    if (mask) {
        std::memcpy(out + n, &maskKey, 4);
        n += 4;
    }
    return n;
}

void copyMasked(
    unsigned char *to, const unsigned char *from, size_t size, uint32_t key, uint64_t offset)
{
    unsigned char keyBytes[4];
    std::memcpy(keyBytes, &key, 4);
    size_t i = 0;
    // Align the key to the payload offset, then eight bytes at a time.
    for (; i < size && (offset + i) % 4 != 0; ++i)
        to[i] = from[i] ^ keyBytes[(offset + i) % 4];
    uint64_t wide = 0;
    for (int b = 0; b < 8; ++b)
        reinterpret_cast<unsigned char *>(&wide)[b] = keyBytes[b % 4];
    for (; i + 8 <= size; i += 8) {
        uint64_t word;
        std::memcpy(&word, from + i, 8);
        word ^= wide;
        std::memcpy(to + i, &word, 8);
    }
    for (; i < size; ++i)
        to[i] = from[i] ^ keyBytes[(offset + i) % 4];
}

Header parseHeader(const unsigned char *data, size_t size)
{
    Header h;
    if (size < 2)
        return h;
    h.fin = (data[0] & 0x80) != 0;
    h.opcode = data[0] & 0x0f;
    h.masked = (data[1] & 0x80) != 0;
    size_t n = 2;
    const unsigned len7 = data[1] & 0x7f;
    if (len7 < 126) {
        h.length = len7;
    } else if (len7 == 126) {
        if (size < 4)
            return h;
        h.length = uint64_t(data[2]) << 8 | data[3];
        n = 4;
    } else {
        if (size < 10)
            return h;
        for (int b = 0; b < 8; ++b)
            h.length = h.length << 8 | data[2 + b];
        n = 10;
    }
    if (h.masked) {
        if (size < n + 4)
            return h;
        std::memcpy(&h.maskKey, data + n, 4);
        n += 4;
    }
    h.headerSize = n;
    return h;
}

} // namespace wire
