#include "ovsdb/schema.h"

#include <algorithm>
#include <cctype>

#include "ovsdb/datum.h"
#include "ovsdb/json_parser.h"

namespace xvs::ovsdb {

const ColumnSchema* TableSchema::column(std::string_view name) const {
    auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &columns[it->second];
}

const TableSchema* Schema::table(std::string_view name) const {
    auto i = table_index(name);
    return i ? &tables[*i] : nullptr;
}

std::optional<size_t> Schema::table_index(std::string_view name) const {
    auto it = std::lower_bound(tables.begin(), tables.end(), name,
                               [](const TableSchema& t, std::string_view n) { return t.name < n; });
    if (it == tables.end() || it->name != name) return std::nullopt;
    return static_cast<size_t>(it - tables.begin());
}

namespace {

// Prefixes an error's details with where in the schema it is.
DbError located(DbError e, const std::string& where) {
    e.details = where + ": " + e.details;
    return e;
}

bool is_valid_version(std::string_view v) {
    int parts = 0;
    size_t i = 0;
    while (parts < 3) {
        size_t start = i;
        while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) i++;
        if (i == start) return false;
        parts++;
        if (parts < 3) {
            if (i >= v.size() || v[i] != '.') return false;
            i++;
        }
    }
    return i == v.size();
}

DbStatus check_name(const Json& json, const std::string& name) {
    if (!name.empty() && name[0] == '_') return syntax_error(json, "names beginning with \"_\" are reserved");
    if (!is_id(name)) return syntax_error(json, "name must be a valid id");
    return {};
}

DbResult<ColumnSchema> column_from_json(const Json& json, const std::string& name) {
    using K = MemberParser;
    MemberParser p(json, "schema for column " + name);
    const Json* is_mutable = p.member("mutable", K::kBoolean | K::kOptional);
    const Json* ephemeral = p.member("ephemeral", K::kBoolean | K::kOptional);
    const Json* type = p.member("type", K::kString | K::kObject);
    if (auto s = p.finish(); !s) return s.error();
    auto t = type_from_json(*type);
    if (!t) return t.error();
    ColumnSchema c;
    c.name = name;
    c.type = std::move(*t);
    c.is_mutable = !is_mutable || is_mutable->get<bool>();
    // A weak reference changes when its target is deleted, so it cannot be
    // immutable (OVS makes the same exception).
    if (c.type.has_weak_refs()) c.is_mutable = true;
    c.ephemeral = ephemeral && ephemeral->get<bool>();
    c.persistent = !c.ephemeral;
    return c;
}

ColumnSchema builtin_column(const char* name, size_t index) {
    ColumnSchema c;
    c.name = name;
    c.index = index;
    c.type = Type(BaseType(AtomicType::Uuid));
    c.is_mutable = false;
    c.persistent = false;  // never written as a column: the row key carries _uuid
    return c;
}

DbStatus parse_indexes(const Json& json, const Json& indexes, TableSchema& t) {
    for (const Json& index : indexes) {
        if (!index.is_array()) return syntax_error(index, "array of distinct column names expected");
        std::vector<size_t> cols;
        for (const Json& name : index) {
            if (!name.is_string()) return syntax_error(index, "array of distinct column names expected");
            const ColumnSchema* c = t.column(name.get_ref<const std::string&>());
            if (!c) return syntax_error(index, "{} is not a valid column name", name.get<std::string>());
            if (std::find(cols.begin(), cols.end(), c->index) != cols.end())
                return syntax_error(index, "array of distinct column names expected");
            if (!c->persistent && c->index >= kFirstUserColumn)
                return syntax_error(json, "ephemeral columns (such as {}) may not be indexed", c->name);
            cols.push_back(c->index);
        }
        if (cols.empty()) return syntax_error(json, "index must have at least one column");
        t.indexes.push_back(std::move(cols));
    }
    return {};
}

DbResult<TableSchema> table_from_json(const Json& json, const std::string& name) {
    using K = MemberParser;
    MemberParser p(json, "table schema for table " + name);
    const Json* columns = p.member("columns", K::kObject);
    const Json* max_rows = p.member("maxRows", K::kInteger | K::kOptional);
    const Json* is_root = p.member("isRoot", K::kBoolean | K::kOptional);
    const Json* indexes = p.member("indexes", K::kArray | K::kOptional);
    if (auto s = p.finish(); !s) return s.error();

    TableSchema t;
    t.name = name;
    t.is_root = is_root && is_root->get<bool>();
    if (max_rows) {
        if (max_rows->is_number_unsigned() ? max_rows->get<uint64_t>() == 0 : max_rows->get<int64_t>() <= 0)
            return syntax_error(json, "maxRows must be at least 1");
        t.max_rows = static_cast<unsigned>(std::min<uint64_t>(max_rows->get<uint64_t>(), UINT_MAX));
    }
    if (columns->empty()) return syntax_error(json, "table must have at least one column");
    t.columns.push_back(builtin_column("_uuid", kUuidColumn));
    t.columns.push_back(builtin_column("_version", kVersionColumn));
    for (auto it = columns->begin(); it != columns->end(); ++it) {  // nlohmann objects iterate sorted
        if (auto s = check_name(json, it.key()); !s) return located(s.error(), "column " + it.key());
        auto c = column_from_json(it.value(), it.key());
        if (!c) return located(c.error(), "column " + it.key());
        c->index = t.columns.size();
        t.columns.push_back(std::move(*c));
    }
    for (const ColumnSchema& c : t.columns) t.by_name.emplace(c.name, c.index);
    if (indexes)
        if (auto s = parse_indexes(json, *indexes, t); !s) return s.error();
    return t;
}

// Every refTable names a table; strong references to non-root tables are
// persistent even when declared ephemeral (see ColumnSchema::persistent).
DbStatus check_references(Schema& schema) {
    for (TableSchema& t : schema.tables) {
        for (ColumnSchema& c : t.columns) {
            const BaseType* bases[2] = {&c.type.key, c.type.value ? &*c.type.value : nullptr};
            for (int i = 0; i < 2; i++) {
                const BaseType* b = bases[i];
                if (!b || !b->is_ref()) continue;
                const TableSchema* target = schema.table(b->ref_table);
                if (!target)
                    return db_error(tag::kSyntax, "table {} column {}: {} refers to undefined table {}", t.name, c.name,
                                    i == 0 ? "key" : "value", b->ref_table);
                if (b->is_strong_ref() && !target->is_root) c.persistent = true;
            }
        }
    }
    return {};
}

}  // namespace

