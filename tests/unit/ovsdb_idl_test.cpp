// The IDL against the real xvsdb-server (started on a private unix socket in
// a temporary directory), with a raw JSON-RPC client as "another client"
// that changes the database behind the IDL's back; and against a fake
// server for the fallback to the plain "monitor" method.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "ovsdb/idl.h"
#include "ovsdb/storage.h"
#include "util/vlog.h"
#include "util_test_support.h"

using namespace xvs;
using namespace xvs::ovsdb;
using namespace std::chrono_literals;
using xvs::test::run_until;
using xvs::test::TempDir;

namespace {

struct Quiet {
    Quiet() {
        vlog_set_levels(nullptr, LogDestination::Console, LogLevel::Off);
        vlog_set_levels(nullptr, LogDestination::Syslog, LogLevel::Off);
    }
};

Schema vswitch_schema() {
    std::ifstream in(XVS_VSWITCH_SCHEMA);
    REQUIRE(in);
    auto s = Schema::from_json(Json::parse(in));
    REQUIRE(s.ok());
    return std::move(*s);
}

// xvsdb-server serving a fresh Open_vSwitch database in a temporary
// directory; stop() and start() restart it on the same file and socket.
struct DbServer {
    TempDir dir;
    std::string db = dir.file("conf.db");
    std::string sock = dir.file("db.sock");
    pid_t pid = -1;

    DbServer() {
        {
            auto st = Storage::create(db, vswitch_schema());  // holds the file's lock until closed
            REQUIRE_MESSAGE(st.ok(), st.message());
        }
        start();
    }
    ~DbServer() {
        if (pid > 0) stop();
    }
    std::string remote() const { return "unix:" + sock; }

    void start() {
        ::unlink(sock.c_str());
        pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // Its run, log and db directories are ours, not the system's.
            ::setenv("OVS_RUNDIR", dir.path().c_str(), 1);
            ::setenv("OVS_LOGDIR", dir.path().c_str(), 1);
            ::setenv("OVS_DBDIR", dir.path().c_str(), 1);
            std::string remote = "--remote=punix:" + sock, ctl = "--unixctl=" + dir.file("ctl"),
                        log = "--log-file=" + dir.file("log");
            ::execl(XVSDB_SERVER, XVSDB_SERVER, db.c_str(), remote.c_str(), ctl.c_str(), log.c_str(), "-vconsole:off",
                    "-vfile:dbg", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        auto end = std::chrono::steady_clock::now() + 10s;
        while (::access(sock.c_str(), F_OK) != 0 && std::chrono::steady_clock::now() < end) {
            int status;
            REQUIRE_MESSAGE(::waitpid(pid, &status, WNOHANG) == 0, "xvsdb-server exited at start; see ",
                            dir.file("log"));
            ::usleep(10000);
        }
        REQUIRE_MESSAGE(::access(sock.c_str(), F_OK) == 0, "xvsdb-server did not create its socket");
    }
    void stop() {
        ::kill(pid, SIGTERM);
        int status = 0;
        ::waitpid(pid, &status, 0);
        pid = -1;
    }
};

// Another client: raw JSON-RPC, so the IDL is checked against literal
// RFC 7047 operations rather than against itself.
struct RawClient {
    PollLoop& loop;
    std::unique_ptr<JsonRpcSession> session;
    std::vector<JsonRpcMessage> notifications;

    RawClient(PollLoop& l, const std::string& remote) : loop(l) {
        JsonRpcSession::Options o;
        o.min_backoff = 100ms;
        auto s = JsonRpcSession::create(loop, remote, o);
        REQUIRE(s.ok());
        session = std::move(*s);
        session->on_message([this](JsonRpcMessage&& m) { notifications.push_back(std::move(m)); });
        REQUIRE(run_until(loop, [&] { return session->is_connected(); }));
    }

    JsonRpcMessage request(const std::string& method, Json params) {
        auto got = std::make_shared<std::optional<Result<JsonRpcMessage>>>();
        REQUIRE(session->transact(method, std::move(params), [got](Result<JsonRpcMessage> r) { *got = std::move(r); })
                    .ok());
        REQUIRE(run_until(loop, [&] { return got->has_value(); }));
        REQUIRE_MESSAGE((*got)->ok(), (*got)->message());
        return std::move(***got);
    }

