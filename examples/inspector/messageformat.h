// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// How the Inspector shows a payload: pure functions over bytes, no Qt GUI, so the log model,
// the composer and the benchmark share one definition and the test can check it exactly.

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace inspector {

// The JSON text re-indented (4 spaces, keys in their original order as far as QJsonDocument
// keeps them, i.e. sorted), or std::nullopt when text is not a JSON object or array. Scalars
// ("42", "\"x\"") are left as they are: a bare number in a text message is rarely JSON on purpose.
std::optional<QString> prettyJson(QByteArrayView utf8);

// The classic dump: offset, 16 bytes in hex (a gap after 8), then the printable ASCII of
// those bytes ('.' for the rest), one line per 16 bytes. At most maxBytes are dumped; a final
// line says how many were left out. bytesPerLine 8 makes the narrow form a log row shows.
//   00000000  68 65 6c 6c 6f 00 ff                              |hello..|
QString hexDump(QByteArrayView bytes, qsizetype maxBytes = 4096, int bytesPerLine = 16);

// Parses what a person types as hex: pairs of hex digits, with optional whitespace, ':' or ','
// between bytes and an optional 0x prefix per byte ("de ad 0xbe:ef"). std::nullopt with error
// set (which character, at which column) for anything else, including an odd digit count.
std::optional<QByteArray> parseHex(const QString &text, QString *error = nullptr);

// The whole text, formatted for reading: pretty JSON when it parses, else the text itself.
QString formatText(QByteArrayView utf8, qsizetype maxBytes = 1 << 20);

// The first maxLines lines of formatted, with "…" appended when lines were left out, and each
// line cut at maxColumns characters. What a log row shows.
QString firstLines(const QString &formatted, int maxLines, int maxColumns = 240);

// A human-readable size: "0 B", "999 B", "1.0 KiB", "12.5 MiB".
QString formatSize(qint64 bytes);

} // namespace inspector
