// OpenFlow errors by name, independent of wire version: codecs and message
// handlers report one of these, and ofp_error_encode() turns it into the
// (type, code) pair of the connection's version (1.0 numbers differ from
// 1.1+, some errors exist only in later versions, the Nicira ones travel
// as NXET_VENDOR / experimenter errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace xvs::ofproto {

// OpenFlow wire versions.
inline constexpr uint8_t kOfp10 = 0x01;
inline constexpr uint8_t kOfp11 = 0x02;
inline constexpr uint8_t kOfp12 = 0x03;
inline constexpr uint8_t kOfp13 = 0x04;
inline constexpr uint8_t kOfp14 = 0x05;
inline constexpr uint8_t kOfp15 = 0x06;

#define XVS_OFP_ERRORS(X)                                                                      \
    /* hello failed */                                                                         \
    X(OFPHFC_INCOMPATIBLE) X(OFPHFC_EPERM)                                                     \
    /* bad request */                                                                          \
    X(OFPBRC_BAD_VERSION) X(OFPBRC_BAD_TYPE) X(OFPBRC_BAD_STAT) X(OFPBRC_BAD_VENDOR)          \
    X(OFPBRC_BAD_SUBTYPE) X(OFPBRC_EPERM) X(OFPBRC_BAD_LEN) X(OFPBRC_BUFFER_EMPTY)            \
    X(OFPBRC_BUFFER_UNKNOWN) X(OFPBRC_BAD_TABLE_ID) X(OFPBRC_IS_SLAVE) X(OFPBRC_BAD_PORT)     \
    X(OFPBRC_BAD_PACKET) X(OFPBRC_MULTIPART_BUFFER_OVERFLOW)                                   \
    /* bad request, Nicira extensions */                                                       \
    X(NXBRC_NXM_INVALID) X(NXBRC_NXM_BAD_TYPE) X(NXBRC_MUST_BE_ZERO) X(NXBRC_BAD_REASON)      \
    X(NXBRC_UNENCODABLE_ERROR)                                                                 \
    /* bad action */                                                                           \
    X(OFPBAC_BAD_TYPE) X(OFPBAC_BAD_LEN) X(OFPBAC_BAD_VENDOR) X(OFPBAC_BAD_VENDOR_TYPE)       \
    X(OFPBAC_BAD_OUT_PORT) X(OFPBAC_BAD_ARGUMENT) X(OFPBAC_EPERM) X(OFPBAC_TOO_MANY)          \
    X(OFPBAC_BAD_QUEUE) X(OFPBAC_BAD_OUT_GROUP) X(OFPBAC_MATCH_INCONSISTENT)                  \
    X(OFPBAC_UNSUPPORTED_ORDER) X(OFPBAC_BAD_TAG) X(OFPBAC_BAD_SET_TYPE) X(OFPBAC_BAD_SET_LEN) \
    X(OFPBAC_BAD_SET_ARGUMENT) X(OFPBAC_BAD_SET_MASK) X(OFPBAC_BAD_METER) X(NXBAC_MUST_BE_ZERO) \
    X(NXBAC_BAD_CONJUNCTION) \
    /* bad instruction */                                                                      \
    X(OFPBIC_UNKNOWN_INST) X(OFPBIC_UNSUP_INST) X(OFPBIC_BAD_TABLE_ID)                        \
    X(OFPBIC_UNSUP_METADATA) X(OFPBIC_UNSUP_METADATA_MASK) X(OFPBIC_BAD_EXPERIMENTER)         \
    X(OFPBIC_BAD_EXP_TYPE) X(OFPBIC_BAD_LEN) X(OFPBIC_EPERM) X(OFPBIC_DUP_INST)               \
    /* bad match */                                                                            \
    X(OFPBMC_BAD_TYPE) X(OFPBMC_BAD_LEN) X(OFPBMC_BAD_TAG) X(OFPBMC_BAD_DL_ADDR_MASK)         \
    X(OFPBMC_BAD_NW_ADDR_MASK) X(OFPBMC_BAD_WILDCARDS) X(OFPBMC_BAD_FIELD)                    \
    X(OFPBMC_BAD_VALUE) X(OFPBMC_BAD_MASK) X(OFPBMC_BAD_PREREQ) X(OFPBMC_DUP_FIELD)           \
    X(OFPBMC_EPERM)                                                                            \
    /* flow mod failed */                                                                      \
    X(OFPFMFC_UNKNOWN) X(OFPFMFC_TABLE_FULL) X(OFPFMFC_BAD_TABLE_ID) X(OFPFMFC_OVERLAP)       \
    X(OFPFMFC_EPERM) X(OFPFMFC_BAD_TIMEOUT) X(OFPFMFC_BAD_EMERG_TIMEOUT) X(OFPFMFC_BAD_COMMAND) \
    X(OFPFMFC_BAD_FLAGS)                                                                       \
    /* group mod failed */                                                                     \
    X(OFPGMFC_GROUP_EXISTS) X(OFPGMFC_INVALID_GROUP) X(OFPGMFC_OUT_OF_GROUPS)                 \
    X(OFPGMFC_OUT_OF_BUCKETS) X(OFPGMFC_CHAINING_UNSUPPORTED) X(OFPGMFC_WATCH_UNSUPPORTED)    \
    X(OFPGMFC_LOOP) X(OFPGMFC_UNKNOWN_GROUP) X(OFPGMFC_CHAINED_GROUP) X(OFPGMFC_BAD_TYPE)     \
    X(OFPGMFC_BAD_COMMAND) X(OFPGMFC_BAD_BUCKET) X(OFPGMFC_BAD_WATCH) X(OFPGMFC_EPERM)        \
    X(OFPGMFC_UNKNOWN_BUCKET) X(OFPGMFC_BUCKET_EXISTS)                                        \
    /* port mod failed */                                                                      \
    X(OFPPMFC_BAD_PORT) X(OFPPMFC_BAD_HW_ADDR) X(OFPPMFC_BAD_CONFIG) X(OFPPMFC_BAD_ADVERTISE) \
    X(OFPPMFC_EPERM)                                                                           \
    /* table mod failed */                                                                     \
    X(OFPTMFC_BAD_TABLE) X(OFPTMFC_BAD_CONFIG) X(OFPTMFC_EPERM)                               \
    /* queue op failed */                                                                      \
    X(OFPQOFC_BAD_PORT) X(OFPQOFC_BAD_QUEUE) X(OFPQOFC_EPERM)                                  \
    /* switch config failed */                                                                 \
    X(OFPSCFC_BAD_FLAGS) X(OFPSCFC_BAD_LEN) X(OFPSCFC_EPERM)                                   \
    /* role request failed */                                                                  \
    X(OFPRRFC_STALE) X(OFPRRFC_UNSUP) X(OFPRRFC_BAD_ROLE)                                      \
    /* meter mod failed */                                                                     \
    X(OFPMMFC_UNKNOWN) X(OFPMMFC_METER_EXISTS) X(OFPMMFC_INVALID_METER)                       \
    X(OFPMMFC_UNKNOWN_METER) X(OFPMMFC_BAD_COMMAND) X(OFPMMFC_BAD_FLAGS) X(OFPMMFC_BAD_RATE)  \
    X(OFPMMFC_BAD_BURST) X(OFPMMFC_BAD_BAND) X(OFPMMFC_BAD_BAND_VALUE)                        \
    X(OFPMMFC_OUT_OF_METERS) X(OFPMMFC_OUT_OF_BANDS)                                           \
    /* table features failed */                                                                \
    X(OFPTFFC_BAD_TABLE) X(OFPTFFC_BAD_METADATA) X(OFPTFFC_EPERM)                              \
    /* bad property (1.4+; Nicira/ONF extensions before) */                                    \
    X(OFPBPC_BAD_TYPE) X(OFPBPC_BAD_LEN) X(OFPBPC_BAD_VALUE) X(OFPBPC_TOO_MANY)               \
    X(OFPBPC_DUP_TYPE) X(OFPBPC_BAD_EXPERIMENTER) X(OFPBPC_BAD_EXP_TYPE)                      \
    X(OFPBPC_BAD_EXP_VALUE) X(OFPBPC_EPERM)                                                    \
    /* async config failed (1.4+) */                                                           \
    X(OFPACFC_INVALID) X(OFPACFC_UNSUPPORTED) X(OFPACFC_EPERM)                                 \
    /* bundle failed (1.4+) */                                                                 \
    X(OFPBFC_UNKNOWN) X(OFPBFC_EPERM) X(OFPBFC_BAD_ID) X(OFPBFC_BUNDLE_EXIST)                 \
    X(OFPBFC_BUNDLE_CLOSED) X(OFPBFC_OUT_OF_BUNDLES) X(OFPBFC_BAD_TYPE) X(OFPBFC_BAD_FLAGS)   \
    X(OFPBFC_MSG_BAD_LEN) X(OFPBFC_BAD_XID) X(OFPBFC_MSG_UNSUP) X(OFPBFC_MSG_CONFLICT)        \
    X(OFPBFC_MSG_TOO_MANY) X(OFPBFC_MSG_FAILED) X(OFPBFC_TIMEOUT) X(OFPBFC_BUNDLE_IN_PROGRESS)  \
    X(OFPBFC_BAD_VERSION)

