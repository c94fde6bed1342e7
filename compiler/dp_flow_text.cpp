// Datapath flow text <-> ABI. Parsing happens in two steps: the text is
// first read into a tree of "name(...)" / "name=value" / "value" nodes that
// keeps string_views into the input (so any later error can report the
// offset of its token), then the tree is interpreted as a match or an action
// list. Match fields are described by tables (FieldSpec) that both the parser
// and the formatter walk, so the two cannot drift apart.
#include "compiler/dp_flow_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <span>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compiler/dp_actions.h"
#include "util/netaddr.h"

namespace xvs {
namespace {

// ---- Errors ---------------------------------------------------------

// All tokens are views into the text being parsed, so their offset is a
// pointer difference.
class Src {
public:
    explicit Src(std::string_view text) : text_(text) {}

    std::string_view text() const { return text_; }

    size_t offset(std::string_view tok) const {
        if (tok.data() == nullptr || text_.data() == nullptr) return 0;
        return static_cast<size_t>(tok.data() - text_.data());
    }

    Error err(std::string_view what, std::string_view tok, std::string_view expected = {}) const {
        std::string msg = fmt::format("{} at offset {}: '{}'", what, offset(tok), tok);
        if (!expected.empty()) msg += fmt::format(", expected {}", expected);
        return Error{std::move(msg)};
    }

private:
    std::string_view text_;
};

// ---- Syntax tree ----------------------------------------------------

// One comma-separated item: "name", "name=value" or "name(children)".
struct Node {
    std::string_view name;
    std::string_view value; // after '=' when has_value
    std::string_view open;  // the '(' when has_parens
    bool has_value = false;
    bool has_parens = false;
    std::vector<Node> children;

    bool is_field() const { return has_value && !has_parens; }
    bool is_bare() const { return !has_value && !has_parens; }
};

// Deeper than any valid flow (vlan, encap, vlan, encap, ipv4 = 4 levels);
// the cap keeps hostile input from exhausting the stack.
constexpr int kMaxDepth = 8;

bool is_word_char(char c) {
    return c != '(' && c != ')' && c != ',' && c != '=' &&
           !std::isspace(static_cast<unsigned char>(c));
}

class TreeParser {
public:
    explicit TreeParser(const Src& src) : src_(src), s_(src.text()) {}

    Result<std::vector<Node>> parse() {
        std::vector<Node> items;
        if (auto st = parse_list(items, 0); !st) return st.error();
        if (pos_ < s_.size()) return src_.err("unbalanced parenthesis", s_.substr(pos_, 1));
        return items;
    }

private:
    bool at(char c) const { return pos_ < s_.size() && s_[pos_] == c; }
    bool at_end() const { return pos_ >= s_.size(); }

    void skip_ws() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) pos_++;
    }

    std::string_view read_word() {
        size_t start = pos_;
        while (pos_ < s_.size() && is_word_char(s_[pos_])) pos_++;
        return s_.substr(start, pos_ - start);
    }

    // The token at the current position, for error messages: a word, or
    // a single punctuation character, or "" at the end.
    std::string_view here() const {
        size_t end = pos_;
        while (end < s_.size() && is_word_char(s_[end])) end++;
        if (end == pos_ && pos_ < s_.size()) end++;
        return s_.substr(pos_, end - pos_);
    }

    // Items up to the end of the text or a ')', which is left unconsumed.
    Status parse_list(std::vector<Node>& out, int depth) {
        skip_ws();
        if (at_end() || at(')')) return {};
        for (;;) {
            Node node;
            if (auto st = parse_item(node, depth); !st) return st;
            out.push_back(std::move(node));
            skip_ws();
            if (at_end() || at(')')) return {};
            if (!at(',')) return src_.err(depth == 0 ? "expected ','" : "expected ',' or ')'", here());
            pos_++;
            skip_ws();
        }
    }

    Status parse_item(Node& node, int depth) {
        node.name = read_word();
        if (node.name.empty()) return src_.err("expected a name", here());
        skip_ws();
        if (at('(')) {
            if (depth >= kMaxDepth) return src_.err("parentheses nested too deeply", s_.substr(pos_, 1));
            node.has_parens = true;
            node.open = s_.substr(pos_, 1);
            pos_++;
            if (auto st = parse_list(node.children, depth + 1); !st) return st;
            if (!at(')')) return src_.err("unbalanced parenthesis", node.open, "')'");
            pos_++;
        } else if (at('=')) {
            pos_++;
            skip_ws();
            node.has_value = true;
            node.value = read_word();
            if (node.value.empty()) return src_.err("missing value after '='", node.name);
        }
        return {};
    }

    const Src& src_;
    std::string_view s_;
    size_t pos_ = 0;
};

// The one plain value inside "name(value)".
Result<std::string_view> single_value(const Src& src, const Node& n) {
    if (!n.has_parens || n.children.empty())
        return src.err("missing value", n.name, fmt::format("{}(value)", n.name));
    const Node& c = n.children[0];
    if (!c.is_bare()) return src.err("expected a plain value", c.name);
    if (n.children.size() > 1) return src.err("too many values", n.children[1].name, "one");
    return c.name;
}

Result<uint64_t> parse_number(const Src& src, std::string_view tok, uint64_t max) {
    auto v = parse_uint(tok, UINT64_MAX);
    if (!v) return src.err("bad number", tok);
    if (*v > max) return src.err("value out of range", tok, fmt::format("at most {}", max));
    return *v;
}

Result<uint64_t> parse_tpid(const Src& src, std::string_view tok) {
    auto v = parse_number(src, tok, 0xffff);
    if (!v) return v.error();
    if (*v != 0x8100 && *v != 0x88a8) return src.err("unsupported VLAN TPID", tok, "0x8100 or 0x88a8");
    return *v;
}

template <typename T, typename Name>
std::string join_names(std::span<const T> items, Name name) {
    std::string out;
    for (const T& item : items) {
        if (!out.empty()) out += ", ";
        out += name(item);
    }
    return out;
}

// ---- Match fields ---------------------------------------------------

enum class Ft : uint8_t { U8, U16, Be16, U32, Be32, Mac, Ip4, Ip6 };
enum class Style : uint8_t { Dec, Hex, Frag, TcpFlags };

struct FieldSpec {
    std::string_view name;
    Ft type;
    uint16_t offset;         // into xvs_flow_key
    uint32_t full = 0;       // exact-match mask of a numeric field, unshifted
    Style style = Style::Dec;
    uint8_t shift = 0;       // position of a subfield (VLAN PCP) in its field
    uint32_t max = 0;        // largest value when below full (0: full)
};

#define XVS_KOFF(field) static_cast<uint16_t>(offsetof(xvs_flow_key, field))

constexpr FieldSpec kRecircId{"recirc_id", Ft::U32, XVS_KOFF(recirc_id), 0xffffffff};
constexpr FieldSpec kInPort{"in_port", Ft::U32, XVS_KOFF(in_port), 0xffffffff, Style::Dec, 0,
                            XVS_MAX_PORTS - 1};
