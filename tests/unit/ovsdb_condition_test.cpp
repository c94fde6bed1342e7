// Conditions: every function (<, <=, ==, !=, >=, >, includes, excludes) on
// every type of column, as RFC 7047 section 5.1 defines them, and the
// errors for functions a type does not allow.
#include <doctest/doctest.h>

#include "ovsdb/condition.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;

namespace {

const char* const kX = "10000000-0000-0000-0000-000000000000";
const char* const kY = "20000000-0000-0000-0000-000000000000";
const char* const kZ = "30000000-0000-0000-0000-000000000000";

// A Root row with the given column values (others at their defaults).
Row make_row(const TableSchema& ts, const Json& values) {
    Row row = Row::with_defaults(ts, Uuid::random());
    for (auto it = values.begin(); it != values.end(); ++it) {
        const ColumnSchema* c = ts.column(it.key());
        REQUIRE(c);
        auto d = datum_from_json(c->type, it.value());
        REQUIRE_MESSAGE(d.ok(), it.key());
        row.fields[c->index] = *d;
    }
    return row;
}

struct Case {
    const char* column;
    Json value;  // the row's value in 'column'
    const char* function;
    Json arg;
    bool expect;
};

}  // namespace

TEST_CASE("every condition function on every type") {
    Schema schema = test_schema();
    const TableSchema& ts = *schema.table("Root");
    Json empty = Json::parse(R"(["set", []])");
    // Built element by element: nlohmann would read {{"a", 1}} as an object.
    auto list = [](std::initializer_list<Json> elements) {
        Json a = Json::array();
        for (const Json& e : elements) a.push_back(e);
        return a;
    };
    auto set = [&](std::initializer_list<Json> elements) { return Json::array({"set", list(elements)}); };
    auto map = [&](std::initializer_list<Json> pairs) { return Json::array({"map", list(pairs)}); };
    const std::vector<Case> cases = {
        // integer
        {"i", 5, "<", 6, true},
        {"i", 5, "<", 5, false},
        {"i", 5, "<=", 5, true},
        {"i", 5, "<=", 4, false},
        {"i", 5, "==", 5, true},
        {"i", 5, "==", 4, false},
        {"i", 5, "!=", 4, true},
        {"i", 5, "!=", 5, false},
        {"i", 5, ">=", 5, true},
        {"i", 5, ">=", 6, false},
        {"i", 5, ">", 4, true},
        {"i", 5, ">", 5, false},
        {"i", 5, "includes", 5, true},
        {"i", 5, "includes", 4, false},
        {"i", 5, "excludes", 4, true},
        {"i", 5, "excludes", 5, false},
        {"i", -3, "<", 0, true},
        // real (an integer argument is a real)
        {"r", 2.5, "<", 3, true},
        {"r", 2.5, "<", 2.5, false},
        {"r", 2.5, "<=", 2.5, true},
        {"r", 2.5, "<=", 2.4, false},
        {"r", 2.5, "==", 2.5, true},
        {"r", 2.5, "!=", 2.5, false},
        {"r", 2.5, ">=", 2.5, true},
        {"r", 2.5, ">", 2.5, false},
        {"r", 2.5, ">", -1, true},
        {"r", 2.5, "includes", 2.5, true},
        {"r", 2.5, "excludes", 2.5, false},
        {"r", 2.5, "excludes", 1, true},
        // boolean
        {"b", true, "==", true, true},
        {"b", true, "==", false, false},
        {"b", true, "!=", true, false},
        {"b", false, "!=", true, true},
        {"b", true, "includes", true, true},
        {"b", true, "includes", false, false},
        {"b", true, "excludes", false, true},
        {"b", true, "excludes", true, false},
        // string
        {"name", "abc", "==", "abc", true},
        {"name", "abc", "==", "ABC", false},
        {"name", "abc", "!=", "abd", true},
        {"name", "abc", "!=", "abc", false},
        {"name", "abc", "includes", "abc", true},
        {"name", "abc", "includes", "ab", false},
        {"name", "abc", "excludes", "x", true},
        {"name", "abc", "excludes", "abc", false},
        // uuid
        {"u", uuid_json(kX), "==", uuid_json(kX), true},
        {"u", uuid_json(kX), "==", uuid_json(kY), false},
        {"u", uuid_json(kX), "!=", uuid_json(kY), true},
        {"u", uuid_json(kX), "!=", uuid_json(kX), false},
        {"u", uuid_json(kX), "includes", uuid_json(kX), true},
        {"u", uuid_json(kX), "includes", uuid_json(kY), false},
        {"u", uuid_json(kX), "excludes", uuid_json(kY), true},
        {"u", uuid_json(kX), "excludes", uuid_json(kX), false},
        // optional integer, absent: never less or greater than anything
        {"oi", empty, "<", 1, false},
        {"oi", empty, "<=", 1, false},
        {"oi", empty, ">", 1, false},
        {"oi", empty, ">=", 1, false},
        {"oi", empty, "==", empty, true},
        {"oi", empty, "==", 1, false},
        {"oi", empty, "!=", 1, true},
        {"oi", empty, "!=", empty, false},
        {"oi", empty, "includes", empty, true},
        {"oi", empty, "includes", 1, false},
        {"oi", empty, "excludes", 1, true},
        {"oi", empty, "excludes", empty, true},
        // optional integer, present
        {"oi", 3, "<", 4, true},
        {"oi", 3, ">", 4, false},
        {"oi", 3, "==", 3, true},
        {"oi", 3, "==", empty, false},
        {"oi", 3, "!=", empty, true},
        {"oi", 3, "includes", 3, true},
        {"oi", 3, "includes", empty, true},
        {"oi", 3, "excludes", 3, false},
        {"oi", 3, "excludes", 4, true},
        // optional real
        {"or", 0.5, "<=", 0.5, true},
        {"or", 0.5, ">", 0.25, true},
        {"or", empty, ">=", 0, false},
        // set of integers
        {"si", set({1, 2, 3}), "==", set({3, 2, 1}), true},
        {"si", set({1, 2, 3}), "==", set({1, 2}), false},
        {"si", set({1, 2, 3}), "!=", set({1, 2}), true},
        {"si", set({1, 2, 3}), "!=", set({1, 2, 3}), false},
        {"si", set({1, 2, 3}), "includes", set({1, 2}), true},
        {"si", set({1, 2, 3}), "includes", 2, true},
        {"si", set({1, 2, 3}), "includes", set({1, 4}), false},
        {"si", set({1, 2, 3}), "includes", empty, true},
        {"si", set({1, 2, 3}), "excludes", set({4, 5}), true},
        {"si", set({1, 2, 3}), "excludes", set({3, 4}), false},
        {"si", set({1, 2, 3}), "excludes", empty, true},
        {"si", empty, "==", empty, true},
        {"si", empty, "includes", 1, false},
        {"si", empty, "excludes", 1, true},
        // set of reals, strings, booleans, uuids
        {"sr", set({1.5, 2.5}), "includes", 2.5, true},
        {"sr", set({1.5, 2.5}), "excludes", 3, true},
        {"sr", set({1.5, 2.5}), "==", set({2.5, 1.5}), true},
        {"sr", set({1.5, 2.5}), "!=", 1.5, true},
        {"ss", set({"a", "b"}), "includes", "a", true},
        {"ss", set({"a", "b"}), "includes", set({"a", "c"}), false},
        {"ss", set({"a", "b"}), "excludes", "c", true},
        {"ss", set({"a", "b"}), "==", set({"b", "a"}), true},
        {"ss", set({"a", "b"}), "!=", set({"a"}), true},
        {"sb", set({false, true}), "includes", true, true},
        {"sb", set({true}), "includes", false, false},
        {"sb", set({false, true}), "excludes", set({true, false}), false},
        {"sb", set({true}), "excludes", false, true},
        {"sb", set({false, true}), "==", set({true, false}), true},
        {"sb", set({true}), "!=", set({true}), false},
        {"su", set({uuid_json(kX), uuid_json(kY)}), "includes", uuid_json(kX), true},
        {"su", set({uuid_json(kX), uuid_json(kY)}), "includes", set({uuid_json(kX), uuid_json(kZ)}), false},
        {"su", set({uuid_json(kX), uuid_json(kY)}), "excludes", uuid_json(kZ), true},
        {"su", set({uuid_json(kX), uuid_json(kY)}), "==", set({uuid_json(kY), uuid_json(kX)}), true},
        {"su", set({uuid_json(kX)}), "!=", set({uuid_json(kY)}), true},
        // map: elements are key-value pairs
        {"m", map({{"a", 1}, {"b", 2}}), "==", map({{"b", 2}, {"a", 1}}), true},
        {"m", map({{"a", 1}, {"b", 2}}), "==", map({{"a", 1}}), false},
        {"m", map({{"a", 1}, {"b", 2}}), "!=", map({{"a", 1}, {"b", 3}}), true},
        {"m", map({{"a", 1}, {"b", 2}}), "!=", map({{"a", 1}, {"b", 2}}), false},
        {"m", map({{"a", 1}, {"b", 2}}), "includes", map({{"a", 1}}), true},
        {"m", map({{"a", 1}, {"b", 2}}), "includes", map({{"a", 2}}), false},
        {"m", map({{"a", 1}, {"b", 2}}), "includes", map({}), true},
        {"m", map({{"a", 1}, {"b", 2}}), "excludes", map({{"a", 2}}), true},
        {"m", map({{"a", 1}, {"b", 2}}), "excludes", map({{"a", 1}, {"c", 3}}), false},
        {"m", map({}), "excludes", map({{"a", 1}}), true},
        // a set of 1 to 2: "includes" may give fewer, "excludes" any number
        {"s2", set({1, 2}), "includes", empty, true},
        {"s2", set({1, 2}), "excludes", set({3, 4, 5}), true},
        {"s2", set({1, 2}), "excludes", set({2, 4, 5}), false},
        // the built-in columns
        {"_uuid", nullptr, "!=", uuid_json(kX), true},
    };
    for (const Case& c : cases) {
        CAPTURE(c.column);
        CAPTURE(c.function);
        CAPTURE(c.value.dump());
        CAPTURE(c.arg.dump());
        Row row = c.value.is_null() ? make_row(ts, Json::object()) : make_row(ts, Json{{c.column, c.value}});
        auto cond = condition_from_json(ts, Json::array({Json::array({c.column, c.function, c.arg})}));
        REQUIRE_MESSAGE(cond.ok(), (cond.ok() ? "" : cond.error().to_string()));
        CHECK(cond->matches_all(ts, row) == c.expect);
    }
}

