#include "tools/ofctl_print.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>

#include "ofproto/meta_flow.h"
#include "ofproto/nx_match.h"
#include "ofproto/ofp_actions.h"

namespace xvs::ofctl {

using namespace ofproto;

namespace {

std::string port_text(uint32_t port) {
    return mf_format_port(port == 0xffffffff ? kOfppNone : OfPort(port));
}

void chomp(std::string& s, char c) {
    if (!s.empty() && s.back() == c) s.pop_back();
}

void add_newline(std::string& s) {
    if (!s.empty() && s.back() != '\n') s += '\n';
}

// Names of the set bits of 'bits' (lowest first) by 'name_of', with unnamed
// bits left as hex; "0" for none.
template <typename NameOf>
std::string bit_names(uint32_t bits, NameOf name_of, char sep) {
    if (!bits) return "0";
    std::string s;
    int n = 0;
    for (int i = 0; i < 32; i++) {
        uint32_t bit = 1u << i;
        if (!(bits & bit)) continue;
        if (const char* name = name_of(bit)) {
            if (n++) s += sep;
            s += name;
            bits &= ~bit;
        }
    }
    if (bits) {
        if (n) s += sep;
        s += fmt::format("0x{:x}", bits);
    }
    return s;
}

const char* capability_name(uint32_t bit) {
    switch (bit) {
        case 1 << 0:
            return "FLOW_STATS";
        case 1 << 1:
            return "TABLE_STATS";
        case 1 << 2:
            return "PORT_STATS";
        case 1 << 5:
            return "IP_REASM";
        case 1 << 6:
            return "QUEUE_STATS";
        case 1 << 7:
            return "ARP_MATCH_IP";
        case 1 << 3:
            return "STP";
        case 1 << 4:
            return "GROUP_STATS";
        case 1 << 8:
            return "PORT_BLOCKED";
        case 1 << 9:
            return "BUNDLES";
        case 1 << 10:
            return "FLOW_MONITORING";
        default:
            return nullptr;
    }
}

const char* port_config_name(uint32_t bit) {
    switch (bit) {
        case 1 << 0:
            return "PORT_DOWN";
        case 1 << 1:
            return "NO_STP";
        case 1 << 2:
            return "NO_RECV";
        case 1 << 3:
            return "NO_RECV_STP";
        case 1 << 4:
            return "NO_FLOOD";
        case 1 << 5:
            return "NO_FWD";
        case 1 << 6:
            return "NO_PACKET_IN";
        default:
            return nullptr;
    }
}

const char* port_state_name(uint32_t bit) {
    switch (bit) {
        case 1 << 0:
            return "LINK_DOWN";
        case 1 << 1:
            return "BLOCKED";
        case 1 << 2:
            return "LIVE";
        default:
            return nullptr;
    }
}

const char* port_feature_name(uint32_t bit) {
    static const char* const kNames[] = {"10MB-HD", "10MB-FD",  "100MB-HD",   "100MB-FD",       "1GB-HD", "1GB-FD",
                                         "10GB-FD", "40GB-FD",  "100GB-FD",   "1TB-FD",         "OTHER",  "COPPER",
                                         "FIBER",   "AUTO_NEG", "AUTO_PAUSE", "AUTO_PAUSE_ASYM"};
    int i = std::countr_zero(bit);
    return i < 16 ? kNames[i] : nullptr;
}

std::string port_state_text(uint32_t state) {
    // The STP state is a two-bit field of 1.0 (bits 8-9); "listen" (0) is
    // not printed, since a switch without STP always says that.
    constexpr uint32_t kStpMask = 3 << 8;
    uint32_t stp = state & kStpMask;
    if (stp) {
        std::string s = stp == (1 << 8) ? "STP_LEARN" : stp == (2 << 8) ? "STP_FORWARD" : "STP_BLOCK";
        state &= ~kStpMask;
        if (state) s += bit_names(state, port_state_name, ' ');
        return s;
    }
    return bit_names(state, port_state_name, ' ');
}

std::string format_mac(const EthAddr& a) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", a[0], a[1], a[2], a[3], a[4], a[5]);
}

std::string format_phy_port(const OfpPortInfo& p) {
    // The name up to its first unprintable character.
    std::string name = p.name.substr(0, 15);
    for (size_t i = 0; i < name.size(); i++) {
        unsigned char c = name[i];
        if (c < 0x20 || c > 0x7e) {
            name.resize(i);
            break;
        }
    }
    std::string s = fmt::format(" {}({}): addr:{}\n", port_text(p.port_no), name, format_mac(p.hw_addr));
    s += "     config:     " + bit_names(p.config, port_config_name, ' ') + "\n";
    s += "     state:      " + port_state_text(p.state) + "\n";
    auto features = [&](const char* label, uint32_t f) {
        if (f) s += fmt::format("     {}{}\n", label, bit_names(f, port_feature_name, ' '));
    };
    features("current:    ", p.curr);
    features("advertised: ", p.advertised);
    features("supported:  ", p.supported);
    features("peer:       ", p.peer);
    s += fmt::format("     speed: {} Mbps now, {} Mbps max\n", p.curr_speed / 1000, p.max_speed / 1000);
    return s;
}

std::string format_phy_ports(std::vector<OfpPortInfo> ports) {
    std::stable_sort(ports.begin(), ports.end(),
                     [](const auto& a, const auto& b) { return uint16_t(a.port_no) < uint16_t(b.port_no); });
    std::string s;
    for (const auto& p : ports) s += format_phy_port(p);
    return s;
}

// The OFPACT names of 1.0's action bits, in the order OVS prints them.
std::string actions10_text(uint32_t bits) {
    struct Bit {
        int bit;
        const char* name;
    };
    static const Bit kOrder[] = {{0, "output"},     {11, "enqueue"},   {1, "set_vlan_vid"}, {2, "set_vlan_pcp"},
                                 {3, "strip_vlan"}, {4, "mod_dl_src"}, {5, "mod_dl_dst"},   {6, "mod_nw_src"},
                                 {7, "mod_nw_dst"}, {8, "mod_nw_tos"}, {9, "mod_tp_src"},   {10, "mod_tp_dst"}};
    std::string s;
    for (const auto& b : kOrder) {
        if (bits & (1u << b.bit)) s += std::string(b.name) + " ";
    }
    if (s.empty()) return "<none>";
    s.pop_back();
    return s;
}

template <typename T>
const T* get(const std::variant<T, OfpError>& v, std::optional<OfpErr>* err) {
    if (const auto* e = std::get_if<OfpError>(&v)) {
        *err = e->err;
        return nullptr;
    }
    return &std::get<T>(v);
}

const char* frag_name(uint16_t flags) {
    switch (flags & 3) {
        case 0:
            return "normal";
        case 1:
            return "drop";
        case 2:
            return "reassemble";
        default:
            return "nx-match";
    }
}

std::string config_text(const OfpSwitchConfig& c, uint8_t version) {
    std::string s = fmt::format(" frags={}", frag_name(c.flags));
    if (version < kOfp13 && (c.flags & 4)) s += " invalid_ttl_to_controller";
    s += fmt::format(" miss_send_len={}\n", c.miss_send_len);
    return s;
}

std::string flow_mod_flags_text(uint16_t flags) {
    std::string s;
    if (flags & kFfSendFlowRem) s += "send_flow_rem ";
    if (flags & kFfCheckOverlap) s += "check_overlap ";
    if (flags & kFfResetCounts) s += "reset_counts ";
    if (flags & kFfNoPktCounts) s += "no_packet_counts ";
    if (flags & kFfNoBytCounts) s += "no_byte_counts ";
    return s;
}

std::string stat_text(uint64_t v) {
    return v == UINT64_MAX ? "?" : std::to_string(v);
}

// ---- Table statistics ------------------------------------------------------------

// OVS's abbreviation of a list of field names: common prefixes
// ("eth_{src,dst,type}") and numbered runs ("reg0...reg3").
size_t common_prefix(const std::string& a, const std::string& b) {
    size_t r = 0;
    for (size_t i = 0;; i++) {
        if (i >= a.size() || i >= b.size() || a[i] != b[i]) return r;
        if (a[i] == '_') r = i + 1;
    }
}

size_t prefix_run(const std::vector<std::string>& ids, size_t start, size_t n, size_t plen, size_t* extra) {
    *extra = 0;
    if (n < 2) return n;
    size_t e = common_prefix(ids[start].substr(plen), ids[start + 1].substr(plen));
    if (!e) return 1;
    size_t i = 2;
    while (i < n && common_prefix(ids[start].substr(plen), ids[start + i].substr(plen))) i++;
    *extra = e;
    return i;
}

bool split_number(const std::string& s, std::string* base, long* num) {
    size_t i = s.size();
    while (i > 0 && isdigit((unsigned char)s[i - 1])) i--;
    if (i == s.size()) return false;
    *base = s.substr(0, i);
    *num = std::stol(s.substr(i));
    return true;
}

size_t suffix_run(const std::vector<std::string>& ids, size_t start, size_t n) {
    std::string b0;
    long n0;
    if (!split_number(ids[start], &b0, &n0)) return 1;
    size_t i = 1;
    for (; i < n; i++) {
        std::string b;
        long k;
        if (!split_number(ids[start + i], &b, &k) || b != b0 || k != n0 + long(i)) break;
    }
    return i;
}

void print_names(std::string& s, const std::vector<std::string>& ids, size_t start, size_t n, size_t plen) {
    int group = 0;
    while (n > 0) {
        if (group++) s += plen ? ',' : ' ';
        size_t extra;
        size_t prun = prefix_run(ids, start, n, plen, &extra);
        size_t srun = suffix_run(ids, start, n);
        size_t run = std::max(prun, srun);
        if (srun >= prun) {
            s += ids[start].substr(plen);
            if (run > 1) s += "..." + ids[start + run - 1].substr(plen);
        } else {
            s += ids[start].substr(plen, extra) + "{";
            print_names(s, ids, start, run, plen + extra);
            s += "}";
        }
        start += run;
        n -= run;
    }
}

// ---- Table features that table statistics carry (1.0-1.2) ----------------------
//
// Sets of fields, actions and instructions are kept as bitmaps over the
// lists below, which are in the order Open vSwitch prints them (the order
// of its field, action and instruction ids).

// Field names as table statistics print them.
const char* const kFieldNames[] = {
    "metadata",    "in_port",     "in_port_oxm", "eth_src", "eth_dst",  "eth_type", "vlan_vid",   "vlan_pcp",
    "mpls_label",  "mpls_tc",     "ip_src",      "ip_dst",  "ipv6_src", "ipv6_dst", "ipv6_label", "nw_proto",
    "nw_tos",      "ip_dscp",     "nw_ecn",      "arp_op",  "arp_spa",  "arp_tpa",  "arp_sha",    "arp_tha",
    "tcp_src",     "tcp_dst",     "udp_src",     "udp_dst", "sctp_src", "sctp_dst", "icmp_type",  "icmp_code",
    "icmpv6_type", "icmpv6_code", "nd_target",   "nd_sll",  "nd_tll",
};
int field_index(std::string_view name) {
    for (size_t i = 0; i < std::size(kFieldNames); i++) {
        if (name == kFieldNames[i]) return int(i);
    }
    return -1;
}

// A wire bitmap translated by 'map' (wire bit number -> name; nullptr:
// not a field here) into a bitmap over kFieldNames.
uint64_t fields_of(uint64_t wire, const char* const* map, size_t n) {
    uint64_t out = 0;
    for (size_t bit = 0; bit < n && bit < 64; bit++) {
        if ((wire >> bit) & 1 && map[bit]) out |= uint64_t(1) << field_index(map[bit]);
    }
    return out;
}

// OFPFW10_* (the IP address masks count when any of their bits is set).
uint64_t of10_fields(uint32_t wc) {
    const char* map[32] = {};
    static const std::pair<int, const char*> kBits[] = {
        {0, "in_port"},  {1, "vlan_vid"}, {2, "eth_src"}, {3, "eth_dst"},   {4, "eth_type"},
        {5, "nw_proto"}, {6, "tcp_src"},  {7, "tcp_dst"}, {20, "vlan_pcp"}, {21, "nw_tos"}};
    for (const auto& [bit, name] : kBits) map[bit] = name;
    uint64_t out = fields_of(wc, map, 32);
    if (wc & (0x3f << 8)) out |= uint64_t(1) << field_index("ip_src");
    if (wc & (0x3f << 14)) out |= uint64_t(1) << field_index("ip_dst");
    return out;
}

// OFPFMF11_*.
uint64_t of11_fields(uint32_t bits) {
    static const char* const kMap[16] = {"in_port", "vlan_vid", "vlan_pcp",   "eth_type", "nw_tos", "nw_proto",
                                         "tcp_src", "tcp_dst",  "mpls_label", "mpls_tc",  nullptr,  "eth_src",
                                         "eth_dst", "ip_src",   "ip_dst",     "metadata"};
    return fields_of(bits, kMap, 16);
}

// OpenFlow 1.2 OXM field numbers.
uint64_t oxm12_fields(uint64_t bits) {
    static const char* const kMap[36] = {
        "in_port_oxm", nullptr,    "metadata",   "eth_dst",   "eth_src",    "eth_type",    "vlan_vid",    "vlan_pcp",
        "ip_dscp",     "nw_ecn",   "nw_proto",   "ip_src",    "ip_dst",     "tcp_src",     "tcp_dst",     "udp_src",
        "udp_dst",     "sctp_src", "sctp_dst",   "icmp_type", "icmp_code",  "arp_op",      "arp_spa",     "arp_tpa",
        "arp_sha",     "arp_tha",  "ipv6_src",   "ipv6_dst",  "ipv6_label", "icmpv6_type", "icmpv6_code", "nd_target",
        "nd_sll",      "nd_tll",   "mpls_label", "mpls_tc"};
    return fields_of(bits, kMap, 36);
}

// Action names in Open vSwitch's order, and where 1.1's and 1.2's
// OFPAT_* bits (-1: none) put them.
const char* const kActionNames[] = {"output",       "group",      "set_field",      "set_vlan_vid", "set_vlan_pcp",
                                    "strip_vlan",   "push_vlan",  "mod_dl_src",     "mod_dl_dst",   "mod_nw_src",
                                    "mod_nw_dst",   "mod_nw_tos", "mod_nw_ecn",     "mod_nw_ttl",   "mod_tp_src",
                                    "mod_tp_dst",   "dec_ttl",    "set_mpls_label", "set_mpls_tc",  "set_mpls_ttl",
                                    "dec_mpls_ttl", "push_mpls",  "pop_mpls",       "set_queue"};
uint32_t actions_of(uint32_t wire, uint8_t version) {
    // Index in kActionNames of each OFPAT11_* / OFPAT12_* type.
    static const int k11[25] = {0,  3,  4,  7,  8, 9, 10, 11, 12, 14, 15, -1, -1,
                                17, 18, 19, 20, 6, 5, 21, 22, 23, 1,  13, 16};
    static const int k12[26] = {0,  -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                -1, -1, 19, 20, 6,  5,  21, 22, 23, 1,  13, 16, 2};
    const int* map = version == kOfp11 ? k11 : k12;
    int n = version == kOfp11 ? 25 : 26;
    uint32_t out = 0;
    for (int bit = 0; bit < n; bit++) {
        if ((wire >> bit) & 1 && map[bit] >= 0) out |= 1u << map[bit];
    }
    return out;
}

struct TableFeatures {
    uint64_t metadata_match = 0, metadata_write = 0;
    int miss_config = -1;  // -1: the default (not printed); 0 controller, 1 continue, 2 drop
    uint32_t max_entries = 0;
    uint32_t instructions = 0;                                                   // bit i: kInstructionNames[i]
    uint32_t write_actions = 0, apply_actions = 0;                               // bits of kActionNames
    uint64_t write_setfields = 0, apply_setfields = 0, match = 0, wildcard = 0;  // bits of kFieldNames

