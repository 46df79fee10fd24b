// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace qtws::qml {
// qtws.qml: misuse from QML (a bad URL, close code or binary value), module-level events.
Q_DECLARE_LOGGING_CATEGORY(lcQml)
} // namespace qtws::qml
