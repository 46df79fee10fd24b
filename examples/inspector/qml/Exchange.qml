// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
import QtQuick
import QtWs
import Inspector

// One connection between a WebSocket of the QML module (import QtWs) and the Inspector's log:
// whatever the socket emits goes into sink (a C++ LogSink: log rows, counters, the flood
// budget); send(), ping() and close() hand the composer's input to the socket and log exactly
// what was handed over. The client view has one; the server view one per accepted client.
QtObject {
    id: root
    property WebSocket socket
    property LogSink sink
    // For its checks of ping payloads and close codes.
    property Composer composer

    readonly property bool open: socket !== null && socket.status === WebSocket.Open

    // A user action was refused (the view shows why).
    signal refused(string error)
    signal opened()
    // The connection is over (after the sink logged how).
    signal ended()
    // For the server view's echo.
    signal textReceived(string message)
    signal binaryReceived(var message)

    function fail(error) {
        refused(error);
        return false;
    }

    // message: Composer.message() ({error, binary, text, payload, fragments}).
    function send(message) {
        if (message.error)
            return fail(message.error);
        if (!open)
            return fail("not connected");
        const fragments = message.fragments.length;
        let sent = -1;
        if (fragments > 0)
            sent = message.binary ? socket.sendBinaryFragments(message.fragments)
                                  : socket.sendTextFragments(message.fragments);
        else
            sent = message.binary ? socket.sendBinaryMessage(message.payload)
                                  : socket.sendTextMessage(message.text);
        if (sent < 0)
            return fail("the WebSocket refused the message (see the log)");
        if (message.binary)
            sink.binarySent(message.payload, Math.max(fragments, 1));
        else
            sink.textSent(message.text, Math.max(fragments, 1));
        return true;
    }

    function ping(payload) {
        const error = composer.pingError(payload);
        if (error)
            return fail(error);
        if (!open)
            return fail("not connected");
        if (socket.ping(payload) < 0)
            return fail("the WebSocket refused the ping");
        sink.pingSent(payload);
        return true;
    }

    function close(code, reason) {
        const error = composer.closeError(code, reason);
        if (error)
            return fail(error);
        if (!open)
            return fail("not connected");
        socket.close(code, reason);
        sink.closeSent(code, reason);
        return true;
    }

    // The sink pauses the socket's reading during a flood (LogSink::messagesPerTurn).
    property Binding throttle: Binding {
        target: root.sink
        property: "socket"
        value: root.socket
        when: root.sink !== null
    }

    property Connections events: Connections {
        target: root.socket
        function onTextMessageReceived(message) {
            root.sink.textReceived(message);
            root.textReceived(message);
        }
        function onBinaryMessageReceived(message) {
            root.sink.binaryReceived(message);
            root.binaryReceived(message);
        }
        function onPingReceived(payload) { root.sink.pingReceived(payload); }
        function onPong(elapsedTime, payload) { root.sink.pongReceived(elapsedTime, payload); }
        function onStatusChanged(status) {
            const ws = root.socket;
            if (status === WebSocket.Open) {
                root.opened();
            } else if (status === WebSocket.Closed) {
                root.sink.closed(ws.closeCode, ws.closeReason);
                root.ended();
            } else if (status === WebSocket.Error) {
                root.sink.failed(ws.closeCode, ws.errorString);
                root.ended();
            }
        }
    }
}
