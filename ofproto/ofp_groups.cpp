// Group and meter messages (ofp_groups.h): group mods in their three wire
// forms (OpenFlow 1.1-1.4's ofp11_group_mod; OpenFlow 1.5's ofp15_group_mod,
// which Nicira's NXT_GROUP_MOD carries for 1.0), group stats / desc /
// features replies, meter mods and meter stats / config / features replies.
//
// Decoding follows Open vSwitch's ofputil_decode_group_mod() and
// ofputil_decode_meter_mod() check for check, so that a controller gets the
// error it would get from Open vSwitch, plus the few checks OVS makes later
// in ofproto that need no switch state (reserved group and meter ids, meter
// flags the datapath refuses).
#include "ofproto/ofp_groups.h"

#include <algorithm>
#include <set>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_msgs_internal.h"

namespace xvs::ofproto {

using namespace ofpwire;

namespace {

constexpr uint8_t kOfptGroupMod = 15;  // OpenFlow 1.1+
constexpr uint8_t kOfptMeterMod = 29;  // OpenFlow 1.3+
constexpr uint32_t kNxtGroupMod = 31;

// Fixed parts of the wire structures.
constexpr size_t kOfp11BucketLen = 16;  // len, weight, watch_port, watch_group, pad
constexpr size_t kOfp15BucketLen = 8;   // len, action_array_len, bucket_id
constexpr size_t kMeterBandLen = 16;    // every band type has this size

// OpenFlow 1.5 bucket properties (OFPGBPT15_*).
constexpr uint16_t kBucketPropWeight = 0, kBucketPropWatchPort = 1, kBucketPropWatchGroup = 2;

// Netronome's selection method group property: an experimenter property
// (OFPGPT15_EXPERIMENTER) with a NUL-terminated method name, a parameter
// and the fields to hash as OXM headers with masks for values. Open vSwitch
// 2.4 wrote the experimenter id as 0x1540; both are accepted.
constexpr uint16_t kGroupPropExperimenter = 0xffff;
constexpr uint32_t kNtrVendorId = 0x0000154d, kNtrCompatVendorId = 0x00001540;
constexpr uint32_t kNtrtSelectionMethod = 1;
constexpr size_t kNtrPropLen = 40;  // header, experimenter, exp_type, pad, name, param
constexpr size_t kNtrMethodLen = 16;

bool is_any_port(uint32_t port) {
    return port == kOfppAny32 || port == kOfppNone;
}

// A bucket that says when it is live (what fast failover needs and all /
// indirect groups may not have).
bool has_liveness(const OfpBucket& b) {
    return !is_any_port(b.watch_port) || b.watch_group != kOfpgAny;
}

// ---- Decoding group mods ------------------------------------------------------

std::optional<OfpError> bad_bucket(std::string what) {
    return make_error(OfpErr::OFPGMFC_BAD_BUCKET, std::move(what));
}

// A watch port as the 1.1+ wire has it, converted to our numbering.
std::optional<OfpError> watch_port_from_wire(uint32_t wire, uint32_t* port) {
    auto p = port_from_ofp11(wire);
    if (!p) return make_error(OfpErr::OFPGMFC_BAD_WATCH, "watch_port " + std::to_string(wire) + " out of range");
    *port = any_if_none(*p);
    return std::nullopt;
}

// The ofp11_bucket list that fills 'in'; buckets are numbered 0, 1, ...
std::optional<OfpError> pull_ofp11_buckets(std::span<const uint8_t> in, uint8_t version, std::vector<OfpBucket>* out) {
    Reader r(in);
    uint32_t next_id = 0;
    while (r.remaining()) {
        if (r.remaining() < kOfp11BucketLen) {
            return bad_bucket("buckets end with " + std::to_string(r.remaining()) + " leftover bytes");
        }
        Reader hdr = r;
        size_t len = hdr.u16();
        if (len < kOfp11BucketLen) return bad_bucket("bucket length " + std::to_string(len));
        if (len > r.remaining()) {
            return bad_bucket("bucket length " + std::to_string(len) + " exceeds the " + std::to_string(r.remaining()) +
                              " bytes left");
        }
        Reader b = r.sub(len);
        b.skip(2);
        OfpBucket bucket;
        bucket.weight = b.u16();
        uint32_t watch_port = b.u32();
        bucket.watch_group = b.u32();
        b.skip(4);
        if (auto e = ofpacts_pull(b.rest(), version, &bucket.actions)) return e;
        if (auto e = watch_port_from_wire(watch_port, &bucket.watch_port)) return e;
        bucket.bucket_id = next_id++;
        out->push_back(std::move(bucket));
    }
    return std::nullopt;
}

// The properties of one ofp15_bucket.
std::optional<OfpError> pull_bucket_props(std::span<const uint8_t> in, uint16_t* weight, uint32_t* watch_port,
                                          uint32_t* watch_group) {
    Reader r(in);
    while (r.remaining()) {
        Prop p;
        if (auto e = pull_prop(r, &p)) return e;
        if (p.experimenter) {
            return make_error(OfpErr::OFPBPC_BAD_EXP_TYPE, "unknown group bucket experimenter property");
        }
        switch (p.type) {
            case kBucketPropWeight:
                // OVS takes any payload of at least 2 bytes (the standard
                // pads the 16-bit weight to 8 bytes).
                if (p.body.size() < 2) return make_error(OfpErr::OFPBPC_BAD_LEN, "bucket weight property length");
                *weight = Reader(p.body).u16();
                break;
            case kBucketPropWatchPort:
            case kBucketPropWatchGroup: {
                auto v = prop_u32(p);
                if (!v) return make_error(OfpErr::OFPBPC_BAD_LEN, "bucket watch property length");
                *(p.type == kBucketPropWatchPort ? watch_port : watch_group) = *v;
                break;
            }
            default:
                return make_error(OfpErr::OFPBPC_BAD_TYPE, "unknown group bucket property " + std::to_string(p.type));
        }
    }
    return std::nullopt;
}

// The ofp15_bucket list that fills 'in'. Buckets without a weight property
// weigh 1 in select groups, 0 in the others.
std::optional<OfpError> pull_ofp15_buckets(std::span<const uint8_t> in, uint8_t version, uint8_t group_type,
                                           std::vector<OfpBucket>* out) {
    Reader r(in);
    while (r.remaining()) {
        if (r.remaining() < kOfp15BucketLen) {
            return bad_bucket("buckets end with " + std::to_string(r.remaining()) + " leftover bytes");
        }
        Reader hdr = r;
        size_t len = hdr.u16();
        size_t actions_len = hdr.u16();
        if (len < kOfp15BucketLen) return bad_bucket("bucket length " + std::to_string(len));
        if (len > r.remaining()) {
            return bad_bucket("bucket length " + std::to_string(len) + " exceeds the " + std::to_string(r.remaining()) +
                              " bytes left");
        }
        if (actions_len > len - kOfp15BucketLen) {
            return bad_bucket("bucket actions length " + std::to_string(actions_len) + " exceeds the bucket");
        }
        Reader b = r.sub(len);
        b.skip(4);
        OfpBucket bucket;
        bucket.bucket_id = b.u32();
        if (auto e = ofpacts_pull(b.bytes(actions_len), version, &bucket.actions)) return e;
        uint16_t weight = group_type == uint8_t(GroupType::Select) ? 1 : 0;
        uint32_t watch_port = kOfppAny32, watch_group = kOfpgAny;
        if (auto e = pull_bucket_props(b.rest(), &weight, &watch_port, &watch_group)) return e;
        bucket.weight = weight;
        if (auto e = watch_port_from_wire(watch_port, &bucket.watch_port)) return e;
        bucket.watch_group = watch_group;
        if (bucket.bucket_id > kBucketMax) return bad_bucket("bucket id " + std::to_string(bucket.bucket_id));
        out->push_back(std::move(bucket));
    }
    std::set<uint32_t> ids;
    for (const auto& b : *out) {
        if (!ids.insert(b.bucket_id).second) return bad_bucket("duplicate bucket id " + std::to_string(b.bucket_id));
    }
    return std::nullopt;
}

using SelectionFields = std::vector<std::pair<const MfField*, MfValue>>;

// The OXM field array of a selection method: headers without the mask bit,
// each value the mask of the bits to hash. Errors as OVS's
// oxm_pull_field_array() gives them.
std::optional<OfpError> pull_field_array(std::span<const uint8_t> in, SelectionFields* out) {
    Reader r(in);
    while (r.remaining()) {
        size_t ofs = r.offset();
        auto at = [&](std::string what) { return what + " at offset " + std::to_string(ofs) + " of the field array"; };
        if (!r.has(4)) return make_error(OfpErr::OFPBMC_BAD_LEN, at("truncated OXM header"));
        MfWireHeader h{r.u32(), 0};
        size_t exp_len = 0;
        if (nxm_class(h.header) == kOxmClassExperimenter) {
            if (!r.has(4)) return make_error(OfpErr::OFPBMC_BAD_LEN, at("truncated experimenter OXM header"));
            h.experimenter = r.u32();
            exp_len = 4;
        }
        if (nxm_length(h.header) < exp_len) return make_error(OfpErr::OFPBMC_BAD_LEN, at("OXM length too short"));
        size_t payload_len = nxm_length(h.header) - exp_len;
        if (!r.has(payload_len)) return make_error(OfpErr::OFPBMC_BAD_LEN, at("OXM payload truncated"));
        auto payload = r.bytes(payload_len);
        if (nxm_hasmask(h.header)) {
            size_t width = payload_len / 2;
            for (size_t i = 0; i < width; i++) {
                if (payload[i] & ~payload[width + i]) {
                    return make_error(OfpErr::OFPBMC_BAD_WILDCARDS, at("OXM value outside its mask"));
                }
            }
            return make_error(OfpErr::OFPBMC_BAD_MASK, at("masked OXM in a field array"));
        }
        const MfField* f = mf_from_wire_header(h);
        if (!f || payload_len != f->n_bytes) return make_error(OfpErr::OFPBMC_BAD_FIELD, at("unknown OXM field"));
        for (const auto& [seen, mask] : *out) {
            if (seen->id == f->id) return make_error(OfpErr::OFPBMC_DUP_FIELD, at(std::string("duplicate ") + f->name));
        }
        MfValue mask;
        std::copy(payload.begin(), payload.end(), mask.b + 16 - payload_len);
        if (!mf_is_mask_valid(*f, mask)) {
            return make_error(OfpErr::OFPBMC_BAD_MASK, at(std::string("bad mask for ") + f->name));
        }
        out->emplace_back(f, mask);
    }
    return std::nullopt;
}

// Netronome's selection method property of a group mod with wire type
// 'type' and command 'command', into gm.
std::optional<OfpError> pull_selection_method(const Prop& p, uint8_t type, uint16_t command, OfpGroupMod* gm) {
    if (type != uint8_t(GroupType::Select)) {
        if (type > uint8_t(GroupType::FastFailover)) {
            return make_error(OfpErr::OFPGMFC_BAD_TYPE, "unknown group type " + std::to_string(type));
        }
        return make_error(OfpErr::OFPBPC_BAD_VALUE, "selection method property on a non-select group");
    }
    switch (GroupModCommand(command)) {
        case GroupModCommand::Add:
        case GroupModCommand::Modify:
        case GroupModCommand::AddOrModify:
            break;
        case GroupModCommand::Delete:
        case GroupModCommand::InsertBucket:
        case GroupModCommand::RemoveBucket:
            return make_error(OfpErr::OFPBPC_BAD_VALUE, "selection method property only in add and modify");
        default:
            return make_error(OfpErr::OFPGMFC_BAD_COMMAND, "unknown group mod command " + std::to_string(command));
    }
    if (p.whole.size() < kNtrPropLen) {
        return make_error(OfpErr::OFPBPC_BAD_LEN, "selection method property length " + std::to_string(p.whole.size()));
    }
    Reader r(p.whole.subspan(16));
    auto name_bytes = r.bytes(kNtrMethodLen);
    if (std::find(name_bytes.begin(), name_bytes.end(), 0) == name_bytes.end()) {
        return make_error(OfpErr::OFPBPC_BAD_VALUE, "selection method name not NUL-terminated");
    }
    std::string name(reinterpret_cast<const char*>(name_bytes.data()));
    if (name != "hash" && name != "dp_hash") {
        return make_error(OfpErr::OFPBPC_BAD_VALUE, "selection method '" + name + "' not supported");
    }
    gm->selection_method = name;
    gm->selection_method_param = r.u64();
    auto fields = r.rest();
    gm->selection_method_fields.clear();
    if (!fields.empty() && name != "hash") {
        return make_error(OfpErr::OFPBPC_BAD_VALUE, "selection method " + name + " takes no fields");
    }
    return pull_field_array(fields, &gm->selection_method_fields);
}

// The group properties of a 1.5 group mod.
std::optional<OfpError> pull_group_props(std::span<const uint8_t> in, uint8_t type, uint16_t command, OfpGroupMod* gm) {
    Reader r(in);
    while (r.remaining()) {
        Prop p;
        if (auto e = pull_prop(r, &p)) return e;
        if (p.type != kGroupPropExperimenter) {
            return make_error(OfpErr::OFPBPC_BAD_TYPE, "unknown group property " + std::to_string(p.type));
        }
        if ((p.experimenter != kNtrVendorId && p.experimenter != kNtrCompatVendorId) ||
            p.exp_type != kNtrtSelectionMethod) {
            return make_error(OfpErr::OFPBPC_BAD_EXP_TYPE, "unknown group experimenter property");
        }
        if (auto e = pull_selection_method(p, type, command, gm)) return e;
    }
    return std::nullopt;
}

std::optional<OfpError> pull_ofp15_group_mod(const MsgInfo& info, OfpGroupMod* gm) {
    Reader r(info.body());
    uint16_t command = r.u16();
    uint8_t type = r.u8();
    r.skip(1);
    gm->command = GroupModCommand(command);
    gm->type = GroupType(type);
    gm->group_id = r.u32();
    size_t buckets_len = r.u16();
    r.skip(2);
    gm->command_bucket_id = r.u32();

    // Which command_bucket_id each command takes: insert goes after a
    // bucket, first or last; remove also takes "all"; the rest only "all".
    uint32_t cb = gm->command_bucket_id;
    bool cb_ok = false;
    switch (gm->command) {
        case GroupModCommand::RemoveBucket:
            cb_ok = cb == kBucketAll;
            [[fallthrough]];
        case GroupModCommand::InsertBucket:
            cb_ok = cb_ok || cb <= kBucketMax || cb == kBucketFirst || cb == kBucketLast;
            break;
        default:
            cb_ok = cb == kBucketAll;
            break;
    }
    if (!cb_ok) return bad_bucket("command bucket id " + std::to_string(cb) + " out of range");

    if (buckets_len > r.remaining()) {
        return bad_len("bucket array length " + std::to_string(buckets_len) + " exceeds the message");
    }
    if (auto e = pull_ofp15_buckets(r.bytes(buckets_len), info.version, type, &gm->buckets)) return e;
    return pull_group_props(r.rest(), type, command, gm);
}

std::optional<OfpError> pull_ofp11_group_mod(const MsgInfo& info, OfpGroupMod* gm) {
    Reader r(info.body());
    gm->command = GroupModCommand(r.u16());
    gm->type = GroupType(r.u8());
    r.skip(1);
    gm->group_id = r.u32();
    gm->command_bucket_id = kBucketAll;
    if (auto e = pull_ofp11_buckets(r.rest(), info.version, &gm->buckets)) return e;
    // OpenFlow 1.3.5 made buckets in a delete an error.
    if (info.version >= kOfp13 && gm->command == GroupModCommand::Delete && !gm->buckets.empty()) {
        return make_error(OfpErr::OFPGMFC_INVALID_GROUP, "group delete with buckets");
    }
    return std::nullopt;
}

// The checks of OVS's ofputil_check_group_mod(), in its order.
std::optional<OfpError> check_group_mod(const OfpGroupMod& gm) {
    switch (gm.type) {
        case GroupType::Indirect:
            if (gm.command != GroupModCommand::Delete && gm.buckets.size() != 1) {
                return make_error(OfpErr::OFPGMFC_INVALID_GROUP, "indirect group without exactly one bucket");
            }
            break;
        case GroupType::All:
        case GroupType::Select:
        case GroupType::FastFailover:
            break;
        default:
            return make_error(OfpErr::OFPGMFC_BAD_TYPE, "unknown group type " + std::to_string(int(gm.type)));
    }
    switch (gm.command) {
        case GroupModCommand::Add:
        case GroupModCommand::Modify:
        case GroupModCommand::AddOrModify:
        case GroupModCommand::Delete:
        case GroupModCommand::InsertBucket:
            break;
        case GroupModCommand::RemoveBucket:
            if (!gm.buckets.empty()) return bad_bucket("remove bucket command with buckets");
            break;
        default:
            return make_error(OfpErr::OFPGMFC_BAD_COMMAND,
                              "unknown group mod command " + std::to_string(uint16_t(gm.command)));
    }
    for (const auto& b : gm.buckets) {
        if (b.weight && gm.type != GroupType::Select && gm.command != GroupModCommand::InsertBucket) {
            return make_error(OfpErr::OFPGMFC_INVALID_GROUP, "bucket weight in a non-select group");
        }
        if ((gm.type == GroupType::All || gm.type == GroupType::Indirect) && has_liveness(b)) {
            return make_error(OfpErr::OFPGMFC_WATCH_UNSUPPORTED, "watch port or group in an all or indirect group");
        }
        if (gm.type == GroupType::FastFailover && !has_liveness(b)) {
            return make_error(OfpErr::OFPGMFC_INVALID_GROUP, "fast failover bucket without watch port or group");
        }
    }
    return std::nullopt;
}

// ---- Encoding groups ------------------------------------------------------------

void put_ofp11_bucket(Bytes& out, const OfpBucket& b, uint8_t version) {
    Writer w(out);
    size_t start = w.size();
    w.u16(0);  // len, set below
    w.u16(b.weight);
    w.u32(port_to_ofp11(b.watch_port));
    w.u32(b.watch_group);
    w.zeros(4);
    ofpacts_put(out, b.actions, version);
    w.set_u16(start, static_cast<uint16_t>(w.size() - start));
}

void put_ofp15_bucket(Bytes& out, const OfpBucket& b, uint32_t bucket_id, GroupType type, uint8_t version) {
    Writer w(out);
    size_t start = w.size();
    w.zeros(4);  // len, action_array_len: set below
    w.u32(bucket_id);
    size_t actions_start = w.size();
    ofpacts_put(out, b.actions, version);
    size_t actions_len = w.size() - actions_start;
    if (type == GroupType::Select || b.weight) {
        // Length 8 as the standard gives 16-bit properties: 2 pad bytes.
        uint8_t v[4] = {uint8_t(b.weight >> 8), uint8_t(b.weight), 0, 0};
        put_prop(w, kBucketPropWeight, v);
    }
    if (!is_any_port(b.watch_port)) put_prop_u32(w, kBucketPropWatchPort, port_to_ofp11(b.watch_port));
    if (b.watch_group != kOfpgAny) put_prop_u32(w, kBucketPropWatchGroup, b.watch_group);
    w.set_u16(start, static_cast<uint16_t>(w.size() - start));
    w.set_u16(start + 2, static_cast<uint16_t>(actions_len));
}

// The ids 1.5 buckets go out with: their own, or for those without one
// (above kBucketMax) the lowest id no other bucket uses. (OVS reserves only
// the ids of later buckets, so that an earlier explicit id can be handed
// out twice; we reserve them all.)
std::vector<uint32_t> bucket_ids(const std::vector<OfpBucket>& buckets) {
    std::set<uint32_t> used;
    for (const auto& b : buckets) {
        if (b.bucket_id <= kBucketMax) used.insert(b.bucket_id);
    }
    std::vector<uint32_t> ids;
    uint32_t next = 0;
    for (const auto& b : buckets) {
        if (b.bucket_id <= kBucketMax) {
            ids.push_back(b.bucket_id);
            continue;
        }
        while (used.count(next)) next++;
        used.insert(next);
        ids.push_back(next);
    }
    return ids;
}

void put_selection_method(Bytes& out, uint8_t version, const std::string& name, uint64_t param,
                          const SelectionFields& fields) {
    Writer w(out);
    size_t start = w.size();
    w.u16(kGroupPropExperimenter);
    w.u16(0);  // length, set below
    w.u32(kNtrVendorId);
    w.u32(kNtrtSelectionMethod);
    w.zeros(4);
    w.str(name, kNtrMethodLen);
    w.u64(param);
    for (const auto& [f, mask] : fields) {
        MfWireHeader h = mf_wire_header(*f, version);
        w.u32(h.header);
        if (nxm_class(h.header) == kOxmClassExperimenter) w.u32(h.experimenter);
        w.bytes(std::span<const uint8_t>(mask.b + 16 - f->n_bytes, f->n_bytes));
    }
    w.set_u16(start + 2, static_cast<uint16_t>(w.size() - start));
    w.pad8();
}

void put_ofp11_group_desc(Writer& w, uint8_t version, const OfpGroupDesc& d, Bytes& out) {
    size_t start = w.size();
    w.u16(0);  // length, set below
    w.u8(uint8_t(d.type));
    w.zeros(1);
    w.u32(d.group_id);
    for (const auto& b : d.buckets) put_ofp11_bucket(out, b, version);
    w.set_u16(start, static_cast<uint16_t>(w.size() - start));
}

void put_ofp15_group_desc(Writer& w, uint8_t version, const OfpGroupDesc& d, Bytes& out) {
    size_t start = w.size();
    w.u16(0);  // length, set below
    w.u8(uint8_t(d.type));
    w.zeros(1);
    w.u32(d.group_id);
    w.u16(0);  // bucket_list_len, set below
    w.zeros(6);
    size_t buckets_start = w.size();
    auto ids = bucket_ids(d.buckets);
    for (size_t i = 0; i < d.buckets.size(); i++) put_ofp15_bucket(out, d.buckets[i], ids[i], d.type, version);
    w.set_u16(start + 8, static_cast<uint16_t>(w.size() - buckets_start));
    if (!d.selection_method.empty()) {
        put_selection_method(out, version, d.selection_method, d.selection_method_param, d.selection_method_fields);
    }
    w.set_u16(start, static_cast<uint16_t>(w.size() - start));
}

// Group features' action bitmaps come in OpenFlow 1.1's numbering
// (OFPAT11_*); 1.0 and 1.2+ number the same actions differently.
uint32_t group_actions_for_version(uint32_t of11, uint8_t version) {
    if (version == kOfp11) return of11;
    uint32_t out = 0;
    auto has = [&](int bit) { return (of11 >> bit) & 1; };
    if (version == kOfp10) {
        // OFPAT10_*: output 0, set_vlan_vid 1, set_vlan_pcp 2, strip_vlan 3,
        // set_dl_src/dst 4-5, set_nw_src/dst 6-7, set_nw_tos 8, set_tp_src/dst
        // 9-10, enqueue 11 (1.0's way to pick a queue: set_queue).
        constexpr std::pair<int, int> k10[] = {{0, 0}, {1, 1}, {2, 2}, {18, 3}, {3, 4},   {4, 5},
                                               {5, 6}, {6, 7}, {7, 8}, {9, 9},  {10, 10}, {21, 11}};
        for (auto [from, to] : k10) {
            if (has(from)) out |= 1u << to;
        }
        return out;
    }
    // 1.2+: the 1.1 actions that set header fields (set_vlan_vid ..
    // set_tp_dst 1-10, set_mpls_label/tc 13-14) became set_field (25);
    // the others kept their numbers, and bits 1.1 lacks pass through.
    constexpr uint32_t kSetFieldLike = 0x7fe | (1u << 13) | (1u << 14);
    out = of11 & ~kSetFieldLike;
    if (of11 & kSetFieldLike) out |= 1u << 25;
    return out;
}

// ---- Meters ---------------------------------------------------------------------

constexpr uint16_t kOfpmfAll = kOfpmfKbps | kOfpmfPktps | kOfpmfBurst | kOfpmfStats;

std::optional<OfpError> pull_bands(Reader& r, std::vector<OfpMeterBand>* out) {
    while (r.remaining() >= kMeterBandLen) {
        Reader b = r.sub(kMeterBandLen);
        uint16_t type = b.u16();
        uint16_t len = b.u16();
        if (len != kMeterBandLen) return bad_len("meter band length " + std::to_string(len));
        if (type != uint16_t(MeterBandType::Drop) && type != uint16_t(MeterBandType::DscpRemark)) {
            return make_error(OfpErr::OFPMMFC_BAD_BAND, "unknown meter band type " + std::to_string(type));
        }
        OfpMeterBand band;
        band.type = MeterBandType(type);
        band.rate = b.u32();
        band.burst_size = b.u32();
        uint8_t prec_level = b.u8();
        band.prec_level = band.type == MeterBandType::DscpRemark ? prec_level : 0;
        out->push_back(band);
    }
    if (r.remaining()) return bad_len("meter bands end with " + std::to_string(r.remaining()) + " leftover bytes");
    return std::nullopt;
}

void put_bands(Writer& w, const std::vector<OfpMeterBand>& bands) {
    for (const auto& b : bands) {
        w.u16(uint16_t(b.type));
        w.u16(kMeterBandLen);
        w.u32(b.rate);
        w.u32(b.burst_size);
        w.u8(b.type == MeterBandType::DscpRemark ? b.prec_level : 0);
        w.zeros(3);
    }
}

bool is_virtual_meter(uint32_t id) {
    return id == kOfpmSlowpath || id == kOfpmController;
}

}  // namespace

// ---- Group mods -------------------------------------------------------------------

std::variant<OfpGroupMod, OfpError> decode_group_mod(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::NxGroupMod, Raw::GroupMod11, Raw::GroupMod15});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    OfpGroupMod gm;
    auto err = info.raw == Raw::GroupMod11 ? pull_ofp11_group_mod(info, &gm) : pull_ofp15_group_mod(info, &gm);
    if (err) return *err;
    if (auto e = check_group_mod(gm)) return *e;
    // What OVS checks when it creates the group: an add (or an add-or-modify
    // that adds) needs an ordinary id. A modify of a reserved id finds no
    // group (OFPGMFC_UNKNOWN_GROUP, the caller's), a delete of OFPG_ALL
    // deletes every group.
    if ((gm.command == GroupModCommand::Add || gm.command == GroupModCommand::AddOrModify) && gm.group_id > kOfpgMax) {
        return make_error(OfpErr::OFPGMFC_INVALID_GROUP, "reserved group id " + std::to_string(gm.group_id));
    }
    return gm;
}

