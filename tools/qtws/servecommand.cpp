// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws serve PORT (--echo | --broadcast): a WebSocket server for trying clients out.

#include "commands.h"
#include "common.h"

#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QList>
#include <QtCore/QPointer>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace cli {

namespace {

enum class Mode { Echo, Broadcast };

// A client that has this much unsent is not reading: broadcast drops it rather than buffering
// for it without bound.
constexpr qint64 maxBufferedBytes = 16 * 1024 * 1024;

QString describe(const qtws::WebSocket *ws)
{
    return ws->peerAddress().toString() + u':' + QString::number(ws->peerPort());
}

class ServeSession : public QObject
{
public:
    ServeSession(Mode mode, qtws::ServerOptions options, bool verbose)
        : m_mode(mode), m_verbose(verbose), m_server(std::move(options))
    {
        connect(&m_server, &qtws::Server::newConnection, this, &ServeSession::accept);
        connect(&m_server, &qtws::Server::closed, this, [] { QCoreApplication::exit(ExitNormal); });
        connect(&m_signals, &SignalWatcher::interrupted, this, [this](int count) {
            // First signal: every client gets 1001 (Going Away), bounded by the close timeout;
            // a second one drops them all now.
            if (count == 1)
                m_server.close();
            else
                m_server.forceClose();
        });
    }

    bool listen()
    {
        if (!m_server.listen()) {
            printError(m_server.errorString());
            return false;
        }
        std::printf("listening on %u\n", unsigned(m_server.serverPort()));
        std::fflush(stdout);
        if (m_verbose)
            printError(u"serving "_s + m_server.serverUrl().toString());
        return true;
    }

private:
    void accept(qtws::WebSocket *ws)
    {
        if (m_verbose) {
            QString line = u"connection from "_s + describe(ws) + u" to "_s
                + QString::fromUtf8(ws->handshakeRequest().target);
            if (!ws->subprotocol().isEmpty())
                line += u" (subprotocol "_s + ws->subprotocol() + u')';
            printError(line);
            connect(ws, &qtws::WebSocket::closed, this,
                [peer = describe(ws)](int code, const QString &reason) {
                    printError(u"%1 closed with %2%3"_s.arg(peer).arg(code).arg(
                        reason.isEmpty() ? QString() : u": "_s + reason));
                });
        }
        switch (m_mode) {
        case Mode::Echo:
            connect(ws, &qtws::WebSocket::textMessageReceived, ws,
                [ws](const QString &text) { ws->sendTextMessage(text); });
            connect(ws, &qtws::WebSocket::binaryMessageReceived, ws,
                [ws](const QByteArray &data) { ws->sendBinaryMessage(data); });
            break;
        case Mode::Broadcast:
            m_clients.append(ws);
            connect(ws, &qtws::WebSocket::closed, this, [this, ws] { m_clients.removeAll(ws); });
            connect(
                ws, &qtws::WebSocket::textMessageReceived, this, [this, ws](const QString &text) {
                    forEachOther(ws, [&](qtws::WebSocket *to) { to->sendTextMessage(text); });
                });
            connect(ws, &qtws::WebSocket::binaryMessageReceived, this,
                [this, ws](const QByteArray &data) {
                    forEachOther(ws, [&](qtws::WebSocket *to) { to->sendBinaryMessage(data); });
                });
            break;
        }
    }

    template<typename Send>
    void forEachOther(qtws::WebSocket *from, Send send)
    {
        const QList<QPointer<qtws::WebSocket>> clients = m_clients;
        for (const QPointer<qtws::WebSocket> &to : clients) {
            if (!to || to == from || to->state() != qtws::WebSocket::State::Open)
                continue;
            if (to->bufferedAmount() > maxBufferedBytes)
                to->abort(); // emits closed() at once, hence the copy of the list
            else
                send(to.data());
        }
    }

    Mode m_mode;
    bool m_verbose;
    qtws::Server m_server;
    SignalWatcher m_signals;
    QList<QPointer<qtws::WebSocket>> m_clients;
};

} // namespace

int runServe(const QStringList &arguments)
{
    const QString command = u"serve"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs a WebSocket server on PORT (0 picks a free one) and prints 'listening on PORT' "
        u"once bound. --echo sends every message back to its sender; --broadcast sends it to "
        u"every other connected client. Runs until SIGINT or SIGTERM, then closes every client "
        u"with 1001 (a second signal drops them at once).\n\n"
        u"Exit codes: 0 stopped by a signal; 1 the port could not be bound; 2 bad usage."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"serve"_s, u"The command."_s, u"serve"_s);
    parser.addPositionalArgument(u"port"_s, u"TCP port, 0 for any free one."_s);
    const QCommandLineOption echoOption(u"echo"_s, u"Echo each message to its sender."_s);
    const QCommandLineOption broadcastOption(
        u"broadcast"_s, u"Send each message to every other client."_s);
    const QCommandLineOption hostOption(
        u"host"_s, u"Address to listen on (default 127.0.0.1)."_s, u"address"_s, u"127.0.0.1"_s);
    const QCommandLineOption subprotocolOption(u"subprotocol"_s,
        u"Accept this subprotocol (repeatable, most preferred first)."_s, u"name"_s);
    const QCommandLineOption maxMessageOption(
        u"max-message"_s, u"Largest message accepted, in bytes (default 16 MiB)."_s, u"bytes"_s);
    const QCommandLineOption anyOriginOption(u"any-origin"_s,
        u"Accept browsers' handshakes from pages of any origin (default: only requests without "
        u"Origin, or from this server's own origin)."_s);
    const QCommandLineOption verboseOption(
        {u"v"_s, u"verbose"_s}, u"Report connections and closes on stderr."_s);
    parser.addOptions({echoOption, broadcastOption, hostOption, subprotocolOption, maxMessageOption,
        anyOriginOption, verboseOption});

    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(command, u"expected one PORT"_s);
    bool ok = false;
    const uint port = positional.at(1).toUInt(&ok);
    if (!ok || port > 65535)
        return usageError(command, u"invalid port '"_s + positional.at(1) + u'\'');
    if (parser.isSet(echoOption) == parser.isSet(broadcastOption))
        return usageError(command, u"give one of --echo and --broadcast"_s);

    qtws::ServerOptions options;
    options.host = QHostAddress(parser.value(hostOption));
    if (options.host.isNull())
        return usageError(command, u"invalid --host '"_s + parser.value(hostOption) + u'\'');
    options.port = quint16(port);
    options.websocket.subprotocols = parser.values(subprotocolOption);
    if (parser.isSet(maxMessageOption)) {
        const qint64 bytes = parser.value(maxMessageOption).toLongLong(&ok);
        if (!ok || bytes <= 0)
            return usageError(command, u"--max-message wants a positive byte count"_s);
        options.websocket.limits.maxMessageSize = bytes;
        options.websocket.limits.maxFrameSize = bytes;
    }
    // The default Origin check stays unless asked: any web page open in a browser on this
    // machine could otherwise talk to this server (RFC 6455 §10.2).
    if (parser.isSet(anyOriginOption))
        options.websocket.checkOrigin = [](const qtws::http::Request &) { return true; };

    ServeSession session(parser.isSet(echoOption) ? Mode::Echo : Mode::Broadcast,
        std::move(options), parser.isSet(verboseOption));
    if (!session.listen())
        return ExitError;
    return QCoreApplication::exec();
}

} // namespace cli
