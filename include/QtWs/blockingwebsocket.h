// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/blockingmessage.h>
#include <QtWs/closecode.h>
#include <QtWs/http/request.h>
#include <QtWs/http/response.h>
#include <QtWs/qtwsglobal.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <chrono>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>

namespace qtws {

// An open client WebSocket with a blocking interface, for worker threads and command-line
// programs: the shape of HTTP.jl's WebSockets API. Obtain one from qtws::open(url, options)
// (<QtWs/blocking.h>), or use qtws::open(url, f) to have it closed for you.
//
//     qtws::BlockingWebSocket ws = qtws::open(QUrl(u"ws://127.0.0.1:9001/"_s));
//     ws.send(u"hello"_s);
//     for (const qtws::Message &message : ws)  // until a normal close; throws otherwise
//         ws.send(message.data());
//
// Threading. Each BlockingWebSocket owns a dedicated I/O thread running its own event loop, in
// which an ordinary qtws::WebSocket lives. That thread answers pings, performs the close
// handshake and buffers incoming messages (up to BlockingOptions' limits, then it stops reading
// the socket) whether or not a caller is inside receive(). Every call marshals into that thread
// (a queued functor) and waits for its result, so:
//   - The calling thread needs no event loop, and may have one: a std::thread, a QThread, or
//     the GUI thread (where every call blocks the GUI while it waits — avoid it there; the
//     async qtws::WebSocket is the GUI-thread API).
//   - A QCoreApplication (or QGuiApplication/QApplication) object must exist while a
//     BlockingWebSocket does (QtNetwork needs it); it need not be running exec().
//     qtws::open throws WebSocketError::Kind::InvalidOptions without one.
//   - Any thread may call any member, also concurrently: send, ping, pong and close are
//     serialised in the I/O thread in the order they arrive (each message goes out whole; the
//     frames of concurrent sends never interleave). receive() is meant for one thread at a
//     time: concurrent receivers are safe, but which of them gets which message is unspecified.
//     Range-for from one thread only.
//   - Moving, move-assigning and destroying must not race with any other call. A moved-from
//     object may only be destroyed or assigned to.
// Errors are thrown as WebSocketError (never returned); a failed or closed connection is
// reported by receive() only after every message buffered before the end was returned.
class QTWS_EXPORT BlockingWebSocket
{
public:
    BlockingWebSocket(BlockingWebSocket &&other) noexcept;
    BlockingWebSocket &operator=(BlockingWebSocket &&other) noexcept;
    BlockingWebSocket(const BlockingWebSocket &) = delete;
    BlockingWebSocket &operator=(const BlockingWebSocket &) = delete;
    // Closes with 1000 if still open (as close(): waits for the close handshake, bounded by the
    // close timeout), then stops the I/O thread. Unread messages are discarded.
    ~BlockingWebSocket();

    // Each send returns the payload bytes sent (UTF-8 bytes for text) once the I/O thread has
    // queued the frame for writing (it does not wait for the network). Once the connection is
    // closing or closed it throws: the error that ended the connection once it has ended (e.g.
    // Kind::ClosedByPeer with the peer's code, normal for 1000), and while the close handshake
    // is still in progress Kind::Closed with code 0 ("closing").
    qint64 send(const QString &text);
    qint64 send(const QByteArray &data);
    // Chunks sent as one fragmented message, one frame per chunk (none: one empty frame). All
    // frames are queued together: a concurrent send cannot come between them.
    qint64 send(const QStringList &textChunks);
    qint64 send(const QList<QByteArray> &binaryChunks);
    // Not text and not binary by itself: say send(u"..."_s) (text) or send(QByteArray(...)).
    qint64 send(const char *) = delete;

