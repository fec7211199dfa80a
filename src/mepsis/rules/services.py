"""Whether a MEP service may be recorded for a child on its dates (domain.md, "MEP services" and
"Continuation of services").

A service on [begin, end] is allowed when the child is eligible on every one of its days (an approved, not
voided COE covers each day), or, for the days after eligibility ended, when a continuation of services
(ESEA 1304(e)) covers them. The three continuation reasons each have a limit on how long they last:

- ``SCHOOL_TERM`` (ceased to be migratory during a school term): until the end of that term.
- ``PREVIOUS_TERM`` (ceased to be migratory during the previous term): one more school year, which this
  project fixes **[convention]** as up to one year after the end of the term in which eligibility ended;
  only if comparable services are not available otherwise, which the reviewer states in ``why``.
- ``SECONDARY_CREDIT`` (previously migratory secondary student): credit accrual until graduation, for a
  student in a secondary grade (``SECONDARY_GRADES``) when the continuation begins.

Every continuation begins after the last eligible day of an eligibility that ended because the child
ceased to be migratory (36 months, or another loss of entitlement), never after turning 22, completing high
school or death, and ends before the 22nd birthday and before a recorded high school completion.

**[convention]** School terms: the school year is split into terms that begin on ``TERM_STARTS`` (month,
day): fall from September 1, spring from January 1, summer (and intersession) from June 1; a term ends the
day before the next begins.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .eligibility import ONE_DAY, EndReason, add_months, age_22_end
from .findings import N_

Days = tuple[dt.date, dt.date]  # first and last day, both included

SERVICES = ("READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV", "COUNSELSERV", "SUPPSERV", "REFSERV")
INSTRUCTIONAL = frozenset({"READINSTR", "MATHINSTR", "HSACCRUAL", "INSTRSERV"})
# The Ed-Fi MigrantEducationProgramServiceDescriptor code value of each EDFacts code.
EDFI_SERVICE = {
    "READINSTR": "Reading Instruction", "MATHINSTR": "Mathematics Instruction",
    "HSACCRUAL": "High School Accrual", "INSTRSERV": "Instructional Services",
    "COUNSELSERV": "Counseling Services", "SUPPSERV": "Support Services", "REFSERV": "Referral Services",
}

SCHOOL_TERM = "SCHOOL_TERM"
PREVIOUS_TERM = "PREVIOUS_TERM"
SECONDARY_CREDIT = "SECONDARY_CREDIT"
# The Ed-Fi ContinuationofServicesReasonDescriptor code value of each reason.
EDFI_CONTINUATION = {
    SCHOOL_TERM: "Ceased to be migratory during school term",
    PREVIOUS_TERM: "Ceased to be migratory during previous term",
    SECONDARY_CREDIT: "Previously migratory secondary student",
}

SECONDARY_GRADES = frozenset({"09", "10", "11", "12"})
TERM_STARTS = ((1, 1), (6, 1), (9, 1))
# Eligibility that ends for one of these reasons leaves a child who is no longer a child of the program,
# not one who ceased to be migratory: no continuation.
NO_CONTINUATION_AFTER = frozenset({EndReason.AGE_22, EndReason.HS_COMPLETION, EndReason.DEATH})
