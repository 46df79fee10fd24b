// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/clientoptions.h>
#include <QtWs/closecode.h>
#include <QtWs/conn.h>
#include <QtWs/http/request.h>
#include <QtWs/http/response.h>
#include <QtWs/permessagedeflate.h>
#include <QtWs/qtwsglobal.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QObject>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

#include <memory>

namespace qtws {

// A WebSocket connection, client or server side, living in one thread's event loop.
//
// Client: construct, connect signals, call open(url, options). Server side: WebSockets are
// created by qtws::upgrade() / qtws::Server, already Open. Messages arrive as signals;
// send with sendTextMessage/sendBinaryMessage/sendFragments; close() performs the close
// handshake, waiting (ClientTimeouts::close) for the peer's close before dropping.
//
// Threads: a WebSocket and all its methods belong to the thread it lives in (QObject rules).
// For use from a thread without an event loop, see the blocking API in <QtWs/blocking.h>.
class QTWS_EXPORT WebSocket : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QUrl url READ url NOTIFY urlChanged)
    Q_PROPERTY(QString subprotocol READ subprotocol NOTIFY connected)
    Q_PROPERTY(qint64 bufferedAmount READ bufferedAmount NOTIFY bytesWritten)
    Q_PROPERTY(int closeCode READ closeCode NOTIFY closed)
    Q_PROPERTY(QString closeReason READ closeReason NOTIFY closed)
    Q_PROPERTY(qint64 roundTripTime READ roundTripTime NOTIFY roundTripTimeChanged)

public:
    enum class State { Connecting, Open, Closing, Closed };
    Q_ENUM(State)

    explicit WebSocket(QObject *parent = nullptr);
    ~WebSocket() override;

    // Starts the opening handshake to url (ws, wss, http or https). Returns at once; the
    // outcome is connected() or errorOccurred() followed by closed(). Calling it while not
    // Closed is refused with a warning.
    void open(const QUrl &url, const ClientOptions &options = {});

    State state() const;
    Role role() const;
    // The request URL (after redirects, the final one).
    QUrl url() const;
    // The negotiated subprotocol, or an empty string when none was.
    QString subprotocol() const;
    // The handshake as it went on the wire: the client's request and the server's 101.
    http::Request handshakeRequest() const;
    http::Response handshakeResponse() const;
    // The extensions in use, as the 101's Sec-WebSocket-Extensions said, e.g.
    // "permessage-deflate; server_max_window_bits=12; client_max_window_bits=12"; empty when
    // none was negotiated (or before the handshake completed).
    QString extensions() const;
    // The permessage-deflate extension of this connection (RFC 7692), or null when it was not
    // negotiated: its negotiated params() and its stats() (zlib memory, bytes before and after
    // compression). Valid until the next open() or the WebSocket's deletion.
    const PerMessageDeflate *perMessageDeflate() const;
    QHostAddress peerAddress() const;
    quint16 peerPort() const;

    // Bytes accepted by send*/ping/pong/close (frame headers included) and not yet written to
    // the network.
    qint64 bufferedAmount() const;
    // The latest ping round trip in milliseconds (a keepalive ping's or one of ping()'s,
    // whichever pong came last), or -1 before the first pong of this connection.
    qint64 roundTripTime() const;
    // How the connection ended (valid once closed() was emitted): the close code and reason.
    // After a close handshake, the peer's close (1005 if it had no code); after a failure the
    // code this side sent (1002, 1007, 1009...); 1006 when the connection dropped without a
    // close handshake (timeouts, EOF, abort, a failed opening handshake); 1015 for TLS failures.
    int closeCode() const;
    QString closeReason() const;
    // How the connection went wrong or ended. Kind::NoError before that. Once closed(): the
    // error errorOccurred() reported, or, for a completed close handshake (which is not an error
    // and is not reported by errorOccurred()), Kind::ClosedByPeer or Kind::Closed (this side
    // initiated) with the close code and reason.
    WebSocketError error() const;

    // Each send returns the payload bytes accepted (UTF-8 bytes for text), or -1 with a warning
    // (category qtws.client) when the WebSocket is not Open, also while Closing (never a silent
    // 0). Accepted bytes are written even if close() follows at once.
    // With permessage-deflate negotiated, messages of at least compressionThreshold bytes are
    // compressed; SendFlag::Uncompressed sends this one plain (already-compressed data, or
    // secrets that must not share a compression context with attacker-chosen text: RFC 7692
    // §9).
    qint64 sendTextMessage(const QString &message, SendFlags flags = {});
    qint64 sendBinaryMessage(const QByteArray &data, SendFlags flags = {});
    // Chunks sent as one fragmented message, one frame each (no chunks: one empty frame).
    // Fragmented messages are never compressed (RFC 7692 §6 allows it per message): each chunk
    // goes out as given, so a streaming sender keeps control of frame sizes.
    qint64 sendFragments(MessageType type, const QList<QByteArray> &chunks);
    qint64 ping(const QByteArray &payload = {});
    qint64 pong(const QByteArray &payload = {});

    // Backpressure for a consumer slower than the peer (the blocking API uses it to bound its
    // message queue). While paused, the socket is read no further than a small buffer (64 KiB),
    // so TCP flow control slows the peer down instead of this process buffering without bound;
    // messages already read are held, and no message, frame, ping, pong or close signal is
    // emitted. Sending is unaffected, but pings that were not read are not answered, and the
    // readIdle timeout is suspended (the silence is this side's doing). If the connection ends
    // while held messages wait, closed() is deferred until they were delivered. Unpausing
    // delivers the held messages, in order, from the next event-loop turn on. close() unpauses
    // (the peer's close frame has to be read), whatever the state. Default: not paused.
    void setReadPaused(bool paused);
    bool isReadPaused() const;

