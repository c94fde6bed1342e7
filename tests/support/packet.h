// Packet construction and checksum verification for tests.
//
//   auto pkt = xvs::test::PacketBuilder()
//                  .eth("00:00:00:00:00:01", "00:00:00:00:00:02")  // src, dst
//                  .vlan(10)
//                  .ipv4("10.0.0.1", "10.0.0.2")
//                  .tcp(1234, 80, 0x02)
//                  .payload(100)
//                  .build();
//
// Layers are appended in wire order. Whatever links them is filled in by
// build() unless overridden: each header's type / protocol / next-header
// field names the layer after it, length fields (802.3 length, IPv4 total
// length, IPv6 payload length, UDP length) cover everything after the header
// up to pad_to()'s padding, and the IPv4 header, TCP, UDP, ICMP, ICMPv6
// (pseudo-header included) and SCTP (CRC32c) checksums are correct.
// Setters such as ttl() or frag() change the most recent layer they apply to.
//
// Limitation: the IPv6 pseudo-header uses the IPv6 header's destination,
// also when a routing header names a different final one (both the builder
// and l4_checksum_ok() do so, so they agree).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/netaddr.h"

namespace xvs::test {

using Bytes = std::vector<uint8_t>;

// ---- Addresses (test literals: a bad one is a bug in the test, so throw) --

inline Mac mac(std::string_view s) {
    auto r = parse_mac(s);
    if (!r) throw std::invalid_argument(r.message());
    return *r;
}

inline std::array<uint8_t, 4> ip4(std::string_view s) {
    auto r = parse_ipv4(s);
    if (!r) throw std::invalid_argument(r.message());
    std::array<uint8_t, 4> out;
    std::memcpy(out.data(), &*r, 4);  // already network byte order
    return out;
}

inline Ip6 ip6(std::string_view s) {
    auto r = parse_ipv6(s);
    if (!r) throw std::invalid_argument(r.message());
    return *r;
}

// ---- Byte helpers -------------------------------------------------------

inline uint16_t get16(std::span<const uint8_t> b, size_t off) {
    return static_cast<uint16_t>(b[off] << 8 | b[off + 1]);
}

inline void put16(std::span<uint8_t> b, size_t off, uint16_t v) {
    b[off] = static_cast<uint8_t>(v >> 8);
    b[off + 1] = static_cast<uint8_t>(v);
}

inline void put32(std::span<uint8_t> b, size_t off, uint32_t v) {
    put16(b, off, static_cast<uint16_t>(v >> 16));
    put16(b, off + 2, static_cast<uint16_t>(v));
}

inline void append(Bytes& b, std::span<const uint8_t> more) { b.insert(b.end(), more.begin(), more.end()); }

inline std::string to_hex(std::span<const uint8_t> b) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < b.size(); i++) {
        if (i > 0) s += (i % 16 == 0) ? '\n' : ' ';
        s += kDigits[b[i] >> 4];
        s += kDigits[b[i] & 15];
    }
    return s;
}

// ---- Checksums ----------------------------------------------------------

// One's complement sum (RFC 1071) of big-endian 16-bit words, unfolded. An
// odd trailing byte is padded with zero, so only the last piece of a
// checksummed region may have odd length.
inline uint64_t csum_add(uint64_t sum, std::span<const uint8_t> data) {
    size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += get16(data, i);
    if (i < data.size()) sum += static_cast<uint64_t>(data[i]) << 8;
    return sum;
}

// Folds and complements: the value that goes into a checksum field.
inline uint16_t csum_fold(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

inline uint16_t internet_checksum(std::span<const uint8_t> data) { return csum_fold(csum_add(0, data)); }

// CRC32c (Castagnoli), as SCTP uses it: reflected, init and xorout ~0.
inline uint32_t crc32c(std::span<const uint8_t> data) {
    uint32_t crc = 0xffffffff;
    for (uint8_t byte : data) {
        crc ^= byte;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82f63b78 & (0u - (crc & 1)));
    }
    return ~crc;
}

