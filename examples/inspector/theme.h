// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

namespace inspector {

// The Inspector's look: Qt Quick Controls' Fusion style with a dark palette (what debugging
// tools beside it, browser devtools and IDEs, use). Call before the QML engine loads; the test
// calls it too, so its screenshots are what users see.
void applyTheme();

} // namespace inspector
