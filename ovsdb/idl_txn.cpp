// Building IdlTxn transactions: RFC 7047 operations from the replica, with
// rows inserted by the transaction named by "uuid-name" and referred to by
// "named-uuid". Sending them and reading the reply is in idl.cpp.
#include <algorithm>

#include "ovsdb/idl.h"

namespace xvs::ovsdb {

IdlTxn::IdlTxn(Idl& idl) : idl_(idl) {}

void IdlTxn::fail(std::string error) {
    if (!error_) error_ = std::move(error);
}

const TableSchema* IdlTxn::find_table(std::string_view table) {
    if (!idl_.schema_) {
        no_schema_ = true;
        return nullptr;
    }
    const TableSchema* ts = idl_.schema_->table(table);
    if (!ts) fail(fmt::format("database {} has no table {}", idl_.db_name_, table));
    return ts;
}

const ColumnSchema* IdlTxn::find_column(const TableSchema& table, std::string_view column, bool writing) {
    const ColumnSchema* c = table.column(column);
    if (!c) {
        fail(fmt::format("table {} has no column {}", table.name, column));
        return nullptr;
    }
    if (writing && c->index < kFirstUserColumn) {
        fail(fmt::format("column {} of table {} cannot be written", column, table.name));
        return nullptr;
    }
    return c;
}

// Atomic types must match the column's; a value written whole must also
// satisfy the column's size and constraints (references are the server's
// to check). Sorts 'value', which callers may have built in any order.
bool IdlTxn::check_value(const ColumnSchema& column, Datum& value, bool mutation_arg) {
    const Type& t = column.type;
    auto wrong = [&](std::string what) {
        fail(fmt::format("column {}: {}", column.name, what));
        return false;
    };
    if (!value.values.empty() && value.values.size() != value.keys.size())
        return wrong("a map needs one value per key");
    if (value.is_map() && !t.is_map()) return wrong(fmt::format("a map given for a {}", t.to_english()));
    if (!mutation_arg && t.is_map() && !value.is_map() && !value.empty())
        return wrong(fmt::format("a set given for a {}", t.to_english()));
    for (const Atom& k : value.keys)
        if (atom_type(k) != t.key.type)
            return wrong(fmt::format("{} given for a {}", atomic_type_name(atom_type(k)), t.to_english()));
    for (const Atom& v : value.values)
        if (atom_type(v) != t.value->type)
            return wrong(fmt::format("{} value given for a {}", atomic_type_name(atom_type(v)), t.to_english()));
    if (!value.sort_checking_duplicates()) return wrong("duplicate keys");
    if (!mutation_arg)
        if (auto s = check_datum(value, t); !s) return wrong(s.message());
    return true;
}

std::string IdlTxn::uuid_name(const Uuid& temp) const {
    std::string s = "row" + temp.to_string();
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

Json IdlTxn::atom_json(const Atom& a) const {
    if (const Uuid* u = std::get_if<Uuid>(&a); u && inserted_.count(*u))
        return Json::array({"named-uuid", uuid_name(*u)});
    return atom_to_json(a);
}

// RFC 7047 notation, with references to rows inserted here by name. A
// one-element set is its atom (what arithmetic mutations need).
Json IdlTxn::datum_json(const Datum& d, bool as_map) const {
    Json elements = Json::array();
    if (as_map) {
        for (size_t i = 0; i < d.size(); i++)
            elements.push_back(Json::array({atom_json(d.keys[i]), atom_json(d.values[i])}));
        return Json::array({"map", std::move(elements)});
    }
    if (d.size() == 1) return atom_json(d.keys[0]);
    for (const Atom& k : d.keys) elements.push_back(atom_json(k));
    return Json::array({"set", std::move(elements)});
}

Json IdlTxn::uuid_where(const Uuid& uuid) const {
    return Json::array({Json::array({"_uuid", "==", atom_json(Atom(uuid))})});
}

IdlRowRef IdlTxn::insert(std::string_view table) {
    IdlRowRef ref(std::string(table), Uuid::random());
    if (!find_table(table)) return ref;
    inserted_.insert(ref.uuid);
    writes_[ref.uuid];
    ops_.push_back(Op{OpKind::Insert, ref.table, ref.uuid, {}, {}});
    return ref;
}

void IdlTxn::set(const IdlRowRef& row, std::string_view column, Datum value) {
    const TableSchema* ts = find_table(row.table);
    if (!ts) return;
    const ColumnSchema* c = find_column(*ts, column, true);
    if (!c || !check_value(*c, value, false)) return;
    auto [it, fresh] = writes_.try_emplace(row.uuid);
    if (fresh) ops_.push_back(Op{OpKind::Update, row.table, row.uuid, {}, {}});
    it->second[c->name] = datum_json(value, c->type.is_map());
}

void IdlTxn::mutate(const IdlRowRef& row, std::string_view column, std::string_view mutator, Datum arg) {
    const TableSchema* ts = find_table(row.table);
    if (!ts) return;
    const ColumnSchema* c = find_column(*ts, column, true);
    if (!c || !check_value(*c, arg, true)) return;
    if (inserted_.count(row.uuid))
        return fail(
            fmt::format("column {}: a row this transaction inserts is written with set(), not mutated", column));
    // An empty insert into a map still has to look like a map.
    bool as_map = arg.is_map() || (arg.empty() && c->type.is_map() && mutator != "delete");
    Json m = Json::array({Json::array({c->name, std::string(mutator), datum_json(arg, as_map)})});
    ops_.push_back(Op{OpKind::Mutate, row.table, row.uuid, std::move(m), {}});
}

void IdlTxn::set_insert(const IdlRowRef& row, std::string_view column, Atom element) {
    mutate(row, column, "insert", Datum::scalar(std::move(element)));
}

void IdlTxn::set_delete(const IdlRowRef& row, std::string_view column, Atom element) {
    mutate(row, column, "delete", Datum::scalar(std::move(element)));
}

void IdlTxn::map_set(const IdlRowRef& row, std::string_view column, Atom key, Atom value) {
    // "insert" keeps a key's old value, so the key goes first.
    mutate(row, column, "delete", Datum::scalar(key));
    mutate(row, column, "insert", Datum{{std::move(key)}, {std::move(value)}});
}

void IdlTxn::map_delete(const IdlRowRef& row, std::string_view column, Atom key) {
    mutate(row, column, "delete", Datum::scalar(std::move(key)));
}

size_t IdlTxn::increment(const IdlRowRef& row, std::string_view column) {
    size_t n = n_increments_++;
    const TableSchema* ts = find_table(row.table);
    if (!ts) return n;
    const ColumnSchema* c = find_column(*ts, column, true);
    if (!c) return n;
    if (!c->type.is_scalar() || c->type.key.type != AtomicType::Integer) {
        fail(fmt::format("column {}: only an integer column can be incremented", column));
        return n;
    }
    if (inserted_.count(row.uuid)) {
        fail(fmt::format("column {}: a row this transaction inserts cannot be incremented", column));
        return n;
    }
    ops_.push_back(Op{OpKind::Increment, row.table, row.uuid, {}, c->name});
    return n;
}

void IdlTxn::delete_row(const IdlRowRef& row) {
    if (inserted_.count(row.uuid)) {
        deleted_inserts_.insert(row.uuid);
        return;
    }
    if (!find_table(row.table)) return;
    ops_.push_back(Op{OpKind::Delete, row.table, row.uuid, {}, {}});
}

void IdlTxn::verify(const IdlRow& row, std::string_view column) {
    const TableSchema* ts = find_table(row.table().name());
    if (!ts) return;
    const ColumnSchema* c = find_column(*ts, column, false);
    if (!c) return;
    // An unmonitored column reads as its default, which proves nothing.
    if (!row.table().is_monitored(column) && c->index != kUuidColumn)
        return fail(fmt::format("column {} of table {} is not monitored, so it cannot be verified", column, ts->name));
    auto [it, fresh] = waits_.try_emplace(row.uuid());
    if (fresh) ops_.push_back(Op{OpKind::Wait, ts->name, row.uuid(), {}, {}});
    it->second[c->name] = datum_json(row.get(c->index), c->type.is_map());
}

void IdlTxn::add_comment(std::string comment) {
    ops_.push_back(Op{OpKind::Comment, {}, {}, Json(std::move(comment)), {}});
}

Result<detail::IdlTxnPlan> IdlTxn::build() const {
    if (error_) return make_error("{}", *error_);
    if (no_schema_) return make_error("the schema of {} is not known yet", idl_.db_name_);
    detail::IdlTxnPlan plan;
    Json& params = plan.params;
    params = Json::array({idl_.db_name_});
    // The index of the next operation's result.
    auto next = [&] { return params.size() - 1; };
    if (!idl_.lock_name_.empty()) params.push_back(Json{{"op", "assert"}, {"lock", idl_.lock_name_}});
    for (const Op& op : ops_) {
        switch (op.kind) {
            case OpKind::Insert:
                if (deleted_inserts_.count(op.uuid)) break;
                plan.inserts.emplace_back(next(), op.uuid);
                params.push_back(Json{{"op", "insert"},
                                      {"table", op.table},
                                      {"uuid-name", uuid_name(op.uuid)},
                                      {"row", Json(writes_.at(op.uuid))}});
                break;
            case OpKind::Update:
                params.push_back(Json{{"op", "update"},
                                      {"table", op.table},
                                      {"where", uuid_where(op.uuid)},
                                      {"row", Json(writes_.at(op.uuid))}});
                break;
            case OpKind::Mutate:
                params.push_back(Json{
                    {"op", "mutate"}, {"table", op.table}, {"where", uuid_where(op.uuid)}, {"mutations", op.body}});
                break;
            case OpKind::Increment:
                params.push_back(Json{{"op", "mutate"},
                                      {"table", op.table},
                                      {"where", uuid_where(op.uuid)},
                                      {"mutations", Json::array({Json::array({op.column, "+=", 1})})}});
                plan.increment_reads.emplace_back(next(), op.column);
                params.push_back(Json{{"op", "select"},
                                      {"table", op.table},
                                      {"where", uuid_where(op.uuid)},
                                      {"columns", Json::array({op.column})}});
                break;
            case OpKind::Delete:
                params.push_back(Json{{"op", "delete"}, {"table", op.table}, {"where", uuid_where(op.uuid)}});
                break;
            case OpKind::Wait: {
                const auto& values = waits_.at(op.uuid);
                Json columns = Json::array();
                for (const auto& [name, value] : values) columns.push_back(name);
                params.push_back(Json{{"op", "wait"},
                                      {"table", op.table},
                                      {"timeout", 0},
                                      {"where", uuid_where(op.uuid)},
                                      {"columns", std::move(columns)},
                                      {"until", "=="},
                                      {"rows", Json::array({Json(values)})}});
                break;
            }
            case OpKind::Comment:
                params.push_back(Json{{"op", "comment"}, {"comment", op.body}});
                break;
        }
    }
    plan.n_ops = params.size() - 1;
    return plan;
}

Result<Json> IdlTxn::to_json() const {
    auto plan = build();
    if (!plan) return plan.error();
    return std::move(plan->params);
}

void IdlTxn::commit(std::function<void(const IdlTxnResult&)> done) {
    if (committed_) {
        IdlTxnResult res;
        res.status = IdlTxnResult::Status::Error;
        res.error = "the transaction was already committed";
        return idl_.finish_later(std::move(done), std::move(res));
    }
    committed_ = true;
    idl_.start_commit(*this, std::move(done));
}

// ---- datums ---------------------------------------------------------------------------

Datum string_datum(std::string s) {
    return Datum::scalar(std::move(s));
}

Datum integer_datum(int64_t i) {
    return Datum::scalar(i);
}

Datum real_datum(double d) {
    return Datum::scalar(d);
}

Datum bool_datum(bool b) {
    return Datum::scalar(b);
}

Datum uuid_datum(const Uuid& u) {
    return Datum::scalar(u);
}

Datum string_set_datum(const std::vector<std::string>& strings) {
    Datum d;
    for (const auto& s : strings) d.insert(s);
    return d;
}

Datum uuid_set_datum(const std::vector<Uuid>& uuids) {
    Datum d;
    for (const auto& u : uuids) d.insert(u);
    return d;
}

Datum string_map_datum(const std::map<std::string, std::string>& map) {
    Datum d;
    for (const auto& [k, v] : map) d.insert(k, Atom(v));
    return d;
}

}  // namespace xvs::ovsdb
