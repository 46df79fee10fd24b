// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
#include <QtWs/http/staticfiles.h>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRegularExpression>
#include <QtCore/QResource>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <sys/stat.h>

using namespace qtws::http;
using namespace Qt::StringLiterals;

using HeaderList = QList<std::pair<QByteArray, QByteArray>>;

// The tree every test serves (created in initTestCase):
//   <base>/www/                root
//     index.html hello.txt style.css image.png data.bin (bytes 0..99) empty.txt a b.txt
//     unknown.zzqx  sub/index.html  noindex/other.txt
//     link-in       → www/hello.txt            (inside: followed)
//     link-out      → <base>/secret.txt        (outside)
//     dirlink-out   → <base>/www-evil          (sibling sharing the root's name as a prefix)
//     escape-index/index.html → <base>/secret.txt
//     fifo          a named pipe
//   <base>/www-evil/secret.txt  <base>/secret.txt
//   <base>/wwwlink → www        (a root reached through a symbolic link)
// Every regular file is dated kOneDigitDay, but hello-17.txt (hello.txt's bytes), dated
// kTwoDigitDay: the HTTP-date forms are checked for both kinds of day on every run, whatever the
// date, the time zone or the locale of the machine.
class tst_StaticFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resolve_data();
    void resolve();
    void resolveSegments();
    void missingRoot();
    void rootThroughSymlink();
    void serve_data();
    void serve();
    void lastModifiedIsImfFixdate();
    void etagChangesWithTheFile();
    void maxBodySize();
    void servesRouterSegments();
    void httpDate_data();
    void httpDate();
    void resources();

private:
    static QByteArray dataBytes(int first, int last);
    Response get(
        const QByteArray &method, const QByteArray &target, const HeaderList &headers = {}) const;

    QTemporaryDir m_base;
    QString m_root;
};

// Fixed instants in UTC: a day of one digit (asctime pads it to " 1") and of two.
static const QDateTime kOneDigitDay(QDate(2022, 3, 1), QTime(7, 5, 9), Qt::UTC);
static const QDateTime kTwoDigitDay(QDate(2021, 11, 17), QTime(23, 59, 58), Qt::UTC);

static bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

static bool setModified(const QString &path, const QDateTime &time)
{
    QFile f(path);
    return f.open(QIODevice::ReadWrite) && f.setFileTime(time, QFileDevice::FileModificationTime);
}

// The obsolete forms of RFC 9110 §5.6.7, written out by hand rather than with a QDateTime format
// string, so that the field widths are the grammar's: rfc850-date has a two-digit day and year,
// asctime-date a day padded with a space to two characters ("Mar  1").
static const char *const kWeekdays[]
    = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
static const char *const kMonths[]
    = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static QByteArray timeOfDay(const QTime &t)
{
    return QByteArray::number(t.hour()).rightJustified(2, '0') + ':'
        + QByteArray::number(t.minute()).rightJustified(2, '0') + ':'
        + QByteArray::number(t.second()).rightJustified(2, '0');
}

static QByteArray rfc850Date(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    const QDate d = utc.date();
    return QByteArray(kWeekdays[d.dayOfWeek() - 1]) + ", "
        + QByteArray::number(d.day()).rightJustified(2, '0') + '-' + kMonths[d.month() - 1] + '-'
        + QByteArray::number(d.year() % 100).rightJustified(2, '0') + ' ' + timeOfDay(utc.time())
        + " GMT";
}

static QByteArray asctimeDate(const QDateTime &time)
{
    const QDateTime utc = time.toUTC();
    const QDate d = utc.date();
    return QByteArray(kWeekdays[d.dayOfWeek() - 1]).left(3) + ' ' + kMonths[d.month() - 1] + ' '
        + QByteArray::number(d.day()).rightJustified(2, ' ') + ' ' + timeOfDay(utc.time()) + ' '
        + QByteArray::number(d.year());
}

QByteArray tst_StaticFiles::dataBytes(int first, int last)
{
    QByteArray bytes;
    for (int i = first; i <= last; ++i)
        bytes.append(char(i));
    return bytes;
}

