// xvs-vsctl's connection to the database server: blocking requests over
// util's PollLoop and JsonRpcConnection. One request at a time; while it
// waits (for a reply or in pause()), the loop keeps the connection alive,
// answering the server's "echo" requests. There is no timeout of its own:
// --timeout's SIGALRM ends the process, as it does ovs-vsctl.
//
// Logging (module "jsonrpc", at dbg): JsonRpcConnection logs what it
// receives; this logs what it sends, in the same form.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "util/jsonrpc.h"
#include "util/poll_loop.h"

namespace xvs::vsctl {

class DbClient {
public:
    // Connects to "unix:PATH" or "tcp:HOST[:PORT]" (port 6640 by
    // default). With retry (--retry), a server that is not there yet is
    // waited for, trying once a second; without, a failed connection is
    // fatal ("SPEC: database connection failed (why)").
    DbClient(std::string spec, bool retry);
    DbClient(const DbClient&) = delete;
    DbClient& operator=(const DbClient&) = delete;

    // Sends a request and waits for its reply; an error reply or a lost
    // connection is fatal.
    Json call(const std::string& method, Json params);
    // Waits, keeping the connection served.
    void pause(std::chrono::milliseconds how_long);

private:
    // "" when connected, else why not (the system's text).
    std::string try_connect();
    void on_message(JsonRpcMessage&& msg);
    template <typename Done>
    void run_until(Done done);

    std::string spec_;
    PollLoop loop_;
    std::unique_ptr<JsonRpcConnection> conn_;
    std::string closed_why_;  // set when the connection closed
    bool closed_ = false;
    uint64_t next_id_ = 0;
    Json pending_id_;
    std::optional<JsonRpcMessage> reply_;
};

}  // namespace xvs::vsctl
