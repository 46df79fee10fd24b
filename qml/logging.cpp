// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "logging_p.h"

namespace qtws::qml {
Q_LOGGING_CATEGORY(lcQml, "qtws.qml")
} // namespace qtws::qml
