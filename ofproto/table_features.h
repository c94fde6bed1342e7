// What the flow tables can do, as OpenFlow 1.3+ describes it: the
// OFPMP_TABLE_FEATURES reply (1.3-1.5) and the OFPMP_TABLE_DESC reply
// (1.4+). Every table of xvs is the same, so the replies are derived from
// the table count and from what the codecs and the datapath support: the
// field registry (meta_flow.h) for matches, a fixed list for the
// instructions, actions and settable fields.
//
// ovs-ofctl asks for table features before every 1.3+ flow mod (to learn
// table names) and refuses a reply whose tables lack any of the eight
// properties 1.3 calls required, so every table carries all of them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ofproto/ofp_msgs.h"

namespace xvs::ofproto {

// Whether 'request' is a table features request with a body, i.e. a
// controller asking to reconfigure the tables. xvs does not allow that:
// the caller answers with OFPTFFC_EPERM. False for anything else.
bool table_features_request_is_set(std::span<const uint8_t> request);

// The reply to a table features request: one entry per table
// 0..n_tables-1 (n_tables <= 255, as 255 means "all tables"), split into
// messages under 64 KiB with the "more" flag on all but the last. Nothing
// (empty) when 'request' is not a table features request or is a set.
std::vector<Bytes> encode_table_features_reply(std::span<const uint8_t> request, uint8_t n_tables);

// The reply to a 1.4+ table desc request: one entry per table, config 0
// (no eviction, no vacancy events), no properties. Empty when 'request' is
// not a table desc request.
std::vector<Bytes> encode_table_desc_reply(std::span<const uint8_t> request, uint8_t n_tables);

}  // namespace xvs::ofproto
