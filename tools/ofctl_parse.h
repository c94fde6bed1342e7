// ovs-ofctl's flow syntax for xvs-ofctl: a flow for add-flow, mod-flows
// and del-flows ("table=1,priority=10,tcp,tp_dst=80 actions=drop"), a
// file of them (each line may start with add, modify, modify_strict,
// delete or delete_strict), and the flow selection of dump-flows and
// dump-aggregate. Besides the message contents, parsing says which flow
// protocols can carry what was written (a register match needs NXM or
// OXM, a cookie mask NXM or 1.1+, push_vlan 1.1+, ...), as ovs-ofctl
// decides which flow format to ask the switch for.
//
// Matches go through nx_match.h's match_parse_field() and actions through
// ofp_actions.h's parse_of_actions(); what is ovs-ofctl's own (the
// keywords that are not fields, the per-field protocol rules, the checks
// of actions against the match) is here. As in ovs-ofctl, a field whose
// prerequisites the match lacks is dropped (ovs-ofctl logs the
// normalization), not refused.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ofproto/ofp_msgs.h"
#include "tools/ofctl_protocol.h"

namespace xvs::ofctl {

// Port and table names a switch reported, for input such as "in_port=p1"
// (ovs-ofctl fetches them from the switch before parsing).
struct NameMaps {
    std::map<std::string, uint16_t> ports;
    std::map<std::string, uint8_t> tables;
};

// Which flow mod to parse: one command, or (files of add-flows) a command
// word at the start of each line, "add" when there is none.
enum class ParseCommand { FromText, Add, Modify, ModifyStrict, Delete, DeleteStrict };

// Parses one flow. Errors are ovs-ofctl's messages ("unknown keyword
// foo", "must specify an action", "actions are invalid with specified
// match (OFPBIC_BAD_TABLE_ID)").
std::optional<ofproto::OfpFlowMod> parse_flow_mod(std::string_view text, ParseCommand command, const NameMaps* names,
                                                  Protocols* usable, std::string* error);
// The flows of FILE ("-": standard input), one per line, '#' starting a
// comment; errors say "FILE:LINE: ...". 'usable' is what every flow allows.
std::optional<std::vector<ofproto::OfpFlowMod>> parse_flow_mod_file(const std::string& file, ParseCommand command,
                                                                    const NameMaps* names, Protocols* usable,
                                                                    std::string* error);
// The selection of dump-flows / dump-aggregate.
std::optional<ofproto::OfpFlowStatsRequest> parse_flow_stats_request(std::string_view text, bool aggregate,
                                                                     const NameMaps* names, Protocols* usable,
                                                                     std::string* error);

// Hex digit pairs, with spaces, dots and line ends allowed between them,
// as bytes (packet-out's packet, ofp-parse's messages); nullopt when
// something else follows.
std::optional<std::vector<uint8_t>> bytes_from_hex(std::string_view hex);

// A port as ovs-ofctl takes it (number, reserved name, or a name in 'names').
std::optional<uint16_t> parse_port(std::string_view text, const NameMaps* names);

}  // namespace xvs::ofctl
