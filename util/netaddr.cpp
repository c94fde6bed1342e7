#include "util/netaddr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace xvs {

Result<Mac> parse_mac(std::string_view s) {
    Mac mac{};
    size_t pos = 0;
    for (int i = 0; i < 6; i++) {
        if (i > 0) {
            if (pos >= s.size() || s[pos] != ':') return make_error("bad MAC address '{}'", s);
            pos++;
        }
        unsigned v = 0;
        int digits = 0;
        while (pos < s.size() && digits < 2 && std::isxdigit(static_cast<unsigned char>(s[pos]))) {
            char c = s[pos++];
            v = v * 16 + (std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
            digits++;
        }
        if (digits == 0) return make_error("bad MAC address '{}'", s);
        mac[i] = static_cast<uint8_t>(v);
    }
    if (pos != s.size()) return make_error("bad MAC address '{}'", s);
    return mac;
}

std::string format_mac(const uint8_t* m) {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

Result<uint32_t> parse_ipv4(std::string_view s) {
    std::string str(s);
    in_addr a{};
    if (inet_pton(AF_INET, str.c_str(), &a) != 1) return make_error("bad IPv4 address '{}'", s);
    return a.s_addr;
}

std::string format_ipv4(uint32_t be_addr) {
    char buf[INET_ADDRSTRLEN];
    in_addr a{};
    a.s_addr = be_addr;
    inet_ntop(AF_INET, &a, buf, sizeof buf);
    return buf;
}

Result<Ip6> parse_ipv6(std::string_view s) {
    std::string str(s);
    Ip6 out{};
    if (inet_pton(AF_INET6, str.c_str(), out.data()) != 1) return make_error("bad IPv6 address '{}'", s);
    return out;
}

std::string format_ipv6(const uint8_t* addr) {
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, addr, buf, sizeof buf);
    return buf;
}

Result<uint64_t> parse_uint(std::string_view s, uint64_t max) {
    int base = 10;
    std::string_view digits = s;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
        base = 16;
        digits.remove_prefix(2);
    }
    uint64_t v = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size())
        return make_error("'{}' is not a number", s);
    if (v > max) return make_error("{} is out of range (at most {})", s, max);
    return v;
}

}  // namespace xvs
