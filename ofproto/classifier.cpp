#include "ofproto/classifier.h"

#include <algorithm>
#include <cassert>
#include <optional>

namespace xvs::ofproto {

namespace {

// Stages of a subtable lookup, as word indices of Flow. Fields that
// straddle a word boundary land in the earlier stage's word; stages only
// decide how much a miss pins, never whether a lookup is right.
constexpr int kStages = 4;
constexpr size_t kMetaFirst = kFlowPktWords;  // metadata, regs, pkt_mark, in_port
const std::vector<size_t>& stage_words(int stage) {
    static const std::vector<size_t> stages[kStages] = {
        [] {
            std::vector<size_t> v{0};  // recirc_id / datapath in_port
            for (size_t w = kMetaFirst; w < kFlowWords; w++) v.push_back(w);
            return v;
        }(),
        {1, 2, 3},              // Ethernet, VLANs
        {4, 5, 6, 7, 8, 10, 11},  // IP, ARP
        {9, 12, 13},            // ports, TCP flags, ND target
    };
    return stages[stage];
}

inline uint64_t mix(uint64_t h, uint64_t w) {
    h ^= w + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

}  // namespace

Match Match::make(const Flow& flow, const Flow& mask) { return Match{flow_and(flow, mask), mask}; }

bool Match::is_within(const Match& wider) const {
    // Every bit 'wider' consults must be consulted here with the same value.
    return flow_is_subset(wider.mask, mask) && flow_equal_masked(flow, wider.flow, wider.mask);
}

struct Classifier::Subtable {
    Flow mask;
    // Per stage, the words of the mask that are not zero.
    std::vector<size_t> words[kStages];
    // Per stage but the last: how many rules have each hash up to it.
    std::unordered_map<uint64_t, uint32_t> stage_hashes[kStages - 1];
    // Full hash → rules, by descending priority (several matches may share
    // a hash; rules with equal matches sit together).
    std::unordered_map<uint64_t, std::vector<ClsRule*>> buckets;
    std::map<int32_t, uint32_t> priorities;  // priority → number of rules
    size_t n_rules = 0;

    int32_t max_priority() const { return priorities.empty() ? INT32_MIN : priorities.rbegin()->first; }

    explicit Subtable(const Flow& m) : mask(m) {
        auto mw = flow_words(mask);
        for (int s = 0; s < kStages; s++)
            for (size_t w : stage_words(s))
                if (mw[w]) words[s].push_back(w);
    }

    // Hashes of f's masked words after each stage; out[kStages-1] is the full hash.
    void hashes(const Flow& f, uint64_t out[kStages]) const {
        auto fw = flow_words(f);
        auto mw = flow_words(mask);
        uint64_t h = 0;
        for (int s = 0; s < kStages; s++) {
            for (size_t w : words[s]) h = mix(h, fw[w] & mw[w]);
            out[s] = h;
        }
    }

