// Encoding OfActions for a wire version, in the forms Open vSwitch uses (its
// lib/ofp-actions.c encode_*()), so that ovs-ofctl prints our flows as it
// prints Open vSwitch's.
#include <arpa/inet.h>
#include <fmt/format.h>

#include <cstring>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_actions_internal.h"

namespace xvs::ofproto {

using namespace wire;

namespace {

// Standard action numbers that differ between 1.0 and 1.1+.
struct StdTypes {
    uint16_t set_dl_src, set_dl_dst, set_nw_src, set_nw_dst, set_nw_tos;
};
constexpr StdTypes kTypes10{4, 5, 6, 7, 8};
constexpr StdTypes kTypes11{3, 4, 5, 6, 7};

// NXAST subtypes we emit.
enum NxSubtype : uint16_t {
    kNxResubmit = 1,
    kNxSetQueue = 4,
    kNxPopQueue = 5,
    kNxRegMove = 6,
    kNxRegLoad = 7,
    kNxNote = 8,
    kNxResubmitTable = 14,
    kNxOutputReg = 15,
    kNxLearn = 16,
    kNxExit = 17,
    kNxClone = 42,
    kNxConjunction = 34,
    kNxMultipath = 10,
    kNxSample = 29,
    kNxSample2 = 38,
    kNxSample3 = 41,
    kNxDecTtl = 18,
    kNxFinTimeout = 19,
    kNxController = 20,
    kNxDecTtlCntIds = 21,
    kNxWriteMetadata = 22,
    kNxOutputReg2 = 32,
    kNxRegLoad2 = 33,
    kNxController2 = 37,
    kNxGroup = 40,
    kNxLearn2 = 45,
};

// What Open vSwitch's ofpacts_check() learns from the match and earlier
// actions, and its encoders consult: whether the packet has VLAN tags at
// this point, and the IP protocol of the match.
struct FlowState {
    bool tag[2] = {false, false};
    uint8_t nw_proto = 0;
};

bool has_header(const MfField& f) {
    return mf_wire_header(f, 0).header != 0;
}

// The field set_field should name on the wire: ovs-ofctl's dl_vlan and
// dl_vlan_pcp have no header of their own (Open vSwitch sends a zero header,
// which means in_port) and travel here as the OXM vlan_vid and vlan_pcp.
const MfField& wire_field(const MfField& f, MfValue* value, MfValue* mask) {
    if (has_header(f)) return f;
    if (f.id == MfId::DlVlan) {
        mfv_set_bit(*value, 12, true);  // OFPVID_PRESENT
        mfv_set_bit(*mask, 12, true);
        return mf_field(MfId::VlanVid);
    }
    return mf_field(MfId::VlanPcp);
}

class Encoder {
public:
    Encoder(std::vector<uint8_t>& out, uint8_t version, const Match* match) : w_{out}, version_(version) {
        if (match) {
            state_.tag[0] = ntohs(match->flow.pkt.vlan_tci) & kVlanCfi;
            state_.tag[1] = ntohs(match->flow.pkt.cvlan_tci) & kVlanCfi;
            state_.nw_proto = match->flow.pkt.nw_proto;
        }
    }

    // An action list: instruction actions only where they have an action form.
    void actions(const OfActions& acts) {
        for (const auto& a : acts) {
            if (version_ > kOfp10 && inst_of(a, version_) != Inst::Apply) {
                track(a);
                continue;
            }
            action(a);
        }
    }

    void instructions(const OfActions& acts) {
        if (version_ == kOfp10) return actions(acts);
        for (size_t i = 0; i < acts.size();) {
            if (inst_of(acts[i], version_) != Inst::Apply) {
                instruction(acts[i++]);
                continue;
            }
            size_t start = inst_header(kOfpitApplyActions);
            for (; i < acts.size() && inst_of(acts[i], version_) == Inst::Apply; i++) action(acts[i]);
            end_inst_with_actions(start);
        }
    }

private:
    bool of10() const { return version_ == kOfp10; }
    const StdTypes& types() const { return of10() ? kTypes10 : kTypes11; }

