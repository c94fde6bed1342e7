/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Executing a megaflow's encoded action list.
 *
 * Each action runs in a global (separately verified) function per hook,
 * so the verifier checks the action code once rather than once per loop
 * iteration and path. Outputs are deferred: an output is sent when the
 * next action would change the packet, or at the end. XDP sends a packet
 * once, so lists with more than that carry XVS_AL_NEEDS_SKB and are run by
 * the TC entry, which clones.
 */
#ifndef XVS_BPF_ACTIONS_H
#define XVS_BPF_ACTIONS_H

#include "edit.h"
#include "meter.h"
#include "upcall.h"

#define ACT_NEXT 0
#define ACT_STOP 1   /* drop; reason in state.drop */
#define ACT_RECIRC 2 /* recirculate with state.recirc_id */
#define ACT_END 3    /* list done */

static __always_inline int stop(struct act_state *s, enum xvs_drop_reason r)
{
	s->drop = r;
	return ACT_STOP;
}

static __always_inline struct xvs_port *port_get(__u32 port_no)
{
	struct xvs_port *p = bpf_map_lookup_elem(&xvs_ports, &port_no);

	return p && (p->flags & XVS_PORT_F_IN_USE) ? p : NULL;
}

/* TC: sends every member of a flood domain but the ingress port a copy;
 * with last_redirects, the last member gets the packet itself. Returns the
 * ifindex for that final redirect, 0 if there is none, -1 (counted) if the
 * domain does not exist. */
static __always_inline long tc_flood(struct __sk_buff *skb, struct act_state *s, __u32 domain,
				     bool last_redirects)
{
	struct xvs_flood_domain *d = bpf_map_lookup_elem(&xvs_flood_domains, &domain);
	struct xvs_cpu_stats *st = stats_get();
	__u32 prev = 0;

	if (!d || !(d->flags & XVS_FD_F_EXISTS)) {
		count_drop(st, XVS_DROP_BAD_DOMAIN);
		return -1;
	}
	for (int i = 0; i < XVS_MAX_FLOOD_PORTS; i++) {
		struct xvs_port *p;

		if (i >= d->n)
			break;
		if (d->ports[i] == s->in_port)
			continue;
		p = port_get(d->ports[i]);
		if (!p)
			continue;
		if (prev && bpf_clone_redirect(skb, prev, 0))
			count_drop(st, XVS_DROP_REDIRECT);
		prev = p->ifindex;
	}
	if (prev && !last_redirects) {
		if (bpf_clone_redirect(skb, prev, 0))
			count_drop(st, XVS_DROP_REDIRECT);
		prev = 0;
	}
	return prev;
}

/* TC: sends the deferred output as a copy. */
static __always_inline void tc_flush(struct __sk_buff *skb, struct act_state *s)
{
	if (s->pending == XVS_ACT_OUTPUT) {
		struct xvs_port *p = port_get(s->pending_arg);

		if (!p)
			count_drop(stats_get(), XVS_DROP_BAD_PORT);
		else if (bpf_clone_redirect(skb, p->ifindex, 0))
			count_drop(stats_get(), XVS_DROP_REDIRECT);
	} else if (s->pending == XVS_ACT_FLOOD) {
		tc_flood(skb, s, s->pending_arg, false);
	}
	s->pending = 0;
}

/* XDP: whether a flood domain has a member other than the ingress port. */
static __always_inline bool flood_has_target(const struct xvs_flood_domain *d, __u32 in_port)
{
	for (int i = 0; i < XVS_MAX_FLOOD_PORTS; i++) {
		if (i >= d->n)
			break;
		if (d->ports[i] != in_port)
			return true;
	}
	return false;
}

static __always_inline int act_edit(void *ctx, const bool xdp, const struct xvs_action *a,
				    struct act_state *s)
{
	bool v4 = s->eth_type == ETH_P_IP, v6 = s->eth_type == ETH_P_IPV6;
	int r = 0;

