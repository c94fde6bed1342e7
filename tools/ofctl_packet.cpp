// A packet as ovs-ofctl prints one in a packet-in or packet-out: every
// field the packet has, in match syntax, then its L4 checksum. Open
// vSwitch extracts the flow and formats it as an exact match of the fields
// that apply to the packet's protocols (zero metadata left out); so do we,
// with the datapath's flow extraction and the match formatter.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "compiler/flow_extract.h"
#include "ofproto/nx_match.h"
#include "tools/ofctl_print.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

void all_ones(void* p, size_t n) {
    std::memset(p, 0xff, n);
}

// The fields a packet of this kind has: Ethernet and the first VLAN tag
// always, then L3 and L4 by protocol (no L4 in later fragments).
Flow packet_mask(const xvs_flow_key& k) {
    Flow w{};
    auto& m = w.pkt;
    all_ones(m.eth_dst, 6);
    all_ones(m.eth_src, 6);
    m.eth_type = 0xffff;
    m.vlan_tci = 0xffff;
    uint16_t type = ntohs(k.eth_type);
    if (type == 0x0800) {
        m.nw_src[0] = m.nw_dst[0] = 0xffffffff;
    } else if (type == 0x86dd) {
        all_ones(m.nw_src, 16);
        all_ones(m.nw_dst, 16);
        m.ipv6_label = htonl(0xfffff);
        uint16_t icmp_type = ntohs(k.tp_src);
        if (k.nw_proto == 58 && !(k.nw_frag & XVS_FRAG_LATER) && (icmp_type == 135 || icmp_type == 136) &&
            k.tp_dst == 0) {
            all_ones(m.arp_sha, 6);
            all_ones(m.arp_tha, 6);
            all_ones(m.nd_target, 16);
        }
    } else if (type == 0x0806 || type == 0x8035) {
        m.nw_src[0] = m.nw_dst[0] = 0xffffffff;
        m.nw_proto = 0xff;
        all_ones(m.arp_sha, 6);
        all_ones(m.arp_tha, 6);
        return w;
    } else {
        return w;
    }
    m.nw_frag = XVS_FRAG_ANY | XVS_FRAG_LATER;
    m.nw_tos = 0xff;
    m.nw_ttl = 0xff;
    m.nw_proto = 0xff;
    uint8_t p = k.nw_proto;
    if (!(k.nw_frag & XVS_FRAG_LATER) && (p == 1 || p == 58 || p == 6 || p == 17 || p == 132 || p == 2)) {
        m.tp_src = m.tp_dst = 0xffff;
        if (p == 6) m.tcp_flags = htons(0x0fff);
    }
    return w;
}

uint16_t be16_at(std::span<const uint8_t> b, size_t ofs) {
    return uint16_t(b[ofs] << 8 | b[ofs + 1]);
}

// How many bytes of transport header and payload the frame has past
// 'l4_off', Ethernet padding excluded (as OVS's dp_packet_l4_size()).
size_t l4_size(std::span<const uint8_t> frame, const HeaderOffsets& ofs) {
    if (!ofs.l4_off || ofs.l4_off > frame.size()) return 0;
    size_t end = frame.size();
    if (ofs.eth_type == 0x0800 && ofs.l3_off + 4 <= frame.size()) {
        end = std::min(end, size_t(ofs.l3_off) + be16_at(frame, ofs.l3_off + 2));
    } else if (ofs.eth_type == 0x86dd && ofs.l3_off + 6 <= frame.size()) {
        end = std::min(end, size_t(ofs.l3_off) + 40 + be16_at(frame, ofs.l3_off + 4));
    }
    return end > ofs.l4_off ? end - ofs.l4_off : 0;
}

}  // namespace

std::string packet_to_string(std::span<const uint8_t> frame) {
    HeaderOffsets ofs;
    xvs_flow_key key = flow_extract(frame, ExtractContext{}, &ofs);
    Match m;
    m.flow.pkt = key;
    m.flow.pkt.in_port = 0;
    m.flow.pkt.recirc_id = 0;
    m.flow.pkt.parse_flags = 0;
    m.mask = packet_mask(key);
    m = Match::make(m.flow, m.mask);
    std::string s = format_match(m);
    if (key.vlan_tci) {
        // The inner tag (or its absence) after the outer one, which the
        // match formatter leaves out: right before dl_src.
        uint16_t tci = ntohs(key.cvlan_tci);
        std::string inner = tci & kVlanCfi ? fmt::format(",dl_vlan1={},dl_vlan_pcp1={}", tci & kVlanVidMask, tci >> 13)
                                           : fmt::format(",vlan_tci1={:#06x}", tci);
        if (size_t at = s.find(",dl_src="); at != std::string::npos) s.insert(at, inner);
    }
    size_t n = l4_size(frame, ofs);
    uint8_t p = key.nw_proto;
    bool ip = ofs.eth_type == 0x0800 || ofs.eth_type == 0x86dd;
    if (ip && !(key.nw_frag & XVS_FRAG_LATER) && ofs.l4_off) {
        auto l4 = frame.subspan(ofs.l4_off);
        if (p == 6 && n >= 20) {
            s += fmt::format(" tcp_csum:{:x}", be16_at(l4, 16));
        } else if (p == 17 && n >= 8) {
            s += fmt::format(" udp_csum:{:x}", be16_at(l4, 6));
        } else if (p == 132 && n >= 12) {
            s += fmt::format(" sctp_csum:{:x}", uint32_t(be16_at(l4, 8)) << 16 | be16_at(l4, 10));
        } else if (p == 1 && n >= 8) {
            s += fmt::format(" icmp_csum:{:x}", be16_at(l4, 2));
        } else if (p == 58 && n >= 4) {
            s += fmt::format(" icmp6_csum:{:x}", be16_at(l4, 2));
        }
    }
    return s + "\n";
}

}  // namespace xvs::ofctl
