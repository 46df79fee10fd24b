// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// chat: a chat room in the browser. One port serves the page and the /ws WebSocket route.
//   chat [--host 127.0.0.1] [--port 0]
// Prints "listening on PORT" and the page's URL once bound, then runs until SIGINT or SIGTERM,
// when every client is closed with 1001 (Going Away); a second signal quits at once.

#include "chatserver.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

int signalPipe[2] = {-1, -1};

// Only write(2) here (async-signal-safe); the event loop reads the pipe and does the rest.
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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"chat"_s);
    // The library's debug lines (each refused handshake, ...) are for its developers; warnings
    // stay on. QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(u"qtws.*.debug=false"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"A chat room: open the printed URL in a few browser tabs."_s);
    parser.addHelpOption();
    const QCommandLineOption hostOption(
        u"host"_s, u"Address to listen on (default 127.0.0.1)."_s, u"address"_s, u"127.0.0.1"_s);
    const QCommandLineOption portOption(
        u"port"_s, u"TCP port; 0 picks a free one (default 0)."_s, u"port"_s, u"0"_s);
    parser.addOptions({hostOption, portOption});
    if (!parser.parse(app.arguments())) {
        std::fprintf(stderr, "chat: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(u"help"_s)) {
        std::fputs(qPrintable(parser.helpText()), stdout);
        return 0;
    }

    const QHostAddress host(parser.value(hostOption));
    bool portOk = false;
    const uint port = parser.value(portOption).toUInt(&portOk);
    if (host.isNull() || !portOk || port > 65535) {
        std::fprintf(stderr, "chat: invalid --host or --port\n");
        return 2;
    }
    if (!installSignalHandlers()) {
        std::perror("chat: signal handlers");
        return 1;
    }

    chat::ChatServer server(host, quint16(port));
    if (!server.listen()) {
        std::fprintf(stderr, "chat: %s\n", qPrintable(server.errorString()));
        return 1;
    }

    QSocketNotifier signalNotifier(signalPipe[0], QSocketNotifier::Read);
    bool stopping = false;
    QObject::connect(&signalNotifier, &QSocketNotifier::activated, &server, [&] {
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(signalPipe[0], &byte, 1);
        if (stopping) {
            QCoreApplication::exit(0);
            return;
        }
        stopping = true;
        server.shutdown();
    });
    QObject::connect(&server, &chat::ChatServer::finished, &app, &QCoreApplication::quit);

    std::printf("listening on %u\n%s\n", unsigned(server.serverPort()),
        qPrintable(server.pageUrl().toString()));
    std::fflush(stdout);
    return app.exec();
}
