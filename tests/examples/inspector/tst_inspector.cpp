// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// The Inspector (examples/inspector), driven offscreen: its QML window is loaded exactly as the
// app loads it, and the test goes through real exchanges on 127.0.0.1 — an in-test qtws echo
// server for the client view, a python3-websockets client for the server view — asserting on
// the log model's rows, the handshake, sessions, and saving screenshots of both views.
//
// The connections are the QML module's WebSocket and WebSocketServer (import QtWs) inside the
// views: the test calls the views' QML functions (connectToServer, send, listen…) and reads
// their properties and the sockets', as the buttons do; the logs are the C++ models.

#include "echo.h"
#include "inspectorapp.h"
#include "logfiltermodel.h"
#include "messageformat.h"
#include "peerprocess.h"
#include "peerscript.h"
#include "session.h"
#include "testcertificates.h"
#include "theme.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QScopeGuard>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtGui/QClipboard>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWs/server.h>

using namespace std::chrono_literals;
using inspector::LogEntry;
using inspector::LogModel;
using qtws::test::PeerKind;
using qtws::test::PeerProcess;
using qtws::test::PeerScript;

namespace {

struct Row
{
    QString direction;
    QString kind;
    qint64 size;
    QString preview;
};

Row rowAt(const LogModel &log, int row)
{
    const QModelIndex index = log.index(row);
    return {index.data(LogModel::DirectionRole).toString(),
        index.data(LogModel::KindRole).toString(), index.data(LogModel::SizeRole).toLongLong(),
        index.data(LogModel::PreviewRole).toString()};
}

// The rows of kind `kind` (events left out), as "dir kind size".
QStringList summary(const LogModel &log)
{
    QStringList rows;
    for (int i = 0; i < log.count(); ++i) {
        const Row row = rowAt(log, i);
        if (row.kind != u"event")
            rows.append(QStringLiteral("%1 %2 %3").arg(row.direction, row.kind).arg(row.size));
    }
    return rows;
}

// The first row of this direction and kind whose preview starts with prefix, or -1.
int rowStartingWith(
    const LogModel &log, const QString &direction, const QString &kind, const QString &prefix)
{
    for (int i = 0; i < log.count(); ++i) {
        const Row row = rowAt(log, i);
        if (row.direction == direction && row.kind == kind && row.preview.startsWith(prefix))
            return i;
    }
    return -1;
}

int lastRowOf(const LogModel &log, const QString &direction, const QString &kind)
{
    for (int i = log.count() - 1; i >= 0; --i) {
        const Row row = rowAt(log, i);
        if (row.direction == direction && row.kind == kind)
            return i;
    }
    return -1;
}

LogEntry entry(LogEntry::Kind kind, const QByteArray &payload,
    LogEntry::Direction direction = LogEntry::Direction::Incoming)
{
    return {.direction = direction, .kind = kind, .size = payload.size(), .payload = payload};
}

// A QML function of a view (or any invokable), called with QVariant arguments.
template<typename... Args>
QVariant call(QObject *object, const char *method, const Args &...args)
{
    QVariant result;
    if (!QMetaObject::invokeMethod(object, method, Q_RETURN_ARG(QVariant, result),
            Q_ARG(QVariant, QVariant::fromValue(args))...))
        qWarning("no method %s on %s", method, object->metaObject()->className());
    return result;
}

} // namespace

class tst_Inspector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    // The pieces on their own.
    void prettyJson_data();
    void prettyJson();
    void hexDump();
    void parseHex_data();
    void parseHex();
    void composerValidation_data();
    void composerValidation();
    void fragmentsSplit();
    void logCapDropsOldestInBatches();
    void logPauseHoldsEntries();
    void logFilter();

    // The window, through real exchanges.
    void clientExchange();
    void keyboardShortcuts();
    void sessionRoundTrip();
    void commandLineTargets();
    void serverModeWithPythonClient();
    void tlsServerAndClient();
    void connectSettingsRefused_data();
    void connectSettingsRefused();
    void floodStaysBounded();

private:
    QQuickItem *item(const char *objectName) const;
    void screenshot(const QString &name);
    QQuickItem *clientView() const { return item("clientView"); }
    QQuickItem *serverView() const { return item("serverView"); }
    // The client view's WebSocket (import QtWs).
    QObject *socket() const { return clientView()->property("socket").value<QObject *>(); }
    QString clientState() const { return clientView()->property("connectionState").toString(); }
    bool connectClient() { return call(clientView(), "connectToServer").toBool(); }
    void disconnectClient() { call(clientView(), "disconnectFromServer"); }
    void abortClient() { call(clientView(), "abort"); }
    bool send() { return call(clientView(), "send").toBool(); }

    std::unique_ptr<inspector::InspectorApp> m_app;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    std::unique_ptr<qtws::Server> m_echo;
    QTemporaryDir m_dir;
};

