// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/conn.h>
#include <QtWs/qtwsglobal.h>

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QString>

#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QIODevice;
QT_END_NAMESPACE

namespace qtws {

class WebSocket;

// Sends what a QIODevice holds (a file of any size, a pipe, a process's output) as one
// fragmented message, never holding more than a bounded amount of it in memory: it reads one
// fragment at a time, and only while the socket's bufferedAmount is under maxBufferedAmount
// (so a slow network slows the reading down instead of filling memory).
//
//     auto *sender = new qtws::MessageSender(socket, file);  // child of socket
//     connect(sender, &qtws::MessageSender::progress, bar, &Bar::setBytes);
//     connect(sender, &qtws::MessageSender::finished, sender, &QObject::deleteLater);
//     sender->start();
//
// While it streams, the message holds the WebSocket's message channel (RFC 6455 §5.4: the
// fragments of one message may be interleaved only with control frames): messages sent
// meanwhile (sendTextMessage, sendBinaryMessage, sendFragments, other MessageSenders) are held
// and go out in order after it, and count in bufferedAmount; ping and pong go out at once. A
// close() waits for the stream and for what it held, as it waits for any accepted message;
// abort() drops everything. A source read error, the connection ending, or deleting the sender
// before finished() ends the connection (1011 "message stream abandoned" if it was still open)
// rather than send a truncated message the peer would take for a whole one; what was held
// behind it is lost with the connection. The WebSocket and the source are used from the
// sender's thread (the WebSocket's).
class QTWS_EXPORT MessageSender : public QObject
{
    Q_OBJECT
    Q_PROPERTY(qint64 bytesSent READ bytesSent NOTIFY progress)
    Q_PROPERTY(qint64 totalBytes READ totalBytes CONSTANT)

public:
    // source must be open for reading; it is not owned. Text sources must hold UTF-8 (checked
    // as it goes; invalid text ends the stream as a read error does). parent defaults to
    // socket.
    MessageSender(WebSocket *socket, QIODevice *source, MessageType type = MessageType::Binary,
        QObject *parent = nullptr);
    ~MessageSender() override;

    // Payload bytes per frame (default 64 KiB; at least 1).
    void setFragmentSize(qint64 bytes);
    qint64 fragmentSize() const;
    // The socket's bufferedAmount above which reading pauses (default 1 MiB).
    void setMaxBufferedAmount(qint64 bytes);
    qint64 maxBufferedAmount() const;

    // Starts sending from the next event-loop turn. False (with a warning and errorString())
    // when the socket is not Open, the source is not readable, or it was already started.
    bool start();
    bool isFinished() const;
    // Payload bytes handed to the WebSocket so far.
    qint64 bytesSent() const;
    // The source's size when known (a random-access device), else -1.
    qint64 totalBytes() const;
    QString errorString() const;

Q_SIGNALS:
    void progress(qint64 bytesSent, qint64 totalBytes);
    // The whole message was handed to the WebSocket (a normal close() now sends it all first).
    void finished();
    void failed(const QString &reason);

private:
    std::unique_ptr<class MessageSenderPrivate> d;
};

// Receives a WebSocket's data messages into QIODevices as their bytes arrive, instead of
// assembling them in memory: chooseDevice(type) is called as each message begins (in message
// order, after every signal of the messages before it) and returns the device to write it to,
// or null to have this one assembled and emitted by the WebSocket as usual. The connection's
// maxMessageSize still bounds each message (1009 past it) and text is still validated (1007);
// memory holds one chunk (chunkSize) at a time. A message the peer compressed
// (permessage-deflate) is inflated whole first, bounded by maxMessageSize, then written.
//
// Attach it before any message can arrive: before open() on a client, right where the server
// hands the WebSocket over (its bytes are read from the next event-loop turn). Devices are not
// owned. A device that fails a write, or is destroyed, loses the rest of its message
// (messageFailed); the connection goes on.
class QTWS_EXPORT MessageReceiver : public QObject
{
    Q_OBJECT

public:
    using DeviceChooser = std::function<QIODevice *(MessageType type)>;
    // parent defaults to socket. chunkSize: bytes held and written at a time (default 64 KiB).
    MessageReceiver(WebSocket *socket, DeviceChooser chooseDevice, QObject *parent = nullptr);
    // Detaches: later messages are assembled by the WebSocket again. A message being written
    // when it is destroyed loses its rest (the device keeps what came so far).
    ~MessageReceiver() override;

    void setChunkSize(qint64 bytes);
    qint64 chunkSize() const;

Q_SIGNALS:
    void messageStarted(QIODevice *device, qtws::MessageType type);
    // Payload bytes of the current message written to device so far.
    void progress(QIODevice *device, qint64 bytesReceived);
    // The message is complete in device (size payload bytes).
    void messageReceived(QIODevice *device, qtws::MessageType type, qint64 size);
    // The message did not arrive whole: the device failed or went away, or the connection ended
    // before the message did. device may be null (destroyed).
    void messageFailed(QIODevice *device, const QString &reason);

private:
    friend class WebSocketPrivate;
    std::unique_ptr<class MessageReceiverPrivate> d;
};

} // namespace qtws
