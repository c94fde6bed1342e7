#include "tools/ofctl_vconn.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/stat.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ofproto/ofp_replies.h"
#include "tools/ofctl_protocol.h"

namespace xvs::ofctl {

using namespace ofproto;

void fatal(const std::string& message) {
    std::fflush(stdout);
    std::fprintf(stderr, "xvs-ofctl: %s\n", message.c_str());
    std::exit(EXIT_FAILURE);
}

uint32_t alloc_xid() {
    static uint32_t next = 1;
    return next++;
}

namespace {

// Starts connecting to 'spec'; nullptr with *err set when that fails at once.
std::unique_ptr<Stream> start_connect(const std::string& spec, const std::string& rundir, int* err) {
    StreamSpecDefaults defaults{.port = 6653, .rundir = rundir};
    auto parsed = parse_stream_spec(spec, defaults);
    if (!parsed) {
        *err = EAFNOSUPPORT;
        return nullptr;
    }
    int sys_error = 0;
    auto s = Stream::open(*parsed, &sys_error);
    if (!s) {
        *err = sys_error ? sys_error : EPROTO;
        return nullptr;
    }
    return std::move(*s);
}

void wait_fd(int fd, short events) {
    pollfd p{fd, events, 0};
    while (::poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
}

}  // namespace

std::unique_ptr<Vconn> Vconn::open(const std::string& target, uint32_t versions, const std::string& rundir,
                                   const std::string& suffix) {
    std::unique_ptr<Stream> stream;
    int err = 0;
    if (target.find(':') != std::string::npos) {
        stream = start_connect(target, rundir, &err);
        if (!stream) fatal(fmt::format("connecting to {} ({})", target, std::strerror(err)));
    } else {
        // A socket file, then <rundir>/<bridge>.mgmt, as ovs-ofctl tries them.
        // Only "no such file" moves on to the next candidate.
        for (const std::string& path : {target, rundir + "/" + target + "." + suffix}) {
            std::string abs = path.starts_with("/") ? path : rundir + "/" + path;
            stream = start_connect("unix:" + abs, rundir, &err);
            if (stream) break;
            if (err != ENOENT) fatal(fmt::format("{}: failed to open socket ({})", path, std::strerror(err)));
        }
        if (!stream) fatal(fmt::format("{} is not a bridge or a socket", target));
    }
    std::unique_ptr<Vconn> v(new Vconn(std::move(stream), target));
    v->handshake(versions);
    return v;
}

void Vconn::handshake(uint32_t versions) {
    auto failed = [&](int e) { fatal(fmt::format("{}: failed to connect to socket ({})", name_, std::strerror(e))); };
    while (stream_->state() == Stream::State::Connecting) {
        wait_fd(stream_->fd(), POLLOUT);
        stream_->poll_connect();
    }
    if (stream_->state() != Stream::State::Connected) {
        // A refused connection: ovs-ofctl sees it when it opens the target.
        fatal(fmt::format("connecting to {} ({})", name_, std::strerror(ECONNREFUSED)));
    }
    send(encode_hello(versions, alloc_xid()));
    bool closed = false;
    std::optional<Bytes> hello;
    while (!(hello = try_recv(&closed))) {
        if (closed) failed(ECONNRESET);
        wait_fd(stream_->fd(), POLLIN);
    }
    auto id = ofp_identify(*hello);
    if (!id || id->kind != OfpMsgKind::Hello) failed(EPROTO);
    uint32_t peer = decode_hello_versions(*hello);
    uint32_t common = peer & versions;
    if (!common) {
        // Tell the peer, as ovs-ofctl does, then give up.
        std::string why = fmt::format("We support {}, you support {}, no common versions.",
                                      version_bitmap_numbers(versions), version_bitmap_numbers(peer));
        uint8_t v = uint8_t(31 - std::countl_zero(peer));
        send(encode_error(v, OfpErr::OFPHFC_INCOMPATIBLE,
                          std::span(reinterpret_cast<const uint8_t*>(why.data()), why.size()), 0));
        failed(EPROTO);
    }
    version_ = uint8_t(31 - std::countl_zero(common));
}

void Vconn::send(const Bytes& msg) {
    stream_->send(std::string_view(reinterpret_cast<const char*>(msg.data()), msg.size()));
    while (stream_->state() == Stream::State::Connected && stream_->backlog()) {
        wait_fd(stream_->fd(), POLLOUT);
        stream_->flush();
    }
    if (stream_->state() != Stream::State::Connected) fatal("failed to send packet to switch (Broken pipe)");
}

std::optional<Bytes> Vconn::take_message() {
    if (in_.size() < kOfpHeaderLen) return std::nullopt;
    size_t len = uint16_t(uint8_t(in_[2]) << 8 | uint8_t(in_[3]));
    if (len < kOfpHeaderLen) fatal("OpenFlow packet receive failed (Protocol error)");
    if (in_.size() < len) return std::nullopt;
    Bytes msg(in_.begin(), in_.begin() + len);
    in_.erase(0, len);
    return msg;
}

bool Vconn::fill(bool block) {
    for (;;) {
        size_t n = stream_->recv(in_, 65536);
        if (n) return true;
        if (stream_->state() != Stream::State::Connected) return false;
        if (!block) return true;
        wait_fd(stream_->fd(), POLLIN);
    }
}

std::optional<Bytes> Vconn::try_recv(bool* closed) {
    *closed = false;
    if (auto m = take_message()) return m;
    if (!fill(false)) {
        *closed = true;
        return std::nullopt;
    }
    return take_message();
}

Bytes Vconn::recv() {
    for (;;) {
        if (auto m = take_message()) return *m;
        if (!fill(true)) {
            fatal(fmt::format("OpenFlow packet receive failed ({})",
                              stream_->closed_by_peer() ? "End of file" : stream_->error()));
        }
    }
}

Bytes Vconn::transact(const Bytes& request) {
    uint32_t xid = ofp_header(request).xid;
    send(request);
    for (;;) {
        Bytes reply = recv();
        if (ofp_header(reply).xid == xid) return reply;
    }
}

std::optional<Bytes> Vconn::transact_noreply(const Bytes& request) {
    uint32_t xid = ofp_header(request).xid;
    send(request);
    Bytes barrier = *encode_empty_request(OfpMsgKind::BarrierRequest, version_, alloc_xid());
    uint32_t barrier_xid = ofp_header(barrier).xid;
    send(barrier);
    std::optional<Bytes> reply;
    for (;;) {
        Bytes msg = recv();
        uint32_t x = ofp_header(msg).xid;
        if (x == xid) {
            reply = std::move(msg);
        } else if (x == barrier_xid) {
            return reply;
        }
    }
}

}  // namespace xvs::ofctl
