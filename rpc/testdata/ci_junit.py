"""Reports a JUnit XML file the way the Kiwi TCMS junit.xml plugin does, with Python's stdlib
xmlrpc.client over XML-RPC with cookies: the plugin's whole call sequence for one report
(docs/ci.md). Then it reads the run back and checks it against the file: one execution per
test case, the status the test name announces, the comment and the dates.

Usage: ci_junit.py BASE_URL USERNAME PASSWORD JUNIT_FILE [SHIFT_DAYS]
The environment works as for the plugin: TCMS_RUN_ID (report into that run), TCMS_PRODUCT,
TCMS_PRODUCT_VERSION, TCMS_BUILD, TCMS_PREFIX, TCMS_DEFAULT_TESTER_ID. SHIFT_DAYS moves every
timestamp of the file, as a later CI build would. Prints "run_id=<id>" and "ci_junit: OK".
"""
import datetime
import os
import string
import sys
import xml.etree.ElementTree as ET
import xmlrpc.client

from ci_setup import PluginTransport

PLUGIN = "kiwitcms-junit.xml-plugin"
CREATED_BY = f"Created by {PLUGIN}"
SUMMARY = string.Template("${classname}.${name}")
# What a test's name announces, for the checks: test_<outcome>_<n>.
ANNOUNCED = {"pass": "PASSED", "fail": "FAILED", "error": "ERROR", "skip": "WAIVED"}


class Result:
    """One <testcase> as the plugin reports it."""

    def __init__(self, suite, case, shift):
        self.name = case.get("name")
        self.summary = SUMMARY.substitute(classname=case.get("classname"), name=self.name)[:255]
        self.status, self.comment = outcome(case)
        stamp = case.get("timestamp") or suite.get("timestamp")
        self.start = self.stop = None
        if stamp:
            self.start = datetime.datetime.fromisoformat(stamp) + shift
            self.stop = self.start + datetime.timedelta(seconds=float(case.get("time") or 0))


def outcome(case):
    """The status name and the comment (None: none is sent) of a <testcase>: its first
    failure, error or skip decides; a case with none passed."""
    for child in case:
        if child.tag in ("failure", "error"):
            text = ET.tostring(child, encoding="unicode").strip()
            for stream in ("system-out", "system-err"):
                out = case.find(stream)
                if out is not None and out.text:
                    text += f"\n\n**{stream}**\n\n```\n{out.text}\n```"
            return ("FAILED" if child.tag == "failure" else "ERROR"), text
        if child.tag == "skipped":
            return "WAIVED", child.get("message")
    return "PASSED", CREATED_BY


def read_junit(path, shift):
    """The results of a file whose root is <testsuites> or a single <testsuite>."""
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    return [Result(suite, case, shift) for suite in suites for case in suite.findall("testcase")]


def first(rows, key="id"):
    return rows[0][key] if rows else None