DbResult<Schema> Schema::from_json(const Json& json) {
    using K = MemberParser;
    MemberParser p(json, "database schema");
    const Json* name = p.member("name", K::kId);
    const Json* version = p.member("version", K::kString | K::kOptional);
    const Json* cksum = p.member("cksum", K::kString | K::kOptional);
    const Json* tables = p.member("tables", K::kObject);
    if (auto s = p.finish(); !s) return s.error();

    Schema schema;
    schema.name = name->get<std::string>();
    if (version) {
        schema.version = version->get<std::string>();
        if (!is_valid_version(schema.version))
            return syntax_error(json, "schema version \"{}\" not in format x.y.z", schema.version);
    }
    if (cksum) schema.cksum = cksum->get<std::string>();
    for (auto it = tables->begin(); it != tables->end(); ++it) {
        if (auto s = check_name(json, it.key()); !s) return located(s.error(), "table " + it.key());
        auto t = table_from_json(it.value(), it.key());
        if (!t) return located(t.error(), "table " + it.key());
        schema.tables.push_back(std::move(*t));
    }
    // Schemas from before "isRoot" existed have no root set; every table is
    // then a root, so nothing is garbage collected (as in OVS).
    if (std::none_of(schema.tables.begin(), schema.tables.end(), [](const TableSchema& t) { return t.is_root; }))
        for (TableSchema& t : schema.tables) t.is_root = true;
    if (auto s = check_references(schema); !s) return s.error();
    return schema;
}

Json Schema::to_json() const {
    Json j = {{"name", name}};
    if (!version.empty()) j["version"] = version;
    if (!cksum.empty()) j["cksum"] = cksum;
    // With every table in the root set "isRoot" is left out, which is how
    // such a schema was written (see from_json()).
    bool all_root = std::all_of(tables.begin(), tables.end(), [](const TableSchema& t) { return t.is_root; });
    Json jt = Json::object();
    for (const TableSchema& t : tables) {
        Json table = Json::object();
        if (t.is_root != all_root) table["isRoot"] = t.is_root;
        Json columns = Json::object();
        for (size_t i = kFirstUserColumn; i < t.columns.size(); i++) {
            const ColumnSchema& c = t.columns[i];
            Json col = {{"type", type_to_json(c.type)}};
            if (!c.is_mutable) col["mutable"] = false;
            if (c.ephemeral) col["ephemeral"] = true;
            columns[c.name] = std::move(col);
        }
        table["columns"] = std::move(columns);
        if (t.max_rows != UINT_MAX) table["maxRows"] = t.max_rows;
        if (!t.indexes.empty()) {
            Json indexes = Json::array();
            for (const auto& index : t.indexes) {
                Json names = Json::array();
                for (size_t c : index) names.push_back(t.columns[c].name);
                indexes.push_back(std::move(names));
            }
            table["indexes"] = std::move(indexes);
        }
        jt[t.name] = std::move(table);
    }
    j["tables"] = std::move(jt);
    return j;
}

const std::vector<std::vector<ColumnRefs>>& Schema::column_refs() const {
    if (column_refs_) return *column_refs_;
    std::vector<std::vector<ColumnRefs>> out(tables.size());
    for (size_t t = 0; t < tables.size(); t++) {
        for (const ColumnSchema& c : tables[t].columns) {
            ColumnRefs r;
            if (c.type.key.is_ref()) {
                r.key_table = table_index(c.type.key.ref_table);
                r.key_strong = c.type.key.is_strong_ref();
            }
            if (c.type.value && c.type.value->is_ref()) {
                r.value_table = table_index(c.type.value->ref_table);
                r.value_strong = c.type.value->is_strong_ref();
            }
            out[t].push_back(r);
        }
    }
    column_refs_ = std::move(out);
    return *column_refs_;
}

}  // namespace xvs::ovsdb
