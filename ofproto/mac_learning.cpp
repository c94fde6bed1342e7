#include "ofproto/mac_learning.h"

namespace xvs::ofproto {

size_t MacLearning::KeyHash::operator()(const Key& k) const {
    uint64_t v = k.vlan;
    for (uint8_t b : k.mac) v = (v << 8) | b;
    return std::hash<uint64_t>()(v * 0x9e3779b97f4a7c15ull);
}

void MacLearning::set_max_entries(size_t n) {
    max_entries_ = n ? n : 1;
    while (map_.size() > max_entries_) erase(std::prev(lru_.end()));
}

void MacLearning::erase(Lru::iterator it) {
    map_.erase(Key{it->vlan, it->mac});
    lru_.erase(it);
    version_++;
}

bool MacLearning::learn(uint16_t vlan, const EthAddr& mac, uint32_t port, Clock::time_point now) {
    auto it = map_.find(Key{vlan, mac});
    if (it != map_.end()) {
        auto e = it->second;
        e->last_seen = now;
        lru_.splice(lru_.begin(), lru_, e);
        if (e->port == port) return false;
        e->port = port;
        version_++;
        return true;
    }
    if (map_.size() >= max_entries_) erase(std::prev(lru_.end()));
    lru_.push_front(Entry{vlan, mac, port, now});
    map_.emplace(Key{vlan, mac}, lru_.begin());
    version_++;
    return true;
}

const MacLearning::Entry* MacLearning::lookup(uint16_t vlan, const EthAddr& mac) const {
    auto it = map_.find(Key{vlan, mac});
    return it == map_.end() ? nullptr : &*it->second;
}

size_t MacLearning::expire(Clock::time_point now) {
    size_t n = 0;
    while (!lru_.empty() && now - lru_.back().last_seen > aging_) {
        erase(std::prev(lru_.end()));
        n++;
    }
    return n;
}

size_t MacLearning::flush() {
    size_t n = map_.size();
    map_.clear();
    lru_.clear();
    if (n) version_++;
    return n;
}

size_t MacLearning::flush_port(uint32_t port) {
    size_t n = 0;
    for (auto it = lru_.begin(); it != lru_.end();) {
        auto next = std::next(it);
        if (it->port == port) {
            erase(it);
            n++;
        }
        it = next;
    }
    return n;
}

void MacLearning::for_each(const std::function<void(const Entry&)>& fn) const {
    for (const auto& e : lru_) fn(e);
}

}  // namespace xvs::ofproto
