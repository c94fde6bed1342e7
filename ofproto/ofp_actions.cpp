// Decoding OpenFlow action lists and instruction sets (every version, with
// the Nicira and ONF extension actions Open vSwitch uses), and the helpers
// the encoder, checker and parser share (ofp_actions_internal.h).
#include "ofproto/ofp_actions.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

#include "ofproto/ofp_actions_internal.h"

namespace xvs::ofproto {

using namespace wire;

// ---- Shared helpers --------------------------------------------------------

namespace wire {

const MfField* mf_from_header(const MfWireHeader& h, bool* len_ok) {
    const MfField* f = mf_from_wire_header(h);
    if (f) {
        unsigned exp_len = nxm_class(h.header) == kOxmClassExperimenter ? 4 : 0;
        unsigned len = nxm_length(h.header);
        len = len < exp_len ? 0 : len - exp_len;
        if (nxm_hasmask(h.header)) len /= 2;
        *len_ok = len == f->n_bytes;
    }
    return f;
}

const char* inst_name(Inst i) {
    switch (i) {
        case Inst::Meter:
            return "meter";
        case Inst::Apply:
            return "apply_actions";
        case Inst::Clear:
            return "clear_actions";
        case Inst::WriteActions:
            return "write_actions";
        case Inst::WriteMetadata:
            return "write_metadata";
        case Inst::GotoTable:
            return "goto_table";
    }
    return "?";
}

Inst inst_of(const OfAction& a, uint8_t version) {
    if (std::holds_alternative<ActMeter>(a)) return version >= kOfp15 ? Inst::Apply : Inst::Meter;
    if (std::holds_alternative<ActClearActions>(a)) return Inst::Clear;
    if (std::holds_alternative<ActWriteActions>(a)) return Inst::WriteActions;
    if (std::holds_alternative<ActWriteMetadata>(a)) return Inst::WriteMetadata;
    if (std::holds_alternative<ActGotoTable>(a)) return Inst::GotoTable;
    return Inst::Apply;
}

std::optional<OfpErr> verify_order(const OfActions& actions, uint8_t version, unsigned allowed, std::string* msg) {
    // A clause of a conjunctive match carries nothing else (notes aside).
    if (std::any_of(actions.begin(), actions.end(),
                    [](const OfAction& a) { return std::holds_alternative<ActConjunction>(a); })) {
        for (const auto& a : actions) {
            if (std::holds_alternative<ActConjunction>(a) || std::holds_alternative<ActNote>(a)) continue;
            if (msg) {
                std::string text = format_of_actions({a});
                *msg = fmt::format(
                    "\"conjunction\" actions may be used along with \"note\" but not any other kind of action "
                    "(such as the \"{}\" action used here)",
                    text.substr(0, text.find_first_of(":(")));
            }
            return OfpErr::NXBAC_BAD_CONJUNCTION;
        }
        return std::nullopt;
    }
    Inst prev = Inst::Meter;
    bool first = true;
    for (const auto& a : actions) {
        Inst next = inst_of(a, version);
        // Actions may repeat within apply_actions; every instruction comes
        // once, in order.
        if (!first && (prev == Inst::Apply ? next < prev : next <= prev)) {
            if (msg) {
                *msg = next == prev ? fmt::format(
                                          "duplicate {} instruction not allowed, for OpenFlow 1.1+ "
                                          "compatibility",
                                          inst_name(prev))
                                    : fmt::format(
                                          "invalid instruction ordering: {} must appear before {}, for "
                                          "OpenFlow 1.1+ compatibility",
                                          inst_name(next), inst_name(prev));
            }
            return OfpErr::OFPBAC_UNSUPPORTED_ORDER;
        }
        if (!(allowed & (1u << static_cast<int>(next)))) {
            if (next == Inst::Meter && version >= kOfp15) {
                if (msg) *msg = "meter action not allowed here";
                return OfpErr::OFPBAC_BAD_TYPE;
            }
            if (msg) *msg = fmt::format("{} instruction not allowed here", inst_name(next));
            return OfpErr::OFPBIC_UNSUP_INST;
        }
        prev = next;
        first = false;
    }
    return std::nullopt;
}

bool allowed_in_action_set(const OfAction& a) {
    return std::visit(
        [](const auto& act) {
            using T = std::decay_t<decltype(act)>;
            if constexpr (std::is_same_v<T, ActController>) {
                return controller_is_simple(act);  // an OFPAT_OUTPUT to CONTROLLER
            } else {
                return std::is_same_v<T, ActOutput> || std::is_same_v<T, ActGroup> || std::is_same_v<T, ActResubmit> ||
                       std::is_same_v<T, ActPopVlan> || std::is_same_v<T, ActPushVlan> ||
                       std::is_same_v<T, ActDecTtl> || std::is_same_v<T, ActSetField> ||
                       std::is_same_v<T, ActRegMove> || std::is_same_v<T, ActSetEth> ||
                       std::is_same_v<T, ActSetIpDscp> || std::is_same_v<T, ActSetIpEcn> ||
                       std::is_same_v<T, ActSetIpTtl> || std::is_same_v<T, ActSetIpv4> || std::is_same_v<T, ActSetTp> ||
                       std::is_same_v<T, ActSetQueue> || std::is_same_v<T, ActSetVlanVid> ||
                       std::is_same_v<T, ActSetVlanPcp>;
            }
        },
        a.variant());
}

std::optional<OfpError> check_subfield(const MfSubfield& sf, bool is_dst, const Match* match) {
    const char* what = is_dst ? "destination" : "source";
    if (!sf.field) return OfpError{OfpErr::OFPBAC_BAD_SET_TYPE, fmt::format("unknown {} field", what)};
    const MfField& f = *sf.field;
    if (!sf.n_bits) return OfpError{OfpErr::OFPBAC_BAD_SET_LEN, fmt::format("zero bit {} field {}", what, f.name)};
    if (sf.ofs >= f.n_bits || sf.ofs + sf.n_bits > f.n_bits) {
        return OfpError{OfpErr::OFPBAC_BAD_SET_LEN, fmt::format("bit offset {} and width {} exceed {}-bit width of "
                                                                "{} field {}",
                                                                sf.ofs, sf.n_bits, f.n_bits, what, f.name)};
    }
    if (match && !mf_prereqs_ok(f, *match)) {
        return OfpError{OfpErr::OFPBAC_MATCH_INCONSISTENT,
                        fmt::format("{} field {} lacks correct prerequisites", what, f.name)};
    }
    if (is_dst && !f.writable) {
        return OfpError{OfpErr::OFPBAC_BAD_SET_ARGUMENT, fmt::format("destination field {} is not writable", f.name)};
    }
    return std::nullopt;
}

}  // namespace wire

namespace {

// ---- The wire forms ------------------------------------------------------------

// Every action form we decode, one per wire layout (Open vSwitch's "raw"
// action types).
// clang-format off
enum class Raw : uint8_t {
    Output10, Output11, SetVlanVid10, SetVlanPcp10, SetVlanVid11, SetVlanPcp11, PushVlan, StripVlan10, PopVlan11,
    SetDlSrc, SetDlDst, SetNwSrc, SetNwDst, SetNwTos, SetNwEcn11, SetTpSrc, SetTpDst, Enqueue10, SetQueue, Group,
    SetNwTtl11, DecNwTtl, DecTtlCntIds, SetField12, SetField15, RegLoad, RegLoad2, CopyField15, OnfCopyField13,
    RegMove, Meter15, Resubmit, ResubmitTable, PopQueue, Note, OutputReg, OutputReg2, Exit, Clone, Conjunction, Multipath, Sample, Sample2, Sample3, Controller, Controller2,
    WriteMetadata, Learn, Learn2, FinTimeout,
};
// clang-format on

struct RawInfo {
    uint32_t vendor;  // 0: standard action, else NX or ONF
    uint16_t type;    // action type, or the extension's subtype
    uint8_t vmin, vmax;
    Raw raw;
    uint16_t min_len;  // the exact length unless 'var'
    bool var;          // longer forms (multiples of 8) allowed
    uint8_t arg_ofs;   // offset of the single integer argument, if any
    const char* name;
};

constexpr uint8_t V10 = kOfp10, V11 = kOfp11, V12 = kOfp12, V13 = kOfp13, V14 = kOfp14, V15 = kOfp15;
constexpr uint32_t NX = kNxVendor, ONF = kOnfVendor;

// The layouts, from the OpenFlow specifications and Open vSwitch's
// lib/ofp-actions.c (which versions have which form).
// clang-format off
constexpr RawInfo kRaws[] = {
    {0, 0, V10, V10, Raw::Output10, 8, false, 0, "OFPAT_OUTPUT"},
    {0, 0, V11, V15, Raw::Output11, 16, false, 0, "OFPAT_OUTPUT"},
    {0, 1, V10, V10, Raw::SetVlanVid10, 8, false, 4, "OFPAT_SET_VLAN_VID"},
    {0, 2, V10, V10, Raw::SetVlanPcp10, 8, false, 4, "OFPAT_SET_VLAN_PCP"},
    {0, 1, V11, V15, Raw::SetVlanVid11, 8, false, 4, "OFPAT_SET_VLAN_VID"},
    {0, 2, V11, V15, Raw::SetVlanPcp11, 8, false, 4, "OFPAT_SET_VLAN_PCP"},
    {0, 17, V11, V15, Raw::PushVlan, 8, false, 4, "OFPAT_PUSH_VLAN"},
    {0, 3, V10, V10, Raw::StripVlan10, 8, false, 0, "OFPAT_STRIP_VLAN"},
    {0, 18, V11, V15, Raw::PopVlan11, 8, false, 0, "OFPAT_POP_VLAN"},
    {0, 4, V10, V10, Raw::SetDlSrc, 16, false, 0, "OFPAT_SET_DL_SRC"},
    {0, 3, V11, V15, Raw::SetDlSrc, 16, false, 0, "OFPAT_SET_DL_SRC"},
    {0, 5, V10, V10, Raw::SetDlDst, 16, false, 0, "OFPAT_SET_DL_DST"},
    {0, 4, V11, V15, Raw::SetDlDst, 16, false, 0, "OFPAT_SET_DL_DST"},
    {0, 6, V10, V10, Raw::SetNwSrc, 8, false, 4, "OFPAT_SET_NW_SRC"},
    {0, 5, V11, V15, Raw::SetNwSrc, 8, false, 4, "OFPAT_SET_NW_SRC"},
    {0, 7, V10, V10, Raw::SetNwDst, 8, false, 4, "OFPAT_SET_NW_DST"},
    {0, 6, V11, V15, Raw::SetNwDst, 8, false, 4, "OFPAT_SET_NW_DST"},
    {0, 8, V10, V10, Raw::SetNwTos, 8, false, 4, "OFPAT_SET_NW_TOS"},
    {0, 7, V11, V15, Raw::SetNwTos, 8, false, 4, "OFPAT_SET_NW_TOS"},
    {0, 8, V11, V15, Raw::SetNwEcn11, 8, false, 4, "OFPAT_SET_NW_ECN"},
    {0, 9, V10, V15, Raw::SetTpSrc, 8, false, 4, "OFPAT_SET_TP_SRC"},
    {0, 10, V10, V15, Raw::SetTpDst, 8, false, 4, "OFPAT_SET_TP_DST"},
    {0, 11, V10, V10, Raw::Enqueue10, 16, false, 0, "OFPAT_ENQUEUE"},
    {NX, 4, V10, V10, Raw::SetQueue, 16, false, 12, "NXAST_SET_QUEUE"},
    {0, 21, V11, V15, Raw::SetQueue, 8, false, 4, "OFPAT_SET_QUEUE"},
    {NX, 40, V10, V10, Raw::Group, 16, false, 12, "NXAST_GROUP"},
    {0, 22, V11, V15, Raw::Group, 8, false, 4, "OFPAT_GROUP"},
    {0, 23, V11, V15, Raw::SetNwTtl11, 8, false, 4, "OFPAT_SET_NW_TTL"},
    {NX, 18, V10, V10, Raw::DecNwTtl, 16, false, 0, "NXAST_DEC_TTL"},
    {0, 24, V11, V15, Raw::DecNwTtl, 8, false, 0, "OFPAT_DEC_NW_TTL"},
    {NX, 21, V10, V15, Raw::DecTtlCntIds, 16, true, 0, "NXAST_DEC_TTL_CNT_IDS"},
    {0, 25, V12, V14, Raw::SetField12, 8, true, 0, "OFPAT_SET_FIELD"},
    {0, 25, V15, V15, Raw::SetField15, 8, true, 0, "OFPAT_SET_FIELD"},
    {NX, 7, V10, V14, Raw::RegLoad, 24, false, 0, "NXAST_REG_LOAD"},
    {NX, 33, V10, V14, Raw::RegLoad2, 16, true, 0, "NXAST_REG_LOAD2"},
    {0, 28, V15, V15, Raw::CopyField15, 16, true, 0, "OFPAT_COPY_FIELD"},
    {ONF, 3200, V13, V14, Raw::OnfCopyField13, 24, true, 0, "ONFACT_COPY_FIELD"},
    {NX, 6, V10, V14, Raw::RegMove, 16, true, 0, "NXAST_REG_MOVE"},
    {0, 29, V15, V15, Raw::Meter15, 8, false, 4, "OFPAT_METER"},
    {NX, 1, V10, V15, Raw::Resubmit, 16, false, 10, "NXAST_RESUBMIT"},
    {NX, 14, V10, V15, Raw::ResubmitTable, 16, false, 0, "NXAST_RESUBMIT_TABLE"},
    {NX, 5, V10, V15, Raw::PopQueue, 16, false, 0, "NXAST_POP_QUEUE"},
    {NX, 8, V10, V15, Raw::Note, 16, true, 0, "NXAST_NOTE"},
    {NX, 15, V10, V15, Raw::OutputReg, 24, false, 0, "NXAST_OUTPUT_REG"},
    {NX, 32, V10, V15, Raw::OutputReg2, 24, false, 0, "NXAST_OUTPUT_REG2"},
    {NX, 17, V10, V15, Raw::Exit, 16, false, 0, "NXAST_EXIT"},
    {NX, 20, V10, V15, Raw::Controller, 16, false, 0, "NXAST_CONTROLLER"},
    {NX, 37, V10, V15, Raw::Controller2, 16, true, 0, "NXAST_CONTROLLER2"},
    {NX, 22, V10, V15, Raw::WriteMetadata, 32, false, 0, "NXAST_WRITE_METADATA"},
    {NX, 16, V10, V15, Raw::Learn, 32, true, 0, "NXAST_LEARN"},
    {NX, 45, V10, V15, Raw::Learn2, 40, true, 0, "NXAST_LEARN2"},
    {NX, 19, V10, V15, Raw::FinTimeout, 16, false, 0, "NXAST_FIN_TIMEOUT"},
    {NX, 42, V10, V15, Raw::Clone, 16, true, 0, "NXAST_CLONE"},
    {NX, 34, V10, V15, Raw::Conjunction, 16, false, 0, "NXAST_CONJUNCTION"},
    {NX, 10, V10, V15, Raw::Multipath, 32, false, 0, "NXAST_MULTIPATH"},
    {NX, 29, V10, V15, Raw::Sample, 24, false, 0, "NXAST_SAMPLE"},
    {NX, 38, V10, V15, Raw::Sample2, 32, false, 0, "NXAST_SAMPLE2"},
    {NX, 41, V10, V15, Raw::Sample3, 32, false, 0, "NXAST_SAMPLE3"},
};
// clang-format on

const RawInfo* find_raw(uint32_t vendor, uint16_t type, uint8_t version) {
    for (const auto& r : kRaws)
        if (r.vendor == vendor && r.type == type && version >= r.vmin && version <= r.vmax) return &r;
    return nullptr;
}

// Actions Open vSwitch has that we refuse, by wire identity, so that the
// error detail names them (the error is the one for an unknown action).
const char* unsupported_name(uint32_t vendor, uint16_t type, uint8_t version) {
    struct Known {
        uint32_t vendor;
        uint16_t type;
        uint8_t vmin, vmax;
        const char* name;
    };
    // clang-format off
    static constexpr Known kKnown[] = {
        {0, 13, V11, V15, "OFPAT_SET_MPLS_LABEL"}, {0, 14, V11, V15, "OFPAT_SET_MPLS_TC"},
        {0, 15, V11, V15, "OFPAT_SET_MPLS_TTL"},   {0, 16, V11, V15, "OFPAT_DEC_MPLS_TTL"},
        {0, 19, V11, V15, "OFPAT_PUSH_MPLS"},      {0, 20, V11, V15, "OFPAT_POP_MPLS"},
        {0, 11, V11, V15, "OFPAT_COPY_TTL_OUT"},   {0, 12, V11, V15, "OFPAT_COPY_TTL_IN"},
        {0, 26, V13, V15, "OFPAT_PUSH_PBB"},       {0, 27, V13, V15, "OFPAT_POP_PBB"},
        {NX, 30, V10, V10, "NXAST_SET_MPLS_LABEL"}, {NX, 31, V10, V10, "NXAST_SET_MPLS_TC"},
        {NX, 25, V10, V10, "NXAST_SET_MPLS_TTL"},  {NX, 26, V10, V10, "NXAST_DEC_MPLS_TTL"},
        {NX, 23, V10, V10, "NXAST_PUSH_MPLS"},     {NX, 24, V10, V10, "NXAST_POP_MPLS"},
        {NX, 2, V10, V15, "NXAST_SET_TUNNEL"},     {NX, 9, V10, V15, "NXAST_SET_TUNNEL64"},
        {NX, 12, V10, V15, "NXAST_BUNDLE"},        {NX, 13, V10, V15, "NXAST_BUNDLE_LOAD"},
        {NX, 27, V10, V15, "NXAST_STACK_PUSH"},    {NX, 28, V10, V15, "NXAST_STACK_POP"},
        {NX, 51, V10, V15, "NXAST_SAMPLE4"},
        {NX, 35, V10, V15, "NXAST_CT"},            {NX, 36, V10, V15, "NXAST_NAT"},
        {NX, 39, V10, V15, "NXAST_OUTPUT_TRUNC"},
        {NX, 43, V10, V15, "NXAST_CT_CLEAR"},      {NX, 44, V10, V15, "NXAST_RESUBMIT_TABLE_CT"},
        {NX, 46, V13, V15, "NXAST_ENCAP"},         {NX, 47, V13, V15, "NXAST_DECAP"},
        {NX, 48, V13, V15, "NXAST_DEC_NSH_TTL"},   {NX, 49, V10, V15, "NXAST_CHECK_PKT_LARGER"},
        {NX, 50, V10, V15, "NXAST_DELETE_FIELD"},  {NX, 254, V10, V15, "NXAST_DEBUG_SLOW"},
        {NX, 255, V10, V15, "NXAST_DEBUG_RECIRC"},
    };
    // clang-format on
    for (const auto& k : kKnown)
        if (k.vendor == vendor && k.type == type && version >= k.vmin && version <= k.vmax) return k.name;
    return nullptr;
}

OfpError fail(OfpErr e, std::string detail) {
    return OfpError{e, std::move(detail)};
}

// (ofs << 6) | (n_bits - 1), as NXAST_REG_LOAD and OUTPUT_REG carry a subfield.
void decode_ofs_nbits(uint16_t x, MfSubfield* sf) {
    sf->ofs = x >> 6;
    sf->n_bits = static_cast<uint16_t>((x & 0x3f) + 1);
}

// Reads the 4-byte NXM/OXM header at *pos, or 8 bytes for an experimenter OXM.
std::optional<OfpError> read_header(std::span<const uint8_t> a, size_t* pos, MfWireHeader* h) {
    if (a.size() - *pos < 4) return fail(OfpErr::OFPBMC_BAD_LEN, "truncated field header");
    *h = MfWireHeader{.header = get32(a, *pos)};
    if (nxm_class(h->header) == kOxmClassExperimenter) {
        if (a.size() - *pos < 8 || nxm_length(h->header) < 4)
            return fail(OfpErr::OFPBMC_BAD_LEN, "truncated experimenter field header");
        h->experimenter = get32(a, *pos + 4);
    }
    *pos += wire_header_len(*h);
    return std::nullopt;
}

// An NXM/OXM header naming the field of a move or output_reg2, with Open
// vSwitch's match-style errors (nx_pull_header()).
std::optional<OfpError> pull_field_header(std::span<const uint8_t> a, size_t* pos, const MfField** out) {
    MfWireHeader h;
    if (auto e = read_header(a, pos, &h)) return e;
    bool len_ok = false;
    const MfField* f = mf_from_header(h, &len_ok);
    if (!f || !len_ok) return fail(OfpErr::OFPBMC_BAD_FIELD, fmt::format("unknown field header {:#010x}", h.header));
    if (nxm_hasmask(h.header)) return fail(OfpErr::OFPBMC_BAD_MASK, fmt::format("masked header for {}", f->name));
    *out = f;
    return std::nullopt;
}

// An NXM/OXM header, value and optional mask, as set_field and reg_load2
// carry them (nx_pull_entry() for actions).
std::optional<OfpError> pull_field_entry(std::span<const uint8_t> a, size_t* pos, bool allow_mask, const MfField** out,
                                         MfValue* value, MfValue* mask) {
    MfWireHeader h;
    if (auto e = read_header(a, pos, &h)) return e;
    bool len_ok = false;
    const MfField* f = mf_from_header(h, &len_ok);
    if (!f) return fail(OfpErr::OFPBAC_BAD_SET_TYPE, fmt::format("unknown field header {:#010x}", h.header));
    if (!len_ok)
        return fail(OfpErr::OFPBAC_BAD_SET_LEN, fmt::format("bad length in header {:#010x} for {}", h.header, f->name));
    size_t payload = nxm_length(h.header) - (wire_header_len(h) - 4);
    if (a.size() - *pos < payload) return fail(OfpErr::OFPBMC_BAD_LEN, fmt::format("truncated value of {}", f->name));
    const uint8_t* v = a.data() + *pos;
    const uint8_t* m = nxm_hasmask(h.header) ? v + f->n_bytes : nullptr;
    *pos += payload;
    if (m) {
        for (unsigned i = 0; i < f->n_bytes; i++)
            if (v[i] & ~m[i])
                return fail(OfpErr::OFPBMC_BAD_WILDCARDS, fmt::format("value of {} outside its mask", f->name));
        if (!allow_mask) return fail(OfpErr::OFPBMC_BAD_MASK, fmt::format("masked {} not allowed here", f->name));
    }
    *value = MfValue{};
    std::memcpy(value->b + 16 - f->n_bytes, v, f->n_bytes);
    if (m) {
        *mask = MfValue{};
        std::memcpy(mask->b + 16 - f->n_bytes, m, f->n_bytes);
    } else {
        *mask = mfv_all_ones(*f);
    }
    *out = f;
    return std::nullopt;
}

// The field of a 32-bit header in NXAST_REG_LOAD / OUTPUT_REG (which have no
// room for an experimenter OXM): OFPBAC_BAD_SET_TYPE when unknown.
std::optional<OfpError> field_of_nxm(uint32_t header, const MfField** out) {
    bool len_ok = false;
    const MfField* f = nxm_class(header) == kOxmClassExperimenter ? nullptr : mf_from_header({header, 0}, &len_ok);
    if (!f || !len_ok) return fail(OfpErr::OFPBAC_BAD_SET_TYPE, fmt::format("unknown field header {:#010x}", header));
    *out = f;
    return std::nullopt;
}

class Decoder {
public:
    explicit Decoder(uint8_t version) : version_(version) {}

