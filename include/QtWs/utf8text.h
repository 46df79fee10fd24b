// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/qtwsglobal.h>

#include <QtCore/QByteArrayView>
#include <QtCore/QString>

namespace qtws {

// The text of a WebSocket text message (or close reason), character for character.
//
// QString::fromUtf8 treats a leading U+FEFF as a byte order mark and drops it, which suits
// files but not messages: RFC 6455 §5.6 makes a text payload UTF-8 text whose every code point
// belongs to the message, so a message that starts with EF BB BF keeps its U+FEFF and an echo
// sends back the bytes it got. Invalid sequences become U+FFFD as in QString::fromUtf8 (the
// codec has refused invalid UTF-8 before a message gets here).
QTWS_EXPORT QString textFromUtf8(QByteArrayView utf8);

} // namespace qtws
