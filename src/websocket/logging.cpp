// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "websocket/logging_p.h"

namespace qtws {
Q_LOGGING_CATEGORY(lcClient, "qtws.client")
} // namespace qtws
