// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Inspector
import "."

// Client mode: connection and handshake on the left, the log and the composer in the middle,
// the selected entry and the statistics on the right.
SplitView {
    id: root
    property ClientController client: inspector.client
    readonly property alias logView: log

    function send() { client.send(); }
    function clearLog() { log.clear(); }
    function focusSearch() { log.focusSearch(); }

    orientation: Qt.Horizontal
    handle: Rectangle { implicitWidth: 6; color: Theme.window }

    ConnectPanel {
        SplitView.preferredWidth: 330
        SplitView.minimumWidth: 260
        client: root.client
    }

    SplitView {
        SplitView.fillWidth: true
        SplitView.minimumWidth: 420
        orientation: Qt.Vertical
        handle: Rectangle { implicitHeight: 6; color: Theme.window }
        LogView {
            id: log
            SplitView.fillHeight: true
            SplitView.minimumHeight: 160
            log: root.client.log
        }
        ComposerPane {
            SplitView.preferredHeight: 230
            SplitView.minimumHeight: 190
            composer: root.client.composer
            connected: root.client.state === "open"
            lastRoundTrip: root.client.stats.lastRoundTrip
            onSendRequested: root.client.send()
            onPingRequested: payload => root.client.ping(payload)
            onCloseRequested: (code, reason) => root.client.close(code, reason)
            onResendRequested: row => root.client.resend(row)
        }
    }

    Rectangle {
        SplitView.preferredWidth: 340
        SplitView.minimumWidth: 260
        color: Theme.panel
        border.color: Theme.border
        radius: 4
        ColumnLayout {
            anchors.fill: parent
            anchors.margins: 10
            spacing: 10
            EntryDetail {
                Layout.fillWidth: true
                Layout.fillHeight: true
                entry: log.selectedEntry
                onCopyRequested: log.copySelected()
            }
            StatsPane {
                Layout.fillWidth: true
                stats: root.client.stats
            }
        }
    }
}
