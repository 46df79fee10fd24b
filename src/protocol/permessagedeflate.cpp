// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// The permessage-deflate codec (RFC 7692 §7.2) on zlib's raw deflate. Negotiation is in
// permessagedeflate_negotiation.cpp. Hot paths: bench/bench_permessagedeflate.cpp.

#include "protocol/permessagedeflate_p.h"

#include "protocol/logging_p.h"

#include <QtCore/QString>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

namespace qtws {

namespace {

// RFC 7692 §7.2.1: a Z_SYNC_FLUSH ends with this empty stored block; senders strip it and
// receivers append it again (§7.2.2).
constexpr uchar SyncTail[4] = {0x00, 0x00, 0xff, 0xff};

// zlib counts in uInt; larger messages are sent plain rather than split into zlib calls.
constexpr qsizetype MaxCompressInput = qsizetype(1) << 30;

// The first inflate buffer: enough for JSON at 4:1 without regrowth, small for tiny messages.
constexpr qint64 MinInflateBuffer = 4096;
constexpr qint64 MaxInflateLimit = std::numeric_limits<qsizetype>::max() / 2;

// Every zlib allocation carries its size in front of it, so the extension can count what
// zlib holds (Stats) without trusting estimates. 16 bytes keep malloc's alignment.
constexpr size_t AllocHeader = 16;

} // namespace

class PerMessageDeflate::Private
{
public:
    Private(Role side, const PerMessageDeflateParams &agreed, const ResolvedDeflateOptions &local)
        : role(side), params(agreed), tuning(local)
    {
        const bool client = role == Role::Client;
        // RFC 7692 §7.1.2: each sender's window is the one negotiated for its direction.
        const int ownBits = client ? params.clientMaxWindowBits : params.serverMaxWindowBits;
        const int peerBits = client ? params.serverMaxWindowBits : params.clientMaxWindowBits;
        // An 8-bit window cannot be produced with zlib; 9 would emit distances up to 512 that
        // the peer's 256-byte window rejects, so such a side sends plain (RFC 7692 §6 allows).
        compressorBits = ownBits >= MinCompressorWindowBits ? ownBits : 0;
        // Inflating with a bigger window than negotiated accepts every valid stream, and also
        // the 512-byte windows that zlib < 1.2.9 silently used when asked for 8.
        inflaterBits = std::max(peerBits, MinCompressorWindowBits);
        // RFC 7692 §7.1.1: no context takeover resets that direction after every message.
        resetCompressor = client ? params.clientNoContextTakeover : params.serverNoContextTakeover;
        resetInflater = client ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    }

    ~Private()
    {
        releaseDeflater();
        releaseInflater();
    }

    static voidpf allocate(voidpf opaque, uInt items, uInt size)
    {
        auto *self = static_cast<Private *>(opaque);
        const size_t bytes = size_t(items) * size_t(size);
        auto *block = static_cast<char *>(std::malloc(bytes + AllocHeader));
        if (!block)
            return Z_NULL;
        std::memcpy(block, &bytes, sizeof bytes);
        self->stats.zlibBytes += qint64(bytes);
        self->stats.peakZlibBytes = std::max(self->stats.peakZlibBytes, self->stats.zlibBytes);
        self->stats.largestZlibAllocation
            = std::max(self->stats.largestZlibAllocation, qint64(bytes));
        return block + AllocHeader;
    }

    static void release(voidpf opaque, voidpf address)
    {
        if (!address)
            return;
        auto *self = static_cast<Private *>(opaque);
        char *block = static_cast<char *>(address) - AllocHeader;
        size_t bytes = 0;
        std::memcpy(&bytes, block, sizeof bytes);
        self->stats.zlibBytes -= qint64(bytes);
        std::free(block);
    }

    void prepare(z_stream &stream)
    {
        stream = z_stream{};
        stream.zalloc = &Private::allocate;
        stream.zfree = &Private::release;
        stream.opaque = this;
    }

