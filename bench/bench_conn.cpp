// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// Codec throughput: decode (parse + unmask + UTF-8 validation + message assembly) and encode
// (header + masking) of single-frame messages, 16 B to 1 MiB, text and binary.
// Goals (issue 3, on the project's 2-core machine): ≥ 2 GB/s decoding 64 KiB masked ASCII text;
// a 16-byte message decoded in < 50 ns. Run: ./run.sh bench  (results: docs/benchmarks.md)

#include <QtWs/conn.h>

#include <benchmark/benchmark.h>

namespace {

QByteArray payloadOf(qsizetype size, bool text)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = text ? char('a' + i % 26) : char(i * 131 + 7);
    return payload;
}

// A server decodes masked frames from a client: the hot direction for a server.
void decode(benchmark::State &state, bool text)
{
    const QByteArray payload = payloadOf(state.range(0), text);
    qtws::Conn::Options big;
    big.limits.maxFrameSize = big.limits.maxMessageSize = 64 << 20;
    qtws::Conn client(qtws::Role::Client, big);
    text ? client.sendText(payload) : client.sendBinary(payload);
    const QByteArray wire = client.takeOutgoing();

    qtws::Conn server(qtws::Role::Server, big);
    for (auto _ : state) {
        server.receive(wire);
        std::optional<qtws::Event> event = server.nextEvent();
        benchmark::DoNotOptimize(event);
        if (!event || event->payload.size() != payload.size()) {
            state.SkipWithError("decode produced no message");
            break;
        }
    }
    state.SetBytesProcessed(state.iterations() * payload.size());
    state.SetItemsProcessed(state.iterations());
}

void encode(benchmark::State &state, qtws::Role role, bool text)
{
    const QByteArray payload = payloadOf(state.range(0), text);
    qtws::Conn conn(role);
    for (auto _ : state) {
        text ? conn.sendText(payload) : conn.sendBinary(payload);
        QByteArray wire = conn.takeOutgoing();
        benchmark::DoNotOptimize(wire);
    }
    state.SetBytesProcessed(state.iterations() * payload.size());
    state.SetItemsProcessed(state.iterations());
}

void BM_DecodeMaskedText(benchmark::State &state)
{
    decode(state, true);
}
void BM_DecodeMaskedBinary(benchmark::State &state)
{
    decode(state, false);
}
void BM_EncodeClientText(benchmark::State &state)
{
    encode(state, qtws::Role::Client, true);
}
void BM_EncodeClientBinary(benchmark::State &state)
{
    encode(state, qtws::Role::Client, false);
}
void BM_EncodeServerText(benchmark::State &state)
{
    encode(state, qtws::Role::Server, true);
}
void BM_EncodeServerBinary(benchmark::State &state)
{
    encode(state, qtws::Role::Server, false);
}

} // namespace

#define QTWS_SIZES ->Arg(16)->Arg(1 << 10)->Arg(64 << 10)->Arg(1 << 20)
BENCHMARK(BM_DecodeMaskedText) QTWS_SIZES;
BENCHMARK(BM_DecodeMaskedBinary) QTWS_SIZES;
BENCHMARK(BM_EncodeClientText) QTWS_SIZES;
BENCHMARK(BM_EncodeClientBinary) QTWS_SIZES;
BENCHMARK(BM_EncodeServerText) QTWS_SIZES;
BENCHMARK(BM_EncodeServerBinary) QTWS_SIZES;

BENCHMARK_MAIN();
