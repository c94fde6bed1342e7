#include "ovsdb/server.h"

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "util/vlog.h"

namespace xvs::ovsdb {

namespace {

VlogModule vlog("ovsdb_server");

// _Server: what OVS's ovsdb-server publishes about its databases; clients
// (the C and Python IDLs) check it before trusting a database.
const char* const kServerSchema = R"({
  "name": "_Server", "version": "1.2.0",
  "tables": {
    "Database": {
      "isRoot": true,
      "columns": {
        "name": {"type": "string"},
        "model": {"type": {"key": {"type": "string", "enum": ["set", ["standalone", "clustered", "relay"]]}}},
        "connected": {"type": "boolean"},
        "leader": {"type": "boolean"},
        "schema": {"type": {"key": {"type": "string"}, "min": 0, "max": 1}},
        "cid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
        "sid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
        "index": {"type": {"key": {"type": "integer"}, "min": 0, "max": 1}}}}}})";

std::string id_key(const Json& id) { return json_to_string(id); }

Json rpc_error(const char* tag, const std::string& details) { return Json{{"error", tag}, {"details", details}}; }

bool is_db_remote(const std::string& spec) { return spec.rfind("db:", 0) == 0; }

// <id>: [A-Za-z_][A-Za-z0-9_]*, what OVS accepts as a lock name.
bool is_lock_name(const Json& j) {
    if (!j.is_string()) return false;
    const std::string& s = j.get_ref<const std::string&>();
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

}  // namespace

struct Server::Db {
    std::string name;
    std::unique_ptr<Storage> storage;  // null for _Server
    Database* db = nullptr;
    size_t listener = 0;
};

struct Server::Remote {
    std::string spec;
    std::string from_db;  // the db: remote that produced it, or ""
    std::unique_ptr<Listener> listener;
    PollLoop::FdWatch watch;
    std::unique_ptr<JsonRpcSession> active;
    Session* active_session = nullptr;
};

struct Server::Session {
    std::unique_ptr<JsonRpcConnection> conn;  // accepted connection
    JsonRpcSession* active = nullptr;         // or an active remote's
    Remote* remote = nullptr;
    struct Mon {
        std::string db;
        Monitor monitor;
        // What decides the monitor's updates, as text: its kind and
        // requests, and for each table whose conditions monitor_cond_change
        // replaced, the latest replacement. Monitors with equal shapes get
        // equal <table-updates>, so on_commit() builds those once.
        std::string requests;
        std::map<std::string, std::string> cond_changes;  // table -> its requests
        std::string shape;

        void update_shape() {
            shape = fmt::format("{}\n{}", static_cast<int>(monitor.kind()), requests);
            for (const auto& [table, reqs] : cond_changes)
                fmt::format_to(std::back_inserter(shape), "\n{}\n{}", table, reqs);
        }
    };
    std::map<std::string, Mon> monitors;  // by the monitor id's JSON text

    Status send_now(std::string_view text, bool write_now = false) {
        return conn ? conn->send_serialized(text, write_now) : active->send_serialized(text, write_now);
    }
    std::string name() const { return conn ? conn->name() : (remote ? remote->spec : "?"); }
    void reset_state() { monitors.clear(); }
};

struct Server::Trigger {
    Session* session;
    Json id;
    Json params;
    std::string db;
    PollLoop::Clock::time_point start;
    PollLoop::Timer timer;
};

Server::Server(PollLoop& loop) : loop_(loop), server_id_(Uuid::random()) {
    auto schema = Schema::from_json(Json::parse(kServerSchema));
    server_db_ = std::make_unique<Database>(std::move(*schema));
    auto d = std::make_unique<Db>();
    d->name = "_Server";
    d->db = server_db_.get();
    Db* raw = d.get();
    d->listener = server_db_->add_listener([this, raw](const auto& ch) { on_commit(*raw, ch); });
    dbs_["_Server"] = std::move(d);
}

Server::~Server() {
    triggers_.clear();
    sessions_.clear();
    remotes_.clear();
}

std::vector<std::string> Server::database_names() const {
    std::vector<std::string> out;
    for (const auto& [name, db] : dbs_) out.push_back(name);
    return out;
}

