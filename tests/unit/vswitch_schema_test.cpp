// Our Open_vSwitch schema (ovsdb/schemas/vswitch.ovsschema, written from
// ovs-vswitchd.conf.db(5)) against Open vSwitch's own vswitch.ovsschema, used
// only as the oracle and read at test time: same name and version, same
// tables, and for every table and column the same type (after expanding the
// RFC 7047 short forms and defaults), mutable, ephemeral, isRoot, maxRows and
// indexes.  Every difference is its own failed check, so one run lists them
// all.  Then ovsdb-tool must accept the file (schema-name, schema-version,
// schema-cksum, create), and its cksum must be the POSIX cksum of the file
// without its cksum line, as OVS's build checks it.
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kOursPath = XVS_VSWITCH_SCHEMA;

std::string oracle_path() {
    const char* e = std::getenv("XVS_OVS_VSWITCH_SCHEMA");
    return e && *e ? e : "/usr/share/openvswitch/vswitch.ovsschema";
}

std::string ovsdb_tool_path() {
    const char* e = std::getenv("XVS_OVSDB_TOOL");
    return e && *e ? e : "/usr/bin/ovsdb-tool";
}

bool in_ci() {
    const char* e = std::getenv("CI");
    return e && std::string(e) == "true";
}

// Concatenation without a temporary per "+".
template <typename... Parts>
std::string cat(const Parts&... parts) {
    std::string s;
    ((s += parts), ...);
    return s;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ---- normalization ---------------------------------------------------------
// A column becomes a flat map "attribute" -> canonical text, with every RFC
// 7047 default filled in, so two columns are equal iff the maps are, and a
// difference names the attribute: "key.maxInteger", "max", "ephemeral", ...
using Attrs = std::map<std::string, std::string>;

std::string atom_text(const json& a) {
    return a.dump();
}

// Canonical text of an "enum": a single atom or ["set", [atoms...]], as a
// sorted set.
std::string enum_text(const json& e) {
    std::set<std::string> atoms;
    if (e.is_array() && e.size() == 2 && e[0] == "set" && e[1].is_array()) {
        for (const auto& a : e[1]) atoms.insert(atom_text(a));
    } else {
        atoms.insert(atom_text(e));
    }
    std::string s = "{";
    for (const auto& a : atoms) s += (s.size() > 1 ? ", " : "") + a;
    return s + "}";
}

// Members each level may have (RFC 7047 §3.2 plus OVS's extensions); a
// misspelt member would otherwise silently read as its default.
const std::set<std::string> kSchemaMembers = {"name", "version", "cksum", "tables"};
const std::set<std::string> kTableMembers = {"columns", "maxRows", "isRoot", "indexes"};
const std::set<std::string> kColumnMembers = {"type", "ephemeral", "mutable"};
const std::set<std::string> kTypeMembers = {"key", "value", "min", "max"};
const std::set<std::string> kBaseMembers = {"type",    "enum",      "minInteger", "maxInteger", "minReal",
                                            "maxReal", "minLength", "maxLength",  "refTable",   "refType"};

void check_members(const json& j, const std::set<std::string>& allowed, const std::string& where,
                   std::vector<std::string>& problems) {
    if (!j.is_object()) return;
    for (const auto& [k, v] : j.items()) {
        if (!allowed.count(k)) problems.push_back(cat(where, ": unknown member \"", k, "\""));
    }
}

// <base-type>: "string" or {"type": "string", ...constraints}.
void normalize_base(const json& b, const std::string& prefix, Attrs& out, std::vector<std::string>& problems,
                    const std::string& where) {
    json o = b.is_string() ? json{{"type", b}} : b;
    check_members(o, kBaseMembers, where + " " + prefix, problems);
    const std::string type = o.value("type", std::string("(missing)"));
    out[prefix + ".type"] = type;
    if (o.contains("enum")) out[prefix + ".enum"] = enum_text(o["enum"]);
    for (const char* c : {"minInteger", "maxInteger", "minReal", "maxReal", "minLength", "maxLength"}) {
        if (o.contains(c)) out[prefix + "." + c] = o[c].dump();
    }
    if (type == "uuid") {
        out[prefix + ".refTable"] = o.contains("refTable") ? o["refTable"].get<std::string>() : "(none)";
        // refType is only meaningful with refTable; it defaults to strong.
        if (o.contains("refTable")) out[prefix + ".refType"] = o.value("refType", std::string("strong"));
    }
}

Attrs normalize_column(const json& col, std::vector<std::string>& problems, const std::string& where) {
    Attrs out;
    check_members(col, kColumnMembers, where, problems);
    // <type>: an atomic-type string, or {"key": <base-type>, "value"?, "min"?, "max"?}.
    const json t = col.value("type", json("(missing)"));
    json o = t.is_string() ? json{{"key", t}} : t;
    check_members(o, kTypeMembers, where + " type", problems);
    normalize_base(o.value("key", json("(missing)")), "key", out, problems, where);
    if (o.contains("value")) normalize_base(o["value"], "value", out, problems, where);
    out["min"] = o.contains("min") ? o["min"].dump() : "1";
    out["max"] = o.contains("max") ? (o["max"].is_string() ? o["max"].get<std::string>() : o["max"].dump()) : "1";
    out["ephemeral"] = col.value("ephemeral", false) ? "true" : "false";
    out["mutable"] = col.value("mutable", true) ? "true" : "false";
    return out;
}

std::string indexes_text(const json& table) {
    std::set<std::string> sets;
    if (table.contains("indexes")) {
        for (const auto& ix : table["indexes"]) {
            std::set<std::string> cols;
            for (const auto& c : ix) cols.insert(c.get<std::string>());
            std::string s = "[";
            for (const auto& c : cols) s += (s.size() > 1 ? ", " : "") + c;
            sets.insert(s + "]");
        }
    }
    std::string s = "{";
    for (const auto& x : sets) s += (s.size() > 1 ? ", " : "") + x;
    return s + "}";
}

Attrs normalize_table(const json& t, std::vector<std::string>& problems, const std::string& where) {
    check_members(t, kTableMembers, where, problems);
    Attrs out;
    out["isRoot"] = t.value("isRoot", false) ? "true" : "false";
    out["maxRows"] = t.contains("maxRows") ? t["maxRows"].dump() : "(unlimited)";
    out["indexes"] = indexes_text(t);
    return out;
}

std::string or_absent(const Attrs& a, const std::string& k) {
    auto it = a.find(k);
    return it == a.end() ? "(absent)" : it->second;
}

void diff_attrs(const std::string& where, const Attrs& ours, const Attrs& ovs, std::vector<std::string>& diffs) {
    std::set<std::string> keys;
    for (const auto& [k, v] : ours) keys.insert(k);
    for (const auto& [k, v] : ovs) keys.insert(k);
    for (const auto& k : keys) {
        const std::string a = or_absent(ours, k), b = or_absent(ovs, k);
        if (a != b) diffs.push_back(cat(where, ": ", k, ": ours ", a, ", OVS ", b));
    }
}

std::set<std::string> member_names(const json& j, const char* member) {
    std::set<std::string> names;
    if (j.contains(member) && j[member].is_object()) {
        for (const auto& [k, v] : j[member].items()) names.insert(k);
    }
    return names;
}

// Every semantic difference between two schemas, one message each.
std::vector<std::string> schema_diffs(const json& ours, const json& ovs) {
    std::vector<std::string> diffs;
    std::vector<std::string> ignored;  // the oracle's own unknown members are not our problem
    check_members(ours, kSchemaMembers, "schema", diffs);
    for (const char* m : {"name", "version"}) {
        const std::string a = ours.contains(m) ? ours[m].dump() : "(absent)";
        const std::string b = ovs.contains(m) ? ovs[m].dump() : "(absent)";
        if (a != b) diffs.push_back(cat("schema ", m, ": ours ", a, ", OVS ", b));
    }
    const auto ours_tables = member_names(ours, "tables"), ovs_tables = member_names(ovs, "tables");
    for (const auto& t : ours_tables) {
        if (!ovs_tables.count(t)) diffs.push_back("table " + t + ": ours has it, OVS does not");
    }
    for (const auto& t : ovs_tables) {
        if (!ours_tables.count(t)) {
            diffs.push_back("table " + t + ": OVS has it, ours does not");
            continue;
        }
        const json& a = ours["tables"][t];
        const json& b = ovs["tables"][t];
        diff_attrs(t, normalize_table(a, diffs, t), normalize_table(b, ignored, t), diffs);
        const auto ours_cols = member_names(a, "columns"), ovs_cols = member_names(b, "columns");
        for (const auto& c : ours_cols) {
            if (!ovs_cols.count(c)) diffs.push_back(cat(t, ".", c, ": ours has it, OVS does not"));
        }
        for (const auto& c : ovs_cols) {
            const std::string where = cat(t, ".", c);
            if (!ours_cols.count(c)) {
                diffs.push_back(where + ": OVS has it, ours does not");
                continue;
            }
            diff_attrs(where, normalize_column(a["columns"][c], diffs, where),
                       normalize_column(b["columns"][c], ignored, where), diffs);
        }
    }
    return diffs;
}

// ---- cksum, as OVS's build-aux/cksum-schema-check defines it ---------------
// POSIX cksum(1) of the file with every line holding the "cksum" member
// deleted (sed '/"cksum": *"[0-9][0-9]* [0-9][0-9]*",/d' FILE | cksum).
std::string posix_cksum(const std::string& data) {
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i << 24;
            for (int k = 0; k < 8; k++) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t crc = 0;
    auto feed = [&](unsigned char b) { crc = (crc << 8) ^ table[((crc >> 24) ^ b) & 0xff]; };
    for (unsigned char b : data) feed(b);
    for (uint64_t n = data.size(); n; n >>= 8) feed(static_cast<unsigned char>(n & 0xff));
    return std::to_string(~crc) + " " + std::to_string(data.size());
}

std::string schema_cksum_of_text(const std::string& text) {
    static const std::regex cksum_line(R"("cksum": *"[0-9]+ [0-9]+",)");
    std::string kept;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const bool had_newline = !in.eof();
        if (std::regex_search(line, cksum_line)) continue;
        kept += line;
        if (had_newline) kept += '\n';
    }
    return posix_cksum(kept);
}

