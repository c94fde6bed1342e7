// Datapath benchmark: what one packet costs in xvs next to a bare XDP
// redirect, under BPF_PROG_TEST_RUN (ns/packet, hit in the last of 1, 8 and
// 64 masks) and live (Mpps of 64-byte frames veth -> xvs -> veth, driven by
// the in-kernel live-frames generator into a counting sink, one core).
// It prints numbers and asserts nothing. Runs in a private network
// namespace; the datapath it creates is removed on exit.
#include <arpa/inet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "compiler/dp_flow_text.h"
#include "bench/bench_live.h"
#include "loader/datapath.h"

using namespace xvs;
using namespace xvs::bench;

namespace {

std::vector<uint8_t> udp_frame() {
    // 64 bytes on the wire without FCS: Ethernet + IPv4 + UDP + 18 bytes.
    std::vector<uint8_t> f(60, 0);
    const uint8_t hdr[] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,  // eth
                           0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0,             // ipv4
                           10, 0, 0, 1, 10, 0, 0, 2,                             // addrs
                           0x30, 0x39, 0x00, 0x50, 0, 26, 0, 0};                 // udp
    std::memcpy(f.data(), hdr, sizeof hdr);
    return f;
}

// Average ns per run of prog on frame, as the kernel measures it.
double prog_ns(int prog_fd, uint32_t ingress, const std::vector<uint8_t>& frame, uint32_t repeat) {
    std::vector<uint8_t> out(frame.size() + 256);
    xdp_md ctx{};
    ctx.data_end = static_cast<__u32>(frame.size());
    ctx.ingress_ifindex = ingress;
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame.data(), .data_out = out.data(),
                .data_size_in = static_cast<__u32>(frame.size()), .data_size_out = static_cast<__u32>(out.size()),
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx, .repeat = static_cast<int>(repeat));
    if (bpf_prog_test_run_opts(prog_fd, &o)) die(std::string("BPF_PROG_RUN: ") + std::strerror(errno));
    if (o.retval != XDP_REDIRECT) die("program did not redirect (retval " + std::to_string(o.retval) + ")");
    return double(o.duration);
}

