// OVSDB database schemas (RFC 7047 section 3.2): parsing, validation, and
// serialization back to JSON (for get_schema and the database file).
#pragma once

#include <climits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ovsdb/types.h"

namespace xvs::ovsdb {

// Every table has these two columns first (RFC 7047 section 3.2): the row's
// UUID and a UUID that changes whenever the row does.
inline constexpr size_t kUuidColumn = 0;
inline constexpr size_t kVersionColumn = 1;
inline constexpr size_t kFirstUserColumn = 2;

struct ColumnSchema {
    std::string name;
    size_t index = 0;  // position in TableSchema::columns and Row::fields
    Type type;
    bool is_mutable = true;
    bool ephemeral = false;  // as the schema declares it
    // Written to the database file: not ephemeral, or a strong reference to
    // a non-root table, which replay needs to keep the referenced rows.
    bool persistent = true;
};

struct TableSchema {
    std::string name;
    // _uuid, _version, then the schema's columns sorted by name.
    std::vector<ColumnSchema> columns;
    bool is_root = false;
    unsigned max_rows = UINT_MAX;  // UINT_MAX: no limit
    // Each index is a set of column indexes whose values rows must not share.
    std::vector<std::vector<size_t>> indexes;

    const ColumnSchema* column(std::string_view name) const;
    size_t n_user_columns() const { return columns.size() - kFirstUserColumn; }

    std::map<std::string, size_t, std::less<>> by_name;
};

// Where a column's references point: the tables its keys and values
// refer to, and whether strongly.
struct ColumnRefs {
    std::optional<size_t> key_table, value_table;
    bool key_strong = false, value_strong = false;
    bool any_strong() const { return (key_table && key_strong) || (value_table && value_strong); }
    bool any_weak() const { return (key_table && !key_strong) || (value_table && !value_strong); }
};

struct Schema {
    std::string name;
    std::string version;              // "x.y.z", or "" for old schemas without one
    std::string cksum;                // opaque, carried along
    std::vector<TableSchema> tables;  // sorted by name

    static DbResult<Schema> from_json(const Json& json);
    Json to_json() const;

    const TableSchema* table(std::string_view name) const;
    std::optional<size_t> table_index(std::string_view name) const;
    // ColumnRefs of every column, by table and column index; computed on
    // first use (every commit checks references) and kept, since a loaded
    // schema does not change.
    const std::vector<std::vector<ColumnRefs>>& column_refs() const;

private:
    mutable std::optional<std::vector<std::vector<ColumnRefs>>> column_refs_;
};

}  // namespace xvs::ovsdb
