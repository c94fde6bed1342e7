#include "ofproto/flow_table.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

namespace xvs::ofproto {

namespace {

constexpr uint32_t kPortAny = 0xffffffff;
constexpr uint32_t kGroupAny = 0xffffffff;
constexpr uint8_t kTableAll = 0xff;
constexpr uint8_t kRemovedIdle = 0, kRemovedHard = 1, kRemovedDelete = 2, kRemovedGroupDelete = 3,
                  kRemovedMeterDelete = 5;

// 16-bit OpenFlow port of a 32-bit one from the wire (reserved ports map
// onto the 1.0 numbers).
uint32_t port16(uint32_t p) { return p >= 0xfffffff8 ? (p & 0xffff) : p; }

bool cookie_selects(uint64_t rule_cookie, const OfpFlowMod& fm) {
    return (rule_cookie & fm.cookie_mask) == (fm.match_cookie & fm.cookie_mask);
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
        p.set_actions(r, fm.actions);
        if (fm.modify_cookie) r->cookie = fm.cookie;
        if (fm.flags & kFfResetCounts) r->packets = r->bytes = 0;
        r->modified = now;
    }
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

// Deletes the flows of learn actions with delete_learned that no rule
// holds any more (Pipeline::take_dead_learned()): every rule of that table
// with that cookie, reported with reason OFPRR_DELETE. Deleting them may
// free more.
void flush_learned(Pipeline& p, Clock::time_point now, FlowModOutcome& out) {
    for (auto dead = p.take_dead_learned(); !dead.empty(); dead = p.take_dead_learned()) {
        for (const auto& [cookie, table] : dead) {
            for (OfRule* r : select_rules(p, table, [&](const OfRule& r) { return r.cookie == cookie; })) {
                if (r->flags & kFfSendFlowRem) out.removed.push_back(removed_record(*r, kRemovedDelete, now));
                p.remove(r);
                out.changed = true;
            }
        }
    }
}

FlowModOutcome apply_flow_mod__(Pipeline& pipeline, const OfpFlowMod& fm, uint8_t version, Clock::time_point now) {
    switch (fm.command) {
        case FlowModCommand::Add: return add_flow(pipeline, fm, version, now);
        case FlowModCommand::Modify:
        case FlowModCommand::ModifyStrict: return modify_flows(pipeline, fm, version, now);
        case FlowModCommand::Delete:
        case FlowModCommand::DeleteStrict: return delete_flows(pipeline, fm, now);
    }
    return {OfpError{OfpErr::OFPFMFC_BAD_COMMAND, "unknown command"}, {}, false};
}

// Whether 'r' is the rule a learn action's flow mod would make, so that
// learning again only refreshes it (ofproto_flow_mod_init_for_learn()).
bool is_learned_rule(const OfRule& r, const OfpFlowMod& fm) {
    return r.actions == fm.actions && r.cookie == fm.cookie && r.idle_timeout == fm.idle_timeout &&
           r.hard_timeout == fm.hard_timeout && r.importance == fm.importance && r.flags == fm.flags;
}

}  // namespace

bool learned_flow_fits(const Pipeline& p, const OfpFlowMod& fm, uint32_t limit) {
    if (!limit) return true;
    if (const OfRule* r = p.find_exactly(fm.table_id, fm.match, fm.priority); r && is_learned_rule(*r, fm)) return true;
    return select_rules(p, fm.table_id, [&](const OfRule& r) { return r.cookie == fm.cookie; }).size() < limit;
}

FlowModOutcome apply_learned_flow(Pipeline& p, const OfpFlowMod& fm, uint32_t limit, Clock::time_point now) {
    if (OfRule* r = p.find_exactly(fm.table_id, fm.match, fm.priority); r && is_learned_rule(*r, fm)) {
        r->modified = now;
        return {};
    }
    if (!learned_flow_fits(p, fm, limit))
        return {OfpError{OfpErr::OFPFMFC_TABLE_FULL, fmt::format("learn limit {} reached", limit)}, {}, false};
    // Open vSwitch's modify-strict that adds when nothing matches: a
    // replaced rule keeps its counters (the 1.3+ rule for an add).
    return apply_flow_mod(p, fm, kOfp13, now);
}

void reduce_rule_timeouts(OfRule& r, uint16_t idle_timeout, uint16_t hard_timeout) {
    if (idle_timeout && (!r.idle_timeout || r.idle_timeout > idle_timeout)) r.idle_timeout = idle_timeout;
    if (hard_timeout && (!r.hard_timeout || r.hard_timeout > hard_timeout)) r.hard_timeout = hard_timeout;
}

bool actions_use_group(const OfActions& actions, uint32_t group) {
    if (group == kGroupAny) return true;
    for (const auto& a : actions) {
        if (auto* g = std::get_if<ActGroup>(&a.variant()); g && g->group_id == group) return true;
        if (auto* n = nested_actions(a); n && actions_use_group(*n, group)) return true;
    }
    return false;
}

bool actions_output_to(const OfActions& actions, uint32_t port) {
    if (port == kPortAny || port == 0xffff) return true;
    uint32_t want = port16(port);
    for (const auto& a : actions) {
        const auto& v = a.variant();
        if (auto* o = std::get_if<ActOutput>(&v); o && o->port == want) return true;
        if (auto* e = std::get_if<ActEnqueue>(&v); e && e->port == want) return true;
        if (std::holds_alternative<ActController>(v) && want == kOfppController) return true;
        if (auto* n = nested_actions(a); n && actions_output_to(*n, port)) return true;
    }
    return false;
}

FlowModOutcome apply_flow_mod(Pipeline& pipeline, const OfpFlowMod& fm, uint8_t version, Clock::time_point now) {
    FlowModOutcome out = apply_flow_mod__(pipeline, fm, version, now);
    flush_learned(pipeline, now, out);
    return out;
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
    FlowModOutcome flushed;
    flush_learned(pipeline, now, flushed);
    if (flushed.changed && changed) *changed = true;
    out.insert(out.end(), flushed.removed.begin(), flushed.removed.end());
    return out;
}

bool actions_use_meter(const OfActions& actions, uint32_t meter) {
    for (const auto& a : actions) {
        if (auto* m = std::get_if<ActMeter>(&a.variant()); m && m->meter_id == meter) return true;
        if (auto* n = nested_actions(a); n && actions_use_meter(*n, meter)) return true;
    }
    return false;
}

FlowModOutcome delete_rules_using_meter(Pipeline& p, uint32_t meter, Clock::time_point now) {
    FlowModOutcome out;
    for (OfRule* r : select_rules(p, kTableAll, [&](const OfRule& r) { return actions_use_meter(r.actions, meter); })) {
        if (r->flags & kFfSendFlowRem) out.removed.push_back(removed_record(*r, kRemovedMeterDelete, now));
        p.remove(r);
        out.changed = true;
    }
    flush_learned(p, now, out);
    return out;
}

PipelineSnapshot snapshot_pipeline(const Pipeline& p) {
    PipelineSnapshot s;
    for (int t = 0; t < Pipeline::kNTables; t++)
        p.for_each(static_cast<uint8_t>(t), [&](OfRule& r) {
            s.rules.push_back({r.table_id, r.match, r.priority, r.actions, r.cookie, r.idle_timeout, r.hard_timeout,
                               r.flags, r.importance, r.created, r.modified, r.last_used, r.packets, r.bytes});
        });
    s.groups = p.groups;
    return s;
}

void restore_pipeline(Pipeline& p, const PipelineSnapshot& s) {
    p.clear();
    for (const auto& sr : s.rules) {
        OfRule* r = p.add(sr.table_id, sr.match, sr.priority, sr.actions, sr.cookie);
        r->idle_timeout = sr.idle_timeout;
        r->hard_timeout = sr.hard_timeout;
        r->flags = sr.flags;
        r->importance = sr.importance;
        r->created = sr.created;
        r->modified = sr.modified;
        r->last_used = sr.last_used;
        r->packets = sr.packets;
        r->bytes = sr.bytes;
    }
    p.groups = s.groups;
    p.modified();
}

// ---- Groups ----

namespace {

OfpError group_error(OfpErr e, std::string what) { return OfpError{e, std::move(what)}; }

// The group 'gm' describes, fresh (its counters zero).
OfGroup make_group(const OfpGroupMod& gm, std::vector<OfpBucket> buckets, Clock::time_point now) {
    OfGroup g;
    g.id = gm.group_id;
    g.type = gm.type;
    g.buckets = std::move(buckets);
    g.selection_method = gm.selection_method;
    g.selection_method_param = gm.selection_method_param;
    g.selection_method_fields = gm.selection_method_fields;
    g.created = now;
    g.bucket_stats.assign(g.buckets.size(), {0, 0});
    return g;
}

const OfpBucket* find_bucket(const std::vector<OfpBucket>& b, uint32_t id) {
    for (const auto& x : b)
        if (x.bucket_id == id) return &x;
    return nullptr;
}

// 1.5 insert bucket: the new buckets go first, last, or after the bucket
// with id 'where'.
std::variant<std::vector<OfpBucket>, OfpError> insert_buckets(const OfGroup& old, const OfpGroupMod& gm) {
    uint32_t where = gm.command_bucket_id;
    if (where <= kBucketMax && !find_bucket(old.buckets, where))
        return group_error(OfpErr::OFPGMFC_UNKNOWN_BUCKET, fmt::format("no bucket {}", where));
    for (const auto& nb : gm.buckets)
        if (find_bucket(old.buckets, nb.bucket_id))
            return group_error(OfpErr::OFPGMFC_BUCKET_EXISTS, fmt::format("bucket {} exists", nb.bucket_id));
    std::vector<OfpBucket> out;
    if (where == kBucketFirst) out = gm.buckets;
    for (const auto& b : old.buckets) {
        out.push_back(b);
        if (where <= kBucketMax && b.bucket_id == where) out.insert(out.end(), gm.buckets.begin(), gm.buckets.end());
    }
    if (where == kBucketLast || where == kBucketAll) out.insert(out.end(), gm.buckets.begin(), gm.buckets.end());
    return out;
}

std::variant<std::vector<OfpBucket>, OfpError> remove_buckets(const OfGroup& old, uint32_t which) {
    if (which == kBucketAll) return std::vector<OfpBucket>{};
    std::vector<OfpBucket> out = old.buckets;
    if (which == kBucketFirst) {
        if (!out.empty()) out.erase(out.begin());
    } else if (which == kBucketLast) {
        if (!out.empty()) out.pop_back();
    } else {
        auto it = std::find_if(out.begin(), out.end(), [&](const OfpBucket& b) { return b.bucket_id == which; });
        if (it == out.end()) return group_error(OfpErr::OFPGMFC_UNKNOWN_BUCKET, fmt::format("no bucket {}", which));
        out.erase(it);
    }
    return out;
}

}  // namespace

FlowModOutcome apply_group_mod(Pipeline& p, const OfpGroupMod& gm, Clock::time_point now) {
    FlowModOutcome out;
    auto existing = p.groups.find(gm.group_id);
    auto command = gm.command;
    if (command == GroupModCommand::AddOrModify)
        command = existing == p.groups.end() ? GroupModCommand::Add : GroupModCommand::Modify;
    if (command != GroupModCommand::Delete && gm.group_id > kOfpgMax) {
        out.error = group_error(OfpErr::OFPGMFC_INVALID_GROUP, fmt::format("group id {:#x} is reserved", gm.group_id));
        return out;
    }
    switch (command) {
        case GroupModCommand::Add:
            if (existing != p.groups.end()) {
                out.error = group_error(OfpErr::OFPGMFC_GROUP_EXISTS, fmt::format("group {} exists", gm.group_id));
                return out;
            }
            p.groups[gm.group_id] = make_group(gm, gm.buckets, now);
            break;
        case GroupModCommand::Modify:
        case GroupModCommand::InsertBucket:
        case GroupModCommand::RemoveBucket: {
            if (existing == p.groups.end()) {
                out.error = group_error(OfpErr::OFPGMFC_UNKNOWN_GROUP, fmt::format("no group {}", gm.group_id));
                return out;
            }
            const OfGroup& old = existing->second;
            OfpGroupMod m = gm;
            std::variant<std::vector<OfpBucket>, OfpError> buckets = gm.buckets;
            if (command != GroupModCommand::Modify) {
                // Bucket edits keep the group's type and selection method.
                m.type = old.type;
                m.selection_method = old.selection_method;
                m.selection_method_param = old.selection_method_param;
                m.selection_method_fields = old.selection_method_fields;
                buckets = command == GroupModCommand::InsertBucket ? insert_buckets(old, gm)
                                                                   : remove_buckets(old, gm.command_bucket_id);
            }
            if (auto* e = std::get_if<OfpError>(&buckets)) {
                out.error = *e;
                return out;
            }
            existing->second = make_group(m, std::get<std::vector<OfpBucket>>(std::move(buckets)), now);
            break;
        }
        case GroupModCommand::Delete: {
            std::vector<uint32_t> gone;
            if (gm.group_id == kOfpgAll) {
                for (const auto& [id, g] : p.groups) gone.push_back(id);
            } else if (existing != p.groups.end()) {
                gone.push_back(gm.group_id);
            }
            for (uint32_t id : gone) {
                p.groups.erase(id);
                auto rules = select_rules(p, kTableAll, [&](const OfRule& r) { return actions_use_group(r.actions, id); });
                for (OfRule* r : rules) {
                    if (r->flags & kFfSendFlowRem) out.removed.push_back(removed_record(*r, kRemovedGroupDelete, now));
                    p.remove(r);
                }
            }
            break;
        }
        case GroupModCommand::AddOrModify: break;  // resolved above
    }
    p.modified();
    out.changed = true;
    flush_learned(p, now, out);
    return out;
}

std::vector<OfpGroupStats> collect_group_stats(const Pipeline& p, uint32_t group, Clock::time_point now) {
    std::vector<OfpGroupStats> out;
    for (const auto& [id, g] : p.groups) {
        if (group != kOfpgAll && id != group) continue;
        OfpGroupStats s;
        s.group_id = id;
        for (int t = 0; t < Pipeline::kNTables; t++)
            p.for_each(static_cast<uint8_t>(t), [&](OfRule& r) { s.ref_count += actions_use_group(r.actions, id); });
        s.packet_count = g.packets;
        s.byte_count = g.bytes;
        std::tie(s.duration_sec, s.duration_nsec) = duration(g.created, now);
        s.bucket_stats = g.bucket_stats;
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<OfpGroupDesc> collect_group_desc(const Pipeline& p, uint32_t group) {
    std::vector<OfpGroupDesc> out;
    for (const auto& [id, g] : p.groups) {
        if (group != kOfpgAll && id != group) continue;
        out.push_back(OfpGroupDesc{g.type, id, g.buckets, g.selection_method, g.selection_method_param,
                                   g.selection_method_fields});
    }
    return out;
}

}  // namespace xvs::ofproto
