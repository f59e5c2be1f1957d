# SPDX-License-Identifier: GPL-2.0
"""Exceptions of the lab. Every one carries a message meant for a human reading a test log."""


class LabError(Exception):
    """A lab piece is missing or broken (qemu, kernel, initramfs, ...)."""


class GuestDied(LabError):
    """qemu exited while we expected the guest to answer (crash, panic, poweroff)."""


class GuestHung(LabError):
    """The guest did not answer in time; its qemu has been SIGKILLed."""


class CommandTimeout(LabError):
    """A command ran past its timeout; the guest killed it and is still usable.

    .result holds what the command printed before it was killed (rc = -9).
    """

    def __init__(self, msg, result):
        super().__init__(msg)
        self.result = result


class CommandFailed(LabError):
    """run(..., check=True) saw a non-zero exit status; .result has the output."""

    def __init__(self, msg, result):
        super().__init__(msg)
        self.result = result


class KernelReport(LabError):
    """The guest kernel logged a WARNING/BUG/Oops/lockdep/... report."""

    def __init__(self, msg, reports):
        super().__init__(msg)
        self.reports = reports