    // As Open vSwitch compares them for "ditto" (not the wildcard bitmap).
    bool operator==(const TableFeatures& o) const {
        return metadata_match == o.metadata_match && metadata_write == o.metadata_write &&
               miss_config == o.miss_config && max_entries == o.max_entries && instructions == o.instructions &&
               write_actions == o.write_actions && apply_actions == o.apply_actions &&
               write_setfields == o.write_setfields && apply_setfields == o.apply_setfields && match == o.match;
    }
    bool empty() const { return *this == TableFeatures{}; }
};

const char* const kInstructionNames[] = {"meter",         "apply_actions",  "clear_actions",
                                         "write_actions", "write_metadata", "goto_table"};
// OFPIT11_* bits (1 << type) as bits of kInstructionNames.
uint32_t instructions_of(uint32_t wire) {
    static const int kMap[7] = {-1, 5, 4, 3, 1, 2, 0};  // by OFPIT type 0..6
    uint32_t out = 0;
    for (int type = 0; type < 7; type++) {
        if ((wire >> type) & 1 && kMap[type] >= 0) out |= 1u << kMap[type];
    }
    return out;
}

TableFeatures features_of(const OfpTableStatsEntry& t, uint8_t version) {
    TableFeatures f;
    f.max_entries = t.stats.max_entries;
    if (version == kOfp10) {
        f.match = f.wildcard = of10_fields(t.wildcards10);
    } else if (version == kOfp11 || version == kOfp12) {
        f.miss_config = int(t.config & 3) == 3 ? -1 : int(t.config & 3);
        f.instructions = instructions_of(t.instructions);
        // 1.1 has one action bitmap for both (OVS reads write_actions for both).
        f.write_actions = actions_of(t.write_actions, version);
        f.apply_actions = actions_of(version == kOfp11 ? t.write_actions : t.apply_actions, version);
        if (version == kOfp11) {
            f.wildcard = of11_fields(t.wildcards11);
            f.match = of11_fields(t.match11) | f.wildcard;
        } else {
            f.metadata_match = t.metadata_match;
            f.metadata_write = t.metadata_write;
            f.write_setfields = oxm12_fields(t.write_setfields);
            f.apply_setfields = oxm12_fields(t.apply_setfields);
            f.wildcard = oxm12_fields(t.wildcards12);
            f.match = oxm12_fields(t.match12) | f.wildcard;
        }
    }
    return f;
}

template <size_t N>
std::vector<std::string> names_of(uint64_t bits, const char* const (&names)[N]) {
    std::vector<std::string> out;
    for (size_t i = 0; i < N; i++) {
        if ((bits >> i) & 1) out.push_back(names[i]);
    }
    return out;
}

std::string field_list(uint64_t bits) {
    auto ids = names_of(bits, kFieldNames);
    std::string s;
    if (!ids.empty()) {
        s += ' ';
        print_names(s, ids, 0, ids.size(), 0);
    }
    return s;
}

std::string action_features_text(uint32_t actions, uint64_t setfields) {
    std::string s;
    if (actions) {
        std::string list;
        for (const auto& n : names_of(actions, kActionNames)) list += n + " ";
        list.pop_back();
        s += "        actions: " + list + "\n";
    }
    if (setfields) s += "        supported on Set-Field:" + field_list(setfields) + "\n";
    return s;
}

std::string instruction_features_text(const TableFeatures& f, const TableFeatures* prev) {
    std::string s;
    if (f.instructions) {
        std::string list;
        for (const auto& n : names_of(f.instructions, kInstructionNames)) list += n + " ";
        list.pop_back();
        s += "      instructions: " + list + "\n";
    }
    if (prev && f.write_actions == prev->write_actions && f.apply_actions == prev->apply_actions &&
        f.write_setfields == prev->write_setfields && f.apply_setfields == prev->apply_setfields && f.write_setfields) {
        s += "      (same actions)\n";
    } else if (f.write_actions != f.apply_actions || f.write_setfields != f.apply_setfields) {
        s += "      Write-Actions features:\n" + action_features_text(f.write_actions, f.write_setfields);
        s += "      Apply-Actions features:\n" + action_features_text(f.apply_actions, f.apply_setfields);
    } else if (f.write_actions || f.write_setfields) {
        s += "      Write-Actions and Apply-Actions features:\n" +
             action_features_text(f.write_actions, f.write_setfields);
    }
    return s;
}

// Everything after the statistics of a table whose features differ from
// the previous one's.
std::string features_text(const TableFeatures& f, const TableFeatures* prev) {
    static const char* const kMiss[] = {"controller", "continue", "drop"};
    std::string s;
    if (f.metadata_match || f.metadata_write) {
        auto hex0 = [](uint64_t v) { return v ? fmt::format("{:#x}", v) : std::string("0"); };
        s += fmt::format("    metadata: match={} write={}\n", hex0(f.metadata_match), hex0(f.metadata_write));
    }
    if (f.miss_config >= 0) s += fmt::format("    config={}\n", kMiss[f.miss_config]);
    if (f.max_entries) s += fmt::format("    max_entries={}\n", f.max_entries);
    bool has_instructions =
        f.instructions || f.write_actions || f.apply_actions || f.write_setfields || f.apply_setfields;
    bool same_instructions = prev && f.instructions == prev->instructions && f.write_actions == prev->write_actions &&
                             f.apply_actions == prev->apply_actions && f.write_setfields == prev->write_setfields &&
                             f.apply_setfields == prev->apply_setfields;
    if (same_instructions) {
        if (has_instructions) s += "    (same instructions)\n";
    } else if (has_instructions) {
        // Table statistics describe table misses and other flows alike.
        s += "    instructions (table miss and others):\n" + instruction_features_text(f, prev);
    }
    if (f.match) {
        if (prev && prev->match == f.match) {
            s += "    (same matching)\n";
        } else {
            s += "    matching:\n";
            // Table statistics have no maskable fields.
            if (uint64_t w = f.match & f.wildcard) s += "      exact match or wildcard:" + field_list(w) + "\n";
            if (uint64_t m = f.match & ~f.wildcard) s += "      must exact match:" + field_list(m) + "\n";
        }
    }
    return s;
}

std::string table_stats_text(const std::vector<OfpTableStatsEntry>& tables, uint8_t version) {
    std::string s;
    int first_ditto = -1, last_ditto = -1;
    auto finish = [&] {
        if (first_ditto < 0) return;
        s += '\n';
        if (first_ditto == last_ditto) {
            s += fmt::format("  table {}: ditto\n", first_ditto);
        } else {
            s += fmt::format("  tables {}...{}: ditto\n", first_ditto, last_ditto);
        }
    };
    for (size_t i = 0; i < tables.size(); i++) {
        const auto& t = tables[i];
        TableFeatures f = features_of(t, version);
        bool same_stats = false, same_features = false;
        TableFeatures pf;
        if (i) {
            const auto& p = tables[i - 1];
            pf = features_of(p, version);
            same_stats = t.stats.active_count == p.stats.active_count && t.stats.lookup_count == p.stats.lookup_count &&
                         t.stats.matched_count == p.stats.matched_count;
            same_features = f == pf;
        }
        if (same_stats && same_features && t.stats.name.empty()) {
            if (first_ditto < 0) first_ditto = t.stats.table_id;
            last_ditto = t.stats.table_id;
            continue;
        }
        finish();
        first_ditto = -1;
        s += fmt::format("\n  table {}", t.stats.table_id);
        if (!t.stats.name.empty()) s += fmt::format(" (\"{}\")", t.stats.name);
        s += ':';
        if (same_stats && same_features) {
            s += " ditto";
            continue;
        }
        s += '\n';
        s += fmt::format("    active={}, lookup={}, matched={}\n", t.stats.active_count, t.stats.lookup_count,
                         t.stats.matched_count);
        if (same_features) {
            if (!f.empty()) s += "    (same features)\n";
            continue;
        }
        s += features_text(f, i ? &pf : nullptr);
    }
    finish();
    return s;
}

// ---- Port statistics ---------------------------------------------------------------

std::string port_stats_text(const OfpPortStatsEntry& e) {
    const auto& p = e.stats;
    std::string s = "  port ";
    if (uint16_t(p.port_no) < 10) s += ' ';
    s += port_text(p.port_no);
    s += fmt::format(": rx pkts={}, bytes={}, drop={}, errs={}, frame={}, over={}, crc={}\n", stat_text(p.rx_packets),
                     stat_text(p.rx_bytes), stat_text(p.rx_dropped), stat_text(p.rx_errors), stat_text(p.rx_frame_err),
                     stat_text(p.rx_over_err), stat_text(p.rx_crc_err));
    s += fmt::format("           tx pkts={}, bytes={}, drop={}, errs={}, coll={}\n", stat_text(p.tx_packets),
                     stat_text(p.tx_bytes), stat_text(p.tx_dropped), stat_text(p.tx_errors), stat_text(p.collisions));
    if (p.duration_sec != UINT32_MAX)
        s += "           duration=" + format_duration(p.duration_sec, p.duration_nsec) + "\n";
    if (e.rfc2819.size() == 21) {
        static const char* const kRx[] = {
            "1_to_64_packets=",     "65_to_127_packets=",    "128_to_255_packets=",   "256_to_511_packets=",
            "512_to_1023_packets=", "1024_to_1522_packets=", "1523_to_max_packets=",  "broadcast_packets=",
            "undersized_errors=",   "oversize_errors=",      "rx_fragmented_errors=", "rx_jabber_errors="};
        static const int kRxIdx[] = {0, 1, 2, 3, 4, 5, 6, 15, 17, 18, 19, 20};
        static const char* const kTx[] = {"1_to_64_packets=",     "65_to_127_packets=",   "128_to_255_packets=",
                                          "256_to_511_packets=",  "512_to_1023_packets=", "1024_to_1522_packets=",
                                          "1523_to_max_packets=", "multicast_packets=",   "broadcast_packets="};
        static const int kTxIdx[] = {7, 8, 9, 10, 11, 12, 13, 14, 16};
        std::string rx, tx;
        for (int i = 0; i < 12; i++) {
            if (e.rfc2819[kRxIdx[i]] != UINT64_MAX) rx += fmt::format("{}{}, ", kRx[i], e.rfc2819[kRxIdx[i]]);
        }
        for (int i = 0; i < 9; i++) {
            if (e.rfc2819[kTxIdx[i]] != UINT64_MAX) tx += fmt::format("{}{}, ", kTx[i], e.rfc2819[kTxIdx[i]]);
        }
        if (!rx.empty()) s += "           rx rfc2819 " + rx + "\n";
        if (!tx.empty()) s += "           tx rfc2819 " + tx + "\n";
    }
    if (!e.custom.empty()) {
        s += "           CUSTOM Statistics";
        for (size_t i = 0; i < e.custom.size(); i++) {
            if (e.custom[i].first.empty()) continue;
            if (i % 3 == 0) {
                s += "\n                      ";
            } else {
                s += ' ';
            }
            s += fmt::format("{}={},", e.custom[i].first, e.custom[i].second);
        }
        s += '\n';
    }
    return s;
}

// ---- Other bodies -------------------------------------------------------------------

const char* packet_in_reason(uint8_t reason, std::string* buf) {
    switch (reason) {
        case 0:
            return "no_match";
        case 1:
            return "action";
        case 2:
            return "invalid_ttl";
        case 3:
            return "action_set";
        case 4:
            return "group";
        case 5:
            return "packet_out";
        default:
            *buf = std::to_string(reason);
            return buf->c_str();
    }
}

const char* flow_removed_reason(uint8_t reason, std::string* buf) {
    switch (reason) {
        case 0:
            return "idle";
        case 1:
            return "hard";
        case 2:
            return "delete";
        case 3:
            return "group_delete";
        case 4:
            return "meter_delete";
        case 5:
            return "eviction";
        default:
            *buf = std::to_string(reason);
            return buf->c_str();
    }
}

std::string hex_arg(std::span<const uint8_t> data) {
    std::string s;
    for (size_t i = 0; i < data.size(); i++) {
        if (i) s += '.';
        s += fmt::format("{:02x}", data[i]);
    }
    return s;
}

std::string packet_in_text(const OfpPacketInMsg& m, int verbosity) {
    const auto& pin = m.pin;
    std::string s;
    if (pin.table_id) s += fmt::format(" table_id={}", pin.table_id);
    if (pin.cookie != UINT64_MAX) s += fmt::format(" cookie={:#x}", pin.cookie);
    uint32_t total_len = pin.total_len;
    s += fmt::format(" total_len={} ", total_len);
    s += format_match(pin.metadata);
    std::string buf;
    s += fmt::format(" (via {})", packet_in_reason(pin.reason, &buf));
    s += fmt::format(" data_len={}", pin.packet.size());
    if (pin.buffer_id == UINT32_MAX) {
        s += " (unbuffered)";
        if (total_len != pin.packet.size()) s += " (***total_len != data_len***)";
    } else {
        s += fmt::format(" buffer={:#010x}", pin.buffer_id);
        if (total_len < pin.packet.size()) s += " (***total_len < data_len***)";
    }
    s += '\n';
    if (!pin.userdata.empty()) s += " userdata=" + hex_arg(pin.userdata) + "\n";
    if (verbosity > 0) s += packet_to_string(pin.packet);
    if (verbosity > 2) s += hex_dump(pin.packet, 0, false);
    return s;
}

std::string flow_removed_text(const OfpFlowRemoved& fr) {
    std::string buf;
    std::string s = " " + format_match(fr.match, fr.priority);
    s += fmt::format(" reason={}", flow_removed_reason(fr.reason, &buf));
    if (fr.table_id != 255) s += fmt::format(" table_id={}", fr.table_id);
    if (fr.cookie) s += fmt::format(" cookie:{:#x}", fr.cookie);
    s += " duration" + format_duration(fr.duration_sec, fr.duration_nsec);
    s += fmt::format(" idle{}", fr.idle_timeout);
    if (fr.hard_timeout) s += fmt::format(" hard{}", fr.hard_timeout);
    s += fmt::format(" pkts{} bytes{}\n", fr.packet_count, fr.byte_count);
    return s;
}

std::string flow_mod_text(std::span<const uint8_t> msg, const OfpMsgId& id, std::optional<OfpErr>* err) {
    auto res = decode_flow_mod(msg, true);
    const OfpFlowMod* fm = get(res, err);
    if (!fm) return {};
    static const char* const kCommands[] = {"ADD", "MOD", "MOD_STRICT", "DEL", "DEL_STRICT"};
    std::string s = " ";
    s += uint8_t(fm->command) < 5 ? kCommands[uint8_t(fm->command)] : fmt::format("cmd:{}", uint8_t(fm->command));
    // A 1.0 flow mod without a table names table 0 on the wire.
    uint8_t table = fm->table_id;
    if (id.version <= kOfp10 && table == 0xff && fm->command == FlowModCommand::Add) table = 0;
    if (table != 0) s += fmt::format(" table:{}", table);
    s += ' ';
    s += format_match(fm->match, fm->priority);
    if (s.back() != ' ') s += ' ';
    bool is_add = fm->command == FlowModCommand::Add;
    bool is_mod = fm->command == FlowModCommand::Modify || fm->command == FlowModCommand::ModifyStrict;
    uint64_t new_cookie = is_add || (is_mod && fm->modify_cookie) ? fm->cookie : UINT64_MAX;
    if (new_cookie != 0 && new_cookie != UINT64_MAX) s += fmt::format("cookie:{:#x} ", new_cookie);
    if (fm->cookie_mask) s += fmt::format("cookie:{:#x}/{:#x} ", fm->match_cookie, fm->cookie_mask);
    if (fm->idle_timeout) s += fmt::format("idle:{} ", fm->idle_timeout);
    if (fm->hard_timeout) s += fmt::format("hard:{} ", fm->hard_timeout);
    if (fm->importance) s += fmt::format("importance:{} ", fm->importance);
    if (fm->buffer_id != UINT32_MAX) s += fmt::format("buf:{:#x} ", fm->buffer_id);
    if (fm->out_port != 0xffffffff) s += "out_port:" + port_text(fm->out_port) + " ";
    uint16_t flags = fm->flags;
    // 1.0 and 1.1 have no reset_counts flag; their adds always reset.
    if (id.version <= kOfp11) flags &= ~kFfResetCounts;
    s += flow_mod_flags_text(flags);
    s += "actions=" + format_of_actions(fm->actions);
    return s;
}

std::string packet_out_text(std::span<const uint8_t> msg, int verbosity, std::optional<OfpErr>* err) {
    auto res = decode_packet_out(msg);
    const OfpPacketOut* po = get(res, err);
    if (!po) return {};
    Match md = po->metadata;
    MfValue v, k;
    v.b[14] = uint8_t(po->in_port >> 8);
    v.b[15] = uint8_t(po->in_port);
    k.b[14] = k.b[15] = 0xff;
    mf_set_match(mf_field(MfId::InPort), v, k, &md);
    std::string s = " " + format_match(md) + " actions=" + format_of_actions(po->actions);
    if (po->buffer_id == UINT32_MAX) {
        s += fmt::format(" data_len={}", po->packet.size());
        if (verbosity > 0 && !po->packet.empty()) s += "\n" + packet_to_string(po->packet);
        if (verbosity > 2) s += hex_dump(po->packet, 0, false);
    } else {
        s += fmt::format(" buffer={:#010x}", po->buffer_id);
    }
    return s;
}

std::string flow_stats_request_text(std::span<const uint8_t> msg, std::optional<OfpErr>* err) {
    auto res = decode_flow_stats_request(msg);
    const OfpFlowStatsRequest* r = get(res, err);
    if (!r) return {};
    std::string s;
    if (r->table_id != 0xff) s += fmt::format(" table={}", r->table_id);
    if (r->out_port != 0xffffffff) s += " out_port=" + port_text(r->out_port);
    s += " " + format_match(r->match);
    return s;
}

std::string hello_text(std::span<const uint8_t> msg) {
    uint32_t versions = decode_hello_versions(msg);
    std::string s = "\n version bitmap: ";
    bool first = true;
    for (int v = 0; v < 32; v++) {
        if (!(versions & (1u << v))) continue;
        if (!first) s += ", ";
        first = false;
        s += fmt::format("0x{:02x}", v);
    }
    return s;
}

// The body of an identified message; sets *err when it cannot be decoded.
std::string body_text(std::span<const uint8_t> msg, const OfpMsgId& id, int verbosity, std::optional<OfpErr>* err);

std::string error_text(std::span<const uint8_t> msg, std::optional<OfpErr>* err) {
    auto res = decode_error_msg(msg);
    const OfpErrorMsg* e = get(res, err);
    if (!e) return {};
    if (!e->err) {
        *err = OfpErr::OFPBRC_BAD_LEN;
        return {};
    }
    std::string s = fmt::format(" {}\n", ofp_error_name(*e->err));
    if (*e->err == OfpErr::OFPHFC_INCOMPATIBLE || *e->err == OfpErr::OFPHFC_EPERM) {
        for (uint8_t c : e->data) {
            if (c < 0x20 || c > 0x7e || c == '\\' || c == '"') {
                s += fmt::format("\\{:03o}", c);
            } else {
                s += char(c);
            }
        }
    } else {
        s += ofp_to_string(e->data, 1);
    }
    return s;
}

// Decodes 'msg' with 'decode' and formats the result with 'format', or
// records the decoding error.
template <typename Decode, typename Format>
std::string decoded(std::span<const uint8_t> msg, std::optional<OfpErr>* err, Decode decode, Format format) {
    auto res = decode(msg);
    const auto* v = get(res, err);
    return v ? format(*v) : std::string();
}

std::string features_text(const OfpFeaturesReply& f, const OfpMsgId& id) {
    const auto& ft = f.features;
    std::string s = fmt::format(" dpid:{:016x}\n", ft.datapath_id);
    s += fmt::format("n_tables:{}, n_buffers:{}", ft.n_tables, ft.n_buffers);
    if (ft.auxiliary_id) s += fmt::format(", auxiliary_id:{}", ft.auxiliary_id);
    s += "\ncapabilities: " + bit_names(ft.capabilities, capability_name, ' ') + "\n";
    if (id.form == OfpForm::Of10 && f.actions10) s += "actions: " + actions10_text(f.actions10) + "\n";
    return s + format_phy_ports(ft.ports);
}

std::string desc_text(std::span<const uint8_t> msg, const OfpMsgId& id, std::optional<OfpErr>* err) {
    auto body = msg.subspan(id.hdr_len, ofp_header(msg).length - id.hdr_len);
    if (body.size() < 1056) {
        *err = OfpErr::OFPBRC_BAD_LEN;
        return {};
    }
    auto field = [&](size_t ofs, size_t n) {
        std::string f(reinterpret_cast<const char*>(body.data() + ofs), n);
        return f.substr(0, f.find('\0'));
    };
    return fmt::format("\nManufacturer: {}\nHardware: {}\nSoftware: {}\nSerial Num: {}\nDP Description: {}\n",
                       field(0, 256), field(256, 256), field(512, 256), field(768, 32), field(800, 256));
}

// NXT_SET_FLOW_FORMAT, NXT_FLOW_MOD_TABLE_ID, NXT_SET_PACKET_IN_FORMAT.
std::string nx_control_text(std::span<const uint8_t> msg, const OfpMsgId& id, std::optional<OfpErr>* err) {
    bool has_value = ofp_header(msg).length >= 20;
    uint32_t v = has_value ? uint32_t(msg[16]) << 24 | msg[17] << 16 | msg[18] << 8 | msg[19] : 99;
    if (id.kind == OfpMsgKind::FlowModTableId) return has_value && msg[16] ? " enable" : " disable";
    if (id.kind == OfpMsgKind::SetFlowFormat) {
        return fmt::format(" format={}", v == 0 ? "openflow10" : v == 2 ? "nxm" : "(unknown)");
    }
    if (v > 2) {
        *err = OfpErr::OFPBRC_EPERM;
        return {};
    }
    static const char* const kFormats[] = {"standard", "nxt_packet_in", "nxt_packet_in2"};
    return fmt::format(" format={}", kFormats[v]);
}

// Multipart (statistics) messages.
std::string multipart_text(std::span<const uint8_t> msg, const OfpMsgId& id, int verbosity,
                           std::optional<OfpErr>* err) {
    switch (id.kind) {
        case OfpMsgKind::DescReply:
            return desc_text(msg, id, err);
        case OfpMsgKind::PortDescReply:
            return decoded(msg, err, decode_port_desc_reply, [](const auto& p) { return "\n" + format_phy_ports(p); });
        case OfpMsgKind::PortDescRequest:
            return decoded(msg, err, decode_port_stats_request, [](uint32_t p) { return " port=" + port_text(p); });
        case OfpMsgKind::PortStatsRequest:
            return decoded(msg, err, decode_port_stats_request, [](uint32_t p) { return " port_no=" + port_text(p); });
        case OfpMsgKind::FlowStatsReply:
            return decoded(msg, err, decode_flow_stats_reply, [](const auto& flows) {
                std::string s;
                for (const auto& f : flows) s += "\n " + format_flow_stats(f, true);
                return s;
            });
        case OfpMsgKind::AggregateReply:
            return decoded(msg, err, decode_aggregate_reply, [](const OfpAggregateStats& a) {
                return fmt::format(" packet_count={} byte_count={} flow_count={}", a.packet_count, a.byte_count,
                                   a.flow_count);
            });
        case OfpMsgKind::FlowStatsRequest:
        case OfpMsgKind::AggregateRequest:
            return flow_stats_request_text(msg, err);
        case OfpMsgKind::TableStatsReply:
            return decoded(msg, err, decode_table_stats_reply,
                           [&](const auto& t) { return table_stats_text(t, id.version); });
        case OfpMsgKind::PortStatsReply:
            return decoded(msg, err, decode_port_stats_reply, [&](const auto& ports) {
                std::string s = fmt::format(" {} ports\n", ports.size());
                if (verbosity >= 1) {
                    for (const auto& p : ports) s += port_stats_text(p);
                }
                return s;
            });
        default:
            return {};
    }
}

std::string body_text(std::span<const uint8_t> msg, const OfpMsgId& id, int verbosity, std::optional<OfpErr>* err) {
    if (id.multipart) return multipart_text(msg, id, verbosity, err);
    switch (id.kind) {
        case OfpMsgKind::Hello:
            return hello_text(msg);
        case OfpMsgKind::Error:
            return error_text(msg, err);
        case OfpMsgKind::EchoRequest:
        case OfpMsgKind::EchoReply: {
            size_t len = ofp_header(msg).length;
            std::string s = fmt::format(" {} bytes of payload\n", len - kOfpHeaderLen);
            if (verbosity > 1) s += hex_dump(msg.subspan(kOfpHeaderLen, len - kOfpHeaderLen), 0, true);
            return s;
        }
        case OfpMsgKind::FeaturesReply:
            return decoded(msg, err, decode_features_reply, [&](const auto& f) { return features_text(f, id); });
        case OfpMsgKind::GetConfigReply:
        case OfpMsgKind::SetConfig:
            return decoded(msg, err, decode_get_config_reply, [&](const OfpSwitchConfig& c) {
                uint16_t valid = 3 | (id.version < kOfp13 ? 4 : 0);
                if (id.kind == OfpMsgKind::SetConfig && (c.flags & ~valid)) {
                    *err = OfpErr::OFPSCFC_BAD_FLAGS;
                    return std::string();
                }
                return config_text(c, id.version);
            });
        case OfpMsgKind::PortStatus:
            return decoded(msg, err, decode_port_status, [](const OfpPortStatus& ps) {
                static const char* const kReasons[] = {" ADD:", " DEL:", " MOD:"};
                return kReasons[ps.reason] + format_phy_port(ps.desc);
            });
        case OfpMsgKind::PacketIn:
            return decoded(msg, err, decode_packet_in, [&](const auto& pin) { return packet_in_text(pin, verbosity); });
        case OfpMsgKind::FlowRemoved:
            return decoded(msg, err, decode_flow_removed, flow_removed_text);
        case OfpMsgKind::FlowMod:
            return flow_mod_text(msg, id, err);
        case OfpMsgKind::PacketOut:
            return packet_out_text(msg, verbosity, err);
        case OfpMsgKind::SetFlowFormat:
        case OfpMsgKind::FlowModTableId:
        case OfpMsgKind::SetPacketInFormat:
            return nx_control_text(msg, id, err);
        default:
            return {};
    }
}

// Why Open vSwitch would not decode a message ofp_identify() does not
// know: the first header it cannot read or place.
OfpErr unidentified_error(std::span<const uint8_t> msg) {
    OfpHeader h = ofp_header(msg);
    if (h.type > 3 && (h.version < kOfp10 || h.version > kOfp15)) return OfpErr::OFPBRC_BAD_VERSION;
    auto u16 = [&](size_t ofs) { return uint16_t(msg[ofs] << 8 | msg[ofs + 1]); };
    auto u32 = [&](size_t ofs) { return uint32_t(u16(ofs)) << 16 | u16(ofs + 2); };
    auto vendor = [&](size_t ofs) {
        if (h.length < ofs + 8) return OfpErr::OFPBRC_BAD_LEN;
        uint32_t v = u32(ofs);
        return v == kNxVendorId || v == 0x4f4e4600 ? OfpErr::OFPBRC_BAD_SUBTYPE : OfpErr::OFPBRC_BAD_VENDOR;
    };
    if (h.type == 4) return vendor(8);
    bool v10 = h.version == kOfp10;
    if (h.type == (v10 ? 16 : 18) || h.type == (v10 ? 17 : 19)) {
        size_t hdr = v10 ? 12 : 16;
        if (h.length < hdr) return OfpErr::OFPBRC_BAD_LEN;
        if (u16(8) == 0xffff) return vendor(hdr);
        return OfpErr::OFPBRC_BAD_STAT;
    }
    return OfpErr::OFPBRC_BAD_TYPE;
}

}  // namespace

