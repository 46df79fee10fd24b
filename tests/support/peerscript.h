// A builder for the JSON scripts the interop peers run (tests/interop/README.md), and the
// deterministic payloads the peers send for a sized step, so that a test can compute the hash it
// expects:
//
//   PeerScript script;
//   script.sendText(126).expectText(126).ping(u"p"_s).close(4001, u"done"_s);
//   client.startClient(server.url(), {u"--script"_s, script.toJson()});
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace qtws::test {

class PeerScript
{
public:
    // Sized sends use pattern(): a..z repeated for text, bytes 0..255 repeated for binary.
    PeerScript &sendText(qsizetype size);
    PeerScript &sendText(const QString &content);
    PeerScript &sendBinary(qsizetype size);
    PeerScript &sendBinary(const QByteArray &bytes);
    // Writes bytes to the connection as they are, past the peer library's framing (frames a
    // library would never send; a client's must be masked already).
    PeerScript &sendRaw(const QByteArray &bytes);
    // Waits for the next message; checks its type, its size and that it is pattern(size).
    PeerScript &expectText(qsizetype size);
    PeerScript &expectText(const QString &content);
    PeerScript &expectBinary(qsizetype size);
    PeerScript &expectBinary(const QByteArray &bytes);
    // A text message of exactly these UTF-8 bytes (no decoding on the peer's side can hide a
    // difference, such as a dropped U+FEFF).
    PeerScript &expectTextBytes(const QByteArray &utf8);
    // Sends a ping with this payload and waits for the matching pong.
    PeerScript &ping(const QString &payload);
    // Starts the closing handshake and waits for the connection to close.
    PeerScript &close(int code, const QString &reason = {});
    // Waits for the connection to close and checks the close code and reason received.
    PeerScript &expectClose(int code, const QString &reason);
    PeerScript &expectClose(int code);
    // Any other step, as the peers' README describes it.
    PeerScript &step(const QJsonObject &step);

    QJsonArray steps() const { return m_steps; }
    QString toJson() const;

    static QByteArray pattern(bool text, qsizetype size);
    // Lowercase hex SHA-256, as the peers print it in their events.
    static QString sha256(const QByteArray &bytes);

private:
    QJsonArray m_steps;
};

} // namespace qtws::test
