// Framing and message classification, and the messages that need no match
// or action codec: hello, echo, error, barrier, features, switch config,
// port status and port mod, roles, asynchronous message configuration and
// the Nicira one-value controls. Statistics are in ofp_msgs_stats.cpp,
// flow mods, packet in/out and flow removed in ofp_msgs_flow.cpp.
#include "ofproto/ofp_msgs.h"

#include <algorithm>
#include <array>

#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace ofpwire {

namespace {

// Where a form's number lives.
enum class Kind : uint8_t {
    Ofpt,   // ofp_header.type
    Ofpst,  // multipart request type
    Nxt,    // OFPT_VENDOR with Nicira's id: subtype
    Nxst,   // multipart vendor request with Nicira's id: subtype
    Onft,   // OFPT_VENDOR with ONF's id (1.3 extensions): subtype
    Onfst,  // multipart vendor request with ONF's id: subtype
};

// A message form: the versions it exists in, its number, its type, and the
// size of its body after the headers: exactly min_body (extra 0), or at
// least min_body and then any length (extra 1) or a multiple of 'extra'.
struct RawInfo {
    Raw raw;
    Kind kind;
    uint8_t vmin, vmax;
    uint32_t number;
    OfpType type;
    uint16_t min_body;
    uint16_t extra;
};

constexpr uint8_t V10 = kOfp10, V11 = kOfp11, V12 = kOfp12, V13 = kOfp13, V14 = kOfp14, V15 = kOfp15;
// Hello, error and echo exist in every version, even ones we do not speak
// (a hello from the future still negotiates).
constexpr uint8_t VALL = 0xff;

using T = OfpType;
using K = Kind;

constexpr RawInfo kRaws[] = {
    {Raw::Hello, K::Ofpt, 1, VALL, 0, T::Hello, 0, 1},
    {Raw::Error, K::Ofpt, 1, VALL, 1, T::Error, 4, 1},
    {Raw::EchoRequest, K::Ofpt, 1, VALL, 2, T::EchoRequest, 0, 1},
    {Raw::EchoReply, K::Ofpt, 1, VALL, 3, T::EchoReply, 0, 1},
    {Raw::FeaturesRequest, K::Ofpt, V10, V15, 5, T::FeaturesRequest, 0, 0},
    {Raw::FeaturesReply10, K::Ofpt, V10, V10, 6, T::FeaturesReply, 24, 48},
    {Raw::FeaturesReply11, K::Ofpt, V11, V12, 6, T::FeaturesReply, 24, 64},
    {Raw::FeaturesReply13, K::Ofpt, V13, V15, 6, T::FeaturesReply, 24, 0},
    {Raw::GetConfigRequest, K::Ofpt, V10, V15, 7, T::GetConfigRequest, 0, 0},
    {Raw::GetConfigReply, K::Ofpt, V10, V15, 8, T::GetConfigReply, 4, 0},
    {Raw::SetConfig, K::Ofpt, V10, V15, 9, T::SetConfig, 4, 0},
    {Raw::PacketIn10, K::Ofpt, V10, V10, 10, T::PacketIn, 10, 1},
    {Raw::PacketIn11, K::Ofpt, V11, V11, 10, T::PacketIn, 16, 1},
    {Raw::PacketIn12, K::Ofpt, V12, V12, 10, T::PacketIn, 8, 1},
    {Raw::PacketIn13, K::Ofpt, V13, V15, 10, T::PacketIn, 16, 1},
    {Raw::NxPacketIn, K::Nxt, V10, V15, 17, T::PacketIn, 24, 1},
    {Raw::NxPacketIn2, K::Nxt, V10, V15, 30, T::PacketIn, 0, 8},
    {Raw::FlowRemoved10, K::Ofpt, V10, V10, 11, T::FlowRemoved, 80, 0},
    {Raw::FlowRemoved11, K::Ofpt, V11, V14, 11, T::FlowRemoved, 40, 8},
    {Raw::FlowRemoved15, K::Ofpt, V15, V15, 11, T::FlowRemoved, 16, 8},
    {Raw::NxFlowRemoved, K::Nxt, V10, V15, 14, T::FlowRemoved, 40, 8},
    {Raw::PortStatus10, K::Ofpt, V10, V10, 12, T::PortStatus, 56, 0},
    {Raw::PortStatus11, K::Ofpt, V11, V13, 12, T::PortStatus, 72, 0},
    {Raw::PortStatus14, K::Ofpt, V14, V15, 12, T::PortStatus, 48, 8},
    {Raw::PacketOut10, K::Ofpt, V10, V10, 13, T::PacketOut, 8, 1},
    {Raw::PacketOut11, K::Ofpt, V11, V14, 13, T::PacketOut, 16, 1},
    {Raw::PacketOut15, K::Ofpt, V15, V15, 13, T::PacketOut, 8, 1},
    {Raw::FlowMod10, K::Ofpt, V10, V10, 14, T::FlowMod, 64, 8},
    {Raw::FlowMod11, K::Ofpt, V11, V15, 14, T::FlowMod, 40, 8},
    {Raw::NxFlowMod, K::Nxt, V10, V15, 13, T::FlowMod, 32, 8},
    {Raw::NxGroupMod, K::Nxt, V10, V10, 31, T::GroupMod, 16, 8},
    {Raw::GroupMod11, K::Ofpt, V11, V14, 15, T::GroupMod, 8, 8},
    {Raw::GroupMod15, K::Ofpt, V15, V15, 15, T::GroupMod, 16, 8},
    {Raw::PortMod10, K::Ofpt, V10, V10, 15, T::PortMod, 24, 0},
    {Raw::PortMod11, K::Ofpt, V11, V13, 16, T::PortMod, 32, 0},
    {Raw::PortMod14, K::Ofpt, V14, V15, 16, T::PortMod, 24, 8},
    {Raw::TableMod11, K::Ofpt, V11, V13, 17, T::TableMod, 8, 0},
    {Raw::TableMod14, K::Ofpt, V14, V15, 17, T::TableMod, 8, 8},
    {Raw::BarrierRequest10, K::Ofpt, V10, V10, 18, T::BarrierRequest, 0, 0},
    {Raw::BarrierRequest11, K::Ofpt, V11, V15, 20, T::BarrierRequest, 0, 0},
    {Raw::BarrierReply10, K::Ofpt, V10, V10, 19, T::BarrierReply, 0, 0},
    {Raw::BarrierReply11, K::Ofpt, V11, V15, 21, T::BarrierReply, 0, 0},
    {Raw::QueueGetConfigRequest10, K::Ofpt, V10, V10, 20, T::QueueGetConfigRequest, 4, 0},
    {Raw::QueueGetConfigRequest11, K::Ofpt, V11, V13, 22, T::QueueGetConfigRequest, 8, 0},
    {Raw::RoleRequest12, K::Ofpt, V12, V15, 24, T::RoleRequest, 16, 0},
    {Raw::NxRoleRequest, K::Nxt, V10, V15, 10, T::NxRoleRequest, 4, 0},
    {Raw::RoleReply12, K::Ofpt, V12, V15, 25, T::RoleReply, 16, 0},
    {Raw::NxRoleReply, K::Nxt, V10, V15, 11, T::RoleReply, 4, 0},
    {Raw::GetAsyncRequest, K::Ofpt, V13, V15, 26, T::GetAsyncRequest, 0, 0},
    {Raw::SetAsync13, K::Ofpt, V13, V13, 28, T::SetAsync, 24, 0},
    {Raw::SetAsync14, K::Ofpt, V14, V15, 28, T::SetAsync, 0, 8},
    {Raw::NxSetAsyncConfig, K::Nxt, V10, V15, 19, T::NxSetAsyncConfig, 24, 0},
    {Raw::NxSetAsyncConfig2, K::Nxt, V10, V13, 27, T::NxSetAsyncConfig, 0, 8},
    {Raw::MeterMod, K::Ofpt, V13, V15, 29, T::MeterMod, 8, 8},
    {Raw::BundleControl14, K::Ofpt, V14, V15, 33, T::BundleControl, 8, 8},
    {Raw::OnfBundleControl, K::Onft, V13, V13, 2300, T::BundleControl, 8, 8},
    {Raw::BundleAdd14, K::Ofpt, V14, V15, 34, T::BundleAdd, 8, 1},
    {Raw::OnfBundleAdd, K::Onft, V13, V13, 2301, T::BundleAdd, 8, 1},
    // Multipart requests.
    {Raw::DescRequest, K::Ofpst, V10, V15, 0, T::DescRequest, 0, 0},
    {Raw::FlowStatsRequest10, K::Ofpst, V10, V10, 1, T::FlowStatsRequest, 44, 0},
    {Raw::FlowStatsRequest11, K::Ofpst, V11, V15, 1, T::FlowStatsRequest, 32, 8},
    {Raw::NxFlowStatsRequest, K::Nxst, V10, V10, 0, T::FlowStatsRequest, 8, 8},
    {Raw::AggregateRequest10, K::Ofpst, V10, V10, 2, T::AggregateRequest, 44, 0},
    {Raw::AggregateRequest11, K::Ofpst, V11, V15, 2, T::AggregateRequest, 32, 8},
    {Raw::NxAggregateRequest, K::Nxst, V10, V10, 1, T::AggregateRequest, 8, 8},
    {Raw::TableStatsRequest, K::Ofpst, V10, V15, 3, T::TableStatsRequest, 0, 0},
    {Raw::PortStatsRequest10, K::Ofpst, V10, V10, 4, T::PortStatsRequest, 8, 0},
    {Raw::PortStatsRequest11, K::Ofpst, V11, V15, 4, T::PortStatsRequest, 8, 0},
    {Raw::QueueStatsRequest10, K::Ofpst, V10, V10, 5, T::QueueStatsRequest, 8, 0},
    {Raw::QueueStatsRequest11, K::Ofpst, V11, V15, 5, T::QueueStatsRequest, 8, 0},
    {Raw::NxGroupStatsRequest, K::Nxst, V10, V10, 7, T::GroupStatsRequest, 8, 0},
    {Raw::GroupStatsRequest11, K::Ofpst, V11, V15, 6, T::GroupStatsRequest, 8, 0},
    {Raw::NxGroupDescRequest, K::Nxst, V10, V10, 8, T::GroupDescRequest, 8, 0},
    {Raw::GroupDescRequest11, K::Ofpst, V11, V14, 7, T::GroupDescRequest, 0, 0},
    {Raw::GroupDescRequest15, K::Ofpst, V15, V15, 7, T::GroupDescRequest, 8, 0},
    {Raw::NxGroupFeaturesRequest, K::Nxst, V10, V11, 9, T::GroupFeaturesRequest, 0, 0},
    {Raw::GroupFeaturesRequest12, K::Ofpst, V12, V15, 8, T::GroupFeaturesRequest, 0, 0},
    {Raw::MeterStatsRequest, K::Ofpst, V13, V15, 9, T::MeterStatsRequest, 8, 0},
    {Raw::MeterConfigRequest, K::Ofpst, V13, V15, 10, T::MeterConfigRequest, 8, 0},
    {Raw::MeterFeaturesRequest, K::Ofpst, V13, V15, 11, T::MeterFeaturesRequest, 0, 0},
    {Raw::TableFeaturesRequest, K::Ofpst, V13, V15, 12, T::TableFeaturesRequest, 0, 8},
    {Raw::PortDescRequest10, K::Ofpst, V10, V14, 13, T::PortDescRequest, 0, 0},
    {Raw::PortDescRequest15, K::Ofpst, V15, V15, 13, T::PortDescRequest, 8, 0},
    {Raw::TableDescRequest, K::Ofpst, V14, V15, 14, T::TableDescRequest, 0, 0},
    {Raw::QueueDescRequest, K::Ofpst, V14, V15, 15, T::QueueDescRequest, 8, 0},
    {Raw::FlowMonitorRequest14, K::Ofpst, V14, V15, 16, T::FlowMonitorRequest, 0, 8},
    {Raw::OnfFlowMonitorRequest, K::Onfst, V13, V13, 1870, T::FlowMonitorRequest, 0, 8},
    {Raw::NxFlowMonitorRequest, K::Nxst, V10, V12, 2, T::FlowMonitorRequest, 0, 8},
    // Nicira extensions.
    {Raw::NxSetFlowFormat, K::Nxt, V10, V10, 12, T::NxSetFlowFormat, 4, 0},
    {Raw::NxFlowModTableId, K::Nxt, V10, V15, 15, T::NxFlowModTableId, 8, 0},
    {Raw::NxSetPacketInFormat, K::Nxt, V10, V15, 16, T::NxSetPacketInFormat, 4, 0},
    {Raw::NxFlowAge, K::Nxt, V10, V15, 18, T::NxFlowAge, 0, 0},
    {Raw::NxSetControllerId, K::Nxt, V10, V15, 20, T::NxSetControllerId, 8, 0},
    {Raw::NxTlvTableMod, K::Nxt, V10, V15, 24, T::NxTlvTableMod, 8, 8},
    {Raw::NxTlvTableRequest, K::Nxt, V10, V15, 25, T::NxTlvTableRequest, 0, 0},
    {Raw::NxResume, K::Nxt, V10, V15, 28, T::NxResume, 0, 8},
    {Raw::NxCtFlushZone, K::Nxt, V10, V15, 29, T::NxCtFlushZone, 8, 0},
    {Raw::NxCtFlush, K::Nxt, V10, V15, 32, T::NxCtFlush, 8, 8},
};

const RawInfo& raw_info(Raw raw) {
    for (const auto& ri : kRaws) {
        if (ri.raw == raw) return ri;
    }
    return kRaws[0];  // unreachable: every Raw is in the table
}

bool known_version(uint8_t v) { return v >= V10 && v <= V15; }

// The form of (kind, number) in 'version', or the error for "no such thing".
std::variant<const RawInfo*, OfpError> lookup(Kind kind, uint8_t version, uint32_t number) {
    for (const auto& ri : kRaws) {
        if (ri.kind == kind && ri.number == number && version >= ri.vmin && version <= ri.vmax) return &ri;
    }
    switch (kind) {
        case Kind::Ofpt:
            return make_error(OfpErr::OFPBRC_BAD_TYPE, "unknown message type " + std::to_string(number));
        case Kind::Ofpst:
            return make_error(OfpErr::OFPBRC_BAD_STAT, "unknown multipart type " + std::to_string(number));
        default:
            return make_error(OfpErr::OFPBRC_BAD_SUBTYPE, "unknown vendor subtype " + std::to_string(number));
    }
}

bool is_stats_request_type(uint8_t version, uint8_t type) {
    return version == V10 ? type == kOfpt10StatsRequest : type == kOfpt11StatsRequest;
}
bool is_stats_reply_type(uint8_t version, uint8_t type) {
    return version == V10 ? type == kOfpt10StatsReply : type == kOfpt11StatsReply;
}

}  // namespace