Bytes encode_group_mod(uint8_t version, const OfpGroupMod& gm, uint32_t xid) {
    if (version >= kOfp11 && version <= kOfp14) {
        // Insert/remove bucket and the selection method cannot be said
        // before 1.5; the command goes out as it is (the switch refuses it)
        // and the property is left out, as OVS leaves it out.
        Bytes b = start_msg(version, kOfptGroupMod, xid);
        Writer w(b);
        w.u16(uint16_t(gm.command));
        w.u8(uint8_t(gm.type));
        w.zeros(1);
        w.u32(gm.group_id);
        for (const auto& bucket : gm.buckets) put_ofp11_bucket(b, bucket, version);
        finish_msg(b);
        return b;
    }
    Bytes b = version == kOfp10 ? start_nxt(version, kNxtGroupMod, xid) : start_msg(version, kOfptGroupMod, xid);
    Writer w(b);
    size_t start = w.size();
    w.u16(uint16_t(gm.command));
    w.u8(uint8_t(gm.type));
    w.zeros(1);
    w.u32(gm.group_id);
    w.u16(0);  // bucket_array_len, set below
    w.zeros(2);
    w.u32(gm.command_bucket_id);
    size_t buckets_start = w.size();
    auto ids = bucket_ids(gm.buckets);
    for (size_t i = 0; i < gm.buckets.size(); i++) put_ofp15_bucket(b, gm.buckets[i], ids[i], gm.type, version);
    w.set_u16(start + 8, static_cast<uint16_t>(w.size() - buckets_start));
    if (!gm.selection_method.empty()) {
        put_selection_method(b, version, gm.selection_method, gm.selection_method_param, gm.selection_method_fields);
    }
    finish_msg(b);
    return b;
}

