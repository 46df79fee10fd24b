// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

namespace qtws {

// Bounds on what a peer can make this endpoint hold. Every default is chosen so that a hostile
// peer cannot make one connection hold more than a few tens of MiB, while the messages ordinary
// applications exchange (JSON, chat, telemetry, file chunks) pass. 0 is not "unlimited": raise
// a limit explicitly if an application needs bigger messages, or stream them as frames.
struct Limits
{
    // Largest payload of one incoming frame, in bytes. A frame whose header announces more fails
    // the connection with 1009 before any of its payload is buffered. Default 16 MiB (the value
    // HTTP.jl, Beast and python-websockets' order of magnitude agree on).
    qint64 maxFrameSize = 16 * 1024 * 1024;
    // Largest incoming message (the sum of its frames' payloads, after decompression), in bytes.
    // Over it → 1009. Default 16 MiB, so an assembled message never exceeds one maximal frame.
    qint64 maxMessageSize = 16 * 1024 * 1024;
    // Most frames in one incoming message. Over it → 1009. A fragment costs the codec a little
    // work beyond its payload bytes, which the peer pays for in header bytes anyway, so this
    // bound is only against a message that never ends or never grows: empty or one-byte frames
    // would otherwise keep a message open for ever without nearing maxMessageSize. Default
    // 65,536: a message of the default 16 MiB passes in fragments down to 256 bytes (browsers
    // and proxies fragment at 4–16 KiB; 16 MiB in 1 KiB fragments is 16,384 frames), while an
    // endless stream of empty continuations fails after 64 Ki frames (≥ 128 KiB of headers
    // from a server, ≥ 384 KiB from a masking client).
    int maxFragments = 65536;

    friend bool operator==(const Limits &, const Limits &) = default;
};

} // namespace qtws
