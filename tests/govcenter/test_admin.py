import pytest

from govcenter.models import AuditEvent


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/govcenter/center/",
        "/admin/govcenter/department/",
        "/admin/govcenter/membership/",
        "/admin/govcenter/auditevent/",
        "/admin/govcenter/calendaroverride/",
        "/admin/govcenter/calendaroverride/add/",
    ],
)
def test_admin_pages_open(client, superuser, tree, path):
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def test_audit_events_cannot_be_changed_in_the_admin(client, superuser, tree):
    client.force_login(superuser)  # logging in writes an audit event
    event = AuditEvent.objects.get(action="auth.login")
    page = client.get(f"/admin/govcenter/auditevent/{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"/admin/govcenter/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403


def test_calendar_override_added_in_the_admin_goes_through_the_service(client, superuser, db):
    client.force_login(superuser)
    response = client.post(
        "/admin/govcenter/calendaroverride/add/", {"date": "2027-01-01", "is_workday": "", "reason": "元旦"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="calendar.override_set").exists()


def test_a_department_added_in_the_admin_goes_through_the_service(client, superuser, tree):
    client.force_login(superuser)
    response = client.post(
        "/admin/govcenter/department/add/",
        {"center": tree["620102"].pk, "name": "城关区民政局", "kind": "civil_affairs", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="department.create").exists()
