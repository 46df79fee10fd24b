// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/conn.h>
#include <QtWs/utf8text.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace qtws {

// One complete message as the blocking API returns it (BlockingWebSocket::receive(), range-for):
// text or binary, and which one it was. A value type; copies share the payload (Qt implicit
// sharing), so passing it around costs no copy of the bytes.
class Message
{
public:
    // An empty binary message.
    Message() = default;
    explicit Message(QString text) : m_type(MessageType::Text), m_text(std::move(text)) { }
    explicit Message(QByteArray data) : m_type(MessageType::Binary), m_data(std::move(data)) { }

    MessageType type() const { return m_type; }
    bool isText() const { return m_type == MessageType::Text; }
    bool isBinary() const { return m_type == MessageType::Binary; }

    // A text message's text. For a binary message: its bytes decoded as UTF-8 (invalid sequences
    // replaced), for convenience with peers that send text as binary.
    QString text() const { return isText() ? m_text : textFromUtf8(m_data); }
    // A binary message's bytes. For a text message: its UTF-8 encoding, as it was on the wire.
    QByteArray data() const { return isText() ? m_text.toUtf8() : m_data; }

    // Bytes the message holds in memory (UTF-16 for text): what BlockingOptions::maxBufferedBytes
    // counts.
    qint64 memorySize() const
    {
        return isText() ? qint64(m_text.size()) * qint64(sizeof(QChar)) : qint64(m_data.size());
    }

    friend bool operator==(const Message &, const Message &) = default;

private:
    MessageType m_type = MessageType::Binary;
    QString m_text{};
    QByteArray m_data{};
};

} // namespace qtws
