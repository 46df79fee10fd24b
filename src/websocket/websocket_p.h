// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include "transport/connection_p.h"

#include <QtWs/conn.h>
#include <QtWs/extension.h>
#include <QtWs/http/parser.h>
#include <QtWs/websocket.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QList>
#include <QtCore/QPointer>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws {

// What a server front-end (qtws::upgrade, qtws::Server) hands over once it has written the 101.
struct ServerSideSpec
{
    // Connected (for TLS: encrypted) socket; ownership passes to the WebSocket.
    QAbstractSocket *socket = nullptr;
    // Bytes read from the socket after the request head (the client's first frames).
    QByteArray leftover;
    http::Request request; // the client's handshake
    http::Response response; // the 101 that was written
    QString subprotocol; // negotiated, empty for none
    Conn::Options codecOptions; // limits, deliverFrames
    // The negotiated extension (permessage-deflate) whose answer is in response; null for none.
    std::unique_ptr<Extension> extension;
    // How long close() waits for the client's close frame. Default 5 s, as ClientTimeouts.
    std::chrono::milliseconds closeTimeout{5'000};
    // Inbound inactivity bound, re-armed on every byte. Default 0 (off).
    std::chrono::milliseconds readIdle{0};
};

// Defined by concern: websocket.cpp (the I/O loop, dispatch, close and deadlines, the public
// WebSocket methods), websocket_client.cpp (open(), hops, redirects, cookies, proxy and TLS
// setup, the 101 check, upgrade()), websocket_keepalive.cpp, websocket_readpause.cpp
// (setReadPaused) and websocket_serverside.cpp (createServerSide).
class WebSocketPrivate
{
public:
    enum class Phase {
        Idle, // never opened, or closed
        Connecting, // client: TCP/TLS connect
        AwaitingResponse, // client: request written, reading the response head
        ReadingRefusal, // client: a non-101 head arrived, reading the start of its body
        Upgraded, // a Conn drives the connection
    };

    explicit WebSocketPrivate(WebSocket *q);
    ~WebSocketPrivate();

    // The server-side seam: a WebSocket in state Open with role Server that owns spec.socket
    // (re-parented; every existing signal connection of the socket is removed). Bytes
    // (spec.leftover first, then the socket's) are read from the next event-loop turn on, so the
    // caller can connect signals before anything is emitted. The caller must have written the
    // 101 (spec.response) to the socket already; it goes out before any frame.
    // spec.extension, when set, is given to the Conn before any frame is read.
    static WebSocket *createServerSide(ServerSideSpec spec, QObject *parent = nullptr);

    // The pre-framed path for qtws::Topics (src/server/topics*.cpp): a server frame carries no
    // per-connection state, so a publish is framed once and the same implicitly shared array is
    // queued to every subscriber, after whatever the codec has queued (order is kept).
    // canSendPreframed(): a server-side WebSocket that may still send data frames (Open, no
    // close sent). sendPreframed() queues the frame; payloadSize is what bufferedAmount counts
    // as accepted. Both in websocket_serverside.cpp.
    static WebSocketPrivate *get(WebSocket *ws) { return ws->d.get(); }
    bool canSendPreframed() const;
    void sendPreframed(const QByteArray &frame);
    Extension *extension() const { return conn ? conn->extension() : nullptr; }

    void open(const QUrl &url, const ClientOptions &options);
    void startConnection();
    void onTransportConnected();
    void onConnectFailed(transport::Connection::Failure failure, const QString &message);
    void onReceived(QByteArrayView bytes);
    void onDisconnected(const QString &errorString);
    void onDeadline(transport::Deadlines::Kind kind, std::chrono::milliseconds duration);

    void handshakeBytes(QByteArrayView bytes);
    void responseComplete(QByteArrayView rest);
    void refused();
    void upgrade(Conn::Options codecOptions, QByteArrayView firstBytes,
        std::unique_ptr<Extension> extension = nullptr);

    // The I/O loop (DESIGN.md): bytes into the codec, its output to the wire, its events to
    // signals, then whatever the codec's state asks of the transport.
    void feed(QByteArrayView bytes);
    void writeOutgoing();
    bool dispatch(Event &event); // false when q was deleted
    void followCodec();

    bool checkOpen(const char *what) const;
    void setState(WebSocket::State newState); // emits; check the guard after
    // Reports error, then ends. Returns false if q was deleted by a slot.
    bool fail(WebSocketError::Kind kind, quint16 code, const QString &reason, int httpStatus = 0,
        const QByteArray &body = {});
    // Drops the transport and emits stateChanged(Closed) and closed(code, reason), once.
    void finish(quint16 code, const QString &reason);
    void dropConnection();
    transport::Deadlines *deadlines() const;

    // setReadPaused(): stop reading the socket (and take its reading over from the Connection,
    // which would otherwise drain it on every readyRead), read it again, deliver held events.
    void holdSocket();
    void releaseSocket();
    void readSocket();
    void resumeReading();
    // While paused with events held, an end of the connection waits for them; true if deferred.
    bool deferEnd(std::function<void()> end);

