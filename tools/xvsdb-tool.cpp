// xvsdb-tool: offline operations on database files, as ovsdb-tool does:
//   create [DB [SCHEMA]]   compact [DB [DST]]   convert DB SCHEMA [DST]
//   show-log [-m]... [DB]  db-name|db-version|db-cksum [DB]
//   schema-name|schema-version|schema-cksum [SCHEMA]
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ovsdb/storage.h"
#include "util/daemon.h"
#include "util/options.h"
#include "util/version.h"

using namespace xvs;
using namespace xvs::ovsdb;

namespace {

const char* kUsage = R"(xvsdb-tool: Open vSwitch-compatible database management utility
usage: xvsdb-tool [OPTIONS] COMMAND [ARG...]
  create [DB [SCHEMA]]    create DB with the given SCHEMA
  compact [DB [DST]]      compact DB in place, or into DST
  convert DB SCHEMA [DST] convert DB to SCHEMA, in place or into DST
  show-log [DB]           print DB's transaction log (-m, -mm for more detail)
  db-name [DB]            report name of schema used by DB
  db-version [DB]         report version of schema used by DB
  db-cksum [DB]           report checksum of schema used by DB
  schema-name [SCHEMA]    report SCHEMA's name
  schema-version [SCHEMA] report SCHEMA's schema version
  schema-cksum [SCHEMA]   report SCHEMA's checksum
Options:
  -m, --more              increase show-log verbosity
  -h, --help              display this help message
  -V, --version           display version information
)";

[[noreturn]] void die(const std::string& m) {
    std::fprintf(stderr, "xvsdb-tool: %s\n", m.c_str());
    std::exit(1);
}

std::string default_db() { return DaemonDirs::from_env().dbdir + "/conf.db"; }
std::string default_schema() { return DaemonDirs::from_env().sysconfdir + "/vswitch.ovsschema"; }

Schema read_schema(const std::string& path) {
    std::ifstream f(path);
    if (!f) die(path + ": cannot open schema file");
    std::stringstream ss;
    ss << f.rdbuf();
    Json j;
    try {
        j = Json::parse(ss.str());
    } catch (const std::exception& e) {
        die(path + ": " + e.what());
    }
    auto s = Schema::from_json(j);
    if (!s) die(path + ": " + s.error().to_string());
    return std::move(*s);
}

const Schema& db_schema(const std::string& path, std::unique_ptr<Storage>& keep) {
    auto st = Storage::open(path, OpenOptions{true});
    if (!st) die(st.message());
    keep = std::move(*st);
    return keep->database().schema();
}

std::string arg(const std::vector<std::string>& a, size_t i, const std::string& dflt) {
    return a.size() > i ? a[i] : dflt;
}

void copy_then(const std::string& src, const std::string& dst) {
    std::error_code ec;
    std::filesystem::copy_file(src, dst, std::filesystem::copy_options::none, ec);
    if (ec) die(dst + ": " + ec.message());
}

}  // namespace

int main(int argc, char* argv[]) {
    int more = 0;
    bool help = false, version = false;
    OptionParser parser;
    parser.add({"more", 'm', OptionArg::None, [&](auto) -> Status {
                    more++;
                    return {};
                }});
    parser.add({"help", 'h', OptionArg::None, [&](auto) -> Status {
                    help = true;
                    return {};
                }});
    parser.add({"version", 'V', OptionArg::None, [&](auto) -> Status {
                    version = true;
                    return {};
                }});
    auto rest = parser.parse(argc, argv);
    if (!rest) die(rest.message());
    if (help) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (version) {
        std::printf("xvsdb-tool (xvs) %s\n", xvs_version().c_str());
        return 0;
    }
    if (rest->empty()) die("missing command name; use --help for help");
    std::string cmd = rest->front();
    std::vector<std::string> a(rest->begin() + 1, rest->end());
    std::unique_ptr<Storage> keep;
    if (cmd == "create") {
        auto st = Storage::create(arg(a, 0, default_db()), read_schema(arg(a, 1, default_schema())));
        if (!st) die(st.message());
    } else if (cmd == "compact" || cmd == "convert") {
        bool convert = cmd == "convert";
        if (convert && a.size() < 2) die("convert needs DB and SCHEMA");
        std::string db = arg(a, 0, default_db());
        std::string dst = arg(a, convert ? 2 : 1, "");
        if (!dst.empty()) {
            copy_then(db, dst);
            db = dst;
        }
        auto st = Storage::open(db);
        if (!st) die(st.message());
        Status s = convert ? (*st)->convert(read_schema(a[1])) : (*st)->compact();
        if (!s) die(s.message());
    } else if (cmd == "show-log") {
        auto log = read_log(arg(a, 0, default_db()));
        if (!log) die(log.message());
        std::fputs(format_show_log(*log, more).c_str(), stdout);
        if (log->tail_error) std::printf("(%s)\n", log->tail_error->c_str());
    } else if (cmd == "db-name" || cmd == "db-version" || cmd == "db-cksum") {
        const Schema& s = db_schema(arg(a, 0, default_db()), keep);
        std::printf("%s\n", (cmd == "db-name" ? s.name : cmd == "db-version" ? s.version : s.cksum).c_str());
    } else if (cmd == "schema-name" || cmd == "schema-version" || cmd == "schema-cksum") {
        Schema s = read_schema(arg(a, 0, default_schema()));
        std::printf("%s\n", (cmd == "schema-name" ? s.name : cmd == "schema-version" ? s.version : s.cksum).c_str());
    } else {
        die("unknown command '" + cmd + "'; use --help for help");
    }
    return 0;
}
