// The megaflow table and its masks, as userspace maintains them.
#include <algorithm>
#include <cstring>

#include "compiler/dp_actions.h"
#include "loader/datapath.h"
#include "loader/flow_tables.h"

namespace xvs::loader {

MaskLayout mask_layout(const xvs_flow_key& mask) {
    MaskLayout l;
    std::memset(l.words, XVS_WORD_NONE, sizeof l.words);
    uint64_t w[XVS_KEY_WORDS];
    std::memcpy(w, &mask, sizeof w);
    for (uint8_t i = 0; i < XVS_KEY_WORDS; i++)
        if (w[i]) l.words[l.n_words++] = i;
    l.cls = l.n_words <= XVS_MF_S_WORDS ? XVS_MF_S : l.n_words <= XVS_MF_M_WORDS ? XVS_MF_M : XVS_MF_L;
    return l;
}

xvs_mf_key_l pack_key(uint32_t mask_id, const xvs_flow_key& masked, const xvs_mask& m) {
    xvs_mf_key_l k{};
    k.mask_id = mask_id;
    uint64_t w[XVS_KEY_WORDS];
    std::memcpy(w, &masked, sizeof w);
    for (int j = 0; j < m.n_words && j < XVS_KEY_WORDS; j++)
        if (m.words[j] < XVS_KEY_WORDS) k.w[j] = w[m.words[j]];
    return k;
}

xvs_flow_key unpack_key(const xvs_mf_key_l& k, const xvs_mask& m) {
    uint64_t w[XVS_KEY_WORDS] = {};
    for (int j = 0; j < m.n_words && j < XVS_KEY_WORDS; j++)
        if (m.words[j] < XVS_KEY_WORDS) w[m.words[j]] = k.w[j];
    xvs_flow_key out;
    std::memcpy(&out, w, sizeof out);
    return out;
}

Status FlowTables::open(MapFd s, MapFd m, MapFd l) {
    // Datapaths made by xvs before the tables stopped being per-CPU have
    // values of another size per lookup: refuse them rather than misread.
    for (const MapFd* t : {&s, &m, &l})
        if (t->info().type != BPF_MAP_TYPE_HASH)
            return make_error("megaflow table {} is not a plain hash map (a datapath made by an older xvs): "
                              "remove the datapath (xvs-dpctl del-dp) and create it again", t->name());
    auto ts = Map<xvs_mf_key_s, xvs_megaflow>::open(std::move(s));
    if (!ts) return ts.error();
    auto tm = Map<xvs_mf_key_m, xvs_megaflow>::open(std::move(m));
    if (!tm) return tm.error();
    auto tl = Map<xvs_mf_key_l, xvs_megaflow>::open(std::move(l));
    if (!tl) return tl.error();
    s_ = std::move(*ts);
    m_ = std::move(*tm);
    l_ = std::move(*tl);
    return {};
}

std::vector<std::pair<uint8_t, xvs_mf_key_l>> FlowTables::keys() const {
    std::vector<std::pair<uint8_t, xvs_mf_key_l>> out;
    auto add = [&](uint8_t cls, const auto& keys) {
        for (const auto& k : keys) {
            xvs_mf_key_l l{};
            std::memcpy(&l, &k, sizeof k);
            out.emplace_back(cls, l);
        }
    };
    add(XVS_MF_S, s_.keys());
    add(XVS_MF_M, m_.keys());
    add(XVS_MF_L, l_.keys());
    return out;
}

namespace {

xvs_flow_key apply_mask(const xvs_flow_key& key, const xvs_flow_key& mask) {
    xvs_flow_key out;
    const auto* k = reinterpret_cast<const uint8_t*>(&key);
    const auto* m = reinterpret_cast<const uint8_t*>(&mask);
    auto* o = reinterpret_cast<uint8_t*>(&out);
    for (size_t i = 0; i < sizeof(out); i++) o[i] = k[i] & m[i];
    return out;
}

bool same_key(const xvs_flow_key& a, const xvs_flow_key& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

uint16_t Datapath::xdp_flags_for(const xvs_action_list& actions) const {
    uint16_t flags = compiler::structural_action_flags(actions);
    // A list that sends where XDP cannot must start in TC: once XDP has run
    // it (credited the flow, edited, sampled, metered), handing the packet
    // over would run it twice.
    for (uint32_t i = 0; i < actions.n && i < XVS_MAX_ACTIONS; i++) {
        const auto& a = actions.a[i];
        if (a.type == XVS_ACT_OUTPUT) {
            auto rec = ports_.lookup(a.arg);
            if (!rec || !(rec->flags & XVS_PORT_F_XDP_TX)) flags |= XVS_AL_NEEDS_SKB;
        } else if (a.type == XVS_ACT_FLOOD) {
            auto d = flood_domain(a.arg);
            if (!d || !(d->flags & XVS_FD_F_XDP_OK)) flags |= XVS_AL_NEEDS_SKB;
        }
    }
    return flags;
}

Status Datapath::write_mask_list(const std::vector<uint32_t>& ids) {
    xvs_dp_config cfg = config();
    uint32_t idle = (cfg.active_mask_list & 1) ^ 1;
    xvs_mask_list list{};
    list.n = static_cast<uint32_t>(std::min<size_t>(ids.size(), XVS_MAX_MASKS));
    std::copy_n(ids.begin(), list.n, list.ids);
    if (auto s = mask_lists_.update(idle, list); !s) return s;
    cfg.active_mask_list = idle;
    return set_config(cfg);
}

std::vector<MaskInfo> Datapath::masks() const {
    DpStats st = stats();
    std::vector<MaskInfo> out;
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) {
        auto m = masks_.lookup(id);
        if (m && m->in_use) out.push_back({id, m->mask, m->n_flows, st.mask_hits[id] - m->hits_base});
    }
    return out;
}

Status Datapath::rank_masks() {
    auto ms = masks();
    std::stable_sort(ms.begin(), ms.end(), [](const MaskInfo& a, const MaskInfo& b) { return a.hits > b.hits; });
    std::vector<uint32_t> ids;
    for (const auto& m : ms) ids.push_back(m.id);
    return write_mask_list(ids);
}

Result<std::pair<uint32_t, xvs_mask>> Datapath::acquire_mask(const xvs_flow_key& mask) {
    std::string hint_key(reinterpret_cast<const char*>(&mask), sizeof mask);
    if (auto h = mask_hints_.find(hint_key); h != mask_hints_.end()) {
        auto m = masks_.lookup(h->second);
        if (m && m->in_use && same_key(m->mask, mask)) return std::pair{h->second, *m};
        mask_hints_.erase(h);
    }
    if (mask_hints_.size() > 4 * XVS_MAX_MASKS) mask_hints_.clear();
    std::optional<uint32_t> free_id;
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) {
        auto m = masks_.lookup(id);
        if (!m) continue;
        if (m->in_use && same_key(m->mask, mask)) {
            mask_hints_[hint_key] = id;
            return std::pair{id, *m};
        }
        if (!m->in_use && !free_id) free_id = id;
    }
    if (!free_id) return make_error("the datapath already uses {} distinct masks (its limit)", XVS_MAX_MASKS);
    xvs_mask m{};
    m.mask = mask;
    m.in_use = 1;
    MaskLayout layout = mask_layout(mask);
    m.cls = layout.cls;
    m.n_words = layout.n_words;
    // Hits counted under an earlier mask with this id are not this one's.
    m.hits_base = stats().mask_hits[*free_id];
    std::memcpy(m.words, layout.words, sizeof m.words);
    if (auto s = masks_.update(*free_id, m); !s) return s.error();
    // New masks go last; rank_masks() moves them up as they earn hits.
    std::vector<uint32_t> ids;
    auto cur = mask_lists_.lookup(config().active_mask_list & 1).value_or(xvs_mask_list{});
    for (uint32_t i = 0; i < cur.n && i < XVS_MAX_MASKS; i++)
        if (cur.ids[i] != *free_id) ids.push_back(cur.ids[i]);
    ids.push_back(*free_id);
    if (auto s = write_mask_list(ids); !s) return s.error();
    mask_hints_[hint_key] = *free_id;
    return std::pair{*free_id, m};
}

Status Datapath::release_mask(uint32_t id) {
    auto cur = mask_lists_.lookup(config().active_mask_list & 1).value_or(xvs_mask_list{});
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < cur.n && i < XVS_MAX_MASKS; i++)
        if (cur.ids[i] != id) ids.push_back(cur.ids[i]);
    if (auto s = write_mask_list(ids); !s) return s;
    return masks_.update(id, xvs_mask{});
}

