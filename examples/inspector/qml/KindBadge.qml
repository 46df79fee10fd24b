// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import "."

// The kind of a log entry as a coloured tag: TEXT, BINARY, PING, PONG, CLOSE, EVENT.
Rectangle {
    property string kind: "text"
    implicitWidth: 54
    implicitHeight: 18
    radius: 3
    color: Qt.rgba(c.r, c.g, c.b, 0.16)
    border.color: Qt.rgba(c.r, c.g, c.b, 0.55)
    readonly property color c: Theme.kindColor(kind)
    Label {
        anchors.centerIn: parent
        text: parent.kind.toUpperCase()
        color: parent.c
        font.pixelSize: 10
        font.bold: true
        font.letterSpacing: 0.5
    }
}
