// OpenFlow group and meter messages: group mods (1.1-1.4, 1.5, and
// Nicira's NXT_GROUP_MOD for 1.0), group stats / desc / features, meter mods
// (1.3+), meter stats / config / features. Pure codecs as in ofp_msgs.h:
// version-independent structs, decoders returning the OpenFlow error to send
// back, reply encoders taking the request (and returning nothing when it is
// not such a request). Implemented in ofp_groups.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ofproto/actions.h"
#include "ofproto/ofp_msgs.h"

namespace xvs::ofproto {

// ---- Groups -----------------------------------------------------------------

enum class GroupType : uint8_t { All = 0, Select = 1, Indirect = 2, FastFailover = 3 };

inline constexpr uint32_t kOfpgMax = 0xffffff00;  // the highest ordinary group id
inline constexpr uint32_t kOfpgAll = 0xfffffffc;  // "all groups" in deletes and stats
inline constexpr uint32_t kOfpgAny = 0xffffffff;  // "no group" (watch_group, out_group)

// 1.5 bucket ids with a special meaning (OFPG15_BUCKET_*).
inline constexpr uint32_t kBucketMax = 0xffffff00;
inline constexpr uint32_t kBucketFirst = 0xfffffffd;
inline constexpr uint32_t kBucketLast = 0xfffffffe;
inline constexpr uint32_t kBucketAll = 0xffffffff;

struct OfpBucket {
    // 1.5's bucket id; for earlier versions, decoders number buckets 0, 1, ...
    // in order, as Open vSwitch does.
    uint32_t bucket_id = 0;
    uint16_t weight = 0;              // select groups (others must send 0... 1.5: 1)
    uint32_t watch_port = 0xffffffff;  // fast failover: 1.1+ numbering converted to
                                      // our 16-bit ports, OFPP_ANY kept as 0xffffffff
    uint32_t watch_group = kOfpgAny;
    OfActions actions;
    bool operator==(const OfpBucket&) const = default;
};

enum class GroupModCommand : uint16_t {
    Add = 0,
    Modify = 1,
    Delete = 2,
    InsertBucket = 3,  // 1.5 (OFPGC15_INSERT_BUCKET)
    RemoveBucket = 5,  // 1.5 (OFPGC15_REMOVE_BUCKET)
    AddOrModify = 0x8000,  // Open vSwitch's extension (OFPGC11_ADD_OR_MOD)
};

struct OfpGroupMod {
    GroupModCommand command = GroupModCommand::Add;
    GroupType type = GroupType::All;
    uint32_t group_id = 0;
    std::vector<OfpBucket> buckets;
    uint32_t command_bucket_id = kBucketAll;  // 1.5 insert/remove: where / which
    // 1.5 (NTR) selection method property: "" (default), "hash" or
    // "dp_hash", with its parameter and the fields hashed.
    std::string selection_method;
    uint64_t selection_method_param = 0;
    // The fields "hash" hashes, each with the mask of the bits that count
    // (all ones: the whole field), in wire order.
    std::vector<std::pair<const MfField*, MfValue>> selection_method_fields;
    bool operator==(const OfpGroupMod&) const = default;
};
// OFPT_GROUP_MOD (1.1-1.5) and NXT_GROUP_MOD (1.0). Bucket actions are
// decoded but not checked against a switch (the caller does that). Errors
// as Open vSwitch gives them: OFPGMFC_BAD_TYPE, OFPGMFC_BAD_COMMAND,
// OFPGMFC_BAD_BUCKET, OFPGMFC_INVALID_GROUP (a reserved id where not
// allowed), OFPBRC_BAD_LEN, and the action decoders' errors.
std::variant<OfpGroupMod, OfpError> decode_group_mod(std::span<const uint8_t> msg);
Bytes encode_group_mod(uint8_t version, const OfpGroupMod& gm, uint32_t xid);

struct OfpGroupStats {
    uint32_t group_id = 0;
    uint32_t ref_count = 0;  // flows whose actions name the group
    uint64_t packet_count = 0, byte_count = 0;
    uint32_t duration_sec = 0, duration_nsec = 0;  // 1.3+
    std::vector<std::pair<uint64_t, uint64_t>> bucket_stats;  // (packets, bytes) per bucket
};
// The group a group stats or (1.5) group desc request asks about; kOfpgAll
// for all (1.1-1.4 desc requests have no body: all).
std::variant<uint32_t, OfpError> decode_group_request(std::span<const uint8_t> msg);
std::vector<Bytes> encode_group_stats_reply(std::span<const uint8_t> request, const std::vector<OfpGroupStats>& s);

struct OfpGroupDesc {
    GroupType type = GroupType::All;
    uint32_t group_id = 0;
    std::vector<OfpBucket> buckets;
    std::string selection_method;  // 1.5 property, when set
    uint64_t selection_method_param = 0;
    std::vector<std::pair<const MfField*, MfValue>> selection_method_fields;  // as in OfpGroupMod
};
std::vector<Bytes> encode_group_desc_reply(std::span<const uint8_t> request, const std::vector<OfpGroupDesc>& d);

struct OfpGroupFeatures {
    uint32_t types = 0;         // 1 << GroupType
    uint32_t capabilities = 0;  // OFPGFC_SELECT_WEIGHT 1, SELECT_LIVENESS 2, CHAINING 4, CHAINING_CHECKS 8
    uint32_t max_groups[4]{};
    uint32_t actions[4]{};      // 1 << OFPAT11_* per type, as OVS fills them in the version's numbering
};
Bytes encode_group_features_reply(std::span<const uint8_t> request, const OfpGroupFeatures& f);

// ---- Meters -----------------------------------------------------------------

inline constexpr uint32_t kOfpmMax = 0xffff0000;     // the highest ordinary meter id
inline constexpr uint32_t kOfpmSlowpath = 0xfffffffd;
inline constexpr uint32_t kOfpmController = 0xfffffffe;
inline constexpr uint32_t kOfpmAll = 0xffffffff;

inline constexpr uint16_t kOfpmfKbps = 1, kOfpmfPktps = 2, kOfpmfBurst = 4, kOfpmfStats = 8;

enum class MeterBandType : uint16_t { Drop = 1, DscpRemark = 2 };

struct OfpMeterBand {
    MeterBandType type = MeterBandType::Drop;
    uint32_t rate = 0;        // kbps or pktps as the meter's flags say
    uint32_t burst_size = 0;  // kb or packets; used with kOfpmfBurst
    uint8_t prec_level = 0;   // DSCP remark: how many drop precedence levels to add
    bool operator==(const OfpMeterBand&) const = default;
};

enum class MeterModCommand : uint16_t { Add = 0, Modify = 1, Delete = 2 };

struct OfpMeterMod {
    MeterModCommand command = MeterModCommand::Add;
    uint16_t flags = kOfpmfKbps;
    uint32_t meter_id = 0;
    std::vector<OfpMeterBand> bands;
    bool operator==(const OfpMeterMod&) const = default;
};
// OFPT_METER_MOD (1.3+). Errors as Open vSwitch gives them:
// OFPMMFC_BAD_COMMAND, OFPMMFC_BAD_FLAGS (both or neither of kbps/pktps,
// unknown bits), OFPMMFC_BAD_BAND (an unknown band type),
// OFPMMFC_INVALID_METER (id 0 or above kOfpmMax but not a virtual meter),
// OFPBRC_BAD_LEN.
std::variant<OfpMeterMod, OfpError> decode_meter_mod(std::span<const uint8_t> msg);
Bytes encode_meter_mod(uint8_t version, const OfpMeterMod& mm, uint32_t xid);

// The meter a meter stats or meter config request asks about (kOfpmAll: all).
std::variant<uint32_t, OfpError> decode_meter_request(std::span<const uint8_t> msg);

struct OfpMeterStats {
    uint32_t meter_id = 0;
    uint32_t flow_count = 0;
    uint64_t packet_in_count = 0, byte_in_count = 0;
    uint32_t duration_sec = 0, duration_nsec = 0;
    std::vector<std::pair<uint64_t, uint64_t>> band_stats;  // (packets, bytes) per band
};
std::vector<Bytes> encode_meter_stats_reply(std::span<const uint8_t> request, const std::vector<OfpMeterStats>& s);
// Meter config entries: the meters' current mods (command ignored).
std::vector<Bytes> encode_meter_config_reply(std::span<const uint8_t> request, const std::vector<OfpMeterMod>& m);

struct OfpMeterFeatures {
    uint32_t max_meter = 0;
    uint32_t band_types = 0;    // 1 << MeterBandType
    uint32_t capabilities = 0;  // kOfpmf* bits, as in a meter's flags
    uint8_t max_bands = 0, max_color = 0;
};
Bytes encode_meter_features_reply(std::span<const uint8_t> request, const OfpMeterFeatures& f);

}  // namespace xvs::ofproto
