// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The xvs datapath: entry programs. Each is thin: parse, look up, act.
 *
 *   xvs_xdp_rx      XDP entry of a port
 *   xvs_tc_rx       tcx ingress entry of a port (also runs what XDP punts)
 *   xvs_xdp_recirc  recirculation stage (tail call target), XDP
 *   xvs_tc_recirc   recirculation stage, TC
 *   xvs_xdp_exec    executes an action list for userspace (BPF_PROG_RUN)
 */
#include "lib/actions.h"
#include "lib/megaflow.h"
#include "lib/parse.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Never called. These ABI types are only reached through ring buffer or
 * packet pointers, so without this they would be missing from the object's
 * BTF, where bpftool and the ABI layout test (tests/unit/abi_btf_test) look
 * for them. */
__attribute__((used)) __noinline int xvs_btf_anchors(struct xvs_upcall *u, struct xvs_exec_hdr *h)
{
	return u && h;
}

static __always_inline void extract(void *ctx, const bool xdp, struct xvs_pcpu *pc, __u32 in_port,
				    __u32 recirc_id)
{
	int tags_in_meta = 0;

	__builtin_memset(&pc->key, 0, sizeof(pc->key));
	__builtin_memset(&pc->pi, 0, sizeof(pc->pi));
	pc->key.in_port = in_port;
	pc->key.recirc_id = recirc_id;
	if (!xdp) {
		struct __sk_buff *skb = ctx;

		if (skb->vlan_present) {
			pc->key.vlan_tpid = (__be16)skb->vlan_proto;
			pc->key.vlan_tci = bpf_htons((__u16)skb->vlan_tci | VLAN_CFI);
			tags_in_meta = 1;
		}
	}
	flow_extract(ctx_data(ctx, xdp), ctx_data_end(ctx, xdp), tags_in_meta, &pc->key, &pc->pi);
}

static __always_inline void state_init(struct act_state *s, struct xvs_pcpu *pc)
{
	s->in_port = pc->key.in_port;
	s->l3_off = pc->pi.l3_off;
	s->l4_off = pc->pi.l4_off;
	s->eth_type = pc->pi.eth_type;
	s->nw_proto = pc->pi.nw_proto;
	s->frag_later = !!(pc->key.nw_frag & XVS_FRAG_LATER);
}

static __always_inline int recirculate(void *ctx, const bool xdp, struct xvs_pcpu *pc,
				       struct act_state *s, struct xvs_cpu_stats *st)
{
	if (pc->depth >= XVS_MAX_RECIRC) {
		count_drop(st, XVS_DROP_RECIRC_LOOP);
		return verdict_drop(xdp);
	}
	pc->depth++;
	pc->recirc_id = s->recirc_id;
	pc->in_port = s->in_port;
	count(st, XVS_CTR_RECIRC);
	if (xdp)
		bpf_tail_call(ctx, &xvs_xdp_tails, XVS_TAIL_RECIRC);
	else
		bpf_tail_call(ctx, &xvs_tc_tails, XVS_TAIL_RECIRC);
	count_drop(st, XVS_DROP_TAIL_CALL);
	return verdict_drop(xdp);
}

/* XDP: hands the packet to the tcx entry of the same port, which runs the
 * whole lookup again, or, after a recirculation, resumes at it. */
static __always_inline int punt_to_tc(struct xdp_md *ctx, struct xvs_pcpu *pc, __u32 recirc_id,
				      struct xvs_cpu_stats *st)
{
	count(st, XVS_CTR_PUNT_TC);
	if (recirc_id) {
		struct xvs_xdp_meta *m;
		void *data;

		if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
			count_drop(st, XVS_DROP_TAIL_CALL);
			return XDP_DROP;
		}
		m = (void *)(long)ctx->data_meta;
		data = (void *)(long)ctx->data;
		if ((void *)(m + 1) > data)
			return XDP_DROP;
		m->magic = XVS_XDP_META_MAGIC;
		m->ifindex = ctx->ingress_ifindex;
		m->recirc_id = recirc_id;
		m->depth = pc->depth;
	}
	return XDP_PASS;
}

