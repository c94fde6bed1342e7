// OVSDB server benchmark: a load generator that drives any server speaking
// OVSDB JSON-RPC (xvsdb-server, or Open vSwitch's ovsdb-server) over one
// unix: or tcp: remote, serving a database made from our
// ovsdb/schemas/vswitch.ovsschema. It prints "RESULT <name> <value>" lines
// (scripts/bench-ovsdb puts two servers side by side) and asserts nothing,
// except that every transaction succeeds.
//
//   setup     the Open_vSwitch row and bridges br0..br<N-1>
//   txn       transactions/s: N clients, each with one transaction in
//             flight (what an IDL or ovs-vsctl does), a fixed count after a
//             warm-up, several runs (the median is reported)
//   latency   100 (or N) clients each holding a monitor_cond on Bridge; one
//             writer commits; per commit, the time from sending it until the
//             last monitoring client has its update2
//   mem       inserts 100k Port/Interface rows in batches and reports the
//             server's VmRSS, then compacts it and reports again
//
// So that the client is not what is measured, requests are written from
// templates and replies are only framed and scanned as text (a reply
// carrying an operation error is parsed and reported); the client's own
// CPU time is printed beside every rate.
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/fd.h"
#include "util/json_framer.h"
#include "util/poll_loop.h"
#include "util/stream.h"

using namespace xvs;
using Json = nlohmann::json;

