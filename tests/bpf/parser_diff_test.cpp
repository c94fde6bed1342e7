// Differential test of the two flow key parsers: the BPF one (bpf/lib/
// parse.h, run through the real xvs_xdp_rx entry) and the userspace
// reference (compiler/flow_extract.cpp). Both implement docs/DATAPATH.md
// "Flow key extraction"; on every packet their keys must be identical.
//
// With no flows installed every packet misses, and the miss upcall carries
// the key the BPF parser extracted. dedup_us=0 and upcall_rate=0, so no miss
// is suppressed; the ring buffer (4 MiB, ~1.7 KiB per record) is drained
// every kBatch packets.
//
// Corpus (deterministic; XVS_DIFF_SEED overrides the seed):
//   * valid packets of every protocol the parser knows, from the builder;
//   * every truncation of each of them (14 bytes up: BPF_PROG_TEST_RUN
//     refuses shorter frames, those are checked against the reference only);
//   * random mutations of them (header bytes set to random or "interesting"
//     values, lengths changed, bytes appended);
//   * random bytes behind random or interesting ethertypes.
#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "compiler/flow_extract.h"
#include "harness.h"

using namespace xvs::bpftest;
using xvs::test::PacketBuilder;

namespace {

constexpr uint32_t kPort = 1;
constexpr size_t kBatch = 1000;

constexpr const char* kS = "02:00:00:00:00:01";
constexpr const char* kD = "02:00:00:00:00:02";

PacketBuilder eth() { return PacketBuilder().eth(kS, kD); }

struct Sample {
    std::string origin;
    Bytes pkt;
};

// One valid (or deliberately malformed) packet of every kind the parser has
// a rule for.
std::vector<Sample> base_packets() {
    std::vector<Sample> v;
    auto add = [&](std::string name, const PacketBuilder& b) { v.push_back({std::move(name), b.build()}); };
    const uint8_t opts8[] = {0x01, 0x01, 0x01, 0x00, 0x01, 0x01, 0x01, 0x00};

    add("eth unknown type", eth().eth_type(0x88b5).payload(30));
    add("802.3 llc", eth().llc().payload(40));
    add("802.3 snap ipv4 udp", eth().snap().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(8));
    add("802.3 snap oui!=0", eth().snap(0x00000c).eth_type(0x0800).payload(30));
    add("802.3 snap carrying vlan tpid", eth().snap().eth_type(0x8100).payload(30));
    add("vlan ipv4 tcp", eth().vlan(10, 3).ipv4("10.0.0.1", "10.0.0.2").tcp(1000, 80, 0x12).payload(10));
    add("vlan dei", eth().vlan(4095, 7, 0x8100, true).ipv4("1.2.3.4", "5.6.7.8").udp(53, 53).payload(4));
    add("qinq ipv6 udp",
        eth().vlan(100, 1, 0x88a8).vlan(200, 2).ipv6("2001:db8::1", "2001:db8::2").udp(5000, 53).payload(12));
    add("three tags", eth().vlan(1).vlan(2).vlan(3).ipv4("10.0.0.1", "10.0.0.2").payload(20));
    add("vlan arp", eth().vlan(7).arp(1, kS, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"));
    add("vlan snap ipv4", eth().vlan(7).snap().ipv4("10.0.0.1", "10.0.0.2").icmp(8, 0).payload(8));
    add("arp request", eth().arp(1, kS, "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"));
    add("arp reply", eth().arp(2, kS, "10.0.0.1", kD, "10.0.0.2").pad_to(60));
    add("rarp", eth().arp(3, kS, "0.0.0.0", kS, "0.0.0.0").rarp());
    add("arp opcode 300", eth().arp(300, kS, "10.0.0.1", kD, "10.0.0.2"));
    add("arp htype 6", eth().arp(1, kS, "10.0.0.1", kD, "10.0.0.2").arp_format(6, 0x0800, 6, 4));
    add("arp plen 16", eth().arp(1, kS, "10.0.0.1", kD, "10.0.0.2").arp_format(1, 0x0800, 6, 16));
    add("ipv4 tcp", eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80, 0x002).payload(20));
    add("ipv4 tcp options", eth().ipv4("10.0.0.1", "10.0.0.2").ipv4_options(opts8).tcp(1, 2, 0x18).tcp_options(opts8).payload(5));
    add("ipv4 tcp all flags", eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, 0xfff));
    add("ipv4 tcp doff 4", eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1, 2, 0x10).tcp_doff(4).payload(4));
    add("ipv4 udp", eth().ipv4("192.168.1.1", "192.168.1.2").tos(0xb8).ttl(3).udp(68, 67).payload(30));
    add("ipv4 sctp", eth().ipv4("10.0.0.1", "10.0.0.2").sctp(7, 9).payload(16));
    add("ipv4 icmp", eth().ipv4("10.0.0.1", "10.0.0.2").icmp(8, 0).payload(16));
    add("ipv4 gre", eth().ipv4("10.0.0.1", "10.0.0.2", 47).payload(24));
    add("ipv4 carrying icmpv6", eth().ipv4("10.0.0.1", "10.0.0.2", 58).payload(24));
    add("ipv4 first fragment", eth().ipv4("10.0.0.1", "10.0.0.2").frag(0, true).udp(1, 2).payload(16));
    add("ipv4 later fragment", eth().ipv4("10.0.0.1", "10.0.0.2", 6).frag(185, false).payload(40));
    add("ipv4 df", eth().ipv4("10.0.0.1", "10.0.0.2").frag(0, false, true).tcp(5, 6, 0x10));
    add("ipv4 padded", eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).pad_to(60));
    add("ipv4 ihl 4", eth().ipv4("10.0.0.1", "10.0.0.2").ipv4_ihl(4).udp(1, 2));
    add("ipv4 version 6", eth().ipv4("10.0.0.1", "10.0.0.2").ipv4_version(6).udp(1, 2));
    add("ipv4 total < ihl", eth().ipv4("10.0.0.1", "10.0.0.2").ipv4_total_length(19).udp(1, 2));
    add("ipv6 tcp", eth().ipv6("fe80::1", "fe80::2").flow_label(0xabcde).tos(0x2e).tcp(22, 40000, 0x011).payload(10));
    add("ipv6 udp", eth().ipv6("2001:db8::1", "ff02::1").ttl(1).udp(546, 547).payload(10));
    add("ipv6 sctp", eth().ipv6("2001:db8::1", "2001:db8::2").sctp(100, 200));
    add("ipv6 icmpv6 echo", eth().ipv6("2001:db8::1", "2001:db8::2").icmpv6(128, 0).payload(8));
    add("ipv6 carrying icmp", eth().ipv6("2001:db8::1", "2001:db8::2", 1).payload(8));
    add("ipv6 no next", eth().ipv6("2001:db8::1", "2001:db8::2", 59).payload(8));
    add("ipv6 hbh tcp", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_hop_by_hop(1).tcp(1, 2, 2));
    add("ipv6 routing udp", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_routing(2).udp(3, 4).payload(4));
    add("ipv6 dstopts icmpv6", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_dest_opts().icmpv6(1, 4).payload(8));
    add("ipv6 ah tcp", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_ah().tcp(443, 1000, 0x10));
    add("ipv6 frag first udp", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_fragment(0, true).udp(9, 10).payload(8));
    add("ipv6 frag later", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_fragment(100, false).next_type(6).payload(24));
    add("ipv6 atomic frag", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_fragment(0, false).tcp(1, 2, 4));
    {
        PacketBuilder b = eth().ipv6("2001:db8::1", "2001:db8::2");
        for (int i = 0; i < 8; i++) b.ipv6_dest_opts();
        add("ipv6 8 ext udp", b.udp(1, 2));
        b = eth().ipv6("2001:db8::1", "2001:db8::2");
        for (int i = 0; i < 9; i++) b.ipv6_dest_opts();
        add("ipv6 9 ext udp", b.udp(1, 2));
        b = eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_hop_by_hop();
        for (int i = 0; i < 7; i++) b.ipv6_fragment(static_cast<uint16_t>(i), true);
        add("ipv6 hbh + 7 frag", b.tcp(1, 2, 2));
    }
    add("ipv6 bad version", eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_version(4).udp(1, 2));
    add("nd ns sll", eth().ipv6("fe80::1", "ff02::1:ff00:2").ttl(255).nd_ns("fe80::2").nd_sll("0a:0b:0c:0d:0e:0f"));
    add("nd na tll", eth().ipv6("fe80::2", "fe80::1").ttl(255).nd_na("fe80::2").nd_tll("f0:e0:d0:c0:b0:a0"));
    {
        const uint8_t body[] = {1, 2, 3, 4, 5, 6};
        add("nd ns other opt then sll",
            eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option(14, body).nd_sll("0a:0b:0c:0d:0e:0f"));
        add("nd na sll (ignored) tll tll",
            eth().ipv6("fe80::1", "fe80::2").nd_na("fe80::3").nd_sll("01:01:01:01:01:01").nd_tll("02:02:02:02:02:02").nd_tll("03:03:03:03:03:03"));
        add("nd ns 5 options", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option(14, body).nd_option(14, body).nd_option(14, body).nd_option(14, body).nd_sll("0a:0b:0c:0d:0e:0f"));
        add("nd ns sll len 2", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option_raw({1, 2, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0}));
    }
    add("nd ns opt len 0", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option_raw({1, 0, 1, 2, 3, 4, 5, 6}));
    add("nd ns opt overruns", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").nd_option_raw({1, 3, 1, 2, 3, 4, 5, 6}));
    add("nd ns padded", eth().ipv6("fe80::1", "fe80::2").nd_ns("fe80::2").pad_to(100));
    add("nd ns code 1", eth().ipv6("fe80::1", "fe80::2").icmpv6(135, 1).payload(24));
    add("nd na odd byte", eth().ipv6("fe80::1", "fe80::2").nd_na("fe80::2").nd_tll("f0:e0:d0:c0:b0:a0").payload(1));
    return v;
}

