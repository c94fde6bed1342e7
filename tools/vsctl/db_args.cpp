#include "tools/vsctl/db_args.h"

#include <strings.h>

#include <cctype>
#include <climits>
#include <map>

#include "tools/vsctl/fatal.h"
#include "tools/vsctl/value_parser.h"
#include "tools/vsctl/vswitch.h"

namespace xvs::vsctl {

namespace {

// How well 'given' names 'name', as ovs-vsctl scores it: an exact match
// beats a match with '-' for '_', which beats a prefix (scored by its
// length); 0 is no match.
unsigned match_score(const std::string& name, const std::string& given) {
    if (name == given) return UINT_MAX;
    size_t i = 0;
    for (;; i++) {
        if (i == name.size() && i == given.size()) return UINT_MAX - 1;
        if (i == name.size() || i == given.size()) break;
        if (name[i] != given[i] && !(name[i] == '_' && given[i] == '-')) break;
    }
    return i == given.size() ? static_cast<unsigned>(i) : 0;
}

// Controller, NetFlow, sFlow and IPFIX records also go by their bridge's
// name: the column of Bridge that points to them.
const char* bridge_column_for(const std::string& table) {
    if (table == "Controller") return "controller";
    if (table == "NetFlow") return "netflow";
    if (table == "sFlow") return "sflow";
    if (table == "IPFIX") return "ipfix";
    return nullptr;
}

std::string lookup_by_bridge(DbCopy& db, const std::string& table, const std::string& rec) {
    const char* col = bridge_column_for(table);
    if (!col) return "";
    for (auto& [u, br] : db.rows("Bridge")) {
        if (str_col(br, "name") == rec) {
            auto& d = br.cols[col];
            if (d.keys.size() == 1) return d.keys[0];
        }
    }
    return "";
}

// By the table's name column, if it has one.
std::string lookup_by_name(DbCopy& db, const std::string& table, const std::string& rec) {
    static const std::map<std::string, std::string> names = {
        {"Bridge", "name"},    {"Port", "name"},   {"Interface", "name"}, {"Controller", "target"},
        {"Manager", "target"}, {"Mirror", "name"}, {"Flow_Table", "name"}};
    auto it = names.find(table);
    if (it == names.end()) return "";
    std::string found;
    for (auto& [u, r] : db.rows(table)) {
        auto& d = r.cols[it->second];
        if (d.keys.size() == 1 && d.keys[0].is_string() && d.keys[0] == rec) {
            if (!found.empty()) fatal("multiple rows in {} match \"{}\"", table, rec);
            found = u;
        }
    }
    return found;
}

// An abbreviated uuid (at least 4 hex digits) that names one row.
std::string lookup_by_uuid_prefix(DbCopy& db, const std::string& table, const std::string& rec) {
    if (rec.size() < 4 || rec.size() >= 36 || rec.find_first_not_of("0123456789abcdefABCDEF-") != std::string::npos)
        return "";
    std::string lower = rec, found;
    for (auto& ch : lower) ch = static_cast<char>(tolower(static_cast<unsigned char>(ch)));
    int n = 0;
    for (auto& [u, r] : db.rows(table))
        if (u.rfind(lower, 0) == 0) {
            found = u;
            n++;
        }
    return n == 1 ? found : "";
}

// A key ends where an operator starts; a column name also at ':'.
bool ends_key(char c) {
    return c == '=' || c == '!' || c == '<' || c == '>' || c == '{';
}
bool ends_column_name(char c) {
    return c == ':' || ends_key(c);
}

// Compares a datum with what a condition wants.
bool compare(const std::string& op, const Datum& have, const Datum& want, bool is_map) {
    if (op == "=" || op == "{=}") return datum_equal(have, want);
    if (op == "!=" || op == "{!=}") return !datum_equal(have, want);
    if (op == "{<=}") return datum_includes(want, have, is_map);
    if (op == "{>=}") return datum_includes(have, want, is_map);
    if (op == "{<}") return datum_includes(want, have, is_map) && !datum_equal(have, want);
    if (op == "{>}") return datum_includes(have, want, is_map) && !datum_equal(have, want);
    if (have.keys.size() != 1 || want.keys.size() != 1) return false;
    bool lt = atom_less(have.keys[0], want.keys[0]), eq = have.keys[0] == want.keys[0];
    if (op == "<") return lt;
    if (op == ">") return !lt && !eq;
    if (op == "<=") return lt || eq;
    if (op == ">=") return !lt;
    return false;
}

}  // namespace

std::string match_table(const Schema& schema, const std::string& name) {
    if (schema.has_table(name)) return name;
    std::string found;
    for (auto& [t, ts] : schema.tables()) {
        if (strncasecmp(t.c_str(), name.c_str(), name.size()) == 0 && t.size() >= name.size()) {
            if (strcasecmp(t.c_str(), name.c_str()) == 0) return t;
            if (!found.empty()) fatal("multiple table names match \"{}\"", name);
            found = t;
        }
    }
    if (found.empty()) fatal("unknown table \"{}\"", name);
    return found;
}

std::string match_column(const Schema& schema, const std::string& table, const std::string& name) {
    std::string found;
    unsigned best = 0;
    bool tie = false;
    for (auto& [c, t] : schema.table(table).columns) {
        unsigned score = match_score(c, name);
        if (score > best) {
            best = score;
            found = c;
            tie = false;
        } else if (score && score == best) {
            tie = true;
        }
    }
    if (tie) fatal("{} contains more than one column whose name matches \"{}\"", table, name);
    if (found.empty()) fatal("{} does not contain a column whose name matches \"{}\"", table, name);
    return found;
}

std::string lookup_row(Context& ctx, const std::string& table, const std::string& rec, bool must) {
    DbCopy& db = ctx.db;
    if (is_uuid(rec) && db.find_row(table, rec)) return rec;
    if (rec[0] == '@') {
        if (const std::string* id = ctx.symbols.find(rec); id && db.find_row(table, *id)) return *id;
    }
    if (table == "Open_vSwitch" && rec == ".") return ovs_row(db).uuid;
    for (auto lookup : {lookup_by_bridge, lookup_by_name, lookup_by_uuid_prefix}) {
        std::string found = lookup(db, table, rec);
        if (!found.empty()) return found;
    }
    if (must) fatal("no row \"{}\" in table {}", rec, table);
    return "";
}

Setting parse_setting(Context& ctx, const std::string& table, const std::string& arg, bool want_value,
                      const std::vector<std::string>& ops) {
    Setting s;
    size_t i = 0;
    while (i < arg.size() && !ends_column_name(arg[i])) i++;
    s.column = match_column(ctx.schema(), table, arg.substr(0, i));
    if (i < arg.size() && arg[i] == ':') {
        size_t j = ++i;
        if (j < arg.size() && arg[j] == '"') {
            Lexer lx{arg, j};
            s.key = parse_atom(lx, BaseType{}, "", ctx.symbols).get<std::string>();
            i = lx.p;
        } else {
            while (i < arg.size() && !ends_key(arg[i])) i++;
            s.key = arg.substr(j, i - j);
        }
        s.has_key = true;
    }
    if (i < arg.size()) {
        std::string best;
        for (auto& o : ops)
            if (arg.compare(i, o.size(), o) == 0 && o.size() > best.size()) best = o;
        if (best.empty()) fatal("{}: argument does not end in \"=\" followed by a value.", arg);
        s.op = best;
        s.value = arg.substr(i + best.size());
        s.has_value = true;
    } else if (want_value) {
        fatal("{}: argument does not end in \"=\" followed by a value.", arg);
    }
    return s;
}

void apply_set(Context& ctx, const std::string& table, Row& r, const std::string& arg) {
    Setting s = parse_setting(ctx, table, arg, true);
    const ColumnType& t = ctx.db.column(table, s.column);
    if (!s.has_key) return ctx.db.set_col(table, r, s.column, parse_datum(s.value, t, ctx.symbols));
    if (!t.is_map()) fatal("cannot specify key to set for non-map column {}", s.column);
    Lexer lx{s.key};
    Json k = parse_atom(lx, t.key, "", ctx.symbols);
    ColumnType value_type;
    value_type.key = *t.value;
    Datum v = parse_datum(s.value, value_type, ctx.symbols);
    if (v.keys.size() != 1) fatal("\"{}\": syntax error", s.value);
    Datum d = r.cols[s.column];
    // datum_sort keeps the later of two entries with one key: this one.
    d.keys.push_back(k);
    d.vals.push_back(v.keys[0]);
    ctx.db.set_col(table, r, s.column, d);
}

bool row_matches(Context& ctx, const std::string& table, Row& r, const std::string& arg) {
    static const std::vector<std::string> ops = {
        "=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}"};
    Setting s = parse_setting(ctx, table, arg, true, ops);
    const ColumnType& t = ctx.db.column(table, s.column);
    Datum have = col_value(r, s.column);
    ColumnType cmp_t = t;
    if (s.has_key) {
        if (!t.is_map()) fatal("cannot specify key to check for non-map column {}", s.column);
        Lexer lx{s.key};
        Json k = parse_atom(lx, t.key, "", ctx.symbols);
        Datum v;
        for (size_t i = 0; i < have.keys.size(); i++)
            if (have.keys[i] == k) v.keys.push_back(have.vals[i]);
        have = v;
        cmp_t = ColumnType{};
        cmp_t.key = *t.value;
        cmp_t.min = 0;
        cmp_t.max = 1;
        if (have.keys.empty() && s.op[0] != '{') return s.op == "!=";
    }
    Datum want = parse_datum(s.value, cmp_t, ctx.symbols);
    return compare(s.op, have, want, cmp_t.is_map());
}

Datum col_value(Row& r, const std::string& col) {
    if (col != "_uuid") return r.cols[col];
    Datum d;
    d.keys.push_back(r.uuid);
    return d;
}

}  // namespace xvs::vsctl
