// Creating, opening and destroying pinned datapaths, and their ports.
#include "loader/datapath.h"

#include "loader/csum.h"

#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <algorithm>
#include <filesystem>

#include "loader/netdev.h"
#include "xvs_dp.skel.h"

namespace fs = std::filesystem;

namespace xvs::loader {

namespace {

constexpr long kBpfFsMagic = 0xcafe4a11;

// libbpf's messages for the operation in progress, reported on failure.
thread_local std::string libbpf_log;

int libbpf_capture(enum libbpf_print_level level, const char* fmt, va_list ap) {
    if (level == LIBBPF_DEBUG) return 0;
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    libbpf_log += buf;
    if (libbpf_log.size() > 16384) libbpf_log.erase(0, libbpf_log.size() - 16384);
    return 0;
}

struct LibbpfLogScope {
    LibbpfLogScope() {
        libbpf_log.clear();
        libbpf_set_print(libbpf_capture);
    }
};

bool valid_name(const std::string& n) {
    if (n.empty() || n.size() > 32) return false;
    return std::all_of(n.begin(), n.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

Status check_bpffs() {
    struct statfs st {};
    if (statfs("/sys/fs/bpf", &st) != 0 || st.f_type != kBpfFsMagic)
        return make_error("bpffs is not mounted at /sys/fs/bpf (run scripts/setup, or: mount -t bpf bpf /sys/fs/bpf)");
    return {};
}

std::string link_path(const std::string& dir, uint32_t port_no, const char* hook) {
    return fmt::format("{}/links/port{}_{}", dir, port_no, hook);  // bpffs forbids dots in names
}

// The id of the program a pinned link runs, 0 if there is no such link.
uint32_t linked_prog(const std::string& path) {
    UniqueFd fd(bpf_obj_get(path.c_str()));
    if (!fd.valid()) return 0;
    bpf_link_info info{};
    __u32 len = sizeof info;
    if (bpf_link_get_info_by_fd(fd.get(), &info, &len)) return 0;
    return info.prog_id;
}

Result<MapFd> open_map(const std::string& dir, const char* name) {
    return MapFd::open_pinned(fmt::format("{}/maps/{}", dir, name));
}

template <typename M>
Status open_typed(M& out, const std::string& dir, const char* name) {
    auto m = open_map(dir, name);
    if (!m) return m.error();
    auto t = M::open(std::move(*m));
    if (!t) return t.error();
    out = std::move(*t);
    return {};
}

Result<UniqueFd> open_prog(const std::string& dir, const char* name) {
    std::string path = fmt::format("{}/progs/{}", dir, name);
    int fd = bpf_obj_get(path.c_str());
    if (fd < 0) return make_error("cannot open pinned program {}: {}", path, errno_str(errno));
    return UniqueFd(fd);
}

Status pin_objects(xvs_dp* skel, const std::string& dir) {
    bpf_map* map;
    bpf_object__for_each_map(map, skel->obj) {
        std::string path = fmt::format("{}/maps/{}", dir, bpf_map__name(map));
        if (bpf_map__pin(map, path.c_str()))
            return make_error("cannot pin map {}: {}", path, errno_str(errno));
    }
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel->obj) {
        std::string path = fmt::format("{}/progs/{}", dir, bpf_program__name(prog));
        if (bpf_program__pin(prog, path.c_str()))
            return make_error("cannot pin program {}: {}", path, errno_str(errno));
    }
    return {};
}

Status init_maps(xvs_dp* skel, const CreateOptions& o) {
    uint32_t slot = XVS_TAIL_RECIRC;
    int fd = bpf_program__fd(skel->progs.xvs_xdp_recirc);
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_xdp_tails), &slot, &fd, BPF_ANY))
        return make_error("cannot install XDP recirculation stage: {}", errno_str(errno));
    fd = bpf_program__fd(skel->progs.xvs_tc_recirc);
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_tc_tails), &slot, &fd, BPF_ANY))
        return make_error("cannot install TC recirculation stage: {}", errno_str(errno));
    xvs_dp_config cfg{};
    cfg.dedup_us = o.dedup_us;
    uint32_t zero = 0;
    if (bpf_map_update_elem(bpf_map__fd(skel->maps.xvs_config), &zero, &cfg, BPF_ANY))
        return make_error("cannot write datapath config: {}", errno_str(errno));
    return {};
}

}  // namespace

