// Live forwarding measurements with the benchmark BPF programs: the
// in-kernel live-frames generator (bench_gen, BPF_F_TEST_XDP_LIVE_FRAMES)
// transmits a frame into a veth, counting XDP sinks (bench_sink) count
// what arrives behind the path under test.
#pragma once

#include "bench/bench_common.h"
#include "xvs_bench.skel.h"

namespace xvs::bench {

// Frames the sinks counted so far, all CPUs.
inline uint64_t sink_count(xvs_bench* skel) {
    uint32_t zero = 0;
    std::vector<uint64_t> per(static_cast<size_t>(libbpf_num_possible_cpus()));
    bpf_map_lookup_elem(bpf_map__fd(skel->maps.bench_count), &zero, per.data());
    uint64_t sum = 0;
    for (auto v : per) sum += v;
    return sum;
}

// Mpps of 'frames' copies of 'f' transmitted into device 'target' that
// reach a sink.
inline double live_mpps(xvs_bench* skel, uint32_t target, const std::vector<uint8_t>& f, uint32_t frames) {
    uint32_t slot = 1;
    bpf_map_update_elem(bpf_map__fd(skel->maps.bench_ifindex), &slot, &target, BPF_ANY);
    xdp_md ctx{};
    ctx.data_end = static_cast<__u32>(f.size());
    ctx.ingress_ifindex = ifindex("lo");
    LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f.data(), .data_size_in = static_cast<__u32>(f.size()),
                .ctx_in = &ctx, .ctx_size_in = sizeof ctx, .repeat = static_cast<int>(frames),
                .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
    uint64_t before = sink_count(skel);
    uint64_t t0 = now_ns();
    if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench_gen), &o))
        die(std::string("live BPF_PROG_RUN: ") + std::strerror(errno));
    double dt = double(now_ns() - t0) / 1e9;
    return double(sink_count(skel) - before) / dt / 1e6;
}

inline void attach_xdp(bpf_program* prog, const char* dev, std::vector<bpf_link*>& links) {
    bpf_link* l = bpf_program__attach_xdp(prog, static_cast<int>(ifindex(dev)));
    if (!l) die(std::string("cannot attach XDP to ") + dev);
    links.push_back(l);
}

}  // namespace xvs::bench