constexpr FieldSpec kEthType{"eth_type", Ft::Be16, XVS_KOFF(eth_type), 0xffff, Style::Hex};
constexpr FieldSpec kVlanTci{"vlan_tci", Ft::Be16, XVS_KOFF(vlan_tci), 0xffff, Style::Hex};
constexpr FieldSpec kTcpFlags{"tcp_flags", Ft::Be16, XVS_KOFF(tcp_flags), 0x0fff, Style::TcpFlags};
constexpr FieldSpec kParseFlags{"parse_flags", Ft::U16, XVS_KOFF(parse_flags), 0xffff, Style::Hex};
constexpr FieldSpec kVlanTpid{"tpid", Ft::Be16, XVS_KOFF(vlan_tpid), 0xffff, Style::Hex};
constexpr FieldSpec kCvlanTpid{"tpid", Ft::Be16, XVS_KOFF(cvlan_tpid), 0xffff, Style::Hex};

constexpr FieldSpec kEthFields[] = {
    {"src", Ft::Mac, XVS_KOFF(eth_src)},
    {"dst", Ft::Mac, XVS_KOFF(eth_dst)},
};
constexpr FieldSpec kVlanFields[] = {
    {"vid", Ft::Be16, XVS_KOFF(vlan_tci), 0x0fff},
    {"pcp", Ft::Be16, XVS_KOFF(vlan_tci), 0x7, Style::Dec, 13},
};
constexpr FieldSpec kCvlanFields[] = {
    {"vid", Ft::Be16, XVS_KOFF(cvlan_tci), 0x0fff},
    {"pcp", Ft::Be16, XVS_KOFF(cvlan_tci), 0x7, Style::Dec, 13},
};
constexpr FieldSpec kIpv4Fields[] = {
    {"src", Ft::Ip4, XVS_KOFF(nw_src)},
    {"dst", Ft::Ip4, XVS_KOFF(nw_dst)},
    {"proto", Ft::U8, XVS_KOFF(nw_proto), 0xff},
    {"tos", Ft::U8, XVS_KOFF(nw_tos), 0xff},
    {"ttl", Ft::U8, XVS_KOFF(nw_ttl), 0xff},
    {"frag", Ft::U8, XVS_KOFF(nw_frag), 0x03, Style::Frag},
};
constexpr FieldSpec kIpv6Fields[] = {
    {"src", Ft::Ip6, XVS_KOFF(nw_src)},
    {"dst", Ft::Ip6, XVS_KOFF(nw_dst)},
    {"label", Ft::Be32, XVS_KOFF(ipv6_label), 0xfffff},
    {"proto", Ft::U8, XVS_KOFF(nw_proto), 0xff},
    {"tclass", Ft::U8, XVS_KOFF(nw_tos), 0xff},
    {"hlimit", Ft::U8, XVS_KOFF(nw_ttl), 0xff},
    {"frag", Ft::U8, XVS_KOFF(nw_frag), 0x03, Style::Frag},
};
constexpr FieldSpec kTpFields[] = {
    {"src", Ft::Be16, XVS_KOFF(tp_src), 0xffff},
    {"dst", Ft::Be16, XVS_KOFF(tp_dst), 0xffff},
};
// ICMP type and code are 8 bits widened into tp_src/tp_dst.
constexpr FieldSpec kIcmpFields[] = {
    {"type", Ft::Be16, XVS_KOFF(tp_src), 0xff},
    {"code", Ft::Be16, XVS_KOFF(tp_dst), 0xff},
};
constexpr FieldSpec kArpFields[] = {
    {"sip", Ft::Ip4, XVS_KOFF(nw_src)},
    {"tip", Ft::Ip4, XVS_KOFF(nw_dst)},
    {"op", Ft::U8, XVS_KOFF(nw_proto), 0xff},
    {"sha", Ft::Mac, XVS_KOFF(arp_sha)},
    {"tha", Ft::Mac, XVS_KOFF(arp_tha)},
};
constexpr FieldSpec kNdFields[] = {
    {"target", Ft::Ip6, XVS_KOFF(nd_target)},
    {"sll", Ft::Mac, XVS_KOFF(arp_sha)},
    {"tll", Ft::Mac, XVS_KOFF(arp_tha)},
};

#undef XVS_KOFF

using NameValue = std::pair<std::string_view, uint32_t>;
constexpr NameValue kFragNames[] = {
    {"no", 0},
    {"first", XVS_FRAG_ANY},
    {"later", XVS_FRAG_ANY | XVS_FRAG_LATER},
};
constexpr NameValue kTcpFlagNames[] = {
    {"fin", 0x001}, {"syn", 0x002}, {"rst", 0x004}, {"psh", 0x008}, {"ack", 0x010},
    {"urg", 0x020}, {"ece", 0x040}, {"cwr", 0x080}, {"ns", 0x100},
};

bool is_addr(Ft t) { return t == Ft::Mac || t == Ft::Ip4 || t == Ft::Ip6; }

size_t addr_len(Ft t) {
    switch (t) {
    case Ft::Mac: return 6;
    case Ft::Ip4: return 4;
    default: return 16;
    }
}

const uint8_t* field_ptr(const xvs_flow_key& k, const FieldSpec& f) {
    return reinterpret_cast<const uint8_t*>(&k) + f.offset;
}
uint8_t* field_ptr(xvs_flow_key& k, const FieldSpec& f) {
    return reinterpret_cast<uint8_t*>(&k) + f.offset;
}

// The whole numeric field containing f, in host order.
uint32_t load_word(const xvs_flow_key& k, const FieldSpec& f) {
    const uint8_t* p = field_ptr(k, f);
    uint16_t v16 = 0;
    uint32_t v32 = 0;
    switch (f.type) {
    case Ft::U8: return *p;
    case Ft::U16: std::memcpy(&v16, p, 2); return v16;
    case Ft::Be16: std::memcpy(&v16, p, 2); return ntohs(v16);
    case Ft::U32: std::memcpy(&v32, p, 4); return v32;
    case Ft::Be32: std::memcpy(&v32, p, 4); return ntohl(v32);
    default: return 0;
    }
}

void store_word(xvs_flow_key& k, const FieldSpec& f, uint32_t w) {
    uint8_t* p = field_ptr(k, f);
    uint16_t v16 = 0;
    uint32_t v32 = 0;
    switch (f.type) {
    case Ft::U8: *p = static_cast<uint8_t>(w); break;
    case Ft::U16: v16 = static_cast<uint16_t>(w); std::memcpy(p, &v16, 2); break;
    case Ft::Be16: v16 = htons(static_cast<uint16_t>(w)); std::memcpy(p, &v16, 2); break;
    case Ft::U32: v32 = w; std::memcpy(p, &v32, 4); break;
    case Ft::Be32: v32 = htonl(w); std::memcpy(p, &v32, 4); break;
    default: break;
    }
}

uint32_t get_num(const xvs_flow_key& k, const FieldSpec& f) {
    return (load_word(k, f) >> f.shift) & f.full;
}

void put_num(xvs_flow_key& k, const FieldSpec& f, uint32_t v) {
    uint32_t w = load_word(k, f) & ~(f.full << f.shift);
    store_word(k, f, w | ((v & f.full) << f.shift));
}

bool field_masked(const xvs_flow_key& mask, const FieldSpec& f) {
    if (!is_addr(f.type)) return get_num(mask, f) != 0;
    const uint8_t* p = field_ptr(mask, f);
    return std::any_of(p, p + addr_len(f.type), [](uint8_t b) { return b != 0; });
}

// ---- Field values ---------------------------------------------------

struct ValueMask {
    std::string_view value;
    std::string_view mask;
    bool has_mask = false;
};

