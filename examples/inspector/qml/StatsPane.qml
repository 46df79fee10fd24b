// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Inspector
import "."

// Counters of a connection (or of the whole server) and the live messages-per-second chart.
ColumnLayout {
    id: root
    property Statistics stats
    property string title: "Statistics"
    spacing: 6

    SectionHeader {
        Layout.fillWidth: true
        text: root.title
        Button {
            text: "Reset"
            implicitHeight: 22
            font.pixelSize: Theme.smallSize
            onClicked: root.stats.reset()
        }
    }
    GridLayout {
        Layout.fillWidth: true
        columns: 3
        columnSpacing: 10
        rowSpacing: 3
        Label { text: ""; Layout.fillWidth: true }
        Label { text: "↓ in"; color: Theme.incoming; font.pixelSize: Theme.smallSize; Layout.preferredWidth: 80 }
        Label { text: "↑ out"; color: Theme.outgoing; font.pixelSize: Theme.smallSize; Layout.preferredWidth: 80 }

        Label { text: "Messages"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
        Label { objectName: "messagesIn"; text: root.stats ? root.stats.messagesIn : 0; font.family: Theme.mono; font.pixelSize: Theme.monoSize }
        Label { text: root.stats ? root.stats.messagesOut : 0; font.family: Theme.mono; font.pixelSize: Theme.monoSize }

        Label { text: "Bytes"; color: Theme.textDim; font.pixelSize: Theme.smallSize }
        Label { text: root.stats ? Theme.formatBytes(root.stats.bytesIn) : ""; font.family: Theme.mono; font.pixelSize: Theme.monoSize }
        Label { text: root.stats ? Theme.formatBytes(root.stats.bytesOut) : ""; font.family: Theme.mono; font.pixelSize: Theme.monoSize }
    }
    RowLayout {
        Layout.fillWidth: true
        spacing: 10
        Label { text: "Round trip"; color: Theme.textDim; font.pixelSize: Theme.smallSize; Layout.fillWidth: true }
        Label {
            text: root.stats && root.stats.roundTrips > 0
                ? "last " + root.stats.lastRoundTrip + " ms · min " + root.stats.minRoundTrip
                  + " · avg " + root.stats.averageRoundTrip.toFixed(1) + "  (" + root.stats.roundTrips + ")"
                : "no pings yet"
            font.family: Theme.mono
            font.pixelSize: Theme.smallSize
        }
    }
    RateChart {
        Layout.fillWidth: true
        Layout.preferredHeight: 120
        rateIn: root.stats ? root.stats.rateIn : []
        rateOut: root.stats ? root.stats.rateOut : []
    }
}
