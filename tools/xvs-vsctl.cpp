// xvs-vsctl: the ovs-vsctl command language over OVSDB JSON-RPC.
// Reads the schema and the whole database with one transact, runs every
// "--"-separated command against that copy, and commits the difference in
// one transact guarded by "wait" operations on the columns it changed
// (retried from the start when a guard fails). Unless --no-wait it also
// increments Open_vSwitch.next_cfg and waits for cur_cfg to catch up.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "util/json_framer.h"
#include "util/version.h"

using Json = nlohmann::json;

namespace {

[[noreturn]] void fatal(const std::string& msg) {
    fprintf(stderr, "xvs-vsctl: %s\n", msg.c_str());
    exit(1);
}

struct Retry {};  // a guard failed: start over

// ---------------------------------------------------------------- client
class Client {
public:
    // With 'retry' (--retry), a server that is not there yet is waited for,
    // as ovs-vsctl does (bounded by --timeout's alarm).
    Client(const std::string& spec, bool retry) {
        for (;;) {
            std::string err = try_connect(spec);
            if (err.empty()) return;
            if (!retry) fatal(spec + ": database connection failed (" + err + ")");
            sleep(1);
        }
    }
    Json call(const std::string& method, Json params) {
        Json req = {{"method", method}, {"params", std::move(params)}, {"id", ++id_}};
        std::string text = req.dump();
        size_t off = 0;
        while (off < text.size()) {
            ssize_t n = write(fd_, text.data() + off, text.size() - off);
            if (n <= 0) fatal("database connection failed (write)");
            off += n;
        }
        for (;;) {
            while (queue_.empty()) {
                char buf[65536];
                ssize_t n = read(fd_, buf, sizeof buf);
                if (n <= 0) fatal("database connection closed");
                if (!framer_.feed(std::string_view(buf, n), queue_).ok()) fatal("bad JSON from database");
            }
            Json msg = Json::parse(queue_.front());
            queue_.erase(queue_.begin());
            if (msg.contains("method") && msg["method"] == "echo") {
                Json rep = {{"result", msg["params"]}, {"error", nullptr}, {"id", msg["id"]}};
                std::string t = rep.dump();
                if (write(fd_, t.data(), t.size()) < 0) fatal("write failed");
                continue;
            }
            if (msg.value("id", Json()) != Json(id_)) continue;
            if (!msg["error"].is_null()) fatal("database error: " + msg["error"].dump());
            return msg["result"];
        }
    }

    // Connects; "" on success, else why not. A bad spec is fatal.
    std::string try_connect(const std::string& spec) {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
        if (spec.rfind("unix:", 0) == 0) {
            std::string path = spec.substr(5);
            fd_ = socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un sa{};
            sa.sun_family = AF_UNIX;
            snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
            if (connect(fd_, (sockaddr*)&sa, sizeof sa) < 0) return strerror(errno);
            return "";
        }
        if (spec.rfind("tcp:", 0) == 0) {
            std::string rest = spec.substr(4);
            auto colon = rest.rfind(':');
            std::string host = rest.substr(0, colon), port = colon == std::string::npos ? "6640" : rest.substr(colon + 1);
            if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
            addrinfo hints{}, *res = nullptr;
            hints.ai_socktype = SOCK_STREAM;
            if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || !res) return "address lookup";
            fd_ = socket(res->ai_family, SOCK_STREAM, 0);
            int rc = connect(fd_, res->ai_addr, res->ai_addrlen);
            int err = errno;
            freeaddrinfo(res);
            return rc < 0 ? strerror(err) : "";
        }
        fatal("\"" + spec + "\": unsupported database connection method");
    }

private:
    int fd_ = -1;
    int id_ = 0;
    xvs::JsonFramer framer_{64u << 20};
    std::vector<std::string> queue_;
};

// ---------------------------------------------------------------- schema/data
enum class AT { Integer, Real, Boolean, String, Uuid };
struct BaseType {
    AT type = AT::String;
    std::string ref_table;
    std::vector<Json> enums;
    std::optional<long long> min_int, max_int;
};
struct ColType {
    BaseType key;
    std::optional<BaseType> value;
    long min = 1, max = 1;  // max -1: unlimited
    bool is_map() const { return value.has_value(); }
    bool is_scalar() const { return min == 1 && max == 1 && !value; }
};
struct TableSchema {
    std::map<std::string, ColType> columns;
    std::set<std::string> immutable;
    bool is_root = false;
};
std::map<std::string, TableSchema> g_schema;

bool atom_less_fwd(const Json& a, const Json& b);
std::string atom_to_string_fwd(const Json& a, const BaseType& b);
AT at_from(const std::string& s) {
    if (s == "integer") return AT::Integer;
    if (s == "real") return AT::Real;
    if (s == "boolean") return AT::Boolean;
    if (s == "uuid") return AT::Uuid;
    return AT::String;
}
BaseType base_from(const Json& j) {
    BaseType b;
    if (j.is_string()) {
        b.type = at_from(j);
        return b;
    }
    b.type = at_from(j["type"]);
    if (j.contains("refTable")) b.ref_table = j["refTable"];
    if (j.contains("minInteger")) b.min_int = j["minInteger"].get<long long>();
    if (j.contains("maxInteger")) b.max_int = j["maxInteger"].get<long long>();
    if (j.contains("enum")) {
        const Json& e = j["enum"];
        if (e.is_array() && e.size() == 2 && e[0] == "set")
            for (auto& a : e[1]) b.enums.push_back(a);
        else
            b.enums.push_back(e);
        std::sort(b.enums.begin(), b.enums.end(), atom_less_fwd);
    }
    return b;
}
void load_schema(const Json& s) {
    for (auto& [tname, t] : s["tables"].items()) {
        TableSchema ts;
        ts.is_root = t.value("isRoot", false);
        for (auto& [cname, c] : t["columns"].items()) {
            ColType ct;
            const Json& ty = c["type"];
            if (ty.is_string()) {
                ct.key.type = at_from(ty);
            } else {
                ct.key = base_from(ty["key"]);
                if (ty.contains("value")) ct.value = base_from(ty["value"]);
                ct.min = ty.value("min", 1);
                if (ty.contains("max")) ct.max = ty["max"].is_string() ? -1 : ty["max"].get<long>();
            }
            ts.columns[cname] = ct;
            if (!c.value("mutable", true)) ts.immutable.insert(cname);
        }
        ColType u;
        u.key.type = AT::Uuid;
        ts.columns["_uuid"] = u;
        g_schema[tname] = ts;
    }
}

// Atoms are JSON scalars; uuids are strings (a named uuid starts with '@').
struct Datum {
    std::vector<Json> keys, vals;
};

bool atom_less(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
    return a < b;
}
bool atom_less_fwd(const Json& a, const Json& b) { return atom_less(a, b); }
void datum_sort(Datum& d, bool is_map) {
    std::vector<size_t> idx(d.keys.size());
    for (size_t i = 0; i < idx.size(); i++) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return atom_less(d.keys[x], d.keys[y]); });
    Datum out;
    for (size_t i : idx) {
        if (!out.keys.empty() && out.keys.back() == d.keys[i]) {
            if (is_map) out.vals.back() = d.vals[i];
            continue;
        }
        out.keys.push_back(d.keys[i]);
        if (is_map) out.vals.push_back(d.vals[i]);
    }
    d = std::move(out);
}

Json atom_from_wire(const Json& j) {
    if (j.is_array() && j.size() == 2 && (j[0] == "uuid" || j[0] == "named-uuid")) return j[1];
    return j;
}
Datum datum_from_wire(const Json& j, const ColType& t) {
    Datum d;
    if (j.is_array() && j.size() == 2 && j[0] == "set") {
        for (auto& a : j[1]) d.keys.push_back(atom_from_wire(a));
    } else if (j.is_array() && j.size() == 2 && j[0] == "map") {
        for (auto& p : j[1]) {
            d.keys.push_back(atom_from_wire(p[0]));
            d.vals.push_back(atom_from_wire(p[1]));
        }
    } else {
        d.keys.push_back(atom_from_wire(j));
    }
    datum_sort(d, t.is_map());
    return d;
}
Json atom_to_wire(const Json& a, const BaseType& b) {
    if (b.type == AT::Uuid) {
        std::string s = a;
        if (!s.empty() && s[0] == '@') return Json::array({"named-uuid", "row" + s.substr(1)});
        return Json::array({"uuid", s});
    }
    return a;
}
Json datum_to_wire(const Datum& d, const ColType& t) {
    if (t.is_map()) {
        Json arr = Json::array();
        for (size_t i = 0; i < d.keys.size(); i++)
            arr.push_back(Json::array({atom_to_wire(d.keys[i], t.key), atom_to_wire(d.vals[i], *t.value)}));
        return Json::array({"map", arr});
    }
    if (d.keys.size() == 1) return atom_to_wire(d.keys[0], t.key);
    Json arr = Json::array();
    for (auto& k : d.keys) arr.push_back(atom_to_wire(k, t.key));
    return Json::array({"set", arr});
}

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit((unsigned char)s[i])) {
            return false;
        }
    }
    return true;
}

bool string_needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    unsigned char c = s[0];
    if (!isalpha(c) && c != '_') return true;
    for (unsigned char ch : s)
        if (!isalnum(ch) && ch != '_' && ch != '-' && ch != '.') return true;
    if (s == "true" || s == "false") return true;
    if (is_uuid(s)) return true;
    return false;
}

std::string fmt_real(double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    // OVS prints the shortest form that round-trips.
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, v);
        if (strtod(buf, nullptr) == v) {
            s = buf;
            break;
        }
    }
    return s;
}

