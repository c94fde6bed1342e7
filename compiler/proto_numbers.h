// Protocol numbers the parsers, frame builders and translation share:
// Ethernet types, IP protocols, IPv6 extension headers, Neighbor Discovery.
#pragma once

#include <cstdint>

namespace xvs::proto {

inline constexpr uint16_t kTypeVlan = 0x8100;
inline constexpr uint16_t kTypeQinQ = 0x88a8;
inline constexpr uint16_t kType8023 = 0x05ff;  // the key's eth_type for 802.3 length frames
inline constexpr uint16_t kTypeArp = 0x0806;
inline constexpr uint16_t kTypeRarp = 0x8035;
inline constexpr uint16_t kTypeIpv4 = 0x0800;
inline constexpr uint16_t kTypeIpv6 = 0x86dd;

inline constexpr uint8_t kProtoIcmp = 1;
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
inline constexpr uint8_t kProtoIcmpv6 = 58;
inline constexpr uint8_t kProtoSctp = 132;

inline constexpr uint8_t kExtHopByHop = 0;
inline constexpr uint8_t kExtRouting = 43;
inline constexpr uint8_t kExtFragment = 44;
inline constexpr uint8_t kExtAh = 51;
inline constexpr uint8_t kExtDestOpts = 60;

inline constexpr uint8_t kNdSolicit = 135;
inline constexpr uint8_t kNdAdvert = 136;
inline constexpr uint8_t kNdOptSll = 1;
inline constexpr uint8_t kNdOptTll = 2;

}  // namespace xvs::proto
