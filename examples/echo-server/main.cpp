// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// echo-server: a WebSocket echo server on qtws::Server.
//   echo-server [--host 127.0.0.1] [--port 0] [--max-message 67108864] [--workers 1]
// Prints "listening on PORT" once bound; runs until SIGINT or SIGTERM, then closes every
// connection gracefully (1001); a second signal drops them at once.

#include "echo.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

// Async-signal-safe: only write(2). The event loop reads the pipe and does the rest.
extern "C" void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
}

bool installSignalHandlers()
{
    if (::pipe(signalPipe) != 0)
        return false;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0
        && ::sigaction(SIGTERM, &action, nullptr) == 0;
}

// Each connection is a file descriptor: allow as many as the hard limit does (maxConnections
// defaults to 10,000; a common soft limit is 1024).
void raiseFileLimit()
{
    rlimit limit = {};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("echo-server"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("WebSocket echo server: text back as text, binary as binary."));
    parser.addHelpOption();
    const QCommandLineOption hostOption(QStringLiteral("host"),
        QStringLiteral("Address to listen on (default 127.0.0.1)."), QStringLiteral("address"),
        QStringLiteral("127.0.0.1"));
    const QCommandLineOption portOption(QStringLiteral("port"),
        QStringLiteral("TCP port; 0 picks a free one (default 0)."), QStringLiteral("port"),
        QStringLiteral("0"));
    const QCommandLineOption maxMessageOption(QStringLiteral("max-message"),
        QStringLiteral("Largest message and frame in bytes (default 64 MiB)."),
        QStringLiteral("bytes"), QString::number(echo::defaultMaxMessage));
    const QCommandLineOption workersOption(QStringLiteral("workers"),
        QStringLiteral("Worker threads serving connections; 0 = one per core (default 1)."),
        QStringLiteral("count"), QStringLiteral("1"));
    parser.addOptions({hostOption, portOption, maxMessageOption, workersOption});
    parser.process(app);

    const QHostAddress host(parser.value(hostOption));
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    bool maxOk = false;
    const qint64 maxMessage = parser.value(maxMessageOption).toLongLong(&maxOk);
    bool workersOk = false;
    const int workers = parser.value(workersOption).toInt(&workersOk);
    if (host.isNull() || !portOk || port > 65535 || !maxOk || maxMessage <= 0 || !workersOk
        || workers < 0 || workers > 256) {
        std::fprintf(stderr, "echo-server: invalid --host, --port, --max-message or --workers\n");
        return 2;
    }
    raiseFileLimit();

    if (!installSignalHandlers()) {
        std::perror("echo-server: signal handlers");
        return 1;
    }

    qtws::ServerOptions options = echo::options(host, quint16(port), maxMessage);
    options.workerThreads = workers;
    // The handler only connects the new WebSocket's own signals: safe on every worker thread.
    qtws::Server server(echo::handleConnection, options);
    if (!server.listen()) {
        std::fprintf(stderr, "echo-server: %s\n", qPrintable(server.errorString()));
        return 1;
    }

    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &server, [&server] {
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(signalPipe[0], &byte, 1);
        // First signal: graceful close (1001 to every client, bounded by the close timeout);
        // a second one while that is going on: drop everything now.
        if (server.isListening())
            server.close();
        else
            server.forceClose();
    });
    QObject::connect(&server, &qtws::Server::closed, &app, &QCoreApplication::quit);

    std::printf("listening on %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
