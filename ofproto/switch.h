// The switch: every bridge's OpenFlow pipeline and NORMAL tables on one
// datapath. It applies configuration (bridges, ports, interfaces), turns
// upcalls into megaflows (translate, install, execute), and revalidates:
// credits megaflow stats to rules and MAC entries, ages idle megaflows, and
// re-translates megaflows when a table, the MAC table or the configuration
// changes.
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "ofproto/dpif.h"
#include "ofproto/flow_table.h"
#include "ofproto/ofp_msgs.h"
#include "ofproto/ipfix.h"
#include "ofproto/tnl_routing.h"
#include "ofproto/netflow.h"
#include "ofproto/sflow.h"
#include "ofproto/xlate.h"

namespace xvs::ofproto {

struct IfaceConfig {
    std::string name;
    std::string type;  // "", "system", "internal", "patch", "dummy"
    std::map<std::string, std::string> options;
    std::optional<OfPort> ofport_request;
    std::optional<OfPort> ofport_hint;  // the number it had before (the database's ofport)
    uint32_t policing_rate_kbps = 0;  // ingress_policing_rate, 0 = none
    uint32_t policing_burst_kb = 0;   // ingress_policing_burst, 0 = OVS's default (8000)
    bool operator==(const IfaceConfig&) const = default;
};

struct PortConfig {
    std::string name;
    VlanMode mode = VlanMode::Trunk;
    int tag = -1;
    std::vector<int> trunks;
    std::vector<int> cvlans;
    uint16_t qinq_tpid = 0x88a8;
    std::vector<IfaceConfig> ifaces;
    // A port of several interfaces is an active-backup bond. A bond mode or
    // LACP setting xvs does not implement names itself here: the port's
    // interfaces are then left out, with this as their error.
    std::string unsupported;
    bool operator==(const PortConfig&) const = default;
};

struct MirrorConfig {
    std::string name;
    bool select_all = false;
    std::vector<std::string> select_src_port, select_dst_port;  // port names
    std::vector<int> select_vlan;
    std::optional<std::string> output_port;
    int output_vlan = -1;
    bool operator==(const MirrorConfig&) const = default;
};

struct BridgeConfig {
    std::string name;
    std::vector<PortConfig> ports;
    std::vector<MirrorConfig> mirrors;
    // No controller and fail_mode standalone: the bridge keeps a
    // "priority=0 actions=NORMAL" flow, as Open vSwitch does.
    bool normal_flow = true;
    bool forward_bpdu = false;
    unsigned mac_aging_sec = MacLearning::kDefaultAgingSec;
    size_t mac_table_size = MacLearning::kDefaultMaxEntries;
    std::optional<SflowConfig> sflow;      // the bridge's sFlow row
    std::optional<NetflowConfig> netflow;  // its NetFlow row
    std::optional<IpfixConfig> ipfix;      // its IPFIX row (bridge-wide sampling)
    // Its Flow_Sample_Collector_Sets with an IPFIX row that has targets:
    // the row by set id (OpenFlow sample actions name the set).
    std::map<uint32_t, IpfixConfig> flow_ipfix;
    bool operator==(const BridgeConfig&) const = default;
};

struct SwitchConfig {
    std::vector<BridgeConfig> bridges;
    size_t flow_limit = 200000;                // other_config:flow-limit
    std::chrono::milliseconds max_idle{10000};  // other_config:max-idle
    bool operator==(const SwitchConfig&) const = default;
};

struct IfaceStatus {
    std::string bridge;
    int ofport = -1;            // -1: not in use (see error)
    uint32_t dp_port = kNoDpPort;
    std::string device;         // the kernel device attached to the datapath
    std::string error;
};

struct SwitchStats {
    uint64_t upcalls = 0;
    uint64_t flows_installed = 0;
    uint64_t install_failures = 0;
    uint64_t revalidations = 0;
    uint64_t flows_revalidated_away = 0;
    uint64_t flows_expired = 0;
    uint64_t executes = 0;
    // The last revalidation: megaflows re-translated, and how long it took.
    uint64_t last_reval_checked = 0;
    double last_reval_ms = 0;
};

class Switch {
public:
    struct Options {
        // Creates veth pairs for internal interfaces (false on the dummy
        // datapath, whose "devices" are in-process).
        bool kernel_devices = true;
    };

