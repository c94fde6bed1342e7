// The OpenFlow classifier: priorities, arbitrary masks, and the wildcards a
// lookup records (what translation turns into megaflow masks).
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include <array>
#include <memory>
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

namespace {

Match m_src(uint32_t src) {
    Flow f, m;
    f.pkt.eth_type = htons(0x0800);
    XVS_WC_FULL(m.pkt, eth_type);
    f.pkt.nw_src[0] = htonl(src);
    XVS_WC_FULL(m.pkt, nw_src[0]);
    return Match::make(f, m);
}

Match m_conj_id(uint32_t id) {
    Flow f, m;
    f.conj_id = id;
    m.conj_id = UINT32_MAX;
    return Match::make(f, m);
}

// A clause rule: conjunction(id, k/n) for each (id, k, n).
struct Clause : R {
    Clause(const Match& m, int prio, std::initializer_list<std::array<int, 3>> conjs) : R(m, prio, -1) {
        for (auto [id, k, n] : conjs)
            conj.push_back({static_cast<uint32_t>(id), static_cast<uint8_t>(k - 1), static_cast<uint8_t>(n)});
    }
};

}  // namespace

TEST_CASE("conjunctive matches: every clause must match at one priority") {
    // ovs-fields(7)'s example: source in {10.0.0.1, 10.0.0.4} and TCP port in {80, 443}.
    Classifier cls;
    R hit(m_conj_id(1234), 5, 1);
    R fallback(Match{}, 0, 2);
    Clause s1(m_src(0x0a000001), 100, {{1234, 1, 2}}), s4(m_src(0x0a000004), 100, {{1234, 1, 2}});
    Clause p80(m_tcp_port(80), 100, {{1234, 2, 2}}), p443(m_tcp_port(443), 100, {{1234, 2, 2}});
    for (R* r : std::initializer_list<R*>{&hit, &fallback, &s1, &s4, &p80, &p443}) cls.insert(r);
    auto tag = [&](const Flow& f, Flow* wc = nullptr) {
        const ClsRule* r = cls.lookup(f, wc);
        return r ? static_cast<const R*>(r)->tag : 0;
    };

    Flow wc;
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80), &wc) == 1);
    CHECK(tag(ip_flow(0x0a000004, 9, 6, 443)) == 1);
    // Both clauses were consulted: the megaflow pins source and port.
    CHECK(wc.pkt.nw_src[0] == 0xffffffffu);
    CHECK(wc.pkt.tp_dst == 0xffff);

    // One clause only: the conjunction is not satisfied.
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 22)) == 2);
    CHECK(tag(ip_flow(0x0a000002, 9, 6, 80)) == 2);
    CHECK(tag(ip_flow(0x0a000002, 9, 17, 80)) == 2);
    cls.remove(&fallback);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 22)) == 0);

    // A plain rule above the clauses wins; one below them does not.
    R above(m_dst(9, 32), 200, 3);
    cls.insert(&above);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80)) == 3);
    cls.remove(&above);
    R below(m_dst(9, 32), 3, 4);
    cls.insert(&below);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80)) == 1);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 22)) == 4);
    // The second lookup (conj_id=1234) takes the best rule there, as in
    // Open vSwitch: a plain rule above the conj_id rule wins it.
    R between(m_dst(9, 32), 50, 5);
    cls.insert(&between);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80)) == 5);
    cls.remove(&between);

    // No conj_id rule: satisfied, yet nothing matches conj_id=1234, so the
    // second lookup finds the best plain rule.
    cls.remove(&hit);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80)) == 4);

    // A packet never carries a conj_id: a conj_id rule alone matches nothing.
    cls.remove(&below);
    cls.insert(&hit);
    CHECK(tag(ip_flow(0x0a000009, 9, 6, 22)) == 0);
}

TEST_CASE("conjunctive matches: clauses at different priorities do not combine; shared clauses") {
    Classifier cls;
    R hit1(m_conj_id(1), 1, 1), hit2(m_conj_id(2), 1, 2);
    // Clause 1 of conjunction 1 at priority 100, clause 2 at 90: never both.
    Clause a(m_src(0x0a000001), 100, {{1, 1, 2}}), b(m_tcp_port(80), 90, {{1, 2, 2}});
    // One rule in two conjunctions.
    Clause c(m_dst(0x0a0000fe, 32), 80, {{2, 1, 3}, {3, 1, 2}});
    Clause d(m_src(0x0a000002), 80, {{2, 2, 3}});
    Clause e(m_tcp_port(22), 80, {{2, 3, 3}});
    for (R* r : std::initializer_list<R*>{&hit1, &hit2, &a, &b, &c, &d, &e}) cls.insert(r);
    auto tag = [&](const Flow& f) {
        const ClsRule* r = cls.lookup(f, nullptr);
        return r ? static_cast<const R*>(r)->tag : 0;
    };
    CHECK(tag(ip_flow(0x0a000001, 1, 6, 80)) == 0);
    CHECK(tag(ip_flow(0x0a000002, 0x0a0000fe, 6, 22)) == 2);
    CHECK(tag(ip_flow(0x0a000002, 0x0a0000fe, 6, 23)) == 0);  // 2 of 3 clauses
    CHECK(tag(ip_flow(0x0a000003, 0x0a0000fe, 6, 22)) == 0);
}

