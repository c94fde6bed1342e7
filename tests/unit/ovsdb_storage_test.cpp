// The database file: format, round trips, recovery from a torn or corrupt
// tail at every byte, compaction, conversion, locking, and show-log.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ovsdb/convert.h"
#include "ovsdb/storage.h"
#include "ovsdb_test_util.h"

using namespace xvs::ovsdb;
using namespace xvs::ovsdb::test;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed afterwards.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "xvs-ovsdb-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()));
        path = tmpl;
    }
    ~TempDir() { fs::remove_all(path); }
    std::string file(const char* name) const { return (path / name).string(); }
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_bytes(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

// Every row of every table, without _version (which replay regenerates).
Json contents(const Database& db) {
    Json all = Json::object();
    for (size_t t = 0; t < db.schema().tables.size(); t++) {
        const TableSchema& ts = db.schema().tables[t];
        Json rows = Json::object();
        for (const auto& [uuid, row] : db.table(t).rows) {
            Json j = row_to_json(ts, *row);
            j.erase("_version");
            rows[uuid.to_string()] = j;
        }
        all[ts.name] = rows;
    }
    return all;
}

std::unique_ptr<Storage> create(const std::string& path) {
    auto st = Storage::create(path, test_schema());
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.message()));
    return std::move(*st);
}

std::unique_ptr<Storage> open_ok(const std::string& path, OpenOptions options = {}) {
    auto st = Storage::open(path, options);
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : st.message()));
    return std::move(*st);
}

// A few transactions touching every kind of change.
void populate(Database& db) {
    ok(db, Json::array({insert_op("Root", Json{{"name", "a"},
                                               {"i", 1},
                                               {"eph", 5},
                                               {"m", Json::parse(R"(["map", [["k", 1], ["l", 2]]])")},
                                               {"children", named("c")}}),
                        insert_op("Child", Json{{"name", "c"}, {"grandchild", named("g")}}, "c"),
                        insert_op("Grandchild", Json{{"v", 3}}, "g"),
                        {{"op", "comment"}, {"comment", "first\nline"}}}));
    ok(db, Json::array({insert_op("Root", Json{{"name", "b"}, {"ss", Json::parse(R"(["set", ["x", "y"]])")}})}));
    ok(db, Json::array({{{"op", "mutate"},
                         {"table", "Root"},
                         {"where", Json::parse(R"([["name", "==", "a"]])")},
                         {"mutations", Json::parse(R"([["m", "insert", ["map", [["z", 9]]]], ["i", "+=", 1]])")}}}));
    ok(db, Json::array({{{"op", "delete"}, {"table", "Root"}, {"where", Json::parse(R"([["name", "==", "b"]])")}}}));
}

}  // namespace

TEST_CASE("record encoding matches the OVS format") {
    // Hashes from sha1sum; the length and the hash cover the new-line, and
    // a new-line inside a string stays escaped so the data is one line.
    CHECK(encode_record(Json::object()) == "OVSDB JSON 3 5f36b2ea290645ee34d943220a14b54ee5ea5be5\n{}\n");
    CHECK(encode_record(Json::parse(R"({"a": [1, "x\n"]})")) ==
          "OVSDB JSON 16 f310c0fe04b4e7a116007f8722379b1fae680dca\n{\"a\":[1,\"x\\n\"]}\n");
}

