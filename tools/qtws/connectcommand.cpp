// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qtws connect URL: standard input lines go out as messages, received messages are printed.

#include "commands.h"
#include "common.h"
#include "stdinreader.h"

#include <QtWs/utf8text.h>
#include <QtWs/websocket.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QTimer>

#include <chrono>
#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace cli {

namespace {

// Stop reading standard input while this much is queued for the network, and go on once it
// drained below the low mark: a fast producer (a big file on stdin) meets a slow link without
// the queue growing without bound.
constexpr qint64 sendQueueHigh = 4 * 1024 * 1024;
constexpr qint64 sendQueueLow = 1024 * 1024;

struct ConnectSettings
{
    QUrl url;
    qtws::ClientOptions options;
    bool sendBinary = false;
    bool rawBinaryOutput = false;
    bool readInput = true;
    qint64 exitAfter = -1; // close after this many received messages; -1: no limit
    double pingSeconds = 0;
    // After the end of input, how long the connection stays open without a message arriving
    // before it is closed: replies to the last lines still get printed.
    std::chrono::milliseconds linger{500};
    quint16 closeCode = quint16(qtws::CloseCode::Normal);
    QString closeReason;
    bool verbose = false;
};

// Writes bytes to standard output and flushes, so that a reader of a pipe sees each message
// as it arrives. False when stdout is gone (e.g. a closed pipe).
bool writeOutput(const QByteArray &bytes)
{
    if (std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout) != size_t(bytes.size()))
        return false;
    return std::fflush(stdout) == 0;
}

class ConnectSession : public QObject
{
public:
    explicit ConnectSession(ConnectSettings settings) : m_settings(std::move(settings))
    {
        connect(&m_ws, &qtws::WebSocket::connected, this, &ConnectSession::onConnected);
        connect(&m_ws, &qtws::WebSocket::textMessageReceived, this,
            [this](const QString &text) { onMessage(text.toUtf8() + '\n'); });
        connect(
            &m_ws, &qtws::WebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
                onMessage(m_settings.rawBinaryOutput ? data : data.toHex() + '\n');
            });
        connect(&m_ws, &qtws::WebSocket::pongReceived, this,
            [](const QByteArray &, qint64 roundTripMs) {
                if (roundTripMs >= 0)
                    std::fprintf(stderr, "qtws: pong after %lld ms\n", roundTripMs);
                else
                    std::fprintf(stderr, "qtws: unsolicited pong\n");
                std::fflush(stderr);
            });
        connect(&m_ws, &qtws::WebSocket::bytesWritten, this, [this] {
            if (m_inputPaused && m_ws.bufferedAmount() < sendQueueLow) {
                m_inputPaused = false;
                m_input.setPaused(false);
            }
        });
        connect(&m_ws, &qtws::WebSocket::closed, this, &ConnectSession::onClosed);
        connect(&m_input, &StdinReader::lineRead, this, &ConnectSession::sendLine);
        connect(&m_input, &StdinReader::finished, this, &ConnectSession::onInputFinished);
        connect(&m_pingTimer, &QTimer::timeout, this, [this] { m_ws.ping(); });
        m_lingerTimer.setSingleShot(true);
        connect(&m_lingerTimer, &QTimer::timeout, this, [this] { closeNormally(); });
        connect(&m_signals, &SignalWatcher::interrupted, this, [this](int count) {
            m_interrupted = true;
            // First Ctrl-C: the close handshake (1001, this client is going away); a second
            // one: drop the connection now.
            if (count == 1 && m_ws.state() == qtws::WebSocket::State::Open)
                m_ws.close(qtws::CloseCode::GoingAway, u"interrupted"_s);
            else
                m_ws.abort();
        });
    }

    void start()
    {
        if (m_settings.options.insecureSkipTlsVerification
            && m_settings.url.scheme().compare(u"wss"_s, Qt::CaseInsensitive) == 0) {
            printWarning(u"--insecure: the server's TLS certificate is not verified; anyone "
                         u"on the path can read and change this connection"_s);
        }
        m_ws.open(m_settings.url, m_settings.options);
    }

    int exitCode() const { return m_exitCode; }

