// An OVSDB database in memory: tables of rows keyed by UUID, and the
// RFC 7047 "transact" method that changes them atomically.
//
// Single-threaded: the server runs every transaction on one thread. Rows are
// immutable once committed and shared (std::shared_ptr<const Row>), so a
// commit's TxnChanges can hold old and new rows without copying them.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ovsdb/changes.h"
#include "ovsdb/schema.h"

namespace xvs::ovsdb {

// Where committed transactions go before a commit is reported (the
// database file). A failure fails the transaction with "I/O error" and
// leaves the database unchanged.
class CommitLog {
public:
    virtual ~CommitLog() = default;
    virtual Status write(const TxnChanges& changes) = 0;
};

struct ExecuteOptions {
    // Answers "assert" operations: does this session own the named lock?
    // Without it no lock is owned.
    std::function<bool(const std::string& lock)> owns_lock;
    // How long this request has been waiting on "wait" operations: 0 on the
    // first attempt, and the time since then when the server retries it.
    int64_t elapsed_ms = 0;
    // Refuse operations that change the database ("not allowed").
    bool read_only = false;
    // Whether the caller can retry a request whose "wait" is unsatisfied
    // (a server can; a one-shot tool cannot). If not, such a wait fails
    // with "not supported" instead of returning Blocked.
    bool can_block = true;
};

struct TransactResult {
    enum class Kind : uint8_t {
        Done,      // 'reply' is the result array to send
        Blocked,   // a "wait" is unsatisfied: retry after the next commit or at 'timeout_ms'
        RpcError,  // 'reply' is an error object for the JSON-RPC "error" member
    };
    Kind kind = Kind::Done;
    Json reply;
    // Blocked: the request fails with "timed out" once it has waited this
    // long (the smallest "timeout" of its waits); nullopt: no timeout.
    std::optional<int64_t> timeout_ms;
    // Done: what the transaction committed; null when it failed or changed
    // nothing.
    std::shared_ptr<const TxnChanges> changes;
};

class Database {
public:
    // The committed contents of one table, and what commits maintain with it.
    struct TableData {
        std::map<Uuid, std::shared_ptr<const Row>> rows;
        // Strong references to each row from other rows (self-references do
        // not count); rows of non-root tables at zero are garbage.
        std::unordered_map<Uuid, uint32_t, UuidHash> strong_refs;
        // One map per schema index: indexed column values -> row.
        std::vector<std::map<std::vector<Datum>, Uuid>> indexes;
    };

    explicit Database(Schema schema);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    const Schema& schema() const { return *schema_; }
    const std::shared_ptr<const Schema>& shared_schema() const { return schema_; }
    const TableData& table(size_t index) const { return tables_[index]; }
    std::shared_ptr<const Row> find_row(size_t table, const Uuid& uuid) const;
    size_t n_rows() const;

    // RFC 7047 "transact": 'params' is [<db-name>, <operation>*].
    TransactResult execute(const Json& params, const ExecuteOptions& options = {});

    // Applies one transaction record of the database file format (see
    // storage.h). 'converting' ignores unknown tables and columns.
    DbStatus replay(const Json& record, bool converting = false);

    // Installs rows built outside a transaction (schema conversion), with
    // the same commit checks a transaction gets.
    DbStatus load_rows(std::vector<std::pair<size_t, Row>> rows);

    void set_commit_log(CommitLog* log) { log_ = log; }

    using Listener = std::function<void(const std::shared_ptr<const TxnChanges>&)>;
    // Called after every commit that changed something, in commit order.
    size_t add_listener(Listener listener);
    void remove_listener(size_t id);

    // The id of the last committed transaction (all zeros before the first).
    const Uuid& last_txn_id() const { return last_txn_id_; }
    // The transactions committed after 'txn_id', oldest first, if the
    // history still reaches back to it (monitor_cond_since).
    std::optional<std::vector<std::shared_ptr<const TxnChanges>>> changes_since(const Uuid& txn_id) const;
    // How many committed transactions the history keeps (default 100).
    void set_history_limit(size_t n);

    // For Txn: installs a checked transaction (see transaction.h).
    void install(std::shared_ptr<TxnChanges> changes,
                 const std::vector<std::unordered_map<Uuid, int64_t, UuidHash>>& ref_deltas);
    CommitLog* commit_log() const { return log_; }

private:
    std::shared_ptr<const Schema> schema_;
    std::vector<TableData> tables_;
    CommitLog* log_ = nullptr;
    Uuid last_txn_id_;
    std::deque<std::shared_ptr<const TxnChanges>> history_;
    size_t history_limit_ = 100;
    std::map<size_t, Listener> listeners_;
    size_t next_listener_ = 0;
};

}  // namespace xvs::ovsdb
