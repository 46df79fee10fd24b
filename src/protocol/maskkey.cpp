// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "protocol/maskkey_p.h"

#include <QtCore/QRandomGenerator>

namespace qtws {

quint32 MaskKeySource::next()
{
    if (m_next == BlockSize) {
        QRandomGenerator::system()->fillRange(m_keys.data(), BlockSize);
        m_next = 0;
    }
    // Each key is handed out once and then forgotten, so a key in memory is never reused.
    const quint32 key = m_keys[m_next];
    m_keys[m_next++] = 0;
    return key;
}

} // namespace qtws
