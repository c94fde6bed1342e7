// RFC 7047 "transact": every operation, every error name, atomicity, named
// UUIDs, strong and weak references with garbage collection, unique
// indexes, maxRows, and the change sets commits produce.
#include <doctest/doctest.h>

#include "ovsdb/database.h"
#include "ovsdb/transaction.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;

namespace {

Json where_name(const std::string& name) {
    return Json::array({Json::array({"name", "==", name})});
}

Json select_names(Database& db, const std::string& table = "Root") {
    Json r = ok(db, Json::array({select_all(table, Json::array({"name"}))}));
    Json names = Json::array();
    for (const Json& row : r[0]["rows"]) names.push_back(row["name"]);
    std::sort(names.begin(), names.end());
    return names;
}

Json get_row(Database& db, const std::string& table, const std::string& uuid) {
    Json where = Json::array({Json::array({"_uuid", "==", uuid_json(uuid)})});
    Json r = ok(db, Json::array({select_all(table, nullptr, where)}));
    REQUIRE(r[0]["rows"].size() == 1);
    return r[0]["rows"][0];
}

}  // namespace

TEST_CASE("insert then select returns every column, with _uuid and _version") {
    Database db(test_schema());
    Json r = ok(db, Json::array({insert_op("Root", Json::parse(R"({
        "name": "a", "i": 7, "r": 1.5, "b": true, "si": ["set", [3, 1]], "m": ["map", [["k", 1]]],
        "color": "red", "frozen": "ice", "eph": 3})"))}));
    REQUIRE(r[0]["uuid"][0] == "uuid");
    std::string uuid = r[0]["uuid"][1];
    Json row = get_row(db, "Root", uuid);
    CHECK(row["_uuid"] == uuid_json(uuid));
    CHECK(row["_version"][0] == "uuid");
    CHECK(row["_version"][1] != "00000000-0000-0000-0000-000000000000");
    CHECK(row["name"] == "a");
    CHECK(row["i"] == 7);
    CHECK(row["r"] == 1.5);
    CHECK(row["b"] == true);
    CHECK(row["si"] == Json::parse(R"(["set", [1, 3]])"));
    CHECK(row["m"] == Json::parse(R"(["map", [["k", 1]]])"));
    CHECK(row["color"] == "red");
    CHECK(row["frozen"] == "ice");
    CHECK(row["eph"] == 3);
    // Columns not given take their defaults.
    CHECK(row["u"] == uuid_json("00000000-0000-0000-0000-000000000000"));
    CHECK(row["oi"] == Json::parse(R"(["set", []])"));
    CHECK(row["ss"] == Json::parse(R"(["set", []])"));
    CHECK(row["s2"] == 0);
    CHECK(count_rows(db, "Root") == 1);
}

TEST_CASE("insert with a caller-chosen uuid (OVS extension)") {
    Database db(test_schema());
    const std::string u = "12345678-1234-4234-8234-123456789abc";
    Json op = insert_op("Root", Json{{"name", "a"}});
    op["uuid"] = u;
    Json r = ok(db, Json::array({op}));
    CHECK(r[0]["uuid"] == uuid_json(u));
    CHECK(get_row(db, "Root", u)["name"] == "a");

    Json again = insert_op("Root", Json{{"name", "b"}});
    again["uuid"] = u;
    CHECK(first_error(tx(db, Json::array({again}))) == "duplicate uuid");
    Json bad = insert_op("Root", Json{{"name", "b"}});
    bad["uuid"] = "not-a-uuid";
    CHECK(first_error(tx(db, Json::array({bad}))) == "syntax error");
    // A UUID deleted in this transaction may not come back in it.
    Json del = {{"op", "delete"}, {"table", "Root"}, {"where", where_name("a")}};
    CHECK(first_error(tx(db, Json::array({del, again}))) == "duplicate uuid");
}

TEST_CASE("select: where, columns, sort, and rows seen within the transaction") {
    Database db(test_schema());
    for (int i = 0; i < 5; i++) insert(db, "Root", Json{{"name", "n" + std::to_string(i)}, {"i", 10 - i}});
    Json r = ok(db, Json::array({{{"op", "select"},
                                  {"table", "Root"},
                                  {"where", Json::parse(R"([["i", ">=", 7]])")},
                                  {"columns", Json::array({"name", "i"})},
                                  {"sort", Json::array({"i"})}}}));
    Json rows = r[0]["rows"];
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == Json{{"name", "n3"}, {"i", 7}});
    CHECK(rows[3] == Json{{"name", "n0"}, {"i", 10}});
    // Rows identical in the selected columns are reported once.
    Json same = ok(db, Json::array({select_all("Root", Json::array({"b"}))}));
    CHECK(same[0]["rows"] == Json::parse(R"([{"b": false}])"));
    // A select sees what earlier operations of the transaction did.
    Json seen = ok(
        db,
        Json::array({insert_op("Root", Json{{"name", "new"}}),
                     {{"op", "update"}, {"table", "Root"}, {"where", where_name("n0")}, {"row", {{"name", "renamed"}}}},
                     select_all("Root", Json::array({"name"}), Json::parse(R"([["name", "!=", "n1"]])"))}));
    Json names = Json::array();
    for (const Json& row : seen[2]["rows"]) names.push_back(row["name"]);
    std::sort(names.begin(), names.end());
    CHECK(names == Json::parse(R"(["n2", "n3", "n4", "new", "renamed"])"));
    // Bad column lists.
    CHECK(first_error(tx(db, Json::array({select_all("Root", Json::array({"nope"}))}))) == "syntax error");
    CHECK(first_error(tx(db, Json::array({select_all("Root", Json::array({"name", "name"}))}))) == "syntax error");
}

TEST_CASE("update: count, _version, immutable columns") {
    Database db(test_schema());
    std::string a = insert(db, "Root", Json{{"name", "a"}, {"i", 1}});
    insert(db, "Root", Json{{"name", "b"}, {"i", 1}});
    Json version_before = get_row(db, "Root", a)["_version"];
    Json r = ok(db, Json::array({{{"op", "update"},
                                  {"table", "Root"},
                                  {"where", Json::parse(R"([["i", "==", 1]])")},
                                  {"row", {{"r", 2.5}}}}}));
    CHECK(r[0] == Json{{"count", 2}});
    Json row = get_row(db, "Root", a);
    CHECK(row["r"] == 2.5);
    CHECK(row["_version"] != version_before);
    Json none =
        ok(db, Json::array({{{"op", "update"}, {"table", "Root"}, {"where", where_name("zzz")}, {"row", {{"r", 1}}}}}));
    CHECK(none[0] == Json{{"count", 0}});

    Json immutable = tx(
        db, Json::array({{{"op", "update"}, {"table", "Root"}, {"where", Json::array()}, {"row", {{"frozen", "x"}}}}}));
    CHECK(first_error(immutable) == "constraint violation");
    CHECK(immutable[0]["details"].get<std::string>().find("Cannot update immutable column frozen") !=
          std::string::npos);
    CHECK(first_error(tx(db, Json::array({{{"op", "update"},
                                           {"table", "Root"},
                                           {"where", Json::array()},
                                           {"row", {{"_uuid", uuid_json(a)}}}}}))) == "constraint violation");
    CHECK(first_error(
              tx(db, Json::array(
                         {{{"op", "update"}, {"table", "Root"}, {"where", Json::array()}, {"row", {{"nope", 1}}}}}))) ==
          "unknown column");
}

TEST_CASE("mutate and delete through transact") {
    Database db(test_schema());
    insert(db, "Root", Json{{"name", "a"}, {"i", 1}, {"si", Json::parse(R"(["set", [1]])")}});
    insert(db, "Root", Json{{"name", "b"}, {"i", 2}});
    Json r =
        ok(db, Json::array({{{"op", "mutate"},
                             {"table", "Root"},
                             {"where", Json::array()},
                             {"mutations", Json::parse(R"([["i", "+=", 10], ["si", "insert", ["set", [5]]]])")}}}));
    CHECK(r[0] == Json{{"count", 2}});
    CHECK(select_names(db) == Json::parse(R"(["a", "b"])"));
    Json rows = ok(db, Json::array({select_all("Root", Json::array({"i", "si"}), where_name("a"))}))[0]["rows"];
    CHECK(rows[0] == Json::parse(R"({"i": 11, "si": ["set", [1, 5]]})"));
    // No mutations: just a count.
    Json counted = ok(db, Json::array({{{"op", "mutate"},
                                        {"table", "Root"},
                                        {"where", Json::parse(R"([["i", ">", 11]])")},
                                        {"mutations", Json::array()}}}));
    CHECK(counted[0] == Json{{"count", 1}});
    // A failing mutation on any row fails the transaction.
    Json failed = tx(db, Json::array({{{"op", "mutate"},
                                       {"table", "Root"},
                                       {"where", Json::array()},
                                       {"mutations", Json::parse(R"([["i", "/=", 0]])")}}}));
    CHECK(first_error(failed) == "domain error");
    Json del = ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("a")}}}));
    CHECK(del[0] == Json{{"count", 1}});
    CHECK(select_names(db) == Json::parse(R"(["b"])"));
    Json del_none = ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("a")}}}));
    CHECK(del_none[0] == Json{{"count", 0}});
}

