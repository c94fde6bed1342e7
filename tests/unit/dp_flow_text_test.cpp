// Datapath flow text: parsing matches and actions into the ABI, formatting
// them back, and every class of error with the offset of its token.
#include "compiler/dp_flow_text.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "util/netaddr.h"

using namespace xvs;

namespace {

// ---- Helpers: readable dumps so a failing comparison names the field ----

std::string hex(const void* p, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; i++) out += fmt::format("{:02x}", static_cast<const uint8_t*>(p)[i]);
    return out;
}

#define XVS_DUMP(f) fmt::format(" " #f "={}", hex(&k.f, sizeof k.f))
std::string describe(const xvs_flow_key& k) {
    return XVS_DUMP(recirc_id) + XVS_DUMP(in_port) + XVS_DUMP(eth_dst) + XVS_DUMP(eth_src) +
           XVS_DUMP(eth_type) + XVS_DUMP(vlan_tci) + XVS_DUMP(vlan_tpid) + XVS_DUMP(cvlan_tci) +
           XVS_DUMP(cvlan_tpid) + XVS_DUMP(parse_flags) + XVS_DUMP(nw_proto) + XVS_DUMP(nw_tos) +
           XVS_DUMP(nw_ttl) + XVS_DUMP(nw_frag) + XVS_DUMP(ipv6_label) + XVS_DUMP(nw_src) +
           XVS_DUMP(nw_dst) + XVS_DUMP(tp_src) + XVS_DUMP(tp_dst) + XVS_DUMP(tcp_flags) +
           XVS_DUMP(pad0) + XVS_DUMP(arp_sha) + XVS_DUMP(arp_tha) + XVS_DUMP(nd_target) + XVS_DUMP(pad1);
}
#undef XVS_DUMP

std::string describe(const xvs_action_list& l) {
    std::string out = fmt::format("n={} flags={:#x}", l.n, l.flags);
    for (size_t i = 0; i < l.n && i < XVS_MAX_ACTIONS; i++)
        out += fmt::format(" [type={} pad={} arg={:#x} u={}]", l.a[i].type, l.a[i].pad, l.a[i].arg,
                           hex(&l.a[i].u, sizeof l.a[i].u));
    return out;
}

void check_same(const DpMatch& got, const DpMatch& want) {
    CHECK(describe(got.key) == describe(want.key));
    CHECK(describe(got.mask) == describe(want.mask));
    CHECK(std::memcmp(&got, &want, sizeof got) == 0);
}

void check_same(const xvs_action_list& got, const xvs_action_list& want) {
    CHECK(describe(got) == describe(want));
    CHECK(std::memcmp(&got, &want, sizeof got) == 0);
}

DpMatch parse_ok(std::string_view text) {
    auto r = parse_dp_match(text);
    INFO("parse error: " << (r ? std::string() : r.message()));
    REQUIRE(r.ok());
    return *r;
}

xvs_action_list parse_actions_ok(std::string_view text) {
    auto r = parse_dp_actions(text);
    INFO("parse error: " << (r ? std::string() : r.message()));
    REQUIRE(r.ok());
    return *r;
}

void set_mac(uint8_t* dst, const char* s) {
    auto m = parse_mac(s);
    REQUIRE(m.ok());
    std::memcpy(dst, m->data(), 6);
}

uint32_t ip4(const char* s) {
    auto a = parse_ipv4(s);
    REQUIRE(a.ok());
    return *a;
}

void set_ip6(void* dst, const char* s) {
    auto a = parse_ipv6(s);
    REQUIRE(a.ok());
    std::memcpy(dst, a->data(), 16);
}

// The match every parse starts from: recirc_id exact 0.
DpMatch base() {
    DpMatch m;
    m.mask.recirc_id = 0xffffffff;
    return m;
}

void exact_eth_type(DpMatch& m, uint16_t type) {
    m.key.eth_type = htons(type);
    m.mask.eth_type = 0xffff;
}

void exact_proto(DpMatch& m, uint8_t proto) {
    m.key.nw_proto = proto;
    m.mask.nw_proto = 0xff;
}

// ---- Match parsing ------------------------------------------------------

struct MatchCase {
    const char* text;
    void (*expect)(DpMatch&);
};

