// SPDX-License-Identifier: GPL-2.0
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include "echod_options.hpp"
#include "verify_options.hpp"

namespace hatcp::testtools {
namespace {

ParsedOptions<VerifyOptions> verify(std::vector<std::string> words)
{
    words.insert(words.begin(), "hatcp-verify");
    return parse_verify_options(words);
}

ParsedOptions<EchodOptions> echod(std::vector<std::string> words)
{
    words.insert(words.begin(), "hatcp-echod");
    return parse_echod_options(words);
}

TEST(VerifyOptions, Defaults)
{
    const auto parsed = verify({"--connect", "127.0.0.1:5000"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    const auto& options = *parsed.options;
    EXPECT_EQ(options.mode, VerifyMode::stream);
    EXPECT_EQ(ntohs(options.target.sin_port), 5000);
    EXPECT_EQ(options.conns, 1U);
    EXPECT_EQ(options.bytes, 1U << 20U);
    EXPECT_EQ(options.chunk, 64U * 1024U);
    EXPECT_EQ(options.pattern, PatternKind::random);
    EXPECT_FALSE(options.half_close);
    EXPECT_FALSE(options.json);
}

TEST(VerifyOptions, Everything)
{
    const auto parsed = verify({"--connect", "10.0.0.2:80", "--conns", "200", "--bytes", "4G", "--seed", "7",
                                "--pattern", "counter", "--chunk", "16k", "--half-close", "--stall-ms", "250",
                                "--timeout", "2.5", "--json"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    const auto& options = *parsed.options;
    EXPECT_EQ(options.conns, 200U);
    EXPECT_EQ(options.bytes, 4ULL << 30U);
    EXPECT_EQ(options.seed, 7U);
    EXPECT_EQ(options.pattern, PatternKind::counter);
    EXPECT_EQ(options.chunk, 16384U);
    EXPECT_TRUE(options.half_close);
    EXPECT_EQ(options.stall_ms, 250U);
    EXPECT_DOUBLE_EQ(options.timeout_s, 2.5);
    EXPECT_TRUE(options.json);
}

TEST(VerifyOptions, RequestResponse)
{
    const auto parsed = verify({"--connect", "127.0.0.1:1", "--rr", "1000", "--chunk", "64"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    EXPECT_EQ(parsed.options->mode, VerifyMode::request_response);
    EXPECT_EQ(parsed.options->round_trips, 1000U);
    EXPECT_EQ(parsed.options->bytes, 64'000U);
}

TEST(VerifyOptions, ConnectOnly)
{
    auto parsed = verify({"--connect", "127.0.0.1:1", "--connect-only", "500"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    EXPECT_EQ(parsed.options->mode, VerifyMode::connect_only);
    EXPECT_EQ(parsed.options->connect_only, 500U);
    EXPECT_EQ(parsed.options->bytes, VerifyOptions::default_connect_only_bytes);
    parsed = verify({"--connect", "127.0.0.1:1", "--connect-only", "5", "--bytes", "100"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    EXPECT_EQ(parsed.options->bytes, 100U);
}

TEST(VerifyOptions, BadValuesAreUsageErrors)
{
    const std::vector<std::vector<std::string>> bad{
        {},                                              // --connect is required
        {"--connect", "127.0.0.1"},                      // no port
        {"--connect", "127.0.0.1:0"},                    // a client needs a port
        {"--connect", "localhost:80"},                   // no names
        {"--connect", "127.0.0.1:80", "--conns", "0"},
        {"--connect", "127.0.0.1:80", "--conns", "-1"},
        {"--connect", "127.0.0.1:80", "--conns", "x"},
        {"--connect", "127.0.0.1:80", "--bytes", "0"},
        {"--connect", "127.0.0.1:80", "--bytes", "1.5M"},
        {"--connect", "127.0.0.1:80", "--bytes", "-5"},
        {"--connect", "127.0.0.1:80", "--chunk", "0"},
        {"--connect", "127.0.0.1:80", "--chunk", "1G"},
        {"--connect", "127.0.0.1:80", "--pattern", "zeros"},
        {"--connect", "127.0.0.1:80", "--timeout", "0"},
        {"--connect", "127.0.0.1:80", "--timeout", "soon"},
        {"--connect", "127.0.0.1:80", "--stall-ms", "0"},
        {"--connect", "127.0.0.1:80", "--rr", "0"},
        {"--connect", "127.0.0.1:80", "--rr", "5", "--connect-only", "5"},
        {"--connect", "127.0.0.1:80", "--rr", "5", "--bytes", "5"},
        {"--connect", "127.0.0.1:80", "--connect-only", "0"},
        {"--connect", "127.0.0.1:80", "--seed", "-1"},
        {"--connect", "127.0.0.1:80", "--bogus"},
        {"--connect", "127.0.0.1:80", "extra"},
    };
    for (const auto& words : bad) {
        const auto parsed = verify(words);
        std::string line;
        for (const auto& word : words) {
            line += word + ' ';
        }
        EXPECT_FALSE(parsed.options) << line;
        EXPECT_EQ(parsed.exit_code, usage_exit_code) << line;
        EXPECT_EQ(parsed.message.rfind("hatcp-verify: ", 0), 0U) << line << parsed.message;
    }
}

TEST(VerifyOptions, Help)
{
    const auto parsed = verify({"--help"});
    EXPECT_FALSE(parsed.options);
    EXPECT_EQ(parsed.exit_code, 0);
    EXPECT_NE(parsed.message.find("--half-close"), std::string::npos);
}

TEST(EchodOptions, DefaultsAndEverything)
{
    auto parsed = echod({"--listen", "127.0.0.1:0"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    EXPECT_EQ(parsed.options->backlog, EchodOptions::default_backlog);
    EXPECT_EQ(parsed.options->delay_us, 0U);
    EXPECT_EQ(parsed.options->max_conns, 0U);
    EXPECT_EQ(parsed.options->read_size, EchodOptions::default_read_size);
    EXPECT_TRUE(parsed.options->stats_path.empty());

    parsed = echod({"--listen", "0.0.0.0:7000", "--backlog", "16", "--delay-us", "500", "--max-conns", "3",
                    "--read-size", "4k", "--stats", "/tmp/x.jsonl", "--ready-file", "/tmp/ready"});
    ASSERT_TRUE(parsed.options) << parsed.message;
    EXPECT_EQ(ntohs(parsed.options->listen.sin_port), 7000);
    EXPECT_EQ(parsed.options->backlog, 16);
    EXPECT_EQ(parsed.options->delay_us, 500U);
    EXPECT_EQ(parsed.options->max_conns, 3U);
    EXPECT_EQ(parsed.options->read_size, 4096U);
    EXPECT_EQ(parsed.options->stats_path, "/tmp/x.jsonl");
    EXPECT_EQ(parsed.options->ready_file, "/tmp/ready");
}

TEST(EchodOptions, BadValuesAreUsageErrors)
{
    const std::vector<std::vector<std::string>> bad{
        {},
        {"--listen", "127.0.0.1"},
        {"--listen", "127.0.0.1:99999"},
        {"--listen", "127.0.0.1:0", "--backlog", "0"},
        {"--listen", "127.0.0.1:0", "--delay-us", "-1"},
        {"--listen", "127.0.0.1:0", "--delay-us", "61000000"},
        {"--listen", "127.0.0.1:0", "--read-size", "0"},
        {"--listen", "127.0.0.1:0", "--read-size", "1G"},
        {"--listen", "127.0.0.1:0", "--max-conns", "many"},
        {"--listen", "127.0.0.1:0", "--max-conns", "-1"},
        {"--listen", "127.0.0.1:0", "--backlog", "-5"},
    };
    for (const auto& words : bad) {
        const auto parsed = echod(words);
        EXPECT_FALSE(parsed.options);
        EXPECT_EQ(parsed.exit_code, usage_exit_code);
        EXPECT_EQ(parsed.message.rfind("hatcp-echod: ", 0), 0U) << parsed.message;
    }
}

} // namespace
} // namespace hatcp::testtools
