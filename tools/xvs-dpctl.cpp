// xvs-dpctl: the datapath seen directly, through its pinned maps — what
// ovs-dpctl is to the Open vSwitch kernel datapath.
#include <arpa/inet.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "compiler/dp_flow_text.h"
#include "compiler/flow_mask.h"
#include "loader/datapath.h"
#include "util/netaddr.h"
#include "xvs/abi_names.h"

using namespace xvs;
using loader::Datapath;

namespace {

const char* kUsage = R"USAGE(usage: xvs-dpctl COMMAND [ARG...]
Datapaths:
  add-dp DP [flows=N] [dedup-us=N]     create a datapath (pinned under /sys/fs/bpf/xvs/DP)
  del-dp DP                            detach its ports and remove it
  upgrade-dp DP                        swap in this build's programs, keeping flows and ports
  show [DP...]                         ports, hooks, flow and mask counts, counters
Ports:
  add-if DP IFACE[,OPTION=VALUE...]    options: port_no=N, hook=auto|xdp|tc,
                                       xdp_tx=auto|yes|no, upcall_rate=N, upcall_burst=N
  del-if DP IFACE
  set-flood-domain DP ID [PORT...]     ports (numbers) that flood(ID) reaches
Flows:
  dump-flows DP                        megaflows with their stats
  add-flow DP FLOW ACTIONS             e.g. add-flow dp0 "in_port(1),eth_type(0x0800)" 2
  mod-flow DP FLOW ACTIONS [--clear]   change actions (--clear zeroes the stats)
  del-flow DP FLOW
  del-flows DP
  dump-masks DP                        masks in search order with their hits
Other:
  dump-drops DP                        packets dropped, by reason
  monitor-upcalls DP [--count N] [--timeout SECONDS]
  set-meter DP ID RATE [BURST] [pktps] token bucket (kbit/s, or packets/s with pktps)
  execute DP IN_PORT HEXPACKET ACTIONS send a packet through ACTIONS from userspace
)USAGE";

[[noreturn]] void die(const std::string& msg) {
    std::cerr << "xvs-dpctl: " << msg << "\n";
    std::exit(1);
}

template <typename T>
T must(Result<T> r) {
    if (!r) die(r.message());
    return std::move(r.value());
}

void must(const Status& s) {
    if (!s) die(s.message());
}

std::unique_ptr<Datapath> open_dp(const std::string& name) { return must(Datapath::open(name)); }
// Read-only commands do not wait for the lock a running xvs-vswitchd holds.
std::unique_ptr<Datapath> open_dp_readonly(const std::string& name) {
    return must(Datapath::open(name, loader::OpenLock::None));
}

uint64_t arg_uint(const std::string& what, const std::string& s, uint64_t max) {
    auto v = parse_uint(s, max);
    if (!v) die(fmt::format("{}: {}", what, v.message()));
    return *v;
}

void need(const std::vector<std::string>& a, size_t n, const char* usage) {
    if (a.size() < n) die(fmt::format("missing argument; usage: xvs-dpctl {}", usage));
}

void cmd_add_dp(const std::vector<std::string>& a) {
    need(a, 1, "add-dp DP [flows=N] [dedup-us=N]");
    loader::CreateOptions o;
    for (size_t i = 1; i < a.size(); i++) {
        auto eq = a[i].find('=');
        std::string k = a[i].substr(0, eq), v = eq == std::string::npos ? "" : a[i].substr(eq + 1);
        if (k == "flows") o.max_flows = static_cast<uint32_t>(arg_uint("flows", v, 1u << 24));
        else if (k == "dedup-us") o.dedup_us = static_cast<uint32_t>(arg_uint("dedup-us", v, 10000000));
        else die(fmt::format("unknown add-dp option '{}'", a[i]));
    }
    must(Datapath::create(a[0], o));
}

