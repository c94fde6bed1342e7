// xvs-vswitchd: the switch daemon, a drop-in for ovs-vswitchd:
//   xvs-vswitchd [DATABASE] [--datapath-name=NAME] [--enable-dummy] [daemon options]
// DATABASE is an OVSDB remote (default unix:<rundir>/db.sock).
#include <cctype>
#include <climits>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "compiler/dp_flow_text.h"
#include "compiler/packet_compose.h"
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
        "  --enable-dummy[=override]\n"
        "                          the in-process dummy datapath instead (default name\n"
        "                          xvs-dummy): no kernel, no privileges; every interface\n"
        "                          but patch ports is a dummy port, fed with\n"
        "                          netdev-dummy/receive\n%s%s"
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
    ctl.add_command("sflow/show", "[bridge]", 0, 1,
                    [&](const Args& a) -> R { return sw.sflow_show(a.empty() ? "" : a[0]); });
    ctl.add_command("netflow/show", "[bridge]", 0, 1,
                    [&](const Args& a) -> R { return sw.netflow_show(a.empty() ? "" : a[0]); });
    ctl.add_command("ipfix/show", "[bridge]", 0, 1,
                    [&](const Args& a) -> R { return sw.ipfix_show(a.empty() ? "" : a[0]); });
    ctl.add_command("memory/show", "", 0, 0, [&](const Args&) -> R { return sw.memory_show(); });
    // Userspace tunnel routing, with Open vSwitch's names (tnl/arp/* are
    // its older aliases of tnl/neigh/*).
    auto& tnl = sw.tnl();
    ctl.add_command("ovs/route/show", "", 0, 0, [&](const Args&) -> R { return tnl.route_show(); });
    ctl.add_command("ovs/route/add", "ip_addr/prefix_len out_br_name [gw] [pkt_mark=mark]", 2, 4,
                    [&](const Args& a) -> R { return tnl.route_add(a); });
    ctl.add_command("ovs/route/del", "ip_addr/prefix_len [pkt_mark=mark]", 1, 2,
                    [&](const Args& a) -> R { return tnl.route_del(a); });
    ctl.add_command("ovs/route/lookup", "ip_addr [pkt_mark=mark]", 1, 2,
                    [&](const Args& a) -> R { return tnl.route_lookup(a); });
    for (const char* p : {"tnl/neigh", "tnl/arp"}) {
        std::string prefix = p;
        ctl.add_command(prefix + "/show", "", 0, 0,
                        [&](const Args&) -> R { return tnl.neigh_show(xvs::ofproto::NeighCache::Clock::now()); });
        ctl.add_command(prefix + "/set", "BRIDGE IP MAC", 3, 3,
                        [&](const Args& a) -> R { return tnl.neigh_set(a, xvs::ofproto::NeighCache::Clock::now()); });
        ctl.add_command(prefix + "/flush", "", 0, 0, [&](const Args&) -> R { return tnl.neigh_flush(); });
        ctl.add_command(prefix + "/aging", "[SECS]", 0, 1, [&](const Args& a) -> R { return tnl.neigh_aging(a); });
    }
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