const MatchCase kMatchCases[] = {
    {"", [](DpMatch&) {}},
    {"recirc_id(5),in_port(3)",
     [](DpMatch& m) {
         m.key.recirc_id = 5;
         m.key.in_port = 3;
         m.mask.in_port = 0xffffffff;
     }},
    {"in_port(1023)",
     [](DpMatch& m) {
         m.key.in_port = 1023;
         m.mask.in_port = 0xffffffff;
     }},
    {"eth(src=00:11:22:33:44:55,dst=aa:bb:cc:dd:ee:ff)",
     [](DpMatch& m) {
         set_mac(m.key.eth_src, "00:11:22:33:44:55");
         set_mac(m.key.eth_dst, "aa:bb:cc:dd:ee:ff");
         set_mac(m.mask.eth_src, "ff:ff:ff:ff:ff:ff");
         set_mac(m.mask.eth_dst, "ff:ff:ff:ff:ff:ff");
     }},
    {"eth(src=00:11:22:33:44:55/ff:ff:ff:00:00:00)",
     [](DpMatch& m) {
         set_mac(m.key.eth_src, "00:11:22:00:00:00");  // key is ANDed with the mask
         set_mac(m.mask.eth_src, "ff:ff:ff:00:00:00");
     }},
    {"eth_type(0x0800)", [](DpMatch& m) { exact_eth_type(m, 0x0800); }},
    {"eth_type(2048)", [](DpMatch& m) { exact_eth_type(m, 0x0800); }},
    {"eth_type(0x8100)", [](DpMatch& m) { exact_eth_type(m, 0x8100); }},  // no vlan(): literal
    {"eth_type(0x0800/0xff00)",
     [](DpMatch& m) {
         m.key.eth_type = htons(0x0800);
         m.mask.eth_type = htons(0xff00);
     }},
    {"eth_type(0x0800),ipv4(src=10.1.2.3/24,dst=192.168.7.1/255.255.0.0,proto=6,tos=0x10,ttl=64,frag=no),"
     "tcp(src=80,dst=1024/0xfc00)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         m.key.nw_src[0] = ip4("10.1.2.0");
         m.mask.nw_src[0] = ip4("255.255.255.0");
         m.key.nw_dst[0] = ip4("192.168.0.0");
         m.mask.nw_dst[0] = ip4("255.255.0.0");
         exact_proto(m, 6);
         m.key.nw_tos = 0x10;
         m.mask.nw_tos = 0xff;
         m.key.nw_ttl = 64;
         m.mask.nw_ttl = 0xff;
         m.key.nw_frag = 0;
         m.mask.nw_frag = 0x03;
         m.key.tp_src = htons(80);
         m.mask.tp_src = 0xffff;
         m.key.tp_dst = htons(1024);
         m.mask.tp_dst = htons(0xfc00);
     }},
    {"eth_type(0x0800),ipv4(src=10.0.0.255/25,frag=first)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         m.key.nw_src[0] = ip4("10.0.0.128");
         m.mask.nw_src[0] = ip4("255.255.255.128");
         m.key.nw_frag = XVS_FRAG_ANY;
         m.mask.nw_frag = 0x03;
     }},
    {"eth_type(0x0800),ipv4(src=10.0.0.1/0,frag=later)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);  // a /0 prefix wildcards the address entirely
         m.key.nw_frag = XVS_FRAG_ANY | XVS_FRAG_LATER;
         m.mask.nw_frag = 0x03;
     }},
    {"eth_type(0x0800),ipv4(frag=1/0x1)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         m.key.nw_frag = 1;
         m.mask.nw_frag = 1;
     }},
    {"eth_type(0x86dd),ipv6(src=2001:db8::1/64,dst=fe80::1/ffff:ffff::,label=0x12345,proto=17,tclass=3,"
     "hlimit=255,frag=first),udp(dst=53)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x86dd);
         set_ip6(m.key.nw_src, "2001:db8::");
         set_ip6(m.mask.nw_src, "ffff:ffff:ffff:ffff::");
         set_ip6(m.key.nw_dst, "fe80::");
         set_ip6(m.mask.nw_dst, "ffff:ffff::");
         m.key.ipv6_label = htonl(0x12345);
         m.mask.ipv6_label = htonl(0xfffff);
         exact_proto(m, 17);
         m.key.nw_tos = 3;
         m.mask.nw_tos = 0xff;
         m.key.nw_ttl = 255;
         m.mask.nw_ttl = 0xff;
         m.key.nw_frag = XVS_FRAG_ANY;
         m.mask.nw_frag = 0x03;
         m.key.tp_dst = htons(53);
         m.mask.tp_dst = 0xffff;
     }},
    {"eth_type(0x86dd),ipv6(src=2001:db8::ffff/65,dst=::1/128)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x86dd);
         set_ip6(m.key.nw_src, "2001:db8::");
         set_ip6(m.mask.nw_src, "ffff:ffff:ffff:ffff:8000::");
         set_ip6(m.key.nw_dst, "::1");
         std::memset(m.mask.nw_dst, 0xff, 16);
     }},
    {"eth_type(0x86dd),ipv6(proto=132),sctp(src=9/0xff)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x86dd);
         exact_proto(m, 132);
         m.key.tp_src = htons(9);
         m.mask.tp_src = htons(0xff);
     }},
    {"eth_type(0x0800),ipv4(proto=6),tcp(src=0xffff/0x00f0)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         exact_proto(m, 6);
         m.key.tp_src = htons(0x00f0);
         m.mask.tp_src = htons(0x00f0);
     }},
    {"eth_type(0x0800),ipv4(proto=1),icmp(type=8,code=0)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         exact_proto(m, 1);
         m.key.tp_src = htons(8);
         m.mask.tp_src = htons(0xff);
         m.key.tp_dst = 0;
         m.mask.tp_dst = htons(0xff);
     }},
    {"eth_type(0x0806),arp(sip=10.0.0.1,tip=10.9.8.7/8,op=1,sha=00:00:00:00:00:01,tha=00:00:00:00:00:02)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0806);
         m.key.nw_src[0] = ip4("10.0.0.1");
         m.mask.nw_src[0] = 0xffffffff;
         m.key.nw_dst[0] = ip4("10.0.0.0");
         m.mask.nw_dst[0] = ip4("255.0.0.0");
         exact_proto(m, 1);
         set_mac(m.key.arp_sha, "00:00:00:00:00:01");
         set_mac(m.mask.arp_sha, "ff:ff:ff:ff:ff:ff");
         set_mac(m.key.arp_tha, "00:00:00:00:00:02");
         set_mac(m.mask.arp_tha, "ff:ff:ff:ff:ff:ff");
     }},
    {"eth_type(0x8035),arp(op=3)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x8035);
         exact_proto(m, 3);
     }},
    {"eth_type(0x86dd),ipv6(proto=58),icmpv6(type=135,code=0),"
     "nd(target=fe80::1,sll=00:00:00:00:00:0a,tll=00:00:00:00:00:0b)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x86dd);
         exact_proto(m, 58);
         m.key.tp_src = htons(135);
         m.mask.tp_src = htons(0xff);
         m.mask.tp_dst = htons(0xff);
         set_ip6(m.key.nd_target, "fe80::1");
         std::memset(m.mask.nd_target, 0xff, 16);
         set_mac(m.key.arp_sha, "00:00:00:00:00:0a");
         set_mac(m.mask.arp_sha, "ff:ff:ff:ff:ff:ff");
         set_mac(m.key.arp_tha, "00:00:00:00:00:0b");
         set_mac(m.mask.arp_tha, "ff:ff:ff:ff:ff:ff");
     }},
    {"eth_type(0x0800),ipv4(proto=6),tcp(),tcp_flags(syn|ack)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         exact_proto(m, 6);
         m.key.tcp_flags = htons(0x012);
         m.mask.tcp_flags = htons(0x0fff);
     }},
    {"eth_type(0x86dd),ipv6(proto=6),tcp_flags(0x002/0x012)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x86dd);
         exact_proto(m, 6);
         m.key.tcp_flags = htons(0x002);
         m.mask.tcp_flags = htons(0x012);
     }},
    {"eth_type(0x0800),ipv4(proto=6),tcp_flags(fin/fin|syn|rst)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         exact_proto(m, 6);
         m.key.tcp_flags = htons(0x001);
         m.mask.tcp_flags = htons(0x007);
     }},
    {"parse_flags(0x0003/0x000f)",
     [](DpMatch& m) {
         m.key.parse_flags = 0x0003;  // host order
         m.mask.parse_flags = 0x000f;
     }},
    {"eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(proto=1),icmp(type=8))",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(3 << 13 | 0x1000 | 10);
         m.mask.vlan_tci = 0xffff;
         m.key.vlan_tpid = htons(0x8100);
         m.mask.vlan_tpid = 0xffff;
         exact_eth_type(m, 0x0800);  // the type after the tag
         exact_proto(m, 1);
         m.key.tp_src = htons(8);
         m.mask.tp_src = htons(0xff);
     }},
    {"vlan(vid=5)",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0x1005);
         m.mask.vlan_tci = htons(0x1fff);
         m.key.vlan_tpid = htons(0x8100);
         m.mask.vlan_tpid = 0xffff;
     }},
    {"vlan(pcp=7,tpid=0x88a8)",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0xf000);
         m.mask.vlan_tci = htons(0xf000);
         m.key.vlan_tpid = htons(0x88a8);
         m.mask.vlan_tpid = 0xffff;
     }},
    {"vlan(vid=0x10/0xff0)",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0x1010);
         m.mask.vlan_tci = htons(0x1ff0);
         m.key.vlan_tpid = htons(0x8100);
         m.mask.vlan_tpid = 0xffff;
     }},
    {"vlan(),encap()",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0x1000);
         m.mask.vlan_tci = htons(0x1000);
         m.key.vlan_tpid = htons(0x8100);
         m.mask.vlan_tpid = 0xffff;
     }},
    {"eth_type(0x88a8),vlan(vid=100),encap(eth_type(0x8100),vlan(vid=200,pcp=1),encap(eth_type(0x86dd)))",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0x1000 | 100);
         m.mask.vlan_tci = htons(0x1fff);
         m.key.vlan_tpid = htons(0x88a8);
         m.mask.vlan_tpid = 0xffff;
         m.key.cvlan_tci = htons(1 << 13 | 0x1000 | 200);
         m.mask.cvlan_tci = 0xffff;
         m.key.cvlan_tpid = htons(0x8100);
         m.mask.cvlan_tpid = 0xffff;
         exact_eth_type(m, 0x86dd);
     }},
    {"vlan_tci(0x0000/0x1000)", [](DpMatch& m) { m.mask.vlan_tci = htons(0x1000); }},
    {"vlan_tci(0x1064)",
     [](DpMatch& m) {
         m.key.vlan_tci = htons(0x1064);
         m.mask.vlan_tci = 0xffff;
     }},
    {"  in_port ( 1 ) , eth_type( 0x0800 ) ,ipv4( src = 1.2.3.4 , ttl=\t7 )  ",
     [](DpMatch& m) {
         m.key.in_port = 1;
         m.mask.in_port = 0xffffffff;
         exact_eth_type(m, 0x0800);
         m.key.nw_src[0] = ip4("1.2.3.4");
         m.mask.nw_src[0] = 0xffffffff;
         m.key.nw_ttl = 7;
         m.mask.nw_ttl = 0xff;
     }},
    // Attribute order does not matter for prerequisites.
    {"tcp(dst=22),ipv4(proto=6),eth_type(0x0800)",
     [](DpMatch& m) {
         exact_eth_type(m, 0x0800);
         exact_proto(m, 6);
         m.key.tp_dst = htons(22);
         m.mask.tp_dst = 0xffff;
     }},
};