TEST_CASE("conjunctive matches: an unsatisfied clause gives way to its lower-priority twin") {
    Classifier cls;
    R hit(m_conj_id(7), 1, 1);
    Clause s(m_src(0x0a000001), 100, {{7, 1, 2}}), p(m_tcp_port(80), 100, {{7, 2, 2}});
    R twin(m_src(0x0a000001), 60, 2);     // same match as 's', plain, lower priority
    R other(m_tcp_port(22), 70, 3);       // plain, between the two
    R low(Match{}, 0, 4);
    for (R* r : std::initializer_list<R*>{&hit, &s, &p, &twin, &other, &low}) cls.insert(r);
    auto tag = [&](const Flow& f) { return static_cast<const R*>(cls.lookup(f, nullptr))->tag; };
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 80)) == 1);
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 443)) == 2);  // the twin
    CHECK(tag(ip_flow(0x0a000001, 9, 6, 22)) == 3);   // the plain rule beats the twin
    CHECK(tag(ip_flow(0x0a000005, 9, 6, 80)) == 4);
}

TEST_CASE("conjunctive matches: 64 clauses need all 64") {
    Classifier cls;
    R hit(m_conj_id(9), 1, 1);
    cls.insert(&hit);
    std::vector<std::unique_ptr<Clause>> clauses;
    // Clause k matches register 0 bit k-1 set.
    for (int k = 1; k <= 64; k++) {
        Flow f, m;
        f.regs[k <= 32 ? 0 : 1] = 1u << ((k - 1) % 32);
        m.regs[k <= 32 ? 0 : 1] = 1u << ((k - 1) % 32);
        clauses.push_back(std::make_unique<Clause>(Match::make(f, m), 10, std::initializer_list<std::array<int, 3>>{{9, k, 64}}));
        cls.insert(clauses.back().get());
    }
    Flow all;
    all.regs[0] = all.regs[1] = UINT32_MAX;
    CHECK(cls.lookup(all, nullptr) == &hit);
    Flow one_short = all;
    one_short.regs[1] = 0x7fffffff;
    CHECK(cls.lookup(one_short, nullptr) == nullptr);
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

    // Full: the port with the most entries gives one up (a tie goes to the
    // lower port), its least recently seen, so port 1's run of new
    // addresses evicts its own and b (port 10) stays.
    ml.set_max_entries(2);
    for (uint8_t i = 0; i < 5; i++) ml.learn(7, EthAddr{2, 0, 0, 0, 0, i}, 1, t0 + std::chrono::seconds(5 + i));
    CHECK(ml.size() == 2);
    CHECK(ml.lookup(7, EthAddr{2, 0, 0, 0, 0, 4}) != nullptr);
    CHECK(ml.lookup(7, EthAddr{2, 0, 0, 0, 0, 0}) == nullptr);
    CHECK(ml.lookup(1, b) != nullptr);
    CHECK(ml.flush_port(1) == 1);
    CHECK(ml.size() == 1);
}

TEST_CASE("MAC learning: a port flooding source addresses evicts its own entries") {
    MacLearning ml;
    auto t = MacLearning::Clock::now();
    auto mac = [](uint8_t port, uint8_t i) { return EthAddr{2, 0, 0, 0, port, i}; };
    ml.set_max_entries(4);
    for (uint8_t i = 0; i < 3; i++) ml.learn(0, mac(1, i), 1, t);
    ml.learn(0, mac(2, 0), 2, t);
    ml.learn(0, mac(1, 0), 1, t + std::chrono::seconds(1));  // port 1's most recent now
    for (uint8_t i = 0; i < 50; i++) ml.learn(0, mac(3, i), 3, t + std::chrono::seconds(2 + i));
    CHECK(ml.size() == 4);
    // Port 1 gave up its two least recently seen, then port 3 its own.
    CHECK(ml.lookup(0, mac(2, 0)) != nullptr);
    CHECK(ml.lookup(0, mac(1, 0)) != nullptr);
    CHECK(ml.lookup(0, mac(1, 1)) == nullptr);
    CHECK(ml.lookup(0, mac(1, 2)) == nullptr);
    CHECK(ml.lookup(0, mac(3, 49)) != nullptr);
    CHECK(ml.lookup(0, mac(3, 48)) != nullptr);
    CHECK(ml.lookup(0, mac(3, 47)) == nullptr);
    // A station move carries the entry over to its new port's count.
    CHECK(ml.learn(0, mac(3, 49), 2, t + std::chrono::seconds(60)));
    ml.learn(0, mac(4, 0), 4, t + std::chrono::seconds(61));  // ports 1:1, 2:2, 3:1 -> port 2's oldest goes
    CHECK(ml.lookup(0, mac(2, 0)) == nullptr);
    CHECK(ml.lookup(0, mac(3, 49))->port == 2);
    CHECK(ml.flush_port(2) == 1);
    CHECK(ml.flush_port(3) == 1);
}
