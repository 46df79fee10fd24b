// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtWs/http/request.h>
#include <QtWs/http/response.h>

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

namespace qtws::http {

// Bounds on what one message may make the parser hold. Exceeding one is an Error with the status
// given below. Every field can be set with designated initialisers:
//   Parser parser(Parser::Mode::Request, {.maxBodyBytes = 1024});
struct ParserLimits
{
    // Longest request-line or status-line, without its CRLF. RFC 9112 §3 recommends supporting
    // request lines of at least 8000 octets; longer request lines fail with 414 (URI Too Long),
    // longer status lines with 400. Default 8 KiB.
    qsizetype maxStartLineBytes = 8 * 1024;
    // Largest header section, start line and CRLFs included; also bounds the trailer section of
    // a chunked body. 431 (Request Header Fields Too Large) beyond. Default 64 KiB: browsers send
    // a few KiB; cookies can reach tens of KiB; nginx's default is 32 KiB.
    qsizetype maxHeaderBytes = 64 * 1024;
    // Most header field lines (and, separately, trailer field lines). 431 beyond. Default 100,
    // as in Go's and Node's servers: it bounds the per-field allocations a peer can cause.
    qsizetype maxHeaderCount = 100;
    // Largest body, however framed. 413 (Content Too Large) beyond: at once for a larger
    // Content-Length or chunk size, before any of it arrives. Default 16 MiB: the parser keeps
    // the body in memory, and a WebSocket handshake has none; raise it for uploads.
    qint64 maxBodyBytes = 16 * 1024 * 1024;
    // Longest chunk-size line of a chunked body (size, extensions), without its CRLF. 400 beyond.
    // Default 1 KiB: extensions are ignored, so they only need to be bounded.
    qsizetype maxChunkLineBytes = 1024;
};

// An incremental, strict HTTP/1.1 parser (RFC 9112) for requests (a server's side) or responses
// (a client's side). Pure: bytes in, a Request or Response out; no I/O, no timers.
//
//   Parser parser(Parser::Mode::Request);
//   while (!data.isEmpty()) {
//       data = data.sliced(parser.feed(data));
//       switch (parser.state()) {
//       case Parser::State::NeedMore: break;          // all of data was consumed
//       case Parser::State::HeadComplete: ...;        // request() has its head; body follows
//       case Parser::State::MessageComplete: handle(parser.takeRequest()); parser.reset(); break;
//       case Parser::State::Error: reply(parser.errorStatus(), parser.errorReason()); close();
//       }
//   }
//
// feed() consumes bytes up to the next event and stops there: after a complete message it leaves
// the bytes that follow (the first WebSocket frames after an upgrade, the next pipelined
// request) to the caller. Bodies are framed by Content-Length, chunked transfer coding, or (for
// responses) the end of the connection, which the caller reports with finish().
//
// Strict means: anything RFC 9112 lets a recipient "reject or repair" and that two parsers could
// read differently (request smuggling) is rejected with 400, e.g. both Content-Length and
// Transfer-Encoding, conflicting Content-Lengths, obsolete line folding, bare CR or LF, space
// before a field's colon. See parser.cpp for each rule and the RFC text it follows.
class QTWS_EXPORT Parser
{
public:
    enum class Mode { Request, Response };

    enum class State {
        NeedMore, // every byte fed was consumed; feed more (or finish() at EOF)
        HeadComplete, // the head is parsed and a body follows: a server may look at it (or
                      // send 100 Continue) before feeding on; reported once per message
        MessageComplete, // request()/response() is whole; reset() before the next message
        Error, // errorStatus() and errorReason() say why; the connection is unusable
    };

    // How the body of the current message is delimited (RFC 9112 §6.3); known once the head is.
    enum class BodyFraming { None, ContentLength, Chunked, UntilClose };

    explicit Parser(Mode mode, const ParserLimits &limits = {});

