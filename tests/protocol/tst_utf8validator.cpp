// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/utf8validator_p.h"

#include <QtTest/QTest>

using qtws::Utf8Validator;

namespace {

struct Verdict
{
    qsizetype errorIndex = -1; // first byte that cannot start or continue a sequence
    bool complete = true; // valid and not ending inside a sequence
};

// Whether some code point in [lo, hi] is a valid scalar value encoded with n bytes (RFC 3629 §3:
// the shortest form only, no surrogates, nothing above U+10FFFF).
bool reachesValid(int n, quint32 lo, quint32 hi)
{
    auto overlaps = [&](quint32 a, quint32 b) { return lo <= b && hi >= a; };
    switch (n) {
    case 2: return overlaps(0x80, 0x7FF);
    case 3: return overlaps(0x800, 0xD7FF) || overlaps(0xE000, 0xFFFF);
    case 4: return overlaps(0x10000, 0x10FFFF);
    }
    return false;
}

// An independent model of fail-fast validation: decode code points and, after every byte of a
// sequence, ask whether any completion of what is there so far is a valid character.
Verdict reference(const uchar *s, qsizetype size)
{
    qsizetype i = 0;
    while (i < size) {
        const uchar lead = s[i];
        int n = 0;
        quint32 cp = 0;
        if (lead < 0x80) {
            ++i;
            continue;
        } else if ((lead & 0xE0) == 0xC0) {
            n = 2;
            cp = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            n = 3;
            cp = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            n = 4;
            cp = lead & 0x07;
        } else {
            return {i, false};
        }
        for (int k = 0; k < n; ++k) {
            if (k > 0) {
                if (i + k >= size)
                    return {-1, false};
                const uchar c = s[i + k];
                if ((c & 0xC0) != 0x80)
                    return {i + k, false};
                cp = (cp << 6) | (c & 0x3F);
            }
            const int bitsLeft = 6 * (n - 1 - k);
            const quint32 lo = cp << bitsLeft;
            const quint32 hi = lo | ((quint32(1) << bitsLeft) - 1);
            if (!reachesValid(n, lo, hi))
                return {i + k, false};
        }
        i += n;
    }
    return {};
}

// Feeds data to a fresh validator in the given chunk sizes (cycled); returns the verdict.
Verdict validate(QByteArrayView data, qsizetype chunk)
{
    Utf8Validator v;
    for (qsizetype at = 0; at < data.size(); at += chunk) {
        const qsizetype n = std::min(chunk, data.size() - at);
        qsizetype bad = -1;
        if (!v.feed(data.sliced(at, n), &bad))
            return {at + bad, false};
    }
    return {-1, v.isComplete()};
}

} // namespace