ValueMask split_mask(std::string_view s) {
    size_t slash = s.find('/');
    if (slash == std::string_view::npos) return {s, {}, false};
    return {s.substr(0, slash), s.substr(slash + 1), true};
}

Result<uint32_t> parse_tcp_flag_names(const Src& src, std::string_view tok) {
    uint32_t flags = 0;
    for (;;) {
        size_t bar = tok.find('|');
        std::string_view name = tok.substr(0, bar);
        auto it = std::find_if(std::begin(kTcpFlagNames), std::end(kTcpFlagNames),
                               [&](const NameValue& nv) { return nv.first == name; });
        if (it == std::end(kTcpFlagNames))
            return src.err("unknown TCP flag", name, "fin, syn, rst, psh, ack, urg, ece, cwr or ns");
        flags |= it->second;
        if (bar == std::string_view::npos) return flags;
        tok.remove_prefix(bar + 1);
    }
}

// A numeric field's value or mask: a number, or for frag and tcp_flags
// also the symbolic names.
Result<uint64_t> parse_field_number(const Src& src, const FieldSpec& f, std::string_view tok,
                                    uint64_t limit) {
    bool symbolic = !tok.empty() && std::isalpha(static_cast<unsigned char>(tok[0]));
    if (symbolic && f.style == Style::Frag) {
        for (const auto& [name, v] : kFragNames)
            if (name == tok) return v;
        return src.err("unknown frag type", tok, "no, first or later");
    }
    if (symbolic && f.style == Style::TcpFlags) {
        auto v = parse_tcp_flag_names(src, tok);
        if (!v) return v.error();
        return *v;
    }
    return parse_number(src, tok, limit);
}

using AddrBytes = std::array<uint8_t, 16>;

Result<AddrBytes> parse_addr_value(const Src& src, Ft type, std::string_view tok) {
    AddrBytes out{};
    if (type == Ft::Mac) {
        auto mac = parse_mac(tok);
        if (!mac) return src.err("bad MAC address", tok);
        std::copy(mac->begin(), mac->end(), out.begin());
    } else if (type == Ft::Ip4) {
        auto a = parse_ipv4(tok);
        if (!a) return src.err("bad IPv4 address", tok);
        std::memcpy(out.data(), &*a, 4);
    } else {
        auto a = parse_ipv6(tok);
        if (!a) return src.err("bad IPv6 address", tok);
        out = *a;
    }
    return out;
}

// An address mask: a MAC, a dotted IPv4 or an IPv6 address, or for IP a
// prefix length.
Result<AddrBytes> parse_addr_mask(const Src& src, Ft type, std::string_view tok) {
    bool as_addr = type == Ft::Mac || (type == Ft::Ip4 && tok.find('.') != std::string_view::npos) ||
                   (type == Ft::Ip6 && tok.find(':') != std::string_view::npos);
    if (as_addr) return parse_addr_value(src, type, tok);
    auto bits = parse_uint(tok, UINT64_MAX);
    const char* what = type == Ft::Ip4 ? "bad IPv4 mask" : "bad IPv6 mask";
    if (!bits) return src.err(what, tok, "an address mask or a prefix length");
    size_t max_bits = addr_len(type) * 8;
    if (*bits > max_bits) return src.err("prefix length out of range", tok, fmt::format("at most {}", max_bits));
    AddrBytes out{};
    for (size_t i = 0; i < addr_len(type); i++) {
        size_t left = *bits > i * 8 ? *bits - i * 8 : 0;
        out[i] = left >= 8 ? 0xff : static_cast<uint8_t>(0xff00u >> left);
    }
    return out;
}

// ---- Match parsing --------------------------------------------------

enum class Attr : uint8_t {
    RecircId, InPort, Eth, EthType, VlanTci, Vlan, Encap, Ipv4, Ipv6, Arp,
    Tcp, Udp, Sctp, Icmp, Icmpv6, TcpFlags, Nd, ParseFlags,
};

// Top: not inside encap(). Inner: L3/L4, which belong inside encap() once
// a level has a vlan().
enum class Scope : uint8_t { Top, Any, Inner };

struct AttrInfo {
    std::string_view name;
    Attr attr;
    Scope scope;
};

constexpr AttrInfo kAttrs[] = {
    {"recirc_id", Attr::RecircId, Scope::Top}, {"in_port", Attr::InPort, Scope::Top},
    {"eth", Attr::Eth, Scope::Top},            {"eth_type", Attr::EthType, Scope::Any},
    {"vlan_tci", Attr::VlanTci, Scope::Top},   {"vlan", Attr::Vlan, Scope::Any},
    {"encap", Attr::Encap, Scope::Any},        {"ipv4", Attr::Ipv4, Scope::Inner},
    {"ipv6", Attr::Ipv6, Scope::Inner},        {"arp", Attr::Arp, Scope::Inner},
    {"tcp", Attr::Tcp, Scope::Inner},          {"udp", Attr::Udp, Scope::Inner},
    {"sctp", Attr::Sctp, Scope::Inner},        {"icmp", Attr::Icmp, Scope::Inner},
    {"icmpv6", Attr::Icmpv6, Scope::Inner},    {"tcp_flags", Attr::TcpFlags, Scope::Inner},
    {"nd", Attr::Nd, Scope::Inner},            {"parse_flags", Attr::ParseFlags, Scope::Top},
};

const AttrInfo* find_attr(std::string_view name) {
    for (const AttrInfo& a : kAttrs)
        if (a.name == name) return &a;
    return nullptr;
}

