// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// ws_loadgen: the comparison harness's load generator (bench/compare/README.md). It speaks
// RFC 6455 itself over raw non-blocking sockets and one epoll loop, masks every frame as a client
// must (§5.3), checks every echo byte for byte, and prints one JSON object with the figures.
//
//   ws_loadgen echo      --port P [--conns N] [--window W] [--size BYTES] [--raw]
//   ws_loadgen handshake --port P [--concurrency C] [--raw]
//   ws_loadgen idle      --port P --server-pid PID [--count N] [--deflate] [--raw]
//   ws_loadgen flood     [--listen-port P] [--size BYTES]       (a raw server flooding a client)
// Common: --warmup SECONDS (default 0.5), --duration SECONDS (default 3), --text.
// --raw: the server is a plain TCP echo (no upgrade; the echo comes back masked).

#include "wire.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options
{
    std::string mode;
    int port = 0;
    int conns = 1;
    int window = 1;
    size_t size = 16;
    bool raw = false;
    bool text = false;
    bool deflate = false; // offer permessage-deflate in the upgrade (idle: its memory cost)
    int concurrency = 8;
    int count = 2000;
    int serverPid = 0;
    double warmup = 0.5;
    double duration = 3;
};

[[noreturn]] void die(const std::string &why)
{
    std::printf("{\"error\": \"%s\"}\n", why.c_str());
    std::fflush(stdout);
    std::exit(1);
}

double seconds(Clock::duration d)
{
    return std::chrono::duration<double>(d).count();
}

// CPU seconds (user + system) a process has used, from /proc/PID/stat fields 14 and 15.
double processCpu(int pid)
{
    if (pid <= 0)
        return 0;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        return 0;
    char buffer[1024] = {};
    const size_t got = std::fread(buffer, 1, sizeof buffer - 1, f);
    std::fclose(f);
    buffer[got] = 0;
    const char *p = std::strrchr(buffer, ')'); // the command name may hold spaces
    if (!p)
        return 0;
    unsigned long utime = 0, stime = 0;
    // After ")": state(3) ... utime is field 14, stime 15.
    if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime)
        != 2)
        return 0;
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

double selfCpu()
{
    rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long rssKiB(int pid)
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", pid);
    FILE *f = std::fopen(path, "r");
    if (!f)
        die("cannot read /proc/PID/status of the server");
    char line[256];
    long kib = -1;
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, "VmRSS:", 6) == 0)
            kib = std::strtol(line + 6, nullptr, 10);
    std::fclose(f);
    return kib;
}

void raiseFdLimit()
{
    rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

int connectTo(int port)
{
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        && errno != EINPROGRESS)
        die(std::string("connect: ") + std::strerror(errno));
    return fd;
}

// One client connection: its buffers and where it is in the protocol.
struct Conn
{
    enum class State { Connecting, Upgrading, Open, Closing, Done };
    int fd = -1;
    State state = State::Connecting;
    std::vector<unsigned char> in;
    size_t inHead = 0, inTail = 0;
    std::vector<unsigned char> out;
    size_t outHead = 0;
    bool watchingOut = false;
    std::string key;
    uint64_t sent = 0, received = 0; // messages
    uint64_t messageOffset = 0; // bytes of the incoming message so far (fragments)
    std::vector<Clock::time_point> sentAt; // a ring of `window` send times
    Clock::time_point startedAt;
};

class Generator
{
public:
    explicit Generator(Options o) : opt(std::move(o))
    {
        epfd = epoll_create1(EPOLL_CLOEXEC);
        tpl.resize(opt.size);
        for (size_t i = 0; i < opt.size; ++i)
            tpl[i] = static_cast<unsigned char>('a' + i % 26); // ASCII: valid as text too
    }