void Server::register_server_row(const std::string& name, const Schema& schema) {
    Json ops = Json::array({"_Server", Json{{"op", "insert"},
                                            {"table", "Database"},
                                            {"row", Json{{"name", name},
                                                         {"model", "standalone"},
                                                         {"connected", true},
                                                         {"leader", true},
                                                         {"schema", json_to_string(schema.to_json())}}}}});
    auto r = server_db_->execute(ops);
    if (r.kind != TransactResult::Kind::Done || r.reply.empty() || r.reply[0].contains("error"))
        vlog.err("cannot publish {} in _Server: {}", name, json_to_string(r.reply));
}

Status Server::add_database(std::unique_ptr<Storage> storage) {
    std::string name = storage->database().schema().name;
    if (dbs_.count(name)) return make_error("a database named {} is already served", name);
    auto d = std::make_unique<Db>();
    d->name = name;
    d->db = &storage->database();
    d->storage = std::move(storage);
    d->storage->set_group_commit(true);  // flush() syncs (see send())
    Db* raw = d.get();
    d->listener = d->db->add_listener([this, raw](const auto& ch) { on_commit(*raw, ch); });
    register_server_row(name, d->db->schema());
    dbs_[name] = std::move(d);
    update_db_remotes();
    return {};
}

Server::Db* Server::find_db(const Json& name) {
    if (!name.is_string()) return nullptr;
    auto it = dbs_.find(name.get<std::string>());
    return it == dbs_.end() ? nullptr : it->second.get();
}

// ---- remotes -----------------------------------------------------------------

Status Server::add_remote(const std::string& spec) {
    if (configured_.count(spec)) return make_error("remote {} is already configured", spec);
    if (is_db_remote(spec)) {
        configured_.insert(spec);
        update_db_remotes();
        return {};
    }
    if (auto s = open_remote(spec, ""); !s) return s;
    configured_.insert(spec);
    return {};
}

Status Server::remove_remote(const std::string& spec) {
    if (!configured_.erase(spec)) return make_error("remote {} is not configured", spec);
    auto from = [&](const std::unique_ptr<Remote>& r) { return r->spec == spec || r->from_db == spec; };
    for (auto& r : remotes_)
        if (from(r)) end_remote_sessions(*r);
    remotes_.erase(std::remove_if(remotes_.begin(), remotes_.end(), from), remotes_.end());
    return {};
}

// Ends every session of a remote about to be destroyed: sessions point at
// their Remote, so one outliving it would be a dangling pointer; and OVS
// closes a removed remote's connections too.
void Server::end_remote_sessions(Remote& r) {
    std::vector<Session*> doomed;
    for (auto& s : sessions_)
        if (s->remote == &r) doomed.push_back(s.get());
    for (Session* s : doomed) end_session(s);
}

std::vector<std::string> Server::remotes() const { return {configured_.begin(), configured_.end()}; }

std::vector<std::string> Server::listening() const {
    std::vector<std::string> out;
    for (const auto& r : remotes_)
        if (r->listener) out.push_back(r->listener->name());
    return out;
}

Status Server::open_remote(const std::string& spec, const std::string& from_db) {
    auto parsed = parse_stream_spec(spec, StreamSpecDefaults{6640, ""});
    if (!parsed) return parsed.error();
    auto r = std::make_unique<Remote>();
    r->spec = spec;
    r->from_db = from_db;
    Remote* raw = r.get();
    if (parsed->passive) {
        auto l = Listener::open(*parsed);
        if (!l) return l.error();
        r->listener = std::move(*l);
        r->watch = loop_.watch_fd(r->listener->fd(), POLLIN, [this, raw](short) { accept(*raw); });
        vlog.info("listening on {}", r->listener->name());
    } else {
        JsonRpcSession::Options o;
        o.spec_defaults.port = 6640;
        o.connection.coalesce_writes = true;  // see accept()
        auto sess = JsonRpcSession::create(loop_, spec, o);
        if (!sess) return sess.error();
        r->active = std::move(*sess);
        auto s = std::make_unique<Session>();
        s->active = r->active.get();
        s->remote = raw;
        Session* sraw = s.get();
        r->active_session = sraw;
        r->active->on_message([this, sraw](JsonRpcMessage&& m) { handle(*sraw, std::move(m)); });
        r->active->on_disconnected([this, sraw](const std::string&) {
            // A new connection is a new client: nothing carries over.
            forget_session_state(*sraw);
        });
        sessions_.push_back(std::move(s));
    }
    remotes_.push_back(std::move(r));
    return {};
}

