// The dummy datapath (ofproto/dpif_dummy.cpp): ports, megaflow semantics,
// misses and upcalls, every action on real bytes (the rewritten frames
// re-parsed with the reference parser and their checksums recomputed from
// scratch by tests/support/packet.h), meters, recirculation, execute() and
// the pcap files. No root needed.
#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "compiler/dp_flow_text.h"
#include "compiler/flow_extract.h"
#include "ofproto/dpif.h"
#include "support/packet.h"

using xvs::ofproto::DummyDpif;
using xvs::ofproto::PutMode;
using xvs::ofproto::Upcall;
using xvs::test::Bytes;
using xvs::test::PacketBuilder;

namespace {

constexpr const char* kA = "00:00:00:00:00:0a";
constexpr const char* kB = "00:00:00:00:00:0b";

xvs_action_list actions(const std::string& text) {
    auto a = xvs::parse_dp_actions(text);
    REQUIRE_MESSAGE(a.ok(), text, ": ", a.message());
    return *a;
}

xvs::DpMatch match(const std::string& text) {
    auto m = xvs::parse_dp_match(text);
    REQUIRE_MESSAGE(m.ok(), text, ": ", m.message());
    return *m;
}

// A datapath with ports p1, p2, p3 (numbers 1, 2, 3).
struct Fixture {
    std::unique_ptr<DummyDpif> dp = xvs::ofproto::make_dummy_dpif("test");
    Fixture() {
        for (const char* n : {"p1", "p2", "p3"}) REQUIRE(dp->add_port(n).ok());
    }
    void flow(const std::string& m, const std::string& a, PutMode mode = PutMode::Create) {
        auto mm = match(m);
        auto s = dp->put_flow(mm.key, mm.mask, actions(a), mode);
        REQUIRE_MESSAGE(s.ok(), m, " ", a, ": ", s.message());
    }
    // Every frame of in_port 1 takes 'acts'.
    void all(const std::string& acts) { flow("in_port(1)", acts); }
    std::vector<Bytes> tx(const std::string& port) {
        auto t = dp->take_tx(port);
        REQUIRE(t.ok());
        return *t;
    }
    // Sends 'frame' in on p1 and returns the one frame p2 sent.
    Bytes through(const Bytes& frame) {
        REQUIRE(dp->receive("p1", frame).ok());
        auto out = tx("p2");
        REQUIRE(out.size() == 1);
        return out[0];
    }
    std::vector<Upcall> upcalls() {
        std::vector<Upcall> v;
        dp->recv_upcalls(1000, [&](const Upcall& u) { v.push_back(u); });
        return v;
    }
    uint64_t drops(int reason) { return dp->stats().drops[reason]; }
    uint64_t counter(int c) { return dp->stats().counters[c]; }
};

xvs_flow_key parse(const Bytes& frame) { return xvs::flow_extract(frame, {}); }

bool fd_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

std::string ip4_of(__be32 a) {
    const auto* b = reinterpret_cast<const uint8_t*>(&a);
    return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
}

uint16_t port_of(__be16 p) { return ntohs(p); }

Bytes tcp4() {
    return PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").tcp(1000, 80, 0x18).payload(21).build();
}
Bytes udp4() { return PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").udp(1000, 53).payload(13).build(); }
Bytes tcp6() {
    return PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").tcp(1000, 80, 0x02).payload(7).build();
}
Bytes udp6() { return PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").udp(1000, 53).payload(9).build(); }
Bytes icmp6() {
    return PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").icmpv6(128, 0).payload(16).build();
}

void check_sums(const Bytes& f, bool l4 = true) {
    auto lay = xvs::test::locate_layers(f);
    REQUIRE(lay);
    if (lay->eth_type == 0x0800) CHECK(xvs::test::ipv4_header_checksum_ok(f));
    if (l4) CHECK(xvs::test::l4_checksum_ok(f));
}

}  // namespace

TEST_CASE("ports are numbered from 1, names are unique, numbers are reused") {
    Fixture t;
    auto ports = t.dp->ports();
    REQUIRE(ports.size() == 3);
    CHECK(ports[0].port_no == 1);
    CHECK(ports[0].ifname == "p1");
    CHECK(ports[2].port_no == 3);
    CHECK_FALSE(t.dp->add_port("p2").ok());
    CHECK(t.dp->del_port(2).ok());
    CHECK_FALSE(t.dp->del_port(2).ok());
    CHECK(t.dp->add_port("q").value() == 2);
    CHECK(t.dp->type() == "dummy");
    CHECK(t.dp->name() == "test");
    CHECK_FALSE(t.dp->receive("nope", tcp4()).ok());
    CHECK_FALSE(t.dp->take_tx("nope").ok());
}

TEST_CASE("megaflows: create, modify, delete, dump, flush") {
    Fixture t;
    auto m = match("in_port(1),eth(dst=00:00:00:00:00:0b)");
    CHECK(t.dp->put_flow(m.key, m.mask, actions("2"), PutMode::Create).ok());
    auto again = t.dp->put_flow(m.key, m.mask, actions("3"), PutMode::Create);
    REQUIRE_FALSE(again.ok());
    CHECK(again.message().find("already exists") != std::string::npos);
    auto m2 = match("in_port(1),eth(dst=00:00:00:00:00:0c)");
    CHECK_FALSE(t.dp->put_flow(m2.key, m2.mask, actions("3"), PutMode::Modify).ok());
    CHECK(t.dp->n_masks() == 1);  // the failed Modify left no mask behind

    // Traffic, then a Modify: the stats stay, the actions change.
    REQUIRE(t.dp->receive("p1", tcp4()).ok());
    CHECK(t.tx("p2").size() == 1);
    CHECK(t.dp->put_flow(m.key, m.mask, actions("3"), PutMode::Modify).ok());
    auto flows = t.dp->dump_flows();
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].stats.packets == 1);
    CHECK(flows[0].stats.bytes == tcp4().size());
    CHECK(flows[0].stats.tcp_flags == 0x18);
    CHECK(flows[0].stats.used_ns > 0);
    CHECK(flows[0].stats.used_ns <= xvs::monotonic_ns());
    CHECK(flows[0].actions.n == 1);
    CHECK(flows[0].actions.a[0].arg == 3);
    CHECK(std::memcmp(&flows[0].mask, &m.mask, sizeof m.mask) == 0);
    REQUIRE(t.dp->receive("p1", tcp4()).ok());
    CHECK(t.tx("p2").empty());
    CHECK(t.tx("p3").size() == 1);