const FieldSpec* find_field(std::span<const FieldSpec> fields, std::string_view name) {
    for (const FieldSpec& f : fields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string field_names(std::span<const FieldSpec> fields) {
    return join_names(fields, [](const FieldSpec& f) { return std::string(f.name); });
}

// What one level (top, or inside an encap()) has seen so far.
struct LevelState {
    bool has_vlan = false;
    uint32_t eth_tpid = 0; // eth_type() before vlan(): the TPID
    uint32_t vlan_tpid = 0; // vlan(tpid=)
    std::string_view vlan_tpid_tok;
    std::vector<std::string_view> seen;
};

class MatchBuilder {
public:
    explicit MatchBuilder(const Src& src) : src_(src) {}

    Result<DpMatch> build(const std::vector<Node>& items) {
        if (auto st = apply_level(items, 0); !st) return st.error();
        if (!recirc_given_) m_.mask.recirc_id = 0xffffffff; // OVS: always exact
        if (auto st = check_prereqs(); !st) return st.error();
        return m_;
    }

private:
    Status apply_level(const std::vector<Node>& items, int level);
    Status check_placement(const AttrInfo& info, const Node& n, int level, LevelState& st);
    Status apply_attr(const AttrInfo& info, const Node& n, int level, LevelState& st);
    Status apply_fields(const Node& n, std::span<const FieldSpec> fields);
    Status apply_single(const Node& n, const FieldSpec& f);
    Status apply_tpid_type(const Node& n, LevelState& st);
    Status apply_vlan(const Node& n, int level, LevelState& st);
    Status finish_vlan_level(int level, const LevelState& st);
    Status set_field(const FieldSpec& f, std::string_view name_tok, std::string_view text);
    Status set_number(const FieldSpec& f, const ValueMask& vm);
    Status check_prereqs() const;
    Status check_prereq(Attr attr, std::string_view tok) const;

    bool eth_is(uint16_t type) const {
        return m_.mask.eth_type == 0xffff && m_.key.eth_type == htons(type);
    }
    bool proto_is(uint8_t proto) const {
        return m_.mask.nw_proto == 0xff && m_.key.nw_proto == proto;
    }

    const Src& src_;
    DpMatch m_;
    bool recirc_given_ = false;
    std::vector<std::pair<Attr, std::string_view>> needs_prereq_;
};

Status MatchBuilder::apply_level(const std::vector<Node>& items, int level) {
    LevelState st;
    st.has_vlan = std::any_of(items.begin(), items.end(), [](const Node& n) { return n.name == "vlan"; });
    for (const Node& n : items) {
        const AttrInfo* info = find_attr(n.name);
        if (!info)
            return src_.err("unknown attribute", n.name,
                            "one of " + join_names(std::span<const AttrInfo>(kAttrs),
                                                   [](const AttrInfo& a) { return std::string(a.name); }));
        if (auto s = check_placement(*info, n, level, st); !s) return s;
        if (auto s = apply_attr(*info, n, level, st); !s) return s;
    }
    return st.has_vlan ? finish_vlan_level(level, st) : Status{};
}

// Syntax and nesting rules that do not depend on the attribute's contents.
Status MatchBuilder::check_placement(const AttrInfo& info, const Node& n, int level, LevelState& st) {
    if (n.has_value) return src_.err("unexpected '=' after attribute", n.name, fmt::format("{}(...)", n.name));
    if (!n.has_parens) return src_.err("missing '(' after attribute", n.name, fmt::format("{}(...)", n.name));
    if (std::find(st.seen.begin(), st.seen.end(), n.name) != st.seen.end())
        return src_.err("duplicate attribute", n.name);
    st.seen.push_back(n.name);
    if (info.scope == Scope::Top && level > 0) return src_.err("attribute not allowed inside encap()", n.name);
    if (info.scope == Scope::Inner && st.has_vlan)
        return src_.err("attribute must be inside encap() after vlan()", n.name);
    if (info.attr == Attr::Encap && !st.has_vlan) return src_.err("encap() without vlan()", n.name);
    if (info.attr == Attr::VlanTci && st.has_vlan) return src_.err("vlan_tci() conflicts with vlan()", n.name);
    if (info.attr == Attr::Vlan && level >= 2) return src_.err("too many vlan() tags", n.name, "at most two");
    return {};
}

Status MatchBuilder::apply_attr(const AttrInfo& info, const Node& n, int level, LevelState& st) {
    if (info.scope == Scope::Inner) needs_prereq_.emplace_back(info.attr, n.name);
    switch (info.attr) {
    case Attr::RecircId: {
        auto v = single_value(src_, n);
        if (!v) return v.error();
        if (v->find('/') != std::string_view::npos) return src_.err("recirc_id cannot be masked", *v);
        recirc_given_ = true;
        return set_field(kRecircId, n.name, *v);
    }
    case Attr::InPort: return apply_single(n, kInPort);
    case Attr::Eth: return apply_fields(n, kEthFields);
    case Attr::EthType: return st.has_vlan ? apply_tpid_type(n, st) : apply_single(n, kEthType);
    case Attr::VlanTci: return apply_single(n, kVlanTci);
    case Attr::Vlan: return apply_vlan(n, level, st);
    case Attr::Encap: return apply_level(n.children, level + 1);
    case Attr::Ipv4: return apply_fields(n, kIpv4Fields);
    case Attr::Ipv6: return apply_fields(n, kIpv6Fields);
    case Attr::Arp: return apply_fields(n, kArpFields);
    case Attr::Tcp:
    case Attr::Udp:
    case Attr::Sctp: return apply_fields(n, kTpFields);
    case Attr::Icmp:
    case Attr::Icmpv6: return apply_fields(n, kIcmpFields);
    case Attr::TcpFlags: return apply_single(n, kTcpFlags);
    case Attr::Nd: return apply_fields(n, kNdFields);
    case Attr::ParseFlags: return apply_single(n, kParseFlags);
    }
    return {};
}

Status MatchBuilder::apply_fields(const Node& n, std::span<const FieldSpec> fields) {
    for (const Node& c : n.children) {
        if (!c.is_field()) return src_.err("expected field=value", c.name);
        const FieldSpec* f = find_field(fields, c.name);
        if (!f) return src_.err(fmt::format("unknown field of {}()", n.name), c.name, "one of " + field_names(fields));
        if (auto st = set_field(*f, c.name, c.value); !st) return st;
    }
    return {};
}

Status MatchBuilder::apply_single(const Node& n, const FieldSpec& f) {
    auto v = single_value(src_, n);
    if (!v) return v.error();
    return set_field(f, n.name, *v);
}

// eth_type() beside a vlan() names the tag's TPID, not key.eth_type (which
// is the type after all tags).
Status MatchBuilder::apply_tpid_type(const Node& n, LevelState& st) {
    auto v = single_value(src_, n);
    if (!v) return v.error();
    auto tpid = parse_tpid(src_, *v);
    if (!tpid) return tpid.error();
    st.eth_tpid = static_cast<uint32_t>(*tpid);
    return {};
}

Status MatchBuilder::apply_vlan(const Node& n, int level, LevelState& st) {
    std::span<const FieldSpec> fields = level == 0 ? std::span<const FieldSpec>(kVlanFields)
                                                   : std::span<const FieldSpec>(kCvlanFields);
    for (const Node& c : n.children) {
        if (!c.is_field()) return src_.err("expected field=value", c.name);
        if (c.name == "tpid") {
            if (!st.vlan_tpid_tok.empty()) return src_.err("field given twice", c.name);
            auto tpid = parse_tpid(src_, c.value);
            if (!tpid) return tpid.error();
            st.vlan_tpid = static_cast<uint32_t>(*tpid);
            st.vlan_tpid_tok = c.value;
            continue;
        }
        const FieldSpec* f = find_field(fields, c.name);
        if (!f) return src_.err("unknown field of vlan()", c.name, "one of vid, pcp, tpid");
        if (auto s = set_field(*f, c.name, c.value); !s) return s;
    }
    // A vlan() always requires the tag to be present (the CFI bit the
    // parser forces on).
    FieldSpec present{"", Ft::Be16, fields[0].offset, 0xffff};
    put_num(m_.key, present, get_num(m_.key, present) | 0x1000);
    put_num(m_.mask, present, get_num(m_.mask, present) | 0x1000);
    return {};
}

Status MatchBuilder::finish_vlan_level(int level, const LevelState& st) {
    if (st.vlan_tpid && st.eth_tpid && st.vlan_tpid != st.eth_tpid)
        return src_.err("vlan() tpid does not match the eth_type before it", st.vlan_tpid_tok);
    uint32_t tpid = st.vlan_tpid ? st.vlan_tpid : st.eth_tpid ? st.eth_tpid : 0x8100;
    const FieldSpec& f = level == 0 ? kVlanTpid : kCvlanTpid;
    put_num(m_.key, f, tpid);
    put_num(m_.mask, f, 0xffff);
    return {};
}

Status MatchBuilder::set_field(const FieldSpec& f, std::string_view name_tok, std::string_view text) {
    if (field_masked(m_.mask, f)) return src_.err("field given twice", name_tok);
    ValueMask vm = split_mask(text);
    if (!is_addr(f.type)) return set_number(f, vm);
    auto value = parse_addr_value(src_, f.type, vm.value);
    if (!value) return value.error();
    AddrBytes mask;
    mask.fill(0xff);
    if (vm.has_mask) {
        auto m = parse_addr_mask(src_, f.type, vm.mask);
        if (!m) return m.error();
        mask = *m;
    }
    uint8_t* kp = field_ptr(m_.key, f);
    uint8_t* mp = field_ptr(m_.mask, f);
    for (size_t i = 0; i < addr_len(f.type); i++) {
        kp[i] = (*value)[i] & mask[i];
        mp[i] = mask[i];
    }
    return {};
}

Status MatchBuilder::set_number(const FieldSpec& f, const ValueMask& vm) {
    auto value = parse_field_number(src_, f, vm.value, f.max ? f.max : f.full);
    if (!value) return value.error();
    uint64_t mask = f.full;
    if (vm.has_mask) {
        auto m = parse_field_number(src_, f, vm.mask, f.full);
        if (!m) return m.error();
        mask = *m;
    }
    put_num(m_.key, f, static_cast<uint32_t>(*value & mask));
    put_num(m_.mask, f, static_cast<uint32_t>(mask));
    return {};
}

Status MatchBuilder::check_prereqs() const {
    for (const auto& [attr, tok] : needs_prereq_)
        if (auto st = check_prereq(attr, tok); !st) return st;
    return {};
}

Status MatchBuilder::check_prereq(Attr attr, std::string_view tok) const {
    bool ip = eth_is(0x0800) || eth_is(0x86dd);
    switch (attr) {
    case Attr::Ipv4:
        if (!eth_is(0x0800)) return src_.err("ipv4() requires eth_type(0x0800)", tok);
        break;
    case Attr::Ipv6:
        if (!eth_is(0x86dd)) return src_.err("ipv6() requires eth_type(0x86dd)", tok);
        break;
    case Attr::Arp:
        if (!eth_is(0x0806) && !eth_is(0x8035))
            return src_.err("arp() requires eth_type(0x0806) or eth_type(0x8035)", tok);
        break;
    case Attr::Tcp:
    case Attr::TcpFlags:
        if (!ip || !proto_is(6)) return src_.err(fmt::format("{}() requires ipv4() or ipv6() with proto=6", tok), tok);
        break;
    case Attr::Udp:
        if (!ip || !proto_is(17)) return src_.err("udp() requires ipv4() or ipv6() with proto=17", tok);
        break;
    case Attr::Sctp:
        if (!ip || !proto_is(132)) return src_.err("sctp() requires ipv4() or ipv6() with proto=132", tok);
        break;
    case Attr::Icmp:
        if (!eth_is(0x0800) || !proto_is(1)) return src_.err("icmp() requires ipv4() with proto=1", tok);
        break;
    case Attr::Icmpv6:
        if (!eth_is(0x86dd) || !proto_is(58)) return src_.err("icmpv6() requires ipv6() with proto=58", tok);
        break;
    case Attr::Nd: {
        uint16_t type = ntohs(m_.key.tp_src), type_mask = ntohs(m_.mask.tp_src);
        bool nd_type = (type_mask & 0xff) == 0xff && (type == 135 || type == 136);
        if (!eth_is(0x86dd) || !proto_is(58) || !nd_type)
            return src_.err("nd() requires icmpv6(type=135) or icmpv6(type=136)", tok);
        break;
    }
    default: break;
    }
    return {};
}

// ---- Match formatting -----------------------------------------------

bool all_ones(const uint8_t* p, size_t n) {
    return std::all_of(p, p + n, [](uint8_t b) { return b == 0xff; });
}

std::string format_addr(Ft type, const uint8_t* p) {
    if (type == Ft::Mac) return format_mac(p);
    if (type == Ft::Ip6) return format_ipv6(p);
    uint32_t a;
    std::memcpy(&a, p, 4);
    return format_ipv4(a);
}

int hex_digits(uint32_t v) {
    int n = 1;
    while (v >>= 4) n++;
    return n;
}

std::string format_number(const FieldSpec& f, uint32_t v, uint32_t mask) {
    switch (f.style) {
    case Style::Hex:
    case Style::TcpFlags: return fmt::format("0x{:0{}x}", v, hex_digits(f.full));
    case Style::Frag:
        if (mask == f.full)
            for (const auto& [name, value] : kFragNames)
                if (value == v) return std::string(name);
        return fmt::format("{}", v);
    case Style::Dec: break;
    }
    return fmt::format("{}", v);
}

// "value" or "value/mask" of one field whose mask is non-zero.
std::string format_field(const xvs_flow_key& k, const xvs_flow_key& m, const FieldSpec& f) {
    if (is_addr(f.type)) {
        std::string out = format_addr(f.type, field_ptr(k, f));
        if (!all_ones(field_ptr(m, f), addr_len(f.type))) out += "/" + format_addr(f.type, field_ptr(m, f));
        return out;
    }
    uint32_t v = get_num(k, f), mask = get_num(m, f);
    std::string out = format_number(f, v, mask);
    if (mask != f.full) out += fmt::format("/0x{:x}", mask);
    return out;
}

std::string format_fields(const xvs_flow_key& k, const xvs_flow_key& m, std::span<const FieldSpec> fields) {
    std::string out;
    for (const FieldSpec& f : fields) {
        if (!field_masked(m, f)) continue;
        if (!out.empty()) out += ',';
        out += fmt::format("{}={}", f.name, format_field(k, m, f));
    }
    return out;
}

using Parts = std::vector<std::string>;

void add_attr(Parts& parts, std::string_view name, const xvs_flow_key& k, const xvs_flow_key& m,
              std::span<const FieldSpec> fields) {
    std::string body = format_fields(k, m, fields);
    if (!body.empty()) parts.push_back(fmt::format("{}({})", name, body));
}

void add_single(Parts& parts, const xvs_flow_key& k, const xvs_flow_key& m, const FieldSpec& f) {
    if (field_masked(m, f)) parts.push_back(fmt::format("{}({})", f.name, format_field(k, m, f)));
}

std::string join(const Parts& parts) {
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) out += ',';
        out += p;
    }
    return out;
}

