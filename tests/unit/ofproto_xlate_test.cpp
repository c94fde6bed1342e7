// Translation: NORMAL switching with VLANs, learning, OpenFlow actions,
// patch ports, and the megaflow masks translation produces.
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include "tests/unit/ofp_test_util.h"

#include "compiler/dp_flow_text.h"
#include <map>

#include "ofproto/sflow.h"
#include "ofproto/xlate.h"

using namespace xvs::ofproto;

namespace {

struct TestBridge {
    Pipeline pipeline;
    MacLearning mac;
    XBridge br;
    XlateWorld world;

    explicit TestBridge(std::string name = "br0") {
        br.name = std::move(name);
        br.pipeline = &pipeline;
        br.mac = &mac;
        pipeline.add(0, Match{}, 0, {ActOutput{kOfppNormal}});
        world.bridges[br.name] = &br;
    }
    void port(OfPort no, VlanMode mode, int tag, std::vector<int> trunks = {}) {
        XBundle b;
        b.id = no;
        b.name = "p" + std::to_string(no);
        b.mode = mode;
        b.tag = tag;
        b.all_trunks = trunks.empty();
        for (int t : trunks) b.trunks.set(t);
        b.members = {no};
        br.bundles[no] = b;
        XPort p;
        p.ofport = no;
        p.dp_port = 10u + no;
        p.name = b.name;
        p.bundle = no;
        br.ports[no] = p;
        world.ifaces[p.name] = {&br, no};
    }
    XlateOut run(const Flow& f, bool learn = true) {
        XlateIn in;
        in.world = &world;
        in.bridge = &br;
        in.flow = f;
        in.may_learn = learn;
        return xlate(in);
    }
};

Flow eth(OfPort in_port, uint8_t src, uint8_t dst, int vid = -1, uint16_t tpid = 0x8100) {
    Flow f;
    f.in_port = in_port;
    f.pkt.in_port = 10u + in_port;
    uint8_t s[6] = {0x02, 0, 0, 0, 0, src}, d[6] = {0x02, 0, 0, 0, 0, dst};
    if (dst == 0xff) std::memset(d, 0xff, 6);
    std::memcpy(f.pkt.eth_src, s, 6);
    std::memcpy(f.pkt.eth_dst, d, 6);
    f.pkt.eth_type = htons(0x0800);
    f.pkt.nw_src[0] = htonl(0x0a000001);
    f.pkt.nw_proto = 17;
    if (vid >= 0) {
        f.pkt.vlan_tci = htons(static_cast<uint16_t>(vid | kVlanCfi));
        f.pkt.vlan_tpid = htons(tpid);
    }
    return f;
}

// A TCP segment from 10.0.0.1:sport to port 80, on port 1.
Flow tcp_from(uint16_t sport) {
    Flow f = eth(1, 1, 2);
    f.pkt.nw_proto = 6;
    f.pkt.tp_src = htons(sport);
    f.pkt.tp_dst = htons(80);
    return f;
}

std::string acts(const XlateOut& o) {
    xvs_action_list l{};
    l.n = static_cast<uint16_t>(o.actions.size());
    std::copy(o.actions.begin(), o.actions.end(), l.a);
    return xvs::format_dp_actions(l);
}

}  // namespace