TEST_CASE("wait: satisfied, blocked, and timed out") {
    Database db(test_schema());
    insert(db, "Root", Json{{"name", "a"}, {"i", 1}});
    auto wait = [](const char* until, Json rows, Json timeout = nullptr) {
        Json op = {{"op", "wait"},
                   {"table", "Root"},
                   {"where", Json::parse(R"([["i", "==", 1]])")},
                   {"columns", Json::array({"name"})},
                   {"until", until},
                   {"rows", std::move(rows)}};
        if (!timeout.is_null()) op["timeout"] = timeout;
        return op;
    };
    Json have_a = Json::parse(R"([{"name": "a"}])");
    Json have_b = Json::parse(R"([{"name": "b"}])");

    // Satisfied: the rest of the transaction runs and commits.
    Json r = ok(db, Json::array({wait("==", have_a, 0), insert_op("Root", Json{{"name", "c"}})}));
    CHECK(r[0] == Json::object());
    CHECK(count_rows(db, "Root") == 2);
    CHECK(ok(db, Json::array({wait("!=", have_b, 0)}))[0] == Json::object());

    // Unsatisfied with timeout 0: fails at once.
    Json timed_out = tx(db, Json::array({insert_op("Root", Json{{"name", "d"}}), wait("==", have_b, 0)}));
    CHECK(first_error(timed_out) == "timed out");
    CHECK(timed_out[1]["details"] == "\"where\" clause test failed");
    CHECK(count_rows(db, "Root") == 2);

    // Unsatisfied without a timeout: the request blocks until retried.
    auto blocked = run(db, Json::array({wait("==", have_b)}));
    CHECK(blocked.kind == TransactResult::Kind::Blocked);
    CHECK_FALSE(blocked.timeout_ms);

    // A caller that cannot retry gets "not supported" instead.
    ExecuteOptions one_shot;
    one_shot.can_block = false;
    Json unsupported = tx(db, Json::array({wait("==", have_b, 1000)}), one_shot);
    CHECK(first_error(unsupported) == "not supported");

    // With a timeout: blocked until that much time has passed, then fails.
    auto later = run(db, Json::array({wait("==", have_b, 5000), wait("==", have_b, 1000)}));
    CHECK(later.kind == TransactResult::Kind::Blocked);
    REQUIRE(later.timeout_ms);
    CHECK(*later.timeout_ms == 5000);  // the first wait blocks before the second is seen
    ExecuteOptions elapsed;
    elapsed.elapsed_ms = 5000;
    auto expired = run(db, Json::array({wait("==", have_b, 5000)}), elapsed);
    REQUIRE(expired.kind == TransactResult::Kind::Done);
    CHECK(first_error(expired.reply) == "timed out");
    CHECK(expired.reply[0]["details"] == "\"wait\" timed out after 5000 ms");

    // Once another transaction makes it true, the retry succeeds.
    ok(db, Json::array({{{"op", "update"}, {"table", "Root"}, {"where", where_name("a")}, {"row", {{"name", "b"}}}}}));
    CHECK(run(db, Json::array({wait("==", have_b)})).kind == TransactResult::Kind::Done);

    // Malformed waits.
    CHECK(first_error(tx(db, Json::array({wait("<", have_b, 0)}))) == "syntax error");
    CHECK(first_error(tx(db, Json::array({wait("==", have_b, -1)}))) == "syntax error");
    Json no_rows = wait("==", have_b, 0);
    no_rows.erase("rows");
    CHECK(first_error(tx(db, Json::array({no_rows}))) == "syntax error");
}