    // A key with bits outside its mask is stored masked.
    xvs_flow_key k = m.key;
    k.tp_dst = htons(99);
    CHECK(t.dp->put_flow(k, m.mask, actions("2"), PutMode::CreateOrModify).ok());
    CHECK(t.dp->dump_flows().size() == 1);

    CHECK(t.dp->put_flow(m2.key, m2.mask, actions("2"), PutMode::Create).ok());
    auto m3 = match("in_port(1)");
    CHECK(t.dp->put_flow(m3.key, m3.mask, actions("drop"), PutMode::Create).ok());
    CHECK(t.dp->n_masks() == 2);
    CHECK(t.dp->dump_flows().size() == 3);
    CHECK(t.dp->del_flow(m.key, m.mask).ok());
    CHECK_FALSE(t.dp->del_flow(m.key, m.mask).ok());
    CHECK(t.dp->n_masks() == 2);
    CHECK(t.dp->del_flow(m2.key, m2.mask).ok());
    CHECK(t.dp->n_masks() == 1);
    CHECK(t.dp->rank_masks().ok());
    CHECK(t.dp->flush_flows().ok());
    CHECK(t.dp->dump_flows().empty());
    CHECK(t.dp->n_masks() == 0);
}

TEST_CASE("at most XVS_MAX_MASKS masks") {
    Fixture t;
    xvs_flow_key key{}, mask{};
    for (int i = 0; i < XVS_MAX_MASKS; i++) {
        mask.tp_src = htons(static_cast<uint16_t>(i + 1));
        REQUIRE(t.dp->put_flow(key, mask, actions("2"), PutMode::Create).ok());
    }
    mask.tp_src = htons(0xffff);
    auto s = t.dp->put_flow(key, mask, actions("2"), PutMode::Create);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("masks") != std::string::npos);
}