TEST_CASE("condition errors: functions a type does not allow, bad clauses, bad arguments") {
    Schema schema = test_schema();
    const TableSchema& ts = *schema.table("Root");
    struct Bad {
        Json clause;
        const char* tag;
        const char* detail;
    };
    const std::vector<Bad> cases = {
        {Json::parse(R"(["name", "<", "a"])"), "syntax error",
         "Type mismatch: \"<\" operator may not be applied to column name of type string."},
        {Json::parse(R"(["b", "<=", true])"), "syntax error", "column b of type boolean"},
        {Json::parse(R"(["u", ">", ["uuid", "10000000-0000-0000-0000-000000000000"]])"), "syntax error",
         "column u of type uuid"},
        {Json::parse(R"(["si", ">=", 1])"), "syntax error", "column si of type set of integers"},
        {Json::parse(R"(["m", ">", 1])"), "syntax error", "map of (string, integer) pairs"},
        {Json::parse(R"(["oi", "<", ["set", []]])"), "syntax error", "exactly one member"},
        {Json::parse(R"(["nope", "==", 1])"), "unknown column", "No column nope in table Root."},
        {Json::parse(R"(["i", "~=", 1])"), "unknown function", "No function named ~=."},
        {Json::parse(R"(["i", "=="])"), "syntax error", "Parse error in condition."},
        {Json::parse(R"([1, "==", 1])"), "syntax error", "Parse error in condition."},
        {Json::parse(R"("i == 1")"), "syntax error", "Parse error in condition."},
        {Json::parse(R"(["i", "==", "1"])"), "syntax error", "expected integer"},
        {Json::parse(R"(["i", "==", ["set", []]])"), "syntax error", "exactly one member"},
        {Json::parse(R"(["s2", "==", ["set", []]])"), "syntax error", "1 to 2 members but 0"},
        {Json::parse(R"(["s2", "includes", ["set", [1, 2, 3]]])"), "syntax error", "0 to 2 members but 3"},
        {Json::parse(R"(["color", "==", "blue"])"), "constraint violation", "not one of the allowed values"},
    };
    for (const Bad& b : cases) {
        CAPTURE(b.clause.dump());
        auto cond = condition_from_json(ts, Json::array({b.clause}));
        REQUIRE_FALSE(cond.ok());
        CHECK(cond.error().tag == b.tag);
        CHECK(cond.error().details.find(b.detail) != std::string::npos);
    }
    auto not_array = condition_from_json(ts, Json::object());
    REQUIRE_FALSE(not_array.ok());
    CHECK(not_array.error().tag == "syntax error");
}

