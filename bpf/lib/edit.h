/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Header rewrites with their checksum updates, for both hooks. */
#ifndef XVS_BPF_EDIT_H
#define XVS_BPF_EDIT_H

#include "csum.h"

/* Action execution state of one packet. */
struct act_state {
	__u32 in_port;
	__u32 pending;     /* XVS_ACT_OUTPUT or XVS_ACT_FLOOD not yet sent, or 0 */
	__u32 pending_arg; /* its port or domain */
	__u32 l3_off;      /* 0: no network header */
	__u32 l4_off;      /* 0: no transport header */
	__u32 recirc_id;   /* set by a recirculate action */
	__u32 drop;        /* enum xvs_drop_reason when an action stops the packet */
	__u16 eth_type;    /* host order */
	__u8 nw_proto;
	__u8 frag_later;
	__u8 edited;       /* some header was rewritten */
	__u8 exec;         /* running for userspace: outputs and upcalls skipped */
	__u8 upcalled;     /* a userspace action consumed the packet */
	__u8 pad;
};

/* VLAN tags at the front of the packet data (not the skb's metadata). */
static __always_inline int data_vlan_tags(void *ctx, const bool xdp)
{
	__be16 type;
	int n = 0;

#pragma unroll
	for (int i = 0; i < 3; i++) {
		if (ctx_load_bytes(ctx, xdp, 12 + 4 * i, &type, 2))
			break;
		if (!is_vlan_tpid(bpf_ntohs(type)))
			break;
		n++;
	}
	return n;
}

static __always_inline void shift_offsets(struct act_state *s, int before, int after)
{
	int delta = (after - before) * VLAN_HLEN;

	if (s->l3_off)
		s->l3_off += delta;
	if (s->l4_off)
		s->l4_off += delta;
}

static __always_inline int edit_push_vlan(void *ctx, const bool xdp, struct act_state *s,
					  const struct xvs_action *a)
{
	__u16 tci = bpf_ntohs(a->u.vlan.tci) & ~VLAN_CFI;
	int before = data_vlan_tags(ctx, xdp);

	if (xdp) {
		void *data, *data_end;
		__u8 *p;

		if (bpf_xdp_adjust_head(ctx, -VLAN_HLEN))
			return -1;
		data = ctx_data(ctx, xdp);
		data_end = ctx_data_end(ctx, xdp);
		p = PKT_PTR(data, data_end, 0, ETH_HLEN + VLAN_HLEN);
		if (!p)
			return -1;
		__builtin_memmove(p, p + VLAN_HLEN, 12);
		*(__be16 *)(p + 12) = a->u.vlan.tpid;
		*(__be16 *)(p + 14) = bpf_htons(tci);
	} else if (bpf_skb_vlan_push(ctx, a->u.vlan.tpid, tci)) {
		return -1;
	}
	shift_offsets(s, before, data_vlan_tags(ctx, xdp));
	return 0;
}

static __always_inline int edit_pop_vlan(void *ctx, const bool xdp, struct act_state *s)
{
	int before = data_vlan_tags(ctx, xdp);

	if (xdp) {
		void *data = ctx_data(ctx, xdp), *data_end = ctx_data_end(ctx, xdp);
		__u8 *p = PKT_PTR(data, data_end, 0, ETH_HLEN + VLAN_HLEN);

		if (!p || !before)
			return 0; /* no tag: nothing to pop, as in OVS */
		__builtin_memmove(p + VLAN_HLEN, p, 12);
		if (bpf_xdp_adjust_head(ctx, VLAN_HLEN))
			return -1;
	} else if (bpf_skb_vlan_pop(ctx)) {
		return -1;
	}
	shift_offsets(s, before, data_vlan_tags(ctx, xdp));
	return 0;
}

