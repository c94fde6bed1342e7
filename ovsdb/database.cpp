#include "ovsdb/database.h"

#include "ovsdb/transaction.h"

namespace xvs::ovsdb {

Database::Database(Schema schema)
    : schema_(std::make_shared<const Schema>(std::move(schema))), tables_(schema_->tables.size()) {
    for (size_t t = 0; t < tables_.size(); t++) tables_[t].indexes.resize(schema_->tables[t].indexes.size());
}

std::shared_ptr<const Row> Database::find_row(size_t table, const Uuid& uuid) const {
    const auto& rows = tables_[table].rows;
    auto it = rows.find(uuid);
    return it == rows.end() ? nullptr : it->second;
}

size_t Database::n_rows() const {
    size_t n = 0;
    for (const TableData& t : tables_) n += t.rows.size();
    return n;
}

namespace {

std::vector<Datum> index_key(const Row& row, const std::vector<size_t>& index) {
    std::vector<Datum> key;
    key.reserve(index.size());
    for (size_t c : index) key.push_back(row.fields[c]);
    return key;
}

}  // namespace

void Database::install(std::shared_ptr<TxnChanges> changes,
                       const std::vector<std::unordered_map<Uuid, int64_t, UuidHash>>& ref_deltas) {
    // Counts first: a deleted row's entry must reach zero before it goes.
    for (size_t t = 0; t < ref_deltas.size(); t++) {
        for (const auto& [uuid, delta] : ref_deltas[t]) {
            if (!delta) continue;
            auto& refs = tables_[t].strong_refs;
            int64_t n = int64_t(refs[uuid]) + delta;
            if (n <= 0) {
                refs.erase(uuid);
            } else {
                refs[uuid] = static_cast<uint32_t>(n);
            }
        }
    }
    for (const TableChanges& tc : changes->tables) {
        TableData& td = tables_[tc.table];
        const TableSchema& ts = schema_->tables[tc.table];
        for (const auto& [uuid, rc] : tc.rows) {
            if (!rc.old_row) continue;
            for (size_t i = 0; i < ts.indexes.size(); i++) {
                auto it = td.indexes[i].find(index_key(*rc.old_row, ts.indexes[i]));
                if (it != td.indexes[i].end() && it->second == uuid) td.indexes[i].erase(it);
            }
        }
        for (const auto& [uuid, rc] : tc.rows) {
            if (!rc.new_row) {
                td.rows.erase(uuid);
                td.strong_refs.erase(uuid);
                continue;
            }
            td.rows[uuid] = rc.new_row;
            for (size_t i = 0; i < ts.indexes.size(); i++) td.indexes[i][index_key(*rc.new_row, ts.indexes[i])] = uuid;
        }
    }
    last_txn_id_ = changes->txn_id;
    std::shared_ptr<const TxnChanges> done = std::move(changes);
    if (history_limit_) {
        history_.push_back(done);
        while (history_.size() > history_limit_) history_.pop_front();
    }
    // Copy: a listener may add or remove listeners.
    auto listeners = listeners_;
    for (const auto& [id, listener] : listeners) listener(done);
}

size_t Database::add_listener(Listener listener) {
    listeners_.emplace(next_listener_, std::move(listener));
    return next_listener_++;
}

void Database::remove_listener(size_t id) {
    listeners_.erase(id);
}

std::optional<std::vector<std::shared_ptr<const TxnChanges>>> Database::changes_since(const Uuid& txn_id) const {
    std::vector<std::shared_ptr<const TxnChanges>> out;
    if (txn_id == last_txn_id_) return out;
    // Each entry knows its predecessor, so N entries serve N+1 starting points.
    for (size_t i = 0; i < history_.size(); i++) {
        if (history_[i]->prev_txn_id != txn_id) continue;
        out.assign(history_.begin() + static_cast<ptrdiff_t>(i), history_.end());
        return out;
    }
    return std::nullopt;
}

void Database::set_history_limit(size_t n) {
    history_limit_ = n;
    while (history_.size() > history_limit_) history_.pop_front();
}

// ---- Replaying database file records ----

namespace {

DbStatus replay_columns(const TableSchema& ts, Row& row, const Json& json, bool diff, bool converting) {
    if (!json.is_object()) return syntax_error(json, "row must be JSON object");
    for (auto it = json.begin(); it != json.end(); ++it) {
        const ColumnSchema* c = ts.column(it.key());
        if (!c) {
            if (converting) continue;
            DbError e = syntax_error(json, "No column {} in table {}.", it.key(), ts.name);
            e.tag = tag::kUnknownColumn;
            return e;
        }
        if (c->index < kFirstUserColumn) return syntax_error(json, "column {} cannot be written", c->name);
        if (!diff) {
            auto d = datum_from_json(c->type, it.value());
            if (!d) return d.error();
            row.fields[c->index] = std::move(*d);
            continue;
        }
        // A diff may hold more elements than the column allows.
        Type relaxed = c->type;
        relaxed.n_min = 0;
        relaxed.n_max = Type::kUnlimited;
        auto d = datum_from_json(relaxed, it.value());
        if (!d) return d.error();
        auto applied = datum_apply_diff(row.fields[c->index], *d, c->type);
        if (!applied) return applied.error();
        row.fields[c->index] = std::move(*applied);
    }
    return {};
}

DbStatus replay_table(Txn& txn, size_t t, const Json& rows, bool diff, bool converting) {
    const TableSchema& ts = txn.schema().tables[t];
    if (!rows.is_object()) return syntax_error(rows, "object expected");
    for (auto it = rows.begin(); it != rows.end(); ++it) {
        auto uuid = Uuid::parse(it.key());
        if (!uuid) return syntax_error(rows, "\"{}\" is not a valid UUID", it.key());
        const Json& row_json = it.value();
        const Row* existing = txn.find(t, *uuid);
        if (row_json.is_null()) {
            if (!existing) return syntax_error(row_json, "transaction deletes row {} that does not exist", it.key());
            txn.erase(t, *uuid);
        } else if (existing) {
            if (auto s = replay_columns(ts, txn.modify(t, *uuid), row_json, diff, converting); !s) return s;
        } else {
            Row row = Row::with_defaults(ts, *uuid);
            // A new row's columns are always whole values, also in diff records.
            if (auto s = replay_columns(ts, row, row_json, false, converting); !s) return s;
            txn.insert(t, std::move(row));
        }
    }
    return {};
}

}  // namespace

DbStatus Database::replay(const Json& record, bool converting) {
    if (!record.is_object()) return syntax_error(record, "object expected");
    auto is_diff = record.find("_is_diff");
    bool diff = is_diff != record.end() && is_diff->is_boolean() && is_diff->get<bool>();
    Txn txn(*this);
    for (auto it = record.begin(); it != record.end(); ++it) {
        const std::string& name = it.key();
        auto t = schema_->table_index(name);
        if (!t) {
            if (name == "_date" && it->is_number_integer()) continue;
            if (name == "_is_diff" && it->is_boolean()) continue;
            if (name == "_comment") {
                if (it->is_string()) txn.add_comment(it->get<std::string>());
                continue;
            }
            if (converting) continue;
            DbError e = syntax_error(record, "No table named {}.", name);
            e.tag = "unknown table";
            return e;
        }
        if (auto s = replay_table(txn, *t, it.value(), diff, converting); !s) return s;
    }
    auto committed = txn.commit();
    if (!committed) return committed.error();
    return {};
}

DbStatus Database::load_rows(std::vector<std::pair<size_t, Row>> rows) {
    Txn txn(*this);
    for (auto& [table, row] : rows) {
        if (!txn.may_create(table, row.uuid()))
            return db_error(tag::kDuplicateUuid, "row {} appears twice in table {}", row.uuid().to_string(),
                            schema_->tables[table].name);
        txn.insert(table, std::move(row));
    }
    auto committed = txn.commit();
    if (!committed) return committed.error();
    return {};
}

}  // namespace xvs::ovsdb
