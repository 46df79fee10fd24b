// Helpers for tests that check what an interop peer (PeerProcess) reports in its JSON events,
// shared by tests/interop's client, server and peer tests.
#pragma once

#include "peerprocess.h"
#include "testcertificates.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace qtws::test {

// QString from UTF-8 (the tests build with QT_NO_CAST_FROM_ASCII).
QString s(const char *text);

// An event's "type" member.
QString type(const QJsonObject &event);

// An event as one line of JSON, for failure messages.
QString compact(const QJsonObject &event);

// The message events (text and binary) of a peer, in order.
QList<QJsonObject> messageEvents(const PeerProcess &peer);

// Empty when event is a message event of this type with exactly these bytes, else why not.
QString checkMessageEvent(const QJsonObject &event, bool text, const QByteArray &bytes);

// Fails the running test when the peer cannot run here; skips it for the optional Qt peer.
void requireAvailable(PeerKind kind);

// A peer's command-line arguments to serve wss:// with these files.
QStringList tlsServerArguments(const CertificateFiles &files);

// A row tag "python: NAME", "node: NAME", "qt: NAME"; valid until the next call (QTest::newRow
// copies it).
const char *row(PeerKind kind, const QString &name);

} // namespace qtws::test