// The pseudo-header sum of TCP/UDP/ICMPv6 over the IPv4 or IPv6 header at
// `ip`.
inline uint64_t pseudo_header_sum(std::span<const uint8_t> ip, bool v4, uint8_t proto, uint32_t l4_len) {
    uint64_t sum = proto;
    if (v4) {
        sum = csum_add(sum, ip.subspan(12, 8));
        sum += l4_len;
    } else {
        sum = csum_add(sum, ip.subspan(8, 32));
        sum += (l4_len >> 16) + (l4_len & 0xffff);
    }
    return sum;
}

constexpr uint8_t kIpprotoIcmp = 1;
constexpr uint8_t kIpprotoTcp = 6;
constexpr uint8_t kIpprotoUdp = 17;
constexpr uint8_t kIpprotoIcmpv6 = 58;
constexpr uint8_t kIpprotoSctp = 132;

// Where a transport checksum field sits, or nullopt for protocols without
// one this file knows.
inline std::optional<size_t> l4_checksum_offset(uint8_t proto) {
    switch (proto) {
    case kIpprotoTcp: return 16;
    case kIpprotoUdp: return 6;
    case kIpprotoIcmp: return 2;
    case kIpprotoIcmpv6: return 2;
    case kIpprotoSctp: return 8;
    default: return std::nullopt;
    }
}

// Computes the checksum of the transport segment `l4` (checksum field
// included, it is treated as zero) under the IP header `ip`, and stores it.
// ICMP and SCTP do not look at `ip`.
inline void fill_l4_checksum(std::span<const uint8_t> ip, bool v4, uint8_t proto, std::span<uint8_t> l4) {
    const std::optional<size_t> at = l4_checksum_offset(proto);
    if (!at || l4.size() < *at + 2) return;
    if (proto == kIpprotoSctp) {
        if (l4.size() < 12) return;
        put32(l4, 8, 0);
        const uint32_t crc = crc32c(l4);
        // SCTP stores the CRC least significant byte first.
        for (int i = 0; i < 4; i++) l4[8 + i] = static_cast<uint8_t>(crc >> (8 * i));
        return;
    }
    put16(l4, *at, 0);
    const uint64_t base =
        proto == kIpprotoIcmp ? 0 : pseudo_header_sum(ip, v4, proto, static_cast<uint32_t>(l4.size()));
    uint16_t csum = csum_fold(csum_add(base, l4));
    // In UDP 0 means "no checksum"; a computed 0 is sent as its other form.
    if (proto == kIpprotoUdp && csum == 0) csum = 0xffff;
    put16(l4, *at, csum);
}

// ---- Locating headers in a frame ------------------------------------------

struct FrameLayout {
    size_t l3 = 0;        // offset of the IP header
    size_t l4 = 0;        // offset of the transport header
    size_t l4_len = 0;    // transport header plus data, by the IP length fields
    uint16_t eth_type = 0;
    uint8_t proto = 0;    // final next-header / protocol
    bool fragment = false;
};

// Finds the IP and transport headers of an Ethernet frame (any number of
// 0x8100/0x88a8 tags, optional LLC/SNAP). nullopt if it is not IP or the
// headers or the IP length fields do not fit in the frame.
inline std::optional<FrameLayout> locate_layers(std::span<const uint8_t> f) {
    FrameLayout lay;
    if (f.size() < 14) return std::nullopt;
    size_t off = 12;
    uint16_t type = get16(f, off);
    while (type == 0x8100 || type == 0x88a8) {
        off += 4;
        if (f.size() < off + 2) return std::nullopt;
        type = get16(f, off);
    }
    off += 2;
    if (type < 0x0600) {
        if (f.size() < off + 8 || f[off] != 0xaa || f[off + 1] != 0xaa) return std::nullopt;
        type = get16(f, off + 6);
        off += 8;
    }
    lay.eth_type = type;
    lay.l3 = off;
    if (type == 0x0800) {
        if (f.size() < off + 20) return std::nullopt;
        const size_t ihl = (f[off] & 15) * 4u;
        const size_t total = get16(f, off + 2);
        if (ihl < 20 || total < ihl || f.size() < off + total) return std::nullopt;
        lay.proto = f[off + 9];
        lay.fragment = (get16(f, off + 6) & 0x3fff) != 0;
        lay.l4 = off + ihl;
        lay.l4_len = total - ihl;
        return lay;
    }
    if (type != 0x86dd || f.size() < off + 40) return std::nullopt;
    const size_t end = off + 40 + get16(f, off + 4);
    if (f.size() < end) return std::nullopt;
    uint8_t next = f[off + 6];
    off += 40;
    while (next == 0 || next == 43 || next == 60 || next == 51 || next == 44) {
        if (end < off + 8) return std::nullopt;
        const size_t len = next == 44 ? 8 : next == 51 ? (f[off + 1] + 2u) * 4 : (f[off + 1] + 1u) * 8;
        if (next == 44) lay.fragment = true;
        next = f[off];
        off += len;
        if (end < off) return std::nullopt;
    }
    lay.proto = next;
    lay.l4 = off;
    lay.l4_len = end - off;
    return lay;
}

