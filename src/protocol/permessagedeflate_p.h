// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/permessagedeflate.h>

#include <zlib.h>

namespace qtws {

// The options with the role's defaults filled in and every value clamped into range.
struct ResolvedDeflateOptions
{
    int serverMaxWindowBits = 15;
    int clientMaxWindowBits = 15;
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int compressionLevel = Z_DEFAULT_COMPRESSION;
    int memLevel = 8;
    qsizetype compressionThreshold = 64;
};

ResolvedDeflateOptions resolveDeflateOptions(const PerMessageDeflateOptions &options, Role role);

// zlib cannot compress a raw stream with an 8-bit window (zlib 1.2.9+ deflateInit2 returns
// Z_STREAM_ERROR), so this side's own compressor never uses fewer than 9 bits.
inline constexpr int MinCompressorWindowBits = 9;

} // namespace qtws
