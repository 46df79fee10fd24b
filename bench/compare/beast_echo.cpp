// Copyright (c) 2026 the qtws authors. SPDX-License-Identifier: MIT
//
// beast_echo: the idiomatic Boost.Beast asynchronous WebSocket echo server (one io_context on one
// thread), as a Beast user would write it, for bench/compare.
//   beast_echo [--port P]    prints "listening on PORT"; runs until SIGTERM/SIGINT

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/resource.h>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session>
{
public:
    explicit Session(tcp::socket socket) : ws(std::move(socket)) { }

    void start()
    {
        ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
        // The comparison sends up to 1 MiB messages; Beast's default limit is 16 MiB.
        ws.read_message_max(64 * 1024 * 1024);
        ws.async_accept([self = shared_from_this()](beast::error_code ec) {
            if (!ec)
                self->read();
        });
    }

private:
    void read()
    {
        ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec)
                return;
            self->ws.text(self->ws.got_text());
            self->ws.async_write(
                self->buffer.data(), [self](beast::error_code writeError, std::size_t) {
                    if (writeError)
                        return;
                    self->buffer.consume(self->buffer.size());
                    self->read();
                });
        });
    }

    websocket::stream<beast::tcp_stream> ws;
    beast::flat_buffer buffer;
};

void accept(tcp::acceptor &acceptor)
{
    acceptor.async_accept([&acceptor](beast::error_code ec, tcp::socket socket) {
        if (!ec) {
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Session>(std::move(socket))->start();
        }
        accept(acceptor);
    });
}

} // namespace

int main(int argc, char **argv)
{
    unsigned short port = 0;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--port") == 0)
            port = static_cast<unsigned short>(std::atoi(argv[++i]));
    rlimit limit = {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    asio::io_context io(1);
    tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    acceptor.listen(1024);
    std::printf("listening on %u\n", unsigned(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&io](beast::error_code, int) { io.stop(); });
    accept(acceptor);
    io.run();
    return 0;
}
