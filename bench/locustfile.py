"""locust's side of `make load`: one locust user class per kind of person in bench/load_mix.py, driving
gunicorn over HTTP. bench/load.py starts it (headless) with the plan in LOAD_PLAN (JSON); run alone:

    LOAD_PLAN="$(cat plan.json)" .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000

A reply whose status the request kind did not expect is a locust failure: the run's errors.
"""

import itertools
import json
import os
import random
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load_mix  # noqa: E402 - after the project folder is on the path

PLAN = load_mix.Plan.from_dict(json.loads(os.environ["LOAD_PLAN"])) if os.environ.get("LOAD_PLAN") else None


class LocustReply:
    def __init__(self, response):
        self.status = response.status_code
        self.location = response.headers.get("Location", "")
        self.text = response.text
        self._response = response

    def json(self):
        return self._response.json()


class LocustBrowser:
    """load_mix's Browser over locust's HTTP session (a requests.Session that records every request)."""

    def __init__(self, client):
        self.client = client

    def request(self, kind, method, path, *, form=None, json=None, headers=None, expect=load_mix.OK):
        with self.client.request(
            method,
            path,
            name=kind,
            data=form,
            json=json,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code in expect:
                response.success()
            else:
                body = (response.text or "")[:200].replace("\n", " ")
                response.failure(f"{method} {path}: {response.status_code}, expected {expect}: {body}")
            return LocustReply(response)

    def cookie(self, name):
        return self.client.cookies.get(name, "")


def logins(person_class) -> itertools.cycle:
    """The plan's logins of that kind in turn, so that every one of them is in the run."""
    if PLAN is None:
        return itertools.cycle([None])
    names = {
        load_mix.Clerk: PLAN.clerks,
        load_mix.Mediator: sorted(PLAN.mediators),
        load_mix.Director: [username for username, _code in PLAN.directors],
    }
    return itertools.cycle(names.get(person_class, [None]))


class Person(HttpUser):
    abstract = True
    person_class = None
    wait_time = between(0.5, 2.0)

    def on_start(self):
        username = next(type(self).usernames)
        self.person = self.person_class(LocustBrowser(self.client), PLAN, random.Random(), username=username)
        if username:
            self.person.log_in(username)

    @task
    def step(self):
        load_mix.pick_task(self.person)()


class ClerkUser(Person):
    person_class = load_mix.Clerk
    weight = load_mix.Clerk.weight
    usernames = logins(load_mix.Clerk)


class MediatorUser(Person):
    person_class = load_mix.Mediator
    weight = load_mix.Mediator.weight
    usernames = logins(load_mix.Mediator)


class DirectorUser(Person):
    person_class = load_mix.Director
    usernames = logins(load_mix.Director)
    # One director at each level (county: the command post, city, province), whatever the user count.
    fixed_count = len(PLAN.directors) if PLAN else 3


class CitizenUser(Person):
    person_class = load_mix.Citizen
    weight = load_mix.Citizen.weight
    usernames = logins(load_mix.Citizen)
