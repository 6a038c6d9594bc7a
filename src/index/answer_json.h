// The service's error body; the answers, records and statistics are written by the
// append_*_json() functions of doppel/index.h (same file). Pure functions.
#pragma once

#include <string>
#include <string_view>

#include "doppel/index.h"

namespace doppel {

// {"error":{"code":CODE,"message":"..."}}
std::string error_json(int code, std::string_view message);

}  // namespace doppel
