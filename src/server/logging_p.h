// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace qtws {

// "qtws.server": the application's misuse of a server Stream (writing after end(), setting
// headers after startWrite()), and at debug level why connections were closed. A client's
// mistakes are answered with an HTTP status, not logged as warnings.
Q_DECLARE_LOGGING_CATEGORY(lcServer)

} // namespace qtws
