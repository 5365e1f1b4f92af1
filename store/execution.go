package store

import (
	"context"
	"time"

	"github.com/tcms/tcms/store/internal/db"
)

// Execution is S-TestExecution: a test execution with its FKs as ids and
// tag as the list of its tag ids. Kiwi puts Tag objects there, which it
// cannot serialise once an execution has tags; ids are our deliberate fix
// (docs/compatibility.md).
type Execution struct {
	ExecutionCore
	Tag []int64 `json:"tag" db:"tag"`
}

// ExecutionCore are the columns of a test execution every shape carries.
type ExecutionCore struct {
	ID              int64      `json:"id" db:"id"`
	Assignee        *int64     `json:"assignee" db:"assignee"`
	TestedBy        *int64     `json:"tested_by" db:"tested_by"`
	CaseTextVersion int64      `json:"case_text_version" db:"case_text_version"`
	StartDate       *time.Time `json:"start_date" db:"start_date"`
	StopDate        *time.Time `json:"stop_date" db:"stop_date"`
	Sortkey         *int64     `json:"sortkey" db:"sortkey"`
	Run             int64      `json:"run" db:"run"`
	Case            int64      `json:"case" db:"case"`
	Status          int64      `json:"status" db:"status"`
	Build           int64      `json:"build" db:"build"`
}

// deleteExecutions deletes the executions d names (by id, case or run)
// with what goes with them, in one statement (TestExecutionDelete), and
// adds to counts (S-Delete models) what went.
func deleteExecutions(ctx context.Context, q *db.Queries, counts map[string]int64, d db.TestExecutionDeleteParams) error {
	n, err := q.TestExecutionDelete(ctx, d)
	for model, c := range map[string]int64{"testruns.TestExecution": n.Executions, "testruns.TestExecutionProperty": n.Properties,
		"testruns.TestExecutionTag": n.Tags, "linkreference.LinkReference": n.Links, "bugs.Bug_executions": n.Bugs,
		"django_comments.Comment": n.Comments, "attachments.Attachment": n.Attachments} {
		counts[model] += c
	}
	return err
}
