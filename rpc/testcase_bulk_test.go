package rpc

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTestCaseBulkCreate(t *testing.T) {
	f := newCaseFixture(t)
	conn := f.ts.mustDB()
	counts := func() string {
		return sqlText(t, conn, `SELECT format('cases=%s history=%s', (SELECT count(*) FROM test_cases),
			(SELECT count(*) FROM history WHERE owner = 'testcases_testcase'))`)
	}

	t.Run("OK", func(t *testing.T) {
		first := f.values("bulk one")
		first["setup_duration"], first["create_date"], first["is_automated"] = "0:01:30", "2026-01-06 20:30:00", true
		second := f.values("bulk two")
		second["author"], second["notes"] = 1, "Created by tcms report"
		var got []wireCase
		r := f.tester.json("TestCase.bulk_create", []any{first, second})
		result(t, r, &got)
		if len(got) != 2 || got[0]["summary"] != "bulk one" || got[1]["summary"] != "bulk two" || got[0].id() >= got[1].id() {
			t.Fatalf("bulk_create: %s", r.Result)
		}
		// As TestCase.create returns them, with its defaults.
		if got[0]["setup_duration"] != "0:01:30" || got[0]["testing_duration"] != "None" || got[0]["create_date"] != "2026-01-06T20:30:00" ||
			got[0]["is_automated"] != true || got[0]["author"] != 2.0 || got[1]["author"] != 1.0 || got[1]["notes"] != "Created by tcms report" ||
			got[1]["is_automated"] != false || got[1]["text"] != "" || got[1]["script"] != nil {
			t.Fatalf("bulk_create values: %s", r.Result)
		}
		var same wireCase
		f.tester.viaXML(t, &same, "TestCase.create", f.values("single"))
		if a, b := slices.Sorted(maps.Keys(same)), slices.Sorted(maps.Keys(got[0])); !slices.Equal(a, b) {
			t.Fatalf("keys differ from TestCase.create: %v / %v", a, b)
		}
		// Each case has its creation history row, as TestCase.create writes it.
		var hist []map[string]any
		result(t, f.tester.json("TestCase.history", got[0].id()), &hist)
		if len(hist) != 1 || hist[0]["history_type"] != "+" || hist[0]["setup_duration"] != 90.0 || hist[0]["summary"] != "bulk one" {
			t.Fatalf("history: %+v", hist)
		}
		var none []wireCase
		f.tester.viaXML(t, &none, "TestCase.bulk_create", []any{})
		if none == nil || len(none) != 0 {
			t.Fatalf("empty bulk_create: %v", none)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := counts()
		good := f.values("fine")
		f.tester.fault(t, CodeInternal, "Internal error: values_list item 1: [('summary', ['This field is required.'])]",
			"TestCase.bulk_create", []any{good, map[string]any{"case_status": 2, "category": f.category, "priority": 1}})
		bad := f.values("bad category")
		bad["category"] = 99999
		f.tester.fault(t, CodeInternal, "Internal error: [('category', ['Select a valid choice. That choice is not one of the available choices.'])]", "TestCase.bulk_create", []any{good, bad})
		f.tester.fault(t, CodeInvalidParams, "Invalid parameters: values_list: item 0: expected a struct", "TestCase.bulk_create", []any{"x"})
		many := make([]any, store.MaxBulkCases+1)
		for i := range many {
			many[i] = good
		}
		wantFault(t, f.tester.json("TestCase.bulk_create", many), CodeInvalidParams, "Invalid parameters: values_list has 10001 items; at most 10000")
		if after := counts(); after != before {
			t.Fatalf("a refused bulk_create wrote: %s, then %s", before, after)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := counts()
		f.nobody.refused(t, "testcases.add_testcase", "TestCase.bulk_create", []any{f.values("no")})
		if after := counts(); after != before {
			t.Fatalf("a refused bulk_create wrote: %s, then %s", before, after)
		}
	})
}

func TestTestPlanAddCases(t *testing.T) {
	b := mustPlanBed(t, "bulk")
	conn := b.ts.mustDB()
	c1, c2, c3 := mustPlanCase(t, conn, b.f.product, "one"), mustPlanCase(t, conn, b.f.product, "two"), mustPlanCase(t, conn, b.f.product, "three")
	links := func() string {
		return sqlText(t, conn, `SELECT coalesce(string_agg(format('%s:%s', case_id, sortkey), ' ' ORDER BY sortkey, case_id), '')
			FROM test_case_plans WHERE plan_id = $1`, b.plan.ID)
	}

	t.Run("OK", func(t *testing.T) {
		result(t, b.tester.json("TestPlan.add_case", b.plan.ID, c2), new(any))
		var reply any
		b.tester.viaJSON(t, &reply, "TestPlan.add_cases", b.plan.ID, []any{c3, c2, c1, c3})
		// c2 keeps sortkey 0; c3 and c1 follow it in the order given.
		if got, want := links(), fmt.Sprintf("%d:0 %d:10 %d:20", c2, c3, c1); got != want || reply != nil {
			t.Fatalf("links %q, want %q; reply %v", got, want, reply)
		}
		b.tester.viaXML(t, &reply, "TestPlan.add_cases", b.plan.ID, []any{c1})
		if got := links(); got != fmt.Sprintf("%d:0 %d:10 %d:20", c2, c3, c1) {
			t.Fatalf("adding again changed the links: %s", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		before := links()
		c4 := mustPlanCase(t, conn, b.f.product, "four")
		b.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist: 99998, 99999.",
			"TestPlan.add_cases", b.plan.ID, []any{c4, 99999, 99998})
		b.tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.add_cases", 99999, []any{c4})
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: ", "TestPlan.add_cases", b.plan.ID, "x")
		many := make([]any, store.MaxBulkCases+1)
		for i := range many {
			many[i] = c4
		}
		b.tester.fault(t, CodeInternal, "Internal error: case_ids: at most 10000 cases per call, got 10001.", "TestPlan.add_cases", b.plan.ID, many)
		if after := links(); after != before {
			t.Fatalf("a refused add_cases wrote: %s, then %s", before, after)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := links()
		b.nobody.refused(t, "testcases.add_testcaseplan", "TestPlan.add_cases", b.plan.ID, []any{c1})
		if after := links(); after != before {
			t.Fatalf("a refused add_cases wrote: %s, then %s", before, after)
		}
	})
}
