// A named BPF datapath: its programs, maps and links pinned under
// /sys/fs/bpf/xvs/<name>/ (maps/, progs/, links/). Every process that
// manages the datapath (xvs-dpctl, xvs-vswitchd) opens the pinned objects;
// forwarding never depends on a userspace process staying alive.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "loader/flow_tables.h"
#include "loader/map.h"
#include "util/result.h"
#include "xvs/abi.h"

namespace xvs::loader {

std::string bpffs_root();  // /sys/fs/bpf/xvs, or $XVS_BPFFS_ROOT

struct CreateOptions {
    uint32_t max_flows = XVS_DEFAULT_MAX_FLOWS;
    uint32_t dedup_us = 2000;  // a key that missed is not upcalled again for 2 ms
};

// Managers that change a datapath hold an exclusive flock of its pin
// directory while open (a running xvs-vswitchd holds it for its lifetime);
// readers (dumps, stats) need none.
enum class OpenLock { Exclusive, None };

enum class Hook { Auto, Xdp, Tc };
enum class XdpTx { Auto, Yes, No };

struct PortSpec {
    std::string ifname;
    std::optional<uint32_t> port_no;
    Hook hook = Hook::Auto;
    XdpTx xdp_tx = XdpTx::Auto;
    uint32_t upcall_rate = 0;  // misses/s per CPU, 0 unlimited
    uint32_t upcall_burst = 0;
};

struct PortInfo {
    uint32_t port_no;
    std::string ifname;  // empty when the device is gone
    xvs_port rec;
    uint32_t xdp_prog_id;  // program behind the pinned XDP link, 0 if none
    uint32_t tc_prog_id;   // program behind the pinned tcx link, 0 if none
};

struct FlowEntry {
    xvs_flow_key key{};  // masked
    xvs_flow_key mask{};
    uint32_t mask_id = 0;
    xvs_action_list actions{};
    xvs_flow_stats stats{};  // summed over CPUs
};

enum class PutMode { Create, Modify, CreateOrModify };

struct MaskInfo {
    uint32_t id;
    xvs_flow_key mask;
    uint32_t n_flows;
    uint64_t hits;
};

// Totals over all CPUs.
struct DpStats {
    uint64_t counters[XVS_CTR__MAX]{};
    uint64_t drops[XVS_DROP__MAX]{};
    uint64_t mask_hits[XVS_MAX_MASKS]{};
};

struct Upcall {
    xvs_upcall hdr;
    std::vector<uint8_t> packet;
};

class UpcallReader;

class Datapath {
public:
    static Status create(const std::string& name, const CreateOptions& opts);
    static Result<std::unique_ptr<Datapath>> open(const std::string& name, OpenLock lock = OpenLock::Exclusive);
    static Status destroy(const std::string& name);
    // Replaces the datapath's programs with the ones built into this binary,
    // keeping its maps (flows, ports, counters) and swapping each port's
    // programs in place through its links: forwarding never stops.
    // Fails, changing nothing, when the maps' layout differs.
    Status upgrade();
    static std::vector<std::string> list();
    static bool exists(const std::string& name);

    const std::string& name() const { return name_; }
    std::string dir() const;

    // Ports.
    Result<uint32_t> add_port(const PortSpec& spec);
    Status del_port(uint32_t port_no);
    Result<uint32_t> port_by_name(const std::string& ifname) const;
    std::vector<PortInfo> ports() const;
    // Flood domain membership (domain 0 holds every port, kept by add/del).
    Status set_flood_domain(uint32_t domain, const std::vector<uint32_t>& ports);
    std::optional<xvs_flood_domain> flood_domain(uint32_t domain) const;

