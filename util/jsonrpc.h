// JSON-RPC 1.0 as Open vSwitch speaks it (OVSDB, unixctl): JSON objects
// back to back on a stream with no delimiter; requests {"method", "params"
// (an array), "id"}, notifications (id null), replies {"result", "error":
// null, "id"} and errors {"result": null, "error", "id"}; "echo" requests
// as keepalives.
//
// JsonRpcConnection runs one connection on a PollLoop; JsonRpcSession is
// an active client that reconnects with backoff.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "util/json_framer.h"
#include "util/poll_loop.h"
#include "util/result.h"
#include "util/stream.h"

namespace xvs {

using Json = nlohmann::json;

// Compact JSON text; invalid UTF-8 in strings becomes U+FFFD instead of
// throwing (OVS's peers reject invalid UTF-8).
std::string json_to_string(const Json& j);

struct JsonRpcMessage {
    enum class Type { Request, Notify, Reply, Error };
    Type type = Type::Notify;
    std::string method;  // Request, Notify
    Json params;         // Request, Notify: an array
    Json result;         // Reply
    Json error;          // Error
    Json id;             // Request, Reply, Error

    static JsonRpcMessage request(std::string method, Json params, Json id);
    static JsonRpcMessage notify(std::string method, Json params);
    static JsonRpcMessage reply(Json result, Json id);
    static JsonRpcMessage error_reply(Json error, Json id);

    // The members OVS writes for the type ("error": null in a reply, ...).
    Json to_json() const;
    // The text of to_json(), written member by member (building that
    // object would copy "params" or "result", which can be large).
    std::string serialize() const;
    // serialize()'s text of a notification whose params are JSON text
    // already (an update written once and sent to many peers).
    static std::string serialize_notify(std::string_view method, std::string_view params_text);
    // OVS's reading: a null "params"/"result"/"error"/"id" counts as
    // absent, the type follows from what is present, anything else is an
    // error (the texts are OVS's).
    static Result<JsonRpcMessage> from_json(Json j);
};

std::string_view to_string(JsonRpcMessage::Type type);

class JsonRpcConnection {
public:
    struct Options {
        // A message longer than this is answered with an error and the
        // connection closed.
        size_t max_message_bytes = 64u << 20;
        // While more than this is queued for the peer, stop reading from
        // it: a peer that sends requests without reading the replies
        // cannot grow our memory.
        size_t pause_reading_backlog = 1u << 20;
        // More than this queued for the peer drops the connection; 0: never.
        size_t max_backlog_bytes = 0;
        // After this long without a byte from the peer, send an "echo"
        // request; after as long again, drop the connection. 0: never.
        std::chrono::milliseconds probe_interval{0};
        // Answer "echo" requests here and swallow replies to our probes, as
        // an OVS jsonrpc session does. (The unixctl server turns this off:
        // OVS's does not answer "echo".)
        bool handle_echo = true;
        // While the loop still has other ready fds to dispatch in this
        // round (PollLoop::more_ready()), queue what send() is given and
        // write it when the round's callbacks are done (PollLoop::defer):
        // a server answering many peers makes one write per peer and
        // round, however many messages it has for it, and wakes its peers
        // together instead of one after another between requests. Output
        // produced when no other peer is waiting is written at once.
        // Messages keep their order.
        bool coalesce_writes = false;
    };
    using MessageHandler = std::function<void(JsonRpcMessage&&)>;
    using CloseHandler = std::function<void(const std::string& why)>;
    using ReplyHandler = std::function<void(Result<JsonRpcMessage>)>;

    // The stream may still be connecting.
    JsonRpcConnection(PollLoop& loop, std::unique_ptr<Stream> stream, Options options);
    ~JsonRpcConnection();
    JsonRpcConnection(const JsonRpcConnection&) = delete;
    JsonRpcConnection& operator=(const JsonRpcConnection&) = delete;

    // Handlers may destroy the connection.
    void on_connected(std::function<void()> fn) {
        on_connected_ = std::make_shared<std::function<void()>>(std::move(fn));
    }
    void on_message(MessageHandler fn) { on_message_ = std::make_shared<MessageHandler>(std::move(fn)); }
    // Called once when the connection closes for any reason other than
    // close() or destruction; "why" names the connection.
    void on_close(CloseHandler fn) { on_close_ = std::make_shared<CloseHandler>(std::move(fn)); }

    const std::string& name() const { return stream_->name(); }
    bool is_open() const { return !closed_; }
    bool is_connected() const { return !closed_ && stream_->state() == Stream::State::Connected; }

    Status send(const JsonRpcMessage& msg);
    // Sends a message given as its text (JsonRpcMessage::serialize()'s).
    // write_now: written at once (behind what is queued) even with
    // coalesce_writes.
    Status send_serialized(std::string_view text, bool write_now = false);
    // Sends a request with a fresh id; done gets the reply or error with
    // that id, or an error if the connection closes first.
    Status transact(std::string method, Json params, ReplyHandler done);