TEST_CASE("commit, abort, comment, assert") {
    Database db(test_schema());
    auto r = run(db, Json::array({insert_op("Root", Json{{"name", "a"}}),
                                  {{"op", "commit"}, {"durable", true}},
                                  {{"op", "comment"}, {"comment", "first"}},
                                  {{"op", "comment"}, {"comment", "second"}}}));
    REQUIRE(r.kind == TransactResult::Kind::Done);
    REQUIRE(r.changes);
    CHECK(r.changes->durable);
    CHECK(r.changes->comment == "first\nsecond");
    CHECK(r.reply[1] == Json::object());
    CHECK(first_error(tx(db, Json::array({{{"op", "commit"}}}))) == "syntax error");

    Json aborted = tx(
        db, Json::array(
                {insert_op("Root", Json{{"name", "b"}}), {{"op", "abort"}}, insert_op("Root", Json{{"name", "c"}})}));
    REQUIRE(aborted.size() == 3);
    CHECK(aborted[0].contains("uuid"));
    CHECK(aborted[1]["error"] == "aborted");
    CHECK(aborted[2].is_null());
    CHECK(select_names(db) == Json::parse(R"(["a"])"));

    Json assert_op = {{"op", "assert"}, {"lock", "my_lock"}};
    Json not_owner = tx(db, Json::array({assert_op, insert_op("Root", Json{{"name", "z"}})}));
    CHECK(not_owner[0]["error"] == "not owner");
    CHECK(not_owner[0]["details"] == "Asserted lock my_lock not held.");
    ExecuteOptions owner;
    std::string asked;
    owner.owns_lock = [&](const std::string& lock) {
        asked = lock;
        return lock == "my_lock";
    };
    CHECK(first_error(tx(db, Json::array({assert_op, insert_op("Root", Json{{"name", "z"}})}), owner)).empty());
    CHECK(asked == "my_lock");
    CHECK(first_error(tx(db, Json::array({{{"op", "assert"}, {"lock", "other"}}}), owner)) == "not owner");
}

namespace {

class FailingLog : public CommitLog {
public:
    xvs::Status write(const TxnChanges&) override { return xvs::make_error("disk on fire"); }
};

}  // namespace

