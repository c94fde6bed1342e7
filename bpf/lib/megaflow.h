/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The megaflow cache: tuple-space search. Masks are tried in the order of
 * the active mask list (userspace keeps the most hit first); each try packs
 * the mask's significant words of key & mask and does one hash lookup in
 * the table of the mask's key class. Megaflows never overlap, so the first
 * hit is the answer.
 */
#ifndef XVS_BPF_MEGAFLOW_H
#define XVS_BPF_MEGAFLOW_H

#include "maps.h"

struct mf_probe_ctx {
	__u32 list_idx;
	__u32 mask_id;
	struct xvs_megaflow *hit;
	__u32 probes; /* hash lookups made */
	__u32 pad;
};

/* pc->probe.w[j] = (key & mask) word m->words[j], for j < slots. */
static __always_inline void mf_pack(struct xvs_pcpu *pc, const struct xvs_mask *m, const int slots)
{
	const __u64 *k = (const __u64 *)&pc->key;
	const __u64 *mk = (const __u64 *)&m->mask;

#pragma unroll
	for (int j = 0; j < slots; j++) {
		__u32 w = m->words[j];

		pc->probe.w[j] = w < XVS_KEY_WORDS ? (k[w] & mk[w]) : 0;
	}
}

/* One probe: the megaflow of mask id matching pc->key, or NULL. */
static __always_inline struct xvs_megaflow *mf_probe_mask(struct xvs_pcpu *pc, __u32 id)
{
	struct xvs_mask *m = bpf_map_lookup_elem(&xvs_masks, &id);

	if (!m || !m->in_use)
		return NULL;
	pc->probe.mask_id = id;
	if (m->cls == XVS_MF_S) {
		mf_pack(pc, m, XVS_MF_S_WORDS);
		return bpf_map_lookup_elem(&xvs_flows_s, &pc->probe);
	}
	if (m->cls == XVS_MF_M) {
		mf_pack(pc, m, XVS_MF_M_WORDS);
		return bpf_map_lookup_elem(&xvs_flows_m, &pc->probe);
	}
	mf_pack(pc, m, XVS_KEY_WORDS);
	return bpf_map_lookup_elem(&xvs_flows_l, &pc->probe);
}

static long mf_probe(__u64 i, void *arg)
{
	struct mf_probe_ctx *p = arg;
	struct xvs_mask_list *list;
	struct xvs_pcpu *pc;
	__u32 id;

	list = bpf_map_lookup_elem(&xvs_mask_lists, &p->list_idx);
	pc = pcpu_get();
	if (!list || !pc || i >= XVS_MAX_MASKS || i >= list->n)
		return 1;
	id = list->ids[i];
	p->probes++;
	p->hit = mf_probe_mask(pc, id);
	if (p->hit) {
		p->mask_id = id;
		return 1;
	}
	return 0;
}

/* A cheap 32-bit signature of the whole key (never 0). */
static __always_inline __u32 key_sig(const struct xvs_flow_key *key)
{
	const __u64 *w = (const __u64 *)key;
	__u64 h = 0;

#pragma unroll
	for (int i = 0; i < XVS_KEY_WORDS; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	return (__u32)(h >> 32) | 1;
}

/*
 * Looks pc->key up; counts the probes and the winning mask's hit.
 *
 * With more than one mask, a per-CPU mask cache (key signature -> the mask
 * that last matched it) is tried first, so an established flow costs one
 * probe however many masks there are. A stale or colliding hint only costs
 * a probe: any megaflow matching the key is the answer, since megaflows do
 * not overlap.
 */
static __always_inline struct xvs_megaflow *mf_lookup(struct xvs_cpu_stats *st, struct xvs_pcpu *pc)
{
	struct mf_probe_ctx p = {};
	struct xvs_mask_hint *hint = NULL;
	struct xvs_mask_list *list;
	struct xvs_dp_config *cfg;
	__u32 zero = 0, sig = 0, idx;

	cfg = bpf_map_lookup_elem(&xvs_config, &zero);
	if (!cfg)
		return NULL;
	p.list_idx = cfg->active_mask_list & 1;
	list = bpf_map_lookup_elem(&xvs_mask_lists, &p.list_idx);
	if (list && list->n > 1 && !(cfg->flags & XVS_CFG_NO_MASK_CACHE)) {
		sig = key_sig(&pc->key);
		idx = sig & (XVS_MASK_CACHE_ENTRIES - 1);
		hint = bpf_map_lookup_elem(&xvs_mask_cache, &idx);
		if (hint && hint->sig == sig) {
			p.probes++;
			p.hit = mf_probe_mask(pc, hint->mask_id);
			if (p.hit) {
				p.mask_id = hint->mask_id;
				if (st)
					st->counters[XVS_CTR_MASK_CACHE_HIT]++;
				goto found;
			}
		}
	}
	bpf_loop(XVS_MAX_MASKS, mf_probe, &p, 0);
	if (p.hit && hint) {
		hint->sig = sig;
		hint->mask_id = p.mask_id;
	}
found:
	if (st) {
		st->counters[XVS_CTR_MASK_PROBE] += p.probes;
		if (p.hit && p.mask_id < XVS_MAX_MASKS)
			st->mask_hits[p.mask_id]++;
	}
	return p.hit;
}

static __always_inline void mf_credit(struct xvs_megaflow *mf, __u32 len, __be16 tcp_flags)
{
	__u16 flags = bpf_ntohs(tcp_flags);
	__u64 now = bpf_ktime_get_coarse_ns();

	__sync_fetch_and_add(&mf->stats.packets, 1);
	__sync_fetch_and_add(&mf->stats.bytes, len);
	/* Plain stores, written only when they change (the coarse clock ticks
	 * every few ms): a racing CPU can at worst lose a flag another one
	 * sets at the same instant, and sets it again on its next packet. */
	if (mf->stats.used_ns != now)
		mf->stats.used_ns = now;
	if ((mf->stats.tcp_flags | flags) != mf->stats.tcp_flags)
		mf->stats.tcp_flags |= flags;
}

#endif
