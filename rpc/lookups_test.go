package rpc

import (
	"fmt"
	"testing"

	"github.com/tcms/tcms/store"
)

// TestForeignKeyLookups: every foreign key answers to <fk>, <fk>_id,
// <fk>__id and <fk>__pk and to the related model's fields, however deep,
// through one mechanism, over both protocols.
func TestForeignKeyLookups(t *testing.T) {
	b := mustPlanBed(t, "looked up")
	ts, tester, f, p := b.ts, b.tester, b.f, b.plan
	conn := ts.mustDB()
	c1, c2 := mustPlanCase(t, conn, f.product, "one"), mustPlanCase(t, conn, f.product, "two")
	run, execs := mustRunSQL(t, conn, p.ID, "looked up run", c1, c2)
	for _, c := range []int64{c1, c2} {
		result(t, tester.json("TestPlan.add_case", p.ID, c), new(any))
	}
	var cat int64
	if err := conn.QueryRow(t.Context(), "SELECT category_id FROM test_cases WHERE id = $1", c1).Scan(&cat); err != nil {
		t.Fatal(err)
	}
	caseIDs := func(r store.TestCaseRow) int64 { return r.ID }
	execIDs := func(r store.ExecutionRow) int64 { return r.ID }
	both := fmt.Sprint([]int64{c1, c2})

	t.Run("OK", func(t *testing.T) {
		for _, q := range []map[string]any{
			{"category": cat}, {"category_id": cat}, {"category__id": cat}, {"category__pk": cat},
			{"category__id__in": []any{cat}}, {"category__name": "--default--"},
			{"category__product": f.product}, {"category__product__name": "planned"},
			{"category__product__classification__name__iexact": "software"},
			{"plan__product_version__value": "1.0"}, {"executions__run__summary__icontains": "LOOKED"},
			{"author__username": adminName}, {"default_tester__isnull": true}, {"default_tester__username__isnull": true},
		} {
			var got []store.TestCaseRow
			tester.viaXML(t, &got, "TestCase.filter", q)
			if rowIDs(got, caseIDs) != both {
				t.Fatalf("TestCase.filter(%v): %v", q, rowIDs(got, caseIDs))
			}
		}
		for _, q := range []map[string]any{
			{"run__plan__product": f.product}, {"run__plan__product__name": "planned"}, {"run__plan": p.ID},
			{"run__build__version__product__id": f.product}, {"case__category__name": "--default--"},
			{"case__plan__name": "looked up"}, {"run__summary": "looked up run"},
		} {
			var got []store.ExecutionRow
			tester.viaXML(t, &got, "TestExecution.filter", q)
			if rowIDs(got, execIDs) != fmt.Sprint(execs) {
				t.Fatalf("TestExecution.filter(%v): %v", q, rowIDs(got, execIDs))
			}
		}
		var runs []store.TestRunRow
		result(t, tester.json("TestRun.filter", map[string]any{"plan__product__name": "planned", "build__version__value": "1.0"}), &runs)
		if len(runs) != 1 || runs[0].ID != run {
			t.Fatalf("TestRun.filter: %+v", runs)
		}
		tester.empty(t, "TestCase.filter", map[string]any{"category__product__name": "other"})
		tester.empty(t, "TestExecution.filter", map[string]any{"run__plan__product": f.product + 1000})
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field. Choices are: category_case, description, id, name, product, product_id.",
			"TestCase.filter", map[string]any{"category__nope": 1})
		tester.fault(t, CodeInternal, "Internal error: Field 'category__id' expected a number but got 'x'.",
			"TestCase.filter", map[string]any{"category__id": "x"})
		// Users reached through a relation show only their names, email and
		// is_active.
		tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'is_superuser' into field. Choices are: email, first_name, id, is_active, last_name, username.",
			"TestCase.filter", map[string]any{"author__is_superuser": true})
		tester.fault(t, CodeInternal, "Internal error: A query key may have at most 10 parts separated by __.",
			"TestPlan.filter", map[string]any{"parent__parent__parent__parent__parent__parent__parent__parent__parent__parent__name": "x"})
		tester.fault(t, CodeInternal, "Internal error: Unsupported lookup 'name' for field 'category_id'.",
			"TestCase.filter", map[string]any{"category_id__name": "x"})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		b.nobody.refused(t, "testcases.view_testcase", "TestCase.filter", map[string]any{"category__id": cat})
	})
}

// TestComponentCases: Component.filter has one row per linked test case
// under "cases" (null when none), and cases is a lookup.
func TestComponentCases(t *testing.T) {
	b := mustPlanBed(t, "components")
	ts, tester, f := b.ts, b.tester, b.f
	conn := ts.mustDB()
	c1, c2 := mustPlanCase(t, conn, f.product, "one"), mustPlanCase(t, conn, f.product, "two")
	var db, ui store.Component
	result(t, b.admin("Component.create", map[string]any{"name": "db", "product": f.product}), &db)
	result(t, b.admin("Component.create", map[string]any{"name": "ui", "product": f.product}), &ui)
	for _, c := range []int64{c2, c1} {
		result(t, tester.json("TestCase.add_component", c, "db"), new(store.Component))
	}
	rows := func(got []store.ComponentRow) string {
		out := ""
		for _, r := range got {
			out += fmt.Sprintf("%s:%v ", r.Name, orNil(r.Cases))
		}
		return out
	}
	var got []store.ComponentRow
	r := tester.json("Component.filter", map[string]any{"product": f.product})
	result(t, r, &got)
	wantKeys(t, r, "cases", "description", "id", "initial_owner", "name", "product")
	if want := fmt.Sprintf("db:%d db:%d ui:<nil> ", c1, c2); rows(got) != want {
		t.Fatalf("rows %q, want %q", rows(got), want)
	}
	for q, want := range map[string]string{
		fmt.Sprint(c2):  fmt.Sprintf("db:%d ", c2),
		"one":           fmt.Sprintf("db:%d ", c1),
		"<nil>":         "ui:<nil> ",
		"by product ui": "ui:<nil> ",
	} {
		query := map[string]any{"cases": c2}
		switch q {
		case "one":
			query = map[string]any{"cases__summary": "one"}
		case "<nil>":
			query = map[string]any{"cases__isnull": true}
		case "by product ui":
			query = map[string]any{"name": "ui", "product__name": "planned"}
		}
		tester.viaXML(t, &got, "Component.filter", query)
		if rows(got) != want {
			t.Fatalf("%v: %q, want %q", query, rows(got), want)
		}
	}
	var cases []struct{ ID int64 }
	result(t, tester.json("TestCase.filter", map[string]any{"component__name": "db", "component__cases": c1}), &cases)
	if len(cases) != 2 {
		t.Fatalf("cases of component db: %+v", cases)
	}
	tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'case' into field.", "Component.filter", map[string]any{"case": c1})
	b.nobody.refused(t, "management.view_component", "Component.filter", map[string]any{"cases": c1})
}