    // Decodes the actions of 'in' (a list with no instruction structure),
    // appending to *out.
    std::optional<OfpError> list(std::span<const uint8_t> in, OfActions* out) {
        size_t ofs = 0;
        while (ofs < in.size()) {
            size_t len = 0;
            if (auto e = one(in.subspan(ofs), out, &len)) {
                e->detail = fmt::format("bad action at offset {}: {}", ofs, e->detail);
                return e;
            }
            ofs += len;
        }
        return std::nullopt;
    }

private:
    std::optional<OfpError> one(std::span<const uint8_t> rest, OfActions* out, size_t* len_out) {
        if (rest.size() < 8) return fail(OfpErr::OFPBAC_BAD_LEN, "action shorter than 8 bytes");
        uint16_t type = get16(rest, 0);
        uint32_t vendor = 0;
        if (type == kOfpatVendor) {
            vendor = get32(rest, 4);
            if (vendor != kNxVendor && vendor != kOnfVendor)
                return fail(OfpErr::OFPBAC_BAD_VENDOR, fmt::format("unknown vendor {:#x}", vendor));
            if (rest.size() < 16) return fail(OfpErr::OFPBAC_BAD_LEN, "extension action shorter than 16 bytes");
            type = get16(rest, 8);
        }
        const RawInfo* info = find_raw(vendor, type, version_);
        if (!info) {
            const char* known = unsupported_name(vendor, type, version_);
            std::string what = known ? fmt::format("{} is not supported", known)
                                     : fmt::format("unknown action for vendor {:#x} and type {}", vendor, type);
            return fail(vendor ? OfpErr::OFPBAC_BAD_VENDOR_TYPE : OfpErr::OFPBAC_BAD_TYPE, what);
        }
        uint16_t len = get16(rest, 2);
        if (len > rest.size())
            return fail(OfpErr::OFPBAC_BAD_LEN,
                        fmt::format("{} length {} exceeds action buffer length {}", info->name, len, rest.size()));
        uint16_t max_len = info->var ? kMaxActionLen : info->min_len;
        if (len < info->min_len || len > max_len)
            return fail(OfpErr::OFPBAC_BAD_LEN, fmt::format("{} length {} not in valid range [{},{}]", info->name, len,
                                                            info->min_len, max_len));
        if (len % kActionAlign)
            return fail(OfpErr::OFPBAC_BAD_LEN, fmt::format("{} length {} is not a multiple of 8", info->name, len));
        *len_out = len;
        auto e = decode(*info, rest.first(len), out);
        if (e) e->detail = fmt::format("{}: {}", info->name, e->detail);
        return e;
    }