std::string atom_to_string(const Json& a, const BaseType& b) {
    switch (b.type) {
    case AT::Integer: return std::to_string(a.get<long long>());
    case AT::Real: return fmt_real(a.get<double>());
    case AT::Boolean: return a.get<bool>() ? "true" : "false";
    case AT::Uuid: return a.get<std::string>();
    case AT::String: {
        std::string s = a;
        return string_needs_quotes(s) ? Json(s).dump() : s;
    }
    }
    return "";
}
std::string atom_to_string_fwd(const Json& a, const BaseType& b) { return atom_to_string(a, b); }
std::string datum_to_string(const Datum& d, const ColType& t) {
    std::string out;
    if (t.is_map()) {
        out = "{";
        for (size_t i = 0; i < d.keys.size(); i++) {
            if (i) out += ", ";
            out += atom_to_string(d.keys[i], t.key) + "=" + atom_to_string(d.vals[i], *t.value);
        }
        return out + "}";
    }
    bool brackets = t.max != 1 || d.keys.empty();
    if (brackets) out = "[";
    for (size_t i = 0; i < d.keys.size(); i++) {
        if (i) out += ", ";
        out += atom_to_string(d.keys[i], t.key);
    }
    if (brackets) out += "]";
    return out;
}
// --bare: atoms separated by spaces, no brackets or quotes.
std::string datum_to_bare(const Datum& d, const ColType& t) {
    std::string out;
    for (size_t i = 0; i < d.keys.size(); i++) {
        if (i) out += " ";
        auto bare = [](const Json& a, const BaseType& b) {
            return b.type == AT::String ? a.get<std::string>() : atom_to_string(a, b);
        };
        out += bare(d.keys[i], t.key);
        if (t.is_map()) out += "=" + bare(d.vals[i], *t.value);
    }
    return out;
}

// ---------------------------------------------------------------- parsing values
struct Lexer {
    const std::string& s;
    size_t p = 0;
    void ws() {
        while (p < s.size() && isspace((unsigned char)s[p])) p++;
    }
};

std::map<std::string, std::string> g_symbols;  // @name -> "@N"
int g_next_symbol = 0;

Json parse_atom_raw(Lexer& lx, const BaseType& b, const std::string& delims);
// One atom, stopping at any of delims (outside quotes), checked against
// the column's constraints as ovs-vsctl does before sending anything.
Json parse_atom(Lexer& lx, const BaseType& b, const std::string& delims) {
    Json a = parse_atom_raw(lx, b, delims);
    if (!b.enums.empty() && std::find(b.enums.begin(), b.enums.end(), a) == b.enums.end()) {
        std::string allowed;
        for (auto& e : b.enums) allowed += (allowed.empty() ? "" : ", ") + atom_to_string_fwd(e, b);
        if (b.enums.size() > 1) allowed = "[" + allowed + "]";
        fatal("constraint violation: " + atom_to_string_fwd(a, b) + " is not one of the allowed values (" + allowed + ")");
    }
    if (b.type == AT::Integer) {
        long long v = a.get<long long>();
        if (b.min_int && b.max_int && (v < *b.min_int || v > *b.max_int))
            fatal("constraint violation: " + std::to_string(v) + " is not in the valid range " +
                  std::to_string(*b.min_int) + " to " + std::to_string(*b.max_int) + " (inclusive)");
        if (b.min_int && !b.max_int && v < *b.min_int)
            fatal("constraint violation: " + std::to_string(v) + " is less than minimum allowed value " +
                  std::to_string(*b.min_int));
        if (!b.min_int && b.max_int && v > *b.max_int)
            fatal("constraint violation: " + std::to_string(v) + " is greater than maximum allowed value " +
                  std::to_string(*b.max_int));
    }
    return a;
}
Json parse_atom_raw(Lexer& lx, const BaseType& b, const std::string& delims) {
    lx.ws();
    std::string tok;
    bool quoted = false;
    if (lx.p < lx.s.size() && lx.s[lx.p] == '"') {
        size_t start = lx.p++;
        while (lx.p < lx.s.size() && lx.s[lx.p] != '"') {
            if (lx.s[lx.p] == '\\') lx.p++;
            lx.p++;
        }
        if (lx.p >= lx.s.size()) fatal(lx.s + ": unterminated quoted string");
        lx.p++;
        tok = Json::parse(lx.s.substr(start, lx.p - start)).get<std::string>();
        quoted = true;
    } else {
        while (lx.p < lx.s.size() && delims.find(lx.s[lx.p]) == std::string::npos) tok += lx.s[lx.p++];
        while (!tok.empty() && isspace((unsigned char)tok.back())) tok.pop_back();
    }
    switch (b.type) {
    case AT::String:
        if (!quoted && tok.empty()) fatal("\"" + lx.s + "\": syntax error: missing value");
        return tok;
    case AT::Integer: {
        char* end;
        errno = 0;
        long long v = strtoll(tok.c_str(), &end, 10);
        if (quoted || tok.empty() || *end || errno) fatal("\"" + tok + "\" is not a valid integer");
        return v;
    }
    case AT::Real: {
        char* end;
        double v = strtod(tok.c_str(), &end);
        if (quoted || tok.empty() || *end) fatal("\"" + tok + "\" is not a valid real number");
        return v;
    }
    case AT::Boolean:
        if (tok == "true") return true;
        if (tok == "false") return false;
        fatal("\"" + tok + "\" is not a valid boolean (use \"true\" or \"false\")");
    case AT::Uuid:
        if (!tok.empty() && tok[0] == '@') {
            auto it = g_symbols.find(tok);
            if (it == g_symbols.end()) {
                it = g_symbols.emplace(tok, "@" + std::to_string(g_next_symbol++)).first;
            }
            return it->second;
        }
        if (!is_uuid(tok)) fatal("\"" + tok + "\" is not a valid UUID");
        return tok;
    }
    return nullptr;
}

Datum parse_datum(const std::string& text, const ColType& t) {
    Lexer lx{text};
    lx.ws();
    Datum d;
    bool bracketed = false;
    char close = 0;
    if (lx.p < text.size() && (text[lx.p] == '[' || text[lx.p] == '{')) {
        close = text[lx.p] == '[' ? ']' : '}';
        lx.p++;
        bracketed = true;
    }
    lx.ws();
    std::string delims = bracketed ? std::string(",") + close : ",";
    if (!(bracketed && lx.p < text.size() && text[lx.p] == close) && !(!bracketed && lx.p >= text.size() && !t.is_scalar())) {
        for (;;) {
            if (t.is_map()) {
                d.keys.push_back(parse_atom(lx, t.key, delims + "="));
                lx.ws();
                if (lx.p >= text.size() || text[lx.p] != '=') fatal("\"" + text + "\": syntax error: missing \"=\"");
                lx.p++;
                d.vals.push_back(parse_atom(lx, *t.value, delims));
            } else {
                d.keys.push_back(parse_atom(lx, t.key, delims));
            }
            lx.ws();
            if (lx.p < text.size() && text[lx.p] == ',') {
                lx.p++;
                continue;
            }
            break;
        }
    }
    if (bracketed) {
        lx.ws();
        if (lx.p >= text.size() || text[lx.p] != close) fatal("\"" + text + "\": syntax error");
        lx.p++;
    }
    lx.ws();
    if (lx.p != text.size()) fatal("\"" + text + "\": trailing garbage");
    datum_sort(d, t.is_map());
    return d;
}

// ---------------------------------------------------------------- database copy
struct Row {
    std::string uuid;
    std::map<std::string, Datum> cols;
};
struct Table {
    std::map<std::string, Row> rows;  // by uuid
};
std::map<std::string, Table> g_db;
std::map<std::string, std::map<std::string, Datum>> g_orig;  // uuid -> original columns (for guards)
std::map<std::string, std::string> g_row_table;              // uuid -> table
std::set<std::string> g_inserted, g_deleted;
std::map<std::string, std::set<std::string>> g_modified;  // uuid -> columns
// Columns read to decide what to do (as ovs-vsctl verifies them): the
// commit asserts them unchanged too.
std::map<std::string, std::set<std::string>> g_verify;

const ColType& col_type(const std::string& table, const std::string& col) {
    return g_schema.at(table).columns.at(col);
}


Row* find_row(const std::string& table, const std::string& uuid) {
    auto& rows = g_db[table].rows;
    auto it = rows.find(uuid);
    return it == rows.end() ? nullptr : &it->second;
}


void set_col(const std::string& table, Row& r, const std::string& col, Datum d) {
    if (!g_inserted.count(r.uuid) && (col == "_uuid" || g_schema.at(table).immutable.count(col)))
        fatal("cannot modify read-only column " + col + " in table " + table);
    datum_sort(d, col_type(table, col).is_map());
    r.cols[col] = std::move(d);
    if (!g_inserted.count(r.uuid)) g_modified[r.uuid].insert(col);
}

std::string insert_row(const std::string& table, const std::string& symbol = "") {
    std::string id = symbol.empty() ? "@" + std::to_string(g_next_symbol++) : symbol;
    Row r;
    r.uuid = id;
    auto& ts = g_schema.at(table);
    for (auto& [c, t] : ts.columns) {
        if (c == "_uuid") continue;
        Datum d;
        if (t.min == 1 && !t.is_map()) {
            switch (t.key.type) {
            case AT::Integer: d.keys.push_back(0); break;
            case AT::Real: d.keys.push_back(0.0); break;
            case AT::Boolean: d.keys.push_back(false); break;
            case AT::String: d.keys.push_back(""); break;
            case AT::Uuid: break;
            }
        }
        r.cols[c] = d;
    }
    g_db[table].rows[id] = r;
    g_row_table[id] = table;
    g_inserted.insert(id);
    return id;
}

void delete_row(const std::string& table, const std::string& uuid) {
    g_db[table].rows.erase(uuid);
    if (g_inserted.count(uuid))
        g_inserted.erase(uuid);
    else
        g_deleted.insert(uuid);
}

