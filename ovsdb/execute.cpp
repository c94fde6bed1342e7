// RFC 7047 section 5.2: the operations of a "transact" request, run in
// order against one Txn, which commits only if every operation succeeds.
#include <algorithm>
#include <new>
#include <set>

#include "ovsdb/database.h"
#include "ovsdb/json_parser.h"
#include "ovsdb/mutation.h"
#include "ovsdb/transaction.h"

namespace xvs::ovsdb {

namespace {

// Columns an operation's <row> may name.
enum class RowUse { Insert, Update, Match };

using ColumnValues = std::vector<std::pair<size_t, Datum>>;

DbResult<ColumnValues> parse_row(const TableSchema& ts, const Json& json, const NameResolver* names, RowUse use) {
    ColumnValues out;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const ColumnSchema* c = ts.column(it.key());
        if (!c) {
            DbError e = syntax_error(json, "No column {} in table {}.", it.key(), ts.name);
            e.tag = tag::kUnknownColumn;
            return e;
        }
        if (use == RowUse::Insert && c->index < kFirstUserColumn) {
            DbError e =
                syntax_error(json, "Cannot set column {} in table {}: the database assigns it.", c->name, ts.name);
            e.tag = tag::kConstraint;
            return e;
        }
        if (use == RowUse::Update && !c->is_mutable) {
            DbError e = syntax_error(json, "Cannot update immutable column {} in table {}.", c->name, ts.name);
            e.tag = tag::kConstraint;
            return e;
        }
        auto d = datum_from_json(c->type, it.value(), names);
        if (!d) return d.error();
        out.emplace_back(c->index, std::move(*d));
    }
    return out;
}

class Executor {
public:
    Executor(Database& db, const ExecuteOptions& options)
        : db_(db), txn_(db), options_(options), resolver_([this](const std::string& n) { return resolve(n); }) {}

    TransactResult run(const Json& params);

private:
    struct Symbol {
        Uuid uuid;
        bool created = false;  // an insert with this uuid-name has run
    };

    void prescan(const Json& params);
    DbResult<Uuid> resolve(const std::string& name) const;
    DbResult<Json> run_op(const Json& op, size_t i, size_t n);
    DbResult<size_t> parse_table(MemberParser& p);
    DbResult<Condition> parse_where(MemberParser& p, const Json* where, size_t table);

    DbResult<Json> op_insert(MemberParser& p);
    DbResult<Json> op_select(MemberParser& p);
    DbResult<Json> op_update(MemberParser& p);
    DbResult<Json> op_mutate(MemberParser& p);
    DbResult<Json> op_delete(MemberParser& p);
    DbResult<Json> op_wait(MemberParser& p);
    DbResult<Json> op_commit(MemberParser& p);
    DbResult<Json> op_comment(MemberParser& p);
    DbResult<Json> op_assert(MemberParser& p);

