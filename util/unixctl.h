// The control socket of every xvs daemon, compatible with Open vSwitch's
// ovs-appctl: JSON-RPC on a Unix socket, one request per command
//   {"method": "<command>", "params": ["arg", ...], "id": N}
// answered with
//   {"result": "<text>", "error": null, "id": N}   or
//   {"result": null, "error": "<text>", "id": N}.
// Non-empty texts end with a newline (OVS 3.1 adds one; its ovs-appctl
// prints the text as it is). Each connection handles one request at a time.
//
// Built in: list-commands and help (the same list), version, the vlog/
// commands, and exit when the daemon gives an exit hook.
#pragma once

#include <climits>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/jsonrpc.h"
#include "util/poll_loop.h"
#include "util/result.h"
#include "util/stream.h"

namespace xvs {

constexpr int kUnixctlAnyArgs = INT_MAX;

struct UnixctlConn;

// A request waiting for its reply. A command may keep it and reply later;
// the connection takes no other request meanwhile. Replying twice, or
// after the client went away, does nothing; dropping it unanswered answers
// with an error, so a client is never left waiting by a bug.
class UnixctlReply {
public:
    UnixctlReply(std::weak_ptr<UnixctlConn> conn, Json id, std::string command);
    UnixctlReply(UnixctlReply&& o) noexcept;
    UnixctlReply& operator=(UnixctlReply&& o) noexcept;
    UnixctlReply(const UnixctlReply&) = delete;
    UnixctlReply& operator=(const UnixctlReply&) = delete;
    ~UnixctlReply();

    void ok(std::string_view text);
    void error(std::string_view text);
    bool pending() const { return pending_; }

private:
    void send(bool success, std::string_view text);

    std::weak_ptr<UnixctlConn> conn_;
    Json id_;
    std::string command_;
    bool pending_ = false;
};

class UnixctlServer {
public:
    // Returns the reply text, or an error text.
    using Handler = std::function<Result<std::string>(const std::vector<std::string>& args)>;
    // Replies through `reply`, now or later.
    using AsyncHandler = std::function<void(const std::vector<std::string>& args, UnixctlReply reply)>;

    struct Options {
        // The "version" reply; by default "<program> (xvs) <version>",
        // e.g. "xvs-vswitchd (xvs) 0.1.0" (the program as vlog knows it).
        std::string version;
        // Registers "exit", which replies and then calls this.
        std::function<void()> on_exit;
    };

    // Listens on path (replacing a socket file left there).
    static Result<std::unique_ptr<UnixctlServer>> create(PollLoop& loop, const std::string& path,
                                                         const Options& options);
    // Closes every connection and removes the socket file.
    ~UnixctlServer();
    UnixctlServer(const UnixctlServer&) = delete;
    UnixctlServer& operator=(const UnixctlServer&) = delete;

    // usage: the argument synopsis list-commands shows; nullopt hides the
    // command. Registering a name again replaces the command.
    void add_command(std::string name, std::optional<std::string> usage, int min_args, int max_args, Handler handler);
    void add_async_command(std::string name, std::optional<std::string> usage, int min_args, int max_args,
                           AsyncHandler handler);

    const std::string& path() const { return listener_->path(); }
    // The list-commands text.
    std::string list_commands() const;

private:
    struct Command {
        std::optional<std::string> usage;
        int min_args, max_args;
        AsyncHandler handler;
    };

    UnixctlServer(PollLoop& loop, std::unique_ptr<Listener> listener);
    void accept_connections();
    void handle_request(const std::shared_ptr<UnixctlConn>& conn, JsonRpcMessage&& msg);
    void remove_connection(const UnixctlConn* conn);
    void add_builtin_commands(const Options& options);

    PollLoop& loop_;
    std::unique_ptr<Listener> listener_;
    PollLoop::FdWatch watch_;
    std::map<std::string, Command> commands_;
    std::vector<std::shared_ptr<UnixctlConn>> conns_;
};

// The client side of one command, as ovs-appctl runs it: connects to the
// socket, sends the request, waits for the reply. ok: the result text;
// !ok: the error text the server returned. An Error: the transaction
// failed (the message says why).
struct UnixctlResult {
    bool ok = false;
    std::string text;
};
Result<UnixctlResult> unixctl_transact(const std::string& socket_path, const std::string& command,
                                       const std::vector<std::string>& args);

}  // namespace xvs