// Bytes worth planting in headers: ethertypes, protocol numbers, version
// nibbles, ICMPv6 types, lengths.
constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x11, 0x2b, 0x2c, 0x33,
                                    0x3a, 0x3b, 0x3c, 0x40, 0x45, 0x46, 0x4f, 0x60, 0x81, 0x84, 0x86, 0x87,
                                    0x88, 0xa8, 0xaa, 0xdd, 0x35, 0x05, 0xff, 0xfe, 0x7f, 0x80, 0x20, 0x1f};
constexpr uint16_t kTypes[] = {0x0800, 0x86dd, 0x0806, 0x8035, 0x8100, 0x88a8, 0x05ff, 0x0000, 0x0600, 0x05dc};

std::vector<Sample> corpus(uint32_t seed, const std::vector<Sample>& base) {
    std::vector<Sample> out;
    for (const auto& s : base) {
        out.push_back(s);
        for (size_t len = 14; len < s.pkt.size(); len++)
            out.push_back({s.origin + " cut to " + std::to_string(len), Bytes(s.pkt.begin(), s.pkt.begin() + len)});
    }
    std::mt19937 rng(seed);
    auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
    for (int i = 0; i < 3000; i++) {
        const Sample& s = base[pick(base.size())];
        Bytes p = s.pkt;
        int n = 1 + static_cast<int>(pick(4));
        for (int m = 0; m < n; m++) {
            // Mostly the headers: the first 100 bytes.
            size_t off = pick(std::min<size_t>(p.size(), 100));
            switch (pick(6)) {
            case 0: p[off] = static_cast<uint8_t>(rng()); break;
            case 1: case 2: p[off] = kInteresting[pick(sizeof kInteresting)]; break;
            case 3:
                if (off + 1 < p.size()) {
                    uint16_t t = kTypes[pick(std::size(kTypes))];
                    p[off] = static_cast<uint8_t>(t >> 8);
                    p[off + 1] = static_cast<uint8_t>(t);
                }
                break;
            case 4: p[off] ^= static_cast<uint8_t>(1u << pick(8)); break;
            case 5:
                if (pick(2)) p.resize(std::max<size_t>(14, pick(p.size() + 1)));
                else for (size_t k = pick(64); k > 0; k--) p.push_back(static_cast<uint8_t>(rng()));
                break;
            }
        }
        if (p.size() < 14) p.resize(14);
        out.push_back({s.origin + " mutated #" + std::to_string(i), std::move(p)});
    }
    for (int i = 0; i < 1000; i++) {
        Bytes p(14 + pick(187));
        for (auto& b : p) b = static_cast<uint8_t>(rng());
        if (pick(4) != 0) {
            uint16_t t = kTypes[pick(std::size(kTypes))];
            p[12] = static_cast<uint8_t>(t >> 8);
            p[13] = static_cast<uint8_t>(t);
            // Plausible version nibbles so that the random bytes get past L3.
            if (t == 0x0800 && pick(2)) p[14] = static_cast<uint8_t>(0x45 + pick(3));
            if (t == 0x86dd && p.size() > 20 && pick(2)) {
                p[14] = 0x60;
                p[20] = kInteresting[pick(sizeof kInteresting)];
            }
        }
        out.push_back({"random #" + std::to_string(i), std::move(p)});
    }
    return out;
}