	s->edited = 1;
	switch (a->type) {
	case XVS_ACT_PUSH_VLAN:
		return edit_push_vlan(ctx, xdp, s, a) ? stop(s, XVS_DROP_VLAN) : ACT_NEXT;
	case XVS_ACT_POP_VLAN:
		return edit_pop_vlan(ctx, xdp, s) ? stop(s, XVS_DROP_VLAN) : ACT_NEXT;
	case XVS_ACT_SET_ETH_SRC:
		return pkt_store(ctx, xdp, 6, (void *)a->u.mac, 6) ? stop(s, XVS_DROP_EDIT) : ACT_NEXT;
	case XVS_ACT_SET_ETH_DST:
		return pkt_store(ctx, xdp, 0, (void *)a->u.mac, 6) ? stop(s, XVS_DROP_EDIT) : ACT_NEXT;
	}
	if (!s->l3_off)
		return stop(s, XVS_DROP_EDIT);
	switch (a->type) {
	case XVS_ACT_SET_IPV4_SRC:
	case XVS_ACT_SET_IPV4_DST:
		if (!v4)
			return stop(s, XVS_DROP_EDIT);
		r = edit_ip_addr(ctx, xdp, s, s->l3_off + (a->type == XVS_ACT_SET_IPV4_SRC ? 12 : 16),
				 &a->u.ip4, 4);
		break;
	case XVS_ACT_SET_IPV4_TOS:
		r = v4 ? edit_word(ctx, xdp, s, s->l3_off, 0x00ff, a->u.u8, true, false) : -1;
		break;
	case XVS_ACT_SET_IPV4_TTL:
		r = v4 ? edit_word(ctx, xdp, s, s->l3_off + 8, 0xff00, (__u16)a->u.u8 << 8, true, false) : -1;
		break;
	case XVS_ACT_SET_IPV6_SRC:
	case XVS_ACT_SET_IPV6_DST:
		if (!v6)
			return stop(s, XVS_DROP_EDIT);
		r = edit_ip_addr(ctx, xdp, s, s->l3_off + (a->type == XVS_ACT_SET_IPV6_SRC ? 8 : 24),
				 a->u.ip6, 16);
		break;
	case XVS_ACT_SET_IPV6_TC:
		r = v6 ? edit_ipv6_tc(ctx, xdp, s, a->u.u8) : -1;
		break;
	case XVS_ACT_SET_IPV6_HLIMIT:
		r = v6 ? (pkt_store(ctx, xdp, s->l3_off + 7, (void *)&a->u.u8, 1) ? -1 : 0) : -1;
		break;
	case XVS_ACT_DEC_TTL:
		if (!v4 && !v6)
			return stop(s, XVS_DROP_EDIT);
		r = edit_dec_ttl(ctx, xdp, s);
		if (r == 1)
			return stop(s, XVS_DROP_TTL);
		break;
	case XVS_ACT_SET_TP_SRC:
	case XVS_ACT_SET_TP_DST:
		/* SCTP's CRC32c cannot be updated incrementally: not supported. */
		if (!s->l4_off || s->frag_later ||
		    (s->nw_proto != IPPROTO_TCP && s->nw_proto != IPPROTO_UDP))
			return stop(s, XVS_DROP_EDIT);
		r = edit_word(ctx, xdp, s, s->l4_off + (a->type == XVS_ACT_SET_TP_SRC ? 0 : 2), 0xffff,
			      bpf_ntohs(a->u.port), false, true);
		break;
	default:
		return stop(s, XVS_DROP_BAD_ACTION);
	}
	return r ? stop(s, XVS_DROP_EDIT) : ACT_NEXT;
}

static __always_inline int act_one(void *ctx, const bool xdp, const struct xvs_action *a,
				   struct act_state *s)
{
	struct xvs_pcpu *pc;

	switch (a->type) {
	case XVS_ACT_OUTPUT:
	case XVS_ACT_FLOOD:
		if (s->exec)
			return ACT_NEXT;
		if (xdp && s->pending)
			return stop(s, XVS_DROP_BAD_ACTION); /* userspace should have set NEEDS_SKB */
		if (!xdp)
			tc_flush(ctx, s);
		s->pending = a->type;
		s->pending_arg = a->arg;
		return ACT_NEXT;
	case XVS_ACT_DROP:
		return stop(s, XVS_DROP_ACTION);
	case XVS_ACT_METER:
		if (s->exec || meter_pass(a->arg, ctx_len(ctx, xdp)))
			return ACT_NEXT;
		return stop(s, XVS_DROP_METER);
	case XVS_ACT_USERSPACE:
	case XVS_ACT_SAMPLE:
		if (s->exec)
			return ACT_NEXT;
		if (a->type == XVS_ACT_SAMPLE && a->arg != 0xffffffff && bpf_get_prandom_u32() >= a->arg)
			return ACT_NEXT;
		pc = pcpu_get();
		if (!pc)
			return ACT_NEXT;
		if (upcall_send(ctx, xdp, a->type == XVS_ACT_USERSPACE ? XVS_UPCALL_ACTION : XVS_UPCALL_SAMPLE,
				s->in_port, a->u.cookie, a->arg, &pc->key)) {
			struct xvs_cpu_stats *st = stats_get();

			count_drop(st, a->type == XVS_ACT_USERSPACE ? XVS_DROP_UPCALL_RINGBUF
								    : XVS_DROP_SAMPLE_RINGBUF);
		} else if (a->type == XVS_ACT_USERSPACE) {
			s->upcalled = 1;
		} else {
			count(stats_get(), XVS_CTR_SAMPLE);
		}
		return ACT_NEXT;
	case XVS_ACT_RECIRC:
		if (s->exec)
			return ACT_END;
		if (xdp && s->pending)
			return stop(s, XVS_DROP_BAD_ACTION);
		if (!xdp)
			tc_flush(ctx, s);
		s->recirc_id = a->arg;
		return ACT_RECIRC;
	}
	if (xdp && s->pending)
		return stop(s, XVS_DROP_BAD_ACTION);
	if (!xdp)
		tc_flush(ctx, s);
	return act_edit(ctx, xdp, a, s);
}

