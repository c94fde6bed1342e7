// Multipart (statistics) replies that need no match or action codec:
// description, port description, table and port statistics, aggregate
// statistics, and empty replies; and the port-selecting requests.
#include <algorithm>

#include "ofproto/ofp_msgs.h"
#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

Bytes encode_desc_reply(std::span<const uint8_t> request, const OfpDesc& d) {
    auto res = classify_as(request, {Raw::DescRequest});
    if (std::holds_alternative<OfpError>(res)) return {};
    Bytes b = stats_reply_header(std::get<MsgInfo>(res));
    Writer w(b);
    w.str(d.mfr_desc, 256);
    w.str(d.hw_desc, 256);
    w.str(d.sw_desc, 256);
    w.str(d.serial_num, 32);
    w.str(d.dp_desc, 256);
    finish_msg(b);
    return b;
}

std::vector<Bytes> encode_port_desc_reply(std::span<const uint8_t> request, const std::vector<OfpPortInfo>& ports) {
    return multipart_reply_of(request, {Raw::PortDescRequest10, Raw::PortDescRequest15}, ports, put_port);
}

namespace {

void put_table_stats(Writer& w, uint8_t version, const OfpTableStats& t) {
    switch (version) {
        case kOfp10:
            w.u8(t.table_id);
            w.zeros(3);
            w.str(t.name, 32);
            w.u32(0x3fffff);  // every OFPFW10_* wildcard
            w.u32(t.max_entries);
            w.u32(t.active_count);
            w.u64(t.lookup_count);
            w.u64(t.matched_count);
            break;
        case kOfp11: {
            // OFPFMF11_*: every field but MPLS and "type" (bits 8-10).
            constexpr uint32_t kFields = 0xf8ff;
            w.u8(t.table_id);
            w.zeros(7);
            w.str(t.name, 32);
            w.u32(kFields);        // wildcards
            w.u32(kFields);        // match
            w.u32(0x3e);           // instructions: goto, write_metadata, write/apply/clear actions
            w.u32(0);              // write_actions, apply_actions: not described
            w.u32(0);
            w.u32(0);              // config: table miss goes to the controller (OFPTC11_TABLE_MISS_CONTROLLER)
            w.u32(t.max_entries);
            w.u32(t.active_count);
            w.u64(t.lookup_count);
            w.u64(t.matched_count);
            break;
        }
        case kOfp12: {
            // Bitmaps of OXM basic field numbers: every field but MPLS,
            // PBB and IPv6 extension headers (fields 34-36, 37-39).
            constexpr uint64_t kOxm = (uint64_t(1) << 34) - 1;
            w.u8(t.table_id);
            w.zeros(7);
            w.str(t.name, 32);
            w.u64(kOxm);           // match
            w.u64(kOxm);           // wildcards
            w.u32(0);              // write_actions, apply_actions: not described
            w.u32(0);
            w.u64(kOxm);           // write_setfields
            w.u64(kOxm);           // apply_setfields
            w.u64(UINT64_MAX);     // metadata_match
            w.u64(UINT64_MAX);     // metadata_write
            w.u32(0x3e);           // instructions
            w.u32(0);              // config: table miss goes to the controller
            w.u32(t.max_entries);
            w.u32(t.active_count);
            w.u64(t.lookup_count);
            w.u64(t.matched_count);
            break;
        }
        default:
            w.u8(t.table_id);
            w.zeros(3);
            w.u32(t.active_count);
            w.u64(t.lookup_count);
            w.u64(t.matched_count);
            break;
    }
}

}  // namespace

std::vector<Bytes> encode_table_stats_reply(std::span<const uint8_t> request, const std::vector<OfpTableStats>& t) {
    return multipart_reply_of(request, {Raw::TableStatsRequest}, t, put_table_stats);
}

