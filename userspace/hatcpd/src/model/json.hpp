// SPDX-License-Identifier: GPL-2.0
#pragma once

// Only the declarations: the structs stay cheap to include, and the code
// that builds JSON includes <nlohmann/json.hpp> itself.
#include <nlohmann/json_fwd.hpp>

namespace hatcp {

// Keys keep the order we insert them in, so the output reads like the text
// form and like the uapi enums.
using Json = nlohmann::ordered_json;

} // namespace hatcp