TEST_CASE("parse_dp_match fills key and mask") {
    for (const MatchCase& c : kMatchCases) {
        INFO("text: " << std::string(c.text));
        DpMatch want = base();
        c.expect(want);
        check_same(parse_ok(c.text), want);
    }
}

TEST_CASE("every parsed match survives format and parse again") {
    for (const MatchCase& c : kMatchCases) {
        INFO("text: " << std::string(c.text));
        DpMatch first = parse_ok(c.text);
        std::string text = format_dp_match(first.key, first.mask);
        CAPTURE(text);
        check_same(parse_ok(text), first);
        // And the canonical form is a fixed point.
        DpMatch second = parse_ok(text);
        CHECK(format_dp_match(second.key, second.mask) == text);
    }
}

// ---- Match formatting ----------------------------------------------------

struct FormatCase {
    const char* input;
    const char* canonical;
};

const FormatCase kMatchFormats[] = {
    {"", "recirc_id(0)"},
    {"in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)", "recirc_id(0),in_port(1),eth_type(0x0800),ipv4(src=10.0.0.1)"},
    {"eth_type(0x0800),ipv4(src=10.1.2.3/24,dst=1.2.3.4/255.255.0.255)",
     "recirc_id(0),eth_type(0x0800),ipv4(src=10.1.2.0/255.255.255.0,dst=1.2.0.4/255.255.0.255)"},
    {"recirc_id(7),eth(dst=01:00:00:00:00:00/01:00:00:00:00:00,src=00:00:00:00:00:01)",
     "recirc_id(7),eth(src=00:00:00:00:00:01,dst=01:00:00:00:00:00/01:00:00:00:00:00)"},
    {"in_port(2),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(proto=6),tcp(dst=80))",
     "recirc_id(0),in_port(2),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0800),ipv4(proto=6),"
     "tcp(dst=80))"},
    {"eth_type(0x88a8),vlan(vid=100),encap(vlan(vid=200,pcp=1),encap(eth_type(0x86dd)))",
     "recirc_id(0),eth_type(0x88a8),vlan(vid=100),encap(eth_type(0x8100),vlan(vid=200,pcp=1),"
     "encap(eth_type(0x86dd)))"},
    {"vlan()", "recirc_id(0),eth_type(0x8100),vlan(),encap()"},
    {"vlan(vid=16/0xff0),parse_flags(1)",
     "recirc_id(0),eth_type(0x8100),vlan(vid=16/0xff0),encap(),parse_flags(0x0001)"},
    {"vlan_tci(0/0x1000)", "recirc_id(0),vlan_tci(0x0000/0x1000)"},
    {"eth_type(0x86dd),ipv6(src=2001:db8::/32,label=5,frag=later)",
     "recirc_id(0),eth_type(0x86dd),ipv6(src=2001:db8::/ffff:ffff::,label=5,frag=later)"},
    {"eth_type(0x86dd),ipv6(label=0x10/0xf0)", "recirc_id(0),eth_type(0x86dd),ipv6(label=16/0xf0)"},
    {"eth_type(0x0800),ipv4(proto=17),udp(dst=1024/0xfc00)",
     "recirc_id(0),eth_type(0x0800),ipv4(proto=17),udp(dst=1024/0xfc00)"},
    {"eth_type(0x0800),ipv4(proto=6,ttl=0/0xf0),tcp_flags(syn|ack)",
     "recirc_id(0),eth_type(0x0800),ipv4(proto=6,ttl=0/0xf0),tcp_flags(0x012)"},
    {"eth_type(0x0800),ipv4(proto=132),sctp(src=1)", "recirc_id(0),eth_type(0x0800),ipv4(proto=132),sctp(src=1)"},
    {"eth_type(0x0800),ipv4(proto=1),icmp(type=8)", "recirc_id(0),eth_type(0x0800),ipv4(proto=1),icmp(type=8)"},
    {"eth_type(0x86dd),ipv6(proto=58),icmpv6(type=136,code=0),nd(tll=00:00:00:00:00:0b)",
     "recirc_id(0),eth_type(0x86dd),ipv6(proto=58),icmpv6(type=136,code=0),nd(tll=00:00:00:00:00:0b)"},
    {"eth_type(0x0806),arp(op=2,tip=10.0.0.1)", "recirc_id(0),eth_type(0x0806),arp(tip=10.0.0.1,op=2)"},
    {"eth_type(0x0800),ipv4(frag=1/1)", "recirc_id(0),eth_type(0x0800),ipv4(frag=1/0x1)"},
    {"eth_type(0x88cc)", "recirc_id(0),eth_type(0x88cc)"},
    {"parse_flags(0x3/0xf),in_port(4)", "recirc_id(0),in_port(4),parse_flags(0x0003/0xf)"},
    // Attributes with nothing masked are not printed.
    {"eth(),eth_type(0x0800),ipv4()", "recirc_id(0),eth_type(0x0800)"},
};