TEST_CASE("every error name, each from the situation RFC 7047 gives it") {
    struct Case {
        const char* name;
        Json ops;
        const char* tag;
    };
    const std::string child = "ffffffff-0000-4000-8000-000000000000";
    const std::vector<Case> cases = {
        {"malformed operation", Json::parse(R"([{"op": "select", "table": "Root"}])"), "syntax error"},
        {"unknown operation", Json::parse(R"([{"op": "frobnicate"}])"), "syntax error"},
        {"unknown table", Json::parse(R"([{"op": "select", "table": "Nope", "where": []}])"), "syntax error"},
        {"extra member", Json::parse(R"([{"op": "delete", "table": "Root", "where": [], "x": 1}])"), "syntax error"},
        {"unknown column", Json::parse(R"([{"op": "insert", "table": "Root", "row": {"nope": 1}}])"), "unknown column"},
        {"unknown function", Json::parse(R"([{"op": "select", "table": "Root", "where": [["i", "=~", 1]]}])"),
         "unknown function"},
        {"unknown mutator",
         Json::parse(R"([{"op": "mutate", "table": "Root", "where": [], "mutations": [["i", "**", 1]]}])"),
         "unknown mutator"},
        {"constraint violation", Json::parse(R"([{"op": "insert", "table": "Root", "row": {"color": "blue"}}])"),
         "constraint violation"},
        {"referential integrity violation",
         Json::parse(R"([{"op": "insert", "table": "Root", "row": {"child": ["uuid", ")" + child + R"("]}}])"),
         "referential integrity violation"},
        {"duplicate uuid-name", Json::parse(R"([{"op": "insert", "table": "Root", "row": {}, "uuid-name": "x"},
                                                {"op": "insert", "table": "Root", "row": {}, "uuid-name": "x"}])"),
         "duplicate uuid-name"},
        {"domain error", Json::parse(R"([{"op": "insert", "table": "Root", "row": {"name": "q"}},
                                         {"op": "mutate", "table": "Root", "where": [], "mutations": [["i", "%=", 0]]}])"),
         "domain error"},
        {"range error",
         Json::parse(R"([{"op": "insert", "table": "Root", "row": {"name": "q", "i": 9223372036854775807}},
                         {"op": "mutate", "table": "Root", "where": [], "mutations": [["i", "+=", 1]]}])"),
         "range error"},
        {"timed out", Json::parse(R"([{"op": "wait", "table": "Root", "where": [], "until": "!=", "rows": [],
                                       "timeout": 0}])"),
         "timed out"},
        {"aborted", Json::parse(R"([{"op": "abort"}])"), "aborted"},
        {"not owner", Json::parse(R"([{"op": "assert", "lock": "l"}])"), "not owner"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Database db(test_schema());
        Json r = tx(db, c.ops);
        CHECK(first_error(r) == c.tag);
        CHECK(count_rows(db, "Root") == 0);
    }

    Database db(test_schema());
    auto unknown_db = db.execute(Json::parse(R"(["Other", {"op": "select", "table": "Root", "where": []}])"));
    CHECK(unknown_db.kind == TransactResult::Kind::RpcError);
    CHECK(unknown_db.reply["error"] == "unknown database");
    auto not_array = db.execute(Json::object());
    CHECK(not_array.kind == TransactResult::Kind::RpcError);
    CHECK(not_array.reply["error"] == "syntax error");
    auto no_name = db.execute(Json::array({1}));
    CHECK(no_name.reply["error"] == "syntax error");

    ExecuteOptions read_only;
    read_only.read_only = true;
    CHECK(first_error(tx(db, Json::array({insert_op("Root", Json::object())}), read_only)) == "not allowed");
    CHECK(first_error(tx(db, Json::array({select_all("Root")}), read_only)).empty());

    FailingLog log;
    db.set_commit_log(&log);
    Json io = tx(db, Json::array({insert_op("Root", Json{{"name", "a"}})}));
    REQUIRE(io.size() == 2);
    CHECK(io[1]["error"] == "I/O error");
    CHECK(io[1]["details"] == "disk on fire");
    CHECK(count_rows(db, "Root") == 0);
    db.set_commit_log(nullptr);
}

TEST_CASE("atomicity: a failing operation or commit rolls back everything before it") {
    Database db(test_schema());
    insert(db, "Root", Json{{"name", "keep"}, {"i", 1}});
    Json r = tx(db, Json::array({insert_op("Root", Json{{"name", "x"}}),
                                 {{"op", "update"}, {"table", "Root"}, {"where", Json::array()}, {"row", {{"i", 2}}}},
                                 {{"op", "delete"}, {"table", "Root"}, {"where", where_name("keep")}},
                                 insert_op("Root", Json{{"color", "purple"}}),
                                 insert_op("Root", Json{{"name", "y"}})}));
    REQUIRE(r.size() == 5);
    CHECK(r[0].contains("uuid"));
    CHECK(r[1] == Json{{"count", 2}});
    CHECK(r[2] == Json{{"count", 1}});
    CHECK(r[3]["error"] == "constraint violation");
    CHECK(r[4].is_null());
    CHECK(select_names(db) == Json::parse(R"(["keep"])"));
    CHECK(ok(db, Json::array({select_all("Root", Json::array({"i"}))}))[0]["rows"][0]["i"] == 1);

    // Every operation succeeds but the commit fails: one extra result.
    Uuid before = db.last_txn_id();
    Json commit_fail =
        tx(db, Json::array({insert_op("Root", Json{{"name", "dup"}}), insert_op("Root", Json{{"name", "dup"}})}));
    REQUIRE(commit_fail.size() == 3);
    CHECK(commit_fail[0].contains("uuid"));
    CHECK(commit_fail[1].contains("uuid"));
    CHECK(commit_fail[2]["error"] == "constraint violation");
    CHECK(select_names(db) == Json::parse(R"(["keep"])"));
    CHECK(db.last_txn_id() == before);
}

