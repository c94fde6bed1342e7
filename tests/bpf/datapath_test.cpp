// Fixture tests of the datapath's entry programs (xvs_xdp_rx, xvs_tc_rx,
// xvs_xdp_exec) under BPF_PROG_TEST_RUN, on one datapath whose ports are
// veth pairs in the test's private network namespace.
//
// Each table row is one fixture (Katran PacketAttributes / Cilium
// SETUP/CHECK style): a description, the input packet (tests/support/
// packet.h), the flows installed (ovs-dpctl text), and what must come out:
// the verdict, the output bytes (a packet built with the expected values,
// compared byte for byte, plus checksum verification), and the counter
// deltas (every drop reason is checked: the named ones must have the given
// value, the others must not move).
//
// Where a packet goes cannot be seen in a test run's output; rows that must
// prove delivery either use BPF_F_TEST_XDP_LIVE_FRAMES (XDP), or inject the
// frame into the port's veth peer so that the port's real tcx program runs
// (TC; bpf_clone_redirect also really transmits under a plain test run), and
// read the frames on the other ports' peers.
//
// Topology:
//   port 1 xp1  ingress of most rows                         XDP_TX capable
//   port 2 xp2, port 3 xp3                                    XDP_TX capable
//   port 4 xp4  not XDP_TX: XDP must hand packets for it to TC
//   port 5 xp5  upcall_rate 1/s, burst 2                      XDP_TX capable
//   flood domain 0 = {1,2,3,4,5} (kept by the loader), 1 = {1,2,3} (XDP
//   broadcast), 2 = {1,2,3,4} (needs TC).
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "compiler/dp_flow_text.h"
#include "compiler/flow_extract.h"
#include "harness.h"

using namespace xvs::bpftest;
using xvs::test::PacketBuilder;
namespace loader = xvs::loader;

namespace {

// ---- Environment ------------------------------------------------------------

constexpr uint32_t kPorts = 5;
constexpr const char* kS = "02:00:00:00:00:01";
constexpr const char* kD = "02:00:00:00:00:02";
constexpr const char* kA4 = "10.0.0.1";
constexpr const char* kB4 = "10.0.0.2";
constexpr const char* kA6 = "2001:db8::1";
constexpr const char* kB6 = "2001:db8::2";

struct Env {
    Veth v[kPorts + 1];
    std::unique_ptr<TestDatapath> tdp;
    std::unique_ptr<loader::UpcallReader> up;
    Capture cap[kPorts + 1];  // on each port's peer: what the port sent

