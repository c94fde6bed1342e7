#include "ovsdb/error.h"

namespace xvs::ovsdb {

Json DbError::to_json() const {
    Json j = {{"error", tag}, {"details", details}};
    // OVS sends the offending JSON as a string in "syntax"; clients print it.
    if (syntax) j["syntax"] = syntax->dump();
    return j;
}

std::string DbError::to_string() const {
    return details.empty() ? tag : tag + ": " + details;
}

}  // namespace xvs::ovsdb