enum class OfpErr : uint16_t {
#define XVS_OFP_ERR_ENUM(name) name,
    XVS_OFP_ERRORS(XVS_OFP_ERR_ENUM)
#undef XVS_OFP_ERR_ENUM
};

// "OFPBAC_BAD_TYPE" etc.
const char* ofp_error_name(OfpErr e);

inline constexpr uint32_t kOfpErrNiciraVendor = 0x00002320;
inline constexpr uint32_t kOfpErrOnfVendor = 0x4f4e4600;  // ONF extensions of OpenFlow 1.2/1.3
inline constexpr uint16_t kNxetVendor = 0xb0c2;          // 1.0/1.1 vendor error type
inline constexpr uint16_t kOfpetExperimenter = 0xffff;   // 1.2+ experimenter error type

// The error's wire form for 'version'.
struct OfpErrorCode {
    uint16_t type = 0;
    uint16_t code = 0;
    // 0 for a standard error. Otherwise the vendor (Nicira, or ONF for a
    // few 1.2/1.3 errors) whose (type, code) these are: 1.0/1.1 send them as
    // NXET_VENDOR (type 0xb0c2, code 0) followed by {vendor, type, code};
    // 1.2+ as OFPET_EXPERIMENTER (type 0xffff) with code = 'type' followed
    // by the vendor id ('code' is then 0).
    uint32_t vendor = 0;
};
// An error this version cannot express at all (OFPBIC_DUP_INST in 1.0 ...)
// comes back as NXBRC_UNENCODABLE_ERROR's code, as Open vSwitch does.
OfpErrorCode ofp_error_encode(OfpErr e, uint8_t version);
// The error named by a wire (type, code) pair of 'version', if known.
// 'vendor' is that of NXET_VENDOR/experimenter errors (0: standard).
std::optional<OfpErr> ofp_error_decode(uint8_t version, uint16_t type, uint16_t code);
std::optional<OfpErr> ofp_error_decode(uint8_t version, uint32_t vendor, uint16_t type, uint16_t code);

// A codec's or handler's failure: the error and, for logs, what it was about.
struct OfpError {
    OfpErr err;
    std::string detail;
};

}  // namespace xvs::ofproto