bool MsgInfo::is_stats() const {
    auto k = raw_info(raw).kind;
    return k == Kind::Ofpst || k == Kind::Nxst || k == Kind::Onfst;
}

std::variant<MsgInfo, OfpError> classify(std::span<const uint8_t> data) {
    if (data.size() < kOfpHeaderLen) return bad_len("message shorter than the OpenFlow header");
    OfpHeader h = ofp_header(data);
    if (h.length < kOfpHeaderLen || h.length > data.size()) {
        return bad_len("header length " + std::to_string(h.length) + " with " + std::to_string(data.size()) +
                       " bytes present");
    }
    auto msg = data.first(h.length);
    Reader r(msg);
    r.skip(kOfpHeaderLen);

    // The immutable messages need no known version (a hello from the
    // future still negotiates), but there never was a version 0.
    if (h.version == 0 || (h.type > kOfptEchoReply && !known_version(h.version))) {
        return make_error(OfpErr::OFPBRC_BAD_VERSION, "unsupported version " + std::to_string(h.version));
    }

    Kind kind = Kind::Ofpt;
    uint32_t number = h.type;
    size_t hdr_len = kOfpHeaderLen;
    if (h.type == kOfptVendor) {
        if (!r.has(8)) return bad_len("vendor message shorter than its header");
        uint32_t vendor = r.u32();
        number = r.u32();
        hdr_len = 16;
        if (vendor == kNxVendorId) {
            kind = Kind::Nxt;
        } else if (vendor == kOnfVendorId) {
            kind = Kind::Onft;
        } else {
            return make_error(OfpErr::OFPBRC_BAD_VENDOR, "unknown vendor " + std::to_string(vendor));
        }
    } else if (is_stats_request_type(h.version, h.type)) {
        // 1.0: type, flags. 1.1+: type, flags, 4 pad bytes.
        size_t stats_hdr = h.version == V10 ? 4 : 8;
        if (!r.has(stats_hdr)) return bad_len("multipart request shorter than its header");
        uint16_t stat = r.u16();
        r.skip(stats_hdr - 2);
        kind = Kind::Ofpst;
        number = stat;
        hdr_len = kOfpHeaderLen + stats_hdr;
        if (stat == kOfpstVendor) {
            // 1.0 Nicira: vendor, subtype, 4 pad bytes. 1.1+: vendor, subtype.
            size_t vendor_hdr = h.version == V10 ? 12 : 8;
            if (!r.has(4)) return bad_len("vendor multipart request shorter than its header");
            uint32_t vendor = r.u32();
            if (vendor == kNxVendorId) {
                kind = Kind::Nxst;
            } else if (vendor == kOnfVendorId && h.version != V10) {
                kind = Kind::Onfst;
            } else {
                return make_error(OfpErr::OFPBRC_BAD_VENDOR, "unknown multipart vendor " + std::to_string(vendor));
            }
            if (!r.has(vendor_hdr - 4)) return bad_len("vendor multipart request shorter than its header");
            number = r.u32();
            hdr_len += vendor_hdr;
        }
    } else if (is_stats_reply_type(h.version, h.type)) {
        return make_error(OfpErr::OFPBRC_BAD_TYPE, "multipart replies are not accepted");
    }

    auto found = lookup(kind, h.version, number);
    if (auto* e = std::get_if<OfpError>(&found)) return *e;
    const RawInfo& ri = *std::get<const RawInfo*>(found);

    size_t min_len = hdr_len + ri.min_body;
    size_t len = msg.size();
    bool len_ok = ri.extra == 0   ? len == min_len
                  : ri.extra == 1 ? len >= min_len
                                  : len >= min_len && (len - min_len) % ri.extra == 0;
    if (!len_ok) {
        return bad_len(std::string(ofp_type_name(ri.type)) + " with bad length " + std::to_string(len));
    }
    return MsgInfo{ri.raw, ri.type, h.version, h.xid, hdr_len, msg};
}