// ---- Group stats, desc, features ------------------------------------------------------

std::variant<uint32_t, OfpError> decode_group_request(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::NxGroupStatsRequest, Raw::GroupStatsRequest11, Raw::NxGroupDescRequest,
                                 Raw::GroupDescRequest11, Raw::GroupDescRequest15});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    if (info.raw == Raw::GroupDescRequest11) return kOfpgAll;
    return Reader(info.body()).u32();
}

std::vector<Bytes> encode_group_stats_reply(std::span<const uint8_t> request, const std::vector<OfpGroupStats>& s) {
    auto res = classify_as(request, {Raw::NxGroupStatsRequest, Raw::GroupStatsRequest11});
    if (std::holds_alternative<OfpError>(res)) return {};
    // 1.1 and 1.2 entries lack the duration; NXST_GROUP has the 1.3 layout.
    auto put = [is_nx = std::get<MsgInfo>(res).raw == Raw::NxGroupStatsRequest](Writer& w, uint8_t version,
                                                                                const OfpGroupStats& g) {
        bool duration = is_nx || version >= kOfp13;
        size_t len = (duration ? 40 : 32) + 16 * g.bucket_stats.size();
        w.u16(static_cast<uint16_t>(len));
        w.zeros(2);
        w.u32(g.group_id);
        w.u32(g.ref_count);
        w.zeros(4);
        w.u64(g.packet_count);
        w.u64(g.byte_count);
        if (duration) {
            w.u32(g.duration_sec);
            w.u32(g.duration_nsec);
        }
        for (const auto& [packets, bytes] : g.bucket_stats) {
            w.u64(packets);
            w.u64(bytes);
        }
    };
    return multipart_reply_of(request, {Raw::NxGroupStatsRequest, Raw::GroupStatsRequest11}, s, put);
}

