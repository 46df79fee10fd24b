// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtWs
import Inspector
import "."

// Client mode: connection and handshake on the left, the log and the composer in the middle,
// the selected entry and the statistics on the right.
//
// The connection is `socket`, a WebSocket of the QML module (import QtWs); `exchange` logs its
// traffic into client.log. client (C++) keeps the settings, the log, the statistics and the
// composer across connections and sessions.
SplitView {
    id: root
    property ClientState client: inspector.client
    readonly property alias logView: log
    readonly property alias socket: socket
    readonly property alias exchange: exchange

    // "closed", "connecting", "open", "closing"
    readonly property string connectionState: socket.status === WebSocket.Connecting ? "connecting"
        : socket.status === WebSocket.Open ? "open"
        : socket.status === WebSocket.Closing ? "closing" : "closed"
    readonly property string peer: socket.peerAddress === "" ? ""
        : (socket.peerAddress.indexOf(":") >= 0 ? "[" + socket.peerAddress + "]" : socket.peerAddress) + ":" + socket.peerPort
    property bool everConnected: false
    readonly property string status: {
        switch (socket.status) {
        case WebSocket.Connecting: return "Connecting to " + socket.url + "…";
        case WebSocket.Open: return "Connected to " + socket.url;
        case WebSocket.Closing: return "Closing…";
        }
        if (!everConnected)
            return "Not connected";
        return "Closed: " + socket.closeCode + " " + (socket.closeReason || socket.errorString);
    }

    // Each returns false, with client.lastError set, when refused.
    function connectToServer() {
        if (socket.status !== WebSocket.Closed && socket.status !== WebSocket.Error)
            return client.refuse("already connected: disconnect first");
        const error = client.settingsError();
        if (error)
            return client.refuse(error);
        // The settings are read when the connection opens; assigned (not bound) so that
        // editing them while connected does not reconnect.
        socket.url = client.socketUrl;
        socket.requestedSubprotocols = client.subprotocolList;
        socket.requestHeaders = client.requestHeaders;
        socket.compression = client.compression;
        socket.ignoreSslErrors = client.ignoreTlsErrors;
        socket.caCertificateFiles = client.caFiles;
        socket.proxy = client.proxyUrl;
        client.sink.note("connecting to " + client.socketUrl);
        everConnected = true;
        socket.active = true;
        return client.succeed();
    }
    // Close with 1000 (or abandon a connection attempt).
    function disconnectFromServer() {
        if (socket.status === WebSocket.Open)
            exchange.close(1000, "");
        else
            socket.active = false;
    }
    function send() {
        const message = client.composer.message();
        if (!exchange.send(message))
            return false;
        client.composer.recordSent(message.payload.byteLength);
        return client.succeed();
    }
    function ping(payload) { return exchange.ping(payload) && client.succeed(); }
    function close(code, reason) { return exchange.close(code, reason) && client.succeed(); }
    function abort() { socket.abort(); }
    // Sends history entry row again (it becomes the composer's input).
    function resend(row) {
        client.composer.restore(row);
        return send();
    }
    function clearLog() { log.clear(); }
    function focusSearch() { log.focusSearch(); }

    // The command line's URL (InspectorApp::open).
    function takeConnectRequest() {
        if (!inspector.connectRequested)
            return;
        inspector.connectRequested = false;
        connectToServer();
    }
    Component.onCompleted: takeConnectRequest()
    Connections {
        target: inspector
        function onRequestsChanged() { root.takeConnectRequest(); }
    }

    WebSocket {
        id: socket
    }
    Exchange {
        id: exchange
        socket: socket
        sink: root.client.sink
        composer: root.client.composer
        onRefused: error => root.client.refuse(error)
        onOpened: {
            let line = "connected to " + socket.url + " (" + root.peer + ")";
            if (socket.negotiatedSubprotocol)
                line += ", subprotocol " + socket.negotiatedSubprotocol;
            if (socket.extensions)
                line += ", " + socket.extensions;
            root.client.sink.note(line);
        }
    }

    orientation: Qt.Horizontal
    handle: Rectangle { implicitWidth: 6; color: Theme.window }

    ConnectPanel {
        SplitView.preferredWidth: 330
        SplitView.minimumWidth: 260
        client: root.client
        socket: socket
        connectionState: root.connectionState
        status: root.status
        peer: root.peer
        onConnectRequested: root.connectToServer()
        onDisconnectRequested: root.disconnectFromServer()
    }

    SplitView {
        SplitView.fillWidth: true
        SplitView.minimumWidth: 420
        orientation: Qt.Vertical
        handle: Rectangle { implicitHeight: 6; color: Theme.window }
        LogView {
            id: log
            SplitView.fillHeight: true
            SplitView.minimumHeight: 160
            log: root.client.log
        }
        ComposerPane {
            SplitView.preferredHeight: 230
            SplitView.minimumHeight: 190
            composer: root.client.composer
            connected: root.connectionState === "open"
            lastRoundTrip: root.client.stats.lastRoundTrip
            onSendRequested: root.send()
            onPingRequested: payload => root.ping(payload)
            onCloseRequested: (code, reason) => root.close(code, reason)
            onResendRequested: row => root.resend(row)
        }
    }

    Rectangle {
        SplitView.preferredWidth: 340
        SplitView.minimumWidth: 260
        color: Theme.panel
        border.color: Theme.border
        radius: 4
        ColumnLayout {
            anchors.fill: parent
            anchors.margins: 10
            spacing: 10
            EntryDetail {
                Layout.fillWidth: true
                Layout.fillHeight: true
                entry: log.selectedEntry
                onCopyRequested: log.copySelected()
            }
            StatsPane {
                Layout.fillWidth: true
                stats: root.client.stats
            }
        }
    }
}