    std::optional<OfpError> decode(const RawInfo& info, std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> output(OfPort port, uint16_t max_len, OfActions* out);
    std::optional<OfpError> set_field(std::span<const uint8_t> a, bool may_mask, OfActions* out);
    std::optional<OfpError> reg_load(std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> reg_load2(std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> reg_move(std::span<const uint8_t> a, size_t n_bits_ofs, size_t hdr_ofs, OfActions* out);
    std::optional<OfpError> output_reg(std::span<const uint8_t> a, bool reg2, OfActions* out);
    std::optional<OfpError> multipath(std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> sample(std::span<const uint8_t> a, Raw raw, OfActions* out);
    std::optional<OfpError> dec_ttl_cnt_ids(std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> controller2(std::span<const uint8_t> a, OfActions* out);
    std::optional<OfpError> learn(std::span<const uint8_t> a, bool learn2, OfActions* out);
    std::optional<OfpError> learn_specs(std::span<const uint8_t> a, size_t pos, ActLearn* l);

    uint8_t version_;
};

std::optional<OfpError> Decoder::output(OfPort port, uint16_t max_len, OfActions* out) {
    if (!output_port_ok(port, kOfppMax))
        return fail(OfpErr::OFPBAC_BAD_OUT_PORT, fmt::format("{} is not a valid output port", port));
    // Output to CONTROLLER is a packet-in like controller(...), in its simple form.
    if (port == kOfppController)
        out->push_back(ActController{.max_len = max_len});
    else
        out->push_back(ActOutput{.port = port, .max_len = max_len});
    return std::nullopt;
}

std::optional<OfpError> Decoder::decode(const RawInfo& info, std::span<const uint8_t> a, OfActions* out) {
    // The single integer argument of the simple layouts, read at each
    // width: each case takes the one its layout has.
    const uint8_t u8 = a[info.arg_ofs];
    const uint16_t u16 = info.arg_ofs ? get16(a, info.arg_ofs) : 0;
    const uint32_t u32 = info.arg_ofs && a.size() >= info.arg_ofs + 4u ? get32(a, info.arg_ofs) : 0;
    switch (info.raw) {
        case Raw::Output10:
            return output(get16(a, 4), get16(a, 6), out);
        case Raw::Output11: {
            OfPort port;
            if (!port_from_ofp11(get32(a, 4), &port))
                return fail(OfpErr::OFPBAC_BAD_OUT_PORT,
                            fmt::format("port {} is outside the supported range", get32(a, 4)));
            return output(port, get16(a, 8), out);
        }
        case Raw::SetVlanVid10:
        case Raw::SetVlanVid11:
            if (u16 & ~kVlanVidMask) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad VLAN VID {}", u16));
            // 1.0's form pushes a tag when there is none; 1.1's does not.
            out->push_back(ActSetVlanVid{.vid = u16, .push_if_none = info.raw == Raw::SetVlanVid10});
            return std::nullopt;
        case Raw::SetVlanPcp10:
        case Raw::SetVlanPcp11:
            if (u8 & ~7) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad VLAN PCP {}", u8));
            out->push_back(ActSetVlanPcp{.pcp = u8, .push_if_none = info.raw == Raw::SetVlanPcp10});
            return std::nullopt;
        case Raw::PushVlan:
            if (u16 != 0x8100 && u16 != 0x88a8)
                return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad VLAN ethertype {:#06x}", u16));
            out->push_back(ActPushVlan{.tpid = u16});
            return std::nullopt;
        case Raw::StripVlan10:
            out->push_back(ActPopVlan{.strip_vlan = true});
            return std::nullopt;
        case Raw::PopVlan11:
            out->push_back(ActPopVlan{.strip_vlan = false});
            return std::nullopt;
        case Raw::SetDlSrc:
        case Raw::SetDlDst: {
            ActSetEth e{.dst = info.raw == Raw::SetDlDst};
            std::memcpy(e.addr.data(), a.data() + 4, 6);
            out->push_back(e);
            return std::nullopt;
        }
        case Raw::SetNwSrc:
        case Raw::SetNwDst: {
            ActSetIpv4 s{.dst = info.raw == Raw::SetNwDst};
            std::memcpy(&s.addr, a.data() + 4, 4);  // stays in network order
            out->push_back(s);
            return std::nullopt;
        }
        case Raw::SetNwTos:
            if (u8 & 0x03) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad TOS {}", u8));
            out->push_back(ActSetIpDscp{.tos = u8});
            return std::nullopt;
        case Raw::SetNwEcn11:
            if (u8 & ~3) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad ECN {}", u8));
            out->push_back(ActSetIpEcn{.ecn = u8});
            return std::nullopt;
        case Raw::SetTpSrc:
        case Raw::SetTpDst:
            out->push_back(ActSetTp{.dst = info.raw == Raw::SetTpDst, .port = u16});
            return std::nullopt;
        case Raw::Enqueue10: {
            OfPort port = get16(a, 4);
            if (port >= kOfppMax && port != kOfppInPort && port != kOfppLocal)
                return fail(OfpErr::OFPBAC_BAD_OUT_PORT, fmt::format("{} is not a valid enqueue port", port));
            out->push_back(ActEnqueue{.port = port, .queue = get32(a, 12)});
            return std::nullopt;
        }
        case Raw::SetQueue:
            out->push_back(ActSetQueue{.queue = u32});
            return std::nullopt;
        case Raw::Group:
            out->push_back(ActGroup{.group_id = u32});
            return std::nullopt;
        case Raw::SetNwTtl11:
            out->push_back(ActSetIpTtl{.ttl = u8});
            return std::nullopt;
        case Raw::DecNwTtl:
            out->push_back(ActDecTtl{});
            return std::nullopt;
        case Raw::DecTtlCntIds:
            return dec_ttl_cnt_ids(a, out);
        case Raw::SetField12:
            return set_field(a, false, out);
        case Raw::SetField15:
            return set_field(a, true, out);
        case Raw::RegLoad:
            return reg_load(a, out);
        case Raw::RegLoad2:
            return reg_load2(a, out);
        case Raw::CopyField15:
            return reg_move(a, 4, 12, out);
        case Raw::OnfCopyField13:
            return reg_move(a, 12, 20, out);
        case Raw::RegMove:
            return reg_move(a, 10, 16, out);
        case Raw::Meter15:
            out->push_back(ActMeter{.meter_id = u32});
            return std::nullopt;
        case Raw::Resubmit:
            out->push_back(ActResubmit{.in_port = u16, .table = 255});
            return std::nullopt;
        case Raw::ResubmitTable:
            if (!all_zero(a.subspan(13, 3))) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "nonzero pad");
            out->push_back(ActResubmit{.in_port = get16(a, 10), .table = a[12]});
            return std::nullopt;
        case Raw::PopQueue:
            out->push_back(ActPopQueue{});
            return std::nullopt;
        case Raw::Note: {
            // The note is every byte after the subtype, padding included.
            auto data = a.subspan(10);
            out->push_back(ActNote{.data = {data.begin(), data.end()}});
            return std::nullopt;
        }
        case Raw::OutputReg:
            return output_reg(a, false, out);
        case Raw::OutputReg2:
            return output_reg(a, true, out);
        case Raw::Clone: {
            // The nested actions follow the 16-byte header.
            ActClone c;
            if (auto e = list(a.subspan(16), &c.actions)) return e;
            out->push_back(std::move(c));
            return std::nullopt;
        }
        case Raw::Exit:
            out->push_back(ActExit{});
            return std::nullopt;
        case Raw::Multipath:
            return multipath(a, out);
        case Raw::Sample:
        case Raw::Sample2:
        case Raw::Sample3:
            return sample(a, info.raw, out);
        case Raw::Conjunction: {
            uint8_t clause = a[10], n_clauses = a[11];
            if (n_clauses < 2 || n_clauses > 64 || clause >= n_clauses)
                return fail(OfpErr::NXBAC_BAD_CONJUNCTION,
                            fmt::format("conjunction clause {} of {}", clause + 1, n_clauses));
            out->push_back(ActConjunction{.id = get32(a, 12), .clause = clause, .n_clauses = n_clauses});
            return std::nullopt;
        }
        case Raw::Controller:
            out->push_back(ActController{.max_len = get16(a, 10), .controller_id = get16(a, 12), .reason = a[14]});
            return std::nullopt;
        case Raw::Controller2:
            return controller2(a, out);
        case Raw::WriteMetadata:
            if (!all_zero(a.subspan(10, 6))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
            out->push_back(ActWriteMetadata{.value = get64(a, 16), .mask = get64(a, 24)});
            return std::nullopt;
        case Raw::Learn:
        case Raw::Learn2:
            return learn(a, info.raw == Raw::Learn2, out);
        case Raw::FinTimeout:  // Open vSwitch ignores the pad
            out->push_back(ActFinTimeout{.fin_idle_timeout = get16(a, 10), .fin_hard_timeout = get16(a, 12)});
            return std::nullopt;
    }
    return fail(OfpErr::OFPBAC_BAD_TYPE, "unhandled action");
}

std::optional<OfpError> Decoder::set_field(std::span<const uint8_t> a, bool may_mask, OfActions* out) {
    size_t pos = 4;
    ActSetField sf;
    if (auto e = pull_field_entry(a, &pos, may_mask, &sf.field, &sf.value, &sf.mask)) {
        if (e->err == OfpErr::OFPBMC_BAD_MASK) e->err = OfpErr::OFPBAC_BAD_SET_MASK;
        return e;
    }
    const MfField& f = *sf.field;
    if (!all_zero(a.subspan(pos))) return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, "nonzero bytes after the field");
    // OpenFlow forbids setting OXM in_port with set_field.
    if (f.id == MfId::InPortOxm) return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, "in_port may not be set");
    if (!f.writable) return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, fmt::format("field {} is not writable", f.name));
    // OpenFlow 1.5: "In an OXM_OF_VLAN_VID set-field action, the
    // OFPVID_PRESENT bit must be a 1-bit in oxm_value and in oxm_mask."
    bool vid_present = !(f.id == MfId::VlanVid) || (mfv_bit(sf.value, 12) && mfv_bit(sf.mask, 12));
    if (!mf_is_value_valid(f, sf.value) || !vid_present)
        return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, fmt::format("invalid value for set field {}", f.name));
    out->push_back(std::move(sf));
    return std::nullopt;
}

std::optional<OfpError> Decoder::reg_load(std::span<const uint8_t> a, OfActions* out) {
    MfSubfield dst;
    decode_ofs_nbits(get16(a, 10), &dst);
    if (auto e = field_of_nxm(get32(a, 12), &dst.field)) return e;
    if (auto e = check_subfield(dst, true, nullptr)) return e;
    uint64_t value = get64(a, 16);
    if (dst.n_bits < 64 && value >> dst.n_bits)
        return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("value {:#x} does not fit in {} bits", value, dst.n_bits));
    ActSetField sf{.field = dst.field, .load = true};
    mfv_put_bits(sf.value, dst.ofs, dst.n_bits, value);
    mfv_put_bits(sf.mask, dst.ofs, dst.n_bits, UINT64_MAX);
    out->push_back(std::move(sf));
    return std::nullopt;
}

std::optional<OfpError> Decoder::reg_load2(std::span<const uint8_t> a, OfActions* out) {
    size_t pos = 10;
    ActSetField sf;
    if (auto e = pull_field_entry(a, &pos, true, &sf.field, &sf.value, &sf.mask)) return e;
    if (!all_zero(a.subspan(pos))) return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, "nonzero bytes after the field");
    if (!sf.field->writable)
        return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT, fmt::format("field {} is not writable", sf.field->name));
    out->push_back(std::move(sf));  // prints as set_field, as Open vSwitch prints it
    return std::nullopt;
}

// NXAST_REG_MOVE, OpenFlow 1.5 copy_field and the ONF 1.3 extension share
// this: n_bits, src_ofs, dst_ofs at 'n_bits_ofs', then two field headers.
std::optional<OfpError> Decoder::reg_move(std::span<const uint8_t> a, size_t n_bits_ofs, size_t hdr_ofs,
                                          OfActions* out) {
    ActRegMove mv;
    mv.src.n_bits = mv.dst.n_bits = get16(a, n_bits_ofs);
    mv.src.ofs = get16(a, n_bits_ofs + 2);
    mv.dst.ofs = get16(a, n_bits_ofs + 4);
    size_t pos = hdr_ofs;
    if (auto e = pull_field_header(a, &pos, &mv.src.field)) return e;
    if (auto e = pull_field_header(a, &pos, &mv.dst.field)) return e;
    if (!all_zero(a.subspan(pos))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
    if (auto e = check_subfield(mv.src, false, nullptr)) return e;
    if (auto e = check_subfield(mv.dst, true, nullptr)) return e;
    out->push_back(mv);
    return std::nullopt;
}

std::optional<OfpError> Decoder::output_reg(std::span<const uint8_t> a, bool reg2, OfActions* out) {
    ActOutputReg o;
    decode_ofs_nbits(get16(a, 10), &o.src);
    if (!reg2) {
        if (!all_zero(a.subspan(18, 6))) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "nonzero reserved bytes");
        o.max_len = get16(a, 16);
        if (auto e = field_of_nxm(get32(a, 12), &o.src.field)) return e;
    } else {
        o.max_len = get16(a, 12);
        size_t pos = 14;
        if (auto e = pull_field_header(a, &pos, &o.src.field)) return e;
        if (!all_zero(a.subspan(pos))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
    }
    if (auto e = check_subfield(o.src, false, nullptr)) return e;
    out->push_back(o);
    return std::nullopt;
}

// Open vSwitch checks neither pad here.
std::optional<OfpError> Decoder::multipath(std::span<const uint8_t> a, OfActions* out) {
    ActMultipath m;
    uint16_t fields = get16(a, 10), algorithm = get16(a, 16);
    m.basis = get16(a, 12);
    m.max_link = get16(a, 18);
    m.arg = get32(a, 20);
    decode_ofs_nbits(get16(a, 26), &m.dst);
    if (auto e = field_of_nxm(get32(a, 28), &m.dst.field)) return e;
    m.fields = static_cast<HashFields>(fields);
    m.algorithm = static_cast<MpAlgorithm>(algorithm);
    if (!hash_fields_name(m.fields)) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("unsupported fields {}", fields));
    if (!mp_algorithm_name(m.algorithm))
        return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("unsupported algorithm {}", algorithm));
    uint32_t n_links = uint32_t{m.max_link} + 1;
    unsigned min_bits = 0;
    while ((uint64_t{1} << min_bits) < n_links) min_bits++;
    if (m.dst.n_bits < min_bits)
        return fail(OfpErr::OFPBAC_BAD_ARGUMENT,
                    fmt::format("multipath action requires at least {} bits for {} links", min_bits, n_links));
    if (auto e = check_subfield(m.dst, true, nullptr)) return e;
    out->push_back(m);
    return std::nullopt;
}

