// Facts about encoded datapath action lists that both the text syntax and
// the loader need.
#pragma once

#include <cstdint>

#include <span>

#include "util/result.h"
#include "xvs/abi.h"

namespace xvs::compiler {

// Actions that rewrite the packet.
bool is_edit_action(uint16_t type);

// XVS_AL_NEEDS_SKB when XDP cannot run the list whatever the ports: it sends
// more than one copy, or rewrites or recirculates after sending.
uint16_t structural_action_flags(const xvs_action_list& actions);

// Encodes a translated action sequence into the datapath's fixed-size
// list, with its flags. Fails, naming the limit, when the datapath cannot
// run it (more than XVS_MAX_ACTIONS actions).
Result<xvs_action_list> encode_action_list(std::span<const xvs_action> actions);

}  // namespace xvs::compiler