namespace {

[[noreturn]] void die(const std::string& m) {
    std::cerr << "xvs-bench-ovsdb: " << m << "\n";
    std::exit(1);
}

using Clock = PollLoop::Clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// User plus system CPU seconds this process has used.
double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

// CPU seconds process 'pid' has run (from the scheduler's accounting);
// 0 without a pid.
double process_cpu_seconds(int pid) {
    if (!pid) return 0;
    std::ifstream f(fmt::format("/proc/{}/schedstat", pid));
    double ns = 0;
    if (!(f >> ns)) die(fmt::format("cannot read /proc/{}/schedstat", pid));
    return ns / 1e9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// The value at quantile q (0..1) of sorted values, nearest rank.
double quantile(const std::vector<double>& sorted, double q) {
    if (sorted.empty()) return 0;
    size_t i = static_cast<size_t>(q * double(sorted.size()) + 0.999999);
    return sorted[std::min(sorted.size(), std::max<size_t>(i, 1)) - 1];
}

void result(const std::string& name, double value) { std::printf("RESULT %s %.6g\n", name.c_str(), value); }

// ---- one connection, framed but not parsed ------------------------------------

// A JSON-RPC connection that hands each complete message to 'on_message'
// as text. Echo requests (inactivity probes) are answered here.
class Conn {
public:
    Conn(PollLoop& loop, const std::string& remote) : framer_(size_t{256} << 20) {
        // A server's listen backlog may be full while it accepts many
        // connections at once (EAGAIN on a unix socket): try again.
        auto start = Clock::now();
        for (;;) {
            int err = 0;
            auto spec = parse_stream_spec(remote);
            if (!spec) die(spec.message());
            auto s = Stream::open(*spec, &err);
            if (s) {
                stream_ = std::move(*s);
                break;
            }
            if (err != EAGAIN || seconds_since(start) > 10) die(s.message());
            loop.run_once(std::chrono::milliseconds(1));
        }
        watch_ = loop.watch_fd(stream_->fd(), stream_->wanted_events(true), [this](short ev) { ready(ev); });
    }

    std::function<void(std::string&&)> on_message;

    int fd() const { return stream_->fd(); }
    // Reads and dispatches what is there, for a caller that polls the fd
    // itself.
    void on_readable() { ready(POLLIN); }

    void send(std::string_view text) {
        stream_->send(text);
        if (stream_->state() == Stream::State::Closed) die(stream_->error());
        watch_.set_events(stream_->wanted_events(true));
    }

private:
    void ready(short ev) {
        if (stream_->state() == Stream::State::Connecting) {
            if (stream_->poll_connect() == Stream::State::Closed) die(stream_->error());
        } else if (ev & POLLOUT) {
            stream_->flush();
        }
        if (ev & (POLLIN | POLLHUP | POLLERR)) {
            for (int i = 0; i < 16; i++) {
                // read(2) straight into a reused buffer: the least work
                // per message this side can do.
                ssize_t n = ::read(stream_->fd(), buf_.data(), buf_.size());
                if (n == 0) die(stream_->name() + ": connection closed by server");
                if (n < 0) {
                    if (errno == EAGAIN || errno == EINTR) break;
                    die(stream_->name() + ": read failed: " + std::strerror(errno));
                }
                values_.clear();
                if (auto st = framer_.feed(std::string_view(buf_.data(), size_t(n)), values_); !st)
                    die("bad JSON from server: " + st.message());
                for (auto& v : values_) {
                    if (v.find("\"echo\"") != std::string::npos && is_echo_request(v)) continue;
                    if (on_message) on_message(std::move(v));
                }
                if (size_t(n) < buf_.size()) break;
            }
        }
        watch_.set_events(stream_->wanted_events(true));
    }

    bool is_echo_request(const std::string& text) {
        Json j = Json::parse(text);
        if (j.value("method", "") != "echo" || j["id"].is_null()) return false;
        send(Json{{"id", j["id"]}, {"result", j["params"]}, {"error", nullptr}}.dump());
        return true;
    }

    std::unique_ptr<Stream> stream_;
    JsonFramer framer_;
    PollLoop::FdWatch watch_;
    std::vector<char> buf_ = std::vector<char>(size_t{64} << 10);
    std::vector<std::string> values_;
};

std::string request(uint64_t id, const std::string& method, const std::string& params) {
    return fmt::format(R"({{"id":{},"method":"{}","params":{}}})", id, method, params);
}

// A reply with an operation error carries an "error" member with a string
// value (the top-level "error" of a reply is null).
void check_reply(const std::string& text, const char* what) {
    if (text.find("\"error\":\"") == std::string::npos && text.find("\"error\": \"") == std::string::npos) return;
    die(fmt::format("{} failed: {}", what, text.substr(0, 2000)));
}

// Sends one request and runs the loop until its reply (a Json) arrives.
Json call(PollLoop& loop, Conn& c, const std::string& method, const Json& params) {
    static uint64_t next_id = 1u << 30;
    uint64_t id = next_id++;
    std::optional<Json> reply;
    auto saved = c.on_message;
    c.on_message = [&](std::string&& text) {
        Json j = Json::parse(text);
        if (j.contains("id") && j["id"] == id) reply = std::move(j);
    };
    c.send(request(id, method, params.dump()));
    auto start = Clock::now();
    while (!reply) {
        loop.run_once(std::chrono::milliseconds(100));
        if (seconds_since(start) > 120) die(method + ": no reply in 120 s");
    }
    c.on_message = saved;
    if (!(*reply)["error"].is_null()) die(fmt::format("{} failed: {}", method, reply->dump()));
    check_reply(reply->dump(), method.c_str());
    return (*reply)["result"];
}

Json transact(PollLoop& loop, Conn& c, Json ops) {
    Json params = Json::array({"Open_vSwitch"});
    for (auto& op : ops) params.push_back(std::move(op));
    return call(loop, c, "transact", params);
}

void run_until(PollLoop& loop, const std::function<bool()>& done, double timeout_s, const char* what) {
    auto start = Clock::now();
    while (!done()) {
        loop.run_once(std::chrono::milliseconds(100));
        if (seconds_since(start) > timeout_s) die(fmt::format("{}: not done after {} s", what, timeout_s));
    }
}

// ---- options --------------------------------------------------------------------

struct Options {
    std::string command;
    std::string remote;
    int clients = 1;
    int count = 5000;   // measured transactions per run (all clients together)
    int warmup = 500;   // per run, before the clock starts
    int runs = 5;
    std::string kind = "port";  // port | extids
    bool durable = false;
    int bridges = 8;
    int commits = 1000;  // latency: measured commits
    int rows = 100000;   // mem
    int batch = 1000;    // mem: rows per transaction
    int server_pid = 0;  // mem
    std::string unixctl; // mem: the server's control socket, for compaction
    std::string db_file; // mem: the database file, for its size
};

Options parse(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: xvs-bench-ovsdb setup|txn|latency|mem --remote=unix:PATH [options]\n"
                     "  --clients=N --count=N --warmup=N --runs=N --kind=port|extids --durable\n"
                     "  --bridges=N --commits=N --rows=N --batch=N --server-pid=PID --unixctl=PATH "
                     "--db-file=PATH\n";
        std::exit(2);
    }
    Options o;
    o.command = argv[1];
    for (int i = 2; i < argc; i++) {
        std::string a = argv[i];
        auto eq = a.find('=');
        std::string key = a.substr(0, eq), val = eq == std::string::npos ? "" : a.substr(eq + 1);
        auto num = [&] {
            try {
                return std::stoi(val);
            } catch (...) {
                die("bad number in " + a);
            }
        };
        if (key == "--remote") o.remote = val;
        else if (key == "--clients") o.clients = num();
        else if (key == "--count") o.count = num();
        else if (key == "--warmup") o.warmup = num();
        else if (key == "--runs") o.runs = num();
        else if (key == "--kind") o.kind = val;
        else if (key == "--durable") o.durable = true;
        else if (key == "--bridges") o.bridges = num();
        else if (key == "--commits") o.commits = num();
        else if (key == "--rows") o.rows = num();
        else if (key == "--batch") o.batch = num();
        else if (key == "--server-pid") o.server_pid = num();
        else if (key == "--unixctl") o.unixctl = val;
        else if (key == "--db-file") o.db_file = val;
        else die("unknown option " + a);
    }
    if (o.remote.empty()) die("--remote is required");
    if (o.clients < 1) die("--clients must be at least 1");
    if (o.command == "txn" && o.clients > o.bridges) die("txn: --clients must be at most --bridges (each client has its bridge)");
    if (o.kind != "port" && o.kind != "extids") die("--kind is port or extids");
    return o;
}

// ---- setup ------------------------------------------------------------------------

// Open_vSwitch's root row and bridges br0.., each with one internal port.
void setup(const Options& o) {
    PollLoop loop;
    Conn c(loop, o.remote);
    Json ops = Json::array();
    Json bridges = Json::array();
    for (int b = 0; b < o.bridges; b++) {
        std::string br = fmt::format("br{}", b);
        ops.push_back({{"op", "insert"}, {"table", "Interface"}, {"row", {{"name", br}, {"type", "internal"}}},
                       {"uuid-name", "i" + br}});
        ops.push_back({{"op", "insert"},
                       {"table", "Port"},
                       {"row", {{"name", br}, {"interfaces", {"named-uuid", "i" + br}}}},
                       {"uuid-name", "p" + br}});
        ops.push_back({{"op", "insert"},
                       {"table", "Bridge"},
                       {"row", {{"name", br}, {"ports", {"named-uuid", "p" + br}}}},
                       {"uuid-name", "b" + br}});
        bridges.push_back({"named-uuid", "b" + br});
    }
    ops.push_back({{"op", "insert"}, {"table", "Open_vSwitch"}, {"row", {{"bridges", {"set", bridges}}}}});
    transact(loop, c, ops);
}

// ---- transactions/s -----------------------------------------------------------------

// One client with one transaction in flight. "port" alternates ovs-vsctl's
// add-port (insert Interface and Port, add the Port to the client's Bridge)
// and del-port (remove it from the Bridge; garbage collection deletes the
// Port and its Interface), so the database does not grow; "extids" sets
// the Bridge's external_ids.
struct TxnClient {
    int index = 0;
    std::unique_ptr<Conn> conn;
    uint64_t seq = 0;          // transactions sent
    std::string last_port;     // uuid of the port added last, to delete next
    int done = 0, target = 0;  // replies received, wanted in this phase
    bool in_flight = false;
};

std::string txn_request(const Options& o, TxnClient& c) {
    uint64_t n = c.seq++;
    std::string br = fmt::format("br{}", c.index);
    std::string commit = o.durable ? R"(,{"op":"commit","durable":true})" : "";
    std::string ops;
    if (o.kind == "extids") {
        ops = fmt::format(R"({{"op":"update","table":"Bridge","where":[["name","==","{}"]],)"
                          R"("row":{{"external_ids":["map",[["bench-seq","{}"]]]}}}})",
                          br, n);
    } else if (c.last_port.empty()) {
        // Unique across runs of this program against the same server.
        std::string name = fmt::format("p{}-{}-{}", ::getpid(), c.index, n);
        ops = fmt::format(
            R"({{"op":"insert","table":"Interface","row":{{"name":"{0}","type":"internal"}},"uuid-name":"i"}},)"
            R"({{"op":"insert","table":"Port","row":{{"name":"{0}","interfaces":["named-uuid","i"]}},"uuid-name":"p"}},)"
            R"({{"op":"mutate","table":"Bridge","where":[["name","==","{1}"]],)"
            R"("mutations":[["ports","insert",["set",[["named-uuid","p"]]]]]}})",
            name, br);
    } else {
        ops = fmt::format(R"({{"op":"mutate","table":"Bridge","where":[["name","==","{}"]],)"
                          R"("mutations":[["ports","delete",["uuid","{}"]]]}})",
                          br, c.last_port);
    }
    return fmt::format(R"({{"id":{},"method":"transact","params":["Open_vSwitch",{}{}]}})", n, ops, commit);
}

// The uuid of the second insert in a reply (the Port of an add-port).
std::string second_uuid(const std::string& reply) {
    const std::string_view mark = R"(["uuid",")";
    size_t at = reply.find("\"result\"");
    if (at != std::string::npos) at = reply.find(mark, at);
    if (at != std::string::npos) at = reply.find(mark, at + 1);
    if (at == std::string::npos || at + mark.size() + 36 > reply.size()) die("no port uuid in reply: " + reply);
    return reply.substr(at + mark.size(), 36);
}