    // Consumes bytes of data and returns how many. Stops right after the head when a body
    // follows (state HeadComplete), right after a complete message (MessageComplete) or at an
    // error (the count is then unspecified); otherwise consumes all of data. Does nothing and
    // returns 0 in MessageComplete or Error.
    qsizetype feed(QByteArrayView data);
    // Reports the end of the input (the peer closed the connection). Completes a response whose
    // body runs until close; an unfinished message becomes an Error (400); between messages
    // (nothing fed since the last reset) the state stays NeedMore.
    void finish();
    // Prepares for the next message on the same connection, keeping mode, limits and request
    // method. Any buffered bytes of an unfinished message are dropped.
    void reset();

    // Response mode: the method of the request this response answers (default "GET"). Responses
    // to HEAD have no body, nor do 2xx responses to CONNECT (RFC 9112 §6.3). Kept by reset().
    void setRequestMethod(QByteArrayView method);
    QByteArray requestMethod() const { return m_requestMethod; }

    Mode mode() const { return m_mode; }
    const ParserLimits &limits() const { return m_limits; }
    State state() const { return m_state; }
    // True from HeadComplete on (also in MessageComplete): request()/response() has its head.
    bool isHeadComplete() const { return m_headDone; }
    BodyFraming bodyFraming() const { return m_framing; }
    // The Content-Length of the current message, or -1 when it has none or the head is not
    // complete yet.
    qint64 contentLength() const { return m_contentLength; }

    // In Error: the HTTP status to answer with (400, 413, 414, 431, 501 or 505; in response mode
    // the same codes classify what was wrong) and a short English reason with the numbers in it.
    int errorStatus() const { return m_errorStatus; }
    QByteArray errorReason() const { return m_errorReason; }

    // The message being parsed: its head from HeadComplete on, the rest at MessageComplete.
    // take…() moves it out (leaving an empty one) to avoid copying the body.
    const Request &request() const { return m_request; }
    const Response &response() const { return m_response; }
    Request takeRequest() { return std::move(m_request); }
    Response takeResponse() { return std::move(m_response); }

private:
    enum class Phase {
        Head, // start line and header fields, up to the empty line
        BodyLength, // m_remaining bytes of a Content-Length body
        ChunkLine, // chunk-size [ chunk-ext ] CRLF
        ChunkData, // m_remaining bytes of chunk-data
        ChunkDataCr, // the CRLF after chunk-data
        ChunkDataLf,
        Trailers, // trailer-section CRLF
        UntilClose, // a response body delimited by the end of the connection
        Done,
    };

    qsizetype feedSection(QByteArrayView data);
    qsizetype scanSection(QByteArrayView section, qsizetype from);
    void completeSection(QByteArrayView section);
    bool parseHead(QByteArrayView head);
    bool parseRequestLine(QByteArrayView line);
    bool parseStatusLine(QByteArrayView line);
    bool parseFieldLine(QByteArrayView line, Headers &into, bool first);
    bool determineFraming();
    bool parseContentLength(const Headers &headers);
    bool parseTransferEncoding(const Headers &headers);
    qsizetype feedChunkLine(QByteArrayView data);
    bool parseChunkLine(QByteArrayView line);
    bool appendBody(QByteArrayView bytes);
    void fail(int status, const QByteArray &reason);
    Headers &headers() { return m_mode == Mode::Request ? m_request.headers : m_response.headers; }
    QByteArray &body() { return m_mode == Mode::Request ? m_request.body : m_response.body; }

    Mode m_mode{};
    ParserLimits m_limits{};
    QByteArray m_requestMethod = QByteArrayLiteral("GET");

    State m_state = State::NeedMore;
    Phase m_phase = Phase::Head;
    BodyFraming m_framing = BodyFraming::None;
    bool m_headDone = false;
    qint64 m_contentLength = -1;
    qint64 m_remaining = 0; // bytes left of a Content-Length body or of the current chunk
    int m_errorStatus = 0;
    QByteArray m_errorReason{};

    // Bytes of a head, trailer section or chunk-size line split across feed() calls. A section
    // arriving whole in one feed() is parsed straight from the caller's data, never copied.
    QByteArray m_buffer{};
    qsizetype m_lineStart = 0; // where the section's current line starts in m_buffer
    qsizetype m_lineCount = 0; // complete non-empty lines of the section so far
    qsizetype m_skipped = 0; // empty lines before a request-line (RFC 9112 §2.2), in bytes

    Request m_request{};
    Response m_response{};
};

} // namespace qtws::http
