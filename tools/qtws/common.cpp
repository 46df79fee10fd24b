// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "common.h"

#include <QtCore/QCommandLineParser>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cli {

void printError(const QString &text)
{
    std::fprintf(stderr, "qtws: %s\n", qUtf8Printable(text));
    std::fflush(stderr);
}

void printWarning(const QString &text)
{
    std::fprintf(stderr, "qtws: warning: %s\n", qUtf8Printable(text));
    std::fflush(stderr);
}

int usageError(const QString &command, const QString &text)
{
    std::fprintf(stderr, "qtws %s: %s\nTry 'qtws %s --help'.\n", qUtf8Printable(command),
        qUtf8Printable(text), qUtf8Printable(command));
    return ExitUsage;
}

int parseCommandLine(
    QCommandLineParser &parser, const QString &command, const QStringList &arguments)
{
    if (!parser.parse(arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(u"help"_s)) {
        std::fputs(qUtf8Printable(parser.helpText()), stdout);
        return ExitNormal;
    }
    return -1;
}

namespace {

int signalPipe[2] = {-1, -1};

extern "C" void onSignal(int)
{
    // Only async-signal-safe calls here; the event loop does the rest.
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(signalPipe[1], &byte, 1);
}

} // namespace

SignalWatcher::SignalWatcher(QObject *parent) : QObject(parent)
{
    if (signalPipe[0] < 0 && ::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    if (::sigaction(SIGINT, &action, nullptr) != 0 || ::sigaction(SIGTERM, &action, nullptr) != 0)
        return;
    m_notifier = std::make_unique<QSocketNotifier>(signalPipe[0], QSocketNotifier::Read);
    connect(m_notifier.get(), &QSocketNotifier::activated, this, [this] {
        char bytes[16];
        ssize_t got = 0;
        while ((got = ::read(signalPipe[0], bytes, sizeof bytes)) > 0) {
            for (ssize_t i = 0; i < got; ++i)
                Q_EMIT interrupted(++m_count);
        }
    });
}

SignalWatcher::~SignalWatcher()
{
    if (!m_notifier)
        return;
    struct sigaction action = {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

} // namespace cli
