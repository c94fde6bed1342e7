#include "ofproto/mac_learning.h"

namespace xvs::ofproto {

size_t MacLearning::KeyHash::operator()(const Key& k) const {
    uint64_t v = k.vlan;
    for (uint8_t b : k.mac) v = (v << 8) | b;
    return std::hash<uint64_t>()(v * 0x9e3779b97f4a7c15ull);
}

void MacLearning::set_max_entries(size_t n) {
    max_entries_ = n ? n : 1;
    while (map_.size() > max_entries_) evict_fairly();
}

void MacLearning::erase(Lru::iterator it) {
    map_.erase(Key{it->e.vlan, it->e.mac});
    auto p = by_port_.find(it->e.port);
    p->second.erase(it->in_port);
    if (p->second.empty()) by_port_.erase(p);
    lru_.erase(it);
    version_++;
}

void MacLearning::evict_fairly() {
    auto most = by_port_.begin();
    for (auto p = by_port_.begin(); p != by_port_.end(); ++p)
        if (p->second.size() > most->second.size() || (p->second.size() == most->second.size() && p->first < most->first))
            most = p;
    if (most != by_port_.end()) erase(most->second.back());
}

void MacLearning::touch_port(Lru::iterator it, uint32_t old_port) {
    if (old_port == it->e.port) {
        auto& l = by_port_[old_port];
        l.splice(l.begin(), l, it->in_port);
        return;
    }
    auto p = by_port_.find(old_port);
    p->second.erase(it->in_port);
    if (p->second.empty()) by_port_.erase(p);
    auto& l = by_port_[it->e.port];
    l.push_front(it);
    it->in_port = l.begin();
}

bool MacLearning::learn(uint16_t vlan, const EthAddr& mac, uint32_t port, Clock::time_point now) {
    auto it = map_.find(Key{vlan, mac});
    if (it != map_.end()) {
        auto s = it->second;
        uint32_t old = s->e.port;
        s->e.last_seen = now;
        s->e.port = port;
        lru_.splice(lru_.begin(), lru_, s);
        touch_port(s, old);
        if (old == port) return false;
        version_++;
        return true;
    }
    if (map_.size() >= max_entries_) evict_fairly();
    lru_.push_front(Slot{Entry{vlan, mac, port, now}, {}});
    auto& l = by_port_[port];
    l.push_front(lru_.begin());
    lru_.begin()->in_port = l.begin();
    map_.emplace(Key{vlan, mac}, lru_.begin());
    version_++;
    return true;
}

const MacLearning::Entry* MacLearning::lookup(uint16_t vlan, const EthAddr& mac) const {
    auto it = map_.find(Key{vlan, mac});
    return it == map_.end() ? nullptr : &it->second->e;
}

size_t MacLearning::expire(Clock::time_point now) {
    size_t n = 0;
    while (!lru_.empty() && now - lru_.back().e.last_seen > aging_) {
        erase(std::prev(lru_.end()));
        n++;
    }
    return n;
}

size_t MacLearning::flush() {
    size_t n = map_.size();
    map_.clear();
    lru_.clear();
    by_port_.clear();
    if (n) version_++;
    return n;
}

size_t MacLearning::flush_port(uint32_t port) {
    size_t n = 0;
    for (auto it = lru_.begin(); it != lru_.end();) {
        auto next = std::next(it);
        if (it->e.port == port) {
            erase(it);
            n++;
        }
        it = next;
    }
    return n;
}

void MacLearning::for_each(const std::function<void(const Entry&)>& fn) const {
    for (const auto& s : lru_) fn(s.e);
}

}  // namespace xvs::ofproto
