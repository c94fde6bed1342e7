// An executable model of RFC 7047 "transact" for the OVSDB property test
// (ovsdb_property_test.cpp): plain maps of rows, written from the RFC and
// Open vSwitch's documented behaviour, sharing no code with ovsdb/. It is
// deliberately simple (linear searches, copies of the whole state) and
// covers what the test generates: insert (uuid, uuid-name), select, update,
// mutate with every mutator, delete, wait, commit, abort, comment, assert;
// strong and weak references, garbage collection of non-root tables,
// maxRows, single-column unique indexes, and every column constraint.
// Not modelled (the generator does not produce them): "_version" in
// conditions, columns or wait rows, select or wait without "columns",
// references in map keys or values, reference cycles, ephemeral columns.
#pragma once

#include <algorithm>
#include <cctype>
#include <cfloat>
#include <climits>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace ovsdb_model {

using Json = nlohmann::json;

// RFC 7047's error names, spelled out here rather than taken from the engine.
inline const std::string kSyntax = "syntax error";
inline const std::string kConstraint = "constraint violation";
inline const std::string kRefIntegrity = "referential integrity violation";
inline const std::string kUnknownColumn = "unknown column";
inline const std::string kUnknownFunction = "unknown function";
inline const std::string kUnknownMutator = "unknown mutator";
inline const std::string kDupUuid = "duplicate uuid";
inline const std::string kDupName = "duplicate uuid-name";
inline const std::string kDomain = "domain error";
inline const std::string kRange = "range error";
inline const std::string kTimedOut = "timed out";
inline const std::string kAborted = "aborted";
inline const std::string kNotOwner = "not owner";
inline const std::string kUnknownDb = "unknown database";

// ==== The model's own description of the schema ====

enum class AT { Int, Real, Bool, Str, Uuid };
constexpr unsigned kUnlimited = UINT_MAX;
constexpr int kUuidCol = -1, kVersionCol = -2, kNoCol = -3;

struct MBase {
    AT t = AT::Int;
    int64_t min_i = INT64_MIN, max_i = INT64_MAX;
    double min_r = -DBL_MAX, max_r = DBL_MAX;
    size_t min_len = 0, max_len = SIZE_MAX;
    std::vector<std::string> enums;
    int ref = -1;  // referenced table
    bool weak = false;
};

struct MType {
    MBase key;
    std::optional<MBase> val;
    unsigned n_min = 1, n_max = 1;
    bool is_map() const { return val.has_value(); }
    bool scalar() const { return !val && n_min == 1 && n_max == 1; }
    bool optional_scalar() const { return !val && n_min == 0 && n_max == 1; }
};

struct MCol {
    std::string name;
    MType type;
    bool is_mutable = true;
};

struct MTab {
    std::string name;
    bool root = false;
    size_t max_rows = SIZE_MAX;
    std::vector<MCol> cols;
    int index_col = -1;  // one single-column unique index
    int find(const std::string& n) const {
        if (n == "_uuid") return kUuidCol;
        if (n == "_version") return kVersionCol;
        for (size_t i = 0; i < cols.size(); i++)
            if (cols[i].name == n) return static_cast<int>(i);
        return kNoCol;
    }
};

inline MBase base(AT t) {
    MBase b;
    b.t = t;
    return b;
}
inline MType type_of(MBase key, unsigned n_min = 1, unsigned n_max = 1) {
    MType t;
    t.key = std::move(key);
    t.n_min = n_min;
    t.n_max = n_max;
    return t;
}
inline MBase ref_to(int table, bool weak) {
    MBase b = base(AT::Uuid);
    b.ref = table;
    b.weak = weak;
    return b;
}

inline const MType kUuidType = type_of(base(AT::Uuid));

// ==== Values ====

using MAtom = std::variant<int64_t, double, bool, std::string>;  // a UUID is its text

struct MDatum {
    std::vector<MAtom> keys, vals;  // sorted by key, keys unique; vals only for maps
    size_t size() const { return keys.size(); }
    bool operator==(const MDatum&) const = default;
};
using Row = std::vector<MDatum>;
using Table = std::map<std::string, Row>;  // by UUID
using State = std::vector<Table>;          // by table, in schema order

// Sorts by key; false if two keys are equal.
inline bool sort_unique(MDatum& d) {
    std::vector<size_t> idx(d.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return d.keys[a] < d.keys[b]; });
    for (size_t i = 1; i < idx.size(); i++)
        if (d.keys[idx[i - 1]] == d.keys[idx[i]]) return false;
    MDatum out;
    for (size_t i : idx) {
        out.keys.push_back(d.keys[i]);
        if (!d.vals.empty()) out.vals.push_back(d.vals[i]);
    }
    d = std::move(out);
    return true;
}

