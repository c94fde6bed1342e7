// RFC 4122 UUIDs as OVSDB uses them: row ids, row versions, transaction ids.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xvs::ovsdb {

struct Uuid {
    // Bytes in the order they are written, so comparing bytes orders UUIDs
    // the way their text sorts.
    std::array<uint8_t, 16> bytes{};

    // A random (version 4) UUID from the kernel's CSPRNG: row UUIDs are
    // handed to clients, and nothing should let one predict another's.
    static Uuid random();
    // "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", hex digits in either case.
    static std::optional<Uuid> parse(std::string_view text);

    std::string to_string() const;
    bool is_zero() const;

    auto operator<=>(const Uuid&) const = default;
};

struct UuidHash {
    size_t operator()(const Uuid& u) const;
};

}  // namespace xvs::ovsdb
