// The replica: connection, schema, monitor, applying updates, locks, and
// reading commit replies. Building transactions is in idl_txn.cpp.
#include "ovsdb/idl.h"

#include <algorithm>
#include <stdexcept>

#include "util/vlog.h"

namespace xvs::ovsdb {

namespace {

VlogModule vlog("ovsdb_idl");
RateLimiter rl(60, 20);

const Datum& empty_datum() {
    static const Datum d;
    return d;
}

template <typename T>
const T* first_key(const Datum& d) {
    return d.empty() ? nullptr : std::get_if<T>(&d.keys[0]);
}

template <typename T>
std::vector<T> keys_of(const Datum& d) {
    std::vector<T> out;
    for (const Atom& a : d.keys)
        if (const T* v = std::get_if<T>(&a)) out.push_back(*v);
    return out;
}

// An error from a JSON-RPC "error" member or an operation result:
// "tag: details", or the string itself.
std::string error_text(const Json& e) {
    if (e.is_string()) return e.get<std::string>();
    if (e.is_object() && e.contains("error") && e.at("error").is_string()) {
        std::string s = e.at("error").get<std::string>();
        if (e.contains("details") && e.at("details").is_string()) s += ": " + e.at("details").get<std::string>();
        return s;
    }
    return json_to_string(e);
}

bool is_unknown_method(const Json& e) {
    const Json* tag = e.is_object() && e.contains("error") ? &e.at("error") : &e;
    return tag->is_string() && tag->get<std::string>() == "unknown method";
}

}  // namespace

// ---- rows and tables ----------------------------------------------------------

const ColumnSchema* IdlRow::column(std::string_view name) const {
    return table_->schema() ? table_->schema()->column(name) : nullptr;
}

const Datum& IdlRow::get(std::string_view name) const {
    const ColumnSchema* c = column(name);
    return c ? fields_[c->index] : empty_datum();
}

std::string IdlRow::get_string(std::string_view column, std::string_view def) const {
    const std::string* s = first_key<std::string>(get(column));
    return s ? *s : std::string(def);
}

std::optional<std::string> IdlRow::get_optional_string(std::string_view column) const {
    const std::string* s = first_key<std::string>(get(column));
    return s ? std::optional<std::string>(*s) : std::nullopt;
}

int64_t IdlRow::get_integer(std::string_view column, int64_t def) const {
    return get_optional_integer(column).value_or(def);
}

std::optional<int64_t> IdlRow::get_optional_integer(std::string_view column) const {
    const int64_t* i = first_key<int64_t>(get(column));
    return i ? std::optional<int64_t>(*i) : std::nullopt;
}

double IdlRow::get_real(std::string_view column, double def) const {
    const Datum& d = get(column);
    if (const double* r = first_key<double>(d)) return *r;
    return def;
}

bool IdlRow::get_bool(std::string_view column, bool def) const {
    return get_optional_bool(column).value_or(def);
}

std::optional<bool> IdlRow::get_optional_bool(std::string_view column) const {
    const bool* b = first_key<bool>(get(column));
    return b ? std::optional<bool>(*b) : std::nullopt;
}

std::optional<Uuid> IdlRow::get_uuid(std::string_view column) const {
    const Uuid* u = first_key<Uuid>(get(column));
    return u ? std::optional<Uuid>(*u) : std::nullopt;
}

std::vector<std::string> IdlRow::get_strings(std::string_view column) const {
    return keys_of<std::string>(get(column));
}

std::vector<int64_t> IdlRow::get_integers(std::string_view column) const {
    return keys_of<int64_t>(get(column));
}

std::vector<Uuid> IdlRow::get_uuids(std::string_view column) const {
    return keys_of<Uuid>(get(column));
}

std::map<std::string, std::string> IdlRow::get_string_map(std::string_view column) const {
    std::map<std::string, std::string> out;
    const Datum& d = get(column);
    for (size_t i = 0; i < d.values.size(); i++) {
        const auto* k = std::get_if<std::string>(&d.keys[i]);
        const auto* v = std::get_if<std::string>(&d.values[i]);
        if (k && v) out.emplace(*k, *v);
    }
    return out;
}

std::optional<std::string> IdlRow::get_map_value(std::string_view column, std::string_view key) const {
    const Datum& d = get(column);
    if (!d.is_map()) return std::nullopt;
    auto i = d.find_key(Atom(std::string(key)));
    if (!i) return std::nullopt;
    const auto* v = std::get_if<std::string>(&d.values[*i]);
    return v ? std::optional<std::string>(*v) : std::nullopt;
}

const IdlRow* IdlRow::ref(std::string_view column) const {
    const ColumnSchema* c = this->column(column);
    if (!c || !c->type.key.is_ref()) return nullptr;
    const Uuid* u = first_key<Uuid>(fields_[c->index]);
    return u ? table_->idl().row(c->type.key.ref_table, *u) : nullptr;
}

std::vector<const IdlRow*> IdlRow::refs(std::string_view column) const {
    std::vector<const IdlRow*> out;
    const ColumnSchema* c = this->column(column);
    if (!c || !c->type.key.is_ref()) return out;
    for (const Atom& a : fields_[c->index].keys)
        if (const IdlRow* r = table_->idl().row(c->type.key.ref_table, std::get<Uuid>(a))) out.push_back(r);
    return out;
}

std::vector<std::pair<Atom, const IdlRow*>> IdlRow::ref_map(std::string_view column) const {
    std::vector<std::pair<Atom, const IdlRow*>> out;
    const ColumnSchema* c = this->column(column);
    if (!c || !c->type.value || !c->type.value->is_ref()) return out;
    const Datum& d = fields_[c->index];
    for (size_t i = 0; i < d.values.size(); i++)
        if (const IdlRow* r = table_->idl().row(c->type.value->ref_table, std::get<Uuid>(d.values[i])))
            out.emplace_back(d.keys[i], r);
    return out;
}

bool IdlTable::is_monitored(std::string_view column) const {
    const ColumnSchema* c = schema_ ? schema_->column(column) : nullptr;
    return c && monitored_[c->index];
}

const IdlRow* IdlTable::row(const Uuid& uuid) const {
    auto it = rows_.find(uuid);
    return it == rows_.end() ? nullptr : it->second.get();
}

Uuid IdlTxnResult::real_uuid(const Uuid& uuid) const {
    auto it = inserted.find(uuid);
    return it == inserted.end() ? uuid : it->second;
}

std::string_view to_string(IdlTxnResult::Status status) {
    switch (status) {
        case IdlTxnResult::Status::Success:
            return "success";
        case IdlTxnResult::Status::TryAgain:
            return "try again";
        case IdlTxnResult::Status::NotLocked:
            return "not locked";
        case IdlTxnResult::Status::Error:
            return "error";
    }
    return "?";
}

// ---- connection -------------------------------------------------------------------

Result<std::unique_ptr<Idl>> Idl::create(PollLoop& loop, std::string remote, std::string db_name, Options options) {
    auto spec = parse_stream_spec(remote, StreamSpecDefaults{6640, ""});
    if (!spec) return spec.error();
    if (spec->passive) return make_error("{}: the database connection needs an active connection method", remote);
    return std::make_unique<Idl>(loop, std::move(remote), std::move(db_name), options);
}

Idl::Idl(PollLoop& loop, std::string remote, std::string db_name, Options options)
    : loop_(loop), remote_(std::move(remote)), db_name_(std::move(db_name)), opts_(options) {
    empty_table_.idl_ = this;
    JsonRpcSession::Options so;
    so.min_backoff = opts_.min_backoff;
    so.max_backoff = opts_.max_backoff;
    so.connection.probe_interval = opts_.probe_interval;
    so.spec_defaults.port = 6640;
    auto s = JsonRpcSession::create(loop_, remote_, so);
    if (!s) throw std::invalid_argument(s.message());
    session_ = std::move(*s);
    session_->on_connected([this] { connected(); });
    session_->on_message([this](JsonRpcMessage&& m) { handle_message(std::move(m)); });
    session_->on_disconnected([this](const std::string& why) { disconnected(why); });
}

Idl::~Idl() {
    *alive_ = false;
    session_.reset();
}

bool Idl::is_connected() const {
    return state_ != State::Disconnected;
}

std::string Idl::last_error() const {
    if (state_ == State::Disconnected && !session_->last_error().empty()) return session_->last_error();
    return last_error_;
}

void Idl::force_reconnect() {
    if (state_ != State::Disconnected) {
        auto alive = alive_;
        disconnected(fmt::format("{}: reconnecting on request", remote_));
        if (!*alive) return;
    }
    session_->force_reconnect();
}

void Idl::connected() {
    conn_seq_++;
    state_ = State::SchemaRequested;
    retry_delay_ = std::chrono::milliseconds(0);
    retry_timer_.cancel();
    if (!lock_name_.empty()) send_lock();
    request_schema();
}

void Idl::disconnected(const std::string& why) {
    if (state_ == State::Disconnected) return;
    state_ = State::Disconnected;
    conn_seq_++;
    retry_timer_.cancel();
    last_error_ = why;
    vlog.info("{}: disconnected: {}", db_name_, why);
    auto alive = alive_;
    fail_commits(IdlTxnResult::Status::TryAgain, "connection lost: " + why);
    if (!*alive) return;
    lock_contended_ = false;
    set_has_lock(false);
}

void Idl::retry_later(std::string why) {
    vlog.warn("{}: {}", db_name_, why);
    last_error_ = std::move(why);
    retry_delay_ = std::clamp(retry_delay_ * 2, opts_.min_backoff, opts_.max_backoff);
    unsigned seq = conn_seq_;
    retry_timer_ = loop_.add_timer(retry_delay_, [this, seq] {
        if (seq == conn_seq_ && state_ != State::Disconnected) request_schema();
    });
}

void Idl::request_schema() {
    state_ = State::SchemaRequested;
    unsigned seq = conn_seq_;
    (void)session_->transact("get_schema", Json::array({db_name_}), [this, seq](Result<JsonRpcMessage> r) {
        if (seq == conn_seq_) schema_received(std::move(r));
    });
}

void Idl::schema_received(Result<JsonRpcMessage> r) {
    if (!r) return;  // the connection closed; disconnected() follows
    if (r->type == JsonRpcMessage::Type::Error) return retry_later(fmt::format("get_schema: {}", error_text(r->error)));
    auto schema = Schema::from_json(r->result);
    if (!schema) return retry_later(fmt::format("get_schema: bad schema: {}", schema.message()));
    // A different schema (the server converted the database) invalidates
    // every row: columns are stored by index.
    if (!schema_ || schema_->to_json() != schema->to_json())
        install_schema(std::make_shared<const Schema>(std::move(*schema)));
    send_monitor();
}

void Idl::install_schema(std::shared_ptr<const Schema> schema) {
    tables_.clear();
    schema_ = std::move(schema);
    monitored_requests_ = Json();
    last_txn_id_.reset();
    for (const TableSchema& ts : schema_->tables) {
        auto t = std::make_unique<IdlTable>();
        t->idl_ = this;
        t->name_ = ts.name;
        t->schema_ = &ts;
        t->monitored_.assign(ts.columns.size(), false);
        for (const ColumnSchema& c : ts.columns) t->defaults_.push_back(Datum::default_for(c.type));
        tables_.emplace(ts.name, std::move(t));
    }
    update_monitored();
}

// Which columns the registrations select in the current schema.
void Idl::update_monitored() {
    bool everything = registered_.empty();
    for (auto& [name, t] : tables_) {
        auto reg = registered_.find(name);
        for (const ColumnSchema& c : t->schema_->columns) {
            bool user = c.index >= kFirstUserColumn;
            t->monitored_[c.index] =
                user && (everything ||
                         (reg != registered_.end() && (reg->second.all_columns || reg->second.columns.count(c.name))));
        }
    }
    for (const auto& [name, reg] : registered_) {
        const TableSchema* ts = schema_->table(name);
        std::string missing;
        if (!ts) {
            missing = fmt::format("table {}", name);
        } else {
            for (const std::string& c : reg.columns)
                if (!ts->column(c)) missing = fmt::format("column {} in table {}", c, name);
        }
        if (!missing.empty()) {
            last_error_ = fmt::format("database {} has no {}", db_name_, missing);
            vlog.warn("{}", last_error_);
        }
    }
}

void Idl::add_table(std::string_view table) {
    Registration& r = registered_[std::string(table)];
    if (r.all_columns) return;
    r.all_columns = true;
    registration_changed();
}

void Idl::add_column(std::string_view table, std::string_view column) {
    Registration& r = registered_[std::string(table)];
    if (!r.columns.emplace(column).second || r.all_columns) return;
    registration_changed();
}

void Idl::registration_changed() {
    if (!schema_) return;
    update_monitored();
    if (state_ == State::MonitorRequested || state_ == State::Monitoring) {
        (void)session_->transact("monitor_cancel", Json::array({monitor_id_}), [](Result<JsonRpcMessage>) {});
        send_monitor();
    }
}

void Idl::send_monitor() {
    Json requests = Json::object();
    bool everything = registered_.empty();
    for (const auto& [name, t] : tables_) {
        if (!everything && !registered_.count(name)) continue;
        Json columns = Json::array();
        for (const ColumnSchema& c : t->schema_->columns)
            if (t->monitored_[c.index]) columns.push_back(c.name);
        requests[name] = Json::array({Json{{"columns", std::move(columns)}}});
    }
    monitor_id_ = Json(fmt::format("{}-{}", db_name_, ++monitor_seq_));
    std::string method = monitor_method_;
    bool since = method == "monitor_cond_since";
    bool use_cache = since && last_txn_id_ && requests == monitored_requests_;
    Json params = Json::array({db_name_, monitor_id_, requests});
    // The all-zeros id asks for everything, as OVS's IDL does.
    if (since) params.push_back((use_cache ? *last_txn_id_ : Uuid{}).to_string());
    state_ = State::MonitorRequested;
    unsigned seq = conn_seq_;
    Json id = monitor_id_;
    (void)session_->transact(
        method, std::move(params),
        [this, seq, id, method, requests = std::move(requests), use_cache](Result<JsonRpcMessage> r) {
            if (seq == conn_seq_ && id == monitor_id_) monitor_received(method, requests, use_cache, std::move(r));
        });
}

void Idl::monitor_received(const std::string& method, const Json& requests, bool used_cache, Result<JsonRpcMessage> r) {
    if (!r) return;
    if (r->type == JsonRpcMessage::Type::Error) {
        if (is_unknown_method(r->error) && method != "monitor") {
            monitor_method_ = method == "monitor_cond_since" ? "monitor_cond" : "monitor";
            vlog.info("{}: the server does not know {}, trying {}", db_name_, method, monitor_method_);
            return send_monitor();
        }
        return retry_later(fmt::format("{}: {}", method, error_text(r->error)));
    }
    const Json& result = r->result;
    const Json* updates = &result;
    bool found = false;
    std::optional<Uuid> txn_id;
    if (method == "monitor_cond_since") {
        if (!result.is_array() || result.size() != 3 || !result[0].is_boolean() || !result[1].is_string())
            return retry_later(fmt::format("{}: malformed reply {}", method, json_to_string(result)));
        found = result[0].get<bool>();
        txn_id = Uuid::parse(result[1].get<std::string>());
        updates = &result[2];
    }
    if (!updates->is_object())
        return retry_later(fmt::format("{}: malformed reply {}", method, json_to_string(result)));
    // Unless the server resumed from our last transaction, the reply holds
    // the whole selection: rows it does not mention are gone.
    bool resync = !(found && used_cache);
    if (resync) ++resync_mark_;
    apply_updates(*updates, method != "monitor", resync);
    if (resync) remove_unmarked_rows();
    last_txn_id_ = txn_id;
    monitored_requests_ = requests;
    state_ = State::Monitoring;
    has_ever_connected_ = true;
    last_error_.clear();
    retry_delay_ = std::chrono::milliseconds(0);
    vlog.dbg("{}: {} ({})", db_name_, resync ? "replica synchronised" : "replica resumed", method);
    // Always: a user learns that the replica is current again.
    notify();
}

// ---- applying updates -----------------------------------------------------------

IdlTable* Idl::mutable_table(std::string_view name) {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : it->second.get();
}

const IdlTable& Idl::table(std::string_view name) const {
    auto it = tables_.find(name);
    return it == tables_.end() ? empty_table_ : *it->second;
}

const IdlRow* Idl::row(std::string_view table, const Uuid& uuid) const {
    return this->table(table).row(uuid);
}

bool Idl::apply_updates(const Json& updates, bool update2, bool resync) {
    bool changed = false;
    for (const auto& [name, rows] : updates.items()) {
        IdlTable* t = mutable_table(name);
        if (!t || !rows.is_object()) {
            vlog.warn_rl(rl, "{}: update for unknown table {}", db_name_, name);
            continue;
        }
        for (const auto& [text, update] : rows.items()) {
            auto uuid = Uuid::parse(text);
            if (!uuid || !update.is_object()) {
                vlog.warn_rl(rl, "{}: bad row update {}: {}", db_name_, text, json_to_string(update));
                continue;
            }
            changed |= apply_row_update(*t, *uuid, update, update2, resync);
        }
    }
    return changed;
}

bool Idl::apply_row_update(IdlTable& t, const Uuid& uuid, const Json& u, bool update2, bool resync) {
    auto it = t.rows_.find(uuid);
    IdlRow* row = it == t.rows_.end() ? nullptr : it->second.get();
    auto erase = [&] {
        if (!row) return false;
        t.rows_.erase(it);
        return true;
    };
    if (update2) {
        // <row-update2>: exactly one of initial, insert, modify, delete.
        for (const char* whole : {"initial", "insert"})
            if (auto v = u.find(whole); v != u.end()) return put_row(t, uuid, *v);
        if (auto v = u.find("modify"); v != u.end()) {
            if (!row) {
                vlog.warn_rl(rl, "{}: cannot modify missing row {} in table {}", db_name_, uuid.to_string(), t.name_);
                return false;
            }
            row->mark_ = resync_mark_;
            return modify_row(*row, *v, true);
        }
        if (u.contains("delete")) return erase();
        vlog.warn_rl(rl, "{}: bad <row-update2> {}", db_name_, json_to_string(u));
        return false;
    }
    // <row-update>: "new" alone inserts, "old" alone deletes, both modify
    // ("new" then holds every monitored column).
    auto nw = u.find("new");
    if (nw == u.end()) return erase();
    if (!row || !u.contains("old") || resync) return put_row(t, uuid, *nw);
    return modify_row(*row, *nw, false);
}

// Installs a whole row: the given columns, defaults for the rest.
bool Idl::put_row(IdlTable& t, const Uuid& uuid, const Json& values) {
    std::vector<Datum> fields = t.defaults_;
    fields[kUuidColumn] = Datum::scalar(uuid);
    if (values.is_object()) {
        for (const auto& [name, json] : values.items()) {
            const ColumnSchema* c = t.schema_->column(name);
            if (!c || c->index == kUuidColumn) continue;
            auto d = datum_from_json(c->type, json);
            if (!d) {
                vlog.warn_rl(rl, "{}: {} {} column {}: {}", db_name_, t.name_, uuid.to_string(), name, d.message());
                continue;
            }
            fields[c->index] = std::move(*d);
        }
    }
    auto& slot = t.rows_[uuid];
    if (slot) {
        slot->mark_ = resync_mark_;
        if (slot->fields_ == fields) return false;
        slot->fields_ = std::move(fields);
        slot->seqno_ = seqno_ + 1;
        return true;
    }
    slot = std::make_unique<IdlRow>();
    slot->table_ = &t;
    slot->uuid_ = uuid;
    slot->fields_ = std::move(fields);
    slot->seqno_ = seqno_ + 1;
    slot->mark_ = resync_mark_;
    return true;
}

// Changes the given columns: new values, or with 'diff' (update2 "modify")
// the elements to toggle in sets and maps (datum_diff()'s form).
bool Idl::modify_row(IdlRow& row, const Json& values, bool diff) {
    if (!values.is_object()) return false;
    const IdlTable& t = *row.table_;
    bool changed = false;
    for (const auto& [name, json] : values.items()) {
        const ColumnSchema* c = t.schema_->column(name);
        if (!c || c->index == kUuidColumn) continue;
        Datum& field = row.fields_[c->index];
        DbResult<Datum> next = Datum{};
        if (diff && c->type.is_composite()) {
            Type any_size = c->type;
            any_size.n_min = 0;
            any_size.n_max = Type::kUnlimited;
            auto d = datum_from_json(any_size, json);
            next = d ? datum_apply_diff(field, *d, c->type) : DbResult<Datum>(d.error());
        } else {
            next = datum_from_json(c->type, json);
        }
        if (!next) {
            vlog.warn_rl(rl, "{}: {} {} column {}: {}", db_name_, t.name_, row.uuid_.to_string(), name, next.message());
            continue;
        }
        if (*next == field) continue;
        field = std::move(*next);
        changed = true;
    }
    if (changed) row.seqno_ = seqno_ + 1;
    return changed;
}

bool Idl::remove_unmarked_rows() {
    bool changed = false;
    for (auto& [name, t] : tables_) {
        for (auto it = t->rows_.begin(); it != t->rows_.end();) {
            if (it->second->mark_ == resync_mark_) {
                ++it;
            } else {
                it = t->rows_.erase(it);
                changed = true;
            }
        }
    }
    return changed;
}

void Idl::handle_message(JsonRpcMessage&& m) {
    if (m.type != JsonRpcMessage::Type::Notify) return;
    const Json& p = m.params;
    if (m.method == "update" || m.method == "update2" || m.method == "update3") {
        bool v3 = m.method == "update3";
        // Updates of a monitor we replaced are stale.
        if (p.size() != (v3 ? 3u : 2u) || p[0] != monitor_id_ || state_ != State::Monitoring) return;
        if (!p.back().is_object()) {
            vlog.warn_rl(rl, "{}: malformed {}", db_name_, m.method);
            return;
        }
        bool changed = apply_updates(p.back(), m.method != "update", false);
        if (v3 && p[1].is_string())
            if (auto id = Uuid::parse(p[1].get<std::string>())) last_txn_id_ = *id;
        if (changed) notify();
    } else if (m.method == "locked" || m.method == "stolen") {
        if (p.size() != 1 || lock_name_.empty() || p[0] != lock_name_) return;
        bool locked = m.method == "locked";
        lock_contended_ = !locked;
        if (!locked) vlog.info("{}: lock {} was stolen by another client", db_name_, lock_name_);
        set_has_lock(locked);
    }
}

// ---- locks -----------------------------------------------------------------------

void Idl::set_lock(std::string name) {
    if (name == lock_name_) return;
    if (!lock_name_.empty() && state_ != State::Disconnected)
        (void)session_->transact("unlock", Json::array({lock_name_}), [](Result<JsonRpcMessage>) {});
    lock_name_ = std::move(name);
    lock_seq_++;
    lock_contended_ = false;
    if (!lock_name_.empty() && state_ != State::Disconnected) send_lock();
    set_has_lock(false);
}

void Idl::send_lock() {
    unsigned seq = lock_seq_, conn = conn_seq_;
    (void)session_->transact("lock", Json::array({lock_name_}), [this, seq, conn](Result<JsonRpcMessage> r) {
        if (!r || seq != lock_seq_ || conn != conn_seq_) return;
        if (r->type == JsonRpcMessage::Type::Error) {
            last_error_ = fmt::format("lock {}: {}", lock_name_, error_text(r->error));
            vlog.warn("{}: {}", db_name_, last_error_);
            return;
        }
        const Json& res = r->result;
        bool locked =
            res.is_object() && res.contains("locked") && res.at("locked").is_boolean() && res.at("locked").get<bool>();
        lock_contended_ = !locked;
        // Not locked yet: a "locked" notification comes when it is ours.
        if (locked) set_has_lock(true);
    });
}

void Idl::set_has_lock(bool has) {
    if (has == has_lock_) return;
    has_lock_ = has;
    notify();
}

void Idl::notify() {
    seqno_++;
    if (on_change_) {
        auto cb = on_change_;
        (*cb)();
    }
}

// ---- commits ------------------------------------------------------------------------

void Idl::finish_later(std::function<void(const IdlTxnResult&)> done, IdlTxnResult result) {
    std::weak_ptr<bool> alive = alive_;
    loop_.post([alive, done = std::move(done), result = std::move(result)] {
        auto a = alive.lock();
        if (a && *a && done) done(result);
    });
}

void Idl::start_commit(IdlTxn& txn, std::function<void(const IdlTxnResult&)> done) {
    IdlTxnResult res;
    if (txn.no_schema_ || state_ == State::Disconnected || !schema_) {
        res.status = IdlTxnResult::Status::TryAgain;
        res.error = fmt::format("not connected to {}", remote_);
        return finish_later(std::move(done), std::move(res));
    }
    auto plan = txn.build();
    if (!plan) {
        res.status = IdlTxnResult::Status::Error;
        res.error = plan.message();
        return finish_later(std::move(done), std::move(res));
    }
    uint64_t id = next_commit_++;
    Json params = plan->params;
    auto st = session_->transact("transact", std::move(params),
                                 [this, id](Result<JsonRpcMessage> r) { commit_replied(id, std::move(r)); });
    if (!st) {
        res.status = IdlTxnResult::Status::TryAgain;
        res.error = st.message();
        return finish_later(std::move(done), std::move(res));
    }
    commits_.emplace(id, PendingCommit{std::move(done), std::move(*plan)});
}

namespace {

// OVS's reading of a "transact" reply (ovsdb_idl_txn_process_reply): a
// "timed out" wait means try again, "not owner" a missing lock, "aborted"
// is the consequence of another error, anything else is a hard error.
void read_commit_reply(const detail::IdlTxnPlan& plan, const Json& results, IdlTxnResult& res) {
    res.reply = results;
    if (!results.is_array()) {
        res.status = IdlTxnResult::Status::Error;
        res.error = "malformed transaction reply: " + json_to_string(results);
        return;
    }
    std::string hard, soft, lock;
    for (const Json& r : results) {
        if (!r.is_object() || !r.contains("error")) continue;
        std::string text = error_text(r);
        const Json& tag = r.at("error");
        std::string t = tag.is_string() ? tag.get<std::string>() : "";
        if (t == "aborted") continue;
        std::string& slot = t == "timed out" ? soft : t == "not owner" ? lock : hard;
        if (slot.empty()) slot = text;
    }
    if (!hard.empty()) {
        res.status = IdlTxnResult::Status::Error;
        res.error = hard;
    } else if (!lock.empty()) {
        res.status = IdlTxnResult::Status::NotLocked;
        res.error = lock;
    } else if (!soft.empty()) {
        res.status = IdlTxnResult::Status::TryAgain;
        res.error = soft;
    } else if (results.size() < plan.n_ops) {
        res.status = IdlTxnResult::Status::Error;
        res.error = fmt::format("transaction reply has {} results for {} operations", results.size(), plan.n_ops);
    } else {
        res.status = IdlTxnResult::Status::Success;
    }
    if (res.status != IdlTxnResult::Status::Success) return;
    for (const auto& [index, temp] : plan.inserts) {
        const Json& r = results[index];
        if (r.is_object() && r.contains("uuid") && r.at("uuid").is_array() && r.at("uuid").size() == 2 &&
            r.at("uuid")[1].is_string())
            if (auto u = Uuid::parse(r.at("uuid")[1].get<std::string>())) res.inserted[temp] = *u;
    }
    for (const auto& [index, column] : plan.increment_reads) {
        const Json& r = results[index];
        std::optional<int64_t> value;
        if (r.is_object() && r.contains("rows") && r.at("rows").is_array() && r.at("rows").size() == 1) {
            const Json& row = r.at("rows")[0];
            if (row.is_object() && row.contains(column) && row.at(column).is_number_integer())
                value = row.at(column).get<int64_t>();
        }
        res.increments.push_back(value);
    }
}

}  // namespace

void Idl::commit_replied(uint64_t id, Result<JsonRpcMessage> r) {
    auto it = commits_.find(id);
    if (it == commits_.end()) return;
    PendingCommit pc = std::move(it->second);
    commits_.erase(it);
    IdlTxnResult res;
    if (!r) {
        res.status = IdlTxnResult::Status::TryAgain;
        res.error = r.message();
    } else if (r->type == JsonRpcMessage::Type::Error) {
        res.status = IdlTxnResult::Status::Error;
        res.error = error_text(r->error);
        res.reply = r->error;
    } else {
        read_commit_reply(pc.plan, r->result, res);
    }
    if (res.status != IdlTxnResult::Status::Success)
        vlog.dbg("{}: transaction {}: {}", db_name_, to_string(res.status), res.error);
    if (pc.done) pc.done(res);
}

void Idl::fail_commits(IdlTxnResult::Status status, const std::string& why) {
    auto pending = std::move(commits_);
    commits_.clear();
    auto alive = alive_;
    for (auto& [id, pc] : pending) {
        IdlTxnResult res;
        res.status = status;
        res.error = why;
        if (pc.done) pc.done(res);
        if (!*alive) return;
    }
}

}  // namespace xvs::ovsdb
