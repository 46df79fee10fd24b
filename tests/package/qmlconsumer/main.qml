// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// The installed QML module at work: a WebSocketServer echoes, a WebSocket talks to it.
import QtQml
import QtWs

QtObject {
    id: root

    property WebSocketServer server: WebSocketServer {
        listen: true
        onClientConnected: function(webSocket) {
            webSocket.textMessageReceived.connect(function(message) {
                webSocket.sendTextMessage(message)
            })
        }
        onUrlChanged: function(url) {
            if (String(url) !== "")
                root.client.url = url
        }
        onErrorStringChanged: {
            console.log("qmlconsumer: server:", errorString)
            Qt.exit(1)
        }
    }

    property WebSocket client: WebSocket {
        active: true
        onStatusChanged: function(status) {
            if (status === WebSocket.Open) {
                sendTextMessage("installed QML module works")
            } else if (status === WebSocket.Error) {
                console.log("qmlconsumer: client:", errorString)
                Qt.exit(1)
            }
        }
        onTextMessageReceived: function(message) {
            console.log("QtWs QML module:", message === "installed QML module works" ? "OK" : "wrong echo")
            Qt.exit(message === "installed QML module works" ? 0 : 2)
        }
    }
}
