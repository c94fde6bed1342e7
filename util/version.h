// The xvs version every program reports (--version, unixctl "version").
#pragma once

#include <string>

namespace xvs {

const std::string& xvs_version();

}  // namespace xvs