// True if the frame has an IPv4 header whose checksum verifies.
inline bool ipv4_header_checksum_ok(std::span<const uint8_t> frame) {
    const auto lay = locate_layers(frame);
    if (!lay || lay->eth_type != 0x0800) return false;
    const size_t ihl = (frame[lay->l3] & 15) * 4u;
    return internet_checksum(frame.subspan(lay->l3, ihl)) == 0;
}

// True if the frame carries a complete TCP, UDP, ICMP, ICMPv6 or SCTP
// segment (over IPv4 or IPv6, possibly VLAN tagged) whose checksum verifies.
// False for anything else, fragments included. A UDP checksum of 0 over
// IPv4 ("none") counts as correct.
inline bool l4_checksum_ok(std::span<const uint8_t> frame) {
    const auto lay = locate_layers(frame);
    if (!lay || lay->fragment) return false;
    const std::optional<size_t> at = l4_checksum_offset(lay->proto);
    if (!at || lay->l4_len < *at + 2 || (lay->proto == kIpprotoSctp && lay->l4_len < 12)) return false;
    const auto ip = frame.subspan(lay->l3);
    const auto l4 = frame.subspan(lay->l4, lay->l4_len);
    const bool v4 = lay->eth_type == 0x0800;
    if (lay->proto == kIpprotoUdp && v4 && get16(l4, 6) == 0) return true;
    if (lay->proto == kIpprotoSctp) {
        Bytes copy(l4.begin(), l4.end());
        fill_l4_checksum(ip, v4, lay->proto, copy);
        return std::equal(copy.begin() + 8, copy.begin() + 12, l4.begin() + 8);
    }
    const uint64_t base =
        lay->proto == kIpprotoIcmp ? 0 : pseudo_header_sum(ip, v4, lay->proto, static_cast<uint32_t>(l4.size()));
    return csum_fold(csum_add(base, l4)) == 0;
}

// ---- The builder ----------------------------------------------------------

class PacketBuilder {
public:
    // -- Layer 2 --

    // Ethernet header; note the argument order: source first.
    PacketBuilder& eth(std::string_view src, std::string_view dst) {
        Layer& l = add(Kind::Eth, 14);
        const Mac s = mac(src), d = mac(dst);
        std::copy(d.begin(), d.end(), l.hdr.begin());
        std::copy(s.begin(), s.end(), l.hdr.begin() + 6);
        return *this;
    }

    // A VLAN tag: `tpid` goes into the preceding header's type field.
    PacketBuilder& vlan(uint16_t vid, uint8_t pcp = 0, uint16_t tpid = 0x8100, bool dei = false) {
        Layer& l = add(Kind::Vlan, 4);
        l.ethertype = tpid;
        put16(l.hdr, 0, static_cast<uint16_t>(pcp << 13 | (dei ? 0x1000 : 0) | (vid & 0xfff)));
        return *this;
    }

    // 802.3 frame with a plain LLC header (the type field becomes a length).
    PacketBuilder& llc(uint8_t dsap = 0x42, uint8_t ssap = 0x42, uint8_t control = 0x03) {
        Layer& l = add(Kind::Llc, 3);
        l.hdr = {dsap, ssap, control};
        return *this;
    }

