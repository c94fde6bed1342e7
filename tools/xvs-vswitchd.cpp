// xvs-vswitchd: the switch daemon, a drop-in for ovs-vswitchd:
//   xvs-vswitchd [DATABASE] [--datapath-name=NAME] [daemon options]
// DATABASE is an OVSDB remote (default unix:<rundir>/db.sock).
#include <cstdio>
#include <string>
#include <vector>

#include "compiler/dp_flow_text.h"
#include "ofproto/switch.h"
#include "ovsdb/idl.h"
#include "util/daemon.h"
#include "util/netdev.h"
#include "util/daemon_services.h"
#include "util/options.h"
#include "util/poll_loop.h"
#include "util/unixctl.h"
#include "util/version.h"
#include "util/vlog.h"
#include "vswitchd/bridge.h"

namespace {

const std::string kProgram = "xvs-vswitchd";
xvs::VlogModule vlog("vswitchd");
using Args = std::vector<std::string>;

void usage(const xvs::DaemonDirs& dirs) {
    std::printf(
        "%s: Open vSwitch-compatible switch daemon on an eBPF datapath\n"
        "usage: %s [OPTIONS] [DATABASE]\n"
        "where DATABASE is a socket on which ovsdb-server or xvsdb-server is listening\n"
        "      (default: \"unix:%s/db.sock\").\n"
        "\nDatapath options:\n"
        "  --datapath-name=NAME    the BPF datapath to create or adopt (default xvs-system);\n"
        "                          pinned under /sys/fs/bpf/xvs/NAME\n"
        "  --enable-dummy          the in-process dummy datapath (not built yet)\n%s%s"
        "\nOther options:\n  -h, --help              display this help message\n"
        "  -V, --version           display version information\n",
        kProgram.c_str(), kProgram.c_str(), dirs.rundir.c_str(), xvs::daemon_usage(dirs, kProgram).c_str(),
        xvs::vlog_usage(dirs, kProgram).c_str());
}

void add_commands(xvs::UnixctlServer& ctl, xvs::ofproto::Switch& sw) {
    using R = xvs::Result<std::string>;
    ctl.add_command("fdb/show", "bridge", 1, 1, [&](const Args& a) -> R { return sw.fdb_show(a[0]); });
    ctl.add_command("fdb/flush", "[bridge]", 0, 1,
                    [&](const Args& a) -> R { return sw.fdb_flush(a.empty() ? "" : a[0]); });
    ctl.add_command("dpif/show", "", 0, 0, [&](const Args&) -> R { return sw.dpif_show(); });
    ctl.add_command("dpif/dump-flows", "bridge", 1, 1, [&](const Args& a) -> R { return sw.dump_dp_flows(a[0]); });
    ctl.add_command("bridge/dump-flows", "bridge", 1, 1, [&](const Args& a) -> R { return sw.dump_of_flows(a[0]); });
    ctl.add_command("upcall/show", "", 0, 0, [&](const Args&) -> R { return sw.upcall_show(); });
    ctl.add_command("memory/show", "", 0, 0, [&](const Args&) -> R { return sw.memory_show(); });
    ctl.add_command("coverage/show", "", 0, 0, [&](const Args&) -> R {
        const auto& s = sw.stats();
        return fmt::format(
            "Event coverage (totals since start):\n"
            "upcall_handled             total: {}\nflow_installed             total: {}\n"
            "flow_install_failed        total: {}\nflow_executed              total: {}\n"
            "revalidate_all             total: {}\nflow_revalidated_away      total: {}\n"
            "flow_expired               total: {}\n",
            s.upcalls, s.flows_installed, s.install_failures, s.executes, s.revalidations, s.flows_revalidated_away,
            s.flows_expired);
    });
    ctl.add_command("ofproto/trace", "[dp_name|bridge] odp_flow", 1, 2, [&](const Args& a) -> R {
        const std::string& text = a.back();
        auto m = xvs::parse_dp_match(text);
        if (!m)
            return xvs::make_error("ofproto/trace: {} (the flow is given in datapath syntax, e.g. "
                                   "in_port(1),eth(src=...,dst=...),eth_type(0x0800); OpenFlow syntax is not "
                                   "supported yet)",
                                   m.message());
        return sw.trace_dp(m->key);
    });
}

}  // namespace