    int run();

private:
    // --- sockets and the loop ---
    void watch(Conn &c, bool out)
    {
        epoll_event ev = {};
        ev.events = out ? EPOLLIN | EPOLLOUT : EPOLLIN;
        ev.data.ptr = &c;
        if (epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev) != 0)
            epoll_ctl(epfd, EPOLL_CTL_ADD, c.fd, &ev);
        c.watchingOut = out;
    }
    void open(Conn &c)
    {
        c.fd = connectTo(opt.port);
        c.state = Conn::State::Connecting;
        c.in.assign(opt.mode == "idle" ? 4096 : std::max<size_t>(65536, opt.size + 64), 0);
        c.inHead = c.inTail = 0;
        c.out.clear();
        c.outHead = 0;
        c.sent = c.received = c.messageOffset = 0;
        c.sentAt.assign(size_t(std::max(opt.window, 1)), {});
        c.startedAt = Clock::now();
        c.watchingOut = false;
        epoll_event ev = {};
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.ptr = &c;
        epoll_ctl(epfd, EPOLL_CTL_ADD, c.fd, &ev);
        c.watchingOut = true;
    }
    void closeConn(Conn &c)
    {
        if (c.fd >= 0) {
            epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd, nullptr);
            ::close(c.fd);
        }
        c.fd = -1;
        c.state = Conn::State::Done;
    }
    // One write per loop turn: whatever the turn queued goes in one send().
    void flush(Conn &c)
    {
        while (c.outHead < c.out.size()) {
            const ssize_t n
                = ::send(c.fd, c.out.data() + c.outHead, c.out.size() - c.outHead, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EAGAIN)
                    break;
                die(std::string("send: ") + std::strerror(errno));
            }
            c.outHead += size_t(n);
            break;
        }
        if (c.outHead == c.out.size()) {
            c.out.clear();
            c.outHead = 0;
        } else if (c.outHead > c.out.size() / 2) {
            c.out.erase(c.out.begin(), c.out.begin() + long(c.outHead));
            c.outHead = 0;
        }
        const bool pending = !c.out.empty();
        if (pending != c.watchingOut)
            watch(c, pending);
    }
    // Reads what the socket has; false at EOF.
    bool fill(Conn &c, size_t need)
    {
        if (c.inHead == c.inTail)
            c.inHead = c.inTail = 0;
        if (c.in.size() - c.inTail < std::max<size_t>(need, 16384)) {
            std::memmove(c.in.data(), c.in.data() + c.inHead, c.inTail - c.inHead);
            c.inTail -= c.inHead;
            c.inHead = 0;
            if (c.in.size() - c.inTail < need)
                c.in.resize(c.inTail + need);
        }
        const ssize_t n = ::recv(c.fd, c.in.data() + c.inTail, c.in.size() - c.inTail, 0);
        if (n == 0)
            return false;
        if (n < 0) {
            if (errno == EAGAIN)
                return true;
            if (errno == ECONNRESET)
                return false;
            die(std::string("recv: ") + std::strerror(errno));
        }
        c.inTail += size_t(n);
        return true;
    }

    // --- the protocol ---
    void sendUpgrade(Conn &c)
    {
        unsigned char nonce[16];
        for (int i = 0; i < 16; i += 8) {
            const uint64_t r = rng.next();
            std::memcpy(nonce + i, &r, 8);
        }
        c.key = wire::base64(nonce, 16);
        const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(opt.port)
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + c.key
            + "\r\nSec-WebSocket-Version: 13\r\n"
            + (opt.deflate
                    ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                    : "")
            + "\r\n";
        c.out.insert(c.out.end(), request.begin(), request.end());
    }
    // Returns true once the 101 is in; dies on anything else.
    bool readUpgrade(Conn &c)
    {
        const char *begin = reinterpret_cast<const char *>(c.in.data() + c.inHead);
        const std::string_view head(begin, c.inTail - c.inHead);
        const size_t end = head.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            if (head.size() > 16384)
                die("upgrade response head over 16 KiB");
            return false;
        }
        const std::string_view response = head.substr(0, end + 2);
        if (response.substr(0, 12) != "HTTP/1.1 101")
            return refused(c, std::string(response.substr(0, response.find('\r'))));
        const std::string accept = "\r\nsec-websocket-accept: " + wire::acceptFor(c.key) + "\r\n";
        std::string lower(response);
        std::transform(lower.begin(), lower.end(), lower.begin(),
            [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch; });
        std::string acceptLower = accept;
        std::transform(acceptLower.begin(), acceptLower.end(), acceptLower.begin(),
            [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch; });
        if (lower.find(acceptLower) == std::string::npos)
            die("wrong or missing Sec-WebSocket-Accept");
        c.inHead += end + 4;
        c.state = Conn::State::Open;
        return true;
    }
    bool refused(Conn &c, const std::string &status)
    {
        if (opt.mode == "idle") {
            ++refusedCount;
            closeConn(c);
            return false;
        }
        die("upgrade refused: " + status);
    }
    void stamp(unsigned char *to, uint64_t seq) const
    {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < std::min<size_t>(8, opt.size); ++i)
            to[i] = static_cast<unsigned char>(hex[(seq >> (4 * i)) & 15]);
    }
    void queueMessage(Conn &c)
    {
        const uint32_t key = uint32_t(rng.next());
        const size_t at = c.out.size();
        c.out.resize(at + 14 + opt.size);
        unsigned char *p = c.out.data() + at;
        const size_t h = wire::writeHeader(p, opt.text ? 1 : 2, true, opt.size, true, key);
        unsigned char *payload = p + h;
        unsigned char head[8];
        stamp(head, c.sent);
        const size_t stamped = std::min<size_t>(8, opt.size);
        wire::copyMasked(payload, head, stamped, key, 0);
        wire::copyMasked(payload + stamped, tpl.data() + stamped, opt.size - stamped, key, stamped);
        c.out.resize(at + h + opt.size);
        c.sentAt[c.sent % c.sentAt.size()] = Clock::now();
        ++c.sent;
    }
    void queueClose(Conn &c)
    {
        unsigned char frame[8];
        const uint32_t key = uint32_t(rng.next());
        const size_t h = wire::writeHeader(frame, 8, true, 2, true, key);
        const unsigned char code[2] = {0x03, 0xe8}; // 1000
        wire::copyMasked(frame + h, code, 2, key, 0);
        c.out.insert(c.out.end(), frame, frame + h + 2);
    }
    // Checks the bytes of an echoed frame against what was sent at this message offset.
    void verify(Conn &c, const unsigned char *data, size_t size, uint64_t offset)
    {
        unsigned char head[8];
        stamp(head, c.received);
        const size_t stamped = std::min<size_t>(8, opt.size);
        size_t i = 0;
        for (; i < size && offset + i < stamped; ++i)
            if (data[i] != head[offset + i])
                die("echo mismatch in the sequence stamp");
        if (i < size && std::memcmp(data + i, tpl.data() + offset + i, size - i) != 0)
            die("echo mismatch in the payload");
    }
    // Consumes the complete frames in c.in; returns the messages completed.
    int parseFrames(Conn &c, size_t *need)
    {
        int completed = 0;
        *need = 0;
        while (c.inTail > c.inHead) {
            const unsigned char *p = c.in.data() + c.inHead;
            const size_t avail = c.inTail - c.inHead;
            const wire::Header h = wire::parseHeader(p, avail);
            if (h.headerSize == 0)
                return completed;
            if (h.length > (uint64_t(1) << 31))
                die("frame length out of range");
            if (avail < h.headerSize + h.length) {
                *need = h.headerSize + size_t(h.length);
                return completed;
            }
            const unsigned char *payload = p + h.headerSize;
            if (h.masked && !opt.raw)
                die("the server sent a masked frame (RFC 6455 §5.1)");
            if (h.opcode == 8) {
                if (c.state != Conn::State::Closing)
                    die("the server closed the connection with a close frame");
                c.inHead += h.headerSize + size_t(h.length);
                c.state = Conn::State::Done; // now wait for the server's FIN
                continue;
            }
            if (h.opcode >= 8) { // ping/pong: not expected from an echo, skip
                c.inHead += h.headerSize + size_t(h.length);
                continue;
            }
            if (h.masked) {
                scratch.resize(size_t(h.length));
                wire::copyMasked(scratch.data(), payload, size_t(h.length), h.maskKey, 0);
                payload = scratch.data();
            }
            if (c.messageOffset + h.length > opt.size)
                die("echoed message longer than sent");
            verify(c, payload, size_t(h.length), c.messageOffset);
            c.messageOffset += h.length;
            c.inHead += h.headerSize + size_t(h.length);
            if (h.fin) {
                if (c.messageOffset != opt.size)
                    die("echoed message shorter than sent");
                c.messageOffset = 0;
                const Clock::time_point now = Clock::now();
                if (measuring && rtts.size() < rtts.capacity())
                    rtts.push_back(
                        float(seconds(now - c.sentAt[c.received % c.sentAt.size()]) * 1e6));
                ++c.received;
                ++completed;
            }
        }
        return completed;
    }

    int runEcho();
    int runHandshake();
    int runIdle();
    int runFlood();
    void report(const std::string &fields, double wall, double serverCpu, double genCpu);

    Options opt;
    int epfd = -1;
    wire::Random rng;
    std::vector<unsigned char> tpl;
    std::vector<unsigned char> scratch;
    std::vector<float> rtts;
    bool measuring = false;
    int refusedCount = 0;
};