    // ---- Raw forms ----
    // One wire record per line: the comma-separated writes are its fields in order.
    void std_void(uint16_t type) { w_.u16(type), w_.u16(8), w_.zeros(4); }
    void std_u8(uint16_t type, uint8_t v) { w_.u16(type), w_.u16(8), w_.u8(v), w_.zeros(3); }
    void std_u16(uint16_t type, uint16_t v) { w_.u16(type), w_.u16(8), w_.u16(v), w_.zeros(2); }
    void std_u32(uint16_t type, uint32_t v) { w_.u16(type), w_.u16(8), w_.u32(v); }
    size_t nx_header(uint16_t subtype) {
        size_t start = w_.size();
        w_.u16(kOfpatVendor), w_.u16(0), w_.u32(kNxVendor), w_.u16(subtype);
        return start;
    }
    // Extension actions with nothing after the subtype are 16 bytes.
    void nx_void(uint16_t subtype) {
        size_t s = nx_header(subtype);
        w_.zeros(6), w_.finish(s);
    }
    void nx_u16(uint16_t subtype, uint16_t v) {
        size_t s = nx_header(subtype);
        w_.u16(v), w_.zeros(4), w_.finish(s);
    }
    void nx_u32(uint16_t subtype, uint32_t v) {
        size_t s = nx_header(subtype);
        w_.zeros(2), w_.u32(v), w_.finish(s);
    }
    void output(OfPort port, uint16_t max_len) {
        if (of10()) {
            w_.u16(0), w_.u16(8), w_.u16(port), w_.u16(max_len);
        } else {
            w_.u16(0), w_.u16(16), w_.u32(port_to_ofp11(port)), w_.u16(max_len), w_.zeros(6);
        }
    }
    void set_vlan_vid(uint16_t vid) { std_u16(1, vid); }
    void set_vlan_pcp(uint8_t pcp) { std_u8(2, pcp); }
    void push_vlan(uint16_t tpid) { std_u16(17, tpid); }
    void set_tp(bool dst, uint16_t port) { std_u16(dst ? 10 : 9, port); }
    void set_nw_tos(uint8_t tos) { std_u8(types().set_nw_tos, tos); }
    void set_dl(bool dst, const uint8_t* mac) {
        w_.u16(dst ? types().set_dl_dst : types().set_dl_src), w_.u16(16), w_.bytes(mac, 6), w_.zeros(6);
    }
    void set_nw(bool dst, const uint8_t* addr) {
        w_.u16(dst ? types().set_nw_dst : types().set_nw_src), w_.u16(8), w_.bytes(addr, 4);
    }
    void set_ecn(uint8_t ecn) {
        if (of10())
            reg_load(mf_field(MfId::IpEcn), 0, 2, ecn);
        else if (version_ == kOfp11)
            std_u8(8, ecn);
        else
            set_field_whole(mf_field(MfId::IpEcn), mfv_from_u64(ecn));
    }

