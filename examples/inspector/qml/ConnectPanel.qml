// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import QtWs
import Inspector
import "."

// The client's connection settings, the connect button, the status and the handshake (as the
// QML WebSocket `socket` has them).
Rectangle {
    id: root
    property ClientState client
    property WebSocket socket
    property string connectionState: "closed"
    property string status: ""
    property string peer: ""
    signal connectRequested()
    signal disconnectRequested()
    color: Theme.panel
    border.color: Theme.border
    radius: 4

    FileDialog {
        id: caDialog
        title: "CA certificate (PEM) to trust"
        onAccepted: root.client.caFile = selectedFile
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 10
        spacing: 6

        SectionHeader { Layout.fillWidth: true; text: "Connection" }
        TextField {
            id: urlField
            objectName: "urlField"
            Layout.fillWidth: true
            text: root.client.url
            placeholderText: "ws://host:port/path"
            font.family: Theme.mono
            font.pixelSize: Theme.monoSize
            selectByMouse: true
            onTextEdited: root.client.url = text
            onAccepted: root.connectRequested()
        }
        RowLayout {
            Layout.fillWidth: true
            Rectangle {
                width: 10; height: 10; radius: 5
                color: Theme.stateColor(root.connectionState)
            }
            Label {
                objectName: "clientStatus"
                Layout.fillWidth: true
                // The URL is just above (and whole in the footer).
                text: root.connectionState === "open" ? "Connected" : root.status
                elide: Text.ElideRight
                font.pixelSize: Theme.smallSize
                color: Theme.textDim
            }
            Button {
                objectName: "connectButton"
                readonly property bool active: root.connectionState !== "closed"
                text: active ? "Disconnect" : "Connect"
                highlighted: !active
                implicitWidth: 100
                onClicked: active ? root.disconnectRequested() : root.connectRequested()
            }
        }
        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: 8
            rowSpacing: 4
            visible: root.connectionState === "open"
            Label { text: "Subprotocol"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            Label { text: root.socket.negotiatedSubprotocol || "none"; font.pixelSize: Theme.smallSize; Layout.fillWidth: true; elide: Text.ElideRight }
            Label { text: "Extensions"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            Label { text: root.socket.extensions || "none"; font.pixelSize: Theme.smallSize; Layout.fillWidth: true; wrapMode: Text.Wrap } // at the "; " between parameters when it can
            Label { text: "Peer"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            Label { text: root.peer; font.pixelSize: Theme.smallSize }
        }
        Label {
            visible: root.client.lastError.length > 0
            Layout.fillWidth: true
            text: root.client.lastError
            color: Theme.error
            wrapMode: Text.Wrap
            font.pixelSize: Theme.smallSize
        }

        // ---- options ----
        GridLayout {
            Layout.fillWidth: true
            columns: 2
            columnSpacing: 8
            rowSpacing: 4
            Label { text: "Subprotocols"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            TextField {
                Layout.fillWidth: true
                text: root.client.subprotocols
                placeholderText: "chat, v2.chat"
                onTextEdited: root.client.subprotocols = text
                font.pixelSize: Theme.smallSize
                implicitHeight: 26
            }
            Label { text: "Proxy"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            TextField {
                Layout.fillWidth: true
                text: root.client.proxy
                placeholderText: "environment · none · socks5://h:p"
                onTextEdited: root.client.proxy = text
                font.pixelSize: Theme.smallSize
                implicitHeight: 26
            }
            Label { text: "CA file"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            RowLayout {
                Layout.fillWidth: true
                TextField {
                    Layout.fillWidth: true
                    text: root.client.caFile
                    placeholderText: "system CAs"
                    onTextEdited: root.client.caFile = text
                    font.pixelSize: Theme.smallSize
                    implicitHeight: 26
                }
                Button { text: "…"; implicitWidth: 28; implicitHeight: 26; onClicked: caDialog.open() }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            CheckBox {
                text: "Compression"
                checked: root.client.compression
                onToggled: root.client.compression = checked
                font.pixelSize: Theme.smallSize
                ToolTip.visible: hovered
                ToolTip.text: "Offer permessage-deflate (RFC 7692)"
            }
            CheckBox {
                text: "Ignore TLS errors"
                checked: root.client.ignoreTlsErrors
                onToggled: root.client.ignoreTlsErrors = checked
                font.pixelSize: Theme.smallSize
            }
        }
        Label { text: "Extra request headers"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 52
            TextArea {
                text: root.client.headers
                placeholderText: "Authorization: Bearer …\nOrigin: https://example.org"
                onTextChanged: if (root.client.headers !== text) root.client.headers = text
                font.family: Theme.mono
                font.pixelSize: Theme.smallSize
                background: Rectangle { color: Theme.panelAlt; radius: 4; border.color: Theme.border }
            }
        }

        // ---- handshake ----
        SectionHeader { Layout.fillWidth: true; Layout.topMargin: 4; text: "Handshake" }
        HandshakeTabs {
            objectName: "handshakeView"
            Layout.fillWidth: true
            Layout.fillHeight: true
            request: root.socket.handshakeRequest
            response: root.socket.handshakeResponse
            requestPlaceholder: "Sent when you connect"
            responsePlaceholder: "The server's answer appears here"
        }
    }
}
