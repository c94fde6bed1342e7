#include "ofproto/flow_table.h"

#include <algorithm>
#include <chrono>

namespace xvs::ofproto {

namespace {

constexpr uint32_t kPortAny = 0xffffffff;
constexpr uint32_t kGroupAny = 0xffffffff;
constexpr uint8_t kTableAll = 0xff;
constexpr uint8_t kRemovedIdle = 0, kRemovedHard = 1, kRemovedDelete = 2;

// 16-bit OpenFlow port of a 32-bit one from the wire (reserved ports map
// onto the 1.0 numbers).
uint32_t port16(uint32_t p) { return p >= 0xfffffff8 ? (p & 0xffff) : p; }

bool cookie_selects(uint64_t rule_cookie, const OfpFlowMod& fm) {
    return (rule_cookie & fm.cookie_mask) == (fm.match_cookie & fm.cookie_mask);
}

bool actions_use_group(const OfActions& actions, uint32_t group) {
    if (group == kGroupAny) return true;
    for (const auto& a : actions) {
        if (auto* g = std::get_if<ActGroup>(&a.variant()); g && g->group_id == group) return true;
        if (auto* w = std::get_if<ActWriteActions>(&a.variant()); w && actions_use_group(w->actions, group))
            return true;
    }
    return false;
}

// Two matches overlap when some packet matches both: they agree on every
// bit both consult.
bool overlaps(const Match& a, const Match& b) {
    auto fa = flow_words(a.flow), fb = flow_words(b.flow), ma = flow_words(a.mask), mb = flow_words(b.mask);
    for (size_t i = 0; i < kFlowWords; i++)
        if ((fa[i] ^ fb[i]) & ma[i] & mb[i]) return false;
    return true;
}

std::pair<uint32_t, uint32_t> duration(Clock::time_point since, Clock::time_point now) {
    auto d = std::chrono::duration_cast<std::chrono::nanoseconds>(now - since).count();
    if (d < 0) d = 0;
    return {static_cast<uint32_t>(d / 1000000000), static_cast<uint32_t>(d % 1000000000)};
}

OfpFlowRemoved removed_record(const OfRule& r, uint8_t reason, Clock::time_point now) {
    OfpFlowRemoved fr;
    fr.match = r.match;
    fr.priority = r.priority;
    fr.cookie = r.cookie;
    fr.reason = reason;
    fr.table_id = r.table_id;
    std::tie(fr.duration_sec, fr.duration_nsec) = duration(r.created, now);
    fr.idle_timeout = r.idle_timeout;
    fr.hard_timeout = r.hard_timeout;
    fr.packet_count = r.packets;
    fr.byte_count = r.bytes;
    return fr;
}

// The rules of the tables 'table_id' names that a loose or strict
// criterion selects.
template <typename Pred>
std::vector<OfRule*> select_rules(const Pipeline& p, uint8_t table_id, Pred pred) {
    std::vector<OfRule*> out;
    auto scan = [&](uint8_t t) {
        p.for_each(t, [&](OfRule& r) {
            if (pred(r)) out.push_back(&r);
        });
    };
    if (table_id == kTableAll) {
        for (int t = 0; t < Pipeline::kNTables; t++)
            if (p.n_rules(static_cast<uint8_t>(t))) scan(static_cast<uint8_t>(t));
    } else {
        scan(table_id);
    }
    return out;
}

FlowModOutcome add_flow(Pipeline& p, const OfpFlowMod& fm, uint8_t version, Clock::time_point now) {
    FlowModOutcome out;
    uint8_t table = fm.table_id;
    if (table == kTableAll) {
        // OpenFlow 1.0 has no table in its flow mod: "all" adds to table 0.
        if (version != kOfp10) {
            out.error = OfpError{OfpErr::OFPFMFC_BAD_TABLE_ID, "add to table 255 (all)"};
            return out;
        }
        table = 0;
    }
    if (table >= Pipeline::kNTables) {
        out.error = OfpError{OfpErr::OFPFMFC_BAD_TABLE_ID, "no table " + std::to_string(table)};
        return out;
    }
    if (fm.flags & kFfCheckOverlap) {
        bool clash = false;
        p.for_each(table, [&](OfRule& r) {
            if (r.priority == fm.priority && overlaps(r.match, fm.match)) clash = true;
        });
        if (clash) {
            out.error = OfpError{OfpErr::OFPFMFC_OVERLAP, "overlaps a rule of the same priority"};
            return out;
        }
    }
    OfRule* old = p.find_exactly(table, fm.match, fm.priority);
    uint64_t packets = 0, bytes = 0;
    Clock::time_point created = now, used = now;
    // OpenFlow 1.3 made "keep the counters" the default for a replacing
    // add (OFPFF_RESET_COUNTS asks otherwise); earlier versions reset.
    if (old && !(fm.flags & kFfResetCounts) && version >= kOfp13) {
        packets = old->packets;
        bytes = old->bytes;
        created = old->created;
        used = old->last_used;
    }
    OfRule* r = p.add(table, fm.match, fm.priority, fm.actions, fm.cookie);
    r->idle_timeout = fm.idle_timeout;
    r->hard_timeout = fm.hard_timeout;
    // The rule keeps the flags it was added with (flow stats report them
    // from 1.3 on); check_overlap and reset_counts only act now.
    r->flags = fm.flags & (kFfSendFlowRem | kFfCheckOverlap | kFfResetCounts | kFfNoPktCounts | kFfNoBytCounts);
    r->importance = fm.importance;
    r->packets = packets;
    r->bytes = bytes;
    r->created = created;
    r->modified = now;
    r->last_used = used;
    out.changed = true;
    return out;
}

FlowModOutcome modify_flows(Pipeline& p, const OfpFlowMod& fm, uint8_t version, Clock::time_point now) {
    bool strict = fm.command == FlowModCommand::ModifyStrict;
    if (fm.table_id != kTableAll && fm.table_id >= Pipeline::kNTables)
        return {OfpError{OfpErr::OFPFMFC_BAD_TABLE_ID, "no table " + std::to_string(fm.table_id)}, {}, false};
    auto rules = select_rules(p, fm.table_id, [&](const OfRule& r) {
        if (!cookie_selects(r.cookie, fm)) return false;
        return strict ? (r.priority == fm.priority && r.match == fm.match) : r.match.is_within(fm.match);
    });
    // As in Open vSwitch, a modify that selects nothing and does not
    // select by cookie adds the flow.
    if (rules.empty()) {
        if (fm.cookie_mask) return {};
        OfpFlowMod add = fm;
        add.command = FlowModCommand::Add;
        return add_flow(p, add, version, now);
    }
    for (OfRule* r : rules) {
        r->actions = fm.actions;
        if (fm.modify_cookie) r->cookie = fm.cookie;
        if (fm.flags & kFfResetCounts) r->packets = r->bytes = 0;
        r->modified = now;
    }
    p.modified();
    return {std::nullopt, {}, true};
}

FlowModOutcome delete_flows(Pipeline& p, const OfpFlowMod& fm, Clock::time_point now) {
    bool strict = fm.command == FlowModCommand::DeleteStrict;
    FlowModOutcome out;
    if (fm.table_id != kTableAll && fm.table_id >= Pipeline::kNTables) {
        out.error = OfpError{OfpErr::OFPFMFC_BAD_TABLE_ID, "no table " + std::to_string(fm.table_id)};
        return out;
    }
    auto rules = select_rules(p, fm.table_id, [&](const OfRule& r) {
        if (!cookie_selects(r.cookie, fm)) return false;
        if (!actions_output_to(r.actions, fm.out_port) || !actions_use_group(r.actions, fm.out_group)) return false;
        return strict ? (r.priority == fm.priority && r.match == fm.match) : r.match.is_within(fm.match);
    });
    for (OfRule* r : rules) {
        if (r->flags & kFfSendFlowRem) out.removed.push_back(removed_record(*r, kRemovedDelete, now));
        p.remove(r);
        out.changed = true;
    }
    return out;
}

}  // namespace

bool actions_output_to(const OfActions& actions, uint32_t port) {
    if (port == kPortAny || port == 0xffff) return true;
    uint32_t want = port16(port);
    for (const auto& a : actions) {
        const auto& v = a.variant();
        if (auto* o = std::get_if<ActOutput>(&v); o && o->port == want) return true;
        if (auto* e = std::get_if<ActEnqueue>(&v); e && e->port == want) return true;
        if (std::holds_alternative<ActController>(v) && want == kOfppController) return true;
        if (auto* w = std::get_if<ActWriteActions>(&v); w && actions_output_to(w->actions, port)) return true;
    }
    return false;
}

FlowModOutcome apply_flow_mod(Pipeline& pipeline, const OfpFlowMod& fm, uint8_t version, Clock::time_point now) {
    switch (fm.command) {
        case FlowModCommand::Add: return add_flow(pipeline, fm, version, now);
        case FlowModCommand::Modify:
        case FlowModCommand::ModifyStrict: return modify_flows(pipeline, fm, version, now);
        case FlowModCommand::Delete:
        case FlowModCommand::DeleteStrict: return delete_flows(pipeline, fm, now);
    }
    return {OfpError{OfpErr::OFPFMFC_BAD_COMMAND, "unknown command"}, {}, false};
}

std::vector<OfpFlowStats> collect_flow_stats(const Pipeline& pipeline, const OfpFlowStatsRequest& req,
                                             Clock::time_point now) {
    std::vector<OfpFlowStats> out;
    auto rules = select_rules(pipeline, req.table_id, [&](const OfRule& r) {
        if ((r.cookie & req.cookie_mask) != (req.cookie & req.cookie_mask)) return false;
        if (!actions_output_to(r.actions, req.out_port) || !actions_use_group(r.actions, req.out_group)) return false;
        return r.match.is_within(req.match);
    });
    std::stable_sort(rules.begin(), rules.end(), [](const OfRule* a, const OfRule* b) {
        if (a->table_id != b->table_id) return a->table_id < b->table_id;
        if (a->priority != b->priority) return a->priority > b->priority;
        return a->id < b->id;
    });
    auto secs = [&](Clock::time_point t) {
        auto s = std::chrono::duration_cast<std::chrono::seconds>(now - t).count();
        return static_cast<uint32_t>(std::max<int64_t>(s, 0));
    };
    for (const OfRule* r : rules) {
        OfpFlowStats fs;
        fs.match = r->match;
        fs.priority = r->priority;
        fs.cookie = r->cookie;
        fs.table_id = r->table_id;
        std::tie(fs.duration_sec, fs.duration_nsec) = duration(r->created, now);
        fs.idle_timeout = r->idle_timeout;
        fs.hard_timeout = r->hard_timeout;
        fs.flags = r->flags;
        fs.importance = r->importance;
        fs.idle_age = secs(r->last_used);
        fs.hard_age = secs(r->modified);
        fs.packet_count = r->packets;
        fs.byte_count = r->bytes;
        fs.actions = r->actions;
        out.push_back(std::move(fs));
    }
    return out;
}

std::vector<OfpFlowRemoved> expire_rules(Pipeline& pipeline, Clock::time_point now, bool* changed) {
    std::vector<OfpFlowRemoved> out;
    auto rules = select_rules(pipeline, kTableAll, [&](const OfRule& r) {
        return (r.hard_timeout && now >= r.modified + std::chrono::seconds(r.hard_timeout)) ||
               (r.idle_timeout && now >= r.last_used + std::chrono::seconds(r.idle_timeout));
    });
    for (OfRule* r : rules) {
        bool hard = r->hard_timeout && now >= r->modified + std::chrono::seconds(r->hard_timeout);
        if (r->flags & kFfSendFlowRem) out.push_back(removed_record(*r, hard ? kRemovedHard : kRemovedIdle, now));
        pipeline.remove(r);
        if (changed) *changed = true;
    }
    return out;
}

}  // namespace xvs::ofproto