    bool ensureDeflater()
    {
        if (deflaterReady)
            return true;
        prepare(deflater);
        // Negative windowBits: raw deflate, no zlib header or checksum (RFC 7692 §7.2.1).
        const int result = deflateInit2(&deflater, tuning.compressionLevel, Z_DEFLATED,
            -compressorBits, tuning.memLevel, Z_DEFAULT_STRATEGY);
        deflaterReady = result == Z_OK;
        return deflaterReady;
    }

    bool ensureInflater()
    {
        if (inflaterReady)
            return true;
        prepare(inflater);
        inflaterReady = inflateInit2(&inflater, -inflaterBits) == Z_OK;
        return inflaterReady;
    }

    void releaseDeflater()
    {
        if (deflaterReady)
            deflateEnd(&deflater);
        deflaterReady = false;
    }

    void releaseInflater()
    {
        if (inflaterReady)
            inflateEnd(&inflater);
        inflaterReady = false;
    }

    // A stream that ended with a BFINAL block (RFC 7692 §7.2.3.4) must be reset before more
    // data; with context takeover the window is carried into the fresh stream as a dictionary.
    bool restartInflater()
    {
        if (resetInflater)
            return inflateReset(&inflater) == Z_OK;
        std::vector<Bytef> window(size_t(1) << inflaterBits);
        uInt length = uInt(window.size());
        if (inflateGetDictionary(&inflater, window.data(), &length) != Z_OK)
            return false;
        if (inflateReset(&inflater) != Z_OK)
            return false;
        return length == 0 || inflateSetDictionary(&inflater, window.data(), length) == Z_OK;
    }

    DecodeResult inflateMessage(QByteArray &payload, qint64 maxSize);
    ReservedBits deflateMessage(QByteArray &payload);

