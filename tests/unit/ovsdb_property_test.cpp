// Property test of the OVSDB engine: seeded random transactions (valid and
// deliberately invalid operations) over a small schema with strong and weak
// references, a non-root table, an index, enums, ranges, lengths and set
// sizes. Each runs both in the engine and in an independent model of
// RFC 7047 (ovsdb_model.h, plain maps of rows). After every transaction the
// result array (success or the error's name, counts, UUIDs, selected rows),
// the whole database (select-all), row versions, and the engine's reference
// counts and index must agree with the model; a failed transaction must
// change nothing. The database lives in a file that is compacted and
// reopened along the way and at the end, and must still equal the model.
//
// A failure prints its seed and transaction number; rerun one seed with
//   XVS_PROP_SEED=<seed> XVS_PROP_ITERS=<n> test_ovsdb_property
//
// Besides what ovsdb_model.h leaves out, the generator never puts invalid
// UTF-8 in an enum column: the engine's enum error message dumps the string
// as JSON, which throws; no JSON-RPC peer can send such a string (the
// parser rejects it), so only C++ callers could.
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "ovsdb/storage.h"
#include "ovsdb_model.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

using namespace ovsdb_model;

namespace {

const char* const kSchema = R"({
  "name": "P", "version": "1.0.0",
  "tables": {
    "A": {
      "isRoot": true,
      "columns": {
        "name": {"type": {"key": {"type": "string", "minLength": 1, "maxLength": 4}}},
        "id": {"type": "integer", "mutable": false},
        "n": {"type": {"key": {"type": "integer", "minInteger": -100, "maxInteger": 100}}},
        "x": {"type": "real"},
        "r": {"type": {"key": {"type": "real", "minReal": -1000, "maxReal": 1000}, "min": 0, "max": 1}},
        "ints": {"type": {"key": "integer", "min": 0, "max": 4}},
        "reals": {"type": {"key": "real", "min": 0, "max": "unlimited"}},
        "tags": {"type": {"key": {"type": "string", "maxLength": 3}, "min": 1, "max": 3}},
        "kv": {"type": {"key": "string", "value": {"type": "integer", "minInteger": 0, "maxInteger": 9},
                        "min": 0, "max": 3}},
        "color": {"type": {"key": {"type": "string", "enum": ["set", ["blue", "green", "red"]]}, "min": 0, "max": 1}},
        "kids": {"type": {"key": {"type": "uuid", "refTable": "B"}, "min": 0, "max": "unlimited"}},
        "friend": {"type": {"key": {"type": "uuid", "refTable": "A", "refType": "weak"}, "min": 0, "max": 1}},
        "wb": {"type": {"key": {"type": "uuid", "refTable": "B", "refType": "weak"}, "min": 0, "max": "unlimited"}}
      },
      "indexes": [["name"]]
    },
    "B": {"columns": {
        "v": {"type": "integer"},
        "s": {"type": "string"},
        "flag": {"type": "boolean"},
        "c": {"type": {"key": {"type": "uuid", "refTable": "C"}, "min": 0, "max": 1}}}},
    "C": {"columns": {"w": {"type": "integer"}}},
    "W": {"isRoot": true, "maxRows": 3, "columns": {
        "k": {"type": "integer"},
        "w": {"type": {"key": {"type": "uuid", "refTable": "A", "refType": "weak"}, "min": 1, "max": "unlimited"}}}}
  }
})";

// The model's description of kSchema.
enum { TA, TB, TC, TW, kTables };

std::vector<MTab> model_schema() {
    MBase name = base(AT::Str);
    name.min_len = 1, name.max_len = 4;
    MBase n = base(AT::Int);
    n.min_i = -100, n.max_i = 100;
    MBase r = base(AT::Real);
    r.min_r = -1000, r.max_r = 1000;
    MBase tag = base(AT::Str);
    tag.max_len = 3;
    MBase digit = base(AT::Int);
    digit.min_i = 0, digit.max_i = 9;
    MBase color = base(AT::Str);
    color.enums = {"blue", "green", "red"};
    MType kv = type_of(base(AT::Str), 0, 3);
    kv.val = digit;

    MTab a{"A", true};
    a.cols = {{"name", type_of(name)},
              {"id", type_of(base(AT::Int)), false},
              {"n", type_of(n)},
              {"x", type_of(base(AT::Real))},
              {"r", type_of(r, 0, 1)},
              {"ints", type_of(base(AT::Int), 0, 4)},
              {"reals", type_of(base(AT::Real), 0, kUnlimited)},
              {"tags", type_of(tag, 1, 3)},
              {"kv", kv},
              {"color", type_of(color, 0, 1)},
              {"kids", type_of(ref_to(TB, false), 0, kUnlimited)},
              {"friend", type_of(ref_to(TA, true), 0, 1)},
              {"wb", type_of(ref_to(TB, true), 0, kUnlimited)}};
    a.index_col = 0;
    MTab b{"B"};
    b.cols = {{"v", type_of(base(AT::Int))},
              {"s", type_of(base(AT::Str))},
              {"flag", type_of(base(AT::Bool))},
              {"c", type_of(ref_to(TC, false), 0, 1)}};
    MTab c{"C"};
    c.cols = {{"w", type_of(base(AT::Int))}};
    MTab w{"W", true, 3};
    w.cols = {{"k", type_of(base(AT::Int))}, {"w", type_of(ref_to(TA, true), 1, kUnlimited)}};
    return {a, b, c, w};
}

