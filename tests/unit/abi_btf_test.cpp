// The C++ view of the ABI against the BTF of the built BPF object: every
// struct's size and every member's offset, and the enum values, must agree.
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <doctest/doctest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "xvs/abi.h"

namespace {

struct MemberCheck {
    const char* strct;
    size_t strct_size;
    const char* member;
    size_t offset;
};

#define M(s, m) MemberCheck{#s, sizeof(struct s), #m, offsetof(struct s, m)}

const MemberCheck kMembers[] = {
    M(xvs_flow_key, recirc_id),   M(xvs_flow_key, in_port),    M(xvs_flow_key, eth_dst),
    M(xvs_flow_key, eth_src),     M(xvs_flow_key, eth_type),   M(xvs_flow_key, vlan_tci),
    M(xvs_flow_key, vlan_tpid),   M(xvs_flow_key, cvlan_tci),  M(xvs_flow_key, cvlan_tpid),
    M(xvs_flow_key, parse_flags), M(xvs_flow_key, nw_proto),   M(xvs_flow_key, nw_tos),
    M(xvs_flow_key, nw_ttl),      M(xvs_flow_key, nw_frag),    M(xvs_flow_key, ipv6_label),
    M(xvs_flow_key, nw_src),      M(xvs_flow_key, nw_dst),     M(xvs_flow_key, tp_src),
    M(xvs_flow_key, tp_dst),      M(xvs_flow_key, tcp_flags),  M(xvs_flow_key, arp_sha),
    M(xvs_flow_key, arp_tha),     M(xvs_flow_key, nd_target),  M(xvs_mf_key_l, mask_id),
    M(xvs_mf_key_l, w),           M(xvs_mf_key_s, mask_id),    M(xvs_mf_key_s, w),
    M(xvs_mf_key_m, mask_id),     M(xvs_mf_key_m, w),          M(xvs_mask, mask),
    M(xvs_mask, in_use),          M(xvs_mask, n_flows),        M(xvs_mask, cls),
    M(xvs_mask, n_words),         M(xvs_mask, words),          M(xvs_mask, hits_base),         M(xvs_mask_list, n),         M(xvs_mask_list, ids),
    M(xvs_action, type),          M(xvs_action, arg),          M(xvs_action, u),
    M(xvs_action_list, n),        M(xvs_action_list, flags),   M(xvs_action_list, a),
    M(xvs_flow_stats, packets),   M(xvs_flow_stats, bytes),    M(xvs_flow_stats, used_ns),
    M(xvs_flow_stats, tcp_flags), M(xvs_megaflow, stats),      M(xvs_megaflow, actions),
    M(xvs_port, ifindex),         M(xvs_port, flags),          M(xvs_port, upcall_rate),
    M(xvs_port, upcall_burst),    M(xvs_tbucket, tokens_milli), M(xvs_tbucket, last_ns),
    M(xvs_flood_domain, n),       M(xvs_flood_domain, flags),  M(xvs_flood_domain, ports),
    M(xvs_meter, lock),           M(xvs_meter, flags),         M(xvs_meter, rate),
    M(xvs_meter, burst),          M(xvs_meter, tokens),        M(xvs_meter, last_ns),
    M(xvs_meter, passed),         M(xvs_meter, dropped),       M(xvs_upcall, type),
    M(xvs_upcall, hook),          M(xvs_upcall, cap_len),      M(xvs_upcall, pkt_len),
    M(xvs_upcall, in_port),       M(xvs_upcall, arg),          M(xvs_upcall, cookie),
    M(xvs_upcall, ts_ns),         M(xvs_upcall, key),          M(xvs_exec_hdr, slot),
    M(xvs_exec_hdr, stop_at),     M(xvs_exec, in_port),        M(xvs_exec, actions),
    M(xvs_dp_config, active_mask_list), M(xvs_dp_config, dedup_us), M(xvs_dp_config, flags),
    M(xvs_mask_hint, sig),        M(xvs_mask_hint, mask_id), M(xvs_cpu_stats, counters),
    M(xvs_cpu_stats, drops),      M(xvs_cpu_stats, mask_hits),
};
#undef M

struct Btf {
    btf* b = btf__parse_elf(XVS_BPF_OBJ, nullptr);
    ~Btf() { btf__free(b); }
};

const btf_type* find_struct(const btf* b, const char* name) {
    int id = btf__find_by_name_kind(b, name, BTF_KIND_STRUCT);
    return id < 0 ? nullptr : btf__type_by_id(b, id);
}

}  // namespace

TEST_CASE("every ABI struct has the same size and member offsets in C++ and in the BPF object's BTF") {
    Btf btf;
    REQUIRE_MESSAGE(btf.b != nullptr, "cannot read BTF from " XVS_BPF_OBJ);
    int checked = 0;
    for (const auto& c : kMembers) {
        std::string strct = c.strct, member = c.member;
        CAPTURE(strct);
        CAPTURE(member);
        const btf_type* t = find_struct(btf.b, c.strct);
        REQUIRE_MESSAGE(t != nullptr, "struct not in the object's BTF");
        CHECK(t->size == c.strct_size);
        const btf_member* m = btf_members(t);
        bool found = false;
        for (int i = 0; i < btf_vlen(t); i++, m++) {
            if (std::string(btf__name_by_offset(btf.b, m->name_off)) != c.member) continue;
            found = true;
            CHECK(btf_member_bit_offset(t, i) == c.offset * 8);
        }
        CHECK_MESSAGE(found, "member missing from BTF");
        checked++;
    }
    CHECK(checked == static_cast<int>(std::size(kMembers)));
}

TEST_CASE("every BTF member of the checked structs is known to the C++ table") {
    // A field added on one side only must not slip through.
    Btf btf;
    REQUIRE(btf.b != nullptr);
    std::vector<std::string> structs;
    for (const auto& c : kMembers)
        if (structs.empty() || structs.back() != c.strct) structs.push_back(c.strct);
    for (const auto& s : structs) {
        const btf_type* t = find_struct(btf.b, s.c_str());
        REQUIRE(t != nullptr);
        const btf_member* m = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++, m++) {
            std::string name = btf__name_by_offset(btf.b, m->name_off);
            if (name.rfind("pad", 0) == 0) continue;
            bool known = false;
            for (const auto& c : kMembers) known |= (s == c.strct && name == c.member);
            CAPTURE(s);
            CAPTURE(name);
            CHECK_MESSAGE(known, "BTF member not checked by this test");
        }
    }
}

// Enum values need no BTF check: both sides compile the same X-macro lists
// from abi.h; what can drift between the BPF target and the host compiler is
// layout, which the cases above check.
