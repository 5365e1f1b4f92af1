package rpc

import (
	"testing"

	"github.com/tcms/tcms/store"
)

// runFixture is a plan fixture with an active build of its version, a
// plan and a run in it.
type runFixture struct {
	planFixture
	build, plan, run int64
}

// mustRunFixture creates, as admin, the products of mustPlanFixture, the
// build "b1" of its version, the plan "runs" and a run "first" managed by
// admin.
func mustRunFixture(t *testing.T, admin func(string, ...any) jsonResponse) runFixture {
	t.Helper()
	f := runFixture{planFixture: mustPlanFixture(t, admin)}
	var b store.Build
	result(t, admin("Build.create", map[string]any{"name": "b1", "version": f.version}), &b)
	var p wirePlan
	result(t, admin("TestPlan.create", f.values("runs")), &p)
	f.build, f.plan = b.ID, p.ID
	var r wireRun
	result(t, admin("TestRun.create", f.runValues("first")), &r)
	f.run = r.id()
	return f
}

// runValues are the values of a run in the fixture's plan and build,
// managed by admin, plus extra key/value pairs.
func (f runFixture) runValues(summary string, extra ...any) map[string]any {
	v := map[string]any{"summary": summary, "plan": f.plan, "build": f.build, "manager": adminName}
	for i := 0; i+1 < len(extra); i += 2 {
		v[extra[i].(string)] = extra[i+1]
	}
	return v
}

// wireRun is a run as the wire shows it (naive times as text).
type wireRun map[string]any

func (r wireRun) id() int64 { return int64(r["id"].(float64)) }
