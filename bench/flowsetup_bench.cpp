// Flow setup benchmark: how fast xvs-vswitchd turns datapath misses into
// megaflows, on the BPF datapath, with a real daemon pair in a private
// network namespace:
//
//   gA -> pA [xvs port 1] -> pB [xvs port 2] -> gB [stamping sink]
//
// The OpenFlow table ("udp,tp_src=1,tp_dst=1 -> drop", else output:2)
// makes every UDP port pair its own megaflow. It measures
//  - first-packet latency: new flows sent one at a time (AF_PACKET on gA),
//    each frame's arrival stamped at gB by an XDP program (same clock);
//    next to it, the latency of a second packet of the same flows;
//  - setup rate: the in-kernel live-frames generator sends frames of N
//    never-seen flows as fast as the miss path takes them (cycling through
//    them, so upcalls the ring could not take come again), and the rate at
//    which the daemon installs megaflows is read from upcall/show;
//  - revalidation: with those N megaflows installed, the time the daemon
//    reports for re-checking megaflows after a flow table change that
//    touches one megaflow and after one that touches them all.
// It prints numbers and asserts nothing. Everything it starts is stopped by
// pid and the datapath removed on exit (signals included).
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_common.h"
#include "xvs_bench.skel.h"

using namespace xvs;
using namespace xvs::bench;

namespace {

constexpr uint32_t kPortsPerDst = 50000;  // as in bench_progs.bpf.c

// A 64-byte UDP frame (without FCS) of flow index i.
std::vector<uint8_t> frame_of(uint32_t i) {
    std::vector<uint8_t> f(60, 0);
    const uint8_t hdr[] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,  // eth
                           0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0,             // ipv4
                           10, 0, 0, 1, 10, 0, 0, 2,                             // addrs
                           0, 0, 0, 0, 0, 26, 0, 0};                             // udp
    std::memcpy(f.data(), hdr, sizeof hdr);
    // IPv4 header checksum.
    uint32_t sum = 0;
    for (int k = 14; k < 34; k += 2) sum += uint32_t(f[k] << 8 | f[k + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    uint16_t c = static_cast<uint16_t>(~sum);
    f[24] = uint8_t(c >> 8);
    f[25] = uint8_t(c);
    uint16_t sp = static_cast<uint16_t>(1024 + i % kPortsPerDst), dp = static_cast<uint16_t>(1024 + i / kPortsPerDst);
    f[34] = uint8_t(sp >> 8);
    f[35] = uint8_t(sp);
    f[36] = uint8_t(dp >> 8);
    f[37] = uint8_t(dp);
    return f;
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * double(v.size())));
    return v[i];
}

// A number that follows 'label' in upcall/show's report.
std::optional<double> field(const std::string& report, const std::string& label) {
    auto p = report.find(label);
    if (p == std::string::npos) return std::nullopt;
    p = report.find_first_of("0123456789", p + label.size());
    if (p == std::string::npos) return std::nullopt;
    return std::stod(report.substr(p));
}

uint64_t installed(const Tools& t) {
    return static_cast<uint64_t>(field(t.appctl("upcall/show"), "installed").value_or(0));
}

struct Latency {
    std::vector<double> first_us, second_us;
    size_t lost_first = 0, lost_second = 0;
};

// Sends flows [base, base+n) one by one from gA, paced, twice; returns the
// one-way latencies the stamping sink saw.
Latency measure_latency(xvs_bench* skel, uint32_t base, uint32_t n, unsigned gap_us) {
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) die(std::string("AF_PACKET socket: ") + std::strerror(errno));
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(ifindex("gA"));
    to.sll_halen = 6;
    Latency out;
    for (int pass = 0; pass < 2; pass++) {
        std::vector<uint64_t> sent(n);
        for (uint32_t k = 0; k < n; k++) {
            auto f = frame_of(base + k);
            sent[k] = now_ns();
            if (sendto(fd, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
                die(std::string("sendto: ") + std::strerror(errno));
            usleep(gap_us);
        }
        usleep(200000);
        int map = bpf_map__fd(pass == 0 ? skel->maps.bench_first : skel->maps.bench_last);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t i = base + k;
            uint64_t at = 0;
            bpf_map_lookup_elem(map, &i, &at);
            if (at < sent[k]) {
                (pass == 0 ? out.lost_first : out.lost_second)++;
                continue;
            }
            (pass == 0 ? out.first_us : out.second_us).push_back(double(at - sent[k]) / 1000.0);
        }
    }
    close(fd);
    return out;
}

struct SetupRate {
    double rate = 0;          // megaflows/s between 10% and 90% of n
    double all_s = 0;         // seconds until all n were installed (0: not within the limit)
    uint64_t got = 0;         // megaflows installed
    double offered_mpps = 0;  // frames the generator sent per second
};

