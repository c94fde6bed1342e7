#include "ofproto/ofp_errors.h"

#include <array>

namespace xvs::ofproto {

namespace {

using E = OfpErr;

// One wire form of an error for a range of versions. The numbers are those
// of the OpenFlow specifications; errors a version lacks use the codes Open
// vSwitch assigned under its Nicira (or, for a few 1.2/1.3 errors, ONF)
// vendor id, so that ovs-ofctl names them. For vendor errors of 1.2+ only
// 'type' (the experimenter type) is meaningful.
struct ErrRow {
    E err;
    uint8_t vmin, vmax;  // wire versions, inclusive
    uint32_t vendor;     // 0 standard
    uint16_t type, code;
};

constexpr uint32_t OF = 0;
constexpr uint32_t NX = kOfpErrNiciraVendor;
constexpr uint32_t ONF = kOfpErrOnfVendor;
constexpr uint8_t V10 = kOfp10, V11 = kOfp11, V12 = kOfp12, V13 = kOfp13, V14 = kOfp14, V15 = kOfp15;

constexpr ErrRow kRows[] = {
    // Hello failed.
    {E::OFPHFC_INCOMPATIBLE, V10, V15, OF, 0, 0},
    {E::OFPHFC_EPERM, V10, V15, OF, 0, 1},
    // Bad request.
    {E::OFPBRC_BAD_VERSION, V10, V15, OF, 1, 0},
    {E::OFPBRC_BAD_TYPE, V10, V15, OF, 1, 1},
    {E::OFPBRC_BAD_STAT, V10, V15, OF, 1, 2},
    {E::OFPBRC_BAD_VENDOR, V10, V15, OF, 1, 3},
    {E::OFPBRC_BAD_SUBTYPE, V10, V15, OF, 1, 4},
    {E::OFPBRC_EPERM, V10, V15, OF, 1, 5},
    {E::OFPBRC_BAD_LEN, V10, V15, OF, 1, 6},
    {E::OFPBRC_BUFFER_EMPTY, V10, V15, OF, 1, 7},
    {E::OFPBRC_BUFFER_UNKNOWN, V10, V15, OF, 1, 8},
    {E::OFPBRC_BAD_TABLE_ID, V10, V10, NX, 1, 512},
    {E::OFPBRC_BAD_TABLE_ID, V11, V15, OF, 1, 9},
    {E::OFPBRC_IS_SLAVE, V10, V11, OF, 1, 5},  // shares EPERM's code before 1.2
    {E::OFPBRC_IS_SLAVE, V12, V15, OF, 1, 10},
    {E::OFPBRC_BAD_PORT, V10, V11, NX, 1, 514},
    {E::OFPBRC_BAD_PORT, V12, V15, OF, 1, 11},
    {E::OFPBRC_BAD_PACKET, V12, V15, OF, 1, 12},
    {E::OFPBRC_MULTIPART_BUFFER_OVERFLOW, V13, V15, OF, 1, 13},
    {E::NXBRC_NXM_INVALID, V10, V11, NX, 1, 256},
    {E::NXBRC_NXM_INVALID, V12, V15, NX, 2, 0},
    {E::NXBRC_NXM_BAD_TYPE, V10, V11, NX, 1, 257},
    {E::NXBRC_NXM_BAD_TYPE, V12, V15, NX, 3, 0},
    {E::NXBRC_MUST_BE_ZERO, V10, V11, NX, 1, 515},
    {E::NXBRC_MUST_BE_ZERO, V12, V15, NX, 4, 0},
    {E::NXBRC_BAD_REASON, V10, V11, NX, 1, 516},
    {E::NXBRC_BAD_REASON, V12, V15, NX, 5, 0},
    {E::NXBRC_UNENCODABLE_ERROR, V10, V11, NX, 1, 521},
    {E::NXBRC_UNENCODABLE_ERROR, V12, V15, NX, 10, 0},
    // Bad action.
    {E::OFPBAC_BAD_TYPE, V10, V15, OF, 2, 0},
    {E::OFPBAC_BAD_LEN, V10, V15, OF, 2, 1},
    {E::OFPBAC_BAD_VENDOR, V10, V15, OF, 2, 2},
    {E::OFPBAC_BAD_VENDOR_TYPE, V10, V15, OF, 2, 3},
    {E::OFPBAC_BAD_OUT_PORT, V10, V15, OF, 2, 4},
    {E::OFPBAC_BAD_ARGUMENT, V10, V15, OF, 2, 5},
    {E::OFPBAC_EPERM, V10, V15, OF, 2, 6},
    {E::OFPBAC_TOO_MANY, V10, V15, OF, 2, 7},
    {E::OFPBAC_BAD_QUEUE, V10, V15, OF, 2, 8},
    {E::OFPBAC_BAD_OUT_GROUP, V10, V10, NX, 2, 9},
    {E::OFPBAC_BAD_OUT_GROUP, V11, V15, OF, 2, 9},
    {E::OFPBAC_MATCH_INCONSISTENT, V10, V10, NX, 1, 522},
    {E::OFPBAC_MATCH_INCONSISTENT, V11, V15, OF, 2, 10},
    {E::OFPBAC_UNSUPPORTED_ORDER, V11, V15, OF, 2, 11},
    {E::OFPBAC_BAD_TAG, V11, V15, OF, 2, 12},
    {E::OFPBAC_BAD_SET_TYPE, V10, V11, NX, 1, 523},
    {E::OFPBAC_BAD_SET_TYPE, V12, V15, OF, 2, 13},
    {E::OFPBAC_BAD_SET_LEN, V10, V11, NX, 1, 524},
    {E::OFPBAC_BAD_SET_LEN, V12, V15, OF, 2, 14},
    {E::OFPBAC_BAD_SET_ARGUMENT, V10, V11, NX, 1, 525},
    {E::OFPBAC_BAD_SET_ARGUMENT, V12, V15, OF, 2, 15},
    {E::OFPBAC_BAD_SET_MASK, V13, V14, ONF, 4250, 0},
    {E::OFPBAC_BAD_SET_MASK, V15, V15, OF, 2, 16},
    {E::OFPBAC_BAD_METER, V15, V15, OF, 2, 17},
    {E::NXBAC_MUST_BE_ZERO, V10, V11, NX, 2, 256},
    {E::NXBAC_MUST_BE_ZERO, V12, V15, NX, 11, 0},
    {E::NXBAC_BAD_CONJUNCTION, V10, V11, NX, 2, 526},
    {E::NXBAC_BAD_CONJUNCTION, V12, V15, NX, 15, 0},
    // Bad instruction.
    {E::OFPBIC_UNKNOWN_INST, V11, V15, OF, 3, 0},
    {E::OFPBIC_UNSUP_INST, V10, V10, NX, 2, 257},
    {E::OFPBIC_UNSUP_INST, V11, V15, OF, 3, 1},
    {E::OFPBIC_BAD_TABLE_ID, V11, V15, OF, 3, 2},
    {E::OFPBIC_UNSUP_METADATA, V11, V15, OF, 3, 3},
    {E::OFPBIC_UNSUP_METADATA_MASK, V11, V15, OF, 3, 4},
    {E::OFPBIC_BAD_EXPERIMENTER, V11, V15, OF, 3, 5},
    {E::OFPBIC_BAD_EXP_TYPE, V11, V11, OF, 3, 5},  // 1.1 had one code for both
    {E::OFPBIC_BAD_EXP_TYPE, V12, V15, OF, 3, 6},
    {E::OFPBIC_BAD_LEN, V12, V15, OF, 3, 7},
    {E::OFPBIC_EPERM, V12, V15, OF, 3, 8},
    {E::OFPBIC_DUP_INST, V11, V11, NX, 3, 256},
    {E::OFPBIC_DUP_INST, V12, V13, ONF, 2600, 0},
    {E::OFPBIC_DUP_INST, V14, V15, OF, 3, 9},
    // Bad match.
    {E::OFPBMC_BAD_TYPE, V11, V15, OF, 4, 0},
    {E::OFPBMC_BAD_LEN, V11, V15, OF, 4, 1},
    {E::OFPBMC_BAD_TAG, V11, V15, OF, 4, 2},
    {E::OFPBMC_BAD_DL_ADDR_MASK, V11, V15, OF, 4, 3},
    {E::OFPBMC_BAD_NW_ADDR_MASK, V11, V15, OF, 4, 4},
    {E::OFPBMC_BAD_WILDCARDS, V10, V10, NX, 1, 262},
    {E::OFPBMC_BAD_WILDCARDS, V11, V15, OF, 4, 5},
    {E::OFPBMC_BAD_FIELD, V10, V10, NX, 0, 263},  // sic: type 0 in Open vSwitch's table
    {E::OFPBMC_BAD_FIELD, V11, V15, OF, 4, 6},
    {E::OFPBMC_BAD_VALUE, V10, V10, NX, 1, 258},
    {E::OFPBMC_BAD_VALUE, V11, V15, OF, 4, 7},
    {E::OFPBMC_BAD_MASK, V10, V11, NX, 1, 259},
    {E::OFPBMC_BAD_MASK, V12, V15, OF, 4, 8},
    {E::OFPBMC_BAD_PREREQ, V10, V11, NX, 1, 260},
    {E::OFPBMC_BAD_PREREQ, V12, V15, OF, 4, 9},
    {E::OFPBMC_DUP_FIELD, V10, V11, NX, 1, 261},
    {E::OFPBMC_DUP_FIELD, V12, V15, OF, 4, 10},
    {E::OFPBMC_EPERM, V12, V15, OF, 4, 11},
    // Flow mod failed (1.0 numbers its codes differently).
    {E::OFPFMFC_UNKNOWN, V11, V15, OF, 5, 0},
    {E::OFPFMFC_TABLE_FULL, V10, V10, OF, 3, 0},
    {E::OFPFMFC_TABLE_FULL, V11, V15, OF, 5, 1},
    {E::OFPFMFC_BAD_TABLE_ID, V11, V15, OF, 5, 2},
    {E::OFPFMFC_OVERLAP, V10, V10, OF, 3, 1},
    {E::OFPFMFC_OVERLAP, V11, V15, OF, 5, 3},
    {E::OFPFMFC_EPERM, V10, V10, OF, 3, 2},
    {E::OFPFMFC_EPERM, V11, V15, OF, 5, 4},
    {E::OFPFMFC_BAD_TIMEOUT, V11, V15, OF, 5, 5},
    {E::OFPFMFC_BAD_EMERG_TIMEOUT, V10, V10, OF, 3, 3},
    {E::OFPFMFC_BAD_COMMAND, V10, V10, OF, 3, 4},
    {E::OFPFMFC_BAD_COMMAND, V11, V15, OF, 5, 6},
    {E::OFPFMFC_BAD_FLAGS, V10, V10, NX, 3, 258},
    {E::OFPFMFC_BAD_FLAGS, V11, V11, NX, 5, 258},
    {E::OFPFMFC_BAD_FLAGS, V12, V15, OF, 5, 7},
    // Group mod failed (a Nicira extension in 1.0; some codes new in 1.2).
    {E::OFPGMFC_GROUP_EXISTS, V10, V10, NX, 6, 0},
    {E::OFPGMFC_GROUP_EXISTS, V11, V15, OF, 6, 0},
    {E::OFPGMFC_INVALID_GROUP, V10, V10, NX, 6, 1},
    {E::OFPGMFC_INVALID_GROUP, V11, V15, OF, 6, 1},
    {E::OFPGMFC_OUT_OF_GROUPS, V10, V10, NX, 6, 3},
    {E::OFPGMFC_OUT_OF_GROUPS, V11, V15, OF, 6, 3},
    {E::OFPGMFC_OUT_OF_BUCKETS, V10, V10, NX, 6, 4},
    {E::OFPGMFC_OUT_OF_BUCKETS, V11, V15, OF, 6, 4},
    {E::OFPGMFC_CHAINING_UNSUPPORTED, V10, V10, NX, 6, 5},
    {E::OFPGMFC_CHAINING_UNSUPPORTED, V11, V15, OF, 6, 5},
    {E::OFPGMFC_WATCH_UNSUPPORTED, V10, V10, NX, 6, 6},
    {E::OFPGMFC_WATCH_UNSUPPORTED, V11, V15, OF, 6, 6},
    {E::OFPGMFC_LOOP, V10, V10, NX, 6, 7},
    {E::OFPGMFC_LOOP, V11, V15, OF, 6, 7},
    {E::OFPGMFC_UNKNOWN_GROUP, V10, V10, NX, 6, 8},
    {E::OFPGMFC_UNKNOWN_GROUP, V11, V15, OF, 6, 8},
    {E::OFPGMFC_CHAINED_GROUP, V10, V10, NX, 6, 9},
    {E::OFPGMFC_CHAINED_GROUP, V12, V15, OF, 6, 9},
    {E::OFPGMFC_BAD_TYPE, V10, V10, NX, 6, 10},
    {E::OFPGMFC_BAD_TYPE, V12, V15, OF, 6, 10},
    {E::OFPGMFC_BAD_COMMAND, V10, V10, NX, 6, 11},
    {E::OFPGMFC_BAD_COMMAND, V12, V15, OF, 6, 11},
    {E::OFPGMFC_BAD_BUCKET, V10, V10, NX, 6, 12},
    {E::OFPGMFC_BAD_BUCKET, V12, V15, OF, 6, 12},
    {E::OFPGMFC_BAD_WATCH, V10, V10, NX, 6, 13},
    {E::OFPGMFC_BAD_WATCH, V12, V15, OF, 6, 13},
    {E::OFPGMFC_EPERM, V10, V10, NX, 6, 14},
    {E::OFPGMFC_EPERM, V12, V15, OF, 6, 14},
    {E::OFPGMFC_UNKNOWN_BUCKET, V10, V10, NX, 6, 15},
    {E::OFPGMFC_UNKNOWN_BUCKET, V15, V15, OF, 6, 15},
    {E::OFPGMFC_BUCKET_EXISTS, V10, V10, NX, 6, 16},
    {E::OFPGMFC_BUCKET_EXISTS, V15, V15, OF, 6, 16},
    // Port mod failed.
    {E::OFPPMFC_BAD_PORT, V10, V10, OF, 4, 0},
    {E::OFPPMFC_BAD_PORT, V11, V15, OF, 7, 0},
    {E::OFPPMFC_BAD_HW_ADDR, V10, V10, OF, 4, 1},
    {E::OFPPMFC_BAD_HW_ADDR, V11, V15, OF, 7, 1},
    {E::OFPPMFC_BAD_CONFIG, V11, V15, OF, 7, 2},
    {E::OFPPMFC_BAD_ADVERTISE, V11, V15, OF, 7, 3},
    {E::OFPPMFC_EPERM, V12, V15, OF, 7, 4},
    // Table mod failed.
    {E::OFPTMFC_BAD_TABLE, V11, V15, OF, 8, 0},
    {E::OFPTMFC_BAD_CONFIG, V11, V15, OF, 8, 1},
    {E::OFPTMFC_EPERM, V12, V15, OF, 8, 2},
    // Queue op failed.
    {E::OFPQOFC_BAD_PORT, V10, V10, OF, 5, 0},
    {E::OFPQOFC_BAD_PORT, V11, V15, OF, 9, 0},
    {E::OFPQOFC_BAD_QUEUE, V10, V10, OF, 5, 1},
    {E::OFPQOFC_BAD_QUEUE, V11, V15, OF, 9, 1},
    {E::OFPQOFC_EPERM, V10, V10, OF, 5, 2},
    {E::OFPQOFC_EPERM, V11, V15, OF, 9, 2},
    // Switch config failed.
    {E::OFPSCFC_BAD_FLAGS, V11, V15, OF, 10, 0},
    {E::OFPSCFC_BAD_LEN, V11, V15, OF, 10, 1},
    {E::OFPSCFC_EPERM, V12, V15, OF, 10, 2},
    // Role request failed.
    {E::OFPRRFC_STALE, V12, V15, OF, 11, 0},
    {E::OFPRRFC_UNSUP, V12, V15, OF, 11, 1},
    {E::OFPRRFC_BAD_ROLE, V10, V11, NX, 1, 513},
    {E::OFPRRFC_BAD_ROLE, V12, V15, OF, 11, 2},
    // Meter mod failed.
    {E::OFPMMFC_UNKNOWN, V13, V15, OF, 12, 0},
    {E::OFPMMFC_METER_EXISTS, V13, V15, OF, 12, 1},
    {E::OFPMMFC_INVALID_METER, V13, V15, OF, 12, 2},
    {E::OFPMMFC_UNKNOWN_METER, V13, V15, OF, 12, 3},
    {E::OFPMMFC_BAD_COMMAND, V13, V15, OF, 12, 4},
    {E::OFPMMFC_BAD_FLAGS, V13, V15, OF, 12, 5},
    {E::OFPMMFC_BAD_RATE, V13, V15, OF, 12, 6},
    {E::OFPMMFC_BAD_BURST, V13, V15, OF, 12, 7},
    {E::OFPMMFC_BAD_BAND, V13, V15, OF, 12, 8},
    {E::OFPMMFC_BAD_BAND_VALUE, V13, V15, OF, 12, 9},
    {E::OFPMMFC_OUT_OF_METERS, V13, V15, OF, 12, 10},
    {E::OFPMMFC_OUT_OF_BANDS, V13, V15, OF, 12, 11},
    // Table features failed.
    {E::OFPTFFC_BAD_TABLE, V13, V15, OF, 13, 0},
    {E::OFPTFFC_BAD_METADATA, V13, V15, OF, 13, 1},
    {E::OFPTFFC_EPERM, V13, V15, OF, 13, 5},
    // Bad property: standard in 1.4 (type 14); 1.3 had three of them as
    // table-features codes; earlier versions have Nicira codes.
    {E::OFPBPC_BAD_TYPE, V10, V11, NX, 13, 2},
    {E::OFPBPC_BAD_TYPE, V12, V12, NX, 25, 0},
    {E::OFPBPC_BAD_TYPE, V13, V13, OF, 13, 2},
    {E::OFPBPC_BAD_TYPE, V14, V15, OF, 14, 0},
    {E::OFPBPC_BAD_LEN, V10, V11, NX, 13, 3},
    {E::OFPBPC_BAD_LEN, V12, V12, NX, 26, 0},
    {E::OFPBPC_BAD_LEN, V13, V13, OF, 13, 3},
    {E::OFPBPC_BAD_LEN, V14, V15, OF, 14, 1},
    {E::OFPBPC_BAD_VALUE, V10, V11, NX, 13, 4},
    {E::OFPBPC_BAD_VALUE, V12, V12, NX, 27, 0},
    {E::OFPBPC_BAD_VALUE, V13, V13, OF, 13, 4},
    {E::OFPBPC_BAD_VALUE, V14, V15, OF, 14, 2},
    {E::OFPBPC_TOO_MANY, V10, V11, NX, 14, 3},
    {E::OFPBPC_TOO_MANY, V12, V12, NX, 28, 0},
    {E::OFPBPC_TOO_MANY, V13, V13, ONF, 4443, 0},
    {E::OFPBPC_TOO_MANY, V14, V15, OF, 14, 3},
    {E::OFPBPC_DUP_TYPE, V10, V11, NX, 14, 4},
    {E::OFPBPC_DUP_TYPE, V12, V12, NX, 29, 0},
    {E::OFPBPC_DUP_TYPE, V13, V13, ONF, 4444, 0},
    {E::OFPBPC_DUP_TYPE, V14, V15, OF, 14, 4},
    {E::OFPBPC_BAD_EXPERIMENTER, V10, V11, NX, 14, 5},
    {E::OFPBPC_BAD_EXPERIMENTER, V12, V12, NX, 30, 0},
    {E::OFPBPC_BAD_EXPERIMENTER, V13, V13, ONF, 4445, 0},
    {E::OFPBPC_BAD_EXPERIMENTER, V14, V15, OF, 14, 5},
    {E::OFPBPC_BAD_EXP_TYPE, V10, V11, NX, 14, 6},
    {E::OFPBPC_BAD_EXP_TYPE, V12, V12, NX, 31, 0},
    {E::OFPBPC_BAD_EXP_TYPE, V13, V13, ONF, 4446, 0},
    {E::OFPBPC_BAD_EXP_TYPE, V14, V15, OF, 14, 6},
    {E::OFPBPC_BAD_EXP_VALUE, V10, V11, NX, 14, 7},
    {E::OFPBPC_BAD_EXP_VALUE, V12, V12, NX, 32, 0},
    {E::OFPBPC_BAD_EXP_VALUE, V13, V13, ONF, 4447, 0},
    {E::OFPBPC_BAD_EXP_VALUE, V14, V15, OF, 14, 7},
    {E::OFPBPC_EPERM, V10, V11, NX, 14, 8},
    {E::OFPBPC_EPERM, V12, V12, NX, 33, 0},
    {E::OFPBPC_EPERM, V13, V13, ONF, 4448, 0},
    {E::OFPBPC_EPERM, V14, V15, OF, 14, 8},
    // Async config failed.
    {E::OFPACFC_INVALID, V13, V13, ONF, 2370, 0},
    {E::OFPACFC_INVALID, V14, V15, OF, 15, 0},
    {E::OFPACFC_UNSUPPORTED, V13, V13, ONF, 2371, 0},
    {E::OFPACFC_UNSUPPORTED, V14, V15, OF, 15, 1},
    {E::OFPACFC_EPERM, V13, V13, ONF, 2372, 0},
    {E::OFPACFC_EPERM, V14, V15, OF, 15, 2},
    // Bundle failed: an ONF extension of 1.3, standard from 1.4.
    {E::OFPBFC_UNKNOWN, V13, V13, ONF, 2300, 0},
    {E::OFPBFC_UNKNOWN, V14, V15, OF, 17, 0},
    {E::OFPBFC_EPERM, V13, V13, ONF, 2301, 0},
    {E::OFPBFC_EPERM, V14, V15, OF, 17, 1},
    {E::OFPBFC_BAD_ID, V13, V13, ONF, 2302, 0},
    {E::OFPBFC_BAD_ID, V14, V15, OF, 17, 2},
    {E::OFPBFC_BUNDLE_EXIST, V13, V13, ONF, 2303, 0},
    {E::OFPBFC_BUNDLE_EXIST, V14, V15, OF, 17, 3},
    {E::OFPBFC_BUNDLE_CLOSED, V13, V13, ONF, 2304, 0},
    {E::OFPBFC_BUNDLE_CLOSED, V14, V15, OF, 17, 4},
    {E::OFPBFC_OUT_OF_BUNDLES, V13, V13, ONF, 2305, 0},
    {E::OFPBFC_OUT_OF_BUNDLES, V14, V15, OF, 17, 5},
    {E::OFPBFC_BAD_TYPE, V13, V13, ONF, 2306, 0},
    {E::OFPBFC_BAD_TYPE, V14, V15, OF, 17, 6},
    {E::OFPBFC_BAD_FLAGS, V13, V13, ONF, 2307, 0},
    {E::OFPBFC_BAD_FLAGS, V14, V15, OF, 17, 7},
    {E::OFPBFC_MSG_BAD_LEN, V13, V13, ONF, 2308, 0},
    {E::OFPBFC_MSG_BAD_LEN, V14, V15, OF, 17, 8},
    {E::OFPBFC_BAD_XID, V13, V13, ONF, 2309, 0},
    {E::OFPBFC_BAD_XID, V14, V15, OF, 17, 9},
    {E::OFPBFC_MSG_UNSUP, V13, V13, ONF, 2310, 0},
    {E::OFPBFC_MSG_UNSUP, V14, V15, OF, 17, 10},
    {E::OFPBFC_MSG_CONFLICT, V13, V13, ONF, 2311, 0},
    {E::OFPBFC_MSG_CONFLICT, V14, V15, OF, 17, 11},
    {E::OFPBFC_MSG_TOO_MANY, V13, V13, ONF, 2312, 0},
    {E::OFPBFC_MSG_TOO_MANY, V14, V15, OF, 17, 12},
    {E::OFPBFC_MSG_FAILED, V13, V13, ONF, 2313, 0},
    {E::OFPBFC_MSG_FAILED, V14, V15, OF, 17, 13},
    {E::OFPBFC_TIMEOUT, V13, V13, ONF, 2314, 0},
    {E::OFPBFC_TIMEOUT, V14, V15, OF, 17, 14},
    {E::OFPBFC_BUNDLE_IN_PROGRESS, V13, V13, ONF, 2315, 0},
    {E::OFPBFC_BUNDLE_IN_PROGRESS, V14, V15, OF, 17, 15},
    {E::OFPBFC_BAD_VERSION, V14, V15, NX, 22, 0},
};

constexpr const char* kNames[] = {
#define XVS_OFP_ERR_NAME(name) #name,
    XVS_OFP_ERRORS(XVS_OFP_ERR_NAME)
#undef XVS_OFP_ERR_NAME
};

const ErrRow* find_row(OfpErr e, uint8_t version) {
    for (const auto& r : kRows) {
        if (r.err == e && version >= r.vmin && version <= r.vmax) return &r;
    }
    return nullptr;
}

}  // namespace

const char* ofp_error_name(OfpErr e) {
    auto i = static_cast<size_t>(e);
    return i < std::size(kNames) ? kNames[i] : "<invalid>";
}

OfpErrorCode ofp_error_encode(OfpErr e, uint8_t version) {
    // Versions we do not speak (a hello from the future) get 1.0's numbers,
    // which every version shares for hello-failed errors.
    if (version < kOfp10 || version > kOfp15) version = kOfp10;
    const ErrRow* r = find_row(e, version);
    if (!r) r = find_row(OfpErr::NXBRC_UNENCODABLE_ERROR, version);
    return OfpErrorCode{r->type, r->code, r->vendor};
}

std::optional<OfpErr> ofp_error_decode(uint8_t version, uint16_t type, uint16_t code) {
    return ofp_error_decode(version, 0, type, code);
}

std::optional<OfpErr> ofp_error_decode(uint8_t version, uint32_t vendor, uint16_t type, uint16_t code) {
    // 1.2+ experimenter errors carry only a type.
    if (vendor && version >= kOfp12) code = 0;
    // First match wins: where one code stands for two errors in an old
    // version (1.1's 3,5; 1.0's 1,5), the table lists the primary one first.
    for (const auto& r : kRows) {
        if (version >= r.vmin && version <= r.vmax && r.vendor == vendor && r.type == type && r.code == code) {
            return r.err;
        }
    }
    return std::nullopt;
}

}  // namespace xvs::ofproto