    loader::Datapath& dp() { return tdp->dp(); }
    uint32_t ifx(uint32_t port) const { return v[port].ifindex; }
    uint32_t peer(uint32_t port) const { return v[port].peer_ifindex; }
};

Env& env() {
    static Env* e = nullptr;
    if (e) return *e;
    auto o = std::make_unique<Env>();
    for (uint32_t p = 1; p <= kPorts; p++) o->v[p] = make_veth("xp" + std::to_string(p));
    loader::CreateOptions co;
    co.dedup_us = 0;
    o->tdp = std::make_unique<TestDatapath>(co);
    for (uint32_t p = 1; p <= kPorts; p++) {
        loader::PortSpec ps;
        ps.ifname = o->v[p].name;
        ps.port_no = p;
        ps.hook = loader::Hook::Tc;
        ps.xdp_tx = p == 4 ? loader::XdpTx::No : loader::XdpTx::Yes;
        if (p == 5) {
            ps.upcall_rate = 1;
            ps.upcall_burst = 2;
        }
        auto r = o->dp().add_port(ps);
        if (!r) throw std::runtime_error("add_port: " + r.message());
    }
    if (auto s = o->dp().set_flood_domain(1, {1, 2, 3}); !s) throw std::runtime_error(s.message());
    if (auto s = o->dp().set_flood_domain(2, {1, 2, 3, 4}); !s) throw std::runtime_error(s.message());
    o->up = o->dp().upcalls();
    if (!o->up->ok()) throw std::runtime_error("cannot open the upcall ring buffer");
    for (uint32_t p = 1; p <= kPorts; p++) o->cap[p] = Capture(o->v[p].peer_ifindex);
    e = o.release();
    at_teardown([] {
        delete e;
        e = nullptr;
    });
    return *e;
}

// Between fixtures: no flows, dedup off, nothing pending.
void reset() {
    Env& e = env();
    auto s = e.dp().flush_flows();
    REQUIRE_MESSAGE(s.ok(), (s.ok() ? "" : s.message()));
    e.tdp->set_dedup_us(0);
    e.tdp->set_config_flags(0);
    (void)read_upcalls(*e.up, 0);
    for (uint32_t p = 1; p <= kPorts; p++) e.cap[p].drain();
}

// A number that differs on every call: keys no earlier run has seen, so
// the per-CPU mask cache holds no hint for them.
uint16_t fresh() {
    static uint16_t n = static_cast<uint16_t>(getpid());
    return ++n;
}

// ---- Flows --------------------------------------------------------------------

xvs::DpMatch match(std::string_view text) {
    auto m = xvs::parse_dp_match(text);
    REQUIRE_MESSAGE(m.ok(), "match '", std::string(text), "': ", (m.ok() ? "" : m.message()));
    return *m;
}

xvs_action_list actions(std::string_view text) {
    auto a = xvs::parse_dp_actions(text);
    REQUIRE_MESSAGE(a.ok(), "actions '", std::string(text), "': ", (a.ok() ? "" : a.message()));
    return *a;
}

void put(const xvs::DpMatch& m, const xvs_action_list& a) {
    auto s = env().dp().put_flow(m.key, m.mask, a, loader::PutMode::Create);
    REQUIRE_MESSAGE(s.ok(), "put_flow: ", (s.ok() ? "" : s.message()));
}

xvs::DpMatch add_flow(std::string_view m, std::string_view a) {
    xvs::DpMatch dm = match(m);
    put(dm, actions(a));
    return dm;
}

xvs_flow_stats stats_of(const xvs::DpMatch& m) {
    auto s = flow_stats(env().dp(), m.key, m.mask);
    REQUIRE_MESSAGE(s.has_value(), "flow ", xvs::format_dp_match(m.key, m.mask), " is not installed");
    return *s;
}

uint16_t flags_of(const xvs::DpMatch& m) {
    for (const auto& f : env().dp().dump_flows())
        if (!std::memcmp(&f.mask, &m.mask, sizeof m.mask) && !std::memcmp(&f.key, &m.key, sizeof m.key))
            return f.actions.flags;
    FAIL("flow not installed");
    return 0;
}

// ---- Packets and runs -----------------------------------------------------------

PacketBuilder eth() { return PacketBuilder().eth(kS, kD); }
Bytes udp4(const char* src = kA4, const char* dst = kB4, uint16_t sport = 1000, uint16_t dport = 2000) {
    return eth().ipv4(src, dst).udp(sport, dport).payload(18).build();
}

RunResult send(Hook h, const Bytes& pkt, uint32_t port = 1) {
    RunResult r = run(h, *env().tdp, pkt, env().ifx(port));
    REQUIRE_MESSAGE(r.err == 0, "BPF_PROG_TEST_RUN failed: ", std::strerror(r.err));
    return r;
}

uint32_t v_redirect(Hook h) { return h == Hook::Xdp ? kXdpRedirect : kTcRedirect; }
uint32_t v_drop(Hook h) { return h == Hook::Xdp ? kXdpDrop : kTcShot; }
uint8_t hook_id(Hook h) { return h == Hook::Xdp ? XVS_HOOK_XDP : XVS_HOOK_TC; }

void check_bytes(const Bytes& got, const Bytes& want) {
    CHECK_MESSAGE(got == want, "bytes differ\ngot (", got.size(), "):\n", hex(got), "\nwant (", want.size(),
                  "):\n", hex(want));
}

void check_checksums(const Bytes& pkt, bool l3, bool l4) {
    if (l3) CHECK_MESSAGE(xvs::test::ipv4_header_checksum_ok(pkt), "IPv4 header checksum wrong:\n", hex(pkt));
    if (l4) CHECK_MESSAGE(xvs::test::l4_checksum_ok(pkt), "transport checksum wrong:\n", hex(pkt));
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

using PortFrames = std::map<uint32_t, std::vector<Bytes>>;

// What each port's peer received must be exactly `want` (ports not named:
// nothing).
void check_delivery(const PortFrames& want, int timeout_ms = 1000) {
    Env& e = env();
    PortFrames got;
    for (uint32_t p = 1; p <= kPorts; p++) {
        auto it = want.find(p);
        if (it != want.end() && !it->second.empty()) got[p] = e.cap[p].recv(it->second.size(), timeout_ms);
    }
    sleep_ms(60);  // long enough for a stray copy to show up
    for (uint32_t p = 1; p <= kPorts; p++)
        for (auto& f : e.cap[p].collect(0)) got[p].push_back(std::move(f));
    for (uint32_t p = 1; p <= kPorts; p++) {
        const std::vector<Bytes> none;
        const auto& w = want.count(p) ? want.at(p) : none;
        const auto& g = got.count(p) ? got.at(p) : none;
        INFO("port ", p);
        CHECK_MESSAGE(g.size() == w.size(), "port ", p, " received ", g.size(), " frames, want ", w.size());
        for (size_t i = 0; i < std::min(g.size(), w.size()); i++) check_bytes(g[i], w[i]);
    }
}

void check_upcall(const loader::Upcall& u, uint8_t type, uint8_t hook, uint32_t in_port, const Bytes& pkt,
                  uint64_t cookie = 0, uint32_t arg = 0) {
    CHECK(int(u.hdr.type) == int(type));
    CHECK(int(u.hdr.hook) == int(hook));
    CHECK(u.hdr.in_port == in_port);
    CHECK(u.hdr.cookie == cookie);
    CHECK(u.hdr.arg == arg);
    CHECK(u.hdr.pkt_len == pkt.size());
    CHECK(u.hdr.cap_len == std::min<size_t>(pkt.size(), XVS_UPCALL_MAX_PKT));
    CHECK(u.hdr.ts_ns != 0);
    check_bytes(u.packet, Bytes(pkt.begin(), pkt.begin() + std::min<size_t>(pkt.size(), XVS_UPCALL_MAX_PKT)));
}

// ---- Expected keys ------------------------------------------------------------------

struct KeyB {
    xvs_flow_key k;
    explicit KeyB(uint32_t in_port = 1) {
        std::memset(&k, 0, sizeof k);
        k.in_port = in_port;
    }
    KeyB& eth(const char* src = kS, const char* dst = kD) {
        auto s = xvs::test::mac(src), d = xvs::test::mac(dst);
        std::memcpy(k.eth_src, s.data(), 6);
        std::memcpy(k.eth_dst, d.data(), 6);
        return *this;
    }
    KeyB& type(uint16_t t) {
        k.eth_type = htons(t);
        return *this;
    }
    KeyB& vlan(uint16_t tci, uint16_t tpid = 0x8100) {
        k.vlan_tci = htons(tci | 0x1000);
        k.vlan_tpid = htons(tpid);
        return *this;
    }
    KeyB& cvlan(uint16_t tci, uint16_t tpid = 0x8100) {
        k.cvlan_tci = htons(tci | 0x1000);
        k.cvlan_tpid = htons(tpid);
        return *this;
    }
    KeyB& ip4(const char* src, const char* dst, uint8_t proto, uint8_t tos = 0, uint8_t ttl = 64) {
        auto s = xvs::test::ip4(src), d = xvs::test::ip4(dst);
        std::memcpy(&k.nw_src[0], s.data(), 4);
        std::memcpy(&k.nw_dst[0], d.data(), 4);
        k.nw_proto = proto;
        k.nw_tos = tos;
        k.nw_ttl = ttl;
        return *this;
    }
    KeyB& ip6(const char* src, const char* dst, uint8_t proto, uint8_t tclass = 0, uint8_t hlimit = 64,
              uint32_t label = 0) {
        auto s = xvs::test::ip6(src), d = xvs::test::ip6(dst);
        std::memcpy(k.nw_src, s.data(), 16);
        std::memcpy(k.nw_dst, d.data(), 16);
        k.nw_proto = proto;
        k.nw_tos = tclass;
        k.nw_ttl = hlimit;
        k.ipv6_label = htonl(label);
        return *this;
    }
    KeyB& proto(uint8_t p) {
        k.nw_proto = p;
        return *this;
    }
    KeyB& ports(uint16_t s, uint16_t d) {
        k.tp_src = htons(s);
        k.tp_dst = htons(d);
        return *this;
    }
    KeyB& tcpf(uint16_t f) {
        k.tcp_flags = htons(f);
        return *this;
    }
    KeyB& frag(uint8_t f) {
        k.nw_frag = f;
        return *this;
    }
    KeyB& pf(uint16_t f) {
        k.parse_flags = f;
        return *this;
    }
    KeyB& arp(uint8_t op, const char* sha, const char* spa, const char* tha, const char* tpa) {
        k.nw_proto = op;
        auto s = xvs::test::mac(sha), t = xvs::test::mac(tha);
        auto sp = xvs::test::ip4(spa), tp = xvs::test::ip4(tpa);
        std::memcpy(k.arp_sha, s.data(), 6);
        std::memcpy(k.arp_tha, t.data(), 6);
        std::memcpy(&k.nw_src[0], sp.data(), 4);
        std::memcpy(&k.nw_dst[0], tp.data(), 4);
        return *this;
    }
    KeyB& nd(const char* target, const char* sll = nullptr, const char* tll = nullptr) {
        auto t = xvs::test::ip6(target);
        std::memcpy(k.nd_target, t.data(), 16);
        if (sll) std::memcpy(k.arp_sha, xvs::test::mac(sll).data(), 6);
        if (tll) std::memcpy(k.arp_tha, xvs::test::mac(tll).data(), 6);
        return *this;
    }
    KeyB& recirc(uint32_t id) {
        k.recirc_id = id;
        return *this;
    }
};

void check_key(const xvs_flow_key& got, const xvs_flow_key& want, const char* what) {
    auto d = key_diff(got, want);
    std::string msg;
    for (const auto& s : d) msg += "\n  " + s;
    CHECK_MESSAGE(d.empty(), what, ":", msg, "\n  got:  ", key_str(got), "\n  want: ", key_str(want));
}

xvs_flow_key ref_key(const Bytes& pkt, uint32_t in_port = 1, uint32_t recirc_id = 0) {
    xvs::ExtractContext c;
    c.in_port = in_port;
    c.recirc_id = recirc_id;
    return xvs::flow_extract(pkt, c);
}

struct ParseCase {
    const char* name;
    Bytes pkt;
    xvs_flow_key want;
};

std::vector<ParseCase> parse_cases() {
    const uint8_t opts8[] = {0x01, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01, 0x00};
    const char* kM1 = "0a:0b:0c:0d:0e:0f";
    const char* kM2 = "f0:e0:d0:c0:b0:a0";
    const char* kZ = "00:00:00:00:00:00";
    std::vector<ParseCase> v;
    v.push_back({"ethernet, unknown type", eth().eth_type(0x88b5).payload(30).build(), KeyB().eth().type(0x88b5).k});
    v.push_back({"802.3 LLC", eth().llc().payload(40).build(), KeyB().eth().type(0x05ff).k});
    v.push_back({"802.3 LLC/SNAP, IPv4 UDP", eth().snap().ipv4(kA4, kB4).udp(1, 2).payload(8).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 17).ports(1, 2).k});
    v.push_back({"802.3 SNAP with OUI != 0", eth().snap(0x00000c).eth_type(0x0800).payload(30).build(),
                 KeyB().eth().type(0x05ff).k});
    v.push_back({"802.1Q, IPv4 TCP", eth().vlan(10, 3).ipv4(kA4, kB4).tcp(1000, 80, 0x12).payload(10).build(),
                 KeyB().eth().vlan(3 << 13 | 10).type(0x0800).ip4(kA4, kB4, 6).ports(1000, 80).tcpf(0x12).k});
    v.push_back({"802.1Q with DEI set", eth().vlan(4095, 7, 0x8100, true).ipv4(kA4, kB4).udp(53, 53).build(),
                 KeyB().eth().vlan(0xffff).type(0x0800).ip4(kA4, kB4, 17).ports(53, 53).k});
    v.push_back({"802.1ad + 802.1Q, IPv6 UDP",
                 eth().vlan(100, 1, 0x88a8).vlan(200, 2).ipv6(kA6, kB6).udp(5000, 53).payload(12).build(),
                 KeyB().eth().vlan(1 << 13 | 100, 0x88a8).cvlan(2 << 13 | 200).type(0x86dd).ip6(kA6, kB6, 17).ports(5000, 53).k});
    v.push_back({"three tags", eth().vlan(1).vlan(2).vlan(3).ipv4(kA4, kB4).payload(20).build(),
                 KeyB().eth().vlan(1).cvlan(2).type(0x8100).pf(XVS_PF_VLAN_EXTRA).k});
    v.push_back({"VLAN tag cut short", eth().eth_type(0x8100).payload(2).build(),
                 KeyB().eth().pf(XVS_PF_VLAN_TRUNC).k});
    v.push_back({"802.1Q, LLC/SNAP, ARP", eth().vlan(7).snap().arp(1, kS, kA4, kZ, kB4).build(),
                 KeyB().eth().vlan(7).type(0x0806).arp(1, kS, kA4, kZ, kB4).k});
    v.push_back({"ARP request", eth().arp(1, kS, kA4, kZ, kB4).build(),
                 KeyB().eth().type(0x0806).arp(1, kS, kA4, kZ, kB4).k});
    v.push_back({"ARP reply, padded", eth().arp(2, kS, kA4, kD, kB4).pad_to(60).build(),
                 KeyB().eth().type(0x0806).arp(2, kS, kA4, kD, kB4).k});
    v.push_back({"RARP", eth().arp(3, kS, "0.0.0.0", kM1, "10.9.8.7").rarp().build(),
                 KeyB().eth().type(0x8035).arp(3, kS, "0.0.0.0", kM1, "10.9.8.7").k});
    v.push_back({"ARP opcode above 255", eth().arp(0x101, kS, kA4, kD, kB4).build(),
                 KeyB().eth().type(0x0806).arp(0, kS, kA4, kD, kB4).k});
    v.push_back({"ARP for another hardware type", eth().arp(1, kS, kA4, kD, kB4).arp_format(6, 0x0800, 6, 4).build(),
                 KeyB().eth().type(0x0806).k});
    v.push_back({"ARP cut short", eth().eth_type(0x0806).payload(27).build(),
                 KeyB().eth().type(0x0806).pf(XVS_PF_L3_TRUNC).k});
    v.push_back({"IPv4 TCP, IP and TCP options",
                 eth().ipv4(kA4, kB4).ipv4_options(opts8).tcp(1, 2, 0x18).tcp_options(opts8).payload(5).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).ports(1, 2).tcpf(0x18).k});
    v.push_back({"IPv4 TCP, all 12 flag bits", eth().ipv4(kA4, kB4).tcp(1, 2, 0xfff).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).ports(1, 2).tcpf(0xfff).k});
    v.push_back({"IPv4 UDP, tos and ttl", eth().ipv4("192.168.1.1", "192.168.1.2").tos(0xb8).ttl(3).udp(68, 67).payload(30).build(),
                 KeyB().eth().type(0x0800).ip4("192.168.1.1", "192.168.1.2", 17, 0xb8, 3).ports(68, 67).k});
    v.push_back({"IPv4 SCTP", eth().ipv4(kA4, kB4).sctp(7, 9).payload(16).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 132).ports(7, 9).k});
    v.push_back({"IPv4 ICMP echo", eth().ipv4(kA4, kB4).icmp(8, 0).payload(16).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 1).ports(8, 0).k});
    v.push_back({"IPv4 ICMP unreachable", eth().ipv4(kA4, kB4).icmp(3, 13).payload(28).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 1).ports(3, 13).k});
    v.push_back({"IPv4 GRE (no transport parsing)", eth().ipv4(kA4, kB4, 47).payload(24).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 47).k});
    v.push_back({"IPv4 first fragment", eth().ipv4(kA4, kB4).frag(0, true).udp(1, 2).payload(16).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 17).frag(XVS_FRAG_ANY).ports(1, 2).k});
    v.push_back({"IPv4 later fragment", eth().ipv4(kA4, kB4, 6).frag(185, false).payload(40).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).frag(XVS_FRAG_ANY | XVS_FRAG_LATER).k});
    v.push_back({"IPv4 DF is not a fragment", eth().ipv4(kA4, kB4).frag(0, false, true).tcp(5, 6, 0x10).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).ports(5, 6).tcpf(0x10).k});
    v.push_back({"IPv4 IHL below 5", eth().ipv4(kA4, kB4).ipv4_ihl(4).udp(1, 2).build(),
                 KeyB().eth().type(0x0800).pf(XVS_PF_L3_BAD).k});
    v.push_back({"IPv4 version 6", eth().ipv4(kA4, kB4).ipv4_version(6).udp(1, 2).build(),
                 KeyB().eth().type(0x0800).pf(XVS_PF_L3_BAD).k});
    v.push_back({"IPv4 total length below IHL", eth().ipv4(kA4, kB4).ipv4_total_length(19).udp(1, 2).build(),
                 KeyB().eth().type(0x0800).pf(XVS_PF_L3_BAD).k});
    v.push_back({"IPv4 header cut short", eth().eth_type(0x0800).payload(19).build(),
                 KeyB().eth().type(0x0800).pf(XVS_PF_L3_TRUNC).k});
    v.push_back({"IPv4 options cut short", eth().ipv4(kA4, kB4).ipv4_ihl(15).ipv4_total_length(80).udp(1, 2).build(),
                 KeyB().eth().type(0x0800).pf(XVS_PF_L3_TRUNC).k});
    v.push_back({"TCP data offset below 5", eth().ipv4(kA4, kB4).tcp(1, 2, 0x10).tcp_doff(4).payload(4).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).pf(XVS_PF_L4_BAD).k});
    v.push_back({"TCP cut short", eth().ipv4(kA4, kB4, 6).payload(19).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 6).pf(XVS_PF_L4_TRUNC).k});
    v.push_back({"UDP cut short", eth().ipv4(kA4, kB4, 17).payload(7).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 17).pf(XVS_PF_L4_TRUNC).k});
    v.push_back({"SCTP cut short", eth().ipv4(kA4, kB4, 132).payload(11).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 132).pf(XVS_PF_L4_TRUNC).k});
    v.push_back({"ICMP cut short", eth().ipv4(kA4, kB4, 1).payload(3).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 1).pf(XVS_PF_L4_TRUNC).k});
    v.push_back({"IPv4 carrying ICMPv6 (not parsed)", eth().ipv4(kA4, kB4, 58).payload(24).build(),
                 KeyB().eth().type(0x0800).ip4(kA4, kB4, 58).k});
    v.push_back({"IPv6 TCP, label and traffic class",
                 eth().ipv6("fe80::1", "fe80::2").flow_label(0xabcde).tos(0x2e).tcp(22, 40000, 0x011).payload(10).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::1", "fe80::2", 6, 0x2e, 64, 0xabcde).ports(22, 40000).tcpf(0x011).k});
    v.push_back({"IPv6 UDP", eth().ipv6(kA6, "ff02::1").ttl(1).udp(546, 547).payload(10).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, "ff02::1", 17, 0, 1).ports(546, 547).k});
    v.push_back({"IPv6 SCTP", eth().ipv6(kA6, kB6).sctp(100, 200).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 132).ports(100, 200).k});
    v.push_back({"IPv6 ICMPv6 echo", eth().ipv6(kA6, kB6).icmpv6(128, 0).payload(8).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 58).ports(128, 0).k});
    v.push_back({"IPv6 carrying ICMP (not parsed)", eth().ipv6(kA6, kB6, 1).payload(8).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 1).k});
    v.push_back({"IPv6 hop-by-hop, TCP", eth().ipv6(kA6, kB6).ipv6_hop_by_hop(1).tcp(1, 2, 2).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 6).ports(1, 2).tcpf(2).k});
    v.push_back({"IPv6 routing, UDP", eth().ipv6(kA6, kB6).ipv6_routing(2).udp(3, 4).payload(4).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 17).ports(3, 4).k});
    v.push_back({"IPv6 destination options, ICMPv6", eth().ipv6(kA6, kB6).ipv6_dest_opts().icmpv6(1, 4).payload(8).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 58).ports(1, 4).k});
    v.push_back({"IPv6 AH, TCP", eth().ipv6(kA6, kB6).ipv6_ah().tcp(443, 1000, 0x10).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 6).ports(443, 1000).tcpf(0x10).k});
    v.push_back({"IPv6 first fragment", eth().ipv6(kA6, kB6).ipv6_fragment(0, true).udp(9, 10).payload(8).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 17).frag(XVS_FRAG_ANY).ports(9, 10).k});
    v.push_back({"IPv6 later fragment", eth().ipv6(kA6, kB6).ipv6_fragment(100, false).next_type(6).payload(24).build(),
                 KeyB().eth().type(0x86dd).ip6(kA6, kB6, 6).frag(XVS_FRAG_ANY | XVS_FRAG_LATER).k});
    {
        PacketBuilder b = eth().ipv6(kA6, kB6);
        for (int i = 0; i < 8; i++) b.ipv6_dest_opts();
        v.push_back({"IPv6 8 extension headers, UDP", b.udp(1, 2).build(),
                     KeyB().eth().type(0x86dd).ip6(kA6, kB6, 17).ports(1, 2).k});
        b = eth().ipv6(kA6, kB6);
        for (int i = 0; i < 9; i++) b.ipv6_dest_opts();
        v.push_back({"IPv6 9 extension headers", b.udp(1, 2).build(),
                     KeyB().eth().type(0x86dd).ip6(kA6, kB6, 60).pf(XVS_PF_EXT_LIMIT).k});
    }
    {
        Bytes p = eth().ipv6(kA6, kB6).ipv6_hop_by_hop(4).udp(1, 2).build();
        p.resize(14 + 40 + 16);
        v.push_back({"IPv6 extension header cut short", p,
                     KeyB().eth().type(0x86dd).ip6(kA6, kB6, 0).pf(XVS_PF_EXT_TRUNC).k});
    }
    v.push_back({"IPv6 version 4", eth().ipv6(kA6, kB6).ipv6_version(4).udp(1, 2).build(),
                 KeyB().eth().type(0x86dd).pf(XVS_PF_L3_BAD).k});
    v.push_back({"IPv6 header cut short", eth().eth_type(0x86dd).payload(39).build(),
                 KeyB().eth().type(0x86dd).pf(XVS_PF_L3_TRUNC).k});
    v.push_back({"ND solicitation with source link-layer address",
                 eth().ipv6("fe80::1", "ff02::1:ff00:2").ttl(255).nd_ns("fe80::2").nd_sll(kM1).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::1", "ff02::1:ff00:2", 58, 0, 255).ports(135, 0).nd("fe80::2", kM1).k});
    v.push_back({"ND advertisement with target link-layer address",
                 eth().ipv6("fe80::2", "fe80::1").ttl(255).nd_na("fe80::2").nd_tll(kM2).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::2", "fe80::1", 58, 0, 255).ports(136, 0).nd("fe80::2", nullptr, kM2).k});
    {
        const uint8_t body[] = {1, 2, 3, 4, 5, 6};
        v.push_back({"ND advertisement: SLL ignored, first TLL wins",
                     eth().ipv6("fe80::1", "fe80::2").nd_na("fe80::3").nd_sll(kM1).nd_option(14, body).nd_tll(kM2).nd_tll(kS).build(),
                     KeyB().eth().type(0x86dd).ip6("fe80::1", "fe80::2", 58).ports(136, 0).nd("fe80::3", nullptr, kM2).k});
    }
    v.push_back({"ND option of length 0", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option_raw({1, 0, 1, 2, 3, 4, 5, 6}).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::1", "fe80::2", 58).ports(135, 0).nd("fe80::2").pf(XVS_PF_ND_BAD).k});
    v.push_back({"ND solicitation cut short", eth().ipv6("fe80::1", "fe80::2").icmpv6(135, 0).payload(4).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::1", "fe80::2", 58).ports(135, 0).pf(XVS_PF_L4_TRUNC).k});
    v.push_back({"ND solicitation with code 1 (not ND)", eth().ipv6("fe80::1", "fe80::2").icmpv6(135, 1).payload(24).build(),
                 KeyB().eth().type(0x86dd).ip6("fe80::1", "fe80::2", 58).ports(135, 1).k});
    return v;
}

// ---- Edit fixtures ------------------------------------------------------------------

constexpr unsigned kXdp = 1, kTc = 2, kBoth = 3;

struct EditCase {
    const char* name;
    Bytes in;
    const char* actions;       // the flow on in_port(1)
    std::optional<Bytes> out;  // what leaves on port 2; nullopt: dropped
    int drop = -1;             // the drop reason when dropped
    bool l3 = false, l4 = false;  // verify the checksums of `out`
    unsigned hooks = kBoth;
    bool tc_on_wire = false;   // TC's result is only visible on the wire (tag in skb metadata)
};

std::vector<EditCase> edit_cases() {
    const char* kN4 = "192.168.7.7";
    const char* kN6 = "2001:db8::99";
    const char* kMac = "02:00:00:00:00:99";
    auto tcp4 = [&](const char* s, const char* d, uint16_t sp = 1000, uint16_t dp = 80) {
        return eth().ipv4(s, d).tcp(sp, dp, 0x18).payload(24).build();
    };
    auto u4 = [&](const char* s, const char* d, uint16_t sp = 1000, uint16_t dp = 2000) {
        return eth().ipv4(s, d).udp(sp, dp).payload(18).build();
    };
    auto zero_udp_csum = [](Bytes b) {
        b[14 + 20 + 6] = 0;
        b[14 + 20 + 7] = 0;
        return b;
    };
    std::vector<EditCase> v;
    v.push_back({"set eth src", u4(kA4, kB4), "set(eth(src=02:00:00:00:00:99)),2",
                 PacketBuilder().eth(kMac, kD).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build(), -1, true, true});
    v.push_back({"set eth dst", u4(kA4, kB4), "set(eth(dst=02:00:00:00:00:99)),2",
                 PacketBuilder().eth(kS, kMac).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build(), -1, true, true});
    v.push_back({"set ipv4 src, TCP", tcp4(kA4, kB4), "set(ipv4(src=192.168.7.7)),2", tcp4(kN4, kB4), -1, true, true});
    v.push_back({"set ipv4 dst, UDP", u4(kA4, kB4), "set(ipv4(dst=192.168.7.7)),2", u4(kA4, kN4), -1, true, true});
    v.push_back({"set ipv4 src, UDP without checksum", zero_udp_csum(u4(kA4, kB4)), "set(ipv4(src=192.168.7.7)),2",
                 zero_udp_csum(u4(kN4, kB4)), -1, true, true});
    v.push_back({"set ipv4 dst, ICMP (no pseudo-header)", eth().ipv4(kA4, kB4).icmp(8, 0).payload(20).build(),
                 "set(ipv4(dst=192.168.7.7)),2", eth().ipv4(kA4, kN4).icmp(8, 0).payload(20).build(), -1, true, true});
    v.push_back({"set ipv4 src, first fragment (UDP header present)",
                 eth().ipv4(kA4, kB4).frag(0, true).udp(1, 2).payload(16).build(), "set(ipv4(src=192.168.7.7)),2",
                 eth().ipv4(kN4, kB4).frag(0, true).udp(1, 2).payload(16).build(), -1, true, false});
    v.push_back({"set ipv4 src, later fragment (no transport header)",
                 eth().ipv4(kA4, kB4, 17).frag(10, false).payload(30).build(), "set(ipv4(src=192.168.7.7)),2",
                 eth().ipv4(kN4, kB4, 17).frag(10, false).payload(30).build(), -1, true, false});
    v.push_back({"set ipv4 src, 802.1Q tagged", eth().vlan(5).ipv4(kA4, kB4).tcp(1, 2, 2).build(),
                 "set(ipv4(src=192.168.7.7)),2", eth().vlan(5).ipv4(kN4, kB4).tcp(1, 2, 2).build(), -1, true, true});
    v.push_back({"set ipv4 tos", eth().ipv4(kA4, kB4).tos(0x04).tcp(1, 2, 2).build(), "set(ipv4(tos=184)),2",
                 eth().ipv4(kA4, kB4).tos(184).tcp(1, 2, 2).build(), -1, true, true});
    v.push_back({"set ipv4 ttl", u4(kA4, kB4), "set(ipv4(ttl=7)),2",
                 eth().ipv4(kA4, kB4).ttl(7).udp(1000, 2000).payload(18).build(), -1, true, true});
    v.push_back({"set several ipv4 fields and both ports", tcp4(kA4, kB4),
                 "set(ipv4(src=192.168.7.7,dst=172.16.0.1,tos=8,ttl=9)),set(tcp(src=7,dst=8)),2",
                 eth().ipv4(kN4, "172.16.0.1").tos(8).ttl(9).tcp(7, 8, 0x18).payload(24).build(), -1, true, true});
    v.push_back({"set ipv6 src, TCP", eth().ipv6(kA6, kB6).tcp(1, 2, 0x10).payload(8).build(),
                 "set(ipv6(src=2001:db8::99)),2", eth().ipv6(kN6, kB6).tcp(1, 2, 0x10).payload(8).build(), -1, false, true});
    v.push_back({"set ipv6 dst, UDP", eth().ipv6(kA6, kB6).udp(5, 6).payload(8).build(),
                 "set(ipv6(dst=2001:db8::99)),2", eth().ipv6(kA6, kN6).udp(5, 6).payload(8).build(), -1, false, true});
    v.push_back({"set ipv6 src, ICMPv6 (pseudo-header)", eth().ipv6(kA6, kB6).icmpv6(128, 0).payload(8).build(),
                 "set(ipv6(src=2001:db8::99)),2", eth().ipv6(kN6, kB6).icmpv6(128, 0).payload(8).build(), -1, false, true});
    v.push_back({"set ipv6 tclass (label kept)", eth().ipv6(kA6, kB6).flow_label(0x12345).udp(5, 6).build(),
                 "set(ipv6(tclass=184)),2", eth().ipv6(kA6, kB6).flow_label(0x12345).tos(184).udp(5, 6).build(), -1,
                 false, true});
    v.push_back({"set ipv6 hlimit", eth().ipv6(kA6, kB6).udp(5, 6).build(), "set(ipv6(hlimit=3)),2",
                 eth().ipv6(kA6, kB6).ttl(3).udp(5, 6).build(), -1, false, true});
    v.push_back({"dec_ttl IPv4", u4(kA4, kB4), "dec_ttl,2", eth().ipv4(kA4, kB4).ttl(63).udp(1000, 2000).payload(18).build(),
                 -1, true, true});
    v.push_back({"dec_ttl IPv6", eth().ipv6(kA6, kB6).tcp(1, 2, 2).build(), "dec_ttl,2",
                 eth().ipv6(kA6, kB6).ttl(63).tcp(1, 2, 2).build(), -1, false, true});
    v.push_back({"dec_ttl IPv4 TTL 1 expires", eth().ipv4(kA4, kB4).ttl(1).udp(1, 2).build(), "dec_ttl,2",
                 std::nullopt, XVS_DROP_TTL});
    v.push_back({"dec_ttl IPv4 TTL 0 expires", eth().ipv4(kA4, kB4).ttl(0).udp(1, 2).build(), "dec_ttl,2",
                 std::nullopt, XVS_DROP_TTL});
    v.push_back({"dec_ttl IPv6 hop limit 1 expires", eth().ipv6(kA6, kB6).ttl(1).udp(1, 2).build(), "dec_ttl,2",
                 std::nullopt, XVS_DROP_TTL});
    v.push_back({"dec_ttl on ARP", eth().arp(1, kS, kA4, kD, kB4).build(), "dec_ttl,2", std::nullopt, XVS_DROP_EDIT});
    v.push_back({"set tcp src", tcp4(kA4, kB4), "set(tcp(src=4321)),2", tcp4(kA4, kB4, 4321, 80), -1, true, true});
    v.push_back({"set tcp dst", tcp4(kA4, kB4), "set(tcp(dst=8080)),2", tcp4(kA4, kB4, 1000, 8080), -1, true, true});
    v.push_back({"set udp src", u4(kA4, kB4), "set(udp(src=53)),2", u4(kA4, kB4, 53, 2000), -1, true, true});
    v.push_back({"set udp dst", u4(kA4, kB4), "set(udp(dst=53)),2", u4(kA4, kB4, 1000, 53), -1, true, true});
    v.push_back({"set udp dst, UDP without checksum", zero_udp_csum(u4(kA4, kB4)), "set(udp(dst=53)),2",
                 zero_udp_csum(u4(kA4, kB4, 1000, 53)), -1, true, true});
    v.push_back({"set tcp dst, IPv6", eth().ipv6(kA6, kB6).tcp(1, 2, 0x10).build(), "set(tcp(dst=443)),2",
                 eth().ipv6(kA6, kB6).tcp(1, 443, 0x10).build(), -1, false, true});
    v.push_back({"set udp src, IPv6", eth().ipv6(kA6, kB6).udp(1, 2).payload(9).build(), "set(udp(src=443)),2",
                 eth().ipv6(kA6, kB6).udp(443, 2).payload(9).build(), -1, false, true});
    v.push_back({"set port on SCTP is refused (CRC32c)", eth().ipv4(kA4, kB4).sctp(7, 9).build(), "set(udp(src=1)),2",
                 std::nullopt, XVS_DROP_EDIT});
    v.push_back({"set port on a later fragment", eth().ipv4(kA4, kB4, 17).frag(10, false).payload(30).build(),
                 "set(udp(dst=1)),2", std::nullopt, XVS_DROP_EDIT});
    v.push_back({"set ipv4 on IPv6", eth().ipv6(kA6, kB6).udp(1, 2).build(), "set(ipv4(src=1.2.3.4)),2", std::nullopt,
                 XVS_DROP_EDIT});
    v.push_back({"set ipv6 on IPv4", u4(kA4, kB4), "set(ipv6(hlimit=1)),2", std::nullopt, XVS_DROP_EDIT});
    v.push_back({"set ipv4 on 802.3 LLC", eth().llc().payload(40).build(), "set(ipv4(ttl=1)),2", std::nullopt,
                 XVS_DROP_EDIT});
    // VLAN. TC pushes into the skb's metadata, so its result is read on the wire.
    v.push_back({"push_vlan 802.1Q", u4(kA4, kB4), "push_vlan(vid=10,pcp=5),2",
                 eth().vlan(10, 5).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build(), -1, true, true, kBoth, true});
    v.push_back({"push_vlan 802.1ad onto 802.1Q", eth().vlan(5).ipv4(kA4, kB4).udp(1, 2).build(),
                 "push_vlan(vid=20,pcp=1,tpid=0x88a8),2",
                 eth().vlan(20, 1, 0x88a8).vlan(5).ipv4(kA4, kB4).udp(1, 2).build(), -1, true, true, kBoth, true});
    v.push_back({"push_vlan by tci (CFI bit ignored)", u4(kA4, kB4), "push_vlan(tci=0x1064),2",
                 eth().vlan(100).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build(), -1, true, true, kBoth, true});
    v.push_back({"push_vlan then set ipv4 src (offsets move)", u4(kA4, kB4), "push_vlan(vid=10),set(ipv4(src=192.168.7.7)),2",
                 eth().vlan(10).ipv4(kN4, kB4).udp(1000, 2000).payload(18).build(), -1, true, true, kBoth, true});
    v.push_back({"pop_vlan", eth().vlan(5, 2).ipv4(kA4, kB4).udp(1, 2).build(), "pop_vlan,2",
                 eth().ipv4(kA4, kB4).udp(1, 2).build(), -1, true, true});
    v.push_back({"pop_vlan on an untagged packet does nothing", u4(kA4, kB4), "pop_vlan,2", u4(kA4, kB4), -1, true, true});
    v.push_back({"pop_vlan then set tcp dst (offsets move)", eth().vlan(5).ipv4(kA4, kB4).tcp(1, 2, 0x10).build(),
                 "pop_vlan,set(tcp(dst=8080)),2", eth().ipv4(kA4, kB4).tcp(1, 8080, 0x10).build(), -1, true, true});
    v.push_back({"pop_vlan of 802.1ad leaves the 802.1Q tag", eth().vlan(20, 0, 0x88a8).vlan(5).ipv4(kA4, kB4).udp(1, 2).build(),
                 "pop_vlan,2", eth().vlan(5).ipv4(kA4, kB4).udp(1, 2).build(), -1, true, true, kBoth, true});
    return v;
}

}  // namespace

// =============================================================================
// Parser: the key of every protocol, as the miss upcall carries it
// =============================================================================

TEST_CASE("parser: every protocol's key arrives with its miss upcall (XDP and TC)") {
    Env& e = env();
    std::string via_ingress;
    for (Hook h : {Hook::Xdp, Hook::Tc}) {
        for (const auto& c : parse_cases()) {
            INFO(c.name, " [", hook_name(h), "]\n", hex(c.pkt));
            reset();
            Stats st(e.dp());
            RunResult r = run(h, *e.tdp, c.pkt, e.ifx(1));
            bool injected = false;
            if (h == Hook::Tc && r.err == EINVAL) {
                // bpf_prog_test_run_skb() refuses frames whose IP header is
                // cut short; such a frame still reaches tcx as real traffic.
                inject(e.peer(1), c.pkt);
                injected = true;
                via_ingress += std::string(via_ingress.empty() ? "" : ", ") + c.name;
            } else {
                REQUIRE_MESSAGE(r.err == 0, "BPF_PROG_TEST_RUN failed: ", std::strerror(r.err));
                CHECK(r.retval == v_drop(h));
            }
            auto ups = injected ? read_upcalls(*e.up, 1000, 1) : read_upcalls(*e.up, 0);
            REQUIRE(ups.size() == 1);
            check_upcall(ups[0], XVS_UPCALL_MISS, hook_id(h), 1, c.pkt);
            check_key(ups[0].hdr.key, c.want, "BPF key vs hand-expected");
            check_key(ref_key(c.pkt), c.want, "flow_extract vs hand-expected");
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_RX) == 1);
            CHECK(d.ctr(XVS_CTR_MISS) == 1);
            CHECK(d.ctr(XVS_CTR_UPCALL) == 1);
            CHECK(d.ctr(XVS_CTR_HIT) == 0);
            check_drops(d, {});
        }
    }
    if (!via_ingress.empty()) MESSAGE("TC rows sent as real ingress traffic (the test run refuses them): ", via_ingress);
}

TEST_CASE("parser: TC ingress with the outer tag in skb metadata (real traffic)") {
    // Injected through the peer, the frame reaches the port's tcx program
    // after the kernel has moved the outer tag into the skb (vlan_present).
    Env& e = env();
    struct Row {
        const char* name;
        Bytes pkt;
        xvs_flow_key want;
    };
    const Row rows[] = {
        {"802.1Q", eth().vlan(10, 3).ipv4(kA4, kB4).tcp(1000, 80, 0x12).payload(10).build(),
         KeyB().eth().vlan(3 << 13 | 10).type(0x0800).ip4(kA4, kB4, 6).ports(1000, 80).tcpf(0x12).k},
        {"802.1Q with DEI", eth().vlan(33, 0, 0x8100, true).ipv4(kA4, kB4).udp(1, 2).build(),
         KeyB().eth().vlan(0x1000 | 33).type(0x0800).ip4(kA4, kB4, 17).ports(1, 2).k},
        {"802.1ad alone", eth().vlan(300, 4, 0x88a8).ipv6(kA6, kB6).udp(1, 2).build(),
         KeyB().eth().vlan(4 << 13 | 300, 0x88a8).type(0x86dd).ip6(kA6, kB6, 17).ports(1, 2).k},
        {"802.1ad + 802.1Q", eth().vlan(100, 1, 0x88a8).vlan(200, 2).ipv4(kA4, kB4).udp(5, 6).build(),
         KeyB().eth().vlan(1 << 13 | 100, 0x88a8).cvlan(2 << 13 | 200).type(0x0800).ip4(kA4, kB4, 17).ports(5, 6).k},
        {"three tags", eth().vlan(1).vlan(2).vlan(3).ipv4(kA4, kB4).payload(20).build(),
         KeyB().eth().vlan(1).cvlan(2).type(0x8100).pf(XVS_PF_VLAN_EXTRA).k},
    };
    for (const auto& row : rows) {
        INFO(row.name, "\n", hex(row.pkt));
        reset();
        Stats st(e.dp());
        inject(e.peer(1), row.pkt);
        auto ups = read_upcalls(*e.up, 1000, 1);
        REQUIRE(ups.size() == 1);
        CHECK(int(ups[0].hdr.hook) == XVS_HOOK_TC);
        CHECK(int(ups[0].hdr.type) == XVS_UPCALL_MISS);
        check_key(ups[0].hdr.key, row.want, "BPF key (tag in metadata) vs hand-expected");
        check_key(ups[0].hdr.key, ref_key(row.pkt), "BPF key (tag in metadata) vs flow_extract of the wire frame");
        StatsDelta d = st.delta();
        CHECK(d.ctr(XVS_CTR_MISS) == 1);
        check_drops(d, {});
    }
}

// In the TC hook the kernel may hold the outer VLAN tag in skb metadata; the
// upcall must still carry the frame as it was on the wire, tag included, or
// userspace executing it would send it untagged.
TEST_CASE("upcall from TC carries the frame as received, VLAN tag included") {
    Env& e = env();
    reset();
    const Bytes pkt = eth().vlan(10, 3).ipv4(kA4, kB4).udp(1, 2).payload(10).build();
    inject(e.peer(1), pkt);
    auto ups = read_upcalls(*e.up, 1000, 1);
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].hdr.pkt_len == pkt.size());
    check_bytes(ups[0].packet, pkt);
}

// =============================================================================
// Actions: header edits, byte for byte
// =============================================================================

TEST_CASE("actions: header edits, byte for byte, with checksums (XDP and TC)") {
    Env& e = env();
    for (const auto& c : edit_cases()) {
        for (Hook h : {Hook::Xdp, Hook::Tc}) {
            if (!(c.hooks & (h == Hook::Xdp ? kXdp : kTc))) continue;
            INFO(c.name, " [", hook_name(h), "] actions ", c.actions, "\ninput:\n", hex(c.in));
            reset();
            auto m = add_flow("in_port(1)", c.actions);
            Stats st(e.dp());
            if (h == Hook::Tc && c.tc_on_wire) {
                inject(e.peer(1), c.in);
                if (c.out)
                    check_delivery({{2, {*c.out}}});
                else
                    check_delivery({});
            } else {
                RunResult r = send(h, c.in);
                if (c.out) {
                    CHECK(r.retval == v_redirect(h));
                    check_bytes(r.out, *c.out);
                    check_checksums(r.out, c.l3, c.l4);
                } else {
                    CHECK(r.retval == v_drop(h));
                }
                CHECK(stats_of(m).packets == 1);
                CHECK(stats_of(m).bytes == c.in.size());
            }
            if (c.out) check_checksums(*c.out, c.l3, c.l4);
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_HIT) == 1);
            CHECK(d.ctr(XVS_CTR_MISS) == 0);
            if (c.out)
                check_drops(d, {});
            else
                check_drops(d, {{c.drop, 1}});
        }
    }
}

