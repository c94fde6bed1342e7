// xvs-ofctl's OpenFlow connection, as ovs-ofctl's vconn behaves: targets
// named like ovs-ofctl names them (a bridge, a socket file, unix:PATH,
// tcp:IP:PORT), hello negotiation, blocking send and receive, and the
// request patterns ovs-ofctl uses (a request and its reply; a request that
// only answers on error, followed by a barrier). Transaction ids come from
// one counter for the whole process, as in ovs-ofctl, so that the xids in
// printed replies are the same.
//
// Failures end the program the way ovs-ofctl's do: a message on stderr
// ("xvs-ofctl: ...") and exit status 1.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ofproto/ofp_msgs.h"
#include "util/stream.h"

namespace xvs::ofctl {

using ofproto::Bytes;

// Prints "xvs-ofctl: MESSAGE" on stderr and exits 1.
[[noreturn]] void fatal(const std::string& message);

// The next transaction id (1, 2, 3, ... for the whole process).
uint32_t alloc_xid();

class Vconn {
public:
    // Connects to 'target' and negotiates a version among 'versions' (bit
    // N = OpenFlow wire version N). 'rundir' is where bridge names lead
    // (<rundir>/<bridge>.mgmt).
    // 'suffix' is "mgmt", or "snoop" for a bridge's snoop socket.
    static std::unique_ptr<Vconn> open(const std::string& target, uint32_t versions, const std::string& rundir,
                                       const std::string& suffix = "mgmt");

    uint8_t version() const { return version_; }
    const std::string& name() const { return name_; }
    int fd() const { return stream_->fd(); }

    // Sends 'msg' (waits until the socket takes it).
    void send(const Bytes& msg);
    // The next message (waits for it); fatal on a closed connection.
    Bytes recv();
    // A message if one has arrived, else nothing (never waits); sets
    // *closed when the connection is gone.
    std::optional<Bytes> try_recv(bool* closed);

    // Sends 'request' and waits for the reply with its xid (others are dropped).
    Bytes transact(const Bytes& request);
    // Sends 'request' and a barrier; returns the message with the request's
    // xid (an error) if one came before the barrier's reply.
    std::optional<Bytes> transact_noreply(const Bytes& request);

private:
    Vconn(std::unique_ptr<Stream> stream, std::string name) : stream_(std::move(stream)), name_(std::move(name)) {}
    void handshake(uint32_t versions);
    std::optional<Bytes> take_message();
    bool fill(bool block);

    std::unique_ptr<Stream> stream_;
    std::string name_;
    uint8_t version_ = 0;
    std::string in_;
};

}  // namespace xvs::ofctl
