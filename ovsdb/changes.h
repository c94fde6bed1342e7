// What a committed transaction changed, for monitors (update, update2,
// update3 notifications; monitor_cond_since history) and for the database
// file.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ovsdb/row.h"

namespace xvs::ovsdb {

struct RowChange {
    enum class Kind : uint8_t { Insert, Delete, Modify };

    std::shared_ptr<const Row> old_row;  // null for an insert
    std::shared_ptr<const Row> new_row;  // null for a delete
    // Per column: whether its value differs between old and new (all true
    // for inserts and deletes). _version is set whenever anything changed.
    std::vector<bool> changed;

    Kind kind() const { return !old_row ? Kind::Insert : (!new_row ? Kind::Delete : Kind::Modify); }
    // The row as it is after the change, or as it was before a delete.
    const Row& row() const { return new_row ? *new_row : *old_row; }
};

struct TableChanges {
    size_t table = 0;  // index into Schema::tables
    std::map<Uuid, RowChange> rows;
};

struct TxnChanges {
    // Identifies this transaction for monitor_cond_since; the database's
    // last_txn_id() after it committed.
    Uuid txn_id;
    // The transaction before this one (all zeros for the first).
    Uuid prev_txn_id;
    // The schema the rows belong to (it outlives a conversion).
    std::shared_ptr<const Schema> schema;
    int64_t date_ms = 0;   // wall-clock commit time
    std::string comment;   // "comment" operations, joined by new-lines
    bool durable = false;  // a "commit" operation asked for durability
    // Only tables with changes, in schema order.
    std::vector<TableChanges> tables;

    bool empty() const { return tables.empty(); }
    const TableChanges* find(size_t table) const;
};

// How a monitor reports a row change (RFC 7047 section 4.1.6, and OVS's
// update2/update3, which share a format).
enum class UpdateStyle : uint8_t { Update, Update2 };

// The <row-update> (Update: {"old": ..., "new": ...}) or <row-update2>
// (Update2: {"insert"|"delete"|"modify": ...}) for one change, restricted
// to 'columns'; nullopt when none of those columns changed.
std::optional<Json> row_update_json(const TableSchema& table, const RowChange& change, UpdateStyle style,
                                    const std::vector<size_t>& columns);
// A row as a monitor's initial contents: Update {"new": row},
// Update2 {"initial": row without default-valued columns}.
Json row_initial_json(const TableSchema& table, const Row& row, UpdateStyle style, const std::vector<size_t>& columns);

}  // namespace xvs::ovsdb
