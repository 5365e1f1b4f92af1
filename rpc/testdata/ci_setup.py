"""Runs the setup calls a Kiwi TCMS CI plugin makes (finding or creating the product, version
and build, and the Category and Priority lookups) with Python's stdlib xmlrpc.client, twice:
the first pass creates the product, version and build, the second finds them, and both
must end with the same ids.

Usage: ci_setup.py BASE_URL USERNAME PASSWORD; prints "ci_setup: OK" on success.
The steps that need TestPlan and TestRun are not part of this script.
"""
import sys
import xmlrpc.client

from interop import CookieTransport

PRODUCT, VERSION, BUILD = "tcms-ci", "1.0.0", "42"


class PluginTransport(CookieTransport):
    """Sends the headers tcms-api sends."""

    user_agent = "tcms-api/13.2/Python " + sys.version.split()[0]


def first_id(rows):
    assert rows, "no rows"
    return rows[0]["id"]


def configure(url, username, password):
    """One Backend.configure() up to step 5, then step 11's lookups; returns the ids."""
    transport = PluginTransport()
    rpc = xmlrpc.client.ServerProxy(url, allow_none=True, use_datetime=True, transport=transport)
    created = []

    rpc.Auth.login(username, password)  # step 1
    assert "sessionid" in transport.cookies, transport.cookies

    rows = rpc.Product.filter({"name": PRODUCT})  # step 3
    if rows:
        product_id = first_id(rows)
    else:
        classification_id = first_id(rpc.Classification.filter({}))
        product_id = rpc.Product.create({"name": PRODUCT, "classification": classification_id})["id"]
        created.append("product")

    # CI environment values arrive as strings.
    rows = rpc.Version.filter({"product": product_id, "value": VERSION})  # step 4
    if rows:
        version_id = first_id(rows)
    else:
        version_id = rpc.Version.create({"product": str(product_id), "value": VERSION})["id"]
        created.append("version")

    rows = rpc.Build.filter({"name": BUILD, "version": version_id})  # step 5
    if rows:
        build_id = first_id(rows)
    else:
        build = rpc.Build.create({"name": BUILD, "version": str(version_id)})
        assert build["is_active"] is True, build
        build_id = build["id"]
        created.append("build")

    categories = rpc.Category.filter({"product": product_id})  # step 11
    assert categories[0]["name"] == "--default--", categories
    priorities = rpc.Priority.filter({})
    assert priorities[0]["value"] == "P1", priorities
    ids = (product_id, version_id, build_id, first_id(categories), first_id(priorities))
    return ids, created


def main(base, username, password):
    url = base + "/xml-rpc/"
    # No classification is seeded: an operator creates one before CI runs.
    operator = xmlrpc.client.ServerProxy(url, allow_none=True, transport=CookieTransport())
    operator.Auth.login(username, password)
    if not operator.Classification.filter({}):
        operator.Classification.create({"name": "CI"})

    first, created = configure(url, username, password)
    assert created == ["product", "version", "build"], created
    second, created = configure(url, username, password)
    assert created == [], created
    assert first == second, (first, second)

    # The product's own side effects: its unspecified version and build.
    versions = operator.Version.filter({"product": first[0]})
    assert [v["value"] for v in versions] == ["unspecified", VERSION], versions
    builds = operator.Build.filter({"version__product": first[0]})
    assert [b["name"] for b in builds] == ["unspecified", "unspecified", BUILD], builds
    print("ci_setup: OK")


if __name__ == "__main__":
    main(*sys.argv[1:4])
