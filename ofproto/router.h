// Userspace routing for tunnels, as Open vSwitch's ovs-router keeps it: a
// table of routes cached from the kernel (unicast and local routes of the
// main, default and local tables, re-read whenever a route or address
// changes) plus routes added by hand (ovs/route/add). A tunnel's outer
// header is built from the route to its remote end: the output device
// (which must be a bridge's internal interface for xvs to send there), the
// next hop and the source address.
//
// Addresses are 16 bytes, IPv4 mapped (::ffff:a.b.c.d), prefix lengths
// counted in that form (an IPv4 /24 is 120), as in Open vSwitch. Lookup
// takes the highest priority among the routes whose prefix and packet mark
// match: a kernel route's priority is its prefix length (+64 for local
// routes), a user route's its prefix length +32, so user routes win.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/netdev.h"
#include "util/result.h"

namespace xvs::ofproto {

using netdev::Addr16;

struct RouteEntry {
    Addr16 prefix{};  // masked to plen
    int plen = 0;     // 0..128
    uint32_t mark = 0;
    int priority = 0;
    bool local = false;  // an address of this host
    bool user = false;   // added with ovs/route/add
    std::string dev;     // output device
    Addr16 gw{};         // all zero: on link
    Addr16 src{};        // source address for packets sent by this route
};

struct RouteLookup {
    std::string dev;
    Addr16 gw{};  // all zero: the destination is on link
    Addr16 src{};
};

class Router {
public:
    // Replaces every kernel route (user routes stay). A route whose device
    // has no address for its destination or gateway is left out, as Open
    // vSwitch leaves it out: it could give no source address.
    void set_kernel(const std::vector<netdev::RouteInfo>& routes, const std::vector<netdev::AddrInfo>& addrs);
    // ovs/route/add: fails when the device has no address for the prefix
    // or gateway.
    Status add(uint32_t mark, const Addr16& prefix, int plen, const std::string& dev, const Addr16& gw);
    // ovs/route/del: removes the user route with exactly this prefix and mark.
    bool del(uint32_t mark, const Addr16& prefix, int plen);
    std::optional<RouteLookup> lookup(uint32_t mark, const Addr16& dst) const;
    // ovs/route/show's text.
    std::string show() const;
    const std::vector<RouteEntry>& entries() const { return routes_; }

private:
    std::optional<Addr16> source_for(const std::string& dev, const Addr16& dst) const;
    bool insert(RouteEntry e);
    std::vector<RouteEntry> routes_;  // highest priority first
    std::vector<netdev::AddrInfo> addrs_;
};

// Helpers for the 16-byte form.
Addr16 addr_mask(const Addr16& a, int plen);
bool addr_is_zero(const Addr16& a);
bool addr_is_v4(const Addr16& a);  // ::ffff:a.b.c.d
Addr16 addr_from_v4(uint32_t be);
// Open vSwitch's ipv6_format_mapped(): dotted quad for mapped IPv4.
std::string format_addr(const Addr16& a);
// "a.b.c.d", "a.b.c.d/len", "a.b.c.d/m.a.s.k", "v6::addr", "v6::addr/len":
// the address (masked) and prefix length in the 16-byte form.
std::optional<std::pair<Addr16, int>> parse_prefix(std::string_view s);
std::optional<Addr16> parse_addr(std::string_view s);

}  // namespace xvs::ofproto
