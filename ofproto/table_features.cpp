// Table features and table desc replies (table_features.h).
#include "ofproto/table_features.h"

#include <array>

#include "ofproto/meta_flow.h"
#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace {

// OFPTFPT13_* property types (the same numbers in 1.3, 1.4 and 1.5).
enum : uint16_t {
    kPropInstructions = 0,
    kPropInstructionsMiss = 1,
    kPropNextTables = 2,
    kPropWriteActions = 4,
    kPropApplyActions = 6,
    kPropMatch = 8,
    kPropWildcards = 10,
    kPropWriteSetfield = 12,
    kPropApplySetfield = 14,
};

// OFPIT_* instructions translation runs. No meter: xvs has no meters.
constexpr uint16_t kItGotoTable = 1;
constexpr std::array<uint16_t, 4> kInstructionsNoGoto = {2 /* write_metadata */, 3 /* write_actions */,
                                                         4 /* apply_actions */, 5 /* clear_actions */};

// OFPAT_* (1.1+ numbering) actions the datapath carries out: output,
// push_vlan, pop_vlan, set_queue, set_nw_ttl, dec_nw_ttl, set_field.
// Groups and MPLS are left out: xvs has neither.
constexpr std::array<uint16_t, 7> kActions = {0, 17, 18, 21, 23, 24, 25};

// Fields set_field can change on a real packet: the headers xlate.cpp has
// datapath actions for (Ethernet addresses, VLAN, IP addresses, TOS and
// TTL, L4 ports; xlate refuses a change to any other packet field) and
// the pipeline's own metadata, plus tun_id, which a later output to a
// tunnel port carries.
constexpr std::array kSettable = {
    MfId::EthSrc,  MfId::EthDst,  MfId::VlanTci, MfId::VlanVid,   MfId::VlanPcp, MfId::Ipv4Src,  MfId::Ipv4Dst,
    MfId::Ipv6Src, MfId::Ipv6Dst, MfId::IpDscp,  MfId::IpDscpOxm, MfId::IpEcn,   MfId::IpTtl,    MfId::TcpSrc,
    MfId::TcpDst,  MfId::UdpSrc,  MfId::UdpDst,  MfId::SctpSrc,   MfId::SctpDst, MfId::Metadata, MfId::PktMark,
    MfId::TunId,   MfId::Reg0,    MfId::Reg1,    MfId::Reg2,      MfId::Reg3,    MfId::Reg4,     MfId::Reg5,
    MfId::Reg6,    MfId::Reg7,    MfId::Reg8,    MfId::Reg9,      MfId::Reg10,   MfId::Reg11,    MfId::Reg12,
    MfId::Reg13,   MfId::Reg14,   MfId::Reg15,   MfId::Xreg0,     MfId::Xreg1,   MfId::Xreg2,    MfId::Xreg3,
    MfId::Xreg4,   MfId::Xreg5,   MfId::Xreg6,   MfId::Xreg7,     MfId::Xxreg0,  MfId::Xxreg1,   MfId::Xxreg2,
    MfId::Xxreg3,
};

// A list of 4-byte "ids" (instruction or action type, length 4), the form
// both the instructions and the action properties take.
Bytes type_ids(std::span<const uint16_t> types) {
    Bytes b;
    Writer w(b);
    for (uint16_t t : types) {
        w.u16(t);
        w.u16(4);
    }
    return b;
}

// Appends the header 'f' has in 'version' (as OVS writes it in matches and
// set_field), in its has-mask form when 'masked' (the mask doubles the
// payload length; an experimenter id stays counted once).
void put_field_header(Writer& w, const MfField& f, uint8_t version, bool masked) {
    MfWireHeader h = mf_wire_header(f, version);
    bool exp = nxm_class(h.header) == kOxmClassExperimenter;
    uint32_t len = f.n_bytes * (masked ? 2u : 1u) + (exp ? 4u : 0u);
    w.u32((h.header & 0xfffffe00u) | (masked ? 0x100u : 0u) | len);
    if (exp) w.u32(h.experimenter);
}

// Whether the field has a header to name it in 'version' (the text-only
// views dl_vlan and dl_vlan_pcp have none).
bool has_wire_header(const MfField& f, uint8_t version) {
    return mf_wire_header(f, version).header != 0;
}

