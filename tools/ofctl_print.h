// OpenFlow messages as text, the way ovs-ofctl prints them (Open
// vSwitch's ofp_to_string()): a header line naming the message form, its
// version and xid, then the body in each message's own format, a hex dump
// where a message cannot be decoded. xvs-ofctl prints what a switch sends
// through these, so its output is ovs-ofctl's byte for byte.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "ofproto/ofp_replies.h"

namespace xvs::ofctl {

// The whole message. 'verbosity' is ovs-ofctl's: 1 for replies it prints,
// 2 for messages shown by monitor, errors' embedded requests at 1.
std::string ofp_to_string(std::span<const uint8_t> msg, int verbosity);

// One flow of a flow statistics reply, as dump-flows prints it (without
// the leading space); 'show_stats' false for --no-stats.
std::string format_flow_stats(const ofproto::OfpFlowStatsEntry& fs, bool show_stats);

// A match as ovs-ofctl prints it: nx_match.h's match_format(), plus the
// "mpls" and "mplsm" shorthands (MPLS has no place in xvs's pipeline, but
// an Open vSwitch switch reports such flows).
std::string format_match(const ofproto::Match& m, int priority = 32768);

// "1.500s" style durations.
std::string format_duration(uint32_t sec, uint32_t nsec);

// OVS's hex dump: offset, 16 bytes, and the printable characters.
std::string hex_dump(std::span<const uint8_t> data, size_t ofs, bool ascii);

// An Ethernet frame as ovs-ofctl prints a packet-in's or packet-out's
// packet: the flow fields it extracts ("tcp,vlan_tci=0x0000,dl_src=...")
// and the L4 checksum, with a trailing newline.
std::string packet_to_string(std::span<const uint8_t> frame);

}  // namespace xvs::ofctl