void install_masks(loader::Datapath& dp, int n) {
    if (auto s = dp.flush_flows(); !s) die(s.message());
    // n-1 decoy masks that the packet (10.0.0.1 -> 10.0.0.2) never matches,
    // then the matching flow under a mask of its own: it is probed last.
    for (int i = 0; i < n - 1; i++) {
        const char* field = i < 32 ? "src" : "dst";
        int prefix = i < 32 ? i + 1 : i - 31;
        auto m = parse_dp_match(fmt::format("in_port(1),eth_type(0x0800),ipv4({}=255.255.255.255/{})", field, prefix));
        if (!m) die(m.message());
        auto a = parse_dp_actions("drop");
        if (auto s = dp.put_flow(m->key, m->mask, *a, loader::PutMode::Create); !s) die(s.message());
    }
    auto m = parse_dp_match("in_port(1)");
    auto a = parse_dp_actions("2");
    if (auto s = dp.put_flow(m->key, m->mask, *a, loader::PutMode::Create); !s) die(s.message());
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5;
    uint32_t repeat = 2000000, frames = 5000000;
    std::string markdown;
    std::vector<int> mask_counts = {1, 8, 64};
    bool live = true;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--masks" && i + 1 < argc) mask_counts = {std::clamp(std::atoi(argv[++i]), 1, XVS_MAX_MASKS)};
        else if (a == "--no-live") live = false;
        else if (a == "--repeat" && i + 1 < argc) repeat = static_cast<uint32_t>(std::atol(argv[++i]));
        else if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
        else if (a == "--frames" && i + 1 < argc) frames = static_cast<uint32_t>(std::atol(argv[++i]));
        else if (a == "--markdown" && i + 1 < argc) markdown = argv[++i];
        else die("usage: xvs-bench-datapath [--runs N] [--frames N] [--repeat N] [--masks N] [--no-live] [--markdown FILE]");
    }
    install_cleanup("xvs-bench-datapath");
    if (unshare(CLONE_NEWNET)) die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (run as root)");
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    CPU_SET(0, &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);
    run("ip link set lo up");
    // xvs path: gA -> pA [xvs port 1] -> pB [port 2] -> gB [sink]
    // bare path: hA -> qA [bench_redirect] -> qB -> hB [sink]
    for (auto [a, b] : {std::pair{"gA", "pA"}, {"pB", "gB"}, {"hA", "qA"}, {"qB", "hB"}}) {
        run(fmt::format("ip link add {} type veth peer name {} && ip link set {} up && ip link set {} up", a, b, a, b));
    }
    std::unique_ptr<xvs_bench, void (*)(xvs_bench*)> skel(xvs_bench__open_and_load(), xvs_bench__destroy);
    if (!skel) die("cannot load the benchmark programs");
    uint32_t zero = 0, qb = ifindex("qB");
    bpf_map_update_elem(bpf_map__fd(skel->maps.bench_ifindex), &zero, &qb, BPF_ANY);
    std::vector<bpf_link*> links;
    for (auto [dev, prog] : {std::pair{"gB", skel->progs.bench_sink}, {"hB", skel->progs.bench_sink},
                             {"qA", skel->progs.bench_redirect}})
        attach_xdp(prog, dev, links);

    env().dp = fmt::format("bench{}", getpid());
    if (auto s = loader::Datapath::create(env().dp, {}); !s) die(s.message());
    auto dp = loader::Datapath::open(env().dp);
    if (!dp) die(dp.message());
    for (const char* dev : {"pA", "pB"}) {
        loader::PortSpec ps{dev, std::nullopt, loader::Hook::Xdp, loader::XdpTx::Yes, 0, 0};
        if (auto p = (*dp)->add_port(ps); !p) die(p.message());
    }
    int xvs_rx = bpf_obj_get(((*dp)->dir() + "/progs/xvs_xdp_rx").c_str());
    if (xvs_rx < 0) die("cannot open xvs_xdp_rx");

    auto frame = udp_frame();
    uint32_t pa = ifindex("pA"), qa = ifindex("qA");
    std::vector<double> bare_ns;
    for (int r = 0; r < runs; r++) bare_ns.push_back(prog_ns(bpf_program__fd(skel->progs.bench_redirect), qa, frame, repeat));
    double bare = median(bare_ns);

    struct Row {
        int masks;
        double cached, searched;
    };
    std::vector<Row> rows;
    auto set_mask_cache = [&](bool on) {
        xvs_dp_config c = (*dp)->config();
        c.flags = on ? (c.flags & ~uint32_t{XVS_CFG_NO_MASK_CACHE}) : (c.flags | XVS_CFG_NO_MASK_CACHE);
        if (auto s = (*dp)->set_config(c); !s) die(s.message());
    };
    for (int n : mask_counts) {
        install_masks(**dp, n);
        std::vector<double> cached, searched;
        for (int r = 0; r < runs; r++) {
            set_mask_cache(true);
            cached.push_back(prog_ns(xvs_rx, pa, frame, repeat));
            set_mask_cache(false);
            searched.push_back(prog_ns(xvs_rx, pa, frame, repeat));
        }
        set_mask_cache(true);
        rows.push_back({n, median(cached), median(searched)});
    }

    install_masks(**dp, 1);
    std::vector<double> live_bare, live_xvs;
    for (int r = 0; live && r < runs; r++) {
        live_bare.push_back(live_mpps(skel.get(), ifindex("hA"), frame, frames));
        live_xvs.push_back(live_mpps(skel.get(), ifindex("gA"), frame, frames));
    }
    if (!live) {
        live_bare.push_back(0);
        live_xvs.push_back(0);
    }

    utsname u{};
    uname(&u);
    time_t t = time(nullptr);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&t));
    std::string out;
    out += fmt::format("Measured {} on Linux {} ({}), {} CPUs online, one core (CPU 0); median of {} runs.\n\n", date,
                       u.release, u.machine, sysconf(_SC_NPROCESSORS_ONLN), runs);
    out += "### Per packet under BPF_PROG_TEST_RUN (64-byte UDP, XDP entry, the matching mask is searched last)\n\n";
    out += "An established flow is found through the per-CPU mask cache; with the cache off every mask before the\n"
           "matching one is probed (a new flow's first lookup, or a flow whose hint was evicted).\n\n";
    out += "| program | ns/packet, mask cache | x bare | ns/packet, full search | x bare |\n|---|---:|---:|---:|---:|\n";
    out += fmt::format("| bare XDP redirect | {:.1f} | 1.00 | | |\n", bare);
    for (const auto& r : rows)
        out += fmt::format("| xvs, {} mask{} | {:.1f} | {:.2f} | {:.1f} | {:.2f} |\n", r.masks, r.masks == 1 ? "" : "s",
                           r.cached, r.cached / bare, r.searched, r.searched / bare);
    out += "\n### Forwarding, live frames veth -> switch -> veth into a counting sink (64-byte frames)\n\n";
    out += "| path | Mpps (median) | range | ns/packet, whole path | x bare |\n|---|---:|---:|---:|---:|\n";
    double mb = median(live_bare), mx = median(live_xvs);
    out += fmt::format("| bare XDP redirect | {:.2f} | {} | {:.0f} | 1.00 |\n", mb, spread(live_bare), 1e3 / mb);
    out += fmt::format("| xvs (1 mask, output action) | {:.2f} | {} | {:.0f} | {:.2f} |\n", mx, spread(live_xvs),
                       1e3 / mx, mx / mb);
    std::cout << out;
    if (!markdown.empty()) {
        std::ofstream f(markdown);
        f << out;
    }
    close(xvs_rx);
    for (auto* l : links) bpf_link__destroy(l);
    return 0;
}