// A frame given in hex (OVS's netdev-dummy/receive): pairs of hex digits,
// whitespace between them allowed. nullopt if 'text' is not hex.
std::optional<std::vector<uint8_t>> parse_hex_frame(const std::string& text) {
    std::vector<uint8_t> out;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (size_t i = 0; i < text.size();) {
        if (std::isspace(static_cast<unsigned char>(text[i]))) {
            i++;
            continue;
        }
        if (i + 1 >= text.size() || digit(text[i]) < 0 || digit(text[i + 1]) < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(digit(text[i]) << 4 | digit(text[i + 1])));
        i += 2;
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::string to_hex(const std::vector<uint8_t>& b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t c : b) {
        s += kDigits[c >> 4];
        s += kDigits[c & 15];
    }
    return s;
}

// The dummy datapath's commands, as ovs-vswitchd --enable-dummy has them
// (netdev-dummy/receive), plus netdev-dummy/tx (xvs only).
void add_dummy_commands(xvs::UnixctlServer& ctl, xvs::ofproto::Switch& sw, xvs::ofproto::DummyDpif& dp) {
    using R = xvs::Result<std::string>;
    // netdev-dummy/receive NAME [--qid N] PACKET|FLOW [--len N]...: each
    // frame goes through the datapath, and its upcall through the switch,
    // before the next one (and before the reply).
    ctl.add_command("netdev-dummy/receive", "name [--qid queue] packet|flow [--len packet_len]...", 2, INT_MAX,
                    [&](const Args& a) -> R {
        if (!dp.port_stats(a[0])) return xvs::make_error("no such dummy netdev");
        size_t k = 1;
        if (a.size() > k + 1 && a[k] == "--qid") {
            if (a[k + 1] != "0") return xvs::make_error("bad rx queue id.");  // one queue per port
            k += 2;
        }
        std::vector<std::vector<uint8_t>> frames;
        for (size_t i = k; i < a.size(); i++) {
            if (auto hex = parse_hex_frame(a[i])) {
                if (hex->size() < 14) return xvs::make_error("{}: a packet needs at least 14 bytes", a[i]);
                frames.push_back(std::move(*hex));
                continue;
            }
            size_t len = 0;
            if (i + 2 < a.size() && a[i + 1] == "--len") {
                char* end = nullptr;
                unsigned long v = std::strtoul(a[i + 2].c_str(), &end, 10);
                if (a[i + 2].empty() || *end || v < 60) return xvs::make_error("too small packet len");
                len = v;
            }
            auto m = xvs::parse_dp_match(a[i]);
            if (!m)
                return xvs::make_error("bad packet or flow syntax: {} (a packet is given in hex, or as a flow in "
                                       "datapath syntax, e.g. eth(src=...,dst=...),eth_type(0x0800),ipv4(...))",
                                       m.message());
            auto f = xvs::compiler::compose_frame(m->key, len);
            if (!f) return xvs::make_error("bad packet or flow syntax: {}", f.message());
            if (len && f->size() > len)
                return xvs::make_error("packet len {} is too short for the flow ({} bytes)", len, f->size());
            frames.push_back(std::move(*f));
            if (len) i += 2;
        }
        for (const auto& f : frames) {
            if (auto s = dp.receive(a[0], f); !s) return s.error();
            sw.handle_upcalls();
        }
        return std::string();
    });
    // netdev-dummy/tx NAME: the frames NAME sent since the last call, in hex,
    // one per line, oldest first; the queue is emptied.
    ctl.add_command("netdev-dummy/tx", "name", 1, 1, [&](const Args& a) -> R {
        auto frames = dp.take_tx(a[0]);
        if (!frames) return xvs::make_error("no such dummy netdev");
        std::string out;
        for (const auto& f : *frames) out += to_hex(f) + "\n";
        return out;
    });
}

}  // namespace

