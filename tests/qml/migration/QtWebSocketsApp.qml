// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// A small app written against Qt's own QML WebSockets types; docs/qml.md shows it. The test
// runs it as is and, unchanged but for the import line, with `import QtWs`.
import QtQuick
import QtWebSockets

Item {
    id: app

    property url serverUrl // an echo server
    property string failure: ""
    property bool done: false
    property var steps: []

    function fail(why) {
        if (!done && failure === "")
            failure = why
    }
    function step(what) {
        steps = steps.concat([what])
    }

    // A server of its own: answers "echo: " + text.
    WebSocketServer {
        id: server
        listen: true
        onClientConnected: function(webSocket) {
            webSocket.onTextMessageReceived.connect(function(message) {
                webSocket.sendTextMessage("echo: " + message)
            })
        }
        onErrorStringChanged: app.fail("server: " + errorString)
    }

    // A client of the remote echo server: text, then binary.
    WebSocket {
        id: remote
        url: app.serverUrl
        active: true
        onStatusChanged: function(status) {
            if (status === WebSocket.Open)
                sendTextMessage("hello")
            else if (status === WebSocket.Error)
                app.fail("remote: " + errorString)
        }
        onTextMessageReceived: function(message) {
            if (message !== "hello")
                return app.fail("remote echoed " + message)
            app.step("text")
            sendBinaryMessage(new Uint8Array([0, 1, 2, 255]).buffer)
        }
        onBinaryMessageReceived: function(message) {
            const bytes = new Uint8Array(message)
            if (bytes.length !== 4 || bytes[0] !== 0 || bytes[3] !== 255)
                return app.fail("remote echoed " + bytes.length + " bytes")
            app.step("binary")
            local.url = server.url
            local.active = true
        }
    }

    // A client of its own server.
    WebSocket {
        id: local
        onStatusChanged: function(status) {
            if (status === WebSocket.Open)
                sendTextMessage("ping")
            else if (status === WebSocket.Error)
                app.fail("local: " + errorString)
        }
        onTextMessageReceived: function(message) {
            if (message !== "echo: ping")
                return app.fail("local server answered " + message)
            app.step("local")
            remote.active = false
            local.active = false
            app.done = true
        }
    }
}
