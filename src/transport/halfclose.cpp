// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/halfclose_p.h"

#include <QtNetwork/QAbstractSocket>

#if defined(Q_OS_WIN)
#include <winsock2.h>
#else
#include <sys/socket.h>
#endif

namespace qtws::transport {

bool shutdownSending(QAbstractSocket *socket)
{
    const qintptr descriptor = socket->socketDescriptor();
    if (descriptor == -1)
        return false;
#if defined(Q_OS_WIN)
    return ::shutdown(SOCKET(descriptor), SD_SEND) == 0;
#else
    return ::shutdown(int(descriptor), SHUT_WR) == 0;
#endif
}

} // namespace qtws::transport