TEST_CASE("conditions: conjunction, boolean clauses, any-match, pinned UUID, JSON") {
    Schema schema = test_schema();
    const TableSchema& ts = *schema.table("Root");
    Row row = make_row(ts, Json{{"i", 5}, {"name", "x"}});
    auto both = condition_from_json(ts, Json::parse(R"([["i", ">", 1], ["name", "==", "x"]])"));
    REQUIRE(both.ok());
    CHECK(both->matches_all(ts, row));
    auto one_fails = condition_from_json(ts, Json::parse(R"([["i", ">", 1], ["name", "==", "y"]])"));
    REQUIRE(one_fails.ok());
    CHECK_FALSE(one_fails->matches_all(ts, row));
    CHECK(one_fails->matches_any(ts, row));
    auto none = condition_from_json(ts, Json::array());
    REQUIRE(none.ok());
    CHECK(none->matches_all(ts, row));

    auto t = condition_from_json(ts, Json::parse("[true]"));
    auto f = condition_from_json(ts, Json::parse("[false]"));
    REQUIRE(t.ok());
    REQUIRE(f.ok());
    CHECK(t->matches_all(ts, row));
    CHECK_FALSE(f->matches_all(ts, row));
    CHECK_FALSE(f->matches_any(ts, row));

    Json pin = Json::array({Json::array({"_uuid", "==", uuid_json(row.uuid().to_string())})});
    auto pinned = condition_from_json(ts, pin);
    REQUIRE(pinned.ok());
    REQUIRE(pinned->pinned_uuid());
    CHECK(*pinned->pinned_uuid() == row.uuid());
    CHECK_FALSE(both->pinned_uuid());
    CHECK(pinned->to_json(ts) == pin);
    CHECK(both->to_json(ts) == Json::parse(R"([["i", ">", 1], ["name", "==", "x"]])"));
    CHECK(t->to_json(ts) == Json::parse("[true]"));
}
