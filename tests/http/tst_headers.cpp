// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/headers.h>

#include <QtTest/QTest>

using qtws::http::Headers;

class tst_Headers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesAreCaseInsensitive()
    {
        Headers h;
        h.append("Content-Type", "text/plain");
        QVERIFY(h.contains("content-type"));
        QCOMPARE(h.value("CONTENT-TYPE"), QByteArray("text/plain"));
        QVERIFY(h.value("Content-Length").isNull());
    }

    void repeatedNamesAreKeptInOrder()
    {
        // RFC 9110 §5.3: Set-Cookie may not be combined, so repeated fields must survive.
        Headers h{{"Set-Cookie", "a=1"}, {"X", "y"}, {"set-cookie", "b=2"}};
        QCOMPARE(h.count("Set-Cookie"), 2);
        QCOMPARE(h.values("Set-Cookie"), (QList<QByteArray>{"a=1", "b=2"}));
        QCOMPARE(h.fields().at(1).first, QByteArray("X"));
    }

    void setReplacesEveryFieldOfThatName()
    {
        Headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
        h.set("a", "9");
        QCOMPARE(h.size(), 2);
        QCOMPARE(h.fields().at(0), Headers::Field("A", "9"));
        QCOMPARE(h.fields().at(1), Headers::Field("B", "2"));
        h.set("C", "new");
        QCOMPARE(h.value("c"), QByteArray("new"));
    }

    void removeCountsRemovedFields()
    {
        Headers h{{"A", "1"}, {"B", "2"}, {"a", "3"}};
        QCOMPARE(h.remove("A"), 2);
        QCOMPARE(h.size(), 1);
        QCOMPARE(h.remove("A"), 0);
    }

    void listValuesSplitsCommaListsAcrossFields()
    {
        // RFC 9110 §5.6.1: empty list elements are ignored, whitespace around them too.
        Headers h{{"Connection", "keep-alive, Upgrade"}, {"connection", " , close ,"}};
        QCOMPARE(h.listValues("Connection"), (QList<QByteArray>{"keep-alive", "Upgrade", "close"}));
    }

    void containsTokenIgnoresCaseButNotSubstrings()
    {
        Headers h{{"Connection", "keep-alive, Upgrade"}};
        QVERIFY(h.containsToken("connection", "upgrade"));
        QVERIFY(!h.containsToken("connection", "upgra"));
        const Headers plural{{"Connection", "upgrades"}};
        QVERIFY(!plural.containsToken("Connection", "upgrade"));
    }

    void serializeWritesFieldsInOrder()
    {
        Headers h{{"Host", "example.com"}, {"Upgrade", "websocket"}};
        QCOMPARE(h.serialize(), QByteArray("Host: example.com\r\nUpgrade: websocket\r\n"));
        QCOMPARE(Headers().serialize(), QByteArray());
    }
};

QTEST_APPLESS_MAIN(tst_Headers)
#include "tst_headers.moc"