void tst_Inspector::initTestCase()
{
    QVERIFY(m_dir.isValid());
    inspector::applyTheme();
    m_app = std::make_unique<inspector::InspectorApp>();
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_app->install(m_engine.get());
    QList<QQmlError> errors;
    connect(m_engine.get(), &QQmlEngine::warnings, this,
        [&errors](const QList<QQmlError> &warnings) { errors.append(warnings); });
    m_engine->load(QUrl(QStringLiteral("qrc:/inspector/qml/Main.qml")));
    QCOMPARE(m_engine->rootObjects().size(), 1);
    m_window = qobject_cast<QQuickWindow *>(m_engine->rootObjects().first());
    QVERIFY(m_window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    for (const QQmlError &error : errors)
        qWarning() << error.toString();
    QVERIFY2(errors.isEmpty(), "the QML loaded with warnings (above)");

    qtws::ServerOptions options = echo::options(QHostAddress::LocalHost, 0);
    options.websocket.subprotocols = {QStringLiteral("chat")};
    m_echo = std::make_unique<qtws::Server>(echo::handleConnection, options);
    QVERIFY2(m_echo->listen(), qPrintable(m_echo->errorString()));
}

void tst_Inspector::cleanupTestCase()
{
    m_engine.reset();
    m_app.reset();
    m_echo.reset();
}

// Items of the views by objectName, through the visual tree (SplitView and StackLayout
// re-parent their content items, so QObject::findChild does not reach them all).
static QQuickItem *findItem(QQuickItem *root, QLatin1StringView name)
{
    if (root->objectName() == name)
        return root;
    for (QQuickItem *child : root->childItems())
        if (QQuickItem *found = findItem(child, name))
            return found;
    return nullptr;
}

QQuickItem *tst_Inspector::item(const char *objectName) const
{
    return findItem(m_window->contentItem(), QLatin1StringView(objectName));
}

void tst_Inspector::screenshot(const QString &name)
{
    // Let the view lay out and render what the models hold now (the log flushes every 50 ms;
    // the statistics publish every second).
    m_app->client()->log()->flush();
    // A notice of an earlier test step (they stay up for 8 s) is not part of this picture.
    m_app->showMessage(QString());
    QTest::qWait(120); // a rendering pause, not synchronisation: grabWindow renders anew
    const QImage image = m_window->grabWindow();
    QVERIFY(!image.isNull());
    QVERIFY(QDir().mkpath(QStringLiteral(QTWS_INSPECTOR_SCREENSHOTS)));
    const QString path = QStringLiteral(QTWS_INSPECTOR_SCREENSHOTS) + u'/' + name;
    QVERIFY2(image.save(path), qPrintable(path));
    qInfo("screenshot: %s (%dx%d)", qPrintable(path), image.width(), image.height());
}

// ---- the pieces ---------------------------------------------------------------------------

void tst_Inspector::prettyJson_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected"); // null: not JSON to pretty-print

    QTest::newRow("an object is re-indented")
        << QByteArray(R"({"a":1,"b":[true,null]})")
        << QStringLiteral("{\n    \"a\": 1,\n    \"b\": [\n        true,\n        null\n    ]\n}");
    QTest::newRow("an array with leading space")
        << QByteArray("  [1,2]") << QStringLiteral("[\n    1,\n    2\n]");
    QTest::newRow("a bare number is left alone") << QByteArray("42") << QString();
    QTest::newRow("broken JSON is plain text") << QByteArray(R"({"a":)") << QString();
    QTest::newRow("plain text") << QByteArray("hello {world}") << QString();
}

void tst_Inspector::prettyJson()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);
    const std::optional<QString> pretty = inspector::prettyJson(input);
    QCOMPARE(pretty.has_value(), !expected.isNull());
    if (pretty)
        QCOMPARE(*pretty, expected);
}

void tst_Inspector::hexDump()
{
    QCOMPARE(inspector::hexDump(QByteArray("hello\0\xff", 7)),
        QStringLiteral("00000000  68 65 6c 6c 6f 00 ff                              |hello..|"));
    QByteArray bytes;
    for (int i = 0; i < 20; ++i)
        bytes.append(char(0x41 + i));
    QCOMPARE(inspector::hexDump(bytes),
        QStringLiteral(
            "00000000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  |ABCDEFGHIJKLMNOP|\n"
            "00000010  51 52 53 54                                       |QRST|"));
    QCOMPARE(inspector::hexDump(bytes, 16).section(u'\n', 1),
        QStringLiteral("… 4 more bytes not shown"));
}

void tst_Inspector::parseHex_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<QString>("error"); // a part of the error; empty when it parses

    QTest::newRow("pairs with spaces")
        << u"de ad be ef"_qs << QByteArray("\xde\xad\xbe\xef") << QString();
    QTest::newRow("0x prefixes, colons, upper case")
        << u"0xDE:0xad,01"_qs << QByteArray("\xde\xad\x01") << QString();
    QTest::newRow("no separators") << u"00ff"_qs << QByteArray("\x00\xff", 2) << QString();
    QTest::newRow("empty is zero bytes") << u""_qs << QByteArray() << QString();
    QTest::newRow("odd digit count is refused") << u"abc"_qs << QByteArray() << u"odd number"_qs;
    QTest::newRow("a non-hex character names its column")
        << u"ab zz"_qs << QByteArray() << u"'z' at column 4"_qs;
}

void tst_Inspector::parseHex()
{
    QFETCH(QString, input);
    QFETCH(QByteArray, expected);
    QFETCH(QString, error);
    QString message;
    const std::optional<QByteArray> bytes = inspector::parseHex(input, &message);
    QCOMPARE(bytes.has_value(), error.isEmpty());
    if (bytes)
        QCOMPARE(*bytes, expected);
    else
        QVERIFY2(message.contains(error), qPrintable(message));
}

void tst_Inspector::composerValidation_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("summary");
    using Mode = inspector::Composer::Mode;
    QTest::newRow("text is always sendable")
        << int(Mode::Text) << u"{not json"_qs << QString() << u"text, 9 B"_qs;
    QTest::newRow("valid JSON") << int(Mode::Json) << u"{\"a\": [1, 2]}"_qs << QString()
                                << u"text, 13 B"_qs;
    QTest::newRow("invalid JSON: line and column")
        << int(Mode::Json) << u"{\n  \"a\": }"_qs << u"invalid JSON at line 2, column 9"_qs
        << QString();
    QTest::newRow("hex") << int(Mode::Hex) << u"01 02 03"_qs << QString() << u"binary, 3 B"_qs;
    QTest::newRow("invalid hex") << int(Mode::Hex) << u"01 0g"_qs
                                 << u"invalid hex: 'g' at column 5"_qs << QString();
    QTest::newRow("file mode without a file")
        << int(Mode::File) << QString() << u"choose a file"_qs << QString();
}