void Server::accept(Remote& r) {
    for (;;) {
        auto s = r.listener->accept();
        if (!s) {
            vlog.warn("accept on {} failed: {}", r.listener->name(), s.message());
            return;
        }
        if (!*s) return;  // nothing pending
        JsonRpcConnection::Options o;
        // While other clients are still to be served in this round of
        // the loop, replies are queued and written when the round is done:
        // one write per client however many messages it gets, and the
        // clients woken in one burst. Woken one reply at a time, between
        // one client's commit and the next, each sleeping client cost the
        // server more than the commit itself. (Monitor updates are the
        // exception: see on_commit().)
        o.coalesce_writes = true;
        auto conn = std::make_unique<JsonRpcConnection>(loop_, std::move(*s), o);
        start_session(std::move(conn), &r);
    }
}

void Server::start_session(std::unique_ptr<JsonRpcConnection> conn, Remote* remote) {
    auto s = std::make_unique<Session>();
    s->conn = std::move(conn);
    s->remote = remote;
    Session* raw = s.get();
    s->conn->on_message([this, raw](JsonRpcMessage&& m) { handle(*raw, std::move(m)); });
    s->conn->on_close([this, raw](const std::string& why) {
        vlog.dbg("{}: connection closed: {}", raw->name(), why);
        loop_.post([this, raw] { end_session(raw); });
    });
    vlog.dbg("{}: new connection", raw->name());
    sessions_.push_back(std::move(s));
}

// Locks, blocked transactions, monitors and unsent messages belong to one
// connection.
void Server::forget_session_state(Session& s) {
    release_locks(s);
    held_.erase(std::remove_if(held_.begin(), held_.end(), [&](const auto& h) { return h.first == &s; }),
                held_.end());
    triggers_.erase(std::remove_if(triggers_.begin(), triggers_.end(), [&](const auto& t) { return t->session == &s; }),
                    triggers_.end());
    s.reset_state();
}

void Server::end_session(Session* s) {
    auto it = std::find_if(sessions_.begin(), sessions_.end(), [&](const auto& p) { return p.get() == s; });
    if (it == sessions_.end()) return;
    forget_session_state(*s);
    if (s->remote && s->remote->active_session == s) s->remote->active_session = nullptr;
    sessions_.erase(it);
}

// Reads every db: remote's column and opens or closes remotes to match.
void Server::update_db_remotes() {
    std::set<std::pair<std::string, std::string>> want;  // (spec, from)
    for (const std::string& spec : configured_) {
        if (!is_db_remote(spec)) continue;
        std::string rest = spec.substr(3);
        auto c1 = rest.find(','), c2 = rest.find(',', c1 + 1);
        if (c1 == std::string::npos || c2 == std::string::npos) {
            vlog.warn("{}: expected db:DATABASE,TABLE,COLUMN", spec);
            continue;
        }
        Db* d = find_db(Json(rest.substr(0, c1)));
        if (!d) continue;
        const Database& db = *d->db;
        auto ti = db.schema().table_index(rest.substr(c1 + 1, c2 - c1 - 1));
        if (!ti) continue;
        const ColumnSchema* col = db.schema().tables[*ti].column(rest.substr(c2 + 1));
        if (!col) continue;
        for (const auto& [uuid, row] : db.table(*ti).rows) {
            for (const Atom& a : row->fields[col->index].keys) {
                if (const auto* str = std::get_if<std::string>(&a)) {
                    want.insert({*str, spec});
                } else if (const auto* ref = std::get_if<Uuid>(&a)) {
                    // A reference (Open_vSwitch:manager_options): the target.
                    auto rt = db.schema().table_index(col->type.key.ref_table);
                    if (!rt) continue;
                    const ColumnSchema* target = db.schema().tables[*rt].column("target");
                    auto target_row = db.find_row(*rt, *ref);
                    if (!target || !target_row) continue;
                    for (const Atom& t : target_row->fields[target->index].keys)
                        if (const auto* ts = std::get_if<std::string>(&t)) want.insert({*ts, spec});
                }
            }
        }
    }
    // Close what is no longer wanted, open what is new.
    for (auto& r : remotes_)
        if (!r->from_db.empty() && !want.count({r->spec, r->from_db})) end_remote_sessions(*r);
    remotes_.erase(std::remove_if(remotes_.begin(), remotes_.end(),
                                  [&](const auto& r) { return !r->from_db.empty() && !want.count({r->spec, r->from_db}); }),
                   remotes_.end());
    for (const auto& [spec, from] : want) {
        bool have = std::any_of(remotes_.begin(), remotes_.end(),
                                [&](const auto& r) { return r->spec == spec && r->from_db == from; });
        if (!have)
            if (auto s = open_remote(spec, from); !s) vlog.warn("{} (from {}): {}", spec, from, s.message());
    }
}