void load_db(Client& c) {
    Json ops = Json::array({"Open_vSwitch"});
    std::vector<std::string> names;
    for (auto& [t, ts] : g_schema) {
        ops.push_back({{"op", "select"}, {"table", t}, {"where", Json::array()}});
        names.push_back(t);
    }
    Json res = c.call("transact", ops);
    g_db.clear();
    g_orig.clear();
    g_row_table.clear();
    g_inserted.clear();
    g_deleted.clear();
    g_modified.clear();
    g_verify.clear();
    for (size_t i = 0; i < names.size(); i++) {
        auto& tab = g_db[names[i]];
        if (res[i].contains("error")) fatal("select failed: " + res[i].dump());
        for (auto& jr : res[i]["rows"]) {
            Row r;
            r.uuid = jr["_uuid"][1];
            for (auto& [cn, ct] : g_schema[names[i]].columns) {
                if (cn == "_uuid") continue;
                r.cols[cn] = jr.contains(cn) ? datum_from_wire(jr[cn], ct) : Datum{};
            }
            g_orig[r.uuid] = r.cols;
            g_row_table[r.uuid] = names[i];
            tab.rows[r.uuid] = std::move(r);
        }
    }
}

// ---------------------------------------------------------------- vsctl model
Row* ovs_row() {
    auto& rows = g_db["Open_vSwitch"].rows;
    if (rows.empty()) insert_row("Open_vSwitch");
    return &rows.begin()->second;
}

std::string str_col(Row& r, const std::string& c) {
    auto& d = r.cols[c];
    return d.keys.empty() ? "" : d.keys[0].get<std::string>();
}

struct Br {
    Row* row = nullptr;      // the Bridge (for a fake bridge: its parent's)
    std::string name;
    Br* parent = nullptr;
    int vlan = 0;
};
struct Pt {
    Row* row;
    Br* br;
};
struct If {
    Row* row;
    Pt* port;
};
struct Cache {
    std::map<std::string, Br> bridges;
    std::map<std::string, Pt> ports;
    std::map<std::string, If> ifaces;
};

void add_uuid(const std::string& table, Row& r, const std::string& col, const std::string& uuid) {
    Datum d = r.cols[col];
    d.keys.push_back(uuid);
    set_col(table, r, col, d);
}
void remove_uuid(const std::string& table, Row& r, const std::string& col, const std::string& uuid) {
    Datum d = r.cols[col];
    d.keys.erase(std::remove(d.keys.begin(), d.keys.end(), Json(uuid)), d.keys.end());
    set_col(table, r, col, d);
}

Cache build_cache() {
    Cache c;
    Row* ovs = ovs_row();
    g_verify[ovs->uuid].insert("bridges");
    for (auto& bu : ovs->cols["bridges"].keys) g_verify[bu].insert("ports");
    for (auto& [pu, p] : g_db["Port"].rows) {
        g_verify[pu].insert("interfaces");
        g_verify[pu].insert("tag");
        g_verify[pu].insert("fake_bridge");
    }
    for (auto& bu : ovs->cols["bridges"].keys) {
        Row* br = find_row("Bridge", bu);
        if (!br) continue;
        std::string name = str_col(*br, "name");
        if (c.bridges.count(name)) continue;
        Br& b = c.bridges[name];
        b.row = br;
        b.name = name;
    }
    // Fake bridges: a port with a tag and fake_bridge=true.
    for (auto& [bn, b] : std::map<std::string, Br>(c.bridges)) {
        Br* real = &c.bridges[bn];
        for (auto& pu : real->row->cols["ports"].keys) {
            Row* p = find_row("Port", pu);
            if (!p) continue;
            auto& fb = p->cols["fake_bridge"];
            auto& tag = p->cols["tag"];
            if (!fb.keys.empty() && fb.keys[0] == true && !tag.keys.empty()) {
                std::string name = str_col(*p, "name");
                Br& f = c.bridges[name];
                f.row = real->row;
                f.name = name;
                f.parent = real;
                f.vlan = tag.keys[0].get<int>();
            }
        }
    }
    for (auto& [bn, b] : c.bridges) {
        if (b.parent) continue;
        for (auto& pu : b.row->cols["ports"].keys) {
            Row* p = find_row("Port", pu);
            if (!p) continue;
            std::string pname = str_col(*p, "name");
            Br* owner = &b;
            auto& tag = p->cols["tag"];
            if (!tag.keys.empty()) {
                for (auto& [fn, f] : c.bridges)
                    if (f.parent == &b && f.vlan == tag.keys[0].get<int>()) owner = &f;
            }
            if (c.ports.count(pname)) continue;
            Pt& pt = c.ports[pname];
            pt.row = p;
            pt.br = owner;
            for (auto& iu : p->cols["interfaces"].keys) {
                Row* i = find_row("Interface", iu);
                if (!i) continue;
                std::string iname = str_col(*i, "name");
                if (c.ifaces.count(iname)) continue;
                c.ifaces[iname] = If{i, &pt};
            }
        }
    }
    return c;
}

// ---------------------------------------------------------------- commands
struct Command {
    std::string name;
    std::vector<std::string> args;
    std::map<std::string, std::string> opts;  // "--if-exists" -> ""
    std::string output;
    bool has(const std::string& o) const { return opts.count(o) > 0; }
};

struct Global {
    std::string db;
    bool no_wait = false;
    bool retry = false;  // --retry: wait for the server to appear
    int timeout = 0;
    bool oneline = false;
    bool dry_run = false;
} g;


Br& need_bridge(Cache& c, const std::string& name) {
    auto it = c.bridges.find(name);
    if (it == c.bridges.end()) fatal("no bridge named " + name);
    return it->second;
}


// COLUMN[:KEY]=VALUE and friends.
struct Setting {
    std::string column, key, value, op;
    bool has_key = false, has_value = false;
};

// How well 'given' names 'name', as ovs-vsctl scores it: an exact match
// beats a match with '-' for '_', which beats a prefix (scored by its
// length); 0 is no match.
unsigned match_score(const std::string& name, const std::string& given) {
    if (name == given) return UINT_MAX;
    size_t i = 0;
    for (;; i++) {
        if (i == name.size() && i == given.size()) return UINT_MAX - 1;
        if (i == name.size() || i == given.size()) break;
        if (name[i] != given[i] && !(name[i] == '_' && given[i] == '-')) break;
    }
    return i == given.size() ? static_cast<unsigned>(i) : 0;
}

std::string match_column(const std::string& table, const std::string& name) {
    auto& cols = g_schema.at(table).columns;
    std::string found;
    unsigned best = 0;
    bool tie = false;
    for (auto& [c, t] : cols) {
        unsigned score = match_score(c, name);
        if (score > best) {
            best = score;
            found = c;
            tie = false;
        } else if (score && score == best) {
            tie = true;
        }
    }
    if (tie) fatal(table + " contains more than one column whose name matches \"" + name + "\"");
    if (found.empty()) fatal(table + " does not contain a column whose name matches \"" + name + "\"");
    return found;
}

Setting parse_setting(const std::string& table, const std::string& arg, bool want_value,
                      const std::vector<std::string>& ops = {"="}) {
    Setting s;
    size_t i = 0;
    while (i < arg.size() && arg[i] != ':' && arg[i] != '=' && arg[i] != '!' && arg[i] != '<' && arg[i] != '>' &&
           arg[i] != '{')
        i++;
    s.column = match_column(table, arg.substr(0, i));
    if (i < arg.size() && arg[i] == ':') {
        size_t j = ++i;
        if (j < arg.size() && arg[j] == '"') {
            Lexer lx{arg, j};
            s.key = parse_atom(lx, BaseType{}, "").get<std::string>();
            i = lx.p;
        } else {
            while (i < arg.size() && arg[i] != '=' && arg[i] != '!' && arg[i] != '<' && arg[i] != '>' && arg[i] != '{') i++;
            s.key = arg.substr(j, i - j);
        }
        s.has_key = true;
    }
    if (i < arg.size()) {
        std::string best;
        for (auto& o : ops)
            if (arg.compare(i, o.size(), o) == 0 && o.size() > best.size()) best = o;
        if (best.empty()) fatal(arg + ": argument does not end in \"=\" followed by a value.");
        s.op = best;
        s.value = arg.substr(i + best.size());
        s.has_value = true;
    } else if (want_value) {
        fatal(arg + ": argument does not end in \"=\" followed by a value.");
    }
    return s;
}

ColType key_type_of(const ColType& t) {
    ColType k;
    k.key = t.key;
    return k;
}
ColType value_type_of(const ColType& t) {
    ColType v;
    v.key = *t.value;
    return v;
}

void apply_set(const std::string& table, Row& r, const std::string& arg) {
    Setting s = parse_setting(table, arg, true);
    const ColType& t = col_type(table, s.column);
    if (s.has_key) {
        if (!t.is_map()) fatal("cannot specify key to set for non-map column " + s.column);
        Lexer lx{s.key};
        Json k = parse_atom(lx, t.key, "");
        Datum v = parse_datum(s.value, value_type_of(t));
        if (v.keys.size() != 1) fatal("\"" + s.value + "\": syntax error");
        Datum d = r.cols[s.column];
        d.keys.push_back(k);
        d.vals.push_back(v.keys[0]);
        // Later entry wins in datum_sort for maps.
        set_col(table, r, s.column, d);
    } else {
        set_col(table, r, s.column, parse_datum(s.value, t));
    }
}