    Switch(std::unique_ptr<Dpif> dpif, Options options);
    ~Switch();

    // Makes the running switch match 'config'; returns every configured
    // interface's status, by name.
    std::map<std::string, IfaceStatus> reconfigure(const SwitchConfig& config);

    // Reads and handles pending upcalls.
    void handle_upcalls();
    // Periodic work: MAC aging, stats, idle megaflows, revalidation.
    void run(Clock::time_point now);
    // Seconds until run() has work; the daemon's timer.
    static constexpr std::chrono::milliseconds kRunInterval{500};

    Dpif& dpif() { return *dpif_; }
    int upcall_fd() const { return dpif_->upcall_fd(); }
    const SwitchStats& stats() const { return stats_; }
    size_t n_ukeys() const { return ukeys_.size(); }

    // The bridge named 'name', or nullptr.
    XBridge* bridge(const std::string& name);
    std::vector<std::string> bridge_names() const;
    // Marks every megaflow for re-translation at the next run() (after a
    // flow table change made outside reconfigure()).
    void request_revalidation() { need_revalidate_ = true; }

    // ---- The OpenFlow side (used by the connection manager) ----
    // What the switch tells the connection managers.
    struct OfHooks {
        // A packet-in: the packet as edited up to the controller action.
        std::function<void(const PacketInSpec&, std::span<const uint8_t> packet, uint32_t total_len)> packet_in;
        // A rule with OFPFF_SEND_FLOW_REM timed out.
        std::function<void(const std::string& bridge, const OfpFlowRemoved&)> flow_removed;
        // Whether table misses of the bridge go to its controllers.
        std::function<bool(const std::string& bridge)> miss_to_controller;
    };
    void set_of_hooks(OfHooks hooks) { hooks_ = std::move(hooks); }
    Pipeline* pipeline(const std::string& bridge);
    std::vector<OfpPortInfo> of_ports(const std::string& bridge);
    std::vector<OfpPortStats> of_port_stats(const std::string& bridge);
    // Runs a packet-out's actions on 'packet' as received on in_port.
    std::optional<OfpError> packet_out(const std::string& bridge, OfPort in_port, std::span<const uint8_t> packet,
                                       const OfActions& actions);
    // OFPT_PORT_MOD: only a request that changes nothing is accepted yet.
    std::optional<OfpError> port_mod(const std::string& bridge, OfPort port, uint32_t config, uint32_t mask);
    // Refuses actions naming groups or meters that do not exist.
    std::optional<OfpError> check_actions_supported(const std::string& bridge, const OfActions& actions) const;
    // A group mod (flow_table.h's apply_group_mod, after checking that the
    // buckets name only existing groups: OFPGMFC_CHAINED_GROUP).
    FlowModOutcome group_mod(const std::string& bridge, const OfpGroupMod& gm);
    // A meter mod: add, modify, delete (OFPM_ALL: every meter; the rules
    // that use a deleted meter are deleted too). Each meter is a datapath
    // token-bucket meter, so a meter has at most one band, a drop band
    // (OFPMMFC_OUT_OF_BANDS, OFPMMFC_BAD_BAND otherwise).
    FlowModOutcome meter_mod(const std::string& bridge, const OfpMeterMod& mm);
    std::vector<OfpMeterStats> meter_stats(const std::string& bridge, uint32_t meter);
    std::vector<OfpMeterMod> meter_config(const std::string& bridge, uint32_t meter);
    static OfpMeterFeatures meter_features();
    // Revalidates now when a change asked for it: after flow table changes
    // only the megaflows they can affect (see Pipeline::take_changes), after
    // anything else all of them.
    void revalidate_if_needed();

