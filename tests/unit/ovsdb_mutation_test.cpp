// Mutations: every mutator on the types RFC 7047 allows it, its results,
// and its errors ("domain error", "range error", "constraint violation",
// type mismatches).
#include <doctest/doctest.h>

#include "ovsdb/mutation.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;

namespace {

struct Case {
    const char* column;
    Json initial;
    const char* mutator;
    Json arg;
    Json expect;           // the column's value afterwards, when it succeeds
    const char* tag = "";  // the error, when it fails
};

}  // namespace

TEST_CASE("every mutator: results and errors") {
    Schema schema = test_schema();
    const TableSchema& ts = *schema.table("Root");
    // Built element by element: nlohmann would read {{"a", 1}} as an object.
    auto list = [](std::initializer_list<Json> elements) {
        Json a = Json::array();
        for (const Json& e : elements) a.push_back(e);
        return a;
    };
    auto set = [&](std::initializer_list<Json> elements) { return Json::array({"set", list(elements)}); };
    auto map = [&](std::initializer_list<Json> pairs) { return Json::array({"map", list(pairs)}); };
    Json empty = set({});
    const int64_t max = INT64_MAX, min = INT64_MIN;
    const std::vector<Case> cases = {
        // integers
        {"i", 5, "+=", 3, 8},
        {"i", 5, "-=", 7, -2},
        {"i", 5, "*=", 3, 15},
        {"i", 7, "/=", 2, 3},
        {"i", -7, "/=", 2, -3},
        {"i", 7, "%=", 3, 1},
        {"i", -7, "%=", 3, -1},
        {"i", 7, "%=", -3, 1},
        {"i", 5, "/=", 0, nullptr, "domain error"},
        {"i", 5, "%=", 0, nullptr, "domain error"},
        {"i", max, "+=", 1, nullptr, "range error"},
        {"i", min, "-=", 1, nullptr, "range error"},
        {"i", max, "*=", 2, nullptr, "range error"},
        {"i", min, "/=", -1, nullptr, "range error"},
        {"i", min, "%=", -1, nullptr, "range error"},
        {"i", 5, "+=", 1.5, nullptr, "syntax error"},
        // reals
        {"r", 2.5, "+=", 1, 3.5},
        {"r", 2.5, "-=", 0.5, 2.0},
        {"r", 2.5, "*=", 2, 5.0},
        {"r", 2.5, "/=", 2, 1.25},
        {"r", 2.5, "/=", 0, nullptr, "domain error"},
        {"r", 1e308, "*=", 10, nullptr, "range error"},
        {"r", -1e308, "-=", 1e308, nullptr, "range error"},
        {"r", 2.5, "%=", 2, nullptr, "syntax error"},
        // optional numbers: an absent value stays absent
        {"oi", empty, "+=", 1, empty},
        {"oi", 4, "+=", 1, 5},
        {"or", 0.5, "*=", 3, 1.5},
        // constraints hold for results; sets must stay sets
        {"small", set({1, 2}), "+=", 3, set({4, 5})},
        {"small", set({1, 2}), "+=", 9, nullptr, "constraint violation"},
        {"small", set({1, 2}), "*=", 0, nullptr, "constraint violation"},
        {"small", set({2, 3}), "%=", 1, nullptr, "constraint violation"},
        {"small", set({2, 4}), "/=", 2, set({1, 2})},
        {"small", set({6}), "-=", 1, 5},
        {"frac", 1.0, "+=", 1, nullptr, "constraint violation"},
        {"sr", set({1.5, 2.5}), "-=", 1, set({0.5, 1.5})},
        // insert and delete on sets
        {"si", set({1, 2}), "insert", set({2, 3}), set({1, 2, 3})},
        {"si", set({1, 2}), "insert", 7, set({1, 2, 7})},
        {"si", set({1, 2}), "delete", set({1, 5}), 2},
        {"si", set({1, 2}), "delete", empty, set({1, 2})},
        {"ss", empty, "insert", "x", "x"},
        {"ss", set({"x", "y"}), "delete", "y", "x"},
        {"oi", empty, "insert", 3, 3},
        {"oi", 3, "insert", 4, nullptr, "constraint violation"},
        {"s2", set({1}), "insert", set({2, 3}), nullptr, "constraint violation"},
        {"s2", set({1}), "insert", set({1, 2, 3}), nullptr, "syntax error"},
        {"s2", set({1}), "delete", 1, nullptr, "constraint violation"},
        {"s2", set({1, 2}), "delete", set({1, 2, 3, 4}), nullptr, "constraint violation"},
        {"s2", set({1, 2}), "delete", set({2, 3, 4}), 1},
        {"color", empty, "insert", "blue", nullptr, "constraint violation"},
        {"color", empty, "insert", "red", "red"},
        // insert and delete on maps: insert keeps existing keys' values;
        // delete takes pairs (which must match) or keys
        {"m", map({{"a", 1}}), "insert", map({{"a", 5}, {"b", 2}}), map({{"a", 1}, {"b", 2}})},
        {"m", map({{"a", 1}}), "delete", map({{"a", 2}}), map({{"a", 1}})},
        {"m", map({{"a", 1}, {"b", 2}}), "delete", map({{"a", 1}}), map({{"b", 2}})},
        {"m", map({{"a", 1}, {"b", 2}}), "delete", set({"a", "b"}), map({})},
        {"m", map({{"a", 1}}), "delete", "a", map({})},
        {"m", map({{"a", 1}}), "insert", set({"a"}), nullptr, "syntax error"},
        // mutators a type does not take
        {"name", "x", "+=", "y", nullptr, "syntax error"},
        {"b", true, "*=", 1, nullptr, "syntax error"},
        {"u", uuid_json("10000000-0000-0000-0000-000000000000"), "+=", 1, nullptr, "syntax error"},
        {"m", map({{"a", 1}}), "+=", 1, nullptr, "syntax error"},
        {"i", 1, "insert", 1, nullptr, "syntax error"},
        {"b", true, "delete", true, nullptr, "syntax error"},
        {"ss", empty, "+=", 1, nullptr, "syntax error"},
        {"si", empty, "%=", 1.5, nullptr, "syntax error"},
        // immutable columns, unknown mutators and columns
        {"frozen", "x", "insert", "y", nullptr, "constraint violation"},
        {"_uuid", nullptr, "+=", 1, nullptr, "constraint violation"},
        {"_version", nullptr, "delete", 1, nullptr, "constraint violation"},
        {"i", 1, "^=", 1, nullptr, "unknown mutator"},
        {"nope", nullptr, "+=", 1, nullptr, "unknown column"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.column);
        CAPTURE(c.mutator);
        CAPTURE(c.initial.dump());
        CAPTURE(c.arg.dump());
        Row row = Row::with_defaults(ts, Uuid::random());
        const ColumnSchema* column = ts.column(c.column);
        if (column && !c.initial.is_null()) {
            auto d = datum_from_json(column->type, c.initial);
            REQUIRE(d.ok());
            row.fields[column->index] = *d;
        }
        auto mutations = mutations_from_json(ts, Json::array({Json::array({c.column, c.mutator, c.arg})}));
        DbStatus status;
        if (!mutations.ok()) {
            status = mutations.error();
        } else {
            status = apply_mutations(ts, row, *mutations);
        }
        if (*c.tag) {
            REQUIRE_FALSE(status.ok());
            CHECK(status.error().tag == c.tag);
            continue;
        }
        REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().to_string()));
        CHECK(datum_to_json(row.fields[column->index], column->type) == c.expect);
    }
}