// ---- dispatch ----------------------------------------------------------------

// Every message to a client goes through here. While a durable commit is
// written but not yet synced, messages are held in held_ rather than sent,
// in the order they were sent (across sessions too): none of them may
// reveal that commit, or anything committed after it, before it is on
// disk. flush() runs once the loop has dispatched every connection that was
// ready, so one fdatasync covers the durable commits of all of them (group
// commit); then it sends what it held.
void Server::send(Session& s, JsonRpcMessage&& m) {
    send_text(s, m.serialize());
}

void Server::send_text(Session& s, std::string text, bool write_now) {
    if (!holding_) {
        if (auto st = s.send_now(text, write_now); !st) vlog.dbg("{}: message not sent: {}", s.name(), st.message());
        return;
    }
    held_.emplace_back(&s, std::move(text));
}

// From a durable commit on, until flush().
void Server::hold_for_sync() {
    if (holding_) return;
    holding_ = true;
    loop_.defer([this] { flush(); });
}

void Server::flush() {
    for (auto& [name, d] : dbs_) {
        if (!d->storage || !d->storage->sync_pending()) continue;
        if (auto st = d->storage->sync(); !st) {
            // The kernel may have dropped the unsynced pages, so the file
            // may lack commits that memory has; none of the held messages
            // may go out. The server exits; a restart reads what the file
            // holds (PostgreSQL's answer to a failed fsync, too).
            vlog.emer("{}; exiting without acknowledging the transactions that needed it", st.message());
            held_.clear();  // and still holding: nothing is sent from now on
            loop_.stop(1);
            return;
        }
    }
    holding_ = false;
    auto out = std::move(held_);
    held_.clear();
    for (auto& [session, text] : out)
        if (auto st = session->send_now(text); !st) vlog.dbg("{}: message not sent: {}", session->name(), st.message());
}

void Server::reply(Session& s, const Json& id, Json result) {
    send(s, JsonRpcMessage::reply(std::move(result), id));
}

void Server::reply_error(Session& s, const Json& id, Json error) {
    send(s, JsonRpcMessage::error_reply(std::move(error), id));
}

void Server::handle(Session& s, JsonRpcMessage&& msg) {
    if (msg.type == JsonRpcMessage::Type::Reply || msg.type == JsonRpcMessage::Type::Error) return;
    const std::string& m = msg.method;
    bool request = msg.type == JsonRpcMessage::Type::Request;
    if (!msg.params.is_array()) {
        if (request) reply_error(s, msg.id, rpc_error(tag::kSyntax, "params must be an array"));
        return;
    }
    if (m == "cancel") return m_cancel(s, msg);
    if (!request) return;  // other notifications mean nothing to a server
    if (m == "list_dbs") {
        reply(s, msg.id, database_names());
    } else if (m == "get_schema") {
        Db* d = msg.params.empty() ? nullptr : find_db(msg.params[0]);
        if (!d) return reply_error(s, msg.id, rpc_error(tag::kUnknownDatabase, "unknown database"));
        reply(s, msg.id, d->db->schema().to_json());
    } else if (m == "transact") {
        m_transact(s, std::move(msg));
    } else if (m == "monitor") {
        m_monitor(s, msg, MonitorKind::Plain);
    } else if (m == "monitor_cond") {
        m_monitor(s, msg, MonitorKind::Cond);
    } else if (m == "monitor_cond_since") {
        m_monitor(s, msg, MonitorKind::Since);
    } else if (m == "monitor_cond_change") {
        m_monitor_cond_change(s, msg);
    } else if (m == "monitor_cancel") {
        m_monitor_cancel(s, msg);
    } else if (m == "lock" || m == "steal" || m == "unlock") {
        m_lock(s, msg, m);
    } else if (m == "echo") {
        reply(s, msg.id, msg.params);
    } else if (m == "set_db_change_aware") {
        reply(s, msg.id, Json::object());
    } else if (m == "get_server_id") {
        reply(s, msg.id, server_id_.to_string());
    } else {
        reply_error(s, msg.id, Json("unknown method"));
    }
}

