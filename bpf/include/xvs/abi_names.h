// Names of the ABI's enumerations for C++ tools, from the same X-macro
// lists as the enums, so every tool prints them the same way.
#pragma once

#include "xvs/abi.h"

namespace xvs {

inline const char* counter_name(int i) {
    static const char* const names[] = {
#define XVS_X_NAME(name, str) #name,
        XVS_COUNTERS(XVS_X_NAME)
#undef XVS_X_NAME
    };
    return i >= 0 && i < XVS_CTR__MAX ? names[i] : "?";
}

inline const char* drop_name(int i) {
    static const char* const names[] = {
#define XVS_X_NAME(name, str) #name,
        XVS_DROP_REASONS(XVS_X_NAME)
#undef XVS_X_NAME
    };
    return i >= 0 && i < XVS_DROP__MAX ? names[i] : "?";
}

inline const char* drop_text(int i) {
    static const char* const texts[] = {
#define XVS_X_TEXT(name, str) str,
        XVS_DROP_REASONS(XVS_X_TEXT)
#undef XVS_X_TEXT
    };
    return i >= 0 && i < XVS_DROP__MAX ? texts[i] : "?";
}

}  // namespace xvs
