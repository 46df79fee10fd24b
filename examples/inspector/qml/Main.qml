// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Inspector
import "."

ApplicationWindow {
    id: window
    objectName: "inspectorWindow"
    width: 1440
    height: 900
    minimumWidth: 1040
    minimumHeight: 640
    visible: true
    title: (inspector.sessionPath ? inspector.sessionPath.split("/").pop() + " — " : "") + "qtws Inspector"
    color: Theme.window

    // Qt Quick Controls take their colours from here (QGuiApplication's palette does not reach
    // every control type); the disabled group too, or disabled fields turn light.
    palette {
        window: Theme.window
        windowText: Theme.text
        base: Theme.panelAlt
        alternateBase: Theme.panel
        text: Theme.text
        button: Theme.raised
        buttonText: Theme.text
        brightText: "#ffffff"
        highlight: Theme.accent
        highlightedText: "#ffffff"
        placeholderText: Theme.textFaint
        toolTipBase: Theme.raised
        toolTipText: Theme.text
        light: "#4a4d52"
        midlight: "#3f4247"
        mid: "#2f3135"
        dark: "#191a1c"
        shadow: "#101012"
        link: "#548af7"
        disabled {
            windowText: Theme.textFaint
            text: Theme.textFaint
            buttonText: Theme.textFaint
            base: Theme.panel
            button: Theme.panel
        }
    }

    readonly property var currentView: inspector.view === "server" ? serverView : clientView

    FileDialog {
        id: saveDialog
        title: "Save session"
        fileMode: FileDialog.SaveFile
        nameFilters: ["Inspector sessions (*.json)"]
        defaultSuffix: "json"
        onAccepted: inspector.saveSession(selectedFile)
    }
    FileDialog {
        id: openDialog
        title: "Open session"
        nameFilters: ["Inspector sessions (*.json)", "All files (*)"]
        onAccepted: inspector.loadSession(selectedFile)
    }

    // Keyboard: Ctrl+Enter sends, Ctrl+L clears the log, Ctrl+F searches it.
    Shortcut { sequences: ["Ctrl+Return", "Ctrl+Enter"]; context: Qt.ApplicationShortcut; onActivated: window.currentView.send() }
    Shortcut { sequence: "Ctrl+L"; context: Qt.ApplicationShortcut; onActivated: window.currentView.clearLog() }
    Shortcut { sequence: StandardKey.Find; context: Qt.ApplicationShortcut; onActivated: window.currentView.focusSearch() }
    Shortcut { sequence: StandardKey.Save; context: Qt.ApplicationShortcut; onActivated: saveDialog.open() }
    Shortcut { sequence: StandardKey.Open; context: Qt.ApplicationShortcut; onActivated: openDialog.open() }

    header: ToolBar {
        background: Rectangle { color: Theme.panelAlt; Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border } }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 8
            spacing: 10
            Label {
                text: "<b>qtws</b> Inspector"
                textFormat: Text.StyledText
                font.pixelSize: 15
                color: Theme.text
            }
            TabBar {
                id: modeTabs
                objectName: "modeTabs"
                currentIndex: inspector.view === "server" ? 1 : 0
                onCurrentIndexChanged: inspector.view = currentIndex === 1 ? "server" : "client"
                background: null
                TabChoice { text: "Client"; width: 96; font.pixelSize: 13 }
                TabChoice { text: "Server"; width: 96; font.pixelSize: 13 }
            }
            Item { Layout.fillWidth: true }
            Label {
                id: messageLabel
                objectName: "messageLabel"
                // Notices fade after a while; the session path stays in the title.
                visible: messageTimer.running
                Timer { id: messageTimer; interval: 8000 }
                Connections { target: inspector; function onMessageChanged() { messageTimer.restart(); } }
                text: inspector.message
                color: Theme.textDim
                font.pixelSize: Theme.smallSize
                // A notice reads from its start ("Could not load…"); a long path loses its end.
                elide: Text.ElideRight
                Layout.maximumWidth: 520
            }
            ToolButton { text: "Open session…"; onClicked: openDialog.open(); ToolTip.visible: hovered; ToolTip.text: "Ctrl+O" }
            ToolButton { text: "Save session…"; onClicked: saveDialog.open(); ToolTip.visible: hovered; ToolTip.text: "Ctrl+S" }
        }
    }

    StackLayout {
        anchors.fill: parent
        anchors.margins: 6
        currentIndex: modeTabs.currentIndex
        ClientView { id: clientView; objectName: "clientView" }
        ServerView { id: serverView; objectName: "serverView" }
    }

    footer: Rectangle {
        implicitHeight: 24
        color: Theme.panelAlt
        Rectangle { width: parent.width; height: 1; color: Theme.border }
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 12
            anchors.rightMargin: 12
            spacing: 16
            Label {
                text: inspector.view === "server"
                    ? (serverView.listening ? "● listening on " + serverView.serverUrl + "  ·  "
                       + inspector.server.clients.openCount + (inspector.server.clients.openCount === 1 ? " client" : " clients")
                       : "○ server stopped")
                    : (clientView.connectionState === "open" ? "● " : "○ ") + clientView.status
                color: Theme.textDim
                font.pixelSize: Theme.smallSize
                Layout.fillWidth: true
                elide: Text.ElideRight
            }
            Label {
                readonly property var s: inspector.view === "server" ? inspector.server.stats : inspector.client.stats
                text: "↓ " + s.messagesIn + " msg  " + Theme.formatBytes(s.bytesIn) + "    ↑ " + s.messagesOut + " msg  " + Theme.formatBytes(s.bytesOut)
                color: Theme.textDim
                font.pixelSize: Theme.smallSize
            }
            Label { text: "Ctrl+Enter send · Ctrl+L clear · Ctrl+F search"; color: Theme.textFaint; font.pixelSize: Theme.smallSize }
        }
    }
}
