// The BPF test harness and its main(): see harness.h.
#define DOCTEST_CONFIG_IMPLEMENT
#include "harness.h"

#include "support/key_fields.h"
#include "xvs/abi_names.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "compiler/dp_flow_text.h"

namespace xvs::bpftest {

namespace {

// ---- Datapaths to clean up on abnormal exit ----------------------------------
// Fixed storage, so the signal handlers need no allocation to walk it.

constexpr int kMaxLive = 16;
char g_live_dirs[kMaxLive][512];
volatile sig_atomic_t g_live_used[kMaxLive];
volatile sig_atomic_t g_cleaning = 0;

struct LinuxDirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

// rm -r with system calls only (usable from a signal handler).
void rm_tree_at(int dirfd, const char* name, int depth) {
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        unlinkat(dirfd, name, 0);
        return;
    }
    alignas(8) char buf[4096];
    for (int pass = 0; pass < 64; pass++) {
        bool removed = false;
        lseek(fd, 0, SEEK_SET);
        for (;;) {
            long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
            if (n <= 0) break;
            for (long off = 0; off < n;) {
                auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
                off += d->d_reclen;
                if (!std::strcmp(d->d_name, ".") || !std::strcmp(d->d_name, "..")) continue;
                if (d->d_type == DT_DIR && depth < 6)
                    rm_tree_at(fd, d->d_name, depth + 1);
                else
                    unlinkat(fd, d->d_name, 0);
                removed = true;
            }
        }
        if (!removed) break;
    }
    close(fd);
    unlinkat(dirfd, name, AT_REMOVEDIR);
}

int register_live(const std::string& dir) {
    for (int i = 0; i < kMaxLive; i++) {
        if (g_live_used[i]) continue;
        std::snprintf(g_live_dirs[i], sizeof g_live_dirs[i], "%s", dir.c_str());
        g_live_used[i] = 1;
        return i;
    }
    throw std::runtime_error("too many live test datapaths");
}

void unregister_live(int slot) {
    if (slot >= 0 && slot < kMaxLive) g_live_used[slot] = 0;
}

void cleanup_live() {
    for (int i = 0; i < kMaxLive; i++) {
        if (!g_live_used[i]) continue;
        rm_tree_at(AT_FDCWD, g_live_dirs[i], 0);
        g_live_used[i] = 0;
    }
}

void on_fatal_signal(int sig) {
    if (!g_cleaning) {
        g_cleaning = 1;
        static const char msg[] = "\n[bpf harness] signal: removing test datapaths\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        cleanup_live();
    }
    std::signal(sig, SIG_DFL);
    raise(sig);
}

std::vector<std::function<void()>>& teardowns() {
    static std::vector<std::function<void()>> v;
    return v;
}

void run_teardowns() {
    auto& v = teardowns();
    while (!v.empty()) {
        auto fn = std::move(v.back());
        v.pop_back();
        try {
            fn();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "[bpf harness] teardown failed: %s\n", e.what());
        }
    }
}

bool write_file(const char* path, const char* value) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, value, std::strlen(value)) == static_cast<ssize_t>(std::strlen(value));
    close(fd);
    return ok;
}

// A two-instruction XDP program: is BPF usable at all?
std::string probe_bpf() {
    struct statfs st {};
    if (statfs("/sys/fs/bpf", &st) != 0 || st.f_type != 0xcafe4a11)
        return "bpffs is not mounted at /sys/fs/bpf";
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[0].dst_reg = BPF_REG_0;
    insns[0].imm = 2;  // XDP_PASS
    insns[1].code = BPF_JMP | BPF_EXIT;
    int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "xvs_probe", "GPL", insns, 2, nullptr);
    if (fd < 0) return fmt::format("cannot load a BPF program: {}", std::strerror(errno));
    close(fd);
    return {};
}

// Empty when the process is ready to run the tests, else why not.
std::string setup_process() {
    if (geteuid() != 0) return "not running as root";
    if (std::string why = probe_bpf(); !why.empty()) return why;
    if (unshare(CLONE_NEWNET) != 0)
        return fmt::format("cannot create a network namespace: {}", std::strerror(errno));
    // /proc/sys/net now shows the new namespace. No IPv6: the kernel would
    // otherwise send router solicitations and MLD reports on every veth,
    // which the datapath ports would see as traffic.
    write_file("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    write_file("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    try {
        sh("ip link set lo up");
    } catch (const std::exception& e) {
        return e.what();
    }
    // Per-CPU state (upcall buckets, dedup LRU) must be the same CPU's from
    // one test run to the next.
    int cpu = sched_getcpu();
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof set, &set);
    }
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL})
        std::signal(sig, on_fatal_signal);
    std::set_terminate([] {
        cleanup_live();
        std::abort();
    });
    std::atexit(cleanup_live);
    return {};
}

