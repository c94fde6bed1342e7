// The MAC learning table behind the NORMAL action: (VLAN, MAC) → the port
// (bundle) the address was last seen on, with aging and a size limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <unordered_map>

#include "ofproto/flow.h"

namespace xvs::ofproto {

class MacLearning {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr unsigned kDefaultAgingSec = 300;  // OVS's mac-aging-time default
    static constexpr size_t kDefaultMaxEntries = 8192;  // OVS's mac-table-size default

    struct Entry {
        uint16_t vlan;
        EthAddr mac;
        uint32_t port;  // bundle id
        Clock::time_point last_seen;
    };

    void set_aging(std::chrono::seconds s) { aging_ = s; }
    void set_max_entries(size_t n);
    std::chrono::seconds aging() const { return aging_; }

    // Records that 'mac' on 'vlan' was seen on 'port' at 'now'. Returns true
    // when this changed where the address lives (new entry or a move):
    // forwarding decisions may differ, so megaflows need revalidation. When
    // the table is full, the port with the most entries gives up its least
    // recently seen one (as Open vSwitch does: a port flooding the table
    // with source addresses evicts its own, not the other ports').
    bool learn(uint16_t vlan, const EthAddr& mac, uint32_t port, Clock::time_point now);
    // Port for (vlan, mac), or nullopt.
    const Entry* lookup(uint16_t vlan, const EthAddr& mac) const;

    // Drops entries idle longer than the aging time; returns how many.
    size_t expire(Clock::time_point now);
    // Forgets everything (fdb/flush) or what lives on one port.
    size_t flush();
    size_t flush_port(uint32_t port);

    size_t size() const { return map_.size(); }
    // Entries, most recently seen first.
    void for_each(const std::function<void(const Entry&)>& fn) const;
    // Bumped whenever an address appears, moves or goes away.
    uint64_t version() const { return version_; }

private:
    struct Key {
        uint16_t vlan;
        EthAddr mac;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const;
    };
    struct Slot;
    using Lru = std::list<Slot>;  // front: most recently seen
    using PortLru = std::list<Lru::iterator>;  // one port's entries, front: most recently seen
    struct Slot {
        Entry e;
        PortLru::iterator in_port;
    };
    void erase(Lru::iterator it);
    void evict_fairly();
    void touch_port(Lru::iterator it, uint32_t old_port);  // 'it' is now first of its (maybe new) port

    Lru lru_;
    std::unordered_map<Key, Lru::iterator, KeyHash> map_;
    std::unordered_map<uint32_t, PortLru> by_port_;
    std::chrono::seconds aging_{kDefaultAgingSec};
    size_t max_entries_ = kDefaultMaxEntries;
    uint64_t version_ = 0;
};

}  // namespace xvs::ofproto