void Generator::report(const std::string &fields, double wall, double serverCpu, double genCpu)
{
    std::printf(
        "{\"mode\": \"%s\", \"seconds\": %.3f, \"server_cpu\": %.3f, \"gen_cpu\": %.3f%s}\n",
        opt.mode.c_str(), wall, wall > 0 ? serverCpu / wall : 0, wall > 0 ? genCpu / wall : 0,
        fields.c_str());
    std::fflush(stdout);
}

int Generator::runEcho()
{
    std::vector<Conn> conns(size_t(opt.conns));
    for (Conn &c : conns)
        open(c);
    rtts.reserve(20'000'000);
    const Clock::time_point begin = Clock::now();
    const Clock::time_point measureAt = begin
        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.warmup));
    const Clock::time_point endAt = measureAt
        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.duration));
    const Clock::time_point setupDeadline = begin + std::chrono::seconds(10);
    uint64_t counted = 0;
    double serverCpu0 = 0, genCpu0 = 0;
    bool started = false;
    Clock::time_point startedAt;
    std::vector<epoll_event> events(conns.size() + 1);
    for (;;) {
        const Clock::time_point now = Clock::now();
        if (!measuring && now >= measureAt
            && std::all_of(conns.begin(), conns.end(),
                [](const Conn &c) { return c.state == Conn::State::Open; })) {
            measuring = true;
            startedAt = now;
            started = true;
            serverCpu0 = processCpu(opt.serverPid);
            genCpu0 = selfCpu();
        }
        if (started && now >= startedAt + (endAt - measureAt))
            break;
        if (!started
            && now > setupDeadline
                    + std::chrono::duration_cast<Clock::duration>(
                        std::chrono::duration<double>(opt.warmup)))
            die("connections not open within 10 s");
        const int n = epoll_wait(epfd, events.data(), int(events.size()), 100);
        for (int i = 0; i < n; ++i) {
            Conn &c = *static_cast<Conn *>(events[i].data.ptr);
            if (c.state == Conn::State::Connecting && (events[i].events & (EPOLLOUT | EPOLLERR))) {
                int error = 0;
                socklen_t len = sizeof error;
                getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
                if (error != 0)
                    die(std::string("connect: ") + std::strerror(error));
                if (opt.raw) {
                    c.state = Conn::State::Open;
                } else {
                    c.state = Conn::State::Upgrading;
                    sendUpgrade(c);
                }
                if (c.state == Conn::State::Open)
                    for (int w = 0; w < opt.window; ++w)
                        queueMessage(c);
                flush(c);
                continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
                size_t need = 0;
                // Read until the socket is empty or one frame's worth is buffered.
                if (!fill(c, need))
                    die("the server closed the connection");
                if (c.state == Conn::State::Upgrading) {
                    if (!readUpgrade(c))
                        continue;
                    for (int w = 0; w < opt.window; ++w)
                        queueMessage(c);
                }
                const int done = parseFrames(c, &need);
                if (need > c.in.size() - c.inHead) {
                    // Make room for the whole frame before the next read.
                    std::memmove(c.in.data(), c.in.data() + c.inHead, c.inTail - c.inHead);
                    c.inTail -= c.inHead;
                    c.inHead = 0;
                    if (c.in.size() < need)
                        c.in.resize(need);
                }
                if (measuring)
                    counted += uint64_t(done);
                for (int k = 0; k < done; ++k)
                    queueMessage(c);
            }
            if (!c.out.empty() || (events[i].events & EPOLLOUT))
                flush(c);
        }
    }
    const double wall = seconds(Clock::now() - startedAt);
    const double serverCpu = processCpu(opt.serverPid) - serverCpu0;
    const double genCpu = selfCpu() - genCpu0;
    std::sort(rtts.begin(), rtts.end());
    auto pct = [this](double q) {
        return rtts.empty()
            ? 0.0
            : double(rtts[std::min(rtts.size() - 1, size_t(q * double(rtts.size())))]);
    };
    char fields[512];
    std::snprintf(fields, sizeof fields,
        ", \"conns\": %d, \"window\": %d, \"size\": %zu, \"messages\": %llu, \"msgs_per_s\": %.1f, "
        "\"mb_per_s\": %.2f, \"p50_us\": %.1f, \"p99_us\": %.1f",
        opt.conns, opt.window, opt.size, static_cast<unsigned long long>(counted),
        double(counted) / wall, double(counted) * double(opt.size) / wall / 1e6, pct(0.5),
        pct(0.99));
    report(fields, wall, serverCpu, genCpu);
    for (Conn &c : conns)
        closeConn(c);
    return counted > 0 ? 0 : 1;
}