inline std::optional<size_t> find_key(const MDatum& d, const MAtom& k) {
    for (size_t i = 0; i < d.size(); i++)
        if (d.keys[i] == k) return i;
    return std::nullopt;
}

inline const std::string kZeroUuid = "00000000-0000-0000-0000-000000000000";

inline MAtom default_atom(AT t) {
    switch (t) {
        case AT::Int:
            return int64_t{0};
        case AT::Real:
            return 0.0;
        case AT::Bool:
            return false;
        case AT::Str:
            return std::string();
        case AT::Uuid:
            return kZeroUuid;
    }
    return int64_t{0};
}

inline MDatum default_datum(const MType& t) {
    MDatum d;
    if (t.n_min == 0) return d;
    d.keys.push_back(default_atom(t.key.t));
    if (t.val) d.vals.push_back(default_atom(t.val->t));
    return d;
}

inline Json atom_json(const MBase& b, const MAtom& a) {
    if (b.t == AT::Uuid) return Json::array({"uuid", std::get<std::string>(a)});
    return std::visit([](const auto& v) { return Json(v); }, a);
}

inline Json datum_json(const MType& t, const MDatum& d) {
    Json elems = Json::array();
    if (t.is_map()) {
        for (size_t i = 0; i < d.size(); i++)
            elems.push_back(Json::array({atom_json(t.key, d.keys[i]), atom_json(*t.val, d.vals[i])}));
        return Json::array({"map", elems});
    }
    if (d.size() == 1) return atom_json(t.key, d.keys[0]);
    for (const MAtom& a : d.keys) elems.push_back(atom_json(t.key, a));
    return Json::array({"set", elems});
}

// ==== Parsing, as RFC 7047 (and OVS) define it ====

