// The controller's side of the codecs: message identification for every
// form a client meets, the requests it sends, and decoders for replies
// and asynchronous messages. See ofp_replies.h.
#include "ofproto/ofp_replies.h"

#include <algorithm>
#include <array>

#include "ofproto/meta_flow.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace {

constexpr uint8_t V10 = kOfp10, V11 = kOfp11, V12 = kOfp12, V13 = kOfp13, V14 = kOfp14, V15 = kOfp15;
constexpr uint8_t VALL = 0xff;  // hello, error, echo: every version

// ---- The table of forms --------------------------------------------------------

// Where a form's number lives.
enum class Where : uint8_t { Ofpt, MpRequest, MpReply, Nxt, NxstRequest, NxstReply, Onft, OnfstRequest, OnfstReply };

struct FormInfo {
    Where where;
    uint8_t vmin, vmax;
    uint32_t number;
    OfpMsgKind kind;
    OfpForm form;
    const char* name;
};

using K = OfpMsgKind;
using F = OfpForm;
using W = Where;

constexpr FormInfo kForms[] = {
    {W::Ofpt, 1, VALL, 0, K::Hello, F::Of10, "OFPT_HELLO"},
    {W::Ofpt, 1, VALL, 1, K::Error, F::Of10, "OFPT_ERROR"},
    {W::Ofpt, 1, VALL, 2, K::EchoRequest, F::Of10, "OFPT_ECHO_REQUEST"},
    {W::Ofpt, 1, VALL, 3, K::EchoReply, F::Of10, "OFPT_ECHO_REPLY"},
    {W::Ofpt, V10, V15, 5, K::FeaturesRequest, F::Of10, "OFPT_FEATURES_REQUEST"},
    {W::Ofpt, V10, V10, 6, K::FeaturesReply, F::Of10, "OFPT_FEATURES_REPLY"},
    {W::Ofpt, V11, V12, 6, K::FeaturesReply, F::Of11, "OFPT_FEATURES_REPLY"},
    {W::Ofpt, V13, V15, 6, K::FeaturesReply, F::Of13, "OFPT_FEATURES_REPLY"},
    {W::Ofpt, V10, V15, 7, K::GetConfigRequest, F::Of10, "OFPT_GET_CONFIG_REQUEST"},
    {W::Ofpt, V10, V15, 8, K::GetConfigReply, F::Of10, "OFPT_GET_CONFIG_REPLY"},
    {W::Ofpt, V10, V15, 9, K::SetConfig, F::Of10, "OFPT_SET_CONFIG"},
    {W::Ofpt, V10, V10, 10, K::PacketIn, F::Of10, "OFPT_PACKET_IN"},
    {W::Ofpt, V11, V11, 10, K::PacketIn, F::Of11, "OFPT_PACKET_IN"},
    {W::Ofpt, V12, V12, 10, K::PacketIn, F::Of12, "OFPT_PACKET_IN"},
    {W::Ofpt, V13, V15, 10, K::PacketIn, F::Of13, "OFPT_PACKET_IN"},
    {W::Ofpt, V10, V10, 11, K::FlowRemoved, F::Of10, "OFPT_FLOW_REMOVED"},
    {W::Ofpt, V11, V14, 11, K::FlowRemoved, F::Of11, "OFPT_FLOW_REMOVED"},
    {W::Ofpt, V15, V15, 11, K::FlowRemoved, F::Of15, "OFPT_FLOW_REMOVED"},
    {W::Ofpt, V10, V10, 12, K::PortStatus, F::Of10, "OFPT_PORT_STATUS"},
    {W::Ofpt, V11, V13, 12, K::PortStatus, F::Of11, "OFPT_PORT_STATUS"},
    {W::Ofpt, V14, V15, 12, K::PortStatus, F::Of14, "OFPT_PORT_STATUS"},
    {W::Ofpt, V10, V10, 13, K::PacketOut, F::Of10, "OFPT_PACKET_OUT"},
    {W::Ofpt, V11, V14, 13, K::PacketOut, F::Of11, "OFPT_PACKET_OUT"},
    {W::Ofpt, V15, V15, 13, K::PacketOut, F::Of15, "OFPT_PACKET_OUT"},
    {W::Ofpt, V10, V10, 14, K::FlowMod, F::Of10, "OFPT_FLOW_MOD"},
    {W::Ofpt, V11, V15, 14, K::FlowMod, F::Of11, "OFPT_FLOW_MOD"},
    {W::Ofpt, V11, V14, 15, K::GroupMod, F::Of11, "OFPT_GROUP_MOD"},
    {W::Ofpt, V15, V15, 15, K::GroupMod, F::Of15, "OFPT_GROUP_MOD"},
    {W::Ofpt, V10, V10, 15, K::PortMod, F::Of10, "OFPT_PORT_MOD"},
    {W::Ofpt, V11, V13, 16, K::PortMod, F::Of11, "OFPT_PORT_MOD"},
    {W::Ofpt, V14, V15, 16, K::PortMod, F::Of14, "OFPT_PORT_MOD"},
    {W::Ofpt, V11, V13, 17, K::TableMod, F::Of11, "OFPT_TABLE_MOD"},
    {W::Ofpt, V14, V15, 17, K::TableMod, F::Of14, "OFPT_TABLE_MOD"},
    {W::Ofpt, V10, V10, 18, K::BarrierRequest, F::Of10, "OFPT_BARRIER_REQUEST"},
    {W::Ofpt, V11, V15, 20, K::BarrierRequest, F::Of11, "OFPT_BARRIER_REQUEST"},
    {W::Ofpt, V10, V10, 19, K::BarrierReply, F::Of10, "OFPT_BARRIER_REPLY"},
    {W::Ofpt, V11, V15, 21, K::BarrierReply, F::Of11, "OFPT_BARRIER_REPLY"},
    {W::Ofpt, V10, V10, 20, K::QueueGetConfigRequest, F::Of10, "OFPT_QUEUE_GET_CONFIG_REQUEST"},
    {W::Ofpt, V11, V13, 22, K::QueueGetConfigRequest, F::Of11, "OFPT_QUEUE_GET_CONFIG_REQUEST"},
    {W::Ofpt, V10, V10, 21, K::QueueGetConfigReply, F::Of10, "OFPT_QUEUE_GET_CONFIG_REPLY"},
    {W::Ofpt, V11, V13, 23, K::QueueGetConfigReply, F::Of11, "OFPT_QUEUE_GET_CONFIG_REPLY"},
    {W::Ofpt, V12, V15, 24, K::RoleRequest, F::Of12, "OFPT_ROLE_REQUEST"},
    {W::Ofpt, V12, V15, 25, K::RoleReply, F::Of12, "OFPT_ROLE_REPLY"},
    {W::Ofpt, V13, V13, 26, K::GetAsyncRequest, F::Of13, "OFPT_GET_ASYNC_REQUEST"},
    {W::Ofpt, V14, V15, 26, K::GetAsyncRequest, F::Of14, "OFPT_GET_ASYNC_REQUEST"},
    {W::Ofpt, V13, V13, 27, K::GetAsyncReply, F::Of13, "OFPT_GET_ASYNC_REPLY"},
    {W::Ofpt, V14, V15, 27, K::GetAsyncReply, F::Of14, "OFPT_GET_ASYNC_REPLY"},
    {W::Ofpt, V13, V13, 28, K::SetAsync, F::Of13, "OFPT_SET_ASYNC"},
    {W::Ofpt, V14, V15, 28, K::SetAsync, F::Of14, "OFPT_SET_ASYNC"},
    {W::Ofpt, V13, V15, 29, K::MeterMod, F::Of13, "OFPT_METER_MOD"},
    {W::Ofpt, V14, V15, 30, K::RoleStatus, F::Of14, "OFPT_ROLE_STATUS"},
    {W::Ofpt, V14, V15, 31, K::TableStatus, F::Of14, "OFPT_TABLE_STATUS"},
    {W::Ofpt, V14, V15, 32, K::RequestForward, F::Of14, "OFPT_REQUESTFORWARD"},
    {W::Ofpt, V14, V15, 33, K::BundleControl, F::Of14, "OFPT_BUNDLE_CONTROL"},
    {W::Ofpt, V14, V15, 34, K::BundleAdd, F::Of14, "OFPT_BUNDLE_ADD_MESSAGE"},

    {W::MpRequest, V10, V15, 0, K::DescRequest, F::Of10, "OFPST_DESC request"},
    {W::MpReply, V10, V15, 0, K::DescReply, F::Of10, "OFPST_DESC reply"},
    {W::MpRequest, V10, V10, 1, K::FlowStatsRequest, F::Of10, "OFPST_FLOW request"},
    {W::MpRequest, V11, V15, 1, K::FlowStatsRequest, F::Of11, "OFPST_FLOW request"},
    {W::MpReply, V10, V10, 1, K::FlowStatsReply, F::Of10, "OFPST_FLOW reply"},
    {W::MpReply, V11, V12, 1, K::FlowStatsReply, F::Of11, "OFPST_FLOW reply"},
    {W::MpReply, V13, V14, 1, K::FlowStatsReply, F::Of13, "OFPST_FLOW reply"},
    {W::MpReply, V15, V15, 1, K::FlowStatsReply, F::Of15, "OFPST_FLOW reply"},
    {W::MpRequest, V10, V10, 2, K::AggregateRequest, F::Of10, "OFPST_AGGREGATE request"},
    {W::MpRequest, V11, V14, 2, K::AggregateRequest, F::Of11, "OFPST_AGGREGATE request"},
    {W::MpRequest, V15, V15, 2, K::AggregateRequest, F::Of15, "OFPST_AGGREGATE request"},
    {W::MpReply, V10, V14, 2, K::AggregateReply, F::Of10, "OFPST_AGGREGATE reply"},
    {W::MpReply, V15, V15, 2, K::AggregateReply, F::Of15, "OFPST_AGGREGATE reply"},
    {W::MpRequest, V10, V15, 3, K::TableStatsRequest, F::Of10, "OFPST_TABLE request"},
    {W::MpReply, V10, V10, 3, K::TableStatsReply, F::Of10, "OFPST_TABLE reply"},
    {W::MpReply, V11, V11, 3, K::TableStatsReply, F::Of11, "OFPST_TABLE reply"},
    {W::MpReply, V12, V12, 3, K::TableStatsReply, F::Of12, "OFPST_TABLE reply"},
    {W::MpReply, V13, V15, 3, K::TableStatsReply, F::Of13, "OFPST_TABLE reply"},
    {W::MpRequest, V10, V10, 4, K::PortStatsRequest, F::Of10, "OFPST_PORT request"},
    {W::MpRequest, V11, V15, 4, K::PortStatsRequest, F::Of11, "OFPST_PORT request"},
    {W::MpReply, V10, V10, 4, K::PortStatsReply, F::Of10, "OFPST_PORT reply"},
    {W::MpReply, V11, V12, 4, K::PortStatsReply, F::Of11, "OFPST_PORT reply"},
    {W::MpReply, V13, V13, 4, K::PortStatsReply, F::Of13, "OFPST_PORT reply"},
    {W::MpReply, V14, V15, 4, K::PortStatsReply, F::Of14, "OFPST_PORT reply"},
    {W::MpRequest, V10, V10, 5, K::QueueStatsRequest, F::Of10, "OFPST_QUEUE request"},
    {W::MpRequest, V11, V15, 5, K::QueueStatsRequest, F::Of11, "OFPST_QUEUE request"},
    {W::MpReply, V10, V10, 5, K::QueueStatsReply, F::Of10, "OFPST_QUEUE reply"},
    {W::MpReply, V11, V12, 5, K::QueueStatsReply, F::Of11, "OFPST_QUEUE reply"},
    {W::MpReply, V13, V13, 5, K::QueueStatsReply, F::Of13, "OFPST_QUEUE reply"},
    {W::MpReply, V14, V15, 5, K::QueueStatsReply, F::Of14, "OFPST_QUEUE reply"},
    {W::MpRequest, V11, V15, 6, K::GroupStatsRequest, F::Of11, "OFPST_GROUP request"},
    {W::MpReply, V11, V12, 6, K::GroupStatsReply, F::Of11, "OFPST_GROUP reply"},
    {W::MpReply, V13, V15, 6, K::GroupStatsReply, F::Of13, "OFPST_GROUP reply"},
    {W::MpRequest, V11, V14, 7, K::GroupDescRequest, F::Of11, "OFPST_GROUP_DESC request"},
    {W::MpRequest, V15, V15, 7, K::GroupDescRequest, F::Of15, "OFPST_GROUP_DESC request"},
    {W::MpReply, V11, V15, 7, K::GroupDescReply, F::Of11, "OFPST_GROUP_DESC reply"},
    {W::MpRequest, V12, V15, 8, K::GroupFeaturesRequest, F::Of12, "OFPST_GROUP_FEATURES request"},
    {W::MpReply, V12, V15, 8, K::GroupFeaturesReply, F::Of12, "OFPST_GROUP_FEATURES reply"},
    {W::MpRequest, V13, V15, 9, K::MeterStatsRequest, F::Of13, "OFPST_METER request"},
    {W::MpReply, V13, V15, 9, K::MeterStatsReply, F::Of13, "OFPST_METER reply"},
    {W::MpRequest, V13, V15, 10, K::MeterConfigRequest, F::Of13, "OFPST_METER_CONFIG request"},
    {W::MpReply, V13, V15, 10, K::MeterConfigReply, F::Of13, "OFPST_METER_CONFIG reply"},
    {W::MpRequest, V13, V15, 11, K::MeterFeaturesRequest, F::Of13, "OFPST_METER_FEATURES request"},
    {W::MpReply, V13, V15, 11, K::MeterFeaturesReply, F::Of13, "OFPST_METER_FEATURES reply"},
    {W::MpRequest, V13, V15, 12, K::TableFeaturesRequest, F::Of13, "OFPST_TABLE_FEATURES request"},
    {W::MpReply, V13, V15, 12, K::TableFeaturesReply, F::Of13, "OFPST_TABLE_FEATURES reply"},
    {W::MpRequest, V10, V14, 13, K::PortDescRequest, F::Of10, "OFPST_PORT_DESC request"},
    {W::MpRequest, V15, V15, 13, K::PortDescRequest, F::Of15, "OFPST_PORT_DESC request"},
    {W::MpReply, V10, V10, 13, K::PortDescReply, F::Of10, "OFPST_PORT_DESC reply"},
    {W::MpReply, V11, V13, 13, K::PortDescReply, F::Of11, "OFPST_PORT_DESC reply"},
    {W::MpReply, V14, V15, 13, K::PortDescReply, F::Of14, "OFPST_PORT_DESC reply"},
    {W::MpRequest, V14, V15, 14, K::TableDescRequest, F::Of14, "OFPST_TABLE_DESC request"},
    {W::MpReply, V14, V15, 14, K::TableDescReply, F::Of14, "OFPST_TABLE_DESC reply"},
    {W::MpRequest, V14, V15, 15, K::QueueDescRequest, F::Of14, "OFPST_QUEUE_DESC request"},
    {W::MpReply, V14, V15, 15, K::QueueDescReply, F::Of14, "OFPST_QUEUE_DESC reply"},
    {W::MpRequest, V14, V15, 16, K::FlowMonitorRequest, F::Of14, "OFPST_FLOW_MONITOR request"},
    {W::MpReply, V14, V15, 16, K::FlowMonitorReply, F::Of14, "OFPST_FLOW_MONITOR reply"},

    {W::NxstRequest, V10, V10, 0, K::FlowStatsRequest, F::Nx, "NXST_FLOW request"},
    {W::NxstReply, V10, V10, 0, K::FlowStatsReply, F::Nx, "NXST_FLOW reply"},
    {W::NxstRequest, V10, V10, 1, K::AggregateRequest, F::Nx, "NXST_AGGREGATE request"},
    {W::NxstReply, V10, V10, 1, K::AggregateReply, F::Nx, "NXST_AGGREGATE reply"},
    {W::NxstRequest, V10, V12, 2, K::FlowMonitorRequest, F::Nx, "NXST_FLOW_MONITOR request"},
    {W::NxstReply, V10, V12, 2, K::FlowMonitorReply, F::Nx, "NXST_FLOW_MONITOR reply"},
    {W::NxstRequest, V10, V15, 3, K::IpfixBridgeRequest, F::Nx, "NXST_IPFIX_BRIDGE request"},
    {W::NxstReply, V10, V15, 3, K::IpfixBridgeReply, F::Nx, "NXST_IPFIX_BRIDGE reply"},
    {W::NxstRequest, V10, V15, 4, K::IpfixFlowRequest, F::Nx, "NXST_IPFIX_FLOW request"},
    {W::NxstReply, V10, V15, 4, K::IpfixFlowReply, F::Nx, "NXST_IPFIX_FLOW reply"},
    {W::NxstRequest, V10, V10, 7, K::GroupStatsRequest, F::Nx, "NXST_GROUP request"},
    {W::NxstReply, V10, V10, 7, K::GroupStatsReply, F::Nx, "NXST_GROUP reply"},
    {W::NxstRequest, V10, V10, 8, K::GroupDescRequest, F::Nx, "NXST_GROUP_DESC request"},
    {W::NxstReply, V10, V10, 8, K::GroupDescReply, F::Nx, "NXST_GROUP_DESC reply"},
    {W::NxstRequest, V10, V11, 9, K::GroupFeaturesRequest, F::Nx, "NXST_GROUP_FEATURES request"},
    {W::NxstReply, V10, V11, 9, K::GroupFeaturesReply, F::Nx, "NXST_GROUP_FEATURES reply"},
    {W::OnfstRequest, V13, V13, 1870, K::FlowMonitorRequest, F::Onf, "ONFST_FLOW_MONITOR request"},
    {W::OnfstReply, V13, V13, 1870, K::FlowMonitorReply, F::Onf, "ONFST_FLOW_MONITOR reply"},

    {W::Nxt, V10, V15, 10, K::RoleRequest, F::Nx, "NXT_ROLE_REQUEST"},
    {W::Nxt, V10, V15, 11, K::RoleReply, F::Nx, "NXT_ROLE_REPLY"},
    {W::Nxt, V10, V10, 12, K::SetFlowFormat, F::Nx, "NXT_SET_FLOW_FORMAT"},
    {W::Nxt, V10, V15, 13, K::FlowMod, F::Nx, "NXT_FLOW_MOD"},
    {W::Nxt, V10, V15, 14, K::FlowRemoved, F::Nx, "NXT_FLOW_REMOVED"},
    {W::Nxt, V10, V15, 15, K::FlowModTableId, F::Nx, "NXT_FLOW_MOD_TABLE_ID"},
    {W::Nxt, V10, V15, 16, K::SetPacketInFormat, F::Nx, "NXT_SET_PACKET_IN_FORMAT"},
    {W::Nxt, V10, V15, 17, K::PacketIn, F::Nx, "NXT_PACKET_IN"},
    {W::Nxt, V10, V15, 18, K::FlowAge, F::Nx, "NXT_FLOW_AGE"},
    {W::Nxt, V10, V15, 19, K::SetAsync, F::Nx, "NXT_SET_ASYNC_CONFIG"},
    {W::Nxt, V10, V15, 20, K::SetControllerId, F::Nx, "NXT_SET_CONTROLLER_ID"},
    {W::Nxt, V10, V12, 21, K::FlowMonitorCancel, F::Nx, "NXT_FLOW_MONITOR_CANCEL"},
    {W::Nxt, V10, V12, 22, K::FlowMonitorPaused, F::Nx, "NXT_FLOW_MONITOR_PAUSED"},
    {W::Nxt, V10, V12, 23, K::FlowMonitorResumed, F::Nx, "NXT_FLOW_MONITOR_RESUMED"},
    {W::Nxt, V10, V15, 24, K::TlvTableMod, F::Nx, "NXT_TLV_TABLE_MOD"},
    {W::Nxt, V10, V15, 25, K::TlvTableRequest, F::Nx, "NXT_TLV_TABLE_REQUEST"},
    {W::Nxt, V10, V15, 26, K::TlvTableReply, F::Nx, "NXT_TLV_TABLE_REPLY"},
    {W::Nxt, V10, V13, 27, K::SetAsync, F::Nx, "NXT_SET_ASYNC_CONFIG2"},
    {W::Nxt, V10, V15, 28, K::Resume, F::Nx, "NXT_RESUME"},
    {W::Nxt, V10, V15, 29, K::CtFlushZone, F::Nx, "NXT_CT_FLUSH_ZONE"},
    {W::Nxt, V10, V15, 30, K::PacketIn, F::Nx, "NXT_PACKET_IN2"},
    {W::Nxt, V10, V10, 31, K::GroupMod, F::Nx, "NXT_GROUP_MOD"},
    {W::Nxt, V10, V15, 32, K::CtFlush, F::Nx, "NXT_CT_FLUSH"},
    {W::Nxt, V10, V12, 132, K::RequestForward, F::Nx, "NXT_REQUESTFORWARD"},
    {W::Onft, V13, V13, 1870, K::FlowMonitorCancel, F::Onf, "ONFT_FLOW_MONITOR_CANCEL"},
    {W::Onft, V13, V13, 1871, K::FlowMonitorPaused, F::Onf, "ONFT_FLOW_MONITOR_PAUSED"},
    {W::Onft, V13, V13, 1872, K::FlowMonitorResumed, F::Onf, "ONFT_FLOW_MONITOR_RESUMED"},
    {W::Onft, V13, V13, 1911, K::RoleStatus, F::Onf, "ONFT_ROLE_STATUS"},
    {W::Onft, V13, V13, 2300, K::BundleControl, F::Onf, "ONFT_BUNDLE_CONTROL"},
    {W::Onft, V13, V13, 2301, K::BundleAdd, F::Onf, "ONFT_BUNDLE_ADD_MESSAGE"},
    {W::Onft, V13, V13, 2350, K::RequestForward, F::Onf, "ONFT_REQUESTFORWARD"},
};

