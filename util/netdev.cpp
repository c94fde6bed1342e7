#include "util/netdev.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

namespace xvs::netdev {
namespace {

// Large enough for any message the kernel sends: a dump fills skbs of up to
// 32 KiB when the reader's buffer allows it, and a read into a smaller
// buffer truncates the message (MSG_TRUNC) rather than splitting it.
constexpr size_t kRecvBufferSize = size_t{64} * 1024;
// One request: a header, an ifinfomsg and a few short attributes.
constexpr size_t kRequestBufferSize = 1024;

// A failed rtnetlink exchange: an errno and the kernel's extended-ack text
// (NLMSGERR_ATTR_MSG), which says which attribute or limit it objected to.
struct NlFailure {
    int err = 0;
    std::string detail;
};

std::string describe(const NlFailure& f) {
    std::string s = std::strerror(f.err);
    if (!f.detail.empty()) s += " (" + f.detail + ")";
    return s;
}

using NlStatus = BasicResult<void, NlFailure>;

NlFailure errno_failure() {
    return NlFailure{errno, {}};
}

// The attributes in [begin, end), validated by mnl_attr_ok (libmnl's
// mnl_attr_for_each does not compile as C++).
template <typename Fn>
void for_each_attr(const void* begin, const void* end, Fn&& fn) {
    const auto* a = static_cast<const nlattr*>(begin);
    while (mnl_attr_ok(a, static_cast<int>(static_cast<const char*>(end) - reinterpret_cast<const char*>(a)))) {
        fn(a);
        a = mnl_attr_next(a);
    }
}

template <typename Fn>
void for_each_nested(const nlattr* nest, Fn&& fn) {
    const char* p = static_cast<const char*>(mnl_attr_get_payload(nest));
    for_each_attr(p, p + mnl_attr_get_payload_len(nest), fn);
}

std::string attr_string(const nlattr* a) {
    const char* s = static_cast<const char*>(mnl_attr_get_payload(a));
    return std::string(s, strnlen(s, mnl_attr_get_payload_len(a)));
}

bool attr_u32(const nlattr* a, uint32_t& out) {
    if (mnl_attr_get_payload_len(a) < sizeof(uint32_t)) return false;
    std::memcpy(&out, mnl_attr_get_payload(a), sizeof out);
    return true;
}

// The extended-ack message in an NLMSG_ERROR or NLMSG_DONE whose fixed part
// is `fixed` bytes long.
std::string extack_message(const nlmsghdr* nlh, size_t fixed) {
    if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || MNL_ALIGN(fixed) >= mnl_nlmsg_get_payload_len(nlh)) return {};
    const char* begin = static_cast<const char*>(mnl_nlmsg_get_payload(nlh)) + MNL_ALIGN(fixed);
    const char* end = reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len;
    std::string msg;
    if (begin >= end) return msg;
    for_each_attr(begin, end, [&](const nlattr* a) {
        if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG) msg = attr_string(a);
    });
    return msg;
}

// Reads one datagram from the kernel (nl_pid 0; anything else is dropped).
// Returns its length, or -1 with errno set; ENOSPC when it did not fit.
ssize_t recv_from_kernel(int fd, char* buf, size_t len) {
    for (;;) {
        sockaddr_nl addr{};
        iovec iov{buf, len};
        msghdr msg{};
        msg.msg_name = &addr;
        msg.msg_namelen = sizeof addr;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        ssize_t n = ::recvmsg(fd, &msg, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (msg.msg_flags & MSG_TRUNC) {
            errno = ENOSPC;
            return -1;
        }
        if (msg.msg_namelen != sizeof addr || addr.nl_pid != 0) continue;
        return n;
    }
}

// A NETLINK_ROUTE socket of the current namespace, bound to a port id the
// kernel picks. `groups`: multicast groups to join (RTMGRP_*).
BasicResult<UniqueFd, NlFailure> open_rtnl(uint32_t groups, int extra_type_flags) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | extra_type_flags, NETLINK_ROUTE));
    if (!fd.valid()) return errno_failure();
    // Best effort: errors then come with the kernel's explanation, and
    // without an echo of the request.
    int one = 1;
    (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    addr.nl_groups = groups;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return errno_failure();
    return fd;
}

uint32_t port_id(int fd) {
    sockaddr_nl addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) < 0) return 0;
    return addr.nl_pid;
}

