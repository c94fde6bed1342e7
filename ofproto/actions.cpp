#include "ofproto/actions.h"

#include <arpa/inet.h>
#include <fmt/format.h>

namespace xvs::ofproto {

std::string format_of_port(OfPort port) {
    switch (port) {
        case kOfppInPort: return "IN_PORT";
        case kOfppTable: return "TABLE";
        case kOfppNormal: return "NORMAL";
        case kOfppFlood: return "FLOOD";
        case kOfppAll: return "ALL";
        case kOfppController: return "CONTROLLER";
        case kOfppLocal: return "LOCAL";
        case kOfppNone: return "NONE";
        default: return std::to_string(port);
    }
}

namespace {

std::string format_mac(const EthAddr& a) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5]);
}

struct Formatter {
    std::string operator()(const ActOutput& a) const {
        if (a.port == kOfppController) return fmt::format("CONTROLLER:{}", a.max_len ? a.max_len : 65535);
        if (a.port >= kOfppMax) return format_of_port(a.port);
        return fmt::format("output:{}", a.port);
    }
    std::string operator()(const ActPushVlan& a) const { return fmt::format("push_vlan:0x{:04x}", a.tpid); }
    std::string operator()(const ActPopVlan&) const { return "pop_vlan"; }
    std::string operator()(const ActSetVlanVid& a) const { return fmt::format("mod_vlan_vid:{}", a.vid); }
    std::string operator()(const ActSetVlanPcp& a) const { return fmt::format("mod_vlan_pcp:{}", a.pcp); }
    std::string operator()(const ActSetEth& a) const {
        return fmt::format("mod_dl_{}:{}", a.dst ? "dst" : "src", format_mac(a.addr));
    }
    std::string operator()(const ActSetIpv4& a) const {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a.addr, buf, sizeof buf);
        return fmt::format("mod_nw_{}:{}", a.dst ? "dst" : "src", buf);
    }
    std::string operator()(const ActSetTp& a) const { return fmt::format("mod_tp_{}:{}", a.dst ? "dst" : "src", a.port); }
    std::string operator()(const ActDecTtl&) const { return "dec_ttl"; }
    std::string operator()(const ActResubmit& a) const {
        std::string port = a.in_port == kOfppInPort ? "" : format_of_port(a.in_port);
        if (a.table == 255) return fmt::format("resubmit:{}", port);
        return fmt::format("resubmit({},{})", port, a.table);
    }
    std::string operator()(const ActGotoTable& a) const { return fmt::format("goto_table:{}", a.table); }
};

}  // namespace

std::string format_of_actions(const OfActions& actions) {
    if (actions.empty()) return "drop";
    std::string out;
    for (const auto& a : actions) {
        if (!out.empty()) out += ',';
        out += std::visit(Formatter{}, a);
    }
    return out;
}

}  // namespace xvs::ofproto