    void header(const MfWireHeader& h) {
        w_.u32(h.header);
        if (wire_header_len(h) == 8) w_.u32(h.experimenter);
    }
    // Header, value and (when partial) mask of 'f' as 'version' names it.
    void entry(const MfField& f, uint8_t version, const MfValue& value, const MfValue& mask) {
        bool masked = !mfv_is_all_ones(mask, f);
        MfWireHeader h = mf_wire_header(f, version);
        header(masked ? wire_header_masked(h) : h);
        w_.bytes(value.b + 16 - f.n_bytes, f.n_bytes);
        if (masked) w_.bytes(mask.b + 16 - f.n_bytes, f.n_bytes);
    }
    void reg_load(const MfField& f, unsigned ofs, unsigned n_bits, uint64_t value) {
        size_t s = nx_header(kNxRegLoad);
        w_.u16(static_cast<uint16_t>(ofs << 6 | (n_bits - 1))), w_.u32(mf_wire_header(f, 0).header), w_.u64(value);
        w_.finish(s);
    }
    // OFPAT_SET_FIELD with the OXM of this version (mask only when partial).
    void set_field_wire(const MfField& f0, MfValue value, MfValue mask) {
        const MfField& f = wire_field(f0, &value, &mask);
        size_t s = w_.size();
        w_.u16(25), w_.u16(0);
        entry(f, version_, value, mask);
        w_.finish(s);
    }
    void set_field_whole(const MfField& f, const MfValue& value) { set_field_wire(f, value, mfv_all_ones(f)); }
    // NXAST_REG_LOAD for each run of mask bits (at most 64 bits each), as
    // Open vSwitch splits a set_field it sends as load.
    void set_field_as_loads(const MfField& f0, MfValue value, MfValue mask) {
        const MfField& f = has_header(f0) ? f0 : mf_field(MfId::VlanTci);
        if (&f != &f0) {  // dl_vlan / dl_vlan_pcp: their bits within vlan_tci
            unsigned shift = f0.id == MfId::DlVlan ? 0 : 13;
            MfValue v, m;
            mfv_put_bits(v, shift, f0.n_bits, mfv_get_bits(value, 0, f0.n_bits));
            mfv_put_bits(m, shift, f0.n_bits, mfv_get_bits(mask, 0, f0.n_bits));
            value = v, mask = m;
        }
        if (wire_header_len(mf_wire_header(f, 0)) == 8) {  // no room in REG_LOAD: NXAST_REG_LOAD2
            size_t s = nx_header(kNxRegLoad2);
            entry(f, 0, value, mask);
            return w_.finish(s);
        }
        for (const BitRun& r : mask_runs(mask, f.n_bits))
            reg_load(f, r.ofs, r.n_bits, mfv_get_bits(value, r.ofs, r.n_bits));
    }

    // ---- Actions ----
    void action(const OfAction& a) {
        std::visit([this](const auto& act) { encode(act); }, a.variant());
        track(a);
    }