// Connect, upgrade, close handshake, the server's FIN; `concurrency` at a time. Raw: connect,
// one byte echoed, close.
int Generator::runHandshake()
{
    std::vector<Conn> slots(size_t(opt.concurrency));
    const Clock::time_point begin = Clock::now();
    const auto warm
        = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.warmup));
    const auto span
        = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(opt.duration));
    for (Conn &c : slots)
        open(c);
    uint64_t counted = 0;
    double serverCpu0 = 0, genCpu0 = 0;
    Clock::time_point startedAt = begin + warm;
    std::vector<epoll_event> events(slots.size());
    auto finished = [&](Conn &c) {
        closeConn(c);
        if (measuring)
            ++counted;
        open(c);
    };
    for (;;) {
        const Clock::time_point now = Clock::now();
        if (!measuring && now >= begin + warm) {
            measuring = true;
            startedAt = now;
            serverCpu0 = processCpu(opt.serverPid);
            genCpu0 = selfCpu();
        }
        if (measuring && now >= startedAt + span)
            break;
        for (const Conn &c : slots)
            if (now - c.startedAt > std::chrono::seconds(5))
                die("a handshake took over 5 s");
        const int n = epoll_wait(epfd, events.data(), int(events.size()), 100);
        for (int i = 0; i < n; ++i) {
            Conn &c = *static_cast<Conn *>(events[i].data.ptr);
            if (c.state == Conn::State::Connecting) {
                if (!(events[i].events & (EPOLLOUT | EPOLLERR)))
                    continue;
                int error = 0;
                socklen_t len = sizeof error;
                getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
                if (error != 0)
                    die(std::string("connect: ") + std::strerror(error));
                if (opt.raw) {
                    c.out.push_back('x');
                    c.state = Conn::State::Open;
                } else {
                    sendUpgrade(c);
                    c.state = Conn::State::Upgrading;
                }
                flush(c);
                continue;
            }
            if (events[i].events & EPOLLOUT)
                flush(c);
            if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                continue;
            const bool open = fill(c, 0);
            if (opt.raw) {
                if (c.inTail > c.inHead)
                    finished(c);
                else if (!open)
                    die("the raw server closed before echoing");
                continue;
            }
            if (c.state == Conn::State::Upgrading && readUpgrade(c)) {
                queueClose(c);
                c.state = Conn::State::Closing;
                flush(c);
            }
            if (c.state == Conn::State::Closing) {
                size_t need = 0;
                parseFrames(c, &need); // the close frame moves it to Done
            }
            if (!open) {
                if (c.state != Conn::State::Done)
                    die("the server closed the TCP connection before the close handshake");
                finished(c);
            }
        }
    }
    const double wall = seconds(Clock::now() - startedAt);
    const double serverCpu = processCpu(opt.serverPid) - serverCpu0;
    const double genCpu = selfCpu() - genCpu0;
    char fields[256];
    std::snprintf(fields, sizeof fields,
        ", \"concurrency\": %d, \"handshakes\": %llu, \"handshakes_per_s\": %.1f", opt.concurrency,
        static_cast<unsigned long long>(counted), double(counted) / wall);
    report(fields, wall, serverCpu, genCpu);
    for (Conn &c : slots)
        closeConn(c);
    return counted > 0 ? 0 : 1;
}