TEST_CASE("create, commit, reopen: the same rows, and the file in OVS's format") {
    TempDir dir;
    std::string path = dir.file("db");
    Json before;
    {
        auto st = create(path);
        populate(st->database());
        before = contents(st->database());
        CHECK(st->file_size() == fs::file_size(path));
    }
    auto st = open_ok(path);
    CHECK(st->warnings().empty());
    Json after = contents(st->database());
    // Ephemeral columns are not stored: they come back as defaults.
    for (auto& [uuid, row] : before["Root"].items()) row["eph"] = 0;
    CHECK(after == before);
    CHECK(count_rows(st->database(), "Grandchild") == 1);

    auto log = read_log(path);
    REQUIRE(log.ok());
    CHECK_FALSE(log->tail_error);
    REQUIRE(log->records.size() == 5);
    CHECK(log->records[0].json == test_schema().to_json());
    const Json& first = log->records[1].json;
    CHECK(first["_comment"] == "first\nline");
    CHECK(first["_date"].is_number_integer());
    REQUIRE(first["Root"].size() == 1);
    Json root_insert = first["Root"].begin().value();
    // Inserts carry non-default, persistent columns only.
    CHECK(root_insert == Json::parse(R"({"name": "a", "i": 1, "m": ["map", [["k", 1], ["l", 2]]],
                                          "children": ["uuid", ")" +
                                     first["Child"].begin().key() + R"("]})"));
    // Modifications carry the changed columns, sets and maps as diffs (the
    // elements that changed, in an "_is_diff" record); deletions are null.
    CHECK(log->records[3].json["_is_diff"] == true);
    Json modified = log->records[3].json["Root"].begin().value();
    CHECK(modified == Json::parse(R"({"i": 2, "m": ["map", [["z", 9]]]})"));
    CHECK(log->records[4].json["Root"].begin().value().is_null());
    // Each record's header is its length and SHA-1.
    std::string bytes = read_bytes(path);
    for (const LogRecord& r : log->records) CHECK(bytes.substr(r.offset, r.size) == encode_record(r.json));
}

TEST_CASE("a torn last record, cut at every byte, is detected and truncated away") {
    TempDir dir;
    std::string path = dir.file("db");
    Json state_before_last;
    uint64_t good_size;
    {
        auto st = create(path);
        populate(st->database());
        state_before_last = contents(st->database());
        for (auto& [uuid, row] : state_before_last["Root"].items()) row["eph"] = 0;  // not stored
        good_size = st->file_size();
        ok(st->database(),
           Json::array({insert_op("Root", Json{{"name", "last"}, {"ss", Json::parse(R"(["set", ["p", "q"]])")}}),
                        {{"op", "comment"}, {"comment", "the last one"}}}));
    }
    const std::string full = read_bytes(path);
    REQUIRE(full.size() > good_size + 100);
    std::string copy = dir.file("copy");
    for (uint64_t cut = good_size; cut < full.size(); cut++) {
        CAPTURE(cut);
        write_bytes(copy, full.substr(0, cut));
        auto st = open_ok(copy);
        CHECK(contents(st->database()) == state_before_last);
        CHECK(st->warnings().empty() == (cut == good_size));
        CHECK(fs::file_size(copy) == good_size);
        if (cut == good_size + 1 || cut == full.size() - 1) {
            // The repaired file takes new commits and reads back cleanly.
            ok(st->database(), Json::array({insert_op("Root", Json{{"name", "after"}})}));
            st.reset();
            auto again = open_ok(copy);
            CHECK(again->warnings().empty());
            CHECK(count_rows(again->database(), "Root") == 2);
        }
    }
    auto whole = open_ok(path);
    CHECK(count_rows(whole->database(), "Root") == 2);
}

