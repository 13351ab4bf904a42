"""axe-core, as bundled by axe-playwright-python (no network), run on a browser page."""

# WCAG 2.0 level A and AA rules must have found something to check on the page: they are
# among the rules that passed, failed, or need review.
APPLIED_TAGS = ("wcag2a", "wcag2aa")
# WCAG 2.1 level AA rules must have run. axe 4's only ones on by default,
# autocomplete-valid and avoid-inline-spacing, look at autocomplete and style attributes,
# which a page may well not have: they then run and come out "inapplicable". A rule
# that is off or filtered out comes out nowhere.
RUN_TAGS = (*APPLIED_TAGS, "wcag21aa")
APPLIED = ("passes", "violations", "incomplete")


def tags_of(response, kinds) -> set[str]:
    return {tag for kind in kinds for rule in response[kind] for tag in rule["tags"]}


def axe_violations(page) -> list[str]:
    """axe's violations with its default rules, one readable line each: rule, impact, what
    it is about, where. Fails if the WCAG 2.0/2.1 A and AA rules did not check the page."""
    from axe_playwright_python.sync_playwright import Axe

    response = Axe().run(page).response
    applied = tags_of(response, APPLIED)
    missing = [tag for tag in APPLIED_TAGS if tag not in applied]
    assert not missing, f"no axe rule tagged {', '.join(missing)} checked {page.url}"
    run = tags_of(response, (*APPLIED, "inapplicable"))
    missing = [tag for tag in RUN_TAGS if tag not in run]
    assert not missing, f"axe ran no rule tagged {', '.join(missing)} on {page.url}"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(map(str, node["target"])) for node in v["nodes"])
        for v in response["violations"]
    ]