void tst_StaticFiles::initTestCase()
{
    QVERIFY(m_base.isValid());
    const QString base = m_base.path();
    m_root = base + u"/www"_s;
    QDir dir(base);
    for (const char *d : {"www", "www/sub", "www/noindex", "www/escape-index", "www-evil"})
        QVERIFY(dir.mkpath(QString::fromLatin1(d)));
    QVERIFY(writeFile(m_root + u"/index.html"_s, "<h1>home</h1>\n"));
    QVERIFY(writeFile(m_root + u"/hello.txt"_s, "Hello, world!\n"));
    QVERIFY(writeFile(m_root + u"/style.css"_s, "body{}\n"));
    QVERIFY(writeFile(m_root + u"/image.png"_s, "not really a png"));
    QVERIFY(writeFile(m_root + u"/data.bin"_s, dataBytes(0, 99)));
    QVERIFY(writeFile(m_root + u"/empty.txt"_s, QByteArray()));
    QVERIFY(writeFile(m_root + u"/a b.txt"_s, "space\n"));
    QVERIFY(writeFile(m_root + u"/unknown.zzqx"_s, "?"));
    QVERIFY(writeFile(m_root + u"/sub/index.html"_s, "<h1>sub</h1>\n"));
    QVERIFY(writeFile(m_root + u"/noindex/other.txt"_s, "other\n"));
    QVERIFY(writeFile(base + u"/secret.txt"_s, "secret outside\n"));
    QVERIFY(writeFile(base + u"/www-evil/secret.txt"_s, "secret in the sibling\n"));
    QVERIFY(QFile::link(m_root + u"/hello.txt"_s, m_root + u"/link-in"_s));
    QVERIFY(QFile::link(base + u"/secret.txt"_s, m_root + u"/link-out"_s));
    QVERIFY(QFile::link(base + u"/www-evil"_s, m_root + u"/dirlink-out"_s));
    QVERIFY(QFile::link(base + u"/secret.txt"_s, m_root + u"/escape-index/index.html"_s));
    QVERIFY(QFile::link(m_root, base + u"/wwwlink"_s));
    QCOMPARE(::mkfifo(QFile::encodeName(m_root + u"/fifo"_s).constData(), 0600), 0);
    for (const char *file : {"index.html", "hello.txt", "style.css", "image.png", "data.bin",
             "empty.txt", "a b.txt", "unknown.zzqx", "sub/index.html", "noindex/other.txt"})
        QVERIFY(setModified(m_root + u'/' + QLatin1StringView(file), kOneDigitDay));
    QVERIFY(writeFile(m_root + u"/hello-17.txt"_s, "Hello, world!\n"));
    QVERIFY(setModified(m_root + u"/hello-17.txt"_s, kTwoDigitDay));
}

