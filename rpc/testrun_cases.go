package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

var testRunCaseMethods = []Method{
	{Name: "TestRun.add_case", Access: Perms, Perms: []string{"testruns.add_testexecution"}, Returns: "array",
		Doc: "Adds a case to a run (run_id, case_id) and returns its executions as a list of {id, assignee, tested_by, case_text_version, start_date, stop_date, sortkey, run, case, status, build, tag, properties}. A case already in the run keeps its executions, which are returned. Otherwise the case must be confirmed (\"TC-<id> status is not confirmed\"), and it gets one IDLE execution per combination of its and the run's property values (one when there are none), sortkeys after the run's last, assigned to the case's or else the run's default tester, on the run's build. Concurrent calls for one case create one set of executions."},
	{Name: "TestRun.add_cases", Access: Perms, Perms: []string{"testruns.add_testexecution"}, Returns: "array",
		Doc: "TestRun.add_case for a list of cases (run_id, case_ids, at most 10,000) in one call, all or nothing: the executions of every case, old and new, in the order of case_ids. Not in Kiwi TCMS."},
	{Name: "TestRun.get_cases", Access: Perms, Perms: []string{"testruns.view_testrun"}, Returns: "array",
		Doc: "The cases of a run (run_id): one row per execution, by execution id, as {id, create_date, is_automated, script, arguments, extra_link, summary, requirement, notes, text, case_status, category, priority, author, default_tester, reviewer, execution_id, status}; a case with several executions carries the id and status name of its last one on every row. A missing run gives []."},
	{Name: "TestRun.remove_case", Access: Perms, Perms: []string{"testruns.delete_testexecution"}, Returns: "nil",
		Doc: "Deletes every execution of a case in a run (run_id, case_id), with their comments and attachments; unknown ids change nothing."},
}

// RunCaseArgs name a run and a case.
type RunCaseArgs struct {
	RunID  int64 `json:"run_id"`
	CaseID int64 `json:"case_id"`
}

// AddCase answers TestRun.add_case: always a list.
func (t *TestRun) AddCase(r *http.Request, args *RunCaseArgs, reply *[]store.AddedExecution) (err error) {
	*reply, err = t.s.store.AddCasesToRun(r.Context(), *caller(r), args.RunID, []int64{args.CaseID})
	return err
}

// RunCasesArgs are the parameters of TestRun.add_cases.
type RunCasesArgs struct {
	RunID   int64   `json:"run_id"`
	CaseIDs []int64 `json:"case_ids"`
}

// AddCases answers TestRun.add_cases.
func (t *TestRun) AddCases(r *http.Request, args *RunCasesArgs, reply *[]store.AddedExecution) (err error) {
	*reply, err = t.s.store.AddCasesToRun(r.Context(), *caller(r), args.RunID, args.CaseIDs)
	return err
}

// GetCases answers TestRun.get_cases.
func (t *TestRun) GetCases(r *http.Request, args *RunIDArgs, reply *[]store.RunCase) (err error) {
	*reply, err = t.s.store.RunCases(r.Context(), args.RunID)
	return err
}

// RemoveCase answers TestRun.remove_case.
func (t *TestRun) RemoveCase(r *http.Request, args *RunCaseArgs, _ *any) error {
	return t.s.store.RemoveCaseFromRun(r.Context(), *caller(r), args.RunID, args.CaseID)
}