enum class L3 : uint8_t { None, Ipv4, Ipv6, Arp };

bool any_masked(const xvs_flow_key& m, std::span<const FieldSpec> fields) {
    return std::any_of(fields.begin(), fields.end(), [&](const FieldSpec& f) { return field_masked(m, f); });
}

// Which L3 attribute the network fields print under: the one eth_type
// names; without an exact eth_type (a match parse_dp_match would reject)
// still show the fields rather than hide them.
L3 l3_of(const xvs_flow_key& k, const xvs_flow_key& m) {
    if (m.eth_type == 0xffff) {
        switch (ntohs(k.eth_type)) {
        case 0x0800: return L3::Ipv4;
        case 0x86dd: return L3::Ipv6;
        case 0x0806:
        case 0x8035: return L3::Arp;
        default: return L3::None;
        }
    }
    if (!any_masked(m, kIpv6Fields)) return L3::None;
    bool v6_only = m.ipv6_label || m.nw_src[1] || m.nw_src[2] || m.nw_src[3] || m.nw_dst[1] ||
                   m.nw_dst[2] || m.nw_dst[3];
    return v6_only ? L3::Ipv6 : L3::Ipv4;
}

void add_l4(Parts& parts, L3 l3, const xvs_flow_key& k, const xvs_flow_key& m) {
    std::string_view name = "tcp";
    std::span<const FieldSpec> fields = kTpFields;
    if ((l3 == L3::Ipv4 || l3 == L3::Ipv6) && m.nw_proto == 0xff) {
        if (k.nw_proto == 17) name = "udp";
        if (k.nw_proto == 132) name = "sctp";
        if (k.nw_proto == 1 && l3 == L3::Ipv4) name = "icmp", fields = kIcmpFields;
        if (k.nw_proto == 58 && l3 == L3::Ipv6) name = "icmpv6", fields = kIcmpFields;
    }
    if (l3 != L3::Arp) add_attr(parts, name, k, m, fields);
    add_single(parts, k, m, kTcpFlags);
    if (name == "icmpv6") add_attr(parts, "nd", k, m, kNdFields);
}

