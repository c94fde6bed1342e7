// Pieces the action codecs (ofp_actions_decode.cpp, ofp_actions_encode.cpp),
// the checker and the text parser share: wire numbers, byte helpers, bit
// helpers on MfValue, NXM/OXM header choice, and the instruction order rule.
// Private to ofproto/.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ofproto/actions.h"
#include "ofproto/classifier.h"
#include "ofproto/meta_flow.h"
#include "ofproto/ofp_errors.h"

namespace xvs::ofproto::wire {

inline constexpr uint32_t kNxVendor = 0x00002320;   // Nicira
inline constexpr uint32_t kOnfVendor = 0x4f4e4600;  // ONF ("ONF\0")
inline constexpr uint16_t kOfpatVendor = 0xffff;
inline constexpr size_t kActionAlign = 8;
inline constexpr size_t kMaxActionLen = 65528;  // largest multiple of 8 in a u16

// Instruction types (OFPIT_*), the same numbers in 1.1 to 1.5.
inline constexpr uint16_t kOfpitGotoTable = 1;
inline constexpr uint16_t kOfpitWriteMetadata = 2;
inline constexpr uint16_t kOfpitWriteActions = 3;
inline constexpr uint16_t kOfpitApplyActions = 4;
inline constexpr uint16_t kOfpitClearActions = 5;
inline constexpr uint16_t kOfpitMeter = 6;
inline constexpr uint16_t kOfpitExperimenter = 0xffff;

// Packet-in reasons (OFPR_*) as controller(reason=...) names them.
inline constexpr uint8_t kOfprAction = 1;

// NXAST_CONTROLLER2 property types.
inline constexpr uint16_t kNxac2ptMaxLen = 0;
inline constexpr uint16_t kNxac2ptControllerId = 1;
inline constexpr uint16_t kNxac2ptReason = 2;
inline constexpr uint16_t kNxac2ptUserdata = 3;
inline constexpr uint16_t kNxac2ptPause = 4;
inline constexpr uint16_t kNxac2ptMeterId = 5;

// Largest meter id (OFPM_MAX); above are virtual meters.
inline constexpr uint32_t kOfpmMax = 0xffff0000;

inline uint16_t get16(std::span<const uint8_t> b, size_t ofs) {
    return static_cast<uint16_t>(b[ofs] << 8 | b[ofs + 1]);
}
inline uint32_t get32(std::span<const uint8_t> b, size_t ofs) {
    return uint32_t{b[ofs]} << 24 | uint32_t{b[ofs + 1]} << 16 | uint32_t{b[ofs + 2]} << 8 | b[ofs + 3];
}
inline uint64_t get64(std::span<const uint8_t> b, size_t ofs) {
    return uint64_t{get32(b, ofs)} << 32 | get32(b, ofs + 4);
}
inline bool all_zero(std::span<const uint8_t> b) {
    for (uint8_t x : b)
        if (x) return false;
    return true;
}

// Appends big-endian values to a byte vector and patches lengths.
struct Writer {
    std::vector<uint8_t>& out;
    void u8(uint8_t v) { out.push_back(v); }
    void u16(uint16_t v) {
        out.push_back(static_cast<uint8_t>(v >> 8));
        out.push_back(static_cast<uint8_t>(v));
    }
    void u32(uint32_t v) {
        u16(static_cast<uint16_t>(v >> 16));
        u16(static_cast<uint16_t>(v));
    }
    void u64(uint64_t v) {
        u32(static_cast<uint32_t>(v >> 32));
        u32(static_cast<uint32_t>(v));
    }
    void zeros(size_t n) { out.insert(out.end(), n, 0); }
    void bytes(const uint8_t* p, size_t n) { out.insert(out.end(), p, p + n); }
    size_t size() const { return out.size(); }
    void put16_at(size_t ofs, uint16_t v) {
        out[ofs] = static_cast<uint8_t>(v >> 8);
        out[ofs + 1] = static_cast<uint8_t>(v);
    }
    // Pads what was written since 'start' to a multiple of 8 and stores
    // that length at start + 2 (every action and instruction keeps it there).
    void finish(size_t start) {
        zeros((kActionAlign - (out.size() - start) % kActionAlign) % kActionAlign);
        put16_at(start + 2, static_cast<uint16_t>(out.size() - start));
    }
};

// ---- Bits of a field value ------------------------------------------------
// An MfValue holds a field right-aligned in its 16 bytes, so bit i (0 = the
// least significant) of any field is in byte 15 - i/8.

inline bool mfv_bit(const MfValue& v, unsigned bit) {
    return (v.b[15 - bit / 8] >> (bit % 8)) & 1;
}
inline void mfv_set_bit(MfValue& v, unsigned bit, bool on) {
    uint8_t& byte = v.b[15 - bit / 8];
    uint8_t m = static_cast<uint8_t>(1u << (bit % 8));
    byte = on ? static_cast<uint8_t>(byte | m) : static_cast<uint8_t>(byte & ~m);
}
// The n (<= 64) bits at 'ofs', as an integer.
inline uint64_t mfv_get_bits(const MfValue& v, unsigned ofs, unsigned n) {
    uint64_t x = 0;
    for (unsigned i = n; i-- > 0;) x = x << 1 | (mfv_bit(v, ofs + i) ? 1 : 0);
    return x;
}
inline void mfv_put_bits(MfValue& v, unsigned ofs, unsigned n, uint64_t x) {
    for (unsigned i = 0; i < n; i++) mfv_set_bit(v, ofs + i, i < 64 && ((x >> i) & 1));
}
inline MfValue mfv_from_u64(uint64_t x) {
    MfValue v;
    for (int i = 0; i < 8; i++) v.b[15 - i] = static_cast<uint8_t>(x >> (8 * i));
    return v;
}
// All n_bytes bytes 0xff (the rest zero): the mask of a whole-field write.
inline MfValue mfv_all_ones(const MfField& f) {
    MfValue v;
    std::memset(v.b + 16 - f.n_bytes, 0xff, f.n_bytes);
    return v;
}
inline bool mfv_is_all_ones(const MfValue& v, const MfField& f) {
    return v == mfv_all_ones(f);
}
// Whether 'v' has no 1-bits at or above bit 'n_bits'.
inline bool mfv_fits(const MfValue& v, unsigned n_bits) {
    for (unsigned bit = n_bits; bit < 128; bit++)
        if (mfv_bit(v, bit)) return false;
    return true;
}

// The runs of 1-bits of a load's mask within the field's n_bits, low bits
// first, each at most 64 bits: one NXAST_REG_LOAD (and one "load:" in the
// text) each, as Open vSwitch splits them (next_load_segment()).
struct BitRun {
    unsigned ofs, n_bits;
};
inline std::vector<BitRun> mask_runs(const MfValue& mask, unsigned n_bits) {
    std::vector<BitRun> runs;
    for (unsigned start = 0; start < n_bits;) {
        unsigned ofs = start;
        while (ofs < n_bits && !mfv_bit(mask, ofs)) ofs++;
        if (ofs >= n_bits) break;
        unsigned end = ofs + 1, limit = ofs + 64 < n_bits ? ofs + 64 : n_bits;
        while (end < limit && mfv_bit(mask, end)) end++;
        runs.push_back({ofs, end - ofs});
        start = end;
    }
    return runs;
}

// ---- NXM/OXM headers -------------------------------------------------------

// Bytes a header takes on the wire (8 for an experimenter OXM).
inline size_t wire_header_len(const MfWireHeader& h) {
    return nxm_class(h.header) == kOxmClassExperimenter ? 8 : 4;
}
// The header with the hasmask bit set and the payload doubled.
inline MfWireHeader wire_header_masked(MfWireHeader h) {
    unsigned exp_len = nxm_class(h.header) == kOxmClassExperimenter ? 4 : 0;
    unsigned payload = nxm_length(h.header) - exp_len;
    h.header = (h.header & ~0x1ffu) | 0x100u | (exp_len + 2 * payload);
    return h;
}
// The field a header names, whatever its length and mask bit; *len_ok says
// whether the length matches the field (a masked header carries twice the
// field).
const MfField* mf_from_header(const MfWireHeader& h, bool* len_ok);

// OpenFlow 1.1+ port numbers: 0..0xfeff as is, reserved ports at the top.
inline uint32_t port_to_ofp11(OfPort port) {
    return port < kOfppMax ? port : uint32_t{port} + 0xffff0000u;
}
inline bool port_from_ofp11(uint32_t p, OfPort* port) {
    if (p < kOfppMax) {
        *port = static_cast<OfPort>(p);
        return true;
    }
    if (p >= 0xffffff00u) {
        *port = static_cast<OfPort>(p - 0xffff0000u);
        return true;
    }
    return false;
}

// Open vSwitch's ofpact_check_output_port(): reserved ports an output may
// name, or a port below 'max_ports'.
inline bool output_port_ok(OfPort port, OfPort max_ports) {
    switch (port) {
        case kOfppInPort:
        case kOfppTable:
        case kOfppNormal:
        case kOfppFlood:
        case kOfppAll:
        case kOfppController:
        case kOfppLocal:
            return true;
        case kOfppNone:
            return false;
        default:
            return port < max_ports;
    }
}

// ---- Instruction order -----------------------------------------------------
// Open vSwitch's "OVSINST" order, in which a flat action list must name its
// instructions: meter, apply_actions (any number of actions), clear_actions,
// write_actions, write_metadata, goto_table.
enum class Inst : uint8_t { Meter, Apply, Clear, WriteActions, WriteMetadata, GotoTable };
const char* inst_name(Inst i);
Inst inst_of(const OfAction& a, uint8_t version);

// Open vSwitch's ofpacts_verify(): the order above, no duplicates, only
// 'allowed' (bit per Inst) present. On error sets *msg to ovs-ofctl's
// message (if msg) and returns the error.
std::optional<OfpErr> verify_order(const OfActions& actions, uint8_t version, unsigned allowed, std::string* msg);
inline constexpr unsigned kAllInsts = 0x3f;
inline constexpr unsigned kActionListInsts = (1u << int(Inst::Meter)) | (1u << int(Inst::Apply));

// Whether an action may be in an action set (write_actions): Open vSwitch's
// action_set_classify() != ACTION_SLOT_INVALID.
bool allowed_in_action_set(const OfAction& a);

// Open vSwitch's mf_check_src()/mf_check_dst(): the subfield lies within
// its field (OFPBAC_BAD_SET_LEN), a destination is writable
// (OFPBAC_BAD_SET_ARGUMENT) and, given a match, the match satisfies the
// field's prerequisites (OFPBAC_MATCH_INCONSISTENT).
std::optional<OfpError> check_subfield(const MfSubfield& sf, bool is_dst, const Match* match);

// Whether a controller action is the plain output:CONTROLLER form.
inline bool controller_is_simple(const ActController& c) {
    return c.reason == kOfprAction && c.controller_id == 0 && c.userdata.empty() && !c.pause;
}

}  // namespace xvs::ofproto::wire
