// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/writequeue_p.h"

#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using qtws::transport::WriteQueue;

namespace {

// A real QIODevice that records each write it is given, to observe coalescing.
class RecordingDevice : public QIODevice
{
public:
    QList<QByteArray> writes;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        writes.append(QByteArray(data, size));
        return size;
    }
};

// A connected pair of TCP sockets on 127.0.0.1.
struct SocketPair
{
    QTcpServer server;
    std::unique_ptr<QTcpSocket> client = std::make_unique<QTcpSocket>();
    QTcpSocket *accepted = nullptr;

    bool connect()
    {
        if (!server.listen(QHostAddress::LocalHost, 0))
            return false;
        client->connectToHost(QHostAddress::LocalHost, server.serverPort());
        if (!server.waitForNewConnection(5000))
            return false;
        accepted = server.nextPendingConnection();
        return accepted && client->waitForConnected(5000);
    }
};

} // namespace

class tst_WriteQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesOfOneTurnBecomeOneDeviceWrite()
    {
        RecordingDevice device;
        QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        WriteQueue queue(&device);
        queue.enqueue("frame one|");
        queue.enqueue("two|");
        queue.enqueue("three");
        QCOMPARE(device.writes.size(), 0); // nothing until the event loop turns
        QCOMPARE(queue.pendingBytes(), 19);
        QTRY_COMPARE(device.writes.size(), 1);
        QCOMPARE(device.writes.first(), QByteArray("frame one|two|three"));
        QCOMPARE(queue.pendingBytes(), 0);
    }

    void laterTurnsAreSeparateWrites()
    {
        RecordingDevice device;
        QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        WriteQueue queue(&device);
        queue.enqueue("a");
        QTRY_COMPARE(device.writes.size(), 1);
        queue.enqueue("b");
        queue.enqueue("c");
        QTRY_COMPARE(device.writes.size(), 2);
        QCOMPARE(device.writes.at(1), QByteArray("bc"));
    }

    void flushWritesAtOnceAndDiscardDrops()
    {
        RecordingDevice device;
        QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        WriteQueue queue(&device);
        queue.enqueue("now");
        queue.flush();
        QCOMPARE(device.writes, QList<QByteArray>{"now"});
        queue.enqueue("never");
        queue.discard();
        QCOMPARE(queue.pendingBytes(), 0);
        QCoreApplication::processEvents();
        QCOMPARE(device.writes.size(), 1);
    }

    void bytesReachThePeerAndDrainedIsSignalled()
    {
        SocketPair pair;
        QVERIFY(pair.connect());
        WriteQueue queue(pair.client.get());
        QSignalSpy drained(&queue, &WriteQueue::drained);
        const QByteArray big(1 << 20, 'x');
        queue.enqueue(big);
        queue.enqueue("tail");
        QVERIFY(queue.bufferedAmount() >= big.size() + 4);
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT(
            (received += pair.accepted->readAll()).size() == big.size() + 4, 10000);
        QVERIFY(received.endsWith("xtail"));
        QTRY_VERIFY(drained.count() >= 1);
        QCOMPARE(queue.bufferedAmount(), 0);
    }

    void writesAfterTheDeviceClosedAreDropped()
    {
        RecordingDevice device;
        QVERIFY(device.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        WriteQueue queue(&device);
        queue.enqueue("late");
        device.close();
        QTRY_COMPARE(queue.pendingBytes(), 0);
        QVERIFY(device.writes.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_WriteQueue)
#include "tst_writequeue.moc"
