// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArray>
#include <QtCore/QFlags>
#include <QtCore/QString>

namespace qtws {

// The reserved bits of a frame header (RFC 6455 §5.2), valued as in the header's first byte.
enum class ReservedBit : quint8 {
    Rsv1 = 0x40,
    Rsv2 = 0x20,
    Rsv3 = 0x10,
};
Q_DECLARE_FLAGS(ReservedBits, ReservedBit)

// A negotiated WebSocket extension (RFC 6455 §9) that works on whole data messages, such as
// permessage-deflate (RFC 7692): it claims reserved bits, and the codec hands it each message
// whose first frame carries some of them, and each message the application sends with
// Conn::sendText/sendBinary (not those sent with SendFlag::Uncompressed, nor fragments).
//
// The codec enforces the framing rules: a reserved bit the extension does not claim, or any
// reserved bit on a control or continuation frame, fails the connection with 1002 (RFC 6455
// §5.2, RFC 7692 §6). A message whose first frame has no reserved bit set is not passed to the
// extension. Messages passed to decodeMessage are assembled from their frames first, and text
// messages are UTF-8-validated after decoding.
class QTWS_EXPORT Extension
{
public:
    // The outcome of decodeMessage: ok, or the close code and reason that fail the connection.
    struct DecodeResult
    {
        quint16 closeCode = 0; // 0: ok
        QString reason{}; // short English, numbers included, at most 123 UTF-8 bytes

        bool isOk() const { return closeCode == 0; }
        static DecodeResult ok() { return {}; }
        static DecodeResult failure(quint16 code, QString why) { return {code, std::move(why)}; }
    };

    virtual ~Extension();

    // The extension token, as negotiated in Sec-WebSocket-Extensions ("permessage-deflate").
    virtual QByteArray name() const = 0;
    // The reserved bits this extension may set on the first frame of a data message.
    virtual ReservedBits reservedBits() const = 0;
    // Transforms a received message in place. rsv: the reserved bits of its first frame (never
    // empty). The result must not exceed maxSize bytes (Limits::maxMessageSize): a decompressor
    // stops inflating there and returns 1009 rather than allocating more.
    virtual DecodeResult decodeMessage(ReservedBits rsv, QByteArray &payload, qint64 maxSize) = 0;
    // Transforms a message about to be sent in place and returns the reserved bits to set on its
    // (first) frame; none leaves the message as it was, unmarked.
    virtual ReservedBits encodeMessage(QByteArray &payload) = 0;

protected:
    Extension() = default;
    Extension(const Extension &) = default;
    Extension &operator=(const Extension &) = default;
};

} // namespace qtws

Q_DECLARE_OPERATORS_FOR_FLAGS(qtws::ReservedBits)