TEST_CASE("a miss queues an upcall with the key and the packet; recirc_id 0 off the wire") {
    Fixture t;
    int fd = t.dp->upcall_fd();
    REQUIRE(fd >= 0);
    CHECK_FALSE(fd_readable(fd));
    Bytes f = tcp4();
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(fd_readable(fd));
    auto ups = t.upcalls();
    CHECK_FALSE(fd_readable(fd));
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].hdr.type == XVS_UPCALL_MISS);
    CHECK(ups[0].hdr.in_port == 2);
    CHECK(ups[0].hdr.pkt_len == f.size());
    CHECK(ups[0].hdr.cap_len == f.size());
    CHECK(ups[0].packet == f);
    xvs_flow_key want = xvs::flow_extract(f, {2, 0});
    CHECK(std::memcmp(&ups[0].hdr.key, &want, sizeof want) == 0);
    CHECK(t.counter(XVS_CTR_RX) == 1);
    CHECK(t.counter(XVS_CTR_MISS) == 1);
    CHECK(t.counter(XVS_CTR_UPCALL) == 1);
    CHECK(t.counter(XVS_CTR_HIT) == 0);

    // A flow for recirc_id 1 does not match packets off the wire.
    t.flow("recirc_id(1),in_port(2)", "1");
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(t.upcalls().size() == 1);
    t.flow("in_port(2)", "1");
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(t.upcalls().empty());
    CHECK(t.tx("p1").size() == 1);
    CHECK(t.counter(XVS_CTR_HIT) == 1);

    // A big packet's upcall carries its first XVS_UPCALL_MAX_PKT bytes.
    Bytes big = PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(3000).build();
    REQUIRE(t.dp->receive("p3", big).ok());
    ups = t.upcalls();
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].hdr.pkt_len == big.size());
    CHECK(ups[0].hdr.cap_len == XVS_UPCALL_MAX_PKT);
    CHECK(ups[0].packet.size() == XVS_UPCALL_MAX_PKT);
}

TEST_CASE("recv_upcalls hands out at most max and stays readable while more wait") {
    Fixture t;
    for (int i = 0; i < 5; i++) REQUIRE(t.dp->receive("p1", tcp4()).ok());
    int n = t.dp->recv_upcalls(3, [](const Upcall&) {});
    CHECK(n == 3);
    CHECK(fd_readable(t.dp->upcall_fd()));
    CHECK(t.dp->recv_upcalls(3, [](const Upcall&) {}) == 2);
    CHECK_FALSE(fd_readable(t.dp->upcall_fd()));
}

TEST_CASE("output, several outputs, flood, drop, an empty list") {
    Fixture t;
    t.all("2,3,2");
    Bytes f = tcp4();
    REQUIRE(t.dp->receive("p1", f).ok());
    auto p2 = t.tx("p2");
    REQUIRE(p2.size() == 2);
    CHECK(p2[0] == f);
    CHECK(t.tx("p3").size() == 1);
    CHECK(t.tx("p2").empty());  // taken

    t.flow("in_port(2)", "flood(0)");
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(t.tx("p1").size() == 1);
    CHECK(t.tx("p2").empty());  // not back to the ingress port
    CHECK(t.tx("p3").size() == 1);

    t.flow("in_port(3)", "drop");
    REQUIRE(t.dp->receive("p3", f).ok());
    CHECK(t.drops(XVS_DROP_ACTION) == 1);
    CHECK(t.tx("p1").empty());

    auto stats = t.dp->port_stats("p2");
    REQUIRE(stats.ok());
    CHECK(stats->rx_packets == 1);
    CHECK(stats->tx_packets == 2);
    CHECK(stats->tx_bytes == 2 * f.size());

    // An output to a port that does not exist is counted.
    Fixture t2;
    t2.all("77");
    REQUIRE(t2.dp->receive("p1", PacketBuilder().eth(kB, kA).eth_type(0x88b5).payload(46).build()).ok());
    CHECK(t2.drops(XVS_DROP_BAD_PORT) == 1);
    CHECK(t2.drops(XVS_DROP_ACTION) == 1);  // nothing was sent
}

