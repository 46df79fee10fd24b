// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/closecode.h>
#include <QtWs/limits.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QFlags>
#include <QtCore/QList>
#include <QtCore/QString>

#include <functional>
#include <memory>
#include <optional>

namespace qtws {

class Extension;
class WebSocket;

// Which end of the connection a Conn speaks for. Clients mask every frame they send and require
// unmasked frames; servers the reverse (RFC 6455 §5.1).
enum class Role : quint8 { Client, Server };

// Frame opcodes (RFC 6455 §5.2). 3–7 and 11–15 are reserved and fail the connection.
enum class Opcode : quint8 {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

enum class MessageType : quint8 { Text, Binary };

// Whether a fragment sent with Conn::sendFragment ends its message.
enum class Fin : quint8 { More, Last };

// Per-message choices for Conn::sendText/sendBinary (and WebSocket::sendTextMessage/
// sendBinaryMessage).
enum class SendFlag : quint8 {
    // Send this message as given, without the negotiated Extension transforming it: with
    // permessage-deflate, uncompressed (RFC 7692 §6 makes compression a per-message choice).
    // For data that does not compress (JPEG, zip) or secrets that must not share a compression
    // context with attacker-chosen data (RFC 7692 §9, CRIME/BREACH). No effect without an
    // extension.
    Uncompressed = 0x1,
};
Q_DECLARE_FLAGS(SendFlags, SendFlag)

// Something the peer did, as Conn::nextEvent() reports it.
struct Event
{
    enum class Type : quint8 {
        TextMessage, // payload: a complete, valid UTF-8 message
        BinaryMessage, // payload: a complete binary message
        Frame, // payload: one data frame's bytes (only with Conn::Options::deliverFrames)
        MessageChunk, // payload: the next bytes of a data message, as they arrive (only with
                      // a messageChunkSize); fin on the message's last chunk
        Ping, // payload: the ping's data; the pong is already queued in the output
        Pong, // payload: the pong's data
        Close, // the peer's close frame: closeCode (1005 if it had none) and reason
        Failure, // the connection failed: closeCode and reason why (sent in a close frame
                 // as this event is pulled, unless this side had sent its close already)
    };

    Type type = Type::BinaryMessage;
    QByteArray payload{};
    // Frame events: Text or Binary on a message's first frame, Continuation on later ones;
    // messageType says what the whole message is, fin whether this frame ends it.
    Opcode opcode = Opcode::Continuation;
    MessageType messageType = MessageType::Binary;
    bool fin = true;
    // Close and Failure events.
    quint16 closeCode = 0;
    QString reason{};
};

// qtws::Conn is the WebSocket protocol (RFC 6455 §5–§7) without I/O: feed it the bytes that
// arrive with receive(), pull what they mean with nextEvent(), ask it to send and collect the
// bytes to write with takeOutgoing(). It owns no socket, timer, thread or event loop, never
// throws on peer input, and reports the first protocol violation as a Failure event carrying
// the close code (RFC 6455 §7.4.1) that it has already queued in a close frame.
//
// Thread-safety: none; use one Conn from one thread at a time.
class QTWS_EXPORT Conn
{
public:
    enum class State : quint8 {
        Open, // messages flow both ways
        Closing, // a close frame was sent or received, the handshake is not finished
        Closed, // both close frames went (or the connection failed): close the transport
    };
    enum class CloseInitiator : quint8 { None, Local, Remote };
    // What the owner of the transport should do now (RFC 6455 §7.1.1, §7.1.7).
    enum class TransportAction : quint8 {
        Keep, // keep reading and writing
        CloseAfterWrite, // write what takeOutgoing() returns, then close the TCP connection
        WaitForPeerClose, // a client after the close handshake: the server closes first; the
                          // owner arms a timeout and closes itself if the server does not
    };

    struct Options
    {
        Limits limits{};
        // Emit an Event::Frame for every data frame as it completes, for consumers that stream
        // large messages. A message an Extension transformed (its first frame has a reserved
        // bit set) is reported frame by frame as on the wire, before the extension decodes it.
        bool deliverFrames = false;
        // Assemble data frames into TextMessage/BinaryMessage events. A pure streaming consumer
        // turns this off; maxMessageSize and UTF-8 validation still apply.
        bool deliverMessages = true;
        // Above 0: data messages are reported as MessageChunk events of at most this many
        // bytes, as their bytes arrive, instead of TextMessage/BinaryMessage (and Frame)
        // events, so a consumer can stream a message of any size (into a file) holding one
        // chunk at a time. The chunks of a message are its payload in order, the last one
        // (fin; empty only after an empty final fragment or for an empty message) ends it;
        // maxMessageSize and UTF-8 validation apply as usual (a text chunk may end inside a UTF-8
        // sequence). A message an Extension transformed is decoded whole first (bounded by
        // maxMessageSize) and comes as one chunk. Taken at each message's first frame
        // (setMessageChunkSize).
        qint64 messageChunkSize = 0;
        // Source of masking keys for a client, one call per frame; the key's first octet on the
        // wire is bits 31..24. Default: a CSPRNG (QRandomGenerator::system(), drawn in blocks).
        // Tests may inject a fixed key; production code must not.
        std::function<quint32()> maskKeySource;
    };

