"""The audit chain after a full scenario: every state change the scenario made (each row of a case's
or a hand-off's timeline, the agreement's drafting and signing, the export, the published ranking)
has its audit row, `verify_audit` finds the chain intact, and one row altered behind the portal's
back is reported."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from cases.models import CaseEvent, HandoffEvent
from govcenter.models import AuditEvent
from tests.data_safety import scenario

# What only reads (a view of personal data) is audited too, but changes nothing.
READS = {"case.pii_view", "export.fetch"}


def audited(object_type: str, object_id=None) -> Counter:
    rows = AuditEvent.objects.filter(object_type=object_type)
    if object_id is not None:
        rows = rows.filter(object_id=str(object_id))
    return Counter(rows.exclude(action__in=READS).values_list("object_id", "action"))


def handoff_action(event: HandoffEvent) -> str:
    if event.verb == "send":
        return f"handoff.send.{event.handoff.source}"
    if event.verb.startswith("confirmation-"):
        return "handoff.confirmation"
    return f"handoff.{event.verb}"


def assert_every_timeline_row_of_every_case_is_audited() -> None:
    timeline = Counter(
        (str(case_id), f"case.{verb}") for case_id, verb in CaseEvent.objects.values_list("case_id", "verb")
    )
    assert {verb for _id, verb in timeline} >= {
        "case.create",
        "case.classify",
        "case.dispatch",
        "case.accept",
        "case.report",
        "case.resolve",
        "case.feedback",
        "case.follow-up",
        "case.rating",
        "case.close",
        "case.assign-mediator",
        "case.session",
        "case.hand-back",
        "case.overdue",
    }
    assert audited("cases.case") == timeline


def assert_every_hand_off_move_is_audited() -> None:
    timeline = Counter((str(e.handoff_id), handoff_action(e)) for e in HandoffEvent.objects.select_related("handoff"))
    # Two court hand-offs: sent, received, accepted, confirmation asked and given; sent, returned, filed.
    assert sum(timeline.values()) == 8
    assert audited("cases.handoff") == timeline


def assert_the_agreement_the_export_and_the_ranking_are_audited(done: scenario.Scenario) -> None:
    assert sorted(audited("mediation.agreement", done.agreement.pk)) == [
        (str(done.agreement.pk), "mediation.agreement_draft"),
        (str(done.agreement.pk), "mediation.agreement_sign"),
    ]
    export = AuditEvent.objects.filter(object_type="reports.exportjob", object_id=str(done.export.pk))
    assert list(export.order_by("id").values_list("action", flat=True)) == [
        "export.start",
        "export.done",
        "export.fetch",
    ]
    assert AuditEvent.objects.filter(action="ranking.publish", object_id=str(done.publication.pk)).count() == 1


def tamper(event: AuditEvent) -> None:
    """Change a row behind the portal's back, as someone with the database's superuser would."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger refuses this; only a superuser can switch triggers off.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE govcenter_auditevent SET data = %s WHERE id = %s", ['{"forged": true}', event.pk])


def test_a_full_scenario_is_audited_and_the_chain_holds_until_a_row_is_altered(
    tree, django_capture_on_commit_callbacks, settings, tmp_path, capsys
):
    settings.MEDIA_ROOT = tmp_path / "media"
    done = scenario.run(tree, django_capture_on_commit_callbacks)

    assert_every_timeline_row_of_every_case_is_audited()
    assert_every_hand_off_move_is_audited()
    assert_the_agreement_the_export_and_the_ranking_are_audited(done)

    call_command("verify_audit")
    assert f"Audit chain intact: {AuditEvent.objects.count()} events verified." in capsys.readouterr().out
    victim = AuditEvent.objects.get(action="mediation.agreement_sign")
    tamper(victim)
    with pytest.raises(CommandError, match=rf"broken at event {victim.pk} \(content hash mismatch"):
        call_command("verify_audit")