std::string bpffs_root() {
    const char* env = getenv("XVS_BPFFS_ROOT");
    return env && *env ? env : "/sys/fs/bpf/xvs";
}

std::string Datapath::dir() const { return bpffs_root() + "/" + name_; }

bool Datapath::exists(const std::string& name) {
    return valid_name(name) && fs::exists(bpffs_root() + "/" + name + "/maps");
}

std::vector<std::string> Datapath::list() {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(bpffs_root(), ec))
        if (exists(e.path().filename().string())) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

Status Datapath::create(const std::string& name, const CreateOptions& o) {
    if (!valid_name(name))
        return make_error("invalid datapath name '{}' (1-32 letters, digits, '-' or '_')", name);
    if (auto s = check_bpffs(); !s) return s;
    std::string dir = bpffs_root() + "/" + name;
    if (fs::exists(dir)) return make_error("datapath {} already exists", name);
    if (o.max_flows == 0) return make_error("flows must be at least 1");

    LibbpfLogScope log;
    std::unique_ptr<xvs_dp, void (*)(xvs_dp*)> skel(xvs_dp__open(), xvs_dp__destroy);
    if (!skel) return make_error("cannot open the datapath object: {}", errno_str(errno));
    for (bpf_map* t : {skel->maps.xvs_flows_s, skel->maps.xvs_flows_m, skel->maps.xvs_flows_l})
        bpf_map__set_max_entries(t, o.max_flows);
    if (xvs_dp__load(skel.get()))
        return make_error("cannot load the datapath programs: {}\n{}", errno_str(errno), libbpf_log);

    std::error_code ec;
    for (const char* sub : {"maps", "progs", "links"}) fs::create_directories(dir + "/" + sub, ec);
    if (ec) return make_error("cannot create {}: {}", dir, ec.message());
    Status s = pin_objects(skel.get(), dir);
    if (s) s = init_maps(skel.get(), o);
    if (!s) {
        fs::remove_all(dir, ec);
        return s;
    }
    skel.reset();
    auto dp = open(name);
    if (!dp) {
        fs::remove_all(dir, ec);
        return dp.error();
    }
    return (*dp)->set_flood_domain(0, {});
}

Result<std::unique_ptr<Datapath>> Datapath::open(const std::string& name, OpenLock lock) {
    if (!valid_name(name)) return make_error("invalid datapath name '{}'", name);
    if (!exists(name)) return make_error("no datapath named {} (create it with: xvs-dpctl add-dp {})", name, name);
    std::unique_ptr<Datapath> dp(new Datapath());
    dp->name_ = name;
    if (auto s = dp->open_objects(lock); !s) {
        if (!fs::exists(dp->dir() + "/maps/xvs_flows_s"))
            return make_error("datapath {} was created by another version of xvs with a different layout; "
                              "remove it (xvs-dpctl del-dp {}) and create it again", name, name);
        return s.error();
    }
    return dp;
}

Status Datapath::open_objects(OpenLock lock) {
    std::string d = dir();
    // Serialises managers of this datapath (dpctl and the daemon).
    if (lock == OpenLock::Exclusive) {
        lock_fd_.reset(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!lock_fd_.valid()) return make_error("cannot open {}: {}", d, errno_str(errno));
        if (flock(lock_fd_.get(), LOCK_EX) != 0) return make_error("cannot lock {}: {}", d, errno_str(errno));
    }
    Status s;
    {
        auto fs_ = open_map(d, "xvs_flows_s"), fm = open_map(d, "xvs_flows_m"), fl = open_map(d, "xvs_flows_l");
        if (!fs_) return fs_.error();
        if (!fm) return fm.error();
        if (!fl) return fl.error();
        if (s = flows_.open(std::move(*fs_), std::move(*fm), std::move(*fl)); !s) return s;
    }
    if (s = open_typed(masks_, d, "xvs_masks"); !s) return s;
    if (s = open_typed(mask_lists_, d, "xvs_mask_lists"); !s) return s;
    if (s = open_typed(config_, d, "xvs_config"); !s) return s;
    if (s = open_typed(ports_, d, "xvs_ports"); !s) return s;
    if (s = open_typed(ifindex_ports_, d, "xvs_ifindex_ports"); !s) return s;
    if (s = open_typed(stats_, d, "xvs_stats"); !s) return s;
    if (s = open_typed(domains_, d, "xvs_flood_domains"); !s) return s;
    if (s = open_typed(meters_, d, "xvs_meters"); !s) return s;
    if (s = open_typed(exec_slots_, d, "xvs_exec_slots"); !s) return s;
    auto dm = open_map(d, "xvs_flood_devmaps");
    if (!dm) return dm.error();
    devmaps_ = std::move(*dm);
    auto rb = open_map(d, "xvs_upcalls");
    if (!rb) return rb.error();
    upcalls_ = std::move(*rb);
    return open_objects_programs();
}

