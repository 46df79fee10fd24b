// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// raw_echo: a TCP echo on epoll that does no WebSocket work at all, the limit the comparison
// measures the WebSocket servers against (bench/compare/README.md).
//   raw_echo [--port P]      prints "listening on PORT"; runs until SIGTERM/SIGINT

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace {

volatile sig_atomic_t stopping = 0;
extern "C" void onSignal(int)
{
    stopping = 1;
}

// Bytes read but not yet written back, per connection (the peer reads slower than it writes).
struct Pending
{
    std::vector<char> bytes;
    size_t head = 0;
};

} // namespace

int main(int argc, char **argv)
{
    int port = 0;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--port") == 0)
            port = std::atoi(argv[++i]);
    rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || listen(listener, 1024) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &len) != 0) {
        std::perror("raw_echo: listen");
        return 1;
    }
    std::printf("listening on %d\n", ntohs(address.sin_port));
    std::fflush(stdout);

    const int epfd = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev = {};
    ev.events = EPOLLIN;
    ev.data.fd = listener;
    epoll_ctl(epfd, EPOLL_CTL_ADD, listener, &ev);
    std::unordered_map<int, Pending> pending;
    std::vector<char> buffer(256 * 1024);
    epoll_event events[256];
    while (!stopping) {
        const int n = epoll_wait(epfd, events, 256, 200);
        for (int i = 0; i < n; ++i) {
            const int fd = events[i].data.fd;
            if (fd == listener) {
                for (;;) {
                    const int client
                        = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0)
                        break;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    epoll_event cev = {};
                    cev.events = EPOLLIN;
                    cev.data.fd = client;
                    epoll_ctl(epfd, EPOLL_CTL_ADD, client, &cev);
                }
                continue;
            }
            auto close = [&] {
                epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
                ::close(fd);
                pending.erase(fd);
            };
            auto it = pending.find(fd);
            if (it != pending.end() && (events[i].events & EPOLLOUT)) {
                Pending &p = it->second;
                const ssize_t w
                    = send(fd, p.bytes.data() + p.head, p.bytes.size() - p.head, MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) {
                    close();
                    continue;
                }
                if (w > 0)
                    p.head += size_t(w);
                if (p.head == p.bytes.size()) {
                    pending.erase(it);
                    epoll_event cev = {};
                    cev.events = EPOLLIN;
                    cev.data.fd = fd;
                    epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &cev);
                }
                continue; // read again once the backlog is out (backpressure)
            }
            if (it != pending.end())
                continue;
            const ssize_t r = recv(fd, buffer.data(), buffer.size(), 0);
            if (r == 0 || (r < 0 && errno != EAGAIN)) {
                close();
                continue;
            }
            if (r < 0)
                continue;
            const ssize_t w = send(fd, buffer.data(), size_t(r), MSG_NOSIGNAL);
            const size_t written = w > 0 ? size_t(w) : 0;
            if (w < 0 && errno != EAGAIN) {
                close();
                continue;
            }
            if (written < size_t(r)) {
                Pending &p = pending[fd];
                p.bytes.assign(buffer.data() + written, buffer.data() + r);
                p.head = 0;
                epoll_event cev = {};
                cev.events = EPOLLOUT;
                cev.data.fd = fd;
                epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &cev);
            }
        }
    }
    return 0;
}
