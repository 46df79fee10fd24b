// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/logging_p.h"
#include "websocket/messagestream_p.h"
#include "websocket/websocket_p.h"

#include <QtWs/websocket.h>

namespace qtws {

MessageReceiver::MessageReceiver(WebSocket *socket, DeviceChooser chooseDevice, QObject *parent)
    : QObject(parent ? parent : socket)
    , d(new MessageReceiverPrivate(this, socket, std::move(chooseDevice)))
{
    // Queued connections and QSignalSpy need the signals' argument types.
    qRegisterMetaType<QIODevice *>();
    qRegisterMetaType<MessageType>();
    if (!socket)
        return;
    WebSocketPrivate *ws = WebSocketPrivate::get(socket);
    if (ws->receiver)
        qCWarning(lcClient, "MessageReceiver: the WebSocket had a receiver; this one replaces it");
    ws->receiver = d.get();
    ws->setMessageChunkSize(d->chunkSize);
    connect(socket, &WebSocket::closed, this, [this] { d->connectionEnded(); });
}

MessageReceiver::~MessageReceiver()
{
    // The QPointer is null once the WebSocket is being destroyed (it deletes its children
    // after its guards are cleared).
    if (!d->socket)
        return;
    WebSocketPrivate::get(d->socket)->detachReceiver(d.get());
}

void MessageReceiver::setChunkSize(qint64 bytes)
{
    d->chunkSize = std::max<qint64>(bytes, 1);
    if (d->socket && WebSocketPrivate::get(d->socket)->receiver == d.get())
        WebSocketPrivate::get(d->socket)->setMessageChunkSize(d->chunkSize);
}

qint64 MessageReceiver::chunkSize() const
{
    return d->chunkSize;
}

bool MessageReceiverPrivate::begin(MessageType messageType)
{
    QIODevice *chosen = chooseDevice ? chooseDevice(messageType) : nullptr;
    if (!chosen)
        return false;
    device = chosen;
    writing = true;
    deviceLost = false;
    type = messageType;
    received = 0;
    Q_EMIT q->messageStarted(chosen, messageType);
    return true;
}

void MessageReceiverPrivate::write(const QByteArray &chunk, bool last)
{
    QPointer<MessageReceiver> guard(q);
    if (!deviceLost) {
        if (!device) {
            deviceLost = true;
            Q_EMIT q->messageFailed(nullptr,
                QStringLiteral("the device was destroyed after %1 bytes of the message")
                    .arg(received));
        } else if (!chunk.isEmpty() && device->write(chunk) != chunk.size()) {
            deviceLost = true;
            Q_EMIT q->messageFailed(device,
                QStringLiteral("writing to the device failed after %1 bytes of the message: %2")
                    .arg(received)
                    .arg(device->errorString()));
        } else {
            received += chunk.size();
            if (!chunk.isEmpty())
                Q_EMIT q->progress(device, received);
            if (guard && last)
                Q_EMIT q->messageReceived(device, type, received);
        }
    }
    if (guard && last) {
        writing = false;
        device.clear();
    }
}

void MessageReceiverPrivate::connectionEnded()
{
    if (!writing)
        return;
    writing = false;
    if (!deviceLost)
        Q_EMIT q->messageFailed(device,
            QStringLiteral("the connection ended after %1 bytes of the message").arg(received));
    device.clear();
}

} // namespace qtws
