// Appends big-endian (network order) fields to a byte vector, for the
// export formats (sFlow's XDR, NetFlow, IPFIX).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xvs {

struct BeWriter {
    std::vector<uint8_t> b;
    void u8(uint8_t v) { b.push_back(v); }
    void u16(uint16_t v) {
        b.push_back(uint8_t(v >> 8));
        b.push_back(uint8_t(v));
    }
    void u32(uint32_t v) {
        u16(uint16_t(v >> 16));
        u16(uint16_t(v));
    }
    void u64(uint64_t v) {
        u32(uint32_t(v >> 32));
        u32(uint32_t(v));
    }
    // Bytes as they are in memory (addresses already in network order).
    void raw(const void* p, size_t n) {
        const auto* c = static_cast<const uint8_t*>(p);
        b.insert(b.end(), c, c + n);
    }
    void set_u16(size_t at, uint16_t v) {
        b[at] = uint8_t(v >> 8);
        b[at + 1] = uint8_t(v);
    }
    void set_u32(size_t at, uint32_t v) {
        set_u16(at, uint16_t(v >> 16));
        set_u16(at + 2, uint16_t(v));
    }
};

}  // namespace xvs