Status Datapath::open_objects_programs() {
    for (auto [fd, prog] : {std::pair{&prog_xdp_rx_, "xvs_xdp_rx"}, {&prog_tc_rx_, "xvs_tc_rx"},
                            {&prog_exec_, "xvs_xdp_exec"}}) {
        auto p = open_prog(dir(), prog);
        if (!p) return p.error();
        *fd = std::move(*p);
    }
    return {};
}

Status Datapath::destroy(const std::string& name) {
    if (!exists(name)) return make_error("no datapath named {}", name);
    std::string dir = bpffs_root() + "/" + name;
    // Removing the pinned links detaches the ports; this works for a
    // datapath of any version, even one this build cannot open.
    if (auto dp = open(name)) {
        for (const auto& p : (*dp)->ports()) (void)(*dp)->del_port(p.port_no);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) return make_error("cannot remove {}: {}", dir, ec.message());
    return {};
}

Status Datapath::upgrade() {
    LibbpfLogScope log;
    std::unique_ptr<xvs_dp, void (*)(xvs_dp*)> skel(xvs_dp__open(), xvs_dp__destroy);
    if (!skel) return make_error("cannot open the datapath object: {}", errno_str(errno));
    std::string d = dir();
    bpf_map* map;
    std::vector<UniqueFd> reused;
    bpf_object__for_each_map(map, skel->obj) {
        auto old = open_map(d, bpf_map__name(map));
        if (!old) return old.error();
        // The flow tables' size was chosen at add-dp; keep it.
        bpf_map__set_max_entries(map, old->info().max_entries);
        if (bpf_map__reuse_fd(map, old->fd()))
            return make_error("cannot adopt map {}: {}", bpf_map__name(map), errno_str(errno));
    }
    if (xvs_dp__load(skel.get()))
        return make_error("the new programs cannot adopt datapath {} (map layout changed? recreate it with "
                          "del-dp/add-dp): {}\n{}", name_, errno_str(errno), libbpf_log);
    // Tail-call targets first, then each port's entry, each swap atomic.
    uint32_t slot = XVS_TAIL_RECIRC;
    for (auto [tails, prog] : {std::pair{skel->maps.xvs_xdp_tails, skel->progs.xvs_xdp_recirc},
                               {skel->maps.xvs_tc_tails, skel->progs.xvs_tc_recirc}}) {
        int fd = bpf_program__fd(prog);
        if (bpf_map_update_elem(bpf_map__fd(tails), &slot, &fd, BPF_ANY))
            return make_error("cannot install the new recirculation stage: {}", errno_str(errno));
    }
    for (const auto& p : ports()) {
        for (auto [hook, prog] : {std::pair{"xdp", skel->progs.xvs_xdp_rx}, {"tc", skel->progs.xvs_tc_rx}}) {
            std::string path = link_path(d, p.port_no, hook);
            if (!fs::exists(path)) continue;
            UniqueFd link(bpf_obj_get(path.c_str()));
            if (!link.valid()) return make_error("cannot open link {}: {}", path, errno_str(errno));
            if (bpf_link_update(link.get(), bpf_program__fd(prog), nullptr))
                return make_error("cannot swap the program of {}: {}", path, errno_str(errno));
        }
    }
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel->obj) {
        std::string path = fmt::format("{}/progs/{}", d, bpf_program__name(prog));
        ::unlink(path.c_str());
        if (bpf_program__pin(prog, path.c_str()))
            return make_error("cannot pin program {}: {}", path, errno_str(errno));
    }
    return open_objects_programs();
}