std::vector<Bytes> encode_group_desc_reply(std::span<const uint8_t> request, const std::vector<OfpGroupDesc>& d) {
    auto res = classify_as(request, {Raw::NxGroupDescRequest, Raw::GroupDescRequest11, Raw::GroupDescRequest15});
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    // NXST_GROUP_DESC (1.0) has the 1.5 layout, with bucket ids.
    bool ofp15 = info.raw != Raw::GroupDescRequest11;
    MultipartReplies replies(stats_reply_header(info));
    for (const auto& desc : d) {
        Bytes entry;
        Writer w(entry);
        if (ofp15) {
            put_ofp15_group_desc(w, info.version, desc, entry);
        } else {
            put_ofp11_group_desc(w, info.version, desc, entry);
        }
        replies.append(entry);
    }
    return replies.finish();
}

Bytes encode_group_features_reply(std::span<const uint8_t> request, const OfpGroupFeatures& f) {
    auto res = classify_as(request, {Raw::NxGroupFeaturesRequest, Raw::GroupFeaturesRequest12});
    if (std::holds_alternative<OfpError>(res)) return {};
    const auto& info = std::get<MsgInfo>(res);
    Bytes b = stats_reply_header(info);
    Writer w(b);
    w.u32(f.types);
    w.u32(f.capabilities);
    for (uint32_t m : f.max_groups) w.u32(m);
    for (uint32_t a : f.actions) w.u32(group_actions_for_version(a, info.version));
    finish_msg(b);
    return b;
}