TEST_CASE("format_dp_match prints the canonical OVS form") {
    for (const FormatCase& c : kMatchFormats) {
        INFO("input: " << std::string(c.input));
        DpMatch m = parse_ok(c.input);
        CHECK(format_dp_match(m.key, m.mask) == c.canonical);
        check_same(parse_ok(c.canonical), m);
    }
}

TEST_CASE("format_dp_match on keys built by hand") {
    xvs_flow_key key{}, mask{};
    SUBCASE("nothing masked prints nothing, not even recirc_id") {
        CHECK(format_dp_match(key, mask) == "");
    }
    SUBCASE("a wildcarded recirc_id is left out") {
        key.in_port = 9;
        mask.in_port = 0xffffffff;
        CHECK(format_dp_match(key, mask) == "in_port(9)");
    }
    SUBCASE("host and network byte orders") {
        key.recirc_id = 0x102;
        mask.recirc_id = 0xffffffff;
        key.parse_flags = XVS_PF_L4_TRUNC;
        mask.parse_flags = 0xffff;
        key.eth_type = htons(0x0800);
        mask.eth_type = 0xffff;
        key.nw_dst[0] = htonl(0x0a000001);
        mask.nw_dst[0] = 0xffffffff;
        CHECK(format_dp_match(key, mask) ==
              "recirc_id(258),eth_type(0x0800),ipv4(dst=10.0.0.1),parse_flags(0x0008)");
    }
}

// ---- Match errors -------------------------------------------------------

struct ErrorCase {
    const char* text;
    const char* what;
    size_t offset;
    const char* token;
    const char* expected = nullptr;  // the ", expected ..." tail, if asserted
};

const ErrorCase kMatchErrors[] = {
    // Syntax.
    {"eth(src=00:11:22:33:44:55", "unbalanced parenthesis", 3, "(", "')'"},
    {"in_port(1))", "unbalanced parenthesis", 10, ")"},
    {"eth_type(0x0800),ipv4(src=1.2.3.4", "unbalanced parenthesis", 21, "("},
    {"in_port(1),,eth_type(1)", "expected a name", 11, ","},
    {"in_port(1),", "expected a name", 11, ""},
    {"in_port(1) eth()", "expected ','", 11, "eth"},
    {"eth_type(0x0800),ipv4(src=1.2.3.4 5)", "expected ',' or ')'", 34, "5"},
    {"eth(src=)", "missing value after '='", 4, "src"},
    {"a(b(c(d(e(f(g(h(i(1)))))))))", "parentheses nested too deeply", 17, "("},
    // Attributes.
    {"in_port(1),foo(2)", "unknown attribute", 11, "foo", "one of recirc_id, in_port"},
    {"5", "unknown attribute", 0, "5"},
    {"in_port(1),in_port(2)", "duplicate attribute", 11, "in_port"},
    {"in_port", "missing '(' after attribute", 0, "in_port", "in_port(...)"},
    {"in_port=1", "unexpected '=' after attribute", 0, "in_port"},
    {"in_port()", "missing value", 0, "in_port", "in_port(value)"},
    {"in_port(1,2)", "too many values", 10, "2"},
    {"in_port(a=1)", "expected a plain value", 8, "a"},
    {"recirc_id(1/0xff)", "recirc_id cannot be masked", 10, "1/0xff"},
    // Fields.
    {"eth(src=00:11:22:33:44:55,foo=1)", "unknown field of eth()", 26, "foo", "one of src, dst"},
    {"eth(src)", "expected field=value", 4, "src"},
    {"eth(src=00:00:00:00:00:01,src=00:00:00:00:00:02)", "field given twice", 26, "src"},
    {"vlan(vid=1,vid=2)", "field given twice", 11, "vid"},
    {"vlan(foo=1)", "unknown field of vlan()", 5, "foo"},
    // Numbers and ranges.
    {"in_port(x1)", "bad number", 8, "x1"},
    {"in_port(1024)", "value out of range", 8, "1024", "at most 1023"},
    {"vlan(vid=4096)", "value out of range", 9, "4096", "at most 4095"},
    {"vlan(pcp=8)", "value out of range", 9, "8", "at most 7"},
    {"vlan(vid=1/0x1fff)", "value out of range", 11, "0x1fff", "at most 4095"},
    {"tcp(src=65536)", "value out of range", 8, "65536", "at most 65535"},
    {"tcp(src=-1)", "bad number", 8, "-1"},
    {"tcp(src=1/)", "bad number", 10, ""},
    {"eth_type(0x10000)", "value out of range", 9, "0x10000"},
    {"eth_type(0x86dd),ipv6(label=0x100000)", "value out of range", 28, "0x100000", "at most 1048575"},
    {"eth_type(0x0800),ipv4(proto=256)", "value out of range", 28, "256"},
    {"eth_type(0x0800),ipv4(proto=1),icmp(type=256)", "value out of range", 41, "256", "at most 255"},
    {"tcp_flags(0x1000)", "value out of range", 10, "0x1000"},
    {"eth_type(0x0800),ipv4(frag=maybe)", "unknown frag type", 27, "maybe", "no, first or later"},
    {"tcp_flags(syn|foo)", "unknown TCP flag", 14, "foo"},
    {"tcp_flags(syn||ack)", "unknown TCP flag", 14, ""},
    // Addresses and masks.
    {"eth(src=00:11:22:33:44)", "bad MAC address", 8, "00:11:22:33:44"},
    {"eth(src=00:11:22:33:44:55/ff:ff)", "bad MAC address", 26, "ff:ff"},
    {"eth_type(0x0800),ipv4(src=10.0.0.256)", "bad IPv4 address", 26, "10.0.0.256"},
    {"eth_type(0x0800),ipv4(src=10.0.0.1/33)", "prefix length out of range", 35, "33", "at most 32"},
    {"eth_type(0x0800),ipv4(dst=10.0.0.1/abc)", "bad IPv4 mask", 35, "abc"},
    {"eth_type(0x0800),ipv4(dst=10.0.0.1/255.0.0)", "bad IPv4 address", 35, "255.0.0"},
    {"eth_type(0x86dd),ipv6(src=fe80::zz)", "bad IPv6 address", 26, "fe80::zz"},
    {"eth_type(0x86dd),ipv6(src=::1/129)", "prefix length out of range", 30, "129", "at most 128"},
    {"eth_type(0x86dd),ipv6(src=::1/ffff::ffff::)", "bad IPv6 address", 30, "ffff::ffff::"},
    // VLAN structure.
    {"vlan(tpid=0x9100)", "unsupported VLAN TPID", 10, "0x9100", "0x8100 or 0x88a8"},
    {"eth_type(0x0800),vlan(vid=1)", "unsupported VLAN TPID", 9, "0x0800"},
    {"eth_type(0x88a8),vlan(tpid=0x8100)", "vlan() tpid does not match the eth_type before it", 27, "0x8100"},
    {"encap(eth_type(0x0800))", "encap() without vlan()", 0, "encap"},
    {"vlan(vid=1),ipv4()", "attribute must be inside encap() after vlan()", 12, "ipv4"},
    {"vlan(vid=1),encap(in_port(1))", "attribute not allowed inside encap()", 18, "in_port"},
    {"vlan(),encap(vlan(),encap(vlan()))", "too many vlan() tags", 26, "vlan", "at most two"},
    {"vlan_tci(0x1000),vlan(vid=1)", "vlan_tci() conflicts with vlan()", 0, "vlan_tci"},
    {"vlan(),encap(eth_type(0x0800)),encap()", "duplicate attribute", 31, "encap"},
    // Prerequisites.
    {"ipv4(src=1.2.3.4)", "ipv4() requires eth_type(0x0800)", 0, "ipv4"},
    {"eth_type(0x86dd),ipv4()", "ipv4() requires eth_type(0x0800)", 17, "ipv4"},
    {"eth_type(0x0800/0xff00),ipv4()", "ipv4() requires eth_type(0x0800)", 24, "ipv4"},
    {"eth_type(0x0800),ipv6()", "ipv6() requires eth_type(0x86dd)", 17, "ipv6"},
    {"arp(op=1)", "arp() requires eth_type(0x0806) or eth_type(0x8035)", 0, "arp"},
    {"eth_type(0x0800),ipv4(),tcp()", "tcp() requires ipv4() or ipv6() with proto=6", 24, "tcp"},
    {"eth_type(0x0800),ipv4(proto=17),tcp(dst=1)", "tcp() requires ipv4() or ipv6() with proto=6", 32, "tcp"},
    {"eth_type(0x0800),ipv4(proto=6/0xf0),tcp()", "tcp() requires ipv4() or ipv6() with proto=6", 36, "tcp"},
    {"eth_type(0x0806),arp(op=6),tcp()", "tcp() requires ipv4() or ipv6() with proto=6", 27, "tcp"},
    {"eth_type(0x0800),ipv4(proto=6),udp()", "udp() requires ipv4() or ipv6() with proto=17", 31, "udp"},
    {"eth_type(0x86dd),ipv6(proto=6),sctp()", "sctp() requires ipv4() or ipv6() with proto=132", 31, "sctp"},
    {"eth_type(0x86dd),ipv6(proto=1),icmp()", "icmp() requires ipv4() with proto=1", 31, "icmp"},
    {"eth_type(0x0800),ipv4(proto=58),icmpv6()", "icmpv6() requires ipv6() with proto=58", 32, "icmpv6"},
    {"eth_type(0x86dd),ipv6(proto=58),icmpv6(type=128),nd()",
     "nd() requires icmpv6(type=135) or icmpv6(type=136)", 49, "nd"},
    {"eth_type(0x86dd),ipv6(proto=58),icmpv6(code=0),nd()",
     "nd() requires icmpv6(type=135) or icmpv6(type=136)", 47, "nd"},
    {"eth_type(0x0800),ipv4(proto=17),udp(),tcp_flags(syn)",
     "tcp_flags() requires ipv4() or ipv6() with proto=6", 38, "tcp_flags"},
    {"tcp_flags(syn)", "tcp_flags() requires ipv4() or ipv6() with proto=6", 0, "tcp_flags"},
};