    // ORs the mask words of stages 0..last into wc.
    void unwildcard(Flow& wc, int last) const {
        auto ww = flow_words(wc);
        auto mw = flow_words(mask);
        for (int s = 0; s <= last; s++)
            for (size_t w : words[s]) ww[w] |= mw[w];
    }
};

Classifier::Classifier() = default;
Classifier::~Classifier() = default;

Classifier::Subtable* Classifier::find_subtable(const Flow& mask) const {
    for (const auto& st : subtables_)
        if (st->mask == mask) return st.get();
    return nullptr;
}

void Classifier::sort_subtables() {
    std::stable_sort(subtables_.begin(), subtables_.end(),
                     [](const auto& a, const auto& b) { return a->max_priority() > b->max_priority(); });
}

ClsRule* Classifier::insert(ClsRule* rule) {
    rule->match.flow = flow_and(rule->match.flow, rule->match.mask);
    Subtable* st = find_subtable(rule->match.mask);
    if (!st) {
        subtables_.push_back(std::make_unique<Subtable>(rule->match.mask));
        st = subtables_.back().get();
    }
    uint64_t h[kStages];
    st->hashes(rule->match.flow, h);
    auto& bucket = st->buckets[h[kStages - 1]];
    for (auto it = bucket.begin(); it != bucket.end(); ++it) {
        if ((*it)->priority == rule->priority && (*it)->match.flow == rule->match.flow) {
            ClsRule* old = *it;
            *it = rule;
            return old;
        }
    }
    auto pos = std::find_if(bucket.begin(), bucket.end(), [&](ClsRule* r) { return r->priority < rule->priority; });
    bucket.insert(pos, rule);
    for (int s = 0; s < kStages - 1; s++) st->stage_hashes[s][h[s]]++;
    int32_t old_max = st->max_priority();
    st->priorities[rule->priority]++;
    st->n_rules++;
    n_rules_++;
    if (st->max_priority() != old_max || st->n_rules == 1) sort_subtables();
    return nullptr;
}

void Classifier::remove(ClsRule* rule) {
    Subtable* st = find_subtable(rule->match.mask);
    assert(st);
    uint64_t h[kStages];
    st->hashes(rule->match.flow, h);
    auto bit = st->buckets.find(h[kStages - 1]);
    assert(bit != st->buckets.end());
    auto& bucket = bit->second;
    auto it = std::find(bucket.begin(), bucket.end(), rule);
    assert(it != bucket.end());
    bucket.erase(it);
    if (bucket.empty()) st->buckets.erase(bit);
    for (int s = 0; s < kStages - 1; s++) {
        auto sit = st->stage_hashes[s].find(h[s]);
        if (--sit->second == 0) st->stage_hashes[s].erase(sit);
    }
    int32_t old_max = st->max_priority();
    if (--st->priorities[rule->priority] == 0) st->priorities.erase(rule->priority);
    st->n_rules--;
    n_rules_--;
    if (st->n_rules == 0) {
        subtables_.erase(std::find_if(subtables_.begin(), subtables_.end(),
                                      [&](const auto& p) { return p.get() == st; }));
    } else if (st->max_priority() != old_max) {
        sort_subtables();
    }
}

ClsRule* Classifier::find_exactly(const Match& match, int32_t priority) const {
    Subtable* st = find_subtable(match.mask);
    if (!st) return nullptr;
    Flow masked = flow_and(match.flow, match.mask);
    uint64_t h[kStages];
    st->hashes(masked, h);
    auto bit = st->buckets.find(h[kStages - 1]);
    if (bit == st->buckets.end()) return nullptr;
    for (ClsRule* r : bit->second)
        if (r->priority == priority && r->match.flow == masked) return r;
    return nullptr;
}

namespace {

// A rule found in a subtable, with where it sits: the rules after it in its
// bucket with the same match are its lower-priority twins.
struct Hit {
    const std::vector<ClsRule*>* bucket = nullptr;
    size_t index = 0;
    const ClsRule* rule() const { return (*bucket)[index]; }
    // The next lower-priority rule with an identical match, if any.
    bool next_twin() {
        const ClsRule* r = rule();
        for (size_t i = index + 1; i < bucket->size(); i++) {
            if ((*bucket)[i]->match.flow == r->match.flow) {
                index = i;
                return true;
            }
        }
        return false;
    }
};

// Whether the clauses 'r' belongs to complete a conjunction, given the
// clauses already seen in 'seen' (id → bitmap, missing clauses as 0 bits);
// conjunctions with more clauses than 'max_clauses' rules at this priority
// cannot be complete and are skipped.
bool complete_conjunction(const ClsRule& r, size_t max_clauses, std::vector<std::pair<uint32_t, uint64_t>>& seen,
                          uint32_t* id) {
    for (const auto& c : r.conj) {
        if (c.n_clauses > max_clauses) continue;
        auto it = std::find_if(seen.begin(), seen.end(), [&](const auto& p) { return p.first == c.id; });
        if (it == seen.end()) {
            uint64_t absent = c.n_clauses >= 64 ? 0 : ~uint64_t{0} << c.n_clauses;
            it = seen.insert(seen.end(), {c.id, absent});
        }
        it->second |= uint64_t{1} << (c.clause & 63);
        if (it->second == ~uint64_t{0}) {
            *id = c.id;
            return true;
        }
    }
    return false;
}

}  // namespace

const ClsRule* Classifier::lookup(const Flow& flow, Flow* wc) const { return lookup(flow, wc, true); }

const ClsRule* Classifier::lookup(const Flow& flow, Flow* wc, bool allow_conjunctive) const {
    const ClsRule* hard = nullptr;
    int64_t hard_pri = INT64_MIN;
    std::vector<std::optional<Hit>> soft;
    int64_t soft_pri = INT64_MIN;
    for (const auto& stp : subtables_) {
        const Subtable& st = *stp;
        if (st.max_priority() <= hard_pri) break;
        uint64_t h[kStages];
        st.hashes(flow, h);
        int missed_at = -1;
        for (int s = 0; s < kStages - 1; s++) {
            if (st.words[s].empty()) continue;
            if (!st.stage_hashes[s].count(h[s])) {
                missed_at = s;
                break;
            }
        }
        if (missed_at >= 0) {
            if (wc) st.unwildcard(*wc, missed_at);
            continue;
        }
        if (wc) st.unwildcard(*wc, kStages - 1);
        auto bit = st.buckets.find(h[kStages - 1]);
        if (bit == st.buckets.end()) continue;
        const auto& bucket = bit->second;
        for (size_t i = 0; i < bucket.size(); i++) {
            const ClsRule* r = bucket[i];
            if (r->priority <= hard_pri) break;
            if (!flow_equal_masked(flow, r->match.flow, st.mask)) continue;
            if (r->conj.empty()) {
                hard = r;
                hard_pri = r->priority;
            } else if (allow_conjunctive) {
                soft.push_back(Hit{&bucket, i});
                soft_pri = std::max<int64_t>(soft_pri, r->priority);
            }
            break;
        }
    }
    if (hard_pri >= soft_pri) return hard;

    // Some clauses beat the best plain match: are they conjunctions?
    std::vector<std::pair<uint32_t, uint64_t>> seen;
    for (;;) {
        std::erase_if(soft, [&](const auto& s) { return !s || s->rule()->priority <= hard_pri; });
        if (soft.empty()) break;
        soft_pri = INT64_MIN;
        size_t n_at_pri = 0;
        for (const auto& s : soft) {
            int64_t p = s->rule()->priority;
            if (p > soft_pri) {
                soft_pri = p;
                n_at_pri = 1;
            } else if (p == soft_pri) {
                n_at_pri++;
            }
        }
        seen.clear();
        for (const auto& s : soft) {
            uint32_t id;
            if (s->rule()->priority != soft_pri || !complete_conjunction(*s->rule(), n_at_pri, seen, &id)) continue;
            Flow with_id = flow;
            with_id.conj_id = id;
            if (const ClsRule* r = lookup(with_id, wc, false)) return r;
        }
        // None satisfied: the clauses at this priority give way to their
        // lower-priority twins (clauses again, or plain matches).
        for (auto& s : soft) {
            if (s->rule()->priority != soft_pri) continue;
            if (!s->next_twin()) {
                s.reset();
            } else if (s->rule()->conj.empty()) {
                if (s->rule()->priority > hard_pri) {
                    hard = s->rule();
                    hard_pri = hard->priority;
                }
                s.reset();
            }
        }
    }
    return hard;
}

void Classifier::for_each(const std::function<void(ClsRule*)>& fn) const {
    for (const auto& st : subtables_)
        for (const auto& [h, bucket] : st->buckets)
            for (ClsRule* r : bucket) fn(r);
}

}  // namespace xvs::ofproto
