// Facts about encoded datapath action lists that both the text syntax and
// the loader need.
#pragma once

#include <cstdint>

#include "xvs/abi.h"

namespace xvs::compiler {

// Actions that rewrite the packet.
bool is_edit_action(uint16_t type);

// XVS_AL_NEEDS_SKB when XDP cannot run the list whatever the ports: it sends
// more than one copy, or rewrites or recirculates after sending.
uint16_t structural_action_flags(const xvs_action_list& actions);

}  // namespace xvs::compiler
