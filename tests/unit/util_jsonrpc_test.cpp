// JSON-RPC messages as OVS reads and writes them, and connections and
// sessions running on a real loop over real sockets.
#include <doctest/doctest.h>

#include "util/jsonrpc.h"
#include "util/vlog.h"
#include "util_test_support.h"

using namespace xvs;
using namespace std::chrono_literals;
using xvs::test::RawPeer;
using xvs::test::run_until;
using xvs::test::TempDir;

namespace {

std::string error_of(const std::string& text) {
    auto r = JsonRpcMessage::from_json(Json::parse(text));
    REQUIRE_FALSE(r.ok());
    return r.message();
}

struct Quiet {
    Quiet() {
        vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
        vlog_set_levels(nullptr, LogDestination::Syslog, LogLevel::Off);
    }
};

// A connection under test on one end of a socket pair, raw bytes on the other.
struct RawPair {
    PollLoop loop;
    std::unique_ptr<JsonRpcConnection> conn;
    RawPeer peer;
    std::vector<JsonRpcMessage> received;
    std::optional<std::string> closed;

    explicit RawPair(JsonRpcConnection::Options opts = {}) {
        auto [a, b] = xvs::test::socket_pair();
        peer.fd = std::move(b);
        conn = std::make_unique<JsonRpcConnection>(
            loop, std::make_unique<Stream>(std::move(a), "pair", Stream::State::Connected), opts);
        conn->on_message([this](JsonRpcMessage&& m) { received.push_back(std::move(m)); });
        conn->on_close([this](const std::string& why) { closed = why; });
    }
    void run_until_closed() {
        run_until(loop, [&] {
            peer.poll_input();
            return closed.has_value() && peer.eof;
        });
    }
};

}  // namespace

TEST_CASE("message: the wire forms OVS writes") {
    CHECK(JsonRpcMessage::request("echo", Json::array({1}), 7).serialize() ==
          R"({"id":7,"method":"echo","params":[1]})");
    CHECK(JsonRpcMessage::notify("update", Json::array()).serialize() ==
          R"({"id":null,"method":"update","params":[]})");
    CHECK(JsonRpcMessage::reply("ok\n", 7).serialize() == R"({"error":null,"id":7,"result":"ok\n"})");
    CHECK(JsonRpcMessage::error_reply("bad", "x").serialize() == R"({"error":"bad","id":"x","result":null})");
    // Invalid UTF-8 is replaced, never thrown.
    CHECK(JsonRpcMessage::reply(std::string("a\xff"), 1).serialize() ==
          "{\"error\":null,\"id\":1,\"result\":\"a\xef\xbf\xbd\"}");
}

TEST_CASE("message: reading, with OVS's rules and texts") {
    auto req = JsonRpcMessage::from_json(Json::parse(R"({"method":"m","params":["a"],"id":0})"));
    REQUIRE(req.ok());
    CHECK(req->type == JsonRpcMessage::Type::Request);
    CHECK(req->method == "m");
    CHECK(req->id == 0);

    auto note = JsonRpcMessage::from_json(Json::parse(R"({"method":"m","params":[],"id":null})"));
    REQUIRE(note.ok());
    CHECK(note->type == JsonRpcMessage::Type::Notify);

    auto rep = JsonRpcMessage::from_json(Json::parse(R"({"result":{"a":1},"error":null,"id":"x"})"));
    REQUIRE(rep.ok());
    CHECK(rep->type == JsonRpcMessage::Type::Reply);

    auto err = JsonRpcMessage::from_json(Json::parse(R"({"result":null,"error":"no","id":3})"));
    REQUIRE(err.ok());
    CHECK(err->type == JsonRpcMessage::Type::Error);

    CHECK(error_of("[1]") == "message is not a JSON object");
    CHECK(error_of(R"({"method":1,"params":[],"id":1})") == "method is not a JSON string");
    CHECK(error_of(R"({"method":"m","params":[],"id":1,"extra":2})") == "message has unexpected member \"extra\"");
    CHECK(error_of(R"({"method":"m","params":{},"id":1})") == "\"params\" must be JSON array");
    CHECK(error_of(R"({"method":"m","id":1})") == "request must have \"params\"");
    CHECK(error_of(R"({"params":[],"id":1})") == "request must have \"method\"");
    CHECK(error_of(R"({"result":1})") == "reply must have \"id\"");
    CHECK(error_of(R"({"result":1,"error":2,"id":1})") == "reply must not have \"error\"");
    CHECK(error_of(R"({"method":"m","result":1,"id":1})") == "reply must not have \"method\"");
    CHECK(error_of(R"({"result":null,"error":null,"id":null})") == "notification must have \"method\"");
}

