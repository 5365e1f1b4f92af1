package rpc

import (
	"fmt"
	"testing"
)

func TestTestPlanRemove(t *testing.T) {
	b := mustPlanBed(t, "with a run")
	ts, admin, tester, f := b.ts, b.admin, b.tester, b.f
	conn := ts.mustDB()
	c1 := mustPlanCase(t, conn, f.product, "one")
	mustRunSQL(t, conn, b.plan.ID, "keeps the plan", c1)
	var parent, child, lone wirePlan
	result(t, admin("TestPlan.create", f.values("parent")), &parent)
	result(t, admin("TestPlan.create", f.values("child", "parent", parent.ID)), &child)
	result(t, admin("TestPlan.create", f.values("lone")), &lone)
	for _, p := range []wirePlan{parent, lone} {
		result(t, tester.json("TestPlan.add_case", p.ID, c1), new(any))
		result(t, tester.json("TestPlan.add_tag", p.ID, "obsolete"), new(any))
	}
	result(t, tester.json("TestPlan.add_attachment", lone.ID, "notes.txt", b64("x")), new(any))
	plans := func() string {
		return sqlText(t, conn, "SELECT string_agg(name, ',' ORDER BY id) FROM test_plans")
	}

	t.Run("ErrInUse", func(t *testing.T) {
		before := plans()
		tester.fault(t, CodeInternal, `Internal error: TestPlan "with a run" is in use by 1 test run and cannot be deleted; TestPlan.remove deleted nothing.`,
			"TestPlan.remove", map[string]any{"pk": b.plan.ID})
		tester.fault(t, CodeInternal, `Internal error: TestPlan "parent" is in use by 1 child plan and cannot be deleted; TestPlan.remove deleted nothing.`,
			"TestPlan.remove", map[string]any{"name__in": []any{"parent", "lone"}})
		tester.fault(t, CodeInternal, "Internal error: TestPlan.remove needs a non-empty query; an empty one would delete every test plan.",
			"TestPlan.remove", map[string]any{})
		b.nobody.refused(t, "testplans.delete_testplan", "TestPlan.remove", map[string]any{"pk": lone.ID})
		ts.holding(t, "noremove", allBut("testplans.delete_testplan")...).refused(t, "testplans.delete_testplan", "TestPlan.remove", map[string]any{"pk": lone.ID})
		if plans() != before {
			t.Fatalf("a refused remove deleted plans: %s, was %s", plans(), before)
		}
	})
	t.Run("OK", func(t *testing.T) {
		// A parent goes with its child when both are matched.
		total, counts := deletedReply(t, tester, false, "TestPlan.remove", map[string]any{"run__isnull": true, "name__in": []any{"parent", "child"}})
		if total != 4 || fmt.Sprint(counts) != "map[testcases.TestCasePlan:1 testplans.TestPlan:2 testplans.TestPlanTag:1]" {
			t.Fatalf("parent and child: %d %v", total, counts)
		}
		total, counts = deletedReply(t, ts.holding(t, "planremover", "testplans.delete_testplan"), true, "TestPlan.remove", map[string]any{"name": "lone"})
		if total != 4 || fmt.Sprint(counts) != "map[attachments.Attachment:1 testcases.TestCasePlan:1 testplans.TestPlan:1 testplans.TestPlanTag:1]" {
			t.Fatalf("lone: %d %v", total, counts)
		}
		if plans() != "with a run" {
			t.Fatalf("plans left: %s", plans())
		}
		if n := count(t, conn, "SELECT count(*) FROM history WHERE owner = 'testplans_testplan' AND history_type = '-'"); n != 3 {
			t.Fatalf("deletion records: %d", n)
		}
		if n := count(t, conn, "SELECT count(*) FROM test_cases"); n != 1 {
			t.Fatal("the plans' case went with them")
		}
	})
}
