#include "peerscript.h"

#include <QCryptographicHash>
#include <QJsonDocument>

namespace qtws::test {

namespace {
QString key(const char *name)
{
    return QString::fromLatin1(name);
}
} // namespace

PeerScript &PeerScript::sendText(qsizetype size)
{
    return step({{key("send"), key("text")}, {key("size"), size}});
}

PeerScript &PeerScript::sendText(const QString &content)
{
    return step({{key("send"), key("text")}, {key("content"), content}});
}

PeerScript &PeerScript::sendBinary(qsizetype size)
{
    return step({{key("send"), key("binary")}, {key("size"), size}});
}

PeerScript &PeerScript::sendBinary(const QByteArray &bytes)
{
    return step({{key("send"), key("binary")}, {key("hex"), QString::fromLatin1(bytes.toHex())}});
}

PeerScript &PeerScript::expectText(qsizetype size)
{
    return step({{key("expect"), key("text")}, {key("size"), size}, {key("pattern"), true}});
}

PeerScript &PeerScript::expectText(const QString &content)
{
    return step({{key("expect"), key("text")}, {key("content"), content}});
}

PeerScript &PeerScript::expectBinary(qsizetype size)
{
    return step({{key("expect"), key("binary")}, {key("size"), size}, {key("pattern"), true}});
}

PeerScript &PeerScript::expectBinary(const QByteArray &bytes)
{
    return step({{key("expect"), key("binary")}, {key("hex"), QString::fromLatin1(bytes.toHex())}});
}

PeerScript &PeerScript::ping(const QString &payload)
{
    return step({{key("ping"), payload}});
}

PeerScript &PeerScript::close(int code, const QString &reason)
{
    return step({{key("close"), code}, {key("reason"), reason}});
}

PeerScript &PeerScript::sendRaw(const QByteArray &bytes)
{
    return step({{key("send"), key("raw")}, {key("hex"), QString::fromLatin1(bytes.toHex())}});
}

PeerScript &PeerScript::expectTextBytes(const QByteArray &utf8)
{
    return step({{key("expect"), key("text")}, {key("hex"), QString::fromLatin1(utf8.toHex())}});
}

PeerScript &PeerScript::expectClose(int code, const QString &reason)
{
    return step({{key("expect"), key("close")}, {key("code"), code}, {key("reason"), reason}});
}

PeerScript &PeerScript::expectClose(int code)
{
    return step({{key("expect"), key("close")}, {key("code"), code}});
}

PeerScript &PeerScript::step(const QJsonObject &step)
{
    m_steps.append(step);
    return *this;
}

QString PeerScript::toJson() const
{
    return QString::fromUtf8(QJsonDocument(m_steps).toJson(QJsonDocument::Compact));
}

QByteArray PeerScript::pattern(bool text, qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = text ? char('a' + i % 26) : char(static_cast<unsigned char>(i % 256));
    return bytes;
}

QString PeerScript::sha256(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

} // namespace qtws::test