    // Runs operations on Open_vSwitch; every one must succeed.
    Json transact(const std::string& ops) {
        Json params = Json::parse(ops);
        params.insert(params.begin(), "Open_vSwitch");
        JsonRpcMessage m = request("transact", std::move(params));
        REQUIRE(m.type == JsonRpcMessage::Type::Reply);
        for (const Json& r : m.result)
            REQUIRE_MESSAGE(!(r.is_object() && r.contains("error")), json_to_string(m.result));
        return m.result;
    }
};

Idl::Options fast() {
    Idl::Options o;
    o.min_backoff = 50ms;
    o.max_backoff = 200ms;
    return o;
}

// The Open_vSwitch row, br0 with port p1 (interface i1), other_config and
// external_ids on the port.
void seed(RawClient& c) {
    c.transact(R"([
      {"op": "insert", "table": "Interface", "uuid-name": "i1", "row": {"name": "i1", "type": "internal"}},
      {"op": "insert", "table": "Port", "uuid-name": "p1",
       "row": {"name": "p1", "interfaces": ["named-uuid", "i1"], "external_ids": ["map", [["k", "v"]]]}},
      {"op": "insert", "table": "Bridge", "uuid-name": "b0",
       "row": {"name": "br0", "ports": ["named-uuid", "p1"],
               "other_config": ["map", [["hwaddr", "00:11:22:33:44:55"], ["stp", "true"]]]}},
      {"op": "insert", "table": "Open_vSwitch", "row": {"bridges": ["named-uuid", "b0"], "next_cfg": 0}}])");
}

// What a switch daemon watches: whole tables, and some columns of Port.
void register_vswitch(Idl& idl) {
    idl.add_table("Open_vSwitch");
    idl.add_table("Bridge");
    idl.add_column("Port", "name");
    idl.add_column("Port", "interfaces");
    idl.add_table("Interface");
}

const IdlRow* find(const Idl& idl, std::string_view table, std::string_view name) {
    for (const IdlRow& r : idl.table(table))
        if (r.get_string("name") == name) return &r;
    return nullptr;
}

const IdlRow* ovs_row(const Idl& idl) {
    const IdlTable& t = idl.table("Open_vSwitch");
    return t.empty() ? nullptr : &*t.begin();
}

// Commits and waits for the callback.
IdlTxnResult commit(PollLoop& loop, IdlTxn& txn) {
    auto got = std::make_shared<std::optional<IdlTxnResult>>();
    txn.commit([got](const IdlTxnResult& r) { *got = r; });
    REQUIRE(run_until(loop, [&] { return got->has_value(); }));
    return **got;
}

// What most cases start from: a server seeded before the IDL connects
// (seed() runs the loop), another raw client, and an IDL registered as a
// switch daemon, not yet synchronised (sync() does that).
struct SeededIdl {
    struct Seeder {
        explicit Seeder(RawClient& c) { seed(c); }
    };
    Quiet q;
    PollLoop loop;
    DbServer server;
    RawClient other{loop, server.remote()};
    Seeder seeded{other};
    Idl idl{loop, server.remote(), "Open_vSwitch", fast()};
    SeededIdl() { register_vswitch(idl); }
    bool sync() { return run_until(loop, [&] { return idl.is_synced(); }); }
};

}  // namespace

TEST_CASE_FIXTURE(SeededIdl, "idl: the initial replica holds the registered tables and columns, typed by the schema") {
    int changes = 0;
    idl.on_change([&] { changes++; });
    CHECK_FALSE(idl.has_ever_connected());
    REQUIRE(sync());
    CHECK(idl.is_connected());
    CHECK(idl.has_ever_connected());
    CHECK(idl.last_error() == "");
    CHECK(changes >= 1);
    CHECK(idl.seqno() >= 1);
    REQUIRE(idl.schema());
    CHECK(idl.schema()->name == "Open_vSwitch");

    CHECK(idl.table("Open_vSwitch").size() == 1);
    CHECK(idl.table("Bridge").size() == 1);
    CHECK(idl.table("Port").size() == 1);
    CHECK(idl.table("Interface").size() == 1);
    // Not registered: known to the schema, not replicated.
    CHECK(idl.table("Controller").empty());
    CHECK(idl.table("Controller").schema() != nullptr);
    CHECK(idl.table("NoSuchTable").schema() == nullptr);

    const IdlRow* br = find(idl, "Bridge", "br0");
    REQUIRE(br);
    CHECK(idl.row("Bridge", br->uuid()) == br);
    CHECK(br->get_string_map("other_config") ==
          std::map<std::string, std::string>{{"hwaddr", "00:11:22:33:44:55"}, {"stp", "true"}});
    CHECK(br->get_map_value("other_config", "stp") == "true");
    CHECK_FALSE(br->get_map_value("other_config", "nope"));
    CHECK(br->get("other_config").is_map());

    // References are UUIDs and resolve to rows of the replica.
    const IdlRow* ovs = ovs_row(idl);
    REQUIRE(ovs);
    CHECK(ovs->get_uuids("bridges") == std::vector<Uuid>{br->uuid()});
    REQUIRE(ovs->refs("bridges").size() == 1);
    CHECK(ovs->refs("bridges")[0] == br);
    CHECK(ovs->get_integer("next_cfg", -1) == 0);
    auto ports = br->refs("ports");
    REQUIRE(ports.size() == 1);
    CHECK(ports[0]->get_string("name") == "p1");
    CHECK(&ports[0]->table() == &idl.table("Port"));
    const IdlRow* iface = ports[0]->refs("interfaces").at(0);
    CHECK(iface->get_string("name") == "i1");
    CHECK(iface->get_string("type") == "internal");
    CHECK(ports[0]->ref("interfaces") == iface);

    // Only the registered columns of Port: external_ids is set on the server
    // but reads as its default here.
    CHECK(idl.table("Port").is_monitored("name"));
    CHECK_FALSE(idl.table("Port").is_monitored("external_ids"));
    CHECK(ports[0]->get("external_ids").empty());
    CHECK(idl.table("Bridge").is_monitored("external_ids"));
    // Unknown columns read as empty, typed readers fall back to defaults.
    CHECK(br->get("no_such_column").empty());
    CHECK(br->get_string("no_such_column", "dflt") == "dflt");
    CHECK(br->get_integer("name", 7) == 7);  // a string column read as an integer
    CHECK_FALSE(br->get_optional_integer("datapath_version").has_value());
    CHECK(br->get_string("datapath_version") == "");
    CHECK(br->ref("ports") == ports[0]);
}

