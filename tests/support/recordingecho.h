// A WebSocket handler for tests of what an application sees: it echoes text as text and binary
// as binary, and records every message ("text:<hex>" / "binary:<hex>", so a dropped U+FEFF or
// a changed byte shows), every error and the close code. Works for either role.
#pragma once

#include <QtWs/websocket.h>
#include <QtWs/websocketerror.h>

#include <QtCore/QList>
#include <QtCore/QStringList>

namespace qtws::test {

struct RecordingEcho
{
    QStringList messages;
    QList<WebSocketError> errors;
    int closeCode = -1; // -1 until closed()

    void attach(WebSocket *ws);
    // The records as one line, for failure messages.
    QString diagnostics() const;
    // How a message is recorded.
    static QString record(bool text, const QByteArray &bytes);
};

// validMessagesBeforeTheBadFrame() (badframes.h) as RecordingEcho records them.
QStringList validMessageRecords();

} // namespace qtws::test