inline bool is_id(const std::string& s) {
    if (s.empty() || !(isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

inline bool is_uuid_text(const Json& j) {
    if (!j.is_string()) return false;
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

inline std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
    return s;
}

// Characters in a UTF-8 string; nullopt if it is not valid UTF-8.
std::optional<size_t> utf8_chars(const std::string& s) {
    size_t n = 0;
    for (size_t i = 0; i < s.size(); n++) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (!len || i + len > s.size() || (len == 2 && c < 0xc2)) return std::nullopt;
        for (size_t j = 1; j < len; j++)
            if ((static_cast<unsigned char>(s[i + j]) & 0xc0) != 0x80) return std::nullopt;
        i += len;
    }
    return n;
}

inline std::string check_atom(const MBase& b, const MAtom& a) {
    if (!b.enums.empty()) {
        const auto& s = std::get<std::string>(a);
        return std::find(b.enums.begin(), b.enums.end(), s) != b.enums.end() ? "" : kConstraint;
    }
    switch (b.t) {
        case AT::Int: {
            int64_t v = std::get<int64_t>(a);
            return v >= b.min_i && v <= b.max_i ? "" : kConstraint;
        }
        case AT::Real: {
            double v = std::get<double>(a);
            return v >= b.min_r && v <= b.max_r ? "" : kConstraint;
        }
        case AT::Str: {
            auto n = utf8_chars(std::get<std::string>(a));
            return n && *n >= b.min_len && *n <= b.max_len ? "" : kConstraint;
        }
        default:
            return "";
    }
}

inline std::string check_datum(const MType& t, const MDatum& d) {
    if (d.size() < t.n_min || d.size() > t.n_max) return kConstraint;
    for (const MAtom& a : d.keys)
        if (auto e = check_atom(t.key, a); !e.empty()) return e;
    for (const MAtom& a : d.vals)
        if (auto e = check_atom(*t.val, a); !e.empty()) return e;
    return "";
}

using Names = std::map<std::string, std::string>;  // uuid-name -> UUID

inline std::string parse_atom(const MBase& b, const Json& j, const Names* names, MAtom& out) {
    switch (b.t) {
        case AT::Int:
            if (!j.is_number_integer()) return kSyntax;
            if (j.is_number_unsigned() && j.get<uint64_t>() > uint64_t(INT64_MAX)) return kSyntax;
            out = j.get<int64_t>();
            break;
        case AT::Real:
            if (!j.is_number()) return kSyntax;
            out = j.get<double>();
            break;
        case AT::Bool:
            if (!j.is_boolean()) return kSyntax;
            out = j.get<bool>();
            break;
        case AT::Str:
            if (!j.is_string()) return kSyntax;
            out = j.get<std::string>();
            break;
        case AT::Uuid: {
            bool pair = j.is_array() && j.size() == 2 && j[0].is_string() && j[1].is_string();
            if (pair && j[0] == "uuid") {
                if (!is_uuid_text(j[1])) return kSyntax;
                out = lower(j[1].get<std::string>());
            } else if (pair && names && j[0] == "named-uuid") {
                auto name = j[1].get<std::string>();
                auto it = names->find(name);
                if (!is_id(name) || it == names->end()) return kSyntax;
                out = it->second;
            } else {
                return kSyntax;
            }
            break;
        }
    }
    return check_atom(b, out);
}

inline std::string parse_datum(const MType& t, const Json& j, const Names* names, MDatum& out) {
    out = {};
    bool wrapped = j.is_array() && !j.empty() && j[0].is_string() && j[0] == "set";
    if (t.is_map() || wrapped) {
        const char* cls = t.is_map() ? "map" : "set";
        if (!(j.is_array() && j.size() == 2 && j[0] == cls && j[1].is_array())) return kSyntax;
        const Json& elems = j[1];
        if (elems.size() < t.n_min || elems.size() > t.n_max) return kSyntax;
        for (const Json& e : elems) {
            const Json* k = &e;
            if (t.is_map()) {
                if (!e.is_array() || e.size() != 2) return kSyntax;
                k = &e[0];
            }
            MAtom a;
            if (auto err = parse_atom(t.key, *k, names, a); !err.empty()) return err;
            out.keys.push_back(a);
            if (t.is_map()) {
                if (auto err = parse_atom(*t.val, e[1], names, a); !err.empty()) return err;
                out.vals.push_back(a);
            }
        }
        return sort_unique(out) ? "" : kSyntax;
    }
    MAtom a;
    if (auto err = parse_atom(t.key, j, names, a); !err.empty()) return err;
    out.keys.push_back(a);
    return "";
}

// A placeholder for the UUID of a row the model inserts: the engine picks
// the real one, which the insert's result reveals.
inline const std::string kPlaceholderPrefix = "ffffffff-0000-4000-8000-";
inline bool is_placeholder(const std::string& u) {
    return u.rfind(kPlaceholderPrefix, 0) == 0;
}

// Strong references to each row from other rows.
inline std::vector<std::map<std::string, int64_t>> strong_counts(const std::vector<MTab>& S, const State& s) {
    std::vector<std::map<std::string, int64_t>> refs(S.size());
    for (int t = 0; t < int(S.size()); t++)
        for (const auto& [uuid, row] : s[t])
            for (size_t c = 0; c < S[t].cols.size(); c++) {
                const MBase& k = S[t].cols[c].type.key;
                if (k.ref < 0 || k.weak) continue;
                for (const MAtom& a : row[c].keys) {
                    const auto& target = std::get<std::string>(a);
                    if (k.ref != t || target != uuid) refs[k.ref][target]++;
                }
            }
    return refs;
}

// Renames placeholders to real UUIDs, row keys and references alike.
inline void substitute(const std::vector<MTab>& S, State& s, const std::map<std::string, std::string>& binding) {
    if (binding.empty()) return;
    for (size_t t = 0; t < S.size(); t++) {
        Table out;
        for (auto& [uuid, row] : s[t]) {
            for (size_t c = 0; c < row.size(); c++) {
                if (S[t].cols[c].type.key.t != AT::Uuid) continue;
                for (MAtom& a : row[c].keys)
                    if (auto it = binding.find(std::get<std::string>(a)); it != binding.end()) a = it->second;
                sort_unique(row[c]);
            }
            auto it = binding.find(uuid);
            out[it == binding.end() ? uuid : it->second] = std::move(row);
        }
        s[t] = std::move(out);
    }
}

// ==== The model's transaction ====

// What one operation should produce.
struct Expect {
    enum Kind { Ok, Err, Null } kind = Null;
    std::set<std::string> tags;  // Err: any one of these (see mutate)
    enum Res { Empty, Insert, Count, Select } res = Empty;
    std::string uuid;  // Insert (maybe a placeholder)
    size_t count = 0;  // Count
    int table = 0;     // Select: the rows, projected on 'cols'
    std::vector<int> cols;
    std::vector<std::vector<MDatum>> rows;
};

struct Outcome {
    enum Kind { Done, Blocked, RpcError } kind = Done;
    std::string rpc_tag;
    std::vector<Expect> results;
    bool committed = false;
    State state;  // after the commit, with placeholders
};

inline Expect err(const std::string& tag) {
    Expect e;
    e.kind = Expect::Err;
    e.tags = {tag};
    return e;
}
inline Expect ok(Expect::Res res = Expect::Empty) {
    Expect e;
    e.kind = Expect::Ok;
    e.res = res;
    return e;
}
inline Expect count(size_t n) {
    Expect e = ok(Expect::Count);
    e.count = n;
    return e;
}

enum class Fn { True, False, Lt, Le, Eq, Ne, Ge, Gt, Includes, Excludes };
struct MClause {
    Fn fn = Fn::True;
    int col = kUuidCol;
    MDatum arg;
};

enum Mut { Add, Sub, Mul, Div, Mod, Ins, Del };
struct MMutation {
    int col = 0;
    Mut op = Add;
    MDatum arg;
    bool by_keys = false;  // map "delete" given a set of keys
};

// Kinds of operation members.
enum : unsigned { K_ID = 1, K_STR = 2, K_OBJ = 4, K_ARR = 8, K_INT = 16, K_BOOL = 32 };
struct Member {
    const char* name;
    unsigned kinds;
    bool required;
};

inline bool kind_ok(const Json& v, unsigned k) {
    return ((k & K_ID) && v.is_string() && is_id(v.get<std::string>())) || ((k & K_STR) && v.is_string()) ||
           ((k & K_OBJ) && v.is_object()) || ((k & K_ARR) && v.is_array()) || ((k & K_INT) && v.is_number_integer()) ||
           ((k & K_BOOL) && v.is_boolean());
}

struct ModelLimit : std::logic_error {
    using std::logic_error::logic_error;
};

class MTxn {
public:
    // 'placeholder' names each row the transaction inserts without a UUID
    // of its own (see is_placeholder()).
    MTxn(std::string db_name, const std::vector<MTab>& S, const State& committed,
         std::function<std::string()> placeholder)
        : db_name_(std::move(db_name)),
          S_(S),
          committed_(committed),
          cur_(committed),
          placeholder_(std::move(placeholder)) {}

    // What the commit did beyond the operations (for coverage counts).
    size_t collected = 0, weak_removed = 0;

    Outcome run(const Json& params) {
        Outcome o;
        o.kind = Outcome::RpcError;
        if (!params.is_array() || params.empty() || !params[0].is_string()) {
            o.rpc_tag = kSyntax;
            return o;
        }
        if (params[0] != db_name_) {
            o.rpc_tag = kUnknownDb;
            return o;
        }
        o.kind = Outcome::Done;
        // Every insert's uuid-name is known before the first operation runs.
        for (size_t i = 1; i < params.size(); i++) {
            const Json& op = params[i];
            if (!op.is_object() || !op.contains("op") || op["op"] != "insert") continue;
            auto name = op.find("uuid-name");
            if (name == op.end() || !name->is_string() || symbols_.count(name->get<std::string>())) continue;
            auto u = op.find("uuid");
            symbols_[name->get<std::string>()] =
                u != op.end() && is_uuid_text(*u) ? lower(u->get<std::string>()) : placeholder_();
        }
        size_t n = params.size() - 1;
        for (size_t i = 1; i <= n; i++) {
            Expect e = op(params[i]);
            if (blocked_) {
                o.kind = Outcome::Blocked;
                o.results.clear();
                return o;
            }
            o.results.push_back(e);
            if (e.kind == Expect::Err) {
                o.results.resize(n);  // nulls for the operations not run
                return o;
            }
        }
        if (auto e = commit_checks(cur_); !e.empty()) {
            o.results.push_back(err(e));
            return o;
        }
        o.committed = true;
        o.state = cur_;
        return o;
    }

private:
    const MType& col_type(int t, int c) const { return c < 0 ? kUuidType : S_[t].cols[c].type; }

    Expect op(const Json& op) {
        if (!op.is_object()) return err(kSyntax);
        auto name_it = op.find("op");
        if (name_it == op.end() || !kind_ok(*name_it, K_ID)) return err(kSyntax);
        static const std::map<std::string, std::vector<Member>> kSpecs = {
            {"insert",
             {{"table", K_ID, true}, {"uuid", K_STR, false}, {"uuid-name", K_ID, false}, {"row", K_OBJ, true}}},
            {"select",
             {{"table", K_ID, true}, {"where", K_ARR, true}, {"columns", K_ARR, false}, {"sort", K_ARR, false}}},
            {"update", {{"table", K_ID, true}, {"where", K_ARR, true}, {"row", K_OBJ, true}}},
            {"mutate", {{"table", K_ID, true}, {"where", K_ARR, true}, {"mutations", K_ARR, true}}},
            {"delete", {{"table", K_ID, true}, {"where", K_ARR, true}}},
            {"wait",
             {{"table", K_ID, true},
              {"timeout", K_INT, false},
              {"where", K_ARR, true},
              {"columns", K_ARR, false},
              {"until", K_STR, true},
              {"rows", K_ARR, true}}},
            {"commit", {{"durable", K_BOOL, true}}},
            {"abort", {}},
            {"comment", {{"comment", K_STR, true}}},
            {"assert", {{"lock", K_ID, true}}},
        };
        std::string name = name_it->get<std::string>();
        auto spec = kSpecs.find(name);
        if (spec == kSpecs.end()) return err(kSyntax);
        // A missing, mistyped or unexpected member, or an unknown table, is a
        // syntax error whatever else is wrong with the operation.
        for (const Member& m : spec->second) {
            auto v = op.find(m.name);
            if (v == op.end() ? m.required : !kind_ok(*v, m.kinds)) return err(kSyntax);
        }
        for (const auto& [k, v] : op.items()) {
            bool known = k == "op";
            for (const Member& m : spec->second) known |= k == m.name;
            if (!known) return err(kSyntax);
        }
        int t = -1;
        if (op.contains("table")) {
            for (int i = 0; i < int(S_.size()); i++)
                if (op["table"] == S_[i].name) t = i;
            if (t < 0) return err(kSyntax);
        }
        if (name == "insert") return insert(t, op);
        if (name == "select") return select(t, op);
        if (name == "update") return update(t, op);
        if (name == "mutate") return mutate(t, op);
        if (name == "delete") return erase(t, op);
        if (name == "wait") return wait(t, op);
        if (name == "abort") return err(kAborted);
        if (name == "assert") return op["lock"] == "mine" ? ok() : err(kNotOwner);
        return ok();  // commit, comment
    }

    Expect insert(int t, const Json& op) {
        std::string uuid;
        if (auto u = op.find("uuid"); u != op.end()) {
            if (!is_uuid_text(*u)) return err(kSyntax);
            uuid = lower(u->get<std::string>());
            if (committed_[t].count(uuid) || cur_[t].count(uuid)) return err(kDupUuid);
        }
        if (auto n = op.find("uuid-name"); n != op.end()) {
            if (!created_.insert(n->get<std::string>()).second) return err(kDupName);
            if (uuid.empty()) uuid = symbols_.at(n->get<std::string>());
        } else if (uuid.empty()) {
            uuid = placeholder_();
        }
        const MTab& ts = S_[t];
        Row row;
        for (const MCol& c : ts.cols) row.push_back(default_datum(c.type));
        std::vector<bool> given(ts.cols.size());
        for (const auto& [k, v] : op["row"].items()) {
            int c = ts.find(k);
            if (c == kNoCol) return err(kUnknownColumn);
            if (c < 0) return err(kConstraint);
            if (auto e = parse_datum(ts.cols[c].type, v, &symbols_, row[c]); !e.empty()) return err(e);
            given[c] = true;
        }
        // Defaults must satisfy the constraints too.
        for (size_t c = 0; c < ts.cols.size(); c++)
            if (!given[c])
                if (auto e = check_datum(ts.cols[c].type, row[c]); !e.empty()) return err(e);
        cur_[t][uuid] = row;
        Expect x = ok(Expect::Insert);
        x.uuid = uuid;
        return x;
    }

    std::string parse_where(int t, const Json& j, std::vector<MClause>& out) {
        static const std::map<std::string, Fn> kFns = {{"<", Fn::Lt},
                                                       {"<=", Fn::Le},
                                                       {"==", Fn::Eq},
                                                       {"!=", Fn::Ne},
                                                       {">=", Fn::Ge},
                                                       {">", Fn::Gt},
                                                       {"includes", Fn::Includes},
                                                       {"excludes", Fn::Excludes}};
        for (const Json& c : j) {
            if (c.is_boolean()) {
                out.push_back({c.get<bool>() ? Fn::True : Fn::False});
                continue;
            }
            if (!c.is_array() || c.size() != 3 || !c[0].is_string() || !c[1].is_string()) return kSyntax;
            int col = S_[t].find(c[0].get<std::string>());
            if (col == kNoCol) return kUnknownColumn;
            auto f = kFns.find(c[1].get<std::string>());
            if (f == kFns.end()) return kUnknownFunction;
            if (col == kVersionCol) throw ModelLimit("_version in a condition");
            MType type = col_type(t, col);
            Fn fn = f->second;
            if (fn == Fn::Lt || fn == Fn::Le || fn == Fn::Ge || fn == Fn::Gt) {
                if (!(type.scalar() || type.optional_scalar()) || (type.key.t != AT::Int && type.key.t != AT::Real))
                    return kSyntax;
                type.n_min = 1;
            } else if (fn == Fn::Includes && !type.scalar()) {
                type.n_min = 0;
            } else if (fn == Fn::Excludes && !type.scalar()) {
                type.n_min = 0, type.n_max = kUnlimited;
            }
            MClause cl{fn, col};
            if (auto e = parse_datum(type, c[2], &symbols_, cl.arg); !e.empty()) return e;
            out.push_back(cl);
        }
        return "";
    }

    MDatum field(const std::string& uuid, const Row& row, int c) const {
        if (c == kUuidCol) return MDatum{{uuid}, {}};
        return row[c];
    }

    static bool has(const MDatum& d, const MDatum& of, size_t i, bool map) {
        auto j = find_key(d, of.keys[i]);
        return j && (!map || d.vals[*j] == of.vals[i]);
    }

    bool eval(int t, const std::string& uuid, const Row& row, const MClause& c) const {
        if (c.fn == Fn::True || c.fn == Fn::False) return c.fn == Fn::True;
        MDatum f = field(uuid, row, c.col);
        bool map = col_type(t, c.col).is_map();
        switch (c.fn) {
            case Fn::Lt:
            case Fn::Le:
            case Fn::Ge:
            case Fn::Gt: {
                if (f.size() == 0) return false;  // an absent optional value compares as nothing
                const MAtom &a = f.keys[0], &b = c.arg.keys[0];
                if (c.fn == Fn::Lt) return a < b;
                if (c.fn == Fn::Le) return !(b < a);
                if (c.fn == Fn::Ge) return !(a < b);
                return b < a;
            }
            case Fn::Eq:
                return f == c.arg;
            case Fn::Ne:
                return !(f == c.arg);
            case Fn::Includes:
                for (size_t i = 0; i < c.arg.size(); i++)
                    if (!has(f, c.arg, i, map)) return false;
                return true;
            case Fn::Excludes:
                for (size_t i = 0; i < c.arg.size(); i++)
                    if (has(f, c.arg, i, map)) return false;
                return true;
            default:
                return false;
        }
    }

    std::vector<std::string> matches(int t, const std::vector<MClause>& where) const {
        std::vector<std::string> out;
        for (const auto& [uuid, row] : cur_[t]) {
            bool all = true;
            for (const MClause& c : where) all = all && eval(t, uuid, row, c);
            if (all) out.push_back(uuid);
        }
        return out;
    }

    std::string parse_columns(int t, const Json* j, std::vector<int>& out) const {
        if (!j) throw ModelLimit("no \"columns\": _version would be selected");
        for (const Json& n : *j) {
            if (!n.is_string()) return kSyntax;
            int c = S_[t].find(n.get<std::string>());
            if (c == kNoCol || std::find(out.begin(), out.end(), c) != out.end()) return kSyntax;
            if (c == kVersionCol) throw ModelLimit("_version in columns");
            out.push_back(c);
        }
        return "";
    }

    static const Json* member(const Json& op, const char* name) {
        auto it = op.find(name);
        return it == op.end() ? nullptr : &*it;
    }

    // Rows projected on 'cols', each once.
    static void add_distinct(std::vector<std::vector<MDatum>>& rows, std::vector<MDatum> r) {
        if (std::find(rows.begin(), rows.end(), r) == rows.end()) rows.push_back(std::move(r));
    }

    Expect select(int t, const Json& op) {
        std::vector<MClause> where;
        if (auto e = parse_where(t, op["where"], where); !e.empty()) return err(e);
        Expect x = ok(Expect::Select);
        x.table = t;
        if (auto e = parse_columns(t, member(op, "columns"), x.cols); !e.empty()) return err(e);
        if (const Json* sort = member(op, "sort")) {
            std::vector<int> ignored;  // order is not compared
            if (auto e = parse_columns(t, sort, ignored); !e.empty()) return err(e);
        }
        for (const std::string& u : matches(t, where)) {
            std::vector<MDatum> r;
            for (int c : x.cols) r.push_back(field(u, cur_[t].at(u), c));
            add_distinct(x.rows, std::move(r));
        }
        return x;
    }

    Expect update(int t, const Json& op) {
        std::vector<std::pair<int, MDatum>> values;
        for (const auto& [k, v] : op["row"].items()) {
            int c = S_[t].find(k);
            if (c == kNoCol) return err(kUnknownColumn);
            if (c < 0 || !S_[t].cols[c].is_mutable) return err(kConstraint);
            MDatum d;
            if (auto e = parse_datum(S_[t].cols[c].type, v, &symbols_, d); !e.empty()) return err(e);
            values.emplace_back(c, d);
        }
        std::vector<MClause> where;
        if (auto e = parse_where(t, op["where"], where); !e.empty()) return err(e);
        auto rows = matches(t, where);
        for (const std::string& u : rows)
            for (const auto& [c, d] : values) cur_[t][u][c] = d;
        return count(rows.size());
    }

    std::string parse_mutations(int t, const Json& j, std::vector<MMutation>& out) {
        static const std::vector<std::string> kOps = {"+=", "-=", "*=", "/=", "%=", "insert", "delete"};
        for (const Json& m : j) {
            if (!m.is_array() || m.size() != 3 || !m[0].is_string() || !m[1].is_string()) return kSyntax;
            int col = S_[t].find(m[0].get<std::string>());
            if (col == kNoCol) return kUnknownColumn;
            if (col < 0 || !S_[t].cols[col].is_mutable) return kConstraint;
            auto op = std::find(kOps.begin(), kOps.end(), m[1].get<std::string>());
            if (op == kOps.end()) return kUnknownMutator;
            MMutation mu;
            mu.col = col;
            mu.op = static_cast<Mut>(op - kOps.begin());
            const MType& ct = S_[t].cols[col].type;
            if (mu.op <= Mod) {
                bool numeric = ct.key.t == AT::Int || ct.key.t == AT::Real;
                if (ct.is_map() || !numeric || (mu.op == Mod && ct.key.t == AT::Real)) return kSyntax;
                // One number, unconstrained: the results are checked instead.
                if (auto e = parse_datum(type_of(base(ct.key.t)), m[2], &symbols_, mu.arg); !e.empty()) return e;
            } else {
                if (ct.scalar()) return kSyntax;
                MType at = ct;
                at.n_min = 0;
                if (mu.op == Del) at.n_max = kUnlimited;
                auto e = parse_datum(at, m[2], &symbols_, mu.arg);
                if (!e.empty() && mu.op == Del && ct.is_map()) {
                    // A map's pairs may be deleted by key alone.
                    MDatum keys;
                    if (parse_datum(type_of(ct.key, 0, kUnlimited), m[2], &symbols_, keys).empty()) {
                        mu.arg = keys;
                        mu.by_keys = true;
                        e.clear();
                    }
                }
                if (!e.empty()) return e;
            }
            out.push_back(mu);
        }
        return "";
    }

    static std::string arith_int(int64_t& x, int64_t y, Mut op) {
        int64_t r = 0;
        switch (op) {
            case Add:
                if (__builtin_add_overflow(x, y, &r)) return kRange;
                break;
            case Sub:
                if (__builtin_sub_overflow(x, y, &r)) return kRange;
                break;
            case Mul:
                if (__builtin_mul_overflow(x, y, &r)) return kRange;
                break;
            default:
                if (y == 0) return kDomain;
                if (x == INT64_MIN && y == -1) return kRange;
                r = op == Div ? x / y : x % y;
        }
        x = r;
        return "";
    }

    static std::string arith_real(double& x, double y, Mut op) {
        if (op == Add) x += y;
        if (op == Sub) x -= y;
        if (op == Mul) x *= y;
        if (op == Div) {
            if (y == 0) return kDomain;
            x /= y;
        }
        return x >= -DBL_MAX && x <= DBL_MAX ? "" : kRange;
    }

    static std::string apply(const MType& ct, MDatum& d, const MMutation& m) {
        if (m.op <= Mod) {
            for (MAtom& a : d.keys) {
                auto e = ct.key.t == AT::Int ? arith_int(std::get<int64_t>(a), std::get<int64_t>(m.arg.keys[0]), m.op)
                                             : arith_real(std::get<double>(a), std::get<double>(m.arg.keys[0]), m.op);
                if (e.empty()) e = check_atom(ct.key, a);
                if (!e.empty()) return e;
            }
            return sort_unique(d) ? "" : kConstraint;  // e.g. {1, 2} *= 0
        }
        if (m.op == Ins) {
            // Keys already present keep their values.
            for (size_t i = 0; i < m.arg.size(); i++) {
                if (find_key(d, m.arg.keys[i])) continue;
                d.keys.push_back(m.arg.keys[i]);
                if (ct.is_map()) d.vals.push_back(m.arg.vals[i]);
            }
            sort_unique(d);
        } else {
            for (size_t i = 0; i < m.arg.size(); i++) {
                auto j = find_key(d, m.arg.keys[i]);
                if (!j || (ct.is_map() && !m.by_keys && d.vals[*j] != m.arg.vals[i])) continue;
                d.keys.erase(d.keys.begin() + static_cast<ptrdiff_t>(*j));
                if (ct.is_map()) d.vals.erase(d.vals.begin() + static_cast<ptrdiff_t>(*j));
            }
        }
        return d.size() < ct.n_min || d.size() > ct.n_max ? kConstraint : "";
    }

    Expect mutate(int t, const Json& op) {
        std::vector<MMutation> muts;
        if (auto e = parse_mutations(t, op["mutations"], muts); !e.empty()) return err(e);
        std::vector<MClause> where;
        if (auto e = parse_where(t, op["where"], where); !e.empty()) return err(e);
        auto rows = matches(t, where);
        // The engine stops at the first row (in an order the model does not
        // know) that fails; any failing row's error will do.
        std::set<std::string> tags;
        for (const std::string& u : muts.empty() ? std::vector<std::string>() : rows) {
            Row r = cur_[t][u];
            for (const MMutation& m : muts) {
                if (auto e = apply(S_[t].cols[m.col].type, r[m.col], m); !e.empty()) {
                    tags.insert(e);
                    break;
                }
            }
            cur_[t][u] = r;
        }
        if (!tags.empty()) {
            Expect x = err("");
            x.tags = tags;
            return x;
        }
        return count(rows.size());
    }

    Expect erase(int t, const Json& op) {
        std::vector<MClause> where;
        if (auto e = parse_where(t, op["where"], where); !e.empty()) return err(e);
        auto rows = matches(t, where);
        for (const std::string& u : rows) cur_[t].erase(u);
        return count(rows.size());
    }

    Expect wait(int t, const Json& op) {
        std::vector<MClause> where;
        if (auto e = parse_where(t, op["where"], where); !e.empty()) return err(e);
        std::vector<int> cols;
        if (auto e = parse_columns(t, member(op, "columns"), cols); !e.empty()) return err(e);
        if (cols.end() != std::find(cols.begin(), cols.end(), kUuidCol)) throw ModelLimit("_uuid in wait columns");
        const Json* timeout = member(op, "timeout");
        if (timeout && !timeout->is_number_unsigned() && timeout->get<int64_t>() < 0) return err(kSyntax);
        if (op["until"] != "==" && op["until"] != "!=") return err(kSyntax);
        std::vector<std::vector<MDatum>> want, have;
        for (const Json& rj : op["rows"]) {
            if (!rj.is_object()) return err(kSyntax);
            Row row;
            for (const MCol& c : S_[t].cols) row.push_back(default_datum(c.type));
            for (const auto& [k, v] : rj.items()) {
                int c = S_[t].find(k);
                if (c == kNoCol) return err(kUnknownColumn);
                if (c < 0) throw ModelLimit("_uuid or _version in wait rows");
                if (auto e = parse_datum(S_[t].cols[c].type, v, &symbols_, row[c]); !e.empty()) return err(e);
            }
            std::vector<MDatum> p;
            for (int c : cols) p.push_back(row[c]);
            add_distinct(want, p);
        }
        for (const std::string& u : matches(t, where)) {
            std::vector<MDatum> p;
            for (int c : cols) p.push_back(cur_[t][u][c]);
            add_distinct(have, p);
        }
        bool equal = want.size() == have.size();
        for (const auto& r : want) equal = equal && std::find(have.begin(), have.end(), r) != have.end();
        if ((op["until"] == "==") == equal) return ok();
        if (timeout && timeout->get<int64_t>() == 0) return err(kTimedOut);
        blocked_ = true;  // the server would retry it after later commits
        return ok();
    }

    // The commit's checks, on the state the operations left: strong
    // references must point at rows, then unreferenced non-root rows go
    // (repeatedly), then weak references to missing rows go (a column left
    // with too few elements fails), then maxRows and the unique index.
    std::string commit_checks(State& s) {
        for (int t = 0; t < int(S_.size()); t++)
            for (const auto& [uuid, row] : s[t])
                for (size_t c = 0; c < S_[t].cols.size(); c++) {
                    const MBase& k = S_[t].cols[c].type.key;
                    if (k.ref < 0 || k.weak) continue;
                    for (const MAtom& a : row[c].keys)
                        if (!s[k.ref].count(std::get<std::string>(a))) return kRefIntegrity;
                }
        for (bool again = true; again;) {
            again = false;
            auto refs = strong_counts(S_, s);
            for (int t = 0; t < int(S_.size()); t++) {
                if (S_[t].root) continue;
                for (auto it = s[t].begin(); it != s[t].end();) {
                    if (refs[t].count(it->first)) {
                        ++it;
                    } else {
                        it = s[t].erase(it);
                        again = true;
                        collected++;
                    }
                }
            }
        }
        std::string result;
        for (int t = 0; t < int(S_.size()); t++)
            for (auto& [uuid, row] : s[t])
                for (size_t c = 0; c < S_[t].cols.size(); c++) {
                    const MCol& col = S_[t].cols[c];
                    if (col.type.key.ref < 0 || !col.type.key.weak) continue;
                    MDatum kept;
                    for (const MAtom& a : row[c].keys)
                        if (s[col.type.key.ref].count(std::get<std::string>(a))) kept.keys.push_back(a);
                    weak_removed += row[c].size() - kept.size();
                    if (kept.size() != row[c].size() && kept.size() < col.type.n_min) result = kConstraint;
                    row[c] = kept;
                }
        if (!result.empty()) return result;
        for (int t = 0; t < int(S_.size()); t++) {
            if (s[t].size() > S_[t].max_rows) return kConstraint;
            if (S_[t].index_col < 0) continue;
            std::vector<MDatum> seen;
            for (const auto& [uuid, row] : s[t]) {
                const MDatum& key = row[S_[t].index_col];
                if (std::find(seen.begin(), seen.end(), key) != seen.end()) return kConstraint;
                seen.push_back(key);
            }
        }
        return "";
    }

    std::string db_name_;
    const std::vector<MTab>& S_;
    const State& committed_;
    State cur_;
    std::function<std::string()> placeholder_;
    Names symbols_;
    std::set<std::string> created_;
    bool blocked_ = false;
};

}  // namespace ovsdb_model
