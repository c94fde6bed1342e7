// L2 switching benchmark: xvs-vswitchd's NORMAL switching on the BPF
// datapath next to the Linux bridge on the same kind of veths, and next to
// the bare XDP redirect (the physical limit), in a private network
// namespace:
//
//   bare:  hA -> qA [XDP redirect]      -> qB -> hB [counting sink]
//   xvs:   gA -> pA [xvs-vswitchd, br0] -> pB -> gB [counting sink]
//   Linux: lA -> bA [bridge brx]        -> bB -> lB [counting sink]
//   OVS:   fA -> oA [ovs-vswitchd, netdev datapath, AF_XDP ports] -> oB -> fB
//
// - Mpps of 64-byte frames: the in-kernel live-frames generator transmits
//   one flow's frames into hA, gA or lA; both stations are learned first
//   (one frame from the sink side), so the switches forward by their MAC
//   tables. Everything runs on CPU 0: ns/packet is the whole path's cost.
//   Open vSwitch (Debian's, when installed) busy-polls its AF_XDP sockets
//   from a PMD thread on the last CPU: its CPU cost counts that core too.
// - sFlow: the xvs path again with sFlow sampling 1 in 64 and 1 in 1 on
//   br0 (to a collector socket that never reads): Mpps with sampling, and
//   the samples the agent sent and the datapath dropped per second.
// - TCP: iperf3, 1 and 8 streams, between two network namespaces whose
//   veths are ports of br0 (xvs), of brx (Linux bridge) or of Open
//   vSwitch's bridge.
// It prints numbers and asserts nothing; everything it made is removed on
// exit, signals included.
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

