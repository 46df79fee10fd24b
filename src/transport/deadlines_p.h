// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QBasicTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QObject>

#include <array>
#include <chrono>

namespace qtws::transport {

// The one place that owns a connection's deadlines. Every timeout of a connection (connect,
// whole request, response header, write idle, read idle, close, keepalive) is a Deadline here,
// so the rest of the code never holds a QTimer and "which timeout fired, after how long" has
// one answer.
//
// Idle deadlines are re-armed on every byte. touch() only stores a timestamp — it must be cheap
// on the read path — and the timer, when it fires, re-arms itself for the time that is left.
class Deadlines : public QObject
{
    Q_OBJECT

public:
    enum class Kind {
        Connect, // DNS, TCP connect, proxy negotiation and TLS handshake
        Request, // the whole opening handshake, redirects included
        ResponseHeader, // reading the HTTP response head
        WriteIdle, // no write progress while writing the handshake
        ReadIdle, // no byte received (handshake read, then the upgraded connection)
        Handshake, // server side: the client's whole request head
        Close, // waiting for the peer's close frame or TCP close
        KeepalivePong, // waiting for the pong of a keepalive ping
        ResponseBody, // reading the start of a refused handshake's body, for the error report
        KeepaliveInterval, // time to send the next keepalive ping
    };
    Q_ENUM(Kind)
    static constexpr int kindCount = int(Kind::KeepaliveInterval) + 1;

    explicit Deadlines(QObject *parent = nullptr);

    // Arms kind to expire after duration from now; a zero or negative duration disarms it.
    void start(Kind kind, std::chrono::milliseconds duration);
    // Pushes kind's expiry to "duration from now" again, if it is armed. Cheap.
    void touch(Kind kind);
    void stop(Kind kind);
    void stopAll();
    bool isActive(Kind kind) const;
    std::chrono::milliseconds duration(Kind kind) const;

    // A short English name for kind ("read idle"), for error messages.
    static const char *name(Kind kind);

Q_SIGNALS:
    // kind expired after duration (the configured value) without being touched or stopped.
    void expired(qtws::transport::Deadlines::Kind kind, std::chrono::milliseconds duration);

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    struct Deadline
    {
        QBasicTimer timer;
        std::chrono::milliseconds duration{0};
        qint64 lastTouchedMs = 0; // on m_clock
    };

    std::array<Deadline, kindCount> m_deadlines;
    QElapsedTimer m_clock;
};

} // namespace qtws::transport
