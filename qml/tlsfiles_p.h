// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#pragma once

#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QUrl>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>

#include <optional>

namespace qtws::qml {

// A file named from QML: a file: URL, a qrc: URL or ":/path", or a plain path.
QString localPath(const QUrl &url);

// PEM (or DER) certificates from one file; empty with *error set when it cannot be read or
// holds none.
QList<QSslCertificate> readCertificates(const QUrl &file, QString *error);
// A PEM private key (RSA, EC, or whatever QSslKey can read; unencrypted).
std::optional<QSslKey> readPrivateKey(const QUrl &file, QString *error);

} // namespace qtws::qml