void check_error(const std::string& message, const ErrorCase& c) {
    // The table itself must point at the token it names.
    REQUIRE(std::string(std::string_view(c.text).substr(c.offset, std::strlen(c.token))) == std::string(c.token));
    std::string want = fmt::format("{} at offset {}: '{}'", c.what, c.offset, c.token);
    CHECK(message.substr(0, want.size()) == want);
    if (c.expected) CHECK(message.find(fmt::format(", expected {}", c.expected)) == want.size());
}

TEST_CASE("parse_dp_match errors name the offending token") {
    for (const ErrorCase& c : kMatchErrors) {
        INFO("text: " << std::string(c.text));
        auto r = parse_dp_match(c.text);
        REQUIRE_FALSE(r.ok());
        check_error(r.message(), c);
    }
}

// ---- Actions --------------------------------------------------------------

xvs_action act(uint16_t type, uint32_t arg = 0) {
    xvs_action a{};
    a.type = type;
    a.arg = arg;
    return a;
}

xvs_action act_mac(uint16_t type, const char* mac) {
    xvs_action a = act(type);
    set_mac(a.u.mac, mac);
    return a;
}

xvs_action act_ip4(uint16_t type, const char* addr) {
    xvs_action a = act(type);
    a.u.ip4 = ip4(addr);
    return a;
}

xvs_action act_ip6(uint16_t type, const char* addr) {
    xvs_action a = act(type);
    set_ip6(a.u.ip6, addr);
    return a;
}

xvs_action act_u8(uint16_t type, uint8_t v) {
    xvs_action a = act(type);
    a.u.u8 = v;
    return a;
}

xvs_action act_port(uint16_t type, uint16_t port) {
    xvs_action a = act(type);
    a.u.port = htons(port);
    return a;
}

xvs_action act_vlan(uint16_t tpid, uint16_t tci) {
    xvs_action a = act(XVS_ACT_PUSH_VLAN);
    a.u.vlan.tpid = htons(tpid);
    a.u.vlan.tci = htons(tci);
    return a;
}

xvs_action act_cookie(uint16_t type, uint32_t arg, uint64_t cookie) {
    xvs_action a = act(type, arg);
    a.u.cookie = cookie;
    return a;
}

xvs_action_list make_list(std::vector<xvs_action> actions, uint16_t flags) {
    xvs_action_list l{};
    for (const xvs_action& a : actions) l.a[l.n++] = a;
    l.flags = flags;
    return l;
}

struct ActionCase {
    const char* text;
    std::vector<xvs_action> actions;
    uint16_t flags = 0;
};