int main(int argc, char* argv[]) {
    auto dirs = xvs::DaemonDirs::from_env();
    xvs::DaemonOptions opts;
    std::string dp_name;
    bool dummy = false;
    xvs::OptionParser parser;
    xvs::add_daemon_options(parser, opts, dirs, kProgram);
    parser.add({"datapath-name", 0, xvs::OptionArg::Required, [&](std::optional<std::string_view> v) -> xvs::Status {
                    dp_name = std::string(*v);
                    return {};
                }});
    parser.add({"enable-dummy", 0, xvs::OptionArg::Optional, [&](std::optional<std::string_view> v) -> xvs::Status {
                    // ovs-vswitchd's "override" and "system" make system
                    // devices dummies too; here every device is one anyway.
                    if (v && *v != "override" && *v != "system")
                        return xvs::make_error("--enable-dummy: unknown value \"{}\" (override or system)", *v);
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
    if (dp_name.empty()) dp_name = dummy ? "xvs-dummy" : "xvs-system";
    std::string remote = rest->empty() ? "unix:" + dirs.rundir + "/db.sock" : (*rest)[0];

    xvs::Daemon daemon(kProgram, opts, dirs);
    if (auto st = daemon.start(); !st) return daemon.startup_failed(st.message());
    std::unique_ptr<xvs::ofproto::Dpif> dpif;
    xvs::ofproto::DummyDpif* dummy_dp = nullptr;
    xvs::ofproto::Switch::Options sw_opts;
    if (dummy) {
        auto d = xvs::ofproto::make_dummy_dpif(dp_name);
        dummy_dp = d.get();
        dpif = std::move(d);
        sw_opts.kernel_devices = false;
        vlog.info("created dummy datapath {}", dp_name);
    } else {
        bool created = false;
        auto d = xvs::ofproto::open_bpf_dpif(dp_name, &created);
        if (!d) return daemon.startup_failed(fmt::format("datapath {}: {}", dp_name, d.message()));
        dpif = std::move(*d);
        vlog.info("{} datapath {}", created ? "created" : "adopted", dp_name);
    }

    xvs::PollLoop loop;
    xvs::ofproto::Switch sw(std::move(dpif), sw_opts);
    auto idl = xvs::ovsdb::Idl::create(loop, remote, "Open_vSwitch");
    if (!idl) return daemon.startup_failed(fmt::format("{}: {}", remote, idl.message()));
    xvs::vswitchd::Bridge bridge(loop, **idl, sw, dirs.rundir);
    (*idl)->on_change([&] { bridge.run(); });

    // The dummy datapath's ports are no kernel devices: nothing to follow.
    std::unique_ptr<xvs::netdev::LinkMonitor> links;
    xvs::PollLoop::FdWatch link_watch;
    if (!dummy) {
        auto l = xvs::netdev::LinkMonitor::open();
        if (!l) return daemon.startup_failed(fmt::format("cannot monitor network devices: {}", l.message()));
        links = std::move(*l);
        link_watch = loop.watch_fd(links->fd(), POLLIN, [&](short) {
            // A burst of changes costs one reconfiguration.
            bool changed = false;
            links->drain([&](const xvs::netdev::LinkMonitor::Event&) { changed = true; });
            if (changed) bridge.devices_changed();
        });
    }
    // Routes, addresses and neighbours for userspace tunnels.
    std::unique_ptr<xvs::netdev::NetMonitor> net;
    xvs::PollLoop::FdWatch net_watch;
    if (!dummy) {
        auto m = xvs::netdev::NetMonitor::open();
        if (!m) return daemon.startup_failed(fmt::format("cannot monitor routes: {}", m.message()));
        net = std::move(*m);
        net_watch = loop.watch_fd(net->fd(), POLLIN, [&](short) {
            bool routes = false, resync = false;
            net->drain([&](const xvs::netdev::NetMonitor::Event& e) {
                using K = xvs::netdev::NetMonitor::Event;
                if (e.kind == K::Neigh) sw.tnl_neighbour(e.neigh, e.deleted);
                if (e.kind == K::Route || e.kind == K::Addr) routes = true;
                if (e.kind == K::Resync) resync = true;
            });
            if (routes || resync) sw.tnl_kernel_changed(resync);
        });
    }
    auto upcall_watch = loop.watch_fd(sw.upcall_fd(), POLLIN, [&](short) { sw.handle_upcalls(); });
    // Samples arrive without waking us: read them every 20 ms too.
    auto sample_timer = loop.add_periodic(std::chrono::milliseconds(20), [&] { sw.handle_upcalls(); });
    auto run_timer = loop.add_periodic(xvs::ofproto::Switch::kRunInterval, [&] {
        sw.run(xvs::ofproto::Clock::now());
        bridge.run();
    });
    auto stats_timer = loop.add_periodic(xvs::vswitchd::Bridge::kStatsInterval, [&] { bridge.update_stats(); });

    auto ctl = xvs::start_daemon_services(loop, daemon, vlog);
    if (!ctl) return daemon.startup_failed(ctl.message());
    if (*ctl) {
        add_commands(**ctl, sw);
        if (dummy_dp) add_dummy_commands(**ctl, sw, *dummy_dp);
    }
    daemon.ready();
    vlog.info("{} (xvs) {} started", kProgram, xvs::xvs_version());
    int rc = loop.run();
    if (dummy)
        vlog.info("exiting; the dummy datapath {} goes with it", dp_name);
    else
        vlog.info("exiting; the datapath {} keeps forwarding", dp_name);
    return rc;
}
