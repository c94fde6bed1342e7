// Atoms and datums: the RFC 7047 JSON notation both ways, type checking
// with its error tags, defaults, diffs, and set algebra.
#include <doctest/doctest.h>

#include <set>

#include "ovsdb/datum.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;

namespace {

Type type_of(const char* json) {
    auto t = type_from_json(Json::parse(json));
    REQUIRE_MESSAGE(t.ok(), json);
    return *t;
}

Datum parse_ok(const Type& type, const Json& j) {
    auto d = datum_from_json(type, j);
    REQUIRE_MESSAGE(d.ok(), (d.ok() ? "" : d.error().to_string()));
    return *d;
}

}  // namespace

TEST_CASE("UUIDs parse, print, compare, and are random version 4") {
    auto u = Uuid::parse("550E8400-e29b-41d4-A716-446655440000");
    REQUIRE(u);
    CHECK(u->to_string() == "550e8400-e29b-41d4-a716-446655440000");
    for (const char* bad : {"", "550e8400-e29b-41d4-a716-44665544000", "550e8400-e29b-41d4-a716-4466554400000",
                            "550e8400xe29b-41d4-a716-446655440000", "g50e8400-e29b-41d4-a716-446655440000"})
        CHECK_FALSE(Uuid::parse(bad));
    CHECK(*Uuid::parse("00000000-0000-0000-0000-000000000001") < *Uuid::parse("10000000-0000-0000-0000-000000000000"));
    CHECK(Uuid{}.is_zero());
    std::set<Uuid> seen;
    for (int i = 0; i < 1000; i++) {
        Uuid r = Uuid::random();
        CHECK((r.bytes[6] >> 4) == 4);
        CHECK((r.bytes[8] & 0xc0) == 0x80);
        seen.insert(r);
    }
    CHECK(seen.size() == 1000);
}

TEST_CASE("datum JSON round trips, canonicalized") {
    struct Case {
        const char* type;
        const char* in;
        const char* out;
    };
    const std::vector<Case> cases = {
        {R"("integer")", "42", "42"},
        {R"("integer")", "-9223372036854775808", "-9223372036854775808"},
        {R"("real")", "1.5", "1.5"},
        {R"("real")", "3", "3.0"},  // an integer is a valid real
        {R"("boolean")", "true", "true"},
        {R"("string")", R"("h\u00e9llo \"x\"")", R"("héllo \"x\"")"},
        {R"("uuid")", R"(["uuid", "550E8400-E29B-41D4-A716-446655440000"])",
         R"(["uuid","550e8400-e29b-41d4-a716-446655440000"])"},
        {R"({"key": "integer", "min": 0})", R"(["set", []])", R"(["set",[]])"},
        {R"({"key": "integer", "min": 0})", "7", "7"},
        {R"({"key": "integer", "min": 0})", R"(["set", [7]])", "7"},
        {R"({"key": "integer", "min": 0, "max": "unlimited"})", R"(["set", [3, -1, 2]])", R"(["set",[-1,2,3]])"},
        {R"({"key": "string", "min": 0, "max": "unlimited"})", R"("a")", R"("a")"},
        {R"({"key": "string", "min": 0, "max": "unlimited"})", R"(["set", ["b", "B", "a"]])",
         R"(["set",["B","a","b"]])"},
        {R"({"key": "boolean", "min": 0, "max": 2})", R"(["set", [true, false]])", R"(["set",[false,true]])"},
        {R"({"key": "real", "min": 0, "max": "unlimited"})", R"(["set", [2.5, 1]])", R"(["set",[1.0,2.5]])"},
        {R"({"key": "uuid", "min": 0, "max": "unlimited"})",
         R"(["set", [["uuid", "20000000-0000-0000-0000-000000000000"], ["uuid", "10000000-0000-0000-0000-000000000000"]]])",
         R"(["set",[["uuid","10000000-0000-0000-0000-000000000000"],["uuid","20000000-0000-0000-0000-000000000000"]]])"},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map", [["b", 2], ["a", 1]]])",
         R"(["map",[["a",1],["b",2]]])"},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map", []])", R"(["map",[]])"},
        {R"({"key": "integer", "value": "string"})", R"(["map", [[1, "x"]]])", R"(["map",[[1,"x"]]])"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.type);
        CAPTURE(c.in);
        Type type = type_of(c.type);
        Datum d = parse_ok(type, Json::parse(c.in));
        Json out = datum_to_json(d, type);
        CHECK(out.dump() == c.out);
        CHECK(parse_ok(type, out) == d);
    }
}

