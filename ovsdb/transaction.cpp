#include "ovsdb/transaction.h"

#include <chrono>
#include <set>

namespace xvs::ovsdb {

// ---- The transaction's view of the database ----

Txn::Txn(Database& db) : db_(db), rows_(db.schema().tables.size()) {}

const Row* Txn::find(size_t table, const Uuid& uuid) const {
    const auto& mine = rows_[table];
    if (auto it = mine.find(uuid); it != mine.end()) return it->second.next.get();
    const auto& committed = db_.table(table).rows;
    auto it = committed.find(uuid);
    return it == committed.end() ? nullptr : it->second.get();
}

std::vector<Uuid> Txn::query(size_t table, const Condition& condition) const {
    const TableSchema& ts = schema().tables[table];
    std::vector<Uuid> out;
    if (auto pinned = condition.pinned_uuid()) {
        const Row* r = find(table, *pinned);
        if (r && condition.matches_all(ts, *r)) out.push_back(*pinned);
        return out;
    }
    const auto& mine = rows_[table];
    for (const auto& [uuid, row] : db_.table(table).rows) {
        auto it = mine.find(uuid);
        const Row* r = it == mine.end() ? row.get() : it->second.next.get();
        if (r && condition.matches_all(ts, *r)) out.push_back(uuid);
    }
    for (const auto& [uuid, tr] : mine)
        if (!tr.old && tr.next && condition.matches_all(ts, *tr.next)) out.push_back(uuid);
    return out;
}

size_t Txn::n_rows(size_t table) const {
    size_t n = db_.table(table).rows.size();
    for (const auto& [uuid, tr] : rows_[table]) {
        if (!tr.old && tr.next) n++;
        if (tr.old && !tr.next) n--;
    }
    return n;
}

Row& Txn::modify(size_t table, const Uuid& uuid) {
    auto& mine = rows_[table];
    if (auto it = mine.find(uuid); it != mine.end()) return *it->second.next;
    TxnRow& tr = mine[uuid];
    tr.old = db_.find_row(table, uuid);
    tr.next = std::make_shared<Row>(*tr.old);
    return *tr.next;
}

void Txn::insert(size_t table, Row row) {
    if (row.version().is_zero()) row.set_version(Uuid::random());
    Uuid uuid = row.uuid();
    rows_[table][uuid] = TxnRow{nullptr, std::make_shared<Row>(std::move(row))};
}

void Txn::erase(size_t table, const Uuid& uuid) {
    auto& mine = rows_[table];
    if (auto it = mine.find(uuid); it != mine.end()) {
        if (!it->second.old) {
            mine.erase(it);  // inserted and deleted: nothing happened
        } else {
            it->second.next.reset();
        }
        return;
    }
    mine[uuid] = TxnRow{db_.find_row(table, uuid), nullptr};
}

bool Txn::may_create(size_t table, const Uuid& uuid) const {
    return !rows_[table].count(uuid) && !db_.table(table).rows.count(uuid);
}

void Txn::add_comment(const std::string& comment) {
    if (!comment_.empty()) comment_ += '\n';
    comment_ += comment;
}

// ---- Commit checks ----

namespace {

// Calls f(target table, uuid) for each strong (or weak) reference in 'd'.
template <typename F>
void for_each_ref(const Datum& d, const ColumnRefs& refs, bool strong, F f) {
    if (refs.key_table && refs.key_strong == strong)
        for (const Atom& a : d.keys) f(*refs.key_table, std::get<Uuid>(a));
    if (refs.value_table && refs.value_strong == strong)
        for (const Atom& a : d.values) f(*refs.value_table, std::get<Uuid>(a));
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

// Turns a Txn into a checked TxnChanges, in the order OVS does it: strong
// references, deletions of referenced rows, garbage collection and weak
// references (to a fixed point, since each can cause the other), maxRows,
// column constraints, unique indexes.
class CommitChecker {
public:
    explicit CommitChecker(Txn& txn)
        : txn_(txn), schema_(txn.schema()), refs_(schema_.column_refs()), deltas_(schema_.tables.size()) {}

    DbResult<std::shared_ptr<TxnChanges>> run() {
        if (auto s = count_references(); !s) return s.error();
        if (auto s = check_deletions(); !s) return s.error();
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            for (const auto& [uuid, tr] : txn_.rows_[t]) {
                if (tr.next) {
                    garbage_.insert({t, uuid});
                } else {
                    // Deleted by a "delete" operation: rows this transaction
                    // did not touch may still refer to it weakly.
                    deleted_tables_.insert(t);
                }
            }
        }
        bool first = true;
        for (;;) {
            collect_garbage();
            if (!first && deleted_tables_.empty()) break;
            if (auto s = remove_weak_refs(first); !s) return s.error();
            first = false;
            if (garbage_.empty()) break;
        }
        if (auto s = check_max_rows(); !s) return s.error();
        if (auto s = check_constraints(); !s) return s.error();
        if (auto s = check_indexes(); !s) return s.error();
        return build_changes();
    }

    const Txn::RefDeltas& deltas() const { return deltas_; }

private:
    using Key = Txn::Key;

    int64_t ref_count(size_t t, const Uuid& u) const {
        const auto& committed = txn_.db_.table(t).strong_refs;
        auto c = committed.find(u);
        auto d = deltas_[t].find(u);
        return (c == committed.end() ? 0 : c->second) + (d == deltas_[t].end() ? 0 : d->second);
    }

    // Adjusts reference counts for a column going from 'old' to 'next'
    // (either may be null); references it adds must point at rows.
    DbStatus count_column(size_t t, const Uuid& self, size_t c, const Datum* old, const Datum* next) {
        std::map<Key, int64_t> diff;
        auto count = [&](int sign) {
            return [&, sign](size_t target, const Uuid& u) {
                if (target != t || u != self) diff[{target, u}] += sign;  // self-references don't count
            };
        };
        if (old) for_each_ref(*old, refs_[t][c], true, count(-1));
        if (next) for_each_ref(*next, refs_[t][c], true, count(+1));
        for (const auto& [key, n] : diff) {
            if (n > 0 && !txn_.find(key.first, key.second))
                return db_error(tag::kRefIntegrity,
                                "Table {} column {} row {} references nonexistent row {} in table {}.",
                                schema_.tables[t].name, schema_.tables[t].columns[c].name, self.to_string(),
                                key.second.to_string(), schema_.tables[key.first].name);
            if (n) deltas_[key.first][key.second] += n;
            if (n < 0) garbage_.insert(key);
        }
        return {};
    }

    DbStatus count_references() {
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            for (const auto& [uuid, tr] : txn_.rows_[t]) {
                for (size_t c = 0; c < refs_[t].size(); c++) {
                    if (!refs_[t][c].any_strong()) continue;
                    const Datum* old = tr.old ? &tr.old->fields[c] : nullptr;
                    const Datum* next = tr.next ? &tr.next->fields[c] : nullptr;
                    if (old && next && *old == *next) continue;
                    if (auto s = count_column(t, uuid, c, old, next); !s) return s;
                }
            }
        }
        return {};
    }

