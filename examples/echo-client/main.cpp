// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// echo-client URL: connects, echoes every text message as text and every binary message as
// binary, and exits when the connection closes: 0 after a normal close (1000, 1001, 1005), 1 with
// the error on stderr otherwise. The smallest qtws client, written with the blocking API.
#include <QtWs/blocking.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QUrl>

#include <cstdio>

int main(int argc, char *argv[])
{
    // QtNetwork needs the application object; the blocking API needs no running event loop.
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: echo-client URL\n");
        return 2;
    }
    try {
        qtws::BlockingWebSocket ws = qtws::open(QUrl(QString::fromLocal8Bit(argv[1])));
        for (const qtws::Message &message : ws) { // ends on a normal close, throws otherwise
            try {
                if (message.isText())
                    ws.send(message.text());
                else
                    ws.send(message.data());
            } catch (const qtws::WebSocketError &) {
                if (ws.isOpen())
                    throw;
                // The peer is closing: nothing more may be sent; the loop tells how it ended.
            }
        }
        return 0;
    } catch (const qtws::WebSocketError &error) {
        std::fprintf(stderr, "echo-client: %s\n", error.what());
        return 1;
    }
}
