#include "ofproto/multipath.h"

#include <netinet/in.h>
#include <strings.h>

#include <array>
#include <cstring>

#include "compiler/proto_numbers.h"

namespace xvs::ofproto {

namespace {

constexpr uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

uint32_t le32(const uint8_t* p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// A value as the host's memory holds it (Open vSwitch hashes raw words of
// its flow, which stores network-order fields in network order).
template <class T>
uint32_t raw32(const T& v) {
    static_assert(sizeof(T) == 4);
    uint32_t x;
    std::memcpy(&x, &v, 4);
    return x;
}

void jmix(uint32_t& a, uint32_t& b, uint32_t& c) {
    a -= c, a ^= rotl(c, 4), c += b;
    b -= a, b ^= rotl(a, 6), a += c;
    c -= b, c ^= rotl(b, 8), b += a;
    a -= c, a ^= rotl(c, 16), c += b;
    b -= a, b ^= rotl(a, 19), a += c;
    c -= b, c ^= rotl(b, 4), b += a;
}

void jfinal(uint32_t& a, uint32_t& b, uint32_t& c) {
    c ^= b, c -= rotl(b, 14);
    a ^= c, a -= rotl(c, 11);
    b ^= a, b -= rotl(a, 25);
    c ^= b, c -= rotl(b, 16);
    a ^= c, a -= rotl(c, 4);
    b ^= a, b -= rotl(a, 14);
    c ^= b, c -= rotl(b, 24);
}

uint32_t hash_add64(uint32_t hash, uint64_t data) {
    return ovs_hash_add(ovs_hash_add(hash, static_cast<uint32_t>(data)), static_cast<uint32_t>(data >> 32));
}

bool is_ipv4(const Flow& f) { return ntohs(f.pkt.eth_type) == proto::kTypeIpv4; }
bool is_ipv6(const Flow& f) { return ntohs(f.pkt.eth_type) == proto::kTypeIpv6; }
bool is_fragment(const Flow& f) { return f.pkt.nw_frag & (XVS_FRAG_ANY | XVS_FRAG_LATER); }

// XOR of the two addresses, 16 bytes (IPv4 in the first 4).
std::array<uint8_t, 16> addr_xor(const Flow& f) {
    std::array<uint8_t, 16> x{};
    const auto* s = reinterpret_cast<const uint8_t*>(f.pkt.nw_src);
    const auto* d = reinterpret_cast<const uint8_t*>(f.pkt.nw_dst);
    size_t n = is_ipv4(f) ? 4 : 16;
    for (size_t i = 0; i < n; i++) x[i] = s[i] ^ d[i];
    return x;
}

uint16_t vid_xor(const Flow& f) {
    return (f.pkt.vlan_tci ^ f.pkt.cvlan_tci) & htons(kVlanVidMask);
}

// flow_hash_symmetric_l4(): a 32-byte record of XORed addresses, eth_type,
// VIDs, TCP/SCTP ports, XORed MACs and protocol.
uint32_t hash_symmetric_l4(const Flow& f, uint32_t basis) {
    uint8_t rec[32]{};
    bool ip = is_ipv4(f) || is_ipv6(f);
    if (ip) {
        auto x = addr_xor(f);
        std::memcpy(rec, x.data(), 16);
    }
    std::memcpy(rec + 16, &f.pkt.eth_type, 2);
    uint16_t vid = vid_xor(f);
    std::memcpy(rec + 18, &vid, 2);
    if (ip && (f.pkt.nw_proto == IPPROTO_TCP || f.pkt.nw_proto == IPPROTO_SCTP)) {
        uint16_t ports = f.pkt.tp_src ^ f.pkt.tp_dst;
        std::memcpy(rec + 20, &ports, 2);
    }
    for (int i = 0; i < 6; i++) rec[22 + i] = f.pkt.eth_src[i] ^ f.pkt.eth_dst[i];
    if (ip) rec[28] = f.pkt.nw_proto;
    return ovs_jhash_bytes(rec, sizeof rec, basis);
}

// flow_hash_symmetric_l2(): eth_type, VIDs and XORed MACs as three words.
uint32_t hash_symmetric_l2(const Flow& f, uint32_t basis) {
    uint8_t rec[12]{};
    std::memcpy(rec, &f.pkt.eth_type, 2);
    uint16_t vid = vid_xor(f);
    std::memcpy(rec + 2, &vid, 2);
    for (int i = 0; i < 6; i++) rec[4 + i] = f.pkt.eth_src[i] ^ f.pkt.eth_dst[i];
    uint32_t h = basis;
    for (int i = 0; i < 3; i++) h = ovs_hash_add(h, le32(rec + 4 * i));
    return ovs_hash_finish(h, basis);
}

// flow_hash_symmetric_l3l4(): XORed addresses, protocol, and XORed ports
// of TCP and SCTP (and UDP when asked) unless a fragment; L2 for non-IP.
uint32_t hash_symmetric_l3l4(const Flow& f, uint32_t basis, bool udp) {
    uint32_t h = basis;
    if (is_ipv4(f)) {
        h = ovs_hash_add(h, raw32(f.pkt.nw_src[0]) ^ raw32(f.pkt.nw_dst[0]));
    } else if (is_ipv6(f)) {
        auto x = addr_xor(f);
        for (int i = 0; i < 2; i++) {
            uint64_t w;
            std::memcpy(&w, x.data() + 8 * i, 8);
            h = hash_add64(h, w);
        }
    } else {
        return hash_symmetric_l2(f, basis);
    }
    h = ovs_hash_add(h, f.pkt.nw_proto);
    uint8_t p = f.pkt.nw_proto;
    if (!is_fragment(f) && (p == IPPROTO_TCP || p == IPPROTO_SCTP || (udp && p == IPPROTO_UDP)))
        h = ovs_hash_add(h, static_cast<uint16_t>(f.pkt.tp_src ^ f.pkt.tp_dst));
    return ovs_hash_finish(h, basis);
}

// flow_hash_symmetric_l3(): XORed addresses and eth_type, 20 bytes.
uint32_t hash_symmetric_l3(const Flow& f, uint32_t basis) {
    uint8_t rec[20]{};
    if (is_ipv4(f) || is_ipv6(f)) {
        auto x = addr_xor(f);
        std::memcpy(rec, x.data(), 16);
    }
    std::memcpy(rec + 16, &f.pkt.eth_type, 2);
    return ovs_jhash_bytes(rec, sizeof rec, basis);
}

uint32_t hash_addr(const Flow& f, const uint32_t (&a)[4], uint32_t basis) {
    if (is_ipv4(f)) return ovs_jhash_bytes(a, 4, basis);
    if (is_ipv6(f)) return ovs_jhash_bytes(a, 16, basis);
    return basis;
}

unsigned round_up_pow2(unsigned x) {
    x--;
    x |= x >> 1;
    x |= x >> 2;
    x |= x >> 4;
    x |= x >> 8;
    return x + 1;
}

uint16_t iter_hash(uint32_t hash, unsigned n_links, unsigned modulo) {
    if (modulo < n_links || modulo / 2 > n_links) modulo = round_up_pow2(n_links);
    uint32_t i = 0;
    uint16_t link;
    do {
        link = static_cast<uint16_t>(ovs_hash_2words(hash, i++) % modulo);
    } while (link >= n_links);
    return link;
}

constexpr std::array<std::pair<HashFields, const char*>, 7> kFieldNames = {{
    {HashFields::EthSrc, "eth_src"},
    {HashFields::SymmetricL4, "symmetric_l4"},
    {HashFields::SymmetricL3L4, "symmetric_l3l4"},
    {HashFields::SymmetricL3L4Udp, "symmetric_l3l4+udp"},
    {HashFields::NwSrc, "nw_src"},
    {HashFields::NwDst, "nw_dst"},
    {HashFields::SymmetricL3, "symmetric_l3"},
}};
constexpr std::array<std::pair<MpAlgorithm, const char*>, 4> kAlgorithmNames = {{
    {MpAlgorithm::ModuloN, "modulo_n"},
    {MpAlgorithm::HashThreshold, "hash_threshold"},
    {MpAlgorithm::Hrw, "hrw"},
    {MpAlgorithm::IterHash, "iter_hash"},
}};

template <class E, size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& t, E v) {
    for (const auto& [e, n] : t)
        if (e == v) return n;
    return nullptr;
}
template <class E, size_t N>
std::optional<E> from_name(const std::array<std::pair<E, const char*>, N>& t, std::string_view name) {
    for (const auto& [e, n] : t)
        if (name.size() == std::strlen(n) && !strncasecmp(name.data(), n, name.size())) return e;
    return std::nullopt;
}

}  // namespace

uint32_t ovs_jhash_bytes(const void* data, size_t n, uint32_t basis) {
    const auto* p = static_cast<const uint8_t*>(data);
    uint32_t a, b, c;
    a = b = c = 0xdeadbeef + static_cast<uint32_t>(n) + basis;
    for (; n >= 12; n -= 12, p += 12) {
        a += le32(p), b += le32(p + 4), c += le32(p + 8);
        jmix(a, b, c);
    }
    if (n) {
        uint8_t tail[12]{};
        std::memcpy(tail, p, n);
        a += le32(tail), b += le32(tail + 4), c += le32(tail + 8);
        jfinal(a, b, c);
    }
    return c;
}

uint32_t ovs_hash_add(uint32_t hash, uint32_t data) {
    if (data) {
        data *= 0xcc9e2d51;
        data = rotl(data, 15);
        data *= 0x1b873593;
        hash ^= data;
    }
    return rotl(hash, 13) * 5 + 0xe6546b64;
}

uint32_t ovs_hash_finish(uint32_t hash, uint32_t final) {
    hash ^= final;
    hash ^= hash >> 16;
    hash *= 0x85ebca6b;
    hash ^= hash >> 13;
    hash *= 0xc2b2ae35;
    hash ^= hash >> 16;
    return hash;
}

uint32_t ovs_hash_2words(uint32_t x, uint32_t y) { return ovs_hash_finish(ovs_hash_add(ovs_hash_add(x, 0), y), 8); }

const char* hash_fields_name(HashFields f) { return name_of(kFieldNames, f); }
std::optional<HashFields> hash_fields_from_name(std::string_view name) { return from_name(kFieldNames, name); }
const char* mp_algorithm_name(MpAlgorithm a) { return name_of(kAlgorithmNames, a); }
std::optional<MpAlgorithm> mp_algorithm_from_name(std::string_view name) { return from_name(kAlgorithmNames, name); }

uint32_t flow_hash_fields(const Flow& f, HashFields fields, uint16_t basis) {
    switch (fields) {
        case HashFields::EthSrc:
            return ovs_jhash_bytes(f.pkt.eth_src, 6, basis);
        case HashFields::SymmetricL4:
            return hash_symmetric_l4(f, basis);
        case HashFields::SymmetricL3L4:
            return hash_symmetric_l3l4(f, basis, false);
        case HashFields::SymmetricL3L4Udp:
            return hash_symmetric_l3l4(f, basis, true);
        case HashFields::NwSrc:
            return hash_addr(f, f.pkt.nw_src, basis);
        case HashFields::NwDst:
            return hash_addr(f, f.pkt.nw_dst, basis);
        case HashFields::SymmetricL3:
            return hash_symmetric_l3(f, basis);
    }
    return basis;
}

void flow_mask_hash_fields(const Flow& f, HashFields fields, Flow* wc) {
    auto& w = wc->pkt;
    XVS_WC_FULL(w, eth_type);
    const bool ip = is_ipv4(f) || is_ipv6(f);
    auto addrs = [&](bool src, bool dst) {
        size_t n = is_ipv4(f) ? 4 : is_ipv6(f) ? 16 : 0;
        if (src) std::memset(w.nw_src, 0xff, n);
        if (dst) std::memset(w.nw_dst, 0xff, n);
    };
    auto l2 = [&] {
        XVS_WC_FULL(w, eth_src);
        XVS_WC_FULL(w, eth_dst);
        w.vlan_tci |= htons(kVlanVidMask | kVlanCfi);
        w.cvlan_tci |= htons(kVlanVidMask | kVlanCfi);
    };
    auto ports = [&] {
        XVS_WC_FULL(w, tp_src);
        XVS_WC_FULL(w, tp_dst);
    };
    switch (fields) {
        case HashFields::EthSrc:
            XVS_WC_FULL(w, eth_src);
            break;
        case HashFields::SymmetricL4:
            l2();
            addrs(true, true);
            if (ip) {
                XVS_WC_FULL(w, nw_proto);
                // Open vSwitch pins the ports of every non-UDP IP packet
                // here (ICMP's type and code included).
                if (f.pkt.nw_proto != IPPROTO_UDP) ports();
            }
            break;
        case HashFields::SymmetricL3L4:
        case HashFields::SymmetricL3L4Udp: {
            if (!ip) {
                l2();
                break;
            }
            addrs(true, true);
            XVS_WC_FULL(w, nw_proto);
            w.nw_frag |= XVS_FRAG_ANY | XVS_FRAG_LATER;
            uint8_t p = f.pkt.nw_proto;
            bool udp = fields == HashFields::SymmetricL3L4Udp && p == IPPROTO_UDP;
            if (!is_fragment(f) && (p == IPPROTO_TCP || p == IPPROTO_SCTP || udp)) ports();
            break;
        }
        case HashFields::NwSrc:
            addrs(true, false);
            break;
        case HashFields::NwDst:
            addrs(false, true);
            break;
        case HashFields::SymmetricL3:
            addrs(true, true);
            break;
    }
}

uint16_t multipath_link(uint32_t hash, MpAlgorithm algorithm, unsigned n_links, unsigned arg) {
    switch (algorithm) {
        case MpAlgorithm::ModuloN:
            return static_cast<uint16_t>(hash % n_links);
        case MpAlgorithm::HashThreshold:
            return n_links == 1 ? 0 : static_cast<uint16_t>(hash / (UINT32_MAX / n_links + 1));
        case MpAlgorithm::Hrw: {
            if (n_links > 64) return iter_hash(hash, n_links, 0);
            uint16_t best = 0;
            uint32_t best_weight = ovs_hash_2words(hash, 0);
            for (unsigned link = 1; link < n_links; link++) {
                uint32_t weight = ovs_hash_2words(hash, link);
                if (weight > best_weight) {
                    best = static_cast<uint16_t>(link);
                    best_weight = weight;
                }
            }
            return best;
        }
        case MpAlgorithm::IterHash:
            return iter_hash(hash, n_links, arg);
    }
    return 0;
}

}  // namespace xvs::ofproto
