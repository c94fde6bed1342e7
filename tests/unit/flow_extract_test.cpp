// The reference flow key extractor against docs/DATAPATH.md "Flow key
// extraction", rule by rule, plus the test packet builder's checksums.
#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "compiler/flow_extract.h"
#include "support/key_fields.h"
#include "support/packet.h"

using xvs::ExtractContext;
using xvs::flow_extract;
using xvs::test::Bytes;
using xvs::test::PacketBuilder;

namespace {

constexpr const char* kSrc = "00:00:00:00:00:01";
constexpr const char* kDst = "00:00:00:00:00:02";
constexpr const char* kMacA = "0a:0b:0c:0d:0e:0f";
constexpr const char* kMacB = "f0:e0:d0:c0:b0:a0";

PacketBuilder eth() { return PacketBuilder().eth(kSrc, kDst); }

xvs_flow_key extract(const Bytes& frame, ExtractContext ctx = {}) { return flow_extract(frame, ctx); }

// ---- Describing and comparing keys field by field --------------------------

using xvs::test::field_bytes;
using Field = xvs::test::KeyField;
constexpr auto& kFields = xvs::test::kKeyFields;

bool is_zero(std::span<const uint8_t> b) {
    return std::all_of(b.begin(), b.end(), [](uint8_t x) { return x == 0; });
}

bool same(std::span<const uint8_t> a, std::span<const uint8_t> b) { return std::equal(a.begin(), a.end(), b.begin()); }

// "" if equal, else one line per differing field.
std::string key_diff(const xvs_flow_key& got, const xvs_flow_key& want) {
    std::string out;
    for (const auto& line : xvs::test::key_diff(got, want)) out += line + "\n";
    return out;
}

// Every field of `part` is zero or equal to the same field of `full`;
// parse_flags and the fields named in `except` are not compared.
std::string subset_violations(const xvs_flow_key& part, const xvs_flow_key& full,
                              std::initializer_list<std::string_view> except = {}) {
    std::string out;
    for (const Field& f : kFields) {
        if (std::string_view(f.name) == "parse_flags" ||
            std::find(except.begin(), except.end(), f.name) != except.end())
            continue;
        const auto p = field_bytes(part, f);
        if (!is_zero(p) && !same(p, field_bytes(full, f))) out += std::string(f.name) + " ";
    }
    return out;
}

// ---- Building expected keys -------------------------------------------------

void set_mac(uint8_t* dst, const char* s) {
    const xvs::Mac m = xvs::test::mac(s);
    std::memcpy(dst, m.data(), 6);
}
void set_ip4(__be32& dst, const char* s) {
    const auto a = xvs::test::ip4(s);
    std::memcpy(&dst, a.data(), 4);
}
void set_ip6(__be32* dst, const char* s) {
    const xvs::Ip6 a = xvs::test::ip6(s);
    std::memcpy(dst, a.data(), 16);
}

// The key of an untagged frame from kSrc to kDst with ethertype `type`.
xvs_flow_key key_eth(uint16_t type) {
    xvs_flow_key k{};
    set_mac(k.eth_src, kSrc);
    set_mac(k.eth_dst, kDst);
    k.eth_type = htons(type);
    return k;
}

xvs_flow_key key_ipv4(uint8_t proto, const char* src = "10.0.0.1", const char* dst = "10.0.0.2") {
    xvs_flow_key k = key_eth(0x0800);
    set_ip4(k.nw_src[0], src);
    set_ip4(k.nw_dst[0], dst);
    k.nw_proto = proto;
    k.nw_ttl = 64;
    return k;
}

xvs_flow_key key_ipv6(uint8_t proto, const char* src = "fe80::1", const char* dst = "fe80::2") {
    xvs_flow_key k = key_eth(0x86dd);
    set_ip6(k.nw_src, src);
    set_ip6(k.nw_dst, dst);
    k.nw_proto = proto;
    k.nw_ttl = 64;
    return k;
}

void set_ports(xvs_flow_key& k, uint16_t src, uint16_t dst) {
    k.tp_src = htons(src);
    k.tp_dst = htons(dst);
}

PacketBuilder v4() { return eth().ipv4("10.0.0.1", "10.0.0.2"); }
PacketBuilder v6() { return eth().ipv6("fe80::1", "fe80::2"); }

struct Case {
    const char* name;
    Bytes frame;
    xvs_flow_key want;
};

void check_cases(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        CAPTURE(c.name);
        const std::string diff = key_diff(extract(c.frame), c.want);
        CHECK_MESSAGE(diff.empty(), c.name << "\n" << diff << xvs::test::to_hex(c.frame));
    }
}

// Applies `f` to a copy of `k`: lets table rows state only what differs.
xvs_flow_key with(xvs_flow_key k, const std::function<void(xvs_flow_key&)>& f) {
    f(k);
    return k;
}

}  // namespace

// ---- Context and Ethernet -----------------------------------------------------

TEST_CASE("context fields come from the caller, also for runt frames") {
    const ExtractContext ctx{.in_port = 7, .recirc_id = 99};
    for (const Bytes& frame : {Bytes{}, Bytes(13, 0xff), eth().ipv4("1.1.1.1", "2.2.2.2").udp(1, 2).build()}) {
        const xvs_flow_key k = flow_extract(frame, ctx);
        CHECK(k.in_port == 7);
        CHECK(k.recirc_id == 99);
    }
}

TEST_CASE("ethernet") {
    xvs_flow_key runt{};
    runt.parse_flags = XVS_PF_L2_TRUNC;
    check_cases({
        {"empty", {}, runt},
        {"13 bytes", Bytes(13, 0xab), runt},
        {"bare header", eth().eth_type(0x1234).build(), key_eth(0x1234)},
        {"type 0x0600 is a type", eth().eth_type(0x0600).payload(20).build(), key_eth(0x0600)},
        {"unknown type with payload", eth().eth_type(0x88cc).payload(50).build(), key_eth(0x88cc)},
    });
}

// ---- VLAN -----------------------------------------------------------------------

