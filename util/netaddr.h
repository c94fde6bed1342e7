// Parsing and printing of link and network addresses.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace xvs {

using Mac = std::array<uint8_t, 6>;
// IPv6 address, or an IPv4 one in the first 4 bytes; network byte order.
using Ip6 = std::array<uint8_t, 16>;

Result<Mac> parse_mac(std::string_view s);
std::string format_mac(const uint8_t* mac);

// Network byte order in, network byte order out.
Result<uint32_t> parse_ipv4(std::string_view s);
std::string format_ipv4(uint32_t be_addr);

Result<Ip6> parse_ipv6(std::string_view s);
std::string format_ipv6(const uint8_t* addr);

// Parses a decimal, 0x-hex or (with allow_octal) 0-octal unsigned integer
// that must fit below or at max.
Result<uint64_t> parse_uint(std::string_view s, uint64_t max);

}  // namespace xvs
