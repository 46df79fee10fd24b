// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/deadlines_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace std::chrono_literals;
using qtws::transport::Deadlines;

// Timing assertions here are lower bounds only ("not before"), which a slow machine cannot
// break; upper bounds are the QSignalSpy::wait timeouts, generous on purpose.
class tst_Deadlines : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiresOnceWithItsKindAndDuration()
    {
        Deadlines deadlines;
        QSignalSpy spy(&deadlines, &Deadlines::expired);
        QElapsedTimer clock;
        clock.start();
        deadlines.start(Deadlines::Kind::Close, 100ms);
        QVERIFY(deadlines.isActive(Deadlines::Kind::Close));
        QVERIFY(spy.wait(5000));
        QVERIFY(clock.elapsed() >= 100);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<Deadlines::Kind>(), Deadlines::Kind::Close);
        QCOMPARE(spy.at(0).at(1).value<std::chrono::milliseconds>(), 100ms);
        QVERIFY(!deadlines.isActive(Deadlines::Kind::Close));
        QVERIFY(!spy.wait(300)); // fires once, not periodically
    }

    void touchPushesAnIdleDeadlineBack()
    {
        Deadlines deadlines;
        QSignalSpy spy(&deadlines, &Deadlines::expired);
        QElapsedTimer clock;
        clock.start();
        deadlines.start(Deadlines::Kind::ReadIdle, 200ms);
        qint64 touchedAt = -1;
        QTimer::singleShot(150, &deadlines, [&] {
            touchedAt = clock.elapsed();
            deadlines.touch(Deadlines::Kind::ReadIdle);
        });
        QVERIFY(spy.wait(5000));
        QVERIFY(touchedAt >= 150);
        QVERIFY2(clock.elapsed() >= touchedAt + 200,
            qPrintable(QStringLiteral("expired %1 ms after a touch at %2 ms")
                           .arg(clock.elapsed())
                           .arg(touchedAt)));
    }

    void stopAndZeroDurationDisarm()
    {
        Deadlines deadlines;
        QSignalSpy spy(&deadlines, &Deadlines::expired);
        deadlines.start(Deadlines::Kind::Connect, 50ms);
        deadlines.stop(Deadlines::Kind::Connect);
        deadlines.start(Deadlines::Kind::Request, 50ms);
        deadlines.start(Deadlines::Kind::Request, 0ms);
        deadlines.start(Deadlines::Kind::WriteIdle, 50ms);
        deadlines.stopAll();
        QVERIFY(!deadlines.isActive(Deadlines::Kind::Connect));
        QVERIFY(!spy.wait(300));
    }

    void kindsAreIndependent()
    {
        Deadlines deadlines;
        QSignalSpy spy(&deadlines, &Deadlines::expired);
        deadlines.start(Deadlines::Kind::Handshake, 50ms);
        deadlines.start(Deadlines::Kind::KeepalivePong, 5000ms);
        QVERIFY(spy.wait(5000));
        QCOMPARE(spy.at(0).at(0).value<Deadlines::Kind>(), Deadlines::Kind::Handshake);
        QVERIFY(deadlines.isActive(Deadlines::Kind::KeepalivePong));
        QCOMPARE(QByteArray(Deadlines::name(Deadlines::Kind::ReadIdle)), QByteArray("read idle"));
    }
};

QTEST_GUILESS_MAIN(tst_Deadlines)
#include "tst_deadlines.moc"
