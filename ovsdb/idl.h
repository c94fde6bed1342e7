// The client side of OVSDB: a replica of one database kept current by a
// monitor, and transactions built from it, as Open vSwitch's C IDL does it
// for ovs-vswitchd. Generic: driven by the schema the server sends, not by
// generated code, so rows are read as Datums (references are UUIDs, sets and
// maps are sorted Datums) through typed helpers.
//
//     Idl idl(loop, "unix:/run/xvs/db.sock", "Open_vSwitch");
//     idl.add_table("Open_vSwitch");
//     idl.add_column("Bridge", "name");
//     idl.add_column("Bridge", "ports");
//     idl.set_lock("ovs_vswitchd");
//     idl.on_change([&] { reconfigure(idl); });
//     ...
//     for (const IdlRow& br : idl.table("Bridge"))
//         for (const IdlRow* port : br.refs("ports")) ...
//
//     IdlTxn txn(idl);
//     IdlRowRef p = txn.insert("Port");
//     txn.set(p, "name", string_datum("p1"));
//     txn.verify(br, "ports");
//     txn.set_insert(br, "ports", p.uuid);
//     txn.commit([](const IdlTxnResult& r) { ... r.status, r.real_uuid(p.uuid) ... });
//
// Connection: a JsonRpcSession (reconnects with backoff). On each connection
// the Idl asks for the schema, then monitors the registered tables and
// columns with monitor_cond_since (falling back to monitor_cond, then
// monitor, when the server answers "unknown method"). After a reconnection
// monitor_cond_since names the last transaction seen, so a server that still
// has it sends only what changed; otherwise the replica is resynchronised
// from the new initial contents. Either way rows keep their IdlRow objects
// when they survive. While disconnected the replica keeps its last contents.
//
// Everything runs on the PollLoop's thread. Row and table pointers are valid
// until control returns to the loop (a later update may delete or rebuild
// them); UUIDs are the durable handles.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ovsdb/datum.h"
#include "ovsdb/schema.h"
#include "util/jsonrpc.h"
#include "util/poll_loop.h"

namespace xvs::ovsdb {

class Idl;
class IdlTable;
class IdlTxn;

// One row of the replica. Columns that are not monitored read as their
// default value; a column the table does not have reads as an empty Datum.
class IdlRow {
public:
    const Uuid& uuid() const { return uuid_; }
    const IdlTable& table() const { return *table_; }
    // Idl::seqno() as of the insertion or last change of this row.
    uint64_t seqno() const { return seqno_; }

    const Datum& get(std::string_view column) const;
    const Datum& get(size_t column_index) const { return fields_[column_index]; }

    // Typed readers. The scalar ones read the first key and return the
    // default (or nullopt) when the column is empty, unknown, or of another
    // atomic type.
    std::string get_string(std::string_view column, std::string_view def = {}) const;
    std::optional<std::string> get_optional_string(std::string_view column) const;
    int64_t get_integer(std::string_view column, int64_t def = 0) const;
    std::optional<int64_t> get_optional_integer(std::string_view column) const;
    double get_real(std::string_view column, double def = 0) const;
    bool get_bool(std::string_view column, bool def = false) const;
    std::optional<bool> get_optional_bool(std::string_view column) const;
    std::optional<Uuid> get_uuid(std::string_view column) const;
    // The keys of a set (or map) of that atomic type.
    std::vector<std::string> get_strings(std::string_view column) const;
    std::vector<int64_t> get_integers(std::string_view column) const;
    std::vector<Uuid> get_uuids(std::string_view column) const;
    // A map of strings to strings (other_config, external_ids, options...).
    std::map<std::string, std::string> get_string_map(std::string_view column) const;
    // One key of such a map (OVS's smap_get).
    std::optional<std::string> get_map_value(std::string_view column, std::string_view key) const;

    // References, resolved in the referenced table of the replica: the row
    // a (optional) reference column names, or nullptr when it is empty or
    // the row is not in the replica; the rows a set of references names
    // (in key order, unresolvable ones left out); the rows the values of a
    // map with reference values name, by key (Bridge's flow_tables).
    const IdlRow* ref(std::string_view column) const;
    std::vector<const IdlRow*> refs(std::string_view column) const;
    std::vector<std::pair<Atom, const IdlRow*>> ref_map(std::string_view column) const;

private:
    friend class Idl;
    const ColumnSchema* column(std::string_view name) const;