// Record lookup by name, "." or uuid.
struct RowId {
    const char* table;
    const char* name_col;  // nullptr: the only row
    const char* uuid_col = nullptr;
};
std::string lookup_row(const std::string& table, const std::string& rec, bool must) {
    if (is_uuid(rec) && find_row(table, rec)) return rec;
    if (rec[0] == '@' && g_symbols.count(rec)) {
        std::string s = g_symbols[rec];
        if (find_row(table, s)) return s;
    }
    if (table == "Open_vSwitch" && rec == ".") return ovs_row()->uuid;
    static const std::map<std::string, std::string> names = {
        {"Bridge", "name"}, {"Port", "name"}, {"Interface", "name"}, {"Controller", "target"},
        {"Manager", "target"}, {"Mirror", "name"}, {"Flow_Table", "name"}, {"Datapath", ""},
        {"NetFlow", ""}, {"sFlow", ""}, {"IPFIX", ""}, {"SSL", ""}, {"QoS", ""}, {"Queue", ""}};
    if (table == "Controller" || table == "NetFlow" || table == "sFlow" || table == "Mirror" || table == "IPFIX") {
        // By bridge name.
        std::string col = table == "Controller" ? "controller" : table == "NetFlow" ? "netflow" : table == "sFlow" ? "sflow" : table == "IPFIX" ? "ipfix" : "";
        if (!col.empty()) {
            for (auto& [u, br] : g_db["Bridge"].rows) {
                if (str_col(br, "name") == rec) {
                    auto& d = br.cols[col];
                    if (d.keys.size() == 1) return d.keys[0];
                }
            }
        }
    }
    auto it = names.find(table);
    if (it != names.end() && !it->second.empty()) {
        std::string found;
        for (auto& [u, r] : g_db[table].rows) {
            auto& d = r.cols[it->second];
            if (d.keys.size() == 1 && d.keys[0].is_string() && d.keys[0] == rec) {
                if (!found.empty()) fatal("multiple rows in " + table + " match \"" + rec + "\"");
                found = u;
            }
        }
        if (!found.empty()) return found;
    }
    // An abbreviated uuid (at least 4 hex digits) that names one row.
    if (rec.size() >= 4 && rec.size() < 36 && rec.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos) {
        std::string lower = rec, found;
        for (auto& ch : lower) ch = tolower((unsigned char)ch);
        int n = 0;
        for (auto& [u, r] : g_db[table].rows)
            if (u.rfind(lower, 0) == 0) {
                found = u;
                n++;
            }
        if (n == 1) return found;
    }
    if (must) fatal("no row \"" + rec + "\" in table " + table);
    return "";
}

std::string match_table(const std::string& name) {
    if (g_schema.count(name)) return name;
    std::string found;
    for (auto& [t, ts] : g_schema) {
        if (strncasecmp(t.c_str(), name.c_str(), name.size()) == 0 && t.size() >= name.size()) {
            if (strcasecmp(t.c_str(), name.c_str()) == 0) return t;
            if (!found.empty()) fatal("multiple table names match \"" + name + "\"");
            found = t;
        }
    }
    if (found.empty()) fatal("unknown table \"" + name + "\"");
    return found;
}

std::vector<std::string> list_columns(const std::string& table, const Command& cmd) {
    std::vector<std::string> cols;
    if (cmd.opts.count("--columns")) {
        std::string s = cmd.opts.at("--columns");
        size_t p = 0;
        while (p <= s.size()) {
            size_t q = s.find(',', p);
            if (q == std::string::npos) q = s.size();
            cols.push_back(match_column(table, s.substr(p, q - p)));
            p = q + 1;
        }
        return cols;
    }
    cols.push_back("_uuid");
    for (auto& [c, t] : g_schema.at(table).columns)
        if (c != "_uuid") cols.push_back(c);
    return cols;
}

Datum col_value(Row& r, const std::string& c) {
    if (c == "_uuid") {
        Datum d;
        d.keys.push_back(r.uuid);
        return d;
    }
    return r.cols[c];
}

struct Format {
    std::string format = "list";  // list, table, csv, json
    std::string data = "string";  // string, bare, json
    bool headings = true;
} g_fmt;

std::string csv_quote(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string o = "\"";
    for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
    return o + "\"";
}

void print_rows(Command& cmd, const std::string& table, const std::vector<std::string>& uuids) {
    auto cols = list_columns(table, cmd);
    std::vector<std::vector<std::string>> cells;
    Json jdata = Json::array();
    for (auto& u : uuids) {
        Row* r = find_row(table, u);
        std::vector<std::string> line;
        Json jline = Json::array();
        for (auto& c : cols) {
            const ColType& t = col_type(table, c);
            Datum d = col_value(*r, c);
            jline.push_back(datum_to_wire(d, t));
            line.push_back(g_fmt.data == "bare"   ? datum_to_bare(d, t)
                           : g_fmt.data == "json" ? datum_to_wire(d, t).dump()
                                                  : datum_to_string(d, t));
        }
        cells.push_back(line);
        jdata.push_back(jline);
    }
    if (g_fmt.format == "json") {
        cmd.output += Json{{"data", jdata}, {"headings", cols}}.dump() + "\n";
    } else if (g_fmt.format == "csv") {
        std::vector<std::string> out;
        if (g_fmt.headings) out.push_back([&] { std::string l; for (size_t i = 0; i < cols.size(); i++) l += (i ? "," : "") + csv_quote(cols[i]); return l; }());
        for (auto& line : cells) {
            std::string l;
            for (size_t i = 0; i < line.size(); i++) l += (i ? "," : "") + csv_quote(line[i]);
            out.push_back(l);
        }
        for (auto& l : out) cmd.output += l + "\n";
    } else if (g_fmt.format == "table") {
        std::vector<size_t> w(cols.size(), 0);
        for (size_t i = 0; i < cols.size(); i++) {
            if (g_fmt.headings) w[i] = cols[i].size();
            for (auto& line : cells) w[i] = std::max(w[i], line[i].size());
        }
        auto emit = [&](const std::vector<std::string>& line) {
            std::string l;
            for (size_t i = 0; i < line.size(); i++) {
                if (i) l += " ";
                l += line[i] + std::string(w[i] - line[i].size(), ' ');
            }
            while (!l.empty() && l.back() == ' ') l.pop_back();
            cmd.output += l + "\n";
        };
        if (g_fmt.headings) {
            emit(cols);
            std::vector<std::string> dashes;
            for (size_t i = 0; i < cols.size(); i++) dashes.push_back(std::string(w[i], '-'));
            emit(dashes);
        }
        for (auto& line : cells) emit(line);
    } else {
        bool first = true;
        for (auto& line : cells) {
            if (!first) cmd.output += "\n";
            first = false;
            for (size_t i = 0; i < cols.size(); i++) {
                if (g_fmt.headings) {
                    char head[64];
                    snprintf(head, sizeof head, "%-20s: ", cols[i].c_str());
                    cmd.output += head;
                }
                cmd.output += line[i] + "\n";
            }
        }
    }
}

bool datum_equal(const Datum& a, const Datum& b) { return a.keys == b.keys && a.vals == b.vals; }
bool datum_includes(const Datum& big, const Datum& small, bool is_map) {
    for (size_t i = 0; i < small.keys.size(); i++) {
        bool ok = false;
        for (size_t j = 0; j < big.keys.size(); j++)
            if (big.keys[j] == small.keys[i] && (!is_map || big.vals[j] == small.vals[i])) ok = true;
        if (!ok) return false;
    }
    return true;
}

// Evaluates COLUMN[:KEY]{op}VALUE against a row.
bool row_matches(const std::string& table, Row& r, const std::string& arg) {
    static const std::vector<std::string> ops = {"=", "!=", "<", ">", "<=", ">=", "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}"};
    Setting s = parse_setting(table, arg, true, ops);
    const ColType& t = col_type(table, s.column);
    Datum have = col_value(r, s.column);
    Datum want;
    ColType cmp_t = t;
    if (s.has_key) {
        if (!t.is_map()) fatal("cannot specify key to check for non-map column " + s.column);
        Lexer lx{s.key};
        Json k = parse_atom(lx, t.key, "");
        Datum v;
        for (size_t i = 0; i < have.keys.size(); i++)
            if (have.keys[i] == k) v.keys.push_back(have.vals[i]);
        have = v;
        cmp_t = value_type_of(t);
        cmp_t.min = 0;
        cmp_t.max = 1;
        if (have.keys.empty() && s.op[0] != '{') return s.op == "!=";
    }
    want = parse_datum(s.value, cmp_t);
    std::string op = s.op;
    if (op == "=" || op == "{=}") return datum_equal(have, want);
    if (op == "!=" || op == "{!=}") return !datum_equal(have, want);
    if (op == "{<=}") return datum_includes(want, have, cmp_t.is_map());
    if (op == "{>=}") return datum_includes(have, want, cmp_t.is_map());
    if (op == "{<}") return datum_includes(want, have, cmp_t.is_map()) && !datum_equal(have, want);
    if (op == "{>}") return datum_includes(have, want, cmp_t.is_map()) && !datum_equal(have, want);
    if (have.keys.size() != 1 || want.keys.size() != 1) return false;
    bool lt = atom_less(have.keys[0], want.keys[0]), eq = have.keys[0] == want.keys[0];
    if (op == "<") return lt;
    if (op == ">") return !lt && !eq;
    if (op == "<=") return lt || eq;
    if (op == ">=") return !lt;
    return false;
}

bool g_wait_retry = false;  // wait-until not yet satisfied

void check_args(const Command& c, size_t min, size_t max) {
    if (c.args.size() < min)
        fatal("'" + c.name + "' command requires at least " + std::to_string(min) + " arguments");
    if (c.args.size() > max)
        fatal("'" + c.name + "' command takes at most " + std::to_string(max) + " arguments");
}

void del_port_row(Cache&, Pt& p) {
    remove_uuid("Bridge", *p.br->row, "ports", p.row->uuid);
}

void del_bridge(Cache& c, Br& b) {
    if (b.parent) {
        for (auto& [pn, p] : c.ports)
            if (p.br == &b) remove_uuid("Bridge", *b.row, "ports", p.row->uuid);
        return;
    }
    remove_uuid("Open_vSwitch", *ovs_row(), "bridges", b.row->uuid);
}

