#include "tools/ofctl_parse.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "ofproto/meta_flow.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

// ---- Which protocols can carry a matched field --------------------------------
//
// As Open vSwitch's field table says: what OpenFlow 1.0's match, 1.1's
// fixed match and NXM/OXM can express, for an exact match, a CIDR mask and
// an arbitrary mask.
struct FieldProtocols {
    Protocols exact, cidr, bitwise;
};

FieldProtocols field_protocols(MfId id) {
    constexpr Protocols A = kPAny, E = kPNxmOf11Up, X = kPNxmOxmAny;
    switch (id) {
        case MfId::InPort:
        case MfId::EthType:
        case MfId::DlVlan:
        case MfId::DlVlanPcp:
        case MfId::VlanPcp:
        case MfId::IpProto:
        case MfId::IpDscp:
        case MfId::IpDscpOxm:
        case MfId::ArpOp:
        case MfId::IcmpType:
        case MfId::IcmpCode:
            return {A, A, A};
        case MfId::InPortOxm:
        case MfId::Metadata:
        case MfId::IpEcn:
            return {E, E, E};
        case MfId::EthSrc:
        case MfId::EthDst:
            return {A, E, E};
        case MfId::VlanTci:
        case MfId::VlanVid:
        case MfId::TcpSrc:
        case MfId::TcpDst:
        case MfId::UdpSrc:
        case MfId::UdpDst:
            return {A, X, X};
        case MfId::Ipv4Src:
        case MfId::Ipv4Dst:
        case MfId::ArpSpa:
        case MfId::ArpTpa:
            return {A, A, E};
        case MfId::SctpSrc:
        case MfId::SctpDst:
            return {E, X, X};
        default:
            return {X, X, X};
    }
}

bool all_bytes(const MfValue& v, unsigned n_bytes, uint8_t b) {
    for (unsigned i = 16 - n_bytes; i < 16; i++) {
        if (v.b[i] != b) return false;
    }
    return true;
}

// The protocols that can carry "field = value/mask" (OVS's mf_set()).
Protocols usable_for(const MfField& f, const MfValue& mask) {
    FieldProtocols p = field_protocols(f.id);
    if (all_bytes(mask, f.n_bytes, 0xff)) return p.exact;
    if (all_bytes(mask, f.n_bytes, 0)) return kPAny;
    if (p.cidr == p.bitwise) return p.cidr;
    // OVS tests the first 32 bits of the mask for a CIDR prefix (only the
    // IPv4 fields get here, so those are the whole mask).
    uint32_t m = uint32_t(mask.b[12]) << 24 | uint32_t(mask.b[13]) << 16 | uint32_t(mask.b[14]) << 8 | mask.b[15];
    bool cidr = ((~m) & (~m + 1)) == 0;
    return cidr ? p.cidr : p.bitwise;
}

// ---- Keys and values ------------------------------------------------------------

// ovs-ofctl's key[=:]value / key(value) tokenizer (ofp_actions.h's),
// consuming what it reads from the front of 's'.
bool next_key_value(std::string_view& s, std::string_view* key, std::string_view* value) {
    size_t pos = 0;
    bool more = ofproto::next_key_value(s, &pos, key, value);
    s.remove_prefix(std::min(pos, s.size()));
    return more;
}

// strtol-style integer with base detection, as OVS's str_to_int.
bool str_to_long(std::string_view text, int base, long long* out) {
    std::string s(text);
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, base);
    if (errno || *end) return false;
    *out = v;
    return true;
}

std::optional<std::string> parse_u16(std::string_view value, std::string_view name, uint16_t* out) {
    long long v;
    if (!str_to_long(value, 0, &v) || v < 0 || v > 65535 || v > INT32_MAX) {
        return fmt::format("invalid {} \"{}\"", name, value);
    }
    *out = uint16_t(v);
    return std::nullopt;
}