const FormInfo* find_form(Where where, uint8_t version, uint32_t number) {
    for (const auto& f : kForms) {
        if (f.where == where && f.number == number && version >= f.vmin && version <= f.vmax) return &f;
    }
    return nullptr;
}

uint8_t mp_request_type(uint8_t version) {
    return version == V10 ? 16 : 18;
}
uint8_t mp_reply_type(uint8_t version) {
    return version == V10 ? 17 : 19;
}

// The body of 'msg' after its headers, for a message identified as one of
// 'kinds' (else OFPBRC_BAD_TYPE: the caller was handed the wrong message).
struct Body {
    OfpMsgId id;
    Reader r;
};
std::variant<Body, OfpError> body_of(std::span<const uint8_t> msg, std::initializer_list<OfpMsgKind> kinds) {
    auto id = ofp_identify(msg);
    if (!id || std::find(kinds.begin(), kinds.end(), id->kind) == kinds.end()) {
        return make_error(OfpErr::OFPBRC_BAD_TYPE, "not the expected message");
    }
    OfpHeader h = ofp_header(msg);
    if (h.length > msg.size() || h.length < id->hdr_len) return bad_len("message shorter than its headers");
    return Body{*id, Reader(msg.subspan(id->hdr_len, h.length - id->hdr_len))};
}