TEST_CASE("push_vlan and pop_vlan; later rewrites find the moved headers") {
    Fixture t;
    t.all("push_vlan(vid=10,pcp=3),2,set(ipv4(src=192.168.1.1)),pop_vlan,3");
    Bytes f = tcp4();
    REQUIRE(t.dp->receive("p1", f).ok());
    Bytes tagged = t.tx("p2").at(0);
    REQUIRE(tagged.size() == f.size() + 4);
    CHECK(xvs::test::get16(tagged, 12) == 0x8100);
    CHECK(xvs::test::get16(tagged, 14) == (3 << 13 | 10));
    CHECK(Bytes(tagged.begin() + 16, tagged.end()) == Bytes(f.begin() + 12, f.end()));
    auto k = parse(tagged);
    CHECK(ntohs(k.vlan_tci) == (0x1000 | 3 << 13 | 10));
    // The source was rewritten after the tag went on, then the tag came off.
    Bytes out = t.tx("p3").at(0);
    REQUIRE(out.size() == f.size());
    CHECK(ip4_of(parse(out).nw_src[0]) == "192.168.1.1");
    CHECK(ip4_of(parse(out).nw_dst[0]) == "10.0.0.2");
    CHECK(xvs::test::get16(out, 12) == 0x0800);
    check_sums(out);

    // Pop on an untagged frame does nothing; 802.1ad tags.
    t.flow("in_port(2)", "pop_vlan,push_vlan(tpid=0x88a8,vid=20,pcp=0),push_vlan(vid=30,pcp=0),1");
    REQUIRE(t.dp->receive("p2", f).ok());
    Bytes qinq = t.tx("p1").at(0);
    auto kq = parse(qinq);
    CHECK(ntohs(kq.vlan_tpid) == 0x8100);  // the last one pushed is outermost
    CHECK((ntohs(kq.vlan_tci) & 0xfff) == 30);
    CHECK(ntohs(kq.cvlan_tpid) == 0x88a8);
    CHECK((ntohs(kq.cvlan_tci) & 0xfff) == 20);
    CHECK(ntohs(kq.eth_type) == 0x0800);
}

TEST_CASE("set eth") {
    Fixture t;
    t.all("set(eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02)),2");
    Bytes out = t.through(tcp4());
    auto k = parse(out);
    CHECK(xvs::test::to_hex({k.eth_src, 6}) == "02 00 00 00 00 01");
    CHECK(xvs::test::to_hex({k.eth_dst, 6}) == "02 00 00 00 00 02");
    check_sums(out);
}