TEST_CASE_FIXTURE(SeededIdl, "idl: inserts, modifies and deletes by another client reach the replica") {
    int changes = 0;
    idl.on_change([&] { changes++; });
    REQUIRE(sync());
    const IdlRow* br0 = find(idl, "Bridge", "br0");
    REQUIRE(br0);
    Uuid br0_uuid = br0->uuid();
    std::string ovs_uuid = ovs_row(idl)->uuid().to_string();

    SUBCASE("insert") {
        uint64_t before = idl.seqno();
        other.transact(R"([
          {"op": "insert", "table": "Bridge", "uuid-name": "b", "row": {"name": "br1"}},
          {"op": "mutate", "table": "Open_vSwitch", "where": [],
           "mutations": [["bridges", "insert", ["set", [["named-uuid", "b"]]]]]}])");
        REQUIRE(run_until(loop, [&] { return find(idl, "Bridge", "br1") != nullptr; }));
        CHECK(idl.seqno() > before);
        CHECK(changes >= 2);
        const IdlRow* br1 = find(idl, "Bridge", "br1");
        CHECK(br1->seqno() == idl.seqno());
        CHECK(ovs_row(idl)->get_uuids("bridges").size() == 2);
        CHECK(ovs_row(idl)->refs("bridges").size() == 2);
        // br0 did not change, so it kept its object and its seqno.
        CHECK(find(idl, "Bridge", "br0") == br0);
        CHECK(br0->seqno() < idl.seqno());
    }
    SUBCASE("modify: map diffs add, change and remove keys") {
        other.transact(fmt::format(R"([{{"op": "update", "table": "Bridge", "where": [["_uuid", "==", ["uuid", "{}"]]],
            "row": {{"other_config": ["map", [["hwaddr", "aa:bb:cc:dd:ee:ff"], ["new", "1"]]]}}}}])",
                                   br0_uuid.to_string()));
        REQUIRE(run_until(loop, [&] { return br0->get_map_value("other_config", "new").has_value(); }));
        CHECK(find(idl, "Bridge", "br0") == br0);
        CHECK(br0->get_string_map("other_config") ==
              std::map<std::string, std::string>{{"hwaddr", "aa:bb:cc:dd:ee:ff"}, {"new", "1"}});
        CHECK(br0->seqno() == idl.seqno());
        // A scalar column.
        other.transact(R"([{"op": "update", "table": "Open_vSwitch", "where": [], "row": {"next_cfg": 41}}])");
        REQUIRE(run_until(loop, [&] { return ovs_row(idl)->get_integer("next_cfg") == 41; }));
        // An optional scalar set and cleared.
        other.transact(
            R"([{"op": "update", "table": "Bridge", "where": [], "row": {"datapath_id": "0000000000000001"}}])");
        REQUIRE(run_until(loop, [&] { return br0->get_optional_string("datapath_id") == "0000000000000001"; }));
        other.transact(R"([{"op": "update", "table": "Bridge", "where": [], "row": {"datapath_id": ["set", []]}}])");
        REQUIRE(run_until(loop, [&] { return !br0->get_optional_string("datapath_id"); }));
    }
    SUBCASE("delete, with the rows garbage collected behind it") {
        other.transact(
            fmt::format(R"([{{"op": "update", "table": "Open_vSwitch", "where": [["_uuid", "==", ["uuid", "{}"]]],
            "row": {{"bridges": ["set", []]}}}}])",
                        ovs_uuid));
        REQUIRE(run_until(loop, [&] { return idl.table("Bridge").empty(); }));
        REQUIRE(run_until(loop, [&] { return idl.table("Port").empty() && idl.table("Interface").empty(); }));
        CHECK(idl.row("Bridge", br0_uuid) == nullptr);
        CHECK(ovs_row(idl)->get("bridges").empty());
    }
    // A column that is not monitored changes nothing here.
    uint64_t before = idl.seqno();
    other.transact(R"([{"op": "update", "table": "Port", "where": [], "row": {"external_ids": ["map", [["x", "y"]]]}},
                       {"op": "update", "table": "Open_vSwitch", "where": [], "row": {"cur_cfg": 99}}])");
    REQUIRE(run_until(loop, [&] { return ovs_row(idl)->get_integer("cur_cfg") == 99; }));
    CHECK(idl.seqno() == before + 1);
}

