// The tunnel neighbour cache, as Open vSwitch's tnl-neigh-cache: the MAC of
// each next hop a tunnel's outer header is addressed to, per bridge (the
// bridge whose internal interface the route leaves by). Entries come from
// ARP replies, gratuitous ARPs and neighbour advertisements that a bridge
// delivers to its local port (snooped in translation), from the kernel's
// neighbour table of those interfaces, and from tnl/neigh/set. An entry
// lives `aging` seconds past its last use or refresh (default 15 minutes).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "ofproto/router.h"

namespace xvs::ofproto {

class NeighCache {
public:
    using Clock = std::chrono::steady_clock;
    using Mac = std::array<uint8_t, 6>;
    static constexpr std::chrono::seconds kDefaultAging{15 * 60};
    static constexpr std::chrono::seconds kMaxAging{3600};

    // Learns or refreshes; returns whether the MAC is new or changed.
    // 'kernel': the kernel's neighbour table said so (a kernel deletion
    // removes only such entries).
    bool set(const std::string& bridge, const Addr16& ip, const Mac& mac, Clock::time_point now, bool kernel = false);
    // The MAC, refreshing the entry; nullopt when unknown or expired.
    std::optional<Mac> lookup(const std::string& bridge, const Addr16& ip, Clock::time_point now);
    void remove_kernel(const std::string& bridge, const Addr16& ip);
    void remove_bridge(const std::string& bridge);
    void flush() { entries_.clear(); }
    // Drops entries expired by now.
    void run(Clock::time_point now);
    std::chrono::seconds aging() const { return aging_; }
    // New aging; entries that would live longer now expire 's' from now.
    void set_aging(std::chrono::seconds s, Clock::time_point now);
    // tnl/neigh/show's text (expired entries not yet dropped say STALE).
    std::string show(Clock::time_point now) const;
    size_t size() const { return entries_.size(); }

private:
    struct Entry {
        Mac mac{};
        Clock::time_point expires;
        bool kernel = false;
    };
    std::map<std::pair<std::string, Addr16>, Entry> entries_;
    std::chrono::seconds aging_ = kDefaultAging;
};

}  // namespace xvs::ofproto
