// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/utf8text.h>

#include <QtTest/QtTest>

using qtws::textFromUtf8;

// textFromUtf8 keeps every code point of a message, a leading U+FEFF included (the one thing
// QString::fromUtf8 does not).
class tst_Utf8Text : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void fromUtf8StripsWhatTextFromUtf8Keeps();
};

void tst_Utf8Text::roundTrip_data()
{
    QTest::addColumn<QByteArray>("utf8");
    QTest::addColumn<int>("length"); // UTF-16 code units

    QTest::newRow("empty") << QByteArray() << 0;
    QTest::newRow("ASCII") << QByteArray("BOM first") << 9;
    QTest::newRow("leading BOM (the issue's 12 bytes)")
        << QByteArray::fromHex("efbbbf424f4d206669727374") << 10;
    QTest::newRow("BOM alone") << QByteArray::fromHex("efbbbf") << 1;
    QTest::newRow("two BOMs") << QByteArray::fromHex("efbbbfefbbbf") << 2;
    QTest::newRow("BOM in the middle") << QByteArray::fromHex("41efbbbf42") << 3;
    QTest::newRow("BOM then a 4-byte character") << QByteArray::fromHex("efbbbff09f9880") << 3;
}

void tst_Utf8Text::roundTrip()
{
    QFETCH(QByteArray, utf8);
    QFETCH(int, length);
    const QString text = textFromUtf8(utf8);
    QCOMPARE(text.size(), length);
    QCOMPARE(text.toUtf8(), utf8); // byte for byte: what an echo sends back
}

void tst_Utf8Text::fromUtf8StripsWhatTextFromUtf8Keeps()
{
    // Guards the reason this function exists: if Qt stops stripping the BOM the fast path
    // could go, and this row says so.
    const QByteArray bom = QByteArray::fromHex("efbbbf41");
    QCOMPARE(QString::fromUtf8(bom).size(), 1);
    QCOMPARE(textFromUtf8(bom), QString(QChar(0xFEFF)) + u'A');
}

QTEST_GUILESS_MAIN(tst_Utf8Text)
#include "tst_utf8text.moc"