TEST_CASE("set ipv4 addresses: IPv4 and transport checksums follow") {
    for (auto [name, frame] : {std::pair{"tcp", tcp4()}, std::pair{"udp", udp4()}}) {
        CAPTURE(name);
        Fixture t;
        t.all("set(ipv4(src=172.16.5.4,dst=192.0.2.200)),2");
        Bytes out = t.through(frame);
        auto k = parse(out);
        CHECK(ip4_of(k.nw_src[0]) == "172.16.5.4");
        CHECK(ip4_of(k.nw_dst[0]) == "192.0.2.200");
        check_sums(out);
    }
    SUBCASE("tagged frames") {
        Fixture t;
        t.all("set(ipv4(dst=1.2.3.4)),2");
        Bytes f = PacketBuilder().eth(kA, kB).vlan(5).vlan(6).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).payload(5).build();
        Bytes out = t.through(f);
        CHECK(ip4_of(parse(out).nw_dst[0]) == "1.2.3.4");
        check_sums(out);
    }
    SUBCASE("UDP without a checksum keeps none") {
        Fixture t;
        t.all("set(ipv4(src=9.9.9.9)),set(udp(dst=5353)),2");
        Bytes f = udp4();
        auto lay = xvs::test::locate_layers(f);
        xvs::test::put16(f, lay->l4 + 6, 0);
        Bytes out = t.through(f);
        CHECK(xvs::test::get16(out, lay->l4 + 6) == 0);
        CHECK(port_of(parse(out).tp_dst) == 5353);
        check_sums(out);
    }
    SUBCASE("ICMP has no pseudo-header: its checksum is untouched") {
        Fixture t;
        t.all("set(ipv4(src=9.9.9.9)),2");
        Bytes f = PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").icmp(8, 0).payload(12).build();
        Bytes out = t.through(f);
        check_sums(out);
    }
    SUBCASE("a later fragment's payload is not touched") {
        Fixture t;
        t.all("set(ipv4(src=9.9.9.9)),2");
        Bytes f = PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2", 6).frag(100, false).payload(40).build();
        Bytes out = t.through(f);
        CHECK(xvs::test::ipv4_header_checksum_ok(out));
        auto lay = xvs::test::locate_layers(f);
        CHECK(Bytes(out.begin() + lay->l4, out.end()) == Bytes(f.begin() + lay->l4, f.end()));
    }
    SUBCASE("not IPv4: the packet is dropped (EDIT)") {
        Fixture t;
        t.all("set(ipv4(src=9.9.9.9)),2");
        REQUIRE(t.dp->receive("p1", tcp6()).ok());
        CHECK(t.tx("p2").empty());
        CHECK(t.drops(XVS_DROP_EDIT) == 1);
    }
}

TEST_CASE("set ipv4 tos and ttl, dec_ttl") {
    Fixture t;
    t.all("set(ipv4(tos=0xb8,ttl=33)),2,dec_ttl,3");
    Bytes out = t.through(tcp4());
    auto k = parse(out);
    CHECK(k.nw_tos == 0xb8);
    CHECK(k.nw_ttl == 33);
    check_sums(out);
    Bytes out3 = t.tx("p3").at(0);
    CHECK(parse(out3).nw_ttl == 32);
    check_sums(out3);

    // TTL 1 expires.
    t.flow("in_port(2)", "dec_ttl,1");
    Bytes f = PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").ttl(1).udp(1, 2).build();
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(t.tx("p1").empty());
    CHECK(t.drops(XVS_DROP_TTL) == 1);
}

TEST_CASE("set ipv6 addresses: TCP, UDP and ICMPv6 checksums follow") {
    for (auto [name, frame] : {std::pair{"tcp", tcp6()}, std::pair{"udp", udp6()}, std::pair{"icmpv6", icmp6()}}) {
        CAPTURE(name);
        Fixture t;
        t.all("set(ipv6(src=fe80::1234,dst=2001:db8:ffff::9)),2");
        Bytes out = t.through(frame);
        auto k = parse(out);
        auto want_src = xvs::test::ip6("fe80::1234"), want_dst = xvs::test::ip6("2001:db8:ffff::9");
        CHECK(std::memcmp(k.nw_src, want_src.data(), 16) == 0);
        CHECK(std::memcmp(k.nw_dst, want_dst.data(), 16) == 0);
        check_sums(out);
    }
}