    WebSocket *q;
    Role role = Role::Client;
    Phase phase = Phase::Idle;
    WebSocket::State state = WebSocket::State::Closed;
    QUrl url;
    ClientOptions options;
    std::chrono::milliseconds closeTimeout{5'000};
    std::chrono::milliseconds readIdle{0};

    std::unique_ptr<transport::Connection> connection;
    std::optional<Conn> conn;

    http::Parser parser{http::Parser::Mode::Response};
    http::Request request;
    http::Response response;
    QString subprotocol;

    WebSocketError error;
    int closeCode = 0;
    QString closeReason;
    bool closedEmitted = false;
    quint64 attempt = 0; // open() calls, so a late queued failure of an old one is dropped
    QHostAddress peerAddress;
    quint16 peerPort = 0;
    bool waitingForPeerTcpClose = false;

    // Outstanding pings and when they were sent, oldest first, for pongReceived's round trip.
    struct PendingPing
    {
        QByteArray payload;
        qint64 sentMs;
    };
    QList<PendingPing> pings;
    // Pings remembered for round-trip times; older ones are forgotten (their pongs report -1).
    static constexpr qsizetype maxPendingPings = 64;
    QElapsedTimer clock;

    // Backpressure (setReadPaused). Once paused, this class reads the socket itself (queued on
    // readyRead) for the rest of the connection: the Connection's own handler is disconnected.
    bool readPaused = false;
    bool readingSocket = false;
    std::function<void()> deferredEnd;

    // ---- client connection options (redirects, cookies, proxy, TLS, keepalive) -------------
    // One hop of the opening handshake: builds the request for hopUrl (a new key), picks the
    // proxy, connects. Errors are reported from the event loop.
    void startHop(const QUrl &hopUrl);
    void failLater(WebSocketError::Kind kind, const QString &reason);
    // The caller's headers as this hop sends them: forwarded or not, credentials dropped once
    // the chain left the origin, the cookie jar's cookies merged into Cookie.
    http::Headers hopHeaders(const QUrl &hopUrl) const;
    QString hopChain() const; // "ws://a/ → ws://b/ → ..."
    // A complete 3xx head: follows it (true) or reports why not (false, already failed).
    bool followRedirect();
    void storeCookies(const http::Response &answer);
    void startKeepalive();
    void sendKeepalivePing();
    void setRoundTripTime(qint64 ms);

    QUrl originalUrl;
    QElapsedTimer requestClock; // since open(): the request timeout spans every hop
    int redirects = 0;
    bool leftOrigin = false; // a hop left the original origin: credentials are not sent
    bool cookiesStored = false; // this hop's Set-Cookie went into the jar
    // Each hop's URL and the Cookie it sent, to recognise a loop.
    QList<std::pair<QUrl, QByteArray>> hops;
    QByteArray keepalivePayload; // the outstanding keepalive ping's payload, empty for none
    quint32 keepaliveSerial = 0;
    qint64 roundTripMs = -1;

    // ---- streaming receive (websocket_streaming.cpp, MessageReceiver) -----------------------
    void setMessageChunkSize(qint64 bytes); // 0: messages are assembled by the codec
    bool dispatchChunk(Event &event); // a MessageChunk event; false when q was deleted
    void detachReceiver(class MessageReceiverPrivate *leaving);
    void resetChunking(); // a new Conn: apply the chunk size, forget any message in progress

    class MessageReceiverPrivate *receiver = nullptr;
    qint64 messageChunkSize = 0;
    enum class ChunkRoute : quint8 { None, Device, Assemble, Drop };
    ChunkRoute chunkRoute = ChunkRoute::None; // where the current chunked message goes
    QByteArray chunkAssembly; // a chunked message no device took

    // ---- streaming send (websocket_streaming.cpp, MessageSender) ----------------------------
    // A MessageSender's fragmented message holds the message channel from its first fragment to
    // its last (RFC 6455 §5.4: only control frames may come between): data messages sent
    // meanwhile are held, in order, and a close() waits for the stream, then for them.
    struct HeldSend
    {
        enum class Kind : quint8 { Text, Binary, Fragments } kind;
        QString text;
        QByteArray payload;
        QList<QByteArray> fragments;
        MessageType type = MessageType::Binary;
        SendFlags flags = {};
    };
    bool isStreaming() const { return streamingSender != nullptr; }
    qint64 holdSend(HeldSend send); // the accepted payload size, or -1 once a close waits
    bool holdClose(CloseCode code, const QString &reason); // false: refused (bad code/reason)
    void beginStream(class MessageSenderPrivate *sender);
    void endStream(class MessageSenderPrivate *sender); // held sends go out, then the close
    qint64 transportBufferedAmount() const; // bufferedAmount without the held sends

    class MessageSenderPrivate *streamingSender = nullptr;
    std::deque<HeldSend> heldSends;
    qint64 heldBytes = 0;
    std::optional<std::pair<CloseCode, QString>> closeAfterStream;
};

} // namespace qtws
