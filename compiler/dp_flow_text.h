// The textual datapath flow syntax users know from ovs-dpctl (add-flow,
// dump-flows), mapped to and from the datapath ABI in xvs/abi.h.
//
//   match:   recirc_id(0),in_port(1),eth(src=00:00:00:00:00:01,dst=...),
//            eth_type(0x8100),vlan(vid=10,pcp=0),
//            encap(eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,proto=6),
//                  tcp(dst=80),tcp_flags(syn|ack))
//   actions: push_vlan(vid=10,pcp=0),set(eth(src=...)),2,3   or   drop
//
// Parsing is strict: every error names the offset and the token it is
// about ("<what> at offset <N>: '<token>'"). Formatting prints the canonical
// form, which parses back to the same key/mask or action list.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"
#include "xvs/abi.h"

namespace xvs {

// A megaflow match. The key is already ANDed with the mask.
struct DpMatch {
    xvs_flow_key key{};
    xvs_flow_key mask{};
};

// Fields not named are wildcarded, except recirc_id, which (as in OVS) is
// matched exactly against 0 when not given. Prerequisites (ipv4() needs
// eth_type(0x0800), tcp() needs proto=6, ...) are enforced.
Result<DpMatch> parse_dp_match(std::string_view text);

// OVS-style: only attributes and fields with a non-zero mask, "/mask" only
// for partial masks.
std::string format_dp_match(const xvs_flow_key& key, const xvs_flow_key& mask);

// "drop" alone gives an empty list. The returned list's flags are set by
// action_list_flags().
Result<xvs_action_list> parse_dp_actions(std::string_view text);

// Canonical form; an empty list prints as "drop". SET_TP_SRC/DST carry no
// protocol, so they print as set(tcp(...)); the overload taking the match's
// IP protocol prints set(udp(...)) / set(sctp(...)) when that fits better.
std::string format_dp_actions(const xvs_action_list& actions);
std::string format_dp_actions(const xvs_action_list& actions, uint8_t nw_proto);

// One line of dump-flows: "<match>, packets:N, bytes:N, used:T[, flags:F],
// actions:<actions>", with the last use relative to now_ns (CLOCK_MONOTONIC,
// as bpf_ktime_get_ns()).
std::string format_dp_flow(const xvs_flow_key& key, const xvs_flow_key& mask, const xvs_flow_stats& stats,
                           const xvs_action_list& actions, uint64_t now_ns);
// Now on the clock the datapath stamps flows with.
uint64_t monotonic_ns();

// XVS_AL_NEEDS_SKB when XDP cannot run the list: XDP sends a packet at most
// once, so more than one OUTPUT/FLOOD, or a header edit (or a recirc) after
// one, needs TC. Same as compiler::structural_action_flags().
uint16_t action_list_flags(const xvs_action_list& actions);

}  // namespace xvs
