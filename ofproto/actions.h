// OpenFlow actions as the pipeline holds them (OVS calls these "ofpacts"):
// one variant per action, independent of the wire version they came in.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "ofproto/flow.h"

namespace xvs::ofproto {

// output:PORT, and the reserved ports IN_PORT, NORMAL, FLOOD, ALL, LOCAL,
// CONTROLLER ("controller" with max_len).
struct ActOutput {
    OfPort port = kOfppNone;
    uint16_t max_len = 0;  // bytes sent to a controller
    bool operator==(const ActOutput&) const = default;
};
struct ActPushVlan {
    uint16_t tpid = 0x8100;
    bool operator==(const ActPushVlan&) const = default;
};
struct ActPopVlan {
    bool operator==(const ActPopVlan&) const = default;
};
// mod_vlan_vid: sets the VID, pushing a tag first if there is none.
struct ActSetVlanVid {
    uint16_t vid = 0;
    bool push_if_none = true;
    bool operator==(const ActSetVlanVid&) const = default;
};
struct ActSetVlanPcp {
    uint8_t pcp = 0;
    bool push_if_none = true;
    bool operator==(const ActSetVlanPcp&) const = default;
};
struct ActSetEth {
    bool dst = false;
    EthAddr addr{};
    bool operator==(const ActSetEth&) const = default;
};
struct ActSetIpv4 {
    bool dst = false;
    uint32_t addr = 0;  // network byte order
    bool operator==(const ActSetIpv4&) const = default;
};
struct ActSetTp {
    bool dst = false;
    uint16_t port = 0;  // host byte order
    bool operator==(const ActSetTp&) const = default;
};
struct ActDecTtl {
    bool operator==(const ActDecTtl&) const = default;
};
// resubmit(port,table): in_port kOfppInPort keeps the current in_port,
// table 255 means the current table.
struct ActResubmit {
    OfPort in_port = kOfppInPort;
    uint8_t table = 255;
    bool operator==(const ActResubmit&) const = default;
};
struct ActGotoTable {
    uint8_t table = 0;
    bool operator==(const ActGotoTable&) const = default;
};

using OfAction = std::variant<ActOutput, ActPushVlan, ActPopVlan, ActSetVlanVid, ActSetVlanPcp, ActSetEth, ActSetIpv4,
                              ActSetTp, ActDecTtl, ActResubmit, ActGotoTable>;
using OfActions = std::vector<OfAction>;

// Port names as ovs-ofctl prints them ("NORMAL", "LOCAL", or the number).
std::string format_of_port(OfPort port);
// "actions=..." text in ovs-ofctl's syntax ("drop" when empty).
std::string format_of_actions(const OfActions& actions);

}  // namespace xvs::ofproto