void txn_bench(const Options& o) {
    PollLoop loop;
    std::vector<std::unique_ptr<TxnClient>> clients;
    for (int i = 0; i < o.clients; i++) {
        auto c = std::make_unique<TxnClient>();
        c->index = i;
        c->conn = std::make_unique<Conn>(loop, o.remote);
        TxnClient* raw = c.get();
        c->conn->on_message = [&o, raw](std::string&& text) {
            if (text.find("\"method\"") != std::string::npos && text.find("\"result\"") == std::string::npos)
                return;  // a notification
            check_reply(text, "transaction");
            raw->in_flight = false;
            raw->done++;
            if (o.kind == "port") raw->last_port = raw->last_port.empty() ? second_uuid(text) : std::string();
            if (raw->done < raw->target) {
                raw->in_flight = true;
                raw->conn->send(txn_request(o, *raw));
            }
        };
        clients.push_back(std::move(c));
    }
    // Every client does its share; the phase ends when all are done.
    auto phase = [&](int total) {
        int each = std::max(1, total / o.clients);
        for (auto& c : clients) {
            c->done = 0;
            c->target = each;
            c->in_flight = true;
            c->conn->send(txn_request(o, *c));
        }
        run_until(
            loop, [&] { return std::all_of(clients.begin(), clients.end(), [](auto& c) { return !c->in_flight; }); },
            600, "transactions");
        return each * o.clients;
    };
    std::vector<double> rates, cpu, server_us;
    for (int r = 0; r < o.runs; r++) {
        if (o.warmup) phase(o.warmup);
        auto t0 = Clock::now();
        double c0 = cpu_seconds(), s0 = process_cpu_seconds(o.server_pid);
        int n = phase(o.count);
        double wall = seconds_since(t0);
        rates.push_back(n / wall);
        cpu.push_back((cpu_seconds() - c0) / wall * 100);
        server_us.push_back((process_cpu_seconds(o.server_pid) - s0) / n * 1e6);
        std::fprintf(stderr, "  run %d: %d transactions in %.3f s: %.0f/s (client CPU %.0f%%, server %.1f us/txn)\n",
                     r + 1, n, wall, n / wall, cpu.back(), server_us.back());
    }
    result("txn_per_s", median(rates));
    result("txn_per_s_min", *std::min_element(rates.begin(), rates.end()));
    result("txn_per_s_max", *std::max_element(rates.begin(), rates.end()));
    result("client_cpu_pct", median(cpu));
    if (o.server_pid) result("server_cpu_us_per_txn", median(server_us));
}

