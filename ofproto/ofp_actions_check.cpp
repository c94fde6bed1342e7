// The consistency check of a flow's actions against its match (Open
// vSwitch's ofpacts_check_consistency() and the check_*() of each action).
#include <arpa/inet.h>
#include <fmt/format.h>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_actions_internal.h"
#include "xvs/abi.h"

namespace xvs::ofproto {

using namespace wire;

namespace {

class Checker {
public:
    Checker(const Match& match, OfPort max_ports, uint8_t table_id, uint8_t n_tables)
        : m_(match), max_ports_(max_ports), table_id_(table_id), n_tables_(n_tables) {}

    // Checks 'acts' in order; earlier actions change what later ones may
    // assume about the packet (m_ is the match as the packet now looks).
    std::optional<OfpError> check(const OfActions& acts) {
        for (const auto& a : acts) {
            auto e = std::visit([this](const auto& act) { return one(act); }, a.variant());
            if (e) return e;
        }
        return std::nullopt;
    }

    // The first thing an action needed that the match does not promise:
    // allowed by OpenFlow 1.0, inconsistent in 1.1+.
    const std::string& inconsistency() const { return inconsistency_; }

private:
    using Result = std::optional<OfpError>;

    bool tag0() const { return ntohs(m_.flow.pkt.vlan_tci) & kVlanCfi; }
    bool tag1() const { return ntohs(m_.flow.pkt.cvlan_tci) & kVlanCfi; }
    void mark_tag0() {
        m_.flow.pkt.vlan_tci |= htons(kVlanCfi);
        m_.mask.pkt.vlan_tci |= htons(kVlanCfi);
    }
    uint16_t eth_type() const { return ntohs(m_.flow.pkt.eth_type); }
    bool is_ip() const { return eth_type() == 0x0800 || eth_type() == 0x86dd; }
    void inconsistent(std::string why) {
        if (inconsistency_.empty()) inconsistency_ = std::move(why);
    }