// Sends `req` on a new socket and reads the answer: for a dump every reply
// up to NLMSG_DONE, otherwise up to the acknowledgement (the request must
// carry NLM_F_ACK). Each reply that is not a control message goes to
// `on_reply`. A dump the kernel marks as interrupted (NLM_F_DUMP_INTR: the
// device list changed while it was read) fails with EAGAIN.
NlStatus exchange(nlmsghdr* req, const std::function<void(const nlmsghdr*)>& on_reply) {
    auto fd = open_rtnl(0, 0);
    if (!fd.ok()) return fd.error();
    const uint32_t portid = port_id(fd->get());
    req->nlmsg_seq = 1;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd->get(), req, req->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return errno_failure();

    std::vector<char> buf(kRecvBufferSize);
    bool interrupted = false;
    for (;;) {
        ssize_t n = recv_from_kernel(fd->get(), buf.data(), buf.size());
        if (n < 0) return errno_failure();
        int len = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len)) {
            if (nlh->nlmsg_seq != req->nlmsg_seq || (portid && nlh->nlmsg_pid != portid)) continue;
            if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            switch (nlh->nlmsg_type) {
                case NLMSG_NOOP:
                case NLMSG_OVERRUN:
                    break;
                case NLMSG_DONE: {
                    // A dump that failed part-way ends with the error here.
                    int err = 0;
                    if (mnl_nlmsg_get_payload_len(nlh) >= sizeof err)
                        std::memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof err);
                    if (err < 0) return NlFailure{-err, extack_message(nlh, sizeof err)};
                    if (interrupted) return NlFailure{EAGAIN, "dump interrupted by concurrent changes"};
                    return {};
                }
                case NLMSG_ERROR: {
                    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) return NlFailure{EBADMSG, {}};
                    const auto* e = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
                    if (e->error == 0) return {};  // the acknowledgement
                    size_t fixed = sizeof *e;
                    if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) fixed += e->msg.nlmsg_len - sizeof(nlmsghdr);
                    return NlFailure{-e->error, extack_message(nlh, fixed)};
                }
                default:
                    on_reply(nlh);
                    break;
            }
        }
    }
}

NlStatus exchange(nlmsghdr* req) {
    return exchange(req, [](const nlmsghdr*) {});
}

// A request header plus an empty ifinfomsg, in `buf`.
nlmsghdr* put_link_request(char* buf, uint16_t type, uint16_t flags, ifinfomsg** ifi_out = nullptr) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(ifinfomsg)));
    ifi->ifi_family = AF_UNSPEC;
    if (ifi_out) *ifi_out = ifi;
    return nlh;
}

// The kernel takes at most IFNAMSIZ - 1 bytes; a longer name would be
// rejected with a bare EINVAL, so say what is wrong here.
Status check_name(const std::string& name) {
    if (name.empty()) return make_error("invalid device name \"\": empty");
    if (name.size() >= IFNAMSIZ)
        return make_error("invalid device name \"{}\": longer than {} bytes", name, IFNAMSIZ - 1);
    if (name.find('\0') != std::string::npos) return make_error("invalid device name \"{}\": contains NUL", name);
    return {};
}

// rtnl_link_stats64 or the older rtnl_link_stats: the same counters.
template <typename Stats>
void parse_stats(const nlattr* a, LinkInfo& info) {
    Stats s{};
    std::memcpy(&s, mnl_attr_get_payload(a), std::min<size_t>(mnl_attr_get_payload_len(a), sizeof s));
    info.rx_packets = s.rx_packets;
    info.tx_packets = s.tx_packets;
    info.rx_bytes = s.rx_bytes;
    info.tx_bytes = s.tx_bytes;
    info.rx_errors = s.rx_errors;
    info.tx_errors = s.tx_errors;
    info.rx_dropped = s.rx_dropped;
    info.tx_dropped = s.tx_dropped;
}