// ---- running ovsdb-tool -----------------------------------------------------
struct RunResult {
    int status = -1;
    std::string out;
};

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

RunResult run(const std::string& cmd) {
    RunResult r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
    const int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    while (!r.out.empty() && (r.out.back() == '\n' || r.out.back() == '\r')) r.out.pop_back();
    return r;
}

RunResult ovsdb_tool(const std::string& args) {
    return run(shell_quote(ovsdb_tool_path()) + " " + args);
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "xvs-schema-XXXXXX").string();
        if (mkdtemp(tmpl.data())) path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        if (!path.empty()) fs::remove_all(path, ec);
    }
};

json load_json(const std::string& path) {
    return json::parse(read_text(path));
}

// When the oracle or ovsdb-tool is absent: SKIPPED outside CI, a failure in CI.
bool available(const std::string& path, const std::string& what) {
    if (fs::exists(path)) return true;
    if (in_ci()) {
        FAIL_CHECK(what << " " << path << " is missing (CI=true)");
    } else {
        MESSAGE("SKIPPED: " << what << " " << path << " is missing");
    }
    return false;
}

}  // namespace

TEST_CASE("normalization: short forms and defaults compare equal to their expansion") {
    const auto same = [](const json& a, const json& b) {
        std::vector<std::string> problems;
        return normalize_column(a, problems, "x") == normalize_column(b, problems, "x") && problems.empty();
    };
    CHECK(same(json::parse(R"({"type": "string"})"),
               json::parse(R"({"type": {"key": {"type": "string"}, "min": 1, "max": 1},
                               "ephemeral": false, "mutable": true})")));
    CHECK(same(json::parse(R"({"type": {"key": {"type": "uuid", "refTable": "Port"}}})"),
               json::parse(R"({"type": {"key": {"type": "uuid", "refTable": "Port", "refType": "strong"}}})")));
    CHECK(same(json::parse(R"({"type": {"key": {"type": "string", "enum": ["set", ["b", "a"]]}}})"),
               json::parse(R"({"type": {"key": {"type": "string", "enum": ["set", ["a", "b"]]}}})")));
    CHECK(same(json::parse(R"({"type": {"key": {"type": "string", "enum": "a"}}})"),
               json::parse(R"({"type": {"key": {"type": "string", "enum": ["set", ["a"]]}}})")));
    CHECK_FALSE(same(json::parse(R"({"type": {"key": "string", "min": 0}})"), json::parse(R"({"type": "string"})")));
    CHECK_FALSE(same(json::parse(R"({"type": {"key": {"type": "uuid", "refTable": "Port", "refType": "weak"}}})"),
                     json::parse(R"({"type": {"key": {"type": "uuid", "refTable": "Port"}}})")));
    CHECK_FALSE(same(json::parse(R"({"type": {"key": {"type": "integer", "maxInteger": 4095}}})"),
                     json::parse(R"({"type": {"key": {"type": "integer", "maxInteger": 4096}}})")));
    CHECK_FALSE(same(json::parse(R"({"type": {"key": "string", "max": "unlimited"}})"),
                     json::parse(R"({"type": {"key": "string", "max": 4096}})")));
    CHECK_FALSE(same(json::parse(R"({"type": "string", "ephemeral": true})"), json::parse(R"({"type": "string"})")));
    CHECK_FALSE(same(json::parse(R"({"type": "string", "mutable": false})"), json::parse(R"({"type": "string"})")));
    std::vector<std::string> problems;
    normalize_column(json::parse(R"({"type": "string", "ephemral": true})"), problems, "T.c");
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "T.c: unknown member \"ephemral\"");
}