    // Megaflows.
    Status put_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_action_list actions,
                    PutMode mode, bool clear_stats = false);
    // Removes a megaflow; *last (when given) gets its statistics as they
    // were just before.
    Status del_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_flow_stats* last = nullptr);
    Status flush_flows();
    std::vector<FlowEntry> dump_flows() const;
    // The same, one flow at a time without collecting them (batched reads).
    Status for_each_flow(const std::function<void(const FlowEntry&)>& fn) const;
    std::vector<MaskInfo> masks() const;
    // Reorders the mask search list by hit count (atomic for readers).
    Status rank_masks();

    // Meters (rate 0 removes).
    Status set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets);
    std::optional<xvs_meter> meter(uint32_t id) const;

    DpStats stats() const;
    xvs_dp_config config() const;
    Status set_config(const xvs_dp_config& c);

    // Runs actions on packet as if it had arrived on in_port, transmitting
    // each output from userspace. Returns the number of copies sent.
    // userspace: receives the packet, as edited up to it, at each USERSPACE
    // action and at each SAMPLE action its probability picks (the BPF
    // program samples nothing it executes for userspace), with the action.
    using ActionFn = std::function<void(const xvs_action&, std::span<const uint8_t>)>;
    Result<int> execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions,
                        const ActionFn& userspace = {});

    std::unique_ptr<UpcallReader> upcalls() const;

    // Recomputes XVS_AL_NEEDS_SKB of a list for the current ports.
    uint16_t xdp_flags_for(const xvs_action_list& actions) const;

private:
    Datapath() = default;
    Status open_objects(OpenLock lock);
    Status open_objects_programs();
    Status relink_flows();
    Status write_mask_list(const std::vector<uint32_t>& ids);
    // The id of 'mask' in the mask table (added when new), and its entry.
    Result<std::pair<uint32_t, xvs_mask>> acquire_mask(const xvs_flow_key& mask);
    Status release_mask(uint32_t id);
    Status sync_domain_devmap(uint32_t domain, const xvs_flood_domain& d);

    std::string name_;
    UniqueFd lock_fd_;
    FlowTables flows_;
    Map<uint32_t, xvs_mask> masks_;
    Map<uint32_t, xvs_mask_list> mask_lists_;
    Map<uint32_t, xvs_dp_config> config_;
    Map<uint32_t, xvs_port> ports_;
    Map<uint32_t, uint32_t> ifindex_ports_;
    PerCpuMap<uint32_t, xvs_cpu_stats> stats_;
    Map<uint32_t, xvs_flood_domain> domains_;
    MapFd devmaps_;
    Map<uint32_t, xvs_meter> meters_;
    Map<uint32_t, xvs_exec> exec_slots_;
    MapFd upcalls_;
    UniqueFd prog_xdp_rx_, prog_tc_rx_, prog_exec_;
    // The packet socket execute() sends on, opened on first use and kept:
    // closing a packet socket waits for an RCU grace period.
    UniqueFd exec_sock_;
    // Where acquire_mask() last found each mask (checked before use: other
    // processes may change the mask table).
    std::unordered_map<std::string, uint32_t> mask_hints_;
    // Whether this process holds the exclusive lock: no one else changes
    // the datapath meanwhile.
    bool exclusive() const { return lock_fd_.valid(); }
    // execute()'s buffers, kept across calls, and what it last wrote to
    // each exec slot (rewritten only when the actions differ; exclusive
    // holders only).
    std::vector<uint8_t> exec_in_, exec_out_;
    std::unordered_map<uint32_t, xvs_exec> exec_written_;
    // The device of a port in use, remembered by exclusive holders
    // (add_port and del_port forget them).
    std::optional<uint32_t> port_ifindex(uint32_t port_no);
    std::unordered_map<uint32_t, uint32_t> port_ifindex_;
};

// Reads upcalls from the datapath's ring buffer.
class UpcallReader {
public:
    explicit UpcallReader(int ringbuf_fd);
    ~UpcallReader();
    UpcallReader(const UpcallReader&) = delete;
    UpcallReader& operator=(const UpcallReader&) = delete;
    bool ok() const { return rb_ != nullptr; }
    int fd() const;
    // Waits up to timeout_ms for a wakeup; calls fn for each upcall. With
    // timeout_ms 0 it reads whatever is pending, woken or not (samples come
    // without a wakeup). Returns the count or a negative errno.
    int poll(int timeout_ms, const std::function<void(const Upcall&)>& fn);

private:
    static int on_sample(void* ctx, void* data, size_t size);
    ring_buffer* rb_ = nullptr;
    const std::function<void(const Upcall&)>* fn_ = nullptr;
};

}  // namespace xvs::loader
