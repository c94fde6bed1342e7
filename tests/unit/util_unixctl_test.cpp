// The unixctl server (on its own thread and loop, as in a daemon) driven by
// the client function xvs-appctl uses, and by raw JSON on the socket.
#include <doctest/doctest.h>
#include <sys/un.h>

#include <future>
#include <thread>

#include "util/unixctl.h"
#include "util/vlog.h"
#include "util_test_support.h"

using namespace xvs;
using namespace std::chrono_literals;
using xvs::test::TempDir;

namespace {

VlogModule module("test_unixctl");

struct Server {
    TempDir dir;
    std::string path = dir.file("ctl");
    PollLoop loop;
    std::unique_ptr<UnixctlServer> server;
    std::vector<UnixctlReply> held;  // touched only on the loop's thread
    std::atomic<int> exits{0};
    std::thread thread;

    Server() {
        vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
        vlog_set_levels(nullptr, LogDestination::Syslog, LogLevel::Off);
        UnixctlServer::Options o;
        o.version = "test-prog (xvs) 9.9";
        o.on_exit = [this] { exits++; };
        server = std::move(UnixctlServer::create(loop, path, o).value());
        server->add_command("t/echo", "ARG...", 1, 2, [](const std::vector<std::string>& args) -> Result<std::string> {
            return args.size() == 1 ? args[0] : args[0] + " " + args[1];
        });
        server->add_command("t/fail", "", 0, 0,
                            [](const auto&) -> Result<std::string> { return make_error("it failed"); });
        server->add_command("t/hidden", std::nullopt, 0, 0,
                            [](const auto&) -> Result<std::string> { return std::string("h"); });
        server->add_async_command("t/hold", "", 0, 0,
                                  [this](const auto&, UnixctlReply reply) { held.push_back(std::move(reply)); });
        server->add_command("t/release", "", 0, 0, [this](const auto&) -> Result<std::string> {
            for (auto& r : held) r.ok("released");
            held.clear();
            return std::string("done");
        });
        server->add_async_command("t/drop", "", 0, 0, [](const auto&, UnixctlReply) {});
        thread = std::thread([this] { loop.run(); });
    }
    ~Server() {
        loop.post([this] {
            held.clear();
            loop.stop();
        });
        thread.join();
    }
    UnixctlResult call(const std::string& cmd, const std::vector<std::string>& args = {}) {
        auto r = unixctl_transact(path, cmd, args);
        REQUIRE(r.ok());
        return *r;
    }
};

// A raw client: JSON text in, JSON values out.
struct RawClient {
    xvs::test::RawPeer peer;
    explicit RawClient(const std::string& path) {
        peer.fd.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
        REQUIRE(::connect(peer.fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0);
    }
    void send(std::string_view text) { xvs::test::write_raw(peer.fd.get(), text); }
    // Waits for n values in total, or for the end of the stream.
    void wait(size_t n) {
        for (int i = 0; i < 500 && peer.values.size() < n && !peer.eof; i++) {
            pollfd p{peer.fd.get(), POLLIN, 0};
            ::poll(&p, 1, 10);
            peer.poll_input();
        }
    }
};

}  // namespace

TEST_CASE("unixctl: list-commands and help, in OVS's format") {
    Server s;
    auto list = s.call("list-commands");
    REQUIRE(list.ok);
    CHECK(list.text.rfind("The available commands are:\n", 0) == 0);
    CHECK(list.text.find("\n  t/echo                  ARG...\n") != std::string::npos);
    CHECK(list.text.find("\n  exit                    \n") != std::string::npos);
    CHECK(list.text.find("\n  vlog/set                {spec | PATTERN:destination:pattern}\n") != std::string::npos);
    CHECK(list.text.find("t/hidden") == std::string::npos);
    CHECK(list.text.find("  exit") < list.text.find("  help"));
    CHECK(list.text.find("  t/release") < list.text.find("  version"));
    CHECK(s.call("help").text == list.text);
    CHECK(s.call("t/hidden").text == "h\n");  // hidden, not absent
}

TEST_CASE("unixctl: replies, errors and argument counts") {
    Server s;
    auto v = s.call("version");
    CHECK(v.ok);
    CHECK(v.text == "test-prog (xvs) 9.9\n");

    auto echo = s.call("t/echo", {"a", "b"});
    CHECK(echo.ok);
    CHECK(echo.text == "a b\n");

    auto fail = s.call("t/fail");
    CHECK_FALSE(fail.ok);
    CHECK(fail.text == "it failed\n");

    auto unknown = s.call("nope");
    CHECK_FALSE(unknown.ok);
    CHECK(unknown.text == "\"nope\" is not a valid command (use \"list-commands\" to see a list of valid commands)\n");

    CHECK(s.call("t/echo").text == "\"t/echo\" command requires at least 1 arguments\n");
    CHECK(s.call("t/echo", {"1", "2", "3"}).text == "\"t/echo\" command takes at most 2 arguments\n");
    CHECK(s.call("version", {"x"}).text == "\"version\" command takes at most 0 arguments\n");

    auto dropped = s.call("t/drop");
    CHECK_FALSE(dropped.ok);
    CHECK(dropped.text == "\"t/drop\" command did not reply\n");
}

TEST_CASE("unixctl: the vlog commands") {
    Server s;
    auto set = s.call("vlog/set", {"test_unixctl:file:dbg", "test_unixctl:console:err"});
    CHECK(set.ok);
    CHECK(set.text.empty());
    CHECK(module.level(LogDestination::File) == LogLevel::Dbg);
    CHECK(module.level(LogDestination::Console) == LogLevel::Err);
    CHECK(s.call("vlog/list").text.find("\ntest_unixctl       ERR        OFF        DBG\n") != std::string::npos);

    auto bad = s.call("vlog/set", {"nowhere:dbg"});
    CHECK_FALSE(bad.ok);
    CHECK(bad.text == "no destination, level, or module \"nowhere\"\n");

    CHECK(s.call("vlog/list-pattern").text.find("FILE     none") != std::string::npos);
    auto reopen = s.call("vlog/reopen");
    if (!vlog_log_file()) {
        CHECK_FALSE(reopen.ok);
        CHECK(reopen.text == "Logging to file not configured\n");
    }
    CHECK(s.call("vlog/disable-rate-limit", {"test_unixctl"}).ok);
    CHECK_FALSE(module.honors_rate_limits());
    CHECK(s.call("vlog/enable-rate-limit").ok);
    CHECK(module.honors_rate_limits());
    CHECK(s.call("vlog/enable-rate-limit", {"nosuch"}).text == "unknown module\n");
    vlog_set_levels(&module, std::nullopt, LogLevel::Info);
}

TEST_CASE("unixctl: exit replies, then calls the daemon's hook") {
    Server s;
    auto r = s.call("exit");
    CHECK(r.ok);
    CHECK(r.text.empty());
    for (int i = 0; i < 100 && s.exits == 0; i++) std::this_thread::sleep_for(10ms);  // the hook runs after the reply
    CHECK(s.exits == 1);
}

TEST_CASE("unixctl: a deferred reply; other clients are served meanwhile") {
    Server s;
    auto waiting = std::async(std::launch::async, [&] { return s.call("t/hold"); });
    CHECK(waiting.wait_for(100ms) == std::future_status::timeout);
    CHECK(s.call("version").ok);
    CHECK(s.call("t/release").text == "done\n");
    auto held = waiting.get();
    CHECK(held.ok);
    CHECK(held.text == "released\n");
}

TEST_CASE("unixctl: the wire, request by request") {
    Server s;
    RawClient c(s.path);
    // ovs-appctl's request, then a second one pipelined behind it.
    c.send(R"({"id":0,"method":"version","params":[]})"
           R"({"id":"two","method":"t/echo","params":["x"]})");
    c.wait(2);
    REQUIRE(c.peer.values.size() == 2);
    CHECK(c.peer.values[0] == Json::parse(R"({"error":null,"id":0,"result":"test-prog (xvs) 9.9\n"})"));
    CHECK(c.peer.values[1] == Json::parse(R"({"error":null,"id":"two","result":"x\n"})"));

    c.send(R"({"id":3,"method":"t/echo","params":[5]})");
    c.wait(3);
    REQUIRE(c.peer.values.size() == 3);
    CHECK(c.peer.values[2] ==
          Json::parse(R"({"error":"\"t/echo\" command has non-string argument\n","id":3,"result":null})"));
    CHECK_FALSE(c.peer.eof);

    // Not a request: the server drops the connection.
    c.send(R"({"id":null,"method":"t/echo","params":["x"]})");
    c.wait(4);
    CHECK(c.peer.eof);
    CHECK(c.peer.values.size() == 3);
}

TEST_CASE("unixctl: malformed JSON closes that connection only") {
    Server s;
    RawClient bad(s.path);
    bad.send("{\"id\":1,\"method\":\"version\",\"params\":[}");
    bad.wait(1);
    bad.wait(2);
    CHECK(bad.peer.eof);
    REQUIRE(bad.peer.values.size() == 1);
    CHECK(bad.peer.values[0]["error"]["error"] == "syntax error");
    CHECK(s.call("version").ok);
}

TEST_CASE("unixctl: client errors") {
    TempDir dir;
    auto r = unixctl_transact(dir.file("none.ctl"), "version", {});
    REQUIRE_FALSE(r.ok());
    CHECK(r.message() == "cannot connect to \"" + dir.file("none.ctl") + "\" (No such file or directory)");

    PollLoop loop;
    auto taken = UnixctlServer::create(loop, dir.file("no/such/dir.ctl"), {});
    REQUIRE_FALSE(taken.ok());
    CHECK(taken.message().find("could not initialize control socket") != std::string::npos);
}