// As Open vSwitch: probability 0 is a bad argument; SAMPLE3 alone checks
// its pad and direction (SAMPLE2 ignores both).
std::optional<OfpError> Decoder::sample(std::span<const uint8_t> a, Raw raw, OfActions* out) {
    ActSample s;
    s.raw = raw == Raw::Sample ? ActSample::kRawSample : raw == Raw::Sample2 ? ActSample::kRawSample2 : ActSample::kRawSample3;
    s.probability = get16(a, 10);
    s.collector_set_id = get32(a, 12);
    s.obs_domain_id = get32(a, 16);
    s.obs_point_id = get32(a, 20);
    if (raw != Raw::Sample) s.sampling_port = get16(a, 24);
    if (raw == Raw::Sample3) {
        if (!all_zero(a.subspan(27, 5))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
        s.direction = a[26];
        if (s.direction > ActSample::kEgress)
            return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("invalid sample direction {}", s.direction));
    }
    if (s.probability == 0) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "sample probability 0");
    out->push_back(s);
    return std::nullopt;
}

std::optional<OfpError> Decoder::dec_ttl_cnt_ids(std::span<const uint8_t> a, OfActions* out) {
    uint16_t n = get16(a, 10);
    if (!all_zero(a.subspan(12, 4))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
    if (a.size() - 16 < 2u * n)
        return fail(OfpErr::OFPBAC_BAD_LEN, fmt::format("{} bytes cannot hold {} controller ids", a.size() - 16, n));
    // An empty list would tell no controller about an expired TTL, which
    // ActDecTtl cannot say (empty there means controller 0).
    if (!n) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "no controller ids");
    ActDecTtl d;
    for (unsigned i = 0; i < n; i++) d.controller_ids.push_back(get16(a, 16 + 2 * i));
    out->push_back(std::move(d));
    return std::nullopt;
}

