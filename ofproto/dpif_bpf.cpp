// The kernel BPF datapath behind the Dpif interface.
#include "ofproto/dpif.h"

namespace xvs::ofproto {

namespace {

class DpifBpf final : public Dpif {
public:
    explicit DpifBpf(std::unique_ptr<loader::Datapath> dp) : dp_(std::move(dp)), upcalls_(dp_->upcalls()) {}

    std::string name() const override { return dp_->name(); }
    std::string type() const override { return "system"; }

    Result<uint32_t> add_port(const std::string& ifname) override {
        loader::PortSpec spec;
        spec.ifname = ifname;
        return dp_->add_port(spec);
    }
    Status del_port(uint32_t port_no) override { return dp_->del_port(port_no); }
    std::vector<DpPort> ports() const override {
        std::vector<DpPort> v;
        for (const auto& p : dp_->ports()) v.push_back(DpPort{p.port_no, p.ifname});
        return v;
    }
    Status put_flow(const xvs_flow_key& key, const xvs_flow_key& mask, const xvs_action_list& actions,
                    PutMode mode) override {
        return dp_->put_flow(key, mask, actions, mode);
    }
    Status del_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_flow_stats* last) override {
        return dp_->del_flow(key, mask, last);
    }
    std::vector<FlowEntry> dump_flows() const override { return dp_->dump_flows(); }
    Status for_each_flow(const std::function<void(const FlowEntry&)>& fn) const override {
        return dp_->for_each_flow(fn);
    }
    Status flush_flows() override { return dp_->flush_flows(); }
    size_t n_masks() const override { return dp_->masks().size(); }
    Status rank_masks() override { return dp_->rank_masks(); }
    DpStats stats() const override { return dp_->stats(); }
    Status set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets) override {
        return dp_->set_meter(id, rate, burst, packets);
    }
    std::optional<MeterCounts> meter_counts(uint32_t id) const override {
        auto m = dp_->meter(id);
        if (!m || !m->rate) return std::nullopt;
        return MeterCounts{m->passed, m->dropped};
    }
    Result<int> execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions,
                        const UserspaceFn& userspace) override {
        return dp_->execute(in_port, packet, actions, userspace);
    }
    int upcall_fd() const override { return upcalls_ && upcalls_->ok() ? upcalls_->fd() : -1; }
    int recv_upcalls(size_t max, const std::function<void(const Upcall&)>& fn) override {
        if (!upcalls_ || !upcalls_->ok()) return -1;
        // The ring buffer hands out everything pending; 'max' bounds a
        // batch only loosely (ring_buffer__poll has no count limit).
        (void)max;
        return upcalls_->poll(0, fn);
    }

private:
    std::unique_ptr<loader::Datapath> dp_;
    std::unique_ptr<loader::UpcallReader> upcalls_;
};

}  // namespace

Result<std::unique_ptr<Dpif>> open_bpf_dpif(const std::string& name, bool* created) {
    *created = false;
    if (!loader::Datapath::exists(name)) {
        // Room for Open vSwitch's default flow-limit (200000) in every
        // megaflow table; the tables allocate entries as they fill.
        loader::CreateOptions o;
        o.max_flows = 262144;
        if (auto s = loader::Datapath::create(name, o); !s) return s.error();
        *created = true;
    }
    auto dp = loader::Datapath::open(name);
    if (!dp) return dp.error();
    std::unique_ptr<Dpif> d = std::make_unique<DpifBpf>(std::move(*dp));
    if (d->upcall_fd() < 0) return make_error("cannot read upcalls of datapath {}", name);
    return d;
}

}  // namespace xvs::ofproto