int main(int argc, char* argv[]) {
    auto dirs = xvs::DaemonDirs::from_env();
    xvs::DaemonOptions opts;
    std::string dp_name = "xvs-system";
    bool dummy = false;
    xvs::OptionParser parser;
    xvs::add_daemon_options(parser, opts, dirs, kProgram);
    parser.add({"datapath-name", 0, xvs::OptionArg::Required, [&](std::optional<std::string_view> v) -> xvs::Status {
                    dp_name = std::string(*v);
                    return {};
                }});
    parser.add({"enable-dummy", 0, xvs::OptionArg::Optional, [&](auto) -> xvs::Status {
                    dummy = true;
                    return {};
                }});
    xvs::CommonFlags flags;
    xvs::add_help_version_options(parser, flags);
    auto rest = xvs::parse_daemon_command_line(parser, argc, argv, flags, kProgram, [&] { usage(dirs); });
    if (!rest) return rest.error();
    if (rest->size() > 1) {
        std::fprintf(stderr, "%s: at most one non-option argument (the database) is accepted\n", kProgram.c_str());
        return 1;
    }
    if (dummy) {
        std::fprintf(stderr, "%s: --enable-dummy: the in-process dummy datapath is not built yet\n", kProgram.c_str());
        return 1;
    }
    std::string remote = rest->empty() ? "unix:" + dirs.rundir + "/db.sock" : (*rest)[0];

    xvs::Daemon daemon(kProgram, opts, dirs);
    if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());
    bool created = false;
    auto dpif = xvs::ofproto::open_bpf_dpif(dp_name, &created);
    if (!dpif) return daemon.startup_failed(fmt::format("datapath {}: {}", dp_name, dpif.message()));
    vlog.info("{} datapath {}", created ? "created" : "adopted", dp_name);

    xvs::PollLoop loop;
    xvs::ofproto::Switch sw(std::move(*dpif), {});
    auto idl = xvs::ovsdb::Idl::create(loop, remote, "Open_vSwitch");
    if (!idl) return daemon.startup_failed(fmt::format("{}: {}", remote, idl.message()));
    xvs::vswitchd::Bridge bridge(loop, **idl, sw);
    (*idl)->on_change([&] { bridge.run(); });

    auto links = xvs::netdev::LinkMonitor::open();
    if (!links) return daemon.startup_failed(fmt::format("cannot monitor network devices: {}", links.message()));
    auto link_watch = loop.watch_fd((*links)->fd(), POLLIN, [&](short) {
        // A burst of changes costs one reconfiguration.
        bool changed = false;
        (*links)->drain([&](const xvs::netdev::LinkMonitor::Event&) { changed = true; });
        if (changed) bridge.devices_changed();
    });
    auto upcall_watch = loop.watch_fd(sw.upcall_fd(), POLLIN, [&](short) { sw.handle_upcalls(); });
    auto run_timer = loop.add_periodic(xvs::ofproto::Switch::kRunInterval, [&] {
        sw.run(xvs::ofproto::Clock::now());
        bridge.run();
    });
    auto stats_timer = loop.add_periodic(xvs::vswitchd::Bridge::kStatsInterval, [&] { bridge.update_stats(); });

    auto ctl = xvs::start_daemon_services(loop, daemon, vlog);
    if (!ctl) return daemon.startup_failed(ctl.message());
    if (*ctl) add_commands(**ctl, sw);
    daemon.ready();
    vlog.info("{} (xvs) {} started", kProgram, xvs::xvs_version());
    int rc = loop.run();
    vlog.info("exiting; the datapath {} keeps forwarding", dp_name);
    return rc;
}
