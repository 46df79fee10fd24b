// A plain non-blocking POSIX TCP socket on 127.0.0.1 for tests that must see what QTcpSocket
// hides: the peer's FIN while this side may still write (QTcpSocket closes itself at the end
// of the stream), and a reset (Qt reports ECONNRESET like a FIN). Waits run the event loop, so
// a qtws peer on the test's thread keeps working; every wait is bounded.
#pragma once

#include <QtCore/QByteArray>

#include <functional>

namespace qtws::test {

class PosixSocket
{
public:
    PosixSocket() = default;
    explicit PosixSocket(int fd); // takes an accepted descriptor (made non-blocking)
    ~PosixSocket();
    PosixSocket(const PosixSocket &) = delete;
    PosixSocket &operator=(const PosixSocket &) = delete;

    bool connectTo(quint16 port);
    bool send(const QByteArray &bytes);
    // Reads into received until done(received), the end of the stream (endOfStream) or a read
    // error (errno in lastError); false on timeout.
    bool readUntil(const std::function<bool(const QByteArray &)> &done, int timeoutMs);
    bool readToEnd(int timeoutMs)
    {
        return readUntil([](const QByteArray &) { return false; }, timeoutMs);
    }
    void shutdownSending();
    int pendingSocketError() const; // SO_ERROR: ECONNRESET after a reset
    // One recv of a byte: 0 at a clean end of stream, -1 (errno) after a reset.
    long receiveOneByte();

    QByteArray received;
    bool endOfStream = false;
    int lastError = 0;

private:
    int m_fd = -1;
};

// A listening socket on 127.0.0.1 and an ephemeral port.
class PosixListener
{
public:
    PosixListener();
    ~PosixListener();
    quint16 port() const { return m_port; }
    // The next connection's descriptor, running the event loop while waiting; -1 on timeout.
    int accept(int timeoutMs);

private:
    int m_fd = -1;
    quint16 m_port = 0;
};

} // namespace qtws::test
