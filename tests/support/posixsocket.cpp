#include "posixsocket.h"

#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTimer>

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace qtws::test {

namespace {

sockaddr_in loopback(quint16 port)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

// Runs the event loop until fd is readable or the deadline passed.
void waitReadable(int fd, const QDeadlineTimer &deadline)
{
    QSocketNotifier readable(qintptr(fd), QSocketNotifier::Read);
    QEventLoop loop;
    QObject::connect(&readable, &QSocketNotifier::activated, &loop, &QEventLoop::quit);
    QTimer::singleShot(
        int(std::max<qint64>(deadline.remainingTime(), 1)), &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

PosixSocket::PosixSocket(int fd) : m_fd(fd)
{
    if (m_fd >= 0)
        ::fcntl(m_fd, F_SETFL, O_NONBLOCK);
}

PosixSocket::~PosixSocket()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool PosixSocket::connectTo(quint16 port)
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in address = loopback(port);
    if (::connect(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0)
        return false;
    return ::fcntl(m_fd, F_SETFL, O_NONBLOCK) == 0;
}

bool PosixSocket::send(const QByteArray &bytes)
{
    return ::send(m_fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL)
        == ssize_t(bytes.size());
}

bool PosixSocket::readUntil(const std::function<bool(const QByteArray &)> &done, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        char chunk[4096];
        const ssize_t got = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (got > 0)
            received.append(chunk, got);
        else if (got == 0)
            endOfStream = true;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            lastError = errno;
        if (endOfStream || lastError != 0 || done(received))
            return true;
        if (got < 0)
            waitReadable(m_fd, deadline);
    }
    return false;
}

void PosixSocket::shutdownSending()
{
    ::shutdown(m_fd, SHUT_WR);
}

int PosixSocket::pendingSocketError() const
{
    int error = 0;
    socklen_t size = sizeof error;
    ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &size);
    return error;
}

long PosixSocket::receiveOneByte()
{
    char byte = 0;
    return long(::recv(m_fd, &byte, 1, 0));
}

PosixListener::PosixListener()
{
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    const sockaddr_in address = loopback(0);
    if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        || ::listen(m_fd, 4) != 0 || ::fcntl(m_fd, F_SETFL, O_NONBLOCK) != 0)
        return;
    sockaddr_in bound{};
    socklen_t size = sizeof bound;
    ::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &size);
    m_port = ntohs(bound.sin_port);
}

PosixListener::~PosixListener()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

int PosixListener::accept(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const int fd = ::accept(m_fd, nullptr, nullptr);
        if (fd >= 0)
            return fd;
        waitReadable(m_fd, deadline);
    }
    return -1;
}

} // namespace qtws::test
