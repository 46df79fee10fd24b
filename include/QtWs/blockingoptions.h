// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

namespace qtws {

// How much a BlockingWebSocket buffers for receive() (the blocking API's third argument to
// qtws::open, after the url and the ClientOptions). An aggregate: use designated initialisers.
//
// Received messages wait in a queue until receive() takes them. When the queue reaches either
// limit, the I/O thread stops reading the socket (WebSocket::setReadPaused), so a peer faster
// than the consumer is slowed down by TCP flow control instead of growing this process's memory;
// reading resumes once receive() has taken the queue down to half of both limits. While paused,
// pings that were not read yet are not answered (they wait in the socket like everything else).
struct BlockingOptions
{
    // Most messages held at once; never exceeded. Default 1024. Must be at least 1.
    qsizetype maxBufferedMessages = 1024;
    // Bytes of held messages (Message::memorySize(): UTF-16 for text) at which reading pauses.
    // The queue may exceed it by one message, since a message is only counted once it is
    // complete (its size is bounded by ClientOptions::limits.maxMessageSize). Default 16 MiB.
    // Must be at least 1.
    qint64 maxBufferedBytes = 16 * 1024 * 1024;
};

} // namespace qtws