// NXAST_CONTROLLER2: an extension header, then OpenFlow properties.
std::optional<OfpError> Decoder::controller2(std::span<const uint8_t> a, OfActions* out) {
    if (!all_zero(a.subspan(10, 6))) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
    ActController c;  // defaults: all of the packet, controller 0, reason action
    size_t pos = 16;
    while (pos < a.size()) {
        size_t left = a.size() - pos;
        if (left < 4) return fail(OfpErr::OFPBAC_BAD_LEN, "truncated property");
        uint16_t type = get16(a, pos), len = get16(a, pos + 2);
        size_t padded = (len + 7u) / 8 * 8;
        if (len < 4 || padded > left) return fail(OfpErr::OFPBAC_BAD_LEN, fmt::format("bad property length {}", len));
        auto payload = a.subspan(pos + 4, len - 4u);
        switch (type) {
            case kNxac2ptMaxLen:
            case kNxac2ptControllerId:
                if (payload.size() < 2) return fail(OfpErr::OFPBAC_BAD_LEN, "short property");
                (type == kNxac2ptMaxLen ? c.max_len : c.controller_id) = get16(payload, 0);
                break;
            case kNxac2ptReason:
                if (payload.empty()) return fail(OfpErr::OFPBAC_BAD_LEN, "short property");
                c.reason = payload[0];
                break;
            case kNxac2ptUserdata:
                c.userdata.assign(payload.begin(), payload.end());
                break;
            case kNxac2ptPause:
                c.pause = true;
                break;
            case kNxac2ptMeterId:
                return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "controller meter_id is not supported");
            default:
                return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("unknown property type {}", type));
        }
        pos += padded;
    }
    out->push_back(std::move(c));
    return std::nullopt;
}

