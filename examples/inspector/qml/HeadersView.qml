// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "."

// An HTTP head as it went on the wire: the start line, then each field with its name in colour.
ScrollView {
    id: root
    property string head: ""
    property string placeholder: "—"
    clip: true
    contentWidth: availableWidth

    readonly property var lines: head.split("\r\n").filter(l => l.length > 0)

    Column {
        width: root.availableWidth
        spacing: 1
        Label {
            visible: root.lines.length === 0
            text: root.placeholder
            color: Theme.textFaint
            font.pixelSize: Theme.smallSize
        }
        Repeater {
            model: root.lines
            delegate: Text {
                required property string modelData
                required property int index
                width: parent.width
                wrapMode: Text.WrapAnywhere
                textFormat: Text.StyledText
                font.family: Theme.mono
                font.pixelSize: Theme.smallSize
                color: Theme.text
                function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
                text: {
                    if (index === 0)
                        return "<b>" + esc(modelData) + "</b>";
                    const colon = modelData.indexOf(":");
                    if (colon < 0)
                        return esc(modelData);
                    return "<font color='#56a8f5'>" + esc(modelData.substring(0, colon)) + "</font>:"
                        + esc(modelData.substring(colon + 1));
                }
            }
        }
    }
}
