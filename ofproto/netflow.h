// NetFlow version 5 export, as Open vSwitch does it: a bridge with a
// NetFlow row accounts every IPv4 megaflow's traffic to a NetFlow flow
// (input port, addresses, protocol, ports, DSCP; translation makes the
// megaflows exact on those) and sends a record when the flow's megaflow
// goes away, and every active_timeout seconds while it stays busy.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ofproto/collectors.h"
#include "util/result.h"

namespace xvs::ofproto {

// A row of the NetFlow table.
struct NetflowConfig {
    std::vector<std::string> targets;  // "IP:PORT"
    int engine_type = -1, engine_id = -1;  // -1: derived from the datapath
    int64_t active_timeout = 0;            // seconds; 0: 600; -1: none
    bool add_id_to_interface = false;      // engine_id's low 7 bits above 9 bits of port number
    bool operator==(const NetflowConfig&) const = default;
};

// The record's output interface when a flow did not leave by one port.
inline constexpr uint16_t kNetflowOutFlood = 0xffff;
inline constexpr uint16_t kNetflowOutMulti = 0xfffe;
inline constexpr uint16_t kNetflowOutDrop = 0xfffd;

// What identifies a NetFlow flow (network byte order as in the packet).
struct NetflowKey {
    uint32_t in_port = 0;  // OpenFlow port
    uint32_t nw_src = 0, nw_dst = 0;
    uint16_t tp_src = 0, tp_dst = 0;  // ICMP: type and code
    uint8_t nw_proto = 0, nw_tos = 0;
    bool operator==(const NetflowKey&) const = default;
};

// One v5 record's fields (host order), for the encoder and its tests.
struct NetflowRecord {
    NetflowKey key;
    uint16_t input = 0, output = 0;
    uint32_t packets = 0, bytes = 0;
    uint32_t first_ms = 0, last_ms = 0;  // sysUpTime of the first and last packet
    uint8_t tcp_flags = 0;
};
// A v5 datagram (at most 30 records); flow_seq counts the records sent before it.
std::vector<uint8_t> netflow_encode_v5(uint32_t uptime_ms, uint64_t unix_ns, uint32_t flow_seq, uint8_t engine_type,
                                       uint8_t engine_id, const std::vector<NetflowRecord>& records);

class NetflowExporter {
public:
    using Clock = std::chrono::steady_clock;

    static Result<std::unique_ptr<NetflowExporter>> create(const NetflowConfig& cfg, uint8_t engine_type,
                                                           uint8_t engine_id);
    const NetflowConfig& config() const { return cfg_; }

    // Credits a megaflow's new traffic to its flow. A flow whose output
    // changed is reported first, as a flow of its own.
    void update(const NetflowKey& key, uint16_t output, uint64_t packets, uint64_t bytes, uint8_t tcp_flags,
                Clock::time_point used);
    // The megaflow went away: report what the flow has, forget it.
    void remove(const NetflowKey& key);
    // Active timeouts (at most once a second) and sending what is queued.
    void run(Clock::time_point now);
    // Reports every flow and forgets them (reconfiguration, shutdown).
    void flush_all();

    uint64_t records() const { return records_sent_; }
    uint64_t flows() const { return flows_.size(); }
    const Collectors& collectors() const { return collectors_; }
    uint8_t engine_type() const { return engine_type_; }
    uint8_t engine_id() const { return engine_id_; }

private:
    struct KeyHash {
        size_t operator()(const NetflowKey& k) const;
    };
    struct Flow {
        uint16_t output = 0;
        uint64_t packets = 0, bytes = 0;
        uint8_t tcp_flags = 0;
        Clock::time_point created, used, last_expired;
    };
    NetflowExporter() = default;
    void expire(const NetflowKey& key, Flow& f);
    void send();
    uint32_t uptime(Clock::time_point t) const;

    NetflowConfig cfg_;
    uint8_t engine_type_ = 0, engine_id_ = 0;
    std::chrono::seconds active_{600};  // 0: no active timeout
    Collectors collectors_;
    Clock::time_point boot_, next_run_;
    std::unordered_map<NetflowKey, Flow, KeyHash> flows_;
    std::vector<NetflowRecord> pending_;
    uint32_t flow_seq_ = 0;
    uint64_t records_sent_ = 0;
};

}  // namespace xvs::ofproto
