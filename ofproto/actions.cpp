// ovs-ofctl's text for actions (Open vSwitch 3.1's ofpacts_format()).
//
// We print the actions as they are held, which is what ovs-ofctl prints
// for a flow whose actions travelled in the version they were decoded
// from: "compat" flags keep the wire form's spelling (strip_vlan vs
// pop_vlan, load vs set_field, mod_vlan_vid (1.0, pushes a tag) vs
// set_vlan_vid (1.1)). ovs-ofctl talking to us in another version prints
// what that version's encoding decodes to (mod_nw_ttl sent in 1.0 is an
// NXAST_REG_LOAD, so "load:0x7b->NXM_NX_IP_TTL[]"); that text is
// format_of_actions() of the actions after an encode/decode round trip in
// that version (ofp_actions.h).
#include "ofproto/actions.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ofproto/ofp_actions_internal.h"

namespace xvs::ofproto {

// Reserved ports by their OpenFlow names (OFPP_NONE is "ANY" since
// OpenFlow 1.1, as Open vSwitch 3.1 prints it); others by number.
std::string format_of_port(OfPort port) {
    switch (port) {
        case kOfppUnset:
            return "UNSET";
        case kOfppInPort:
            return "IN_PORT";
        case kOfppTable:
            return "TABLE";
        case kOfppNormal:
            return "NORMAL";
        case kOfppFlood:
            return "FLOOD";
        case kOfppAll:
            return "ALL";
        case kOfppController:
            return "CONTROLLER";
        case kOfppLocal:
            return "LOCAL";
        case kOfppNone:
            return "ANY";
        default:
            return std::to_string(port);
    }
}

namespace {

std::string format_mac(const EthAddr& a) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5]);
}

// Bytes as "01.02.03" (note:, controller(userdata=)).
std::string format_hex(const std::vector<uint8_t>& data) {
    std::string s;
    for (size_t i = 0; i < data.size(); i++) s += fmt::format("{}{:02x}", i ? "." : "", data[i]);
    return s;
}

// C's "%#x": "0" for zero, else 0x-prefixed lowercase hex.
std::string hex0x(uint64_t v) {
    return v ? fmt::format("{:#x}", v) : "0";
}

// Packet-in reason names (ofputil_packet_in_reason_to_string()).
std::string reason_name(uint8_t reason) {
    static constexpr const char* kNames[] = {"no_match", "action", "invalid_ttl", "action_set", "group", "packet_out",
                                             "",         ""};
    return reason < std::size(kNames) ? kNames[reason] : std::to_string(reason);
}

