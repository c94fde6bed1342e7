// A row: one datum per column of its table, _uuid and _version included.
#pragma once

#include <span>
#include <string_view>
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
// A [<column>, <operator>, <value>] triple of a condition or mutation:
// its column, or the error OVS gives ("Parse error in <what>." for a bad
// shape, "unknown column" for a column the table lacks).
DbResult<const ColumnSchema*> triple_column(const TableSchema& table, const Json& json, std::string_view what);
// The index of the triple's operator in 'names', or an error tagged 'tag':
// "No <kind> named <op>."
DbResult<size_t> triple_operator(const Json& json, std::span<const std::string_view> names, const char* tag,
                                 std::string_view kind);

DbResult<std::vector<size_t>> columns_from_json(const TableSchema& table, const Json* json);

}  // namespace xvs::ovsdb
