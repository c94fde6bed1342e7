#include "compiler/dp_actions.h"

#include <algorithm>

namespace xvs::compiler {

bool is_edit_action(uint16_t type) {
    switch (type) {
    case XVS_ACT_PUSH_VLAN:
    case XVS_ACT_POP_VLAN:
    case XVS_ACT_SET_ETH_SRC:
    case XVS_ACT_SET_ETH_DST:
    case XVS_ACT_SET_IPV4_SRC:
    case XVS_ACT_SET_IPV4_DST:
    case XVS_ACT_SET_IPV4_TOS:
    case XVS_ACT_SET_IPV4_TTL:
    case XVS_ACT_SET_IPV6_SRC:
    case XVS_ACT_SET_IPV6_DST:
    case XVS_ACT_SET_IPV6_TC:
    case XVS_ACT_SET_IPV6_HLIMIT:
    case XVS_ACT_DEC_TTL:
    case XVS_ACT_SET_TP_SRC:
    case XVS_ACT_SET_TP_DST:
        return true;
    default:
        return false;
    }
}

uint16_t structural_action_flags(const xvs_action_list& actions) {
    int sends = 0;
    for (uint32_t i = 0; i < actions.n && i < XVS_MAX_ACTIONS; i++) {
        uint16_t t = actions.a[i].type;
        if (t == XVS_ACT_OUTPUT || t == XVS_ACT_FLOOD) {
            if (++sends > 1) return XVS_AL_NEEDS_SKB;
        } else if (sends && (is_edit_action(t) || t == XVS_ACT_RECIRC)) {
            return XVS_AL_NEEDS_SKB;
        }
    }
    return 0;
}

Result<xvs_action_list> encode_action_list(std::span<const xvs_action> actions) {
    if (actions.size() > XVS_MAX_ACTIONS)
        return make_error("{} datapath actions; the datapath runs at most {} per flow", actions.size(), XVS_MAX_ACTIONS);
    xvs_action_list list{};
    list.n = static_cast<uint16_t>(actions.size());
    std::copy(actions.begin(), actions.end(), list.a);
    list.flags = structural_action_flags(list);
    return list;
}

}  // namespace xvs::compiler