// =============================================================================
// Actions: output, flood, delivery
// =============================================================================

TEST_CASE("actions: output and flood reach exactly the right ports") {
    Env& e = env();
    const Bytes pkt = udp4();
    const Bytes edited = PacketBuilder().eth("02:00:00:00:00:99", kD).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build();
    enum class Via { XdpLive, TcInject, TcTestRun };
    struct Row {
        const char* name;
        Via via;
        uint32_t in_port;
        const char* actions;
        PortFrames want;
        uint64_t punt_tc;  // PUNT_TC delta
    };
    const Row rows[] = {
        {"XDP output 2", Via::XdpLive, 1, "2", {{2, {pkt}}}, 0},
        {"XDP output 3", Via::XdpLive, 1, "3", {{3, {pkt}}}, 0},
        {"XDP output to the ingress port (hairpin)", Via::XdpLive, 1, "1", {{1, {pkt}}}, 0},
        {"XDP flood: devmap broadcast, ingress excluded", Via::XdpLive, 1, "flood(1)", {{2, {pkt}}, {3, {pkt}}}, 0},
        {"XDP flood from port 2", Via::XdpLive, 2, "flood(1)", {{1, {pkt}}, {3, {pkt}}}, 0},
        {"XDP edit then flood", Via::XdpLive, 1, "set(eth(src=02:00:00:00:00:99)),flood(1)",
         {{2, {edited}}, {3, {edited}}}, 0},
        {"XDP output to a port without XDP_TX goes through TC", Via::XdpLive, 1, "4", {{4, {pkt}}}, 1},
        {"XDP flood of a domain TC must send", Via::XdpLive, 1, "flood(0)",
         {{2, {pkt}}, {3, {pkt}}, {4, {pkt}}, {5, {pkt}}}, 1},
        {"TC output 4", Via::TcInject, 1, "4", {{4, {pkt}}}, 0},
        {"TC flood: clones, ingress excluded", Via::TcInject, 1, "flood(2)", {{2, {pkt}}, {3, {pkt}}, {4, {pkt}}}, 0},
        {"TC flood from port 3", Via::TcInject, 3, "flood(2)", {{1, {pkt}}, {2, {pkt}}, {4, {pkt}}}, 0},
        {"TC flood domain 0", Via::TcInject, 1, "flood(0)", {{2, {pkt}}, {3, {pkt}}, {4, {pkt}}, {5, {pkt}}}, 0},
        // Under a plain test run only the clones are transmitted; the final
        // bpf_redirect is just the verdict.
        {"TC test run: clones of a flood are sent", Via::TcTestRun, 1, "flood(2),set(eth(src=02:00:00:00:00:99))",
         {{2, {pkt}}, {3, {pkt}}, {4, {pkt}}}, 0},
    };
    for (const auto& row : rows) {
        INFO(row.name, ": in_port ", row.in_port, " actions ", row.actions);
        reset();
        add_flow(fmt::format("in_port({})", row.in_port), row.actions);
        Stats st(e.dp());
        switch (row.via) {
        case Via::XdpLive:
            REQUIRE(run_xdp_live(e.tdp->xdp_rx(), pkt, e.ifx(row.in_port)) == 0);
            break;
        case Via::TcInject:
            inject(e.peer(row.in_port), pkt);
            break;
        case Via::TcTestRun: {
            RunResult r = send(Hook::Tc, pkt, row.in_port);
            CHECK(r.retval == kTcShot);  // the list ends without an output pending
            break;
        }
        }
        check_delivery(row.want);
        StatsDelta d = st.delta();
        CHECK(d.ctr(XVS_CTR_PUNT_TC) == row.punt_tc);
        CHECK(d.ctr(XVS_CTR_MISS) == 0);
        if (row.via == Via::TcTestRun)
            check_drops(d, {{XVS_DROP_ACTION, 1}});
        else
            check_drops(d, {});
    }
}