std::string dump(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// ==== The generator ====

class Gen {
public:
    Gen(uint64_t seed, const std::vector<MTab>& S) : rng_(seed), S_(S) {}

    // 'birth' orders rows by when they were inserted: the engine's UUIDs are
    // random, so choosing rows in UUID order would make a seed's sequence
    // differ from one run to the next.
    Json txn(const State& db, const std::map<std::string, uint64_t>& birth) {
        db_ = &db;
        birth_ = &birth;
        planned_.clear();
        chosen_.clear();
        if (pct(1)) {
            static const Json kBad[] = {Json::object(), Json::array(), Json::array({5}), Json::array({"Q"}),
                                        Json::array({"Q", {{"op", "comment"}, {"comment", "x"}}})};
            return kBad[below(std::size(kBad))];
        }
        enum { Insert, Select, Update, Mutate, Delete, Wait, Misc, Abort, Broken };
        static const std::vector<std::pair<int, int>> kWeights = {{Insert, 30}, {Select, 8}, {Update, 14},
                                                                  {Mutate, 22}, {Delete, 9}, {Wait, 6},
                                                                  {Misc, 5},    {Abort, 1},  {Broken, 5}};
        size_t n = pct(2) ? 0 : 1 + below(pct(15) ? 7 : 3);
        std::vector<int> kinds;
        std::vector<std::pair<int, std::string>> inserts;  // (table, uuid-name) per insert
        for (size_t i = 0; i < n; i++) {
            kinds.push_back(weighted(kWeights));
            if (kinds.back() != Insert) continue;
            int t = weighted({{TA, 35}, {TB, 30}, {TC, 25}, {TW, 10}});
            std::string name;
            if (pct(3) && !planned_.empty()) {
                name = pick(planned_).second;  // a duplicate uuid-name
            } else if (pct(85)) {
                name = "row" + std::to_string(seq_++);
                planned_.emplace_back(t, name);
            }
            inserts.emplace_back(t, name);
        }
        Json params = Json::array({"P"});
        size_t next_insert = 0;
        for (int k : kinds) {
            int t = weighted({{TA, 45}, {TB, 20}, {TC, 10}, {TW, 25}});
            switch (k) {
                case Insert: {
                    auto [it, name] = inserts[next_insert++];
                    params.push_back(insert(it, name));
                    break;
                }
                case Select:
                    params.push_back(select(t));
                    break;
                case Update:
                    params.push_back(update(t));
                    break;
                case Mutate:
                    params.push_back(mutate(t));
                    break;
                case Delete:
                    params.push_back(Json{{"op", "delete"}, {"table", S_[t].name}, {"where", where(t, pct(85))}});
                    break;
                case Wait:
                    params.push_back(wait(t));
                    break;
                case Misc:
                    params.push_back(misc());
                    break;
                case Abort:
                    params.push_back(Json{{"op", "abort"}});
                    break;
                default:
                    params.push_back(broken());
            }
        }
        return params;
    }

private:
    uint64_t below(uint64_t n) { return n ? rng_() % n : 0; }
    bool pct(unsigned p) { return below(100) < p; }
    template <typename T>
    const T& pick(const std::vector<T>& v) {
        return v[below(v.size())];
    }
    int weighted(const std::vector<std::pair<int, int>>& w) {
        int total = 0;
        for (auto& [k, n] : w) total += n;
        int r = static_cast<int>(below(static_cast<uint64_t>(total)));
        for (auto& [k, n] : w)
            if ((r -= n) < 0) return k;
        return w.back().first;
    }
    int64_t between(int64_t lo, int64_t hi) {
        return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1)));
    }
    double real() { return static_cast<double>(between(-40, 40)) / 4; }

    std::string fresh_uuid() {
        char buf[64];
        snprintf(buf, sizeof buf, "c0ffee00-0000-4000-8000-%012llx", static_cast<unsigned long long>(seq_++));
        return buf;
    }
    std::vector<std::string> existing(int t) const {
        std::vector<std::string> out;
        for (const auto& [u, r] : (*db_)[t]) out.push_back(u);
        std::sort(out.begin(), out.end(), [&](const auto& a, const auto& b) { return birth_->at(a) < birth_->at(b); });
        return out;
    }

    // The uuid-names of this transaction's inserts into 'table'.
    std::vector<std::string> planned(int table) const {
        std::vector<std::string> out;
        for (const auto& [t, n] : planned_)
            if (t == table) out.push_back(n);
        return out;
    }

    // A reference to a row of 'table': committed, inserted by this
    // transaction (named), or (rarely) missing or malformed.
    Json ref(int table) {
        auto named = planned(table);
        auto rows = existing(table);
        if (!named.empty() && pct(70)) return Json::array({"named-uuid", pick(named)});
        if (!rows.empty() && pct(90)) {
            std::string u = pick(rows);
            if (pct(5))  // UUIDs may be written in upper case
                for (char& ch : u) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
            return Json::array({"uuid", u});
        }
        switch (below(10)) {
            case 0:
                return Json::array({"named-uuid", "undefined_name"});
            case 1:
                return Json::array({"uuid", "not-a-uuid"});
            default:
                return Json::array({"uuid", fresh_uuid()});  // no such row
        }
    }

    // ["set", elems], or the lone element itself.
    Json set_of(std::vector<Json> elems) {
        if (elems.size() == 1 && pct(50)) return elems[0];
        return Json::array({"set", elems});
    }
    template <typename F>
    Json distinct_set(size_t lo, size_t hi, F gen) {
        size_t n = lo + below(hi - lo + 1);
        std::vector<Json> out;
        for (size_t tries = 0; out.size() < n && tries < 20; tries++) {
            Json e = gen();
            if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
        }
        return set_of(out);
    }

    // Near the ends of int64_t, where arithmetic overflows ("range error").
    Json extreme() { return pick(std::vector<Json>{INT64_MAX, INT64_MIN, INT64_MIN + 1, int64_t{1} << 62, -1, 2}); }

    Json name() {
        static const std::vector<std::string> kNames = {"a", "b", "c",  "d", "e",    "f",
                                                        "g", "h", "ab", "é", "abcd", "éééé"};
        return pick(kNames);
    }
    Json tag() {
        static const std::vector<std::string> kTags = {"", "x", "y", "z", "xy", "xyz", "é"};
        return pick(kTags);
    }

    // A value for column 'c' of table 't', valid for its type.
    Json value(int t, const std::string& c) {
        auto ints = [&] { return Json(between(-5, 5)); };
        auto reals = [&] { return Json(real()); };
        auto pair = [&] { return Json::array({"k" + std::to_string(between(1, 5)), between(0, 9)}); };
        if (c == "name") return name();
        if (c == "id" || (c == "w" && t == TC)) return between(-3, 3);
        if (c == "n") return pct(70) ? between(-10, 10) : between(-100, 100);
        if (c == "x") return pct(20) ? Json(between(-5, 5)) : Json(real());
        if (c == "r") return pct(30) ? Json::array({"set", Json::array()}) : Json(real() * 25);
        if (c == "ints") return distinct_set(0, 4, ints);
        if (c == "reals") return distinct_set(0, 3, reals);
        if (c == "tags") return distinct_set(1, 3, [&] { return tag(); });
        if (c == "kv") {
            size_t n = below(4);
            Json pairs = Json::array();
            std::set<std::string> keys;
            for (size_t i = 0; i < n; i++) {
                Json p = pair();
                if (keys.insert(p[0]).second) pairs.push_back(p);
            }
            return Json::array({"map", pairs});
        }
        if (c == "color")
            return pct(25) ? Json::array({"set", Json::array()})
                           : Json(pick(std::vector<std::string>{"blue", "green", "red"}));
        if (c == "kids") return distinct_set(0, 3, [&] { return ref(TB); });
        if (c == "friend") return pct(30) ? Json::array({"set", Json::array()}) : ref(TA);
        if (c == "wb") return distinct_set(0, 2, [&] { return ref(TB); });
        if (c == "v" || c == "k") return pct(30) ? extreme() : Json(between(-10, 10));
        if (c == "s") return pick(std::vector<std::string>{"", "s", "é", "hello"});
        if (c == "flag") return below(2) == 1;
        if (c == "c") return pct(20) ? Json::array({"set", Json::array()}) : ref(TC);
        if (c == "w") return distinct_set(1, 2, [&] { return ref(TA); });
        throw std::logic_error("no generator for column " + c);
    }

    // A value for column 'c' that breaks its type: wrong JSON type, wrong
    // element count, duplicates, or a constraint.
    Json bad_value(int t, const std::string& c) {
        const MCol& col = S_[t].cols[S_[t].find(c)];
        switch (below(6)) {
            case 0:  // wrong JSON type
                return col.type.key.t == AT::Str || col.type.key.t == AT::Uuid ? Json(5) : Json("five");
            case 1:  // too many elements
                if (col.type.n_max != kUnlimited) {
                    Json elems = Json::array();
                    for (unsigned i = 0; i <= col.type.n_max; i++)
                        elems.push_back(col.type.is_map() ? Json::array({"k" + std::to_string(i), 1}) : Json(i));
                    return Json::array({col.type.is_map() ? "map" : "set", elems});
                }
                return Json::array({"set", Json::array({1, 1})});
            case 2:  // duplicates
                return Json::array({col.type.is_map() ? "map" : "set",
                                    col.type.is_map() ? Json::array({Json::array({"k", 1}), Json::array({"k", 2})})
                                                      : Json::array({value(t, c), value(t, c)})});
            case 3:
                return Json::array({"set"});
            default:  // a constraint
                if (c == "name") return pick(std::vector<std::string>{"", "abcde", "ééééé", "\xff", "a\xc3"});
                if (c == "n") return pick(std::vector<Json>{101, -1000, 1.5, 9223372036854775808ull});
                if (c == "r") return 1000.25;
                if (c == "tags") return Json::array({"set", Json::array({"long"})});
                if (c == "kv") return Json::array({"map", Json::array({Json::array({"k1", 10})})});
                if (c == "color") return "purple";
                if (c == "s") return "\xff";
                if (c == "w" && t == TW) return Json::array({"set", Json::array()});
                return Json::array({"uuid", "zzzz"});
        }
    }

    std::vector<std::string> user_columns(int t) const {
        std::vector<std::string> out;
        for (const MCol& c : S_[t].cols) out.push_back(c.name);
        return out;
    }

    Json insert(int t, const std::string& uuid_name) {
        Json row = Json::object();
        for (const std::string& c : user_columns(t)) {
            // References to rows this transaction inserts keep those rows
            // from being garbage-collected at once.
            bool must = c == "name" || (t == TW && c == "w") || (c == "kids" && !planned(TB).empty()) ||
                        (c == "c" && !planned(TC).empty());
            if (must ? pct(95) : pct(45)) row[c] = value(t, c);
        }
        if (pct(12)) {
            auto cols = user_columns(t);
            switch (below(4)) {
                case 0:
                    row["nope"] = 1;
                    break;
                case 1:
                    row["_uuid"] = Json::array({"uuid", fresh_uuid()});
                    break;
                default: {
                    std::string c = pick(cols);
                    row[c] = bad_value(t, c);
                }
            }
        }
        Json op = {{"op", "insert"}, {"table", S_[t].name}, {"row", row}};
        if (!uuid_name.empty()) op["uuid-name"] = uuid_name;
        if (pct(8)) {
            // A UUID of the caller's choosing, sometimes one an earlier
            // insert of this transaction chose ("duplicate uuid").
            op["uuid"] = !chosen_.empty() && pct(30) ? pick(chosen_) : fresh_uuid();
            chosen_.push_back(op["uuid"]);
        }
        if (pct(3)) {
            int other = pct(70) ? t : static_cast<int>(below(kTables));
            if (auto rows = existing(other); !rows.empty()) op["uuid"] = pick(rows);
        }
        return op;
    }

    Json clause(int t) {
        auto ineq = [&] { return pick(std::vector<std::string>{"<", "<=", "==", "!=", ">=", ">"}); };
        auto eqne = [&] { return pick(std::vector<std::string>{"==", "!=", "includes", "excludes"}); };
        if (pct(15)) return Json::array({"_uuid", pick(std::vector<std::string>{"==", "!=", "includes"}), ref(t)});
        if (pct(5)) return below(2) == 1;
        switch (t) {
            case TA:
                switch (below(10)) {
                    case 0:
                        return Json::array({"n", ineq(), between(-10, 10)});
                    case 1:
                        return Json::array({"x", ineq(), real()});
                    case 2:
                        return Json::array({"r", ineq(), real() * 25});
                    case 3:
                        return Json::array({"name", eqne(), name()});
                    case 4:
                        return Json::array({"ints", eqne(), value(t, "ints")});
                    case 5:
                        return Json::array({"tags", pick(std::vector<std::string>{"includes", "excludes"}),
                                            distinct_set(0, 2, [&] { return tag(); })});
                    case 6:
                        return Json::array({"kv", eqne(), value(t, "kv")});
                    case 7:
                        return Json::array({"color", eqne(), value(t, "color")});
                    case 8:
                        return Json::array(
                            {"kids", pick(std::vector<std::string>{"includes", "excludes"}), value(t, "kids")});
                    default:
                        return Json::array({"friend", eqne(), value(t, "friend")});
                }
            case TB:
                switch (below(3)) {
                    case 0:
                        return Json::array({"v", ineq(), between(-10, 10)});
                    case 1:
                        return Json::array({"flag", eqne(), below(2) == 1});
                    default:
                        return Json::array({"c", eqne(), value(t, "c")});
                }
            case TC:
                return Json::array({"w", ineq(), between(-3, 3)});
            default:
                return below(2)
                           ? Json::array({"k", ineq(), between(-3, 3)})
                           : Json::array({"w", pick(std::vector<std::string>{"includes", "excludes"}), value(t, "w")});
        }
    }

    Json bad_clause(int t) {
        switch (below(8)) {
            case 0:
                return Json::array({"nope", "==", 1});
            case 1:
                return Json::array({t == TA ? "n" : "_uuid", "~=", 1});
            case 2:
                return Json::array({t == TA ? "name" : "_uuid", "<", "a"});  // no order on strings or UUIDs
            case 3:
                return Json::array({t == TA ? "ints" : "_uuid", ">", 1});
            case 4:
                return Json::array({"_uuid", "=="});
            case 5:
                return 5;
            case 6:
                return Json::array({t == TA ? "n" : "_uuid", "==", "str"});
            default:
                return t == TA ? Json::array({"color", "==", "purple"}) : Json::array({"_uuid", "==", "x"});
        }
    }

    Json where(int t, bool valid = true) {
        Json w = Json::array();
        size_t n = below(3);
        for (size_t i = 0; i < n; i++) w.push_back(clause(t));
        if (n == 0 && pct(85) && !existing(t).empty()) w.push_back(Json::array({"_uuid", "==", ref(t)}));
        if (!valid) w.push_back(bad_clause(t));
        return w;
    }

    Json columns(int t, bool with_uuid) {
        Json cols = Json::array();
        if (with_uuid && pct(60)) cols.push_back("_uuid");
        for (const std::string& c : user_columns(t))
            if (pct(50)) cols.push_back(c);
        if (pct(5)) cols.push_back(pick(std::vector<Json>{"nope", 5, cols.empty() ? Json("nope") : cols[0]}));
        return cols;
    }

    Json select(int t) {
        Json op = {
            {"op", "select"}, {"table", S_[t].name}, {"where", where(t, pct(90))}, {"columns", columns(t, true)}};
        if (pct(5)) op["sort"] = columns(t, true);
        return op;
    }

    Json update(int t) {
        Json row = Json::object();
        auto cols = user_columns(t);
        for (size_t i = 0, n = 1 + below(3); i < n; i++) {
            std::string c = pick(cols);
            row[c] = value(t, c);
        }
        if (pct(12)) {
            std::string c = pick(cols);
            switch (below(4)) {
                case 0:
                    row["nope"] = 1;
                    break;
                case 1:
                    row["_version"] = Json::array({"uuid", fresh_uuid()});
                    break;
                default:
                    row[c] = bad_value(t, c);
            }
        }
        return {{"op", "update"}, {"table", S_[t].name}, {"where", where(t, pct(92))}, {"row", row}};
    }

    Json arith() { return pick(std::vector<std::string>{"+=", "-=", "*=", "/=", "%="}); }
    Json setop() { return pick(std::vector<std::string>{"insert", "delete"}); }

    Json mutation(int t) {
        if (pct(8)) {
            switch (below(6)) {
                case 0:
                    return Json::array({"nope", "+=", 1});
                case 1:
                    return Json::array({t == TA ? "n" : "_uuid", "^=", 1});
                case 2:
                    return Json::array({t == TA ? "x" : "_uuid", "%=", 2});
                case 3:
                    return Json::array({t == TA ? "n" : "_uuid", "+=", "one"});
                case 4:
                    return Json::array({t == TA ? "id" : "_uuid", "+=", 1});
                default:
                    return Json::array({t == TA ? "name" : "_uuid", "insert", "a"});
            }
        }
        auto real_arg = [&] { return pct(10) ? 0.0 : real(); };
        auto any_int = [&] {
            return pct(85) ? Json(between(-3, 3)) : pick(std::vector<Json>{1000, INT64_MAX, int64_t{1} << 62, -1});
        };
        if (t == TA && !planned(TB).empty() && pct(40)) return Json::array({"kids", "insert", ref(TB)});
        if (t == TB && !planned(TC).empty() && pct(40)) return Json::array({"c", "insert", ref(TC)});
        switch (t) {
            case TA:
                switch (below(12)) {
                    case 0:
                        return Json::array({"n", arith(), any_int()});
                    case 1:
                        return Json::array({"x", pick(std::vector<std::string>{"+=", "-=", "*=", "/="}),
                                            pct(90) ? Json(real_arg()) : Json(1e300)});
                    case 2:
                        return below(2)
                                   ? Json::array({"r", setop(), value(t, "r")})
                                   : Json::array({"r", pick(std::vector<std::string>{"+=", "*=", "/="}), real_arg()});
                    case 3:
                        return below(2) ? Json::array({"ints", setop(), value(t, "ints")})
                                        : Json::array({"ints", arith(), between(-3, 3)});
                    case 4:
                        return below(2) ? Json::array({"reals", setop(), value(t, "reals")})
                                        : Json::array(
                                              {"reals", pick(std::vector<std::string>{"+=", "*=", "/="}), real_arg()});
                    case 5:
                        return Json::array({"tags", setop(), value(t, "tags")});
                    case 6:
                        return Json::array({"kv", setop(), value(t, "kv")});
                    case 7:  // delete map pairs by key
                        return Json::array({"kv", "delete", distinct_set(0, 2, [&] {
                                                return Json("k" + std::to_string(between(1, 5)));
                                            })});
                    case 8:
                        return Json::array({"color", setop(), value(t, "color")});
                    case 9:
                        return Json::array({"kids", setop(), value(t, "kids")});
                    case 10:
                        return Json::array({"friend", setop(), value(t, "friend")});
                    default:
                        return Json::array({"wb", setop(), value(t, "wb")});
                }
            case TB:
                switch (below(3)) {
                    case 0:
                        return Json::array({"v", arith(), pct(50) ? any_int() : extreme()});
                    case 1:
                        return Json::array({"c", setop(), value(t, "c")});
                    default:
                        return Json::array({pick(std::vector<std::string>{"s", "flag"}), "+=", 1});
                }
            case TC:
                return Json::array({"w", arith(), any_int()});
            default:
                return below(2) ? Json::array({"k", arith(), pct(50) ? any_int() : extreme()})
                                : Json::array({"w", setop(), value(t, "w")});
        }
    }

    Json mutate(int t) {
        Json muts = Json::array();
        for (size_t i = 0, n = below(10) ? 1 + below(2) : 0; i < n; i++) {
            Json m = mutation(t);
            if (m.is_array() && m.size() == 3 && (m[1] == "/=" || m[1] == "%=") && pct(40))
                m[2] = pct(60) ? 0 : -1;  // division by zero; INT64_MIN / -1
            muts.push_back(m);
        }
        return {{"op", "mutate"}, {"table", S_[t].name}, {"where", where(t, pct(95))}, {"mutations", muts}};
    }

    Json wait(int t) {
        Json cols = Json::array();
        for (const std::string& c : user_columns(t))
            if (pct(40)) cols.push_back(c);
        Json w = where(t);
        Json rows = Json::array();
        if (pct(60)) {
            // What the committed rows hold, so that "==" often holds.
            for (const auto& [u, row] : (*db_)[t]) {
                Json r = Json::object();
                for (const Json& c : cols) {
                    int ci = S_[t].find(c.get<std::string>());
                    r[c.get<std::string>()] = datum_json(S_[t].cols[ci].type, row[ci]);
                }
                rows.push_back(r);
            }
        } else {
            for (size_t i = 0, n = below(3); i < n; i++) {
                Json r = Json::object();
                for (const Json& c : cols)
                    if (pct(70)) r[c.get<std::string>()] = value(t, c.get<std::string>());
                rows.push_back(r);
            }
        }
        Json op = {
            {"op", "wait"}, {"table", S_[t].name}, {"where", w}, {"columns", cols}, {"until", pct(70) ? "==" : "!="},
            {"rows", rows}};
        unsigned k = static_cast<unsigned>(below(100));
        if (k < 90) {
            op["timeout"] = 0;
        } else if (k < 95) {
            op["timeout"] = 1000;
        }  // else none: blocks unless satisfied
        if (pct(5)) op["rows"].push_back(pct(50) ? Json(3) : Json{{"nope", 1}});
        return op;
    }

    Json misc() {
        switch (below(3)) {
            case 0:
                return {{"op", "comment"}, {"comment", "c" + std::to_string(seq_++)}};
            case 1:
                return {{"op", "commit"}, {"durable", below(2) == 1}};
            default:
                return {{"op", "assert"}, {"lock", pct(70) ? "mine" : "theirs"}};
        }
    }

    Json broken() {
        static const std::vector<Json> kBroken = {
            42,
            Json::object(),
            {{"op", "frobnicate"}},
            {{"op", 7}},
            {{"op", "select"}, {"table", "A"}},
            {{"op", "select"}, {"table", "A"}, {"where", Json::array()}, {"columns", {"n"}}, {"extra", 1}},
            {{"op", "delete"}, {"table", "Nope"}, {"where", Json::array()}},
            {{"op", "delete"}, {"table", "A"}, {"where", Json::object()}},
            {{"op", "delete"}, {"table", "not an id"}, {"where", Json::array()}},
            {{"op", "insert"}, {"table", "A"}, {"row", Json::array()}},
            {{"op", "insert"}, {"table", "A"}, {"row", {{"name", "q"}}}, {"uuid-name", "9bad"}},
            {{"op", "insert"}, {"table", "A"}, {"row", {{"name", "q"}}}, {"uuid", "not-a-uuid"}},
            {{"op", "wait"},
             {"table", "A"},
             {"where", Json::array()},
             {"columns", Json::array()},
             {"until", "<"},
             {"rows", Json::array()}},
            {{"op", "wait"},
             {"table", "A"},
             {"where", Json::array()},
             {"columns", Json::array()},
             {"until", "=="},
             {"rows", Json::array()},
             {"timeout", -1}},
            {{"op", "wait"},
             {"table", "A"},
             {"where", Json::array()},
             {"columns", Json::array()},
             {"until", "=="},
             {"rows", Json::array()},
             {"timeout", 0.5}},
            {{"op", "commit"}},
            {{"op", "commit"}, {"durable", "yes"}},
            {{"op", "abort"}, {"why", 1}},
            {{"op", "comment"}, {"comment", 5}},
            {{"op", "assert"}, {"lock", "9x"}},
            {{"op", "mutate"}, {"table", "A"}, {"where", Json::array()}, {"mutations", Json::object()}},
            {{"op", "mutate"}, {"table", "A"}, {"where", Json::array()}, {"mutations", {Json::array({"n", "+="})}}},
            {{"op", "update"}, {"table", "A"}, {"where", Json::array()}, {"row", {{"nope", 1}}}},
            {{"op", "update"}, {"table", "A"}, {"where", Json::array()}, {"row", {{"id", 1}}}},
        };
        return pick(kBroken);
    }

    std::mt19937_64 rng_;
    const std::vector<MTab>& S_;
    const State* db_ = nullptr;
    const std::map<std::string, uint64_t>* birth_ = nullptr;
    std::vector<std::pair<int, std::string>> planned_;  // (table, uuid-name) of this transaction's inserts
    std::vector<std::string> chosen_;                   // UUIDs this transaction's inserts chose
    uint64_t seq_ = 0;
};

