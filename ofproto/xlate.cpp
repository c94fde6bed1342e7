#include "ofproto/xlate.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <type_traits>

#include "compiler/dp_flow_text.h"
#include "compiler/flow_mask.h"
#include "compiler/proto_numbers.h"
#include "ofproto/flow_table.h"
#include "ofproto/nx_match.h"
#include "ofproto/sflow.h"

namespace xvs::ofproto {

const char* to_string(VlanMode m) {
    switch (m) {
        case VlanMode::Access: return "access";
        case VlanMode::Trunk: return "trunk";
        case VlanMode::NativeTagged: return "native-tagged";
        case VlanMode::NativeUntagged: return "native-untagged";
        case VlanMode::Dot1qTunnel: return "dot1q-tunnel";
    }
    return "?";
}

bool bundle_includes_vlan(const XBundle& b, int vlan) {
    switch (b.mode) {
        case VlanMode::Access:
        case VlanMode::Dot1qTunnel: return vlan == b.tag;
        case VlanMode::Trunk: return b.all_trunks || b.trunks[vlan];
        case VlanMode::NativeTagged:
        case VlanMode::NativeUntagged: return vlan == b.tag || b.all_trunks || b.trunks[vlan];
    }
    return false;
}

bool bundle_tags_vlan(const XBundle& b, int vlan) {
    switch (b.mode) {
        case VlanMode::Access:
        case VlanMode::Dot1qTunnel: return false;
        case VlanMode::Trunk: return vlan != 0;
        case VlanMode::NativeUntagged: return vlan != b.tag;
        case VlanMode::NativeTagged: return true;
    }
    return false;
}

OfPort bundle_active_member(const XBridge& br, const XBundle& b) {
    auto usable = [&](OfPort m) {
        auto it = br.ports.find(m);
        return it != br.ports.end() && it->second.up && (b.members.size() == 1 || it->second.live);
    };
    if (b.active && std::find(b.members.begin(), b.members.end(), b.active) != b.members.end() && usable(b.active))
        return b.active;
    for (OfPort m : b.members)
        if (usable(m)) return m;
    return kOfppNone;
}

namespace {

constexpr int kMaxDepth = 64;         // nested resubmits and patch ports
constexpr int kMaxResubmits = 4096;   // resubmits per translation

struct VlanTag {
    uint16_t tpid;  // host order
    uint16_t tci;   // host order, PCP|VID (no CFI)
    bool operator==(const VlanTag&) const = default;
};

std::vector<VlanTag> vlans_of(const xvs_flow_key& k) {
    std::vector<VlanTag> v;
    if (ntohs(k.vlan_tci) & kVlanCfi) {
        v.push_back({ntohs(k.vlan_tpid), static_cast<uint16_t>(ntohs(k.vlan_tci) & ~kVlanCfi)});
        if (ntohs(k.cvlan_tci) & kVlanCfi)
            v.push_back({ntohs(k.cvlan_tpid), static_cast<uint16_t>(ntohs(k.cvlan_tci) & ~kVlanCfi)});
    }
    return v;
}

std::string mac_text(const uint8_t* a) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5]);
}