TEST_CASE("mutations apply in order and report where they failed") {
    Schema schema = test_schema();
    const TableSchema& ts = *schema.table("Root");
    Row row = Row::with_defaults(ts, Uuid::random());
    auto m = mutations_from_json(ts, Json::parse(R"([["i", "+=", 5], ["i", "*=", 3], ["si", "insert", 1]])"));
    REQUIRE(m.ok());
    REQUIRE(apply_mutations(ts, row, *m).ok());
    CHECK(std::get<int64_t>(row.fields[ts.column("i")->index].keys[0]) == 15);
    CHECK(row.fields[ts.column("si")->index].size() == 1);

    auto range = apply_mutations(ts, row, *mutations_from_json(ts, Json::parse(R"([["i", "/=", 0]])")));
    REQUIRE_FALSE(range.ok());
    CHECK(range.error().details == "Division by zero.");
    auto over = mutations_from_json(ts, Json::parse(R"([["i", "+=", 9223372036854775807]])"));
    REQUIRE(over.ok());
    auto s = apply_mutations(ts, row, *over);
    REQUIRE_FALSE(s.ok());
    CHECK(s.error().details == "Result of \"+=\" operation is out of range.");
    auto not_array = mutations_from_json(ts, Json::parse(R"(["i", "+=", 1])"));
    REQUIRE_FALSE(not_array.ok());
    CHECK(not_array.error().details.find("Parse error in mutation.") != std::string::npos);
}
