// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/logging_p.h"

namespace qtws {

Q_LOGGING_CATEGORY(lcProtocol, "qtws.protocol")

} // namespace qtws
