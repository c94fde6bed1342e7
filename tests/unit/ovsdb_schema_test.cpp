// Schema parsing: every kind of invalid schema is rejected with an error
// that names where it is; valid schemas (ours and Open vSwitch's) survive a
// round trip through to_json().
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "ovsdb/schema.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;

namespace {

Json wrap_table(const std::string& table_json) {
    return Json::parse(R"({"name": "D", "tables": {"T": )" + table_json + "}}");
}

Json wrap_column(const std::string& column_json) {
    return wrap_table(R"({"columns": {"c": )" + column_json + "}}");
}

bool same_schema(const Schema& a, const Schema& b) {
    if (a.name != b.name || a.version != b.version || a.cksum != b.cksum || a.tables.size() != b.tables.size())
        return false;
    for (size_t t = 0; t < a.tables.size(); t++) {
        const TableSchema& x = a.tables[t];
        const TableSchema& y = b.tables[t];
        if (x.name != y.name || x.is_root != y.is_root || x.max_rows != y.max_rows || x.indexes != y.indexes ||
            x.columns.size() != y.columns.size())
            return false;
        for (size_t c = 0; c < x.columns.size(); c++) {
            const ColumnSchema& p = x.columns[c];
            const ColumnSchema& q = y.columns[c];
            if (p.name != q.name || !(p.type == q.type) || p.is_mutable != q.is_mutable || p.ephemeral != q.ephemeral ||
                p.persistent != q.persistent)
                return false;
        }
    }
    return true;
}

struct BadSchema {
    const char* what;
    Json json;
    std::vector<const char*> expect;  // substrings of the error text
};

}  // namespace