TEST_CASE("vlan tags") {
    const auto tagged = [](uint16_t tpid, uint16_t tci, uint16_t type) {
        xvs_flow_key k = key_eth(type);
        k.vlan_tpid = htons(tpid);
        k.vlan_tci = htons(tci);
        return k;
    };
    const auto udp = [](xvs_flow_key& k) {
        set_ip4(k.nw_src[0], "10.0.0.1");
        set_ip4(k.nw_dst[0], "10.0.0.2");
        k.nw_proto = 17;
        k.nw_ttl = 64;
        set_ports(k, 1, 2);
    };
    const auto two = [&](uint16_t tpid1, uint16_t tpid2, uint16_t type) {
        xvs_flow_key k = tagged(tpid1, 0x1000 | 100, type);
        k.cvlan_tpid = htons(tpid2);
        k.cvlan_tci = htons(0x1000 | 5 << 13 | 200);
        return k;
    };
    check_cases({
        {"none", v4().udp(1, 2).build(), with(key_eth(0x0800), udp)},
        {"one 8100", eth().vlan(10, 3).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
         with(tagged(0x8100, 0x1000 | 3 << 13 | 10, 0x0800), udp)},
        {"one 88a8", eth().vlan(4095, 7, 0x88a8).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
         with(tagged(0x88a8, 0xffff, 0x0800), udp)},
        {"tci 0 still present", eth().vlan(0, 0).eth_type(0x1234).build(), tagged(0x8100, 0x1000, 0x1234)},
        {"DEI set in frame", eth().vlan(10, 0, 0x8100, true).eth_type(0x1234).build(),
         tagged(0x8100, 0x100a, 0x1234)},
        {"two 88a8+8100", eth().vlan(100, 0, 0x88a8).vlan(200, 5).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
         with(two(0x88a8, 0x8100, 0x0800), udp)},
        {"two 8100+8100", eth().vlan(100).vlan(200, 5).eth_type(0x9000).build(), two(0x8100, 0x8100, 0x9000)},
        {"two 8100+88a8", eth().vlan(100).vlan(200, 5, 0x88a8).eth_type(0x9000).build(),
         two(0x8100, 0x88a8, 0x9000)},
        {"three: extra, stop", eth().vlan(100, 0, 0x88a8).vlan(200, 5).vlan(300).ipv4("1.1.1.1", "2.2.2.2").build(),
         with(two(0x88a8, 0x8100, 0x8100), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_EXTRA; })},
        {"three, third 88a8", eth().vlan(100).vlan(200, 5).vlan(300, 0, 0x88a8).build(),
         with(two(0x8100, 0x8100, 0x88a8), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_EXTRA; })},
        {"extra TPID at end of frame needs no bytes", eth().vlan(100).vlan(200, 5).eth_type(0x8100).build(),
         with(two(0x8100, 0x8100, 0x8100), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_EXTRA; })},
        {"first tag truncated", eth().eth_type(0x8100).payload(3).build(),
         with(key_eth(0), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_TRUNC; })},
        {"first tag missing", eth().eth_type(0x88a8).build(),
         with(key_eth(0), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_TRUNC; })},
        {"second tag truncated keeps the first", eth().vlan(100).eth_type(0x8100).payload(2).build(),
         with(tagged(0x8100, 0x1000 | 100, 0), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_VLAN_TRUNC; })},
    });
}

// ---- 802.3 ------------------------------------------------------------------------

TEST_CASE("802.3 length frames") {
    const auto snap_udp = with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 1, 2); });
    check_cases({
        {"LLC without SNAP", eth().llc().payload(40).build(), key_eth(0x05ff)},
        {"length with nothing after it", eth().eth_type(0x0010).build(), key_eth(0x05ff)},
        {"SNAP OUI 0 carries IPv4", eth().snap().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(), snap_udp},
        {"SNAP with non-zero OUI", eth().snap(0x00000c).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
         key_eth(0x05ff)},
        {"SNAP cut to 7 bytes", [] {
             Bytes b = eth().snap().ipv4("10.0.0.1", "10.0.0.2").build();
             b.resize(14 + 7);
             return b;
         }(), key_eth(0x05ff)},
        {"SNAP type is taken as is, even a TPID", eth().snap().next_type(0x8100).payload(8).build(),
         key_eth(0x8100)},
        {"SNAP behind a VLAN tag", eth().vlan(7).snap().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build(),
         with(snap_udp, [](xvs_flow_key& k) {
             k.vlan_tpid = htons(0x8100);
             k.vlan_tci = htons(0x1007);
         })},
        {"SNAP type ARP", eth().snap().arp(1, kMacA, "1.1.1.1", kMacB, "2.2.2.2").build(),
         with(key_eth(0x0806), [](xvs_flow_key& k) {
             k.nw_proto = 1;
             set_ip4(k.nw_src[0], "1.1.1.1");
             set_ip4(k.nw_dst[0], "2.2.2.2");
             set_mac(k.arp_sha, kMacA);
             set_mac(k.arp_tha, kMacB);
         })},
    });
    // The 802.3 length field really is a length.
    const Bytes llc = eth().llc().payload(40).build();
    CHECK(xvs::test::get16(llc, 12) == 43);
}

TEST_CASE("802.3 LLC with DSAP/SSAP aa but not UI") {
    Bytes b = eth().snap().ipv4("10.0.0.1", "10.0.0.2").build();
    b[16] = 0x13;  // control byte
    check_cases({{"aa aa 13", b, key_eth(0x05ff)}});
}

// ---- ARP --------------------------------------------------------------------------

