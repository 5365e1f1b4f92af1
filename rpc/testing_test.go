package rpc

import (
	"encoding/json"
	"fmt"
	"testing"
)

// telemetryBed is a plan with three cases: "one" and "three" proposed
// (P1), "two" confirmed (P2) and automated; run1 has one and two FAILED,
// run2 one PASSED and two FAILED, run3 three IDLE.
type telemetryBed struct {
	planBed
	c1, c2, c3, run1, run2, run3 int64
}

func mustTelemetryBed(t *testing.T) telemetryBed {
	t.Helper()
	b := telemetryBed{planBed: mustPlanBed(t, "telemetry")}
	conn := b.ts.mustDB()
	p := b.f.product
	b.c1, b.c2, b.c3 = mustPlanCase(t, conn, p, "one"), mustPlanCase(t, conn, p, "two"), mustPlanCase(t, conn, p, "three")
	mustExec(t, conn, `UPDATE test_cases SET case_status_id = 2, priority_id = 2, is_automated = true WHERE id = $1`, b.c2)
	var e1, e2, e3 []int64
	b.run1, e1 = mustRunSQL(t, conn, b.plan.ID, "run one", b.c1, b.c2)
	b.run2, e2 = mustRunSQL(t, conn, b.plan.ID, "run two", b.c1, b.c2)
	b.run3, e3 = mustRunSQL(t, conn, b.plan.ID, "run three", b.c3)
	_ = e1
	mustExec(t, conn, `UPDATE test_executions SET status_id = 4 WHERE id = $1`, e2[0])
	mustExec(t, conn, `UPDATE test_executions SET status_id = 1 WHERE id = $1`, e3[0])
	return b
}

// both makes a call over JSON-RPC and XML-RPC and checks that the two
// results are the same JSON, returning it decoded into v.
func (c rpcCaller) both(t *testing.T, v any, method string, params ...any) {
	t.Helper()
	var viaJSON, viaXML any
	c.viaJSON(t, &viaJSON, method, params...)
	c.viaXML(t, &viaXML, method, params...)
	a, _ := json.Marshal(viaJSON)
	x, _ := json.Marshal(viaXML)
	if string(a) != string(x) {
		t.Fatalf("%s: JSON-RPC %s, XML-RPC %s", method, a, x)
	}
	if err := json.Unmarshal(a, v); err != nil {
		t.Fatal(err)
	}
}

func TestTestingBreakdown(t *testing.T) {
	b := mustTelemetryBed(t)
	var got map[string]any
	b.tester.both(t, &got, "Testing.breakdown")
	want := `{"categories":{"CONFIRMED":{"--default--":1},"OTHER":{"--default--":2}},` +
		`"count":{"all":3,"automated":1,"manual":2},"priorities":{"CONFIRMED":{"P2":1},"OTHER":{"P1":2}}}`
	if g, _ := json.Marshal(got); string(g) != want {
		t.Fatalf("got %s\nwant %s", g, want)
	}
	b.tester.both(t, &got, "Testing.breakdown", map[string]any{"summary__in": []any{"one", "two"}, "category__product__name": "planned"})
	if g, _ := json.Marshal(got["count"]); string(g) != `{"all":2,"automated":1,"manual":1}` {
		t.Fatalf("filtered: %s", g)
	}
	// kolo/xmlrpc reads an empty struct as nil: JSON-RPC only.
	b.tester.viaJSON(t, &got, "Testing.breakdown", map[string]any{"summary": "none"})
	if g, _ := json.Marshal(got); string(g) != `{"categories":{"CONFIRMED":{},"OTHER":{}},"count":{"all":0,"automated":0,"manual":0},"priorities":{"CONFIRMED":{},"OTHER":{}}}` {
		t.Fatalf("empty: %s", g)
	}
	b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "Testing.breakdown", map[string]any{"nope": 1})
	b.tester.fault(t, CodeInternal, "Internal error: Invalid regular expression:", "Testing.breakdown", map[string]any{"summary__regex": "(a"})
	b.nobody.refused(t, "testcases.view_testcase", "Testing.breakdown", map[string]any{})
}

func TestTestingExecutionTrends(t *testing.T) {
	b := mustTelemetryBed(t)
	var got struct {
		Categories  []int64            `json:"categories"`
		DataSet     map[string][]int64 `json:"data_set"`
		Colors      []string           `json:"colors"`
		StatusCount map[string]int64   `json:"status_count"`
	}
	b.tester.both(t, &got, "Testing.execution_trends", map[string]any{"run__plan": b.plan.ID})
	if fmt.Sprint(got.Categories) != fmt.Sprint([]int64{b.run1, b.run2, b.run3}) {
		t.Fatalf("categories %v", got.Categories)
	}
	for name, want := range map[string]string{"PASSED": "[0 1 0]", "FAILED": "[2 1 0]", "IDLE": "[0 0 1]", "WAIVED": "[0 0 0]", "TOTAL": "[2 2 1]"} {
		if fmt.Sprint(got.DataSet[name]) != want {
			t.Fatalf("%s: %v, want %s", name, got.DataSet[name], want)
		}
	}
	if len(got.DataSet) != 9 || len(got.Colors) != 9 || got.Colors[0] != "#72767b" || got.Colors[3] != "#92d400" || got.Colors[8] != "black" {
		t.Fatalf("data_set %v colors %v", got.DataSet, got.Colors)
	}
	if fmt.Sprint(got.StatusCount) != "map[negative:3 neutral:1 positive:1]" {
		t.Fatalf("status_count %v", got.StatusCount)
	}
	b.tester.both(t, &got, "Testing.execution_trends", map[string]any{"run": 999})
	if len(got.Categories) != 0 || len(got.DataSet["TOTAL"]) != 0 || len(got.Colors) != 9 {
		t.Fatalf("empty: %+v", got)
	}
	b.tester.fault(t, CodeInternal, "Internal error: Field 'run' expected a number but got 'x'.", "Testing.execution_trends", map[string]any{"run": "x"})
	b.nobody.refused(t, "testruns.view_testexecution", "Testing.execution_trends")
}