std::variant<MsgInfo, OfpError> classify_as(std::span<const uint8_t> msg, std::initializer_list<Raw> expected) {
    auto res = classify(msg);
    if (auto* info = std::get_if<MsgInfo>(&res)) {
        if (std::find(expected.begin(), expected.end(), info->raw) == expected.end()) {
            return make_error(OfpErr::OFPBRC_BAD_TYPE,
                              std::string("unexpected message ") + ofp_type_name(info->type));
        }
    }
    return res;
}

Bytes start_msg(uint8_t version, uint8_t type, uint32_t xid) {
    Bytes b;
    b.reserve(64);
    Writer w(b);
    w.u8(version);
    w.u8(type);
    w.u16(0);  // length: finish_msg()
    w.u32(xid);
    return b;
}

Bytes start_nxt(uint8_t version, uint32_t subtype, uint32_t xid) {
    Bytes b = start_msg(version, kOfptVendor, xid);
    Writer w(b);
    w.u32(kNxVendorId);
    w.u32(subtype);
    return b;
}

void finish_msg(Bytes& msg) {
    // Callers keep messages within 64 KiB; a bigger one would be a bug.
    Writer(msg).set_u16(2, static_cast<uint16_t>(std::min<size_t>(msg.size(), UINT16_MAX)));
}

