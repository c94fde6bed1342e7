// sFlow version 5 export (the format of sflow.org's sflow_version_5.txt),
// one agent per bridge as Open vSwitch runs it: the datapath samples
// packets 1 in N (a sample action at the head of every megaflow of the
// bridge, into the upcall ring buffer); the agent turns each sample into a
// flow sample (the packet's first bytes, input and output ifIndex, VLANs)
// and polls every port's counters, and sends both in sFlow datagrams over
// UDP to the configured collectors.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ofproto/collectors.h"
#include "util/netaddr.h"
#include "util/result.h"

namespace xvs::ofproto {

inline constexpr uint16_t kSflowDefaultPort = 6343;

// A row of the sFlow table (defaults as Open vSwitch's).
struct SflowConfig {
    std::string agent;                 // device name or IP address; empty: the local address toward a target
    std::vector<std::string> targets;  // "IP[:PORT]", "[IPv6]:PORT"
    uint32_t header = 128;             // bytes of each sampled packet exported
    uint32_t sampling = 400;           // one packet in N
    uint32_t polling = 30;             // seconds between counter samples of a port, 0 none
    bool operator==(const SflowConfig&) const = default;
};

// The "output" of a flow sample besides a single ifIndex.
inline constexpr uint32_t kSflowOutMultiple = 0x80000000;      // | the number of outputs
inline constexpr uint32_t kSflowOutDropped = 0x40000000 | 256;  // discarded, reason unknown

struct SflowFlowSample {
    uint32_t input = 0;   // ifIndex of the input port, 0 unknown
    uint32_t output = 0;  // ifIndex of the one output port, or kSflowOut*
    uint16_t src_vlan = 0, dst_vlan = 0;
    uint8_t src_pcp = 0, dst_pcp = 0;
    uint32_t frame_len = 0;             // the packet's full length, without FCS
    std::span<const uint8_t> packet;    // its first bytes (as many as captured)
};

// One port's counters (sFlow's generic interface counters).
struct SflowPortCounters {
    uint32_t ifindex = 0;
    uint64_t speed = 0;  // bits/s, 0 unknown
    bool admin_up = false, oper_up = false;
    uint64_t in_octets = 0, in_packets = 0, in_discards = 0, in_errors = 0;
    uint64_t out_octets = 0, out_packets = 0, out_discards = 0, out_errors = 0;
};

// The encodings, apart from the agent for the unit tests. Each returns one
// sample record (enterprise 0): format 1 (flow sample) or 2 (counters).
std::vector<uint8_t> sflow_encode_flow_sample(uint32_t seq, uint32_t source_id, uint32_t rate, uint32_t pool,
                                              uint32_t header_max, const SflowFlowSample& s);
std::vector<uint8_t> sflow_encode_counter_sample(uint32_t seq, const SflowPortCounters& c);
// A datagram: header (agent address, sub-agent, sequence, uptime) and samples.
std::vector<uint8_t> sflow_encode_datagram(const Ip6& agent, bool agent_v6, uint32_t sub_agent, uint32_t seq,
                                           uint32_t uptime_ms, const std::vector<std::vector<uint8_t>>& samples);

class SflowAgent {
public:
    using Clock = std::chrono::steady_clock;
    struct Stats {
        uint64_t flow_samples = 0, counter_samples = 0;
    };

    // sub_id tells the bridges of one switch apart (sub-agent id, and the
    // flow sampler's data source 1000 + sub_id).
    static Result<std::unique_ptr<SflowAgent>> create(const SflowConfig& cfg, uint32_t sub_id);

    const SflowConfig& config() const { return cfg_; }
    uint32_t sub_id() const { return sub_id_; }
    std::string agent_address() const;
    // The datapath's sample probability: of 2^32.
    uint32_t probability() const;

    // Queues a flow sample or a port's counters; a datagram goes out when
    // the next sample would not fit, and at flush().
    void flow_sample(const SflowFlowSample& s);
    void counter_sample(const SflowPortCounters& c);
    void flush();
    void flush_all() { flush(); }  // (nothing is cached beyond the datagram being filled)
    // Whether the ports' counters are due (every 'polling' seconds); true
    // moves the next time on.
    bool counters_due(Clock::time_point now);

    const Stats& stats() const { return stats_; }
    const Collectors& collectors() const { return collectors_; }

private:
    SflowAgent() = default;
    void add(std::vector<uint8_t> sample);

    SflowConfig cfg_;
    uint32_t sub_id_ = 0;
    Ip6 agent_{};
    bool agent_v6_ = false;
    Collectors collectors_;
    Clock::time_point boot_;
    Clock::time_point next_poll_;
    uint32_t datagram_seq_ = 0, flow_seq_ = 0, pool_ = 0;
    std::vector<uint32_t> counter_seq_;  // by ifindex order of first appearance
    std::vector<uint32_t> counter_ifindex_;
    std::vector<std::vector<uint8_t>> pending_;
    size_t pending_bytes_ = 0;
    Stats stats_;
};

}  // namespace xvs::ofproto