// Open vSwitch's userspace datapath with AF_XDP ports, started from
// Debian's packages in a directory of its own when they are installed.
struct Ovs {
    std::string dir, why;  // why: empty when it runs
    std::string vsctl(const std::string& args) const {
        return run("ovs-vsctl --db=unix:" + dir + "/db.sock --timeout=30 " + args + " 2>&1");
    }
    // Seconds of CPU the daemon used so far (all its threads).
    double cpu_seconds() const {
        std::ifstream pf(dir + "/vs.pid");
        long pid = 0;
        pf >> pid;
        std::ifstream st("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        std::getline(st, line);
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string tok;
        double ticks = 0;
        for (int field = 3; rest >> tok && field <= 15; field++)
            if (field >= 14) ticks += std::stod(tok);  // utime, stime
        return ticks / double(sysconf(_SC_CLK_TCK));
    }
    // Adds device 'dev' as an AF_XDP port (native XDP on the veth).
    std::string add_port(const std::string& dev) const {
        vsctl(fmt::format("add-port brafx {0} -- set interface {0} type=afxdp options:xdp-mode=native", dev));
        std::string err = vsctl("get interface " + dev + " error");
        return err.find("[]") == 0 ? "" : err;
    }
};

// Starts ovsdb-server and ovs-vswitchd (PMD threads on CPU 'pmd_cpu') with
// bridge brafx of ports oA and oB, or says why not.
Ovs start_ovs(int pmd_cpu) {
    Ovs o;
    const char* schema = "/usr/share/openvswitch/vswitch.ovsschema";
    if (std::system("command -v ovs-vswitchd >/dev/null && command -v ovsdb-server >/dev/null") != 0 ||
        access(schema, R_OK) != 0) {
        o.why = "Open vSwitch (openvswitch-switch) is not installed";
        return o;
    }
    o.dir = env().dir + "/ovs";
    std::string envs = "OVS_RUNDIR=" + o.dir + " OVS_DBDIR=" + o.dir + " OVS_LOGDIR=" + o.dir + " OVS_SYSCONFDIR=" + o.dir;
    run(fmt::format("mkdir -p {0} && ovsdb-tool create {0}/conf.db {1} && {2} ovsdb-server {0}/conf.db "
                    "--remote=punix:{0}/db.sock --unixctl={0}/db.ctl --pidfile={0}/db.pid --detach --no-chdir "
                    "--log-file={0}/db.log",
                    o.dir, schema, envs));
    env().pidfiles.push_back(o.dir + "/db.pid");
    run(fmt::format("{1} ovs-vswitchd unix:{0}/db.sock --disable-system --unixctl={0}/vs.ctl --pidfile={0}/vs.pid "
                    "--detach --no-chdir --log-file={0}/vs.log",
                    o.dir, envs));
    env().pidfiles.push_back(o.dir + "/vs.pid");
    o.vsctl(fmt::format("--no-wait init -- set open_vswitch . other_config:pmd-cpu-mask={:#x}", 1u << pmd_cpu));
    o.vsctl("add-br brafx -- set bridge brafx datapath_type=netdev");
    for (const char* dev : {"oA", "oB"}) {
        std::string err = o.add_port(dev);
        if (!err.empty()) {
            o.why = std::string("ovs-vswitchd cannot open ") + dev + " as an AF_XDP port: " + err;
            return o;
        }
    }
    return o;
}

struct SamplingRun {
    uint32_t one_in;
    std::vector<double> mpps;
    double sent_per_s, dropped_per_s;
};

// From sflow/show: flow samples the agent sent, samples the datapath dropped.
std::pair<uint64_t, uint64_t> sflow_counts(const Tools& t) {
    std::string out = t.appctl("sflow/show br0");
    auto number_after = [&](const std::string& label) -> uint64_t {
        auto p = out.find(label);
        if (p == std::string::npos) die("sflow/show has no \"" + label + "\":\n" + out);
        return std::stoull(out.substr(p + label.size()));
    };
    return {number_after("flow samples: "), number_after("all bridges): ")};
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5, seconds = 5;
    uint32_t frames = 5000000;
    std::string markdown;
    bool tcp = true, with_sflow = true;
    Tools t;
    install_cleanup("xvs-bench-switching");
    for (Args a(argc, argv); a.next();) {
        if (a.is("--tools")) t.dir = a.value();
        else if (a.is("--schema")) t.schema = a.value();
        else if (a.is("--runs")) runs = std::max(1, std::stoi(a.value()));
        else if (a.is("--frames")) frames = static_cast<uint32_t>(std::stoul(a.value()));
        else if (a.is("--seconds")) seconds = std::max(1, std::stoi(a.value()));
        else if (a.is("--no-tcp")) tcp = false;
        else if (a.is("--no-sflow")) with_sflow = false;
        else if (a.is("--markdown")) markdown = a.value();
        else
            die("usage: xvs-bench-switching --tools DIR --schema FILE [--runs N] [--frames N] [--seconds N] "
                "[--no-tcp] [--no-sflow] [--markdown FILE]");
    }
    if (t.dir.empty() || t.schema.empty()) die("--tools and --schema are required");
    if (unshare(CLONE_NEWNET)) die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + " (run as root)");
    run("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1");
    for (auto [a, b] : {std::pair{"hA", "qA"}, {"qB", "hB"}, {"gA", "pA"}, {"pB", "gB"}, {"lA", "bA"}, {"bB", "lB"},
                          {"fA", "oA"}, {"oB", "fB"}})
        run(fmt::format("ip link add {} type veth peer name {} && ip link set {} up && ip link set {} up", a, b, a, b));

    start_daemons(t, "swb" + std::to_string(getpid()));
    Ovs ovs = start_ovs(last_cpu());
    pin_cpu(0);
    t.vsctl("add-br br0 -- add-port br0 pA -- add-port br0 pB");
    run("ip link add brx type bridge && ip link set bA master brx && ip link set bB master brx && ip link set brx up");

