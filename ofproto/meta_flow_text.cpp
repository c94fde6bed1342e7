// The text syntax of field values, as ovs-ofctl reads and prints them
// (meta_flow.h's mf_parse_value / mf_format_value, and ports).
#include <arpa/inet.h>
#include <fmt/format.h>
#include <strings.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ofproto/meta_flow.h"
#include "ofproto/meta_flow_internal.h"

namespace xvs::ofproto {

using namespace mf_internal;

namespace {

// How each field's values are written (OVS's "Formatting:" per field).
enum class Syntax { Decimal, Hex, Ethernet, Ipv4, Ipv6, Port, PortOxm, Frag, TcpFlags };

Syntax syntax_of(MfId id) {
    switch (id) {
        case MfId::InPort:
            return Syntax::Port;
        case MfId::InPortOxm:
            return Syntax::PortOxm;
        case MfId::EthSrc:
        case MfId::EthDst:
        case MfId::ArpSha:
        case MfId::ArpTha:
        case MfId::NdSll:
        case MfId::NdTll:
            return Syntax::Ethernet;
        case MfId::Ipv4Src:
        case MfId::TunSrc:
        case MfId::TunDst:
        case MfId::Ipv4Dst:
        case MfId::ArpSpa:
        case MfId::ArpTpa:
            return Syntax::Ipv4;
        case MfId::Ipv6Src:
        case MfId::Ipv6Dst:
        case MfId::NdTarget:
        case MfId::TunIpv6Src:
        case MfId::TunIpv6Dst:
            return Syntax::Ipv6;
        case MfId::IpFrag:
            return Syntax::Frag;
        case MfId::TcpFlags:
            return Syntax::TcpFlags;
        case MfId::EthType:
        case MfId::VlanTci:
        case MfId::Ipv6Label:
        case MfId::Metadata:
        case MfId::PktMark:
        case MfId::TunId:
            return Syntax::Hex;
        default:
            if (id >= MfId::Reg0 && id <= MfId::Xxreg3) return Syntax::Hex;
            return Syntax::Decimal;
    }
}

struct FragName {
    const char* name;
    uint8_t mask;
    uint8_t value;
};
constexpr uint8_t kA = XVS_FRAG_ANY, kL = XVS_FRAG_LATER;
// In the order OVS tries them when printing.
constexpr FragName kFragNames[] = {
    {"no", kA | kL, 0}, {"first", kA | kL, kA}, {"later", kA | kL, kA | kL}, {"no", kA, 0},
    {"yes", kA, kA},    {"not_later", kL, 0},   {"later", kL, kL},
};

const char* tcp_flag_name(uint16_t bit) {
    switch (bit) {
        case 0x001:
            return "fin";
        case 0x002:
            return "syn";
        case 0x004:
            return "rst";
        case 0x008:
            return "psh";
        case 0x010:
            return "ack";
        case 0x020:
            return "urg";
        case 0x040:
            return "ece";
        case 0x080:
            return "cwr";
        case 0x100:
            return "ns";
        case 0x200:
            return "[200]";
        case 0x400:
            return "[400]";
        case 0x800:
            return "[800]";
        default:
            return nullptr;
    }
}

enum class IntErr { Ok, Syntax, Range };

// OVS's parse_int_string: "0x" + hex digits of any length that fit in
// n_bytes (leading zeros free), else a C integer (decimal, or octal with a
// leading 0) that fits. Stops at the first character it cannot use and
// stores the rest in *tail.
IntErr parse_int(std::string_view s, unsigned n_bytes, MfValue* out, std::string_view* tail) {
    *out = MfValue{};
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t i = 2;
        u128 x = 0;
        unsigned digits = 0;
        for (; i < s.size(); i++) {
            char c = s[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) break;
            if (d || digits) digits++;
            if ((digits + 1) / 2 > n_bytes) return IntErr::Range;
            x = (x << 4) | static_cast<unsigned>(d);
        }
        *out = from_u128(x);
        *tail = s.substr(i);
        return IntErr::Ok;
    }
    std::string copy(s);
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(copy.c_str(), &end, 0);
    if (end == copy.c_str()) return IntErr::Syntax;
    if (errno) return IntErr::Range;
    if (n_bytes < 8 && (v >> (8 * n_bytes))) return IntErr::Range;
    *out = from_u128(v);
    *tail = s.substr(static_cast<size_t>(end - copy.c_str()));
    return IntErr::Ok;
}

bool parse_mac(std::string_view s, MfValue* v) {
    *v = MfValue{};
    for (int i = 0; i < 6; i++) {
        int n = 0, x = 0;
        while (!s.empty() && n < 2) {
            char c = s[0];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0) break;
            x = x * 16 + d;
            n++;
            s.remove_prefix(1);
        }
        if (!n) return false;
        v->b[10 + i] = static_cast<uint8_t>(x);
        if (i < 5) {
            if (s.empty() || s[0] != ':') return false;
            s.remove_prefix(1);
        }
    }
    return s.empty();
}

