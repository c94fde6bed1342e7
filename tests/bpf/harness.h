// Harness for the BPF datapath tests: runs the real entry programs of a
// pinned datapath under BPF_PROG_TEST_RUN, inside a private network
// namespace with veth pairs as ports.
//
//   * Process setup (harness.cpp's main): checks for root/CAP_BPF (exit 77
//     "SKIPPED", or exit 1 when CI=true), unshares the network namespace
//     (devices die with the process), brings lo up, disables IPv6 (so the
//     kernel sends nothing on the veths by itself), pins the process to one
//     CPU (per-CPU maps: upcall buckets, dedup LRU, stats), installs cleanup
//     for SIGINT/SIGTERM/crashes, then runs doctest.
//   * TestDatapath: a datapath named t<pid>-<n>, destroyed in its
//     destructor (and by the signal handlers) so no pin under /sys/fs/bpf/xvs
//     outlives the process.
//   * Runners: run_xdp / run_tc (BPF_PROG_TEST_RUN with an xdp_md /
//     __sk_buff context naming the ingress device), run_xdp_live
//     (BPF_F_TEST_XDP_LIVE_FRAMES: redirects really transmit), inject (a real
//     frame into a port through its veth peer, so the attached tcx program
//     runs), Capture (AF_PACKET on a veth peer, VLAN tags restored from
//     PACKET_AUXDATA).
//   * Counters: Stats snapshots and deltas; flow key comparison.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <doctest/doctest.h>

// doctest prints a const char* as a pointer (and its own switch for that,
// DOCTEST_CONFIG_TREAT_CHAR_STAR_AS_STRING, does not compile in 2.4.9):
// names and actions in INFO/CHECK_MESSAGE should read as text.
namespace doctest {
template <>
struct StringMaker<const char*> {
    static String convert(const char* s) { return String(s ? s : "(null)"); }
};
template <>
struct StringMaker<char*> {
    static String convert(const char* s) { return String(s ? s : "(null)"); }
};
}  // namespace doctest

#include "loader/datapath.h"
#include "support/packet.h"
#include "util/fd.h"
#include "xvs/abi.h"
#include "xvs/abi_names.h"

namespace xvs::bpftest {

using test::Bytes;

// ---- Verdicts ---------------------------------------------------------------

constexpr uint32_t kXdpAborted = 0, kXdpDrop = 1, kXdpPass = 2, kXdpTx = 3, kXdpRedirect = 4;
constexpr uint32_t kTcOk = 0, kTcShot = 2, kTcRedirect = 7;

enum class Hook { Xdp, Tc };
inline const char* hook_name(Hook h) { return h == Hook::Xdp ? "xdp" : "tc"; }

// ---- Process ------------------------------------------------------------------

// Runs a shell command (the child inherits our network namespace); throws
// std::runtime_error when it fails.
void sh(const std::string& cmd);

// Called by the harness main after doctest has run, before the process
// exits: tests register the teardown of shared fixtures here.
void at_teardown(std::function<void()> fn);

// ---- Network devices ------------------------------------------------------------

struct Veth {
    std::string name;  // the end that becomes a datapath port
    std::string peer;  // the end tests send from and capture on
    uint32_t ifindex = 0;
    uint32_t peer_ifindex = 0;
};

// Creates veth pair `name` / `name`p, both up, with GRO on the peer (which
// gives the peer NAPI, without which frames XDP-redirected into `name` are
// dropped).
Veth make_veth(const std::string& name);

// ---- Datapath -------------------------------------------------------------------

class TestDatapath {
public:
    explicit TestDatapath(const loader::CreateOptions& opts = {});
    ~TestDatapath();
    TestDatapath(const TestDatapath&) = delete;
    TestDatapath& operator=(const TestDatapath&) = delete;

    loader::Datapath& dp() { return *dp_; }
    loader::Datapath* operator->() { return dp_.get(); }
    const std::string& name() const { return name_; }

    int xdp_rx() const { return xdp_rx_.get(); }
    int tc_rx() const { return tc_rx_.get(); }
    int xdp_exec() const { return xdp_exec_.get(); }