std::variant<uint32_t, OfpError> decode_port_stats_request(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::PortStatsRequest10, Raw::PortStatsRequest11, Raw::PortDescRequest10,
                                 Raw::PortDescRequest15, Raw::QueueStatsRequest10, Raw::QueueStatsRequest11,
                                 Raw::QueueDescRequest, Raw::QueueGetConfigRequest10, Raw::QueueGetConfigRequest11});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    switch (info.raw) {
        case Raw::PortDescRequest10: return kOfppAny32;
        case Raw::PortStatsRequest10:
        case Raw::QueueStatsRequest10:
        case Raw::QueueGetConfigRequest10: return any_if_none(r.u16());
        default: {
            uint32_t wire = r.u32();
            auto port = port_from_ofp11(wire);
            if (!port) return make_error(OfpErr::OFPBAC_BAD_OUT_PORT, "port " + std::to_string(wire) + " out of range");
            return any_if_none(*port);
        }
    }
}

namespace {

void put_port_stats(Writer& w, uint8_t version, const OfpPortStats& p) {
    if (version >= kOfp14) {
        constexpr uint16_t kEntryLen = 80 + 40;  // fixed part + ethernet property
        w.u16(kEntryLen);
        w.zeros(2);
        w.u32(port_to_ofp11(p.port_no));
        w.u32(p.duration_sec);
        w.u32(p.duration_nsec);
    } else if (version == kOfp10) {
        w.u16(static_cast<uint16_t>(p.port_no));
        w.zeros(6);
    } else {
        w.u32(port_to_ofp11(p.port_no));
        w.zeros(4);
    }
    for (uint64_t v : {p.rx_packets, p.tx_packets, p.rx_bytes, p.tx_bytes, p.rx_dropped, p.tx_dropped, p.rx_errors,
                       p.tx_errors}) {
        w.u64(v);
    }
    if (version >= kOfp14) {
        // OFPPSPT14_ETHERNET: the error breakdown we do not keep.
        w.u16(0);
        w.u16(40);
        w.zeros(4);
    }
    for (uint64_t v : {p.rx_frame_err, p.rx_over_err, p.rx_crc_err, p.collisions}) w.u64(v);
    if (version == kOfp13) {
        w.u32(p.duration_sec);
        w.u32(p.duration_nsec);
    }
}

}  // namespace

std::vector<Bytes> encode_port_stats_reply(std::span<const uint8_t> request, const std::vector<OfpPortStats>& ports) {
    return multipart_reply_of(request, {Raw::PortStatsRequest10, Raw::PortStatsRequest11}, ports, put_port_stats);
}

std::vector<Bytes> encode_aggregate_reply(std::span<const uint8_t> request, uint64_t packets, uint64_t bytes,
                                          uint32_t flows) {
    auto res = classify_as(request, {Raw::AggregateRequest10, Raw::AggregateRequest11, Raw::NxAggregateRequest});
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    Bytes b = stats_reply_header(info);
    Writer w(b);
    if (info.version >= kOfp15) {
        // OXS stats: a 4-byte header (reserved, length), then
        // flow_count, packet_count and byte_count entries, padded to 8.
        constexpr uint32_t kOxsPacketCount = 0x80020808, kOxsByteCount = 0x80020a08, kOxsFlowCount = 0x80020604;
        size_t start = w.size();
        w.u16(0);
        w.u16(0);
        w.u32(kOxsFlowCount);
        w.u32(flows);
        w.u32(kOxsPacketCount);
        w.u64(packets);
        w.u32(kOxsByteCount);
        w.u64(bytes);
        w.set_u16(start + 2, static_cast<uint16_t>(w.size() - start));
        w.pad8();
    } else {
        w.u64(packets);
        w.u64(bytes);
        w.u32(flows);
        w.zeros(4);
    }
    finish_msg(b);
    return {b};
}

Bytes encode_empty_multipart_reply(std::span<const uint8_t> request) {
    auto res = classify(request);
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    if (!info.is_stats()) return {};
    Bytes b = stats_reply_header(info);
    Writer w(b);
    switch (info.raw) {
        case Raw::NxGroupFeaturesRequest:
        case Raw::GroupFeaturesRequest12:
            // ofp12_group_features: types, capabilities, max_groups[4], actions[4].
            w.zeros(40);
            break;
        case Raw::MeterFeaturesRequest:
            // ofp13_meter_features: max_meter, band_types, capabilities,
            // max_bands, max_color, pad.
            w.zeros(16);
            break;
        default: break;
    }
    finish_msg(b);
    return b;
}

}  // namespace xvs::ofproto