std::vector<ActionCase> action_cases() {
    return {
        {"1", {act(XVS_ACT_OUTPUT, 1)}},
        {"output(5),2", {act(XVS_ACT_OUTPUT, 5), act(XVS_ACT_OUTPUT, 2)}, XVS_AL_NEEDS_SKB},
        {"output(1023)", {act(XVS_ACT_OUTPUT, 1023)}},
        {"drop", {}},
        {" drop ", {}},
        {"flood(3)", {act(XVS_ACT_FLOOD, 3)}},
        {"push_vlan(vid=10,pcp=3),4", {act_vlan(0x8100, 3 << 13 | 10), act(XVS_ACT_OUTPUT, 4)}},
        {"push_vlan(vid=10,tpid=0x88a8)", {act_vlan(0x88a8, 10)}},
        {"push_vlan(tpid=0x8100,tci=0x100a)", {act_vlan(0x8100, 10)}},  // CFI bit dropped
        {"push_vlan()", {act_vlan(0x8100, 0)}},
        {"pop_vlan,3", {act(XVS_ACT_POP_VLAN), act(XVS_ACT_OUTPUT, 3)}},
        {"pop_vlan()", {act(XVS_ACT_POP_VLAN)}},
        {"set(eth(src=00:11:22:33:44:55,dst=66:77:88:99:aa:bb)),1",
         {act_mac(XVS_ACT_SET_ETH_SRC, "00:11:22:33:44:55"), act_mac(XVS_ACT_SET_ETH_DST, "66:77:88:99:aa:bb"),
          act(XVS_ACT_OUTPUT, 1)}},
        {"set(eth(dst=66:77:88:99:aa:bb))", {act_mac(XVS_ACT_SET_ETH_DST, "66:77:88:99:aa:bb")}},
        {"set(ipv4(src=10.0.0.1,dst=10.0.0.2,tos=16,ttl=9))",
         {act_ip4(XVS_ACT_SET_IPV4_SRC, "10.0.0.1"), act_ip4(XVS_ACT_SET_IPV4_DST, "10.0.0.2"),
          act_u8(XVS_ACT_SET_IPV4_TOS, 16), act_u8(XVS_ACT_SET_IPV4_TTL, 9)}},
        {"set(ipv6(src=2001:db8::1,dst=::1,tclass=3,hlimit=0x7))",
         {act_ip6(XVS_ACT_SET_IPV6_SRC, "2001:db8::1"), act_ip6(XVS_ACT_SET_IPV6_DST, "::1"),
          act_u8(XVS_ACT_SET_IPV6_TC, 3), act_u8(XVS_ACT_SET_IPV6_HLIMIT, 7)}},
        {"set(tcp(src=80)),set(udp(dst=53)),set(udp(src=1,dst=65535))",
         {act_port(XVS_ACT_SET_TP_SRC, 80), act_port(XVS_ACT_SET_TP_DST, 53), act_port(XVS_ACT_SET_TP_SRC, 1),
          act_port(XVS_ACT_SET_TP_DST, 65535)}},
        {"dec_ttl,1", {act(XVS_ACT_DEC_TTL), act(XVS_ACT_OUTPUT, 1)}},
        {"userspace(cookie=0x1234)", {act_cookie(XVS_ACT_USERSPACE, 0, 0x1234)}},
        {"userspace(cookie=0xffffffffffffffff)", {act_cookie(XVS_ACT_USERSPACE, 0, ~uint64_t{0})}},
        {"userspace", {act_cookie(XVS_ACT_USERSPACE, 0, 0)}},
        {"sample(sample=50%,cookie=0x5)", {act_cookie(XVS_ACT_SAMPLE, 0x80000000u, 5)}},
        {"sample(sample=100%)", {act_cookie(XVS_ACT_SAMPLE, 0xffffffffu, 0)}},
        {"sample(sample=0%)", {act_cookie(XVS_ACT_SAMPLE, 0, 0)}},
        {"sample(cookie=7,sample=12.5%)", {act_cookie(XVS_ACT_SAMPLE, 536870912u, 7)}},
        {"recirc(7)", {act(XVS_ACT_RECIRC, 7)}},
        {"recirc(0xffffffff)", {act(XVS_ACT_RECIRC, 0xffffffffu)}},
        {"meter(3),meter(1023)", {act(XVS_ACT_METER, 3), act(XVS_ACT_METER, 1023)}},
        {" 1 , output( 2 ) ,\tflood ( 0 ) ",
         {act(XVS_ACT_OUTPUT, 1), act(XVS_ACT_OUTPUT, 2), act(XVS_ACT_FLOOD, 0)}, XVS_AL_NEEDS_SKB},
        // XDP can send once: edits before the single output are fine, after it are not.
        {"set(eth(src=00:00:00:00:00:01)),1,userspace(cookie=1)",
         {act_mac(XVS_ACT_SET_ETH_SRC, "00:00:00:00:00:01"), act(XVS_ACT_OUTPUT, 1),
          act_cookie(XVS_ACT_USERSPACE, 0, 1)}},
        {"1,set(eth(src=00:00:00:00:00:01))",
         {act(XVS_ACT_OUTPUT, 1), act_mac(XVS_ACT_SET_ETH_SRC, "00:00:00:00:00:01")}, XVS_AL_NEEDS_SKB},
        {"flood(2),dec_ttl", {act(XVS_ACT_FLOOD, 2), act(XVS_ACT_DEC_TTL)}, XVS_AL_NEEDS_SKB},
        {"flood(2),1", {act(XVS_ACT_FLOOD, 2), act(XVS_ACT_OUTPUT, 1)}, XVS_AL_NEEDS_SKB},
        {"1,pop_vlan", {act(XVS_ACT_OUTPUT, 1), act(XVS_ACT_POP_VLAN)}, XVS_AL_NEEDS_SKB},
        {"1,set(tcp(dst=1))", {act(XVS_ACT_OUTPUT, 1), act_port(XVS_ACT_SET_TP_DST, 1)}, XVS_AL_NEEDS_SKB},
        {"push_vlan(vid=1),meter(1),recirc(2),1,meter(2),sample(sample=1%)",
         {act_vlan(0x8100, 1), act(XVS_ACT_METER, 1), act(XVS_ACT_RECIRC, 2), act(XVS_ACT_OUTPUT, 1),
          act(XVS_ACT_METER, 2), act_cookie(XVS_ACT_SAMPLE, 42949673u, 0)}},
        // The packet is gone after an XDP send: nothing left to recirculate.
        {"1,recirc(2)", {act(XVS_ACT_OUTPUT, 1), act(XVS_ACT_RECIRC, 2)}, XVS_AL_NEEDS_SKB},
    };
}

TEST_CASE("parse_dp_actions encodes actions and flags") {
    for (const ActionCase& c : action_cases()) {
        INFO("text: " << std::string(c.text));
        check_same(parse_actions_ok(c.text), make_list(c.actions, c.flags));
    }
}

