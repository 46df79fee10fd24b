// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "qmlwebsocketerror.h"

#include <QtWs/utf8text.h>

#include <QtCore/QMetaEnum>

namespace qtws::qml {

QString QmlWebSocketError::kind() const
{
    const QMetaEnum kinds = QMetaEnum::fromType<WebSocketError::Kind>();
    return QString::fromLatin1(kinds.valueToKey(int(m_error.kind())));
}

QString QmlWebSocketError::message() const
{
    if (m_error.kind() == WebSocketError::Kind::NoError)
        return {};
    return m_error.toString();
}

QString QmlWebSocketError::httpBody() const
{
    return textFromUtf8(m_error.httpBody());
}

} // namespace qtws::qml
