// OpenFlow actions on the wire: decoding every version's action lists and
// instruction sets into OfActions, encoding OfActions back for a version the
// way Open vSwitch encodes them (so that Debian's ovs-ofctl prints our flows
// exactly as it prints Open vSwitch's), the consistency check a flow_mod's
// actions get against its match, and the parser of ovs-ofctl's action text.
//
// Versions are wire versions (kOfp10 .. kOfp15). Standard actions change
// numbers between 1.0 and 1.1; Nicira extension actions (vendor 0x00002320)
// fill the gaps, and OpenFlow 1.0 has no instructions, so write_metadata and
// goto_table travel there as NXAST_WRITE_METADATA and NXAST_RESUBMIT_TABLE,
// while clear_actions, write_actions and meter cannot be expressed and are
// left out, as Open vSwitch does. Every action is a multiple of 8 bytes;
// multi-byte fields are big-endian.
//
// What is refused, and how: actions Open vSwitch has but the datapath cannot
// do yet (MPLS, tunnels, conntrack, bundle,
// stack, encap/decap, check_pkt_larger, output_trunc, ...) are
// answered with OFPBAC_BAD_TYPE (standard) or OFPBAC_BAD_VENDOR_TYPE
// (Nicira), as for an action nobody knows; set_field/load/move on a field
// the registry (meta_flow.h) does not list is OFPBAC_BAD_SET_TYPE (OFPBMC_BAD_FIELD
// where Open vSwitch parses the field like a match field: move, output_reg2).
// The NXAC2PT_METER_ID property of controller(...) is refused with
// OFPBAC_BAD_ARGUMENT (ActController has no meter).
//
// Where Open vSwitch reports NXBRC_MUST_BE_ZERO (a bad-request code) for a
// nonzero pad in an extension action, we report NXBAC_MUST_BE_ZERO: the
// error registry has no NXBRC code yet.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ofproto/actions.h"
#include "ofproto/classifier.h"
#include "ofproto/ofp_errors.h"

