// xvsdb-server: the OVSDB server of xvs, a drop-in for ovsdb-server:
//   xvsdb-server [DATABASE]... [--remote=REMOTE]... [daemon options]
#include <cstdio>
#include <string>
#include <vector>

#include "ovsdb/server.h"
#include "util/daemon.h"
#include "util/daemon_services.h"
#include "util/options.h"
#include "util/poll_loop.h"
#include "util/unixctl.h"
#include "util/version.h"
#include "util/vlog.h"

namespace {

const std::string kProgram = "xvsdb-server";
xvs::VlogModule vlog("xvsdb_server");

void usage(const xvs::DaemonDirs& dirs) {
    std::printf(
        "%s: Open vSwitch-compatible database server\n"
        "usage: %s [OPTIONS] [DATABASE...]\n"
        "where each DATABASE is a database file in ovsdb format.\n"
        "The default DATABASE, if none is given, is\n  %s/conf.db\n"
        "\nJSON-RPC options (may be specified any number of times):\n"
        "  --remote=REMOTE         connect or listen to REMOTE:\n"
        "    punix:FILE, ptcp:PORT[:IP], unix:FILE, tcp:IP:PORT,\n"
        "    db:DATABASE,TABLE,COLUMN (remotes read from a column)\n%s%s"
        "\nOther options:\n  -h, --help              display this help message\n"
        "  -V, --version           display version information\n",
        kProgram.c_str(), kProgram.c_str(), dirs.dbdir.c_str(), xvs::daemon_usage(dirs, kProgram).c_str(),
        xvs::vlog_usage(dirs, kProgram).c_str());
}

void add_commands(xvs::UnixctlServer& ctl, xvs::ovsdb::Server& server) {
    using Args = std::vector<std::string>;
    ctl.add_command("ovsdb-server/compact", "[DB]...", 0, xvs::kUnixctlAnyArgs,
                    [&](const Args& args) -> xvs::Result<std::string> {
                        if (args.empty()) {
                            if (auto s = server.compact(""); !s) return s.error();
                        }
                        for (const auto& db : args)
                            if (auto s = server.compact(db); !s) return s.error();
                        return std::string();
                    });
    ctl.add_command("memory/show", std::nullopt, 0, 0,
                    [&](const Args&) -> xvs::Result<std::string> { return server.memory_report(); });
    ctl.add_command("ovsdb-server/add-remote", "REMOTE", 1, 1, [&](const Args& a) -> xvs::Result<std::string> {
        if (auto s = server.add_remote(a[0]); !s) return s.error();
        return std::string();
    });
    ctl.add_command("ovsdb-server/remove-remote", "REMOTE", 1, 1, [&](const Args& a) -> xvs::Result<std::string> {
        if (auto s = server.remove_remote(a[0]); !s) return s.error();
        return std::string();
    });
    ctl.add_command("ovsdb-server/list-remotes", std::nullopt, 0, 0, [&](const Args&) -> xvs::Result<std::string> {
        std::string out;
        for (const auto& r : server.remotes()) out += r + "\n";
        return out;
    });
    ctl.add_command("ovsdb-server/list-dbs", std::nullopt, 0, 0, [&](const Args&) -> xvs::Result<std::string> {
        std::string out;
        for (const auto& d : server.database_names()) out += d + "\n";
        return out;
    });
}

}  // namespace

int main(int argc, char* argv[]) {
    auto dirs = xvs::DaemonDirs::from_env();
    xvs::DaemonOptions opts;
    std::vector<std::string> remotes;
    xvs::OptionParser parser;
    xvs::add_daemon_options(parser, opts, dirs, kProgram);
    parser.add({"remote", 0, xvs::OptionArg::Required, [&](std::optional<std::string_view> v) -> xvs::Status {
                    remotes.emplace_back(*v);
                    return {};
                }});
    xvs::CommonFlags flags;
    xvs::add_help_version_options(parser, flags);
    auto files = xvs::parse_daemon_command_line(parser, argc, argv, flags, kProgram, [&] { usage(dirs); });
    if (!files) return files.error();
    if (files->empty()) files->push_back(dirs.dbdir + "/conf.db");

    xvs::Daemon daemon(kProgram, opts, dirs);
    if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());
    xvs::PollLoop loop;
    xvs::ovsdb::Server server(loop);
    for (const auto& f : *files) {
        auto storage = xvs::ovsdb::Storage::open(xvs::abs_file_name(".", f));
        if (!storage) return daemon.startup_failed(fmt::format("{}: {}", f, storage.message()));
        for (const auto& w : (*storage)->warnings()) vlog.warn("{}: {}", f, w);
        if (auto s = server.add_database(std::move(*storage)); !s) return daemon.startup_failed(s.message());
    }
    for (const auto& r : remotes)
        if (auto s = server.add_remote(r); !s) return daemon.startup_failed(fmt::format("{}: {}", r, s.message()));

    auto ctl = xvs::start_daemon_services(loop, daemon, vlog);
    if (!ctl) return daemon.startup_failed(ctl.message());
    if (*ctl) add_commands(**ctl, server);
    daemon.ready();
    vlog.info("{} (xvs) {} started", kProgram, xvs::xvs_version());
    int rc = loop.run();
    vlog.info("exiting");
    return rc;
}