TEST_CASE_FIXTURE(SeededIdl, "idl: a transaction inserts rows that refer to each other by temporary uuids") {
    REQUIRE(sync());

    IdlTxn txn(idl);
    IdlRowRef iface = txn.insert("Interface");
    txn.set(iface, "name", string_datum("i2"));
    IdlRowRef port = txn.insert("Port");
    txn.set(port, "name", string_datum("p2"));
    txn.set(port, "interfaces", uuid_set_datum({iface.uuid}));
    IdlRowRef br = txn.insert("Bridge");
    txn.set(br, "name", string_datum("br2"));
    txn.set(br, "ports", uuid_set_datum({port.uuid}));
    txn.set(br, "other_config", string_map_datum({{"a", "1"}, {"b", "2"}}));
    txn.set_insert(*ovs_row(idl), "bridges", br.uuid);
    txn.add_comment("add br2");

    // The wire form: named rows, references by name, where clauses by uuid.
    auto j = txn.to_json();
    REQUIRE(j.ok());
    CHECK((*j)[0] == "Open_vSwitch");
    CHECK((*j)[1]["op"] == "insert");
    std::string iface_name = (*j)[1]["uuid-name"].get<std::string>();
    CHECK((*j)[2]["row"]["interfaces"] == Json::array({"named-uuid", iface_name}));
    CHECK((*j)[3]["row"]["other_config"] == Json::parse(R"(["map", [["a", "1"], ["b", "2"]]])"));
    CHECK((*j)[4]["op"] == "mutate");
    CHECK((*j)[5] == Json::parse(R"({"op": "comment", "comment": "add br2"})"));

    IdlTxnResult r = commit(loop, txn);
    REQUIRE_MESSAGE(r.ok(), r.error);
    REQUIRE(r.inserted.size() == 3);
    Uuid real_br = r.real_uuid(br.uuid), real_port = r.real_uuid(port.uuid), real_iface = r.real_uuid(iface.uuid);
    CHECK(real_br != br.uuid);
    CHECK(r.real_uuid(real_br) == real_br);  // not a temporary one

    // The server has them, linked, under those uuids.
    Json sel = other.transact(R"([{"op": "select", "table": "Bridge", "where": [["name", "==", "br2"]]}])");
    REQUIRE(sel[0]["rows"].size() == 1);
    CHECK(sel[0]["rows"][0]["_uuid"] == Json::array({"uuid", real_br.to_string()}));
    CHECK(sel[0]["rows"][0]["ports"] == Json::array({"uuid", real_port.to_string()}));
    Json ports = other.transact(R"([{"op": "select", "table": "Port", "where": [["name", "==", "p2"]]}])");
    CHECK(ports[0]["rows"][0]["interfaces"] == Json::array({"uuid", real_iface.to_string()}));

    // The replica learns them through the monitor.
    REQUIRE(run_until(loop, [&] { return idl.row("Bridge", real_br) != nullptr; }));
    const IdlRow* b = idl.row("Bridge", real_br);
    CHECK(b->get_string("name") == "br2");
    REQUIRE(b->refs("ports").size() == 1);
    CHECK(b->refs("ports")[0]->uuid() == real_port);
    CHECK(b->refs("ports")[0]->refs("interfaces").at(0)->get_string("name") == "i2");
    CHECK(b->get_string_map("other_config").size() == 2);
    CHECK(ovs_row(idl)->get_uuids("bridges").size() == 2);

    SUBCASE("map and set shorthands, delete") {
        IdlTxn t2(idl);
        t2.map_set(*b, "other_config", std::string("a"), std::string("10"));
        t2.map_delete(*b, "other_config", std::string("b"));
        t2.map_set(*b, "other_config", std::string("c"), std::string("3"));
        REQUIRE(commit(loop, t2).ok());
        REQUIRE(run_until(loop, [&] {
            return idl.row("Bridge", real_br)->get_string_map("other_config") ==
                   std::map<std::string, std::string>{{"a", "10"}, {"c", "3"}};
        }));
        IdlTxn t3(idl);
        t3.set_delete(*ovs_row(idl), "bridges", real_br);
        REQUIRE(commit(loop, t3).ok());
        REQUIRE(run_until(loop, [&] { return idl.row("Bridge", real_br) == nullptr; }));
        CHECK(find(idl, "Port", "p2") == nullptr);  // collected with its bridge
        IdlTxn t4(idl);
        t4.delete_row(*ovs_row(idl));
        REQUIRE(commit(loop, t4).ok());
        REQUIRE(run_until(loop, [&] { return idl.table("Open_vSwitch").empty(); }));
    }
    SUBCASE("errors: refused by the server, or caught while building") {
        IdlTxn bad(idl);
        bad.set(*b, "ports", uuid_set_datum({Uuid::random()}));
        IdlTxnResult e = commit(loop, bad);
        CHECK(e.status == IdlTxnResult::Status::Error);
        CHECK(e.error.find("referential integrity violation") != std::string::npos);

        IdlTxn local(idl);
        local.set(*b, "no_such_column", integer_datum(1));
        local.set(*b, "other_config", string_datum("not a map"));
        IdlTxnResult l = commit(loop, local);
        CHECK(l.status == IdlTxnResult::Status::Error);
        CHECK(l.error == "table Bridge has no column no_such_column");

        IdlTxn typed(idl);
        typed.set(*b, "other_config", string_datum("not a map"));
        CHECK(commit(loop, typed).error.find("column other_config") == 0);

        IdlTxn range(idl);
        range.set(*find(idl, "Port", "p2"), "tag", integer_datum(5000));
        CHECK(commit(loop, range).status == IdlTxnResult::Status::Error);

        // Nothing of these reached the database.
        CHECK(idl.row("Bridge", real_br)->get_uuids("ports") == std::vector<Uuid>{real_port});
    }
}