TEST_CASE("NORMAL floods within the VLAN and converts tags per port") {
    TestBridge t;
    t.port(1, VlanMode::Access, 10);
    t.port(2, VlanMode::Access, 10);
    t.port(3, VlanMode::Access, 20);
    t.port(4, VlanMode::Trunk, -1);
    t.port(5, VlanMode::Trunk, -1, {20});
    t.port(6, VlanMode::NativeUntagged, 10, {20});
    t.port(7, VlanMode::NativeTagged, 10, {20});

    auto o = t.run(eth(1, 1, 0xff));
    CHECK(acts(o) == "12,push_vlan(vid=10,pcp=0),14,pop_vlan,16,push_vlan(vid=10,pcp=0),17");
    CHECK(o.mac_changed);
    REQUIRE(t.mac.lookup(10, EthAddr{2, 0, 0, 0, 0, 1}));
    CHECK(t.mac.lookup(10, EthAddr{2, 0, 0, 0, 0, 1})->port == 1);

    // The megaflow pins L2 and the port, not the IP fields NORMAL ignores.
    xvs_flow_key m = megaflow_mask(o);
    CHECK(m.in_port == 0xffffffffu);
    CHECK(m.eth_src[0] == 0xff);
    CHECK(m.eth_dst[5] == 0xff);
    CHECK(m.vlan_tci == 0xffff);
    CHECK(m.nw_src[0] == 0);
    CHECK(m.nw_proto == 0);

    // Unicast back to the learned address from the trunk, tagged 10.
    auto back = t.run(eth(4, 9, 1, 10));
    CHECK(acts(back) == "pop_vlan,11");
    CHECK(t.mac.lookup(10, EthAddr{2, 0, 0, 0, 0, 9})->port == 4);

    // VLAN 20 from the restricted trunk.
    CHECK(acts(t.run(eth(5, 3, 0xff, 20))) == "pop_vlan,13,push_vlan(vid=20,pcp=0),14,16,17");
    // ... and VLAN 10 is not allowed on it.
    CHECK(t.run(eth(5, 3, 0xff, 10)).actions.empty());
}

TEST_CASE("NORMAL drops what a port must not accept, and does not learn from it") {
    TestBridge t;
    t.port(1, VlanMode::Access, 10);
    t.port(2, VlanMode::Access, 10);
    auto o = t.run(eth(1, 5, 0xff, 10));  // tagged frame on an access port
    CHECK(o.actions.empty());
    CHECK(t.mac.size() == 0);

    Flow bpdu = eth(1, 5, 0);
    uint8_t stp[6] = {0x01, 0x80, 0xc2, 0, 0, 0};
    std::memcpy(bpdu.pkt.eth_dst, stp, 6);
    CHECK(t.run(bpdu).actions.empty());
    t.br.forward_bpdu = true;
    CHECK(acts(t.run(bpdu)) == "12");

    Flow mcast_src = eth(1, 5, 0xff);
    mcast_src.pkt.eth_src[0] = 0x01;
    CHECK(t.run(mcast_src).actions.empty());
}

TEST_CASE("unicast to a learned port; station moves; input port") {
    TestBridge t;
    t.port(1, VlanMode::Access, 0);
    t.port(2, VlanMode::Access, 0);
    t.port(3, VlanMode::Access, 0);
    t.run(eth(1, 1, 0xff));
    t.run(eth(2, 2, 0xff));
    CHECK(acts(t.run(eth(2, 2, 1))) == "11");
    CHECK(acts(t.run(eth(1, 1, 3))) == "12,13");  // unknown: flood
    // 1 moves to port 3.
    auto mv = t.run(eth(3, 1, 2));
    CHECK(mv.mac_changed);
    CHECK(acts(t.run(eth(2, 2, 1))) == "13");
    // Destination learned on the input port: dropped.
    CHECK(t.run(eth(3, 2, 1)).actions.empty());
    CHECK(acts(t.run(eth(1, 9, 1))) == "13");
    // Without learning (revalidation), nothing changes in the table.
    size_t n = t.mac.size();
    t.run(eth(1, 77, 2), false);
    CHECK(t.mac.size() == n);
}

TEST_CASE("dot1q-tunnel pushes an S-tag toward trunks and strips it back") {
    TestBridge t;
    t.port(1, VlanMode::Dot1qTunnel, 100);
    t.port(2, VlanMode::Trunk, -1);
    // Customer frame with C-tag 5 enters the tunnel port.
    CHECK(acts(t.run(eth(1, 1, 0xff, 5))) == "push_vlan(vid=100,pcp=0,tpid=0x88a8),12");
    // The S-tagged frame comes back on the trunk: the S-tag goes.
    Flow f = eth(2, 2, 1, 100, 0x88a8);
    f.pkt.cvlan_tci = htons(5 | kVlanCfi);
    f.pkt.cvlan_tpid = htons(0x8100);
    CHECK(acts(t.run(f)) == "pop_vlan,11");
}