// ---- Multipart request headers ---------------------------------------------------

Bytes start_mp_request(uint8_t version, uint16_t type, uint32_t xid) {
    Bytes b = start_msg(version, mp_request_type(version), xid);
    Writer w(b);
    w.u16(type);
    w.u16(0);  // flags
    if (version != V10) w.zeros(4);
    return b;
}

Bytes start_nxst_request(uint8_t version, uint32_t subtype, uint32_t xid) {
    Bytes b = start_mp_request(version, kOfpstVendor, xid);
    Writer w(b);
    w.u32(kNxVendorId);
    w.u32(subtype);
    w.zeros(4);
    return b;
}

// ---- OpenFlow 1.1's fixed match ------------------------------------------------
//
// Its codec is private to ofp_msgs_flow.cpp; a 1.1 flow mod carries it at a
// fixed offset, so the flow mod codec converts it both ways for us.

constexpr size_t kOfp11FlowModFixed = 48;  // header + fixed part
constexpr size_t kOfp11MatchLen = 88;

Bytes ofp11_standard_match(const Match& m) {
    OfpFlowMod fm;
    fm.match = m;
    Bytes b = encode_flow_mod(V11, false, fm, 0);
    return Bytes(b.begin() + kOfp11FlowModFixed, b.begin() + kOfp11FlowModFixed + kOfp11MatchLen);
}

