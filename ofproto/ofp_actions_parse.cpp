// ovs-ofctl's action syntax (Open vSwitch 3.1's ofpacts_parse() and the
// parse_*() of each action), with its error messages.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <strings.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ofproto/ofp_actions.h"
#include "ofproto/ofp_actions_internal.h"

namespace xvs::ofproto {

using namespace wire;

// ---- Key/value splitting (ofputil_parse_key_value()) ----------------------

// Length of the value starting at s[0], up to a character of 'delims' or the
// end, skipping over balanced parentheses.
static size_t value_len(std::string_view s, std::string_view delims) {
    size_t n = 0;
    while (n < s.size() && delims.find(s[n]) == std::string_view::npos) {
        if (s[n] == '(') {
            int level = 0;
            do {
                if (n >= s.size()) return n;
                if (s[n] == '(') level++;
                if (s[n] == ')') level--;
                n++;
            } while (level > 0);
        } else {
            n++;
        }
    }
    return n;
}

// The next "key", "key:value", "key=value" or "key(value)" of 's' from *pos.
bool next_key_value(std::string_view s, size_t* pos, std::string_view* key, std::string_view* value) {
    while (*pos < s.size() && std::strchr(", \t\r\n", s[*pos])) ++*pos;
    if (*pos >= s.size()) return false;
    std::string_view rest = s.substr(*pos);
    size_t klen = rest.find_first_of(":=(, \t\r\n");
    if (klen == std::string_view::npos) klen = rest.size();
    char kdelim = klen < rest.size() ? rest[klen] : '\0';
    *key = rest.substr(0, klen);
    *pos += klen + (kdelim != '\0');
    std::string_view delims;
    if (kdelim == ':' || kdelim == '=')
        delims = ", \t\r\n";
    else if (kdelim == '(')
        delims = ")";
    else {
        *value = {};
        return true;
    }
    std::string_view v = s.substr(*pos);
    size_t vlen = value_len(v, delims);
    // "key(x)->y": the value runs on to the next delimiter ("load(...)->f").
    if (kdelim == '(' && v.substr(vlen).starts_with(")->")) vlen += value_len(v.substr(vlen), ", \t\r\n");
    *value = v.substr(0, vlen);
    *pos += vlen + (vlen < v.size());
    return true;
}

namespace {

using Error = std::optional<std::string>;

constexpr int kMaxDepth = 100;  // write_actions nesting, as Open vSwitch limits it

bool ieq(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// ---- Numbers (ovs-ofctl's str_to_*()) ------------------------------------------

bool str_to_llong(const std::string& s, int base, long long* x) {
    if (s.empty()) return false;
    char* tail;
    errno = 0;
    *x = std::strtoll(s.c_str(), &tail, base);
    return errno != ERANGE && errno != EINVAL && tail != s.c_str() && *tail == '\0';
}

Error str_to_u8(std::string_view text, const char* name, uint8_t* out) {
    long long v;
    if (!str_to_llong(std::string(text), 0, &v) || v < 0 || v > 255)
        return fmt::format("invalid {} \"{}\"", name, text);
    *out = static_cast<uint8_t>(v);
    return std::nullopt;
}

Error str_to_u16(std::string_view text, const char* name, uint16_t* out) {
    long long v;
    if (!str_to_llong(std::string(text), 0, &v) || v < 0 || v > 65535)
        return fmt::format("invalid {} \"{}\"", name, text);
    *out = static_cast<uint16_t>(v);
    return std::nullopt;
}

Error str_to_u64(std::string_view text, uint64_t* out) {
    if (text.empty()) return "missing required numeric argument";
    std::string s(text);
    char* tail;
    errno = 0;
    *out = std::strtoull(s.c_str(), &tail, 0);
    if (errno == EINVAL || errno == ERANGE || *tail) return fmt::format("invalid numeric format {}", text);
    return std::nullopt;
}

Error str_to_u32(std::string_view text, uint32_t* out) {
    uint64_t v;
    if (auto e = str_to_u64(text, &v)) return e;
    *out = static_cast<uint32_t>(v);  // like strtoul() into a uint32_t
    return std::nullopt;
}

// A port by number (1.0's 16-bit numbers, or 1.1's reserved 32-bit ones) or
// reserved name (ofputil_port_from_string()).
bool parse_port(std::string_view text, OfPort* port) {
    if (text.empty() || text[0] == '-') return false;
    long long n;
    if (str_to_llong(std::string(text), 10, &n)) {
        if (n < 0 || n > UINT32_MAX) return false;
        if (n <= 0xffff) {
            *port = static_cast<OfPort>(n);
            return true;
        }
        return port_from_ofp11(static_cast<uint32_t>(n), port);
    }
    static constexpr std::pair<const char*, OfPort> kNames[] = {
        {"IN_PORT", kOfppInPort}, {"TABLE", kOfppTable}, {"NORMAL", kOfppNormal},
        {"FLOOD", kOfppFlood},    {"ALL", kOfppAll},     {"CONTROLLER", kOfppController},
        {"LOCAL", kOfppLocal},    {"ANY", kOfppNone},    {"UNSET", kOfppUnset},
        {"NONE", kOfppNone},
    };
    for (const auto& [name, p] : kNames) {
        if (ieq(text, name)) {
            *port = p;
            return true;
        }
    }
    return false;
}

bool parse_table(std::string_view text, uint8_t* table) {
    long long n;
    if (text.empty() || text[0] == '-' || !str_to_llong(std::string(text), 10, &n) || n < 0 || n > 255) return false;
    *table = static_cast<uint8_t>(n);
    return true;
}

// Hex bytes, optionally separated by '.' or white space (ofpbuf_put_hex()).
bool parse_hex_bytes(std::string_view text, std::vector<uint8_t>* out) {
    for (size_t i = 0;;) {
        while (i < text.size() && std::strchr(" .\t\r\n", text[i])) i++;
        if (i == text.size()) return true;
        if (i + 1 >= text.size() || !isxdigit(static_cast<unsigned char>(text[i])) ||
            !isxdigit(static_cast<unsigned char>(text[i + 1])))
            return false;
        out->push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
        i += 2;
    }
}

// An integer of up to n_bytes bytes: hex with 0x of any length, else a
// 64-bit number (parse_int_string()).
bool parse_int_value(std::string_view text, unsigned n_bytes, MfValue* out) {
    *out = MfValue{};
    if (text.starts_with("0x") || text.starts_with("0X")) {
        std::string digits;
        for (char c : text.substr(2)) {
            if (!isxdigit(static_cast<unsigned char>(c))) return false;
            if (digits.empty() && c == '0') continue;  // leading zeros do not count against the width
            digits += c;
        }
        if ((digits.size() + 1) / 2 > n_bytes) return false;
        for (size_t i = 0; i < digits.size(); i++) {
            unsigned nibble =
                static_cast<unsigned>(std::stoi(std::string(1, digits[digits.size() - 1 - i]), nullptr, 16));
            out->b[15 - i / 2] |= static_cast<uint8_t>(nibble << (4 * (i % 2)));
        }
        return true;
    }
    uint64_t v;
    if (str_to_u64(text, &v)) return false;
    MfValue full = mfv_from_u64(v);
    for (unsigned i = 0; i < 8; i++)
        if (i < n_bytes) out->b[15 - i] = full.b[15 - i];
    return true;
}

bool parse_mac(std::string_view text, EthAddr* mac) {
    size_t i = 0;
    for (int k = 0; k < 6; k++) {
        if (k && (i >= text.size() || text[i++] != ':')) return false;
        size_t start = i;
        while (i < text.size() && i - start < 2 && isxdigit(static_cast<unsigned char>(text[i]))) i++;
        if (i == start) return false;
        (*mac)[k] = static_cast<uint8_t>(std::stoi(std::string(text.substr(start, i - start)), nullptr, 16));
    }
    return i == text.size();
}

// "VALUE->FIELD" split at the first "->".
Error split_arrow(std::string_view arg, std::string_view* value, std::string_view* key) {
    size_t arrow = arg.find("->");
    if (arrow == std::string_view::npos) return fmt::format("{}: missing `->'", arg);
    *value = arg.substr(0, arrow);
    *key = arg.substr(arrow + 2);
    if (key->empty()) return fmt::format("{}: missing field name following `->'", arg);
    return std::nullopt;
}

// ---- The parser -----------------------------------------------------------

class Parser {
public:
    Error list(std::string_view text, bool allow_instructions, bool in_write_actions, int depth, OfActions* out);

private:
    Error one(std::string_view key, std::string_view arg, int depth, OfActions* out, bool* drop);
    Error output(std::string_view arg, OfActions* out);
    Error controller(std::string_view arg, OfActions* out);
    Error enqueue(std::string_view arg, OfActions* out);
    Error set_field(std::string_view arg, OfActions* out);
    Error load(std::string_view arg, OfActions* out);
    Error move(std::string_view arg, OfActions* out);
    Error dec_ttl(std::string_view arg, OfActions* out);
    Error resubmit(std::string_view arg, OfActions* out);
    Error write_metadata(std::string_view arg, OfActions* out);
    Error fin_timeout(std::string_view arg, OfActions* out);
    Error conjunction(std::string_view arg, OfActions* out);
    Error multipath(std::string_view arg, OfActions* out);
    Error sample(std::string_view arg, OfActions* out);
    Error learn(std::string_view arg, OfActions* out);
    Error learn_spec(std::string_view orig, std::string_view name, std::string_view value, LearnSpec* spec);
};

Error Parser::list(std::string_view text, bool allow_instructions, bool in_write_actions, int depth, OfActions* out) {
    if (depth >= kMaxDepth) return "Action nested too deeply";
    bool drop = false;
    size_t pos = 0;
    std::string_view key, value;
    while (next_key_value(text, &pos, &key, &value))
        if (auto e = one(key, value, depth, out, &drop)) return e;
    if (drop && !out->empty()) return "\"drop\" must not be accompanied by any other action or instruction";
    if (in_write_actions) {
        for (const auto& a : *out)
            if (std::holds_alternative<ActMeter>(a)) return "write_actions action doesn't support nested action meter";
    }
    std::string msg;
    if (verify_order(*out, kOfp11, allow_instructions ? kAllInsts : kActionListInsts, &msg)) return msg;
    return std::nullopt;
}

// Actions Open vSwitch has that we do not (yet).
constexpr const char* kUnsupported[] = {
    "bundle",       "bundle_load",  "push",        "pop",         "set_mpls_label", "set_mpls_tc", "set_mpls_ttl",
    "dec_mpls_ttl", "push_mpls",    "pop_mpls",    "dec_nsh_ttl", "delete_field",   "encap",       "decap",
    "set_tunnel",   "set_tunnel64",
    "unroll_xlate", "ct",           "ct_clear",    "nat",         "output_trunc",   "check_pkt_larger",
    "debug_recirc", "debug_slow",
};

Error Parser::one(std::string_view key, std::string_view arg, int depth, OfActions* out, bool* drop) {
    for (const char* name : kUnsupported)
        if (ieq(key, name)) return fmt::format("action {} is not supported yet", name);

    auto u8_arg = [&](const char* what, uint8_t mask, const char* invalid, auto make) -> Error {
        uint8_t v;
        if (auto e = str_to_u8(arg, what, &v)) return e;
        if (v & ~mask) return fmt::format("{}: not a valid {}", arg, invalid);
        out->push_back(make(v));
        return std::nullopt;
    };
    auto u32_arg = [&](auto make) -> Error {
        uint32_t v;
        if (auto e = str_to_u32(arg, &v)) return e;
        out->push_back(make(v));
        return std::nullopt;
    };
    auto vlan_vid = [&](bool push) -> Error {
        uint16_t vid;
        if (auto e = str_to_u16(arg, "VLAN VID", &vid)) return e;
        if (vid & ~kVlanVidMask) return fmt::format("{}: not a valid VLAN VID", arg);
        out->push_back(ActSetVlanVid{.vid = vid, .push_if_none = push});
        return std::nullopt;
    };
    auto vlan_pcp = [&](bool push) {
        return u8_arg("VLAN PCP", 7, "VLAN PCP",
                      [&](uint8_t v) { return ActSetVlanPcp{.pcp = v, .push_if_none = push}; });
    };
    auto eth = [&](bool dst) -> Error {
        ActSetEth a{.dst = dst};
        if (!parse_mac(arg, &a.addr)) return fmt::format("invalid mac address {}", arg);
        out->push_back(a);
        return std::nullopt;
    };
    auto ipv4 = [&](bool dst) -> Error {
        ActSetIpv4 a{.dst = dst};
        if (inet_pton(AF_INET, std::string(arg).c_str(), &a.addr) != 1)
            return fmt::format("{}: could not convert to IP address", arg);
        out->push_back(a);
        return std::nullopt;
    };
    auto tp = [&](bool dst) -> Error {
        uint16_t port;
        if (auto e = str_to_u16(arg, dst ? "destination port" : "source port", &port)) return e;
        out->push_back(ActSetTp{.dst = dst, .port = port});
        return std::nullopt;
    };
    auto ttl = [&] { return u8_arg("TTL", 0xff, "TTL", [](uint8_t v) { return ActSetIpTtl{.ttl = v}; }); };

    if (ieq(key, "output") || ieq(key, "output_reg")) return output(arg, out);
    if (ieq(key, "group")) return u32_arg([](uint32_t v) { return ActGroup{.group_id = v}; });
    if (ieq(key, "controller")) return controller(arg, out);
    if (ieq(key, "enqueue")) return enqueue(arg, out);
    if (ieq(key, "set_field")) return set_field(arg, out);
    if (ieq(key, "set_vlan_vid")) return vlan_vid(false);
    if (ieq(key, "mod_vlan_vid")) return vlan_vid(true);
    if (ieq(key, "set_vlan_pcp")) return vlan_pcp(false);
    if (ieq(key, "mod_vlan_pcp")) return vlan_pcp(true);
    if (ieq(key, "strip_vlan") || ieq(key, "pop_vlan")) {
        out->push_back(ActPopVlan{.strip_vlan = ieq(key, "strip_vlan")});
        return std::nullopt;
    }
    if (ieq(key, "push_vlan")) {
        uint16_t tpid;
        if (auto e = str_to_u16(arg, "ethertype", &tpid)) return e;
        if (tpid != 0x8100 && tpid != 0x88a8) return fmt::format("{}: not a valid VLAN ethertype", arg);
        out->push_back(ActPushVlan{.tpid = tpid});
        return std::nullopt;
    }
    if (ieq(key, "mod_dl_src") || ieq(key, "mod_dl_dst")) return eth(ieq(key, "mod_dl_dst"));
    if (ieq(key, "mod_nw_src") || ieq(key, "mod_nw_dst")) return ipv4(ieq(key, "mod_nw_dst"));
    if (ieq(key, "mod_nw_tos")) return u8_arg("TOS", 0xfc, "TOS", [](uint8_t v) { return ActSetIpDscp{.tos = v}; });
    if (ieq(key, "mod_nw_ecn")) return u8_arg("ECN", 0x03, "ECN", [](uint8_t v) { return ActSetIpEcn{.ecn = v}; });
    if (ieq(key, "mod_nw_ttl") || ieq(key, "set_nw_ttl")) return ttl();
    if (ieq(key, "mod_tp_src") || ieq(key, "mod_tp_dst")) return tp(ieq(key, "mod_tp_dst"));
    if (ieq(key, "move")) return move(arg, out);
    if (ieq(key, "load")) return load(arg, out);
    if (ieq(key, "dec_ttl")) return dec_ttl(arg, out);
    if (ieq(key, "set_queue")) return u32_arg([](uint32_t v) { return ActSetQueue{.queue = v}; });
    if (ieq(key, "pop_queue")) return out->push_back(ActPopQueue{}), std::nullopt;
    if (ieq(key, "resubmit")) return resubmit(arg, out);
    if (ieq(key, "note")) {
        ActNote n;
        if (!parse_hex_bytes(arg, &n.data)) return "bad hex digit in `note' argument";
        out->push_back(std::move(n));
        return std::nullopt;
    }
    if (ieq(key, "exit")) return out->push_back(ActExit{}), std::nullopt;
    if (ieq(key, "conjunction")) return conjunction(arg, out);
    if (ieq(key, "multipath")) return multipath(arg, out);
    if (ieq(key, "sample")) return sample(arg, out);
    if (ieq(key, "meter")) return u32_arg([](uint32_t v) { return ActMeter{.meter_id = v}; });
    if (ieq(key, "clear_actions")) return out->push_back(ActClearActions{}), std::nullopt;
    if (ieq(key, "write_actions")) {
        ActWriteActions w;
        if (auto e = list(arg, false, true, depth + 1, &w.actions)) return e;
        out->push_back(std::move(w));
        return std::nullopt;
    }
    if (ieq(key, "clone")) {
        ActClone c;
        if (auto e = list(arg, false, false, depth + 1, &c.actions)) return e;
        out->push_back(std::move(c));
        return std::nullopt;
    }
    if (ieq(key, "write_metadata")) return write_metadata(arg, out);
    if (ieq(key, "fin_timeout")) return fin_timeout(arg, out);
    if (ieq(key, "learn")) return learn(arg, out);
    if (ieq(key, "goto_table")) {
        ActGotoTable g;
        if (!parse_table(arg, &g.table)) return fmt::format("unknown table \"{}\"", arg);
        out->push_back(g);
        return std::nullopt;
    }
    if (ieq(key, "drop")) return *drop = true, std::nullopt;
    if (ieq(key, "apply_actions")) return "apply_actions is the default instruction";
    OfPort port;
    if (parse_port(key, &port)) {
        // A bare port; CONTROLLER reached by number keeps max_len 0, as in Open vSwitch.
        if (port == kOfppController)
            out->push_back(ActController{.max_len = 0});
        else
            out->push_back(ActOutput{.port = port});
        return std::nullopt;
    }
    return fmt::format("unknown action {}", key);
}

Error Parser::output(std::string_view arg, OfActions* out) {
    if (arg.find("port") != std::string_view::npos && arg.find("max_len") != std::string_view::npos)
        return "action output_trunc is not supported yet";
    OfPort port;
    if (parse_port(arg, &port)) {
        if (port == kOfppController)
            out->push_back(ActController{});  // all of the packet
        else
            out->push_back(ActOutput{.port = port});
        return std::nullopt;
    }
    std::string ignored;
    if (auto sf = mf_parse_subfield(arg, &ignored)) {
        out->push_back(ActOutputReg{.src = *sf, .max_len = UINT16_MAX});
        return std::nullopt;
    }
    return fmt::format("{}: output to unknown port", arg);
}

// sample(key=value,...), as Open vSwitch's parse_SAMPLE() reads it.
Error Parser::sample(std::string_view arg, OfActions* out) {
    ActSample s;
    size_t pos = 0;
    std::string_view key, value;
    while (next_key_value(arg, &pos, &key, &value)) {
        Error e;
        if (key == "probability") {
            e = str_to_u16(value, "probability", &s.probability);
            if (!e && s.probability == 0) e = fmt::format("invalid probability value \"{}\"", value);
        } else if (key == "collector_set_id") {
            e = str_to_u32(value, &s.collector_set_id);
        } else if (key == "obs_domain_id") {
            e = str_to_u32(value, &s.obs_domain_id);
        } else if (key == "obs_point_id") {
            e = str_to_u32(value, &s.obs_point_id);
        } else if (key == "sampling_port") {
            if (!parse_port(value, &s.sampling_port)) e = fmt::format("{}: unknown port", value);
        } else if (key == "ingress") {
            s.direction = ActSample::kIngress;
        } else if (key == "egress") {
            s.direction = ActSample::kEgress;
        } else {
            e = fmt::format("invalid key \"{}\" in \"sample\" argument", key);
        }
        if (e) return e;
    }
    if (s.probability == 0) return "non-zero \"probability\" must be specified on sample";
    out->push_back(s);
    return std::nullopt;
}

Error Parser::controller(std::string_view arg, OfActions* out) {
    ActController c;
    if (arg.empty()) {
        // defaults
    } else if (arg.find_first_not_of("0123456789") == std::string_view::npos) {
        if (auto e = str_to_u16(arg, "max_len", &c.max_len)) return e;
    } else {
        size_t pos = 0;
        std::string_view name, value;
        while (next_key_value(arg, &pos, &name, &value)) {
            if (name == "reason") {
                // ofputil_packet_in_reason_from_string(): the names, and ""
                // for the two reasons that have none.
                static constexpr const char* kReasons[] = {"no_match",   "action", "invalid_ttl", "action_set", "group",
                                                           "packet_out", ""};
                bool found = false;
                for (uint8_t i = 0; i < std::size(kReasons) && !found; i++)
                    if (ieq(value, kReasons[i])) c.reason = i, found = true;
                if (!found) return fmt::format("unknown reason \"{}\"", value);
            } else if (name == "max_len") {
                if (auto e = str_to_u16(value, "max_len", &c.max_len)) return e;
            } else if (name == "id") {
                if (auto e = str_to_u16(value, "id", &c.controller_id)) return e;
            } else if (name == "userdata") {
                if (!parse_hex_bytes(value, &c.userdata)) return "bad hex digit in `controller' action `userdata'";
            } else if (name == "pause") {
                c.pause = true;
            } else if (name == "meter_id") {
                return "controller action meter_id is not supported yet";
            } else {
                return fmt::format("unknown key \"{}\" parsing controller action", name);
            }
        }
    }
    out->push_back(std::move(c));
    return std::nullopt;
}

Error Parser::enqueue(std::string_view arg, OfActions* out) {
    // strtok_r(arg, ":q,") then the rest: the port, a delimiter, the queue.
    size_t b = arg.find_first_not_of(":q,");
    size_t e = b == std::string_view::npos ? b : arg.find_first_of(":q,", b);
    std::string_view port_s = b == std::string_view::npos ? std::string_view{} : arg.substr(b, e - b);
    std::string_view queue_s = e == std::string_view::npos ? std::string_view{} : arg.substr(e + 1);
    if (port_s.empty() || queue_s.empty())
        return "\"enqueue\" syntax is \"enqueue:PORT:QUEUE\" or \"enqueue(PORT,QUEUE)\"";
    ActEnqueue q;
    if (!parse_port(port_s, &q.port)) return fmt::format("{}: enqueue to unknown port", port_s);
    if (auto err = str_to_u32(queue_s, &q.queue)) return err;
    out->push_back(q);
    return std::nullopt;
}

Error Parser::set_field(std::string_view arg, OfActions* out) {
    std::string_view value_s, key;
    if (auto e = split_arrow(arg, &value_s, &key)) return e;
    const MfField* f = mf_from_name(key);
    if (!f) return fmt::format("{} is not a valid OXM field name", key);
    if (!f->writable) return fmt::format("{} is read-only", key);
    ActSetField sf{.field = f};
    OfPort port;
    if ((f->id == MfId::InPort || f->id == MfId::InPortOxm) && parse_port(value_s, &port)) {
        sf.value = mfv_from_u64(f->id == MfId::InPort ? port : port_to_ofp11(port));
        sf.mask = mfv_all_ones(*f);
    } else {
        std::string err;
        if (!mf_parse_value(*f, value_s, &sf.value, &sf.mask, &err)) return err;
    }
    if (!mf_is_value_valid(*f, sf.value)) return fmt::format("{} is not a valid value for field {}", value_s, key);
    out->push_back(std::move(sf));
    return std::nullopt;
}

Error Parser::load(std::string_view arg, OfActions* out) {
    std::string_view value_s, key;
    if (auto e = split_arrow(arg, &value_s, &key)) return e;
    std::string err;
    auto dst = mf_parse_subfield(key, &err);
    if (!dst) return err;
    const MfField& f = *dst->field;
    MfValue v;
    if (!parse_int_value(value_s, f.n_bytes, &v)) return fmt::format("{}: cannot parse integer value", arg);
    if (!mfv_fits(v, dst->n_bits))
        return fmt::format("{}: value {} does not fit into {} bits", arg, mf_format_value(f, v, nullptr), dst->n_bits);
    ActSetField sf{.field = &f, .load = true};
    for (unsigned i = 0; i < dst->n_bits; i++) {
        mfv_set_bit(sf.value, dst->ofs + i, mfv_bit(v, i));
        mfv_set_bit(sf.mask, dst->ofs + i, true);
    }
    out->push_back(std::move(sf));
    return std::nullopt;
}

Error Parser::move(std::string_view arg, OfActions* out) {
    std::string err;
    size_t used = 0;
    auto src = mf_parse_subfield_prefix(arg, &used, &err);
    if (!src) return err;
    if (!arg.substr(used).starts_with("->")) return fmt::format("{}: missing `->' following source", arg);
    auto dst = mf_parse_subfield(arg.substr(used + 2), &err);
    if (!dst) return err;
    if (src->n_bits != dst->n_bits)
        return fmt::format("{}: source field is {} bits wide but destination is {} bits wide", arg, src->n_bits,
                           dst->n_bits);
    out->push_back(ActRegMove{.src = *src, .dst = *dst});
    return std::nullopt;
}

Error Parser::dec_ttl(std::string_view arg, OfActions* out) {
    ActDecTtl d;
    if (!arg.empty()) {
        // Controller ids separated by commas or spaces, read with atoi() as ovs-ofctl does.
        for (size_t i = 0; i < arg.size();) {
            size_t b = arg.find_first_not_of(", ", i);
            if (b == std::string_view::npos) break;
            size_t e = arg.find_first_of(", ", b);
            if (e == std::string_view::npos) e = arg.size();
            d.controller_ids.push_back(static_cast<uint16_t>(std::atoi(std::string(arg.substr(b, e - b)).c_str())));
            i = e;
        }
        if (d.controller_ids.empty()) return "dec_ttl_cnt_ids: expected at least one controller id.";
    }
    out->push_back(std::move(d));
    return std::nullopt;
}

Error Parser::resubmit(std::string_view arg, OfActions* out) {
    // strsep(','): in_port, table, "ct".
    auto field = [&](std::string_view* rest) {
        size_t c = rest->find(',');
        std::string_view f = rest->substr(0, c);
        *rest = c == std::string_view::npos ? std::string_view{} : rest->substr(c + 1);
        return f;
    };
    std::string_view rest = arg;
    std::string_view in_port_s = field(&rest), table_s = field(&rest), ct_s = field(&rest);
    ActResubmit r;
    if (!in_port_s.empty() && !parse_port(in_port_s, &r.in_port))
        return fmt::format("{}: resubmit to unknown port", in_port_s);
    if (!table_s.empty() && !parse_table(table_s, &r.table))
        return fmt::format("{}: resubmit to unknown table", table_s);
    if (!ct_s.empty()) {
        if (ct_s != "ct") return fmt::format("{}: unknown parameter", ct_s);
        return "action resubmit(...,ct) is not supported yet";
    }
    if (r.in_port == kOfppInPort && r.table == 255)
        return "at least one \"in_port\" or \"table\" must be specified on resubmit";
    out->push_back(r);
    return std::nullopt;
}

Error Parser::write_metadata(std::string_view arg, OfActions* out) {
    ActWriteMetadata md;
    size_t slash = arg.find('/');
    if (slash != std::string_view::npos) {
        if (auto e = str_to_u64(arg.substr(slash + 1), &md.mask)) return e;
    }
    if (auto e = str_to_u64(arg.substr(0, slash), &md.value)) return e;
    out->push_back(md);
    return std::nullopt;
}

Error Parser::fin_timeout(std::string_view arg, OfActions* out) {
    ActFinTimeout f;
    size_t pos = 0;
    std::string_view key, value;
    while (next_key_value(arg, &pos, &key, &value)) {
        Error e;
        if (key == "idle_timeout")
            e = str_to_u16(value, "idle_timeout", &f.fin_idle_timeout);
        else if (key == "hard_timeout")
            e = str_to_u16(value, "hard_timeout", &f.fin_hard_timeout);
        else
            e = fmt::format("invalid key '{}' in 'fin_timeout' argument", key);
        if (e) return e;
    }
    out->push_back(f);
    return std::nullopt;
}

// conjunction(ID,K/N): ID in C's notation (0x.., 0..), K and N decimal,
// blanks allowed around the separators.
Error Parser::conjunction(std::string_view arg, OfActions* out) {
    const std::string s(arg);
    const char* p = s.c_str();
    char* end;
    auto number = [&](int base, unsigned long long* v, char sep) {
        while (*p == ' ') p++;
        if (!std::isdigit(static_cast<unsigned char>(*p))) return false;
        errno = 0;
        *v = std::strtoull(p, &end, base);
        if (errno || end == p) return false;
        p = end;
        while (*p == ' ') p++;
        if (*p != sep) return false;
        if (sep) p++;
        return true;
    };
    unsigned long long id, k, n;
    if (!number(0, &id, ',') || !number(10, &k, '/') || !number(10, &n, '\0') || id > UINT32_MAX)
        return "\"conjunction\" syntax is \"conjunction(id,i/n)\"";
    if (n < 2) return "conjunction must have at least 2 clauses";
    if (n > 64) return "conjunction must have at most 64 clauses";
    if (k < 1) return "clause index must be positive";
    if (k > n) return "clause index must be less than or equal to number of clauses";
    out->push_back(ActConjunction{.id = static_cast<uint32_t>(id),
                                  .clause = static_cast<uint8_t>(k - 1),
                                  .n_clauses = static_cast<uint8_t>(n)});
    return std::nullopt;
}

// C's atoi(), which ovs-ofctl uses for learn's numbers: leading digits,
// 0 when there are none, truncated to the field by the caller.
long long atoi_like(std::string_view s) {
    return std::atoll(std::string(s).c_str());
}

// multipath(FIELDS, BASIS, ALGORITHM, N_LINKS, ARG, DST), split at commas
// and blanks as Open vSwitch does (strtok), numbers read as atoi() reads.
Error Parser::multipath(std::string_view arg, OfActions* out) {
    std::vector<std::string_view> tok;
    for (size_t i = 0; i < arg.size();) {
        size_t j = arg.find_first_of(", ", i);
        if (j == std::string_view::npos) j = arg.size();
        if (j > i) tok.push_back(arg.substr(i, j - i));
        i = j + 1;
    }
    if (tok.size() < 6) return fmt::format("{}: not enough arguments to multipath action", arg);
    ActMultipath m;
    auto fields = hash_fields_from_name(tok[0]);
    if (!fields) return fmt::format("{}: unknown fields `{}'", arg, tok[0]);
    m.fields = *fields;
    m.basis = static_cast<uint16_t>(atoi_like(tok[1]));
    auto algorithm = mp_algorithm_from_name(tok[2]);
    if (!algorithm) return fmt::format("{}: unknown algorithm `{}'", arg, tok[2]);
    m.algorithm = *algorithm;
    int n_links = static_cast<int>(atoi_like(tok[3]));
    if (n_links < 1 || n_links > 65536)
        return fmt::format("{}: n_links {} is not in valid range 1 to 65536", arg, n_links);
    m.max_link = static_cast<uint16_t>(n_links - 1);
    m.arg = static_cast<uint32_t>(atoi_like(tok[4]));
    std::string err;
    auto dst = mf_parse_subfield(tok[5], &err);
    if (!dst) return err;
    m.dst = *dst;
    if (m.dst.n_bits < 16 && n_links > (1 << m.dst.n_bits))
        return fmt::format("{}: {}-bit destination field has {} possible values, less than specified n_links {}", arg,
                           m.dst.n_bits, 1u << m.dst.n_bits, n_links);
    out->push_back(m);
    return std::nullopt;
}

// A number at the start of 'text' as Open vSwitch's parse_int_string()
// reads one into a 128-byte buffer (0x-hex of any length, white space
// allowed between the hex digits, else strtoull()): its value, how many
// characters it took (0: none), and whether it needs more than our 16
// bytes (then it fits no field).
size_t parse_int_prefix(std::string_view text, MfValue* v, bool* too_wide) {
    *v = MfValue{};
    *too_wide = false;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        std::string digits;
        size_t i = 2;
        for (;; i++) {
            while (i < text.size() && std::strchr(" \t\r\n", text[i])) i++;
            if (i >= text.size() || !isxdigit(static_cast<unsigned char>(text[i]))) break;
            if (digits.empty() && text[i] == '0') continue;
            digits += text[i];
        }
        if (digits.size() > 32) *too_wide = true;
        for (size_t k = 0; k < digits.size() && k < 32; k++) {
            char c = digits[digits.size() - 1 - k];
            unsigned nibble = static_cast<unsigned>(isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10);
            v->b[15 - k / 2] |= static_cast<uint8_t>(nibble << (4 * (k % 2)));
        }
        return i;
    }
    std::string s(text);
    char* tail;
    errno = 0;
    unsigned long long x = std::strtoull(s.c_str(), &tail, 0);
    if (errno || tail == s.c_str()) return 0;
    *v = mfv_from_u64(x);
    return static_cast<size_t>(tail - s.c_str());
}

// Whether learn can name the field: it needs an NXM or OXM header that is
// not an experimenter OXM (a flow_mod_spec has room for 32 bits).
bool learn_field_ok(const MfField& f) {
    MfWireHeader h = mf_wire_header(f, 0);
    return h.header && nxm_class(h.header) != kOxmClassExperimenter;
}

// learn(...): Open vSwitch's learn_parse(), its keywords, specs and messages.
Error Parser::learn(std::string_view arg, OfActions* out) {
    ActLearn l;
    size_t pos = 0;
    std::string_view name, value;
    while (next_key_value(arg, &pos, &name, &value)) {
        if (name == "table") {
            if (!parse_table(value, &l.table_id)) return fmt::format("unknown table \"{}\"", value);
            if (l.table_id == 255) return fmt::format("{}: table id 255 not valid for `learn' action", arg);
        } else if (name == "priority") {
            l.priority = static_cast<uint16_t>(atoi_like(value));
        } else if (name == "idle_timeout") {
            l.idle_timeout = static_cast<uint16_t>(atoi_like(value));
        } else if (name == "hard_timeout") {
            l.hard_timeout = static_cast<uint16_t>(atoi_like(value));
        } else if (name == "fin_idle_timeout") {
            l.fin_idle_timeout = static_cast<uint16_t>(atoi_like(value));
        } else if (name == "fin_hard_timeout") {
            l.fin_hard_timeout = static_cast<uint16_t>(atoi_like(value));
        } else if (name == "cookie") {
            l.cookie = std::strtoull(std::string(value).c_str(), nullptr, 0);
        } else if (name == "send_flow_rem") {
            l.flags |= kLearnSendFlowRem;
        } else if (name == "delete_learned") {
            l.flags |= kLearnDeleteLearned;
        } else if (name == "limit") {
            l.limit = static_cast<uint32_t>(atoi_like(value));
        } else if (name == "result_dst") {
            l.flags |= kLearnWriteResult;
            std::string err;
            auto sf = mf_parse_subfield(value, &err);
            if (!sf) return err;
            if (!sf->field->writable) return fmt::format("{} is read-only", value);
            if (sf->n_bits != 1) return "result_dst in 'learn' action must be a single bit";
            l.result_dst = *sf;
        } else {
            LearnSpec spec;
            if (auto e = learn_spec(arg, name, value, &spec)) return e;
            l.specs.push_back(spec);
        }
    }
    out->push_back(std::move(l));
    return std::nullopt;
}

// One spec: "FIELD[..]" (match on the packet's own bits), "FIELD[..]=SRC[..]"
// or "FIELD=VALUE" (match), "load:SRC[..]->DST[..]" or "load:VALUE->DST[..]",
// "output:SRC[..]" (learn_parse_spec()).
Error Parser::learn_spec(std::string_view orig, std::string_view name, std::string_view value, LearnSpec* spec) {
    std::string ignored;
    if (auto dst = mf_parse_subfield(name, &ignored)) {
        if (!learn_field_ok(*dst->field))
            return fmt::format("{}: experimenter OXM field '{}' not supported", orig, name);
        spec->dst = LearnSpec::Dst::Match;
        spec->dst_field = *dst;
        spec->n_bits = dst->n_bits;
        spec->src = LearnSpec::Src::Field;
        if (value.empty()) {
            spec->src_field = *dst;
            return std::nullopt;
        }
        std::string src_err;
        if (auto src = mf_parse_subfield(value, &src_err)) {
            if (src->n_bits != dst->n_bits)
                return fmt::format("{}: bit widths of {} ({}) and {} ({}) differ", orig, name, src->n_bits, value,
                                   dst->n_bits);
            spec->src_field = *src;
            return std::nullopt;
        }
        // Not a field: an immediate value, of the whole field in its own
        // syntax, of part of it as an integer.
        const MfField& f = *dst->field;
        MfValue imm, mask;
        std::string imm_err;
        if (dst->ofs == 0 && dst->n_bits == f.n_bits) {
            OfPort port;
            if ((f.id == MfId::InPort || f.id == MfId::InPortOxm) && parse_port(value, &port))
                imm = mfv_from_u64(f.id == MfId::InPort ? port : port_to_ofp11(port));
            else if (!mf_parse_value(f, value, &imm, &mask, &imm_err))
                ;
            else if (!mfv_is_all_ones(mask, f))
                imm_err = fmt::format("{}: wildcards not allowed here", value);
        } else if (!parse_int_value(value, f.n_bytes, &imm)) {
            imm_err = fmt::format("{}: cannot parse integer value", orig);
        } else if (!mfv_fits(imm, dst->n_bits)) {
            imm_err = fmt::format("{}: value {} does not fit into {} bits", orig, mf_format_value(f, imm, nullptr),
                                  dst->n_bits);
        }
        if (!imm_err.empty())
            return fmt::format("{}: {} value {} cannot be parsed as a subfield ({}) or an immediate value ({})", orig,
                               name, value, src_err, imm_err);
        spec->src = LearnSpec::Src::Immediate;
        size_t n_bytes = (dst->n_bits + 7u) / 8;
        for (size_t i = 16 - n_bytes; i < 16; i++) spec->src_imm.b[i] = imm.b[i];
        return std::nullopt;
    }
    if (name == "load") {
        size_t arrow = value.find("->");
        if (arrow == 0) return fmt::format("{}: missing source before `->' in `{}'", name, value);
        if (arrow == std::string_view::npos) return fmt::format("{}: missing `->' in `{}'", name, value);
        MfValue imm;
        bool too_wide;
        if (size_t used = parse_int_prefix(value, &imm, &too_wide)) {
            if (used != arrow) return fmt::format("{}: garbage before `->' in `{}'", name, value);
            std::string err;
            std::string_view dst_s = value.substr(arrow + 2);
            auto dst = mf_parse_subfield(dst_s, &err);
            if (!dst) return err;
            if (!learn_field_ok(*dst->field))
                return fmt::format("{}: experimenter OXM field '{}' not supported", value, dst_s);
            if (too_wide || !mfv_fits(imm, dst->n_bits))
                return fmt::format("{}: value does not fit into {} bits", value, dst->n_bits);
            *spec = LearnSpec{.src = LearnSpec::Src::Immediate,
                              .dst = LearnSpec::Dst::Load,
                              .n_bits = dst->n_bits,
                              .src_imm = imm,
                              .dst_field = *dst};
            return std::nullopt;
        }
        OfActions mv;
        if (auto e = move(value, &mv)) return e;
        const auto& m = std::get<ActRegMove>(mv.front().variant());
        *spec = LearnSpec{.src = LearnSpec::Src::Field,
                          .dst = LearnSpec::Dst::Load,
                          .n_bits = m.src.n_bits,
                          .src_field = m.src,
                          .dst_field = m.dst};
        return std::nullopt;
    }
    if (name == "output") {
        std::string err;
        auto src = mf_parse_subfield(value, &err);
        if (!src) return err;
        *spec = LearnSpec{.src = LearnSpec::Src::Field, .dst = LearnSpec::Dst::Output, .n_bits = src->n_bits,
                          .src_field = *src};
        return std::nullopt;
    }
    return fmt::format("{}: unknown keyword {}", orig, name);
}

}  // namespace

std::optional<OfActions> parse_of_actions(std::string_view text, std::string* error, bool allow_instructions) {
    OfActions out;
    if (auto e = Parser().list(text, allow_instructions, false, 0, &out)) {
        if (error) *error = *e;
        return std::nullopt;
    }
    return out;
}

}  // namespace xvs::ofproto