    // The next message, waiting as long as it takes. Throws WebSocketError once the connection
    // has ended and every message received before was returned: the peer's close
    // (Kind::ClosedByPeer, its code and reason), this side's close (Kind::Closed), or the
    // failure (ProtocolError, ConnectionLost, Timeout...). WebSocketError::isNormal() tells a
    // 1000/1001/1005 close from an error. Once thrown, every later call throws the same.
    Message receive();
    // The same, waiting at most timeout: std::nullopt when it elapses first (the connection is
    // unaffected). A timeout of 0 only takes what is already buffered.
    std::optional<Message> receive(std::chrono::milliseconds timeout);
    // True when receive() would return a message at once. False does not mean closed.
    bool isReady() const;
    // True while the connection is Open: messages may be sent. False from the moment a close
    // handshake starts (either side) or the connection fails.
    bool isOpen() const;

    // Sends a ping (payload at most 125 bytes, else InvalidOptions is thrown); throws as send()
    // once closing. Pings from the peer are always answered by the I/O thread.
    void ping(const QByteArray &payload = {});
    // Sends a ping and waits at most timeout for the pong with the same payload: the round-trip
    // time, or std::nullopt if none came in time. Throws as receive() if the connection ends
    // while waiting.
    std::optional<std::chrono::milliseconds> ping(
        const QByteArray &payload, std::chrono::milliseconds timeout);
    // An unsolicited pong (a unidirectional heartbeat, RFC 6455 §5.5.3).
    void pong(const QByteArray &payload = {});

    // Performs the close handshake and waits for it to end: the peer's close frame is awaited
    // for ClientTimeouts::close, then the server's TCP close as long again (RFC 6455 §7.1.1),
    // then the connection is dropped. Never throws for I/O problems (error() tells how it
    // ended); throws Kind::InvalidOptions, sending nothing, for a code that may not be sent
    // (isSendableCloseCode) or a reason over 123 UTF-8 bytes. Does nothing but wait if the
    // connection is already closing — in particular after a protocol failure, whose close code
    // (1002, 1007, 1009...) was already sent and stands. Messages that arrive while closing are
    // still buffered for receive(), but only up to BlockingOptions' limits (reading must go on
    // to find the peer's close frame; the rest is dropped).
    void close(CloseCode code = CloseCode::Normal, const QString &reason = {});

    // How the connection ended (as WebSocket::error()): Kind::NoError while it has not.
    WebSocketError error() const;
    // As WebSocket::closeCode()/closeReason(): 0 and "" until the connection has ended.
    int closeCode() const;
    QString closeReason() const;

    // The handshake: the final URL, the negotiated subprotocol ("" for none), the request and
    // the server's 101.
    QUrl url() const;
    QString subprotocol() const;
    http::Request handshakeRequest() const;
    http::Response handshakeResponse() const;

    // The receive queue: messages and bytes held now, and the most messages ever held at once
    // (never above BlockingOptions::maxBufferedMessages; for tuning the limits).
    qsizetype bufferedMessages() const;
    qint64 bufferedBytes() const;
    qsizetype peakBufferedMessages() const;

    // Range-for: yields messages until a normal close (1000, 1001, 1005; WebSocketError::
    // isNormal()) and rethrows any other end. An input range: iterate it once, from one thread.
    class iterator
    {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = Message;
        using difference_type = std::ptrdiff_t;
        using pointer = const Message *;
        using reference = const Message &;

        iterator() = default;
        reference operator*() const { return *m_current; }
        pointer operator->() const { return &*m_current; }
        iterator &operator++()
        {
            advance();
            return *this;
        }
        void operator++(int) { advance(); }
        friend bool operator==(const iterator &it, std::default_sentinel_t)
        {
            return !it.m_current;
        }

    private:
        friend class BlockingWebSocket;
        explicit iterator(BlockingWebSocket *ws) : m_ws(ws) { advance(); }
        void advance()
        {
            try {
                m_current = m_ws->receive();
            } catch (const WebSocketError &error) {
                m_current.reset();
                if (!error.isNormal())
                    throw;
            }
        }

        BlockingWebSocket *m_ws = nullptr;
        std::optional<Message> m_current{};
    };
    // Waits for the first message (or the end).
    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() const { return {}; }

private:
    friend class BlockingWebSocketPrivate;
    explicit BlockingWebSocket(std::unique_ptr<class BlockingWebSocketPrivate> d);
    std::unique_ptr<class BlockingWebSocketPrivate> d{};
};

} // namespace qtws
