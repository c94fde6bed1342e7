// A bridge's OpenFlow tables: rules with their actions, counters and
// timeouts, one classifier per table.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include <map>
#include <string>

#include "ofproto/actions.h"
#include "ofproto/classifier.h"
#include "ofproto/ofp_groups.h"

namespace xvs::ofproto {

using Clock = std::chrono::steady_clock;

struct OfRule : ClsRule {
    uint64_t id = 0;  // unique for the life of the pipeline; megaflows credit rules by id
    uint8_t table_id = 0;
    uint64_t cookie = 0;
    uint16_t idle_timeout = 0;
    uint16_t hard_timeout = 0;
    uint16_t flags = 0;       // OFPFF_* (1.1+ numbering)
    uint16_t importance = 0;  // OpenFlow 1.4+
    OfActions actions;
    Clock::time_point created{};
    Clock::time_point modified{};   // last add/modify: the hard timeout counts from here
    Clock::time_point last_used{};
    uint64_t packets = 0;
    uint64_t bytes = 0;
};

// An OpenFlow group: its buckets and counters (credited from megaflow
// statistics, per group and per bucket).
struct OfGroup {
    uint32_t id = 0;
    GroupType type = GroupType::All;
    std::vector<OfpBucket> buckets;
    std::string selection_method;
    uint64_t selection_method_param = 0;
    std::vector<std::pair<const MfField*, MfValue>> selection_method_fields;  // "hash": what it hashes
    Clock::time_point created{};
    uint64_t packets = 0, bytes = 0;
    std::vector<std::pair<uint64_t, uint64_t>> bucket_stats;  // (packets, bytes), one per bucket
};

// An OpenFlow meter: its configuration and the datapath meter that runs
// it; packets and bytes in are credited from megaflow statistics.
struct OfMeter {
    OfpMeterMod config;
    uint32_t dp_meter = 0;
    Clock::time_point created{};
    uint64_t packets = 0, bytes = 0;
};

class Pipeline {
public:
    static constexpr int kNTables = 255;

    // Adds a rule (OpenFlow "add": a rule with the same match and priority
    // in the table is replaced). Returns it.
    OfRule* add(uint8_t table, const Match& match, int32_t priority, OfActions actions, uint64_t cookie = 0);
    void remove(OfRule* rule);
    // Replaces a rule's actions (flow mod "modify").
    void set_actions(OfRule* rule, OfActions actions);
    // Something changed that the change log cannot name rule by rule (the
    // group table, a restored snapshot).
    void modified() {
        version_++;
        changes_ = {.all = true, .rules = {}};
    }
    void clear();

    // The change log: what add, remove and set_actions did since the last
    // take_changes(), so that revalidation can re-translate only the
    // megaflows that looked up a changed table and could match a changed
    // rule. 'all' when that cannot be told (modified(), clear(), or more
    // than kMaxChanges rules: re-checking everything is then cheaper).
    struct RuleChange {
        uint8_t table;
        Match match;
    };
    struct Changes {
        bool all = false;
        std::vector<RuleChange> rules;
    };
    static constexpr size_t kMaxChanges = 64;
    Changes take_changes() { return std::exchange(changes_, {}); }

    // The rule a packet hits in 'table', recording consulted bits in wc.
    const OfRule* lookup(uint8_t table, const Flow& flow, Flow* wc) const;
    OfRule* find_exactly(uint8_t table, const Match& match, int32_t priority) const;
    OfRule* by_id(uint64_t id) const;

    size_t n_rules(uint8_t table) const { return tables_[table].size(); }
    size_t n_rules() const { return by_id_.size(); }
    // Every rule of a table, in no particular order.
    void for_each(uint8_t table, const std::function<void(OfRule&)>& fn) const;

    // Changes on every add and remove: megaflows translated at an older
    // version need revalidation.
    uint64_t version() const { return version_; }

    // The group table (group mods in flow_table.h). Whoever changes it
    // calls modified().
    std::map<uint32_t, OfGroup> groups;
    // The meter table (Switch::meter_mod: meters need the datapath).
    std::map<uint32_t, OfMeter> meters;

    // learn(...,delete_learned): the flows a learn action added (its table
    // and cookie) go when no rule has such a learn action any more, as in
    // Open vSwitch. The pipeline counts the rules holding one per (cookie,
    // table) and hands out those whose count fell to zero; flow_table.h
    // deletes their flows.
    using LearnedKey = std::pair<uint64_t, uint8_t>;  // (cookie, table)
    std::vector<LearnedKey> take_dead_learned() { return std::exchange(dead_learned_, {}); }

private:
    void count_learns(const OfActions& actions, int delta);
    void note_change(uint8_t table, const Match& match);

    Changes changes_;
    std::map<LearnedKey, int> learn_refs_;
    std::vector<LearnedKey> dead_learned_;
    std::array<Classifier, kNTables> tables_;
    std::unordered_map<uint64_t, std::unique_ptr<OfRule>> by_id_;
    uint64_t next_id_ = 1;
    uint64_t version_ = 1;
};

}  // namespace xvs::ofproto