struct Env {
    Veth veth;
    std::unique_ptr<TestDatapath> tdp;
    std::unique_ptr<xvs::loader::UpcallReader> upcalls;
};

Env& env() {
    static Env* e = nullptr;
    if (e) return *e;
    auto owned = std::make_unique<Env>();
    owned->veth = make_veth("xd1");
    xvs::loader::CreateOptions o;
    o.dedup_us = 0;
    owned->tdp = std::make_unique<TestDatapath>(o);
    xvs::loader::PortSpec ps;
    ps.ifname = owned->veth.name;
    ps.port_no = kPort;
    ps.hook = xvs::loader::Hook::Tc;
    ps.xdp_tx = xvs::loader::XdpTx::Yes;
    ps.upcall_rate = 0;
    auto port = owned->tdp->dp().add_port(ps);
    if (!port) throw std::runtime_error("add_port: " + port.message());
    owned->tdp->set_dedup_us(0);
    owned->upcalls = owned->tdp->dp().upcalls();
    if (!owned->upcalls->ok()) throw std::runtime_error("cannot open the upcall ring buffer");
    e = owned.release();
    at_teardown([] {
        delete e;
        e = nullptr;
    });
    return *e;
}

// Names of the fields that differ, as one string (the kind of a disagreement).
std::string diff_kind(const std::vector<std::string>& diffs) {
    std::string k;
    for (const auto& d : diffs) k += d.substr(0, d.find(':')) + " ";
    return k;
}

}  // namespace

