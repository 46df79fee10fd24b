// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QNetworkProxy>

#include <functional>

namespace qtws::transport {

// The proxy a client connection uses, chosen from the process environment the way curl and
// HTTP.jl read it, and parsed here (deterministic: no libproxy, no system settings).
//
//   - ws:// and http:// targets: http_proxy, then HTTP_PROXY; wss:// and https://: https_proxy,
//     then HTTPS_PROXY; either falls back to all_proxy, then ALL_PROXY. Lower case wins, as in
//     curl. Empty values count as unset.
//   - Proxy URLs: http://[user:pass@]host[:port] (default port 80; a URL without a scheme is
//     http), socks5:// and socks5h:// (default port 1080; both resolve names at the proxy, so
//     DNS of the target never happens locally). https:// and other schemes are refused.
//   - no_proxy, then NO_PROXY: a comma- or space-separated list of `*` (no proxy at all), host
//     names (matching the host and its subdomains; a leading "." or "*." is ignored), IP
//     addresses, CIDR blocks (10.0.0.0/8), each with an optional ":port" that limits the match
//     to that port. Comparison ignores case; IPv6 may be written in brackets.
struct ProxySelection
{
    QNetworkProxy proxy{QNetworkProxy::NoProxy};
    QString error; // non-empty: the environment names a proxy that cannot be used
    QString source; // which variable chose it ("https_proxy"), empty for none

    bool ok() const { return error.isEmpty(); }
};

// getenv-like lookup, so tests can pass their own environment.
using EnvironmentLookup = std::function<QByteArray(const char *name)>;

// The proxy for a connection to host:port; secure selects the https variables.
ProxySelection proxyFromEnvironment(
    const QString &host, quint16 port, bool secure, const EnvironmentLookup &environment = {});

// A proxy URL ("http://u:p@proxy:3128", "socks5h://proxy") as a QNetworkProxy.
ProxySelection parseProxyUrl(const QString &url);

// True when noProxy (the value of no_proxy) exempts host:port from proxying.
bool noProxyMatches(QStringView noProxy, const QString &host, quint16 port);

} // namespace qtws::transport
