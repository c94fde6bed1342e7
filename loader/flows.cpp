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
    auto ts = PerCpuMap<xvs_mf_key_s, xvs_megaflow>::open(std::move(s));
    if (!ts) return ts.error();
    auto tm = PerCpuMap<xvs_mf_key_m, xvs_megaflow>::open(std::move(m));
    if (!tm) return tm.error();
    auto tl = PerCpuMap<xvs_mf_key_l, xvs_megaflow>::open(std::move(l));
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

Result<uint32_t> Datapath::acquire_mask(const xvs_flow_key& mask) {
    std::optional<uint32_t> free_id;
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) {
        auto m = masks_.lookup(id);
        if (!m) continue;
        if (m->in_use && same_key(m->mask, mask)) return id;
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
    return *free_id;
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
    auto mask_id = acquire_mask(mask);
    if (!mask_id) return mask_id.error();
    auto m = masks_.lookup(*mask_id);
    if (!m) return make_error("mask {} vanished", *mask_id);
    xvs_mf_key_l mk = pack_key(*mask_id, apply_mask(key, mask), *m);
    auto existing = flows_.lookup(m->cls, mk);
    auto fail = [&](Error e) -> Status {
        if (m->n_flows == 0) (void)release_mask(*mask_id);
        return e;
    };
    if (mode == PutMode::Create && existing) return make_error("flow already exists (use mod-flow to change it)");
    if (mode == PutMode::Modify && !existing) return fail(make_error("no such flow"));
    actions.flags = xdp_flags_for(actions);
    std::vector<xvs_megaflow> vals(static_cast<size_t>(flows_.ncpus()));
    for (size_t i = 0; i < vals.size(); i++) {
        vals[i] = xvs_megaflow{};
        if (existing && !clear_stats) vals[i].stats = (*existing)[i].stats;
        vals[i].actions = actions;
    }
    if (auto s = flows_.update(m->cls, mk, vals, existing ? BPF_EXIST : BPF_NOEXIST); !s) return fail(s.error());
    if (!existing) {
        m->n_flows++;
        (void)masks_.update(*mask_id, *m);
    }
    return {};
}

Status Datapath::del_flow(const xvs_flow_key& key, const xvs_flow_key& mask) {
    for (uint32_t id = 0; id < XVS_MAX_MASKS; id++) {
        auto m = masks_.lookup(id);
        if (!m || !m->in_use || !same_key(m->mask, mask)) continue;
        xvs_mf_key_l mk = pack_key(id, apply_mask(key, mask), *m);
        if (!flows_.lookup(m->cls, mk)) break;
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

std::vector<FlowEntry> Datapath::dump_flows() const {
    std::vector<FlowEntry> out;
    for (const auto& [cls, k] : flows_.keys()) {
        auto per = flows_.lookup(cls, k);
        auto m = masks_.lookup(k.mask_id);
        if (!per || per->empty() || !m) continue;
        FlowEntry e;
        e.key = unpack_key(k, *m);
        e.mask = m->mask;
        e.mask_id = k.mask_id;
        e.actions = (*per)[0].actions;
        for (const auto& v : *per) {
            e.stats.packets += v.stats.packets;
            e.stats.bytes += v.stats.bytes;
            e.stats.used_ns = std::max(e.stats.used_ns, v.stats.used_ns);
            e.stats.tcp_flags |= v.stats.tcp_flags;
        }
        out.push_back(e);
    }
    return out;
}

Status Datapath::relink_flows() {
    for (const auto& [cls, k] : flows_.keys()) {
        auto per = flows_.lookup(cls, k);
        if (!per || per->empty()) continue;
        uint16_t want = xdp_flags_for((*per)[0].actions);
        if ((*per)[0].actions.flags == want) continue;
        for (auto& v : *per) v.actions.flags = want;
        if (auto s = flows_.update(cls, k, *per, BPF_EXIST); !s) return s;
    }
    return {};
}

}  // namespace xvs::loader
