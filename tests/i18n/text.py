"""What a reader reads on a page: its text and the attributes that are read out or shown
(titles, labels, placeholders, button values), without what is English by nature (inside
an element marked lang="en"), scripts and styles."""

import lxml.html

READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-label")
SKIPPED = {"script", "style"}


def readable(html: str) -> list[str]:
    root = lxml.html.fromstring(html)
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in SKIPPED or _english(element):
            continue
        found += [element.get(name) for name in READ_ATTRIBUTES if element.get(name)]
        if element.tag == "input" and element.get("type") in ("submit", "button"):
            found.append(element.get("value") or "")
        if element.text and element.text.strip():
            found.append(element.text.strip())
        for child in element:
            # A child's tail is text of this element (after the child).
            if child.tail and child.tail.strip():
                found.append(child.tail.strip())
    return found


def _english(element) -> bool:
    node = element
    while node is not None:
        if node.get("lang"):
            return node.get("lang").split("-")[0] == "en" and node.tag != "html"
        node = node.getparent()
    return False
