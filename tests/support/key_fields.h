// The fields of struct xvs_flow_key by name, for tests that compare keys
// field by field and say which fields differ.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "xvs/abi.h"

namespace xvs::test {

struct KeyField {
    const char* name;
    size_t off;
    size_t size;
};

#define XVS_KF(f) KeyField{#f, offsetof(xvs_flow_key, f), sizeof(xvs_flow_key::f)}
inline constexpr KeyField kKeyFields[] = {
    XVS_KF(recirc_id), XVS_KF(in_port),     XVS_KF(eth_dst),   XVS_KF(eth_src),    XVS_KF(eth_type),
    XVS_KF(vlan_tci),  XVS_KF(vlan_tpid),   XVS_KF(cvlan_tci), XVS_KF(cvlan_tpid), XVS_KF(parse_flags),
    XVS_KF(nw_proto),  XVS_KF(nw_tos),      XVS_KF(nw_ttl),    XVS_KF(nw_frag),    XVS_KF(ipv6_label),
    XVS_KF(nw_src),    XVS_KF(nw_dst),      XVS_KF(tp_src),    XVS_KF(tp_dst),     XVS_KF(tcp_flags),
    XVS_KF(pad0),      XVS_KF(arp_sha),     XVS_KF(arp_tha),   XVS_KF(nd_target),  XVS_KF(pad1),
};
#undef XVS_KF

inline std::span<const uint8_t> field_bytes(const xvs_flow_key& k, const KeyField& f) {
    return {reinterpret_cast<const uint8_t*>(&k) + f.off, f.size};
}

// Host-order fields as numbers, the rest as their bytes in key order.
inline std::string field_str(const xvs_flow_key& k, const KeyField& f) {
    auto b = field_bytes(k, f);
    if (f.off == offsetof(xvs_flow_key, recirc_id) || f.off == offsetof(xvs_flow_key, in_port)) {
        uint32_t v;
        std::memcpy(&v, b.data(), 4);
        return fmt::format("{}", v);
    }
    if (f.off == offsetof(xvs_flow_key, parse_flags)) {
        uint16_t v;
        std::memcpy(&v, b.data(), 2);
        return fmt::format("0x{:04x}", v);
    }
    std::string s;
    for (uint8_t x : b) s += fmt::format("{:02x}", x);
    return s;
}

// One line per field that differs: "name: got X want Y".
inline std::vector<std::string> key_diff(const xvs_flow_key& got, const xvs_flow_key& want) {
    std::vector<std::string> out;
    for (const KeyField& f : kKeyFields) {
        auto a = field_bytes(got, f), b = field_bytes(want, f);
        if (std::memcmp(a.data(), b.data(), f.size) != 0)
            out.push_back(fmt::format("{}: got {} want {}", f.name, field_str(got, f), field_str(want, f)));
    }
    return out;
}

}  // namespace xvs::test