// Opens `count` WebSockets (64 handshakes at a time) and keeps them idle; reports the server's
// RSS growth per connection, measured after a first batch of 64 warmed the server's pools.
int Generator::runIdle()
{
    if (opt.serverPid <= 0)
        die("idle needs --server-pid");
    constexpr int warmCount = 64;
    const int total = opt.count + warmCount;
    std::vector<Conn> conns(static_cast<size_t>(total));
    std::vector<epoll_event> events(256);
    long rss0 = 0;
    int opened = 0, upgraded = 0;
    const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60);
    auto pump = [&](int target) {
        while (upgraded + refusedCount < target) {
            while (opened < target && opened - upgraded - refusedCount < 64)
                open(conns[size_t(opened++)]);
            if (Clock::now() > deadline)
                die("connections not open within 60 s");
            const int n = epoll_wait(epfd, events.data(), int(events.size()), 100);
            for (int i = 0; i < n; ++i) {
                Conn &c = *static_cast<Conn *>(events[i].data.ptr);
                if (c.state == Conn::State::Connecting
                    && (events[i].events & (EPOLLOUT | EPOLLERR))) {
                    int error = 0;
                    socklen_t len = sizeof error;
                    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
                    if (error != 0)
                        die(std::string("connect: ") + std::strerror(error));
                    if (opt.raw) { // a plain TCP connection is open once connected
                        c.state = Conn::State::Open;
                        watch(c, false);
                        ++upgraded;
                        continue;
                    }
                    sendUpgrade(c);
                    c.state = Conn::State::Upgrading;
                    flush(c);
                    continue;
                }
                if (events[i].events & EPOLLOUT)
                    flush(c);
                if (!(events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                    continue;
                const bool open = fill(c, 0);
                if (c.state == Conn::State::Upgrading) {
                    if (readUpgrade(c)) {
                        ++upgraded;
                        continue;
                    }
                    if (c.state == Conn::State::Done)
                        continue; // refused (counted)
                }
                if (!open) {
                    if (c.state == Conn::State::Upgrading)
                        ++refusedCount;
                    closeConn(c);
                }
            }
        }
    };
    pump(warmCount);
    const int warmRefused = refusedCount;
    // Let the server settle (deferred deletes, timers) before the baseline.
    epoll_wait(epfd, events.data(), int(events.size()), 300);
    rss0 = rssKiB(opt.serverPid);
    const int upgradedBefore = upgraded;
    pump(total);
    epoll_wait(epfd, events.data(), int(events.size()), 500);
    const long rss1 = rssKiB(opt.serverPid);
    const int added = upgraded - upgradedBefore;
    char fields[256];
    std::snprintf(fields, sizeof fields,
        ", \"count\": %d, \"opened\": %d, \"refused\": %d, \"rss_before_kib\": %ld, "
        "\"rss_after_kib\": %ld, \"rss_per_conn_kib\": %.2f",
        opt.count, added, refusedCount - warmRefused, rss0, rss1,
        added > 0 ? double(rss1 - rss0) / added : 0.0);
    report(fields, 0, 0, 0);
    for (Conn &c : conns)
        closeConn(c);
    return added > 0 ? 0 : 1;
}

// A raw server for the client-receive mode: accepts one client, answers its upgrade and sends it
// unmasked binary frames of --size bytes as fast as the socket takes them, until the client
// leaves or warmup + duration + 10 s have passed. The client under test reports the rate.
int Generator::runFlood()
{
    const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_port = htons(uint16_t(opt.port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof address;
    if (bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || listen(listener, 4) != 0
        || getsockname(listener, reinterpret_cast<sockaddr *>(&address), &len) != 0)
        die(std::string("listen: ") + std::strerror(errno));
    std::printf("listening on %d\n", ntohs(address.sin_port));
    std::fflush(stdout);
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0)
        die("accept failed");
    ::close(listener);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval timeout = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0 || request.size() > 16384)
            die("no upgrade request from the client");
        request.append(buffer, size_t(n));
    }
    std::string lower = request;
    std::transform(lower.begin(), lower.end(), lower.begin(),
        [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch; });
    const size_t at = lower.find("\r\nsec-websocket-key:");
    if (at == std::string::npos)
        die("upgrade request without Sec-WebSocket-Key");
    size_t from = at + 20;
    while (request[from] == ' ')
        ++from;
    const std::string key = request.substr(from, request.find("\r\n", from) - from);
    const std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: "
        + wire::acceptFor(key) + "\r\n\r\n";
    if (send(fd, response.data(), response.size(), MSG_NOSIGNAL) != ssize_t(response.size()))
        die("cannot send the 101");
    // A block of whole frames, sent again and again.
    std::vector<unsigned char> block;
    while (block.size() < 65536) {
        unsigned char header[14];
        const size_t h = wire::writeHeader(header, 2, true, opt.size, false, 0);
        block.insert(block.end(), header, header + h);
        block.insert(block.end(), tpl.begin(), tpl.end());
    }
    const Clock::time_point endAt = Clock::now() + std::chrono::seconds(10)
        + std::chrono::duration_cast<Clock::duration>(
            std::chrono::duration<double>(opt.warmup + opt.duration));
    uint64_t sentBytes = 0;
    const Clock::time_point begin = Clock::now();
    timeval sendTimeout = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, sizeof sendTimeout);
    while (Clock::now() < endAt) {
        const ssize_t n = send(fd, block.data(), block.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN)
            continue;
        if (n <= 0)
            break; // the client left
        sentBytes += uint64_t(n);
        if (size_t(n) != block.size()) {
            // Finish the block so that the stream stays on a frame boundary.
            size_t done = size_t(n);
            while (done < block.size() && Clock::now() < endAt) {
                const ssize_t m = send(fd, block.data() + done, block.size() - done, MSG_NOSIGNAL);
                if (m <= 0 && errno != EAGAIN)
                    break;
                if (m > 0)
                    done += size_t(m);
            }
        }
    }
    ::close(fd);
    char fields[128];
    std::snprintf(fields, sizeof fields, ", \"sent_bytes\": %llu",
        static_cast<unsigned long long>(sentBytes));
    report(fields, seconds(Clock::now() - begin), 0, 0);
    return 0;
}

