// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
pragma Singleton
import QtQuick

// Colours and fonts of the Inspector, one place (the palette itself is set in theme.cpp).
QtObject {
    readonly property color window: "#1e1f22"
    readonly property color panel: "#2b2d30"
    readonly property color panelAlt: "#26282b"
    readonly property color raised: "#33353a"
    readonly property color border: "#3c3f44"
    readonly property color text: "#dfe1e5"
    readonly property color textDim: "#9499a1"
    readonly property color textFaint: "#6f737a"
    readonly property color accent: "#3574f0"
    readonly property color selection: "#2e436e"
    readonly property color incoming: "#5fb865"
    readonly property color outgoing: "#548af7"
    readonly property color error: "#f75464"
    readonly property color warning: "#e0a33a"
    readonly property color ok: "#5fb865"
    readonly property string mono: "DejaVu Sans Mono"
    readonly property int monoSize: 12
    readonly property int smallSize: 11
    readonly property int spacing: 8

    function kindColor(kind) {
        switch (kind) {
        case "text": return "#6aab73";
        case "binary": return "#c77dbb";
        case "ping": return "#e0a33a";
        case "pong": return "#d5b778";
        case "close": return "#f75464";
        default: return "#868a91";
        }
    }
    function directionColor(direction) {
        return direction === "in" ? incoming : direction === "out" ? outgoing : textFaint;
    }
    function directionArrow(direction) {
        return direction === "in" ? "↓" : direction === "out" ? "↑" : "•";
    }
    function formatBytes(bytes) {
        if (bytes < 1024) return bytes + " B";
        const units = ["KiB", "MiB", "GiB", "TiB"];
        let value = bytes / 1024, unit = 0;
        while (value >= 1024 && unit < units.length - 1) { value /= 1024; ++unit; }
        return value.toFixed(1) + " " + units[unit];
    }
    function stateColor(state) {
        return state === "open" ? ok : state === "connecting" || state === "closing" ? warning : textFaint;
    }
}