TEST_CASE("the customer VLAN: access ports take none, dot1q-tunnel ports only their cvlans") {
    TestBridge t;
    t.port(1, VlanMode::Access, 10);
    t.port(2, VlanMode::Trunk, -1);
    t.port(3, VlanMode::Dot1qTunnel, 10);
    t.port(4, VlanMode::Dot1qTunnel, 10);
    t.br.bundles[4].all_cvlans = false;
    t.br.bundles[4].cvlans.set(100);
    // VLAN 10 carrying customer VLAN 100, from the trunk: not to the access
    // port; the megaflow matches the customer tag it decided on.
    Flow f = eth(2, 2, 0xff, 10);
    f.pkt.cvlan_tci = htons(100 | kVlanCfi);
    f.pkt.cvlan_tpid = htons(0x8100);
    auto o = t.run(f);
    CHECK(acts(o) == "pop_vlan,13,14");
    CHECK(megaflow_mask(o).cvlan_tci == 0xffff);
    // Customer VLAN 300: not in port 4's cvlans.
    f.pkt.cvlan_tci = htons(300 | kVlanCfi);
    CHECK(acts(t.run(f)) == "pop_vlan,13");
    // No customer tag: the access port, and not port 4 (VLAN 0 is no cvlan).
    CHECK(acts(t.run(eth(2, 3, 0xff, 10))) == "pop_vlan,11,13");
    // Unicast to a station on the access port: no tag leaves it.
    t.run(eth(1, 1, 0xff));
    f.pkt.eth_dst[5] = 1;
    f.pkt.eth_dst[0] = 0x02;
    std::memset(f.pkt.eth_dst + 1, 0, 4);
    CHECK(acts(t.run(f)) == "pop_vlan,pop_vlan,11");
}

TEST_CASE("OpenFlow actions: resubmit, edits committed at output, drop on table miss") {
    TestBridge t;
    t.port(1, VlanMode::Trunk, -1);
    t.port(2, VlanMode::Trunk, -1);
    t.pipeline.clear();
    Flow mf, mm;
    mf.in_port = 1;
    mm.in_port = 0xffff;
    t.pipeline.add(0, Match::make(mf, mm), 10,
                   {ActSetEth{false, EthAddr{0xaa, 0, 0, 0, 0, 1}}, ActDecTtl{}, ActResubmit{kOfppInPort, 1}});
    t.pipeline.add(1, Match{}, 0, {ActSetVlanVid{7}, ActOutput{2}});
    Flow f = eth(1, 1, 2);
    f.pkt.nw_ttl = 64;
    auto o = t.run(f);
    CHECK(acts(o) == "push_vlan(vid=7,pcp=0),set(eth(src=aa:00:00:00:00:01)),set(ipv4(ttl=63)),12");
    CHECK(o.rules.size() == 2);
    xvs_flow_key m = megaflow_mask(o);
    CHECK(m.nw_ttl == 0xff);  // dec_ttl read it
    CHECK(m.eth_type == 0xffff);

    // TTL 1: dec_ttl stops the pipeline.
    f.pkt.nw_ttl = 1;
    CHECK(t.run(f).actions.empty());
    // in_port 2 misses table 0.
    CHECK(t.run(eth(2, 1, 2)).actions.empty());
}