std::variant<Match, OfpError> decode_ofp11_standard_match(std::span<const uint8_t> match) {
    Bytes b = start_msg(V11, kOfptFlowMod, 0);
    Writer w(b);
    w.zeros(16);  // cookie, cookie mask
    w.u8(0);      // table
    w.u8(0);      // OFPFC_ADD
    w.zeros(6);   // timeouts, priority
    w.u32(UINT32_MAX);
    w.u32(kOfppAny32);
    w.u32(kOfppAny32);
    w.zeros(4);
    w.bytes(match);
    finish_msg(b);
    auto fm = decode_flow_mod(b, false);
    if (auto* e = std::get_if<OfpError>(&fm)) return *e;
    return std::get<OfpFlowMod>(fm).match;
}

// The ofp_match at the front of 'r' (1.1: the fixed match; 1.2+: OXM),
// padding included.
std::variant<Match, OfpError> pull_match11(Reader& r, uint8_t version) {
    if (version == V11) {
        if (!r.has(kOfp11MatchLen)) return make_error(OfpErr::OFPBMC_BAD_LEN, "OpenFlow 1.1 match truncated");
        return decode_ofp11_standard_match(r.bytes(kOfp11MatchLen));
    }
    Reader peek = r;
    auto rest = peek.rest();
    Match m;
    auto used = ofp11_pull_match(rest, &m);
    if (!used.ok()) return used.error();
    r.skip(*used);
    return m;
}

void put_match11(const Match& m, uint8_t version, Bytes& out) {
    if (version == V11) {
        Bytes mb = ofp11_standard_match(m);
        out.insert(out.end(), mb.begin(), mb.end());
    } else {
        ofp11_put_match(m, version, &out);
    }
}

std::variant<Match, OfpError> pull_nxm_padded(Reader& r, size_t match_len) {
    size_t padded = nx_padded_len(match_len);
    if (!r.has(padded)) return make_error(OfpErr::OFPBMC_BAD_LEN, "NXM match runs past the message");
    auto m = nx_pull_match(r.bytes(padded).first(match_len));
    if (!m.ok()) return m.error();
    return *m;
}

// ---- OXS statistics (1.5) -------------------------------------------------------

struct OxsStats {
    uint32_t duration_sec = UINT32_MAX, duration_nsec = UINT32_MAX;
    uint32_t idle_age = UINT32_MAX;
    uint64_t packet_count = UINT64_MAX, byte_count = UINT64_MAX;
    uint32_t flow_count = UINT32_MAX;
};

std::optional<OfpError> pull_oxs(Reader& r, OxsStats* out) {
    auto bad = [] { return make_error(OfpErr::OFPBMC_BAD_LEN, "bad OXS statistics"); };
    Reader peek = r;
    peek.skip(2);
    uint16_t len = peek.u16();
    if (!peek.ok() || len < 4 || !r.has((size_t(len) + 7) / 8 * 8)) return bad();
    Reader all = r.sub((size_t(len) + 7) / 8 * 8);
    Reader s = all.sub(len);
    s.skip(4);
    constexpr uint16_t kOxsClassBasic = 0x8002;
    while (s.remaining()) {
        uint32_t h = s.u32();
        Reader v = s.sub(h & 0xff);
        if (!s.ok()) return bad();
        if ((h >> 16) != kOxsClassBasic) continue;
        switch ((h >> 9) & 0x7f) {
            case 0: {  // duration
                out->duration_sec = v.u32();
                out->duration_nsec = v.u32();
                break;
            }
            case 1:
                out->idle_age = v.u32();
                break;
            case 3:
                out->flow_count = v.u32();
                break;
            case 4:
                out->packet_count = v.u64();
                break;
            case 5:
                out->byte_count = v.u64();
                break;
            default:
                break;
        }
        if (!v.ok()) return bad();
    }
    return std::nullopt;
}

// ---- Ports ---------------------------------------------------------------------

constexpr uint32_t kOfppc10All = 0x7f, kOfppc11All = 0x65, kOfpps10All = 0x301, kOfpps11All = 0x7;

uint32_t features_from_ofp10(uint32_t f) {
    return (f & 0x7f) | ((f & 0xf80) << 4);
}

// 1.0 has no speed fields: OVS derives them from the fastest feature bit.
uint32_t speed_kbps_of(uint32_t features) {
    if (features & (1 << 9)) return 1000000000;  // 1 TB
    if (features & (1 << 8)) return 100000000;   // 100 GB
    if (features & (1 << 7)) return 40000000;    // 40 GB
    if (features & (1 << 6)) return 10000000;    // 10 GB
    if (features & (3 << 4)) return 1000000;     // 1 GB
    if (features & (3 << 2)) return 100000;      // 100 MB
    if (features & (3 << 0)) return 10000;       // 10 MB
    return 0;
}

std::optional<OfpError> port_no_11(uint32_t wire, uint32_t* out) {
    auto p = port_from_ofp11(wire);
    if (!p) return make_error(OfpErr::OFPBRC_BAD_PORT, "port " + std::to_string(wire) + " out of range");
    *out = *p;
    return std::nullopt;
}

// One port description of 'version' at the front of 'r'.
std::optional<OfpError> pull_port(Reader& r, uint8_t version, OfpPortInfo* p) {
    *p = OfpPortInfo{};
    if (version == V10) {
        if (!r.has(48)) return bad_len("ofp10_phy_port truncated");
        p->port_no = r.u16();
        p->hw_addr = r.eth();
        p->name = r.str(16);
        p->config = r.u32() & kOfppc10All;
        p->state = r.u32() & kOfpps10All;
        p->curr = features_from_ofp10(r.u32());
        p->advertised = features_from_ofp10(r.u32());
        p->supported = features_from_ofp10(r.u32());
        p->peer = features_from_ofp10(r.u32());
        p->curr_speed = speed_kbps_of(p->curr);
        p->max_speed = speed_kbps_of(p->supported);
        return std::nullopt;
    }
    if (version <= V13) {
        if (!r.has(64)) return bad_len("ofp11_port truncated");
        uint32_t wire = r.u32();
        r.skip(4);
        p->hw_addr = r.eth();
        r.skip(2);
        p->name = r.str(16);
        p->config = r.u32() & kOfppc11All;
        p->state = r.u32() & kOfpps11All;
        p->curr = r.u32() & 0xffff;
        p->advertised = r.u32() & 0xffff;
        p->supported = r.u32() & 0xffff;
        p->peer = r.u32() & 0xffff;
        p->curr_speed = r.u32();
        p->max_speed = r.u32();
        return port_no_11(wire, &p->port_no);
    }
    if (!r.has(40)) return bad_len("ofp14_port truncated");
    uint32_t wire = r.u32();
    uint16_t len = r.u16();
    if (len < 40 || !r.has(len - 6)) return bad_len("ofp14_port length");
    r.skip(2);
    p->hw_addr = r.eth();
    r.skip(2);
    p->name = r.str(16);
    p->config = r.u32() & kOfppc11All;
    p->state = r.u32() & kOfpps11All;
    Reader props = r.sub(len - 40);
    while (props.remaining()) {
        Prop prop;
        if (auto e = pull_prop(props, &prop)) return e;
        if (prop.type != 0) continue;  // unknown properties are skipped, as OVS does
        Reader e(prop.body);
        if (prop.whole.size() != 32) return make_error(OfpErr::OFPBPC_BAD_LEN, "port ethernet property length");
        e.skip(4);
        p->curr = e.u32() & 0xffff;
        p->advertised = e.u32() & 0xffff;
        p->supported = e.u32() & 0xffff;
        p->peer = e.u32() & 0xffff;
        p->curr_speed = e.u32();
        p->max_speed = e.u32();
    }
    return port_no_11(wire, &p->port_no);
}

