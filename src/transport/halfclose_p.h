// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

QT_BEGIN_NAMESPACE
class QAbstractSocket;
QT_END_NAMESPACE

namespace qtws::transport {

// Closes the sending direction of a plain TCP socket (a FIN) and keeps the receiving one open.
//
// Why: closing a socket whose receive buffer holds unread bytes makes the kernel send a reset,
// and a reset can make the peer's kernel discard what it has not read yet (the close frame, the
// last response). RFC 6455 §7.1.1 describes the clean way: shutdown(SHUT_WR), read until the
// peer's FIN, then close; RFC 9112 §9.6 asks the same of an HTTP server. QTcpSocket cannot
// half-close, so this is the one call straight to the socket API. Returns false when the socket
// has no descriptor to shut down.
bool shutdownSending(QAbstractSocket *socket);

} // namespace qtws::transport