func TestTestingStatusMatrix(t *testing.T) {
	b := mustTelemetryBed(t)
	var got map[string]any
	b.tester.both(t, &got, "Testing.status_matrix", map[string]any{"case__in": []any{b.c1, b.c2}})
	cases, _ := json.Marshal(got["cases"])
	if want := fmt.Sprintf(`[{"case__summary":"one","case_id":%d},{"case__summary":"two","case_id":%d}]`, b.c1, b.c2); string(cases) != want {
		t.Fatalf("cases %s, want %s", cases, want)
	}
	execs := got["executions"].(map[string]any)
	key := fmt.Sprintf("%d-%d", b.c1, b.run2)
	e := execs[key].(map[string]any)
	if len(execs) != 4 || e["key"] != key || e["status_id"] != 4.0 || e["case_id"] != float64(b.c1) || e["run_id"] != float64(b.run2) || e["pk"] == nil {
		t.Fatalf("executions %v", execs)
	}
	runs, plans := got["runs"].(map[string]any), got["plans"].(map[string]any)
	if len(runs) != 2 || runs[fmt.Sprint(b.run1)] != "run one" || plans[fmt.Sprint(b.run2)] != float64(b.plan.ID) {
		t.Fatalf("runs %v plans %v", runs, plans)
	}
	colors := got["statusColors"].(map[string]any)
	if len(colors) != 8 || colors["5"] != "#cc0000" {
		t.Fatalf("statusColors %v", colors)
	}
	b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'plan' into field.", "Testing.status_matrix", map[string]any{"plan": 1})
	b.nobody.refused(t, "testruns.view_testexecution", "Testing.status_matrix")
}

func TestTestingCaseHealth(t *testing.T) {
	b := mustTelemetryBed(t)
	type health struct {
		CaseID  int64  `json:"case_id"`
		Summary string `json:"case_summary"`
		Count   struct{ All, Fail int64 }
	}
	var got []health
	b.tester.both(t, &got, "Testing.test_case_health", map[string]any{"run__plan__name": "telemetry"})
	if fmt.Sprint(got) != fmt.Sprintf("[{%d two {2 2}} {%d one {2 1}}]", b.c2, b.c1) {
		t.Fatalf("got %v", got)
	}
	wantKeys(t, b.tester.json("Testing.test_case_health"), "case_id", "case_summary", "count")
	b.tester.both(t, &got, "Testing.test_case_health", map[string]any{"case": b.c3})
	if len(got) != 0 {
		t.Fatalf("a case that never failed: %v", got)
	}
	b.nobody.refused(t, "testruns.view_testexecution", "Testing.test_case_health")
}

func TestTestingIndividualCaseHealth(t *testing.T) {
	b := mustTelemetryBed(t)
	var got []struct {
		Plan   int64  `json:"run__plan"`
		Case   int64  `json:"case_id"`
		Name   string `json:"status__name"`
		Weight int64  `json:"status__weight"`
	}
	b.tester.both(t, &got, "Testing.individual_test_case_health", map[string]any{"run__plan": b.plan.ID})
	p := b.plan.ID
	want := fmt.Sprintf("[{%[1]d %[2]d FAILED -30} {%[1]d %[2]d PASSED 20} {%[1]d %[3]d FAILED -30} {%[1]d %[3]d FAILED -30} {%[1]d %[4]d IDLE 0}]", p, b.c1, b.c2, b.c3)
	if fmt.Sprint(got) != want {
		t.Fatalf("got %v\nwant %s", got, want)
	}
	// Every key of TestExecution.filter works, those over the case too.
	b.tester.both(t, &got, "Testing.individual_test_case_health", map[string]any{"expected_duration__gt": 0, "case": b.c3})
	if len(got) != 1 || got[0].Name != "IDLE" {
		t.Fatalf("by expected_duration: %v", got)
	}
	b.tester.fault(t, CodeInternal, "Internal error: Field 'weight' expected a number but got 'x'.",
		"Testing.individual_test_case_health", map[string]any{"status__weight": "x"})
	b.nobody.refused(t, "testruns.view_testexecution", "Testing.individual_test_case_health", map[string]any{})
}