void show_one(Datapath& dp) {
    // No daemon may be running to keep the mask order current: rank now.
    must(dp.rank_masks());
    auto st = dp.stats();
    auto flows = dp.dump_flows();
    auto masks = dp.masks();
    uint64_t hits = st.counters[XVS_CTR_HIT], misses = st.counters[XVS_CTR_MISS];
    uint64_t lost = 0;
    for (int i = 0; i < XVS_DROP__MAX; i++)
        if (i == XVS_DROP_UPCALL_RATE || i == XVS_DROP_UPCALL_DUP || i == XVS_DROP_UPCALL_RINGBUF) lost += st.drops[i];
    uint64_t dropped = 0;
    for (int i = 0; i < XVS_DROP__MAX; i++) dropped += st.drops[i];
    fmt::print("xvs@{}:\n", dp.name());
    fmt::print("  lookups: hit:{} missed:{} upcalls:{} lost:{}\n", hits, misses, st.counters[XVS_CTR_UPCALL], lost);
    fmt::print("  flows: {}\n", flows.size());
    fmt::print("  masks: hit:{} total:{} hit/pkt:{:.2f}\n", st.counters[XVS_CTR_MASK_PROBE], masks.size(),
               hits + misses ? double(st.counters[XVS_CTR_MASK_PROBE]) / double(hits + misses) : 0.0);
    fmt::print("  packets: received:{} dropped:{} punted-to-tc:{} recirculated:{}\n", st.counters[XVS_CTR_RX], dropped,
               st.counters[XVS_CTR_PUNT_TC], st.counters[XVS_CTR_RECIRC]);
    for (const auto& p : dp.ports()) {
        std::string hooks;
        if (p.xdp_prog_id) hooks += fmt::format("xdp(prog {})+", p.xdp_prog_id);
        if (p.tc_prog_id) hooks += fmt::format("tcx(prog {})", p.tc_prog_id);
        if (hooks.empty()) hooks = "none";
        fmt::print("  port {}: {} (ifindex {}, hooks {}, xdp-tx {}{})\n", p.port_no,
                   p.ifname.empty() ? "<device gone>" : p.ifname, p.rec.ifindex, hooks,
                   (p.rec.flags & XVS_PORT_F_XDP_TX) ? "yes" : "no",
                   p.rec.upcall_rate ? fmt::format(", upcall rate {}/s", p.rec.upcall_rate) : "");
    }
}

void cmd_show(const std::vector<std::string>& a) {
    auto names = a.empty() ? Datapath::list() : a;
    for (const auto& n : names) {
        auto dp = open_dp_readonly(n);
        show_one(*dp);
    }
}

void cmd_add_if(const std::vector<std::string>& a) {
    need(a, 2, "add-if DP IFACE[,OPTION=VALUE...]");
    auto dp = open_dp(a[0]);
    loader::PortSpec spec;
    std::string rest = a[1];
    size_t comma = rest.find(',');
    spec.ifname = rest.substr(0, comma);
    while (comma != std::string::npos) {
        size_t next = rest.find(',', comma + 1);
        std::string opt = rest.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
        comma = next;
        auto eq = opt.find('=');
        if (eq == std::string::npos) die(fmt::format("port option '{}' needs a value (OPTION=VALUE)", opt));
        std::string k = opt.substr(0, eq), v = opt.substr(eq + 1);
        if (k == "port_no") spec.port_no = static_cast<uint32_t>(arg_uint("port_no", v, XVS_MAX_PORTS - 1));
        else if (k == "upcall_rate") spec.upcall_rate = static_cast<uint32_t>(arg_uint("upcall_rate", v, UINT32_MAX));
        else if (k == "upcall_burst") spec.upcall_burst = static_cast<uint32_t>(arg_uint("upcall_burst", v, UINT32_MAX));
        else if (k == "hook") {
            if (v == "auto") spec.hook = loader::Hook::Auto;
            else if (v == "xdp") spec.hook = loader::Hook::Xdp;
            else if (v == "tc") spec.hook = loader::Hook::Tc;
            else die(fmt::format("hook: '{}' is not one of auto, xdp, tc", v));
        } else if (k == "xdp_tx") {
            if (v == "auto") spec.xdp_tx = loader::XdpTx::Auto;
            else if (v == "yes") spec.xdp_tx = loader::XdpTx::Yes;
            else if (v == "no") spec.xdp_tx = loader::XdpTx::No;
            else die(fmt::format("xdp_tx: '{}' is not one of auto, yes, no", v));
        } else die(fmt::format("unknown port option '{}'", k));
    }
    uint32_t port = must(dp->add_port(spec));
    fmt::print("{}: port {}\n", spec.ifname, port);
}

void cmd_del_if(const std::vector<std::string>& a) {
    need(a, 2, "del-if DP IFACE");
    auto dp = open_dp(a[0]);
    auto port = dp->port_by_name(a[1]);
    if (!port) {
        // A port whose device is gone can still be named by number.
        auto n = parse_uint(a[1], XVS_MAX_PORTS - 1);
        if (!n) die(port.message());
        must(dp->del_port(static_cast<uint32_t>(*n)));
        return;
    }
    must(dp->del_port(*port));
}

