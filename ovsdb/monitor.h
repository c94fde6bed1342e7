// Monitors (RFC 7047 section 4.1.5, and Open vSwitch's monitor_cond,
// monitor_cond_since and monitor_cond_change): which tables, columns and
// rows a client watches, its initial contents, and the table-updates each
// commit produces for it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ovsdb/changes.h"
#include "ovsdb/condition.h"
#include "ovsdb/database.h"

namespace xvs::ovsdb {

enum class MonitorKind : uint8_t {
    Plain,  // "monitor": "update" notifications, <row-update>
    Cond,   // "monitor_cond": "update2", <row-update2>
    Since,  // "monitor_cond_since": "update3" (update2 rows plus a txn id)
};

struct MonitoredTable {
    size_t table = 0;
    std::vector<size_t> columns;
    bool initial = true, insert = true, del = true, modify = true;
    // Rows selected: any clause list in 'where' matches (OVS's disjunction of
    // conditions); nullopt: every row.
    std::optional<std::vector<Condition>> where;
};

class Monitor {
public:
    // Parses <monitor-requests> for 'db'.
    static DbResult<Monitor> create(const Database& db, MonitorKind kind, Json id, const Json& requests);

    MonitorKind kind() const { return kind_; }
    const Json& id() const { return id_; }
    void set_id(Json id) { id_ = std::move(id); }
    UpdateStyle style() const { return kind_ == MonitorKind::Plain ? UpdateStyle::Update : UpdateStyle::Update2; }

    // <table-updates> of every selected row, as the reply's initial contents.
    Json initial(const Database& db) const;
    // <table-updates> for one commit; nullopt when it touches nothing watched.
    std::optional<Json> updates(const TxnChanges& changes) const;
    // monitor_cond_change: replaces conditions (and may not change columns).
    // Returns the <table-updates2> that bring the client from the old
    // selection to the new one.
    DbResult<Json> change_conditions(const Database& db, const Json& requests);

private:
    Monitor(MonitorKind kind, Json id) : kind_(kind), id_(std::move(id)) {}
    bool selects(const MonitoredTable& t, const TableSchema& schema, const Row* row) const;
    std::optional<Json> row_update(const MonitoredTable& t, const TableSchema& schema, const RowChange& change) const;

    MonitorKind kind_;
    Json id_;
    std::vector<MonitoredTable> tables_;
};

}  // namespace xvs::ovsdb