TEST_CASE("corrupt records: bad hash, bad header, bad JSON, and records that do not apply") {
    TempDir dir;
    std::string path = dir.file("db");
    uint64_t good_size;
    {
        auto st = create(path);
        populate(st->database());
        good_size = st->file_size();
        ok(st->database(), Json::array({insert_op("Root", Json{{"name", "last"}})}));
    }
    const std::string full = read_bytes(path);
    std::string copy = dir.file("copy");
    auto expect_truncated = [&](const std::string& damaged, const char* why) {
        CAPTURE(why);
        write_bytes(copy, damaged);
        auto st = open_ok(copy);
        REQUIRE(st->warnings().size() == 1);
        CHECK(st->warnings()[0].find(why) != std::string::npos);
        CHECK(fs::file_size(copy) == good_size);
        CHECK(count_rows(st->database(), "Root") == 1);
    };
    std::string flipped = full;
    flipped[full.size() - 5] ^= 0x01;  // inside the last record's JSON
    expect_truncated(flipped, "SHA-1");
    std::string header = full;
    header[good_size + 2] = 'X';  // "OVXDB"
    expect_truncated(header, "header");
    std::string garbage = full.substr(0, good_size) + "this is not a record\n";
    expect_truncated(garbage, "header");
    std::string bad_hash = full.substr(0, good_size) + "OVSDB JSON 3 " + std::string(40, '0') + "\n{}\n";
    expect_truncated(bad_hash, "SHA-1");
    std::string body = "[1, 2\n";
    expect_truncated(full.substr(0, good_size) + "OVSDB JSON 6 " + sha1_hex(body) + "\n" + body, "not valid JSON");
    body = "[1]\n";
    expect_truncated(full.substr(0, good_size) + "OVSDB JSON 4 " + sha1_hex(body) + "\n" + body, "not a JSON object");
    expect_truncated(full.substr(0, good_size) + "OVSDB JSON 400 " + sha1_hex(body) + "\n" + body, "of its 400 bytes");

    // A well-formed record that makes no sense is not a crash artifact:
    // open() refuses rather than dropping committed data.
    write_bytes(copy, full + encode_record(Json::parse(R"({"Nope": {}})")));
    auto refused = Storage::open(copy);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.message().find("does not apply") != std::string::npos);
    CHECK(read_bytes(copy).size() > full.size());  // untouched

    // Not a database at all.
    write_bytes(copy, "");
    CHECK_FALSE(Storage::open(copy).ok());
    write_bytes(copy, encode_record(Json::parse(R"({"name": "x"})")));
    auto bad_schema = Storage::open(copy);
    REQUIRE_FALSE(bad_schema.ok());
    CHECK(bad_schema.message().find("bad schema record") != std::string::npos);
    CHECK_FALSE(Storage::open(dir.file("missing")).ok());
}

TEST_CASE("read-only open: no lock, no repair, and commits fail with I/O error") {
    TempDir dir;
    std::string path = dir.file("db");
    auto writer = create(path);
    populate(writer->database());
    uint64_t size = writer->file_size();
    std::string full = read_bytes(path);
    write_bytes(path, full + "OVSDB JSON 1");  // a torn header, while the writer holds the lock
    auto reader = open_ok(path, OpenOptions{true});
    CHECK(reader->warnings().size() == 1);
    CHECK(fs::file_size(path) == size + 12);  // not repaired
    Json r = tx(reader->database(), Json::array({insert_op("Root", Json{{"name", "z"}})}));
    CHECK(first_error(r) == "I/O error");
    CHECK(count_rows(reader->database(), "Root") == 1);
}

TEST_CASE("the file is locked while open for writing") {
    TempDir dir;
    std::string path = dir.file("db");
    auto first = create(path);
    auto second = Storage::open(path);
    REQUIRE_FALSE(second.ok());
    CHECK(second.message().find("locked") != std::string::npos);
    CHECK(fs::exists(dir.path / ".db.~lock~"));
    first.reset();
    CHECK(Storage::open(path).ok());
    CHECK_FALSE(Storage::create(path, test_schema()).ok());  // exists already
}