int Generator::run()
{
    if (opt.mode == "echo")
        return runEcho();
    if (opt.mode == "handshake")
        return runHandshake();
    if (opt.mode == "idle")
        return runIdle();
    if (opt.mode == "flood")
        return runFlood();
    die("unknown mode " + opt.mode);
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(
            stderr, "usage: ws_loadgen echo|handshake|idle|flood [options] (see source)\n");
        return 2;
    }
    Options opt;
    opt.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                die("missing value for " + arg);
            return argv[++i];
        };
        if (arg == "--port" || arg == "--listen-port")
            opt.port = std::stoi(value());
        else if (arg == "--conns")
            opt.conns = std::stoi(value());
        else if (arg == "--window")
            opt.window = std::stoi(value());
        else if (arg == "--size")
            opt.size = std::stoul(value());
        else if (arg == "--concurrency")
            opt.concurrency = std::stoi(value());
        else if (arg == "--count")
            opt.count = std::stoi(value());
        else if (arg == "--server-pid")
            opt.serverPid = std::stoi(value());
        else if (arg == "--warmup")
            opt.warmup = std::stod(value());
        else if (arg == "--duration")
            opt.duration = std::stod(value());
        else if (arg == "--raw")
            opt.raw = true;
        else if (arg == "--deflate")
            opt.deflate = true;
        else if (arg == "--text")
            opt.text = true;
        else
            die("unknown option " + arg);
    }
    if (opt.conns < 1 || opt.conns > 10000 || opt.window < 1 || opt.window > 4096 || opt.size < 1
        || opt.size > (size_t(1) << 30) || opt.duration <= 0 || opt.duration > 600
        || opt.concurrency < 1 || opt.concurrency > 1024 || opt.count < 1 || opt.count > 100000)
        die("option out of range");
    raiseFdLimit();
    Generator generator(opt);
    return generator.run();
}
