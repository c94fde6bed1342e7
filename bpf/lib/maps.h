/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Every map of the datapath. Userspace (loader/) pins them under
 * /sys/fs/bpf/xvs/<datapath>/ and reuses them on restart. */
#ifndef XVS_BPF_MAPS_H
#define XVS_BPF_MAPS_H

#include "common.h"

/* Megaflow cache, one table per key class (see enum xvs_mf_class):
 * (mask id, packed masked key) -> actions and stats. Not preallocated:
 * memory follows the flows installed; max_entries is set by the loader
 * (add-dp flows=N). One copy shared by every CPU, its counters updated with
 * atomics: a per-CPU table's entries come from the kernel's atomic per-CPU
 * reserve, which runs dry (ENOMEM) when flows are installed at the rate
 * of a miss storm. */
#define XVS_FLOW_TABLE(name, keytype)                                          \
	struct {                                                               \
		__uint(type, BPF_MAP_TYPE_HASH);                               \
		__uint(map_flags, BPF_F_NO_PREALLOC);                          \
		__uint(max_entries, XVS_DEFAULT_MAX_FLOWS);                    \
		__type(key, keytype);                                          \
		__type(value, struct xvs_megaflow);                            \
	} name SEC(".maps")

XVS_FLOW_TABLE(xvs_flows_s, struct xvs_mf_key_s);
XVS_FLOW_TABLE(xvs_flows_m, struct xvs_mf_key_m);
XVS_FLOW_TABLE(xvs_flows_l, struct xvs_mf_key_l);

/* Mask table, indexed by mask id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_MASKS);
	__type(key, __u32);
	__type(value, struct xvs_mask);
} xvs_masks SEC(".maps");

/* Per-CPU mask cache: key signature -> mask that last matched it (see
 * mf_lookup). Direct-mapped by the signature's low bits. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_MASK_CACHE_ENTRIES);
	__type(key, __u32);
	__type(value, struct xvs_mask_hint);
} xvs_mask_cache SEC(".maps");

/* The two copies of the mask search order (see struct xvs_mask_list). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct xvs_mask_list);
} xvs_mask_lists SEC(".maps");

/* Datapath-wide settings, one entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_dp_config);
} xvs_config SEC(".maps");

/* Ports by datapath port number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xvs_port);
} xvs_ports SEC(".maps");

/* Ingress ifindex -> datapath port number. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XVS_MAX_PORTS);
	__type(key, __u32);
	__type(value, __u32);
} xvs_ifindex_ports SEC(".maps");

/* Per-port, per-CPU upcall token buckets. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XVS_MAX_PORTS);
	__type(key, __u32);
	__type(value, struct xvs_tbucket);
} xvs_upcall_buckets SEC(".maps");

/* Keys that recently missed, per CPU: when a window of config.dedup_us
 * started and how many misses of the key it upcalled (upcall_miss). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, XVS_DEDUP_ENTRIES);
	__type(key, struct xvs_flow_key);
	__type(value, __u64);
} xvs_recent_misses SEC(".maps");

/* Upcalls (misses, userspace actions, samples) to userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XVS_RINGBUF_BYTES);
} xvs_upcalls SEC(".maps");

/* Counters, drop reasons and mask hits; one entry per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_cpu_stats);
} xvs_stats SEC(".maps");

/* Flood domain membership, for TC (clone loop) and for userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_FLOOD_DOMAINS);
	__type(key, __u32);
	__type(value, struct xvs_flood_domain);
} xvs_flood_domains SEC(".maps");

/* The same membership as devmaps (ifindex -> ifindex) for XDP broadcast. */
struct xvs_devmap_inner {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, XVS_MAX_FLOOD_PORTS);
	__type(key, __u32);
	__type(value, __u32);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XVS_MAX_FLOOD_DOMAINS);
	__type(key, __u32);
	__array(values, struct xvs_devmap_inner);
} xvs_flood_devmaps SEC(".maps");

/* Meters by id. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_MAX_METERS);
	__type(key, __u32);
	__type(value, struct xvs_meter);
} xvs_meters SEC(".maps");

/* Actions for userspace executions (see struct xvs_exec_hdr). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XVS_EXEC_SLOTS);
	__type(key, __u32);
	__type(value, struct xvs_exec);
} xvs_exec_slots SEC(".maps");

/* Per-CPU working state of the program running on this CPU: the parsed
 * key and the probe key live here rather than on the 512-byte stack, and
 * the recirculation id survives the tail call here. Internal to BPF. */
struct xvs_pcpu {
	struct xvs_flow_key key;   /* the packet's key */
	struct xvs_mf_key_l probe; /* packed key of the mask being probed (any class) */
	struct parse_info pi;
	__u32 recirc_id;           /* for the recirculation stage */
	__u32 in_port;
	__u32 depth;               /* recirculations so far */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xvs_pcpu);
} xvs_pcpu_map SEC(".maps");

static __always_inline struct xvs_pcpu *pcpu_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&xvs_pcpu_map, &zero);
}

/* Tail-call targets, slots from enum xvs_tail_slot, one array per hook
 * (a tail call stays within one program type). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XVS_TAIL__MAX);
	__type(key, __u32);
	__type(value, __u32);
} xvs_xdp_tails SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, XVS_TAIL__MAX);
	__type(key, __u32);
	__type(value, __u32);
} xvs_tc_tails SEC(".maps");

static __always_inline struct xvs_cpu_stats *stats_get(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&xvs_stats, &zero);
}

static __always_inline void count(struct xvs_cpu_stats *st, enum xvs_counter c)
{
	if (st && c < XVS_CTR__MAX)
		st->counters[c]++;
}

static __always_inline void count_drop(struct xvs_cpu_stats *st, enum xvs_drop_reason r)
{
	if (st && r < XVS_DROP__MAX)
		st->drops[r]++;
}

#endif
