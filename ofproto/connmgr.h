// A bridge's OpenFlow connections ("connection manager"): the service
// socket <rundir>/<bridge>.mgmt that ovs-ofctl talks to, the controllers of
// the database (active tcp:/unix: with reconnection and backoff, passive
// ptcp:/punix: listeners), the hello/version negotiation, per-connection
// state (flow format, packet-in format, controller id, role, asynchronous
// message masks, miss_send_len), and the handling of every request against
// the switch. Asynchronous messages (packet-in, port status, flow removed)
// go to the connections that asked for them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ofproto/ofp_msgs.h"
#include "ofproto/xlate.h"
#include "util/poll_loop.h"

namespace xvs::ofproto {

class Switch;

struct OfControllerConfig {
    std::string target;                 // tcp:IP[:PORT], unix:PATH, ptcp:PORT[:IP], punix:PATH
    int inactivity_probe_ms = 5000;     // 0: no probes
    int max_backoff_ms = 8000;
    bool operator==(const OfControllerConfig&) const = default;
};

struct OfServiceConfig {
    std::string mgmt_path;  // the service socket; empty: none
    std::vector<OfControllerConfig> controllers;
    // Bridge "protocols": bit N = OpenFlow wire version N allowed.
    uint32_t allowed_versions = (1u << kOfp10) | (1u << kOfp11) | (1u << kOfp12) | (1u << kOfp13) | (1u << kOfp14) |
                                (1u << kOfp15);
    uint64_t datapath_id = 0;
    std::string rundir;  // relative unix:/punix: controller paths
    bool operator==(const OfServiceConfig&) const = default;
};

// Status of one controller connection, for the Controller table.
struct OfControllerStatus {
    std::string target;
    bool is_connected = false;
    std::string role;  // "other", "master", "slave"
    std::string state; // "VOID", "BACKOFF", "CONNECTING", "ACTIVE", "IDLE"
    std::string last_error;
    uint32_t sec_since_connect = 0, sec_since_disconnect = 0;
};

class ConnMgr {
public:
    ConnMgr(PollLoop& loop, Switch& sw, std::string bridge);
    ~ConnMgr();
    ConnMgr(const ConnMgr&) = delete;
    ConnMgr& operator=(const ConnMgr&) = delete;

    // Opens, closes and reconnects to match 'config'. Errors (a socket that
    // cannot be bound) are returned as text per target and logged.
    std::map<std::string, std::string> configure(const OfServiceConfig& config);

    // Asynchronous messages.
    void send_packet_in(const PacketInSpec& spec, std::span<const uint8_t> packet, uint32_t total_len);
    // Port status for every port added, deleted or changed (configuration,
    // state, address) since the last call; also runs once a second (link
    // state). 'source' made the change by a port mod: before OpenFlow 1.5
    // it is not told (as Open vSwitch does).
    struct Conn;
    void sync_ports(const Conn* source = nullptr);
    void send_flow_removed(const OfpFlowRemoved& fr);

    std::vector<OfControllerStatus> controller_status() const;
    size_t n_connections() const;
    // Whether some controller connection wants table misses sent to it
    // (OpenFlow 1.0-1.2 primary connections do by default).
    bool wants_packet_in_on_miss() const;

    struct Remote;

private:
    void accept_on(Remote& r);
    void start_connect(Remote& r);
    void add_conn(std::unique_ptr<Conn> c);
    void conn_io(Conn& c, short revents);
    void close_conn(Conn& c, const std::string& why);
    void handle(Conn& c, std::span<const uint8_t> msg);
    void dispatch(Conn& c, std::span<const uint8_t> msg, const OfpHeader& h);
    void send(Conn& c, Bytes msg);
    void send_error(Conn& c, const OfpError& e, std::span<const uint8_t> request);
    bool receives_async(const Conn& c, int kind, uint8_t reason) const;
    void reap_closed();
    void probe(Conn& c);

    // Request handlers. The mods return their error (nullopt: done) and
    // add the flow-removed records they cause to 'removed' (the caller
    // sends them): bundles apply them too.
    using Removed = std::vector<OfpFlowRemoved>;
    std::optional<OfpError> flow_mod(Conn& c, std::span<const uint8_t> msg, Removed& removed);
    std::optional<OfpError> group_mod(Conn& c, std::span<const uint8_t> msg, Removed& removed);
    std::optional<OfpError> meter_mod(Conn& c, std::span<const uint8_t> msg, Removed& removed);
    std::optional<OfpError> packet_out(Conn& c, std::span<const uint8_t> msg);
    std::optional<OfpError> port_mod(Conn& c, std::span<const uint8_t> msg);
    // Runs a mod and answers it: its error, or the flow-removed messages.
    template <typename Fn>
    void reply_to_mod(Conn& c, std::span<const uint8_t> msg, Fn&& mod);
    void handle_role(Conn& c, std::span<const uint8_t> msg);
    void handle_bundle_control(Conn& c, std::span<const uint8_t> msg);
    void handle_bundle_add(Conn& c, std::span<const uint8_t> msg);
    std::optional<OfpError> commit_bundle(Conn& c, uint32_t id, uint16_t flags);
    std::vector<OfpPortInfo> ports() const;

    PollLoop& loop_;
    Switch& sw_;
    std::string bridge_;
    OfServiceConfig config_;
    std::vector<std::unique_ptr<Remote>> remotes_;
    std::vector<std::unique_ptr<Conn>> conns_;
    uint64_t generation_id_ = 0;
    bool have_generation_ = false;
    PollLoop::Timer reap_;
    std::map<uint32_t, OfpPortInfo> known_ports_;
    bool ports_known_ = false;
    PollLoop::Timer port_poll_;
};

}  // namespace xvs::ofproto