bool parse_ipv4(std::string_view s, MfValue* v) {
    *v = MfValue{};
    for (int i = 0; i < 4; i++) {
        int n = 0, x = 0;
        while (!s.empty() && s[0] >= '0' && s[0] <= '9' && n < 3) {
            x = x * 10 + (s[0] - '0');
            n++;
            s.remove_prefix(1);
        }
        if (!n || x > 255) return false;
        v->b[12 + i] = static_cast<uint8_t>(x);
        if (i < 3) {
            if (s.empty() || s[0] != '.') return false;
            s.remove_prefix(1);
        }
    }
    return s.empty();
}

bool parse_ipv6(std::string_view s, MfValue* v) {
    if (s.size() >= 64) return false;
    std::string copy(s);
    return inet_pton(AF_INET6, copy.c_str(), v->b) == 1;
}

std::optional<int> parse_prefix(std::string_view s, int max) {
    if (s.empty() || s.size() > 3) return std::nullopt;
    int x = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        x = x * 10 + (c - '0');
    }
    if (x > max) return std::nullopt;
    return x;
}

MfValue prefix_mask(int bits, int width) {
    // The top 'bits' of a 'width'-bit right-aligned value.
    return from_u128(low_bits(static_cast<unsigned>(width)) & ~low_bits(static_cast<unsigned>(width - bits)));
}

// The number of leading ones of a CIDR mask of 'width' bits, or -1.
int cidr_bits(const MfValue& mask, int width) {
    u128 m = to_u128(mask) & low_bits(static_cast<unsigned>(width));
    for (int b = 0; b <= width; b++)
        if (m == (low_bits(static_cast<unsigned>(width)) & ~low_bits(static_cast<unsigned>(width - b)))) return b;
    return -1;
}

bool iequals(std::string_view a, const char* b) {
    return a.size() == std::strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

// OVS's parse_flags for tcp_flags: "0x12/0xff" (numbers, masked),
// "+syn-ack" (flags set/unset, masked), "syn|ack" or numbers (exact).
bool parse_tcp_flags(std::string_view s, uint16_t* flags, uint16_t* mask, std::string* err) {
    constexpr uint32_t allowed = 0x0fff;
    auto unknown = [&] {
        *err = std::string(s) + ": unknown TCP flag(s)";
        return false;
    };
    auto number = [](std::string_view t, uint64_t* out) {
        if (t.empty()) return false;
        std::string copy(t);
        char* end = nullptr;
        errno = 0;
        *out = std::strtoull(copy.c_str(), &end, 0);
        return !errno && end == copy.c_str() + copy.size();
    };
    if (auto slash = s.find('/'); slash != std::string_view::npos && !s.empty() && s[0] != '+' && s[0] != '-') {
        uint64_t f = 0, m = 0;
        if (!number(s.substr(0, slash), &f) || !number(s.substr(slash + 1), &m)) return unknown();
        if ((f | m) & ~uint64_t{allowed}) return unknown();
        *flags = static_cast<uint16_t>(f);
        *mask = static_cast<uint16_t>(m);
        return true;
    }
    auto match_name = [](std::string_view t, uint16_t* bit, size_t* len) {
        for (uint16_t b = 1; b; b <<= 1) {
            const char* n = tcp_flag_name(b);
            if (!n) continue;
            size_t l = std::strlen(n);
            if (t.substr(0, l) == n && (t.size() == l || t[l] == '+' || t[l] == '-' || t[l] == '|')) {
                *bit = b;
                *len = l;
                return true;
            }
        }
        return false;
    };
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        uint16_t f = 0, m = 0;
        while (!s.empty()) {
            bool set = s[0] == '+';
            if (s[0] != '+' && s[0] != '-') {
                *err = std::string(s) + ": TCP must be preceded by '+' (for SET) or '-' (NOT SET)";
                return false;
            }
            s.remove_prefix(1);
            uint16_t bit = 0;
            size_t len = 0;
            if (!match_name(s, &bit, &len)) return unknown();
            if (m & bit) {
                *err = std::string(s) + ": Each TCP flag can be specified only once";
                return false;
            }
            if (set) f |= bit;
            m |= bit;
            s.remove_prefix(len);
        }
        *flags = f;
        *mask = m;
        return true;
    }
    uint32_t f = 0;
    while (!s.empty()) {
        size_t bar = s.find('|');
        std::string_view tok = s.substr(0, bar);
        uint64_t n = 0;
        uint16_t bit = 0;
        size_t len = 0;
        if (number(tok, &n)) {
            if (n & ~uint64_t{allowed}) return unknown();
            f |= static_cast<uint32_t>(n);
        } else if (match_name(tok, &bit, &len) && len == tok.size()) {
            f |= bit;
        } else {
            return unknown();
        }
        s = bar == std::string_view::npos ? std::string_view{} : s.substr(bar + 1);
    }
    *flags = static_cast<uint16_t>(f);
    *mask = 0xffff;
    return true;
}