int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

// ---- Process ------------------------------------------------------------------

void sh(const std::string& cmd) {
    std::string full = cmd + " >/dev/null 2>&1";
    int rc = std::system(full.c_str());
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
        throw std::runtime_error(fmt::format("command failed (status {}): {}", rc, cmd));
}

void at_teardown(std::function<void()> fn) { teardowns().push_back(std::move(fn)); }

// ---- Network devices ------------------------------------------------------------

namespace {

void attach_xdp_pass(const std::string& ifname) {
    bpf_insn insns[2] = {};
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
    insns[0].dst_reg = BPF_REG_0;
    insns[0].imm = 2;  // XDP_PASS
    insns[1].code = BPF_JMP | BPF_EXIT;
    UniqueFd prog(bpf_prog_load(BPF_PROG_TYPE_XDP, "xvs_test_pass", "GPL", insns, 2, nullptr));
    unsigned ifindex = if_nametoindex(ifname.c_str());
    if (!prog.valid() || !ifindex || bpf_xdp_attach(static_cast<int>(ifindex), prog.get(), XDP_FLAGS_DRV_MODE, nullptr))
        throw std::runtime_error("cannot give " + ifname + " NAPI (neither ethtool -K gro on nor an XDP program)");
}

}  // namespace

Veth make_veth(const std::string& name) {
    Veth v;
    v.name = name;
    v.peer = name + "p";
    sh(fmt::format("ip link add {} type veth peer name {}", v.name, v.peer));
    sh(fmt::format("ip link set {} up", v.name));
    sh(fmt::format("ip link set {} up", v.peer));
    // NAPI on the peer: GRO on, or else a do-nothing XDP program on it.
    try {
        sh(fmt::format("ethtool -K {} gro on", v.peer));
    } catch (const std::exception&) {
        attach_xdp_pass(v.peer);
    }
    v.ifindex = if_nametoindex(v.name.c_str());
    v.peer_ifindex = if_nametoindex(v.peer.c_str());
    if (!v.ifindex || !v.peer_ifindex) throw std::runtime_error("veth " + name + " has no ifindex");
    return v;
}

// ---- Datapath -------------------------------------------------------------------

UniqueFd open_prog(const std::string& dp_name, const char* prog) {
    std::string path = fmt::format("{}/{}/progs/{}", loader::bpffs_root(), dp_name, prog);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) throw std::runtime_error(fmt::format("bpf_obj_get({}): {}", path, std::strerror(errno)));
    return UniqueFd(fd);
}

namespace {
int g_dp_counter = 0;
}

TestDatapath::TestDatapath(const loader::CreateOptions& opts) {
    name_ = fmt::format("t{}-{}", getpid(), g_dp_counter++);
    int slot = register_live(loader::bpffs_root() + "/" + name_);
    try {
        if (auto s = loader::Datapath::create(name_, opts); !s)
            throw std::runtime_error("Datapath::create: " + s.message());
        auto dp = loader::Datapath::open(name_);
        if (!dp) throw std::runtime_error("Datapath::open: " + dp.message());
        dp_ = std::move(*dp);
        xdp_rx_ = open_prog(name_, "xvs_xdp_rx");
        tc_rx_ = open_prog(name_, "xvs_tc_rx");
        xdp_exec_ = open_prog(name_, "xvs_xdp_exec");
    } catch (...) {
        dp_.reset();
        (void)loader::Datapath::destroy(name_);
        cleanup_live();
        throw;
    }
    (void)slot;
}

TestDatapath::~TestDatapath() {
    // The handle holds the datapath's flock; destroy() takes it again.
    dp_.reset();
    xdp_rx_.reset();
    tc_rx_.reset();
    xdp_exec_.reset();
    std::string dir = loader::bpffs_root() + "/" + name_;
    if (auto s = loader::Datapath::destroy(name_); !s)
        std::fprintf(stderr, "[bpf harness] destroy %s: %s\n", name_.c_str(), s.message().c_str());
    if (std::filesystem::exists(dir)) rm_tree_at(AT_FDCWD, dir.c_str(), 0);
    for (int i = 0; i < kMaxLive; i++)
        if (g_live_used[i] && dir == g_live_dirs[i]) unregister_live(i);
}

void TestDatapath::set_dedup_us(uint32_t us) {
    xvs_dp_config c = dp_->config();
    c.dedup_us = us;
    if (auto s = dp_->set_config(c); !s) throw std::runtime_error("set_config: " + s.message());
}

