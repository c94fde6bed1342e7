// The controller's side of the OpenFlow codecs: what a client such as
// xvs-ofctl receives from a switch (replies and asynchronous messages),
// decoded into the version-free structs of ofp_msgs.h, and the requests it
// sends that the switch-side encoders of ofp_msgs.h do not write.
//
// The switch never decodes these messages (decode_type() refuses replies),
// which is why they live apart from ofp_msgs.h. Every decoder takes one
// whole message, checks that it is the form it decodes, and reports a
// malformed one as an OfpError (mostly OFPBRC_BAD_LEN), as Open vSwitch's
// ofputil decoders do, so that a client can print "***decode error***"
// where ovs-ofctl does.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "ofproto/ofp_msgs.h"

namespace xvs::ofproto {

// ---- What a message is ------------------------------------------------------

// Every message kind a client sends, receives or sees echoed in an error,
// requests and replies alike (OfpType covers only what a switch takes).
enum class OfpMsgKind : uint8_t {
    Hello,
    Error,
    EchoRequest,
    EchoReply,
    Experimenter,
    FeaturesRequest,
    FeaturesReply,
    GetConfigRequest,
    GetConfigReply,
    SetConfig,
    PacketIn,
    FlowRemoved,
    PortStatus,
    PacketOut,
    FlowMod,
    GroupMod,
    PortMod,
    TableMod,
    BarrierRequest,
    BarrierReply,
    QueueGetConfigRequest,
    QueueGetConfigReply,
    RoleRequest,
    RoleReply,
    GetAsyncRequest,
    GetAsyncReply,
    SetAsync,
    MeterMod,
    RoleStatus,
    TableStatus,
    RequestForward,
    BundleControl,
    BundleAdd,
    // Multipart (statistics) messages.
    DescRequest,
    DescReply,
    FlowStatsRequest,
    FlowStatsReply,
    AggregateRequest,
    AggregateReply,
    TableStatsRequest,
    TableStatsReply,
    PortStatsRequest,
    PortStatsReply,
    QueueStatsRequest,
    QueueStatsReply,
    GroupStatsRequest,
    GroupStatsReply,
    GroupDescRequest,
    GroupDescReply,
    GroupFeaturesRequest,
    GroupFeaturesReply,
    MeterStatsRequest,
    MeterStatsReply,
    MeterConfigRequest,
    MeterConfigReply,
    MeterFeaturesRequest,
    MeterFeaturesReply,
    TableFeaturesRequest,
    TableFeaturesReply,
    TableDescRequest,
    TableDescReply,
    PortDescRequest,
    PortDescReply,
    QueueDescRequest,
    QueueDescReply,
    FlowMonitorRequest,
    FlowMonitorReply,
    IpfixBridgeRequest,
    IpfixBridgeReply,
    IpfixFlowRequest,
    IpfixFlowReply,
    // Nicira and ONF controls.
    FlowMonitorCancel,
    FlowMonitorPaused,
    FlowMonitorResumed,
    SetFlowFormat,
    FlowModTableId,
    SetPacketInFormat,
    FlowAge,
    SetControllerId,
    TlvTableMod,
    TlvTableRequest,
    TlvTableReply,
    Resume,
    CtFlushZone,
    CtFlush,
};

// Which layout of its kind a message has (OVS's "raw" forms): the version
// where it first appeared, or Nicira's/ONF's extension form.
enum class OfpForm : uint8_t { Of10, Of11, Of12, Of13, Of14, Of15, Nx, Onf };

struct OfpMsgId {
    OfpMsgKind kind;
    OfpForm form;
    // Open vSwitch's name of the form: "OFPT_FEATURES_REPLY",
    // "OFPST_FLOW reply", "NXST_FLOW request", "NXT_PACKET_IN2".
    const char* name;
    uint8_t version = 0;
    uint32_t xid = 0;
    bool multipart = false;  // a statistics request or reply
    uint16_t mp_flags = 0;   // its flags (OFPSF_REPLY_MORE = 1)
    size_t hdr_len = 8;      // OpenFlow header plus the vendor/multipart headers
};

// The kind and form of 'msg' (its header length is not checked against
// msg.size(): a caller printing a truncated message still gets the name),
// or nothing for a version, type, vendor, subtype or statistics type
// Open vSwitch does not know (it prints those as decode errors).
std::optional<OfpMsgId> ofp_identify(std::span<const uint8_t> msg);
inline constexpr uint16_t kOfpMpReplyMore = 1;

// ---- Requests a client sends --------------------------------------------------

// A message that is only a header (features, get config, barrier, echo,
// get async requests) or a multipart request with an empty body (desc,
// table stats, table features, 1.0-1.4 port desc, group features, meter
// features, table desc), in 'version'. Nothing for a kind that has more.
std::optional<Bytes> encode_empty_request(OfpMsgKind kind, uint8_t version, uint32_t xid);
// OFPST_PORT_DESC request; 1.5 names the port (0xffffffff: all).
Bytes encode_port_desc_request(uint8_t version, uint32_t port, uint32_t xid);
// OFPST_PORT request for one port (16-bit number) or all (0xffffffff).
Bytes encode_port_stats_request(uint8_t version, uint32_t port, uint32_t xid);
// Flow or aggregate statistics request ('req.aggregate'): NXST_* when
// 'nxm' (1.0 only), OFPST10_* with the 1.0 match, else the 1.1+ form
// (ovs-ofctl's 1.5 aggregate request has no OXS stat request either).
Bytes encode_flow_stats_request(uint8_t version, bool nxm, const OfpFlowStatsRequest& req, uint32_t xid);
Bytes encode_set_config(uint8_t version, const OfpSwitchConfig& c, uint32_t xid);
// NXT_SET_FLOW_FORMAT (0: OpenFlow 1.0, 2: NXM), 1.0 only.
Bytes encode_nx_set_flow_format(uint32_t format, uint32_t xid);
// NXT_FLOW_MOD_TABLE_ID, 1.0 only.
Bytes encode_nx_flow_mod_table_id(bool enable, uint32_t xid);
// NXT_SET_PACKET_IN_FORMAT in 'version'.
Bytes encode_nx_set_packet_in_format(uint8_t version, PacketInFormat fmt, uint32_t xid);

// ---- Replies and asynchronous messages -----------------------------------------

struct OfpFeaturesReply {
    OfpFeatures features;
    // 1.0's OFPAT10_* bitmap of supported actions (0 in other versions).
    uint32_t actions10 = 0;
    // Whether the reply may list every port: 1.0-1.2 with room left for
    // another port (a full message means the list may be cut, and the
    // client should ask for port descriptions, as ovs-ofctl does).
    bool has_ports = false;
};
// The capabilities come back in OfpFeatures' 1.1+ numbering restricted to
// what the version defines, plus 1.0's STP as bit 3.
std::variant<OfpFeaturesReply, OfpError> decode_features_reply(std::span<const uint8_t> msg);
inline constexpr uint32_t kOfpCapStp = 1 << 3;

// OFPT_GET_CONFIG_REPLY (and OFPT_SET_CONFIG): flags as sent, with
// invalid_ttl_to_controller meaningful only before 1.3.
std::variant<OfpSwitchConfig, OfpError> decode_get_config_reply(std::span<const uint8_t> msg);

// Ports: 1.0's feature bits become the 1.1+ numbering of OfpPortInfo and its
// speeds are derived from them (as OVS does: 1.0 has no speed fields);
// config and state keep only the bits the version defines.
std::variant<std::vector<OfpPortInfo>, OfpError> decode_port_desc_reply(std::span<const uint8_t> msg);
struct OfpPortStatus {
    uint8_t reason = 0;  // OFPPR_ADD, DELETE, MODIFY
    OfpPortInfo desc;
};
std::variant<OfpPortStatus, OfpError> decode_port_status(std::span<const uint8_t> msg);

// One flow of a flow statistics reply. The ages are what NXST_FLOW (seconds
// since the last hit and since the last modification) and 1.5's OXS idle
// time report; nothing where the form has none or the switch sent "unknown".
struct OfpFlowStatsEntry {
    OfpFlowStats stats;
    std::optional<uint32_t> idle_age, hard_age;
};
std::variant<std::vector<OfpFlowStatsEntry>, OfpError> decode_flow_stats_reply(std::span<const uint8_t> msg);

struct OfpAggregateStats {
    uint64_t packet_count = 0, byte_count = 0;
    uint32_t flow_count = 0;
};
std::variant<OfpAggregateStats, OfpError> decode_aggregate_reply(std::span<const uint8_t> msg);

// A table statistics entry with what 1.0-1.2 also say about the table's
// abilities (later versions moved that to table features).
struct OfpTableStatsEntry {
    OfpTableStats stats;
    uint32_t wildcards10 = 0;                           // 1.0: OFPFW10_* the table can wildcard
    uint32_t match11 = 0, wildcards11 = 0;              // 1.1: OFPFMF11_* bitmaps
    uint64_t match12 = 0, wildcards12 = 0;              // 1.2: OXM field bitmaps
    uint64_t write_setfields = 0, apply_setfields = 0;  // 1.2
    uint64_t metadata_match = 0, metadata_write = 0;    // 1.2
    uint32_t instructions = 0, write_actions = 0, apply_actions = 0, config = 0;  // 1.1, 1.2
};
std::variant<std::vector<OfpTableStatsEntry>, OfpError> decode_table_stats_reply(std::span<const uint8_t> msg);

// A port statistics entry: counters a switch does not keep are UINT64_MAX
// (and durations UINT32_MAX before 1.3). 1.4+ entries may carry Intel's
// RFC 2819 and custom counter properties, which Open vSwitch sends for
// some devices (its dummy ports among them).
struct OfpPortStatsEntry {
    OfpPortStats stats;
    // rx 1_to_64, 65_to_127, 128_to_255, 256_to_511, 512_to_1023,
    // 1024_to_1522, 1523_to_max, tx the same seven, tx multicast, rx
    // broadcast, tx broadcast, rx undersized, oversize, fragmented, jabber.
    std::vector<uint64_t> rfc2819;  // empty: not sent
    std::vector<std::pair<std::string, uint64_t>> custom;
};
std::variant<std::vector<OfpPortStatsEntry>, OfpError> decode_port_stats_reply(std::span<const uint8_t> msg);

// Packet-ins of every form: OFPT_PACKET_IN (1.0-1.5), NXT_PACKET_IN and
// NXT_PACKET_IN2. 'total_len' is the whole packet's length; forms without
// a table or cookie leave table_id 0 and cookie UINT64_MAX. NXT_PACKET_IN2
// continuations (for NXT_RESUME) are kept as they came.
struct OfpPacketInMsg {
    OfpPacketIn pin;
    Bytes continuation;
};
std::variant<OfpPacketInMsg, OfpError> decode_packet_in(std::span<const uint8_t> msg);

// OFPT_FLOW_REMOVED of every version and NXT_FLOW_REMOVED; table_id 255
// where the form has none (1.0) or says "unknown" (NXT).
std::variant<OfpFlowRemoved, OfpError> decode_flow_removed(std::span<const uint8_t> msg);

}  // namespace xvs::ofproto
