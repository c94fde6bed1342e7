#include "ovsdb/convert.h"

namespace xvs::ovsdb {

namespace {

struct ColumnMap {
    size_t src = 0;
    size_t dst = 0;
    bool same_type = false;
};

std::vector<ColumnMap> map_columns(const TableSchema& from, const TableSchema& to) {
    std::vector<ColumnMap> out;
    for (size_t c = kFirstUserColumn; c < to.columns.size(); c++) {
        const ColumnSchema* src = from.column(to.columns[c].name);
        if (!src || src->index < kFirstUserColumn) continue;
        out.push_back({src->index, c, src->type == to.columns[c].type});
    }
    return out;
}

}  // namespace

DbResult<std::unique_ptr<Database>> convert_database(const Database& src, const Schema& schema) {
    auto dst = std::make_unique<Database>(schema);
    const Schema& new_schema = dst->schema();
    std::vector<std::pair<size_t, Row>> rows;
    for (size_t t = 0; t < new_schema.tables.size(); t++) {
        const TableSchema& to = new_schema.tables[t];
        auto from_index = src.schema().table_index(to.name);
        if (!from_index) continue;
        const TableSchema& from = src.schema().tables[*from_index];
        auto columns = map_columns(from, to);
        for (const auto& [uuid, src_row] : src.table(*from_index).rows) {
            Row row = Row::with_defaults(to, uuid);
            row.set_version(src_row->version());
            for (const ColumnMap& m : columns) {
                if (m.same_type) {
                    row.fields[m.dst] = src_row->fields[m.src];
                    continue;
                }
                auto d = datum_convert(src_row->fields[m.src], from.columns[m.src].type, to.columns[m.dst].type);
                if (!d) {
                    DbError e = d.error();
                    e.details =
                        fmt::format("cannot convert table {} column {} row {} from {} to {}: {}", to.name,
                                    to.columns[m.dst].name, uuid.to_string(), from.columns[m.src].type.to_english(),
                                    to.columns[m.dst].type.to_english(), e.details);
                    return e;
                }
                row.fields[m.dst] = std::move(*d);
            }
            rows.emplace_back(t, std::move(row));
        }
    }
    if (auto s = dst->load_rows(std::move(rows)); !s) return s.error();
    return dst;
}

}  // namespace xvs::ovsdb
