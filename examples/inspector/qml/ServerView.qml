// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Inspector
import "."

// Server mode: listen settings and the connected clients on the left, the selected client's
// log and the composer (send to it, or broadcast) in the middle, its handshake, the selected
// entry and the server's totals on the right.
SplitView {
    id: root
    property ServerController server: inspector.server
    readonly property alias logView: log

    function send() { server.sendToSelected(); }
    function clearLog() { log.clear(); }
    function focusSearch() { log.focusSearch(); }

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
                enabled: !root.server.listening
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
                        text: root.server.port
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
                enabled: !root.server.listening
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
                Rectangle { width: 10; height: 10; radius: 5; color: root.server.listening ? Theme.ok : Theme.textFaint }
                Label {
                    objectName: "serverStatus"
                    Layout.fillWidth: true
                    text: root.server.listening ? "Listening on " + root.server.serverUrl : "Stopped"
                    font.pixelSize: Theme.smallSize
                    color: Theme.textDim
                    elide: Text.ElideRight
                }
                Button {
                    text: root.server.listening ? "Stop" : "Listen"
                    highlighted: !root.server.listening
                    implicitWidth: 90
                    onClicked: root.server.listening ? root.server.stop() : root.server.listen()
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
                    text: root.server.listening ? "Waiting for clients…" : "Start listening to accept clients"
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
            onSendRequested: root.server.sendToSelected()
            onBroadcastRequested: root.server.broadcast()
            onPingRequested: payload => root.server.pingSelected(payload)
            onCloseRequested: (code, reason) => root.server.disconnectClient(root.server.selectedClient, code, reason)
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
