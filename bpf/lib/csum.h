/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Incremental checksum updates (RFC 1624). A rewrite computes a 32-bit
 * one's-complement difference once and applies it to each checksum that
 * covers the field: by hand in XDP (frames carry no offload state), with
 * the kernel's helpers in TC (they honour CHECKSUM_PARTIAL/COMPLETE skbs).
 */
#ifndef XVS_BPF_CSUM_H
#define XVS_BPF_CSUM_H

#include "ctx.h"

#define CSUM_L4 0x1     /* a transport checksum */
#define CSUM_PSEUDO 0x2 /* the field is part of the pseudo-header */
#define CSUM_UDP 0x4    /* UDP over IPv4: 0 means "no checksum" */

static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Difference for replacing the 16-bit word old by new (network order as
 * loaded from the packet; the sum is byte-order independent). */
static __always_inline __u32 csum_diff16(__u16 old, __u16 new)
{
	return (__u32)(__u16)~old + new;
}

/* Applies diff to the checksum at off. */
static __always_inline int csum_apply(void *ctx, const bool xdp, __u32 off, __u32 diff, int flags)
{
	if (xdp) {
		__u16 c, n;

		if (bpf_xdp_load_bytes(ctx, off, &c, 2))
			return -1;
		if ((flags & CSUM_UDP) && c == 0)
			return 0;
		n = ~csum_fold32((__u32)(__u16)~c + csum_fold32(diff));
		if ((flags & CSUM_UDP) && n == 0)
			n = 0xffff;
		return bpf_xdp_store_bytes(ctx, off, &n, 2) ? -1 : 0;
	}
	if (flags & CSUM_L4) {
		__u64 f = 0;

		if (flags & CSUM_PSEUDO)
			f |= BPF_F_PSEUDO_HDR;
		if (flags & CSUM_UDP)
			f |= BPF_F_MARK_MANGLED_0;
		return bpf_l4_csum_replace(ctx, off, 0, diff, f) ? -1 : 0;
	}
	return bpf_l3_csum_replace(ctx, off, 0, diff, 0) ? -1 : 0;
}

static __always_inline long pkt_store(void *ctx, const bool xdp, __u32 off, void *from, __u32 len)
{
	if (xdp)
		return bpf_xdp_store_bytes(ctx, off, from, len);
	return bpf_skb_store_bytes(ctx, off, from, len, 0);
}

#endif
