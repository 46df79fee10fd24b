// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/conn.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

namespace qtws {

// One whole unfragmented server→client data frame (unmasked, RFC 6455 §5.1), header and
// payload in one array. A server frame carries no per-connection state (no masking key), so
// the same bytes may be written to any number of connections: qtws::Topics frames a publish
// once with this and shares the array. rsv: the reserved bits an extension set (RSV1 for a
// permessage-deflate message, RFC 7692 §6), 0 for none.
QByteArray encodeServerMessageFrame(MessageType type, QByteArrayView payload, quint8 rsv = 0);

} // namespace qtws