uint16_t decode_ff(uint16_t wire) {
    // OFPFF_* of 1.1+ as OfpFlowMod keeps them; unknown bits stay (they
    // print as nothing, as in OVS, which refuses only in flow mods).
    return wire & (kFfSendFlowRem | kFfCheckOverlap | kFfResetCounts | kFfNoPktCounts | kFfNoBytCounts);
}

}  // namespace

// ---- Identification ---------------------------------------------------------------

std::optional<OfpMsgId> ofp_identify(std::span<const uint8_t> msg) {
    if (msg.size() < kOfpHeaderLen) return std::nullopt;
    OfpHeader h = ofp_header(msg);
    Reader r(msg);
    r.skip(kOfpHeaderLen);
    uint8_t v = h.version;
    bool known_version = v >= V10 && v <= V15;
    const FormInfo* f = nullptr;
    size_t hdr_len = kOfpHeaderLen;
    bool multipart = false;
    uint16_t flags = 0;
    if (h.type <= 3) {
        f = find_form(Where::Ofpt, v ? v : 1, h.type);
        if (!v) f = nullptr;
    } else if (!known_version) {
        return std::nullopt;
    } else if (h.type == kOfptVendor) {
        uint32_t vendor = r.u32(), subtype = r.u32();
        if (!r.ok()) return std::nullopt;
        hdr_len = 16;
        if (vendor == kNxVendorId) f = find_form(Where::Nxt, v, subtype);
        if (vendor == kOnfVendorId) f = find_form(Where::Onft, v, subtype);
    } else if (h.type == mp_request_type(v) || h.type == mp_reply_type(v)) {
        bool reply = h.type == mp_reply_type(v);
        uint16_t type = r.u16();
        flags = r.u16();
        if (v != V10) r.skip(4);
        hdr_len = v == V10 ? 12 : 16;
        multipart = true;
        if (!r.ok()) return std::nullopt;
        if (type == kOfpstVendor) {
            uint32_t vendor = r.u32(), subtype = r.u32();
            r.skip(4);
            if (!r.ok()) return std::nullopt;
            hdr_len = 24;
            if (vendor == kNxVendorId) f = find_form(reply ? Where::NxstReply : Where::NxstRequest, v, subtype);
            if (vendor == kOnfVendorId) f = find_form(reply ? Where::OnfstReply : Where::OnfstRequest, v, subtype);
        } else {
            f = find_form(reply ? Where::MpReply : Where::MpRequest, v, type);
        }
    } else {
        f = find_form(Where::Ofpt, v, h.type);
    }
    if (!f) return std::nullopt;
    OfpMsgId id{f->kind, f->form, f->name};
    id.version = v;
    id.xid = h.xid;
    id.multipart = multipart;
    id.mp_flags = flags;
    id.hdr_len = hdr_len;
    return id;
}

// ---- Requests ---------------------------------------------------------------------

std::optional<Bytes> encode_empty_request(OfpMsgKind kind, uint8_t version, uint32_t xid) {
    auto plain = [&](uint8_t type) {
        Bytes b = start_msg(version, type, xid);
        finish_msg(b);
        return b;
    };
    auto mp = [&](uint16_t type) {
        Bytes b = start_mp_request(version, type, xid);
        finish_msg(b);
        return b;
    };
    switch (kind) {
        case OfpMsgKind::FeaturesRequest:
            return plain(5);
        case OfpMsgKind::GetConfigRequest:
            return plain(7);
        case OfpMsgKind::EchoRequest:
            return plain(2);
        case OfpMsgKind::BarrierRequest:
            return plain(version == V10 ? 18 : 20);
        case OfpMsgKind::GetAsyncRequest:
            if (version < V13) return std::nullopt;
            return plain(26);
        case OfpMsgKind::DescRequest:
            return mp(0);
        case OfpMsgKind::TableStatsRequest:
            return mp(3);
        case OfpMsgKind::GroupFeaturesRequest:
            if (version < V12) return std::nullopt;
            return mp(8);
        case OfpMsgKind::MeterFeaturesRequest:
            if (version < V13) return std::nullopt;
            return mp(11);
        case OfpMsgKind::TableFeaturesRequest:
            if (version < V13) return std::nullopt;
            return mp(12);
        case OfpMsgKind::PortDescRequest:
            if (version >= V15) return std::nullopt;
            return mp(13);
        case OfpMsgKind::TableDescRequest:
            if (version < V14) return std::nullopt;
            return mp(14);
        default:
            return std::nullopt;
    }
}

Bytes encode_port_desc_request(uint8_t version, uint32_t port, uint32_t xid) {
    Bytes b = start_mp_request(version, 13, xid);
    if (version >= V15) {
        Writer w(b);
        w.u32(port_to_ofp11(port));
        w.zeros(4);
    }
    finish_msg(b);
    return b;
}

Bytes encode_port_stats_request(uint8_t version, uint32_t port, uint32_t xid) {
    Bytes b = start_mp_request(version, 4, xid);
    Writer w(b);
    if (version == V10) {
        w.u16(port == kOfppAny32 ? kOfppNone : uint16_t(port));
        w.zeros(6);
    } else {
        w.u32(port_to_ofp11(port));
        w.zeros(4);
    }
    finish_msg(b);
    return b;
}

Bytes encode_flow_stats_request(uint8_t version, bool nxm, const OfpFlowStatsRequest& req, uint32_t xid) {
    uint16_t out_port16 = req.out_port == kOfppAny32 ? kOfppNone : uint16_t(req.out_port);
    if (version == V10 && nxm) {
        Bytes b = start_nxst_request(V10, req.aggregate ? 1 : 0, xid);
        Writer w(b);
        w.u16(out_port16);
        size_t match_len_ofs = w.size();
        w.u16(0);
        w.u8(req.table_id);
        w.zeros(3);
        size_t len = nx_put_match(req.match, &b, req.cookie, req.cookie_mask);
        w.set_u16(match_len_ofs, uint16_t(len));
        finish_msg(b);
        return b;
    }
    Bytes b = start_mp_request(version, req.aggregate ? 2 : 1, xid);
    Writer w(b);
    if (version == V10) {
        ofp10_put_match(req.match, &b);
        w.u8(req.table_id);
        w.u8(0);
        w.u16(out_port16);
    } else {
        w.u8(req.table_id);
        w.zeros(3);
        w.u32(port_to_ofp11(req.out_port));
        w.u32(req.out_group);
        w.zeros(4);
        w.u64(req.cookie);
        w.u64(req.cookie_mask);
        put_match11(req.match, version, b);
    }
    finish_msg(b);
    return b;
}