    Role role;
    PerMessageDeflateParams params;
    ResolvedDeflateOptions tuning;
    int compressorBits = 15; // 0: this side never compresses
    int inflaterBits = 15;
    bool resetCompressor = false;
    bool resetInflater = false;
    bool skipNext = false;
    bool deflaterReady = false;
    bool inflaterReady = false;
    z_stream deflater{};
    z_stream inflater{};
    Stats stats;
};

// RFC 7692 §7.2.2: append 0x00 0x00 0xff 0xff and inflate. The output grows in steps and is
// never given room past maxSize + 1 bytes: one byte more than allowed proves the message is
// too big, so a bomb costs at most maxSize + 1 bytes of buffer, never what it would inflate to.
Extension::DecodeResult PerMessageDeflate::Private::inflateMessage(
    QByteArray &payload, qint64 maxSize)
{
    // qsizetype bounds what a QByteArray can hold; +1 below must not overflow.
    const qint64 limit = std::clamp<qint64>(maxSize, 0, MaxInflateLimit);
    if (payload.isEmpty()) {
        // Not valid DEFLATE (§7.2.3.6 makes an empty message 0x00), but harmless: an empty
        // message, leaving the inflater untouched rather than inside a stored block.
        ++stats.messagesInflated;
        return DecodeResult::ok();
    }
    if (!ensureInflater())
        return DecodeResult::failure(1011, QStringLiteral("out of memory for the inflater"));

    const qint64 cap = limit + 1;
    qint64 capacity = std::min(cap, std::max(MinInflateBuffer, qint64(payload.size()) * 4));
    QByteArray out;
    // reserve() allocates exactly; resize() alone could round up past the cap.
    out.reserve(qsizetype(capacity));
    out.resize(qsizetype(capacity));
    stats.largestInflateBuffer = std::max(stats.largestInflateBuffer, qint64(out.capacity()));

    const auto *input = reinterpret_cast<const Bytef *>(payload.constData());
    qint64 inputLeft = payload.size();
    bool tailFed = false;
    qint64 produced = 0;
    bool ended = false; // the last inflate() call finished a stream (BFINAL)
    inflater.avail_in = 0;
    auto fail = [this](quint16 code, QString why) {
        releaseInflater(); // the connection fails; its state is worthless now
        return DecodeResult::failure(code, std::move(why));
    };

    for (;;) {
        if (inflater.avail_in == 0) {
            if (inputLeft > 0) {
                const uInt chunk = uInt(std::min<qint64>(inputLeft, UINT_MAX / 2));
                inflater.next_in = const_cast<Bytef *>(input);
                inflater.avail_in = chunk;
                input += chunk;
                inputLeft -= chunk;
            } else if (!tailFed) {
                inflater.next_in = const_cast<Bytef *>(SyncTail);
                inflater.avail_in = sizeof SyncTail;
                tailFed = true;
            }
        }
        if (produced == capacity) {
            if (capacity >= cap)
                return fail(1009,
                    QStringLiteral("message inflates to more than %1 bytes, the limit").arg(limit));
            capacity = std::min(cap, capacity * 2);
            out.reserve(qsizetype(capacity));
            out.resize(qsizetype(capacity));
            stats.largestInflateBuffer
                = std::max(stats.largestInflateBuffer, qint64(out.capacity()));
        }
        const qint64 room = std::min<qint64>(capacity - produced, UINT_MAX / 2);
        inflater.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        inflater.avail_out = uInt(room);
        const int result = inflate(&inflater, Z_SYNC_FLUSH);
        produced += room - qint64(inflater.avail_out);
        ended = result == Z_STREAM_END;

        if (result == Z_STREAM_END) {
            // A final block: more data of this message starts a new stream; the appended
            // tail alone does not.
            const bool more = inputLeft > 0 || (!tailFed && inflater.avail_in > 0);
            if (!restartInflater())
                return fail(1011, QStringLiteral("inflater reset failed"));
            if (!more)
                break;
            continue;
        }
        if (result == Z_DATA_ERROR || result == Z_NEED_DICT) {
            // RFC 7692 does not name a code; the payload is not what RSV1 says it is (1007).
            const char *why = inflater.msg ? inflater.msg : "invalid data";
            return fail(
                1007, QStringLiteral("invalid compressed message: %1").arg(QLatin1String(why)));
        }
        if (result == Z_MEM_ERROR)
            return fail(1011, QStringLiteral("out of memory while inflating"));
        if (result != Z_OK && result != Z_BUF_ERROR)
            return fail(1011, QStringLiteral("inflate failed with zlib error %1").arg(result));
        // Done once every byte, tail included, is consumed with output room to spare: inflate
        // then has written all it can.
        if (tailFed && inflater.avail_in == 0 && produced < capacity)
            break;
        // No progress with room to write: nothing more can come out of this input.
        if (result == Z_BUF_ERROR && produced < capacity)
            break;
    }
    // data_type bit 128: inflate stopped at a block boundary. A message that ends inside a
    // block would make the next one continue it (with context takeover): fail it here.
    if (!ended && !(inflater.data_type & 128))
        return fail(1007, QStringLiteral("compressed message ends inside a DEFLATE block"));
    if (produced > limit)
        return fail(
            1009, QStringLiteral("message inflates to more than %1 bytes, the limit").arg(limit));

    out.resize(qsizetype(produced));
    // Hand the event a buffer that is not mostly slack (a small message in the first 4 KiB).
    if (out.capacity() - out.size() > std::max<qsizetype>(out.size() / 4, 1024))
        out.squeeze();
    payload = std::move(out);
    ++stats.messagesInflated;
    if (resetInflater)
        releaseInflater(); // RFC 7692 §7.1.1: nothing carries over, so nothing is kept
    return DecodeResult::ok();
}

// RFC 7692 §7.2.1: deflate with Z_SYNC_FLUSH, then strip the trailing 0x00 0x00 0xff 0xff.
ReservedBits PerMessageDeflate::Private::deflateMessage(QByteArray &payload)
{
    const bool skip = std::exchange(skipNext, false);
    if (skip || compressorBits == 0 || payload.size() < tuning.compressionThreshold
        || payload.size() > MaxCompressInput) {
        ++stats.messagesSentUncompressed;
        return {};
    }
    if (!ensureDeflater()) {
        qCWarning(lcProtocol, "permessage-deflate: deflateInit2 failed; sending uncompressed");
        ++stats.messagesSentUncompressed;
        return {};
    }
    if (payload.isEmpty()) {
        // RFC 7692 §7.2.3.6: an empty message is one empty stored block, 0x00 once the tail is
        // stripped. Written here because zlib refuses a second flush without new input; the
        // stream is byte-aligned after every message, so the block is valid at any point.
        payload = QByteArray(1, '\0');
        ++stats.messagesCompressed;
        stats.bytesAfterCompression += 1;
        return ReservedBit::Rsv1;
    }
    QByteArray out;
    out.resize(qsizetype(deflateBound(&deflater, uLong(payload.size()))) + 16);
    // zlib does not write through next_in; constData() avoids a detach.
    deflater.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(payload.constData()));
    deflater.avail_in = uInt(payload.size());
    qsizetype produced = 0;
    for (;;) {
        deflater.next_out = reinterpret_cast<Bytef *>(out.data() + produced);
        deflater.avail_out = uInt(out.size() - produced);
        const int result = deflate(&deflater, Z_SYNC_FLUSH);
        produced = out.size() - qsizetype(deflater.avail_out);
        Q_ASSERT(result == Z_OK || result == Z_BUF_ERROR);
        Q_UNUSED(result);
        // All input taken and room left over: the flush is complete.
        if (deflater.avail_in == 0 && deflater.avail_out != 0)
            break;
        out.resize(out.size() * 2);
    }
    Q_ASSERT(produced >= 4 && std::memcmp(out.constData() + produced - 4, SyncTail, 4) == 0);
    produced -= 4;