Status Datapath::put_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_action_list actions,
                          PutMode mode, bool clear_stats) {
    if (actions.n > XVS_MAX_ACTIONS) return make_error("at most {} actions per flow", XVS_MAX_ACTIONS);
    auto acquired = acquire_mask(mask);
    if (!acquired) return acquired.error();
    auto& [mask_id, mask_entry] = *acquired;
    xvs_mask* m = &mask_entry;
    xvs_mf_key_l mk = pack_key(mask_id, apply_mask(key, mask), *m);
    auto fail = [&](Error e) -> Status {
        if (m->n_flows == 0) (void)release_mask(mask_id);
        return e;
    };
    actions.flags = xdp_flags_for(actions);
    xvs_megaflow val{};
    val.actions = actions;
    // Create, the upcall path's case, tries the insert alone.
    std::optional<xvs_megaflow> existing;
    if (mode == PutMode::Create) {
        if (int err = flows_.insert(m->cls, mk, val); err == EEXIST)
            return make_error("flow already exists (use mod-flow to change it)");
        else if (err)
            return fail(make_error("cannot add the flow: {}", errno_str(err)));
    } else {
        existing = flows_.lookup(m->cls, mk);
        if (mode == PutMode::Modify && !existing) return fail(make_error("no such flow"));
        if (existing && !clear_stats) val.stats = existing->stats;
        if (auto s = flows_.update(m->cls, mk, val, existing ? BPF_EXIST : BPF_NOEXIST); !s) return fail(s.error());
    }
    if (!existing) {
        m->n_flows++;
        (void)masks_.update(mask_id, *m);
    }
    return {};
}

