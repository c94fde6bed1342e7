// Field access for meta_flow.h: reading and writing fields of a Flow, of
// a Match (value and mask), prerequisites, and subfields. The field table
// is in meta_flow_fields.cpp, the text syntax in meta_flow_text.cpp.
//
// Every field is read and written through two primitives, get() and
// put_raw(), that convert between the OpenFlow wire form (MfValue) and
// where the Flow keeps the field. A Match's mask is a Flow too, so the
// same primitives read and write masks; only set_field on a packet adds
// the side effects OpenFlow defines (matching or setting a VID or PCP
// means a tag is present).
#include "ofproto/meta_flow.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>

#include "ofproto/meta_flow_internal.h"

namespace xvs::ofproto {

namespace mf_internal {

u128 to_u128(const MfValue& v) {
    u128 x = 0;
    for (uint8_t b : v.b) x = (x << 8) | b;
    return x;
}

MfValue from_u128(u128 x) {
    MfValue v;
    for (int i = 15; i >= 0; i--) {
        v.b[i] = static_cast<uint8_t>(x);
        x >>= 8;
    }
    return v;
}

u128 low_bits(unsigned n) {
    return n >= 128 ? ~u128{0} : (u128{1} << n) - 1;
}

bool is_zero_bytes(const MfValue& v, unsigned n_bytes) {
    for (unsigned i = 16 - n_bytes; i < 16; i++)
        if (v.b[i]) return false;
    return true;
}

bool is_ones_bytes(const MfValue& v, unsigned n_bytes) {
    for (unsigned i = 16 - n_bytes; i < 16; i++)
        if (v.b[i] != 0xff) return false;
    return true;
}

}  // namespace mf_internal

using namespace mf_internal;

namespace {

constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthRarp = 0x8035;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132, kProtoIcmp = 1, kProtoIcmpv6 = 58;
constexpr uint16_t kNdSolicit = 135, kNdAdvert = 136;

uint64_t value_uint(const MfValue& v, unsigned n_bytes) {
    uint64_t x = 0;
    for (unsigned i = 16 - n_bytes; i < 16; i++) x = (x << 8) | v.b[i];
    return x;
}

void put_uint(MfValue* v, uint64_t x, unsigned n_bytes) {
    for (unsigned i = 0; i < n_bytes; i++) {
        v->b[15 - i] = static_cast<uint8_t>(x);
        x >>= 8;
    }
}

// Fields the Flow keeps exactly as their wire bytes (network order), and
// where. For ipv6_label, tcp_flags and ip_frag only some bits count.
struct ByteLoc {
    size_t off;
    size_t len;
};

#define XVS_PKT(member)                                                                    \
    ByteLoc {                                                                              \
        offsetof(Flow, pkt) + offsetof(xvs_flow_key, member), sizeof(xvs_flow_key::member) \
    }

#define XVS_META(member) \
    ByteLoc { offsetof(Flow, member), sizeof(Flow::member) }

std::optional<ByteLoc> byte_loc(MfId id) {
    switch (id) {
        case MfId::TunId:
            return XVS_META(tun_id);
        case MfId::TunSrc:
            return XVS_META(tun_src);
        case MfId::TunDst:
            return XVS_META(tun_dst);
        case MfId::TunIpv6Src:
            return XVS_META(tun_ipv6_src);
        case MfId::TunIpv6Dst:
            return XVS_META(tun_ipv6_dst);
        case MfId::EthSrc:
            return XVS_PKT(eth_src);
        case MfId::EthDst:
            return XVS_PKT(eth_dst);
        case MfId::EthType:
            return XVS_PKT(eth_type);
        case MfId::VlanTci:
            return XVS_PKT(vlan_tci);
        case MfId::IpProto:
            return XVS_PKT(nw_proto);
        case MfId::IpTtl:
            return XVS_PKT(nw_ttl);
        case MfId::IpFrag:
            return XVS_PKT(nw_frag);
        case MfId::Ipv4Src:
        case MfId::ArpSpa:
            return ByteLoc{offsetof(Flow, pkt) + offsetof(xvs_flow_key, nw_src), 4};
        case MfId::Ipv4Dst:
        case MfId::ArpTpa:
            return ByteLoc{offsetof(Flow, pkt) + offsetof(xvs_flow_key, nw_dst), 4};
        case MfId::Ipv6Src:
            return XVS_PKT(nw_src);
        case MfId::Ipv6Dst:
            return XVS_PKT(nw_dst);
        case MfId::Ipv6Label:
            return XVS_PKT(ipv6_label);
        case MfId::ArpSha:
        case MfId::NdSll:
            return XVS_PKT(arp_sha);
        case MfId::ArpTha:
        case MfId::NdTll:
            return XVS_PKT(arp_tha);
        case MfId::TcpSrc:
        case MfId::UdpSrc:
        case MfId::SctpSrc:
            return XVS_PKT(tp_src);
        case MfId::TcpDst:
        case MfId::UdpDst:
        case MfId::SctpDst:
            return XVS_PKT(tp_dst);
        case MfId::TcpFlags:
            return XVS_PKT(tcp_flags);
        case MfId::NdTarget:
            return XVS_PKT(nd_target);
        default:
            return std::nullopt;
    }
}

#undef XVS_PKT

// Keeps only the significant bits of the byte-stored fields that have
// spare ones.
void trim_to_width(MfId id, MfValue* v) {
    switch (id) {
        case MfId::Ipv6Label:
            v->b[12] = 0;
            v->b[13] &= 0x0f;
            break;
        case MfId::TcpFlags:
            v->b[14] &= 0x0f;
            break;
        case MfId::IpFrag:
            v->b[15] &= XVS_FRAG_ANY | XVS_FRAG_LATER;
            break;
        default:
            break;
    }
}

int reg_index(MfId id, MfId first) {
    return static_cast<int>(id) - static_cast<int>(first);
}
bool in_range(MfId id, MfId first, MfId last) {
    return id >= first && id <= last;
}

uint16_t tci(const Flow& f) {
    return ntohs(f.pkt.vlan_tci);
}
void set_tci(Flow* f, uint16_t t) {
    f->pkt.vlan_tci = htons(t);
}

// Writes exactly the field's bits of 'flow' (no side effects).
void put_raw(const MfField& f, const MfValue& v_in, Flow* flow) {
    MfValue v = v_in;
    if (auto loc = byte_loc(f.id)) {
        trim_to_width(f.id, &v);
        std::memcpy(reinterpret_cast<uint8_t*>(flow) + loc->off, &v.b[16 - loc->len], loc->len);
        return;
    }
    uint64_t x = value_uint(v, std::min<unsigned>(f.n_bytes, 8));
    MfId id = f.id;
    if (in_range(id, MfId::Reg0, MfId::Reg15)) {
        flow->regs[reg_index(id, MfId::Reg0)] = static_cast<uint32_t>(x);
    } else if (in_range(id, MfId::Xreg0, MfId::Xreg7)) {
        int i = reg_index(id, MfId::Xreg0);
        flow->regs[2 * i] = static_cast<uint32_t>(x >> 32);
        flow->regs[2 * i + 1] = static_cast<uint32_t>(x);
    } else if (in_range(id, MfId::Xxreg0, MfId::Xxreg3)) {
        int i = reg_index(id, MfId::Xxreg0);
        u128 w = to_u128(v);
        for (int k = 3; k >= 0; k--) {
            flow->regs[4 * i + k] = static_cast<uint32_t>(w);
            w >>= 32;
        }
    } else {
        switch (id) {
            case MfId::InPort:
                flow->in_port = static_cast<OfPort>(x);
                break;
            case MfId::InPortOxm:
                // As OVS: a number without a 16-bit form reads as "no port".
                flow->in_port = mf_port_from_ofp11(static_cast<uint32_t>(x)).value_or(kOfppNone);
                break;
            case MfId::Metadata:
                flow->metadata = x;
                break;
            case MfId::PktMark:
                flow->pkt_mark = static_cast<uint32_t>(x);
                break;
            case MfId::ConjId:
                flow->conj_id = static_cast<uint32_t>(x);
                break;
            case MfId::DlVlan:
                set_tci(flow, (tci(*flow) & ~kVlanVidMask) | (x & kVlanVidMask));
                break;
            case MfId::VlanVid: {
                constexpr uint16_t vid_cfi = kVlanVidMask | kVlanCfi;
                set_tci(flow, (tci(*flow) & ~vid_cfi) | (x & vid_cfi));
                break;
            }
            case MfId::DlVlanPcp:
            case MfId::VlanPcp:
                set_tci(flow, (tci(*flow) & ~kVlanPcpMask) | ((x & 7) << 13));
                break;
            case MfId::IpDscp:
                flow->pkt.nw_tos = static_cast<uint8_t>((flow->pkt.nw_tos & 0x03) | (x & 0xfc));
                break;
            case MfId::IpDscpOxm:
                flow->pkt.nw_tos = static_cast<uint8_t>((flow->pkt.nw_tos & 0x03) | ((x & 0x3f) << 2));
                break;
            case MfId::IpEcn:
                flow->pkt.nw_tos = static_cast<uint8_t>((flow->pkt.nw_tos & 0xfc) | (x & 0x03));
                break;
            case MfId::ArpOp:
                flow->pkt.nw_proto = static_cast<uint8_t>(x);
                break;
            case MfId::IcmpType:
            case MfId::Icmpv6Type:
                flow->pkt.tp_src = htons(static_cast<uint8_t>(x));
                break;
            case MfId::IcmpCode:
            case MfId::Icmpv6Code:
                flow->pkt.tp_dst = htons(static_cast<uint8_t>(x));
                break;
            default:
                break;
        }
    }
}

bool is_vlan_part(MfId id) {
    return id == MfId::DlVlan || id == MfId::DlVlanPcp || id == MfId::VlanPcp;
}
bool is_icmp(MfId id) {
    return id == MfId::IcmpType || id == MfId::IcmpCode || id == MfId::Icmpv6Type || id == MfId::Icmpv6Code;
}

Flow all_ones_flow() {
    Flow f;
    for (uint64_t& w : flow_words(f)) w = ~uint64_t{0};
    return f;
}

// The bits of the Flow that belong to each field: what a match on it sets,
// what removing it clears, what OFPBMC_DUP_FIELD looks at. ICMP type and
// code own their whole 16-bit slot (OVS matches tp_src/tp_dst exactly for
// them), the VID and PCP views own only their bits (the CFI bit is shared).
struct Footprints {
    std::array<Flow, kMfCount> owned;
    std::array<MfValue, kMfCount> exact;
    Footprints() {
        Flow ones = all_ones_flow();
        for (size_t i = 0; i < kMfCount; i++) {
            const MfField& f = mf_field(static_cast<MfId>(i));
            exact[i] = mf_get(f, ones);
            Flow z;
            put_raw(f, exact[i], &z);
            if (is_icmp(f.id)) {
                if (f.id == MfId::IcmpType || f.id == MfId::Icmpv6Type)
                    z.pkt.tp_src = 0xffff;
                else
                    z.pkt.tp_dst = 0xffff;
            }
            owned[i] = z;
        }
    }
};

const Footprints& footprints() {
    static const Footprints fp;
    return fp;
}

const Flow& owned(const MfField& f) {
    return footprints().owned[static_cast<size_t>(f.id)];
}

void and_not(Flow* a, const Flow& b) {
    auto aa = flow_words(*a);
    auto bb = flow_words(b);
    for (size_t i = 0; i < kFlowWords; i++) aa[i] &= ~bb[i];
}

bool intersects(const Flow& a, const Flow& b) {
    auto aa = flow_words(a);
    auto bb = flow_words(b);
    for (size_t i = 0; i < kFlowWords; i++)
        if (aa[i] & bb[i]) return true;
    return false;
}

// Removes the field from the match, as OVS's mf_set_wild does: dropping the
// VID (or PCP) of a TCI match keeps the CFI bit only while the PCP (or VID)
// is still matched.
void clear_match_field(const MfField& f, Match* m) {
    uint16_t mask_tci = tci(m->mask);
    auto clear_bits = [&](uint16_t bits) {
        set_tci(&m->flow, tci(m->flow) & ~bits);
        set_tci(&m->mask, tci(m->mask) & ~bits);
    };
    switch (f.id) {
        case MfId::DlVlan:
        case MfId::VlanVid:
            clear_bits(mask_tci & kVlanPcpMask ? kVlanVidMask : 0xffff);
            return;
        case MfId::DlVlanPcp:
        case MfId::VlanPcp:
            clear_bits(mask_tci & kVlanVidMask ? kVlanPcpMask : 0xffff);
            return;
        default:
            and_not(&m->flow, owned(f));
            and_not(&m->mask, owned(f));
            return;
    }
}

bool eth_type_is(const Match& m, uint16_t a, uint16_t b) {
    if (m.mask.pkt.eth_type != 0xffff) return false;
    uint16_t t = ntohs(m.flow.pkt.eth_type);
    return t == a || t == b;
}

bool proto_is(const Match& m, uint8_t p) {
    return m.mask.pkt.nw_proto == 0xff && m.flow.pkt.nw_proto == p;
}

bool not_later_frag(const Match& m) {
    return !(m.flow.pkt.nw_frag & m.mask.pkt.nw_frag & XVS_FRAG_LATER);
}

bool icmpv6_type_is(const Match& m, uint16_t a, uint16_t b) {
    // ND also needs the code to be 0, or not matched at all (as in OVS).
    if (m.flow.pkt.tp_dst & m.mask.pkt.tp_dst) return false;
    if ((ntohs(m.mask.pkt.tp_src) & 0xff) != 0xff) return false;
    uint16_t type = ntohs(m.flow.pkt.tp_src);
    return type == a || type == b;
}

// The packet-side checks; each marks in 'wc' what it looked at, in the
// order it looked, so that a failed check pins only what decided it.
struct PacketCheck {
    const Flow& f;
    Flow* wc;

