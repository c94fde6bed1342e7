/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sending packets to userspace through the ring buffer, bounded per port. */
#ifndef XVS_BPF_UPCALL_H
#define XVS_BPF_UPCALL_H

#include "maps.h"

/* The record as reserved in the ring buffer: header, then packet bytes. */
struct upcall_rec {
	struct xvs_upcall hdr;
	__u8 pkt[XVS_UPCALL_MAX_PKT];
};

/* TC, outer tag in skb metadata: copies the frame as it is on the wire,
 * the tag put back after the MAC addresses. Returns the bytes copied. */
static __always_inline __u32 upcall_copy_tagged(struct __sk_buff *skb, __u8 *out, __u32 cap)
{
	__u32 rest;

	if (cap < ETH_HLEN + VLAN_HLEN || bpf_skb_load_bytes(skb, 0, out, 12))
		return 0;
	*(__be16 *)(out + 12) = (__be16)skb->vlan_proto;
	*(__be16 *)(out + 14) = bpf_htons((__u16)skb->vlan_tci);
	/* The mask is a no-op below the cap; it shows the verifier the bound. */
	rest = (cap - 16) & 0x7ff;
	if (rest > XVS_UPCALL_MAX_PKT - 16)
		rest = XVS_UPCALL_MAX_PKT - 16;
	if (rest && bpf_skb_load_bytes(skb, 12, out + 16, rest))
		return 0;
	return rest + 16;
}

/* Queues the packet (as it is now) with key; 0 on success. */
static __always_inline int upcall_send(void *ctx, const bool xdp, __u8 type, __u32 in_port,
				       __u64 cookie, __u32 arg, const struct xvs_flow_key *key)
{
	struct upcall_rec *rec;
	__u32 len = ctx_len(ctx, xdp);
	__u32 cap;

	rec = bpf_ringbuf_reserve(&xvs_upcalls, sizeof(*rec), 0);
	if (!rec)
		return -1;
	/* The mask is a no-op below the cap; it shows the verifier the bound. */
	cap = len > XVS_UPCALL_MAX_PKT ? XVS_UPCALL_MAX_PKT : (len & 0x7ff);
	if (ctx_tag_in_meta(ctx, xdp))
		cap = upcall_copy_tagged(ctx, rec->pkt, cap);
	else if (cap == 0 || ctx_load_bytes(ctx, xdp, 0, rec->pkt, cap))
		cap = 0;
	rec->hdr.type = type;
	rec->hdr.hook = xdp ? XVS_HOOK_XDP : XVS_HOOK_TC;
	rec->hdr.cap_len = cap;
	rec->hdr.pkt_len = len;
	rec->hdr.in_port = in_port;
	rec->hdr.arg = arg;
	rec->hdr.cookie = cookie;
	rec->hdr.ts_ns = bpf_ktime_get_ns();
	__builtin_memcpy(&rec->hdr.key, key, sizeof(*key));
	/* A sample does not wake the reader (a wakeup per sample costs the
	 * forwarding CPU several microseconds); it reads samples with the next
	 * miss or on its own timer. Misses and userspace actions force a
	 * wakeup: the kernel's default wakes the reader only for a record at
	 * the consumer position, which an unread sample before it is not.
	 * (Wakeups already pending coalesce, so a miss storm does not pay one
	 * per miss.) */
	bpf_ringbuf_submit(rec, type == XVS_UPCALL_SAMPLE ? BPF_RB_NO_WAKEUP : BPF_RB_FORCE_WAKEUP);
	return 0;
}

/* Takes one token from the ingress port's per-CPU bucket; false when the
 * port is over its upcall rate. */
static __always_inline bool upcall_rate_ok(__u32 in_port, __u64 now)
{
	struct xvs_port *port = bpf_map_lookup_elem(&xvs_ports, &in_port);
	struct xvs_tbucket *b;
	__u64 elapsed, cap;

	if (!port || !port->upcall_rate)
		return true;
	b = bpf_map_lookup_elem(&xvs_upcall_buckets, &in_port);
	if (!b)
		return true;
	cap = (__u64)(port->upcall_burst ? port->upcall_burst : 1) * 1000;
	elapsed = now - b->last_ns;
	if (elapsed > 10000000000ULL)
		elapsed = 10000000000ULL;
	b->last_ns = now;
	/* rate tokens/s = rate/1e6 milli-tokens per ns */
	b->tokens_milli += elapsed * port->upcall_rate / 1000000;
	if (b->tokens_milli > cap)
		b->tokens_milli = cap;
	if (b->tokens_milli < 1000)
		return false;
	b->tokens_milli -= 1000;
	return true;
}

/* A miss: queue it unless the port is over its rate or the same key was
 * already queued XVS_UPCALL_DUP_BURST times within dedup_us (a burst of a
 * new flow's packets all reach userspace, which executes each, while a key
 * userspace cannot install does not flood the ring). The recent-miss entry
 * holds the window's start in its high bits (256 ns units) and the count
 * of upcalls in its low 8 bits. Returns the drop reason, or -1 when
 * queued. */
static __always_inline int upcall_miss(void *ctx, const bool xdp, struct xvs_pcpu *pc)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct xvs_dp_config *cfg = bpf_map_lookup_elem(&xvs_config, &zero);
	__u64 *seen = NULL;

	if (cfg && cfg->dedup_us) {
		seen = bpf_map_lookup_elem(&xvs_recent_misses, &pc->key);
		if (seen && now - (*seen & ~0xffULL) >= (__u64)cfg->dedup_us * 1000)
			seen = NULL; /* the window is over: a new one starts */
		if (seen && (*seen & 0xff) >= XVS_UPCALL_DUP_BURST)
			return XVS_DROP_UPCALL_DUP;
	}
	if (!upcall_rate_ok(pc->key.in_port, now))
		return XVS_DROP_UPCALL_RATE;
	if (upcall_send(ctx, xdp, XVS_UPCALL_MISS, pc->key.in_port, 0, 0, &pc->key))
		return XVS_DROP_UPCALL_RINGBUF;
	if (seen) {
		__sync_fetch_and_add(seen, 1);
	} else if (cfg && cfg->dedup_us) {
		__u64 start = (now & ~0xffULL) | 1;

		bpf_map_update_elem(&xvs_recent_misses, &pc->key, &start, BPF_ANY);
	}
	return -1;
}

#endif