void tst_StaticFiles::resolve_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("file"); // relative to the root when status is 200

    const auto found = [](const char *name, QByteArray target, QString file) {
        QTest::newRow(name) << target << 200 << file;
    };
    const auto refused = [](const char *name, QByteArray target, int status = 404) {
        QTest::newRow(name) << target << status << QString();
    };

    found("a plain file resolves", "/hello.txt", u"hello.txt"_s);
    found("the query is ignored", "/hello.txt?x=/../secret.txt", u"hello.txt"_s);
    found("an encoded space is decoded", "/a%20b.txt", u"a b.txt"_s);
    found("the root resolves to its index.html", "/", u"index.html"_s);
    found("a directory resolves to its index.html", "/sub/", u"sub/index.html"_s);
    found("a directory without a trailing slash resolves too", "/sub", u"sub/index.html"_s);
    found("an absolute-form target resolves by its path", "http://example.com/hello.txt",
        u"hello.txt"_s);
    found("a symlink that stays inside the root is followed", "/link-in", u"hello.txt"_s);

    refused("a missing file → 404", "/missing.txt");
    refused("a directory without index.html → 404", "/noindex/");
    refused("a file path with a trailing slash → 404", "/hello.txt/");
    refused("../ escapes → 404", "/../secret.txt");
    refused("../ after a directory escapes → 404", "/sub/../../secret.txt");
    refused("a .. that would stay inside is still refused → 404", "/sub/../hello.txt");
    refused("a trailing .. → 404", "/sub/..");
    refused("a . segment → 404", "/./hello.txt");
    refused("%2e%2e/ escapes → 404", "/%2e%2e/secret.txt");
    refused("%2E%2E/ escapes → 404", "/%2E%2E/secret.txt");
    refused("mixed-case %2e%2E/ escapes → 404", "/%2e%2E/secret.txt");
    refused(".%2e/ escapes → 404", "/.%2e/secret.txt");
    refused("%2e./ escapes → 404", "/%2e./secret.txt");
    refused("%2e alone is a . segment → 404", "/%2e/hello.txt");
    refused("..%2f inside one segment escapes → 404", "/..%2fsecret.txt");
    refused("%2e%2e%2f inside one segment escapes → 404", "/%2e%2e%2Fsecret.txt");
    refused("an encoded slash to a real file is still refused → 404", "/sub%2Findex.html");
    refused("..%5c (backslash) escapes → 404", "/..%5csecret.txt");
    refused("an encoded backslash to a real file is refused → 404", "/sub%5Cindex.html");
    refused("a raw backslash is refused → 404", "/..\\secret.txt");
    refused("%00 after a name → 404", "/hello.txt%00.png");
    refused("%00 alone → 404", "/%00");
    refused("an empty segment making the path absolute → 404", "//etc/passwd");
    refused("an empty segment in the middle → 404", "/sub//index.html");
    refused("a Windows drive letter → 404", "/C:/Windows/win.ini");
    refused("an encoded drive path → 404", "/c%3A%5Cwindows");
    refused("a Qt resource path → 404", "/:/qt-project.org/qmime/freedesktop.org.xml");
    refused("a symlink to a file outside → 404", "/link-out");
    refused("a symlink into the sibling <root>-evil → 404", "/dirlink-out/secret.txt");
    refused("an index.html that links outside → 404", "/escape-index/");
    refused("a named pipe is not a file → 404", "/fifo");
    refused("asterisk-form → 404", "*");
    refused("malformed percent-encoding → 400", "/%zz.txt", 400);
    refused("truncated percent-encoding → 400", "/hello.txt%2", 400);
    refused("a path that is not UTF-8 → 400", "/%ff.txt", 400);
    refused("an overlong UTF-8 slash (..%c0%af) → 400", "/..%c0%af..%c0%afsecret.txt", 400);
    refused("a target in no known form → 400", "hello.txt", 400);
}

void tst_StaticFiles::resolve()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QString, file);
    const StaticFiles files(m_root);
    const StaticFiles::Resolved resolved = files.resolve(target);
    QCOMPARE(resolved.status, status);
    QCOMPARE(resolved.isFound(), status == 200);
    if (status == 200)
        QCOMPARE(resolved.filePath, QFileInfo(m_root + u'/' + file).canonicalFilePath());
    else
        QVERIFY(resolved.filePath.isEmpty());
}

void tst_StaticFiles::resolveSegments()
{
    const StaticFiles files(m_root);
    QCOMPARE(files.resolve(QStringList{u"sub"_s, u"index.html"_s}).status, 200);
    QCOMPARE(files.resolve(QStringList{}).filePath,
        QFileInfo(m_root + u"/index.html"_s).canonicalFilePath());
    QCOMPARE(files.resolve(QStringList{u".."_s, u"secret.txt"_s}).status, 404);
    QCOMPARE(files.resolve(QStringList{u"sub/index.html"_s}).status, 404);
    QCOMPARE(files.resolve(QStringList{u"sub\\index.html"_s}).status, 404);
    QCOMPARE(files.resolve(QStringList{u"hello.txt\0"_s}).status, 404);
    QCOMPARE(files.resolve(QStringList{m_base.path() + u"/secret.txt"_s}).status, 404);
}

void tst_StaticFiles::missingRoot()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"is not a directory"_s));
    const StaticFiles files(m_base.path() + u"/nonexistent"_s);
    QCOMPARE(files.resolve(QByteArrayView("/")).status, 404);
    QCOMPARE(files.resolve(QByteArrayView("/hello.txt")).status, 404);
}

void tst_StaticFiles::rootThroughSymlink()
{
    // The root is made canonical once, so a root that is itself a link works, and the prefix
    // check compares canonical paths with canonical paths.
    const StaticFiles files(m_base.path() + u"/wwwlink"_s);
    QCOMPARE(files.resolve(QByteArrayView("/hello.txt")).status, 200);
    QCOMPARE(files.resolve(QByteArrayView("/link-out")).status, 404);
}