    uint16_t eth_type() {
        if (wc) wc->pkt.eth_type = 0xffff;
        return ntohs(f.pkt.eth_type);
    }
    uint8_t proto() {
        if (wc) wc->pkt.nw_proto = 0xff;
        return f.pkt.nw_proto;
    }
    bool is_ip() {
        uint16_t t = eth_type();
        return t == kEthIp || t == kEthIpv6;
    }
    bool l4(uint8_t p) {
        if (!is_ip() || proto() != p) return false;
        // A later fragment has no L4 header to read or write.
        if (wc) wc->pkt.nw_frag |= XVS_FRAG_LATER;
        return !(f.pkt.nw_frag & XVS_FRAG_LATER);
    }
    bool icmpv6() { return eth_type() == kEthIpv6 && proto() == kProtoIcmpv6; }
    bool nd(uint16_t want_a, uint16_t want_b) {
        if (!icmpv6()) return false;
        if (wc) wc->pkt.tp_dst = 0xffff;
        if (f.pkt.tp_dst) return false;
        if (wc) wc->pkt.tp_src = 0xffff;
        uint16_t type = ntohs(f.pkt.tp_src);
        return type == want_a || type == want_b;
    }
};

}  // namespace

MfValue mf_get(const MfField& f, const Flow& flow) {
    MfValue v;
    if (auto loc = byte_loc(f.id)) {
        std::memcpy(&v.b[16 - loc->len], reinterpret_cast<const uint8_t*>(&flow) + loc->off, loc->len);
        trim_to_width(f.id, &v);
        return v;
    }
    MfId id = f.id;
    if (in_range(id, MfId::Reg0, MfId::Reg15)) {
        put_uint(&v, flow.regs[reg_index(id, MfId::Reg0)], 4);
    } else if (in_range(id, MfId::Xreg0, MfId::Xreg7)) {
        int i = reg_index(id, MfId::Xreg0);
        put_uint(&v, (uint64_t{flow.regs[2 * i]} << 32) | flow.regs[2 * i + 1], 8);
    } else if (in_range(id, MfId::Xxreg0, MfId::Xxreg3)) {
        int i = reg_index(id, MfId::Xxreg0);
        u128 w = 0;
        for (int k = 0; k < 4; k++) w = (w << 32) | flow.regs[4 * i + k];
        v = from_u128(w);
    } else {
        switch (id) {
            case MfId::InPort:
                put_uint(&v, flow.in_port, 2);
                break;
            case MfId::InPortOxm:
                put_uint(&v, mf_port_to_ofp11(flow.in_port), 4);
                break;
            case MfId::Metadata:
                put_uint(&v, flow.metadata, 8);
                break;
            case MfId::PktMark:
                put_uint(&v, flow.pkt_mark, 4);
                break;
            case MfId::ConjId:
                put_uint(&v, flow.conj_id, 4);
                break;
            case MfId::DlVlan:
                put_uint(&v, tci(flow) & kVlanVidMask, 2);
                break;
            case MfId::VlanVid:
                put_uint(&v, tci(flow) & (kVlanVidMask | kVlanCfi), 2);
                break;
            case MfId::DlVlanPcp:
            case MfId::VlanPcp:
                put_uint(&v, (tci(flow) >> 13) & 7, 1);
                break;
            case MfId::IpDscp:
                put_uint(&v, flow.pkt.nw_tos & 0xfc, 1);
                break;
            case MfId::IpDscpOxm:
                put_uint(&v, flow.pkt.nw_tos >> 2, 1);
                break;
            case MfId::IpEcn:
                put_uint(&v, flow.pkt.nw_tos & 0x03, 1);
                break;
            case MfId::ArpOp:
                put_uint(&v, flow.pkt.nw_proto, 2);
                break;
            case MfId::IcmpType:
            case MfId::Icmpv6Type:
                put_uint(&v, ntohs(flow.pkt.tp_src) & 0xff, 1);
                break;
            case MfId::IcmpCode:
            case MfId::Icmpv6Code:
                put_uint(&v, ntohs(flow.pkt.tp_dst) & 0xff, 1);
                break;
            default:
                break;
        }
    }
    return v;
}

void mf_set(const MfField& f, const MfValue& value, Flow* flow) {
    if (f.id == MfId::DlVlan && value_uint(value, 2) == 0xffff) {
        // OpenFlow 1.0's OFP_VLAN_NONE: no tag.
        flow->pkt.vlan_tci = 0;
        return;
    }
    put_raw(f, value, flow);
    if (is_vlan_part(f.id)) set_tci(flow, tci(*flow) | kVlanCfi);
}

void mf_mask_all(const MfField& f, Flow* wc) {
    flow_or_into(*wc, owned(f));
    // Setting a VID or PCP sets the CFI bit too.
    if (is_vlan_part(f.id)) set_tci(wc, tci(*wc) | kVlanCfi);
}

MfValue mf_exact_mask(const MfField& f) {
    return footprints().exact[static_cast<size_t>(f.id)];
}

bool mf_is_mask_valid(const MfField& f, const MfValue& mask) {
    return f.maskable || is_zero_bytes(mask, f.n_bytes) || is_ones_bytes(mask, f.n_bytes);
}

bool mf_is_value_valid(const MfField& f, const MfValue& value) {
    for (unsigned i = 0; i < 16u - f.n_bytes; i++)
        if (value.b[i]) return false;
    u128 x = to_u128(value);
    switch (f.id) {
        case MfId::InPortOxm:
            return x < kOfppMax || x >= 0xffffff00u;
        case MfId::IpDscp:
            return !(x & 0x03) && x <= 0xff;
        case MfId::VlanVid:
            return !(x & ~u128{kVlanVidMask | kVlanCfi});
        case MfId::ArpOp:
            return x <= 0xff;
        default:
            return f.n_bits >= 128 || !(x >> f.n_bits);
    }
}

bool mf_set_match(const MfField& f, const MfValue& value, const MfValue& mask_in, Match* match) {
    const MfValue exact = mf_exact_mask(f);
    if ((mask_in != exact && !mf_is_mask_valid(f, mask_in)) || !mf_is_value_valid(f, value)) return false;
    MfValue mask = mask_in;
    for (unsigned i = 0; i < 16u - f.n_bytes; i++) mask.b[i] = 0;
    if (is_ones_bytes(mask, f.n_bytes) || mask == exact) {
        mask = exact;
    } else {
        mask = from_u128(to_u128(mask) & to_u128(exact));
    }
    if (is_zero_bytes(mask, 16)) {
        clear_match_field(f, match);
        return true;
    }
    MfValue v = from_u128(to_u128(value) & to_u128(mask));

    and_not(&match->flow, owned(f));
    and_not(&match->mask, owned(f));
    Flow fv, fm;
    put_raw(f, v, &fv);
    put_raw(f, mask, &fm);
    if (is_icmp(f.id)) fm = owned(f);  // exact only: the whole 16-bit slot
    flow_or_into(match->flow, fv);
    flow_or_into(match->mask, fm);
    if (is_vlan_part(f.id)) {
        // dl_vlan=, dl_vlan_pcp= and vlan_pcp= match tagged packets only.
        set_tci(&match->flow, tci(match->flow) | kVlanCfi);
        set_tci(&match->mask, tci(match->mask) | kVlanCfi);
    }
    match->flow = flow_and(match->flow, match->mask);
    return true;
}

void mf_get_match(const MfField& f, const Match& match, MfValue* value, MfValue* mask) {
    *value = mf_get(f, match.flow);
    *mask = mf_get(f, match.mask);
}

bool mf_is_set_in_match(const MfField& f, const Match& match) {
    return intersects(owned(f), match.mask);
}

bool mf_prereqs_ok(const MfField& f, const Match& m) {
    switch (f.prereq) {
        case MfPrereq::None:
            return true;
        case MfPrereq::VlanTag:
            return tci(m.flow) & tci(m.mask) & kVlanCfi;
        case MfPrereq::Arp:
            return eth_type_is(m, kEthArp, kEthRarp);
        case MfPrereq::Ip:
            return eth_type_is(m, kEthIp, kEthIpv6);
        case MfPrereq::Ipv4:
            return eth_type_is(m, kEthIp, kEthIp);
        case MfPrereq::Ipv6:
            return eth_type_is(m, kEthIpv6, kEthIpv6);
        case MfPrereq::Tcp:
            return eth_type_is(m, kEthIp, kEthIpv6) && proto_is(m, kProtoTcp) && not_later_frag(m);
        case MfPrereq::Udp:
            return eth_type_is(m, kEthIp, kEthIpv6) && proto_is(m, kProtoUdp) && not_later_frag(m);
        case MfPrereq::Sctp:
            return eth_type_is(m, kEthIp, kEthIpv6) && proto_is(m, kProtoSctp) && not_later_frag(m);
        case MfPrereq::Icmpv4:
            return eth_type_is(m, kEthIp, kEthIp) && proto_is(m, kProtoIcmp);
        case MfPrereq::Icmpv6:
            return eth_type_is(m, kEthIpv6, kEthIpv6) && proto_is(m, kProtoIcmpv6);
        case MfPrereq::Nd:
            return eth_type_is(m, kEthIpv6, kEthIpv6) && proto_is(m, kProtoIcmpv6) &&
                   icmpv6_type_is(m, kNdSolicit, kNdAdvert);
        case MfPrereq::NdSolicit:
            return eth_type_is(m, kEthIpv6, kEthIpv6) && proto_is(m, kProtoIcmpv6) &&
                   icmpv6_type_is(m, kNdSolicit, kNdSolicit);
        case MfPrereq::NdAdvert:
            return eth_type_is(m, kEthIpv6, kEthIpv6) && proto_is(m, kProtoIcmpv6) &&
                   icmpv6_type_is(m, kNdAdvert, kNdAdvert);
    }
    return false;
}

bool mf_prereqs_ok(const MfField& f, const Flow& flow, Flow* wc) {
    PacketCheck c{flow, wc};
    switch (f.prereq) {
        case MfPrereq::None:
            return true;
        case MfPrereq::VlanTag:
            if (wc) set_tci(wc, tci(*wc) | kVlanCfi);
            return tci(flow) & kVlanCfi;
        case MfPrereq::Arp: {
            uint16_t t = c.eth_type();
            return t == kEthArp || t == kEthRarp;
        }
        case MfPrereq::Ip:
            return c.is_ip();
        case MfPrereq::Ipv4:
            return c.eth_type() == kEthIp;
        case MfPrereq::Ipv6:
            return c.eth_type() == kEthIpv6;
        case MfPrereq::Tcp:
            return c.l4(kProtoTcp);
        case MfPrereq::Udp:
            return c.l4(kProtoUdp);
        case MfPrereq::Sctp:
            return c.l4(kProtoSctp);
        case MfPrereq::Icmpv4:
            return c.eth_type() == kEthIp && c.proto() == kProtoIcmp;
        case MfPrereq::Icmpv6:
            return c.icmpv6();
        case MfPrereq::Nd:
            return c.nd(kNdSolicit, kNdAdvert);
        case MfPrereq::NdSolicit:
            return c.nd(kNdSolicit, kNdSolicit);
        case MfPrereq::NdAdvert:
            return c.nd(kNdAdvert, kNdAdvert);
    }
    return false;
}

// ---- Subfields ----------------------------------------------------------

MfValue mf_read_subfield(const MfSubfield& sf, const Flow& flow) {
    u128 x = to_u128(mf_get(*sf.field, flow));
    return from_u128((x >> sf.ofs) & low_bits(sf.n_bits));
}

void mf_write_subfield(const MfSubfield& sf, const MfValue& value, Flow* flow) {
    u128 cur = to_u128(mf_get(*sf.field, *flow));
    u128 m = low_bits(sf.n_bits) << sf.ofs;
    cur = (cur & ~m) | ((to_u128(value) << sf.ofs) & m);
    mf_set(*sf.field, from_u128(cur), flow);
}

void mf_set_match_subfield(const MfSubfield& sf, const MfValue& value, Match* match) {
    MfValue v, m;
    mf_get_match(*sf.field, *match, &v, &m);
    u128 bits = low_bits(sf.n_bits) << sf.ofs;
    v = from_u128((to_u128(v) & ~bits) | ((to_u128(value) << sf.ofs) & bits));
    m = from_u128(to_u128(m) | bits);
    (void)mf_set_match(*sf.field, v, m, match);  // refused (a partial mask the field cannot take): unchanged
}

void mf_mask_subfield(const MfSubfield& sf, Flow* wc) {
    if (sf.field->id == MfId::InPortOxm) {
        // Its bits have no one-to-one image in the 16-bit port.
        wc->in_port = 0xffff;
        return;
    }
    Flow bits;
    put_raw(*sf.field, from_u128(low_bits(sf.n_bits) << sf.ofs), &bits);
    flow_or_into(*wc, bits);
}

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Parses a non-negative decimal at the start of 's'.
std::optional<int> take_int(std::string_view* s) {
    size_t n = 0;
    long v = 0;
    while (n < s->size() && (*s)[n] >= '0' && (*s)[n] <= '9' && n < 9) v = v * 10 + ((*s)[n++] - '0');
    if (!n) return std::nullopt;
    s->remove_prefix(n);
    return static_cast<int>(v);
}

}  // namespace