Bytes stats_reply_header(const MsgInfo& req) {
    Bytes b(req.msg.begin(), req.msg.begin() + req.hdr_len);
    b[1] = req.version == V10 ? kOfpt10StatsReply : kOfpt11StatsReply;
    Writer w(b);
    w.set_u16(10, 0);  // flags
    finish_msg(b);
    return b;
}

void MultipartReplies::append(std::span<const uint8_t> entry) {
    if (msgs_.back().size() + entry.size() > UINT16_MAX && msgs_.back().size() > header_.size()) {
        msgs_.push_back(header_);
    }
    auto& m = msgs_.back();
    m.insert(m.end(), entry.begin(), entry.end());
}

std::vector<Bytes> MultipartReplies::finish() {
    constexpr uint16_t kReplyMore = 1;  // OFPSF_REPLY_MORE / OFPMPF_REPLY_MORE
    for (size_t i = 0; i < msgs_.size(); i++) {
        Writer w(msgs_[i]);
        w.set_u16(10, i + 1 < msgs_.size() ? kReplyMore : 0);
        finish_msg(msgs_[i]);
    }
    return std::move(msgs_);
}

std::optional<OfpError> pull_prop(Reader& r, Prop* out, uint32_t min_exp) {
    if (!r.has(4)) return make_error(OfpErr::OFPBPC_BAD_LEN, "property header truncated");
    Reader peek = r;
    uint16_t type = peek.u16();
    uint16_t len = peek.u16();
    size_t padded = (size_t(len) + 7) / 8 * 8;
    if (len < 4 || !r.has(padded)) {
        return make_error(OfpErr::OFPBPC_BAD_LEN, "property length " + std::to_string(len));
    }
    auto whole = r.bytes(padded).first(len);
    Prop p;
    p.type = type;
    p.whole = whole;
    if (type >= min_exp) {
        if (len < 12) return make_error(OfpErr::OFPBPC_BAD_LEN, "experimenter property too short");
        Reader pr(whole);
        pr.skip(4);
        p.experimenter = pr.u32();
        p.exp_type = pr.u32();
        if (!p.experimenter) {
            return make_error(OfpErr::OFPBPC_BAD_EXPERIMENTER, "experimenter property with experimenter 0");
        }
        p.body = whole.subspan(12);
    } else {
        p.body = whole.subspan(4);
    }
    *out = p;
    return std::nullopt;
}

void put_prop(Writer& w, uint16_t type, std::span<const uint8_t> value) {
    w.u16(type);
    w.u16(static_cast<uint16_t>(4 + value.size()));
    w.bytes(value);
    w.pad8();
}

void put_prop_u8(Writer& w, uint16_t type, uint8_t v) {
    uint8_t b[1] = {v};
    put_prop(w, type, b);
}