// The MATCH (has-mask form for maskable fields) or WILDCARDS (plain
// headers: every matchable field may be left out of a match) list.
Bytes match_headers(uint8_t version, bool with_masks) {
    Bytes b;
    Writer w(b);
    for (size_t i = 0; i < kMfCount; i++) {
        const MfField& f = mf_field(static_cast<MfId>(i));
        if (has_wire_header(f, version)) put_field_header(w, f, version, with_masks && f.maskable);
    }
    return b;
}

Bytes setfield_headers(uint8_t version) {
    Bytes b;
    Writer w(b);
    for (MfId id : kSettable) {
        const MfField& f = mf_field(id);
        if (f.writable && has_wire_header(f, version)) put_field_header(w, f, version, false);
    }
    return b;
}

// The properties every table shares (all but the instructions and next
// tables), built once per reply.
struct SharedProps {
    Bytes actions, match, wildcards, setfields;
};

void put_table_features(Writer& w, uint8_t table_id, uint8_t n_tables, const SharedProps& sp) {
    size_t start = w.size();
    w.u16(0);  // length, set below
    w.u8(table_id);
    w.u8(0);  // 1.5 command: OFPTFC15_REPLACE (pad before 1.5)
    w.zeros(4);
    w.str("", 32);      // name: tables have none
    w.u64(UINT64_MAX);  // metadata_match
    w.u64(UINT64_MAX);  // metadata_write
    w.u32(0);           // 1.3 config / 1.4+ capabilities: no eviction, no vacancy events
    w.u32(1000000);     // max_entries

    // goto_table only where a later table exists (translation refuses a
    // goto that does not go forward).
    bool last = table_id + 1 >= n_tables;
    std::vector<uint16_t> insts;
    if (!last) insts.push_back(kItGotoTable);
    insts.insert(insts.end(), kInstructionsNoGoto.begin(), kInstructionsNoGoto.end());
    Bytes inst_ids = type_ids(insts);
    put_prop(w, kPropInstructions, inst_ids);
    put_prop(w, kPropInstructionsMiss, inst_ids);

    Bytes next;
    for (unsigned t = table_id + 1u; t < n_tables; t++) next.push_back(static_cast<uint8_t>(t));
    put_prop(w, kPropNextTables, next);

    put_prop(w, kPropWriteActions, sp.actions);
    put_prop(w, kPropWriteSetfield, sp.setfields);
    put_prop(w, kPropApplyActions, sp.actions);
    put_prop(w, kPropApplySetfield, sp.setfields);
    put_prop(w, kPropMatch, sp.match);
    put_prop(w, kPropWildcards, sp.wildcards);
    w.set_u16(start, static_cast<uint16_t>(w.size() - start));
}

}  // namespace

bool table_features_request_is_set(std::span<const uint8_t> request) {
    auto res = classify_as(request, {Raw::TableFeaturesRequest});
    auto* info = std::get_if<MsgInfo>(&res);
    return info && !info->body().empty();
}

std::vector<Bytes> encode_table_features_reply(std::span<const uint8_t> request, uint8_t n_tables) {
    auto res = classify_as(request, {Raw::TableFeaturesRequest});
    auto* info = std::get_if<MsgInfo>(&res);
    if (!info || !info->body().empty()) return {};
    uint8_t v = info->version;
    SharedProps sp{type_ids(kActions), match_headers(v, true), match_headers(v, false), setfield_headers(v)};
    MultipartReplies replies(stats_reply_header(*info));
    for (unsigned t = 0; t < n_tables; t++) {
        Bytes entry;
        Writer w(entry);
        put_table_features(w, static_cast<uint8_t>(t), n_tables, sp);
        replies.append(entry);
    }
    return replies.finish();
}

std::vector<Bytes> encode_table_desc_reply(std::span<const uint8_t> request, uint8_t n_tables) {
    auto res = classify_as(request, {Raw::TableDescRequest});
    auto* info = std::get_if<MsgInfo>(&res);
    if (!info) return {};
    MultipartReplies replies(stats_reply_header(*info));
    for (unsigned t = 0; t < n_tables; t++) {
        Bytes entry;
        Writer w(entry);
        w.u16(8);  // length: no properties
        w.u8(static_cast<uint8_t>(t));
        w.u8(0);
        w.u32(0);  // config: no eviction, no vacancy events
        replies.append(entry);
    }
    return replies.finish();
}

}  // namespace xvs::ofproto
