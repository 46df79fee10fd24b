// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/mask_p.h"

#include <QtCore/QtEndian>

#include <cstring>

namespace qtws {

namespace {

// The key rotated to start at `offset` and repeated to fill a machine word, so that byte j of
// the word masks payload byte (offset + j). Its period is 4, so it is also right for any word
// starting a multiple of 4 bytes later, and for single bytes indexed j mod 8.
quint64 maskWord(quint32 key, quint64 offset) noexcept
{
    uchar octets[4];
    qToBigEndian(key, octets);
    uchar pattern[8];
    for (unsigned j = 0; j < 8; ++j)
        pattern[j] = octets[(offset + j) & 3];
    quint64 word;
    std::memcpy(&word, pattern, sizeof word);
    return word;
}

// One loop for both entry points. Loads and stores go through memcpy because neither pointer is
// aligned (frames start anywhere in a read buffer); compilers turn those into plain unaligned
// moves, and the 32-byte body of independent word XORs into SIMD. Throughput is what the
// decode/encode cases of bench/bench_conn.cpp measure.
inline void maskLoop(
    uchar *dst, const uchar *src, qsizetype size, quint32 key, quint64 offset) noexcept
{
    const quint64 word = maskWord(key, offset);
    qsizetype i = 0;
    for (; i + 32 <= size; i += 32) {
        quint64 v[4];
        std::memcpy(v, src + i, sizeof v);
        v[0] ^= word;
        v[1] ^= word;
        v[2] ^= word;
        v[3] ^= word;
        std::memcpy(dst + i, v, sizeof v);
    }
    for (; i + 8 <= size; i += 8) {
        quint64 v;
        std::memcpy(&v, src + i, sizeof v);
        v ^= word;
        std::memcpy(dst + i, &v, sizeof v);
    }
    uchar pattern[8];
    std::memcpy(pattern, &word, sizeof pattern);
    for (; i < size; ++i)
        dst[i] = uchar(src[i] ^ pattern[i & 7]);
}

} // namespace

void applyMask(char *data, qsizetype size, quint32 key, quint64 offset) noexcept
{
    auto *bytes = reinterpret_cast<uchar *>(data);
    maskLoop(bytes, bytes, size, key, offset);
}

void copyWithMask(char *dst, const char *src, qsizetype size, quint32 key, quint64 offset) noexcept
{
    maskLoop(
        reinterpret_cast<uchar *>(dst), reinterpret_cast<const uchar *>(src), size, key, offset);
}

} // namespace qtws
