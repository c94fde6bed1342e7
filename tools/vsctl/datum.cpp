#include "tools/vsctl/datum.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace xvs::vsctl {

namespace {

Json atom_from_wire(const Json& j) {
    if (j.is_array() && j.size() == 2 && (j[0] == "uuid" || j[0] == "named-uuid")) return j[1];
    return j;
}

Json atom_to_wire(const Json& a, const BaseType& b) {
    if (b.type == AtomicType::Uuid) return uuid_to_wire(a.get<std::string>());
    return a;
}

bool string_needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    unsigned char c = s[0];
    if (!isalpha(c) && c != '_') return true;
    for (unsigned char ch : s)
        if (!isalnum(ch) && ch != '_' && ch != '-' && ch != '.') return true;
    if (s == "true" || s == "false") return true;
    if (is_uuid(s)) return true;
    return false;
}

// OVS prints the shortest form that reads back as the same double.
std::string real_to_string(double v) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    std::string s = buf;
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, v);
        if (strtod(buf, nullptr) == v) {
            s = buf;
            break;
        }
    }
    return s;
}

}  // namespace

bool atom_less(const Json& a, const Json& b) {
    if (a.is_number() && b.is_number()) return a.get<double>() < b.get<double>();
    return a < b;
}

void datum_sort(Datum& d, bool is_map) {
    std::vector<size_t> idx(d.keys.size());
    for (size_t i = 0; i < idx.size(); i++) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t x, size_t y) { return atom_less(d.keys[x], d.keys[y]); });
    Datum out;
    for (size_t i : idx) {
        if (!out.keys.empty() && out.keys.back() == d.keys[i]) {
            if (is_map) out.vals.back() = d.vals[i];
            continue;
        }
        out.keys.push_back(d.keys[i]);
        if (is_map) out.vals.push_back(d.vals[i]);
    }
    d = std::move(out);
}

bool datum_equal(const Datum& a, const Datum& b) {
    return a.keys == b.keys && a.vals == b.vals;
}

bool datum_includes(const Datum& big, const Datum& small, bool is_map) {
    for (size_t i = 0; i < small.keys.size(); i++) {
        bool ok = false;
        for (size_t j = 0; j < big.keys.size(); j++)
            if (big.keys[j] == small.keys[i] && (!is_map || big.vals[j] == small.vals[i])) ok = true;
        if (!ok) return false;
    }
    return true;
}

Datum datum_from_wire(const Json& j, const ColumnType& t) {
    Datum d;
    if (j.is_array() && j.size() == 2 && j[0] == "set") {
        for (auto& a : j[1]) d.keys.push_back(atom_from_wire(a));
    } else if (j.is_array() && j.size() == 2 && j[0] == "map") {
        for (auto& p : j[1]) {
            d.keys.push_back(atom_from_wire(p[0]));
            d.vals.push_back(atom_from_wire(p[1]));
        }
    } else {
        d.keys.push_back(atom_from_wire(j));
    }
    datum_sort(d, t.is_map());
    return d;
}

Json datum_to_wire(const Datum& d, const ColumnType& t) {
    if (t.is_map()) {
        Json arr = Json::array();
        for (size_t i = 0; i < d.keys.size(); i++)
            arr.push_back(Json::array({atom_to_wire(d.keys[i], t.key), atom_to_wire(d.vals[i], *t.value)}));
        return Json::array({"map", arr});
    }
    if (d.keys.size() == 1) return atom_to_wire(d.keys[0], t.key);
    Json arr = Json::array();
    for (auto& k : d.keys) arr.push_back(atom_to_wire(k, t.key));
    return Json::array({"set", arr});
}

Json uuid_to_wire(const std::string& uuid) {
    if (!uuid.empty() && uuid[0] == '@') return Json::array({"named-uuid", "row" + uuid.substr(1)});
    return Json::array({"uuid", uuid});
}

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!isxdigit(static_cast<unsigned char>(s[i]))) {
            return false;
        }
    }
    return true;
}

std::string atom_to_string(const Json& a, const BaseType& b) {
    switch (b.type) {
        case AtomicType::Integer:
            return std::to_string(a.get<long long>());
        case AtomicType::Real:
            return real_to_string(a.get<double>());
        case AtomicType::Boolean:
            return a.get<bool>() ? "true" : "false";
        case AtomicType::Uuid:
            return a.get<std::string>();
        case AtomicType::String: {
            std::string s = a;
            return string_needs_quotes(s) ? Json(s).dump() : s;
        }
    }
    return "";
}

std::string datum_to_string(const Datum& d, const ColumnType& t) {
    std::string out;
    if (t.is_map()) {
        out = "{";
        for (size_t i = 0; i < d.keys.size(); i++) {
            if (i) out += ", ";
            out += atom_to_string(d.keys[i], t.key) + "=" + atom_to_string(d.vals[i], *t.value);
        }
        return out + "}";
    }
    bool brackets = t.max != 1 || d.keys.empty();
    if (brackets) out = "[";
    for (size_t i = 0; i < d.keys.size(); i++) {
        if (i) out += ", ";
        out += atom_to_string(d.keys[i], t.key);
    }
    if (brackets) out += "]";
    return out;
}

std::string datum_to_bare(const Datum& d, const ColumnType& t) {
    auto bare = [](const Json& a, const BaseType& b) {
        return b.type == AtomicType::String ? a.get<std::string>() : atom_to_string(a, b);
    };
    std::string out;
    for (size_t i = 0; i < d.keys.size(); i++) {
        if (i) out += " ";
        out += bare(d.keys[i], t.key);
        if (t.is_map()) out += "=" + bare(d.vals[i], *t.value);
    }
    return out;
}

}  // namespace xvs::vsctl
