// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

namespace qtws {

// Payload masking (RFC 6455 §5.3): octet i of the payload is XORed with octet (i mod 4) of the
// 4-byte masking key. Masking and unmasking are the same operation.
//
// `key` holds the key's four octets in wire order, big-endian (the first octet on the wire is
// bits 31..24). `offset` is the position of data[0] within the frame's payload, because a frame
// arrives in pieces and each piece continues the key where the last one stopped.

// XORs data in place.
void applyMask(char *data, qsizetype size, quint32 key, quint64 offset) noexcept;

// Writes src XOR mask to dst (which may equal src but must not otherwise overlap it). The
// decoder unmasks straight from the input chunk into a message's storage with this, so every
// payload byte is read and written once.
void copyWithMask(char *dst, const char *src, qsizetype size, quint32 key, quint64 offset) noexcept;

} // namespace qtws
