/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One pipeline, two hooks. Every function here takes the program context as
 * void * plus `xdp`, a compile-time constant at each entry point: after
 * inlining, only the branch for that hook is left in the program. What a
 * hook cannot do returns -EOPNOTSUPP.
 */
#ifndef XVS_BPF_CTX_H
#define XVS_BPF_CTX_H

#include "common.h"

#define EOPNOTSUPP_V 95

static __always_inline void *ctx_data(void *ctx, const bool xdp)
{
	if (xdp)
		return (void *)(long)((struct xdp_md *)ctx)->data;
	return (void *)(long)((struct __sk_buff *)ctx)->data;
}

static __always_inline void *ctx_data_end(void *ctx, const bool xdp)
{
	if (xdp)
		return (void *)(long)((struct xdp_md *)ctx)->data_end;
	return (void *)(long)((struct __sk_buff *)ctx)->data_end;
}

/* TC: whether the kernel holds the outer VLAN tag in the skb's metadata
 * rather than in the packet data (always false for XDP). */
static __always_inline bool ctx_tag_in_meta(void *ctx, const bool xdp)
{
	return !xdp && ((struct __sk_buff *)ctx)->vlan_present;
}

/* The frame's length on the wire, counting a tag held in skb metadata (as
 * XDP and OVS count it). */
static __always_inline __u32 ctx_len(void *ctx, const bool xdp)
{
	__u32 len;

	if (xdp)
		len = (__u32)(ctx_data_end(ctx, xdp) - ctx_data(ctx, xdp));
	else
		len = ((struct __sk_buff *)ctx)->len + (ctx_tag_in_meta(ctx, xdp) ? 4 : 0);
	/* Materialise the length here: left to the compiler, the packet
	 * pointers may be kept (and spilled as 32-bit values, which the
	 * verifier rejects) until the subtraction is needed. */
	asm volatile("" : "+r"(len));
	return len;
}

static __always_inline __u32 ctx_ifindex(void *ctx, const bool xdp)
{
	if (xdp)
		return ((struct xdp_md *)ctx)->ingress_ifindex;
	return ((struct __sk_buff *)ctx)->ifindex;
}

static __always_inline long ctx_load_bytes(void *ctx, const bool xdp, __u32 off, void *to, __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, to, len);
	return bpf_skb_load_bytes(ctx, off, to, len);
}

/* Makes the first headers directly accessible (and writable) in TC. */
static __always_inline void ctx_pull(void *ctx, const bool xdp)
{
	if (!xdp) {
		struct __sk_buff *skb = ctx;
		__u32 len = skb->len < XVS_TC_PULL ? skb->len : XVS_TC_PULL;

		bpf_skb_pull_data(skb, len);
	}
}

/* Verdicts. */
static __always_inline int verdict_drop(const bool xdp)
{
	return xdp ? XDP_DROP : TC_ACT_SHOT;
}

static __always_inline int verdict_pass(const bool xdp)
{
	return xdp ? XDP_PASS : TC_ACT_OK;
}

/* Returns a pointer to len bytes at off, or NULL when they are not all in
 * the packet. len must be a constant. */
#define PKT_PTR(data, data_end, off, len)                                       \
	({                                                                     \
		void *__p = NULL;                                              \
		__u32 __o = (off);                                             \
		if (__o <= XVS_PARSE_MAX_OFF) {                                \
			void *__b = (void *)(data) + __o;                      \
			if (__b + (len) <= (void *)(data_end))                 \
				__p = __b;                                     \
		}                                                              \
		__p;                                                           \
	})

#endif