// Everything after the VLAN tags: eth_type, L3, L4.
Parts format_inner(const xvs_flow_key& k, const xvs_flow_key& m) {
    Parts parts;
    add_single(parts, k, m, kEthType);
    L3 l3 = l3_of(k, m);
    if (l3 == L3::Ipv4) add_attr(parts, "ipv4", k, m, kIpv4Fields);
    if (l3 == L3::Ipv6) add_attr(parts, "ipv6", k, m, kIpv6Fields);
    if (l3 == L3::Arp) add_attr(parts, "arp", k, m, kArpFields);
    add_l4(parts, l3, k, m);
    return parts;
}

// eth_type(TPID),vlan(...),encap(...) for the outer (level 0) or inner tag.
Parts format_vlan(const xvs_flow_key& k, const xvs_flow_key& m, int level) {
    const FieldSpec& tpid = level == 0 ? kVlanTpid : kCvlanTpid;
    std::span<const FieldSpec> fields = level == 0 ? std::span<const FieldSpec>(kVlanFields)
                                                   : std::span<const FieldSpec>(kCvlanFields);
    Parts parts;
    parts.push_back(fmt::format("eth_type(0x{:04x})", get_num(k, tpid)));
    parts.push_back(fmt::format("vlan({})", format_fields(k, m, fields)));
    Parts inner = level == 0 && m.cvlan_tpid ? format_vlan(k, m, 1) : format_inner(k, m);
    parts.push_back(fmt::format("encap({})", join(inner)));
    return parts;
}

// ---- Actions --------------------------------------------------------

enum class SetKind : uint8_t { Mac, Ip4, Ip6, U8, Port };

struct SetField {
    std::string_view header;
    std::string_view field;
    xvs_action_type type;
    SetKind kind;
};

constexpr SetField kSetFields[] = {
    {"eth", "src", XVS_ACT_SET_ETH_SRC, SetKind::Mac},
    {"eth", "dst", XVS_ACT_SET_ETH_DST, SetKind::Mac},
    {"ipv4", "src", XVS_ACT_SET_IPV4_SRC, SetKind::Ip4},
    {"ipv4", "dst", XVS_ACT_SET_IPV4_DST, SetKind::Ip4},
    {"ipv4", "tos", XVS_ACT_SET_IPV4_TOS, SetKind::U8},
    {"ipv4", "ttl", XVS_ACT_SET_IPV4_TTL, SetKind::U8},
    {"ipv6", "src", XVS_ACT_SET_IPV6_SRC, SetKind::Ip6},
    {"ipv6", "dst", XVS_ACT_SET_IPV6_DST, SetKind::Ip6},
    {"ipv6", "tclass", XVS_ACT_SET_IPV6_TC, SetKind::U8},
    {"ipv6", "hlimit", XVS_ACT_SET_IPV6_HLIMIT, SetKind::U8},
    {"tcp", "src", XVS_ACT_SET_TP_SRC, SetKind::Port},
    {"tcp", "dst", XVS_ACT_SET_TP_DST, SetKind::Port},
    {"udp", "src", XVS_ACT_SET_TP_SRC, SetKind::Port},
    {"udp", "dst", XVS_ACT_SET_TP_DST, SetKind::Port},
};

constexpr std::string_view kActionNames =
    "a port number, output, flood, push_vlan, pop_vlan, set, dec_ttl, drop, userspace, sample, recirc "
    "or meter";

// 2^32 - 1 stands for 100%, as in OVS.
constexpr double kProbabilityOne = 4294967295.0;

uint32_t percent_to_probability(double percent) {
    return static_cast<uint32_t>(std::llround(percent / 100.0 * kProbabilityOne));
}

class ActionsBuilder {
public:
    explicit ActionsBuilder(const Src& src) : src_(src) {}

    Result<xvs_action_list> build(const std::vector<Node>& items);

private:
    Status apply(const Node& n);
    Status push(std::string_view tok, const xvs_action& a);
    Status apply_numbered(const Node& n, xvs_action_type type, uint64_t min, uint64_t max);
    Status apply_bare(const Node& n, xvs_action_type type);
    Status apply_push_vlan(const Node& n);
    Status apply_set(const Node& n);
    Status apply_set_field(const Node& header, const Node& field);
    Status apply_userspace(const Node& n);
    Status apply_sample(const Node& n);
    Result<uint32_t> parse_percent(std::string_view tok) const;
    Status expect_fields(const Node& n, std::initializer_list<std::string_view> names) const;

    const Src& src_;
    xvs_action_list out_{};
};

Result<xvs_action_list> ActionsBuilder::build(const std::vector<Node>& items) {
    if (items.empty()) return src_.err("missing actions", src_.text(), "an action list or drop");
    for (const Node& n : items) {
        if (n.name != "drop") {
            if (auto st = apply(n); !st) return st.error();
            continue;
        }
        // An empty list is how the datapath drops; "drop" beside other
        // actions is almost certainly a mistake, so refuse it.
        if (items.size() > 1) return src_.err("drop cannot be combined with other actions", n.name);
        if (n.has_value || (n.has_parens && !n.children.empty()))
            return src_.err("drop takes no arguments", n.name);
    }
    out_.flags = action_list_flags(out_);
    return out_;
}

Status ActionsBuilder::push(std::string_view tok, const xvs_action& a) {
    if (out_.n >= XVS_MAX_ACTIONS)
        return src_.err("too many actions", tok, fmt::format("at most {}", XVS_MAX_ACTIONS));
    out_.a[out_.n++] = a;
    return {};
}