std::optional<MfSubfield> mf_parse_subfield_prefix(std::string_view text, size_t* used, std::string* error) {
    auto fail = [&](std::string msg) -> std::optional<MfSubfield> {
        if (error) *error = std::string(text) + ": " + msg;
        return std::nullopt;
    };
    size_t name_len = 0;
    while (name_len < text.size() && is_name_char(text[name_len])) name_len++;
    std::string_view name = text.substr(0, name_len);

    // OVS looks for an NXM/OXM name first ("_W" allowed, as in the
    // masked header's name), then for a field name.
    std::string_view wire = name;
    if (wire.size() > 2 && wire.substr(wire.size() - 2) == "_W") wire.remove_suffix(2);
    const MfField* field = mf_from_wire_name(wire, nullptr);
    if (!field) field = mf_from_name(name);
    // The error names what OVS takes for the name: up to '[' or '-'.
    if (!field) return fail("unknown field `" + std::string(text.substr(0, text.find_first_of("[-"))) + "'");

    std::string_view s = text.substr(name_len);
    int start = 0, end = field->n_bits - 1;
    if (!s.empty() && s[0] == '[') {
        std::string_view r = s.substr(1);
        if (!r.empty() && r[0] == ']') {
            s = r.substr(1);
        } else {
            auto a = take_int(&r);
            std::optional<int> b;
            if (a && r.substr(0, 2) == "..") {
                r.remove_prefix(2);
                b = take_int(&r);
                if (!b) a.reset();
            } else {
                b = a;
            }
            if (!a || r.empty() || r[0] != ']') return fail("syntax error expecting [] or [<bit>] or [<start>..<end>]");
            start = *a;
            end = *b;
            s = r.substr(1);
        }
    }
    if (start > end)
        return fail("starting bit " + std::to_string(start) + " is after ending bit " + std::to_string(end));
    if (start >= field->n_bits)
        return fail("starting bit " + std::to_string(start) + " is not valid because field is only " +
                    std::to_string(field->n_bits) + " bits wide");
    if (end >= field->n_bits)
        return fail("ending bit " + std::to_string(end) + " is not valid because field is only " +
                    std::to_string(field->n_bits) + " bits wide");
    if (used) *used = text.size() - s.size();
    return MfSubfield{field, static_cast<uint16_t>(start), static_cast<uint16_t>(end - start + 1)};
}