/* Where the transport checksum sits, and how it covers the addresses. */
static __always_inline __u32 l4_csum_off(const struct act_state *s, int *flags)
{
	*flags = CSUM_L4;
	if (!s->l4_off || s->frag_later)
		return 0;
	if (s->nw_proto == IPPROTO_TCP)
		return s->l4_off + 16;
	if (s->nw_proto == IPPROTO_UDP) {
		if (s->eth_type == ETH_P_IP)
			*flags |= CSUM_UDP;
		return s->l4_off + 6;
	}
	if (s->nw_proto == IPPROTO_ICMPV6 && s->eth_type == ETH_P_IPV6)
		return s->l4_off + 2;
	return 0;
}

/* Rewrites an IPv4 (len 4) or IPv6 (len 16) address at off. */
static __always_inline int edit_ip_addr(void *ctx, const bool xdp, struct act_state *s, __u32 off,
					const __be32 *new, __u32 len)
{
	__be32 old[4] = {}, nw[4] = {};
	__u32 diff, csum;
	int flags;

	if (len == 4) {
		if (ctx_load_bytes(ctx, xdp, off, old, 4))
			return -1;
		nw[0] = new[0];
	} else {
		if (ctx_load_bytes(ctx, xdp, off, old, 16))
			return -1;
		__builtin_memcpy(nw, new, 16);
	}
	diff = len == 4 ? bpf_csum_diff(old, 4, nw, 4, 0) : bpf_csum_diff(old, 16, nw, 16, 0);
	if (pkt_store(ctx, xdp, off, nw, len == 4 ? 4 : 16))
		return -1;
	if (len == 4 && csum_apply(ctx, xdp, s->l3_off + 10, diff, 0))
		return -1;
	csum = l4_csum_off(s, &flags);
	if (csum && (s->nw_proto != IPPROTO_ICMP))
		csum_apply(ctx, xdp, csum, diff, flags | CSUM_PSEUDO);
	return 0;
}

/* Rewrites the 16-bit word at off; l3 says whether the IPv4 header
 * checksum covers it, l4 whether the transport checksum does. */
static __always_inline int edit_word(void *ctx, const bool xdp, struct act_state *s, __u32 off,
				     __u16 mask, __u16 val, bool l3, bool l4)
{
	__be16 old, nw;
	__u32 diff, csum;
	int flags;

	if (ctx_load_bytes(ctx, xdp, off, &old, 2))
		return -1;
	nw = (old & ~bpf_htons(mask)) | (bpf_htons(val) & bpf_htons(mask));
	if (nw == old)
		return 0;
	diff = csum_diff16(old, nw);
	if (pkt_store(ctx, xdp, off, &nw, 2))
		return -1;
	if (l3 && csum_apply(ctx, xdp, s->l3_off + 10, diff, 0))
		return -1;
	if (l4) {
		csum = l4_csum_off(s, &flags);
		if (csum && csum_apply(ctx, xdp, csum, diff, flags))
			return -1;
	}
	return 0;
}

/* Decrements the IPv4 TTL or the IPv6 hop limit; 1 when it expired. */
static __always_inline int edit_dec_ttl(void *ctx, const bool xdp, struct act_state *s)
{
	__u8 ttl;

	if (s->eth_type == ETH_P_IP) {
		if (ctx_load_bytes(ctx, xdp, s->l3_off + 8, &ttl, 1))
			return -1;
		if (ttl <= 1)
			return 1;
		return edit_word(ctx, xdp, s, s->l3_off + 8, 0xff00, (__u16)(ttl - 1) << 8, true, false);
	}
	if (ctx_load_bytes(ctx, xdp, s->l3_off + 7, &ttl, 1))
		return -1;
	if (ttl <= 1)
		return 1;
	ttl--;
	return pkt_store(ctx, xdp, s->l3_off + 7, &ttl, 1) ? -1 : 0;
}

static __always_inline int edit_ipv6_tc(void *ctx, const bool xdp, struct act_state *s, __u8 tc)
{
	__be32 w;
	__u32 h;

	if (ctx_load_bytes(ctx, xdp, s->l3_off, &w, 4))
		return -1;
	h = (bpf_ntohl(w) & ~(0xffu << 20)) | ((__u32)tc << 20);
	w = bpf_htonl(h);
	return pkt_store(ctx, xdp, s->l3_off, &w, 4) ? -1 : 0;
}

#endif
