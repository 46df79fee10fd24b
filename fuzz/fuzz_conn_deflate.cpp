// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// libFuzzer target for qtws::Conn with permessage-deflate negotiated (RFC 7692): compressed
// frames, RSV1 rules, inflate limits. Input layout:
//   byte 0: bit 0 role (0 server, 1 client); bits 1–3 chunking (0 whole, 1 one byte at a time,
//           2–6 fixed chunks of 2..6 bytes, 7 pseudo-random sizes); bit 4 deliverFrames;
//           bit 5 small limits (so 1009 paths are reached, also while inflating); bit 6 the
//           application also sends (text, binary, an opted-out message, fragments, ping,
//           close) between chunks; bit 7 deliverMessages off.
//   byte 1: bits 0–2 server window 8 + n, bits 3–5 client window 8 + n (8 + 7 = 15),
//           bit 6 server_no_context_takeover, bit 7 client_no_context_takeover.
//   rest:   bytes from the "peer".
// Contract checked after every input (a violation traps, which libFuzzer reports), as in
// fuzz_conn.cpp:
//   - every Failure carries a sendable close code (RFC 6455 §7.4.1) and a reason ≤ 123 bytes;
//     every Close carries 1005 or a sendable code;
//   - at most one Failure, and nothing after it; text messages are valid UTF-8 (Qt agrees);
//   - no message exceeds maxMessageSize once inflated;
//   - the bytes the codec produced (compressed messages included) parse back, in a fresh Conn
//     of the other role with the same negotiated extension, without a Failure.

#include "conncontract.h"

#include <QtWs/conn.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QByteArray>

#include <cstddef>
#include <cstdint>

namespace {

std::unique_ptr<qtws::PerMessageDeflate> extensionFor(
    qtws::Role role, const qtws::PerMessageDeflateParams &params)
{
    qtws::PerMessageDeflateOptions tuning;
    tuning.compressionThreshold = 0; // compress even "fuzz"
    return std::make_unique<qtws::PerMessageDeflate>(role, params, tuning);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const uint8_t control = data[0];
    const uint8_t negotiated = data[1];
    const qtws::Role role = (control & 1) ? qtws::Role::Client : qtws::Role::Server;
    const int chunking = (control >> 1) & 7;

    qtws::PerMessageDeflateParams params;
    params.serverMaxWindowBits = 8 + (negotiated & 7);
    params.clientMaxWindowBits = 8 + ((negotiated >> 3) & 7);
    params.serverNoContextTakeover = negotiated & 0x40;
    params.clientNoContextTakeover = negotiated & 0x80;

    qtws::Conn::Options options;
    options.deliverFrames = control & 0x10;
    options.deliverMessages = !(control & 0x80);
    if (control & 0x20)
        options.limits
            = qtws::Limits{.maxFrameSize = 300, .maxMessageSize = 700, .maxFragments = 5};
    qtws::Conn conn(role, options);
    conn.setExtension(extensionFor(role, params));
    auto *deflate = static_cast<qtws::PerMessageDeflate *>(conn.extension());
    const qint64 maxMessage = options.limits.maxMessageSize;

    const char *input = reinterpret_cast<const char *>(data + 2);
    const qsizetype length = qsizetype(size - 2);
    QByteArray produced;
    int failures = 0;
    uint32_t rng = 0x9e3779b9u ^ uint32_t(size);
    int step = 0;
    for (qsizetype offset = 0; offset < length;) {
        const qsizetype chunk = qtws::fuzz::nextChunkSize(chunking, rng, length - offset);
        conn.receive(QByteArrayView(input + offset, chunk));
        offset += chunk;
        qtws::fuzz::drainAndCheck(conn, failures, maxMessage);
        if (control & 0x40) {
            // The application keeps talking: compressed messages go out between the peer's.
            switch (step++ % 7) {
            case 0: conn.sendText("fuzz fuzz fuzz"); break;
            case 1: conn.sendBinary(QByteArray(200, 'b')); break;
            case 2:
                deflate->skipCompressionForNextMessage();
                conn.sendText("plain");
                break;
            case 3: conn.sendFragment(qtws::MessageType::Binary, "ab", qtws::Fin::More); break;
            case 4: conn.ping("p"); break;
            case 5: conn.sendFragment(qtws::MessageType::Binary, "cd", qtws::Fin::Last); break;
            case 6:
                if (offset > length / 2)
                    conn.close(qtws::CloseCode::GoingAway, "bye");
                break;
            }
        }
        produced += conn.takeOutgoing();
    }
    qtws::fuzz::drainAndCheck(conn, failures, maxMessage);
    qtws::fuzz::check(failures <= 1);
    qtws::fuzz::check(failures == 0 || conn.failed());
    produced += conn.takeOutgoing();

    // What this codec wrote, compressed or not, must be valid for the other side.
    qtws::Conn::Options peerOptions;
    peerOptions.limits
        = qtws::Limits{.maxFrameSize = 1 << 20, .maxMessageSize = 1 << 20, .maxFragments = 1 << 20};
    const qtws::Role peerRole
        = role == qtws::Role::Client ? qtws::Role::Server : qtws::Role::Client;
    qtws::Conn peer(peerRole, peerOptions);
    peer.setExtension(extensionFor(peerRole, params));
    peer.receive(produced);
    while (std::optional<qtws::Event> event = peer.nextEvent())
        qtws::fuzz::check(event->type != qtws::Event::Type::Failure);
    return 0;
}