// ---- transact ------------------------------------------------------------------

bool Server::run_trigger(Trigger& t) {
    Session& s = *t.session;
    Db* d = find_db(Json(t.db));
    if (!d) {
        reply_error(s, t.id, rpc_error(tag::kUnknownDatabase, "unknown database"));
        return true;
    }
    ExecuteOptions o;
    o.owns_lock = [this, &s](const std::string& lock) {
        auto it = locks_.find(lock);
        return it != locks_.end() && !it->second.empty() && it->second.front() == &s;
    };
    o.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(PollLoop::Clock::now() - t.start).count();
    o.read_only = d->storage == nullptr;
    TransactResult r = d->db->execute(t.params, o);
    switch (r.kind) {
    case TransactResult::Kind::Done:
        reply(s, t.id, std::move(r.reply));
        return true;
    case TransactResult::Kind::RpcError:
        reply_error(s, t.id, std::move(r.reply));
        return true;
    case TransactResult::Kind::Blocked:
        if (r.timeout_ms && !t.timer.active()) {
            auto due = std::chrono::milliseconds(*r.timeout_ms) -
                       std::chrono::duration_cast<std::chrono::milliseconds>(PollLoop::Clock::now() - t.start);
            Trigger* raw = &t;
            t.timer = loop_.add_timer(std::max(due, std::chrono::milliseconds(0)), [this, raw] {
                auto it = std::find_if(triggers_.begin(), triggers_.end(), [&](const auto& p) { return p.get() == raw; });
                if (it != triggers_.end() && run_trigger(**it)) triggers_.erase(it);
            });
        }
        return false;
    }
    return true;
}

void Server::m_transact(Session& s, JsonRpcMessage&& msg) {
    // ovsdb-server's answer to a request without a database name.
    if (msg.params.empty() || !msg.params[0].is_string())
        return reply_error(s, msg.id,
                           syntax_error(msg.params, "transact request params must begin with <db-name>").to_json());
    auto t = std::make_unique<Trigger>();
    t->session = &s;
    t->db = msg.params[0].get<std::string>();
    // Moved, not copied: copying the operations cost as much as running them.
    t->id = std::move(msg.id);
    t->params = std::move(msg.params);
    t->start = PollLoop::Clock::now();
    if (!run_trigger(*t)) triggers_.push_back(std::move(t));
}

void Server::retry_triggers(Db& db) {
    std::vector<Trigger*> mine;
    for (auto& t : triggers_)
        if (t->db == db.name) mine.push_back(t.get());
    for (Trigger* t : mine) {
        auto it = std::find_if(triggers_.begin(), triggers_.end(), [&](const auto& p) { return p.get() == t; });
        if (it != triggers_.end() && run_trigger(**it)) triggers_.erase(it);
    }
}

void Server::m_cancel(Session& s, const JsonRpcMessage& msg) {
    if (msg.params.size() != 1) return;
    auto it = std::find_if(triggers_.begin(), triggers_.end(),
                           [&](const auto& t) { return t->session == &s && t->id == msg.params[0]; });
    if (it == triggers_.end()) return;
    reply_error(s, (*it)->id, Json("canceled"));
    triggers_.erase(it);
}

void Server::on_commit(Db& db, const std::shared_ptr<const TxnChanges>& changes) {
    // A durable commit is written, not yet synced: from here on nothing
    // leaves until it is (this commit's notifications and reply included).
    if (db.storage && db.storage->sync_pending()) hold_for_sync();
    // Monitors of the same shape get the same <table-updates>: each
    // distinct one is built and written as text once per commit (a hundred
    // clients watching the same rows cost one update, not a hundred).
    // nullopt: the commit touches nothing that shape watches.
    std::unordered_map<std::string_view, std::optional<std::string>> by_shape;
    std::string txn_id;  // for update3, made when first needed
    for (auto& sp : sessions_) {
        Session& s = *sp;
        for (auto& [key, mon] : s.monitors) {
            if (mon.db != db.name) continue;
            auto [shared, fresh] = by_shape.try_emplace(mon.shape);
            if (fresh) {
                if (auto u = mon.monitor.updates(*changes)) shared->second = json_to_string(*u);
            }
            if (!shared->second) continue;
            MonitorKind kind = mon.monitor.kind();
            std::string params = "[" + json_to_string(mon.monitor.id());
            if (kind == MonitorKind::Since) {
                if (txn_id.empty()) txn_id = json_to_string(Json(changes->txn_id.to_string()));
                params += ',';
                params += txn_id;
            }
            params += ',';
            params += *shared->second;
            params += ']';
            const char* method = kind == MonitorKind::Plain  ? "update"
                                 : kind == MonitorKind::Cond ? "update2"
                                                             : "update3";
            // Written at once rather than with the iteration's replies:
            // with many watchers, the first ones work on their update
            // while the server is still writing to the rest.
            send_text(s, JsonRpcMessage::serialize_notify(method, params), true);
        }
    }
    // After this commit's request has been answered: blocked waits may now
    // succeed, and db: remotes may have changed. Only when there are any.
    bool waiting = std::any_of(triggers_.begin(), triggers_.end(), [&](const auto& t) { return t->db == db.name; });
    bool db_remotes = std::any_of(configured_.begin(), configured_.end(), is_db_remote);
    if (!waiting && !db_remotes) return;
    Db* raw = &db;
    loop_.defer([this, raw] {
        retry_triggers(*raw);
        update_db_remotes();
    });
}

