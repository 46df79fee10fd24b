// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "server/stream_p.h"
#include "transport/deadlines_p.h"

#include <QtWs/http/parser.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws::transport {
class WriteQueue;
}

namespace qtws::http {

class ServerPrivate;

// One accepted connection of an http::Server: reads and parses requests one at a time, runs
// the handler for each with a Stream, writes the responses in order, and applies the
// connection's timeouts. Requests are parsed only while no response is in flight, so pipelined
// requests wait (as bytes, bounded by ServerOptions::readAheadBytes) until their turn.
class ServerConnection : public QObject
{
    Q_OBJECT

public:
    ServerConnection(QAbstractSocket *socket, bool encrypted, ServerPrivate *server);
    ~ServerConnection() override;

    // Starts serving: arms the header timeout and reads what has arrived.
    void start();
    // Answers 503 (too many connections) and closes.
    void reject();
    // The server is closing: close now if idle between requests, else after the response.
    void closeWhenIdle();
    // Closes at once; a deferred stream gets disconnected().
    void abortNow();

    // For the Stream of the current exchange.
    void send(QByteArray bytes);
    void streamEnded(bool closeAfter);
    bool isServerClosing() const;
    qint64 bufferedAmount() const;
    DetachedSocket detach(StreamPrivate *stream);

private:
    enum class Phase {
        Reading, // parsing a request (or waiting for one)
        Busy, // a Stream is in flight; later bytes wait in the socket
        Closing, // the last response is out; lingering until the peer closes
        Closed, // finished; deleted soon
        HandedOver, // the socket belongs to an upgrade now
    };

    void processInput();
    void scheduleProcessInput();
    void onHeadComplete();
    void dispatch();
    void answerAndClose(int status, const QByteArray &text);
    void closeGracefully();
    void halfClose();
    void finish();

    void onReadyRead();
    void onDisconnected();
    void readAhead();
    void onSocketError();
    void onDrained();
    void onDeadlineExpired(transport::Deadlines::Kind kind);

    ServerPrivate *m_server;
    QAbstractSocket *m_socket; // child of this, until detached
    bool m_encrypted;
    transport::WriteQueue *m_writeQueue; // child of this
    transport::Deadlines *m_deadlines; // child of this
    Parser m_parser;
    QByteArray m_input; // read from the socket, not fed to the parser yet
    QPointer<Stream> m_stream; // the exchange in flight
    Phase m_phase = Phase::Reading;
    bool m_headTimerArmed = false; // Handshake deadline runs for the current head
    bool m_receivedSinceReset = false; // some bytes of the next request arrived
    bool m_processing = false; // inside processInput()
    bool m_waitingForDrain = false; // Closing: half-close once the write buffer is empty
};

} // namespace qtws::http
