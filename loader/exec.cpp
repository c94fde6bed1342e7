// Userspace execution of an action list on a packet (the first packet of a
// flow, packet-outs). The datapath's own action code does the rewriting:
// the xvs_xdp_exec program runs under BPF_PROG_RUN once per output and
// returns the packet as edited up to that output; the copy is then sent
// from userspace on the output device. This keeps one implementation of
// every header edit and works for every port, whatever its hook.
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "loader/datapath.h"

namespace xvs::loader {

namespace {

constexpr size_t kMaxExecPacket = 9216;

Status send_on(int sock, uint32_t ifindex, const uint8_t* data, size_t len) {
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = static_cast<int>(ifindex);
    sll.sll_halen = ETH_ALEN;
    if (len >= ETH_ALEN) std::memcpy(sll.sll_addr, data, ETH_ALEN);
    if (sendto(sock, data, len, 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0)
        return make_error("send on ifindex {} failed: {}", ifindex, errno_str(errno));
    return {};
}

// Whether a sample action of probability 'p' (of 2^32, all ones: always)
// takes this packet, drawn as the datapath draws.
bool sample_picks(uint32_t p) {
    static thread_local std::mt19937 rng{std::random_device{}()};
    return p == 0xffffffff || static_cast<uint32_t>(rng()) < p;
}

}  // namespace

std::optional<uint32_t> Datapath::port_ifindex(uint32_t port_no) {
    if (exclusive())
        if (auto it = port_ifindex_.find(port_no); it != port_ifindex_.end()) return it->second;
    auto rec = ports_.lookup(port_no);
    if (!rec || !(rec->flags & XVS_PORT_F_IN_USE)) return std::nullopt;
    if (exclusive()) port_ifindex_[port_no] = rec->ifindex;
    return rec->ifindex;
}

Result<int> Datapath::execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions,
                              const ActionFn& userspace) {
    if (packet.size() < ETH_HLEN || packet.size() > kMaxExecPacket)
        return make_error("packet length {} is out of range ({}-{})", packet.size(), ETH_HLEN, kMaxExecPacket);
    if (actions.n > XVS_MAX_ACTIONS) return make_error("at most {} actions", XVS_MAX_ACTIONS);
    for (uint32_t i = 0; i < actions.n; i++)
        if (actions.a[i].type == XVS_ACT_RECIRC)
            return make_error("execute: recirculation is not supported for packets executed from userspace");

    if (!exec_sock_.valid()) {
        exec_sock_ = UniqueFd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
        if (!exec_sock_.valid()) return make_error("cannot open packet socket: {}", errno_str(errno));
    }
    // Outputs alone edit nothing: the packet goes out as it is, without a
    // run of the exec program (the commonest first packet).
    bool outputs_only = actions.n > 0;
    for (uint32_t i = 0; i < actions.n; i++) outputs_only = outputs_only && actions.a[i].type == XVS_ACT_OUTPUT;
    if (outputs_only) {
        int sent = 0;
        for (uint32_t i = 0; i < actions.n; i++) {
            auto ifindex = port_ifindex(actions.a[i].arg);
            if (!ifindex) continue;
            if (auto s = send_on(exec_sock_.get(), *ifindex, packet.data(), packet.size()); !s) return s.error();
            sent++;
        }
        return sent;
    }

    static thread_local uint32_t tid = static_cast<uint32_t>(syscall(SYS_gettid));
    uint32_t slot = tid % XVS_EXEC_SLOTS;
    xvs_exec ex{};
    ex.in_port = in_port;
    ex.actions = actions;
    // Flows often share an action list: skip rewriting an unchanged slot.
    auto written = exec_written_.find(slot);
    if (!exclusive() || written == exec_written_.end() || std::memcmp(&written->second, &ex, sizeof ex) != 0) {
        if (auto s = exec_slots_.update(slot, ex); !s) {
            exec_written_.erase(slot);
            return s.error();
        }
        if (exclusive()) exec_written_[slot] = ex;
    }

    std::vector<uint8_t>& in = exec_in_;
    in.resize(sizeof(xvs_exec_hdr) + packet.size());
    std::memcpy(in.data() + sizeof(xvs_exec_hdr), packet.data(), packet.size());
    std::vector<uint8_t>& out = exec_out_;
    out.resize(packet.size() + 64 * XVS_MAX_ACTIONS);
    int sent = 0;
    for (uint32_t i = 0; i < actions.n; i++) {
        const xvs_action& a = actions.a[i];
        bool user = userspace && (a.type == XVS_ACT_USERSPACE || (a.type == XVS_ACT_SAMPLE && sample_picks(a.arg)));
        if (a.type != XVS_ACT_OUTPUT && a.type != XVS_ACT_FLOOD && !user) continue;
        xvs_exec_hdr hdr{slot, i};
        std::memcpy(in.data(), &hdr, sizeof hdr);
        LIBBPF_OPTS(bpf_test_run_opts, run, .data_in = in.data(), .data_out = out.data(),
                    .data_size_in = static_cast<__u32>(in.size()), .data_size_out = static_cast<__u32>(out.size()),
                    .repeat = 1);
        if (bpf_prog_test_run_opts(prog_exec_.get(), &run))
            return make_error("execute: BPF_PROG_RUN failed: {}", errno_str(errno));
        if (run.retval != XDP_PASS) return sent;  // an action dropped it
        if (user) {
            userspace(a, std::span<const uint8_t>(out.data(), run.data_size_out));
            continue;
        }
        std::vector<uint32_t> targets;
        if (a.type == XVS_ACT_OUTPUT) {
            auto ifindex = port_ifindex(a.arg);
            if (!ifindex) continue;
            targets.push_back(*ifindex);
        } else if (auto d = flood_domain(a.arg)) {
            for (uint32_t k = 0; k < d->n && k < XVS_MAX_FLOOD_PORTS; k++) {
                if (d->ports[k] == in_port) continue;
                auto rec = ports_.lookup(d->ports[k]);
                if (rec && (rec->flags & XVS_PORT_F_IN_USE)) targets.push_back(rec->ifindex);
            }
        }
        for (uint32_t ifindex : targets) {
            if (auto s = send_on(exec_sock_.get(), ifindex, out.data(), run.data_size_out); !s) return s.error();
            sent++;
        }
    }
    return sent;
}

}  // namespace xvs::loader
