// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/conn.h>
#include <QtWs/utf8text.h>

#include "protocol/conn_p.h"
#include "protocol/logging_p.h"
#include "protocol/mask_p.h"

#include <QtCore/QtEndian>

#include <algorithm>
#include <cstring>
#include <utility>

namespace qtws {

namespace {

// RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less".
constexpr qsizetype MaxControlPayload = 125;
// Unmasked payloads at least this large are queued by reference (takeOutgoingBlocks), not
// copied behind their header; below it, one contiguous block is cheaper to write.
constexpr qsizetype SharedPayloadMinimum = 16 * 1024;
// RFC 6455 §5.5.1: a close body is a 2-byte code and a UTF-8 reason, so the reason has 123.
constexpr qsizetype MaxCloseReason = MaxControlPayload - 2;
// Streamed text that nobody keeps is unmasked through a stack block of this size to validate.
constexpr qsizetype ValidationBlock = 4096;

bool isControl(quint8 opcode)
{
    return opcode & 0x8;
}

// RFC 6455 §5.2: 0x3–0x7 and 0xB–0xF are reserved.
bool isDefinedOpcode(quint8 opcode)
{
    return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

const char *rsvName(quint8 rsv)
{
    return (rsv & FrameHeader::Rsv1) ? "RSV1" : (rsv & FrameHeader::Rsv2) ? "RSV2" : "RSV3";
}

quint8 rsvBits(ReservedBits bits)
{
    return quint8(bits.toInt()) & FrameHeader::RsvMask;
}

// A reason for a close frame: UTF-8, at most 123 bytes, cut at a character boundary.
QByteArray closeReasonBytes(const QString &why)
{
    QByteArray bytes = why.toUtf8();
    if (bytes.size() > MaxCloseReason) {
        qsizetype size = MaxCloseReason;
        while (size > 0 && (uchar(bytes.at(size)) & 0xC0) == 0x80)
            --size;
        bytes.truncate(size);
    }
    return bytes;
}

// Makes room for `needed` bytes. Grows geometrically with what has arrived (so within a small
// factor of it), and never beyond `bound`: a forged length makes the codec wait for bytes, never
// allocate memory the peer has not sent (RFC 6455 §10.4).
void reserveFor(QByteArray &buffer, qsizetype needed, qsizetype bound)
{
    if (needed <= buffer.capacity())
        return;
    // Doubling: a 1 MiB message read 256 KiB at a time is reallocated (copied, its new pages
    // faulted in) twice instead of three times (bench/compare `large`); memory stays within
    // twice what the peer has actually sent.
    const qsizetype grown = 2 * buffer.capacity();
    buffer.reserve(std::max(needed, std::min(grown, bound)));
}

// Makes buffer `size` bytes longer (contents of the new bytes unspecified) and returns where
// they start, reserving per reserveFor().
char *growBy(QByteArray &buffer, qsizetype size, qsizetype bound)
{
    const qsizetype at = buffer.size();
    if (at == 0 && buffer.capacity() < size) {
        // The common case, a message's first bytes: one plain allocation, sized for what the
        // frame announced so far but no more than has arrived when that is all there will be
        // (bench/bench_conn.cpp, 16-byte decode).
        const qsizetype target = std::max(size, std::min(2 * size, bound));
        buffer = QByteArray(target, Qt::Uninitialized);
        if (target != size)
            buffer.resize(size);
        return buffer.data();
    }
    reserveFor(buffer, at + size, bound);
    buffer.resize(at + size);
    return buffer.data() + at;
}

} // namespace

Conn::Private::Private(Role r, Options o) : role(r), options(std::move(o)) { }

// --- input --------------------------------------------------------------------------------------

void Conn::Private::receive(QByteArrayView data)
{
    const char *p = data.data();
    qsizetype left = data.size();
    while (left > 0 && !inputDone) {
        if (!inPayload) {
            qsizetype used = 0;
            const FrameHeaderParser::Status status = headerParser.feed(p, left, &used);
            p += used;
            left -= used;
            // Reject what the first two bytes already condemn without waiting for the rest.
            if (!prefixChecked && headerParser.hasPrefix()) {
                prefixChecked = true;
                if (!checkPrefix(headerParser.header()))
                    return;
            }
            if (status == FrameHeaderParser::Status::Invalid) {
                // RFC 6455 §5.2: the most significant bit of a 64-bit length MUST be 0.
                fail(CloseCode::ProtocolError,
                    QStringLiteral("64-bit payload length with the most significant bit set"));
                return;
            }
            if (status == FrameHeaderParser::Status::NeedMore)
                return;
            frame = headerParser.header();
            headerParser.reset();
            prefixChecked = false;
            if (!beginFrame(frame))
                return;
            if (frame.payloadLength == 0)
                endFrame();
            continue;
        }
        const auto take = qsizetype(std::min(quint64(left), frame.payloadLength - frameOffset));
        consumePayload(p, take);
        p += take;
        left -= take;
        if (inputDone)
            return;
        if (frameOffset == frame.payloadLength)
            endFrame();
    }
}

// The rules that depend only on the first two header bytes and on the message in progress.
bool Conn::Private::checkPrefix(const FrameHeader &h)
{
    const quint8 opcode = h.opcode;
    // RFC 6455 §5.1: a client masks every frame it sends, a server masks none; an endpoint
    // receiving the wrong kind closes the connection.
    if (role == Role::Server && !h.masked) {
        fail(CloseCode::ProtocolError,
            QString::asprintf("server received an unmasked frame (opcode %d)", opcode));
        return false;
    }
    if (role == Role::Client && h.masked) {
        fail(CloseCode::ProtocolError,
            QString::asprintf("client received a masked frame (opcode %d)", opcode));
        return false;
    }
    // RFC 6455 §5.2: reserved opcodes fail the connection.
    if (!isDefinedOpcode(opcode)) {
        fail(CloseCode::ProtocolError, QString::asprintf("reserved opcode %d", opcode));
        return false;
    }
    // RFC 6455 §5.2: RSV1–3 MUST be 0 unless a negotiated extension defines them; the
    // extensions this codec hosts mark a message on its first frame only (RFC 7692 §6).
    if (h.rsv) {
        const quint8 claimed = extension ? rsvBits(extension->reservedBits()) : 0;
        const quint8 unclaimed = h.rsv & ~claimed;
        if (unclaimed) {
            fail(CloseCode::ProtocolError,
                extension ? QString::asprintf("%s set but not used by extension %s",
                    rsvName(unclaimed), extension->name().constData())
                          : QString::asprintf(
                              "%s set without a negotiated extension", rsvName(unclaimed)));
            return false;
        }
        if (isControl(opcode) || opcode == quint8(Opcode::Continuation)) {
            fail(CloseCode::ProtocolError,
                QString::asprintf("%s set on a %s frame (opcode %d)", rsvName(h.rsv),
                    isControl(opcode) ? "control" : "continuation", opcode));
            return false;
        }
    }
    if (isControl(opcode)) {
        // RFC 6455 §5.5: "Control frames MUST NOT be fragmented".
        if (!h.fin) {
            fail(CloseCode::ProtocolError,
                QString::asprintf("control frame (opcode %d) without FIN", opcode));
            return false;
        }
        return true;
    }
    // RFC 6455 §5.4: a continuation continues a started message; a new message cannot start
    // before the previous one's final frame.
    const bool continuation = opcode == quint8(Opcode::Continuation);
    if (continuation && !inMessage) {
        fail(CloseCode::ProtocolError,
            QStringLiteral("continuation frame without a message to continue"));
        return false;
    }
    if (!continuation && inMessage) {
        fail(CloseCode::ProtocolError,
            QString::asprintf("data frame (opcode %d) inside an unfinished message", opcode));
        return false;
    }
    const int frames = (continuation ? messageFrames : 0) + 1;
    if (frames > options.limits.maxFragments) {
        fail(CloseCode::MessageTooBig,
            QString::asprintf("message of more than %d frames", options.limits.maxFragments));
        return false;
    }
    return true;
}

// The rules that need the payload length, then the setup for the payload.
bool Conn::Private::beginFrame(const FrameHeader &h)
{
    const quint8 opcode = h.opcode;
    if (isControl(opcode)) {
        // RFC 6455 §5.5: control frame payloads are at most 125 bytes.
        if (h.payloadLength > quint64(MaxControlPayload)) {
            fail(CloseCode::ProtocolError,
                QString::asprintf("control frame (opcode %d) of %llu bytes; the limit is 125",
                    opcode, h.payloadLength));
            return false;
        }
        control.resize(0);
        sink = &control;
        frameStart = 0;
        validateFrame = false;
    } else {
        // Limits are checked on the announced length, before any payload is buffered.
        const Limits &limits = options.limits;
        if (h.payloadLength > quint64(std::max<qint64>(limits.maxFrameSize, 0))) {
            fail(CloseCode::MessageTooBig,
                QString::asprintf("frame of %llu bytes exceeds the limit of %lld", h.payloadLength,
                    limits.maxFrameSize));
            return false;
        }
        const bool continuation = opcode == quint8(Opcode::Continuation);
        const qint64 before = continuation ? messageSize : 0;
        if (h.payloadLength > quint64(std::max<qint64>(limits.maxMessageSize - before, 0))) {
            fail(CloseCode::MessageTooBig,
                QString::asprintf("message of %llu bytes exceeds the limit of %lld",
                    quint64(before) + h.payloadLength, limits.maxMessageSize));
            return false;
        }
        if (!continuation) {
            inMessage = true;
            messageType = opcode == quint8(Opcode::Text) ? MessageType::Text : MessageType::Binary;
            messageRsv = h.rsv;
            messageChunk = qsizetype(std::max<qint64>(options.messageChunkSize, 0));
            messageFrames = 0;
            messageSize = 0;
            if (!message.isEmpty())
                message.resize(0);
            utf8.reset();
        }
        ++messageFrames;
        // A message an extension transformed is buffered whole for it, and its text validated
        // after decoding; any other text is validated as its bytes arrive.
        const bool transformed = messageRsv != 0;
        if (transformed || (options.deliverMessages && messageChunk == 0)) {
            sink = &message;
        } else if (options.deliverFrames || messageChunk > 0) {
            // A chunk carries on across frames (a message in many small fragments still
            // comes in chunks of messageChunk): what the last frame left stays.
            if (messageChunk == 0 || !continuation)
                framePayload.resize(0);
            sink = &framePayload;
        } else {
            sink = nullptr;
        }
        frameStart = sink ? sink->size() : 0;
        validateFrame = messageType == MessageType::Text && !transformed;
    }
    frameOffset = 0;
    inPayload = true;
    return true;
}

void Conn::Private::consumePayload(const char *data, qsizetype size)
{
    // RFC 6455 §8.1 with §7.1.7: invalid UTF-8 in a text message fails the connection with
    // 1007. It is reported at the byte that arrives, not when the frame or message ends.
    const qint64 position = isControl(frame.opcode) ? 0 : messageSize;
    auto validate = [this, position](const char *bytes, qsizetype count, qsizetype at) {
        qsizetype bad = 0;
        if (utf8.feed(QByteArrayView(bytes, count), &bad))
            return true;
        fail(CloseCode::InvalidPayloadData,
            QString::asprintf("invalid UTF-8 at byte %lld of a text message", position + at + bad));
        return false;
    };
    if (sink == &framePayload && messageChunk > 0) {
        // Options::messageChunkSize: never hold more than one chunk; a full one becomes an
        // event at once.
        for (qsizetype done = 0; done < size;) {
            const qsizetype count
                = std::min(size - done, messageChunk - qsizetype(framePayload.size()));
            char *dst = growBy(framePayload, count, messageChunk);
            if (frame.masked)
                copyWithMask(dst, data + done, count, frame.maskKey, frameOffset + quint64(done));
            else
                std::memcpy(dst, data + done, size_t(count));
            if (validateFrame && !validate(dst, count, done))
                return;
            done += count;
            // A chunk that ends the message waits for endDataFrame, which marks it fin.
            const bool endsMessage
                = frame.fin && frameOffset + quint64(done) == frame.payloadLength;
            if (framePayload.size() == messageChunk && !endsMessage)
                pushMessageChunk(false);
        }
    } else if (sink) {
        // Unmask straight from the input into the buffer the event will carry: one pass.
        // The final frame bounds the buffer at its announced end; a frame that more fragments
        // follow lets it grow geometrically up to the message limit, or a message in many
        // small fragments would reallocate (and copy everything so far) once per fragment.
        const qsizetype frameEnd = frameStart + qsizetype(frame.payloadLength);
        const qsizetype bound = frame.fin || sink != &message
            ? frameEnd
            : qsizetype(std::max<qint64>(options.limits.maxMessageSize, frameEnd));
        char *dst = growBy(*sink, size, bound);
        if (frame.masked)
            copyWithMask(dst, data, size, frame.maskKey, frameOffset);
        else
            std::memcpy(dst, data, size_t(size));
        if (validateFrame && !validate(dst, size, 0))
            return;
    } else if (validateFrame) {
        char block[ValidationBlock];
        for (qsizetype done = 0; done < size;) {
            const qsizetype count = std::min(ValidationBlock, size - done);
            const char *bytes = data + done;
            if (frame.masked) {
                copyWithMask(block, bytes, count, frame.maskKey, frameOffset + quint64(done));
                bytes = block;
            }
            if (!validate(bytes, count, done))
                return;
            done += count;
        }
    }
    frameOffset += quint64(size);
    if (!isControl(frame.opcode))
        messageSize += size;
}

void Conn::Private::endFrame()
{
    inPayload = false;
    if (isControl(frame.opcode))
        endControlFrame();
    else
        endDataFrame();
    sink = nullptr;
}

void Conn::Private::endDataFrame()
{
    const bool last = frame.fin;
    // RFC 6455 §5.6: a text message is UTF-8 as a whole, so it cannot end inside a sequence.
    if (last && validateFrame && !utf8.isComplete()) {
        fail(CloseCode::InvalidPayloadData,
            QString::asprintf(
                "text message of %lld bytes ends inside a UTF-8 sequence", messageSize));
        return;
    }
    if (messageChunk > 0 && sink == &framePayload) {
        if (last)
            pushMessageChunk(true); // the rest, possibly empty: the message is complete
    } else if (options.deliverFrames) {
        Event &event = pushEvent(Event::Type::Frame);
        event.opcode = Opcode(frame.opcode);
        event.messageType = messageType;
        event.fin = last;
        if (sink == &message)
            event.payload
                = QByteArray(message.constData() + frameStart, message.size() - frameStart);
        else
            event.payload = std::exchange(framePayload, QByteArray());
    }
    if (!last)
        return;
    if (messageRsv != 0) {
        const qint64 limit = options.limits.maxMessageSize;
        Extension::DecodeResult result
            = extension->decodeMessage(ReservedBits::fromInt(messageRsv), message, limit);
        if (!result.isOk()) {
            // An extension can only fail the connection with a code that may go on the wire.
            const quint16 code = isSendableCloseCode(result.closeCode)
                ? result.closeCode
                : quint16(CloseCode::InternalError);
            fail(CloseCode(code), result.reason);
            return;
        }
        if (message.size() > limit) {
            fail(CloseCode::MessageTooBig,
                QString::asprintf("decoded message of %lld bytes exceeds the limit of %lld",
                    qint64(message.size()), limit));
            return;
        }
        if (messageType == MessageType::Text && !Utf8Validator::isValidUtf8(message)) {
            fail(CloseCode::InvalidPayloadData,
                QString::asprintf("decoded text message of %lld bytes is not valid UTF-8",
                    qint64(message.size())));
            return;
        }
    }
    if (messageChunk > 0) {
        if (sink == &message) { // transformed: decoded whole, one chunk
            framePayload = std::exchange(message, QByteArray());
            pushMessageChunk(true);
        }
    } else if (options.deliverMessages) {
        const bool text = messageType == MessageType::Text;
        Event &event = pushEvent(text ? Event::Type::TextMessage : Event::Type::BinaryMessage);
        event.opcode = text ? Opcode::Text : Opcode::Binary;
        event.messageType = messageType;
        event.payload = std::exchange(message, QByteArray());
    } else {
        message.resize(0);
    }
    inMessage = false;
    messageRsv = 0;
    messageFrames = 0;
    messageSize = 0;
    utf8.reset();
}

void Conn::Private::pushMessageChunk(bool fin)
{
    Event &event = pushEvent(Event::Type::MessageChunk);
    event.opcode = messageType == MessageType::Text ? Opcode::Text : Opcode::Binary;
    event.messageType = messageType;
    event.fin = fin;
    event.payload = std::exchange(framePayload, QByteArray());
}

void Conn::Private::endControlFrame()
{
    switch (Opcode(frame.opcode)) {
    case Opcode::Ping: {
        // RFC 6455 §5.5.2: a Ping is answered with a Pong carrying the same data "unless it
        // already received a Close frame" (then input is ignored); that includes while our
        // own close is on its way.
        writeFrame(Opcode::Pong, true, 0, control);
        Event &event = pushEvent(Event::Type::Ping);
        event.opcode = Opcode::Ping;
        event.payload = std::exchange(control, QByteArray());
        break;
    }
    case Opcode::Pong: {
        Event &event = pushEvent(Event::Type::Pong);
        event.opcode = Opcode::Pong;
        event.payload = std::exchange(control, QByteArray());
        break;
    }
    case Opcode::Close: receiveClose(); break;
    default: Q_UNREACHABLE(); // checkPrefix let only defined control opcodes through
    }
}

void Conn::Private::receiveClose()
{
    // RFC 6455 §5.5.1: the body, if any, starts with a 2-byte status code.
    if (control.size() == 1) {
        fail(CloseCode::ProtocolError, QStringLiteral("close frame with a 1-byte payload"));
        return;
    }
    quint16 code = quint16(CloseCode::NoStatusReceived);
    QByteArrayView why;
    if (control.size() >= 2) {
        code = qFromBigEndian<quint16>(control.constData());
        // RFC 6455 §7.4: only defined and registrable codes may be received.
        if (!isSendableCloseCode(code)) {
            fail(CloseCode::ProtocolError,
                QString::asprintf("close frame with invalid code %u", unsigned(code)));
            return;
        }
        why = QByteArrayView(control).sliced(2);
        // RFC 6455 §5.5.1: the reason is UTF-8 (§8.1: invalid UTF-8 is 1007).
        if (!Utf8Validator::isValidUtf8(why)) {
            fail(CloseCode::InvalidPayloadData, QStringLiteral("close reason is not valid UTF-8"));
            return;
        }
    }
    closeReceived = true;
    inputDone = true; // RFC 6455 §5.5.1: nothing follows a close frame
    inMessage = false;
    closeCode = code;
    closeReason = textFromUtf8(why);
    Event &event = pushEvent(Event::Type::Close);
    event.opcode = Opcode::Close;
    event.closeCode = code;
    event.reason = closeReason;
    if (closeSent) {
        state = State::Closed; // the answer to our own close: the handshake is complete
        return;
    }
    // RFC 6455 §5.5.1: answer with a Close frame "as soon as practical"; an endpoint "MAY delay
    // sending a Close frame until its current message is sent". The echo goes out when the
    // application pulls this event, so the messages that arrived before the close (often in
    // the same read) can still be answered: nothing the peer asked for is lost.
    initiator = CloseInitiator::Remote;
    closeEchoPending = true;
}

// Sends the echo of the peer's close (see receiveClose) and ends the handshake.
void Conn::Private::completeClose()
{
    closeEchoPending = false;
    if (!closeSent) {
        // RFC 6455 §5.5.1: "typically echoing the status code it received"; an empty close is
        // answered with an empty close.
        writeClose(closeCode, {});
        closeSent = true;
    }
    state = State::Closed;
}

void Conn::Private::fail(CloseCode code, QString why)
{
    Q_ASSERT(!failed);
    // RFC 6455 §7.1.7: to fail the connection, send a close frame with the code (unless one
    // went already) and close the TCP connection; §7.1.1 lets either side close it then.
    const QByteArray reasonBytes = closeReasonBytes(why);
    failed = true;
    inputDone = true;
    inMessage = false;
    closeCode = quint16(code);
    closeReason = textFromUtf8(reasonBytes);
    Event &event = pushEvent(Event::Type::Failure);
    event.closeCode = closeCode;
    event.reason = closeReason;
    if (initiator == CloseInitiator::None && !closeSent)
        initiator = CloseInitiator::Local;
    // The close frame goes out when the application pulls this event (completeFailure), as the
    // echo of a peer's close does: the messages that were complete before the offending frame
    // (often in the same read) are delivered first, and replies to them go out before the close.
    // Nothing a valid frame asked for is lost to the invalid one behind it. Input stops here.
    failurePending = true;
}

// Sends the close frame of a failure (see fail) once its Failure event is pulled.
void Conn::Private::completeFailure()
{
    failurePending = false;
    if (!closeSent) {
        writeClose(closeCode, closeReasonBytes(closeReason));
        closeSent = true;
    }
    state = State::Closed;
}

Event &Conn::Private::pushEvent(Event::Type type)
{
    Event &event = events.emplace_back();
    event.type = type;
    return event;
}

// --- output -------------------------------------------------------------------------------------

bool Conn::Private::canSend(const char *function, bool dataFrame) const
{
    if (state == State::Closed) {
        qCWarning(lcProtocol, "Conn::%s: the connection is closed", function);
        return false;
    }
    if (dataFrame && closeSent) {
        // RFC 6455 §5.5.1: "the endpoint MUST NOT send any further data frames".
        qCWarning(
            lcProtocol, "Conn::%s: a close frame was sent; no data frames may follow", function);
        return false;
    }
    return true;
}

void Conn::Private::writeFrame(
    Opcode opcode, bool fin, quint8 rsv, QByteArrayView payload, const QByteArray *shareable)
{
    FrameHeader header;
    header.fin = fin;
    header.rsv = rsv;
    header.opcode = quint8(opcode);
    // RFC 6455 §5.3: a client masks each frame with a fresh, unpredictable key.
    header.masked = role == Role::Client;
    header.maskKey = header.masked ? nextMaskKey() : 0;
    header.payloadLength = quint64(payload.size());
    const int headerSize = frameHeaderSize(header.payloadLength, header.masked);
    if (shareable && !header.masked && payload.size() >= SharedPayloadMinimum) {
        // A large unmasked payload goes out as its own block, shared with the caller's
        // QByteArray: copying a 1 MiB echo into a fresh buffer (and faulting its pages in) was
        // a third of the server's time (bench/compare `large`, perf).
        const qsizetype at = outgoing.size();
        outgoing.resize(at + headerSize);
        encodeFrameHeader(reinterpret_cast<uchar *>(outgoing.data() + at), header);
        outgoingBlocksSize += outgoing.size() + payload.size();
        outgoingBlocks.push_back(std::exchange(outgoing, QByteArray()));
        outgoingBlocks.push_back(*shareable);
        return;
    }
    // One resize for header and payload, then both are written in place, masking while copying
    // (bench/bench_conn.cpp, encode cases).
    const qsizetype at = outgoing.size();
    outgoing.resize(at + headerSize + payload.size());
    char *dst = outgoing.data() + at;
    encodeFrameHeader(reinterpret_cast<uchar *>(dst), header);
    if (payload.isEmpty())
        return;
    if (header.masked)
        copyWithMask(dst + headerSize, payload.data(), payload.size(), header.maskKey, 0);
    else
        std::memcpy(dst + headerSize, payload.data(), size_t(payload.size()));
}

void Conn::Private::writeClose(quint16 code, QByteArrayView why)
{
    // RFC 6455 §7.4.1: 1005 means "no status code", so it is sent as an empty body.
    if (code == quint16(CloseCode::NoStatusReceived)) {
        writeFrame(Opcode::Close, true, 0, {});
        return;
    }
    char body[MaxControlPayload];
    qToBigEndian(code, body);
    const qsizetype reasonSize = std::min(why.size(), MaxCloseReason);
    if (reasonSize > 0)
        std::memcpy(body + 2, why.data(), size_t(reasonSize));
    writeFrame(Opcode::Close, true, 0, QByteArrayView(body, 2 + reasonSize));
}

qint64 Conn::Private::sendMessage(MessageType type, QByteArrayView payload, SendFlags flags,
    const char *function, TextCheck check, const QByteArray *shareable)
{
    if (!canSend(function, true))
        return -1;
    if (sendingFragmented) {
        qCWarning(lcProtocol,
            "Conn::%s: a fragmented message is unfinished; end it with Fin::Last first", function);
        return -1;
    }
    // RFC 6455 §5.6: text is UTF-8; the peer would fail the connection with 1007.
    Q_ASSERT(check == TextCheck::Validate || Utf8Validator::isValidUtf8(payload));
    if (type == MessageType::Text && check == TextCheck::Validate
        && !Utf8Validator::isValidUtf8(payload)) {
        qCWarning(lcProtocol, "Conn::%s: the text is not valid UTF-8", function);
        return -1;
    }
    const Opcode opcode = type == MessageType::Text ? Opcode::Text : Opcode::Binary;
    if (!extension || flags.testFlag(SendFlag::Uncompressed)) {
        writeFrame(opcode, true, 0, payload, shareable);
        return payload.size();
    }
    QByteArray transformed = payload.toByteArray();
    const quint8 rsv = rsvBits(extension->encodeMessage(transformed));
    if (rsv & ~rsvBits(extension->reservedBits())) {
        qCWarning(lcProtocol, "Conn::%s: extension %s set a reserved bit it does not claim",
            function, extension->name().constData());
        return -1;
    }
    writeFrame(opcode, true, rsv, transformed, &transformed);
    return payload.size();
}

quint32 Conn::Private::nextMaskKey()
{
    if (options.maskKeySource)
        return options.maskKeySource();
    if (!keySource)
        keySource = std::make_unique<MaskKeySource>();
    return keySource->next();
}

// --- Conn ---------------------------------------------------------------------------------------

Conn::Conn(Role role) : Conn(role, Options()) { }

Conn::Conn(Role role, Options options) : d(std::make_unique<Private>(role, std::move(options))) { }

Conn::~Conn() = default;
Conn::Conn(Conn &&) noexcept = default;
Conn &Conn::operator=(Conn &&) noexcept = default;

Role Conn::role() const
{
    return d->role;
}

const Conn::Options &Conn::options() const
{
    return d->options;
}

void Conn::setMessageChunkSize(qint64 bytes)
{
    d->options.messageChunkSize = bytes;
}

void Conn::setExtension(std::unique_ptr<Extension> extension)
{
    if (d->inMessage || d->sendingFragmented)
        qCWarning(lcProtocol, "Conn::setExtension: called in the middle of a message");
    d->extension = std::move(extension);
}

Extension *Conn::extension() const
{
    return d->extension.get();
}

void Conn::receive(QByteArrayView data)
{
    if (!d->inputDone)
        d->receive(data);
}

std::optional<Event> Conn::nextEvent()
{
    if (d->eventHead == d->events.size())
        return std::nullopt;
    std::optional<Event> event(std::move(d->events[d->eventHead++]));
    if (event->type == Event::Type::Close && d->closeEchoPending)
        d->completeClose();
    else if (event->type == Event::Type::Failure && d->failurePending)
        d->completeFailure();
    if (d->eventHead == d->events.size()) {
        // Drained: clear() keeps the capacity for the next events.
        d->events.clear();
        d->eventHead = 0;
    }
    return event;
}

bool Conn::hasEvents() const
{
    return d->eventHead < d->events.size();
}

qint64 Conn::sendText(QByteArrayView utf8, SendFlags flags)
{
    return d->sendMessage(MessageType::Text, utf8, flags, "sendText");
}

qint64 Conn::sendEncodedText(const QByteArray &utf8, SendFlags flags)
{
    return d->sendMessage(
        MessageType::Text, utf8, flags, "sendTextMessage", Private::TextCheck::AlreadyValid, &utf8);
}

qint64 Conn::sendSharedBinary(const QByteArray &data, SendFlags flags)
{
    return d->sendMessage(
        MessageType::Binary, data, flags, "sendBinaryMessage", Private::TextCheck::Validate, &data);
}

qint64 Conn::sendBinary(QByteArrayView data, SendFlags flags)
{
    return d->sendMessage(MessageType::Binary, data, flags, "sendBinary");
}

qint64 Conn::sendFragment(MessageType type, QByteArrayView chunk, Fin fin)
{
    if (!d->canSend("sendFragment", true))
        return -1;
    if (d->sendingFragmented && type != d->sendingType) {
        qCWarning(lcProtocol,
            "Conn::sendFragment: a %s message is in progress; a %s fragment cannot continue it",
            d->sendingType == MessageType::Text ? "text" : "binary",
            type == MessageType::Text ? "text" : "binary");
        return -1;
    }
    if (type == MessageType::Text) {
        // Validate on a copy so a refused fragment leaves the message's state as it was.
        Utf8Validator validator = d->sendingFragmented ? d->sendUtf8 : Utf8Validator();
        if (!validator.feed(chunk) || (fin == Fin::Last && !validator.isComplete())) {
            qCWarning(lcProtocol, "Conn::sendFragment: the text is not valid UTF-8");
            return -1;
        }
        d->sendUtf8 = validator;
    }
    // RFC 6455 §5.4: the first frame carries the message's opcode, the rest are continuations.
    const Opcode opcode = d->sendingFragmented ? Opcode::Continuation
        : type == MessageType::Text            ? Opcode::Text
                                               : Opcode::Binary;
    d->writeFrame(opcode, fin == Fin::Last, 0, chunk);
    d->sendingFragmented = fin == Fin::More;
    d->sendingType = type;
    return chunk.size();
}

qint64 Conn::ping(QByteArrayView payload)
{
    if (!d->canSend("ping", false))
        return -1;
    if (payload.size() > MaxControlPayload) {
        qCWarning(lcProtocol, "Conn::ping: %lld bytes of payload; control frames carry at most 125",
            qint64(payload.size()));
        return -1;
    }
    d->writeFrame(Opcode::Ping, true, 0, payload);
    return payload.size();
}

qint64 Conn::pong(QByteArrayView payload)
{
    if (!d->canSend("pong", false))
        return -1;
    if (payload.size() > MaxControlPayload) {
        qCWarning(lcProtocol, "Conn::pong: %lld bytes of payload; control frames carry at most 125",
            qint64(payload.size()));
        return -1;
    }
    d->writeFrame(Opcode::Pong, true, 0, payload);
    return payload.size();
}

qint64 Conn::close(CloseCode code, QByteArrayView reason)
{
    return close(quint16(code), reason);
}

qint64 Conn::close(quint16 code, QByteArrayView reason)
{
    if (d->state == State::Closed) {
        qCWarning(lcProtocol, "Conn::close: the connection is already closed");
        return -1;
    }
    if (d->closeSent) {
        qCWarning(lcProtocol, "Conn::close: a close frame was already sent");
        return -1;
    }
    const bool empty = code == quint16(CloseCode::NoStatusReceived);
    if (empty && !reason.isEmpty()) {
        qCWarning(lcProtocol, "Conn::close: 1005 sends an empty close body, which has no reason");
        return -1;
    }
    // RFC 6455 §7.4: 1004–1006, 1015 and unassigned codes must not be sent.
    if (!empty && !isSendableCloseCode(code)) {
        qCWarning(
            lcProtocol, "Conn::close: %u is not a close code that may be sent", unsigned(code));
        return -1;
    }
    if (reason.size() > MaxCloseReason) {
        qCWarning(lcProtocol, "Conn::close: a reason of %lld bytes; the limit is 123",
            qint64(reason.size()));
        return -1;
    }
    if (!Utf8Validator::isValidUtf8(reason)) {
        qCWarning(lcProtocol, "Conn::close: the reason is not valid UTF-8");
        return -1;
    }
    d->writeClose(code, reason);
    d->closeSent = true;
    if (d->closeEchoPending) {
        // The peer's close is parsed but not pulled yet: this close is the answer to it, with
        // the application's own code (RFC 6455 §5.5.1 only says "typically echoing").
        d->closeEchoPending = false;
        d->state = State::Closed;
    } else {
        d->initiator = CloseInitiator::Local;
        d->state = State::Closing;
    }
    return empty ? 0 : 2 + reason.size();
}

QByteArray Conn::takeOutgoing()
{
    if (d->outgoingBlocks.empty())
        return std::exchange(d->outgoing, QByteArray());
    QByteArray all;
    all.reserve(outgoingSize());
    for (const QByteArray &block : std::as_const(d->outgoingBlocks))
        all += block;
    all += d->outgoing;
    d->outgoingBlocks.clear();
    d->outgoingBlocksSize = 0;
    d->outgoing = QByteArray();
    return all;
}

QList<QByteArray> Conn::takeOutgoingBlocks()
{
    QList<QByteArray> blocks;
    blocks.reserve(qsizetype(d->outgoingBlocks.size()) + 1);
    for (QByteArray &block : d->outgoingBlocks)
        blocks.append(std::move(block));
    if (!d->outgoing.isEmpty())
        blocks.append(std::exchange(d->outgoing, QByteArray()));
    d->outgoingBlocks.clear();
    d->outgoingBlocksSize = 0;
    return blocks;
}

qsizetype Conn::outgoingSize() const
{
    return d->outgoing.size() + d->outgoingBlocksSize;
}

Conn::State Conn::state() const
{
    return d->state;
}

Conn::CloseInitiator Conn::closeInitiator() const
{
    return d->initiator;
}

bool Conn::closeSent() const
{
    return d->closeSent;
}

bool Conn::closeReceived() const
{
    return d->closeReceived;
}

bool Conn::failed() const
{
    return d->failed;
}

quint16 Conn::closeCode() const
{
    return d->state == State::Closed ? d->closeCode : quint16(CloseCode::AbnormalClosure);
}

QString Conn::closeReason() const
{
    return d->state == State::Closed ? d->closeReason : QString();
}

Conn::TransportAction Conn::transportAction() const
{
    if (d->state != State::Closed)
        return TransportAction::Keep;
    // RFC 6455 §7.1.1: the server closes the TCP connection first; a client waits for it (and
    // closes itself after a timeout, which is the owner's business). After a failure (§7.1.7)
    // either side may close at once.
    if (d->failed || d->role == Role::Server)
        return TransportAction::CloseAfterWrite;
    return TransportAction::WaitForPeerClose;
}

bool Conn::receivingMessage() const
{
    return d->inMessage;
}

} // namespace qtws