std::string format_match(const Match& m, int priority) {
    MfValue type, mask;
    mf_get_match(mf_field(MfId::EthType), m, &type, &mask);
    uint16_t eth_type = uint16_t(type.b[14] << 8 | type.b[15]);
    bool exact = mask.b[14] == 0xff && mask.b[15] == 0xff;
    if (!exact || (eth_type != 0x8847 && eth_type != 0x8848)) return match_format(m, priority);
    // Without the type, then the shorthand where OVS puts protocol
    // shorthands: after the priority and pkt_mark.
    Match rest = m;
    MfValue zero;
    mf_set_match(mf_field(MfId::EthType), zero, zero, &rest);
    std::string s = match_format(rest, priority);
    size_t at = 0;
    for (const char* lead : {"priority=", "pkt_mark="}) {
        if (s.compare(at, std::strlen(lead), lead) == 0) {
            size_t comma = s.find(',', at);
            at = comma == std::string::npos ? s.size() : comma + 1;
        }
    }
    std::string word = eth_type == 0x8847 ? "mpls" : "mplsm";
    if (at == s.size()) {
        return s.empty() ? word : s + "," + word;
    }
    return s.substr(0, at) + word + "," + s.substr(at);
}

std::string format_duration(uint32_t sec, uint32_t nsec) {
    std::string s = std::to_string(sec);
    if (nsec > 0) {
        uint32_t msec = nsec / 1000000;
        if (msec * 1000000 == nsec) {
            s += fmt::format(".{:03}", msec);
        } else {
            std::string frac = fmt::format(".{:09}", nsec);
            while (frac.back() == '0') frac.pop_back();
            s += frac;
        }
    }
    return s + "s";
}

