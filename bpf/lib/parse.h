/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Flow key extraction, exactly as docs/DATAPATH.md specifies it. */
#ifndef XVS_BPF_PARSE_H
#define XVS_BPF_PARSE_H

#include "ctx.h"

static __always_inline int ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_AH || nh == IPPROTO_FRAGMENT;
}

static __always_inline __u16 rd16(const __u8 *p)
{
	return ((__u16)p[0] << 8) | p[1];
}

static __always_inline void parse_nd(void *data, void *data_end, __u32 pkt_len, __u32 off,
				     __u8 type, struct xvs_flow_key *key)
{
	__u8 *nd = PKT_PTR(data, data_end, off, 24);
	int have_ll = 0;

	if (!nd) {
		key->parse_flags |= XVS_PF_L4_TRUNC;
		return;
	}
	__builtin_memcpy(key->nd_target, nd + 8, 16);
	off += 24;
#pragma unroll
	for (int i = 0; i < XVS_ND_MAX_OPTS; i++) {
		__u8 *opt;
		__u32 len;

		if (off >= pkt_len)
			return;
		opt = PKT_PTR(data, data_end, off, 2);
		if (!opt) {
			key->parse_flags |= XVS_PF_ND_BAD;
			return;
		}
		len = (__u32)opt[1] * 8;
		if (!len || off + len > pkt_len) {
			key->parse_flags |= XVS_PF_ND_BAD;
			return;
		}
		if (len == 8 && !have_ll &&
		    ((opt[0] == 1 && type == 135) || (opt[0] == 2 && type == 136))) {
			__u8 *ll = PKT_PTR(data, data_end, off, 8);

			if (!ll)
				return;
			if (type == 135)
				__builtin_memcpy(key->arp_sha, ll + 2, 6);
			else
				__builtin_memcpy(key->arp_tha, ll + 2, 6);
			have_ll = 1;
		}
		off += len;
	}
}

static __always_inline void parse_l4(void *data, void *data_end, __u32 pkt_len, __u32 off,
				     int ipv6, struct xvs_flow_key *key, struct parse_info *pi)
{
	__u8 proto = key->nw_proto;
	__u8 *h;

	pi->l4_off = off;
	if (proto == IPPROTO_TCP) {
		h = PKT_PTR(data, data_end, off, 20);
		if (!h) {
			key->parse_flags |= XVS_PF_L4_TRUNC;
			return;
		}
		if ((h[12] >> 4) < 5) {
			key->parse_flags |= XVS_PF_L4_BAD;
			return;
		}
		key->tp_src = *(__be16 *)h;
		key->tp_dst = *(__be16 *)(h + 2);
		key->tcp_flags = bpf_htons(rd16(h + 12) & 0x0fff);
	} else if (proto == IPPROTO_UDP || proto == IPPROTO_SCTP) {
		h = proto == IPPROTO_UDP ? PKT_PTR(data, data_end, off, 8)
					 : PKT_PTR(data, data_end, off, 12);
		if (!h) {
			key->parse_flags |= XVS_PF_L4_TRUNC;
			return;
		}
		key->tp_src = *(__be16 *)h;
		key->tp_dst = *(__be16 *)(h + 2);
	} else if ((proto == IPPROTO_ICMP && !ipv6) || (proto == IPPROTO_ICMPV6 && ipv6)) {
		h = PKT_PTR(data, data_end, off, 4);
		if (!h) {
			key->parse_flags |= XVS_PF_L4_TRUNC;
			return;
		}
		key->tp_src = bpf_htons(h[0]);
		key->tp_dst = bpf_htons(h[1]);
		if (ipv6 && (h[0] == 135 || h[0] == 136) && h[1] == 0)
			parse_nd(data, data_end, pkt_len, off, h[0], key);
	}
}

static __always_inline void parse_ipv4(void *data, void *data_end, __u32 pkt_len, __u32 off,
				       struct xvs_flow_key *key, struct parse_info *pi)
{
	struct iphdr *ip = PKT_PTR(data, data_end, off, 20);
	__u32 hlen;
	__u16 frag;

	if (!ip) {
		key->parse_flags |= XVS_PF_L3_TRUNC;
		return;
	}
	hlen = ip->ihl * 4;
	if (ip->version != 4 || hlen < 20 || bpf_ntohs(ip->tot_len) < hlen) {
		key->parse_flags |= XVS_PF_L3_BAD;
		return;
	}
	if (off + hlen > pkt_len) {
		key->parse_flags |= XVS_PF_L3_TRUNC;
		return;
	}
	key->nw_src[0] = ip->saddr;
	key->nw_dst[0] = ip->daddr;
	key->nw_proto = ip->protocol;
	key->nw_tos = ip->tos;
	key->nw_ttl = ip->ttl;
	pi->nw_proto = ip->protocol;
	frag = bpf_ntohs(ip->frag_off);
	if (frag & 0x3fff)
		key->nw_frag |= XVS_FRAG_ANY;
	if (frag & 0x1fff) {
		key->nw_frag |= XVS_FRAG_LATER;
		return;
	}
	parse_l4(data, data_end, pkt_len, off + hlen, 0, key, pi);
}

static __always_inline void parse_ipv6(void *data, void *data_end, __u32 pkt_len, __u32 off,
				       struct xvs_flow_key *key, struct parse_info *pi)
{
	struct ipv6hdr *ip6 = PKT_PTR(data, data_end, off, 40);
	__u32 w;
	__u8 nh;

