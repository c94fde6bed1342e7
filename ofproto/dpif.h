// The datapath as the switch uses it: ports, megaflows, packet execution
// and upcalls. Two implementations: the BPF datapath in the kernel
// (dpif_bpf.cpp, over loader::Datapath) and an in-process dummy for tests
// without a kernel (dpif_dummy.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "loader/datapath.h"
#include "util/result.h"

namespace xvs::ofproto {

using loader::DpStats;
using loader::FlowEntry;
using loader::PutMode;
using loader::Upcall;

struct DpPort {
    uint32_t port_no;
    std::string ifname;
};

class Dpif {
public:
    virtual ~Dpif() = default;
    virtual std::string name() const = 0;
    virtual std::string type() const = 0;  // "system", "dummy"

    virtual Result<uint32_t> add_port(const std::string& ifname) = 0;
    virtual Status del_port(uint32_t port_no) = 0;
    virtual std::vector<DpPort> ports() const = 0;

    virtual Status put_flow(const xvs_flow_key& key, const xvs_flow_key& mask, const xvs_action_list& actions,
                            PutMode mode) = 0;
    // *last (when given): the flow's statistics just before it went.
    virtual Status del_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_flow_stats* last = nullptr) = 0;
    virtual std::vector<FlowEntry> dump_flows() const = 0;
    // Every flow, one at a time (the revalidator's dump; no list is built
    // where the datapath can avoid it).
    virtual Status for_each_flow(const std::function<void(const FlowEntry&)>& fn) const {
        for (const auto& f : dump_flows()) fn(f);
        return {};
    }
    virtual Status flush_flows() = 0;
    virtual size_t n_masks() const = 0;
    virtual Status rank_masks() = 0;
    virtual DpStats stats() const = 0;
    // Token-bucket meter 'id' (rate 0 removes it); the METER action uses it.
    virtual Status set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets) = 0;
    // Packets meter 'id' let through and dropped; nullopt when it is not set.
    struct MeterCounts {
        uint64_t passed = 0, dropped = 0;
    };
    virtual std::optional<MeterCounts> meter_counts(uint32_t id) const = 0;

    // Runs 'actions' on 'packet' as if it arrived on in_port and sends what
    // they output; returns the copies sent. A userspace action hands the
    // packet, as edited up to that point, to 'userspace' with the action
    // (the first packet of a flow that sends packet-ins, packet-outs); so
    // does a sample action its probability picks: the datapath samples no
    // packet it executes.
    using UserspaceFn = std::function<void(const xvs_action& a, std::span<const uint8_t> packet)>;
    virtual Result<int> execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions,
                                const UserspaceFn& userspace = {}) = 0;

    // A descriptor that is readable when upcalls wait, and a non-blocking
    // read of up to 'max' of them.
    virtual int upcall_fd() const = 0;
    virtual int recv_upcalls(size_t max, const std::function<void(const Upcall&)>& fn) = 0;

    // The Interface row's options for a port, on every reconfiguration.
    // Only the dummy datapath has any it understands (tx_pcap, ...).
    virtual Status set_port_options(uint32_t port_no, const std::map<std::string, std::string>& options) {
        (void)port_no;
        (void)options;
        return {};
    }
};

// Opens the BPF datapath 'name', creating it when it does not exist; an
// existing one is adopted with its ports and flows.
Result<std::unique_ptr<Dpif>> open_bpf_dpif(const std::string& name, bool* created);

// The dummy datapath (xvs-vswitchd --enable-dummy, dpif_dummy.cpp): the BPF
// datapath's semantics in process, no kernel and no privileges. Ports are
// names; packets arrive through receive() and what a port sends is queued
// for take_tx() and, with options:tx_pcap=FILE, appended to a pcap file.
// Megaflows, lookups, stats, upcalls (an eventfd makes upcall_fd()
// readable), meters and the action list are as in the kernel datapath;
// actions edit the bytes in userspace, checksums included.
//
// Port options (set_port_options), as Open vSwitch's netdev-dummy has
// them: tx_pcap=FILE (frames sent), rxq_pcap=FILE (frames received),
// pcap=FILE (both). Files are appended to, in libpcap format, one write
// per frame.
class DummyDpif : public Dpif {
public:
    // Hands 'frame' to the datapath as received on the port named 'port':
    // it is looked up and its actions run before this returns; a miss
    // queues an upcall.
    virtual Status receive(const std::string& port, std::span<const uint8_t> frame) = 0;
    // The frames the port named 'port' sent since the last call, oldest
    // first (at most kMaxTxQueue are kept: the oldest go first).
    virtual Result<std::vector<std::vector<uint8_t>>> take_tx(const std::string& port) = 0;
    static constexpr size_t kMaxTxQueue = 4096;

    // Packets and bytes a port received and sent.
    struct PortStats {
        uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0;
    };
    virtual Result<PortStats> port_stats(const std::string& port) const = 0;
};

std::unique_ptr<DummyDpif> make_dummy_dpif(std::string name);

}  // namespace xvs::ofproto
