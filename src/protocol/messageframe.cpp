// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/messageframe_p.h"

#include "protocol/frameheader_p.h"

#include <cstring>

namespace qtws {

QByteArray encodeServerMessageFrame(MessageType type, QByteArrayView payload, quint8 rsv)
{
    FrameHeader header;
    header.fin = true;
    header.rsv = rsv & FrameHeader::RsvMask;
    header.opcode = quint8(type == MessageType::Text ? Opcode::Text : Opcode::Binary);
    header.masked = false; // RFC 6455 §5.1: a server MUST NOT mask the frames it sends
    header.payloadLength = quint64(payload.size());
    const int headerSize = frameHeaderSize(header.payloadLength, false);
    QByteArray frame(headerSize + payload.size(), Qt::Uninitialized);
    encodeFrameHeader(reinterpret_cast<uchar *>(frame.data()), header);
    if (!payload.isEmpty())
        std::memcpy(frame.data() + headerSize, payload.data(), size_t(payload.size()));
    return frame;
}

} // namespace qtws
