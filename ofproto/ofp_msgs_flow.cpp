// Messages that carry matches and actions: flow mods, flow statistics,
// packet in and out, flow removed. Matches go through nx_match.h (NXM, OXM,
// the OpenFlow 1.0 match), actions and instructions through ofp_actions.h;
// OpenFlow 1.1's fixed 88-byte match (OFPMT_STANDARD), which nx_match does
// not cover, is converted here.
#include <algorithm>

#include "ofproto/meta_flow.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_msgs.h"
#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace {

constexpr uint8_t V10 = kOfp10, V11 = kOfp11, V12 = kOfp12, V13 = kOfp13, V14 = kOfp14, V15 = kOfp15;

// ---- OpenFlow 1.1's fixed match ------------------------------------------------

MfValue mf_uint(uint64_t x) {
    MfValue v;
    for (int i = 0; i < 8; i++) v.b[15 - i] = uint8_t(x >> (8 * i));
    return v;
}
uint64_t mf_to_uint(const MfValue& v) {
    uint64_t x = 0;
    for (int i = 8; i < 16; i++) x = x << 8 | v.b[i];
    return x;
}
uint64_t eth_to_uint(const EthAddr& a) {
    uint64_t x = 0;
    for (uint8_t b : a) x = x << 8 | b;
    return x;
}
EthAddr uint_to_eth(uint64_t x) {
    EthAddr a{};
    for (int i = 5; i >= 0; i--, x >>= 8) a[i] = uint8_t(x);
    return a;
}

bool set_match(MfId id, uint64_t value, uint64_t mask, Match* m) {
    if (!mask) return true;
    return mf_set_match(mf_field(id), mf_uint(value), mf_uint(mask), m);
}
void get_match(MfId id, const Match& m, uint64_t* value, uint64_t* mask) {
    MfValue v, k;
    mf_get_match(mf_field(id), m, &v, &k);
    *value = mf_to_uint(v);
    *mask = mf_to_uint(k);
}

// OFPFW11_* wildcard bits and the special VLAN ids.
constexpr uint32_t kFw11InPort = 1 << 0, kFw11DlVlan = 1 << 1, kFw11DlVlanPcp = 1 << 2, kFw11DlType = 1 << 3,
                   kFw11NwTos = 1 << 4, kFw11NwProto = 1 << 5, kFw11TpSrc = 1 << 6, kFw11TpDst = 1 << 7,
                   kFw11MplsLabel = 1 << 8, kFw11MplsTc = 1 << 9;
constexpr uint16_t kVid11Any = 0xfffe, kVid11None = 0xffff;
constexpr size_t kOfp11MatchLen = 88;

