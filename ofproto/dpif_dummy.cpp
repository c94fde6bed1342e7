// The dummy datapath: the BPF datapath's behaviour (bpf/xvs_dp.bpf.c,
// bpf/lib/*.h, loader/flows.cpp) in process, for tests without a kernel.
//
// What it shares with the kernel datapath, rule for rule: megaflow
// semantics (a key ANDed with its mask, at most XVS_MAX_MASKS masks and
// XVS_DEFAULT_MAX_FLOWS flows, put Create/Modify/CreateOrModify, stats kept
// by a Modify), the flow key (compiler/flow_extract.h, the reference
// parser), the counters and drop reasons, the upcall record (header, key, at
// most XVS_UPCALL_MAX_PKT packet bytes), recirculation (at most
// XVS_MAX_RECIRC passes), token-bucket meters (bpf/lib/meter.h), and every
// header rewrite with its incremental checksum updates (bpf/lib/edit.h,
// csum.h). Outputs are sent at once, as the TC hook does (a copy per
// output, later rewrites do not reach earlier copies).
//
// What differs: there is one CPU and no XDP, so XVS_AL_NEEDS_SKB is only
// the list's structural flag and nothing is punted; a repeated miss is not
// deduplicated (dedup_us) and upcalls are not rate limited; flood domains
// other than 0 (every port) do not exist.
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <random>
#include <unordered_map>

#include "compiler/dp_actions.h"
#include "compiler/dp_flow_text.h"
#include "compiler/flow_extract.h"
#include "compiler/proto_numbers.h"
#include "ofproto/dpif.h"
#include "util/fd.h"
#include "util/vlog.h"

namespace xvs::ofproto {

namespace {

using namespace proto;

VlogModule vlog("dpif_dummy");
RateLimiter rl(60, 20);

constexpr size_t kMaxUpcalls = 4096;     // queued and not yet read
constexpr size_t kMaxExecPacket = 9216;  // as loader/exec.cpp

using KeyWords = std::array<uint64_t, XVS_KEY_WORDS>;

KeyWords masked_words(const xvs_flow_key& key, const xvs_flow_key& mask) {
    KeyWords k, m;
    std::memcpy(k.data(), &key, sizeof key);
    std::memcpy(m.data(), &mask, sizeof mask);
    for (size_t i = 0; i < k.size(); i++) k[i] &= m[i];
    return k;
}

xvs_flow_key to_key(const KeyWords& w) {
    xvs_flow_key k;
    std::memcpy(&k, w.data(), sizeof k);
    return k;
}

struct KeyHash {
    size_t operator()(const KeyWords& k) const {
        uint64_t h = 0xcbf29ce484222325ull;
        for (uint64_t w : k) {
            h ^= w;
            h *= 0x100000001b3ull;
            h ^= h >> 29;
        }
        return static_cast<size_t>(h);
    }
};

bool same_key(const xvs_flow_key& a, const xvs_flow_key& b) { return std::memcmp(&a, &b, sizeof a) == 0; }

uint16_t host16(__be16 v) {
    uint8_t b[2];
    std::memcpy(b, &v, 2);
    return static_cast<uint16_t>(b[0] << 8 | b[1]);
}

// ---- pcap files ---------------------------------------------------------

// A libpcap capture file (Ethernet link type), appended to, one write per
// packet so that a reader never sees half a record.
class PcapFile {
public:
    static constexpr uint32_t kSnapLen = 65535;

    static Result<std::shared_ptr<PcapFile>> open(const std::string& path) {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        if (!fd.valid()) return make_error("cannot open {}: {}", path, std::strerror(errno));
        struct stat st {};
        if (fstat(fd.get(), &st) == 0 && st.st_size == 0) {
            struct {
                uint32_t magic = 0xa1b2c3d4;
                uint16_t major = 2, minor = 4;
                int32_t thiszone = 0;
                uint32_t sigfigs = 0, snaplen = kSnapLen, linktype = 1;  // LINKTYPE_ETHERNET
            } hdr;
            static_assert(sizeof hdr == 24);
            if (::write(fd.get(), &hdr, sizeof hdr) != static_cast<ssize_t>(sizeof hdr))
                return make_error("cannot write {}: {}", path, std::strerror(errno));
        }
        auto f = std::make_shared<PcapFile>();
        f->fd_ = std::move(fd);
        f->path_ = path;
        return f;
    }