TEST_CASE("arp and rarp") {
    const auto arp_key = [](uint16_t type, uint8_t op) {
        xvs_flow_key k = key_eth(type);
        k.nw_proto = op;
        set_ip4(k.nw_src[0], "10.1.1.1");
        set_ip4(k.nw_dst[0], "10.1.1.2");
        set_mac(k.arp_sha, kMacA);
        set_mac(k.arp_tha, kMacB);
        return k;
    };
    const auto arp = [](uint16_t op) { return eth().arp(op, kMacA, "10.1.1.1", kMacB, "10.1.1.2"); };
    const auto trunc = [](Bytes b, size_t n) {
        b.resize(n);
        return b;
    };
    check_cases({
        {"request", arp(1).build(), arp_key(0x0806, 1)},
        {"reply", arp(2).build(), arp_key(0x0806, 2)},
        {"reply padded to 60", arp(2).pad_to(60).build(), arp_key(0x0806, 2)},
        {"rarp", arp(3).rarp().build(), arp_key(0x8035, 3)},
        {"opcode 255", arp(255).build(), arp_key(0x0806, 255)},
        {"opcode 256 gives 0", arp(256).build(), arp_key(0x0806, 0)},
        {"opcode 0x0101 gives 0", arp(0x0101).build(), arp_key(0x0806, 0)},
        {"htype 6", arp(1).arp_format(6, 0x0800, 6, 4).build(), key_eth(0x0806)},
        {"ptype 0x86dd", arp(1).arp_format(1, 0x86dd, 6, 4).build(), key_eth(0x0806)},
        {"hlen 8", arp(1).arp_format(1, 0x0800, 8, 4).build(), key_eth(0x0806)},
        {"plen 16", arp(1).arp_format(1, 0x0800, 6, 16).build(), key_eth(0x0806)},
        {"rarp with wrong htype", arp(3).rarp().arp_format(0, 0x0800, 6, 4).build(), key_eth(0x8035)},
        {"27 bytes", trunc(arp(1).build(), 14 + 27),
         with(key_eth(0x0806), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_L3_TRUNC; })},
        {"empty ARP", trunc(arp(1).build(), 14),
         with(key_eth(0x0806), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_L3_TRUNC; })},
        // ARP has no transport: opcode 6 must not send the parser into TCP.
        {"opcode 6, padding is not TCP", arp(6).payload(40).build(), arp_key(0x0806, 6)},
    });
}

// ---- IPv4 -------------------------------------------------------------------------

TEST_CASE("ipv4") {
    const auto tcp = [](uint16_t flags) {
        return [flags](xvs_flow_key& k) {
            set_ports(k, 1234, 80);
            k.tcp_flags = htons(flags);
        };
    };
    const auto trunc = [](Bytes b, size_t n) {
        b.resize(n);
        return b;
    };
    const auto flags = [](uint16_t f) { return [f](xvs_flow_key& k) { k.parse_flags = f; }; };
    check_cases({
        {"tcp", v4().tcp(1234, 80, 0x02).build(), with(key_ipv4(6), tcp(0x02))},
        {"tos and ttl", v4().tos(0xb9).ttl(3).tcp(1234, 80, 0x10).payload(10).build(),
         with(key_ipv4(6), [&](xvs_flow_key& k) {
             tcp(0x10)(k);
             k.nw_tos = 0xb9;
             k.nw_ttl = 3;
         })},
        {"options (IHL 6)", v4().ipv4_options({0x94, 0x04, 0, 0}).tcp(1234, 80, 0x02).build(),
         with(key_ipv4(6), tcp(0x02))},
        {"options (IHL 15)", v4().ipv4_options(Bytes(40, 1)).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"first fragment (MF)", v4().frag(0, true).udp(7, 8).build(), with(key_ipv4(17), [](xvs_flow_key& k) {
             set_ports(k, 7, 8);
             k.nw_frag = XVS_FRAG_ANY;
         })},
        {"DF is not a fragment", v4().frag(0, false, true).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"middle fragment", v4().frag(185, true).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { k.nw_frag = XVS_FRAG_ANY | XVS_FRAG_LATER; })},
        {"last fragment", v4().frag(1, false).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { k.nw_frag = XVS_FRAG_ANY | XVS_FRAG_LATER; })},
        {"version 6 in 0x0800", v4().ipv4_version(6).udp(7, 8).build(), with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"version 0", v4().ipv4_version(0).udp(7, 8).build(), with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"IHL 4", v4().ipv4_ihl(4).udp(7, 8).build(), with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"IHL 0", v4().ipv4_ihl(0).udp(7, 8).build(), with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"total length 19", v4().ipv4_total_length(19).udp(7, 8).build(),
         with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"total length below IHL*4", v4().ipv4_options({1, 1, 1, 1}).ipv4_total_length(23).udp(7, 8).build(),
         with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"total length = IHL*4 is fine", v4().ipv4_total_length(20).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"total length beyond the frame is fine", v4().ipv4_total_length(1500).udp(7, 8).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"19 bytes", trunc(v4().udp(7, 8).build(), 14 + 19), with(key_eth(0x0800), flags(XVS_PF_L3_TRUNC))},
        {"IHL 15 but 40 bytes", trunc(v4().ipv4_options(Bytes(40, 1)).build(), 14 + 40),
         with(key_eth(0x0800), flags(XVS_PF_L3_TRUNC))},
        {"bad version wins over truncated options", trunc(v4().ipv4_options(Bytes(40, 1)).ipv4_version(5).build(), 34),
         with(key_eth(0x0800), flags(XVS_PF_L3_BAD))},
        {"ethernet padding not trimmed", v4().udp(7, 8).pad_to(60).build(),
         with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"L4 found by IHL, not total length", [] {
             // Total length says 20: the UDP header lies in "padding".
             return v4().ipv4_total_length(20).udp(7, 8).build();
         }(), with(key_ipv4(17), [](xvs_flow_key& k) { set_ports(k, 7, 8); })},
        {"unknown protocol", v4().next_type(47).payload(30).build(), key_ipv4(47)},
        {"ICMPv6 over IPv4 is not parsed", v4().next_type(58).payload(30).build(), key_ipv4(58)},
    });
}

// ---- IPv6 -------------------------------------------------------------------------

TEST_CASE("ipv6 header") {
    const auto trunc = [](Bytes b, size_t n) {
        b.resize(n);
        return b;
    };
    check_cases({
        {"udp, tclass, label, hop limit",
         eth().ipv6("2001:db8::1", "2001:db8::ff").tos(0xe3).flow_label(0xabcde).ttl(9).udp(53, 5353).build(),
         with(key_ipv6(17, "2001:db8::1", "2001:db8::ff"), [](xvs_flow_key& k) {
             k.nw_tos = 0xe3;
             k.ipv6_label = htonl(0xabcde);
             k.nw_ttl = 9;
             set_ports(k, 53, 5353);
         })},
        {"version 4 in 0x86dd", v6().ipv6_version(4).udp(1, 2).build(),
         with(key_eth(0x86dd), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_L3_BAD; })},
        {"39 bytes", trunc(v6().udp(1, 2).build(), 14 + 39),
         with(key_eth(0x86dd), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_L3_TRUNC; })},
        {"no next header", v6().build(), key_ipv6(59)},
        {"payload length is ignored", [] {
             Bytes b = v6().udp(1, 2).build();
             b[14 + 4] = b[14 + 5] = 0;
             return b;
         }(), with(key_ipv6(17), [](xvs_flow_key& k) { set_ports(k, 1, 2); })},
        {"ICMP (1) over IPv6 is not parsed", v6().next_type(1).payload(8).build(), key_ipv6(1)},
    });
}