SetupRate measure_setup(xvs_bench* skel, const Tools& t, uint32_t n, double limit_s) {
    uint32_t zero = 0;
    struct {
        uint32_t first, n, next, pad;
    } cfg{0, n, 0, 0};
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.bench_flowgen), &zero, &cfg, BPF_ANY))
        die("cannot configure the generator");
    uint32_t ga = ifindex("gA"), slot = 1;
    bpf_map_update_elem(bpf_map__fd(skel->maps.bench_ifindex), &slot, &ga, BPF_ANY);
    uint64_t base = installed(t);
    std::atomic<bool> stop{false};
    std::atomic<uint64_t> frames{0};
    std::thread gen([&] {
        pin_cpu(0);
        auto f = frame_of(0);
        xdp_md ctx{};
        ctx.data_end = static_cast<__u32>(f.size());
        ctx.ingress_ifindex = ifindex("lo");
        while (!stop) {
            LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(), .data_size_in = static_cast<__u32>(f.size()),
                        .ctx_in = &ctx, .ctx_size_in = sizeof ctx, .repeat = 20000,
                        .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
            if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench_gen_flows), &o))
                die(std::string("live BPF_PROG_RUN: ") + std::strerror(errno));
            frames += 20000;
        }
    });
    SetupRate r;
    uint64_t t0 = now_ns(), t10 = 0, t90 = 0;
    uint64_t c10 = 0, c90 = 0;
    while (true) {
        usleep(50000);
        uint64_t got = installed(t) - base, now = now_ns();
        if (!t10 && got >= n / 10) t10 = now, c10 = got;
        if (!t90 && got >= n * 9 / 10) t90 = now, c90 = got;
        r.got = got;
        if (got >= n) {
            r.all_s = double(now - t0) / 1e9;
            break;
        }
        if (double(now - t0) / 1e9 > limit_s) break;
    }
    stop = true;
    gen.join();
    r.offered_mpps = double(frames) / (double(now_ns() - t0) / 1e9) / 1e6;
    if (t10 && t90 > t10) r.rate = double(c90 - c10) / (double(t90 - t10) / 1e9);
    else if (r.all_s > 0) r.rate = double(n) / r.all_s;
    return r;
}

// The daemon's report of its last revalidation: (megaflows checked, ms).
std::pair<double, double> last_revalidation(const Tools& t) {
    std::string r = t.appctl("upcall/show");
    auto p = r.find("last revalidation");
    if (p == std::string::npos) die("upcall/show has no 'last revalidation' line:\n" + r);
    std::string line = r.substr(p, r.find('\n', p) - p);
    return {field(line, ":").value_or(0), field(line, " in ").value_or(0)};
}

// Applies a flow table change and waits for its revalidation.
std::pair<double, double> revalidate_after(const Tools& t, const std::string& ofctl_args) {
    auto before = field(t.appctl("upcall/show"), "revalidations").value_or(0);
    t.ofctl(ofctl_args);
    for (int i = 0; i < 600; i++) {
        if (field(t.appctl("upcall/show"), "revalidations").value_or(0) > before) return last_revalidation(t);
        usleep(50000);
    }
    die("no revalidation followed: " + ofctl_args);
}

}  // namespace