// OVS's ds_put_hex: "0x" and the bytes from the first non-zero one, "0"
// when all are zero.
std::string hex_bytes(const MfValue& v, unsigned n_bytes) {
    std::string s;
    for (unsigned i = 16 - n_bytes; i < 16; i++) {
        if (s.empty()) {
            if (v.b[i]) s = fmt::format("0x{:x}", v.b[i]);
        } else {
            s += fmt::format("{:02x}", v.b[i]);
        }
    }
    return s.empty() ? "0" : s;
}

std::string format_mac(const MfValue& v) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", v.b[10], v.b[11], v.b[12], v.b[13], v.b[14],
                       v.b[15]);
}

std::string format_ipv4(const MfValue& v) {
    return fmt::format("{}.{}.{}.{}", v.b[12], v.b[13], v.b[14], v.b[15]);
}

std::string format_ipv6(const MfValue& v) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, v.b, buf, sizeof buf);
    return buf;
}

}  // namespace

namespace mf_internal {

bool parse_integer(std::string_view text, unsigned n_bytes, MfValue* out) {
    std::string_view tail;
    return parse_int(text, n_bytes, out, &tail) == IntErr::Ok && tail.empty();
}

std::string format_tcp_flags_masked(uint16_t flags, uint16_t mask) {
    mask &= 0x0fff;
    std::string s;
    if (mask == 0x0fff) {
        // OVS's format_flags: names joined by '|', "0" for none.
        if (!flags) return "0";
        for (uint16_t b = 1; b; b <<= 1) {
            if (!(flags & b)) continue;
            const char* n = tcp_flag_name(b);
            if (!s.empty()) s += '|';
            s += n ? n : fmt::format("0x{:x}", b);
        }
        return s;
    }
    if (!mask) return "0/0";
    for (uint16_t b = 1; b; b <<= 1) {
        if (!(mask & b)) continue;
        const char* n = tcp_flag_name(b);
        s += (flags & b) ? '+' : '-';
        s += n ? n : "[Unknown]";
    }
    return s;
}

std::string format_ipv4_masked(const MfValue& v, const MfValue& mask) {
    std::string s = format_ipv4(v);
    if (!is_ones_bytes(mask, 4)) {
        int bits = cidr_bits(mask, 32);
        s += bits >= 0 ? fmt::format("/{}", bits) : "/" + format_ipv4(mask);
    }
    return s;
}

std::string format_ipv6_masked(const MfValue& v, const MfValue& mask) {
    std::string s = format_ipv6(v);
    if (!is_ones_bytes(mask, 16)) {
        int bits = cidr_bits(mask, 128);
        s += bits >= 0 ? fmt::format("/{}", bits) : "/" + format_ipv6(mask);
    }
    return s;
}

std::string format_mac_masked(const MfValue& v, const MfValue& mask) {
    std::string s = format_mac(v);
    if (!is_ones_bytes(mask, 6)) s += "/" + format_mac(mask);
    return s;
}

std::string format_frag(uint8_t value, uint8_t mask) {
    mask &= XVS_FRAG_ANY | XVS_FRAG_LATER;
    value &= mask;
    for (const FragName& h : kFragNames)
        if (h.value == value && h.mask == mask) return h.name;
    return "<error>";
}

}  // namespace mf_internal