TEST_CASE("named UUIDs resolve across the whole transaction") {
    Database db(test_schema());
    // The root refers to the child before the child's insert, by name, in
    // a set and in a scalar column.
    Json r = ok(
        db,
        Json::array({insert_op("Root", Json{{"name", "p"},
                                            {"children", Json::array({"set", Json::array({named("c1"), named("c2")})})},
                                            {"child", named("c1")}}),
                     insert_op("Child", Json{{"name", "one"}}, "c1"),
                     insert_op("Child", Json{{"name", "two"}, {"peer", named("c1")}}, "c2"),
                     {{"op", "select"},
                      {"table", "Child"},
                      {"where", Json::array({Json::array({"_uuid", "==", named("c2")})})},
                      {"columns", Json::array({"name", "peer"})}}}));
    std::string c1 = r[1]["uuid"][1], c2 = r[2]["uuid"][1];
    Json root = get_row(db, "Root", r[0]["uuid"][1]);
    CHECK(root["child"] == uuid_json(c1));
    Json expected_children =
        Json::array({"set", Json::array({uuid_json(std::min(c1, c2)), uuid_json(std::max(c1, c2))})});
    CHECK(root["children"] == expected_children);
    CHECK(r[3]["rows"] == Json::array({{{"name", "two"}, {"peer", uuid_json(c1)}}}));

    // With "uuid", the name stands for the chosen UUID.
    const std::string chosen = "abcdef01-2345-4678-89ab-cdef01234567";
    Json named_insert = insert_op("Child", Json{{"name", "three"}}, "c3");
    named_insert["uuid"] = chosen;
    Json r2 = ok(db, Json::array({{{"op", "mutate"},
                                   {"table", "Root"},
                                   {"where", where_name("p")},
                                   {"mutations", Json::array({Json::array({"children", "insert", named("c3")})})}},
                                  named_insert}));
    CHECK(r2[1]["uuid"] == uuid_json(chosen));
    CHECK(get_row(db, "Root", r[0]["uuid"][1])["children"][1].size() == 3);

    // A name no insert defines is an error; so is defining one twice.
    Json undefined = tx(db, Json::array({insert_op("Root", Json{{"name", "q"}, {"u", named("ghost")}})}));
    CHECK(first_error(undefined) == "syntax error");
    CHECK(undefined[0]["details"].get<std::string>().find("ghost") != std::string::npos);
    CHECK(first_error(tx(db, Json::array({insert_op("Child", Json::object(), "d"),
                                          insert_op("Child", Json::object(), "d")}))) == "duplicate uuid-name");
}

TEST_CASE("strong references: integrity, and garbage collection of non-root rows") {
    Database db(test_schema());
    // An unreferenced non-root row is collected as soon as it commits.
    auto lonely = run(db, Json::array({insert_op("Child", Json{{"name", "lonely"}})}));
    REQUIRE(first_error(lonely.reply).empty());
    CHECK(count_rows(db, "Child") == 0);
    CHECK_FALSE(lonely.changes);  // inserted and collected: nothing happened

    // A root keeps a child, which keeps a grandchild.
    Json r = ok(
        db, Json::array({insert_op("Root", Json{{"name", "p"}, {"child", named("c")}}),
                         insert_op("Child", Json{{"name", "c"}, {"grandchild", named("g")}, {"peer", named("c")}}, "c"),
                         insert_op("Grandchild", Json{{"v", 1}}, "g")}));
    std::string root = r[0]["uuid"][1], child = r[1]["uuid"][1], grandchild = r[2]["uuid"][1];
    CHECK(count_rows(db, "Child") == 1);
    CHECK(count_rows(db, "Grandchild") == 1);
    const size_t child_t = *db.schema().table_index("Child");
    CHECK(db.table(child_t).strong_refs.at(*Uuid::parse(child)) == 1);  // the self-reference does not count

    // Deleting a referenced row is refused.
    Json refused = tx(db, Json::array({{{"op", "delete"}, {"table", "Child"}, {"where", Json::array()}}}));
    CHECK(first_error(refused) == "referential integrity violation");
    CHECK(refused.back()["details"].get<std::string>().find("because of 1 remaining reference(s)") !=
          std::string::npos);
    // Referring to a row that does not exist is refused.
    Json dangling = tx(db, Json::array({{{"op", "update"},
                                         {"table", "Root"},
                                         {"where", Json::array()},
                                         {"row", {{"child", uuid_json("00000000-0000-4000-8000-000000000001")}}}}}));
    CHECK(first_error(dangling) == "referential integrity violation");
    CHECK(dangling.back()["details"].get<std::string>().find("references nonexistent row") != std::string::npos);
    CHECK(count_rows(db, "Child") == 1);

    // Dropping the reference collects the child, then the grandchild.
    auto dropped = run(db, Json::array({{{"op", "update"},
                                         {"table", "Root"},
                                         {"where", Json::array()},
                                         {"row", {{"child", Json::parse(R"(["set", []])")}}}}}));
    REQUIRE(dropped.changes);
    CHECK(count_rows(db, "Child") == 0);
    CHECK(count_rows(db, "Grandchild") == 0);
    const TableChanges* gone = dropped.changes->find(*db.schema().table_index("Grandchild"));
    REQUIRE(gone);
    CHECK(gone->rows.at(*Uuid::parse(grandchild)).kind() == RowChange::Kind::Delete);

    // Deleting a root collects what only it referenced.
    Json r2 = ok(db, Json::array({insert_op("Root", Json{{"name", "q"}, {"children", named("a")}}),
                                  insert_op("Child", Json{{"name", "a"}}, "a"),
                                  insert_op("Root", Json{{"name", "s"}, {"child", named("b")}}),
                                  insert_op("Child", Json{{"name", "b"}}, "b")}));
    CHECK(count_rows(db, "Child") == 2);
    ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("q")}}}));
    CHECK(select_names(db, "Child") == Json::parse(R"(["b"])"));
    // A child referenced twice survives losing one reference.
    ok(db,
       Json::array({{{"op", "mutate"},
                     {"table", "Root"},
                     {"where", where_name("p")},
                     {"mutations", Json::array({Json::array({"children", "insert", uuid_json(r2[3]["uuid"][1])})})}}}));
    ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("s")}}}));
    CHECK(select_names(db, "Child") == Json::parse(R"(["b"])"));
    (void)root;
}

