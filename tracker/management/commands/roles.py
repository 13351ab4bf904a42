"""Grant and revoke roles on any install, demo or not (see tracker.roles)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker import roles
from tracker.models import Country


class Command(BaseCommand):
    help = (
        "Name network staff and focal points, or take their roles back. Examples:\n"
        "  roles grant alice --network-staff\n"
        "  roles grant bopha --focal-point KH --role 'Lead focal point'\n"
        "  roles grant new.user --focal-point TH --create --email n@example.org\n"
        "  roles revoke bopha --focal-point KH      roles revoke alice --all\n"
        "  roles list"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="Everyone who holds a role.")
        listing.set_defaults(action="list")
        for name in ("grant", "revoke"):
            sub = actions.add_parser(name, help=f"{name.capitalize()} roles of one user.")
            sub.add_argument("username")
            sub.add_argument("--network-staff", action="store_true", help="The network staff role.")
            sub.add_argument(
                "--focal-point",
                nargs="+",
                metavar="ISO",
                default=[],
                help="Focal point of these countries (ISO codes, e.g. KH TH).",
            )
            if name == "grant":
                sub.add_argument("--role", default="", help="e.g. Lead focal point, Alternate")
                sub.add_argument(
                    "--create",
                    action="store_true",
                    help="Create the account if there is none (set its password with "
                    "`manage.py changepassword`).",
                )
                sub.add_argument("--email", default="")
            else:
                sub.add_argument("--all", action="store_true", help="Every role the user holds.")

    def handle(self, *args, action: str, **options):
        if action == "list":
            return self.list_roles()
        User = get_user_model()
        username = options["username"]
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None and action == "grant" and options["create"]:
                user = User.objects.create_user(username=username, email=options["email"])
                self.stdout.write(
                    f"Created {username}; set a password with: manage.py changepassword {username}"
                )
            if user is None:
                raise CommandError(
                    f"There is no user {username!r}. Check the spelling, or add --create."
                )
            countries = self.countries(options["focal_point"])
            if action == "grant":
                self.grant(user, countries, options)
            else:
                self.revoke(user, countries, options)
        held = roles.roles_of(user)
        self.stdout.write(f"{user.username}: {', '.join(held) if held else 'no role'}")

    def grant(self, user, countries, options) -> None:
        if not options["network_staff"] and not countries:
            raise CommandError("Say which role: --network-staff, or --focal-point ISO [ISO ...].")
        if options["network_staff"]:
            roles.grant_network_staff(user)
        if countries:
            roles.grant_focal_point(user, countries, role=options["role"])

    def revoke(self, user, countries, options) -> None:
        if options["all"]:
            roles.revoke_all(user)
            return
        if not options["network_staff"] and not countries:
            raise CommandError(
                "Say which role: --network-staff, --focal-point ISO [ISO ...], or --all."
            )
        if options["network_staff"]:
            roles.revoke_network_staff(user)
        if countries:
            roles.revoke_focal_point(user, countries)

    def countries(self, codes: list[str]) -> list[Country]:
        codes = [code.upper() for code in codes]
        found = {country.code.code: country for country in Country.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise CommandError(
                f"No country {', '.join(unknown)} in the tracker; countries are added in the "
                "admin (Tracking > Countries) or by assigning recommendations."
            )
        return [found[code] for code in codes]

    def list_roles(self) -> None:
        users = get_user_model().objects.order_by("username")
        lines = [(user.username, roles.roles_of(user)) for user in users]
        lines = [(name, held) for name, held in lines if held]
        if not lines:
            self.stdout.write("Nobody holds a role yet.")
        for name, held in lines:
            self.stdout.write(f"{name}: {', '.join(held)}")