TEST_CASE("ipv6 extension headers") {
    const auto udp = [](xvs_flow_key& k) { set_ports(k, 1, 2); };
    const auto frag = [](uint8_t bits, bool ports) {
        return [=](xvs_flow_key& k) {
            k.nw_frag = bits;
            if (ports) set_ports(k, 1, 2);
        };
    };
    const auto trunc_by = [](PacketBuilder b, size_t cut) {
        Bytes f = b.build();
        f.resize(f.size() - cut);
        return f;
    };
    const auto ext_trunc = [](uint8_t frag_bits) {
        return with(key_ipv6(0), [=](xvs_flow_key& k) {
            k.parse_flags = XVS_PF_EXT_TRUNC;
            k.nw_frag = frag_bits;
        });
    };
    check_cases({
        {"hop-by-hop", v6().ipv6_hop_by_hop().udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"hop-by-hop 24 bytes", v6().ipv6_hop_by_hop(2).udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"routing", v6().ipv6_routing(2).udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"destination options", v6().ipv6_dest_opts(1).udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"AH", v6().ipv6_ah().udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"AH minimal (12 bytes)", v6().ipv6_ah(1).udp(1, 2).build(), with(key_ipv6(17), udp)},
        {"all kinds", v6().ipv6_hop_by_hop().ipv6_dest_opts().ipv6_routing().ipv6_fragment(0, true).ipv6_ah()
                          .ipv6_dest_opts().udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY, true))},
        {"first fragment", v6().ipv6_fragment(0, true).udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY, true))},
        {"atomic fragment", v6().ipv6_fragment(0, false).udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY, true))},
        {"later fragment", v6().ipv6_fragment(100, true).udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY | XVS_FRAG_LATER, false))},
        {"last fragment", v6().ipv6_fragment(1, false).udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY | XVS_FRAG_LATER, false))},
        {"later fragment: chain walked on", v6().ipv6_fragment(1, false).ipv6_dest_opts().udp(1, 2).build(),
         with(key_ipv6(17), frag(XVS_FRAG_ANY | XVS_FRAG_LATER, false))},
        {"unknown next header ends chain", v6().ipv6_hop_by_hop().next_type(99).payload(20).build(), key_ipv6(99)},
        // Truncation inside the chain.
        {"hop-by-hop: 1 byte", trunc_by(v6().ipv6_hop_by_hop(), 7), ext_trunc(0)},
        {"hop-by-hop: 2 bytes of 8", trunc_by(v6().ipv6_hop_by_hop(), 6), ext_trunc(0)},
        {"hop-by-hop: 7 of 8", trunc_by(v6().ipv6_hop_by_hop(), 1), ext_trunc(0)},
        {"hop-by-hop: 16 of 24", trunc_by(v6().ipv6_hop_by_hop(2), 8), ext_trunc(0)},
        {"routing: 1 short", trunc_by(v6().ipv6_routing(1), 1), ext_trunc(0)},
        {"dest opts: missing", trunc_by(v6().ipv6_dest_opts(), 8), ext_trunc(0)},
        {"AH: 1 byte", trunc_by(v6().ipv6_ah(), 23), ext_trunc(0)},
        {"AH: 1 short", trunc_by(v6().ipv6_ah(), 1), ext_trunc(0)},
        {"fragment: 7 bytes", trunc_by(v6().ipv6_fragment(0, true), 1), ext_trunc(0)},
        {"fragment then truncated dest opts keeps frag bits",
         trunc_by(v6().ipv6_fragment(0, true).ipv6_dest_opts(), 1), ext_trunc(XVS_FRAG_ANY)},
        {"later fragment then truncated ext", trunc_by(v6().ipv6_fragment(3, false).ipv6_dest_opts(), 4),
         ext_trunc(XVS_FRAG_ANY | XVS_FRAG_LATER)},
        {"transport truncated after chain", trunc_by(v6().ipv6_hop_by_hop().udp(1, 2), 1),
         with(key_ipv6(17), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_L4_TRUNC; })},
    });
}

TEST_CASE("ipv6 extension header limit") {
    const auto chain = [](int n) {
        PacketBuilder b = v6();
        for (int i = 0; i < n; i++) b.ipv6_dest_opts();
        return b;
    };
    const auto limit = [](uint8_t proto) {
        return with(key_ipv6(proto), [](xvs_flow_key& k) { k.parse_flags = XVS_PF_EXT_LIMIT; });
    };
    PacketBuilder nine_mixed = v6();
    nine_mixed.ipv6_hop_by_hop().ipv6_routing().ipv6_dest_opts().ipv6_ah().ipv6_dest_opts().ipv6_routing()
        .ipv6_ah().ipv6_dest_opts().ipv6_fragment(0, true).udp(1, 2);
    Bytes eight_then_cut = chain(8).next_type(0).build();  // 9th announced, absent
    check_cases({
        {"8 headers then UDP", chain(8).udp(1, 2).build(),
         with(key_ipv6(17), [](xvs_flow_key& k) { set_ports(k, 1, 2); })},
        {"8 headers then no next header", chain(8).build(), key_ipv6(59)},
        {"9 headers", chain(9).udp(1, 2).build(), limit(60)},
        {"9 headers, 9th a fragment", nine_mixed.build(), limit(44)},
        {"20 headers", chain(20).udp(1, 2).build(), limit(60)},
        {"9th announced but absent", eight_then_cut, limit(0)},
    });
}

// ---- Transport ------------------------------------------------------------------