    void encode(const ActOutput& a) { output(a.port, a.max_len); }
    void encode(const ActController& a) {
        if (controller_is_simple(a)) return output(kOfppController, a.max_len);
        if (a.userdata.empty() && !a.pause) {
            size_t s = nx_header(kNxController);
            w_.u16(a.max_len), w_.u16(a.controller_id), w_.u8(a.reason), w_.u8(0);
            return w_.finish(s);
        }
        size_t s = nx_header(kNxController2);
        w_.zeros(6);
        // Properties: type, length (without padding), value, padded to 8.
        auto prop = [&](uint16_t type, const uint8_t* p, size_t n) {
            size_t ps = w_.size();
            w_.u16(type), w_.u16(static_cast<uint16_t>(4 + n)), w_.bytes(p, n);
            w_.zeros((8 - (w_.size() - ps) % 8) % 8);
        };
        auto prop16 = [&](uint16_t type, uint16_t v) {  // 16-bit values get 2 bytes of padding, as OpenFlow does
            uint8_t b[4] = {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v), 0, 0};
            prop(type, b, 4);
        };
        if (a.max_len != UINT16_MAX) prop16(kNxac2ptMaxLen, a.max_len);
        if (a.controller_id) prop16(kNxac2ptControllerId, a.controller_id);
        if (a.reason != kOfprAction) prop(kNxac2ptReason, &a.reason, 1);
        if (!a.userdata.empty()) prop(kNxac2ptUserdata, a.userdata.data(), a.userdata.size());
        if (a.pause) prop(kNxac2ptPause, nullptr, 0);
        w_.finish(s);
    }
    void encode(const ActOutputReg& a) {
        MfWireHeader h = mf_wire_header(*a.src.field, 0);
        uint16_t ofs_nbits = static_cast<uint16_t>(a.src.ofs << 6 | (a.src.n_bits - 1));
        if (wire_header_len(h) == 8) {  // NXAST_OUTPUT_REG2 has room for an experimenter OXM
            size_t s = nx_header(kNxOutputReg2);
            w_.u16(ofs_nbits), w_.u16(a.max_len), header(h);
            if (w_.size() - s < 24) w_.zeros(24 - (w_.size() - s));
            return w_.finish(s);
        }
        size_t s = nx_header(kNxOutputReg);
        w_.u16(ofs_nbits), w_.u32(h.header), w_.u16(a.max_len), w_.zeros(6);
        w_.finish(s);
    }
    void encode(const ActEnqueue& a) {
        if (of10()) {
            w_.u16(11), w_.u16(16), w_.u16(a.port), w_.zeros(6), w_.u32(a.queue);
            return;
        }
        // No enqueue after 1.0: the queue is selected, used, and forgotten.
        std_u32(21, a.queue);
        output(a.port, UINT16_MAX);
        nx_void(kNxPopQueue);
    }
    void encode(const ActSetQueue& a) { of10() ? nx_u32(kNxSetQueue, a.queue) : std_u32(21, a.queue); }
    void encode(const ActPopQueue&) { nx_void(kNxPopQueue); }
    void encode(const ActPushVlan& a) {
        if (!of10()) push_vlan(a.tpid);  // 1.0: the push is part of mod_vlan_vid
    }
    void encode(const ActPopVlan&) { std_void(of10() ? 3 : 18); }
    void encode(const ActSetVlanVid& a) {
        if (!of10() && a.push_if_none && !state_.tag[0]) push_vlan(0x8100);
        if (version_ <= kOfp11) return set_vlan_vid(a.vid);
        set_field_whole(mf_field(MfId::VlanVid), mfv_from_u64(a.vid | kVlanCfi));
    }
    void encode(const ActSetVlanPcp& a) {
        if (!of10() && a.push_if_none && !state_.tag[0]) push_vlan(0x8100);
        if (version_ <= kOfp11) return set_vlan_pcp(a.pcp);
        set_field_whole(mf_field(MfId::VlanPcp), mfv_from_u64(a.pcp));
    }
    void encode(const ActSetEth& a) {
        if (version_ < kOfp12) return set_dl(a.dst, a.addr.data());
        MfValue v;
        std::memcpy(v.b + 10, a.addr.data(), 6);
        set_field_whole(mf_field(a.dst ? MfId::EthDst : MfId::EthSrc), v);
    }
    void encode(const ActSetIpv4& a) {
        uint8_t addr[4];
        std::memcpy(addr, &a.addr, 4);
        if (version_ < kOfp12) return set_nw(a.dst, addr);
        MfValue v;
        std::memcpy(v.b + 12, addr, 4);
        set_field_whole(mf_field(a.dst ? MfId::Ipv4Dst : MfId::Ipv4Src), v);
    }
    void encode(const ActSetIpDscp& a) {
        if (version_ < kOfp12) return set_nw_tos(a.tos);
        set_field_whole(mf_field(MfId::IpDscpOxm), mfv_from_u64(a.tos >> 2));
    }
    void encode(const ActSetIpEcn& a) { set_ecn(a.ecn); }
    void encode(const ActSetIpTtl& a) {
        if (of10()) return reg_load(mf_field(MfId::IpTtl), 0, 8, a.ttl);
        std_u8(23, a.ttl);
    }
    void encode(const ActSetTp& a) {
        // 1.2+ names the L4 protocol's field when the match says which one.
        MfId id;
        switch (state_.nw_proto) {
            case 6:
                id = a.dst ? MfId::TcpDst : MfId::TcpSrc;
                break;
            case 17:
                id = a.dst ? MfId::UdpDst : MfId::UdpSrc;
                break;
            case 132:
                id = a.dst ? MfId::SctpDst : MfId::SctpSrc;
                break;
            default:
                return set_tp(a.dst, a.port);
        }
        if (version_ < kOfp12) return set_tp(a.dst, a.port);
        set_field_whole(mf_field(id), mfv_from_u64(a.port));
    }
    void encode(const ActDecTtl& a) {
        if (a.controller_ids.empty()) return of10() ? nx_void(kNxDecTtl) : std_void(24);
        size_t s = nx_header(kNxDecTtlCntIds);
        w_.u16(static_cast<uint16_t>(a.controller_ids.size())), w_.zeros(4);
        for (uint16_t id : a.controller_ids) w_.u16(id);
        w_.finish(s);
    }
    void encode(const ActSetField& a);
    void encode(const ActRegMove& a) {
        size_t s;
        uint8_t hv;
        if (version_ >= kOfp15) {  // copy_field
            s = w_.size();
            w_.u16(28), w_.u16(0), w_.u16(a.dst.n_bits), w_.u16(a.src.ofs), w_.u16(a.dst.ofs), w_.zeros(2);
            hv = version_;
        } else {
            s = nx_header(kNxRegMove);
            w_.u16(a.dst.n_bits), w_.u16(a.src.ofs), w_.u16(a.dst.ofs);
            hv = 0;
        }
        header(mf_wire_header(*a.src.field, hv)), header(mf_wire_header(*a.dst.field, hv));
        w_.finish(s);
    }
    void encode(const ActResubmit& a) {
        if (a.table == 255) return nx_u16(kNxResubmit, a.in_port);
        resubmit_table(a.in_port, a.table);
    }
    void resubmit_table(OfPort in_port, uint8_t table) {
        size_t s = nx_header(kNxResubmitTable);
        w_.u16(in_port), w_.u8(table), w_.zeros(3);
        w_.finish(s);
    }
    // Instructions in 1.0 (only their extension forms exist there).
    void encode(const ActGotoTable& a) {
        if (of10()) resubmit_table(kOfppInPort, a.table);
    }
    void encode(const ActWriteMetadata& a) {
        if (!of10()) return;
        size_t s = nx_header(kNxWriteMetadata);
        w_.zeros(6), w_.u64(a.value), w_.u64(a.mask);
        w_.finish(s);
    }
    void encode(const ActClearActions&) {}
    void encode(const ActWriteActions&) {}
    void encode(const ActMeter& a) {
        if (version_ >= kOfp15) std_u32(29, a.meter_id);
    }
    void encode(const ActGroup& a) { of10() ? nx_u32(kNxGroup, a.group_id) : std_u32(22, a.group_id); }
    void encode(const ActNote& a) {  // padding becomes part of the note, as in Open vSwitch
        size_t s = nx_header(kNxNote);
        w_.bytes(a.data.data(), a.data.size());
        w_.finish(s);
    }
    void encode(const ActExit&) { nx_void(kNxExit); }
    void encode(const ActMultipath& a) {
        size_t s = nx_header(kNxMultipath);
        w_.u16(static_cast<uint16_t>(a.fields)), w_.u16(a.basis), w_.zeros(2);
        w_.u16(static_cast<uint16_t>(a.algorithm)), w_.u16(a.max_link), w_.u32(a.arg), w_.zeros(2);
        w_.u16(static_cast<uint16_t>(a.dst.ofs << 6 | (a.dst.n_bits - 1))), w_.u32(mf_wire_header(*a.dst.field, 0).header);
        w_.finish(s);
    }
    // The form it came in, or the first that can carry its fields.
    void encode(const ActSample& a) {
        bool v3 = a.raw == ActSample::kRawSample3 || a.direction != ActSample::kDefault;
        bool v2 = !v3 && (a.raw == ActSample::kRawSample2 || a.sampling_port != kOfppNone);
        size_t s = nx_header(v3 ? kNxSample3 : v2 ? kNxSample2 : kNxSample);
        w_.u16(a.probability), w_.u32(a.collector_set_id), w_.u32(a.obs_domain_id), w_.u32(a.obs_point_id);
        if (v2 || v3) w_.u16(a.sampling_port), w_.u8(v3 ? a.direction : 0), w_.zeros(5);
        w_.finish(s);
    }
    void encode(const ActConjunction& a) {
        size_t s = nx_header(kNxConjunction);
        w_.u8(a.clause), w_.u8(a.n_clauses), w_.u32(a.id);
        w_.finish(s);
    }
    void encode(const ActClone& a) {
        size_t s = nx_header(kNxClone);
        w_.zeros(6);
        FlowState saved = state_;  // what the clone does is undone after it
        actions(a.actions);
        state_ = saved;
        w_.finish(s);
    }
    void encode(const ActFinTimeout& a) {
        size_t s = nx_header(kNxFinTimeout);
        w_.u16(a.fin_idle_timeout), w_.u16(a.fin_hard_timeout), w_.zeros(2);
        w_.finish(s);
    }
    // The same bytes in every version (Open vSwitch's encode_LEARN()).
    void encode(const ActLearn& a) {
        bool learn2 = a.learn2 || a.limit || (a.flags & kLearnWriteResult);
        size_t s = nx_header(learn2 ? kNxLearn2 : kNxLearn);
        w_.u16(a.idle_timeout), w_.u16(a.hard_timeout), w_.u16(a.priority), w_.u64(a.cookie), w_.u16(a.flags);
        w_.u8(a.table_id), w_.u8(0), w_.u16(a.fin_idle_timeout), w_.u16(a.fin_hard_timeout);
        if (learn2) w_.u32(a.limit), w_.u16(a.result_dst.ofs), w_.u16(0);
        if (a.flags & kLearnWriteResult) header(mf_wire_header(*a.result_dst.field, 0));
        for (const LearnSpec& spec : a.specs) {
            bool imm = spec.src == LearnSpec::Src::Immediate;
            unsigned dst = spec.dst == LearnSpec::Dst::Match ? 0 : spec.dst == LearnSpec::Dst::Load ? 1 : 2;
            w_.u16(static_cast<uint16_t>(spec.n_bits | dst << 11 | (imm ? 0x2000 : 0)));
            if (!imm) {
                w_.u32(mf_wire_header(*spec.src_field.field, 0).header), w_.u16(spec.src_field.ofs);
            } else {
                // Whole 16-bit words, the value's bytes at their end.
                size_t n_words = (spec.n_bits + 15u) / 16, n_bytes = (spec.n_bits + 7u) / 8;
                w_.zeros(2 * n_words - n_bytes);
                w_.bytes(spec.src_imm.b + 16 - n_bytes, n_bytes);
            }
            if (dst != 2) w_.u32(mf_wire_header(*spec.dst_field.field, 0).header), w_.u16(spec.dst_field.ofs);
        }
        w_.finish(s);
    }

