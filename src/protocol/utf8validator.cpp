// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/utf8validator_p.h"

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace qtws {

namespace {

// Byte classes: the rows of the RFC 3629 §4 syntax table collapse into these twelve.
enum ByteClass : quint8 {
    Ascii, // 00..7F
    Cont8x, // 80..8F
    Cont9x, // 90..9F
    ContAB, // A0..BF
    Invalid, // C0, C1 (always overlong), F5..FF (beyond U+10FFFF)
    Lead2, // C2..DF
    LeadE0, // E0
    Lead3, // E1..EC, EE, EF
    LeadED, // ED
    LeadF0, // F0
    Lead4, // F1..F3
    LeadF4, // F4
    ClassCount
};

constexpr std::array<quint8, 256> byteClasses = [] {
    std::array<quint8, 256> c{};
    for (int b = 0; b < 256; ++b) {
        if (b <= 0x7F)
            c[b] = Ascii;
        else if (b <= 0x8F)
            c[b] = Cont8x;
        else if (b <= 0x9F)
            c[b] = Cont9x;
        else if (b <= 0xBF)
            c[b] = ContAB;
        else if (b <= 0xC1)
            c[b] = Invalid;
        else if (b <= 0xDF)
            c[b] = Lead2;
        else if (b == 0xE0)
            c[b] = LeadE0;
        else if (b == 0xED)
            c[b] = LeadED;
        else if (b <= 0xEF)
            c[b] = Lead3;
        else if (b == 0xF0)
            c[b] = LeadF0;
        else if (b <= 0xF3)
            c[b] = Lead4;
        else if (b == 0xF4)
            c[b] = LeadF4;
        else
            c[b] = Invalid;
    }
    return c;
}();

using V = Utf8Validator;
constexpr int TableSize = int(V::StateCount) * int(ClassCount);

// transitions[state * ClassCount + class] → next state. Everything not listed rejects.
constexpr std::array<quint8, TableSize> transitions = [] {
    std::array<quint8, TableSize> t{};
    for (auto &next : t)
        next = V::Reject;
    auto set = [&t](quint8 state, quint8 cls, quint8 next) { t[state * ClassCount + cls] = next; };
    set(V::Accept, Ascii, V::Accept);
    set(V::Accept, Lead2, V::Tail1);
    set(V::Accept, LeadE0, V::AfterE0);
    set(V::Accept, Lead3, V::Tail2);
    set(V::Accept, LeadED, V::AfterED);
    set(V::Accept, LeadF0, V::AfterF0);
    set(V::Accept, Lead4, V::Tail3);
    set(V::Accept, LeadF4, V::AfterF4);
    for (quint8 cont : {Cont8x, Cont9x, ContAB}) {
        set(V::Tail1, cont, V::Accept);
        set(V::Tail2, cont, V::Tail1);
        set(V::Tail3, cont, V::Tail2);
    }
    set(V::AfterE0, ContAB, V::Tail1);
    set(V::AfterED, Cont8x, V::Tail1);
    set(V::AfterED, Cont9x, V::Tail1);
    set(V::AfterF0, Cont9x, V::Tail2);
    set(V::AfterF0, ContAB, V::Tail2);
    set(V::AfterF4, Cont8x, V::Tail2);
    return t;
}();

// Skips the ASCII prefix of [p, end) a block at a time: text messages are mostly ASCII, and
// between sequences an ASCII byte cannot change the state (bench/bench_conn.cpp, text cases).
inline const uchar *skipAscii(const uchar *p, const uchar *end) noexcept
{
#if defined(__SSE2__)
    while (end - p >= 16) {
        __m128i block;
        std::memcpy(&block, p, sizeof block);
        if (_mm_movemask_epi8(block) != 0)
            break;
        p += 16;
    }
#endif
    while (end - p >= 8) {
        quint64 word;
        std::memcpy(&word, p, sizeof word);
        if (word & 0x8080808080808080ULL)
            break;
        p += 8;
    }
    return p;
}

} // namespace

bool Utf8Validator::feed(QByteArrayView data, qsizetype *errorIndex) noexcept
{
    const auto *begin = reinterpret_cast<const uchar *>(data.data());
    const uchar *p = begin;
    const uchar *const end = begin + data.size();
    quint8 state = m_state;
    if (state == Reject) {
        if (errorIndex)
            *errorIndex = 0;
        return false;
    }
    while (p != end) {
        if (state == Accept) {
            p = skipAscii(p, end);
            if (p == end)
                break;
        }
        state = transitions[state * ClassCount + byteClasses[*p]];
        if (state == Reject) {
            m_state = Reject;
            if (errorIndex)
                *errorIndex = p - begin;
            return false;
        }
        ++p;
    }
    m_state = state;
    return true;
}

bool Utf8Validator::isValidUtf8(QByteArrayView data) noexcept
{
    Utf8Validator validator;
    return validator.feed(data) && validator.isComplete();
}

} // namespace qtws
