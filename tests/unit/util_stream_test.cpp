// Connection-method parsing and live unix/tcp streams (port 0 on 127.0.0.1,
// sockets in private temporary directories).
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <fstream>

#include "util/stream.h"
#include "util_test_support.h"

using namespace xvs;
using xvs::test::TempDir;

namespace {

std::string error_of(std::string_view spec, StreamSpecDefaults d = {}) {
    auto r = parse_stream_spec(spec, d);
    REQUIRE_FALSE(r.ok());
    return r.message();
}

uint16_t port_of(const StreamSpec& s) {
    return s.addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&s.addr)->sin6_port)
                                        : ntohs(reinterpret_cast<const sockaddr_in*>(&s.addr)->sin_port);
}

// Accepts one connection, running the loop until it arrives.
std::unique_ptr<Stream> accept_one(PollLoop& loop, Listener& l) {
    std::unique_ptr<Stream> s;
    auto w = loop.watch_fd(l.fd(), POLLIN, [&](short) {
        auto r = l.accept();
        REQUIRE(r.ok());
        if (*r) s = std::move(*r);
    });
    xvs::test::run_until(loop, [&] { return s != nullptr; });
    return s;
}

// Runs the loop until `s` is connected (or failed).
void finish_connect(PollLoop& loop, Stream& s) {
    auto w = loop.watch_fd(s.fd(), POLLOUT, [&](short) { s.poll_connect(); });
    xvs::test::run_until(loop, [&] { return s.state() != Stream::State::Connecting; });
}

}  // namespace

TEST_CASE("spec: unix and punix") {
    auto a = parse_stream_spec("unix:/run/xvs/db.sock");
    REQUIRE(a.ok());
    CHECK(a->kind == StreamSpec::Kind::Unix);
    CHECK_FALSE(a->passive);
    CHECK(a->path == "/run/xvs/db.sock");
    CHECK(a->text == "unix:/run/xvs/db.sock");

    auto p = parse_stream_spec("punix:db.sock", {std::nullopt, "/run/xvs"});
    REQUIRE(p.ok());
    CHECK(p->passive);
    CHECK(p->path == "/run/xvs/db.sock");  // relative to the rundir, as in OVS

    auto cwd = parse_stream_spec("unix:db.sock");
    REQUIRE(cwd.ok());
    CHECK(cwd->path == "db.sock");

    CHECK(error_of("unix:") == "\"unix:\": missing socket file name");
}

TEST_CASE("spec: tcp and ptcp") {
    auto a = parse_stream_spec("tcp:127.0.0.1:6640");
    REQUIRE(a.ok());
    CHECK(a->kind == StreamSpec::Kind::Tcp);
    CHECK(format_sockaddr(a->addr) == "127.0.0.1:6640");

    auto v6 = parse_stream_spec("tcp:[::1]:6653");
    REQUIRE(v6.ok());
    CHECK(v6->addr.ss_family == AF_INET6);
    CHECK(format_sockaddr(v6->addr) == "[::1]:6653");

    auto def = parse_stream_spec("tcp:192.0.2.7", {6640, ""});
    REQUIRE(def.ok());
    CHECK(format_sockaddr(def->addr) == "192.0.2.7:6640");

    auto p0 = parse_stream_spec("ptcp:0:127.0.0.1");
    REQUIRE(p0.ok());
    CHECK(p0->passive);
    CHECK(format_sockaddr(p0->addr) == "127.0.0.1:0");

    auto any = parse_stream_spec("ptcp:6640");
    REQUIRE(any.ok());
    CHECK(format_sockaddr(any->addr) == "0.0.0.0:6640");

    auto p6 = parse_stream_spec("ptcp:6653:[::1]");
    REQUIRE(p6.ok());
    CHECK(format_sockaddr(p6->addr) == "[::1]:6653");
    CHECK(port_of(*p6) == 6653);

    auto pdef = parse_stream_spec("ptcp:", {6653, ""});
    REQUIRE(pdef.ok());
    CHECK(port_of(*pdef) == 6653);
}

TEST_CASE("spec: errors name the spec and the problem") {
    CHECK(error_of("tcp:1.2.3.4") == "tcp:1.2.3.4: port must be specified");
    CHECK(error_of("ptcp:") == "ptcp:: port must be specified");
    CHECK(error_of("tcp:1.2.3.4:99999") == "tcp:1.2.3.4:99999: bad port number \"99999\"");
    CHECK(error_of("tcp:1.2.3.4:6x") == "tcp:1.2.3.4:6x: bad port number \"6x\"");
    CHECK(error_of("tcp:1.2.3.4:0") == "tcp:1.2.3.4:0: port 0 cannot be connected to");
    CHECK(error_of("tcp::6640") == "tcp::6640: host must be specified");
    CHECK(error_of("tcp:switch.example:6640") ==
          "tcp:switch.example:6640: bad IP address \"switch.example\" (host names are not supported)");
    CHECK(error_of("tcp:[fe80::1%nosuchdev0]:6640") == "tcp:[fe80::1%nosuchdev0]:6640: bad IPv6 scope \"nosuchdev0\"");
    CHECK(error_of("tcp:[::g]:1") == "tcp:[::g]:1: bad IPv6 address \"::g\"");
    CHECK(error_of("ssl:1.2.3.4:6640").find("SSL connections are not supported") != std::string::npos);
    CHECK(error_of("pssl:6640").find("\"pssl:6640\": SSL connections are not supported") == 0);
    CHECK(error_of("db.sock").find("\"db.sock\": not a connection method") == 0);
    CHECK(error_of("udp:1.2.3.4:5").find("\"udp:1.2.3.4:5\": unknown connection method \"udp\"") == 0);
}

