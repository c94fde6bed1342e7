#include "tools/vsctl/db_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cstring>

#include "tools/vsctl/fatal.h"
#include "util/vlog.h"

namespace xvs::vsctl {

namespace {

// util/jsonrpc.cpp's module: JsonRpcConnection logs what it receives there,
// and the requests sent here go to it too, so that -vjsonrpc:dbg shows
// both directions as it does for ovs-vsctl.
VlogModule* jsonrpc_log() {
    static VlogModule* module = vlog_module_from_name("jsonrpc");
    return module;
}

// A tcp: spec with its host name replaced by an address. Streams take
// addresses only (a lookup would block their event loop); ovs-vsctl takes
// host names, and a command-line tool may block.
Result<std::string> numeric_spec(const std::string& spec) {
    if (spec.rfind("tcp:", 0) != 0) return spec;
    std::string rest = spec.substr(4);
    size_t colon = rest.find(':');
    bool ipv6 = !rest.empty() &&
                (rest[0] == '[' || (colon != std::string::npos && rest.find(':', colon + 1) != std::string::npos));
    std::string host = rest.substr(0, colon);
    in_addr addr;
    if (ipv6 || host.empty() || inet_pton(AF_INET, host.c_str(), &addr) == 1) return spec;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || !res) return make_error("address lookup");
    char numeric[INET6_ADDRSTRLEN] = "";
    int rc = getnameinfo(res->ai_addr, res->ai_addrlen, numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST);
    bool v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    if (rc != 0) return make_error("address lookup");
    std::string port = colon == std::string::npos ? "" : rest.substr(colon);
    return v6 ? fmt::format("tcp:[{}]{}", numeric, port) : fmt::format("tcp:{}{}", numeric, port);
}

// "NAME: connection failed (Connection refused)" -> "Connection refused".
std::string reason_of(const std::string& why) {
    size_t open = why.rfind('(');
    if (open == std::string::npos || why.back() != ')') return why;
    return why.substr(open + 1, why.size() - open - 2);
}

}  // namespace

template <typename Done>
void DbClient::run_until(Done done) {
    while (!done()) loop_.run_once(std::chrono::hours(24));
}

DbClient::DbClient(std::string spec, bool retry) : spec_(std::move(spec)) {
    if (spec_.rfind("unix:", 0) != 0 && spec_.rfind("tcp:", 0) != 0)
        fatal("\"{}\": unsupported database connection method", spec_);
    for (;;) {
        std::string why = try_connect();
        if (why.empty()) return;
        if (!retry) fatal("{}: database connection failed ({})", spec_, why);
        pause(std::chrono::seconds(1));
    }
}

std::string DbClient::try_connect() {
    conn_.reset();
    closed_ = false;
    auto numeric = numeric_spec(spec_);
    if (!numeric) return numeric.message();
    StreamSpecDefaults defaults;
    defaults.port = 6640;
    auto parsed = parse_stream_spec(*numeric, defaults);
    if (!parsed) fatal("{}", parsed.message());
    int err = 0;
    auto stream = Stream::open(*parsed, &err);
    if (!stream) return err ? std::strerror(err) : stream.message();
    // The defaults: the server's echo requests answered, no probes of ours.
    conn_ = std::make_unique<JsonRpcConnection>(loop_, std::move(*stream), JsonRpcConnection::Options{});
    conn_->on_message([this](JsonRpcMessage&& msg) { on_message(std::move(msg)); });
    conn_->on_close([this](const std::string& why) {
        closed_ = true;
        closed_why_ = why;
    });
    // A tcp: connection may still be in progress.
    run_until([this] { return closed_ || conn_->is_connected(); });
    if (!closed_) return "";
    conn_.reset();
    return reason_of(closed_why_);
}

Json DbClient::call(const std::string& method, Json params) {
    if (closed_) fatal("database connection closed");
    Json id = next_id_++;
    auto request = JsonRpcMessage::request(method, std::move(params), id);
    if (VlogModule* log = jsonrpc_log(); log && log->enabled(LogLevel::Dbg))
        log->dbg("{}: send {}: {}", conn_->name(), to_string(request.type), request.serialize());
    if (!conn_->send(request)) fatal("database connection failed (write)");
    pending_id_ = id;
    reply_.reset();
    run_until([this] { return reply_.has_value() || closed_; });
    if (!reply_) fatal("database connection closed");
    JsonRpcMessage reply = std::move(*reply_);
    reply_.reset();
    if (reply.type == JsonRpcMessage::Type::Error) fatal("database error: {}", reply.error.dump());
    return std::move(reply.result);
}

void DbClient::pause(std::chrono::milliseconds how_long) {
    bool done = false;
    PollLoop::Timer timer = loop_.add_timer(how_long, [&done] { done = true; });
    run_until([&done] { return done; });
}

void DbClient::on_message(JsonRpcMessage&& msg) {
    bool is_reply = msg.type == JsonRpcMessage::Type::Reply || msg.type == JsonRpcMessage::Type::Error;
    if (is_reply && !reply_ && msg.id == pending_id_) reply_ = std::move(msg);
}

}  // namespace xvs::vsctl
