// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// libFuzzer target for qtws::Conn, both roles. Input layout:
//   byte 0: bit 0 role (0 server, 1 client); bits 1–3 chunking (0 whole, 1 one byte at a time,
//           2–6 fixed chunks of 2..6 bytes, 7 pseudo-random sizes); bit 4 deliverFrames;
//           bit 5 small limits (so 1009 paths are reached); bit 6 deliverMessages off;
//           bit 7 the application also sends (text, fragments, ping, close) between chunks.
//   rest:   bytes from the "peer".
// Contract checked after every input (a violation traps, which libFuzzer reports):
//   - every Failure carries a sendable close code (RFC 6455 §7.4.1) and a reason ≤ 123 bytes;
//     every Close carries 1005 or a sendable code;
//   - at most one Failure, and nothing but nothing after it;
//   - the bytes the codec produced parse back, in a fresh Conn of the other role, as valid
//     frames: no Failure there.

#include "conncontract.h"

#include <QtWs/conn.h>

#include <QtCore/QByteArray>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t control = data[0];
    const qtws::Role role = (control & 1) ? qtws::Role::Client : qtws::Role::Server;
    const int chunking = (control >> 1) & 7;

    qtws::Conn::Options options;
    options.deliverFrames = control & 0x10;
    options.deliverMessages = !(control & 0x40);
    if (control & 0x20)
        options.limits
            = qtws::Limits{.maxFrameSize = 300, .maxMessageSize = 700, .maxFragments = 5};
    qtws::Conn conn(role, options);

    const char *input = reinterpret_cast<const char *>(data + 1);
    const qsizetype length = qsizetype(size - 1);
    QByteArray produced;
    int failures = 0;
    uint32_t rng = 0x9e3779b9u ^ uint32_t(size);
    int step = 0;
    for (qsizetype offset = 0; offset < length;) {
        const qsizetype chunk = qtws::fuzz::nextChunkSize(chunking, rng, length - offset);
        conn.receive(QByteArrayView(input + offset, chunk));
        offset += chunk;
        qtws::fuzz::drainAndCheck(conn, failures, options.limits.maxMessageSize);
        if (control & 0x80) {
            // The application keeps talking; misuse must be refused, never break the output.
            switch (step++ % 5) {
            case 0: conn.sendText("fuzz"); break;
            case 1: conn.sendFragment(qtws::MessageType::Binary, "ab", qtws::Fin::More); break;
            case 2: conn.ping("p"); break;
            case 3: conn.sendFragment(qtws::MessageType::Binary, "cd", qtws::Fin::Last); break;
            case 4:
                if (offset > length / 2)
                    conn.close(qtws::CloseCode::GoingAway, "bye");
                break;
            }
        }
        produced += conn.takeOutgoing();
    }
    qtws::fuzz::drainAndCheck(conn, failures, options.limits.maxMessageSize);
    qtws::fuzz::check(failures <= 1);
    qtws::fuzz::check(failures == 0 || conn.failed());
    produced += conn.takeOutgoing();

    // What this codec wrote must be valid for the other side.
    qtws::Conn::Options peerOptions;
    peerOptions.limits
        = qtws::Limits{.maxFrameSize = 1 << 20, .maxMessageSize = 1 << 20, .maxFragments = 1 << 20};
    qtws::Conn peer(
        role == qtws::Role::Client ? qtws::Role::Server : qtws::Role::Client, peerOptions);
    peer.receive(produced);
    while (std::optional<qtws::Event> event = peer.nextEvent())
        qtws::fuzz::check(event->type != qtws::Event::Type::Failure);
    return 0;
}
