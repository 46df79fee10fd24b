// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Inspector
import "."

// The composer: text, JSON (checked as you type), hex or a file; one message or N fragments;
// ping with a payload; close with a code and a reason; the history of what was sent.
Rectangle {
    id: root
    property Composer composer
    property bool connected: false
    property bool serverMode: false
    property var lastRoundTrip: -1
    signal sendRequested()
    signal broadcastRequested()
    signal pingRequested(string payload)
    signal closeRequested(int code, string reason)
    signal resendRequested(int row)

    function focusEditor() { editor.forceActiveFocus(); }

    color: Theme.panel
    border.color: Theme.border
    radius: 4
    implicitHeight: layout.implicitHeight + 16

    FileDialog {
        id: fileDialog
        title: "Send a file as one binary message"
        onAccepted: root.composer.filePath = selectedFile
    }

    ColumnLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: 8
        spacing: 6

        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                text: "COMPOSE"
                font.pixelSize: Theme.smallSize
                font.bold: true
                font.letterSpacing: 0.8
                color: Theme.textDim
            }
            Item { width: 6 }
            Repeater {
                model: [{ t: "Text", m: Composer.Text }, { t: "JSON", m: Composer.Json },
                        { t: "Hex", m: Composer.Hex }, { t: "File", m: Composer.File }]
                delegate: TabChoice {
                    required property var modelData
                    text: modelData.t
                    // Bound to the mode (a click sets the mode, not the button's own state).
                    checkable: false
                    checked: root.composer && root.composer.mode === modelData.m
                    implicitHeight: 24
                    onClicked: root.composer.mode = modelData.m
                }
            }
            Button {
                text: "Format"
                visible: root.composer && root.composer.mode === Composer.Json
                implicitHeight: 24
                font.pixelSize: Theme.smallSize
                onClicked: root.composer.formatJson()
            }
            Item { Layout.fillWidth: true }
            Button {
                id: historyButton
                text: "History (" + (root.composer ? root.composer.history.count : 0) + ")"
                enabled: root.composer && root.composer.history.count > 0
                implicitHeight: 24
                font.pixelSize: Theme.smallSize
                onClicked: historyPopup.open()
            }
        }

        // ---- the editor, or the file row ----
        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 60
            visible: root.composer && root.composer.mode !== Composer.File
            TextArea {
                id: editor
                objectName: "composerEditor"
                text: root.composer ? root.composer.text : ""
                onTextChanged: if (root.composer && root.composer.text !== text) root.composer.text = text
                placeholderText: root.composer && root.composer.mode === Composer.Hex
                    ? "Bytes in hex: 68 65 6c 6c 6f, 0xde:0xad…" : root.composer && root.composer.mode === Composer.Json
                    ? "{\"type\": \"subscribe\", \"channel\": \"ticker\"}" : "Message text"
                font.family: Theme.mono
                font.pixelSize: Theme.monoSize
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                background: Rectangle {
                    color: Theme.panelAlt
                    radius: 4
                    border.color: editor.activeFocus ? Theme.accent
                        : root.composer && root.composer.error ? Theme.error : Theme.border
                }
            }
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            visible: root.composer && root.composer.mode === Composer.File
            TextField {
                Layout.fillWidth: true
                text: root.composer ? root.composer.filePath : ""
                placeholderText: "Path of a file to send as one binary message"
                onEditingFinished: root.composer.filePath = text
            }
            Button { text: "Browse…"; onClicked: fileDialog.open() }
        }

        // ---- validation, fragments, send ----
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            Label {
                Layout.fillWidth: true
                objectName: "composerStatus"
                text: root.composer ? (root.composer.error || root.composer.summary) : ""
                color: root.composer && root.composer.error ? Theme.error : Theme.textDim
                font.pixelSize: Theme.smallSize
                elide: Text.ElideRight
            }
            Label { text: "Fragments"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            SpinBox {
                from: 1
                to: 10000
                editable: true
                value: root.composer ? root.composer.fragments : 1
                onValueModified: root.composer.fragments = value
                implicitHeight: 26
                Layout.preferredWidth: 96
                ToolTip.visible: hovered
                ToolTip.text: "1: one frame. N: one message split into N frames (continuations)"
            }
            Button {
                text: root.serverMode ? "Send to selected" : "Send"
                highlighted: true
                enabled: root.connected && root.composer && root.composer.valid
                implicitHeight: 28
                onClicked: root.sendRequested()
                ToolTip.visible: hovered
                ToolTip.text: "Ctrl+Enter"
            }
            Button {
                visible: root.serverMode
                text: "Broadcast"
                enabled: root.composer && root.composer.valid
                implicitHeight: 28
                onClicked: root.broadcastRequested()
            }
        }

        Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }

        // ---- ping and close ----
        RowLayout {
            Layout.fillWidth: true
            spacing: 6
            TextField {
                id: pingPayload
                objectName: "pingPayload"
                Layout.preferredWidth: 130
                Layout.fillWidth: true
                placeholderText: "Ping payload"
                implicitHeight: 26
                font.pixelSize: Theme.smallSize
            }
            Button {
                text: "Ping"
                enabled: root.connected
                implicitHeight: 26
                font.pixelSize: Theme.smallSize
                onClicked: root.pingRequested(pingPayload.text)
            }
            Label {
                text: root.lastRoundTrip >= 0 ? "rtt " + root.lastRoundTrip + " ms" : "rtt —"
                color: Theme.textDim
                font.pixelSize: Theme.smallSize
                Layout.preferredWidth: 64
            }
            Item { width: 8 }
            ComboBox {
                id: closeCode
                editable: true
                model: ["1000 Normal", "1001 Going away", "1002 Protocol error", "1003 Unsupported data",
                        "1008 Policy violation", "1009 Message too big", "1011 Internal error",
                        "4000 Application"]
                implicitHeight: 26
                Layout.preferredWidth: 150
                font.pixelSize: Theme.smallSize
            }
            TextField {
                id: closeReason
                placeholderText: "Reason"
                Layout.preferredWidth: 110
                Layout.fillWidth: true
                implicitHeight: 26
                font.pixelSize: Theme.smallSize
            }
            Button {
                text: root.serverMode ? "Disconnect" : "Close"
                enabled: root.connected
                implicitHeight: 26
                font.pixelSize: Theme.smallSize
                onClicked: root.closeRequested(parseInt(closeCode.editText), closeReason.text)
            }
        }
    }

    Popup {
        id: historyPopup
        parent: historyButton
        x: historyButton.width - width
        y: historyButton.height + 4
        width: 460
        height: Math.min(360, historyList.contentHeight + 40)
        padding: 6
        background: Rectangle { color: Theme.raised; border.color: Theme.border; radius: 4 }
        ColumnLayout {
            anchors.fill: parent
            Label { text: "Sent messages: click to edit, ⟳ to send again"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
            ListView {
                id: historyList
                Layout.fillWidth: true
                Layout.fillHeight: true
                clip: true
                model: root.composer ? root.composer.history : null
                delegate: ItemDelegate {
                    required property int index
                    required property string modeName
                    required property string summary
                    required property int fragments
                    width: ListView.view.width
                    height: 28
                    contentItem: RowLayout {
                        Label { text: modeName; color: Theme.kindColor(modeName === "hex" || modeName === "file" ? "binary" : "text"); font.pixelSize: Theme.smallSize; Layout.preferredWidth: 36 }
                        Label { text: summary; elide: Text.ElideRight; font.family: Theme.mono; font.pixelSize: Theme.smallSize; Layout.fillWidth: true }
                        Label { visible: fragments > 1; text: "×" + fragments; color: Theme.textDim; font.pixelSize: Theme.smallSize }
                        ToolButton { text: "⟳"; implicitHeight: 22; onClicked: { root.resendRequested(index); historyPopup.close(); } }
                    }
                    onClicked: { root.composer.restore(index); historyPopup.close(); }
                }
            }
        }
    }
}
