// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/server.h>

namespace qtws::http {

void answerUnmatched(Stream &stream, const RouteMatch &match)
{
    // A "match" with a status of 200 but no handler cannot come from Router::match: the
    // caller's mistake, answered as a server error.
    const int status = match.isMatch() ? 500 : match.status;
    stream.setStatus(status);
    stream.setHeader("Content-Type", "text/plain; charset=utf-8");
    // RFC 9110 §15.5.6: a 405 response MUST carry Allow.
    if (status == 405)
        stream.setHeader("Allow", match.allow);
    QByteArray body = Response::reasonPhrase(status).toLower();
    if (body.isEmpty())
        body = QByteArray::number(status);
    body += '\n';
    stream.end(body);
}

} // namespace qtws::http