    // 802.3 frame with LLC/SNAP (aa aa 03, OUI, type of the next layer).
    PacketBuilder& snap(uint32_t oui = 0) {
        Layer& l = add(Kind::Snap, 8);
        l.hdr = {0xaa, 0xaa, 0x03, static_cast<uint8_t>(oui >> 16), static_cast<uint8_t>(oui >> 8),
                 static_cast<uint8_t>(oui), 0, 0};
        return *this;
    }

    // Overrides the type field of the most recent Ethernet, VLAN or SNAP
    // header, or the protocol / next header of the most recent IP header
    // or IPv6 extension header.
    PacketBuilder& next_type(uint16_t type) {
        last_of({Kind::Eth, Kind::Vlan, Kind::Snap, Kind::Ipv4, Kind::Ipv6, Kind::Ipv6Ext}).next = type;
        return *this;
    }
    PacketBuilder& eth_type(uint16_t type) { return next_type(type); }

    // -- ARP --

    // Ethernet/IPv4 ARP; op 1 request, 2 reply.
    PacketBuilder& arp(uint16_t op, std::string_view sha, std::string_view spa, std::string_view tha,
                       std::string_view tpa) {
        Layer& l = add(Kind::Arp, 28);
        l.ethertype = 0x0806;
        put16(l.hdr, 0, 1);
        put16(l.hdr, 2, 0x0800);
        l.hdr[4] = 6;
        l.hdr[5] = 4;
        put16(l.hdr, 6, op);
        const Mac s = mac(sha), t = mac(tha);
        const auto sp = ip4(spa), tp = ip4(tpa);
        std::copy(s.begin(), s.end(), l.hdr.begin() + 8);
        std::copy(sp.begin(), sp.end(), l.hdr.begin() + 14);
        std::copy(t.begin(), t.end(), l.hdr.begin() + 18);
        std::copy(tp.begin(), tp.end(), l.hdr.begin() + 24);
        return *this;
    }

    // Makes the most recent ARP a RARP (ethertype 0x8035).
    PacketBuilder& rarp() {
        last_of({Kind::Arp}).ethertype = 0x8035;
        return *this;
    }

    // Overrides the hardware/protocol type and address lengths of the most
    // recent ARP (the 28-byte layout stays).
    PacketBuilder& arp_format(uint16_t htype, uint16_t ptype, uint8_t hlen, uint8_t plen) {
        Layer& l = last_of({Kind::Arp});
        put16(l.hdr, 0, htype);
        put16(l.hdr, 2, ptype);
        l.hdr[4] = hlen;
        l.hdr[5] = plen;
        return *this;
    }

    // -- IPv4 --

    PacketBuilder& ipv4(std::string_view src, std::string_view dst, std::optional<uint8_t> proto = std::nullopt) {
        Layer& l = add(Kind::Ipv4, 20);
        l.ethertype = 0x0800;
        l.ipproto = 4;
        if (proto) l.next = *proto;
        l.hdr[0] = 0x45;
        l.hdr[8] = 64;
        const auto s = ip4(src), d = ip4(dst);
        std::copy(s.begin(), s.end(), l.hdr.begin() + 12);
        std::copy(d.begin(), d.end(), l.hdr.begin() + 16);
        return *this;
    }

    // Appends IPv4 options (zero-padded to 4 bytes) and updates the IHL.
    PacketBuilder& ipv4_options(std::span<const uint8_t> opts) {
        Layer& l = last_of({Kind::Ipv4});
        append(l.hdr, opts);
        l.hdr.resize((l.hdr.size() + 3) / 4 * 4);
        l.hdr[0] = static_cast<uint8_t>((l.hdr[0] & 0xf0) | ((l.hdr.size() / 4) & 15));
        return *this;
    }
    PacketBuilder& ipv4_options(std::initializer_list<uint8_t> opts) { return ipv4_options(Bytes(opts)); }