void put_prop_u32(Writer& w, uint16_t type, uint32_t v) {
    uint8_t b[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    put_prop(w, type, b);
}

void put_prop_u64(Writer& w, uint16_t type, uint64_t v) {
    w.u16(type);
    w.u16(16);
    w.u32(0);
    w.u64(v);
}

std::optional<uint8_t> prop_u8(const Prop& p) {
    if (p.body.size() != 1) return std::nullopt;
    return p.body[0];
}

std::optional<uint32_t> prop_u32(const Prop& p) {
    if (p.body.size() != 4) return std::nullopt;
    return Reader(p.body).u32();
}

std::optional<uint64_t> prop_u64(const Prop& p) {
    // The value is 8-aligned: 4 pad bytes after a standard header.
    size_t hdr = p.whole.size() - p.body.size();
    size_t ofs = (hdr + 7) / 8 * 8 - hdr;
    if (p.body.size() != ofs + 8) return std::nullopt;
    return Reader(p.body.subspan(ofs)).u64();
}

namespace {

// Port config/state/feature bits each version defines.
constexpr uint32_t kOfppc10All = 0x7f;  // PORT_DOWN NO_STP NO_RECV NO_RECV_STP NO_FLOOD NO_FWD NO_PACKET_IN
constexpr uint32_t kOfppc11All = 0x65;  // PORT_DOWN NO_RECV NO_FWD NO_PACKET_IN
constexpr uint32_t kOfpps10All = 0x301;  // LINK_DOWN and the STP state field
constexpr uint32_t kOfpps11All = 0x7;   // LINK_DOWN BLOCKED LIVE
constexpr uint32_t kOfppf11All = 0xffff;

// 1.0 lacks 40G/100G/1T/OTHER (1.1 bits 7-10), so its medium and pause
// bits sit four places lower.
uint32_t features_to_ofp10(uint32_t f) { return (f & 0x7f) | ((f & 0xf800) >> 4); }
uint32_t features_from_ofp10(uint32_t f) { return (f & 0x7f) | ((f & 0xf80) << 4); }

}  // namespace

void put_port(Writer& w, uint8_t version, const OfpPortInfo& p) {
    if (version == V10) {
        w.u16(static_cast<uint16_t>(p.port_no));
        w.eth(p.hw_addr);
        w.str(p.name, 16);
        w.u32(p.config & kOfppc10All);
        w.u32(p.state & kOfpps10All);
        w.u32(features_to_ofp10(p.curr));
        w.u32(features_to_ofp10(p.advertised));
        w.u32(features_to_ofp10(p.supported));
        w.u32(features_to_ofp10(p.peer));
    } else if (version <= V13) {
        w.u32(port_to_ofp11(p.port_no));
        w.zeros(4);
        w.eth(p.hw_addr);
        w.zeros(2);
        w.str(p.name, 16);
        w.u32(p.config & kOfppc11All);
        w.u32(p.state & kOfpps11All);
        w.u32(p.curr & kOfppf11All);
        w.u32(p.advertised & kOfppf11All);
        w.u32(p.supported & kOfppf11All);
        w.u32(p.peer & kOfppf11All);
        w.u32(p.curr_speed);
        w.u32(p.max_speed);
    } else {
        constexpr uint16_t kPortLen = 40, kEthPropLen = 32;
        w.u32(port_to_ofp11(p.port_no));
        w.u16(kPortLen + kEthPropLen);
        w.zeros(2);
        w.eth(p.hw_addr);
        w.zeros(2);
        w.str(p.name, 16);
        w.u32(p.config & kOfppc11All);
        w.u32(p.state & kOfpps11All);
        // OFPPDPT_ETHERNET.
        w.u16(0);
        w.u16(kEthPropLen);
        w.zeros(4);
        w.u32(p.curr & kOfppf11All);
        w.u32(p.advertised & kOfppf11All);
        w.u32(p.supported & kOfppf11All);
        w.u32(p.peer & kOfppf11All);
        w.u32(p.curr_speed);
        w.u32(p.max_speed);
    }
}

}  // namespace ofpwire

// ---- Framing and types ----------------------------------------------------

OfpHeader ofp_header(std::span<const uint8_t> msg) {
    Reader r(msg);
    OfpHeader h;
    h.version = r.u8();
    h.type = r.u8();
    h.length = r.u16();
    h.xid = r.u32();
    return h;
}

std::variant<OfpType, OfpError> decode_type(std::span<const uint8_t> msg) {
    auto res = classify(msg);
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    return std::get<MsgInfo>(res).type;
}

const char* ofp_type_name(OfpType t) {
    switch (t) {
        case T::Hello: return "OFPT_HELLO";
        case T::Error: return "OFPT_ERROR";
        case T::EchoRequest: return "OFPT_ECHO_REQUEST";
        case T::EchoReply: return "OFPT_ECHO_REPLY";
        case T::FeaturesRequest: return "OFPT_FEATURES_REQUEST";
        case T::FeaturesReply: return "OFPT_FEATURES_REPLY";
        case T::GetConfigRequest: return "OFPT_GET_CONFIG_REQUEST";
        case T::GetConfigReply: return "OFPT_GET_CONFIG_REPLY";
        case T::SetConfig: return "OFPT_SET_CONFIG";
        case T::PacketIn: return "OFPT_PACKET_IN";
        case T::FlowRemoved: return "OFPT_FLOW_REMOVED";
        case T::PortStatus: return "OFPT_PORT_STATUS";
        case T::PacketOut: return "OFPT_PACKET_OUT";
        case T::FlowMod: return "OFPT_FLOW_MOD";
        case T::GroupMod: return "OFPT_GROUP_MOD";
        case T::PortMod: return "OFPT_PORT_MOD";
        case T::TableMod: return "OFPT_TABLE_MOD";
        case T::BarrierRequest: return "OFPT_BARRIER_REQUEST";
        case T::BarrierReply: return "OFPT_BARRIER_REPLY";
        case T::QueueGetConfigRequest: return "OFPT_QUEUE_GET_CONFIG_REQUEST";
        case T::RoleRequest: return "OFPT_ROLE_REQUEST";
        case T::RoleReply: return "OFPT_ROLE_REPLY";
        case T::GetAsyncRequest: return "OFPT_GET_ASYNC_REQUEST";
        case T::SetAsync: return "OFPT_SET_ASYNC";
        case T::MeterMod: return "OFPT_METER_MOD";
        case T::BundleControl: return "OFPT_BUNDLE_CONTROL";
        case T::BundleAdd: return "OFPT_BUNDLE_ADD_MESSAGE";
        case T::DescRequest: return "OFPST_DESC request";
        case T::FlowStatsRequest: return "OFPST_FLOW request";
        case T::AggregateRequest: return "OFPST_AGGREGATE request";
        case T::TableStatsRequest: return "OFPST_TABLE request";
        case T::PortStatsRequest: return "OFPST_PORT request";
        case T::QueueStatsRequest: return "OFPST_QUEUE request";
        case T::PortDescRequest: return "OFPST_PORT_DESC request";
        case T::GroupStatsRequest: return "OFPST_GROUP request";
        case T::GroupDescRequest: return "OFPST_GROUP_DESC request";
        case T::GroupFeaturesRequest: return "OFPST_GROUP_FEATURES request";
        case T::MeterStatsRequest: return "OFPST_METER request";
        case T::MeterConfigRequest: return "OFPST_METER_CONFIG request";
        case T::MeterFeaturesRequest: return "OFPST_METER_FEATURES request";
        case T::TableFeaturesRequest: return "OFPST_TABLE_FEATURES request";
        case T::FlowMonitorRequest: return "OFPST_FLOW_MONITOR request";
        case T::TableDescRequest: return "OFPST_TABLE_DESC request";
        case T::QueueDescRequest: return "OFPST_QUEUE_DESC request";
        case T::NxSetFlowFormat: return "NXT_SET_FLOW_FORMAT";
        case T::NxFlowModTableId: return "NXT_FLOW_MOD_TABLE_ID";
        case T::NxSetPacketInFormat: return "NXT_SET_PACKET_IN_FORMAT";
        case T::NxSetControllerId: return "NXT_SET_CONTROLLER_ID";
        case T::NxSetAsyncConfig: return "NXT_SET_ASYNC_CONFIG";
        case T::NxRoleRequest: return "NXT_ROLE_REQUEST";
        case T::NxTlvTableRequest: return "NXT_TLV_TABLE_REQUEST";
        case T::NxTlvTableMod: return "NXT_TLV_TABLE_MOD";
        case T::NxResume: return "NXT_RESUME";
        case T::NxCtFlushZone: return "NXT_CT_FLUSH_ZONE";
        case T::NxCtFlush: return "NXT_CT_FLUSH";
        case T::NxFlowAge: return "NXT_FLOW_AGE";
    }
    return "<unknown>";
}

