// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArrayView>

namespace qtws {

// Incremental, fail-fast UTF-8 validation (RFC 3629 §4, required of text messages and close
// reasons by RFC 6455 §5.6 and §8.1). Feed a text message in chunks of any size, across frames;
// the validator keeps the partial sequence in its state and rejects at the first byte that can
// neither start nor continue a well-formed sequence: C0, C1 and F5..FF anywhere, a lead byte
// without its continuations, overlong forms (E0 80..9F, F0 80..8F), UTF-16 surrogates
// (ED A0..BF) and code points above U+10FFFF (F4 90..BF). Once rejected it stays rejected.
class Utf8Validator
{
public:
    // Validates the next bytes of the stream. Returns false when they contain an invalid byte,
    // and then stores that byte's index in data in *errorIndex if given; true otherwise (also
    // when data ends inside a sequence: more may come).
    bool feed(QByteArrayView data, qsizetype *errorIndex = nullptr) noexcept;

    // False once an invalid byte was seen.
    bool isValid() const noexcept { return m_state != Reject; }
    // True when everything fed so far is valid and does not end inside a sequence: a message
    // may end here.
    bool isComplete() const noexcept { return m_state == Accept; }
    void reset() noexcept { m_state = Accept; }

    // Whole-buffer check (close reasons, outgoing text).
    static bool isValidUtf8(QByteArrayView data) noexcept;

    // DFA states; public for the transition table in the .cpp file.
    enum State : quint8 {
        Accept, // between sequences
        Reject, // an invalid byte was seen
        Tail1, // one continuation byte 80..BF to go
        Tail2, // two to go, the next one 80..BF
        Tail3, // three to go, the next one 80..BF
        AfterE0, // two to go, the next one A0..BF (80..9F would be overlong)
        AfterED, // two to go, the next one 80..9F (A0..BF would be a surrogate)
        AfterF0, // three to go, the next one 90..BF (80..8F would be overlong)
        AfterF4, // three to go, the next one 80..8F (90..BF would exceed U+10FFFF)
        StateCount
    };

private:
    quint8 m_state = Accept;
};

} // namespace qtws
