// OpenFlow flow table semantics: add/modify/delete (strict and loose),
// cookies, out_port, overlap checks, statistics selection and timeouts.
#include <arpa/inet.h>
#include <doctest/doctest.h>

#include "ofproto/flow_table.h"

using namespace xvs::ofproto;

namespace {

// A match on eth_type (and optionally nw_proto).
Match match_ip(uint8_t proto = 0) {
    Flow f, m;
    f.pkt.eth_type = htons(0x0800);
    XVS_WC_FULL(m.pkt, eth_type);
    if (proto) {
        f.pkt.nw_proto = proto;
        XVS_WC_FULL(m.pkt, nw_proto);
    }
    return Match::make(f, m);
}

OfpFlowMod fm(FlowModCommand cmd, Match m, int32_t prio, OfActions acts = {}, uint64_t cookie = 0) {
    OfpFlowMod f;
    f.command = cmd;
    f.match = m;
    f.priority = prio;
    f.actions = std::move(acts);
    f.cookie = cookie;
    f.table_id = 0;
    return f;
}

size_t count(const Pipeline& p) { return p.n_rules(); }

}  // namespace

TEST_CASE("add replaces an identical rule and refuses table 255 in 1.1+") {
    Pipeline p;
    auto now = Clock::now();
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(), 10, {ActOutput{1}}), kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(), 10, {ActOutput{2}}), kOfp13, now).error);
    CHECK(count(p) == 1);
    auto stats = collect_flow_stats(p, OfpFlowStatsRequest{}, now);
    REQUIRE(stats.size() == 1);
    CHECK(stats[0].actions == OfActions{ActOutput{2}});

    auto bad = fm(FlowModCommand::Add, match_ip(), 10);
    bad.table_id = 0xff;
    auto r = apply_flow_mod(p, bad, kOfp13, now);
    REQUIRE(r.error);
    CHECK(r.error->err == OfpErr::OFPFMFC_BAD_TABLE_ID);
    // OpenFlow 1.0 has no table: "all" means table 0.
    CHECK(!apply_flow_mod(p, bad, kOfp10, now).error);
}

TEST_CASE("check_overlap refuses an overlapping rule of the same priority only") {
    Pipeline p;
    auto now = Clock::now();
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(), 10), kOfp13, now).error);
    auto o = fm(FlowModCommand::Add, match_ip(6), 10);
    o.flags = kFfCheckOverlap;
    auto r = apply_flow_mod(p, o, kOfp13, now);
    REQUIRE(r.error);
    CHECK(r.error->err == OfpErr::OFPFMFC_OVERLAP);
    o.priority = 11;
    CHECK(!apply_flow_mod(p, o, kOfp13, now).error);
    CHECK(count(p) == 2);
}

TEST_CASE("loose modify and delete select rules within the match; strict needs match and priority") {
    Pipeline p;
    auto now = Clock::now();
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(6), 10, {ActOutput{1}}), kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(17), 20, {ActOutput{1}}), kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, Match{}, 0, {ActOutput{kOfppNormal}}), kOfp13, now).error);

    // Loose modify on "ip" changes both IP rules, not the catch-all.
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Modify, match_ip(), 0, {ActOutput{3}}), kOfp13, now).error);
    int changed = 0;
    for (const auto& s : collect_flow_stats(p, OfpFlowStatsRequest{}, now))
        if (s.actions == OfActions{ActOutput{3}}) changed++;
    CHECK(changed == 2);

    // Strict delete with the wrong priority removes nothing.
    auto d = fm(FlowModCommand::DeleteStrict, match_ip(6), 11);
    CHECK(!apply_flow_mod(p, d, kOfp13, now).changed);
    d.priority = 10;
    CHECK(apply_flow_mod(p, d, kOfp13, now).changed);
    CHECK(count(p) == 2);

    // Loose delete of everything with out_port 3 leaves the NORMAL rule.
    auto all = fm(FlowModCommand::Delete, Match{}, 0);
    all.table_id = 0xff;
    all.out_port = 3;
    CHECK(apply_flow_mod(p, all, kOfp13, now).changed);
    REQUIRE(count(p) == 1);
    CHECK(collect_flow_stats(p, OfpFlowStatsRequest{}, now)[0].actions == OfActions{ActOutput{kOfppNormal}});
}

TEST_CASE("cookies select rules under a mask, and a modify selecting nothing without a cookie mask adds") {
    Pipeline p;
    auto now = Clock::now();
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(6), 10, {}, 0x100), kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(17), 10, {}, 0x200), kOfp13, now).error);
    auto d = fm(FlowModCommand::Delete, Match{}, 0);
    d.table_id = 0xff;
    d.match_cookie = 0x100;
    d.cookie_mask = 0xf00;
    CHECK(apply_flow_mod(p, d, kOfp13, now).changed);
    REQUIRE(count(p) == 1);
    CHECK(collect_flow_stats(p, OfpFlowStatsRequest{}, now)[0].cookie == 0x200);

    auto m = fm(FlowModCommand::Modify, match_ip(1), 5, {ActOutput{4}});
    CHECK(apply_flow_mod(p, m, kOfp13, now).changed);
    CHECK(count(p) == 2);
    m.cookie_mask = 0xffff;  // selecting by cookie never adds
    m.match = match_ip(2);
    CHECK(!apply_flow_mod(p, m, kOfp13, now).changed);
    CHECK(count(p) == 2);
}

