// The datapath as the switch uses it: ports, megaflows, packet execution
// and upcalls. Two implementations: the BPF datapath in the kernel
// (dpif_bpf.cpp, over loader::Datapath) and an in-process dummy for tests
// without a kernel.
#pragma once

#include <cstdint>
#include <functional>
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
    virtual Status del_flow(const xvs_flow_key& key, const xvs_flow_key& mask) = 0;
    virtual std::vector<FlowEntry> dump_flows() const = 0;
    virtual Status flush_flows() = 0;
    virtual size_t n_masks() const = 0;
    virtual Status rank_masks() = 0;
    virtual DpStats stats() const = 0;
    // Token-bucket meter 'id' (rate 0 removes it); the METER action uses it.
    virtual Status set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets) = 0;

    virtual Result<int> execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions) = 0;

    // A descriptor that is readable when upcalls wait, and a non-blocking
    // read of up to 'max' of them.
    virtual int upcall_fd() const = 0;
    virtual int recv_upcalls(size_t max, const std::function<void(const Upcall&)>& fn) = 0;
};

// Opens the BPF datapath 'name', creating it when it does not exist; an
// existing one is adopted with its ports and flows.
Result<std::unique_ptr<Dpif>> open_bpf_dpif(const std::string& name, bool* created);

}  // namespace xvs::ofproto
