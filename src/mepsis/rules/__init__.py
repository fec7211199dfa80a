"""The program's rules, in pure Python (no Django): COE validation and the eligibility interval.

Everything here takes plain values (dicts, dates) and returns plain results, so it is tested on its own
and used the same way by the command line, the registry and the web pages.
"""

from .coe import DEFAULT_SOON_AFTER_DAYS, STATUSES, ChildResult, CoeResult, check_coe, parse_date
from .eligibility import (
    END_REASON_LABELS,
    RECORDED_END_REASONS,
    EligibilityInterval,
    EndReason,
    age_22_end,
    add_months,
    eligibility_interval,
    thirty_six_months_end,
)
from .findings import N_, Code, Finding

__all__ = [
    "DEFAULT_SOON_AFTER_DAYS", "STATUSES", "ChildResult", "CoeResult", "check_coe", "parse_date",
    "END_REASON_LABELS", "RECORDED_END_REASONS", "EligibilityInterval", "EndReason", "age_22_end", "add_months", "eligibility_interval",
    "thirty_six_months_end", "N_", "Code", "Finding",
]