    // Control-socket reports, in Open vSwitch's formats.
    // Packets and bytes each mirror sent, by (bridge, mirror name).
    struct MirrorStats {
        uint64_t packets = 0, bytes = 0;
    };
    const std::map<std::pair<std::string, std::string>, MirrorStats>& mirror_stats() const { return mirror_stats_; }

    Result<std::string> fdb_show(const std::string& bridge);
    Result<std::string> fdb_flush(const std::string& bridge);  // "" = every bridge
    Result<std::string> trace(const std::string& bridge, const Flow& flow);
    // The same for a packet given as a datapath flow: its in_port is a
    // datapath port, which names the bridge and OpenFlow port.
    Result<std::string> trace_dp(const xvs_flow_key& key);
    std::string dump_dp_flows();
    std::string dpif_show();
    std::string upcall_show();
    Result<std::string> dump_of_flows(const std::string& bridge);
    // dpif/dump-flows: the megaflows whose in_port belongs to 'bridge'.
    Result<std::string> dump_dp_flows(const std::string& bridge);
    std::string memory_show();
    // sflow/show: each bridge's sFlow agent, or one bridge's.
    Result<std::string> sflow_show(const std::string& bridge);
    // netflow/show: each bridge's NetFlow exporter, or one bridge's.
    Result<std::string> netflow_show(const std::string& bridge);
    // ipfix/show: each bridge's IPFIX exporter, or one bridge's.
    Result<std::string> ipfix_show(const std::string& bridge);

    // Userspace tunnel routing: the router and the neighbour cache, which
    // the ovs/route/* and tnl/neigh/* commands use.
    TnlRouting& tnl() { return tnl_; }
    // The kernel's routes or addresses changed (or notifications were
    // lost): re-read them, the bridges' own addresses and, when asked, the
    // kernel's neighbours. Nothing on the dummy datapath.
    void tnl_kernel_changed(bool neighbours_too);
    void tnl_neighbour(const netdev::NeighInfo& n, bool deleted);

private:
    struct BridgeState;
    struct Ukey;