std::variant<Match, OfpError> ofp11_standard_match_decode(Reader r) {
    auto bad_value = [](const char* what) { return make_error(OfpErr::OFPBMC_BAD_VALUE, what); };
    Match m;
    r.skip(4);  // type, length: checked by the caller
    uint32_t in_port = r.u32();
    uint32_t wc = r.u32();
    uint64_t dl_src = eth_to_uint(r.eth()), dl_src_mask = ~eth_to_uint(r.eth()) & 0xffffffffffff;
    uint64_t dl_dst = eth_to_uint(r.eth()), dl_dst_mask = ~eth_to_uint(r.eth()) & 0xffffffffffff;
    uint16_t dl_vlan = r.u16();
    uint8_t dl_vlan_pcp = r.u8();
    r.skip(1);
    uint16_t dl_type = r.u16();
    uint8_t nw_tos = r.u8(), nw_proto = r.u8();
    uint32_t nw_src = r.u32(), nw_src_mask = ~r.u32();
    uint32_t nw_dst = r.u32(), nw_dst_mask = ~r.u32();
    uint16_t tp_src = r.u16(), tp_dst = r.u16();
    r.skip(8);  // mpls_label, mpls_tc, pad
    uint64_t metadata = r.u64(), metadata_mask = ~r.u64();
    if (!r.ok()) return make_error(OfpErr::OFPBMC_BAD_LEN, "OpenFlow 1.1 match truncated");

    if (!(wc & kFw11InPort)) {
        auto port = port_from_ofp11(in_port);
        if (!port) return bad_value("in_port out of range");
        set_match(MfId::InPort, *port, 0xffff, &m);
    }
    if (!set_match(MfId::EthSrc, dl_src, dl_src_mask, &m) || !set_match(MfId::EthDst, dl_dst, dl_dst_mask, &m)) {
        return bad_value("bad Ethernet address mask");
    }
    if (!(wc & kFw11DlVlan)) {
        // NXM's vlan_tci view: PCP | CFI (tag present) | VID.
        uint64_t tci = 0, mask = 0xffff;
        if (dl_vlan != kVid11None) {
            if (dl_vlan == kVid11Any) {
                tci = kVlanCfi;
                mask = kVlanCfi;
            } else if (dl_vlan < 4096) {
                tci = kVlanCfi | dl_vlan;
                mask = kVlanCfi | kVlanVidMask;
            } else {
                return bad_value("bad dl_vlan");
            }
            if (!(wc & kFw11DlVlanPcp)) {
                if (dl_vlan_pcp > 7) return bad_value("bad dl_vlan_pcp");
                tci |= uint64_t(dl_vlan_pcp) << 13;
                mask |= kVlanPcpMask;
            }
        }
        set_match(MfId::VlanTci, tci, mask, &m);
    }
    if (!(wc & kFw11DlType)) set_match(MfId::EthType, dl_type, 0xffff, &m);
    bool ipv4 = !(wc & kFw11DlType) && dl_type == 0x0800;
    bool arp = !(wc & kFw11DlType) && (dl_type == 0x0806 || dl_type == 0x8035);
    if (ipv4 && !(wc & kFw11NwTos)) {
        if (nw_tos & 3) return bad_value("nw_tos with ECN bits");
        set_match(MfId::IpDscp, nw_tos, 0xff, &m);
    }
    if (ipv4 || arp) {
        if (!(wc & kFw11NwProto)) set_match(arp ? MfId::ArpOp : MfId::IpProto, nw_proto, arp ? 0xffff : 0xff, &m);
        if (!set_match(arp ? MfId::ArpSpa : MfId::Ipv4Src, nw_src, nw_src_mask, &m) ||
            !set_match(arp ? MfId::ArpTpa : MfId::Ipv4Dst, nw_dst, nw_dst_mask, &m)) {
            return bad_value("bad IPv4 address mask");
        }
    }
    if (ipv4 && !(wc & kFw11NwProto) && (wc & (kFw11TpSrc | kFw11TpDst)) != (kFw11TpSrc | kFw11TpDst)) {
        // As in Open vSwitch, ICMP type/code ride in tp_src/tp_dst, like in 1.0.
        switch (nw_proto) {
            case 1:
                if ((!(wc & kFw11TpSrc) && tp_src > 0xff) || (!(wc & kFw11TpDst) && tp_dst > 0xff)) {
                    return make_error(OfpErr::OFPBMC_BAD_FIELD, "ICMP type or code above 255");
                }
                if (!(wc & kFw11TpSrc)) set_match(MfId::IcmpType, tp_src, 0xff, &m);
                if (!(wc & kFw11TpDst)) set_match(MfId::IcmpCode, tp_dst, 0xff, &m);
                break;
            case 6:
            case 17:
            case 132: {
                MfId src = nw_proto == 6 ? MfId::TcpSrc : nw_proto == 17 ? MfId::UdpSrc : MfId::SctpSrc;
                MfId dst = nw_proto == 6 ? MfId::TcpDst : nw_proto == 17 ? MfId::UdpDst : MfId::SctpDst;
                if (!(wc & kFw11TpSrc)) set_match(src, tp_src, 0xffff, &m);
                if (!(wc & kFw11TpDst)) set_match(dst, tp_dst, 0xffff, &m);
                break;
            }
            default: break;  // OpenFlow 1.1 says to ignore them
        }
    }
    bool mpls = !(wc & kFw11DlType) && (dl_type == 0x8847 || dl_type == 0x8848);
    if (mpls && (wc & (kFw11MplsLabel | kFw11MplsTc)) != (kFw11MplsLabel | kFw11MplsTc)) {
        return make_error(OfpErr::OFPBMC_BAD_FIELD, "MPLS matches are not supported");
    }
    set_match(MfId::Metadata, metadata, metadata_mask, &m);
    return m;
}

void ofp11_standard_match_encode(const Match& m, Writer& w) {
    uint64_t v, k;
    uint32_t wc = kFw11MplsLabel | kFw11MplsTc;
    w.u16(0);  // OFPMT_STANDARD
    w.u16(kOfp11MatchLen);
    get_match(MfId::InPort, m, &v, &k);
    if (k) {
        w.u32(port_to_ofp11(uint32_t(v)));
    } else {
        wc |= kFw11InPort;
        w.u32(0);
    }
    size_t wc_ofs = w.size();
    w.u32(0);  // wildcards, below
    for (MfId id : {MfId::EthSrc, MfId::EthDst}) {
        get_match(id, m, &v, &k);
        w.eth(uint_to_eth(v));
        w.eth(uint_to_eth(~k));
    }
    get_match(MfId::VlanTci, m, &v, &k);
    uint16_t dl_vlan = 0;
    uint8_t pcp = 0;
    if (!k) {
        wc |= kFw11DlVlan | kFw11DlVlanPcp;
    } else if ((k & kVlanCfi) && !(v & kVlanCfi)) {
        dl_vlan = kVid11None;
        wc |= kFw11DlVlanPcp;
    } else {
        dl_vlan = (k & kVlanVidMask) ? uint16_t(v & kVlanVidMask) : kVid11Any;
        if (k & kVlanPcpMask) {
            pcp = uint8_t(v >> 13);
        } else {
            wc |= kFw11DlVlanPcp;
        }
    }
    w.u16(dl_vlan);
    w.u8(pcp);
    w.u8(0);
    get_match(MfId::EthType, m, &v, &k);
    uint16_t eth_type = uint16_t(v);
    if (!k) wc |= kFw11DlType;
    w.u16(eth_type);
    get_match(MfId::IpDscp, m, &v, &k);
    if (!k) wc |= kFw11NwTos;
    w.u8(uint8_t(v & 0xfc));
    get_match(MfId::IpProto, m, &v, &k);  // shares its bits with arp_op
    if (!k) wc |= kFw11NwProto;
    w.u8(uint8_t(v));
    for (MfId id : {MfId::Ipv4Src, MfId::Ipv4Dst}) {  // the same bits as arp_spa/arp_tpa
        get_match(id, m, &v, &k);
        w.u32(uint32_t(v));
        w.u32(~uint32_t(k));
    }
    // tcp_src shares its 16 bits with udp/sctp ports and the ICMP type.
    get_match(MfId::TcpSrc, m, &v, &k);
    if (!k) wc |= kFw11TpSrc;
    w.u16(uint16_t(v));
    get_match(MfId::TcpDst, m, &v, &k);
    if (!k) wc |= kFw11TpDst;
    w.u16(uint16_t(v));
    w.zeros(8);  // mpls_label, mpls_tc, pad
    get_match(MfId::Metadata, m, &v, &k);
    w.u64(v);
    w.u64(~k);
    w.set_u32(wc_ofs, wc);
}