void run_command(Command& cmd) {
    const std::string& n = cmd.name;
    auto& a = cmd.args;
    if (n == "init") {
        check_args(cmd, 0, 0);
        ovs_row();
    } else if (n == "add-br") {
        check_args(cmd, 1, 3);
        if (a.size() == 2) fatal("'add-br' command takes exactly 1 or 3 arguments");
        Cache c = build_cache();
        const std::string& name = a[0];
        if (c.bridges.count(name)) {
            if (cmd.has("--may-exist")) {
                Br& b = c.bridges[name];
                if (a.size() == 3) {
                    if (!b.parent)
                        fatal("\"--may-exist add-br " + name + " " + a[1] + " " + a[2] + "\" but " + name +
                              " is not a VLAN bridge");
                    if (b.parent->name != a[1])
                        fatal("\"--may-exist add-br " + name + " " + a[1] + " " + a[2] + "\" but " + name +
                              " has the wrong parent " + b.parent->name);
                    if (std::to_string(b.vlan) != a[2])
                        fatal("\"--may-exist add-br " + name + " " + a[1] + " " + a[2] + "\" but " + name +
                              " is a VLAN bridge for the wrong VLAN " + std::to_string(b.vlan));
                } else if (b.parent) {
                    fatal("\"--may-exist add-br " + name + "\" but " + name + " is a VLAN bridge for VLAN " +
                          std::to_string(b.vlan));
                }
                return;
            }
            fatal("cannot create a bridge named " + name + " because a bridge named " + name + " already exists");
        }
        if (c.ports.count(name))
            fatal("cannot create a bridge named " + name + " because a port named " + name +
                  " already exists on bridge " + c.ports[name].br->name);
        if (c.ifaces.count(name))
            fatal("cannot create a bridge named " + name + " because an interface named " + name +
                  " already exists on bridge " + c.ifaces[name].port->br->name);
        std::string iu = insert_row("Interface");
        Row& ir = *find_row("Interface", iu);
        set_col("Interface", ir, "name", Datum{{name}, {}});
        set_col("Interface", ir, "type", Datum{{"internal"}, {}});
        std::string pu = insert_row("Port");
        Row& pr = *find_row("Port", pu);
        set_col("Port", pr, "name", Datum{{name}, {}});
        set_col("Port", pr, "interfaces", Datum{{iu}, {}});
        if (a.size() == 1) {
            std::string bu = insert_row("Bridge");
            Row& br = *find_row("Bridge", bu);
            set_col("Bridge", br, "name", Datum{{name}, {}});
            set_col("Bridge", br, "ports", Datum{{pu}, {}});
            add_uuid("Open_vSwitch", *ovs_row(), "bridges", bu);
        } else {
            auto pit = c.bridges.find(a[1]);
            if (pit == c.bridges.end()) fatal("parent bridge " + a[1] + " does not exist");
            if (pit->second.parent) fatal("cannot create bridge with fake bridge as parent");
            char* end;
            long vlan = strtol(a[2].c_str(), &end, 10);
            if (*end || a[2].empty() || vlan < 0 || vlan > 4095)
                fatal("vlan must be between 0 and 4095 (got " + a[2] + ")");
            set_col("Port", pr, "fake_bridge", Datum{{true}, {}});
            set_col("Port", pr, "tag", Datum{{vlan}, {}});
            add_uuid("Bridge", *pit->second.row, "ports", pu);
        }
    } else if (n == "del-br") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        auto it = c.bridges.find(a[0]);
        if (it == c.bridges.end()) {
            if (cmd.has("--if-exists")) return;
            fatal("no bridge named " + a[0]);
        }
        // Fake bridges on it go too (their ports are on it).
        del_bridge(c, it->second);
    } else if (n == "list-br") {
        check_args(cmd, 0, 0);
        Cache c = build_cache();
        for (auto& [bn, b] : c.bridges) {
            if (cmd.has("--real") && b.parent) continue;
            if (cmd.has("--fake") && !b.parent) continue;
            cmd.output += bn + "\n";
        }
    } else if (n == "br-exists") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        if (!c.bridges.count(a[0])) exit(2);
    } else if (n == "br-to-vlan") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        cmd.output += std::to_string(need_bridge(c, a[0]).vlan) + "\n";
    } else if (n == "br-to-parent") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        Br& b = need_bridge(c, a[0]);
        cmd.output += (b.parent ? b.parent->name : b.name) + "\n";
    } else if (n == "list-ports" || n == "list-ifaces") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        Br& b = need_bridge(c, a[0]);
        if (n == "list-ports") {
            for (auto& [pn, p] : c.ports)
                if (p.br == &b && pn != b.name) cmd.output += pn + "\n";
        } else {
            for (auto& [in, i] : c.ifaces)
                if (i.port->br == &b && in != b.name) cmd.output += in + "\n";
        }
    } else if (n == "add-port" || n == "add-bond") {
        bool bond = n == "add-bond";
        check_args(cmd, bond ? 4 : 2, 1000);
        Cache c = build_cache();
        Br& b = need_bridge(c, a[0]);
        const std::string& pname = a[1];
        std::vector<std::string> ifnames;
        size_t i = 2;
        if (bond) {
            while (i < a.size() && a[i].find('=') == std::string::npos) ifnames.push_back(a[i++]);
            if (ifnames.size() < 2) fatal("add-bond requires at least 2 interfaces, but only " +
                                          std::to_string(ifnames.size()) + " were specified");
        } else {
            ifnames.push_back(pname);
        }
        if (c.ports.count(pname)) {
            if (cmd.has("--may-exist")) {
                Pt& p = c.ports[pname];
                if (p.br != &b)
                    fatal("\"--may-exist add-port " + a[0] + " " + pname + "\" but " + pname +
                          " is actually attached to bridge " + p.br->name);
                return;
            }
            fatal("cannot create a port named " + pname + " because a port named " + pname +
                  " already exists on bridge " + c.ports[pname].br->name);
        }
        for (auto& in : ifnames)
            if (c.ifaces.count(in))
                fatal("cannot create an interface named " + in + " because an interface named " + in +
                      " already exists on bridge " + c.ifaces[in].port->br->name);
        Datum ifs;
        for (auto& in : ifnames) {
            std::string iu = insert_row("Interface");
            set_col("Interface", *find_row("Interface", iu), "name", Datum{{in}, {}});
            ifs.keys.push_back(iu);
        }
        std::string pu = insert_row("Port");
        Row& pr = *find_row("Port", pu);
        set_col("Port", pr, "name", Datum{{pname}, {}});
        set_col("Port", pr, "interfaces", ifs);
        if (b.parent) set_col("Port", pr, "tag", Datum{{b.vlan}, {}});
        for (; i < a.size(); i++) apply_set("Port", pr, a[i]);
        add_uuid("Bridge", *b.row, "ports", pu);
    } else if (n == "del-port") {
        check_args(cmd, 1, 2);
        Cache c = build_cache();
        const std::string& pname = a.back();
        Pt* p = nullptr;
        auto it = c.ports.find(pname);
        if (it != c.ports.end()) p = &it->second;
        if (!p && cmd.has("--with-iface")) {
            auto ii = c.ifaces.find(pname);
            if (ii != c.ifaces.end()) p = ii->second.port;
        }
        if (!p) {
            if (a.size() == 2) need_bridge(c, a[0]);
            if (cmd.has("--if-exists")) return;
            fatal(std::string("no ") + (cmd.has("--with-iface") ? "port or interface" : "port") + " named " + pname);
        }
        if (p->br->name == pname && !p->br->parent)
            fatal("cannot delete port " + pname + " because it is the local port for bridge " + pname +
                  " (deleting this port requires deleting the entire bridge)");
        if (a.size() == 2) {
            Br& b = need_bridge(c, a[0]);
            if (p->br != &b) {
                if (p->br->parent == &b)
                    fatal("bridge " + a[0] + " does not have a port " + pname + " (although its child bridge " +
                          p->br->name + " does)");
                fatal("bridge " + a[0] + " does not have a port " + pname);
            }
        }
        del_port_row(c, *p);
    } else if (n == "port-to-br") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        auto it = c.ports.find(a[0]);
        if (it == c.ports.end()) fatal("no port named " + a[0]);
        cmd.output += it->second.br->name + "\n";
    } else if (n == "iface-to-br") {
        check_args(cmd, 1, 1);
        Cache c = build_cache();
        auto it = c.ifaces.find(a[0]);
        if (it == c.ifaces.end()) fatal("no interface named " + a[0]);
        cmd.output += it->second.port->br->name + "\n";
    } else if (n == "get") {
        check_args(cmd, 2, 1000);
        std::string t = match_table(a[0]);
        std::string u = lookup_row(t, a[1], !cmd.has("--if-exists"));
        if (u.empty()) return;
        if (cmd.opts.count("--id")) {
            std::string id = cmd.opts["--id"];
            g_symbols[id] = u;
        }
        Row& r = *find_row(t, u);
        for (size_t i = 2; i < a.size(); i++) {
            Setting s = parse_setting(t, a[i], false);
            const ColType& ct = col_type(t, s.column);
            Datum d = col_value(r, s.column);
            if (s.has_key) {
                if (!ct.is_map()) fatal("cannot specify key to get for non-map column " + s.column);
                Lexer lx{s.key};
                Json k = parse_atom(lx, ct.key, "");
                bool found = false;
                for (size_t j = 0; j < d.keys.size(); j++) {
                    if (d.keys[j] == k) {
                        cmd.output += atom_to_string(d.vals[j], *ct.value) + "\n";
                        found = true;
                    }
                }
                if (!found && cmd.has("--if-exists")) cmd.output += "\n";
                if (!found && !cmd.has("--if-exists"))
                    fatal("no key \"" + s.key + "\" in " + t + " record \"" + a[1] + "\" column " + s.column);
            } else {
                cmd.output += datum_to_string(d, ct) + "\n";
            }
        }
    } else if (n == "set" || n == "add" || n == "remove" || n == "clear") {
        check_args(cmd, n == "set" ? 3 : n == "clear" ? 3 : 4, 1000);
        std::string t = match_table(a[0]);
        std::string u = lookup_row(t, a[1], !cmd.has("--if-exists"));
        if (u.empty()) return;
        Row& r = *find_row(t, u);
        if (n == "set") {
            for (size_t i = 2; i < a.size(); i++) apply_set(t, r, a[i]);
        } else if (n == "clear") {
            for (size_t i = 2; i < a.size(); i++) {
                std::string c = match_column(t, a[i]);
                const ColType& ct = col_type(t, c);
                if (c == "_uuid" || g_schema.at(t).immutable.count(c))
                    fatal("cannot modify read-only column " + c + " in table " + t);
                if (ct.min > 0)
                    fatal("\"clear\" operation cannot be applied to column " + c + " of table " + t +
                          ", which is not allowed to be empty");
                set_col(t, r, c, Datum{});
            }
        } else {
            std::string c = match_column(t, a[2]);
            const ColType& ct = col_type(t, c);
            Datum d = r.cols[c];
            for (size_t i = 3; i < a.size(); i++) {
                if (n == "add") {
                    Datum x = parse_datum(a[i], ct);
                    for (size_t j = 0; j < x.keys.size(); j++) {
                        bool present = false;
                        for (auto& k : d.keys) present |= k == x.keys[j];
                        if (present) continue;  // add never replaces
                        d.keys.push_back(x.keys[j]);
                        if (ct.is_map()) d.vals.push_back(x.vals[j]);
                    }
                } else {
                    Datum x;
                    bool keys_only = false;
                    if (ct.is_map()) {
                        // Either key=value pairs or bare keys.
                        std::string v = a[i];
                        bool has_eq = false;
                        {
                            bool q = false;
                            for (char ch : v) {
                                if (ch == '"') q = !q;
                                if (ch == '=' && !q) has_eq = true;
                            }
                        }
                        if (has_eq) {
                            x = parse_datum(v, ct);
                        } else {
                            ColType kt = key_type_of(ct);
                            kt.min = 0;
                            kt.max = -1;
                            x = parse_datum(v, kt);
                            keys_only = true;
                        }
                    } else {
                        ColType st = ct;
                        st.min = 0;
                        x = parse_datum(a[i], st);
                    }
                    for (size_t j = 0; j < x.keys.size(); j++) {
                        for (size_t m = 0; m < d.keys.size(); m++) {
                            if (d.keys[m] == x.keys[j] && (!ct.is_map() || keys_only || d.vals[m] == x.vals[j])) {
                                d.keys.erase(d.keys.begin() + m);
                                if (ct.is_map()) d.vals.erase(d.vals.begin() + m);
                                break;
                            }
                        }
                    }
                }
            }
            datum_sort(d, ct.is_map());
            if (ct.max != -1 && (long)d.keys.size() > ct.max)
                fatal("\"" + n + "\" operation would put " + std::to_string(d.keys.size()) + " values in column " +
                      c + " of table " + t + " but the maximum number is " + std::to_string(ct.max));
            if ((long)d.keys.size() < ct.min)
                fatal("\"" + n + "\" operation would put " + std::to_string(d.keys.size()) + " values in column " +
                      c + " of table " + t + " but the minimum number is " + std::to_string(ct.min));
            set_col(t, r, c, d);
        }
    } else if (n == "list") {
        check_args(cmd, 1, 1000);
        std::string t = match_table(a[0]);
        std::vector<std::string> us;
        if (a.size() == 1) {
            for (auto& [u, r] : g_db[t].rows) us.push_back(u);
        } else {
            for (size_t i = 1; i < a.size(); i++) {
                std::string u = lookup_row(t, a[i], !cmd.has("--if-exists"));
                if (!u.empty()) us.push_back(u);
            }
        }
        print_rows(cmd, t, us);
    } else if (n == "find") {
        check_args(cmd, 1, 1000);
        std::string t = match_table(a[0]);
        std::vector<std::string> us;
        for (auto& [u, r] : g_db[t].rows) {
            bool ok = true;
            for (size_t i = 1; i < a.size() && ok; i++) ok = row_matches(t, r, a[i]);
            if (ok) us.push_back(u);
        }
        print_rows(cmd, t, us);
    } else if (n == "create") {
        check_args(cmd, 1, 1000);
        std::string t = match_table(a[0]);
        std::string sym;
        if (cmd.opts.count("--id")) {
            std::string id = cmd.opts["--id"];
            if (id.empty() || id[0] != '@') fatal("row id \"" + id + "\" does not begin with \"@\"");
            if (g_symbols.count(id) && find_row(t, g_symbols[id])) fatal("row id \"" + id + "\" may only be specified on one --id option");
            if (!g_symbols.count(id)) g_symbols[id] = "@" + std::to_string(g_next_symbol++);
            sym = g_symbols[id];
        }
        if (sym.empty() && !g_schema.at(t).is_root) {
            char ts[64];
            time_t now = time(nullptr);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
            fprintf(stderr, "%s|00001|db_ctl_base|WARN|applying \"create\" command to table %s without --id option will have no effect\n",
                    ts, t.c_str());
        }
        std::string u = insert_row(t, sym);
        Row& r = *find_row(t, u);
        for (size_t i = 1; i < a.size(); i++) apply_set(t, r, a[i]);
        cmd.output = "\x01" + u;  // replaced by the real uuid after commit
    } else if (n == "destroy") {
        std::string t = match_table(a.at(0));
        if (cmd.has("--all")) {
            std::vector<std::string> us;
            for (auto& [u, r] : g_db[t].rows) us.push_back(u);
            for (auto& u : us) delete_row(t, u);
        } else {
            for (size_t i = 1; i < a.size(); i++) {
                std::string u = lookup_row(t, a[i], !cmd.has("--if-exists"));
                if (!u.empty()) delete_row(t, u);
            }
        }
    } else if (n == "wait-until") {
        check_args(cmd, 2, 1000);
        std::string t = match_table(a[0]);
        std::string u = lookup_row(t, a[1], false);
        if (u.empty()) {
            g_wait_retry = true;
            return;
        }
        for (size_t i = 2; i < a.size(); i++)
            if (!row_matches(t, *find_row(t, u), a[i])) g_wait_retry = true;
    } else if (n == "show") {
        check_args(cmd, 0, 0);
        Row* ovs = ovs_row();
        cmd.output += ovs->uuid + "\n";
        auto line = [&](int indent, const std::string& s) { cmd.output += std::string(indent * 4, ' ') + s + "\n"; };
        auto kv = [&](int indent, const std::string& table, Row& r, const std::string& col, bool show_empty = false) {
            const ColType& ct = col_type(table, col);
            Datum& d = r.cols[col];
            if (d.keys.empty() && !show_empty) return;
            if (ct.key.type == AT::String && !ct.is_map() && d.keys.size() == 1 && str_col(r, col).empty()) return;
            line(indent, col + ": " + datum_to_string(d, ct));
        };
        std::map<std::string, Row*> mgrs;
        for (auto& mu : ovs->cols["manager_options"].keys)
            if (Row* m = find_row("Manager", mu)) mgrs[str_col(*m, "target")] = m;
        for (auto& [tn, m] : mgrs) {
            line(1, "Manager \"" + tn + "\"");
            if (!m->cols["is_connected"].keys.empty() && m->cols["is_connected"].keys[0] == true) line(2, "is_connected: true");
        }
        std::vector<std::pair<std::string, Row*>> brs;
        for (auto& bu : ovs->cols["bridges"].keys)
            if (Row* b = find_row("Bridge", bu)) brs.emplace_back(str_col(*b, "name"), b);
        for (auto& [bn, b] : brs) {
            line(1, "Bridge " + atom_to_string(Json(bn), BaseType{}));
            for (auto& cu : b->cols["controller"].keys)
                if (Row* ctl = find_row("Controller", cu)) {
                    line(2, "Controller \"" + str_col(*ctl, "target") + "\"");
                    if (!ctl->cols["is_connected"].keys.empty() && ctl->cols["is_connected"].keys[0] == true)
                        line(3, "is_connected: true");
                }
            kv(2, "Bridge", *b, "fail_mode");
            kv(2, "Bridge", *b, "datapath_type");
            std::vector<std::pair<std::string, Row*>> ports;
            for (auto& pu : b->cols["ports"].keys)
                if (Row* p = find_row("Port", pu)) ports.emplace_back(str_col(*p, "name"), p);
            for (auto& [pn, p] : ports) {
                line(2, "Port " + atom_to_string(Json(pn), BaseType{}));
                kv(3, "Port", *p, "tag");
                kv(3, "Port", *p, "trunks");
                kv(3, "Port", *p, "vlan_mode");
                std::vector<std::pair<std::string, Row*>> ifs;
                for (auto& iu : p->cols["interfaces"].keys)
                    if (Row* i = find_row("Interface", iu)) ifs.emplace_back(str_col(*i, "name"), i);
                for (auto& [in, i] : ifs) {
                    line(3, "Interface " + atom_to_string(Json(in), BaseType{}));
                    kv(4, "Interface", *i, "type");
                    kv(4, "Interface", *i, "options");
                    kv(4, "Interface", *i, "bfd_status");
                    kv(4, "Interface", *i, "error");
                }
            }
        }
        kv(1, "Open_vSwitch", *ovs, "ovs_version");
    } else if (n == "set-controller" || n == "set-manager") {
        bool mgr = n == "set-manager";
        check_args(cmd, mgr ? 0 : 1, 1000);
        Cache c = build_cache();
        std::string table = mgr ? "Manager" : "Controller";
        Row* owner;
        std::string owner_table, col;
        if (mgr) {
            owner = ovs_row();
            owner_table = "Open_vSwitch";
            col = "manager_options";
        } else {
            Br& b = need_bridge(c, a[0]);
            owner = b.parent ? b.parent->row : b.row;
            owner_table = "Bridge";
            col = "controller";
        }
        Datum d;
        for (size_t i = mgr ? 0 : 1; i < a.size(); i++) {
            std::string u = insert_row(table);
            set_col(table, *find_row(table, u), "target", Datum{{a[i]}, {}});
            if (cmd.opts.count("--inactivity-probe"))
                set_col(table, *find_row(table, u), "inactivity_probe",
                        parse_datum(cmd.opts["--inactivity-probe"], col_type(table, "inactivity_probe")));
            d.keys.push_back(u);
        }
        // The old rows are garbage collected once unreferenced.
        set_col(owner_table, *owner, col, d);
    } else if (n == "del-controller" || n == "del-manager") {
        bool mgr = n == "del-manager";
        check_args(cmd, mgr ? 0 : 1, mgr ? 0 : 1);
        Cache c = build_cache();
        if (mgr) {
            set_col("Open_vSwitch", *ovs_row(), "manager_options", Datum{});
        } else {
            Br& b = need_bridge(c, a[0]);
            set_col("Bridge", *(b.parent ? b.parent->row : b.row), "controller", Datum{});
        }
    } else if (n == "get-controller" || n == "get-manager") {
        bool mgr = n == "get-manager";
        check_args(cmd, mgr ? 0 : 1, mgr ? 0 : 1);
        Cache c = build_cache();
        Datum refs;
        if (mgr) {
            refs = ovs_row()->cols["manager_options"];
        } else {
            Br& b = need_bridge(c, a[0]);
            refs = (b.parent ? b.parent->row : b.row)->cols["controller"];
        }
        std::vector<std::string> targets;
        for (auto& u : refs.keys)
            if (Row* r = find_row(mgr ? "Manager" : "Controller", u)) targets.push_back(str_col(*r, "target"));
        std::sort(targets.begin(), targets.end());
        for (auto& t : targets) cmd.output += t + "\n";
    } else if (n == "set-fail-mode" || n == "get-fail-mode" || n == "del-fail-mode") {
        check_args(cmd, n == "set-fail-mode" ? 2 : 1, n == "set-fail-mode" ? 2 : 1);
        Cache c = build_cache();
        Br& b = need_bridge(c, a[0]);
        Row& br = *(b.parent ? b.parent->row : b.row);
        if (n == "get-fail-mode") {
            auto& d = br.cols["fail_mode"];
            if (!d.keys.empty()) cmd.output += d.keys[0].get<std::string>() + "\n";
        } else if (n == "del-fail-mode") {
            set_col("Bridge", br, "fail_mode", Datum{});
        } else {
            if (a[1] != "standalone" && a[1] != "secure") fatal("fail-mode must be \"standalone\" or \"secure\"");
            set_col("Bridge", br, "fail_mode", Datum{{a[1]}, {}});
        }
    } else if (n == "br-set-external-id" || n == "br-get-external-id") {
        bool set = n == "br-set-external-id";
        check_args(cmd, set ? 2 : 1, set ? 3 : 2);
        Cache c = build_cache();
        Br& b = need_bridge(c, a[0]);
        // A fake bridge keeps its ids on its port, with a prefix.
        Row* row = b.row;
        std::string table = "Bridge", prefix;
        if (b.parent) {
            row = c.ports.at(b.name).row;
            table = "Port";
            prefix = "fake-bridge-";
        }
        Datum d = row->cols["external_ids"];
        if (set) {
            std::string key = prefix + a[1];
            for (size_t i = 0; i < d.keys.size(); i++) {
                if (d.keys[i] == key) {
                    d.keys.erase(d.keys.begin() + i);
                    d.vals.erase(d.vals.begin() + i);
                    break;
                }
            }
            if (a.size() == 3) {
                d.keys.push_back(key);
                d.vals.push_back(a[2]);
            }
            set_col(table, *row, "external_ids", d);
        } else {
            for (size_t i = 0; i < d.keys.size(); i++) {
                std::string k = d.keys[i];
                if (k.rfind(prefix, 0) != 0) continue;
                k = k.substr(prefix.size());
                if (a.size() == 2) {
                    if (k == a[1]) cmd.output += d.vals[i].get<std::string>() + "\n";
                } else {
                    cmd.output += k + "=" + d.vals[i].get<std::string>() + "\n";
                }
            }
        }
    } else if (n == "comment") {
    } else if (n == "emer-reset") {
        // What ovs-vsctl resets: remotes and SSL, each bridge's controllers,
        // fail mode, mirrors, NetFlow/sFlow/IPFIX, flood VLANs and
        // other_config (but "hwaddr"), ports' other_config, interfaces'
        // policing, and every row of the tables those pointed to.
        check_args(cmd, 0, 0);
        Row* ovs = ovs_row();
        set_col("Open_vSwitch", *ovs, "manager_options", Datum{});
        set_col("Open_vSwitch", *ovs, "ssl", Datum{});
        for (auto& [u, br] : g_db["Bridge"].rows) {
            for (const char* col : {"controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix", "flood_vlans"})
                set_col("Bridge", br, col, Datum{});
            Datum oc = br.cols["other_config"], keep;
            for (size_t i = 0; i < oc.keys.size(); i++) {
                if (oc.keys[i] == "hwaddr") {
                    keep.keys.push_back(oc.keys[i]);
                    keep.vals.push_back(oc.vals[i]);
                }
            }
            set_col("Bridge", br, "other_config", keep);
        }
        for (auto& [u, port] : g_db["Port"].rows) set_col("Port", port, "other_config", Datum{});
        for (auto& [u, iface] : g_db["Interface"].rows) {
            set_col("Interface", iface, "ingress_policing_rate", Datum{{Json(0)}, {}});
            set_col("Interface", iface, "ingress_policing_burst", Datum{{Json(0)}, {}});
        }
        for (const char* t : {"Mirror", "Controller", "Manager", "NetFlow", "SSL", "sFlow", "IPFIX",
                              "Flow_Sample_Collector_Set"}) {
            std::vector<std::string> us;
            for (auto& [u, r] : g_db[t].rows) us.push_back(u);
            for (auto& u : us) delete_row(t, u);
        }
    } else {
        fatal("unknown command '" + n + "'; use --help for help");
    }
}