TEST_CASE("tcp: port 0 binds an ephemeral port; connect, exchange, close") {
    PollLoop loop;
    auto l = Listener::open("ptcp:0:127.0.0.1");
    REQUIRE(l.ok());
    uint16_t port = (*l)->port();
    CHECK(port != 0);

    auto c = Stream::open(fmt::format("tcp:127.0.0.1:{}", port));
    REQUIRE(c.ok());
    auto server = accept_one(loop, **l);
    REQUIRE(server);
    CHECK(server->name().rfind("tcp:127.0.0.1:", 0) == 0);  // named by the peer's address
    finish_connect(loop, **c);
    REQUIRE((*c)->state() == Stream::State::Connected);

    (*c)->send("hello");
    std::string got;
    xvs::test::run_until(loop, [&] {
        server->recv(got, 100);
        return got == "hello";
    });
    CHECK(got == "hello");

    c->reset();  // closes the client
    got.clear();
    xvs::test::run_until(loop, [&] {
        server->recv(got, 100);
        return server->state() == Stream::State::Closed;
    });
    CHECK(server->closed_by_peer());
    CHECK(server->error().find("connection closed by peer") != std::string::npos);
}

TEST_CASE("tcp: a refused connection is an error naming the spec") {
    // A port that was just free: bind one, note it, close it.
    uint16_t port;
    {
        auto l = Listener::open("ptcp:0:127.0.0.1");
        REQUIRE(l.ok());
        port = (*l)->port();
    }
    PollLoop loop;
    std::string spec = fmt::format("tcp:127.0.0.1:{}", port);
    auto c = Stream::open(spec);
    if (c.ok()) {
        finish_connect(loop, **c);
        CHECK((*c)->state() == Stream::State::Closed);
        CHECK((*c)->error() == spec + ": connection failed (Connection refused)");
    } else {
        CHECK(c.message() == spec + ": connection failed (Connection refused)");
    }
}

TEST_CASE("stream: writes the socket does not take are queued (backpressure), then drain") {
    auto [a, b] = xvs::test::socket_pair();
    Stream s(std::move(a), "pair", Stream::State::Connected);
    std::string chunk(64 * 1024, 'x');
    size_t sent = 0;
    for (int i = 0; i < 64 && s.backlog() == 0; i++) {
        s.send(chunk);
        sent += chunk.size();
    }
    REQUIRE(s.backlog() > 0);  // the peer is not reading
    CHECK(s.wanted_events(false) == POLLOUT);
    CHECK(s.wanted_events(true) == (POLLIN | POLLOUT));

    size_t received = 0;
    for (int i = 0; i < 10000 && received < sent; i++) {
        received += xvs::test::read_raw(b.get()).size();
        s.flush();
    }
    CHECK(received == sent);
    CHECK(s.backlog() == 0);
    CHECK(s.state() == Stream::State::Connected);
}

TEST_CASE("stream: a write to a closed peer closes the stream with an error, not SIGPIPE") {
    auto [a, b] = xvs::test::socket_pair();
    Stream s(std::move(a), "pair", Stream::State::Connected);
    b.reset();
    s.send("data");
    CHECK(s.state() == Stream::State::Closed);
    CHECK(s.error() == "pair: send error (Broken pipe)");
}

TEST_CASE("unix: listen, connect, and the socket file goes away with the listener") {
    TempDir dir;
    PollLoop loop;
    std::string path = dir.file("s.sock");
    {
        auto l = Listener::open("punix:" + path);
        REQUIRE(l.ok());
        CHECK((*l)->path() == path);
        auto c = Stream::open("unix:" + path);
        REQUIRE(c.ok());
        auto server = accept_one(loop, **l);
        REQUIRE(server);
        CHECK(server->name().rfind("unix#", 0) == 0);
        server->send("pong");
        std::string got;
        xvs::test::run_until(loop, [&] {
            (*c)->recv(got, 10);
            return got == "pong";
        });
        CHECK(got == "pong");
    }
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) != 0);

    auto missing = Stream::open("unix:" + path);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.message() == "unix:" + path + ": connection failed (No such file or directory)");
}

TEST_CASE("unix: a stale socket file is replaced, a regular file is not") {
    TempDir dir;
    std::string path = dir.file("s.sock");
    {
        // Leave a socket file behind, as a crashed process would.
        auto l = Listener::open("punix:" + path);
        REQUIRE(l.ok());
        auto again = Listener::open("punix:" + path);
        CHECK(again.ok());
    }
    std::ofstream(dir.file("plain")) << "x";
    auto bad = Listener::open("punix:" + dir.file("plain"));
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.message().find("exists and is not a socket") != std::string::npos);
}

TEST_CASE("unix: paths longer than sun_path work") {
    TempDir dir;
    std::string deep = dir.path();
    while (deep.size() < 150) {
        deep += "/a-rather-long-directory-name";
        std::filesystem::create_directory(deep);
    }
    std::string path = deep + "/control.sock";
    REQUIRE(path.size() > 108);
    PollLoop loop;
    auto l = Listener::open("punix:" + path);
    REQUIRE(l.ok());
    struct stat st {};
    CHECK(::stat(path.c_str(), &st) == 0);
    auto c = Stream::open("unix:" + path);
    REQUIRE(c.ok());
    CHECK(accept_one(loop, **l) != nullptr);
}

TEST_CASE("stream: active and passive specs are not interchangeable") {
    auto a = Stream::open("punix:/tmp/x");
    REQUIRE_FALSE(a.ok());
    CHECK(a.message().find("passive connection method cannot be connected to") != std::string::npos);
    auto l = Listener::open("tcp:127.0.0.1:1");
    REQUIRE_FALSE(l.ok());
    CHECK(l.message().find("active connection method cannot listen") != std::string::npos);
}