namespace xvs::ofproto {

// ---- Decoding ---------------------------------------------------------------

// Decodes an action list (the actions of an OpenFlow 1.0 flow_mod or of a
// packet_out in any version) of wire version 'version' into *out (replaced;
// left empty on error). 'in' is exactly the actions, a multiple of 8 bytes.
// As in Open vSwitch, an action list may not hold instructions (an
// NXAST_WRITE_METADATA here is OFPBIC_UNSUP_INST), except meter in 1.5+
// where it is an action. The error's detail says which action, at what
// offset, and why.
std::optional<OfpError> ofpacts_pull(std::span<const uint8_t> in, uint8_t version, OfActions* out);

// Decodes the instructions of a 1.1+ flow_mod (for 1.0: its actions, where
// the extension forms of write_metadata are allowed) into the flat list in
// execution order: meter, apply_actions' actions, clear_actions,
// write_actions(...), write_metadata, goto_table. Errors as Open vSwitch
// gives them: OFPBIC_BAD_LEN, OFPBIC_DUP_INST, OFPBIC_UNKNOWN_INST,
// OFPBIC_BAD_EXPERIMENTER, OFPBAC_BAD_TYPE for an action not allowed in an
// action set, and every action error. Whether goto_table goes forward is
// check_actions()' business (it needs the table).
std::optional<OfpError> ofpacts_pull_instructions(std::span<const uint8_t> in, uint8_t version, OfActions* out);

// ---- Encoding ---------------------------------------------------------------

// Appends 'actions' as an action list of 'version' (packet_out, 1.0
// flow_mod, group buckets): each action in the form Open vSwitch uses for
// that version (set_field becomes the 1.0/1.1 action it maps to, mod_nw_ttl
// becomes an NXAST_REG_LOAD in 1.0, enqueue becomes set_queue, output,
// pop_queue in 1.1+, ...). Instruction actions (write_metadata, goto_table,
// clear_actions, write_actions, meter before 1.5) are encoded only where
// they have an action form (1.0's extensions, 1.5's meter) and are
// otherwise left out: callers with instructions use ofpacts_put_instructions().
//
// 'match' is the flow's match, if any: as in Open vSwitch, it decides two
// encodings of 1.1+ (whether mod_vlan_vid/mod_vlan_pcp must push a tag
// first, and whether mod_tp_src/dst becomes set_field on tcp_src, udp_src or
// sctp_src in 1.2+). Without it, a tag is pushed and mod_tp_* stays the
// OpenFlow 1.0-style action.
void ofpacts_put(std::vector<uint8_t>& out, const OfActions& actions, uint8_t version, const Match* match = nullptr);

// Appends 'actions' as the instructions of a 1.1+ flow_mod or flow stats
// entry: consecutive actions form one APPLY_ACTIONS (left out when empty,
// as is an empty write_actions), instruction actions become their
// instruction. For 1.0, the same as ofpacts_put().
void ofpacts_put_instructions(std::vector<uint8_t>& out, const OfActions& actions, uint8_t version,
                              const Match* match = nullptr);

// ---- Consistency with the match ----------------------------------------------

// Checks 'actions' of a flow with 'match' in table 'table_id' (255: not in
// a table, e.g. packet_out) of a switch with 'n_tables' tables and ports
// below 'max_ports', as Open vSwitch's ofpacts_check_consistency():
// - output/enqueue ports valid (OFPBAC_BAD_OUT_PORT), at most two VLAN
//   tags after push_vlan (OFPBAC_BAD_TAG);
// - load/move/output_reg subfields within their fields (OFPBAC_BAD_SET_LEN),
//   move/load targets writable (OFPBAC_BAD_SET_ARGUMENT), their fields'
//   prerequisites met by the match (OFPBAC_MATCH_INCONSISTENT), and for
//   set_field also the prerequisites (OFPBAC_MATCH_INCONSISTENT, in every
//   version, as Open vSwitch does);
// - goto_table to a later, existing table (OFPBIC_BAD_TABLE_ID), meter ids
//   valid (OFPMMFC_INVALID_METER);
// - learn: source subfields within their fields and with their
//   prerequisites in the match, destinations within their fields (loads
//   writable) with their prerequisites in the flow the earlier specs built
//   (OFPBAC_BAD_SET_LEN, OFPBAC_BAD_SET_ARGUMENT, OFPBAC_MATCH_INCONSISTENT);
// - in 1.1+ only, actions that need something the match does not promise
//   (mod_nw_src without ip, pop_vlan without a tag, set_vlan_vid (1.1 form)
//   without a tag, mod_tp_src without tcp/udp/sctp, fin_timeout without
//   tcp, ...) are
//   OFPBAC_MATCH_INCONSISTENT; OpenFlow 1.0 allows them (they do nothing on
//   packets without the header).
// Earlier actions count for later ones (push_vlan provides the tag that
// set_field vlan_vid needs), within write_actions too.
std::optional<OfpError> check_actions(const OfActions& actions, const Match& match, uint8_t version,
                                      OfPort max_ports = kOfppMax, uint8_t table_id = 255, uint8_t n_tables = 255);

// ---- Text ---------------------------------------------------------------------

// ovs-ofctl's tokenizer (OVS's ofputil_parse_key_value()): the next "key",
// "key:value", "key=value" or "key(value)" of 's' from *pos, skipping
// commas and white space; parentheses nest, and "key(x)->y" is one value.
// False at the end of the text.
bool next_key_value(std::string_view s, size_t* pos, std::string_view* key, std::string_view* value);

// Parses ovs-ofctl's action syntax, as in "actions=..." of add-flow
// (instructions allowed: goto_table, write_metadata, clear_actions,
// write_actions(...), meter) or, with allow_instructions false, of
// packet-out and group buckets. Accepts everything format_of_actions()
// prints plus ovs-ofctl's aliases and shorthands (a bare port number or
// reserved port name is output to it, "drop", "controller:MAX",
// "output:NXM_NX_REG0[0..15]", "load:VALUE->DST[..]", "set_field:V/M->F",
// "mod_vlan_vid"/"set_vlan_vid", "strip_vlan"/"pop_vlan", "resubmit(,T)",
// "set_nw_ttl", ...). On error returns nullopt with ovs-ofctl's message
// (naming the bad token) in *error; actions Open vSwitch has and we do not
// are "action NAME is not supported yet".
std::optional<OfActions> parse_of_actions(std::string_view text, std::string* error, bool allow_instructions = true);

}  // namespace xvs::ofproto