// ---- Meters ---------------------------------------------------------------------------

std::variant<OfpMeterMod, OfpError> decode_meter_mod(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::MeterMod});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    const auto& info = std::get<MsgInfo>(res);
    Reader r(info.body());
    OfpMeterMod mm;
    uint16_t command = r.u16();
    uint16_t flags = r.u16();
    mm.meter_id = r.u32();
    if (command > uint16_t(MeterModCommand::Delete)) {
        return make_error(OfpErr::OFPMMFC_BAD_COMMAND, "unknown meter mod command " + std::to_string(command));
    }
    mm.command = MeterModCommand(command);
    if (mm.command == MeterModCommand::Delete) {
        // A delete's flags and bands mean nothing: OVS ignores them.
        mm.flags = 0;
        return mm;
    }
    mm.flags = flags;
    if ((flags & kOfpmfKbps) && (flags & kOfpmfPktps)) {
        return make_error(OfpErr::OFPMMFC_BAD_FLAGS, "meter in both kbps and pktps");
    }
    if (auto e = pull_bands(r, &mm.bands)) return *e;
    // What OVS checks next, in ofproto and then in the datapath interface,
    // that needs no switch state.
    if (mm.meter_id == 0 || (mm.meter_id > kOfpmMax && !is_virtual_meter(mm.meter_id))) {
        return make_error(OfpErr::OFPMMFC_INVALID_METER, "meter id " + std::to_string(mm.meter_id));
    }
    if (!(flags & (kOfpmfKbps | kOfpmfPktps))) {
        return make_error(OfpErr::OFPMMFC_BAD_FLAGS, "meter in neither kbps nor pktps");
    }
    if (flags & ~kOfpmfAll) return make_error(OfpErr::OFPMMFC_BAD_FLAGS, "unknown meter flags");
    return mm;
}