struct Formatter {
    std::string operator()(const ActOutput& a) const {
        if (a.port < kOfppMax) return fmt::format("output:{}", a.port);
        if (a.port == kOfppController) return fmt::format("CONTROLLER:{}", a.max_len);
        return format_of_port(a.port);
    }
    std::string operator()(const ActController& a) const {
        if (wire::controller_is_simple(a)) return fmt::format("CONTROLLER:{}", a.max_len);
        std::string s;
        if (a.reason != wire::kOfprAction) s += fmt::format("reason={},", reason_name(a.reason));
        if (a.max_len != UINT16_MAX) s += fmt::format("max_len={},", a.max_len);
        if (a.controller_id) s += fmt::format("id={},", a.controller_id);
        if (!a.userdata.empty()) s += fmt::format("userdata={},", format_hex(a.userdata));
        if (a.pause) s += "pause,";
        if (!s.empty()) s.pop_back();
        return "controller(" + s + ")";
    }
    std::string operator()(const ActOutputReg& a) const { return "output:" + mf_format_subfield(a.src); }
    std::string operator()(const ActEnqueue& a) const {
        return fmt::format("enqueue:{}:{}", format_of_port(a.port), a.queue);
    }
    std::string operator()(const ActSetQueue& a) const { return fmt::format("set_queue:{}", a.queue); }
    std::string operator()(const ActPopQueue&) const { return "pop_queue"; }
    std::string operator()(const ActPushVlan& a) const { return "push_vlan:" + hex0x(a.tpid); }
    std::string operator()(const ActPopVlan& a) const { return a.strip_vlan ? "strip_vlan" : "pop_vlan"; }
    std::string operator()(const ActSetVlanVid& a) const {
        return fmt::format("{}:{}", a.push_if_none ? "mod_vlan_vid" : "set_vlan_vid", a.vid);
    }
    std::string operator()(const ActSetVlanPcp& a) const {
        return fmt::format("{}:{}", a.push_if_none ? "mod_vlan_pcp" : "set_vlan_pcp", a.pcp);
    }
    std::string operator()(const ActSetEth& a) const {
        return fmt::format("mod_dl_{}:{}", a.dst ? "dst" : "src", format_mac(a.addr));
    }
    std::string operator()(const ActSetIpv4& a) const {
        char buf[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &a.addr, buf, sizeof buf);
        return fmt::format("mod_nw_{}:{}", a.dst ? "dst" : "src", buf);
    }
    std::string operator()(const ActSetIpDscp& a) const { return fmt::format("mod_nw_tos:{}", a.tos); }
    std::string operator()(const ActSetIpEcn& a) const { return fmt::format("mod_nw_ecn:{}", a.ecn); }
    std::string operator()(const ActSetIpTtl& a) const { return fmt::format("mod_nw_ttl:{}", a.ttl); }
    std::string operator()(const ActSetTp& a) const {
        return fmt::format("mod_tp_{}:{}", a.dst ? "dst" : "src", a.port);
    }
    std::string operator()(const ActDecTtl& a) const {
        if (a.controller_ids.empty()) return "dec_ttl";
        return fmt::format("dec_ttl({})", fmt::join(a.controller_ids, ","));
    }
    std::string operator()(const ActSetField& a) const {
        if (!a.load) return fmt::format("set_field:{}->{}", mf_format_value(*a.field, a.value, &a.mask), a.field->name);
        // One load per run of mask bits, as the NXAST_REG_LOADs it travels as.
        std::string s;
        for (const wire::BitRun& r : wire::mask_runs(a.mask, a.field->n_bits)) {
            MfSubfield sf{a.field, static_cast<uint16_t>(r.ofs), static_cast<uint16_t>(r.n_bits)};
            s += fmt::format("{}load:{}->{}", s.empty() ? "" : ",", hex0x(wire::mfv_get_bits(a.value, r.ofs, r.n_bits)),
                             mf_format_subfield(sf));
        }
        return s;
    }
    std::string operator()(const ActRegMove& a) const {
        return fmt::format("move:{}->{}", mf_format_subfield(a.src), mf_format_subfield(a.dst));
    }
    std::string operator()(const ActResubmit& a) const {
        if (a.in_port != kOfppInPort && a.table == 255) return "resubmit:" + format_of_port(a.in_port);
        return fmt::format("resubmit({},{})", a.in_port == kOfppInPort ? "" : format_of_port(a.in_port),
                           a.table == 255 ? "" : std::to_string(a.table));
    }
    std::string operator()(const ActGotoTable& a) const { return fmt::format("goto_table:{}", a.table); }
    std::string operator()(const ActWriteMetadata& a) const {
        std::string s = "write_metadata:" + hex0x(a.value);
        if (a.mask != UINT64_MAX) s += "/" + hex0x(a.mask);
        return s;
    }
    std::string operator()(const ActClearActions&) const { return "clear_actions"; }
    std::string operator()(const ActWriteActions& a) const {
        return "write_actions(" + format_of_actions(a.actions) + ")";
    }
    std::string operator()(const ActClone& a) const { return "clone(" + format_of_actions(a.actions) + ")"; }
    std::string operator()(const ActMeter& a) const { return fmt::format("meter:{}", a.meter_id); }
    std::string operator()(const ActGroup& a) const { return fmt::format("group:{}", a.group_id); }
    std::string operator()(const ActNote& a) const { return "note:" + format_hex(a.data); }
    std::string operator()(const ActExit&) const { return "exit"; }
    std::string operator()(const ActMultipath& a) const {
        return fmt::format("multipath({},{},{},{},{},{})", hash_fields_name(a.fields), a.basis,
                           mp_algorithm_name(a.algorithm), a.max_link + 1, a.arg, mf_format_subfield(a.dst));
    }
    std::string operator()(const ActSample& a) const {
        std::string s = fmt::format("sample(probability={},collector_set_id={},obs_domain_id={},obs_point_id={}",
                                    a.probability, a.collector_set_id, a.obs_domain_id, a.obs_point_id);
        if (a.sampling_port != kOfppNone) s += ",sampling_port=" + format_of_port(a.sampling_port);
        if (a.direction == ActSample::kIngress) s += ",ingress";
        if (a.direction == ActSample::kEgress) s += ",egress";
        return s + ")";
    }
    std::string operator()(const ActConjunction& a) const {
        return fmt::format("conjunction({},{}/{})", a.id, a.clause + 1, a.n_clauses);
    }
    std::string operator()(const ActFinTimeout& a) const {
        std::string s;
        if (a.fin_idle_timeout) s += fmt::format("idle_timeout={},", a.fin_idle_timeout);
        if (a.fin_hard_timeout) s += fmt::format("hard_timeout={},", a.fin_hard_timeout);
        if (!s.empty()) s.pop_back();
        return "fin_timeout(" + s + ")";
    }
    std::string operator()(const ActLearn& a) const;
};

