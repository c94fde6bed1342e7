#include "util/jsonrpc.h"

#include <poll.h>

#include "util/vlog.h"

namespace xvs {

namespace {

VlogModule vlog("jsonrpc");
VlogModule vlog_reconnect("reconnect");
RateLimiter rl(5, 5);

constexpr size_t kReadChunk = size_t{64} * 1024;
// Reads per wakeup before other connections get their turn.
constexpr int kReadsPerWakeup = 8;

double seconds(std::chrono::milliseconds ms) {
    return static_cast<double>(ms.count()) / 1000.0;
}

}  // namespace

std::string json_to_string(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string_view to_string(JsonRpcMessage::Type type) {
    switch (type) {
        case JsonRpcMessage::Type::Request:
            return "request";
        case JsonRpcMessage::Type::Notify:
            return "notification";
        case JsonRpcMessage::Type::Reply:
            return "reply";
        case JsonRpcMessage::Type::Error:
            return "error";
    }
    return "unknown";
}

// ---- messages ----

JsonRpcMessage JsonRpcMessage::request(std::string method, Json params, Json id) {
    JsonRpcMessage m;
    m.type = Type::Request;
    m.method = std::move(method);
    m.params = std::move(params);
    m.id = std::move(id);
    return m;
}

JsonRpcMessage JsonRpcMessage::notify(std::string method, Json params) {
    JsonRpcMessage m;
    m.type = Type::Notify;
    m.method = std::move(method);
    m.params = std::move(params);
    return m;
}

JsonRpcMessage JsonRpcMessage::reply(Json result, Json id) {
    JsonRpcMessage m;
    m.type = Type::Reply;
    m.result = std::move(result);
    m.id = std::move(id);
    return m;
}

JsonRpcMessage JsonRpcMessage::error_reply(Json error, Json id) {
    JsonRpcMessage m;
    m.type = Type::Error;
    m.error = std::move(error);
    m.id = std::move(id);
    return m;
}

Json JsonRpcMessage::to_json() const {
    Json j = Json::object();
    switch (type) {
        case Type::Request:
            j["method"] = method;
            j["params"] = params;
            j["id"] = id;
            break;
        case Type::Notify:
            j["method"] = method;
            j["params"] = params;
            j["id"] = nullptr;
            break;
        case Type::Reply:
            j["result"] = result;
            j["error"] = nullptr;
            j["id"] = id;
            break;
        case Type::Error:
            j["result"] = nullptr;
            j["error"] = error;
            j["id"] = id;
            break;
    }
    return j;
}

std::string JsonRpcMessage::serialize() const {
    // Members in to_json()'s order (nlohmann sorts keys), so the bytes match.
    std::string out;
    switch (type) {
        case Type::Request:
            out = "{\"id\":";
            out += json_to_string(id);
            out += ",\"method\":";
            out += json_to_string(Json(method));
            out += ",\"params\":";
            out += json_to_string(params);
            break;
        case Type::Notify:
            return serialize_notify(method, json_to_string(params));
        case Type::Reply:
            out = "{\"error\":null,\"id\":";
            out += json_to_string(id);
            out += ",\"result\":";
            out += json_to_string(result);
            break;
        case Type::Error:
            out = "{\"error\":";
            out += json_to_string(error);
            out += ",\"id\":";
            out += json_to_string(id);
            out += ",\"result\":null";
            break;
    }
    out += '}';
    return out;
}

std::string JsonRpcMessage::serialize_notify(std::string_view method, std::string_view params_text) {
    std::string out = "{\"id\":null,\"method\":";
    out += json_to_string(Json(method));
    out += ",\"params\":";
    out += params_text;
    out += '}';
    return out;
}

Result<JsonRpcMessage> JsonRpcMessage::from_json(Json j) {
    if (!j.is_object()) return make_error("message is not a JSON object");
    auto take = [&j](const char* key) -> Json {
        auto it = j.find(key);
        if (it == j.end()) return nullptr;
        Json v = std::move(*it);
        j.erase(it);
        return v;
    };
    Json method = take("method");
    if (!method.is_null() && !method.is_string()) return make_error("method is not a JSON string");
    JsonRpcMessage m;
    m.params = take("params");
    m.result = take("result");
    m.error = take("error");
    m.id = take("id");
    if (!j.empty()) return make_error("message has unexpected member \"{}\"", j.begin().key());
    if (method.is_string()) m.method = method.get<std::string>();

    m.type = !m.result.is_null()  ? Type::Reply
             : !m.error.is_null() ? Type::Error
             : !m.id.is_null()    ? Type::Request
                                  : Type::Notify;
    if (!m.params.is_null() && !m.params.is_array()) return make_error("\"params\" must be JSON array");

    // Which members each type must (true) or must not (false) have:
    // method, params, result, error, id.
    struct Shape {
        bool method, params, result, error, id;
    };
    Shape want{};
    switch (m.type) {
        case Type::Request:
            want = {true, true, false, false, true};
            break;
        case Type::Notify:
            want = {true, true, false, false, false};
            break;
        case Type::Reply:
            want = {false, false, true, false, true};
            break;
        case Type::Error:
            want = {false, false, false, true, true};
            break;
    }
    auto check = [&](bool has, bool must, const char* member) -> Status {
        if (has == must) return {};
        return make_error("{} must{} have \"{}\"", to_string(m.type), must ? "" : " not", member);
    };
    for (const auto& st :
         {check(method.is_string(), want.method, "method"), check(!m.params.is_null(), want.params, "params"),
          check(!m.result.is_null(), want.result, "result"), check(!m.error.is_null(), want.error, "error"),
          check(!m.id.is_null(), want.id, "id")}) {
        if (!st) return st.error();
    }
    return m;
}

// ---- one connection ----

JsonRpcConnection::JsonRpcConnection(PollLoop& loop, std::unique_ptr<Stream> stream, Options options)
    : loop_(loop), stream_(std::move(stream)), opts_(options), framer_(options.max_message_bytes) {
    last_activity_ = PollLoop::Clock::now();
    watch_ = loop_.watch_fd(stream_->fd(), 0, [this](short revents) { on_ready(revents); });
    if (stream_->state() == Stream::State::Connected) {
        arm_probe(last_activity_ + opts_.probe_interval);
    } else if (stream_->state() == Stream::State::Closed) {
        defer_close(stream_->error());
    }
    update_events();
}

JsonRpcConnection::~JsonRpcConnection() {
    *alive_ = false;
}

void JsonRpcConnection::update_events() {
    if (closed_) return;
    bool want_read = receiving_ && pending_.empty() && stream_->backlog() <= opts_.pause_reading_backlog;
    watch_.set_events(stream_->wanted_events(want_read));
}

void JsonRpcConnection::on_ready(short revents) {
    if (closed_) return;
    auto alive = alive_;
    if (stream_->state() == Stream::State::Connecting) {
        on_connect_done();
        return;
    }
    if (revents & POLLOUT) {
        stream_->flush();
        if (stream_->state() == Stream::State::Closed) return handle_close(stream_->error(), true);
    }
    // A hangup or error is read too, even while reading is paused: the read
    // finds the end of the stream and the connection closes.
    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        read_input();
        if (!*alive || closed_) return;
    }
    update_events();
}

void JsonRpcConnection::on_connect_done() {
    auto state = stream_->poll_connect();
    if (state == Stream::State::Connecting) return;
    if (state == Stream::State::Closed) return handle_close(stream_->error(), true);
    last_activity_ = PollLoop::Clock::now();
    arm_probe(last_activity_ + opts_.probe_interval);
    update_events();
    if (on_connected_) {
        auto cb = on_connected_;
        (*cb)();
    }
}

void JsonRpcConnection::read_input() {
    auto alive = alive_;
    std::string buf;
    for (int i = 0; i < kReadsPerWakeup && !closed_; i++) {
        buf.clear();
        size_t n = stream_->recv(buf, kReadChunk);
        if (n == 0) break;
        last_activity_ = PollLoop::Clock::now();
        std::vector<std::string> values;
        auto st = framer_.feed(buf, values);
        for (auto& v : values) pending_.push_back(std::move(v));
        if (!st) {
            // Messages that were complete before the bad bytes still count.
            dispatch_pending();
            if (!*alive || closed_) return;
            bool too_long = framer_.error_kind() == JsonFramer::ErrorKind::TooLong;
            return protocol_error(st.message(), too_long ? "message too long" : "syntax error", nullptr);
        }
        if (n < kReadChunk) break;
    }
    dispatch_pending();
    if (!*alive || closed_) return;
    if (stream_->state() == Stream::State::Closed) handle_close(stream_->error(), true);
}

void JsonRpcConnection::dispatch_pending() {
    auto alive = alive_;
    while (receiving_ && !closed_ && !pending_.empty()) {
        std::string text = std::move(pending_.front());
        pending_.pop_front();
        Json j;
        try {
            j = Json::parse(text);
        } catch (const Json::exception& e) {
            return protocol_error(e.what(), "syntax error", nullptr);
        }
        // Answer a bad request under its own id where it has one.
        Json id = j.is_object() && j.contains("id") ? j["id"] : Json();
        auto msg = JsonRpcMessage::from_json(std::move(j));
        if (!msg) return protocol_error(msg.message(), "invalid JSON-RPC message", id);
        vlog.dbg("{}: received {}: {}", name(), to_string(msg->type), text);
        deliver(std::move(*msg));
        if (!*alive) return;
    }
}

void JsonRpcConnection::deliver(JsonRpcMessage&& msg) {
    using Type = JsonRpcMessage::Type;
    if (opts_.handle_echo) {
        if (msg.type == Type::Request && msg.method == "echo") {
            (void)send(JsonRpcMessage::reply(std::move(msg.params), std::move(msg.id)));
            return;
        }
        if (msg.type == Type::Reply && msg.id == "echo") return;
    }
    if ((msg.type == Type::Reply || msg.type == Type::Error) && !transactions_.empty()) {
        auto it = transactions_.find(json_to_string(msg.id));
        if (it != transactions_.end()) {
            auto done = std::move(it->second);
            transactions_.erase(it);
            done(std::move(msg));
            return;
        }
    }
    if (on_message_) {
        auto cb = on_message_;
        (*cb)(std::move(msg));
    }
}

void JsonRpcConnection::protocol_error(const std::string& what, std::string_view kind, const Json& id) {
    vlog.warn_rl(rl, "{}: {}: {}", name(), kind, what);
    if (stream_->state() == Stream::State::Connected) {
        // Best effort: the peer learns why before the connection closes.
        Json err = {{"error", kind}, {"details", what}};
        stream_->send(JsonRpcMessage::error_reply(std::move(err), id).serialize());
    }
    handle_close(fmt::format("{}: {}: {}", name(), kind, what), true);
}

void JsonRpcConnection::handle_close(const std::string& why, bool notify) {
    if (closed_) return;
    closed_ = true;
    auto alive = alive_;
    watch_.reset();
    probe_timer_.cancel();
    close_timer_.cancel();
    resume_timer_.cancel();
    pending_.clear();
    stream_->close(why);
    vlog.dbg("{}", why);

    auto txns = std::move(transactions_);
    transactions_.clear();
    for (auto& [id, done] : txns) {
        done(Error{why});
        if (!*alive) return;
    }
    if (notify && on_close_) {
        auto cb = on_close_;
        (*cb)(why);
    }
}

void JsonRpcConnection::close() {
    handle_close(fmt::format("{}: closed", name()), false);
}

void JsonRpcConnection::defer_close(std::string why) {
    if (closed_ || close_timer_.active()) return;
    close_timer_ =
        loop_.add_timer(PollLoop::Clock::duration::zero(), [this, why = std::move(why)] { handle_close(why, true); });
}

Status JsonRpcConnection::send(const JsonRpcMessage& msg) {
    if (closed_) return make_error("{}: connection is closed", name());
    return send_serialized(msg.serialize());
}

Status JsonRpcConnection::send_serialized(std::string_view text, bool write_now) {
    if (closed_) return make_error("{}: connection is closed", name());
    // Queued only while other peers are still to be served in this round:
    // the last one's output (a lone client's reply, say) goes out now,
    // before the clean-up after its request, as without coalescing.
    bool queued = opts_.coalesce_writes && !write_now && loop_.more_ready();
    if (stream_->state() != Stream::State::Closed) {
        if (queued) {
            stream_->enqueue(text);
            schedule_flush();
        } else {
            stream_->send(text);
        }
    }
    if (stream_->state() == Stream::State::Closed) {
        defer_close(stream_->error());
        return make_error("{}", stream_->error());
    }
    if (opts_.max_backlog_bytes && stream_->backlog() > opts_.max_backlog_bytes) {
        auto why = fmt::format("{}: sending backlog exceeded maximum size ({} > {} bytes), disconnecting", name(),
                               stream_->backlog(), opts_.max_backlog_bytes);
        vlog.warn("{}", why);
        defer_close(why);
        return make_error("{}", why);
    }
    // A queued message changes the poll events only once it is flushed
    // (flush_output() updates them).
    if (!queued) update_events();
    return {};
}

void JsonRpcConnection::schedule_flush() {
    if (flush_scheduled_) return;
    flush_scheduled_ = true;
    loop_.defer([this, alive = alive_] {
        if (!*alive) return;
        flush_scheduled_ = false;
        flush_output();
    });
}

void JsonRpcConnection::flush_output() {
    if (closed_) return;
    stream_->flush();
    if (stream_->state() == Stream::State::Closed) return handle_close(stream_->error(), true);
    update_events();
}

Status JsonRpcConnection::transact(std::string method, Json params, ReplyHandler done) {
    Json id = next_id_++;
    auto st = send(JsonRpcMessage::request(std::move(method), std::move(params), id));
    if (!st) return st;
    transactions_[json_to_string(id)] = std::move(done);
    return {};
}

void JsonRpcConnection::set_receiving(bool on) {
    receiving_ = on;
    if (closed_) return;
    if (on && !pending_.empty()) {
        // Not from here: the caller may be inside a handler of ours.
        resume_timer_ = loop_.add_timer(PollLoop::Clock::duration::zero(), [this] {
            auto alive = alive_;
            dispatch_pending();
            if (*alive) update_events();
        });
    }
    update_events();
}

void JsonRpcConnection::arm_probe(PollLoop::Clock::time_point when) {
    if (opts_.probe_interval.count() <= 0) return;
    probe_timer_ = loop_.add_timer(when - PollLoop::Clock::now(), [this] { check_probe(); });
}

void JsonRpcConnection::check_probe() {
    auto now = PollLoop::Clock::now();
    auto interval = opts_.probe_interval;
    // Anything received since the probe answers it (the check itself may
    // run a little after the full interval).
    if (probing_ && last_activity_ > probe_sent_) probing_ = false;
    if (now - last_activity_ < interval) {
        probing_ = false;
        return arm_probe(last_activity_ + interval);
    }
    if (!probing_) {
        probing_ = true;
        probe_sent_ = now;
        vlog.dbg("{}: idle {} ms, sending inactivity probe", name(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(now - last_activity_).count());
        arm_probe(now + interval);
        (void)send(JsonRpcMessage::request("echo", Json::array(), "echo"));
        return;
    }
    auto why = fmt::format("{}: no response to inactivity probe after {:.3g} seconds, disconnecting", name(),
                           seconds(interval));
    vlog.err("{}", why);
    handle_close(why, true);
}

// ---- reconnecting session ----

Result<std::unique_ptr<JsonRpcSession>> JsonRpcSession::create(PollLoop& loop, std::string_view spec,
                                                               const Options& options) {
    auto parsed = parse_stream_spec(spec, options.spec_defaults);
    if (!parsed) return parsed.error();
    if (parsed->passive) return make_error("{}: a client session needs an active connection method", spec);
    std::unique_ptr<JsonRpcSession> s(new JsonRpcSession(loop, std::move(*parsed), options));
    s->connect();
    return s;
}

JsonRpcSession::JsonRpcSession(PollLoop& loop, StreamSpec spec, Options options)
    : loop_(loop), spec_(std::move(spec)), opts_(std::move(options)) {}

void JsonRpcSession::connect() {
    retry_timer_.cancel();
    active_ = false;
    vlog_reconnect.info("{}: connecting...", spec_.text);
    auto stream = Stream::open(spec_);
    if (!stream) {
        vlog_reconnect.info("{}", stream.message());
        last_error_ = stream.message();
        return schedule_retry();
    }
    conn_ = std::make_unique<JsonRpcConnection>(loop_, std::move(*stream), opts_.connection);
    conn_->on_message([this](JsonRpcMessage&& m) {
        if (on_message_) {
            auto cb = on_message_;
            (*cb)(std::move(m));
        }
    });
    conn_->on_close([this](const std::string& why) { disconnected(why); });
    if (conn_->is_connected()) {
        // Reported from the loop, so the creator has set its handlers.
        connect_timer_ = loop_.add_timer(PollLoop::Clock::duration::zero(), [this] { connected(); });
    } else {
        conn_->on_connected([this] { connected(); });
        auto limit = std::max(backoff_, opts_.min_backoff);
        connect_timer_ = loop_.add_timer(limit, [this] {
            conn_.reset();
            last_error_ = fmt::format("{}: connection attempt timed out", spec_.text);
            vlog_reconnect.info("{}", last_error_);
            schedule_retry();
        });
    }
}

void JsonRpcSession::connected() {
    connect_timer_.cancel();
    active_ = true;
    connected_at_ = PollLoop::Clock::now();
    seqno_++;
    vlog_reconnect.info("{}: connected", spec_.text);
    if (on_connected_) {
        auto cb = on_connected_;
        (*cb)();
    }
}

void JsonRpcSession::disconnected(const std::string& why_ref) {
    // 'why_ref' may live in the connection's stream, which conn_.reset()
    // below frees.
    const std::string why = why_ref;
    bool was_active = active_;
    active_ = false;
    connect_timer_.cancel();
    // We are inside the connection's close handler; it touches nothing of
    // itself after the handler returns.
    conn_.reset();
    last_error_ = why;
    if (was_active) {
        seqno_++;
        vlog_reconnect.info("{}", why);
        if (PollLoop::Clock::now() - connected_at_ >= backoff_) backoff_ = std::chrono::milliseconds(0);
    } else {
        vlog_reconnect.info("{}: connection attempt failed", spec_.text);
    }
    schedule_retry();
    if (was_active && on_disconnected_) {
        auto cb = on_disconnected_;
        (*cb)(why);
    }
}

void JsonRpcSession::schedule_retry() {
    if (backoff_ < opts_.min_backoff)
        backoff_ = opts_.min_backoff;
    else
        backoff_ = std::min(backoff_ * 2, opts_.max_backoff);
    vlog_reconnect.dbg("{}: waiting {:.3g} seconds before reconnect", spec_.text, seconds(backoff_));
    retry_timer_ = loop_.add_timer(backoff_, [this] { connect(); });
}

Status JsonRpcSession::send(const JsonRpcMessage& msg) {
    if (!is_connected()) return make_error("{}: not connected", spec_.text);
    return conn_->send(msg);
}

Status JsonRpcSession::send_serialized(std::string_view text, bool write_now) {
    if (!is_connected()) return make_error("{}: not connected", spec_.text);
    return conn_->send_serialized(text, write_now);
}

Status JsonRpcSession::transact(std::string method, Json params, JsonRpcConnection::ReplyHandler done) {
    if (!is_connected()) return make_error("{}: not connected", spec_.text);
    return conn_->transact(std::move(method), std::move(params), std::move(done));
}

void JsonRpcSession::force_reconnect() {
    if (conn_ && active_) seqno_++;
    conn_.reset();
    connect_timer_.cancel();
    backoff_ = std::chrono::milliseconds(0);
    connect();
}

}  // namespace xvs