TEST_CASE("actions: several outputs with different edits each (TC)") {
    Env& e = env();
    const Bytes plain = udp4();
    const Bytes tagged5 = eth().vlan(5).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build();
    struct Row {
        const char* name;
        Bytes in;
        const char* actions;
        PortFrames want;
    };
    const Row rows[] = {
        {"2 untagged, 3 tagged", plain, "2,push_vlan(vid=10,pcp=0),3",
         {{2, {plain}}, {3, {eth().vlan(10).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build()}}}},
        {"edits accumulate from output to output", plain,
         "set(eth(dst=02:00:00:00:00:99)),2,set(ipv4(src=192.168.7.7)),3,dec_ttl,set(udp(dst=53)),4",
         {{2, {PacketBuilder().eth(kS, "02:00:00:00:00:99").ipv4(kA4, kB4).udp(1000, 2000).payload(18).build()}},
          {3, {PacketBuilder().eth(kS, "02:00:00:00:00:99").ipv4("192.168.7.7", kB4).udp(1000, 2000).payload(18).build()}},
          {4, {PacketBuilder().eth(kS, "02:00:00:00:00:99").ipv4("192.168.7.7", kB4).ttl(63).udp(1000, 53).payload(18).build()}}}},
        {"2 tagged, pop, 3 untagged", tagged5, "2,pop_vlan,3", {{2, {tagged5}}, {3, {plain}}}},
        {"push 802.1ad between outputs, then pop it again", tagged5, "2,push_vlan(vid=20,tpid=0x88a8),3,pop_vlan,4",
         {{2, {tagged5}},
          {3, {eth().vlan(20, 0, 0x88a8).vlan(5).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build()}},
          {4, {tagged5}}}},
        {"flood then an edited copy", plain, "flood(1),set(ipv4(ttl=1)),4",
         {{2, {plain}}, {3, {plain}}, {4, {eth().ipv4(kA4, kB4).ttl(1).udp(1000, 2000).payload(18).build()}}}},
    };
    for (const auto& row : rows) {
        INFO(row.name, ": ", row.actions);
        reset();
        auto m = add_flow("in_port(1)", row.actions);
        CHECK((flags_of(m) & XVS_AL_NEEDS_SKB) != 0);
        Stats st(e.dp());
        inject(e.peer(1), row.in);
        check_delivery(row.want);
        for (const auto& [port, frames] : row.want)
            for (const auto& f : frames) check_checksums(f, true, true);
        CHECK(stats_of(m).packets == 1);
        check_drops(st.delta(), {});
    }

    SUBCASE("under a test run: the clone is sent, the final packet is the output") {
        reset();
        add_flow("in_port(1)", "2,set(ipv4(src=192.168.7.7)),3");
        RunResult r = send(Hook::Tc, plain);
        CHECK(r.retval == kTcRedirect);
        const Bytes edited = eth().ipv4("192.168.7.7", kB4).udp(1000, 2000).payload(18).build();
        check_bytes(r.out, edited);
        check_checksums(r.out, true, true);
        check_delivery({{2, {plain}}});
    }
}