TEST_CASE("datum type errors carry RFC 7047 error tags") {
    struct Case {
        const char* type;
        const char* json;
        const char* tag;
        const char* detail;
    };
    const std::vector<Case> cases = {
        {R"("integer")", R"("1")", "syntax error", "expected integer"},
        {R"("integer")", "1.5", "syntax error", "expected integer"},
        {R"("integer")", "9223372036854775808", "syntax error", "out of range"},
        {R"("real")", R"("1")", "syntax error", "expected real"},
        {R"("boolean")", "1", "syntax error", "expected boolean"},
        {R"("string")", "1", "syntax error", "expected string"},
        {R"("uuid")", R"("550e8400-e29b-41d4-a716-446655440000")", "syntax error", "expected [\"uuid\""},
        {R"("uuid")", R"(["uuid", "nope"])", "syntax error", "is not a valid UUID"},
        {R"("uuid")", R"(["named-uuid", "x"])", "syntax error", "expected [\"uuid\""},
        {R"("uuid")", R"(["uuid", "550e8400-e29b-41d4-a716-446655440000", 1])", "syntax error", "expected"},
        {R"("integer")", R"(["set", []])", "syntax error", "must have exactly one member but 0 are present"},
        {R"("integer")", R"(["set", [1, 2]])", "syntax error", "exactly one member but 2"},
        {R"({"key": "boolean", "min": 0, "max": 2})", R"(["set", [true, false, true]])", "syntax error",
         "set must have 0 to 2 members but 3 are present"},
        {R"({"key": "integer", "min": 0, "max": "unlimited"})", R"(["set", [1, 1]])", "syntax error",
         "set contains duplicate"},
        {R"({"key": "integer", "min": 0, "max": "unlimited"})", R"(["set", 1])", "syntax error", "expected [\"set\""},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map", [["a", 1], ["a", 2]]])",
         "syntax error", "map contains duplicate key"},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["set", [["a", 1]]])",
         "syntax error", "expected [\"map\""},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map", [["a"]]])",
         "syntax error", "2-element array"},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map", [["a", "b"]]])",
         "syntax error", "expected integer"},
        {R"({"key": {"type": "string", "enum": ["set", ["red", "green"]]}})", R"("blue")", "constraint violation",
         "\"blue\" is not one of the allowed values ([\"green\", \"red\"])"},
        {R"({"key": {"type": "integer", "enum": 3}})", "4", "constraint violation",
         "4 is not one of the allowed values (3)"},
        {R"({"key": {"type": "integer", "minInteger": 0, "maxInteger": 10}})", "11", "constraint violation",
         "11 is not in the valid range 0 to 10 (inclusive)"},
        {R"({"key": {"type": "integer", "minInteger": 0}})", "-1", "constraint violation",
         "-1 is less than minimum allowed value 0"},
        {R"({"key": {"type": "integer", "maxInteger": 5}})", "6", "constraint violation",
         "6 is greater than maximum allowed value 5"},
        {R"({"key": {"type": "real", "minReal": -1.5, "maxReal": 1.5}})", "1.75", "constraint violation",
         "not in the valid range"},
        {R"({"key": {"type": "real", "minReal": 0}})", "-0.5", "constraint violation", "less than minimum"},
        {R"({"key": {"type": "string", "minLength": 1, "maxLength": 3}})", R"("")", "constraint violation",
         "\"\" length 0 is less than minimum allowed length 1"},
        {R"({"key": {"type": "string", "minLength": 1, "maxLength": 3}})", R"("abcd")", "constraint violation",
         "\"abcd\" length 4 is greater than maximum allowed length 3"},
        {R"({"key": {"type": "string", "maxLength": 3}, "value": "integer"})", R"(["map", [["abcd", 1]]])",
         "constraint violation", "length 4"},
        {R"({"key": "string", "value": {"type": "integer", "maxInteger": 1}})", R"(["map", [["a", 2]]])",
         "constraint violation", "2 is greater than maximum allowed value 1"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.type);
        CAPTURE(c.json);
        auto d = datum_from_json(type_of(c.type), Json::parse(c.json));
        REQUIRE_FALSE(d.ok());
        CHECK(d.error().tag == c.tag);
        CHECK(d.error().details.find(c.detail) != std::string::npos);
    }
}

