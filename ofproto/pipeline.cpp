#include "ofproto/pipeline.h"

namespace xvs::ofproto {

namespace {

std::vector<ClsConjunction> conjunctions(const OfActions& actions) {
    std::vector<ClsConjunction> out;
    for (const auto& a : actions)
        if (const auto* c = std::get_if<ActConjunction>(&a.variant()))
            out.push_back({.id = c->id, .clause = c->clause, .n_clauses = c->n_clauses});
    return out;
}

}  // namespace

OfRule* Pipeline::add(uint8_t table, const Match& match, int32_t priority, OfActions actions, uint64_t cookie) {
    auto rule = std::make_unique<OfRule>();
    rule->match = Match::make(match.flow, match.mask);
    rule->priority = priority;
    rule->id = next_id_++;
    rule->table_id = table;
    rule->cookie = cookie;
    rule->actions = std::move(actions);
    rule->conj = conjunctions(rule->actions);
    rule->created = rule->modified = rule->last_used = Clock::now();
    OfRule* r = rule.get();
    count_learns(r->actions, +1);  // before the old rule's go: a replacement keeps what both have
    if (auto* old = static_cast<OfRule*>(tables_[table].insert(r))) {
        count_learns(old->actions, -1);
        by_id_.erase(old->id);
    }
    by_id_.emplace(r->id, std::move(rule));
    note_change(table, r->match);
    return r;
}

void Pipeline::remove(OfRule* rule) {
    count_learns(rule->actions, -1);
    note_change(rule->table_id, rule->match);
    tables_[rule->table_id].remove(rule);
    by_id_.erase(rule->id);
}

void Pipeline::clear() {
    for (auto& [id, r] : by_id_) tables_[r->table_id].remove(r.get());
    by_id_.clear();
    learn_refs_.clear();
    dead_learned_.clear();
    modified();
}

void Pipeline::set_actions(OfRule* rule, OfActions actions) {
    count_learns(actions, +1);
    count_learns(rule->actions, -1);
    rule->actions = std::move(actions);
    rule->conj = conjunctions(rule->actions);
    note_change(rule->table_id, rule->match);
}

void Pipeline::note_change(uint8_t table, const Match& match) {
    version_++;
    if (changes_.all) return;
    if (changes_.rules.size() >= kMaxChanges) {
        changes_ = {.all = true, .rules = {}};
        return;
    }
    changes_.rules.push_back({table, match});
}

void Pipeline::count_learns(const OfActions& actions, int delta) {
    for (const auto& a : actions) {
        const auto* l = std::get_if<ActLearn>(&a.variant());
        if (!l || !(l->flags & kLearnDeleteLearned)) continue;
        LearnedKey key{l->cookie, l->table_id};
        int& n = learn_refs_[key];
        n += delta;
        if (n <= 0) {
            learn_refs_.erase(key);
            dead_learned_.push_back(key);
        }
    }
}

const OfRule* Pipeline::lookup(uint8_t table, const Flow& flow, Flow* wc) const {
    return static_cast<const OfRule*>(tables_[table].lookup(flow, wc));
}

OfRule* Pipeline::find_exactly(uint8_t table, const Match& match, int32_t priority) const {
    return static_cast<OfRule*>(tables_[table].find_exactly(match, priority));
}

OfRule* Pipeline::by_id(uint64_t id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second.get();
}

void Pipeline::for_each(uint8_t table, const std::function<void(OfRule&)>& fn) const {
    tables_[table].for_each([&](ClsRule* r) { fn(*static_cast<OfRule*>(r)); });
}

}  // namespace xvs::ofproto