// ---- Hello, echo, error, barrier ---------------------------------------------

namespace {

constexpr uint16_t kHelloElemVersionBitmap = 1;

// Every version from 1 up to 'v' (capped at bit 31).
uint32_t versions_up_to(uint8_t v) { return v >= 31 ? 0xfffffffe : ((1u << (v + 1)) - 1) & ~1u; }

}  // namespace

uint32_t decode_hello_versions(std::span<const uint8_t> msg) {
    if (msg.size() < kOfpHeaderLen) return 0;
    OfpHeader h = ofp_header(msg);
    uint32_t versions = versions_up_to(h.version);
    if (h.length < kOfpHeaderLen || h.length > msg.size()) return versions;
    Reader r(msg.first(h.length));
    r.skip(kOfpHeaderLen);
    // Elements: type, length, body, padded to 8. Anything malformed leaves
    // the header's version as the answer, as Open vSwitch does.
    while (r.remaining() >= 4) {
        Reader peek = r;
        uint16_t type = peek.u16();
        uint16_t len = peek.u16();
        size_t padded = (size_t(len) + 7) / 8 * 8;
        if (len < 4 || !r.has(padded)) break;
        auto elem = r.bytes(padded).first(len);
        if (type != kHelloElemVersionBitmap || len < 8 || (len - 4) % 4) continue;
        // Only the first 32-bit word matters: versions above 31 do not exist.
        uint32_t bitmap = Reader(elem.subspan(4)).u32() & ~1u;
        if (bitmap) versions = bitmap;
    }
    return versions;
}

Bytes encode_hello(uint32_t versions, uint32_t xid) {
    versions &= ~1u;
    uint8_t top = 1;
    for (uint8_t v = 31; v > 0; v--) {
        if (versions & (1u << v)) {
            top = v;
            break;
        }
    }
    Bytes b = start_msg(top, kOfptHello, xid);
    if (versions & (versions - 1)) {
        Writer w(b);
        w.u16(kHelloElemVersionBitmap);
        w.u16(8);
        w.u32(versions);
    }
    finish_msg(b);
    return b;
}

Bytes encode_echo_reply(std::span<const uint8_t> request) {
    OfpHeader h = ofp_header(request);
    size_t len = std::min<size_t>(std::max<size_t>(h.length, kOfpHeaderLen), request.size());
    Bytes b = start_msg(h.version, kOfptEchoReply, h.xid);
    if (len > kOfpHeaderLen) b.insert(b.end(), request.begin() + kOfpHeaderLen, request.begin() + len);
    finish_msg(b);
    return b;
}

Bytes encode_error(uint8_t version, OfpErr err, std::span<const uint8_t> request, uint32_t xid) {
    if (version < V10 || version > V15) version = V10;
    OfpErrorCode c = ofp_error_encode(err, version);
    Bytes b = start_msg(version, kOfptError, xid);
    Writer w(b);
    if (!c.vendor) {
        w.u16(c.type);
        w.u16(c.code);
    } else if (version <= V11) {
        w.u16(kNxetVendor);
        w.u16(0);  // NXVC_VENDOR_ERROR
        w.u32(c.vendor);
        w.u16(c.type);
        w.u16(c.code);
    } else {
        w.u16(kOfpetExperimenter);
        w.u16(c.type);
        w.u32(c.vendor);
    }
    w.bytes(request.first(std::min(request.size(), size_t(UINT16_MAX) - b.size())));
    finish_msg(b);
    return b;
}

std::variant<OfpErrorMsg, OfpError> decode_error_msg(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::Error});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpErrorMsg m;
    m.type = r.u16();
    m.code = r.u16();
    if (m.type == kNxetVendor && m.code == 0 && r.has(8)) {
        m.vendor = r.u32();
        m.type = r.u16();
        m.code = r.u16();
    } else if (m.type == kOfpetExperimenter && r.has(4)) {
        m.vendor = r.u32();
        m.type = m.code;
        m.code = 0;
    }
    if (!r.ok()) return bad_len("error message truncated");
    m.err = ofp_error_decode(info.version, m.vendor, m.type, m.code);
    auto rest = r.rest();
    m.data.assign(rest.begin(), rest.end());
    return m;
}

Bytes encode_barrier_reply(uint8_t version, uint32_t xid) {
    Bytes b = start_msg(version, version == V10 ? kOfpt10BarrierReply : kOfpt11BarrierReply, xid);
    finish_msg(b);
    return b;
}

// ---- Features, config, ports --------------------------------------------------

