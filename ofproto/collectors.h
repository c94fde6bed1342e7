// The UDP collectors an exporter (sFlow, NetFlow) sends its datagrams to:
// targets "IP[:PORT]" or "[IPv6]:PORT" from the database, one connected
// non-blocking socket each.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "util/fd.h"
#include "util/netaddr.h"
#include "util/result.h"

namespace xvs::ofproto {

struct CollectorTarget {
    std::string text;
    bool v6 = false;
    Ip6 addr{};  // IPv4 in the first 4 bytes
    uint16_t port = 0;
};

// Parses a target; 'what' names the exporter in errors ("sFlow target
// 1.2.3.4:0: bad port \"0\""). Host names are refused, not looked up.
Result<CollectorTarget> parse_collector_target(const std::string& text, uint16_t default_port, const char* what);

class Collectors {
public:
    // Opens a socket per target; fails on the first target that does not
    // parse or cannot be connected.
    static Result<Collectors> open(const std::vector<std::string>& targets, uint16_t default_port, const char* what);

    // Sends one datagram to every collector; counts what went and failed.
    void send(std::span<const uint8_t> datagram);
    // The local address of the socket toward the first target (what the
    // routing table picks to reach it); false when unknown.
    bool local_address(Ip6& addr, bool& v6) const;

    uint64_t sent() const { return sent_; }
    uint64_t errors() const { return errors_; }

private:
    std::vector<UniqueFd> fds_;
    uint64_t sent_ = 0, errors_ = 0;
};

}  // namespace xvs::ofproto