    DbStatus check_deletions() const {
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            for (const auto& [uuid, tr] : txn_.rows_[t]) {
                if (!tr.old || tr.next) continue;
                if (int64_t n = ref_count(t, uuid); n > 0)
                    return db_error(tag::kRefIntegrity, "cannot delete {} row {} because of {} remaining reference(s)",
                                    schema_.tables[t].name, uuid.to_string(), n);
            }
        }
        return {};
    }

    // Deletes rows of non-root tables that nothing references any more,
    // and then whatever only they referenced.
    void collect_garbage() {
        while (!garbage_.empty()) {
            Key key = *garbage_.begin();
            garbage_.erase(garbage_.begin());
            auto [t, uuid] = key;
            if (schema_.tables[t].is_root || ref_count(t, uuid) != 0) continue;
            const Row* row = txn_.find(t, uuid);
            if (!row) continue;
            for (size_t c = 0; c < refs_[t].size(); c++) {
                for_each_ref(row->fields[c], refs_[t][c], true, [&](size_t target, const Uuid& u) {
                    if (target == t && u == uuid) return;
                    deltas_[target][u] -= 1;
                    garbage_.insert({target, u});
                });
            }
            txn_.erase(t, uuid);
            deleted_tables_.insert(t);
        }
    }

    // Whether any weak-reference column of 'table' may point into a table
    // that lost rows since the last pass.
    bool refers_to_deleted(size_t t) const {
        for (const ColumnRefs& r : refs_[t]) {
            if (r.key_table && !r.key_strong && deleted_tables_.count(*r.key_table)) return true;
            if (r.value_table && !r.value_strong && deleted_tables_.count(*r.value_table)) return true;
        }
        return false;
    }

