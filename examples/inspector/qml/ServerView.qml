// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import QtWs
import Inspector
import "."

// Server mode: listen settings and the connected clients on the left, the selected client's
// log and the composer (send to it, or broadcast) in the middle, its handshake, the selected
// entry and the server's totals on the right.
//
// The server is `wsServer`, a WebSocketServer of the QML module (import QtWs); each client it
// hands out gets an Exchange (logging into that client's row of server.clients). server (C++)
// keeps the settings, the client rows with their logs and counters, and the composer.
SplitView {
    id: root
    property ServerState server: inspector.server
    readonly property alias logView: log
    readonly property alias wsServer: wsServer
    readonly property bool listening: wsServer.listen
    readonly property string serverUrl: wsServer.listen ? String(wsServer.url) : ""
    readonly property int boundPort: wsServer.listen ? wsServer.port : 0

    // Each returns false, with server.lastError set, when refused.
    function listen() {
        if (wsServer.listen)
            return server.refuse("already listening on " + serverUrl);
        const error = server.settingsError();
        if (error)
            return server.refuse(error);
        // Read when it starts listening; assigned (not bound) so that editing the settings
        // while listening does not restart it.
        wsServer.host = server.host;
        wsServer.port = server.port;
        wsServer.subprotocols = server.subprotocolList;
        wsServer.certificateFile = server.certificateUrl;
        wsServer.privateKeyFile = server.keyUrl;
        wsServer.compression = server.compression;
        // A debugging server: browser pages of any origin may connect (the library's default
        // refuses cross-origin pages, RFC 6455 §10.2).
        wsServer.acceptConnection = server.anyOrigin ? (request => true) : undefined;
        wsServer.listen = true;
        if (!wsServer.listen)
            return server.refuse("cannot listen on " + server.host + ":" + server.port + ": " + wsServer.errorString);
        return server.succeed();
    }
    // Graceful: every client gets 1001.
    function stop() { wsServer.listen = false; }
    function selected() { return server.exchangeAt(server.selectedClient); }
    function sendToSelected() {
        const exchange = selected();
        if (!exchange)
            return server.refuse("select a client first");
        const message = server.composer.message();
        if (!exchange.send(message))
            return false;
        server.composer.recordSent(message.payload.byteLength);
        return server.succeed();
    }
    // The composer's message to every open client; returns how many got it (-1 refused).
    function broadcast() {
        const message = server.composer.message();
        if (message.error) {
            server.refuse(message.error);
            return -1;
        }
        let sent = 0;
        for (const exchange of server.openExchanges())
            if (exchange.send(message))
                ++sent;
        if (sent === 0) {
            server.refuse("no client is connected");
            return 0;
        }
        server.composer.recordSent(message.payload.byteLength);
        server.succeed();
        return sent;
    }
    function pingSelected(payload) {
        const exchange = selected();
        return exchange ? exchange.ping(payload) && server.succeed() : server.refuse("select a client first");
    }
    function disconnectClient(row, code, reason) {
        const exchange = server.exchangeAt(row);
        return exchange ? exchange.close(code, reason) && server.succeed() : server.refuse("no such client");
    }
    function send() { sendToSelected(); }
    function clearLog() { log.clear(); }
    function focusSearch() { log.focusSearch(); }

    function accept(webSocket) {
        const exchange = exchangeComponent.createObject(root, { socket: webSocket });
        exchange.sink = server.addClient(exchange, {
            address: webSocket.peerAddress, port: webSocket.peerPort,
            subprotocol: webSocket.negotiatedSubprotocol, extensions: webSocket.extensions,
            handshakeRequest: webSocket.handshakeRequest, handshakeResponse: webSocket.handshakeResponse,
        });
    }
    Component {
        id: exchangeComponent
        Exchange {
            id: clientExchange
            composer: root.server.composer
            onRefused: error => root.server.refuse(error)
            // Echo: each message back to its sender, logged as sent.
            onTextReceived: message => {
                if (root.server.echo)
                    send({ error: "", binary: false, text: message, payload: null, fragments: [] });
            }
            onBinaryReceived: message => {
                if (root.server.echo)
                    send({ error: "", binary: true, text: "", payload: message, fragments: [] });
            }
            // The row (and its log) stays; the socket is gone.
            onEnded: clientExchange.destroy()
        }
    }

    // The command line's --listen (main.cpp).
    function takeListenRequest() {
        if (!inspector.listenRequested)
            return;
        inspector.listenRequested = false;
        if (!listen())
            console.warn("inspector: " + server.lastError);
    }
    Component.onCompleted: takeListenRequest()
    Connections {
        target: inspector
        function onRequestsChanged() { root.takeListenRequest(); }
    }

    WebSocketServer {
        id: wsServer
        onClientConnected: webSocket => root.accept(webSocket)
    }

    orientation: Qt.Horizontal
    handle: Rectangle { implicitWidth: 6; color: Theme.window }

    FileDialog { id: certDialog; title: "Server certificate (PEM)"; onAccepted: root.server.certificateFile = selectedFile }
    FileDialog { id: keyDialog; title: "Private key (PEM)"; onAccepted: root.server.keyFile = selectedFile }

    Rectangle {
        SplitView.preferredWidth: 330
        SplitView.minimumWidth: 260
        color: Theme.panel
        border.color: Theme.border
        radius: 4
        ColumnLayout {
            anchors.fill: parent
            anchors.margins: 10
            spacing: 6
            SectionHeader { Layout.fillWidth: true; text: "Listen" }
            GridLayout {
                Layout.fillWidth: true
                columns: 2
                columnSpacing: 8
                rowSpacing: 4
                enabled: !root.listening
                Label { text: "Address"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        Layout.fillWidth: true
                        text: root.server.host
                        onTextEdited: root.server.host = text
                        font.family: Theme.mono
                        font.pixelSize: Theme.smallSize
                        implicitHeight: 26
                    }
                    Label { text: ":"; color: Theme.textDim }
                    TextField {
                        objectName: "portField"
                        Layout.preferredWidth: 64
                        // 0 (any free port) until listening, then the port it got.
                        text: root.listening ? root.boundPort : root.server.port
                        validator: IntValidator { bottom: 0; top: 65535 }
                        onTextEdited: root.server.port = parseInt(text) || 0
                        font.family: Theme.mono
                        font.pixelSize: Theme.smallSize
                        implicitHeight: 26
                    }
                }
                Label { text: "Subprotocols"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
                TextField {
                    Layout.fillWidth: true
                    text: root.server.subprotocols
                    placeholderText: "chat, v2.chat"
                    onTextEdited: root.server.subprotocols = text
                    font.pixelSize: Theme.smallSize
                    implicitHeight: 26
                }
                Label { text: "Certificate"; color: Theme.textDim; font.pixelSize: Theme.smallSize; visible: root.server.tls }
                RowLayout {
                    visible: root.server.tls
                    Layout.fillWidth: true
                    TextField { Layout.fillWidth: true; text: root.server.certificateFile; onTextEdited: root.server.certificateFile = text; font.pixelSize: Theme.smallSize; implicitHeight: 26; placeholderText: "cert.pem" }
                    Button { text: "…"; implicitWidth: 28; implicitHeight: 26; onClicked: certDialog.open() }
                }
                Label { text: "Key"; color: Theme.textDim; font.pixelSize: Theme.smallSize; visible: root.server.tls }
                RowLayout {
                    visible: root.server.tls
                    Layout.fillWidth: true
                    TextField { Layout.fillWidth: true; text: root.server.keyFile; onTextEdited: root.server.keyFile = text; font.pixelSize: Theme.smallSize; implicitHeight: 26; placeholderText: "key.pem" }
                    Button { text: "…"; implicitWidth: 28; implicitHeight: 26; onClicked: keyDialog.open() }
                }
            }
            Flow {
                Layout.fillWidth: true
                spacing: 2
                enabled: !root.listening
                CheckBox { text: "TLS (wss)"; checked: root.server.tls; onToggled: root.server.tls = checked; font.pixelSize: Theme.smallSize }
                CheckBox { text: "Compression"; checked: root.server.compression; onToggled: root.server.compression = checked; font.pixelSize: Theme.smallSize }
                CheckBox {
                    text: "Any Origin"
                    checked: root.server.anyOrigin
                    onToggled: root.server.anyOrigin = checked
                    font.pixelSize: Theme.smallSize
                    ToolTip.visible: hovered
                    ToolTip.text: "Accept browser pages from any origin (off: same origin only)"
                }
            }
            CheckBox {
                text: "Echo messages back"
                checked: root.server.echo
                onToggled: root.server.echo = checked
                font.pixelSize: Theme.smallSize
            }
            RowLayout {
                Layout.fillWidth: true
                Rectangle { width: 10; height: 10; radius: 5; color: root.listening ? Theme.ok : Theme.textFaint }
                Label {
                    objectName: "serverStatus"
                    Layout.fillWidth: true
                    text: root.listening ? "Listening on " + root.serverUrl : "Stopped"
                    font.pixelSize: Theme.smallSize
                    color: Theme.textDim
                    elide: Text.ElideRight
                }
                Button {
                    objectName: "listenButton"
                    text: root.listening ? "Stop" : "Listen"
                    highlighted: !root.listening
                    implicitWidth: 90
                    onClicked: root.listening ? root.stop() : root.listen()
                }
            }
            Label {
                visible: root.server.lastError.length > 0
                Layout.fillWidth: true
                text: root.server.lastError
                color: Theme.error
                wrapMode: Text.Wrap
                font.pixelSize: Theme.smallSize
            }

            SectionHeader {
                Layout.fillWidth: true
                Layout.topMargin: 6
                text: "Clients (" + root.server.clients.openCount + " open)"
                Button {
                    text: "Remove closed"
                    implicitHeight: 22
                    font.pixelSize: Theme.smallSize
                    enabled: root.server.clients.count > root.server.clients.openCount
                    onClicked: root.server.removeClosedClients()
                }
            }
            ListView {
                id: clientList
                objectName: "clientList"
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: root.server.clients
                currentIndex: root.server.selectedClient
                spacing: 2
                ScrollBar.vertical: ScrollBar {}
                delegate: Rectangle {
                    id: clientRow
                    required property int index
                    required property string address
                    required property string path
                    required property string subprotocol
                    required property bool open
                    required property string stateText
                    required property string counters
                    width: ListView.view.width
                    height: 52
                    radius: 4
                    color: ListView.isCurrentItem ? Theme.selection : Theme.panelAlt
                    opacity: open ? 1 : 0.6
                    ColumnLayout {
                        anchors.fill: parent
                        anchors.margins: 6
                        spacing: 2
                        RowLayout {
                            Layout.fillWidth: true
                            Rectangle { width: 8; height: 8; radius: 4; color: clientRow.open ? Theme.ok : Theme.textFaint }
                            Label { text: clientRow.address; font.family: Theme.mono; font.pixelSize: Theme.smallSize }
                            Label { text: clientRow.path; color: Theme.textDim; font.pixelSize: Theme.smallSize; elide: Text.ElideRight; Layout.fillWidth: true }
                            Label {
                                text: clientRow.subprotocol || (clientRow.open ? "" : clientRow.stateText)
                                color: clientRow.subprotocol ? Theme.accent : Theme.textFaint
                                font.pixelSize: Theme.smallSize
                            }
                        }
                        Label {
                            text: clientRow.counters + (clientRow.open || !clientRow.subprotocol ? "" : "   " + clientRow.stateText)
                            color: Theme.textDim
                            font.pixelSize: Theme.smallSize
                        }
                    }
                    MouseArea { anchors.fill: parent; onClicked: root.server.selectedClient = clientRow.index }
                }
                Label {
                    anchors.centerIn: parent
                    visible: clientList.count === 0
                    text: root.listening ? "Waiting for clients…" : "Start listening to accept clients"
                    color: Theme.textFaint
                    font.pixelSize: Theme.smallSize
                }
            }
        }
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
            log: root.server.selectedLog
        }
        ComposerPane {
            SplitView.preferredHeight: 230
            SplitView.minimumHeight: 190
            serverMode: true
            composer: root.server.composer
            connected: root.server.selectedClient >= 0
            lastRoundTrip: root.server.selectedStats.lastRoundTrip
            onSendRequested: root.sendToSelected()
            onBroadcastRequested: root.broadcast()
            onPingRequested: payload => root.pingSelected(payload)
            onCloseRequested: (code, reason) => root.disconnectClient(root.server.selectedClient, code, reason)
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
            SectionHeader { Layout.fillWidth: true; text: "Client handshake" }
            HandshakeTabs {
                Layout.fillWidth: true
                Layout.preferredHeight: 190
                request: root.server.selectedHandshakeRequest
                response: root.server.selectedHandshakeResponse
                requestPlaceholder: "Select a client"
                responsePlaceholder: "Select a client"
            }
            EntryDetail {
                Layout.fillWidth: true
                Layout.fillHeight: true
                entry: log.selectedEntry
                onCopyRequested: log.copySelected()
            }
            StatsPane {
                Layout.fillWidth: true
                title: "Server totals"
                stats: root.server.stats
            }
        }
    }
}