// =============================================================================
// XDP punting to TC
// =============================================================================

TEST_CASE("XDP hands lists it cannot run to TC (XVS_AL_NEEDS_SKB)") {
    Env& e = env();
    const Bytes pkt = udp4();
    struct Row {
        const char* name;
        const char* actions;
        bool needs_skb;          // the loader's flag
        uint64_t credited_in_xdp;  // flow packets after the XDP run
    };
    const Row rows[] = {
        {"two outputs", "2,3", true, 0},
        {"output then edit", "2,set(ipv4(ttl=9)),3", true, 0},
        {"edit then output to a port without XDP_TX", "set(ipv4(ttl=9)),4", true, 0},
        {"edit then flood of a domain with such a port", "set(ipv4(ttl=9)),flood(2)", true, 0},
        {"output then recirc", "2,recirc(3)", true, 0},
        // Sending where XDP cannot always starts in TC, edits or not: a
        // hand-over after XDP ran the list would run it twice.
        {"output to a port without XDP_TX", "4", true, 0},
        {"flood of a domain with such a port", "flood(2)", true, 0},
        {"output to a port that does not exist", "77", true, 0},
        {"flood to a domain that does not exist", "flood(9)", true, 0},
    };
    for (const auto& row : rows) {
        INFO(row.name, ": ", row.actions);
        reset();
        auto m = add_flow("in_port(1)", row.actions);
        CHECK(((flags_of(m) & XVS_AL_NEEDS_SKB) != 0) == row.needs_skb);
        Stats st(e.dp());
        RunResult r = send(Hook::Xdp, pkt);
        CHECK(r.retval == kXdpPass);
        check_bytes(r.out, pkt);  // handed over unchanged
        StatsDelta d = st.delta();
        CHECK(d.ctr(XVS_CTR_PUNT_TC) == 1);
        CHECK(d.ctr(XVS_CTR_HIT) == 1);
        check_drops(d, {});
        CHECK(stats_of(m).packets == row.credited_in_xdp);
    }
}

TEST_CASE("XDP punt, end to end: the TC program finishes the job (live frames)") {
    Env& e = env();
    const Bytes pkt = udp4();
    reset();
    auto m = add_flow("in_port(1)", "2,set(ipv4(ttl=9)),3");
    Stats st(e.dp());
    REQUIRE(run_xdp_live(e.tdp->xdp_rx(), pkt, e.ifx(1)) == 0);
    check_delivery({{2, {pkt}}, {3, {eth().ipv4(kA4, kB4).ttl(9).udp(1000, 2000).payload(18).build()}}});
    StatsDelta d = st.delta();
    CHECK(d.ctr(XVS_CTR_PUNT_TC) == 1);
    CHECK(d.ctr(XVS_CTR_RX) == 2);  // once per hook
    check_drops(d, {});
    CHECK(stats_of(m).packets == 1);
}

// A list that sends where XDP cannot is flagged NEEDS_SKB by the loader, so
// XDP hands the packet over before crediting the flow or running side
// effects (sample, userspace, meter): the packet is accounted once, in TC.
TEST_CASE("a packet XDP hands to TC at the output is accounted once") {
    Env& e = env();
    const Bytes pkt = udp4();
    reset();
    auto m = add_flow("in_port(1)", "sample(sample=100%,cookie=0x77),4");
    REQUIRE((flags_of(m) & XVS_AL_NEEDS_SKB) != 0);
    Stats st(e.dp());
    REQUIRE(run_xdp_live(e.tdp->xdp_rx(), pkt, e.ifx(1)) == 0);
    check_delivery({{4, {pkt}}});
    auto ups = read_upcalls(*e.up, 200);
    CHECK_MESSAGE(ups.size() == 1, ups.size(), " sample upcalls for one packet");
    CHECK_MESSAGE(stats_of(m).packets == 1, "flow credited ", stats_of(m).packets, " times for one packet");
    CHECK(st.delta().ctr(XVS_CTR_SAMPLE) == 1);
}

// A list flagged NEEDS_SKB met after a recirculation in XDP: XDP hands the
// packet to TC with the recirculation state in XDP metadata, and TC resumes
// at that recirculation rather than starting over at recirc_id 0 (which
// would see the earlier edits and credit the first pass twice).
TEST_CASE("recirculation in XDP followed by a list that needs TC") {
    Env& e = env();
    const Bytes pkt = udp4();
    const Bytes edited = udp4("10.9.9.9");

    SUBCASE("edit before the recirculation") {
        reset();
        auto a = add_flow("recirc_id(0),in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)", "set(ipv4(src=10.9.9.9)),recirc(7)");
        auto b = add_flow("recirc_id(7),in_port(1)", "2,3");
        Stats st(e.dp());
        REQUIRE(run_xdp_live(e.tdp->xdp_rx(), pkt, e.ifx(1)) == 0);
        check_delivery({{2, {edited}}, {3, {edited}}});
        CHECK(stats_of(a).packets == 1);
        CHECK(stats_of(b).packets == 1);
        StatsDelta d = st.delta();
        CHECK(d.ctr(XVS_CTR_MISS) == 0);
        check_drops(d, {});
    }
    SUBCASE("no edit: the first pass is still counted twice") {
        reset();
        auto a = add_flow("recirc_id(0),in_port(1)", "recirc(7)");
        auto b = add_flow("recirc_id(7),in_port(1)", "2,3");
        REQUIRE(run_xdp_live(e.tdp->xdp_rx(), pkt, e.ifx(1)) == 0);
        check_delivery({{2, {pkt}}, {3, {pkt}}});
        CHECK(stats_of(a).packets == 1);
        CHECK(stats_of(b).packets == 1);
    }
}

// =============================================================================
// Actions: drop, userspace, sample
// =============================================================================

