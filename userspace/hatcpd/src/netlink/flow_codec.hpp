// SPDX-License-Identifier: GPL-2.0
#pragma once

#include <netlink/attr.h>

#include "model/flow.hpp"

namespace hatcp::netlink {

// The inside of a HATCP_A_FLOW nest. Unknown attributes are ignored; a known
// one that is absent leaves its field at the default (nullopt for the
// optional ones). Throws ProtocolError for a known one of the wrong length.
Flow read_flow(nlattr* nest);

} // namespace hatcp::netlink