// The ofp_match of a 1.1+ message at the front of 'r' (OFPMT_STANDARD in
// 1.1, OXM otherwise): consumes it, padding included.
std::variant<Match, OfpError> pull_ofp11_match(Reader& r, uint8_t version) {
    if (!r.has(4)) return make_error(OfpErr::OFPBMC_BAD_LEN, "match header truncated");
    Reader peek = r;
    uint16_t type = peek.u16();
    uint16_t len = peek.u16();
    if (type == 0) {
        if (len != kOfp11MatchLen || !r.has(kOfp11MatchLen)) {
            return make_error(OfpErr::OFPBMC_BAD_LEN, "OpenFlow 1.1 match of length " + std::to_string(len));
        }
        if (version != V11) return make_error(OfpErr::OFPBMC_BAD_TYPE, "OFPMT_STANDARD match outside OpenFlow 1.1");
        return ofp11_standard_match_decode(r.sub(kOfp11MatchLen));
    }
    auto rest = r.rest();
    Match m;
    auto used = ofp11_pull_match(rest, &m);
    if (!used.ok()) return used.error();
    // Give back what the match did not take.
    Reader after(rest);
    after.skip(*used);
    r = after;
    return m;
}

void put_ofp11_match(const Match& m, uint8_t version, Bytes& out) {
    if (version == V11) {
        Writer w(out);
        ofp11_standard_match_encode(m, w);
    } else {
        ofp11_put_match(m, version, &out);
    }
}

// Pulls 'match_len' bytes of NXM plus their padding.
std::variant<Match, OfpError> pull_nxm(Reader& r, size_t match_len, uint64_t* cookie, uint64_t* cookie_mask) {
    size_t padded = nx_padded_len(match_len);
    if (!r.has(padded)) return make_error(OfpErr::OFPBMC_BAD_LEN, "NXM match runs past the message");
    auto tlvs = r.bytes(padded).first(match_len);
    auto m = nx_pull_match(tlvs, cookie, cookie_mask);
    if (!m.ok()) return m.error();
    return *m;
}

// ---- Flow mod flags -----------------------------------------------------------

// The wire OFPFF_* bits of each version; 1.0's bit 2 is EMERG.
constexpr uint16_t kFf10Emerg = 1 << 2;
uint16_t ff_allowed(uint8_t version) {
    return version == V10   ? kFfSendFlowRem | kFfCheckOverlap
           : version == V11 ? kFfSendFlowRem | kFfCheckOverlap
           : version == V12 ? kFfSendFlowRem | kFfCheckOverlap | kFfResetCounts
                            : kFfSendFlowRem | kFfCheckOverlap | kFfResetCounts | kFfNoPktCounts | kFfNoBytCounts;
}

std::optional<uint16_t> decode_ff(uint16_t wire, uint8_t version) {
    uint16_t flags = 0;
    if (version == V10 && (wire & kFf10Emerg)) {
        flags |= kFfEmerg;
        wire &= ~kFf10Emerg;
    }
    if (wire & ~ff_allowed(version)) return std::nullopt;
    return flags | wire;
}

uint16_t encode_ff(uint16_t flags, uint8_t version) {
    uint16_t wire = flags & ff_allowed(version);
    if (version == V10 && (flags & kFfEmerg)) wire |= kFf10Emerg;
    return wire;
}

bool is_modify(FlowModCommand c) { return c == FlowModCommand::Modify || c == FlowModCommand::ModifyStrict; }
bool is_delete(FlowModCommand c) { return c == FlowModCommand::Delete || c == FlowModCommand::DeleteStrict; }

constexpr uint32_t kOfpfw10All = (1u << 22) - 1;  // every OpenFlow 1.0 wildcard bit

}  // namespace

// ---- Flow mod ------------------------------------------------------------------

