// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import "."

// A tab (TabBar) or a choice among buttons whose selection reads at a glance: on the dark theme
// Fusion draws a checked tab or button a shade or two off the others, which the screenshots
// showed as no selection at all. The selected one is raised, in full-strength text, and
// underlined in the accent colour.
TabButton {
    id: control
    implicitHeight: 26
    implicitWidth: Math.max(64, contentItem.implicitWidth + 24)
    font.pixelSize: Theme.smallSize
    contentItem: Label {
        text: control.text
        font: control.font
        color: control.checked ? Theme.text : control.hovered ? Theme.text : Theme.textDim
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: 3
        color: control.checked ? Theme.raised : control.hovered ? Theme.panelAlt : "transparent"
        border.color: control.checked ? Theme.border : "transparent"
        Rectangle {
            anchors.bottom: parent.bottom
            anchors.horizontalCenter: parent.horizontalCenter
            width: parent.width - 8
            height: 2
            radius: 1
            color: control.checked ? Theme.accent : "transparent"
        }
    }
}
