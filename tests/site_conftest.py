"""pytest plugin (loaded by ``-p tests.site_conftest`` in pyproject.toml): in CI, a skip that
means "a required tool is missing" is a failure.

Locally, tests that need PyTorch, Chromium, playwright or the built site skip with a reason.
``.ci/run`` installs all of them and sets ``CI=true``; there such a skip would hide a broken
set-up, so it is reported as a failure. Skips for other reasons (for example "no page has a
quiz yet") stay skips.
"""

from __future__ import annotations

import re

import pytest

from tests._support import IN_CI

REQUIRED_IN_CI = re.compile(r"torch|chromium|playwright|built site", re.IGNORECASE)


def _reason(longrepr) -> str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2])
    return str(longrepr)


def must_not_skip(reason: str, in_ci: bool = IN_CI) -> bool:
    """True when a skip with this reason is a failure (only in CI)."""
    return in_ci and bool(REQUIRED_IN_CI.search(reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and must_not_skip(_reason(report.longrepr)):
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where it must run: {_reason(report.longrepr)}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and must_not_skip(_reason(report.longrepr)):
        report.outcome = "failed"
        report.longrepr = f"module skipped in CI, where it must run: {_reason(report.longrepr)}"