TEST_CASE("tcp") {
    const auto trunc_by = [](PacketBuilder b, size_t cut) {
        Bytes f = b.build();
        f.resize(f.size() - cut);
        return f;
    };
    const auto ports = [](uint16_t flags) {
        return [flags](xvs_flow_key& k) {
            set_ports(k, 1234, 80);
            k.tcp_flags = htons(flags);
        };
    };
    const auto pf = [](uint16_t f) { return [f](xvs_flow_key& k) { k.parse_flags = f; }; };
    check_cases({
        {"SYN", v4().tcp(1234, 80, 0x002).build(), with(key_ipv4(6), ports(0x002))},
        {"SYN|ACK", v4().tcp(1234, 80, 0x012).build(), with(key_ipv4(6), ports(0x012))},
        {"all 12 flag bits", v4().tcp(1234, 80, 0xfff).build(), with(key_ipv4(6), ports(0xfff))},
        {"NS|CWR|ECE", v4().tcp(1234, 80, 0x1c0).build(), with(key_ipv4(6), ports(0x1c0))},
        {"with options", v4().tcp(1234, 80, 0x010).tcp_options({2, 4, 5, 0xb4, 1, 1}).payload(9).build(),
         with(key_ipv4(6), ports(0x010))},
        {"data offset 15, header only 20 bytes", v4().tcp(1234, 80, 0x001).tcp_doff(15).build(),
         with(key_ipv4(6), ports(0x001))},
        {"data offset 4", v4().tcp(1234, 80, 0x002).tcp_doff(4).build(), with(key_ipv4(6), pf(XVS_PF_L4_BAD))},
        {"data offset 0", v4().tcp(1234, 80, 0x002).tcp_doff(0).build(), with(key_ipv4(6), pf(XVS_PF_L4_BAD))},
        {"19 bytes", trunc_by(v4().tcp(1234, 80, 2), 1), with(key_ipv4(6), pf(XVS_PF_L4_TRUNC))},
        {"19 bytes with bad offset", trunc_by(v4().tcp(1234, 80, 2).tcp_doff(1), 1),
         with(key_ipv4(6), pf(XVS_PF_L4_TRUNC))},
        {"over IPv6", v6().tcp(1234, 80, 0x018).build(), with(key_ipv6(6), ports(0x018))},
        {"IPv4 first fragment", v4().frag(0, true).tcp(1234, 80, 0x018).build(),
         with(key_ipv4(6), [&](xvs_flow_key& k) {
             ports(0x018)(k);
             k.nw_frag = XVS_FRAG_ANY;
         })},
    });
}

TEST_CASE("udp and sctp") {
    const auto trunc_by = [](PacketBuilder b, size_t cut) {
        Bytes f = b.build();
        f.resize(f.size() - cut);
        return f;
    };
    const auto ports = [](uint16_t s, uint16_t d) { return [=](xvs_flow_key& k) { set_ports(k, s, d); }; };
    const auto pf = [](uint16_t f) { return [f](xvs_flow_key& k) { k.parse_flags = f; }; };
    check_cases({
        {"udp", v4().udp(68, 67).payload(100).build(), with(key_ipv4(17), ports(68, 67))},
        {"udp 8 bytes exactly", v4().udp(68, 67).build(), with(key_ipv4(17), ports(68, 67))},
        {"udp 7 bytes", trunc_by(v4().udp(68, 67), 1), with(key_ipv4(17), pf(XVS_PF_L4_TRUNC))},
        {"udp 0 bytes", trunc_by(v4().udp(68, 67), 8), with(key_ipv4(17), pf(XVS_PF_L4_TRUNC))},
        {"udp over ipv6", v6().udp(546, 547).build(), with(key_ipv6(17), ports(546, 547))},
        {"sctp", v4().sctp(2905, 2906).payload(16).build(), with(key_ipv4(132), ports(2905, 2906))},
        {"sctp 12 bytes exactly", v6().sctp(2905, 2906).build(), with(key_ipv6(132), ports(2905, 2906))},
        {"sctp 11 bytes", trunc_by(v4().sctp(1, 2), 1), with(key_ipv4(132), pf(XVS_PF_L4_TRUNC))},
    });
}

TEST_CASE("icmp and icmpv6") {
    const auto trunc_by = [](PacketBuilder b, size_t cut) {
        Bytes f = b.build();
        f.resize(f.size() - cut);
        return f;
    };
    const auto tc = [](uint8_t t, uint8_t c) { return [=](xvs_flow_key& k) { set_ports(k, t, c); }; };
    const auto pf = [](uint16_t f) { return [f](xvs_flow_key& k) { k.parse_flags = f; }; };
    check_cases({
        {"echo request", v4().icmp(8, 0).payload(56).build(), with(key_ipv4(1), tc(8, 0))},
        {"unreachable", v4().icmp(3, 13).build(), with(key_ipv4(1), tc(3, 13))},
        {"type/code 255", v4().icmp(255, 255).build(), with(key_ipv4(1), tc(255, 255))},
        {"icmp 4 bytes", trunc_by(v4().icmp(8, 0), 4), with(key_ipv4(1), tc(8, 0))},
        {"icmp 3 bytes", trunc_by(v4().icmp(8, 0), 5), with(key_ipv4(1), pf(XVS_PF_L4_TRUNC))},
        {"icmpv6 echo", v6().icmpv6(128, 0).payload(8).build(), with(key_ipv6(58), tc(128, 0))},
        {"icmpv6 router solicitation", v6().icmpv6(133, 0).nd_sll(kMacA).build(), with(key_ipv6(58), tc(133, 0))},
        {"icmpv6 3 bytes", trunc_by(v6().icmpv6(1, 4), 5), with(key_ipv6(58), pf(XVS_PF_L4_TRUNC))},
        {"icmpv6 after extension headers", v6().ipv6_hop_by_hop().ipv6_dest_opts().icmpv6(129, 0).build(),
         with(key_ipv6(58), tc(129, 0))},
    });
}

