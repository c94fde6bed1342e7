// The flow as the OpenFlow pipeline sees it: the packet's datapath key plus
// the pipeline's metadata (OpenFlow in_port, metadata, registers,
// pkt_mark, tunnel metadata, conj_id). Matches and megaflow wildcards use the same struct as a mask
// (1 bits = consulted), so classifier lookups can record what they looked
// at and translation turns that into the datapath mask.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>

#include "xvs/abi.h"

namespace xvs::ofproto {

// OpenFlow 1.0 port numbers (OVS's internal ofp_port_t); 1.1+ 32-bit
// numbers are mapped at the protocol layer.
using OfPort = uint16_t;
inline constexpr OfPort kOfppMax = 0xff00;
inline constexpr OfPort kOfppUnset = 0xfff7;
inline constexpr OfPort kOfppInPort = 0xfff8;
inline constexpr OfPort kOfppTable = 0xfff9;
inline constexpr OfPort kOfppNormal = 0xfffa;
inline constexpr OfPort kOfppFlood = 0xfffb;
inline constexpr OfPort kOfppAll = 0xfffc;
inline constexpr OfPort kOfppController = 0xfffd;
inline constexpr OfPort kOfppLocal = 0xfffe;
inline constexpr OfPort kOfppNone = 0xffff;

inline constexpr int kFlowNRegs = 16;

struct Flow {
    // The packet's fields. pkt.in_port is the datapath port and pkt.recirc_id
    // the datapath recirculation id: OpenFlow matches never consult them
    // (translation derives the datapath's in_port from in_port below).
    xvs_flow_key pkt{};
    uint64_t metadata = 0;
    uint32_t regs[kFlowNRegs]{};
    uint32_t pkt_mark = 0;
    uint16_t in_port = 0;  // OpenFlow port
    uint16_t pad = 0;
    // Tunnel metadata, network order as on the wire (tun_id, tun_src,
    // tun_dst, tun_ipv6_src, tun_ipv6_dst). A packet that did not arrive
    // through a tunnel has all of them zero; set_field on them matters only
    // to a later output to a tunnel port.
    uint8_t tun_id[8]{};
    uint32_t tun_src = 0;
    uint32_t tun_dst = 0;
    uint32_t tun_ipv6_src[4]{};
    uint32_t tun_ipv6_dst[4]{};
    // The conjunction a lookup satisfied (conj_id): the classifier sets it
    // for its second lookup only; every packet starts with zero.
    uint32_t conj_id = 0;
    uint32_t pad2 = 0;
};
static_assert(sizeof(Flow) % 8 == 0);
inline constexpr size_t kFlowWords = sizeof(Flow) / 8;
inline constexpr size_t kFlowPktWords = sizeof(xvs_flow_key) / 8;

inline std::span<uint64_t, kFlowWords> flow_words(Flow& f) {
    return std::span<uint64_t, kFlowWords>(reinterpret_cast<uint64_t*>(&f), kFlowWords);
}
inline std::span<const uint64_t, kFlowWords> flow_words(const Flow& f) {
    return std::span<const uint64_t, kFlowWords>(reinterpret_cast<const uint64_t*>(&f), kFlowWords);
}

bool operator==(const Flow& a, const Flow& b);

// a & mask, word by word.
Flow flow_and(const Flow& a, const Flow& mask);
// a | b.
void flow_or_into(Flow& a, const Flow& b);
// Whether (a & mask) == (b & mask).
bool flow_equal_masked(const Flow& a, const Flow& b, const Flow& mask);
// Whether every 1 bit of a is also set in b.
bool flow_is_subset(const Flow& a, const Flow& b);
bool flow_is_zero(const Flow& f);

// Sets every bit of the member 'field' of 'mask' (a Flow or its pkt).
#define XVS_WC_FULL(mask, field) std::memset(&(mask).field, 0xff, sizeof((mask).field))

// Ethernet address helpers.
using EthAddr = std::array<uint8_t, 6>;
inline EthAddr eth_addr(const uint8_t (&a)[6]) { return {a[0], a[1], a[2], a[3], a[4], a[5]}; }
inline bool eth_is_multicast(const uint8_t (&a)[6]) { return a[0] & 1; }
inline bool eth_is_zero(const uint8_t (&a)[6]) {
    return !(a[0] | a[1] | a[2] | a[3] | a[4] | a[5]);
}

// VLAN TCI bits, in host order (the key holds them in network order).
inline constexpr uint16_t kVlanVidMask = 0x0fff;
inline constexpr uint16_t kVlanCfi = 0x1000;
inline constexpr uint16_t kVlanPcpMask = 0xe000;

}  // namespace xvs::ofproto
