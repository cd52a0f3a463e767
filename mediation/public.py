"""What the public form of a center offers from the mediation roster (registered with cases.hooks)."""

from cases.hooks import provide_public_roster
from mediation import selectors


@provide_public_roster
def public_roster_choices(center) -> list[tuple[str, str]]:
    """The center's public organisations and their mediators (and those of the centers above), by
    name only: a citizen picks whom they would like, the clerk decides."""
    choices, seen_orgs = [], set()
    for mediator in selectors.public_roster(center=center):
        if mediator.org_id not in seen_orgs:
            seen_orgs.add(mediator.org_id)
            choices.append((f"org:{mediator.org_id}", mediator.org.name))
        choices.append((f"mediator:{mediator.pk}", f"{mediator.name}（{mediator.org.name}）"))
    return choices