void tst_Inspector::composerValidation()
{
    QFETCH(int, mode);
    QFETCH(QString, text);
    QFETCH(QString, error);
    QFETCH(QString, summary);
    inspector::Composer composer;
    composer.setMode(inspector::Composer::Mode(mode));
    composer.setText(text);
    QVERIFY2(error.isEmpty() ? composer.error().isEmpty() : composer.error().contains(error),
        qPrintable(composer.error()));
    QCOMPARE(composer.isValid(), error.isEmpty());
    QCOMPARE(composer.build().ok(), error.isEmpty());
    if (!summary.isEmpty())
        QCOMPARE(composer.summary(), summary);
}

void tst_Inspector::fragmentsSplit()
{
    const QList<QByteArray> chunks = inspector::Composer::split("abcdefghij", 3);
    QCOMPARE(chunks, (QList<QByteArray>{"abcd", "efg", "hij"}));
    QCOMPARE(inspector::Composer::split("ab", 5).size(), 2); // never an empty frame for nothing
    QCOMPARE(inspector::Composer::split(QByteArray(), 4), QList<QByteArray>{QByteArray()});

    inspector::Composer composer;
    composer.setText(u"abcdefghij"_qs);
    composer.setFragments(3);
    QCOMPARE(composer.summary(), u"text, 10 B in 3 fragments"_qs);
    QCOMPARE(composer.build().chunks.size(), 3);
}