Bytes encode_set_config(uint8_t version, const OfpSwitchConfig& c, uint32_t xid) {
    Bytes b = start_msg(version, 9, xid);
    Writer w(b);
    w.u16(c.flags);
    w.u16(c.miss_send_len);
    finish_msg(b);
    return b;
}

Bytes encode_nx_set_flow_format(uint32_t format, uint32_t xid) {
    Bytes b = start_nxt(V10, 12, xid);
    Writer(b).u32(format);
    finish_msg(b);
    return b;
}

Bytes encode_nx_flow_mod_table_id(bool enable, uint32_t xid) {
    Bytes b = start_nxt(V10, 15, xid);
    Writer w(b);
    w.u8(enable);
    w.zeros(7);
    finish_msg(b);
    return b;
}

Bytes encode_nx_set_packet_in_format(uint8_t version, PacketInFormat fmt, uint32_t xid) {
    Bytes b = start_nxt(version, 16, xid);
    Writer(b).u32(uint32_t(fmt));
    finish_msg(b);
    return b;
}

// ---- Features, config, ports ---------------------------------------------------------

std::variant<OfpFeaturesReply, OfpError> decode_features_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::FeaturesReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    OfpFeaturesReply out;
    auto& f = out.features;
    f.datapath_id = r.u64();
    f.n_buffers = r.u32();
    f.n_tables = r.u8();
    uint8_t aux = r.u8();
    r.skip(2);
    uint32_t caps = r.u32();
    uint32_t actions = r.u32();
    if (!r.ok()) return bad_len("switch features truncated");
    // OFPC_* common to all versions: FLOW/TABLE/PORT_STATS, IP_REASM, QUEUE_STATS.
    constexpr uint32_t kCommon = 0x1 | 0x2 | 0x4 | 0x20 | 0x40;
    uint32_t mask = id.version <= V11   ? kCommon | 0x80
                    : id.version <= V13 ? kCommon | 0x100
                                        : kCommon | 0x100 | 0x200 | 0x400;
    f.capabilities = caps & mask;
    if (id.form == OfpForm::Of10) {
        if (caps & (1 << 3)) f.capabilities |= kOfpCapStp;
        out.actions10 = actions;
    } else {
        if (caps & (1 << 3)) f.capabilities |= 1 << 4;  // 1.1+ GROUP_STATS is bit 3 on the wire
        if (id.form == OfpForm::Of13) f.auxiliary_id = aux;
    }
    if (id.version < V13) {
        size_t port_len = id.version == V10 ? 48 : 64;
        out.has_ports = ofp_header(msg).length + port_len <= UINT16_MAX;
        while (r.remaining()) {
            OfpPortInfo p;
            if (r.remaining() < port_len) break;  // OVS stops at a short tail
            if (auto e = pull_port(r, id.version, &p)) return *e;
            f.ports.push_back(std::move(p));
        }
    }
    return out;
}

std::variant<OfpSwitchConfig, OfpError> decode_get_config_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::GetConfigReply, OfpMsgKind::SetConfig});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& r = std::get<Body>(res).r;
    OfpSwitchConfig c;
    c.flags = r.u16();
    c.miss_send_len = r.u16();
    if (!r.ok()) return bad_len("switch config truncated");
    return c;
}

std::variant<std::vector<OfpPortInfo>, OfpError> decode_port_desc_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::PortDescReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    std::vector<OfpPortInfo> ports;
    while (r.remaining()) {
        OfpPortInfo p;
        if (auto e = pull_port(r, id.version, &p)) return *e;
        ports.push_back(std::move(p));
    }
    return ports;
}

std::variant<OfpPortStatus, OfpError> decode_port_status(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::PortStatus});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    OfpPortStatus ps;
    ps.reason = r.u8();
    r.skip(7);
    if (!r.ok()) return bad_len("port status truncated");
    if (ps.reason > 2) return make_error(OfpErr::NXBRC_BAD_REASON, "unknown port status reason");
    if (auto e = pull_port(r, id.version, &ps.desc)) return *e;
    return ps;
}

// ---- Flow statistics ---------------------------------------------------------------------

namespace {

// The fixed part and match of one flow statistics entry of 'form' (the
// reader holds just the entry); leaves the reader at the instructions.
std::optional<OfpError> pull_flow_stats_head(Reader& e, const OfpMsgId& id, OfpFlowStatsEntry* entry) {
    auto& fs = entry->stats;
    size_t length = e.remaining();
    auto set_match = [&](std::variant<Match, OfpError> m) -> std::optional<OfpError> {
        if (auto* err = std::get_if<OfpError>(&m)) return *err;
        fs.match = std::get<Match>(m);
        return std::nullopt;
    };
    switch (id.form) {
        case OfpForm::Of10: {
            if (length < 88) return bad_len("flow stats entry too short");
            e.skip(2);
            fs.table_id = e.u8();
            e.skip(1);
            auto m = ofp10_pull_match(e.bytes(kOfp10MatchLen));
            if (!m.ok()) return m.error();
            fs.match = *m;
            fs.duration_sec = e.u32();
            fs.duration_nsec = e.u32();
            fs.priority = e.u16();
            fs.idle_timeout = e.u16();
            fs.hard_timeout = e.u16();
            e.skip(6);
            fs.cookie = e.u64();
            fs.packet_count = e.u64();
            fs.byte_count = e.u64();
            return std::nullopt;
        }
        case OfpForm::Nx: {
            if (length < 48) return bad_len("NXST_FLOW entry too short");
            e.skip(2);
            fs.table_id = e.u8();
            e.skip(1);
            fs.duration_sec = e.u32();
            fs.duration_nsec = e.u32();
            fs.priority = e.u16();
            fs.idle_timeout = e.u16();
            fs.hard_timeout = e.u16();
            uint16_t match_len = e.u16();
            uint16_t idle_age = e.u16(), hard_age = e.u16();
            // Ages are sent plus one; 0 means the switch does not know.
            if (idle_age) entry->idle_age = idle_age - 1u;
            if (hard_age) entry->hard_age = hard_age - 1u;
            fs.cookie = e.u64();
            fs.packet_count = e.u64();
            fs.byte_count = e.u64();
            if (length < 48 + nx_padded_len(match_len)) return bad_len("NXST_FLOW entry shorter than its match");
            return set_match(pull_nxm_padded(e, match_len));
        }
        case OfpForm::Of15: {
            // Flow description: fixed part, match, OXS statistics.
            if (length < 24) return bad_len("flow desc too short");
            e.skip(4);
            fs.table_id = e.u8();
            e.skip(1);
            fs.priority = e.u16();
            fs.idle_timeout = e.u16();
            fs.hard_timeout = e.u16();
            fs.flags = decode_ff(e.u16());
            fs.importance = e.u16();
            fs.cookie = e.u64();
            if (auto err = set_match(pull_match11(e, id.version))) return err;
            OxsStats oxs;
            if (auto err = pull_oxs(e, &oxs)) return err;
            fs.duration_sec = oxs.duration_sec;
            fs.duration_nsec = oxs.duration_nsec;
            fs.packet_count = oxs.packet_count;
            fs.byte_count = oxs.byte_count;
            if (oxs.idle_age != UINT32_MAX) entry->idle_age = oxs.idle_age;
            return std::nullopt;
        }
        default: {
            if (length < 48) return bad_len("flow stats entry too short");
            e.skip(2);
            fs.table_id = e.u8();
            e.skip(1);
            fs.duration_sec = e.u32();
            fs.duration_nsec = e.u32();
            fs.priority = e.u16();
            fs.idle_timeout = e.u16();
            fs.hard_timeout = e.u16();
            uint16_t flags = e.u16();
            uint16_t importance = e.u16();
            e.skip(2);
            fs.cookie = e.u64();
            fs.packet_count = e.u64();
            fs.byte_count = e.u64();
            if (id.form == OfpForm::Of13) fs.flags = decode_ff(flags);
            if (id.version >= V14) fs.importance = importance;
            return set_match(pull_match11(e, id.version));
        }
    }
}

}  // namespace