TEST_CASE("set ipv6 tclass and hlimit, dec_ttl on IPv6") {
    Fixture t;
    Bytes f = PacketBuilder().eth(kA, kB).ipv6("2001:db8::1", "2001:db8::2").flow_label(0xabcde).udp(1, 2).build();
    t.all("set(ipv6(tclass=0x2e,hlimit=7)),2,dec_ttl,3");
    Bytes out = t.through(f);
    auto k = parse(out);
    CHECK(k.nw_tos == 0x2e);
    CHECK(k.nw_ttl == 7);
    CHECK(ntohl(k.ipv6_label) == 0xabcde);
    check_sums(out);
    CHECK(parse(t.tx("p3").at(0)).nw_ttl == 6);
}

TEST_CASE("set tcp/udp ports: transport checksums follow") {
    for (auto [name, frame] :
         {std::pair{"tcp4", tcp4()}, std::pair{"udp4", udp4()}, std::pair{"tcp6", tcp6()}, std::pair{"udp6", udp6()}}) {
        CAPTURE(name);
        Fixture t;
        bool tcp = std::string(name).starts_with("tcp");
        t.all(tcp ? "set(tcp(src=4321,dst=8080)),2" : "set(udp(src=4321,dst=8080)),2");
        Bytes out = t.through(frame);
        auto k = parse(out);
        CHECK(port_of(k.tp_src) == 4321);
        CHECK(port_of(k.tp_dst) == 8080);
        check_sums(out);
    }
    SUBCASE("SCTP and ICMP ports cannot be set (EDIT)") {
        Fixture t;
        t.all("set(tcp(src=1)),2");
        REQUIRE(t.dp->receive("p1", PacketBuilder().eth(kA, kB).ipv4("1.1.1.1", "2.2.2.2").sctp(1, 2).build()).ok());
        REQUIRE(t.dp->receive("p1", PacketBuilder().eth(kA, kB).ipv4("1.1.1.1", "2.2.2.2").icmp(8, 0).build()).ok());
        CHECK(t.tx("p2").empty());
        CHECK(t.drops(XVS_DROP_EDIT) == 2);
    }
}

TEST_CASE("many rewrites in a row keep every checksum right") {
    Fixture t;
    t.all(
        "push_vlan(vid=100,pcp=0),set(eth(src=02:00:00:00:00:09)),set(ipv4(src=10.1.1.1,dst=10.2.2.2,tos=4,ttl=9)),"
        "set(tcp(src=1,dst=2)),dec_ttl,2");
    Bytes out = t.through(PacketBuilder().eth(kA, kB).ipv4("10.0.0.1", "10.0.0.2").tcp(1000, 80).payload(101).build());
    auto k = parse(out);
    CHECK(ip4_of(k.nw_src[0]) == "10.1.1.1");
    CHECK(ip4_of(k.nw_dst[0]) == "10.2.2.2");
    CHECK(k.nw_ttl == 8);
    CHECK(k.nw_tos == 4);
    CHECK(port_of(k.tp_src) == 1);
    CHECK(port_of(k.tp_dst) == 2);
    CHECK((ntohs(k.vlan_tci) & 0xfff) == 100);
    check_sums(out);
}

TEST_CASE("meters: a packet-rate token bucket") {
    Fixture t;
    REQUIRE(t.dp->set_meter(7, 1, 2, true).ok());  // 1 packet/s, burst 2
    t.all("meter(7),2");
    for (int i = 0; i < 5; i++) REQUIRE(t.dp->receive("p1", tcp4()).ok());
    CHECK(t.tx("p2").size() == 2);
    CHECK(t.drops(XVS_DROP_METER) == 3);
    REQUIRE(t.dp->set_meter(7, 0, 0, false).ok());  // removed: everything passes
    REQUIRE(t.dp->receive("p1", tcp4()).ok());
    CHECK(t.tx("p2").size() == 1);
    CHECK_FALSE(t.dp->set_meter(XVS_MAX_METERS, 1, 1, true).ok());
}

