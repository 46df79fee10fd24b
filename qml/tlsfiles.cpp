// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include "tlsfiles_p.h"

#include <QtCore/QFile>

namespace qtws::qml {

QString localPath(const QUrl &url)
{
    if (url.isLocalFile())
        return url.toLocalFile();
    if (url.scheme() == QLatin1String("qrc"))
        return QLatin1Char(':') + url.path();
    // No scheme: a path as typed ("/etc/ssl/ca.pem", ":/certs/ca.pem").
    return url.toString(QUrl::PreferLocalFile);
}

namespace {

std::optional<QByteArray> readAll(const QUrl &file, QString *error)
{
    const QString path = localPath(file);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return std::nullopt;
    }
    // Certificates and keys are small; a bound keeps a wrong path (a device, a huge file) cheap.
    constexpr qint64 maxTlsFileSize = 1024 * 1024;
    const QByteArray bytes = f.read(maxTlsFileSize + 1);
    if (bytes.size() > maxTlsFileSize) {
        *error = QStringLiteral("%1 is over 1 MiB: not a certificate or key file").arg(path);
        return std::nullopt;
    }
    return bytes;
}

} // namespace

QList<QSslCertificate> readCertificates(const QUrl &file, QString *error)
{
    const std::optional<QByteArray> bytes = readAll(file, error);
    if (!bytes)
        return {};
    QList<QSslCertificate> certificates = QSslCertificate::fromData(*bytes, QSsl::Pem);
    if (certificates.isEmpty())
        certificates = QSslCertificate::fromData(*bytes, QSsl::Der);
    if (certificates.isEmpty())
        *error = QStringLiteral("%1 holds no certificate").arg(localPath(file));
    return certificates;
}

std::optional<QSslKey> readPrivateKey(const QUrl &file, QString *error)
{
    const std::optional<QByteArray> bytes = readAll(file, error);
    if (!bytes)
        return std::nullopt;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
        QSslKey key(*bytes, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    *error = QStringLiteral("%1 holds no unencrypted private key").arg(localPath(file));
    return std::nullopt;
}

} // namespace qtws::qml
