#include "ofproto/collectors.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace xvs::ofproto {

Result<CollectorTarget> parse_collector_target(const std::string& text, uint16_t default_port, const char* what) {
    CollectorTarget t;
    t.text = text;
    t.port = default_port;
    std::string host = text, port;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) return make_error("{} target {}: no closing ']'", what, text);
        host = text.substr(1, close - 1);
        if (close + 1 < text.size()) {
            if (text[close + 1] != ':') return make_error("{} target {}: expected ':' after ']'", what, text);
            port = text.substr(close + 2);
        }
        t.v6 = true;
    } else if (auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    } else if (text.find(':') != std::string::npos) {
        t.v6 = true;  // a bare IPv6 address
    }
    if (!port.empty()) {
        auto p = parse_uint(port, 65535);
        if (!p || *p == 0) return make_error("{} target {}: bad port \"{}\"", what, text, port);
        t.port = uint16_t(*p);
    }
    if (t.port == 0) return make_error("{} target {}: a port is required", what, text);
    if (t.v6) {
        auto a = parse_ipv6(host);
        if (!a) return make_error("{} target {}: {}", what, text, a.message());
        t.addr = *a;
    } else {
        auto a = parse_ipv4(host);
        if (!a) return make_error("{} target {}: not an IP address (host names are not looked up)", what, text);
        std::memcpy(t.addr.data(), &*a, 4);
    }
    return t;
}

Result<Collectors> Collectors::open(const std::vector<std::string>& targets, uint16_t default_port, const char* what) {
    if (targets.empty()) return make_error("{} needs at least one target", what);
    Collectors c;
    for (const auto& text : targets) {
        auto t = parse_collector_target(text, default_port, what);
        if (!t) return t.error();
        UniqueFd fd(socket(t->v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) return make_error("{} target {}: socket: {}", what, text, std::strerror(errno));
        sockaddr_storage ss{};
        socklen_t len;
        if (t->v6) {
            auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
            s6->sin6_family = AF_INET6;
            s6->sin6_port = htons(t->port);
            std::memcpy(&s6->sin6_addr, t->addr.data(), 16);
            len = sizeof *s6;
        } else {
            auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
            s4->sin_family = AF_INET;
            s4->sin_port = htons(t->port);
            std::memcpy(&s4->sin_addr, t->addr.data(), 4);
            len = sizeof *s4;
        }
        if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
            return make_error("{} target {}: {}", what, text, std::strerror(errno));
        c.fds_.push_back(std::move(fd));
    }
    return c;
}

void Collectors::send(std::span<const uint8_t> datagram) {
    for (const auto& fd : fds_) {
        if (::send(fd.get(), datagram.data(), datagram.size(), 0) < 0)
            errors_++;
        else
            sent_++;
    }
}

bool Collectors::local_address(Ip6& addr, bool& v6) const {
    if (fds_.empty()) return false;
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (getsockname(fds_.front().get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return false;
    addr = {};
    if (ss.ss_family == AF_INET) {
        std::memcpy(addr.data(), &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, 4);
        v6 = false;
        return addr[0] || addr[1] || addr[2] || addr[3];
    }
    std::memcpy(addr.data(), &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, 16);
    v6 = true;
    return true;
}

}  // namespace xvs::ofproto