    // The legacy form of a whole-field set_field for 1.0 and 1.1.
    void set_field_legacy(const ActSetField& a);

    // ---- Instructions (1.1+) ----
    size_t inst_header(uint16_t type) {
        size_t s = w_.size();
        w_.u16(type), w_.u16(8), w_.zeros(4);
        return s;
    }
    // An instruction holding actions is left out when it holds none.
    void end_inst_with_actions(size_t start) {
        if (w_.size() == start + 8)
            w_.out.resize(start);
        else
            w_.put16_at(start + 2, static_cast<uint16_t>(w_.size() - start));
    }
    void instruction(const OfAction& a) {
        if (auto* m = std::get_if<ActMeter>(&a)) {
            if (version_ == kOfp13 || version_ == kOfp14) {
                w_.u16(kOfpitMeter), w_.u16(8), w_.u32(m->meter_id);
            }
        } else if (std::holds_alternative<ActClearActions>(a)) {
            inst_header(kOfpitClearActions);
        } else if (auto* wa = std::get_if<ActWriteActions>(&a)) {
            size_t s = inst_header(kOfpitWriteActions);
            FlowState saved = state_;  // the action set does not change what follows
            actions(wa->actions);
            state_ = saved;
            end_inst_with_actions(s);
        } else if (auto* md = std::get_if<ActWriteMetadata>(&a)) {
            w_.u16(kOfpitWriteMetadata), w_.u16(24), w_.zeros(4), w_.u64(md->value), w_.u64(md->mask);
        } else if (auto* g = std::get_if<ActGotoTable>(&a)) {
            w_.u16(kOfpitGotoTable), w_.u16(8), w_.u8(g->table), w_.zeros(3);
        }
    }