Status ActionsBuilder::apply(const Node& n) {
    if (n.has_value) return src_.err("unexpected '=' in action list", n.name);
    if (std::isdigit(static_cast<unsigned char>(n.name[0])) && !n.has_parens) {
        auto port = parse_number(src_, n.name, XVS_MAX_PORTS - 1);
        if (!port) return port.error();
        xvs_action a{};
        a.type = XVS_ACT_OUTPUT;
        a.arg = static_cast<uint32_t>(*port);
        return push(n.name, a);
    }
    if (n.name == "output") return apply_numbered(n, XVS_ACT_OUTPUT, 0, XVS_MAX_PORTS - 1);
    if (n.name == "flood") return apply_numbered(n, XVS_ACT_FLOOD, 0, XVS_MAX_FLOOD_DOMAINS - 1);
    // recirc_id 0 is what packets off the wire carry; recirculating into
    // it would loop through the same flow.
    if (n.name == "recirc") return apply_numbered(n, XVS_ACT_RECIRC, 1, UINT32_MAX);
    if (n.name == "meter") return apply_numbered(n, XVS_ACT_METER, 0, XVS_MAX_METERS - 1);
    if (n.name == "pop_vlan") return apply_bare(n, XVS_ACT_POP_VLAN);
    if (n.name == "dec_ttl") return apply_bare(n, XVS_ACT_DEC_TTL);
    if (n.name == "push_vlan") return apply_push_vlan(n);
    if (n.name == "set") return apply_set(n);
    if (n.name == "userspace") return apply_userspace(n);
    if (n.name == "sample") return apply_sample(n);
    return src_.err("unknown action", n.name, kActionNames);
}

Status ActionsBuilder::apply_numbered(const Node& n, xvs_action_type type, uint64_t min, uint64_t max) {
    auto tok = single_value(src_, n);
    if (!tok) return tok.error();
    auto v = parse_number(src_, *tok, max);
    if (!v) return v.error();
    if (*v < min) return src_.err("value out of range", *tok, fmt::format("at least {}", min));
    xvs_action a{};
    a.type = static_cast<uint16_t>(type);
    a.arg = static_cast<uint32_t>(*v);
    return push(n.name, a);
}

Status ActionsBuilder::apply_bare(const Node& n, xvs_action_type type) {
    if (n.has_parens && !n.children.empty())
        return src_.err(fmt::format("{} takes no arguments", n.name), n.children[0].name);
    xvs_action a{};
    a.type = static_cast<uint16_t>(type);
    return push(n.name, a);
}

// Every child must be name=value with a name from the list, each at most once.
Status ActionsBuilder::expect_fields(const Node& n, std::initializer_list<std::string_view> names) const {
    std::vector<std::string_view> seen;
    for (const Node& c : n.children) {
        if (!c.is_field()) return src_.err("expected field=value", c.name);
        if (std::find(names.begin(), names.end(), c.name) == names.end()) {
            std::string list;
            for (std::string_view name : names) list += (list.empty() ? "" : ", ") + std::string(name);
            return src_.err(fmt::format("unknown field of {}()", n.name), c.name, "one of " + list);
        }
        if (std::find(seen.begin(), seen.end(), c.name) != seen.end())
            return src_.err("field given twice", c.name);
        seen.push_back(c.name);
    }
    return {};
}

Status ActionsBuilder::apply_push_vlan(const Node& n) {
    if (auto st = expect_fields(n, {"vid", "pcp", "tpid", "tci"}); !st) return st;
    uint64_t vid = 0, pcp = 0, tpid = 0x8100, tci = 0;
    bool by_tci = false, by_vid_pcp = false;
    for (const Node& c : n.children) {
        uint64_t* dst = c.name == "vid" ? &vid : c.name == "pcp" ? &pcp : c.name == "tci" ? &tci : &tpid;
        uint64_t max = c.name == "vid" ? 0x0fff : c.name == "pcp" ? 7 : 0xffff;
        auto v = c.name == "tpid" ? parse_tpid(src_, c.value) : parse_number(src_, c.value, max);
        if (!v) return v.error();
        *dst = *v;
        by_tci |= c.name == "tci";
        by_vid_pcp |= c.name == "vid" || c.name == "pcp";
        if (by_tci && by_vid_pcp) return src_.err("tci cannot be combined with vid or pcp", c.name);
    }
    xvs_action a{};
    a.type = XVS_ACT_PUSH_VLAN;
    a.u.vlan.tpid = htons(static_cast<uint16_t>(tpid));
    // The datapath ignores the CFI bit; dropping it keeps the OVS form
    // (tci=0x1000|vid) and the vid/pcp form equal.
    uint64_t value = by_tci ? (tci & ~uint64_t{0x1000}) : (pcp << 13 | vid);
    a.u.vlan.tci = htons(static_cast<uint16_t>(value));
    return push(n.name, a);
}

Status ActionsBuilder::apply_set(const Node& n) {
    if (!n.has_parens || n.children.empty())
        return src_.err("set needs a header", n.name, "set(eth(...)), set(ipv4(...)), ...");
    if (n.children.size() > 1) return src_.err("set() takes one header", n.children[1].name);
    const Node& header = n.children[0];
    if (header.name == "sctp")
        return src_.err("set(sctp(...)) is not supported", header.name,
                        "tcp(...) or udp(...): SCTP's CRC32c checksum cannot be updated in the datapath");
    bool known = std::any_of(std::begin(kSetFields), std::end(kSetFields),
                             [&](const SetField& s) { return s.header == header.name; });
    if (!known || !header.has_parens)
        return src_.err("unknown header in set()", header.name, "eth(...), ipv4(...), ipv6(...), tcp(...) "
                                                                "or udp(...)");
    if (header.children.empty()) return src_.err("set() needs at least one field", header.name);
    std::vector<std::string_view> seen;
    for (const Node& c : header.children) {
        if (std::find(seen.begin(), seen.end(), c.name) != seen.end())
            return src_.err("field given twice", c.name);
        seen.push_back(c.name);
        if (auto st = apply_set_field(header, c); !st) return st;
    }
    return {};
}

Status ActionsBuilder::apply_set_field(const Node& header, const Node& field) {
    if (!field.is_field()) return src_.err("expected field=value", field.name);
    const SetField* sf = nullptr;
    std::string names;
    for (const SetField& s : kSetFields) {
        if (s.header != header.name) continue;
        if (s.field == field.name) sf = &s;
        names += (names.empty() ? "" : ", ") + std::string(s.field);
    }
    if (!sf) return src_.err(fmt::format("field of {}() cannot be set", header.name), field.name, "one of " + names);
    if (field.value.find('/') != std::string_view::npos)
        return src_.err("set() fields cannot be masked", field.value);
    xvs_action a{};
    a.type = static_cast<uint16_t>(sf->type);
    if (sf->kind == SetKind::U8 || sf->kind == SetKind::Port) {
        auto v = parse_number(src_, field.value, sf->kind == SetKind::U8 ? 0xff : 0xffff);
        if (!v) return v.error();
        if (sf->kind == SetKind::U8) a.u.u8 = static_cast<uint8_t>(*v);
        else a.u.port = htons(static_cast<uint16_t>(*v));
    } else {
        Ft type = sf->kind == SetKind::Mac ? Ft::Mac : sf->kind == SetKind::Ip4 ? Ft::Ip4 : Ft::Ip6;
        auto addr = parse_addr_value(src_, type, field.value);
        if (!addr) return addr.error();
        std::memcpy(&a.u, addr->data(), addr_len(type));
    }
    return push(field.name, a);
}

Status ActionsBuilder::apply_userspace(const Node& n) {
    if (auto st = expect_fields(n, {"cookie"}); !st) return st;
    xvs_action a{};
    a.type = XVS_ACT_USERSPACE;
    for (const Node& c : n.children) {
        auto v = parse_number(src_, c.value, UINT64_MAX);
        if (!v) return v.error();
        a.u.cookie = *v;
    }
    return push(n.name, a);
}

