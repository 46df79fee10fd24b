// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate (RFC 7692) echo: client encode → server decode → server encode → client
// decode through a Conn pair, for a deterministic JSON corpus (chat and telemetry messages of
// ~1 KiB and ~16 KiB), compressed with several settings against uncompressed.
// Counters: wire_bytes/msg (both directions, frame headers included) and ratio (payload bytes
// / wire bytes). Run: cmake --build --preset release --target bench_permessagedeflate &&
// build/release/bench/bench_permessagedeflate  (results: docs/permessage-deflate.md)

#include <QtWs/conn.h>
#include <QtWs/permessagedeflate.h>

#include <benchmark/benchmark.h>

#include <vector>

namespace {

// A small deterministic generator, so every run (and machine) sees the same corpus.
struct Lcg
{
    quint32 state;
    quint32 next()
    {
        state = state * 1664525u + 1013904223u;
        return state >> 8;
    }
    int below(int n) { return int(next() % quint32(n)); }
};

const char *const Words[] = {"hello", "world", "meeting", "tomorrow", "deploy", "build", "failed",
    "passed", "coffee", "lunch", "the", "a", "is", "at", "review", "merge", "branch", "please",
    "thanks", "ok", "server", "latency", "release", "ticket", "customer", "update"};
const char *const Users[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};

QByteArray chatEntry(Lcg &rng, int seq)
{
    QByteArray text;
    for (int w = 0, n = 4 + rng.below(12); w < n; ++w)
        text += QByteArray(w ? " " : "") + Words[rng.below(int(std::size(Words)))];
    return "{\"type\":\"chat.message\",\"id\":\"" + QByteArray::number(0x5f3a0000 + seq, 16)
        + "\",\"room\":\"#team-" + QByteArray::number(rng.below(5)) + "\",\"user\":{\"name\":\""
        + Users[rng.below(8)] + "\",\"online\":" + (rng.below(2) ? "true" : "false")
        + "},\"ts\":" + QByteArray::number(1760000000000LL + seq * 1379LL + rng.below(999))
        + ",\"text\":\"" + text + "\"}";
}

QByteArray telemetryEntry(Lcg &rng, int seq)
{
    return "{\"sensor\":\"plant-" + QByteArray::number(rng.below(4)) + "/line-"
        + QByteArray::number(rng.below(12))
        + "/temp\",\"ts\":" + QByteArray::number(1760000000000LL + seq * 250LL)
        + ",\"value\":" + QByteArray::number(18.0 + rng.below(20000) / 1000.0, 'f', 3)
        + ",\"unit\":\"C\",\"status\":\"" + (rng.below(50) ? "ok" : "warn") + "\"}";
}

// 64 messages of about targetSize bytes: a JSON array of chat or telemetry entries.
std::vector<QByteArray> corpus(qsizetype targetSize)
{
    std::vector<QByteArray> messages;
    Lcg rng{0x1234567u + quint32(targetSize)};
    int seq = 0;
    for (int m = 0; m < 64; ++m) {
        const bool chat = m % 2 == 0;
        QByteArray out
            = chat ? "{\"batch\":\"chat\",\"items\":[" : "{\"batch\":\"telemetry\",\"items\":[";
        bool first = true;
        while (out.size() < targetSize - 2) {
            const QByteArray entry = chat ? chatEntry(rng, seq++) : telemetryEntry(rng, seq++);
            if (!first && out.size() + entry.size() + 3 > targetSize)
                break;
            out += (first ? "" : ",") + entry;
            first = false;
        }
        messages.push_back(out + "]}");
    }
    return messages;
}

enum class Setup { Plain, Defaults, NoContextTakeover, ZlibDefaults, Level1 };

struct Pair
{
    qtws::Conn client{qtws::Role::Client};
    qtws::Conn server{qtws::Role::Server};
};

std::unique_ptr<Pair> makePair(Setup setup)
{
    auto pair = std::make_unique<Pair>();
    if (setup == Setup::Plain)
        return pair;
    qtws::PerMessageDeflateOptions client;
    qtws::PerMessageDeflateOptions server;
    switch (setup) {
    case Setup::NoContextTakeover:
        server.serverNoContextTakeover = server.clientNoContextTakeover = true;
        break;
    case Setup::ZlibDefaults:
        server.serverMaxWindowBits = server.clientMaxWindowBits = 15;
        server.memLevel = 8;
        break;
    case Setup::Level1: client.compressionLevel = server.compressionLevel = 1; break;
    default: break;
    }
    const QByteArray offer = qtws::PerMessageDeflate::makeOffer(client);
    qtws::PerMessageDeflate::ServerResult accepted = qtws::PerMessageDeflate::negotiateAsServer(
        qtws::handshake::parseExtensions({offer}).extensions, server);
    qtws::PerMessageDeflate::ClientResult agreed
        = qtws::PerMessageDeflate::acceptAsClient({*accepted.response}, client);
    pair->server.setExtension(std::move(accepted.extension));
    pair->client.setExtension(std::move(agreed.extension));
    return pair;
}

void echo(benchmark::State &state, Setup setup)
{
    const std::vector<QByteArray> messages = corpus(state.range(0));
    std::unique_ptr<Pair> pair = makePair(setup);
    qint64 payloadBytes = 0;
    qint64 wireBytes = 0;
    size_t index = 0;
    for (auto _ : state) {
        const QByteArray &message = messages[index++ % messages.size()];
        pair->client.sendText(message);
        QByteArray wire = pair->client.takeOutgoing();
        wireBytes += wire.size();
        pair->server.receive(wire);
        std::optional<qtws::Event> received = pair->server.nextEvent();
        if (!received || received->payload.size() != message.size()) {
            state.SkipWithError("the server did not get the message");
            break;
        }
        pair->server.sendText(received->payload);
        wire = pair->server.takeOutgoing();
        wireBytes += wire.size();
        pair->client.receive(wire);
        std::optional<qtws::Event> echoed = pair->client.nextEvent();
        if (!echoed || echoed->payload.size() != message.size()) {
            state.SkipWithError("the client did not get the echo");
            break;
        }
        benchmark::DoNotOptimize(echoed);
        payloadBytes += 2 * message.size();
    }
    state.SetItemsProcessed(state.iterations()); // echoes
    state.SetBytesProcessed(payloadBytes);
    state.counters["wire_bytes/msg"]
        = state.iterations() ? double(wireBytes) / double(2 * state.iterations()) : 0.0;
    state.counters["ratio"] = wireBytes ? double(payloadBytes) / double(wireBytes) : 0.0;
}

void BM_EchoPlain(benchmark::State &state)
{
    echo(state, Setup::Plain);
}
void BM_EchoDeflateDefaults(benchmark::State &state)
{
    echo(state, Setup::Defaults);
}
void BM_EchoDeflateNoContextTakeover(benchmark::State &state)
{
    echo(state, Setup::NoContextTakeover);
}
void BM_EchoDeflateZlibDefaults(benchmark::State &state)
{
    echo(state, Setup::ZlibDefaults);
}
void BM_EchoDeflateLevel1(benchmark::State &state)
{
    echo(state, Setup::Level1);
}

} // namespace

BENCHMARK(BM_EchoPlain)->Arg(1024)->Arg(16384);
BENCHMARK(BM_EchoDeflateDefaults)->Arg(1024)->Arg(16384);
BENCHMARK(BM_EchoDeflateNoContextTakeover)->Arg(1024)->Arg(16384);
BENCHMARK(BM_EchoDeflateZlibDefaults)->Arg(1024)->Arg(16384);
BENCHMARK(BM_EchoDeflateLevel1)->Arg(1024)->Arg(16384);

BENCHMARK_MAIN();