TEST_CASE("compaction: schema plus one snapshot, atomically replacing the file") {
    TempDir dir;
    std::string path = dir.file("db");
    auto st = create(path);
    populate(st->database());
    for (int i = 0; i < 20; i++)
        ok(st->database(), Json::array({{{"op", "mutate"},
                                         {"table", "Root"},
                                         {"where", Json::array()},
                                         {"mutations", Json::parse(R"([["i", "+=", 1]])")}}}));
    Json before = contents(st->database());
    uint64_t size_before = st->file_size();
    REQUIRE(st->compact().ok());
    CHECK(st->file_size() < size_before);
    CHECK(st->file_size() == fs::file_size(path));
    CHECK_FALSE(fs::exists(path + ".tmp"));
    auto log = read_log(path);
    REQUIRE(log.ok());
    REQUIRE(log->records.size() == 2);
    CHECK(log->records[1].json["_comment"] == "compacting database online");
    // Commits after compaction go to the new file.
    ok(st->database(), Json::array({insert_op("Root", Json{{"name", "post"}})}));
    Json expected = contents(st->database());
    st.reset();
    auto reopened = open_ok(path);
    for (auto& [uuid, row] : expected["Root"].items()) row["eph"] = 0;
    CHECK(contents(reopened->database()) == expected);
    CHECK(read_log(path)->records.size() == 3);
    (void)before;
}

TEST_CASE("schema conversion: common columns keep their data, types convert, failures change nothing") {
    TempDir dir;
    std::string path = dir.file("db");
    auto st = create(path);
    Database& db = st->database();
    std::string a = insert(db, "Root", Json{{"name", "a"}, {"i", 4}, {"si", Json::parse(R"(["set", [7]])")}});
    Json next = test_schema_json();
    next["version"] = "1.3.0";
    next["tables"]["Root"]["columns"]["i"] = Json{{"type", "real"}};        // integer -> real
    next["tables"]["Root"]["columns"]["si"] = Json{{"type", "integer"}};    // set of 1 -> scalar
    next["tables"]["Root"]["columns"].erase("r");                           // dropped
    next["tables"]["Root"]["columns"]["added"] = Json{{"type", "string"}};  // new
    next["tables"].erase("Limited");                                        // dropped table
    auto schema = Schema::from_json(next);
    REQUIRE(schema.ok());
    REQUIRE(st->convert(*schema).ok());
    Database& converted = st->database();
    CHECK(converted.schema().version == "1.3.0");
    Json row;
    {
        Json r = ok(converted, Json::array({select_all("Root", Json::array({"_uuid", "i", "si", "added", "name"}))}));
        REQUIRE(r[0]["rows"].size() == 1);
        row = r[0]["rows"][0];
    }
    CHECK(row["_uuid"] == uuid_json(a));
    CHECK(row["i"] == 4.0);
    CHECK(row["si"] == 7);
    CHECK(row["added"] == "");
    CHECK(row["name"] == "a");
    st.reset();
    auto reopened = open_ok(path);
    CHECK(reopened->database().schema().version == "1.3.0");
    CHECK(contents(reopened->database())["Root"][a]["i"] == 4.0);

    // A value the new type cannot hold: an error, and nothing changes.
    ok(reopened->database(), Json::array({insert_op("Root", Json{{"name", "b"}, {"added", "text"}})}));
    Json bad = next;
    bad["version"] = "1.4.0";
    bad["tables"]["Root"]["columns"]["added"] = Json{{"type", "integer"}};
    auto bad_schema = Schema::from_json(bad);
    REQUIRE(bad_schema.ok());
    auto s = reopened->convert(*bad_schema);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("column added") != std::string::npos);
    CHECK(reopened->database().schema().version == "1.3.0");
    CHECK(read_log(path)->records[0].json["version"] == "1.3.0");
    CHECK(count_rows(reopened->database(), "Root") == 2);
}

TEST_CASE("convert_database in memory, and what the commit checks do to converted rows") {
    Database db(test_schema());
    ok(db, Json::array({insert_op("Root", Json{{"name", "a"}, {"child", named("c")}}),
                        insert_op("Child", Json{{"name", "c"}}, "c")}));
    // Making Root non-root leaves nothing referencing it, and the
    // reference to Child goes away with it: both are collected.
    Json next = test_schema_json();
    next["tables"]["Root"].erase("isRoot");
    auto schema = Schema::from_json(next);
    REQUIRE(schema.ok());
    auto converted = convert_database(db, *schema);
    REQUIRE(converted.ok());
    CHECK(count_rows(**converted, "Root") == 0);
    CHECK(count_rows(**converted, "Child") == 0);
}