    void apply_bridge(BridgeState& br, const BridgeConfig& cfg, std::map<std::string, IfaceStatus>& status);
    void remove_bridge(const std::string& name);
    Result<uint32_t> attach(const IfaceConfig& iface, std::string& device);
    // Ingress policing of a datapath port; returns its meter or kNoMeter.
    uint32_t set_policer(uint32_t dp_port, uint32_t rate_kbps, uint32_t burst_kb);
    void detach(uint32_t dp_port, const std::string& device, bool internal);
    void rebuild_world();
    void handle_upcall(const Upcall& up);
    // Re-translates every megaflow (after configuration, MAC table, group
    // or meter changes), or those 'only' picks.
    void revalidate_all();
    void revalidate(const std::function<bool(const Ukey&)>& only);
    void push_stats(Ukey& uk, const xvs_flow_stats& stats, Clock::time_point now);
    // What learn and fin_timeout actions of a translation do to the
    // pipelines (tcp_flags: host order, what the packets carried).
    void apply_learned(const std::vector<LearnedFlow>& flows, const std::vector<FinTimeoutHit>& fins,
                       uint16_t tcp_flags, Clock::time_point now);
    void credit_groups(const std::vector<GroupHit>& hits, uint64_t packets, uint64_t bytes);
    void credit_meters(const std::vector<std::pair<std::string, uint32_t>>& hits, uint64_t packets, uint64_t bytes);
    void poll_liveness();
    // sFlow: one agent per bridge with an sFlow row (sub-agent ids in
    // configuration order); samples from the datapath and from the first
    // packets of flows; port counters every polling interval.
    void configure_sflow(BridgeState& br, const BridgeConfig& cfg, uint32_t sub_id);
    void sflow_sample(BridgeState& br, uint64_t cookie, uint32_t in_dp_port, const xvs_flow_key& key,
                      std::span<const uint8_t> packet, uint32_t pkt_len);
    void sflow_poll_counters(BridgeState& br);
    // IPFIX: the bridge-wide exporter (IPFIX row) and one per
    // Flow_Sample_Collector_Set, which OpenFlow sample actions feed.
    void configure_ipfix(BridgeState& br, const BridgeConfig& cfg);
    uint64_t register_flow_sample(const FlowSampleSpec& spec);
    void flow_sample(uint64_t cookie, uint32_t in_dp_port, std::span<const uint8_t> packet, uint32_t pkt_len);
    // A sample (from the datapath or an execution), by its kind; 'key' is
    // the packet's datapath key (sFlow's and bridge IPFIX's samples lead
    // the actions: the packet is as it came in).
    void take_sample(BridgeState& br, uint64_t cookie, uint32_t in_dp_port, const xvs_flow_key& key,
                     std::span<const uint8_t> packet, uint32_t pkt_len);
    uint32_t ifindex_of(uint32_t dp_port) const;
    // NetFlow: an exporter per bridge with a NetFlow row; megaflows credit
    // their flows with the traffic the revalidator reads, and report them
    // when they go away.
    void configure_netflow(BridgeState& br, const BridgeConfig& cfg);
    void netflow_credit(const xvs_flow_key& key, uint16_t nf_output, uint64_t packets, uint64_t bytes,
                        uint8_t tcp_flags, Clock::time_point used);
    void forget(const Ukey& uk);  // a megaflow leaves: its NetFlow flow is reported
    std::pair<NetflowExporter*, NetflowKey> netflow_of(const xvs_flow_key& masked_key) const;
    void flush_exporters(BridgeState& br);
    // A report over every bridge, or one ("no such bridge" otherwise).
    Result<std::string> report_each(const std::string& bridge,
                                    const std::function<std::string(const std::string&, const BridgeState&)>& fn);
    std::string samples_dropped_line() const;  // what sflow/show and ipfix/show end with  // NetFlow flows and IPFIX cache out, sFlow datagram sent
    // Notices bonds whose active member changed (logs it, revalidates,
    // sends learning packets out of the new one).
    void check_bonds(BridgeState& br);
    void send_learning_packets(BridgeState& br, const XBundle& bond, uint32_t dp_port);
    static void apply_port_config(uint32_t config, XPort& xp);
    // A port's kernel device is live (carrier and IFF_UP); nullopt without
    // a device (or when it cannot be read).
    std::optional<bool> device_live(const std::string& device) const;
    // The megaflow's ukey (the one already there, or the new one), or
    // nullptr when it could not be installed.
    const Ukey* install(const xvs_flow_key& key, const XlateOut& xo, const xvs_action_list& actions);
    void adopt_flows();
    void prepare(XlateIn& in);
    uint64_t register_packet_in(const PacketInSpec& spec);
    void deliver_userspace(uint64_t cookie, std::span<const uint8_t> packet, uint32_t total_len);
    void learn_neighbours(const XlateOut& xo);  // what translation snooped, into the tunnel neighbour cache

    std::unique_ptr<Dpif> dpif_;
    Options opts_;
    std::map<std::string, std::unique_ptr<BridgeState>> bridges_;
    std::map<uint32_t, std::pair<BridgeState*, OfPort>> by_dp_port_;
    std::map<uint32_t, uint32_t> dp_ifindex_;  // datapath port → its device's ifindex (sFlow's ifIndex)
    XlateWorld world_;
    std::unordered_map<std::string, std::unique_ptr<Ukey>> ukeys_;  // by key+mask bytes
    uint64_t dump_gen_ = 0;
    SwitchConfig config_;
    bool need_revalidate_ = false;
    bool adopted_ = false;
    std::minstd_rand rng_{std::random_device{}()};  // sampling of first packets too long to execute
    SwitchStats stats_;
    std::map<std::pair<std::string, std::string>, MirrorStats> mirror_stats_;
    OfHooks hooks_;
    // Packet-ins by the datapath userspace cookie that carries them.
    std::unordered_map<uint64_t, PacketInSpec> packet_ins_;
    // OpenFlow sample actions' specs by their datapath sample cookie.
    std::unordered_map<uint64_t, FlowSampleSpec> flow_samples_;
    TnlRouting tnl_;
};

}  // namespace xvs::ofproto