TEST_CASE("connection: messages split at every byte arrive whole, back-to-back ones all arrive") {
    Quiet q;
    RawPair p;
    std::string a = R"({"method":"one","params":["x\"}"],"id":1})";
    std::string b = R"({"method":"two","params":[],"id":null})";
    for (char c : a) {
        xvs::test::write_raw(p.peer.fd.get(), std::string(1, c));
        p.loop.run_once(0ms);
    }
    xvs::test::write_raw(p.peer.fd.get(), b + a);
    run_until(p.loop, [&] { return p.received.size() == 3; });
    REQUIRE(p.received.size() == 3);
    CHECK(p.received[0].method == "one");
    CHECK(p.received[0].params == Json::array({"x\"}"}));
    CHECK(p.received[1].type == JsonRpcMessage::Type::Notify);
    CHECK(p.received[2].id == 1);
    CHECK_FALSE(p.closed);
}

TEST_CASE("connection: replies find their request by id, in any order") {
    Quiet q;
    RawPair p;
    std::vector<std::string> results;
    REQUIRE(p.conn
                ->transact("a", Json::array(),
                           [&](Result<JsonRpcMessage> r) {
                               REQUIRE(r.ok());
                               results.push_back("a:" + r->result.get<std::string>());
                           })
                .ok());
    REQUIRE(p.conn
                ->transact("b", Json::array(),
                           [&](Result<JsonRpcMessage> r) {
                               REQUIRE(r.ok());
                               CHECK(r->type == JsonRpcMessage::Type::Error);
                               results.push_back("b:" + r->error.get<std::string>());
                           })
                .ok());
    run_until(p.loop, [&] {
        p.peer.poll_input();
        return p.peer.values.size() == 2;
    });
    REQUIRE(p.peer.values.size() == 2);
    Json id_a = p.peer.values[0]["id"], id_b = p.peer.values[1]["id"];
    CHECK(id_a != id_b);
    xvs::test::write_raw(p.peer.fd.get(), JsonRpcMessage::error_reply("nope", id_b).serialize() +
                                              JsonRpcMessage::reply("yes", 999).serialize() +
                                              JsonRpcMessage::reply("yes", id_a).serialize());
    run_until(p.loop, [&] { return results.size() == 2; });
    CHECK(results == std::vector<std::string>{"b:nope", "a:yes"});
    // The reply nobody asked for goes to the message handler.
    REQUIRE(p.received.size() == 1);
    CHECK(p.received[0].id == 999);
}

TEST_CASE("connection: echo requests are answered, not delivered") {
    Quiet q;
    RawPair p;
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"echo","params":[1,"x"],"id":"e1"})");
    run_until(p.loop, [&] {
        p.peer.poll_input();
        return !p.peer.values.empty();
    });
    REQUIRE(p.peer.values.size() == 1);
    CHECK(p.peer.values[0] == Json::parse(R"({"result":[1,"x"],"error":null,"id":"e1"})"));
    CHECK(p.received.empty());
}

TEST_CASE("connection: malformed JSON gets an error reply, then the connection closes") {
    Quiet q;
    RawPair p;
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"ok","params":[],"id":1} {"method": tru})");
    p.run_until_closed();
    REQUIRE(p.closed);
    CHECK(p.closed->find("pair: syntax error: ") == 0);
    REQUIRE(p.received.size() == 1);  // the good message before the bad one
    REQUIRE(p.peer.values.size() == 1);
    const Json& e = p.peer.values[0];
    CHECK(e["id"].is_null());
    CHECK(e["result"].is_null());
    CHECK(e["error"]["error"] == "syntax error");
    CHECK(p.peer.eof);
}

TEST_CASE("connection: garbage between messages") {
    Quiet q;
    RawPair p;
    xvs::test::write_raw(p.peer.fd.get(), "hello");
    p.run_until_closed();
    REQUIRE(p.closed);
    CHECK(p.closed->find("syntax error at beginning of input") != std::string::npos);
}

TEST_CASE("connection: a bad JSON-RPC message is answered under its own id") {
    Quiet q;
    RawPair p;
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"m","params":{"not":"array"},"id":42})");
    p.run_until_closed();
    REQUIRE(p.peer.values.size() == 1);
    CHECK(p.peer.values[0]["id"] == 42);
    CHECK(p.peer.values[0]["error"]["error"] == "invalid JSON-RPC message");
    CHECK(p.peer.values[0]["error"]["details"] == "\"params\" must be JSON array");
    CHECK(p.received.empty());
}

TEST_CASE("connection: an oversized message is refused") {
    Quiet q;
    JsonRpcConnection::Options o;
    o.max_message_bytes = 100;
    RawPair p(o);
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"m","params":[")" + std::string(200, 'x'));
    p.run_until_closed();
    REQUIRE(p.peer.values.size() == 1);
    CHECK(p.peer.values[0]["error"]["error"] == "message too long");
    CHECK(p.closed->find("message longer than 100 bytes") != std::string::npos);
    CHECK(p.received.empty());
}