    // Fragment fields of the most recent IPv4 header; offset in 8-byte units.
    PacketBuilder& frag(uint16_t offset8, bool more_fragments, bool dont_fragment = false) {
        Layer& l = last_of({Kind::Ipv4});
        put16(l.hdr, 6, static_cast<uint16_t>((dont_fragment ? 0x4000 : 0) | (more_fragments ? 0x2000 : 0) |
                                              (offset8 & 0x1fff)));
        return *this;
    }
    PacketBuilder& ip_id(uint16_t id) {
        put16(last_of({Kind::Ipv4}).hdr, 4, id);
        return *this;
    }
    // Raw overrides for malformed headers (the checksum is still computed).
    PacketBuilder& ipv4_version(uint8_t v) {
        Layer& l = last_of({Kind::Ipv4});
        l.hdr[0] = static_cast<uint8_t>((v << 4) | (l.hdr[0] & 15));
        return *this;
    }
    PacketBuilder& ipv4_ihl(uint8_t ihl) {
        Layer& l = last_of({Kind::Ipv4});
        l.hdr[0] = static_cast<uint8_t>((l.hdr[0] & 0xf0) | (ihl & 15));
        return *this;
    }
    PacketBuilder& ipv4_total_length(uint16_t len) {
        last_of({Kind::Ipv4}).length = len;
        return *this;
    }

    // IPv4 TTL or IPv6 hop limit of the most recent IP header.
    PacketBuilder& ttl(uint8_t ttl) {
        Layer& l = last_of({Kind::Ipv4, Kind::Ipv6});
        l.hdr[l.kind == Kind::Ipv4 ? 8 : 7] = ttl;
        return *this;
    }
    // IPv4 TOS or IPv6 traffic class of the most recent IP header.
    PacketBuilder& tos(uint8_t tos) {
        Layer& l = last_of({Kind::Ipv4, Kind::Ipv6});
        if (l.kind == Kind::Ipv4) {
            l.hdr[1] = tos;
        } else {
            l.hdr[0] = static_cast<uint8_t>((l.hdr[0] & 0xf0) | tos >> 4);
            l.hdr[1] = static_cast<uint8_t>((tos << 4) | (l.hdr[1] & 15));
        }
        return *this;
    }

    // -- IPv6 --

    PacketBuilder& ipv6(std::string_view src, std::string_view dst, std::optional<uint8_t> next = std::nullopt) {
        Layer& l = add(Kind::Ipv6, 40);
        l.ethertype = 0x86dd;
        l.ipproto = 41;
        if (next) l.next = *next;
        l.hdr[0] = 0x60;
        l.hdr[7] = 64;
        const Ip6 s = ip6(src), d = ip6(dst);
        std::copy(s.begin(), s.end(), l.hdr.begin() + 8);
        std::copy(d.begin(), d.end(), l.hdr.begin() + 24);
        return *this;
    }
    PacketBuilder& flow_label(uint32_t label) {
        Layer& l = last_of({Kind::Ipv6});
        l.hdr[1] = static_cast<uint8_t>((l.hdr[1] & 0xf0) | ((label >> 16) & 15));
        put16(l.hdr, 2, static_cast<uint16_t>(label));
        return *this;
    }
    PacketBuilder& ipv6_version(uint8_t v) {
        Layer& l = last_of({Kind::Ipv6});
        l.hdr[0] = static_cast<uint8_t>((v << 4) | (l.hdr[0] & 15));
        return *this;
    }

    // Hop-by-hop / destination options: (len8 + 1) * 8 bytes, PadN-filled.
    PacketBuilder& ipv6_hop_by_hop(uint8_t len8 = 0) { return ipv6_options_ext(0, len8); }
    PacketBuilder& ipv6_dest_opts(uint8_t len8 = 0) { return ipv6_options_ext(60, len8); }

    // Routing header (type 0 layout, segments left 0): (len8 + 1) * 8 bytes.
    PacketBuilder& ipv6_routing(uint8_t len8 = 0, uint8_t routing_type = 0) {
        Layer& l = add_ext(43, (len8 + 1u) * 8);
        l.hdr[1] = len8;
        l.hdr[2] = routing_type;
        return *this;
    }

    // Fragment header; offset in 8-byte units.
    PacketBuilder& ipv6_fragment(uint16_t offset8, bool more_fragments, uint32_t id = 1) {
        Layer& l = add_ext(44, 8);
        put16(l.hdr, 2, static_cast<uint16_t>(offset8 << 3 | (more_fragments ? 1 : 0)));
        put32(l.hdr, 4, id);
        return *this;
    }