Response tst_StaticFiles::get(
    const QByteArray &method, const QByteArray &target, const HeaderList &headers) const
{
    Request request;
    request.method = method;
    request.target = target;
    for (const auto &[name, value] : headers)
        request.headers.append(name, value);
    return StaticFiles(m_root).serve(request);
}

// Header values in serve_data can name the file's current validators, known only at run time.
static QByteArray substitute(QByteArray value, const Response &plain)
{
    const QDateTime modified = fromHttpDate(plain.headers.value("Last-Modified"));
    value.replace("$etag", plain.headers.value("ETag"));
    value.replace("$lastModified850", rfc850Date(modified));
    value.replace("$lastModifiedAsc", asctimeDate(modified));
    value.replace("$lastModified", plain.headers.value("Last-Modified"));
    value.replace("$later", toHttpDate(modified.addDays(1)));
    value.replace("$earlier", toHttpDate(modified.addSecs(-1)));
    return value;
}

void tst_StaticFiles::serve_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<HeaderList>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<HeaderList>("expected"); // value "-" means the field must be absent
    QTest::addColumn<QByteArray>("body");

    const QByteArray hello = "Hello, world!\n";
    const QByteArray notFound = "Not Found\n";
    const auto row = [](const char *name, QByteArray method, QByteArray target, HeaderList request,
                         int status, HeaderList expected, QByteArray body) {
        QTest::newRow(name) << method << target << request << status << expected << body;
    };

    row("GET a file → 200 with type, length, validators", "GET", "/hello.txt", {}, 200,
        {{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Length", "14"},
            {"Accept-Ranges", "bytes"}, {"ETag", "$etag"}, {"Last-Modified", "$lastModified"},
            {"X-Content-Type-Options", "nosniff"}, {"Content-Range", "-"}},
        hello);
    row("HEAD → the same headers without the body", "HEAD", "/hello.txt", {}, 200,
        {{"Content-Type", "text/plain; charset=utf-8"}, {"Content-Length", "14"},
            {"Accept-Ranges", "bytes"}, {"ETag", "$etag"}},
        {});
    row("POST → 405 with Allow: GET, HEAD", "POST", "/hello.txt", {}, 405, {{"Allow", "GET, HEAD"}},
        "Method Not Allowed\n");
    row("DELETE of a missing file → 405 all the same", "DELETE", "/missing", {}, 405,
        {{"Allow", "GET, HEAD"}}, "Method Not Allowed\n");
    row("a missing file → 404", "GET", "/missing.txt", {}, 404,
        {{"Content-Length", "10"}, {"ETag", "-"}}, notFound);
    row("HEAD of a missing file → 404 without a body", "HEAD", "/missing.txt", {}, 404,
        {{"Content-Length", "10"}}, {});
    row("an escape → 404, never the file", "GET", "/%2e%2e/secret.txt", {}, 404, {}, notFound);
    row("malformed encoding → 400", "GET", "/%zz", {}, 400, {}, "Bad Request\n");
    row("the root serves index.html as text/html", "GET", "/", {}, 200,
        {{"Content-Type", "text/html; charset=utf-8"}}, "<h1>home</h1>\n");
    row("a .css file is text/css with a charset", "GET", "/style.css", {}, 200,
        {{"Content-Type", "text/css; charset=utf-8"}}, "body{}\n");
    row("a .png file is image/png, no charset", "GET", "/image.png", {}, 200,
        {{"Content-Type", "image/png"}}, "not really a png");
    row("an unknown extension is application/octet-stream", "GET", "/unknown.zzqx", {}, 200,
        {{"Content-Type", "application/octet-stream"}}, "?");
    row("an empty file → 200 with length 0", "GET", "/empty.txt", {}, 200,
        {{"Content-Length", "0"}}, {});

    // RFC 9110 §13.1.2 If-None-Match, §13.1.3 If-Modified-Since, §15.4.5 304.
    const HeaderList notModified = {{"ETag", "$etag"}, {"Last-Modified", "$lastModified"},
        {"Content-Type", "-"}, {"Content-Length", "-"}};
    row("If-None-Match matches → 304", "GET", "/hello.txt", {{"If-None-Match", "$etag"}}, 304,
        notModified, {});
    row("If-None-Match matches on HEAD → 304", "HEAD", "/hello.txt", {{"If-None-Match", "$etag"}},
        304, notModified, {});
    row("If-None-Match list containing the tag → 304", "GET", "/hello.txt",
        {{"If-None-Match", "\"other\", $etag"}}, 304, notModified, {});
    row("If-None-Match split over two fields → 304", "GET", "/hello.txt",
        {{"If-None-Match", "\"other\""}, {"If-None-Match", "$etag"}}, 304, notModified, {});
    row("If-None-Match weak form matches (weak comparison) → 304", "GET", "/hello.txt",
        {{"If-None-Match", "W/$etag"}}, 304, notModified, {});
    row("If-None-Match * → 304", "GET", "/hello.txt", {{"If-None-Match", "*"}}, 304, notModified,
        {});
    row("If-None-Match with another tag → 200", "GET", "/hello.txt",
        {{"If-None-Match", "\"other\""}}, 200, {}, hello);
    row("If-None-Match with a tag holding a comma → 200", "GET", "/hello.txt",
        {{"If-None-Match", "\"a,b\""}}, 200, {}, hello);
    row("If-None-Match present makes If-Modified-Since ignored → 200", "GET", "/hello.txt",
        {{"If-None-Match", "\"other\""}, {"If-Modified-Since", "$lastModified"}}, 200, {}, hello);
    // The date rows run for a file dated on a one-digit day and one on a two-digit day.
    // (clang 14 cannot capture structured bindings in a lambda, hence the pair.)
    for (const auto &dayFile :
        {std::pair{"/hello.txt", "day 1"}, std::pair{"/hello-17.txt", "day 17"}}) {
        const auto dated = [&dayFile](const char *name, HeaderList request, int status,
                               HeaderList expected, QByteArray body) {
            QTest::addRow("%s (%s)", name, dayFile.second)
                << QByteArray("GET") << QByteArray(dayFile.first) << request << status << expected
                << body;
        };
        dated("If-Modified-Since equal to Last-Modified → 304",
            {{"If-Modified-Since", "$lastModified"}}, 304, notModified, {});
        dated("If-Modified-Since later than the file → 304", {{"If-Modified-Since", "$later"}}, 304,
            notModified, {});
        dated("If-Modified-Since older than the file → 200", {{"If-Modified-Since", "$earlier"}},
            200, {}, hello);
        dated("If-Modified-Since in the RFC 850 form → 304",
            {{"If-Modified-Since", "$lastModified850"}}, 304, notModified, {});
        dated("If-Modified-Since in the asctime form → 304",
            {{"If-Modified-Since", "$lastModifiedAsc"}}, 304, notModified, {});
        dated("an invalid If-Modified-Since is ignored → 200", {{"If-Modified-Since", "yesterday"}},
            200, {}, hello);
        dated("two If-Modified-Since fields are ignored → 200",
            {{"If-Modified-Since", "$later"}, {"If-Modified-Since", "$later"}}, 200, {}, hello);
    }
    // The same dates as literals, so a formatting helper cannot agree with itself by mistake.
    row("Last-Modified of a day-1 file is IMF-fixdate with 01", "GET", "/hello.txt", {}, 200,
        {{"Last-Modified", "Tue, 01 Mar 2022 07:05:09 GMT"}}, hello);
    row("Last-Modified of a day-17 file is IMF-fixdate with 17", "GET", "/hello-17.txt", {}, 200,
        {{"Last-Modified", "Wed, 17 Nov 2021 23:59:58 GMT"}}, hello);
    row("the asctime form of a day-1 date (\"Mar  1\") → 304", "GET", "/hello.txt",
        {{"If-Modified-Since", "Tue Mar  1 07:05:09 2022"}}, 304, notModified, {});
    row("the asctime form of a day-17 date → 304", "GET", "/hello-17.txt",
        {{"If-Modified-Since", "Wed Nov 17 23:59:58 2021"}}, 304, notModified, {});
    row("the RFC 850 form of a day-1 date → 304", "GET", "/hello.txt",
        {{"If-Modified-Since", "Tuesday, 01-Mar-22 07:05:09 GMT"}}, 304, notModified, {});

    // RFC 9110 §14: single byte ranges.
    row("bytes=0-9 → 206 with Content-Range", "GET", "/data.bin", {{"Range", "bytes=0-9"}}, 206,
        {{"Content-Range", "bytes 0-9/100"}, {"Content-Length", "10"}, {"ETag", "$etag"},
            {"Content-Type", "application/octet-stream"}},
        dataBytes(0, 9));
    row("bytes=90- → 206 to the end", "GET", "/data.bin", {{"Range", "bytes=90-"}}, 206,
        {{"Content-Range", "bytes 90-99/100"}, {"Content-Length", "10"}}, dataBytes(90, 99));
    row("bytes=-10 → the last 10 bytes", "GET", "/data.bin", {{"Range", "bytes=-10"}}, 206,
        {{"Content-Range", "bytes 90-99/100"}}, dataBytes(90, 99));
    row("a suffix longer than the file → all of it as 206", "GET", "/data.bin",
        {{"Range", "bytes=-500"}}, 206, {{"Content-Range", "bytes 0-99/100"}}, dataBytes(0, 99));
    row("a last-pos beyond the end is clamped", "GET", "/data.bin", {{"Range", "bytes=95-1000"}},
        206, {{"Content-Range", "bytes 95-99/100"}}, dataBytes(95, 99));
    row("a single byte", "GET", "/data.bin", {{"Range", "bytes=42-42"}}, 206,
        {{"Content-Range", "bytes 42-42/100"}}, dataBytes(42, 42));
    row("the unit is case-insensitive, spaces allowed", "GET", "/data.bin",
        {{"Range", "BYTES= 1-2 ,"}}, 206, {{"Content-Range", "bytes 1-2/100"}}, dataBytes(1, 2));
    row("first-pos at the length → 416 bytes */100", "GET", "/data.bin", {{"Range", "bytes=100-"}},
        416, {{"Content-Range", "bytes */100"}}, "Range Not Satisfiable\n");
    row("a huge first-pos → 416", "GET", "/data.bin", {{"Range", "bytes=99999999999999999999999-"}},
        416, {{"Content-Range", "bytes */100"}}, "Range Not Satisfiable\n");
    row("a zero suffix → 416", "GET", "/data.bin", {{"Range", "bytes=-0"}}, 416,
        {{"Content-Range", "bytes */100"}}, "Range Not Satisfiable\n");
    row("any range of an empty file → 416 bytes */0", "GET", "/empty.txt", {{"Range", "bytes=0-"}},
        416, {{"Content-Range", "bytes */0"}}, "Range Not Satisfiable\n");
    row("several ranges are ignored → 200 whole", "GET", "/data.bin", {{"Range", "bytes=0-1,5-6"}},
        200, {{"Content-Range", "-"}, {"Content-Length", "100"}, {"Accept-Ranges", "bytes"}},
        dataBytes(0, 99));
    row("two Range fields are ignored → 200 whole", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"Range", "bytes=5-6"}}, 200, {{"Content-Range", "-"}},
        dataBytes(0, 99));
    row("last-pos before first-pos is invalid, ignored → 200", "GET", "/data.bin",
        {{"Range", "bytes=9-1"}}, 200, {{"Content-Range", "-"}}, dataBytes(0, 99));
    row("an unknown unit is ignored → 200", "GET", "/data.bin", {{"Range", "items=0-1"}}, 200,
        {{"Content-Range", "-"}}, dataBytes(0, 99));
    row("garbage in the range is ignored → 200", "GET", "/data.bin", {{"Range", "bytes=a-b"}}, 200,
        {{"Content-Range", "-"}}, dataBytes(0, 99));
    row("HEAD ignores Range (RFC 9110 §14.2) → 200", "HEAD", "/data.bin", {{"Range", "bytes=0-9"}},
        200, {{"Content-Range", "-"}, {"Content-Length", "100"}}, {});
    row("If-Range with the current ETag → 206", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-Range", "$etag"}}, 206, {{"Content-Range", "bytes 0-1/100"}},
        dataBytes(0, 1));
    row("If-Range with another ETag → 200 whole", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-Range", "\"other\""}}, 200, {{"Content-Range", "-"}},
        dataBytes(0, 99));
    row("If-Range with a weak ETag never matches → 200", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-Range", "W/$etag"}}, 200, {{"Content-Range", "-"}},
        dataBytes(0, 99));
    row("If-Range with the Last-Modified date → 206", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-Range", "$lastModified"}}, 206,
        {{"Content-Range", "bytes 0-1/100"}}, dataBytes(0, 1));
    row("If-Range with a later date → 200", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-Range", "$later"}}, 200, {{"Content-Range", "-"}},
        dataBytes(0, 99));
    row("a matching If-None-Match beats Range → 304", "GET", "/data.bin",
        {{"Range", "bytes=0-1"}, {"If-None-Match", "$etag"}}, 304, notModified, {});
}

