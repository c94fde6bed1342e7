// xvs-ofctl's flow protocols, as ovs-ofctl has them: an OpenFlow version
// plus, for 1.0, the flow format (the 1.0 match or NXM) and whether flow
// mods name a table (NXT_FLOW_MOD_TABLE_ID). What a command needs (a
// matched field 1.0 cannot say, a cookie mask, a table) narrows the set of
// usable protocols; the connection then switches to one of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xvs::ofctl {

// One bit per protocol, in Open vSwitch's order (which decides the order
// in which they are tried and named).
using Protocols = uint32_t;
inline constexpr Protocols kP10Std = 1 << 0, kP10StdTid = 1 << 1, kP10Nxm = 1 << 2, kP10NxmTid = 1 << 3,
                           kP11Std = 1 << 4, kP12Oxm = 1 << 5, kP13Oxm = 1 << 6, kP14Oxm = 1 << 7, kP15Oxm = 1 << 8;
inline constexpr Protocols kP10StdAny = kP10Std | kP10StdTid, kP10NxmAny = kP10Nxm | kP10NxmTid,
                           kP10Any = kP10StdAny | kP10NxmAny, kPAnyOxm = kP12Oxm | kP13Oxm | kP14Oxm | kP15Oxm,
                           kPNxmOf11Up = kP10NxmAny | kP11Std | kPAnyOxm, kPNxmOxmAny = kP10NxmAny | kPAnyOxm,
                           kPOf11Up = kP11Std | kPAnyOxm, kPOf15Up = kP15Oxm, kPOf14Up = kP14Oxm | kPOf15Up,
                           kPOf13Up = kP13Oxm | kPOf14Up, kPOf12Up = kP12Oxm | kPOf13Up, kPAny = (1 << 9) - 1,
                           kPTid = kP10StdTid | kP10NxmTid | kP11Std | kPAnyOxm;

// Every protocol of a wire version (1.0: all four), or 0.
Protocols protocols_of_version(uint8_t version);
// The protocol a fresh connection of 'version' speaks (1.0: kP10Std).
Protocols protocol_of_version(uint8_t version);
uint8_t version_of_protocol(Protocols protocol);
uint32_t versions_of_protocols(Protocols protocols);  // bitmap, bit N = version N
Protocols protocols_of_versions(uint32_t bitmap);

Protocols protocol_set_tid(Protocols protocol, bool enable);
Protocols protocol_base(Protocols protocol);  // without the table id extension
inline bool protocol_is_nxm(Protocols p) {
    return p & kP10NxmAny;
}
inline bool protocol_has_tid(Protocols p) {
    return p & (kP10StdTid | kP10NxmTid);
}

// "NXM-table_id", "OXM-OpenFlow13", ... and sets as ovs-ofctl prints them
// in messages ("OpenFlow10,NXM+table_id", "any", "none").
std::string protocols_to_string(Protocols protocols);
// -F/--flow-format: comma-separated names or abbreviations (any,
// OpenFlow10, NXM, OXM, and each single protocol's name), case-insensitive.
std::optional<Protocols> protocols_from_string(std::string_view text, std::string* error);

// -O/--protocols: "OpenFlow10,OpenFlow13" (commas or spaces).
std::optional<uint32_t> versions_from_string(std::string_view text, std::string* error);
const char* version_name(uint8_t version);  // "OpenFlow13"
// "OpenFlow10, OpenFlow13"
std::string version_bitmap_names(uint32_t bitmap);
// "0x01, 0x04" (as hello negotiation messages say).
std::string version_bitmap_numbers(uint32_t bitmap);

}  // namespace xvs::ofctl
