/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Token-bucket meters shared by all CPUs (spin-locked). */
#ifndef XVS_BPF_METER_H
#define XVS_BPF_METER_H

#include "maps.h"

/* True when the packet is within the meter's band (or the meter is unset).
 * Units: kbit/s meters count millibits, packet meters micro-packets; both
 * gain elapsed_ns * rate / 1000 units per ns and hold burst * 1e6. */
static __always_inline bool meter_pass(__u32 id, __u32 len)
{
	struct xvs_meter *m = bpf_map_lookup_elem(&xvs_meters, &id);
	__u64 now = bpf_ktime_get_ns();
	__u64 cost, elapsed, cap;
	bool ok;

	if (!m || !m->rate)
		return true;
	cost = (m->flags & XVS_METER_F_PKTS) ? 1000000ULL : (__u64)len * 8 * 1000;
	bpf_spin_lock(&m->lock);
	elapsed = now > m->last_ns ? now - m->last_ns : 0;
	if (elapsed > 10000000000ULL)
		elapsed = 10000000000ULL;
	m->last_ns = now;
	cap = m->burst * 1000000ULL;
	m->tokens += elapsed * m->rate / 1000;
	if (m->tokens > cap)
		m->tokens = cap;
	ok = m->tokens >= cost;
	if (ok) {
		m->tokens -= cost;
		m->passed++;
	} else {
		m->dropped++;
	}
	bpf_spin_unlock(&m->lock);
	return ok;
}

#endif
