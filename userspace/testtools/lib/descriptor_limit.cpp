// SPDX-License-Identifier: GPL-2.0
#include "descriptor_limit.hpp"

#include <sys/resource.h>

namespace hatcp::testtools {

long raise_descriptor_limit() noexcept
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return -1;
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            getrlimit(RLIMIT_NOFILE, &limit);
        }
    }
    return static_cast<long>(limit.rlim_cur);
}

} // namespace hatcp::testtools
