// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/logging_p.h"

namespace qtws::transport {
Q_LOGGING_CATEGORY(lcTransport, "qtws.transport")
} // namespace qtws::transport