    const IdlTable* table_ = nullptr;
    Uuid uuid_;
    std::vector<Datum> fields_;  // indexed like TableSchema::columns
    uint64_t seqno_ = 0;
    uint64_t mark_ = 0;  // resynchronisation generation that last saw the row
};

// The replica's rows of one table, by UUID. Iterating yields const IdlRow&.
class IdlTable {
    using RowMap = std::map<Uuid, std::unique_ptr<IdlRow>>;

public:
    class iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = IdlRow;
        using difference_type = std::ptrdiff_t;
        using pointer = const IdlRow*;
        using reference = const IdlRow&;
        iterator() = default;
        explicit iterator(RowMap::const_iterator it) : it_(it) {}
        const IdlRow& operator*() const { return *it_->second; }
        const IdlRow* operator->() const { return it_->second.get(); }
        iterator& operator++() {
            ++it_;
            return *this;
        }
        iterator operator++(int) {
            iterator old = *this;
            ++it_;
            return old;
        }
        bool operator==(const iterator& o) const { return it_ == o.it_; }

    private:
        RowMap::const_iterator it_;
    };

    const std::string& name() const { return name_; }
    // Null until the schema is known, and for tables the schema lacks.
    const TableSchema* schema() const { return schema_; }
    bool is_monitored(std::string_view column) const;
    const Idl& idl() const { return *idl_; }

    size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    const IdlRow* row(const Uuid& uuid) const;
    iterator begin() const { return iterator(rows_.begin()); }
    iterator end() const { return iterator(rows_.end()); }

private:
    friend class Idl;
    const Idl* idl_ = nullptr;
    std::string name_;
    const TableSchema* schema_ = nullptr;
    std::vector<bool> monitored_;  // by column index
    std::vector<Datum> defaults_;  // by column index
    RowMap rows_;
};

// The outcome of a committed IdlTxn.
struct IdlTxnResult {
    enum class Status : uint8_t {
        Success,
        // A verify() (a "wait") failed because another client changed what
        // was read, or the connection went away: rebuild from the replica
        // and retry.
        TryAgain,
        // The Idl has a lock (set_lock) and the server says this session
        // does not own it.
        NotLocked,
        // The server refused the transaction, or it could not be built.
        Error,
    };
    Status status = Status::Error;
    // What went wrong (empty on success), e.g. "constraint violation: ...".
    std::string error;
    // The UUIDs the server gave the rows insert() added, by the temporary
    // UUID insert() returned.
    std::map<Uuid, Uuid> inserted;
    // The value of each increment() column after the transaction, in the
    // order of the increment() calls (nullopt when it could not be read).
    std::vector<std::optional<int64_t>> increments;
    // The server's reply (the array of operation results), for logging.
    Json reply;

    bool ok() const { return status == Status::Success; }
    // The real UUID of a row this transaction inserted, or the UUID itself
    // when it is not a temporary one.
    Uuid real_uuid(const Uuid& uuid) const;
};

std::string_view to_string(IdlTxnResult::Status status);

namespace detail {
// A transaction as sent, and where in the reply to find what it asked for.
struct IdlTxnPlan {
    Json params;
    std::vector<std::pair<size_t, Uuid>> inserts;                 // op index, temporary uuid
    std::vector<std::pair<size_t, std::string>> increment_reads;  // op index of the select, column
    size_t n_ops = 0;
};
}  // namespace detail

struct IdlOptions {
    // Reconnection backoff (JsonRpcSession): first wait, and its cap.
    std::chrono::milliseconds min_backoff{1000};
    std::chrono::milliseconds max_backoff{8000};
    // Send an "echo" after this long without a byte from the server and
    // drop the connection if nothing arrives for as long again; 0: never.
    std::chrono::milliseconds probe_interval{0};
};

class Idl {
public:
    using Options = IdlOptions;

    // 'remote' is an active connection method (unix:PATH, tcp:IP:PORT);
    // the first connection attempt starts at once. A bad remote is a fatal
    // start-up error (an exception), like OVS's abort.
    Idl(PollLoop& loop, std::string remote, std::string db_name, Options options);
    Idl(PollLoop& loop, std::string remote, std::string db_name)
        : Idl(loop, std::move(remote), std::move(db_name), Options{}) {}
    // The same, with a bad remote as an error instead.
    static Result<std::unique_ptr<Idl>> create(PollLoop& loop, std::string remote, std::string db_name,
                                               Options options = {});
    ~Idl();
    Idl(const Idl&) = delete;
    Idl& operator=(const Idl&) = delete;

    // What to replicate: a whole table, or single columns of a table (a
    // table registered by add_column() gets only the columns named so).
    // With nothing registered, every table and column is replicated.
    // Registering more after the schema arrived re-monitors (the replica is
    // resynchronised). Names the schema lacks are logged and ignored
    // (last_error() says so).
    void add_table(std::string_view table);
    void add_column(std::string_view table, std::string_view column);