    if (resetCompressor) {
        releaseDeflater(); // RFC 7692 §7.1.1: the next message starts from an empty window
        // Without a shared window, a message that did not shrink may go out as it was.
        if (produced >= payload.size()) {
            ++stats.messagesSentUncompressed;
            return {};
        }
    }
    ++stats.messagesCompressed;
    stats.bytesBeforeCompression += payload.size();
    stats.bytesAfterCompression += produced;
    out.resize(produced);
    payload = std::move(out);
    // RFC 7692 §6: RSV1 marks a compressed message, on its first frame only.
    return ReservedBit::Rsv1;
}

// --- PerMessageDeflate --------------------------------------------------------------------------

PerMessageDeflate::PerMessageDeflate(
    Role role, const PerMessageDeflateParams &params, const PerMessageDeflateOptions &options)
    : d(std::make_unique<Private>(role, params, resolveDeflateOptions(options, role)))
{ }

PerMessageDeflate::~PerMessageDeflate() = default;

QByteArray PerMessageDeflate::name() const
{
    return extensionName.toByteArray();
}

ReservedBits PerMessageDeflate::reservedBits() const
{
    // RFC 7692 §6: the "Per-Message Compressed" bit is RSV1.
    return ReservedBit::Rsv1;
}

Extension::DecodeResult PerMessageDeflate::decodeMessage(
    ReservedBits rsv, QByteArray &payload, qint64 maxSize)
{
    if (!rsv.testFlag(ReservedBit::Rsv1))
        return DecodeResult::ok();
    return d->inflateMessage(payload, maxSize);
}

ReservedBits PerMessageDeflate::encodeMessage(QByteArray &payload)
{
    return d->deflateMessage(payload);
}

Role PerMessageDeflate::role() const
{
    return d->role;
}

const PerMessageDeflateParams &PerMessageDeflate::params() const
{
    return d->params;
}

bool PerMessageDeflate::canCompress() const
{
    return d->compressorBits != 0;
}

void PerMessageDeflate::skipCompressionForNextMessage()
{
    d->skipNext = true;
}

PerMessageDeflate::Stats PerMessageDeflate::stats() const
{
    return d->stats;
}

} // namespace qtws