// NXAST_LEARN (32 bytes) and NXAST_LEARN2 (40 bytes, then result_dst's
// header when NX_LEARN_F_WRITE_RESULT): the new flow's parameters, then
// flow_mod_specs up to the end (a zero spec header ends them early; what
// follows must be zero). Checks and error codes as Open vSwitch's
// decode_NXAST_RAW_LEARN{,2}(); whether the specs make sense against the
// match is check_actions()' business.
std::optional<OfpError> Decoder::learn(std::span<const uint8_t> a, bool learn2, OfActions* out) {
    if (learn2 && get16(a, 38)) return fail(OfpErr::NXBAC_MUST_BE_ZERO, "nonzero pad");
    if (a[27]) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "nonzero pad");
    ActLearn l{.idle_timeout = get16(a, 10),
               .hard_timeout = get16(a, 12),
               .fin_idle_timeout = get16(a, 28),
               .fin_hard_timeout = get16(a, 30),
               .priority = get16(a, 14),
               .cookie = get64(a, 16),
               .flags = get16(a, 24),
               .table_id = a[26],
               .learn2 = learn2};
    if (l.table_id == 0xff) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "table 255");
    uint16_t flags_ok = kLearnSendFlowRem | kLearnDeleteLearned | (learn2 ? kLearnWriteResult : 0);
    if (l.flags & ~flags_ok) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad flags {:#x}", l.flags));
    size_t pos = 32;
    if (learn2) {
        l.limit = get32(a, 32);
        uint16_t result_ofs = get16(a, 36);
        pos = 40;
        if (l.flags & kLearnWriteResult) {
            if (auto e = pull_field_header(a, &pos, &l.result_dst.field)) return e;
            if (!l.result_dst.field->writable)
                return fail(OfpErr::OFPBAC_BAD_SET_ARGUMENT,
                            fmt::format("result_dst {} is not writable", l.result_dst.field->name));
            l.result_dst.ofs = result_ofs;
            l.result_dst.n_bits = 1;
        } else if (result_ofs) {
            return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "result_dst offset without result_dst");
        }
    }
    if (auto e = learn_specs(a, pos, &l)) return e;
    out->push_back(std::move(l));
    return std::nullopt;
}

