// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Inspector
import "."

// The message log: a filter bar (kinds, direction, search), pause/resume and clear, the
// "N dropped" banner, and the list. Selecting a row fills `selectedEntry` (EntryDetail shows it).
Rectangle {
    id: root
    property LogModel log
    readonly property alias filter: filterModel
    readonly property alias list: listView
    readonly property var selectedEntry: listView.currentIndex >= 0 && filterModel.count > 0
        ? filterModel.get(listView.currentIndex) : ({})
    property bool follow: true

    function focusSearch() { searchField.forceActiveFocus(); searchField.selectAll(); }
    function clear() { if (log) log.clear(); listView.currentIndex = -1; }
    function copySelected() {
        if (listView.currentIndex >= 0)
            inspector.copyToClipboard(filterModel.copyText(listView.currentIndex));
    }

    color: Theme.panel
    border.color: Theme.border
    radius: 4

    LogFilterModel { id: filterModel; log: root.log }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 1
        spacing: 0

        // ---- filter bar ----
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: bar.implicitHeight + 12
            color: Theme.panelAlt
            radius: 4
            RowLayout {
                id: bar
                anchors.fill: parent
                anchors.leftMargin: 8
                anchors.rightMargin: 8
                spacing: 6
                TextField {
                    id: searchField
                    objectName: "searchField"
                    placeholderText: "Search payloads  (Ctrl+F)"
                    Layout.preferredWidth: 200
                    Layout.fillWidth: true
                    Layout.maximumWidth: 320
                    selectByMouse: true
                    onTextChanged: filterModel.searchText = text
                    Keys.onEscapePressed: text = ""
                }
                Repeater {
                    model: ["text", "binary", "ping", "pong", "close", "event"]
                    delegate: Button {
                        required property string modelData
                        text: modelData
                        checkable: true
                        checked: true
                        flat: !checked
                        implicitHeight: 26
                        leftPadding: 8
                        rightPadding: 8
                        font.pixelSize: Theme.smallSize
                        palette.buttonText: checked ? Theme.kindColor(modelData) : Theme.textFaint
                        onToggled: filterModel.setKindShown(modelData, checked)
                        ToolTip.visible: hovered
                        ToolTip.text: (checked ? "Hide " : "Show ") + modelData + " entries"
                    }
                }
                ComboBox {
                    id: directionBox
                    model: [{ text: "Both ways", value: "all" }, { text: "↓ Incoming", value: "in" },
                            { text: "↑ Outgoing", value: "out" }]
                    textRole: "text"
                    valueRole: "value"
                    implicitHeight: 26
                    Layout.preferredWidth: 116
                    font.pixelSize: Theme.smallSize
                    onActivated: filterModel.direction = currentValue
                }
                Item { Layout.fillWidth: true }
                Button {
                    text: root.log && root.log.paused ? "▶ Resume (" + root.log.heldCount + ")" : "❚❚ Pause"
                    implicitHeight: 26
                    font.pixelSize: Theme.smallSize
                    highlighted: root.log && root.log.paused
                    onClicked: root.log.paused = !root.log.paused
                    ToolTip.visible: hovered
                    ToolTip.text: "Hold new entries without losing them (within the log cap)"
                }
                Button {
                    text: "Clear"
                    implicitHeight: 26
                    font.pixelSize: Theme.smallSize
                    onClicked: root.clear()
                    ToolTip.visible: hovered
                    ToolTip.text: "Clear the log (Ctrl+L)"
                }
            }
        }

        // ---- drops banner ----
        Rectangle {
            Layout.fillWidth: true
            visible: root.log && root.log.droppedCount > 0
            implicitHeight: visible ? 24 : 0
            color: Qt.rgba(0.88, 0.64, 0.23, 0.14)
            Label {
                anchors.verticalCenter: parent.verticalCenter
                x: 10
                objectName: "dropBanner"
                text: root.log ? root.log.droppedCount.toLocaleString(Qt.locale("en_US"), "f", 0)
                        + " older entries dropped — the log keeps the latest "
                        + root.log.maxEntries.toLocaleString(Qt.locale("en_US"), "f", 0) : ""
                color: Theme.warning
                font.pixelSize: Theme.smallSize
            }
        }

        // ---- column titles ----
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: 22
            color: Theme.panel
            Row {
                anchors.verticalCenter: parent.verticalCenter
                x: 10
                spacing: 8
                Repeater {
                    model: [{ t: "#", w: 44 }, { t: "", w: 14 }, { t: "Time", w: 86 },
                            { t: "Kind", w: 56 }, { t: "Size", w: 66 }, { t: "Preview", w: 200 }]
                    Label {
                        required property var modelData
                        width: modelData.w
                        text: modelData.t
                        color: Theme.textFaint
                        font.pixelSize: Theme.smallSize
                        horizontalAlignment: modelData.t === "Size" ? Text.AlignRight : Text.AlignLeft
                    }
                }
            }
            Label {
                anchors.right: parent.right
                anchors.rightMargin: 12
                anchors.verticalCenter: parent.verticalCenter
                text: root.log ? (filterModel.count === root.log.count ? root.log.count + " entries"
                        : filterModel.count + " of " + root.log.count + " shown") : ""
                color: Theme.textFaint
                font.pixelSize: Theme.smallSize
            }
            Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border }
        }

        ListView {
            id: listView
            objectName: "logList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: filterModel
            currentIndex: -1
            boundsBehavior: Flickable.StopAtBounds
            highlightMoveDuration: 0
            reuseItems: true
            ScrollBar.vertical: ScrollBar { policy: ScrollBar.AsNeeded }
            onCountChanged: if (root.follow) Qt.callLater(positionViewAtEnd)
            onMovementEnded: root.follow = atYEnd
            keyNavigationEnabled: true

            delegate: Rectangle {
                id: row
                required property int index
                required property var seq
                required property string direction
                required property string kind
                required property string time
                required property string sizeText
                required property string preview
                required property int fragments
                required property var roundTrip
                width: ListView.view.width
                height: Math.max(24, previewLabel.implicitHeight + 8)
                color: ListView.isCurrentItem ? Theme.selection
                     : (index % 2 ? Theme.panelAlt : Theme.panel)
                Row {
                    x: 10
                    y: 4
                    spacing: 8
                    Label {
                        width: 44
                        text: row.seq
                        color: Theme.textFaint
                        font.family: Theme.mono
                        font.pixelSize: Theme.smallSize
                    }
                    Label {
                        width: 14
                        text: Theme.directionArrow(row.direction)
                        color: Theme.directionColor(row.direction)
                        font.bold: true
                    }
                    Label {
                        width: 86
                        text: row.time
                        color: Theme.textDim
                        font.family: Theme.mono
                        font.pixelSize: Theme.smallSize
                    }
                    KindBadge { kind: row.kind; width: 56 }
                    Label {
                        width: 66
                        horizontalAlignment: Text.AlignRight
                        text: row.sizeText
                        color: Theme.textDim
                        font.pixelSize: Theme.smallSize
                    }
                    Label {
                        id: previewLabel
                        width: row.width - x - 20
                        text: row.preview
                            + (row.fragments > 1 ? "   [" + row.fragments + " fragments]" : "")
                            + (row.kind === "pong" && row.roundTrip >= 0 ? "   rtt " + row.roundTrip + " ms" : "")
                        color: row.kind === "event" ? Theme.textDim : Theme.text
                        font.family: Theme.mono
                        font.pixelSize: Theme.monoSize
                        elide: Text.ElideRight
                        maximumLineCount: 3
                        wrapMode: Text.NoWrap
                        textFormat: Text.PlainText
                    }
                }
                MouseArea {
                    anchors.fill: parent
                    onClicked: { listView.currentIndex = row.index; listView.forceActiveFocus(); root.follow = false; }
                }
            }

            Label {
                anchors.centerIn: parent
                visible: listView.count === 0
                text: root.log && root.log.count > 0 ? "No entry matches the filter"
                    : "No messages yet"
                color: Theme.textFaint
            }
        }
    }
}