TEST_CASE("connection: inactivity probe, then disconnection without an answer") {
    Quiet q;
    JsonRpcConnection::Options o;
    o.probe_interval = 50ms;
    RawPair p(o);
    auto start = PollLoop::Clock::now();
    run_until(p.loop, [&] {
        p.peer.poll_input();
        return !p.peer.values.empty();
    });
    REQUIRE(p.peer.values.size() == 1);
    CHECK(p.peer.values[0] == Json::parse(R"({"method":"echo","params":[],"id":"echo"})"));
    CHECK(PollLoop::Clock::now() - start >= 50ms);
    CHECK_FALSE(p.closed);
    p.run_until_closed();
    REQUIRE(p.closed);
    CHECK(*p.closed == "pair: no response to inactivity probe after 0.05 seconds, disconnecting");
}

TEST_CASE("connection: a peer that answers probes stays connected") {
    Quiet q;
    PollLoop loop;
    auto [a, b] = xvs::test::socket_pair();
    JsonRpcConnection::Options o;
    o.probe_interval = 30ms;
    JsonRpcConnection left(loop, std::make_unique<Stream>(std::move(a), "left", Stream::State::Connected), o);
    JsonRpcConnection right(loop, std::make_unique<Stream>(std::move(b), "right", Stream::State::Connected), {});
    int closes = 0, messages = 0;
    left.on_close([&](const std::string& why) {
        MESSAGE(why);
        closes++;
    });
    left.on_message([&](JsonRpcMessage&&) { messages++; });
    auto end = PollLoop::Clock::now() + 300ms;
    while (PollLoop::Clock::now() < end) loop.run_once(10ms);
    CHECK(closes == 0);
    CHECK(messages == 0);  // the echo replies were swallowed
    CHECK(left.is_connected());
}

TEST_CASE("connection: paused receiving holds messages until resumed") {
    Quiet q;
    RawPair p;
    p.conn->on_message([&](JsonRpcMessage&& m) {
        p.received.push_back(std::move(m));
        p.conn->set_receiving(false);
    });
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"a","params":[],"id":1}{"method":"b","params":[],"id":2})");
    run_until(p.loop, [&] { return !p.received.empty(); });
    for (int i = 0; i < 5; i++) p.loop.run_once(5ms);
    CHECK(p.received.size() == 1);
    p.conn->set_receiving(true);
    run_until(p.loop, [&] { return p.received.size() == 2; });
    CHECK(p.received.size() == 2);
}

TEST_CASE("connection: a send backlog beyond the limit drops the connection") {
    Quiet q;
    JsonRpcConnection::Options o;
    o.max_backlog_bytes = 256 * 1024;
    RawPair p(o);
    Status st;
    std::string big(64 * 1024, 'y');
    int sent = 0;
    while (st.ok() && sent < 1000) {
        st = p.conn->send(JsonRpcMessage::notify("n", Json::array({big})));
        sent++;
    }
    REQUIRE_FALSE(st.ok());
    CHECK(st.message().find("sending backlog exceeded maximum size") != std::string::npos);
    run_until(p.loop, [&] { return p.closed.has_value(); });
    CHECK(p.closed);
    CHECK_FALSE(p.conn->is_open());
}

TEST_CASE("connection: pending transactions fail when the peer goes away") {
    Quiet q;
    RawPair p;
    std::optional<std::string> failure;
    REQUIRE(p.conn
                ->transact("x", Json::array(),
                           [&](Result<JsonRpcMessage> r) {
                               REQUIRE_FALSE(r.ok());
                               failure = r.message();
                           })
                .ok());
    // Read the request first: closing with unread data would be a reset.
    run_until(p.loop, [&] {
        p.peer.poll_input();
        return !p.peer.values.empty();
    });
    p.peer.fd.reset();
    run_until(p.loop, [&] { return p.closed.has_value(); });
    REQUIRE(failure);
    CHECK(*failure == "pair: connection closed by peer");
    CHECK(*p.closed == "pair: connection closed by peer");
}

TEST_CASE("connection: a handler may destroy its connection") {
    Quiet q;
    RawPair p;
    p.conn->on_message([&](JsonRpcMessage&& m) {
        p.received.push_back(std::move(m));
        p.conn.reset();
    });
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"a","params":[],"id":1}{"method":"b","params":[],"id":2})");
    run_until(p.loop, [&] { return !p.received.empty(); });
    p.loop.run_once(5ms);
    CHECK(p.received.size() == 1);
    CHECK_FALSE(p.conn);
}

