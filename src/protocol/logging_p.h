// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace qtws {

// "qtws.protocol": the application's misuse of the codec (sending after close, oversized control
// payloads, invalid close codes). A peer's mistakes are events, not log lines.
Q_DECLARE_LOGGING_CATEGORY(lcProtocol)

} // namespace qtws