    Result one(const ActOutput& a) {
        if (!output_port_ok(a.port, max_ports_))
            return OfpError{OfpErr::OFPBAC_BAD_OUT_PORT, fmt::format("output to bad port {}", a.port)};
        return std::nullopt;
    }
    Result one(const ActController&) { return std::nullopt; }
    Result one(const ActOutputReg& a) { return check_subfield(a.src, false, &m_); }
    Result one(const ActEnqueue& a) {
        if (a.port >= max_ports_ && a.port != kOfppInPort && a.port != kOfppLocal)
            return OfpError{OfpErr::OFPBAC_BAD_OUT_PORT, fmt::format("enqueue to bad port {}", a.port)};
        return std::nullopt;
    }
    Result one(const ActSetQueue&) { return std::nullopt; }
    Result one(const ActPopQueue&) { return std::nullopt; }
    Result one(const ActPushVlan&) {
        if (tag1()) return OfpError{OfpErr::OFPBAC_BAD_TAG, "push_vlan onto two VLAN tags"};
        m_.flow.pkt.cvlan_tci = m_.flow.pkt.vlan_tci;
        m_.mask.pkt.cvlan_tci = m_.mask.pkt.vlan_tci;
        mark_tag0();
        return std::nullopt;
    }
    Result one(const ActPopVlan&) {
        if (!tag0()) inconsistent("pop_vlan without a VLAN tag in the match");
        m_.flow.pkt.vlan_tci = m_.flow.pkt.cvlan_tci;
        m_.mask.pkt.vlan_tci = m_.mask.pkt.cvlan_tci;
        m_.flow.pkt.cvlan_tci = m_.mask.pkt.cvlan_tci = 0;
        return std::nullopt;
    }
    Result set_vlan(bool push_if_none, const char* what) {
        if (!tag0() && !push_if_none) inconsistent(fmt::format("{} without a VLAN tag in the match", what));
        mark_tag0();
        return std::nullopt;
    }
    Result one(const ActSetVlanVid& a) { return set_vlan(a.push_if_none, "set_vlan_vid"); }
    Result one(const ActSetVlanPcp& a) { return set_vlan(a.push_if_none, "set_vlan_pcp"); }
    Result one(const ActSetEth&) { return std::nullopt; }
    Result one(const ActSetIpv4&) {
        if (eth_type() != 0x0800) inconsistent("IPv4 address change without ip in the match");
        return std::nullopt;
    }
    Result ip_only(const char* what) {
        if (!is_ip()) inconsistent(fmt::format("{} without ip or ipv6 in the match", what));
        return std::nullopt;
    }
    Result one(const ActSetIpDscp&) { return ip_only("mod_nw_tos"); }
    Result one(const ActSetIpEcn&) { return ip_only("mod_nw_ecn"); }
    Result one(const ActSetIpTtl&) { return ip_only("mod_nw_ttl"); }
    Result one(const ActDecTtl&) { return ip_only("dec_ttl"); }
    Result one(const ActSetTp&) {
        uint8_t p = m_.flow.pkt.nw_proto;
        if (!is_ip() || (m_.flow.pkt.nw_frag & XVS_FRAG_LATER) || (p != 6 && p != 17 && p != 132))
            inconsistent("L4 port change without tcp, udp or sctp in the match");
        return std::nullopt;
    }
    Result one(const ActSetField& a) {
        const MfField& f = *a.field;
        // vlan_vid (OXM) rewrites an existing tag; it never adds one.
        if (!mf_prereqs_ok(f, m_) || (f.id == MfId::VlanVid && !tag0()))
            return OfpError{OfpErr::OFPBAC_MATCH_INCONSISTENT,
                            fmt::format("set_field {} lacks correct prerequisites", f.name)};
        if (f.id == MfId::VlanTci) {  // may add or remove the tag
            m_.flow.pkt.vlan_tci = htons(static_cast<uint16_t>(a.value.b[14] << 8 | a.value.b[15]));
            m_.mask.pkt.vlan_tci = 0xffff;
        }
        return std::nullopt;
    }
    Result one(const ActRegMove& a) {
        if (auto e = check_subfield(a.src, false, &m_)) return e;
        return check_subfield(a.dst, true, &m_);
    }
    Result one(const ActResubmit&) { return std::nullopt; }
    Result one(const ActGotoTable& a) {
        if ((table_id_ != 255 && a.table <= table_id_) || (n_tables_ != 255 && a.table >= n_tables_))
            return OfpError{OfpErr::OFPBIC_BAD_TABLE_ID,
                            fmt::format("goto_table:{} from table {}", a.table, table_id_)};
        return std::nullopt;
    }
    Result one(const ActWriteMetadata&) { return std::nullopt; }
    Result one(const ActClearActions&) { return std::nullopt; }
    Result one(const ActClone& a) {
        // Checked as the actions they are, from the state here; what they
        // change does not reach the actions after the clone.
        Checker nested(*this);
        return nested.check(a.actions);
    }
    Result one(const ActWriteActions& a) {
        // An action set runs at the end of the pipeline, where the packet
        // may look different: only hard errors count, and nothing it does
        // changes what the actions after it may assume.
        Checker nested(m_, max_ports_, table_id_, n_tables_);
        return nested.check(a.actions);
    }
    Result one(const ActMeter& a) {
        if (a.meter_id == 0 || a.meter_id > kOfpmMax)
            return OfpError{OfpErr::OFPMMFC_INVALID_METER, fmt::format("bad meter id {}", a.meter_id)};
        return std::nullopt;
    }
    Result one(const ActGroup&) { return std::nullopt; }
    Result one(const ActNote&) { return std::nullopt; }
    Result one(const ActExit&) { return std::nullopt; }
    Result one(const ActConjunction&) { return std::nullopt; }
    Result one(const ActSample&) { return std::nullopt; }
    Result one(const ActMultipath& a) { return check_subfield(a.dst, true, &m_); }
    Result one(const ActFinTimeout&) {
        if (m_.flow.pkt.nw_proto != IPPROTO_TCP) inconsistent("fin_timeout without tcp in the match");
        return std::nullopt;
    }
    // Open vSwitch's learn_check(): sources are read from packets of this
    // match, so their prerequisites must hold here; destinations are
    // checked against the flow being built, where earlier immediate match
    // specs supply the prerequisites of later ones (eth_type=0x800 before
    // ip_dst).
    Result one(const ActLearn& a) {
        Match learned;
        for (const LearnSpec& spec : a.specs) {
            if (spec.src == LearnSpec::Src::Field) {
                if (auto e = check_subfield(spec.src_field, false, &m_)) return e;
            }
            switch (spec.dst) {
                case LearnSpec::Dst::Match:
                    if (auto e = check_subfield(spec.dst_field, false, &learned)) return e;
                    if (spec.src == LearnSpec::Src::Immediate) mf_set_match_subfield(spec.dst_field, spec.src_imm, &learned);
                    break;
                case LearnSpec::Dst::Load:
                    if (auto e = check_subfield(spec.dst_field, true, &learned)) return e;
                    break;
                case LearnSpec::Dst::Output:
                    break;
            }
        }
        return std::nullopt;
    }

    Match m_;
    OfPort max_ports_;
    uint8_t table_id_, n_tables_;
    std::string inconsistency_;
};

}  // namespace

std::optional<OfpError> check_actions(const OfActions& actions, const Match& match, uint8_t version, OfPort max_ports,
                                      uint8_t table_id, uint8_t n_tables) {
    Checker c(match, max_ports, table_id, n_tables);
    if (auto e = c.check(actions)) return e;
    if (!c.inconsistency().empty() && version != kOfp10)
        return OfpError{OfpErr::OFPBAC_MATCH_INCONSISTENT, c.inconsistency()};
    return std::nullopt;
}

}  // namespace xvs::ofproto
