// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// qt_echo: Qt's own QWebSocketServer echo, as a QtWebSockets user would write it, for
// bench/compare.
//   qt_echo [--port P]    prints "listening on PORT"; runs until killed

#include <QtCore/QCoreApplication>
#include <QtCore/QStringList>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <cstdio>
#include <sys/resource.h>

int main(int argc, char **argv)
{
    rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    const qsizetype at = args.indexOf(QStringLiteral("--port"));
    const quint16 port = at >= 0 && at + 1 < args.size() ? args.at(at + 1).toUShort() : 0;

    QWebSocketServer server(QStringLiteral("qt_echo"), QWebSocketServer::NonSecureMode);
    server.setMaxPendingConnections(1024);
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *ws = server.nextPendingConnection()) {
            ws->setParent(&server);
            QObject::connect(ws, &QWebSocket::textMessageReceived, ws,
                [ws](const QString &message) { ws->sendTextMessage(message); });
            QObject::connect(ws, &QWebSocket::binaryMessageReceived, ws,
                [ws](const QByteArray &message) { ws->sendBinaryMessage(message); });
            QObject::connect(ws, &QWebSocket::disconnected, ws, &QObject::deleteLater);
        }
    });
    if (!server.listen(QHostAddress::LocalHost, port)) {
        std::fprintf(stderr, "qt_echo: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::printf("listening on %u\n", unsigned(server.serverPort()));
    std::fflush(stdout);
    return app.exec();
}
