// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "clientstate.h"

#include "settingsutil.h"

#include <QtCore/QJsonArray>
#include <QtNetwork/QSslCertificate>

namespace inspector {

namespace {

bool isDirect(const QString &proxy)
{
    return proxy.compare(u"none", Qt::CaseInsensitive) == 0
        || proxy.compare(u"direct", Qt::CaseInsensitive) == 0;
}

// "Name: value" lines → (name, value) pairs; *badLine the first line without a colon (from 1).
QList<std::pair<QString, QString>> parseHeaders(const QString &text, int *badLine)
{
    QList<std::pair<QString, QString>> fields;
    int lineNumber = 0;
    for (const QString &line : text.split(u'\n')) {
        ++lineNumber;
        if (line.trimmed().isEmpty())
            continue;
        const qsizetype colon = line.indexOf(u':');
        if (colon <= 0) {
            if (badLine && *badLine == 0)
                *badLine = lineNumber;
            continue;
        }
        fields.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    }
    return fields;
}

} // namespace

ClientState::ClientState(QObject *parent)
    : QObject(parent)
    , m_log(new LogModel(this))
    , m_stats(new Statistics(this))
    , m_composer(new Composer(this))
    , m_sink(new LogSink(m_log, m_stats, nullptr, this))
{ }

ClientState::~ClientState() = default;

void ClientState::setUrl(const QString &value)
{
    if (assign(m_url, value))
        Q_EMIT settingsChanged();
}

void ClientState::setSubprotocols(const QString &value)
{
    if (assign(m_subprotocols, value))
        Q_EMIT settingsChanged();
}

void ClientState::setHeaders(const QString &value)
{
    if (assign(m_headers, value))
        Q_EMIT settingsChanged();
}

void ClientState::setCompression(bool value)
{
    if (assign(m_compression, value))
        Q_EMIT settingsChanged();
}

void ClientState::setIgnoreTlsErrors(bool value)
{
    if (assign(m_ignoreTlsErrors, value))
        Q_EMIT settingsChanged();
}

void ClientState::setProxy(const QString &value)
{
    if (assign(m_proxy, value))
        Q_EMIT settingsChanged();
}

void ClientState::setCaFile(const QString &path)
{
    if (assign(m_caFile, localPath(path)))
        Q_EMIT settingsChanged();
}

QUrl ClientState::socketUrl() const
{
    return QUrl::fromUserInput(m_url.trimmed());
}

QStringList ClientState::subprotocolList() const
{
    return splitList(m_subprotocols);
}

QVariantMap ClientState::requestHeaders() const
{
    // A name given twice goes out twice (the QML WebSocket takes a list for that).
    QVariantMap headers;
    for (const auto &[name, value] : parseHeaders(m_headers, nullptr)) {
        const auto existing = headers.find(name);
        if (existing == headers.end()) {
            headers.insert(name, value);
            continue;
        }
        QStringList values = existing->toStringList();
        values.append(value);
        *existing = values;
    }
    return headers;
}

QVariantList ClientState::caFiles() const
{
    return m_caFile.isEmpty() ? QVariantList() : QVariantList{m_caFile};
}

QUrl ClientState::proxyUrl() const
{
    const QString trimmed = m_proxy.trimmed();
    if (trimmed.isEmpty())
        return {}; // the environment's
    if (isDirect(trimmed))
        return QUrl(QStringLiteral("direct:"));
    return QUrl(trimmed, QUrl::StrictMode);
}

QString ClientState::settingsError() const
{
    const QUrl url = socketUrl();
    if (!url.isValid()
        || !QStringList{u"ws"_qs, u"wss"_qs, u"http"_qs, u"https"_qs}.contains(url.scheme()))
        return QStringLiteral("URL: expected ws://host[:port]/path or wss://…");
    int badLine = 0;
    parseHeaders(m_headers, &badLine);
    if (badLine > 0)
        return QStringLiteral("headers, line %1: expected \"Name: value\"").arg(badLine);
    const QString proxy = m_proxy.trimmed();
    if (!proxy.isEmpty() && !isDirect(proxy)) {
        const QUrl proxyUrl(proxy, QUrl::StrictMode);
        const QString scheme = proxyUrl.scheme();
        if (!proxyUrl.isValid()
            || (scheme != u"http" && scheme != u"socks5" && scheme != u"socks5h")
            || proxyUrl.host().isEmpty() || proxyUrl.port() <= 0)
            return QStringLiteral("proxy: expected none, http://host:port or socks5://host:port, "
                                  "got \"%1\"")
                .arg(proxy);
    }
    // Checked here too (the WebSocket would refuse it) for a message that names the setting.
    if (!m_caFile.isEmpty() && QSslCertificate::fromPath(m_caFile, QSsl::Pem).isEmpty())
        return QStringLiteral("CA file %1: no PEM certificate in it").arg(m_caFile);
    return {};
}

bool ClientState::refuse(const QString &error)
{
    if (assign(m_lastError, error))
        Q_EMIT lastErrorChanged();
    return false;
}

// An action went through: the last refusal is no longer news.
bool ClientState::succeed()
{
    refuse(QString());
    return true;
}

QJsonObject ClientState::settingsToJson() const
{
    return {
        {QStringLiteral("url"), m_url},
        {QStringLiteral("subprotocols"), QJsonArray::fromStringList(splitList(m_subprotocols))},
        {QStringLiteral("headers"), m_headers},
        {QStringLiteral("compression"), m_compression},
        {QStringLiteral("ignoreTlsErrors"), m_ignoreTlsErrors},
        {QStringLiteral("caFile"), m_caFile},
        {QStringLiteral("proxy"), m_proxy},
    };
}

void ClientState::settingsFromJson(const QJsonObject &object)
{
    setUrl(object.value(QStringLiteral("url")).toString(m_url));
    QStringList subprotocols;
    for (const QJsonValue &value : object.value(QStringLiteral("subprotocols")).toArray())
        subprotocols.append(value.toString());
    setSubprotocols(subprotocols.join(QStringLiteral(", ")));
    setHeaders(object.value(QStringLiteral("headers")).toString());
    setCompression(object.value(QStringLiteral("compression")).toBool(true));
    setIgnoreTlsErrors(object.value(QStringLiteral("ignoreTlsErrors")).toBool(false));
    setCaFile(object.value(QStringLiteral("caFile")).toString());
    setProxy(object.value(QStringLiteral("proxy")).toString());
}

} // namespace inspector
