// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// RFC 6455 wire helpers for the comparison harness (bench/compare), written from the RFC and
// independent of qtws: the generator must not share code with the server it measures.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wire {

// The SHA-1 digest (FIPS 180-4) of data, for Sec-WebSocket-Accept (RFC 6455 §4.2.2).
void sha1(std::string_view data, unsigned char out[20]);
std::string base64(const unsigned char *data, size_t size);
// base64(SHA-1(key + the RFC 6455 GUID)).
std::string acceptFor(std::string_view key);

// A cheap, deterministic pseudo-random source (xorshift64*): mask keys and handshake nonces.
struct Random
{
    uint64_t state = 0x9e3779b97f4a7c15ULL;
    uint64_t next()
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545f4914f6cdd1dULL;
    }
};

// Writes a frame header for a payload of `size` bytes at out (room for 14 bytes) and returns its
// length; with `mask` the mask bit is set and the key follows (RFC 6455 §5.2).
size_t writeHeader(
    unsigned char *out, unsigned opcode, bool fin, uint64_t size, bool mask, uint32_t maskKey);
// XORs size bytes from `from` into `to` with the key, starting at payload offset `offset`
// (RFC 6455 §5.3), eight bytes at a time so that the generator keeps up with a 1 MiB echo.
void copyMasked(
    unsigned char *to, const unsigned char *from, size_t size, uint32_t key, uint64_t offset);

// A parsed frame header; `headerSize` 0 means more bytes are needed.
struct Header
{
    size_t headerSize = 0;
    unsigned opcode = 0;
    bool fin = false;
    bool masked = false;
    uint32_t maskKey = 0;
    uint64_t length = 0;
};
Header parseHeader(const unsigned char *data, size_t size);

} // namespace wire
