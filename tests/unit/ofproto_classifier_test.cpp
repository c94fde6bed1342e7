// The OpenFlow classifier: priorities, arbitrary masks, and the wildcards a
// lookup records (what translation turns into megaflow masks).
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <random>

#include "ofproto/classifier.h"
#include "ofproto/mac_learning.h"

using namespace xvs::ofproto;

namespace {

struct R : ClsRule {
    int tag;
    R(const Match& m, int prio, int t) : tag(t) {
        match = m;
        priority = prio;
    }
};

Flow ip_flow(uint32_t src, uint32_t dst, uint8_t proto = 6, uint16_t dport = 80) {
    Flow f;
    f.in_port = 1;
    f.pkt.eth_type = htons(0x0800);
    f.pkt.nw_src[0] = htonl(src);
    f.pkt.nw_dst[0] = htonl(dst);
    f.pkt.nw_proto = proto;
    f.pkt.tp_dst = htons(dport);
    return f;
}

Match m_dst(uint32_t dst, int plen) {
    Flow f, m;
    f.pkt.eth_type = htons(0x0800);
    XVS_WC_FULL(m.pkt, eth_type);
    f.pkt.nw_dst[0] = htonl(dst);
    m.pkt.nw_dst[0] = htonl(plen ? ~0u << (32 - plen) : 0);
    return Match::make(f, m);
}

Match m_tcp_port(uint16_t port) {
    Flow f, m;
    f.pkt.eth_type = htons(0x0800);
    XVS_WC_FULL(m.pkt, eth_type);
    f.pkt.nw_proto = 6;
    XVS_WC_FULL(m.pkt, nw_proto);
    f.pkt.tp_dst = htons(port);
    XVS_WC_FULL(m.pkt, tp_dst);
    return Match::make(f, m);
}

}  // namespace

TEST_CASE("highest priority wins across subtables") {
    Classifier cls;
    R any(Match{}, 0, 1);
    R net(m_dst(0x0a000000, 8), 10, 2);
    R host(m_dst(0x0a000001, 32), 20, 3);
    R web(m_tcp_port(80), 15, 4);
    for (R* r : {&any, &net, &host, &web}) CHECK(cls.insert(r) == nullptr);
    CHECK(cls.size() == 4);
    CHECK(cls.n_subtables() == 4);

    auto tag = [&](const Flow& f) { return static_cast<const R*>(cls.lookup(f, nullptr))->tag; };
    CHECK(tag(ip_flow(1, 0x0a000001)) == 3);
    CHECK(tag(ip_flow(1, 0x0a000002, 6, 80)) == 4);
    CHECK(tag(ip_flow(1, 0x0a000002, 6, 22)) == 2);
    CHECK(tag(ip_flow(1, 0x0b000002, 17, 80)) == 1);

    cls.remove(&host);
    CHECK(tag(ip_flow(1, 0x0a000001, 6, 80)) == 4);
    cls.remove(&web);
    cls.remove(&net);
    CHECK(tag(ip_flow(1, 0x0a000001, 6, 80)) == 1);
    cls.remove(&any);
    CHECK(cls.lookup(ip_flow(1, 2), nullptr) == nullptr);
    CHECK(cls.n_subtables() == 0);
}

TEST_CASE("inserting an identical match and priority replaces") {
    Classifier cls;
    R a(m_dst(0x0a000001, 32), 5, 1), b(m_dst(0x0a000001, 32), 5, 2), c(m_dst(0x0a000001, 32), 6, 3);
    CHECK(cls.insert(&a) == nullptr);
    CHECK(cls.insert(&b) == &a);
    CHECK(cls.insert(&c) == nullptr);
    CHECK(cls.size() == 2);
    CHECK(cls.find_exactly(m_dst(0x0a000001, 32), 5) == &b);
    CHECK(cls.find_exactly(m_dst(0x0a000001, 32), 7) == nullptr);
}

TEST_CASE("a lookup records exactly the subtables it had to consult") {
    Classifier cls;
    R any(Match{}, 0, 1);
    R host(m_dst(0x0a000001, 32), 20, 3);
    cls.insert(&any);
    cls.insert(&host);

    // Hit in the highest-priority subtable: its whole mask, nothing else.
    Flow wc;
    cls.lookup(ip_flow(1, 0x0a000001), &wc);
    CHECK(wc.pkt.nw_dst[0] == 0xffffffffu);
    CHECK(wc.pkt.eth_type == 0xffff);
    CHECK(wc.pkt.tp_dst == 0);
    CHECK(wc.pkt.nw_src[0] == 0);

    // A non-IP packet misses the host subtable at its L2 stage: only
    // eth_type is consulted, not the IP destination.
    Flow arp;
    arp.pkt.eth_type = htons(0x0806);
    arp.pkt.nw_dst[0] = htonl(0x0a000001);
    Flow wc2;
    CHECK(static_cast<const R*>(cls.lookup(arp, &wc2))->tag == 1);
    CHECK(wc2.pkt.eth_type == 0xffff);
    CHECK(wc2.pkt.nw_dst[0] == 0);
}