static __always_inline int pipeline(void *ctx, const bool xdp, __u32 in_port, __u32 recirc_id)
{
	struct xvs_cpu_stats *st = stats_get();
	struct xvs_pcpu *pc = pcpu_get();
	struct act_state s = {};
	struct xvs_megaflow *mf;
	int r;

	if (!pc)
		return verdict_drop(xdp);
	ctx_pull(ctx, xdp);
	extract(ctx, xdp, pc, in_port, recirc_id);

	mf = mf_lookup(st, pc);
	if (!mf) {
		count(st, XVS_CTR_MISS);
		r = upcall_miss(ctx, xdp, pc);
		if (r >= 0)
			count_drop(st, r);
		else
			count(st, XVS_CTR_UPCALL);
		return verdict_drop(xdp);
	}
	count(st, XVS_CTR_HIT);
	if (xdp && (mf->actions.flags & XVS_AL_NEEDS_SKB))
		return punt_to_tc(ctx, pc, recirc_id, st);
	mf_credit(mf, ctx_len(ctx, xdp), pc->key.tcp_flags);

	state_init(&s, pc);
	r = run_actions(ctx, xdp, &mf->actions, &s, XVS_MAX_ACTIONS);
	if (r == ACT_STOP) {
		count_drop(st, s.drop);
		return verdict_drop(xdp);
	}
	if (r == ACT_RECIRC)
		return recirculate(ctx, xdp, pc, &s, st);
	return send_final(ctx, xdp, &s, st);
}

static __always_inline int rx(void *ctx, const bool xdp)
{
	struct xvs_cpu_stats *st = stats_get();
	struct xvs_pcpu *pc = pcpu_get();
	__u32 ifindex = ctx_ifindex(ctx, xdp);
	__u32 *port = bpf_map_lookup_elem(&xvs_ifindex_ports, &ifindex);

	count(st, XVS_CTR_RX);
	if (!port || !pc) {
		/* Not (or no longer) one of our ports: leave it to the stack. */
		count_drop(st, XVS_DROP_NOT_PORT);
		return verdict_pass(xdp);
	}
	pc->depth = 0;
	return pipeline(ctx, xdp, *port, 0);
}

SEC("xdp")
int xvs_xdp_rx(struct xdp_md *ctx)
{
	return rx(ctx, true);
}

SEC("tc")
int xvs_tc_rx(struct __sk_buff *ctx)
{
	struct xvs_xdp_meta *m = (void *)(long)ctx->data_meta;
	struct xvs_pcpu *pc;
	__u32 recirc_id, *port, ifindex = ctx->ifindex;

	/* A recirculated packet the XDP entry handed over resumes here. */
	if ((void *)(m + 1) <= (void *)(long)ctx->data && m->magic == XVS_XDP_META_MAGIC &&
	    m->ifindex == ifindex) {
		m->magic = 0;
		recirc_id = m->recirc_id;
		pc = pcpu_get();
		port = bpf_map_lookup_elem(&xvs_ifindex_ports, &ifindex);
		if (pc && port) {
			pc->depth = m->depth;
			return pipeline(ctx, false, *port, recirc_id);
		}
	}
	return rx(ctx, false);
}

SEC("xdp")
int xvs_xdp_recirc(struct xdp_md *ctx)
{
	struct xvs_pcpu *pc = pcpu_get();

	if (!pc)
		return XDP_DROP;
	return pipeline(ctx, true, pc->in_port, pc->recirc_id);
}

SEC("tc")
int xvs_tc_recirc(struct __sk_buff *ctx)
{
	struct xvs_pcpu *pc = pcpu_get();

	if (!pc)
		return TC_ACT_SHOT;
	return pipeline(ctx, false, pc->in_port, pc->recirc_id);
}

/*
 * Userspace execution: the frame starts with struct xvs_exec_hdr naming an
 * exec slot and where to stop. The header is stripped, the slot's actions
 * before stop_at run with outputs and upcalls skipped, and the edited frame
 * comes back (XDP_PASS) for userspace to transmit. XDP_DROP: the actions
 * dropped it (or the request was bad).
 */
SEC("xdp")
int xvs_xdp_exec(struct xdp_md *ctx)
{
	struct xvs_cpu_stats *st = stats_get();
	struct xvs_pcpu *pc = pcpu_get();
	struct act_state s = {};
	struct xvs_exec_hdr hdr;
	struct xvs_exec *ex;
	int r;

	count(st, XVS_CTR_EXEC);
	if (!pc || bpf_xdp_load_bytes(ctx, 0, &hdr, sizeof(hdr)) ||
	    bpf_xdp_adjust_head(ctx, sizeof(hdr))) {
		count_drop(st, XVS_DROP_EXEC);
		return XDP_DROP;
	}
	ex = bpf_map_lookup_elem(&xvs_exec_slots, &hdr.slot);
	if (!ex) {
		count_drop(st, XVS_DROP_EXEC);
		return XDP_DROP;
	}
	extract(ctx, true, pc, ex->in_port, 0);
	state_init(&s, pc);
	s.exec = 1;
	r = run_actions(ctx, true, &ex->actions, &s, hdr.stop_at);
	if (r == ACT_STOP) {
		count_drop(st, s.drop);
		return XDP_DROP;
	}
	return XDP_PASS;
}