Status Datapath::del_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_flow_stats* last) {
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) {
        auto m = masks_.lookup(id);
        if (!m || !m->in_use || !same_key(m->mask, mask)) continue;
        xvs_mf_key_l mk = pack_key(id, apply_mask(key, mask), *m);
        auto v = flows_.lookup(m->cls, mk);
        if (!v) break;
        if (last) *last = v->stats;
        if (auto s = flows_.remove(m->cls, mk); !s) return s;
        if (m->n_flows <= 1) return release_mask(id);
        m->n_flows--;
        return masks_.update(id, *m);
    }
    return make_error("no such flow");
}

Status Datapath::flush_flows() {
    for (const auto& [cls, k] : flows_.keys()) (void)flows_.remove(cls, k);
    if (auto s = write_mask_list({}); !s) return s;
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) (void)masks_.update(id, xvs_mask{});
    return {};
}

Status Datapath::for_each_flow(const std::function<void(const FlowEntry&)>& fn) const {
    std::optional<xvs_mask> masks[XVS_MAX_MASKS];
    bool read[XVS_MAX_MASKS] = {};
    FlowEntry e;
    return flows_.for_each([&](uint8_t, const xvs_mf_key_l& k, const xvs_megaflow& v) {
        if (k.mask_id >= XVS_MAX_MASKS) return;
        if (!read[k.mask_id]) {
            masks[k.mask_id] = masks_.lookup(k.mask_id);
            read[k.mask_id] = true;
        }
        const auto& m = masks[k.mask_id];
        if (!m) return;
        e.key = unpack_key(k, *m);
        e.mask = m->mask;
        e.mask_id = k.mask_id;
        e.actions = v.actions;
        e.stats = v.stats;
        fn(e);
    });
}

std::vector<FlowEntry> Datapath::dump_flows() const {
    std::vector<FlowEntry> out;
    (void)for_each_flow([&](const FlowEntry& e) { out.push_back(e); });
    return out;
}

Status Datapath::relink_flows() {
    for (const auto& [cls, k] : flows_.keys()) {
        auto v = flows_.lookup(cls, k);
        if (!v) continue;
        uint16_t want = xdp_flags_for(v->actions);
        if (v->actions.flags == want) continue;
        v->actions.flags = want;
        if (auto s = flows_.update(cls, k, *v, BPF_EXIST); !s) return s;
    }
    return {};
}

}  // namespace xvs::loader
