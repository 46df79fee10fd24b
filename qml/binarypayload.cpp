// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "binarypayload_p.h"

#include <QtQml/QJSEngine>

namespace qtws::qml {

std::optional<QByteArray> bytesOfBinary(QJSEngine *engine, const QJSValue &value)
{
    if (!value.isObject())
        return std::nullopt;
    // An ArrayBuffer converts to QByteArray; nothing else does.
    const QVariant direct = value.toVariant();
    if (direct.metaType() == QMetaType::fromType<QByteArray>())
        return direct.toByteArray();
    // A view: ArrayBuffer.isView() is the standard test (ECMAScript §25.1.4.1), so that a plain
    // object that happens to have a "buffer" member is not taken for one.
    if (!engine)
        return std::nullopt;
    QJSValue isView = engine->globalObject()
                          .property(QStringLiteral("ArrayBuffer"))
                          .property(QStringLiteral("isView"));
    if (!isView.isCallable() || !isView.call({value}).toBool())
        return std::nullopt;
    const QVariant buffer = value.property(QStringLiteral("buffer")).toVariant();
    if (buffer.metaType() != QMetaType::fromType<QByteArray>())
        return std::nullopt;
    const QByteArray all = buffer.toByteArray();
    const qint64 offset = value.property(QStringLiteral("byteOffset")).toVariant().toLongLong();
    const qint64 length = value.property(QStringLiteral("byteLength")).toVariant().toLongLong();
    if (offset < 0 || length < 0 || offset + length > all.size())
        return std::nullopt;
    return all.mid(offset, length);
}

QByteArray forArrayBuffer(const QByteArray &bytes)
{
    if (!bytes.isEmpty() || bytes.capacity() > 0)
        return bytes;
    QByteArray allocated;
    allocated.reserve(1);
    return allocated;
}

QString describe(const QJSValue &value)
{
    if (value.isUndefined())
        return QStringLiteral("undefined");
    if (value.isNull())
        return QStringLiteral("null");
    if (value.isString())
        return QStringLiteral("a string");
    if (value.isNumber())
        return QStringLiteral("a number");
    if (value.isBool())
        return QStringLiteral("a boolean");
    if (value.isArray())
        return QStringLiteral("an array");
    return QStringLiteral("an object");
}

} // namespace qtws::qml
