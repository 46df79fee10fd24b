// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The migration promise: an app written for Qt's `import QtWebSockets` runs unchanged with
// `import QtWs` (migration/QtWebSocketsApp.qml and the build's QtWsApp.qml), against the same
// servers (qtws and python3-websockets). Both variants run.
import QtQuick
import QtTest
import QtWsTest

TestCase {
    id: testCase
    name: "Migration"

    function init() {
        compare(Fixture.setupError, "")
    }

    function test_app_data() {
        return [
            { tag: "QtWebSockets app, qtws server", app: Fixture.qtWebSocketsApp, server: Fixture.qtwsUrl },
            { tag: "QtWebSockets app, python server", app: Fixture.qtWebSocketsApp, server: Fixture.pythonUrl },
            { tag: "QtWs app, qtws server", app: Fixture.qtwsApp, server: Fixture.qtwsUrl },
            { tag: "QtWs app, python server", app: Fixture.qtwsApp, server: Fixture.pythonUrl },
        ]
    }

    function test_app(data) {
        const component = Qt.createComponent(data.app)
        verify(component.status === Component.Ready, component.errorString())
        const app = createTemporaryObject(component, testCase, { serverUrl: data.server })
        verify(app !== null)
        tryVerify(function() { return app.done || app.failure !== "" }, 20000,
                  "the app neither finished nor failed")
        compare(app.failure, "")
        compare(app.steps, ["text", "binary", "local"])
    }
}
