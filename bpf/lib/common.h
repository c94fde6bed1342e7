/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Includes and constants every part of the datapath needs. */
#ifndef XVS_BPF_COMMON_H
#define XVS_BPF_COMMON_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xvs/abi.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_ARP 0x0806
#define ETH_P_RARP 0x8035
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_IPV6 0x86DD
#define ETH_P_802_3_MIN 0x0600
#define ETH_TYPE_NONE 0x05FF

#define IPPROTO_HOPOPTS 0
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH 51
#define IPPROTO_DSTOPTS 60
#define IPPROTO_ICMPV6 58

#define VLAN_CFI 0x1000
#define VLAN_HLEN 4

/* Offsets past this are treated as beyond the packet: bounds every
 * variable offset so the verifier can check packet accesses. No XDP frame
 * is this long, and TC pulls at most XVS_TC_PULL bytes. */
#define XVS_PARSE_MAX_OFF 4096
#define XVS_TC_PULL 1024

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define TC_ACT_REDIRECT 7

/* Where the headers are, for the actions that rewrite them. */
struct parse_info {
	__u32 l3_off;   /* start of the network header, 0 if none */
	__u32 l4_off;   /* start of the transport header, 0 if none */
	__u16 eth_type; /* host order */
	__u8 nw_proto;
	__u8 pad;
};

/* Left in front of a packet by the XDP entry when it hands a recirculated
 * packet to TC (XDP_PASS), so TC resumes at that recirculation rather than
 * starting over: the packet may have been edited and the first pass's flow
 * already credited. */
struct xvs_xdp_meta {
	__u32 magic;     /* XVS_XDP_META_MAGIC */
	__u32 ifindex;   /* the device it was left on: meta does not follow redirects */
	__u32 recirc_id;
	__u32 depth;
};
#define XVS_XDP_META_MAGIC 0x78767352

static __always_inline int is_vlan_tpid(__u16 type_host)
{
	return type_host == ETH_P_8021Q || type_host == ETH_P_8021AD;
}

#endif
