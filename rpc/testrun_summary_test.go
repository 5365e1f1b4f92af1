package rpc

import (
	"fmt"
	"testing"
)

func TestTestRunSummary(t *testing.T) {
	b := mustTelemetryBed(t) // run1: 2 FAILED; run2: PASSED, FAILED; run3: IDLE
	type summary struct {
		Run        int64            `json:"run"`
		Total      int64            `json:"total"`
		Statuses   map[string]int64 `json:"statuses"`
		Positive   int64            `json:"positive"`
		Neutral    int64            `json:"neutral"`
		Negative   int64            `json:"negative"`
		Completion float64          `json:"completion"`
		Passed     bool             `json:"passed"`
	}
	var s summary
	r := b.tester.json("TestRun.summary", b.run2)
	result(t, r, &s)
	wantKeys(t, r, "completion", "negative", "neutral", "passed", "positive", "run", "statuses", "total")
	if s.Run != b.run2 || s.Total != 2 || s.Positive != 1 || s.Negative != 1 || s.Neutral != 0 || s.Completion != 100 || s.Passed ||
		len(s.Statuses) != 8 || s.Statuses["PASSED"] != 1 || s.Statuses["FAILED"] != 1 || s.Statuses["IDLE"] != 0 {
		t.Fatalf("run2: %+v", s)
	}
	b.tester.both(t, &s, "TestRun.summary", b.run3)
	if s.Total != 1 || s.Neutral != 1 || s.Completion != 0 || s.Passed {
		t.Fatalf("run3: %+v", s)
	}
	conn := b.ts.mustDB()
	mustExec(t, conn, "UPDATE test_executions SET status_id = 8 WHERE run_id = $1", b.run1) // WAIVED: positive
	b.tester.both(t, &s, "TestRun.summary", b.run1)
	if s.Total != 2 || s.Positive != 2 || s.Completion != 100 || !s.Passed || s.Statuses["WAIVED"] != 2 {
		t.Fatalf("run1, all waived: %+v", s)
	}
	mustExec(t, conn, "UPDATE test_executions SET status_id = 2 WHERE id = (SELECT min(id) FROM test_executions WHERE run_id = $1)", b.run1)
	b.tester.both(t, &s, "TestRun.summary", b.run1)
	if s.Completion != 50 || s.Passed || fmt.Sprint(s.Positive, s.Neutral) != "1 1" {
		t.Fatalf("run1, one running: %+v", s)
	}
	// A run without executions has not passed.
	var builds []map[string]any
	result(t, b.admin("Build.filter", map[string]any{"version": b.f.version}), &builds)
	var run wireRun
	result(t, b.admin("TestRun.create", map[string]any{"summary": "empty", "plan": b.plan.ID, "build": builds[0]["id"], "manager": adminName}), &run)
	b.tester.both(t, &s, "TestRun.summary", run.id())
	if s.Total != 0 || s.Completion != 0 || s.Passed {
		t.Fatalf("empty run: %+v", s)
	}

	b.tester.fault(t, CodeInternal, "Internal error: TestRun matching query does not exist.", "TestRun.summary", 99999)
	b.tester.fault(t, CodeInvalidParams, "Invalid parameters: run_id", "TestRun.summary", "x")
	b.nobody.refused(t, "testruns.view_testrun", "TestRun.summary", b.run2)
	// An object grant of testruns.view_testrun on the run opens it, and
	// only it.
	r = b.ts.jsonCall("ObjectPermission.grant", []any{map[string]any{"user": "nobody", "permission": "testruns.view_testrun",
		"object_type": "TestRun", "object_id": b.run2}}, "Authorization", "Bearer "+b.ts.login(adminName, adminPass))
	if r.Error != nil {
		t.Fatal(r.Error.Message)
	}
	b.nobody.both(t, &s, "TestRun.summary", b.run2)
	if s.Total != 2 {
		t.Fatalf("through the grant: %+v", s)
	}
	b.nobody.refused(t, "testruns.view_testrun", "TestRun.summary", b.run1)
}
