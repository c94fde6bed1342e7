#include "compiler/packet_compose.h"

#include <cstring>

#include "compiler/proto_numbers.h"

namespace xvs::compiler {

namespace {

using namespace proto;

constexpr size_t kEthMin = 60;

uint16_t host16(__be16 v) {
    uint8_t b[2];
    std::memcpy(b, &v, 2);
    return static_cast<uint16_t>(b[0] << 8 | b[1]);
}

uint32_t host32(__be32 v) {
    uint8_t b[4];
    std::memcpy(b, &v, 4);
    return static_cast<uint32_t>(b[0]) << 24 | static_cast<uint32_t>(b[1]) << 16 | static_cast<uint32_t>(b[2]) << 8 |
           b[3];
}

void put16(std::vector<uint8_t>& b, size_t off, uint16_t v) {
    b[off] = static_cast<uint8_t>(v >> 8);
    b[off + 1] = static_cast<uint8_t>(v);
}

void push16(std::vector<uint8_t>& b, uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

void push_bytes(std::vector<uint8_t>& b, const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
}

bool all_zero(const uint8_t* p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

// One's complement sum of big-endian 16-bit words (RFC 1071), unfolded.
uint64_t sum16(uint64_t sum, const uint8_t* p, size_t n) {
    size_t i = 0;
    for (; i + 1 < n; i += 2) sum += static_cast<uint64_t>(p[i] << 8 | p[i + 1]);
    if (i < n) sum += static_cast<uint64_t>(p[i]) << 8;
    return sum;
}

uint16_t fold(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

uint32_t crc32c(const uint8_t* p, size_t n) {
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82f63b78 & (0u - (crc & 1)));
    }
    return ~crc;
}

// The transport header for the key's protocol (checksum left zero), or
// empty when the protocol has none this builder knows.
std::vector<uint8_t> l4_header(const xvs_flow_key& key, bool v6) {
    std::vector<uint8_t> h;
    switch (key.nw_proto) {
    case kProtoTcp: {
        push_bytes(h, &key.tp_src, 2);
        push_bytes(h, &key.tp_dst, 2);
        h.resize(12, 0);  // sequence and acknowledgement numbers
        uint16_t flags = host16(key.tcp_flags) & 0x0fff;
        push16(h, static_cast<uint16_t>(5 << 12 | flags));
        h.resize(20, 0);  // window, checksum, urgent pointer
        break;
    }
    case kProtoUdp:
        push_bytes(h, &key.tp_src, 2);
        push_bytes(h, &key.tp_dst, 2);
        h.resize(8, 0);  // length and checksum, filled in later
        break;
    case kProtoSctp:
        push_bytes(h, &key.tp_src, 2);
        push_bytes(h, &key.tp_dst, 2);
        h.resize(12, 0);  // verification tag, checksum
        break;
    case kProtoIcmp:
    case kProtoIcmpv6: {
        if ((key.nw_proto == kProtoIcmp) == v6) break;
        uint8_t type = static_cast<uint8_t>(host16(key.tp_src)), code = static_cast<uint8_t>(host16(key.tp_dst));
        h = {type, code, 0, 0, 0, 0, 0, 0};
        if (v6 && code == 0 && (type == 135 || type == 136)) {
            push_bytes(h, key.nd_target, 16);
            const uint8_t* ll = type == 135 ? key.arp_sha : key.arp_tha;
            if (!all_zero(ll, 6)) {
                h.push_back(type == 135 ? 1 : 2);  // source / target link-layer address option
                h.push_back(1);
                push_bytes(h, ll, 6);
            }
        }
        break;
    }
    default:
        break;
    }
    return h;
}

// Fills the checksum of the transport segment l4 under the IP header ip.
void l4_checksum(std::vector<uint8_t>& l4, const uint8_t* ip, bool v6, uint8_t proto) {
    if (proto == kProtoSctp) {
        if (l4.size() < 12) return;
        uint32_t crc = crc32c(l4.data(), l4.size());
        for (int i = 0; i < 4; i++) l4[8 + i] = static_cast<uint8_t>(crc >> (8 * i));  // least significant first
        return;
    }
    size_t at = proto == kProtoTcp ? 16 : proto == kProtoUdp ? 6 : 2;
    if (l4.size() < at + 2) return;
    uint64_t sum = 0;
    if (proto != kProtoIcmp) {
        sum = proto;
        if (v6) {
            sum = sum16(sum, ip + 8, 32);
            sum += (l4.size() >> 16) + (l4.size() & 0xffff);
        } else {
            sum = sum16(sum, ip + 12, 8);
            sum += l4.size();
        }
    }
    uint16_t c = fold(sum16(sum, l4.data(), l4.size()));
    if (proto == kProtoUdp && c == 0) c = 0xffff;
    put16(l4, at, c);
}

}  // namespace

Result<std::vector<uint8_t>> compose_frame(const xvs_flow_key& key, size_t min_len) {
    if (min_len == 0) min_len = kEthMin;
    std::vector<uint8_t> f;
    push_bytes(f, key.eth_dst, 6);
    push_bytes(f, key.eth_src, 6);
    auto tag = [&](__be16 tpid, __be16 tci) -> Status {
        if (!tpid && !tci) return {};
        uint16_t t = tpid ? host16(tpid) : kTypeVlan;
        if (t != kTypeVlan && t != kTypeQinQ) return make_error("VLAN TPID 0x{:04x} is not 0x8100 or 0x88a8", t);
        push16(f, t);
        push16(f, host16(tci) & ~0x1000);
        return {};
    };
    if (auto s = tag(key.vlan_tpid, key.vlan_tci); !s) return s.error();
    if (key.cvlan_tpid || key.cvlan_tci) {
        if (!key.vlan_tpid && !key.vlan_tci) return make_error("an inner VLAN tag needs an outer one");
        if (auto s = tag(key.cvlan_tpid, key.cvlan_tci); !s) return s.error();
    }
    uint16_t type = host16(key.eth_type);
    const size_t l2_len = f.size() + 2;

    if (type == kTypeIpv4 || type == kTypeIpv6) {
        const bool v6 = type == kTypeIpv6;
        const bool later = key.nw_frag & XVS_FRAG_LATER;
        const bool frag = (key.nw_frag & XVS_FRAG_ANY) || later;
        std::vector<uint8_t> ip;
        if (!v6) {
            ip = {0x45, key.nw_tos, 0, 0, 0, 0, 0, 0, key.nw_ttl, key.nw_proto, 0, 0};
            put16(ip, 6, later ? 1 : frag ? 0x2000 : 0);  // offset 8 bytes / more fragments
            push_bytes(ip, &key.nw_src[0], 4);
            push_bytes(ip, &key.nw_dst[0], 4);
        } else {
            uint32_t w0 = 6u << 28 | static_cast<uint32_t>(key.nw_tos) << 20 | (host32(key.ipv6_label) & 0xfffff);
            ip = {static_cast<uint8_t>(w0 >> 24),
                  static_cast<uint8_t>(w0 >> 16),
                  static_cast<uint8_t>(w0 >> 8),
                  static_cast<uint8_t>(w0),
                  0,
                  0,
                  frag ? kExtFragment : key.nw_proto,
                  key.nw_ttl};
            push_bytes(ip, key.nw_src, 16);
            push_bytes(ip, key.nw_dst, 16);
            if (frag) ip.insert(ip.end(), {key.nw_proto, 0, 0, static_cast<uint8_t>(later ? 0x08 : 0x01), 0, 0, 0, 0});
        }
        std::vector<uint8_t> l4 = later ? std::vector<uint8_t>{} : l4_header(key, v6);
        size_t have = l2_len + ip.size() + l4.size();
        if (have < min_len) l4.resize(l4.size() + (min_len - have), 0);
        if (!v6) {
            put16(ip, 2, static_cast<uint16_t>(ip.size() + l4.size()));
            put16(ip, 10, fold(sum16(0, ip.data(), ip.size())));
        } else {
            put16(ip, 4, static_cast<uint16_t>(ip.size() - 40 + l4.size()));
        }
        if (!later && key.nw_proto == kProtoUdp && l4.size() >= 8) put16(l4, 4, static_cast<uint16_t>(l4.size()));
        if (!later && !l4.empty()) l4_checksum(l4, ip.data(), v6, key.nw_proto);
        push16(f, type);
        f.insert(f.end(), ip.begin(), ip.end());
        f.insert(f.end(), l4.begin(), l4.end());
        return f;
    }

    if (type == kTypeArp || type == kTypeRarp) {
        push16(f, type);
        f.insert(f.end(), {0, 1, 0x08, 0x00, 6, 4, 0, key.nw_proto});
        push_bytes(f, key.arp_sha, 6);
        push_bytes(f, &key.nw_src[0], 4);
        push_bytes(f, key.arp_tha, 6);
        push_bytes(f, &key.nw_dst[0], 4);
    } else if (type < 0x0600) {
        // 802.3: the length of what follows (zeros: not LLC/SNAP).
        size_t payload = min_len > l2_len ? min_len - l2_len : 0;
        push16(f, static_cast<uint16_t>(payload));
    } else {
        push16(f, type);
    }
    if (f.size() < min_len) f.resize(min_len, 0);
    return f;
}

}  // namespace xvs::compiler
