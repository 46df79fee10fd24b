// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/blockingmessage.h>
#include <QtWs/blockingoptions.h>
#include <QtWs/blockingwebsocket.h>
#include <QtWs/clientoptions.h>
#include <QtWs/websocket.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QThread>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace qtws {

// The state behind a BlockingWebSocket, shared by its callers' threads and its I/O thread.
//
// The WebSocket lives in the I/O thread and is touched only there (created, driven and deleted
// by functors queued to `context`). What the callers need to see — the message queue, the state,
// how it ended, pongs — is copied under `mutex` by the WebSocket's slots in the I/O thread, and
// `changed` wakes the callers waiting on it. Callers never hold `mutex` while waiting for the I/O
// thread, and the I/O thread never waits for a caller, so there is no lock-order cycle.
class BlockingWebSocketPrivate
{
public:
    BlockingWebSocketPrivate(const ClientOptions &options, const BlockingOptions &blocking);
    ~BlockingWebSocketPrivate();

    static BlockingWebSocket open(
        const QUrl &url, const ClientOptions &options, const BlockingOptions &blocking);

    // Caller side.
    void start(const QUrl &url); // starts the I/O thread and the opening handshake
    void waitForOpen(); // throws how the attempt ended if it did not open
    // Runs f in the I/O thread and waits for it. f sees `ws`, which is null once torn down.
    void runInIo(const std::function<void()> &f);
    qint64 sendOrThrow(const std::function<qint64()> &send);
    std::optional<Message> take(std::optional<std::chrono::milliseconds> timeout);
    void closeAndWait(quint16 code, const QString &reason);
    [[noreturn]] void throwNotOpen(std::unique_lock<std::mutex> &lock);

    // I/O thread side: the WebSocket's slots.
    void setUp(const QUrl &url);
    void onMessage(Message message);
    void resumeIfDrained(); // queued by take()

    // Called with mutex held.
    bool full() const;
    bool drained() const;

    const ClientOptions options;
    const BlockingOptions blocking;
    std::unique_ptr<QThread> thread;
    QObject *context = nullptr; // lives in `thread`; the target of every queued functor
    WebSocket *ws = nullptr; // I/O thread only

    mutable std::mutex mutex;
    std::condition_variable changed;
    // --- guarded by mutex ---
    std::deque<Message> messages;
    qint64 bytes = 0;
    qsizetype peakMessages = 0;
    bool connected = false; // the handshake completed
    bool ended = false; // closed() was emitted
    bool stateOpen = false; // state() == Open
    bool paused = false; // the WebSocket was asked to stop reading
    bool resumeQueued = false;
    bool closing = false; // close() was called: reading goes on; past the limits, drop
    WebSocketError endError; // how it ended, once ended
    int closeCode = 0;
    QString closeReason;
    QUrl url;
    QString subprotocol;
    http::Request handshakeRequest;
    http::Response handshakeResponse;
    struct Pong
    {
        quint64 serial;
        QByteArray payload;
        qint64 roundTripMs;
    };
    std::deque<Pong> pongs; // the latest few, for ping(payload, timeout)
    quint64 pongSerial = 0;
};

} // namespace qtws
