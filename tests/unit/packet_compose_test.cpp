// compose_frame (compiler/packet_compose.h): a frame built from a key parses
// back to that key, with correct lengths and checksums.
#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "compiler/dp_flow_text.h"
#include "compiler/flow_extract.h"
#include "compiler/packet_compose.h"
#include "support/key_fields.h"
#include "support/packet.h"

using xvs::compiler::compose_frame;
using xvs::test::Bytes;
using xvs::test::PacketBuilder;

namespace {

constexpr const char* kA = "00:00:00:00:00:0a";
constexpr const char* kB = "00:00:00:00:00:0b";

std::string diff(const xvs_flow_key& got, const xvs_flow_key& want) {
    std::string out;
    for (const auto& line : xvs::test::key_diff(got, want)) out += line + "\n";
    return out;
}

xvs_flow_key extract(const Bytes& f) { return xvs::flow_extract(f, {}); }

}  // namespace

TEST_CASE("every key a frame has composes to a frame with that key") {
    struct Case {
        const char* name;
        Bytes frame;
        bool l4_checksum;
    };
    std::vector<Case> cases = {
        {"ethernet", PacketBuilder().eth(kA, kB).eth_type(0x88b5).payload(46).build(), false},
        {"802.3", PacketBuilder().eth(kA, kB).llc().payload(40).build(), false},
        {"vlan tcp",
         PacketBuilder()
             .eth(kA, kB)
             .vlan(10, 5)
             .ipv4("10.0.0.1", "10.0.0.2")
             .tos(0x2c)
             .ttl(9)
             .tcp(1, 80, 0x1d2)
             .build(),
         true},
        {"qinq arp",
         PacketBuilder().eth(kA, kB).vlan(100, 0, 0x88a8).vlan(7).arp(2, kA, "1.2.3.4", kB, "5.6.7.8").build(), false},
        {"rarp", PacketBuilder().eth(kA, kB).arp(3, kA, "1.2.3.4", kB, "5.6.7.8").rarp().build(), false},
        {"udp", PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").udp(53, 1053).build(), true},
        {"sctp", PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").sctp(5, 6).build(), true},
        {"icmp", PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").icmp(3, 4).build(), true},
        {"first fragment", PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").frag(0, true).udp(1, 2).build(),
         false},
        {"later fragment",
         PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2", 17).frag(10, false).payload(30).build(), false},
        {"ipv6 tcp",
         PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").flow_label(0x12345).tcp(9, 10, 0x12).build(),
         true},
        {"ipv6 ext udp",
         PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").ipv6_hop_by_hop().udp(9, 10).build(), true},
        {"ipv6 first fragment",
         PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").ipv6_fragment(0, true).udp(9, 10).build(),
         false},
        {"ipv6 later fragment",
         PacketBuilder()
             .eth(kA, kB)
             .ipv6("2001:db8::1", "2001:db8::2")
             .ipv6_fragment(3, false)
             .next_type(17)
             .payload(16)
             .build(),
         false},
        {"nd ns", PacketBuilder().eth(kA, kB).ipv6("fe80::1", "ff02::1:ff00:2").nd_ns("fe80::2").nd_sll(kA).build(),
         true},
        {"nd na", PacketBuilder().eth(kA, kB).ipv6("fe80::2", "fe80::1").nd_na("fe80::2").nd_tll(kB).build(), true},
        {"nd ns without options",
         PacketBuilder().eth(kA, kB).ipv6("fe80::1", "ff02::1:ff00:2").nd_ns("fe80::2").build(), true},
        {"icmpv6 echo", PacketBuilder().eth(kA, kB).ipv6("fe80::1", "fe80::2").icmpv6(128, 0).build(), true},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        xvs_flow_key want = extract(c.frame);
        REQUIRE(want.parse_flags == 0);
        auto f = compose_frame(want);
        REQUIRE(f.ok());
        CHECK(f->size() >= 60);
        CHECK(diff(extract(*f), want) == "");
        if (want.eth_type == htons(0x0800)) CHECK(xvs::test::ipv4_header_checksum_ok(*f));
        if (c.l4_checksum) CHECK(xvs::test::l4_checksum_ok(*f));
    }
}

TEST_CASE("min_len pads inside the IP and transport lengths") {
    auto m = xvs::parse_dp_match(
        "eth(src=00:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.255,"
        "proto=17,ttl=64),udp(src=68,dst=67)");
    REQUIRE(m.ok());
    auto f = compose_frame(m->key, 300);
    REQUIRE(f.ok());
    CHECK(f->size() == 300);
    CHECK(xvs::test::ipv4_header_checksum_ok(*f));
    CHECK(xvs::test::l4_checksum_ok(*f));
    auto lay = xvs::test::locate_layers(*f);
    REQUIRE(lay);
    CHECK(lay->l4_len == 300 - 14 - 20);
    CHECK(xvs::test::get16(*f, lay->l4 + 4) == 300 - 14 - 20);  // the UDP length
    xvs_flow_key k = extract(*f);
    CHECK(k.nw_ttl == 64);
    CHECK(ntohs(k.tp_src) == 68);
}

TEST_CASE("a flow in datapath syntax: unnamed fields are zero, tags get TPID 0x8100") {
    auto m = xvs::parse_dp_match(
        "in_port(3),eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02),eth_type(0x8100),"
        "vlan(vid=10,pcp=2),encap(eth_type(0x86dd),ipv6(src=::1,dst=::2,proto=6),tcp(dst=22))");
    REQUIRE(m.ok());
    auto f = compose_frame(m->key);
    REQUIRE(f.ok());
    xvs_flow_key k = extract(*f);
    CHECK(ntohs(k.vlan_tpid) == 0x8100);
    CHECK(ntohs(k.vlan_tci) == (0x1000 | 2 << 13 | 10));
    CHECK(ntohs(k.eth_type) == 0x86dd);
    CHECK(k.nw_proto == 6);
    CHECK(ntohs(k.tp_dst) == 22);
    CHECK(k.in_port == 0);  // a frame does not carry it
    CHECK(xvs::test::l4_checksum_ok(*f));
    // Only eth(): an 802.3 frame of the minimum size.
    auto e = xvs::parse_dp_match("eth(src=00:00:00:00:00:01,dst=00:00:00:00:00:02)");
    REQUIRE(e.ok());
    auto fe = compose_frame(e->key);
    REQUIRE(fe.ok());
    CHECK(fe->size() == 60);
    CHECK(ntohs(extract(*fe).eth_type) == 0x05ff);
}

TEST_CASE("tags a frame cannot carry are refused") {
    xvs_flow_key k{};
    k.eth_type = htons(0x0800);
    k.vlan_tpid = htons(0x1234);
    CHECK_FALSE(compose_frame(k).ok());
    k.vlan_tpid = 0;
    k.cvlan_tci = htons(0x1005);
    CHECK_FALSE(compose_frame(k).ok());
}
