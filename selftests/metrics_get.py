# SPDX-License-Identifier: GPL-2.0
"""Prints one sample of hatcpd's Prometheus endpoint, or the whole page.

  python3 metrics_get.py ADDR:PORT [METRIC[{LABELS}]]

With METRIC, prints its value (exit 1 if absent); the page must parse as
the text format: HELP and TYPE once per family, before its samples.
"""

import sys
import urllib.request


def main():
    page = urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=5).read().decode()
    declared, samples = set(), {}
    for line in page.splitlines():
        if line.startswith("# TYPE "):
            name = line.split()[2]
            assert name not in declared, f"{name} declared twice"
            declared.add(name)
        elif line and not line.startswith("#"):
            key, value = line.rsplit(" ", 1)
            assert key.split("{")[0] in declared, f"{key} before its TYPE"
            samples[key] = value
    if len(sys.argv) < 3:
        print(page, end="")
        return 0
    if sys.argv[2] not in samples:
        return 1
    print(samples[sys.argv[2]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
