// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// libFuzzer target for permessage-deflate negotiation (RFC 7692 §5, §7.1). Input layout:
//   byte 0: the server's options: bits 0–2 serverMaxWindowBits 8 + n, bits 3–5
//           clientMaxWindowBits 8 + n, bit 6 server_no_context_takeover, bit 7
//           client_no_context_takeover (values 8+7 = 15).
//   rest:   a Sec-WebSocket-Extensions value, negotiated as the client's offers (server role)
//           and as a server's response to this library's default offer (client role).
// Contract checked (a violation traps, which libFuzzer reports):
//   - reasons (declines, client errors) are at most 123 bytes;
//   - an accepted response serializes to a value that parses back to the same element, and
//     the client that made the accepted offer agrees on exactly the server's parameters;
//   - the agreed parameters are in range, and a message compressed by the client's extension
//     inflates to itself on the server's, and the other way round;
//   - a response the client accepts has parameters in 8..15.

#include <QtWs/handshake.h>
#include <QtWs/permessagedeflate.h>

#include <QtCore/QByteArray>

#include <cstddef>
#include <cstdint>

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

bool inRange(const qtws::PerMessageDeflateParams &p)
{
    return p.serverMaxWindowBits >= 8 && p.serverMaxWindowBits <= 15 && p.clientMaxWindowBits >= 8
        && p.clientMaxWindowBits <= 15;
}

// One message each way through the negotiated pair.
void exchange(qtws::PerMessageDeflate &client, qtws::PerMessageDeflate &server)
{
    const QByteArray original = QByteArrayLiteral(
        "{\"type\":\"chat\",\"text\":\"hello hello hello\",\"room\":\"lobby\",\"seq\":12345}");
    for (int direction = 0; direction < 2; ++direction) {
        qtws::PerMessageDeflate &sender = direction ? server : client;
        qtws::PerMessageDeflate &receiver = direction ? client : server;
        QByteArray payload = original;
        const qtws::ReservedBits rsv = sender.encodeMessage(payload);
        check(rsv == qtws::ReservedBits() || rsv == qtws::ReservedBit::Rsv1);
        if (!rsv) {
            check(payload == original);
            check(!sender.canCompress());
            continue;
        }
        const qtws::Extension::DecodeResult result = receiver.decodeMessage(rsv, payload, 1 << 20);
        check(result.isOk());
        check(payload == original);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t control = data[0];
    qtws::PerMessageDeflateOptions serverOptions;
    serverOptions.serverMaxWindowBits = 8 + (control & 7);
    serverOptions.clientMaxWindowBits = 8 + ((control >> 3) & 7);
    serverOptions.serverNoContextTakeover = control & 0x40;
    serverOptions.clientNoContextTakeover = control & 0x80;
    serverOptions.compressionThreshold = 0;

    const QByteArray value(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qtws::handshake::ExtensionsParseResult parsed = qtws::handshake::parseExtensions({value});
    if (!parsed.ok())
        return 0;

    // --- as the server, with the input as the client's offers ---
    const qtws::PerMessageDeflate::ServerResult server
        = qtws::PerMessageDeflate::negotiateAsServer(parsed.extensions, serverOptions);
    for (const QByteArray &why : server.declined)
        check(why.size() <= 123);
    check(bool(server.response) == bool(server.extension));
    if (server.response) {
        check(inRange(server.params));
        check(server.extension->params() == server.params);
        const QByteArray responseValue = qtws::handshake::serializeExtensions({*server.response});
        const qtws::handshake::ExtensionsParseResult reparsed
            = qtws::handshake::parseExtensions({responseValue});
        check(reparsed.ok() && reparsed.extensions.size() == 1);
        check(reparsed.extensions.first() == *server.response);

        // The offer the server took: the first permessage-deflate element not declined.
        qsizetype skip = server.declined.size();
        const qtws::handshake::ExtensionItem *accepted = nullptr;
        for (const qtws::handshake::ExtensionItem &item : parsed.extensions) {
            if (item.name != qtws::PerMessageDeflate::extensionName)
                continue;
            if (skip-- == 0) {
                accepted = &item;
                break;
            }
        }
        check(accepted != nullptr);
        qtws::PerMessageDeflateOptions clientTuning;
        clientTuning.compressionThreshold = 0;
        qtws::PerMessageDeflate::ClientResult client
            = qtws::PerMessageDeflate::acceptAsClient(reparsed.extensions, *accepted, clientTuning);
        check(client.ok());
        check(client.extension != nullptr);
        check(client.params == server.params);
        exchange(*client.extension, *server.extension);
    }

    // --- as the client, with the input as the server's response to the default offer ---
    const qtws::PerMessageDeflate::ClientResult client = qtws::PerMessageDeflate::acceptAsClient(
        parsed.extensions, qtws::PerMessageDeflateOptions{});
    check(client.error.size() <= 123);
    if (client.ok() && client.extension) {
        check(inRange(client.params));
        check(client.extension->params() == client.params);
    }
    if (!client.ok())
        check(!client.extension);
    return 0;
}