// ---- ports ----------------------------------------------------------------

Result<uint32_t> Datapath::port_by_name(const std::string& ifname) const {
    unsigned ifindex = if_nametoindex(ifname.c_str());
    if (ifindex) {
        uint32_t key = ifindex;
        if (auto p = ifindex_ports_.lookup(key)) return *p;
    }
    return make_error("{} is not a port of datapath {}", ifname, name_);
}

std::vector<PortInfo> Datapath::ports() const {
    std::vector<PortInfo> out;
    for (uint32_t i = 0; i < XVS_MAX_PORTS; i++) {
        auto rec = ports_.lookup(i);
        if (!rec || !(rec->flags & XVS_PORT_F_IN_USE)) continue;
        char name[IF_NAMESIZE] = {};
        PortInfo pi{i, if_indextoname(rec->ifindex, name) ? name : "", *rec, linked_prog(link_path(dir(), i, "xdp")),
                    linked_prog(link_path(dir(), i, "tc"))};
        out.push_back(pi);
    }
    return out;
}

Result<uint32_t> Datapath::add_port(const PortSpec& spec) {
    port_ifindex_.clear();
    unsigned ifindex = if_nametoindex(spec.ifname.c_str());
    if (!ifindex) return make_error("no network device named '{}'", spec.ifname);
    uint32_t key = ifindex;
    if (auto p = ifindex_ports_.lookup(key))
        return make_error("{} is already port {} of datapath {}", spec.ifname, *p, name_);
    uint32_t port_no = 0;
    if (spec.port_no) {
        port_no = *spec.port_no;
        if (port_no >= XVS_MAX_PORTS) return make_error("port number {} is out of range (0-{})", port_no, XVS_MAX_PORTS - 1);
        auto rec = ports_.lookup(port_no);
        if (rec && (rec->flags & XVS_PORT_F_IN_USE)) return make_error("port number {} is in use", port_no);
    } else {
        for (port_no = 1; port_no < XVS_MAX_PORTS; port_no++) {
            auto rec = ports_.lookup(port_no);
            if (!rec || !(rec->flags & XVS_PORT_F_IN_USE)) break;
        }
        if (port_no == XVS_MAX_PORTS) return make_error("datapath {} has no free port number", name_);
    }
    bool veth = netdev_driver(spec.ifname) == "veth";
    Hook hook = spec.hook == Hook::Auto ? (veth ? Hook::Tc : Hook::Xdp) : spec.hook;
    bool xdp_tx = spec.xdp_tx == XdpTx::Auto ? !veth : spec.xdp_tx == XdpTx::Yes;

    xvs_port rec{};
    rec.ifindex = ifindex;
    rec.flags = XVS_PORT_F_IN_USE | (xdp_tx ? XVS_PORT_F_XDP_TX : 0) | XVS_PORT_F_HOOK_TC;
    rec.upcall_rate = spec.upcall_rate;
    rec.upcall_burst = spec.upcall_burst ? spec.upcall_burst : std::max<uint32_t>(spec.upcall_rate / 10, 1);
    if (auto s = ports_.update(port_no, rec); !s) return s.error();
    if (auto s = ifindex_ports_.update(key, port_no); !s) return s.error();

    auto undo = [&](Error e) -> Result<uint32_t> {
        (void)del_port(port_no);
        return e;
    };
    // tcx on every port: it is the whole pipeline for TC ports and runs what
    // the XDP entry hands over on XDP ports.
    int lfd = bpf_link_create(prog_tc_rx_.get(), ifindex, BPF_TCX_INGRESS, nullptr);
    if (lfd < 0) return undo(make_error("cannot attach tcx ingress to {}: {}", spec.ifname, errno_str(errno)));
    UniqueFd tc_link(lfd);
    if (bpf_obj_pin(lfd, link_path(dir(), port_no, "tc").c_str()))
        return undo(make_error("cannot pin tcx link of {}: {}", spec.ifname, errno_str(errno)));
    if (hook == Hook::Xdp) {
        LIBBPF_OPTS(bpf_link_create_opts, xo, .flags = XDP_FLAGS_DRV_MODE);
        lfd = bpf_link_create(prog_xdp_rx_.get(), ifindex, BPF_XDP, &xo);
        if (lfd < 0 && spec.hook == Hook::Xdp)
            return undo(make_error("cannot attach native XDP to {}: {}", spec.ifname, errno_str(errno)));
        if (lfd >= 0) {
            UniqueFd xdp_link(lfd);
            if (bpf_obj_pin(lfd, link_path(dir(), port_no, "xdp").c_str()))
                return undo(make_error("cannot pin XDP link of {}: {}", spec.ifname, errno_str(errno)));
            rec.flags |= XVS_PORT_F_HOOK_XDP;
            (void)ports_.update(port_no, rec);
        }
    }
    // A fresh upcall bucket starts full.
    std::vector<xvs_tbucket> b(1, xvs_tbucket{uint64_t{rec.upcall_burst} * 1000, 0});
    if (auto bm = open_map(dir(), "xvs_upcall_buckets")) {
        if (auto t = PerCpuMap<uint32_t, xvs_tbucket>::open(std::move(*bm))) (void)t->update_all(port_no, b);
    }
    auto all = flood_domain(0).value_or(xvs_flood_domain{});
    std::vector<uint32_t> members(all.ports, all.ports + std::min<uint32_t>(all.n, XVS_MAX_FLOOD_PORTS));
    members.push_back(port_no);
    if (auto s = set_flood_domain(0, members); !s) return undo(s.error());
    if (auto s = relink_flows(); !s) return s.error();
    return port_no;
}

