#include "tools/ofctl_protocol.h"

#include <fmt/format.h>
#include <strings.h>

#include <bit>

namespace xvs::ofctl {

namespace {

struct Abbrev {
    Protocols protocols;
    const char* name;
};
// Tried in this order when naming a set.
constexpr Abbrev kAbbrevs[] = {
    {kPAny, "any"},
    {kP10StdAny, "OpenFlow10"},
    {kP10NxmAny, "NXM"},
    {kPAnyOxm, "OXM"},
};

const char* single_name(Protocols p) {
    switch (p) {
        case kP10Nxm:
            return "NXM-table_id";
        case kP10NxmTid:
            return "NXM+table_id";
        case kP10Std:
            return "OpenFlow10-table_id";
        case kP10StdTid:
            return "OpenFlow10+table_id";
        case kP11Std:
            return "OpenFlow11";
        case kP12Oxm:
            return "OXM-OpenFlow12";
        case kP13Oxm:
            return "OXM-OpenFlow13";
        case kP14Oxm:
            return "OXM-OpenFlow14";
        case kP15Oxm:
            return "OXM-OpenFlow15";
        default:
            return nullptr;
    }
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && !strncasecmp(a.data(), b.data(), a.size());
}

}  // namespace

Protocols protocols_of_version(uint8_t version) {
    switch (version) {
        case 1:
            return kP10Any;
        case 2:
            return kP11Std;
        case 3:
            return kP12Oxm;
        case 4:
            return kP13Oxm;
        case 5:
            return kP14Oxm;
        case 6:
            return kP15Oxm;
        default:
            return 0;
    }
}

Protocols protocol_of_version(uint8_t version) {
    Protocols p = protocols_of_version(version);
    return p & (~p + 1);
}

uint8_t version_of_protocol(Protocols protocol) {
    if (protocol & kP10Any) return 1;
    if (protocol & kP11Std) return 2;
    if (protocol & kP12Oxm) return 3;
    if (protocol & kP13Oxm) return 4;
    if (protocol & kP14Oxm) return 5;
    return 6;
}

uint32_t versions_of_protocols(Protocols protocols) {
    uint32_t bitmap = 0;
    for (int i = 0; i < 9; i++) {
        if (protocols & (1u << i)) bitmap |= 1u << version_of_protocol(1u << i);
    }
    return bitmap;
}

Protocols protocols_of_versions(uint32_t bitmap) {
    Protocols p = 0;
    for (uint8_t v = 1; v < 32; v++) {
        if (bitmap & (1u << v)) p |= protocols_of_version(v);
    }
    return p;
}

Protocols protocol_set_tid(Protocols protocol, bool enable) {
    if (protocol & kP10StdAny) return enable ? kP10StdTid : kP10Std;
    if (protocol & kP10NxmAny) return enable ? kP10NxmTid : kP10Nxm;
    return protocol;
}

Protocols protocol_base(Protocols protocol) {
    return protocol_set_tid(protocol, false);
}

std::string protocols_to_string(Protocols protocols) {
    if (!protocols) return "none";
    std::string s;
    while (protocols) {
        if (!s.empty()) s += ',';
        bool done = false;
        for (const auto& a : kAbbrevs) {
            if ((protocols & a.protocols) == a.protocols) {
                s += a.name;
                protocols &= ~a.protocols;
                done = true;
                break;
            }
        }
        if (done) continue;
        Protocols bit = protocols & (~protocols + 1);
        s += single_name(bit);
        protocols &= ~bit;
    }
    return s;
}

std::optional<Protocols> protocols_from_string(std::string_view text, std::string* error) {
    Protocols protocols = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t n = text.find(',', i);
        if (n == std::string_view::npos) n = text.size();
        std::string_view word = text.substr(i, n - i);
        i = n + 1;
        if (word.empty()) continue;
        Protocols p = 0;
        for (int b = 0; b < 9 && !p; b++) {
            if (iequal(word, single_name(1u << b))) p = 1u << b;
        }
        for (const auto& a : kAbbrevs) {
            if (!p && iequal(word, a.name)) p = a.protocols;
        }
        if (!p) {
            *error = fmt::format("{}: unknown flow protocol", word);
            return std::nullopt;
        }
        protocols |= p;
    }
    if (!protocols) {
        *error = fmt::format("{}: no flow protocol specified", text);
        return std::nullopt;
    }
    return protocols;
}

const char* version_name(uint8_t version) {
    static const char* const kNames[] = {"OpenFlow10", "OpenFlow11", "OpenFlow12",
                                         "OpenFlow13", "OpenFlow14", "OpenFlow15"};
    return version >= 1 && version <= 6 ? kNames[version - 1] : "unknown";
}

std::optional<uint32_t> versions_from_string(std::string_view text, std::string* error) {
    uint32_t bitmap = 0;
    size_t i = 0;
    auto delim = [](char c) {
        return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    while (i < text.size()) {
        if (delim(text[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < text.size() && !delim(text[j])) j++;
        std::string_view word = text.substr(i, j - i);
        uint8_t v = 0;
        for (uint8_t k = 1; k <= 6; k++) {
            if (iequal(word, version_name(k))) v = k;
        }
        if (!v) {
            *error = fmt::format("Unknown OpenFlow version: \"{}\"", word);
            return std::nullopt;
        }
        bitmap |= 1u << v;
        i = j;
    }
    return bitmap;
}

std::string version_bitmap_names(uint32_t bitmap) {
    std::string s;
    while (bitmap) {
        int v = std::countr_zero(bitmap);
        bitmap &= bitmap - 1;
        s += version_name(uint8_t(v));
        if (bitmap) s += ", ";
    }
    return s;
}

std::string version_bitmap_numbers(uint32_t bitmap) {
    std::string s;
    while (bitmap) {
        int v = std::countr_zero(bitmap);
        bitmap &= bitmap - 1;
        s += fmt::format("0x{:02x}", v);
        if (bitmap) s += ", ";
    }
    return s;
}

}  // namespace xvs::ofctl
