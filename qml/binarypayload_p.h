// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtQml/QJSValue>

#include <optional>

QT_BEGIN_NAMESPACE
class QJSEngine;
QT_END_NAMESPACE

namespace qtws::qml {

// The bytes of a binary value from QML: an ArrayBuffer, or a view on one (a typed array such
// as Uint8Array, or a DataView: only the bytes the view covers). Anything else (a string, a
// number, a plain array, undefined) is not binary: nullopt, and the caller warns.
std::optional<QByteArray> bytesOfBinary(QJSEngine *engine, const QJSValue &value);

// bytes as a signal argument that QML receives as an ArrayBuffer. An empty QByteArray with no
// allocation (what the codec hands over for an empty message) becomes an ArrayBuffer that V4
// treats as detached: reading its byteLength or viewing it throws a TypeError. The empty case
// gets an allocated (empty) array instead.
QByteArray forArrayBuffer(const QByteArray &bytes);

// A short description of a JS value for warnings: "a string", "undefined", "an object"...
QString describe(const QJSValue &value);

} // namespace qtws::qml