TEST_CASE("deleting a rule with send_flow_rem reports it; timeouts expire rules") {
    Pipeline p;
    auto t0 = Clock::now();
    auto a = fm(FlowModCommand::Add, match_ip(6), 10);
    a.flags = kFfSendFlowRem;
    a.idle_timeout = 5;
    REQUIRE(!apply_flow_mod(p, a, kOfp13, t0).error);
    auto b = fm(FlowModCommand::Add, match_ip(17), 10);
    b.hard_timeout = 2;
    REQUIRE(!apply_flow_mod(p, b, kOfp13, t0).error);

    bool changed = false;
    auto gone = expire_rules(p, t0 + std::chrono::seconds(3), &changed);
    CHECK(changed);
    CHECK(gone.empty());  // the hard-timeout rule did not ask for a flow removed
    CHECK(count(p) == 1);

    gone = expire_rules(p, t0 + std::chrono::seconds(6), &changed);
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].reason == 0);  // OFPRR_IDLE_TIMEOUT
    CHECK(count(p) == 0);

    REQUIRE(!apply_flow_mod(p, a, kOfp13, t0).error);
    auto d = fm(FlowModCommand::Delete, Match{}, 0);
    d.table_id = 0xff;
    auto r = apply_flow_mod(p, d, kOfp13, t0);
    REQUIRE(r.removed.size() == 1);
    CHECK(r.removed[0].reason == 2);  // OFPRR_DELETE
}

TEST_CASE("group mods: add, modify, 1.5 bucket edits, and deletes that take their flows along") {
    Pipeline p;
    auto now = Clock::now();
    auto gm = [](GroupModCommand c, uint32_t id, std::vector<uint32_t> buckets) {
        OfpGroupMod m;
        m.command = c;
        m.type = GroupType::All;
        m.group_id = id;
        for (uint32_t b : buckets) m.buckets.push_back(OfpBucket{.bucket_id = b, .actions = {ActOutput{uint16_t(b + 1)}}});
        return m;
    };
    auto ids = [&](uint32_t g) {
        std::vector<uint32_t> v;
        for (const auto& b : p.groups.at(g).buckets) v.push_back(b.bucket_id);
        return v;
    };
    REQUIRE(!apply_group_mod(p, gm(GroupModCommand::Add, 1, {0, 1}), now).error);
    CHECK(apply_group_mod(p, gm(GroupModCommand::Add, 1, {0}), now).error->err == OfpErr::OFPGMFC_GROUP_EXISTS);
    CHECK(apply_group_mod(p, gm(GroupModCommand::Add, kOfpgAll, {0}), now).error->err == OfpErr::OFPGMFC_INVALID_GROUP);
    CHECK(apply_group_mod(p, gm(GroupModCommand::Modify, 9, {0}), now).error->err == OfpErr::OFPGMFC_UNKNOWN_GROUP);
    REQUIRE(!apply_group_mod(p, gm(GroupModCommand::AddOrModify, 9, {4}), now).error);
    CHECK(ids(9) == std::vector<uint32_t>{4});

    auto ins = gm(GroupModCommand::InsertBucket, 1, {5});
    ins.type = GroupType::Select;  // ignored: bucket edits keep the type
    ins.command_bucket_id = 0;     // after bucket 0
    REQUIRE(!apply_group_mod(p, ins, now).error);
    CHECK(ids(1) == std::vector<uint32_t>{0, 5, 1});
    CHECK(p.groups.at(1).type == GroupType::All);
    ins.command_bucket_id = kBucketFirst;
    CHECK(apply_group_mod(p, ins, now).error->err == OfpErr::OFPGMFC_BUCKET_EXISTS);
    ins.buckets[0].bucket_id = 7;
    REQUIRE(!apply_group_mod(p, ins, now).error);
    CHECK(ids(1) == std::vector<uint32_t>{7, 0, 5, 1});
    auto rm = gm(GroupModCommand::RemoveBucket, 1, {});
    rm.command_bucket_id = 5;
    REQUIRE(!apply_group_mod(p, rm, now).error);
    CHECK(ids(1) == std::vector<uint32_t>{7, 0, 1});
    rm.command_bucket_id = 42;
    CHECK(apply_group_mod(p, rm, now).error->err == OfpErr::OFPGMFC_UNKNOWN_BUCKET);
    rm.command_bucket_id = kBucketLast;
    REQUIRE(!apply_group_mod(p, rm, now).error);
    CHECK(ids(1) == std::vector<uint32_t>{7, 0});

    // Rules naming group 1 (directly or in write_actions) go with it.
    auto a = fm(FlowModCommand::Add, match_ip(6), 10, {ActGroup{1}});
    a.flags = kFfSendFlowRem;
    REQUIRE(!apply_flow_mod(p, a, kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(17), 10, {ActWriteActions{{ActGroup{1}}}}), kOfp13, now).error);
    REQUIRE(!apply_flow_mod(p, fm(FlowModCommand::Add, match_ip(1), 10, {ActGroup{9}}), kOfp13, now).error);
    auto st = collect_group_stats(p, kOfpgAll, now);
    REQUIRE(st.size() == 2);
    CHECK(st[0].group_id == 1);
    CHECK(st[0].ref_count == 2);
    CHECK(st[0].bucket_stats.size() == 2);
    auto del = apply_group_mod(p, gm(GroupModCommand::Delete, 1, {}), now);
    REQUIRE(!del.error);
    REQUIRE(del.removed.size() == 1);
    CHECK(del.removed[0].reason == 3);  // OFPRR_GROUP_DELETE
    CHECK(count(p) == 1);
    CHECK(!apply_group_mod(p, gm(GroupModCommand::Delete, 1, {}), now).error);  // already gone: fine
    REQUIRE(!apply_group_mod(p, gm(GroupModCommand::Delete, kOfpgAll, {}), now).error);
    CHECK(p.groups.empty());
    CHECK(count(p) == 0);
}
