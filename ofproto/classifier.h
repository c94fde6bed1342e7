// The OpenFlow classifier: rules with a priority and an arbitrary mask,
// found by tuple-space search (one hash table per distinct mask, a
// "subtable"), highest priority first.
//
// A lookup also records in 'wc' every bit it had to consult to reach its
// answer, so that translation can give the datapath a megaflow exactly as
// wide as the decision. Two techniques keep that set small, as in Open
// vSwitch:
// - Subtables are visited by descending maximum priority, and the search
//   stops once no remaining subtable can beat the match found: subtables it
//   never visits add nothing.
// - Staged lookup: a subtable's mask is split into stages (metadata, L2, L3,
//   L4), each with a set of the hashes of its rules' fields up to that
//   stage. When a packet's hash is not in a stage's set no rule can match,
//   and only the stages consulted so far are added to 'wc'. So a packet that
//   misses an ACL subtable on its L2 fields does not pin its L4 ports.
//
// Conjunctive matches (OpenFlow's "conjunction(id,k/n)", Open vSwitch's
// set-membership match): a rule with conjunctions is a clause, a "soft"
// match. A packet satisfies conjunction id at priority P when, for every
// clause k of n, some rule of priority P with conjunction(id,k/n) matches
// it; the lookup is then repeated with conj_id = id, and what that second
// lookup finds is the answer. Soft matches only count when they beat every
// plain ("hard") match. When no conjunction at the highest soft priority is
// satisfied, the clauses fall back to lower-priority rules with identical
// matches, as in Open vSwitch.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "ofproto/flow.h"

namespace xvs::ofproto {

struct Match {
    Flow flow;  // already masked
    Flow mask;

    // Builds a match; flow is masked here.
    static Match make(const Flow& flow, const Flow& mask);
    bool matches(const Flow& f) const { return flow_equal_masked(f, flow, mask); }
    // Whether every packet this match accepts is accepted by 'wider' too.
    bool is_within(const Match& wider) const;
    bool operator==(const Match& o) const = default;
};

// One conjunction(id, clause+1/n_clauses) of a clause rule.
struct ClsConjunction {
    uint32_t id = 0;
    uint8_t clause = 0;     // 0-based
    uint8_t n_clauses = 0;  // 2..64
    bool operator==(const ClsConjunction&) const = default;
};

// What the classifier stores. Owned by the caller, which keeps it alive
// while inserted.
struct ClsRule {
    Match match;
    int32_t priority = 0;
    // Non-empty for a clause of conjunctive matches; may change while the
    // rule is in the classifier.
    std::vector<ClsConjunction> conj;
    virtual ~ClsRule() = default;
};

class Classifier {
public:
    Classifier();
    ~Classifier();
    Classifier(const Classifier&) = delete;
    Classifier& operator=(const Classifier&) = delete;

    // Inserts 'rule'; a rule with the same match and priority is replaced
    // and returned (no longer in the classifier), else nullptr.
    ClsRule* insert(ClsRule* rule);
    // Removes 'rule' (which must be in the classifier).
    void remove(ClsRule* rule);
    ClsRule* find_exactly(const Match& match, int32_t priority) const;

    // The highest-priority rule matching 'flow', or nullptr. When two
    // rules of the same priority overlap, which one wins is unspecified (as
    // OpenFlow says). ORs what it consulted into *wc when wc is not null.
    const ClsRule* lookup(const Flow& flow, Flow* wc) const;

    size_t size() const { return n_rules_; }
    size_t n_subtables() const { return subtables_.size(); }
    // Every rule, in no particular order. fn must not insert or remove.
    void for_each(const std::function<void(ClsRule*)>& fn) const;

private:
    struct Subtable;
    Subtable* find_subtable(const Flow& mask) const;
    const ClsRule* lookup(const Flow& flow, Flow* wc, bool allow_conjunctive) const;
    void sort_subtables();

    std::vector<std::unique_ptr<Subtable>> subtables_;  // by max priority, descending
    size_t n_rules_ = 0;
};

}  // namespace xvs::ofproto