// ==== Running both and comparing ====

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "xvs-ovsdb-prop-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()));
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
};

struct Stats {
    size_t txns = 0, committed = 0, blocked = 0, rpc_errors = 0, reopened = 0, collected = 0, weak_removed = 0;
    std::map<std::string, size_t> errors;  // by error name
};

class Run {
public:
    Run(uint64_t seed, const fs::path& dir)
        : seed_(seed), S_(model_schema()), gen_(seed, S_), model_(kTables), last_model_(kTables) {
        auto schema = xvs::ovsdb::Schema::from_json(Json::parse(kSchema));
        REQUIRE_MESSAGE(schema.ok(), (schema.ok() ? "" : schema.error().to_string()));
        REQUIRE(schema->tables.size() == size_t(kTables));
        for (int t = 0; t < kTables; t++) REQUIRE(schema->tables[t].name == S_[t].name);
        path_ = (dir / ("p" + std::to_string(seed) + ".db")).string();
        auto st = xvs::ovsdb::Storage::create(path_, *schema);
        REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.message()));
        storage_ = std::move(*st);
    }

    void run(int iterations, Stats& stats) {
        for (iter_ = 0; iter_ < iterations; iter_++) {
            step(stats);
            if (iter_ % 500 == 250) {
                auto s = storage_->compact();
                REQUIRE_MESSAGE(s.ok(), context() << s.message());
            }
            if (iter_ % 500 == 499) reopen(stats);
        }
        reopen(stats);
    }

