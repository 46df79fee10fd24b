// TestCertificates: throw-away TLS material for the tests, made at test time with the `openssl`
// command in a QTemporaryDir (removed with the object):
//   ca()        a self-signed CA ("qtws test CA")
//   server()    CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1, signed by the CA
//   wrongHost() CN=wrong.host.invalid, subjectAltName DNS:wrong.host.invalid only, signed by
//               the CA: valid, but for another name, so verification against 127.0.0.1 fails
//   client()    CN=qtws test client, extendedKeyUsage clientAuth, signed by the CA
// Keys are unencrypted EC P-256 keys in PEM (PKCS#8). Certificates are valid for two days.
//
//   TestCertificates certs;
//   QVERIFY2(certs.isValid(), qPrintable(certs.errorString()));
//   server.startServer({u"--cert"_s, certs.server().certificatePath, u"--key"_s,
//   certs.server().keyPath});
#pragma once

#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTemporaryDir>

namespace qtws::test {

struct CertificateFiles
{
    QString certificatePath; // PEM
    QString keyPath; // PEM, unencrypted
    QSslCertificate certificate;
    QSslKey key;
};

class TestCertificates
{
public:
    TestCertificates(); // generates everything; check isValid()
    TestCertificates(const TestCertificates &) = delete;
    TestCertificates &operator=(const TestCertificates &) = delete;

    bool isValid() const { return m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    QString directory() const { return m_dir.path(); }

    const CertificateFiles &ca() const { return m_ca; }
    const CertificateFiles &server() const { return m_server; }
    const CertificateFiles &wrongHost() const { return m_wrongHost; }
    const CertificateFiles &client() const { return m_client; }

private:
    bool openssl(const QStringList &arguments);
    bool makeKeyAndRequest(const QString &name, const QString &subject);
    bool sign(const QString &name, const QString &extensions);
    bool load(CertificateFiles &files, const QString &name);

    QTemporaryDir m_dir;
    QString m_error;
    CertificateFiles m_ca, m_server, m_wrongHost, m_client;
};

} // namespace qtws::test