// ---- monitors -------------------------------------------------------------------

void Server::m_monitor(Session& s, const JsonRpcMessage& msg, MonitorKind kind) {
    const Json& p = msg.params;
    size_t want = kind == MonitorKind::Since ? 4 : 3;
    if (p.size() < 3 || p.size() > want)
        return reply_error(s, msg.id, rpc_error(tag::kSyntax, fmt::format("{} takes {} parameters", msg.method, want)));
    Db* d = find_db(p[0]);
    if (!d) return reply_error(s, msg.id, rpc_error(tag::kUnknownDatabase, "unknown database"));
    std::string key = id_key(p[1]);
    if (s.monitors.count(key)) return reply_error(s, msg.id, Json("duplicate monitor ID"));
    auto mon = Monitor::create(*d->db, kind, p[1], p[2]);
    if (!mon) return reply_error(s, msg.id, mon.error().to_json());
    Json result;
    if (kind == MonitorKind::Since) {
        // The client's cache is current only if nothing committed since the
        // transaction it names; otherwise it gets everything afresh.
        bool found = p.size() == 4 && p[3].is_string() && p[3].get<std::string>() == d->db->last_txn_id().to_string();
        result = Json::array({found, d->db->last_txn_id().to_string()});
        result.push_back(found ? Json::object() : mon->initial(*d->db));  // moved, not copied
    } else {
        result = mon->initial(*d->db);
    }
    auto& m =
        s.monitors.emplace(key, Session::Mon{d->name, std::move(*mon), json_to_string(p[2]), {}, {}}).first->second;
    m.update_shape();
    reply(s, msg.id, std::move(result));
}

void Server::m_monitor_cond_change(Session& s, const JsonRpcMessage& msg) {
    const Json& p = msg.params;
    if (p.size() != 3) return reply_error(s, msg.id, rpc_error(tag::kSyntax, "monitor_cond_change takes 3 parameters"));
    auto it = s.monitors.find(id_key(p[0]));
    if (it == s.monitors.end()) return reply_error(s, msg.id, Json("unknown monitor"));
    if (it->second.monitor.kind() == MonitorKind::Plain)
        return reply_error(s, msg.id, rpc_error(tag::kSyntax, "monitor_cond_change needs a conditional monitor"));
    Db* d = find_db(Json(it->second.db));
    if (!d) return reply_error(s, msg.id, rpc_error(tag::kUnknownDatabase, "unknown database"));
    // Re-keying onto another live monitor's id would silently drop one of
    // them (map::emplace keeps the old entry); OVS refuses it.
    std::string new_key = id_key(p[1]);
    if (new_key != it->first && s.monitors.count(new_key))
        return reply_error(s, msg.id, rpc_error(tag::kSyntax, "duplicate monitor ID"));
    auto u = it->second.monitor.change_conditions(*d->db, p[2]);
    if (!u) return reply_error(s, msg.id, u.error().to_json());
    Session::Mon mon = std::move(it->second);
    mon.monitor.set_id(p[1]);
    for (const auto& [table, reqs] : p[2].items()) mon.cond_changes[table] = json_to_string(reqs);
    mon.update_shape();
    s.monitors.erase(it);
    auto& m = s.monitors.emplace(new_key, std::move(mon)).first->second;
    // The rows entering or leaving the selection go out before the reply, as
    // OVS sends them: a client that has the reply has the new contents.
    if (!u->empty()) send_cond_change_update(s, m.monitor, *d, *u);
    reply(s, msg.id, Json::object());
}