TEST_CASE("patch ports carry the packet into the peer bridge") {
    TestBridge a("br-a"), b("br-b");
    a.port(1, VlanMode::Access, 0);
    b.port(1, VlanMode::Access, 0);
    // Patch pair: br-a port 9 <-> br-b port 9.
    XlateWorld world;
    world.bridges = {{"br-a", &a.br}, {"br-b", &b.br}};
    for (auto* t : {&a, &b}) {
        XBundle pb;
        pb.id = 9;
        pb.name = t->br.name + "-patch";
        pb.mode = VlanMode::Access;
        pb.tag = 0;
        pb.members = {9};
        t->br.bundles[9] = pb;
        XPort pp;
        pp.ofport = 9;
        pp.name = pb.name;
        pp.bundle = 9;
        pp.patch_peer = t == &a ? "br-b-patch" : "br-a-patch";
        t->br.ports[9] = pp;
        world.ifaces[pp.name] = {&t->br, 9};
    }
    world.ifaces["p1-a"] = {&a.br, 1};
    XlateIn in;
    in.world = &world;
    in.bridge = &a.br;
    in.flow = eth(1, 1, 0xff);
    in.trace = true;
    auto o = xlate(in);
    // Flooded in br-a to the patch port, then in br-b to its port 1 (dp 11).
    CHECK(acts(o) == "11");
    CHECK(b.mac.lookup(0, EthAddr{2, 0, 0, 0, 0, 1}) != nullptr);
    bool saw_peer = false;
    for (const auto& l : o.trace) saw_peer |= l.find("bridge(\"br-b\")") != std::string::npos;
    CHECK(saw_peer);
}

namespace {

OfpBucket bucket(uint32_t id, OfActions acts, uint16_t weight = 0, uint32_t watch_port = 0xffffffff) {
    OfpBucket b;
    b.bucket_id = id;
    b.actions = std::move(acts);
    b.weight = weight;
    b.watch_port = watch_port;
    return b;
}

void add_group(Pipeline& p, uint32_t id, GroupType type, std::vector<OfpBucket> buckets) {
    OfGroup g;
    g.id = id;
    g.type = type;
    g.buckets = std::move(buckets);
    g.bucket_stats.assign(g.buckets.size(), {0, 0});
    p.groups[id] = g;
}

}  // namespace

TEST_CASE("groups: all copies the packet per bucket, indirect runs its one bucket") {
    TestBridge t;
    for (OfPort p = 1; p <= 3; p++) t.port(p, VlanMode::Trunk, -1);
    t.pipeline.clear();
    // Bucket 0 rewrites the source before its output; bucket 1 sees the
    // packet as it entered the group.
    const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x77};
    ActSetEth set{.dst = false};
    std::copy(mac, mac + 6, set.addr.begin());
    add_group(t.pipeline, 1, GroupType::All, {bucket(0, {ActOutput{2}, set}), bucket(1, {ActOutput{3}})});
    add_group(t.pipeline, 2, GroupType::Indirect, {bucket(0, {ActOutput{3}})});
    t.pipeline.add(0, Match{}, 1, {ActGroup{1}, ActGroup{2}});
    auto o = t.run(eth(1, 1, 2));
    // The action set order puts the rewrite before the output.
    CHECK(acts(o) == "set(eth(src=02:00:00:00:00:77)),12,set(eth(src=02:00:00:00:00:01)),13,13");
    REQUIRE(o.groups.size() == 3);
    CHECK(o.groups[0] == GroupHit{"br0", 1, 0});
    CHECK(o.groups[1] == GroupHit{"br0", 1, 1});
    CHECK(o.groups[2] == GroupHit{"br0", 2, 0});
}

TEST_CASE("groups: select spreads flows over live buckets by weight, pinning what it hashed") {
    TestBridge t;
    for (OfPort p = 1; p <= 4; p++) t.port(p, VlanMode::Trunk, -1);
    t.pipeline.clear();
    add_group(t.pipeline, 7, GroupType::Select,
              {bucket(0, {ActOutput{2}}, 1), bucket(1, {ActOutput{3}}, 1), bucket(2, {ActOutput{4}}, 0)});
    t.pipeline.add(0, Match{}, 1, {ActGroup{7}});
    std::map<std::string, int> seen;
    for (uint16_t port = 1000; port < 1200; port++) {
        Flow f = tcp_from(port);
        auto o = t.run(f);
        seen[acts(o)]++;
        xvs_flow_key m = megaflow_mask(o);
        CHECK(m.tp_src == 0xffff);
        CHECK(m.nw_dst[0] == 0xffffffffu);
        // The same flow always takes the same bucket.
        CHECK(acts(t.run(f)) == acts(o));
    }
    // Weight 0 never; the two others both, roughly evenly.
    CHECK(seen.count("14") == 0);
    REQUIRE(seen.size() == 2);
    CHECK(seen["12"] > 60);
    CHECK(seen["13"] > 60);

    // A bucket watching a port that is down is skipped.
    t.pipeline.groups[7].buckets[0].watch_port = 2;
    t.br.ports[2].live = false;
    for (uint16_t port = 1000; port < 1050; port++) {
        Flow f = eth(1, 1, 2);
        f.pkt.nw_proto = 6;
        f.pkt.tp_src = htons(port);
        CHECK(acts(t.run(f)) == "13");
    }
}

