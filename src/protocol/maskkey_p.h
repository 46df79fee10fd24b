// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/qglobal.h>

#include <array>

namespace qtws {

// Masking keys for a client's frames. RFC 6455 §5.3: each frame needs a fresh key "derived from
// a strong source of entropy", unpredictable to the application and to intermediaries (§10.3).
// Keys come from QRandomGenerator::system() (the operating system's CSPRNG), drawn in blocks so
// a small frame does not cost a system call.
class MaskKeySource
{
public:
    quint32 next();

private:
    static constexpr int BlockSize = 256;
    std::array<quint32, BlockSize> m_keys{};
    int m_next = BlockSize; // empty until the first key is asked for
};

} // namespace qtws