    void write(std::span<const uint8_t> frame) {
        timespec ts{};
        clock_gettime(CLOCK_REALTIME, &ts);
        size_t caplen = std::min<size_t>(frame.size(), kSnapLen);
        uint32_t rec[4] = {static_cast<uint32_t>(ts.tv_sec), static_cast<uint32_t>(ts.tv_nsec / 1000),
                           static_cast<uint32_t>(caplen), static_cast<uint32_t>(frame.size())};
        std::vector<uint8_t> buf(sizeof rec + caplen);
        std::memcpy(buf.data(), rec, sizeof rec);
        std::memcpy(buf.data() + sizeof rec, frame.data(), caplen);
        if (::write(fd_.get(), buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()))
            vlog.warn_rl(rl, "{}: write failed: {}", path_, std::strerror(errno));
    }

private:
    UniqueFd fd_;
    std::string path_;
};

// ---- Checksums (bpf/lib/csum.h) -----------------------------------------

constexpr int kCsumL4 = 0x1;
constexpr int kCsumUdp = 0x4;  // UDP over IPv4: 0 means "no checksum"

uint16_t fold_sum(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

// A packet being worked on, with what the parser found (bpf/lib/edit.h
// struct act_state).
struct Packet {
    std::vector<uint8_t> b;
    uint32_t l3_off = 0, l4_off = 0;
    uint16_t eth_type = 0;
    uint8_t nw_proto = 0;
    bool frag_later = false;

    bool has(size_t off, size_t n) const { return off <= b.size() && n <= b.size() - off; }
    uint16_t be16(size_t off) const { return static_cast<uint16_t>(b[off] << 8 | b[off + 1]); }
    void put16(size_t off, uint16_t v) {
        b[off] = static_cast<uint8_t>(v >> 8);
        b[off + 1] = static_cast<uint8_t>(v);
    }
    bool v4() const { return eth_type == kTypeIpv4; }
    bool v6() const { return eth_type == kTypeIpv6; }

    // Applies a one's-complement difference to the checksum at off.
    bool csum_apply(size_t off, uint64_t diff, int flags) {
        if (!has(off, 2)) return false;
        uint16_t c = be16(off);
        if ((flags & kCsumUdp) && c == 0) return true;
        uint16_t n =
            static_cast<uint16_t>(~fold_sum(static_cast<uint16_t>(~c) + static_cast<uint64_t>(fold_sum(diff))));
        if ((flags & kCsumUdp) && n == 0) n = 0xffff;
        put16(off, n);
        return true;
    }

    // Where the transport checksum sits, 0 if none (bpf l4_csum_off).
    size_t l4_csum_off(int& flags) const {
        flags = kCsumL4;
        if (!l4_off || frag_later) return 0;
        if (nw_proto == kProtoTcp) return l4_off + 16;
        if (nw_proto == kProtoUdp) {
            if (v4()) flags |= kCsumUdp;
            return l4_off + 6;
        }
        if (nw_proto == kProtoIcmpv6 && v6()) return l4_off + 2;
        return 0;
    }

    // Rewrites an IPv4 (4 bytes) or IPv6 (16 bytes) address at off.
    bool edit_ip_addr(size_t off, const void* addr, size_t len) {
        if (!has(off, len)) return false;
        const auto* nw = static_cast<const uint8_t*>(addr);
        uint64_t diff = 0;
        for (size_t i = 0; i < len; i += 2) {
            uint16_t o = be16(off + i), n = static_cast<uint16_t>(nw[i] << 8 | nw[i + 1]);
            diff += static_cast<uint16_t>(~o) + static_cast<uint64_t>(n);
        }
        std::memcpy(b.data() + off, nw, len);
        if (len == 4 && !csum_apply(l3_off + 10, diff, 0)) return false;
        int flags;
        if (size_t c = l4_csum_off(flags)) (void)csum_apply(c, diff, flags);
        return true;
    }

    // Rewrites the bits 'mask' of the 16-bit word at off; l3: the IPv4
    // header checksum covers it, l4: the transport checksum does.
    bool edit_word(size_t off, uint16_t mask, uint16_t val, bool l3, bool l4) {
        if (!has(off, 2)) return false;
        uint16_t old = be16(off);
        uint16_t nw = static_cast<uint16_t>((old & ~mask) | (val & mask));
        if (nw == old) return true;
        uint64_t diff = static_cast<uint16_t>(~old) + static_cast<uint64_t>(nw);
        put16(off, nw);
        if (l3 && !csum_apply(l3_off + 10, diff, 0)) return false;
        if (l4) {
            int flags;
            if (size_t c = l4_csum_off(flags); c && !csum_apply(c, diff, flags)) return false;
        }
        return true;
    }

    void shift(int delta) {
        if (l3_off) l3_off = static_cast<uint32_t>(static_cast<int>(l3_off) + delta);
        if (l4_off) l4_off = static_cast<uint32_t>(static_cast<int>(l4_off) + delta);
    }
};

bool is_vlan_tpid(uint16_t t) { return t == 0x8100 || t == 0x88a8; }

// ---- Meters (bpf/lib/meter.h) ---------------------------------------------

struct Meter {
    uint64_t rate = 0, burst = 0, tokens = 0, last_ns = 0, passed = 0, dropped = 0;
    bool packets = false;

    bool pass(uint32_t len, uint64_t now) {
        if (!rate) return true;
        uint64_t cost = packets ? 1000000ull : static_cast<uint64_t>(len) * 8 * 1000;
        uint64_t elapsed = now > last_ns ? now - last_ns : 0;
        elapsed = std::min<uint64_t>(elapsed, 10000000000ull);
        last_ns = now;
        uint64_t cap = burst * 1000000ull;
        tokens = std::min(cap, tokens + elapsed * rate / 1000);
        if (tokens >= cost) {
            tokens -= cost;
            passed++;
            return true;
        }
        dropped++;
        return false;
    }
};

// ---- The datapath ---------------------------------------------------------

class DpifDummy final : public DummyDpif {
public:
    explicit DpifDummy(std::string name) : name_(std::move(name)) {
        efd_.reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
        if (!efd_.valid()) vlog.err("cannot create an eventfd: {}", std::strerror(errno));
    }

    std::string name() const override { return name_; }
    std::string type() const override { return "dummy"; }

    // -- Ports --

    Result<uint32_t> add_port(const std::string& ifname) override {
        if (ifname.empty()) return make_error("a port needs a name");
        if (port_named(ifname)) return make_error("datapath {} already has a port named {}", name_, ifname);
        for (uint32_t no = 1; no < XVS_MAX_PORTS; no++) {
            if (ports_.count(no)) continue;
            ports_[no].name = ifname;
            return no;
        }
        return make_error("datapath {} has no free port number", name_);
    }

    Status del_port(uint32_t port_no) override {
        if (!ports_.erase(port_no)) return make_error("datapath {} has no port {}", name_, port_no);
        return {};
    }

    std::vector<DpPort> ports() const override {
        std::vector<DpPort> v;
        for (const auto& [no, p] : ports_) v.push_back(DpPort{no, p.name});
        return v;
    }

    Status set_port_options(uint32_t port_no, const std::map<std::string, std::string>& options) override {
        auto it = ports_.find(port_no);
        if (it == ports_.end()) return make_error("datapath {} has no port {}", name_, port_no);
        Port& p = it->second;
        // Only a change is applied (and reported): the switch hands every
        // port its options on each reconfiguration.
        auto get = [&](const char* k) {
            auto o = options.find(k);
            return o == options.end() ? std::string() : o->second;
        };
        std::string pcap = get("pcap"), rx = pcap.empty() ? get("rxq_pcap") : pcap,
                    tx = pcap.empty() ? get("tx_pcap") : pcap;
        if (rx == p.rx_path && tx == p.tx_path) return {};
        p.rx_path = rx;
        p.tx_path = tx;
        p.rx_pcap.reset();
        p.tx_pcap.reset();
        std::string errors;
        auto open = [&](const std::string& path, const char* option) -> std::shared_ptr<PcapFile> {
            if (path.empty()) return nullptr;
            auto f = PcapFile::open(path);
            if (f) return *f;
            errors += fmt::format("{}options:{}: {}", errors.empty() ? "" : "; ", option, f.message());
            return nullptr;
        };
        p.tx_pcap = open(tx, pcap.empty() ? "tx_pcap" : "pcap");
        p.rx_pcap = rx == tx ? p.tx_pcap : open(rx, "rxq_pcap");
        if (!errors.empty()) return make_error("{}", errors);
        return {};
    }

    // -- Megaflows --

    Status put_flow(const xvs_flow_key& key, const xvs_flow_key& mask, const xvs_action_list& actions,
                    PutMode mode) override {
        if (actions.n > XVS_MAX_ACTIONS) return make_error("at most {} actions per flow", XVS_MAX_ACTIONS);
        Subtable* st = subtable_for(mask);
        if (!st) {
            if (mode == PutMode::Modify) return make_error("no such flow");
            if (subtables_.size() >= XVS_MAX_MASKS)
                return make_error("the datapath already uses {} distinct masks (its limit)", XVS_MAX_MASKS);
            uint32_t id = 0;
            while (subtables_.count(id)) id++;
            st = &subtables_[id];
            st->id = id;
            st->mask = mask;
            order_.push_back(id);  // new masks go last; rank_masks() moves them up
        }
        KeyWords mk = masked_words(key, mask);
        auto existing = st->flows.find(mk);
        auto fail = [&](Error e) -> Status {
            if (st->flows.empty()) release(st->id);
            return e;
        };
        if (mode == PutMode::Create && existing != st->flows.end())
            return make_error("flow already exists (use mod-flow to change it)");
        if (mode == PutMode::Modify && existing == st->flows.end()) return fail(make_error("no such flow"));
        xvs_action_list list = actions;
        list.flags = compiler::structural_action_flags(list);
        if (existing != st->flows.end()) {
            existing->second.actions = list;  // the stats stay
            return {};
        }
        if (n_flows_ >= XVS_DEFAULT_MAX_FLOWS)
            return fail(make_error("the datapath's flow table is full ({} megaflows)", XVS_DEFAULT_MAX_FLOWS));
        Megaflow& mf = st->flows[mk];
        mf.actions = list;
        n_flows_++;
        return {};
    }

    Status del_flow(const xvs_flow_key& key, const xvs_flow_key& mask, xvs_flow_stats* last) override {
        Subtable* st = subtable_for(mask);
        auto it = st ? st->flows.find(masked_words(key, mask)) : decltype(st->flows.end()){};
        if (!st || it == st->flows.end()) return make_error("no such flow");
        if (last) *last = it->second.stats;
        st->flows.erase(it);
        n_flows_--;
        if (st->flows.empty()) release(st->id);
        return {};
    }

    std::vector<FlowEntry> dump_flows() const override {
        std::vector<FlowEntry> out;
        for (uint32_t id : order_) {
            const Subtable& st = subtables_.at(id);
            for (const auto& [k, mf] : st.flows) {
                FlowEntry e;
                e.key = to_key(k);
                e.mask = st.mask;
                e.mask_id = id;
                e.actions = mf.actions;
                e.stats = mf.stats;
                out.push_back(e);
            }
        }
        return out;
    }

    Status flush_flows() override {
        subtables_.clear();
        order_.clear();
        n_flows_ = 0;
        return {};
    }

    size_t n_masks() const override { return subtables_.size(); }

    Status rank_masks() override {
        std::stable_sort(order_.begin(), order_.end(),
                         [&](uint32_t a, uint32_t b) { return subtables_.at(a).hits > subtables_.at(b).hits; });
        return {};
    }

    DpStats stats() const override { return stats_; }

    Status set_meter(uint32_t id, uint64_t rate, uint64_t burst, bool packets) override {
        if (id >= XVS_MAX_METERS) return make_error("meter id {} is out of range (0-{})", id, XVS_MAX_METERS - 1);
        if (!rate) {
            meters_.erase(id);
            return {};
        }
        Meter m;
        m.rate = rate;
        m.burst = burst ? burst : std::max<uint64_t>(rate / 10, 1);
        m.packets = packets;
        m.tokens = m.burst * 1000000ull;
        meters_[id] = m;
        return {};
    }
    std::optional<MeterCounts> meter_counts(uint32_t id) const override {
        auto it = meters_.find(id);
        if (it == meters_.end()) return std::nullopt;
        return MeterCounts{it->second.passed, it->second.dropped};
    }

    // -- Packets --

    Result<int> execute(uint32_t in_port, std::span<const uint8_t> packet, const xvs_action_list& actions,
                        const UserspaceFn& userspace) override {
        if (packet.size() < 14 || packet.size() > kMaxExecPacket)
            return make_error("packet length {} is out of range ({}-{})", packet.size(), 14, kMaxExecPacket);
        if (actions.n > XVS_MAX_ACTIONS) return make_error("at most {} actions", XVS_MAX_ACTIONS);
        for (uint32_t i = 0; i < actions.n; i++)
            if (actions.a[i].type == XVS_ACT_RECIRC)
                return make_error("execute: recirculation is not supported for packets executed from userspace");
        count(XVS_CTR_EXEC);
        Run run;
        run.exec = true;
        run.in_port = in_port;
        run.userspace = &userspace;
        run.pkt = make_packet(packet, in_port, 0, &run.key);
        run_actions(run, actions);
        return run.sent;
    }

    int upcall_fd() const override { return efd_.get(); }

    int recv_upcalls(size_t max, const std::function<void(const Upcall&)>& fn) override {
        uint64_t v;
        while (::read(efd_.get(), &v, sizeof v) > 0) {
        }
        int n = 0;
        while (static_cast<size_t>(n) < max && !upcalls_.empty()) {
            Upcall up = std::move(upcalls_.front());
            upcalls_.pop_front();
            fn(up);
            n++;
        }
        if (!upcalls_.empty()) signal();
        return n;
    }

    // -- Dummy ports --

    Status receive(const std::string& port, std::span<const uint8_t> frame) override {
        auto it = std::find_if(ports_.begin(), ports_.end(), [&](const auto& kv) { return kv.second.name == port; });
        if (it == ports_.end()) return make_error("datapath {} has no port named {}", name_, port);
        uint32_t no = it->first;
        Port* p = &it->second;
        p->stats.rx_packets++;
        p->stats.rx_bytes += frame.size();
        if (p->rx_pcap) p->rx_pcap->write(frame);
        count(XVS_CTR_RX);
        pipeline(no, std::vector<uint8_t>(frame.begin(), frame.end()), 0, 0);
        return {};
    }

    Result<std::vector<std::vector<uint8_t>>> take_tx(const std::string& port) override {
        auto* p = port_named(port);
        if (!p) return make_error("datapath {} has no port named {}", name_, port);
        std::vector<std::vector<uint8_t>> out(std::make_move_iterator(p->txq.begin()),
                                              std::make_move_iterator(p->txq.end()));
        p->txq.clear();
        return out;
    }

    Result<PortStats> port_stats(const std::string& port) const override {
        for (const auto& [no, p] : ports_)
            if (p.name == port) return p.stats;
        return make_error("datapath {} has no port named {}", name_, port);
    }

private:
    struct Port {
        std::string name;
        std::deque<std::vector<uint8_t>> txq;
        std::string rx_path, tx_path;
        std::shared_ptr<PcapFile> rx_pcap, tx_pcap;  // the same file for options:pcap
        PortStats stats;
    };
    struct Megaflow {
        xvs_action_list actions{};
        xvs_flow_stats stats{};
    };
    struct Subtable {
        uint32_t id = 0;
        xvs_flow_key mask{};
        uint64_t hits = 0;  // since this mask took the id, for ranking
        std::unordered_map<KeyWords, Megaflow, KeyHash> flows;
    };
    // One packet's trip through an action list.
    struct Run {
        Packet pkt;
        xvs_flow_key key{};  // as parsed before the actions
        uint32_t in_port = 0;
        bool exec = false;       // for userspace: meters and upcalls skipped
        const UserspaceFn* userspace = nullptr;  // exec: where USERSPACE actions deliver
        int sent = 0;            // copies sent
        bool upcalled = false;   // a userspace action took the packet
        uint32_t recirc_id = 0;  // set by a recirc action
        uint32_t drop = 0;       // XVS_DROP_* when an action stopped it
    };
    enum class Verdict { Next, Stop, Recirc };

    Port* port_named(const std::string& name) {
        for (auto& [no, p] : ports_)
            if (p.name == name) return &p;
        return nullptr;
    }

    void count(int ctr) { stats_.counters[ctr]++; }
    void count_drop(uint32_t reason) {
        if (reason < XVS_DROP__MAX) stats_.drops[reason]++;
    }
    void signal() {
        uint64_t one = 1;
        if (::write(efd_.get(), &one, sizeof one) < 0 && errno != EAGAIN)
            vlog.warn_rl(rl, "cannot signal upcalls: {}", std::strerror(errno));
    }

    Subtable* subtable_for(const xvs_flow_key& mask) {
        for (auto& [id, st] : subtables_)
            if (same_key(st.mask, mask)) return &st;
        return nullptr;
    }
    void release(uint32_t id) {
        subtables_.erase(id);
        order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
    }

    Megaflow* lookup(const xvs_flow_key& key) {
        for (uint32_t id : order_) {
            Subtable& st = subtables_.at(id);
            count(XVS_CTR_MASK_PROBE);
            auto it = st.flows.find(masked_words(key, st.mask));
            if (it != st.flows.end()) {
                st.hits++;
                stats_.mask_hits[id]++;
                return &it->second;
            }
        }
        return nullptr;
    }

    static Packet make_packet(std::span<const uint8_t> bytes, uint32_t in_port, uint32_t recirc_id, xvs_flow_key* key) {
        Packet p;
        p.b.assign(bytes.begin(), bytes.end());
        HeaderOffsets offs;
        *key = flow_extract(p.b, ExtractContext{in_port, recirc_id}, &offs);
        p.l3_off = offs.l3_off;
        p.l4_off = offs.l4_off;
        p.eth_type = offs.eth_type;
        p.nw_proto = p.v4() || p.v6() ? key->nw_proto : 0;
        p.frag_later = key->nw_frag & XVS_FRAG_LATER;
        return p;
    }

    bool queue_upcall(uint8_t type, uint32_t in_port, const xvs_flow_key& key, std::span<const uint8_t> pkt,
                      uint64_t cookie, uint32_t arg) {
        if (upcalls_.size() >= kMaxUpcalls) return false;
        Upcall up;
        std::memset(&up.hdr, 0, sizeof up.hdr);
        up.hdr.type = type;
        up.hdr.cap_len = static_cast<uint16_t>(std::min<size_t>(pkt.size(), XVS_UPCALL_MAX_PKT));
        up.hdr.pkt_len = static_cast<uint32_t>(pkt.size());
        up.hdr.in_port = in_port;
        up.hdr.arg = arg;
        up.hdr.cookie = cookie;
        up.hdr.ts_ns = monotonic_ns();
        up.hdr.key = key;
        up.packet.assign(pkt.begin(), pkt.begin() + up.hdr.cap_len);
        upcalls_.push_back(std::move(up));
        signal();
        return true;
    }

    // Parse, look up, act (bpf pipeline()).
    void pipeline(uint32_t in_port, std::vector<uint8_t> bytes, uint32_t recirc_id, uint32_t depth) {
        Run run;
        run.in_port = in_port;
        run.pkt = make_packet(bytes, in_port, recirc_id, &run.key);
        Megaflow* mf = lookup(run.key);
        if (!mf) {
            count(XVS_CTR_MISS);
            if (queue_upcall(XVS_UPCALL_MISS, in_port, run.key, run.pkt.b, 0, 0))
                count(XVS_CTR_UPCALL);
            else
                count_drop(XVS_DROP_UPCALL_RINGBUF);
            return;
        }
        count(XVS_CTR_HIT);
        mf->stats.packets++;
        mf->stats.bytes += run.pkt.b.size();
        mf->stats.used_ns = monotonic_ns();
        mf->stats.tcp_flags |= host16(run.key.tcp_flags);
        xvs_action_list actions = mf->actions;  // the list may change under a recirculation
        Verdict v = run_actions(run, actions);
        if (v == Verdict::Stop) {
            count_drop(run.drop);
            return;
        }
        if (v == Verdict::Recirc) {
            if (depth >= XVS_MAX_RECIRC) {
                count_drop(XVS_DROP_RECIRC_LOOP);
                return;
            }
            count(XVS_CTR_RECIRC);
            pipeline(in_port, std::move(run.pkt.b), run.recirc_id, depth + 1);
            return;
        }
        if (!run.sent && !run.upcalled) count_drop(XVS_DROP_ACTION);
    }

    void transmit(Run& run, uint32_t port_no) {
        auto it = ports_.find(port_no);
        if (it == ports_.end()) {
            count_drop(XVS_DROP_BAD_PORT);
            return;
        }
        Port& p = it->second;
        p.stats.tx_packets++;
        p.stats.tx_bytes += run.pkt.b.size();
        if (p.tx_pcap) p.tx_pcap->write(run.pkt.b);
        if (p.txq.size() >= kMaxTxQueue) p.txq.pop_front();
        p.txq.push_back(run.pkt.b);
        run.sent++;
    }

    Verdict run_actions(Run& run, const xvs_action_list& actions) {
        for (uint32_t i = 0; i < actions.n && i < XVS_MAX_ACTIONS; i++) {
            Verdict v = act(run, actions.a[i]);
            if (v != Verdict::Next) return v;
        }
        return Verdict::Next;
    }

    static Verdict stop(Run& run, uint32_t reason) {
        run.drop = reason;
        return Verdict::Stop;
    }

    // One action (bpf act_one/act_edit).
    Verdict act(Run& run, const xvs_action& a) {
        Packet& p = run.pkt;
        switch (a.type) {
        case XVS_ACT_OUTPUT:
            transmit(run, a.arg);
            return Verdict::Next;
        case XVS_ACT_FLOOD:
            if (a.arg != 0) {
                count_drop(XVS_DROP_BAD_DOMAIN);
                return Verdict::Next;
            }
            for (const auto& [no, port] : ports_)
                if (no != run.in_port) transmit(run, no);
            return Verdict::Next;
        case XVS_ACT_DROP:
            return stop(run, XVS_DROP_ACTION);
        case XVS_ACT_METER: {
            if (run.exec) return Verdict::Next;
            auto m = meters_.find(a.arg);
            if (m == meters_.end() || m->second.pass(static_cast<uint32_t>(p.b.size()), monotonic_ns()))
                return Verdict::Next;
            return stop(run, XVS_DROP_METER);
        }
        case XVS_ACT_USERSPACE:
        case XVS_ACT_SAMPLE: {
            bool user = a.type == XVS_ACT_USERSPACE;
            if (!user && a.arg != 0xffffffff && static_cast<uint32_t>(rng_()) >= a.arg) return Verdict::Next;
            if (run.exec) {
                if (run.userspace && *run.userspace) (*run.userspace)(a, p.b);
                return Verdict::Next;
            }
            if (!queue_upcall(user ? XVS_UPCALL_ACTION : XVS_UPCALL_SAMPLE, run.in_port, run.key, p.b, a.u.cookie,
                              a.arg))
                count_drop(user ? XVS_DROP_UPCALL_RINGBUF : XVS_DROP_SAMPLE_RINGBUF);
            else if (user)
                run.upcalled = true;
            else
                count(XVS_CTR_SAMPLE);
            return Verdict::Next;
        }
        case XVS_ACT_RECIRC:
            run.recirc_id = a.arg;
            return Verdict::Recirc;
        case XVS_ACT_PUSH_VLAN: {
            if (p.b.size() < 12) return stop(run, XVS_DROP_VLAN);
            uint16_t tpid = host16(a.u.vlan.tpid), tci = host16(a.u.vlan.tci) & ~0x1000;
            uint8_t tag[4] = {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                              static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)};
            p.b.insert(p.b.begin() + 12, tag, tag + 4);
            p.shift(4);
            return Verdict::Next;
        }
        case XVS_ACT_POP_VLAN:
            // No tag: nothing to pop, as in Open vSwitch.
            if (p.b.size() < 18 || !is_vlan_tpid(p.be16(12))) return Verdict::Next;
            p.b.erase(p.b.begin() + 12, p.b.begin() + 16);
            p.shift(-4);
            return Verdict::Next;
        case XVS_ACT_SET_ETH_SRC:
        case XVS_ACT_SET_ETH_DST:
            if (p.b.size() < 12) return stop(run, XVS_DROP_EDIT);
            std::memcpy(p.b.data() + (a.type == XVS_ACT_SET_ETH_SRC ? 6 : 0), a.u.mac, 6);
            return Verdict::Next;
        default:
            break;
        }
        if (a.type >= XVS_ACT__MAX || a.type == XVS_ACT_NONE) return stop(run, XVS_DROP_BAD_ACTION);
        if (!p.l3_off) return stop(run, XVS_DROP_EDIT);
        bool ok = true;
        switch (a.type) {
        case XVS_ACT_SET_IPV4_SRC:
        case XVS_ACT_SET_IPV4_DST:
            if (!p.v4()) return stop(run, XVS_DROP_EDIT);
            ok = p.edit_ip_addr(p.l3_off + (a.type == XVS_ACT_SET_IPV4_SRC ? 12 : 16), &a.u.ip4, 4);
            break;
        case XVS_ACT_SET_IPV4_TOS:
            ok = p.v4() && p.edit_word(p.l3_off, 0x00ff, a.u.u8, true, false);
            break;
        case XVS_ACT_SET_IPV4_TTL:
            ok = p.v4() && p.edit_word(p.l3_off + 8, 0xff00, static_cast<uint16_t>(a.u.u8 << 8), true, false);
            break;
        case XVS_ACT_SET_IPV6_SRC:
        case XVS_ACT_SET_IPV6_DST:
            if (!p.v6()) return stop(run, XVS_DROP_EDIT);
            ok = p.edit_ip_addr(p.l3_off + (a.type == XVS_ACT_SET_IPV6_SRC ? 8 : 24), a.u.ip6, 16);
            break;
        case XVS_ACT_SET_IPV6_TC:
            ok = p.v6() && p.has(p.l3_off, 4);
            if (ok) {
                uint32_t w = static_cast<uint32_t>(p.be16(p.l3_off)) << 16 | p.be16(p.l3_off + 2);
                w = (w & ~(0xffu << 20)) | static_cast<uint32_t>(a.u.u8) << 20;
                p.put16(p.l3_off, static_cast<uint16_t>(w >> 16));
                p.put16(p.l3_off + 2, static_cast<uint16_t>(w));
            }
            break;
        case XVS_ACT_SET_IPV6_HLIMIT:
            ok = p.v6() && p.has(p.l3_off + 7, 1);
            if (ok) p.b[p.l3_off + 7] = a.u.u8;
            break;
        case XVS_ACT_DEC_TTL: {
            if (!p.v4() && !p.v6()) return stop(run, XVS_DROP_EDIT);
            size_t off = p.l3_off + (p.v4() ? 8 : 7);
            if (!p.has(off, 1)) return stop(run, XVS_DROP_EDIT);
            uint8_t ttl = p.b[off];
            if (ttl <= 1) return stop(run, XVS_DROP_TTL);
            if (p.v4())
                ok = p.edit_word(off, 0xff00, static_cast<uint16_t>((ttl - 1) << 8), true, false);
            else
                p.b[off] = static_cast<uint8_t>(ttl - 1);
            break;
        }
        case XVS_ACT_SET_TP_SRC:
        case XVS_ACT_SET_TP_DST:
            // SCTP's CRC32c cannot be updated incrementally: not supported.
            if (!p.l4_off || p.frag_later || (p.nw_proto != kProtoTcp && p.nw_proto != kProtoUdp))
                return stop(run, XVS_DROP_EDIT);
            ok = p.edit_word(p.l4_off + (a.type == XVS_ACT_SET_TP_SRC ? 0 : 2), 0xffff, host16(a.u.port), false, true);
            break;
        default:
            return stop(run, XVS_DROP_BAD_ACTION);
        }
        return ok ? Verdict::Next : stop(run, XVS_DROP_EDIT);
    }

    std::string name_;
    UniqueFd efd_;
    std::map<uint32_t, Port> ports_;
    std::map<uint32_t, Subtable> subtables_;  // by mask id
    std::vector<uint32_t> order_;             // the search order of the mask ids
    size_t n_flows_ = 0;
    std::map<uint32_t, Meter> meters_;
    std::deque<Upcall> upcalls_;
    DpStats stats_;
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

std::unique_ptr<DummyDpif> make_dummy_dpif(std::string name) { return std::make_unique<DpifDummy>(std::move(name)); }

}  // namespace xvs::ofproto
