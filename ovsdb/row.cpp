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
