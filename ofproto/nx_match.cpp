// Match wire codecs (nx_match.h): NXM/OXM TLVs, the OpenFlow 1.1+
// ofp_match wrapper, and OpenFlow 1.0's fixed ofp_match.
#include "ofproto/nx_match.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "ofproto/meta_flow.h"
#include "ofproto/meta_flow_internal.h"

namespace xvs::ofproto {

using namespace mf_internal;

namespace {

constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthRarp = 0x8035;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132, kProtoIcmp = 1, kProtoIcmpv6 = 58;

// NXM_NX_COOKIE(_W): not a field, the flow cookie a flow_mod or flow stats
// request may carry inside its NXM.
constexpr uint32_t kNxmCookie = nxm_header(kNxmClass1, 30, 8);
constexpr uint32_t kNxmCookieW = nxm_header(kNxmClass1, 30, 16) | 0x100;
// OXM_OF_PACKET_TYPE (OpenFlow 1.5): OVS puts "Ethernet" (0) in a match
// that requires Ethernet but has no field saying so. Every packet here is
// Ethernet: that value is accepted and matches everything, others cannot
// match anything this switch sees.
constexpr uint32_t kOxmPacketType = nxm_header(kOxmClassBasic, 44, 4);

uint16_t get16(const uint8_t* p) {
    return static_cast<uint16_t>((p[0] << 8) | p[1]);
}
uint32_t get32(const uint8_t* p) {
    return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void put16(std::vector<uint8_t>* out, uint16_t v) {
    out->push_back(static_cast<uint8_t>(v >> 8));
    out->push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>* out, uint32_t v) {
    put16(out, static_cast<uint16_t>(v >> 16));
    put16(out, static_cast<uint16_t>(v));
}
void put64(std::vector<uint8_t>* out, uint64_t v) {
    put32(out, static_cast<uint32_t>(v >> 32));
    put32(out, static_cast<uint32_t>(v));
}

OfpError ofp_error(OfpErr e, std::string detail) {
    return OfpError{e, std::move(detail)};
}

// ---- Encoding -----------------------------------------------------------

struct EntryList {
    const Match& m;
    std::vector<MatchEntry> out;

    // A field that may be masked: nothing when wildcarded, exact when the
    // mask covers it (OVS's nxm_put).
    void masked(MfId id) {
        const MfField& f = mf_field(id);
        MfValue v, mask;
        mf_get_match(f, m, &v, &mask);
        if (is_zero_bytes(mask, f.n_bytes)) return;
        bool exact = mask == mf_exact_mask(f);
        out.push_back({&f, v, mask, !exact});
    }
    // A field OVS always writes as an exact entry (nxm_put_8/16/32).
    void exact(MfId id) {
        const MfField& f = mf_field(id);
        out.push_back({&f, mf_get(f, m.flow), MfValue{}, false});
    }
};

void add_ip_entries(EntryList& l, uint8_t version) {
    const Flow& f = l.m.flow;
    const Flow& w = l.m.mask;
    uint16_t eth_type = ntohs(f.pkt.eth_type);
    if (eth_type == kEthIp) {
        l.masked(MfId::Ipv4Src);
        l.masked(MfId::Ipv4Dst);
    } else {
        l.masked(MfId::Ipv6Src);
        l.masked(MfId::Ipv6Dst);
    }
    // ip_frag: a mask of both bits is an exact entry (OVS widens it to 0xff).
    l.masked(MfId::IpFrag);
    if (w.pkt.nw_tos & 0xfc) l.exact(version ? MfId::IpDscpOxm : MfId::IpDscp);
    if (w.pkt.nw_tos & 0x03) l.exact(MfId::IpEcn);
    if (w.pkt.nw_ttl) l.exact(MfId::IpTtl);
    l.masked(MfId::Ipv6Label);
    if (!w.pkt.nw_proto) return;
    l.exact(MfId::IpProto);
    uint8_t proto = f.pkt.nw_proto;
    if (proto == kProtoTcp) {
        l.masked(MfId::TcpSrc);
        l.masked(MfId::TcpDst);
        l.masked(MfId::TcpFlags);
    } else if (proto == kProtoUdp) {
        l.masked(MfId::UdpSrc);
        l.masked(MfId::UdpDst);
    } else if (proto == kProtoSctp) {
        l.masked(MfId::SctpSrc);
        l.masked(MfId::SctpDst);
    } else if (proto == kProtoIcmp && eth_type == kEthIp) {
        if (w.pkt.tp_src) l.exact(MfId::IcmpType);
        if (w.pkt.tp_dst) l.exact(MfId::IcmpCode);
    } else if (proto == kProtoIcmpv6 && eth_type == kEthIpv6) {
        if (w.pkt.tp_src) l.exact(MfId::Icmpv6Type);
        if (w.pkt.tp_dst) l.exact(MfId::Icmpv6Code);
        uint16_t type = ntohs(f.pkt.tp_src);
        if (!f.pkt.tp_dst && (type == 135 || type == 136)) {
            l.masked(MfId::NdTarget);
            l.masked(type == 135 ? MfId::NdSll : MfId::NdTll);
        }
    }
}

void write_entry(const MatchEntry& e, uint8_t version, std::vector<uint8_t>* out) {
    const MfField& f = *e.field;
    MfWireHeader h = mf_wire_header(f, version);
    unsigned exp_len = nxm_class(h.header) == kOxmClassExperimenter ? 4 : 0;
    unsigned payload = f.n_bytes * (e.masked ? 2u : 1u);
    uint32_t header = (h.header & 0xfffffe00u) | (e.masked ? 0x100u : 0u) | (payload + exp_len);
    put32(out, header);
    if (exp_len) put32(out, h.experimenter);
    out->insert(out->end(), &e.value.b[16 - f.n_bytes], &e.value.b[16]);
    if (e.masked) out->insert(out->end(), &e.mask.b[16 - f.n_bytes], &e.mask.b[16]);
}

size_t put_tlvs(const Match& m, uint8_t version, std::vector<uint8_t>* out) {
    size_t start = out->size();
    for (const MatchEntry& e : match_entries(m, version)) write_entry(e, version, out);
    return out->size() - start;
}

void pad8(std::vector<uint8_t>* out, size_t from) {
    while ((out->size() - from) % 8) out->push_back(0);
}

// ---- Decoding -----------------------------------------------------------

std::string header_text(uint32_t header, uint32_t exp) {
    MfWireHeader h{header, exp};
    if (const char* name = mf_wire_header_name(h)) return fmt::format("{}{}", name, nxm_hasmask(header) ? "_W" : "");
    if (nxm_class(header) == kOxmClassExperimenter) return fmt::format("{:08x}:{:08x}", header, exp);
    return fmt::format("{:08x}", header);
}

MfValue right_aligned(const uint8_t* p, size_t n) {
    MfValue v;
    std::memcpy(&v.b[16 - n], p, n);
    return v;
}

MatchResult pull_tlvs(std::span<const uint8_t> p, uint64_t* cookie, uint64_t* cookie_mask) {
    Match m;
    bool have_cookie = false, have_packet_type = false;
    if (cookie) *cookie = *cookie_mask = 0;
    size_t off = 0;
    while (off < p.size()) {
        const size_t at = off;
        size_t left = p.size() - off;
        if (left < 4)
            return ofp_error(OfpErr::OFPBMC_BAD_LEN, fmt::format("offset {}: partial {}-byte entry", at, left));
        uint32_t header = get32(&p[off]);
        uint32_t exp = 0;
        size_t exp_len = 0;
        if (nxm_class(header) == kOxmClassExperimenter) {
            if (left < 8)
                return ofp_error(OfpErr::OFPBMC_BAD_LEN, fmt::format("offset {}: partial experimenter header", at));
            exp = get32(&p[off + 4]);
            exp_len = 4;
        }
        if (nxm_length(header) < exp_len)
            return ofp_error(OfpErr::OFPBMC_BAD_LEN, fmt::format("offset {}: header length below 4", at));
        size_t payload_len = nxm_length(header) - exp_len;
        off += 4 + exp_len;
        if (p.size() - off < payload_len)
            return ofp_error(OfpErr::OFPBMC_BAD_LEN,
                             fmt::format("offset {}: {} needs {} bytes, {} left", at, header_text(header, exp),
                                         payload_len, p.size() - off));
        const uint8_t* payload = &p[off];
        off += payload_len;
        const bool masked = nxm_hasmask(header);
        const size_t width = masked ? payload_len / 2 : payload_len;
        const std::string what = fmt::format("offset {}: {}", at, header_text(header, exp));

        // OVS finds a field by its header *with* its length: a known field
        // with the wrong length is an unknown one.
        const MfField* field = mf_from_wire_header({header, exp});
        if (field && field->n_bytes != width) field = nullptr;
        const bool is_cookie = cookie && (header == kNxmCookie || header == kNxmCookieW);

        if (masked) {
            for (size_t i = 0; i < width; i++)
                if (payload[i] & ~payload[width + i])
                    return ofp_error(OfpErr::OFPBMC_BAD_WILDCARDS,
                                     what + ": 1-bits in the value where the mask has 0-bits");
        }
        if (header == kOxmPacketType) {
            if (have_packet_type) return ofp_error(OfpErr::OFPBMC_DUP_FIELD, what + ": second packet_type");
            if (get32(payload))
                return ofp_error(OfpErr::OFPBMC_BAD_VALUE, what + ": only Ethernet packets (packet_type 0) exist here");
            have_packet_type = true;
            continue;
        }
        if (!field && !is_cookie) return ofp_error(OfpErr::OFPBMC_BAD_FIELD, what + ": unknown or unsupported field");
        if (is_cookie) {
            if (have_cookie) return ofp_error(OfpErr::OFPBMC_DUP_FIELD, what + ": second cookie");
            uint64_t c = 0, cm = ~uint64_t{0};
            for (int i = 0; i < 8; i++) c = (c << 8) | payload[i];
            if (masked) {
                cm = 0;
                for (int i = 0; i < 8; i++) cm = (cm << 8) | payload[8 + i];
            }
            *cookie = c;
            *cookie_mask = cm;
            // As OVS: an all-zeros cookie mask is no cookie match at all.
            have_cookie = cm != 0;
            continue;
        }
        MfValue value = right_aligned(payload, width);
        MfValue mask = masked ? right_aligned(payload + width, width) : from_u128(low_bits(8 * width));
        if (!mf_is_mask_valid(*field, mask))
            return ofp_error(OfpErr::OFPBMC_BAD_MASK, what + ": field " + field->name + " cannot be masked");
        if (!mf_is_value_valid(*field, value))
            return ofp_error(OfpErr::OFPBMC_BAD_VALUE, what + ": not a valid value for " + field->name);
        if (!mf_prereqs_ok(*field, m))
            return ofp_error(OfpErr::OFPBMC_BAD_PREREQ,
                             what + ": prerequisites of " + field->name + " not matched before it");
        if (mf_is_set_in_match(*field, m))
            return ofp_error(OfpErr::OFPBMC_DUP_FIELD, what + ": " + field->name + " already matched");
        if (!mf_set_match(*field, value, mask, &m)) return ofp_error(OfpErr::OFPBMC_BAD_VALUE, what);
    }
    return m;
}

// ---- OpenFlow 1.0 -------------------------------------------------------

// OFPFW10_* wildcard bits.
constexpr uint32_t kFwInPort = 1u << 0, kFwDlVlan = 1u << 1, kFwDlSrc = 1u << 2, kFwDlDst = 1u << 3,
                   kFwDlType = 1u << 4, kFwNwProto = 1u << 5, kFwTpSrc = 1u << 6, kFwTpDst = 1u << 7;
constexpr int kFwNwSrcShift = 8, kFwNwDstShift = 14;
constexpr uint32_t kFwDlVlanPcp = 1u << 20, kFwNwTos = 1u << 21, kFwAll = (1u << 22) - 1;
constexpr uint16_t kOfp10VlanNone = 0xffff;

// The wildcard count of OpenFlow 1.0 (bits ignored from the low end, 32 or
// more for all) to a netmask, host order.
uint32_t wcbits_to_netmask(uint32_t wcbits) {
    wcbits &= 0x3f;
    return wcbits < 32 ? ~((1u << wcbits) - 1) : 0;
}

// Leading one bits of a netmask (host order); only meaningful for CIDR masks.
int cidr_len(uint32_t mask) {
    int n = 0;
    while (n < 32 && (mask & (0x80000000u >> n))) n++;
    return n;
}
bool is_cidr(uint32_t mask) {
    return mask == (cidr_len(mask) ? ~0u << (32 - cidr_len(mask)) : 0);
}

}  // namespace

namespace mf_internal {

std::vector<MatchEntry> match_entries(const Match& m, uint8_t version) {
    EntryList l{m, {}};
    const Flow& f = m.flow;
    const Flow& w = m.mask;
    if (w.conj_id) l.exact(MfId::ConjId);
    if (w.in_port) l.exact(version ? MfId::InPortOxm : MfId::InPort);
    l.masked(MfId::EthSrc);
    l.masked(MfId::EthDst);
    l.masked(MfId::EthType);
    if (version) {
        // OXM has no TCI: the VID with its "present" bit, then the PCP
        // when a tag is required.
        l.masked(MfId::VlanVid);
        uint16_t vid = ntohs(f.pkt.vlan_tci) & (kVlanVidMask | kVlanCfi);
        if (vid && (ntohs(w.pkt.vlan_tci) & kVlanPcpMask)) l.exact(MfId::VlanPcp);
    } else {
        l.masked(MfId::VlanTci);
    }
    uint16_t eth_type = ntohs(f.pkt.eth_type);
    if (eth_type == kEthIp || eth_type == kEthIpv6) {
        add_ip_entries(l, version);
    } else if (eth_type == kEthArp || eth_type == kEthRarp) {
        if (w.pkt.nw_proto) l.exact(MfId::ArpOp);
        l.masked(MfId::ArpSpa);
        l.masked(MfId::ArpTpa);
        l.masked(MfId::ArpSha);
        l.masked(MfId::ArpTha);
    }
    // OpenFlow 1.5 has standard 64-bit registers; before, OVS's 32-bit
    // ones travel as NXM entries even inside OXM.
    if (version < kOfp15) {
        for (int i = 0; i < kFlowNRegs; i++) l.masked(static_cast<MfId>(static_cast<int>(MfId::Reg0) + i));
    } else {
        for (int i = 0; i < kFlowNRegs / 2; i++) l.masked(static_cast<MfId>(static_cast<int>(MfId::Xreg0) + i));
    }
    l.masked(MfId::PktMark);
    l.masked(MfId::Metadata);
    for (MfId id : {MfId::TunId, MfId::TunSrc, MfId::TunDst, MfId::TunIpv6Src, MfId::TunIpv6Dst}) l.masked(id);
    return std::move(l.out);
}

}  // namespace mf_internal

MatchResult nx_pull_match(std::span<const uint8_t> tlvs, uint64_t* cookie, uint64_t* cookie_mask) {
    if (!cookie || !cookie_mask) return pull_tlvs(tlvs, nullptr, nullptr);
    return pull_tlvs(tlvs, cookie, cookie_mask);
}

MatchResult oxm_pull_match(std::span<const uint8_t> tlvs) {
    return pull_tlvs(tlvs, nullptr, nullptr);
}

size_t nx_put_match(const Match& m, std::vector<uint8_t>* out, uint64_t cookie, uint64_t cookie_mask) {
    size_t start = out->size();
    put_tlvs(m, 0, out);
    if (cookie_mask) {
        bool masked = cookie_mask != ~uint64_t{0};
        put32(out, masked ? kNxmCookieW : kNxmCookie);
        put64(out, cookie & cookie_mask);
        if (masked) put64(out, cookie_mask);
    }
    size_t match_len = out->size() - start;
    pad8(out, start);
    return match_len;
}

size_t oxm_put_tlvs(const Match& m, uint8_t version, std::vector<uint8_t>* out) {
    return put_tlvs(m, version, out);
}

BasicResult<size_t, OfpError> ofp11_pull_match(std::span<const uint8_t> buf, Match* match) {
    if (buf.size() < 4) return ofp_error(OfpErr::OFPBMC_BAD_LEN, "ofp_match shorter than its header");
    uint16_t type = get16(&buf[0]);
    uint16_t length = get16(&buf[2]);
    if (type != 1) {
        return ofp_error(OfpErr::OFPBMC_BAD_TYPE, type == 0 ? "OFPMT_STANDARD (OpenFlow 1.1) matches are not supported"
                                                            : fmt::format("match type {}", type));
    }
    if (length < 4) return ofp_error(OfpErr::OFPBMC_BAD_LEN, fmt::format("ofp_match length {}", length));
    size_t padded = nx_padded_len(length);
    if (padded > buf.size())
        return ofp_error(OfpErr::OFPBMC_BAD_LEN,
                         fmt::format("ofp_match of {} bytes (padded) in {}", padded, buf.size()));
    auto r = oxm_pull_match(buf.subspan(4, length - 4));
    if (!r) return r.error();
    *match = *r;
    return padded;
}

size_t ofp11_put_match(const Match& m, uint8_t version, std::vector<uint8_t>* out) {
    size_t start = out->size();
    put16(out, 1);  // OFPMT_OXM
    put16(out, 0);
    size_t len = 4 + put_tlvs(m, version, out);
    (*out)[start + 2] = static_cast<uint8_t>(len >> 8);
    (*out)[start + 3] = static_cast<uint8_t>(len);
    pad8(out, start);
    return len;
}

MatchResult ofp10_pull_match(std::span<const uint8_t> buf) {
    if (buf.size() < kOfp10MatchLen)
        return ofp_error(OfpErr::OFPBMC_BAD_LEN, "OpenFlow 1.0 ofp_match shorter than 40 bytes");
    const uint8_t* p = buf.data();
    uint32_t wc = get32(p) & kFwAll;
    Flow f, w;
    if (!(wc & kFwInPort)) w.in_port = 0xffff;
    if (!(wc & kFwNwTos)) w.pkt.nw_tos = 0xfc;
    if (!(wc & kFwNwProto)) w.pkt.nw_proto = 0xff;
    w.pkt.nw_src[0] = htonl(wcbits_to_netmask(wc >> kFwNwSrcShift));
    w.pkt.nw_dst[0] = htonl(wcbits_to_netmask(wc >> kFwNwDstShift));
    if (!(wc & kFwTpSrc)) w.pkt.tp_src = 0xffff;
    if (!(wc & kFwTpDst)) w.pkt.tp_dst = 0xffff;
    if (!(wc & kFwDlSrc)) XVS_WC_FULL(w.pkt, eth_src);
    if (!(wc & kFwDlDst)) XVS_WC_FULL(w.pkt, eth_dst);
    if (!(wc & kFwDlType)) w.pkt.eth_type = 0xffff;
    uint16_t tci_mask = 0;
    if (!(wc & kFwDlVlanPcp)) tci_mask |= kVlanPcpMask | kVlanCfi;
    if (!(wc & kFwDlVlan)) tci_mask |= kVlanVidMask | kVlanCfi;

    f.in_port = get16(p + 4);
    std::memcpy(f.pkt.eth_src, p + 6, 6);
    std::memcpy(f.pkt.eth_dst, p + 12, 6);
    uint16_t dl_vlan = get16(p + 18);
    uint8_t dl_vlan_pcp = p[20];
    std::memcpy(&f.pkt.eth_type, p + 22, 2);
    f.pkt.nw_tos = p[24] & 0xfc;
    f.pkt.nw_proto = p[25];
    std::memcpy(&f.pkt.nw_src[0], p + 28, 4);
    std::memcpy(&f.pkt.nw_dst[0], p + 32, 4);
    std::memcpy(&f.pkt.tp_src, p + 36, 2);
    std::memcpy(&f.pkt.tp_dst, p + 38, 2);

    if (!(wc & kFwDlVlan) && dl_vlan == kOfp10VlanNone) {
        // Only packets without a tag; a PCP next to it means nothing (OVS
        // keeps older versions' reading).
        f.pkt.vlan_tci = 0;
        w.pkt.vlan_tci = 0xffff;
    } else {
        uint16_t t = (dl_vlan & kVlanVidMask) | ((dl_vlan_pcp << 13) & kVlanPcpMask) | kVlanCfi;
        f.pkt.vlan_tci = htons(t);
        w.pkt.vlan_tci = htons(tci_mask);
    }
    Match m = Match::make(f, w);
    match_normalize(&m);
    return m;
}

void ofp10_put_match(const Match& m, std::vector<uint8_t>* out) {
    const Flow& f = m.flow;
    const Flow& w = m.mask;
    uint32_t wc = 0;
    if (!w.in_port) wc |= kFwInPort;
    if (!w.pkt.eth_type) wc |= kFwDlType;
    if (!w.pkt.nw_proto) wc |= kFwNwProto;
    wc |= static_cast<uint32_t>(32 - cidr_len(ntohl(w.pkt.nw_src[0]))) << kFwNwSrcShift;
    wc |= static_cast<uint32_t>(32 - cidr_len(ntohl(w.pkt.nw_dst[0]))) << kFwNwDstShift;
    if (!(w.pkt.nw_tos & 0xfc)) wc |= kFwNwTos;
    if (!w.pkt.tp_src) wc |= kFwTpSrc;
    if (!w.pkt.tp_dst) wc |= kFwTpDst;
    if (eth_is_zero(w.pkt.eth_src)) wc |= kFwDlSrc;
    if (eth_is_zero(w.pkt.eth_dst)) wc |= kFwDlDst;

    uint16_t dl_vlan = 0;
    uint8_t dl_vlan_pcp = 0;
    uint16_t tci = ntohs(f.pkt.vlan_tci), tci_mask = ntohs(w.pkt.vlan_tci);
    if (!tci_mask) {
        wc |= kFwDlVlan | kFwDlVlanPcp;
    } else if ((tci_mask & kVlanCfi) && !(tci & kVlanCfi)) {
        dl_vlan = kOfp10VlanNone;
    } else {
        if (!(tci_mask & kVlanVidMask))
            wc |= kFwDlVlan;
        else
            dl_vlan = tci & kVlanVidMask;
        if (!(tci_mask & kVlanPcpMask))
            wc |= kFwDlVlanPcp;
        else
            dl_vlan_pcp = static_cast<uint8_t>(tci >> 13);
    }

    size_t start = out->size();
    out->resize(start + kOfp10MatchLen, 0);
    uint8_t* p = out->data() + start;
    p[0] = static_cast<uint8_t>(wc >> 24);
    p[1] = static_cast<uint8_t>(wc >> 16);
    p[2] = static_cast<uint8_t>(wc >> 8);
    p[3] = static_cast<uint8_t>(wc);
    p[4] = static_cast<uint8_t>(f.in_port >> 8);
    p[5] = static_cast<uint8_t>(f.in_port);
    std::memcpy(p + 6, f.pkt.eth_src, 6);
    std::memcpy(p + 12, f.pkt.eth_dst, 6);
    p[18] = static_cast<uint8_t>(dl_vlan >> 8);
    p[19] = static_cast<uint8_t>(dl_vlan);
    p[20] = dl_vlan_pcp;
    std::memcpy(p + 22, &f.pkt.eth_type, 2);
    p[24] = f.pkt.nw_tos & 0xfc;
    p[25] = f.pkt.nw_proto;
    std::memcpy(p + 28, &f.pkt.nw_src[0], 4);
    std::memcpy(p + 32, &f.pkt.nw_dst[0], 4);
    std::memcpy(p + 36, &f.pkt.tp_src, 2);
    std::memcpy(p + 38, &f.pkt.tp_dst, 2);
}

bool match_fits_ofp10(const Match& m) {
    const Flow& f = m.flow;
    const Flow& w = m.mask;
    // Only what the 40 bytes have a place for.
    Flow covered;
    covered.in_port = 0xffff;
    XVS_WC_FULL(covered.pkt, eth_src);
    XVS_WC_FULL(covered.pkt, eth_dst);
    covered.pkt.eth_type = 0xffff;
    covered.pkt.vlan_tci = 0xffff;
    covered.pkt.nw_tos = 0xfc;
    covered.pkt.nw_proto = 0xff;
    covered.pkt.nw_src[0] = covered.pkt.nw_dst[0] = 0xffffffff;
    covered.pkt.tp_src = covered.pkt.tp_dst = 0xffff;
    if (!flow_is_subset(w, covered)) return false;

    auto all_or_none = [](const uint8_t* p, size_t n) {
        bool all = true, none = true;
        for (size_t i = 0; i < n; i++) {
            all &= p[i] == 0xff;
            none &= p[i] == 0;
        }
        return all || none;
    };
    if (w.in_port && w.in_port != 0xffff) return false;
    if (!all_or_none(w.pkt.eth_src, 6) || !all_or_none(w.pkt.eth_dst, 6)) return false;
    if (w.pkt.eth_type && w.pkt.eth_type != 0xffff) return false;
    if (w.pkt.nw_tos && w.pkt.nw_tos != 0xfc) return false;
    if (w.pkt.nw_proto && w.pkt.nw_proto != 0xff) return false;
    if (!is_cidr(ntohl(w.pkt.nw_src[0])) || !is_cidr(ntohl(w.pkt.nw_dst[0]))) return false;
    if ((w.pkt.tp_src && w.pkt.tp_src != 0xffff) || (w.pkt.tp_dst && w.pkt.tp_dst != 0xffff)) return false;

    uint16_t tci = ntohs(f.pkt.vlan_tci), tci_mask = ntohs(w.pkt.vlan_tci);
    if (tci_mask) {
        bool no_tag = tci_mask == 0xffff && tci == 0;
        uint16_t vid_mask = tci_mask & kVlanVidMask, pcp_mask = tci_mask & kVlanPcpMask;
        bool tag = (tci_mask & kVlanCfi) && (tci & kVlanCfi) && (vid_mask == 0 || vid_mask == kVlanVidMask) &&
                   (pcp_mask == 0 || pcp_mask == kVlanPcpMask) && (vid_mask || pcp_mask);
        if (!no_tag && !tag) return false;
    }
    // OpenFlow 1.0 has no L3/L4 of IPv6 (OVS refuses them for 1.0 too).
    if (ntohs(f.pkt.eth_type) == kEthIpv6 && w.pkt.eth_type &&
        (w.pkt.nw_proto || w.pkt.nw_tos || w.pkt.tp_src || w.pkt.tp_dst))
        return false;
    return true;
}

bool match_normalize(Match* m) {
    enum : unsigned {
        kNwAddr = 1 << 0,   // nw_src, nw_dst (IPv4 or ARP)
        kTpAddr = 1 << 1,   // tp_src, tp_dst
        kNwProto = 1 << 2,  // nw_proto
        kIpAny = 1 << 3,    // nw_tos, nw_ttl
        kArpSha = 1 << 4,   // arp_sha / nd_sll
        kArpTha = 1 << 5,   // arp_tha / nd_tll
        kIpv6 = 1 << 6,     // ipv6_src, ipv6_dst, ipv6_label
        kNdTarget = 1 << 7,
    };
    const Flow& f = m->flow;
    unsigned may = 0;
    uint16_t eth_type = ntohs(f.pkt.eth_type);
    uint8_t proto = f.pkt.nw_proto;
    if (eth_type == kEthIp) {
        may |= kNwProto | kIpAny | kNwAddr;
        if (proto == kProtoTcp || proto == kProtoUdp || proto == kProtoSctp || proto == kProtoIcmp) may |= kTpAddr;
    } else if (eth_type == kEthIpv6) {
        may |= kNwProto | kIpAny | kIpv6;
        if (proto == kProtoTcp || proto == kProtoUdp || proto == kProtoSctp) {
            may |= kTpAddr;
        } else if (proto == kProtoIcmpv6) {
            may |= kTpAddr;
            if (ntohs(f.pkt.tp_src) == 135) may |= kNdTarget | kArpSha;
            if (ntohs(f.pkt.tp_src) == 136) may |= kNdTarget | kArpTha;
        }
    } else if (eth_type == kEthArp || eth_type == kEthRarp) {
        may |= kNwProto | kNwAddr | kArpSha | kArpTha;
    }

    Flow w = m->mask;
    // nw_src/nw_dst hold IPv4 (and ARP) addresses in their first word and
    // IPv6 addresses in all four.
    if (!(may & kIpv6)) {
        if (!(may & kNwAddr)) w.pkt.nw_src[0] = w.pkt.nw_dst[0] = 0;
        for (int i = 1; i < 4; i++) w.pkt.nw_src[i] = w.pkt.nw_dst[i] = 0;
        w.pkt.ipv6_label = 0;
    }
    if (!(may & kTpAddr)) w.pkt.tp_src = w.pkt.tp_dst = 0;
    if (!(may & kNwProto)) w.pkt.nw_proto = 0;
    if (!(may & kIpAny)) w.pkt.nw_tos = w.pkt.nw_ttl = 0;
    if (!(may & kArpSha)) std::memset(w.pkt.arp_sha, 0, 6);
    if (!(may & kArpTha)) std::memset(w.pkt.arp_tha, 0, 6);
    if (!(may & kNdTarget)) std::memset(w.pkt.nd_target, 0, sizeof w.pkt.nd_target);
    if (w == m->mask) return false;
    *m = Match::make(m->flow, w);
    return true;
}

}  // namespace xvs::ofproto