void TestDatapath::set_config_flags(uint32_t flags) {
    xvs_dp_config c = dp_->config();
    c.flags = flags;
    if (auto s = dp_->set_config(c); !s) throw std::runtime_error("set_config: " + s.message());
}

// ---- Runners ------------------------------------------------------------------

namespace {

// One BPF_PROG_RUN of prog_fd on pkt with the given context.
RunResult run_once(int prog_fd, std::span<const uint8_t> pkt, const void* ctx, size_t ctx_size) {
    RunResult r;
    r.out.resize(pkt.size() + 512);
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt.data(), .data_out = r.out.data(),
                .data_size_in = static_cast<uint32_t>(pkt.size()),
                .data_size_out = static_cast<uint32_t>(r.out.size()), .ctx_in = ctx,
                .ctx_size_in = static_cast<uint32_t>(ctx_size), .repeat = 1);
    if (bpf_prog_test_run_opts(prog_fd, &o) != 0) {
        r.err = errno;
        r.out.clear();
        return r;
    }
    r.retval = o.retval;
    r.out.resize(o.data_size_out);
    return r;
}

}  // namespace

RunResult run_xdp(int prog_fd, std::span<const uint8_t> pkt, uint32_t ingress_ifindex) {
    xdp_md ctx{};
    ctx.data_end = static_cast<uint32_t>(pkt.size());
    ctx.ingress_ifindex = ingress_ifindex;
    return run_once(prog_fd, pkt, &ctx, sizeof ctx);
}

RunResult run_tc(int prog_fd, std::span<const uint8_t> pkt, uint32_t ifindex) {
    // bpf_prog_test_run_skb() accepts only a few __sk_buff fields (mark,
    // priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_*,
    // hwtstamp); any other nonzero one is EINVAL. ifindex > 1 makes it the
    // skb's device (eth_type_trans runs against it).
    __sk_buff ctx{};
    ctx.ifindex = ifindex;
    return run_once(prog_fd, pkt, &ctx, sizeof ctx);
}

int run_xdp_live(int prog_fd, std::span<const uint8_t> pkt, uint32_t ingress_ifindex) {
    xdp_md ctx{};
    ctx.data_end = static_cast<uint32_t>(pkt.size());
    ctx.ingress_ifindex = ingress_ifindex;
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt.data(), .data_size_in = static_cast<uint32_t>(pkt.size()),
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx, .repeat = 1, .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
    return bpf_prog_test_run_opts(prog_fd, &o) == 0 ? 0 : -errno;
}

void inject(uint32_t ifindex, std::span<const uint8_t> pkt) {
    UniqueFd s(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!s.valid()) throw std::runtime_error(fmt::format("packet socket: {}", std::strerror(errno)));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = static_cast<int>(ifindex);
    sll.sll_halen = ETH_ALEN;
    if (pkt.size() >= ETH_ALEN) std::memcpy(sll.sll_addr, pkt.data(), ETH_ALEN);
    if (sendto(s.get(), pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) !=
        static_cast<ssize_t>(pkt.size()))
        throw std::runtime_error(fmt::format("inject on ifindex {}: {}", ifindex, std::strerror(errno)));
}

Capture::Capture(uint32_t ifindex) {
    fd_.reset(socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (!fd_.valid()) throw std::runtime_error(fmt::format("capture socket: {}", std::strerror(errno)));
    int one = 1;
    if (setsockopt(fd_.get(), SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) != 0)
        throw std::runtime_error(fmt::format("PACKET_AUXDATA: {}", std::strerror(errno)));
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_protocol = htons(ETH_P_ALL);
    sll.sll_ifindex = static_cast<int>(ifindex);
    if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0)
        throw std::runtime_error(fmt::format("capture bind: {}", std::strerror(errno)));
    drain();
}

std::vector<Bytes> Capture::recv(size_t want, int timeout_ms) {
    std::vector<Bytes> out;
    const int64_t deadline = now_ms() + timeout_ms;
    std::vector<uint8_t> buf(65536);
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata)) + 64];
    while (out.size() < want) {
        sockaddr_ll from{};
        iovec iov{buf.data(), buf.size()};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        ssize_t n = recvmsg(fd_.get(), &msg, 0);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                throw std::runtime_error(fmt::format("capture recv: {}", std::strerror(errno)));
            int64_t left = deadline - now_ms();
            if (left <= 0) break;
            pollfd p{fd_.get(), POLLIN, 0};
            poll(&p, 1, static_cast<int>(left));
            continue;
        }
        if (from.sll_pkttype == PACKET_OUTGOING) continue;
        Bytes frame(buf.begin(), buf.begin() + std::min<size_t>(static_cast<size_t>(n), buf.size()));
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            tpacket_auxdata aux;
            std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
            if (!(aux.tp_status & TP_STATUS_VLAN_VALID) || frame.size() < 12) continue;
            uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : 0x8100;
            uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                              static_cast<uint8_t>(aux.tp_vlan_tci >> 8), static_cast<uint8_t>(aux.tp_vlan_tci)};
            frame.insert(frame.begin() + 12, tag, tag + 4);
        }
        out.push_back(std::move(frame));
    }
    return out;
}