    // Authentication header: (len4 + 2) * 4 bytes (len4 = 4: 96-bit ICV).
    PacketBuilder& ipv6_ah(uint8_t len4 = 4, uint32_t spi = 0x100) {
        Layer& l = add_ext(51, (len4 + 2u) * 4);
        l.hdr[1] = len4;
        put32(l.hdr, 4, spi);
        put32(l.hdr, 8, 1);
        return *this;
    }

    // Any extension header given whole; byte 0 (next header) is filled in.
    PacketBuilder& ipv6_ext(uint8_t type, std::span<const uint8_t> whole) {
        Layer& l = add_ext(type, 0);
        l.hdr.assign(whole.begin(), whole.end());
        return *this;
    }

    // -- Transport --

    // TCP with data offset 5; flags are the low 12 bits of bytes 12-13.
    PacketBuilder& tcp(uint16_t sport, uint16_t dport, uint16_t flags = 0) {
        Layer& l = add(Kind::Tcp, 20);
        l.ipproto = kIpprotoTcp;
        put16(l.hdr, 0, sport);
        put16(l.hdr, 2, dport);
        put32(l.hdr, 4, 1);  // sequence number
        put16(l.hdr, 12, static_cast<uint16_t>(5 << 12 | (flags & 0xfff)));
        put16(l.hdr, 14, 0xffff);  // window
        return *this;
    }
    // Appends TCP options (padded with EOL to 4 bytes), updating the offset.
    PacketBuilder& tcp_options(std::span<const uint8_t> opts) {
        Layer& l = last_of({Kind::Tcp});
        append(l.hdr, opts);
        l.hdr.resize((l.hdr.size() + 3) / 4 * 4);
        return tcp_doff(static_cast<uint8_t>(l.hdr.size() / 4));
    }
    PacketBuilder& tcp_options(std::initializer_list<uint8_t> opts) { return tcp_options(Bytes(opts)); }
    // Raw data offset override (for malformed headers).
    PacketBuilder& tcp_doff(uint8_t doff) {
        Layer& l = last_of({Kind::Tcp});
        l.hdr[12] = static_cast<uint8_t>((doff << 4) | (l.hdr[12] & 15));
        return *this;
    }

    PacketBuilder& udp(uint16_t sport, uint16_t dport) {
        Layer& l = add(Kind::Udp, 8);
        l.ipproto = kIpprotoUdp;
        put16(l.hdr, 0, sport);
        put16(l.hdr, 2, dport);
        return *this;
    }

    PacketBuilder& sctp(uint16_t sport, uint16_t dport, uint32_t vtag = 1) {
        Layer& l = add(Kind::Sctp, 12);
        l.ipproto = kIpprotoSctp;
        put16(l.hdr, 0, sport);
        put16(l.hdr, 2, dport);
        put32(l.hdr, 4, vtag);
        return *this;
    }

    // ICMP: 8-byte header (type, code, checksum, 4 bytes of zero).
    PacketBuilder& icmp(uint8_t type, uint8_t code) {
        Layer& l = add(Kind::Icmp, 8);
        l.ipproto = kIpprotoIcmp;
        l.hdr[0] = type;
        l.hdr[1] = code;
        return *this;
    }

    // ICMPv6: 8-byte header (type, code, checksum, 4 bytes of zero).
    PacketBuilder& icmpv6(uint8_t type, uint8_t code) {
        Layer& l = add(Kind::Icmpv6, 8);
        l.ipproto = kIpprotoIcmpv6;
        l.hdr[0] = type;
        l.hdr[1] = code;
        return *this;
    }

    // Neighbor Solicitation / Advertisement (24 bytes before the options).
    PacketBuilder& nd_ns(std::string_view target) { return nd(135, target, 0); }
    // flags: the R|S|O byte (0x80 router, 0x40 solicited, 0x20 override).
    PacketBuilder& nd_na(std::string_view target, uint8_t flags = 0x60) { return nd(136, target, flags); }