    std::unique_ptr<xvs_bench, void (*)(xvs_bench*)> skel(xvs_bench__open_and_load(), xvs_bench__destroy);
    if (!skel) die("cannot load the benchmark programs");
    uint32_t zero = 0, qb = ifindex("qB");
    bpf_map_update_elem(bpf_map__fd(skel->maps.bench_ifindex), &zero, &qb, BPF_ANY);
    std::vector<bpf_link*> links;
    for (const char* sink : {"hB", "gB", "lB", "fB"}) attach_xdp(skel->progs.bench_sink, sink, links);
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
    if (ovs.why.empty()) send_one("fB", to_a);
    usleep(500000);
    std::vector<double> bare, xvs, linux_br, ovs_mpps, ovs_cores;
    live_mpps(skel.get(), ifindex("gA"), to_b, 1000);  // the first frame takes the miss path
    usleep(300000);
    for (int r = 0; r < runs; r++) {
        bare.push_back(live_mpps(skel.get(), ifindex("hA"), to_b, frames));
        xvs.push_back(live_mpps(skel.get(), ifindex("gA"), to_b, frames));
        linux_br.push_back(live_mpps(skel.get(), ifindex("lA"), to_b, frames));
        if (ovs.why.empty()) {
            double c0 = ovs.cpu_seconds();
            uint64_t t0 = now_ns();
            ovs_mpps.push_back(live_mpps(skel.get(), ifindex("fA"), to_b, frames));
            // CPU 0 generates and delivers; the daemon's threads (the PMD
            // busy-polling) add theirs.
            ovs_cores.push_back(1 + (ovs.cpu_seconds() - c0) / (double(now_ns() - t0) / 1e9));
        }
    }
    std::string fdb = t.appctl("fdb/show br0");
    std::string flows = t.appctl("dpif/dump-flows br0");

    // sFlow on br0, 1 in 64 and 1 in 1, to a collector socket here that
    // never reads (the datagrams cost the sender the same): forwarding
    // with sampling, and the samples the exporter sent and the datapath
    // dropped (ring buffer full) per second.
    std::vector<SamplingRun> sampling;
    if (with_sflow) {
        int sink = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof sa;
        if (sink < 0 || bind(sink, reinterpret_cast<sockaddr*>(&sa), sizeof sa) ||
            getsockname(sink, reinterpret_cast<sockaddr*>(&sa), &len))
            die(std::string("collector socket: ") + std::strerror(errno));
        for (uint32_t n : {64u, 1u}) {
            t.vsctl(fmt::format("-- --id=@s create sflow targets=\"\\\"127.0.0.1:{}\\\"\" sampling={} header=128 "
                                "polling=0 -- set bridge br0 sflow=@s",
                                ntohs(sa.sin_port), n));
            usleep(300000);
            SamplingRun sr{n, {}, 0, 0};
            double secs = 0;
            auto [s0, d0] = sflow_counts(t);
            for (int r = 0; r < runs; r++) {
                uint64_t t0 = now_ns();
                sr.mpps.push_back(live_mpps(skel.get(), ifindex("gA"), to_b, frames));
                secs += double(now_ns() - t0) / 1e9;
            }
            usleep(200000);  // the exporter drains the ring
            auto [s1, d1] = sflow_counts(t);
            sr.sent_per_s = double(s1 - s0) / secs;
            sr.dropped_per_s = double(d1 - d0) / secs;
            sampling.push_back(sr);
            t.vsctl("clear bridge br0 sflow");
        }
        close(sink);
    }