TEST_CASE("invalid schemas are rejected with an error naming the table and column") {
    const std::vector<BadSchema> cases = {
        {"not an object", Json::array(), {"syntax error", "database schema", "Object expected"}},
        {"missing name", Json::parse(R"({"tables": {}})"), {"Required 'name' member is missing"}},
        {"name not an id", Json::parse(R"({"name": "a b", "tables": {}})"), {"Type mismatch for member 'name'"}},
        {"missing tables", Json::parse(R"({"name": "D"})"), {"Required 'tables'"}},
        {"unknown top-level member",
         Json::parse(R"({"name": "D", "tables": {}, "extra": 1})"),
         {"Member 'extra' is present but not allowed here"}},
        {"bad version",
         Json::parse(R"({"name": "D", "version": "1.2", "tables": {}})"),
         {"schema version \"1.2\" not in format x.y.z"}},
        {"table name reserved",
         Json::parse(R"({"name": "D", "tables": {"_T": {"columns": {"c": {"type": "integer"}}}}})"),
         {"table _T", "reserved"}},
        {"table name not an id",
         Json::parse(R"({"name": "D", "tables": {"1T": {"columns": {"c": {"type": "integer"}}}}})"),
         {"table 1T", "valid id"}},
        {"table without columns", wrap_table(R"({"columns": {}})"), {"table T", "at least one column"}},
        {"unknown table member",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "mutable": false})"),
         {"table T", "Member 'mutable'"}},
        {"maxRows zero",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "maxRows": 0})"),
         {"table T", "maxRows must be at least 1"}},
        {"maxRows not integer",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "maxRows": "x"})"),
         {"table T", "maxRows"}},
        {"isRoot not boolean",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "isRoot": 1})"),
         {"table T", "isRoot"}},
        {"column name reserved",
         wrap_table(R"({"columns": {"_c": {"type": "integer"}}})"),
         {"table T", "column _c", "reserved"}},
        {"column without type", wrap_column(R"({})"), {"table T", "column c", "Required 'type'"}},
        {"unknown column member",
         wrap_column(R"({"type": "integer", "default": 3})"),
         {"table T", "column c", "Member 'default'"}},
        {"unknown atomic type", wrap_column(R"({"type": "float"})"), {"table T", "column c", "Unknown atomic type"}},
        {"min above 1",
         wrap_column(R"({"type": {"key": "integer", "min": 2, "max": 3}})"),
         {"table T", "column c", "constraint checks"}},
        {"max zero",
         wrap_column(R"({"type": {"key": "integer", "min": 0, "max": 0}})"),
         {"table T", "column c", "constraint checks"}},
        {"max below min",
         wrap_column(R"({"type": {"key": "integer", "min": 1, "max": 0}})"),
         {"column c", "constraint checks"}},
        {"max bad string",
         wrap_column(R"({"type": {"key": "integer", "max": "lots"}})"),
         {"column c", "bad min or max value"}},
        {"negative min", wrap_column(R"({"type": {"key": "integer", "min": -1}})"), {"column c", "bad min or max"}},
        {"type missing key", wrap_column(R"({"type": {"value": "integer"}})"), {"column c", "Required 'key'"}},
        {"minInteger above maxInteger",
         wrap_column(R"({"type": {"key": {"type": "integer", "minInteger": 5, "maxInteger": 4}}})"),
         {"column c", "minInteger exceeds maxInteger"}},
        {"minReal above maxReal",
         wrap_column(R"({"type": {"key": {"type": "real", "minReal": 5, "maxReal": 4}}})"),
         {"column c", "minReal exceeds maxReal"}},
        {"minLength above maxLength",
         wrap_column(R"({"type": {"key": {"type": "string", "minLength": 5, "maxLength": 4}}})"),
         {"column c", "minLength exceeds maxLength"}},
        {"negative maxLength",
         wrap_column(R"({"type": {"key": {"type": "string", "maxLength": -1}}})"),
         {"column c", "maxLength out of valid range"}},
        {"constraint of another type",
         wrap_column(R"({"type": {"key": {"type": "string", "minInteger": 1}}})"),
         {"column c", "Member 'minInteger'"}},
        {"enum and range together",
         wrap_column(R"({"type": {"key": {"type": "integer", "enum": ["set", [1, 2]], "maxInteger": 3}}})"),
         {"column c", "Member 'maxInteger'"}},
        {"enum of the wrong type",
         wrap_column(R"({"type": {"key": {"type": "integer", "enum": ["set", ["a"]]}}})"),
         {"column c", "expected integer"}},
        {"enum with duplicates",
         wrap_column(R"({"type": {"key": {"type": "integer", "enum": ["set", [1, 1]]}}})"),
         {"column c", "duplicate"}},
        {"bad refType",
         wrap_column(R"({"type": {"key": {"type": "uuid", "refTable": "T", "refType": "soft"}}})"),
         {"column c", "refType must be"}},
        {"refTable on integer",
         wrap_column(R"({"type": {"key": {"type": "integer", "refTable": "T"}}})"),
         {"column c", "Member 'refTable'"}},
        {"undefined refTable",
         wrap_column(R"({"type": {"key": {"type": "uuid", "refTable": "Nope"}}})"),
         {"table T column c", "undefined table Nope"}},
        {"undefined refTable in value",
         wrap_column(R"({"type": {"key": "string", "value": {"type": "uuid", "refTable": "Nope"}}})"),
         {"table T column c", "value refers to undefined table Nope"}},
        {"ephemeral not boolean", wrap_column(R"({"type": "integer", "ephemeral": "yes"})"), {"column c", "ephemeral"}},
        {"index on unknown column",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "indexes": [["nope"]]})"),
         {"table T", "nope is not a valid column name"}},
        {"empty index",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "indexes": [[]]})"),
         {"table T", "at least one column"}},
        {"index repeats a column",
         wrap_table(R"({"columns": {"c": {"type": "integer"}}, "indexes": [["c", "c"]]})"),
         {"table T", "distinct column names"}},
        {"index on ephemeral column",
         wrap_table(R"({"columns": {"c": {"type": "integer", "ephemeral": true}}, "indexes": [["c"]]})"),
         {"table T", "ephemeral columns (such as c) may not be indexed"}},
    };
    for (const BadSchema& c : cases) {
        CAPTURE(c.what);
        auto s = Schema::from_json(c.json);
        REQUIRE_FALSE(s.ok());
        std::string text = s.error().to_string();
        CAPTURE(text);
        CHECK(s.error().tag == "syntax error");
        for (const char* e : c.expect) CHECK(text.find(e) != std::string::npos);
    }
}

