// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/conn.h>
#include <QtWs/extension.h>

#include "protocol/frameheader_p.h"
#include "protocol/maskkey_p.h"
#include "protocol/utf8validator_p.h"

#include <vector>

namespace qtws {

class Conn::Private
{
public:
    Private(Role r, Options o);

    // --- input ---
    void receive(QByteArrayView data);
    bool checkPrefix(const FrameHeader &h);
    bool beginFrame(const FrameHeader &h);
    void consumePayload(const char *data, qsizetype size);
    void endFrame();
    void endDataFrame();
    void endControlFrame();
    void pushMessageChunk(bool fin); // framePayload becomes a MessageChunk event
    void receiveClose();
    void completeClose();
    void fail(CloseCode code, QString why);
    void completeFailure();
    Event &pushEvent(Event::Type type);

    // --- output ---
    bool canSend(const char *function, bool dataFrame) const;
    // With shareable (the QByteArray payload views), a large unmasked payload is queued by
    // reference as its own outgoing block instead of being copied.
    void writeFrame(Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload,
        const QByteArray *shareable = nullptr);
    void writeClose(quint16 code, QByteArrayView why);
    enum class TextCheck : quint8 { Validate, AlreadyValid };
    qint64 sendMessage(MessageType type, QByteArrayView payload, SendFlags flags,
        const char *function, TextCheck check = TextCheck::Validate,
        const QByteArray *shareable = nullptr);
    quint32 nextMaskKey();

    const Role role;
    Options options;
    std::unique_ptr<Extension> extension;

    // Connection state (RFC 6455 §7).
    State state = State::Open;
    CloseInitiator initiator = CloseInitiator::None;
    bool closeSent = false;
    bool closeReceived = false;
    // The peer's close was parsed but its Close event not pulled yet: the echo waits for it, so
    // the application can still answer the messages that came before the close.
    bool closeEchoPending = false;
    bool failed = false;
    // A failure was found but its Failure event not pulled yet: its close frame waits for it,
    // so replies to the messages before the offending frame go out first.
    bool failurePending = false;
    bool inputDone = false; // a close was received or the connection failed: ignore input
    quint16 closeCode = quint16(CloseCode::AbnormalClosure);
    QString closeReason;

    // The frame being received.
    FrameHeaderParser headerParser;
    bool prefixChecked = false;
    bool inPayload = false;
    FrameHeader frame;
    quint64 frameOffset = 0; // payload bytes of this frame received so far (the mask position)
    // Where this frame's unmasked payload goes: the message, the frame buffer, the control
    // buffer, or nowhere (a streamed binary frame nobody asked to see).
    QByteArray *sink = nullptr;
    qsizetype frameStart = 0; // offset of this frame's payload in *sink
    bool validateFrame = false; // feed this frame's bytes to utf8 as they arrive

    // The data message being received.
    bool inMessage = false;
    MessageType messageType = MessageType::Binary;
    quint8 messageRsv = 0; // the reserved bits of its first frame: an extension decodes it
    qsizetype messageChunk = 0; // > 0: this message goes out as MessageChunk events this size
    int messageFrames = 0;
    qint64 messageSize = 0; // payload bytes on the wire so far
    QByteArray message;
    Utf8Validator utf8;
    QByteArray framePayload; // Frame events when the message is not buffered; or the chunk
    QByteArray control; // the payload of a control frame (≤ 125 bytes)

    // Events not yet pulled: [eventHead, events.size()). The vector is cleared (keeping its
    // capacity) whenever it is drained, so reporting an event does not allocate.
    std::vector<Event> events;
    size_t eventHead = 0;

    // Output: the bytes to write are outgoingBlocks (in order), then outgoing.
    std::vector<QByteArray> outgoingBlocks;
    qsizetype outgoingBlocksSize = 0;
    QByteArray outgoing;
    bool sendingFragmented = false;
    MessageType sendingType = MessageType::Binary;
    Utf8Validator sendUtf8; // the outgoing fragmented text message, across sendFragment calls
    std::unique_ptr<MaskKeySource> keySource;
};

} // namespace qtws
