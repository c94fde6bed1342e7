// Translation ("xlate"): one packet's trip through a bridge's OpenFlow
// pipeline (and NORMAL, and patch ports into other bridges) becomes one
// datapath action list plus the megaflow mask that says which packets the
// same list is right for. Pure with respect to the datapath: side effects
// (MAC learning) go into the bridge's tables and are reported in the
// result, so the caller can revalidate and refresh them; flows that learn
// actions build and fin_timeouts are only reported (the caller applies
// them), so that a translation never changes the tables it reads.
#pragma once

#include <bitset>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ofproto/flow.h"
#include "ofproto/mac_learning.h"
#include "ofproto/ofp_msgs.h"
#include "ofproto/pipeline.h"
#include "ofproto/router.h"

namespace xvs::ofproto {

inline constexpr uint32_t kNoDpPort = UINT32_MAX;
inline constexpr uint32_t kNoMeter = UINT32_MAX;

enum class VlanMode { Access, Trunk, NativeTagged, NativeUntagged, Dot1qTunnel };
const char* to_string(VlanMode m);

// A Port of the database: what NORMAL switches between.
struct XBundle {
    uint32_t id = 0;  // stable while the port exists; MAC entries name it
    std::string name;
    VlanMode mode = VlanMode::Trunk;
    int tag = -1;  // access VLAN, native VLAN, or the dot1q-tunnel S-VLAN; -1 none
    std::bitset<4096> trunks;
    bool all_trunks = true;  // no trunks configured: every VLAN
    std::bitset<4096> cvlans;  // dot1q-tunnel: customer VLANs accepted
    bool all_cvlans = true;
    uint16_t qinq_tpid = 0x88a8;  // dot1q-tunnel: TPID of the pushed S-tag
    std::vector<OfPort> members;  // its interfaces' OpenFlow ports
    OfPort active = 0;            // a bond's active member as the switch last chose it, 0 none
    bool mirror_out = false;      // output of a mirror: no normal traffic in or out
};

// A Mirror of the database, with ports as bundle ids.
struct XMirror {
    std::string name;
    bool select_all = false;
    std::set<uint32_t> src, dst;
    std::bitset<4096> vlans;
    bool all_vlans = true;
    uint32_t out_bundle = 0;  // SPAN: the output port's bundle, 0 none
    int out_vlan = -1;        // RSPAN: the VLAN to flood copies in, -1 none
};

// An Interface of the database, by OpenFlow port number.
struct XPort {
    OfPort ofport = 0;
    uint32_t dp_port = kNoDpPort;  // kNoDpPort: none (patch ports, ports not attached)
    std::string name;
    uint32_t bundle = 0;
    bool up = true;          // usable for output
    bool live = true;        // link up (fast-failover and select groups watch this)
    bool no_flood = false;   // excluded from FLOOD (OFPPC_NO_FLOOD, OpenFlow port mod)
    bool no_recv = false;    // packets received here are dropped (OFPPC_NO_RECV)
    bool no_fwd = false;     // packets are not sent out of here (OFPPC_NO_FWD)
    bool no_packet_in = false;  // table misses of packets from here are dropped, not sent up (OFPPC_NO_PACKET_IN)
    std::string patch_peer;  // patch ports: the peer interface's name
    uint32_t policer = kNoMeter;  // ingress policing: datapath meter every packet from here passes first
};

// Cookies of the datapath's sample actions: the top byte says whose
// sample it is. sFlow's carries the output VLAN's TCI in bits 32-47 and in
// bits 0-31 sFlow's output field, a datapath port where sFlow wants an
// ifIndex (userspace maps it; kSflowOut* values have bit 30 or 31 set).
inline constexpr uint64_t kSampleKindShift = 56;
inline constexpr uint64_t kSampleSflow = 1;
inline constexpr uint64_t kSampleIpfix = 2;  // bridge-wide IPFIX; the same output field
inline constexpr uint64_t kSampleFlow = 3;   // an OpenFlow sample action; the rest names a FlowSampleSpec

// What an OpenFlow sample action asks for a packet it samples (Open
// vSwitch's flow_sample cookie): the switch keeps these by cookie.
struct FlowSampleSpec {
    std::string bridge;
    uint32_t collector_set_id = 0, obs_domain_id = 0, obs_point_id = 0;
    uint16_t probability = 0;     // of 65535
    uint32_t output = kNoDpPort;  // sampling_port's datapath port, when it is not the input port
    uint8_t direction = 0;        // ActSample::kDefault, kIngress or kEgress
    bool operator==(const FlowSampleSpec&) const = default;
};

struct XBridge {
    std::string name;
    uint32_t sflow_probability = 0;  // sFlow on: every packet in is sampled with this probability of 2^32
    uint32_t ipfix_probability = 0;  // bridge-wide IPFIX on: likewise
    bool ipfix_flow = false;         // a Flow_Sample_Collector_Set exports: OpenFlow sample actions sample
    bool netflow = false;            // NetFlow on: IPv4 megaflows are exact on what names a NetFlow flow
    // The addresses of the bridge's own interface: ARP replies and
    // neighbour advertisements to them that reach the local port are
    // snooped into the tunnel neighbour cache.
    std::vector<Addr16> local_addrs;
    std::map<OfPort, XPort> ports;
    std::map<uint32_t, XBundle> bundles;
    Pipeline* pipeline = nullptr;
    MacLearning* mac = nullptr;
    bool forward_bpdu = false;  // other_config:forward-bpdu
    std::vector<XMirror> mirrors;
};

// Every bridge of the switch (patch ports cross between them).
struct XlateWorld {
    std::map<std::string, XBridge*> bridges;
    // Interface name → (bridge, ofport), for patch peers.
    std::map<std::string, std::pair<XBridge*, OfPort>> ifaces;
};

// OpenFlow packet-in reasons (OFPR_*).
inline constexpr uint8_t kOfprNoMatch = 0;
inline constexpr uint8_t kOfprAction = 1;
inline constexpr uint8_t kOfprInvalidTtl = 2;

// What a controller action asks to send: translation fills in where in the
// pipeline it happened, the connection manager turns it into packet-ins.
struct PacketInSpec {
    uint8_t reason = kOfprAction;
    uint16_t max_len = UINT16_MAX;
    uint16_t controller_id = 0;
    std::vector<uint8_t> userdata;
    std::string bridge;
    uint8_t table_id = 0;
    uint64_t cookie = 0;  // the rule's cookie
    Flow flow;            // the packet's metadata and fields at the action
};

struct XlateIn {
    const XlateWorld* world = nullptr;
    XBridge* bridge = nullptr;
    Flow flow;               // flow.in_port is the OpenFlow in_port; flow.pkt the packet's key
    bool may_learn = true;   // false when revalidating: no MAC learning (learned flows are reported either way)
    Clock::time_point now = Clock::now();
    bool trace = false;
    // Registers a packet-in and returns the datapath userspace cookie that
    // will carry packets to it; empty: no controller support (packet-ins
    // are traced and dropped).
    std::function<uint64_t(const PacketInSpec&)> controller;
    // Whether a table miss in the named bridge goes to its controllers
    // (OpenFlow 1.0-1.2 controllers connected); empty: never.
    std::function<bool(const std::string& bridge)> miss_to_controller;
    // Registers an OpenFlow sample action's spec and returns the datapath
    // sample cookie naming it; empty: sample actions do nothing.
    std::function<uint64_t(const FlowSampleSpec&)> flow_sample;
    // Packet-out: run these actions instead of the pipeline from table 0
    // (output to TABLE then enters table 0).
    const OfActions* actions = nullptr;
};

struct MacLearned {
    std::string bridge;
    uint16_t vlan;
    EthAddr mac;
    uint32_t bundle;
};

// A flow a learn action built from the packet (Open vSwitch's
// learn_execute()): the switch adds it (flow_table.h's apply_learned_flow)
// after a translation with side effects, and again, refreshing it, each
// time the megaflow that learned it passes packets.
struct LearnedFlow {
    std::string bridge;
    OfpFlowMod fm;       // an add into fm.table_id
    uint32_t limit = 0;  // the learn action's limit (0: none)
};

// A fin_timeout a rule ran: when a TCP FIN or RST passes the megaflow, the
// rule's timeouts are lowered.
struct FinTimeoutHit {
    std::string bridge;
    uint64_t rule = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0;
};

struct MirrorHit {
    std::string bridge;
    std::string mirror;
};

// A group bucket a packet went through (its group and bucket counters
// are credited with the megaflow's traffic).
struct GroupHit {
    std::string bridge;
    uint32_t group = 0;
    uint32_t bucket = 0;  // index in the group's bucket list
    bool operator==(const GroupHit&) const = default;
};

// A table lookup the translation did: which pipeline and table, and
// whether the flow looked up was no longer the packet as it arrived (an
// action had changed a field, a register or the in_port before it).
struct TableVisit {
    const Pipeline* pipeline = nullptr;
    uint8_t table = 0;
    bool edited = false;
};

struct XlateOut {
    std::vector<xvs_action> actions;
    Flow wc;                              // bits of the input flow the result depends on
    std::vector<uint64_t> rules;          // rule ids hit, for crediting stats
    std::vector<TableVisit> visits;       // every table lookup, for revalidating only what a change affects
    std::vector<MacLearned> learned;      // NORMAL learning this packet does (refreshed by traffic)
    std::vector<LearnedFlow> learned_flows;  // learn actions that ran (and fit their limit)
    std::vector<FinTimeoutHit> fin_timeouts;
    std::vector<MirrorHit> mirrors;       // mirrors that sent a copy (credited with its stats)
    std::vector<OfPort> of_outputs;       // the OpenFlow ports sent to, in order (NetFlow's output)
    bool flooded = false;                 // NORMAL flooded, or output to FLOOD/ALL (NetFlow's "flood" output)
    std::vector<GroupHit> groups;         // group buckets executed
    std::vector<std::pair<std::string, uint32_t>> meters;  // OpenFlow meters passed: (bridge, meter id)
    bool mac_changed = false;             // learning changed where an address lives
    struct Neighbour {
        std::string bridge;
        Addr16 ip{};
        std::array<uint8_t, 6> mac{};
    };
    std::vector<Neighbour> neighbours;  // snooped ARP/ND replies for the tunnel neighbour cache
    std::string error;                    // translation gave up (the packet is dropped)
    std::vector<std::string> trace;       // ofproto/trace lines when XlateIn::trace
    Flow final_flow;
};

XlateOut xlate(const XlateIn& in);

// NORMAL's view of a port (bundle): whether it carries 'vlan', and
// whether a frame of 'vlan' leaves it with an 802.1Q tag of that VLAN.
bool bundle_includes_vlan(const XBundle& b, int vlan);
bool bundle_tags_vlan(const XBundle& b, int vlan);
// The member NORMAL sends on, kOfppNone if none is usable. A bundle of
// several members is an active-backup bond: the member chosen before stays
// active while its link is up (as in Open vSwitch, a member coming back
// does not take over), else the first (by name) whose link is up; it is
// the only one NORMAL accepts packets from.
OfPort bundle_active_member(const XBridge& br, const XBundle& b);

// The megaflow mask for a result: its wildcards as a datapath mask.
xvs_flow_key megaflow_mask(const XlateOut& out);

}  // namespace xvs::ofproto