Status Datapath::del_port(uint32_t port_no) {
    port_ifindex_.clear();
    auto rec = ports_.lookup(port_no);
    if (!rec || !(rec->flags & XVS_PORT_F_IN_USE)) return make_error("datapath {} has no port {}", name_, port_no);
    for (const char* hook : {"xdp", "tc"}) ::unlink(link_path(dir(), port_no, hook).c_str());
    uint32_t key = rec->ifindex;
    (void)ifindex_ports_.remove(key);
    (void)ports_.update(port_no, xvs_port{});
    for (uint32_t d = 0; d < XVS_MAX_FLOOD_DOMAINS; d++) {
        auto dom = flood_domain(d);
        if (!dom) continue;
        std::vector<uint32_t> members;
        for (uint32_t i = 0; i < dom->n && i < XVS_MAX_FLOOD_PORTS; i++)
            if (dom->ports[i] != port_no) members.push_back(dom->ports[i]);
        if (members.size() != dom->n) (void)set_flood_domain(d, members);
    }
    return relink_flows();
}

std::optional<xvs_flood_domain> Datapath::flood_domain(uint32_t domain) const {
    auto d = domains_.lookup(domain);
    if (!d || !(d->flags & XVS_FD_F_EXISTS)) return std::nullopt;
    return d;
}

Status Datapath::set_flood_domain(uint32_t domain, const std::vector<uint32_t>& members) {
    if (domain >= XVS_MAX_FLOOD_DOMAINS) return make_error("flood domain {} is out of range (0-{})", domain, XVS_MAX_FLOOD_DOMAINS - 1);
    if (members.size() > XVS_MAX_FLOOD_PORTS) return make_error("a flood domain holds at most {} ports", XVS_MAX_FLOOD_PORTS);
    xvs_flood_domain d{};
    bool xdp_ok = true;
    for (uint32_t p : members) {
        auto rec = ports_.lookup(p);
        if (!rec || !(rec->flags & XVS_PORT_F_IN_USE)) return make_error("flood domain {}: no port {}", domain, p);
        if (!(rec->flags & XVS_PORT_F_XDP_TX)) xdp_ok = false;
        d.ports[d.n++] = p;
    }
    d.flags = XVS_FD_F_EXISTS | (xdp_ok ? XVS_FD_F_XDP_OK : 0);
    if (auto s = sync_domain_devmap(domain, d); !s) return s;
    return domains_.update(domain, d);
}

