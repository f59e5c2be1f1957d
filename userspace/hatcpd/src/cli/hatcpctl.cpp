// SPDX-License-Identifier: GPL-2.0
#include "cli/hatcpctl.hpp"

#include <variant>

#include "cli/command_line.hpp"
#include "cli/error_message.hpp"
#include "cli/run_command.hpp"

namespace hatcp::cli {

int run_hatcpctl(const std::vector<std::string>& args, const Environment& environment, std::ostream& out,
                 std::ostream& err)
{
    try {
        const ParseOutcome outcome = parse_command_line(args, out);
        if (const auto* early = std::get_if<EarlyExit>(&outcome)) {
            return early->status;
        }
        const std::unique_ptr<Control> control = environment.connect();
        run_command(std::get<Invocation>(outcome), *control, out, err, environment.device_name);
        out.flush();
        return 0;
    } catch (const std::exception& error) {
        const Failure failure = describe_failure(error);
        err << "hatcpctl: " << failure.reason << '\n';
        return failure.exit_status;
    } catch (...) {
        err << "hatcpctl: unexpected error\n";
        return 1;
    }
}

} // namespace hatcp::cli
