// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <optional>

#include <linux/netlink.h>

#include "model/event.hpp"

namespace hatcp::netlink {

// A message from the "events" multicast group. nullopt for anything that is
// not HATCP_CMD_EVENT; an event of an unknown type keeps its number. Throws
// ProtocolError when the event or a known attribute is malformed.
std::optional<Event> decode_event_message(nlmsghdr* header);

} // namespace hatcp::netlink
