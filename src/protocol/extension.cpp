// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/extension.h>

namespace qtws {

// Out of line so the vtable has one home, in the library.
Extension::~Extension() = default;

} // namespace qtws