    explicit Conn(Role role);
    Conn(Role role, Options options);
    ~Conn();
    Conn(Conn &&) noexcept;
    Conn &operator=(Conn &&) noexcept;
    Conn(const Conn &) = delete;
    Conn &operator=(const Conn &) = delete;

    Role role() const;
    const Options &options() const;
    // Changes Options::messageChunkSize; a message already begun goes on as it started.
    void setMessageChunkSize(qint64 bytes);

    // A negotiated extension (e.g. permessage-deflate) that claims reserved bits and transforms
    // message payloads. Set before any frame is sent or received.
    void setExtension(std::unique_ptr<Extension> extension);
    Extension *extension() const;

    // --- input ---
    // Consumes bytes from the peer, in chunks of any size. Events become available through
    // nextEvent(); replies the protocol requires (pongs, the failure close) are queued in the
    // output. After a failure or a received close, further input is ignored.
    void receive(QByteArrayView data);
    // The next event, in the order the peer caused them, or nullopt when there is none.
    // Pulling the peer's Close event queues the echo of it and moves state() to Closed: until
    // then the application may still answer the messages that arrived before the close (RFC
    // 6455 §5.5.1 lets an endpoint finish what it sends before answering), or answer the close
    // with a code of its own by calling close(). A Failure works the same way: every message
    // completed before the offending frame comes first, in order, and may be answered; pulling
    // the Failure queues the failure's close frame (RFC 6455 §7.1.7) and moves state() to
    // Closed. failed() is true from the moment the failure is found.
    std::optional<Event> nextEvent();
    bool hasEvents() const;

    // --- output --- (each returns payload bytes accepted, or -1 with a qCWarning on misuse:
    // sending after close, a data message while a fragmented one is unfinished, >125 bytes of
    // control payload, an invalid close code, text that is not valid UTF-8.) After close() only
    // ping() and pong() are accepted until the peer's close arrives (RFC 6455 §5.5.1).
    // A negotiated Extension transforms sendText/sendBinary messages unless flags holds
    // SendFlag::Uncompressed; fragments always go out as given (uncompressed with
    // permessage-deflate, which RFC 7692 §6 allows per message).
    qint64 sendText(QByteArrayView utf8, SendFlags flags = {});
    qint64 sendBinary(QByteArrayView data, SendFlags flags = {});
    // One frame of a fragmented message: the first call starts a message of type, later calls
    // must give the same type, and Fin::Last ends it. Control frames may be sent in between.
    qint64 sendFragment(MessageType type, QByteArrayView chunk, Fin fin);
    qint64 ping(QByteArrayView payload = {});
    qint64 pong(QByteArrayView payload = {});
    // Starts the close handshake. reason is UTF-8, at most 123 bytes. NoStatusReceived (1005)
    // sends a close frame with an empty body. When the peer starts the handshake, Conn queues
    // the echo itself as the close frame arrives, so calling close() then returns -1.
    qint64 close(CloseCode code = CloseCode::Normal, QByteArrayView reason = {});
    qint64 close(quint16 code, QByteArrayView reason = {});

    // The bytes queued for the peer since the last call, ready to write as one block.
    QByteArray takeOutgoing();
    // The same bytes as blocks to write in order, without joining them: a large payload that
    // a server sends from a QByteArray (WebSocket::sendBinaryMessage) is one of the blocks,
    // shared with the sender's array instead of copied. takeOutgoing() joins the blocks.
    QList<QByteArray> takeOutgoingBlocks();
    qsizetype outgoingSize() const;

    // --- state ---
    State state() const;
    CloseInitiator closeInitiator() const;
    bool closeSent() const;
    bool closeReceived() const;
    // True when the connection failed (a Failure event was produced).
    bool failed() const;
    // The code and reason that describe how the connection ended: the peer's close (1005 if
    // it had no code), the code of a failure, or 1006 while not closed.
    quint16 closeCode() const;
    QString closeReason() const;
    TransportAction transportAction() const;
    // True when the peer has sent the start of a message that is not complete yet.
    bool receivingMessage() const;

private:
    // WebSocket encodes text from a QString, which is valid UTF-8 by construction (lone
    // surrogates become U+FFFD): it skips sendText's second validation pass, the larger part of
    // encoding ASCII text (bench/bench_conn.cpp: 64 KiB text 1.8 µs, binary 0.7 µs).
    // Both take the QByteArray so that a large server-side payload is shared, not copied, into
    // the outgoing blocks (bench/compare `large`).
    friend class WebSocket;
    qint64 sendEncodedText(const QByteArray &utf8, SendFlags flags);
    qint64 sendSharedBinary(const QByteArray &data, SendFlags flags);

    class Private;
    std::unique_ptr<Private> d{};
};

} // namespace qtws

Q_DECLARE_OPERATORS_FOR_FLAGS(qtws::SendFlags)