    // Follows the VLAN tags through the actions, as Open vSwitch's checks do.
    void track(const OfAction& a) {
        if (std::holds_alternative<ActSetVlanVid>(a) || std::holds_alternative<ActSetVlanPcp>(a)) {
            state_.tag[0] = true;
        } else if (std::holds_alternative<ActPopVlan>(a)) {
            state_.tag[0] = state_.tag[1], state_.tag[1] = false;
        } else if (std::holds_alternative<ActPushVlan>(a)) {
            state_.tag[1] = state_.tag[0], state_.tag[0] = true;
        } else if (auto* sf = std::get_if<ActSetField>(&a); sf && sf->field->id == MfId::VlanTci) {
            state_.tag[0] = mfv_bit(sf->value, 12);
        }
    }

    Writer w_;
    uint8_t version_;
    FlowState state_;
};

void Encoder::encode(const ActSetField& a) {
    const MfField& f = *a.field;
    if (version_ >= kOfp15) return set_field_wire(f, a.value, a.mask);  // 1.5 dropped reg_load
    if (a.load) return set_field_as_loads(f, a.value, a.mask);          // back the way it came
    if (version_ < kOfp12) return set_field_legacy(a);
    if (mfv_is_all_ones(a.mask, f)) return set_field_wire(f, a.value, a.mask);
    set_field_as_loads(f, a.value, a.mask);  // 1.2-1.4 set_field cannot be masked
}

void Encoder::set_field_legacy(const ActSetField& a) {
    const MfValue& v = a.value;
    const uint16_t u16 = static_cast<uint16_t>(v.b[14] << 8 | v.b[15]);
    switch (a.field->id) {
        case MfId::VlanTci: {
            // CFI set: give the tag this VID and PCP; clear: remove the tag.
            bool cfi = u16 & kVlanCfi;
            if (!cfi) return std_void(of10() ? 3 : 18);
            if (!of10() && !state_.tag[0]) push_vlan(0x8100);
            set_vlan_vid(u16 & kVlanVidMask);
            return set_vlan_pcp(static_cast<uint8_t>(u16 >> 13));
        }
        case MfId::VlanVid:
            return set_vlan_vid(u16 & kVlanVidMask);
        case MfId::VlanPcp:
            return set_vlan_pcp(v.b[15]);
        case MfId::EthSrc:
        case MfId::EthDst:
            return set_dl(a.field->id == MfId::EthDst, v.b + 10);
        case MfId::Ipv4Src:
        case MfId::Ipv4Dst:
            return set_nw(a.field->id == MfId::Ipv4Dst, v.b + 12);
        case MfId::IpDscp:
            return set_nw_tos(v.b[15]);
        case MfId::IpDscpOxm:
            return set_nw_tos(static_cast<uint8_t>(v.b[15] << 2));
        case MfId::IpEcn:
            return set_ecn(v.b[15]);
        case MfId::TcpSrc:
        case MfId::UdpSrc:
            return set_tp(false, u16);
        case MfId::TcpDst:
        case MfId::UdpDst:
            return set_tp(true, u16);
        default:
            return set_field_as_loads(*a.field, a.value, a.mask);
    }
}

}  // namespace

void ofpacts_put(std::vector<uint8_t>& out, const OfActions& actions, uint8_t version, const Match* match) {
    Encoder(out, version, match).actions(actions);
}

void ofpacts_put_instructions(std::vector<uint8_t>& out, const OfActions& actions, uint8_t version,
                              const Match* match) {
    Encoder(out, version, match).instructions(actions);
}

}  // namespace xvs::ofproto
