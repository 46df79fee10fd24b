// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "."

// A small upper-case section title with a rule under it.
ColumnLayout {
    property alias text: title.text
    default property alias trailing: extra.data
    spacing: 4
    RowLayout {
        Layout.fillWidth: true
        Label {
            id: title
            font.pixelSize: Theme.smallSize
            font.bold: true
            font.letterSpacing: 0.8
            font.capitalization: Font.AllUppercase
            color: Theme.textDim
            Layout.fillWidth: true
        }
        RowLayout { id: extra; spacing: 4 }
    }
    Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
}
