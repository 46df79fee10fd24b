// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Uses the installed package as an application would: a client Conn encodes, a server Conn
// decodes. Exits 0 only when the message survives the round trip.
#include <QtWs/conn.h>

#include <cstdio>

int main()
{
    qtws::Conn client(qtws::Role::Client);
    qtws::Conn server(qtws::Role::Server);
    if (client.sendText("installed package works") < 0)
        return 1;
    server.receive(client.takeOutgoing());
    const std::optional<qtws::Event> event = server.nextEvent();
    if (!event || event->type != qtws::Event::Type::TextMessage
        || event->payload != "installed package works") {
        std::fputs("round trip through the installed QtWs failed\n", stderr);
        return 1;
    }
    std::puts("QtWs package: OK");
    return 0;
}
