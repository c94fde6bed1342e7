// Network devices through rtnetlink: what the switch daemon needs for its
// ports (look a device up, list them all, create and delete veth pairs,
// change state, MAC and MTU) and a monitor of link changes for its PollLoop.
//
// Every call is synchronous on a fresh NETLINK_ROUTE socket of the calling
// thread's network namespace: the request asks for an acknowledgement and the
// call returns only once the kernel has answered, so a returned Status says
// whether the change happened. Errors name the device and carry strerror
// text, plus the kernel's extended-ack message when it sends one, e.g.
// "cannot create veth br0/xvsp1: File exists".
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/fd.h"
#include "util/result.h"

namespace xvs::netdev {

struct LinkInfo {
    int ifindex = 0;
    std::string name;
    std::array<uint8_t, 6> mac{};  // IFLA_ADDRESS; all zero when the device has no 6-byte address
    int mtu = 0;
    bool admin_up = false;  // IFF_UP
    bool carrier = false;   // IFF_LOWER_UP: the device is up and has carrier
    std::string kind;       // IFLA_INFO_KIND ("veth", "dummy", "" for none)
    // IFLA_STATS64 (IFLA_STATS on kernels without it).
    uint64_t rx_packets = 0, rx_bytes = 0, rx_dropped = 0, rx_errors = 0;
    uint64_t tx_packets = 0, tx_bytes = 0, tx_dropped = 0, tx_errors = 0;
    // IFLA_LINK: for a veth, its peer's ifindex; 0 if none. When the peer
    // lives in another network namespace the index is one of that namespace.
    int link_ifindex = 0;
};

// RTM_GETLINK by name or index; when the device does not exist the error
// says which ("cannot get device xvsp1: No such device").
Result<LinkInfo> get_link(const std::string& name);
Result<LinkInfo> get_link(int ifindex);

// Every device of the namespace (RTM_GETLINK dump), in ifindex order. A dump
// the kernel reports as interrupted by concurrent changes is retried.
Result<std::vector<LinkInfo>> dump_links();
// dump_links() for callers that cannot act on a failure: empty on error.
// A daemon that reconciles its ports against the list must use dump_links(),
// or an error would look like every device vanished.
std::vector<LinkInfo> list_links();

// A veth pair with both ends in the current namespace, both down.
Status create_veth(const std::string& name, const std::string& peer_name);
// Deleting either end of a veth pair deletes both.
Status delete_link(const std::string& name);
Status set_up(const std::string& name, bool up);
Status set_mac(const std::string& name, const std::array<uint8_t, 6>& mac);
Status set_mtu(const std::string& name, int mtu);

// ---- Routes, addresses and neighbours (userspace tunnel routing) -----------

// Addresses in one 16-byte form: IPv6, or IPv4 mapped (::ffff:a.b.c.d), as
// Open vSwitch's router keeps them. Network byte order.
using Addr16 = std::array<uint8_t, 16>;

// A unicast or local route of the main, default or local table; IPv4
// routes mapped, their prefix length counted in the 128-bit form (+96).
struct RouteInfo {
    Addr16 dst{};
    int plen = 0;
    bool local = false;  // RTN_LOCAL: an address of this host
    int ifindex = 0;
    std::string ifname;  // the output device's name
    Addr16 gw{};         // all zero: none
    uint32_t mark = 0;   // RTA_MARK
};
Result<std::vector<RouteInfo>> dump_routes();

// An address of a device (IPv4 mapped, prefix length in the 128-bit form).
struct AddrInfo {
    int ifindex = 0;
    std::string ifname;
    Addr16 addr{};
    int plen = 0;
};
Result<std::vector<AddrInfo>> dump_addresses();

// A neighbour table entry with a link-layer address (IPv4 mapped).
struct NeighInfo {
    int ifindex = 0;
    std::string ifname;
    Addr16 ip{};
    std::array<uint8_t, 6> mac{};
    bool valid = false;  // reachable, stale, delayed, probing, permanent or noarp: the MAC can be used
};
Result<std::vector<NeighInfo>> dump_neighbours();

// Route, address and neighbour notifications, non-blocking as LinkMonitor.
class NetMonitor {
public:
    struct Event {
        enum Kind { Resync, Route, Addr, Neigh } kind;
        NeighInfo neigh;       // Neigh
        bool deleted = false;  // RTM_DELNEIGH (Neigh)
    };
    static Result<std::unique_ptr<NetMonitor>> open();
    int fd() const { return fd_.get(); }
    // Resync: notifications were lost; re-read everything.
    void drain(const std::function<void(const Event&)>& fn);

private:
    explicit NetMonitor(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

// Link change notifications (the RTMGRP_LINK multicast group) of the
// namespace the monitor was opened in. The fd is non-blocking: put it in a
// PollLoop for POLLIN and call drain() when it is readable.
class LinkMonitor {
public:
    struct Event {
        int ifindex;       // 0: the kernel dropped notifications; resync everything
        std::string name;  // empty when ifindex is 0
        bool deleted;      // RTM_DELLINK; otherwise RTM_NEWLINK (created or changed)
    };

    static Result<std::unique_ptr<LinkMonitor>> open();

    int fd() const { return fd_.get(); }

    // Reads everything pending without blocking and calls fn once per event,
    // in the kernel's order. When the socket overflowed (ENOBUFS) since the
    // last drain, or a notification was too large to read, fn gets one event
    // with ifindex 0 instead of the lost ones; the caller should then re-read
    // every device (dump_links) since any change may have been missed.
    void drain(const std::function<void(const Event&)>& fn);

private:
    explicit LinkMonitor(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

}  // namespace xvs::netdev