TEST_CASE("diff records (\"_is_diff\", as OVS writes them) replay") {
    TempDir dir;
    std::string path = dir.file("db");
    std::string a;
    {
        auto st = create(path);
        a = insert(st->database(), "Root",
                   Json{{"name", "a"},
                        {"i", 1},
                        {"m", Json::parse(R"(["map", [["k", 1], ["l", 2]]])")},
                        {"ss", Json::parse(R"(["set", ["x", "y"]])")}});
    }
    // Sets: elements to toggle; maps: pairs to remove, add or change.
    Json diff = {{"_date", 1},
                 {"_is_diff", true},
                 {"Root",
                  {{a,
                    {{"i", 5},
                     {"ss", Json::parse(R"(["set", ["x", "z"]])")},
                     {"m", Json::parse(R"(["map", [["k", 1], ["l", 3], ["n", 4]]])")}}}}}};
    std::ofstream(path, std::ios::app | std::ios::binary) << encode_record(diff);
    auto st = open_ok(path);
    Json row = contents(st->database())["Root"][a];
    CHECK(row["i"] == 5);
    CHECK(row["ss"] == Json::parse(R"(["set", ["y", "z"]])"));
    CHECK(row["m"] == Json::parse(R"(["map", [["l", 3], ["n", 4]]])"));
}

TEST_CASE("show-log output") {
    TempDir dir;
    std::string path = dir.file("db");
    {
        auto st = create(path);
        populate(st->database());
    }
    std::ofstream(path, std::ios::app | std::ios::binary) << "OVSDB JSON 99 ";
    auto log = read_log(path);
    REQUIRE(log.ok());
    REQUIRE(log->tail_error);
    std::string brief = format_show_log(*log, 0);
    CHECK(brief.find("record 0: \"T\" schema, version=\"1.2.3\", cksum=\"12345 678\"") != std::string::npos);
    CHECK(brief.find("record 4:") != std::string::npos);
    CHECK(brief.find("\"first\\nline\"") != std::string::npos);
    CHECK(brief.find("table Root") == std::string::npos);
    CHECK(brief.find("error: offset") != std::string::npos);
    std::string rows = format_show_log(*log, 1);
    CHECK(rows.find("table Root insert row \"a\"") != std::string::npos);
    CHECK(rows.find("table Root row \"a\"") != std::string::npos);
    CHECK(rows.find("delete row") != std::string::npos);
    CHECK(rows.find("name=") == std::string::npos);
    std::string columns = format_show_log(*log, 2);
    CHECK(columns.find("    name=\"a\"") != std::string::npos);
}

TEST_CASE("replaying records: unknown tables and columns are errors, or skipped when converting") {
    Database db(test_schema());
    const std::string u = "00000000-0000-4000-8000-00000000000a";
    Json record = {{"_date", 1}, {"Gone", {{u, Json::object()}}}, {"Root", {{u, {{"name", "x"}, {"gone_column", 1}}}}}};
    auto strict = db.replay(record);
    REQUIRE_FALSE(strict.ok());
    CHECK(strict.error().details.find("No table named Gone") != std::string::npos);
    Json no_table = record;
    no_table.erase("Gone");
    auto no_column = db.replay(no_table);
    REQUIRE_FALSE(no_column.ok());
    CHECK(no_column.error().tag == "unknown column");
    CHECK(count_rows(db, "Root") == 0);
    REQUIRE(db.replay(record, true).ok());
    REQUIRE(count_rows(db, "Root") == 1);
    CHECK(db.find_row(*db.schema().table_index("Root"), *Uuid::parse(u))
              ->fields[db.schema().table("Root")->column("name")->index] == Datum::scalar(std::string("x")));
    // Deleting a row that is not there is an error.
    auto missing = db.replay(Json{{"Root", {{"00000000-0000-4000-8000-00000000000b", nullptr}}}});
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().details.find("does not exist") != std::string::npos);
}