Result<uint32_t> ActionsBuilder::parse_percent(std::string_view tok) const {
    if (tok.empty() || tok.back() != '%') return src_.err("expected a percentage", tok, "a value like 12.5%");
    std::string_view num = tok.substr(0, tok.size() - 1);
    // Digits with at most one '.': strtod alone would also take "inf",
    // exponents and hex.
    size_t digits = std::count_if(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    size_t dots = std::count(num.begin(), num.end(), '.');
    if (digits == 0 || dots > 1 || digits + dots != num.size())
        return src_.err("bad percentage", tok, "a value like 12.5%");
    double percent = std::strtod(std::string(num).c_str(), nullptr);
    if (percent > 100.0) return src_.err("percentage out of range", tok, "0% to 100%");
    return percent_to_probability(percent);
}

Status ActionsBuilder::apply_sample(const Node& n) {
    if (auto st = expect_fields(n, {"sample", "cookie"}); !st) return st;
    xvs_action a{};
    a.type = XVS_ACT_SAMPLE;
    bool have_sample = false;
    for (const Node& c : n.children) {
        if (c.name == "sample") {
            auto p = parse_percent(c.value);
            if (!p) return p.error();
            a.arg = *p;
            have_sample = true;
        } else {
            auto v = parse_number(src_, c.value, UINT64_MAX);
            if (!v) return v.error();
            a.u.cookie = *v;
        }
    }
    if (!have_sample) return src_.err("sample needs a probability", n.name, "sample(sample=P%,cookie=N)");
    return push(n.name, a);
}

// The shortest decimal form (at least one fraction digit, as OVS prints)
// that parses back to the same probability, so format/parse is stable.
std::string format_percent(uint32_t probability) {
    double percent = probability / kProbabilityOne * 100.0;
    std::string s;
    for (int precision = 1; precision <= 12; precision++) {
        s = fmt::format("{:.{}f}", percent, precision);
        if (percent_to_probability(std::strtod(s.c_str(), nullptr)) == probability) break;
    }
    return s;
}

std::string format_set(const xvs_action& a, uint8_t nw_proto) {
    std::string_view tp_header = nw_proto == 17 ? "udp" : "tcp";
    for (const SetField& s : kSetFields) {
        if (s.type != a.type) continue;
        if (s.kind == SetKind::Port && s.header != tp_header) continue;
        std::string value;
        switch (s.kind) {
        case SetKind::Mac: value = format_mac(a.u.mac); break;
        case SetKind::Ip4: value = format_ipv4(a.u.ip4); break;
        case SetKind::Ip6: value = format_ipv6(reinterpret_cast<const uint8_t*>(a.u.ip6)); break;
        case SetKind::U8: value = fmt::format("{}", a.u.u8); break;
        case SetKind::Port: value = fmt::format("{}", ntohs(a.u.port)); break;
        }
        return fmt::format("set({}({}={}))", s.header, s.field, value);
    }
    return {};
}

std::string format_push_vlan(const xvs_action& a) {
    uint16_t tci = ntohs(a.u.vlan.tci), tpid = ntohs(a.u.vlan.tpid);
    std::string out = fmt::format("push_vlan(vid={},pcp={}", tci & 0x0fff, tci >> 13);
    if (tpid != 0x8100) out += fmt::format(",tpid=0x{:04x}", tpid);
    return out + ")";
}

std::string format_action(const xvs_action& a, uint8_t nw_proto) {
    switch (a.type) {
    case XVS_ACT_OUTPUT: return fmt::format("{}", a.arg);
    case XVS_ACT_FLOOD: return fmt::format("flood({})", a.arg);
    case XVS_ACT_PUSH_VLAN: return format_push_vlan(a);
    case XVS_ACT_POP_VLAN: return "pop_vlan";
    case XVS_ACT_DEC_TTL: return "dec_ttl";
    case XVS_ACT_DROP: return "drop";
    case XVS_ACT_USERSPACE: return fmt::format("userspace(cookie=0x{:x})", a.u.cookie);
    case XVS_ACT_SAMPLE:
        return fmt::format("sample(sample={}%,cookie=0x{:x})", format_percent(a.arg), a.u.cookie);
    case XVS_ACT_RECIRC: return fmt::format("recirc({})", a.arg);
    case XVS_ACT_METER: return fmt::format("meter({})", a.arg);
    default: break;
    }
    std::string set = format_set(a, nw_proto);
    return set.empty() ? fmt::format("unknown(type={})", a.type) : set;
}

}  // namespace

// ---- Public API -----------------------------------------------------

Result<DpMatch> parse_dp_match(std::string_view text) {
    Src src(text);
    auto tree = TreeParser(src).parse();
    if (!tree) return tree.error();
    return MatchBuilder(src).build(*tree);
}

std::string format_dp_match(const xvs_flow_key& key, const xvs_flow_key& mask) {
    Parts parts;
    if (mask.recirc_id) parts.push_back(fmt::format("recirc_id({})", key.recirc_id));
    add_single(parts, key, mask, kInPort);
    add_attr(parts, "eth", key, mask, kEthFields);
    if (mask.vlan_tpid) {
        Parts vlan = format_vlan(key, mask, 0);
        parts.insert(parts.end(), vlan.begin(), vlan.end());
    } else {
        add_single(parts, key, mask, kVlanTci);
        Parts inner = format_inner(key, mask);
        parts.insert(parts.end(), inner.begin(), inner.end());
    }
    add_single(parts, key, mask, kParseFlags);
    return join(parts);
}

Result<xvs_action_list> parse_dp_actions(std::string_view text) {
    Src src(text);
    auto tree = TreeParser(src).parse();
    if (!tree) return tree.error();
    return ActionsBuilder(src).build(*tree);
}

std::string format_dp_actions(const xvs_action_list& actions, uint8_t nw_proto) {
    size_t n = std::min<size_t>(actions.n, XVS_MAX_ACTIONS);
    if (n == 0) return "drop";
    std::string out;
    for (size_t i = 0; i < n; i++) {
        if (i) out += ',';
        out += format_action(actions.a[i], nw_proto);
    }
    return out;
}

std::string format_dp_actions(const xvs_action_list& actions) {
    return format_dp_actions(actions, 0);
}

// One definition shared with the loader, so the flags a parsed list carries
// are the ones the loader would compute.
uint16_t action_list_flags(const xvs_action_list& actions) {
    return compiler::structural_action_flags(actions);
}

namespace {
std::string tcp_flags_text(uint16_t f) {
    static const char letters[] = "FSRP.UEC";
    std::string s;
    for (int i = 0; i < 8; i++)
        if (f & (1u << i)) s += letters[i];
    return s;
}
}  // namespace

std::string format_dp_flow(const xvs_flow_key& key, const xvs_flow_key& mask, const xvs_flow_stats& stats,
                           const xvs_action_list& actions, uint64_t now_ns) {
    std::string used = stats.used_ns
                           ? fmt::format("{:.3f}s", double(now_ns - std::min<uint64_t>(now_ns, stats.used_ns)) / 1e9)
                           : "never";
    std::string line = fmt::format("{}, packets:{}, bytes:{}, used:{}", format_dp_match(key, mask), stats.packets,
                                   stats.bytes, used);
    if (stats.tcp_flags) line += fmt::format(", flags:{}", tcp_flags_text(stats.tcp_flags));
    line += fmt::format(", actions:{}", format_dp_actions(actions, key.nw_proto));
    return line;
}

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

}  // namespace xvs