TEST_CASE("parser diff: BPF xvs_xdp_rx and flow_extract agree on random and truncated packets") {
    Env& e = env();
    REQUIRE(e.tdp->dp().dump_flows().empty());
    (void)read_upcalls(*e.upcalls);

    uint32_t seed = 0x5eed0001;
    if (const char* s = std::getenv("XVS_DIFF_SEED")) seed = static_cast<uint32_t>(std::strtoul(s, nullptr, 0));
    const auto base = base_packets();
    const auto all = corpus(seed, base);
    MESSAGE("seed ", seed, ": ", base.size(), " base packets, ", all.size(), " packets in all");
    REQUIRE(all.size() >= 5000);

    size_t compared = 0, disagreements = 0, upcall_errors = 0, run_errors = 0;
    std::map<std::string, const Sample*> minimal;  // kind -> shortest packet showing it
    std::map<std::string, std::vector<std::string>> minimal_diffs;
    Stats stats(e.tdp->dp());

    for (size_t start = 0; start < all.size(); start += kBatch) {
        const size_t end = std::min(all.size(), start + kBatch);
        std::vector<const Sample*> sent;
        for (size_t i = start; i < end; i++) {
            RunResult r = run_xdp(e.tdp->xdp_rx(), all[i].pkt, e.veth.ifindex);
            if (r.err || r.retval != kXdpDrop) {
                if (run_errors++ < 10)
                    FAIL_CHECK("test run of '", all[i].origin, "' failed: errno ", r.err, " verdict ", r.retval);
                continue;
            }
            sent.push_back(&all[i]);
        }
        auto ups = read_upcalls(*e.upcalls, 1000, sent.size());
        // Anything more would be a stray upcall.
        auto extra = read_upcalls(*e.upcalls, 0);
        CHECK_MESSAGE(extra.empty(), extra.size(), " upcalls more than packets");
        REQUIRE_MESSAGE(ups.size() == sent.size(), "batch at ", start, ": ", ups.size(), " upcalls for ",
                        sent.size(), " misses");
        for (size_t i = 0; i < sent.size(); i++) {
            const Sample& s = *sent[i];
            const auto& u = ups[i];
            const size_t cap = std::min<size_t>(s.pkt.size(), XVS_UPCALL_MAX_PKT);
            bool hdr_ok = u.hdr.type == XVS_UPCALL_MISS && u.hdr.hook == XVS_HOOK_XDP && u.hdr.in_port == kPort &&
                          u.hdr.pkt_len == s.pkt.size() && u.hdr.cap_len == cap && u.packet.size() == cap &&
                          std::equal(u.packet.begin(), u.packet.end(), s.pkt.begin());
            if (!hdr_ok && upcall_errors++ < 10)
                FAIL_CHECK("upcall of '", s.origin, "' does not carry the packet: type ", int(u.hdr.type), " hook ",
                           int(u.hdr.hook), " in_port ", u.hdr.in_port, " pkt_len ", u.hdr.pkt_len, " cap_len ",
                           u.hdr.cap_len);
            xvs::ExtractContext ctx;
            ctx.in_port = kPort;
            const xvs_flow_key ref = xvs::flow_extract(s.pkt, ctx);
            auto diffs = key_diff(u.hdr.key, ref);
            compared++;
            if (diffs.empty()) continue;
            disagreements++;
            std::string kind = diff_kind(diffs);
            if (!minimal.count(kind) || s.pkt.size() < minimal[kind]->pkt.size()) {
                minimal[kind] = &s;
                minimal_diffs[kind] = diffs;
            }
            if (disagreements <= 20) {
                std::string msg;
                for (const auto& d : diffs) msg += "\n  " + d;
                FAIL_CHECK("parsers disagree on '", s.origin, "' (", s.pkt.size(), " bytes; BPF vs reference):",
                           msg, "\npacket:\n", hex(s.pkt));
            }
        }
    }
    for (const auto& [kind, s] : minimal) {
        std::string msg;
        for (const auto& d : minimal_diffs[kind]) msg += "\n  " + d;
        MESSAGE("minimal packet for disagreement [", kind, "]: '", s->origin, "' (", s->pkt.size(), " bytes)",
                msg, "\n", hex(s->pkt));
    }
    MESSAGE(compared, " packets compared, ", disagreements, " disagreements");
    CHECK(disagreements == 0);
    CHECK(compared + run_errors == all.size());

    const StatsDelta d = stats.delta();
    CHECK(d.ctr(XVS_CTR_RX) == all.size());
    CHECK(d.ctr(XVS_CTR_MISS) == all.size());
    CHECK(d.ctr(XVS_CTR_UPCALL) == all.size());
    CHECK(d.ctr(XVS_CTR_HIT) == 0);
    check_drops(d, {});
}

TEST_CASE("parser diff: frames shorter than an Ethernet header") {
    Env& e = env();
    // BPF_PROG_TEST_RUN refuses them (no XDP frame is that short), so only
    // the reference parser's side can be checked: L2_TRUNC and nothing else.
    const Bytes full = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    for (size_t len = 0; len < 14; len++) {
        CAPTURE(len);
        Bytes p(full.begin(), full.begin() + len);
        xvs::ExtractContext ctx;
        ctx.in_port = kPort;
        xvs_flow_key want{};
        want.in_port = kPort;
        want.parse_flags = XVS_PF_L2_TRUNC;
        CHECK(key_diff(xvs::flow_extract(p, ctx), want).empty());
        if (len > 0) {
            RunResult r = run_xdp(e.tdp->xdp_rx(), p, e.veth.ifindex);
            CHECK(r.err == EINVAL);
        }
    }
}
