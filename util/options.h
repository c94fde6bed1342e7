// Command-line options parsed the way getopt_long parses them for Open
// vSwitch programs, so scripts written for OVS behave the same with xvs:
//   --name, --name=ARG, and --name ARG (only when ARG is required),
//   unambiguous prefixes (--det for --detach),
//   -x, -xARG, -x ARG (required), clusters (-de),
//   an optional argument only when attached: --verbose=dbg, -vdbg
//   (`--log-file db.db` is --log-file with no argument, then db.db),
//   "--" ends the options.
// Error texts are glibc getopt's. (CLI11 cannot express optional
// arguments with these rules, hence this.)
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace xvs {

enum class OptionArg { None, Required, Optional };

struct Option {
    std::string name;  // long name, without "--"
    char short_name = 0;
    OptionArg arg = OptionArg::None;
    // Gets the argument (nullopt when none was given). An error stops the
    // parse and is reported as it is.
    std::function<Status(std::optional<std::string_view>)> handler;
};

class OptionParser {
public:
    enum class Mode {
        // Options and arguments may be mixed (GNU getopt's default):
        // "ovsdb-server db.db --detach".
        Permute,
        // Options end at the first non-option argument, as in ovs-appctl,
        // so a command's own arguments are never taken as options.
        InOrder,
    };

    void add(Option option);

    // Parses args (without the program name), calling each option's handler
    // in command-line order; returns the non-option arguments.
    Result<std::vector<std::string>> parse(const std::vector<std::string>& args, Mode mode = Mode::Permute) const;
    Result<std::vector<std::string>> parse(int argc, char* argv[], Mode mode = Mode::Permute) const;

    // One line per spelling, as OVS programs print for -o/--option.
    std::string option_list() const;

private:
    const Option* find_short(char c) const;
    Result<const Option*> find_long(std::string_view name, std::string_view spelled) const;

    std::vector<Option> options_;
};

}  // namespace xvs
