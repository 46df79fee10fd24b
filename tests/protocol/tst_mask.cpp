// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/mask_p.h"

#include <QtCore/QtEndian>
#include <QtTest/QTest>

#include <vector>

namespace {

// RFC 6455 §5.3 as written: "octet i of the transformed data is the XOR of octet i of the
// original data with octet at index i modulo 4 of the masking key".
void referenceMask(uchar *data, qsizetype size, quint32 key, quint64 offset)
{
    uchar octets[4];
    qToBigEndian(key, octets);
    for (qsizetype i = 0; i < size; ++i)
        data[i] ^= octets[(offset + quint64(i)) % 4];
}

std::vector<uchar> pattern(qsizetype size, int seed)
{
    std::vector<uchar> bytes(size_t(size) + 16);
    for (size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = uchar(i * 37 + size_t(seed) * 11 + 5);
    return bytes;
}

constexpr quint32 Keys[] = {0x00000000u, 0xFFFFFFFFu, 0x12345678u, 0xA5C30F81u};
// Offsets into a frame: every phase of the key, and positions beyond 32 bits.
constexpr quint64 Offsets[] = {0, 1, 2, 3, 4, 5, 6, 7, 125, 65536, (quint64(1) << 32) + 3};

} // namespace

class tst_Mask : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The word-at-a-time loop agrees with the byte-at-a-time rule for every length 0..64, every
    // key phase, and every misalignment of the buffer (frames start anywhere in a read).
    void applyMaskMatchesReferenceAtEveryOffsetAndLength()
    {
        for (quint32 key : Keys) {
            for (quint64 offset : Offsets) {
                for (qsizetype size = 0; size <= 64; ++size) {
                    for (int misalign = 0; misalign < 8; ++misalign) {
                        std::vector<uchar> expected = pattern(size, misalign);
                        std::vector<uchar> actual = expected;
                        referenceMask(expected.data() + misalign, size, key, offset);
                        qtws::applyMask(
                            reinterpret_cast<char *>(actual.data()) + misalign, size, key, offset);
                        QVERIFY2(actual == expected,
                            qPrintable(QStringLiteral("key %1 offset %2 size %3 misalign %4")
                                           .arg(key, 8, 16, QLatin1Char('0'))
                                           .arg(offset)
                                           .arg(size)
                                           .arg(misalign)));
                    }
                }
            }
        }
    }

    // The fused copy writes exactly the masked bytes and nothing beyond them, whatever the
    // alignment of source and destination.
    void copyWithMaskMatchesReference()
    {
        for (quint32 key : Keys) {
            for (quint64 offset : Offsets) {
                for (qsizetype size = 0; size <= 64; ++size) {
                    for (int srcAlign = 0; srcAlign < 8; srcAlign += 3) {
                        for (int dstAlign = 0; dstAlign < 8; ++dstAlign) {
                            const std::vector<uchar> source = pattern(size, srcAlign);
                            std::vector<uchar> expected(size_t(size) + 16, 0xEE);
                            std::copy(source.begin() + srcAlign, source.begin() + srcAlign + size,
                                expected.begin() + dstAlign);
                            referenceMask(expected.data() + dstAlign, size, key, offset);
                            std::vector<uchar> actual(size_t(size) + 16, 0xEE);
                            qtws::copyWithMask(reinterpret_cast<char *>(actual.data()) + dstAlign,
                                reinterpret_cast<const char *>(source.data()) + srcAlign, size, key,
                                offset);
                            QVERIFY2(actual == expected,
                                qPrintable(QStringLiteral("offset %1 size %2 src %3 dst %4")
                                               .arg(offset)
                                               .arg(size)
                                               .arg(srcAlign)
                                               .arg(dstAlign)));
                        }
                    }
                }
            }
        }
    }

    // A frame unmasked in arbitrary pieces, each continuing at its offset, equals the frame
    // unmasked at once; masking twice restores the data.
    void piecesContinueTheKey()
    {
        const qsizetype size = 1000;
        const std::vector<uchar> original = pattern(size, 3);
        std::vector<uchar> whole = original;
        qtws::applyMask(reinterpret_cast<char *>(whole.data()), size, 0xDEADBEEFu, 0);
        for (qsizetype piece : {1, 3, 7, 8, 13, 64, 333}) {
            std::vector<uchar> pieces = original;
            for (qsizetype at = 0; at < size; at += piece) {
                const qsizetype n = std::min(piece, size - at);
                qtws::applyMask(
                    reinterpret_cast<char *>(pieces.data()) + at, n, 0xDEADBEEFu, quint64(at));
            }
            QVERIFY(pieces == whole);
        }
        qtws::applyMask(reinterpret_cast<char *>(whole.data()), size, 0xDEADBEEFu, 0);
        QVERIFY(whole == original);
    }

    // The key's first wire octet is its most significant byte (the order the header carries).
    void keyOctetOrderIsBigEndian()
    {
        char data[4] = {0, 0, 0, 0};
        qtws::applyMask(data, 4, 0x01020304u, 0);
        QCOMPARE(QByteArray(data, 4), QByteArray::fromHex("01020304"));
        char shifted[2] = {0, 0};
        qtws::applyMask(shifted, 2, 0x01020304u, 3);
        QCOMPARE(QByteArray(shifted, 2), QByteArray::fromHex("0401"));
    }
};

QTEST_APPLESS_MAIN(tst_Mask)
#include "tst_mask.moc"
