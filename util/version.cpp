#include "util/version.h"

namespace xvs {

// XVS_VERSION comes from the project version in CMake.
const std::string& xvs_version() {
    static const std::string version = XVS_VERSION;
    return version;
}

}  // namespace xvs