// ---- monitor update latency -------------------------------------------------------------

void latency_bench(const Options& o) {
    PollLoop loop;
    int n = o.clients;
    struct Watcher {
        std::unique_ptr<Conn> conn;
        bool monitoring = false;
        uint64_t got = 0;  // update2 notifications received
    };
    std::vector<Watcher> w(n);
    // Once every monitor is set up, the watchers are polled with epoll
    // rather than the PollLoop: poll(2) over 100 sockets at each of the
    // many wake-ups per commit cost the load generator more than the
    // server spent sending the updates.
    const std::string mon = R"(["Open_vSwitch","bench",{"Bridge":[{"columns":["name","external_ids","ports"],)"
                            R"("where":[["name","==","br0"]]}]}])";
    int monitoring = 0, current = 0;
    uint64_t commit_no = 0;
    Clock::time_point all_at;  // when the last watcher got the current commit
    for (int i = 0; i < n; i++) {
        w[i].conn = std::make_unique<Conn>(loop, o.remote);
        Watcher* me = &w[i];
        w[i].conn->on_message = [&, me](std::string&& text) {
            if (!me->monitoring) {
                check_reply(text, "monitor_cond");
                me->monitoring = true;
                monitoring++;
                return;
            }
            if (text.find("\"update2\"") == std::string::npos) return;
            me->got++;
            if (me->got == commit_no && ++current == n) all_at = Clock::now();
        };
        w[i].conn->send(request(0, "monitor_cond", mon));
    }
    run_until(loop, [&] { return monitoring == n; }, 120, "monitor_cond");

    Conn writer(loop, o.remote);
    bool replied = false;
    Clock::time_point sent, reply_at;
    writer.on_message = [&](std::string&& text) {
        if (text.find("\"result\"") == std::string::npos) return;
        check_reply(text, "transaction");
        reply_at = Clock::now();
        replied = true;
    };
    UniqueFd ep(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep.valid()) die(std::string("epoll_create1: ") + std::strerror(errno));
    std::vector<Conn*> by_index;
    for (auto& x : w) by_index.push_back(x.conn.get());
    by_index.push_back(&writer);
    for (size_t i = 0; i < by_index.size(); i++) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = i;
        if (::epoll_ctl(ep.get(), EPOLL_CTL_ADD, by_index[i]->fd(), &ev) != 0)
            die(std::string("epoll_ctl: ") + std::strerror(errno));
    }
    std::vector<epoll_event> events(by_index.size());
    std::vector<double> all_ms, reply_ms;
    int warmup = std::max(1, o.commits / 10);
    double c0 = 0, s0 = 0, wall0 = 0;
    Clock::time_point t_start;
    for (int k = 0; k < warmup + o.commits; k++) {
        if (k == warmup) {
            c0 = cpu_seconds();
            s0 = process_cpu_seconds(o.server_pid);
            t_start = Clock::now();
        }
        commit_no++;
        current = 0;
        replied = false;
        std::string op = fmt::format(R"(["Open_vSwitch",{{"op":"update","table":"Bridge","where":[["name","==","br0"]],)"
                                     R"("row":{{"external_ids":["map",[["bench-latency","{}"]]]}}}}])",
                                     commit_no);
        sent = Clock::now();
        writer.send(request(commit_no, "transact", op));
        while (current < n || !replied) {
            int k_ready = ::epoll_wait(ep.get(), events.data(), static_cast<int>(events.size()), 1000);
            for (int e = 0; e < k_ready; e++) by_index[events[e].data.u64]->on_readable();
            if (seconds_since(sent) > 60) die("monitor updates did not arrive in 60 s");
        }
        if (k >= warmup) {
            all_ms.push_back(std::chrono::duration<double, std::milli>(all_at - sent).count());
            reply_ms.push_back(std::chrono::duration<double, std::milli>(reply_at - sent).count());
        }
    }
    wall0 = seconds_since(t_start);
    std::sort(all_ms.begin(), all_ms.end());
    std::sort(reply_ms.begin(), reply_ms.end());
    result("latency_all_p50_ms", quantile(all_ms, 0.5));
    result("latency_all_p99_ms", quantile(all_ms, 0.99));
    result("latency_all_max_ms", all_ms.back());
    result("latency_reply_p50_ms", quantile(reply_ms, 0.5));
    result("client_cpu_pct", (cpu_seconds() - c0) / wall0 * 100);
    // Per commit, what each side spent: the server computing and sending
    // the 100 updates and the reply, the load generator receiving them.
    result("client_cpu_us_per_commit", (cpu_seconds() - c0) / o.commits * 1e6);
    if (o.server_pid) result("server_cpu_us_per_commit", (process_cpu_seconds(o.server_pid) - s0) / o.commits * 1e6);
}

