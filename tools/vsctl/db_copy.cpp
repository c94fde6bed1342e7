#include "tools/vsctl/db_copy.h"

#include "tools/vsctl/fatal.h"

namespace xvs::vsctl {

namespace {

// [["_uuid", "==", ["uuid", U]]]
Json where_uuid(const std::string& uuid) {
    return Json::array({Json::array({"_uuid", "==", uuid_to_wire(uuid)})});
}

// The value a new row's column starts with: the type's default atom for a
// column that must hold exactly one, else empty.
Datum default_datum(const ColumnType& t) {
    Datum d;
    if (t.min != 1 || t.is_map()) return d;
    switch (t.key.type) {
        case AtomicType::Integer:
            d.keys.push_back(0);
            break;
        case AtomicType::Real:
            d.keys.push_back(0.0);
            break;
        case AtomicType::Boolean:
            d.keys.push_back(false);
            break;
        case AtomicType::String:
            d.keys.push_back("");
            break;
        case AtomicType::Uuid:
            break;
    }
    return d;
}

}  // namespace

Json DbCopy::read_request() const {
    Json ops = Json::array({"Open_vSwitch"});
    for (auto& [t, ts] : schema_.tables()) ops.push_back({{"op", "select"}, {"table", t}, {"where", Json::array()}});
    return ops;
}

void DbCopy::load(const Json& result) {
    tables_.clear();
    orig_.clear();
    row_table_.clear();
    inserted_.clear();
    deleted_.clear();
    modified_.clear();
    verify_.clear();
    size_t i = 0;
    for (auto& [tname, ts] : schema_.tables()) {
        const Json& res = result[i++];
        auto& table = tables_[tname];
        if (res.contains("error")) fatal("select failed: {}", res.dump());
        for (auto& jr : res["rows"]) {
            Row r;
            r.uuid = jr["_uuid"][1];
            for (auto& [cn, ct] : ts.columns) {
                if (cn == "_uuid") continue;
                r.cols[cn] = jr.contains(cn) ? datum_from_wire(jr[cn], ct) : Datum{};
            }
            orig_[r.uuid] = r.cols;
            row_table_[r.uuid] = tname;
            table[r.uuid] = std::move(r);
        }
    }
}

Row* DbCopy::find_row(const std::string& table, const std::string& uuid) {
    auto& rows = tables_[table];
    auto it = rows.find(uuid);
    return it == rows.end() ? nullptr : &it->second;
}

void DbCopy::set_col(const std::string& table, Row& r, const std::string& col, Datum d) {
    bool is_new = inserted(r.uuid);
    if (!is_new && (col == "_uuid" || schema_.table(table).immutable.count(col)))
        fatal("cannot modify read-only column {} in table {}", col, table);
    datum_sort(d, column(table, col).is_map());
    r.cols[col] = std::move(d);
    if (!is_new) modified_[r.uuid].insert(col);
}

std::string DbCopy::insert_row(const std::string& table, const std::string& symbol) {
    std::string id = symbol.empty() ? symbols_.fresh() : symbol;
    Row r;
    r.uuid = id;
    for (auto& [c, t] : schema_.table(table).columns)
        if (c != "_uuid") r.cols[c] = default_datum(t);
    tables_[table][id] = r;
    row_table_[id] = table;
    inserted_.insert(id);
    return id;
}

void DbCopy::delete_row(const std::string& table, const std::string& uuid) {
    tables_[table].erase(uuid);
    if (inserted_.count(uuid))
        inserted_.erase(uuid);
    else
        deleted_.insert(uuid);
}

Json DbCopy::commit_ops(std::vector<std::string>& insert_order) const {
    Json ops = Json::array({"Open_vSwitch"});
    add_guards(ops);
    for (auto& u : inserted_) {
        Json op = insert_op(u);
        if (op.is_null()) continue;
        ops.push_back(std::move(op));
        insert_order.push_back(u);
    }
    for (auto& [u, cols] : modified_) {
        if (deleted_.count(u)) continue;
        Json op = update_op(u, cols);
        if (!op.is_null()) ops.push_back(std::move(op));
    }
    for (auto& u : deleted_) ops.push_back({{"op", "delete"}, {"table", row_table_.at(u)}, {"where", where_uuid(u)}});
    return ops;
}

// The guards: every verified or changed column of every row that was read
// and is not deleted still holds what was read.
void DbCopy::add_guards(Json& ops) const {
    std::map<std::string, std::set<std::string>> guards = verify_;
    for (auto& [u, cols] : modified_) guards[u].insert(cols.begin(), cols.end());
    for (auto& [u, cols] : guards) {
        if (deleted_.count(u) || inserted_.count(u) || !orig_.count(u)) continue;
        const std::string& t = row_table_.at(u);
        Json row = Json::object();
        Json colnames = Json::array();
        for (auto& c : cols) {
            row[c] = datum_to_wire(orig_.at(u).at(c), column(t, c));
            colnames.push_back(c);
        }
        ops.push_back({{"op", "wait"},
                       {"table", t},
                       {"timeout", 0},
                       {"where", where_uuid(u)},
                       {"columns", colnames},
                       {"until", "=="},
                       {"rows", Json::array({row})}});
    }
}

// null when the row was deleted again.
Json DbCopy::insert_op(const std::string& uuid) const {
    const std::string& t = row_table_.at(uuid);
    auto table = tables_.find(t);
    if (table == tables_.end() || !table->second.count(uuid)) return nullptr;
    Json row = Json::object();
    for (auto& [c, d] : table->second.at(uuid).cols) {
        const ColumnType& ct = column(t, c);
        if (d.keys.empty() && ct.min == 0) continue;
        row[c] = datum_to_wire(d, ct);
    }
    return {{"op", "insert"}, {"table", t}, {"row", row}, {"uuid-name", "row" + uuid.substr(1)}};
}

// null when nothing changed after all.
Json DbCopy::update_op(const std::string& uuid, const std::set<std::string>& cols) const {
    const std::string& t = row_table_.at(uuid);
    auto table = tables_.find(t);
    if (table == tables_.end() || !table->second.count(uuid)) return nullptr;
    const Row& r = table->second.at(uuid);
    Json row = Json::object();
    bool changed = false;
    for (auto& c : cols) {
        if (!datum_equal(r.cols.at(c), orig_.at(uuid).at(c))) changed = true;
        row[c] = datum_to_wire(r.cols.at(c), column(t, c));
    }
    if (!changed) return nullptr;
    return {{"op", "update"}, {"table", t}, {"where", where_uuid(uuid)}, {"row", row}};
}

}  // namespace xvs::vsctl
