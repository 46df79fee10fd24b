// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/messagestream.h>

#include <QtCore/QIODevice>
#include <QtCore/QPointer>

namespace qtws {

class WebSocket;

class MessageSenderPrivate
{
public:
    MessageSenderPrivate(MessageSender *sender, WebSocket *ws, QIODevice *from, MessageType t)
        : q(sender), socket(ws), source(from), type(t)
    { }

    MessageSender *q;
    QPointer<WebSocket> socket;
    QPointer<QIODevice> source;
    MessageType type = MessageType::Binary;
    qint64 fragmentSize = 64 * 1024;
    qint64 maxBuffered = 1024 * 1024;
    qint64 sent = 0;
    qint64 total = -1;
    bool started = false;
    bool begun = false; // the first fragment is out: the message channel is ours
    bool finished = false;
    bool pumping = false; // re-entrancy guard (bytesWritten inside a write)
    bool sourceEnded = false; // a sequential source announced its end
    QString errorString;

    void pump();
    void sendFragment(const QByteArray &chunk, bool last);
    void fail(const QString &reason);
    void abandon(); // ends the connection (1011) under a stream that cannot finish
};

class MessageReceiverPrivate
{
public:
    MessageReceiverPrivate(
        MessageReceiver *receiver, WebSocket *ws, MessageReceiver::DeviceChooser chooser)
        : q(receiver), socket(ws), chooseDevice(std::move(chooser))
    { }

    MessageReceiver *q;
    QPointer<WebSocket> socket;
    MessageReceiver::DeviceChooser chooseDevice;
    qint64 chunkSize = 64 * 1024;
    // The message being written.
    QPointer<QIODevice> device;
    bool writing = false; // a device took the current message
    bool deviceLost = false; // ... and failed or went away: the rest is dropped
    MessageType type = MessageType::Binary;
    qint64 received = 0;

    // Called by WebSocketPrivate for each chunk of a message given to this receiver. begin()
    // returns whether a device took the message (else the WebSocket assembles it).
    bool begin(MessageType messageType);
    void write(const QByteArray &chunk, bool last); // emits; the caller checks its guard
    void connectionEnded();
};

} // namespace qtws