TEST_CASE("recirculation re-parses the rewritten packet under the new recirc_id") {
    Fixture t;
    t.all("pop_vlan,recirc(5)");
    t.flow("recirc_id(5),in_port(1),eth_type(0x0800)", "3");
    Bytes f = PacketBuilder().eth(kA, kB).vlan(9).ipv4("10.0.0.1", "10.0.0.2").udp(1, 2).build();
    REQUIRE(t.dp->receive("p1", f).ok());
    auto out = t.tx("p3");
    REQUIRE(out.size() == 1);
    CHECK(parse(out[0]).vlan_tci == 0);
    CHECK(t.counter(XVS_CTR_RECIRC) == 1);

    // A miss after recirculation upcalls with the recirc_id in the key.
    REQUIRE(t.dp->receive("p1", PacketBuilder().eth(kA, kB).vlan(9).eth_type(0x88b5).payload(40).build()).ok());
    auto ups = t.upcalls();
    REQUIRE(ups.size() == 1);
    CHECK(ups[0].hdr.key.recirc_id == 5);

    // A loop ends after XVS_MAX_RECIRC passes.
    t.flow("recirc_id(6),in_port(2)", "recirc(6)");
    t.flow("in_port(2)", "recirc(6)");
    REQUIRE(t.dp->receive("p2", f).ok());
    CHECK(t.drops(XVS_DROP_RECIRC_LOOP) == 1);
}

TEST_CASE("userspace and sample actions queue upcalls with their cookie") {
    Fixture t;
    t.all("userspace(cookie=0x1234),sample(sample=100%,cookie=0x99),2");
    Bytes f = tcp4();
    REQUIRE(t.dp->receive("p1", f).ok());
    CHECK(t.tx("p2").size() == 1);
    auto ups = t.upcalls();
    REQUIRE(ups.size() == 2);
    CHECK(ups[0].hdr.type == XVS_UPCALL_ACTION);
    CHECK(ups[0].hdr.cookie == 0x1234);
    CHECK(ups[0].packet == f);
    CHECK(ups[1].hdr.type == XVS_UPCALL_SAMPLE);
    CHECK(ups[1].hdr.cookie == 0x99);
    CHECK(t.counter(XVS_CTR_SAMPLE) == 1);
}

TEST_CASE("execute: the actions on a given packet; meters and upcalls skipped, recirc refused") {
    Fixture t;
    REQUIRE(t.dp->set_meter(1, 1, 1, true).ok());
    auto r = t.dp->execute(1, tcp4(), actions("meter(1),set(ipv4(ttl=5)),2,meter(1),userspace(cookie=1),3"));
    REQUIRE(r.ok());
    CHECK(*r == 2);
    auto out = t.tx("p2").at(0);
    CHECK(parse(out).nw_ttl == 5);
    check_sums(out);
    CHECK(t.tx("p3").size() == 1);
    CHECK(t.upcalls().empty());
    CHECK(t.counter(XVS_CTR_EXEC) == 1);
    CHECK(t.counter(XVS_CTR_RX) == 0);

    auto rec = t.dp->execute(1, tcp4(), actions("recirc(3)"));
    REQUIRE_FALSE(rec.ok());
    CHECK(rec.message().find("recirculation") != std::string::npos);
    CHECK_FALSE(t.dp->execute(1, Bytes(10, 0), actions("2")).ok());
    // A stopping action ends the list: what was sent before counts.
    auto d = t.dp->execute(1, tcp6(), actions("2,set(ipv4(src=1.1.1.1)),3"));
    REQUIRE(d.ok());
    CHECK(*d == 1);
    // Samples the draw picks come back with the packet as edited so far,
    // as do userspace actions; no upcall.
    std::vector<std::pair<uint64_t, uint8_t>> got;  // (cookie, ttl)
    auto fn = [&](const xvs_action& a, std::span<const uint8_t> p) { got.emplace_back(a.u.cookie, parse(Bytes(p.begin(), p.end())).nw_ttl); };
    auto s = t.dp->execute(1, tcp4(),
                           actions("sample(sample=100%,cookie=0x1),set(ipv4(ttl=9)),sample(sample=0%,cookie=0x2),"
                                   "sample(sample=100%,cookie=0x3),userspace(cookie=0x4)"),
                           fn);
    REQUIRE(s.ok());
    CHECK(got == std::vector<std::pair<uint64_t, uint8_t>>{{1, 64}, {3, 9}, {4, 9}});
    CHECK(t.upcalls().empty());
}

