#include "testcertificates.h"

#include <QFile>
#include <QProcess>

#ifndef QTWS_OPENSSL
#define QTWS_OPENSSL "openssl"
#endif

namespace qtws::test {

namespace {
QString latin1(const char *text)
{
    return QString::fromLatin1(text);
}
} // namespace

TestCertificates::TestCertificates()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory: %1").arg(m_dir.errorString());
        return;
    }
    const QString ca = m_dir.filePath(latin1("ca"));
    const bool ok =
        // The CA: self-signed, allowed to sign certificates.
        openssl({latin1("req"), latin1("-x509"), latin1("-newkey"), latin1("ec"),
            latin1("-pkeyopt"), latin1("ec_paramgen_curve:prime256v1"), latin1("-nodes"),
            latin1("-keyout"), ca + latin1(".key"), latin1("-out"), ca + latin1(".pem"),
            latin1("-days"), latin1("2"), latin1("-subj"), latin1("/CN=qtws test CA"),
            latin1("-addext"), latin1("basicConstraints=critical,CA:TRUE"), latin1("-addext"),
            latin1("keyUsage=critical,keyCertSign,cRLSign")})
        && makeKeyAndRequest(latin1("server"), latin1("/CN=localhost"))
        && sign(latin1("server"),
            latin1("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                   "extendedKeyUsage=serverAuth\n"))
        && makeKeyAndRequest(latin1("wronghost"), latin1("/CN=wrong.host.invalid"))
        && sign(latin1("wronghost"),
            latin1("subjectAltName=DNS:wrong.host.invalid\nextendedKeyUsage=serverAuth\n"))
        && makeKeyAndRequest(latin1("client"), latin1("/CN=qtws test client"))
        && sign(latin1("client"), latin1("extendedKeyUsage=clientAuth\n"))
        && load(m_ca, latin1("ca")) && load(m_server, latin1("server"))
        && load(m_wrongHost, latin1("wronghost")) && load(m_client, latin1("client"));
    if (!ok && m_error.isEmpty())
        m_error = QStringLiteral("certificate generation failed");
}

bool TestCertificates::openssl(const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.setWorkingDirectory(m_dir.path());
    process.start(QString::fromUtf8(QTWS_OPENSSL), arguments);
    // openssl makes an EC key and a certificate in milliseconds; the bound is for a wedged run.
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit
        || process.exitCode() != 0) {
        m_error = QStringLiteral("`openssl %1` failed (%2): %3")
                      .arg(arguments.join(u' '), process.errorString(),
                          QString::fromUtf8(process.readAll()));
        process.kill();
        process.waitForFinished(1000);
        return false;
    }
    return true;
}

bool TestCertificates::makeKeyAndRequest(const QString &name, const QString &subject)
{
    const QString base = m_dir.filePath(name);
    return openssl({latin1("req"), latin1("-new"), latin1("-newkey"), latin1("ec"),
        latin1("-pkeyopt"), latin1("ec_paramgen_curve:prime256v1"), latin1("-nodes"),
        latin1("-keyout"), base + latin1(".key"), latin1("-out"), base + latin1(".csr"),
        latin1("-subj"), subject});
}

bool TestCertificates::sign(const QString &name, const QString &extensions)
{
    const QString base = m_dir.filePath(name);
    QFile file(base + latin1(".ext"));
    if (!file.open(QIODevice::WriteOnly)
        || file.write(QByteArrayLiteral("basicConstraints=CA:FALSE\n")
               + QByteArrayLiteral("keyUsage=critical,digitalSignature,keyAgreement\n")
               + extensions.toUtf8())
            < 0) {
        m_error = QStringLiteral("cannot write %1").arg(file.fileName());
        return false;
    }
    file.close();
    const QString ca = m_dir.filePath(latin1("ca"));
    return openssl({latin1("x509"), latin1("-req"), latin1("-in"), base + latin1(".csr"),
        latin1("-CA"), ca + latin1(".pem"), latin1("-CAkey"), ca + latin1(".key"),
        latin1("-CAcreateserial"), latin1("-days"), latin1("2"), latin1("-sha256"),
        latin1("-extfile"), base + latin1(".ext"), latin1("-out"), base + latin1(".pem")});
}

bool TestCertificates::load(CertificateFiles &files, const QString &name)
{
    files.certificatePath = m_dir.filePath(name + latin1(".pem"));
    files.keyPath = m_dir.filePath(name + latin1(".key"));
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(files.certificatePath);
    QFile key(files.keyPath);
    if (certificates.size() != 1 || !key.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read %1 or its key").arg(files.certificatePath);
        return false;
    }
    files.certificate = certificates.first();
    files.key = QSslKey(key.readAll(), QSsl::Ec);
    if (files.key.isNull()) {
        m_error = QStringLiteral("Qt cannot read the key %1").arg(files.keyPath);
        return false;
    }
    return true;
}

} // namespace qtws::test
