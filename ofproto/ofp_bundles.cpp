#include "ofproto/ofp_bundles.h"

#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace {

constexpr uint8_t kOfptBundleControl = 33, kOfptBundleAdd = 34;
constexpr uint32_t kOnfBundleControl = 2300, kOnfBundleAdd = 2301;

// The start of a bundle message: 1.4+ its own type, 1.3 ONF's experimenter.
Bytes start_bundle_msg(uint8_t version, bool add, uint32_t xid) {
    if (version >= kOfp14) return start_msg(version, add ? kOfptBundleAdd : kOfptBundleControl, xid);
    Bytes b = start_msg(version, kOfptVendor, xid);
    Writer w(b);
    w.u32(kOnfVendorId);
    w.u32(add ? kOnfBundleAdd : kOnfBundleControl);
    return b;
}

}  // namespace

std::variant<OfpBundleCtrl, OfpError> decode_bundle_ctrl(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::BundleControl14, Raw::OnfBundleControl});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    Reader r(std::get<MsgInfo>(res).body());
    OfpBundleCtrl c;
    c.bundle_id = r.u32();
    c.type = static_cast<BundleCtrlType>(r.u16());
    c.flags = r.u16();
    if (!r.ok()) return bad_len("bundle control");
    return c;
}

Bytes encode_bundle_ctrl_reply(std::span<const uint8_t> request, BundleCtrlType type) {
    auto res = classify_as(request, {Raw::BundleControl14, Raw::OnfBundleControl});
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    Bytes b(info.msg.begin(), info.msg.begin() + info.hdr_len);
    Reader r(info.body());
    Writer w(b);
    w.u32(r.u32());
    w.u16(static_cast<uint16_t>(type));
    w.u16(0);
    finish_msg(b);
    return b;
}

std::variant<OfpBundleAdd, OfpError> decode_bundle_add(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::BundleAdd14, Raw::OnfBundleAdd});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpBundleAdd a;
    a.bundle_id = r.u32();
    r.skip(2);
    a.flags = r.u16();
    auto rest = info.body().subspan(std::min<size_t>(8, info.body().size()));
    if (!r.ok() || rest.size() < kOfpHeaderLen) return make_error(OfpErr::OFPBFC_MSG_BAD_LEN, "no message in the bundle add");
    OfpHeader inner = ofp_header(rest);
    if (inner.version != info.version)
        return make_error(OfpErr::OFPBFC_BAD_VERSION, "the bundled message's version differs from the bundle's");
    if (inner.length < kOfpHeaderLen || inner.length > rest.size())
        return make_error(OfpErr::OFPBFC_MSG_BAD_LEN, "the bundled message's length is wrong");
    if (inner.xid != info.xid) return make_error(OfpErr::OFPBFC_BAD_XID, "the bundled message's xid differs from the bundle's");
    a.inner = rest.subspan(0, inner.length);
    auto t = decode_type(a.inner);
    if (std::holds_alternative<OfpError>(t)) return make_error(OfpErr::OFPBFC_MSG_UNSUP, "the bundled message is unparsable");
    a.inner_type = std::get<OfpType>(t);
    switch (a.inner_type) {
        case OfpType::FlowMod:
        case OfpType::GroupMod:
        case OfpType::PortMod:
        case OfpType::PacketOut: return a;
        default: return make_error(OfpErr::OFPBFC_MSG_UNSUP, "this message cannot be bundled");
    }
}

Bytes encode_bundle_ctrl(uint8_t version, const OfpBundleCtrl& c, uint32_t xid) {
    Bytes b = start_bundle_msg(version, false, xid);
    Writer w(b);
    w.u32(c.bundle_id);
    w.u16(static_cast<uint16_t>(c.type));
    w.u16(c.flags);
    finish_msg(b);
    return b;
}

Bytes encode_bundle_add(uint8_t version, uint32_t bundle_id, uint16_t flags, std::span<const uint8_t> inner) {
    uint32_t xid = inner.size() >= kOfpHeaderLen ? ofp_header(inner).xid : 0;
    Bytes b = start_bundle_msg(version, true, xid);
    Writer w(b);
    w.u32(bundle_id);
    w.u16(0);
    w.u16(flags);
    b.insert(b.end(), inner.begin(), inner.end());
    finish_msg(b);
    return b;
}

}  // namespace xvs::ofproto
