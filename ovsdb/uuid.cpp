#include "ovsdb/uuid.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace xvs::ovsdb {

namespace {

// Random bytes, fetched from the kernel a page at a time: replaying a large
// log generates a version UUID per row, and a syscall per UUID shows there.
void random_bytes(uint8_t* out, size_t n) {
    thread_local std::array<uint8_t, 4096> pool;
    thread_local size_t used = pool.size();
    while (n > 0) {
        if (used == pool.size()) {
            size_t got = 0;
            while (got < pool.size()) {
                ssize_t r = getrandom(pool.data() + got, pool.size() - got, 0);
                if (r < 0) {
                    if (errno == EINTR) continue;
                    // No entropy source is a broken host, not a recoverable error.
                    throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
                }
                got += static_cast<size_t>(r);
            }
            used = 0;
        }
        size_t take = std::min(n, pool.size() - used);
        std::memcpy(out, pool.data() + used, take);
        used += take;
        out += take;
        n -= take;
    }
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Uuid Uuid::random() {
    Uuid u;
    random_bytes(u.bytes.data(), u.bytes.size());
    u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0f) | 0x40);  // version 4
    u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    return u;
}

std::optional<Uuid> Uuid::parse(std::string_view text) {
    if (text.size() != 36) return std::nullopt;
    Uuid u;
    size_t b = 0;
    for (size_t i = 0; i < text.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            i++;
            continue;
        }
        int hi = hex_value(text[i]);
        int lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        u.bytes[b++] = static_cast<uint8_t>(hi << 4 | lo);
        i += 2;
    }
    return u;
}

std::string Uuid::to_string() const {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(36);
    for (size_t i = 0; i < bytes.size(); i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
        s += digits[bytes[i] >> 4];
        s += digits[bytes[i] & 0xf];
    }
    return s;
}

bool Uuid::is_zero() const {
    for (uint8_t b : bytes)
        if (b) return false;
    return true;
}

size_t UuidHash::operator()(const Uuid& u) const {
    // Random UUIDs are uniformly distributed already; fold the halves.
    uint64_t a, b;
    std::memcpy(&a, u.bytes.data(), 8);
    std::memcpy(&b, u.bytes.data() + 8, 8);
    return static_cast<size_t>(a ^ (b * 0x9e3779b97f4a7c15ULL));
}

}  // namespace xvs::ovsdb