std::string hex_dump(std::span<const uint8_t> data, size_t ofs, bool ascii) {
    constexpr size_t kPerLine = 16;
    std::string s;
    size_t pos = 0;
    while (pos < data.size()) {
        size_t start = ofs % kPerLine;
        size_t end = std::min(kPerLine, start + (data.size() - pos));
        size_t n = end - start;
        s += fmt::format("{:08x}  ", ofs / kPerLine * kPerLine);
        size_t i = 0;
        for (; i < start; i++) s += "   ";
        for (; i < end; i++) s += fmt::format("{:02x}{}", data[pos + i - start], i == kPerLine / 2 - 1 ? '-' : ' ');
        if (ascii) {
            for (; i < kPerLine; i++) s += "   ";
            s += '|';
            for (i = 0; i < start; i++) s += ' ';
            for (; i < end; i++) {
                uint8_t c = data[pos + i - start];
                s += c >= 32 && c < 127 ? char(c) : '.';
            }
            for (; i < kPerLine; i++) s += ' ';
            s += '|';
        } else {
            chomp(s, ' ');
        }
        s += '\n';
        ofs += n;
        pos += n;
    }
    return s;
}

std::string format_flow_stats(const OfpFlowStatsEntry& e, bool show_stats) {
    const auto& fs = e.stats;
    std::string s;
    if (show_stats || fs.cookie) s += fmt::format("cookie={:#x}, ", fs.cookie);
    if (show_stats) s += "duration=" + format_duration(fs.duration_sec, fs.duration_nsec) + ", ";
    if (show_stats || fs.table_id) s += fmt::format("table={}, ", fs.table_id);
    if (show_stats)
        s += fmt::format("n_packets={}, n_bytes={}, ", stat_text(fs.packet_count), stat_text(fs.byte_count));
    if (fs.idle_timeout) s += fmt::format("idle_timeout={}, ", fs.idle_timeout);
    if (fs.hard_timeout) s += fmt::format("hard_timeout={}, ", fs.hard_timeout);
    s += flow_mod_flags_text(fs.flags);
    if (fs.importance) s += fmt::format("importance={}, ", fs.importance);
    if (show_stats && e.idle_age) s += fmt::format("idle_age={}, ", int32_t(*e.idle_age));
    if (show_stats && e.hard_age && *e.hard_age != fs.duration_sec) {
        s += fmt::format("hard_age={}, ", int32_t(*e.hard_age));
    }
    std::string m = format_match(fs.match, fs.priority);
    s += m;
    if (!m.empty()) s += ' ';
    s += "actions=" + format_of_actions(fs.actions);
    return s;
}