// An RTM_NEWLINK message (a reply or a notification) as a LinkInfo.
bool parse_link(const nlmsghdr* nlh, LinkInfo& info) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg)) return false;
    const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
    info.ifindex = ifi->ifi_index;
    info.admin_up = ifi->ifi_flags & IFF_UP;
    info.carrier = ifi->ifi_flags & IFF_LOWER_UP;
    bool have_stats64 = false;
    const char* attrs = static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, sizeof(ifinfomsg)));
    for_each_attr(attrs, reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len, [&](const nlattr* a) {
        uint32_t v = 0;
        switch (mnl_attr_get_type(a)) {
            case IFLA_IFNAME:
                info.name = attr_string(a);
                break;
            case IFLA_ADDRESS:
                if (mnl_attr_get_payload_len(a) == info.mac.size())
                    std::memcpy(info.mac.data(), mnl_attr_get_payload(a), info.mac.size());
                break;
            case IFLA_MTU:
                if (attr_u32(a, v)) info.mtu = static_cast<int>(v);
                break;
            case IFLA_LINK:
                if (attr_u32(a, v)) info.link_ifindex = static_cast<int>(v);
                break;
            case IFLA_STATS64:
                parse_stats<rtnl_link_stats64>(a, info);
                have_stats64 = true;
                break;
            case IFLA_STATS:
                if (!have_stats64) parse_stats<rtnl_link_stats>(a, info);
                break;
            case IFLA_LINKINFO:
                for_each_nested(a, [&](const nlattr* n) {
                    if (mnl_attr_get_type(n) == IFLA_INFO_KIND) info.kind = attr_string(n);
                });
                break;
            default:
                break;
        }
    });
    return true;
}

// Sends a link request and returns the one RTM_NEWLINK it answers with.
BasicResult<LinkInfo, NlFailure> get_link_reply(nlmsghdr* req) {
    LinkInfo info;
    bool found = false;
    auto st = exchange(req, [&](const nlmsghdr* nlh) {
        if (nlh->nlmsg_type == RTM_NEWLINK && !found) found = parse_link(nlh, info);
    });
    if (!st.ok()) return st.error();
    if (!found) return NlFailure{ENODEV, "no link in the kernel's reply"};
    return info;
}

// RTM_SETLINK on the device called `name`: the ifi_flags bits in `change`
// become those of `flags`, plus the attributes `fill` adds.
template <typename Fill>
NlStatus set_link(const std::string& name, unsigned change, unsigned flags, Fill&& fill) {
    char buf[kRequestBufferSize];
    ifinfomsg* ifi = nullptr;
    nlmsghdr* nlh = put_link_request(buf, RTM_SETLINK, NLM_F_ACK, &ifi);
    ifi->ifi_change = change;
    ifi->ifi_flags = flags;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    fill(nlh);
    return exchange(nlh);
}

}  // namespace

Result<LinkInfo> get_link(const std::string& name) {
    if (auto st = check_name(name); !st.ok()) return st.error();
    char buf[kRequestBufferSize];
    nlmsghdr* nlh = put_link_request(buf, RTM_GETLINK, NLM_F_ACK);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    auto r = get_link_reply(nlh);
    if (!r.ok()) return make_error("cannot get device {}: {}", name, r.message());
    return std::move(r).value();
}

Result<LinkInfo> get_link(int ifindex) {
    if (ifindex <= 0) return make_error("cannot get device with ifindex {}: invalid ifindex", ifindex);
    char buf[kRequestBufferSize];
    ifinfomsg* ifi = nullptr;
    nlmsghdr* nlh = put_link_request(buf, RTM_GETLINK, NLM_F_ACK, &ifi);
    ifi->ifi_index = ifindex;
    auto r = get_link_reply(nlh);
    if (!r.ok()) return make_error("cannot get device with ifindex {}: {}", ifindex, r.message());
    return std::move(r).value();
}

Result<std::vector<LinkInfo>> dump_links() {
    // An interrupted dump may have skipped or repeated devices; a few
    // retries outlast any burst of changes short of a storm.
    constexpr int kAttempts = 5;
    NlFailure last;
    for (int attempt = 0; attempt < kAttempts; attempt++) {
        char buf[kRequestBufferSize];
        nlmsghdr* nlh = put_link_request(buf, RTM_GETLINK, NLM_F_DUMP);
        std::vector<LinkInfo> links;
        auto st = exchange(nlh, [&](const nlmsghdr* reply) {
            LinkInfo info;
            if (reply->nlmsg_type == RTM_NEWLINK && parse_link(reply, info)) links.push_back(std::move(info));
        });
        if (st.ok()) {
            // Kernels before 6.8 dump in hash-bucket order.
            std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.ifindex < b.ifindex; });
            return links;
        }
        last = st.error();
        if (last.err != EAGAIN) break;
    }
    return make_error("cannot list network devices: {}", describe(last));
}

std::vector<LinkInfo> list_links() {
    auto r = dump_links();
    return r.ok() ? std::move(r).value() : std::vector<LinkInfo>{};
}