class tst_Utf8Validator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sequences_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qsizetype>("errorIndex");
        QTest::addColumn<bool>("complete");
        auto row = [](const char *name, const char *hex, qsizetype error, bool complete) {
            QTest::newRow(name) << QByteArray::fromHex(hex) << error << complete;
        };
        row("empty input is complete", "", -1, true);
        row("ASCII is valid", "48656c6c6f", -1, true);
        row("2-byte U+00E9 is valid", "c3a9", -1, true);
        row("3-byte U+20AC is valid", "e282ac", -1, true);
        row("4-byte U+1F600 is valid", "f09f9880", -1, true);
        row("U+10FFFF, the last code point, is valid", "f48fbfbf", -1, true);
        row("U+D7FF and U+E000 around the surrogates are valid", "ed9fbfee8080", -1, true);
        row("U+FFFF is valid", "efbfbf", -1, true);
        row("C0 can only start an overlong form: rejected at once", "41c080", 1, false);
        row("C1 can only start an overlong form: rejected at once", "c1bf", 0, false);
        row("E0 80 is an overlong 3-byte form: rejected at the 80", "e08080", 1, false);
        row("E0 9F BF (overlong U+07FF) rejected at the 9F", "e09fbf", 1, false);
        row("F0 8F is an overlong 4-byte form: rejected at the 8F", "f08fbfbf", 1, false);
        row("ED A0 80 is a surrogate (U+D800): rejected at the A0", "eda080", 1, false);
        row("ED BF BF is a surrogate (U+DFFF): rejected at the BF", "edbfbf", 1, false);
        row("F4 90 is above U+10FFFF: rejected at the 90", "f4908080", 1, false);
        row("F5 can only start > U+10FFFF: rejected at once", "f5808080", 0, false);
        row("FF is never UTF-8", "61ff", 1, false);
        row("a lone continuation byte is rejected", "80", 0, false);
        row("a lead byte followed by ASCII is rejected at the ASCII", "c341", 1, false);
        row("a lead byte followed by a lead byte is rejected at the second", "e2c3a9", 1, false);
        row("a 3-byte sequence cut after 2 bytes is valid but incomplete", "e282", -1, false);
        row("a 4-byte sequence cut after 3 bytes is valid but incomplete", "f09f98", -1, false);
        row("a lone lead byte at the end is valid but incomplete", "4142c3", -1, false);
        row("a 5-byte form (F8) is rejected", "f888808080", 0, false);
    }

    // Whole, one byte at a time and in every chunk size: the same verdict, the same index.
    void sequences()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qsizetype, errorIndex);
        QFETCH(bool, complete);
        for (qsizetype chunk = 1; chunk <= std::max<qsizetype>(bytes.size(), 1); ++chunk) {
            const Verdict v = validate(bytes, chunk);
            QCOMPARE(v.errorIndex, errorIndex);
            QCOMPARE(v.complete, complete);
        }
        const Verdict model
            = reference(reinterpret_cast<const uchar *>(bytes.constData()), bytes.size());
        QCOMPARE(model.errorIndex, errorIndex);
        QCOMPARE(model.complete, complete);
        QCOMPARE(Utf8Validator::isValidUtf8(bytes), complete);
    }

    // Every 1- and 2-byte input, and every 3- and 4-byte input whose later bytes are drawn from
    // one representative of each byte class, agree with the model.
    void agreesWithModelExhaustively()
    {
        const uchar reps[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
            0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        auto check = [](const uchar *s, qsizetype n) {
            Utf8Validator v;
            qsizetype bad = -1;
            const bool ok = v.feed(QByteArrayView(s, n), &bad);
            const Verdict model = reference(s, n);
            if ((ok ? -1 : bad) != model.errorIndex || (ok && v.isComplete() != model.complete)) {
                qWarning("mismatch on %s",
                    QByteArray(reinterpret_cast<const char *>(s), n).toHex(' ').constData());
                return false;
            }
            return true;
        };
        uchar s[4];
        for (int a = 0; a < 256; ++a) {
            s[0] = uchar(a);
            QVERIFY(check(s, 1));
            for (int b = 0; b < 256; ++b) {
                s[1] = uchar(b);
                QVERIFY(check(s, 2));
                for (uchar c : reps) {
                    s[2] = c;
                    QVERIFY(check(s, 3));
                    if (a < 0xE0)
                        continue;
                    for (uchar d : reps) {
                        s[3] = d;
                        QVERIFY(check(s, 4));
                    }
                }
            }
        }
    }

    // The ASCII fast path (8 or 16 bytes at a time) stops at the first non-ASCII byte wherever
    // it sits in a block, and hands over to the DFA with the right state.
    void asciiFastPathStopsAtEveryPosition()
    {
        for (qsizetype prefix = 0; prefix <= 40; ++prefix) {
            for (qsizetype misalign = 0; misalign < 8; ++misalign) {
                QByteArray storage(misalign, 'x');
                const QByteArray ascii(prefix, 'a');
                // Invalid byte after the run: the error is at the run's end.
                QByteArray bad = storage + ascii + QByteArray::fromHex("ff") + QByteArray(20, 'b');
                Utf8Validator v;
                qsizetype index = -1;
                QVERIFY(!v.feed(QByteArrayView(bad).sliced(misalign), &index));
                QCOMPARE(index, prefix);
                // A multi-byte character after the run, then more ASCII: valid.
                QByteArray good
                    = storage + ascii + QByteArray::fromHex("f09f9880") + QByteArray(prefix, 'c');
                Utf8Validator w;
                QVERIFY(w.feed(QByteArrayView(good).sliced(misalign)));
                QVERIFY(w.isComplete());
                // A sequence split across the run's end and the next chunk.
                QByteArray split = ascii + QByteArray::fromHex("e2");
                Utf8Validator u;
                QVERIFY(u.feed(split));
                QVERIFY(!u.isComplete());
                QVERIFY(u.feed(QByteArray(QByteArray::fromHex("82ac") + ascii)));
                QVERIFY(u.isComplete());
            }
        }
    }

    // State carries across chunks and frames; once rejected the validator stays rejected until
    // reset.
    void stateIsKeptAcrossChunksAndRejectionSticks()
    {
        Utf8Validator v;
        QVERIFY(v.feed(QByteArray::fromHex("f0")));
        QVERIFY(v.feed(QByteArray::fromHex("9f")));
        QVERIFY(!v.isComplete());
        QVERIFY(v.feed(QByteArray::fromHex("98")));
        QVERIFY(v.feed(QByteArray::fromHex("80")));
        QVERIFY(v.isComplete());
        qsizetype bad = -1;
        QVERIFY(!v.feed(QByteArray::fromHex("41c0"), &bad));
        QCOMPARE(bad, qsizetype(1));
        QVERIFY(!v.isValid());
        QVERIFY(!v.feed("abc", &bad));
        QCOMPARE(bad, qsizetype(0));
        v.reset();
        QVERIFY(v.isValid());
        QVERIFY(v.feed("abc"));
        QVERIFY(v.isComplete());
    }
};

QTEST_APPLESS_MAIN(tst_Utf8Validator)
#include "tst_utf8validator.moc"