TEST_CASE("neighbor discovery") {
    const auto trunc_by = [](PacketBuilder b, size_t cut) {
        Bytes f = b.build();
        f.resize(f.size() - cut);
        return f;
    };
    const char* target = "2001:db8::42";
    const auto nd = [&](uint8_t type, uint16_t flags = 0) {
        return with(key_ipv6(58), [=](xvs_flow_key& k) {
            set_ports(k, type, 0);
            set_ip6(k.nd_target, target);
            k.parse_flags = flags;
        });
    };
    const auto sha = [](xvs_flow_key k, const char* m) {
        set_mac(k.arp_sha, m);
        return k;
    };
    const auto tha = [](xvs_flow_key k, const char* m) {
        set_mac(k.arp_tha, m);
        return k;
    };
    const auto ns = [&] { return v6().nd_ns(target); };
    const auto na = [&] { return v6().nd_na(target); };
    const Bytes unknown_opt{0, 0, 0, 0, 0, 0};  // body of an 8-byte option
    check_cases({
        {"NS, no options", ns().build(), nd(135)},
        {"NA, no options", na().build(), nd(136)},
        {"NS with SLL", ns().nd_sll(kMacA).build(), sha(nd(135), kMacA)},
        {"NA with TLL", na().nd_tll(kMacB).build(), tha(nd(136), kMacB)},
        {"NS with TLL: skipped", ns().nd_tll(kMacB).build(), nd(135)},
        {"NA with SLL: skipped", na().nd_sll(kMacA).build(), nd(136)},
        {"NS, SLL of length 2: skipped", ns().nd_option(1, Bytes(14, 0xee)).build(), nd(135)},
        {"NS, first SLL wins", ns().nd_sll(kMacA).nd_sll(kMacB).build(), sha(nd(135), kMacA)},
        {"NA, first TLL wins", na().nd_tll(kMacB).nd_tll(kMacA).build(), tha(nd(136), kMacB)},
        {"NS, other options before SLL", ns().nd_option(14, unknown_opt).nd_tll(kMacB).nd_sll(kMacA).build(),
         sha(nd(135), kMacA)},
        {"NS, SLL as 4th option", ns().nd_option(14, unknown_opt).nd_option(14, unknown_opt)
                                        .nd_option(14, unknown_opt).nd_sll(kMacA).build(),
         sha(nd(135), kMacA)},
        {"NS, SLL as 5th option: not examined", ns().nd_option(14, unknown_opt).nd_option(14, unknown_opt)
                                                    .nd_option(14, unknown_opt).nd_option(14, unknown_opt)
                                                    .nd_sll(kMacA).build(),
         nd(135)},
        {"NS, bad 5th option: not examined", ns().nd_option(14, unknown_opt).nd_option(14, unknown_opt)
                                                 .nd_option(14, unknown_opt).nd_option(14, unknown_opt)
                                                 .nd_option_raw({1, 0}).build(),
         nd(135)},
        {"NS, option length 0", ns().nd_option_raw({1, 0, 1, 2, 3, 4, 5, 6}).build(), nd(135, XVS_PF_ND_BAD)},
        {"NS, length 0 after SLL keeps it", ns().nd_sll(kMacA).nd_option_raw({3, 0}).build(),
         sha(nd(135, XVS_PF_ND_BAD), kMacA)},
        {"NA, option cut short", trunc_by(na().nd_tll(kMacB), 1), nd(136, XVS_PF_ND_BAD)},
        {"NA, option of length 2 with 8 bytes", na().nd_option_raw({2, 2, 1, 2, 3, 4, 5, 6}).build(),
         nd(136, XVS_PF_ND_BAD)},
        {"NS, one stray byte", ns().nd_option_raw({1}).build(), nd(135, XVS_PF_ND_BAD)},
        {"NS, SLL then stray byte", ns().nd_sll(kMacA).nd_option_raw({7}).build(), sha(nd(135, XVS_PF_ND_BAD), kMacA)},
        {"NS 23 bytes: type and code stay", trunc_by(ns(), 1), with(key_ipv6(58), [](xvs_flow_key& k) {
             set_ports(k, 135, 0);
             k.parse_flags = XVS_PF_L4_TRUNC;
         })},
        {"NS code 1: no ND parsing", v6().icmpv6(135, 1).nd_option_raw(Bytes(16, 0x20)).nd_sll(kMacA).build(),
         with(key_ipv6(58), [](xvs_flow_key& k) { set_ports(k, 135, 1); })},
        {"NS over a later fragment: no L4", v6().ipv6_fragment(5, false).nd_ns(target).build(),
         with(key_ipv6(58), [](xvs_flow_key& k) { k.nw_frag = XVS_FRAG_ANY | XVS_FRAG_LATER; })},
    });
}

// ---- Truncation at every length ---------------------------------------------------

namespace {

// Extracts every prefix of `full_frame` (as an exact-size heap copy, so that
// ASan sees any read past its end) and checks that parse_flags is
// `want_flags(len)` and that every filled field agrees with the full frame's.
void check_every_prefix(const Bytes& full_frame, const std::function<uint16_t(size_t)>& want_flags,
                        std::initializer_list<std::string_view> not_subset = {}) {
    const xvs_flow_key full = extract(full_frame);
    REQUIRE(full.parse_flags == 0);
    for (size_t len = 0; len <= full_frame.size(); len++) {
        CAPTURE(len);
        const auto copy = std::make_unique<uint8_t[]>(len);
        std::copy_n(full_frame.begin(), len, copy.get());
        const xvs_flow_key k = flow_extract(std::span<const uint8_t>(copy.get(), len), {});
        CHECK(k.parse_flags == want_flags(len));
        CHECK(subset_violations(k, full, not_subset) == "");
    }
}

// A prefix shorter than a boundary's `need` gets that boundary's flag (the
// first such boundary); prefixes past all of them get 0.
struct Boundary {
    size_t need;
    uint16_t flag;
};

std::function<uint16_t(size_t)> by_boundaries(std::vector<Boundary> bounds) {
    return [bounds](size_t len) -> uint16_t {
        for (const Boundary& b : bounds)
            if (len < b.need) return b.flag;
        return 0;
    };
}

}  // namespace

TEST_CASE("every prefix: vlan ipv4 with options, tcp") {
    const Bytes f = eth().vlan(5, 1).ipv4("10.0.0.1", "10.0.0.2").ipv4_options({1, 1, 1, 0}).tcp(1, 2, 0x18)
                        .payload(10).build();
    check_every_prefix(f, by_boundaries({{14, XVS_PF_L2_TRUNC},
                                         {18, XVS_PF_VLAN_TRUNC},
                                         {42, XVS_PF_L3_TRUNC},
                                         {62, XVS_PF_L4_TRUNC}}));
}

TEST_CASE("every prefix: qinq arp") {
    const Bytes f = eth().vlan(5, 1, 0x88a8).vlan(6).arp(1, kMacA, "1.2.3.4", kMacB, "5.6.7.8").build();
    check_every_prefix(f, by_boundaries({{14, XVS_PF_L2_TRUNC},
                                         {18, XVS_PF_VLAN_TRUNC},
                                         {22, XVS_PF_VLAN_TRUNC},
                                         {50, XVS_PF_L3_TRUNC}}));
}