Status create_veth(const std::string& name, const std::string& peer_name) {
    for (const std::string* n : {&name, &peer_name})
        if (auto st = check_name(*n); !st.ok())
            return make_error("cannot create veth {}/{}: {}", name, peer_name, st.message());
    char buf[kRequestBufferSize];
    nlmsghdr* nlh = put_link_request(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    nlattr* linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
    nlattr* data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    // VETH_INFO_PEER holds the peer's own ifinfomsg followed by its attributes.
    nlattr* peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
    auto* peer_ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload_tail(nlh));
    std::memset(peer_ifi, 0, sizeof *peer_ifi);
    peer_ifi->ifi_family = AF_UNSPEC;
    nlh->nlmsg_len += MNL_ALIGN(sizeof *peer_ifi);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name.c_str());
    mnl_attr_nest_end(nlh, peer);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, linkinfo);
    if (auto st = exchange(nlh); !st.ok())
        return make_error("cannot create veth {}/{}: {}", name, peer_name, st.message());
    return {};
}

Status delete_link(const std::string& name) {
    if (auto st = check_name(name); !st.ok()) return make_error("cannot delete device {}: {}", name, st.message());
    char buf[kRequestBufferSize];
    nlmsghdr* nlh = put_link_request(buf, RTM_DELLINK, NLM_F_ACK);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, name.c_str());
    if (auto st = exchange(nlh); !st.ok()) return make_error("cannot delete device {}: {}", name, st.message());
    return {};
}

Status set_up(const std::string& name, bool up) {
    const char* what = up ? "up" : "down";
    if (auto st = check_name(name); !st.ok()) return make_error("cannot set {} {}: {}", name, what, st.message());
    auto st = set_link(name, IFF_UP, up ? IFF_UP : 0, [](nlmsghdr*) {});
    if (!st.ok()) return make_error("cannot set {} {}: {}", name, what, st.message());
    return {};
}

Status set_mac(const std::string& name, const std::array<uint8_t, 6>& mac) {
    const std::string text =
        fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    if (auto st = check_name(name); !st.ok())
        return make_error("cannot set MAC of {} to {}: {}", name, text, st.message());
    auto st = set_link(name, 0, 0, [&](nlmsghdr* nlh) { mnl_attr_put(nlh, IFLA_ADDRESS, mac.size(), mac.data()); });
    if (!st.ok()) return make_error("cannot set MAC of {} to {}: {}", name, text, st.message());
    return {};
}

Status set_mtu(const std::string& name, int mtu) {
    if (auto st = check_name(name); !st.ok())
        return make_error("cannot set MTU of {} to {}: {}", name, mtu, st.message());
    if (mtu <= 0) return make_error("cannot set MTU of {} to {}: not a positive number", name, mtu);
    auto st = set_link(name, 0, 0, [&](nlmsghdr* nlh) { mnl_attr_put_u32(nlh, IFLA_MTU, static_cast<uint32_t>(mtu)); });
    if (!st.ok()) return make_error("cannot set MTU of {} to {}: {}", name, mtu, st.message());
    return {};
}

namespace {

// A non-blocking notification socket for 'groups'. A burst of changes (a
// bridge's ports created at once) should not cost a resync: SO_RCVBUFFORCE
// exceeds rmem_max when we may.
Result<UniqueFd> open_monitor(uint32_t groups, const char* what) {
    auto fd = open_rtnl(groups, SOCK_NONBLOCK);
    if (!fd.ok()) return make_error("cannot open {} monitor: {}", what, describe(fd.error()));
    int size = 1 << 20;
    if (::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        (void)::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    return std::move(fd).value();
}

// Reads every pending notification without blocking: each message to
// 'on_msg', and 'on_lost' once when some were lost.
void drain_notifications(int fd, const std::function<void(const nlmsghdr*)>& on_msg,
                         const std::function<void()>& on_lost) {
    std::vector<char> buf(kRecvBufferSize);
    bool resync_reported = false;
    for (;;) {
        ssize_t n = recv_from_kernel(fd, buf.data(), buf.size());
        if (n < 0) {
            // ENOBUFS: notifications were dropped. ENOSPC: one did not fit
            // (and is gone). Either way only a full re-read is accurate; the
            // socket keeps delivering what comes after.
            if (errno == ENOBUFS || errno == ENOSPC) {
                if (!resync_reported) on_lost();
                resync_reported = true;
                continue;
            }
            return;  // EAGAIN: nothing more pending
        }
        int len = static_cast<int>(n);
        for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
             nlh = mnl_nlmsg_next(nlh, &len))
            on_msg(nlh);
    }
}

}  // namespace