    // ND options, appended to the most recent ICMPv6 message.
    PacketBuilder& nd_sll(std::string_view m) { return nd_option(1, mac(m)); }
    PacketBuilder& nd_tll(std::string_view m) { return nd_option(2, mac(m)); }
    // An option with `body` zero-padded to a multiple of 8 bytes in all.
    PacketBuilder& nd_option(uint8_t type, std::span<const uint8_t> body) {
        const size_t len8 = (2 + body.size() + 7) / 8;
        Bytes opt{type, static_cast<uint8_t>(len8)};
        append(opt, body);
        opt.resize(len8 * 8);
        return nd_option_raw(opt);
    }
    // Bytes appended verbatim (for malformed options).
    PacketBuilder& nd_option_raw(std::span<const uint8_t> bytes) {
        append(last_of({Kind::Icmpv6}).hdr, bytes);
        return *this;
    }
    PacketBuilder& nd_option_raw(std::initializer_list<uint8_t> bytes) { return nd_option_raw(Bytes(bytes)); }

    // -- Payload and framing --

    // n bytes 0, 1, 2, ... (mod 256).
    PacketBuilder& payload(size_t n) {
        Layer& l = add(Kind::Raw, n);
        for (size_t i = 0; i < n; i++) l.hdr[i] = static_cast<uint8_t>(i);
        return *this;
    }
    PacketBuilder& payload(std::span<const uint8_t> bytes) {
        add(Kind::Raw, 0).hdr.assign(bytes.begin(), bytes.end());
        return *this;
    }
    PacketBuilder& payload(std::initializer_list<uint8_t> bytes) { return payload(Bytes(bytes)); }

    // Zero padding up to n bytes in all, outside every length field (like
    // the padding of short Ethernet frames).
    PacketBuilder& pad_to(size_t n) {
        pad_to_ = n;
        return *this;
    }

    // Flips the checksum of the most recent IPv4 / transport header after it
    // has been computed, so that it is wrong.
    PacketBuilder& corrupt_checksum() {
        last_of({Kind::Ipv4, Kind::Tcp, Kind::Udp, Kind::Sctp, Kind::Icmp, Kind::Icmpv6}).corrupt = true;
        return *this;
    }

    Bytes build() const {
        Bytes frame;
        std::vector<size_t> offs;
        for (const Layer& l : layers_) {
            offs.push_back(frame.size());
            append(frame, l.hdr);
        }
        const size_t end = frame.size();
        for (size_t i = 0; i < layers_.size(); i++) link(frame, offs, i, end - offs[i]);
        for (size_t i = 0; i < layers_.size(); i++) transport_checksum(frame, offs, i, end);
        for (size_t i = 0; i < layers_.size(); i++) {
            if (layers_[i].kind != Kind::Ipv4) continue;
            std::span<uint8_t> ip(frame.data() + offs[i], layers_[i].hdr.size());
            put16(ip, 10, 0);
            put16(ip, 10, internet_checksum(ip));
            if (layers_[i].corrupt) ip[11] ^= 0x01;
        }
        if (frame.size() < pad_to_) frame.resize(pad_to_, 0);
        return frame;
    }

private:
    enum class Kind { Eth, Vlan, Llc, Snap, Arp, Ipv4, Ipv6, Ipv6Ext, Tcp, Udp, Sctp, Icmp, Icmpv6, Raw };

    struct Layer {
        Kind kind;
        Bytes hdr;
        uint16_t ethertype = 0;             // what the previous L2 header's type says
        uint8_t ipproto = 59;               // what the previous IP header's protocol says
        std::optional<uint16_t> next;       // override of this header's type/protocol field
        std::optional<uint16_t> length;     // override of its length field
        bool corrupt = false;
    };

    Layer& add(Kind kind, size_t size) {
        layers_.push_back(Layer{kind, Bytes(size, 0)});
        return layers_.back();
    }

    Layer& add_ext(uint8_t type, size_t size) {
        Layer& l = add(Kind::Ipv6Ext, size);
        l.ipproto = type;
        return l;
    }

