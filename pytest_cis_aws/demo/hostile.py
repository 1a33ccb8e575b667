"""Hostile text the demo account carries where the APIs take it, so the reports can be seen to
neutralise it.

XML-protocol services (IAM, EC2, S3, SNS) cannot carry control characters such as ESC, so the
ANSI escape goes where JSON services answer (Config, CloudWatch, KMS); bidi overrides, newlines,
markup and odd unicode go everywhere.
"""

from __future__ import annotations

XSS = "<script>alert(1)</script>"
ANSI_RED = "\x1b[31m"
RTL = "\u202e"  # right-to-left override: reverses what follows on screen
HOSTILE = {
    "user_path": f"/{XSS}/",  # IAM user carol: in her ARN (1.2 fails on her)
    "unicode_user": "zoë.ünïcødé",  # a console user with MFA
    "long_user": "legacy-reporting-service-account-created-by-terraform-module-v1",  # 64: max
    "inline_policy": f"deploy{RTL}{XSS}",  # on ci-deploy (1.16 fails on it)
    "policy_path": f"/{XSS}/",  # break-glass policy, "*" on "*" (1.24)
    "recorder": f"recorder{ANSI_RED}{XSS}",  # eu-west-1 Config recorder (2.5 fails on it)
    # eu-west-1, SSH open (4.1 fails on it): a forged line, markup, reversed text, 239 characters
    "group_name": f"temp-debug\nPASSED {XSS} {RTL}gnp.exe " + "opened-for-a-debugging-session-" * 6,
    "group_description": "opened for a debugging session; " + "do not keep this open " * 10,
    "alarm": f"route-table-changes{ANSI_RED}{XSS}",  # route_table_changes' alarm (3.13)
    "owner_tag": f"web-team \U0001f6e1\ufe0f {XSS}{RTL}",  # a bucket's owner tag (ORG-1)
    "key_description": f"{ANSI_RED}old key {XSS}",  # a disabled KMS key
}
