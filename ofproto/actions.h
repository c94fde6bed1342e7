// OpenFlow actions as the pipeline holds them (OVS calls these "ofpacts"):
// one variant per action, independent of the wire version they came in.
// Instructions of OpenFlow 1.1+ are actions here too (goto_table,
// write_metadata, clear_actions, write_actions, meter), kept in the order
// OpenFlow executes them, as Open vSwitch does.
//
// Some actions remember the wire form they arrived in ("compat") only so
// that a flow dump gives them back the way the controller wrote them
// (strip_vlan vs pop_vlan, load vs set_field); translation ignores it.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ofproto/flow.h"
#include "ofproto/meta_flow.h"
#include "ofproto/multipath.h"

namespace xvs::ofproto {

struct OfAction;
using OfActions = std::vector<OfAction>;

// output:PORT, and the reserved ports IN_PORT, NORMAL, FLOOD, ALL, LOCAL,
// TABLE (packet-out only), NONE. Output to CONTROLLER is ActController.
struct ActOutput {
    OfPort port = kOfppNone;
    uint16_t max_len = 0;  // only meaningful for CONTROLLER on the wire
    bool operator==(const ActOutput&) const = default;
};
// Packet-in to the controllers: output:CONTROLLER (simple form) or
// NXAST_CONTROLLER / controller(...).
struct ActController {
    uint16_t max_len = UINT16_MAX;  // bytes of the packet sent; UINT16_MAX = all
    uint16_t controller_id = 0;
    uint8_t reason = 1;             // OFPR_ACTION
    bool pause = false;
    std::vector<uint8_t> userdata;
    bool operator==(const ActController&) const = default;
};
// output:NXM_NX_REG0[0..15] — output to the port held in a subfield.
struct ActOutputReg {
    MfSubfield src;
    uint16_t max_len = 0;
    bool operator==(const ActOutputReg&) const = default;
};
// OpenFlow 1.0 enqueue:PORT:QUEUE.
struct ActEnqueue {
    OfPort port = 0;
    uint32_t queue = 0;
    bool operator==(const ActEnqueue&) const = default;
};
struct ActSetQueue {
    uint32_t queue = 0;
    bool operator==(const ActSetQueue&) const = default;
};
struct ActPopQueue {
    bool operator==(const ActPopQueue&) const = default;
};
struct ActPushVlan {
    uint16_t tpid = 0x8100;
    bool operator==(const ActPushVlan&) const = default;
};
// pop_vlan (1.1+) or strip_vlan (1.0, compat).
struct ActPopVlan {
    bool strip_vlan = false;  // compat: came as OFPAT10_STRIP_VLAN
    bool operator==(const ActPopVlan&) const = default;
};
// mod_vlan_vid: sets the VID, pushing a tag first if there is none (1.0
// semantics; set_vlan_vid of 1.1 does not push: push_if_none false).
struct ActSetVlanVid {
    uint16_t vid = 0;
    bool push_if_none = true;
    bool operator==(const ActSetVlanVid&) const = default;
};
struct ActSetVlanPcp {
    uint8_t pcp = 0;
    bool push_if_none = true;
    bool operator==(const ActSetVlanPcp&) const = default;
};
struct ActSetEth {
    bool dst = false;
    EthAddr addr{};
    bool operator==(const ActSetEth&) const = default;
};
struct ActSetIpv4 {
    bool dst = false;
    uint32_t addr = 0;  // network byte order
    bool operator==(const ActSetIpv4&) const = default;
};
// mod_nw_tos: the DSCP bits of the TOS byte (value has the ECN bits zero).
struct ActSetIpDscp {
    uint8_t tos = 0;
    bool operator==(const ActSetIpDscp&) const = default;
};
// mod_nw_ecn.
struct ActSetIpEcn {
    uint8_t ecn = 0;
    bool operator==(const ActSetIpEcn&) const = default;
};
// mod_nw_ttl.
struct ActSetIpTtl {
    uint8_t ttl = 0;
    bool operator==(const ActSetIpTtl&) const = default;
};
struct ActSetTp {
    bool dst = false;
    uint16_t port = 0;  // host byte order
    bool operator==(const ActSetTp&) const = default;
};
// dec_ttl, or dec_ttl(id,...) naming the controllers told when TTL runs out.
struct ActDecTtl {
    std::vector<uint16_t> controller_ids;  // empty: controller 0 (as plain dec_ttl)
    bool operator==(const ActDecTtl&) const = default;
};
// set_field:VALUE/MASK->FIELD (OpenFlow 1.2+ and NXAST_REG_LOAD2), or
// load:VALUE->FIELD[OFS..] (NXAST_REG_LOAD, compat 'load': the mask then
// covers exactly the loaded bits).
struct ActSetField {
    const MfField* field = nullptr;
    MfValue value;
    MfValue mask;  // all ones for a whole-field set_field
    bool load = false;  // compat: came as NXAST_REG_LOAD
    bool operator==(const ActSetField&) const = default;
};
// move:SRC[..]->DST[..] (NXAST_REG_MOVE, OpenFlow 1.5 copy_field).
struct ActRegMove {
    MfSubfield src;
    MfSubfield dst;
    bool operator==(const ActRegMove&) const = default;
};
// resubmit(port,table): in_port kOfppInPort keeps the current in_port,
// table 255 means the current table.
struct ActResubmit {
    OfPort in_port = kOfppInPort;
    uint8_t table = 255;
    bool operator==(const ActResubmit&) const = default;
};
// Instruction goto_table.
struct ActGotoTable {
    uint8_t table = 0;
    bool operator==(const ActGotoTable&) const = default;
};
// Instruction write_metadata:VALUE/MASK.
struct ActWriteMetadata {
    uint64_t value = 0;  // host byte order
    uint64_t mask = UINT64_MAX;
    bool operator==(const ActWriteMetadata&) const = default;
};
// Instruction clear_actions (empties the action set).
struct ActClearActions {
    bool operator==(const ActClearActions&) const = default;
};
// Instruction write_actions(...): merged into the action set, which runs
// when the pipeline ends.
struct ActWriteActions {
    OfActions actions;
    bool operator==(const ActWriteActions& o) const;
};
// Instruction meter:ID (OpenFlow 1.3/1.4) or action (1.5).
struct ActMeter {
    uint32_t meter_id = 0;
    bool operator==(const ActMeter&) const = default;
};
struct ActGroup {
    uint32_t group_id = 0;
    bool operator==(const ActGroup&) const = default;
};
// note:hex bytes (NXAST_NOTE): no effect on packets.
struct ActNote {
    std::vector<uint8_t> data;
    bool operator==(const ActNote&) const = default;
};
// learn(...) (NXAST_LEARN, and NXAST_LEARN2 when limit/result_dst are
// used): adds (or replaces) a flow in table_id built from the packet.
// Each spec takes n_bits from a source (a subfield of the packet, or an
// immediate value) into a destination: a match field of the new flow, a
// load action of it (load:...->dst), or its output:src action.
struct LearnSpec {
    enum class Src : uint8_t { Field, Immediate };
    enum class Dst : uint8_t { Match, Load, Output };
    Src src = Src::Field;
    Dst dst = Dst::Match;
    uint16_t n_bits = 0;
    MfSubfield src_field;  // Src::Field
    MfValue src_imm;       // Src::Immediate: right-aligned, n_bits significant
    MfSubfield dst_field;  // Dst::Match and Dst::Load
    bool operator==(const LearnSpec&) const = default;
};
inline constexpr uint16_t kLearnSendFlowRem = 1 << 0;  // NX_LEARN_F_SEND_FLOW_REM
inline constexpr uint16_t kLearnDeleteLearned = 1 << 1;  // NX_LEARN_F_DELETE_LEARNED
inline constexpr uint16_t kLearnWriteResult = 1 << 2;  // NX_LEARN_F_WRITE_RESULT (learn2)
struct ActLearn {
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint16_t fin_idle_timeout = 0, fin_hard_timeout = 0;
    uint16_t priority = 0x8000;
    uint64_t cookie = 0;
    uint16_t flags = 0;  // kLearn*
    uint8_t table_id = 1;
    uint32_t limit = 0;     // learn2: at most this many flows learned by this action (0: no limit)
    MfSubfield result_dst;  // learn2 with kLearnWriteResult: 1 bit, whether the flow was learned
    std::vector<LearnSpec> specs;
    bool learn2 = false;  // compat: came as NXAST_LEARN2 (sent back as one even without limit/result_dst)
    bool operator==(const ActLearn&) const = default;
};
// fin_timeout(idle_timeout=N,hard_timeout=M) (NXAST_FIN_TIMEOUT): when a
// TCP FIN or RST passes, lowers the timeouts of the rule that ran it to
// these (0: that timeout unchanged). learn puts one in the flows it adds
// when given fin_idle_timeout/fin_hard_timeout.
struct ActFinTimeout {
    uint16_t fin_idle_timeout = 0, fin_hard_timeout = 0;
    bool operator==(const ActFinTimeout&) const = default;
};
// clone(...) (NXAST_CLONE): runs its actions on a copy of the packet;
// what they change (fields, VLAN tags, registers) is undone after them.
struct ActClone {
    OfActions actions;
    bool operator==(const ActClone& o) const;
};
// conjunction(id,k/n) (NXAST_CONJUNCTION): makes its rule clause k of
// conjunctive match id (see classifier.h). A rule with it has no other
// actions but notes; running it (a packet-out) does nothing.
struct ActConjunction {
    uint32_t id = 0;
    uint8_t clause = 0;     // 0-based; the text and ovs-ofctl count from 1
    uint8_t n_clauses = 0;  // 2..64
    bool operator==(const ActConjunction&) const = default;
};
// multipath(fields,basis,algorithm,n_links,arg,dst) (NXAST_MULTIPATH):
// writes the link (0..n_links-1) a hash of the packet picks into dst.
struct ActMultipath {
    HashFields fields = HashFields::EthSrc;
    uint16_t basis = 0;
    MpAlgorithm algorithm = MpAlgorithm::ModuloN;
    uint16_t max_link = 0;  // n_links - 1
    uint32_t arg = 0;
    MfSubfield dst;
    bool operator==(const ActMultipath&) const = default;
};
// sample(probability=P,collector_set_id=C,obs_domain_id=D,obs_point_id=P
// [,sampling_port=PORT][,ingress|egress]) (NXAST_SAMPLE, SAMPLE2, SAMPLE3):
// samples packets P in 65535 to the IPFIX exporter of the bridge's
// Flow_Sample_Collector_Set C. 'raw' is the wire form it came in (or was
// parsed as): the encoder keeps it unless the fields need a later one.
struct ActSample {
    static constexpr uint16_t kRawSample = 29, kRawSample2 = 38, kRawSample3 = 41;
    static constexpr uint8_t kDefault = 0, kIngress = 1, kEgress = 2;  // direction
    uint16_t probability = 0;
    uint32_t collector_set_id = 0, obs_domain_id = 0, obs_point_id = 0;
    OfPort sampling_port = kOfppNone;
    uint8_t direction = kDefault;
    uint16_t raw = kRawSample;
    bool operator==(const ActSample&) const = default;
};
// exit: stops the pipeline, runs the action set.
struct ActExit {
    bool operator==(const ActExit&) const = default;
};

using OfActionVariant =
    std::variant<ActOutput, ActController, ActOutputReg, ActEnqueue, ActSetQueue, ActPopQueue, ActPushVlan, ActPopVlan,
                 ActSetVlanVid, ActSetVlanPcp, ActSetEth, ActSetIpv4, ActSetIpDscp, ActSetIpEcn, ActSetIpTtl, ActSetTp,
                 ActDecTtl, ActSetField, ActRegMove, ActResubmit, ActGotoTable, ActWriteMetadata, ActClearActions,
                 ActWriteActions, ActMeter, ActGroup, ActNote, ActExit, ActLearn, ActFinTimeout, ActClone,
                 ActConjunction, ActMultipath, ActSample>;

// A class rather than an alias, so that write_actions can hold OfActions.
struct OfAction : OfActionVariant {
    using OfActionVariant::OfActionVariant;
    using OfActionVariant::operator=;
    const OfActionVariant& variant() const { return *this; }
};

inline bool ActWriteActions::operator==(const ActWriteActions& o) const { return actions == o.actions; }
inline bool ActClone::operator==(const ActClone& o) const { return actions == o.actions; }

// The actions an action holds (write_actions, clone), or nullptr.
inline const OfActions* nested_actions(const OfAction& a) {
    if (auto* w = std::get_if<ActWriteActions>(&a.variant())) return &w->actions;
    if (auto* c = std::get_if<ActClone>(&a.variant())) return &c->actions;
    return nullptr;
}

// Port names as ovs-ofctl prints them ("NORMAL", "LOCAL", or the number).
std::string format_of_port(OfPort port);
// "actions=..." text in ovs-ofctl's syntax ("drop" when empty).
std::string format_of_actions(const OfActions& actions);

}  // namespace xvs::ofproto
