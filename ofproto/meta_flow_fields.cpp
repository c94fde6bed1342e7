// The field table of meta_flow.h: names, widths, prerequisites and wire
// codes, with the lookups by name and by header.
//
// The NXM and OXM codes and names are Open vSwitch's (its meta-flow.h is
// the registry of the Nicira classes, and OVS follows the OpenFlow 1.2-1.5
// specifications for the basic class): they are facts about the wire, and
// ovs-ofctl and OVN send exactly these.
#include <array>
#include <string>
#include <unordered_map>

#include "ofproto/meta_flow.h"
#include "ofproto/ofp_errors.h"

namespace xvs::ofproto {

namespace {

using P = MfPrereq;

// One NXM or OXM code: class, field number, name, and for OXM the first
// OpenFlow wire version that has it.
struct Code {
    uint16_t cls = 0;
    uint8_t field = 0;
    const char* name = nullptr;
    uint8_t version = 0;
};
constexpr Code kNone{};
constexpr Code nxm0(uint8_t field, const char* name) {
    return {kNxmClass0, field, name, 0};
}
constexpr Code nxm1(uint8_t field, const char* name) {
    return {kNxmClass1, field, name, 0};
}
constexpr Code oxm(uint8_t field, const char* name, uint8_t version = kOfp12) {
    return {kOxmClassBasic, field, name, version};
}
constexpr Code pkt_reg(uint8_t n, const char* name) {
    return {kOxmClassPktRegs, n, name, kOfp13};
}

constexpr MfField def(MfId id, const char* name, const char* alias, uint8_t n_bytes, uint16_t n_bits, bool maskable,
                      MfPrereq prereq, bool writable, Code n, Code o) {
    return MfField{
        .id = id,
        .name = name,
        .alias = alias,
        .n_bytes = n_bytes,
        .n_bits = n_bits,
        .maskable = maskable,
        .prereq = prereq,
        .writable = writable,
        .nxm = n.name ? nxm_header(n.cls, n.field, n_bytes) : 0,
        .nxm_name = n.name,
        .oxm = o.name ? nxm_header(o.cls, o.field, n_bytes) : 0,
        .oxm_name = o.name,
        .oxm_version = o.name ? o.version : uint8_t{0},
    };
}

constexpr bool kMask = true, kExact = false;
constexpr bool kRw = true, kRo = false;

// "writable" is OpenFlow's access (OVS's read/write); whether the datapath
// can rewrite the header is translation's business.
constexpr std::array<MfField, kMfCount> kFields = [] {
    std::array<MfField, kMfCount> t{
        // Metadata.
        def(MfId::InPort, "in_port", nullptr, 2, 16, kExact, P::None, kRw, nxm0(0, "NXM_OF_IN_PORT"), kNone),
        def(MfId::InPortOxm, "in_port_oxm", nullptr, 4, 32, kExact, P::None, kRw, kNone, oxm(0, "OXM_OF_IN_PORT")),
        def(MfId::Metadata, "metadata", nullptr, 8, 64, kMask, P::None, kRw, kNone, oxm(2, "OXM_OF_METADATA")),
        def(MfId::Reg0, "reg0", nullptr, 4, 32, kMask, P::None, kRw, nxm1(0, "NXM_NX_REG0"), kNone),
        def(MfId::Reg1, "reg1", nullptr, 4, 32, kMask, P::None, kRw, nxm1(1, "NXM_NX_REG1"), kNone),
        def(MfId::Reg2, "reg2", nullptr, 4, 32, kMask, P::None, kRw, nxm1(2, "NXM_NX_REG2"), kNone),
        def(MfId::Reg3, "reg3", nullptr, 4, 32, kMask, P::None, kRw, nxm1(3, "NXM_NX_REG3"), kNone),
        def(MfId::Reg4, "reg4", nullptr, 4, 32, kMask, P::None, kRw, nxm1(4, "NXM_NX_REG4"), kNone),
        def(MfId::Reg5, "reg5", nullptr, 4, 32, kMask, P::None, kRw, nxm1(5, "NXM_NX_REG5"), kNone),
        def(MfId::Reg6, "reg6", nullptr, 4, 32, kMask, P::None, kRw, nxm1(6, "NXM_NX_REG6"), kNone),
        def(MfId::Reg7, "reg7", nullptr, 4, 32, kMask, P::None, kRw, nxm1(7, "NXM_NX_REG7"), kNone),
        def(MfId::Reg8, "reg8", nullptr, 4, 32, kMask, P::None, kRw, nxm1(8, "NXM_NX_REG8"), kNone),
        def(MfId::Reg9, "reg9", nullptr, 4, 32, kMask, P::None, kRw, nxm1(9, "NXM_NX_REG9"), kNone),
        def(MfId::Reg10, "reg10", nullptr, 4, 32, kMask, P::None, kRw, nxm1(10, "NXM_NX_REG10"), kNone),
        def(MfId::Reg11, "reg11", nullptr, 4, 32, kMask, P::None, kRw, nxm1(11, "NXM_NX_REG11"), kNone),
        def(MfId::Reg12, "reg12", nullptr, 4, 32, kMask, P::None, kRw, nxm1(12, "NXM_NX_REG12"), kNone),
        def(MfId::Reg13, "reg13", nullptr, 4, 32, kMask, P::None, kRw, nxm1(13, "NXM_NX_REG13"), kNone),
        def(MfId::Reg14, "reg14", nullptr, 4, 32, kMask, P::None, kRw, nxm1(14, "NXM_NX_REG14"), kNone),
        def(MfId::Reg15, "reg15", nullptr, 4, 32, kMask, P::None, kRw, nxm1(15, "NXM_NX_REG15"), kNone),
        def(MfId::Xreg0, "xreg0", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(0, "OXM_OF_PKT_REG0")),
        def(MfId::Xreg1, "xreg1", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(1, "OXM_OF_PKT_REG1")),
        def(MfId::Xreg2, "xreg2", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(2, "OXM_OF_PKT_REG2")),
        def(MfId::Xreg3, "xreg3", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(3, "OXM_OF_PKT_REG3")),
        def(MfId::Xreg4, "xreg4", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(4, "OXM_OF_PKT_REG4")),
        def(MfId::Xreg5, "xreg5", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(5, "OXM_OF_PKT_REG5")),
        def(MfId::Xreg6, "xreg6", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(6, "OXM_OF_PKT_REG6")),
        def(MfId::Xreg7, "xreg7", nullptr, 8, 64, kMask, P::None, kRw, kNone, pkt_reg(7, "OXM_OF_PKT_REG7")),
        def(MfId::Xxreg0, "xxreg0", nullptr, 16, 128, kMask, P::None, kRw, nxm1(111, "NXM_NX_XXREG0"), kNone),
        def(MfId::Xxreg1, "xxreg1", nullptr, 16, 128, kMask, P::None, kRw, nxm1(112, "NXM_NX_XXREG1"), kNone),
        def(MfId::Xxreg2, "xxreg2", nullptr, 16, 128, kMask, P::None, kRw, nxm1(113, "NXM_NX_XXREG2"), kNone),
        def(MfId::Xxreg3, "xxreg3", nullptr, 16, 128, kMask, P::None, kRw, nxm1(114, "NXM_NX_XXREG3"), kNone),
        def(MfId::PktMark, "pkt_mark", nullptr, 4, 32, kMask, P::None, kRw, nxm1(33, "NXM_NX_PKT_MARK"), kNone),
        def(MfId::ConjId, "conj_id", nullptr, 4, 32, kExact, P::None, kRo, nxm1(37, "NXM_NX_CONJ_ID"), kNone),
        def(MfId::TunId, "tun_id", "tunnel_id", 8, 64, kMask, P::None, kRw, nxm1(16, "NXM_NX_TUN_ID"),
            oxm(38, "OXM_OF_TUNNEL_ID", kOfp13)),
        def(MfId::TunSrc, "tun_src", nullptr, 4, 32, kMask, P::None, kRw, nxm1(31, "NXM_NX_TUN_IPV4_SRC"), kNone),
        def(MfId::TunDst, "tun_dst", nullptr, 4, 32, kMask, P::None, kRw, nxm1(32, "NXM_NX_TUN_IPV4_DST"), kNone),
        def(MfId::TunIpv6Src, "tun_ipv6_src", nullptr, 16, 128, kMask, P::None, kRw,
            nxm1(109, "NXM_NX_TUN_IPV6_SRC"), kNone),
        def(MfId::TunIpv6Dst, "tun_ipv6_dst", nullptr, 16, 128, kMask, P::None, kRw,
            nxm1(110, "NXM_NX_TUN_IPV6_DST"), kNone),
        // L2.
        def(MfId::EthSrc, "eth_src", "dl_src", 6, 48, kMask, P::None, kRw, nxm0(2, "NXM_OF_ETH_SRC"),
            oxm(4, "OXM_OF_ETH_SRC")),
        def(MfId::EthDst, "eth_dst", "dl_dst", 6, 48, kMask, P::None, kRw, nxm0(1, "NXM_OF_ETH_DST"),
            oxm(3, "OXM_OF_ETH_DST")),
        def(MfId::EthType, "eth_type", "dl_type", 2, 16, kExact, P::None, kRo, nxm0(3, "NXM_OF_ETH_TYPE"),
            oxm(5, "OXM_OF_ETH_TYPE")),
        def(MfId::VlanTci, "vlan_tci", nullptr, 2, 16, kMask, P::None, kRw, nxm0(4, "NXM_OF_VLAN_TCI"), kNone),
        def(MfId::DlVlan, "dl_vlan", nullptr, 2, 12, kExact, P::None, kRw, kNone, kNone),
        def(MfId::DlVlanPcp, "dl_vlan_pcp", nullptr, 1, 3, kExact, P::None, kRw, kNone, kNone),
        def(MfId::VlanVid, "vlan_vid", nullptr, 2, 12, kMask, P::None, kRw, kNone, oxm(6, "OXM_OF_VLAN_VID")),
        def(MfId::VlanPcp, "vlan_pcp", nullptr, 1, 3, kExact, P::VlanTag, kRw, kNone, oxm(7, "OXM_OF_VLAN_PCP")),
        // L3.
        def(MfId::IpProto, "nw_proto", "ip_proto", 1, 8, kExact, P::Ip, kRo, nxm0(6, "NXM_OF_IP_PROTO"),
            oxm(10, "OXM_OF_IP_PROTO")),
        def(MfId::IpDscp, "nw_tos", nullptr, 1, 8, kExact, P::Ip, kRw, nxm0(5, "NXM_OF_IP_TOS"), kNone),
        def(MfId::IpDscpOxm, "ip_dscp", nullptr, 1, 6, kExact, P::Ip, kRw, kNone, oxm(8, "OXM_OF_IP_DSCP")),
        def(MfId::IpEcn, "nw_ecn", "ip_ecn", 1, 2, kExact, P::Ip, kRw, nxm1(28, "NXM_NX_IP_ECN"),
            oxm(9, "OXM_OF_IP_ECN")),
        def(MfId::IpTtl, "nw_ttl", nullptr, 1, 8, kExact, P::Ip, kRw, nxm1(29, "NXM_NX_IP_TTL"), kNone),
        def(MfId::IpFrag, "ip_frag", "nw_frag", 1, 2, kMask, P::Ip, kRo, nxm1(26, "NXM_NX_IP_FRAG"), kNone),
        def(MfId::Ipv4Src, "ip_src", "nw_src", 4, 32, kMask, P::Ipv4, kRw, nxm0(7, "NXM_OF_IP_SRC"),
            oxm(11, "OXM_OF_IPV4_SRC")),
        def(MfId::Ipv4Dst, "ip_dst", "nw_dst", 4, 32, kMask, P::Ipv4, kRw, nxm0(8, "NXM_OF_IP_DST"),
            oxm(12, "OXM_OF_IPV4_DST")),
        def(MfId::Ipv6Src, "ipv6_src", nullptr, 16, 128, kMask, P::Ipv6, kRw, nxm1(19, "NXM_NX_IPV6_SRC"),
            oxm(26, "OXM_OF_IPV6_SRC")),
        def(MfId::Ipv6Dst, "ipv6_dst", nullptr, 16, 128, kMask, P::Ipv6, kRw, nxm1(20, "NXM_NX_IPV6_DST"),
            oxm(27, "OXM_OF_IPV6_DST")),
        def(MfId::Ipv6Label, "ipv6_label", nullptr, 4, 20, kMask, P::Ipv6, kRw, nxm1(27, "NXM_NX_IPV6_LABEL"),
            oxm(28, "OXM_OF_IPV6_FLABEL")),
        def(MfId::ArpOp, "arp_op", nullptr, 2, 16, kExact, P::Arp, kRw, nxm0(15, "NXM_OF_ARP_OP"),
            oxm(21, "OXM_OF_ARP_OP")),
        def(MfId::ArpSpa, "arp_spa", nullptr, 4, 32, kMask, P::Arp, kRw, nxm0(16, "NXM_OF_ARP_SPA"),
            oxm(22, "OXM_OF_ARP_SPA")),
        def(MfId::ArpTpa, "arp_tpa", nullptr, 4, 32, kMask, P::Arp, kRw, nxm0(17, "NXM_OF_ARP_TPA"),
            oxm(23, "OXM_OF_ARP_TPA")),
        def(MfId::ArpSha, "arp_sha", nullptr, 6, 48, kMask, P::Arp, kRw, nxm1(17, "NXM_NX_ARP_SHA"),
            oxm(24, "OXM_OF_ARP_SHA")),
        def(MfId::ArpTha, "arp_tha", nullptr, 6, 48, kMask, P::Arp, kRw, nxm1(18, "NXM_NX_ARP_THA"),
            oxm(25, "OXM_OF_ARP_THA")),
        // L4.
        def(MfId::TcpSrc, "tcp_src", "tp_src", 2, 16, kMask, P::Tcp, kRw, nxm0(9, "NXM_OF_TCP_SRC"),
            oxm(13, "OXM_OF_TCP_SRC")),
        def(MfId::TcpDst, "tcp_dst", "tp_dst", 2, 16, kMask, P::Tcp, kRw, nxm0(10, "NXM_OF_TCP_DST"),
            oxm(14, "OXM_OF_TCP_DST")),
        def(MfId::UdpSrc, "udp_src", nullptr, 2, 16, kMask, P::Udp, kRw, nxm0(11, "NXM_OF_UDP_SRC"),
            oxm(15, "OXM_OF_UDP_SRC")),
        def(MfId::UdpDst, "udp_dst", nullptr, 2, 16, kMask, P::Udp, kRw, nxm0(12, "NXM_OF_UDP_DST"),
            oxm(16, "OXM_OF_UDP_DST")),
        def(MfId::SctpSrc, "sctp_src", nullptr, 2, 16, kMask, P::Sctp, kRw, kNone, oxm(17, "OXM_OF_SCTP_SRC")),
        def(MfId::SctpDst, "sctp_dst", nullptr, 2, 16, kMask, P::Sctp, kRw, kNone, oxm(18, "OXM_OF_SCTP_DST")),
        def(MfId::TcpFlags, "tcp_flags", nullptr, 2, 12, kMask, P::Tcp, kRo, nxm1(34, "NXM_NX_TCP_FLAGS"),
            oxm(42, "OXM_OF_TCP_FLAGS", kOfp15)),
        def(MfId::IcmpType, "icmp_type", nullptr, 1, 8, kExact, P::Icmpv4, kRw, nxm0(13, "NXM_OF_ICMP_TYPE"),
            oxm(19, "OXM_OF_ICMPV4_TYPE")),
        def(MfId::IcmpCode, "icmp_code", nullptr, 1, 8, kExact, P::Icmpv4, kRw, nxm0(14, "NXM_OF_ICMP_CODE"),
            oxm(20, "OXM_OF_ICMPV4_CODE")),
        def(MfId::Icmpv6Type, "icmpv6_type", nullptr, 1, 8, kExact, P::Icmpv6, kRw, nxm1(21, "NXM_NX_ICMPV6_TYPE"),
            oxm(29, "OXM_OF_ICMPV6_TYPE")),
        def(MfId::Icmpv6Code, "icmpv6_code", nullptr, 1, 8, kExact, P::Icmpv6, kRw, nxm1(22, "NXM_NX_ICMPV6_CODE"),
            oxm(30, "OXM_OF_ICMPV6_CODE")),
        def(MfId::NdTarget, "nd_target", nullptr, 16, 128, kMask, P::Nd, kRw, nxm1(23, "NXM_NX_ND_TARGET"),
            oxm(31, "OXM_OF_IPV6_ND_TARGET")),
        def(MfId::NdSll, "nd_sll", nullptr, 6, 48, kMask, P::NdSolicit, kRw, nxm1(24, "NXM_NX_ND_SLL"),
            oxm(32, "OXM_OF_IPV6_ND_SLL")),
        def(MfId::NdTll, "nd_tll", nullptr, 6, 48, kMask, P::NdAdvert, kRw, nxm1(25, "NXM_NX_ND_TLL"),
            oxm(33, "OXM_OF_IPV6_ND_TLL")),
    };
    // OpenFlow 1.5 standardised tcp_flags; OVS speaks the ONF extension
    // the 1.3 "extensions" document defined to 1.3 and 1.4 peers.
    MfField& tf = t[static_cast<size_t>(MfId::TcpFlags)];
    tf.exp_oxm = nxm_header(kOxmClassExperimenter, 42, 4 + 2);
    tf.exp_id = kOnfExperimenterId;
    tf.exp_name = "ONFOXM_ET_TCP_FLAGS";
    tf.exp_version = kOfp13;
    return t;
}();

// Every MfId has its entry, in enum order (mf_field() indexes by id).
constexpr bool table_in_order() {
    for (size_t i = 0; i < kMfCount; i++)
        if (static_cast<size_t>(kFields[i].id) != i || !kFields[i].name) return false;
    return true;
}
static_assert(table_in_order());

// A header without its length and mask bit, plus the experimenter id.
uint64_t header_key(uint32_t header, uint32_t experimenter) {
    uint32_t h = header & 0xfffffe00u;
    return (uint64_t{h} << 32) | (nxm_class(header) == kOxmClassExperimenter ? experimenter : 0);
}

struct Indexes {
    std::unordered_map<std::string_view, const MfField*> by_name;
    std::unordered_map<uint64_t, const MfField*> by_header;
    struct Named {
        const MfField* field;
        MfWireHeader header;
    };
    std::unordered_map<std::string_view, Named> by_wire_name;
    std::unordered_map<uint64_t, const char*> header_names;