class Backend:
    """The tcms-api plugin backend: configure() is steps 1-11, report() steps 12-17 for one
    test, finish() step 18."""

    def __init__(self, url, username, password):
        self.transport = PluginTransport()
        self.rpc = xmlrpc.client.ServerProxy(url, allow_none=True, use_datetime=True, transport=self.transport)
        self.username, self.password = username, password
        self.prefix = os.environ.get("TCMS_PREFIX", "[junit.xml]")
        self.tester_id = os.environ.get("TCMS_DEFAULT_TESTER_ID")  # a string, as CI sends it
        self.statuses = {}

    def get_or_create(self, namespace, query, values):
        """The id of the first record the query finds, else of a new one made of values()."""
        api = getattr(self.rpc, namespace)
        found = first(api.filter(query))
        return found if found is not None else api.create(values())["id"]

    def product(self):
        """Step 3 (and its repeat in 6): the product."""
        name = os.environ["TCMS_PRODUCT"]
        classification = lambda: first(self.rpc.Classification.filter({}))
        return self.get_or_create("Product", {"name": name}, lambda: {"name": name, "classification": classification()}), name

    def version(self, product_id):
        """Step 4: the version."""
        value = os.environ["TCMS_PRODUCT_VERSION"]
        values = {"product": product_id, "value": value}
        return self.get_or_create("Version", values, lambda: values), value

    def build(self, version_id):
        """Step 5: the build."""
        name = os.environ["TCMS_BUILD"]
        values = {"name": name, "version": version_id}
        return self.get_or_create("Build", values, lambda: values), name

    def plan(self):
        """Step 6: the plan named after product and version."""
        assert self.rpc.TestRun.filter({"pk": 0}) == []
        assert self.rpc.TestPlan.filter({"pk": 0}) == []
        product_id, product = self.product()
        version_id, version = self.version(product_id)
        name = f"{self.prefix} Plan for {product} ({version})"

        def values():
            plan_type = self.get_or_create("PlanType", {"name": "Integration"}, lambda: {"name": "Integration"})
            v = {"name": name, "text": f"Created by {PLUGIN}, version 0", "product": product_id,
                 "product_version": version_id, "is_active": True, "type": plan_type}
            if self.tester_id:
                v["author"] = self.tester_id
            return v

        return self.get_or_create("TestPlan", {"name": name, "product": product_id, "product_version": version_id}, values)

    def configure(self):
        self.rpc.Auth.login(self.username, self.password)  # step 1
        assert "sessionid" in self.transport.cookies, self.transport.cookies
        self.run_id = int(os.environ.get("TCMS_RUN_ID") or 0)
        if not self.run_id:
            assert self.rpc.TestPlan.filter({"pk": 0}) == []  # step 2
            product_id, product = self.product()  # steps 3-5
            version_id, version = self.version(product_id)
            build_id, build = self.build(version_id)
            plan_id = self.plan()  # step 6
            manager = self.rpc.TestPlan.filter({"pk": plan_id})[0]["author"]  # step 7
            run = self.rpc.TestRun.create({  # step 8
                "summary": f"{self.prefix} Results for {product}, {version}, {build}",
                "manager": manager, "plan": plan_id, "build": build_id,
                "start_date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
                "default_tester": self.tester_id or manager,
            })
            self.run_id = run["id"]
        self.plan_id = self.rpc.TestRun.filter({"pk": self.run_id})[0]["plan"]  # step 9
        plan = self.rpc.TestPlan.filter({"pk": self.plan_id})[0]  # step 10
        self.product_id = plan["product"]
        assert plan["product__name"] == os.environ["TCMS_PRODUCT"], plan
        self.category = first(self.rpc.Category.filter({"product": self.product_id}))  # step 11
        self.priority = first(self.rpc.Priority.filter({}))
        self.confirmed = first(self.rpc.TestCaseStatus.filter({"name": "CONFIRMED"}))

    def status_id(self, name):
        """Step 12: a status by name, cached; by the sign of its weight when renamed."""
        if name not in self.statuses:
            rows = self.rpc.TestExecutionStatus.filter({"name": name})
            if not rows:
                rows = self.rpc.TestExecutionStatus.filter({"weight__gt" if name in ("PASSED", "WAIVED") else "weight__lt": 0})
            self.statuses[name] = first(rows)
        return self.statuses[name]

    def report(self, result):
        status = self.status_id(result.status)
        case_id = self.get_or_create("TestCase", {"summary": result.summary, "category__product": self.product_id}, lambda: {  # step 13
            "summary": result.summary, "category": self.category, "priority": self.priority,
            "case_status": self.confirmed, "notes": CREATED_BY, "is_automated": True,
        })
        if not self.rpc.TestCase.filter({"pk": case_id, "plan": self.plan_id}):  # step 14
            self.rpc.TestPlan.add_case(self.plan_id, case_id)
        executions = self.rpc.TestRun.add_case(self.run_id, case_id)  # step 15
        assert isinstance(executions, list) and executions, executions
        for execution in executions:
            values = {"status": status, "start_date": result.start, "stop_date": result.stop}  # step 16
            if self.tester_id:
                values["tested_by"] = self.tester_id
            self.rpc.TestExecution.update(execution["id"], values)
            if result.comment:
                self.rpc.TestExecution.add_comment(execution["id"], result.comment)  # step 17

    def finish(self):
        self.rpc.TestRun.update(self.run_id, {"stop_date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S")})  # step 18


def check(rpc, run_id, results):
    """Reads the run back: one execution per result, with the announced status, the dates
    and, last, the comment the plugin sent."""
    runs = rpc.TestRun.filter({"pk": run_id})
    assert len(runs) == 1 and runs[0]["stop_date"] is not None, runs
    executions = rpc.TestExecution.filter({"run": run_id})
    by_summary = {e["case__summary"]: e for e in executions}
    assert len(executions) == len(results) == len(by_summary) == 40, (len(executions), len(by_summary))
    for r in results:
        e = by_summary[r.summary]
        announced = ANNOUNCED[r.name.split("_")[1]]
        assert r.status == announced and e["status__name"] == announced, (r.name, r.status, e)
        # XML-RPC's dateTime.iso8601 carries whole seconds: a fraction of the time is lost.
        start, stop = r.start.replace(microsecond=0), r.stop.replace(microsecond=0)
        assert e["start_date"] == start and e["stop_date"] == stop, (r.name, start, stop, e)
        assert e["actual_duration"] == (stop - start).total_seconds(), (r.name, e)
        comments = rpc.TestExecution.get_comments(e["id"])
        if r.name.startswith("test_skip_bare_"):
            assert comments == [], (r.name, comments)
        else:
            assert comments and comments[-1]["comment"] == r.comment, (r.name, comments)
    return executions


def main(base, username, password, junit_file, shift_days="0"):
    url = base + "/xml-rpc/"
    results = read_junit(junit_file, datetime.timedelta(days=int(shift_days)))
    backend = Backend(url, username, password)
    backend.configure()
    for result in results:
        backend.report(result)
    backend.finish()
    check(backend.rpc, backend.run_id, results)
    print(f"run_id={backend.run_id}")
    print("ci_junit: OK")


if __name__ == "__main__":
    main(*sys.argv[1:])
