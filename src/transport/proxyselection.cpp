// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "transport/proxyselection_p.h"

#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>

namespace qtws::transport {

namespace {

QByteArray systemEnvironment(const char *name)
{
    return qgetenv(name);
}

// The first non-empty of the names, and which one it was.
QByteArray firstSet(const EnvironmentLookup &environment, std::initializer_list<const char *> names,
    QString *source)
{
    for (const char *name : names) {
        const QByteArray value = environment(name).trimmed();
        if (!value.isEmpty()) {
            *source = QString::fromLatin1(name);
            return value;
        }
    }
    return {};
}

QString withoutBrackets(QString host)
{
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    return host;
}

bool entryMatches(QString entry, const QString &host, quint16 port)
{
    // An optional ":port" (for IPv6, only after a bracketed address).
    int entryPort = -1;
    const qsizetype colon = entry.lastIndexOf(QLatin1Char(':'));
    const bool bracketed = entry.startsWith(QLatin1Char('['));
    if (colon > 0
        && (bracketed ? entry.at(colon - 1) == QLatin1Char(']')
                      : entry.indexOf(QLatin1Char(':')) == colon)) {
        bool ok = false;
        const int value = entry.mid(colon + 1).toInt(&ok);
        if (!ok || value < 0 || value > 65535)
            return false;
        entryPort = value;
        entry.truncate(colon);
    }
    if (entryPort != -1 && entryPort != port)
        return false;
    entry = withoutBrackets(entry);
    if (entry.isEmpty())
        return false;

    const QHostAddress hostAddress(host);
    if (entry.contains(QLatin1Char('/'))) { // CIDR
        const std::pair<QHostAddress, int> subnet = QHostAddress::parseSubnet(entry);
        return !hostAddress.isNull() && subnet.second >= 0 && hostAddress.isInSubnet(subnet);
    }
    const QHostAddress entryAddress(entry);
    if (!entryAddress.isNull())
        return !hostAddress.isNull() && hostAddress.isEqual(entryAddress);

    if (entry.startsWith(QLatin1String("*.")))
        entry.remove(0, 2);
    else if (entry.startsWith(QLatin1Char('.')))
        entry.remove(0, 1);
    if (entry.isEmpty())
        return false;
    return host.compare(entry, Qt::CaseInsensitive) == 0
        || host.endsWith(QLatin1Char('.') + entry, Qt::CaseInsensitive);
}

} // namespace

bool noProxyMatches(QStringView noProxy, const QString &rawHost, quint16 port)
{
    const QString host = withoutBrackets(rawHost);
    for (QStringView part : noProxy.tokenize(QLatin1Char(','))) {
        for (QStringView entry : part.tokenize(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            entry = entry.trimmed();
            if (entry.isEmpty())
                continue;
            if (entry == QLatin1String("*"))
                return true;
            if (entryMatches(entry.toString(), host, port))
                return true;
        }
    }
    return false;
}

ProxySelection parseProxyUrl(const QString &text)
{
    ProxySelection result;
    QString spec = text.trimmed();
    if (!spec.contains(QLatin1String("://")))
        spec.prepend(QLatin1String("http://"));
    const QUrl url(spec, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || url.host().isEmpty()) {
        result.error = QStringLiteral("invalid proxy URL \"%1\"").arg(text);
        return result;
    }
    QNetworkProxy proxy;
    if (scheme == u"http") {
        proxy.setType(QNetworkProxy::HttpProxy);
        proxy.setPort(quint16(url.port(80)));
    } else if (scheme == u"socks5" || scheme == u"socks5h" || scheme == u"socks") {
        proxy.setType(QNetworkProxy::Socks5Proxy);
        proxy.setPort(quint16(url.port(1080)));
    } else {
        result.error = QStringLiteral("unsupported proxy scheme \"%1\" in \"%2\" (use http, "
                                      "socks5 or socks5h)")
                           .arg(scheme, text);
        return result;
    }
    proxy.setHostName(url.host());
    proxy.setUser(url.userName(QUrl::FullyDecoded));
    proxy.setPassword(url.password(QUrl::FullyDecoded));
    // Names are resolved by the proxy (SOCKS5 "socks5h" semantics, CONNECT host:port).
    proxy.setCapabilities(proxy.capabilities() | QNetworkProxy::HostNameLookupCapability
        | QNetworkProxy::TunnelingCapability);
    result.proxy = proxy;
    return result;
}

ProxySelection proxyFromEnvironment(
    const QString &host, quint16 port, bool secure, const EnvironmentLookup &lookup)
{
    const EnvironmentLookup environment = lookup ? lookup : EnvironmentLookup(systemEnvironment);
    ProxySelection result;
    QString source;
    QByteArray value = secure ? firstSet(environment, {"https_proxy", "HTTPS_PROXY"}, &source)
                              : firstSet(environment, {"http_proxy", "HTTP_PROXY"}, &source);
    if (value.isEmpty())
        value = firstSet(environment, {"all_proxy", "ALL_PROXY"}, &source);
    if (value.isEmpty())
        return result;
    QString noProxySource;
    const QByteArray noProxy = firstSet(environment, {"no_proxy", "NO_PROXY"}, &noProxySource);
    if (!noProxy.isEmpty() && noProxyMatches(QString::fromUtf8(noProxy), host, port))
        return result;
    result = parseProxyUrl(QString::fromUtf8(value));
    if (!result.ok())
        result.error += QStringLiteral(" (from %1)").arg(source);
    result.source = source;
    return result;
}

} // namespace qtws::transport
