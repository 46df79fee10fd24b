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
    // Most frames in one incoming message. Over it → 1009. Default 1024: a peer sending a
    // message one byte per frame cannot make the codec do per-frame work without bound.
    int maxFragments = 1024;

    friend bool operator==(const Limits &, const Limits &) = default;
};

} // namespace qtws