private:
    void onConnected()
    {
        if (m_settings.verbose) {
            QString line = u"connected to "_s + m_ws.url().toString();
            if (!m_ws.subprotocol().isEmpty())
                line += u" (subprotocol "_s + m_ws.subprotocol() + u')';
            printError(line);
        }
        if (m_settings.pingSeconds > 0) {
            m_pingTimer.start(int(std::lround(m_settings.pingSeconds * 1000)));
            m_ws.ping();
        }
        if (m_settings.readInput)
            m_input.start();
    }

    void onMessage(const QByteArray &output)
    {
        // --exit-after N prints exactly N: what arrives while the close handshake runs (the
        // peer may have sent more before it saw our close) is dropped.
        if (m_settings.exitAfter > 0 && m_received >= m_settings.exitAfter)
            return;
        if (!writeOutput(output)) {
            printError(u"standard output is closed"_s);
            m_outputFailed = true;
            m_ws.close(qtws::CloseCode::GoingAway, u"output closed"_s);
            return;
        }
        if (m_settings.exitAfter > 0 && ++m_received == m_settings.exitAfter)
            closeNormally();
        else if (m_lingerTimer.isActive())
            m_lingerTimer.start(); // the quiet period starts again
    }

    void onInputFinished()
    {
        // With --exit-after, the count of messages decides when to close, not the input.
        if (m_settings.exitAfter > 0)
            return;
        if (m_settings.linger.count() == 0)
            closeNormally();
        else
            m_lingerTimer.start(m_settings.linger);
    }

    void sendLine(const QByteArray &line)
    {
        if (m_ws.state() != qtws::WebSocket::State::Open)
            return; // closing: the rest of the input has nowhere to go
        if (m_settings.sendBinary)
            m_ws.sendBinaryMessage(line);
        else
            m_ws.sendTextMessage(qtws::textFromUtf8(line));
        if (!m_inputPaused && m_ws.bufferedAmount() > sendQueueHigh) {
            m_inputPaused = true;
            m_input.setPaused(true);
        }
    }

    void closeNormally()
    {
        if (m_ws.state() == qtws::WebSocket::State::Open)
            m_ws.close(qtws::CloseCode(m_settings.closeCode), m_settings.closeReason);
    }

    void onClosed(int code, const QString &reason)
    {
        m_pingTimer.stop();
        m_lingerTimer.stop();
        const qtws::WebSocketError error = m_ws.error();
        // A close handshake this side started (whatever its code: it was our choice), or the
        // server's normal close (1000, 1001 or no code), is a normal end.
        const bool normal = error.isNormal() || error.kind() == qtws::WebSocketError::Kind::Closed;
        if (m_settings.verbose)
            printError(u"closed with %1%2"_s.arg(code).arg(
                reason.isEmpty() ? QString() : u": "_s + reason));
        if (m_outputFailed)
            m_exitCode = ExitError;
        else if (normal)
            m_exitCode = ExitNormal;
        else {
            // abort() (a second Ctrl-C, or one before the handshake completed) reports no
            // error of its own: say what happened.
            if (error.kind() == qtws::WebSocketError::Kind::NoError)
                printError(
                    u"connection %1 (%2)"_s.arg(m_interrupted ? u"interrupted"_s : u"ended"_s,
                        reason.isEmpty() ? QString::number(code) : reason));
            else
                printError(error.toString());
            m_exitCode = ExitError;
        }
        QCoreApplication::exit(m_exitCode);
    }

    ConnectSettings m_settings;
    qtws::WebSocket m_ws;
    StdinReader m_input;
    SignalWatcher m_signals;
    QTimer m_pingTimer;
    QTimer m_lingerTimer;
    qint64 m_received = 0;
    bool m_inputPaused = false;
    bool m_outputFailed = false;
    bool m_interrupted = false;
    int m_exitCode = ExitError;
};

// "Name: value" → the pair; false when there is no colon or no name.
bool parseHeader(const QString &text, qtws::http::Headers *headers)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon <= 0)
        return false;
    const QByteArray name = text.left(colon).trimmed().toUtf8();
    const QByteArray value = text.mid(colon + 1).trimmed().toUtf8();
    if (name.isEmpty())
        return false;
    headers->append(name, value);
    return true;
}

} // namespace

