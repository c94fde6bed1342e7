#include "ovsdb/monitor.h"

#include <algorithm>

namespace xvs::ovsdb {

namespace {

DbResult<std::vector<Condition>> parse_where(const TableSchema& table, const Json& where) {
    // A "where" is a list of clauses; OVS selects a row when any of them is
    // true (a clause list with a single boolean true/false is allowed).
    if (!where.is_array()) return db_error(tag::kSyntax, "\"where\" must be an array of conditions");
    // An empty clause list selects every row (OVS: "empty or match any"),
    // not none: ovsdb-client and the IDLs send "where": [] for "all rows".
    if (where.empty()) {
        auto all = condition_from_json(table, Json::array({true}));
        if (!all) return all.error();
        return std::vector<Condition>{std::move(*all)};
    }
    std::vector<Condition> out;
    for (const Json& clause : where) {
        auto c = condition_from_json(table, Json::array({clause}));
        if (!c) return c.error();
        out.push_back(std::move(*c));
    }
    return out;
}

// Merges one <monitor-request> into t.
DbStatus parse_request(const TableSchema& schema, const Json& req, MonitoredTable& t, bool first) {
    if (!req.is_object()) return db_error(tag::kSyntax, "<monitor-request> for {} must be an object", schema.name);
    const Json* cols = req.contains("columns") ? &req.at("columns") : nullptr;
    std::vector<size_t> columns;
    if (cols) {
        auto c = columns_from_json(schema, cols);
        if (!c) return c.error();
        columns = std::move(*c);
    } else {
        for (const ColumnSchema& c : schema.columns)
            if (c.index != kUuidColumn) columns.push_back(c.index);
    }
    for (size_t c : columns)
        if (std::find(t.columns.begin(), t.columns.end(), c) == t.columns.end()) t.columns.push_back(c);
    if (req.contains("select")) {
        const Json& sel = req.at("select");
        if (!sel.is_object()) return db_error(tag::kSyntax, "\"select\" must be an object");
        auto flag = [&](const char* name, bool& out) -> DbStatus {
            if (!sel.contains(name)) return {};
            if (!sel.at(name).is_boolean())
                return db_error(tag::kSyntax, "\"select\" member {} must be a boolean", name);
            out = first ? sel.at(name).get<bool>() : (out || sel.at(name).get<bool>());
            return {};
        };
        for (auto [name, field] :
             {std::pair{"initial", &t.initial}, {"insert", &t.insert}, {"delete", &t.del}, {"modify", &t.modify}})
            if (auto s = flag(name, *field); !s) return s;
    }
    if (req.contains("where")) {
        auto w = parse_where(schema, req.at("where"));
        if (!w) return w.error();
        if (!t.where) t.where.emplace();
        t.where->insert(t.where->end(), w->begin(), w->end());
    }
    return {};
}

Json insert_json(const TableSchema& schema, const Row& row, const std::vector<size_t>& columns) {
    Json j = row_initial_json(schema, row, UpdateStyle::Update2, columns);
    return Json{{"insert", j.at("initial")}};
}

}  // namespace

DbResult<Monitor> Monitor::create(const Database& db, MonitorKind kind, Json id, const Json& requests) {
    if (!requests.is_object()) return db_error(tag::kSyntax, "<monitor-requests> must be an object");
    Monitor m(kind, std::move(id));
    for (const auto& [name, reqs] : requests.items()) {
        auto index = db.schema().table_index(name);
        if (!index) return db_error(tag::kSyntax, "no table named {}", name);
        const TableSchema& schema = db.schema().tables[*index];
        MonitoredTable t;
        t.table = *index;
        std::vector<Json> list =
            reqs.is_array() ? std::vector<Json>(reqs.begin(), reqs.end()) : std::vector<Json>{reqs};
        bool first = true;
        for (const Json& r : list) {
            if (kind == MonitorKind::Plain && r.is_object() && r.contains("where"))
                return db_error(tag::kSyntax, "\"where\" needs monitor_cond");
            if (auto s = parse_request(schema, r, t, first); !s) return s.error();
            first = false;
        }
        m.tables_.push_back(std::move(t));
    }
    return m;
}

bool Monitor::selects(const MonitoredTable& t, const TableSchema& schema, const Row* row) const {
    if (!row) return false;
    if (!t.where) return true;
    return std::any_of(t.where->begin(), t.where->end(),
                       [&](const Condition& c) { return c.matches_all(schema, *row); });
}

Json Monitor::initial(const Database& db) const {
    Json out = Json::object();
    for (const MonitoredTable& t : tables_) {
        if (!t.initial) continue;
        const TableSchema& schema = db.schema().tables[t.table];
        Json rows = Json::object();
        for (const auto& [uuid, row] : db.table(t.table).rows)
            if (selects(t, schema, row.get()))
                rows[uuid.to_string()] = row_initial_json(schema, *row, style(), t.columns);
        if (!rows.empty()) out[schema.name] = std::move(rows);
    }
    return out;
}

std::optional<Json> Monitor::row_update(const MonitoredTable& t, const TableSchema& schema,
                                        const RowChange& change) const {
    bool was = selects(t, schema, change.old_row.get()), is = selects(t, schema, change.new_row.get());
    if (!was && !is) return std::nullopt;
    if (change.kind() == RowChange::Kind::Modify && was != is) {
        // The row enters or leaves the client's selection.
        if (is) return t.insert ? std::optional<Json>(insert_json(schema, *change.new_row, t.columns)) : std::nullopt;
        return t.del ? std::optional<Json>(Json{{"delete", nullptr}}) : std::nullopt;
    }
    switch (change.kind()) {
        case RowChange::Kind::Insert:
            if (!t.insert) return std::nullopt;
            break;
        case RowChange::Kind::Delete:
            if (!t.del) return std::nullopt;
            break;
        case RowChange::Kind::Modify:
            if (!t.modify) return std::nullopt;
            break;
    }
    return row_update_json(schema, change, style(), t.columns);
}

std::optional<Json> Monitor::updates(const TxnChanges& changes) const {
    Json out = Json::object();
    for (const MonitoredTable& t : tables_) {
        const TableChanges* tc = changes.find(t.table);
        if (!tc) continue;
        const TableSchema& schema = changes.schema->tables[t.table];
        Json rows = Json::object();
        for (const auto& [uuid, change] : tc->rows)
            if (auto u = row_update(t, schema, change)) rows[uuid.to_string()] = std::move(*u);
        if (!rows.empty()) out[schema.name] = std::move(rows);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

DbResult<Json> Monitor::change_conditions(const Database& db, const Json& requests) {
    if (!requests.is_object()) return db_error(tag::kSyntax, "<monitor-cond-update> must be an object");
    std::vector<MonitoredTable> next = tables_;
    for (const auto& [name, reqs] : requests.items()) {
        auto index = db.schema().table_index(name);
        auto it =
            std::find_if(next.begin(), next.end(), [&](const MonitoredTable& t) { return index && t.table == *index; });
        if (it == next.end()) return db_error(tag::kSyntax, "table {} is not monitored", name);
        const TableSchema& schema = db.schema().tables[*index];
        std::vector<Json> list =
            reqs.is_array() ? std::vector<Json>(reqs.begin(), reqs.end()) : std::vector<Json>{reqs};
        it->where.reset();
        for (const Json& r : list) {
            if (!r.is_object()) return db_error(tag::kSyntax, "<monitor-cond-update> for {} must be an object", name);
            if (r.contains("columns")) return db_error(tag::kSyntax, "monitor_cond_change cannot change columns");
            if (r.contains("where")) {
                auto w = parse_where(schema, r.at("where"));
                if (!w) return w.error();
                if (!it->where) it->where.emplace();
                it->where->insert(it->where->end(), w->begin(), w->end());
            }
        }
    }
    // What the client must learn: rows newly selected are inserted, rows no
    // longer selected are deleted.
    Json out = Json::object();
    for (size_t i = 0; i < next.size(); i++) {
        const TableSchema& schema = db.schema().tables[next[i].table];
        Json rows = Json::object();
        for (const auto& [uuid, row] : db.table(next[i].table).rows) {
            bool was = selects(tables_[i], schema, row.get()), is = selects(next[i], schema, row.get());
            if (is && !was)
                rows[uuid.to_string()] = insert_json(schema, *row, next[i].columns);
            else if (was && !is)
                rows[uuid.to_string()] = Json{{"delete", nullptr}};
        }
        if (!rows.empty()) out[schema.name] = std::move(rows);
    }
    tables_ = std::move(next);
    return out;
}

}  // namespace xvs::ovsdb