void Server::send_cond_change_update(Session& s, const Monitor& m, const Db& d, const Json& u) {
    if (m.kind() == MonitorKind::Since)
        send(s, JsonRpcMessage::notify("update3", Json::array({m.id(), d.db->last_txn_id().to_string(), u})));
    else
        send(s, JsonRpcMessage::notify("update2", Json::array({m.id(), u})));
}

void Server::m_monitor_cancel(Session& s, const JsonRpcMessage& msg) {
    if (msg.params.size() != 1 || !s.monitors.erase(id_key(msg.params[0])))
        return reply_error(s, msg.id, Json("unknown monitor"));
    reply(s, msg.id, Json::object());
}

// ---- locks ------------------------------------------------------------------------

void Server::m_lock(Session& s, const JsonRpcMessage& msg, const std::string& mode) {
    // Error texts are ovsdb-server's. A lock name is an <id>, as in OVS.
    if (msg.params.size() != 1 || !is_lock_name(msg.params[0]))
        return reply_error(s, msg.id, rpc_error(tag::kSyntax, mode + " request params must be <id>"));
    std::string name = msg.params[0].get<std::string>();
    auto held = locks_.find(name);
    if (mode != "unlock" && held != locks_.end() &&
        std::count(held->second.begin(), held->second.end(), &s))
        return reply_error(s, msg.id, rpc_error(tag::kSyntax, "must issue \"unlock\" before new \"" + mode + "\""));
    auto& q = locks_[name];
    auto mine = std::find(q.begin(), q.end(), &s);
    if (mode == "unlock") {
        if (mine == q.end()) {
            if (q.empty()) locks_.erase(name);
            return reply_error(s, msg.id, rpc_error(tag::kSyntax, "unlock: \"unlock\" without \"lock\" or \"steal\""));
        }
        bool was_owner = mine == q.begin();
        q.erase(mine);
        reply(s, msg.id, Json::object());
        if (was_owner && !q.empty()) send(*q.front(), JsonRpcMessage::notify("locked", Json::array({name})));
        if (q.empty()) locks_.erase(name);
        return;
    }
    if (mode == "lock") {
        q.push_back(&s);
        return reply(s, msg.id, Json{{"locked", q.front() == &s}});
    }
    // steal (a session already in the queue was refused above)
    Session* victim = q.empty() ? nullptr : q.front();
    q.insert(q.begin(), &s);
    reply(s, msg.id, Json{{"locked", true}});
    if (victim) send(*victim, JsonRpcMessage::notify("stolen", Json::array({name})));
}

void Server::release_locks(Session& s) {
    for (auto it = locks_.begin(); it != locks_.end();) {
        auto& q = it->second;
        bool was_owner = !q.empty() && q.front() == &s;
        q.erase(std::remove(q.begin(), q.end(), &s), q.end());
        if (was_owner && !q.empty()) send(*q.front(), JsonRpcMessage::notify("locked", Json::array({it->first})));
        it = q.empty() ? locks_.erase(it) : std::next(it);
    }
}

// ---- administration ---------------------------------------------------------------

Status Server::compact(const std::string& name) {
    if (!name.empty() && !dbs_.count(name)) return make_error("{}: no such database", name);
    Status result;
    for (auto& [n, d] : dbs_) {
        if (!d->storage || (!name.empty() && n != name)) continue;
        if (auto s = d->storage->compact(); !s) {
            result = make_error("{}: {}", n, s.message());
            break;
        }
    }
    // The snapshot was built in memory (rows as JSON, then as text): give
    // the freed heap back to the system rather than keep it as the peak.
    ::malloc_trim(0);
    return result;
}

std::string Server::memory_report() const {
    size_t rows = 0, monitors = 0;
    for (const auto& [n, d] : dbs_) rows += d->db->n_rows();
    for (const auto& s : sessions_) monitors += s->monitors.size();
    size_t lock_waiters = 0;
    for (const auto& [n, q] : locks_) lock_waiters += q.size();
    return fmt::format("rows:{} monitors:{} sessions:{} locks:{} triggers:{}\n", rows, monitors, sessions_.size(),
                       lock_waiters, triggers_.size());
}

}  // namespace xvs::ovsdb