TEST_CASE("weak references to deleted or missing rows disappear") {
    Database db(test_schema());
    // Two children kept alive by one root; another root refers to them weakly.
    Json r = ok(
        db,
        Json::array({insert_op("Root", Json{{"name", "owner"},
                                            {"children", Json::array({"set", Json::array({named("a"), named("b")})})}}),
                     insert_op("Child", Json{{"name", "a"}}, "a"), insert_op("Child", Json{{"name", "b"}}, "b"),
                     insert_op("Root", Json{{"name", "watcher"},
                                            {"weak", Json::array({"set", Json::array({named("a"), named("b")})})}}),
                     insert_op("WeakOne", Json{{"w", named("a")}})}));
    std::string a = r[1]["uuid"][1], b = r[2]["uuid"][1], watcher = r[3]["uuid"][1];
    CHECK(get_row(db, "Root", watcher)["weak"][1].size() == 2);
    // Weak references do not keep rows: dropping "b" from the owner
    // collects it, and the watcher's reference goes with it.
    auto dropped =
        run(db, Json::array({{{"op", "mutate"},
                              {"table", "Root"},
                              {"where", where_name("owner")},
                              {"mutations", Json::array({Json::array({"children", "delete", uuid_json(b)})})}}}));
    REQUIRE(dropped.changes);
    CHECK(select_names(db, "Child") == Json::parse(R"(["a"])"));
    CHECK(get_row(db, "Root", watcher)["weak"] == uuid_json(a));
    const TableChanges* roots = dropped.changes->find(*db.schema().table_index("Root"));
    REQUIRE(roots);
    CHECK(roots->rows.count(*Uuid::parse(watcher)));  // the watcher changed too

    // A weak reference to a row that does not exist is dropped silently.
    ok(db,
       Json::array({{{"op", "mutate"},
                     {"table", "Root"},
                     {"where", where_name("watcher")},
                     {"mutations", Json::array({Json::array(
                                       {"weak", "insert", uuid_json("00000000-0000-4000-8000-000000000009")})})}}}));
    CHECK(get_row(db, "Root", watcher)["weak"] == uuid_json(a));

    // Unless the column may not be empty: WeakOne needs at least one.
    Json refused =
        tx(db, Json::array({{{"op", "mutate"},
                             {"table", "Root"},
                             {"where", where_name("owner")},
                             {"mutations", Json::array({Json::array({"children", "delete", uuid_json(a)})})}}}));
    CHECK(first_error(refused) == "constraint violation");
    CHECK(refused.back()["details"].get<std::string>().find("caused this column to become empty") != std::string::npos);
    CHECK(select_names(db, "Child") == Json::parse(R"(["a"])"));
    // Inserting WeakOne with the default (all-zeros) reference fails the same way.
    CHECK(first_error(tx(db, Json::array({insert_op("WeakOne", Json::object())}))) == "constraint violation");
}

TEST_CASE("weak references to a row removed by a delete operation disappear") {
    // Found by the property test: rows a transaction did not touch lost
    // their weak references only to rows that garbage collection removed,
    // not to rows a "delete" operation removed.
    Database db(test_schema());
    Json r = ok(db, Json::array({insert_op("Root", Json{{"name", "owner"}, {"children", named("c")}}),
                                 insert_op("Child", Json{{"name", "c"}}, "c")}));
    std::string c = r[1]["uuid"][1];
    std::string watcher = insert(db, "Root", Json{{"name", "watcher"}, {"weak", uuid_json(c)}});
    insert(db, "WeakOne", Json{{"w", uuid_json(c)}});
    // The owner lets the child go and the same transaction deletes it.
    Json drop_child = Json::array(
        {{{"op", "mutate"},
          {"table", "Root"},
          {"where", where_name("owner")},
          {"mutations", Json::array({Json::array({"children", "delete", uuid_json(c)})})}},
         {{"op", "delete"}, {"table", "Child"}, {"where", Json::array({Json::array({"_uuid", "==", uuid_json(c)})})}}});
    // WeakOne's only reference would go, which its column forbids...
    CHECK(first_error(tx(db, drop_child)) == "constraint violation");
    CHECK(count_rows(db, "Child") == 1);
    // ...and without WeakOne the watcher's reference goes.
    ok(db, Json::array({{{"op", "delete"}, {"table", "WeakOne"}, {"where", Json::array()}}}));
    ok(db, drop_child);
    CHECK(count_rows(db, "Child") == 0);
    CHECK(get_row(db, "Root", watcher)["weak"] == Json::parse(R"(["set", []])"));
}

