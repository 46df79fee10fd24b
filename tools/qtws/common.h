// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// What the qtws subcommands share: exit codes, messages on stderr, signal handling.

#include <QtCore/QObject>
#include <QtCore/QSocketNotifier>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <memory>

class QCommandLineParser;

namespace cli {

// The tool's exit codes (documented in `qtws --help` and tools/README.md).
enum ExitCode : int {
    ExitNormal = 0, // the connection (or the server) ended normally
    ExitError = 1, // the connection failed or ended abnormally; the reason is on stderr
    ExitUsage = 2, // bad command line
};

// "qtws: TEXT" on stderr.
void printError(const QString &text);
void printWarning(const QString &text);
// "qtws connect: TEXT" and the hint to --help, on stderr; returns ExitUsage.
int usageError(const QString &command, const QString &text);

// Parses arguments (program name first) with parser, which must have its help option added.
// Returns -1 when the command should run, else the exit code to return at once: 0 after
// printing the help for --help, ExitUsage after reporting a parse error.
int parseCommandLine(
    QCommandLineParser &parser, const QString &command, const QStringList &arguments);

// Turns SIGINT and SIGTERM into a Qt signal (through a pipe: the handler only calls write(2)).
// One instance per process.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;
    // False when the handlers could not be installed (the process then keeps the defaults).
    bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
    // count: how many signals so far, 1 for the first.
    void interrupted(int count);

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    int m_count = 0;
};

} // namespace cli
