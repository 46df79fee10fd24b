// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "messageformat.h"

#include <QtWs/utf8text.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>

namespace inspector {

namespace {

constexpr char hexDigits[] = "0123456789abcdef";

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

} // namespace

std::optional<QString> prettyJson(QByteArrayView utf8)
{
    // Cheap rejection first: the log calls this for every visible text row.
    qsizetype first = 0;
    while (first < utf8.size() && QChar::isSpace(uchar(utf8[first])))
        ++first;
    if (first == utf8.size() || (utf8[first] != '{' && utf8[first] != '['))
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(utf8.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || document.isNull())
        return std::nullopt;
    QString pretty = QString::fromUtf8(document.toJson(QJsonDocument::Indented));
    while (pretty.endsWith(u'\n'))
        pretty.chop(1);
    return pretty;
}

QString hexDump(QByteArrayView bytes, qsizetype maxBytes, int bytesPerLine)
{
    const qsizetype perLine = qBound(1, bytesPerLine, 64);
    const qsizetype shown = qMin(bytes.size(), qMax<qsizetype>(maxBytes, 0));
    QString out;
    // 78 characters per line: 8 offset + 2 + 16 * 3 + 1 + 2 + 16 + 1 + newline.
    out.reserve((shown / perLine + 2) * (perLine * 4 + 16));
    for (qsizetype line = 0; line < shown; line += perLine) {
        QString hex;
        QString ascii;
        for (qsizetype i = 0; i < perLine; ++i) {
            if (i == 8 && perLine == 16)
                hex += u' ';
            if (line + i < shown) {
                const uchar byte = uchar(bytes[line + i]);
                hex += QLatin1Char(hexDigits[byte >> 4]);
                hex += QLatin1Char(hexDigits[byte & 0xf]);
                hex += u' ';
                ascii += (byte >= 0x20 && byte < 0x7f) ? QLatin1Char(char(byte)) : QLatin1Char('.');
            } else {
                hex += QLatin1String("   ");
            }
        }
        if (!out.isEmpty())
            out += u'\n';
        out += QStringLiteral("%1  ").arg(line, 8, 16, QLatin1Char('0')) + hex + QLatin1String(" |")
            + ascii + u'|';
    }
    if (shown < bytes.size()) {
        if (!out.isEmpty())
            out += u'\n';
        out += QStringLiteral("… %1 more bytes not shown").arg(bytes.size() - shown);
    }
    return out;
}

std::optional<QByteArray> parseHex(const QString &text, QString *error)
{
    QByteArray out;
    out.reserve(text.size() / 2);
    int pending = -1; // the high nibble read so far, or -1
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (pending < 0 && (c.isSpace() || c == u':' || c == u',' || c == u'-'))
            continue;
        if (pending < 0 && c == u'0' && i + 1 < text.size()
            && (text[i + 1] == u'x' || text[i + 1] == u'X')) {
            ++i;
            continue;
        }
        const int value = hexValue(c);
        if (value < 0) {
            if (error)
                *error = QStringLiteral("'%1' at column %2 is not a hex digit").arg(c).arg(i + 1);
            return std::nullopt;
        }
        if (pending < 0) {
            pending = value;
        } else {
            out.append(char(pending << 4 | value));
            pending = -1;
        }
    }
    if (pending >= 0) {
        if (error)
            *error = QStringLiteral("odd number of hex digits: the last byte has one digit");
        return std::nullopt;
    }
    return out;
}

QString formatText(QByteArrayView utf8, qsizetype maxBytes)
{
    if (utf8.size() <= maxBytes) {
        if (std::optional<QString> pretty = prettyJson(utf8))
            return *pretty;
        return qtws::textFromUtf8(utf8);
    }
    return qtws::textFromUtf8(utf8.first(maxBytes))
        + QStringLiteral("\n… %1 more bytes not shown").arg(utf8.size() - maxBytes);
}

QString firstLines(const QString &formatted, int maxLines, int maxColumns)
{
    QString out;
    qsizetype start = 0;
    for (int line = 0; line < maxLines && start <= formatted.size(); ++line) {
        qsizetype end = formatted.indexOf(u'\n', start);
        const bool last = end < 0;
        if (last)
            end = formatted.size();
        QStringView text = QStringView(formatted).mid(start, end - start);
        if (text.endsWith(u'\r'))
            text.chop(1);
        if (line > 0)
            out += u'\n';
        if (text.size() > maxColumns)
            out += text.first(maxColumns) + QStringLiteral("…");
        else
            out += text;
        if (last)
            return out;
        start = end + 1;
    }
    if (start < formatted.size())
        out += QStringLiteral(" …");
    return out;
}

QString formatSize(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
    double value = double(bytes) / 1024.0;
    int unit = 0;
    while (value >= 1024.0 && unit < 3) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

} // namespace inspector