private:
    std::string context() const {
        return "seed " + std::to_string(seed_) + ", transaction " + std::to_string(iter_) +
               " (rerun with XVS_PROP_SEED=" + std::to_string(seed_) + " XVS_PROP_ITERS=" + std::to_string(iter_ + 1) +
               "):\n  ";
    }

    [[noreturn]] void fail(const std::string& what, const Json& params, const Json& reply) {
        FAIL(context() << what << "\n  transaction: " << dump(params) << "\n  reply: " << dump(reply));
        std::abort();  // FAIL throws; keeps [[noreturn]] honest
    }

    std::string new_placeholder() {
        char buf[64];
        snprintf(buf, sizeof buf, "%s%012llx", kPlaceholderPrefix.c_str(), static_cast<unsigned long long>(ph_++));
        return buf;
    }

    void step(Stats& stats) {
        Json params = gen_.txn(model_, birth_);
        Outcome want;
        try {
            MTxn txn("P", S_, model_, [this] { return new_placeholder(); });
            want = txn.run(params);
            if (want.committed) stats.collected += txn.collected, stats.weak_removed += txn.weak_removed;
        } catch (const ModelLimit& e) {
            fail(std::string("the generator made something the model does not cover: ") + e.what(), params, nullptr);
        }
        xvs::ovsdb::ExecuteOptions options;
        options.owns_lock = [](const std::string& lock) { return lock == "mine"; };
        xvs::ovsdb::Database& db = storage_->database();
        xvs::ovsdb::Uuid last_txn = db.last_txn_id();
        auto got = db.execute(params, options);
        stats.txns++;

        using K = xvs::ovsdb::TransactResult::Kind;
        static const char* kKinds[] = {"done", "blocked", "JSON-RPC error"};
        K want_kind = want.kind == Outcome::Done ? K::Done : want.kind == Outcome::Blocked ? K::Blocked : K::RpcError;
        if (got.kind != want_kind)
            fail(std::string("expected ") + kKinds[int(want_kind)] + ", got " + kKinds[int(got.kind)], params,
                 got.reply);
        std::map<std::string, std::string> binding;
        if (want.kind == Outcome::RpcError) {
            stats.rpc_errors++;
            if (!got.reply.is_object() || got.reply.value("error", "") != want.rpc_tag)
                fail("expected the JSON-RPC error \"" + want.rpc_tag + "\"", params, got.reply);
        } else if (want.kind == Outcome::Blocked) {
            stats.blocked++;
        } else {
            compare_results(want, params, got.reply, binding, stats);
        }
        bool changed = false;
        if (want.committed) {
            stats.committed++;
            State next = want.state;
            substitute(S_, next, binding);
            changed = next != model_;
            model_ = std::move(next);
        }
        if ((db.last_txn_id() != last_txn) != changed)
            fail(changed ? "a transaction that changed the database committed nothing"
                         : "a transaction that changed nothing (or failed) committed",
                 params, got.reply);
        compare_database(params, got.reply, true);
    }

    void compare_results(const Outcome& want, const Json& params, const Json& reply,
                         std::map<std::string, std::string>& binding, Stats& stats) {
        if (!reply.is_array() || reply.size() != want.results.size())
            fail("expected " + std::to_string(want.results.size()) + " results", params, reply);
        // First the UUIDs of inserted rows: they name rows in later results.
        std::set<std::string> taken;
        for (size_t i = 0; i < want.results.size(); i++) {
            const Expect& e = want.results[i];
            if (e.kind != Expect::Ok || e.res != Expect::Insert) continue;
            const Json& r = reply[i];
            if (!r.is_object() || r.size() != 1 || !r.contains("uuid") || !r["uuid"].is_array() ||
                r["uuid"].size() != 2 || r["uuid"][0] != "uuid" || !is_uuid_text(r["uuid"][1]))
                fail("result " + std::to_string(i) + ": expected {\"uuid\": [\"uuid\", ...]}", params, reply);
            std::string u = r["uuid"][1].get<std::string>();
            if (!is_placeholder(e.uuid)) {
                if (u != e.uuid) fail("result " + std::to_string(i) + ": expected uuid " + e.uuid, params, reply);
                birth_.emplace(u, birth_.size());
                continue;
            }
            bool reused = false;
            for (int t = 0; t < kTables; t++) reused |= model_[t].count(u) > 0;
            if (binding.count(e.uuid) || !taken.insert(u).second || reused)
                fail("result " + std::to_string(i) + ": the new row's uuid " + u + " is not new", params, reply);
            binding[e.uuid] = u;
            birth_.emplace(u, birth_.size());
        }
        for (size_t i = 0; i < want.results.size(); i++) {
            const Expect& e = want.results[i];
            const Json& r = reply[i];
            std::string at = "result " + std::to_string(i) + ": ";
            if (e.kind == Expect::Null) {
                if (!r.is_null()) fail(at + "expected null (not run)", params, reply);
            } else if (e.kind == Expect::Err) {
                std::string tags;
                for (const auto& t : e.tags) tags += (tags.empty() ? "\"" : " or \"") + t + "\"";
                if (!r.is_object() || !r.contains("error") || !e.tags.count(r.value("error", "")))
                    fail(at + "expected the error " + tags, params, reply);
                stats.errors[r["error"].get<std::string>()]++;
            } else if (e.res == Expect::Empty) {
                if (r != Json::object()) fail(at + "expected {}", params, reply);
            } else if (e.res == Expect::Count) {
                if (r != Json{{"count", e.count}})
                    fail(at + "expected {\"count\": " + std::to_string(e.count) + "}", params, reply);
            } else if (e.res == Expect::Select) {
                compare_select(e, binding, at, params, reply, r);
            }
        }
    }

    void compare_select(const Expect& e, const std::map<std::string, std::string>& binding, const std::string& at,
                        const Json& params, const Json& reply, const Json& r) {
        if (!r.is_object() || r.size() != 1 || !r.contains("rows") || !r["rows"].is_array() ||
            r["rows"].size() != e.rows.size())
            fail(at + "expected {\"rows\": [" + std::to_string(e.rows.size()) + " rows]}", params, reply);
        Json want = Json::array();
        for (const auto& row : e.rows) {
            Json j = Json::object();
            for (size_t i = 0; i < e.cols.size(); i++) {
                int c = e.cols[i];
                const MType& type = c < 0 ? kUuidType : S_[e.table].cols[c].type;
                MDatum d = row[i];
                if (type.key.t == AT::Uuid) {
                    for (MAtom& a : d.keys) {
                        auto& u = std::get<std::string>(a);
                        if (auto b = binding.find(u); b != binding.end()) u = b->second;
                        if (is_placeholder(u)) return;  // a row whose insert never ran: cannot compare
                    }
                    sort_unique(d);
                }
                j[c < 0 ? "_uuid" : S_[e.table].cols[c].name] = datum_json(type, d);
            }
            want.push_back(j);
        }
        for (const Json& w : want)
            if (std::find(r["rows"].begin(), r["rows"].end(), w) == r["rows"].end())
                fail(at + "missing selected row " + dump(w), params, reply);
    }

    // The engine's whole database, by select-all, against the model; row
    // versions change exactly when rows do.
    void compare_database(const Json& params, const Json& reply, bool check_versions) {
        Json all = Json::array({"P"});
        for (const MTab& t : S_) all.push_back({{"op", "select"}, {"table", t.name}, {"where", Json::array()}});
        auto r = storage_->database().execute(all);
        REQUIRE(r.kind == xvs::ovsdb::TransactResult::Kind::Done);
        std::array<std::map<std::string, std::string>, kTables> versions;
        for (int t = 0; t < kTables; t++) {
            std::map<std::string, Json> got, want;
            for (const Json& row : r.reply[t]["rows"]) {
                Json j = row;
                std::string uuid = j["_uuid"][1].get<std::string>(), version = j["_version"][1].get<std::string>();
                j.erase("_uuid");
                j.erase("_version");
                got[uuid] = j;
                versions[t][uuid] = version;
            }
            for (const auto& [uuid, row] : model_[t]) {
                Json j = Json::object();
                for (size_t c = 0; c < S_[t].cols.size(); c++)
                    j[S_[t].cols[c].name] = datum_json(S_[t].cols[c].type, row[c]);
                want[uuid] = j;
            }
            if (got != want) {
                std::string diff;
                for (const auto& [u, j] : want)
                    if (!got.count(u) || got[u] != j)
                        diff += "\n  " + S_[t].name + " " + u + ": model " + dump(j) + ", engine " +
                                (got.count(u) ? dump(got[u]) : "(absent)");
                for (const auto& [u, j] : got)
                    if (!want.count(u)) diff += "\n  " + S_[t].name + " " + u + ": engine has " + dump(j);
                fail("the database differs from the model:" + diff, params, reply);
            }
            if (check_versions) {
                for (const auto& [u, v] : versions[t]) {
                    auto old = versions_[t].find(u);
                    if (old == versions_[t].end()) continue;
                    bool same_row = last_model_[t].count(u) && last_model_[t].at(u) == model_[t].at(u);
                    if ((old->second == v) != same_row)
                        fail(S_[t].name + " row " + u +
                                 (same_row ? ": _version changed, the row did not"
                                           : ": the row changed, _version did not"),
                             params, reply);
                }
            }
        }
        versions_ = versions;
        last_model_ = model_;
        check_internals(params, reply);
    }

    // What the engine maintains beside the rows: strong reference counts
    // (garbage collection depends on them) and the unique index.
    void check_internals(const Json& params, const Json& reply) {
        const auto& db = storage_->database();
        auto refs = strong_counts(S_, model_);
        for (int t = 0; t < kTables; t++) {
            std::map<std::string, int64_t> got;
            for (const auto& [uuid, n] : db.table(t).strong_refs)
                if (n) got[uuid.to_string()] = n;
            if (got != refs[t]) fail("the engine's reference counts of " + S_[t].name + " are wrong", params, reply);
        }
        const auto& index = db.table(TA).indexes.at(0);
        bool good = index.size() == model_[TA].size();
        for (const auto& [key, uuid] : index) good = good && model_[TA].count(uuid.to_string());
        if (!good) fail("the engine's index on A.name is stale", params, reply);
    }

    // Durability: a fresh Storage replays the file into the same contents.
    void reopen(Stats& stats) {
        storage_.reset();
        auto st = xvs::ovsdb::Storage::open(path_);
        REQUIRE_MESSAGE(st.ok(), context() << (st.ok() ? "" : st.message()));
        storage_ = std::move(*st);
        REQUIRE_MESSAGE(storage_->warnings().empty(), context() << "reopening the file warned");
        stats.reopened++;
        versions_ = {};  // replay gives rows new versions
        compare_database(Json("(reopened the database file)"), nullptr, false);
    }

    uint64_t seed_;
    std::vector<MTab> S_;
    Gen gen_;
    std::string path_;
    std::unique_ptr<xvs::ovsdb::Storage> storage_;
    State model_, last_model_;
    std::map<std::string, uint64_t> birth_;  // row UUID -> order of insertion
    std::array<std::map<std::string, std::string>, kTables> versions_;
    uint64_t ph_ = 0;
    int iter_ = 0;
};

