// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

// Symbols of the shared library are hidden unless marked QTWS_EXPORT.
#if defined(QTWS_BUILD_LIBRARY)
#define QTWS_EXPORT Q_DECL_EXPORT
#else
#define QTWS_EXPORT Q_DECL_IMPORT
#endif
