// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtQuick.Controls
import QtQuick.Shapes
import "."

// Messages per second over the last minute, incoming and outgoing, drawn with Qt Quick Shapes.
Rectangle {
    id: root
    property var rateIn: []
    property var rateOut: []
    property int samples: 60
    color: Theme.panelAlt
    border.color: Theme.border
    radius: 4
    implicitHeight: 120

    readonly property int peak: Math.max(1, Math.max.apply(null, rateIn.concat(rateOut, [0])))
    // A round top for the axis: 1, 2, 5, 10, 20, 50…
    readonly property int axisTop: {
        let step = 1;
        while (step < peak) {
            if (step * 2 >= peak) return step * 2;
            if (step * 5 >= peak) return step * 5;
            step *= 10;
        }
        return step;
    }
    readonly property real plotX: 40
    readonly property real plotY: 8
    readonly property real plotW: width - plotX - 8
    readonly property real plotH: height - plotY - 18

    function points(rates) {
        const list = [];
        const n = rates.length;
        for (let i = 0; i < n; ++i) {
            const x = plotX + plotW * (samples - n + i) / (samples - 1);
            const y = plotY + plotH * (1 - rates[i] / axisTop);
            list.push(Qt.point(x, y));
        }
        // Before the first sample the rate was nothing: start from 0 one slot earlier, so that a
        // series of one sample (the first second of traffic) is a visible rise, not a point at
        // the right edge.
        if (n > 0 && n < samples)
            list.unshift(Qt.point(plotX + plotW * (samples - n - 1) / (samples - 1), plotY + plotH));
        return list;
    }

    // The line closed along the baseline: the filled area under it.
    function area(rates) {
        const list = points(rates);
        if (list.length === 0)
            return list;
        list.push(Qt.point(list[list.length - 1].x, plotY + plotH));
        list.push(Qt.point(list[0].x, plotY + plotH));
        return list;
    }

    Repeater {
        model: 3
        delegate: Item {
            required property int index
            readonly property real fraction: index / 2
            Rectangle {
                x: root.plotX
                y: root.plotY + root.plotH * fraction
                width: root.plotW
                height: 1
                color: Theme.border
            }
            Label {
                x: 4
                width: root.plotX - 8
                y: root.plotY + root.plotH * fraction - height / 2
                horizontalAlignment: Text.AlignRight
                text: Math.round(root.axisTop * (1 - fraction))
                color: Theme.textFaint
                font.pixelSize: 10
            }
        }
    }
    Shape {
        anchors.fill: parent
        ShapePath {
            strokeColor: "transparent"
            fillColor: Qt.rgba(Theme.incoming.r, Theme.incoming.g, Theme.incoming.b, 0.18)
            PathPolyline { path: root.area(root.rateIn) }
        }
        ShapePath {
            strokeColor: Theme.incoming
            strokeWidth: 2
            fillColor: "transparent"
            joinStyle: ShapePath.RoundJoin
            PathPolyline { path: root.points(root.rateIn) }
        }
        ShapePath {
            strokeColor: Theme.outgoing
            strokeWidth: 2
            fillColor: "transparent"
            joinStyle: ShapePath.RoundJoin
            PathPolyline { path: root.points(root.rateOut) }
        }
    }
    Row {
        x: root.plotX
        y: root.height - 16
        spacing: 12
        Label { text: "↓ in"; color: Theme.incoming; font.pixelSize: 10 }
        Label { text: "↑ out"; color: Theme.outgoing; font.pixelSize: 10 }
        Label { text: "messages/s, last 60 s"; color: Theme.textFaint; font.pixelSize: 10 }
    }
}
