// Match codecs: a Match to and from its OpenFlow wire forms (NXM and OXM
// TLVs, the OpenFlow 1.1+ ofp_match wrapper around OXM, the fixed OpenFlow
// 1.0 ofp_match) and from and to ovs-ofctl's text.
//
// Decoders report what Open vSwitch would send back, as an OfpError:
//   - truncated entry or header, payload longer than what is left:
//     OFPBMC_BAD_LEN;
//   - unknown header, or a known one with the wrong length (OVS looks
//     headers up with their length, so a wrong length is an unknown field):
//     OFPBMC_BAD_FIELD;
//   - a value with 1-bits where its mask has 0-bits: OFPBMC_BAD_WILDCARDS
//     (OVS's choice, checked before the field is even identified);
//   - a partial mask on a non-maskable field: OFPBMC_BAD_MASK;
//   - a value the field cannot have (bits beyond its width, nw_tos's ECN
//     bits, arp_op > 255, in_port_oxm 0xff00..0xfffffeff): OFPBMC_BAD_VALUE;
//   - a field whose prerequisites the entries before it do not match
//     (order matters, as in OVS: eth_type before ip_src): OFPBMC_BAD_PREREQ;
//   - a field (or a view of the same bits) that an earlier entry already
//     matched: OFPBMC_DUP_FIELD.
// OXM_OF_PACKET_TYPE(0), which OVS writes for a match that only requires
// Ethernet, is accepted (every packet here is Ethernet); other packet
// types are OFPBMC_BAD_VALUE.
// Encoders write what OVS writes: prerequisites first, in OVS's order,
// exact entries where the mask covers the field, nothing for wildcarded
// fields. Every Match a decoder produced encodes, in the same format and
// version, into bytes that decode to the same Match: the canonical bytes,
// which may differ from the received ones (masks of all ones become exact
// entries, entries come in canonical order, registers become OXM_OF_PKT_REG
// in OpenFlow 1.5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ofproto/classifier.h"
#include "ofproto/ofp_errors.h"
#include "util/result.h"