// ---------------------------------------------------------------- commit
Json build_ops(bool want_wait, std::vector<std::string>& insert_order) {
    Json ops = Json::array({"Open_vSwitch"});
    // Guards: every modified or deleted row still has the values we read.
    std::map<std::string, std::set<std::string>> guards = g_verify;
    for (auto& [u, cols] : g_modified) guards[u].insert(cols.begin(), cols.end());
    for (auto& [u, cols] : guards) {
        if (g_deleted.count(u) || g_inserted.count(u) || !g_orig.count(u)) continue;
        const std::string& t = g_row_table[u];
        Json row = Json::object();
        Json colnames = Json::array();
        for (auto& c : cols) {
            row[c] = datum_to_wire(g_orig[u][c], col_type(t, c));
            colnames.push_back(c);
        }
        ops.push_back({{"op", "wait"}, {"table", t}, {"timeout", 0}, {"where", Json::array({Json::array({"_uuid", "==", Json::array({"uuid", u})})})},
                       {"columns", colnames}, {"until", "=="}, {"rows", Json::array({row})}});
    }
    for (auto& u : g_inserted) {
        const std::string& t = g_row_table[u];
        Row* r = find_row(t, u);
        if (!r) continue;
        Json row = Json::object();
        for (auto& [c, d] : r->cols) {
            const ColType& ct = col_type(t, c);
            if (d.keys.empty() && ct.min == 0) continue;
            row[c] = datum_to_wire(d, ct);
        }
        ops.push_back({{"op", "insert"}, {"table", t}, {"row", row}, {"uuid-name", "row" + u.substr(1)}});
        insert_order.push_back(u);
    }
    for (auto& [u, cols] : g_modified) {
        if (g_deleted.count(u)) continue;
        const std::string& t = g_row_table[u];
        Row* r = find_row(t, u);
        if (!r) continue;
        Json row = Json::object();
        bool changed = false;
        for (auto& c : cols) {
            if (!datum_equal(r->cols[c], g_orig[u][c])) changed = true;
            row[c] = datum_to_wire(r->cols[c], col_type(t, c));
        }
        if (!changed) continue;
        ops.push_back({{"op", "update"}, {"table", t}, {"where", Json::array({Json::array({"_uuid", "==", Json::array({"uuid", u})})})}, {"row", row}});
    }
    for (auto& u : g_deleted)
        ops.push_back({{"op", "delete"}, {"table", g_row_table[u]}, {"where", Json::array({Json::array({"_uuid", "==", Json::array({"uuid", u})})})}});
    (void)want_wait;
    return ops;
}