Result<std::unique_ptr<LinkMonitor>> LinkMonitor::open() {
    auto fd = open_monitor(RTMGRP_LINK, "link");
    if (!fd.ok()) return fd.error();
    return std::unique_ptr<LinkMonitor>(new LinkMonitor(std::move(fd).value()));
}

void LinkMonitor::drain(const std::function<void(const Event&)>& fn) {
    drain_notifications(
        fd_.get(),
        [&](const nlmsghdr* nlh) {
            if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return;
            LinkInfo info;
            if (!parse_link(nlh, info)) return;
            fn(Event{info.ifindex, std::move(info.name), nlh->nlmsg_type == RTM_DELLINK});
        },
        [&] { fn(Event{0, {}, false}); });
}

// ---- Routes, addresses, neighbours -----------------------------------------

namespace {

std::string ifname_of(int ifindex) {
    auto l = get_link(ifindex);
    return l.ok() ? l->name : std::string();
}

// An address attribute of 'family' in the 16-byte form.
bool attr_addr(const nlattr* a, uint8_t family, Addr16& out) {
    size_t n = family == AF_INET ? 4 : 16;
    if (mnl_attr_get_payload_len(a) < n) return false;
    out = {};
    if (family == AF_INET) {
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, mnl_attr_get_payload(a), 4);
    } else {
        std::memcpy(out.data(), mnl_attr_get_payload(a), 16);
    }
    return true;
}

const char* attrs_after(const nlmsghdr* nlh, size_t fixed) {
    return static_cast<const char*>(mnl_nlmsg_get_payload_offset(nlh, fixed));
}
const char* msg_end(const nlmsghdr* nlh) { return reinterpret_cast<const char*>(nlh) + nlh->nlmsg_len; }

// An RTM_NEWROUTE worth keeping (Open vSwitch's route_table_parse()), but
// only of the main, default and local tables: OVS 3.1 takes every table,
// policy-routing tables included, which later versions stopped doing.
bool parse_route(const nlmsghdr* nlh, RouteInfo& r) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg)) return false;
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return false;
    if (rtm->rtm_scope == RT_SCOPE_NOWHERE || (rtm->rtm_type != RTN_UNICAST && rtm->rtm_type != RTN_LOCAL)) return false;
    uint32_t table = rtm->rtm_table;
    bool v4 = rtm->rtm_family == AF_INET;
    r = RouteInfo{};
    r.plen = rtm->rtm_dst_len + (v4 ? 96 : 0);
    r.local = rtm->rtm_type == RTN_LOCAL;
    if (v4) r.dst[10] = r.dst[11] = 0xff;  // 0.0.0.0 without RTA_DST
    for_each_attr(attrs_after(nlh, sizeof(rtmsg)), msg_end(nlh), [&](const nlattr* a) {
        uint32_t v = 0;
        switch (mnl_attr_get_type(a)) {
            case RTA_DST: attr_addr(a, rtm->rtm_family, r.dst); break;
            case RTA_GATEWAY: attr_addr(a, rtm->rtm_family, r.gw); break;
            case RTA_OIF: if (attr_u32(a, v)) r.ifindex = static_cast<int>(v); break;
            case RTA_MARK: attr_u32(a, r.mark); break;
            case RTA_TABLE: attr_u32(a, table); break;
            default: break;
        }
    });
    // (A route without a device leads nowhere.)
    return r.ifindex && (table == RT_TABLE_MAIN || table == RT_TABLE_DEFAULT || table == RT_TABLE_LOCAL);
}

bool parse_addr(const nlmsghdr* nlh, AddrInfo& ai) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifaddrmsg)) return false;
    const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
    if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) return false;
    ai = AddrInfo{};
    ai.ifindex = static_cast<int>(ifa->ifa_index);
    ai.plen = ifa->ifa_prefixlen + (ifa->ifa_family == AF_INET ? 96 : 0);
    bool have = false, have_local = false;
    for_each_attr(attrs_after(nlh, sizeof(ifaddrmsg)), msg_end(nlh), [&](const nlattr* a) {
        // IFA_LOCAL is the address of a point-to-point link's near end.
        if (mnl_attr_get_type(a) == IFA_LOCAL) have = have_local = attr_addr(a, ifa->ifa_family, ai.addr);
        if (mnl_attr_get_type(a) == IFA_ADDRESS && !have_local) have = attr_addr(a, ifa->ifa_family, ai.addr);
    });
    return have;
}

