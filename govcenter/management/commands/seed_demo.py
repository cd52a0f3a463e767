import importlib
import os
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from govcenter import bulk, demo


class Command(BaseCommand):
    # Only the project's own apps: a third-party app may have a `demo` module of another kind.
    PROJECT_APPS = ("govcenter", "grids", "cases", "mediation", "reports")
    help = "Load a synthetic province (small, county or province scale). Idempotent; same seed, same data."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(demo.SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-users", action="store_true", help="skip the demo logins")
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes that seed counties side by side (PostgreSQL only; 1: all in this one)",
        )

    def handle(self, *args, scale, seed, no_users, workers, **options):
        ctx = demo.SeedContext(scale=scale, seed=seed, say=self.stdout.write, workers=max(1, workers))
        started = time.perf_counter()
        self.stdout.write(f"Seeding demo data at {scale} scale (seed {seed}, {ctx.workers} worker(s))")
        for table in bulk.restore_indexes():  # left out by a run that was killed while loading
            self.stdout.write(f"  {table}: indexes and foreign keys made again (an earlier run stopped half-way)")
        for app in apps.get_app_configs():
            module = self._demo_module(app.name) if app.name in self.PROJECT_APPS else None
            if module is not None:
                self.stdout.write(f"{app.verbose_name}:")
                module.seed(ctx)
        if not no_users:
            users_started = time.perf_counter()
            logins = demo.seed_users(ctx)
            # Then each app may give the demo users work of their own (grants, assignments).
            for module in filter(None, map(self._demo_module, self.PROJECT_APPS)):
                if hasattr(module, "after_users"):
                    module.after_users(ctx)
            ctx.timings["users"] = time.perf_counter() - users_started
            self._print_logins(logins)
        statistics_started = time.perf_counter()
        self._refresh_statistics(ctx)
        ctx.timings["statistics"] = time.perf_counter() - statistics_started
        parts = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in ctx.timings.items())
        self.stdout.write(f"Times: {parts}")
        # Processor time of this process and its workers (the database server's comes on top).
        parts = ", ".join(f"{part} {seconds:.1f} s" for part, seconds in ctx.timings.cpu.items())
        self.stdout.write(f"CPU: {parts}")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.1f} s"))

    def _refresh_statistics(self, ctx):
        """After a bulk load PostgreSQL has neither planner statistics nor a visibility map for the
        new rows: without them it misplans the lists and cannot count from the indexes alone. The
        tables are vacuumed side by side, the largest first, in the seeding's workers."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
                " ORDER BY pg_table_size(oid) DESC, relname"
            )
            tables = [row[0] for row in cursor.fetchall()]

        def vacuum(table, _say):
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")

        for _done in demo.in_workers(ctx, tables, vacuum):
            pass

    @staticmethod
    def _demo_module(app_name: str):
        try:
            return importlib.import_module(f"{app_name}.demo")
        except ModuleNotFoundError as error:
            if error.name != f"{app_name}.demo":
                raise
            return None

    def _print_logins(self, logins):
        self.stdout.write("\nDemo logins (one per role):")
        self.stdout.write(f"  {'username':<18} {'password':<10} {'role':<12} center")
        for username, password, role, center in logins:
            self.stdout.write(f"  {username:<18} {password:<10} {role:<12} {center}")
