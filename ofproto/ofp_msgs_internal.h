// Internals shared by the ofp_msgs*.cpp files: a bounds-checked big-endian
// reader and writer, the table of wire message forms ("raw" types: one per
// version-specific layout, as opposed to the version-independent OfpType),
// header builders, OpenFlow 1.1+ port number mapping, properties (the
// type-length-value lists of 1.3+ messages) and the multipart reply
// splitter. Not part of the ofproto API.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "ofproto/ofp_msgs.h"

namespace xvs::ofproto::ofpwire {

// ---- Reader / writer --------------------------------------------------------

// Reads big-endian fields from a span. A read past the end marks the reader
// failed (and returns zeros); callers check ok() once after a group of
// reads instead of before each one.
class Reader {
public:
    Reader() = default;
    explicit Reader(std::span<const uint8_t> data) : data_(data) {}

    bool ok() const { return ok_; }
    void fail() { ok_ = false; }
    size_t offset() const { return pos_; }
    size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
    bool has(size_t n) const { return remaining() >= n; }

    std::span<const uint8_t> bytes(size_t n) {
        if (!has(n)) {
            ok_ = false;
            return {};
        }
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }
    void skip(size_t n) { (void)bytes(n); }
    uint8_t u8() {
        auto b = bytes(1);
        return b.empty() ? 0 : b[0];
    }
    uint16_t u16() {
        auto b = bytes(2);
        return b.empty() ? 0 : uint16_t(b[0] << 8 | b[1]);
    }
    uint32_t u32() {
        auto b = bytes(4);
        return b.empty() ? 0 : uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
    }
    uint64_t u64() {
        uint64_t hi = u32();
        return hi << 32 | u32();
    }
    EthAddr eth() {
        EthAddr a{};
        auto b = bytes(6);
        if (!b.empty()) std::memcpy(a.data(), b.data(), 6);
        return a;
    }
    // A fixed-size, NUL-padded string field.
    std::string str(size_t n) {
        auto b = bytes(n);
        size_t len = 0;
        while (len < b.size() && b[len]) len++;
        return std::string(reinterpret_cast<const char*>(b.data()), len);
    }
    // Everything not read yet.
    std::span<const uint8_t> rest() { return bytes(remaining()); }
    // The next 'n' bytes as a reader of their own (failed if they are not there).
    Reader sub(size_t n) {
        Reader r(bytes(n));
        r.ok_ = ok_;
        return r;
    }

private:
    std::span<const uint8_t> data_;
    size_t pos_ = 0;
    bool ok_ = true;
};

// Appends big-endian fields to a byte vector.
class Writer {
public:
    explicit Writer(Bytes& out) : out_(out) {}