uint64_t env_or(const char* name, uint64_t dflt) {
    const char* v = getenv(name);
    return v && *v ? std::stoull(v) : dflt;
}

}  // namespace

TEST_CASE("random transactions agree with a model of RFC 7047, and survive reopening the file") {
    TempDir dir;
    std::vector<uint64_t> seeds = {1, 2, 3, 4, 5, 6};
    if (getenv("XVS_PROP_SEED")) seeds = {env_or("XVS_PROP_SEED", 1)};
    int iterations = static_cast<int>(env_or("XVS_PROP_ITERS", 3000));
    Stats stats;
    for (uint64_t seed : seeds) {
        INFO("seed " << seed);
        Run(seed, dir.path).run(iterations, stats);
    }
    std::ostringstream summary;
    summary << stats.txns << " transactions, " << stats.committed << " committed, " << stats.blocked << " blocked, "
            << stats.rpc_errors << " JSON-RPC errors, " << stats.reopened << " reopens, " << stats.collected
            << " rows garbage-collected, " << stats.weak_removed << " weak references removed; errors:";
    for (const auto& [tag, n] : stats.errors) summary << " \"" << tag << "\" " << n;
    MESSAGE(summary.str());
    // The mix reaches every outcome (else the generator has rotted and the
    // test proves less than it claims).
    if (seeds.size() > 1) {
        CHECK(stats.committed > stats.txns / 5);
        CHECK(stats.blocked > 0);
        CHECK(stats.rpc_errors > 0);
        CHECK(stats.collected > 0);
        CHECK(stats.weak_removed > 0);
        for (const std::string& tag :
             {kSyntax, kConstraint, kRefIntegrity, kUnknownColumn, kUnknownFunction, kUnknownMutator, kDupUuid,
              kDupName, kDomain, kRange, kTimedOut, kAborted, kNotOwner}) {
            INFO(tag);
            CHECK(stats.errors[tag] > 0);
        }
    }
}
