// Small queries about network devices.
#pragma once

#include <string>

namespace xvs::loader {

// The driver name ethtool reports ("veth", "virtio_net", ...), or "".
std::string netdev_driver(const std::string& ifname);

}  // namespace xvs::loader