int runConnect(const QStringList &arguments)
{
    const QString command = u"connect"_s;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Connects to a WebSocket server. Each line of standard input is sent as one text "
        u"message (a binary one with --binary); each message received is printed on standard "
        u"output, text as it is, binary as hex (raw with --raw), one per line. At the end of "
        u"standard input, once no message arrived for --linger seconds (the replies to the "
        u"last lines), the connection is closed with --close-code and --close-reason; with "
        u"--exit-after N, once N messages arrived instead.\n\n"
        u"Exit codes: 0 the connection ended normally (this side closed, or the server closed "
        u"with 1000, 1001 or no code); 1 it failed or ended otherwise (the reason on stderr); "
        u"2 bad usage."_s);
    parser.addHelpOption();
    parser.addPositionalArgument(u"connect"_s, u"The command."_s, u"connect"_s);
    parser.addPositionalArgument(u"url"_s, u"ws://, wss://, http:// or https:// URL."_s);
    const QCommandLineOption headerOption({u"H"_s, u"header"_s},
        u"Extra handshake header 'Name: value' (repeatable)."_s, u"header"_s);
    const QCommandLineOption subprotocolOption(u"subprotocol"_s,
        u"Offer this subprotocol (repeatable, in preference order)."_s, u"name"_s);
    const QCommandLineOption insecureOption(u"insecure"_s,
        u"Do not verify the server's TLS certificate (self-signed test servers only)."_s);
    const QCommandLineOption binaryOption(u"binary"_s, u"Send input lines as binary messages."_s);
    const QCommandLineOption rawOption(
        u"raw"_s, u"Print binary messages as raw bytes instead of a hex line."_s);
    const QCommandLineOption noInputOption(
        u"no-input"_s, u"Do not read standard input; only print what arrives."_s);
    const QCommandLineOption exitAfterOption(u"exit-after"_s,
        u"Close once this many messages were received (the end of input does not close)."_s,
        u"count"_s);
    const QCommandLineOption lingerOption(u"linger"_s,
        u"After the end of input, close once no message arrived for this long (default 0.5; "
        u"0 closes at once)."_s,
        u"seconds"_s, u"0.5"_s);
    const QCommandLineOption pingOption(u"ping"_s,
        u"Send a ping every this many seconds; the round-trip time goes to stderr."_s,
        u"seconds"_s);
    const QCommandLineOption closeCodeOption(u"close-code"_s,
        u"Close code sent at the end of input (default 1000)."_s, u"code"_s, u"1000"_s);
    const QCommandLineOption closeReasonOption(
        u"close-reason"_s, u"Close reason sent at the end of input."_s, u"text"_s);
    const QCommandLineOption maxMessageOption(
        u"max-message"_s, u"Largest message accepted, in bytes (default 16 MiB)."_s, u"bytes"_s);
    const QCommandLineOption verboseOption(
        {u"v"_s, u"verbose"_s}, u"Report the connection and its close on stderr."_s);
    parser.addOptions({headerOption, subprotocolOption, insecureOption, binaryOption, rawOption,
        noInputOption, exitAfterOption, lingerOption, pingOption, closeCodeOption,
        closeReasonOption, maxMessageOption, verboseOption});

    if (const int code = parseCommandLine(parser, command, arguments); code >= 0)
        return code;

    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2)
        return usageError(command, u"expected one URL"_s);

    ConnectSettings settings;
    // Strict parsing: a typo should be reported, not "corrected". The scheme is the library's
    // to judge (it names the ones it takes).
    settings.url = QUrl(positional.at(1), QUrl::StrictMode);
    if (!settings.url.isValid()) {
        printError(u"invalid URL '%1': %2"_s.arg(positional.at(1), settings.url.errorString()));
        return ExitError;
    }

    for (const QString &header : parser.values(headerOption)) {
        if (!parseHeader(header, &settings.options.headers))
            return usageError(command, u"--header wants 'Name: value', got '"_s + header + u'\'');
    }
    settings.options.subprotocols = parser.values(subprotocolOption);
    settings.options.insecureSkipTlsVerification = parser.isSet(insecureOption);
    settings.sendBinary = parser.isSet(binaryOption);
    settings.rawBinaryOutput = parser.isSet(rawOption);
    settings.readInput = !parser.isSet(noInputOption);
    settings.verbose = parser.isSet(verboseOption);
    if (parser.isSet(exitAfterOption)) {
        bool ok = false;
        settings.exitAfter = parser.value(exitAfterOption).toLongLong(&ok);
        if (!ok || settings.exitAfter <= 0)
            return usageError(command, u"--exit-after wants a positive count"_s);
    }
    {
        bool ok = false;
        const double seconds = parser.value(lingerOption).toDouble(&ok);
        if (!ok || !(seconds >= 0) || seconds > 3600)
            return usageError(command, u"--linger wants seconds between 0 and 3600"_s);
        settings.linger = std::chrono::milliseconds(std::llround(seconds * 1000));
    }
    if (parser.isSet(pingOption)) {
        bool ok = false;
        settings.pingSeconds = parser.value(pingOption).toDouble(&ok);
        if (!ok || !(settings.pingSeconds >= 0.001) || settings.pingSeconds > 86400)
            return usageError(command, u"--ping wants seconds between 0.001 and 86400"_s);
    }
    {
        bool ok = false;
        const uint code = parser.value(closeCodeOption).toUInt(&ok);
        if (!ok || code > 0xffff || !qtws::isSendableCloseCode(quint16(code)))
            return usageError(command,
                u"--close-code must be a code that may be sent: 1000-1003, 1007-1014 or "
                u"3000-4999"_s);
        settings.closeCode = quint16(code);
    }
    settings.closeReason = parser.value(closeReasonOption);
    if (settings.closeReason.toUtf8().size() > 123)
        return usageError(command, u"--close-reason is over 123 UTF-8 bytes"_s);
    if (parser.isSet(maxMessageOption)) {
        bool ok = false;
        const qint64 bytes = parser.value(maxMessageOption).toLongLong(&ok);
        if (!ok || bytes <= 0)
            return usageError(command, u"--max-message wants a positive byte count"_s);
        settings.options.limits.maxMessageSize = bytes;
        settings.options.limits.maxFrameSize = bytes;
    }

    ConnectSession session(std::move(settings));
    session.start();
    QCoreApplication::exec();
    return session.exitCode();
}

} // namespace cli
