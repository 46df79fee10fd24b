// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import "."

// The opening handshake, in full: the request and the response, one tab each.
ColumnLayout {
    id: root
    property string request: ""
    property string response: ""
    property string requestPlaceholder: "—"
    property string responsePlaceholder: "—"
    spacing: 4
    TabBar {
        id: tabs
        Layout.fillWidth: true
        background: null
        TabChoice { text: "Request" }
        TabChoice { text: "Response" }
    }
    StackLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        currentIndex: tabs.currentIndex
        HeadersView {
            objectName: root.objectName + "Request"
            head: root.request
            placeholder: root.requestPlaceholder
        }
        HeadersView {
            objectName: root.objectName + "Response"
            head: root.response
            placeholder: root.responsePlaceholder
        }
    }
}