TEST_CASE("unique indexes") {
    Database db(test_schema());
    insert(db, "Root", Json{{"name", "a"}});
    insert(db, "Root", Json{{"name", "b"}});
    Json dup = tx(db, Json::array({insert_op("Root", Json{{"name", "a"}})}));
    REQUIRE(dup.size() == 2);
    CHECK(dup[1]["error"] == "constraint violation");
    std::string details = dup[1]["details"];
    CHECK(details.find("multiple rows in \"Root\" table to have identical values (\"a\") for index on columns name") !=
          std::string::npos);
    CHECK(details.find("was inserted by this transaction") != std::string::npos);
    // Renaming onto an existing name, too.
    CHECK(
        first_error(tx(
            db, Json::array(
                    {{{"op", "update"}, {"table", "Root"}, {"where", where_name("b")}, {"row", {{"name", "a"}}}}}))) ==
        "constraint violation");
    // Swapping two names in one transaction is fine, and so is reusing a
    // name freed in the same transaction.
    ok(db,
       Json::array({{{"op", "update"}, {"table", "Root"}, {"where", where_name("a")}, {"row", {{"name", "tmp"}}}},
                    {{"op", "update"}, {"table", "Root"}, {"where", where_name("b")}, {"row", {{"name", "a"}}}},
                    {{"op", "update"}, {"table", "Root"}, {"where", where_name("tmp")}, {"row", {{"name", "b"}}}}}));
    ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("a")}},
                        insert_op("Root", Json{{"name", "a"}})}));
    CHECK(select_names(db) == Json::parse(R"(["a", "b"])"));
    // A multi-column index compares all its columns.
    ok(db, Json::array({insert_op("Pair", Json{{"a", 1}, {"b", 1}}), insert_op("Pair", Json{{"a", 1}, {"b", 2}})}));
    Json pair_dup = tx(db, Json::array({insert_op("Pair", Json{{"a", 1}, {"b", 2}})}));
    CHECK(first_error(pair_dup) == "constraint violation");
    CHECK(pair_dup.back()["details"].get<std::string>().find("(1, 2) for index on columns a, b") != std::string::npos);
}

TEST_CASE("maxRows") {
    Database db(test_schema());
    ok(db, Json::array({insert_op("Limited", Json{{"x", 1}}), insert_op("Limited", Json{{"x", 2}})}));
    Json over = tx(db, Json::array({insert_op("Limited", Json{{"x", 3}})}));
    CHECK(first_error(over) == "constraint violation");
    CHECK(over.back()["details"] ==
          "transaction causes \"Limited\" table to contain 3 rows, greater than the schema-defined limit of 2 row(s)");
    ok(db, Json::array({{{"op", "delete"}, {"table", "Limited"}, {"where", Json::parse(R"([["x", "==", 1]])")}},
                        insert_op("Limited", Json{{"x", 3}})}));
    CHECK(count_rows(db, "Limited") == 2);
}

TEST_CASE("defaults must satisfy constraints at insert") {
    auto schema = Schema::from_json(Json::parse(R"({"name": "E", "tables": {"E": {"columns": {
        "mode": {"type": {"key": {"type": "string", "enum": ["set", ["a", "b"]]}}}}}}})"));
    REQUIRE(schema.ok());
    Database db(std::move(*schema));
    Json r = db.execute(Json::parse(R"(["E", {"op": "insert", "table": "E", "row": {}}])")).reply;
    CHECK(r[0]["error"] == "constraint violation");
    CHECK(r[0]["details"].get<std::string>().find("column mode") != std::string::npos);
    Json fine = db.execute(Json::parse(R"(["E", {"op": "insert", "table": "E", "row": {"mode": "a"}}])")).reply;
    CHECK(fine.size() == 1);
    CHECK(fine[0].contains("uuid"));
}