TEST_CASE("parse_dp_actions accepts exactly XVS_MAX_ACTIONS actions") {
    std::string text = "0";
    for (int i = 1; i < XVS_MAX_ACTIONS; i++) text += fmt::format(",{}", i);
    xvs_action_list l = parse_actions_ok(text);
    CHECK(l.n == XVS_MAX_ACTIONS);
    CHECK(l.a[XVS_MAX_ACTIONS - 1].arg == XVS_MAX_ACTIONS - 1);

    std::string over = text + ",99";
    auto r = parse_dp_actions(over);
    REQUIRE_FALSE(r.ok());
    CHECK(r.message() == fmt::format("too many actions at offset {}: '99', expected at most {}", text.size() + 1,
                                     XVS_MAX_ACTIONS));

    // A set() that expands past the limit is caught at the field that overflows.
    std::string set_over = text + ",set(eth(src=00:00:00:00:00:01))";
    auto r2 = parse_dp_actions(set_over);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.message().find(fmt::format("too many actions at offset {}: 'src'", text.size() + 9)) == 0);
}

struct ActionFormatCase {
    const char* input;
    const char* canonical;
};

const ActionFormatCase kActionFormats[] = {
    {"output(1),2", "1,2"},
    {"drop", "drop"},
    {"flood(3),recirc(1),meter(2),dec_ttl,pop_vlan", "flood(3),recirc(1),meter(2),dec_ttl,pop_vlan"},
    {"push_vlan(tpid=0x8100,tci=0x100a)", "push_vlan(vid=10,pcp=0)"},
    {"push_vlan(vid=5,pcp=7,tpid=0x88a8)", "push_vlan(vid=5,pcp=7,tpid=0x88a8)"},
    {"push_vlan(tpid=0x88a8,tci=0xe005)", "push_vlan(vid=5,pcp=7,tpid=0x88a8)"},
    {"set(eth(src=00:11:22:33:44:55,dst=66:77:88:99:AA:BB))",
     "set(eth(src=00:11:22:33:44:55)),set(eth(dst=66:77:88:99:aa:bb))"},
    {"set(ipv4(ttl=9,src=10.0.0.1,tos=0x10))", "set(ipv4(ttl=9)),set(ipv4(src=10.0.0.1)),set(ipv4(tos=16))"},
    {"set(ipv6(dst=2001:DB8:0::1,hlimit=3,tclass=1))", "set(ipv6(dst=2001:db8::1)),set(ipv6(hlimit=3)),set(ipv6(tclass=1))"},
    {"set(udp(dst=53))", "set(tcp(dst=53))"},
    {"sample(sample=50%,cookie=5)", "sample(sample=50.0%,cookie=0x5)"},
    {"sample(sample=12.5%)", "sample(sample=12.5%,cookie=0x0)"},
    {"sample(sample=100%)", "sample(sample=100.0%,cookie=0x0)"},
    {"sample(sample=0.0001%)", "sample(sample=0.0001%,cookie=0x0)"},
    {"userspace(cookie=255)", "userspace(cookie=0xff)"},
};

TEST_CASE("format_dp_actions prints the canonical form") {
    for (const ActionFormatCase& c : kActionFormats) {
        INFO("input: " << std::string(c.input));
        xvs_action_list l = parse_actions_ok(c.input);
        CHECK(format_dp_actions(l) == c.canonical);
        check_same(parse_actions_ok(c.canonical), l);
    }
}

TEST_CASE("format/parse of every action case is stable") {
    for (const ActionCase& c : action_cases()) {
        INFO("text: " << std::string(c.text));
        xvs_action_list first = parse_actions_ok(c.text);
        std::string text = format_dp_actions(first);
        CAPTURE(text);
        check_same(parse_actions_ok(text), first);
        CHECK(format_dp_actions(parse_actions_ok(text)) == text);
    }
}

TEST_CASE("format_dp_actions names the transport header from the match's protocol") {
    xvs_action_list l = parse_actions_ok("set(tcp(src=1,dst=2))");
    CHECK(format_dp_actions(l, 6) == "set(tcp(src=1)),set(tcp(dst=2))");
    CHECK(format_dp_actions(l, 17) == "set(udp(src=1)),set(udp(dst=2))");
    // SCTP ports cannot be rewritten (CRC32c), so there is no set(sctp(...)).
    CHECK(format_dp_actions(l, 132) == "set(tcp(src=1)),set(tcp(dst=2))");
    CHECK(format_dp_actions(l, 0) == format_dp_actions(l, 6));
}

TEST_CASE("sample probabilities survive formatting exactly") {
    const uint32_t probabilities[] = {0, 1, 2, 3, 429496, 0x7fffffff, 0x80000000u, 123456789, 0xfffffffe, 0xffffffffu};
    for (uint32_t p : probabilities) {
        CAPTURE(p);
        xvs_action_list l = make_list({act_cookie(XVS_ACT_SAMPLE, p, 0x42)}, 0);
        std::string text = format_dp_actions(l);
        CAPTURE(text);
        xvs_action_list back = parse_actions_ok(text);
        REQUIRE(back.n == 1);
        CHECK(back.a[0].arg == p);
        CHECK(back.a[0].u.cookie == 0x42);
    }
}

TEST_CASE("format_dp_actions on lists built by hand") {
    CHECK(format_dp_actions(make_list({}, 0)) == "drop");
    CHECK(format_dp_actions(make_list({act(XVS_ACT_DROP)}, 0)) == "drop");
    CHECK(format_dp_actions(make_list({act(XVS_ACT_OUTPUT, 3), act(XVS_ACT_FLOOD, 1)}, 0)) == "3,flood(1)");
    CHECK(format_dp_actions(make_list({act(200)}, 0)) == "unknown(type=200)");
    // A corrupt count must not read past the array.
    xvs_action_list big = make_list(std::vector<xvs_action>(XVS_MAX_ACTIONS, act(XVS_ACT_OUTPUT, 7)), 0);
    big.n = 1000;
    std::string want = "7";
    for (int i = 1; i < XVS_MAX_ACTIONS; i++) want += ",7";
    CHECK(format_dp_actions(big) == want);
}

