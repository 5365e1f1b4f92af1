package rpc

import (
	"testing"

	"github.com/tcms/tcms/store"
)

func TestBugUpdate(t *testing.T) {
	b := mustBugBed(t)
	var sev store.WeightedStatus
	result(t, b.admin.json("Severity.create", map[string]any{"name": "High", "weight": 10, "icon": "fa fa-fire", "color": "#f00"}), &sev)
	result(t, b.admin.json("Bug.add_execution", b.bug, b.execID), new(any))
	snapshot := func() string {
		return sqlText(t, b.conn, "SELECT to_jsonb(bg)::text FROM bugs bg WHERE id = $1", b.bug)
	}

	t.Run("OK", func(t *testing.T) {
		var bug wireBug
		r := b.tester.json("Bug.update", b.bug, map[string]any{"status": false, "summary": "fixed in b2", "assignee": userName, "severity": sev.ID})
		result(t, r, &bug)
		if keys := keysOf(t, r.Result); keys != bugKeys {
			t.Fatalf("keys %s", keys)
		}
		if bug.Status || bug.Summary != "fixed in b2" || bug.Assignee == nil || *bug.Assignee != b.testerID ||
			bug.Severity == nil || *bug.Severity != sev.ID || len(bug.Executions) != 1 || bug.Executions[0] != b.execID || bug.Product != b.product {
			t.Fatalf("updated %+v", bug)
		}
		// Absent keys are kept; null clears the assignee and the severity.
		b.tester.viaXML(t, &bug, "Bug.update", b.bug, map[string]any{"assignee": nil, "severity": nil, "build": b.otherBuild})
		if bug.Status || bug.Summary != "fixed in b2" || bug.Assignee != nil || bug.Severity != nil || bug.Build != b.otherBuild {
			t.Fatalf("partial update %+v", bug)
		}
		b.tester.viaJSON(t, &bug, "Bug.update", b.bug, map[string]any{"status": "true", "assignee": adminName})
		if !bug.Status || bug.Assignee == nil || *bug.Assignee != b.adminID {
			t.Fatalf("reopened %+v", bug)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := snapshot()
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{"summary": ""}, "[('summary', ['This field is required.'])]"},
			{map[string]any{"build": 99999}, "[('build', ['Select a valid choice. That choice is not one of the available choices.'])]"},
			{map[string]any{"severity": 99999}, "[('severity', ['Select a valid choice. That choice is not one of the available choices.'])]"},
			{map[string]any{"status": "maybe"}, "[('status', ['Enter a valid boolean.'])]"},
			{map[string]any{"summary": "x", "assignee": "ghost"}, `Unknown user: "ghost"`},
		} {
			b.tester.fault(t, CodeInternal, "Internal error: "+c.msg, "Bug.update", b.bug, c.values)
		}
		b.tester.fault(t, CodeInternal, "Internal error: Bug matching query does not exist.", "Bug.update", 99999, map[string]any{"summary": "x"})
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: bug_id", "Bug.update", "x", map[string]any{})
		if snapshot() != before {
			t.Fatal("a refused update changed the bug")
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := snapshot()
		b.ts.holding(t, "nochange", allBut("bugs.change_bug")...).refused(t, "bugs.change_bug", "Bug.update", b.bug, map[string]any{"status": false})
		if snapshot() != before {
			t.Fatal("a refused caller changed the bug")
		}
		var bug wireBug
		b.ts.holding(t, "closer", "bugs.change_bug").viaXML(t, &bug, "Bug.update", b.bug, map[string]any{"status": false})
		if bug.Status {
			t.Fatal("the holder of exactly bugs.change_bug could not close the bug")
		}
	})
}
