// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
// QtWs.WebSocketServer in QML with python3-websockets and QtWs.WebSocket clients: the QML handler
// echoes, the acceptConnection hook refuses by origin and path, broadcast() reaches every client,
// close() sends 1001, and the server-side WebSocket objects go away with their peers.
import QtQuick
import QtTest
import QtWs
import QtWsTest

TestCase {
    id: testCase
    name: "WebSocketServer"

    property QtObject lastClient: null
    property var refusedRequests: []

    WebSocketServer {
        id: server
        listen: true
        subprotocols: ["v2.chat", "chat"]
        name: "qtws QML test"
        acceptConnection: function(request) {
            const ok = request.origin !== "http://evil.example" && request.path !== "/private"
            if (!ok)
                testCase.refusedRequests = testCase.refusedRequests.concat([request])
            return ok
        }
        onClientConnected: function(webSocket) {
            testCase.lastClient = webSocket
            webSocket.textMessageReceived.connect(function(message) {
                webSocket.sendTextMessage(message)
            })
            webSocket.binaryMessageReceived.connect(function(message) {
                webSocket.sendBinaryMessage(message)
            })
        }
    }

    // Spies on the long-lived server live as long as it does (a temporary spy would be gone
    // when a late signal arrives).
    SignalSpy {
        id: disconnectedSpy
        target: server
        signalName: "clientDisconnected"
    }

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
        verify(server.listen, server.errorString)
        tryCompare(server, "clientCount", 0, 10000)
        disconnectedSpy.clear()
    }

    function spy(target, signalName) {
        return createTemporaryObject(spyComponent, testCase, { target: target, signalName: signalName })
    }

    function waitForPeer(peer) {
        tryVerify(function() { return !peer.isRunning() }, 20000, "the python client did not finish")
        compare(peer.exitCode(), 0, peer.diagnostics())
    }

    function test_listening() {
        verify(server.port > 0)
        compare(String(server.url), "ws://127.0.0.1:" + server.port + "/")
        compare(server.host, "127.0.0.1")
        compare(server.accept, true)
        compare(server.errorString, "")
    }

    function test_python_client_echo() {
        const script = JSON.stringify([
            { send: "text", content: "hello \u2713" }, { expect: "text", content: "hello \u2713" },
            // Issue 11: the QML handler's echo keeps a leading U+FEFF.
            { send: "text", content: "\ufeffBOM first" }, { expect: "text", content: "\ufeffBOM first" },
            { send: "binary", hex: "00ff10" }, { expect: "binary", hex: "00ff10" },
            { send: "text", size: 1 << 20 }, { expect: "text", size: 1 << 20, pattern: true },
            { ping: "p" },
            { close: 4003, reason: "python done" },
        ])
        const peer = Fixture.startPythonClient(server.url, script, ["--subprotocol", "chat"])
        waitForPeer(peer)
        compare(peer.eventsOfType("open")[0].subprotocol, "chat")
        const closes = peer.eventsOfType("close")
        compare(closes[0].code, 4003)
        tryCompare(disconnectedSpy, "count", 1, 10000)
        tryCompare(server, "clientCount", 0)
    }

    function test_qml_client_and_server_side_socket() {
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: String(server.url) + "room?x=1", active: true,
                                           requestedSubprotocols: ["chat", "v2.chat"],
                                           requestHeaders: { "X-Token": "abc" } })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        // Server preference: v2.chat is the server's first choice.
        compare(ws.negotiatedSubprotocol, "v2.chat")
        tryCompare(server, "clientCount", 1)
        const client = server.clients[0]
        compare(client, lastClient)
        compare(client.serverSide, true)
        compare(client.status, WebSocket.Open)
        compare(client.negotiatedSubprotocol, "v2.chat")
        compare(client.requestHeaders["x-token"], "abc")
        verify(String(client.url).indexOf("/room?x=1") > 0, client.url)
        verify(client.extensions.indexOf("permessage-deflate") === 0, client.extensions)
        compare(client.peerAddress, "127.0.0.1")
        verify(client.peerPort > 0)
        // The 101 this server sent, as the client received it (name: goes out as Server).
        compare(client.responseHeaders["sec-websocket-accept"], ws.responseHeaders["sec-websocket-accept"])
        compare(ws.responseHeaders["server"], "qtws QML test")
        // The handshake whole, as the Inspector shows it: the request the server read is the
        // one the client sent, the 101 the same both sides.
        verify(ws.handshakeRequest.startsWith("GET /room?x=1 HTTP/1.1\r\n"), ws.handshakeRequest)
        verify(ws.handshakeRequest.indexOf("\r\nX-Token: abc\r\n") > 0, ws.handshakeRequest)
        compare(client.handshakeRequest, ws.handshakeRequest)
        verify(client.handshakeResponse.startsWith("HTTP/1.1 101 Switching Protocols\r\n"), client.handshakeResponse)
        compare(ws.handshakeResponse, client.handshakeResponse)

        const received = spy(ws, "binaryMessageReceived")
        ws.sendBinaryMessage(new Uint8Array([9, 8, 7]))
        received.wait(10000)
        compare(Array.from(new Uint8Array(received.signalArguments[0][0])), [9, 8, 7])

        // The server side closes: the client sees the code; the server-side object goes away.
        client.close(4004, "server side bye")
        tryCompare(ws, "closeCode", 4004, 10000)
        compare(ws.closeReason, "server side bye")
        tryCompare(disconnectedSpy, "count", 1, 10000)
        compare(server.clientCount, 0)
        compare(server.clients.length, 0)
        // Deleted from the event loop: QML references read null, never a dangling object.
        tryCompare(testCase, "lastClient", null, 10000)
    }

    // sendTextFragments/sendBinaryFragments from a server-side WebSocket, seen by a qtws client
    // that receives frame by frame: one frame per fragment, one message each time.
    function test_server_side_fragments() {
        Fixture.openFrameCounter(server.url)
        tryVerify(function() { return Fixture.frameCounterOpen() }, 10000, "the frame counter did not connect")
        tryCompare(server, "clientCount", 1)
        const client = server.clients[0]
        compare(client.sendTextFragments(["one ", "message ", "in ", "four"]), 19)
        compare(client.sendBinaryFragments([new Uint8Array([1, 2]), "AB", new Uint8Array([3]).buffer]), 5)
        compare(client.sendTextMessage("whole"), 5)
        compare(client.sendBinaryFragments([]), 0)
        tryVerify(function() { return Fixture.frameCounts().length === 4 }, 10000, JSON.stringify(Fixture.frameCounts()))
        compare(Fixture.frameCounts(), [4, 3, 1, 1])
        Fixture.closeFrameCounter()
        tryCompare(server, "clientCount", 0, 10000)
    }

    function test_peer_leaves_then_object_is_gone() {
        const ws = createTemporaryObject(socketComponent, testCase, { url: server.url, active: true })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        tryCompare(server, "clientCount", 1, 10000)
        const client = server.clients[0]
        let seen = null
        // Still whole while its statusChanged and clientDisconnected handlers run.
        client.statusChanged.connect(function(status) {
            seen = { status: status, code: client.closeCode, reason: client.closeReason,
                     error: client.errorString }
        })
        ws.close(4005, "client leaves")
        tryCompare(disconnectedSpy, "count", 1, 10000)
        compare(seen.status, WebSocket.Closed, JSON.stringify(seen))
        compare(disconnectedSpy.signalArguments[0][0], client)
        compare(seen.code, 4005)
        compare(seen.reason, "client leaves")
        compare(server.clientCount, 0)
        // Then deleted: every QML reference reads null, none dangles.
        tryCompare(testCase, "lastClient", null, 10000)
        verify(server.clients.length === 0)
    }

    function test_accept_connection_hook_data() {
        return [
            { tag: "evil origin refused", path: "", origin: "http://evil.example", accepted: false },
            { tag: "private path refused", path: "private", origin: "", accepted: false },
            // The default policy refuses a cross-origin page; this hook lets it in.
            { tag: "other origin accepted by the hook", path: "", origin: "http://good.example", accepted: true },
            { tag: "no origin accepted", path: "public", origin: "", accepted: true },
        ]
    }
    function test_accept_connection_hook(data) {
        refusedRequests = []
        const headers = data.origin === "" ? {} : { "Origin": data.origin }
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: String(server.url) + data.path, requestHeaders: headers, active: true })
        if (data.accepted) {
            tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
            compare(refusedRequests.length, 0)
        } else {
            tryCompare(ws, "status", WebSocket.Error, 10000)
            compare(ws.error.kind, "HandshakeRefused")
            compare(ws.error.httpStatus, 403)
            compare(refusedRequests.length, 1)
            compare(refusedRequests[0].path, "/" + data.path)
            compare(refusedRequests[0].origin, data.origin)
            compare(refusedRequests[0].headers["sec-websocket-version"], "13")
        }
    }

    function test_accept_false_refuses() {
        server.accept = false
        const ws = createTemporaryObject(socketComponent, testCase, { url: server.url, active: true })
        tryCompare(ws, "status", WebSocket.Error, 10000)
        compare(ws.error.httpStatus, 403)
        server.accept = true
        ws.active = true
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
    }

    function test_broadcast() {
        const script = JSON.stringify([{ expect: "text", content: "news for all" }, { expect: "binary", hex: "0102" }])
        const peers = [Fixture.startPythonClient(server.url, script), Fixture.startPythonClient(server.url, script)]
        const ws = createTemporaryObject(socketComponent, testCase, { url: server.url, active: true })
        const received = spy(ws, "textMessageReceived")
        tryCompare(server, "clientCount", 3, 20000)
        tryCompare(ws, "status", WebSocket.Open, 10000)
        compare(server.broadcast("news for all"), 3)
        compare(server.broadcast(new Uint8Array([1, 2])), 3)
        received.wait(10000)
        compare(received.signalArguments[0][0], "news for all")
        for (const peer of peers)
            waitForPeer(peer)
    }

    function test_close_sends_1001() {
        const own = createTemporaryObject(serverComponent, testCase, { listen: true })
        verify(own.listen, own.errorString)
        const peer = Fixture.startPythonClient(own.url, JSON.stringify([{ expect: "close", code: 1001 }]))
        const ws = createTemporaryObject(socketComponent, testCase, { url: own.url, active: true })
        tryCompare(own, "clientCount", 2, 20000)
        const closed = spy(own, "closed")
        own.close()
        tryCompare(ws, "status", WebSocket.Closed, 10000)
        compare(ws.closeCode, 1001)
        compare(ws.error.kind, "ClosedByPeer")
        waitForPeer(peer)
        compare(peer.eventsOfType("close")[0].code, 1001)
        closed.wait(10000)
        compare(own.listen, false)
        compare(own.clientCount, 0)
        compare(String(own.url), "")
    }

    function test_tls_server() {
        const own = createTemporaryObject(serverComponent, testCase,
                                          { certificateFile: Fixture.certificateFile,
                                            privateKeyFile: Fixture.privateKeyFile, listen: true })
        verify(own.listen, own.errorString)
        compare(String(own.url).substring(0, 6), "wss://")
        const ws = createTemporaryObject(socketComponent, testCase,
                                         { url: own.url, caCertificateFiles: [Fixture.caFile], active: true })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        const peer = Fixture.startPythonClient(own.url, JSON.stringify([{ send: "text", content: "tls" }]),
                                               ["--ca", Fixture.caPath])
        waitForPeer(peer)
        // Without the test CA the certificate is not trusted: both clients are refused.
        const untrusting = createTemporaryObject(socketComponent, testCase, { url: own.url, active: true })
        tryCompare(untrusting, "status", WebSocket.Error, 10000)
        compare(untrusting.error.kind, "TlsFailed")
        const untrustingPeer = Fixture.startPythonClient(own.url, JSON.stringify([{ send: "text", content: "tls" }]))
        tryVerify(function() { return !untrustingPeer.isRunning() }, 20000)
        verify(untrustingPeer.exitCode() !== 0, "python connected without the CA")
    }

    function test_port_change_relistens() {
        const own = createTemporaryObject(serverComponent, testCase, { listen: true })
        const first = own.port
        verify(first > 0)
        const urls = spy(own, "urlChanged")
        own.port = 0
        compare(own.listen, true)
        verify(own.port > 0)
        const ws = createTemporaryObject(socketComponent, testCase, { url: own.url, active: true })
        tryCompare(ws, "status", WebSocket.Open, 10000, ws.errorString)
        verify(urls.count >= 1)
    }

    function test_listen_error() {
        const own = createTemporaryObject(serverComponent, testCase, { port: server.port, listen: true })
        compare(own.listen, false)
        verify(own.errorString !== "")
    }
}