std::variant<OfpFlowMod, OfpError> decode_flow_mod(std::span<const uint8_t> msg, bool table_id_ext) {
    auto res = classify_as(msg, {Raw::FlowMod10, Raw::FlowMod11, Raw::NxFlowMod});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpFlowMod fm;
    uint16_t raw_flags = 0;
    uint8_t version = info.version;

    if (info.raw == Raw::FlowMod11) {
        uint64_t cookie = r.u64(), cookie_mask = r.u64();
        fm.table_id = r.u8();
        uint8_t command = r.u8();
        fm.idle_timeout = r.u16();
        fm.hard_timeout = r.u16();
        fm.priority = r.u16();
        fm.buffer_id = r.u32();
        uint32_t out_port = r.u32();
        uint32_t out_group = r.u32();
        raw_flags = r.u16();
        uint16_t importance = r.u16();
        auto match = pull_ofp11_match(r, version);
        if (auto* e = std::get_if<OfpError>(&match)) return *e;
        fm.match = std::get<Match>(match);

        if (command > uint8_t(FlowModCommand::DeleteStrict)) {
            return make_error(OfpErr::OFPFMFC_BAD_COMMAND, "flow mod command " + std::to_string(command));
        }
        fm.command = FlowModCommand(command);
        // In 1.1 only, a modify that selects no cookie may add a rule: its
        // cookie is the new rule's, as for an add.
        if (fm.command == FlowModCommand::Add || (version == V11 && is_modify(fm.command) && !cookie_mask)) {
            fm.cookie = cookie;
        } else {
            fm.cookie = fm.match_cookie = cookie;
            fm.cookie_mask = cookie_mask;
        }
        // 1.1 forbids table 255; 1.2+ allows it for deletes only.
        if (fm.table_id == 0xff && (version == V11 || !is_delete(fm.command))) {
            return make_error(OfpErr::OFPFMFC_BAD_TABLE_ID, "table 255 in a flow mod");
        }
        fm.importance = version >= V14 && fm.command == FlowModCommand::Add ? importance : 0;
        auto port = port_from_ofp11(out_port);
        if (!port) return make_error(OfpErr::OFPBAC_BAD_OUT_PORT, "out_port out of range");
        fm.out_port = any_if_none(*port);
        fm.out_group = is_delete(fm.command) ? out_group : 0xffffffff;
    } else {
        uint16_t command;
        if (info.raw == Raw::FlowMod10) {
            auto match_bytes = r.bytes(kOfp10MatchLen);
            auto match = ofp10_pull_match(match_bytes);
            if (!match.ok()) return match.error();
            fm.match = *match;
            uint32_t wildcards = Reader(match_bytes).u32();
            fm.cookie = r.u64();
            command = r.u16();
            fm.idle_timeout = r.u16();
            fm.hard_timeout = r.u16();
            fm.priority = r.u16();
            // OpenFlow 1.0: a rule without wildcards has the highest priority.
            if (!(wildcards & kOfpfw10All)) fm.priority = 0xffff;
            fm.buffer_id = r.u32();
            fm.out_port = any_if_none(r.u16());
            raw_flags = r.u16();
        } else {
            fm.cookie = r.u64();
            command = r.u16();
            fm.idle_timeout = r.u16();
            fm.hard_timeout = r.u16();
            fm.priority = r.u16();
            fm.buffer_id = r.u32();
            fm.out_port = any_if_none(r.u16());
            raw_flags = r.u16();
            uint16_t match_len = r.u16();
            r.skip(6);
            auto match = pull_nxm(r, match_len, &fm.match_cookie, &fm.cookie_mask);
            if (auto* e = std::get_if<OfpError>(&match)) return *e;
            fm.match = std::get<Match>(match);
            if ((command & 0xff) == uint8_t(FlowModCommand::Add) && fm.cookie_mask) {
                return make_error(OfpErr::NXBRC_NXM_INVALID, "flow add that matches on the cookie");
            }
        }
        // All-ones means "keep the cookie" for a modify.
        fm.modify_cookie = fm.cookie != UINT64_MAX;
        if (table_id_ext) {
            fm.table_id = command >> 8;
            command &= 0xff;
        } else {
            fm.table_id = 0xff;
        }
        if (command > uint8_t(FlowModCommand::DeleteStrict)) {
            return make_error(OfpErr::OFPFMFC_BAD_COMMAND, "flow mod command " + std::to_string(command));
        }
        fm.command = FlowModCommand(command);
    }
    if (!r.ok()) return bad_len("flow mod truncated");

    if (auto e = ofpacts_pull_instructions(r.rest(), version, &fm.actions)) return *e;

    auto flags = decode_ff(raw_flags, version);
    if (!flags) return make_error(OfpErr::OFPFMFC_BAD_FLAGS, "unknown flow mod flags");
    fm.flags = *flags;
    // 1.0 and 1.1 adds always reset counters.
    if (version <= V11 && fm.command == FlowModCommand::Add) fm.flags |= kFfResetCounts;
    // No emergency flow cache (optional in 1.0, gone in 1.1): refused the
    // way Open vSwitch refuses it.
    if (fm.flags & kFfEmerg) {
        return fm.idle_timeout || fm.hard_timeout
                   ? make_error(OfpErr::OFPFMFC_BAD_EMERG_TIMEOUT, "emergency flow with a timeout")
                   : make_error(OfpErr::OFPFMFC_TABLE_FULL, "emergency flows are not supported");
    }
    if (auto e = check_actions(fm.actions, fm.match, version, kOfppMax, fm.table_id)) return *e;
    return fm;
}

