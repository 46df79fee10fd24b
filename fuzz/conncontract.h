// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once
// What every Conn fuzz target checks, and how it splits its input (fuzz_conn, fuzz_conn_deflate).

#include <QtWs/conn.h>

#include <QtCore/QStringDecoder>

#include <algorithm>
#include <cstdint>

namespace qtws::fuzz {

// A violated contract traps, which libFuzzer reports with the input.
inline void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

// Pulls every event and checks the codec's contract: at most one Failure and nothing after it;
// a Failure carries a sendable close code (RFC 6455 §7.4.1) and a reason of at most 123 bytes;
// a Close carries 1005 or a sendable code; text is valid UTF-8 by Qt's own strict decoder;
// no message is larger than maxMessage.
inline void drainAndCheck(Conn &conn, int &failures, qint64 maxMessage)
{
    while (std::optional<Event> event = conn.nextEvent()) {
        check(failures == 0);
        switch (event->type) {
        case Event::Type::Failure:
            ++failures;
            check(isSendableCloseCode(event->closeCode));
            check(!event->reason.isEmpty());
            check(event->reason.toUtf8().size() <= 123);
            break;
        case Event::Type::Close:
            check(event->closeCode == 1005 || isSendableCloseCode(event->closeCode));
            break;
        case Event::Type::TextMessage: {
            check(event->payload.size() <= maxMessage);
            QStringDecoder decoder(QStringDecoder::Utf8,
                QStringDecoder::Flag::Stateless | QStringDecoder::Flag::ConvertInitialBom);
            const QString text = decoder(event->payload);
            check(!decoder.hasError());
        } break;
        case Event::Type::BinaryMessage: check(event->payload.size() <= maxMessage); break;
        default: break;
        }
    }
}

// The size of the next chunk: the whole rest (0), one byte (1), fixed 2..6 bytes (2–6), or
// pseudo-random 1..40 bytes (7, deterministic per input through rng).
inline qsizetype nextChunkSize(int chunking, uint32_t &rng, qsizetype left)
{
    qsizetype chunk = left;
    if (chunking == 1) {
        chunk = 1;
    } else if (chunking >= 2 && chunking <= 6) {
        chunk = chunking;
    } else if (chunking == 7) {
        rng = rng * 1664525u + 1013904223u;
        chunk = 1 + qsizetype((rng >> 16) % 40);
    }
    return std::min(chunk, left);
}

} // namespace qtws::fuzz
