// Match text (nx_match.h): ovs-ofctl's flow match syntax, and the
// parse-nx-match notation of NXM/OXM TLVs.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "ofproto/meta_flow.h"
#include "ofproto/meta_flow_internal.h"
#include "ofproto/nx_match.h"

namespace xvs::ofproto {

using namespace mf_internal;

namespace {

uint64_t load_be64(const uint8_t (&b)[8]) {
    uint64_t x = 0;
    for (uint8_t c : b) x = (x << 8) | c;
    return x;
}

constexpr uint16_t kEthIp = 0x0800, kEthIpv6 = 0x86dd, kEthArp = 0x0806, kEthRarp = 0x8035;
constexpr uint8_t kProtoTcp = 6, kProtoUdp = 17, kProtoSctp = 132, kProtoIcmp = 1, kProtoIcmpv6 = 58;
constexpr int kDefaultPriority = 32768;

MfValue value_of(const void* p, size_t n) {
    MfValue v;
    std::memcpy(&v.b[16 - n], p, n);
    return v;
}

bool all_zero(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

// Builds the comma-separated text the way OVS's match_format does: every
// item ends with ',' and the last one is chomped.
struct Out {
    std::string s;
    void item(std::string_view name, std::string_view value) { s += fmt::format("{}={},", name, value); }
    void word(std::string_view w) { s += fmt::format("{},", w); }

    // format_uint32_masked / format_be64_masked: "%#x" ("0" for zero).
    static std::string hex0x(uint64_t v) { return v ? fmt::format("{:#x}", v) : "0"; }
    void u32(std::string_view name, uint32_t v, uint32_t m) {
        if (!m) return;
        s += fmt::format("{}={}", name, hex0x(v));
        if (m != UINT32_MAX) s += "/" + hex0x(m);
        s += ',';
    }
    void u64(std::string_view name, uint64_t v, uint64_t m) {
        if (!m) return;
        s += fmt::format("{}={}", name, hex0x(v));
        if (m != UINT64_MAX) s += "/" + hex0x(m);
        s += ',';
    }
    // format_be16_masked: decimal when exact, else "0x%x/0x%x".
    void be16(std::string_view name, uint16_t v_net, uint16_t m_net) {
        if (!m_net) return;
        uint16_t v = ntohs(v_net), m = ntohs(m_net);
        if (m == 0xffff)
            item(name, fmt::format("{}", v));
        else
            item(name, fmt::format("{:#x}/{:#x}", v, m));
    }
    void mac(std::string_view name, const uint8_t (&v)[6], const uint8_t (&m)[6]) {
        if (all_zero(m, 6)) return;
        item(name, format_mac_masked(value_of(v, 6), value_of(m, 6)));
    }
    void ipv4(std::string_view name, uint32_t v_net, uint32_t m_net) {
        if (!m_net) return;
        item(name, format_ipv4_masked(value_of(&v_net, 4), value_of(&m_net, 4)));
    }
    void ipv6(std::string_view name, const uint32_t (&v)[4], const uint32_t (&m)[4]) {
        if (all_zero(m, 16)) return;
        item(name, format_ipv6_masked(value_of(v, 16), value_of(m, 16)));
    }
};

// The shorthand for eth_type (and ip_proto when it has one); sets *skip_proto
// when the shorthand says ip_proto too.
const char* shorthand(uint16_t eth_type, bool proto_matched, uint8_t proto, bool* skip_proto) {
    *skip_proto = false;
    if (eth_type == kEthIp || eth_type == kEthIpv6) {
        bool v6 = eth_type == kEthIpv6;
        if (proto_matched) {
            *skip_proto = true;
            if (!v6 && proto == kProtoIcmp) return "icmp";
            if (v6 && proto == kProtoIcmpv6) return "icmp6";
            if (proto == kProtoTcp) return v6 ? "tcp6" : "tcp";
            if (proto == kProtoUdp) return v6 ? "udp6" : "udp";
            if (proto == kProtoSctp) return v6 ? "sctp6" : "sctp";
            *skip_proto = false;
        }
        return v6 ? "ipv6" : "ip";
    }
    if (eth_type == kEthArp) return "arp";
    if (eth_type == kEthRarp) return "rarp";
    return nullptr;
}

void format_vlan(Out& o, const Flow& f, const Flow& w) {
    uint16_t tci = ntohs(f.pkt.vlan_tci), mask = ntohs(w.pkt.vlan_tci);
    if (!mask) return;
    uint16_t vid_mask = mask & kVlanVidMask, pcp_mask = mask & kVlanPcpMask;
    if ((mask & kVlanCfi) && (tci & kVlanCfi) && (!vid_mask || vid_mask == kVlanVidMask) &&
        (!pcp_mask || pcp_mask == kVlanPcpMask) && (vid_mask || pcp_mask)) {
        if (vid_mask) o.item("dl_vlan", fmt::format("{}", tci & kVlanVidMask));
        if (pcp_mask) o.item("dl_vlan_pcp", fmt::format("{}", tci >> 13));
    } else if (mask == 0xffff) {
        o.item("vlan_tci", fmt::format("{:#06x}", tci));
    } else {
        o.item("vlan_tci", fmt::format("{:#06x}/{:#06x}", tci, mask));
    }
}

void format_frag(Out& o, uint8_t frag, uint8_t mask) {
    mask &= XVS_FRAG_ANY | XVS_FRAG_LATER;
    if (mask == (XVS_FRAG_ANY | XVS_FRAG_LATER)) {
        const char* s = frag & XVS_FRAG_ANY ? (frag & XVS_FRAG_LATER ? "later" : "first")
                                            : (frag & XVS_FRAG_LATER ? "<error>" : "no");
        o.item("nw_frag", s);
    } else if (mask == XVS_FRAG_ANY) {
        o.item("nw_frag", frag & XVS_FRAG_ANY ? "yes" : "no");
    } else if (mask == XVS_FRAG_LATER) {
        o.item("nw_frag", frag & XVS_FRAG_LATER ? "later" : "not_later");
    }
}

struct Protocol {
    const char* name;
    uint16_t eth_type;
    uint8_t proto;
};
constexpr Protocol kProtocols[] = {
    {"ip", kEthIp, 0},
    {"ipv4", kEthIp, 0},
    {"ip4", kEthIp, 0},
    {"arp", kEthArp, 0},
    {"icmp", kEthIp, kProtoIcmp},
    {"tcp", kEthIp, kProtoTcp},
    {"udp", kEthIp, kProtoUdp},
    {"sctp", kEthIp, kProtoSctp},
    {"ipv6", kEthIpv6, 0},
    {"ip6", kEthIpv6, 0},
    {"icmp6", kEthIpv6, kProtoIcmpv6},
    {"tcp6", kEthIpv6, kProtoTcp},
    {"udp6", kEthIpv6, kProtoUdp},
    {"sctp6", kEthIpv6, kProtoSctp},
    {"rarp", kEthRarp, 0},
};

MfValue uint_value(uint64_t x, unsigned n_bytes) {
    MfValue v;
    for (unsigned i = 0; i < n_bytes; i++) {
        v.b[15 - i] = static_cast<uint8_t>(x);
        x >>= 8;
    }
    return v;
}

const char* prereq_text(MfPrereq p) {
    switch (p) {
        case MfPrereq::None:
            return "nothing";
        case MfPrereq::VlanTag:
            return "a VLAN tag (vlan_tci or dl_vlan)";
        case MfPrereq::Arp:
            return "arp or rarp";
        case MfPrereq::Ip:
            return "ip or ipv6";
        case MfPrereq::Ipv4:
            return "ip";
        case MfPrereq::Ipv6:
            return "ipv6";
        case MfPrereq::Tcp:
            return "tcp or tcp6 (and not nw_frag=later)";
        case MfPrereq::Udp:
            return "udp or udp6 (and not nw_frag=later)";
        case MfPrereq::Sctp:
            return "sctp or sctp6 (and not nw_frag=later)";
        case MfPrereq::Icmpv4:
            return "icmp";
        case MfPrereq::Icmpv6:
            return "icmp6";
        case MfPrereq::Nd:
            return "icmp6 with icmp_type=135 or 136 and icmp_code=0";
        case MfPrereq::NdSolicit:
            return "icmp6 with icmp_type=135 and icmp_code=0";
        case MfPrereq::NdAdvert:
            return "icmp6 with icmp_type=136 and icmp_code=0";
    }
    return "?";
}

}  // namespace

std::string match_format(const Match& m, int priority) {
    const Flow& f = m.flow;
    const Flow& w = m.mask;
    Out o;
    if (priority != kDefaultPriority) o.item("priority", fmt::format("{}", priority));
    o.u32("pkt_mark", f.pkt_mark, w.pkt_mark);
    if (w.conj_id) o.item("conj_id", fmt::format("{}", f.conj_id));

    const uint16_t eth_type = ntohs(f.pkt.eth_type);
    bool skip_type = false, skip_proto = false;
    if (w.pkt.eth_type) {
        if (const char* s = shorthand(eth_type, w.pkt.nw_proto != 0, f.pkt.nw_proto, &skip_proto)) {
            o.word(s);
            skip_type = true;
        }
    }
    for (int i = 0; i < kFlowNRegs; i++) o.u32(fmt::format("reg{}", i), f.regs[i], w.regs[i]);
    o.u64("tun_id", load_be64(f.tun_id), load_be64(w.tun_id));
    o.ipv4("tun_src", f.tun_src, w.tun_src);
    o.ipv4("tun_dst", f.tun_dst, w.tun_dst);
    o.ipv6("tun_ipv6_src", f.tun_ipv6_src, w.tun_ipv6_src);
    o.ipv6("tun_ipv6_dst", f.tun_ipv6_dst, w.tun_ipv6_dst);
    o.u64("metadata", f.metadata, w.metadata);
    if (w.in_port) o.item("in_port", mf_format_port(f.in_port));
    format_vlan(o, f, w);
    o.mac("dl_src", f.pkt.eth_src, w.pkt.eth_src);
    o.mac("dl_dst", f.pkt.eth_dst, w.pkt.eth_dst);
    if (!skip_type && w.pkt.eth_type) o.item("dl_type", fmt::format("{:#06x}", eth_type));

    const bool arp = eth_type == kEthArp || eth_type == kEthRarp;
    if (eth_type == kEthIpv6) {
        o.ipv6("ipv6_src", f.pkt.nw_src, w.pkt.nw_src);
        o.ipv6("ipv6_dst", f.pkt.nw_dst, w.pkt.nw_dst);
        if (uint32_t lm = ntohl(w.pkt.ipv6_label)) {
            uint32_t lv = ntohl(f.pkt.ipv6_label);
            o.item("ipv6_label", lm == 0xfffff ? fmt::format("{:#07x}", lv) : fmt::format("{:#07x}/{:#07x}", lv, lm));
        }
    } else {
        o.ipv4(arp ? "arp_spa" : "nw_src", f.pkt.nw_src[0], w.pkt.nw_src[0]);
        o.ipv4(arp ? "arp_tpa" : "nw_dst", f.pkt.nw_dst[0], w.pkt.nw_dst[0]);
    }
    if (!skip_proto && w.pkt.nw_proto) o.item(arp ? "arp_op" : "nw_proto", fmt::format("{}", f.pkt.nw_proto));
    if (arp) {
        o.mac("arp_sha", f.pkt.arp_sha, w.pkt.arp_sha);
        o.mac("arp_tha", f.pkt.arp_tha, w.pkt.arp_tha);
    }
    if (w.pkt.nw_tos & 0xfc) o.item("nw_tos", fmt::format("{}", f.pkt.nw_tos & 0xfc));
    if (w.pkt.nw_tos & 0x03) o.item("nw_ecn", fmt::format("{}", f.pkt.nw_tos & 0x03));
    if (w.pkt.nw_ttl) o.item("nw_ttl", fmt::format("{}", f.pkt.nw_ttl));
    format_frag(o, f.pkt.nw_frag, w.pkt.nw_frag);

    if (eth_type == kEthIp && f.pkt.nw_proto == kProtoIcmp) {
        o.be16("icmp_type", f.pkt.tp_src, w.pkt.tp_src);
        o.be16("icmp_code", f.pkt.tp_dst, w.pkt.tp_dst);
    } else if (eth_type == kEthIpv6 && f.pkt.nw_proto == kProtoIcmpv6) {
        o.be16("icmp_type", f.pkt.tp_src, w.pkt.tp_src);
        o.be16("icmp_code", f.pkt.tp_dst, w.pkt.tp_dst);
        o.ipv6("nd_target", f.pkt.nd_target, w.pkt.nd_target);
        o.mac("nd_sll", f.pkt.arp_sha, w.pkt.arp_sha);
        o.mac("nd_tll", f.pkt.arp_tha, w.pkt.arp_tha);
    } else {
        o.be16("tp_src", f.pkt.tp_src, w.pkt.tp_src);
        o.be16("tp_dst", f.pkt.tp_dst, w.pkt.tp_dst);
    }
    if ((eth_type == kEthIp || eth_type == kEthIpv6) && f.pkt.nw_proto == kProtoTcp && w.pkt.tcp_flags)
        o.item("tcp_flags", format_tcp_flags_masked(ntohs(f.pkt.tcp_flags), ntohs(w.pkt.tcp_flags)));

    if (!o.s.empty()) o.s.pop_back();
    return o.s;
}

bool match_parse_field(std::string_view name, std::string_view value, Match* m, std::string* error) {
    auto fail = [&](std::string msg) {
        if (error) *error = std::move(msg);
        return false;
    };
    for (const Protocol& p : kProtocols) {
        if (name != p.name) continue;
        const MfValue ones = uint_value(~uint64_t{0}, 8);
        bool ok = mf_set_match(mf_field(MfId::EthType), uint_value(p.eth_type, 2), ones, m);
        if (ok && p.proto) ok = mf_set_match(mf_field(MfId::IpProto), uint_value(p.proto, 1), ones, m);
        return ok || fail(std::string(name) + ": cannot be matched");
    }
    if (name == "mpls" || name == "mplsm") return fail(std::string(name) + ": MPLS is not supported");
    // The Ethernet packet type: the only kind this switch has.
    if (name == "eth") return true;

    if (const MfField* f = mf_from_name(name)) {
        if (value.empty()) return true;
        MfValue v, mask;
        std::string err;
        if (!mf_parse_value(*f, value, &v, &mask, &err)) return fail(err);
        if (!mf_set_match(*f, v, mask, m))
            return fail(fmt::format("{}={}: not a valid value or mask for {}", name, value, f->name));
        return true;
    }
    if (name.find('[') != std::string_view::npos) {
        std::string err;
        auto sf = mf_parse_subfield(name, &err);
        if (!sf) return fail(err);
        const MfField& f = *sf->field;
        MfValue x;
        if (!parse_integer(value, f.n_bytes, &x))
            return fail(fmt::format("{}: cannot parse integer value: {}", name, value));
        if (sf->n_bits < 128 && (to_u128(x) >> sf->n_bits))
            return fail(fmt::format("{}: value {} does not fit into {} bits", name, value, sf->n_bits));
        MfValue cur, cur_mask;
        mf_get_match(f, *m, &cur, &cur_mask);
        u128 bits = low_bits(sf->n_bits) << sf->ofs;
        MfValue nv = from_u128((to_u128(cur) & ~bits) | (to_u128(x) << sf->ofs));
        MfValue nm = from_u128(to_u128(cur_mask) | bits);
        if (!mf_set_match(f, nv, nm, m))
            return fail(fmt::format("{}={}: not a valid value for {}", name, value, f.name));
        return true;
    }
    return fail(std::string(name) + ": unknown field");
}

bool match_finish(Match* m, std::string* error) {
    // Rebuild the match entry by entry as a switch decodes it: each entry's
    // prerequisites must be matched, and what cannot be written as an entry
    // (a field whose protocol is not matched) shows up as a difference.
    Match r;
    for (const MatchEntry& e : match_entries(*m, 0)) {
        if (!mf_prereqs_ok(*e.field, r)) {
            if (error)
                *error =
                    fmt::format("{}: prerequisites not met (needs {})", e.field->name, prereq_text(e.field->prereq));
            return false;
        }
        MfValue mask = e.masked ? e.mask : mf_exact_mask(*e.field);
        if (!mf_set_match(*e.field, e.value, mask, &r)) {
            if (error) *error = fmt::format("{}: cannot be matched this way", e.field->name);
            return false;
        }
    }
    if (r == *m) return true;
    // Name the fields that were lost.
    Match diff;
    diff.mask = m->mask;
    {
        auto a = flow_words(diff.mask);
        auto b = flow_words(r.mask);
        auto fa = flow_words(m->flow);
        auto fb = flow_words(r.flow);
        for (size_t i = 0; i < kFlowWords; i++) a[i] = (a[i] ^ b[i]) | (fa[i] ^ fb[i]);
    }
    std::string names;
    std::string needs;
    for (size_t i = 0; i < kMfCount; i++) {
        const MfField& f = mf_field(static_cast<MfId>(i));
        if (!mf_is_set_in_match(f, diff) || mf_prereqs_ok(f, *m)) continue;
        names += names.empty() ? f.name : std::string(", ") + f.name;
        needs += needs.empty() ? prereq_text(f.prereq) : std::string("; ") + prereq_text(f.prereq);
    }
    if (error) {
        *error = names.empty() ? "the match sets bits no OpenFlow field covers"
                               : fmt::format("prerequisites not met for {} (needs {})", names, needs);
    }
    return false;
}

bool match_parse(std::string_view text, Match* m, std::string* error) {
    *m = Match{};
    size_t i = 0;
    while (i < text.size()) {
        size_t end = text.find_first_of(", \t\r\n", i);
        if (end == std::string_view::npos) end = text.size();
        std::string_view item = text.substr(i, end - i);
        i = end + 1;
        if (item.empty()) continue;
        // As ovs-ofctl, "name=value" or "name:value".
        size_t eq = item.find_first_of("=:");
        std::string_view name = item.substr(0, eq);
        std::string_view value = eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1);
        if (!match_parse_field(name, value, m, error)) return false;
    }
    return match_finish(m, error);
}

// ---- parse-nx-match notation --------------------------------------------

namespace {

constexpr uint32_t kNxmCookie = nxm_header(kNxmClass1, 30, 8);

std::string entry_name(uint32_t header, uint32_t exp, size_t width) {
    bool masked = nxm_hasmask(header);
    const MfField* f = mf_from_wire_header({header, exp});
    const char* name = f && f->n_bytes == width ? mf_wire_header_name({header, exp}) : nullptr;
    if (!name && (header & 0xfffffe00u) == (kNxmCookie & 0xfffffe00u) && width == 8) name = "NXM_NX_COOKIE";
    if (!name) return fmt::format("{}:{}", nxm_class(header), nxm_field(header));
    return std::string(name) + (masked ? "_W" : "");
}

int hexit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Hex byte pairs at the start of *s (stops at anything else).
std::vector<uint8_t> take_hex(std::string_view* s) {
    std::vector<uint8_t> out;
    while (s->size() >= 2 && hexit((*s)[0]) >= 0 && hexit((*s)[1]) >= 0) {
        out.push_back(static_cast<uint8_t>(hexit((*s)[0]) * 16 + hexit((*s)[1])));
        s->remove_prefix(2);
    }
    return out;
}

std::optional<uint64_t> hex_number(std::string_view s) {
    uint64_t v = 0;
    for (char c : s) {
        int d = hexit(c);
        if (d < 0) return std::nullopt;
        v = v * 16 + static_cast<uint64_t>(d);
    }
    return v;
}

}  // namespace

std::string nx_match_to_string(std::span<const uint8_t> tlvs) {
    if (tlvs.empty()) return "<any>";
    std::string s;
    size_t off = 0;
    while (off + 4 <= tlvs.size()) {
        uint32_t header = (uint32_t{tlvs[off]} << 24) | (uint32_t{tlvs[off + 1]} << 16) |
                          (uint32_t{tlvs[off + 2]} << 8) | tlvs[off + 3];
        size_t hlen = 4;
        uint32_t exp = 0;
        if (nxm_class(header) == kOxmClassExperimenter) {
            if (off + 8 > tlvs.size()) break;
            exp = (uint32_t{tlvs[off + 4]} << 24) | (uint32_t{tlvs[off + 5]} << 16) | (uint32_t{tlvs[off + 6]} << 8) |
                  tlvs[off + 7];
            hlen = 8;
        }
        if (nxm_length(header) < hlen - 4) break;
        size_t payload = nxm_length(header) - (hlen - 4);
        if (off + hlen + payload > tlvs.size()) break;
        size_t width = nxm_hasmask(header) ? payload / 2 : payload;
        if (!s.empty()) s += ", ";
        s += entry_name(header, exp, width) + "(";
        const uint8_t* p = &tlvs[off + hlen];
        for (size_t i = 0; i < width; i++) s += fmt::format("{:02x}", p[i]);
        if (nxm_hasmask(header)) {
            s += '/';
            for (size_t i = 0; i < width; i++) s += fmt::format("{:02x}", p[width + i]);
        }
        s += ')';
        off += hlen + payload;
    }
    if (off < tlvs.size()) s += fmt::format("{}<{} invalid bytes>", s.empty() ? "" : ", ", tlvs.size() - off);
    return s;
}

std::optional<std::vector<uint8_t>> nx_match_from_string(std::string_view text, std::string* error) {
    auto fail = [&](std::string msg) -> std::optional<std::vector<uint8_t>> {
        if (error) *error = std::string(text) + ": " + msg;
        return std::nullopt;
    };
    std::vector<uint8_t> out;
    if (text == "<any>") return out;
    std::string_view s = text;
    auto skip = [&] {
        while (!s.empty() && (s[0] == ',' || s[0] == ' ')) s.remove_prefix(1);
    };
    for (skip(); !s.empty(); skip()) {
        size_t paren = s.find('(');
        if (paren == std::string_view::npos) return fail("missing ( at end of nx_match");
        std::string_view name = s.substr(0, paren);
        s.remove_prefix(paren + 1);

        uint32_t header = 0, exp = 0;
        bool named = true;
        std::string_view base = name;
        bool wild = base.size() > 2 && base.substr(base.size() - 2) == "_W";
        if (wild) base.remove_suffix(2);
        MfWireHeader h;
        const MfField* f = mf_from_wire_name(base, &h);
        if (f && (!wild || f->maskable)) {
            header = h.header;
            exp = h.experimenter;
            if (wild)
                header = (header & 0xffffff00u) | 0x100u | ((nxm_length(header) - (exp ? 4 : 0)) * 2 + (exp ? 4 : 0));
        } else if (base == "NXM_NX_COOKIE") {
            header = wild ? (nxm_header(kNxmClass1, 30, 16) | 0x100) : kNxmCookie;
        } else if (name.size() == 8 && hex_number(name)) {
            header = static_cast<uint32_t>(*hex_number(name));
            named = false;
        } else if (name.size() == 16 && hex_number(name) && (*hex_number(name) >> 48) == kOxmClassExperimenter) {
            uint64_t x = *hex_number(name);
            header = static_cast<uint32_t>(x >> 32);
            exp = static_cast<uint32_t>(x);
            named = false;
        } else {
            return fail("unknown field `" + std::string(name) + "'");
        }
        const bool masked = nxm_hasmask(header);
        std::vector<uint8_t> value = take_hex(&s), mask;
        if (masked) {
            if (s.empty() || s[0] != '/') return fail("missing / in masked field");
            s.remove_prefix(1);
            mask = take_hex(&s);
        }
        if (s.empty() || s[0] != ')') return fail("missing ) following field");
        s.remove_prefix(1);
        size_t exp_len = nxm_class(header) == kOxmClassExperimenter ? 4 : 0;
        size_t expect = nxm_length(header) >= exp_len ? (nxm_length(header) - exp_len) / (masked ? 2 : 1) : 0;
        if (named && value.size() != expect)
            return fail(fmt::format("expected to read {} bytes but got {}", expect, value.size()));
        for (int i = 3; i >= 0; i--) out.push_back(static_cast<uint8_t>(header >> (8 * i)));
        if (exp_len)
            for (int i = 3; i >= 0; i--) out.push_back(static_cast<uint8_t>(exp >> (8 * i)));
        out.insert(out.end(), value.begin(), value.end());
        out.insert(out.end(), mask.begin(), mask.end());
    }
    return out;
}

}  // namespace xvs::ofproto