Bytes encode_flow_mod(uint8_t version, bool nxm, const OfpFlowMod& fm, uint32_t xid, bool table_id_ext) {
    uint8_t command = uint8_t(fm.command);
    uint16_t wire_flags = encode_ff(fm.flags, version);
    if (version >= V11 && !nxm) {
        Bytes b = start_msg(version, kOfptFlowMod, xid);
        Writer w(b);
        bool new_cookie = fm.command == FlowModCommand::Add || (version == V11 && is_modify(fm.command) && !fm.cookie_mask);
        w.u64(new_cookie ? fm.cookie : fm.match_cookie & fm.cookie_mask);
        w.u64(fm.cookie_mask);
        w.u8(fm.table_id != 0xff || (version > V11 && is_delete(fm.command)) ? fm.table_id : 0);
        w.u8(command);
        w.u16(fm.idle_timeout);
        w.u16(fm.hard_timeout);
        w.u16(uint16_t(fm.priority));
        w.u32(fm.buffer_id);
        w.u32(port_to_ofp11(fm.out_port));
        w.u32(fm.out_group);
        w.u16(wire_flags);
        w.u16(version >= V14 && fm.command == FlowModCommand::Add ? fm.importance : 0);
        put_ofp11_match(fm.match, version, b);
        ofpacts_put_instructions(b, fm.actions, version, &fm.match);
        finish_msg(b);
        return b;
    }
    uint16_t wire_command = table_id_ext ? uint16_t(command | fm.table_id << 8) : command;
    // A modify that keeps the cookie says so with all-ones.
    uint64_t cookie = is_modify(fm.command) && !fm.modify_cookie ? UINT64_MAX : fm.cookie;
    uint16_t out_port = fm.out_port == kOfppAny32 ? kOfppNone : uint16_t(fm.out_port);
    // 1.0 and NXM share the fields after the match (1.0) or before it (NXM).
    auto put_fields = [&](Writer& w) {
        w.u64(cookie);
        w.u16(wire_command);
        w.u16(fm.idle_timeout);
        w.u16(fm.hard_timeout);
        w.u16(uint16_t(fm.priority));
        w.u32(fm.buffer_id);
        w.u16(out_port);
        w.u16(wire_flags);
    };
    if (!nxm) {
        Bytes b = start_msg(V10, kOfptFlowMod, xid);
        ofp10_put_match(fm.match, &b);
        Writer w(b);
        put_fields(w);
        ofpacts_put_instructions(b, fm.actions, V10, &fm.match);
        finish_msg(b);
        return b;
    }
    Bytes b = start_nxt(version, kNxtFlowMod, xid);
    Writer w(b);
    put_fields(w);
    size_t match_len_ofs = w.size();
    w.u16(0);
    w.zeros(6);
    size_t match_len = nx_put_match(fm.match, &b, fm.match_cookie, fm.cookie_mask);
    w.set_u16(match_len_ofs, uint16_t(match_len));
    ofpacts_put_instructions(b, fm.actions, version, &fm.match);
    finish_msg(b);
    return b;
}

// ---- Packet out ------------------------------------------------------------------

std::variant<OfpPacketOut, OfpError> decode_packet_out(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::PacketOut10, Raw::PacketOut11, Raw::PacketOut15});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpPacketOut po;
    po.buffer_id = r.u32();
    uint16_t actions_len = 0;
    switch (info.raw) {
        case Raw::PacketOut10:
            po.in_port = r.u16();
            actions_len = r.u16();
            break;
        case Raw::PacketOut11: {
            auto port = port_from_ofp11(r.u32());
            if (!port) return make_error(OfpErr::OFPBAC_BAD_OUT_PORT, "packet-out in_port out of range");
            po.in_port = *port;
            actions_len = r.u16();
            r.skip(6);
            break;
        }
        default: {
            actions_len = r.u16();
            r.skip(2);
            auto match = pull_ofp11_match(r, info.version);
            if (auto* e = std::get_if<OfpError>(&match)) return *e;
            po.metadata = std::get<Match>(match);
            // The in_port is required in the match.
            uint64_t v, k;
            get_match(MfId::InPort, po.metadata, &v, &k);
            if (!k) return make_error(OfpErr::OFPBRC_BAD_PORT, "packet-out match without in_port");
            po.in_port = uint32_t(v);
            break;
        }
    }
    if (!r.ok()) return bad_len("packet-out truncated");
    if (po.in_port >= kOfppMax && po.in_port != kOfppLocal && po.in_port != kOfppNone &&
        po.in_port != kOfppController) {
        return make_error(OfpErr::OFPBRC_BAD_PORT, "packet-out from reserved port " + std::to_string(po.in_port));
    }
    if (!r.has(actions_len)) return bad_len("packet-out actions run past the message");
    if (auto e = ofpacts_pull(r.bytes(actions_len), info.version, &po.actions)) return *e;
    auto data = r.rest();
    if (po.buffer_id == UINT32_MAX) po.packet.assign(data.begin(), data.end());
    return po;
}