TEST_CASE_FIXTURE(SeededIdl, "idl: verify makes a transaction fail with TryAgain when another client changed the column") {
    REQUIRE(sync());
    const IdlRow* br = find(idl, "Bridge", "br0");
    REQUIRE(br);
    std::string where = fmt::format(R"([["_uuid", "==", ["uuid", "{}"]]])", br->uuid().to_string());

    // Unchanged: the verify holds.
    {
        IdlTxn txn(idl);
        txn.verify(*br, "other_config");
        txn.verify(*br, "ports");
        txn.map_set(*br, "other_config", std::string("mine"), std::string("1"));
        auto j = txn.to_json();
        REQUIRE(j.ok());
        CHECK((*j)[1]["op"] == "wait");
        CHECK((*j)[1]["until"] == "==");
        CHECK((*j)[1]["columns"] == Json::parse(R"(["other_config", "ports"])"));
        IdlTxnResult r = commit(loop, txn);
        REQUIRE_MESSAGE(r.ok(), r.error);
    }
    REQUIRE(run_until(loop, [&] { return br->get_map_value("other_config", "mine") == "1"; }));

    // Read, then another client changes the column, then commit.
    IdlTxn txn(idl);
    txn.verify(*br, "other_config");
    auto config = br->get_string_map("other_config");
    config["mine"] = "2";
    txn.set(*br, "other_config", string_map_datum(config));
    other.transact(fmt::format(R"([{{"op": "mutate", "table": "Bridge", "where": {},
        "mutations": [["other_config", "insert", ["map", [["theirs", "x"]]]]]}}])",
                               where));
    IdlTxnResult r = commit(loop, txn);
    CHECK(r.status == IdlTxnResult::Status::TryAgain);
    CHECK(r.error.find("timed out") != std::string::npos);
    // Nothing was written; their change stands.
    Json sel = other.transact(fmt::format(R"([{{"op": "select", "table": "Bridge", "where": {}}}])", where));
    CHECK(
        sel[0]["rows"][0]["other_config"] ==
        Json::parse(R"(["map", [["hwaddr", "00:11:22:33:44:55"], ["mine", "1"], ["stp", "true"], ["theirs", "x"]]])"));

    // The retry, built from the replica once it has their change, succeeds.
    REQUIRE(run_until(loop, [&] { return br->get_map_value("other_config", "theirs").has_value(); }));
    IdlTxn retry(idl);
    retry.verify(*br, "other_config");
    config = br->get_string_map("other_config");
    config["mine"] = "2";
    retry.set(*br, "other_config", string_map_datum(config));
    IdlTxnResult r2 = commit(loop, retry);
    REQUIRE_MESSAGE(r2.ok(), r2.error);
    REQUIRE(run_until(loop, [&] { return br->get_map_value("other_config", "mine") == "2"; }));
    CHECK(br->get_map_value("other_config", "theirs") == "x");

    // A deleted row fails its verify too.
    IdlTxn gone(idl);
    gone.verify(*br, "name");
    gone.add_comment("nothing else");
    other.transact(R"([{"op": "update", "table": "Open_vSwitch", "where": [], "row": {"bridges": ["set", []]}}])");
    CHECK(commit(loop, gone).status == IdlTxnResult::Status::TryAgain);
}