namespace xvs::ofproto {

using MatchResult = BasicResult<Match, OfpError>;

// ---- NXM / OXM TLVs ----------------------------------------------------

// Decodes the NXM TLVs of an NXT_FLOW_MOD / NXST_FLOW request or reply:
// 'tlvs' is exactly match_len bytes (the caller checks that the message
// holds nx_padded_len(match_len) bytes, else OFPBMC_BAD_LEN, and skips the
// padding). With cookie and cookie_mask non-null, one NXM_NX_COOKIE(_W)
// entry is accepted and returned there (host byte order; both 0 without
// one); otherwise it is OFPBMC_BAD_FIELD like any unknown entry.
MatchResult nx_pull_match(std::span<const uint8_t> tlvs, uint64_t* cookie = nullptr, uint64_t* cookie_mask = nullptr);
// Decodes bare OXM TLVs (what ofp11_pull_match finds inside ofp_match).
MatchResult oxm_pull_match(std::span<const uint8_t> tlvs);

// Appends the NXM TLVs of 'm', then NXM_NX_COOKIE(_W) when cookie_mask is
// not 0, then zero padding to a multiple of 8 bytes; returns match_len
// (the TLV bytes, padding excluded).
size_t nx_put_match(const Match& m, std::vector<uint8_t>* out, uint64_t cookie = 0, uint64_t cookie_mask = 0);
// Appends the OXM TLVs of 'm' for OpenFlow wire version 'version' (1.2+),
// no header, no padding; returns the bytes appended.
size_t oxm_put_tlvs(const Match& m, uint8_t version, std::vector<uint8_t>* out);
// The bytes match_len bytes of NXM take in a message.
constexpr size_t nx_padded_len(size_t match_len) {
    return (match_len + 7) / 8 * 8;
}

// ---- struct ofp_match of OpenFlow 1.1+ (OXM) ---------------------------

// Decodes the ofp_match at the start of 'buf' (type OFPMT_OXM, length,
// TLVs, padding to 8) into *match; returns the bytes it takes, padding
// included. OFPMT_STANDARD (OpenFlow 1.1's fixed match) and other types are
// OFPBMC_BAD_TYPE; a length below 4 or beyond 'buf' is OFPBMC_BAD_LEN.
BasicResult<size_t, OfpError> ofp11_pull_match(std::span<const uint8_t> buf, Match* match);
// Appends the ofp_match of 'm' for 'version', padded to 8 bytes; returns
// its length field (4 + the TLV bytes, padding excluded), as OVS's
// oxm_put_match does.
size_t ofp11_put_match(const Match& m, uint8_t version, std::vector<uint8_t>* out);

// ---- OpenFlow 1.0 -------------------------------------------------------

inline constexpr size_t kOfp10MatchLen = 40;
// Decodes a 40-byte OpenFlow 1.0 ofp_match (OFPBMC_BAD_LEN when shorter).
// As OVS does for OFPT_FLOW_MOD, the fields its wildcards leave matched
// but that do not apply are dropped (match_normalize): nw_proto of a
// non-IP, non-ARP match, tp_src of a non-TCP/UDP/SCTP/ICMP one, nw_tos of
// ARP. dl_vlan 0xffff means "no tag" (any dl_vlan_pcp is then ignored),
// out-of-range VID and PCP bits are dropped, nw_tos keeps its DSCP bits.
// (A flow_mod whose wildcards are all 0 gets priority 0xffff in OpenFlow
// 1.0: that is the message layer's business.)
MatchResult ofp10_pull_match(std::span<const uint8_t> buf);
// Appends the 40 bytes of 'm' as an OpenFlow 1.0 ofp_match. What 1.0
// cannot say (see match_fits_ofp10) is lost as OVS loses it.
void ofp10_put_match(const Match& m, std::vector<uint8_t>* out);
// Whether OpenFlow 1.0's ofp_match expresses 'm' exactly: no registers,
// metadata, pkt_mark, IPv6 addresses or label, ND, ARP hardware addresses,
// TTL, ECN, fragments or TCP flags; no L3/L4 fields under IPv6; exact
// in_port, Ethernet addresses, ports, DSCP; CIDR nw_src/nw_dst; a VLAN
// match of "no tag", or a tag with an exact or wildcarded VID and PCP.
bool match_fits_ofp10(const Match& m);
// OVS's ofputil_normalize_match: drops from 'm' the fields that cannot
// apply given its eth_type, ip_proto and ICMPv6 type (see ofp10_pull_match).
// Returns whether anything changed.
bool match_normalize(Match* m);

// ---- Text ---------------------------------------------------------------

// ovs-ofctl's text of a match, as dump-flows prints it: "priority=N," first
// unless 'priority' is the default 32768, then the protocol shorthand
// (ip, tcp, udp6, arp, ...) for eth_type and ip_proto, registers,
// metadata, in_port, VLAN, Ethernet, L3, L4 fields in OVS's order, e.g.
// "priority=100,tcp,in_port=1,nw_src=10.0.0.0/8,tp_dst=80". An empty
// string for a catch-all match at the default priority.
std::string match_format(const Match& m, int priority = 32768);

// Adds one "name=value" of ovs-ofctl's flow syntax to *m: a protocol
// shorthand with an empty value ("tcp", "icmp6", "arp", "ip"), a field by
// name or alias ("dl_src", "nw_src", "tp_dst", "reg3", "xxreg0", "in_port"
// with port names), or a subfield ("reg0[0..3]=5"). An empty value for a
// field adds nothing (OVS's "match on the field's existence"). As in OVS,
// tp_src/tp_dst are the TCP names and write the same bits as udp_src,
// sctp_src, icmp_type...: which protocol they mean is decided by the
// eth_type/ip_proto the match has in the end, in whatever order the text
// gave them. Keywords that are not match fields (priority, cookie,
// actions, table...) are the caller's and are refused here.
bool match_parse_field(std::string_view name, std::string_view value, Match* m, std::string* error);
// Checks, once every field is in, that each matched field has its
// prerequisites (what an OpenFlow switch would reject with
// OFPBMC_BAD_PREREQ), naming the field when not: "nw_src=1.2.3.4" without
// "ip" fails here.
bool match_finish(Match* m, std::string* error);
// A whole match "tcp,nw_src=10.0.0.0/8,tp_dst=80" (comma or space
// separated, match fields only): match_parse_field for each, then
// match_finish.
bool match_parse(std::string_view text, Match* m, std::string* error);

// ovs-ofctl's parse-nx-match notation of NXM/OXM TLVs, for logs and tests:
// "NXM_OF_ETH_TYPE(0800), NXM_OF_IP_SRC_W(c0a80000/ffff0000)", "<any>"
// when empty.
std::string nx_match_to_string(std::span<const uint8_t> tlvs);
// The inverse: names (with "_W" for masked entries), or raw 8- or 16-digit
// hex headers taken as they are, then "(value)" or "(value/mask)" in hex.
std::optional<std::vector<uint8_t>> nx_match_from_string(std::string_view text, std::string* error);

}  // namespace xvs::ofproto