Bytes encode_meter_mod(uint8_t version, const OfpMeterMod& mm, uint32_t xid) {
    if (version < kOfp13) return {};  // meters came with OpenFlow 1.3
    Bytes b = start_msg(version, kOfptMeterMod, xid);
    Writer w(b);
    w.u16(uint16_t(mm.command));
    w.u16(mm.flags);
    w.u32(mm.meter_id);
    put_bands(w, mm.bands);
    finish_msg(b);
    return b;
}

std::variant<uint32_t, OfpError> decode_meter_request(std::span<const uint8_t> msg) {
    auto res = classify_as(msg, {Raw::MeterStatsRequest, Raw::MeterConfigRequest});
    if (auto* e = std::get_if<OfpError>(&res)) return *e;
    return Reader(std::get<MsgInfo>(res).body()).u32();
}

std::vector<Bytes> encode_meter_stats_reply(std::span<const uint8_t> request, const std::vector<OfpMeterStats>& s) {
    auto put = [](Writer& w, uint8_t, const OfpMeterStats& m) {
        w.u32(m.meter_id);
        w.u16(static_cast<uint16_t>(40 + 16 * m.band_stats.size()));
        w.zeros(6);
        w.u32(m.flow_count);
        w.u64(m.packet_in_count);
        w.u64(m.byte_in_count);
        w.u32(m.duration_sec);
        w.u32(m.duration_nsec);
        for (const auto& [packets, bytes] : m.band_stats) {
            w.u64(packets);
            w.u64(bytes);
        }
    };
    return multipart_reply_of(request, {Raw::MeterStatsRequest}, s, put);
}

std::vector<Bytes> encode_meter_config_reply(std::span<const uint8_t> request, const std::vector<OfpMeterMod>& m) {
    auto put = [](Writer& w, uint8_t, const OfpMeterMod& mm) {
        w.u16(static_cast<uint16_t>(8 + kMeterBandLen * mm.bands.size()));
        w.u16(mm.flags);
        w.u32(mm.meter_id);
        put_bands(w, mm.bands);
    };
    return multipart_reply_of(request, {Raw::MeterConfigRequest}, m, put);
}

Bytes encode_meter_features_reply(std::span<const uint8_t> request, const OfpMeterFeatures& f) {
    auto res = classify_as(request, {Raw::MeterFeaturesRequest});
    if (std::holds_alternative<OfpError>(res)) return {};
    Bytes b = stats_reply_header(std::get<MsgInfo>(res));
    Writer w(b);
    w.u32(f.max_meter);
    w.u32(f.band_types);
    w.u32(f.capabilities);
    w.u8(f.max_bands);
    w.u8(f.max_color);
    w.zeros(2);
    finish_msg(b);
    return b;
}

}  // namespace xvs::ofproto
