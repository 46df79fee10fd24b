// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// The Inspector's message log (examples/inspector/logmodel.h): messages per second through
// LogModel::append() and the batched flush, at the log cap (every append then also drops the
// oldest row), alone and with the view's LogFilterModel on top (filtering each batch, with and
// without a search); and the cost of a row's preview (pretty JSON, hex dump), which the view
// pays for each row it shows. Run: ./run.sh bench  (results: docs/benchmarks.md)

#include "logfiltermodel.h"
#include "logmodel.h"

#include <QtCore/QCoreApplication>

#include <benchmark/benchmark.h>

using inspector::LogEntry;
using inspector::LogModel;

namespace {

// One batch per iteration: state.range(0) messages appended, then one flush, as the 50 ms
// timer does under a flood. The log is already full, so each batch also drops as many rows.
void appendAndFlush(benchmark::State &state, bool filtered, const QString &search)
{
    LogModel log;
    inspector::LogFilterModel filter;
    if (filtered) {
        filter.setLog(&log);
        filter.setSearchText(search);
    }
    const QByteArray payload = R"({"type":"tick","seq":123456,"price":101.25})";
    const auto fill = [&](qint64 count) {
        for (qint64 i = 0; i < count; ++i)
            log.append({.kind = LogEntry::Kind::Text, .size = payload.size(), .payload = payload});
        log.flush();
    };
    fill(log.maxEntries());
    for (auto _ : state)
        fill(state.range(0));
    state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_LogModel_AppendFlush(benchmark::State &state)
{
    appendAndFlush(state, false, {});
}
BENCHMARK(BM_LogModel_AppendFlush)->Arg(1000)->Arg(10000);

void BM_LogModel_AppendFlush_Filtered(benchmark::State &state)
{
    appendAndFlush(state, true, {});
}
BENCHMARK(BM_LogModel_AppendFlush_Filtered)->Arg(1000)->Arg(10000);

void BM_LogModel_AppendFlush_Searched(benchmark::State &state)
{
    appendAndFlush(state, true, QStringLiteral("PRICE"));
}
BENCHMARK(BM_LogModel_AppendFlush_Searched)->Arg(1000)->Arg(10000);

void preview(benchmark::State &state, LogEntry::Kind kind, const QByteArray &payload)
{
    const LogEntry entry{.kind = kind, .size = payload.size(), .payload = payload};
    for (auto _ : state)
        benchmark::DoNotOptimize(LogModel::preview(entry));
    state.SetItemsProcessed(state.iterations());
}

void BM_Preview_Json(benchmark::State &state)
{
    preview(state, LogEntry::Kind::Text,
        R"({"op":"subscribe","channels":["ticker","trades"],"depth":20,"id":"c81e728d"})");
}
BENCHMARK(BM_Preview_Json);

void BM_Preview_Binary(benchmark::State &state)
{
    preview(state, LogEntry::Kind::Binary, QByteArray(1024, '\x5a'));
}
BENCHMARK(BM_Preview_Binary);

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv); // LogModel's flush timer wants an event dispatcher
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