std::optional<std::string> parse_u64(std::string_view value, uint64_t* out) {
    std::string s(value);
    if (s.empty()) return std::string("missing required numeric argument");
    errno = 0;
    char* end = nullptr;
    uint64_t v = std::strtoull(s.c_str(), &end, 0);
    if (errno == EINVAL || errno == ERANGE || *end) return fmt::format("invalid numeric format {}", value);
    *out = v;
    return std::nullopt;
}

std::optional<uint8_t> parse_table(std::string_view value, const NameMaps* names) {
    if (!value.empty() && value[0] == '-') return std::nullopt;
    long long v;
    if (value.find_first_not_of("0123456789") == std::string_view::npos && str_to_long(value, 10, &v)) {
        if (v > 255) return std::nullopt;
        return uint8_t(v);
    }
    std::string name(value);
    if (name.size() > 1 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    if (names) {
        auto it = names->tables.find(name);
        if (it != names->tables.end()) return it->second;
    }
    return std::nullopt;
}

struct ProtocolWord {
    const char* name;
    uint16_t eth_type;
    uint8_t ip_proto;
};
constexpr ProtocolWord kProtocolWords[] = {
    {"ip", 0x0800, 0},     {"ipv4", 0x0800, 0},  {"ip4", 0x0800, 0},    {"arp", 0x0806, 0},     {"icmp", 0x0800, 1},
    {"tcp", 0x0800, 6},    {"udp", 0x0800, 17},  {"sctp", 0x0800, 132}, {"ipv6", 0x86dd, 0},    {"ip6", 0x86dd, 0},
    {"icmp6", 0x86dd, 58}, {"tcp6", 0x86dd, 6},  {"udp6", 0x86dd, 17},  {"sctp6", 0x86dd, 132}, {"rarp", 0x8035, 0},
    {"mpls", 0x8847, 0},   {"mplsm", 0x8848, 0},
};

MfValue uint_value(uint64_t x) {
    MfValue v;
    for (int i = 0; i < 8; i++) v.b[15 - i] = uint8_t(x >> (8 * i));
    return v;
}
MfValue ones() {
    return uint_value(UINT64_MAX);
}

bool is_port_field(const MfField& f) {
    return f.id == MfId::InPort || f.id == MfId::InPortOxm;
}

// Adds "name=value" to the match, narrowing 'usable' as OVS does.
std::optional<std::string> add_field(const MfField& f, std::string_view name, std::string_view value,
                                     const NameMaps* names, Match* m, Protocols* usable) {
    std::string v(value);
    if (f.id == MfId::DlVlan) {
        // OpenFlow 1.0's "no VLAN" id, which ovs-ofctl takes as a match on
        // packets without a tag.
        long long x;
        if (str_to_long(value, 0, &x) && x == 0xffff) {
            std::string err;
            if (!match_parse_field("vlan_tci", "0", m, &err)) return err;
            return std::nullopt;
        }
    }
    if (is_port_field(f) && !value.empty() && !mf_parse_port(value)) {
        if (auto p = parse_port(value, names)) v = std::to_string(*p);
    }
    if (!v.empty()) {
        MfValue val, mask;
        std::string err;
        if (!mf_parse_value(f, v, &val, &mask, &err)) return err;
        *usable &= usable_for(f, mask);
    }
    std::string err;
    if (!match_parse_field(name, v, m, &err)) return err;
    return std::nullopt;
}

std::optional<std::string> add_subfield(std::string_view name, std::string_view value, Match* m, Protocols* usable) {
    std::string err;
    if (!match_parse_field(name, value, m, &err)) return err;
    auto sf = mf_parse_subfield(name, &err);
    if (sf) {
        MfValue v, mask;
        mf_get_match(*sf->field, *m, &v, &mask);
        *usable &= usable_for(*sf->field, mask);
    }
    return std::nullopt;
}

// What the actions need of the protocol (OVS decides this while parsing
// them): push_vlan needs 1.1+, set_field the field's protocols, meter
// 1.3+, write_metadata NXM or 1.1+.
Protocols actions_usable(const OfActions& actions) {
    Protocols p = kPAny;
    for (const auto& a : actions) {
        if (std::holds_alternative<ActPushVlan>(a)) p &= kPOf11Up;
        if (const auto* sf = std::get_if<ActSetField>(&a); sf && !sf->load && sf->field) {
            p &= field_protocols(sf->field->id).exact;
        }
        if (std::holds_alternative<ActMeter>(a)) p &= kPOf13Up;
        if (std::holds_alternative<ActWriteMetadata>(a)) p &= kPNxmOf11Up;
        if (const auto* wa = std::get_if<ActWriteActions>(&a)) p &= actions_usable(wa->actions);
    }
    return p;
}

enum Fields : unsigned { kFOutPort = 1, kFActions = 2, kFImportance = 4, kFTimeout = 8, kFPriority = 16, kFFlags = 32 };

// A flow being parsed: what the command allows and what was read so far.
struct FlowText {
    OfpFlowMod fm;
    unsigned fields = 0;  // kF*: the keywords this command takes
    bool is_add = false, is_modify = false;
    uint64_t new_cookie = 0;  // all-ones: "leave the cookie" (modify)
    const NameMaps* names = nullptr;
    Protocols* usable = nullptr;
};

// A leading command word of a line of add-flows (any prefix of one
// selects it, as in ovs-ofctl; none means add). Consumes it from 's'.
ParseCommand command_word(std::string_view& s) {
    size_t skip = s.find_first_not_of(" \t\r\n");
    s.remove_prefix(skip == std::string_view::npos ? s.size() : skip);
    size_t len = std::min(s.find_first_of(", \t\r\n"), s.size());
    std::string_view word = s.substr(0, len);
    auto is = [&](std::string_view cmd) { return word.size() <= cmd.size() && cmd.substr(0, word.size()) == word; };
    ParseCommand c = ParseCommand::Add;
    if (is("add")) {
        c = ParseCommand::Add;
    } else if (is("delete")) {
        c = ParseCommand::Delete;
    } else if (is("delete_strict")) {
        c = ParseCommand::DeleteStrict;
    } else if (is("modify")) {
        c = ParseCommand::Modify;
    } else if (is("modify_strict")) {
        c = ParseCommand::ModifyStrict;
    } else {
        len = 0;
    }
    s.remove_prefix(len);
    return c;
}

void start_flow(FlowText& t, ParseCommand command, bool stats) {
    auto& fm = t.fm;
    if (stats) {
        t.fields = kFOutPort;
    } else {
        switch (command) {
            case ParseCommand::FromText:
            case ParseCommand::Add:
                t.fields = kFActions | kFTimeout | kFPriority | kFFlags | kFImportance;
                fm.command = FlowModCommand::Add;
                t.is_add = true;
                break;
            case ParseCommand::Delete:
                t.fields = kFOutPort;
                fm.command = FlowModCommand::Delete;
                break;
            case ParseCommand::DeleteStrict:
                t.fields = kFOutPort | kFPriority;
                fm.command = FlowModCommand::DeleteStrict;
                break;
            case ParseCommand::Modify:
            case ParseCommand::ModifyStrict:
                t.fields = kFActions | kFTimeout | kFPriority | kFFlags;
                fm.command = command == ParseCommand::Modify ? FlowModCommand::Modify : FlowModCommand::ModifyStrict;
                t.is_modify = true;
                break;
        }
    }
    fm.priority = 0x8000;
    fm.table_id = 0xff;
    fm.buffer_id = UINT32_MAX;
    fm.out_port = 0xffffffff;
    fm.out_group = 0xffffffff;
    t.new_cookie = t.is_modify ? UINT64_MAX : 0;
}

std::optional<std::string> parse_cookie(FlowText& t, std::string_view value) {
    auto& fm = t.fm;
    size_t slash = value.find('/');
    if (slash != std::string_view::npos) {
        if (t.is_add) return "flow additions cannot use a cookie mask";
        if (auto e = parse_u64(value.substr(0, slash), &fm.match_cookie)) return e;
        if (auto e = parse_u64(value.substr(slash + 1), &fm.cookie_mask)) return e;
        if (fm.cookie_mask) *t.usable &= kPNxmOf11Up;
        return std::nullopt;
    }
    if (!t.is_add && !t.is_modify) {
        return fmt::format("cannot set cookie (to match on a cookie, specify a mask, e.g. cookie={}/-1)", value);
    }
    return parse_u64(value, &t.new_cookie);
}

std::optional<std::string> parse_out_group(FlowText& t, std::string_view value) {
    *t.usable &= kPOf11Up;
    uint64_t g;
    if (value == "all" || value == "ALL") {
        t.fm.out_group = 0xfffffffc;
    } else if (value == "any" || value == "ANY") {
        t.fm.out_group = 0xffffffff;
    } else if (!parse_u64(value, &g) && g <= 0xffffff00) {
        t.fm.out_group = uint32_t(g);
    } else {
        return fmt::format("{} is not a valid OpenFlow group", value);
    }
    return std::nullopt;
}

// The keywords of the flow syntax that are not match fields.
std::optional<std::string> parse_keyword(FlowText& t, std::string_view key, std::string_view value) {
    auto& fm = t.fm;
    if (value.empty()) return fmt::format("field {} missing value", key);
    if (key == "table") {
        auto table = parse_table(value, t.names);
        if (!table) return fmt::format("unknown table \"{}\"", value);
        fm.table_id = *table;
        if (fm.table_id != 0xff) *t.usable &= kPTid;
    } else if ((t.fields & kFOutPort) && key == "out_port") {
        auto p = parse_port(value, t.names);
        if (!p) return fmt::format("{} is not a valid OpenFlow port", value);
        fm.out_port = *p == kOfppNone ? 0xffffffff : *p;
    } else if ((t.fields & kFOutPort) && key == "out_group") {
        return parse_out_group(t, value);
    } else if ((t.fields & kFPriority) && key == "priority") {
        uint16_t p = 0;
        if (auto e = parse_u16(value, key, &p)) return e;
        fm.priority = p;
    } else if ((t.fields & kFTimeout) && key == "idle_timeout") {
        return parse_u16(value, key, &fm.idle_timeout);
    } else if ((t.fields & kFTimeout) && key == "hard_timeout") {
        return parse_u16(value, key, &fm.hard_timeout);
    } else if ((t.fields & kFImportance) && key == "importance") {
        return parse_u16(value, key, &fm.importance);
    } else if (key == "cookie") {
        return parse_cookie(t, value);
    } else if (key == "duration" || key == "n_packets" || key == "n_bytes" || key == "idle_age" || key == "hard_age") {
        // Parts of dump-flows output, ignored so that it can be fed back.
    } else {
        return fmt::format("unknown keyword {}", key);
    }
    return std::nullopt;
}

// One "key[=value]" of the match part: a protocol, a flag, a field or
// subfield, or a keyword.
std::optional<std::string> parse_item(FlowText& t, std::string_view key, std::string_view value) {
    auto& fm = t.fm;
    for (const auto& p : kProtocolWords) {
        if (key != p.name) continue;
        mf_set_match(mf_field(MfId::EthType), uint_value(p.eth_type), ones(), &fm.match);
        if (p.ip_proto) mf_set_match(mf_field(MfId::IpProto), uint_value(p.ip_proto), ones(), &fm.match);
        return std::nullopt;
    }
    struct Flag {
        const char* name;
        uint16_t flag;
        Protocols usable;
    };
    static const Flag kFlags[] = {{"send_flow_rem", kFfSendFlowRem, kPAny},
                                  {"check_overlap", kFfCheckOverlap, kPAny},
                                  {"reset_counts", kFfResetCounts, kPOf12Up},
                                  {"no_packet_counts", kFfNoPktCounts, kPOf13Up},
                                  {"no_byte_counts", kFfNoBytCounts, kPOf13Up}};
    if (t.fields & kFFlags) {
        for (const auto& f : kFlags) {
            if (key != f.name) continue;
            fm.flags |= f.flag;
            *t.usable &= f.usable;
            return std::nullopt;
        }
    }
    // Ethernet is the only packet type here; the other two are accepted
    // and ignored, as by ovs-ofctl.
    if (key == "eth" || key == "no_readonly_table" || key == "allow_hidden_fields") return std::nullopt;
    if (const MfField* mf = mf_from_name(key)) return add_field(*mf, key, value, t.names, &fm.match, t.usable);
    if (key.find('[') != std::string_view::npos) return add_subfield(key, value, &fm.match, t.usable);
    return parse_keyword(t, key, value);
}

// Within IPv6, only NXM and OXM can match L3 and L4 fields.
Protocols ipv6_usable(const Match& match) {
    MfValue v, k;
    mf_get_match(mf_field(MfId::EthType), match, &v, &k);
    if (v.b[14] != 0x86 || v.b[15] != 0xdd) return kPAny;
    for (MfId id : {MfId::IpProto, MfId::IpDscp, MfId::IpEcn, MfId::TcpSrc, MfId::TcpDst}) {
        MfValue fv, fk;
        mf_get_match(mf_field(id), match, &fv, &fk);
        if (!all_bytes(fk, 16, 0)) return kPNxmOxmAny;
    }
    return kPAny;
}

std::optional<std::string> add_actions(FlowText& t, std::string_view act_text) {
    std::string err;
    auto acts = parse_of_actions(act_text, &err, true);
    if (!acts) return err;
    *t.usable &= actions_usable(*acts);
    // Inconsistencies 1.0 tolerates (an action on a header the match does
    // not promise) leave only 1.0; other errors refuse the flow.
    auto e = check_actions(*acts, t.fm.match, kOfp10, kOfppMax, t.fm.table_id, 255);
    if (!e) {
        auto e11 = check_actions(*acts, t.fm.match, kOfp13, kOfppMax, t.fm.table_id, 255);
        if (e11 && e11->err == OfpErr::OFPBAC_MATCH_INCONSISTENT) *t.usable &= kP10Any;
        if (!*t.usable) e = OfpError{OfpErr::OFPBAC_MATCH_INCONSISTENT, ""};
    }
    if (e) return fmt::format("actions are invalid with specified match ({})", ofp_error_name(e->err));
    t.fm.actions = std::move(*acts);
    return std::nullopt;
}

// The common parser: 'stats' for a flow statistics request.
std::optional<OfpFlowMod> parse_flow(std::string_view text, ParseCommand command, bool stats, const NameMaps* names,
                                     Protocols* usable, std::string* error) {
    auto fail = [&](std::string msg) {
        *error = std::move(msg);
        return std::nullopt;
    };
    *usable = kPAny;
    std::string_view s = text;
    if (command == ParseCommand::FromText) command = command_word(s);
    FlowText t;
    t.names = names;
    t.usable = usable;
    start_flow(t, command, stats);

    std::string_view match_text = s, act_text;
    if (t.fields & kFActions) {
        // Everything from the first "action" on is the actions (after its '=').
        size_t at = s.find("action");
        size_t eq = at == std::string_view::npos ? at : s.find('=', at + 1);
        if (eq == std::string_view::npos) return fail("must specify an action");
        match_text = s.substr(0, at);
        act_text = s.substr(eq + 1);
    }
    std::string_view key, value;
    while (next_key_value(match_text, &key, &value)) {
        if (auto e = parse_item(t, key, value)) return fail(*e);
    }
    auto& fm = t.fm;
    *usable &= ipv6_usable(fm.match);
    // A modify without a cookie mask adds the flow when nothing matches;
    // OVS gives that flow cookie 0.
    if (!fm.cookie_mask && t.new_cookie == UINT64_MAX && t.is_modify) t.new_cookie = 0;
    fm.cookie = t.new_cookie;
    fm.modify_cookie = t.new_cookie != UINT64_MAX;
    // Fields whose prerequisites the match lacks go, as ovs-ofctl's
    // encoders drop them.
    match_normalize(&fm.match);
    if (t.fields & kFActions) {
        if (auto e = add_actions(t, act_text)) return fail(*e);
    }
    return fm;
}

}  // namespace