void Capture::drain() {
    uint8_t buf[65536];
    while (::recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT) >= 0) {
    }
}

// ---- Upcalls --------------------------------------------------------------------

std::vector<loader::Upcall> read_upcalls(loader::UpcallReader& r, int timeout_ms, size_t want) {
    std::vector<loader::Upcall> out;
    std::function<void(const loader::Upcall&)> fn = [&](const loader::Upcall& u) { out.push_back(u); };
    const int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int64_t left = std::max<int64_t>(0, deadline - now_ms());
        int n = r.poll(static_cast<int>(left), fn);
        if (n < 0 && n != -EINTR) throw std::runtime_error(fmt::format("ring buffer poll: {}", std::strerror(-n)));
        if (out.size() >= want || now_ms() >= deadline) break;
    }
    return out;
}

// ---- Counters -----------------------------------------------------------------

uint64_t StatsDelta::total_drops() const {
    uint64_t t = 0;
    for (int i = 0; i < XVS_DROP__MAX; i++) t += d.drops[i];
    return t;
}

StatsDelta Stats::delta() const {
    loader::DpStats now = dp_.stats();
    StatsDelta s;
    for (int i = 0; i < XVS_CTR__MAX; i++) s.d.counters[i] = now.counters[i] - before_.counters[i];
    for (int i = 0; i < XVS_DROP__MAX; i++) s.d.drops[i] = now.drops[i] - before_.drops[i];
    for (int i = 0; i < XVS_MAX_MASKS; i++) s.d.mask_hits[i] = now.mask_hits[i] - before_.mask_hits[i];
    return s;
}

void check_drops(const StatsDelta& s, std::initializer_list<std::pair<int, uint64_t>> want) {
    for (int r = 0; r < XVS_DROP__MAX; r++) {
        uint64_t expected = 0;
        for (const auto& [reason, n] : want)
            if (reason == r) expected = n;
        CHECK_MESSAGE(s.drop(r) == expected, "drop reason ", drop_name(r), ": got ", s.drop(r), ", want ",
                      expected);
    }
}

// ---- Flow keys ----------------------------------------------------------------

namespace {

}  // namespace

std::vector<std::string> key_diff(const xvs_flow_key& got, const xvs_flow_key& want) {
    return xvs::test::key_diff(got, want);
}

std::string key_str(const xvs_flow_key& k) {
    xvs_flow_key all;
    std::memset(&all, 0xff, sizeof all);
    all.pad0 = 0;
    all.pad1 = 0;
    return format_dp_match(k, all);
}

std::string hex(std::span<const uint8_t> b) { return test::to_hex(b); }

std::optional<xvs_flow_stats> flow_stats(const loader::Datapath& dp, const xvs_flow_key& key,
                                         const xvs_flow_key& mask) {
    xvs_flow_key masked;
    const auto* k = reinterpret_cast<const uint8_t*>(&key);
    const auto* m = reinterpret_cast<const uint8_t*>(&mask);
    auto* o = reinterpret_cast<uint8_t*>(&masked);
    for (size_t i = 0; i < sizeof masked; i++) o[i] = k[i] & m[i];
    for (const auto& e : dp.dump_flows())
        if (!std::memcmp(&e.mask, &mask, sizeof mask) && !std::memcmp(&e.key, &masked, sizeof masked))
            return e.stats;
    return std::nullopt;
}

}  // namespace xvs::bpftest

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    doctest::Context ctx;
    ctx.applyCommandLine(argc, argv);
    std::string why = xvs::bpftest::setup_process();
    if (!why.empty()) {
        const char* ci = std::getenv("CI");
        if (ci && std::string(ci) == "true") {
            std::fprintf(stderr, "FATAL: the BPF tests cannot run (%s); CI=true, so this is a failure\n",
                         why.c_str());
            return 1;
        }
        std::printf("SKIPPED: needs root and CAP_BPF (%s)\n", why.c_str());
        return 77;
    }
    int rc = ctx.run();
    xvs::bpftest::run_teardowns();
    xvs::bpftest::cleanup_live();
    return rc;
}
