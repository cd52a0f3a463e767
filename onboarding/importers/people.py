"""Accounts of the people a roster names (staff, grid workers): one account per username and one per
identity number, created without a usable password unless the roster gives an initial one.

Shared by the staff and the grid-worker rosters. The checks are made for every row before anything
is written; the writes are bulk inserts and updates, since a province has tens of thousands of them.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from govcenter import audit
from onboarding.importers.base import Importer
from onboarding.importers.lookup import where_in
from onboarding.models import StaffIdentity
from onboarding.tabular import Row

User = get_user_model()


@dataclass
class Person:
    username: str
    name: str
    id_number: str
    phone: str
    password: str = ""
    user: object = None  # the existing account, or the new one once created
    identity: StaffIdentity | None = None


class People:
    """The accounts of one import, planned row by row, created and updated in bulk."""

    def __init__(self, importer: Importer, usernames, id_numbers):
        self.importer = importer
        self.users = {
            user.username: user
            for user in where_in(User.objects.only("pk", "username", "first_name"), "username", usernames)
        }
        identities = {
            identity.pk: identity
            for identity in where_in(StaffIdentity.objects.all(), "user_id", [u.pk for u in self.users.values()])
            + where_in(StaffIdentity.objects.all(), "id_number", [n.replace(" ", "").upper() for n in id_numbers])
        }.values()
        self.identities = {identity.user_id: identity for identity in identities}
        self.owner_of_id = {identity.id_number: identity.user_id for identity in identities if identity.id_number}
        self.people: dict[str, Person] = {}
        self.id_rows: dict[str, tuple[str, int]] = {}

    def check(self, row: Row, *, username_key, name_key, id_key, phone_key, password_key=None) -> Person | None:
        """The row's person, or None with the row's errors. A username or identity number repeated in
        the file must name the same person each time."""
        username, name = row.get(username_key), row.get(name_key)
        id_number = self.importer.check_id_number(row, id_key)
        phone = self.importer.check_phone(row, phone_key)
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            self.importer.error(row, username_key, _("Letters, digits and @/./+/-/_ only."))
            return None
        user = self.users.get(username)
        if not self._id_is_theirs(row, id_key, id_number, username, user):
            return None
        known = self.people.get(username)
        if known is not None:
            if (known.name, known.id_number) != (name, id_number):
                self.importer.error(row, username_key, _("This username names another person in an earlier row."))
                return None
            return known
        person = Person(
            username, name, id_number, phone, user=user, identity=self.identities.get(getattr(user, "pk", None))
        )
        if password_key and row.get(password_key):
            person.password = self._check_password(row, password_key, person)
        self.people[username] = person
        return person

    def _id_is_theirs(self, row, id_key, id_number, username, user) -> bool:
        if not id_number:
            return True
        first = self.id_rows.setdefault(id_number, (username, row.number))
        if first[0] != username:
            self.importer.error(
                row, id_key, _("Same identity number as row %(row)d, under another username.") % {"row": first[1]}
            )
            return False
        owner = self.owner_of_id.get(id_number)
        if owner is not None and owner != getattr(user, "pk", None):
            self.importer.error(row, id_key, _("This identity number belongs to another account."))
            return False
        identity = self.identities.get(getattr(user, "pk", None))
        if identity is not None and identity.id_number and identity.id_number != id_number:
            self.importer.error(
                row, id_key, _("The account with this username has another identity number: is it someone else?")
            )
            return False
        return True

    def _check_password(self, row: Row, key: str, person: Person) -> str:
        if person.user is not None:
            return ""  # an existing account keeps its password: re-importing must not reset it
        try:
            password_validation.validate_password(row.get(key), User(username=person.username, first_name=person.name))
        except ValidationError as error:
            self.importer.error(row, key, " ".join(error.messages), value="******")
            return ""
        return row.get(key)

    def changes(self, person: Person) -> dict[str, list]:
        """What importing the person changes on an existing account."""
        if person.user is None:
            return {}
        fields = {}
        if person.user.first_name != person.name:
            fields["name"] = [person.user.first_name, person.name]
        identity = person.identity
        if person.id_number and getattr(identity, "id_number", None) != person.id_number:
            fields["id_number"] = ["…", "…"]  # never an identity number in the plan or the log
        if person.phone and getattr(identity, "phone", "") != person.phone:
            fields["phone"] = ["…", "…"]
        return fields

    def apply(self, actor) -> None:
        """Create the new accounts, update names, identity numbers and phones of the others."""
        new = [person for person in self.people.values() if person.user is None]
        now = timezone.now()
        unusable = make_password(None)
        users = [
            User(
                username=p.username,
                first_name=p.name[:150],
                password=make_password(p.password) if p.password else unusable,
                date_joined=now,
            )
            for p in new
        ]
        User.objects.bulk_create(users, batch_size=2000)
        # bulk_create returns ids on PostgreSQL and SQLite alike; read them back to be certain.
        ids = dict(User.objects.filter(username__in=[p.username for p in new]).values_list("username", "pk"))
        for person in new:
            person.user = User(pk=ids[person.username], username=person.username, first_name=person.name)
        renamed = [p.user for p in self.people.values() if p.user.first_name != p.name]
        for user in renamed:
            user.first_name = self.people[user.username].name[:150]
        User.objects.bulk_update(renamed, ["first_name"], batch_size=2000)
        self._apply_identities()
        audit.record_many(
            actor=actor,
            entries=[audit.Entry("user.create", p.user, "", {"username": p.username, "import": True}) for p in new],
        )

    def _apply_identities(self) -> None:
        create, update = [], []
        for person in self.people.values():
            identity = person.identity
            if identity is None:
                if person.id_number or person.phone:
                    create.append(
                        StaffIdentity(user_id=person.user.pk, id_number=person.id_number or None, phone=person.phone)
                    )
                continue
            id_number = person.id_number or identity.id_number
            phone = person.phone or identity.phone
            if (identity.id_number, identity.phone) != (id_number, phone):
                identity.id_number, identity.phone = id_number, phone
                update.append(identity)
        StaffIdentity.objects.bulk_create(create, batch_size=2000)
        StaffIdentity.objects.bulk_update(update, ["id_number", "phone"], batch_size=2000)
