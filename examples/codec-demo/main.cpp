// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// codec-demo: the sans-I/O codec on its own. A client-side qtws::Conn encodes a few messages; a
// server-side one decodes them, answers, and the client decodes the answers. Every block of
// bytes on the "wire" and every event is printed. No socket is involved: Conn only turns
// intentions into bytes and bytes into events.

#include <QtWs/conn.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QTextStream>

namespace {

QTextStream out(stdout);

QString hex(const QByteArray &bytes)
{
    constexpr qsizetype shown = 48;
    QString text = QString::fromLatin1(bytes.left(shown).toHex(' '));
    if (bytes.size() > shown)
        text += QStringLiteral(" … (%1 bytes)").arg(bytes.size());
    return text;
}

QString describe(const qtws::Event &event)
{
    using Type = qtws::Event::Type;
    switch (event.type) {
    case Type::TextMessage:
        return QStringLiteral("text message \"%1\"").arg(QString::fromUtf8(event.payload));
    case Type::BinaryMessage: return QStringLiteral("binary message [%1]").arg(hex(event.payload));
    case Type::Frame:
        return QStringLiteral("frame opcode %1 fin %2 [%3]")
            .arg(int(event.opcode))
            .arg(event.fin)
            .arg(hex(event.payload));
    case Type::MessageChunk:
        return QStringLiteral("message chunk fin %1 [%2]").arg(event.fin).arg(hex(event.payload));
    case Type::Ping: return QStringLiteral("ping [%1] (pong queued)").arg(hex(event.payload));
    case Type::Pong: return QStringLiteral("pong [%1]").arg(hex(event.payload));
    case Type::Close:
        return QStringLiteral("close %1 \"%2\"").arg(event.closeCode).arg(event.reason);
    case Type::Failure:
        return QStringLiteral("failure %1: %2").arg(event.closeCode).arg(event.reason);
    }
    return {};
}

// Moves what `from` has queued to `to`, printing the bytes and the events they cause.
void transfer(qtws::Conn &from, const char *fromName, qtws::Conn &to, const char *toName)
{
    const QByteArray wire = from.takeOutgoing();
    if (wire.isEmpty())
        return;
    out << fromName << " → " << toName << "  " << wire.size() << " bytes: " << hex(wire) << '\n';
    to.receive(wire);
    while (std::optional<qtws::Event> event = to.nextEvent())
        out << "    " << toName << " got " << describe(*event) << '\n';
}

} // namespace

int main()
{
    qtws::Conn client(qtws::Role::Client);
    qtws::Conn server(qtws::Role::Server);

    out << "client frames are masked with a fresh key each; server frames are not\n\n";

    client.sendText("Hello, qtws!");
    transfer(client, "client", server, "server");

    server.sendText("Hello back, unmasked");
    transfer(server, "server", client, "client");

    const QByteArray binary = QByteArray::fromHex("00010203fffefd");
    client.sendBinary(binary);
    transfer(client, "client", server, "server");

    out << "\na message in three fragments, with a ping between them:\n";
    client.sendFragment(qtws::MessageType::Text, "frag", qtws::Fin::More);
    client.sendFragment(qtws::MessageType::Text, "men", qtws::Fin::More);
    client.ping("are you there?");
    client.sendFragment(qtws::MessageType::Text, "ted", qtws::Fin::Last);
    transfer(client, "client", server, "server");
    transfer(server, "server", client, "client"); // the automatic pong

    out << "\na 300-byte message uses the 16-bit extended length:\n";
    server.sendBinary(QByteArray(300, 'x'));
    transfer(server, "server", client, "client");

    out << "\nthe close handshake (client initiates, server echoes):\n";
    client.close(qtws::CloseCode::Normal, "bye");
    transfer(client, "client", server, "server");
    transfer(server, "server", client, "client");
    out << "client state closed: " << (client.state() == qtws::Conn::State::Closed)
        << ", server state closed: " << (server.state() == qtws::Conn::State::Closed) << '\n';

    out << "\na peer that breaks the rules (an unmasked frame sent to a server):\n";
    qtws::Conn strict(qtws::Role::Server);
    const QByteArray unmasked = QByteArray::fromHex("8102") + QByteArray("hi");
    out << "raw → server  " << hex(unmasked) << '\n';
    strict.receive(unmasked);
    while (std::optional<qtws::Event> event = strict.nextEvent())
        out << "    server got " << describe(*event) << '\n';
    out << "server answers " << hex(strict.takeOutgoing()) << " and closes the connection\n";
    out.flush();
    return 0;
}