TEST_CASE("cksum: POSIX cksum(1) over the schema text without its cksum line") {
    CHECK(posix_cksum("") == "4294967295 0");
    CHECK(posix_cksum("123456789") == "930766865 9");
    CHECK(schema_cksum_of_text("{\n  \"cksum\": \"1 2\",\n  \"a\": 1\n}\n") == posix_cksum("{\n  \"a\": 1\n}\n"));
    // The algorithm reproduces the oracle's own cksum field.
    const std::string oracle = oracle_path();
    if (!available(oracle, "OVS schema (oracle)")) return;
    const std::string text = read_text(oracle);
    CHECK(schema_cksum_of_text(text) == load_json(oracle).at("cksum").get<std::string>());
}

TEST_CASE("vswitch.ovsschema matches Open vSwitch's Open_vSwitch schema 8.3.1") {
    const json ours = load_json(kOursPath);
    CHECK(ours.value("name", "") == "Open_vSwitch");
    CHECK(ours.value("version", "") == "8.3.1");
    CHECK(member_names(ours, "tables").size() == 19);
    size_t ncols = 0;
    for (const auto& [name, t] : ours["tables"].items()) ncols += t.value("columns", json::object()).size();
    CHECK(ncols == 184);

    const std::string oracle = oracle_path();
    if (!available(oracle, "OVS schema (oracle)")) return;
    const json ovs = load_json(oracle);
    const auto diffs = schema_diffs(ours, ovs);
    for (const auto& d : diffs) FAIL_CHECK(d);
    CHECK_MESSAGE(diffs.empty(), diffs.size() << " difference(s) from " << oracle);
}