std::variant<std::vector<OfpFlowStatsEntry>, OfpError> decode_flow_stats_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::FlowStatsReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    std::vector<OfpFlowStatsEntry> flows;
    while (r.remaining()) {
        Reader peek = r;
        uint16_t length = peek.u16();
        if (!peek.ok() || !r.has(length)) return bad_len("flow stats entry runs past the message");
        Reader e = r.sub(length);
        OfpFlowStatsEntry entry;
        if (auto err = pull_flow_stats_head(e, id, &entry)) return *err;
        if (!e.ok()) return bad_len("flow stats entry truncated");
        if (auto err = ofpacts_pull_instructions(e.rest(), id.version, &entry.stats.actions)) return *err;
        flows.push_back(std::move(entry));
    }
    return flows;
}

std::variant<OfpAggregateStats, OfpError> decode_aggregate_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::AggregateReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    OfpAggregateStats a;
    if (id.form == OfpForm::Of15) {
        OxsStats oxs;
        if (auto e = pull_oxs(r, &oxs)) return *e;
        a.packet_count = oxs.packet_count;
        a.byte_count = oxs.byte_count;
        a.flow_count = oxs.flow_count;
        return a;
    }
    a.packet_count = r.u64();
    a.byte_count = r.u64();
    a.flow_count = r.u32();
    if (!r.ok()) return bad_len("aggregate reply truncated");
    return a;
}

// ---- Table and port statistics -------------------------------------------------------------

std::variant<std::vector<OfpTableStatsEntry>, OfpError> decode_table_stats_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::TableStatsReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    size_t entry_len = id.form == OfpForm::Of10   ? 64
                       : id.form == OfpForm::Of11 ? 88
                       : id.form == OfpForm::Of12 ? 128
                                                  : 24;
    std::vector<OfpTableStatsEntry> tables;
    while (r.remaining()) {
        if (r.remaining() < entry_len) return bad_len("table stats entry truncated");
        OfpTableStatsEntry t;
        auto& s = t.stats;
        s.table_id = r.u8();
        switch (id.form) {
            case OfpForm::Of10:
                r.skip(3);
                s.name = r.str(32);
                t.wildcards10 = r.u32();
                s.max_entries = r.u32();
                break;
            case OfpForm::Of11:
                r.skip(7);
                s.name = r.str(32);
                t.wildcards11 = r.u32();
                t.match11 = r.u32();
                t.instructions = r.u32();
                t.write_actions = r.u32();
                t.apply_actions = r.u32();
                t.config = r.u32();
                s.max_entries = r.u32();
                break;
            case OfpForm::Of12:
                r.skip(7);
                s.name = r.str(32);
                t.match12 = r.u64();
                t.wildcards12 = r.u64();
                t.write_actions = r.u32();
                t.apply_actions = r.u32();
                t.write_setfields = r.u64();
                t.apply_setfields = r.u64();
                t.metadata_match = r.u64();
                t.metadata_write = r.u64();
                t.instructions = r.u32();
                t.config = r.u32();
                s.max_entries = r.u32();
                break;
            default:
                r.skip(3);
                s.max_entries = 0;
                break;
        }
        s.active_count = r.u32();
        s.lookup_count = r.u64();
        s.matched_count = r.u64();
        tables.push_back(std::move(t));
    }
    return tables;
}

namespace {

constexpr uint32_t kIntelVendorId = 0x0000aa01;

std::optional<OfpError> pull_port_stats14_props(Reader props, OfpPortStatsEntry* out) {
    auto& s = out->stats;
    while (props.remaining()) {
        Prop p;
        if (auto e = pull_prop(props, &p)) return e;
        Reader b(p.body);
        if (p.type == 0) {  // OFPPSPT14_ETHERNET
            if (p.whole.size() != 40) return make_error(OfpErr::OFPBPC_BAD_LEN, "port stats ethernet property");
            b.skip(4);
            s.rx_frame_err = b.u64();
            s.rx_over_err = b.u64();
            s.rx_crc_err = b.u64();
            s.collisions = b.u64();
        } else if (p.type == 0xffff && p.experimenter == kIntelVendorId && p.exp_type == 1) {
            if (p.whole.size() != 184) return make_error(OfpErr::OFPBPC_BAD_LEN, "RFC 2819 property length");
            b.skip(4);
            out->rfc2819.clear();
            for (int i = 0; i < 21; i++) out->rfc2819.push_back(b.u64());
        } else if (p.type == 0xffff && p.experimenter == kIntelVendorId && p.exp_type == 2) {
            b.skip(2);
            uint16_t n = b.u16();
            out->custom.clear();
            for (uint16_t i = 0; i < n; i++) {
                uint8_t name_len = b.u8();
                std::string name(reinterpret_cast<const char*>(b.bytes(name_len).data()), b.ok() ? name_len : 0);
                // OVS keeps names to 31 bytes (its counters' name field).
                if (name.size() > 31) name.resize(31);
                uint64_t value = b.u64();
                if (!b.ok()) return make_error(OfpErr::OFPBPC_BAD_LEN, "custom statistics truncated");
                out->custom.emplace_back(std::move(name), value);
            }
        }
        // Other properties are skipped (OVS logs and ignores them).
    }
    return std::nullopt;
}

}  // namespace

std::variant<std::vector<OfpPortStatsEntry>, OfpError> decode_port_stats_reply(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::PortStatsReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    std::vector<OfpPortStatsEntry> ports;
    while (r.remaining()) {
        OfpPortStatsEntry entry;
        auto& s = entry.stats;
        s.duration_sec = s.duration_nsec = UINT32_MAX;
        Reader e;
        if (id.form == OfpForm::Of14) {
            Reader peek = r;
            uint16_t len = peek.u16();
            if (!peek.ok() || len < 80 || !r.has(len)) return bad_len("port stats entry length");
            e = r.sub(len);
            e.skip(4);
            if (auto err = port_no_11(e.u32(), &s.port_no)) return *err;
            s.duration_sec = e.u32();
            s.duration_nsec = e.u32();
        } else {
            size_t len = id.form == OfpForm::Of13 ? 112 : 104;
            if (!r.has(len)) return bad_len("port stats entry truncated");
            e = r.sub(len);
            if (id.form == OfpForm::Of10) {
                s.port_no = e.u16();
                e.skip(6);
            } else {
                if (auto err = port_no_11(e.u32(), &s.port_no)) return *err;
                e.skip(4);
            }
        }
        for (uint64_t* v : {&s.rx_packets, &s.tx_packets, &s.rx_bytes, &s.tx_bytes, &s.rx_dropped, &s.tx_dropped,
                            &s.rx_errors, &s.tx_errors}) {
            *v = e.u64();
        }
        if (id.form == OfpForm::Of14) {
            if (auto err = pull_port_stats14_props(Reader(e.rest()), &entry)) return *err;
        } else {
            for (uint64_t* v : {&s.rx_frame_err, &s.rx_over_err, &s.rx_crc_err, &s.collisions}) *v = e.u64();
            if (id.form == OfpForm::Of13) {
                s.duration_sec = e.u32();
                s.duration_nsec = e.u32();
            }
        }
        ports.push_back(std::move(entry));
    }
    return ports;
}

// ---- Packet in, flow removed ----------------------------------------------------------------