// The flow a learn action makes of packet 'flow' (Open vSwitch's
// learn_execute()): the match from the match specs, the actions from the
// load and output specs in their order, after a fin_timeout when the
// action has FIN timeouts.
OfpFlowMod learn_flow_mod(const ActLearn& a, const Flow& flow) {
    OfpFlowMod fm;
    fm.command = FlowModCommand::Add;
    fm.table_id = a.table_id;
    fm.priority = a.priority;
    fm.cookie = a.cookie;
    fm.idle_timeout = a.idle_timeout;
    fm.hard_timeout = a.hard_timeout;
    if (a.flags & kLearnSendFlowRem) fm.flags = kFfSendFlowRem;
    if (a.fin_idle_timeout || a.fin_hard_timeout)
        fm.actions.push_back(ActFinTimeout{.fin_idle_timeout = a.fin_idle_timeout, .fin_hard_timeout = a.fin_hard_timeout});
    for (const LearnSpec& spec : a.specs) {
        MfValue v = spec.src == LearnSpec::Src::Field ? mf_read_subfield(spec.src_field, flow) : spec.src_imm;
        switch (spec.dst) {
            case LearnSpec::Dst::Match:
                mf_set_match_subfield(spec.dst_field, v, &fm.match);
                break;
            case LearnSpec::Dst::Load: {
                const MfSubfield& d = spec.dst_field;
                ActSetField sf{.field = d.field, .load = true};
                for (unsigned i = 0; i < d.n_bits; i++) {
                    unsigned bit = d.ofs + i;
                    sf.value.b[15 - bit / 8] |= static_cast<uint8_t>(((v.b[15 - i / 8] >> (i % 8)) & 1) << (bit % 8));
                    sf.mask.b[15 - bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
                }
                fm.actions.push_back(std::move(sf));
                break;
            }
            case LearnSpec::Dst::Output: {
                // A port number: 16 bits at most, the others zero.
                bool fits = true;
                for (int i = 0; i < 14; i++) fits = fits && !v.b[i];
                OfPort port = static_cast<OfPort>(v.b[14] << 8 | v.b[15]);
                if (fits && (port < kOfppMax || port == kOfppInPort || port == kOfppFlood || port == kOfppLocal ||
                             port == kOfppAll))
                    fm.actions.push_back(ActOutput{.port = port});
                break;
            }
        }
    }
    return fm;
}

class Ctx {
public:
    Ctx(const XlateIn& in, XlateOut& out) : in_(in), out_(out), br_(in.bridge), flow_(in.flow) {
        base_ = in.flow.pkt;
        base_vlans_ = vlans_ = vlans_of(in.flow.pkt);
    }

    void run() {
        trace_line(fmt::format("bridge(\"{}\")", br_->name));
        trace_line(std::string(br_->name.size() + 10, '-'));
        if (auto it = br_->ports.find(flow_.in_port); it != br_->ports.end() && it->second.policer != kNoMeter) {
            trace("ingress policing: meter {}", it->second.policer);
            emit(xvs_action{.type = XVS_ACT_METER, .arg = it->second.policer});
        }
        if (auto it = br_->ports.find(flow_.in_port); !in_.actions && it != br_->ports.end() && it->second.no_recv) {
            trace("port {} does not receive (no_recv): dropped", flow_.in_port);
            out_.final_flow = flow_;
            return;
        }
        mark_src_mirrors();
        // NetFlow reports per (input port, addresses, protocol, ports,
        // DSCP): the megaflow must not mix two of them. (The ethertype is
        // always pinned, so that a megaflow older than NetFlow, which
        // revalidation sees only masked, cannot pass for a non-IP one.)
        if (br_->netflow) XVS_WC_FULL(out_.wc.pkt, eth_type);
        if (br_->netflow && flow_.pkt.eth_type == htons(0x0800)) {
            auto& wc = out_.wc.pkt;
            XVS_WC_FULL(wc, nw_proto);
            wc.nw_src[0] = wc.nw_dst[0] = 0xffffffff;
            XVS_WC_FULL(wc, tp_src);
            XVS_WC_FULL(wc, tp_dst);
            wc.nw_tos |= 0xfc;
        }
        // sFlow and IPFIX sample packets as they arrive (after policing):
        // their sample actions lead, the cookies filled in once the outputs
        // are known.
        std::vector<std::pair<size_t, uint64_t>> samplers;  // (action index, kind)
        if (!in_.actions) {
            for (auto [prob, kind] : {std::pair{br_->sflow_probability, kSampleSflow},
                                      std::pair{br_->ipfix_probability, kSampleIpfix}}) {
                if (!prob) continue;
                samplers.emplace_back(out_.actions.size(), kind);
                emit(xvs_action{.type = XVS_ACT_SAMPLE, .arg = prob});
            }
        }
        if (in_.actions) {
            trace("packet-out actions");
            actions(*in_.actions);
        } else {
            table(0);
        }
        run_action_set();
        out_.final_flow = flow_;
        output_mirrors();
        for (auto [at, kind] : samplers) fix_sample_cookie(at, kind);
    }

private:
    // A sample action's cookie: its kind, sFlow's output field (the one
    // port, or how many: 0 for a flood, count unknown; or dropped) and the
    // VLAN the datapath's packet had last.
    void fix_sample_cookie(size_t at, uint64_t kind) {
        uint32_t n = 0, port = 0;
        bool flood = false;
        for (size_t i = at + 1; i < out_.actions.size(); i++) {
            if (out_.actions[i].type == XVS_ACT_OUTPUT) {
                n++;
                port = out_.actions[i].arg;
            } else if (out_.actions[i].type == XVS_ACT_FLOOD) {
                flood = true;
            }
        }
        uint32_t output = flood ? kSflowOutMultiple : n == 0 ? kSflowOutDropped : n == 1 ? port : kSflowOutMultiple | n;
        uint16_t tci = base_vlans_.empty() ? 0 : base_vlans_[0].tci;
        out_.actions[at].u.cookie = (kind << kSampleKindShift) | (uint64_t(tci) << 32) | output;
        trace("{}: sample 1 in {}", kind == kSampleSflow ? "sFlow" : "IPFIX",
              uint64_t(UINT32_MAX) / out_.actions[at].arg);
    }

    template <typename... Args>
    void trace(fmt::format_string<Args...> f, Args&&... args) {
        if (in_.trace) trace_line(std::string(indent_ * 4, ' ') + fmt::format(f, std::forward<Args>(args)...));
    }
    void trace_line(std::string s) {
        if (in_.trace) out_.trace.push_back(std::move(s));
    }
    void fail(std::string why) {
        if (out_.error.empty()) out_.error = std::move(why);
        trace("error: {}", out_.error);
        stop_ = true;
    }

    void sync_vlans() {
        auto& p = flow_.pkt;
        p.vlan_tci = p.vlan_tpid = p.cvlan_tci = p.cvlan_tpid = 0;
        if (!vlans_.empty()) {
            p.vlan_tci = htons(vlans_[0].tci | kVlanCfi);
            p.vlan_tpid = htons(vlans_[0].tpid);
        }
        if (vlans_.size() > 1) {
            p.cvlan_tci = htons(vlans_[1].tci | kVlanCfi);
            p.cvlan_tpid = htons(vlans_[1].tpid);
        }
    }

    void emit(xvs_action a) { out_.actions.push_back(a); }

    // Makes the datapath's view of the packet equal the logical one, with
    // the fewest actions: only what differs is set.
    void commit() {
        size_t lb = base_vlans_.size(), ll = vlans_.size(), k = 0;
        while (k < lb && k < ll && base_vlans_[lb - 1 - k] == vlans_[ll - 1 - k]) k++;
        for (size_t i = 0; i < lb - k; i++) emit(xvs_action{.type = XVS_ACT_POP_VLAN});
        for (size_t i = ll - k; i-- > 0;) {
            xvs_action a{.type = XVS_ACT_PUSH_VLAN};
            a.u.vlan.tpid = htons(vlans_[i].tpid);
            a.u.vlan.tci = htons(vlans_[i].tci);
            emit(a);
        }
        base_vlans_ = vlans_;

        const auto& f = flow_.pkt;
        auto& b = base_;
        // Emits 'type' carrying field 'now' (copied into the action's
        // union) when it differs from what the datapath packet has.
        auto set_bytes = [this](uint16_t type, const void* now, const void* was, size_t len) {
            if (std::memcmp(now, was, len) == 0) return;
            xvs_action a{.type = type};
            std::memcpy(&a.u, now, len);
            emit(a);
        };
        set_bytes(XVS_ACT_SET_ETH_SRC, f.eth_src, b.eth_src, 6);
        set_bytes(XVS_ACT_SET_ETH_DST, f.eth_dst, b.eth_dst, 6);
        uint16_t type = ntohs(f.eth_type);
        if (type == proto::kTypeIpv4) {
            set_bytes(XVS_ACT_SET_IPV4_SRC, f.nw_src, b.nw_src, 4);
            set_bytes(XVS_ACT_SET_IPV4_DST, f.nw_dst, b.nw_dst, 4);
            set_bytes(XVS_ACT_SET_IPV4_TOS, &f.nw_tos, &b.nw_tos, 1);
            set_bytes(XVS_ACT_SET_IPV4_TTL, &f.nw_ttl, &b.nw_ttl, 1);
        } else if (type == proto::kTypeIpv6) {
            set_bytes(XVS_ACT_SET_IPV6_SRC, f.nw_src, b.nw_src, 16);
            set_bytes(XVS_ACT_SET_IPV6_DST, f.nw_dst, b.nw_dst, 16);
            set_bytes(XVS_ACT_SET_IPV6_TC, &f.nw_tos, &b.nw_tos, 1);
            set_bytes(XVS_ACT_SET_IPV6_HLIMIT, &f.nw_ttl, &b.nw_ttl, 1);
        }
        bool l4_ports = (type == proto::kTypeIpv4 || type == proto::kTypeIpv6) &&
                        (f.nw_proto == IPPROTO_TCP || f.nw_proto == IPPROTO_UDP || f.nw_proto == IPPROTO_SCTP);
        if (l4_ports) {
            set_bytes(XVS_ACT_SET_TP_SRC, &f.tp_src, &b.tp_src, 2);
            set_bytes(XVS_ACT_SET_TP_DST, &f.tp_dst, &b.tp_dst, 2);
        }
        // Whatever else differs now was written by set_field/move into a
        // field the datapath has no action for (ARP and ND fields, ICMP
        // type and code, the IPv6 flow label, ...): refuse rather than
        // forward a packet without the change.
        xvs_flow_key done = b;
#define take(field) std::memcpy(&done.field, &f.field, sizeof done.field)
        take(eth_src);
        take(eth_dst);
        take(vlan_tci);
        take(vlan_tpid);
        take(cvlan_tci);
        take(cvlan_tpid);
        if (type == proto::kTypeIpv4 || type == proto::kTypeIpv6) {
            if (type == proto::kTypeIpv4) {
                take(nw_src[0]);
                take(nw_dst[0]);
            } else {
                take(nw_src);
                take(nw_dst);
            }
            take(nw_tos);
            take(nw_ttl);
        }
        if (l4_ports) {
            take(tp_src);
            take(tp_dst);
        }
        if (std::memcmp(&done, &f, sizeof done) != 0) {
            fail("the actions modify a packet field the datapath cannot set (only Ethernet, VLAN, IP addresses, "
                 "TOS, TTL and TCP/UDP/SCTP ports)");
            return;
        }
#undef take
        base_ = flow_.pkt;
    }

    void table(uint8_t table_id) {
        if (stop_ || exit_) return;
        if (depth_ >= kMaxDepth) return fail(fmt::format("over {} nested resubmits or patch ports", kMaxDepth));
        if (++resubmits_ > kMaxResubmits) return fail(fmt::format("over {} resubmits", kMaxResubmits));
        depth_++;
        uint8_t saved_table = table_id_;
        uint64_t saved_rule = rule_id_;
        table_id_ = table_id;
        const OfRule* rule = br_->pipeline->lookup(table_id, flow_, &out_.wc);
        out_.visits.push_back({br_->pipeline, table_id, !(flow_ == in_.flow)});
        if (!rule) {
            trace("{}. No match.", table_id);
            indent_++;
            auto inp = br_->ports.find(flow_.in_port);
            bool no_packet_in = inp != br_->ports.end() && inp->second.no_packet_in;
            if (!no_packet_in && in_.miss_to_controller && in_.miss_to_controller(br_->name)) {
                rule_cookie_ = UINT64_MAX;
                controller(PacketInSpec{.reason = kOfprNoMatch});
            } else {
                trace("drop");
            }
            indent_--;
        } else {
            out_.rules.push_back(rule->id);
            rule_cookie_ = rule->cookie;
            rule_id_ = rule->id;
            trace("{}. priority {}{}", table_id, rule->priority,
                  rule->cookie ? fmt::format(", cookie {:#x}", rule->cookie) : "");
            indent_++;
            actions(rule->actions);
            indent_--;
        }
        table_id_ = saved_table;
        rule_id_ = saved_rule;
        depth_--;
    }

    void actions(const OfActions& acts) {
        for (const auto& a : acts) {
            if (stop_ || exit_) return;
            trace("{}", format_of_actions({a}));
            std::visit([this](const auto& act) { do_action(act); }, a.variant());
        }
    }

    void do_action(const ActOutput& a) { output(a.port); }
    void do_action(const ActController& a) {
        controller(PacketInSpec{.reason = a.reason,
                                .max_len = a.max_len,
                                .controller_id = a.controller_id,
                                .userdata = a.userdata});
    }
    void do_action(const ActOutputReg& a) {
        mf_mask_subfield(a.src, &out_.wc);
        MfValue v = mf_read_subfield(a.src, flow_);
        uint32_t port = (uint32_t{v.b[12]} << 24) | (uint32_t{v.b[13]} << 16) | (uint32_t{v.b[14]} << 8) | v.b[15];
        if (port > UINT16_MAX) return trace("output to port {} from {}: no such port", port, mf_format_subfield(a.src));
        output(static_cast<OfPort>(port));
    }
    // Queues need QoS on the port, which xvs does not configure yet: as
    // in Open vSwitch without a QoS record, the queue number has no effect
    // and the packet goes out of the port.
    void do_action(const ActEnqueue& a) { output(a.port); }
    void do_action(const ActSetQueue& a) { trace("queue {}: no QoS on the ports, no effect", a.queue); }
    void do_action(const ActPopQueue&) {}
    void do_action(const ActPushVlan& a) {
        uint16_t tci = vlans_.empty() ? 0 : vlans_[0].tci;
        XVS_WC_FULL(out_.wc.pkt, vlan_tci);
        vlans_.insert(vlans_.begin(), VlanTag{a.tpid, tci});
        sync_vlans();
    }
    void do_action(const ActPopVlan&) {
        XVS_WC_FULL(out_.wc.pkt, vlan_tci);
        if (!vlans_.empty()) vlans_.erase(vlans_.begin());
        sync_vlans();
    }
    // mod_vlan_vid / mod_vlan_pcp: replace some TCI bits of the outer tag,
    // pushing an 802.1Q tag first when there is none and push_if_none.
    void set_vlan_bits(uint16_t mask, uint16_t bits, bool push_if_none) {
        XVS_WC_FULL(out_.wc.pkt, vlan_tci);
        if (vlans_.empty()) {
            if (!push_if_none) return;
            vlans_.push_back({0x8100, 0});
        }
        vlans_[0].tci = static_cast<uint16_t>((vlans_[0].tci & ~mask) | (bits & mask));
        sync_vlans();
    }
    void do_action(const ActSetVlanVid& a) { set_vlan_bits(kVlanVidMask, a.vid, a.push_if_none); }
    void do_action(const ActSetVlanPcp& a) {
        set_vlan_bits(kVlanPcpMask, static_cast<uint16_t>((a.pcp & 7) << 13), a.push_if_none);
    }
    void do_action(const ActSetEth& a) {
        std::memcpy(a.dst ? flow_.pkt.eth_dst : flow_.pkt.eth_src, a.addr.data(), 6);
    }
    bool is_ip() {
        XVS_WC_FULL(out_.wc.pkt, eth_type);
        uint16_t t = ntohs(flow_.pkt.eth_type);
        return t == proto::kTypeIpv4 || t == proto::kTypeIpv6;
    }
    void do_action(const ActSetIpv4& a) {
        XVS_WC_FULL(out_.wc.pkt, eth_type);
        if (ntohs(flow_.pkt.eth_type) != proto::kTypeIpv4) return;
        (a.dst ? flow_.pkt.nw_dst : flow_.pkt.nw_src)[0] = a.addr;
    }
    void do_action(const ActSetIpDscp& a) {
        if (!is_ip()) return;
        XVS_WC_FULL(out_.wc.pkt, nw_tos);
        flow_.pkt.nw_tos = static_cast<uint8_t>((flow_.pkt.nw_tos & 0x03) | (a.tos & 0xfc));
    }
    void do_action(const ActSetIpEcn& a) {
        if (!is_ip()) return;
        XVS_WC_FULL(out_.wc.pkt, nw_tos);
        flow_.pkt.nw_tos = static_cast<uint8_t>((flow_.pkt.nw_tos & 0xfc) | (a.ecn & 0x03));
    }
    void do_action(const ActSetIpTtl& a) {
        if (is_ip()) flow_.pkt.nw_ttl = a.ttl;
    }
    void do_action(const ActSetTp& a) {
        if (!is_ip()) return;
        XVS_WC_FULL(out_.wc.pkt, nw_proto);
        uint8_t p = flow_.pkt.nw_proto;
        if (p != IPPROTO_TCP && p != IPPROTO_UDP && p != IPPROTO_SCTP) return;
        (a.dst ? flow_.pkt.tp_dst : flow_.pkt.tp_src) = htons(a.port);
    }
    void do_action(const ActDecTtl& a) {
        if (!is_ip()) return;
        XVS_WC_FULL(out_.wc.pkt, nw_ttl);
        if (flow_.pkt.nw_ttl <= 1) {
            trace("TTL exceeded: dropped");
            // OFPR_INVALID_TTL to the listed controllers (controller 0 for plain dec_ttl).
            std::vector<uint16_t> ids = a.controller_ids.empty() ? std::vector<uint16_t>{0} : a.controller_ids;
            for (uint16_t id : ids) controller(PacketInSpec{.reason = kOfprInvalidTtl, .controller_id = id});
            stop_ = true;
            return;
        }
        flow_.pkt.nw_ttl--;
    }
    // set_field and load: writes the masked bits of a field, when the
    // packet has the field (else, as in Open vSwitch, nothing happens).
    void do_action(const ActSetField& a) {
        if (!mf_prereqs_ok(*a.field, flow_, &out_.wc)) {
            trace("{} not present in the packet: set_field skipped", a.field->name);
            return;
        }
        MfValue cur = mf_get(*a.field, flow_);
        bool whole = true;
        for (unsigned i = 16 - a.field->n_bytes; i < 16; i++) {
            cur.b[i] = static_cast<uint8_t>((cur.b[i] & ~a.mask.b[i]) | (a.value.b[i] & a.mask.b[i]));
            if (a.mask.b[i] != 0xff) whole = false;
        }
        // A partial write keeps the other bits, and the datapath writes
        // whole fields: the result depends on them.
        if (!whole) mf_mask_all(*a.field, &out_.wc);
        mf_set(*a.field, cur, &flow_);
        if (a.field->id == MfId::VlanTci || a.field->id == MfId::VlanVid || a.field->id == MfId::VlanPcp ||
            a.field->id == MfId::DlVlan || a.field->id == MfId::DlVlanPcp)
            resync_vlans_from_flow();
    }
    void do_action(const ActRegMove& a) {
        mf_mask_subfield(a.src, &out_.wc);
        if (!mf_prereqs_ok(*a.src.field, flow_, &out_.wc) || !mf_prereqs_ok(*a.dst.field, flow_, &out_.wc)) {
            trace("move: a field is not present in the packet: skipped");
            return;
        }
        write_subfield(a.dst, mf_read_subfield(a.src, flow_));
    }
    // Writes 'v' (right-aligned) into 'dst' of the flow. A partial write of
    // a packet field rewrites the whole field in the datapath, so all of it
    // must be known.
    void write_subfield(const MfSubfield& dst, const MfValue& v) {
        if (dst.n_bits < dst.field->n_bytes * 8) mf_mask_all(*dst.field, &out_.wc);
        mf_write_subfield(dst, v, &flow_);
        auto id = dst.field->id;
        if (id == MfId::VlanTci || id == MfId::VlanVid || id == MfId::VlanPcp || id == MfId::DlVlan ||
            id == MfId::DlVlanPcp)
            resync_vlans_from_flow();
    }
    void do_action(const ActMultipath& a) {
        if (!mf_prereqs_ok(*a.dst.field, flow_, &out_.wc)) {
            trace("multipath: {} is not present in the packet: skipped", a.dst.field->name);
            return;
        }
        uint32_t hash = flow_hash_fields(flow_, a.fields, a.basis);
        uint16_t link = multipath_link(hash, a.algorithm, a.max_link + 1u, a.arg);
        flow_mask_hash_fields(flow_, a.fields, &out_.wc);
        MfValue v{};
        v.b[14] = static_cast<uint8_t>(link >> 8);
        v.b[15] = static_cast<uint8_t>(link);
        write_subfield(a.dst, v);
        trace("multipath: hash {:#010x} picks link {} -> {}", hash, link, mf_format_subfield(a.dst));
    }
    void do_action(const ActResubmit& a) {
        OfPort saved = flow_.in_port;
        if (a.in_port != kOfppInPort) flow_.in_port = a.in_port;
        indent_++;
        table(a.table == 255 ? table_id_ : a.table);
        indent_--;
        flow_.in_port = saved;
        // exit ends the whole pipeline, resubmits included.
    }
    void do_action(const ActGotoTable& a) {
        if (a.table <= table_id_) return fail(fmt::format("goto_table:{} does not go forward from table {}", a.table, table_id_));
        indent_++;
        table(a.table);
        indent_--;
    }
    void do_action(const ActWriteMetadata& a) { flow_.metadata = (flow_.metadata & ~a.mask) | (a.value & a.mask); }
    void do_action(const ActClearActions&) { action_set_.clear(); }
    // write_actions: each action replaces the action set's action of the
    // same kind (set_field: of the same field), as OpenFlow's action set
    // holds at most one of each.
    void do_action(const ActWriteActions& a) {
        for (const OfAction& act : a.actions) {
            auto same = [&](const OfAction& x) {
                if (x.index() != act.index()) return false;
                if (auto* sf = std::get_if<ActSetField>(&x.variant()))
                    return sf->field == std::get<ActSetField>(act.variant()).field;
                return true;
            };
            std::erase_if(action_set_, same);
            action_set_.push_back(act);
        }
    }
    // The datapath meter that runs the OpenFlow meter drops what is over
    // its band, at this point of the action list.
    void do_action(const ActMeter& a) {
        auto it = br_->pipeline->meters.find(a.meter_id);
        if (it == br_->pipeline->meters.end()) {
            trace("meter {} does not exist: no effect", a.meter_id);  // rules using a meter go with it
            return;
        }
        out_.meters.emplace_back(br_->name, a.meter_id);
        emit(xvs_action{.type = XVS_ACT_METER, .arg = it->second.dp_meter});
    }
    void do_action(const ActGroup& a) {
        auto it = br_->pipeline->groups.find(a.group_id);
        if (it == br_->pipeline->groups.end()) {
            // Rules naming a group are deleted with it; this is a race.
            trace("group {} does not exist: no effect", a.group_id);
            return;
        }
        if (depth_ >= kMaxDepth) return fail(fmt::format("over {} nested groups and resubmits", kMaxDepth));
        depth_++;
        const OfGroup& g = it->second;
        switch (g.type) {
            case GroupType::All:
                for (size_t i = 0; i < g.buckets.size() && out_.error.empty(); i++) bucket(g, i);
                break;
            case GroupType::Indirect:
                if (!g.buckets.empty()) bucket(g, 0);
                break;
            case GroupType::Select: {
                int i = select_bucket(g);
                if (i < 0) trace("group {}: no live bucket: dropped", g.id);
                else bucket(g, static_cast<size_t>(i));
                break;
            }
            case GroupType::FastFailover: {
                int i = -1;
                for (size_t k = 0; k < g.buckets.size() && i < 0; k++)
                    if (bucket_live(g.buckets[k], 0)) i = static_cast<int>(k);
                if (i < 0) trace("group {}: no live bucket: dropped", g.id);
                else bucket(g, static_cast<size_t>(i));
                break;
            }
        }
        depth_--;
    }
    // A bucket's actions are an action set (OpenFlow runs them in the
    // action set's order) applied to a copy of the packet: the packet
    // after the group is the one before it.
    void bucket(const OfGroup& g, size_t i) {
        const OfpBucket& b = g.buckets[i];
        out_.groups.push_back(GroupHit{br_->name, g.id, static_cast<uint32_t>(i)});
        trace("group {} bucket {}", g.id, b.bucket_id);
        OfActions set = b.actions;
        std::stable_sort(set.begin(), set.end(),
                         [](const OfAction& x, const OfAction& y) { return action_set_rank(x) < action_set_rank(y); });
        Flow saved_flow = flow_;
        std::vector<VlanTag> saved_vlans = vlans_;
        bool saved_stop = stop_;
        indent_++;
        for (const OfAction& a : set) {
            if (stop_) break;
            trace("{}", format_of_actions({a}));
            std::visit([this](const auto& act) { do_action(act); }, a.variant());
        }
        indent_--;
        flow_ = saved_flow;
        vlans_ = saved_vlans;
        stop_ = saved_stop || !out_.error.empty();  // a failure inside ends the translation
    }
    // Whether a port can carry packets: it exists, is attached (or a patch
    // port) and its link is up.
    bool port_live(uint32_t port) const {
        auto it = br_->ports.find(static_cast<OfPort>(port));
        if (it == br_->ports.end()) return false;
        const XPort& xp = it->second;
        return xp.up && xp.live && (xp.dp_port != kNoDpPort || !xp.patch_peer.empty());
    }
    // A bucket is live unless what it watches is not: its watch port, its
    // watch group (live when one of its buckets is).
    bool bucket_live(const OfpBucket& b, int depth) const {
        if (b.watch_port != 0xffffffff && b.watch_port != kOfppNone && !port_live(b.watch_port)) return false;
        if (b.watch_group != kOfpgAny) {
            auto it = br_->pipeline->groups.find(b.watch_group);
            if (it == br_->pipeline->groups.end() || depth >= 8) return false;
            bool any = false;
            for (const auto& wb : it->second.buckets) any = any || bucket_live(wb, depth + 1);
            if (!any) return false;
        }
        return true;
    }
    // Select groups: a hash of the packet's addresses and ports, the same
    // both ways (as Open vSwitch's default for select groups hashes), picks
    // among the live buckets with weight, highest score winning (scores
    // scale with weight). The megaflow pins what was hashed.
    int select_bucket(const OfGroup& g) {
        const auto& k = flow_.pkt;
        auto& w = out_.wc.pkt;
        uint64_t h = 0x5bd1e995;
        auto mix = [&](uint64_t x) {
            h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
            h *= 0xff51afd7ed558ccdull;
            h ^= h >> 33;
        };
        auto bytes_xor = [](const uint8_t* a, const uint8_t* b, size_t n) {
            uint64_t x = 0;
            for (size_t i = 0; i < n; i++) x = (x << 8 | x >> 56) ^ (a[i] ^ b[i]);
            return x;
        };
        if (g.selection_method == "hash" && !g.selection_method_fields.empty()) {
            // The fields the group names, under their masks (absent ones,
            // as a packet without them, hash as zero).
            mix(g.selection_method_param);
            for (const auto& [field, mask] : g.selection_method_fields) {
                if (!mf_prereqs_ok(*field, flow_, &out_.wc)) continue;
                MfValue v = mf_get(*field, flow_);
                Flow fm;
                mf_set(*field, mask, &fm);
                flow_or_into(out_.wc, fm);
                for (int i = 0; i < 16; i++) mix(uint64_t{v.b[i]} & mask.b[i]);
            }
            return best_bucket(g, h);
        }
        XVS_WC_FULL(w, eth_src);
        XVS_WC_FULL(w, eth_dst);
        XVS_WC_FULL(w, eth_type);
        mix(bytes_xor(k.eth_src, k.eth_dst, 6));
        mix(k.eth_type);
        uint16_t t = ntohs(k.eth_type);
        if (t == proto::kTypeIpv4 || t == proto::kTypeIpv6) {
            XVS_WC_FULL(w, nw_src);
            XVS_WC_FULL(w, nw_dst);
            XVS_WC_FULL(w, nw_proto);
            mix(bytes_xor(reinterpret_cast<const uint8_t*>(k.nw_src), reinterpret_cast<const uint8_t*>(k.nw_dst),
                          sizeof k.nw_src));
            mix(k.nw_proto);
            if (k.nw_proto == IPPROTO_TCP || k.nw_proto == IPPROTO_UDP || k.nw_proto == IPPROTO_SCTP) {
                XVS_WC_FULL(w, tp_src);
                XVS_WC_FULL(w, tp_dst);
                mix(uint64_t{k.tp_src} ^ k.tp_dst);
            }
        }
        return best_bucket(g, h);
    }
    int best_bucket(const OfGroup& g, uint64_t h) const {
        int best = -1;
        uint64_t best_score = 0;
        for (size_t i = 0; i < g.buckets.size(); i++) {
            const OfpBucket& b = g.buckets[i];
            if (!b.weight || !bucket_live(b, 0)) continue;
            uint64_t s = h ^ (uint64_t{b.bucket_id} * 0x9e3779b97f4a7c15ull);
            s ^= s >> 29;
            s *= 0xbf58476d1ce4e5b9ull;
            s ^= s >> 32;
            uint64_t score = (s & 0xffff) * b.weight;
            if (best < 0 || score > best_score) {
                best = static_cast<int>(i);
                best_score = score;
            }
        }
        return best;
    }
    void do_action(const ActNote&) {}
    void do_action(const ActExit&) { exit_ = true; }
    // Only a packet-out can run a clause's actions; they do nothing.
    void do_action(const ActConjunction&) { trace("conjunction: no effect when run as an action"); }
    // As Open vSwitch: without IPFIX on the bridge a sample action does
    // nothing; the packet is sampled as edited so far.
    void do_action(const ActSample& a) {
        if ((!br_->ipfix_flow && !br_->ipfix_probability) || !in_.flow_sample) {
            trace("sample: no IPFIX on bridge {}: nothing to do", br_->name);
            return;
        }
        FlowSampleSpec spec{.bridge = br_->name,
                            .collector_set_id = a.collector_set_id,
                            .obs_domain_id = a.obs_domain_id,
                            .obs_point_id = a.obs_point_id,
                            .probability = a.probability,
                            .direction = a.direction};
        if (a.sampling_port != kOfppNone && a.sampling_port != flow_.in_port) {
            auto it = br_->ports.find(a.sampling_port);
            if (it == br_->ports.end() || it->second.dp_port == kNoDpPort) {
                trace("sample: can't use unknown port {} in flow sample action", a.sampling_port);
                return;
            }
            spec.output = it->second.dp_port;
        }
        commit();
        xvs_action s{.type = XVS_ACT_SAMPLE, .arg = uint32_t(a.probability) << 16 | a.probability};
        s.u.cookie = in_.flow_sample(spec);
        emit(s);
        trace("sample: {} in 65535 to collector set {} (observation domain {}, point {})", a.probability,
              a.collector_set_id, a.obs_domain_id, a.obs_point_id);
    }
    void do_action(const ActClone& a) {
        // As a group bucket: the packet as it was comes back after them
        // (the next output commits the difference back).
        Flow saved_flow = flow_;
        std::vector<VlanTag> saved_vlans = vlans_;
        indent_++;
        actions(a.actions);
        indent_--;
        flow_ = saved_flow;
        vlans_ = std::move(saved_vlans);
    }
    // learn: the megaflow matches every bit the learned flow was built
    // from; the flow itself is a side effect the switch applies (and
    // refreshes while the megaflow passes packets). As in Open vSwitch,
    // what is learned shows only in later translations.
    void do_action(const ActLearn& a) {
        for (const LearnSpec& spec : a.specs)
            if (spec.src == LearnSpec::Src::Field) mf_mask_subfield(spec.src_field, &out_.wc);
        LearnedFlow lf{br_->name, learn_flow_mod(a, flow_), a.limit};
        if (in_.trace) {
            std::string m = match_format(lf.fm.match, lf.fm.priority);
            trace("learned: table={}{}{} priority={}{}{}{}{} actions={}", lf.fm.table_id, m.empty() ? "" : " ", m,
                  lf.fm.priority, lf.fm.cookie ? fmt::format(" cookie={:#x}", lf.fm.cookie) : "",
                  lf.fm.idle_timeout ? fmt::format(" idle={}", lf.fm.idle_timeout) : "",
                  lf.fm.hard_timeout ? fmt::format(" hard={}", lf.fm.hard_timeout) : "",
                  (lf.fm.flags & kFfSendFlowRem) ? " send_flow_rem" : "", format_of_actions(lf.fm.actions));
        }
        bool ok = learned_flow_fits(*br_->pipeline, lf.fm, a.limit);
        if (!ok) trace("limit exceeded, learn failed");
        const MfSubfield& r = a.result_dst;
        if ((a.flags & kLearnWriteResult) && r.field && r.ofs < r.field->n_bits) {
            MfValue bit;
            bit.b[15] = ok ? 1 : 0;
            mf_write_subfield(r, bit, &flow_);
            trace("{} = {}", mf_format_subfield(r), ok ? 1 : 0);
        }
        if (ok) out_.learned_flows.push_back(std::move(lf));
    }
    // fin_timeout: the switch lowers the rule's timeouts when a FIN or RST
    // passes (the packet's, or later ones the megaflow counts).
    void do_action(const ActFinTimeout& a) {
        if (rule_id_) out_.fin_timeouts.push_back(FinTimeoutHit{br_->name, rule_id_, a.fin_idle_timeout, a.fin_hard_timeout});
    }

    // The action set's actions in the order OpenFlow runs them: VLAN pops
    // and pushes, TTL, field sets, queue, then group or output.
    static int action_set_rank(const OfAction& a) {
        return std::visit(
            [](const auto& x) -> int {
                using T = std::decay_t<decltype(x)>;
                if constexpr (std::is_same_v<T, ActPopVlan>) return 0;
                else if constexpr (std::is_same_v<T, ActPushVlan>) return 1;
                else if constexpr (std::is_same_v<T, ActDecTtl>) return 2;
                else if constexpr (std::is_same_v<T, ActSetQueue>) return 4;
                else if constexpr (std::is_same_v<T, ActGroup>) return 5;
                else if constexpr (std::is_same_v<T, ActOutput> || std::is_same_v<T, ActController> ||
                                   std::is_same_v<T, ActOutputReg> || std::is_same_v<T, ActEnqueue>)
                    return 6;
                else return 3;
            },
            a.variant());
    }
    void run_action_set() {
        if (action_set_.empty() || stop_) return;
        OfActions set = std::move(action_set_);
        action_set_.clear();
        std::stable_sort(set.begin(), set.end(),
                         [](const OfAction& x, const OfAction& y) { return action_set_rank(x) < action_set_rank(y); });
        bool has_group = std::any_of(set.begin(), set.end(), [](const OfAction& x) { return action_set_rank(x) == 5; });
        trace("action set");
        indent_++;
        exit_ = false;
        for (const OfAction& a : set) {
            if (has_group && action_set_rank(a) == 6) continue;  // a group takes the place of output
            if (stop_) break;
            trace("{}", format_of_actions({a}));
            std::visit([this](const auto& act) { do_action(act); }, a.variant());
        }
        indent_--;
    }

    // Re-reads the VLAN stack after a set_field/move wrote vlan_tci.
    void resync_vlans_from_flow() {
        auto& p = flow_.pkt;
        bool present = ntohs(p.vlan_tci) & kVlanCfi;
        if (!present) {
            if (!vlans_.empty()) vlans_.erase(vlans_.begin());
        } else {
            uint16_t tci = static_cast<uint16_t>(ntohs(p.vlan_tci) & ~kVlanCfi);
            if (vlans_.empty()) vlans_.push_back({0x8100, tci});
            else vlans_[0].tci = tci;
        }
        sync_vlans();
    }

    // A packet-in: the packet as translated so far goes to userspace
    // through a datapath userspace action whose cookie names what the
    // packet-in carries (the pipeline's metadata at this point is part of
    // it: the megaflow pins every bit it was computed from).
    void controller(PacketInSpec spec) {
        spec.bridge = br_->name;
        spec.table_id = table_id_;
        spec.cookie = rule_cookie_;
        spec.flow = flow_;
        if (!in_.controller) {
            trace("controller: no OpenFlow connection manager: packet-in not sent");
            return;
        }
        trace("controller (reason {}, max_len {}, id {})", spec.reason, spec.max_len, spec.controller_id);
        uint64_t cookie = in_.controller(spec);
        commit();
        xvs_action act{.type = XVS_ACT_USERSPACE};
        act.u.cookie = cookie;
        emit(act);
    }

    void output(OfPort port) {
        switch (port) {
            case kOfppInPort: return output_xport(flow_.in_port, true);
            case kOfppNormal: return normal();
            case kOfppFlood:
            case kOfppAll:
                for (const auto& [no, p] : br_->ports) {
                    if (no == flow_.in_port || (port == kOfppFlood && p.no_flood)) continue;
                    output_xport(no, false);
                }
                out_.flooded = true;
                return;
            case kOfppController:
                trace("no controller connection: packet dropped");
                return;
            case kOfppTable:
                if (!in_.actions || depth_ > 0) return fail("output to TABLE is only valid in packet-out");
                return table(0);
            case kOfppNone: return;
            default: return output_xport(port, false);
        }
    }

    void output_xport(OfPort port, bool allow_in_port) {
        auto it = br_->ports.find(port);
        if (it == br_->ports.end()) {
            trace("output to nonexistent port {}", port);
            return;
        }
        const XPort& xp = it->second;
        if (port == flow_.in_port && !allow_in_port) {
            trace("skipping output to input port");
            return;
        }
        if (!xp.patch_peer.empty()) return patch(xp);
        if (xp.no_fwd) {
            trace("output to port {} (\"{}\"), which does not forward (no_fwd): dropped", port, xp.name);
            return;
        }
        if (xp.dp_port == kNoDpPort || !xp.up) {
            trace("output to port {} (\"{}\") that is down or not attached: dropped", port, xp.name);
            return;
        }
        if (port == kOfppLocal) snoop_neighbour();
        commit();
        emit(xvs_action{.type = XVS_ACT_OUTPUT, .arg = xp.dp_port});
        out_.of_outputs.push_back(xp.ofport);
    }

    // A neighbour reply to one of the bridge's own addresses (or a
    // gratuitous ARP) on its way to the local port of a bridge with an
    // address teaches the tunnel neighbour cache (Open vSwitch's
    // tnl_neigh_snoop): ARP replies and gratuitous ARPs by their sender,
    // neighbour advertisements with a target link-layer address by their
    // target. The megaflow keeps what the decision read.
    void snoop_neighbour() {
        const xvs_flow_key& p = flow_.pkt;
        xvs_flow_key& wc = out_.wc.pkt;
        // A bridge without an address learns nothing, and its megaflows
        // stay as wide as they were.
        if (br_->local_addrs.empty()) return;
        XVS_WC_FULL(wc, eth_type);
        auto ours = [&](const Addr16& a) {
            return std::find(br_->local_addrs.begin(), br_->local_addrs.end(), a) != br_->local_addrs.end();
        };
        auto zero_mac = [](const uint8_t* m) { return std::all_of(m, m + 6, [](uint8_t b) { return b == 0; }); };
        std::array<uint8_t, 6> mac{};
        Addr16 ip{};
        if (p.eth_type == htons(0x0806)) {
            // A gratuitous ARP (sender and target address the same) counts
            // whoever it is for.
            wc.nw_dst[0] = wc.nw_src[0] = 0xffffffff;
            bool garp = p.nw_src[0] == p.nw_dst[0];
            if (!garp && !ours(addr_from_v4(p.nw_dst[0]))) return;
            XVS_WC_FULL(wc, nw_proto);
            std::memset(wc.arp_sha, 0xff, 6);
            if ((p.nw_proto != 2 && !garp) || zero_mac(p.arp_sha)) return;
            ip = addr_from_v4(p.nw_src[0]);
            std::memcpy(mac.data(), p.arp_sha, 6);
        } else if (p.eth_type == htons(0x86dd)) {
            XVS_WC_FULL(wc, nw_proto);
            if (p.nw_proto != 58) return;
            std::memset(wc.nw_dst, 0xff, sizeof wc.nw_dst);
            Addr16 dst;
            std::memcpy(dst.data(), p.nw_dst, 16);
            if (!ours(dst)) return;
            XVS_WC_FULL(wc, tp_src);
            if (p.tp_src != htons(136)) return;
            std::memset(wc.nd_target, 0xff, sizeof wc.nd_target);
            std::memset(wc.arp_tha, 0xff, 6);
            if (zero_mac(p.arp_tha)) return;
            std::memcpy(ip.data(), p.nd_target, 16);
            std::memcpy(mac.data(), p.arp_tha, 6);
        } else {
            return;
        }
        out_.neighbours.push_back({br_->name, ip, mac});
        trace("neighbour {} is at {:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x} (snooped for tunnels)", format_addr(ip),
              mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    }

    void patch(const XPort& xp) {
        auto it = in_.world->ifaces.find(xp.patch_peer);
        if (it == in_.world->ifaces.end()) {
            trace("patch port \"{}\" has no peer \"{}\": dropped", xp.name, xp.patch_peer);
            return;
        }
        auto [peer_br, peer_port] = it->second;
        // The packet enters the peer bridge afresh: its metadata is reset,
        // its header fields carry over.
        XBridge* saved_br = br_;
        Flow saved_flow = flow_;
        std::vector<VlanTag> saved_vlans = vlans_;
        OfActions saved_set = std::move(action_set_);
        action_set_.clear();
        flow_.metadata = 0;
        std::fill(std::begin(flow_.regs), std::end(flow_.regs), 0);
        flow_.in_port = peer_port;
        br_ = peer_br;
        indent_++;
        trace_line("");
        trace_line(std::string(indent_ * 4, ' ') + fmt::format("bridge(\"{}\")", br_->name));
        trace_line(std::string(indent_ * 4, ' ') + std::string(br_->name.size() + 10, '-'));
        table(0);
        run_action_set();
        exit_ = false;
        indent_--;
        br_ = saved_br;
        action_set_ = std::move(saved_set);
        // Header changes made in the peer stay committed in base_; the
        // logical flow returns to this bridge's view.
        flow_ = saved_flow;
        vlans_ = std::move(saved_vlans);
    }

    // ---- NORMAL --------------------------------------------------------

    const XBundle* bundle_of(OfPort port) const {
        auto it = br_->ports.find(port);
        if (it == br_->ports.end()) return nullptr;
        auto b = br_->bundles.find(it->second.bundle);
        return b == br_->bundles.end() ? nullptr : &b->second;
    }

    OfPort active_member(const XBundle& b) const { return bundle_active_member(*br_, b); }
    static bool includes_vlan(const XBundle& b, int vlan) { return bundle_includes_vlan(b, vlan); }

    // The VLAN a frame belongs to on bundle b, from its (logical) tags, or
    // -1 when b must not accept it.
    int input_vlan(const XBundle& b, bool trace_drop) {
        bool tagged = !vlans_.empty();
        int vid = tagged ? (vlans_[0].tci & kVlanVidMask) : 0;
        int vlan = 0;
        switch (b.mode) {
            case VlanMode::Access:
                if (vid) {
                    if (trace_drop) trace("dropping VLAN {} tagged packet received on access port {}", vid, b.name);
                    return -1;
                }
                vlan = b.tag;
                break;
            case VlanMode::Trunk: vlan = vid; break;
            case VlanMode::NativeTagged:
            case VlanMode::NativeUntagged: vlan = vid ? vid : b.tag; break;
            case VlanMode::Dot1qTunnel:
                if (!b.all_cvlans && !(tagged && b.cvlans[vid])) {
                    XVS_WC_FULL(out_.wc.pkt, cvlan_tci);
                    if (trace_drop) trace("dropping packet with customer VLAN {} not in cvlans of {}", vid, b.name);
                    return -1;
                }
                vlan = b.tag;
                break;
        }
        if (vlan < 0 || !includes_vlan(b, vlan)) {
            if (trace_drop) trace("dropping VLAN {} packet received on port {} not configured for it", vlan, b.name);
            return -1;
        }
        return vlan;
    }

    // The megaflow matches the packet's second tag (TCI and TPID: an inner
    // vlan() in the datapath flow syntax).
    void match_cvlan() {
        XVS_WC_FULL(out_.wc.pkt, cvlan_tci);
        XVS_WC_FULL(out_.wc.pkt, cvlan_tpid);
    }

    // Whether a frame that arrived on in_b in 'vlan' is flooded to ob: ob
    // includes the VLAN and the frame's customer VLAN (the tag inside its
    // VLAN's, 0 if none): an access port none, a dot1q-tunnel port only its
    // cvlans (OVS's xbundle_includes_vlan).
    bool floods_to(const XBundle& in_b, const XBundle& ob, int vlan) {
        if (&ob == &in_b || !includes_vlan(ob, vlan)) return false;
        bool in_is_tag = !vlans_.empty() && in_b.mode != VlanMode::Dot1qTunnel;
        size_t at = in_is_tag ? 1 : 0;
        int cvid = vlans_.size() > at ? (vlans_[at].tci & kVlanVidMask) : 0;
        if (ob.mode == VlanMode::Access || (ob.mode == VlanMode::Dot1qTunnel && !ob.all_cvlans)) {
            if (in_is_tag) match_cvlan();  // else vlan_tci says it
            return ob.mode == VlanMode::Access ? cvid == 0 : bool(ob.cvlans[cvid]);
        }
        return true;
    }

    // Sends the current frame, which arrived on in_b in 'vlan', out of
    // bundle ob with the tags ob's VLAN mode wants. Returns whether a copy
    // went out.
    bool output_bundle(const XBundle& in_b, const XBundle& ob, int vlan) {
        bool out_tagged = bundle_tags_vlan(ob, vlan);
        OfPort member = active_member(ob);
        if (member == kOfppNone) return false;
        // What the frame carries besides the VLAN tag: the customer's frame.
        bool tagged = !vlans_.empty();
        bool in_is_tag = tagged && in_b.mode != VlanMode::Dot1qTunnel;
        uint16_t pcp = in_is_tag ? (vlans_[0].tci & kVlanPcpMask) : 0;
        uint16_t tpid = in_b.mode == VlanMode::Dot1qTunnel ? in_b.qinq_tpid : (in_is_tag ? vlans_[0].tpid : 0x8100);
        std::vector<VlanTag> saved = vlans_;
        if (ob.mode == VlanMode::Access) {
            // No tag at all leaves an access port (a customer's neither):
            // how many to pop depends on the second one.
            if (tagged) match_cvlan();
            vlans_.clear();
        } else {
            vlans_.assign(saved.begin() + (in_is_tag ? 1 : 0), saved.end());
        }
        if (out_tagged) vlans_.insert(vlans_.begin(), VlanTag{tpid, static_cast<uint16_t>(pcp | vlan)});
        sync_vlans();
        output_xport(member, false);
        vlans_ = std::move(saved);
        sync_vlans();
        return true;
    }

    bool mirror_selects_vlan(const XMirror& m, int vlan) const { return m.all_vlans || (vlan >= 0 && m.vlans[vlan]); }

    void normal() {
        const XBundle* in_b = bundle_of(flow_.in_port);
        if (!in_b) {
            trace("no input bundle: dropped");
            return;
        }
        if (in_b->mirror_out) {
            trace("packet received on mirror output port {}: dropped", in_b->name);
            return;
        }
        if (in_b->members.size() > 1 && active_member(*in_b) != flow_.in_port) {
            trace("packet received on inactive member of bond {}: dropped", in_b->name);
            return;
        }
        auto& wc = out_.wc.pkt;
        XVS_WC_FULL(wc, eth_src);
        XVS_WC_FULL(wc, eth_dst);
        XVS_WC_FULL(wc, vlan_tci);
        XVS_WC_FULL(wc, vlan_tpid);
        const auto& p = flow_.pkt;
        if (eth_is_multicast(p.eth_src)) {
            trace("source MAC {} is multicast: dropped", mac_text(p.eth_src));
            return;
        }
        static const uint8_t kReserved[5] = {0x01, 0x80, 0xc2, 0x00, 0x00};
        if (!br_->forward_bpdu && std::memcmp(p.eth_dst, kReserved, 5) == 0 && (p.eth_dst[5] & 0xf0) == 0) {
            trace("reserved multicast {} not forwarded: dropped", mac_text(p.eth_dst));
            return;
        }
        int vlan = input_vlan(*in_b, true);
        if (vlan < 0) return;

        EthAddr src = eth_addr(p.eth_src);
        out_.learned.push_back(MacLearned{br_->name, static_cast<uint16_t>(vlan), src, in_b->id});
        if (in_.may_learn && br_->mac->learn(static_cast<uint16_t>(vlan), src, in_b->id, in_.now)) {
            out_.mac_changed = true;
            trace("learned that {} is on port {} in VLAN {}", mac_text(p.eth_src), in_b->name, vlan);
        }

        auto send = [&](const XBundle& ob) {
            if (&ob == in_b || ob.mirror_out || !includes_vlan(ob, vlan)) return;
            if (output_bundle(*in_b, ob, vlan)) mark_dst_mirrors(ob, vlan);
        };
        if (!eth_is_multicast(p.eth_dst)) {
            const MacLearning::Entry* e = br_->mac->lookup(static_cast<uint16_t>(vlan), eth_addr(p.eth_dst));
            if (e) {
                auto ob = br_->bundles.find(e->port);
                if (ob != br_->bundles.end() && includes_vlan(ob->second, vlan)) {
                    if (&ob->second == in_b) {
                        trace("learned port is input port: dropped");
                        return;
                    }
                    trace("forwarding to learned port {}", ob->second.name);
                    send(ob->second);
                    return;
                }
            }
            trace("no learned MAC for destination, flooding");
        } else {
            trace("multicast or broadcast destination, flooding");
        }
        for (const XBundle* b : flood_order())
            if (floods_to(*in_b, *b, vlan)) send(*b);
        out_.flooded = true;
    }

    // Bundles in port order, each once.
    std::vector<const XBundle*> flood_order() const {
        std::vector<const XBundle*> order;
        for (const auto& [no, xp] : br_->ports) {
            if (xp.no_flood) continue;
            auto b = br_->bundles.find(xp.bundle);
            if (b != br_->bundles.end() && std::find(order.begin(), order.end(), &b->second) == order.end())
                order.push_back(&b->second);
        }
        return order;
    }

    // ---- Mirrors ---------------------------------------------------------
    // A mirror selects a packet by its input port (select_src_port), an
    // output port (select_dst_port), or all, within select_vlan; each
    // selecting mirror sends one copy of the packet as it arrived, after
    // the translation's own outputs: to output_port (SPAN) with that port's
    // VLAN tagging, or flooded in output_vlan (RSPAN).

    void mark_src_mirrors() {
        if (br_->mirrors.empty()) return;
        const XBundle* in_b = bundle_of(flow_.in_port);
        if (!in_b) return;
        mirror_in_b_ = in_b;
        mirror_in_vlan_ = input_vlan(*in_b, false);
        if (mirror_in_vlan_ < 0) return;
        XVS_WC_FULL(out_.wc.pkt, vlan_tci);
        for (size_t i = 0; i < br_->mirrors.size(); i++) {
            const XMirror& m = br_->mirrors[i];
            if ((m.select_all || m.src.count(in_b->id)) && mirror_selects_vlan(m, mirror_in_vlan_)) mirrors_.insert(i);
        }
    }
    void mark_dst_mirrors(const XBundle& ob, int vlan) {
        if (br_ != in_.bridge || mirror_in_vlan_ < 0) return;
        for (size_t i = 0; i < br_->mirrors.size(); i++) {
            const XMirror& m = br_->mirrors[i];
            if (m.dst.count(ob.id) && mirror_selects_vlan(m, vlan)) mirrors_.insert(i);
        }
    }
    void output_mirrors() {
        if (mirrors_.empty() || stop_) return;
        // The packet as it arrived.
        flow_ = in_.flow;
        vlans_ = vlans_of(in_.flow.pkt);
        const XBundle& in_b = *mirror_in_b_;
        for (size_t i : mirrors_) {
            const XMirror& m = br_->mirrors[i];
            trace("mirror {}", m.name);
            out_.mirrors.push_back(MirrorHit{br_->name, m.name});
            if (m.out_bundle) {
                auto ob = br_->bundles.find(m.out_bundle);
                if (ob != br_->bundles.end() && &ob->second != &in_b) output_bundle(in_b, ob->second, mirror_in_vlan_);
            } else if (m.out_vlan > 0) {
                // RSPAN: the frame moves into the mirror VLAN and floods there.
                for (const XBundle* b : flood_order()) {
                    if (b == &in_b || b->mirror_out || !includes_vlan(*b, m.out_vlan)) continue;
                    output_bundle(in_b, *b, m.out_vlan);
                }
            }
        }
    }

    const XlateIn& in_;
    XlateOut& out_;
    std::set<size_t> mirrors_;  // indices into the input bridge's mirrors
    const XBundle* mirror_in_b_ = nullptr;
    int mirror_in_vlan_ = -1;
    XBridge* br_;
    Flow flow_;
    std::vector<VlanTag> vlans_;
    xvs_flow_key base_;
    std::vector<VlanTag> base_vlans_;
    uint8_t table_id_ = 0;
    int depth_ = 0;
    int resubmits_ = 0;
    int indent_ = 0;
    bool stop_ = false;
    bool exit_ = false;        // the exit action ran: the pipeline ends, the action set runs
    OfActions action_set_;     // write_actions' accumulated set
    uint64_t rule_cookie_ = 0; // cookie of the rule whose actions run
    uint64_t rule_id_ = 0;     // id of that rule (0: none, as in packet-out)
};

}  // namespace

XlateOut xlate(const XlateIn& in) {
    XlateOut out;
    Ctx(in, out).run();
    if (!out.error.empty()) out.actions.clear();
    return out;
}

xvs_flow_key megaflow_mask(const XlateOut& out) {
    xvs_flow_key m = out.wc.pkt;
    m.in_port = UINT32_MAX;
    m.recirc_id = UINT32_MAX;
    return m;
}

}  // namespace xvs::ofproto