    // Set one field of the datapath config, keeping the others (the live
    // mask list index in particular).
    void set_dedup_us(uint32_t us);
    void set_config_flags(uint32_t flags);  // XVS_CFG_*

private:
    std::string name_;
    std::unique_ptr<loader::Datapath> dp_;
    UniqueFd xdp_rx_, tc_rx_, xdp_exec_;
};

// Opens a pinned program of datapath `name` (bpf_obj_get).
UniqueFd open_prog(const std::string& dp_name, const char* prog);

// ---- Runners ------------------------------------------------------------------

struct RunResult {
    int err = 0;          // 0, or the errno of BPF_PROG_TEST_RUN
    uint32_t retval = 0;  // XDP_* / TC_ACT_*
    Bytes out;            // the packet as the program left it
};

RunResult run_xdp(int prog_fd, std::span<const uint8_t> pkt, uint32_t ingress_ifindex);
RunResult run_tc(int prog_fd, std::span<const uint8_t> pkt, uint32_t ifindex);
inline RunResult run(Hook h, const TestDatapath& t, std::span<const uint8_t> pkt, uint32_t ifindex) {
    return h == Hook::Xdp ? run_xdp(t.xdp_rx(), pkt, ifindex) : run_tc(t.tc_rx(), pkt, ifindex);
}

// XDP with BPF_F_TEST_XDP_LIVE_FRAMES: redirects and XDP_TX really
// transmit, XDP_PASS hands the frame to the stack of the ingress device
// (where its tcx program runs). No verdict or output is returned.
int run_xdp_live(int prog_fd, std::span<const uint8_t> pkt, uint32_t ingress_ifindex);

// Sends `pkt` out of device `ifindex` (AF_PACKET): sent on a veth peer it
// arrives at the port as real ingress traffic.
void inject(uint32_t ifindex, std::span<const uint8_t> pkt);

// Receives frames arriving at one device (outgoing ones are ignored). A tag
// the kernel moved into skb metadata is put back into the bytes, so the
// frames are as they were on the wire.
class Capture {
public:
    Capture() = default;
    explicit Capture(uint32_t ifindex);
    bool valid() const { return fd_.valid(); }
    // Frames until `want` have arrived or timeout_ms passed.
    std::vector<Bytes> recv(size_t want, int timeout_ms = 1000);
    // Everything arriving within timeout_ms.
    std::vector<Bytes> collect(int timeout_ms) { return recv(SIZE_MAX, timeout_ms); }
    void drain();

private:
    UniqueFd fd_;
};

// ---- Upcalls --------------------------------------------------------------------

// Upcalls available now plus those arriving within timeout_ms, stopping
// early once `want` have been read.
std::vector<loader::Upcall> read_upcalls(loader::UpcallReader& r, int timeout_ms = 0, size_t want = SIZE_MAX);

// ---- Counters -----------------------------------------------------------------

struct StatsDelta {
    loader::DpStats d;
    uint64_t ctr(int c) const { return d.counters[c]; }
    uint64_t drop(int r) const { return d.drops[r]; }
    uint64_t mask_hits(int m) const { return d.mask_hits[m]; }
    uint64_t total_drops() const;
};

class Stats {
public:
    explicit Stats(const loader::Datapath& dp) : dp_(dp), before_(dp.stats()) {}
    StatsDelta delta() const;

private:
    const loader::Datapath& dp_;
    loader::DpStats before_;
};

using xvs::counter_name;
using xvs::drop_name;

// CHECKs every drop reason's delta: those named in `want` must have the given
// value, every other must be 0.
void check_drops(const StatsDelta& s, std::initializer_list<std::pair<int, uint64_t>> want);

// ---- Flow keys ----------------------------------------------------------------

// "field: got <hex> want <hex>" for every field that differs.
std::vector<std::string> key_diff(const xvs_flow_key& got, const xvs_flow_key& want);
std::string key_str(const xvs_flow_key& k);  // ovs-dpctl style, every field
std::string hex(std::span<const uint8_t> b);

// Per-flow stats (summed over CPUs) of the megaflow installed with `mask`
// covering `key`; nullopt if there is none.
std::optional<xvs_flow_stats> flow_stats(const loader::Datapath& dp, const xvs_flow_key& key,
                                         const xvs_flow_key& mask);

}  // namespace xvs::bpftest
