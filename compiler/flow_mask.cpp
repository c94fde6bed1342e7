#include "compiler/flow_mask.h"

#include <arpa/inet.h>

#include <cstring>

namespace xvs::compiler {

namespace {

template <typename T>
void ones(T& field) {
    std::memset(&field, 0xff, sizeof field);
}

void l4_mask(const xvs_flow_key& k, xvs_flow_key& m, bool ipv6) {
    switch (k.nw_proto) {
    case 6:
        ones(m.tcp_flags);
        [[fallthrough]];
    case 17:
    case 132:
        ones(m.tp_src);
        ones(m.tp_dst);
        break;
    case 1:
        if (!ipv6) break;
        return;
    case 58:
        if (!ipv6) return;
        ones(m.tp_src);
        ones(m.tp_dst);
        if ((ntohs(k.tp_src) == 135 || ntohs(k.tp_src) == 136) && k.tp_dst == 0) {
            ones(m.nd_target);
            ones(m.arp_sha);
            ones(m.arp_tha);
        }
        return;
    default:
        return;
    }
    if (k.nw_proto == 1) {
        ones(m.tp_src);
        ones(m.tp_dst);
    }
}

}  // namespace

xvs_flow_key natural_mask(const xvs_flow_key& k) {
    xvs_flow_key m{};
    ones(m.recirc_id);
    ones(m.in_port);
    ones(m.parse_flags);
    if (k.parse_flags & XVS_PF_L2_TRUNC) return m;
    ones(m.eth_src);
    ones(m.eth_dst);
    ones(m.eth_type);
    if (k.vlan_tpid) {
        ones(m.vlan_tpid);
        ones(m.vlan_tci);
    }
    if (k.cvlan_tpid) {
        ones(m.cvlan_tpid);
        ones(m.cvlan_tci);
    }
    uint16_t type = ntohs(k.eth_type);
    if (type == 0x0806 || type == 0x8035) {
        ones(m.nw_proto);
        m.nw_src[0] = m.nw_dst[0] = 0xffffffff;
        ones(m.arp_sha);
        ones(m.arp_tha);
    } else if (type == 0x0800 || type == 0x86dd) {
        bool v6 = type == 0x86dd;
        ones(m.nw_proto);
        ones(m.nw_tos);
        ones(m.nw_ttl);
        ones(m.nw_frag);
        if (v6) {
            ones(m.nw_src);
            ones(m.nw_dst);
            ones(m.ipv6_label);
        } else {
            m.nw_src[0] = m.nw_dst[0] = 0xffffffff;
        }
        if (!(k.nw_frag & XVS_FRAG_LATER)) l4_mask(k, m, v6);
    }
    return m;
}

}  // namespace xvs::compiler