TEST_CASE_FIXTURE(SeededIdl, "idl: increment bumps next_cfg and reads the new value back") {
    REQUIRE(sync());
    const IdlRow* ovs = ovs_row(idl);
    REQUIRE(ovs);

    IdlTxn t1(idl);
    CHECK(t1.increment(*ovs, "next_cfg") == 0);
    IdlTxnResult r1 = commit(loop, t1);
    REQUIRE_MESSAGE(r1.ok(), r1.error);
    REQUIRE(r1.increments.size() == 1);
    CHECK(r1.increments[0] == 1);

    // Another client bumps it meanwhile: the increment is relative, not a
    // write of what the replica had.
    other.transact(
        R"([{"op": "mutate", "table": "Open_vSwitch", "where": [], "mutations": [["next_cfg", "+=", 10]]}])");
    IdlTxn t2(idl);
    t2.increment(*ovs, "next_cfg");
    t2.mutate(*ovs, "cur_cfg", "+=", integer_datum(5));
    IdlTxnResult r2 = commit(loop, t2);
    REQUIRE_MESSAGE(r2.ok(), r2.error);
    CHECK(r2.increments.at(0) == 12);
    REQUIRE(run_until(loop, [&] { return ovs_row(idl)->get_integer("next_cfg") == 12; }));
    CHECK(ovs_row(idl)->get_integer("cur_cfg") == 5);

    IdlTxn bad(idl);
    bad.increment(*ovs, "bridges");
    CHECK(commit(loop, bad).status == IdlTxnResult::Status::Error);
}

TEST_CASE("idl: after the server restarts the replica is rebuilt; a reconnection without changes keeps it") {
    Quiet q;
    PollLoop loop;
    DbServer server;
    {
        RawClient other(loop, server.remote());
        seed(other);
    }
    Idl idl(loop, server.remote(), "Open_vSwitch", fast());
    register_vswitch(idl);
    REQUIRE(run_until(loop, [&] { return idl.is_synced(); }));
    const IdlRow* br0 = find(idl, "Bridge", "br0");
    REQUIRE(br0);
    Uuid br0_uuid = br0->uuid();

    SUBCASE("forced reconnection resumes") {
        uint64_t before = idl.seqno();
        idl.force_reconnect();
        CHECK_FALSE(idl.is_synced());
        REQUIRE(run_until(loop, [&] { return idl.is_synced(); }));
        CHECK(idl.seqno() > before);  // users hear that it is current again
        CHECK(find(idl, "Bridge", "br0") == br0);
        CHECK(idl.last_txn_id().has_value());
    }
    SUBCASE("server restart with changes made while it was down") {
        server.stop();
        REQUIRE(run_until(loop, [&] { return !idl.is_connected(); }));
        CHECK(idl.has_ever_connected());
        CHECK(idl.last_error() != "");
        // The stale replica stays readable.
        CHECK(find(idl, "Bridge", "br0") == br0);
        // A commit now cannot be sent.
        IdlTxn txn(idl);
        txn.increment(*ovs_row(idl), "next_cfg");
        CHECK(commit(loop, txn).status == IdlTxnResult::Status::TryAgain);

        // Offline: replace br0 by br9.
        {
            auto st = Storage::open(server.db);
            REQUIRE(st.ok());
            auto r = (*st)->database().execute(Json::parse(R"(["Open_vSwitch",
              {"op": "insert", "table": "Interface", "uuid-name": "i", "row": {"name": "i9"}},
              {"op": "insert", "table": "Port", "uuid-name": "p", "row": {"name": "p9", "interfaces": ["named-uuid", "i"]}},
              {"op": "insert", "table": "Bridge", "uuid-name": "b", "row": {"name": "br9", "ports": ["named-uuid", "p"]}},
              {"op": "update", "table": "Open_vSwitch", "where": [], "row": {"bridges": ["named-uuid", "b"], "next_cfg": 7}}])"));
            REQUIRE(r.kind == TransactResult::Kind::Done);
            for (const Json& o : r.reply) REQUIRE_MESSAGE(!o.contains("error"), json_to_string(r.reply));
        }
        uint64_t before = idl.seqno();
        server.start();
        REQUIRE(run_until(loop, [&] { return idl.is_synced(); }));
        CHECK(idl.seqno() > before);
        CHECK(idl.row("Bridge", br0_uuid) == nullptr);
        CHECK(find(idl, "Port", "p1") == nullptr);
        const IdlRow* br9 = find(idl, "Bridge", "br9");
        REQUIRE(br9);
        CHECK(idl.table("Bridge").size() == 1);
        CHECK(ovs_row(idl)->get_integer("next_cfg") == 7);
        CHECK(ovs_row(idl)->refs("bridges") == std::vector<const IdlRow*>{br9});
        CHECK(br9->refs("ports").at(0)->refs("interfaces").at(0)->get_string("name") == "i9");

        // And it is live again: changes arrive, transactions commit.
        IdlTxn t(idl);
        t.increment(*ovs_row(idl), "next_cfg");
        IdlTxnResult r = commit(loop, t);
        REQUIRE_MESSAGE(r.ok(), r.error);
        CHECK(r.increments.at(0) == 8);
    }
    SUBCASE("a change made while it reconnects is not lost") {
        idl.force_reconnect();
        RawClient other(loop, server.remote());  // the Idl may or may not have resynchronised by now
        other.transact(
            R"([{"op": "update", "table": "Bridge", "where": [], "row": {"other_config": ["map", [["z", "1"]]]}}])");
        REQUIRE(run_until(loop, [&] { return idl.is_synced() && br0->get_string_map("other_config").size() == 1; }));
        CHECK(find(idl, "Bridge", "br0") == br0);
        CHECK(br0->get_map_value("other_config", "z") == "1");
    }
}