TEST_CASE("groups: fast failover takes the first live bucket; none live drops") {
    TestBridge t;
    for (OfPort p = 1; p <= 3; p++) t.port(p, VlanMode::Trunk, -1);
    t.pipeline.clear();
    add_group(t.pipeline, 3, GroupType::FastFailover,
              {bucket(0, {ActOutput{2}}, 0, 2), bucket(1, {ActOutput{3}}, 0, 3)});
    t.pipeline.add(0, Match{}, 1, {ActGroup{3}});
    CHECK(acts(t.run(eth(1, 1, 2))) == "12");
    t.br.ports[2].live = false;
    CHECK(acts(t.run(eth(1, 1, 2))) == "13");
    t.br.ports[3].live = false;
    CHECK(acts(t.run(eth(1, 1, 2))) == "drop");
    // A group chained in a bucket.
    add_group(t.pipeline, 4, GroupType::Indirect, {bucket(0, {ActGroup{3}})});
    t.br.ports[2].live = true;
    t.pipeline.clear();
    t.pipeline.add(0, Match{}, 1, {ActGroup{4}});
    CHECK(acts(t.run(eth(1, 1, 2))) == "12");
}

TEST_CASE("clone: its actions see a copy; the packet as it was comes back after them") {
    TestBridge t;
    for (OfPort p = 1; p <= 3; p++) t.port(p, VlanMode::Trunk, -1);
    t.pipeline.clear();
    ActSetEth set{.dst = false};
    const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x77};
    std::copy(mac, mac + 6, set.addr.begin());
    OfActions inner = {set, ActSetVlanVid{9}, ActOutput{2}};
    t.pipeline.add(0, Match{}, 1, {ActClone{inner}, ActOutput{3}});
    auto o = t.run(eth(1, 1, 2));
    CHECK(acts(o) == "push_vlan(vid=9,pcp=0),set(eth(src=02:00:00:00:00:77)),12,pop_vlan,"
                     "set(eth(src=02:00:00:00:00:01)),13");
    // Registers set inside do not reach the actions after it.
    Flow rm, rv;
    rm.regs[0] = 0xffffffff;
    rv.regs[0] = 5;
    t.pipeline.clear();
    t.pipeline.add(0, Match{}, 1, xvs::test::parse("clone(load:5->NXM_NX_REG0[]),resubmit(,1)"));
    t.pipeline.add(1, Match::make(rv, rm), 10, {ActOutput{2}});
    t.pipeline.add(1, Match{}, 1, {ActOutput{3}});
    CHECK(acts(t.run(eth(1, 1, 2))) == "13");
}

