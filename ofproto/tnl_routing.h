// What userspace tunneling needs to know about the host's network, kept in
// one place: the router (kernel routes and user routes) and the neighbour
// cache, the addresses of each bridge's own interface, and the control
// commands Open vSwitch has for them (ovs/route/*, tnl/neigh/* and their
// tnl/arp/* aliases), with Open vSwitch's replies and errors.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ofproto/router.h"
#include "ofproto/tnl_neigh.h"
#include "util/netdev.h"
#include "util/result.h"

namespace xvs::ofproto {

class TnlRouting {
public:
    using Args = std::vector<std::string>;
    Router router;
    NeighCache neigh;

    // The bridges (whose internal interfaces share their names): kernel
    // neighbours and addresses of those devices are theirs.
    // (The neighbours of bridges that went are forgotten.)
    void set_bridges(std::set<std::string> names);
    // Re-reads routes and addresses from the kernel.
    Status sync_routes();
    // Re-reads the kernel's neighbours of the bridges' devices.
    Status sync_neighbours(NeighCache::Clock::time_point now);
    // A neighbour notification.
    void neighbour_event(const netdev::NeighInfo& n, bool deleted, NeighCache::Clock::time_point now);
    // The addresses of a bridge's own interface (ARP replies to them are snooped).
    std::vector<Addr16> bridge_addrs(const std::string& bridge) const;

    // The control commands; args without the command name.
    Result<std::string> route_add(const Args& a);
    Result<std::string> route_del(const Args& a);
    Result<std::string> route_lookup(const Args& a) const;
    Result<std::string> route_show() const { return router.show(); }
    Result<std::string> neigh_set(const Args& a, NeighCache::Clock::time_point now);
    Result<std::string> neigh_show(NeighCache::Clock::time_point now) const { return neigh.show(now); }
    Result<std::string> neigh_flush();
    Result<std::string> neigh_aging(const Args& a);

private:
    std::set<std::string> bridges_;
    std::vector<netdev::AddrInfo> addrs_;
};

}  // namespace xvs::ofproto
