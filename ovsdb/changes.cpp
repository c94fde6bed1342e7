#include "ovsdb/changes.h"

#include <algorithm>

namespace xvs::ovsdb {

const TableChanges* TxnChanges::find(size_t table) const {
    auto it = std::lower_bound(tables.begin(), tables.end(), table,
                               [](const TableChanges& t, size_t i) { return t.table < i; });
    return it != tables.end() && it->table == table ? &*it : nullptr;
}

namespace {

// Columns with non-default values: update2 leaves defaults to the client.
Json non_default_columns(const TableSchema& table, const Row& row, const std::vector<size_t>& columns) {
    Json j = Json::object();
    for (size_t c : columns) {
        const Type& type = table.columns[c].type;
        if (!datum_is_default(row.fields[c], type)) j[table.columns[c].name] = datum_to_json(row.fields[c], type);
    }
    return j;
}

std::optional<Json> update_json(const TableSchema& table, const RowChange& change, const std::vector<size_t>& columns) {
    switch (change.kind()) {
        case RowChange::Kind::Insert:
            return Json{{"new", row_to_json(table, *change.new_row, &columns)}};
        case RowChange::Kind::Delete:
            return Json{{"old", row_to_json(table, *change.old_row, &columns)}};
        case RowChange::Kind::Modify: {
            Json old = Json::object();
            for (size_t c : columns)
                if (change.changed[c])
                    old[table.columns[c].name] = datum_to_json(change.old_row->fields[c], table.columns[c].type);
            if (old.empty()) return std::nullopt;
            return Json{{"old", std::move(old)}, {"new", row_to_json(table, *change.new_row, &columns)}};
        }
    }
    return std::nullopt;
}

std::optional<Json> update2_json(const TableSchema& table, const RowChange& change,
                                 const std::vector<size_t>& columns) {
    switch (change.kind()) {
        case RowChange::Kind::Insert:
            return Json{{"insert", non_default_columns(table, *change.new_row, columns)}};
        case RowChange::Kind::Delete:
            return Json{{"delete", nullptr}};
        case RowChange::Kind::Modify: {
            Json diff = Json::object();
            for (size_t c : columns) {
                if (!change.changed[c]) continue;
                const Type& type = table.columns[c].type;
                diff[table.columns[c].name] =
                    datum_to_json(datum_diff(change.old_row->fields[c], change.new_row->fields[c], type), type);
            }
            if (diff.empty()) return std::nullopt;
            return Json{{"modify", std::move(diff)}};
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<Json> row_update_json(const TableSchema& table, const RowChange& change, UpdateStyle style,
                                    const std::vector<size_t>& columns) {
    return style == UpdateStyle::Update ? update_json(table, change, columns) : update2_json(table, change, columns);
}

Json row_initial_json(const TableSchema& table, const Row& row, UpdateStyle style, const std::vector<size_t>& columns) {
    if (style == UpdateStyle::Update) return Json{{"new", row_to_json(table, row, &columns)}};
    return Json{{"initial", non_default_columns(table, row, columns)}};
}

}  // namespace xvs::ovsdb