TEST_CASE("session over tcp: connects, transacts, reconnects after the server drops it") {
    Quiet q;
    PollLoop loop;
    auto listener = Listener::open("ptcp:0:127.0.0.1");
    REQUIRE(listener.ok());
    std::vector<std::unique_ptr<JsonRpcConnection>> server_conns;
    auto accept_watch = loop.watch_fd((*listener)->fd(), POLLIN, [&](short) {
        auto s = (*listener)->accept();
        REQUIRE(s.ok());
        if (!*s) return;
        auto c = std::make_unique<JsonRpcConnection>(loop, std::move(*s), JsonRpcConnection::Options{});
        auto* raw = c.get();
        c->on_message([raw](JsonRpcMessage&& m) {
            (void)raw->send(JsonRpcMessage::reply(Json::array({m.method, m.params}), m.id));
        });
        server_conns.push_back(std::move(c));
    });

    JsonRpcSession::Options so;
    so.min_backoff = 20ms;
    so.max_backoff = 80ms;
    auto session = JsonRpcSession::create(loop, fmt::format("tcp:127.0.0.1:{}", (*listener)->port()), so);
    REQUIRE(session.ok());
    auto& s = **session;
    int connects = 0, disconnects = 0;
    s.on_connected([&] { connects++; });
    s.on_disconnected([&](const std::string&) { disconnects++; });
    CHECK_FALSE(s.send(JsonRpcMessage::notify("early", Json::array())).ok());  // not connected yet

    REQUIRE(run_until(loop, [&] { return s.is_connected() && connects == 1; }));
    unsigned seq = s.seqno();
    std::optional<Json> answer;
    REQUIRE(s.transact("sum", Json::array({1, 2}), [&](Result<JsonRpcMessage> r) {
                 REQUIRE(r.ok());
                 answer = r->result;
             }).ok());
    REQUIRE(run_until(loop, [&] { return answer.has_value(); }));
    CHECK(*answer == Json::parse(R"(["sum",[1,2]])"));

    server_conns.clear();  // the server drops the client
    REQUIRE(run_until(loop, [&] { return disconnects == 1; }));
    CHECK(s.seqno() != seq);
    REQUIRE(run_until(loop, [&] { return connects == 2 && s.is_connected(); }));
    CHECK(s.seqno() != seq);
}

TEST_CASE("session: failed attempts back off, doubling to the maximum") {
    Quiet q;
    PollLoop loop;
    TempDir dir;
    JsonRpcSession::Options so;
    so.min_backoff = 10ms;
    so.max_backoff = 40ms;
    auto session = JsonRpcSession::create(loop, "unix:" + dir.file("nobody.sock"), so);
    REQUIRE(session.ok());
    auto& s = **session;
    CHECK(s.backoff() == 10ms);
    std::vector<std::chrono::milliseconds> seen{s.backoff()};
    run_until(loop, [&] {
        if (s.backoff() != seen.back()) seen.push_back(s.backoff());
        return seen.size() == 3;
    });
    CHECK(seen == std::vector<std::chrono::milliseconds>{10ms, 20ms, 40ms});
    CHECK(s.last_error().find("No such file or directory") != std::string::npos);
    for (int i = 0; i < 10; i++) loop.run_once(10ms);
    CHECK(s.backoff() == 40ms);
    CHECK_FALSE(s.is_connected());

    // The server appears: the next attempt gets through.
    auto l = Listener::open("punix:" + dir.file("nobody.sock"));
    REQUIRE(l.ok());
    std::unique_ptr<Stream> accepted;
    auto w = loop.watch_fd((*l)->fd(), POLLIN, [&](short) { accepted = (*l)->accept().value(); });
    CHECK(run_until(loop, [&] { return s.is_connected() && accepted; }));

    auto passive = JsonRpcSession::create(loop, "punix:/tmp/x", so);
    REQUIRE_FALSE(passive.ok());
    CHECK(passive.message() == "punix:/tmp/x: a client session needs an active connection method");
}

TEST_CASE("connection: deep nesting is parsed up to the limit and refused beyond it") {
    Quiet q;
    RawPair p;
    size_t depth = JsonFramer::kMaxDepth - 1;  // the message object is one level too
    std::string nested = std::string(depth, '[') + std::string(depth, ']');
    xvs::test::write_raw(p.peer.fd.get(), R"({"method":"deep","params":)" + nested + R"(,"id":1})");
    run_until(p.loop, [&] { return !p.received.empty(); });
    REQUIRE(p.received.size() == 1);
    CHECK(p.received[0].method == "deep");
    CHECK_FALSE(p.closed);

    xvs::test::write_raw(p.peer.fd.get(),
                         R"({"method":"deeper","params":)" + std::string(depth + 1, '['));  // one too many
    p.run_until_closed();
    CHECK(p.closed->find("input exceeds maximum nesting depth 1000") != std::string::npos);
    CHECK(p.received.size() == 1);
}