void tst_StaticFiles::serve()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, target);
    QFETCH(HeaderList, request);
    QFETCH(int, status);
    QFETCH(HeaderList, expected);
    QFETCH(QByteArray, body);

    Response plain = get("GET", target);
    if (plain.status == 416 || plain.status >= 400)
        plain = get("GET", "/hello.txt"); // only to fill in placeholders
    for (auto &[name, value] : request)
        value = substitute(value, plain);

    const Response response = get(method, target, request);
    QCOMPARE(response.status, status);
    for (const auto &[name, value] : expected) {
        if (value == "-")
            QVERIFY2(!response.headers.contains(name), name.constData());
        else
            QCOMPARE(response.headers.value(name), substitute(value, plain));
    }
    QCOMPARE(response.body, body);
}

void tst_StaticFiles::lastModifiedIsImfFixdate()
{
    const QString path = m_root + u"/dated.txt"_s;
    QVERIFY(writeFile(path, "x"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    // The example date of RFC 9110 §5.6.7, with milliseconds that must be dropped.
    QVERIFY(file.setFileTime(QDateTime(QDate(1994, 11, 6), QTime(8, 49, 37, 250), Qt::UTC),
        QFileDevice::FileModificationTime));
    file.close();
    const Response response = get("GET", "/dated.txt");
    QCOMPARE(response.headers.value("Last-Modified"), QByteArray("Sun, 06 Nov 1994 08:49:37 GMT"));
    // The 250 ms are below the date's resolution: the file is not newer than its own date.
    const Response conditional
        = get("GET", "/dated.txt", {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}});
    QCOMPARE(conditional.status, 304);
    QVERIFY(QFile::remove(path));
}

void tst_StaticFiles::etagChangesWithTheFile()
{
    const QString path = m_root + u"/changing.txt"_s;
    QVERIFY(writeFile(path, "one"));
    const QDateTime t0(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(t0, QFileDevice::FileModificationTime));
    }
    const QByteArray first = get("GET", "/changing.txt").headers.value("ETag");
    QVERIFY(first.startsWith('"') && first.endsWith('"') && first.size() > 2);
    // Same size, a different time: the tag must change.
    QVERIFY(writeFile(path, "two"));
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QVERIFY(f.setFileTime(t0.addMSecs(1), QFileDevice::FileModificationTime));
    }
    const QByteArray second = get("GET", "/changing.txt").headers.value("ETag");
    QVERIFY(second != first);
    // The old tag no longer makes a 304.
    QCOMPARE(get("GET", "/changing.txt", {{"If-None-Match", first}}).status, 200);
    QVERIFY(QFile::remove(path));
}