    DbStatus remove_weak_refs(bool first) {
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            bool any_weak = false;
            for (const ColumnRefs& r : refs_[t]) any_weak |= r.any_weak();
            if (!any_weak) continue;
            std::vector<Uuid> candidates;
            if (refers_to_deleted(t)) {
                for (const auto& [uuid, row] : txn_.db_.table(t).rows)
                    if (!txn_.rows_[t].count(uuid)) candidates.push_back(uuid);
            }
            // Rows the transaction wrote may hold references to rows that
            // never existed; rows it did not write only to rows it deleted.
            if (first || refers_to_deleted(t))
                for (const auto& [uuid, tr] : txn_.rows_[t])
                    if (tr.next) candidates.push_back(uuid);
            for (const Uuid& uuid : candidates)
                if (auto s = clean_row(t, uuid); !s) return s;
        }
        deleted_tables_.clear();
        return {};
    }

    // Removes the elements of 'row' that weakly reference missing rows.
    DbStatus clean_row(size_t t, const Uuid& uuid) {
        const Row* row = txn_.find(t, uuid);
        for (size_t c = 0; c < refs_[t].size(); c++) {
            const ColumnRefs& r = refs_[t][c];
            if (!r.any_weak()) continue;
            const Datum& d = row->fields[c];
            std::vector<size_t> dangling;
            for (size_t i = 0; i < d.size(); i++) {
                bool bad =
                    (r.key_table && !r.key_strong && !txn_.find(*r.key_table, std::get<Uuid>(d.keys[i]))) ||
                    (r.value_table && !r.value_strong && !txn_.find(*r.value_table, std::get<Uuid>(d.values[i])));
                if (bad) dangling.push_back(i);
            }
            if (dangling.empty()) continue;
            auto own = txn_.rows_[t].find(uuid);
            bool inserted = own != txn_.rows_[t].end() && !own->second.old;
            Datum& field = txn_.modify(t, uuid).fields[c];
            Datum removed;
            for (auto it = dangling.rbegin(); it != dangling.rend(); ++it) {
                removed.keys.push_back(field.keys[*it]);
                if (field.is_map()) removed.values.push_back(field.values[*it]);
                field.erase_at(*it);
            }
            // A map may pair a weak key with a strong value.
            if (auto s = count_column(t, uuid, c, &removed, nullptr); !s) return s;
            row = txn_.find(t, uuid);
            const ColumnSchema& column = schema_.tables[t].columns[c];
            if (field.size() < column.type.n_min)
                return db_error(tag::kConstraint,
                                "Deletion of {} weak reference(s) to deleted (or never-existing) rows from column "
                                "\"{}\" in \"{}\" row {} {}caused this column to become empty, but constraints on "
                                "this column disallow an empty column.",
                                dangling.size(), column.name, schema_.tables[t].name, uuid.to_string(),
                                inserted ? "(inserted within this transaction) " : "");
        }
        return {};
    }

    DbStatus check_max_rows() const {
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            if (txn_.rows_[t].empty()) continue;
            size_t n = txn_.n_rows(t);
            if (n > schema_.tables[t].max_rows)
                return db_error(tag::kConstraint,
                                "transaction causes \"{}\" table to contain {} rows, greater than the schema-defined "
                                "limit of {} row(s)",
                                schema_.tables[t].name, n, schema_.tables[t].max_rows);
        }
        return {};
    }

    DbStatus check_constraints() const {
        for (size_t t = 0; t < schema_.tables.size(); t++) {
            const TableSchema& ts = schema_.tables[t];
            for (const auto& [uuid, tr] : txn_.rows_[t]) {
                if (!tr.next) continue;
                for (size_t c = kFirstUserColumn; c < ts.columns.size(); c++) {
                    if (tr.old && tr.old->fields[c] == tr.next->fields[c]) continue;
                    if (auto s = check_datum(tr.next->fields[c], ts.columns[c].type); !s) {
                        DbError e = s.error();
                        e.details = fmt::format("Table {} column {} row {}: {}", ts.name, ts.columns[c].name,
                                                uuid.to_string(), e.details);
                        return e;
                    }
                }
            }
        }
        return {};
    }

    DbStatus check_indexes() const;
    std::string describe_for_index(size_t t, const Uuid& uuid, const std::vector<size_t>& index) const;
    std::shared_ptr<TxnChanges> build_changes();

    Txn& txn_;
    const Schema& schema_;
    const std::vector<std::vector<ColumnRefs>>& refs_;
    Txn::RefDeltas deltas_;
    std::set<Key> garbage_;            // rows to look at for garbage collection
    std::set<size_t> deleted_tables_;  // tables that lost rows since the last weak-reference pass
};