namespace {

// NXT_PACKET_IN2: properties (packet, full_len, buffer_id, table_id,
// cookie, reason, metadata as OXM, userdata, continuation).
std::variant<OfpPacketInMsg, OfpError> decode_packet_in2(Reader& r) {
    OfpPacketInMsg out;
    auto& pin = out.pin;
    enum : uint16_t { kPacket, kFullLen, kBufferId, kTableId, kCookie, kReason, kMetadata, kUserdata, kContinuation };
    bool have_packet = false;
    // A fixed-size property's value into 'dst', or the error for its length.
    auto take = [](const auto& v, const char* name, auto& dst) -> std::optional<OfpError> {
        if (!v) return make_error(OfpErr::OFPBPC_BAD_LEN, name);
        dst = *v;
        return std::nullopt;
    };
    while (r.remaining()) {
        Prop p;
        if (auto e = pull_prop(r, &p)) return *e;
        switch (p.type) {
            case kPacket:
                pin.packet.assign(p.body.begin(), p.body.end());
                have_packet = true;
                break;
            case kFullLen:
                if (auto e = take(prop_u32(p), "full_len", pin.total_len)) return *e;
                break;
            case kBufferId:
                if (auto e = take(prop_u32(p), "buffer_id", pin.buffer_id)) return *e;
                break;
            case kTableId:
                if (auto e = take(prop_u8(p), "table_id", pin.table_id)) return *e;
                break;
            case kCookie:
                if (auto e = take(prop_u64(p), "cookie", pin.cookie)) return *e;
                break;
            case kReason:
                if (auto e = take(prop_u8(p), "reason", pin.reason)) return *e;
                break;
            case kMetadata: {
                auto m = oxm_pull_match(p.body);
                if (!m.ok()) return m.error();
                pin.metadata = *m;
                break;
            }
            case kUserdata:
                pin.userdata.assign(p.body.begin(), p.body.end());
                break;
            case kContinuation:
                out.continuation.assign(p.body.begin(), p.body.end());
                break;
            default:
                break;  // unknown properties are skipped, as OVS's loose decoding does
        }
    }
    if (!have_packet || pin.packet.empty()) return bad_len("NXT_PACKET_IN2 lacks packet");
    if (!pin.total_len) pin.total_len = uint32_t(pin.packet.size());
    if (pin.total_len < pin.packet.size()) return bad_len("NXT_PACKET_IN2 claims full_len < len");
    return out;
}

}  // namespace

std::variant<OfpPacketInMsg, OfpError> decode_packet_in(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::PacketIn});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    OfpPacketInMsg out;
    auto& pin = out.pin;
    auto in_port_match = [&](uint32_t port) {
        MfValue v, k;
        v.b[14] = uint8_t(port >> 8);
        v.b[15] = uint8_t(port);
        k.b[14] = k.b[15] = 0xff;
        mf_set_match(mf_field(MfId::InPort), v, k, &pin.metadata);
    };
    auto rest_is_packet = [&] {
        auto data = r.rest();
        pin.packet.assign(data.begin(), data.end());
    };
    if (std::string_view(id.name) == "NXT_PACKET_IN2") return decode_packet_in2(r);
    if (id.form == OfpForm::Nx) {
        pin.buffer_id = r.u32();
        pin.total_len = r.u16();
        pin.reason = r.u8();
        pin.table_id = r.u8();
        pin.cookie = r.u64();
        uint16_t match_len = r.u16();
        r.skip(6);
        if (!r.ok()) return bad_len("NXT_PACKET_IN truncated");
        auto m = pull_nxm_padded(r, match_len);
        if (auto* e = std::get_if<OfpError>(&m)) return *e;
        pin.metadata = std::get<Match>(m);
        r.skip(2);
        if (!r.ok()) return bad_len("NXT_PACKET_IN truncated");
        rest_is_packet();
        return out;
    }
    if (id.form == OfpForm::Of10) {
        pin.buffer_id = r.u32();
        pin.total_len = r.u16();
        uint16_t in_port = r.u16();
        pin.reason = r.u8();
        r.skip(1);
        if (!r.ok()) return bad_len("packet-in truncated");
        in_port_match(in_port);
        rest_is_packet();
        return out;
    }
    if (id.form == OfpForm::Of11) {
        pin.buffer_id = r.u32();
        uint32_t in_port = r.u32();
        r.skip(4);  // in_phy_port
        pin.total_len = r.u16();
        pin.reason = r.u8();
        pin.table_id = r.u8();
        if (!r.ok()) return bad_len("packet-in truncated");
        uint32_t port;
        if (auto e = port_no_11(in_port, &port)) return *e;
        in_port_match(port);
        rest_is_packet();
        return out;
    }
    pin.buffer_id = r.u32();
    pin.total_len = r.u16();
    pin.reason = r.u8();
    pin.table_id = r.u8();
    if (id.form == OfpForm::Of13) pin.cookie = r.u64();
    if (!r.ok()) return bad_len("packet-in truncated");
    auto m = pull_match11(r, id.version);
    if (auto* e = std::get_if<OfpError>(&m)) return *e;
    pin.metadata = std::get<Match>(m);
    r.skip(2);
    if (!r.ok()) return bad_len("packet-in truncated");
    rest_is_packet();
    return out;
}

std::variant<OfpFlowRemoved, OfpError> decode_flow_removed(std::span<const uint8_t> msg) {
    auto res = body_of(msg, {OfpMsgKind::FlowRemoved});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    auto& [id, r] = std::get<Body>(res);
    OfpFlowRemoved fr;
    switch (id.form) {
        case OfpForm::Of10: {
            auto m = ofp10_pull_match(r.bytes(kOfp10MatchLen));
            if (!m.ok()) return m.error();
            fr.match = *m;
            fr.cookie = r.u64();
            fr.priority = r.u16();
            fr.reason = r.u8();
            r.skip(1);
            fr.table_id = 255;
            fr.duration_sec = r.u32();
            fr.duration_nsec = r.u32();
            fr.idle_timeout = r.u16();
            r.skip(2);
            fr.packet_count = r.u64();
            fr.byte_count = r.u64();
            break;
        }
        case OfpForm::Nx: {
            fr.cookie = r.u64();
            fr.priority = r.u16();
            fr.reason = r.u8();
            uint8_t table = r.u8();
            fr.table_id = table ? table - 1 : 255;
            fr.duration_sec = r.u32();
            fr.duration_nsec = r.u32();
            fr.idle_timeout = r.u16();
            uint16_t match_len = r.u16();
            fr.packet_count = r.u64();
            fr.byte_count = r.u64();
            if (!r.ok()) return bad_len("NXT_FLOW_REMOVED truncated");
            auto m = pull_nxm_padded(r, match_len);
            if (auto* e = std::get_if<OfpError>(&m)) return *e;
            fr.match = std::get<Match>(m);
            if (r.remaining()) return bad_len("bytes after NXT_FLOW_REMOVED's match");
            break;
        }
        case OfpForm::Of15: {
            fr.table_id = r.u8();
            fr.reason = r.u8();
            fr.priority = r.u16();
            fr.idle_timeout = r.u16();
            fr.hard_timeout = r.u16();
            fr.cookie = r.u64();
            if (!r.ok()) return bad_len("flow removed truncated");
            auto m = pull_match11(r, id.version);
            if (auto* e = std::get_if<OfpError>(&m)) return *e;
            fr.match = std::get<Match>(m);
            OxsStats oxs;
            if (auto e = pull_oxs(r, &oxs)) return *e;
            fr.duration_sec = oxs.duration_sec;
            fr.duration_nsec = oxs.duration_nsec;
            fr.packet_count = oxs.packet_count;
            fr.byte_count = oxs.byte_count;
            break;
        }
        default: {
            fr.cookie = r.u64();
            fr.priority = r.u16();
            fr.reason = r.u8();
            fr.table_id = r.u8();
            fr.duration_sec = r.u32();
            fr.duration_nsec = r.u32();
            fr.idle_timeout = r.u16();
            fr.hard_timeout = r.u16();
            fr.packet_count = r.u64();
            fr.byte_count = r.u64();
            if (!r.ok()) return bad_len("flow removed truncated");
            auto m = pull_match11(r, id.version);
            if (auto* e = std::get_if<OfpError>(&m)) return *e;
            fr.match = std::get<Match>(m);
            break;
        }
    }
    if (!r.ok()) return bad_len("flow removed truncated");
    return fr;
}

}  // namespace xvs::ofproto