void tst_StaticFiles::maxBodySize()
{
    const StaticFiles files(m_root, {.maxBodySize = 50});
    Request request;
    request.target = "/data.bin";
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"over maxBodySize 50"_s));
    QCOMPARE(files.serve(request).status, 500);
    // A part within the cap is still served.
    request.headers.append("Range", "bytes=0-9");
    const Response part = files.serve(request);
    QCOMPARE(part.status, 206);
    QCOMPARE(part.body, dataBytes(0, 9));
    request.headers.set("Range", "bytes=0-60");
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"over maxBodySize 50"_s));
    QCOMPARE(files.serve(request).status, 500);
}

void tst_StaticFiles::servesRouterSegments()
{
    // As a "/static/{path*}" route hands over RouteMatch::rest.
    const StaticFiles files(m_root);
    Request request;
    request.target = "/static/sub/index.html";
    QCOMPARE(files.serve(request, {u"sub"_s, u"index.html"_s}).body, QByteArray("<h1>sub</h1>\n"));
    QCOMPARE(files.serve(request, {u"sub/index.html"_s}).status, 404);
    QCOMPARE(files.serve(request, {u".."_s, u"secret.txt"_s}).status, 404);
    request.method = "PUT";
    QCOMPARE(files.serve(request, {u"hello.txt"_s}).status, 405);
}

