// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// permessage-deflate negotiation (RFC 7692 §5, §7.1) over the handshake's parsed
// Sec-WebSocket-Extensions items (handshake::parseExtensions): the client's offer, the server's
// choice among offers, and the client's checks of the server's answer.

#include "protocol/permessagedeflate_p.h"

#include "protocol/logging_p.h"

#include <algorithm>

namespace qtws {

using handshake::ExtensionItem;
using handshake::ExtensionParam;

namespace {

constexpr QByteArrayView ServerNoContextTakeover = "server_no_context_takeover";
constexpr QByteArrayView ClientNoContextTakeover = "client_no_context_takeover";
constexpr QByteArrayView ServerMaxWindowBits = "server_max_window_bits";
constexpr QByteArrayView ClientMaxWindowBits = "client_max_window_bits";

// Reasons go into close frames and logs: ≤ 123 bytes (RFC 6455 §5.5.1).
constexpr qsizetype MaxReason = 123;

QByteArray clipped(QByteArray text)
{
    text.truncate(MaxReason);
    return text;
}

// Something the peer wrote, shown in a reason: printable ASCII, at most 24 bytes.
QByteArray shown(QByteArrayView text)
{
    QByteArray out;
    for (const char c : text.first(std::min<qsizetype>(text.size(), 24)))
        out += (c > 0x20 && c < 0x7f && c != '"') ? c : '?';
    if (text.size() > 24)
        out += "...";
    return '"' + out + '"';
}

int clampInt(int value, int low, int high, const char *what)
{
    if (value >= low && value <= high)
        return value;
    qCWarning(lcProtocol, "PerMessageDeflateOptions: %s %d is out of %d..%d; clamped", what, value,
        low, high);
    return std::clamp(value, low, high);
}

// The parameters of one permessage-deflate element, checked against RFC 7692 §7.1.
struct Parsed
{
    bool serverNoContextTakeover = false;
    bool clientNoContextTakeover = false;
    std::optional<int> serverMaxWindowBits;
    bool clientMaxWindowBitsPresent = false;
    std::optional<int> clientMaxWindowBits;
};

enum class Side { Offer, Response };

// RFC 7692 §7.1.2.1/§7.1.2.2: "a decimal integer value without leading zeroes between 8 to 15,
// inclusive". -1 when value is anything else.
int windowBits(QByteArrayView value)
{
    if (value.isEmpty() || value.size() > 2 || value[0] == '0')
        return -1;
    int bits = 0;
    for (const char c : value) {
        if (c < '0' || c > '9')
            return -1;
        bits = bits * 10 + (c - '0');
    }
    return bits >= 8 && bits <= 15 ? bits : -1;
}

// Empty on success, else why the element is invalid. RFC 7692 §5: a parameter not defined for
// the element's side, an invalid value or a repeated parameter makes the element invalid.
QByteArray parse(const ExtensionItem &item, Side side, Parsed *out)
{
    Parsed parsed;
    bool seen[4] = {};
    for (const ExtensionParam &param : item.params) {
        const QByteArrayView name = param.name;
        int which = -1;
        if (name == ServerNoContextTakeover)
            which = 0;
        else if (name == ClientNoContextTakeover)
            which = 1;
        else if (name == ServerMaxWindowBits)
            which = 2;
        else if (name == ClientMaxWindowBits)
            which = 3;
        if (which < 0)
            return "unknown parameter " + shown(name);
        if (seen[which])
            return "duplicate " + name.toByteArray();
        seen[which] = true;

        switch (which) {
        case 0:
        case 1:
            // RFC 7692 §7.1.1.1, §7.1.1.2: these parameters have no value.
            if (param.value)
                return name.toByteArray() + " has a value " + shown(*param.value);
            (which == 0 ? parsed.serverNoContextTakeover : parsed.clientNoContextTakeover) = true;
            break;
        case 2: {
            // RFC 7692 §7.1.2.1: always with a value, in offers and responses.
            const int bits = param.value ? windowBits(*param.value) : -1;
            if (bits < 0)
                return param.value
                    ? "server_max_window_bits=" + shown(*param.value) + " is not 8..15"
                    : QByteArray("server_max_window_bits without a value");
            parsed.serverMaxWindowBits = bits;
        } break;
        case 3: {
            // RFC 7692 §7.1.2.2: the value is optional in an offer, required in a response.
            parsed.clientMaxWindowBitsPresent = true;
            if (!param.value) {
                if (side == Side::Response)
                    return "client_max_window_bits without a value";
                break;
            }
            const int bits = windowBits(*param.value);
            if (bits < 0)
                return "client_max_window_bits=" + shown(*param.value) + " is not 8..15";
            parsed.clientMaxWindowBits = bits;
        } break;
        }
    }
    *out = parsed;
    return {};
}

bool isDeflate(const ExtensionItem &item)
{
    return item.name == PerMessageDeflate::extensionName;
}

void appendParam(ExtensionItem &item, QByteArrayView name, std::optional<int> value = {})
{
    ExtensionParam param{name.toByteArray(), std::nullopt};
    if (value)
        param.value = QByteArray::number(*value);
    item.params.append(std::move(param));
}

} // namespace

ResolvedDeflateOptions resolveDeflateOptions(const PerMessageDeflateOptions &options, Role role)
{
    const bool server = role == Role::Server;
    ResolvedDeflateOptions r;
    // Role defaults: the server bounds its memory per connection (12-bit windows, memLevel 5:
    // ≈ 32 KiB compressor + 11 KiB inflater); a client keeps zlib's defaults for ratio.
    r.serverMaxWindowBits
        = clampInt(options.serverMaxWindowBits.value_or(server ? 12 : 15), 8, 15, "window bits");
    r.clientMaxWindowBits
        = clampInt(options.clientMaxWindowBits.value_or(server ? 12 : 15), 8, 15, "window bits");
    // The own compressor's window: zlib cannot do 8 (permessagedeflate_p.h), 9 is the nearest
    // smaller-than-default choice RFC 7692 §7.1.2 lets a sender make.
    int &own = server ? r.serverMaxWindowBits : r.clientMaxWindowBits;
    own = std::max(own, MinCompressorWindowBits);
    r.serverNoContextTakeover = options.serverNoContextTakeover;
    r.clientNoContextTakeover = options.clientNoContextTakeover;
    r.compressionLevel = clampInt(options.compressionLevel, -1, 9, "compression level");
    r.memLevel = clampInt(options.memLevel.value_or(server ? 5 : 8), 1, 9, "memLevel");
    r.compressionThreshold = std::max<qsizetype>(options.compressionThreshold, 0);
    return r;
}

ExtensionItem PerMessageDeflate::offerItem(const PerMessageDeflateOptions &options)
{
    ExtensionItem item;
    if (!options.enabled)
        return item;
    const ResolvedDeflateOptions r = resolveDeflateOptions(options, Role::Client);
    item.name = extensionName.toByteArray();
    // RFC 7692 §7.1.1.1: asks the server not to take over context (frees our inflater).
    if (r.serverNoContextTakeover)
        appendParam(item, ServerNoContextTakeover);
    // RFC 7692 §7.1.1.2: a promise that this client resets its compressor per message.
    if (r.clientNoContextTakeover)
        appendParam(item, ClientNoContextTakeover);
    // RFC 7692 §7.1.2.1: asks for a smaller server window (smaller inflater here).
    if (r.serverMaxWindowBits < 15)
        appendParam(item, ServerMaxWindowBits, r.serverMaxWindowBits);
    // RFC 7692 §7.1.2.2: always offered, so the server may shrink our window; a value is
    // the most this client will use.
    appendParam(item, ClientMaxWindowBits,
        r.clientMaxWindowBits < 15 ? std::optional<int>(r.clientMaxWindowBits) : std::nullopt);
    return item;
}

QByteArray PerMessageDeflate::makeOffer(const PerMessageDeflateOptions &options)
{
    const ExtensionItem item = offerItem(options);
    return item.name.isEmpty() ? QByteArray() : handshake::serializeExtensions({item});
}

PerMessageDeflate::ClientResult PerMessageDeflate::acceptAsClient(
    const QList<ExtensionItem> &responseItems, const PerMessageDeflateOptions &options)
{
    return acceptAsClient(responseItems, offerItem(options), options);
}

PerMessageDeflate::ClientResult PerMessageDeflate::acceptAsClient(
    const QList<ExtensionItem> &responseItems, const ExtensionItem &offer,
    const PerMessageDeflateOptions &options)
{
    ClientResult result;
    auto fail = [&result](QByteArray why) {
        result.error = clipped("permessage-deflate: " + why);
        return std::move(result);
    };
    const ExtensionItem *response = nullptr;
    for (const ExtensionItem &item : responseItems) {
        if (!isDeflate(item))
            continue;
        // RFC 6455 §9.1 / RFC 7692 §5: the server accepts at most one offer of an extension.
        if (response)
            return fail("the response has more than one element");
        response = &item;
    }
    if (!response)
        return result; // declined: the connection goes on uncompressed
    if (!isDeflate(offer))
        return fail("the server accepted it but it was not offered");

    Parsed offered;
    if (QByteArray why = parse(offer, Side::Offer, &offered); !why.isEmpty())
        return fail("our own offer is invalid: " + why);
    Parsed answer;
    // RFC 7692 §5: the client fails the connection on an invalid response.
    if (QByteArray why = parse(*response, Side::Response, &answer); !why.isEmpty())
        return fail(why);
    // RFC 7692 §7.1.1.1: the server accepts this request only by echoing it.
    if (offered.serverNoContextTakeover && !answer.serverNoContextTakeover)
        return fail("server_no_context_takeover was requested but not accepted");
    // RFC 7692 §7.1.2.1: the server answers a window request with the same or a smaller one.
    if (offered.serverMaxWindowBits) {
        if (!answer.serverMaxWindowBits)
            return fail("server_max_window_bits=" + QByteArray::number(*offered.serverMaxWindowBits)
                + " was requested but not accepted");
        if (*answer.serverMaxWindowBits > *offered.serverMaxWindowBits)
            return fail("server_max_window_bits=" + QByteArray::number(*answer.serverMaxWindowBits)
                + " exceeds the " + QByteArray::number(*offered.serverMaxWindowBits) + " offered");
    }
    // RFC 7692 §7.1.2.2: only a client that offered client_max_window_bits may receive it.
    if (answer.clientMaxWindowBitsPresent && !offered.clientMaxWindowBitsPresent)
        return fail("client_max_window_bits in the response was not offered");

    PerMessageDeflateParams &params = result.params;
    params.serverNoContextTakeover = answer.serverNoContextTakeover;
    // RFC 7692 §7.1.1.2: offered, it is this client's own promise whatever the answer.
    params.clientNoContextTakeover
        = answer.clientNoContextTakeover || offered.clientNoContextTakeover;
    params.serverMaxWindowBits = answer.serverMaxWindowBits.value_or(15);
    // RFC 7692 §7.1.2.2: an offered value is the most this client uses; the server may lower
    // it (or ignore the hint and answer a larger one, which then changes nothing).
    params.clientMaxWindowBits = std::min(
        answer.clientMaxWindowBits.value_or(15), offered.clientMaxWindowBits.value_or(15));
    result.extension = std::make_unique<PerMessageDeflate>(Role::Client, params, options);
    return result;
}

PerMessageDeflate::ServerResult PerMessageDeflate::negotiateAsServer(
    const QList<ExtensionItem> &offers, const PerMessageDeflateOptions &options)
{
    ServerResult result;
    if (!options.enabled)
        return result;
    const ResolvedDeflateOptions own = resolveDeflateOptions(options, Role::Server);
    int index = 0;
    for (const ExtensionItem &offer : offers) {
        if (!isDeflate(offer))
            continue;
        ++index;
        Parsed offered;
        // RFC 7692 §5: an invalid offer is declined and the next one considered; the RFC asks
        // for no 400 (the header's syntax is checkClientRequest's business).
        if (QByteArray why = parse(offer, Side::Offer, &offered); !why.isEmpty()) {
            result.declined.append(clipped("offer " + QByteArray::number(index) + ": " + why));
            continue;
        }

        PerMessageDeflateParams params;
        ExtensionItem response{extensionName.toByteArray(), {}};
        // RFC 7692 §7.1.1.1: requested by the client, or declared by the server on its own.
        params.serverNoContextTakeover
            = offered.serverNoContextTakeover || own.serverNoContextTakeover;
        // RFC 7692 §7.1.1.2: the server may always require it; the client's offer of it is a
        // promise, made binding by echoing it.
        params.clientNoContextTakeover
            = offered.clientNoContextTakeover || own.clientNoContextTakeover;
        // RFC 7692 §7.1.2.1: the same or a smaller value than requested; unrequested, the
        // server may still declare a smaller window. A request for 8 is accepted, and this
        // server then sends every message plain (zlib cannot make an 8-bit stream).
        params.serverMaxWindowBits
            = std::min(own.serverMaxWindowBits, offered.serverMaxWindowBits.value_or(15));
        // RFC 7692 §7.1.2.2: only if the client offered the parameter can the server limit
        // the client's window; otherwise the client may use 15 bits and the inflater follows.
        if (offered.clientMaxWindowBitsPresent)
            params.clientMaxWindowBits
                = std::min(own.clientMaxWindowBits, offered.clientMaxWindowBits.value_or(15));

        if (params.serverNoContextTakeover)
            appendParam(response, ServerNoContextTakeover);
        if (params.clientNoContextTakeover)
            appendParam(response, ClientNoContextTakeover);
        if (offered.serverMaxWindowBits || params.serverMaxWindowBits < 15)
            appendParam(response, ServerMaxWindowBits, params.serverMaxWindowBits);
        if (params.clientMaxWindowBits < 15)
            appendParam(response, ClientMaxWindowBits, params.clientMaxWindowBits);

        result.params = params;
        result.response = std::move(response);
        result.extension = std::make_unique<PerMessageDeflate>(Role::Server, params, options);
        return result;
    }
    return result;
}

} // namespace qtws