// The flow_mod_specs: a 16-bit header (bit 13 the source: field or
// immediate; bits 11-12 the destination: match, load or output; bits 0-9
// the width), the source (a field header and offset, or the immediate in
// whole 16-bit words), then a destination field header and offset
// (match and load only).
std::optional<OfpError> Decoder::learn_specs(std::span<const uint8_t> a, size_t pos, ActLearn* l) {
    auto subfield = [&](uint16_t n_bits, MfSubfield* sf) -> std::optional<OfpError> {
        if (auto e = field_of_nxm(get32(a, pos), &sf->field)) return e;
        sf->ofs = get16(a, pos + 4);
        sf->n_bits = n_bits;
        pos += 6;
        return std::nullopt;
    };
    while (pos + 2 <= a.size()) {
        uint16_t h = get16(a, pos);
        pos += 2;
        if (!h) break;
        LearnSpec spec;
        spec.n_bits = h & 0x3ff;
        bool imm = h & 0x2000;
        unsigned dst = (h >> 11) & 3;
        spec.src = imm ? LearnSpec::Src::Immediate : LearnSpec::Src::Field;
        if (dst == 3 || (dst == 2 && imm))
            return fail(OfpErr::OFPBAC_BAD_ARGUMENT, fmt::format("bad flow_mod_spec header {:#06x}", h));
        spec.dst = dst == 0 ? LearnSpec::Dst::Match : dst == 1 ? LearnSpec::Dst::Load : LearnSpec::Dst::Output;
        size_t imm_words = (spec.n_bits + 15u) / 16;
        size_t need = (imm ? 2 * imm_words : 6) + (dst != 2 ? 6 : 0);
        if (a.size() - pos < need) return fail(OfpErr::OFPBAC_BAD_LEN, "flow_mod_spec runs past the action");
        if (!imm) {
            if (auto e = subfield(spec.n_bits, &spec.src_field)) return e;
        } else {
            // The value is the low bytes of the words: whole bytes of it
            // are kept, as Open vSwitch keeps them. No field is wider than
            // 128 bits, so a wider immediate cannot have a destination.
            size_t n_bytes = (spec.n_bits + 7u) / 8;
            if (n_bytes > 16)
                return fail(OfpErr::OFPBAC_BAD_SET_LEN, fmt::format("{}-bit immediate", spec.n_bits));
            pos += 2 * imm_words;
            std::memcpy(spec.src_imm.b + 16 - n_bytes, a.data() + pos - n_bytes, n_bytes);
        }
        if (dst != 2) {
            if (auto e = subfield(spec.n_bits, &spec.dst_field)) return e;
        }
        l->specs.push_back(spec);
    }
    if (!all_zero(a.subspan(pos))) return fail(OfpErr::OFPBAC_BAD_ARGUMENT, "nonzero bytes after the specs");
    return std::nullopt;
}

}  // namespace