void tst_StaticFiles::httpDate_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime example(QDate(1994, 11, 6), QTime(8, 49, 37), Qt::UTC);
    QTest::newRow("IMF-fixdate is accepted")
        << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT") << example;
    QTest::newRow("the obsolete RFC 850 form is accepted")
        << QByteArray("Sunday, 06-Nov-94 08:49:37 GMT") << example;
    QTest::newRow("the asctime form is accepted")
        << QByteArray("Sun Nov  6 08:49:37 1994") << example;
    QTest::newRow("asctime with a one-digit day not padded to two is refused")
        << QByteArray("Sun Nov 6 08:49:37 1994") << QDateTime();
    QTest::newRow("asctime with a two-digit day") << QByteArray(
        "Wed Nov 17 23:59:58 2021") << QDateTime(QDate(2021, 11, 17), QTime(23, 59, 58), Qt::UTC);
    QTest::newRow("RFC 850 years below 70 are 20xx") << QByteArray(
        "Tuesday, 01-Jan-30 00:00:00 GMT") << QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    QTest::newRow("HTTP-date is case-sensitive")
        << QByteArray("sun, 06 nov 1994 08:49:37 gmt") << QDateTime();
    QTest::newRow("a zone other than GMT is refused")
        << QByteArray("Sun, 06 Nov 1994 08:49:37 UTC") << QDateTime();
    QTest::newRow("an impossible day is refused")
        << QByteArray("Thu, 31 Feb 1994 08:49:37 GMT") << QDateTime();
    QTest::newRow("an unknown month is refused")
        << QByteArray("Sun, 06 Nox 1994 08:49:37 GMT") << QDateTime();
    QTest::newRow("trailing text is refused")
        << QByteArray("Sun, 06 Nov 1994 08:49:37 GMT x") << QDateTime();
}

