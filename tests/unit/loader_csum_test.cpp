// complete_partial_checksum: offloaded TCP/UDP checksums left as the
// pseudo-header sum are finished; right and corrupt ones are left alone.
#include <doctest/doctest.h>

#include <vector>

#include "loader/csum.h"

using xvs::loader::complete_partial_checksum;

namespace {

uint32_t sum16(const uint8_t* p, size_t n, uint32_t s = 0) {
    for (size_t i = 0; i + 1 < n; i += 2) s += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1) s += uint32_t(p[n - 1]) << 8;
    return s;
}
uint16_t folded(uint32_t s) {
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return uint16_t(s);
}

// Ethernet + IPv4 (or IPv6) + a TCP (or UDP) segment with 'payload' bytes.
// Returns the frame and sets *l4 and *csum_at.
std::vector<uint8_t> frame(bool v6, uint8_t proto, size_t payload, size_t* l4, size_t* csum_at) {
    std::vector<uint8_t> f(14, 0);
    f[12] = v6 ? 0x86 : 0x08;
    f[13] = v6 ? 0xdd : 0x00;
    size_t l4_len = (proto == 6 ? 20 : 8) + payload;
    if (v6) {
        std::vector<uint8_t> h(40, 0);
        h[0] = 0x60;
        h[4] = uint8_t(l4_len >> 8), h[5] = uint8_t(l4_len);
        h[6] = proto, h[7] = 64;
        h[8] = 0x20, h[9] = 0x01, h[23] = 1;   // 2001::1
        h[24] = 0x20, h[25] = 0x01, h[39] = 2; // 2001::2
        f.insert(f.end(), h.begin(), h.end());
    } else {
        std::vector<uint8_t> h = {0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
        size_t total = 20 + l4_len;
        h[2] = uint8_t(total >> 8), h[3] = uint8_t(total);
        f.insert(f.end(), h.begin(), h.end());
    }
    *l4 = f.size();
    std::vector<uint8_t> seg(l4_len, 0);
    seg[0] = 0x1f, seg[1] = 0x90, seg[2] = 0x8e, seg[3] = 0x01;  // ports 8080 -> 36353
    if (proto == 6) {
        seg[12] = 0x50, seg[13] = 0x12;  // data offset 5, SYN|ACK
        *csum_at = *l4 + 16;
    } else {
        seg[4] = uint8_t(l4_len >> 8), seg[5] = uint8_t(l4_len);
        *csum_at = *l4 + 6;
    }
    for (size_t i = 0; i < payload; i++) seg[l4_len - payload + i] = uint8_t(i * 7 + 1);
    f.insert(f.end(), seg.begin(), seg.end());
    return f;
}

uint32_t pseudo_sum(const std::vector<uint8_t>& f, bool v6, uint8_t proto, size_t l4) {
    size_t l4_len = f.size() - l4;
    uint32_t s = v6 ? sum16(&f[14 + 8], 32) : sum16(&f[14 + 12], 8);
    return s + proto + uint32_t(l4_len);
}

}  // namespace

TEST_CASE("partial TCP/UDP checksums over IPv4 and IPv6 are finished") {
    for (bool v6 : {false, true}) {
        for (uint8_t proto : {uint8_t{6}, uint8_t{17}}) {
            for (size_t payload : {size_t{0}, size_t{5}, size_t{100}}) {
                CAPTURE(v6);
                CAPTURE(proto);
                CAPTURE(payload);
                size_t l4, at;
                auto f = frame(v6, proto, payload, &l4, &at);
                uint32_t ps = pseudo_sum(f, v6, proto, l4);
                uint16_t partial = folded(ps);
                f[at] = uint8_t(partial >> 8), f[at + 1] = uint8_t(partial);
                REQUIRE(complete_partial_checksum(f));
                // The receiver's check: pseudo-header plus segment sum to all ones.
                CHECK(folded(sum16(&f[l4], f.size() - l4, ps)) == 0xffff);
                // Already right: nothing to do.
                auto again = f;
                CHECK(!complete_partial_checksum(again));
                CHECK(again == f);
            }
        }
    }
}

TEST_CASE("corrupt, absent, truncated and non-IP packets are left alone") {
    size_t l4, at;
    auto f = frame(false, 6, 10, &l4, &at);
    f[at] = 0x12, f[at + 1] = 0x34;  // neither right nor the partial sum
    auto copy = f;
    CHECK(!complete_partial_checksum(f));
    CHECK(f == copy);

    auto u = frame(false, 17, 10, &l4, &at);  // UDP over IPv4 without a checksum
    copy = u;
    CHECK(!complete_partial_checksum(u));
    CHECK(u == copy);

    auto t = frame(false, 6, 10, &l4, &at);
    uint16_t partial = folded(pseudo_sum(t, false, 6, l4));
    t[at] = uint8_t(partial >> 8), t[at + 1] = uint8_t(partial);
    t.resize(t.size() - 4);  // the IP length says more than there is
    copy = t;
    CHECK(!complete_partial_checksum(t));
    CHECK(t == copy);

    std::vector<uint8_t> arp(60, 0);
    arp[12] = 0x08, arp[13] = 0x06;
    copy = arp;
    CHECK(!complete_partial_checksum(arp));
    CHECK(arp == copy);
}

TEST_CASE("a VLAN-tagged frame is handled") {
    size_t l4, at;
    auto f = frame(false, 6, 3, &l4, &at);
    uint16_t partial = folded(pseudo_sum(f, false, 6, l4));
    f[at] = uint8_t(partial >> 8), f[at + 1] = uint8_t(partial);
    std::vector<uint8_t> tag = {0x81, 0x00, 0x00, 0x0a};
    f.insert(f.begin() + 12, tag.begin(), tag.end());
    REQUIRE(complete_partial_checksum(f));
    CHECK(folded(sum16(&f[l4 + 4], f.size() - l4 - 4, pseudo_sum(std::vector<uint8_t>(f.begin() + 4, f.end()), false, 6, l4))) ==
          0xffff);
}
