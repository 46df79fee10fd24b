// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "http/logging_p.h"

namespace qtws::http {
Q_LOGGING_CATEGORY(lcHttp, "qtws.http")
} // namespace qtws::http
