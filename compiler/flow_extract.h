// Userspace reference implementation of flow key extraction.
//
// Written from docs/DATAPATH.md "Flow key extraction" independently of the
// BPF parser, so that a differential test can hold both to the spec. It is
// also what userspace uses to build a key for a packet it holds (upcalls,
// packet-out).
#pragma once

#include <cstdint>
#include <span>

#include <xvs/abi.h>

namespace xvs {

// What the packet does not carry: where it came in and which recirculation
// pass it is on.
struct ExtractContext {
    uint32_t in_port = 0;
    uint32_t recirc_id = 0;
};

// Returns the flow key of `frame` (an Ethernet frame). Never reads outside
// `frame`; malformed or truncated packets yield a partly filled key with
// XVS_PF_* bits in parse_flags saying why parsing stopped.
xvs_flow_key flow_extract(std::span<const uint8_t> frame, const ExtractContext& ctx);

// Where the headers of a frame start, as the datapath's parser records them
// for its header rewrites (bpf/lib/common.h struct parse_info).
struct HeaderOffsets {
    uint32_t l3_off = 0;    // network header; 0 when L2 parsing stopped
    uint32_t l4_off = 0;    // transport header; 0 when there is none to look at
    uint16_t eth_type = 0;  // host order; 0 when L2 parsing stopped
};

// The same key, plus the frame's header offsets in *offsets: the userspace
// datapath (ofproto/dpif_dummy.cpp) rewrites headers at these offsets.
xvs_flow_key flow_extract(std::span<const uint8_t> frame, const ExtractContext& ctx, HeaderOffsets* offsets);

}  // namespace xvs