TEST_CASE("every prefix: ipv6 extension headers, udp") {
    const Bytes f = eth().ipv6("2001:db8::1", "2001:db8::2").ipv6_hop_by_hop().ipv6_fragment(0, true).ipv6_ah(1)
                        .udp(1, 2).payload(3).build();
    // 14 + 40 = 54; hop-by-hop 8 (2 bytes first), fragment 8, AH 12 (2 first), UDP 8.
    check_every_prefix(f, by_boundaries({{14, XVS_PF_L2_TRUNC},
                                         {54, XVS_PF_L3_TRUNC},
                                         {62, XVS_PF_EXT_TRUNC},
                                         {70, XVS_PF_EXT_TRUNC},
                                         {82, XVS_PF_EXT_TRUNC},
                                         {90, XVS_PF_L4_TRUNC}}));
}

TEST_CASE("every prefix: neighbor solicitation with options") {
    const Bytes f = eth().ipv6("fe80::1", "ff02::1:ff00:42").nd_ns("fe80::42").nd_option(14, Bytes(6, 9))
                        .nd_sll(kMacA).build();
    // ICMPv6 at 54: 4 bytes, then 24; options at 78 and 86, 8 bytes each. A
    // prefix ending exactly at an option boundary simply has fewer options.
    const auto head = by_boundaries({{14, XVS_PF_L2_TRUNC}, {54, XVS_PF_L3_TRUNC}, {78, XVS_PF_L4_TRUNC}});
    check_every_prefix(f, [&](size_t len) -> uint16_t {
        if (len < 78) return head(len);
        return (len - 78) % 8 == 0 ? 0 : XVS_PF_ND_BAD;
    });
}

TEST_CASE("every prefix: 802.3 snap ipv4 udp") {
    const Bytes f = eth().snap().ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    // Inside the SNAP header the frame is "not SNAP": eth_type 0x05ff, no flag.
    check_every_prefix(f, by_boundaries({{14, XVS_PF_L2_TRUNC}, {22, 0}, {42, XVS_PF_L3_TRUNC}, {50, XVS_PF_L4_TRUNC}}),
                       {"eth_type"});
    for (size_t len = 14; len < 22; len++)
        CHECK(extract(Bytes(f.begin(), f.begin() + static_cast<std::ptrdiff_t>(len))).eth_type == htons(0x05ff));
}

// ---- Robustness -----------------------------------------------------------------------

TEST_CASE("random and mutated frames never misbehave") {
    constexpr uint16_t kAllFlags = XVS_PF_VLAN_TRUNC | XVS_PF_L3_TRUNC | XVS_PF_L3_BAD | XVS_PF_L4_TRUNC |
                                   XVS_PF_L4_BAD | XVS_PF_EXT_TRUNC | XVS_PF_EXT_LIMIT | XVS_PF_ND_BAD |
                                   XVS_PF_VLAN_EXTRA | XVS_PF_L2_TRUNC;
    const std::vector<Bytes> seeds = {
        eth().vlan(1).ipv4("1.1.1.1", "2.2.2.2").ipv4_options({1, 1, 1, 1}).tcp(1, 2, 3).payload(20).build(),
        eth().ipv6("::1", "::2").ipv6_hop_by_hop().ipv6_fragment(0, true).ipv6_ah().udp(1, 2).build(),
        eth().ipv6("::1", "::2").nd_na("::3").nd_tll(kMacA).nd_option(9, Bytes(20, 1)).build(),
        eth().snap().arp(1, kMacA, "1.1.1.1", kMacB, "2.2.2.2").build(),
        eth().vlan(1, 0, 0x88a8).vlan(2).ipv4("1.1.1.1", "2.2.2.2").sctp(1, 2).build(),
    };
    std::mt19937 rng(12345);
    size_t n = 0;
    for (int iter = 0; iter < 20000; iter++) {
        Bytes f;
        if (iter % 4 == 0) {
            f.resize(rng() % 200);
            for (auto& b : f) b = static_cast<uint8_t>(rng());
        } else {
            f = seeds[rng() % seeds.size()];
            for (int m = 1 + rng() % 4; m > 0; m--) f[rng() % f.size()] = static_cast<uint8_t>(rng());
            f.resize(rng() % (f.size() + 1));
        }
        // An exact-size heap copy, so ASan sees any read past the end.
        const auto copy = std::make_unique<uint8_t[]>(f.size());
        std::copy(f.begin(), f.end(), copy.get());
        const xvs_flow_key k = flow_extract(std::span<const uint8_t>(copy.get(), f.size()), {});
        CHECK((k.parse_flags & ~kAllFlags) == 0);
        CHECK((k.nw_frag & ~(XVS_FRAG_ANY | XVS_FRAG_LATER)) == 0);
        CHECK(k.pad0 == 0);
        CHECK(k.pad1 == 0);
        n++;
    }
    CHECK(n == 20000);
}

// ---- The packet builder -------------------------------------------------------------

