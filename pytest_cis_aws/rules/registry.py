"""Every rule by name: what a benchmark's `rule = "..."` means, and the function that judges it.

A benchmark's data (benchmarks/*.toml) names, for each recommendation, the rule that verifies it
(``iam.console_users_without_mfa``, ``monitoring.alarm.unauthorized_api_calls``); a stock check
(checks/*.py, ``@check("<rule>")``) is the one test function that runs it. This is the list of
those names and of what each one calls, so that a name in the data or in a check that no rule
carries is caught by a test (tests/test_rules_registry.py), not by a run that finds no check.

A rule judges plain data: it returns findings (a pass, fail or error for the check to end on) or
a `Judgement` (the same, plus what a person must still review where no API answers). Pure, like
every module here: no pytest, no boto3. A rule's name is its meaning, never a benchmark's id: the
same rule serves every benchmark that asks for it, under whatever id and section.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..finding import Finding
from . import iam, iam_roles, logging, monitoring, networking
from .judgement import Judgement


@dataclass(frozen=True)
class Rule:
    """One rule: its name (``section.meaning``) and the pure function that judges it."""

    name: str
    judge: Callable[..., list[Finding] | Judgement]

    @property
    def manual_only(self) -> bool:
        """No API answers any of it: the check always ends with a person's review."""
        return self.name in MANUAL_ONLY


# Rules whose audit no API answers at all (1.15, 1.19 and 3.15 in v1.1.0): registered like any
# other, they always end *manual* with what could be read.
MANUAL_ONLY = frozenset({"iam.security_questions", "iam.contact_details",
                         "monitoring.subscriber_review"})

_JUDGES: dict[str, Callable[..., list[Finding] | Judgement]] = {
    "iam.root_recently_used": iam.root_recently_used,
    "iam.console_users_without_mfa": iam.console_users_without_mfa,
    "iam.unused_credentials": iam.unused_credentials,
    "iam.keys_not_rotated": iam.keys_not_rotated,
    "iam.password_requires_uppercase": iam.requires_uppercase,
    "iam.password_requires_lowercase": iam.requires_lowercase,
    "iam.password_requires_symbol": iam.requires_symbol,
    "iam.password_requires_number": iam.requires_number,
    "iam.password_minimum_length": iam.minimum_length,
    "iam.password_prevents_reuse": iam.prevents_reuse,
    "iam.password_expires": iam.expires_passwords,
    "iam.root_access_keys": iam.root_access_keys,
    "iam.root_mfa": iam.root_mfa,
    "iam.root_hardware_mfa": iam.root_hardware_mfa,
    "iam.security_questions": iam.security_questions,
    "iam.users_with_policies": iam.users_with_policies,
    "iam.billing_reports": iam.billing_reports,
    "iam.master_manager_roles": iam_roles.master_manager_roles,
    "iam.contact_details": iam.contact_details,
    "iam.security_contact": iam.security_contact,
    "iam.instance_roles": iam.judge_instance_roles,
    "iam.support_role": iam.support_role,
    "iam.console_users_with_unused_keys": iam.console_users_with_unused_keys,
    "iam.full_admin_policies": iam.full_admin_policies,
    "logging.multi_region_trail": logging.multi_region_trail,
    "logging.log_file_validation": logging.log_file_validation,
    "logging.public_trail_buckets": logging.public_trail_buckets,
    "logging.cloudwatch_logs_delivery": logging.cloudwatch_logs_delivery,
    "logging.config_in_every_region": logging.config_in_every_region,
    "logging.trail_bucket_access_logging": logging.trail_bucket_access_logging,
    "logging.kms_encryption": logging.kms_encryption,
    "logging.customer_key_rotation": logging.customer_key_rotation,
    # One rule per alarm, by meaning: monitoring.alarm("unauthorized_api_calls"), ...
    **{alarm.rule: alarm for alarm in map(monitoring.alarm, monitoring.ALARMED)},
    "monitoring.subscriber_review": monitoring.subscriber_review,
    "networking.ssh_open_to_world": networking.ssh_open_to_world,
    "networking.rdp_open_to_world": networking.rdp_open_to_world,
    "networking.vpcs_without_flow_logs": networking.vpcs_without_flow_logs,
    "networking.default_groups_with_rules": networking.default_groups_with_rules,
    "networking.peering_routes": networking.judge_peering_routes,
}

RULES: Mapping[str, Rule] = MappingProxyType(
    {name: Rule(name, judge) for name, judge in _JUDGES.items()})


def get(name: str) -> Rule:
    """The rule of this name; a KeyError naming it if there is none."""
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"no rule named {name!r}") from None
