// Masks derived from a packet's key.
#pragma once

#include "xvs/abi.h"

namespace xvs::compiler {

// Every field the parse of this packet could fill, given its protocols: the
// mask that shows a packet's key as it is (upcall printing), and the most
// specific megaflow for it.
xvs_flow_key natural_mask(const xvs_flow_key& key);

}  // namespace xvs::compiler
