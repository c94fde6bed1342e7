// A row: one datum per column of its table, _uuid and _version included.
#pragma once

#include <vector>

#include "ovsdb/datum.h"
#include "ovsdb/schema.h"

namespace xvs::ovsdb {

struct Row {
    // Indexed like TableSchema::columns.
    std::vector<Datum> fields;

    // Every column at its default value.
    static Row with_defaults(const TableSchema& table, const Uuid& uuid);

    const Uuid& uuid() const { return std::get<Uuid>(fields[kUuidColumn].keys[0]); }
    const Uuid& version() const { return std::get<Uuid>(fields[kVersionColumn].keys[0]); }
    void set_version(const Uuid& v) { fields[kVersionColumn] = Datum::scalar(v); }
};

// {"column": <value>, ...} for the given columns (all when 'columns' is null).
Json row_to_json(const TableSchema& table, const Row& row, const std::vector<size_t>* columns = nullptr);

// A <columns> array of distinct column names; all columns when 'json' is null.
DbResult<std::vector<size_t>> columns_from_json(const TableSchema& table, const Json* json);

}  // namespace xvs::ovsdb
