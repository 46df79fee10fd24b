// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

#include <array>

namespace qtws {

// The fields of a frame header (RFC 6455 §5.2), as on the wire.
struct FrameHeader
{
    // RSV1..3 as they sit in the first header byte; FrameHeader::Rsv1 etc.
    static constexpr quint8 Rsv1 = 0x40;
    static constexpr quint8 Rsv2 = 0x20;
    static constexpr quint8 Rsv3 = 0x10;
    static constexpr quint8 RsvMask = Rsv1 | Rsv2 | Rsv3;

    bool fin = true;
    quint8 rsv = 0; // a combination of Rsv1, Rsv2, Rsv3
    quint8 opcode = 0; // 0..15, not yet checked against the defined opcodes
    bool masked = false;
    quint32 maskKey = 0; // the four key octets, big-endian (mask_p.h)
    quint64 payloadLength = 0;
};

// A header is 2 to 14 bytes: 2, plus 2 or 8 for an extended length, plus 4 for a masking key.
inline constexpr int MaxFrameHeaderSize = 14;

// The size of the header encodeFrameHeader writes for this length (the minimal encoding).
int frameHeaderSize(quint64 payloadLength, bool masked) noexcept;

// Writes header to out (room for MaxFrameHeaderSize bytes) with the minimal length encoding,
// as RFC 6455 §5.2 requires of senders. header.payloadLength must be < 2^63. Returns the size.
int encodeFrameHeader(uchar *out, const FrameHeader &header) noexcept;

// Parses a frame header that may arrive in pieces. The bytes are gathered in a fixed 14-byte
// buffer (never the heap), so a header split across reads costs nothing extra.
class FrameHeaderParser
{
public:
    enum class Status : quint8 {
        NeedMore, // all of data was consumed and the header is not complete
        Complete, // header() is valid; *consumed says how much of data belonged to it
        Invalid, // a 64-bit length with its most significant bit set (RFC 6455 §5.2)
    };

    Status feed(const char *data, qsizetype size, qsizetype *consumed) noexcept;
    void reset() noexcept;

    // True once the first two bytes are in: fin, rsv, opcode and masked are then known, so the
    // caller can reject a frame before its extended length and key arrive.
    bool hasPrefix() const noexcept { return m_size >= 2; }
    // Complete after Complete; only fin, rsv, opcode and masked once hasPrefix().
    const FrameHeader &header() const noexcept { return m_header; }

private:
    static quint8 headerSizeFromPrefix(uchar secondByte) noexcept;
    void decodePrefix(const uchar *bytes) noexcept;
    void decodeRest(const uchar *bytes) noexcept;

    std::array<uchar, MaxFrameHeaderSize> m_bytes{};
    quint8 m_size = 0; // bytes gathered in m_bytes
    quint8 m_need = 2; // header size, known once the prefix is in
    FrameHeader m_header;
};

} // namespace qtws
