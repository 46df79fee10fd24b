// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/blockingwebsocket_p.h"

#include <QtWs/blocking.h>

namespace qtws {

BlockingWebSocket open(
    const QUrl &url, const ClientOptions &options, const BlockingOptions &blocking)
{
    return BlockingWebSocketPrivate::open(url, options, blocking);
}

} // namespace qtws
