// The three megaflow tables (one per key class, see enum xvs_mf_class in
// abi.h) behind one interface taking the large key form: the small and
// medium keys are its prefixes.
#pragma once

#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include "loader/map.h"
#include "xvs/abi.h"

namespace xvs::loader {

// How a mask's megaflows are keyed.
struct MaskLayout {
    uint8_t cls = XVS_MF_S;
    uint8_t n_words = 0;
    uint8_t words[XVS_KEY_WORDS];
};

MaskLayout mask_layout(const xvs_flow_key& mask);
// The packed key of (already masked) key under mask entry m.
xvs_mf_key_l pack_key(uint32_t mask_id, const xvs_flow_key& masked, const xvs_mask& m);
xvs_flow_key unpack_key(const xvs_mf_key_l& k, const xvs_mask& m);

class FlowTables {
    // (helpers first: the public members deduce their return types from them)
    template <typename T>
    using key_of = typename std::remove_cvref_t<T>::key_type;

    template <typename K>
    static K narrow(const xvs_mf_key_l& k) {
        static_assert(sizeof(K) <= sizeof(k));
        K out;
        std::memcpy(&out, &k, sizeof out);
        return out;
    }
    template <typename F>
    auto visit(uint8_t cls, F&& f) const {
        if (cls == XVS_MF_S) return f(s_);
        if (cls == XVS_MF_M) return f(m_);
        return f(l_);
    }
    template <typename F>
    auto visit(uint8_t cls, F&& f) {
        if (cls == XVS_MF_S) return f(s_);
        if (cls == XVS_MF_M) return f(m_);
        return f(l_);
    }


public:
    Status open(MapFd s, MapFd m, MapFd l);
    
    std::optional<xvs_megaflow> lookup(uint8_t cls, const xvs_mf_key_l& k) const {
        return visit(cls, [&](auto& t) { return t.lookup(narrow<key_of<decltype(t)>>(k)); });
    }
    Status update(uint8_t cls, const xvs_mf_key_l& k, const xvs_megaflow& v, uint64_t flags) {
        return visit(cls, [&](auto& t) { return t.update(narrow<key_of<decltype(t)>>(k), v, flags); });
    }
    // Adds a flow that must not exist yet: 0 or an errno (EEXIST: it does).
    int insert(uint8_t cls, const xvs_mf_key_l& k, const xvs_megaflow& v) {
        return visit(cls, [&](auto& t) {
            auto nk = narrow<key_of<decltype(t)>>(k);
            return bpf_map_update_elem(t.fd(), &nk, &v, BPF_NOEXIST) ? errno : 0;
        });
    }
    Status remove(uint8_t cls, const xvs_mf_key_l& k) {
        return visit(cls, [&](auto& t) { return t.remove(narrow<key_of<decltype(t)>>(k)); });
    }
    // Every flow of the three tables, read in batches.
    Status for_each(const std::function<void(uint8_t cls, const xvs_mf_key_l&, const xvs_megaflow&)>& fn) const {
        Status st;
        auto one = [&](uint8_t cls, const auto& t) {
            using K = key_of<decltype(t)>;
            if (st) st = t.for_each([&](const K& k, const xvs_megaflow& v) {
                xvs_mf_key_l l{};
                std::memcpy(&l, &k, sizeof k);
                fn(cls, l, v);
            });
        };
        one(XVS_MF_S, s_);
        one(XVS_MF_M, m_);
        one(XVS_MF_L, l_);
        return st;
    }
    // Every (class, key) in the three tables.
    std::vector<std::pair<uint8_t, xvs_mf_key_l>> keys() const;

private:
    Map<xvs_mf_key_s, xvs_megaflow> s_;
    Map<xvs_mf_key_m, xvs_megaflow> m_;
    Map<xvs_mf_key_l, xvs_megaflow> l_;
};

}  // namespace xvs::loader