TEST_CASE("builder: IPv4 header checksum of a known header") {
    // 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7: the
    // example from Wikipedia's "Internet checksum" article.
    const Bytes f = eth().ipv4("192.168.0.1", "192.168.0.199").frag(0, false, true).udp(1, 2).payload(115 - 28)
                        .build();
    const Bytes want{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                     0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    CHECK(xvs::test::to_hex(std::span<const uint8_t>(f).subspan(14, 20)) == xvs::test::to_hex(want));
    CHECK(xvs::test::ipv4_header_checksum_ok(f));
}

TEST_CASE("builder: transport checksums against hand-computed values") {
    using xvs::test::get16;
    // UDP 1234 -> 80 from 10.0.0.1 to 10.0.0.2, payload 00 01. Sum of
    // pseudo-header 0a00+0001+0a00+0002+0011+000a and UDP
    // 04d2+0050+000a+0000+0001 = 0x194b; complement 0xe6b4.
    const Bytes udp = eth().ipv4("10.0.0.1", "10.0.0.2").udp(1234, 80).payload(2).build();
    CHECK(get16(udp, 34 + 6) == 0xe6b4);
    CHECK(get16(udp, 34 + 4) == 10);
    CHECK(get16(udp, 14 + 2) == 30);

    // TCP SYN 1234 -> 80, seq 1, window ffff: pseudo 0x1403 + 6 + 20 =
    // 0x141d; header 04d2+0050+0000+0001+5002+ffff = 0x15524; total 0x16941
    // folds to 0x6942; complement 0x96bd.
    const Bytes tcp = eth().ipv4("10.0.0.1", "10.0.0.2").tcp(1234, 80, 0x02).build();
    CHECK(get16(tcp, 34 + 16) == 0x96bd);

    // ICMP echo 8/0, no data: ~0x0800 = 0xf7ff (no pseudo-header).
    const Bytes icmp = eth().ipv4("10.0.0.1", "10.0.0.2").icmp(8, 0).build();
    CHECK(get16(icmp, 34 + 2) == 0xf7ff);

    // ICMPv6 echo 128/0 from ::1 to ::2, no data: pseudo 1 + 2 + 8 + 0x3a,
    // header 0x8000; sum 0x8045; complement 0x7fba.
    const Bytes icmp6 = eth().ipv6("::1", "::2").icmpv6(128, 0).build();
    CHECK(get16(icmp6, 54 + 2) == 0x7fba);
    CHECK(get16(icmp6, 14 + 4) == 8);
    CHECK(icmp6[14 + 6] == 58);

    // CRC32c check value.
    const std::string digits = "123456789";
    CHECK(xvs::test::crc32c({reinterpret_cast<const uint8_t*>(digits.data()), digits.size()}) == 0xe3069283);
}

TEST_CASE("builder: verifiers accept what it builds and reject corruption") {
    const std::vector<std::pair<const char*, Bytes>> frames = {
        {"v4 tcp", eth().ipv4("1.2.3.4", "5.6.7.8").tcp(1, 2, 0x18).payload(33).build()},
        {"v4 tcp options", eth().ipv4("1.2.3.4", "5.6.7.8").ipv4_options({7, 3, 4}).tcp(1, 2, 0x18)
                               .tcp_options({2, 4, 5, 0xb4}).payload(1).build()},
        {"v4 udp odd", eth().vlan(3).ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).payload(7).build()},
        {"v4 udp qinq", eth().vlan(3, 0, 0x88a8).vlan(4).ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).payload(7).build()},
        {"v4 icmp", eth().ipv4("1.2.3.4", "5.6.7.8").icmp(0, 0).payload(5).build()},
        {"v4 sctp", eth().ipv4("1.2.3.4", "5.6.7.8").sctp(1, 2).payload(16).build()},
        {"v4 padded", eth().ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).pad_to(60).build()},
        {"v6 tcp", eth().ipv6("2001:db8::1", "2001:db8::2").tcp(1, 2, 0x11).payload(100).build()},
        {"v6 udp exts", eth().vlan(9).ipv6("2001:db8::1", "2001:db8::2").ipv6_hop_by_hop().ipv6_dest_opts(1)
                            .udp(1, 2).payload(3).build()},
        {"v6 icmpv6", eth().ipv6("2001:db8::1", "2001:db8::2").icmpv6(129, 0).payload(9).build()},
        {"v6 nd", eth().ipv6("fe80::1", "ff02::1").nd_ns("fe80::2").nd_sll(kMacA).build()},
        {"v6 sctp", eth().ipv6("fe80::1", "ff02::1").sctp(5, 6).build()},
        {"snap v4 udp", eth().snap().ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).payload(4).build()},
    };
    for (const auto& [name, f] : frames) {
        CAPTURE(name);
        CHECK(xvs::test::l4_checksum_ok(f));
        CHECK(xvs::test::ipv4_header_checksum_ok(f) == (extract(f).eth_type == htons(0x0800)));
        // Changing a byte of the transport header breaks its checksum.
        Bytes bad = f;
        const auto lay = xvs::test::locate_layers(bad);
        REQUIRE(lay);
        bad[lay->l4 + 1] ^= 0x40;
        CHECK_FALSE(xvs::test::l4_checksum_ok(bad));
    }
    const Bytes bad_ip = eth().ipv4("1.2.3.4", "5.6.7.8").corrupt_checksum().udp(1, 2).build();
    CHECK_FALSE(xvs::test::ipv4_header_checksum_ok(bad_ip));
    CHECK(xvs::test::l4_checksum_ok(bad_ip));
    for (const Bytes& f : {eth().ipv4("1.2.3.4", "5.6.7.8").tcp(1, 2).corrupt_checksum().build(),
                           eth().ipv6("::1", "::2").udp(1, 2).corrupt_checksum().build(),
                           eth().ipv6("::1", "::2").icmpv6(1, 0).corrupt_checksum().build(),
                           eth().ipv4("1.2.3.4", "5.6.7.8").sctp(1, 2).corrupt_checksum().build()}) {
        CHECK_FALSE(xvs::test::l4_checksum_ok(f));
        CHECK(xvs::test::ipv4_header_checksum_ok(f) == (f[12] == 0x08));
    }
    // A zero UDP checksum over IPv4 means "none".
    Bytes none = eth().ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).payload(3).build();
    none[34 + 6] = none[34 + 7] = 0;
    CHECK(xvs::test::l4_checksum_ok(none));
    // Fragments and non-IP frames have nothing to verify.
    CHECK_FALSE(xvs::test::l4_checksum_ok(eth().ipv4("1.2.3.4", "5.6.7.8").frag(0, true).udp(1, 2).build()));
    CHECK_FALSE(xvs::test::l4_checksum_ok(eth().arp(1, kMacA, "1.1.1.1", kMacB, "2.2.2.2").build()));
    CHECK_FALSE(xvs::test::ipv4_header_checksum_ok(Bytes(10, 0)));
}

TEST_CASE("builder: length fields and padding") {
    using xvs::test::get16;
    const Bytes v4f = eth().vlan(1).ipv4("1.2.3.4", "5.6.7.8").udp(1, 2).payload(5).pad_to(64).build();
    CHECK(v4f.size() == 64);
    CHECK(get16(v4f, 18 + 2) == 20 + 8 + 5);
    CHECK(get16(v4f, 38 + 4) == 8 + 5);
    CHECK(get16(v4f, 16) == 0x0800);
    const Bytes v6f = eth().ipv6("::1", "::2").ipv6_hop_by_hop().udp(1, 2).payload(5).build();
    CHECK(get16(v6f, 14 + 4) == 8 + 8 + 5);
    CHECK(v6f[14 + 6] == 0);
    CHECK(v6f[54] == 17);
    const Bytes ns = eth().ipv6("::1", "::2").nd_ns("::3").nd_sll(kMacA).build();
    CHECK(ns.size() == 14 + 40 + 32);
    CHECK(get16(ns, 14 + 4) == 32);
    CHECK(ns[54 + 24] == 1);
    CHECK(ns[54 + 25] == 1);
}