TEST_CASE("lookups stop at subtables that cannot beat the match") {
    Classifier cls;
    R high(m_tcp_port(80), 100, 1);
    R low(m_dst(0x0a000001, 32), 1, 2);
    cls.insert(&high);
    cls.insert(&low);
    Flow wc;
    CHECK(static_cast<const R*>(cls.lookup(ip_flow(1, 0x0a000001, 6, 80), &wc))->tag == 1);
    CHECK(wc.pkt.nw_dst[0] == 0);  // the low-priority subtable was never visited
    CHECK(wc.pkt.tp_dst == 0xffff);
}

TEST_CASE("random rule sets agree with a linear scan") {
    std::mt19937 rng(7);
    Classifier cls;
    std::vector<std::unique_ptr<R>> rules;
    for (int i = 0; i < 300; i++) {
        uint32_t dst = 0x0a000000 | (rng() & 0xff);
        int plen = 24 + static_cast<int>(rng() % 9);
        Match m = m_dst(dst, plen);
        if (rng() % 3 == 0) {
            m.mask.pkt.tp_dst = 0xffff;
            m.flow.pkt.tp_dst = htons(static_cast<uint16_t>(rng() % 4));
        }
        int prio = static_cast<int>(rng() % 1000) * 2 + (i & 1);  // distinct enough
        auto r = std::make_unique<R>(m, prio, i);
        if (cls.find_exactly(r->match, prio)) continue;
        cls.insert(r.get());
        rules.push_back(std::move(r));
    }
    for (int i = 0; i < 2000; i++) {
        Flow f = ip_flow(1, 0x0a000000 | (rng() & 0xff), 6, static_cast<uint16_t>(rng() % 4));
        const R* want = nullptr;
        for (const auto& r : rules)
            if (r->match.matches(f) && (!want || r->priority > want->priority)) want = r.get();
        Flow wc;
        const auto* got = static_cast<const R*>(cls.lookup(f, &wc));
        REQUIRE(bool(got) == bool(want));
        if (!got) continue;
        CHECK(got->priority == want->priority);
        // Any flow that agrees with f on the recorded bits gets the same
        // answer: the megaflow property.
        Flow g = f;
        auto gw = flow_words(g);
        auto fw = flow_words(f);
        auto ww = flow_words(wc);
        for (size_t w = 0; w < kFlowWords; w++) {
            uint64_t noise = (uint64_t(rng()) << 32) | rng();
            gw[w] = (fw[w] & ww[w]) | (noise & ~ww[w]);
        }
        CHECK(cls.lookup(g, nullptr) == got);
    }
}

TEST_CASE("MAC learning: moves, aging and the size limit") {
    MacLearning ml;
    auto t0 = MacLearning::Clock::now();
    EthAddr a{0, 1, 2, 3, 4, 5}, b{0, 1, 2, 3, 4, 6};
    CHECK(ml.learn(1, a, 10, t0));
    CHECK_FALSE(ml.learn(1, a, 10, t0));  // refresh only
    CHECK(ml.learn(2, a, 11, t0));        // another VLAN is another entry
    CHECK(ml.lookup(1, a)->port == 10);
    CHECK(ml.learn(1, a, 12, t0));        // station move
    CHECK(ml.lookup(1, a)->port == 12);

    ml.set_aging(std::chrono::seconds(5));
    ml.learn(1, b, 10, t0 + std::chrono::seconds(4));
    CHECK(ml.expire(t0 + std::chrono::seconds(6)) == 2);
    CHECK(ml.lookup(1, a) == nullptr);
    CHECK(ml.lookup(1, b) != nullptr);

    ml.set_max_entries(2);
    for (uint8_t i = 0; i < 5; i++) ml.learn(7, EthAddr{2, 0, 0, 0, 0, i}, 1, t0 + std::chrono::seconds(5 + i));
    CHECK(ml.size() == 2);
    CHECK(ml.lookup(7, EthAddr{2, 0, 0, 0, 0, 4}) != nullptr);
    CHECK(ml.lookup(7, EthAddr{2, 0, 0, 0, 0, 0}) == nullptr);
    CHECK(ml.flush_port(1) == 2);
}