    size_t size() const { return out_.size(); }
    void u8(uint8_t v) { out_.push_back(v); }
    void u16(uint16_t v) {
        out_.push_back(v >> 8);
        out_.push_back(v & 0xff);
    }
    void u32(uint32_t v) {
        u16(v >> 16);
        u16(v & 0xffff);
    }
    void u64(uint64_t v) {
        u32(v >> 32);
        u32(v & 0xffffffff);
    }
    void zeros(size_t n) { out_.insert(out_.end(), n, 0); }
    void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void eth(const EthAddr& a) { bytes(a); }
    // A fixed-size string field: truncated to n-1 bytes, NUL padded.
    void str(std::string_view s, size_t n) {
        size_t len = std::min(s.size(), n - 1);
        out_.insert(out_.end(), s.begin(), s.begin() + len);
        zeros(n - len);
    }
    // Zero bytes up to the next multiple of 8 (of the whole buffer, whose
    // start is 8-aligned in every OpenFlow message).
    void pad8() { zeros((8 - out_.size() % 8) % 8); }
    void set_u16(size_t ofs, uint16_t v) {
        out_.at(ofs) = v >> 8;
        out_.at(ofs + 1) = v & 0xff;
    }
    void set_u32(size_t ofs, uint32_t v) {
        set_u16(ofs, v >> 16);
        set_u16(ofs + 2, v & 0xffff);
    }

private:
    Bytes& out_;
};

// ---- Message forms ----------------------------------------------------------

// OFPT numbers that differ between versions or are needed by the encoders.
inline constexpr uint8_t kOfptHello = 0, kOfptError = 1, kOfptEchoRequest = 2, kOfptEchoReply = 3,
                         kOfptVendor = 4, kOfptFeaturesReply = 6, kOfptGetConfigReply = 8, kOfptPacketIn = 10,
                         kOfptFlowRemoved = 11, kOfptPortStatus = 12, kOfptFlowMod = 14;
inline constexpr uint8_t kOfpt10StatsRequest = 16, kOfpt10StatsReply = 17, kOfpt10BarrierReply = 19;
inline constexpr uint8_t kOfpt11StatsRequest = 18, kOfpt11StatsReply = 19, kOfpt11BarrierReply = 21;
inline constexpr uint8_t kOfptRoleReply = 25, kOfptGetAsyncReply = 27;
inline constexpr uint16_t kOfpstVendor = 0xffff;
inline constexpr uint32_t kOnfVendorId = 0x4f4e4600;  // "ONF\0": ONF extensions of OpenFlow 1.3

// NXT subtypes the encoders use.
inline constexpr uint32_t kNxtRoleReply = 11, kNxtFlowMod = 13, kNxtFlowRemoved = 14, kNxtPacketIn = 17,
                          kNxtPacketIn2 = 30;

// One wire layout of one message (OVS calls these "ofpraw").
enum class Raw : uint8_t {
    Hello, Error, EchoRequest, EchoReply, FeaturesRequest, FeaturesReply10, FeaturesReply11, FeaturesReply13,
    GetConfigRequest, GetConfigReply, SetConfig,
    PacketIn10, PacketIn11, PacketIn12, PacketIn13, NxPacketIn, NxPacketIn2,
    FlowRemoved10, FlowRemoved11, FlowRemoved15, NxFlowRemoved,
    PortStatus10, PortStatus11, PortStatus14,
    PacketOut10, PacketOut11, PacketOut15,
    FlowMod10, FlowMod11, NxFlowMod,
    NxGroupMod, GroupMod11, GroupMod15,
    PortMod10, PortMod11, PortMod14, TableMod11, TableMod14,
    BarrierRequest10, BarrierRequest11, BarrierReply10, BarrierReply11,
    QueueGetConfigRequest10, QueueGetConfigRequest11,
    RoleRequest12, NxRoleRequest, RoleReply12, NxRoleReply,
    GetAsyncRequest, SetAsync13, SetAsync14, NxSetAsyncConfig, NxSetAsyncConfig2,
    MeterMod, BundleControl14, OnfBundleControl, BundleAdd14, OnfBundleAdd,
    // Multipart requests.
    DescRequest, FlowStatsRequest10, FlowStatsRequest11, NxFlowStatsRequest,
    AggregateRequest10, AggregateRequest11, NxAggregateRequest, TableStatsRequest,
    PortStatsRequest10, PortStatsRequest11, QueueStatsRequest10, QueueStatsRequest11,
    NxGroupStatsRequest, GroupStatsRequest11, NxGroupDescRequest, GroupDescRequest11, GroupDescRequest15,
    NxGroupFeaturesRequest, GroupFeaturesRequest12, MeterStatsRequest, MeterConfigRequest, MeterFeaturesRequest,
    TableFeaturesRequest, PortDescRequest10, PortDescRequest15, TableDescRequest, QueueDescRequest,
    FlowMonitorRequest14, OnfFlowMonitorRequest, NxFlowMonitorRequest,
    // Nicira extensions.
    NxSetFlowFormat, NxFlowModTableId, NxSetPacketInFormat, NxFlowAge, NxSetControllerId, NxTlvTableMod,
    NxTlvTableRequest, NxResume, NxCtFlushZone, NxCtFlush,
};

// A classified message: what it is and where its body starts.
struct MsgInfo {
    Raw raw;
    OfpType type;
    uint8_t version;
    uint32_t xid;
    size_t hdr_len;  // OpenFlow header plus stats/vendor headers
    std::span<const uint8_t> msg;   // the whole message (header length bytes)
    std::span<const uint8_t> body() const { return msg.subspan(hdr_len); }
    bool is_stats() const;  // a multipart request
};

// Checks framing, version, type, vendor, subtype and the length against
// the form's fixed part.
std::variant<MsgInfo, OfpError> classify(std::span<const uint8_t> msg);

// classify() restricted to the forms in 'expected' (else OFPBRC_BAD_TYPE:
// the caller was handed the wrong message).
std::variant<MsgInfo, OfpError> classify_as(std::span<const uint8_t> msg, std::initializer_list<Raw> expected);

inline OfpError make_error(OfpErr e, std::string detail) { return OfpError{e, std::move(detail)}; }
inline OfpError bad_len(std::string what) { return OfpError{OfpErr::OFPBRC_BAD_LEN, std::move(what)}; }

// ---- Builders ---------------------------------------------------------------

// A message with an 8-byte header (length patched by finish_msg()).
Bytes start_msg(uint8_t version, uint8_t type, uint32_t xid);
// A Nicira vendor message: header, vendor id, subtype.
Bytes start_nxt(uint8_t version, uint32_t subtype, uint32_t xid);
// Sets the header's length; messages never exceed 65535 bytes here.
void finish_msg(Bytes& msg);
// The header of a reply to the multipart request 'req' (same version, xid,
// stats type and vendor/subtype), with flags zero.
Bytes stats_reply_header(const MsgInfo& req);

// Collects multipart reply entries into as many messages as needed, each at
// most 65535 bytes, the "more" flag set on all but the last.
class MultipartReplies {
public:
    explicit MultipartReplies(Bytes header) : header_(std::move(header)) { msgs_.push_back(header_); }
    void append(std::span<const uint8_t> entry);
    std::vector<Bytes> finish();

private:
    Bytes header_;
    std::vector<Bytes> msgs_;
};

// The reply to 'request' (one of 'expected'; else no messages) with one
// entry per item, each written by put(Writer&, version, item).
template <typename T, typename Put>
std::vector<Bytes> multipart_reply_of(std::span<const uint8_t> request, std::initializer_list<Raw> expected,
                                      const std::vector<T>& items, Put put) {
    auto res = classify_as(request, expected);
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    MultipartReplies replies(stats_reply_header(info));
    for (const auto& item : items) {
        Bytes entry;
        Writer w(entry);
        put(w, info.version, item);
        replies.append(entry);
    }
    return replies.finish();
}

// ---- Ports --------------------------------------------------------------------

inline constexpr uint32_t kOfpp11Offset = 0xffff0000;  // 1.1+ reserved ports sit this far above 1.0's
inline constexpr uint32_t kOfppAny32 = 0xffffffff;

// A 16-bit port widened (or 0xffffffff, "any") as a 1.1+ wire port.
inline uint32_t port_to_ofp11(uint32_t port) {
    return port >= kOfppMax && port <= 0xffff ? port + kOfpp11Offset : port;
}
// A 1.1+ wire port as a 16-bit port (OFPP_ANY becomes OFPP_NONE), or nothing
// for the unusable range 0xff00..0xfffffeff.
inline std::optional<uint32_t> port_from_ofp11(uint32_t wire) {
    if (wire < kOfppMax) return wire;
    if (wire >= kOfppMax + kOfpp11Offset) return wire - kOfpp11Offset;
    return std::nullopt;
}
// "No port" (OFPP_NONE) as the any-port value of filters.
inline uint32_t any_if_none(uint32_t port16) { return port16 == kOfppNone ? kOfppAny32 : port16; }

// ---- Properties ---------------------------------------------------------------

// One property of a TLV list (OpenFlow 1.4 style): type, length, body,
// padded to 8 bytes. Types >= min_exp are experimenter properties.
struct Prop {
    uint16_t type = 0;
    uint32_t experimenter = 0;  // experimenter properties only
    uint32_t exp_type = 0;
    std::span<const uint8_t> whole;  // header included, unpadded
    std::span<const uint8_t> body;   // after the (experimenter) header
};
// Pulls one property; errors are OFPBPC_BAD_LEN / OFPBPC_BAD_EXPERIMENTER.
std::optional<OfpError> pull_prop(Reader& r, Prop* out, uint32_t min_exp = 0xffff);
void put_prop(Writer& w, uint16_t type, std::span<const uint8_t> value);
void put_prop_u8(Writer& w, uint16_t type, uint8_t v);
void put_prop_u32(Writer& w, uint16_t type, uint32_t v);
void put_prop_u64(Writer& w, uint16_t type, uint64_t v);  // header, 4 pad bytes, value
// Value parsers: fixed sizes as OVS checks them (u8/u32 exact, u64 after 4 pad bytes).
std::optional<uint8_t> prop_u8(const Prop& p);
std::optional<uint32_t> prop_u32(const Prop& p);
std::optional<uint64_t> prop_u64(const Prop& p);

// ---- Shared between the .cpp files -------------------------------------------

// ofp_port layouts: 1.0 (48 bytes), 1.1-1.3 (64), 1.4+ (40 + ethernet property).
void put_port(Writer& w, uint8_t version, const OfpPortInfo& p);

}  // namespace xvs::ofproto::ofpwire
