// The frames a peer must not send (RFC 6455 §5.2–§5.5, §8.1) and the close code each earns
// (§7.4.1), shared by the codec, QObject and interop tests of both roles. Each case is written
// as raw frames with no knowledge of qtws's codec, so a codec bug cannot hide in the test.
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QMetaType>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace qtws::test {

struct RawFrame
{
    quint8 firstByte; // FIN, RSV1-3 and the opcode, as on the wire
    QByteArray payload; // under 126 bytes
};

struct BadFrameCase
{
    const char *name;
    QList<RawFrame> frames;
    quint16 closeCode;
    bool wrongMask = false; // masked toward a client, unmasked toward a server (§5.1)
};

// Every case: each fails the connection, and everything before it must still be delivered.
QList<BadFrameCase> badFrameCases();

// One frame as the sender of this direction writes it: masked when toServer (RFC 6455 §5.3),
// with the mask bit the wrong way round when wrongMask.
QByteArray rawFrame(const RawFrame &frame, bool toServer, bool wrongMask = false);
// All of a case's frames for one direction.
QByteArray badFrameBytes(const BadFrameCase &badCase, bool toServer);

// Valid messages sent before the bad frames: a text, a binary and a text that starts with
// U+FEFF (EF BB BF), which must arrive with its U+FEFF.
QList<RawFrame> validMessagesBeforeTheBadFrame();

// How a test hands bytes to the socket: at once, one byte per write, or in seeded random
// pieces of 1–7 bytes; each write is flushed and the event loop runs before the next, so a
// peer on the test's thread reads each piece on its own.
enum class Split { Whole, ByteByByte, Random };
void writeInPieces(QTcpSocket *socket, const QByteArray &bytes, Split split, quint32 seed);

// Qt Test rows "bad" (QByteArray, the case's frames for this direction), "closeCode" (int) and
// "split" (Split): every case with every split.
void addBadFrameRows(bool toServer);

} // namespace qtws::test

Q_DECLARE_METATYPE(qtws::test::Split)
