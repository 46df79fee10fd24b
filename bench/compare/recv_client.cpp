// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// recv_client: the client under test in the client-receive mode (bench/compare/README.md).
// Connects to a flooding server (ws_loadgen flood), counts the binary messages it delivers after
// a warm-up, and prints one JSON object.
//   recv_client --api qtws|blocking|qt --port P [--size 16] [--warmup 0.5] [--duration 3]
// qtws: qtws::WebSocket and its signal; blocking: qtws::open() and receive() on this thread;
// qt: QWebSocket (built only with QtWebSockets).

#include <QtWs/blocking.h>
#include <QtWs/websocket.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QStringList>
#include <QtCore/QTimer>
#ifdef QTWS_BENCH_HAVE_QTWEBSOCKETS
#include <QtWebSockets/QWebSocket>
#endif

#include <cstdio>

namespace {

struct Counter
{
    double warmup = 0.5;
    double duration = 3;
    qint64 size = 16;
    QElapsedTimer clock;
    qint64 measuredFrom = -1; // ns
    qint64 messages = 0;
    bool wrongSize = false;

    // Counts one message; true once the measurement is over.
    bool count(qsizetype bytes)
    {
        if (bytes != size)
            wrongSize = true;
        if (!clock.isValid())
            clock.start();
        const qint64 now = clock.nsecsElapsed();
        if (measuredFrom < 0) {
            if (now < qint64(warmup * 1e9))
                return false;
            measuredFrom = now;
        }
        ++messages;
        return now - measuredFrom >= qint64(duration * 1e9);
    }
    int report(const char *api) const
    {
        const double seconds = double(clock.nsecsElapsed() - measuredFrom) / 1e9;
        if (wrongSize || messages == 0) {
            std::printf("{\"error\": \"%s: %s\"}\n", api,
                wrongSize ? "a message of the wrong size" : "no message");
            return 1;
        }
        std::printf("{\"mode\": \"receive\", \"api\": \"%s\", \"messages\": %lld, \"seconds\": "
                    "%.3f, \"msgs_per_s\": %.1f}\n",
            api, messages, seconds, double(messages) / seconds);
        return 0;
    }
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    auto value = [&args](const char *name, const QString &fallback) {
        const qsizetype at = args.indexOf(QLatin1String(name));
        return at >= 0 && at + 1 < args.size() ? args.at(at + 1) : fallback;
    };
    const QString api = value("--api", QStringLiteral("qtws"));
    const QUrl url(QStringLiteral("ws://127.0.0.1:%1/").arg(value("--port", QStringLiteral("0"))));
    Counter counter;
    counter.size = value("--size", QStringLiteral("16")).toLongLong();
    counter.warmup = value("--warmup", QStringLiteral("0.5")).toDouble();
    counter.duration = value("--duration", QStringLiteral("3")).toDouble();
    const QByteArray apiName = api.toUtf8();
    // Bounded: whatever happens, the client ends.
    QTimer::singleShot(int((counter.warmup + counter.duration) * 1000) + 15000, &app, [&] {
        std::printf("{\"error\": \"%s: timed out\"}\n", apiName.constData());
        std::fflush(stdout);
        std::_Exit(1);
    });

    if (api == QLatin1String("blocking")) {
        try {
            qtws::BlockingWebSocket ws = qtws::open(url);
            for (;;) {
                const qtws::Message message = ws.receive();
                if (counter.count(message.isBinary() ? qsizetype(message.memorySize()) : -1))
                    break;
            }
            const int rc = counter.report("blocking");
            std::fflush(stdout);
            std::_Exit(rc); // no close handshake: the flooder does not answer one
        } catch (const qtws::WebSocketError &error) {
            std::printf("{\"error\": \"blocking: %s\"}\n", qPrintable(error.reason()));
            return 1;
        }
    }
    if (api == QLatin1String("qtws")) {
        qtws::WebSocket ws;
        QObject::connect(
            &ws, &qtws::WebSocket::binaryMessageReceived, &ws, [&](const QByteArray &message) {
                if (counter.count(message.size())) {
                    const int rc = counter.report("qtws");
                    std::fflush(stdout);
                    std::_Exit(rc);
                }
            });
        QObject::connect(&ws, &qtws::WebSocket::closed, &app, [] {
            std::printf("{\"error\": \"qtws: closed before the end\"}\n");
            std::fflush(stdout);
            std::_Exit(1);
        });
        ws.open(url);
        return app.exec();
    }
#ifdef QTWS_BENCH_HAVE_QTWEBSOCKETS
    if (api == QLatin1String("qt")) {
        QWebSocket ws;
        QObject::connect(
            &ws, &QWebSocket::binaryMessageReceived, &ws, [&](const QByteArray &message) {
                if (counter.count(message.size())) {
                    const int rc = counter.report("qt");
                    std::fflush(stdout);
                    std::_Exit(rc);
                }
            });
        QObject::connect(&ws, &QWebSocket::disconnected, &app, [] {
            std::printf("{\"error\": \"qt: closed before the end\"}\n");
            std::fflush(stdout);
            std::_Exit(1);
        });
        ws.open(url);
        return app.exec();
    }
#endif
    std::printf("{\"error\": \"unknown --api\"}\n");
    return 2;
}