TEST_CASE("multipath: the link goes into the register; symmetric; the megaflow pins what was hashed") {
    TestBridge t;
    for (OfPort p = 1; p <= 4; p++) t.port(p, VlanMode::Trunk, -1);
    t.pipeline.clear();
    t.pipeline.add(0, Match{}, 1, xvs::test::parse("multipath(symmetric_l4,7,modulo_n,3,0,NXM_NX_REG0[0..1]),resubmit(,1)"));
    for (uint32_t link = 0; link < 3; link++) {
        Flow rm, rv;
        rm.regs[0] = 3;
        rv.regs[0] = link;
        t.pipeline.add(1, Match::make(rv, rm), 10, {ActOutput{static_cast<OfPort>(2 + link)}});
    }
    std::map<std::string, int> seen;
    for (uint16_t port = 1000; port < 1150; port++) {
        Flow f = tcp_from(port);
        f.pkt.nw_dst[0] = htonl(0x0a000002);
        auto o = t.run(f);
        seen[acts(o)]++;
        xvs_flow_key m = megaflow_mask(o);
        CHECK(m.tp_src == 0xffff);
        CHECK(m.tp_dst == 0xffff);
        CHECK(m.nw_src[0] == 0xffffffffu);
        CHECK(m.nw_dst[0] == 0xffffffffu);
        CHECK(m.eth_src[0] == 0xff);
        // The reverse direction hashes the same.
        Flow r = f;
        std::swap(r.pkt.nw_src[0], r.pkt.nw_dst[0]);
        std::swap(r.pkt.tp_src, r.pkt.tp_dst);
        std::swap_ranges(r.pkt.eth_src, r.pkt.eth_src + 6, r.pkt.eth_dst);
        CHECK(acts(t.run(r)) == acts(o));
    }
    REQUIRE(seen.size() == 3);
    for (const auto& [a, n] : seen) CHECK(n > 25);
    // UDP ports are not part of symmetric_l4: not hashed, not pinned.
    Flow u = eth(1, 1, 2);
    u.pkt.tp_src = htons(5);
    auto o = t.run(u);
    CHECK(megaflow_mask(o).tp_src == 0);
    u.pkt.tp_src = htons(6);
    CHECK(acts(t.run(u)) == acts(o));
}

TEST_CASE("multipath: link algorithms") {
    // hash_threshold splits the hash range into equal parts.
    CHECK(multipath_link(0, MpAlgorithm::HashThreshold, 4, 0) == 0);
    CHECK(multipath_link(0x40000000, MpAlgorithm::HashThreshold, 4, 0) == 1);
    CHECK(multipath_link(UINT32_MAX, MpAlgorithm::HashThreshold, 4, 0) == 3);
    CHECK(multipath_link(UINT32_MAX, MpAlgorithm::HashThreshold, 1, 0) == 0);
    CHECK(multipath_link(10, MpAlgorithm::ModuloN, 4, 0) == 2);
    // hrw and iter_hash stay in range and use every link.
    for (auto alg : {MpAlgorithm::Hrw, MpAlgorithm::IterHash}) {
        for (unsigned n : {1u, 3u, 7u, 100u}) {
            std::vector<int> hits(n);
            for (uint32_t h = 0; h < 2000; h++) {
                uint16_t l = multipath_link(h * 2654435761u, alg, n, 0);
                REQUIRE(l < n);
                hits[l]++;
            }
            for (int x : hits) CHECK(x > 0);
        }
    }
    // hrw: adding a link moves only the flows that go to the new link.
    for (uint32_t h = 0; h < 500; h++) {
        uint16_t a = multipath_link(h * 2654435761u, MpAlgorithm::Hrw, 5, 0);
        uint16_t b = multipath_link(h * 2654435761u, MpAlgorithm::Hrw, 6, 0);
        CHECK((b == a || b == 5));
    }
}

TEST_CASE("sFlow: the sample action leads, its cookie names the output and its VLAN") {
    TestBridge b;
    b.port(1, VlanMode::Access, 10);
    b.port(2, VlanMode::Access, 10);
    b.port(3, VlanMode::Trunk, -1);
    b.br.sflow_probability = UINT32_MAX / 64;
    auto cookie_of = [](const XlateOut& o) {
        REQUIRE(!o.actions.empty());
        REQUIRE(o.actions.front().type == XVS_ACT_SAMPLE);
        CHECK(o.actions.front().arg == UINT32_MAX / 64);
        uint64_t c = o.actions.front().u.cookie;
        CHECK((c >> kSampleKindShift) == kSampleSflow);
        return c;
    };
    // Unknown destination: flooded to port 2 and (tagged) to the trunk.
    uint64_t c = cookie_of(b.run(eth(1, 1, 2)));
    CHECK(uint32_t(c) == (kSflowOutMultiple | 2));
    // Learned: one output, its datapath port; the packet left tagged 10.
    b.run(eth(3, 2, 1, 10));
    c = cookie_of(b.run(eth(1, 1, 2)));
    CHECK(uint32_t(c) == 13);
    CHECK(((c >> 32) & kVlanVidMask) == 10);
    // To an access port: untagged.
    c = cookie_of(b.run(eth(3, 2, 1, 10)));
    CHECK(uint32_t(c) == 11);
    CHECK(((c >> 32) & 0xffff) == 0);
    // Dropped (a tagged frame on an access port).
    c = cookie_of(b.run(eth(1, 1, 2, 20)));
    CHECK(uint32_t(c) == kSflowOutDropped);
    // No sFlow: no sample action.
    b.br.sflow_probability = 0;
    auto o = b.run(eth(1, 1, 2));
    CHECK(acts(o).find("sample") == std::string::npos);
}

