// A frame built from a flow key: the inverse of flow_extract, as Open
// vSwitch's flow_compose() is of flow_extract(). netdev-dummy/receive uses it
// to turn a packet given in datapath flow syntax into bytes.
//
// Every field flow_extract fills is written where it would read it, so
// flow_extract(compose_frame(key)) gives the key back (in_port and
// recirc_id aside, which a frame does not carry) for any key that a frame
// can have. Lengths and checksums (IPv4 header, TCP, UDP, ICMP, ICMPv6 with
// its pseudo-header, SCTP's CRC32c) are filled in. A VLAN tag is written
// when its TPID or TCI is set (TPID 0x8100 if only the TCI is); the TCI's
// 0x1000 bit, which the key uses for "tag present", is not written. A
// fragment (nw_frag) gets the MF bit, a later one offset 8 and no transport
// header; an IPv6 fragment a fragment extension header.
#pragma once

#include <cstdint>
#include <vector>

#include "util/result.h"
#include "xvs/abi.h"

namespace xvs::compiler {

// 'min_len' pads the frame with transport payload (zeros, counted in the
// length fields and checksums) up to that many bytes; 0 pads to the
// Ethernet minimum of 60. Fields the key's protocols do not have are
// ignored. Fails only for VLAN tags a frame cannot carry (a TPID other than
// 0x8100/0x88a8, an inner tag without an outer one).
Result<std::vector<uint8_t>> compose_frame(const xvs_flow_key& key, size_t min_len = 0);

}  // namespace xvs::compiler
