// OpenFlow messages: the wire forms of every version (1.0, 1.1-1.5) and the
// Nicira extensions, decoded into version-independent structs and encoded
// back for a given version. Pure codecs: no state, no I/O. The connection
// manager (connmgr) decides what to send; these functions only say how.
//
// Matches and actions inside messages go through nx_match.h and
// ofp_actions.h (OpenFlow 1.1's fixed 88-byte match, which nx_match.h does
// not cover, is converted in ofp_msgs_flow.cpp). Every decoder reports a
// malformed or unsupported message as an OfpError carrying the error
// OpenFlow wants sent back, and refuses every message decode_type() refuses.
// The reply encoders that take the request return nothing (empty) when
// handed a message that is not such a request.
//
// Files: ofp_msgs.cpp (framing, types, hello/echo/error, features, config,
// ports, roles, async, NX controls), ofp_msgs_stats.cpp (statistics without
// matches), ofp_msgs_flow.cpp (flow mods, flow stats, packet in/out, flow
// removed), ofp_msgs_internal.h (reader/writer, the table of wire forms).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ofproto/actions.h"
#include "ofproto/classifier.h"
#include "ofproto/ofp_errors.h"

namespace xvs::ofproto {

using Bytes = std::vector<uint8_t>;

// ---- Framing --------------------------------------------------------------

struct OfpHeader {
    uint8_t version = 0;
    uint8_t type = 0;
    uint16_t length = 0;
    uint32_t xid = 0;
};
inline constexpr size_t kOfpHeaderLen = 8;
inline constexpr uint32_t kNxVendorId = 0x00002320;  // Nicira

// Reads the header at the front of 'msg' (which must hold >= 8 bytes).
// Every decoder below takes one whole message: the header's length must
// not exceed msg.size() (OFPBRC_BAD_LEN otherwise) and bytes past it are
// ignored.
OfpHeader ofp_header(std::span<const uint8_t> msg);

// What a message is, independent of version: decode_type() maps (version,
// type, and for vendor/stats messages their subtypes) onto this.
enum class OfpType {
    Hello, Error, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply, GetConfigRequest, GetConfigReply,
    SetConfig, PacketIn, FlowRemoved, PortStatus, PacketOut, FlowMod, GroupMod, PortMod, TableMod, BarrierRequest,
    BarrierReply, QueueGetConfigRequest, RoleRequest, RoleReply, GetAsyncRequest, SetAsync, MeterMod, BundleControl,
    BundleAdd,
    // Multipart / stats requests (replies are only encoded).
    DescRequest, FlowStatsRequest, AggregateRequest, TableStatsRequest, PortStatsRequest, QueueStatsRequest,
    PortDescRequest, GroupStatsRequest, GroupDescRequest, GroupFeaturesRequest, MeterStatsRequest,
    MeterConfigRequest, MeterFeaturesRequest, TableFeaturesRequest, FlowMonitorRequest, TableDescRequest,
    QueueDescRequest,
    // Nicira extensions.
    NxSetFlowFormat, NxFlowModTableId, NxSetPacketInFormat, NxSetControllerId, NxSetAsyncConfig, NxRoleRequest,
    NxTlvTableRequest, NxTlvTableMod, NxResume, NxCtFlushZone, NxCtFlush, NxFlowAge,
};
// The message's type, or OFPBRC_BAD_TYPE / BAD_STAT / BAD_VENDOR /
// BAD_SUBTYPE / BAD_LEN (or OFPBRC_BAD_VERSION for version 0, and for a
// version above 1.5 in anything but hello, error and echo). Vendor messages
// are Nicira's (0x00002320) and, in 1.3, ONF's. Notes on the mapping:
// - Multipart replies are not decoded (OFPBRC_BAD_TYPE): a switch never
//   takes them.
// - NXT_ROLE_REPLY maps to RoleReply; NXT_SET_ASYNC_CONFIG and its
//   property form NXT_SET_ASYNC_CONFIG2 to NxSetAsyncConfig; OFPT_SET_ASYNC
//   (1.3, 1.4+) to SetAsync; the ONF 1.3 bundle and flow monitor
//   extensions and the Nicira group / flow monitor stats of 1.0 to the
//   standard types.
// - Forms a version lacks are unknown there (NXST_FLOW is 1.0-only, as in
//   Open vSwitch; NXT_SET_FLOW_FORMAT too).
std::variant<OfpType, OfpError> decode_type(std::span<const uint8_t> msg);
const char* ofp_type_name(OfpType t);

// ---- Hello, echo, error ---------------------------------------------------

// The versions a hello offers: the header version and every earlier one,
// or exactly the bitmap of a version-bitmap element (1.3.1+).
uint32_t decode_hello_versions(std::span<const uint8_t> msg);
// A hello for 'versions' (bit N = version N), in the highest version, with
// a version bitmap when more than one version is allowed.
Bytes encode_hello(uint32_t versions, uint32_t xid);
Bytes encode_echo_reply(std::span<const uint8_t> request);
// An error reply to 'request', which is echoed whole as the data (as Open
// vSwitch does, so that ovs-ofctl can print the failed request; cut to fit
// 64 KiB). For hello-failed errors 'request' is the explanatory text.
// Versions outside 1.0-1.5 get a 1.0 error.
Bytes encode_error(uint8_t version, OfpErr err, std::span<const uint8_t> request, uint32_t xid);
// An OFPT_ERROR message taken apart: the named error (when the type/code
// is known for the version), the raw numbers and the data that follows.
struct OfpErrorMsg {
    std::optional<OfpErr> err;
    uint16_t type = 0, code = 0;
    uint32_t vendor = 0;  // NXET_VENDOR / experimenter errors
    Bytes data;
};
std::variant<OfpErrorMsg, OfpError> decode_error_msg(std::span<const uint8_t> msg);
Bytes encode_barrier_reply(uint8_t version, uint32_t xid);

// ---- Features, config, ports ----------------------------------------------

// Port numbers in these structs are 16-bit OpenFlow ports widened to 32 bits
// (OFPP_LOCAL = 0xfffe); encoders map them to 1.1+'s 32-bit numbers
// (reserved ports 0xfff8..0xffff become 0xfffffff8..0xffffffff) and
// decoders map back, refusing 1.1+ ports in 0xff00..0xfffffff7. Filters
// ("any port") use 0xffffffff, which 1.0's OFPP_NONE decodes to.
struct OfpPortInfo {
    uint32_t port_no = 0;  // 16-bit OpenFlow port widened
    std::string name;
    EthAddr hw_addr{};
    uint32_t config = 0;  // OFPPC_* (1.0 and 1.1+ share PORT_DOWN, NO_RECV, NO_FWD, NO_PACKET_IN bits)
    uint32_t state = 0;   // OFPPS_LINK_DOWN = 1, OFPPS_LIVE = 4 (1.1+)
    uint32_t curr = 0, advertised = 0, supported = 0, peer = 0;  // OFPPF_* of 1.1+ (encoders map 1.0)
    uint32_t curr_speed = 0, max_speed = 0;  // kbps
    bool operator==(const OfpPortInfo&) const = default;
};

// OFPPC_* port configuration bits (OpenFlow 1.0 numbering; 1.1+ lacks
// NO_STP and NO_FLOOD but keeps the others at the same places).
inline constexpr uint32_t kOfppcPortDown = 1u << 0;
inline constexpr uint32_t kOfppcNoRecv = 1u << 2;
inline constexpr uint32_t kOfppcNoFlood = 1u << 4;
inline constexpr uint32_t kOfppcNoFwd = 1u << 5;
inline constexpr uint32_t kOfppcNoPacketIn = 1u << 6;
// OFPPR_* port status reasons.
inline constexpr uint8_t kOfpprAdd = 0;
inline constexpr uint8_t kOfpprDelete = 1;
inline constexpr uint8_t kOfpprModify = 2;

struct OfpFeatures {
    uint64_t datapath_id = 0;
    uint32_t n_buffers = 0;
    uint8_t n_tables = 254;
    uint8_t auxiliary_id = 0;   // 1.3+
    // OFPC_* in 1.1+ numbering (FLOW_STATS 1, TABLE_STATS 2, PORT_STATS 4,
    // GROUP_STATS 8, IP_REASM 0x20, QUEUE_STATS 0x40, ARP_MATCH_IP 0x80,
    // PORT_BLOCKED 0x100, BUNDLES 0x200, FLOW_MONITORING 0x400); the encoder
    // keeps what each version defines (1.0's bit 8 is STP: dropped).
    uint32_t capabilities = 0;
    std::vector<OfpPortInfo> ports;  // listed only for 1.0-1.2
};
Bytes encode_features_reply(uint8_t version, uint32_t xid, const OfpFeatures& f);

struct OfpSwitchConfig {
    uint16_t flags = 0;  // OFPC_FRAG_* and OFPC_INVALID_TTL_TO_CONTROLLER
    uint16_t miss_send_len = 128;
};
// Flags a version does not define (INVALID_TTL_TO_CONTROLLER is 1.1-1.2)
// give OFPSCFC_BAD_FLAGS.
std::variant<OfpSwitchConfig, OfpError> decode_set_config(std::span<const uint8_t> msg);
Bytes encode_get_config_reply(uint8_t version, uint32_t xid, const OfpSwitchConfig& c);

// OFPPR_ADD = 0, DELETE = 1, MODIFY = 2.
Bytes encode_port_status(uint8_t version, uint8_t reason, const OfpPortInfo& port);

struct OfpPortMod {
    uint32_t port_no = 0;
    EthAddr hw_addr{};
    uint32_t config = 0, mask = 0;  // OFPPC_* of the version (config already & mask)
    uint32_t advertise = 0;         // OFPPF_* in 1.1+ numbering (1.0's mapped); 0: unchanged
};
std::variant<OfpPortMod, OfpError> decode_port_mod(std::span<const uint8_t> msg);

// ---- Flow mod -------------------------------------------------------------

enum class FlowModCommand : uint8_t { Add = 0, Modify = 1, ModifyStrict = 2, Delete = 3, DeleteStrict = 4 };
// OFPFF_* in the 1.1+ numbering (the 1.0 decoder maps onto these).
inline constexpr uint16_t kFfSendFlowRem = 1 << 0;
inline constexpr uint16_t kFfCheckOverlap = 1 << 1;
inline constexpr uint16_t kFfResetCounts = 1 << 2;
inline constexpr uint16_t kFfNoPktCounts = 1 << 3;
inline constexpr uint16_t kFfNoBytCounts = 1 << 4;
inline constexpr uint16_t kFfEmerg = 1 << 15;  // 1.0 only; refused

struct OfpFlowMod {
    Match match;
    int32_t priority = 0x8000;  // 1.0: exact-match rules (no wildcard bit) get 0xffff
    uint64_t cookie = 0;       // the new rule's cookie (add; modify when modify_cookie)
    // Modify/delete select rules with (rule.cookie & cookie_mask) ==
    // (match_cookie & cookie_mask). 1.1+ carry both on the wire; NXM can
    // match on NXM_NX_COOKIE; OpenFlow 1.0 cannot (mask 0). For 1.1+
    // modify/delete 'cookie' equals match_cookie.
    uint64_t match_cookie = 0;
    uint64_t cookie_mask = 0;
    uint8_t table_id = 0;      // 0xff: all tables (delete), or "any" for 1.0/NX without table id extension
    FlowModCommand command = FlowModCommand::Add;
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint16_t importance = 0;   // 1.4+
    uint32_t buffer_id = UINT32_MAX;
    uint32_t out_port = 0xffffffff;  // any (1.0's OFPP_NONE maps here); else a 16-bit port
    uint32_t out_group = 0xffffffff; // OFPG_ANY (1.1+ deletes only)
    // kFf*. 1.0/1.1 "add" always resets counters: the decoder sets
    // kFfResetCounts then, as Open vSwitch does.
    uint16_t flags = 0;
    // 1.0/NX modify whose cookie is not all-ones: matched rules take
    // 'cookie'. (1.1 modify without a cookie mask that adds a rule when
    // nothing matches uses 'cookie' for it too.)
    bool modify_cookie = false;
    OfActions actions;
};
// Decodes OFPT_FLOW_MOD of any version and NXT_FLOW_MOD. 'table_id_ext'
// is whether the connection enabled NXT_FLOW_MOD_TABLE_ID (then the top
// byte of a 1.0/NX command carries the table id). Errors: OFPFMFC_BAD_COMMAND,
// OFPFMFC_BAD_TABLE_ID (table 255 outside 1.2+ deletes), OFPFMFC_BAD_FLAGS
// (flags the version lacks), the 1.0 emergency flag as Open vSwitch refuses
// it (OFPFMFC_BAD_EMERG_TIMEOUT with a timeout, else OFPFMFC_TABLE_FULL),
// NXBRC_NXM_INVALID for an NX add that matches on the cookie, and whatever
// the match and action codecs report.
std::variant<OfpFlowMod, OfpError> decode_flow_mod(std::span<const uint8_t> msg, bool table_id_ext);
// Encodes a flow mod in 'version' with NXM when 'nxm' (1.0 only) — used by
// xvs-ofctl and by tests. With 'table_id_ext' a 1.0/NX command carries
// fm.table_id in its top byte.
Bytes encode_flow_mod(uint8_t version, bool nxm, const OfpFlowMod& fm, uint32_t xid, bool table_id_ext = false);

// ---- Packet in/out ---------------------------------------------------------

struct OfpPacketOut {
    uint32_t buffer_id = UINT32_MAX;
    uint32_t in_port = 0xfff8;  // 16-bit form; OFPP_CONTROLLER (0xfffd) or OFPP_NONE/ANY mean "no port"
    // 1.5: the whole packet-out match (in_port, and pipeline fields such as
    // metadata and registers that OVN sets); empty before 1.5.
    Match metadata;
    OfActions actions;
    Bytes packet;  // empty when buffer_id names a buffer
};
// Errors: OFPBRC_BAD_PORT (reserved in_port other than LOCAL, NONE,
// CONTROLLER; a 1.5 match without in_port), the action codec's. The
// actions' consistency with the packet is the caller's to check.
std::variant<OfpPacketOut, OfpError> decode_packet_out(std::span<const uint8_t> msg);
// The packet-out of 'version' (xvs-ofctl, tests).
Bytes encode_packet_out(uint8_t version, const OfpPacketOut& po, uint32_t xid);

// Packet-in formats a connection can choose (NXT_SET_PACKET_IN_FORMAT).
enum class PacketInFormat : uint8_t { Standard = 0, Nxt = 1, Nxt2 = 2 };
// Open vSwitch's forms: OFPT_PACKET_IN 1.0 (in_port only), 1.1 (in_port,
// in_phy_port, table), 1.2 (OXM match of the metadata), 1.3+ (plus the
// cookie); NXT_PACKET_IN (NXM match, table, cookie); NXT_PACKET_IN2
// (properties: packet, full_len when cut, buffer_id when buffered,
// table_id, cookie unless all-ones, reason, metadata as bare OXM — NXM
// before 1.2 —, userdata). Reasons 1.4 added become OFPR_ACTION before 1.4.
struct OfpPacketIn {
    Bytes packet;          // possibly cut to max_len
    uint32_t total_len = 0;  // the whole packet's length (0: packet.size())
    uint8_t reason = 0;    // OFPR_*
    uint8_t table_id = 0;
    uint64_t cookie = UINT64_MAX;
    uint32_t buffer_id = UINT32_MAX;
    Match metadata;        // in_port, metadata, regs, pkt_mark as an exact match of the non-zero ones (+ in_port always)
    std::vector<uint8_t> userdata;  // NXT_PACKET_IN2 only
};
Bytes encode_packet_in(uint8_t version, PacketInFormat fmt, const OfpPacketIn& pi, uint32_t xid);

// ---- Flow removed ---------------------------------------------------------

struct OfpFlowRemoved {
    Match match;
    int32_t priority = 0;
    uint64_t cookie = 0;
    uint8_t reason = 0;  // OFPRR_IDLE_TIMEOUT 0, HARD_TIMEOUT 1, DELETE 2, GROUP_DELETE 3, METER_DELETE 4, EVICTION 5
    uint8_t table_id = 0;
    uint32_t duration_sec = 0, duration_nsec = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint64_t packet_count = 0, byte_count = 0;
};
// 'nxm': NXT_FLOW_REMOVED (flow format NXM on a 1.0 connection). 1.5 sends
// duration and counters as OXS statistics; OFPRR_METER_DELETE becomes
// OFPRR_DELETE before 1.4.
Bytes encode_flow_removed(uint8_t version, bool nxm, const OfpFlowRemoved& fr, uint32_t xid);

// ---- Multipart / stats ----------------------------------------------------

struct OfpFlowStatsRequest {
    Match match;
    uint8_t table_id = 0xff;
    uint32_t out_port = 0xffffffff;
    uint32_t out_group = 0xffffffff;
    uint64_t cookie = 0, cookie_mask = 0;
    bool aggregate = false;
};
// OFPST_FLOW / OFPST_AGGREGATE (1.0), NXST_FLOW / NXST_AGGREGATE,
// OFPMP_FLOW / OFPMP_AGGREGATE (1.1+).
std::variant<OfpFlowStatsRequest, OfpError> decode_flow_stats_request(std::span<const uint8_t> msg);

struct OfpFlowStats {
    Match match;
    int32_t priority = 0;
    uint64_t cookie = 0;
    uint8_t table_id = 0;
    uint32_t duration_sec = 0, duration_nsec = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint16_t flags = 0, importance = 0;
    uint32_t idle_age = 0, hard_age = 0;  // seconds: NXST_FLOW (both), 1.5's OXS idle time
    uint64_t packet_count = 0, byte_count = 0;
    OfActions actions;
};
// The replies to 'request' (its version, xid and stats kind: OF, NX or
// multipart), split into as many messages as needed (more flag set on all
// but the last), each under 64 KiB. 1.3+ entries carry the flags, 1.4+ the
// importance; 1.5 replies are OFPMP_FLOW_DESC entries (flow desc, match,
// OXS stats, instructions), as ovs-ofctl -O OpenFlow15 dump-flows expects.
// Nothing is returned when 'request' is not a flow stats request.
std::vector<Bytes> encode_flow_stats_reply(std::span<const uint8_t> request, const std::vector<OfpFlowStats>& flows);
std::vector<Bytes> encode_aggregate_reply(std::span<const uint8_t> request, uint64_t packets, uint64_t bytes,
                                          uint32_t flows);

struct OfpDesc {
    std::string mfr_desc, hw_desc, sw_desc, serial_num, dp_desc;
};
Bytes encode_desc_reply(std::span<const uint8_t> request, const OfpDesc& d);
std::vector<Bytes> encode_port_desc_reply(std::span<const uint8_t> request, const std::vector<OfpPortInfo>& ports);

struct OfpTableStats {
    uint8_t table_id = 0;
    std::string name;          // 1.0-1.2
    uint32_t active_count = 0;
    uint64_t lookup_count = 0, matched_count = 0;
    uint32_t max_entries = 1000000;
};
std::vector<Bytes> encode_table_stats_reply(std::span<const uint8_t> request, const std::vector<OfpTableStats>& t);

struct OfpPortStats {
    uint32_t port_no = 0;
    uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0, rx_dropped = 0, tx_dropped = 0,
             rx_errors = 0, tx_errors = 0;
    // Ethernet error breakdown; UINT64_MAX: not kept (ovs-ofctl prints "?").
    uint64_t rx_frame_err = UINT64_MAX, rx_over_err = UINT64_MAX, rx_crc_err = UINT64_MAX,
             collisions = UINT64_MAX;
    uint32_t duration_sec = 0, duration_nsec = 0;  // 1.3+ (all-ones: unknown)
};
// The port a port stats / port desc / queue request asks about (OFPP_ANY/NONE = all).
std::variant<uint32_t, OfpError> decode_port_stats_request(std::span<const uint8_t> msg);
std::vector<Bytes> encode_port_stats_reply(std::span<const uint8_t> request, const std::vector<OfpPortStats>& ports);

// An empty reply of the request's kind (group/meter/queue stats when none
// exist, ...). Group and meter features replies have a fixed body: it comes
// zeroed (no groups, no meters). Beware: ovs-ofctl refuses an empty table
// features or table desc reply (their layouts require one entry).
// Returns nothing when 'request' is not a multipart request.
Bytes encode_empty_multipart_reply(std::span<const uint8_t> request);

// ---- Role, async, NX controls ---------------------------------------------

enum class OfpRole : uint8_t { NoChange, Equal, Primary, Secondary };
struct OfpRoleRequest {
    OfpRole role = OfpRole::NoChange;
    bool has_generation = false;
    uint64_t generation_id = 0;
    bool nx = false;  // NXT_ROLE_REQUEST
};
std::variant<OfpRoleRequest, OfpError> decode_role_request(std::span<const uint8_t> msg);
Bytes encode_role_reply(std::span<const uint8_t> request, OfpRole role, uint64_t generation_id);

// NXT_SET_FLOW_FORMAT (0 = OpenFlow 1.0 match, 2 = NXM), NXT_SET_PACKET_IN_FORMAT
// (0, 1, 2), NXT_FLOW_MOD_TABLE_ID (0/1), NXT_SET_CONTROLLER_ID and
// NXT_CT_FLUSH_ZONE (the zone): their one value. Unknown formats give
// OFPBRC_EPERM, as in Open vSwitch.
std::variant<uint32_t, OfpError> decode_nx_u32_control(std::span<const uint8_t> msg);

// Asynchronous message masks: which packet-in reasons, port-status reasons and
// flow-removed reasons a connection gets, as primary/equal [0] and secondary [1].
struct OfpAsyncConfig {
    uint32_t packet_in[2] = {0x7, 0x0};
    uint32_t port_status[2] = {0x7, 0x7};
    uint32_t flow_removed[2] = {0xf, 0x0};
    // 1.4+ property form only (OFPCRR_*, OFPTR_*, OFPRFR_* bits).
    uint32_t role_status[2] = {0, 0};
    uint32_t table_status[2] = {0, 0};
    uint32_t requestforward[2] = {0, 0};
};
// SET_ASYNC (1.3: fixed masks; 1.4+: properties), NXT_SET_ASYNC_CONFIG
// (fixed masks) and NXT_SET_ASYNC_CONFIG2 (properties). The fixed forms set
// all three pairs of masks (bits a version lacks dropped, as Open vSwitch
// does); with properties, masks not present keep their value from
// 'current', and bad bits give OFPACFC_INVALID, unknown properties
// OFPACFC_UNSUPPORTED.
std::variant<OfpAsyncConfig, OfpError> decode_set_async(std::span<const uint8_t> msg, const OfpAsyncConfig& current);
Bytes encode_get_async_reply(std::span<const uint8_t> request, const OfpAsyncConfig& c);

}  // namespace xvs::ofproto
