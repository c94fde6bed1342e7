#pragma once
// Transport checksums of packets taken from the datapath.
//
// A packet sent by a local socket on a veth (or any device with checksum
// offload) carries only the folded pseudo-header sum in its TCP/UDP
// checksum field: the kernel marks it CHECKSUM_PARTIAL and expects the
// device to finish the job. The BPF programs cannot see that mark, so a
// copy handed to userspace (an upcall) still has the partial value, and
// executed back into the datapath or sent to a controller as is, the
// receiver drops it. complete_partial_checksum() finishes such checksums.

#include <cstdint>
#include <span>

namespace xvs::loader {

// For an Ethernet frame (up to two VLAN tags) holding IPv4 or IPv6 (no
// extension headers) with a whole TCP or UDP segment: when the transport
// checksum is wrong and equals the folded pseudo-header sum, writes the
// right one and returns true. Anything else (a right or truly corrupt
// checksum, truncated or other packets) is left alone.
bool complete_partial_checksum(std::span<uint8_t> frame);

}  // namespace xvs::loader