TEST_CASE("the comparison reports a changed schema, one message per difference") {
    const std::string oracle = oracle_path();
    if (!available(oracle, "OVS schema (oracle)")) return;
    // Mutate a copy of the oracle, so this holds whatever state our file is in.
    const json ovs = load_json(oracle);
    REQUIRE(schema_diffs(ovs, ovs).empty());
    json changed = ovs;
    changed["tables"]["Port"]["columns"]["tag"]["type"]["key"]["maxInteger"] = 4096;
    changed["tables"]["Mirror"]["columns"]["output_port"]["type"]["key"].erase("refType");
    changed["tables"]["Bridge"]["columns"].erase("ports");
    changed["tables"]["Queue"].erase("isRoot");
    changed["tables"]["Interface"]["columns"]["ofport"]["ephmeral"] = true;
    const auto d = schema_diffs(changed, ovs);
    const std::set<std::string> got(d.begin(), d.end());
    CHECK(got.size() == 5);
    CHECK(got.count("Port.tag: key.maxInteger: ours 4096, OVS 4095"));
    CHECK(got.count("Mirror.output_port: key.refType: ours strong, OVS weak"));
    CHECK(got.count("Bridge.ports: OVS has it, ours does not"));
    CHECK(got.count("Queue: isRoot: ours false, OVS true"));
    CHECK(got.count("Interface.ofport: unknown member \"ephmeral\""));
}

TEST_CASE("ovsdb-tool accepts vswitch.ovsschema and agrees on its cksum") {
    if (!available(ovsdb_tool_path(), "ovsdb-tool")) return;
    const std::string schema = shell_quote(kOursPath);
    const std::string text = read_text(kOursPath);
    const std::string field = json::parse(text).value("cksum", "(absent)");

    const auto name = ovsdb_tool("schema-name " + schema);
    CHECK_MESSAGE(name.status == 0, name.out);
    CHECK(name.out == "Open_vSwitch");

    const auto version = ovsdb_tool("schema-version " + schema);
    CHECK_MESSAGE(version.status == 0, version.out);
    CHECK(version.out == "8.3.1");

    const auto cksum = ovsdb_tool("schema-cksum " + schema);
    CHECK_MESSAGE(cksum.status == 0, cksum.out);
    CHECK(cksum.out == field);
    CHECK_MESSAGE(schema_cksum_of_text(text) == field,
                  "the cksum field is stale: the file's cksum is " << schema_cksum_of_text(text));

    TempDir dir;
    REQUIRE(!dir.path.empty());
    const std::string db = shell_quote((dir.path / "conf.db").string());
    const auto create = ovsdb_tool("create " + db + " " + schema);
    CHECK_MESSAGE(create.status == 0, create.out);
    const auto db_version = ovsdb_tool("db-version " + db);
    CHECK_MESSAGE(db_version.status == 0, db_version.out);
    CHECK(db_version.out == "8.3.1");
    const auto db_cksum = ovsdb_tool("db-cksum " + db);
    CHECK(db_cksum.out == field);
}
