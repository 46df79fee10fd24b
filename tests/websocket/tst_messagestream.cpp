// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// MessageSender and MessageReceiver (<QtWs/messagestream.h>): a message of any size streamed
// from a QIODevice and received into one, over real sockets on 127.0.0.1, with bounded memory.
#include "serverfixtures.h"

#include <QtWs/messagestream.h>
#include <QtWs/server.h>
#include <QtWs/websocket.h>

#include <QtCore/QBuffer>
#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace qtws;
using qtws::test::Client;

namespace {

// size bytes of a fixed pseudo-random pattern, generated as they are read (no memory, no
// disk), hashed as they are read.
class PatternDevice : public QIODevice
{
public:
    explicit PatternDevice(qint64 size) : m_size(size) { open(ReadOnly); }
    qint64 size() const override { return m_size; }
    bool isSequential() const override { return false; }
    QByteArray sha256() const { return m_hash.result(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = std::min(maxSize, m_size - pos());
        for (qint64 i = 0; i < n; ++i) {
            const quint64 at = quint64(pos() + i);
            data[i] = char((at * 2654435761u) >> 13 ^ at);
        }
        m_hash.addData(QByteArrayView(data, n));
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    qint64 m_size;
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

// Keeps only the count and the hash of what is written to it.
class HashingSink : public QIODevice
{
public:
    HashingSink() { open(WriteOnly); }
    bool isSequential() const override { return true; }
    QByteArray sha256() const { return m_hash.result(); }
    qint64 written = 0;
    bool failWrites = false;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        if (failWrites) {
            setErrorString(QStringLiteral("disk full (test)"));
            return -1;
        }
        m_hash.addData(QByteArrayView(data, size));
        written += size;
        return size;
    }

private:
    QCryptographicHash m_hash{QCryptographicHash::Sha256};
};

// A sequential in-memory pipe: what is written is read back in order; finish() ends it.
class Pipe : public QIODevice
{
public:
    Pipe() { open(ReadWrite); }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override { return m_data.size() + QIODevice::bytesAvailable(); }
    void finish()
    {
        m_finished = true;
        Q_EMIT readChannelFinished();
    }
    qint64 held() const { return m_data.size(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 n = std::min<qint64>(maxSize, m_data.size());
        std::memcpy(data, m_data.constData(), size_t(n));
        m_data.remove(0, n);
        return n;
    }
    qint64 writeData(const char *data, qint64 size) override
    {
        m_data.append(data, size);
        Q_EMIT readyRead();
        return size;
    }

private:
    QByteArray m_data;
    bool m_finished = false;
};

// The peak resident set so far, from /proc (VmHWM), in bytes; -1 where unreadable.
qint64 peakRss()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}

// A server whose handler echoes every binary message as a stream: what its MessageReceiver
// writes into a Pipe, a MessageSender sends back from it. The pipe is bounded: above 4 MiB the
// server stops reading its socket (setReadPaused), so a client that sends faster than it reads
// meets TCP flow control, not an ever-growing pipe.
struct StreamingEcho
{
    StreamingEcho() : server([this](WebSocket *ws) { serve(ws); }, options())
    {
        QVERIFY(server.listen());
    }

    static ServerOptions options()
    {
        // Streamed messages are bounded by the limit like any other: allow what the tests send.
        ServerOptions options;
        options.websocket.limits.maxMessageSize = qint64(2) << 30;
        options.websocket.limits.maxFrameSize = qint64(2) << 30;
        return options;
    }

    void serve(WebSocket *ws)
    {
        auto *receiver = new MessageReceiver(ws, [ws](MessageType type) -> QIODevice * {
            if (type != MessageType::Binary)
                return nullptr;
            auto *pipe = new Pipe;
            pipe->setParent(ws);
            auto *sender = new MessageSender(ws, pipe, MessageType::Binary);
            QObject::connect(sender, &MessageSender::progress, ws, [ws, pipe] {
                if (ws->isReadPaused() && pipe->held() < 1024 * 1024)
                    ws->setReadPaused(false);
            });
            QObject::connect(sender, &MessageSender::finished, sender, &QObject::deleteLater);
            sender->start();
            return pipe;
        });
        QObject::connect(receiver, &MessageReceiver::progress, ws, [this, ws](QIODevice *device) {
            auto *pipe = static_cast<Pipe *>(device);
            peakPipe = std::max(peakPipe, pipe->held());
            if (pipe->held() > 4 * 1024 * 1024)
                ws->setReadPaused(true);
        });
        QObject::connect(receiver, &MessageReceiver::messageReceived, ws,
            [](QIODevice *device) { static_cast<Pipe *>(device)->finish(); });
        QObject::connect(ws, &WebSocket::textMessageReceived, ws,
            [ws](const QString &text) { ws->sendTextMessage(text); });
    }

    Server server;
    qint64 peakPipe = 0;
};

} // namespace

class tst_MessageStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aGibibyteGoesThroughAStreamingEchoInBoundedMemory();
    void receiverChoosesPerMessageAndKeepsOrder();
    void sequentialSourceEndsWithAnEmptyFinalFragment();
    void sizeLimitStillApplies();
    void failingDeviceLosesOnlyItsMessage();
    void sendsAndCloseWaitForTheStream();
    void abandonedStreamClosesWith1011();
};

void tst_MessageStream::aGibibyteGoesThroughAStreamingEchoInBoundedMemory()
{
    StreamingEcho echo;
    // QTWS_STREAM_TEST_BYTES overrides the size (for investigating; the suite runs 1 GiB).
    const qint64 size = qEnvironmentVariableIsSet("QTWS_STREAM_TEST_BYTES")
        ? qEnvironmentVariable("QTWS_STREAM_TEST_BYTES").toLongLong()
        : qint64(1) << 30;
    PatternDevice source(size);
    HashingSink sink;
    // The echoed message is as large as the sent one: the limit must allow it, but nothing
    // holds it whole.
    ClientOptions options;
    options.limits.maxMessageSize = size;
    options.limits.maxFrameSize = size;
    WebSocket ws;
    MessageReceiver receiver(&ws, [&sink](MessageType) { return &sink; });
    QSignalSpy received(&receiver, &MessageReceiver::messageReceived);
    QSignalSpy closed(&ws, &WebSocket::closed);
    QSignalSpy connected(&ws, &WebSocket::connected);
    qint64 lastReceived = 0;
    int receiveRegressions = 0;
    connect(&receiver, &MessageReceiver::progress, this, [&](QIODevice *, qint64 bytes) {
        receiveRegressions += bytes <= lastReceived;
        lastReceived = bytes;
    });
    ws.open(echo.server.serverUrl(), options);
    QVERIFY(connected.wait(10000));

    const qint64 rssBefore = peakRss();
    MessageSender sender(&ws, &source, MessageType::Binary);
    QCOMPARE(sender.totalBytes(), size);
    qint64 lastSent = 0;
    int sendRegressions = 0;
    connect(&sender, &MessageSender::progress, this, [&](qint64 bytes, qint64 total) {
        sendRegressions += bytes <= lastSent || total != size;
        lastSent = bytes;
    });
    QSignalSpy finished(&sender, &MessageSender::finished);
    QVERIFY(sender.start());
    QTRY_VERIFY_WITH_TIMEOUT(received.count() == 1 || closed.count() == 1, 240000);
    QCOMPARE(closed.count(), 0);
    QCOMPARE(received.count(), 1);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(closed.count(), 0);
    QCOMPARE(received.at(0).at(2).toLongLong(), size);
    QCOMPARE(sink.written, size);
    QCOMPARE(sink.sha256().toHex(), source.sha256().toHex());
    QCOMPARE(sendRegressions, 0);
    QCOMPARE(receiveRegressions, 0);
    QCOMPARE(lastSent, size);
    // Both ends in this process: a whole copy of the message anywhere would add 1 GiB. The
    // bound leaves room for the sanitizers' quarantine of freed chunks (ASAN_OPTIONS in
    // CMakeLists.txt keeps it small) and the socket buffers.
    const qint64 growth = peakRss() - rssBefore;
    qInfo("peak RSS growth while streaming %lld MiB both ways: %lld KiB; the echo's pipe held at "
          "most %lld KiB",
        size >> 20, growth / 1024, echo.peakPipe / 1024);
    if (rssBefore >= 0)
        QVERIFY2(growth < 96 * 1024 * 1024, qPrintable(QString::number(growth)));
    QVERIFY(echo.peakPipe < 16 * 1024 * 1024);
}

void tst_MessageStream::receiverChoosesPerMessageAndKeepsOrder()
{
    StreamingEcho echo;
    Client client(echo.server.serverUrl());
    QStringList order;
    QList<std::shared_ptr<QBuffer>> buffers;
    MessageReceiver receiver(&client.ws, [&](MessageType type) -> QIODevice * {
        if (type == MessageType::Text)
            return nullptr; // assembled and emitted as usual
        auto buffer = std::make_shared<QBuffer>();
        buffer->open(QIODevice::WriteOnly);
        buffers.append(buffer);
        return buffer.get();
    });
    receiver.setChunkSize(1000);
    connect(&client.ws, &WebSocket::textMessageReceived, this,
        [&](const QString &text) { order << QStringLiteral("text:") + text; });
    connect(&receiver, &MessageReceiver::messageReceived, this,
        [&](QIODevice *device, MessageType type, qint64 size) {
            QVERIFY(type == MessageType::Binary);
            order << QStringLiteral("binary:%1:%2")
                         .arg(size)
                         .arg(QString::fromLatin1(QCryptographicHash::hash(
                             static_cast<QBuffer *>(device)->data(), QCryptographicHash::Sha256)
                                                      .toHex()
                                                      .left(8)));
        });
    QVERIFY(client.waitConnected());
    const QByteArray big(10'000, 'x');
    client.ws.sendTextMessage(QStringLiteral("one"));
    client.ws.sendBinaryMessage(big);
    client.ws.sendTextMessage(QStringLiteral("\u00e9t\u00e9")); // UTF-8 across the codec's chunks
    client.ws.sendBinaryMessage(QByteArray());
    const QString bigHash = QString::fromLatin1(
        QCryptographicHash::hash(big, QCryptographicHash::Sha256).toHex().left(8));
    const QString emptyHash = QString::fromLatin1(
        QCryptographicHash::hash({}, QCryptographicHash::Sha256).toHex().left(8));
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 4, 10000);
    QCOMPARE(order,
        QStringList({QStringLiteral("text:one"), QStringLiteral("binary:10000:") + bigHash,
            QStringLiteral("text:\u00e9t\u00e9"), QStringLiteral("binary:0:") + emptyHash}));
    QCOMPARE(client.binaries.count(), 0); // streamed messages are not emitted again
}

void tst_MessageStream::sequentialSourceEndsWithAnEmptyFinalFragment()
{
    StreamingEcho echo;
    Client client(echo.server.serverUrl());
    QVERIFY(client.waitConnected());
    Pipe source;
    MessageSender sender(&client.ws, &source);
    QCOMPARE(sender.totalBytes(), -1);
    QSignalSpy finished(&sender, &MessageSender::finished);
    QVERIFY(sender.start());
    source.write("abc");
    QTRY_COMPARE(sender.bytesSent(), 3);
    QCOMPARE(finished.count(), 0); // a sequential source is not done until it says so
    source.write("def");
    source.finish();
    QVERIFY(finished.wait(5000) || finished.count() == 1);
    QVERIFY(client.binaries.wait(5000) || client.binaries.count() == 1);
    QCOMPARE(client.binaries.at(0).at(0).toByteArray(), QByteArray("abcdef"));
}

void tst_MessageStream::sizeLimitStillApplies()
{
    ServerOptions options;
    options.websocket.limits.maxMessageSize = 100'000;
    HashingSink sink;
    QPointer<MessageReceiver> receiver; // a child of the server's WebSocket
    Server server(
        [&](WebSocket *ws) {
            receiver = new MessageReceiver(ws, [&sink](MessageType) { return &sink; });
        },
        options);
    QVERIFY(server.listen());
    Client client(server.serverUrl());
    QVERIFY(client.waitConnected());
    QTRY_VERIFY(receiver);
    QSignalSpy failed(receiver.data(), &MessageReceiver::messageFailed);
    // Larger than what can be queued before the server's 1009 arrives: the stream fails.
    PatternDevice source(64'000'000);
    MessageSender sender(&client.ws, &source);
    sender.setFragmentSize(30'000);
    sender.setMaxBufferedAmount(64 * 1024);
    QSignalSpy senderFailed(&sender, &MessageSender::failed);
    QVERIFY(sender.start());
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1009);
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY(sink.written <= 100'000);
    QCOMPARE(senderFailed.count(), 1);
}

void tst_MessageStream::failingDeviceLosesOnlyItsMessage()
{
    StreamingEcho echo;
    Client client(echo.server.serverUrl());
    HashingSink sink;
    sink.failWrites = true;
    MessageReceiver receiver(&client.ws, [&sink](MessageType) { return &sink; });
    QSignalSpy failed(&receiver, &MessageReceiver::messageFailed);
    QSignalSpy received(&receiver, &MessageReceiver::messageReceived);
    QVERIFY(client.waitConnected());
    client.ws.sendBinaryMessage(QByteArray(200'000, 'y'));
    QVERIFY(failed.wait(10000));
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("disk full (test)")));
    sink.failWrites = false;
    client.ws.sendBinaryMessage(QByteArray(10, 'z'));
    QVERIFY(received.wait(10000));
    QCOMPARE(received.at(0).at(2).toLongLong(), 10);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(client.ws.state(), WebSocket::State::Open);
}

void tst_MessageStream::sendsAndCloseWaitForTheStream()
{
    StreamingEcho echo;
    Client client(echo.server.serverUrl());
    QVERIFY(client.waitConnected());
    QSignalSpy pongs(&client.ws, &WebSocket::pongReceived);
    Pipe source;
    MessageSender sender(&client.ws, &source);
    QVERIFY(sender.start());
    source.write("abc");
    QTRY_COMPARE(sender.bytesSent(), 3);
    // Held behind the stream, in order, and counted as buffered; a ping goes out at once.
    const qint64 bufferedBefore = client.ws.bufferedAmount();
    QCOMPARE(client.ws.sendTextMessage(QStringLiteral("held 1")), 6);
    QCOMPARE(client.ws.sendBinaryMessage("held 2"), 6);
    QCOMPARE(client.ws.bufferedAmount(), bufferedBefore + 12);
    QVERIFY(client.ws.ping("now") >= 0);
    QVERIFY(pongs.wait(5000) || pongs.count() == 1);
    QCOMPARE(client.texts.count(), 0);
    client.ws.close(CloseCode::Normal, QStringLiteral("done"));
    QCOMPARE(client.ws.state(), WebSocket::State::Open); // waits for the stream
    QCOMPARE(client.ws.sendTextMessage(QStringLiteral("too late")), -1);
    source.write("def");
    source.finish();
    QVERIFY(client.waitClosed());
    QCOMPARE(client.closeCode(), 1000);
    QCOMPARE(client.texts.count(), 1);
    QCOMPARE(client.texts.at(0).at(0).toString(), QStringLiteral("held 1"));
    QCOMPARE(client.binaries.count(), 2);
    QCOMPARE(client.binaries.at(0).at(0).toByteArray(), QByteArray("abcdef"));
    QCOMPARE(client.binaries.at(1).at(0).toByteArray(), QByteArray("held 2"));
}

void tst_MessageStream::abandonedStreamClosesWith1011()
{
    ServerOptions options;
    QPointer<WebSocket> serverSide;
    Server server([&](WebSocket *ws) { serverSide = ws; }, options);
    QVERIFY(server.listen());
    Client client(server.serverUrl());
    QVERIFY(client.waitConnected());
    QTRY_VERIFY(serverSide);
    QSignalSpy serverClosed(serverSide.data(), &WebSocket::closed);
    {
        Pipe source;
        MessageSender sender(&client.ws, &source);
        QVERIFY(sender.start());
        source.write("partial");
        QTRY_COMPARE(sender.bytesSent(), 7);
    } // destroyed before finishing: the peer must not take "partial" for the message
    QVERIFY(serverClosed.wait(5000) || serverClosed.count() == 1);
    QCOMPARE(serverClosed.at(0).at(0).toInt(), 1011);
    QVERIFY(client.waitClosed());
}

QTEST_MAIN(tst_MessageStream)
#include "tst_messagestream.moc"