void cmd_set_flood_domain(const std::vector<std::string>& a) {
    need(a, 2, "set-flood-domain DP ID [PORT...]");
    auto dp = open_dp(a[0]);
    uint32_t id = static_cast<uint32_t>(arg_uint("ID", a[1], XVS_MAX_FLOOD_DOMAINS - 1));
    std::vector<uint32_t> ports;
    for (size_t i = 2; i < a.size(); i++) ports.push_back(static_cast<uint32_t>(arg_uint("PORT", a[i], XVS_MAX_PORTS - 1)));
    must(dp->set_flood_domain(id, ports));
}

void cmd_dump_flows(const std::vector<std::string>& a) {
    need(a, 1, "dump-flows DP");
    auto dp = open_dp_readonly(a[0]);
    uint64_t now = monotonic_ns();
    for (const auto& f : dp->dump_flows()) fmt::print("{}\n", format_dp_flow(f.key, f.mask, f.stats, f.actions, now));
}

void cmd_put_flow(const std::vector<std::string>& a, loader::PutMode mode) {
    bool clear = std::find(a.begin(), a.end(), "--clear") != a.end();
    std::vector<std::string> args;
    for (const auto& s : a)
        if (s != "--clear") args.push_back(s);
    need(args, 3, mode == loader::PutMode::Create ? "add-flow DP FLOW ACTIONS" : "mod-flow DP FLOW ACTIONS [--clear]");
    auto m = parse_dp_match(args[1]);
    if (!m) die(fmt::format("FLOW: {}", m.message()));
    auto acts = parse_dp_actions(args[2]);
    if (!acts) die(fmt::format("ACTIONS: {}", acts.message()));
    auto dp = open_dp(args[0]);
    must(dp->put_flow(m->key, m->mask, *acts, mode, clear));
}

void cmd_del_flow(const std::vector<std::string>& a) {
    need(a, 2, "del-flow DP FLOW");
    auto m = parse_dp_match(a[1]);
    if (!m) die(fmt::format("FLOW: {}", m.message()));
    auto dp = open_dp(a[0]);
    must(dp->del_flow(m->key, m->mask));
}

void cmd_del_flows(const std::vector<std::string>& a) {
    need(a, 1, "del-flows DP");
    must(open_dp(a[0])->flush_flows());
}

void cmd_dump_masks(const std::vector<std::string>& a) {
    need(a, 1, "dump-masks DP");
    auto dp = open_dp_readonly(a[0]);
    must(dp->rank_masks());
    auto ms = dp->masks();
    std::stable_sort(ms.begin(), ms.end(), [](const auto& x, const auto& y) { return x.hits > y.hits; });
    for (const auto& m : ms) {
        xvs_flow_key k = m.mask;
        fmt::print("mask {}: flows:{} hits:{} {}\n", m.id, m.n_flows, m.hits, format_dp_match(k, m.mask));
    }
}

void cmd_dump_drops(const std::vector<std::string>& a) {
    need(a, 1, "dump-drops DP");
    auto st = open_dp_readonly(a[0])->stats();
    for (int i = 0; i < XVS_DROP__MAX; i++)
        fmt::print("{:<16} {:>12}  {}\n", drop_name(i), st.drops[i], drop_text(i));
    for (int i = 0; i < XVS_CTR__MAX; i++) fmt::print("counter {:<10} {:>12}\n", counter_name(i), st.counters[i]);
}

volatile sig_atomic_t g_stop = 0;

void cmd_monitor_upcalls(const std::vector<std::string>& a) {
    need(a, 1, "monitor-upcalls DP [--count N] [--timeout SECONDS]");
    uint64_t max_count = 0, timeout_s = 0;
    for (size_t i = 1; i < a.size(); i++) {
        if (a[i] == "--count" && i + 1 < a.size()) max_count = arg_uint("--count", a[++i], UINT32_MAX);
        else if (a[i] == "--timeout" && i + 1 < a.size()) timeout_s = arg_uint("--timeout", a[++i], 86400);
        else die(fmt::format("unknown monitor-upcalls argument '{}'", a[i]));
    }
    auto dp = open_dp_readonly(a[0]);
    auto rd = dp->upcalls();
    if (!rd->ok()) die("cannot read the upcall ring buffer");
    signal(SIGINT, [](int) { g_stop = 1; });
    signal(SIGTERM, [](int) { g_stop = 1; });
    uint64_t seen = 0, deadline = timeout_s ? monotonic_ns() + timeout_s * 1000000000ULL : 0;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    auto print = [&](const loader::Upcall& u) {
        static const char* types[] = {"?", "miss", "userspace", "sample"};
        if (max_count && seen >= max_count) return;
        xvs_flow_key full = compiler::natural_mask(u.hdr.key);
        std::string pkt;
        for (size_t i = 0; i < u.packet.size() && i < 64; i++) pkt += fmt::format("{:02x}", u.packet[i]);
        fmt::print("{} in_port={} len={} hook={}{}: {}\n  packet: {}{}\n", types[u.hdr.type <= 3 ? u.hdr.type : 0],
                   u.hdr.in_port, u.hdr.pkt_len, u.hdr.hook == XVS_HOOK_XDP ? "xdp" : "tc",
                   u.hdr.type != XVS_UPCALL_MISS ? fmt::format(" cookie=0x{:x}", u.hdr.cookie) : "",
                   format_dp_match(u.hdr.key, full), pkt, u.packet.size() > 64 ? "..." : "");
        seen++;
    };
    while (!g_stop && (!max_count || seen < max_count) && (!deadline || monotonic_ns() < deadline)) {
        int n = rd->poll(100, print);
        if (n < 0 && n != -EINTR) die(fmt::format("ring buffer poll failed: {}", loader::errno_str(n)));
    }
}

