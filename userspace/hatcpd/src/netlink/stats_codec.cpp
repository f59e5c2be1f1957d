// SPDX-License-Identifier: GPL-2.0
#include "netlink/stats_codec.hpp"

#include <linux/hatcp.h>

#include "netlink/attribute_io.hpp"

namespace hatcp::netlink {

Stats read_stats(nlattr* nest)
{
    Stats stats;
    for_each_nested(nest, [&stats](const nlattr* attr) {
        const int type = nla_type(attr);
        if (type == HATCP_STATS_A_UNSPEC || type == HATCP_STATS_A_PAD) {
            return; // alignment padding for the u64 counters
        }
        // Counters are read by length so that a newer kernel's u64 or u32
        // counters show up too.
        if (const auto value = read_unsigned(attr)) {
            stats.counters.push_back({static_cast<std::uint16_t>(type), *value});
        }
    });
    return stats;
}

} // namespace hatcp::netlink