    Indexes() {
        for (const MfField& f : kFields) {
            by_name.emplace(f.name, &f);
            if (f.alias) by_name.emplace(f.alias, &f);
            auto add = [&](uint32_t h, uint32_t exp, const char* name) {
                if (!h) return;
                by_header.emplace(header_key(h, exp), &f);
                by_wire_name.emplace(name, Named{&f, {h, exp}});
                header_names.emplace(header_key(h, exp), name);
            };
            add(f.nxm, 0, f.nxm_name);
            add(f.oxm, 0, f.oxm_name);
            add(f.exp_oxm, f.exp_id, f.exp_name);
        }
    }
};

const Indexes& indexes() {
    static const Indexes idx;
    return idx;
}

}  // namespace

const MfField& mf_field(MfId id) {
    return kFields[static_cast<size_t>(id)];
}

const MfField* mf_from_name(std::string_view name) {
    auto& m = indexes().by_name;
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
}

const MfField* mf_from_wire_header(const MfWireHeader& h) {
    auto& m = indexes().by_header;
    auto it = m.find(header_key(h.header, h.experimenter));
    return it == m.end() ? nullptr : it->second;
}

const MfField* mf_from_nxm_header(uint32_t header) {
    if (nxm_class(header) == kOxmClassExperimenter) return nullptr;
    return mf_from_wire_header({header, 0});
}

const MfField* mf_from_oxm_header(uint32_t header) {
    return mf_from_nxm_header(header);
}

MfWireHeader mf_wire_header(const MfField& f, uint8_t version) {
    // OVS orders a field's codes by the version that introduced them (NXM
    // codes count as version 0) and uses the newest one 'version' has,
    // falling back to the oldest when none qualifies.
    struct Cand {
        uint32_t header;
        uint32_t exp;
        uint8_t version;
    };
    Cand cands[3];
    int n = 0;
    if (f.nxm) cands[n++] = {f.nxm, 0, 0};
    if (f.exp_oxm && f.exp_version <= (f.oxm ? f.oxm_version : 0xff)) cands[n++] = {f.exp_oxm, f.exp_id, f.exp_version};
    if (f.oxm) cands[n++] = {f.oxm, 0, f.oxm_version};
    if (f.exp_oxm && f.oxm && f.exp_version > f.oxm_version) cands[n++] = {f.exp_oxm, f.exp_id, f.exp_version};
    if (!n) return {};
    const Cand* pick = &cands[0];
    for (int i = 1; i < n; i++)
        if (version >= cands[i].version) pick = &cands[i];
    return {pick->header, pick->exp};
}

const char* mf_wire_header_name(const MfWireHeader& h) {
    auto& m = indexes().header_names;
    auto it = m.find(header_key(h.header, h.experimenter));
    return it == m.end() ? nullptr : it->second;
}

const MfField* mf_from_wire_name(std::string_view name, MfWireHeader* h) {
    auto& m = indexes().by_wire_name;
    auto it = m.find(name);
    if (it == m.end()) return nullptr;
    if (h) *h = it->second.header;
    return it->second.field;
}

}  // namespace xvs::ofproto