public Q_SLOTS:
    // Starts the close handshake: everything accepted before is written first, then the close
    // frame; the peer's close is awaited for ClientTimeouts::close, then the socket is dropped
    // (closed(1006) with a Timeout error). A client then waits, as long again, for the server to
    // close TCP (RFC 6455 §7.1.1). A code that may not be sent or a reason over 123 UTF-8 bytes
    // is refused with a warning and the connection stays open. While Connecting it abandons the
    // attempt (closed(1006)); while Closing or Closed it does nothing.
    void close(qtws::CloseCode code = qtws::CloseCode::Normal, const QString &reason = {});
    // Drops the connection at once, without a close handshake; unsent data is discarded.
    // closed(1006, "aborted") follows at once (no errorOccurred). Deleting an open WebSocket
    // also drops it, emitting nothing.
    void abort();

Q_SIGNALS:
    void connected();
    void stateChanged(qtws::WebSocket::State state);
    void urlChanged(const QUrl &url);
    void textMessageReceived(const QString &message);
    void binaryMessageReceived(const QByteArray &message);
    // Frame-level delivery for streaming consumers (ClientOptions::deliverFrames).
    void textFrameReceived(const QByteArray &utf8Frame, bool isLastFrame);
    void binaryFrameReceived(const QByteArray &frame, bool isLastFrame);
    void pingReceived(const QByteArray &payload);
    // A pong arrived; roundTripMs is the time since the matching ping() (or -1 if unsolicited).
    void pongReceived(const QByteArray &payload, qint64 roundTripMs);
    void roundTripTimeChanged(qint64 roundTripMs);
    // The network took bytes (frame headers and, on a client, the handshake request included).
    void bytesWritten(qint64 bytes);
    // Something went wrong: a failed open (then closed() follows), a protocol violation by the
    // peer (the close frame with its code is already queued), a timeout, a lost connection.
    void errorOccurred(const qtws::WebSocketError &error);
    // The connection is over (after a close handshake, a failure or a drop), after
    // stateChanged(Closed). Emitted once per open(), never from inside open().
    void closed(int code, const QString &reason);

private:
    friend class WebSocketPrivate;
    std::unique_ptr<class WebSocketPrivate> d{};
};

} // namespace qtws