Bytes encode_packet_out(uint8_t version, const OfpPacketOut& po, uint32_t xid) {
    constexpr uint8_t kOfptPacketOut = 13;
    Bytes b = start_msg(version, kOfptPacketOut, xid);
    Writer w(b);
    w.u32(po.buffer_id);
    size_t len_ofs;
    if (version == V10) {
        w.u16(uint16_t(po.in_port));
        len_ofs = w.size();
        w.u16(0);
    } else if (version <= V14) {
        w.u32(port_to_ofp11(po.in_port));
        len_ofs = w.size();
        w.u16(0);
        w.zeros(6);
    } else {
        len_ofs = w.size();
        w.u16(0);
        w.zeros(2);
        Match m = po.metadata;
        set_match(MfId::InPort, po.in_port, 0xffff, &m);
        put_ofp11_match(m, version, b);
    }
    size_t start = b.size();
    ofpacts_put(b, po.actions, version);
    w.set_u16(len_ofs, uint16_t(b.size() - start));
    if (po.buffer_id == UINT32_MAX) w.bytes(po.packet);
    finish_msg(b);
    return b;
}

// ---- Packet in ---------------------------------------------------------------------

namespace {

// Reasons 1.4 added (ACTION_SET, GROUP, PACKET_OUT) are ACTION before it.
uint8_t packet_in_reason(uint8_t reason, uint8_t version) {
    return reason >= 3 && version < V14 ? 1 : reason;
}

enum NxPacketIn2Prop : uint16_t {
    kNxpintPacket = 0, kNxpintFullLen = 1, kNxpintBufferId = 2, kNxpintTableId = 3, kNxpintCookie = 4,
    kNxpintReason = 5, kNxpintMetadata = 6, kNxpintUserdata = 7,
};

}  // namespace

namespace {

// The packet-in with 'data' (all of pi.packet, or less when that would not
// fit in a message).
Bytes build_packet_in(uint8_t version, PacketInFormat fmt, const OfpPacketIn& pi, std::span<const uint8_t> data,
                      uint32_t xid) {
    uint64_t in_port, mask;
    get_match(MfId::InPort, pi.metadata, &in_port, &mask);
    uint32_t total_len = std::max<uint32_t>(pi.total_len, uint32_t(pi.packet.size()));
    uint8_t reason = packet_in_reason(pi.reason, version);
    Bytes b;
    if (fmt == PacketInFormat::Nxt2) {
        b = start_nxt(version, kNxtPacketIn2, xid);
        Writer w(b);
        put_prop(w, kNxpintPacket, data);
        if (total_len != data.size()) put_prop_u32(w, kNxpintFullLen, total_len);
        if (pi.buffer_id != UINT32_MAX) put_prop_u32(w, kNxpintBufferId, pi.buffer_id);
        put_prop_u8(w, kNxpintTableId, pi.table_id);
        if (pi.cookie != UINT64_MAX) put_prop_u64(w, kNxpintCookie, pi.cookie);
        put_prop_u8(w, kNxpintReason, reason);
        // Metadata: bare OXM entries (NXM before 1.2, which has no OXM).
        Bytes tlvs;
        if (version >= V12) {
            oxm_put_tlvs(pi.metadata, version, &tlvs);
        } else {
            tlvs.resize(nx_put_match(pi.metadata, &tlvs));
        }
        put_prop(w, kNxpintMetadata, tlvs);
        if (!pi.userdata.empty()) put_prop(w, kNxpintUserdata, pi.userdata);
        finish_msg(b);
        return b;
    }
    if (fmt == PacketInFormat::Nxt) {
        b = start_nxt(version, kNxtPacketIn, xid);
        Writer w(b);
        w.u32(pi.buffer_id);
        w.u16(uint16_t(std::min<uint32_t>(total_len, UINT16_MAX)));
        w.u8(reason);
        w.u8(pi.table_id);
        w.u64(pi.cookie);
        size_t match_len_ofs = w.size();
        w.u16(0);
        w.zeros(6);
        w.set_u16(match_len_ofs, uint16_t(nx_put_match(pi.metadata, &b)));
        w.zeros(2);  // aligns the packet's L3 header
    } else if (version == V10) {
        b = start_msg(version, kOfptPacketIn, xid);
        Writer w(b);
        w.u32(pi.buffer_id);
        w.u16(uint16_t(std::min<uint32_t>(total_len, UINT16_MAX)));
        w.u16(uint16_t(in_port));
        w.u8(reason);
        w.u8(0);
    } else if (version == V11) {
        b = start_msg(version, kOfptPacketIn, xid);
        Writer w(b);
        w.u32(pi.buffer_id);
        w.u32(port_to_ofp11(uint32_t(in_port)));
        w.u32(port_to_ofp11(uint32_t(in_port)));  // in_phy_port
        w.u16(uint16_t(std::min<uint32_t>(total_len, UINT16_MAX)));
        w.u8(reason);
        w.u8(pi.table_id);
    } else {
        b = start_msg(version, kOfptPacketIn, xid);
        Writer w(b);
        w.u32(pi.buffer_id);
        w.u16(uint16_t(std::min<uint32_t>(total_len, UINT16_MAX)));
        w.u8(reason);
        w.u8(pi.table_id);
        if (version >= V13) w.u64(pi.cookie);
        ofp11_put_match(pi.metadata, version, &b);
        w.zeros(2);
    }
    Writer(b).bytes(data);
    finish_msg(b);
    return b;
}

}  // namespace

