// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// QtWs.WebSocket as a client of real servers: the fixture's qtws::Server and python3-websockets.
// Rows name the server; every body runs against both unless it says otherwise.
import QtQuick
import QtTest
import QtWs
import QtWsTest

TestCase {
    id: testCase
    name: "WebSocket"

    Component {
        id: socketComponent
        WebSocket {}
    }
    Component {
        id: spyComponent
        SignalSpy {}
    }

    function init() {
        compare(Fixture.setupError, "")
    }

    function servers() {
        return [
            { tag: "qtws", url: Fixture.qtwsUrl },
            { tag: "python", url: Fixture.pythonUrl },
        ]
    }

    function spy(target, signalName) {
        return createTemporaryObject(spyComponent, testCase, { target: target, signalName: signalName })
    }

    // An open WebSocket to url with these extra properties.
    function openSocket(url, properties) {
        const settings = Object.assign({ url: url, active: true }, properties || {})
        const ws = createTemporaryObject(socketComponent, testCase, settings)
        verify(ws !== null)
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        return ws
    }

    function bytesOf(buffer) {
        return Array.from(new Uint8Array(buffer))
    }

    function utf8(text) {
        // encodeURIComponent gives the UTF-8 bytes as %XX; other characters are ASCII.
        const encoded = unescape(encodeURIComponent(text))
        const bytes = []
        for (let i = 0; i < encoded.length; ++i)
            bytes.push(encoded.charCodeAt(i))
        return bytes
    }

    function test_connect_data() { return servers() }
    function test_connect(data) {
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: data.url, requestedSubprotocols: ["other", "chat"] })
        const statuses = spy(ws, "statusChanged")
        compare(ws.status, WebSocket.Closed)
        ws.active = true
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        compare(statuses.signalArguments[0][0], WebSocket.Connecting)
        compare(statuses.signalArguments[1][0], WebSocket.Open)
        compare(ws.negotiatedSubprotocol, "chat")
        compare(ws.errorString, "")
        compare(ws.error.kind, "NoError")
        compare(ws.serverSide, false)
        // The handshake as the Inspector would show it: the 101's headers and the peer.
        compare(ws.responseHeaders["upgrade"].toLowerCase(), "websocket")
        verify(ws.responseHeaders["sec-websocket-accept"].length > 0)
        compare(ws.responseHeaders["sec-websocket-protocol"], "chat")
        compare(ws.peerAddress, "127.0.0.1")
        compare(ws.peerPort, Number(String(data.url).split(":")[2].split("/")[0]))
        ws.active = false
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        compare(ws.closeCode, 1000)
        compare(ws.active, false)
    }

    function test_text_data() {
        const rows = []
        const messages = [
            { name: "ascii", text: "hello" },
            { name: "UTF-8 in every length", text: "h\u00e9llo w\u00f6rld \u2713 \ud83d\ude00 \u{1d11e}" },
            { name: "empty", text: "" },
            // Issue 11: a leading U+FEFF is a character of the message, not a byte order mark.
            { name: "leading U+FEFF kept", text: "\ufeffstarts with a BOM" },
            { name: "only U+FEFF", text: "\ufeff" },
            { name: "1 MiB", text: "0123456789abcdef".repeat(65536) },
        ]
        for (const server of servers())
            for (const message of messages)
                rows.push({ tag: server.tag + ": " + message.name, url: server.url, text: message.text })
        return rows
    }
    function test_text(data) {
        const ws = openSocket(data.url)
        const received = spy(ws, "textMessageReceived")
        compare(ws.sendTextMessage(data.text), utf8(data.text).length)
        received.wait(10000)
        compare(received.signalArguments[0][0].length, data.text.length)
        verify(received.signalArguments[0][0] === data.text, "the echo differs")
    }

    function test_binary_data() {
        const rows = []
        for (const server of servers()) {
            rows.push({ tag: server.tag + ": ArrayBuffer", url: server.url, size: 256, view: "buffer" })
            rows.push({ tag: server.tag + ": Uint8Array on part of a buffer", url: server.url, size: 100, view: "subarray" })
            rows.push({ tag: server.tag + ": DataView", url: server.url, size: 10, view: "dataview" })
            rows.push({ tag: server.tag + ": 1 MiB", url: server.url, size: 1 << 20, view: "buffer" })
            // An empty message arrives as an ArrayBuffer of byteLength 0 (not a detached one).
            rows.push({ tag: server.tag + ": empty", url: server.url, size: 0, view: "buffer" })
        }
        return rows
    }
    function test_binary(data) {
        const ws = openSocket(data.url)
        const received = spy(ws, "binaryMessageReceived")
        const expected = new Uint8Array(data.size)
        for (let i = 0; i < data.size; ++i)
            expected[i] = (i * 7) % 256
        let value = expected.buffer
        if (data.view === "subarray") {
            // Only the view's bytes go out, not the whole buffer behind it.
            const big = new Uint8Array(data.size + 20)
            big.set(expected, 10)
            value = big.subarray(10, 10 + data.size)
        } else if (data.view === "dataview") {
            value = new DataView(expected.buffer)
        }
        compare(ws.sendBinaryMessage(value), data.size)
        received.wait(10000)
        const echo = received.signalArguments[0][0]
        verify(echo instanceof ArrayBuffer, "a binary message arrives as an ArrayBuffer")
        compare(echo.byteLength, data.size)
        const got = new Uint8Array(echo)
        let same = true
        for (let i = 0; i < data.size && same; ++i)
            same = got[i] === expected[i]
        verify(same, "the echoed bytes differ")
    }

    function test_ping_data() { return servers() }
    function test_ping(data) {
        const ws = openSocket(data.url)
        compare(ws.roundTripTime, -1)
        const pongs = spy(ws, "pong")
        verify(ws.ping("abc") > 0)
        pongs.wait(10000)
        verify(pongs.signalArguments[0][0] >= 0, "elapsedTime")
        compare(bytesOf(pongs.signalArguments[0][1]), utf8("abc"))
        verify(ws.roundTripTime >= 0)
        verify(ws.ping() >= 0) // ping() without a payload
        verify(ws.ping(new Uint8Array([1, 2, 3]).buffer) >= 0)
        tryCompare(pongs, "count", 3, 10000)
        compare(bytesOf(pongs.signalArguments[1][1]), [])
        compare(bytesOf(pongs.signalArguments[2][1]), [1, 2, 3])
    }

    function test_client_closes_data() {
        // Both servers echo the code they received (RFC 6455 §5.5.1); python the reason too.
        return [
            { tag: "qtws", url: Fixture.qtwsUrl, echoedReason: "" },
            { tag: "python", url: Fixture.pythonUrl, echoedReason: "client bye" },
        ]
    }
    function test_client_closes(data) {
        const ws = openSocket(data.url)
        ws.close(4001, "client bye")
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        compare(ws.closeCode, 4001)
        compare(ws.closeReason, data.echoedReason)
        compare(ws.error.kind, "Closed")
        compare(ws.errorString, "")
        compare(ws.active, false)
        if (data.tag === "qtws") {
            // Not necessarily the latest close the server saw: the sockets of earlier tests are
            // destroyed with 1001, in the background, and may finish after this one.
            tryVerify(function() {
                return Fixture.serverCloses().some(function(c) {
                    return c.code === 4001 && c.reason === "client bye"
                })
            }, 10000, "the qtws server saw close 4001: " + JSON.stringify(Fixture.serverCloses()))
        } else {
            tryVerify(function() {
                return Fixture.pythonEvents().some(function(e) {
                    return e.type === "close" && e.code === 4001 && e.reason === "client bye"
                })
            }, 10000, "python saw close 4001")
        }
    }

    function test_server_closes_data() {
        return [
            { tag: "qtws", url: Fixture.qtwsUrl, trigger: "close 4002 server bye", reason: "server bye" },
            { tag: "python", url: Fixture.pythonCloseUrl, trigger: "", reason: "python bye" },
        ]
    }
    function test_server_closes(data) {
        const ws = createTemporaryObject(socketComponent, testCase, { url: data.url, active: true })
        if (data.trigger !== "") {
            tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
            ws.sendTextMessage(data.trigger)
        }
        tryCompare(ws, "closeCode", 4002, 10000)
        compare(ws.closeReason, data.reason)
        compare(ws.status, WebSocket.Closed)
        compare(ws.error.kind, "ClosedByPeer")
        compare(ws.error.closeCode, 4002)
        compare(ws.active, false)
    }

    function test_refused_handshake_data() {
        return [
            { tag: "qtws", url: String(Fixture.qtwsUrl) + "forbidden", body: "" },
            // python_peer.py --refuse: a text/plain body "refused by the peer\n".
            { tag: "python", url: Fixture.pythonRefuseUrl, body: "refused by the peer\n" },
        ]
    }
    function test_refused_handshake(data) {
        const ws = createTemporaryObject(socketComponent, testCase, { url: data.url, active: true })
        tryCompare(ws, "status", WebSocket.Error, 10000)
        compare(ws.error.kind, "HandshakeRefused")
        compare(ws.error.httpStatus, 403)
        verify(ws.errorString.indexOf("403") >= 0, ws.errorString)
        compare(ws.errorString, ws.error.message)
        compare(ws.active, false)
        // The refusal as it came: its headers and the start of its body.
        verify(ws.responseHeaders["content-length"] !== undefined, JSON.stringify(ws.responseHeaders))
        if (data.body !== "") {
            compare(ws.responseHeaders["content-type"], "text/plain")
            compare(ws.error.httpBody, data.body)
        }
    }

    function test_tls_data() {
        const rows = []
        for (const server of [{ tag: "qtws", url: Fixture.qtwsTlsUrl }, { tag: "python", url: Fixture.pythonTlsUrl }]) {
            rows.push({ tag: server.tag + ": verified with the test CA", url: server.url, ca: [Fixture.caFile], ignore: false, ok: true })
            rows.push({ tag: server.tag + ": CA as a path string", url: server.url, ca: [Fixture.caPath], ignore: false, ok: true })
            rows.push({ tag: server.tag + ": refused without the CA", url: server.url, ca: [], ignore: false, ok: false })
            rows.push({ tag: server.tag + ": ignoreSslErrors", url: server.url, ca: [], ignore: true, ok: true })
        }
        return rows
    }
    function test_tls(data) {
        compare(String(data.url).substring(0, 6), "wss://")
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: data.url, caCertificateFiles: data.ca,
                                           ignoreSslErrors: data.ignore, active: true })
        if (data.ok) {
            tryVerify(function() { return ws.status === WebSocket.Open || ws.status === WebSocket.Error }, 10000)
            compare(ws.errorString, "")
            compare(ws.status, WebSocket.Open)
            const received = spy(ws, "textMessageReceived")
            ws.sendTextMessage("over TLS")
            received.wait(10000)
            compare(received.signalArguments[0][0], "over TLS")
        } else {
            tryCompare(ws, "status", WebSocket.Error, 10000)
            compare(ws.error.kind, "TlsFailed")
            compare(ws.closeCode, 1015)
            verify(ws.errorString !== "")
        }
    }

    function test_compression_data() {
        const rows = []
        for (const server of servers()) {
            rows.push({ tag: server.tag + ": on", url: server.url, compression: true })
            rows.push({ tag: server.tag + ": off", url: server.url, compression: false })
        }
        return rows
    }
    function test_compression(data) {
        const ws = openSocket(data.url, { compression: data.compression })
        compare(ws.extensions.indexOf("permessage-deflate") === 0, data.compression, ws.extensions)
        const received = spy(ws, "textMessageReceived")
        const text = "compressible ".repeat(1000)
        ws.sendTextMessage(text)
        received.wait(10000)
        verify(received.signalArguments[0][0] === text)
    }

    function test_request_headers() {
        const ws = openSocket(Fixture.qtwsUrl, { requestHeaders: { "X-Token": "abc 123", "X-Many": ["1", "2"] } })
        compare(Fixture.lastRequestHeaders()["x-token"], "abc 123")
        compare(Fixture.lastRequestHeaders()["x-many"], "1, 2")
        verify(ws.status === WebSocket.Open)
    }

    function test_handshake_heads_data() { return servers() }
    function test_handshake_heads(data) {
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: String(data.url) + "feed?v=1", requestedSubprotocols: ["chat"],
                                           requestHeaders: { "X-Debug": "heads" } })
        const changes = spy(ws, "handshakeChanged")
        compare(ws.handshakeRequest, "")
        compare(ws.handshakeResponse, "")
        ws.active = true
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        verify(changes.count > 0)
        const request = ws.handshakeRequest
        verify(request.startsWith("GET /feed?v=1 HTTP/1.1\r\n"), request)
        for (const field of ["\r\nSec-WebSocket-Key: ", "\r\nSec-WebSocket-Version: 13\r\n",
                             "\r\nSec-WebSocket-Protocol: chat\r\n", "\r\nX-Debug: heads\r\n"])
            verify(request.indexOf(field) > 0, field + " not in " + request)
        verify(request.endsWith("\r\n\r\n"), request)
        const response = ws.handshakeResponse
        verify(response.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), response)
        verify(response.indexOf("\r\nSec-WebSocket-Accept: ") > 0, response)
        ws.active = false
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        verify(ws.handshakeResponse === response, "kept after the close")
    }

    function test_fragments_data() {
        const rows = []
        for (const server of servers()) {
            // "é" is two UTF-8 bytes: the second and third fragments split it.
            rows.push({ tag: server.tag + ": text, a character across fragments", url: server.url, text: true,
                        fragments: ["caf", new Uint8Array([0xc3]).buffer, new Uint8Array([0xa9, 0x21]).buffer],
                        expected: "caf\u00e9!", size: 6 })
            rows.push({ tag: server.tag + ": text from strings", url: server.url, text: true,
                        fragments: ["one ", "message ", "in four ", "frames"], expected: "one message in four frames", size: 26 })
            rows.push({ tag: server.tag + ": binary", url: server.url, text: false,
                        fragments: [new Uint8Array([1, 2]).buffer, new Uint8Array([3]), "AB"], expected: [1, 2, 3, 65, 66], size: 5 })
            // The echo is an empty binary message: an ArrayBuffer of byteLength 0 (was a
            // "detached" one from the qtws echo, whose byteLength threw a TypeError).
            rows.push({ tag: server.tag + ": no fragments is one empty frame", url: server.url, text: false,
                        fragments: [], expected: [], size: 0 })
        }
        return rows
    }
    function test_fragments(data) {
        const ws = openSocket(data.url)
        const received = spy(ws, data.text ? "textMessageReceived" : "binaryMessageReceived")
        const sent = data.text ? ws.sendTextFragments(data.fragments) : ws.sendBinaryFragments(data.fragments)
        compare(sent, data.size)
        received.wait(10000)
        compare(received.count, 1) // one message, reassembled by the peer
        const echo = received.signalArguments[0][0]
        if (data.text)
            compare(echo, data.expected)
        else
            compare(bytesOf(echo), data.expected)
    }

    function test_fragments_refused() {
        const ws = openSocket(Fixture.qtwsUrl)
        ignoreWarning(/sendBinaryFragments\(\): fragment 1 is a number/)
        compare(ws.sendBinaryFragments(["a", 42]), -1)
        ignoreWarning(/sendTextFragments\(\) takes a list of fragments/)
        compare(ws.sendTextFragments("not a list"), -1)
        ws.active = false
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        ignoreWarning(/sendTextFragments\(\) while not open/)
        compare(ws.sendTextFragments(["late"]), -1)
    }

    function test_request_header_refused_data() {
        return [
            // Sec-WebSocket-Key belongs to the handshake (RFC 6455 §4.1).
            { tag: "a field the handshake owns", headers: { "Sec-WebSocket-Key": "x" }, named: "Sec-WebSocket-Key" },
            // RFC 9110 §5.5: no CR or LF in a field value (header injection).
            { tag: "CR LF in a value", headers: { "X-Evil": "a\r\nX-Injected: 1" }, named: "X-Evil" },
        ]
    }
    function test_request_header_refused(data) {
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: Fixture.qtwsUrl, requestHeaders: data.headers, active: true })
        tryCompare(ws, "status", WebSocket.Error, 10000)
        compare(ws.error.kind, "InvalidOptions")
        verify(ws.errorString.indexOf(data.named) >= 0, ws.errorString)
    }

    function test_url_change_reopens() {
        const ws = openSocket(Fixture.qtwsUrl)
        const before = Fixture.serverCloses().length
        ws.url = String(Fixture.qtwsUrl) + "second"
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        compare(ws.active, true)
        // The first connection was closed with 1000.
        tryVerify(function() { return Fixture.serverCloses().length > before }, 10000)
        compare(Fixture.serverCloses()[before].code, 1000)
        compare(Fixture.serverCloses()[before].path, "/")
        const received = spy(ws, "textMessageReceived")
        ws.sendTextMessage("on the new url")
        received.wait(10000)
        ws.active = false
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        tryVerify(function() { return Fixture.serverCloses().length > before + 1 }, 10000)
        compare(Fixture.serverCloses()[before + 1].code, 1000)
        compare(Fixture.serverCloses()[before + 1].path, "/second")
    }

    function test_destroyed_while_open_closes_1001() {
        const ws = createTemporaryObject(socketComponent, testCase, { url: String(Fixture.qtwsUrl) + "destroyed", active: true })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        const before = Fixture.serverCloses().length
        ws.destroy()
        // Like a page that goes away: 1001 in the background, after the object is gone.
        tryVerify(function() { return Fixture.serverCloses().length > before }, 10000)
        const last = Fixture.serverCloses()[before]
        compare(last.path, "/destroyed")
        compare(last.code, 1001)
    }

    function test_reconnect_after_close() {
        const ws = openSocket(Fixture.qtwsUrl)
        ws.close()
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        compare(ws.active, false)
        ws.active = true
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        compare(ws.closeCode, 0)
    }

    function test_buffered_amount() {
        const ws = openSocket(Fixture.qtwsUrl)
        const changes = spy(ws, "bufferedAmountChanged")
        ws.sendTextMessage("x".repeat(4 << 20))
        verify(ws.bufferedAmount > 0)
        tryCompare(ws, "bufferedAmount", 0, 10000)
        verify(changes.count >= 2)
    }

    function test_read_paused() {
        const ws = openSocket(Fixture.qtwsUrl, { readPaused: true })
        compare(ws.readPaused, true)
        const received = spy(ws, "textMessageReceived")
        ws.sendTextMessage("held")
        tryCompare(ws, "bufferedAmount", 0, 10000)
        // The echo comes back within a few ms on the loopback; paused, it is not delivered.
        // (A bounded negative check: nothing can announce "a message was held".)
        wait(300)
        compare(received.count, 0)
        const changes = spy(ws, "readPausedChanged")
        ws.readPaused = false
        compare(changes.count, 1)
        received.wait(10000)
        compare(received.signalArguments[0][0], "held")
        // close() unpauses (the peer's close frame has to be read): the property follows.
        ws.readPaused = true
        ws.close()
        compare(ws.readPaused, false)
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        compare(ws.closeCode, 1000)
    }

    function test_keepalive() {
        // A keepalive ping every 50 ms: roundTripTime is measured without any ping() call.
        const ws = openSocket(Fixture.qtwsUrl, { keepaliveInterval: 50 })
        tryVerify(function() { return ws.roundTripTime >= 0 }, 10000)
    }

    function test_connection_refused() {
        // Port 1 on 127.0.0.1: nothing listens there.
        const ws = createTemporaryObject(socketComponent, testCase, { url: "ws://127.0.0.1:1/", active: true })
        tryCompare(ws, "status", WebSocket.Error, 10000)
        compare(ws.error.kind, "ConnectionFailed")
        compare(ws.closeCode, 1006)
    }
}
