// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "."

// The selected log entry, whole: pretty JSON, the text, or the hex dump with ASCII.
ColumnLayout {
    id: root
    property var entry: ({})
    signal copyRequested()
    readonly property bool hasEntry: entry && entry.kind !== undefined
    spacing: 6

    SectionHeader {
        Layout.fillWidth: true
        text: root.hasEntry ? "Entry #" + root.entry.seq : "Entry"
        Button {
            text: "Copy"
            enabled: root.hasEntry
            implicitHeight: 22
            font.pixelSize: Theme.smallSize
            onClicked: root.copyRequested()
        }
    }
    RowLayout {
        visible: root.hasEntry
        spacing: 8
        KindBadge { kind: root.hasEntry ? root.entry.kind : "event" }
        Label {
            text: root.hasEntry ? Theme.directionArrow(root.entry.direction) + " "
                + (root.entry.direction === "in" ? "received" : root.entry.direction === "out" ? "sent" : "local")
                : ""
            color: root.hasEntry ? Theme.directionColor(root.entry.direction) : Theme.text
        }
        Label {
            Layout.fillWidth: true
            text: root.hasEntry ? [root.entry.time, root.entry.sizeText,
                    root.entry.fragments > 1 ? root.entry.fragments + " fragments" : "",
                    root.entry.kind === "pong" && root.entry.roundTrip >= 0 ? "rtt " + root.entry.roundTrip + " ms" : ""]
                    .filter(s => s).join("  ·  ") : ""
            color: Theme.textDim
            font.pixelSize: Theme.smallSize
            elide: Text.ElideRight
        }
    }
    ScrollView {
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        TextArea {
            objectName: "entryText"
            readOnly: true
            selectByMouse: true
            text: root.hasEntry ? root.entry.full : ""
            placeholderText: "Select an entry in the log to see it whole"
            font.family: Theme.mono
            font.pixelSize: Theme.monoSize
            wrapMode: TextEdit.NoWrap
            textFormat: TextEdit.PlainText
            background: Rectangle { color: Theme.panelAlt; radius: 4; border.color: Theme.border }
        }
    }
}