Bytes encode_packet_in(uint8_t version, PacketInFormat fmt, const OfpPacketIn& pi, uint32_t xid) {
    std::span<const uint8_t> data = pi.packet;
    Bytes b = build_packet_in(version, fmt, pi, data, xid);
    // Too big for one message: send less of the packet (total_len still
    // says how long it was). Cut in 8-byte steps so that property padding
    // cannot bring it back over; a second round covers NXT_PACKET_IN2's
    // full_len property, which appears once the packet is cut.
    while (b.size() > UINT16_MAX && !data.empty()) {
        size_t excess = (b.size() - UINT16_MAX + 7) / 8 * 8;
        data = data.first(data.size() > excess ? data.size() - excess : 0);
        b = build_packet_in(version, fmt, pi, data, xid);
    }
    return b;
}


// ---- Flow removed ------------------------------------------------------------------

namespace {

// OXS statistics of 1.5 (ofp15 flow removed, flow desc): reserved, length,
// entries, padding to 8.
void put_oxs(Writer& w, uint32_t duration_sec, uint32_t duration_nsec, std::optional<uint32_t> idle_age,
             uint64_t packets, uint64_t bytes) {
    constexpr uint32_t kOxsDuration = 0x80020008, kOxsIdleTime = 0x80020208, kOxsPacketCount = 0x80020808,
                       kOxsByteCount = 0x80020a08;
    size_t start = w.size();
    w.u32(0);
    w.u32(kOxsDuration);
    w.u32(duration_sec);
    w.u32(duration_nsec);
    if (idle_age) {
        w.u32(kOxsIdleTime);
        w.u32(*idle_age);
        w.u32(0);
    }
    w.u32(kOxsPacketCount);
    w.u64(packets);
    w.u32(kOxsByteCount);
    w.u64(bytes);
    w.set_u16(start + 2, uint16_t(w.size() - start));
    w.pad8();
}

}  // namespace

Bytes encode_flow_removed(uint8_t version, bool nxm, const OfpFlowRemoved& fr, uint32_t xid) {
    constexpr uint8_t kOfprrDelete = 2, kOfprrMeterDelete = 4;
    uint8_t reason = fr.reason == kOfprrMeterDelete && version < V14 ? kOfprrDelete : fr.reason;
    Bytes b;
    if (nxm) {
        b = start_nxt(version, kNxtFlowRemoved, xid);
        Writer w(b);
        w.u64(fr.cookie);
        w.u16(uint16_t(fr.priority));
        w.u8(reason);
        w.u8(uint8_t(fr.table_id + 1));  // 0 meant "unknown" to older controllers
        w.u32(fr.duration_sec);
        w.u32(fr.duration_nsec);
        w.u16(fr.idle_timeout);
        size_t match_len_ofs = w.size();
        w.u16(0);
        w.u64(fr.packet_count);
        w.u64(fr.byte_count);
        w.set_u16(match_len_ofs, uint16_t(nx_put_match(fr.match, &b)));
    } else if (version == V10) {
        b = start_msg(version, kOfptFlowRemoved, xid);
        ofp10_put_match(fr.match, &b);
        Writer w(b);
        w.u64(fr.cookie);
        w.u16(uint16_t(fr.priority));
        w.u8(reason);
        w.u8(0);
        w.u32(fr.duration_sec);
        w.u32(fr.duration_nsec);
        w.u16(fr.idle_timeout);
        w.zeros(2);
        w.u64(fr.packet_count);
        w.u64(fr.byte_count);
    } else if (version <= V14) {
        b = start_msg(version, kOfptFlowRemoved, xid);
        Writer w(b);
        w.u64(fr.cookie);
        w.u16(uint16_t(fr.priority));
        w.u8(reason);
        w.u8(fr.table_id);
        w.u32(fr.duration_sec);
        w.u32(fr.duration_nsec);
        w.u16(fr.idle_timeout);
        w.u16(fr.hard_timeout);
        w.u64(fr.packet_count);
        w.u64(fr.byte_count);
        put_ofp11_match(fr.match, version, b);
    } else {
        b = start_msg(version, kOfptFlowRemoved, xid);
        Writer w(b);
        w.u8(fr.table_id);
        w.u8(reason);
        w.u16(uint16_t(fr.priority));
        w.u16(fr.idle_timeout);
        w.u16(fr.hard_timeout);
        w.u64(fr.cookie);
        put_ofp11_match(fr.match, version, b);
        put_oxs(w, fr.duration_sec, fr.duration_nsec, std::nullopt, fr.packet_count, fr.byte_count);
    }
    finish_msg(b);
    return b;
}

// ---- Flow statistics -----------------------------------------------------------------

