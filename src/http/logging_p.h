// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace qtws::http {
// "qtws.http": application misuse of the HTTP layer (an invalid route, a static root that
// does not exist). Peer input is never logged here: it becomes a status code.
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
} // namespace qtws::http