Bytes encode_features_reply(uint8_t version, uint32_t xid, const OfpFeatures& f) {
    // Capability bits defined by each version (see OfpFeatures).
    uint32_t caps_mask = version == V10   ? 0xe7
                         : version == V11 ? 0xef
                         : version <= V13 ? 0x16f
                                          : 0x76f;
    Bytes b = start_msg(version, kOfptFeaturesReply, xid);
    Writer w(b);
    w.u64(f.datapath_id);
    w.u32(f.n_buffers);
    w.u8(f.n_tables);
    w.u8(version >= V13 ? f.auxiliary_id : 0);
    w.zeros(2);
    w.u32(f.capabilities & caps_mask);
    // 1.0: the actions we support (every OFPAT10_* 0..11); later: reserved.
    w.u32(version == V10 ? 0xfff : 0);
    if (version <= V12) {
        for (const auto& p : f.ports) put_port(w, version, p);
    }
    finish_msg(b);
    return b;
}

std::variant<OfpSwitchConfig, OfpError> decode_set_config(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::SetConfig, Raw::GetConfigReply});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpSwitchConfig c;
    c.flags = r.u16();
    c.miss_send_len = r.u16();
    constexpr uint16_t kFragMask = 3, kInvalidTtlToController = 4;
    uint16_t valid = kFragMask | (info.version >= V11 && info.version <= V12 ? kInvalidTtlToController : 0);
    if (c.flags & ~valid) return make_error(OfpErr::OFPSCFC_BAD_FLAGS, "unknown switch config flags");
    return c;
}

Bytes encode_get_config_reply(uint8_t version, uint32_t xid, const OfpSwitchConfig& c) {
    Bytes b = start_msg(version, kOfptGetConfigReply, xid);
    Writer w(b);
    uint16_t valid = 3 | (version >= V11 && version <= V12 ? 4 : 0);
    w.u16(c.flags & valid);
    w.u16(c.miss_send_len);
    finish_msg(b);
    return b;
}

Bytes encode_port_status(uint8_t version, uint8_t reason, const OfpPortInfo& port) {
    Bytes b = start_msg(version, kOfptPortStatus, 0);
    Writer w(b);
    w.u8(reason);
    w.zeros(7);
    put_port(w, version, port);
    finish_msg(b);
    return b;
}

std::variant<OfpPortMod, OfpError> decode_port_mod(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::PortMod10, Raw::PortMod11, Raw::PortMod14});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpPortMod pm;
    if (info.raw == Raw::PortMod10) {
        pm.port_no = r.u16();
        pm.hw_addr = r.eth();
        pm.config = r.u32() & kOfppc10All;
        pm.mask = r.u32() & kOfppc10All;
        pm.advertise = features_from_ofp10(r.u32());
    } else {
        auto port = port_from_ofp11(r.u32());
        if (!port) return make_error(OfpErr::OFPPMFC_BAD_PORT, "port number out of range");
        pm.port_no = *port;
        r.skip(4);
        pm.hw_addr = r.eth();
        r.skip(2);
        pm.config = r.u32() & kOfppc11All;
        pm.mask = r.u32() & kOfppc11All;
        if (info.raw == Raw::PortMod11) {
            pm.advertise = r.u32() & kOfppf11All;
        } else {
            // Properties: OFPPMPT_ETHERNET carries 'advertise'.
            while (r.ok() && r.remaining()) {
                Prop p;
                if (auto e = pull_prop(r, &p)) return *e;
                if (p.type != 0) return make_error(OfpErr::OFPBPC_BAD_TYPE, "unknown port mod property");
                auto adv = prop_u32(p);
                if (!adv) return make_error(OfpErr::OFPBPC_BAD_LEN, "port mod ethernet property length");
                pm.advertise = *adv & kOfppf11All;
            }
        }
    }
    if (!r.ok()) return bad_len("port mod truncated");
    pm.config &= pm.mask;
    return pm;
}

// ---- Role, async, NX controls ---------------------------------------------------

namespace {

constexpr uint32_t kOfpcrRoleNoChange = 0, kOfpcrRoleEqual = 1, kOfpcrRolePrimary = 2, kOfpcrRoleSecondary = 3;

}  // namespace

std::variant<OfpRoleRequest, OfpError> decode_role_request(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::RoleRequest12, Raw::NxRoleRequest});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpRoleRequest rr;
    uint32_t role = r.u32();
    if (info.raw == Raw::NxRoleRequest) {
        // NX_ROLE_OTHER 0, PRIMARY 1, SECONDARY 2: OpenFlow 1.2's numbers minus one.
        if (role > 2) return make_error(OfpErr::OFPRRFC_BAD_ROLE, "bad NX role " + std::to_string(role));
        role += 1;
        rr.nx = true;
    } else {
        if (role > kOfpcrRoleSecondary) return make_error(OfpErr::OFPRRFC_BAD_ROLE, "bad role " + std::to_string(role));
        r.skip(4);
        rr.generation_id = r.u64();
        // "No change" carries no generation id worth comparing.
        rr.has_generation = role != kOfpcrRoleNoChange;
        if (!rr.has_generation) rr.generation_id = 0;
    }
    rr.role = role == kOfpcrRoleEqual     ? OfpRole::Equal
              : role == kOfpcrRolePrimary ? OfpRole::Primary
              : role == kOfpcrRoleSecondary ? OfpRole::Secondary
                                            : OfpRole::NoChange;
    return rr;
}

Bytes encode_role_reply(std::span<const uint8_t> request, OfpRole role, uint64_t generation_id) {
    OfpHeader h = ofp_header(request);
    uint32_t wire_role = role == OfpRole::Equal       ? kOfpcrRoleEqual
                         : role == OfpRole::Primary   ? kOfpcrRolePrimary
                         : role == OfpRole::Secondary ? kOfpcrRoleSecondary
                                                      : kOfpcrRoleNoChange;
    bool nx = h.type == kOfptVendor;
    if (nx) {
        Bytes b = start_nxt(h.version, kNxtRoleReply, h.xid);
        Writer(b).u32(wire_role ? wire_role - 1 : 0);
        finish_msg(b);
        return b;
    }
    Bytes b = start_msg(h.version, kOfptRoleReply, h.xid);
    Writer w(b);
    w.u32(wire_role);
    w.zeros(4);
    w.u64(generation_id);
    finish_msg(b);
    return b;
}

