#include "interopchecks.h"

#include "peerscript.h"

#include <QJsonDocument>
#include <QTest>

namespace qtws::test {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QString type(const QJsonObject &event)
{
    return event.value(u"type").toString();
}

QString compact(const QJsonObject &event)
{
    return QString::fromUtf8(QJsonDocument(event).toJson(QJsonDocument::Compact));
}

QList<QJsonObject> messageEvents(const PeerProcess &peer)
{
    QList<QJsonObject> result;
    for (const QJsonObject &event : peer.events())
        if (type(event) == u"text" || type(event) == u"binary")
            result.append(event);
    return result;
}

QString checkMessageEvent(const QJsonObject &event, bool text, const QByteArray &bytes)
{
    const QString wantedType = text ? s("text") : s("binary");
    if (type(event) != wantedType || event.value(u"size").toInteger() != bytes.size()
        || event.value(u"sha256").toString() != PeerScript::sha256(bytes)) {
        return QStringLiteral("the peer reports %1, wanted %2 of %3 bytes (sha256 %4)")
            .arg(compact(event), wantedType)
            .arg(bytes.size())
            .arg(PeerScript::sha256(bytes));
    }
    if (text && bytes.size() <= 125
        && event.value(u"content").toString() != QString::fromUtf8(bytes)) {
        return QStringLiteral("the peer reports content %1").arg(compact(event));
    }
    return {};
}

void requireAvailable(PeerKind kind)
{
    if (const QString why = PeerProcess::unavailableReason(kind); !why.isEmpty()) {
        if (kind == PeerKind::Qt) // optional: only built when Qt6WebSockets is installed
            QSKIP(qPrintable(why));
        QFAIL(qPrintable(why)); // label interop: a missing peer is a failure
    }
}

QStringList tlsServerArguments(const CertificateFiles &files)
{
    return {s("--cert"), files.certificatePath, s("--key"), files.keyPath};
}

const char *row(PeerKind kind, const QString &name)
{
    static QByteArray tag;
    tag = (PeerProcess::name(kind) + QStringLiteral(": ") + name).toUtf8();
    return tag.constData();
}

} // namespace qtws::test
