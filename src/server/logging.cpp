// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "server/logging_p.h"

namespace qtws {

Q_LOGGING_CATEGORY(lcServer, "qtws.server")

} // namespace qtws
