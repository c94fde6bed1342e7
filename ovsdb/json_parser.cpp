#include "ovsdb/json_parser.h"

namespace xvs::ovsdb {

bool is_id(std::string_view s) {
    if (s.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
    if (!alpha(s[0])) return false;
    for (char c : s.substr(1))
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

MemberParser::MemberParser(const Json& json, std::string what)
    : json_(json.is_object() ? &json : nullptr), what_(std::move(what)) {
    if (!json_) error_ = syntax_error(json, "Parsing {} failed: Object expected.", what_);
}

namespace {

bool kind_matches(const Json& v, unsigned kinds) {
    using K = MemberParser;
    if (kinds & K::kAny) return true;
    if ((kinds & K::kString) && v.is_string()) return true;
    if ((kinds & K::kId) && v.is_string() && is_id(v.get_ref<const std::string&>())) return true;
    if ((kinds & K::kObject) && v.is_object()) return true;
    if ((kinds & K::kArray) && v.is_array()) return true;
    if ((kinds & K::kInteger) && (v.is_number_integer())) return true;
    if ((kinds & K::kNumber) && v.is_number()) return true;
    if ((kinds & K::kBoolean) && v.is_boolean()) return true;
    return false;
}

}  // namespace

const Json* MemberParser::member(std::string_view name, unsigned kinds) {
    if (!json_) return nullptr;
    auto it = json_->find(name);
    if (it == json_->end()) {
        if (!(kinds & kOptional)) fail(fmt::format("Required '{}' member is missing.", name));
        return nullptr;
    }
    if (!kind_matches(*it, kinds)) {
        fail(fmt::format("Type mismatch for member '{}'.", name));
        return nullptr;
    }
    used_.emplace(name);
    return &*it;
}

void MemberParser::fail(std::string message) {
    if (error_) return;
    error_ = DbError{tag::kSyntax, fmt::format("Parsing {} failed: {}", what_, message),
                     json_ ? std::optional<Json>(*json_) : std::nullopt};
}

DbStatus MemberParser::status() const {
    if (error_) return *error_;
    return {};
}

DbStatus MemberParser::finish() {
    if (!error_ && json_) {
        for (auto it = json_->begin(); it != json_->end(); ++it) {
            if (!used_.count(it.key())) {
                fail(fmt::format("Member '{}' is present but not allowed here.", it.key()));
                break;
            }
        }
    }
    return status();
}

}  // namespace xvs::ovsdb
