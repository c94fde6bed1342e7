#include "ofproto/tnl_neigh.h"

#include <fmt/format.h>

namespace xvs::ofproto {

bool NeighCache::set(const std::string& bridge, const Addr16& ip, const Mac& mac, Clock::time_point now, bool kernel) {
    auto [it, added] = entries_.try_emplace({bridge, ip});
    bool changed = added || it->second.mac != mac;
    it->second.mac = mac;
    it->second.expires = now + aging_;
    it->second.kernel = kernel;
    return changed;
}

std::optional<NeighCache::Mac> NeighCache::lookup(const std::string& bridge, const Addr16& ip, Clock::time_point now) {
    auto it = entries_.find({bridge, ip});
    if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
    it->second.expires = now + aging_;
    return it->second.mac;
}

void NeighCache::set_aging(std::chrono::seconds s, Clock::time_point now) {
    aging_ = s;
    for (auto& [key, e] : entries_) e.expires = std::min(e.expires, now + s);
}

void NeighCache::remove_kernel(const std::string& bridge, const Addr16& ip) {
    auto it = entries_.find({bridge, ip});
    if (it != entries_.end() && it->second.kernel) entries_.erase(it);
}

void NeighCache::remove_bridge(const std::string& bridge) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.first.first == bridge; });
}

void NeighCache::run(Clock::time_point now) {
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.expires <= now; });
}

std::string NeighCache::show(Clock::time_point now) const {
    std::string out = "IP                                            MAC                 Bridge\n"
                      "==========================================================================\n";
    for (const auto& [key, e] : entries_) {
        const Mac& m = e.mac;
        out += fmt::format("{:<46}{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}   {}{}\n", format_addr(key.second), m[0], m[1],
                           m[2], m[3], m[4], m[5], key.first, e.expires <= now ? " STALE" : "");
    }
    return out;
}

}  // namespace xvs::ofproto
