package rpc

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTestExecutionCreate(t *testing.T) {
	b := mustExecBed(t)
	executions := func() int { return count(t, b.conn, "SELECT count(*) FROM test_executions") }

	t.Run("OK", func(t *testing.T) {
		var got wireExec
		r := b.tester.json("TestExecution.create", map[string]any{"case_text_version": 3, "run": b.runID, "case": itoa(b.caseID), "status": 1, "build": b.otherBuild})
		result(t, r, &got)
		if keys := keysOf(t, r.Result); keys != "assignee,build,case,case_text_version,id,run,sortkey,start_date,status,stop_date,tag,tested_by" {
			t.Fatalf("S-TestExecution keys %s", keys)
		}
		// No defaults: no tester, assignee, sortkey or dates.
		if got.CaseTextVersion != 3 || got.Run != b.runID || got.Case != b.caseID || got.Build != b.otherBuild || got.Status != 1 ||
			got.TestedBy != nil || got.Assignee != nil || got.Sortkey != nil || got.StartDate != nil || got.Tag == nil || len(got.Tag) != 0 {
			t.Fatalf("create: %s", r.Result)
		}
		var hist []store.ExecHistory
		b.tester.viaXML(t, &hist, "TestExecution.history", got.ID)
		if len(hist) != 1 || hist[0].HistoryChangeReason != nil || *hist[0].HistoryUserUsername != userName {
			t.Fatalf("history of a new execution: %+v", hist)
		}
		b.tester.viaXML(t, &got, "TestExecution.create", map[string]any{"case_text_version": "4", "run": b.runID, "case": b.caseID, "status": 4,
			"build": b.build, "assignee": "admin", "tested_by": b.testerID, "sortkey": 20, "start_date": at(20, 30), "stop_date": "2026-01-06 20:31:00"})
		if *got.Assignee != b.adminID || *got.TestedBy != b.testerID || *got.Sortkey != 20 || !isAt(got.StartDate, 20, 30) || !isAt(got.StopDate, 20, 31) {
			t.Fatalf("create over XML-RPC: %+v", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := executions()
		valid := func(k string, v any) map[string]any {
			m := map[string]any{"case_text_version": 1, "run": b.runID, "case": b.caseID, "status": 1, "build": b.build}
			m[k] = v
			return m
		}
		b.tester.fault(t, CodeInternal, "Internal error: [('case_text_version', ['This field is required.']), ('run', ['This field is required.']), ('case', ['This field is required.']), ('status', ['This field is required.']), ('build', ['This field is required.'])]",
			"TestExecution.create", map[string]any{})
		b.tester.fault(t, CodeInternal, "Internal error: [('case_text_version', ['Enter a whole number.'])]", "TestExecution.create", valid("case_text_version", "latest"))
		b.tester.fault(t, CodeInternal, "Internal error: [('start_date', ['"+badDate+"'])]", "TestExecution.create", valid("start_date", "10-10-2010"))
		for _, k := range []string{"run", "case", "status", "build"} {
			b.tester.fault(t, CodeInternal, fmt.Sprintf(choice, k), "TestExecution.create", valid(k, 99999))
		}
		b.tester.fault(t, CodeInternal, `Internal error: Unknown user_id: "99999"`, "TestExecution.create", valid("tested_by", 99999))
		b.tester.fault(t, CodeInternal, `Internal error: Unknown user: "ghost"`, "TestExecution.create", valid("assignee", "ghost"))
		if n := executions(); n != before {
			t.Fatalf("refused creates wrote %d executions", n-before)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := executions()
		b.ts.nobody(t).refused(t, "testruns.add_testexecution", "TestExecution.create",
			map[string]any{"case_text_version": 1, "run": b.runID, "case": b.caseID, "status": 1, "build": b.build})
		if n := executions(); n != before {
			t.Fatal("a refused create wrote")
		}
	})
}

func TestTestExecutionFilter(t *testing.T) {
	b := mustExecBed(t)
	other := b.mustExecution(t)
	mustExec(t, b.conn, `UPDATE test_cases SET setup_duration = '30 seconds', testing_duration = '1 minute'`)
	mustExec(t, b.conn, `UPDATE test_executions SET start_date = '2026-01-06 20:30:00Z', stop_date = '2026-01-06 20:32:00Z', status_id = 4,
		assignee_id = $2 WHERE id = $1`, other, b.testerID)
	result(t, b.tester.json("TestExecution.add_tag", other, "nightly"), new(any))
	type row struct {
		ID               int64    `json:"id"`
		StatusName       string   `json:"status__name"`
		StatusIcon       string   `json:"status__icon"`
		StatusColor      string   `json:"status__color"`
		AssigneeUsername *string  `json:"assignee__username"`
		ExpectedDuration float64  `json:"expected_duration"`
		ActualDuration   *float64 `json:"actual_duration"`
	}

	t.Run("OK", func(t *testing.T) {
		var rows []row
		r := b.tester.json("TestExecution.filter", map[string]any{"run": b.runID})
		result(t, r, &rows)
		var raw []json.RawMessage
		result(t, r, &raw)
		if keys := keysOf(t, raw[0]); keys != "actual_duration,assignee,assignee__username,build,build__name,case,case__summary,case_text_version,expected_duration,id,run,sortkey,start_date,status,status__color,status__icon,status__name,stop_date,tested_by,tested_by__username" {
			t.Fatalf("S-TestExecution-f keys %s", keys)
		}
		if len(rows) != 2 || rows[0].ID != b.execID || rows[0].StatusName != "IDLE" || rows[0].ActualDuration != nil || rows[0].ExpectedDuration != 90 ||
			rows[1].ActualDuration == nil || *rows[1].ActualDuration != 120 || rows[1].StatusIcon != "fa fa-check-circle-o" || rows[1].StatusColor != "#92d400" ||
			*rows[1].AssigneeUsername != userName {
			t.Fatalf("filter: %s", r.Result)
		}
		for _, q := range []map[string]any{
			{"run__plan__gt": 0, "status__weight__gt": 0}, {"tag__name": "nightly"}, {"assignee__username": userName},
			{"case__category__product": b.product, "actual_duration__gte": 120}, {"build__name": "b1", "status__name": "PASSED"},
			{"pk": itoa(other)}, {"stop_date__isnull": false, "case__summary__icontains": "CASE"},
		} {
			b.tester.viaXML(t, &rows, "TestExecution.filter", q)
			if len(rows) != 1 || rows[0].ID != other {
				t.Fatalf("filter(%v): %+v", q, rows)
			}
		}
		b.tester.empty(t, "TestExecution.filter", map[string]any{"pk": 0})
		b.tester.viaJSON(t, &rows, "TestExecution.filter", map[string]any{})
		if len(rows) != 2 {
			t.Fatalf("filter({}): %+v", rows)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInvalidParams, "Invalid parameters: ", "TestExecution.filter")
		wantFault(t, b.tester.json("TestExecution.filter", nil), CodeInvalidParams, "Invalid parameters: query is required")
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.filter", map[string]any{"nosuch": 1})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		b.ts.nobody(t).refused(t, "testruns.view_testexecution", "TestExecution.filter", map[string]any{})
	})
}

func TestTestExecutionRemove(t *testing.T) {
	b := mustExecBed(t)
	kept := b.mustExecution(t)
	result(t, b.tester.json("TestExecution.add_comment", b.execID, "a comment"), new(any))
	result(t, b.tester.json("TestExecution.add_comment", kept, "kept"), new(any))
	result(t, b.tester.json("TestExecution.add_attachment", b.execID, "log.txt", "aGVsbG8="), new(any))
	result(t, b.tester.json("TestExecution.add_link", map[string]any{"execution": b.execID, "url": "https://ci.example.com/1"}), new(any))
	result(t, b.tester.json("TestExecution.add_property", b.execID, "os", "linux"), new(any))
	result(t, b.tester.json("TestExecution.add_tag", b.execID, "nightly"), new(any))

	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: TestExecution.remove needs a non-empty query", "TestExecution.remove", map[string]any{})
		wantFault(t, b.tester.json("TestExecution.remove", nil), CodeInvalidParams, "Invalid parameters: query is required")
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.remove", map[string]any{"nosuch": 1})
	})
	t.Run("ErrPermission", func(t *testing.T) {
		b.ts.nobody(t).refused(t, "testruns.delete_testexecution", "TestExecution.remove", map[string]any{"pk": b.execID})
		if count(t, b.conn, "SELECT count(*) FROM test_executions") != 2 {
			t.Fatal("a refused remove deleted")
		}
	})
	t.Run("OK", func(t *testing.T) {
		b.tester.viaXML(t, new(any), "TestExecution.remove", map[string]any{"pk": 99999}) // nothing matched
		b.tester.viaXML(t, new(any), "TestExecution.remove", map[string]any{"pk": b.execID, "status__name": "IDLE"})
		// No row; its creation and '-' history rows; no comments, links, properties, tags, attachments.
		if got := b.snapshot(t, b.execID); got != "2 | 0 | 0 | 0 | 0 | 0" {
			t.Fatalf("left behind: %s", got)
		}
		if count(t, b.conn, "SELECT count(*) FROM history WHERE owner = 'testruns_testexecution' AND object_id = $1 AND history_type = '-'", b.execID) != 1 ||
			count(t, b.conn, "SELECT count(*) FROM comments") != 1 || count(t, b.conn, "SELECT count(*) FROM tags") != 1 {
			t.Fatal("remove: history, the other execution's comment or the tag itself")
		}
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.history", b.execID)
	})
}
