// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

// permessage-deflate (RFC 7692): negotiation in both roles as pure functions, and the
// qtws::Extension that compresses and decompresses messages with zlib. No sockets: the client
// and server front-ends call makeOffer()/acceptAsClient() and negotiateAsServer() with the
// handshake's parsed Sec-WebSocket-Extensions items, then hand the extension to Conn:
//
//   // client
//   spec.extensions.append(PerMessageDeflate::makeOffer(options.deflate));
//   ... checked = handshake::checkServerResponse(response, request);
//   auto accepted = PerMessageDeflate::acceptAsClient(checked.extensions, options.deflate);
//   if (!accepted.ok()) fail(accepted.error);          // RFC 7692 §5: fail the connection
//   else if (accepted.extension) conn.setExtension(std::move(accepted.extension));
//
//   // server
//   auto negotiated = PerMessageDeflate::negotiateAsServer(checked.extensions, options.deflate);
//   if (negotiated.extension) {
//       spec.extensions = handshake::serializeExtensions({*negotiated.response});
//       conn.setExtension(std::move(negotiated.extension));
//   }
//
// docs/permessage-deflate.md has the defaults, the memory each costs (measured) and the rules.

#include <QtWs/conn.h>
#include <QtWs/extension.h>
#include <QtWs/handshake.h>

#include <QtCore/QByteArray>
#include <QtCore/QList>

#include <memory>
#include <optional>

namespace qtws {

// What this endpoint offers (client) or accepts (server). Fields left at std::nullopt take the
// role's default, so a designated initialiser that sets one field keeps the others sensible.
// Window bits are the base-2 logarithm of the LZ77 window, 8..15 (RFC 7692 §7.1.2); values out
// of range are clamped with a qCWarning. The memory figures are measured (see the doc).
struct PerMessageDeflateOptions
{
    // Offer (client) or accept (server) the extension at all. Default true.
    bool enabled = true;

    // The server's window for server→client messages.
    //   Client: below 15, asks for "server_max_window_bits=N" (smaller inflater on this side);
    //   15 asks nothing. Default 15 (32 KiB inflater window).
    //   Server: its compressor's window, declared in the response when below 15, lowered to
    //   what the client asks for. Default 12: 16 KiB of compressor window instead of 128 KiB.
    //   zlib cannot compress with an 8-bit window (RFC 7692 §7.1.2.1 lets a sender pick any
    //   smaller window): a configured 8 becomes 9. A peer that insists on 8 gets this side's
    //   messages uncompressed (RFC 7692 §6: compression is per message).
    std::optional<int> serverMaxWindowBits = std::nullopt;
    // The client's window for client→server messages.
    //   Client: offered as "client_max_window_bits" (no value at 15, so the server may choose
    //   any window) and the cap on this client's compressor window. Default 15.
    //   Server: answered as "client_max_window_bits=N" when the client offered the parameter
    //   (smaller inflater here); a client that did not offer it (e.g. Firefox) is accepted
    //   with a 15-bit window, since refusing would drop compression. Default 12.
    std::optional<int> clientMaxWindowBits = std::nullopt;
    // No context takeover for server→client messages (RFC 7692 §7.1.1.1): each message is
    // compressed alone, so neither side keeps that direction's state between messages (this
    // library frees it) at the cost of ratio on small similar messages. Client: requests it;
    // server: declares it. Default false in both roles.
    bool serverNoContextTakeover = false;
    // The same for client→server messages (RFC 7692 §7.1.1.2). Client: offers it (and then
    // never takes over context itself); server: declares it. Default false.
    bool clientNoContextTakeover = false;

    // zlib compression level, -1 (zlib's default, 6) or 0..9. Not negotiated. Default -1.
    int compressionLevel = -1;
    // zlib memLevel 1..9: the compressor holds (1 << (memLevel + 9)) bytes of hash and pending
    // buffers. Not negotiated. Default: client 8 (zlib's default, 128 KiB), server 5 (16 KiB).
    std::optional<int> memLevel = std::nullopt;
    // Messages shorter than this many bytes go out uncompressed: below it deflate rarely
    // saves more than its block overhead, and each call costs microseconds (see the doc).
    // Default 64 bytes. 0 compresses every message, even empty ones.
    qsizetype compressionThreshold = 64;

    friend bool operator==(const PerMessageDeflateOptions &, const PerMessageDeflateOptions &)
        = default;
};

// The parameters both sides agreed on in the handshake, as each side sees them. Window bits
// are what the sender of that direction may use, 8..15 (15 when the handshake said nothing).
struct PerMessageDeflateParams
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    int serverMaxWindowBits = 15;
    int clientMaxWindowBits = 15;

    friend bool operator==(const PerMessageDeflateParams &, const PerMessageDeflateParams &)
        = default;
};

