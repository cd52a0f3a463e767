"""A daily reminder to the directors of counties and cities whose red/black list of last month is
not yet published. Idempotent: one notification per director and month (the dedupe key)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy

from cases.models import Notification
from cases.notifications import portal_text
from govcenter.models import Membership, Role
from reports.models import RankingPublication
from reports.services import RANKING_LEVELS


def remind_unpublished_rankings() -> int:
    """Notify directors at county and city centers that last month's list awaits publication."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    published = RankingPublication.objects.filter(month=last_month).values("center_code")
    seats = (
        Membership.objects.filter(role=Role.DIRECTOR, is_active=True, center__level__in=RANKING_LEVELS)
        .exclude(center_code__in=published)
        .values_list("user_id", "center_code", "center__name")
    )
    text = gettext_lazy("The red/black list of %(month)s for %(center)s is ready to be published.")
    keys = {f"ranking.due:{code}:{last_month:%Y-%m}" for _user, code, _name in seats}
    sent = set(Notification.objects.filter(dedupe_key__in=keys).values_list("recipient_id", "dedupe_key"))
    rows = [
        Notification(
            recipient_id=user_id,
            kind="ranking.due",
            text=portal_text(text, {"month": f"{last_month:%Y-%m}", "center": name})[:300],
            dedupe_key=f"ranking.due:{code}:{last_month:%Y-%m}",
        )
        for user_id, code, name in seats
        if (user_id, f"ranking.due:{code}:{last_month:%Y-%m}") not in sent
    ]
    # ignore_conflicts still guards against a run at the same moment; the count is of the new ones.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def ensure_reminder_schedule(sender, **kwargs):
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name="reports.remind_unpublished_rankings",
        defaults={
            "func": "reports.reminders.remind_unpublished_rankings",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