namespace {

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint32_t le32(const std::vector<uint8_t>& b, size_t off) {
    uint32_t v;
    std::memcpy(&v, b.data() + off, 4);
    return v;
}

// The frames of a libpcap file (native byte order, Ethernet).
std::vector<Bytes> pcap_frames(const std::string& path) {
    auto b = read_file(path);
    REQUIRE(b.size() >= 24);
    CHECK(le32(b, 0) == 0xa1b2c3d4);
    CHECK(le32(b, 20) == 1);  // LINKTYPE_ETHERNET
    std::vector<Bytes> out;
    for (size_t off = 24; off < b.size();) {
        REQUIRE(off + 16 <= b.size());
        uint32_t len = le32(b, off + 8);
        CHECK(le32(b, off + 12) == len);
        REQUIRE(off + 16 + len <= b.size());
        out.emplace_back(b.begin() + static_cast<long>(off + 16), b.begin() + static_cast<long>(off + 16 + len));
        off += 16 + len;
    }
    return out;
}

}  // namespace

TEST_CASE("pcap files: tx_pcap, rxq_pcap, pcap; appended to, one record per frame") {
    char dir[] = "/tmp/xvs-dummy-test-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string d = dir;
    Fixture t;
    REQUIRE(t.dp->set_port_options(2, {{"tx_pcap", d + "/p2-tx.pcap"}}).ok());
    REQUIRE(t.dp->set_port_options(1, {{"rxq_pcap", d + "/p1-rx.pcap"}, {"tx_pcap", d + "/p1-tx.pcap"}}).ok());
    REQUIRE(t.dp->set_port_options(3, {{"pcap", d + "/p3.pcap"}}).ok());
    CHECK_FALSE(t.dp->set_port_options(3, {{"tx_pcap", d + "/no/such/dir.pcap"}}).ok());
    REQUIRE(t.dp->set_port_options(3, {{"pcap", d + "/p3.pcap"}}).ok());
    t.all("2,push_vlan(vid=10,pcp=0),2");
    t.flow("in_port(3)", "1");
    Bytes f = tcp4();
    REQUIRE(t.dp->receive("p1", f).ok());
    REQUIRE(t.dp->receive("p3", udp4()).ok());
    auto p2 = pcap_frames(d + "/p2-tx.pcap");
    REQUIRE(p2.size() == 2);
    CHECK(p2[0] == f);
    CHECK(p2[1].size() == f.size() + 4);
    auto p1rx = pcap_frames(d + "/p1-rx.pcap");
    REQUIRE(p1rx.size() == 1);
    CHECK(p1rx[0] == f);
    CHECK(pcap_frames(d + "/p1-tx.pcap").size() == 1);
    auto p3 = pcap_frames(d + "/p3.pcap");  // received and sent, one file
    REQUIRE(p3.size() == 1);
    CHECK(p3[0] == udp4());
    // The same options again change nothing; a new port appends.
    REQUIRE(t.dp->set_port_options(2, {{"tx_pcap", d + "/p2-tx.pcap"}}).ok());
    REQUIRE(t.dp->del_port(2).ok());
    REQUIRE(t.dp->add_port("p2").value() == 2);
    REQUIRE(t.dp->set_port_options(2, {{"tx_pcap", d + "/p2-tx.pcap"}}).ok());
    REQUIRE(t.dp->receive("p1", f).ok());
    CHECK(pcap_frames(d + "/p2-tx.pcap").size() == 4);
    for (const char* n : {"p2-tx.pcap", "p1-rx.pcap", "p1-tx.pcap", "p3.pcap"}) std::remove((d + "/" + n).c_str());
    rmdir(dir);
}
