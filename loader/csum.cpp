#include "loader/csum.h"

namespace xvs::loader {

namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// One's-complement sum of 'p' (big-endian 16-bit words, an odd last byte
// padded with zero) added to 'sum', not folded.
uint64_t add_bytes(uint64_t sum, const uint8_t* p, size_t n) {
    for (; n >= 2; p += 2, n -= 2) sum += be16(p);
    if (n) sum += uint64_t{p[0]} << 8;
    return sum;
}

uint16_t fold(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

}  // namespace

bool complete_partial_checksum(std::span<uint8_t> f) {
    size_t off = 12;
    if (f.size() < off + 2) return false;
    uint16_t type = be16(&f[off]);
    for (int tags = 0; tags < 2 && (type == 0x8100 || type == 0x88a8); tags++) {
        off += 4;
        if (f.size() < off + 2) return false;
        type = be16(&f[off]);
    }
    off += 2;  // the L3 header
    uint64_t pseudo = 0;
    size_t l4 = 0, l4_len = 0;
    uint8_t proto = 0;
    if (type == 0x0800) {
        if (f.size() < off + 20 || (f[off] >> 4) != 4) return false;
        size_t ihl = size_t{f[off] & 0x0fu} * 4;
        size_t total = be16(&f[off + 2]);
        if (ihl < 20 || total < ihl || f.size() < off + total) return false;
        if (be16(&f[off + 6]) & 0x3fff) return false;  // a fragment: not a whole segment
        proto = f[off + 9];
        l4 = off + ihl;
        l4_len = total - ihl;
        pseudo = add_bytes(0, &f[off + 12], 8);
    } else if (type == 0x86dd) {
        if (f.size() < off + 40) return false;
        proto = f[off + 6];
        l4 = off + 40;
        l4_len = be16(&f[off + 4]);
        if (f.size() < l4 + l4_len) return false;
        pseudo = add_bytes(0, &f[off + 8], 32);
    } else {
        return false;
    }
    size_t csum_at;
    if (proto == 6 && l4_len >= 20) {
        csum_at = l4 + 16;
    } else if (proto == 17 && l4_len >= 8) {
        csum_at = l4 + 6;
        if (type == 0x0800 && be16(&f[csum_at]) == 0) return false;  // no checksum
    } else {
        return false;
    }
    pseudo += proto + l4_len;
    const uint16_t partial = fold(pseudo);
    const uint16_t stored = be16(&f[csum_at]);
    // A right checksum sums, with the pseudo-header, to all ones.
    if (fold(add_bytes(pseudo, &f[l4], l4_len)) == 0xffff || stored != partial) return false;
    f[csum_at] = f[csum_at + 1] = 0;
    uint16_t c = static_cast<uint16_t>(~fold(add_bytes(pseudo, &f[l4], l4_len)));
    if (proto == 17 && c == 0) c = 0xffff;  // UDP sends a computed 0 as all ones
    f[csum_at] = static_cast<uint8_t>(c >> 8);
    f[csum_at + 1] = static_cast<uint8_t>(c);
    return true;
}

}  // namespace xvs::loader