/* One action each; global so each is verified once. */
__noinline int xvs_act_xdp(struct xdp_md *ctx, const struct xvs_action *a, struct act_state *s)
{
	if (!ctx || !a || !s)
		return ACT_STOP;
	return act_one(ctx, true, a, s);
}

__noinline int xvs_act_tc(struct __sk_buff *ctx, const struct xvs_action *a, struct act_state *s)
{
	if (!ctx || !a || !s)
		return ACT_STOP;
	return act_one(ctx, false, a, s);
}

/* Runs actions [0, limit) of the list. */
static __always_inline int run_actions(void *ctx, const bool xdp, struct xvs_action_list *al,
				       struct act_state *s, __u32 limit)
{
	for (__u32 i = 0; i < XVS_MAX_ACTIONS; i++) {
		int r;

		if (i >= al->n || i >= limit)
			break;
		r = xdp ? xvs_act_xdp(ctx, &al->a[i], s) : xvs_act_tc(ctx, &al->a[i], s);
		if (r != ACT_NEXT)
			return r;
	}
	return ACT_END;
}

/* Sends the deferred output at the end of the list; returns the verdict. */
static __always_inline int send_final(void *ctx, const bool xdp, struct act_state *s,
				      struct xvs_cpu_stats *st)
{
	if (s->pending == XVS_ACT_OUTPUT) {
		struct xvs_port *p = port_get(s->pending_arg);

		if (!p) {
			count_drop(st, XVS_DROP_BAD_PORT);
			return verdict_drop(xdp);
		}
		if (xdp && !(p->flags & XVS_PORT_F_XDP_TX)) {
			/* The device would drop an XDP frame. Userspace marks
			 * such lists XVS_AL_NEEDS_SKB, so they start in TC;
			 * handing this one over now would run it twice. */
			count_drop(st, XVS_DROP_REDIRECT);
			return XDP_DROP;
		}
		return bpf_redirect(p->ifindex, 0);
	}
	if (s->pending == XVS_ACT_FLOOD) {
		__u32 domain = s->pending_arg;

		if (xdp) {
			struct xvs_flood_domain *d = bpf_map_lookup_elem(&xvs_flood_domains, &domain);
			void *dm = bpf_map_lookup_elem(&xvs_flood_devmaps, &domain);

			if (!d || !dm || !(d->flags & XVS_FD_F_EXISTS)) {
				count_drop(st, XVS_DROP_BAD_DOMAIN);
				return XDP_DROP;
			}
			if (!flood_has_target(d, s->in_port)) {
				count_drop(st, XVS_DROP_ACTION);
				return XDP_DROP;
			}
			if (!(d->flags & XVS_FD_F_XDP_OK)) {
				count_drop(st, XVS_DROP_REDIRECT); /* as above */
				return XDP_DROP;
			}
			return bpf_redirect_map(dm, 0, BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS);
		} else {
			long ifindex = tc_flood(ctx, s, domain, true);

			if (ifindex == 0)
				count_drop(st, XVS_DROP_ACTION);
			if (ifindex <= 0)
				return TC_ACT_SHOT;
			return bpf_redirect(ifindex, 0);
		}
	}
	if (!s->upcalled)
		count_drop(st, XVS_DROP_ACTION);
	return verdict_drop(xdp);
}

#endif