TEST_CASE("actions: drop, bad port, bad domain, userspace and sample (XDP and TC)") {
    Env& e = env();
    const Bytes pkt = udp4();
    struct Up {
        uint8_t type;
        uint64_t cookie;
        uint32_t arg;
    };
    struct Row {
        const char* name;
        std::optional<xvs_action_list> list;  // when set, used instead of `actions`
        const char* actions;
        bool output;  // the packet leaves on port 2
        int drop;     // drop reason counted, -1 none
        std::vector<Up> upcalls;
        uint64_t samples;  // XVS_CTR_SAMPLE delta
        unsigned hooks = kBoth;
    };
    xvs_action_list explicit_drop{};
    explicit_drop.n = 2;
    explicit_drop.a[0].type = XVS_ACT_DROP;
    explicit_drop.a[1].type = XVS_ACT_OUTPUT;
    explicit_drop.a[1].arg = 2;
    const std::vector<Row> rows = {
        {"empty list", std::nullopt, "drop", false, XVS_DROP_ACTION, {}, 0},
        {"explicit drop action, then an output", explicit_drop, "", false, XVS_DROP_ACTION, {}, 0},
        // (XDP hands these to TC: see the NEEDS_SKB table.)
        {"output to a port that does not exist", std::nullopt, "77", false, XVS_DROP_BAD_PORT, {}, 0, kTc},
        {"flood to a domain that does not exist", std::nullopt, "flood(9)", false, XVS_DROP_BAD_DOMAIN, {}, 0, kTc},
        {"userspace", std::nullopt, "userspace(cookie=0xabc)", false, -1, {{XVS_UPCALL_ACTION, 0xabc, 0}}, 0},
        {"userspace and output", std::nullopt, "userspace(cookie=5),2", true, -1, {{XVS_UPCALL_ACTION, 5, 0}}, 0},
        {"sample 100%", std::nullopt, "sample(sample=100%,cookie=9),2", true, -1,
         {{XVS_UPCALL_SAMPLE, 9, 0xffffffffu}}, 1},
        {"sample 0%", std::nullopt, "sample(sample=0%,cookie=9),2", true, -1, {}, 0},
        {"sample 100% without output", std::nullopt, "sample(sample=100%,cookie=1)", false, XVS_DROP_ACTION,
         {{XVS_UPCALL_SAMPLE, 1, 0xffffffffu}}, 1},
    };
    for (const auto& row : rows) {
        for (Hook h : {Hook::Xdp, Hook::Tc}) {
            if (!(row.hooks & (h == Hook::Xdp ? kXdp : kTc))) continue;
            INFO(row.name, " [", hook_name(h), "] ", row.actions);
            reset();
            auto m = match("in_port(1)");
            put(m, row.list ? *row.list : actions(row.actions));
            Stats st(e.dp());
            RunResult r = send(h, pkt);
            CHECK(r.retval == (row.output ? v_redirect(h) : v_drop(h)));
            auto ups = read_upcalls(*e.up, 0);
            REQUIRE(ups.size() == row.upcalls.size());
            for (size_t i = 0; i < ups.size(); i++) {
                check_upcall(ups[i], row.upcalls[i].type, hook_id(h), 1, pkt, row.upcalls[i].cookie,
                             row.upcalls[i].arg);
                check_key(ups[i].hdr.key, ref_key(pkt), "upcall key");
            }
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_SAMPLE) == row.samples);
            CHECK(d.ctr(XVS_CTR_UPCALL) == 0);  // counts misses only
            CHECK(d.ctr(XVS_CTR_HIT) == 1);
            if (row.drop >= 0)
                check_drops(d, {{row.drop, 1}});
            else
                check_drops(d, {});
            CHECK(stats_of(m).packets == 1);
        }
    }

    SUBCASE("sample 0% never, 50% about half, 100% always") {
        for (const auto& [text, lo, hi] : {std::tuple{"sample(sample=0%,cookie=1),2", 0, 0},
                                           std::tuple{"sample(sample=50%,cookie=1),2", 60, 140},
                                           std::tuple{"sample(sample=100%,cookie=1),2", 200, 200}}) {
            INFO(text);
            reset();
            add_flow("in_port(1)", text);
            Stats st(e.dp());
            for (int i = 0; i < 200; i++) CHECK(send(Hook::Xdp, pkt).retval == kXdpRedirect);
            auto ups = read_upcalls(*e.up, 0);
            CHECK(ups.size() >= size_t(lo));
            CHECK(ups.size() <= size_t(hi));
            CHECK(st.delta().ctr(XVS_CTR_SAMPLE) == ups.size());
        }
    }
}

// The TC hook counts a drop reason for every copy it cannot send: a flood to
// a domain never set up (BAD_DOMAIN), an output to a missing port before
// another action (BAD_PORT), a failing bpf_clone_redirect() (REDIRECT).
TEST_CASE("TC counts a drop reason for every copy it cannot send") {
    Env& e = env();
    SUBCASE("flood to a domain that does not exist") {
        reset();
        add_flow("in_port(1)", "flood(9)");
        Stats st(e.dp());
        RunResult r = send(Hook::Tc, udp4());
        CHECK(r.retval == kTcShot);
        check_drops(st.delta(), {{XVS_DROP_BAD_DOMAIN, 1}});
    }
    SUBCASE("output to a port that does not exist, then another output") {
        reset();
        add_flow("in_port(1)", "77,2");
        Stats st(e.dp());
        RunResult r = send(Hook::Tc, udp4());
        CHECK(r.retval == kTcRedirect);
        check_drops(st.delta(), {{XVS_DROP_BAD_PORT, 1}});
    }
    SUBCASE("a clone to a device that is down") {
        reset();
        add_flow("in_port(1)", "3,2");
        struct LinkBackUp {
            ~LinkBackUp() {
                try {
                    sh("ip link set xp3 up");
                } catch (...) {
                }
            }
        } back_up;
        sh("ip link set xp3 down");
        Stats st(e.dp());
        RunResult r = send(Hook::Tc, udp4());
        CHECK(r.retval == kTcRedirect);
        check_drops(st.delta(), {{XVS_DROP_REDIRECT, 1}});
    }
}

// skb->len does not include an outer VLAN tag the kernel holds in skb
// metadata; TC must count it (as XDP sees it, and as OVS adds VLAN_HLEN), in
// flow bytes, kbit/s meters and upcall pkt_len alike.
TEST_CASE("flow bytes of a tagged frame are the same through TC as through XDP") {
    Env& e = env();
    reset();
    const Bytes pkt = eth().vlan(10).ipv4(kA4, kB4).udp(1, 2).payload(10).build();
    auto m = add_flow("in_port(1)", "2");
    REQUIRE(send(Hook::Xdp, pkt).retval == kXdpRedirect);
    CHECK(stats_of(m).bytes == pkt.size());
    inject(e.peer(1), pkt);
    check_delivery({{2, {pkt}}});
    CHECK(stats_of(m).packets == 2);
    CHECK(stats_of(m).bytes == 2 * pkt.size());
}

// =============================================================================
// Recirculation
// =============================================================================

TEST_CASE("recirculation (XDP and TC)") {
    Env& e = env();
    const Bytes pkt = udp4();
    const Bytes edited = udp4("10.7.7.7");
    const Hook hooks[] = {Hook::Xdp, Hook::Tc};
    SUBCASE("the second pass sees the edit and outputs") {
        for (Hook h : hooks) {
            INFO("[", hook_name(h), "]");
            reset();
            auto a = add_flow("recirc_id(0),in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)",
                              "set(ipv4(src=10.7.7.7)),recirc(5)");
            auto b = add_flow("recirc_id(5),in_port(1),eth_type(0x0800),ipv4(src=10.7.7.7)", "2");
            Stats st(e.dp());
            RunResult r = send(h, pkt);
            CHECK(r.retval == v_redirect(h));
            check_bytes(r.out, edited);
            check_checksums(r.out, true, true);
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_RECIRC) == 1);
            CHECK(d.ctr(XVS_CTR_HIT) == 2);
            CHECK(d.ctr(XVS_CTR_RX) == 1);
            CHECK(d.ctr(XVS_CTR_MISS) == 0);
            check_drops(d, {});
            CHECK(stats_of(a).packets == 1);
            CHECK(stats_of(b).packets == 1);
            CHECK(stats_of(b).bytes == edited.size());
        }
    }
    SUBCASE("no flow for the recirc id: a miss upcall with that id") {
        for (Hook h : hooks) {
            INFO("[", hook_name(h), "]");
            reset();
            add_flow("recirc_id(0),in_port(1)", "recirc(6)");
            Stats st(e.dp());
            RunResult r = send(h, pkt);
            CHECK(r.retval == v_drop(h));
            auto ups = read_upcalls(*e.up, 0);
            REQUIRE(ups.size() == 1);
            check_upcall(ups[0], XVS_UPCALL_MISS, hook_id(h), 1, pkt);
            check_key(ups[0].hdr.key, ref_key(pkt, 1, 6), "key of the recirculated miss");
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_RECIRC) == 1);
            CHECK(d.ctr(XVS_CTR_MISS) == 1);
            CHECK(d.ctr(XVS_CTR_UPCALL) == 1);
            check_drops(d, {});
        }
    }
    SUBCASE("a recirculation loop stops after XVS_MAX_RECIRC") {
        for (Hook h : hooks) {
            INFO("[", hook_name(h), "]");
            reset();
            auto a = add_flow("recirc_id(0),in_port(1)", "recirc(5)");
            auto b = add_flow("recirc_id(5),in_port(1)", "recirc(5)");
            Stats st(e.dp());
            RunResult r = send(h, pkt);
            CHECK(r.retval == v_drop(h));
            StatsDelta d = st.delta();
            CHECK(d.ctr(XVS_CTR_RECIRC) == XVS_MAX_RECIRC);
            CHECK(d.ctr(XVS_CTR_HIT) == XVS_MAX_RECIRC + 1);
            check_drops(d, {{XVS_DROP_RECIRC_LOOP, 1}});
            CHECK(stats_of(a).packets == 1);
            CHECK(stats_of(b).packets == XVS_MAX_RECIRC);
        }
    }
    SUBCASE("TC: output, recirculate, output") {
        reset();
        add_flow("recirc_id(0),in_port(1)", "2,set(ipv4(ttl=5)),recirc(5)");
        auto b = add_flow("recirc_id(5),in_port(1),eth_type(0x0800),ipv4(ttl=5)", "3");
        Stats st(e.dp());
        RunResult r = send(Hook::Tc, pkt);
        CHECK(r.retval == kTcRedirect);
        check_bytes(r.out, eth().ipv4(kA4, kB4).ttl(5).udp(1000, 2000).payload(18).build());
        check_delivery({{2, {pkt}}});
        CHECK(stats_of(b).packets == 1);
        CHECK(st.delta().ctr(XVS_CTR_RECIRC) == 1);
    }
}

// =============================================================================
// Meters
// =============================================================================

TEST_CASE("meter: a burst of N passes, then drops with reason METER (XDP and TC)") {
    Env& e = env();
    struct Row {
        const char* name;
        uint64_t rate, burst;
        bool packets;
        size_t pkt_len;
        int passes;  // then drops
    };
    const Row rows[] = {
        {"1 packet/s, burst 4", 1, 4, true, 60, 4},
        {"1 packet/s, burst 1", 1, 1, true, 60, 1},
        // An 8 kbit bucket holds 10 frames of 100 bytes; at 1 kbit/s the
        // next one takes 0.8 s to come back.
        {"1 kbit/s, burst 8 kbit", 1, 8, false, 100, 10},
    };
    for (const auto& row : rows) {
        for (Hook h : {Hook::Xdp, Hook::Tc}) {
            INFO(row.name, " [", hook_name(h), "]");
            reset();
            REQUIRE(e.dp().set_meter(3, row.rate, row.burst, row.packets).ok());
            auto m = add_flow("in_port(1)", "meter(3),2");
            const Bytes pkt = eth().ipv4(kA4, kB4).udp(1, 2).pad_to(row.pkt_len).build();
            REQUIRE(pkt.size() == row.pkt_len);
            Stats st(e.dp());
            const int extra = 3;
            for (int i = 0; i < row.passes + extra; i++) {
                CAPTURE(i);
                CHECK(send(h, pkt).retval == (i < row.passes ? v_redirect(h) : v_drop(h)));
            }
            check_drops(st.delta(), {{XVS_DROP_METER, extra}});
            auto mt = e.dp().meter(3);
            REQUIRE(mt.has_value());
            CHECK(mt->passed == uint64_t(row.passes));
            CHECK(mt->dropped == uint64_t(extra));
            CHECK(stats_of(m).packets == uint64_t(row.passes + extra));  // credited before the meter
        }
    }
    REQUIRE(e.dp().set_meter(3, 0, 0, true).ok());
}