namespace {

std::vector<Datum> index_key(const Row& row, const std::vector<size_t>& index) {
    std::vector<Datum> key;
    for (size_t c : index) key.push_back(row.fields[c]);
    return key;
}

}  // namespace

std::string CommitChecker::describe_for_index(size_t t, const Uuid& uuid, const std::vector<size_t>& index) const {
    auto it = txn_.rows_[t].find(uuid);
    std::string s = fmt::format("row, with UUID {}, ", uuid.to_string());
    if (it == txn_.rows_[t].end())
        return s +
               "existed in the database before this transaction and was not modified "
               "by the transaction.";
    if (!it->second.old) return s + "was inserted by this transaction.";
    if (index_key(*it->second.old, index) == index_key(*it->second.next, index))
        return s +
               "existed in the database before this transaction, which modified some of the row's columns but "
               "not any columns in this index.";
    return s + "had different values for this index before the transaction.";
}

DbStatus CommitChecker::check_indexes() const {
    for (size_t t = 0; t < schema_.tables.size(); t++) {
        const TableSchema& ts = schema_.tables[t];
        for (size_t i = 0; i < ts.indexes.size(); i++) {
            const auto& index = ts.indexes[i];
            const auto& committed = txn_.db_.table(t).indexes[i];
            std::map<std::vector<Datum>, Uuid> mine;
            for (const auto& [uuid, tr] : txn_.rows_[t]) {
                if (!tr.next) continue;
                auto key = index_key(*tr.next, index);
                std::optional<Uuid> other;
                if (auto m = mine.find(key); m != mine.end()) other = m->second;
                if (auto c = committed.find(key); !other && c != committed.end() && !txn_.rows_[t].count(c->second))
                    other = c->second;
                if (other) {
                    std::string values, names;
                    for (size_t k = 0; k < index.size(); k++) {
                        values += (k ? ", " : "") + datum_to_json(key[k], ts.columns[index[k]].type).dump();
                        names += (k ? ", " : "") + ts.columns[index[k]].name;
                    }
                    return db_error(tag::kConstraint,
                                    "Transaction causes multiple rows in \"{}\" table to have identical values ({}) "
                                    "for index on columns {}. First {} Second {}",
                                    ts.name, values, names, describe_for_index(t, *other, index),
                                    describe_for_index(t, uuid, index));
                }
                mine.emplace(std::move(key), uuid);
            }
        }
    }
    return {};
}

std::shared_ptr<TxnChanges> CommitChecker::build_changes() {
    auto changes = std::make_shared<TxnChanges>();
    changes->schema = txn_.db_.shared_schema();
    for (size_t t = 0; t < schema_.tables.size(); t++) {
        TableChanges tc;
        tc.table = t;
        size_t n_columns = schema_.tables[t].columns.size();
        for (auto& [uuid, tr] : txn_.rows_[t]) {
            RowChange rc;
            rc.changed.assign(n_columns, true);
            if (tr.old && tr.next) {
                bool any = false;
                for (size_t c = kFirstUserColumn; c < n_columns; c++) {
                    rc.changed[c] = !(tr.old->fields[c] == tr.next->fields[c]);
                    any |= rc.changed[c];
                }
                if (!any) continue;  // written back unchanged: not a change
                rc.changed[kUuidColumn] = false;
                tr.next->set_version(Uuid::random());
            } else if (!tr.old && !tr.next) {
                continue;
            }
            rc.old_row = tr.old;
            rc.new_row = tr.next;
            tc.rows.emplace(uuid, std::move(rc));
        }
        if (!tc.rows.empty()) changes->tables.push_back(std::move(tc));
    }
    return changes;
}

DbResult<std::shared_ptr<const TxnChanges>> Txn::commit() {
    CommitChecker checker(*this);
    auto checked = checker.run();
    if (!checked) return checked.error();
    std::shared_ptr<TxnChanges> changes = std::move(*checked);
    if (changes->empty()) return std::shared_ptr<const TxnChanges>();
    changes->txn_id = Uuid::random();
    changes->prev_txn_id = db_.last_txn_id();
    changes->date_ms = now_ms();
    changes->comment = comment_;
    changes->durable = durable_;
    if (CommitLog* log = db_.commit_log())
        if (auto s = log->write(*changes); !s) return db_error(tag::kIo, "{}", s.message());
    db_.install(changes, checker.deltas());
    return std::shared_ptr<const TxnChanges>(std::move(changes));
}

}  // namespace xvs::ovsdb