Status Datapath::sync_domain_devmap(uint32_t domain, const xvs_flood_domain& d) {
    // A fresh inner devmap replaces the old one in a single update.
    LIBBPF_OPTS(bpf_map_create_opts, o);
    int fd = bpf_map_create(BPF_MAP_TYPE_DEVMAP_HASH, "xvs_flood_dm", 4, 4, XVS_MAX_FLOOD_PORTS, &o);
    if (fd < 0) return make_error("cannot create flood devmap: {}", errno_str(errno));
    UniqueFd inner(fd);
    for (uint32_t i = 0; i < d.n; i++) {
        auto rec = ports_.lookup(d.ports[i]);
        if (!rec) continue;
        uint32_t ifindex = rec->ifindex;
        if (bpf_map_update_elem(fd, &ifindex, &ifindex, BPF_ANY))
            return make_error("cannot fill flood devmap: {}", errno_str(errno));
    }
    if (bpf_map_update_elem(devmaps_.fd(), &domain, &fd, BPF_ANY))
        return make_error("cannot install flood devmap {}: {}", domain, errno_str(errno));
    return {};
}

// ---- meters, stats, config -------------------------------------------------

Status Datapath::set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets) {
    if (id >= XVS_MAX_METERS) return make_error("meter id {} is out of range (0-{})", id, XVS_MAX_METERS - 1);
    xvs_meter m{};
    m.rate = rate;
    m.burst = burst ? burst : std::max<uint64_t>(rate / 10, 1);
    m.flags = packets ? XVS_METER_F_PKTS : 0;
    m.tokens = m.burst * 1000000ULL;
    if (bpf_map_update_elem(meters_.fd(), &id, &m, BPF_ANY))
        return make_error("cannot write meter {}: {}", id, errno_str(errno));
    return {};
}

std::optional<xvs_meter> Datapath::meter(uint32_t id) const {
    xvs_meter m{};
    if (bpf_map_lookup_elem(meters_.fd(), &id, &m)) return std::nullopt;
    return m;
}

DpStats Datapath::stats() const {
    DpStats out;
    uint32_t zero = 0;
    auto per = stats_.lookup(zero);
    if (!per) return out;
    for (const auto& c : *per) {
        for (int i = 0; i < XVS_CTR__MAX; i++) out.counters[i] += c.counters[i];
        for (int i = 0; i < XVS_DROP__MAX; i++) out.drops[i] += c.drops[i];
        for (int i = 0; i < XVS_MAX_MASKS; i++) out.mask_hits[i] += c.mask_hits[i];
    }
    return out;
}

xvs_dp_config Datapath::config() const {
    uint32_t zero = 0;
    return config_.lookup(zero).value_or(xvs_dp_config{});
}

Status Datapath::set_config(const xvs_dp_config& c) {
    uint32_t zero = 0;
    return config_.update(zero, c);
}

std::unique_ptr<UpcallReader> Datapath::upcalls() const {
    return std::make_unique<UpcallReader>(upcalls_.fd());
}

// ---- upcall reader ---------------------------------------------------------

UpcallReader::UpcallReader(int ringbuf_fd) { rb_ = ring_buffer__new(ringbuf_fd, on_sample, this, nullptr); }

UpcallReader::~UpcallReader() {
    if (rb_) ring_buffer__free(rb_);
}

int UpcallReader::fd() const { return rb_ ? ring_buffer__epoll_fd(rb_) : -1; }

int UpcallReader::on_sample(void* ctx, void* data, size_t size) {
    auto* self = static_cast<UpcallReader*>(ctx);
    if (size < sizeof(xvs_upcall) || !self->fn_) return 0;
    Upcall u;
    std::memcpy(&u.hdr, data, sizeof(u.hdr));
    size_t cap = std::min<size_t>(u.hdr.cap_len, size - sizeof(xvs_upcall));
    const auto* p = static_cast<const uint8_t*>(data) + sizeof(xvs_upcall);
    u.packet.assign(p, p + cap);
    // Offloaded checksums left partial by the sender are finished here, so
    // every user of an upcall (execution, packet-ins) sees a valid packet.
    if (cap == u.hdr.pkt_len) complete_partial_checksum(u.packet);
    (*self->fn_)(u);
    return 0;
}

int UpcallReader::poll(int timeout_ms, const std::function<void(const Upcall&)>& fn) {
    if (!rb_) return -EINVAL;
    fn_ = &fn;
    // Without waiting, read whatever is there, notified or not (samples
    // are submitted without a wakeup).
    int n = timeout_ms == 0 ? ring_buffer__consume(rb_) : ring_buffer__poll(rb_, timeout_ms);
    fn_ = nullptr;
    return n;
}

}  // namespace xvs::loader