void tst_Inspector::logCapDropsOldestInBatches()
{
    LogModel log;
    log.setMaxEntries(1000);
    QSignalSpy inserted(&log, &QAbstractItemModel::rowsInserted);
    QSignalSpy dropped(&log, &LogModel::droppedCountChanged);
    // 100,000 messages between two flushes: the queue itself stays at the cap.
    for (int i = 0; i < 100'000; ++i)
        log.append(entry(LogEntry::Kind::Text, QByteArray::number(i)));
    QCOMPARE(log.count(), 0);
    QCOMPARE(log.heldCount(), 1000);
    QTRY_COMPARE(log.count(), 1000); // the flush timer
    QCOMPARE(inserted.size(), 1); // one insertion for the whole flood
    QCOMPARE(log.droppedCount(), 99'000);
    QCOMPARE(rowAt(log, 0).preview, u"99000"_qs); // the oldest were dropped
    QCOMPARE(rowAt(log, 999).preview, u"99999"_qs);
    QCOMPARE(log.index(0).data(LogModel::SeqRole).toULongLong(), 99'001u); // numbers survive

    // Then rows are dropped from the front, in one removal per flush.
    QSignalSpy removed(&log, &QAbstractItemModel::rowsRemoved);
    for (int i = 0; i < 10; ++i)
        log.append(entry(LogEntry::Kind::Binary, QByteArray(4, 'x')));
    log.flush();
    QCOMPARE(log.count(), 1000);
    QCOMPARE(removed.size(), 1);
    QCOMPARE(log.droppedCount(), 99'010);

    // The byte cap: payloads beyond it push out old rows too; one entry keeps at most its cap.
    log.setMaxEntryPayload(100);
    log.setMaxStoredBytes(1000);
    log.append(entry(LogEntry::Kind::Binary, QByteArray(5000, 'y')));
    log.flush();
    QVERIFY(log.storedBytes() <= 1000);
    const LogEntry &last = log.entryAt(log.count() - 1);
    QCOMPARE(last.size, 5000);
    QCOMPARE(last.payload.size(), 100);
    QVERIFY(last.isTruncated());
    QVERIFY(LogModel::fullText(last).contains(u"only the first 100 B of 4.9 KiB were kept"_qs));

    log.clear();
    QCOMPARE(log.count(), 0);
    QCOMPARE(log.droppedCount(), 0);
}

void tst_Inspector::logPauseHoldsEntries()
{
    LogModel log;
    log.setPaused(true);
    for (int i = 0; i < 5; ++i)
        log.append(entry(LogEntry::Kind::Text, "held"));
    log.flush();
    QCOMPARE(log.count(), 0);
    QCOMPARE(log.heldCount(), 5);
    log.setPaused(false);
    QCOMPARE(log.count(), 5);
    QCOMPARE(log.heldCount(), 0);
}

void tst_Inspector::logFilter()
{
    LogModel log;
    log.append(entry(LogEntry::Kind::Text, R"({"type":"subscribe"})"));
    log.append(entry(LogEntry::Kind::Text, "Hello", LogEntry::Direction::Outgoing));
    log.append(entry(LogEntry::Kind::Binary, QByteArray("\xde\xad\xbe\xef")));
    log.append(entry(LogEntry::Kind::Ping, "p1", LogEntry::Direction::Outgoing));
    log.append({.direction = LogEntry::Direction::Local,
        .kind = LogEntry::Kind::Event,
        .payload = "connected"});
    log.flush();

    inspector::LogFilterModel filter;
    filter.setLog(&log);
    QCOMPARE(filter.count(), 5);
    filter.setKindShown(u"text"_qs, false);
    QCOMPARE(filter.count(), 3);
    filter.setKindShown(u"text"_qs, true);
    filter.setDirection(u"out"_qs);
    QCOMPARE(filter.count(), 3); // two outgoing and the local event
    filter.setDirection(u"all"_qs);
    filter.setSearchText(u"hello"_qs); // case-insensitive
    QCOMPARE(filter.count(), 1);
    QCOMPARE(filter.get(0).value(u"preview"_qs).toString(), u"Hello"_qs);
    filter.setSearchText(u"ad be"_qs); // hex spelling of binary payloads
    QCOMPARE(filter.count(), 1);
    QCOMPARE(filter.get(0).value(u"kind"_qs).toString(), u"binary"_qs);
    filter.setSearchText(u"subscribe"_qs);
    QCOMPARE(filter.count(), 1);
    QVERIFY(filter.copyText(0).contains(u"\"type\": \"subscribe\""_qs)); // copied pretty
    filter.setSearchText(QString());
    QCOMPARE(filter.count(), 5);
}

// ---- the window ---------------------------------------------------------------------------

void tst_Inspector::clientExchange()
{
    inspector::ClientState *client = m_app->client();
    LogModel *log = client->log();
    inspector::Composer *composer = client->composer();
    const QString url = m_echo->serverUrl().toString() + u"feed?v=1";
    client->setUrl(url);
    client->setSubprotocols(u"chat, v2"_qs);
    client->setHeaders(u"X-Debug: inspector\nAuthorization: Bearer t0k3n"_qs);

    // Connect with the panel's button, as a user would.
    QQuickItem *button = item("connectButton");
    QVERIFY(button);
    QVERIFY(QMetaObject::invokeMethod(button, "clicked"));
    QTRY_COMPARE(clientState(), u"open"_qs);
    // The connection is the QML module's WebSocket (import QtWs), not one made in C++.
    QCOMPARE(socket()->metaObject()->className(), "qtws::qml::QmlWebSocket");
    QCOMPARE(socket()->property("negotiatedSubprotocol").toString(), u"chat"_qs);
    const QString extensions = socket()->property("extensions").toString();
    QVERIFY2(extensions.startsWith(u"permessage-deflate"_qs), qPrintable(extensions));

    // The handshake, in full, both ways.
    const QString request = socket()->property("handshakeRequest").toString();
    QVERIFY2(request.startsWith(u"GET /feed?v=1 HTTP/1.1\r\n"_qs), qPrintable(request));
    for (const QString &field : {u"Sec-WebSocket-Key: "_qs, u"Sec-WebSocket-Version: 13\r\n"_qs,
             u"Sec-WebSocket-Protocol: chat, v2\r\n"_qs, u"X-Debug: inspector\r\n"_qs,
             u"Authorization: Bearer t0k3n\r\n"_qs,
             u"Sec-WebSocket-Extensions: permessage-deflate"_qs})
        QVERIFY2(request.contains(field), qPrintable(field + u" not in\n"_qs + request));
    const QString response = socket()->property("handshakeResponse").toString();
    QVERIFY2(response.startsWith(u"HTTP/1.1 101 Switching Protocols\r\n"_qs), qPrintable(response));
    QVERIFY(response.contains(u"Sec-WebSocket-Accept: "_qs));
    QVERIFY(response.contains(u"Sec-WebSocket-Protocol: chat\r\n"_qs));
    QCOMPARE(item("handshakeViewResponse")->property("head").toString(), response);

    // Text, JSON, binary (hex), a fragmented message, a file: each sent, each echoed (waited
    // for, so that the log's order is known).
    const auto sendAndAwaitEcho = [&] {
        const qint64 before = client->stats()->messagesIn();
        return send() && QTest::qWaitFor([&] { return client->stats()->messagesIn() > before; });
    };
    composer->setMode(inspector::Composer::Mode::Text);
    composer->setText(u"hello, inspector"_qs);
    QVERIFY(sendAndAwaitEcho());
    composer->setMode(inspector::Composer::Mode::Json);
    composer->setText(
        u"{\"op\":\"subscribe\",\"channels\":[\"ticker\",\"trades\"],\"depth\":20}"_qs);
    QVERIFY(sendAndAwaitEcho());
    composer->setText(u"{\"broken\": "_qs);
    QVERIFY(!send()); // validated before send: nothing goes out
    QVERIFY2(client->lastError().startsWith(u"invalid JSON at line 1, column 12"_qs),
        qPrintable(client->lastError()));
    composer->setMode(inspector::Composer::Mode::Hex);
    composer->setText(u"00 01 02 03 de ad be ef 48 65 6c 6c 6f 21 0a ff 7f 80"_qs);
    QVERIFY(sendAndAwaitEcho());
    composer->setMode(inspector::Composer::Mode::Text);
    composer->setText(u"one message in three frames"_qs);
    composer->setFragments(3);
    QVERIFY(sendAndAwaitEcho());
    composer->setFragments(1);
    // A file, as one binary message.
    const QString file = m_dir.filePath(u"payload.bin"_qs);
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(56, '\x07'));
    }
    composer->setMode(inspector::Composer::Mode::File);
    composer->setFilePath(QUrl::fromLocalFile(file).toString());
    QVERIFY(sendAndAwaitEcho());
    QVERIFY(!call(clientView(), "ping", QString(126, u'x')).toBool()); // RFC 6455 §5.5: ≤ 125 bytes
    QVERIFY(client->lastError().contains(u"125"_qs));
    QVERIFY(call(clientView(), "ping", u"are you there?"_qs).toBool());
    QCOMPARE(client->lastError(), QString()); // a success clears the last refusal

    const QStringList expected
        = {u"out text 16"_qs, u"in text 16"_qs, u"out text 60"_qs, u"in text 60"_qs,
            u"out binary 18"_qs, u"in binary 18"_qs, u"out text 27"_qs, u"in text 27"_qs,
            u"out binary 64"_qs, u"in binary 64"_qs, u"out ping 14"_qs, u"in pong 14"_qs};
    QTRY_COMPARE(summary(*log), expected);

    // Previews: the JSON pretty-printed (first lines), the binary as a hex dump with ASCII.
    const int json = rowStartingWith(*log, u"in"_qs, u"text"_qs, u"{"_qs);
    QCOMPARE(rowAt(*log, json).preview, u"{\n    \"channels\": [\n        \"ticker\", …"_qs);
    const int binary = rowStartingWith(*log, u"in"_qs, u"binary"_qs, u"00000000  00 01"_qs);
    QVERIFY(
        LogModel::fullText(log->entryAt(binary))
            .startsWith(
                u"00000000  00 01 02 03 de ad be ef  48 65 6c 6c 6f 21 0a ff  |........Hello!..|"_qs));
    QCOMPARE(rowAt(*log, binary).kind, u"binary"_qs);
    QCOMPARE(rowAt(*log, binary).preview,
        u"00000000  00 01 02 03 de ad be ef  |........|\n"
        "00000008  48 65 6c 6c 6f 21 0a ff  |Hello!..|\n"
        "00000010  7f 80                    |..|"_qs);
    const int fragmented = lastRowOf(*log, u"out"_qs, u"text"_qs);
    QCOMPARE(log->index(fragmented).data(LogModel::FragmentsRole).toInt(), 3);
    const int pong = lastRowOf(*log, u"in"_qs, u"pong"_qs);
    QCOMPARE(rowAt(*log, pong).preview, u"are you there?"_qs);
    QVERIFY(log->index(pong).data(LogModel::RoundTripRole).toLongLong() >= 0);
    QTRY_COMPARE(client->stats()->roundTrips(), 1);
    client->stats()->sample();
    QCOMPARE(client->stats()->messagesIn(), 5);
    QCOMPARE(client->stats()->messagesOut(), 5);
    QCOMPARE(client->stats()->bytesIn(), 16 + 60 + 18 + 27 + 64);
    QCOMPARE(composer->history()->count(), 5);

    // Select the JSON entry: the detail pane shows it whole, Copy puts it on the clipboard.
    QQuickItem *list = item("logList");
    QVERIFY(list);
    list->setProperty("currentIndex", json);
    QQuickItem *detail = item("entryText");
    QVERIFY(detail);
    QTRY_VERIFY(detail->property("text").toString().contains(u"\"depth\": 20"_qs));
    QGuiApplication::clipboard()->clear();
    QVERIFY(QMetaObject::invokeMethod(
        item("clientView")->property("logView").value<QQuickItem *>(), "copySelected"));
    QVERIFY2(QGuiApplication::clipboard()->text().contains(u"← text 60 B\n{\n    \"channels\""_qs),
        qPrintable(QGuiApplication::clipboard()->text()));
    composer->setMode(inspector::Composer::Mode::Json);
    composer->setText(u"{\"op\": \"unsubscribe\", \"channels\": [\"trades\"]}"_qs);
    screenshot(u"inspector-client.png"_qs);

    // Resend from the history: the hex message again.
    QVERIFY(call(clientView(), "resend", 2).toBool());
    QTRY_COMPARE(summary(*log).mid(12), (QStringList{u"out binary 18"_qs, u"in binary 18"_qs}));

    // Close with a chosen code and reason; the echo server answers with the same.
    QVERIFY(!call(clientView(), "close", 1005, QString()).toBool()); // never on the wire (§7.4.1)
    QVERIFY(call(clientView(), "close", 4000, u"done here"_qs).toBool());
    QTRY_COMPARE(clientState(), u"closed"_qs);
    log->flush();
    const int closeOut = lastRowOf(*log, u"out"_qs, u"close"_qs);
    const int closeIn = lastRowOf(*log, u"in"_qs, u"close"_qs);
    QVERIFY(closeOut >= 0 && closeIn > closeOut);
    QCOMPARE(rowAt(*log, closeOut).preview, u"4000 — done here"_qs);
    QVERIFY(rowAt(*log, closeIn).preview.startsWith(u"4000"_qs)); // the echo's own reason
    QCOMPARE(log->index(closeIn).data(LogModel::CloseCodeRole).toInt(), 4000);
}

void tst_Inspector::keyboardShortcuts()
{
    inspector::ClientState *client = m_app->client();
    abortClient(); // whatever an earlier failure left open
    client->setUrl(m_echo->serverUrl().toString());
    QVERIFY(connectClient());
    QTRY_COMPARE(clientState(), u"open"_qs);
    const int before = client->log()->count();

    // Ctrl+Enter sends what the composer holds.
    client->composer()->setMode(inspector::Composer::Mode::Text);
    client->composer()->setText(u"sent with Ctrl+Enter"_qs);
    QTest::keyClick(m_window, Qt::Key_Return, Qt::ControlModifier);
    QTRY_COMPARE(lastRowOf(*client->log(), u"in"_qs, u"text"_qs) >= before, true);
    QCOMPARE(rowAt(*client->log(), lastRowOf(*client->log(), u"in"_qs, u"text"_qs)).preview,
        u"sent with Ctrl+Enter"_qs);

    // Ctrl+F: the search field has the focus.
    QQuickItem *search = item("searchField");
    QVERIFY(search);
    QTest::keyClick(m_window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasActiveFocus());

    // Ctrl+L clears the log.
    QTest::keyClick(m_window, Qt::Key_L, Qt::ControlModifier);
    QCOMPARE(client->log()->count(), 0);
    disconnectClient();
    QTRY_COMPARE(clientState(), u"closed"_qs);
}

void tst_Inspector::sessionRoundTrip()
{
    inspector::ClientState *client = m_app->client();
    LogModel *log = client->log();
    log->clear();
    log->append(entry(LogEntry::Kind::Text, R"({"a":1})", LogEntry::Direction::Outgoing));
    log->append(entry(LogEntry::Kind::Binary, QByteArray("\x00\xff\x10", 3)));
    log->append({.direction = LogEntry::Direction::Incoming,
        .kind = LogEntry::Kind::Pong,
        .size = 2,
        .payload = "p1",
        .roundTripMs = 7});
    log->append({.direction = LogEntry::Direction::Incoming,
        .kind = LogEntry::Kind::Close,
        .size = 5,
        .payload = "bye",
        .closeCode = 4001});
    log->append({.direction = LogEntry::Direction::Outgoing,
        .kind = LogEntry::Kind::Text,
        .size = 9,
        .payload = "fragments",
        .fragments = 3});
    log->flush();
    client->setUrl(u"wss://example.invalid:8443/api"_qs);
    client->setSubprotocols(u"v2.json, v1"_qs);
    client->setHeaders(u"Authorization: Bearer x"_qs);
    client->setCompression(false);
    client->setIgnoreTlsErrors(true);
    client->setProxy(u"socks5://127.0.0.1:1080"_qs);
    m_app->server()->setPort(9123);
    m_app->server()->setEcho(true);
    const QJsonArray savedLog = inspector::session::logToJson(*log);
    const int historyCount = client->composer()->history()->count();

    const QString path = m_dir.filePath(u"session.json"_qs);
    QVERIFY2(m_app->saveSession(path), qPrintable(m_app->message()));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    QCOMPARE(json.value(u"format"_qs).toString(), u"qtws-inspector-session"_qs);
    QCOMPARE(json.value(u"log"_qs).toArray().size(), 5);
    QCOMPARE(json.value(u"log"_qs).toArray().at(1).toObject().value(u"base64"_qs).toString(),
        u"AP8Q"_qs);

    // Change everything, then load it back.
    log->clear();
    client->setUrl(u"ws://elsewhere/"_qs);
    client->setSubprotocols(QString());
    client->setHeaders(QString());
    client->setCompression(true);
    client->setIgnoreTlsErrors(false);
    client->setProxy(QString());
    m_app->server()->setPort(1);
    m_app->server()->setEcho(false);
    client->composer()->history()->clear();
    QVERIFY2(
        m_app->loadSession(QUrl::fromLocalFile(path).toString()), qPrintable(m_app->message()));

    QCOMPARE(client->url(), u"wss://example.invalid:8443/api"_qs);
    QCOMPARE(client->subprotocols(), u"v2.json, v1"_qs);
    QCOMPARE(client->headers(), u"Authorization: Bearer x"_qs);
    QCOMPARE(client->compression(), false);
    QCOMPARE(client->ignoreTlsErrors(), true);
    QCOMPARE(client->proxy(), u"socks5://127.0.0.1:1080"_qs);
    QCOMPARE(m_app->server()->port(), 9123);
    QCOMPARE(m_app->server()->echo(), true);
    QCOMPARE(client->composer()->history()->count(), historyCount);
    QCOMPARE(inspector::session::logToJson(*log), savedLog); // every field of every entry
    QCOMPARE(log->entryAt(1).payload, QByteArray("\x00\xff\x10", 3));
    QCOMPARE(log->entryAt(3).closeCode, 4001);
    QCOMPARE(log->entryAt(4).fragments, 3);

    // Not a session: refused with a reason, nothing changed.
    const QString bogus = m_dir.filePath(u"bogus.json"_qs);
    QFile bogusFile(bogus);
    QVERIFY(bogusFile.open(QIODevice::WriteOnly));
    bogusFile.write(R"({"format": "something-else"})");
    bogusFile.close();
    QVERIFY(!m_app->loadSession(bogus));
    QVERIFY2(m_app->message().contains(u"not a qtws Inspector session"_qs),
        qPrintable(m_app->message()));
    QCOMPARE(log->count(), 5);

    // Settings back to what the next tests expect.
    client->setCompression(true);
    client->setIgnoreTlsErrors(false);
    client->setProxy(QString());
    m_app->server()->setEcho(false);
}

void tst_Inspector::commandLineTargets()
{
    // What `inspector URL` does (main.cpp calls open()): the client view connects.
    abortClient();
    QVERIFY(m_app->open(m_echo->serverUrl().toString()));
    QTRY_COMPARE(clientState(), u"open"_qs);
    QCOMPARE(m_app->connectRequested(), false); // taken by the view
    disconnectClient();
    QTRY_COMPARE(clientState(), u"closed"_qs);
    QVERIFY(m_app->open(m_echo->serverUrl().toString(), false)); // --no-connect
    QCOMPARE(m_app->connectRequested(), false);
    QCOMPARE(clientState(), u"closed"_qs);

    // `inspector --listen PORT`: the server view listens.
    m_app->server()->setPort(0);
    m_app->setListenRequested(true);
    QTRY_VERIFY(serverView()->property("listening").toBool());
    QVERIFY(serverView()->property("boundPort").toInt() > 0);
    call(serverView(), "stop");
    QTRY_VERIFY(!serverView()->property("listening").toBool());

    // `inspector SESSION` (an app of its own: the session's settings would change this one's).
    inspector::InspectorApp app;
    QVERIFY(app.open(m_dir.filePath(u"session.json"_qs)));
    QCOMPARE(app.client()->url(), u"wss://example.invalid:8443/api"_qs);
    QCOMPARE(app.sessionPath(), m_dir.filePath(u"session.json"_qs));

    QVERIFY(!app.open(u"/no/such/file.json"_qs));
    QVERIFY(app.message().contains(u"neither a ws:// or wss:// URL nor a session file"_qs));
}

void tst_Inspector::serverModeWithPythonClient()
{
    if (const QString reason = PeerProcess::unavailableReason(PeerKind::Python); !reason.isEmpty())
        QFAIL(qPrintable(reason));
    inspector::ServerState *server = m_app->server();
    QQuickItem *view = serverView();
    m_app->setView(u"server"_qs);
    server->setPort(0);
    server->setSubprotocols(u"chat"_qs);
    server->setEcho(true);
    QVERIFY2(call(view, "listen").toBool(), qPrintable(server->lastError()));
    QVERIFY(view->property("boundPort").toInt() > 0);
    QCOMPARE(view->property("wsServer").value<QObject *>()->metaObject()->className(),
        "qtws::qml::QmlWebSocketServer"); // the QML module's WebSocketServer

    PeerScript script;
    script.sendText(u"hi from python"_qs)
        .expectText(u"hi from python"_qs) // the Inspector's echo
        .expectText(u"{\"broadcast\":true}"_qs)
        .ping(u"pp"_qs)
        .expectClose(4001, u"kicked by the inspector"_qs);
    PeerProcess python(PeerKind::Python);
    const QUrl url(view->property("serverUrl").toString() + u"room/7"_qs);
    QVERIFY2(
        python.startClient(url, {u"--subprotocol"_qs, u"chat"_qs, u"--script"_qs, script.toJson()}),
        qPrintable(python.diagnostics()));

    QTRY_COMPARE_WITH_TIMEOUT(server->clients()->count(), 1, 20000);
    QCOMPARE(server->selectedClient(), 0);
    inspector::ClientListModel *clients = server->clients();
    const QModelIndex row = clients->index(0);
    QVERIFY2(
        row.data(inspector::ClientListModel::AddressRole).toString().startsWith(u"127.0.0.1:"_qs),
        qPrintable(row.data(inspector::ClientListModel::AddressRole).toString()));
    QCOMPARE(row.data(inspector::ClientListModel::PathRole).toString(), u"/room/7"_qs);
    QCOMPARE(row.data(inspector::ClientListModel::SubprotocolRole).toString(), u"chat"_qs);
    QVERIFY(server->selectedHandshakeRequest().contains(u"Sec-WebSocket-Protocol: chat"_qs));
    QVERIFY(server->selectedHandshakeRequest().contains(u"User-Agent: Python"_qs));
    QVERIFY(server->selectedHandshakeResponse().startsWith(u"HTTP/1.1 101 Switching Protocols"_qs));

    LogModel *log = server->selectedLog();
    QTRY_COMPARE(summary(*log), (QStringList{u"in text 14"_qs, u"out text 14"_qs}));
    server->composer()->setMode(inspector::Composer::Mode::Json);
    server->composer()->setText(u"{\"broadcast\":true}"_qs);
    QCOMPARE(call(view, "broadcast").toInt(), 1);
    QVERIFY2(python.waitForEvent(u"pong"_qs), qPrintable(python.diagnostics()));
    QTRY_COMPARE(
        summary(*log).mid(2), (QStringList{u"out text 18"_qs, u"in ping 2"_qs, u"out pong 2"_qs}));
    clients->refreshCounters();
    QCOMPARE(row.data(inspector::ClientListModel::MessagesInRole).toLongLong(), 1);
    QCOMPARE(row.data(inspector::ClientListModel::MessagesOutRole).toLongLong(), 2);
    QCOMPARE(row.data(inspector::ClientListModel::BytesOutRole).toLongLong(), 14 + 18);
    server->stats()->sample();
    log->flush();
    QQuickItem *serverList = findItem(item("serverView"), QLatin1StringView("logList"));
    QVERIFY(serverList);
    serverList->setProperty("currentIndex", 3); // the broadcast JSON
    screenshot(u"inspector-server.png"_qs);

    QVERIFY(!call(view, "disconnectClient", 0, 999, QString()).toBool()); // not a sendable code
    QVERIFY(server->lastError().contains(u"999 may not be sent"_qs));
    QVERIFY(call(view, "disconnectClient", 0, 4001, u"kicked by the inspector"_qs).toBool());
    QVERIFY2(python.waitForFinished(), qPrintable(python.diagnostics()));
    QCOMPARE(python.exitCode(), 0);
    QCOMPARE(python.events(u"close"_qs).value(0).value(u"code"_qs).toInt(), 4001);
    QTRY_COMPARE(row.data(inspector::ClientListModel::OpenRole).toBool(), false);
    QCOMPARE(clients->openCount(), 0);
    server->removeClosedClients();
    QCOMPARE(clients->count(), 0);
    call(view, "stop");
    QVERIFY(!view->property("listening").toBool());
    server->setEcho(false);
    m_app->setView(u"client"_qs);
}

void tst_Inspector::floodStaysBounded()
{
    // A server that sends 100,000 messages as soon as a client connects, as fast as it can,
    // from its own thread (so the sending does not stall the window's thread).
    constexpr int flood = 100'000;
    QThread senderThread;
    std::unique_ptr<qtws::Server> sender;
    QUrl senderUrl;
    senderThread.start();
    QObject context;
    context.moveToThread(&senderThread);
    QMetaObject::invokeMethod(
        &context,
        [&] {
            sender = std::make_unique<qtws::Server>([](qtws::WebSocket *ws) {
                for (int i = 0; i < flood; ++i)
                    ws->sendTextMessage(QStringLiteral("{\"tick\":%1}").arg(i));
            });
            if (sender->listen())
                senderUrl = sender->serverUrl();
        },
        Qt::BlockingQueuedConnection);
    const auto stopSender = qScopeGuard([&] {
        QMetaObject::invokeMethod(
            &context, [&] { sender.reset(); }, Qt::BlockingQueuedConnection);
        senderThread.quit();
        senderThread.wait();
    });
    QVERIFY(senderUrl.isValid());
    inspector::ClientState *client = m_app->client();
    LogModel *log = client->log();
    log->clear();
    log->setMaxEntries(10'000);
    abortClient(); // whatever an earlier failure left open
    client->stats()->reset();
    client->setUrl(senderUrl.toString());
    QSignalSpy inserted(log, &QAbstractItemModel::rowsInserted);

    // The event loop keeps turning while the flood arrives: a timer's ticks measure the
    // longest stall. Without the tap's per-turn budget one socket read's tens of thousands of
    // messages are delivered in one turn (measured: a 3 s stall under ASan); with it, ~60 ms.
    // The bound is generous for a loaded machine.
    QElapsedTimer sinceTick;
    qint64 longestStall = 0;
    QTimer ticker;
    ticker.setInterval(10ms);
    connect(&ticker, &QTimer::timeout, this,
        [&] { longestStall = qMax(longestStall, sinceTick.restart()); });
    QElapsedTimer elapsed;
    elapsed.start();
    sinceTick.start();
    ticker.start();
    QVERIFY(connectClient());
    QTRY_VERIFY_WITH_TIMEOUT(client->stats()->messagesIn() == flood, 120000);
    log->flush();
    ticker.stop();
    qInfo("flood: %d messages in %lld ms, %lld row insertions, longest event-loop stall %lld ms",
        flood, elapsed.elapsed(), qint64(inserted.size()), longestStall);

    QCOMPARE(log->count(), 10'000);
    QVERIFY(log->droppedCount() >= flood - 10'000);
    QQuickItem *banner = item("dropBanner"); // the view says so
    QVERIFY(banner);
    QTRY_VERIFY(banner->property("text").toString().contains(u"older entries dropped"_qs));
    QCOMPARE(rowAt(*log, log->count() - 1).preview, u"{\n    \"tick\": 99999\n}"_qs);
    QVERIFY2(longestStall < 1000, qPrintable(QString::number(longestStall)));
    // Batched: far fewer insertions than messages (one per 50 ms flush, at most).
    QVERIFY2(inserted.size() < flood / 100, qPrintable(QString::number(inserted.size())));

    disconnectClient();
    QTRY_COMPARE(clientState(), u"closed"_qs);
    log->setMaxEntries(LogModel::defaultMaxEntries);
}

void tst_Inspector::tlsServerAndClient()
{
    // The server view on wss:// with a certificate, the client view trusting its CA file.
    qtws::test::TestCertificates certificates;
    QVERIFY2(certificates.isValid(), qPrintable(certificates.errorString()));
    inspector::ServerState *server = m_app->server();
    QQuickItem *view = serverView();
    server->setPort(0);
    server->setTls(true);
    server->setCertificateFile(certificates.server().certificatePath);
    server->setKeyFile(m_dir.filePath(u"missing.pem"_qs));
    QVERIFY(!call(view, "listen").toBool()); // a clear refusal, not a silent plain server
    QVERIFY2(server->lastError().contains(u"missing.pem"_qs), qPrintable(server->lastError()));
    server->setKeyFile(certificates.server().keyPath);
    server->setEcho(true);
    QVERIFY2(call(view, "listen").toBool(), qPrintable(server->lastError()));
    const QString serverUrl = view->property("serverUrl").toString();
    QVERIFY2(serverUrl.startsWith(u"wss://127.0.0.1:"_qs), qPrintable(serverUrl));

    inspector::ClientState *client = m_app->client();
    abortClient();
    client->setUrl(serverUrl);
    client->setSubprotocols(QString());
    client->setHeaders(QString());
    client->setCaFile(certificates.ca().certificatePath);
    QVERIFY(connectClient());
    QTRY_COMPARE(clientState(), u"open"_qs);
    client->composer()->setMode(inspector::Composer::Mode::Text);
    client->composer()->setText(u"over TLS"_qs);
    QVERIFY(send());
    QTRY_COMPARE(lastRowOf(*client->log(), u"in"_qs, u"text"_qs) >= 0, true);
    disconnectClient();
    QTRY_COMPARE(clientState(), u"closed"_qs);

    // Without the CA the certificate is refused; with "ignore TLS errors" it is accepted.
    client->setCaFile(QString());
    QVERIFY(connectClient());
    QTRY_COMPARE(clientState(), u"closed"_qs);
    const QString status = clientView()->property("status").toString();
    QVERIFY2(status.contains(u"1015"_qs), qPrintable(status));
    client->setIgnoreTlsErrors(true);
    QVERIFY(connectClient());
    QTRY_COMPARE(clientState(), u"open"_qs);
    disconnectClient();
    QTRY_COMPARE(clientState(), u"closed"_qs);
    client->setIgnoreTlsErrors(false);
    call(view, "stop");
    server->setTls(false);
    server->setEcho(false);
}

void tst_Inspector::connectSettingsRefused_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("headers");
    QTest::addColumn<QString>("proxy");
    QTest::addColumn<QString>("caFile");
    QTest::addColumn<QString>("error");
    QTest::newRow("not a WebSocket URL")
        << u"ftp://host/"_qs << QString() << QString() << QString() << u"URL: expected"_qs;
    QTest::newRow("a header line without a colon")
        << u"ws://127.0.0.1:1/"_qs << u"X-Ok: 1\nbroken"_qs << QString() << QString()
        << u"headers, line 2"_qs;
    QTest::newRow("a proxy of an unknown scheme")
        << u"ws://127.0.0.1:1/"_qs << QString() << u"ftp://p:1"_qs << QString()
        << u"proxy: expected"_qs;
    QTest::newRow("a proxy without a port")
        << u"ws://127.0.0.1:1/"_qs << QString() << u"socks5://p"_qs << QString()
        << u"proxy: expected"_qs;
    QTest::newRow("a CA file without a certificate")
        << u"ws://127.0.0.1:1/"_qs << QString() << QString() << u"/dev/null"_qs
        << u"no PEM certificate"_qs;
}

void tst_Inspector::connectSettingsRefused()
{
    QFETCH(QString, url);
    QFETCH(QString, headers);
    QFETCH(QString, proxy);
    QFETCH(QString, caFile);
    QFETCH(QString, error);
    inspector::ClientState *client = m_app->client();
    abortClient();
    const QString before = client->url();
    const auto restore = qScopeGuard([&] {
        client->setUrl(before);
        client->setHeaders(QString());
        client->setProxy(QString());
        client->setCaFile(QString());
        client->succeed();
    });
    client->setUrl(url);
    client->setHeaders(headers);
    client->setProxy(proxy);
    client->setCaFile(caFile);
    QVERIFY(!connectClient());
    QVERIFY2(client->lastError().contains(error), qPrintable(client->lastError()));
    QCOMPARE(clientState(), u"closed"_qs);
    QCOMPARE(socket()->property("active").toBool(), false); // nothing was opened
}

QTEST_MAIN(tst_Inspector)
#include "tst_inspector.moc"
