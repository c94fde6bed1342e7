#include "ovsdb/atom.h"

#include <array>

namespace xvs::ovsdb {

namespace {

constexpr std::array<std::string_view, 5> kTypeNames = {"integer", "real", "boolean", "string", "uuid"};

template <typename T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

}  // namespace

std::string_view atomic_type_name(AtomicType t) {
    return kTypeNames[static_cast<size_t>(t)];
}

std::optional<AtomicType> atomic_type_from_name(std::string_view name) {
    for (size_t i = 0; i < kTypeNames.size(); i++)
        if (kTypeNames[i] == name) return static_cast<AtomicType>(i);
    return std::nullopt;
}

int compare_atoms(const Atom& a, const Atom& b) {
    if (a.index() != b.index()) return three_way(a.index(), b.index());
    switch (atom_type(a)) {
        case AtomicType::Integer:
            return three_way(std::get<int64_t>(a), std::get<int64_t>(b));
        case AtomicType::Real:
            return three_way(std::get<double>(a), std::get<double>(b));
        case AtomicType::Boolean:
            return three_way(std::get<bool>(a), std::get<bool>(b));
        case AtomicType::String: {
            int c = std::get<std::string>(a).compare(std::get<std::string>(b));
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        case AtomicType::Uuid:
            return three_way(std::get<Uuid>(a), std::get<Uuid>(b));
    }
    return 0;
}

Atom default_atom(AtomicType t) {
    switch (t) {
        case AtomicType::Integer:
            return int64_t{0};
        case AtomicType::Real:
            return 0.0;
        case AtomicType::Boolean:
            return false;
        case AtomicType::String:
            return std::string();
        case AtomicType::Uuid:
            return Uuid{};
    }
    return int64_t{0};
}

Json atom_to_json(const Atom& a) {
    switch (atom_type(a)) {
        case AtomicType::Integer:
            return std::get<int64_t>(a);
        case AtomicType::Real:
            return std::get<double>(a);
        case AtomicType::Boolean:
            return std::get<bool>(a);
        case AtomicType::String:
            return std::get<std::string>(a);
        case AtomicType::Uuid:
            return Json::array({"uuid", std::get<Uuid>(a).to_string()});
    }
    return nullptr;
}

std::string atom_to_string(const Atom& a) {
    switch (atom_type(a)) {
        case AtomicType::Integer:
            return std::to_string(std::get<int64_t>(a));
        case AtomicType::Real:
            return Json(std::get<double>(a)).dump();
        case AtomicType::Boolean:
            return std::get<bool>(a) ? "true" : "false";
        case AtomicType::String:
            return std::get<std::string>(a);
        case AtomicType::Uuid:
            return std::get<Uuid>(a).to_string();
    }
    return {};
}

}  // namespace xvs::ovsdb