std::variant<uint32_t, OfpError> decode_nx_u32_control(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::NxSetFlowFormat, Raw::NxSetPacketInFormat, Raw::NxFlowModTableId,
                                 Raw::NxSetControllerId, Raw::NxCtFlushZone});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    switch (info.raw) {
        case Raw::NxSetFlowFormat: {
            uint32_t fmt = r.u32();
            if (fmt != 0 && fmt != 2) return make_error(OfpErr::OFPBRC_EPERM, "unknown flow format");
            return fmt;
        }
        case Raw::NxSetPacketInFormat: {
            uint32_t fmt = r.u32();
            if (fmt > 2) return make_error(OfpErr::OFPBRC_EPERM, "unknown packet-in format");
            return fmt;
        }
        case Raw::NxFlowModTableId: return uint32_t(r.u8() != 0);
        default:  // controller id, ct zone: 6 zero bytes, then the 16-bit value
            r.skip(6);
            return uint32_t(r.u16());
    }
}

namespace {

// The masks of one async message kind, in OfpAsyncConfig.
enum class AsyncKind { PacketIn, PortStatus, FlowRemoved, RoleStatus, TableStatus, RequestForward };

uint32_t* async_masks(OfpAsyncConfig& c, AsyncKind k) {
    switch (k) {
        case AsyncKind::PacketIn: return c.packet_in;
        case AsyncKind::PortStatus: return c.port_status;
        case AsyncKind::FlowRemoved: return c.flow_removed;
        case AsyncKind::RoleStatus: return c.role_status;
        case AsyncKind::TableStatus: return c.table_status;
        case AsyncKind::RequestForward: return c.requestforward;
    }
    return c.packet_in;
}

// The reasons each kind may carry: 1.4 added packet-in reasons
// (ACTION_SET, GROUP, PACKET_OUT); the others do not vary.
uint32_t async_allowed(AsyncKind k, uint8_t version) {
    switch (k) {
        case AsyncKind::PacketIn: return version >= V14 ? 0x3f : 0x7;
        case AsyncKind::PortStatus: return 0x7;
        case AsyncKind::FlowRemoved: return 0x3f;  // up to OFPRR_EVICTION
        case AsyncKind::RoleStatus: return 0x7;
        case AsyncKind::TableStatus: return 0x18;  // VACANCY_DOWN 3, VACANCY_UP 4
        case AsyncKind::RequestForward: return 0x3;
    }
    return 0;
}

// Property types of the 1.4 form: secondary is even, primary the next odd.
constexpr AsyncKind kAsyncByProp[] = {AsyncKind::PacketIn,    AsyncKind::PortStatus,  AsyncKind::FlowRemoved,
                                      AsyncKind::RoleStatus,  AsyncKind::TableStatus, AsyncKind::RequestForward};

void decode_legacy_masks(Reader& r, AsyncKind k, uint8_t version, OfpAsyncConfig& c) {
    uint32_t* m = async_masks(c, k);
    m[0] = r.u32() & async_allowed(k, version);
    m[1] = r.u32() & async_allowed(k, version);
}

}  // namespace

std::variant<OfpAsyncConfig, OfpError> decode_set_async(std::span<const uint8_t> msg, const OfpAsyncConfig& current) {
    auto res = classify_as(msg, {Raw::SetAsync13, Raw::SetAsync14, Raw::NxSetAsyncConfig, Raw::NxSetAsyncConfig2});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpAsyncConfig c = current;
    if (info.raw == Raw::SetAsync13 || info.raw == Raw::NxSetAsyncConfig) {
        decode_legacy_masks(r, AsyncKind::PacketIn, info.version, c);
        decode_legacy_masks(r, AsyncKind::PortStatus, info.version, c);
        decode_legacy_masks(r, AsyncKind::FlowRemoved, info.version, c);
        return c;
    }
    while (r.ok() && r.remaining()) {
        Prop p;
        // 0xfffe and 0xffff are experimenter properties (secondary, primary).
        if (auto e = pull_prop(r, &p, 0xfffe)) return *e;
        if (p.type >= 2 * std::size(kAsyncByProp)) {
            return make_error(OfpErr::OFPACFC_UNSUPPORTED, "unknown async config property " + std::to_string(p.type));
        }
        AsyncKind k = kAsyncByProp[p.type / 2];
        auto mask = prop_u32(p);
        if (!mask) return make_error(OfpErr::OFPBPC_BAD_LEN, "async config property length");
        if (*mask & ~async_allowed(k, info.version)) {
            return make_error(OfpErr::OFPACFC_INVALID, "async config mask with reasons the version lacks");
        }
        async_masks(c, k)[p.type % 2 ? 0 : 1] = *mask;
    }
    return c;
}

Bytes encode_get_async_reply(std::span<const uint8_t> request, const OfpAsyncConfig& c) {
    OfpHeader h = ofp_header(request);
    OfpAsyncConfig cc = c;
    Bytes b = start_msg(h.version, kOfptGetAsyncReply, h.xid);
    Writer w(b);
    if (h.version < V14) {
        for (AsyncKind k : {AsyncKind::PacketIn, AsyncKind::PortStatus, AsyncKind::FlowRemoved}) {
            const uint32_t* m = async_masks(cc, k);
            w.u32(m[0] & async_allowed(k, h.version));
            w.u32(m[1] & async_allowed(k, h.version));
        }
    } else {
        for (size_t i = 0; i < std::size(kAsyncByProp); i++) {
            AsyncKind k = kAsyncByProp[i];
            const uint32_t* m = async_masks(cc, k);
            put_prop_u32(w, uint16_t(2 * i), m[1] & async_allowed(k, h.version));
            put_prop_u32(w, uint16_t(2 * i + 1), m[0] & async_allowed(k, h.version));
        }
    }
    finish_msg(b);
    return b;
}

}  // namespace xvs::ofproto
