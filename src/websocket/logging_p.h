// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QLoggingCategory>

namespace qtws {
Q_DECLARE_LOGGING_CATEGORY(lcClient)
} // namespace qtws
