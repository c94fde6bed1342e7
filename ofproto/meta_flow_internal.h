// Helpers shared by the meta-flow and match codec sources (not an API).
#pragma once

#include "ofproto/meta_flow.h"

namespace xvs::ofproto::mf_internal {

// MfValue as the 128-bit big-endian number it is.
using u128 = unsigned __int128;
u128 to_u128(const MfValue& v);
MfValue from_u128(u128 x);
// The n low bits set (n may be 128).
u128 low_bits(unsigned n);
// Whether the last n_bytes of v are all zeros / all ones.
bool is_zero_bytes(const MfValue& v, unsigned n_bytes);
bool is_ones_bytes(const MfValue& v, unsigned n_bytes);

}  // namespace xvs::ofproto::mf_internal

#include <string>

namespace xvs::ofproto::mf_internal {

// Value formatting shared with match_format (OVS prints these the same way
// in both places).
std::string format_tcp_flags_masked(uint16_t flags, uint16_t mask);
std::string format_ipv4_masked(const MfValue& v, const MfValue& mask);
std::string format_ipv6_masked(const MfValue& v, const MfValue& mask);
std::string format_mac_masked(const MfValue& v, const MfValue& mask);
std::string format_frag(uint8_t value, uint8_t mask);

}  // namespace xvs::ofproto::mf_internal

#include <vector>

namespace xvs::ofproto::mf_internal {

// One entry of a match as the NXM/OXM encoders write it.
struct MatchEntry {
    const MfField* field;
    MfValue value;
    MfValue mask;  // meaningful when 'masked'
    bool masked;
};
// The entries of 'm' in OVS's canonical order for 'version' (0 = NXM):
// what nx_put_match / oxm_put_tlvs write, and what match_finish checks.
std::vector<MatchEntry> match_entries(const Match& m, uint8_t version);

// Parses an integer of ovs-ofctl's syntax ("0x1f", "31", "017") that must
// fit in n_bytes, all of 'text'.
bool parse_integer(std::string_view text, unsigned n_bytes, MfValue* out);

}  // namespace xvs::ofproto::mf_internal
