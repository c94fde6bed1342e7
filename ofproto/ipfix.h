// IPFIX export (RFC 7011) of sampled packets, as Open vSwitch's IPFIX table
// configures it: bridge-wide (the datapath samples packets 1 in N, a sample
// action at the head of every megaflow of the bridge, like sFlow's) or per
// flow (an exporter per Flow_Sample_Collector_Set, fed by the OpenFlow
// `sample` action, which names the observation domain and point). Each
// sample becomes a flow record (L2, IPv4 or IPv6 template: addresses,
// ports, interfaces, VLAN, direction, packet and octet counts), either sent
// at once or, with a flow cache, aggregated per flow until its active
// timeout or until the cache is full. As in Open vSwitch, a sample counts
// for the packets its probability stands for (N packets at 1 in N), and
// octets as that many packets of its length.
#pragma once

#include <chrono>
#include <list>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "xvs/abi.h"
#include "ofproto/collectors.h"
#include "util/result.h"

namespace xvs::ofproto {

inline constexpr uint16_t kIpfixDefaultPort = 4739;

// A row of the IPFIX table (defaults as Open vSwitch's).
struct IpfixConfig {
    std::vector<std::string> targets;
    uint32_t sampling = 400;            // one packet in N
    uint32_t obs_domain_id = 0;
    uint32_t obs_point_id = 0;
    uint32_t cache_active_timeout = 0;  // seconds; 0 (or cache_max_flows 0): no cache
    uint32_t cache_max_flows = 0;
    bool operator==(const IpfixConfig&) const = default;
};

// Template ids of the records xvs sends.
inline constexpr uint16_t kIpfixTemplateL2 = 256, kIpfixTemplateIpv4 = 257, kIpfixTemplateIpv6 = 258;

// flowEndReason values (RFC 5102).
inline constexpr uint8_t kIpfixEndActiveTimeout = 2, kIpfixEndForced = 4, kIpfixEndLackOfResources = 5;

// flowDirection values (RFC 5102).
inline constexpr uint8_t kIpfixIngress = 0, kIpfixEgress = 1;

// What one sampled packet contributes.
struct IpfixSample {
    xvs_flow_key key{};  // the packet's datapath key (its in_port ignored)
    uint32_t in_ifindex = 0, out_ifindex = 0;
    uint32_t frame_len = 0;
    uint64_t packets = 1;  // the packets it stands for
    uint32_t obs_domain_id = 0, obs_point_id = 0;
    uint8_t direction = kIpfixIngress;
};

// A flow record: the sample's fields and what was counted.
struct IpfixRecord {
    IpfixSample flow;
    uint64_t packets = 0, l2_octets = 0, ip_octets = 0;
    uint64_t start_ms = 0, end_ms = 0;  // wall clock, ms since the epoch
    uint8_t end_reason = kIpfixEndActiveTimeout;
};

// Encodings, apart from the exporter for the unit tests.
uint16_t ipfix_template_of(const xvs_flow_key& key);
std::vector<uint8_t> ipfix_encode_templates();  // a template set with the three templates
std::vector<uint8_t> ipfix_encode_record(const IpfixRecord& r);  // one data record
// A message: header and sets (each set already framed with its id and length).
std::vector<uint8_t> ipfix_encode_message(uint32_t export_time, uint32_t seq, uint32_t obs_domain,
                                          const std::vector<std::vector<uint8_t>>& sets);

class IpfixExporter {
public:
    using Clock = std::chrono::steady_clock;
    // A bridge-wide exporter sends its templates at once (in the
    // configured observation domain); a per-flow one when a sample first
    // names a domain.
    static Result<std::unique_ptr<IpfixExporter>> create(const IpfixConfig& cfg, bool bridge_wide = true);

    const IpfixConfig& config() const { return cfg_; }
    uint32_t probability() const;  // of 2^32, for the bridge-wide sample action

    void sample(const IpfixSample& s);
    // Expires cached flows whose active timeout passed, resends templates
    // when due, and sends what is queued.
    void run(Clock::time_point now);
    // Sends every cached flow (reconfiguration, shutdown).
    void flush_all();

    uint64_t samples() const { return samples_; }
    uint64_t records() const { return records_; }
    size_t cached() const { return cache_.size(); }
    const Collectors& collectors() const { return collectors_; }

private:
    IpfixExporter() = default;
    // As in Open vSwitch, either setting 0 turns the cache off.
    bool caching() const { return cfg_.cache_max_flows > 0 && cfg_.cache_active_timeout > 0; }
    void queue(const IpfixRecord& r);
    void send();
    void send_templates(uint32_t domain);

    struct Cached {
        IpfixRecord rec;
        Clock::time_point created;
    };
    IpfixConfig cfg_;
    Collectors collectors_;
    using Cache = std::map<std::vector<uint8_t>, Cached>;  // by the record's flow fields
    Cache cache_;
    std::list<Cache::iterator> order_;  // oldest first
    std::map<uint16_t, std::vector<uint8_t>> pending_;  // data sets being filled, by template
    uint32_t pending_domain_ = 0;                       // their observation domain
    size_t pending_bytes_ = 0;
    uint32_t pending_records_ = 0;
    std::map<uint32_t, Clock::time_point> next_templates_;  // by observation domain
    std::map<uint32_t, uint32_t> seq_;  // data records sent so far per domain (the message header's sequence)
    uint64_t samples_ = 0, records_ = 0;
};

}  // namespace xvs::ofproto
