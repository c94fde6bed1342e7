#include "ofproto/tnl_routing.h"

#include <fmt/format.h>

#include "util/netaddr.h"

namespace xvs::ofproto {

namespace {

// "pkt_mark=N" (N as scanf's %i reads it).
std::optional<uint32_t> parse_mark(const std::string& s) {
    if (s.rfind("pkt_mark=", 0) != 0) return std::nullopt;
    auto v = parse_uint(s.substr(9), UINT32_MAX);
    if (!v.ok()) return std::nullopt;
    return uint32_t(*v);
}

}  // namespace

void TnlRouting::set_bridges(std::set<std::string> names) {
    for (const auto& b : bridges_)
        if (!names.count(b)) neigh.remove_bridge(b);
    bridges_ = std::move(names);
}

Status TnlRouting::sync_routes() {
    auto routes = netdev::dump_routes();
    if (!routes.ok()) return routes.error();
    auto addrs = netdev::dump_addresses();
    if (!addrs.ok()) return addrs.error();
    addrs_ = *addrs;
    router.set_kernel(*routes, *addrs);
    return {};
}

Status TnlRouting::sync_neighbours(NeighCache::Clock::time_point now) {
    auto all = netdev::dump_neighbours();
    if (!all.ok()) return all.error();
    for (const auto& n : *all) neighbour_event(n, false, now);
    return {};
}

void TnlRouting::neighbour_event(const netdev::NeighInfo& n, bool deleted, NeighCache::Clock::time_point now) {
    if (!bridges_.count(n.ifname)) return;
    if (deleted || !n.valid) {
        // A failed or removed kernel entry says nothing about what we
        // learned by snooping: only forget what the kernel itself said.
        if (deleted) neigh.remove_kernel(n.ifname, n.ip);
        return;
    }
    neigh.set(n.ifname, n.ip, n.mac, now, true);
}

std::vector<Addr16> TnlRouting::bridge_addrs(const std::string& bridge) const {
    std::vector<Addr16> out;
    for (const auto& a : addrs_)
        if (a.ifname == bridge) out.push_back(a.addr);
    return out;
}

// ovs/route/add IP/PLEN BRIDGE [GW] [pkt_mark=MARK]
Result<std::string> TnlRouting::route_add(const Args& a) {
    if (a.size() < 2 || a.size() > 4) return make_error("Invalid parameters");
    auto prefix = parse_prefix(a[0]);
    if (!prefix) return make_error("Invalid parameters");
    bool v4 = addr_is_v4(prefix->first);
    Addr16 gw{};
    uint32_t mark = 0;
    if (a.size() > 2) {
        if (auto m = parse_mark(a[2])) {
            mark = *m;
        } else {
            auto g = parse_addr(a[2]);
            if (!g || addr_is_v4(*g) != v4)
                return make_error("{}", v4 ? "Invalid pkt_mark or gateway" : "Invalid pkt_mark or IPv6 gateway");
            gw = *g;
        }
    }
    if (a.size() > 3) {
        auto m = parse_mark(a[3]);
        if (!m) return make_error("Invalid pkt_mark");
        mark = *m;
    }
    if (auto st = router.add(mark, prefix->first, prefix->second, a[1], gw); !st.ok()) return st.error();
    return std::string("OK");
}

// ovs/route/del IP/PLEN [pkt_mark=MARK]
Result<std::string> TnlRouting::route_del(const Args& a) {
    if (a.empty() || a.size() > 2) return make_error("Invalid parameters");
    auto prefix = parse_prefix(a[0]);
    if (!prefix) return make_error("Invalid parameters");
    uint32_t mark = 0;
    if (a.size() > 1) {
        auto m = parse_mark(a[1]);
        if (!m) return make_error("Invalid pkt_mark");
        mark = *m;
    }
    if (!router.del(mark, prefix->first, prefix->second)) return make_error("Not found");
    return std::string("OK");
}

// ovs/route/lookup IP [pkt_mark=MARK]
Result<std::string> TnlRouting::route_lookup(const Args& a) const {
    if (a.empty() || a.size() > 2) return make_error("Invalid parameters");
    auto prefix = parse_prefix(a[0]);
    if (!prefix || prefix->second != 128) return make_error("Invalid parameters");
    uint32_t mark = 0;
    if (a.size() > 1) {
        auto m = parse_mark(a[1]);
        if (!m) return make_error("Invalid pkt_mark");
        mark = *m;
    }
    auto r = router.lookup(mark, prefix->first);
    if (!r) return make_error("Not found");
    // (An on-link destination's gateway prints as "::", as in Open vSwitch.)
    return fmt::format("src {}\ngateway {}\ndev {}\n", format_addr(r->src), format_addr(r->gw), r->dev);
}

// tnl/neigh/set BRIDGE IP MAC
Result<std::string> TnlRouting::neigh_set(const Args& a, NeighCache::Clock::time_point now) {
    if (a.size() != 3) return make_error("Invalid parameters");
    auto ip = parse_addr(a[1]);
    if (!ip) return make_error("bad IP address");
    auto mac = parse_mac(a[2]);
    if (!mac.ok()) return make_error("bad MAC address");
    neigh.set(a[0], *ip, *mac, now);
    return std::string("OK");
}

Result<std::string> TnlRouting::neigh_flush() {
    neigh.flush();
    return std::string("OK");
}

// tnl/neigh/aging [SECS]: shows or sets how long an unused entry lives.
Result<std::string> TnlRouting::neigh_aging(const Args& a) {
    if (a.empty()) return fmt::format("{}", neigh.aging().count());
    auto v = parse_uint(a[0], NeighCache::kMaxAging.count());
    if (!v.ok() || *v == 0) return make_error("bad aging value");
    neigh.set_aging(std::chrono::seconds(*v), NeighCache::Clock::now());
    return std::string("OK");
}

}  // namespace xvs::ofproto