bool has_changes(const Json& ops) {
    for (size_t i = 1; i < ops.size(); i++)
        if (ops[i]["op"] != "wait") return true;
    return false;
}

void usage() {
    printf(
        "xvs-vsctl: xvs (Open vSwitch compatible) configuration utility\n"
        "usage: xvs-vsctl [OPTIONS] COMMAND [ARG...]\n\n"
        "Open vSwitch commands:\n  init, show, emer-reset\n"
        "Bridge commands:\n  add-br BRIDGE [PARENT VLAN], del-br BRIDGE, list-br, br-exists BRIDGE,\n"
        "  br-to-vlan BRIDGE, br-to-parent BRIDGE\n"
        "Port commands:\n  list-ports BRIDGE, add-port BRIDGE PORT, add-bond BRIDGE PORT IFACE...,\n"
        "  del-port [BRIDGE] PORT, port-to-br PORT\n"
        "Interface commands:\n  list-ifaces BRIDGE, iface-to-br IFACE\n"
        "Database commands:\n  list, find, get, set, add, remove, clear, create, destroy, wait-until\n"
        "Options:\n  --db=DATABASE, --no-wait, -t/--timeout=SECS, --dry-run, --oneline\n");
}

}  // namespace

int main(int argc, char* argv[]) {
    std::vector<std::string> args(argv + 1, argv + argc);
    const char* rundir = getenv("OVS_RUNDIR");
    g.db = std::string("unix:") + (rundir ? rundir : "/run/xvs") + "/db.sock";
    if (const char* e = getenv("OVS_RUNDIR"); e && !*e) g.db = "unix:/run/xvs/db.sock";
    size_t i = 0;
    // Global options before the first command.
    static const std::set<std::string> cmd_opts = {"--if-exists", "--may-exist", "--id", "--columns",
                                                    "--real", "--fake", "--all", "--with-iface",
                                                    "--inactivity-probe", "--fake-iface"};
    std::vector<std::string> pending_cmd_opts;
    for (; i < args.size(); i++) {
        std::string s = args[i];
        if (s.size() < 2 || s[0] != '-') break;
        if (s == "--") {
            i++;
            break;
        }
        std::string name = s, val;
        bool has_val = false;
        if (auto eq = s.find('='); eq != std::string::npos) {
            name = s.substr(0, eq);
            val = s.substr(eq + 1);
            has_val = true;
        }
        auto need = [&]() -> std::string {
            if (has_val) return val;
            if (i + 1 >= args.size()) fatal("option '" + name + "' requires an argument");
            return args[++i];
        };
        if (name == "--db") {
            g.db = need();
        } else if (name == "--no-wait") {
            g.no_wait = true;
        } else if (name == "--timeout" || name == "-t") {
            g.timeout = atoi(need().c_str());
        } else if (s.rfind("-t", 0) == 0 && s.size() > 2 && name != "--timeout") {
            g.timeout = atoi(s.c_str() + 2);
        } else if (name == "--bare") {
            g_fmt.format = "list";
            g_fmt.data = "bare";
            g_fmt.headings = false;
        } else if (name == "--format" || name == "-f" || (name.rfind("-f", 0) == 0 && name.size() > 2 && name[1] == 'f')) {
            std::string v = name.size() > 2 && name[1] == 'f' ? name.substr(2) : need();
            if (v != "list" && v != "table" && v != "csv" && v != "json" && v != "html")
                fatal("unknown output format \"" + v + "\"");
            if (v == "html") fatal("output format \"html\" is not supported by xvs-vsctl");
            g_fmt.format = v;
        } else if (name == "--data" || name == "-d" || (name.rfind("-d", 0) == 0 && name.size() > 2 && name[1] == 'd')) {
            std::string v = name.size() > 2 && name[1] == 'd' ? name.substr(2) : need();
            if (v != "string" && v != "bare" && v != "json") fatal("unknown data format \"" + v + "\"");
            g_fmt.data = v;
        } else if (name == "--no-headings") {
            g_fmt.headings = false;
        } else if (name == "--pretty") {
        } else if (name == "--oneline") {
            g.oneline = true;
        } else if (name == "--dry-run") {
            g.dry_run = true;
        } else if (name == "--help" || name == "-h") {
            usage();
            return 0;
        } else if (name == "--version" || name == "-V") {
            printf("xvs-vsctl (xvs) %s\n", xvs::xvs_version().c_str());
            return 0;
        } else if (name == "--retry") {
            g.retry = true;
        } else if (name == "--no-syslog" || name == "-v" || name.rfind("--verbose", 0) == 0 ||
                   name == "--no-record-hostname") {
        } else if (cmd_opts.count(name)) {
            pending_cmd_opts.push_back(s);  // options of the first command
        } else {
            fatal("unrecognized option '" + s + "'");
        }
    }
    // Commands separated by "--", each with its own leading options.
    std::vector<Command> cmds;
    {
        Command cur;
        bool in_opts = true;
        for (auto& o : pending_cmd_opts) {
            auto eq = o.find('=');
            cur.opts[o.substr(0, eq)] = eq == std::string::npos ? "" : o.substr(eq + 1);
        }
        for (; i <= args.size(); i++) {
            if (i == args.size() || args[i] == "--") {
                if (cur.name.empty()) {
                    if (i == args.size() && cmds.empty()) fatal("missing command name (use --help for help)");
                    if (i < args.size()) fatal("missing command name (use --help for help)");
                } else {
                    cmds.push_back(cur);
                }
                cur = Command{};
                in_opts = true;
                continue;
            }
            const std::string& s = args[i];
            if (in_opts && s.size() > 1 && s[0] == '-') {
                auto eq = s.find('=');
                std::string name = s.substr(0, eq);
                cur.opts[name] = eq == std::string::npos ? "" : s.substr(eq + 1);
                continue;
            }
            if (in_opts) {
                cur.name = s;
                in_opts = false;
            } else {
                cur.args.push_back(s);
            }
        }
    }
    // Each command's options, as ovs-vsctl's command table has them.
    static const std::map<std::string, std::set<std::string>> allowed = {
        {"init", {}}, {"show", {}}, {"emer-reset", {}}, {"comment", {}},
        {"add-br", {"--may-exist"}}, {"del-br", {"--if-exists"}}, {"list-br", {"--real", "--fake"}},
        {"br-exists", {}}, {"br-to-vlan", {}}, {"br-to-parent", {}},
        {"br-set-external-id", {}}, {"br-get-external-id", {}},
        {"list-ports", {}}, {"add-port", {"--may-exist"}}, {"add-bond", {"--may-exist", "--fake-iface"}},
        {"del-port", {"--if-exists", "--with-iface"}}, {"port-to-br", {}},
        {"list-ifaces", {}}, {"iface-to-br", {}},
        {"get-controller", {}}, {"del-controller", {}}, {"set-controller", {"--inactivity-probe"}},
        {"get-fail-mode", {}}, {"del-fail-mode", {}}, {"set-fail-mode", {}},
        {"get-manager", {}}, {"del-manager", {}}, {"set-manager", {"--inactivity-probe"}},
        {"get", {"--if-exists", "--id"}}, {"list", {"--if-exists", "--columns"}}, {"find", {"--columns"}},
        {"set", {"--if-exists"}}, {"add", {"--if-exists"}}, {"remove", {"--if-exists"}},
        {"clear", {"--if-exists"}}, {"create", {"--id"}}, {"destroy", {"--if-exists", "--all"}},
        {"wait-until", {}},
    };
    for (auto& c : cmds) {
        auto it = allowed.find(c.name);
        if (it == allowed.end()) fatal("unknown command '" + c.name + "'; use --help for help");
        for (auto& [o, v] : c.opts)
            if (!it->second.count(o)) fatal("'" + c.name + "' command has no '" + o + "' option");
    }
    if (g.timeout > 0) {
        signal(SIGALRM, [](int) {
            // As OVS's fatal_signal logs it, then die of the signal.
            char msg[160];
            time_t now = time(nullptr);
            struct tm tm;
            gmtime_r(&now, &tm);
            size_t len = strftime(msg, sizeof msg, "%Y-%m-%dT%H:%M:%SZ", &tm);
            static const char rest[] = "|00001|fatal_signal|WARN|terminating with signal 14 (Alarm clock)\n";
            memcpy(msg + len, rest, sizeof rest - 1);
            if (write(2, msg, len + sizeof rest - 1) < 0) {}
            signal(SIGALRM, SIG_DFL);
            raise(SIGALRM);
        });
        alarm(g.timeout);
    }

    Client client(g.db, g.retry);
    load_schema(client.call("get_schema", Json::array({"Open_vSwitch"})));

    for (;;) {
        g_symbols.clear();
        g_next_symbol = 0;
        g_wait_retry = false;
        load_db(client);
        for (auto& c : cmds) {
            c.output.clear();
            run_command(c);
        }
        if (g_wait_retry) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            continue;
        }
        for (auto& [name, id] : g_symbols)
            if (!g_row_table.count(id))
                fatal("row id \"" + name + "\" is referenced but never created (e.g. with \"-- --id=" + name +
                      " create ...\")");
        std::vector<std::string> insert_order;
        Json ops = build_ops(!g.no_wait, insert_order);
        long long next_cfg = -1;
        bool changes = has_changes(ops);
        if (changes && !g.no_wait) {
            Row* ovs = ovs_row();
            if (!g_inserted.count(ovs->uuid)) {
                ops.push_back({{"op", "mutate"}, {"table", "Open_vSwitch"}, {"where", Json::array()},
                               {"mutations", Json::array({Json::array({"next_cfg", "+=", 1})})}});
                ops.push_back({{"op", "select"}, {"table", "Open_vSwitch"}, {"where", Json::array()},
                               {"columns", Json::array({"next_cfg"})}});
            }
        }
        std::map<std::string, std::string> real_uuids;
        if (changes) {
            if (g.dry_run) ops.push_back({{"op", "abort"}});
            Json res = client.call("transact", ops);
            bool retry = false;
            for (size_t k = 0; k < res.size(); k++) {
                if (res[k].is_object() && res[k].contains("error")) {
                    std::string err = res[k]["error"];
                    if (k + 1 < ops.size() && ops[k + 1]["op"] == "wait" && err == "timed out") {
                        retry = true;
                        break;
                    }
                    if (g.dry_run && err == "aborted") break;
                    std::string details = res[k].value("details", "");
                    fatal("transaction error: {\"details\":" + Json(details).dump() + ",\"error\":" + Json(err).dump() + "}");
                }
            }
            if (retry) continue;
            size_t k = 0;
            for (size_t oi = 1; oi < ops.size(); oi++) {
                if (ops[oi]["op"] == "insert") {
                    if (k < insert_order.size() && res[oi - 1].contains("uuid"))
                        real_uuids[insert_order[k]] = res[oi - 1]["uuid"][1];
                    k++;
                }
                if (ops[oi]["op"] == "select" && ops[oi]["table"] == "Open_vSwitch" && oi + 1 == ops.size() &&
                    !g.dry_run)
                    next_cfg = res[oi - 1]["rows"][0]["next_cfg"].get<long long>();
            }
        }
        for (auto& c : cmds) {
            std::string out = c.output;
            if (!out.empty() && out[0] == '\x01') out = real_uuids[out.substr(1)] + "\n";
            if (g.oneline) {
                std::string o;
                while (!out.empty() && out.back() == '\n') out.pop_back();
                for (char ch : out) {
                    if (ch == '\n') o += "\\n";
                    else if (ch == '\\') o += "\\\\";
                    else o += ch;
                }
                printf("%s\n", o.c_str());
            } else {
                fputs(out.c_str(), stdout);
            }
        }
        fflush(stdout);
        if (next_cfg >= 0) {
            for (;;) {
                Json r = client.call("transact", Json::array({"Open_vSwitch", {{"op", "select"}, {"table", "Open_vSwitch"}, {"where", Json::array()}, {"columns", Json::array({"cur_cfg"})}}}));
                auto& rows = r[0]["rows"];
                if (!rows.empty() && rows[0]["cur_cfg"].get<long long>() >= next_cfg) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        return 0;
    }
}
