// SPDX-License-Identifier: GPL-2.0
#include "option_values.hpp"

#include <fmt/format.h>

#include "byte_size.hpp"
#include "endpoint.hpp"
#include "parsed_options.hpp"

namespace hatcp::testtools {

CLI::Validator byte_size_in(std::uint64_t min, std::uint64_t max)
{
    return CLI::Validator{
        [min, max](std::string& text) -> std::string {
            const auto value = parse_byte_size(text);
            if (!value) {
                return fmt::format("'{}' is not a byte count (digits and an optional k, M or G)", text);
            }
            if (*value < min || *value > max) {
                return fmt::format("{} is out of range [{}, {}]", *value, min, max);
            }
            return {};
        },
        "SIZE[k|M|G]"};
}

CLI::Validator unsigned_decimal()
{
    return CLI::Validator{
        [](std::string& text) -> std::string {
            if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
                return fmt::format("'{}' is not an unsigned decimal number", text);
            }
            return {};
        },
        "UINT"};
}

CLI::Validator ipv4_endpoint(bool allow_port_zero)
{
    return CLI::Validator{
        [allow_port_zero](std::string& text) -> std::string {
            const auto address = parse_ipv4_endpoint(text);
            if (!address) {
                return fmt::format("'{}' is not an IPv4 ADDR:PORT", text);
            }
            if (!allow_port_zero && address->sin_port == 0) {
                return fmt::format("'{}' needs a port other than 0", text);
            }
            return {};
        },
        "ADDR:PORT"};
}

ParseStatus run_parser(CLI::App& app, int argc, const char* const* argv)
{
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return {.exit_code = 0, .message = app.help()};
    } catch (const CLI::ParseError& error) {
        return {.exit_code = usage_exit_code,
                .message = fmt::format("{}: {}\nRun with --help for more information.", app.get_name(), error.what())};
    }
    return {};
}

} // namespace hatcp::testtools
