// L2 switching benchmark: xvs-vswitchd's NORMAL switching on the BPF
// datapath next to the Linux bridge on the same kind of veths, and next to
// the bare XDP redirect (the physical limit), in a private network
// namespace:
//
//   bare:  hA -> qA [XDP redirect]      -> qB -> hB [counting sink]
//   xvs:   gA -> pA [xvs-vswitchd, br0] -> pB -> gB [counting sink]
//   Linux: lA -> bA [bridge brx]        -> bB -> lB [counting sink]
//
// - Mpps of 64-byte frames: the in-kernel live-frames generator transmits
//   one flow's frames into hA, gA or lA; both stations are learned first
//   (one frame from the sink side), so the switches forward by their MAC
//   tables. Everything runs on CPU 0: ns/packet is the whole path's cost.
// - TCP: iperf3, 1 and 8 streams, between two network namespaces whose
//   veths are ports of br0 (xvs) or of brx (Linux bridge).
// It prints numbers and asserts nothing; everything it made is removed on
// exit, signals included.
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <sstream>
#include <thread>

#include "bench/bench_live.h"

using namespace xvs;
using namespace xvs::bench;

namespace {

const uint8_t kMacA[6] = {0x02, 0, 0, 0, 0, 0x0a}, kMacB[6] = {0x02, 0, 0, 0, 0, 0x0b};

// A 64-byte (without FCS) UDP frame from station src to station dst.
std::vector<uint8_t> frame(const uint8_t* src, const uint8_t* dst) {
    std::vector<uint8_t> f(60, 0);
    std::memcpy(f.data(), dst, 6);
    std::memcpy(f.data() + 6, src, 6);
    const uint8_t rest[] = {0x08, 0x00, 0x45, 0, 0, 46, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
                            0x30, 0x39, 0x00, 0x50, 0, 26, 0, 0};
    std::memcpy(f.data() + 12, rest, sizeof rest);
    uint32_t sum = 0;
    for (int k = 14; k < 34; k += 2) sum += uint32_t(f[k] << 8 | f[k + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    f[24] = uint8_t(~sum >> 8);
    f[25] = uint8_t(~sum);
    return f;
}

// One frame out of 'dev' (so the switch behind it learns the sender).
void send_one(const char* dev, const std::vector<uint8_t>& f) {
    int fd = socket(AF_PACKET, SOCK_RAW, 0);
    if (fd < 0) die(std::string("AF_PACKET socket: ") + std::strerror(errno));
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(ifindex(dev));
    to.sll_halen = 6;
    if (sendto(fd, f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
        die(std::string("sendto: ") + std::strerror(errno));
    close(fd);
}

// Two namespaces, 10.77.N.1 and 10.77.N.2, whose veth peers pA/pB-like
// ends stay here to be bridged; returns their names.
std::pair<std::string, std::string> iperf_pair(int n, const std::string& a_end, const std::string& b_end) {
    std::string tag = std::to_string(getpid()) + "_" + std::to_string(n);
    std::string nsa = "xvsbenchA" + tag, nsb = "xvsbenchB" + tag;
    for (const auto& [ns, here, ip] : {std::tuple{nsa, a_end, 1}, std::tuple{nsb, b_end, 2}}) {
        run("ip netns add " + ns);
        env().netns.push_back(ns);
        std::string far = here + "x";
        run(fmt::format("ip link add {0} type veth peer name {1} && ip link set {1} netns {2} && ip link set {0} up && "
                        "ip -n {2} link set lo up && ip -n {2} link set {1} up && ip -n {2} addr add 10.77.{3}.{4}/24 "
                        "dev {1}",
                        here, far, ns, n, ip));
    }
    return {nsa, nsb};
}

// iperf3 throughput in Gbit/s from nsa to nsb (10.77.N.2), 'streams' parallel.
double iperf(const std::string& nsa, const std::string& nsb, int n, int streams, int seconds) {
    run(fmt::format("ip netns exec {} iperf3 -s -1 -D -B 10.77.{}.2 --logfile /dev/null", nsb, n));
    usleep(300000);
    std::string out = run(fmt::format("ip netns exec {} iperf3 -c 10.77.{}.2 -P {} -t {} -f g", nsa, n, streams, seconds));
    // The receiver's total: the last "receiver" line.
    auto p = out.rfind("receiver");
    if (p == std::string::npos) die("iperf3 printed no receiver total:\n" + out);
    auto line_start = out.rfind('\n', p);
    std::istringstream line(out.substr(line_start + 1, p - line_start - 1));
    std::string tok, prev;
    while (line >> tok) {
        if (tok == "Gbits/sec") return std::stod(prev);
        prev = tok;
    }
    die("cannot read iperf3's rate:\n" + out);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5, seconds = 5;
    uint32_t frames = 5000000;
    std::string markdown;
    bool tcp = true;
    Tools t;
    install_cleanup("xvs-bench-switching");
    for (Args a(argc, argv); a.next();) {
        if (a.is("--tools")) t.dir = a.value();
        else if (a.is("--schema")) t.schema = a.value();
        else if (a.is("--runs")) runs = std::max(1, std::stoi(a.value()));
        else if (a.is("--frames")) frames = static_cast<uint32_t>(std::stoul(a.value()));
        else if (a.is("--seconds")) seconds = std::max(1, std::stoi(a.value()));
        else if (a.is("--no-tcp")) tcp = false;
        else if (a.is("--markdown")) markdown = a.value();
        else
            die("usage: xvs-bench-switching --tools DIR --schema FILE [--runs N] [--frames N] [--seconds N] "
                "[--no-tcp] [--markdown FILE]");
    }
    if (t.dir.empty() || t.schema.empty()) die("--tools and --schema are required");
    if (unshare(CLONE_NEWNET)) die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (run as root)");
    run("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    for (auto [a, b] : {std::pair{"hA", "qA"}, {"qB", "hB"}, {"gA", "pA"}, {"pB", "gB"}, {"lA", "bA"}, {"bB", "lB"}})
        run(fmt::format("ip link add {} type veth peer name {} && ip link set {} up && ip link set {} up", a, b, a, b));

    start_daemons(t, "swb" + std::to_string(getpid()));
    pin_cpu(0);
    t.vsctl("add-br br0 -- add-port br0 pA -- add-port br0 pB");
    run("ip link add brx type bridge && ip link set bA master brx && ip link set bB master brx && ip link set brx up");

    std::unique_ptr<xvs_bench, void (*)(xvs_bench*)> skel(xvs_bench__open_and_load(), xvs_bench__destroy);
    if (!skel) die("cannot load the benchmark programs");
    uint32_t zero = 0, qb = ifindex("qB");
    bpf_map_update_elem(bpf_map__fd(skel->maps.bench_ifindex), &zero, &qb, BPF_ANY);
    std::vector<bpf_link*> links;
    for (const char* sink : {"hB", "gB", "lB"}) attach_xdp(skel->progs.bench_sink, sink, links);
    attach_xdp(skel->progs.bench_redirect, "qA", links);
    // Frames the generator redirects into a veth need an XDP program on
    // its peer to be let in; these pass them to the stack, where xvs's tcx
    // program and the bridge take them, as frames a VM sends arrive.
    for (const char* dev : {"pA", "bA"}) attach_xdp(skel->progs.bench_pass, dev, links);

    // Both switches learn station B behind their second port; A is learned
    // from the first frames.
    auto to_a = frame(kMacB, kMacA), to_b = frame(kMacA, kMacB);
    send_one("gB", to_a);
    send_one("lB", to_a);
    usleep(500000);
    std::vector<double> bare, xvs, linux_br;
    live_mpps(skel.get(), ifindex("gA"), to_b, 1000);  // the first frame takes the miss path
    usleep(300000);
    for (int r = 0; r < runs; r++) {
        bare.push_back(live_mpps(skel.get(), ifindex("hA"), to_b, frames));
        xvs.push_back(live_mpps(skel.get(), ifindex("gA"), to_b, frames));
        linux_br.push_back(live_mpps(skel.get(), ifindex("lA"), to_b, frames));
    }
    std::string fdb = t.appctl("fdb/show br0");
    std::string flows = t.appctl("dpif/dump-flows br0");

    double tcp_xvs[2] = {0, 0}, tcp_br[2] = {0, 0};
    if (tcp) {
        // Off CPU 0 nothing else runs now: iperf3 may use both cores.
        cpu_set_t all;
        CPU_ZERO(&all);
        for (int c = 0; c <= last_cpu(); c++) CPU_SET(c, &all);
        sched_setaffinity(0, sizeof all, &all);
        auto [xa, xb] = iperf_pair(1, "jA", "jB");
        t.vsctl("add-port br0 jA -- add-port br0 jB");
        auto [la, lb] = iperf_pair(2, "kA", "kB");
        run("ip link set kA master brx && ip link set kB master brx");
        run(fmt::format("ip netns exec {} ping -c 2 -i 0.2 -W 2 10.77.1.2 >/dev/null", xa));
        run(fmt::format("ip netns exec {} ping -c 2 -i 0.2 -W 2 10.77.2.2 >/dev/null", la));
        int k = 0;
        for (int streams : {1, 8}) {
            tcp_xvs[k] = iperf(xa, xb, 1, streams, seconds);
            tcp_br[k] = iperf(la, lb, 2, streams, seconds);
            k++;
        }
    }

    utsname u{};
    uname(&u);
    char date[32];
    time_t now = time(nullptr);
    strftime(date, sizeof date, "%Y-%m-%d", localtime(&now));
    double mb = median(bare), mx = median(xvs), ml = median(linux_br);
    std::ostringstream md;
    md << fmt::format("Measured {} on Linux {} ({}), {} CPUs online; frames generated and forwarded on CPU 0, "
                      "{} runs of {} frames.\n\n",
                      date, u.release, u.machine, last_cpu() + 1, runs, frames);
    md << "| path (64-byte frames, one flow, MACs learned) | Mpps (median) | range | ns/packet, whole path | x bare "
          "| x Linux bridge |\n|---|---:|---:|---:|---:|---:|\n";
    auto row = [&](const char* name, const std::vector<double>& v, double m) {
        md << fmt::format("| {} | {:.2f} | {} | {:.0f} | {:.2f} | {:.2f} |\n", name, m, spread(v), m > 0 ? 1e3 / m : 0,
                          mb > 0 ? m / mb : 0, ml > 0 ? m / ml : 0);
    };
    row("bare XDP redirect", bare, mb);
    row("Linux bridge", linux_br, ml);
    row("xvs-vswitchd, NORMAL", xvs, mx);
    if (tcp) {
        md << "\n| TCP, iperf3 namespace to namespace (Gbit/s) | 1 stream | 8 streams |\n|---|---:|---:|\n";
        md << fmt::format("| Linux bridge | {:.1f} | {:.1f} |\n", tcp_br[0], tcp_br[1]);
        md << fmt::format("| xvs-vswitchd, NORMAL | {:.1f} | {:.1f} |\n", tcp_xvs[0], tcp_xvs[1]);
        md << fmt::format("| xvs / Linux bridge | {:.2f} | {:.2f} |\n", tcp_br[0] > 0 ? tcp_xvs[0] / tcp_br[0] : 0,
                          tcp_br[1] > 0 ? tcp_xvs[1] / tcp_br[1] : 0);
    }
    md << "\nOpen vSwitch's userspace datapath with AF_XDP ports is not measured: this benchmark does not run it "
          "yet.\n";
    std::cout << md.str() << "\nfdb/show br0:\n" << fdb << "\ndpif/dump-flows br0:\n" << flows;
    if (!markdown.empty()) std::ofstream(markdown) << md.str();
    for (auto* l : links) bpf_link__destroy(l);
    return 0;
}