// =============================================================================
// Megaflow lookup
// =============================================================================

TEST_CASE("megaflow lookup: several masks, first hit wins, per-flow stats, mask hits") {
    // A and B overlap on purpose, to see the search order: megaflows
    // normally never overlap, and with overlapping ones the per-CPU mask
    // cache (tested below) may answer with either, so it is off here.
    Env& e = env();
    reset();
    e.tdp->set_config_flags(XVS_CFG_NO_MASK_CACHE);
    auto fa = add_flow("in_port(1),eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0)", "2");
    auto fb = add_flow("in_port(1),eth_type(0x0800),ipv4(proto=6),tcp(dst=80)", "drop");
    auto fc = add_flow("in_port(1),eth_type(0x86dd)", "userspace(cookie=3)");
    auto masks = e.dp().masks();
    REQUIRE(masks.size() == 3);
    auto id_of = [&](const xvs::DpMatch& m) -> int {
        for (const auto& mi : masks)
            if (!std::memcmp(&mi.mask, &m.mask, sizeof m.mask)) return int(mi.id);
        FAIL("mask not found");
        return -1;
    };
    const int ia = id_of(fa), ib = id_of(fb), ic = id_of(fc);
    CHECK(ia != ib);
    CHECK(ib != ic);

    const Bytes syn80 = eth().ipv4(kA4, "10.1.2.3").tcp(999, 80, 0x002).build();  // matches A and B
    const Bytes ack80 = eth().ipv4(kA4, "10.2.0.1").tcp(999, 80, 0x010).payload(7).build();  // B only
    const Bytes udp_a = eth().ipv4(kA4, "10.1.0.9").udp(1, 2).payload(3).build();  // A only
    const Bytes v6 = eth().ipv6(kA6, kB6).udp(1, 2).build();  // C
    const Bytes psh80 = eth().ipv4(kA4, "10.1.2.3").tcp(999, 80, 0x018).payload(11).build();  // A and B

    struct Step {
        const char* name;
        const Bytes* pkt;
        uint32_t verdict;
        int mask;         // mask id hit, -1 miss
        uint64_t probes;  // masks tried
    };
    const Step steps[] = {
        {"SYN to 10.1.2.3:80: A and B match, A is first", &syn80, kXdpRedirect, ia, 1},
        {"ACK to 10.2.0.1:80: B", &ack80, kXdpDrop, ib, 2},
        {"UDP to 10.1.0.9: A", &udp_a, kXdpRedirect, ia, 1},
        {"IPv6: C", &v6, kXdpDrop, ic, 3},
        {"PSH|ACK to 10.1.2.3:80: A", &psh80, kXdpRedirect, ia, 1},
    };
    for (const auto& s : steps) {
        INFO(s.name);
        Stats st(e.dp());
        CHECK(send(Hook::Xdp, *s.pkt).retval == s.verdict);
        StatsDelta d = st.delta();
        for (const auto& mi : masks) CHECK(d.mask_hits(int(mi.id)) == (int(mi.id) == s.mask ? 1u : 0u));
        CHECK(d.ctr(XVS_CTR_MASK_PROBE) == s.probes);
        CHECK(d.ctr(XVS_CTR_MASK_CACHE_HIT) == 0);
        CHECK(d.ctr(XVS_CTR_HIT) == 1);
    }
    (void)read_upcalls(*e.up, 0);
    auto sa = stats_of(fa), sb = stats_of(fb), sc = stats_of(fc);
    CHECK(sa.packets == 3);
    CHECK(sa.bytes == syn80.size() + udp_a.size() + psh80.size());
    CHECK(sa.tcp_flags == (0x002 | 0x018));
    CHECK(sa.used_ns != 0);
    CHECK(sb.packets == 1);
    CHECK(sb.bytes == ack80.size());
    CHECK(sb.tcp_flags == 0x010);
    CHECK(sc.packets == 1);
    CHECK(sc.tcp_flags == 0);

    SUBCASE("a miss upcalls and credits no flow") {
        Stats st(e.dp());
        const Bytes other = eth().ipv4(kA4, "10.9.9.9").udp(1, 2).build();
        CHECK(send(Hook::Xdp, other).retval == kXdpDrop);
        StatsDelta d = st.delta();
        CHECK(d.ctr(XVS_CTR_MISS) == 1);
        CHECK(d.ctr(XVS_CTR_UPCALL) == 1);
        for (const auto& mi : masks) CHECK(d.mask_hits(int(mi.id)) == 0);
        CHECK(read_upcalls(*e.up, 0).size() == 1);
        CHECK(stats_of(fa).packets == 3);
    }
    SUBCASE("rank_masks moves the most hit mask first, which then wins the overlap") {
        // rank_masks orders by the cumulative per-id hit counters; make B
        // clearly ahead of A whatever those counters held before.
        auto hits = [&](int id) {
            for (const auto& mi : e.dp().masks())
                if (int(mi.id) == id) return mi.hits;
            return uint64_t{0};
        };
        uint64_t need = hits(ia) > hits(ib) ? hits(ia) - hits(ib) + 1 : 1;
        need = std::max<uint64_t>(need, hits(ic) > hits(ib) ? hits(ic) - hits(ib) + 1 : 1);
        for (uint64_t i = 0; i < need; i++) REQUIRE(send(Hook::Xdp, ack80).retval == kXdpDrop);
        REQUIRE(e.dp().rank_masks().ok());
        const uint64_t b_before = stats_of(fb).packets, a_before = stats_of(fa).packets;
        Stats st(e.dp());
        CHECK(send(Hook::Xdp, syn80).retval == kXdpDrop);  // B's verdict now
        StatsDelta d = st.delta();
        CHECK(d.mask_hits(ib) == 1);
        CHECK(d.ctr(XVS_CTR_MASK_PROBE) == 1);
        CHECK(stats_of(fb).packets == b_before + 1);
        CHECK(stats_of(fa).packets == a_before);
    }
    SUBCASE("deleting a flow: its packets miss, its mask goes") {
        REQUIRE(e.dp().del_flow(fa.key, fa.mask).ok());
        CHECK(e.dp().masks().size() == 2);
        Stats st(e.dp());
        CHECK(send(Hook::Xdp, udp_a).retval == kXdpDrop);
        CHECK(st.delta().ctr(XVS_CTR_MISS) == 1);
        CHECK(read_upcalls(*e.up, 0).size() == 1);
    }
    SUBCASE("the same lookup in TC") {
        Stats st(e.dp());
        CHECK(send(Hook::Tc, ack80).retval == kTcShot);
        CHECK(send(Hook::Tc, udp_a).retval == kTcRedirect);
        StatsDelta d = st.delta();
        CHECK(d.mask_hits(ia) == 1);
        CHECK(d.mask_hits(ib) == 1);
        CHECK(d.ctr(XVS_CTR_MASK_PROBE) == 1 + 2);
        CHECK(stats_of(fb).packets == 2);
    }
}

TEST_CASE("megaflow lookup: the per-CPU mask cache") {
    // Non-overlapping megaflows under three masks; packets with keys no
    // earlier run has seen (fresh source ports), so every hint is known.
    Env& e = env();
    reset();
    auto fa = add_flow("in_port(1),eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0)", "2");
    auto fb = add_flow("in_port(1),eth_type(0x0800),ipv4(dst=10.2.0.0/255.255.0.0,proto=6),tcp(dst=80)", "3");
    auto fc = add_flow("in_port(1),eth_type(0x86dd)", "2");
    REQUIRE(e.dp().masks().size() == 3);
    const uint16_t sport = fresh();
    const Bytes to_c = eth().ipv6(kA6, kB6).udp(sport, 2).build();
    const Bytes to_b = eth().ipv4(kA4, "10.2.0.1").tcp(sport, 80, 0x10).build();

    SUBCASE("the first packet searches, the next ones take one probe") {
        for (Hook h : {Hook::Xdp, Hook::Tc}) {
            INFO("[", hook_name(h), "]");
            const Bytes pkt = eth().ipv6(kA6, kB6).udp(fresh(), 2).build();
            Stats s1(e.dp());
            CHECK(send(h, pkt).retval == v_redirect(h));
            StatsDelta d1 = s1.delta();
            CHECK(d1.ctr(XVS_CTR_MASK_PROBE) == 3);
            CHECK(d1.ctr(XVS_CTR_MASK_CACHE_HIT) == 0);
            for (int i = 0; i < 3; i++) {
                Stats s2(e.dp());
                CHECK(send(h, pkt).retval == v_redirect(h));
                StatsDelta d2 = s2.delta();
                CHECK(d2.ctr(XVS_CTR_MASK_PROBE) == 1);
                CHECK(d2.ctr(XVS_CTR_MASK_CACHE_HIT) == 1);
                CHECK(d2.ctr(XVS_CTR_HIT) == 1);
            }
        }
        CHECK(stats_of(fc).packets == 8);
        CHECK(stats_of(fa).packets == 0);
    }
    SUBCASE("a stale hint costs a probe, never a wrong answer") {
        CHECK(send(Hook::Xdp, to_c).retval == kXdpRedirect);  // hint: C's mask
        REQUIRE(e.dp().del_flow(fc.key, fc.mask).ok());
        Stats s1(e.dp());
        CHECK(send(Hook::Xdp, to_c).retval == kXdpDrop);  // now a miss
        StatsDelta d1 = s1.delta();
        CHECK(d1.ctr(XVS_CTR_MISS) == 1);
        CHECK(d1.ctr(XVS_CTR_MASK_CACHE_HIT) == 0);
        CHECK(read_upcalls(*e.up, 0).size() == 1);
        // The freed mask id goes to a new mask that the same key matches
        // with another action.
        auto fd = add_flow("in_port(1),eth_type(0x86dd),ipv6(proto=17)", "3");
        Stats s2(e.dp());
        CHECK(send(Hook::Xdp, to_c).retval == kXdpRedirect);
        CHECK(stats_of(fd).packets == 1);
        CHECK(s2.delta().ctr(XVS_CTR_HIT) == 1);
    }
    SUBCASE("a hint survives a re-rank of the masks") {
        CHECK(send(Hook::Xdp, to_b).retval == kXdpRedirect);
        REQUIRE(e.dp().rank_masks().ok());
        Stats s(e.dp());
        CHECK(send(Hook::Xdp, to_b).retval == kXdpRedirect);
        CHECK(s.delta().ctr(XVS_CTR_MASK_CACHE_HIT) == 1);
        CHECK(stats_of(fb).packets == 2);
    }
    SUBCASE("off: every lookup searches") {
        e.tdp->set_config_flags(XVS_CFG_NO_MASK_CACHE);
        for (int i = 0; i < 3; i++) {
            Stats s(e.dp());
            CHECK(send(Hook::Xdp, to_c).retval == kXdpRedirect);
            CHECK(s.delta().ctr(XVS_CTR_MASK_PROBE) == 3);
            CHECK(s.delta().ctr(XVS_CTR_MASK_CACHE_HIT) == 0);
        }
    }
    SUBCASE("not used with a single mask") {
        REQUIRE(e.dp().del_flow(fa.key, fa.mask).ok());
        REQUIRE(e.dp().del_flow(fb.key, fb.mask).ok());
        for (int i = 0; i < 3; i++) {
            Stats s(e.dp());
            CHECK(send(Hook::Xdp, to_c).retval == kXdpRedirect);
            CHECK(s.delta().ctr(XVS_CTR_MASK_PROBE) == 1);
            CHECK(s.delta().ctr(XVS_CTR_MASK_CACHE_HIT) == 0);
        }
    }
}

