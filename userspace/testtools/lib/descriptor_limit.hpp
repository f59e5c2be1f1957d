// SPDX-License-Identifier: GPL-2.0
#pragma once

namespace hatcp::testtools {

// Raises the soft RLIMIT_NOFILE to the hard limit: a test with thousands of
// connections must not stop at the shell's default of 1024 descriptors.
// Returns the soft limit in force afterwards.
long raise_descriptor_limit() noexcept;

} // namespace hatcp::testtools
