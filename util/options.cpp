#include "util/options.h"

namespace xvs {

void OptionParser::add(Option option) {
    options_.push_back(std::move(option));
}

const Option* OptionParser::find_short(char c) const {
    for (const auto& o : options_) {
        if (o.short_name && o.short_name == c) return &o;
    }
    return nullptr;
}

Result<const Option*> OptionParser::find_long(std::string_view name, std::string_view spelled) const {
    std::vector<const Option*> matches;
    for (const auto& o : options_) {
        if (o.name == name) return &o;  // an exact match beats any prefix match
        if (o.name.compare(0, name.size(), name) == 0) matches.push_back(&o);
    }
    if (matches.empty()) return make_error("unrecognized option '{}'", spelled);
    if (matches.size() > 1) {
        std::string names;
        for (const auto* o : matches) names += fmt::format(" '--{}'", o->name);
        return make_error("option '{}' is ambiguous; possibilities:{}", spelled, names);
    }
    return matches.front();
}

Result<std::vector<std::string>> OptionParser::parse(int argc, char* argv[], Mode mode) const {
    std::vector<std::string> args;
    for (int i = 1; i < argc; i++) args.emplace_back(argv[i]);
    return parse(args, mode);
}

Result<std::vector<std::string>> OptionParser::parse(const std::vector<std::string>& args, Mode mode) const {
    std::vector<std::string> positional;
    auto run = [](const Option& o, std::optional<std::string_view> value) -> Status {
        return o.handler ? o.handler(value) : Status{};
    };

    for (size_t i = 0; i < args.size(); i++) {
        const std::string& a = args[i];
        if (a == "--") {
            positional.insert(positional.end(), args.begin() + i + 1, args.end());
            break;
        }
        if (a.size() < 2 || a[0] != '-') {
            if (mode == Mode::InOrder) {
                positional.insert(positional.end(), args.begin() + i, args.end());
                break;
            }
            positional.push_back(a);
            continue;
        }

        if (a[1] == '-') {
            std::string_view body = std::string_view(a).substr(2);
            size_t eq = body.find('=');
            std::string_view name = body.substr(0, eq);
            std::string spelled = "--" + std::string(name);
            auto found = find_long(name, spelled);
            if (!found) return found.error();
            const Option& o = **found;
            std::string full = "--" + o.name;
            std::optional<std::string_view> value;
            if (eq != std::string_view::npos) {
                if (o.arg == OptionArg::None) return make_error("option '{}' doesn't allow an argument", full);
                value = body.substr(eq + 1);
            } else if (o.arg == OptionArg::Required) {
                if (i + 1 >= args.size()) return make_error("option '{}' requires an argument", full);
                value = args[++i];
            }
            auto st = run(o, value);
            if (!st) return st.error();
            continue;
        }

        // A cluster of short options; one that takes an argument ends it.
        for (size_t j = 1; j < a.size(); j++) {
            const Option* o = find_short(a[j]);
            if (!o) return make_error("invalid option -- '{}'", a[j]);
            std::optional<std::string_view> value;
            bool rest_used = false;
            if (o->arg != OptionArg::None && j + 1 < a.size()) {
                value = std::string_view(a).substr(j + 1);
                rest_used = true;
            } else if (o->arg == OptionArg::Required) {
                if (i + 1 >= args.size()) return make_error("option requires an argument -- '{}'", a[j]);
                value = args[++i];
                rest_used = true;
            }
            auto st = run(*o, value);
            if (!st) return st.error();
            if (rest_used) break;
        }
    }
    return positional;
}

std::string OptionParser::option_list() const {
    std::string out;
    for (const auto& o : options_) {
        const char* arg = o.arg == OptionArg::Required ? "ARG" : "[ARG]";
        bool has = o.arg != OptionArg::None;
        out += fmt::format("--{}{}{}\n", o.name, has ? "=" : "", has ? arg : "");
        if (o.short_name) out += fmt::format("-{} {}\n", o.short_name, has ? arg : "");
    }
    return out;
}

}  // namespace xvs