std::optional<MfSubfield> mf_parse_subfield(std::string_view text, std::string* error) {
    size_t used = 0;
    auto sf = mf_parse_subfield_prefix(text, &used, error);
    if (sf && used != text.size()) {
        if (error) *error = std::string(text) + ": unexpected input following field syntax";
        return std::nullopt;
    }
    return sf;
}

std::string mf_format_subfield(const MfSubfield& sf) {
    if (!sf.field) return "<unknown>";
    const MfField& f = *sf.field;
    // OVS 3.1 names a subfield by the header it would use in NXM.
    const char* name = f.nxm_name ? f.nxm_name : f.oxm_name ? f.oxm_name : f.name;
    std::string s = name;
    if (sf.ofs == 0 && sf.n_bits == f.n_bits)
        s += "[]";
    else if (sf.n_bits == 1)
        s += "[" + std::to_string(sf.ofs) + "]";
    else
        s += "[" + std::to_string(sf.ofs) + ".." + std::to_string(sf.ofs + sf.n_bits - 1) + "]";
    return s;
}

// ---- Ports --------------------------------------------------------------

uint32_t mf_port_to_ofp11(OfPort port) {
    return port < kOfppMax ? port : uint32_t{port} + 0xffff0000u;
}

std::optional<OfPort> mf_port_from_ofp11(uint32_t port) {
    if (port < kOfppMax) return static_cast<OfPort>(port);
    if (port >= 0xffffff00u) return static_cast<OfPort>(port - 0xffff0000u);
    return std::nullopt;
}

}  // namespace xvs::ofproto