std::variant<OfpFlowStatsRequest, OfpError> decode_flow_stats_request(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::FlowStatsRequest10, Raw::FlowStatsRequest11, Raw::NxFlowStatsRequest,
                                 Raw::AggregateRequest10, Raw::AggregateRequest11, Raw::NxAggregateRequest});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpFlowStatsRequest req;
    req.aggregate = info.type == OfpType::AggregateRequest;
    switch (info.raw) {
        case Raw::FlowStatsRequest10:
        case Raw::AggregateRequest10: {
            auto match = ofp10_pull_match(r.bytes(kOfp10MatchLen));
            if (!match.ok()) return match.error();
            req.match = *match;
            req.table_id = r.u8();
            r.skip(1);
            req.out_port = any_if_none(r.u16());
            break;
        }
        case Raw::NxFlowStatsRequest:
        case Raw::NxAggregateRequest: {
            req.out_port = any_if_none(r.u16());
            uint16_t match_len = r.u16();
            req.table_id = r.u8();
            r.skip(3);
            auto match = pull_nxm(r, match_len, &req.cookie, &req.cookie_mask);
            if (auto* e = std::get_if<OfpError>(&match)) return *e;
            req.match = std::get<Match>(match);
            if (r.remaining()) return bad_len("bytes after the NXST request's match");
            break;
        }
        default: {
            req.table_id = r.u8();
            r.skip(3);
            auto port = port_from_ofp11(r.u32());
            if (!port) return make_error(OfpErr::OFPBAC_BAD_OUT_PORT, "out_port out of range");
            req.out_port = any_if_none(*port);
            req.out_group = r.u32();
            r.skip(4);
            req.cookie = r.u64();
            req.cookie_mask = r.u64();
            // 1.5 aggregate requests end with an OXS stats request we need not read.
            auto match = pull_ofp11_match(r, info.version);
            if (auto* e = std::get_if<OfpError>(&match)) return *e;
            req.match = std::get<Match>(match);
            break;
        }
    }
    if (!r.ok()) return bad_len("flow stats request truncated");
    return req;
}

namespace {

// One reply entry for 'raw' (the request's form) in 'version'.
Bytes flow_stats_entry(Raw raw, uint8_t version, const OfpFlowStats& fs) {
    Bytes e;
    Writer w(e);
    auto age = [](uint32_t secs) { return uint16_t(std::min<uint32_t>(secs, UINT16_MAX - 1) + 1); };
    if (raw == Raw::FlowStatsRequest10) {
        w.u16(0);  // length
        w.u8(fs.table_id);
        w.u8(0);
        ofp10_put_match(fs.match, &e);
        w.u32(fs.duration_sec);
        w.u32(fs.duration_nsec);
        w.u16(uint16_t(fs.priority));
        w.u16(fs.idle_timeout);
        w.u16(fs.hard_timeout);
        w.zeros(6);
        w.u64(fs.cookie);
        w.u64(fs.packet_count);
        w.u64(fs.byte_count);
        ofpacts_put(e, fs.actions, version, &fs.match);
    } else if (raw == Raw::NxFlowStatsRequest) {
        w.u16(0);
        w.u8(fs.table_id);
        w.u8(0);
        w.u32(fs.duration_sec);
        w.u32(fs.duration_nsec);
        w.u16(uint16_t(fs.priority));
        w.u16(fs.idle_timeout);
        w.u16(fs.hard_timeout);
        size_t match_len_ofs = w.size();
        w.u16(0);
        // Ages are sent plus one (0: unknown).
        w.u16(age(fs.idle_age));
        w.u16(age(fs.hard_age));
        w.u64(fs.cookie);
        w.u64(fs.packet_count);
        w.u64(fs.byte_count);
        w.set_u16(match_len_ofs, uint16_t(nx_put_match(fs.match, &e)));
        ofpacts_put(e, fs.actions, version, &fs.match);
    } else if (version <= V14) {
        w.u16(0);
        w.u8(fs.table_id);
        w.u8(0);
        w.u32(fs.duration_sec);
        w.u32(fs.duration_nsec);
        w.u16(uint16_t(fs.priority));
        w.u16(fs.idle_timeout);
        w.u16(fs.hard_timeout);
        w.u16(version >= V13 ? encode_ff(fs.flags, version) : 0);
        w.u16(version >= V14 ? fs.importance : 0);
        w.zeros(2);
        w.u64(fs.cookie);
        w.u64(fs.packet_count);
        w.u64(fs.byte_count);
        put_ofp11_match(fs.match, version, e);
        ofpacts_put_instructions(e, fs.actions, version, &fs.match);
    } else {
        // 1.5 flow description: fixed part, match, OXS stats, instructions.
        w.u16(0);
        w.zeros(2);
        w.u8(fs.table_id);
        w.u8(0);
        w.u16(uint16_t(fs.priority));
        w.u16(fs.idle_timeout);
        w.u16(fs.hard_timeout);
        w.u16(encode_ff(fs.flags, version));
        w.u16(fs.importance);
        w.u64(fs.cookie);
        put_ofp11_match(fs.match, version, e);
        put_oxs(w, fs.duration_sec, fs.duration_nsec, fs.idle_age, fs.packet_count, fs.byte_count);
        ofpacts_put_instructions(e, fs.actions, version, &fs.match);
    }
    w.set_u16(0, uint16_t(std::min<size_t>(e.size(), UINT16_MAX)));
    return e;
}

}  // namespace

std::vector<Bytes> encode_flow_stats_reply(std::span<const uint8_t> request, const std::vector<OfpFlowStats>& flows) {
    auto res = classify_as(request, {Raw::FlowStatsRequest10, Raw::FlowStatsRequest11, Raw::NxFlowStatsRequest});
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    MultipartReplies replies(stats_reply_header(info));
    for (const auto& fs : flows) {
        Bytes entry = flow_stats_entry(info.raw, info.version, fs);
        // An entry that cannot fit in any message is left out (as in Open vSwitch).
        if (entry.size() > UINT16_MAX - info.hdr_len) continue;
        replies.append(entry);
    }
    return replies.finish();
}

}  // namespace xvs::ofproto
