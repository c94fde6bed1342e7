/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The xvs datapath ABI: every type that crosses the line between the BPF
 * programs and userspace. Included by BPF C (after vmlinux.h) and by C++.
 *
 * Rules: fixed-width types only, explicit padding, sizes pinned with
 * static asserts, and the byte order of every multi-byte field named in its
 * comment ("net" = network byte order, "host" = the CPU's). The C++ view is
 * checked against the BTF of the built object by tests/unit/abi_btf_test.
 */
#ifndef XVS_ABI_H
#define XVS_ABI_H

#if defined(__bpf__)
/* vmlinux.h already supplies __u8 .. __u64, __be16, __be32. */
#define XVS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#else
#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock */
#ifdef __cplusplus
#define XVS_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define XVS_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#endif

/* ---- Size caps ------------------------------------------------------- */

#define XVS_MAX_PORTS 1024        /* datapath port numbers are 0..1023 */
#define XVS_MAX_MASKS 64          /* distinct megaflow masks */
#define XVS_MAX_ACTIONS 32        /* encoded actions per flow */
#define XVS_DEFAULT_MAX_FLOWS 65536 /* megaflows, settable at add-dp */
#define XVS_MAX_FLOOD_DOMAINS 256 /* flood domain ids 0..255 */
#define XVS_MAX_FLOOD_PORTS 64    /* members of one flood domain */
#define XVS_MAX_METERS 1024       /* meter ids 0..1023 */
#define XVS_UPCALL_MAX_PKT 1536   /* packet bytes carried by one upcall */
#define XVS_RINGBUF_BYTES (4u << 20) /* upcall ring buffer */
#define XVS_UPCALL_DUP_BURST 64      /* misses of one key upcalled within dedup_us; the rest are dropped */
#define XVS_DEDUP_ENTRIES 8192    /* recently missed keys remembered */
#define XVS_EXEC_SLOTS 64         /* concurrent userspace executions */
#define XVS_MAX_RECIRC 8          /* recirculations of one packet */
#define XVS_MASK_CACHE_ENTRIES 16384 /* per-CPU mask hints; a power of 2 */

/* ---- Flow key -------------------------------------------------------- */

/* Bits of xvs_flow_key.nw_frag (same meaning as OVS's ipv4/ipv6 frag). */
#define XVS_FRAG_ANY 0x01   /* the packet is a fragment */
#define XVS_FRAG_LATER 0x02 /* ... and not the first one (no L4 header) */

/* Bits of xvs_flow_key.parse_flags: how far parsing got and why it stopped.
 * A malformed or truncated header leaves the fields it would fill zero. */
#define XVS_PF_VLAN_TRUNC 0x0001 /* a VLAN tag was cut short */
#define XVS_PF_L3_TRUNC 0x0002   /* network header cut short */
#define XVS_PF_L3_BAD 0x0004     /* IPv4 IHL < 5 or total length / version wrong */
#define XVS_PF_L4_TRUNC 0x0008   /* transport header cut short */
#define XVS_PF_L4_BAD 0x0010     /* TCP data offset < 5 */
#define XVS_PF_EXT_TRUNC 0x0020  /* IPv6 extension header chain cut short */
#define XVS_PF_EXT_LIMIT 0x0040  /* more IPv6 extension headers than parsed */
#define XVS_PF_ND_BAD 0x0080     /* ND option malformed */
#define XVS_PF_VLAN_EXTRA 0x0100 /* more than two VLAN tags */
#define XVS_PF_L2_TRUNC 0x0200   /* shorter than an Ethernet header */

#define XVS_IPV6_MAX_EXT 8 /* IPv6 extension headers walked */
#define XVS_ND_MAX_OPTS 4  /* ND options examined */

/*
 * What a packet looks like to the megaflow cache. Also used as the mask
 * (1 bits = field consulted). Fields a packet lacks are zero.
 */
struct xvs_flow_key {
	__u32 recirc_id;   /* host: 0 off the wire, else set by recirculate */
	__u32 in_port;     /* host: datapath port number */
	__u8 eth_dst[6];
	__u8 eth_src[6];
	__be16 eth_type;   /* net: ethertype after the VLAN tags; 0x05ff for 802.3 length frames */
	__be16 vlan_tci;   /* net: outer tag PCP|CFI|VID; 0x1000 (CFI) set when a tag is present */
	__be16 vlan_tpid;  /* net: outer tag TPID (0x8100 / 0x88a8), 0 if none */
	__be16 cvlan_tci;  /* net: inner tag, same encoding */
	__be16 cvlan_tpid; /* net: inner tag TPID, 0 if none */
	__u16 parse_flags; /* host: XVS_PF_* */
	__u8 nw_proto;     /* IP protocol; for ARP the opcode if <= 255, else 0 */
	__u8 nw_tos;       /* DSCP and ECN (IPv4 TOS / IPv6 traffic class) */
	__u8 nw_ttl;       /* IPv4 TTL / IPv6 hop limit */
	__u8 nw_frag;      /* XVS_FRAG_* */
	__be32 ipv6_label; /* net: flow label (low 20 bits) */
	__be32 nw_src[4];  /* net: IPv4 source in [0] (ARP: spa), or IPv6 source */
	__be32 nw_dst[4];  /* net: IPv4 destination in [0] (ARP: tpa), or IPv6 destination */
	__be16 tp_src;     /* net: L4 source port; ICMP/ICMPv6 type */
	__be16 tp_dst;     /* net: L4 destination port; ICMP/ICMPv6 code */
	__be16 tcp_flags;  /* net: TCP flags (12 bits) */
	__u16 pad0;
	__u8 arp_sha[6];   /* ARP sender MAC, or ND source link-layer address option */
	__u8 arp_tha[6];   /* ARP target MAC, or ND target link-layer address option */
	__be32 nd_target[4]; /* net: ND target address */
	__u32 pad1;
};
XVS_STATIC_ASSERT(sizeof(struct xvs_flow_key) == 112, "flow key is 14 u64 words");

#define XVS_KEY_WORDS 14    /* u64 words in a flow key */
#define XVS_WORD_NONE 0xff  /* unused slot of xvs_mask.words */

/*
 * Megaflow key classes. A mask's significant words (those it does not
 * wildcard entirely) are packed, masked, into the smallest class that holds
 * them, and each class has its own table: a lookup hashes 24, 56 or 120
 * bytes instead of always the whole key, and hashing is most of a probe's
 * cost. The word at index i of the packed key is flow key word words[i].
 */
enum xvs_mf_class {
	XVS_MF_S = 0, /* up to XVS_MF_S_WORDS words */
	XVS_MF_M = 1, /* up to XVS_MF_M_WORDS words */
	XVS_MF_L = 2, /* up to XVS_KEY_WORDS words */
	XVS_MF__MAX,
};
#define XVS_MF_S_WORDS 2
#define XVS_MF_M_WORDS 6

struct xvs_mf_key_s {
	__u32 mask_id; /* host: index into the mask table */
	__u32 pad;
	__u64 w[XVS_MF_S_WORDS]; /* masked key words, in xvs_mask.words order */
};
XVS_STATIC_ASSERT(sizeof(struct xvs_mf_key_s) == 24, "small megaflow key size");

struct xvs_mf_key_m {
	__u32 mask_id;
	__u32 pad;
	__u64 w[XVS_MF_M_WORDS];
};
XVS_STATIC_ASSERT(sizeof(struct xvs_mf_key_m) == 56, "medium megaflow key size");

struct xvs_mf_key_l {
	__u32 mask_id;
	__u32 pad;
	__u64 w[XVS_KEY_WORDS];
};
XVS_STATIC_ASSERT(sizeof(struct xvs_mf_key_l) == 120, "large megaflow key size");

/* One entry of the mask table. */
struct xvs_mask {
	struct xvs_flow_key mask;
	__u32 in_use;   /* host: 1 while some megaflow uses this mask */
	__u32 n_flows;  /* host: megaflows using it (kept by userspace) */
	__u8 cls;       /* enum xvs_mf_class of its megaflows' keys */
	__u8 n_words;   /* significant words */
	__u8 words[XVS_KEY_WORDS]; /* their indices, XVS_WORD_NONE past n_words */
	__u64 hits_base; /* host: xvs_cpu_stats.mask_hits[id] summed when this mask took the id */
};
XVS_STATIC_ASSERT(sizeof(struct xvs_mask) == 144, "mask entry size");

/* An entry of the per-CPU mask cache. */
struct xvs_mask_hint {
	__u32 sig;     /* host: signature of the key, 0 = empty */
	__u32 mask_id; /* host: mask its megaflow was found under */
};

/* The order in which masks are tried. Two copies; the config's
 * active_mask_list says which one the datapath reads, so userspace rewrites
 * the idle copy and flips the index: a reorder is atomic for readers. */
struct xvs_mask_list {
	__u32 n;                  /* host: number of ids in use */
	__u32 ids[XVS_MAX_MASKS]; /* host: mask ids, most hit first */
	__u32 pad;
};
XVS_STATIC_ASSERT(sizeof(struct xvs_mask_list) == 264, "mask list size");

/* ---- Actions --------------------------------------------------------- */

#define XVS_ACTIONS(X)                                                         \
	X(OUTPUT, "output")             /* port_no in arg */                   \
	X(FLOOD, "flood")               /* flood domain id in arg */           \
	X(PUSH_VLAN, "push_vlan")       /* u.vlan */                           \
	X(POP_VLAN, "pop_vlan")                                                \
	X(SET_ETH_SRC, "set_eth_src")   /* u.mac */                            \
	X(SET_ETH_DST, "set_eth_dst")   /* u.mac */                            \
	X(SET_IPV4_SRC, "set_ipv4_src") /* u.ip4 */                            \
	X(SET_IPV4_DST, "set_ipv4_dst") /* u.ip4 */                            \
	X(SET_IPV4_TOS, "set_ipv4_tos") /* u.u8 */                             \
	X(SET_IPV4_TTL, "set_ipv4_ttl") /* u.u8 */                             \
	X(SET_IPV6_SRC, "set_ipv6_src") /* u.ip6 */                            \
	X(SET_IPV6_DST, "set_ipv6_dst") /* u.ip6 */                            \
	X(SET_IPV6_TC, "set_ipv6_tc")   /* u.u8 */                             \
	X(SET_IPV6_HLIMIT, "set_ipv6_hlimit") /* u.u8 */                       \
	X(DEC_TTL, "dec_ttl")           /* IPv4 TTL or IPv6 hop limit */       \
	X(SET_TP_SRC, "set_tp_src")     /* u.port, TCP/UDP/SCTP */             \
	X(SET_TP_DST, "set_tp_dst")     /* u.port */                           \
	X(DROP, "drop")                                                        \
	X(USERSPACE, "userspace")       /* u.cookie */                         \
	X(SAMPLE, "sample")             /* arg = probability of 2^32, u.cookie */ \
	X(RECIRC, "recirc")             /* arg = recirc id */                  \
	X(METER, "meter")               /* arg = meter id */

enum xvs_action_type {
	XVS_ACT_NONE = 0,
#define XVS_X_ENUM(name, str) XVS_ACT_##name,
	XVS_ACTIONS(XVS_X_ENUM)
#undef XVS_X_ENUM
	XVS_ACT__MAX,
};

/* One encoded action. */
struct xvs_action {
	__u16 type;  /* host: enum xvs_action_type */
	__u16 pad;
	__u32 arg;   /* host: port, domain, recirc id, meter id or probability */
	union {
		__u8 mac[6];
		__be32 ip4;     /* net */
		__be32 ip6[4];  /* net */
		__u8 u8;
		__be16 port;    /* net */
		struct {
			__be16 tpid; /* net: 0x8100 or 0x88a8 */
			__be16 tci;  /* net: PCP|VID (CFI bit ignored) */
		} vlan;
		__u64 cookie;   /* host: opaque to the datapath */
	} u;
};
XVS_STATIC_ASSERT(sizeof(struct xvs_action) == 24, "action size");

/* Bits of xvs_action_list.flags, computed by userspace when it encodes. */
#define XVS_AL_NEEDS_SKB 0x0001 /* XDP cannot run this list: hand it to TC */

struct xvs_action_list {
	__u16 n;     /* host: actions in use */
	__u16 flags; /* host: XVS_AL_* */
	__u32 pad;
	struct xvs_action a[XVS_MAX_ACTIONS];
};
XVS_STATIC_ASSERT(sizeof(struct xvs_action_list) == 8 + 24 * XVS_MAX_ACTIONS,
		  "action list size");

/* ---- Megaflow value ------------------------------------------------- */

/* Per-CPU (the megaflow table is a per-CPU hash): plain increments, no
 * atomics; userspace sums the CPUs' copies. */
struct xvs_flow_stats {
	__u64 packets;
	__u64 bytes;
	__u64 used_ns;   /* host: bpf_ktime_get_ns() of the last hit, 0 never */
	__u16 tcp_flags; /* host: OR of TCP flags seen */
	__u16 pad[3];
};
XVS_STATIC_ASSERT(sizeof(struct xvs_flow_stats) == 32, "stats size");

struct xvs_megaflow {
	struct xvs_flow_stats stats;
	struct xvs_action_list actions;
};
XVS_STATIC_ASSERT(sizeof(struct xvs_megaflow) == 32 + 8 + 24 * XVS_MAX_ACTIONS,
		  "megaflow value size");

/* ---- Ports ----------------------------------------------------------- */

#define XVS_PORT_F_IN_USE 0x01  /* slot holds a port */
#define XVS_PORT_F_XDP_TX 0x02  /* XDP_REDIRECT to this device delivers */
#define XVS_PORT_F_HOOK_XDP 0x04 /* its ingress program is the XDP entry */
#define XVS_PORT_F_HOOK_TC 0x08  /* its ingress program is the tcx entry */

struct xvs_port {
	__u32 ifindex;      /* host */
	__u32 flags;        /* host: XVS_PORT_F_* */
	__u32 upcall_rate;  /* host: misses per second per CPU sent to userspace, 0 = unlimited */
	__u32 upcall_burst; /* host: bucket depth in misses */
};
XVS_STATIC_ASSERT(sizeof(struct xvs_port) == 16, "port size");

/* Per-CPU token bucket that bounds one port's upcalls. */
struct xvs_tbucket {
	__u64 tokens_milli; /* host: tokens * 1000 */
	__u64 last_ns;      /* host */
};

/* ---- Flood domains -------------------------------------------------- */

#define XVS_FD_F_XDP_OK 0x01 /* every member is XDP_TX capable */
#define XVS_FD_F_EXISTS 0x02 /* the domain was set up (it may have no members) */

struct xvs_flood_domain {
	__u32 n;     /* host: members */
	__u32 flags; /* host: XVS_FD_F_* */
	__u32 ports[XVS_MAX_FLOOD_PORTS]; /* host: port numbers */
};
XVS_STATIC_ASSERT(sizeof(struct xvs_flood_domain) == 8 + 4 * XVS_MAX_FLOOD_PORTS,
		  "flood domain size");

/* ---- Meters ---------------------------------------------------------- */

#define XVS_METER_F_PKTS 0x01 /* rate and burst count packets, not kbits */

struct xvs_meter {
	struct bpf_spin_lock lock;
	__u32 flags;        /* host: XVS_METER_F_*; 0 in every field = no meter */
	__u64 rate;         /* host: kbit/s or packets/s */
	__u64 burst;        /* host: kbits or packets */
	__u64 tokens;       /* host: millibits (kbit/s meters) or micro-packets */
	__u64 last_ns;      /* host */
	__u64 passed;       /* host: packets let through */
	__u64 dropped;      /* host: packets over the band */
};
XVS_STATIC_ASSERT(sizeof(struct xvs_meter) == 56, "meter size");

/* ---- Upcalls --------------------------------------------------------- */

enum xvs_upcall_type {
	XVS_UPCALL_MISS = 1,   /* no megaflow matched */
	XVS_UPCALL_ACTION = 2, /* userspace action */
	XVS_UPCALL_SAMPLE = 3, /* sample action */
};

#define XVS_HOOK_XDP 1
#define XVS_HOOK_TC 2

/* Header of one ring buffer record; cap_len packet bytes follow it. */
struct xvs_upcall {
	__u8 type;        /* enum xvs_upcall_type */
	__u8 hook;        /* XVS_HOOK_* that saw the packet */
	__u16 cap_len;    /* host: packet bytes that follow */
	__u32 pkt_len;    /* host: the packet's full length */
	__u32 in_port;    /* host */
	__u32 arg;        /* host: sample probability, else 0 */
	__u64 cookie;     /* host: from the action, 0 for a miss */
	__u64 ts_ns;      /* host: bpf_ktime_get_ns() */
	struct xvs_flow_key key;
};
XVS_STATIC_ASSERT(sizeof(struct xvs_upcall) == 144, "upcall header size");

/* ---- Userspace execution ------------------------------------------- */

/* A packet handed to the execute program starts with this header, which
 * the program strips. It runs the slot's actions up to and including the
 * edit actions before action index stop_at, then returns the edited packet
 * to the caller (XDP_PASS) for transmission. */
struct xvs_exec_hdr {
	__u32 slot;    /* host: index into the exec slot map */
	__u32 stop_at; /* host: action index to stop before */
};

struct xvs_exec {
	__u32 in_port; /* host */
	__u32 pad;
	struct xvs_action_list actions;
};

/* ---- Counters and drop reasons ------------------------------------- */

#define XVS_COUNTERS(X)                                                        \
	X(RX, "packets received")                                              \
	X(HIT, "megaflow hits")                                                \
	X(MISS, "megaflow misses")                                             \
	X(UPCALL, "upcalls queued")                                            \
	X(PUNT_TC, "packets handed from XDP to TC")                            \
	X(RECIRC, "recirculations")                                            \
	X(SAMPLE, "samples queued")                                            \
	X(EXEC, "userspace executions")                                        \
	X(MASK_PROBE, "mask lookups")                                           \
	X(MASK_CACHE_HIT, "lookups answered by the mask cache")

enum xvs_counter {
#define XVS_X_ENUM(name, str) XVS_CTR_##name,
	XVS_COUNTERS(XVS_X_ENUM)
#undef XVS_X_ENUM
	XVS_CTR__MAX,
};

#define XVS_DROP_REASONS(X)                                                    \
	X(NOT_PORT, "ingress device is not a datapath port")                   \
	X(ACTION, "drop action, empty action list, or no port to send to")                 \
	X(UPCALL_RATE, "upcall rate limit of the ingress port")                \
	X(UPCALL_DUP, "a key missed more than a burst within dedup_us")       \
	X(UPCALL_RINGBUF, "upcall ring buffer full")                           \
	X(SAMPLE_RINGBUF, "sample lost: ring buffer full")                     \
	X(TAIL_CALL, "tail call failed")                                       \
	X(RECIRC_LOOP, "too many recirculations")                              \
	X(BAD_ACTION, "malformed action")                                      \
	X(BAD_PORT, "output to a port that does not exist")                    \
	X(BAD_DOMAIN, "flood to a domain that does not exist")                 \
	X(METER, "meter band exceeded")                                        \
	X(VLAN, "push or pop vlan failed")                                     \
	X(EDIT, "header rewrite failed (truncated or wrong protocol)")         \
	X(TTL, "TTL or hop limit expired")                                     \
	X(REDIRECT, "redirect or clone failed")                                \
	X(EXEC, "bad userspace execution request")

enum xvs_drop_reason {
#define XVS_X_ENUM(name, str) XVS_DROP_##name,
	XVS_DROP_REASONS(XVS_X_ENUM)
#undef XVS_X_ENUM
	XVS_DROP__MAX,
};

/* All counters of one CPU: one map lookup per packet reaches them all. */
struct xvs_cpu_stats {
	__u64 counters[XVS_CTR__MAX];       /* enum xvs_counter */
	__u64 drops[XVS_DROP__MAX];         /* enum xvs_drop_reason */
	__u64 mask_hits[XVS_MAX_MASKS];     /* hits per mask id, for ranking */
};

/* ---- Tail calls ------------------------------------------------------ */

enum xvs_tail_slot {
	XVS_TAIL_RECIRC = 0, /* re-parse and look up with scratch.recirc_id */
	XVS_TAIL__MAX,
};

/* ---- Datapath-wide configuration ----------------------------------- */

#define XVS_CFG_NO_MASK_CACHE 0x1 /* always search every mask (for measuring) */

struct xvs_dp_config {
	__u32 active_mask_list; /* host: 0 or 1, which xvs_mask_list is live */
	__u32 dedup_us;         /* host: window in which at most XVS_UPCALL_DUP_BURST misses of a key are upcalled */
	__u32 flags;            /* host: XVS_CFG_* */
	__u32 pad;
};

#endif /* XVS_ABI_H */