bool mf_parse_value(const MfField& f, std::string_view text, MfValue* value, MfValue* mask, std::string* error) {
    auto fail = [&](std::string msg) {
        if (error) *error = std::move(msg);
        return false;
    };
    *value = MfValue{};
    *mask = MfValue{};
    if (text == "*") return true;
    const std::string t(text);
    MfValue ones = from_u128(low_bits(8u * f.n_bytes));

    switch (syntax_of(f.id)) {
        case Syntax::Decimal:
        case Syntax::Hex: {
            std::string_view tail;
            IntErr e = parse_int(text, f.n_bytes, value, &tail);
            if (e != IntErr::Ok || (!tail.empty() && tail[0] != '/')) {
                return fail(e == IntErr::Range
                                ? fmt::format("{}: value too large for {}-byte field {}", t, f.n_bytes, f.name)
                                : fmt::format("{}: bad syntax for {} value", t, f.name));
            }
            if (tail.empty()) {
                *mask = ones;
            } else {
                std::string_view mtail;
                e = parse_int(tail.substr(1), f.n_bytes, mask, &mtail);
                if (e != IntErr::Ok || !mtail.empty()) {
                    return fail(e == IntErr::Range
                                    ? fmt::format("{}: mask too large for {}-byte field {}", t, f.n_bytes, f.name)
                                    : fmt::format("{}: bad syntax for {} mask", t, f.name));
                }
            }
            break;
        }
        case Syntax::Ethernet: {
            size_t slash = text.find('/');
            if (!parse_mac(text.substr(0, slash), value) ||
                (slash != std::string_view::npos && !parse_mac(text.substr(slash + 1), mask)))
                return fail(t + ": invalid Ethernet address");
            if (slash == std::string_view::npos) *mask = ones;
            break;
        }
        case Syntax::Ipv4: {
            size_t slash = text.find('/');
            if (!parse_ipv4(text.substr(0, slash), value)) return fail(t + ": invalid IP address");
            if (slash == std::string_view::npos) {
                *mask = ones;
            } else {
                std::string_view m = text.substr(slash + 1);
                if (m.find('.') != std::string_view::npos) {
                    if (!parse_ipv4(m, mask)) return fail(t + ": invalid IP address");
                } else if (auto bits = parse_prefix(m, 32)) {
                    *mask = prefix_mask(*bits, 32);
                } else {
                    return fail(t + ": IPv4 network prefix bits not between 0 and 32, inclusive");
                }
            }
            break;
        }
        case Syntax::Ipv6: {
            size_t slash = text.find('/');
            if (!parse_ipv6(text.substr(0, slash), value)) return fail(t + ": invalid IPv6 address");
            if (slash == std::string_view::npos) {
                *mask = ones;
            } else {
                std::string_view m = text.substr(slash + 1);
                if (m.find(':') != std::string_view::npos) {
                    if (!parse_ipv6(m, mask)) return fail(t + ": Invalid IPv6 mask");
                } else if (auto bits = parse_prefix(m, 128)) {
                    *mask = prefix_mask(*bits, 128);
                } else {
                    return fail(t + ": IPv6 network prefix bits not between 0 and 128, inclusive");
                }
            }
            break;
        }
        case Syntax::Port:
        case Syntax::PortOxm: {
            auto port = mf_parse_port(text);
            if (!port) return fail(fmt::format("{}: invalid or unknown port for {}", t, f.name));
            *value = from_u128(f.id == MfId::InPort ? u128{*port} : u128{mf_port_to_ofp11(*port)});
            *mask = ones;
            break;
        }
        case Syntax::Frag: {
            bool found = false;
            for (const FragName& h : kFragNames) {
                if (iequals(text, h.name)) {
                    value->b[15] = h.value;
                    mask->b[15] = h.mask;
                    found = true;
                    break;
                }
            }
            if (!found)
                return fail(t +
                            ": unknown fragment type (valid types are \"no\", \"yes\", \"first\", \"later\", "
                            "\"not_later\"");
            break;
        }
        case Syntax::TcpFlags: {
            uint16_t fl = 0, m = 0;
            std::string err;
            if (!parse_tcp_flags(text, &fl, &m, &err)) return fail(err);
            value->b[14] = static_cast<uint8_t>(fl >> 8);
            value->b[15] = static_cast<uint8_t>(fl);
            mask->b[14] = static_cast<uint8_t>(m >> 8);
            mask->b[15] = static_cast<uint8_t>(m);
            break;
        }
    }
    if (!mf_is_mask_valid(f, *mask)) return fail(fmt::format("{}: invalid mask for field {}", t, f.name));
    if (!mf_is_value_valid(f, *value)) return fail(fmt::format("{} is not a valid value for field {}", t, f.name));
    return true;
}

