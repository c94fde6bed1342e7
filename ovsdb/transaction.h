// A transaction in progress: a copy-on-write overlay on a Database's
// committed rows, and the commit checks of RFC 7047 (references, garbage
// collection, maxRows, constraints, unique indexes) that turn it into a
// TxnChanges.
#pragma once

#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ovsdb/condition.h"
#include "ovsdb/database.h"

namespace xvs::ovsdb {

class Txn {
public:
    explicit Txn(Database& db);

    const Database& db() const { return db_; }
    const Schema& schema() const { return db_.schema(); }

    // The row as this transaction sees it; null when absent or deleted.
    const Row* find(size_t table, const Uuid& uuid) const;
    // UUIDs of the rows this transaction sees that satisfy every clause.
    std::vector<Uuid> query(size_t table, const Condition& condition) const;
    size_t n_rows(size_t table) const;

    // A row to change (it must exist); copied on first change.
    Row& modify(size_t table, const Uuid& uuid);
    void insert(size_t table, Row row);
    void erase(size_t table, const Uuid& uuid);
    // A new row may take 'uuid' in 'table': no row has it, and no row had
    // it earlier in this transaction (OVS's rule for caller-chosen UUIDs).
    bool may_create(size_t table, const Uuid& uuid) const;

    void add_comment(const std::string& comment);
    void set_durable() { durable_ = true; }

    // Runs the commit checks, writes the commit log, and installs the
    // result. Returns the changes (null if the transaction changed nothing)
    // or the error that stopped it; either way the Txn is spent.
    DbResult<std::shared_ptr<const TxnChanges>> commit();

private:
    struct TxnRow {
        std::shared_ptr<const Row> old;  // null: inserted by this transaction
        std::shared_ptr<Row> next;       // null: deleted by this transaction
    };
    using Key = std::pair<size_t, Uuid>;
    using RefDeltas = std::vector<std::unordered_map<Uuid, int64_t, UuidHash>>;
    friend class CommitChecker;

    std::map<Uuid, TxnRow>& rows_of(size_t table) { return rows_[table]; }

    Database& db_;
    std::vector<std::map<Uuid, TxnRow>> rows_;  // per table
    std::string comment_;
    bool durable_ = false;
};

}  // namespace xvs::ovsdb
