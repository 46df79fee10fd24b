// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// Misuse from QML: each bad argument gives a warning on qtws.qml and changes nothing.
import QtQuick
import QtTest
import QtWs
import QtWsTest

TestCase {
    id: testCase
    name: "Arguments"

    Component {
        id: socketComponent
        WebSocket {}
    }
    Component {
        id: serverComponent
        WebSocketServer {}
    }
    Component {
        id: spyComponent
        SignalSpy {}
    }

    function init() {
        compare(Fixture.setupError, "")
    }

    function openSocket() {
        const ws = createTemporaryObject(socketComponent, testCase, { url: Fixture.qtwsUrl, active: true })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        return ws
    }

    // The connection still works: an echo comes back.
    function verifyStillOpen(ws) {
        compare(ws.status, WebSocket.Open)
        const received = createTemporaryObject(spyComponent, testCase, { target: ws, signalName: "textMessageReceived" })
        ws.sendTextMessage("still here")
        received.wait(10000)
        compare(received.signalArguments[0][0], "still here")
    }

    function test_invalid_url_data() {
        return [
            { tag: "ftp scheme", url: "ftp://127.0.0.1/" },
            { tag: "no host", url: "ws:///path" },
            { tag: "relative", url: "just/a/path" },
        ]
    }
    function test_invalid_url(data) {
        const ws = openSocket()
        const before = ws.url
        ignoreWarning(new RegExp("WebSocket: url .* refused"))
        ws.url = data.url
        compare(ws.url, before)
        verifyStillOpen(ws)
    }

    function test_close_code_data() {
        return [
            { tag: "999: below the range", code: 999, reason: "", pattern: "close codes are 1000-4999" },
            { tag: "5000: above the range", code: 5000, reason: "", pattern: "close codes are 1000-4999" },
            { tag: "-1", code: -1, reason: "", pattern: "close codes are 1000-4999" },
            { tag: "1005: never sent", code: 1005, reason: "", pattern: "may not be sent" },
            { tag: "1006: never sent", code: 1006, reason: "", pattern: "may not be sent" },
            { tag: "reason over 123 bytes", code: 1000, reason: "r".repeat(124), pattern: "at most 123" },
        ]
    }
    function test_close_code(data) {
        const ws = openSocket()
        ignoreWarning(new RegExp(data.pattern))
        ws.close(data.code, data.reason)
        verifyStillOpen(ws)
    }

    function test_send_binary_non_binary_data() {
        return [
            { tag: "a string", value: "text" },
            { tag: "a number", value: 42 },
            { tag: "a plain array", value: [1, 2, 3] },
            { tag: "an object with a buffer member", value: { buffer: new ArrayBuffer(4), byteOffset: 0, byteLength: 4 } },
            { tag: "undefined", value: undefined },
        ]
    }
    function test_send_binary_non_binary(data) {
        const ws = openSocket()
        const binaries = createTemporaryObject(spyComponent, testCase, { target: ws, signalName: "binaryMessageReceived" })
        ignoreWarning(new RegExp("sendBinaryMessage\\(\\) takes an ArrayBuffer"))
        compare(ws.sendBinaryMessage(data.value), -1)
        verifyStillOpen(ws)
        compare(binaries.count, 0)
    }

    function test_ping_payload_too_long() {
        const ws = openSocket()
        ignoreWarning(new RegExp("over 125"))
        compare(ws.ping("p".repeat(126)), -1)
        ignoreWarning(new RegExp("ping\\(\\) takes nothing, a string or binary"))
        compare(ws.ping(7), -1)
        verifyStillOpen(ws)
    }

    function test_send_while_closed() {
        const ws = createTemporaryObject(socketComponent, testCase, { url: Fixture.qtwsUrl })
        ignoreWarning(new RegExp("sendTextMessage\\(\\) while not open"))
        compare(ws.sendTextMessage("nobody listens"), -1)
        compare(ws.status, WebSocket.Closed)
    }

    function test_server_bad_settings() {
        const server = createTemporaryObject(serverComponent, testCase, {})
        ignoreWarning(new RegExp("port 70000 refused"))
        server.port = 70000
        compare(server.port, 0)
        ignoreWarning(new RegExp("acceptConnection must be a function"))
        server.acceptConnection = 5
        ignoreWarning(new RegExp("broadcast\\(\\) takes a string or binary data"))
        compare(server.broadcast(12), -1)
        // A certificate without a key: listening fails with the reason in errorString.
        server.certificateFile = Fixture.certificateFile
        ignoreWarning(new RegExp("TLS needs both certificateFile and privateKeyFile"))
        server.listen = true
        compare(server.listen, false)
        verify(server.errorString.indexOf("privateKeyFile") >= 0, server.errorString)
    }
}
