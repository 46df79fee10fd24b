// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/utf8text.h>

#include <QtCore/QStringDecoder>

namespace qtws {

QString textFromUtf8(QByteArrayView utf8)
{
    static constexpr char bom[] = "\xEF\xBB\xBF";
    // Only a payload that starts with the BOM's bytes needs the slower decoder; every other
    // one takes QString::fromUtf8's fast path.
    if (!utf8.startsWith(QByteArrayView(bom, 3)))
        return QString::fromUtf8(utf8);
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::ConvertInitialBom);
    return decoder.decode(utf8);
}

} // namespace qtws
