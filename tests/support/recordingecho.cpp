#include "recordingecho.h"

#include "badframes.h"

namespace qtws::test {

void RecordingEcho::attach(WebSocket *ws)
{
    QObject::connect(ws, &WebSocket::textMessageReceived, ws, [this, ws](const QString &text) {
        messages.append(record(true, text.toUtf8()));
        ws->sendTextMessage(text);
    });
    QObject::connect(
        ws, &WebSocket::binaryMessageReceived, ws, [this, ws](const QByteArray &bytes) {
            messages.append(record(false, bytes));
            ws->sendBinaryMessage(bytes);
        });
    QObject::connect(ws, &WebSocket::errorOccurred, ws,
        [this](const WebSocketError &error) { errors.append(error); });
    QObject::connect(
        ws, &WebSocket::closed, ws, [this](int code, const QString &) { closeCode = code; });
}

QString RecordingEcho::diagnostics() const
{
    QString result = QStringLiteral("qtws saw: ") + messages.join(QStringLiteral(", "));
    for (const WebSocketError &error : errors)
        result += QStringLiteral("; error: ") + error.toString();
    return result + QStringLiteral("; closed(%1)").arg(closeCode);
}

QString RecordingEcho::record(bool text, const QByteArray &bytes)
{
    return (text ? QStringLiteral("text:") : QStringLiteral("binary:"))
        + QString::fromLatin1(bytes.toHex());
}

QStringList validMessageRecords()
{
    QStringList records;
    for (const RawFrame &frame : validMessagesBeforeTheBadFrame())
        records.append(RecordingEcho::record((frame.firstByte & 0x0f) == 0x1, frame.payload));
    return records;
}

} // namespace qtws::test