int main(int argc, char** argv) {
    uint32_t n = 100000, lat_n = 2000;
    std::string markdown;
    Tools t;
    install_cleanup("xvs-bench-flowsetup");
    for (Args a(argc, argv); a.next();) {
        if (a.is("--tools")) t.dir = a.value();
        else if (a.is("--schema")) t.schema = a.value();
        else if (a.is("--flows")) n = static_cast<uint32_t>(std::stoul(a.value()));
        else if (a.is("--latency-flows")) lat_n = static_cast<uint32_t>(std::stoul(a.value()));
        else if (a.is("--markdown")) markdown = a.value();
        else
            die("usage: xvs-bench-flowsetup --tools DIR --schema FILE [--flows N] [--latency-flows N] "
                "[--markdown FILE]");
    }
    if (t.dir.empty() || t.schema.empty()) die("--tools and --schema are required");
    if (n < 10 || n + lat_n > (1u << 19)) die("--flows: between 10 and 500000");
    if (unshare(CLONE_NEWNET)) die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (run as root)");
    run("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    for (auto [a, b] : {std::pair{"gA", "pA"}, {"pB", "gB"}})
        run(fmt::format("ip link add {} type veth peer name {} && ip link set {} up && ip link set {} up", a, b, a, b));

    // The daemons on the last CPU, the generator (and the datapath work it
    // drives) on CPU 0.
    int ncpu = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
    start_daemons(t, "fsb" + std::to_string(getpid()));
    pin_cpu(0);
    t.vsctl(fmt::format("add-br br0 -- set bridge br0 fail_mode=secure "
                        "-- set open . other_config:flow-limit={} other_config:max-idle=600000 "
                        "-- add-port br0 pA -- set interface pA ofport_request=1 "
                        "-- add-port br0 pB -- set interface pB ofport_request=2",
                        std::max<uint32_t>(200000, 2 * n)));
    t.ofctl("add-flow br0 priority=10,udp,tp_src=1,tp_dst=1,actions=drop");
    t.ofctl("add-flow br0 priority=1,actions=output:2");

    std::unique_ptr<xvs_bench, void (*)(xvs_bench*)> skel(xvs_bench__open_and_load(), xvs_bench__destroy);
    if (!skel) die("cannot load the benchmark programs");
    bpf_link* sink = bpf_program__attach_xdp(skel->progs.bench_stamp, static_cast<int>(ifindex("gB")));
    if (!sink) die("cannot attach the stamping sink to gB");
    // xvs runs veth ports on tcx; an XDP program on pA lets the generator's
    // redirected frames in (as frames a VM sends arrive).
    bpf_link* pass = bpf_program__attach_xdp(skel->progs.bench_pass, static_cast<int>(ifindex("pA")));
    if (!pass) die("cannot attach XDP to pA");

    // From here on the bench's own thread (it polls the daemon) stays off
    // CPU 0, which the generator keeps busy.
    pin_cpu(ncpu > 1 ? ncpu - 1 : 0);
    // Latency first, on flows of their own (above the rate test's range).
    uint32_t lat_base = n + 1000;
    Latency lat = measure_latency(skel.get(), lat_base, lat_n, 1000);
    if (lat.first_us.empty()) die("no packet crossed the switch; see " + env().dir + "/vs.log");
    SetupRate sr = measure_setup(skel.get(), t, n, 60);
    std::string flows = t.appctl("upcall/show");
    auto one = revalidate_after(t, "add-flow br0 priority=20,udp,tp_src=1025,tp_dst=1024,actions=output:2");
    auto all = revalidate_after(t, "add-flow br0 priority=5,udp,actions=output:2");

    utsname u{};
    uname(&u);
    char date[32];
    time_t now = time(nullptr);
    strftime(date, sizeof date, "%Y-%m-%d", localtime(&now));
    std::ostringstream md;
    md << fmt::format("Measured {} on Linux {} ({}), {} CPUs online; daemons on CPU {}, the generator and the "
                      "datapath work on CPU 0.\n\n",
                      date, u.release, u.machine, ncpu, ncpu > 1 ? ncpu - 1 : 0);
    md << "| figure | xvs |\n|---|---:|\n";
    md << fmt::format("| first-packet latency, new flow, p50 (us) | {:.1f} |\n", pct(lat.first_us, 50));
    md << fmt::format("| first-packet latency, new flow, p99 (us) | {:.1f} |\n", pct(lat.first_us, 99));
    md << fmt::format("| first-packet latency, new flow, max (us) | {:.1f} |\n", pct(lat.first_us, 100));
    md << fmt::format("| latency, second packet of the flow, p50 (us) | {:.1f} |\n", pct(lat.second_us, 50));
    md << fmt::format("| latency, second packet of the flow, p99 (us) | {:.1f} |\n", pct(lat.second_us, 99));
    md << fmt::format("| new flows lost of {} (first / second packet) | {} / {} |\n", lat_n, lat.lost_first,
                      lat.lost_second);
    md << fmt::format("| megaflow setups/s under a miss storm ({} new flows) | {:.0f} |\n", n, sr.rate);
    md << fmt::format("| seconds until all {} were installed | {} |\n", n,
                      sr.all_s > 0 ? fmt::format("{:.2f}", sr.all_s) : fmt::format("not within 60 s ({} installed)", sr.got));
    md << fmt::format("| miss storm offered by the generator (Mpps) | {:.2f} |\n", sr.offered_mpps);
    md << fmt::format("| revalidation after a change touching 1 megaflow: megaflows checked, ms | {:.0f}, {:.1f} |\n",
                      one.first, one.second);
    md << fmt::format("| revalidation after a change touching all {}: megaflows checked, ms | {:.0f}, {:.1f} |\n",
                      sr.got, all.first, all.second);
    std::cout << md.str() << "\nupcall/show after the storm:\n" << flows;
    if (!markdown.empty()) std::ofstream(markdown) << md.str();
    bpf_link__destroy(pass);
    bpf_link__destroy(sink);
    return 0;
}