    // Whether a connection to the server is up.
    bool is_connected() const;
    // Whether the replica is current: connected and monitoring.
    bool is_synced() const { return state_ == State::Monitoring; }
    // Whether the replica was received at least once (it may be stale now).
    bool has_ever_connected() const { return has_ever_connected_; }
    // The last connection or protocol problem, for status reports.
    std::string last_error() const;
    const std::string& db_name() const { return db_name_; }

    // Changes whenever the replica changed, the replica was (re)synchronised
    // after a connection, or the lock was acquired or lost. on_change runs
    // after each such change (the handler may destroy the Idl).
    uint64_t seqno() const { return seqno_; }
    void on_change(std::function<void()> fn) { on_change_ = std::make_shared<std::function<void()>>(std::move(fn)); }

    // Null until the first schema arrives.
    const Schema* schema() const { return schema_.get(); }
    // A table of the replica; an empty table (schema() null) for names
    // that are not replicated (yet).
    const IdlTable& table(std::string_view name) const;
    const IdlRow* row(std::string_view table, const Uuid& uuid) const;
    // The last transaction the replica reflects (monitor_cond_since only).
    const std::optional<Uuid>& last_txn_id() const { return last_txn_id_; }

    // Asks the server for the lock (OVS's ovsdb_idl_set_lock), now and on
    // every later connection; "" gives it up. While a lock is set, every
    // transaction asserts it (NotLocked when the session does not own it).
    void set_lock(std::string name);
    const std::string& lock_name() const { return lock_name_; }
    bool has_lock() const { return has_lock_; }
    // The lock was refused or stolen: another client holds it.
    bool is_lock_contended() const { return lock_contended_; }

    // Drops the connection and connects again at once.
    void force_reconnect();

private:
    friend class IdlTxn;
    enum class State : uint8_t { Disconnected, SchemaRequested, MonitorRequested, Monitoring };
    struct Registration {
        bool all_columns = false;
        std::set<std::string, std::less<>> columns;
    };
    struct PendingCommit {
        std::function<void(const IdlTxnResult&)> done;
        detail::IdlTxnPlan plan;
    };

    void connected();
    void disconnected(const std::string& why);
    void handle_message(JsonRpcMessage&& msg);
    void request_schema();
    void schema_received(Result<JsonRpcMessage> reply);
    void install_schema(std::shared_ptr<const Schema> schema);
    void update_monitored();
    void registration_changed();
    void send_monitor();
    void monitor_received(const std::string& method, const Json& requests, bool used_cache,
                          Result<JsonRpcMessage> reply);
    void retry_later(std::string why);

    // Applying <table-updates>/<table-updates2>; true when the replica changed.
    bool apply_updates(const Json& updates, bool update2, bool resync);
    bool apply_row_update(IdlTable& t, const Uuid& uuid, const Json& update, bool update2, bool resync);
    bool put_row(IdlTable& t, const Uuid& uuid, const Json& values);
    bool modify_row(IdlRow& row, const Json& values, bool diff);
    bool remove_unmarked_rows();
    IdlTable* mutable_table(std::string_view name);

    void send_lock();
    void set_has_lock(bool has);
    void notify();

    void start_commit(IdlTxn& txn, std::function<void(const IdlTxnResult&)> done);
    void commit_replied(uint64_t id, Result<JsonRpcMessage> reply);
    void fail_commits(IdlTxnResult::Status status, const std::string& why);
    void finish_later(std::function<void(const IdlTxnResult&)> done, IdlTxnResult result);

    PollLoop& loop_;
    std::string remote_;
    std::string db_name_;
    Options opts_;
    std::unique_ptr<JsonRpcSession> session_;
    State state_ = State::Disconnected;
    unsigned conn_seq_ = 0;  // one per connection, to ignore stale replies

    std::map<std::string, Registration, std::less<>> registered_;
    std::shared_ptr<const Schema> schema_;
    std::map<std::string, std::unique_ptr<IdlTable>, std::less<>> tables_;
    IdlTable empty_table_;

    // Which monitor method the server understands; OVS's order of fallback.
    std::string monitor_method_ = "monitor_cond_since";
    Json monitor_id_;
    unsigned monitor_seq_ = 0;
    Json monitored_requests_;  // what the replica reflects, for cache reuse
    std::optional<Uuid> last_txn_id_;
    uint64_t resync_mark_ = 0;
    PollLoop::Timer retry_timer_;
    std::chrono::milliseconds retry_delay_{0};

    std::string lock_name_;
    bool has_lock_ = false;
    bool lock_contended_ = false;
    unsigned lock_seq_ = 0;  // one per set_lock(), to ignore stale replies

    std::map<uint64_t, PendingCommit> commits_;
    uint64_t next_commit_ = 0;

