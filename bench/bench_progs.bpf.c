// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Programs the benchmarks measure xvs against and drive it with. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* [0] = where bench_redirect sends, [1] = where bench_gen sends. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} bench_ifindex SEC(".maps");

/* Frames the sink has seen, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} bench_count SEC(".maps");

static __always_inline int redirect_slot(__u32 slot)
{
	__u32 *ifindex = bpf_map_lookup_elem(&bench_ifindex, &slot);

	return ifindex ? bpf_redirect(*ifindex, 0) : XDP_ABORTED;
}

/* The physical limit: a bare XDP redirect between two devices. */
SEC("xdp")
int bench_redirect(struct xdp_md *ctx)
{
	return redirect_slot(0);
}

/* Traffic generator, run with BPF_F_TEST_XDP_LIVE_FRAMES. */
SEC("xdp")
int bench_gen(struct xdp_md *ctx)
{
	return redirect_slot(1);
}

/* Counting sink. */
SEC("xdp")
int bench_sink(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&bench_count, &zero);

	if (n)
		(*n)++;
	return XDP_DROP;
}