TEST_CASE("change sets: inserts, modifications, deletions, and their update formats") {
    Database db(test_schema());
    std::vector<std::shared_ptr<const TxnChanges>> heard;
    size_t id = db.add_listener([&](const std::shared_ptr<const TxnChanges>& c) { heard.push_back(c); });
    auto ins = run(
        db,
        Json::array(
            {insert_op("Root", Json{{"name", "a"}, {"i", 1}, {"m", Json::parse(R"(["map", [["x", 1], ["y", 2]]])")}}),
             insert_op("Root", Json{{"name", "b"}})}));
    REQUIRE(ins.changes);
    REQUIRE(heard.size() == 1);
    CHECK(heard[0] == ins.changes);
    CHECK(db.last_txn_id() == ins.changes->txn_id);
    CHECK(ins.changes->date_ms > 0);
    const size_t root_t = *db.schema().table_index("Root");
    const TableSchema& ts = db.schema().tables[root_t];
    REQUIRE(ins.changes->tables.size() == 1);
    CHECK(ins.changes->tables[0].table == root_t);
    CHECK(ins.changes->tables[0].rows.size() == 2);
    Uuid a = *Uuid::parse(ins.reply[0]["uuid"][1].get<std::string>());
    const RowChange& inserted = ins.changes->tables[0].rows.at(a);
    CHECK(inserted.kind() == RowChange::Kind::Insert);
    CHECK_FALSE(inserted.old_row);
    CHECK(inserted.new_row->uuid() == a);

    std::vector<size_t> cols = {ts.column("name")->index, ts.column("i")->index, ts.column("m")->index};
    CHECK(*row_update_json(ts, inserted, UpdateStyle::Update, cols) ==
          Json::parse(R"({"new": {"name": "a", "i": 1, "m": ["map", [["x", 1], ["y", 2]]]}})"));
    CHECK(*row_update_json(ts, inserted, UpdateStyle::Update2, cols) ==
          Json::parse(R"({"insert": {"name": "a", "i": 1, "m": ["map", [["x", 1], ["y", 2]]]}})"));
    const RowChange& b_insert = ins.changes->tables[0].rows.begin()->first == a
                                    ? std::next(ins.changes->tables[0].rows.begin())->second
                                    : ins.changes->tables[0].rows.begin()->second;
    // update2 leaves out default values.
    CHECK(*row_update_json(ts, b_insert, UpdateStyle::Update2, cols) == Json::parse(R"({"insert": {"name": "b"}})"));

    auto mod = run(
        db,
        Json::array(
            {{{"op", "mutate"},
              {"table", "Root"},
              {"where", where_name("a")},
              {"mutations",
               Json::parse(
                   R"([["m", "delete", ["set", ["x"]]], ["m", "insert", ["map", [["z", 3]]]], ["i", "+=", 1]])")}}}));
    REQUIRE(mod.changes);
    const RowChange& modified = mod.changes->tables[0].rows.at(a);
    CHECK(modified.kind() == RowChange::Kind::Modify);
    CHECK(modified.changed[ts.column("m")->index]);
    CHECK(modified.changed[ts.column("i")->index]);
    CHECK_FALSE(modified.changed[ts.column("name")->index]);
    CHECK(modified.changed[kVersionColumn]);
    CHECK(modified.old_row->version() != modified.new_row->version());
    CHECK(*row_update_json(ts, modified, UpdateStyle::Update, cols) ==
          Json::parse(R"({"old": {"i": 1, "m": ["map", [["x", 1], ["y", 2]]]},
                          "new": {"name": "a", "i": 2, "m": ["map", [["y", 2], ["z", 3]]]}})"));
    CHECK(*row_update_json(ts, modified, UpdateStyle::Update2, cols) ==
          Json::parse(R"({"modify": {"i": 2, "m": ["map", [["x", 1], ["z", 3]]]}})"));
    // A change only to columns a monitor does not watch is no update for it.
    std::vector<size_t> name_only = {ts.column("name")->index};
    CHECK_FALSE(row_update_json(ts, modified, UpdateStyle::Update, name_only));
    CHECK_FALSE(row_update_json(ts, modified, UpdateStyle::Update2, name_only));
    CHECK(row_initial_json(ts, *modified.new_row, UpdateStyle::Update2, name_only) ==
          Json::parse(R"({"initial": {"name": "a"}})"));

    // Writing a row back unchanged is not a change, and commits nothing.
    Uuid before = db.last_txn_id();
    auto noop =
        run(db, Json::array({{{"op", "update"}, {"table", "Root"}, {"where", where_name("a")}, {"row", {{"i", 2}}}}}));
    REQUIRE(noop.kind == TransactResult::Kind::Done);
    CHECK(noop.reply[0] == Json{{"count", 1}});
    CHECK_FALSE(noop.changes);
    CHECK(db.last_txn_id() == before);
    CHECK(heard.size() == 2);

    auto del = run(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", where_name("a")}}}));
    REQUIRE(del.changes);
    const RowChange& deleted = del.changes->tables[0].rows.at(a);
    CHECK(deleted.kind() == RowChange::Kind::Delete);
    CHECK(deleted.old_row->uuid() == a);
    CHECK(*row_update_json(ts, deleted, UpdateStyle::Update2, cols) == Json::parse(R"({"delete": null})"));
    CHECK(row_update_json(ts, deleted, UpdateStyle::Update, cols)->at("old")["name"] == "a");

    // History for monitor_cond_since.
    auto since_first = db.changes_since(ins.changes->txn_id);
    REQUIRE(since_first);
    REQUIRE(since_first->size() == 2);
    CHECK((*since_first)[0] == mod.changes);
    CHECK((*since_first)[1] == del.changes);
    REQUIRE(db.changes_since(db.last_txn_id()));
    CHECK(db.changes_since(db.last_txn_id())->empty());
    CHECK_FALSE(db.changes_since(Uuid::random()));
    db.set_history_limit(1);
    CHECK_FALSE(db.changes_since(ins.changes->txn_id));
    CHECK(db.changes_since(mod.changes->txn_id)->size() == 1);

    db.remove_listener(id);
    ok(db, Json::array({insert_op("Root", Json{{"name", "c"}})}));
    CHECK(heard.size() == 3);
}

TEST_CASE("Txn view: inserted, modified and deleted rows as the transaction sees them") {
    Database db(test_schema());
    std::string a = insert(db, "Root", Json{{"name", "a"}});
    const size_t root = *db.schema().table_index("Root");
    Txn txn(db);
    Uuid ua = *Uuid::parse(a);
    CHECK(txn.find(root, ua));
    txn.modify(root, ua).fields[db.schema().tables[root].column("i")->index] = Datum::scalar(int64_t{5});
    CHECK(std::get<int64_t>(db.find_row(root, ua)->fields[db.schema().tables[root].column("i")->index].keys[0]) == 0);
    Row fresh = Row::with_defaults(db.schema().tables[root], Uuid::random());
    Uuid uf = fresh.uuid();
    txn.insert(root, std::move(fresh));
    CHECK(txn.n_rows(root) == 2);
    CHECK_FALSE(txn.may_create(root, uf));
    txn.erase(root, ua);
    CHECK_FALSE(txn.find(root, ua));
    CHECK_FALSE(txn.may_create(root, ua));
    CHECK(txn.n_rows(root) == 1);
    auto committed = txn.commit();
    REQUIRE(committed.ok());
    CHECK(count_rows(db, "Root") == 1);
    CHECK(db.find_row(root, uf));
}