bool parse_neigh(const nlmsghdr* nlh, NeighInfo& n) {
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ndmsg)) return false;
    const auto* nd = static_cast<const ndmsg*>(mnl_nlmsg_get_payload(nlh));
    if (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6) return false;
    n = NeighInfo{};
    n.ifindex = nd->ndm_ifindex;
    n.valid = nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP);
    bool have_ip = false, have_mac = false;
    for_each_attr(attrs_after(nlh, sizeof(ndmsg)), msg_end(nlh), [&](const nlattr* a) {
        if (mnl_attr_get_type(a) == NDA_DST) have_ip = attr_addr(a, nd->ndm_family, n.ip);
        if (mnl_attr_get_type(a) == NDA_LLADDR && mnl_attr_get_payload_len(a) == 6) {
            std::memcpy(n.mac.data(), mnl_attr_get_payload(a), 6);
            have_mac = true;
        }
    });
    if (!have_mac) n.valid = false;
    return have_ip;
}

// A dump of 'type' (RTM_GETROUTE, RTM_GETADDR, RTM_GETNEIGH) for both
// families, each reply through 'parse', retried when interrupted.
template <typename T>
Result<std::vector<T>> dump(uint16_t type, size_t fixed, bool (*parse)(const nlmsghdr*, T&), const char* what) {
    NlFailure last;
    for (int attempt = 0; attempt < 5; attempt++) {
        char buf[kRequestBufferSize];
        nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        auto* hdr = static_cast<uint8_t*>(mnl_nlmsg_put_extra_header(nlh, fixed));
        hdr[0] = AF_UNSPEC;  // the family is the first byte of rtmsg, ifaddrmsg and ndmsg
        std::vector<T> out;
        auto st = exchange(nlh, [&](const nlmsghdr* reply) {
            T t;
            if (reply->nlmsg_type == type - 2 /* RTM_NEW* */ && parse(reply, t)) out.push_back(std::move(t));
        });
        if (st.ok()) {
            // Device names from one listing (an entry whose device went
            // meanwhile is left out).
            auto links = dump_links();
            if (!links.ok()) return links.error();
            std::map<int, std::string> names;
            for (const auto& l : *links) names[l.ifindex] = l.name;
            std::erase_if(out, [&](T& t) {
                auto it = names.find(t.ifindex);
                if (it == names.end()) return true;
                t.ifname = it->second;
                return false;
            });
            return out;
        }
        last = st.error();
        if (last.err != EAGAIN) break;
    }
    return make_error("cannot list {}: {}", what, describe(last));
}

}  // namespace

Result<std::vector<RouteInfo>> dump_routes() { return dump<RouteInfo>(RTM_GETROUTE, sizeof(rtmsg), parse_route, "routes"); }
Result<std::vector<AddrInfo>> dump_addresses() {
    return dump<AddrInfo>(RTM_GETADDR, sizeof(ifaddrmsg), parse_addr, "addresses");
}
Result<std::vector<NeighInfo>> dump_neighbours() {
    return dump<NeighInfo>(RTM_GETNEIGH, sizeof(ndmsg), parse_neigh, "neighbours");
}

Result<std::unique_ptr<NetMonitor>> NetMonitor::open() {
    auto fd = open_monitor(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
                               RTMGRP_NEIGH,
                           "route");
    if (!fd.ok()) return fd.error();
    return std::unique_ptr<NetMonitor>(new NetMonitor(std::move(fd).value()));
}

void NetMonitor::drain(const std::function<void(const Event&)>& fn) {
    drain_notifications(
        fd_.get(),
        [&](const nlmsghdr* nlh) {
            switch (nlh->nlmsg_type) {
                case RTM_NEWROUTE:
                case RTM_DELROUTE:
                    return fn(Event{Event::Route, {}, false});
                case RTM_NEWADDR:
                case RTM_DELADDR:
                    return fn(Event{Event::Addr, {}, false});
                case RTM_NEWNEIGH:
                case RTM_DELNEIGH: {
                    NeighInfo ni;
                    if (!parse_neigh(nlh, ni)) return;
                    ni.ifname = ifname_of(ni.ifindex);
                    if (!ni.ifname.empty()) fn(Event{Event::Neigh, std::move(ni), nlh->nlmsg_type == RTM_DELNEIGH});
                    return;
                }
                default:
                    return;
            }
        },
        [&] { fn(Event{Event::Resync, {}, false}); });
}

}  // namespace xvs::netdev