TEST_CASE("action_list_flags") {
    CHECK(action_list_flags(make_list({}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 1)}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_FLOOD, 1)}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 1), act(XVS_ACT_OUTPUT, 2)}, 0)) == XVS_AL_NEEDS_SKB);
    CHECK(action_list_flags(make_list({act(XVS_ACT_DEC_TTL), act(XVS_ACT_OUTPUT, 2)}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 2), act(XVS_ACT_DEC_TTL)}, 0)) == XVS_AL_NEEDS_SKB);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 2), act_vlan(0x8100, 1)}, 0)) == XVS_AL_NEEDS_SKB);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 2), act(XVS_ACT_SET_IPV6_HLIMIT)}, 0)) ==
          XVS_AL_NEEDS_SKB);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 2), act(XVS_ACT_SAMPLE), act(XVS_ACT_METER)}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_RECIRC, 1), act(XVS_ACT_OUTPUT, 2)}, 0)) == 0);
    CHECK(action_list_flags(make_list({act(XVS_ACT_OUTPUT, 2), act(XVS_ACT_RECIRC, 1)}, 0)) == XVS_AL_NEEDS_SKB);
    // Every header edit counts.
    for (uint16_t t : {XVS_ACT_PUSH_VLAN, XVS_ACT_POP_VLAN, XVS_ACT_SET_ETH_SRC, XVS_ACT_SET_ETH_DST,
                       XVS_ACT_SET_IPV4_SRC, XVS_ACT_SET_IPV4_DST, XVS_ACT_SET_IPV4_TOS, XVS_ACT_SET_IPV4_TTL,
                       XVS_ACT_SET_IPV6_SRC, XVS_ACT_SET_IPV6_DST, XVS_ACT_SET_IPV6_TC, XVS_ACT_SET_IPV6_HLIMIT,
                       XVS_ACT_DEC_TTL, XVS_ACT_SET_TP_SRC, XVS_ACT_SET_TP_DST}) {
        CAPTURE(t);
        CHECK(action_list_flags(make_list({act(XVS_ACT_FLOOD, 0), act(t)}, 0)) == XVS_AL_NEEDS_SKB);
        CHECK(action_list_flags(make_list({act(t), act(XVS_ACT_FLOOD, 0)}, 0)) == 0);
    }
}

const ErrorCase kActionErrors[] = {
    {"", "missing actions", 0, "", "an action list or drop"},
    {"   ", "missing actions", 0, "   "},
    {"drop,1", "drop cannot be combined with other actions", 0, "drop"},
    {"1,drop", "drop cannot be combined with other actions", 2, "drop"},
    {"drop(1)", "drop takes no arguments", 0, "drop"},
    {"foo", "unknown action", 0, "foo"},
    {"1,output=2", "unexpected '=' in action list", 2, "output"},
    {"1x", "bad number", 0, "1x"},
    {"1024", "value out of range", 0, "1024", "at most 1023"},
    {"output(1024)", "value out of range", 7, "1024", "at most 1023"},
    {"output", "missing value", 0, "output", "output(value)"},
    {"output(1", "unbalanced parenthesis", 6, "(", "')'"},
    {"output(1,2)", "too many values", 9, "2"},
    {"flood(256)", "value out of range", 6, "256", "at most 255"},
    {"meter(1024)", "value out of range", 6, "1024", "at most 1023"},
    {"recirc(0)", "value out of range", 7, "0", "at least 1"},
    {"recirc(0x100000000)", "value out of range", 7, "0x100000000"},
    {"pop_vlan(1)", "pop_vlan takes no arguments", 9, "1"},
    {"push_vlan(vid=4096)", "value out of range", 14, "4096", "at most 4095"},
    {"push_vlan(pcp=8)", "value out of range", 14, "8", "at most 7"},
    {"push_vlan(vid=1,tci=0x1001)", "tci cannot be combined with vid or pcp", 16, "tci"},
    {"push_vlan(tci=0x1001,pcp=1)", "tci cannot be combined with vid or pcp", 21, "pcp"},
    {"push_vlan(tpid=0x9100)", "unsupported VLAN TPID", 15, "0x9100", "0x8100 or 0x88a8"},
    {"push_vlan(foo=1)", "unknown field of push_vlan()", 10, "foo", "one of vid, pcp, tpid, tci"},
    {"push_vlan(vid=1,vid=2)", "field given twice", 16, "vid"},
    {"push_vlan(5)", "expected field=value", 10, "5"},
    {"set", "set needs a header", 0, "set"},
    {"set()", "set needs a header", 0, "set"},
    {"set(eth(src=00:00:00:00:00:01),ipv4(ttl=1))", "set() takes one header", 31, "ipv4"},
    {"set(sctp(src=1))", "set(sctp(...)) is not supported", 4, "sctp"},
    {"set(vlan(vid=1))", "unknown header in set()", 4, "vlan"},
    {"set(eth)", "unknown header in set()", 4, "eth"},
    {"set(eth())", "set() needs at least one field", 4, "eth"},
    {"set(ipv4(proto=6))", "field of ipv4() cannot be set", 9, "proto", "one of src, dst, tos, ttl"},
    {"set(eth(src=00:11:22:33:44:55/ff:ff:ff:ff:ff:ff))", "set() fields cannot be masked", 12,
     "00:11:22:33:44:55/ff:ff:ff:ff:ff:ff"},
    {"set(eth(src=00:11:22:33:44:55,src=00:11:22:33:44:56))", "field given twice", 30, "src"},
    {"set(eth(src=00:11:22:33:44))", "bad MAC address", 12, "00:11:22:33:44"},
    {"set(ipv4(ttl=256))", "value out of range", 13, "256", "at most 255"},
    {"set(ipv4(src=1.2.3))", "bad IPv4 address", 13, "1.2.3"},
    {"set(ipv6(src=1.2.3.4))", "bad IPv6 address", 13, "1.2.3.4"},
    {"set(tcp(dst=65536))", "value out of range", 12, "65536", "at most 65535"},
    {"set(tcp(dst))", "expected field=value", 8, "dst"},
    {"userspace(cookie=zz)", "bad number", 17, "zz"},
    {"userspace(pid=1)", "unknown field of userspace()", 10, "pid"},
    {"sample(cookie=1)", "sample needs a probability", 0, "sample", "sample(sample=P%,cookie=N)"},
    {"sample(sample=50)", "expected a percentage", 14, "50"},
    {"sample(sample=101%)", "percentage out of range", 14, "101%", "0% to 100%"},
    {"sample(sample=100.0001%)", "percentage out of range", 14, "100.0001%"},
    {"sample(sample=1e2%)", "bad percentage", 14, "1e2%"},
    {"sample(sample=1.2.3%)", "bad percentage", 14, "1.2.3%"},
    {"sample(sample=%)", "bad percentage", 14, "%"},
    {"sample(sample=-5%)", "bad percentage", 14, "-5%"},
    {"1)", "unbalanced parenthesis", 1, ")"},
    {"1,,2", "expected a name", 2, ","},
};

TEST_CASE("parse_dp_actions errors name the offending token") {
    for (const ErrorCase& c : kActionErrors) {
        INFO("text: " << std::string(c.text));
        auto r = parse_dp_actions(c.text);
        REQUIRE_FALSE(r.ok());
        check_error(r.message(), c);
    }
}

}  // namespace
