// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// inspector: the qtws Inspector, a desktop GUI for debugging WebSocket connections.
//   inspector [URL | SESSION.json] [--no-connect] [--listen PORT]
// See docs/inspector.md.

#include "inspectorapp.h"
#include "serverstate.h"
#include "theme.h"

#include <QtCore/QCommandLineParser>
#include <QtGui/QGuiApplication>
#include <QtQml/QQmlApplicationEngine>

#include <cstdio>
#include <cstdlib>

namespace {

// Without a display QGuiApplication aborts with a message about "xcb" plugins that does not
// say what to do; say it first, plainly.
bool haveDisplay()
{
    const auto set = [](const char *name) {
        const char *value = std::getenv(name);
        return value && *value;
    };
    return set("QT_QPA_PLATFORM") || set("DISPLAY") || set("WAYLAND_DISPLAY");
}

} // namespace

int main(int argc, char *argv[])
{
    if (!haveDisplay()) {
        std::fprintf(stderr,
            "inspector: no display (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
            "The qtws Inspector is a desktop application: run it in a graphical session, over\n"
            "ssh -X, under xvfb-run, or offscreen with QT_QPA_PLATFORM=offscreen.\n");
        return 2;
    }
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("qtws Inspector"));
    QGuiApplication::setOrganizationName(QStringLiteral("qtws"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("qtws Inspector: connect to or serve WebSockets, and see every message."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("target"),
        QStringLiteral("A ws:// or wss:// URL to connect to, or a saved session (.json) to open."),
        QStringLiteral("[URL | SESSION]"));
    const QCommandLineOption noConnectOption(QStringLiteral("no-connect"),
        QStringLiteral("With a URL: fill it in, but do not connect."));
    const QCommandLineOption listenOption(QStringLiteral("listen"),
        QStringLiteral("Start in server mode, listening on this port on 127.0.0.1."),
        QStringLiteral("port"));
    parser.addOptions({noConnectOption, listenOption});
    parser.process(app);

    inspector::applyTheme();
    inspector::InspectorApp inspectorApp;
    QQmlApplicationEngine engine;
    inspectorApp.install(&engine);

    const QStringList targets = parser.positionalArguments();
    if (targets.size() > 1) {
        std::fprintf(stderr, "inspector: one URL or session file at most\n");
        return 2;
    }
    if (!targets.isEmpty() && !inspectorApp.open(targets.first(), !parser.isSet(noConnectOption)))
        std::fprintf(stderr, "inspector: %s\n", qPrintable(inspectorApp.message()));
    if (parser.isSet(listenOption)) {
        bool ok = false;
        const int port = parser.value(listenOption).toInt(&ok);
        if (!ok || port < 0 || port > 65535) {
            std::fprintf(stderr, "inspector: --listen needs a port (0-65535)\n");
            return 2;
        }
        inspectorApp.server()->setPort(port);
        inspectorApp.setView(QStringLiteral("server"));
        inspectorApp.setListenRequested(true); // the server view listens once loaded
    }

    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/inspector/qml/Main.qml")));
    return app.exec();
}
