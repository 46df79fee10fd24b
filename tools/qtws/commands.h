// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QStringList>

namespace cli {

// Each takes the whole command line (program name first) and returns the exit code.
int runConnect(const QStringList &arguments);
int runServe(const QStringList &arguments);

} // namespace cli