TEST_CASE("a valid schema parses into tables, columns, types and indexes") {
    Schema s = test_schema();
    CHECK(s.name == "T");
    CHECK(s.version == "1.2.3");
    CHECK(s.cksum == "12345 678");
    REQUIRE(s.tables.size() == 6);
    CHECK(s.tables[0].name == "Child");  // sorted by name
    const TableSchema* root = s.table("Root");
    REQUIRE(root);
    CHECK(root->is_root);
    CHECK_FALSE(s.table("Child")->is_root);
    CHECK(s.table("Limited")->max_rows == 2);
    CHECK(root->columns[kUuidColumn].name == "_uuid");
    CHECK(root->columns[kVersionColumn].name == "_version");
    CHECK(root->column("_uuid")->index == kUuidColumn);

    const ColumnSchema* m = root->column("m");
    REQUIRE(m);
    CHECK(m->type.is_map());
    CHECK(m->type.n_min == 0);
    CHECK(m->type.n_max == Type::kUnlimited);
    CHECK(m->type.to_english() == "map of (string, integer) pairs");
    CHECK(root->column("s2")->type.to_english() == "set of 1 to 2 integers");
    CHECK(root->column("sb")->type.to_english() == "set of up to 2 booleans");
    CHECK(root->column("oi")->type.is_optional_scalar());
    CHECK(root->column("i")->type.is_scalar());

    const ColumnSchema* weak = root->column("weak");
    CHECK(weak->type.key.is_weak_ref());
    CHECK(weak->type.key.ref_table == "Child");
    CHECK(root->column("children")->type.key.is_strong_ref());
    CHECK(root->column("color")->type.key.enum_values->size() == 2);
    CHECK(root->column("small")->type.key.max_integer == 10);
    CHECK(root->column("frac")->type.key.min_real == -1.5);
    CHECK(root->column("short")->type.key.max_length == 3);
    CHECK_FALSE(root->column("frozen")->is_mutable);
    CHECK(root->column("eph")->ephemeral);
    CHECK_FALSE(root->column("eph")->persistent);
    REQUIRE(root->indexes.size() == 1);
    CHECK(root->indexes[0] == std::vector<size_t>{root->column("name")->index});
}

TEST_CASE(
    "schema special rules: weak refs are mutable, strong refs to non-roots persist, no root set means all roots") {
    auto s = Schema::from_json(Json::parse(R"({"name": "D", "tables": {
        "A": {"isRoot": true, "columns": {
            "w": {"type": {"key": {"type": "uuid", "refTable": "B", "refType": "weak"}}, "mutable": false},
            "s": {"type": {"key": {"type": "uuid", "refTable": "B"}}, "ephemeral": true}}},
        "B": {"columns": {"x": {"type": "integer"}}}}})"));
    REQUIRE(s.ok());
    CHECK(s->table("A")->column("w")->is_mutable);
    CHECK(s->table("A")->column("s")->ephemeral);
    CHECK(s->table("A")->column("s")->persistent);

    auto all = Schema::from_json(Json::parse(R"({"name": "D", "tables": {
        "A": {"columns": {"x": {"type": "integer"}}}, "B": {"columns": {"x": {"type": "integer"}}}}})"));
    REQUIRE(all.ok());
    CHECK(all->table("A")->is_root);
    CHECK(all->table("B")->is_root);
    // Written back without isRoot, as it came.
    CHECK_FALSE(all->to_json()["tables"]["A"].contains("isRoot"));
}

TEST_CASE("schema JSON round trip") {
    Json original = test_schema_json();
    Schema s = test_schema();
    Json back = s.to_json();
    CHECK(back == original);
    auto again = Schema::from_json(back);
    REQUIRE(again.ok());
    CHECK(again->to_json() == back);
    CHECK(same_schema(s, *again));
    // Any difference shows.
    Json changed = original;
    changed["tables"]["Root"]["columns"]["si"]["type"]["max"] = 5;
    CHECK_FALSE(same_schema(s, *Schema::from_json(changed)));
}

TEST_CASE("Open vSwitch's vswitch.ovsschema parses and round-trips") {
    std::ifstream in("/usr/share/openvswitch/vswitch.ovsschema");
    if (!in) {
        MESSAGE("SKIPPED: /usr/share/openvswitch/vswitch.ovsschema not installed");
        return;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    Json original = Json::parse(ss.str());
    auto s = Schema::from_json(original);
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
    CHECK(s->name == "Open_vSwitch");
    CHECK(s->table("Bridge"));
    CHECK(s->table("Open_vSwitch")->max_rows == 1);
    CHECK(s->table("Bridge")->column("ports")->type.key.ref_table == "Port");
    // That file is not in canonical form ("max": 1, {"type": "string"}),
    // so compare what it means: the schema read back from our JSON.
    auto back = Schema::from_json(s->to_json());
    REQUIRE(back.ok());
    CHECK(same_schema(*s, *back));
    CHECK(back->to_json() == s->to_json());
}