std::string mf_format_value(const MfField& f, const MfValue& value, const MfValue* mask) {
    if (mask) {
        if (is_zero_bytes(*mask, f.n_bytes)) return "ANY";
        if (is_ones_bytes(*mask, f.n_bytes) || *mask == mf_exact_mask(f)) mask = nullptr;
    }
    const MfValue ones = from_u128(low_bits(8u * f.n_bytes));
    Syntax syn = syntax_of(f.id);
    if (syn == Syntax::PortOxm && !mask)
        return mf_format_port(mf_port_from_ofp11(static_cast<uint32_t>(to_u128(value))).value_or(kOfppNone));
    if (syn == Syntax::Port && !mask) return mf_format_port(static_cast<OfPort>(to_u128(value)));
    switch (syn) {
        case Syntax::Port:
        case Syntax::PortOxm:
        case Syntax::Decimal:
        case Syntax::Hex: {
            std::string s = syn == Syntax::Hex ? hex_bytes(value, f.n_bytes)
                                               : fmt::format("{}", static_cast<uint64_t>(to_u128(value)));
            if (mask) s += "/" + hex_bytes(*mask, f.n_bytes);
            return s;
        }
        case Syntax::Ethernet:
            return format_mac_masked(value, mask ? *mask : ones);
        case Syntax::Ipv4:
            return format_ipv4_masked(value, mask ? *mask : ones);
        case Syntax::Ipv6:
            return format_ipv6_masked(value, mask ? *mask : ones);
        case Syntax::Frag:
            return format_frag(value.b[15], mask ? mask->b[15] : 0xff);
        case Syntax::TcpFlags: {
            uint16_t v = static_cast<uint16_t>(to_u128(value));
            uint16_t m = mask ? static_cast<uint16_t>(to_u128(*mask)) : 0xffff;
            return format_tcp_flags_masked(v, m);
        }
    }
    return {};
}

namespace {

struct PortName {
    const char* name;
    OfPort port;
};
// OVS 3.1's reserved port names; "NONE" is accepted as the old name of ANY.
constexpr PortName kPortNames[] = {
    {"IN_PORT", kOfppInPort}, {"TABLE", kOfppTable}, {"NORMAL", kOfppNormal},
    {"FLOOD", kOfppFlood},    {"ALL", kOfppAll},     {"CONTROLLER", kOfppController},
    {"LOCAL", kOfppLocal},    {"ANY", kOfppNone},    {"UNSET", kOfppUnset},
    {"NONE", kOfppNone},
};

}  // namespace

std::optional<OfPort> mf_parse_port(std::string_view text) {
    if (text.empty() || text[0] == '-') return std::nullopt;
    if (text.find_first_not_of("0123456789") == std::string_view::npos) {
        if (text.size() > 10) return std::nullopt;
        uint64_t v = 0;
        for (char c : text) v = v * 10 + static_cast<uint64_t>(c - '0');
        if (v <= 0xffff) return static_cast<OfPort>(v);
        if (v > 0xffffffffu) return std::nullopt;
        return mf_port_from_ofp11(static_cast<uint32_t>(v));
    }
    for (const PortName& p : kPortNames)
        if (iequals(text, p.name)) return p.port;
    return std::nullopt;
}

std::string mf_format_port(OfPort port) {
    for (const PortName& p : kPortNames)
        if (p.port == port) return p.name;
    return std::to_string(port);
}

}  // namespace xvs::ofproto
