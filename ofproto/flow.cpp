#include "ofproto/flow.h"

namespace xvs::ofproto {

bool operator==(const Flow& a, const Flow& b) { return std::memcmp(&a, &b, sizeof(Flow)) == 0; }

Flow flow_and(const Flow& a, const Flow& mask) {
    Flow r;
    auto ra = flow_words(r);
    auto aa = flow_words(a);
    auto ma = flow_words(mask);
    for (size_t i = 0; i < kFlowWords; i++) ra[i] = aa[i] & ma[i];
    return r;
}

void flow_or_into(Flow& a, const Flow& b) {
    auto aa = flow_words(a);
    auto ba = flow_words(b);
    for (size_t i = 0; i < kFlowWords; i++) aa[i] |= ba[i];
}

bool flow_equal_masked(const Flow& a, const Flow& b, const Flow& mask) {
    auto aa = flow_words(a);
    auto ba = flow_words(b);
    auto ma = flow_words(mask);
    for (size_t i = 0; i < kFlowWords; i++)
        if ((aa[i] ^ ba[i]) & ma[i]) return false;
    return true;
}

bool flow_is_subset(const Flow& a, const Flow& b) {
    auto aa = flow_words(a);
    auto ba = flow_words(b);
    for (size_t i = 0; i < kFlowWords; i++)
        if (aa[i] & ~ba[i]) return false;
    return true;
}

bool flow_is_zero(const Flow& f) {
    for (uint64_t w : flow_words(f))
        if (w) return false;
    return true;
}

}  // namespace xvs::ofproto
