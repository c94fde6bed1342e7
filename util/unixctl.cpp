#include "util/unixctl.h"

#include <cstring>
#include <optional>

#include "util/version.h"
#include "util/vlog.h"

namespace xvs {

namespace {

VlogModule vlog("unixctl");
RateLimiter rl(5, 5);

// OVS 3.1's unixctl ends every non-empty reply with a newline; its
// ovs-appctl prints replies as they are.
std::string with_newline(std::string_view text) {
    std::string s(text);
    if (!s.empty() && s.back() != '\n') s += '\n';
    return s;
}

}  // namespace

struct UnixctlConn {
    std::unique_ptr<JsonRpcConnection> rpc;
};

// ---- replies ----

UnixctlReply::UnixctlReply(std::weak_ptr<UnixctlConn> conn, Json id, std::string command)
    : conn_(std::move(conn)), id_(std::move(id)), command_(std::move(command)), pending_(true) {}

UnixctlReply::UnixctlReply(UnixctlReply&& o) noexcept
    : conn_(std::move(o.conn_)),
      id_(std::move(o.id_)),
      command_(std::move(o.command_)),
      pending_(std::exchange(o.pending_, false)) {}

UnixctlReply& UnixctlReply::operator=(UnixctlReply&& o) noexcept {
    if (this != &o) {
        if (pending_) error(fmt::format("\"{}\" command did not reply", command_));
        conn_ = std::move(o.conn_);
        id_ = std::move(o.id_);
        command_ = std::move(o.command_);
        pending_ = std::exchange(o.pending_, false);
    }
    return *this;
}

UnixctlReply::~UnixctlReply() {
    if (pending_) error(fmt::format("\"{}\" command did not reply", command_));
}

void UnixctlReply::ok(std::string_view text) {
    send(true, text);
}
void UnixctlReply::error(std::string_view text) {
    send(false, text);
}

void UnixctlReply::send(bool success, std::string_view text) {
    if (!pending_) return;
    pending_ = false;
    auto conn = conn_.lock();
    if (!conn || !conn->rpc->is_open()) return;
    std::string body = with_newline(text);
    if (vlog.enabled(LogLevel::Dbg))
        vlog.dbg("replying with {}, id={}: \"{}\"", success ? "success" : "error", json_to_string(id_), body);
    auto msg = success ? JsonRpcMessage::reply(body, id_) : JsonRpcMessage::error_reply(body, id_);
    // A failed send closes the connection through its close handler.
    (void)conn->rpc->send(msg);
    conn->rpc->set_receiving(true);
}

// ---- server ----

UnixctlServer::UnixctlServer(PollLoop& loop, std::unique_ptr<Listener> listener)
    : loop_(loop), listener_(std::move(listener)) {}

Result<std::unique_ptr<UnixctlServer>> UnixctlServer::create(PollLoop& loop, const std::string& path,
                                                             const Options& options) {
    StreamSpec spec;
    spec.kind = StreamSpec::Kind::Unix;
    spec.passive = true;
    spec.path = path;
    spec.text = "punix:" + path;
    auto listener = Listener::open(spec);
    if (!listener) return make_error("{}: could not initialize control socket ({})", path, listener.message());
    std::unique_ptr<UnixctlServer> server(new UnixctlServer(loop, std::move(*listener)));
    server->watch_ =
        loop.watch_fd(server->listener_->fd(), POLLIN, [s = server.get()](short) { s->accept_connections(); });
    server->add_builtin_commands(options);
    return server;
}

UnixctlServer::~UnixctlServer() {
    // Connections first: their replies may still point at the commands.
    conns_.clear();
}

void UnixctlServer::add_command(std::string name, std::optional<std::string> usage, int min_args, int max_args,
                                Handler handler) {
    auto async = [handler = std::move(handler)](const std::vector<std::string>& args, UnixctlReply reply) {
        auto r = handler(args);
        if (r)
            reply.ok(*r);
        else
            reply.error(r.message());
    };
    add_async_command(std::move(name), std::move(usage), min_args, max_args, std::move(async));
}

void UnixctlServer::add_async_command(std::string name, std::optional<std::string> usage, int min_args, int max_args,
                                      AsyncHandler handler) {
    commands_[std::move(name)] = Command{std::move(usage), min_args, max_args, std::move(handler)};
}

std::string UnixctlServer::list_commands() const {
    std::string out = "The available commands are:\n";
    for (const auto& [name, cmd] : commands_) {  // std::map: sorted as OVS sorts
        if (cmd.usage) out += fmt::format("  {:<23} {}\n", name, *cmd.usage);
    }
    return out;
}

void UnixctlServer::accept_connections() {
    for (int i = 0; i < 10; i++) {
        auto stream = listener_->accept();
        if (!stream) {
            vlog.warn_rl(rl, "{}", stream.message());
            return;
        }
        if (!*stream) return;
        auto conn = std::make_shared<UnixctlConn>();
        JsonRpcConnection::Options opts;
        opts.handle_echo = false;
        conn->rpc = std::make_unique<JsonRpcConnection>(loop_, std::move(*stream), opts);
        std::weak_ptr<UnixctlConn> weak = conn;
        conn->rpc->on_message([this, weak](JsonRpcMessage&& msg) {
            if (auto c = weak.lock()) handle_request(c, std::move(msg));
        });
        conn->rpc->on_close([this, weak](const std::string&) {
            if (auto c = weak.lock()) remove_connection(c.get());
        });
        conns_.push_back(std::move(conn));
    }
}

void UnixctlServer::remove_connection(const UnixctlConn* conn) {
    std::erase_if(conns_, [conn](const auto& c) { return c.get() == conn; });
}

void UnixctlServer::handle_request(const std::shared_ptr<UnixctlConn>& conn, JsonRpcMessage&& msg) {
    if (msg.type != JsonRpcMessage::Type::Request) {
        vlog.warn_rl(rl, "{}: received unexpected {} message", conn->rpc->name(), to_string(msg.type));
        return remove_connection(conn.get());
    }
    if (vlog.enabled(LogLevel::Dbg))
        vlog.dbg("received request {}{}, id={}", msg.method, json_to_string(msg.params), json_to_string(msg.id));
    conn->rpc->set_receiving(false);
    UnixctlReply reply(conn, msg.id, msg.method);

    auto it = commands_.find(msg.method);
    int n = static_cast<int>(msg.params.size());
    if (it == commands_.end()) {
        return reply.error(fmt::format(
            "\"{}\" is not a valid command (use \"list-commands\" to see a list of valid commands)", msg.method));
    }
    const Command& cmd = it->second;
    if (n < cmd.min_args)
        return reply.error(fmt::format("\"{}\" command requires at least {} arguments", msg.method, cmd.min_args));
    if (n > cmd.max_args)
        return reply.error(fmt::format("\"{}\" command takes at most {} arguments", msg.method, cmd.max_args));
    std::vector<std::string> args;
    for (const auto& p : msg.params) {
        if (!p.is_string()) return reply.error(fmt::format("\"{}\" command has non-string argument", msg.method));
        args.push_back(p.get<std::string>());
    }
    // A copy: the handler may replace or remove commands.
    AsyncHandler handler = cmd.handler;
    handler(args, std::move(reply));
}

void UnixctlServer::add_builtin_commands(const Options& options) {
    add_command("list-commands", "", 0, 0, [this](const auto&) -> Result<std::string> { return list_commands(); });
    add_command("help", "", 0, 0, [this](const auto&) -> Result<std::string> { return list_commands(); });
    std::string version =
        options.version.empty() ? fmt::format("{} (xvs) {}", vlog_program_name(), xvs_version()) : options.version;
    add_command("version", "", 0, 0, [version](const auto&) -> Result<std::string> { return version; });
    if (options.on_exit) {
        add_async_command("exit", "", 0, 0, [on_exit = options.on_exit](const auto&, UnixctlReply reply) {
            reply.ok("");
            on_exit();
        });
    }

    add_command("vlog/set", "{spec | PATTERN:destination:pattern}", 0, kUnixctlAnyArgs,
                [](const std::vector<std::string>& args) -> Result<std::string> {
                    // No argument: everything at dbg, as OVS does.
                    if (args.empty()) vlog_set_levels(nullptr, std::nullopt, LogLevel::Dbg);
                    for (const auto& a : args) {
                        auto st = vlog_set_levels_from_string(a);
                        if (!st) return st.error();
                    }
                    return std::string();
                });
    add_command("vlog/list", "", 0, 0, [](const auto&) -> Result<std::string> { return vlog_get_levels(); });
    add_command("vlog/list-pattern", "", 0, 0, [](const auto&) -> Result<std::string> { return vlog_get_patterns(); });
    add_command("vlog/reopen", "", 0, 0, [](const auto&) -> Result<std::string> {
        if (!vlog_log_file()) return make_error("Logging to file not configured");
        auto st = vlog_reopen_log_file();
        if (!st) return st.error();
        return std::string();
    });
    add_command("vlog/close", "", 0, 0, [](const auto&) -> Result<std::string> {
        vlog_close_log_file();
        return std::string();
    });
    for (bool enable : {true, false}) {
        add_command(enable ? "vlog/enable-rate-limit" : "vlog/disable-rate-limit", "[module]...", 0, kUnixctlAnyArgs,
                    [enable](const std::vector<std::string>& args) -> Result<std::string> {
                        auto st = vlog_set_rate_limits(args, enable);
                        if (!st) return st.error();
                        return std::string();
                    });
    }
}

// ---- client ----

Result<UnixctlResult> unixctl_transact(const std::string& socket_path, const std::string& command,
                                       const std::vector<std::string>& args) {
    StreamSpec spec;
    spec.kind = StreamSpec::Kind::Unix;
    spec.path = socket_path;
    spec.text = "unix:" + socket_path;
    int err = 0;
    auto stream = Stream::open(spec, &err);
    if (!stream) {
        if (err) return make_error("cannot connect to \"{}\" ({})", socket_path, std::strerror(err));
        return make_error("cannot connect to \"{}\" ({})", socket_path, stream.message());
    }

    PollLoop loop;
    JsonRpcConnection::Options opts;
    opts.handle_echo = false;
    JsonRpcConnection conn(loop, std::move(*stream), opts);
    std::optional<Result<UnixctlResult>> outcome;
    auto done = [&](Result<UnixctlResult> r) {
        if (!outcome) outcome = std::move(r);
        loop.stop();
    };
    auto failed = [&](std::string_view why) { done(make_error("{}: transaction error ({})", socket_path, why)); };
    conn.on_close([&](const std::string& why) { failed(why); });

    Json params = Json::array();
    for (const auto& a : args) params.push_back(a);
    auto st = conn.transact(command, std::move(params), [&](Result<JsonRpcMessage> reply) {
        if (!reply) return failed(reply.message());
        const Json& body = reply->type == JsonRpcMessage::Type::Error ? reply->error : reply->result;
        if (!body.is_string())
            return failed(fmt::format("unexpected {} type in JSON RPC reply: {}",
                                      reply->type == JsonRpcMessage::Type::Error ? "error" : "result",
                                      body.type_name()));
        done(UnixctlResult{reply->type == JsonRpcMessage::Type::Reply, body.get<std::string>()});
    });
    if (!st) return make_error("{}: transaction error ({})", socket_path, st.message());
    loop.run();
    return std::move(*outcome);
}

}  // namespace xvs
