// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// libFuzzer harness for qtws::http::Parser. The first input byte is the control byte:
//   bit 0     response mode (else request mode)
//   bits 1-3  how the rest is split: 0 whole, 1 byte by byte, 2-7 pseudo-random piece sizes
//   bit 4     response mode: the request method was HEAD (else GET)
//   bit 5     call finish() (EOF) after the last byte
//   bit 6     small limits, to reach the limit checks with short inputs
// The rest is fed as one connection's bytes: each complete message is taken and the parser
// reset for the next (pipelining), until an error or the end. The harness traps when
//   - feed() breaks its contract (consumes more than given, or leaves bytes in NeedMore);
//   - the split changes the result (the messages, the bytes consumed, the error status);
//   - a parsed message, serialised again with Content-Length (no chunking), does not parse to
//     the same message.
// Deterministic: the splits come from the input, not from a clock or a random device.

#include <QtWs/http/parser.h>

#include <cstddef>
#include <cstdint>

using namespace qtws::http;

namespace {

struct Result
{
    QList<Request> requests;
    QList<Response> responses;
    QList<qsizetype> consumed; // per message
    Parser::State finalState = Parser::State::NeedMore;
    int errorStatus = 0;
};

void check(bool ok)
{
    if (!ok)
        __builtin_trap();
}

ParserLimits limitsFor(std::uint8_t control)
{
    if (control & 0x40) {
        return ParserLimits{.maxStartLineBytes = 64,
            .maxHeaderBytes = 256,
            .maxHeaderCount = 8,
            .maxBodyBytes = 128,
            .maxChunkLineBytes = 16};
    }
    return ParserLimits{};
}

// The size of the next piece to feed under split mode.
qsizetype nextPiece(int split, std::uint32_t &state, qsizetype left)
{
    if (split == 0)
        return left;
    if (split == 1)
        return 1;
    state = state * 1664525u + 1013904223u; // an LCG: deterministic and cheap
    const qsizetype maxPiece = qsizetype(1) << (split + 1); // 8 .. 256
    return std::min<qsizetype>(left, 1 + qsizetype((state >> 8) % std::uint32_t(maxPiece)));
}

Result parseAll(QByteArrayView input, std::uint8_t control, int split)
{
    const Parser::Mode mode = control & 1 ? Parser::Mode::Response : Parser::Mode::Request;
    Parser parser(mode, limitsFor(control));
    if (control & 0x10)
        parser.setRequestMethod("HEAD");
    Result result;
    std::uint32_t lcg = control * 2654435761u + std::uint32_t(input.size());
    qsizetype messageConsumed = 0;
    qsizetype offset = 0;
    bool stopped = false;
    while (offset < input.size() && !stopped) {
        QByteArrayView piece = input.sliced(offset, nextPiece(split, lcg, input.size() - offset));
        offset += piece.size();
        while (!piece.isEmpty() && !stopped) {
            const qsizetype n = parser.feed(piece);
            check(n >= 0 && n <= piece.size());
            piece = piece.sliced(n);
            messageConsumed += n;
            switch (parser.state()) {
            case Parser::State::NeedMore: check(piece.isEmpty()); break;
            case Parser::State::HeadComplete: check(parser.isHeadComplete()); break;
            case Parser::State::MessageComplete:
                check(parser.isHeadComplete());
                if (mode == Parser::Mode::Request)
                    result.requests.append(parser.takeRequest());
                else
                    result.responses.append(parser.takeResponse());
                result.consumed.append(messageConsumed);
                messageConsumed = 0;
                parser.reset();
                // Bound the work per input: a few hundred tiny pipelined messages say no more.
                stopped = result.consumed.size() >= 64;
                break;
            case Parser::State::Error:
                check(parser.errorStatus() >= 400 && parser.errorStatus() <= 505);
                check(!parser.errorReason().isEmpty() && parser.errorReason().size() <= 123);
                stopped = true;
                break;
            }
        }
    }
    if ((control & 0x20) && !stopped) {
        parser.finish();
        if (parser.state() == Parser::State::MessageComplete) {
            result.responses.append(parser.takeResponse());
            result.consumed.append(messageConsumed);
        }
    }
    result.finalState = parser.state();
    result.errorStatus = parser.errorStatus();
    return result;
}

// Serialises a parsed message with its body framed by Content-Length and parses it again.
template<typename Message>
void checkRoundTrip(Message expected, std::uint8_t control)
{
    expected.headers.remove("Transfer-Encoding");
    expected.headers.set("Content-Length", QByteArray::number(expected.body.size()));
    expected.trailers.clear(); // not sent without chunking
    if constexpr (std::is_same_v<Message, Response>) {
        if (expected.reason.isEmpty())
            expected.reason = Response::reasonPhrase(expected.status);
    }
    const QByteArray wire = expected.serialize();

    // The message may grow on the way (a Content-Length field, a reason phrase, ": "), so the
    // second parse gets some room beyond the limits of the first.
    ParserLimits limits = limitsFor(control);
    limits.maxStartLineBytes += 64;
    limits.maxHeaderBytes += 4096;
    limits.maxHeaderCount += 1;
    Parser parser(
        std::is_same_v<Message, Response> ? Parser::Mode::Response : Parser::Mode::Request, limits);
    if (control & 0x10)
        parser.setRequestMethod("HEAD");
    qsizetype consumed = parser.feed(wire);
    if (parser.state() == Parser::State::HeadComplete)
        consumed += parser.feed(QByteArrayView(wire).sliced(consumed));
    check(parser.state() == Parser::State::MessageComplete);
    check(consumed == wire.size());
    if constexpr (std::is_same_v<Message, Response>)
        check(parser.response() == expected);
    else
        check(parser.request() == expected);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t control = data[0];
    const QByteArrayView input(data + 1, qsizetype(size - 1));
    const int split = (control >> 1) & 7;

    const Result result = parseAll(input, control, split);
    if (split != 0) {
        // The same bytes fed whole must give the same messages, consumption and error.
        const Result whole = parseAll(input, control, 0);
        check(whole.requests == result.requests);
        check(whole.responses == result.responses);
        check(whole.consumed == result.consumed);
        check(whole.finalState == result.finalState);
        check(whole.errorStatus == result.errorStatus);
    }
    for (const Request &request : result.requests)
        checkRoundTrip(request, control);
    for (const Response &response : result.responses)
        checkRoundTrip(response, control);
    return 0;
}