    PacketBuilder& ipv6_options_ext(uint8_t type, uint8_t len8) {
        Layer& l = add_ext(type, (len8 + 1u) * 8);
        l.hdr[1] = len8;
        // One PadN option covering the 6 bytes after the two header bytes
        // and any further 8-byte units, so the options are well formed.
        l.hdr[2] = 1;
        l.hdr[3] = static_cast<uint8_t>(l.hdr.size() - 4);
        return *this;
    }

    PacketBuilder& nd(uint8_t type, std::string_view target, uint8_t flags) {
        icmpv6(type, 0);
        Layer& l = layers_.back();
        l.hdr[4] = flags;
        const Ip6 t = ip6(target);
        append(l.hdr, t);
        return *this;
    }

    Layer& last_of(std::initializer_list<Kind> kinds) {
        for (auto it = layers_.rbegin(); it != layers_.rend(); ++it)
            for (Kind k : kinds)
                if (it->kind == k) return *it;
        throw std::logic_error("PacketBuilder: setter used before the layer it applies to");
    }

    // Fills layer i's type/protocol and length fields from the layer after
    // it; `tail` is the bytes from layer i to the end (without padding).
    void link(Bytes& frame, const std::vector<size_t>& offs, size_t i, size_t tail) const {
        const Layer& l = layers_[i];
        const Layer* next = i + 1 < layers_.size() ? &layers_[i + 1] : nullptr;
        std::span<uint8_t> h(frame.data() + offs[i], l.hdr.size());
        // An LLC header turns the preceding type field into a length.
        const bool llc_next = next && (next->kind == Kind::Llc || next->kind == Kind::Snap);
        const uint16_t l2_next = llc_next ? static_cast<uint16_t>(tail - l.hdr.size()) : next ? next->ethertype : 0;
        const uint8_t ip_next = next ? next->ipproto : 59;
        switch (l.kind) {
        case Kind::Eth: put16(h, 12, l.next.value_or(l2_next)); break;
        case Kind::Vlan: put16(h, 2, l.next.value_or(l2_next)); break;
        case Kind::Snap: put16(h, 6, l.next.value_or(l2_next)); break;
        case Kind::Ipv4:
            h[9] = static_cast<uint8_t>(l.next.value_or(ip_next));
            put16(h, 2, l.length.value_or(static_cast<uint16_t>(tail)));
            break;
        case Kind::Ipv6:
            h[6] = static_cast<uint8_t>(l.next.value_or(ip_next));
            put16(h, 4, l.length.value_or(static_cast<uint16_t>(tail - 40)));
            break;
        case Kind::Ipv6Ext:
            if (!h.empty()) h[0] = static_cast<uint8_t>(l.next.value_or(ip_next));
            break;
        case Kind::Udp: put16(h, 4, l.length.value_or(static_cast<uint16_t>(tail))); break;
        default: break;
        }
    }

    // Checksums layer i if it is a transport header, over it and everything
    // after it, with the pseudo-header of the nearest IP header before it.
    void transport_checksum(Bytes& frame, const std::vector<size_t>& offs, size_t i, size_t end) const {
        const Layer& l = layers_[i];
        switch (l.kind) {
        case Kind::Tcp: case Kind::Udp: case Kind::Sctp: case Kind::Icmp: case Kind::Icmpv6: break;
        default: return;
        }
        size_t ip = i;
        while (ip > 0 && layers_[ip].kind != Kind::Ipv4 && layers_[ip].kind != Kind::Ipv6) ip--;
        const bool v4 = layers_[ip].kind == Kind::Ipv4;
        // Without an IP header only the checksums that ignore it can be done.
        if (!v4 && layers_[ip].kind != Kind::Ipv6 && l.kind != Kind::Icmp && l.kind != Kind::Sctp) return;
        std::span<uint8_t> seg(frame.data() + offs[i], end - offs[i]);
        fill_l4_checksum(std::span<const uint8_t>(frame).subspan(offs[ip]), v4, l.ipproto, seg);
        if (l.corrupt) seg[*l4_checksum_offset(l.ipproto) + 1] ^= 0x01;
    }

    std::vector<Layer> layers_;
    size_t pad_to_ = 0;
};

}  // namespace xvs::test
