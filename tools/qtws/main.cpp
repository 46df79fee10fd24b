// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws: a WebSocket client and server for the command line, in the spirit of websocat.
//   qtws connect URL [options]          stdin lines → messages, messages → stdout
//   qtws serve PORT --echo|--broadcast  a server for trying clients out
// `qtws --help` and `qtws COMMAND --help` describe the rest; tools/README.md has examples.

#include "commands.h"
#include "common.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

constexpr const char overview[] = R"(Usage: qtws <command> [options]

A WebSocket client and server for the command line.

Commands:
  connect URL     Connect to a WebSocket server: each line of standard input is sent as a
                  message, each message received is printed on standard output.
  serve PORT      Run a WebSocket server (--echo or --broadcast) on 127.0.0.1:PORT.

Run 'qtws <command> --help' for a command's options.

Examples:
  qtws serve 8080 --echo
  echo hello | qtws connect ws://127.0.0.1:8080/
  qtws connect wss://example.org/socket -H 'Authorization: Bearer abc' --subprotocol chat

Exit codes:
  0  the connection ended normally (or the server was stopped by a signal)
  1  an error: the connection failed or ended abnormally; the reason is on stderr
  2  bad usage
)";

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"qtws"_s);
    // The library's debug lines are for its developers; warnings stay on (the --insecure one
    // among them). QT_LOGGING_RULES still overrides this.
    QLoggingCategory::setFilterRules(u"qtws.*.debug=false"_s);

    const QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.value(1);
    if (command == u"connect")
        return cli::runConnect(arguments);
    if (command == u"serve")
        return cli::runServe(arguments);
    if (command == u"-h" || command == u"--help" || command == u"help") {
        std::fputs(overview, stdout);
        return cli::ExitNormal;
    }
    if (command.isEmpty())
        std::fputs(overview, stderr);
    else
        std::fprintf(
            stderr, "qtws: unknown command '%s'; try 'qtws --help'\n", qUtf8Printable(command));
    return cli::ExitUsage;
}
