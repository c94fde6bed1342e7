#include "ofproto/router.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace xvs::ofproto {

Addr16 addr_mask(const Addr16& a, int plen) {
    Addr16 m{};
    for (int i = 0; i < 16; i++) {
        int bits = std::clamp(plen - 8 * i, 0, 8);
        m[i] = uint8_t(a[i] & uint8_t(0xff00 >> bits));
    }
    return m;
}

bool addr_is_zero(const Addr16& a) {
    return std::all_of(a.begin(), a.end(), [](uint8_t b) { return b == 0; });
}

bool addr_is_v4(const Addr16& a) {
    static const uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(a.data(), kPrefix, 12) == 0;
}

Addr16 addr_from_v4(uint32_t be) {
    Addr16 a{};
    a[10] = a[11] = 0xff;
    std::memcpy(a.data() + 12, &be, 4);
    return a;
}

std::string format_addr(const Addr16& a) {
    char buf[INET6_ADDRSTRLEN];
    if (addr_is_v4(a)) return inet_ntop(AF_INET, a.data() + 12, buf, sizeof buf);
    return inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
}

std::optional<Addr16> parse_addr(std::string_view s) {
    std::string str(s);
    in_addr v4{};
    if (inet_pton(AF_INET, str.c_str(), &v4) == 1) return addr_from_v4(v4.s_addr);
    Addr16 a{};
    if (inet_pton(AF_INET6, str.c_str(), a.data()) == 1) return a;
    return std::nullopt;
}

std::optional<std::pair<Addr16, int>> parse_prefix(std::string_view s) {
    size_t slash = s.find('/');
    auto addr = parse_addr(s.substr(0, slash));
    if (!addr) return std::nullopt;
    bool v4 = addr_is_v4(*addr);
    int plen = 128;
    if (slash != std::string_view::npos) {
        std::string_view len = s.substr(slash + 1);
        if (v4 && len.find('.') != std::string_view::npos) {
            // A dotted mask: contiguous ones only.
            auto m = parse_addr(len);
            if (!m || !addr_is_v4(*m)) return std::nullopt;
            uint32_t mask = ntohl(*reinterpret_cast<const uint32_t*>(m->data() + 12));
            int ones = __builtin_popcount(mask);
            if (ones != 32 && mask != ~(UINT32_MAX >> ones)) return std::nullopt;
            plen = 96 + ones;
        } else {
            if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), ::isdigit)) return std::nullopt;
            int n = std::stoi(std::string(len));
            if (n > (v4 ? 32 : 128)) return std::nullopt;
            plen = n + (v4 ? 96 : 0);
        }
    }
    return std::pair{addr_mask(*addr, plen), plen};
}

// The device's address whose subnet holds 'dst', the longest such prefix
// (for an IPv4 destination only IPv4 addresses), as Open vSwitch picks it.
std::optional<Addr16> Router::source_for(const std::string& dev, const Addr16& dst) const {
    std::optional<Addr16> best;
    int best_plen = -1;
    for (const auto& a : addrs_) {
        if (a.ifname != dev || (addr_is_v4(dst) && !addr_is_v4(a.addr))) continue;
        if (a.plen > best_plen && addr_mask(a.addr, a.plen) == addr_mask(dst, a.plen)) {
            best = a.addr;
            best_plen = a.plen;
        }
    }
    return best;
}

bool Router::insert(RouteEntry e) {
    e.prefix = addr_mask(e.prefix, e.plen);
    // The source: an address of the device in the destination's subnet,
    // else in the gateway's.
    auto src = source_for(e.dev, e.prefix);
    if (!src && !addr_is_zero(e.gw)) src = source_for(e.dev, e.gw);
    if (!src) return false;
    e.src = *src;
    // The same prefix, mark and priority: the new one replaces it.
    std::erase_if(routes_, [&](const RouteEntry& r) {
        return r.prefix == e.prefix && r.plen == e.plen && r.mark == e.mark && r.priority == e.priority;
    });
    auto at = std::find_if(routes_.begin(), routes_.end(), [&](const RouteEntry& r) { return r.priority < e.priority; });
    routes_.insert(at, std::move(e));
    return true;
}

void Router::set_kernel(const std::vector<netdev::RouteInfo>& routes, const std::vector<netdev::AddrInfo>& addrs) {
    addrs_ = addrs;
    std::erase_if(routes_, [](const RouteEntry& r) { return !r.user; });
    for (const auto& k : routes) {
        RouteEntry e;
        e.prefix = k.dst;
        e.plen = k.plen;
        e.mark = k.mark;
        e.local = k.local;
        e.priority = k.local ? k.plen + 64 : k.plen;
        e.dev = k.ifname;
        e.gw = k.gw;
        insert(std::move(e));
    }
}

Status Router::add(uint32_t mark, const Addr16& prefix, int plen, const std::string& dev, const Addr16& gw) {
    RouteEntry e;
    e.prefix = prefix;
    e.plen = plen;
    e.mark = mark;
    e.priority = plen + 32;
    e.user = true;
    e.dev = dev;
    e.gw = gw;
    if (!insert(std::move(e))) return make_error("Error while inserting route.");
    return {};
}

bool Router::del(uint32_t mark, const Addr16& prefix, int plen) {
    auto n = std::erase_if(routes_, [&](const RouteEntry& r) {
        return r.user && r.mark == mark && r.plen == plen && r.prefix == addr_mask(prefix, plen);
    });
    return n > 0;
}

std::optional<RouteLookup> Router::lookup(uint32_t mark, const Addr16& dst) const {
    for (const auto& r : routes_)  // highest priority first
        if (r.mark == mark && addr_mask(dst, r.plen) == r.prefix) return RouteLookup{r.dev, r.gw, r.src};
    return std::nullopt;
}

std::string Router::show() const {
    std::string out = "Route Table:\n";
    for (const auto& r : routes_) {
        out += r.user ? "User: " : "Cached: ";
        out += fmt::format("{}/{}", format_addr(r.prefix), addr_is_v4(r.prefix) ? r.plen - 96 : r.plen);
        if (r.mark) out += fmt::format(" MARK {}", r.mark);
        out += " dev " + r.dev;
        if (!addr_is_zero(r.gw)) out += " GW " + format_addr(r.gw);
        out += " SRC " + format_addr(r.src);
        if (r.local) out += " local";
        out += "\n";
    }
    return out;
}

}  // namespace xvs::ofproto