    bool has_ever_connected_ = false;
    std::string last_error_;
    uint64_t seqno_ = 0;
    std::shared_ptr<std::function<void()>> on_change_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// A handle on a row for IdlTxn: an existing row of the replica, or a row the
// transaction inserts (its UUID is then temporary until the commit succeeds;
// use it in reference columns of the same transaction).
struct IdlRowRef {
    std::string table;
    Uuid uuid;

    IdlRowRef(std::string table_name, const Uuid& row_uuid) : table(std::move(table_name)), uuid(row_uuid) {}
    IdlRowRef(const IdlRow& row) : table(row.table().name()), uuid(row.uuid()) {}  // NOLINT: implicit on purpose
};

// A transaction built against the replica and committed asynchronously.
// Mistakes while building (unknown table or column, a value of the wrong
// type) are remembered, and commit() reports the first as an Error.
// Writes to one row are combined into one operation at the position of the
// first write; everything else is sent in the order it was called.
class IdlTxn {
public:
    explicit IdlTxn(Idl& idl);
    IdlTxn(const IdlTxn&) = delete;
    IdlTxn& operator=(const IdlTxn&) = delete;

    // A new row (sent with a "uuid-name"); its columns start at their
    // defaults unless set().
    IdlRowRef insert(std::string_view table);
    // Replaces a column's value.
    void set(const IdlRowRef& row, std::string_view column, Datum value);
    // An RFC 7047 mutation ("+=", "-=", "*=", "/=", "%=", "insert",
    // "delete") of a row of the replica. 'arg' is an atom for arithmetic,
    // a set or map for insert, a set, map or set of keys for delete.
    void mutate(const IdlRowRef& row, std::string_view column, std::string_view mutator, Datum arg);
    // Shorthands over mutate(): add or remove one element of a set; set or
    // remove one key of a map (the key's old value, if any, is replaced).
    void set_insert(const IdlRowRef& row, std::string_view column, Atom element);
    void set_delete(const IdlRowRef& row, std::string_view column, Atom element);
    void map_set(const IdlRowRef& row, std::string_view column, Atom key, Atom value);
    void map_delete(const IdlRowRef& row, std::string_view column, Atom key);
    // Adds 1 to an integer column and reads the new value back (OVS's
    // ovsdb_idl_txn_increment, for next_cfg): IdlTxnResult::increments[n]
    // for the n-th call, which this returns.
    size_t increment(const IdlRowRef& row, std::string_view column);
    void delete_row(const IdlRowRef& row);
    // Makes the commit fail with TryAgain if the column no longer has the
    // value the replica has now (a "wait" with "==", timeout 0).
    void verify(const IdlRow& row, std::string_view column);
    void add_comment(std::string comment);

    // The "transact" params this transaction sends, or the building error.
    Result<Json> to_json() const;

    // Sends the transaction; 'done' runs once, after the server's reply (or
    // at once, from the loop, when it cannot be sent). The replica learns
    // the changes through the monitor as usual. A transaction commits once.
    void commit(std::function<void(const IdlTxnResult&)> done);

private:
    friend class Idl;
    enum class OpKind : uint8_t { Insert, Update, Mutate, Delete, Wait, Comment, Increment };
    struct Op {
        OpKind kind;
        std::string table;
        Uuid uuid;
        Json body;           // Mutate: the mutations; Comment: the text
        std::string column;  // Increment
    };
    const TableSchema* find_table(std::string_view table);
    const ColumnSchema* find_column(const TableSchema& table, std::string_view column, bool writing);
    bool check_value(const ColumnSchema& column, Datum& value, bool mutation_arg);
    void fail(std::string error);
    Json atom_json(const Atom& a) const;
    Json datum_json(const Datum& d, bool as_map) const;
    Json uuid_where(const Uuid& uuid) const;
    std::string uuid_name(const Uuid& temp) const;
    Result<detail::IdlTxnPlan> build() const;

    Idl& idl_;
    std::vector<Op> ops_;
    // Values written, by row (inserted rows and updated rows).
    std::map<Uuid, std::map<std::string, Json>> writes_;
    std::set<Uuid> inserted_;
    std::set<Uuid> deleted_inserts_;
    // verify(): per row, the column values it must still have.
    std::map<Uuid, std::map<std::string, Json>> waits_;
    size_t n_increments_ = 0;
    std::optional<std::string> error_;
    bool no_schema_ = false;  // built before the schema was known
    bool committed_ = false;
};

// Datums for IdlTxn::set().
Datum string_datum(std::string s);
Datum integer_datum(int64_t i);
Datum real_datum(double d);
Datum bool_datum(bool b);
Datum uuid_datum(const Uuid& u);
Datum string_set_datum(const std::vector<std::string>& strings);
Datum uuid_set_datum(const std::vector<Uuid>& uuids);
Datum string_map_datum(const std::map<std::string, std::string>& map);

}  // namespace xvs::ovsdb