std::optional<uint16_t> parse_port(std::string_view text, const NameMaps* names) {
    if (auto p = mf_parse_port(text)) return *p;
    std::string name(text);
    if (name.size() > 1 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
    if (names) {
        auto it = names->ports.find(name);
        if (it != names->ports.end()) return it->second;
    }
    return std::nullopt;
}

std::optional<OfpFlowMod> parse_flow_mod(std::string_view text, ParseCommand command, const NameMaps* names,
                                         Protocols* usable, std::string* error) {
    return parse_flow(text, command, false, names, usable, error);
}

std::optional<std::vector<uint8_t>> bytes_from_hex(std::string_view hex) {
    std::vector<uint8_t> out;
    size_t i = 0;
    auto hexit = [](char ch) {
        if (ch >= '0' && ch <= '9') return ch - '0';
        if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
        return -1;
    };
    for (;;) {
        while (i < hex.size() && std::strchr(" .\t\r\n", hex[i])) i++;
        if (i + 1 >= hex.size() || hexit(hex[i]) < 0 || hexit(hex[i + 1]) < 0) break;
        out.push_back(uint8_t(hexit(hex[i]) << 4 | hexit(hex[i + 1])));
        i += 2;
    }
    if (i < hex.size()) return std::nullopt;
    return out;
}

std::optional<std::vector<OfpFlowMod>> parse_flow_mod_file(const std::string& file, ParseCommand command,
                                                           const NameMaps* names, Protocols* usable,
                                                           std::string* error) {
    *usable = kPAny;
    std::ifstream in;
    std::istream* is = &std::cin;
    if (file != "-") {
        in.open(file);
        if (!in) {
            *error = fmt::format("{}: open failed ({})", file, std::strerror(errno));
            return std::nullopt;
        }
        is = &in;
    }
    std::vector<OfpFlowMod> fms;
    std::string line;
    int line_number = 0;
    while (std::getline(*is, line)) {
        line_number++;
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        if (line.find_first_not_of(" \t\n\r") == std::string::npos) continue;
        Protocols u;
        std::string err;
        auto fm = parse_flow_mod(line, command, names, &u, &err);
        if (!fm) {
            *error = fmt::format("{}:{}: {}", file, line_number, err);
            return std::nullopt;
        }
        *usable &= u;
        fms.push_back(std::move(*fm));
    }
    return fms;
}

std::optional<OfpFlowStatsRequest> parse_flow_stats_request(std::string_view text, bool aggregate,
                                                            const NameMaps* names, Protocols* usable,
                                                            std::string* error) {
    auto fm = parse_flow(text, ParseCommand::Delete, true, names, usable, error);
    if (!fm) return std::nullopt;
    // Statistics requests need no table id extension.
    if (*usable & kP10StdTid) *usable |= kP10Std;
    if (*usable & kP10NxmTid) *usable |= kP10Nxm;
    OfpFlowStatsRequest req;
    req.aggregate = aggregate;
    req.match = fm->match;
    req.table_id = fm->table_id;
    req.out_port = fm->out_port;
    req.out_group = fm->out_group;
    req.cookie = fm->match_cookie;
    req.cookie_mask = fm->cookie_mask;
    return req;
}

}  // namespace xvs::ofctl