TEST_CASE("idl: a lock is acquired, queued behind another holder, stolen and handed back") {
    Quiet q;
    PollLoop loop;
    DbServer server;
    {
        RawClient other(loop, server.remote());
        seed(other);
    }
    Idl idl(loop, server.remote(), "Open_vSwitch", fast());
    register_vswitch(idl);
    idl.set_lock("ovs_vswitchd");
    REQUIRE(run_until(loop, [&] { return idl.is_synced() && idl.has_lock(); }));
    CHECK_FALSE(idl.is_lock_contended());
    // Transactions assert the lock.
    {
        IdlTxn t(idl);
        t.increment(*ovs_row(idl), "next_cfg");
        auto j = t.to_json();
        CHECK((*j)[1] == Json::parse(R"({"op": "assert", "lock": "ovs_vswitchd"})"));
        REQUIRE(commit(loop, t).ok());
    }

    Idl second(loop, server.remote(), "Open_vSwitch", fast());
    second.add_table("Open_vSwitch");
    second.set_lock("ovs_vswitchd");
    REQUIRE(run_until(loop, [&] { return second.is_synced() && second.is_lock_contended(); }));
    CHECK_FALSE(second.has_lock());
    CHECK(idl.has_lock());
    {
        IdlTxn t(second);
        t.increment(*ovs_row(second), "next_cfg");
        IdlTxnResult r = commit(loop, t);
        CHECK(r.status == IdlTxnResult::Status::NotLocked);
    }

    // Stolen by a raw client: idl loses it and hears about it.
    RawClient thief(loop, server.remote());
    uint64_t before = idl.seqno();
    JsonRpcMessage stolen = thief.request("steal", Json::array({"ovs_vswitchd"}));
    CHECK(stolen.result == Json::parse(R"({"locked": true})"));
    REQUIRE(run_until(loop, [&] { return !idl.has_lock(); }));
    CHECK(idl.is_lock_contended());
    CHECK(idl.seqno() > before);
    {
        IdlTxn t(idl);
        t.increment(*ovs_row(idl), "next_cfg");
        CHECK(commit(loop, t).status == IdlTxnResult::Status::NotLocked);
    }

    // The thief lets go: the next in the queue (idl, still waiting) gets it.
    thief.request("unlock", Json::array({"ovs_vswitchd"}));
    REQUIRE(run_until(loop, [&] { return idl.has_lock(); }));
    CHECK_FALSE(second.has_lock());
    // idl gives it up: second gets it.
    idl.set_lock("");
    CHECK_FALSE(idl.has_lock());
    REQUIRE(run_until(loop, [&] { return second.has_lock(); }));
    {
        IdlTxn t(idl);  // no lock set: no assert
        t.increment(*ovs_row(idl), "next_cfg");
        REQUIRE(commit(loop, t).ok());
    }
    // A lock held survives nothing: after a reconnection it is asked for again.
    second.force_reconnect();
    CHECK_FALSE(second.has_lock());
    REQUIRE(run_until(loop, [&] { return second.has_lock(); }));
}

TEST_CASE("idl: registering more columns later re-monitors; nothing registered replicates everything") {
    Quiet q;
    PollLoop loop;
    DbServer server;
    {
        RawClient other(loop, server.remote());
        seed(other);
    }
    Idl all(loop, server.remote(), "Open_vSwitch", fast());
    REQUIRE(run_until(loop, [&] { return all.is_synced(); }));
    CHECK(all.table("Port").is_monitored("external_ids"));
    REQUIRE(find(all, "Port", "p1"));
    CHECK(find(all, "Port", "p1")->get_map_value("external_ids", "k") == "v");

    Idl some(loop, server.remote(), "Open_vSwitch", fast());
    some.add_column("Port", "name");
    REQUIRE(run_until(loop, [&] { return some.is_synced(); }));
    CHECK(some.table("Bridge").empty());
    const IdlRow* p1 = find(some, "Port", "p1");
    REQUIRE(p1);
    CHECK(p1->get("external_ids").empty());
    some.add_column("Port", "external_ids");
    some.add_table("Bridge");
    REQUIRE(run_until(loop, [&] { return some.is_synced() && !some.table("Bridge").empty(); }));
    CHECK(find(some, "Port", "p1") == p1);
    CHECK(p1->get_map_value("external_ids", "k") == "v");

    // Names the schema lacks are reported, not fatal.
    some.add_column("Port", "no_such_column");
    CHECK(some.last_error().find("no_such_column") != std::string::npos);
    REQUIRE(run_until(loop, [&] { return some.is_synced(); }));
}