void tst_StaticFiles::httpDate()
{
    QFETCH(QByteArray, text);
    QFETCH(QDateTime, expected);
    const QDateTime parsed = fromHttpDate(text);
    QCOMPARE(parsed.isValid(), expected.isValid());
    if (expected.isValid()) {
        QCOMPARE(parsed, expected);
        QCOMPARE(fromHttpDate(toHttpDate(parsed)), parsed); // formatting round-trips
    }
}

void tst_StaticFiles::resources()
{
    // QTWS_TEST_WWW_RCC is data/www.qrc compiled with `rcc --binary` at build time (this
    // folder's CMakeLists.txt), registered at run time.
    const QString rcc = QString::fromUtf8(QTWS_TEST_WWW_RCC);
    QVERIFY(!rcc.isEmpty());
    QVERIFY(QResource::registerResource(rcc));
    const StaticFiles files(u":/www"_s);
    Request request;
    request.target = "/";
    const Response index = files.serve(request);
    QCOMPARE(index.status, 200);
    QCOMPARE(index.body, QByteArray("<!doctype html><title>qrc</title>\n"));
    QCOMPARE(index.headers.value("Content-Type"), QByteArray("text/html; charset=utf-8"));
    // Resources get a content hash as their ETag: 16 bytes of SHA-256 in hex, quoted.
    const QByteArray etag = index.headers.value("ETag");
    QVERIFY(
        QRegularExpression(u"^\"[0-9a-f]{32}\"$"_s).match(QString::fromLatin1(etag)).hasMatch());

    request.headers.append("If-None-Match", etag);
    QCOMPARE(files.serve(request).status, 304);

    request.headers.clear();
    request.target = "/app.js";
    QCOMPARE(files.serve(request).body, QByteArray("console.log(\"qrc\");\n"));
    request.headers.append("Range", "bytes=0-6");
    QCOMPARE(files.serve(request).body, QByteArray("console"));
    QCOMPARE(files.serve(request).status, 206);

    request.headers.clear();
    for (const char *escape :
        {"/../www/app.js", "/%2e%2e/www/app.js", "/:/www/app.js", "/app.js%00", "//www/app.js"}) {
        request.target = escape;
        QCOMPARE(files.serve(request).status, 404);
    }
    QVERIFY(QResource::unregisterResource(rcc));
}

QTEST_APPLESS_MAIN(tst_StaticFiles)
#include "tst_staticfiles.moc"
