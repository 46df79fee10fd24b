// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Streaming (<QtWs/messagestream.h>). Receive: with a MessageReceiver attached, the codec
// reports data messages as chunks (Conn::Options::messageChunkSize); each goes to the device
// the receiver chose for its message, or is assembled here and emitted as usual. Send: a
// MessageSender's message holds the message channel; what is sent meanwhile waits here.
#include "websocket/messagestream_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/utf8text.h>

#include "websocket/logging_p.h"

namespace qtws {

void WebSocketPrivate::setMessageChunkSize(qint64 bytes)
{
    messageChunkSize = bytes;
    if (conn)
        conn->setMessageChunkSize(bytes);
}

bool WebSocketPrivate::dispatchChunk(Event &event)
{
    QPointer<WebSocket> guard(q);
    if (chunkRoute == ChunkRoute::None) {
        chunkRoute = receiver && receiver->begin(event.messageType) ? ChunkRoute::Device
                                                                    : ChunkRoute::Assemble;
        if (!guard)
            return false;
    }
    switch (chunkRoute) {
    case ChunkRoute::Device: receiver->write(event.payload, event.fin); break;
    case ChunkRoute::Drop: break; // its receiver went away mid-message
    case ChunkRoute::None:
    case ChunkRoute::Assemble:
        if (chunkAssembly.isEmpty())
            chunkAssembly = std::move(event.payload); // a one-chunk message is not copied
        else
            chunkAssembly += event.payload;
        if (!event.fin)
            return true;
        chunkRoute = ChunkRoute::None;
        {
            const QByteArray message = std::exchange(chunkAssembly, QByteArray());
            // The codec validated the UTF-8 (RFC 6455 §8.1) as the chunks arrived.
            if (event.messageType == MessageType::Text)
                Q_EMIT q->textMessageReceived(textFromUtf8(message));
            else
                Q_EMIT q->binaryMessageReceived(message);
        }
        return !guard.isNull();
    }
    if (guard && event.fin)
        chunkRoute = ChunkRoute::None;
    return !guard.isNull();
}

void WebSocketPrivate::detachReceiver(MessageReceiverPrivate *leaving)
{
    if (receiver != leaving)
        return;
    receiver = nullptr;
    setMessageChunkSize(0);
    if (chunkRoute == ChunkRoute::Device)
        chunkRoute = ChunkRoute::Drop;
}

void WebSocketPrivate::resetChunking()
{
    if (conn)
        conn->setMessageChunkSize(messageChunkSize);
    chunkRoute = ChunkRoute::None;
    chunkAssembly.clear();
}

qint64 WebSocketPrivate::transportBufferedAmount() const
{
    return (connection ? connection->bufferedAmount() : 0) + (conn ? conn->outgoingSize() : 0);
}

qint64 WebSocketPrivate::holdSend(HeldSend send)
{
    if (closeAfterStream) {
        qCWarning(lcClient, "WebSocket: closing once the message stream ends; nothing sent");
        return -1;
    }
    qint64 size = send.payload.size() + send.text.toUtf8().size();
    for (const QByteArray &fragment : send.fragments)
        size += fragment.size();
    heldBytes += size;
    heldSends.push_back(std::move(send));
    return size;
}

bool WebSocketPrivate::holdClose(CloseCode code, const QString &reason)
{
    // Checked now, as Conn::close() would: a refusal must reach the caller of close().
    if (!isSendableCloseCode(quint16(code)) || reason.toUtf8().size() > 123) {
        qCWarning(lcClient) << "WebSocket::close: code" << quint16(code)
                            << "or a reason over 123 bytes may not be sent; the connection "
                               "stays open";
        return false;
    }
    if (!closeAfterStream)
        closeAfterStream = std::pair(code, reason);
    return true;
}

void WebSocketPrivate::beginStream(MessageSenderPrivate *sender)
{
    streamingSender = sender;
}

void WebSocketPrivate::endStream(MessageSenderPrivate *sender)
{
    if (streamingSender != sender)
        return;
    streamingSender = nullptr;
    std::deque<HeldSend> held = std::exchange(heldSends, {});
    heldBytes = 0;
    const auto close = std::exchange(closeAfterStream, std::nullopt);
    if (state != WebSocket::State::Open || !conn)
        return; // the connection ended with the stream: nothing more can go out
    // Replayed through the public calls, now that the channel is free (a later MessageSender
    // waiting for it starts on the next bytesWritten).
    QPointer<WebSocket> guard(q);
    for (HeldSend &send : held) {
        if (!guard || state != WebSocket::State::Open)
            return;
        switch (send.kind) {
        case HeldSend::Kind::Text: q->sendTextMessage(send.text, send.flags); break;
        case HeldSend::Kind::Binary: q->sendBinaryMessage(send.payload, send.flags); break;
        case HeldSend::Kind::Fragments: q->sendFragments(send.type, send.fragments); break;
        }
    }
    if (!guard)
        return;
    writeOutgoing();
    if (close)
        q->close(close->first, close->second);
}

} // namespace qtws