// The extension for one connection: compresses what this side sends with Z_SYNC_FLUSH and the
// 0x00 0x00 0xff 0xff tail stripped (RFC 7692 §7.2.1), and inflates what the peer sends after
// appending it (§7.2.2), in bounded steps that stop at Conn's maxMessageSize (→ 1009). zlib
// state is allocated on the first message of each direction and, without context takeover,
// freed after every message. Thread-safety: none, like Conn.
class QTWS_EXPORT PerMessageDeflate final : public Extension
{
public:
    // The extension token (RFC 7692 §7).
    static constexpr QByteArrayView extensionName = "permessage-deflate";

    // Memory and traffic figures, for tests, benchmarks and diagnostics.
    struct Stats
    {
        qint64 zlibBytes = 0; // held by zlib now (compressor + inflater)
        qint64 peakZlibBytes = 0; // the most held at once
        qint64 largestZlibAllocation = 0; // the largest single zlib allocation
        qint64 largestInflateBuffer = 0; // the largest output buffer one message reserved
        qint64 messagesCompressed = 0; // sent with RSV1
        qint64 messagesSentUncompressed = 0; // sent plain (threshold, opt-out, no gain, 8 bits)
        qint64 bytesBeforeCompression = 0; // of the messages sent with RSV1
        qint64 bytesAfterCompression = 0; // their payloads on the wire
        qint64 messagesInflated = 0;
    };

    // role: which side this extension runs on; params: the negotiated parameters; options:
    // the local tuning (level, memLevel, threshold; the negotiated fields are not read).
    PerMessageDeflate(Role role, const PerMessageDeflateParams &params,
        const PerMessageDeflateOptions &options = {});
    ~PerMessageDeflate() override;
    PerMessageDeflate(const PerMessageDeflate &) = delete;
    PerMessageDeflate &operator=(const PerMessageDeflate &) = delete;

    QByteArray name() const override;
    ReservedBits reservedBits() const override;
    DecodeResult decodeMessage(ReservedBits rsv, QByteArray &payload, qint64 maxSize) override;
    ReservedBits encodeMessage(QByteArray &payload) override;

    Role role() const;
    const PerMessageDeflateParams &params() const;
    // Whether this side compresses at all: false when the peer limited this side's window to
    // 8 bits, which zlib's raw deflate cannot produce (every message then goes out plain).
    bool canCompress() const;
    // Per-message opt-out: the next message given to encodeMessage() (Conn::sendText or
    // sendBinary) goes out uncompressed, e.g. already-compressed images or secrets that must
    // not share a compression context with attacker-chosen data (RFC 7692 §9, BREACH/CRIME).
    // Through Conn or WebSocket, SendFlag::Uncompressed on the send itself does the same.
    void skipCompressionForNextMessage();
    Stats stats() const;

    // ---- negotiation (RFC 7692 §5, §7.1) ------------------------------------------------------

    // The client's offer as one Sec-WebSocket-Extensions element (empty name when disabled).
    static handshake::ExtensionItem offerItem(const PerMessageDeflateOptions &options);
    // The same as a header value, e.g. "permessage-deflate; client_max_window_bits"; empty
    // when options.enabled is false.
    static QByteArray makeOffer(const PerMessageDeflateOptions &options);

    struct ClientResult
    {
        std::unique_ptr<PerMessageDeflate> extension{}; // null when the server declined
        PerMessageDeflateParams params{};
        QByteArray error{}; // non-empty: fail the connection (RFC 7692 §5), with this reason

        bool ok() const { return error.isEmpty(); }
    };
    // Checks the extensions the server accepted (ServerResponseCheckResult::extensions; other
    // extensions' items are ignored) against the offer built from options.
    static ClientResult acceptAsClient(const QList<handshake::ExtensionItem> &responseItems,
        const PerMessageDeflateOptions &options);
    // The same against an offer given as an item (one the application wrote itself); options
    // then only supply the local tuning (level, memLevel, threshold).
    static ClientResult acceptAsClient(const QList<handshake::ExtensionItem> &responseItems,
        const handshake::ExtensionItem &offer, const PerMessageDeflateOptions &options = {});

    struct ServerResult
    {
        std::unique_ptr<PerMessageDeflate> extension{}; // null: no offer accepted (or none made)
        std::optional<handshake::ExtensionItem> response{}; // the element to answer with
        PerMessageDeflateParams params{};
        // Why offers were declined, one line each ("offer 1: duplicate server_max_window_bits"),
        // for debug logs; declining is not an error (RFC 7692 §5).
        QList<QByteArray> declined{};
    };
    // Picks the first acceptable permessage-deflate offer among offers (the client's
    // ClientRequestCheckResult::extensions, in its preference order; other extensions' items
    // are skipped). An invalid offer (unknown, duplicated or out-of-range parameter) is
    // declined and the next one tried; RFC 7692 §5 never calls for a 400 here.
    static ServerResult negotiateAsServer(
        const QList<handshake::ExtensionItem> &offers, const PerMessageDeflateOptions &options);

private:
    class Private;
    std::unique_ptr<Private> d{};
};

} // namespace qtws
