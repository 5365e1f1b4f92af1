package rpc

import (
	"net/http"

	"github.com/tcms/tcms/store"
)

// Testing is the Testing namespace, Kiwi's telemetry: statistics over the
// test cases or executions a query (TestCase.filter's or
// TestExecution.filter's keys) matches. Kiwi asks only for a login; here
// each method needs the view label of what it reads.
type Testing struct{ s *Server }

var testingMethods = []Method{
	{Name: "Testing.breakdown", Access: Perms, Perms: []string{"testcases.view_testcase"}, Returns: "struct",
		Doc: "Counts the test cases the query matches (everything when left out): {count: {manual, automated, all}, priorities and categories: {CONFIRMED: {priority value or category name: cases}, OTHER: {...}}}."},
	{Name: "Testing.execution_trends", Access: Perms, Perms: []string{"testruns.view_testexecution"}, Returns: "struct",
		Doc: "Counts the executions the query matches per run: {categories: [run ids], data_set: {status name or TOTAL: [count per run]}, colors: [status colours in status order, then black], status_count: {positive, negative, neutral}}."},
	{Name: "Testing.status_matrix", Access: Perms, Perms: []string{"testruns.view_testexecution"}, Returns: "struct",
		Doc: "The executions the query matches as a case x run matrix: {cases: [{case_id, case__summary}], executions: {\"<case>-<run>\": {pk, case_id, run_id, status_id, key}}, plans: {run: plan}, runs: {run: summary}, statusColors: {status: colour}}; map keys are strings on both protocols."},
	{Name: "Testing.test_case_health", Access: Perms, Perms: []string{"testruns.view_testexecution"}, Returns: "array",
		Doc: "Up to 30 cases among the executions the query matches that failed at least once, the highest share of failures first: [{case_id, case_summary, count: {all, fail}}]."},
	{Name: "Testing.individual_test_case_health", Access: Perms, Perms: []string{"testruns.view_testexecution"}, Returns: "array",
		Doc: "The executions the query matches as [{run__plan, case_id, status__name, status__weight}], by case, plan and weight."},
}

// Breakdown answers Testing.breakdown.
func (t *Testing) Breakdown(r *http.Request, args *OptQueryArgs, reply *store.Breakdown) (err error) {
	*reply, err = t.s.store.TestingBreakdown(r.Context(), args.Query)
	return err
}

// ExecutionTrends answers Testing.execution_trends.
func (t *Testing) ExecutionTrends(r *http.Request, args *OptQueryArgs, reply *store.ExecutionTrends) (err error) {
	*reply, err = t.s.store.TestingExecutionTrends(r.Context(), args.Query)
	return err
}

// StatusMatrix answers Testing.status_matrix.
func (t *Testing) StatusMatrix(r *http.Request, args *OptQueryArgs, reply *store.StatusMatrix) (err error) {
	*reply, err = t.s.store.TestingStatusMatrix(r.Context(), args.Query)
	return err
}

// TestCaseHealth answers Testing.test_case_health.
func (t *Testing) TestCaseHealth(r *http.Request, args *OptQueryArgs, reply *[]store.CaseHealth) (err error) {
	*reply, err = t.s.store.TestingCaseHealth(r.Context(), args.Query)
	return err
}

// IndividualTestCaseHealth answers Testing.individual_test_case_health.
func (t *Testing) IndividualTestCaseHealth(r *http.Request, args *OptQueryArgs, reply *[]store.ExecutionHealth) (err error) {
	*reply, err = t.s.store.TestingIndividualCaseHealth(r.Context(), args.Query)
	return err
}
