// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/frameheader_p.h"

#include <QtCore/QtEndian>

#include <algorithm>

namespace qtws {

namespace {

// RFC 6455 §5.2: a 7-bit length of 126 announces a 16-bit length, 127 a 64-bit length.
constexpr quint8 Length16 = 126;
constexpr quint8 Length64 = 127;
constexpr quint8 FinBit = 0x80;
constexpr quint8 MaskBit = 0x80;

} // namespace

int frameHeaderSize(quint64 payloadLength, bool masked) noexcept
{
    const int lengthBytes = payloadLength < Length16 ? 0 : payloadLength <= 0xFFFF ? 2 : 8;
    return 2 + lengthBytes + (masked ? 4 : 0);
}

int encodeFrameHeader(uchar *out, const FrameHeader &header) noexcept
{
    out[0] = uchar(
        (header.fin ? FinBit : 0) | (header.rsv & FrameHeader::RsvMask) | (header.opcode & 0x0F));
    const quint8 maskBit = header.masked ? MaskBit : 0;
    int size = 2;
    // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length".
    if (header.payloadLength < Length16) {
        out[1] = uchar(maskBit | header.payloadLength);
    } else if (header.payloadLength <= 0xFFFF) {
        out[1] = uchar(maskBit | Length16);
        qToBigEndian(quint16(header.payloadLength), out + 2);
        size += 2;
    } else {
        out[1] = uchar(maskBit | Length64);
        qToBigEndian(quint64(header.payloadLength), out + 2);
        size += 8;
    }
    if (header.masked) {
        qToBigEndian(header.maskKey, out + size);
        size += 4;
    }
    return size;
}

FrameHeaderParser::Status FrameHeaderParser::feed(
    const char *data, qsizetype size, qsizetype *consumed) noexcept
{
    // Fast path: a header that starts this chunk and is wholly inside it (the common case) is
    // decoded in place, without gathering its bytes (bench/bench_conn.cpp, 16-byte decode).
    if (m_size == 0 && size >= 2) {
        const auto *bytes = reinterpret_cast<const uchar *>(data);
        const quint8 need = headerSizeFromPrefix(bytes[1]);
        // (A 64-bit length with its top bit set takes the slow path, which reports it.)
        if (size >= need && !((bytes[1] & 0x7F) == Length64 && (bytes[2] & 0x80))) {
            decodePrefix(bytes);
            decodeRest(bytes);
            m_size = m_need = need;
            *consumed = need;
            return Status::Complete;
        }
    }
    qsizetype used = 0;
    while (m_size < m_need && used < size) {
        // RFC 6455 §5.2: "the most significant bit MUST be 0" in a 64-bit length. The first
        // length byte is taken alone so that this is checked the moment it arrives.
        const bool length64 = m_size >= 2 && (m_bytes[1] & 0x7F) == Length64;
        const qsizetype want = (length64 && m_size == 2) ? 1 : m_need - m_size;
        const qsizetype take = std::min<qsizetype>(want, size - used);
        // At most 12 bytes: a loop beats a call to memcpy here (bench/bench_conn.cpp, 16 B).
        for (qsizetype i = 0; i < take; ++i)
            m_bytes[size_t(m_size + i)] = uchar(data[used + i]);
        m_size = quint8(m_size + take);
        used += take;
        if (m_size == 2 && m_need == 2)
            decodePrefix(m_bytes.data());
        if (length64 && m_size == 3 && (m_bytes[2] & 0x80)) {
            *consumed = used;
            return Status::Invalid;
        }
    }
    *consumed = used;
    if ((m_bytes[1] & 0x7F) == Length64 && m_size >= 3 && (m_bytes[2] & 0x80))
        return Status::Invalid; // fed again after reporting it: still invalid
    if (m_size < m_need)
        return Status::NeedMore;
    decodeRest(m_bytes.data());
    return Status::Complete;
}

void FrameHeaderParser::reset() noexcept
{
    m_size = 0;
    m_need = 2;
    m_header = FrameHeader();
}

quint8 FrameHeaderParser::headerSizeFromPrefix(uchar secondByte) noexcept
{
    const quint8 length7 = secondByte & 0x7F;
    return quint8(2
        + (length7 == Length16        ? 2
                : length7 == Length64 ? 8
                                      : 0)
        + ((secondByte & MaskBit) ? 4 : 0));
}

void FrameHeaderParser::decodePrefix(const uchar *bytes) noexcept
{
    m_header.fin = bytes[0] & FinBit;
    m_header.rsv = bytes[0] & FrameHeader::RsvMask;
    m_header.opcode = bytes[0] & 0x0F;
    m_header.masked = bytes[1] & MaskBit;
    m_need = headerSizeFromPrefix(bytes[1]);
}

void FrameHeaderParser::decodeRest(const uchar *bytes) noexcept
{
    const quint8 length7 = bytes[1] & 0x7F;
    int at = 2;
    // A longer encoding than needed is a sender's mistake that harms nobody; like most
    // endpoints we accept it (RFC 6455 §5.2 puts the "minimal" requirement on the sender).
    if (length7 == Length16) {
        m_header.payloadLength = qFromBigEndian<quint16>(bytes + at);
        at += 2;
    } else if (length7 == Length64) {
        m_header.payloadLength = qFromBigEndian<quint64>(bytes + at);
        at += 8;
    } else {
        m_header.payloadLength = length7;
    }
    m_header.maskKey = m_header.masked ? qFromBigEndian<quint32>(bytes + at) : 0;
}

} // namespace qtws