TEST_CASE("idl: falls back to monitor_cond and then monitor when the server does not know them") {
    Quiet q;
    PollLoop loop;
    TempDir dir;
    std::string path = dir.file("fake.sock");
    auto listener = Listener::open("punix:" + path);
    REQUIRE(listener.ok());
    std::vector<std::unique_ptr<JsonRpcConnection>> conns;
    std::vector<JsonRpcMessage> requests;
    JsonRpcConnection* peer = nullptr;
    Json schema = Json::parse(R"({"name": "Fake", "version": "1.0.0",
        "tables": {"T": {"columns": {"name": {"type": "string"}, "n": {"type": "integer"},
                                    "s": {"type": {"key": "integer", "min": 0, "max": "unlimited"}}}}}})");
    const std::string u1 = "11111111-2222-3333-4444-555555555555", u2 = "21111111-2222-3333-4444-555555555555";
    auto watch = loop.watch_fd((*listener)->fd(), POLLIN, [&](short) {
        auto s = (*listener)->accept();
        if (!s.ok() || !*s) return;
        conns.push_back(std::make_unique<JsonRpcConnection>(loop, std::move(*s), JsonRpcConnection::Options{}));
        JsonRpcConnection* c = conns.back().get();
        peer = c;
        c->on_message([&, c](JsonRpcMessage&& m) {
            requests.push_back(m);
            if (m.method == "get_schema") {
                (void)c->send(JsonRpcMessage::reply(schema, m.id));
            } else if (m.method == "monitor") {
                Json initial = Json::object();
                initial["T"][u1] =
                    Json{{"new", Json{{"name", "a"}, {"n", 1}, {"s", Json::parse(R"(["set", [1, 2]])")}}}};
                (void)c->send(JsonRpcMessage::reply(initial, m.id));
            } else {
                (void)c->send(JsonRpcMessage::error_reply("unknown method", m.id));
            }
        });
    });

    Idl idl(loop, "unix:" + path, "Fake", fast());
    REQUIRE(run_until(loop, [&] { return idl.is_synced(); }));
    REQUIRE(requests.size() == 4);
    CHECK(requests[0].method == "get_schema");
    CHECK(requests[1].method == "monitor_cond_since");
    CHECK(requests[1].params[3] == "00000000-0000-0000-0000-000000000000");
    CHECK(requests[1].params[2] == Json::parse(R"({"T": [{"columns": ["n", "name", "s"]}]})"));
    CHECK(requests[2].method == "monitor_cond");
    CHECK(requests[3].method == "monitor");
    Json mon_id = requests[3].params[1];
    const IdlRow* a = idl.row("T", *Uuid::parse(u1));
    REQUIRE(a);
    CHECK(a->get_string("name") == "a");
    CHECK(a->get_integers("s") == std::vector<int64_t>{1, 2});

    // <row-update>s: modify ("new" has every column), insert, delete.
    Json mod = Json::object();
    mod["T"][u1] = Json{{"old", Json{{"n", 1}}}, {"new", Json{{"name", "a"}, {"n", 2}, {"s", 3}}}};
    mod["T"][u2] = Json{{"new", Json{{"name", "b"}}}};
    REQUIRE(peer);
    REQUIRE(peer->send(JsonRpcMessage::notify("update", Json::array({mon_id, mod}))).ok());
    REQUIRE(run_until(loop, [&] { return idl.row("T", *Uuid::parse(u2)) != nullptr; }));
    CHECK(a->get_integer("n") == 2);
    CHECK(a->get_integers("s") == std::vector<int64_t>{3});
    CHECK(idl.row("T", *Uuid::parse(u2))->get_integer("n", -1) == 0);  // default
    // Another monitor's updates are not ours.
    Json other = Json::object();
    other["T"][u1] = Json{{"old", Json{{"n", 2}}}};
    REQUIRE(peer->send(JsonRpcMessage::notify("update", Json::array({"someone else", other}))).ok());
    Json del = Json::object();
    del["T"][u2] = Json{{"old", Json{{"name", "b"}}}};
    REQUIRE(peer->send(JsonRpcMessage::notify("update", Json::array({mon_id, del}))).ok());
    REQUIRE(run_until(loop, [&] { return idl.row("T", *Uuid::parse(u2)) == nullptr; }));
    CHECK(idl.row("T", *Uuid::parse(u1)) == a);

    // The method that worked is used after a reconnection.
    size_t n = requests.size();
    peer = nullptr;
    conns.clear();
    REQUIRE(run_until(loop, [&] { return requests.size() >= n + 2 && idl.is_synced(); }));
    CHECK(requests[n].method == "get_schema");
    CHECK(requests[n + 1].method == "monitor");
}
