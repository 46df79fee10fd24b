// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Runs main.qml (import QtWs from the install prefix) and exits with the code it gives
// Qt.exit(): 0 when its WebSocket talked to its WebSocketServer.
#include <QtCore/QTimer>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>

#include <cstdio>

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    QQmlApplicationEngine engine;
    QObject::connect(&engine, &QQmlApplicationEngine::exit, &app, &QCoreApplication::exit);
    QObject::connect(&engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(3); });
    // A bound on the whole run, so a broken install fails rather than hangs.
    QTimer::singleShot(20000, &app, [] {
        std::fputs("qmlconsumer: timed out\n", stderr);
        QCoreApplication::exit(4);
    });
    engine.load(QUrl::fromLocalFile(QStringLiteral(QML_FILE)));
    if (engine.rootObjects().isEmpty())
        return 3;
    return app.exec();
}
