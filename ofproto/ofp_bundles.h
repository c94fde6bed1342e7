// OpenFlow bundles: OFPT_BUNDLE_CONTROL and OFPT_BUNDLE_ADD_MESSAGE (1.4+,
// and ONF's experimenter forms in 1.3). Pure codecs, as ofp_msgs.h; the
// connection manager keeps the bundles and commits them.
#pragma once

#include <cstdint>
#include <span>
#include <variant>

#include "ofproto/ofp_msgs.h"

namespace xvs::ofproto {

enum class BundleCtrlType : uint16_t {
    OpenRequest = 0,
    OpenReply = 1,
    CloseRequest = 2,
    CloseReply = 3,
    CommitRequest = 4,
    CommitReply = 5,
    DiscardRequest = 6,
    DiscardReply = 7,
};
inline constexpr uint16_t kBundleAtomic = 1 << 0;   // OFPBF_ATOMIC
inline constexpr uint16_t kBundleOrdered = 1 << 1;  // OFPBF_ORDERED

struct OfpBundleCtrl {
    uint32_t bundle_id = 0;
    BundleCtrlType type = BundleCtrlType::OpenRequest;
    uint16_t flags = 0;
};
// Properties are ignored, as Open vSwitch does.
std::variant<OfpBundleCtrl, OfpError> decode_bundle_ctrl(std::span<const uint8_t> msg);
// The reply to 'request' (same version, xid and framing) with 'type' and
// no flags.
Bytes encode_bundle_ctrl_reply(std::span<const uint8_t> request, BundleCtrlType type);

struct OfpBundleAdd {
    uint32_t bundle_id = 0;
    uint16_t flags = 0;
    std::span<const uint8_t> inner;  // the message to bundle (points into the outer one)
    OfpType inner_type = OfpType::FlowMod;
};
// Checks as Open vSwitch: the inner message's length (OFPBFC_MSG_BAD_LEN),
// version (OFPBFC_BAD_VERSION) and xid (OFPBFC_BAD_XID: the outer one's),
// and that it is a message bundles may hold (flow, group and port mods and
// packet-outs; else OFPBFC_MSG_UNSUP).
std::variant<OfpBundleAdd, OfpError> decode_bundle_add(std::span<const uint8_t> msg);
Bytes encode_bundle_ctrl(uint8_t version, const OfpBundleCtrl& c, uint32_t xid);
Bytes encode_bundle_add(uint8_t version, uint32_t bundle_id, uint16_t flags, std::span<const uint8_t> inner);

}  // namespace xvs::ofproto
