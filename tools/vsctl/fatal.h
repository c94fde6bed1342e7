// How xvs-vsctl gives up, as ovs-vsctl's ctl_fatal does: the message on
// stderr after the program's name, exit status 1. A command line is one
// transaction, so there is nothing to unwind.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace xvs::vsctl {

inline constexpr const char* kProgram = "xvs-vsctl";

template <typename... Args>
[[noreturn]] void fatal(fmt::format_string<Args...> f, Args&&... args) {
    std::string message = fmt::format(f, std::forward<Args>(args)...);
    std::fprintf(stderr, "%s: %s\n", kProgram, message.c_str());
    std::exit(EXIT_FAILURE);
}

}  // namespace xvs::vsctl
