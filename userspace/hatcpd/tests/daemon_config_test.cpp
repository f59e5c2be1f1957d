// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>