    double tcp_xvs[2] = {0, 0}, tcp_br[2] = {0, 0}, tcp_ovs[2] = {0, 0};
    std::string ovs_tcp_why = ovs.why;
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
        std::string oa, ob;
        if (ovs.why.empty()) {
            std::tie(oa, ob) = iperf_pair(3, "mA", "mB");
            // An AF_XDP port copies frames without their checksum offload
            // state: senders behind it compute checksums themselves, as
            // Open vSwitch's documentation asks for veths.
            for (const auto& [ns, dev] : {std::pair{oa, "mAx"}, {ob, "mBx"}})
                run(fmt::format("ip netns exec {} ethtool -K {} tx off >/dev/null", ns, dev));
            for (const char* dev : {"mA", "mB"})
                if (std::string err = ovs.add_port(dev); !err.empty()) ovs_tcp_why = err;
            if (ovs_tcp_why.empty()) run(fmt::format("ip netns exec {} ping -c 2 -i 0.2 -W 2 10.77.3.2 >/dev/null", oa));
        }
        int k = 0;
        for (int streams : {1, 8}) {
            tcp_xvs[k] = iperf(xa, xb, 1, streams, seconds);
            tcp_br[k] = iperf(la, lb, 2, streams, seconds);
            if (ovs_tcp_why.empty()) tcp_ovs[k] = iperf(oa, ob, 3, streams, seconds);
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
    md << "| path (64-byte frames, one flow, MACs learned) | Mpps (median) | range | cores busy | CPU ns/packet "
          "| x bare | x Linux bridge | x Open vSwitch |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    double mo = median(ovs_mpps);
    auto row = [&](const char* name, const std::vector<double>& v, double m, double cores) {
        auto ratio = [&](double peer) { return peer > 0 ? fmt::format("{:.2f}", m / peer) : std::string("-"); };
        md << fmt::format("| {} | {:.2f} | {} | {:.2f} | {:.0f} | {} | {} | {} |\n", name, m, spread(v), cores,
                          m > 0 ? cores * 1e3 / m : 0, ratio(mb), ratio(ml), ratio(mo));
    };
    row("bare XDP redirect", bare, mb, 1);
    row("Linux bridge", linux_br, ml, 1);
    if (ovs.why.empty()) row("Open vSwitch 3.1, netdev datapath, AF_XDP ports, NORMAL", ovs_mpps, mo, median(ovs_cores));
    row("xvs-vswitchd, NORMAL", xvs, mx, 1);
    if (!sampling.empty()) {
        md << "\n| xvs-vswitchd, NORMAL, with sFlow | Mpps (median) | range | x without sampling | samples sent/s | "
              "samples dropped/s (ring full) |\n|---|---:|---:|---:|---:|---:|\n";
        for (const auto& sr : sampling) {
            double m = median(sr.mpps);
            md << fmt::format("| sampling 1 in {} | {:.2f} | {} | {:.2f} | {:.0f} | {:.0f} |\n", sr.one_in, m,
                              spread(sr.mpps), mx > 0 ? m / mx : 0, sr.sent_per_s, sr.dropped_per_s);
        }
    }
    if (tcp) {
        md << "\n| TCP, iperf3 namespace to namespace (Gbit/s) | 1 stream | 8 streams |\n|---|---:|---:|\n";
        md << fmt::format("| Linux bridge | {:.1f} | {:.1f} |\n", tcp_br[0], tcp_br[1]);
        if (ovs_tcp_why.empty())
            md << fmt::format("| Open vSwitch 3.1, AF_XDP ports (senders' checksum offload off) | {:.1f} | {:.1f} |\n",
                              tcp_ovs[0], tcp_ovs[1]);
        md << fmt::format("| xvs-vswitchd, NORMAL | {:.1f} | {:.1f} |\n", tcp_xvs[0], tcp_xvs[1]);
        md << fmt::format("| xvs / Linux bridge | {:.2f} | {:.2f} |\n", tcp_br[0] > 0 ? tcp_xvs[0] / tcp_br[0] : 0,
                          tcp_br[1] > 0 ? tcp_xvs[1] / tcp_br[1] : 0);
        if (ovs_tcp_why.empty())
            md << fmt::format("| xvs / Open vSwitch | {:.2f} | {:.2f} |\n", tcp_ovs[0] > 0 ? tcp_xvs[0] / tcp_ovs[0] : 0,
                              tcp_ovs[1] > 0 ? tcp_xvs[1] / tcp_ovs[1] : 0);
    }
    md << "\nCores busy: the generator and every path's forwarding share CPU 0; Open vSwitch's PMD thread also "
          "busy-polls the last CPU, measured from its daemon's CPU time, so CPU ns/packet counts both.\n";
    if (!ovs.why.empty()) md << "\nOpen vSwitch with AF_XDP ports is not measured: " << ovs.why << ".\n";
    else if (tcp && !ovs_tcp_why.empty()) md << "\nTCP through Open vSwitch is not measured: " << ovs_tcp_why << ".\n";
    std::cout << md.str() << "\nfdb/show br0:\n" << fdb << "\ndpif/dump-flows br0:\n" << flows;
    if (!markdown.empty()) std::ofstream(markdown) << md.str();
    for (auto* l : links) bpf_link__destroy(l);
    return 0;
}