// ---- Entry points --------------------------------------------------------------

std::optional<OfpError> ofpacts_pull(std::span<const uint8_t> in, uint8_t version, OfActions* out) {
    out->clear();
    if (in.size() % kActionAlign)
        return fail(OfpErr::OFPBRC_BAD_LEN, fmt::format("actions length {} is not a multiple of 8", in.size()));
    std::optional<OfpError> e = Decoder(version).list(in, out);
    std::string msg;
    if (!e) {
        if (auto err = verify_order(*out, version, kActionListInsts, &msg)) e = OfpError{*err, msg};
    }
    if (e) out->clear();
    return e;
}

std::optional<OfpError> ofpacts_pull_instructions(std::span<const uint8_t> in, uint8_t version, OfActions* out) {
    out->clear();
    std::optional<OfpError> e;
    std::string msg;
    if (version == kOfp10) {
        if (in.size() % kActionAlign)
            return fail(OfpErr::OFPBRC_BAD_LEN, fmt::format("actions length {} is not a multiple of 8", in.size()));
        e = Decoder(version).list(in, out);
        if (!e) {
            if (auto err = verify_order(*out, version, kAllInsts, &msg)) e = OfpError{*err, msg};
        }
        if (e) out->clear();
        return e;
    }
    if (in.size() % 8)
        return fail(OfpErr::OFPBIC_BAD_LEN, fmt::format("instructions length {} is not a multiple of 8", in.size()));

    // First the instructions' framing, then their contents in execution order.
    std::array<std::optional<std::span<const uint8_t>>, 6> insts;
    for (size_t pos = 0; pos < in.size();) {
        uint16_t type = get16(in, pos), len = get16(in, pos + 2);
        if (len % 8 || len < 8 || len > in.size() - pos)
            return fail(OfpErr::OFPBIC_BAD_LEN, fmt::format("bad instruction format at offset {}", pos));
        Inst kind;
        bool len_ok;
        switch (type) {
            case kOfpitExperimenter:
                return fail(OfpErr::OFPBIC_BAD_EXPERIMENTER, "experimenter instructions are not supported");
            case kOfpitGotoTable:
                kind = Inst::GotoTable, len_ok = len == 8;
                break;
            case kOfpitWriteMetadata:
                kind = Inst::WriteMetadata, len_ok = len == 24;
                break;
            case kOfpitWriteActions:
                kind = Inst::WriteActions, len_ok = true;
                break;
            case kOfpitApplyActions:
                kind = Inst::Apply, len_ok = true;
                break;
            case kOfpitClearActions:
                kind = Inst::Clear, len_ok = len == 8;
                break;
            case kOfpitMeter:
                kind = Inst::Meter, len_ok = len == 8;
                break;
            default:
                return fail(OfpErr::OFPBIC_UNKNOWN_INST, fmt::format("unknown instruction type {}", type));
        }
        if (!len_ok) return fail(OfpErr::OFPBIC_BAD_LEN, fmt::format("{} with length {}", inst_name(kind), len));
        // In 1.5, meter is an action, not an instruction.
        if (kind == Inst::Meter && version >= kOfp15)
            return fail(OfpErr::OFPBIC_UNKNOWN_INST, "meter is not an instruction in OpenFlow 1.5");
        auto& slot = insts[static_cast<size_t>(kind)];
        if (slot) return fail(OfpErr::OFPBIC_DUP_INST, fmt::format("duplicate {} instruction", inst_name(kind)));
        slot = in.subspan(pos, len);
        pos += len;
    }

    Decoder dec(version);
    if (auto& i = insts[size_t(Inst::Meter)]) out->push_back(ActMeter{.meter_id = get32(*i, 4)});
    if (auto& i = insts[size_t(Inst::Apply)]) e = dec.list(i->subspan(8), out);
    if (!e && insts[size_t(Inst::Clear)]) out->push_back(ActClearActions{});
    if (auto& i = insts[size_t(Inst::WriteActions)]; !e && i) {
        ActWriteActions w;
        e = dec.list(i->subspan(8), &w.actions);
        for (size_t k = 0; !e && k < w.actions.size(); k++)
            if (!allowed_in_action_set(w.actions[k]))
                e = fail(OfpErr::OFPBAC_BAD_TYPE, "disallowed action in action set");
        if (!e) out->push_back(std::move(w));
    }
    if (auto& i = insts[size_t(Inst::WriteMetadata)]; !e && i)
        out->push_back(ActWriteMetadata{.value = get64(*i, 8), .mask = get64(*i, 16)});
    if (auto& i = insts[size_t(Inst::GotoTable)]; !e && i) out->push_back(ActGotoTable{.table = (*i)[4]});
    if (!e) {
        if (auto err = verify_order(*out, version, kAllInsts, &msg)) e = OfpError{*err, msg};
    }
    if (e) out->clear();
    return e;
}

}  // namespace xvs::ofproto