    Database& db_;
    Txn txn_;
    const ExecuteOptions& options_;
    NameResolver resolver_;
    std::map<std::string, Symbol> symbols_;
    // The smallest "timeout" of the waits run so far.
    std::optional<int64_t> timeout_ms_;
    // A wait is unsatisfied and may be retried.
    bool blocked_ = false;
};

// Named UUIDs resolve across the whole transaction, so an operation may
// refer to a row that a later "insert" creates: every insert's uuid-name
// (with its "uuid", if it chooses one) is known before the first op runs.
void Executor::prescan(const Json& params) {
    for (size_t i = 1; i < params.size(); i++) {
        const Json& op = params[i];
        if (!op.is_object() || op.value("op", Json()) != "insert") continue;
        auto name = op.find("uuid-name");
        if (name == op.end() || !name->is_string() || symbols_.count(name->get<std::string>())) continue;
        Symbol s{Uuid::random(), false};
        if (auto u = op.find("uuid"); u != op.end() && u->is_string())
            if (auto parsed = Uuid::parse(u->get<std::string>())) s.uuid = *parsed;
        symbols_.emplace(name->get<std::string>(), s);
    }
}

DbResult<Uuid> Executor::resolve(const std::string& name) const {
    auto it = symbols_.find(name);
    if (it == symbols_.end())
        return db_error(tag::kSyntax, "named-uuid \"{}\" is not the uuid-name of any insert in this transaction", name);
    return it->second.uuid;
}

TransactResult Executor::run(const Json& params) {
    TransactResult result;
    result.kind = TransactResult::Kind::RpcError;
    if (!params.is_array()) {
        result.reply = syntax_error(params, "array expected").to_json();
        return result;
    }
    if (params.empty() || !params[0].is_string()) {
        result.reply = syntax_error(params, "database name expected as first parameter").to_json();
        return result;
    }
    if (params[0].get_ref<const std::string&>() != db_.schema().name) {
        result.reply = db_error(tag::kUnknownDatabase, "{}", params[0].get<std::string>()).to_json();
        return result;
    }
    prescan(params);
    result.kind = TransactResult::Kind::Done;
    result.reply = Json::array();
    size_t n = params.size() - 1;
    for (size_t i = 1; i <= n; i++) {
        auto r = run_op(params[i], i, n);
        if (blocked_) {
            result.kind = TransactResult::Kind::Blocked;
            result.reply = nullptr;
            result.timeout_ms = timeout_ms_;
            return result;
        }
        if (!r) {
            // The failed operation's error, nulls for those not run, and
            // nothing committed.
            result.reply.push_back(r.error().to_json());
            while (result.reply.size() < n) result.reply.push_back(nullptr);
            return result;
        }
        result.reply.push_back(std::move(*r));
    }
    auto committed = txn_.commit();
    if (!committed) {
        // All operations succeeded but the commit did not: one more element.
        result.reply.push_back(committed.error().to_json());
    } else {
        result.changes = *committed;
    }
    return result;
}

DbResult<Json> Executor::run_op(const Json& op, size_t i, size_t n) {
    MemberParser p(op, fmt::format("ovsdb operation {} of {}", i, n));
    const Json* name = p.member("op", MemberParser::kId);
    if (!name) return p.status().error();
    const std::string& op_name = name->get_ref<const std::string&>();
    static const std::set<std::string, std::less<>> kReadOnly = {"select", "wait", "abort", "comment", "assert"};
    DbResult<Json> r = Json::object();
    if (op_name == "insert") {
        r = op_insert(p);
    } else if (op_name == "select") {
        r = op_select(p);
    } else if (op_name == "update") {
        r = op_update(p);
    } else if (op_name == "mutate") {
        r = op_mutate(p);
    } else if (op_name == "delete") {
        r = op_delete(p);
    } else if (op_name == "wait") {
        r = op_wait(p);
    } else if (op_name == "commit") {
        r = op_commit(p);
    } else if (op_name == "abort") {
        r = db_error(tag::kAborted, "aborted by request");
    } else if (op_name == "comment") {
        r = op_comment(p);
    } else if (op_name == "assert") {
        r = op_assert(p);
    } else {
        p.fail(fmt::format("No operation \"{}\"", op_name));
    }
    // A malformed operation is reported as such, whatever else happened.
    if (auto s = p.finish(); !s) {
        blocked_ = false;
        return s.error();
    }
    if (r && options_.read_only && !kReadOnly.count(op_name))
        return db_error(tag::kNotAllowed, "{} operation not allowed when database server is in read only mode",
                        op_name);
    return r;
}

DbResult<size_t> Executor::parse_table(MemberParser& p) {
    const Json* name = p.member("table", MemberParser::kId);
    if (!name) return p.status().error();
    auto t = db_.schema().table_index(name->get_ref<const std::string&>());
    if (!t) {
        p.fail(fmt::format("No table named {}.", name->get<std::string>()));
        return p.status().error();
    }
    return *t;
}

DbResult<Condition> Executor::parse_where(MemberParser& p, const Json* where, size_t table) {
    if (p.failed()) return p.status().error();
    return condition_from_json(db_.schema().tables[table], *where, &resolver_);
}

DbResult<Json> Executor::op_insert(MemberParser& p) {
    using K = MemberParser;
    auto t = parse_table(p);
    const Json* uuid_json = p.member("uuid", K::kString | K::kOptional);
    const Json* uuid_name = p.member("uuid-name", K::kId | K::kOptional);
    const Json* row_json = p.member("row", K::kObject);
    if (!t || p.failed()) return p.status().error();
    const TableSchema& ts = db_.schema().tables[*t];

    Uuid uuid;
    if (uuid_json) {
        auto parsed = Uuid::parse(uuid_json->get_ref<const std::string&>());
        if (!parsed) return syntax_error(*uuid_json, "bad uuid");
        if (!txn_.may_create(*t, *parsed)) {
            DbError e = syntax_error(*uuid_json,
                                     "This UUID would duplicate a UUID already present within the \"{}\" table or "
                                     "deleted from this table within the same transaction.",
                                     ts.name);
            e.tag = tag::kDuplicateUuid;
            return e;
        }
        uuid = *parsed;
    }
    if (uuid_name) {
        Symbol& symbol = symbols_[uuid_name->get<std::string>()];
        if (symbol.created) {
            DbError e = syntax_error(*uuid_name, "This \"uuid-name\" appeared on an earlier \"insert\" operation.");
            e.tag = tag::kDuplicateUuidName;
            return e;
        }
        symbol.created = true;
        if (!uuid_json) uuid = symbol.uuid;
    } else if (!uuid_json) {
        uuid = Uuid::random();
    }

    auto values = parse_row(ts, *row_json, &resolver_, RowUse::Insert);
    if (!values) return values.error();
    Row row = Row::with_defaults(ts, uuid);
    std::vector<bool> given(ts.columns.size(), false);
    for (auto& [c, d] : *values) {
        row.fields[c] = std::move(d);
        given[c] = true;
    }
    // Default values must satisfy the constraints too (e.g. an enum that
    // does not include the type's default).
    for (size_t c = kFirstUserColumn; c < ts.columns.size(); c++) {
        if (given[c]) continue;
        if (auto s = check_datum(row.fields[c], ts.columns[c].type); !s) {
            DbError e = s.error();
            e.details =
                fmt::format("column {} has no value and its default is invalid: {}", ts.columns[c].name, e.details);
            return e;
        }
    }
    txn_.insert(*t, std::move(row));
    return Json{{"uuid", atom_to_json(Atom(uuid))}};
}

DbResult<Json> Executor::op_select(MemberParser& p) {
    using K = MemberParser;
    auto t = parse_table(p);
    const Json* where = p.member("where", K::kArray);
    const Json* columns_json = p.member("columns", K::kArray | K::kOptional);
    const Json* sort_json = p.member("sort", K::kArray | K::kOptional);
    if (!t || p.failed()) return p.status().error();
    const TableSchema& ts = db_.schema().tables[*t];
    auto condition = parse_where(p, where, *t);
    if (!condition) return condition.error();
    auto columns = columns_from_json(ts, columns_json);
    if (!columns) return columns.error();
    std::vector<size_t> sort;
    if (sort_json) {
        auto s = columns_from_json(ts, sort_json);
        if (!s) return s.error();
        sort = std::move(*s);
    }
    std::vector<const Row*> rows;
    for (const Uuid& u : txn_.query(*t, *condition)) rows.push_back(txn_.find(*t, u));
    // OVS's extension: "sort" orders rows by the listed columns.
    std::stable_sort(rows.begin(), rows.end(), [&](const Row* a, const Row* b) {
        for (size_t c : sort)
            if (int r = compare_datums(a->fields[c], b->fields[c])) return r < 0;
        return false;
    });
    // Rows identical in every selected column are reported once, as in OVS.
    Json out = Json::array();
    std::set<std::vector<Datum>> seen;
    for (const Row* r : rows) {
        std::vector<Datum> key;
        for (size_t c : *columns) key.push_back(r->fields[c]);
        if (!seen.insert(std::move(key)).second) continue;
        out.push_back(row_to_json(ts, *r, &*columns));
    }
    return Json{{"rows", std::move(out)}};
}

DbResult<Json> Executor::op_update(MemberParser& p) {
    using K = MemberParser;
    auto t = parse_table(p);
    const Json* where = p.member("where", K::kArray);
    const Json* row_json = p.member("row", K::kObject);
    if (!t || p.failed()) return p.status().error();
    const TableSchema& ts = db_.schema().tables[*t];
    auto values = parse_row(ts, *row_json, &resolver_, RowUse::Update);
    if (!values) return values.error();
    auto condition = parse_where(p, where, *t);
    if (!condition) return condition.error();
    auto matches = txn_.query(*t, *condition);
    for (const Uuid& u : matches) {
        Row& row = txn_.modify(*t, u);
        for (const auto& [c, d] : *values) row.fields[c] = d;
    }
    return Json{{"count", matches.size()}};
}

DbResult<Json> Executor::op_mutate(MemberParser& p) {
    using K = MemberParser;
    auto t = parse_table(p);
    const Json* where = p.member("where", K::kArray);
    const Json* mutations_json = p.member("mutations", K::kArray);
    if (!t || p.failed()) return p.status().error();
    const TableSchema& ts = db_.schema().tables[*t];
    auto mutations = mutations_from_json(ts, *mutations_json, &resolver_);
    if (!mutations) return mutations.error();
    auto condition = parse_where(p, where, *t);
    if (!condition) return condition.error();
    auto matches = txn_.query(*t, *condition);
    if (!mutations->empty()) {
        for (const Uuid& u : matches) {
            if (auto s = apply_mutations(ts, txn_.modify(*t, u), *mutations); !s) {
                DbError e = s.error();
                e.details = fmt::format("Table {} row {}: {}", ts.name, u.to_string(), e.details);
                return e;
            }
        }
    }
    return Json{{"count", matches.size()}};
}

DbResult<Json> Executor::op_delete(MemberParser& p) {
    auto t = parse_table(p);
    const Json* where = p.member("where", MemberParser::kArray);
    if (!t || p.failed()) return p.status().error();
    auto condition = parse_where(p, where, *t);
    if (!condition) return condition.error();
    auto matches = txn_.query(*t, *condition);
    for (const Uuid& u : matches) txn_.erase(*t, u);
    return Json{{"count", matches.size()}};
}

DbResult<Json> Executor::op_wait(MemberParser& p) {
    using K = MemberParser;
    const Json* timeout = p.member("timeout", K::kInteger | K::kOptional);
    const Json* where = p.member("where", K::kArray);
    const Json* columns_json = p.member("columns", K::kArray | K::kOptional);
    const Json* until = p.member("until", K::kString);
    const Json* rows_json = p.member("rows", K::kArray);
    auto t = parse_table(p);
    if (!t || p.failed()) return p.status().error();
    const TableSchema& ts = db_.schema().tables[*t];
    auto condition = parse_where(p, where, *t);
    if (!condition) return condition.error();
    auto columns = columns_from_json(ts, columns_json);
    if (!columns) return columns.error();
    if (timeout) {
        if (timeout->is_number_unsigned() ? false : timeout->get<int64_t>() < 0)
            return syntax_error(*timeout, "timeout must be nonnegative");
        int64_t ms = timeout->get<int64_t>();
        timeout_ms_ = timeout_ms_ ? std::min(*timeout_ms_, ms) : ms;
    }
    const std::string& until_s = until->get_ref<const std::string&>();
    if (until_s != "==" && until_s != "!=") return syntax_error(*until, "\"until\" must be \"==\" or \"!=\"");

    // Both sides as sets of rows projected on 'columns'.
    auto project = [&](const Row& r) {
        std::vector<Datum> key;
        for (size_t c : *columns) key.push_back(r.fields[c]);
        return key;
    };
    std::set<std::vector<Datum>> expected, actual;
    for (const Json& rj : *rows_json) {
        if (!rj.is_object()) return syntax_error(rj, "row must be JSON object");
        auto values = parse_row(ts, rj, &resolver_, RowUse::Match);
        if (!values) return values.error();
        Row row = Row::with_defaults(ts, Uuid{});
        for (auto& [c, d] : *values) row.fields[c] = std::move(d);
        expected.insert(project(row));
    }
    for (const Uuid& u : txn_.query(*t, *condition)) actual.insert(project(*txn_.find(*t, u)));
    bool equal = expected == actual;
    if ((until_s == "==") == equal) return Json::object();
    if (timeout && options_.elapsed_ms >= timeout->get<int64_t>()) {
        if (options_.elapsed_ms) return db_error(tag::kTimedOut, "\"wait\" timed out after {} ms", options_.elapsed_ms);
        return db_error(tag::kTimedOut, "\"where\" clause test failed");
    }
    if (!options_.can_block) return db_error(tag::kNotSupported, "\"wait\" cannot block here (triggers not supported)");
    blocked_ = true;
    return Json::object();
}

DbResult<Json> Executor::op_commit(MemberParser& p) {
    const Json* durable = p.member("durable", MemberParser::kBoolean);
    if (!durable) return p.status().error();
    // Every commit is written before it is reported; a durable one is also
    // synced first (the server groups the syncs of one poll-loop
    // iteration). The flag travels in TxnChanges.
    if (durable->get<bool>()) txn_.set_durable();
    return Json::object();
}

DbResult<Json> Executor::op_comment(MemberParser& p) {
    const Json* comment = p.member("comment", MemberParser::kString);
    if (!comment) return p.status().error();
    txn_.add_comment(comment->get<std::string>());
    return Json::object();
}

DbResult<Json> Executor::op_assert(MemberParser& p) {
    const Json* lock = p.member("lock", MemberParser::kId);
    if (!lock) return p.status().error();
    const std::string& name = lock->get_ref<const std::string&>();
    if (options_.owns_lock && options_.owns_lock(name)) return Json::object();
    return db_error(tag::kNotOwner, "Asserted lock {} not held.", name);
}

}  // namespace

TransactResult Database::execute(const Json& params, const ExecuteOptions& options) {
    try {
        Executor executor(*this, options);
        return executor.run(params);
    } catch (const std::bad_alloc&) {
        // Allocations happen while operations run and commit checks build
        // the new rows, before anything is installed, so the database is as
        // it was; the server carries on.
        TransactResult r;
        r.kind = TransactResult::Kind::RpcError;
        r.reply = db_error(tag::kResources, "out of memory while executing the transaction").to_json();
        return r;
    }
}

}  // namespace xvs::ovsdb