    // Stops or resumes taking messages from the peer (a server that handles
    // one request at a time pauses until it has replied).
    void set_receiving(bool on);
    size_t backlog() const { return stream_->backlog(); }

    // Closes without calling on_close; pending transactions get errors.
    void close();

private:
    void on_ready(short revents);
    void on_connect_done();
    void read_input();
    void dispatch_pending();
    void deliver(JsonRpcMessage&& msg);
    void protocol_error(const std::string& what, std::string_view kind, const Json& id);
    void handle_close(const std::string& why, bool notify);
    void arm_probe(PollLoop::Clock::time_point when);
    void check_probe();
    void update_events();
    void defer_close(std::string why);
    void schedule_flush();
    void flush_output();

    PollLoop& loop_;
    std::unique_ptr<Stream> stream_;
    Options opts_;
    PollLoop::FdWatch watch_;
    PollLoop::Timer probe_timer_, close_timer_, resume_timer_;
    JsonFramer framer_;
    std::deque<std::string> pending_;
    bool receiving_ = true;
    bool closed_ = false;
    bool probing_ = false;
    bool flush_scheduled_ = false;  // coalesce_writes: a flush_output() is deferred
    PollLoop::Clock::time_point last_activity_, probe_sent_;
    uint64_t next_id_ = 0;
    std::map<std::string, ReplyHandler> transactions_;  // by the id's JSON text
    std::shared_ptr<std::function<void()>> on_connected_;
    std::shared_ptr<MessageHandler> on_message_;
    std::shared_ptr<CloseHandler> on_close_;
    // Cleared on destruction so code returning from a handler that
    // destroyed the connection knows not to touch it.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// An active client connection that reconnects: after a failed attempt it
// waits min_backoff, doubling up to max_backoff; after a connection that
// worked for at least the current backoff it waits min_backoff again.
class JsonRpcSession {
public:
    struct Options {
        JsonRpcConnection::Options connection;
        std::chrono::milliseconds min_backoff{1000};
        std::chrono::milliseconds max_backoff{8000};
        StreamSpecDefaults spec_defaults;
    };

    // spec must be an active connection method; the first attempt starts now.
    static Result<std::unique_ptr<JsonRpcSession>> create(PollLoop& loop, std::string_view spec,
                                                          const Options& options);
    JsonRpcSession(const JsonRpcSession&) = delete;
    JsonRpcSession& operator=(const JsonRpcSession&) = delete;

    // Handlers may destroy the session.
    void on_connected(std::function<void()> fn) {
        on_connected_ = std::make_shared<std::function<void()>>(std::move(fn));
    }
    void on_message(JsonRpcConnection::MessageHandler fn) {
        on_message_ = std::make_shared<JsonRpcConnection::MessageHandler>(std::move(fn));
    }
    // After a connection that got through closes (not after failed attempts).
    void on_disconnected(std::function<void(const std::string& why)> fn) {
        on_disconnected_ = std::make_shared<std::function<void(const std::string&)>>(std::move(fn));
    }

    bool is_connected() const { return conn_ && conn_->is_connected(); }
    // Changes on every connection and disconnection, so a client can tell
    // that it must resend its state.
    unsigned seqno() const { return seqno_; }
    const std::string& last_error() const { return last_error_; }
    std::chrono::milliseconds backoff() const { return backoff_; }

    // Fails (and drops the message) when not connected.
    Status send(const JsonRpcMessage& msg);
    // JsonRpcConnection::send_serialized() on the current connection.
    Status send_serialized(std::string_view text, bool write_now = false);
    Status transact(std::string method, Json params, JsonRpcConnection::ReplyHandler done);
    // Drops the connection, if any, and connects again at once.
    void force_reconnect();

private:
    JsonRpcSession(PollLoop& loop, StreamSpec spec, Options options);
    void connect();
    void connected();
    void disconnected(const std::string& why);
    void schedule_retry();

    PollLoop& loop_;
    StreamSpec spec_;
    Options opts_;
    std::unique_ptr<JsonRpcConnection> conn_;
    PollLoop::Timer retry_timer_, connect_timer_;
    bool active_ = false;  // the current connection got through
    PollLoop::Clock::time_point connected_at_;
    std::chrono::milliseconds backoff_{0};
    unsigned seqno_ = 0;
    std::string last_error_;
    std::shared_ptr<std::function<void()>> on_connected_;
    std::shared_ptr<JsonRpcConnection::MessageHandler> on_message_;
    std::shared_ptr<std::function<void(const std::string&)>> on_disconnected_;
};

}  // namespace xvs