TEST_CASE("string lengths count UTF-8 characters, and invalid UTF-8 is a constraint violation") {
    Type t = type_of(R"({"key": {"type": "string", "maxLength": 3}})");
    CHECK(datum_from_json(t, Json("\xc3\xa4\xc3\xb6\xc3\xbc")).ok());  // 3 characters, 6 bytes
    CHECK(utf8_length("\xe2\x82\xac\xf0\x9f\x98\x80") == 2u);
    for (const char* bad : {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"}) {
        CAPTURE(bad);
        CHECK_FALSE(utf8_length(bad));
        auto s = check_atom_constraints(Atom(std::string(bad)), BaseType(AtomicType::String));
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().tag == "constraint violation");
    }
}

TEST_CASE("named UUIDs resolve only through a resolver") {
    Type t = type_of(R"("uuid")");
    Uuid target = Uuid::random();
    NameResolver names = [&](const std::string& n) -> DbResult<Uuid> {
        if (n == "row1") return target;
        return db_error(tag::kSyntax, "unknown name {}", n);
    };
    auto d = datum_from_json(t, Json::parse(R"(["named-uuid", "row1"])"), &names);
    REQUIRE(d.ok());
    CHECK(std::get<Uuid>(d->keys[0]) == target);
    auto bad = datum_from_json(t, Json::parse(R"(["named-uuid", "row2"])"), &names);
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().details.find("row2") != std::string::npos);
    auto not_id = datum_from_json(t, Json::parse(R"(["named-uuid", "1x"])"), &names);
    REQUIRE_FALSE(not_id.ok());
    CHECK(not_id.error().details.find("not a valid <id>") != std::string::npos);
}

TEST_CASE("default values per type (RFC 7047 section 5.2.1)") {
    struct Case {
        const char* type;
        const char* json;
    };
    const std::vector<Case> cases = {
        {R"("integer")", "0"},
        {R"("real")", "0.0"},
        {R"("boolean")", "false"},
        {R"("string")", R"("")"},
        {R"("uuid")", R"(["uuid","00000000-0000-0000-0000-000000000000"])"},
        {R"({"key": "integer", "min": 0})", R"(["set",[]])"},
        {R"({"key": "string", "max": "unlimited"})", R"("")"},
        {R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})", R"(["map",[]])"},
        {R"({"key": "string", "value": "real"})", R"(["map",[["",0.0]]])"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.type);
        Type t = type_of(c.type);
        Datum d = Datum::default_for(t);
        CHECK(datum_to_json(d, t).dump() == c.json);
        CHECK(datum_is_default(d, t));
    }
    CHECK_FALSE(datum_is_default(Datum::scalar(int64_t{1}), type_of(R"("integer")")));
}

TEST_CASE("datum diffs, as update2 and file records carry them, apply back") {
    struct Case {
        const char* type;
        const char* old_value;
        const char* new_value;
        const char* diff;
    };
    const std::vector<Case> cases = {
        {R"({"key": "integer", "min": 0, "max": "unlimited"})", R"(["set", [1, 2, 3]])", R"(["set", [2, 3, 4]])",
         R"(["set",[1,4]])"},
        {R"({"key": "integer", "min": 0, "max": "unlimited"})", R"(["set", []])", R"(["set", [5]])", "5"},
        {R"({"key": "string", "value": "string", "min": 0, "max": "unlimited"})",
         R"(["map", [["a", "1"], ["b", "2"], ["c", "3"]]])", R"(["map", [["b", "2"], ["c", "30"], ["d", "4"]]])",
         R"(["map",[["a","1"],["c","30"],["d","4"]]])"},
        {R"("integer")", "1", "2", "2"},
        {R"({"key": "integer", "min": 0})", "1", R"(["set", []])", R"(["set",[]])"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.old_value);
        CAPTURE(c.new_value);
        Type t = type_of(c.type);
        Type relaxed = t;
        relaxed.n_min = 0;
        relaxed.n_max = Type::kUnlimited;
        Datum old_d = parse_ok(t, Json::parse(c.old_value));
        Datum new_d = parse_ok(t, Json::parse(c.new_value));
        Datum diff = datum_diff(old_d, new_d, t);
        CHECK(datum_to_json(diff, relaxed).dump() == c.diff);
        auto applied = datum_apply_diff(old_d, diff, t);
        REQUIRE(applied.ok());
        CHECK(*applied == new_d);
    }
    // A diff whose result breaks the column's size is refused.
    Type two = type_of(R"({"key": "integer", "max": 2})");
    auto too_many = datum_apply_diff(
        parse_ok(two, Json::parse(R"(["set", [1, 2]])")),
        parse_ok(type_of(R"({"key": "integer", "min": 0, "max": "unlimited"})"), Json::parse(R"(["set", [3]])")), two);
    CHECK_FALSE(too_many.ok());
}

