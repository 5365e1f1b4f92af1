package rpc

import (
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// TestRoundTrips counts the statements of the CI hot path and the calls
// around it, one call each through the whole server, once the caller's
// session and permissions are cached: a call that is one statement sends
// one, with no BEGIN or COMMIT (docs/performance.md). A change that adds a
// round trip to any of them has to change this table.
func TestRoundTrips(t *testing.T) {
	c := &storetest.StatementCounter{}
	ts := mustServerOn(t, store.Options{Tracer: c}, nil, func(*Config) {})
	admin := ts.as(adminName, adminPass)
	f := mustRunFixture(t, admin)
	var cats []store.Category
	result(t, admin("Category.filter", map[string]any{"product": f.product}), &cats)
	newCase := func(summary string) map[string]any {
		return map[string]any{"summary": summary, "case_status": 2, "category": cats[0].ID, "priority": 1}
	}
	var tc, bug struct{ ID int64 }
	result(t, admin("TestCase.create", newCase("first")), &tc)
	var execs []struct{ ID int64 }
	result(t, admin("TestRun.add_case", f.run, tc.ID), &execs)
	result(t, admin("Bug.create", map[string]any{"summary": "b", "product": f.product, "version": f.version, "build": f.build}), &bug)

	for _, call := range []struct {
		method     string
		params     []any
		statements int64
	}{
		{"TestCase.create", []any{newCase("one")}, 1},
		{"TestCase.bulk_create", []any{[]any{newCase("two"), newCase("three")}}, 1},
		{"TestCase.update", []any{tc.ID, map[string]any{"summary": "renamed", "notes": "", "default_tester": adminName}}, 1},
		{"TestRun.create", []any{f.runValues("second")}, 1},
		{"TestRun.update", []any{f.run, map[string]any{"summary": "renamed", "stop_date": nil, "manager": adminName}}, 1},
		{"TestRun.add_case", []any{f.run, tc.ID}, 1},
		{"TestRun.add_cases", []any{f.run, []any{tc.ID}}, 1},
		{"TestRun.get_cases", []any{f.run}, 1},
		{"TestRun.summary", []any{f.run}, 1},
		{"TestExecution.create", []any{map[string]any{"run": f.run, "case": tc.ID, "build": f.build, "status": 1,
			"case_text_version": 1}}, 1},
		{"TestExecution.update", []any{execs[0].ID, map[string]any{"status": 4, "start_date": "2026-01-06 20:30:00",
			"stop_date": "2026-01-06 20:31:00"}}, 1},
		{"TestExecution.bulk_update", []any{[]any{map[string]any{"id": execs[0].ID, "status": 5, "comment": "failed"}}}, 1},
		{"TestExecution.add_comment", []any{execs[0].ID, "passed"}, 1},
		{"TestExecution.get_comments", []any{execs[0].ID}, 1},
		{"Bug.create", []any{map[string]any{"summary": "c", "product": f.product, "version": f.version, "build": f.build,
			"assignee": adminName}}, 1},
		{"Bug.update", []any{bug.ID, map[string]any{"status": false, "assignee": adminName}}, 1},
	} {
		c.Reset()
		if r := admin(call.method, call.params...); r.Error != nil {
			t.Fatalf("%s: fault %d %s", call.method, r.Error.Code, r.Error.Message)
		}
		if n, tx := c.N.Load(), c.TxControl.Load(); n != call.statements || tx != 0 {
			t.Errorf("%s sent %d statements and %d BEGIN/COMMIT, want %d and 0", call.method, n, tx, call.statements)
		}
	}
}

// TestFiltersOpenNoTransaction calls every registered X.filter with an
// empty query and a query no record matches: a read-only call runs its
// statements on the pool, never inside BEGIN/COMMIT (docs/performance.md).
func TestFiltersOpenNoTransaction(t *testing.T) {
	// Answered only at a tenant's address; their reads are the same kind.
	tenantOnly := map[string]bool{"Invitation.filter": true, "TenantGroup.filter": true}
	c := &storetest.StatementCounter{}
	ts := mustServerOn(t, store.Options{Tracer: c}, nil, func(*Config) {})
	admin := ts.as(adminName, adminPass)
	var methods []string
	result(t, admin("system.listMethods"), &methods)
	filters := 0
	for _, m := range methods {
		if !strings.HasSuffix(m, ".filter") || tenantOnly[m] {
			continue
		}
		filters++
		for _, query := range []map[string]any{{}, {"pk": -1}} {
			admin(m, query) // warm the caller's caches, then count
			c.Reset()
			if r := admin(m, query); r.Error != nil {
				t.Errorf("%s(%v): fault %d %s", m, query, r.Error.Code, r.Error.Message)
				continue
			}
			if n, tx := c.N.Load(), c.TxControl.Load(); n == 0 || tx != 0 {
				t.Errorf("%s(%v) sent %d statements and %d BEGIN/COMMIT, want at least one statement and no transaction", m, query, n, tx)
			}
		}
	}
	if filters < 25 {
		t.Fatalf("only %d filter methods registered", filters)
	}
}