// XVS_CTR_MASK_PROBE counts hash probes made: a miss over N masks is N.
TEST_CASE("MASK_PROBE counts the masks tried by a miss") {
    Env& e = env();
    reset();
    Stats st0(e.dp());
    CHECK(send(Hook::Xdp, udp4()).retval == kXdpDrop);
    CHECK(st0.delta().ctr(XVS_CTR_MASK_PROBE) == 0);
    add_flow("in_port(1),eth_type(0x0800),ipv4(dst=10.1.0.0/255.255.0.0)", "2");
    add_flow("in_port(1),eth_type(0x86dd)", "2");
    Stats st2(e.dp());
    CHECK(send(Hook::Xdp, udp4(kA4, "10.9.9.9", 7, 7)).retval == kXdpDrop);
    CHECK(st2.delta().ctr(XVS_CTR_MASK_PROBE) == 2);
}

// Per-mask hit counters are indexed by mask id; a new mask that reuses a
// freed id must not inherit the old mask's hits (xvs_mask.hits_base).
TEST_CASE("a new mask starts with no hits") {
    Env& e = env();
    reset();
    auto f = add_flow("in_port(1),eth_type(0x0800)", "2");
    for (int i = 0; i < 20; i++) REQUIRE(send(Hook::Xdp, udp4()).retval == kXdpRedirect);
    REQUIRE(e.dp().del_flow(f.key, f.mask).ok());
    add_flow("in_port(1),eth_type(0x86dd)", "2");
    auto masks = e.dp().masks();
    REQUIRE(masks.size() == 1);
    CHECK(masks[0].hits == 0);
}

// =============================================================================
// Miss path: upcall rate limit and duplicate suppression
// =============================================================================

TEST_CASE("miss path: per-port upcall rate limit (UPCALL_RATE)") {
    Env& e = env();
    reset();
    // Port 5: 1 upcall/s, burst 2 (a bucket that starts full).
    Stats st(e.dp());
    for (uint16_t i = 0; i < 5; i++) CHECK(send(Hook::Xdp, udp4(kA4, kB4, 100, i), 5).retval == kXdpDrop);
    StatsDelta d = st.delta();
    CHECK(d.ctr(XVS_CTR_MISS) == 5);
    CHECK(d.ctr(XVS_CTR_UPCALL) == 2);
    check_drops(d, {{XVS_DROP_UPCALL_RATE, 3}});
    auto ups = read_upcalls(*e.up, 0);
    REQUIRE(ups.size() == 2);
    CHECK(ups[0].hdr.in_port == 5);
    CHECK(ntohs(ups[0].hdr.key.tp_dst) == 0);
    CHECK(ntohs(ups[1].hdr.key.tp_dst) == 1);

    // The bucket is per port: port 1 is not limited.
    Stats st1(e.dp());
    for (uint16_t i = 0; i < 5; i++) CHECK(send(Hook::Xdp, udp4(kA4, kB4, 101, i), 1).retval == kXdpDrop);
    CHECK(st1.delta().ctr(XVS_CTR_UPCALL) == 5);
    check_drops(st1.delta(), {});
    (void)read_upcalls(*e.up, 0);

    // The same bucket serves the TC entry.
    Stats st2(e.dp());
    CHECK(send(Hook::Tc, udp4(kA4, kB4, 102, 0), 5).retval == kTcShot);
    check_drops(st2.delta(), {{XVS_DROP_UPCALL_RATE, 1}});

    // One token per second comes back.
    sleep_ms(1100);
    Stats st3(e.dp());
    CHECK(send(Hook::Xdp, udp4(kA4, kB4, 103, 0), 5).retval == kXdpDrop);
    CHECK(send(Hook::Xdp, udp4(kA4, kB4, 103, 1), 5).retval == kXdpDrop);
    StatsDelta d3 = st3.delta();
    CHECK(d3.ctr(XVS_CTR_UPCALL) == 1);
    check_drops(d3, {{XVS_DROP_UPCALL_RATE, 1}});
    (void)read_upcalls(*e.up, 0);
}

TEST_CASE("miss path: a key's misses beyond a burst are suppressed for dedup_us (UPCALL_DUP)") {
    Env& e = env();
    reset();
    const Bytes a = udp4(kA4, kB4, 4242, 1);
    const Bytes b = udp4(kA4, kB4, 4242, 2);
    e.tdp->set_dedup_us(1000000);
    Stats st(e.dp());
    // A burst of one new flow: the first XVS_UPCALL_DUP_BURST misses go
    // up (userspace executes each), through either hook; the rest drop.
    constexpr int kBurst = XVS_UPCALL_DUP_BURST;
    for (int i = 0; i < kBurst - 1; i++) CHECK(send(Hook::Xdp, a).retval == kXdpDrop);
    CHECK(send(Hook::Tc, a).retval == kTcShot);  // same key through the other hook
    CHECK(send(Hook::Xdp, a).retval == kXdpDrop);
    CHECK(send(Hook::Xdp, a).retval == kXdpDrop);
    CHECK(send(Hook::Xdp, b).retval == kXdpDrop);
    StatsDelta d = st.delta();
    CHECK(d.ctr(XVS_CTR_MISS) == kBurst + 3);
    CHECK(d.ctr(XVS_CTR_UPCALL) == kBurst + 1);
    check_drops(d, {{XVS_DROP_UPCALL_DUP, 2}});
    auto ups = read_upcalls(*e.up, 0);
    REQUIRE(ups.size() == size_t(kBurst + 1));
    check_key(ups[0].hdr.key, ref_key(a), "first upcall");
    check_key(ups[kBurst - 1].hdr.key, ref_key(a), "last upcall of the burst");
    check_key(ups[kBurst].hdr.key, ref_key(b), "the other key's upcall");

    // The same key on another port is another key.
    Stats stp(e.dp());
    CHECK(send(Hook::Xdp, a, 2).retval == kXdpDrop);
    CHECK(stp.delta().ctr(XVS_CTR_UPCALL) == 1);
    (void)read_upcalls(*e.up, 0);

    // After dedup_us a new window starts: a full burst again.
    e.tdp->set_dedup_us(200000);
    sleep_ms(300);
    Stats st2(e.dp());
    for (int i = 0; i < kBurst + 1; i++) CHECK(send(Hook::Xdp, a).retval == kXdpDrop);
    StatsDelta d2 = st2.delta();
    CHECK(d2.ctr(XVS_CTR_UPCALL) == kBurst);
    check_drops(d2, {{XVS_DROP_UPCALL_DUP, 1}});
    (void)read_upcalls(*e.up, 0);

    // dedup_us 0: every miss is upcalled.
    e.tdp->set_dedup_us(0);
    Stats st3(e.dp());
    for (int i = 0; i < kBurst + 3; i++) CHECK(send(Hook::Xdp, a).retval == kXdpDrop);
    CHECK(st3.delta().ctr(XVS_CTR_UPCALL) == kBurst + 3);
    check_drops(st3.delta(), {});
    (void)read_upcalls(*e.up, 0);
}

TEST_CASE("packets from a device that is not a port are left to the stack (NOT_PORT)") {
    Env& e = env();
    reset();
    Stats st(e.dp());
    RunResult x = run_xdp(e.tdp->xdp_rx(), udp4(), 1 /* lo */);
    REQUIRE(x.err == 0);
    CHECK(x.retval == kXdpPass);
    RunResult t = run_tc(e.tdp->tc_rx(), udp4(), e.peer(1));
    REQUIRE(t.err == 0);
    CHECK(t.retval == kTcOk);
    StatsDelta d = st.delta();
    CHECK(d.ctr(XVS_CTR_RX) == 2);
    CHECK(d.ctr(XVS_CTR_MISS) == 0);
    check_drops(d, {{XVS_DROP_NOT_PORT, 2}});
}

// =============================================================================
// Userspace execution: xvs_xdp_exec through Datapath::execute
// =============================================================================

TEST_CASE("execute: xvs_xdp_exec edits, userspace sends the copies") {
    Env& e = env();
    const Bytes pkt = udp4();
    struct Row {
        const char* name;
        const char* actions;
        int sent;
        PortFrames want;
        int drop;
    };
    const Row rows[] = {
        {"edit, output, push, output", "set(eth(src=02:00:00:00:00:99)),2,push_vlan(vid=5,pcp=1),3", 2,
         {{2, {PacketBuilder().eth("02:00:00:00:00:99", kD).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build()}},
          {3, {PacketBuilder().eth("02:00:00:00:00:99", kD).vlan(5, 1).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build()}}},
         -1},
        {"set ipv4 and ports", "set(ipv4(src=192.168.7.7)),set(udp(dst=53)),4", 1,
         {{4, {eth().ipv4("192.168.7.7", kB4).udp(1000, 53).payload(18).build()}}}, -1},
        {"flood: every member but the ingress port", "flood(2)", 3, {{2, {pkt}}, {3, {pkt}}, {4, {pkt}}}, -1},
        {"userspace and meter are skipped", "userspace(cookie=1),meter(3),2", 1, {{2, {pkt}}}, -1},
        {"dec_ttl expiry drops", "set(ipv4(ttl=1)),dec_ttl,2", 0, {}, XVS_DROP_TTL},
    };
    REQUIRE(e.dp().set_meter(3, 1, 1, true).ok());
    for (const auto& row : rows) {
        INFO(row.name, ": ", row.actions);
        reset();
        Stats st(e.dp());
        auto n = e.dp().execute(1, pkt, actions(row.actions));
        REQUIRE_MESSAGE(n.ok(), (n.ok() ? "" : n.message()));
        CHECK(*n == row.sent);
        check_delivery(row.want);
        CHECK(read_upcalls(*e.up, 0).empty());
        StatsDelta d = st.delta();
        // One run per output up to the one that dropped.
        size_t outputs = 0;
        auto al = actions(row.actions);
        for (uint32_t i = 0; i < al.n; i++) outputs += al.a[i].type == XVS_ACT_OUTPUT || al.a[i].type == XVS_ACT_FLOOD;
        CHECK(d.ctr(XVS_CTR_EXEC) == (row.drop >= 0 ? 1 : outputs));
        CHECK(d.ctr(XVS_CTR_RX) == 0);
        if (row.drop >= 0)
            check_drops(d, {{row.drop, 1}});
        else
            check_drops(d, {});
    }
    REQUIRE(e.dp().set_meter(3, 0, 0, true).ok());

    SUBCASE("samples the draw picks come back as edited so far; the datapath samples nothing itself") {
        reset();
        std::vector<std::pair<uint64_t, Bytes>> got;
        auto fn = [&](const xvs_action& a, std::span<const uint8_t> p) {
            CHECK(a.type == XVS_ACT_SAMPLE);
            got.emplace_back(a.u.cookie, Bytes(p.begin(), p.end()));
        };
        auto n = e.dp().execute(
            1, pkt,
            actions("sample(sample=100%,cookie=0x7),set(eth(src=02:00:00:00:00:99)),sample(sample=0%,cookie=0x9),"
                    "sample(sample=100%,cookie=0x8),2"),
            fn);
        REQUIRE(n.ok());
        CHECK(*n == 1);
        REQUIRE(got.size() == 2);
        CHECK(got[0] == std::pair<uint64_t, Bytes>{7, pkt});
        CHECK(got[1].first == 8);
        CHECK(got[1].second == PacketBuilder().eth("02:00:00:00:00:99", kD).ipv4(kA4, kB4).udp(1000, 2000).payload(18).build());
        CHECK(read_upcalls(*e.up, 0).empty());
    }

    SUBCASE("a request naming a slot that does not exist") {
        Bytes req(sizeof(xvs_exec_hdr));
        xvs_exec_hdr hdr{1000, 1};
        std::memcpy(req.data(), &hdr, sizeof hdr);
        req.insert(req.end(), pkt.begin(), pkt.end());
        Stats st(e.dp());
        LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = req.data(), .data_size_in = uint32_t(req.size()), .repeat = 1);
        REQUIRE(bpf_prog_test_run_opts(e.tdp->xdp_exec(), &o) == 0);
        CHECK(o.retval == kXdpDrop);
        check_drops(st.delta(), {{XVS_DROP_EXEC, 1}});
    }
}