// An immediate's ceil(n_bits/8) bytes as Open vSwitch's ds_put_hex()
// prints them: 0x and the bytes from the first nonzero one, "0" if none.
std::string learn_hex(const LearnSpec& spec) {
    size_t n_bytes = (spec.n_bits + 7u) / 8;
    std::string s;
    for (size_t i = 16 - n_bytes; i < 16; i++) {
        uint8_t b = spec.src_imm.b[i];
        if (s.empty() && b) s = fmt::format("0x{:x}", b);
        else if (!s.empty()) s += fmt::format("{:02x}", b);
    }
    return s.empty() ? "0" : s;
}

// Open vSwitch's learn_format(): the parameters that differ from the
// defaults, then each spec in the form the parser reads back.
std::string Formatter::operator()(const ActLearn& a) const {
    std::string s = fmt::format("learn(table={}", a.table_id);
    if (a.idle_timeout) s += fmt::format(",idle_timeout={}", a.idle_timeout);
    if (a.hard_timeout) s += fmt::format(",hard_timeout={}", a.hard_timeout);
    if (a.fin_idle_timeout) s += fmt::format(",fin_idle_timeout={}", a.fin_idle_timeout);
    if (a.fin_hard_timeout) s += fmt::format(",fin_hard_timeout={}", a.fin_hard_timeout);
    if (a.priority != 0x8000) s += fmt::format(",priority={}", a.priority);
    if (a.flags & kLearnSendFlowRem) s += ",send_flow_rem";
    if (a.flags & kLearnDeleteLearned) s += ",delete_learned";
    if (a.cookie) s += fmt::format(",cookie={:#x}", a.cookie);
    if (a.limit) s += fmt::format(",limit={}", a.limit);
    if (a.flags & kLearnWriteResult) s += ",result_dst=" + mf_format_subfield(a.result_dst);
    for (const LearnSpec& spec : a.specs) {
        s += ',';
        bool imm = spec.src == LearnSpec::Src::Immediate;
        const MfSubfield& dst = spec.dst_field;
        switch (spec.dst) {
            case LearnSpec::Dst::Match:
                if (imm && dst.ofs == 0 && dst.n_bits == dst.field->n_bits)
                    s += fmt::format("{}={}", dst.field->name, mf_format_value(*dst.field, spec.src_imm, nullptr));
                else if (imm)
                    s += mf_format_subfield(dst) + "=" + learn_hex(spec);
                else if (spec.src_field.field != dst.field || spec.src_field.ofs != dst.ofs)
                    s += mf_format_subfield(dst) + "=" + mf_format_subfield(spec.src_field);
                else
                    s += mf_format_subfield(dst);
                break;
            case LearnSpec::Dst::Load:
                s += fmt::format("load:{}->{}", imm ? learn_hex(spec) : mf_format_subfield(spec.src_field),
                                 mf_format_subfield(dst));
                break;
            case LearnSpec::Dst::Output:
                s += "output:" + mf_format_subfield(spec.src_field);
                break;
        }
    }
    return s + ")";
}

}  // namespace

std::string format_of_actions(const OfActions& actions) {
    if (actions.empty()) return "drop";
    std::string out;
    for (const auto& a : actions) {
        if (!out.empty()) out += ',';
        out += std::visit(Formatter{}, a.variant());
    }
    return out;
}

}  // namespace xvs::ofproto