// ---- memory ----------------------------------------------------------------------------

double rss_mib(int pid) {
    std::ifstream f(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
    die(fmt::format("no VmRSS for pid {}", pid));
}

double file_mib(const std::string& path) {
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) die("cannot open " + path);
    return double(f.tellg()) / (1024.0 * 1024.0);
}

void mem_bench(const Options& o) {
    if (!o.server_pid) die("mem needs --server-pid");
    PollLoop loop;
    Conn c(loop, o.remote);
    result("rss_start_mib", rss_mib(o.server_pid));
    transact(loop, c,
             Json::array({Json{{"op", "insert"}, {"table", "Bridge"}, {"row", {{"name", "brmem"}}}, {"uuid-name", "b"}},
                          Json{{"op", "mutate"},
                               {"table", "Open_vSwitch"},
                               {"where", Json::array()},
                               {"mutations", Json::array({Json::array({"bridges", "insert",
                                                                         Json::array({"set", Json::array({Json::array(
                                                                                                 {"named-uuid", "b"})})})})})}}}));
    // Each batch: batch/2 Interfaces, as many Ports, all added to brmem.
    int pairs = o.batch / 2, made = 0;
    auto t0 = Clock::now();
    while (made * 2 < o.rows) {
        std::string ops, refs;
        int k = std::min(pairs, o.rows / 2 - made);
        for (int i = 0; i < k; i++) {
            int id = made + i;
            ops += fmt::format(
                R"({{"op":"insert","table":"Interface","row":{{"name":"m{0}","type":"internal",)"
                R"("external_ids":["map",[["iface-id","vif-{0}"]]]}},"uuid-name":"i{0}"}},)"
                R"({{"op":"insert","table":"Port","row":{{"name":"m{0}","interfaces":["named-uuid","i{0}"],)"
                R"("tag":{1}}},"uuid-name":"p{0}"}},)",
                id, 1 + id % 4000);
            refs += fmt::format(R"({}["named-uuid","p{}"])", i ? "," : "", id);
        }
        ops += fmt::format(R"({{"op":"mutate","table":"Bridge","where":[["name","==","brmem"]],)"
                           R"("mutations":[["ports","insert",["set",[{}]]]]}})",
                           refs);
        std::optional<std::string> reply;
        c.on_message = [&](std::string&& t) { reply = std::move(t); };
        c.send(fmt::format(R"({{"id":{},"method":"transact","params":["Open_vSwitch",{}]}})", made, ops));
        run_until(loop, [&] { return reply.has_value(); }, 300, "batch insert");
        check_reply(*reply, "batch insert");
        made += k;
    }
    double secs = seconds_since(t0);
    result("rows", made * 2);
    result("insert_rows_per_s", made * 2 / secs);
    result("rss_rows_mib", rss_mib(o.server_pid));
    if (!o.db_file.empty()) result("file_rows_mib", file_mib(o.db_file));
    if (o.unixctl.empty()) return;
    // Compaction through the control socket (the same JSON-RPC).
    Conn ctl(loop, "unix:" + o.unixctl);
    std::optional<Json> reply;
    ctl.on_message = [&](std::string&& t) { reply = Json::parse(t); };
    ctl.send(request(1, "ovsdb-server/compact", "[]"));
    run_until(loop, [&] { return reply.has_value(); }, 300, "compaction");
    if (!(*reply)["error"].is_null()) die("compaction failed: " + reply->dump());
    result("rss_compacted_mib", rss_mib(o.server_pid));
    if (!o.db_file.empty()) result("file_compacted_mib", file_mib(o.db_file));
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    if (o.command == "setup") {
        setup(o);
    } else if (o.command == "txn") {
        txn_bench(o);
    } else if (o.command == "latency") {
        latency_bench(o);
    } else if (o.command == "mem") {
        mem_bench(o);
    } else {
        die("unknown command " + o.command);
    }
    return 0;
}
