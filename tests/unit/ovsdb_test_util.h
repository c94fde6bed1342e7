// Helpers shared by the OVSDB unit tests: a schema that has every kind of
// column, and short ways to run transactions and read their results.
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "ovsdb/database.h"

namespace xvs::ovsdb::test {

// Root: every atomic type, optional/set/map columns, strong and weak
// references, constraints, an immutable and an ephemeral column, and a
// unique index on "name". Child and Grandchild are not roots (garbage
// collected); Limited has maxRows 2; WeakOne needs at least one weak
// reference; Pair has a two-column index.
inline Json test_schema_json() {
    return Json::parse(R"({
  "name": "T", "version": "1.2.3", "cksum": "12345 678",
  "tables": {
    "Root": {
      "isRoot": true,
      "columns": {
        "name": {"type": "string"},
        "i": {"type": "integer"},
        "r": {"type": "real"},
        "b": {"type": "boolean"},
        "u": {"type": "uuid"},
        "oi": {"type": {"key": "integer", "min": 0}},
        "or": {"type": {"key": "real", "min": 0}},
        "si": {"type": {"key": "integer", "min": 0, "max": "unlimited"}},
        "sr": {"type": {"key": "real", "min": 0, "max": "unlimited"}},
        "ss": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
        "sb": {"type": {"key": "boolean", "min": 0, "max": 2}},
        "su": {"type": {"key": "uuid", "min": 0, "max": "unlimited"}},
        "s2": {"type": {"key": "integer", "max": 2}},
        "m": {"type": {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}},
        "children": {"type": {"key": {"type": "uuid", "refTable": "Child"}, "min": 0, "max": "unlimited"}},
        "child": {"type": {"key": {"type": "uuid", "refTable": "Child"}, "min": 0}},
        "weak": {"type": {"key": {"type": "uuid", "refTable": "Child", "refType": "weak"},
                          "min": 0, "max": "unlimited"}},
        "color": {"type": {"key": {"type": "string", "enum": ["set", ["green", "red"]]}, "min": 0}},
        "small": {"type": {"key": {"type": "integer", "minInteger": 0, "maxInteger": 10}, "min": 0, "max": "unlimited"}},
        "frac": {"type": {"key": {"type": "real", "minReal": -1.5, "maxReal": 1.5}, "min": 0}},
        "short": {"type": {"key": {"type": "string", "minLength": 1, "maxLength": 3}, "min": 0}},
        "frozen": {"type": "string", "mutable": false},
        "eph": {"type": "integer", "ephemeral": true}
      },
      "indexes": [["name"]]
    },
    "Child": {
      "columns": {
        "name": {"type": "string"},
        "grandchild": {"type": {"key": {"type": "uuid", "refTable": "Grandchild"}, "min": 0}},
        "peer": {"type": {"key": {"type": "uuid", "refTable": "Child"}, "min": 0}}
      }
    },
    "Grandchild": {"columns": {"v": {"type": "integer"}}},
    "Limited": {"isRoot": true, "maxRows": 2, "columns": {"x": {"type": "integer"}}},
    "WeakOne": {"isRoot": true, "columns": {
        "w": {"type": {"key": {"type": "uuid", "refTable": "Child", "refType": "weak"}, "max": "unlimited"}}}},
    "Pair": {"isRoot": true, "columns": {"a": {"type": "integer"}, "b": {"type": "integer"}},
             "indexes": [["a", "b"]]}
  }
})");
}

inline Schema test_schema() {
    auto s = Schema::from_json(test_schema_json());
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.error().to_string()));
    return std::move(*s);
}

// Runs ["T", ops...] and returns the whole TransactResult.
inline TransactResult run(Database& db, const Json& ops, const ExecuteOptions& options = {}) {
    Json params = Json::array({db.schema().name});
    for (const Json& op : ops) params.push_back(op);
    return db.execute(params, options);
}

// Runs ["T", ops...] and returns the result array (which must be Done).
inline Json tx(Database& db, const Json& ops, const ExecuteOptions& options = {}) {
    auto r = run(db, ops, options);
    REQUIRE(r.kind == TransactResult::Kind::Done);
    return r.reply;
}

// The "error" of the first error object in a result array, or "".
inline std::string first_error(const Json& results) {
    for (const Json& r : results)
        if (r.is_object() && r.contains("error")) return r["error"].get<std::string>();
    return "";
}

// Runs ops that must all succeed and commit.
inline Json ok(Database& db, const Json& ops) {
    Json r = tx(db, ops);
    INFO(r.dump());
    REQUIRE(first_error(r).empty());
    REQUIRE(r.size() == ops.size());
    return r;
}

inline Json insert_op(const std::string& table, Json row, const std::string& uuid_name = "") {
    Json op = {{"op", "insert"}, {"table", table}, {"row", std::move(row)}};
    if (!uuid_name.empty()) op["uuid-name"] = uuid_name;
    return op;
}

inline Json select_all(const std::string& table, Json columns = nullptr, Json where = Json::array()) {
    Json op = {{"op", "select"}, {"table", table}, {"where", std::move(where)}};
    if (!columns.is_null()) op["columns"] = std::move(columns);
    return op;
}

inline Json uuid_json(const std::string& s) {
    return Json::array({"uuid", s});
}
inline Json named(const std::string& s) {
    return Json::array({"named-uuid", s});
}

// Inserts one row and returns its UUID text.
inline std::string insert(Database& db, const std::string& table, Json row) {
    Json r = ok(db, Json::array({insert_op(table, std::move(row))}));
    return r[0]["uuid"][1].get<std::string>();
}

inline size_t count_rows(const Database& db, const std::string& table) {
    return db.table(*db.schema().table_index(table)).rows.size();
}

}  // namespace xvs::ovsdb::test