void cmd_set_meter(const std::vector<std::string>& a) {
    need(a, 3, "set-meter DP ID RATE [BURST] [pktps]");
    auto dp = open_dp(a[0]);
    uint32_t id = static_cast<uint32_t>(arg_uint("ID", a[1], XVS_MAX_METERS - 1));
    uint64_t rate = arg_uint("RATE", a[2], 1ULL << 40), burst = 0;
    bool pkts = false;
    for (size_t i = 3; i < a.size(); i++) {
        if (a[i] == "pktps") pkts = true;
        else burst = arg_uint("BURST", a[i], 1ULL << 40);
    }
    must(dp->set_meter(id, rate, burst, pkts));
}

void cmd_execute(const std::vector<std::string>& a) {
    need(a, 4, "execute DP IN_PORT HEXPACKET ACTIONS");
    auto dp = open_dp(a[0]);
    uint32_t in_port = static_cast<uint32_t>(arg_uint("IN_PORT", a[1], XVS_MAX_PORTS - 1));
    const std::string& hex = a[2];
    if (hex.size() % 2) die("HEXPACKET: odd number of hex digits");
    std::vector<uint8_t> pkt;
    for (size_t i = 0; i < hex.size(); i += 2) {
        auto b = parse_uint("0x" + hex.substr(i, 2), 255);
        if (!b) die(fmt::format("HEXPACKET: bad hex at offset {}", i));
        pkt.push_back(static_cast<uint8_t>(*b));
    }
    auto acts = parse_dp_actions(a[3]);
    if (!acts) die(fmt::format("ACTIONS: {}", acts.message()));
    int sent = must(dp->execute(in_port, pkt, *acts));
    fmt::print("sent {} cop{}\n", sent, sent == 1 ? "y" : "ies");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" || std::string(argv[1]) == "help") {
        std::cout << kUsage;
        return argc < 2 ? 1 : 0;
    }
    std::string cmd = argv[1];
    std::vector<std::string> args(argv + 2, argv + argc);
    static const std::map<std::string, void (*)(const std::vector<std::string>&)> cmds = {
        {"add-dp", cmd_add_dp},
        {"del-dp", [](const std::vector<std::string>& a) { need(a, 1, "del-dp DP"); must(Datapath::destroy(a[0])); }},
        {"upgrade-dp", [](const std::vector<std::string>& a) { need(a, 1, "upgrade-dp DP"); must(open_dp(a[0])->upgrade()); }},
        {"show", cmd_show},
        {"add-if", cmd_add_if},
        {"del-if", cmd_del_if},
        {"set-flood-domain", cmd_set_flood_domain},
        {"dump-flows", cmd_dump_flows},
        {"add-flow", [](const std::vector<std::string>& a) { cmd_put_flow(a, loader::PutMode::Create); }},
        {"mod-flow", [](const std::vector<std::string>& a) { cmd_put_flow(a, loader::PutMode::Modify); }},
        {"del-flow", cmd_del_flow},
        {"del-flows", cmd_del_flows},
        {"dump-masks", cmd_dump_masks},
        {"dump-drops", cmd_dump_drops},
        {"monitor-upcalls", cmd_monitor_upcalls},
        {"set-meter", cmd_set_meter},
        {"execute", cmd_execute},
    };
    auto it = cmds.find(cmd);
    if (it == cmds.end()) die(fmt::format("unknown command '{}'; use --help for help", cmd));
    it->second(args);
    return 0;
}
