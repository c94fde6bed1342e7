// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Programs the benchmarks measure xvs against and drive it with. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

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

/* ---- Flow setup: frames of ever new flows, and arrival stamps -------- */

/* A flow index i is carried as UDP source port 1024 + i % 50000 and
 * destination port 1024 + i / 50000. */
#define BENCH_PORTS_PER_DST 50000
#define BENCH_STAMPS (1u << 20)

struct bench_flowgen_cfg {
	__u32 first; /* the first flow index ... */
	__u32 n;     /* ... and how many the generator cycles through */
	__u32 next;  /* frames generated so far */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bench_flowgen_cfg);
} bench_flowgen SEC(".maps");

/* Per flow index: CLOCK_MONOTONIC ns of its first and of its latest
 * arrival at the stamping sink. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_STAMPS);
	__type(key, __u32);
	__type(value, __u64);
} bench_first SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BENCH_STAMPS);
	__type(key, __u32);
	__type(value, __u64);
} bench_last SEC(".maps");

/* Ethernet + IPv4 (no options) + UDP at fixed offsets. */
static __always_inline __u16 *bench_udp_ports(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;

	if (data + 14 + 20 + 8 > end)
		return 0;
	if (((__u8 *)data)[12] != 0x08 || ((__u8 *)data)[13] != 0x00 || ((__u8 *)data)[23] != 17)
		return 0;
	return data + 14 + 20;
}

/* Generator: every frame is the next flow of the configured range. */
SEC("xdp")
int bench_gen_flows(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct bench_flowgen_cfg *c = bpf_map_lookup_elem(&bench_flowgen, &zero);
	__u16 *ports = bench_udp_ports(ctx);
	__u32 i;

	if (!c || !ports || !c->n)
		return XDP_ABORTED;
	i = c->first + __sync_fetch_and_add(&c->next, 1) % c->n;
	ports[0] = bpf_htons(1024 + i % BENCH_PORTS_PER_DST);
	ports[1] = bpf_htons(1024 + i / BENCH_PORTS_PER_DST);
	ports[3] = 0; /* no UDP checksum */
	return redirect_slot(1);
}

/* Sink that counts and stamps each flow's arrivals. */
SEC("xdp")
int bench_stamp(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&bench_count, &zero);
	__u16 *ports = bench_udp_ports(ctx);
	__u64 now = bpf_ktime_get_ns(), *first, *last;
	__u32 i;

	if (n)
		(*n)++;
	if (!ports)
		return XDP_DROP;
	i = (__u32)(bpf_ntohs(ports[0]) - 1024) + (__u32)(bpf_ntohs(ports[1]) - 1024) * BENCH_PORTS_PER_DST;
	first = bpf_map_lookup_elem(&bench_first, &i);
	last = bpf_map_lookup_elem(&bench_last, &i);
	if (first && !*first)
		*first = now;
	if (last)
		*last = now;
	return XDP_DROP;
}

/* Lets a veth take XDP_REDIRECTed frames into its stack (a veth only
 * accepts redirected frames while it has an XDP program). */
SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