std::string ofp_to_string(std::span<const uint8_t> msg, int verbosity) {
    std::string s;
    if (msg.empty()) return "OpenFlow message is empty\n";
    if (msg.size() < kOfpHeaderLen) {
        s = fmt::format("OpenFlow packet too short (only {} bytes):\n", msg.size());
        return s + hex_dump(msg, 0, true);
    }
    OfpHeader h = ofp_header(msg);
    auto id = ofp_identify(msg);
    auto header = [&](const OfpMsgId& i) {
        std::string v;
        switch (h.version) {
            case kOfp10:
                break;
            case kOfp11:
                v = " (OF1.1)";
                break;
            case kOfp12:
                v = " (OF1.2)";
                break;
            case kOfp13:
                v = " (OF1.3)";
                break;
            case kOfp14:
                v = " (OF1.4)";
                break;
            case kOfp15:
                v = " (OF1.5)";
                break;
            default:
                v = fmt::format(" (OF 0x{:02x})", h.version);
                break;
        }
        return fmt::format("{}{} (xid={:#x}):", i.name, v, h.xid);
    };
    if (h.length > msg.size()) {
        if (id) s = header(*id) + "\n";
        s += fmt::format("(***truncated to {} bytes from {}***)\n", msg.size(), h.length);
        return s + hex_dump(msg, 0, true);
    }
    if (h.length < msg.size()) {
        s = fmt::format("(***only uses {} bytes out of {}***)\n", h.length, msg.size());
        return s + hex_dump(msg, 0, true);
    }
    std::optional<OfpErr> error;
    if (id && h.length >= id->hdr_len) {
        s = header(*id);
        size_t header_len = s.size();
        if (id->multipart && id->mp_flags) {
            uint16_t flags = id->mp_flags;
            bool reply = std::string_view(id->name).ends_with("reply");
            s += " flags=";
            if ((reply || h.version >= kOfp13) && (flags & kOfpMpReplyMore)) {
                s += "[more]";
                flags &= ~kOfpMpReplyMore;
            }
            if (flags) s += fmt::format("[***unknown flags 0x{:04x}***]", flags);
        }
        std::string body = body_text(msg, *id, verbosity, &error);
        if (error) {
            s += body;
            if (s.size() > header_len) {
                chomp(s, ' ');
                add_newline(s);
            } else {
                s += ' ';
            }
            s += fmt::format("***decode error: {}***\n", ofp_error_name(*error));
        } else {
            s += body;
            chomp(s, ' ');
        }
    } else {
        error = id ? OfpErr::OFPBRC_BAD_LEN : unidentified_error(msg);
        s += fmt::format("***decode error: {}***\n", ofp_error_name(*error));
    }
    if (verbosity >= 5 || error) {
        add_newline(s);
        s += hex_dump(msg, 0, true);
    }
    add_newline(s);
    return s;
}

}  // namespace xvs::ofctl