TEST_CASE("set algebra: includes, excludes, union, subtract") {
    Type set = type_of(R"({"key": "integer", "min": 0, "max": "unlimited"})");
    Type map = type_of(R"({"key": "string", "value": "integer", "min": 0, "max": "unlimited"})");
    Datum s123 = parse_ok(set, Json::parse(R"(["set", [1, 2, 3]])"));
    Datum s12 = parse_ok(set, Json::parse(R"(["set", [1, 2]])"));
    Datum s45 = parse_ok(set, Json::parse(R"(["set", [4, 5]])"));
    CHECK(datum_includes_all(s12, s123));
    CHECK_FALSE(datum_includes_all(s123, s12));
    CHECK(datum_excludes_all(s45, s123));
    CHECK_FALSE(datum_excludes_all(s12, s123));

    Datum m = parse_ok(map, Json::parse(R"(["map", [["a", 1], ["b", 2]]])"));
    CHECK(datum_includes_all(parse_ok(map, Json::parse(R"(["map", [["a", 1]]])")), m));
    CHECK_FALSE(datum_includes_all(parse_ok(map, Json::parse(R"(["map", [["a", 2]]])")), m));
    CHECK(datum_excludes_all(parse_ok(map, Json::parse(R"(["map", [["a", 2]]])")), m));

    Datum u = s12;
    datum_union(u, s45);
    CHECK(datum_to_json(u, set).dump() == "[\"set\",[1,2,4,5]]");
    Datum mu = m;
    datum_union(mu, parse_ok(map, Json::parse(R"(["map", [["a", 9], ["c", 3]]])")));
    CHECK(datum_to_json(mu, map).dump() == R"(["map",[["a",1],["b",2],["c",3]]])");  // "a" keeps its value

    Datum d = s123;
    datum_subtract(d, s12);
    CHECK(datum_to_json(d, set).dump() == "3");
    Datum md = m;
    datum_subtract(md, parse_ok(map, Json::parse(R"(["map", [["a", 9], ["b", 2]]])")));
    CHECK(datum_to_json(md, map).dump() == R"(["map",[["a",1]]])");  // pairs must match
    datum_subtract(md, parse_ok(type_of(R"({"key": "string", "min": 0, "max": "unlimited"})"), Json("a")));
    CHECK(md.empty());  // keys alone match
}

TEST_CASE("datum conversion between types") {
    Type i = type_of(R"("integer")");
    Type r = type_of(R"("real")");
    Type s = type_of(R"("string")");
    Type set = type_of(R"({"key": "integer", "min": 0, "max": "unlimited"})");
    Type small = type_of(R"({"key": {"type": "integer", "maxInteger": 5}})");
    auto to_real = datum_convert(Datum::scalar(int64_t{3}), i, r);
    REQUIRE(to_real.ok());
    CHECK(std::get<double>(to_real->keys[0]) == 3.0);
    CHECK_FALSE(datum_convert(Datum::scalar(std::string("x")), s, i).ok());
    CHECK(datum_convert(parse_ok(set, Json::parse("[\"set\", [4]]")), set, i).ok());
    CHECK_FALSE(datum_convert(parse_ok(set, Json::parse("[\"set\", [4, 5]]")), set, i).ok());
    CHECK_FALSE(datum_convert(Datum::scalar(int64_t{9}), i, small).ok());
}
