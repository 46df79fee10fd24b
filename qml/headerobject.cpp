// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "headerobject_p.h"

#include <QtWs/http/headers.h>

namespace qtws::qml {

QVariantMap headerObject(const http::Headers &headers)
{
    QVariantMap object;
    for (const auto &[name, value] : headers) {
        const QString key = QString::fromLatin1(name).toLower();
        const QString text = QString::fromLatin1(value);
        const auto existing = object.find(key);
        if (existing == object.end()) {
            object.insert(key, text);
        } else if (key == QLatin1String("set-cookie")) {
            // RFC 9110 §5.3: Set-Cookie values may contain commas and are never combined.
            QStringList values = existing->metaType() == QMetaType::fromType<QStringList>()
                ? existing->toStringList()
                : QStringList{existing->toString()};
            values.append(text);
            *existing = QVariant(values);
        } else {
            *existing = QVariant(existing->toString() + u", " + text);
        }
    }
    return object;
}

} // namespace qtws::qml