TEST_CASE("OpenFlow sample: nothing without IPFIX; else a sample action where it stands, naming its spec") {
    TestBridge b;
    b.port(1, VlanMode::Trunk, -1);
    b.port(2, VlanMode::Trunk, -1);
    b.pipeline.clear();
    b.pipeline.add(0, Match{}, 1,
                   xvs::test::parse("mod_nw_tos:32,sample(probability=13107,collector_set_id=5,obs_domain_id=77,"
                                    "obs_point_id=99,sampling_port=2),output:2,"
                                    "sample(probability=65535,collector_set_id=6,obs_domain_id=1,obs_point_id=2,"
                                    "sampling_port=1,egress),sample(probability=1,collector_set_id=7,"
                                    "obs_domain_id=1,obs_point_id=2,sampling_port=9)"));
    std::vector<FlowSampleSpec> specs;
    auto run = [&] {
        XlateIn in;
        in.world = &b.world;
        in.bridge = &b.br;
        in.flow = eth(1, 1, 2);
        in.flow_sample = [&](const FlowSampleSpec& s) {
            specs.push_back(s);
            return (kSampleFlow << kSampleKindShift) | specs.size();
        };
        return xlate(in);
    };
    // The bridge has no IPFIX: the sample actions do nothing.
    CHECK(acts(run()) == "set(ipv4(tos=32)),12");
    CHECK(specs.empty());
    b.br.ipfix_flow = true;
    // The edit is committed before the first sample (it sees the packet as
    // edited); an unknown sampling port is no sample.
    CHECK(acts(run()) == "set(ipv4(tos=32)),sample(sample=20.0%,cookie=0x300000000000001),12,"
                         "sample(sample=100.0%,cookie=0x300000000000002)");
    REQUIRE(specs.size() == 2);
    CHECK(specs[0] == FlowSampleSpec{.bridge = "br0", .collector_set_id = 5, .obs_domain_id = 77, .obs_point_id = 99,
                                     .probability = 13107, .output = 12, .direction = ActSample::kDefault});
    // The sampling port is the input port: no output port.
    CHECK(specs[1] == FlowSampleSpec{.bridge = "br0", .collector_set_id = 6, .obs_domain_id = 1, .obs_point_id = 2,
                                     .probability = 65535, .output = kNoDpPort, .direction = ActSample::kEgress});
}

TEST_CASE("NetFlow's flood output: NORMAL flooding and output to FLOOD or ALL say so, a learned destination does not") {
    TestBridge b;
    for (OfPort p = 1; p <= 3; p++) b.port(p, VlanMode::Trunk, -1);
    CHECK(b.run(eth(1, 1, 2)).flooded);  // unknown destination
    b.run(eth(2, 2, 1));                  // learns 2's MAC
    auto o = b.run(eth(1, 1, 2));
    CHECK_FALSE(o.flooded);
    CHECK(o.of_outputs == std::vector<OfPort>{2});
    b.pipeline.clear();
    b.pipeline.add(0, Match{}, 1, xvs::test::parse("output:2,FLOOD"));
    CHECK(b.run(eth(1, 1, 2)).flooded);
    b.pipeline.clear();
    b.pipeline.add(0, Match{}, 1, xvs::test::parse("output:2,output:3"));
    o = b.run(eth(1, 1, 2));
    CHECK_FALSE(o.flooded);
    CHECK(o.of_outputs.size() == 2);
}
