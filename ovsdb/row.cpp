#include "ovsdb/row.h"

#include <algorithm>

namespace xvs::ovsdb {

Row Row::with_defaults(const TableSchema& table, const Uuid& uuid) {
    Row row;
    row.fields.reserve(table.columns.size());
    for (const ColumnSchema& c : table.columns) row.fields.push_back(Datum::default_for(c.type));
    row.fields[kUuidColumn] = Datum::scalar(uuid);
    return row;
}

Json row_to_json(const TableSchema& table, const Row& row, const std::vector<size_t>* columns) {
    Json j = Json::object();
    if (columns) {
        for (size_t c : *columns) j[table.columns[c].name] = datum_to_json(row.fields[c], table.columns[c].type);
    } else {
        for (const ColumnSchema& c : table.columns) j[c.name] = datum_to_json(row.fields[c.index], c.type);
    }
    return j;
}

DbResult<const ColumnSchema*> triple_column(const TableSchema& table, const Json& json, std::string_view what) {
    if (!json.is_array() || json.size() != 3 || !json[0].is_string() || !json[1].is_string())
        return syntax_error(json, "Parse error in {}.", what);
    const auto& column_name = json[0].get_ref<const std::string&>();
    const ColumnSchema* column = table.column(column_name);
    if (!column) {
        DbError e = syntax_error(json, "No column {} in table {}.", column_name, table.name);
        e.tag = tag::kUnknownColumn;
        return e;
    }
    return column;
}

DbResult<size_t> triple_operator(const Json& json, std::span<const std::string_view> names, const char* tag,
                                 std::string_view kind) {
    const auto& name = json[1].get_ref<const std::string&>();
    for (size_t i = 0; i < names.size(); i++)
        if (names[i] == name) return i;
    DbError e = syntax_error(json, "No {} named {}.", kind, name);
    e.tag = tag;
    return e;
}

DbResult<std::vector<size_t>> columns_from_json(const TableSchema& table, const Json* json) {
    std::vector<size_t> out;
    if (!json) {
        for (const ColumnSchema& c : table.columns) out.push_back(c.index);
        return out;
    }
    if (!json->is_array()) return syntax_error(*json, "array of distinct column names expected");
    for (const Json& name : *json) {
        if (!name.is_string()) return syntax_error(*json, "array of distinct column names expected");
        const ColumnSchema* c = table.column(name.get_ref<const std::string&>());
        if (!c) return syntax_error(*json, "{} is not a valid column name", name.get<std::string>());
        if (std::find(out.begin(), out.end(), c->index) != out.end())
            return syntax_error(*json, "array of distinct column names expected");
        out.push_back(c->index);
    }
    return out;
}

}  // namespace xvs::ovsdb