	if (!ip6) {
		key->parse_flags |= XVS_PF_L3_TRUNC;
		return;
	}
	w = bpf_ntohl(*(__be32 *)ip6);
	if ((w >> 28) != 6) {
		key->parse_flags |= XVS_PF_L3_BAD;
		return;
	}
	key->nw_tos = (w >> 20) & 0xff;
	key->ipv6_label = bpf_htonl(w & 0xfffff);
	key->nw_ttl = ip6->hop_limit;
	__builtin_memcpy(key->nw_src, &ip6->saddr, 16);
	__builtin_memcpy(key->nw_dst, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	off += 40;

#pragma unroll
	for (int i = 0; i < XVS_IPV6_MAX_EXT; i++) {
		__u8 *e;
		__u32 len;

		if (!ipv6_is_ext(nh))
			break;
		if (nh == IPPROTO_FRAGMENT) {
			e = PKT_PTR(data, data_end, off, 8);
			if (!e) {
				key->parse_flags |= XVS_PF_EXT_TRUNC;
				return;
			}
			key->nw_frag |= XVS_FRAG_ANY;
			if (rd16(e + 2) & 0xfff8)
				key->nw_frag |= XVS_FRAG_LATER;
			len = 8;
		} else {
			e = PKT_PTR(data, data_end, off, 2);
			if (!e) {
				key->parse_flags |= XVS_PF_EXT_TRUNC;
				return;
			}
			len = nh == IPPROTO_AH ? ((__u32)e[1] + 2) * 4 : ((__u32)e[1] + 1) * 8;
			if (off + len > pkt_len) {
				key->parse_flags |= XVS_PF_EXT_TRUNC;
				return;
			}
		}
		nh = e[0];
		off += len;
	}
	key->nw_proto = nh;
	pi->nw_proto = nh;
	if (ipv6_is_ext(nh)) {
		key->parse_flags |= XVS_PF_EXT_LIMIT;
		return;
	}
	if (key->nw_frag & XVS_FRAG_LATER)
		return;
	parse_l4(data, data_end, pkt_len, off, 1, key, pi);
}

/*
 * Fills key (zeroed by the caller, with in_port and recirc_id set). In TC,
 * tags_in_meta is 1 when the kernel already moved the outer VLAN tag into
 * the skb and the caller has put it in key->vlan_tpid/vlan_tci.
 */
static __always_inline void flow_extract(void *data, void *data_end, int tags_in_meta,
					 struct xvs_flow_key *key, struct parse_info *pi)
{
	__u32 pkt_len = data_end - data;
	__u32 off = ETH_HLEN;
	struct ethhdr *eth = PKT_PTR(data, data_end, 0, ETH_HLEN);
	int ntags = tags_in_meta;
	__u16 type;

	if (!eth) {
		key->parse_flags |= XVS_PF_L2_TRUNC;
		return;
	}
	__builtin_memcpy(key->eth_dst, eth->h_dest, 6);
	__builtin_memcpy(key->eth_src, eth->h_source, 6);
	type = bpf_ntohs(eth->h_proto);

#pragma unroll
	for (int i = 0; i < 2; i++) {
		__u8 *tag;
		__u16 tci;

		if (!is_vlan_tpid(type) || ntags >= 2)
			break;
		tag = PKT_PTR(data, data_end, off, VLAN_HLEN);
		if (!tag) {
			key->parse_flags |= XVS_PF_VLAN_TRUNC;
			return;
		}
		tci = rd16(tag) | VLAN_CFI;
		if (ntags == 0) {
			key->vlan_tpid = bpf_htons(type);
			key->vlan_tci = bpf_htons(tci);
		} else {
			key->cvlan_tpid = bpf_htons(type);
			key->cvlan_tci = bpf_htons(tci);
		}
		ntags++;
		type = rd16(tag + 2);
		off += VLAN_HLEN;
	}
	if (is_vlan_tpid(type)) {
		key->parse_flags |= XVS_PF_VLAN_EXTRA;
		key->eth_type = bpf_htons(type);
		return;
	}
	if (type < ETH_P_802_3_MIN) {
		__u8 *snap = PKT_PTR(data, data_end, off, 8);

		if (!snap || snap[0] != 0xaa || snap[1] != 0xaa || snap[2] != 0x03 || snap[3] ||
		    snap[4] || snap[5]) {
			key->eth_type = bpf_htons(ETH_TYPE_NONE);
			return;
		}
		type = rd16(snap + 6);
		off += 8;
	}
	key->eth_type = bpf_htons(type);
	pi->eth_type = type;
	pi->l3_off = off;

	if (type == ETH_P_ARP || type == ETH_P_RARP) {
		__u8 *a = PKT_PTR(data, data_end, off, 28);
		__u16 op;

		if (!a) {
			key->parse_flags |= XVS_PF_L3_TRUNC;
			return;
		}
		if (rd16(a) != 1 || rd16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4)
			return;
		op = rd16(a + 6);
		key->nw_proto = op <= 255 ? op : 0;
		__builtin_memcpy(key->arp_sha, a + 8, 6);
		__builtin_memcpy(key->nw_src, a + 14, 4);
		__builtin_memcpy(key->arp_tha, a + 18, 6);
		__builtin_memcpy(key->nw_dst, a + 24, 4);
	} else if (type == ETH_P_IP) {
		parse_ipv4(data, data_end, pkt_len, off, key, pi);
	} else if (type == ETH_P_IPV6) {
		parse_ipv6(data, data_end, pkt_len, off, key, pi);
	}
}

#endif
